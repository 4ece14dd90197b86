/* The gofer's seccomp allowlist: exactly what the serve loop (and malloc
 * and logging under it) needs. docs/security.md explains each entry.
 *
 * Setting SANDBOXRUN_GOFER_SECCOMP=trap in the gofer's environment makes a
 * denied syscall report its number in the log before the gofer exits,
 * instead of a silent kill: the way to find a missing entry. It denies
 * exactly as much. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/sandbox.h"
#include "runsc/log.h"
#include "runsc/util.h"

#define MAX_WRITE_FDS 4
/* fchmodat2(2) (Linux 6.6), missing from older headers. */
#define NR_fchmodat2 452
/* openat flags the filter looks at: creation, and O_TMPFILE's own bit. */
#define OPEN_CHECKED (O_CREAT | O_EXCL | (O_TMPFILE & ~O_DIRECTORY))

static int trap_fds[MAX_WRITE_FDS];
static int trap_nfds;

/* Async-signal-safe: only write(2) to log fds and _exit, both allowed. */
static void sigsys_handler(int sig, siginfo_t *si, void *uc)
{
	char msg[64] = "gofer: seccomp denied syscall ";
	size_t len = strlen(msg);
	char digits[12];
	int n = 0;
	unsigned int nr = (unsigned int)si->si_syscall;

	do
		digits[n++] = (char)('0' + nr % 10);
	while ((nr /= 10) && n < (int)sizeof(digits));
	while (n)
		msg[len++] = digits[--n];
	msg[len++] = '\n';
	for (int i = 0; i < trap_nfds; i++)
		if (write(trap_fds[i], msg, len) < 0)
			continue;
	_exit(128 + SIGSYS);
}

static int allow(scmp_filter_ctx ctx, const char *name, int nr, unsigned int nargs,
		 const struct scmp_arg_cmp *arg)
{
	int ret = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, nargs, arg);
	if (ret < 0)
		log_error("seccomp rule for %s: %s", name, strerror(-ret));
	return ret;
}

/* ALLOW(name) or ALLOW(name, one argument comparison). */
#define ALLOW(name)                                                         \
	do {                                                                \
		ret = allow(ctx, #name, SCMP_SYS(name), 0, NULL);           \
		if (ret < 0)                                                \
			goto out;                                           \
	} while (0)
#define ALLOW_ARG(name, cmp)                                                \
	do {                                                                \
		const struct scmp_arg_cmp _c = cmp;                         \
		ret = allow(ctx, #name, SCMP_SYS(name), 1, &_c);            \
		if (ret < 0)                                                \
			goto out;                                           \
	} while (0)

int gofer_seccomp_install(int sock_fd, const int *write_fds, int nwrite_fds)
{
	const char *mode = getenv("SANDBOXRUN_GOFER_SECCOMP");
	bool trap = mode && !strcmp(mode, "trap");
	uint32_t deny = trap ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	int ret;

	if (nwrite_fds > MAX_WRITE_FDS)
		return -EINVAL;
	if (trap) {
		struct sigaction sa = { .sa_sigaction = sigsys_handler, .sa_flags = SA_SIGINFO };
		memcpy(trap_fds, write_fds, (size_t)nwrite_fds * sizeof(int));
		trap_nfds = nwrite_fds;
		if (sigaction(SIGSYS, &sa, NULL) < 0)
			return -errno;
	}

	ctx = seccomp_init(deny);
	if (!ctx)
		return -ENOMEM;
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (ret < 0)
		goto out;

	/* The protocol: only on the socket to the sentry. */
	ALLOW_ARG(recvmsg, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sock_fd));
	ALLOW_ARG(sendmsg, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sock_fd));
	/* WALK and OPEN/READDIR reopens, and CREATE: O_CREAT only with
	 * O_EXCL (a new file, never an existing one or a symlink's target),
	 * never O_TMPFILE. */
	ALLOW_ARG(openat, SCMP_A2(SCMP_CMP_MASKED_EQ, (scmp_datum_t)OPEN_CHECKED, 0));
	ALLOW_ARG(openat, SCMP_A2(SCMP_CMP_MASKED_EQ, (scmp_datum_t)OPEN_CHECKED,
				  (scmp_datum_t)(O_CREAT | O_EXCL)));
	ALLOW(newfstatat);
	ALLOW(fstat);
	ALLOW(readlinkat);
	ALLOW(getdents64);
	ALLOW(lseek);
	ALLOW(close);
	ALLOW_ARG(fcntl, SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC));
	ALLOW_ARG(fcntl, SCMP_A1(SCMP_CMP_EQ, F_SETFL));
	ALLOW_ARG(fcntl, SCMP_A1(SCMP_CMP_EQ, F_GETFL));
	/* Write operations, all relative to fds inside the served trees. */
	ALLOW(mkdirat);
	ALLOW(unlinkat);
	ALLOW(renameat2);
	ALLOW(linkat);
	ALLOW(symlinkat);
	/* MKNOD: FIFOs and sockets only, never device nodes. */
	ALLOW_ARG(mknodat, SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFIFO));
	ALLOW_ARG(mknodat, SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFSOCK));
	ALLOW(fchownat);
	ALLOW(fchmod);
	ALLOW(fchmodat);
	ret = allow(ctx, "fchmodat2", NR_fchmodat2, 0, NULL);
	if (ret < 0)
		goto out;
	ALLOW(utimensat);
	ALLOW(ftruncate);
	ALLOW(fsync);
	ALLOW(fdatasync);
	ALLOW(fstatfs);
	ALLOW(fgetxattr);
	ALLOW(fsetxattr);
	ALLOW(flistxattr);
	ALLOW(fremovexattr);
	/* xattrs of symlinks, FIFOs and sockets: by name, from their
	 * directory made the current one. */
	ALLOW(fchdir);
	ALLOW(lgetxattr);
	ALLOW(lsetxattr);
	ALLOW(llistxattr);
	ALLOW(lremovexattr);
	/* Logging: only to the log sinks. */
	for (int i = 0; i < nwrite_fds; i++)
		ALLOW_ARG(write, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)write_fds[i]));
	ALLOW(clock_gettime);
	ALLOW(gettimeofday);
	ALLOW(time);
	ALLOW(getpid);
	/* malloc; never executable memory. */
	ALLOW(brk);
	ALLOW_ARG(mmap, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	ALLOW_ARG(mprotect, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	ALLOW(munmap);
	ALLOW(mremap);
	ALLOW(madvise);
	/* Leaving. */
	ALLOW(exit_group);
	ALLOW(exit);
	ALLOW(rt_sigreturn);

	ret = seccomp_load(ctx);
	if (ret < 0)
		log_error("seccomp_load: %s", strerror(-ret));
out:
	seccomp_release(ctx);
	return ret;
}
