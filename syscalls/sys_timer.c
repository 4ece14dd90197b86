/* Timers: getitimer, setitimer, alarm, timer_create, timer_settime,
 * timer_gettime, timer_getoverrun, timer_delete (sentry/timers.c), and
 * timerfd_create, timerfd_settime, timerfd_gettime (sentry/fs/timerfd.c). */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/timerfd.h"
#include "sentry/kernel.h"
#include "sentry/timers.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

#define NSEC_PER_SEC 1000000000LL
#define NSEC_PER_USEC 1000LL

_Static_assert(ITIMER_REAL == KITIMER_REAL && ITIMER_VIRTUAL == KITIMER_VIRTUAL &&
		       ITIMER_PROF == KITIMER_PROF,
	       "itimer kinds");

/* ---- conversions ---- */

static bool timeval_valid(const struct timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC_PER_SEC;
}

/* ktime_set(): saturates instead of overflowing. */
static int64_t timespec_ns(const struct timespec *ts)
{
	if (ts->tv_sec >= INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static int64_t timeval_ns(const struct timeval *tv)
{
	if (tv->tv_sec >= INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	return tv->tv_sec * NSEC_PER_SEC + tv->tv_usec * NSEC_PER_USEC;
}

static struct timespec ns_timespec(int64_t ns)
{
	return (struct timespec){ .tv_sec = ns / NSEC_PER_SEC, .tv_nsec = ns % NSEC_PER_SEC };
}

static struct timeval ns_timeval(int64_t ns)
{
	return (struct timeval){ .tv_sec = ns / NSEC_PER_SEC,
				 .tv_usec = (ns % NSEC_PER_SEC) / NSEC_PER_USEC };
}

static int put_itimerval(struct task *t, uint64_t uaddr, const struct ktimer_spec *s)
{
	struct itimerval v = { .it_interval = ns_timeval(s->interval), .it_value = ns_timeval(s->value) };

	return copy_to_user(t, uaddr, &v, sizeof(v)) ? -EFAULT : 0;
}

static int get_itimerspec(struct task *t, uint64_t uaddr, struct itimerspec *its)
{
	return copy_from_user(t, its, uaddr, sizeof(*its)) ? -EFAULT : 0;
}

static int put_itimerspec(struct task *t, uint64_t uaddr, int64_t value, int64_t interval)
{
	struct itimerspec its = { .it_interval = ns_timespec(interval), .it_value = ns_timespec(value) };

	return copy_to_user(t, uaddr, &its, sizeof(its)) ? -EFAULT : 0;
}

/* ---- interval timers ---- */

SYSCALL_DEFINE(getitimer, "dp")
{
	struct ktimer_spec cur;
	int err = itimer_get(t->tg, (int)a->a[0], &cur);

	if (err)
		return err;
	return put_itimerval(t, a->a[1], &cur);
}

SYSCALL_DEFINE(setitimer, "dpp")
{
	struct ktimer_spec new = { 0, 0 }, old;
	int err;

	/* A NULL new value disarms: a misfeature Linux still keeps. */
	if (a->a[1]) {
		struct itimerval v;

		if (copy_from_user(t, &v, a->a[1], sizeof(v)))
			return -EFAULT;
		if (!timeval_valid(&v.it_value) || !timeval_valid(&v.it_interval))
			return -EINVAL;
		new.value = timeval_ns(&v.it_value);
		new.interval = timeval_ns(&v.it_interval);
	}
	err = itimer_set(t->tg, (int)a->a[0], &new, &old);
	if (err || !a->a[2])
		return err;
	return put_itimerval(t, a->a[2], &old);
}

/* alarm_setitimer() */
SYSCALL_DEFINE(alarm, "u")
{
	struct ktimer_spec new = { .value = (int64_t)(unsigned int)a->a[0] * NSEC_PER_SEC }, old;

	itimer_set(t->tg, KITIMER_REAL, &new, &old);
	/* An alarm still pending never reads as 0 seconds left; halves
	 * round up. */
	int64_t secs = old.value / NSEC_PER_SEC, nsec = old.value % NSEC_PER_SEC;
	if ((!secs && nsec) || nsec >= NSEC_PER_SEC / 2)
		secs++;
	return secs;
}

/* ---- POSIX timers ---- */

SYSCALL_DEFINE(timer_create, "dpp")
{
	struct k_sigevent ev;
	int id, err;

	if (a->a[1] && copy_from_user(t, &ev, a->a[1], sizeof(ev)))
		return -EFAULT;
	err = ptimer_create(t, (clockid_t)a->a[0], a->a[1] ? &ev : NULL, &id);
	if (err)
		return err;
	if (copy_to_user(t, a->a[2], &id, sizeof(id))) {
		ptimer_destroy(t, id);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE(timer_settime, "dxpp")
{
	struct ktimer_spec new, old;
	struct itimerspec its;
	int err;

	if (!a->a[2])
		return -EINVAL;
	if (get_itimerspec(t, a->a[2], &its))
		return -EFAULT;
	if (!timespec_valid(&its.it_value) || !timespec_valid(&its.it_interval))
		return -EINVAL;
	new.value = timespec_ns(&its.it_value);
	new.interval = timespec_ns(&its.it_interval);
	err = ptimer_settime(t, (int)a->a[0], (int)a->a[1], &new, a->a[3] ? &old : NULL);
	if (err || !a->a[3])
		return err;
	return put_itimerspec(t, a->a[3], old.value, old.interval);
}

SYSCALL_DEFINE(timer_gettime, "dp")
{
	struct ktimer_spec cur;
	int err = ptimer_gettime(t, (int)a->a[0], &cur);

	if (err)
		return err;
	return put_itimerspec(t, a->a[1], cur.value, cur.interval);
}

SYSCALL_DEFINE(timer_getoverrun, "d")
{
	return ptimer_getoverrun(t, (int)a->a[0]);
}

SYSCALL_DEFINE(timer_delete, "d")
{
	return ptimer_delete(t, (int)a->a[0]);
}

/* ---- timerfd ---- */

SYSCALL_DEFINE(timerfd_create, "dx")
{
	clockid_t clock = (clockid_t)a->a[0];
	int flags = (int)a->a[1];
	struct file *f;
	int err, fd;

	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME && clock != CLOCK_REALTIME_ALARM &&
	    clock != CLOCK_BOOTTIME && clock != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	/* Alarm clocks would wake a suspended machine; the sandbox never
	 * suspends, so they are their plain clocks for whoever may use them. */
	if ((clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM) &&
	    !cred_capable(t->cred, CAP_WAKE_ALARM))
		return -EPERM;
	err = timerfd_create_file(clock, flags & TFD_NONBLOCK, &f);
	if (err)
		return err;
	fd = fd_install(t, 0, f, flags & TFD_CLOEXEC);
	file_put(f);
	return fd;
}

SYSCALL_DEFINE(timerfd_settime, "fxpp")
{
	int flags = (int)a->a[1];
	struct itimerspec its;
	int64_t ov, oi;

	if (get_itimerspec(t, a->a[2], &its))
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    !timespec_valid(&its.it_value) || !timespec_valid(&its.it_interval))
		return -EINVAL;
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	if (!file_is_timerfd(f)) {
		file_put(f);
		return -EINVAL;
	}
	timerfd_settime_file(f, flags, timespec_ns(&its.it_value), timespec_ns(&its.it_interval), &ov, &oi);
	file_put(f);
	if (a->a[3])
		return put_itimerspec(t, a->a[3], ov, oi);
	return 0;
}

SYSCALL_DEFINE(timerfd_gettime, "fp")
{
	int64_t v, i;
	struct file *f = fd_get(t, (int)a->a[0]);

	if (!f)
		return -EBADF;
	if (!file_is_timerfd(f)) {
		file_put(f);
		return -EINVAL;
	}
	timerfd_gettime_file(f, &v, &i);
	file_put(f);
	return put_itimerspec(t, a->a[1], v, i);
}
