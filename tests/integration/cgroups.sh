#!/bin/bash
# linux.cgroupsPath and linux.resources: every host process of the sandbox
# in the cgroup, the limits in its files (v1/hybrid or v2), enforced (a
# fork bomb inside stops at pids.max), changed by update, reported by
# events --stats, removed by delete.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

R() { timeout -k 5 30 "$SANDBOXRUN" --root "$SBX_STATE" "$@"; }
CG=/sys/fs/cgroup
PARENT=sbxtest-$$
if [ "$(stat -fc %T $CG 2>/dev/null)" = cgroup2fs ]; then
	V2=1
	dir_of() { echo "$CG/$PARENT/$1"; }
	MEMF=memory.max
else
	V2=0
	dir_of() { echo "$CG/$2/$PARENT/$1"; }
	MEMF=memory.limit_in_bytes
fi
[ -w "$CG/memory" ] || [ -w "$CG/cgroup.procs" ] || SBX_SKIP=${SBX_SKIP:-"no writable cgroup hierarchy"}
command -v jq >/dev/null 2>&1 || SBX_SKIP=${SBX_SKIP:-"jq not installed"}
memdir() { dir_of "$1" memory; }
pidsdir() { dir_of "$1" pids; }
cpudir() { dir_of "$1" cpu; }

cleanup_parent() {
	local d
	for d in "$CG/$PARENT" "$CG"/*/"$PARENT"; do
		[ -d "$d" ] && rmdir "$d"/* "$d" 2>/dev/null
	done
}

begin() {
	SBX_NAME=$1
	SBX_PROBLEMS=()
	SBX_ERR=$SBX_WORK/${1//\//_}.err
	: >"$SBX_ERR"
	if [ -n "$SBX_SKIP" ]; then
		t_skip "$1" "$SBX_SKIP"
		return 1
	fi
}

# bundle_with JQ_FILTER ARGS...
bundle_with() {
	local f=$1
	shift
	"$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" "$@" >/dev/null
	jq "$f" "$SBX_BUNDLE/config.json" >"$SBX_WORK/c.json" && mv "$SBX_WORK/c.json" "$SBX_BUNDLE/config.json"
}

expect_file() { # FILE VALUE
	local got
	got=$(cat "$1" 2>/dev/null)
	[ "$got" = "$2" ] || sbx_problem "$1: '$got', expected '$2'"
}

if begin cgroups/limits_update_events_delete; then
	bundle_with ".linux.cgroupsPath = \"/$PARENT/a\" | .linux.resources = {\"memory\": {\"limit\": 268435456}, \"pids\": {\"limit\": 50}, \"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000}}" sleep 100
	R create --bundle "$SBX_BUNDLE" cga 2>>"$SBX_ERR" || sbx_problem "create failed: $(cat "$SBX_ERR")"
	if [ $V2 = 0 ]; then
		expect_file "$(memdir a)/memory.limit_in_bytes" 268435456
		expect_file "$(pidsdir a)/pids.max" 50
		expect_file "$(cpudir a)/cpu.shares" 512
		expect_file "$(cpudir a)/cpu.cfs_quota_us" 50000
		expect_file "$(cpudir a)/cpu.cfs_period_us" 100000
	else
		expect_file "$(memdir a)/memory.max" 268435456
		expect_file "$(pidsdir a)/pids.max" 50
		expect_file "$(cpudir a)/cpu.max" "50000 100000"
	fi
	# The monitor, the gofer, the sentry and init's stub: all inside.
	pid=$(R state cga 2>/dev/null | jq -r .pid)
	procs=$(cat "$(pidsdir a)/cgroup.procs" 2>/dev/null)
	grep -qx "$pid" <<<"$procs" || sbx_problem "monitor $pid not in the cgroup: $procs"
	[ "$(wc -l <<<"$procs")" -ge 4 ] || sbx_problem "cgroup.procs: '$procs' (expected monitor, gofer, sentry, stub)"
	for p in $(pgrep -f "sandboxrun.*$SBX_WORK"); do
		grep -qx "$p" <<<"$procs" || sbx_problem "sandbox process $p ($(tr '\0' ' ' </proc/"$p"/cmdline)) outside the cgroup"
	done
	st=$(R events --stats cga 2>>"$SBX_ERR")
	[ "$(jq .data.memory.usage.limit <<<"$st")" = 268435456 ] || sbx_problem "events memory limit: $st"
	[ "$(jq .data.memory.usage.usage <<<"$st")" -gt 0 ] || sbx_problem "events memory usage: $st"
	[ "$(jq .data.pids.limit <<<"$st")" = 50 ] || sbx_problem "events pids limit: $st"
	[ "$(jq .data.pids.current <<<"$st")" -ge 4 ] || sbx_problem "events pids current: $st"
	echo '{"memory": {"limit": 134217728}, "pids": {"limit": 30}}' | R update --resources - cga 2>>"$SBX_ERR" ||
		sbx_problem "update --resources - failed"
	expect_file "$(memdir a)/$MEMF" 134217728
	expect_file "$(pidsdir a)/pids.max" 30
	R update --pids-limit 40 --memory 192m cga 2>>"$SBX_ERR" || sbx_problem "update flags failed"
	expect_file "$(pidsdir a)/pids.max" 40
	expect_file "$(memdir a)/$MEMF" 201326592
	R update --cpuset-cpus 0 cga 2>/dev/null && sbx_problem "update --cpuset-cpus succeeded"
	R delete --force cga 2>>"$SBX_ERR" || sbx_problem "delete failed"
	[ -d "$(memdir a)" ] && sbx_problem "$(memdir a) left behind"
	[ -d "$(pidsdir a)" ] && sbx_problem "$(pidsdir a) left behind"
	sbx_end
fi

# Each background sleep is a host stub process: pids.max bounds them.
bomb='i=0; while [ $i -lt 40 ]; do sleep 100 & i=$((i+1)); echo $i; done'
if begin cgroups/pids_limit_stops_fork_bomb; then
	bundle_with ".linux.cgroupsPath = \"/$PARENT/b\" | .linux.resources = {\"pids\": {\"limit\": 12}}" sh -c "$bomb"
	out=$(R run --bundle "$SBX_BUNDLE" cgb 2>"$SBX_ERR")
	last=$(tail -n 1 <<<"$out")
	[ -n "$last" ] && [ "$last" -lt 12 ] || sbx_problem "forks succeeded: '$last', pids.max 12"
	grep -qiE "can't fork|temporarily unavailable" "$SBX_ERR" || sbx_problem "no fork error: $(cat "$SBX_ERR")"
	[ -d "$(pidsdir b)" ] && sbx_problem "$(pidsdir b) left behind by run"
	: >"$SBX_ERR"
	# The same bomb without the limit: all 40.
	bundle_with ".linux.cgroupsPath = \"/$PARENT/b\" | .linux.resources = {\"pids\": {\"limit\": 1000}}" sh -c "$bomb"
	out=$(R run --bundle "$SBX_BUNDLE" cgb2 2>>"$SBX_ERR")
	[ "$(tail -n 1 <<<"$out")" = 40 ] || sbx_problem "without the limit: '$(tail -n 1 <<<"$out")'"
	sbx_end
fi

if begin cgroups/refused_paths_leave_nothing; then
	bundle_with '.linux.cgroupsPath = "system.slice:docker:abc"' true
	R create --bundle "$SBX_BUNDLE" cgc 2>"$SBX_ERR" && sbx_problem "systemd path accepted"
	grep -q "systemd form" "$SBX_ERR" || sbx_problem "error: $(cat "$SBX_ERR")"
	bundle_with ".linux.cgroupsPath = \"/$PARENT/c\" | .linux.resources = {\"cpu\": {\"cpus\": \"0\"}}" true
	R create --bundle "$SBX_BUNDLE" cgc 2>"$SBX_ERR" && sbx_problem "cpuset accepted"
	grep -q "cpusets are not supported" "$SBX_ERR" || sbx_problem "error: $(cat "$SBX_ERR")"
	[ -d "$(memdir c)" ] && sbx_problem "$(memdir c) left behind"
	: >"$SBX_ERR"
	sbx_end
fi

cleanup_parent
results_summary
