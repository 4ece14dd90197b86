#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# Busybox commands in the sandbox: output, exit statuses, the emulated
# identity (uname, pid 1, hostname, root), stdio passthrough.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

if sbx_begin busybox/echo echo hello; then
	expect_rc 0
	expect_out hello
	sbx_end
fi

if sbx_begin busybox/ls_root_count sh -c 'ls / | wc -l'; then
	want=$(find "$SBX_ROOTFS" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)
	expect_rc 0
	got=$(tr -d ' \n' <"$SBX_OUT")
	[ "$got" = "$want" ] || sbx_problem "ls / | wc -l: expected $want, got '$got'"
	sbx_end
fi

if sbx_begin busybox/ls_root_names ls /; then
	expect_rc 0
	expect_out "$(cd "$SBX_ROOTFS" && ls)"
	sbx_end
fi

if sbx_begin busybox/exit_7 sh -c 'exit 7'; then
	expect_rc 7
	expect_out ""
	sbx_end
fi

if sbx_begin busybox/exit_255 sh -c 'exit 255'; then
	expect_rc 255
	sbx_end
fi

if sbx_begin busybox/false false; then
	expect_rc 1
	sbx_end
fi

# The workload is the sandbox's init (pid 1 of its pid namespace). As in
# Linux, init gets no signal sent from inside its namespace that it has no
# handler for, not even SIGKILL: `kill -9 $$` is ignored
# (sig_task_ignored/SIGNAL_UNKILLABLE; same with runc).
if sbx_begin busybox/init_ignores_kill_9_self sh -c 'kill -9 $$; echo survived'; then
	expect_rc 0
	expect_out survived
	sbx_end
fi

# Any other process dies of it, with status 128+N as the shell reports it.
if sbx_begin busybox/child_kill_9_self sh -c 'sh -c "kill -9 \$\$"; echo $?'; then
	expect_rc 0
	expect_out 137
	sbx_end
fi

if sbx_begin busybox/child_kill_term_self sh -c 'sh -c "kill -TERM \$\$"; echo $?'; then
	expect_rc 0
	expect_out 143
	sbx_end
fi

# A signal from a fault is fatal even to init: the sandbox exits 128+N.
# Unbounded recursion in the shell overflows the stack: SIGSEGV, 139.
if sbx_begin busybox/init_killed_by_sigsegv sh -c 'f() { f; }; f'; then
	expect_rc 139
	sbx_end
fi

if sbx_begin busybox/missing_executable /nonexistent; then
	expect_rc 127
	expect_err_nonempty
	expect_err_re 'nonexistent'
	expect_out ""
	sbx_end
fi

if sbx_begin busybox/missing_in_path no-such-command-here; then
	expect_rc 127
	expect_err_nonempty
	sbx_end
fi

if sbx_begin busybox/uname_r uname -r; then
	expect_rc 0
	expect_out 4.4.0
	sbx_end
fi

if sbx_begin busybox/uname_s_m uname -s -m; then
	expect_rc 0
	expect_out "Linux x86_64"
	sbx_end
fi

if sbx_begin busybox/pid_1 sh -c 'echo $$'; then
	expect_rc 0
	expect_out 1
	sbx_end
fi

if sbx_begin busybox/pipeline sh -c 'echo a b c | wc -w'; then
	expect_rc 0
	got=$(tr -d ' \n' <"$SBX_OUT")
	[ "$got" = 3 ] || sbx_problem "echo a b c | wc -w: expected 3, got '$got'"
	sbx_end
fi

if sbx_begin busybox/long_pipeline sh -c 'seq 1 1000 | grep 7 | sort -rn | head -n 3'; then
	expect_rc 0
	expect_out "$(printf '997\n987\n979')"
	sbx_end
fi

if sbx_begin busybox/subshell_redirect sh -c '(echo x; echo y) > /dev/null; echo $?'; then
	expect_rc 0
	expect_out 0
	sbx_end
fi

if sbx_begin busybox/subshell_status sh -c '(exit 3); echo $?'; then
	expect_rc 0
	expect_out 3
	sbx_end
fi

if sbx_begin busybox/command_substitution sh -c 'x=$(echo inner); echo "got $x"'; then
	expect_rc 0
	expect_out "got inner"
	sbx_end
fi

if sbx_begin busybox/hostname hostname; then
	expect_rc 0
	expect_out sandbox
	sbx_end
fi

if sbx_begin busybox/id id; then
	expect_rc 0
	expect_out_re '^uid=0\(root\) gid=0\(root\)'
	sbx_end
fi

if sbx_begin busybox/env env; then
	expect_rc 0
	expect_out_re '^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$'
	sbx_end
fi

if sbx_begin busybox/cat_etc_hostname cat /etc/hostname; then
	expect_rc 0
	expect_out sandbox
	sbx_end
fi

if sbx_begin busybox/sleep sleep 0.1; then
	expect_rc 0
	sbx_end
fi

if sbx_begin busybox/grep_passwd sh -c 'grep root /etc/passwd'; then
	expect_rc 0
	expect_out "root:x:0:0:root:/root:/bin/sh"
	sbx_end
fi

if sbx_begin busybox/grep_no_match grep no-such-user /etc/passwd; then
	expect_rc 1
	expect_out ""
	sbx_end
fi

if sbx_begin busybox/cwd_and_cd sh -c 'pwd; cd /etc && pwd'; then
	expect_rc 0
	expect_out "$(printf '/\n/etc')"
	sbx_end
fi

if sbx_begin busybox/stderr_passthrough sh -c 'echo to-stderr >&2; echo to-stdout'; then
	expect_rc 0
	expect_out to-stdout
	expect_err_re '^to-stderr$'
	sbx_end
fi

printf 'line one\nline two\n' >"$SBX_WORK/stdin.txt"
SBX_STDIN=$SBX_WORK/stdin.txt
if sbx_begin busybox/stdin_passthrough cat; then
	expect_rc 0
	expect_out "$(printf 'line one\nline two')"
	sbx_end
fi

if sbx_begin busybox/background_job_wait sh -c 'sleep 0.05 & wait $!; echo waited $?'; then
	expect_rc 0
	expect_out "waited 0"
	sbx_end
fi

if sbx_begin busybox/args_with_spaces echo 'a  b' '"quoted"' "back\\slash"; then
	expect_rc 0
	expect_out 'a  b "quoted" back\slash'
	sbx_end
fi

results_summary
