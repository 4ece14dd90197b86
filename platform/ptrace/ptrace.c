/* The ptrace platform: each application thread is a stub thread under
 * PTRACE_SYSEMU, so its syscalls stop it before the host kernel runs them.
 * Stops are collected with waitpid(-1) when the SIGCHLD signalfd fires. */
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "platform/ptrace/ptrace_impl.h"
#include "runsc/log.h"
#include "runsc/util.h"

static size_t xsave_size(void)
{
	unsigned int eax, ebx, ecx, edx;
	if (__get_cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx) && ebx >= 512)
		return ebx;
	return 512; /* FXSAVE only */
}

static int ptrace_probe(void) { return 0; }

static int ptrace_init(struct platform **out, const struct platform_config *cfg)
{
	struct platform *p = xzalloc(sizeof(*p));
	p->memfd = cfg->memfd;
	p->cpu = cfg->cpu;
	p->fpstate_len = xsave_size();
	p->table_cap = 64;
	p->table = xzalloc(p->table_cap * sizeof(*p->table));
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	p->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (p->sigfd < 0) {
		int err = -errno;
		free(p->table);
		free(p);
		return err;
	}
	int err = stub_init(p);
	if (err < 0) {
		close(p->sigfd);
		free(p->table);
		free(p);
		return err;
	}
	*out = p;
	return 0;
}

static void ptrace_destroy(struct platform *p)
{
	if (!p)
		return;
	close(p->sigfd);
	free(p->table);
	free(p->vdso.image);
	free(p);
}

static int ptrace_event_fd(struct platform *p) { return p->sigfd; }

/* ---- pid -> context table ---- */

static size_t slot_of(struct platform *p, pid_t tid)
{
	size_t i = (size_t)tid * 2654435761u % p->table_cap;
	while (p->table[i] && p->table[i]->tid != tid)
		i = (i + 1) % p->table_cap;
	return i;
}

static void table_insert(struct platform *p, struct ptrace_ctx *c)
{
	if ((p->table_len + 1) * 2 > p->table_cap) {
		struct ptrace_ctx **old = p->table;
		size_t oldcap = p->table_cap;
		p->table_cap *= 2;
		p->table = xzalloc(p->table_cap * sizeof(*p->table));
		p->table_len = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i])
				table_insert(p, old[i]);
		free(old);
	}
	p->table[slot_of(p, c->tid)] = c;
	p->table_len++;
}

static void table_remove(struct platform *p, pid_t tid)
{
	size_t i = slot_of(p, tid);
	if (!p->table[i])
		return;
	p->table[i] = NULL;
	p->table_len--;
	/* Re-seat the rest of the cluster so lookups don't stop early. */
	for (size_t j = (i + 1) % p->table_cap; p->table[j]; j = (j + 1) % p->table_cap) {
		struct ptrace_ctx *c = p->table[j];
		p->table[j] = NULL;
		p->table[slot_of(p, c->tid)] = c;
	}
}

static struct ptrace_ctx *table_lookup(struct platform *p, pid_t tid)
{
	return p->table[slot_of(p, tid)];
}

/* ---- address spaces ---- */

static int ptrace_as_new(struct platform *p, struct platform_as **out)
{
	struct platform_as *as = xzalloc(sizeof(*as));
	as->p = p;
	int err = stub_spawn(p, &as->pid);
	if (err < 0) {
		free(as);
		return err;
	}
	*out = as;
	return 0;
}

static void as_add_ctx(struct platform_as *as, struct ptrace_ctx *c)
{
	if (as->nctxs == as->ctxs_cap) {
		as->ctxs_cap = as->ctxs_cap ? as->ctxs_cap * 2 : 4;
		as->ctxs = xrealloc(as->ctxs, (size_t)as->ctxs_cap * sizeof(*as->ctxs));
	}
	as->ctxs[as->nctxs++] = c;
}

static void as_del_ctx(struct platform_as *as, struct ptrace_ctx *c)
{
	for (int i = 0; i < as->nctxs; i++) {
		if (as->ctxs[i] == c) {
			as->ctxs[i] = as->ctxs[--as->nctxs];
			return;
		}
	}
}

static void ptrace_as_release(struct platform_as *as)
{
	pid_t *tids = xmalloc(sizeof(pid_t) * (size_t)(as->nctxs + 1));
	int n = 0;
	for (int i = 0; i < as->nctxs; i++) {
		/* Contexts die with their stub. */
		struct ptrace_ctx *c = as->ctxs[i];
		table_remove(as->p, c->tid);
		c->base.as = NULL;
		tids[n++] = c->tid;
	}
	as->nctxs = 0;
	if (!as->dead)
		stub_kill(as->pid, tids, n);
	free(tids);
	free(as->ctxs);
	free(as);
}

/* A stopped thread of the stub to run an injected syscall in: the parked
 * main thread, else any context not running. NULL if all are running. */
static pid_t as_stopped_thread(struct platform_as *as, struct ptrace_ctx **ctx)
{
	*ctx = NULL;
	if (!as->main_in_use)
		return as->pid;
	for (int i = 0; i < as->nctxs; i++) {
		if (!as->ctxs[i]->base.running) {
			*ctx = as->ctxs[i];
			return as->ctxs[i]->tid;
		}
	}
	return 0;
}

/* Memory changes are injected into a stopped thread of the stub; in
 * practice the thread making the syscall, which the sentry holds. */
static long as_inject(struct platform_as *as, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		      uint64_t a4, uint64_t a5, uint64_t a6, unsigned long *event_msg)
{
	if (as->dead)
		return -ESRCH;
	struct ptrace_ctx *c;
	pid_t tid = as_stopped_thread(as, &c);
	if (!tid) {
		/* Memory changes come from syscalls, whose thread is stopped;
		 * interrupting a running thread here could swallow its pending
		 * syscall stop, so refuse instead. */
		log_error("ptrace: address space of stub %d changed while all its threads run", as->pid);
		return -EBUSY;
	}
	long r = stub_syscall(as->p, tid, nr, a1, a2, a3, a4, a5, a6, event_msg);
	if (c)
		c->regs_clobbered = true;
	return r;
}

static int inject_result(long r)
{
	return (r < 0 && r > -4096) ? (int)r : 0;
}

static int ptrace_as_map(struct platform_as *as, uint64_t addr, uint64_t len, int prot, uint64_t off)
{
	return inject_result(as_inject(as, __NR_mmap, addr, len, (uint64_t)prot, MAP_SHARED | MAP_FIXED,
				       STUB_MEMFD, off, NULL));
}

static int ptrace_as_unmap(struct platform_as *as, uint64_t addr, uint64_t len)
{
	return inject_result(as_inject(as, __NR_munmap, addr, len, 0, 0, 0, 0, NULL));
}

static int ptrace_as_protect(struct platform_as *as, uint64_t addr, uint64_t len, int prot)
{
	return inject_result(as_inject(as, __NR_mprotect, addr, len, (uint64_t)prot, 0, 0, 0, NULL));
}

/* The stub's process CPU clocks (see clock_getcpuclockid(3)): SCHED is
 * precise total time, VIRT the tick-sampled user part. */
/* Shifted as unsigned: ~pid is negative, and shifting it is undefined. */
#define PROCESS_CPUCLOCK(pid, which) ((clockid_t)(~(unsigned int)(pid) << 3) | (which))
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2

static int ptrace_as_cpu_time(struct platform_as *as, uint64_t *user_ns, uint64_t *total_ns)
{
	struct timespec total, user;
	if (as->dead)
		return -ESRCH;
	if (clock_gettime(PROCESS_CPUCLOCK(as->pid, CPUCLOCK_SCHED), &total) < 0 ||
	    clock_gettime(PROCESS_CPUCLOCK(as->pid, CPUCLOCK_VIRT), &user) < 0)
		return -errno;
	*total_ns = (uint64_t)total.tv_sec * 1000000000 + (uint64_t)total.tv_nsec;
	*user_ns = MIN((uint64_t)user.tv_sec * 1000000000 + (uint64_t)user.tv_nsec, *total_ns);
	return 0;
}

/* ---- contexts ---- */

static struct ptrace_ctx *ctx_alloc(struct platform_as *as, pid_t tid)
{
	struct ptrace_ctx *c = xzalloc(sizeof(*c));
	c->base.as = as;
	c->tid = tid;
	c->base.fpstate_len = as->p->fpstate_len;
	c->base.fpstate = aligned_alloc(64, ALIGN_UP(c->base.fpstate_len, 64));
	memset(c->base.fpstate, 0, c->base.fpstate_len);
	c->regs_clobbered = true;
	return c;
}

static void ctx_free(struct ptrace_ctx *c)
{
	free(c->base.fpstate);
	free(c);
}

/* The first context of an address space is the stub's main thread; every
 * further one is a new stub thread, cloned by an injected clone(2). */
static int ptrace_ctx_new(struct platform_as *as, struct platform_context **out)
{
	if (as->dead)
		return -ESRCH;
	pid_t tid;
	if (!as->main_in_use) {
		tid = as->pid;
	} else {
		unsigned long newtid = 0;
		long r = as_inject(as, __NR_clone, STUB_THREAD_CLONE_FLAGS, 0, 0, 0, 0, 0, &newtid);
		if (r < 0 && r > -4096)
			return (int)r;
		if (!newtid)
			return -EAGAIN;
		tid = (pid_t)newtid;
		int err = stub_wait_new_thread(tid);
		if (err < 0)
			return err;
	}
	struct ptrace_ctx *c = ctx_alloc(as, tid);
	if (ptrace(PTRACE_GETREGS, c->tid, 0, &c->base.regs) < 0) {
		int err = -errno;
		if (tid != as->pid)
			stub_thread_exit(as->p, tid);
		ctx_free(c);
		return err;
	}
	if (tid == as->pid)
		as->main_in_use = true;
	as_add_ctx(as, c);
	table_insert(as->p, c);
	*out = &c->base;
	return 0;
}

static void ptrace_ctx_release(struct platform_context *ctx)
{
	struct ptrace_ctx *c = (struct ptrace_ctx *)ctx;
	struct platform_as *as = ctx->as;
	if (!as) {
		ctx_free(c);
		return;
	}
	table_remove(as->p, c->tid);
	as_del_ctx(as, c);
	if (!as->dead && ctx->running && stub_stop_sync(c->tid) < 0)
		as->dead = true;
	if (c->tid == as->pid) {
		/* The main thread stays, parked, for injections. */
		as->main_in_use = false;
	} else if (!as->dead) {
		int err = stub_thread_exit(as->p, c->tid);
		if (err < 0)
			log_warn("ptrace: thread %d did not exit: %s", c->tid, strerror(-err));
	}
	ctx_free(c);
}

static int ptrace_fetch_fp(struct platform_context *ctx)
{
	struct ptrace_ctx *c = (struct ptrace_ctx *)ctx;
	if (ctx->fp_valid)
		return 0;
	struct iovec iov = { ctx->fpstate, ctx->fpstate_len };
	if (ptrace(PTRACE_GETREGSET, c->tid, NT_X86_XSTATE, &iov) < 0)
		return -errno;
	ctx->fp_valid = true;
	return 0;
}

static int ptrace_ctx_resume(struct platform_context *ctx)
{
	struct ptrace_ctx *c = (struct ptrace_ctx *)ctx;
	if (!ctx->as || ctx->as->dead)
		return -ESRCH;
	if (ctx->regs_dirty || c->regs_clobbered) {
		if (ptrace(PTRACE_SETREGS, c->tid, 0, &ctx->regs) < 0)
			return -errno;
		ctx->regs_dirty = false;
		c->regs_clobbered = false;
	}
	if (ctx->fp_dirty) {
		struct iovec iov = { ctx->fpstate, ctx->fpstate_len };
		if (ptrace(PTRACE_SETREGSET, c->tid, NT_X86_XSTATE, &iov) < 0)
			return -errno;
		ctx->fp_dirty = false;
	}
	ctx->fp_valid = false;
	if (ptrace(PTRACE_SYSEMU, c->tid, 0, 0) < 0)
		return -errno;
	ctx->running = true;
	return 0;
}

static int ptrace_ctx_interrupt(struct platform_context *ctx)
{
	struct ptrace_ctx *c = (struct ptrace_ctx *)ctx;
	if (!ctx->running)
		return 0;
	if (ptrace(PTRACE_INTERRUPT, c->tid, 0, 0) < 0)
		return -errno;
	return 0;
}

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

static int ptrace_next_stop(struct platform *p, struct platform_context **out, struct platform_stop *stop)
{
	/* Drain in one read (SIGCHLD coalesces, so one entry is the usual
	 * case); waitpid below is the source of truth. */
	struct signalfd_siginfo ssi[8];
	if (read(p->sigfd, ssi, sizeof(ssi)) < 0 && errno != EAGAIN)
		return -errno;
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
		if (pid == 0)
			return 0;
		if (pid < 0)
			return errno == ECHILD ? 0 : -errno;
		struct ptrace_ctx *c = table_lookup(p, pid);
		if (!c)
			continue; /* a stub whose context is gone */
		memset(stop, 0, sizeof(*stop));
		c->base.running = false;
		*out = &c->base;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			stop->reason = PLATFORM_STOP_DIED;
			stop->status = status;
			/* Threads only exit on their own through our injection,
			 * which reaps them: this is the whole stub dying. */
			if (c->base.as)
				c->base.as->dead = true;
			table_remove(p, pid);
			return 1;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (ptrace(PTRACE_GETREGS, pid, 0, &c->base.regs) < 0)
			return -errno;
		c->regs_clobbered = false;
		int sig = WSTOPSIG(status);
		if (sig == (SIGTRAP | 0x80)) {
			stop->reason = PLATFORM_STOP_SYSCALL;
			return 1;
		}
		if ((status >> 16) == PTRACE_EVENT_STOP) {
			stop->reason = PLATFORM_STOP_INTERRUPT;
			return 1;
		}
		siginfo_t si;
		if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si) < 0)
			return -errno;
		if (is_fault_signal(sig) && (si.si_code > 0 || si.si_code == SI_KERNEL)) {
			stop->reason = PLATFORM_STOP_FAULT;
			stop->signo = sig;
			stop->si_code = si.si_code;
			stop->addr = (uint64_t)si.si_addr;
			stop->trapno = -1;
			return 1;
		}
		stop->reason = PLATFORM_STOP_SIGNAL;
		stop->signo = sig;
		return 1;
	}
}

const struct platform_ops platform_ptrace_ops = {
	.name = "ptrace",
	.probe = ptrace_probe,
	.init = ptrace_init,
	.destroy = ptrace_destroy,
	.event_fd = ptrace_event_fd,
	.as_new = ptrace_as_new,
	.as_release = ptrace_as_release,
	.as_map = ptrace_as_map,
	.as_unmap = ptrace_as_unmap,
	.as_protect = ptrace_as_protect,
	.as_cpu_time = ptrace_as_cpu_time,
	.ctx_new = ptrace_ctx_new,
	.ctx_release = ptrace_ctx_release,
	.ctx_resume = ptrace_ctx_resume,
	.ctx_interrupt = ptrace_ctx_interrupt,
	.ctx_fetch_fpstate = ptrace_fetch_fp,
	.next_stop = ptrace_next_stop,
	.vdso = stub_vdso_info,
};
