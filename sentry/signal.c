/* Signal generation, queueing and delivery (Linux kernel/signal.c and
 * arch/x86/kernel/signal*.c semantics).
 *
 * Generation: prepare_signal() applies the job-control side effects
 * (SIGCONT resumes, stop signals cancel SIGCONT) and drops ignored
 * signals; the signal is queued on a thread or on its process, and one
 * thread that can take it is kicked (interrupted if running, woken if
 * blocked). Delivery happens in signal_deliver(), on the way back to
 * application code: it settles an interrupted syscall's ERESTART* result
 * and takes the action of the next unblocked signal (handler frame,
 * ignore, stop, or terminate). */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/signalfd.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/signal_internal.h"
#include "sentry/timers.h"
#include "sentry/usercopy.h"

/* Linux uapi values glibc does not export under these names. */
#define KSA_RESTORER 0x04000000ULL
#define KSI_KERNEL 0x80

/* A queued signal. struct sigqueue is what kernel.h shares; the rest is
 * ours: RLIMIT_SIGPENDING accounting and fault details for the frame. */
struct ksigqueue {
	struct sigqueue q;
	uid_t uid;       /* real uid of the receiver, charged for the entry */
	bool forced;     /* from a fault: fatal even to init (SIGNAL_UNKILLABLE cleared) */
	bool fault;      /* trapno/err/cr2 are valid */
	uint64_t trapno, err, cr2;
	uint64_t timer_cookie; /* a POSIX timer's signal (sentry/timers.c), else 0 */
};

/* What the dequeued signal carries to its delivery. */
struct ksignal {
	int sig;
	siginfo_t info;
	bool forced;
	bool fault;
	uint64_t trapno, err, cr2;
	uint64_t timer_cookie;
};

/* signalfd's readers and pollers (sentry/fs/signalfd.c): every queued
 * signal wakes them to look again. */
struct waitqueue signalfd_wqh = { .waiters = LIST_HEAD_INIT(signalfd_wqh.waiters) };

static void signalfd_notify(void)
{
	if (!list_empty(&signalfd_wqh.waiters))
		wq_wake_all(&signalfd_wqh);
}

/* ---- default actions ----------------------------------------------------- */

bool sig_kernel_ignore(int sig)
{
	return sig == SIGCONT || sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG;
}

bool sig_kernel_stop(int sig)
{
	return valid_signal(sig) && (SIG_KERNEL_STOP_MASK & SIGMASK(sig));
}

bool sig_kernel_coredump(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGFPE:
	case SIGSEGV: case SIGBUS: case SIGSYS: case SIGXCPU: case SIGXFSZ:
		return true;
	default:
		return false;
	}
}

static bool sig_handler_ignored(uint64_t handler, int sig)
{
	return handler == (uint64_t)(uintptr_t)SIG_IGN ||
	       (handler == (uint64_t)(uintptr_t)SIG_DFL && sig_kernel_ignore(sig));
}

static bool tg_is_init(const struct thread_group *tg)
{
	return kernel && tg == kernel->init_tg;
}

static bool task_alive(const struct task *t)
{
	return t->state != TASK_DEAD && !t->exiting;
}

struct task *tg_main_task(struct thread_group *tg)
{
	struct task *t;

	if (tg->leader && task_alive(tg->leader))
		return tg->leader;
	list_for_each_entry(t, &tg->threads, tg_link)
		if (task_alive(t))
			return t;
	return NULL;
}

/* Credentials and handlers of a process whose threads may all be gone (a
 * zombie): the leader's stay until the process is reaped. */
static struct task *tg_any_task(struct thread_group *tg)
{
	struct task *t = tg_main_task(tg);
	return t ? t : tg->leader;
}

/* ---- sighand ------------------------------------------------------------- */

struct sighand *sighand_new(void)
{
	struct sighand *sh = xzalloc(sizeof(*sh));
	sh->refcount = 1;
	return sh;
}

struct sighand *sighand_copy(const struct sighand *src)
{
	struct sighand *sh = xzalloc(sizeof(*sh));
	memcpy(sh->action, src->action, sizeof(sh->action));
	sh->refcount = 1;
	return sh;
}

void sighand_put(struct sighand *sh)
{
	if (sh && --sh->refcount == 0)
		free(sh);
}

void sighand_reset_for_exec(struct sighand *sh)
{
	for (int i = 0; i < SANDBOX_NSIG; i++) {
		struct k_sigaction *ka = &sh->action[i];
		if (ka->handler != (uint64_t)(uintptr_t)SIG_IGN)
			ka->handler = (uint64_t)(uintptr_t)SIG_DFL;
		ka->flags = 0;
		ka->restorer = 0;
		ka->mask = 0;
	}
}

/* ---- queues and RLIMIT_SIGPENDING ---------------------------------------- */

/* Queued entries per real uid: Linux charges RLIMIT_SIGPENDING per user. */
struct uid_charge {
	uid_t uid;
	long count;
};
static struct uid_charge *charges;
static int ncharges, charges_cap;

static long *uid_charge_slot(uid_t uid)
{
	for (int i = 0; i < ncharges; i++)
		if (charges[i].uid == uid)
			return &charges[i].count;
	if (ncharges == charges_cap) {
		charges_cap = charges_cap ? charges_cap * 2 : 8;
		charges = xrealloc(charges, (size_t)charges_cap * sizeof(*charges));
	}
	charges[ncharges] = (struct uid_charge){ .uid = uid, .count = 0 };
	return &charges[ncharges++].count;
}

static struct ksigqueue *sigqueue_alloc(struct task *receiver, bool override_rlimit)
{
	uid_t uid = receiver->cred ? receiver->cred->uid : 0;
	long *count = uid_charge_slot(uid);
	rlim_t limit = receiver->tg->rlim[RLIMIT_SIGPENDING].rlim_cur;

	if (!override_rlimit && (rlim_t)(*count + 1) > limit)
		return NULL;
	(*count)++;
	struct ksigqueue *kq = xzalloc(sizeof(*kq));
	kq->uid = uid;
	list_init(&kq->q.link);
	return kq;
}

static void sigqueue_free(struct sigqueue *q)
{
	struct ksigqueue *kq = container_of(q, struct ksigqueue, q);
	long *count = uid_charge_slot(kq->uid);
	if (*count > 0)
		(*count)--;
	/* Flushed rather than dequeued: the timer must not wait for it. */
	if (kq->timer_cookie)
		timers_signal_flushed(kq->timer_cookie);
	free(kq);
}

void sigpending_init(struct sigpending *p)
{
	list_init(&p->queue);
	p->mask = 0;
}

void sigpending_flush(struct sigpending *p)
{
	struct sigqueue *q, *n;
	list_for_each_entry_safe(q, n, &p->queue, link) {
		list_del(&q->link);
		sigqueue_free(q);
	}
	p->mask = 0;
}

/* flush_sigqueue_mask() */
static void sigpending_flush_mask(struct sigpending *p, ksigset_t mask)
{
	if (!(p->mask & mask))
		return;
	struct sigqueue *q, *n;
	list_for_each_entry_safe(q, n, &p->queue, link) {
		int sig = q->info.si_signo;
		if (valid_signal(sig) && (mask & SIGMASK(sig))) {
			list_del(&q->link);
			sigqueue_free(q);
		}
	}
	p->mask &= ~mask;
}

static void tg_flush_mask(struct thread_group *tg, ksigset_t mask)
{
	struct task *t;
	sigpending_flush_mask(&tg->shared_pending, mask);
	list_for_each_entry(t, &tg->threads, tg_link)
		sigpending_flush_mask(&t->pending, mask);
}

/* collect_signal(): takes the first queued instance of sig; the pending
 * bit stays while more instances are queued. A bit without an entry (the
 * queue was over its limit, or SIGKILL) yields a bare SI_USER siginfo. */
static void sigpending_collect(struct sigpending *p, int sig, struct ksignal *ks)
{
	struct sigqueue *q, *first = NULL;
	bool more = false;

	list_for_each_entry(q, &p->queue, link) {
		if (q->info.si_signo != sig)
			continue;
		if (first) {
			more = true;
			break;
		}
		first = q;
	}
	if (!more)
		p->mask &= ~SIGMASK(sig);

	memset(ks, 0, sizeof(*ks));
	ks->sig = sig;
	if (first) {
		struct ksigqueue *kq = container_of(first, struct ksigqueue, q);
		ks->info = first->info;
		ks->forced = kq->forced;
		ks->fault = kq->fault;
		ks->trapno = kq->trapno;
		ks->err = kq->err;
		ks->cr2 = kq->cr2;
		ks->timer_cookie = kq->timer_cookie;
		kq->timer_cookie = 0;
		list_del(&first->link);
		sigqueue_free(first);
	} else {
		ks->info.si_signo = sig;
		ks->info.si_code = SI_USER;
	}
}

static int dequeue_signal(struct task *t, ksigset_t allowed, struct ksignal *ks)
{
	int sig;

again:
	sig = sigset_next(t->pending.mask & allowed);
	if (sig) {
		sigpending_collect(&t->pending, sig, ks);
	} else {
		sig = sigset_next(t->tg->shared_pending.mask & allowed);
		if (!sig)
			return 0;
		sigpending_collect(&t->tg->shared_pending, sig, ks);
		if (sig == SIGALRM)
			itimer_real_dequeued(t->tg);
	}
	/* posixtimer_deliver_signal(): a stale timer signal is dropped. */
	if (ks->timer_cookie && !timers_signal_dequeued(t, ks->timer_cookie, &ks->info))
		goto again;
	return sig;
}

int signal_dequeue(struct task *t, ksigset_t allowed, siginfo_t *info)
{
	struct ksignal ks;
	int sig = dequeue_signal(t, allowed, &ks);
	if (sig && info)
		*info = ks.info;
	return sig;
}

/* ---- pending / blocked ----------------------------------------------------- */

bool signal_pending(struct task *t)
{
	struct thread_group *tg = t->tg;

	/* A dying process and a group stop this thread has not joined yet
	 * interrupt syscalls like a pending signal (Linux's fatal signal and
	 * JOBCTL_STOP_PENDING both set TIF_SIGPENDING). */
	if (tg->group_exiting)
		return true;
	if (tg->stopped && t->state != TASK_STOPPED)
		return true;
	return ((t->pending.mask | tg->shared_pending.mask) & ~t->blocked) != 0;
}

static bool wants_signal(int sig, struct task *t, bool prefer_idle)
{
	if (!task_alive(t))
		return false;
	if (t->blocked & SIGMASK(sig))
		return false;
	if (sig == SIGKILL)
		return true;
	if (t->state == TASK_STOPPED)
		return false;
	/* Spread process signals: a thread with nothing pending takes it. */
	if (prefer_idle && t->state != TASK_RUNNING && signal_pending(t))
		return false;
	return true;
}

/* retarget_shared_pending(): shared signals this thread just blocked go
 * to a sibling that can take them. */
static void retarget_shared_pending(struct task *t, ksigset_t newly_blocked)
{
	ksigset_t retarget = t->tg->shared_pending.mask & newly_blocked;
	struct task *o;

	if (!retarget)
		return;
	list_for_each_entry(o, &t->tg->threads, tg_link) {
		if (o == t || !task_alive(o))
			continue;
		if (!(retarget & ~o->blocked))
			continue;
		retarget &= o->blocked;
		task_kick(o);
		if (!retarget)
			break;
	}
}

void signal_set_blocked(struct task *t, ksigset_t set)
{
	set &= ~SIG_KERNEL_ONLY_MASK;
	ksigset_t newly = set & ~t->blocked;
	t->blocked = set;
	if (newly)
		retarget_shared_pending(t, newly);
}

/* ---- generation ------------------------------------------------------------ */

/* Signals the kernel generates (info NULL or SI_KERNEL) and signals from
 * outside the sandbox (SI_USER with si_pid 0, as a sender in an ancestor
 * pid namespace appears) may reach init with their default action. */
static bool info_is_forced(const siginfo_t *info)
{
	if (!info || info->si_code == KSI_KERNEL)
		return true;
	return info->si_code == SI_USER && info->si_pid == 0;
}

/* sig_task_ignored(): init (SIGNAL_UNKILLABLE) gets no signal it has no
 * handler for, except SIGKILL/SIGSTOP from the kernel or from outside, and
 * faults (force_sig_fault lifts the protection). */
static bool sig_task_ignored(struct task *t, int sig, bool force, bool fault)
{
	uint64_t handler = t->sighand ? t->sighand->action[sig - 1].handler : 0;

	if (tg_is_init(t->tg) && !fault && handler == (uint64_t)(uintptr_t)SIG_DFL &&
	    !(force && sig_kernel_only(sig)))
		return true;
	return sig_handler_ignored(handler, sig);
}

/* Blocked signals are never ignored: the handler may change before they
 * are unblocked. */
static bool sig_ignored(struct task *t, int sig, bool force, bool fault)
{
	if ((t->blocked | t->real_blocked) & SIGMASK(sig))
		return false;
	return sig_task_ignored(t, sig, force, fault);
}

static bool group_stop_complete(struct thread_group *tg)
{
	struct task *t;
	list_for_each_entry(t, &tg->threads, tg_link)
		if (task_alive(t) && t->state != TASK_STOPPED)
			return false;
	return true;
}

/* SIGCONT's side effects happen at generation, whatever its disposition. */
static void do_continue(struct thread_group *tg)
{
	struct task *t;

	tg_flush_mask(tg, SIG_KERNEL_STOP_MASK);
	if (!tg->stopped)
		return;
	bool complete = group_stop_complete(tg);
	tg->stopped = false;
	/* The stop can no longer be reported by wait; the continue can. */
	tg->stop_reported = true;
	tg->cont_reported = false;
	list_for_each_entry(t, &tg->threads, tg_link)
		if (t->state == TASK_STOPPED)
			kernel_make_runnable(t);
	/* A stop still in progress is reported as completed then continued;
	 * SIGCHLD does not queue, so only the stop is notified (Linux). */
	if (complete)
		signal_notify_parent(tg, CLD_CONTINUED, SIGCONT);
	else
		signal_notify_parent(tg, CLD_STOPPED, tg->stop_signal);
}

/* prepare_signal(): true if the signal is to be queued. */
static bool prepare_signal(struct thread_group *tg, struct task *judge, int sig, bool force,
			   bool fault)
{
	if (tg->group_exiting || tg->zombie)
		return false;
	if (sig_kernel_stop(sig))
		tg_flush_mask(tg, SIGMASK(SIGCONT));
	else if (sig == SIGCONT)
		do_continue(tg);
	return !sig_ignored(judge, sig, force, fault);
}

static void complete_signal(struct thread_group *tg, struct task *target, int sig)
{
	struct task *t = NULL, *o;

	/* SIGKILL is fatal to the whole process at once: every thread gets
	 * it privately so each one, running, blocked or stopped, dies now. */
	if (sig == SIGKILL) {
		list_for_each_entry(o, &tg->threads, tg_link) {
			if (!task_alive(o))
				continue;
			o->pending.mask |= SIGMASK(SIGKILL);
			task_kick(o);
		}
		return;
	}

	if (target) {
		if (wants_signal(sig, target, false))
			task_kick(target);
		return;
	}
	for (int pass = 0; pass < 2 && !t; pass++) {
		bool prefer_idle = pass == 0;
		if (tg->leader && wants_signal(sig, tg->leader, prefer_idle)) {
			t = tg->leader;
			break;
		}
		list_for_each_entry(o, &tg->threads, tg_link) {
			if (wants_signal(sig, o, prefer_idle)) {
				t = o;
				break;
			}
		}
	}
	/* Nobody can take it now: it stays pending until a thread unblocks it. */
	if (t)
		task_kick(t);
}

static int send_signal(struct thread_group *tg, struct task *target, int sig, const siginfo_t *info,
		       const struct ksignal *fault)
{
	struct task *judge = target ? target : tg_main_task(tg);
	bool forced = fault != NULL;

	if (!valid_signal(sig))
		return -EINVAL;
	if (!judge || !task_alive(judge))
		return 0; /* the process is dying: the signal is lost with it */
	if (!prepare_signal(tg, judge, sig, forced || info_is_forced(info), forced))
		return 0;

	struct sigpending *pending = target ? &target->pending : &tg->shared_pending;
	/* Standard signals queue at most once. */
	if (sig < KSIGRTMIN && (pending->mask & SIGMASK(sig)))
		return 0;

	if (sig != SIGKILL) {
		/* kill() may not fail with EAGAIN for standard signals, so those
		 * go over the limit (Linux's override_rlimit). */
		bool override = forced || (sig < KSIGRTMIN && (!info || info->si_code >= 0));
		struct ksigqueue *kq = sigqueue_alloc(judge, override);
		if (kq) {
			if (info) {
				kq->q.info = *info;
			} else {
				kq->q.info.si_code = KSI_KERNEL;
			}
			kq->q.info.si_signo = sig;
			if (fault) {
				kq->forced = true;
				kq->fault = fault->fault;
				kq->trapno = fault->trapno;
				kq->err = fault->err;
				kq->cr2 = fault->cr2;
			}
			list_add_tail(&kq->q.link, &pending->queue);
		} else if (info && sig >= KSIGRTMIN && info->si_code != SI_USER) {
			return -EAGAIN;
		}
		/* else: the signal still goes, without its siginfo (Linux). */
	}
	pending->mask |= SIGMASK(sig);
	signalfd_notify();
	complete_signal(tg, target, sig);
	return 0;
}

int signal_send_timer(struct thread_group *tg, struct task *target, const siginfo_t *info,
		      uint64_t cookie)
{
	struct task *judge = target ? target : tg_main_task(tg);
	int sig = info->si_signo;

	if (!valid_signal(sig))
		return -EINVAL;
	if (!judge || !task_alive(judge))
		return 0;
	if (!prepare_signal(tg, judge, sig, false, false))
		return 0;
	/* The timer's preallocated sigqueue: no RLIMIT_SIGPENDING check, and
	 * queued even when a standard signal of that number is pending. */
	struct sigpending *pending = target ? &target->pending : &tg->shared_pending;
	struct ksigqueue *kq = sigqueue_alloc(judge, true);
	kq->q.info = *info;
	kq->timer_cookie = cookie;
	list_add_tail(&kq->q.link, &pending->queue);
	pending->mask |= SIGMASK(sig);
	signalfd_notify();
	complete_signal(tg, target, sig);
	return 1;
}

int signal_send_thread(struct task *t, int sig, const siginfo_t *info)
{
	return send_signal(t->tg, t, sig, info, NULL);
}

int signal_send_group(struct thread_group *tg, int sig, const siginfo_t *info)
{
	return send_signal(tg, NULL, sig, info, NULL);
}

void signal_force_fault(struct task *t, int sig, int code, uint64_t addr, int trapno)
{
	struct k_sigaction *ka;
	struct ksignal fault = { .sig = sig };
	siginfo_t info;

	if (!valid_signal(sig))
		return;
	/* force_sig_info_to_task(): a fault the task blocks or ignores would
	 * loop forever; it gets the default action instead. */
	ka = &t->sighand->action[sig - 1];
	bool blocked = t->blocked & SIGMASK(sig);
	if (blocked || ka->handler == (uint64_t)(uintptr_t)SIG_IGN) {
		ka->handler = (uint64_t)(uintptr_t)SIG_DFL;
		if (blocked)
			t->blocked &= ~SIGMASK(sig);
	}

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP)
		info.si_addr = (void *)(uintptr_t)addr;

	if (trapno >= 0) {
		fault.fault = true;
		fault.trapno = (uint64_t)trapno;
		if (trapno == 14) {
			/* Page-fault error code: user mode, and protection
			 * violation for SEGV_ACCERR. The platform does not tell
			 * reads from writes, so the write bit stays clear. */
			fault.err = 4 | (code == SEGV_ACCERR ? 1 : 0);
			fault.cr2 = addr;
		}
	}
	send_signal(t->tg, t, sig, &info, &fault);
	task_kick(t);
}

/* force_sigsegv(): the frame for sig could not be built. */
static void force_sigsegv(struct task *t, int sig)
{
	if (sig == SIGSEGV)
		t->sighand->action[SIGSEGV - 1].handler = (uint64_t)(uintptr_t)SIG_DFL;
	signal_force_fault(t, SIGSEGV, KSI_KERNEL, 0, -1);
}

/* ---- kill(2) ------------------------------------------------------------- */

/* kill_ok_by_cred() */
static bool kill_ok_by_cred(const struct cred *c, const struct cred *tc)
{
	return c->euid == tc->suid || c->euid == tc->uid || c->uid == tc->suid ||
	       c->uid == tc->uid || cred_capable(c, CAP_KILL);
}

/* check_kill_permission() */
static int check_kill_permission(struct task *sender, struct task *target, int sig,
				 const siginfo_t *info)
{
	if (sig < 0 || sig > SANDBOX_NSIG)
		return -EINVAL;
	/* Kernel-made siginfo (si_code > 0 or SI_KERNEL) bypasses the checks:
	 * user space may only forge it for itself (rt_sigqueueinfo). */
	if (!sender || !info || info->si_code > 0)
		return 0;
	if (target->tg == sender->tg)
		return 0;
	if (!target->cred || kill_ok_by_cred(sender->cred, target->cred))
		return 0;
	if (sig == SIGCONT && target->tg->sid == sender->tg->sid)
		return 0;
	return -EPERM;
}

/* group_send_sig_info() on the process of task p (p stands for the process
 * in the permission check, as Linux does with the task found by pid). */
static int group_send_sig_info(struct task *sender, struct thread_group *tg, struct task *p,
			       int sig, siginfo_t *info)
{
	if (!p)
		p = tg_any_task(tg);
	if (!p)
		return sig < 0 || sig > SANDBOX_NSIG ? -EINVAL : 0;
	int err = check_kill_permission(sender, p, sig, info);
	if (!err && sig)
		err = signal_send_group(tg, sig, info);
	return err;
}

int signal_kill_proc_info(struct task *sender, pid_t pid, int sig, siginfo_t *info)
{
	struct thread_group *tg = NULL;
	struct task *p = NULL;

	if (pid <= 0)
		return -ESRCH;
	tg = tg_lookup(pid);
	if (!tg) {
		/* kill() with a thread id signals that thread's process. */
		p = pid_lookup(pid);
		if (!p || p->state == TASK_DEAD)
			return -ESRCH;
		tg = p->tg;
	}
	if (tg->reaped)
		return -ESRCH;
	return group_send_sig_info(sender, tg, p, sig, info);
}

struct pgrp_kill {
	struct task *sender;
	pid_t pgid;
	int sig;
	siginfo_t *info;
	bool found, success;
	int retval;
};

static int pgrp_kill_one(struct thread_group *tg, void *arg)
{
	struct pgrp_kill *k = arg;
	if (tg->reaped || tg->pgid != k->pgid)
		return 0;
	int err = group_send_sig_info(k->sender, tg, NULL, k->sig, k->info);
	k->found = true;
	k->success |= !err;
	k->retval = err;
	return 0;
}

static int kill_pgrp(struct task *sender, pid_t pgid, int sig, siginfo_t *info)
{
	struct pgrp_kill k = { .sender = sender, .pgid = pgid, .sig = sig, .info = info };
	tg_for_each(pgrp_kill_one, &k);
	if (!k.found)
		return -ESRCH;
	return k.success ? 0 : k.retval;
}

struct all_kill {
	struct task *sender;
	int sig;
	siginfo_t *info;
	int count, retval;
};

static int all_kill_one(struct thread_group *tg, void *arg)
{
	struct all_kill *k = arg;
	if (tg->reaped || tg->tgid <= 1 || tg_is_init(tg) || tg == k->sender->tg)
		return 0;
	int err = group_send_sig_info(k->sender, tg, NULL, k->sig, k->info);
	k->count++;
	if (err != -EPERM)
		k->retval = err;
	return 0;
}

int signal_kill(struct task *sender, pid_t pid, int sig)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_USER;
	info.si_pid = task_tgid(sender);
	info.si_uid = sender->cred->uid;

	if (pid > 0)
		return signal_kill_proc_info(sender, pid, sig, &info);
	/* -INT_MIN is not a process group. */
	if (pid == INT_MIN)
		return -ESRCH;
	if (pid != -1)
		return kill_pgrp(sender, pid ? -pid : sender->tg->pgid, sig, &info);

	struct all_kill k = { .sender = sender, .sig = sig, .info = &info };
	tg_for_each(all_kill_one, &k);
	return k.count ? k.retval : -ESRCH;
}

int signal_send_specific(struct task *sender, pid_t tgid, pid_t tid, int sig, siginfo_t *info)
{
	struct task *p = tid > 0 ? pid_lookup(tid) : NULL;

	if (!p || (tgid > 0 && task_tgid(p) != tgid) || p->tg->reaped)
		return -ESRCH;
	/* A zombie leader is still there to be signalled (uselessly); other
	 * dead threads are gone. */
	if (p->state == TASK_DEAD && p != p->tg->leader)
		return -ESRCH;
	int err = check_kill_permission(sender, p, sig, info);
	if (!err && sig)
		err = signal_send_thread(p, sig, info);
	return err;
}

/* ---- parent notification --------------------------------------------------- */

bool signal_parent_autoreaps(struct thread_group *parent)
{
	struct task *pt = parent ? tg_any_task(parent) : NULL;
	if (!pt || !pt->sighand)
		return false;
	const struct k_sigaction *ka = &pt->sighand->action[SIGCHLD - 1];
	return ka->handler == (uint64_t)(uintptr_t)SIG_IGN || (ka->flags & SA_NOCLDWAIT);
}

/* do_notify_parent() and do_notify_parent_cldstop(). For exits, status is
 * the wait status; for stop/continue, the signal number. */
void signal_notify_parent(struct thread_group *tg, int why, int status)
{
	struct thread_group *parent = tg->parent;
	siginfo_t info;

	if (!parent)
		return;
	struct task *child = tg_any_task(tg);
	struct task *pt = tg_any_task(parent);

	memset(&info, 0, sizeof(info));
	info.si_signo = SIGCHLD;
	info.si_code = why;
	info.si_pid = tg->tgid;
	info.si_uid = child && child->cred ? child->cred->uid : 0;
	info.si_utime = ns_to_clock_t(tg->utime_ns + tg->cutime_ns);
	info.si_stime = ns_to_clock_t(tg->stime_ns + tg->cstime_ns);

	if (why == CLD_STOPPED || why == CLD_CONTINUED) {
		info.si_status = status & 0x7f;
		if (pt && pt->sighand) {
			const struct k_sigaction *ka = &pt->sighand->action[SIGCHLD - 1];
			if (ka->handler != (uint64_t)(uintptr_t)SIG_IGN && !(ka->flags & SA_NOCLDSTOP))
				signal_send_group(parent, SIGCHLD, &info);
		}
	} else {
		int sig = tg->exit_signal;
		if (why == CLD_EXITED)
			info.si_status = (status >> 8) & 0xff;
		else
			info.si_status = status & 0x7f;
		/* A parent ignoring SIGCHLD gets no signal (it auto-reaps);
		 * SA_NOCLDWAIT still sends it (Linux's choice). */
		if (sig == SIGCHLD && pt && pt->sighand &&
		    pt->sighand->action[SIGCHLD - 1].handler == (uint64_t)(uintptr_t)SIG_IGN)
			sig = 0;
		if (valid_signal(sig)) {
			info.si_signo = sig;
			signal_send_group(parent, sig, &info);
		}
	}
	/* wait4 callers re-check even without a signal (they may now get
	 * ECHILD or a reportable state). */
	wq_wake_all(&parent->child_wait);
}

/* ---- job control ------------------------------------------------------------- */

struct orphan_check {
	pid_t pgid;
	bool orphaned;
};

/* will_become_orphaned_pgrp(): a group stays attached to job control while
 * a member has a parent in another group of the same session. */
static int orphan_check_one(struct thread_group *tg, void *arg)
{
	struct orphan_check *c = arg;
	if (tg->pgid != c->pgid || tg->zombie || tg->reaped)
		return 0;
	struct thread_group *p = tg->parent;
	if (p && p->pgid != c->pgid && p->sid == tg->sid) {
		c->orphaned = false;
		return 1;
	}
	return 0;
}

static bool pgrp_orphaned(pid_t pgid)
{
	struct orphan_check c = { .pgid = pgid, .orphaned = true };
	tg_for_each(orphan_check_one, &c);
	return c.orphaned;
}

/* This thread joins the group stop; the last one to stop notifies the
 * parent. */
static void join_group_stop(struct task *t)
{
	struct thread_group *tg = t->tg;

	t->state = TASK_STOPPED;
	if (group_stop_complete(tg) && tg->stop_reported) {
		tg->stop_reported = false; /* now reportable by wait(WUNTRACED) */
		signal_notify_parent(tg, CLD_STOPPED, tg->stop_signal);
	}
}

static void begin_group_stop(struct task *t, int sig)
{
	struct thread_group *tg = t->tg;
	struct task *o;

	tg->stopped = true;
	tg->stop_signal = sig;
	tg->stop_reported = true; /* nothing to report until every thread stopped */
	list_for_each_entry(o, &tg->threads, tg_link)
		if (o != t && task_alive(o) && o->state != TASK_STOPPED)
			task_kick(o);
	join_group_stop(t);
}

/* ---- delivery ------------------------------------------------------------------ */

static bool on_sig_stack_raw(struct task *t, uint64_t sp)
{
	uint64_t base = (uint64_t)(uintptr_t)t->altstack.ss_sp;
	return sp > base && sp - base <= t->altstack.ss_size;
}

static bool on_sig_stack(struct task *t, uint64_t sp)
{
	/* With SS_AUTODISARM we can only be on the stack if user code put
	 * us there deliberately; assume not, so a corrupt sp still gets a
	 * usable stack. */
	if ((uint32_t)t->altstack.ss_flags & KSS_AUTODISARM)
		return false;
	return on_sig_stack_raw(t, sp);
}

static int sas_ss_flags(struct task *t, uint64_t sp)
{
	if (!t->altstack.ss_size)
		return SS_DISABLE;
	return on_sig_stack(t, sp) ? SS_ONSTACK : 0;
}

static void sas_ss_reset(struct task *t)
{
	t->altstack.ss_sp = NULL;
	t->altstack.ss_size = 0;
	t->altstack.ss_flags = SS_DISABLE;
}

int signal_do_sigaltstack(struct task *t, const stack_t *ss, stack_t *oss, uint64_t sp)
{
	if (oss) {
		memset(oss, 0, sizeof(*oss));
		oss->ss_sp = t->altstack.ss_sp;
		oss->ss_size = t->altstack.ss_size;
		oss->ss_flags = sas_ss_flags(t, sp) |
				(int)((uint32_t)t->altstack.ss_flags & KSS_FLAG_BITS);
	}
	if (ss) {
		void *ss_sp = ss->ss_sp;
		size_t ss_size = ss->ss_size;
		uint32_t ss_flags = (uint32_t)ss->ss_flags;
		uint32_t mode = ss_flags & ~KSS_FLAG_BITS;

		if (on_sig_stack(t, sp))
			return -EPERM;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			ss_size = 0;
			ss_sp = NULL;
		} else if (ss_size < KMINSIGSTKSZ) {
			return -ENOMEM;
		}
		t->altstack.ss_sp = ss_sp;
		t->altstack.ss_size = ss_size;
		t->altstack.ss_flags = (int)ss_flags;
	}
	return 0;
}

static void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

/* The user XSAVE components (XCR0) whose areas fit in an image of len
 * bytes: what sw_bytes.xfeatures advertises and what sigreturn may load. */
static uint64_t user_xfeatures(size_t len)
{
	static size_t cached_len;
	static uint64_t cached;
	uint32_t a, b, c, d;

	if (len < XSAVE_MIN_SIZE)
		return XFEATURE_MASK_FPSSE;
	if (cached_len == len)
		return cached;

	uint64_t xcr0 = XFEATURE_MASK_FPSSE;
	cpuid_count(1, 0, &a, &b, &c, &d);
	if (c & (1U << 27)) { /* OSXSAVE */
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		xcr0 = ((uint64_t)hi << 32) | lo;
	}
	for (int i = 2; i < 63; i++) {
		if (!(xcr0 & (1ULL << i)))
			continue;
		cpuid_count(0xd, (uint32_t)i, &a, &b, &c, &d);
		if (!a || (uint64_t)b + a > len)
			xcr0 &= ~(1ULL << i);
	}
	cached_len = len;
	cached = xcr0 | XFEATURE_MASK_FPSSE;
	return cached;
}

/* The FPU state of t's context, fetched if needed; 0 without one. */
static size_t task_fpstate(struct task *t)
{
	struct platform_context *ctx = t->ctx;
	if (!ctx->fpstate || !ctx->fpstate_len)
		return 0;
	if (!ctx->fp_valid) {
		int err = kernel->pops->ctx_fetch_fpstate(ctx);
		if (err < 0) {
			log_error("task %d: fetching FPU state: %s", t->tid, strerror(-err));
			return (size_t)-1;
		}
	}
	return ctx->fpstate_len;
}

/* x64_setup_rt_frame() */
static int setup_rt_frame(struct task *t, const struct ksignal *ks, const struct k_sigaction *ka)
{
	struct platform_context *ctx = t->ctx;
	struct user_regs_struct *r = &ctx->regs;
	uint64_t mask = t->restore_blocked ? t->saved_blocked : t->blocked;

	/* x86_64 has no kernel-provided return trampoline. */
	if (!(ka->flags & KSA_RESTORER))
		return -EFAULT;

	size_t fp_len = task_fpstate(t);
	if (fp_len == (size_t)-1)
		return -EFAULT;

	/* get_sigframe() */
	bool nested = on_sig_stack(t, r->rsp), entering = false;
	uint64_t sp = r->rsp - 128; /* the red zone */
	if ((ka->flags & SA_ONSTACK) && sas_ss_flags(t, sp) == 0) {
		sp = (uint64_t)(uintptr_t)t->altstack.ss_sp + t->altstack.ss_size;
		entering = true;
	}
	uint64_t fp_addr;
	uint64_t frame = sigframe_place(sp, fp_len, &fp_addr);
	/* Overflowing the alternate stack is fatal rather than silently
	 * writing below it. */
	if ((nested || entering) && !on_sig_stack_raw(t, frame))
		return -EFAULT;

	bool xsave = fp_len >= XSAVE_MIN_SIZE;
	if (fp_len) {
		_cleanup_free_ uint8_t *buf = xmalloc(fp_len);
		memcpy(buf, ctx->fpstate, fp_len);
		if (xsave) {
			fpstate_set_sw_bytes(buf, fp_len, user_xfeatures(fp_len));
			/* Legacy code edits FP/SSE without touching the header;
			 * say they are present so sigreturn loads the edits. */
			fx_put64(buf, XSAVE_HDR_OFFSET,
				 fx_get64(buf, XSAVE_HDR_OFFSET) | XFEATURE_MASK_FPSSE);
		} else {
			memset(buf + FX_SW_BYTES_OFFSET, 0, FXSAVE_SIZE - FX_SW_BYTES_OFFSET);
		}
		if (copy_to_user(t, fp_addr, buf, fp_len) < 0)
			return -EFAULT;
		if (xsave) {
			uint32_t magic2 = KFP_XSTATE_MAGIC2;
			if (copy_to_user(t, fp_addr + fp_len, &magic2, sizeof(magic2)) < 0)
				return -EFAULT;
		}
	}

	struct k_rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (xsave ? UC_FP_XSTATE : 0);
	f.uc.uc_link = 0;
	f.uc.uc_stack.ss_sp = (uint64_t)(uintptr_t)t->altstack.ss_sp;
	f.uc.uc_stack.ss_flags = sas_ss_flags(t, r->rsp) |
				 (int32_t)((uint32_t)t->altstack.ss_flags & KSS_FLAG_BITS);
	f.uc.uc_stack.ss_size = t->altstack.ss_size;

	struct k_sigcontext *sc = &f.uc.uc_mcontext;
	sc->r8 = r->r8;
	sc->r9 = r->r9;
	sc->r10 = r->r10;
	sc->r11 = r->r11;
	sc->r12 = r->r12;
	sc->r13 = r->r13;
	sc->r14 = r->r14;
	sc->r15 = r->r15;
	sc->rdi = r->rdi;
	sc->rsi = r->rsi;
	sc->rbp = r->rbp;
	sc->rbx = r->rbx;
	sc->rdx = r->rdx;
	sc->rax = r->rax;
	sc->rcx = r->rcx;
	sc->rsp = r->rsp;
	sc->rip = r->rip;
	sc->eflags = r->eflags;
	sc->cs = (uint16_t)r->cs;
	sc->gs = (uint16_t)r->gs;
	sc->fs = (uint16_t)r->fs;
	sc->ss = (uint16_t)r->ss;
	if (ks->fault) {
		sc->trapno = ks->trapno;
		sc->err = ks->err;
		sc->cr2 = ks->cr2;
	}
	sc->oldmask = mask;
	sc->fpstate = fp_addr;
	f.uc.uc_sigmask = mask;
	f.info = ks->info;

	if (copy_to_user(t, frame, &f, sizeof(f)) < 0)
		return -EFAULT;

	if ((uint32_t)t->altstack.ss_flags & KSS_AUTODISARM)
		sas_ss_reset(t);

	r->rdi = (uint64_t)ks->sig;
	r->rax = 0; /* for handlers declared without a prototype (varargs) */
	r->rsi = frame + offsetof(struct k_rt_sigframe, info);
	r->rdx = frame + offsetof(struct k_rt_sigframe, uc);
	r->rip = ka->handler;
	r->rsp = frame;
	/* The ABI wants DF clear at function entry; TF/RF would single-step
	 * or mask a debug trap into the handler. */
	r->eflags &= ~(KX86_EFLAGS_DF | KX86_EFLAGS_RF | KX86_EFLAGS_TF);
	ctx->regs_dirty = true;

	/* The handler starts with a clean FPU (fpu__clear_user_states). */
	if (fp_len) {
		fpstate_init(ctx->fpstate, fp_len);
		ctx->fp_valid = true;
		ctx->fp_dirty = true;
	}
	return 0;
}

/* Makes rax the value the interrupted syscall returns or restarts with. */
static void syscall_set_restart(struct task *t)
{
	struct user_regs_struct *r = &t->ctx->regs;
	r->rax = r->orig_rax;
	r->rip -= 2; /* back onto the 2-byte syscall instruction */
	t->ctx->regs_dirty = true;
}

static bool syscall_interrupted(struct task *t)
{
	if (!t->sys.in_syscall || (int64_t)t->ctx->regs.orig_rax < 0)
		return false;
	long r = (long)t->ctx->regs.rax;
	return r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND ||
	       r == -ERESTART_RESTARTBLOCK;
}

/* No handler runs: every kind of interrupted syscall restarts. */
static void settle_syscall_restart(struct task *t)
{
	if (!syscall_interrupted(t))
		return;
	if ((long)t->ctx->regs.rax == -ERESTART_RESTARTBLOCK) {
		t->ctx->regs.rax = __NR_restart_syscall;
		t->ctx->regs.rip -= 2;
		t->ctx->regs_dirty = true;
	} else {
		syscall_set_restart(t);
	}
	t->sys.result = (long)t->ctx->regs.rax;
}

/* A handler runs: handle_signal()'s rules. */
static void settle_syscall_for_handler(struct task *t, const struct k_sigaction *ka)
{
	if (!syscall_interrupted(t))
		return;
	switch ((long)t->ctx->regs.rax) {
	case -ERESTART_RESTARTBLOCK:
	case -ERESTARTNOHAND:
		t->ctx->regs.rax = (uint64_t)-EINTR;
		t->ctx->regs_dirty = true;
		break;
	case -ERESTARTSYS:
		if (!(ka->flags & SA_RESTART)) {
			t->ctx->regs.rax = (uint64_t)-EINTR;
			t->ctx->regs_dirty = true;
			break;
		}
		/* fallthrough */
	case -ERESTARTNOINTR:
		syscall_set_restart(t);
		break;
	}
	t->sys.result = (long)t->ctx->regs.rax;
}

static void restore_saved_sigmask(struct task *t)
{
	if (t->restore_blocked) {
		t->restore_blocked = false;
		signal_set_blocked(t, t->saved_blocked);
	}
}

/* handle_signal(): runs the handler through a frame; a frame that cannot
 * be built turns into SIGSEGV. */
static void handle_signal(struct task *t, struct ksignal *ks)
{
	struct k_sigaction *slot = &t->sighand->action[ks->sig - 1];
	struct k_sigaction ka = *slot;

	if (ka.flags & SA_RESETHAND)
		slot->handler = (uint64_t)(uintptr_t)SIG_DFL;
	settle_syscall_for_handler(t, &ka);
	if (setup_rt_frame(t, ks, &ka) < 0) {
		force_sigsegv(t, ks->sig);
		return;
	}
	/* signal_delivered(): the frame holds the mask to restore. */
	t->restore_blocked = false;
	ksigset_t blocked = t->blocked | ka.mask;
	if (!(ka.flags & SA_NODEFER))
		blocked |= SIGMASK(ks->sig);
	signal_set_blocked(t, blocked);
}

void signal_deliver(struct task *t)
{
	struct thread_group *tg = t->tg;
	struct ksignal ks;

	for (;;) {
		if (t->state == TASK_DEAD)
			return;
		/* A sibling started the group exit: this thread goes with it. */
		if (tg->group_exiting) {
			task_exit_group(t, tg->group_exit_status);
			return;
		}
		if ((t->pending.mask | tg->shared_pending.mask) & SIGMASK(SIGKILL)) {
			dequeue_signal(t, SIGMASK(SIGKILL), &ks);
			task_exit_group(t, W_EXITCODE(0, SIGKILL));
			return;
		}
		if (tg->stopped) {
			/* The kernel loop forgets the syscall once we return, so
			 * settle it now: after SIGCONT it restarts. */
			settle_syscall_restart(t);
			join_group_stop(t);
			return;
		}

		int sig = dequeue_signal(t, ~t->blocked, &ks);
		if (!sig)
			break;
		const struct k_sigaction *ka = &t->sighand->action[sig - 1];
		if (ka->handler == (uint64_t)(uintptr_t)SIG_IGN)
			continue;
		if (ka->handler != (uint64_t)(uintptr_t)SIG_DFL) {
			handle_signal(t, &ks);
			/* One frame per call; the kernel loop calls again while
			 * signals are pending, nesting frames as Linux does. */
			return;
		}
		if (sig_kernel_ignore(sig))
			continue;
		/* Init has no default actions, except for forced faults and
		 * the kernel-only signals from outside. */
		if (tg_is_init(tg) && !sig_kernel_only(sig) && !ks.forced)
			continue;
		if (sig_kernel_stop(sig)) {
			/* Terminal stops do nothing to an orphaned group: nobody
			 * would continue it. */
			if (sig != SIGSTOP && pgrp_orphaned(tg->pgid))
				continue;
			settle_syscall_restart(t);
			begin_group_stop(t, sig);
			return;
		}
		/* Terminate or core: no core file is written, so the wait status
		 * carries no WCOREDUMP bit. */
		task_exit_group(t, W_EXITCODE(0, sig));
		return;
	}
	settle_syscall_restart(t);
	restore_saved_sigmask(t);
}

/* ---- sigaction / sigreturn ----------------------------------------------------- */

#define KSA_EXPOSE_TAGBITS 0x00000800ULL
#define UAPI_SA_FLAGS                                                               \
	((uint64_t)(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO) | (uint64_t)(uint32_t)SA_ONSTACK | \
	 (uint64_t)(uint32_t)SA_RESTART | (uint64_t)(uint32_t)SA_NODEFER |                 \
	 (uint64_t)(uint32_t)SA_RESETHAND | KSA_EXPOSE_TAGBITS | KSA_RESTORER)

int signal_do_sigaction(struct task *t, int sig, const struct k_sigaction *act,
			struct k_sigaction *oact)
{
	if (!valid_signal(sig) || (act && sig_kernel_only(sig)))
		return -EINVAL;
	struct k_sigaction *k = &t->sighand->action[sig - 1];
	if (oact) {
		*oact = *k;
		/* Unknown bits read back clear so programs can probe them. */
		oact->flags &= UAPI_SA_FLAGS;
	}
	if (act) {
		*k = *act;
		k->flags &= UAPI_SA_FLAGS;
		k->mask &= ~SIG_KERNEL_ONLY_MASK;
		/* POSIX: setting SIG_IGN (or SIG_DFL where the default is to
		 * ignore) discards that signal if pending, blocked or not. */
		if (sig_handler_ignored(k->handler, sig))
			tg_flush_mask(t->tg, SIGMASK(sig));
	}
	return 0;
}

/* fpu__restore_sig(): the frame's FPU state back into the context. */
static int restore_fpstate(struct task *t, uint64_t fp_user)
{
	struct platform_context *ctx = t->ctx;
	size_t len = task_fpstate(t);

	if (len == (size_t)-1)
		return -EFAULT;
	if (!len)
		return 0;
	if (!fp_user) {
		fpstate_init(ctx->fpstate, len);
		ctx->fp_valid = true;
		ctx->fp_dirty = true;
		return 0;
	}

	_cleanup_free_ uint8_t *buf = xzalloc(len);
	size_t fx_len = MIN(len, (size_t)FXSAVE_SIZE);
	if (copy_from_user(t, buf, fp_user, fx_len) < 0)
		return -EFAULT;
	uint32_t mxcsr_mask = fpstate_mxcsr_mask(ctx->fpstate);
	uint64_t xmask = user_xfeatures(len);

	if (len >= XSAVE_MIN_SIZE) {
		uint32_t xsize = fpstate_sw_xstate_size(buf, len);
		uint64_t bv = XFEATURE_MASK_FPSSE;
		if (xsize) {
			uint32_t magic2;
			struct k_fpx_sw_bytes sw;
			if (copy_from_user(t, &magic2, fp_user + xsize, sizeof(magic2)) < 0)
				return -EFAULT;
			memcpy(&sw, buf + FX_SW_BYTES_OFFSET, sizeof(sw));
			if (magic2 == KFP_XSTATE_MAGIC2) {
				if (copy_from_user(t, buf + FXSAVE_SIZE, fp_user + FXSAVE_SIZE,
						   xsize - FXSAVE_SIZE) < 0)
					return -EFAULT;
				bv = fx_get64(buf, XSAVE_HDR_OFFSET) & sw.xfeatures;
			} else {
				memset(buf + FXSAVE_SIZE, 0, len - FXSAVE_SIZE);
			}
		}
		/* Without valid extended state, only FP/SSE come from the
		 * frame; every other component is reset. */
		fx_put64(buf, XSAVE_HDR_OFFSET, bv);
	}
	/* The software-reserved bytes are the platform's, not the frame's. */
	memcpy(buf + FX_SW_BYTES_OFFSET, ctx->fpstate + FX_SW_BYTES_OFFSET,
	       FXSAVE_SIZE - FX_SW_BYTES_OFFSET);
	fpstate_sanitize(buf, len, xmask, mxcsr_mask);
	memcpy(ctx->fpstate, buf, len);
	ctx->fp_valid = true;
	ctx->fp_dirty = true;
	return 0;
}

long signal_sigreturn(struct task *t)
{
	struct user_regs_struct *r = &t->ctx->regs;
	uint64_t frame = r->rsp - 8;
	struct k_rt_sigframe f;

	if (copy_from_user(t, &f, frame, sizeof(f)) < 0)
		goto badframe;

	signal_set_blocked(t, f.uc.uc_sigmask);

	/* Any pending restart_syscall now returns EINTR. */
	t->restart_block.fn = NULL;

	const struct k_sigcontext *sc = &f.uc.uc_mcontext;
	r->r8 = sc->r8;
	r->r9 = sc->r9;
	r->r10 = sc->r10;
	r->r11 = sc->r11;
	r->r12 = sc->r12;
	r->r13 = sc->r13;
	r->r14 = sc->r14;
	r->r15 = sc->r15;
	r->rdi = sc->rdi;
	r->rsi = sc->rsi;
	r->rbp = sc->rbp;
	r->rbx = sc->rbx;
	r->rdx = sc->rdx;
	r->rax = sc->rax;
	r->rcx = sc->rcx;
	r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->eflags = (r->eflags & ~KFIX_EFLAGS) | (sc->eflags & KFIX_EFLAGS);
	/* cs/ss stay the platform's 64-bit user selectors: a frame cannot
	 * switch the task to another code segment. fs/gs are not restored on
	 * x86_64 either. */
	/* Not a syscall any more: no restart rules for the value in rax. */
	r->orig_rax = (uint64_t)-1;
	t->ctx->regs_dirty = true;

	if (restore_fpstate(t, sc->fpstate) < 0)
		goto badframe;

	/* restore_altstack(): errors other than EFAULT are ignored. */
	stack_t ss = {
		.ss_sp = (void *)(uintptr_t)f.uc.uc_stack.ss_sp,
		.ss_flags = f.uc.uc_stack.ss_flags,
		.ss_size = f.uc.uc_stack.ss_size,
	};
	(void)signal_do_sigaltstack(t, &ss, NULL, r->rsp);

	return (long)r->rax;

badframe:
	signal_force_fault(t, SIGSEGV, KSI_KERNEL, 0, -1);
	return 0;
}
