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
# The cases are shared with podman.sh (cli_cases.bash); Docker's own checks
# are the cli_extra_* functions below.
# shellcheck source=tests/integration/clients/common.bash
. "$(dirname "$0")/common.bash"
# shellcheck source=tests/integration/clients/cli_cases.bash
. "$(dirname "$0")/cli_cases.bash"

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
CLI=("$DOCKER")
CLI_RM_F=(rm -f)

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
	cl_remove_work "containerd.*$W/"
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

cli_extra_run_echo() {
	# What Docker puts in the spec reaches the workload: hostname (and
	# the /etc/hostname bind), env, cwd, user.
	expect_output "--hostname" "h1 h1" "$DOCKER" run "${RUN[@]}" --hostname h1 --rm "$IMAGE" \
		sh -c 'echo $(hostname) $(cat /etc/hostname)'
	expect_output "-e -w -u" "bar /tmp 65534" "$DOCKER" run "${RUN[@]}" -e FOO=bar -w /tmp -u 65534 \
		--rm "$IMAGE" sh -c 'echo $FOO $(pwd) $(id -u)'
}

cli_extra_exit_codes() {
	expect_rc "not in PATH" 127 "$DOCKER" run "${RUN[@]}" --rm "$IMAGE" nosuch
}

cli_extra_detached_logs_exec_stop() {
	expect_output "docker exec sees init" "1" "$DOCKER" exec "$1" sh -c 'kill -0 1 && echo 1'
}

[ -z "$CL_SKIP" ] && start_dockerd
cli_run_cases
results_summary
