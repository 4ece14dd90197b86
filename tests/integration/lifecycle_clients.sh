#!/bin/bash
# The parts of runc's contract that the real clients (tests/integration/
# clients/) showed to matter, checked through the CLI alone so that they
# run where no client is installed:
#  - create --console-socket returns with its stdout/stderr closed by
#    everything it started: containerd's shim collects create's output
#    until end of file, so a sandbox holding it hangs `ctr run -t`;
#  - a process that cannot start is reported in Go's (runc's) words, which
#    Docker matches to pick its exit code: "no such file or directory"
#    (127), "executable file not found" (127), "permission denied" (126);
#  - delete --force of a container that does not exist succeeds silently
#    (the shim's cleanup force-deletes whatever may be left).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

R() { timeout -k 5 30 "$SANDBOXRUN" --root "$SBX_STATE" "$@"; }

begin() {
	SBX_NAME=$1
	SBX_PROBLEMS=()
	SBX_OUT=$SBX_WORK/${1//\//_}.out
	SBX_ERR=$SBX_WORK/${1//\//_}.err
	: >"$SBX_OUT"
	: >"$SBX_ERR"
	if [ -n "$SBX_SKIP" ]; then
		t_skip "$1" "$SBX_SKIP"
		return 1
	fi
}

RECV=$SBX_WORK/console_recv
if [ -z "$SBX_SKIP" ] &&
	! ${CC:-cc} -std=gnu11 -O1 -Wall -Wextra -Werror -o "$RECV" \
		"$TESTS_DIR/integration/console_recv.c" 2>"$SBX_WORK/cc.log"; then
	SBX_SKIP="cannot build console_recv: $(tail -n 3 "$SBX_WORK/cc.log")"
fi

if begin clients/create_console_socket_releases_stdio; then
	BUNDLE_TERMINAL=true "$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" sh -c 'echo up; sleep 100' >/dev/null
	sock=$SBX_WORK/cs.sock
	echo '@wait never' | timeout -k 5 40 "$RECV" listen "$sock" >/dev/null 2>&1 &
	recv_pid=$!
	for i in $(seq 1 100); do
		[ -S "$sock" ] && break
		sleep 0.02
	done
	# The pipe's reader sees its end only when every writer is gone.
	start=$(date +%s)
	timeout -k 2 15 bash -c '"$@" 2>&1 | cat' _ "$SANDBOXRUN" --root "$SBX_STATE" \
		--log "$SBX_WORK/cs.log" --log-format json create --console-socket "$sock" \
		--pid-file "$SBX_WORK/cs.pid" --bundle "$SBX_BUNDLE" cs1 >"$SBX_OUT"
	rc=$?
	[ $rc = 0 ] || sbx_problem "create | cat: exit $rc after $(($(date +%s) - start)) s" \
		"(124: the sandbox kept create's stdout/stderr open)"
	[ -s "$SBX_OUT" ] && sbx_problem "create printed: $(head -c 300 "$SBX_OUT")"
	R start cs1 2>>"$SBX_ERR" || sbx_problem "start failed"
	R delete --force cs1 2>>"$SBX_ERR" || sbx_problem "delete --force failed"
	kill "$recv_pid" 2>/dev/null
	wait "$recv_pid" 2>/dev/null
	sbx_end
fi

if begin clients/delete_force_missing; then
	R delete --force no-such-container >"$SBX_OUT" 2>"$SBX_ERR"
	rc=$?
	[ $rc = 0 ] || sbx_problem "delete --force of a missing container: exit $rc"
	[ -s "$SBX_ERR" ] && sbx_problem "delete --force said: $(head -c 300 "$SBX_ERR")"
	R delete no-such-container >/dev/null 2>"$SBX_ERR"
	rc=$?
	[ $rc = 1 ] || sbx_problem "delete of a missing container: exit $rc, expected 1"
	grep -q 'does not exist' "$SBX_ERR" || sbx_problem "delete of a missing container said '$(head -c 300 "$SBX_ERR")'"
	: >"$SBX_ERR"
	sbx_end
fi

# start_error NAME ARGS...: run ARGS; its stderr must match REGEX
# (case-sensitive, as Docker matches it).
start_error() {
	local want=$1
	shift
	"$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" "$@" >/dev/null
	R run --bundle "$SBX_BUNDLE" "se$$" </dev/null >/dev/null 2>"$SBX_ERR"
	grep -q -- "$want" "$SBX_ERR" || sbx_problem "run $*: stderr '$(head -c 300 "$SBX_ERR")' lacks '$want'"
}

if begin clients/start_error_wording; then
	start_error 'exec: "/no/such": stat /no/such: no such file or directory' /no/such
	# shellcheck disable=SC2016 # a literal $PATH, as runc prints it
	start_error 'exec: "nosuch": executable file not found in $PATH' nosuch
	start_error 'exec: "/etc/passwd": permission denied' /etc/passwd
	: >"$SBX_ERR"
	sbx_end
fi

results_summary
