#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# Docker (Debian's docker.io, 20.10) with sandboxrun as a runtime named
# runsc-c in daemon.json, as `sandboxrun install` would set it up. The test
# starts its own dockerd (data-root, exec-root, pidfile and socket under a
# temp dir; no iptables, no bridge; its own managed containerd), imports a
# busybox rootfs and drives the docker CLI: run --rm with output and exit
# codes (Docker's 126/127 for a process that cannot start), -d with logs,
# exec, stop, kill, rm, -it under script(1), --network none. Everything is
# removed at the end, whatever happens.
# shellcheck source=tests/integration/clients/common.bash
. "$(dirname "$0")/common.bash"

CL_CASES=(import run-echo exit-codes detached-logs-exec-stop kill-rm interactive)
cl_init docker

DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker)
if ! command -v dockerd >/dev/null || [ -z "$DOCKER" ]; then
	cl_skip_all "docker not installed (apt-get install docker.io)"
	rm -rf "$CL_WORK"
	exit 0
fi

W=$CL_WORK
IMAGE=sandboxrun/busybox:test
export DOCKER_HOST=unix://$W/docker.sock
export DOCKER_CONFIG=$W/client
DOCKERD_PID=""
RUN=(--runtime=runsc-c --network none)

cleanup() {
	local id
	if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
		for id in $(timeout 10 "$DOCKER" ps -aq 2>/dev/null); do
			timeout 20 "$DOCKER" rm -f "$id" >/dev/null 2>&1
		done
		timeout 10 "$DOCKER" rmi -f "$IMAGE" >/dev/null 2>&1
	fi
	# dockerd stops its containerd and that its shims.
	stop_pid "$DOCKERD_PID" 20
	local pid
	for pid in $(pgrep -f "containerd.*$W/" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	kill_tagged_leftovers "$W"
	umount_under "$W"
	rm -rf "$W"
}
trap cleanup EXIT

start_dockerd() {
	cat >"$W/daemon.json" <<EOF
{
	"runtimes": {
		"runsc-c": { "path": "$CL_RUNTIME" }
	}
}
EOF
	dockerd --config-file "$W/daemon.json" --data-root "$W/data" --exec-root "$W/exec" \
		--pidfile "$W/docker.pid" -H "unix://$W/docker.sock" --iptables=false \
		--ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
		--storage-driver vfs >"$W/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	if ! wait_for 60 "$DOCKER" version; then
		CL_SKIP="dockerd did not start: $(tail -n 3 "$W/dockerd.log")"
		return 1
	fi
}

end_case() {
	if [ ${#CL_PROBLEMS[@]} -gt 0 ]; then
		problem "dockerd log (last 5 lines):" "$(tail -n 5 "$W/dockerd.log")"
	fi
	end
}

state_of() { "$DOCKER" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$1" 2>/dev/null; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }

[ -z "$CL_SKIP" ] && start_dockerd

if begin import; then
	expect "docker import" "$DOCKER" import "$W/rootfs.tar" "$IMAGE"
	run_cl "$DOCKER" image ls -q "$IMAGE"
	[ -s "$CL_OUT" ] || problem "image $IMAGE not listed"
	[ ${#CL_PROBLEMS[@]} -gt 0 ] && CL_SKIP="the image could not be imported"
	end_case
fi

if begin run-echo; then
	expect_output "docker run --rm echo hi" "hi" "$DOCKER" run "${RUN[@]}" --rm "$IMAGE" echo hi
	# What Docker puts in the spec reaches the workload: hostname (and
	# the /etc/hostname bind), env, cwd, user.
	expect_output "--hostname" "h1 h1" "$DOCKER" run "${RUN[@]}" --hostname h1 --rm "$IMAGE" \
		sh -c 'echo $(hostname) $(cat /etc/hostname)'
	expect_output "-e -w -u" "bar /tmp 65534" "$DOCKER" run "${RUN[@]}" -e FOO=bar -w /tmp -u 65534 \
		--rm "$IMAGE" sh -c 'echo $FOO $(pwd) $(id -u)'
	run_cl "$DOCKER" ps -aq
	[ -s "$CL_OUT" ] && problem "containers left after --rm: $(cat "$CL_OUT")"
	end_case
fi

if begin exit-codes; then
	expect_rc "exit 7" 7 "$DOCKER" run "${RUN[@]}" --rm "$IMAGE" sh -c 'exit 7'
	# Docker picks these from the runtime's error text (runc's words).
	expect_rc "missing executable" 127 "$DOCKER" run "${RUN[@]}" --rm "$IMAGE" /no/such
	expect_rc "not in PATH" 127 "$DOCKER" run "${RUN[@]}" --rm "$IMAGE" nosuch
	expect_rc "not executable" 126 "$DOCKER" run "${RUN[@]}" --rm "$IMAGE" /etc/passwd
	end_case
fi

if begin detached-logs-exec-stop; then
	c=det-$$
	expect "docker run -d" "$DOCKER" run "${RUN[@]}" -d --name "$c" "$IMAGE" \
		sh -c 'echo started; trap "echo got term; exit 3" TERM; while :; do sleep 0.2; done'
	wait_for 20 is_state "$c" "running 0" || problem "not running: '$(state_of "$c")'"
	wait_for 10 sh -c "'$DOCKER' logs '$c' | grep -q started" || problem "docker logs: no 'started'"
	expect_output "docker exec" "exec hi" "$DOCKER" exec "$c" echo exec hi
	expect_rc "docker exec exit 5" 5 "$DOCKER" exec "$c" sh -c 'exit 5'
	expect_output "docker exec sees init" "1" "$DOCKER" exec "$c" sh -c 'kill -0 1 && echo 1'
	expect "docker pause" "$DOCKER" pause "$c"
	is_state "$c" "paused 0" || problem "after pause: '$(state_of "$c")'"
	expect "docker unpause" "$DOCKER" unpause "$c"
	is_state "$c" "running 0" || problem "after unpause: '$(state_of "$c")'"
	if command -v script >/dev/null; then
		expect "docker exec -it" script -qec "$DOCKER exec -it $c sh -c 'tty; echo exec tty'" /dev/null
		tr -d '\r' <"$CL_OUT" | grep -q 'exec tty$' || problem "docker exec -it: no output"
		tr -d '\r' <"$CL_OUT" | grep -q '/dev/pts/[0-9]*$' || problem "docker exec -it: not on a pty"
	fi
	expect "docker stop" "$DOCKER" stop -t 10 "$c"
	is_state "$c" "exited 3" || problem "after stop: '$(state_of "$c")', expected 'exited 3'"
	run_cl "$DOCKER" logs "$c"
	grep -q 'got term' "$CL_OUT" || problem "docker logs: the TERM trap did not run"
	expect "docker rm" "$DOCKER" rm "$c"
	end_case
fi

if begin kill-rm; then
	c=kill-$$
	expect "docker run -d" "$DOCKER" run "${RUN[@]}" -d --name "$c" "$IMAGE" sleep 1000
	wait_for 20 is_state "$c" "running 0" || problem "not running: '$(state_of "$c")'"
	expect "docker kill" "$DOCKER" kill "$c"
	wait_for 20 is_state "$c" "exited 137" || problem "after kill: '$(state_of "$c")', expected 'exited 137'"
	expect "docker rm" "$DOCKER" rm "$c"
	# rm -f of a running container.
	expect "docker run -d" "$DOCKER" run "${RUN[@]}" -d --name "$c" "$IMAGE" sleep 1000
	expect "docker rm -f" "$DOCKER" rm -f "$c"
	run_cl "$DOCKER" ps -aq
	[ -s "$CL_OUT" ] && problem "containers left after rm: $(cat "$CL_OUT")"
	end_case
fi

if begin interactive; then
	if ! command -v script >/dev/null; then
		problem "script(1) not installed (bsdutils)"
	else
		# script gives docker a terminal; the shell reads what is typed.
		run_cl bash -c "(sleep 3; echo 'echo typed-\$((6*7))'; sleep 1; echo 'exit 3') |
			script -qec '$DOCKER run ${RUN[*]} -it --rm $IMAGE sh' /dev/null"
		[ "$CL_RC" = 3 ] || problem "docker run -it: exit $CL_RC, expected 3"
		tr -d '\r' <"$CL_OUT" | grep -qx 'typed-42' || problem "the shell did not run what was typed"
	fi
	end_case
fi

results_summary
