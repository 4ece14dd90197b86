#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# podman (Debian's 4.3) with `--runtime $(realpath build/sandboxrun)`,
# driven through conmon as podman always does. Its own storage (vfs) and
# run root under a temp dir, a containers.conf of the test's (cgroupfs, file
# events, no network, and a nofile ulimit below these machines' hard limit
# of 20000: podman's default, 1048576, is above it). The test imports a
# busybox rootfs and runs: run --rm with output and exit codes, -d with
# logs, exec, stop, kill, rm, -it under script(1). Everything is removed at
# the end, whatever happens.
# shellcheck source=tests/integration/clients/common.bash
. "$(dirname "$0")/common.bash"

CL_CASES=(import run-echo exit-codes detached-logs-exec-stop kill-rm interactive)
cl_init podman

if ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
	cl_skip_all "podman not installed (apt-get install podman)"
	rm -rf "$CL_WORK"
	exit 0
fi

W=$CL_WORK
IMAGE=localhost/sandboxrun/busybox:test
export CONTAINERS_CONF=$W/containers.conf
export CONTAINERS_STORAGE_CONF=$W/storage.conf
export CONTAINERS_REGISTRIES_CONF=$W/registries.conf
# Every podman command of the test: its storage, its runtime.
P=(podman --root "$W/storage" --runroot "$W/runroot" --tmpdir "$W/tmp" --storage-driver vfs
	--runtime "$CL_RUNTIME")
RUN=(--network none)

cleanup() {
	timeout 60 "${P[@]}" rm -af -t 0 >/dev/null 2>&1
	timeout 30 "${P[@]}" rmi -af >/dev/null 2>&1
	# conmon outlives podman by design: end ours, by pid.
	local pid
	for pid in $(pgrep -f "conmon .*$W/" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	kill_tagged_leftovers "$W"
	umount_under "$W"
	rm -rf "$W"
}
trap cleanup EXIT

if [ -z "$CL_SKIP" ]; then
	mkdir -p "$W/tmp"
	cat >"$W/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024"]
netns = "none"
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$W/events.log"
EOF
	cat >"$W/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$W/storage"
runroot = "$W/runroot"
EOF
	: >"$W/registries.conf"
fi

state_of() { "${P[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$1" 2>/dev/null; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }

if begin import; then
	expect "podman import" "${P[@]}" import "$W/rootfs.tar" "$IMAGE"
	run_cl "${P[@]}" image ls -q "$IMAGE"
	[ -s "$CL_OUT" ] || problem "image $IMAGE not listed"
	[ ${#CL_PROBLEMS[@]} -gt 0 ] && CL_SKIP="the image could not be imported"
	end
fi

if begin run-echo; then
	expect_output "podman run --rm echo hi" "hi" "${P[@]}" run "${RUN[@]}" --rm "$IMAGE" echo hi
	expect_output "--hostname -e -w -u" "h1 bar /tmp 65534" "${P[@]}" run "${RUN[@]}" --hostname h1 \
		-e FOO=bar -w /tmp -u 65534 --rm "$IMAGE" sh -c 'echo $(hostname) $FOO $(pwd) $(id -u)'
	expect_output "ulimit from containers.conf" "1024" "${P[@]}" run "${RUN[@]}" --rm "$IMAGE" \
		sh -c 'ulimit -n'
	run_cl "${P[@]}" ps -aq
	[ -s "$CL_OUT" ] && problem "containers left after --rm: $(cat "$CL_OUT")"
	end
fi

if begin exit-codes; then
	expect_rc "exit 7" 7 "${P[@]}" run "${RUN[@]}" --rm "$IMAGE" sh -c 'exit 7'
	# podman picks these from the runtime's error text (runc's words).
	expect_rc "missing executable" 127 "${P[@]}" run "${RUN[@]}" --rm "$IMAGE" /no/such
	expect_rc "not executable" 126 "${P[@]}" run "${RUN[@]}" --rm "$IMAGE" /etc/passwd
	end
fi

if begin detached-logs-exec-stop; then
	c=det-$$
	expect "podman run -d" "${P[@]}" run "${RUN[@]}" -d --name "$c" "$IMAGE" \
		sh -c 'echo started; trap "echo got term; exit 3" TERM; while :; do sleep 0.2; done'
	wait_for 20 is_state "$c" "running 0" || problem "not running: '$(state_of "$c")'"
	wait_for 10 sh -c "$(printf '%q ' "${P[@]}") logs '$c' | grep -q started" ||
		problem "podman logs: no 'started'"
	expect_output "podman exec" "exec hi" "${P[@]}" exec "$c" echo exec hi
	expect_rc "podman exec exit 5" 5 "${P[@]}" exec "$c" sh -c 'exit 5'
	expect "podman pause" "${P[@]}" pause "$c"
	is_state "$c" "paused 0" || problem "after pause: '$(state_of "$c")'"
	expect "podman unpause" "${P[@]}" unpause "$c"
	is_state "$c" "running 0" || problem "after unpause: '$(state_of "$c")'"
	if command -v script >/dev/null; then
		expect "podman exec -it" script -qec "$(printf '%q ' "${P[@]}") exec -it $c sh -c 'tty; echo exec tty'" /dev/null
		tr -d '\r' <"$CL_OUT" | grep -q 'exec tty$' || problem "podman exec -it: no output"
		tr -d '\r' <"$CL_OUT" | grep -q '/dev/pts/[0-9]*$' || problem "podman exec -it: not on a pty"
	fi
	expect "podman stop" "${P[@]}" stop -t 10 "$c"
	is_state "$c" "exited 3" || problem "after stop: '$(state_of "$c")', expected 'exited 3'"
	run_cl "${P[@]}" logs "$c"
	grep -q 'got term' "$CL_OUT" || problem "podman logs: the TERM trap did not run"
	expect "podman rm" "${P[@]}" rm "$c"
	end
fi

if begin kill-rm; then
	c=kill-$$
	expect "podman run -d" "${P[@]}" run "${RUN[@]}" -d --name "$c" "$IMAGE" sleep 1000
	wait_for 20 is_state "$c" "running 0" || problem "not running: '$(state_of "$c")'"
	expect "podman kill" "${P[@]}" kill "$c"
	wait_for 20 is_state "$c" "exited 137" || problem "after kill: '$(state_of "$c")', expected 'exited 137'"
	expect "podman rm" "${P[@]}" rm "$c"
	expect "podman run -d" "${P[@]}" run "${RUN[@]}" -d --name "$c" "$IMAGE" sleep 1000
	expect "podman rm -f" "${P[@]}" rm -f -t 0 "$c"
	run_cl "${P[@]}" ps -aq
	[ -s "$CL_OUT" ] && problem "containers left after rm: $(cat "$CL_OUT")"
	end
fi

if begin interactive; then
	if ! command -v script >/dev/null; then
		problem "script(1) not installed (bsdutils)"
	else
		run_cl bash -c "(sleep 3; echo 'echo typed-\$((6*7))'; sleep 1; echo 'exit 3') |
			script -qec '$(printf '%q ' "${P[@]}") run ${RUN[*]} -it --rm $IMAGE sh' /dev/null"
		[ "$CL_RC" = 3 ] || problem "podman run -it: exit $CL_RC, expected 3"
		tr -d '\r' <"$CL_OUT" | grep -qx 'typed-42' || problem "the shell did not run what was typed"
	fi
	end
fi

results_summary
