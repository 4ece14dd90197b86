/* Signal syscalls: dispositions, masks, waiting for signals, sending them,
 * and returning from handlers. The machinery is in sentry/signal.c. */
#include <errno.h>
#include <string.h>

#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/signal_internal.h"
#include "sentry/usercopy.h"
#include "syscalls/syscalls.h"

#define KSI_TKILL (-6)

/* Every sigset_t argument is the kernel's 8-byte set. */
#define KSIGSET_SIZE 8

SYSCALL_DEFINE(rt_sigaction, "dppu")
{
	int sig = (int)a->a[0];
	struct k_sigaction act, oact;

	if (a->a[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (a->a[1] && copy_from_user(t, &act, a->a[1], sizeof(act)) < 0)
		return -EFAULT;
	int err = signal_do_sigaction(t, sig, a->a[1] ? &act : NULL, a->a[2] ? &oact : NULL);
	if (err)
		return err;
	if (a->a[2] && copy_to_user(t, a->a[2], &oact, sizeof(oact)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(rt_sigprocmask, "dppu")
{
	int how = (int)a->a[0];
	ksigset_t set, old = t->blocked;

	if (a->a[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (a->a[1]) {
		if (copy_from_user(t, &set, a->a[1], sizeof(set)) < 0)
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			signal_set_blocked(t, t->blocked | set);
			break;
		case SIG_UNBLOCK:
			signal_set_blocked(t, t->blocked & ~set);
			break;
		case SIG_SETMASK:
			signal_set_blocked(t, set);
			break;
		default:
			return -EINVAL;
		}
	}
	if (a->a[2] && copy_to_user(t, a->a[2], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(rt_sigpending, "pu")
{
	size_t size = a->a[1];
	/* Linux accepts a shorter set and copies that many bytes. */
	if (size > KSIGSET_SIZE)
		return -EINVAL;
	ksigset_t set = (t->pending.mask | t->tg->shared_pending.mask) & t->blocked;
	if (copy_to_user(t, a->a[0], &set, size) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(rt_sigreturn, "")
{
	return signal_sigreturn(t);
}

SYSCALL_DEFINE(sigaltstack, "pp")
{
	stack_t ss, oss;

	if (a->a[0] && copy_from_user(t, &ss, a->a[0], sizeof(ss)) < 0)
		return -EFAULT;
	int err = signal_do_sigaltstack(t, a->a[0] ? &ss : NULL, a->a[1] ? &oss : NULL,
					t->ctx->regs.rsp);
	if (!err && a->a[1] && copy_to_user(t, a->a[1], &oss, sizeof(oss)) < 0)
		return -EFAULT;
	return err;
}

SYSCALL_DEFINE(kill, "dd")
{
	return signal_kill(t, (pid_t)a->a[0], (int)a->a[1]);
}

static long do_tkill(struct task *t, pid_t tgid, pid_t tid, int sig)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = KSI_TKILL;
	info.si_pid = task_tgid(t);
	info.si_uid = t->cred->uid;
	return signal_send_specific(t, tgid, tid, sig, &info);
}

SYSCALL_DEFINE(tkill, "dd")
{
	pid_t tid = (pid_t)a->a[0];
	if (tid <= 0)
		return -EINVAL;
	return do_tkill(t, 0, tid, (int)a->a[1]);
}

SYSCALL_DEFINE(tgkill, "ddd")
{
	pid_t tgid = (pid_t)a->a[0], tid = (pid_t)a->a[1];
	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	return do_tkill(t, tgid, tid, (int)a->a[2]);
}

/* Not even root may pretend to be the kernel, or a kill()/tgkill() with its
 * sender fields, towards another task. */
static int copy_queue_info(struct task *t, uint64_t uinfo, int sig, pid_t target, siginfo_t *info)
{
	if (copy_from_user(t, info, uinfo, sizeof(*info)) < 0)
		return -EFAULT;
	info->si_signo = sig;
	if ((info->si_code >= 0 || info->si_code == KSI_TKILL) && target != t->tid)
		return -EPERM;
	return 0;
}

SYSCALL_DEFINE(rt_sigqueueinfo, "ddp")
{
	pid_t pid = (pid_t)a->a[0];
	int sig = (int)a->a[1];
	siginfo_t info;
	int err = copy_queue_info(t, a->a[2], sig, pid, &info);
	if (err)
		return err;
	return signal_kill_proc_info(t, pid, sig, &info);
}

SYSCALL_DEFINE(rt_tgsigqueueinfo, "dddp")
{
	pid_t tgid = (pid_t)a->a[0], tid = (pid_t)a->a[1];
	int sig = (int)a->a[2];
	siginfo_t info;

	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	int err = copy_queue_info(t, a->a[3], sig, tid, &info);
	if (err)
		return err;
	return signal_send_specific(t, tgid, tid, sig, &info);
}

/* Both wait with no queue: the task only wakes when a signal kicks it.
 * -ERESTARTNOHAND: a handler makes it EINTR; otherwise (a stop and
 * continue, a signal another thread took) the wait resumes. */
SYSCALL_DEFINE(pause, "")
{
	if (signal_pending(t))
		return -ERESTARTNOHAND;
	return -EBLOCKED;
}

SYSCALL_DEFINE(rt_sigsuspend, "pu")
{
	ksigset_t set;

	if (a->a[1] != KSIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(t, &set, a->a[0], sizeof(set)) < 0)
		return -EFAULT;
	/* The mask in effect before the call comes back after the handler
	 * (from the frame) or when no handler runs (signal_deliver). */
	if (!t->restore_blocked) {
		t->saved_blocked = t->blocked;
		t->restore_blocked = true;
	}
	signal_set_blocked(t, set);
	if (signal_pending(t))
		return -ERESTARTNOHAND;
	return -EBLOCKED;
}

static int get_timeout(struct task *t, uint64_t uts, int64_t *out_ns)
{
	struct timespec ts;
	if (copy_from_user(t, &ts, uts, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	if (ts.tv_sec >= INT64_MAX / 1000000000LL)
		*out_ns = INT64_MAX;
	else
		*out_ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	return 0;
}

/* scratch: [0] deadline (0 = none), [1] has a timeout, [2] mask modified */
SYSCALL_DEFINE(rt_sigtimedwait, "ppxu")
{
	ksigset_t set;
	siginfo_t info;

	if (t->sys.restarted && t->sys.scratch[2]) {
		/* Back from waiting: the waited set was unblocked only for
		 * the wait. */
		t->blocked = t->real_blocked;
		t->real_blocked = 0;
		t->sys.scratch[2] = 0;
	}
	if (a->a[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(t, &set, a->a[0], sizeof(set)) < 0)
		return -EFAULT;
	set &= ~SIG_KERNEL_ONLY_MASK;

	if (!t->sys.restarted && a->a[2]) {
		int64_t ns;
		int err = get_timeout(t, a->a[2], &ns);
		if (err)
			return err;
		int64_t now = kernel_mono_ns();
		t->sys.scratch[0] = (uint64_t)(ns > INT64_MAX - now ? INT64_MAX : now + ns);
		t->sys.scratch[1] = 1;
	}

	int sig = signal_dequeue(t, set, &info);
	if (sig) {
		if (a->a[1] && copy_to_user(t, a->a[1], &info, sizeof(info)) < 0)
			return -EFAULT;
		return sig;
	}
	if (t->sys.scratch[1] &&
	    (t->sys.timed_out || kernel_mono_ns() >= (int64_t)t->sys.scratch[0]))
		return -EAGAIN;
	/* Another signal arrived: sigtimedwait is never restarted. */
	if (signal_pending(t))
		return -EINTR;

	/* Wait with the set unblocked so that its signals are routed to this
	 * thread and wake it; real_blocked keeps them from being ignored. */
	t->real_blocked = t->blocked;
	t->blocked &= ~set;
	t->sys.scratch[2] = 1;
	if (t->sys.scratch[1])
		task_set_deadline(t, (int64_t)t->sys.scratch[0]);
	return -EBLOCKED;
}

SYSCALL_DEFINE(restart_syscall, "")
{
	if (t->restart_block.fn)
		return t->restart_block.fn(t);
	/* do_no_restart_syscall() */
	return -EINTR;
}
