/* Clocks and sleeping.
 *
 * The sandbox's clocks are the host's clocks of the same names: REALTIME,
 * REALTIME_COARSE, TAI, MONOTONIC (kernel_mono_ns(), the clock every
 * deadline in the sentry uses), MONOTONIC_RAW, MONOTONIC_COARSE and
 * BOOTTIME; time(2) is the host's coarse seconds, as Linux's. That is
 * what lets the application read them from the host's vDSO without a
 * syscall (platform/ptrace/vdso.c): both paths read the same host data,
 * so they agree exactly and are monotonic across each other. CPU-time
 * clocks read the thread group's accounted utime/stime (the vDSO asks
 * the sentry for those); a thread's CPU clock is approximated by its
 * process's (the sentry accounts CPU time per process only).
 *
 * Sleeps: a relative sleep interrupted by a signal writes the remaining
 * time and returns -ERESTART_RESTARTBLOCK, as Linux: a handler turns it
 * into EINTR; a stop/continue or a signal another thread took resumes the
 * sleep through restart_syscall(2) towards the same deadline (kept in
 * t->restart_block). Absolute sleeps return -ERESTARTNOHAND and simply
 * run again. An absolute CLOCK_REALTIME/TAI/BOOTTIME deadline is converted
 * to CLOCK_MONOTONIC when the call starts (the sandbox cannot set the
 * clock; a step of the host clock, or a host suspend, during the sleep is
 * not followed). */
#include <errno.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/signal_internal.h"
#include "sentry/usercopy.h"
#include "syscalls/syscalls.h"

#define NSEC_PER_SEC 1000000000LL
/* The emulated kernel's tick (CONFIG_HZ=250): the process CPU clocks'
 * resolution. The COARSE clocks have the host's. */
#define KHZ 250
#define TICK_NSEC ((NSEC_PER_SEC + KHZ / 2) / KHZ)

/* Linux's encoding of CPU-time clocks in negative clockids. */
#define CPUCLOCK_PID(c) ((pid_t) ~((c) >> 3))
#define CPUCLOCK_PERTHREAD(c) (((c) & 4) != 0)
#define CPUCLOCK_WHICH(c) ((c) & 3)
#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_MAX 3

static int64_t host_clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static struct timespec ns_to_timespec(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / NSEC_PER_SEC, .tv_nsec = ns % NSEC_PER_SEC };
	if (ts.tv_nsec < 0) {
		ts.tv_sec--;
		ts.tv_nsec += NSEC_PER_SEC;
	}
	return ts;
}

static bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC_PER_SEC;
}

/* ktime_set(): saturates instead of overflowing. */
static int64_t timespec_to_ns(const struct timespec *ts)
{
	if (ts->tv_sec >= INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/* The process (or, for per-thread clocks, the thread's process) a CPU
 * clock id names; NULL if invalid (pid_for_clock). */
static struct thread_group *cpu_clock_target(struct task *t, clockid_t id)
{
	pid_t pid = CPUCLOCK_PID(id);

	if (CPUCLOCK_WHICH(id) >= CPUCLOCK_MAX)
		return NULL;
	if (pid == 0)
		return t->tg;
	if (CPUCLOCK_PERTHREAD(id)) {
		struct task *o = pid_lookup(pid);
		return o && o->state != TASK_DEAD && o->tg == t->tg ? t->tg : NULL;
	}
	if (pid == t->tid)
		return t->tg;
	struct thread_group *tg = tg_lookup(pid);
	return tg && !tg->reaped ? tg : NULL;
}

static int64_t cpu_clock_ns(struct thread_group *tg, clockid_t which)
{
	tg_update_cputime(tg);
	if (which == CPUCLOCK_VIRT)
		return (int64_t)tg->utime_ns;
	return (int64_t)(tg->utime_ns + tg->stime_ns);
}

/* Reads clock id; -EINVAL for clocks that do not exist here. */
static int clock_read(struct task *t, clockid_t id, int64_t *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
		*ns = now_real_ns();
		return 0;
	case CLOCK_REALTIME_COARSE:
		*ns = host_clock_ns(CLOCK_REALTIME_COARSE);
		return 0;
	case CLOCK_TAI:
		*ns = host_clock_ns(CLOCK_TAI);
		return 0;
	case CLOCK_MONOTONIC:
		*ns = kernel_mono_ns();
		return 0;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = host_clock_ns(id);
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = cpu_clock_ns(t->tg, CPUCLOCK_SCHED);
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = cpu_clock_ns(t->tg, CPUCLOCK_SCHED);
		return 0;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		/* Alarm clocks need an RTC wakeup device; the sandbox has none,
		 * which Linux reports as EINVAL. */
		return -EINVAL;
	default:
		if (id < 0) {
			struct thread_group *tg = cpu_clock_target(t, id);
			if (!tg)
				return -EINVAL;
			*ns = cpu_clock_ns(tg, CPUCLOCK_WHICH(id));
			return 0;
		}
		return -EINVAL;
	}
}

static int clock_resolution(struct task *t, clockid_t id, int64_t *res)
{
	int64_t ignored;
	int err = clock_read(t, id, &ignored);
	if (err)
		return err;
	switch (id) {
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE: {
		/* The host's tick, which is what these clocks advance by. */
		struct timespec ts;
		*res = clock_getres(id, &ts) == 0 ? ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec : TICK_NSEC;
		break;
	}
	default:
		if (id < 0 && CPUCLOCK_WHICH(id) != CPUCLOCK_SCHED)
			*res = TICK_NSEC;
		else
			*res = 1;
		break;
	}
	return 0;
}

static int put_timespec(struct task *t, uint64_t uaddr, int64_t ns)
{
	struct timespec ts = ns_to_timespec(ns);
	return copy_to_user(t, uaddr, &ts, sizeof(ts)) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(clock_gettime, "dp")
{
	int64_t ns;
	int err = clock_read(t, (clockid_t)a->a[0], &ns);
	if (err)
		return err;
	return put_timespec(t, a->a[1], ns);
}

SYSCALL_DEFINE(clock_getres, "dp")
{
	int64_t res;
	int err = clock_resolution(t, (clockid_t)a->a[0], &res);
	if (err)
		return err;
	if (a->a[1])
		return put_timespec(t, a->a[1], res);
	return 0;
}

SYSCALL_DEFINE(gettimeofday, "pp")
{
	if (a->a[0]) {
		int64_t ns = now_real_ns();
		struct timeval tv = { .tv_sec = ns / NSEC_PER_SEC, .tv_usec = (ns % NSEC_PER_SEC) / 1000 };
		if (copy_to_user(t, a->a[0], &tv, sizeof(tv)) < 0)
			return -EFAULT;
	}
	if (a->a[1]) {
		/* sys_tz: nobody in the sandbox can set it; Linux boots with 0. */
		struct timezone tz = { 0, 0 };
		if (copy_to_user(t, a->a[1], &tz, sizeof(tz)) < 0)
			return -EFAULT;
	}
	return 0;
}

/* Linux's time(2) is the seconds of the last tick (xtime_sec), as are
 * the vDSO's time() and CLOCK_REALTIME_COARSE's: the host's agree. */
SYSCALL_DEFINE(time, "p")
{
	int64_t secs = host_clock_ns(CLOCK_REALTIME_COARSE) / NSEC_PER_SEC;
	if (a->a[0] && copy_to_user(t, a->a[0], &secs, sizeof(secs)) < 0)
		return -EFAULT;
	return secs;
}

/* The sandbox's clock is the host's: only the host may set it, which a
 * process in a user namespace without CAP_SYS_TIME over the host cannot. */
SYSCALL_DEFINE(settimeofday, "pp")
{
	if (a->a[0]) {
		struct timeval tv;
		if (copy_from_user(t, &tv, a->a[0], sizeof(tv)) < 0)
			return -EFAULT;
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
	}
	return -EPERM;
}

SYSCALL_DEFINE(clock_settime, "dp")
{
	clockid_t id = (clockid_t)a->a[0];
	struct timespec ts;
	int64_t ignored;

	if (clock_read(t, id, &ignored) < 0)
		return -EINVAL;
	if (copy_from_user(t, &ts, a->a[1], sizeof(ts)) < 0)
		return -EFAULT;
	/* Only CLOCK_REALTIME is settable at all. */
	if (id != CLOCK_REALTIME || !timespec_valid(&ts))
		return -EINVAL;
	return -EPERM;
}

/* ---- sleeping ---- */

static long sleep_until(struct task *t, int64_t deadline, bool abs, uint64_t rmtp);

static long nanosleep_restart(struct task *t)
{
	return sleep_until(t, t->restart_block.deadline, false, t->restart_block.uaddr);
}

/* do_nanosleep() + hrtimer_nanosleep(): deadline in CLOCK_MONOTONIC. */
static long sleep_until(struct task *t, int64_t deadline, bool abs, uint64_t rmtp)
{
	if (t->sys.timed_out)
		return 0;
	int64_t now = kernel_mono_ns();
	if (now >= deadline)
		return 0;
	if (signal_pending(t)) {
		if (abs)
			return -ERESTARTNOHAND;
		if (rmtp && put_timespec(t, rmtp, deadline - now) < 0)
			return -EFAULT;
		t->restart_block.fn = nanosleep_restart;
		t->restart_block.deadline = deadline;
		t->restart_block.uaddr = rmtp;
		return -ERESTART_RESTARTBLOCK;
	}
	task_set_deadline(t, deadline);
	return -EBLOCKED;
}

/* The CLOCK_MONOTONIC deadline of a sleep on clock id; computed once per
 * call (scratch[0]) so re-runs after wakeups aim at the same instant. */
static int sleep_deadline(struct task *t, clockid_t id, bool abs, uint64_t ureq, int64_t *deadline)
{
	if (t->sys.restarted) {
		*deadline = (int64_t)t->sys.scratch[0];
		return 0;
	}

	struct timespec req;
	if (copy_from_user(t, &req, ureq, sizeof(req)) < 0)
		return -EFAULT;
	if (!timespec_valid(&req))
		return -EINVAL;
	int64_t ns = timespec_to_ns(&req);
	int64_t now = kernel_mono_ns();

	if (!abs)
		*deadline = ns > INT64_MAX - now ? INT64_MAX : now + ns;
	else if (id == CLOCK_MONOTONIC)
		*deadline = ns;
	else /* REALTIME, TAI, BOOTTIME (do_clock_nanosleep's list) */
		*deadline = kernel_abs_to_mono(id, ns);
	t->sys.scratch[0] = (uint64_t)*deadline;
	return 0;
}

static long do_clock_nanosleep(struct task *t, clockid_t id, int flags, uint64_t ureq, uint64_t urem)
{
	bool abs = flags & TIMER_ABSTIME;
	int64_t deadline;

	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		break;
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL;
	case CLOCK_PROCESS_CPUTIME_ID:
		/* Would need CPU-time events from the platform. */
		log_once("clock_nanosleep-cpu", "clock_nanosleep on a CPU-time clock is not supported");
		return -EOPNOTSUPP;
	default: {
		int64_t ignored;
		if (clock_read(t, id, &ignored) < 0)
			return -EINVAL;
		if (id < 0) {
			if (CPUCLOCK_PERTHREAD(id))
				return -EINVAL;
			log_once("clock_nanosleep-cpu", "clock_nanosleep on a CPU-time clock is not supported");
		}
		/* MONOTONIC_RAW, the COARSE clocks: Linux cannot sleep on them. */
		return -EOPNOTSUPP;
	}
	}

	if (!t->sys.restarted)
		t->restart_block.fn = NULL;
	int err = sleep_deadline(t, id, abs, ureq, &deadline);
	if (err)
		return err;
	return sleep_until(t, deadline, abs, abs ? 0 : urem);
}

SYSCALL_DEFINE(nanosleep, "pp")
{
	return do_clock_nanosleep(t, CLOCK_MONOTONIC, 0, a->a[0], a->a[1]);
}

SYSCALL_DEFINE(clock_nanosleep, "dxpp")
{
	return do_clock_nanosleep(t, (clockid_t)a->a[0], (int)a->a[1], a->a[2], a->a[3]);
}
