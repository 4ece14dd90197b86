/* signalfd (Linux fs/signalfd.c).
 *
 * Readiness depends on who asks: the pending signals of the reading (or
 * polling) task and of its process. Linux wakes the readers through a
 * queue of the signal handlers' struct; here one global queue is woken on
 * every generated signal, and woken readers simply look again. That costs
 * a spurious re-check for readers of other processes, and an
 * edge-triggered epoll watcher of a signalfd may see an extra event when
 * another process gets a signal while a signal of this one is still
 * pending; nothing is ever missed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

#include "runsc/util.h"
#include "sentry/fs/anon_inode.h"
#include "sentry/fs/signalfd.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/signal_internal.h"
#include "sentry/vfs.h"

_Static_assert(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo size");

struct signalfd_ctx {
	ksigset_t mask;
	pid_t creator;   /* who a poll without a task is about */
};

static const struct file_ops signalfd_fops;

/* siginfo_layout() of Linux's kernel/signal.c, for the layouts signalfd
 * distinguishes. */
enum sil { SIL_KILL, SIL_TIMER, SIL_POLL, SIL_FAULT, SIL_FAULT_MCEERR, SIL_CHLD, SIL_RT, SIL_SYS };

static enum sil siginfo_layout(int sig, int code)
{
	static const struct { int limit; enum sil layout; } sicodes[] = {
		[SIGILL] = { 11, SIL_FAULT },  [SIGFPE] = { 15, SIL_FAULT },
		[SIGSEGV] = { 10, SIL_FAULT }, [SIGBUS] = { 5, SIL_FAULT },
		[SIGTRAP] = { 6, SIL_FAULT },  [SIGCHLD] = { 6, SIL_CHLD },
		[SIGSYS] = { 2, SIL_SYS },
	};

	if (code > SI_USER && code < 0x80 /* SI_KERNEL */) {
		if (sig > 0 && (size_t)sig < ARRAY_SIZE(sicodes) && sicodes[sig].limit &&
		    code <= sicodes[sig].limit) {
			if (sig == SIGBUS && (code == BUS_MCEERR_AR || code == BUS_MCEERR_AO))
				return SIL_FAULT_MCEERR;
			return sicodes[sig].layout;
		}
		if (code <= 6 /* NSIGPOLL */)
			return SIL_POLL;
		return SIL_KILL;
	}
	if (code == SI_TIMER)
		return SIL_TIMER;
	if (code == SI_SIGIO)
		return SIL_POLL;
	if (code < 0)
		return SIL_RT;
	return SIL_KILL;
}

/* signalfd_copyinfo(): unused fields are zero. */
static void copyinfo(struct signalfd_siginfo *n, const siginfo_t *k)
{
	memset(n, 0, sizeof(*n));
	n->ssi_signo = (uint32_t)k->si_signo;
	n->ssi_errno = k->si_errno;
	n->ssi_code = k->si_code;
	switch (siginfo_layout(k->si_signo, k->si_code)) {
	case SIL_KILL:
		n->ssi_pid = (uint32_t)k->si_pid;
		n->ssi_uid = k->si_uid;
		break;
	case SIL_TIMER:
		n->ssi_tid = (uint32_t)k->si_timerid;
		n->ssi_overrun = (uint32_t)k->si_overrun;
		n->ssi_ptr = (uint64_t)(uintptr_t)k->si_ptr;
		n->ssi_int = k->si_int;
		break;
	case SIL_POLL:
		n->ssi_band = (uint32_t)k->si_band;
		n->ssi_fd = k->si_fd;
		break;
	case SIL_FAULT:
		n->ssi_addr = (uint64_t)(uintptr_t)k->si_addr;
		break;
	case SIL_FAULT_MCEERR:
		n->ssi_addr = (uint64_t)(uintptr_t)k->si_addr;
		n->ssi_addr_lsb = (uint16_t)k->si_addr_lsb;
		break;
	case SIL_CHLD:
		n->ssi_pid = (uint32_t)k->si_pid;
		n->ssi_uid = k->si_uid;
		n->ssi_status = k->si_status;
		n->ssi_utime = (uint64_t)k->si_utime;
		n->ssi_stime = (uint64_t)k->si_stime;
		break;
	case SIL_RT:
		n->ssi_pid = (uint32_t)k->si_pid;
		n->ssi_uid = k->si_uid;
		n->ssi_ptr = (uint64_t)(uintptr_t)k->si_ptr;
		n->ssi_int = k->si_int;
		break;
	case SIL_SYS:
		n->ssi_call_addr = (uint64_t)(uintptr_t)k->si_call_addr;
		n->ssi_syscall = k->si_syscall;
		n->ssi_arch = k->si_arch;
		break;
	}
}

/* Reads as many signals as fit, blocking only for the first. */
static ssize_t signalfd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct signalfd_ctx *ctx = f->priv;
	size_t count = len / sizeof(struct signalfd_siginfo), n = 0;
	siginfo_t info;

	if (!count)
		return -EINVAL;
	while (n < count && signal_dequeue(t, ctx->mask, &info)) {
		struct signalfd_siginfo ssi;
		copyinfo(&ssi, &info);
		memcpy((char *)buf + n * sizeof(ssi), &ssi, sizeof(ssi));
		n++;
	}
	if (n)
		return (ssize_t)(n * sizeof(struct signalfd_siginfo));
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (signal_pending(t))
		return -ERESTARTSYS;
	task_wait_on(t, &signalfd_wqh);
	return -EBLOCKED;
}

static unsigned int signalfd_poll(struct file *f, struct task *t, unsigned int events)
{
	struct signalfd_ctx *ctx = f->priv;
	/* A poll that only looks (it already found another file ready) is
	 * still about the task in the syscall; outside any, the creator's
	 * view, as signalfds are nearly always read by their creator. */
	struct task *who = t ? t : kernel->current ? kernel->current : pid_lookup(ctx->creator);
	unsigned int mask = 0;

	if (who && who->state != TASK_DEAD &&
	    ((who->pending.mask | who->tg->shared_pending.mask) & ctx->mask))
		mask = POLLIN | POLLRDNORM;
	if (t && !(mask & events))
		task_wait_on(t, &signalfd_wqh);
	return mask;
}

static void signalfd_release(struct file *f)
{
	free(f->priv);
}

static int signalfd_dname(struct file *f, char *buf, size_t len)
{
	return snprintf(buf, len, "anon_inode:[signalfd]");
}

static const struct file_ops signalfd_fops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.getattr = anon_inode_getattr,
	.release = signalfd_release,
	.dname = signalfd_dname,
};

int signalfd_create(struct task *t, ksigset_t mask, int flags, struct file **out)
{
	struct signalfd_ctx *ctx = xzalloc(sizeof(*ctx));

	ctx->mask = mask & ~SIG_KERNEL_ONLY_MASK;
	ctx->creator = t->tid;
	*out = file_alloc(&signalfd_fops, O_RDWR | (flags & O_NONBLOCK), ctx);
	return 0;
}

int signalfd_set_mask(struct file *f, ksigset_t mask)
{
	struct signalfd_ctx *ctx = f->priv;

	if (f->ops != &signalfd_fops)
		return -EINVAL;
	ctx->mask = mask & ~SIG_KERNEL_ONLY_MASK;
	/* Readers blocked on the old mask look again. */
	wq_wake_all(&signalfd_wqh);
	return 0;
}
