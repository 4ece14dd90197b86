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
# The cases are shared with docker.sh (cli_cases.bash); podman's own checks
# are the cli_extra_* functions below.
# shellcheck source=tests/integration/clients/common.bash
. "$(dirname "$0")/common.bash"
# shellcheck source=tests/integration/clients/cli_cases.bash
. "$(dirname "$0")/cli_cases.bash"

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
CLI=("${P[@]}")
CLI_RM_F=(rm -f -t 0)

cleanup() {
	timeout 60 "${P[@]}" rm -af -t 0 >/dev/null 2>&1
	timeout 30 "${P[@]}" rmi -af >/dev/null 2>&1
	# conmon outlives podman by design: end ours.
	cl_remove_work "conmon .*$W/"
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

end_case() { end; }

cli_extra_run_echo() {
	expect_output "--hostname -e -w -u" "h1 bar /tmp 65534" "${P[@]}" run "${RUN[@]}" --hostname h1 \
		-e FOO=bar -w /tmp -u 65534 --rm "$IMAGE" sh -c 'echo $(hostname) $FOO $(pwd) $(id -u)'
	expect_output "ulimit from containers.conf" "1024" "${P[@]}" run "${RUN[@]}" --rm "$IMAGE" \
		sh -c 'ulimit -n'
}

cli_run_cases
results_summary
