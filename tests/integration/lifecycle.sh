#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# Container lifecycle around `run`: the state dir (--root) is empty again
# afterwards, no sandboxrun boot/gofer process survives, an ID can be reused
# right away, debug logging and --strace do not disturb the workload.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

SBX_ID=reused-id
if sbx_begin lifecycle/same_id_first echo first; then
	expect_rc 0
	expect_out first
	sbx_end
fi
if sbx_begin lifecycle/same_id_second echo second; then
	expect_rc 0
	expect_out second
	sbx_end
fi
if sbx_begin lifecycle/same_id_after_failure sh -c 'exit 3'; then
	expect_rc 3
	sbx_end
fi
if sbx_begin lifecycle/same_id_after_crash sh -c 'f() { f; }; f'; then
	expect_rc 139
	sbx_end
fi
if sbx_begin lifecycle/same_id_after_missing_exe /nonexistent; then
	expect_rc 127
	sbx_end
fi
if sbx_begin lifecycle/same_id_still_works true; then
	expect_rc 0
	sbx_end
fi
unset SBX_ID

# Background processes still running when init exits are killed with the
# sandbox: nothing may outlive `run`.
if sbx_begin lifecycle/orphans_killed sh -c 'sleep 1000 & sleep 1000 & echo started'; then
	expect_rc 0
	expect_out started
	sbx_end
fi

# The state dir is created if missing.
if [ -z "$SBX_SKIP" ]; then
	rmdir "$SBX_STATE"
fi
if sbx_begin lifecycle/state_dir_created true; then
	expect_rc 0
	[ -d "$SBX_STATE" ] || sbx_problem "--root $SBX_STATE was not created"
	sbx_end
fi
mkdir -p "$SBX_STATE"

# A second run with the same ID while the first is still running fails
# (exit 1, the ID named) and does not disturb the first.
if [ -n "$SBX_SKIP" ]; then
	t_skip lifecycle/id_in_use "$SBX_SKIP"
else
	SBX_NAME=lifecycle/id_in_use
	SBX_PROBLEMS=()
	"$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" sh -c 'sleep 1; echo first-done' >/dev/null
	timeout -k 5 "$SBX_TIMEOUT" "$SANDBOXRUN" --root "$SBX_STATE" run --bundle "$SBX_BUNDLE" busy-id \
		</dev/null >"$SBX_WORK/first.out" 2>"$SBX_WORK/first.err" &
	first=$!
	# Wait until the first run registered its state.
	for _ in $(seq 1 50); do
		[ -n "$(find "$SBX_STATE" -mindepth 1 -maxdepth 1 2>/dev/null)" ] && break
		sleep 0.02
	done
	SBX_OUT=$SBX_WORK/second.out
	SBX_ERR=$SBX_WORK/second.err
	timeout -k 5 "$SBX_TIMEOUT" "$SANDBOXRUN" --root "$SBX_STATE" run --bundle "$SBX_BUNDLE" busy-id \
		</dev/null >"$SBX_OUT" 2>"$SBX_ERR"
	SBX_RC=$?
	expect_rc 1
	expect_err_re 'busy-id'
	wait "$first"
	rc=$?
	[ "$rc" = 0 ] || sbx_problem "first run: exit $rc"
	grep -qx first-done "$SBX_WORK/first.out" || sbx_problem "first run: output '$(cat "$SBX_WORK/first.out")'"
	sbx_end
fi

# Debug log and --strace: the workload's output is unchanged, the debug log
# gets the trace.
DBG=$SBX_WORK/debug.log
SBX_OPTS=(--debug-log "$DBG" --strace)
if sbx_begin lifecycle/strace_debug_log sh -c 'echo traced; exit 4'; then
	expect_rc 4
	expect_out traced
	if [ ! -s "$DBG" ]; then
		sbx_problem "--debug-log: empty"
	elif ! grep -qE 'write|execve' "$DBG"; then
		sbx_problem "--strace: no syscall names in the debug log"
	fi
	sbx_end
fi

# `spec` writes the default config.json: args ["sh"], terminal true.
if [ -n "$SBX_SKIP" ]; then
	t_skip lifecycle/spec "$SBX_SKIP"
else
	SBX_NAME=lifecycle/spec
	SBX_PROBLEMS=()
	SBX_OUT=$SBX_WORK/spec.out
	SBX_ERR=$SBX_WORK/spec.err
	d=$SBX_WORK/spec-bundle
	mkdir -p "$d"
	"$SANDBOXRUN" spec --bundle "$d" >"$SBX_OUT" 2>"$SBX_ERR"
	SBX_RC=$?
	expect_rc 0
	if [ ! -s "$d/config.json" ]; then
		sbx_problem "spec: no $d/config.json"
	elif command -v jq >/dev/null 2>&1; then
		[ "$(jq -c .process.args "$d/config.json")" = '["sh"]' ] ||
			sbx_problem "spec: process.args is $(jq -c .process.args "$d/config.json")"
		[ "$(jq -c .process.terminal "$d/config.json")" = true ] ||
			sbx_problem "spec: process.terminal is not true"
		[ "$(jq -r .root.path "$d/config.json")" = rootfs ] ||
			sbx_problem "spec: root.path is not rootfs"
	else
		grep -q '"sh"' "$d/config.json" || sbx_problem "spec: no \"sh\" in args"
	fi
	sbx_end
fi

results_summary
