/* POSIX timers: timer_create arguments and ids, SIGEV_SIGNAL (siginfo:
 * SI_TIMER, si_timerid, si_value, si_overrun), the default sigevent,
 * SIGEV_NONE, SIGEV_THREAD_ID, periodic overruns and timer_getoverrun,
 * stale signals of a re-set or deleted timer, absolute times, a CPU-time
 * clock, fork (not inherited) and execve (deleted). */
#include "conformance.h"
#include <time.h>

#define MS 1000000LL

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static struct itimerspec spec(int64_t value, int64_t interval)
{
	struct itimerspec its = {
		.it_interval = { interval / 1000000000LL, interval % 1000000000LL },
		.it_value = { value / 1000000000LL, value % 1000000000LL },
	};
	return its;
}

static long raw_create(clockid_t clock, struct sigevent *ev)
{
	int id = -1;
	long r = syscall(SYS_timer_create, clock, ev, &id);
	return r < 0 ? r : id;
}

static int exec_child(const char *id_str)
{
	long id = strtol(id_str, NULL, 10);
	struct itimerspec cur;
	/* The timer the image before exec made is gone. */
	if (timer_gettime((timer_t)id, &cur) != -1 || errno != EINVAL)
		return 1;
	/* The id sequence goes on. */
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	timer_t t;
	if (timer_create(CLOCK_MONOTONIC, &ev, &t) < 0 || (long)t != id + 1)
		return 2;
	return 0;
}

static volatile sig_atomic_t got_usr2;
static void on_usr2(int sig) { (void)sig; got_usr2++; }

int main(int argc, char **argv)
{
	struct sigevent ev;
	struct itimerspec its, cur, old;
	timer_t t0, t1;
	siginfo_t si;

	if (argc > 2 && strcmp(argv[1], "exec-child") == 0)
		return exec_child(argv[2]);

	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigaddset(&usr1, SIGALRM);
	sigaddset(&usr1, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &usr1, NULL);

	/* Ids: per process, in sequence from 0. */
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 99;
	CHECK_OK("create.first", timer_create(CLOCK_MONOTONIC, &ev, &t0));
	CHECK_EQ("create.first_id_0", (long)t0, 0);
	/* The kernel's default sigevent (glibc passes its own for NULL). */
	long id1 = raw_create(CLOCK_REALTIME, NULL);
	CHECK_EQ("create.second_id_1", id1, 1);
	t1 = (timer_t)id1;

	CHECK_EQ("create.bad_clock_einval", raw_create(99, &ev), -1);
	CHECK_EQ("create.bad_clock_errno", errno, EINVAL);
	CHECK_EQ("create.raw_clock_eopnotsupp", raw_create(CLOCK_MONOTONIC_RAW, &ev), -1);
	CHECK_EQ("create.raw_clock_errno", errno, EOPNOTSUPP);
	CHECK_EQ("create.coarse_clock_eopnotsupp", raw_create(CLOCK_REALTIME_COARSE, &ev), -1);
	struct sigevent bad = ev;
	bad.sigev_signo = 0;
	CHECK_ERR("create.signo_0_einval", raw_create(CLOCK_MONOTONIC, &bad), EINVAL);
	bad.sigev_signo = 65;
	CHECK_ERR("create.signo_65_einval", raw_create(CLOCK_MONOTONIC, &bad), EINVAL);
	bad = ev;
	bad.sigev_notify = 99;
	CHECK_ERR("create.bad_notify_einval", raw_create(CLOCK_MONOTONIC, &bad), EINVAL);
	bad = ev;
	bad.sigev_notify = SIGEV_THREAD_ID;
	bad._sigev_un._tid = 0x3fffffff;
	CHECK_ERR("create.thread_id_missing_einval", raw_create(CLOCK_MONOTONIC, &bad), EINVAL);
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	bad._sigev_un._tid = c;
	CHECK_ERR("create.thread_id_other_process_einval", raw_create(CLOCK_MONOTONIC, &bad), EINVAL);
	kill(c, SIGKILL);
	conf_wait(c);
	CHECK_ERR("create.efault_sigevent", syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &t1),
		  EFAULT);

	/* settime/gettime arguments. */
	its = spec(0, 0);
	its.it_value.tv_nsec = 1000000000;
	CHECK_ERR("settime.bad_nsec_einval", timer_settime(t0, 0, &its, NULL), EINVAL);
	its = spec(0, 0);
	its.it_interval.tv_sec = -1;
	CHECK_ERR("settime.negative_einval", timer_settime(t0, 0, &its, NULL), EINVAL);
	CHECK_ERR("settime.null_einval", syscall(SYS_timer_settime, (long)t0, 0, NULL, NULL), EINVAL);
	its = spec(MS, 0);
	CHECK_ERR("settime.bad_id_einval", timer_settime((timer_t)12345, 0, &its, NULL), EINVAL);
	CHECK_ERR("gettime.bad_id_einval", timer_gettime((timer_t)12345, &cur), EINVAL);
	CHECK_ERR("getoverrun.bad_id_einval", timer_getoverrun((timer_t)12345), EINVAL);
	CHECK_OK("gettime.unarmed", timer_gettime(t0, &cur));
	CHECK("gettime.unarmed_zero", ts_ns(&cur.it_value) == 0 && ts_ns(&cur.it_interval) == 0);

	/* One-shot SIGEV_SIGNAL. */
	its = spec(20 * MS, 0);
	CHECK_OK("oneshot.settime", timer_settime(t0, 0, &its, NULL));
	CHECK_OK("oneshot.gettime", timer_gettime(t0, &cur));
	CHECK("oneshot.remaining", ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 20 * MS);
	CHECK_EQ("oneshot.signal", sigwaitinfo(&usr1, &si), SIGUSR1);
	CHECK_EQ("oneshot.si_code", si.si_code, SI_TIMER);
	CHECK_EQ("oneshot.si_timerid", si.si_timerid, (long)t0);
	CHECK_EQ("oneshot.si_value", si.si_value.sival_int, 99);
	CHECK_EQ("oneshot.si_overrun", si.si_overrun, 0);
	CHECK_OK("oneshot.gettime_after", timer_gettime(t0, &cur));
	CHECK_EQ("oneshot.expired_zero", ts_ns(&cur.it_value), 0);
	CHECK_EQ("oneshot.getoverrun", timer_getoverrun(t0), 0);

	/* The default sigevent: SIGALRM with the id as value. */
	its = spec(10 * MS, 0);
	timer_settime(t1, 0, &its, NULL);
	CHECK_EQ("default.sigalrm", sigwaitinfo(&usr1, &si), SIGALRM);
	CHECK_EQ("default.si_value_is_id", si.si_value.sival_int, (long)t1);
	CHECK_EQ("default.si_code", si.si_code, SI_TIMER);

	/* Periodic: missed expirations become the overrun. */
	its = spec(5 * MS, 5 * MS);
	int64_t p0 = conf_mono_ns();
	timer_settime(t0, 0, &its, NULL);
	conf_msleep(60);
	CHECK_OK("periodic.gettime_pending", timer_gettime(t0, &cur));
	CHECK("periodic.next_within_interval", ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 5 * MS);
	CHECK_EQ("periodic.interval", ts_ns(&cur.it_interval), 5 * MS);
	CHECK_EQ("periodic.signal", sigwaitinfo(&usr1, &si), SIGUSR1);
	/* 12 periods slept, the first one signalled: at least 10 missed; at
	 * most what elapsed (a loaded machine sleeps longer). */
	int64_t w0 = conf_mono_ns();
	CHECK("periodic.overrun", si.si_overrun >= 10 && si.si_overrun <= (w0 - p0) / (5 * MS));
	CHECK_EQ("periodic.getoverrun_matches", timer_getoverrun(t0), si.si_overrun);
	CHECK_EQ("periodic.next_signal", sigwaitinfo(&usr1, &si), SIGUSR1);
	int64_t w1 = conf_mono_ns();
	CHECK("periodic.next_soon", w1 - w0 < 1000 * MS);
	CHECK("periodic.next_overrun_bounded", si.si_overrun <= (w1 - w0) / (5 * MS) + 1);
	its = spec(0, 0);
	CHECK_OK("periodic.disarm", timer_settime(t0, 0, &its, &old));
	CHECK_EQ("periodic.disarm_old_interval", ts_ns(&old.it_interval), 5 * MS);
	CHECK_EQ("periodic.getoverrun_reset", timer_getoverrun(t0), 0);

	/* A queued signal of an earlier setting is dropped when dequeued. */
	its = spec(MS, 0);
	timer_settime(t0, 0, &its, NULL);
	conf_msleep(20);
	sigset_t pend;
	sigpending(&pend);
	CHECK("stale.pending", sigismember(&pend, SIGUSR1));
	its = spec(100000 * MS, 0);
	timer_settime(t0, 0, &its, NULL);
	struct timespec zero = { 0, 0 };
	CHECK_ERR("stale.after_settime_dropped", sigtimedwait(&usr1, &si, &zero), EAGAIN);
	its = spec(MS, 0);
	timer_settime(t0, 0, &its, NULL);
	conf_msleep(20);
	CHECK_OK("stale.delete", timer_delete(t0));
	CHECK_ERR("stale.after_delete_dropped", sigtimedwait(&usr1, &si, &zero), EAGAIN);
	CHECK_ERR("delete.twice_einval", timer_delete(t0), EINVAL);
	CHECK_ERR("delete.gettime_einval", timer_gettime(t0, &cur), EINVAL);
	timer_delete(t1);

	/* SIGEV_NONE: no signal, but the timer runs. */
	timer_t tn;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_NONE;
	CHECK_OK("none.create", timer_create(CLOCK_MONOTONIC, &ev, &tn));
	its = spec(30 * MS, 0);
	timer_settime(tn, 0, &its, NULL);
	timer_gettime(tn, &cur);
	CHECK("none.running", ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 30 * MS);
	conf_msleep(40);
	timer_gettime(tn, &cur);
	CHECK_EQ("none.expired_zero", ts_ns(&cur.it_value), 0);
	its = spec(10 * MS, 10 * MS);
	timer_settime(tn, 0, &its, NULL);
	conf_msleep(35);
	timer_gettime(tn, &cur);
	CHECK("none.periodic_next", ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 10 * MS);
	sigpending(&pend);
	CHECK("none.no_signal", !sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGALRM));
	timer_delete(tn);

	/* SIGEV_THREAD_ID to this thread, absolute MONOTONIC time. */
	timer_t tt;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGRTMIN;
	ev._sigev_un._tid = gettid();
	ev.sigev_value.sival_int = 5;
	CHECK_OK("thread_id.create", timer_create(CLOCK_MONOTONIC, &ev, &tt));
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	its = spec(ts_ns(&now) + 20 * MS, 0);
	CHECK_OK("abs.settime", timer_settime(tt, TIMER_ABSTIME, &its, NULL));
	CHECK_EQ("thread_id.signal", sigwaitinfo(&usr1, &si), SIGRTMIN);
	CHECK_EQ("thread_id.value", si.si_value.sival_int, 5);
	clock_gettime(CLOCK_MONOTONIC, &now);
	CHECK("abs.not_early", ts_ns(&now) >= ts_ns(&its.it_value));
	timer_delete(tt);

	/* REALTIME absolute time in the past fires at once. */
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	timer_t tr;
	timer_create(CLOCK_REALTIME, &ev, &tr);
	clock_gettime(CLOCK_REALTIME, &now);
	its = spec(ts_ns(&now) - 1000 * MS, 0);
	timer_settime(tr, TIMER_ABSTIME, &its, NULL);
	struct timespec second = { 1, 0 };
	CHECK_EQ("abs.realtime_past_fires", sigtimedwait(&usr1, &si, &second), SIGUSR1);
	timer_delete(tr);

	/* A CPU-time clock: fires after the process used the CPU. */
	struct sigaction sa = { .sa_handler = on_usr2 };
	sigaction(SIGUSR2, &sa, NULL);
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR2;
	timer_t tc;
	CHECK_OK("cpu.create", timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &tc));
	its = spec(30 * MS, 0);
	CHECK_OK("cpu.settime", timer_settime(tc, 0, &its, NULL));
	int64_t end = conf_mono_ns() + 5000 * MS;
	while (!got_usr2 && conf_mono_ns() < end) {
		volatile unsigned long x = 0;
		for (int i = 0; i < 100000; i++)
			x += i;
	}
	CHECK_EQ("cpu.fired", got_usr2, 1);
	timer_delete(tc);

	/* Not inherited by fork. */
	timer_t tf;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_NONE;
	timer_create(CLOCK_MONOTONIC, &ev, &tf);
	c = fork();
	if (c == 0)
		_exit(timer_gettime(tf, &cur) == -1 && errno == EINVAL ? 0 : 1);
	CHECK_EXIT("fork.not_inherited", conf_wait(c), 0);

	/* Deleted by execve; the id sequence goes on. */
	c = fork();
	if (c == 0) {
		timer_t te;
		char id[16];
		if (timer_create(CLOCK_MONOTONIC, &ev, &te) < 0)
			_exit(90);
		snprintf(id, sizeof(id), "%ld", (long)te);
		char *args[] = { argv[0], "exec-child", id, NULL };
		execv(argv[0], args);
		_exit(99);
	}
	CHECK_EXIT("exec.timers_deleted", conf_wait(c), 0);
	timer_delete(tf);
	return conf_done();
}
