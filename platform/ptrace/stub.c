/* Stub processes: the host processes application code runs in.
 *
 * A stub is forked from the sentry, seized with ptrace, confined with a
 * seccomp filter that allows only the memory syscalls the sentry injects,
 * and then stripped of every mapping except one page of code
 * ("syscall; int3") above the application's address range and the host
 * vDSO, which it moves up there too (vdso.c). The sentry
 * drives memory changes by pointing the stub at that page with the syscall
 * in its registers; application syscalls never reach the host because the
 * stub runs under PTRACE_SYSEMU. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/ptrace/ptrace_impl.h"
#include "runsc/log.h"
#include "runsc/util.h"

#define STUB_PAGE 4096ULL

static const uint8_t stub_code[] = { 0x0f, 0x05, /* syscall */ 0xcc /* int3 */ };

static int stub_page_map(struct platform *p)
{
	/* Any free page above the application range will do; the sentry's
	 * own stack and vdso live up there too, so probe. */
	for (uint64_t a = APP_MAX_ADDR; a + STUB_PAGE <= STUB_USER_TOP; a += 16ULL << 20) {
		void *m = mmap((void *)a, STUB_PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (m == MAP_FAILED)
			continue;
		memcpy(m, stub_code, sizeof(stub_code));
		if (mprotect(m, STUB_PAGE, PROT_READ | PROT_EXEC) < 0)
			return -errno;
		p->stub_addr = a;
		return 0;
	}
	return -ENOMEM;
}

static int stub_filter_build(struct platform *p)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	static const int allowed[] = { SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
				       SCMP_SYS(exit), SCMP_SYS(exit_group) };
	int err = 0;
	for (size_t i = 0; i < ARRAY_SIZE(allowed) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	/* New threads for the application's threads, with exactly our flags. */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_EQ, STUB_THREAD_CLONE_FLAGS));
	int pfd[2] = { -1, -1 };
	if (!err && pipe2(pfd, O_CLOEXEC) < 0)
		err = -errno;
	if (!err)
		err = seccomp_export_bpf(ctx, pfd[1]);
	seccomp_release(ctx);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (err) {
		if (pfd[0] >= 0)
			close(pfd[0]);
		return err;
	}
	char *buf = NULL;
	size_t len = 0;
	err = read_all_fd(pfd[0], &buf, &len);
	close(pfd[0]);
	if (err < 0)
		return err;
	struct sock_fprog *prog = xmalloc(sizeof(*prog));
	prog->len = (unsigned short)(len / sizeof(struct sock_filter));
	prog->filter = (struct sock_filter *)buf;
	p->stub_filter = prog;
	return 0;
}

int stub_init(struct platform *p)
{
	int err = stub_page_map(p);
	if (err < 0)
		return err;
	stub_vdso_init(p);
	return stub_filter_build(p);
}

/* Runs in the forked child; only async-signal-safe calls. */
static __attribute__((noreturn)) void stub_child(struct platform *p, int gate_fd)
{
	char c;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Wait until the sentry has seized us. */
	if (read(gate_fd, &c, 1) != 1)
		_exit(1);
	if (p->cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(p->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	if (p->memfd != STUB_MEMFD && dup2(p->memfd, STUB_MEMFD) < 0)
		_exit(1);
	close_range(0, STUB_MEMFD - 1, 0);
	close_range(STUB_MEMFD + 1, ~0U, 0);
	/* glibc registered an rseq area in the sentry's TLS, and fork keeps
	 * the registration: once the sentry image is unmapped the kernel would
	 * fault updating it on every return to user mode. */
	if (__rseq_size > 0)
		/* glibc registers sizeof(struct rseq); __rseq_size is the
		 * feature size, which may be smaller. */
		syscall(__NR_rseq, (char *)__builtin_thread_pointer() + __rseq_offset,
			(unsigned)sizeof(struct rseq), RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
	/* Checked at boot (stub_vdso_init): failing now is a broken host. */
	if (stub_vdso_relocate(p) < 0)
		_exit(1);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, p->stub_filter) < 0)
		_exit(1);
	/* Report to the tracer; it takes over from here. */
	__asm__ volatile("int3");
	_exit(1);
}

static int wait_stopped(pid_t pid, int *sig)
{
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, __WALL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (WIFSTOPPED(status)) {
			*sig = WSTOPSIG(status);
			return status;
		}
		return -ECHILD; /* exited or killed */
	}
}

int stub_wait_new_thread(pid_t tid)
{
	int sig;
	int st = wait_stopped(tid, &sig);
	return st < 0 ? st : 0;
}

int stub_stop_sync(pid_t tid)
{
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
		return -errno;
	int sig;
	int st = wait_stopped(tid, &sig);
	return st < 0 ? st : 0;
}

int stub_thread_exit(struct platform *p, pid_t tid)
{
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, tid, 0, &regs) < 0)
		return -errno;
	regs.rip = p->stub_addr;
	regs.rax = __NR_exit;
	regs.orig_rax = (uint64_t)-1;
	regs.rdi = 0;
	if (ptrace(PTRACE_SETREGS, tid, 0, &regs) < 0 || ptrace(PTRACE_CONT, tid, 0, 0) < 0)
		return -errno;
	for (;;) {
		int status;
		pid_t r = waitpid(tid, &status, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return 0;
		/* A stop on the way out (a queued interrupt): keep it going. */
		ptrace(PTRACE_CONT, tid, 0, 0);
	}
}

long stub_syscall(struct platform *p, pid_t pid, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		  uint64_t a4, uint64_t a5, uint64_t a6, unsigned long *event_msg)
{
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0)
		return -errno;
	regs.rip = p->stub_addr;
	regs.rax = (uint64_t)nr;
	regs.orig_rax = (uint64_t)-1; /* not inside a syscall: no restart games */
	regs.rdi = a1;
	regs.rsi = a2;
	regs.rdx = a3;
	regs.r10 = a4;
	regs.r8 = a5;
	regs.r9 = a6;
	if (ptrace(PTRACE_SETREGS, pid, 0, &regs) < 0)
		return -errno;
	if (ptrace(PTRACE_CONT, pid, 0, 0) < 0)
		return -errno;
	int sig;
	int st;
	for (;;) {
		st = wait_stopped(pid, &sig);
		if (st < 0)
			return st;
		if ((st >> 16) == 0)
			break;
		/* A ptrace event (the clone of a new thread) or a queued
		 * interrupt: note it and let the syscall finish. */
		if ((st >> 16) == PTRACE_EVENT_CLONE && event_msg)
			ptrace(PTRACE_GETEVENTMSG, pid, 0, event_msg);
		if (ptrace(PTRACE_CONT, pid, 0, 0) < 0)
			return -errno;
	}
	if (sig != SIGTRAP) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
		ptrace(PTRACE_GETREGS, pid, 0, &regs);
		log_error("stub %d: injected syscall %ld stopped with signal %d (code %d, addr %p, rip %#llx)",
			  pid, nr, sig, si.si_code, si.si_addr, regs.rip);
		return -EFAULT;
	}
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0)
		return -errno;
	return (long)regs.rax;
}

int stub_spawn(struct platform *p, pid_t *out)
{
	int gate[2];
	if (pipe2(gate, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(gate[0]);
		close(gate[1]);
		return err;
	}
	if (pid == 0)
		stub_child(p, gate[0]);
	close(gate[0]);
	int err = 0;
	if (ptrace(PTRACE_SEIZE, pid, 0,
		   PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE) < 0)
		err = -errno;
	if (write(gate[1], "g", 1) != 1 && !err)
		err = -EIO;
	close(gate[1]);
	if (err < 0) {
		stub_kill(pid, NULL, 0);
		return err;
	}
	int sig;
	int st = wait_stopped(pid, &sig);
	if (st < 0 || sig != SIGTRAP) {
		log_error("stub %d did not start (status %d, signal %d)", pid, st, sig);
		stub_kill(pid, NULL, 0);
		return st < 0 ? st : -EIO;
	}
	int perr = stub_vdso_patch(p, pid);
	if (perr < 0) {
		log_error("stub %d: patching the vDSO failed: %s", pid, strerror(-perr));
		stub_kill(pid, NULL, 0);
		return perr;
	}
	/* Strip the copy of the sentry: everything but the stub page and the
	 * vDSO goes. */
	uint64_t keep[2][2] = { { p->stub_addr, p->stub_addr + STUB_PAGE },
				{ p->vdso.addr, p->vdso.addr + p->vdso.len } };
	int nkeep = p->vdso.addr ? 2 : 1;
	if (nkeep == 2 && keep[1][0] < keep[0][0]) {
		uint64_t t0 = keep[0][0], t1 = keep[0][1];
		keep[0][0] = keep[1][0];
		keep[0][1] = keep[1][1];
		keep[1][0] = t0;
		keep[1][1] = t1;
	}
	long r = 0;
	uint64_t from = 0;
	for (int i = 0; i <= nkeep && r == 0; i++) {
		uint64_t to = i < nkeep ? keep[i][0] : STUB_USER_TOP;
		if (to > from)
			r = stub_syscall(p, pid, __NR_munmap, from, to - from, 0, 0, 0, 0, NULL);
		if (i < nkeep)
			from = keep[i][1];
	}
	if (r < 0) {
		log_error("stub %d: unmapping the sentry image failed: %s", pid, strerror((int)-r));
		stub_kill(pid, NULL, 0);
		return (int)r;
	}
	*out = pid;
	return 0;
}

static void reap(pid_t pid)
{
	for (;;) {
		int status;
		pid_t r = waitpid(pid, &status, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status))
			break;
	}
}

void stub_kill(pid_t pid, const pid_t *threads, int nthreads)
{
	kill(pid, SIGKILL);
	/* Traced threads must be reaped before the leader's exit is
	 * reported to us. */
	for (int i = 0; i < nthreads; i++)
		if (threads[i] != pid)
			reap(threads[i]);
	reap(pid);
}
