/* epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait,
 * epoll_pwait2 (the mechanism is sentry/fs/epoll.c).
 *
 * A wait is never restarted: a signal makes it return EINTR, as Linux.
 * State kept across re-runs in t->sys.scratch:
 *   [0] 1 once the first run set things up
 *   [1] deadline: EP_NO_WAIT, EP_FOREVER, or CLOCK_MONOTONIC ns
 *   [2] 1 when the call installed a temporary signal mask */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/epoll.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/signal_internal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

#define EP_NO_WAIT 0
#define EP_FOREVER -1
#define NSEC_PER_SEC 1000000000LL
#define EP_MAX_EVENTS (INT32_MAX / (int)sizeof(struct k_epoll_event))
/* x86_64 TASK_SIZE_MAX: what access_ok() accepts. */
#define TASK_SIZE_MAX 0x7ffffffff000ULL

static void file_putp(struct file **f)
{
	if (*f)
		file_put(*f);
}
#define _cleanup_file_ _cleanup_(file_putp)

static long do_epoll_create(struct task *t, int flags)
{
	struct file *f;
	int err, fd;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	err = epoll_create_file(&f);
	if (err)
		return err;
	fd = fd_install(t, 0, f, flags & EPOLL_CLOEXEC);
	file_put(f);
	return fd;
}

SYSCALL_DEFINE(epoll_create, "d")
{
	if ((int)a->a[0] <= 0)
		return -EINVAL;
	return do_epoll_create(t, 0);
}

SYSCALL_DEFINE(epoll_create1, "x")
{
	return do_epoll_create(t, (int)a->a[0]);
}

SYSCALL_DEFINE(epoll_ctl, "fdfp")
{
	int op = (int)a->a[1];
	struct k_epoll_event ev = { 0, 0 };

	if (op != EPOLL_CTL_DEL && copy_from_user(t, &ev, a->a[3], sizeof(ev)))
		return -EFAULT;
	_cleanup_file_ struct file *epf = fd_get(t, (int)a->a[0]);
	if (!epf || (epf->flags & O_PATH))
		return -EBADF;
	_cleanup_file_ struct file *tf = fd_get(t, (int)a->a[2]);
	if (!tf || (tf->flags & O_PATH))
		return -EBADF;
	return epoll_ctl_file(t, epf, op, (int)a->a[2], tf, &ev);
}

/* ---- waiting ---- */

static long do_epoll_wait(struct task *t, int epfd, uint64_t uevents, int maxevents)
{
	int64_t deadline = (int64_t)t->sys.scratch[1];
	size_t bytes;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	bytes = (size_t)maxevents * sizeof(struct k_epoll_event);
	if (bytes > TASK_SIZE_MAX || uevents > TASK_SIZE_MAX - bytes)
		return -EFAULT;
	_cleanup_file_ struct file *f = fd_get(t, epfd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (!file_is_epoll(f))
		return -EINVAL;
	int n = epoll_send_events(t, f, uevents, maxevents);
	if (n)
		return n;
	if (deadline == EP_NO_WAIT || t->sys.timed_out)
		return 0;
	if (signal_pending(t))
		return -EINTR;
	epoll_wait_on(t, f);
	if (deadline != EP_FOREVER)
		task_set_deadline(t, deadline);
	return -EBLOCKED;
}

/* set_user_sigmask() */
static int set_user_sigmask(struct task *t, uint64_t umask, uint64_t size)
{
	ksigset_t m;

	if (!umask)
		return 0;
	if (size != sizeof(ksigset_t))
		return -EINVAL;
	if (copy_from_user(t, &m, umask, sizeof(m)))
		return -EFAULT;
	t->saved_blocked = t->blocked;
	t->restore_blocked = true;
	signal_set_blocked(t, m);
	t->sys.scratch[2] = 1;
	return 0;
}

/* restore_saved_sigmask_unless(ret == -EINTR): when interrupted, the
 * temporary mask stays until the signal is delivered (the handler frame
 * saves the old one). */
static long finish_sigmask(struct task *t, long ret)
{
	if (!t->sys.scratch[2] || ret == -EBLOCKED || ret == -EINTR)
		return ret;
	if (t->restore_blocked) {
		t->restore_blocked = false;
		signal_set_blocked(t, t->saved_blocked);
	}
	return ret;
}

static int64_t ms_to_deadline(int ms)
{
	if (ms < 0)
		return EP_FOREVER;
	if (ms == 0)
		return EP_NO_WAIT;
	return kernel_mono_ns() + (int64_t)ms * 1000000;
}

SYSCALL_DEFINE(epoll_wait, "fpdd")
{
	if (!t->sys.scratch[0]) {
		t->sys.scratch[0] = 1;
		t->sys.scratch[1] = (uint64_t)ms_to_deadline((int)a->a[3]);
	}
	return do_epoll_wait(t, (int)a->a[0], a->a[1], (int)a->a[2]);
}

SYSCALL_DEFINE(epoll_pwait, "fpddpu")
{
	if (!t->sys.scratch[0]) {
		int err = set_user_sigmask(t, a->a[4], a->a[5]);
		if (err)
			return err;
		t->sys.scratch[0] = 1;
		t->sys.scratch[1] = (uint64_t)ms_to_deadline((int)a->a[3]);
	}
	return finish_sigmask(t, do_epoll_wait(t, (int)a->a[0], a->a[1], (int)a->a[2]));
}

SYSCALL_DEFINE(epoll_pwait2, "fpdppu")
{
	if (!t->sys.scratch[0]) {
		int64_t deadline = EP_FOREVER;

		if (a->a[3]) {
			struct timespec ts;

			if (copy_from_user(t, &ts, a->a[3], sizeof(ts)))
				return -EFAULT;
			if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
				return -EINVAL;
			if (ts.tv_sec == 0 && ts.tv_nsec == 0) {
				deadline = EP_NO_WAIT;
			} else {
				int64_t now = kernel_mono_ns();
				/* Saturate: a huge timeout never ends. */
				if (ts.tv_sec >= (INT64_MAX - now) / NSEC_PER_SEC - 1)
					deadline = INT64_MAX;
				else
					deadline = now + ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
			}
		}
		int err = set_user_sigmask(t, a->a[4], a->a[5]);
		if (err)
			return err;
		t->sys.scratch[0] = 1;
		t->sys.scratch[1] = (uint64_t)deadline;
	}
	return finish_sigmask(t, do_epoll_wait(t, (int)a->a[0], a->a[1], (int)a->a[2]));
}
