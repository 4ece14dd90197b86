#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# Terminals: process.terminal with runc's --console-socket protocol and in
# a foreground run (the CLI copies the pty to its own terminal), window
# size changes, ^C reaching the foreground job but not the shell, hangup,
# /dev/console and /dev/tty, and the older path where the workload's
# stdio is simply the user's terminal. Through the lifecycle verbs too:
# create --console-socket then start, and exec -t (a pty of the exec'd
# process's own, its host side to a console socket or copied by exec).
#
# tests/integration/console_recv.c plays the user: it receives the pty
# master as containerd would, or runs the CLI on a pty of its own as
# script(1) does, and types a script (see its header) waiting for output.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

RECV=$SBX_WORK/console_recv
if [ -z "$SBX_SKIP" ] &&
	! ${CC:-cc} -std=gnu11 -O1 -Wall -Wextra -Werror -o "$RECV" \
		"$TESTS_DIR/integration/console_recv.c" 2>"$SBX_WORK/cc.log"; then
	SBX_SKIP="cannot build console_recv: $(tail -n 3 "$SBX_WORK/cc.log")"
fi

terminal_bundle() {
	BUNDLE_TERMINAL=true "$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" "$@" >/dev/null
}

# tcase_begin NAME: 1 (after a skip line) when the sandbox cannot run.
tcase_begin() {
	SBX_NAME=$1
	SBX_PROBLEMS=()
	if [ -n "$SBX_SKIP" ]; then
		t_skip "$SBX_NAME" "$SBX_SKIP"
		return 1
	fi
	SBX_N=$((SBX_N + 1))
	SBX_OUT=$SBX_WORK/out.$SBX_N
	SBX_ERR=$SBX_WORK/err.$SBX_N
	return 0
}

# console_socket_run ID SCRIPT: `run --console-socket` with console_recv
# on the other end playing SCRIPT. Sets SBX_RC (run's), RECV_RC, and the
# files SBX_OUT (terminal output), RECV_ERR, SBX_ERR (run's stderr).
console_socket_run() {
	local id=$1 script=$2 sock=$SBX_WORK/console.sock recv_pid i
	RECV_ERR=$SBX_WORK/recv.$SBX_N
	rm -f "$sock"
	printf '%s\n' "$script" | timeout -k 5 "$SBX_TIMEOUT" "$RECV" listen "$sock" \
		>"$SBX_OUT" 2>"$RECV_ERR" &
	recv_pid=$!
	for i in $(seq 1 100); do
		[ -S "$sock" ] && break
		sleep 0.02
	done
	timeout -k 5 "$SBX_TIMEOUT" "$SANDBOXRUN" --root "$SBX_STATE" run --console-socket "$sock" \
		--bundle "$SBX_BUNDLE" "$id" </dev/null >"$SBX_WORK/run.out.$SBX_N" 2>"$SBX_ERR"
	SBX_RC=$?
	wait "$recv_pid"
	RECV_RC=$?
}

# spawn_run ID SCRIPT: a foreground `run` on console_recv's pty.
spawn_run() {
	local id=$1 script=$2
	RECV_ERR=$SBX_WORK/recv.$SBX_N
	printf '%s\n' "$script" | timeout -k 5 "$SBX_TIMEOUT" "$RECV" spawn \
		"$SANDBOXRUN" --root "$SBX_STATE" run --bundle "$SBX_BUNDLE" "$id" \
		>"$SBX_OUT" 2>"$RECV_ERR"
	RECV_RC=$?
	SBX_RC=$(sed -n 's/^status=//p' "$RECV_ERR")
}

expect_recv_ok() {
	[ "$RECV_RC" = 0 ] || sbx_problem "console_recv: exit $RECV_RC: $(grep -v '^status=' "$RECV_ERR" | tail -n 3)" \
		"terminal output: $(tr -d '\r' <"$SBX_OUT" | tail -n 15)"
}

tcase_end() {
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
		[ -s "$SBX_ERR" ] && SBX_PROBLEMS+=("run stderr: $(tail -n 5 "$SBX_ERR")")
		t_fail "$SBX_NAME" "${SBX_PROBLEMS[@]}"
	fi
}

# A client gets the master over the console socket, as runc hands it out,
# and drives an interactive shell with it.
if tcase_begin terminal/console_socket_shell; then
	terminal_bundle sh
	console_socket_run cs1 '@wait # 
echo h""i; test -t 0 && test -t 1 && echo std-tty
@wait std-tty
ls /dev/console /dev/pts/0 && echo "x" >/dev/tty && echo dev-ok
@wait dev-ok
echo "name=$(tty)"
@wait name=/dev/pts/0
exit 7'
	expect_rc 7
	expect_recv_ok
	grep -qx 'name=/dev/ptmx' "$RECV_ERR" || sbx_problem "payload: expected name=/dev/ptmx, got '$(head -n 1 "$RECV_ERR")'"
	grep -q '^hi' "$SBX_OUT" || sbx_problem "no 'hi' in the terminal output"
	tcase_end
fi

# The client resizes the master: the foreground job hears SIGWINCH and
# sees the size; ^C stops the job, not the shell.
if tcase_begin terminal/console_socket_resize_and_intr; then
	terminal_bundle sh
	console_socket_run cs2 '@wait # 
sh -c '\''trap "echo got-\$((1+1)); stty size; exit 5" WINCH; echo re""ady; while :; do sleep 0.1; done'\''
@wait ready
@resize 41 121
@wait got-2
@wait 41 121
echo rc=$?
@wait rc=5
sleep 10
@sleep 300
@ctrl C
echo after=$?
@wait after=130
exit 3'
	expect_rc 3
	expect_recv_ok
	tcase_end
fi

# The client closes the master: the terminal hangs up and the shell ends.
if tcase_begin terminal/console_socket_hangup; then
	terminal_bundle sh
	start=$(date +%s)
	console_socket_run cs3 '@wait # 
@close'
	[ "$SBX_RC" = 0 ] || [ "$SBX_RC" = 129 ] ||
		sbx_problem "exit status: expected 0 (end of input) or 129 (SIGHUP), got $SBX_RC"
	[ $(($(date +%s) - start)) -lt 20 ] || sbx_problem "the sandbox did not end with the terminal"
	tcase_end
fi

# consoleSize sets the size before the workload starts.
if tcase_begin terminal/console_size; then
	terminal_bundle sh -c 'stty size; test -t 0 && echo on-tty'
	sed -i 's/"terminal": true,/"terminal": true, "consoleSize": {"height": 11, "width": 22},/' \
		"$SBX_BUNDLE/config.json"
	console_socket_run cs4 '@wait on-tty'
	expect_rc 0
	expect_recv_ok
	grep -q '^11 22' "$SBX_OUT" || sbx_problem "stty size: expected '11 22', got '$(tr -d '\r' <"$SBX_OUT")'"
	tcase_end
fi

# runc refuses a console socket without a terminal, in its words.
if tcase_begin terminal/console_socket_needs_terminal; then
	"$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" true >/dev/null
	timeout -k 5 "$SBX_TIMEOUT" "$SANDBOXRUN" --root "$SBX_STATE" run --console-socket "$SBX_WORK/none.sock" \
		--bundle "$SBX_BUNDLE" cs5 </dev/null >/dev/null 2>"$SBX_ERR"
	SBX_RC=$?
	expect_rc 1
	expect_err_re 'cannot use console socket'
	SBX_ERR=/dev/null
	tcase_end
fi

# A foreground run on a terminal: the CLI copies, the user's terminal is
# raw (the sandbox's echoes, not the host's), its resizes reach the job.
if tcase_begin terminal/foreground_resize_and_intr; then
	terminal_bundle sh
	spawn_run fg1 '@wait # 
stty size
@wait 24 80
sh -c '\''trap "echo got-\$((1+1)); stty size; exit 5" WINCH; echo re""ady; while :; do sleep 0.1; done'\''
@wait ready
@resize 33 99
@wait got-2
@wait 33 99
sleep 10
@sleep 300
@ctrl C
echo after=$?
@wait after=130
exit 9'
	expect_rc 9
	expect_recv_ok
	tcase_end
fi

# The same under script(1), as a user would type it: ^C interrupts
# `sleep 10` but not the shell.
if tcase_begin terminal/foreground_under_script; then
	if ! command -v script >/dev/null; then
		t_skip "$SBX_NAME" "script(1) is not installed"
	else
		terminal_bundle sh
		start=$(date +%s)
		(
			sleep 1.5
			printf 'sleep 10\n'
			sleep 1.5
			printf '\003'
			sleep 0.5
			printf 'echo after=$?\n'
			sleep 0.5
			printf 'exit 4\n'
		) | timeout -k 5 "$SBX_TIMEOUT" script -qfec \
			"$SANDBOXRUN --root $SBX_STATE run --bundle $SBX_BUNDLE fg2" /dev/null >"$SBX_OUT" 2>"$SBX_ERR"
		SBX_RC=$?
		expect_rc 4
		tr -d '\r' <"$SBX_OUT" | grep -q '^after=130' ||
			sbx_problem "^C did not interrupt sleep: '$(tr -d '\r' <"$SBX_OUT" | tail -n 5)'"
		[ $(($(date +%s) - start)) -lt 10 ] || sbx_problem "sleep 10 ran to its end"
		tcase_end
	fi
fi

# Without process.terminal the workload's stdio is the user's terminal
# itself: still a controlling terminal (/dev/tty), no /dev/console.
if tcase_begin terminal/host_tty_stdio; then
	"$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" sh >/dev/null
	spawn_run ht1 '@wait # 
test -t 0 && echo "x" >/dev/tty && echo tty-ok
@wait tty-ok
test -e /dev/console || echo no-con""sole
@wait no-console
exit 6'
	expect_rc 6
	expect_recv_ok
	tcase_end
fi

R() { timeout -k 5 "$SBX_TIMEOUT" "$SANDBOXRUN" --root "$SBX_STATE" "$@"; }

# recv_start SOCKET SCRIPT: console_recv listening on SOCKET in the
# background, playing SCRIPT; recv_wait collects it (RECV_RC, RECV_ERR,
# output in RECV_OUT).
recv_start() {
	local sock=$1 script=$2 i
	RECV_N=$((${RECV_N:-0} + 1))
	RECV_OUT=$SBX_WORK/recv_out.$SBX_N.$RECV_N
	RECV_ERR=$SBX_WORK/recv.$SBX_N.$RECV_N
	rm -f "$sock"
	printf '%s\n' "$script" | timeout -k 5 "$SBX_TIMEOUT" "$RECV" listen "$sock" \
		>"$RECV_OUT" 2>"$RECV_ERR" &
	RECV_PID=$!
	for i in $(seq 1 100); do
		[ -S "$sock" ] && break
		sleep 0.02
	done
}
recv_wait() {
	wait "$RECV_PID"
	RECV_RC=$?
	cp "$RECV_OUT" "$SBX_OUT"
}

status_of() { R state "$1" 2>/dev/null | sed -n 's/^  "status": "\(.*\)",$/\1/p'; }

# create hands the master out before it returns (containerd takes it from
# the socket afterwards); init, held until start, then runs on the
# terminal; its end is the container's, as for run.
if tcase_begin terminal/create_console_socket_start; then
	terminal_bundle sh
	recv_start "$SBX_WORK/cr.sock" '@wait # 
echo "name=$(tty)"; test -c /dev/console && echo con""sole
@wait console
exit 4'
	R create --console-socket "$SBX_WORK/cr.sock" --pid-file "$SBX_WORK/cr.pid" \
		--bundle "$SBX_BUNDLE" cr1 2>>"$SBX_ERR" || sbx_problem "create failed"
	[ "$(status_of cr1)" = created ] || sbx_problem "state after create: '$(status_of cr1)'"
	sleep 0.3
	[ -s "$RECV_OUT" ] && sbx_problem "init wrote to the terminal before start: '$(head -c 100 "$RECV_OUT")'"
	R start cr1 2>>"$SBX_ERR" || sbx_problem "start failed"
	recv_wait
	expect_recv_ok
	tr -d '\r' <"$SBX_OUT" | grep -qx 'name=/dev/pts/0' || sbx_problem "init's terminal is not /dev/pts/0"
	for i in $(seq 1 100); do
		[ "$(status_of cr1)" = stopped ] && break
		sleep 0.05
	done
	[ "$(status_of cr1)" = stopped ] || sbx_problem "state after exit: '$(status_of cr1)'"
	[ "$(cat "$SBX_STATE/cr1/exit" 2>/dev/null)" = 1024 ] ||
		sbx_problem "exit file: expected 1024 (exit 4), got '$(cat "$SBX_STATE/cr1/exit" 2>/dev/null)'"
	R delete cr1 2>>"$SBX_ERR" || sbx_problem "delete failed"
	tcase_end
fi

# runc's rule: a detached terminal (create, run -d) needs a console socket.
if tcase_begin terminal/create_needs_console_socket; then
	terminal_bundle sh
	R create --bundle "$SBX_BUNDLE" cr2 </dev/null >/dev/null 2>"$SBX_ERR"
	SBX_RC=$?
	expect_rc 1
	expect_err_re 'cannot allocate tty if runc will detach without setting console socket'
	R run -d --bundle "$SBX_BUNDLE" cr3 </dev/null >/dev/null 2>"$SBX_ERR"
	SBX_RC=$?
	expect_rc 1
	expect_err_re 'cannot allocate tty if runc will detach without setting console socket'
	SBX_ERR=/dev/null
	tcase_end
fi

# exec -t --console-socket into a container without a terminal: the
# process gets a pty of its own (not /dev/console), the client resizes it
# (its watcher is forked by the confined sentry) and ^C reaches only the
# foreground job; exec exits with the shell's status, and the client sees
# the end of the terminal when the process is gone.
if tcase_begin terminal/exec_tty_console_socket; then
	"$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" sleep 1000 >/dev/null
	R run -d --bundle "$SBX_BUNDLE" ex1 </dev/null 2>>"$SBX_ERR" || sbx_problem "run -d failed"
	recv_start "$SBX_WORK/ex.sock" '@wait # 
echo "name=$(tty)"; test -e /dev/console || echo no-con""sole
@wait no-console
sh -c '\''trap "echo got-\$((1+1)); stty size; exit 5" WINCH; echo re""ady; while :; do sleep 0.1; done'\''
@wait ready
@resize 27 91
@wait got-2
@wait 27 91
sleep 10
@sleep 300
@ctrl C
echo after=$?
@wait after=130
exit 8'
	R exec -t --console-socket "$SBX_WORK/ex.sock" ex1 sh </dev/null >/dev/null 2>>"$SBX_ERR"
	SBX_RC=$?
	recv_wait
	expect_rc 8
	expect_recv_ok
	tr -d '\r' <"$SBX_OUT" | grep -qx 'name=/dev/pts/0' || sbx_problem "exec's terminal is not /dev/pts/0"
	# The pty went with its process: the next one gets the same number.
	recv_start "$SBX_WORK/ex.sock" '@wait pts'
	R exec -t --console-socket "$SBX_WORK/ex.sock" ex1 tty </dev/null >/dev/null 2>>"$SBX_ERR" ||
		sbx_problem "second exec -t failed"
	recv_wait
	expect_recv_ok
	tr -d '\r' <"$SBX_OUT" | grep -qx '/dev/pts/0' || sbx_problem "second exec: '$(tr -d '\r' <"$SBX_OUT")'"
	R delete -f ex1 2>>"$SBX_ERR" || sbx_problem "delete failed"
	tcase_end
fi

# Next to the container's own console: a detached exec whose process
# object asks for a terminal and a size gets the next pty; the waiter in
# --pid-file ends with the process.
if tcase_begin terminal/exec_process_terminal_detached; then
	terminal_bundle sh -c 'while :; do sleep 1; done'
	recv_start "$SBX_WORK/init.sock" '@sleep 100000'
	init_recv=$RECV_PID
	R run -d --console-socket "$SBX_WORK/init.sock" --bundle "$SBX_BUNDLE" ex2 </dev/null \
		2>>"$SBX_ERR" || sbx_problem "run -d --console-socket failed"
	cat >"$SBX_WORK/proc.json" <<'JSON'
{"terminal": true, "consoleSize": {"height": 12, "width": 34}, "args": ["sh"], "env": ["PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}
JSON
	recv_start "$SBX_WORK/ex2.sock" '@wait # 
echo "name=$(tty)"; stty size
@wait 12 34
exit 6'
	R exec -d --pid-file "$SBX_WORK/ex2.pid" --console-socket "$SBX_WORK/ex2.sock" \
		--process "$SBX_WORK/proc.json" ex2 </dev/null >/dev/null 2>>"$SBX_ERR" ||
		sbx_problem "exec -d --process failed"
	recv_wait
	expect_recv_ok
	tr -d '\r' <"$SBX_OUT" | grep -qx 'name=/dev/pts/1' || sbx_problem "exec's terminal is not /dev/pts/1"
	p=$(cat "$SBX_WORK/ex2.pid" 2>/dev/null)
	for i in $(seq 1 100); do
		kill -0 "$p" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)" != Z ] || break
		sleep 0.05
	done
	kill -0 "$p" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)" != Z ] &&
		sbx_problem "the exec -d waiter $p outlived its process"
	[ "$(status_of ex2)" = running ] || sbx_problem "the container's state: '$(status_of ex2)'"
	R delete -f ex2 2>>"$SBX_ERR" || sbx_problem "delete failed"
	wait "$init_recv"
	tcase_end
fi

# exec -t in the foreground without a socket: exec copies the pty to the
# user's terminal (raw) and passes its resizes on, as run does.
if tcase_begin terminal/exec_tty_foreground; then
	"$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" sleep 1000 >/dev/null
	R run -d --bundle "$SBX_BUNDLE" ex3 </dev/null 2>>"$SBX_ERR" || sbx_problem "run -d failed"
	RECV_ERR=$SBX_WORK/recv.$SBX_N
	printf '%s\n' '@wait # 
stty size
@wait 24 80
sh -c '\''trap "echo got-\$((1+1)); stty size; exit 5" WINCH; echo re""ady; while :; do sleep 0.1; done'\''
@wait ready
@resize 33 99
@wait got-2
@wait 33 99
exit 9' | timeout -k 5 "$SBX_TIMEOUT" "$RECV" spawn \
		"$SANDBOXRUN" --root "$SBX_STATE" exec -t ex3 sh >"$SBX_OUT" 2>"$RECV_ERR"
	RECV_RC=$?
	SBX_RC=$(sed -n 's/^status=//p' "$RECV_ERR")
	expect_rc 9
	expect_recv_ok
	R delete -f ex3 2>>"$SBX_ERR" || sbx_problem "delete failed"
	tcase_end
fi

results_summary
[ "$T_FAIL" -eq 0 ]
