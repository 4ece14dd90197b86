# Shared shell helpers for the test scripts (sourced, never run).
#
# Result protocol, as run-all.sh parses it: every test case prints exactly
# one line "ok NAME", "FAIL NAME" (details on the following indented lines)
# or "skip NAME: why".
# shellcheck shell=bash

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_ROOT=$(cd "$TESTS_DIR/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$SRC_ROOT/$BUILD ;; esac
SANDBOXRUN=${SANDBOXRUN:-$BUILD/sandboxrun}

# Every sandboxrun started by the tests carries this in its environment, so
# leftover processes can be told apart from other people's sandboxes.
SANDBOXRUN_TEST_TAG=${SANDBOXRUN_TEST_TAG:-sbxtest-$$-$RANDOM}
export SANDBOXRUN_TEST_TAG

# Counters of this script; callers may print them with results_summary.
T_PASS=0
T_FAIL=0
T_SKIP=0

t_ok() { echo "ok $1"; T_PASS=$((T_PASS + 1)); }
t_skip() { echo "skip $1: $2"; T_SKIP=$((T_SKIP + 1)); }
# t_fail NAME [detail...]: details are indented so they never look like a
# result line.
t_fail() {
	local name=$1
	shift
	echo "FAIL $name"
	local line
	for line in "$@"; do
		[ -n "$line" ] && printf '%s\n' "$line" | sed 's/^/    /'
	done
	T_FAIL=$((T_FAIL + 1))
}

sandboxrun_built() { [ -x "$SANDBOXRUN" ]; }

# The sandboxrun binary exists but is a link-time stub or otherwise unusable
# (e.g. a partial build): a trivial `spec` must work.
sandboxrun_usable() {
	sandboxrun_built || return 1
	local d rc
	d=$(mktemp -d) || return 1
	"$SANDBOXRUN" spec --bundle "$d" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 0 ] && [ -s "$d/config.json" ]
	rc=$?
	rm -rf "$d"
	return $rc
}

# Escapes a string for use inside a JSON string literal.
json_escape() {
	local s=$1 out="" c i code
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		'"') out+='\"' ;;
		\\) out+="\\\\" ;;
		$'\n') out+='\n' ;;
		$'\t') out+='\t' ;;
		$'\r') out+='\r' ;;
		$'\b') out+='\b' ;;
		$'\f') out+='\f' ;;
		*)
			printf -v code '%d' "'$c"
			if [ "$code" -ge 0 ] && [ "$code" -lt 32 ]; then
				printf -v c '\\u%04x' "$code"
			fi
			out+=$c
			;;
		esac
	done
	printf '%s' "$out"
}

# Prints the PIDs of sandboxrun processes (CLI, boot, gofer) started under
# this test tag or whose command line names PATHFRAG.
tagged_sandbox_pids() {
	local pathfrag=$1 pid cmd
	for pid in $(pgrep -f 'sandboxrun' 2>/dev/null); do
		[ "$pid" = "$$" ] && continue
		[ -r "/proc/$pid/cmdline" ] || continue
		cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
		case $cmd in
		*sandboxrun\ *) ;;
		*) continue ;;
		esac
		case $cmd in
		*pgrep*) continue ;;
		esac
		if [ -n "$pathfrag" ] && [[ $cmd == *"$pathfrag"* ]]; then
			echo "$pid"
		elif tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" |
			grep -qx "SANDBOXRUN_TEST_TAG=$SANDBOXRUN_TEST_TAG"; then
			echo "$pid"
		fi
	done
}

# leftovers ROOTDIR [PATHFRAG]: prints a description of what a finished run
# left behind (entries in the state dir, sandboxrun boot/gofer processes);
# prints nothing when clean. Gives exiting processes a moment to go.
leftovers() {
	local root=$1 pathfrag=${2:-} i pids entries
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(tagged_sandbox_pids "$pathfrag" | tr '\n' ' ')
		entries=""
		if [ -d "$root" ]; then
			entries=$(find "$root" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null)
		fi
		[ -z "$pids" ] && [ -z "$entries" ] && return 0
		sleep 0.1
	done
	[ -n "$entries" ] && echo "state dir $root not empty: $entries"
	if [ -n "$pids" ]; then
		local p
		for p in $pids; do
			echo "leftover process $p: $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"
		done
	fi
	return 0
}

# Kills leftover processes of this test tag (only ours, by pid).
kill_tagged_leftovers() {
	local pid
	for pid in $(tagged_sandbox_pids "${1:-}"); do
		kill -9 "$pid" 2>/dev/null
	done
}

results_summary() {
	echo "# $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
}

# ---------------------------------------------------------------------------
# Sandbox test cases (integration tests).
#
#   sbx_init                 temp work dir with a busybox bundle and a state dir
#   if sbx_begin NAME ARGS...; then expect_rc 0; expect_out hello; sbx_end; fi
#
# sbx_begin runs ARGS in the sandbox (config.json rewritten for ARGS by
# SBX_MKBUNDLE, default make-bundle.sh, or the
# contents of SBX_CONFIG when set or SBX_RAW=1) with the global options in SBX_OPTS, and
# records stdout/stderr/status. It returns 1 after printing a skip line when
# the sandbox cannot run at all. The expect_* helpers collect problems;
# sbx_end adds a check that nothing was left behind and prints the result.

SBX_TIMEOUT=${SBX_TIMEOUT:-60}
SBX_OPTS=()
SBX_CONFIG=""
SBX_STDIN=/dev/null

sbx_init() {
	SBX_WORK=$(mktemp -d /tmp/sbx-test.XXXXXX)
	SBX_BUNDLE=$SBX_WORK/bundle
	# shellcheck disable=SC2034 # used by the test scripts
	SBX_ROOTFS=$SBX_BUNDLE/rootfs
	SBX_STATE=$SBX_WORK/state
	mkdir -p "$SBX_STATE"
	SBX_SKIP=""
	if ! sandboxrun_built; then
		SBX_SKIP="$SANDBOXRUN not built"
	elif ! "$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" true >"$SBX_WORK/mkbundle.log" 2>&1; then
		SBX_SKIP="cannot build the busybox bundle: $(tail -n 1 "$SBX_WORK/mkbundle.log")"
	fi
	trap sbx_cleanup EXIT
}

sbx_cleanup() {
	kill_tagged_leftovers "$SBX_WORK"
	rm -rf "$SBX_WORK"
}

SBX_N=0
# sbx_exec ID ARGS...: one sandboxrun run, no verdict. Sets SBX_RC and the
# files SBX_OUT/SBX_ERR.
sbx_exec() {
	local id=$1
	shift
	if [ -n "$SBX_CONFIG" ] || [ "${SBX_RAW:-0}" = 1 ]; then
		printf '%s' "$SBX_CONFIG" >"$SBX_BUNDLE/config.json"
	else
		"${SBX_MKBUNDLE:-$TESTS_DIR/make-bundle.sh}" "$SBX_BUNDLE" "$@" >/dev/null
	fi
	SBX_N=$((SBX_N + 1))
	SBX_OUT=$SBX_WORK/out.$SBX_N
	SBX_ERR=$SBX_WORK/err.$SBX_N
	timeout -k 5 "$SBX_TIMEOUT" "$SANDBOXRUN" --root "$SBX_STATE" "${SBX_OPTS[@]}" \
		run --bundle "$SBX_BUNDLE" "$id" <"$SBX_STDIN" >"$SBX_OUT" 2>"$SBX_ERR"
	SBX_RC=$?
}

sbx_begin() {
	SBX_NAME=$1
	shift
	SBX_PROBLEMS=()
	if [ -n "$SBX_SKIP" ]; then
		t_skip "$SBX_NAME" "$SBX_SKIP"
		SBX_CONFIG=""
		SBX_RAW=0
		SBX_OPTS=()
		SBX_STDIN=/dev/null
		return 1
	fi
	sbx_exec "${SBX_ID:-t$$-$SBX_N}" "$@"
	return 0
}

sbx_problem() { SBX_PROBLEMS+=("$*"); }

expect_rc() {
	local note=""
	[ "$SBX_RC" = 124 ] && note=" (timed out after ${SBX_TIMEOUT}s)"
	[ "$SBX_RC" = "$1" ] || sbx_problem "exit status: expected $1, got $SBX_RC$note"
}
# Exact stdout (a trailing newline is implied, as with $(...)).
expect_out() {
	local got
	got=$(cat "$SBX_OUT")
	[ "$got" = "$1" ] || sbx_problem "stdout: expected '$1', got '$(head -c 500 "$SBX_OUT")'"
}
expect_out_re() {
	grep -qE -- "$1" "$SBX_OUT" || sbx_problem "stdout: no line matching /$1/ in '$(head -c 500 "$SBX_OUT")'"
}
expect_err_re() {
	grep -qiE -- "$1" "$SBX_ERR" || sbx_problem "stderr: no match for /$1/ in '$(head -c 500 "$SBX_ERR")'"
}
expect_err_nonempty() {
	[ -s "$SBX_ERR" ] || sbx_problem "stderr: expected an error message, got nothing"
}

sbx_end() {
	local left
	left=$(leftovers "$SBX_STATE" "$SBX_WORK")
	if [ -n "$left" ]; then
		sbx_problem "$left"
		kill_tagged_leftovers "$SBX_WORK"
		rm -rf "${SBX_STATE:?}"/*
	fi
	if [ ${#SBX_PROBLEMS[@]} -eq 0 ]; then
		t_ok "$SBX_NAME"
	else
		if [ -s "$SBX_ERR" ]; then
			SBX_PROBLEMS+=("stderr (last 10 lines):" "$(tail -n 10 "$SBX_ERR")")
		fi
		t_fail "$SBX_NAME" "${SBX_PROBLEMS[@]}"
	fi
	SBX_CONFIG=""
	SBX_RAW=0
	SBX_OPTS=()
	SBX_STDIN=/dev/null
}
