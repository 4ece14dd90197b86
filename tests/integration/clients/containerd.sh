#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# containerd (Debian's 1.6) with sandboxrun as the runc binary of its runc
# v2 shim, as `ctr run --runc-binary` sets it (the BinaryName option a
# Kubernetes RuntimeClass handler uses). The test starts its own containerd
# (root, state and socket under a temp dir, CRI disabled), imports a busybox
# image it builds by hand as an OCI layout, and drives ctr: run --rm with
# output and exit codes, -t under script(1), a detached task with
# task exec/ps/kill. Everything is removed at the end, whatever happens.
# shellcheck source=tests/integration/clients/common.bash
. "$(dirname "$0")/common.bash"

CL_CASES=(import run-echo exit-code tty detached-exec-ps-kill)
cl_init containerd

if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null ||
	! command -v containerd-shim-runc-v2 >/dev/null; then
	cl_skip_all "containerd not installed (apt-get install containerd)"
	rm -rf "$CL_WORK"
	exit 0
fi

W=$CL_WORK
IMAGE=docker.io/sandboxrun/busybox:test
export CONTAINERD_ADDRESS=$W/containerd.sock
export CONTAINERD_NAMESPACE=sbxtest-$$
export CONTAINERD_SNAPSHOTTER=native
CTRD_PID=""
RUNC_ROOT=$W/runc-root

CTR() { ctr "$@"; }
# The runtime flags every `ctr run` of the test carries.
RUN_FLAGS=(--runc-binary "$CL_RUNTIME" --runc-root "$RUNC_ROOT")

cleanup() {
	local id
	if [ -n "$CTRD_PID" ] && kill -0 "$CTRD_PID" 2>/dev/null; then
		for id in $(timeout 10 ctr task ls -q 2>/dev/null); do
			timeout 10 ctr task kill -s SIGKILL "$id" >/dev/null 2>&1
			timeout 10 ctr task delete -f "$id" >/dev/null 2>&1
		done
		for id in $(timeout 10 ctr container ls -q 2>/dev/null); do
			timeout 10 ctr container delete "$id" >/dev/null 2>&1
		done
		timeout 10 ctr image rm "$IMAGE" >/dev/null 2>&1
		timeout 10 ctr namespace rm "$CONTAINERD_NAMESPACE" >/dev/null 2>&1
	fi
	stop_pid "$CTRD_PID" 10
	# Shims outlive containerd by design: end the ones of this test's
	# namespace (their command line names it).
	cl_remove_work "containerd-shim-runc-v2 -namespace $CONTAINERD_NAMESPACE "
}
trap cleanup EXIT

start_containerd() {
	cat >"$W/config.toml" <<EOF
version = 2
root = "$W/root"
state = "$W/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$W/containerd.sock"

[ttrpc]
  address = "$W/containerd.sock.ttrpc"

[debug]
  level = "info"

[plugins."io.containerd.runtime.v2.task"]
  platforms = ["linux/amd64"]
EOF
	containerd --config "$W/config.toml" >"$W/containerd.log" 2>&1 &
	CTRD_PID=$!
	if ! wait_for 20 ctr version; then
		CL_SKIP="containerd did not start: $(tail -n 3 "$W/containerd.log")"
		return 1
	fi
}

# The containerd log is part of every failing case's details.
end_case() {
	if [ ${#CL_PROBLEMS[@]} -gt 0 ]; then
		problem "containerd log (last 5 lines):" "$(tail -n 5 "$W/containerd.log")"
	fi
	end
}

# ctr_rm_task ID: the task and container gone, whatever state they are in.
ctr_rm_task() {
	timeout 10 ctr task kill -s SIGKILL "$1" >/dev/null 2>&1
	timeout 10 ctr task delete -f "$1" >/dev/null 2>&1
	timeout 10 ctr container delete "$1" >/dev/null 2>&1
}

task_status() { ctr task ls 2>/dev/null | awk -v id="$1" '$1 == id {print $3}'; }
task_is() { [ "$(task_status "$1")" = "$2" ]; }

[ -z "$CL_SKIP" ] && start_containerd

if begin import; then
	make_oci_archive "$W/image.tar" "$IMAGE"
	expect "ctr image import" ctr image import "$W/image.tar"
	run_cl ctr image ls -q
	grep -qx "$IMAGE" "$CL_OUT" || problem "image $IMAGE not listed: $(cat "$CL_OUT")"
	[ ${#CL_PROBLEMS[@]} -gt 0 ] && CL_SKIP="the image could not be imported"
	end_case
fi

if begin run-echo; then
	expect_output "ctr run --rm echo hi" "hi" \
		ctr run "${RUN_FLAGS[@]}" --rm "$IMAGE" "echo-$$" echo hi
	run_cl ctr container ls -q
	[ -s "$CL_OUT" ] && problem "containers left after --rm: $(cat "$CL_OUT")"
	ctr_rm_task "echo-$$"
	end_case
fi

if begin exit-code; then
	expect_rc "exit 7" 7 ctr run "${RUN_FLAGS[@]}" --rm "$IMAGE" "exit-$$" sh -c 'exit 7'
	ctr_rm_task "exit-$$"
	expect_rc "false" 1 ctr run "${RUN_FLAGS[@]}" --rm "$IMAGE" "exit-$$" false
	ctr_rm_task "exit-$$"
	expect_rc "missing executable" 1 ctr run "${RUN_FLAGS[@]}" --rm "$IMAGE" "exit-$$" /no/such
	grep -qi "no such file or directory" "$CL_LOG" ||
		problem "no error naming the missing executable"
	ctr_rm_task "exit-$$"
	end_case
fi

if begin tty; then
	if ! command -v script >/dev/null; then
		problem "script(1) not installed (bsdutils)"
	else
		# script gives ctr a terminal, so -t has one to copy to.
		expect "ctr run -t" \
			script -qec "ctr run ${RUN_FLAGS[*]} -t --rm $IMAGE tty-$$ sh -c '[ -t 0 ] && [ -t 1 ] && echo tty hi; tty'" /dev/null
		tr -d '\r' <"$CL_OUT" | grep -q 'tty hi$' || problem "no 'tty hi': stdio is not a terminal"
		tr -d '\r' <"$CL_OUT" | grep -qx '/dev/pts/0' || problem "tty did not print /dev/pts/0"
	fi
	ctr_rm_task "tty-$$"
	end_case
fi

if begin detached-exec-ps-kill; then
	id=det-$$
	expect "ctr run -d" ctr run "${RUN_FLAGS[@]}" -d "$IMAGE" "$id" sh -c 'echo started; sleep 1000'
	wait_for 20 task_is "$id" RUNNING || problem "task not RUNNING: '$(task_status "$id")'"
	expect_output "ctr task exec" "exec hi" ctr task exec --exec-id e1 "$id" echo exec hi
	expect_rc "ctr task exec, exit 5" 5 ctr task exec --exec-id e2 "$id" sh -c 'exit 5'
	if command -v script >/dev/null; then
		expect "ctr task exec -t" script -qec "ctr task exec -t --exec-id e3 $id sh -c 'tty; echo exec tty'" /dev/null
		tr -d '\r' <"$CL_OUT" | grep -q 'exec tty$' || problem "ctr task exec -t: no output"
		tr -d '\r' <"$CL_OUT" | grep -q '/dev/pts/[0-9]*$' || problem "ctr task exec -t: not on a pty"
	fi
	expect "ctr task pause" ctr task pause "$id"
	task_is "$id" PAUSED || problem "after pause: '$(task_status "$id")'"
	expect "ctr task resume" ctr task resume "$id"
	task_is "$id" RUNNING || problem "after resume: '$(task_status "$id")'"
	expect "ctr task ps" ctr task ps "$id"
	# The header and at least the init's line.
	[ "$(grep -cE '^[0-9]+' "$CL_OUT")" -ge 1 ] || problem "ctr task ps listed no process"
	expect "ctr task kill" ctr task kill -s SIGKILL "$id"
	wait_for 20 task_is "$id" STOPPED || problem "task not STOPPED after kill: '$(task_status "$id")'"
	expect "ctr task delete" ctr task delete "$id"
	grep -q 'exit code 137' "$CL_LOG" || problem "ctr task delete did not report exit code 137 (SIGKILL)"
	expect "ctr container delete" ctr container delete "$id"
	run_cl ctr task ls -q
	grep -qx "$id" "$CL_OUT" && problem "task still listed after delete"
	ctr_rm_task "$id"
	end_case
fi

results_summary
