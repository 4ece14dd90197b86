#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# procfs and sysfs seen by busybox's tools: ps, top, free, uptime, the
# emulated kernel's identity, fds and magic links (/dev/stdout reopening
# a host file as Linux does), the mount table, writable and read-only
# sysctls, the CPU topology.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

if sbx_begin procfs/version cat /proc/version; then
	expect_rc 0
	expect_out "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016"
	sbx_end
fi

if sbx_begin procfs/sys_kernel_identity sh -c \
	'cat /proc/sys/kernel/osrelease /proc/sys/kernel/ostype /proc/sys/kernel/hostname'; then
	expect_rc 0
	expect_out "$(printf '4.4.0\nLinux\nsandbox')"
	sbx_end
fi

# ps reads /proc/PID/stat and cmdline: the shell (pid 1, waiting), a
# background sleep and ps itself (running). Busybox may run an applet
# through /proc/self/exe, whose comm is then "exe", as on Linux.
if sbx_begin procfs/ps sh -c 'sleep 30 &
	until grep -q "^State:.S" /proc/$!/status; do :; done
	ps -o pid,ppid,stat,comm,args; kill $!'; then
	expect_rc 0
	expect_out_re '^PID +PPID +STAT +COMMAND +COMMAND$'
	expect_out_re '^ +1 +0 +S +sh +sh -c sleep 30 &'
	expect_out_re '^ +[0-9]+ +1 +S +(sleep|exe) +(\{exe\} )?sleep 30$'
	expect_out_re '^ +[0-9]+ +1 +R +ps +'
	sbx_end
fi

if sbx_begin procfs/top sh -c 'top -bn1'; then
	expect_rc 0
	expect_out_re '^Mem: [0-9]+K used, [0-9]+K free, 0K shrd, 0K buff, 0K cached$'
	expect_out_re '^CPU: +[0-9]+% usr +[0-9]+% sys .*idle'
	expect_out_re '^Load average: 0\.00 0\.00 0\.00 [0-9]+/[0-9]+ [0-9]+$'
	expect_out_re '^ +1 +0 root +R .*top -bn1$'
	sbx_end
fi

# free takes totals from sysinfo(2) and the rest from /proc/meminfo: the
# two agree, and with MemAvailable and SReclaimable present there is no
# "-/+ buffers/cache" line.
if sbx_begin procfs/free sh -c 'free; grep MemTotal /proc/meminfo'; then
	expect_rc 0
	total=$(awk '/^MemTotal:/ {print $2}' "$SBX_OUT")
	expect_out_re "^Mem: +$total +[0-9]+ +[0-9]+ +0 +0 +[0-9]+$"
	expect_out_re '^Swap: +0 +0 +0$'
	grep -q 'buffers/cache' "$SBX_OUT" && sbx_problem "free fell back to the old format (meminfo incomplete)"
	sbx_end
fi

if sbx_begin procfs/uptime uptime; then
	expect_rc 0
	expect_out_re 'up +[0-9]+ min, +0 users, +load average: 0\.00, 0\.00, 0\.00$'
	sbx_end
fi

if sbx_begin procfs/ls_self_fd sh -c 'ls /proc/self/fd 2>/dev/null'; then
	expect_rc 0
	expect_out "$(printf '0\n1\n2\n3')"
	sbx_end
fi

if sbx_begin procfs/self_links sh -c \
	'readlink /proc/self/exe; cd /tmp && readlink /proc/self/cwd; readlink /proc/self/root;
	 readlink /proc/1/exe; cat /proc/1/cmdline | tr "\0" "|"; echo'; then
	expect_rc 0
	expect_out "$(printf '/bin/busybox\n/tmp\n/\n/bin/busybox\nsh|-c|readlink /proc/self/exe; cd /tmp && readlink /proc/self/cwd; readlink /proc/self/root;\n\t readlink /proc/1/exe; cat /proc/1/cmdline | tr "\\0" "|"; echo|')"
	sbx_end
fi

if sbx_begin procfs/mounts cat /proc/mounts; then
	expect_rc 0
	expect_out "$(printf '%s\n' \
		'overlay / overlay rw,relatime 0 0' \
		'tmpfs /dev tmpfs rw,nosuid,relatime,mode=755 0 0' \
		'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0' \
		'devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666 0 0' \
		'shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0' \
		'sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0' \
		'cgroup /sys/fs/cgroup cgroup2 ro,nosuid,nodev,noexec,relatime 0 0')"
	sbx_end
fi

if sbx_begin procfs/mountinfo cat /proc/self/mountinfo; then
	expect_rc 0
	expect_out_re '^1 1 0:[0-9]+ / / rw,relatime - overlay overlay rw$'
	expect_out_re '^[0-9]+ 1 0:[0-9]+ / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw$'
	expect_out_re '^[0-9]+ [0-9]+ 0:[0-9]+ / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup ro$'
	sbx_end
fi

# "> /dev/stdout" reopens the host file the sandbox's stdout is: a new
# open file description, truncated, with its own offset, exactly as on
# Linux (the shell's fd 1 then writes "three" at offset 4).
if sbx_begin procfs/dev_stdout_reopens_host_file sh -c 'echo one; echo two > /dev/stdout; echo three'; then
	expect_rc 0
	want=$(printf 'two\nthree\n' | od -c)
	got=$(od -c <"$SBX_OUT")
	[ "$got" = "$want" ] || sbx_problem "stdout bytes: expected $want, got $got"
	sbx_end
fi

printf 'line from the host\n' >"$SBX_WORK/stdin.txt"
SBX_STDIN=$SBX_WORK/stdin.txt
if sbx_begin procfs/dev_stdin_reopens_host_file sh -c 'cat /dev/stdin; cat /proc/self/fd/0'; then
	expect_rc 0
	expect_out "$(printf 'line from the host\nline from the host')"
	sbx_end
fi

if sbx_begin procfs/pipe_through_dev_stdin sh -c 'echo piped | cat /dev/stdin; ls -l /proc/self/fd/1 | sed "s/.*-> //"'; then
	expect_rc 0
	expect_out_re '^piped$'
	expect_out_re '^pipe:\[[0-9]+\]$'
	sbx_end
fi

# The UTS namespace's hostname is the container's to change; other
# sysctls are read-only even for root, and sysfs is mounted read-only.
if sbx_begin procfs/hostname_write sh -c 'echo renamed > /proc/sys/kernel/hostname; hostname; uname -n'; then
	expect_rc 0
	expect_out "$(printf 'renamed\nrenamed')"
	sbx_end
fi

if sbx_begin procfs/sysctl_read_only sh -c 'echo 1 > /proc/sys/vm/overcommit_memory'; then
	expect_rc 1
	expect_err_re 'permission denied'
	sbx_end
fi

if sbx_begin procfs/sysfs_read_only sh -c 'echo 1 > /sys/devices/system/cpu/online'; then
	expect_rc 1
	expect_err_re 'read-only file system'
	sbx_end
fi

if sbx_begin procfs/cpus sh -c 'nproc; cat /sys/devices/system/cpu/online; ls /sys/devices/system/cpu;
	grep -c ^processor /proc/cpuinfo'; then
	expect_rc 0
	expect_out "$(printf '1\n0\ncpu0\nonline\npossible\npresent\n1')"
	sbx_end
fi

if sbx_begin procfs/cgroup sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/cgroup.controllers; cat /sys/fs/cgroup/cgroup.procs'; then
	expect_rc 0
	expect_out_re '^0::/$'
	expect_out_re '^1$'
	sbx_end
fi

if sbx_begin procfs/comm_and_status sh -c 'echo -n renamed > /proc/self/comm; grep -E "^(Name|State|PPid):" /proc/self/status; true'; then
	expect_rc 0
	expect_out "$(printf 'Name:\tgrep\nState:\tR (running)\nPPid:\t1')"
	sbx_end
fi

results_summary
[ "$T_FAIL" -eq 0 ]
