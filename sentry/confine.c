/* The sentry confines itself before any workload code runs: an empty
 * root, no capabilities, and a seccomp allowlist of the host syscalls it
 * needs to emulate Linux (see docs/security.md for why each is there). */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/boot.h"

int sentry_pivot_to_empty_root(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	/* Any existing directory serves as the mount point: the tmpfs hides
	 * it, and only this namespace sees the change. */
	static const char dir[] = "/tmp";
	if (mount("sandboxrun-sentry", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0500") < 0)
		return -errno;
	if (chdir(dir) < 0)
		return -errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -errno;
	if (umount2(".", MNT_DETACH) < 0)
		return -errno;
	if (chdir("/") < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	return 0;
}

int sentry_drop_privileges(void)
{
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int sentry_install_seccomp(void)
{
	/* Unlisted syscalls kill the whole sentry: a compromised sentry must
	 * not get further, and a crash is reported by the CLI. */
#if defined(__SANITIZE_ADDRESS__)
	/* Sanitizer builds only (make asan): the runtime opens and reads
	 * /proc around fork and on reports, so unlisted calls are logged
	 * (audit) instead of fatal. `make test` runs the real policy. */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_LOG);
#else
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
#endif
	if (!ctx)
		return -ENOMEM;
	static const int allowed[] = {
		/* host fds it holds: stdio, gofer socket, donated files, memfd */
		SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(pread64), SCMP_SYS(pwrite64),
		SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(close), SCMP_SYS(fstat),
		SCMP_SYS(newfstatat), SCMP_SYS(lseek), SCMP_SYS(fcntl), SCMP_SYS(ppoll),
		SCMP_SYS(poll), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg), SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(ftruncate),
		/* the control socket (sentry/control.c) */
		SCMP_SYS(accept4),
		SCMP_SYS(fallocate), SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(getdents64),
		/* its own memory */
		SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(mremap),
		SCMP_SYS(brk), SCMP_SYS(madvise), SCMP_SYS(mincore), SCMP_SYS(msync),
		/* signals: signalfd reads, crash handler */
		SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
		SCMP_SYS(sigaltstack), SCMP_SYS(kill), SCMP_SYS(tgkill), SCMP_SYS(getpid),
		SCMP_SYS(gettid),
		/* the ptrace platform: stub processes */
		SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(clone), SCMP_SYS(pipe2),
		SCMP_SYS(set_robust_list), SCMP_SYS(prctl), SCMP_SYS(sched_setaffinity),
		SCMP_SYS(dup2), SCMP_SYS(close_range), SCMP_SYS(rseq),
		/* time and randomness for emulation */
		SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday),
		SCMP_SYS(getrandom), SCMP_SYS(getcpu), SCMP_SYS(sched_yield), SCMP_SYS(futex),
		SCMP_SYS(exit), SCMP_SYS(exit_group),
		/* a console's watcher, forked for exec -t (tty_console.c) */
		SCMP_SYS(setsid), SCMP_SYS(getppid), SCMP_SYS(rt_sigtimedwait),
	};
	int err = 0;
	for (size_t i = 0; i < ARRAY_SIZE(allowed) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	/* ioctl only for the terminal requests forwarded to host ttys. */
	static const unsigned long ioctls[] = { TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ,
						 TIOCSWINSZ, FIONREAD, TIOCGPGRP };
	for (size_t i = 0; i < ARRAY_SIZE(ioctls) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_EQ, ioctls[i]));
	/* The watcher takes its host terminal as its controlling one; never
	 * by force (arg 1, stealing it from another session). */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
				       SCMP_A1(SCMP_CMP_EQ, TIOCSCTTY), SCMP_A2(SCMP_CMP_EQ, 0));
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}
