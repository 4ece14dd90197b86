/* Interval timers and POSIX timers (see sentry/timers.h).
 *
 * A POSIX timer follows Linux's state machine (kernel/time/posix-timers.c
 * since 6.13): DISARMED, ARMED (waiting for its expiry), REQUEUE_PENDING
 * (a periodic timer whose signal is queued: it re-arms when the signal is
 * dequeued, and the intervals it missed meanwhile become the overrun).
 * signal_seq counts re-sets: a queued signal carries the value it was
 * sent with (sigqueue_seq) and is dropped at dequeue if they differ. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/timers.h"

#define NSEC_PER_USEC 1000LL
#define NSEC_PER_MSEC 1000000LL
/* The emulated kernel's tick (CONFIG_HZ=250): CPU itimers are rounded up
 * by one, as Linux's set_cpu_itimer does. */
#define TICK_NSEC 4000000LL
/* CPU-time clock samples are never closer together than this. */
#define CPU_CHECK_MIN_NS NSEC_PER_MSEC

/* Linux's encoding of CPU-time clocks in negative clockids. */
#define CPUCLOCK_PID(c) ((pid_t) ~((c) >> 3))
#define CPUCLOCK_PERTHREAD(c) (((c) & 4) != 0)
#define CPUCLOCK_WHICH(c) ((c) & 3)
#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif

enum ptimer_status { PT_DISARMED, PT_ARMED, PT_REQUEUE_PENDING };

struct ptimer {
	struct list_head link;      /* tg_timers.posix */
	struct list_head all_link;  /* all_ptimers: cookie lookups */
	struct tg_timers *tt;
	int id;
	clockid_t clock;            /* REALTIME, MONOTONIC, BOOTTIME, TAI, or a CPU clock */
	int cpu_which;              /* CPUCLOCK_* for CPU clocks, -1 otherwise */
	int notify;                 /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID... */
	int signo;
	uint64_t value;             /* sigev_value */
	pid_t tid;                  /* SIGEV_THREAD_ID target */
	struct ktimer kt;           /* wall-clock timers */
	int64_t expires;            /* CLOCK_MONOTONIC ns, or CPU ns for CPU clocks */
	int64_t interval;
	enum ptimer_status status;
	int64_t overrun, overrun_last;
	uint64_t signal_seq, sigqueue_seq;
	bool queued;                /* its signal is in a pending queue */
	uint64_t cookie;
};

struct cpu_itimer {
	int64_t expires;            /* CPU ns, 0 = disarmed */
	int64_t interval;
};

struct tg_timers {
	struct thread_group *tg;
	struct ktimer real;         /* ITIMER_REAL */
	int64_t real_interval;
	struct cpu_itimer cpu_it[2]; /* ITIMER_VIRTUAL, ITIMER_PROF */
	struct ktimer cpu_check;
	struct list_head posix;     /* of struct ptimer */
	int nposix;
	int next_id;
};

static struct list_head all_ptimers = LIST_HEAD_INIT(all_ptimers);
static uint64_t next_cookie = 1;

/* ---- clocks ---- */

/* The process's CPU time for a CPUCLOCK_* kind. */
static int64_t tg_cpu_ns(struct thread_group *tg, int which)
{
	tg_update_cputime(tg);
	if (which == CPUCLOCK_VIRT)
		return (int64_t)tg->utime_ns;
	return (int64_t)(tg->utime_ns + tg->stime_ns);
}

/* Now on the timer's own scale: CPU ns or CLOCK_MONOTONIC ns. */
static int64_t ptimer_now(const struct ptimer *p)
{
	if (p->cpu_which >= 0)
		return tg_cpu_ns(p->tt->tg, p->cpu_which);
	return kernel_mono_ns();
}

static int64_t add_sat(int64_t a, int64_t b)
{
	return b > INT64_MAX - a ? INT64_MAX : a + b;
}

/* hrtimer_forward(): moves *expires past now by whole intervals and
 * returns how many it took (0 when already in the future). */
static int64_t forward(int64_t *expires, int64_t now, int64_t interval)
{
	int64_t delta = now - *expires, orun = 1;

	if (delta < 0 || interval <= 0)
		return 0;
	if (delta >= interval) {
		orun = delta / interval;
		*expires = add_sat(*expires, orun * interval);
		if (*expires > now)
			return orun;
		orun++;
	}
	*expires = add_sat(*expires, interval);
	return orun;
}

/* ---- per-process state ---- */

static void real_fn(struct ktimer *kt);
static void cpu_check_fn(struct ktimer *kt);

static struct tg_timers *tg_timers_get(struct thread_group *tg)
{
	struct tg_timers *tt = tg->timers;

	if (tt)
		return tt;
	tt = xzalloc(sizeof(*tt));
	tt->tg = tg;
	list_init(&tt->real.link);
	tt->real.fn = real_fn;
	list_init(&tt->cpu_check.link);
	tt->cpu_check.fn = cpu_check_fn;
	list_init(&tt->posix);
	tg->timers = tt;
	return tt;
}

/* ---- CPU-time sampling ---- */

/* Arms the sampler for the earliest CPU-time expiry: CPU time cannot run
 * faster than the wall clock times the number of threads. */
static void cpu_check_schedule(struct tg_timers *tt)
{
	struct thread_group *tg = tt->tg;
	int64_t least = INT64_MAX;
	struct ptimer *p;
	bool sampled = false;
	int64_t now[3] = { 0, 0, 0 };

	for (int i = 0; i < 2; i++) {
		if (!tt->cpu_it[i].expires)
			continue;
		if (!sampled) {
			now[CPUCLOCK_VIRT] = tg_cpu_ns(tg, CPUCLOCK_VIRT);
			now[CPUCLOCK_PROF] = now[CPUCLOCK_SCHED] = (int64_t)(tg->utime_ns + tg->stime_ns);
			sampled = true;
		}
		int64_t cur = i == 0 ? now[CPUCLOCK_VIRT] : now[CPUCLOCK_PROF];
		least = MIN(least, tt->cpu_it[i].expires - cur);
	}
	list_for_each_entry(p, &tt->posix, link) {
		if (p->cpu_which < 0 || p->status != PT_ARMED)
			continue;
		if (!sampled) {
			now[CPUCLOCK_VIRT] = tg_cpu_ns(tg, CPUCLOCK_VIRT);
			now[CPUCLOCK_PROF] = now[CPUCLOCK_SCHED] = (int64_t)(tg->utime_ns + tg->stime_ns);
			sampled = true;
		}
		least = MIN(least, p->expires - now[p->cpu_which]);
	}
	if (least == INT64_MAX) {
		ktimer_cancel(&tt->cpu_check);
		return;
	}
	int64_t delay = least / MAX(tg->nr_threads, 1);
	ktimer_arm(&tt->cpu_check, kernel_mono_ns() + MAX(delay, CPU_CHECK_MIN_NS));
}

static void ptimer_expire(struct ptimer *p);

/* check_cpu_itimer() and the POSIX CPU timers. */
static void cpu_check_fn(struct ktimer *kt)
{
	struct tg_timers *tt = container_of(kt, struct tg_timers, cpu_check);
	struct thread_group *tg = tt->tg;
	static const int signals[2] = { SIGVTALRM, SIGPROF };
	struct ptimer *p, *n;

	int64_t virt = tg_cpu_ns(tg, CPUCLOCK_VIRT);
	int64_t prof = (int64_t)(tg->utime_ns + tg->stime_ns);
	for (int i = 0; i < 2; i++) {
		struct cpu_itimer *it = &tt->cpu_it[i];
		int64_t cur = i == 0 ? virt : prof;

		if (!it->expires || cur < it->expires)
			continue;
		it->expires = it->interval ? add_sat(it->expires, it->interval) : 0;
		signal_send_group(tg, signals[i], NULL);
	}
	list_for_each_entry_safe(p, n, &tt->posix, link) {
		if (p->cpu_which < 0 || p->status != PT_ARMED)
			continue;
		if ((p->cpu_which == CPUCLOCK_VIRT ? virt : prof) >= p->expires)
			ptimer_expire(p);
	}
	cpu_check_schedule(tt);
}

/* ---- interval timers ---- */

static void real_fn(struct ktimer *kt)
{
	struct tg_timers *tt = container_of(kt, struct tg_timers, real);

	/* it_real_fn(): SI_KERNEL, re-armed when SIGALRM is dequeued. */
	signal_send_group(tt->tg, SIGALRM, NULL);
}

void itimer_real_dequeued(struct thread_group *tg)
{
	struct tg_timers *tt = tg->timers;

	if (!tt || tt->real.armed || !tt->real_interval)
		return;
	int64_t expires = tt->real.deadline;
	forward(&expires, kernel_mono_ns(), tt->real_interval);
	ktimer_arm(&tt->real, expires);
}

int itimer_get(struct thread_group *tg, int which, struct ktimer_spec *cur)
{
	struct tg_timers *tt = tg->timers;

	memset(cur, 0, sizeof(*cur));
	if (which < KITIMER_REAL || which > KITIMER_PROF)
		return -EINVAL;
	if (!tt)
		return 0;
	if (which == KITIMER_REAL) {
		/* itimer_get_remtime(): an active timer shows at least 1 us. */
		if (tt->real.armed) {
			int64_t rem = tt->real.deadline - kernel_mono_ns();
			cur->value = rem <= 0 ? NSEC_PER_USEC : rem;
		}
		cur->interval = tt->real_interval;
		return 0;
	}
	struct cpu_itimer *it = &tt->cpu_it[which - 1];
	if (it->expires) {
		int64_t now = tg_cpu_ns(tg, which == KITIMER_VIRTUAL ? CPUCLOCK_VIRT : CPUCLOCK_PROF);
		cur->value = it->expires < now ? TICK_NSEC : it->expires - now;
	}
	cur->interval = it->interval;
	return 0;
}

int itimer_set(struct thread_group *tg, int which, const struct ktimer_spec *new,
	       struct ktimer_spec *old)
{
	struct ktimer_spec dummy;

	if (which < KITIMER_REAL || which > KITIMER_PROF)
		return -EINVAL;
	if (!old)
		old = &dummy;
	itimer_get(tg, which, old);
	if (!tg->timers && !new->value && !new->interval)
		return 0;
	struct tg_timers *tt = tg_timers_get(tg);
	if (which == KITIMER_REAL) {
		ktimer_cancel(&tt->real);
		if (new->value) {
			tt->real_interval = new->interval;
			ktimer_arm(&tt->real, add_sat(kernel_mono_ns(), new->value));
		} else {
			tt->real_interval = 0;
		}
		return 0;
	}
	/* set_cpu_itimer(): the interval is kept even when disarming, and a
	 * new value gets one more tick. */
	struct cpu_itimer *it = &tt->cpu_it[which - 1];
	int64_t nval = new->value;
	if (nval)
		nval = add_sat(add_sat(nval, TICK_NSEC),
			       tg_cpu_ns(tg, which == KITIMER_VIRTUAL ? CPUCLOCK_VIRT : CPUCLOCK_PROF));
	it->expires = nval;
	it->interval = new->interval;
	cpu_check_schedule(tt);
	return 0;
}

/* ---- POSIX timers ---- */

static struct ptimer *ptimer_find(struct thread_group *tg, int id)
{
	struct ptimer *p;

	if (!tg->timers || id < 0)
		return NULL;
	list_for_each_entry(p, &tg->timers->posix, link)
		if (p->id == id)
			return p;
	return NULL;
}

static struct ptimer *ptimer_by_cookie(uint64_t cookie)
{
	struct ptimer *p;

	list_for_each_entry(p, &all_ptimers, all_link)
		if (p->cookie == cookie)
			return p;
	return NULL;
}

static void ptimer_kt_fn(struct ktimer *kt)
{
	ptimer_expire(container_of(kt, struct ptimer, kt));
}

/* Starts waiting for p->expires. */
static void ptimer_arm(struct ptimer *p)
{
	if (p->cpu_which >= 0)
		cpu_check_schedule(p->tt);
	else
		ktimer_arm(&p->kt, p->expires);
}

static void ptimer_disarm(struct ptimer *p)
{
	ktimer_cancel(&p->kt);
	p->status = PT_DISARMED;
}

/* The task a timer signal goes to: NULL for the process, or the
 * SIGEV_THREAD_ID thread; false if that thread is gone. */
static bool ptimer_target(struct ptimer *p, struct task **target)
{
	*target = NULL;
	if (!(p->notify & SIGEV_THREAD_ID))
		return true;
	struct task *t = pid_lookup(p->tid);
	if (!t || t->tg != p->tt->tg || t->state == TASK_DEAD)
		return false;
	*target = t;
	return true;
}

/* posix_timer_queue_signal() + posixtimer_send_sigqueue(). */
static void ptimer_expire(struct ptimer *p)
{
	struct task *target;

	if (p->notify == SIGEV_NONE)
		return;
	p->status = p->interval ? PT_REQUEUE_PENDING : PT_DISARMED;
	if (!ptimer_target(p, &target))
		return;
	p->sigqueue_seq = p->signal_seq;
	if (p->queued)
		return; /* still pending: the dequeue settles it */

	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_signo = p->signo;
	info.si_code = SI_TIMER;
	info.si_timerid = p->id;
	info.si_overrun = 0;
	info.si_value.sival_ptr = (void *)(uintptr_t)p->value;
	if (signal_send_timer(p->tt->tg, target, &info, p->cookie) > 0) {
		p->queued = true;
		return;
	}
	/* Ignored. Linux parks a periodic timer until the signal is no
	 * longer ignored; without a hook on sigaction, it keeps running here
	 * at no more than one expiry per tick, counting overruns. */
	if (p->status == PT_REQUEUE_PENDING) {
		int64_t now = ptimer_now(p);
		p->overrun += forward(&p->expires, now, p->interval);
		p->status = PT_ARMED;
		if (p->cpu_which < 0)
			ktimer_arm(&p->kt, MAX(p->expires, now + TICK_NSEC));
	}
}

bool timers_signal_dequeued(struct task *t, uint64_t cookie, siginfo_t *info)
{
	struct ptimer *p = ptimer_by_cookie(cookie);

	if (!p)
		return false; /* deleted (or exec'd away) since */
	p->queued = false;
	if (p->signal_seq != p->sigqueue_seq)
		return false;
	if (p->interval && p->status == PT_REQUEUE_PENDING) {
		p->overrun += forward(&p->expires, ptimer_now(p), p->interval);
		p->status = PT_ARMED;
		ptimer_arm(p);
		p->overrun_last = p->overrun;
		p->overrun = -1;
		p->signal_seq++;
		info->si_overrun = (int)MIN(p->overrun_last, (int64_t)INT_MAX);
	}
	return true;
}

void timers_signal_flushed(uint64_t cookie)
{
	struct ptimer *p = ptimer_by_cookie(cookie);

	if (!p)
		return;
	p->queued = false;
	/* A periodic timer waiting for this dequeue would never re-arm. */
	if (p->interval && p->status == PT_REQUEUE_PENDING) {
		int64_t now = ptimer_now(p);
		p->overrun += forward(&p->expires, now, p->interval);
		p->status = PT_ARMED;
		ptimer_arm(p);
	}
}

/* Validates a clock for timer_create: CPU clocks give their kind. */
static int ptimer_clock(struct task *t, clockid_t clock, int *cpu_which)
{
	*cpu_which = -1;
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		/* The sentry accounts CPU time per process: a thread's clock
		 * is its process's, as clock_gettime reports it. */
		*cpu_which = CPUCLOCK_SCHED;
		return 0;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP; /* no timer_create in their k_clock */
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return -EOPNOTSUPP; /* alarm timers need an RTC; the sandbox has none */
	default:
		break;
	}
	if (clock >= 0 || CPUCLOCK_WHICH(clock) > CPUCLOCK_SCHED)
		return -EINVAL;
	pid_t pid = CPUCLOCK_PID(clock);
	if (CPUCLOCK_PERTHREAD(clock)) {
		struct task *o = pid ? pid_lookup(pid) : t;
		if (!o || o->state == TASK_DEAD || o->tg != t->tg)
			return -EINVAL;
	} else if (pid != 0 && pid != t->tg->tgid) {
		struct thread_group *tg = tg_lookup(pid);
		if (!tg || tg->reaped)
			return -EINVAL;
		log_once("timer-create-other-cpu", "timer_create on another process's CPU clock is not supported");
		return -EINVAL;
	}
	*cpu_which = CPUCLOCK_WHICH(clock);
	return 0;
}

static int ptimer_alloc_id(struct tg_timers *tt)
{
	/* Linux hands out ids per process in sequence from 0. */
	for (int tries = 0; tries < INT_MAX; tries++) {
		int id = tt->next_id;
		tt->next_id = (tt->next_id + 1) & INT_MAX;
		if (!ptimer_find(tt->tg, id))
			return id;
	}
	return -EAGAIN;
}

static void ptimer_free(struct ptimer *p)
{
	ktimer_cancel(&p->kt);
	list_del(&p->link);
	list_del(&p->all_link);
	p->tt->nposix--;
	free(p);
}

int ptimer_create(struct task *t, clockid_t clock, const struct k_sigevent *ev, int *idp)
{
	struct thread_group *tg = t->tg;
	int cpu_which;
	int err = ptimer_clock(t, clock, &cpu_which);

	if (err)
		return err;
	struct tg_timers *tt = tg_timers_get(tg);
	/* Each timer holds a preallocated signal that counts against
	 * RLIMIT_SIGPENDING. */
	if ((rlim_t)tt->nposix >= tg->rlim[RLIMIT_SIGPENDING].rlim_cur)
		return -EAGAIN;
	/* The id is taken before the sigevent is checked, so a refused
	 * sigevent still uses one up (as Linux). */
	int id = ptimer_alloc_id(tt);
	if (id < 0)
		return id;

	struct ptimer *p = xzalloc(sizeof(*p));
	p->tt = tt;
	p->id = id;
	p->clock = clock;
	p->cpu_which = cpu_which;
	list_init(&p->kt.link);
	p->kt.fn = ptimer_kt_fn;
	p->overrun = -1;
	p->cookie = next_cookie++;
	if (ev) {
		/* good_sigevent() */
		switch (ev->sigev_notify) {
		case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
			struct task *o = pid_lookup(ev->sigev_tid);
			if (!o || o->state == TASK_DEAD || o->tg != tg) {
				free(p);
				return -EINVAL;
			}
			p->tid = ev->sigev_tid;
		}
			/* fallthrough */
		case SIGEV_SIGNAL:
		case SIGEV_THREAD:
			if (ev->sigev_signo <= 0 || ev->sigev_signo > SANDBOX_NSIG) {
				free(p);
				return -EINVAL;
			}
			break;
		case SIGEV_NONE:
			break;
		default:
			free(p);
			return -EINVAL;
		}
		p->notify = ev->sigev_notify;
		p->signo = ev->sigev_signo;
		p->value = ev->sigev_value;
	} else {
		p->notify = SIGEV_SIGNAL;
		p->signo = SIGALRM;
		p->value = (uint64_t)(uint32_t)id;
	}
	list_add_tail(&p->link, &tt->posix);
	list_add_tail(&p->all_link, &all_ptimers);
	tt->nposix++;
	*idp = id;
	return 0;
}

void ptimer_destroy(struct task *t, int id)
{
	struct ptimer *p = ptimer_find(t->tg, id);

	if (p)
		ptimer_free(p);
}

/* common_timer_get() */
static void ptimer_get(struct ptimer *p, struct ktimer_spec *cur)
{
	bool sig_none = p->notify == SIGEV_NONE;

	memset(cur, 0, sizeof(*cur));
	if (p->interval)
		cur->interval = p->interval;
	else if (p->status == PT_DISARMED && !sig_none)
		return;
	/* A SIGEV_NONE timer that was never set has nothing to show. */
	if (!p->expires)
		return;
	int64_t now = ptimer_now(p);
	if (p->interval && p->status != PT_ARMED)
		p->overrun += forward(&p->expires, now, p->interval);
	int64_t remaining = p->expires - now;
	if (remaining <= 0) {
		/* Not yet signalled: never show an expired timer as 0. */
		if (!sig_none)
			cur->value = 1;
	} else {
		cur->value = remaining;
	}
}

int ptimer_gettime(struct task *t, int id, struct ktimer_spec *cur)
{
	struct ptimer *p = ptimer_find(t->tg, id);

	if (!p)
		return -EINVAL;
	ptimer_get(p, cur);
	return 0;
}

int ptimer_settime(struct task *t, int id, int flags, const struct ktimer_spec *new,
		   struct ktimer_spec *old)
{
	struct ptimer *p = ptimer_find(t->tg, id);

	if (!p)
		return -EINVAL;
	if (old)
		ptimer_get(p, old);
	/* common_timer_set() */
	ptimer_disarm(p);
	p->interval = new->value ? new->interval : 0;
	p->overrun_last = 0;
	p->overrun = -1;
	p->signal_seq++; /* a queued signal of the old setting goes stale */
	if (!new->value) {
		p->expires = 0;
		return 0;
	}
	if (p->cpu_which >= 0) {
		int64_t now = ptimer_now(p);
		p->expires = (flags & TIMER_ABSTIME) ? new->value : add_sat(now, new->value);
	} else {
		int64_t mono = kernel_mono_ns();
		if (!(flags & TIMER_ABSTIME)) {
			p->expires = add_sat(mono, new->value);
		} else if (p->clock == CLOCK_MONOTONIC) {
			p->expires = new->value;
		} else {
			p->expires = kernel_abs_to_mono(p->clock, new->value);
		}
	}
	if (p->notify == SIGEV_NONE)
		return 0; /* never armed: gettime works from expires */
	p->status = PT_ARMED;
	ptimer_arm(p);
	return 0;
}

int ptimer_getoverrun(struct task *t, int id)
{
	struct ptimer *p = ptimer_find(t->tg, id);

	if (!p)
		return -EINVAL;
	return (int)MIN(p->overrun_last, (int64_t)INT_MAX);
}

int ptimer_delete(struct task *t, int id)
{
	struct ptimer *p = ptimer_find(t->tg, id);

	if (!p)
		return -EINVAL;
	/* A signal still queued is dropped at dequeue (no timer). */
	ptimer_free(p);
	return 0;
}

/* ---- lifecycle ---- */

static void ptimers_delete_all(struct tg_timers *tt)
{
	struct ptimer *p, *n;

	/* The id sequence goes on (an exec'd image's first timer is not 0). */
	list_for_each_entry_safe(p, n, &tt->posix, link)
		ptimer_free(p);
}

void timers_exec(struct thread_group *tg)
{
	if (!tg->timers)
		return;
	ptimers_delete_all(tg->timers);
	cpu_check_schedule(tg->timers);
}

void timers_exit(struct thread_group *tg)
{
	struct tg_timers *tt = tg->timers;

	if (!tt)
		return;
	ptimers_delete_all(tt);
	ktimer_cancel(&tt->real);
	ktimer_cancel(&tt->cpu_check);
	free(tt);
	tg->timers = NULL;
}
