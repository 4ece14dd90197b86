/* setitimer/getitimer/alarm: arguments, ITIMER_REAL one-shot and
 * periodic (SIGALRM, SI_KERNEL), old values, alarm's rounding, the
 * default action, ITIMER_VIRTUAL and ITIMER_PROF from CPU time, not
 * inherited by fork, kept across execve. */
#include "conformance.h"
#include <sys/time.h>

#define MS 1000000LL

static volatile sig_atomic_t got_alrm, got_vtalrm, got_prof;
static void on_alrm(int sig) { (void)sig; got_alrm++; }
static void on_vtalrm(int sig) { (void)sig; got_vtalrm++; }
static void on_prof(int sig) { (void)sig; got_prof++; }

static int64_t tv_ns(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000000LL + tv->tv_usec * 1000LL;
}

static struct itimerval itv(int64_t value_ns, int64_t interval_ns)
{
	struct itimerval v = {
		.it_interval = { interval_ns / 1000000000LL, (interval_ns % 1000000000LL) / 1000 },
		.it_value = { value_ns / 1000000000LL, (value_ns % 1000000000LL) / 1000 },
	};
	return v;
}

/* Spins on the CPU until *flag is set or 5 s of wall time pass. */
static void spin_until(volatile sig_atomic_t *flag)
{
	int64_t end = conf_mono_ns() + 5000 * MS;
	volatile unsigned long x = 0;
	while (!*flag && conf_mono_ns() < end)
		for (int i = 0; i < 100000; i++)
			x += i;
}

static int exec_child(void)
{
	struct itimerval cur;
	if (getitimer(ITIMER_REAL, &cur) < 0)
		return 10;
	/* Set to 10 s before the exec. */
	if (tv_ns(&cur.it_value) <= 0 || tv_ns(&cur.it_value) > 10000 * MS)
		return 11;
	if (tv_ns(&cur.it_interval) != 7000 * MS)
		return 12;
	return 0;
}

int main(int argc, char **argv)
{
	struct itimerval v, old, cur;

	if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
		return exec_child();

	for (int w = 0; w < 3; w++) {
		char name[64];
		snprintf(name, sizeof(name), "get.fresh_zero_%d", w);
		CHECK(name, getitimer(w, &cur) == 0 && tv_ns(&cur.it_value) == 0 &&
			    tv_ns(&cur.it_interval) == 0);
	}
	CHECK_ERR("get.bad_which_einval", getitimer(3, &cur), EINVAL);
	CHECK_ERR("get.null_efault", syscall(SYS_getitimer, ITIMER_REAL, NULL), EFAULT);
	v = itv(0, 0);
	CHECK_ERR("set.bad_which_einval", setitimer(3, &v, NULL), EINVAL);
	v.it_value.tv_usec = 1000000;
	CHECK_ERR("set.usec_too_big_einval", setitimer(ITIMER_REAL, &v, NULL), EINVAL);
	v = itv(0, 0);
	v.it_interval.tv_usec = -1;
	CHECK_ERR("set.negative_usec_einval", setitimer(ITIMER_REAL, &v, NULL), EINVAL);
	v = itv(0, 0);
	v.it_value.tv_sec = -1;
	CHECK_ERR("set.negative_sec_einval", setitimer(ITIMER_REAL, &v, NULL), EINVAL);

	/* ITIMER_REAL: value, interval, old value. */
	v = itv(5000 * MS, 2000 * MS);
	CHECK_OK("real.set", setitimer(ITIMER_REAL, &v, &old));
	CHECK_EQ("real.old_was_zero", tv_ns(&old.it_value), 0);
	CHECK_OK("real.get", getitimer(ITIMER_REAL, &cur));
	CHECK("real.get_value", tv_ns(&cur.it_value) > 4000 * MS && tv_ns(&cur.it_value) <= 5000 * MS);
	CHECK_EQ("real.get_interval", tv_ns(&cur.it_interval), 2000 * MS);
	v = itv(0, 3000 * MS);
	CHECK_OK("real.disarm", setitimer(ITIMER_REAL, &v, &old));
	CHECK("real.disarm_old_value", tv_ns(&old.it_value) > 4000 * MS);
	CHECK_EQ("real.disarm_old_interval", tv_ns(&old.it_interval), 2000 * MS);
	getitimer(ITIMER_REAL, &cur);
	CHECK_EQ("real.disarmed_value", tv_ns(&cur.it_value), 0);
	CHECK_EQ("real.disarmed_interval_dropped", tv_ns(&cur.it_interval), 0);
	v = itv(3000 * MS, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	CHECK_OK("real.null_new_disarms", syscall(SYS_setitimer, ITIMER_REAL, NULL, &old));
	CHECK("real.null_new_old_value", tv_ns(&old.it_value) > 2000 * MS);
	getitimer(ITIMER_REAL, &cur);
	CHECK_EQ("real.null_new_disarmed", tv_ns(&cur.it_value), 0);

	/* One-shot expiry runs the handler. */
	struct sigaction sa = { .sa_handler = on_alrm };
	sigaction(SIGALRM, &sa, NULL);
	got_alrm = 0;
	int64_t t0 = conf_mono_ns();
	v = itv(50 * MS, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	while (!got_alrm && conf_mono_ns() - t0 < 5000 * MS)
		pause();
	CHECK_EQ("real.oneshot_fired", got_alrm, 1);
	CHECK("real.oneshot_waited", conf_mono_ns() - t0 >= 45 * MS);
	getitimer(ITIMER_REAL, &cur);
	CHECK_EQ("real.oneshot_then_zero", tv_ns(&cur.it_value), 0);

	/* Periodic, collected with sigwaitinfo: SI_KERNEL. */
	sigset_t alrm;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, NULL);
	v = itv(20 * MS, 20 * MS);
	setitimer(ITIMER_REAL, &v, NULL);
	int n = 0, code_ok = 1;
	for (; n < 3; n++) {
		siginfo_t si;
		if (sigwaitinfo(&alrm, &si) != SIGALRM)
			break;
		if (si.si_code != SI_KERNEL)
			code_ok = 0;
	}
	CHECK_EQ("real.periodic_three", n, 3);
	CHECK("real.periodic_si_kernel", code_ok);
	v = itv(0, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	sigprocmask(SIG_UNBLOCK, &alrm, NULL);

	/* alarm() */
	CHECK_EQ("alarm.first", alarm(5), 0);
	CHECK_EQ("alarm.previous", alarm(0), 5);
	CHECK_EQ("alarm.none_left", alarm(0), 0);
	v = itv(400 * MS, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	CHECK_EQ("alarm.rounds_up_below_1s", alarm(0), 1);
	v = itv(2600 * MS, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	CHECK_EQ("alarm.rounds_half_up", alarm(0), 3);
	v = itv(2200 * MS, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	CHECK_EQ("alarm.rounds_down", alarm(0), 2);

	/* The default action of SIGALRM ends the process. */
	pid_t c = fork();
	if (c == 0) {
		signal(SIGALRM, SIG_DFL);
		struct itimerval w = itv(30 * MS, 0);
		setitimer(ITIMER_REAL, &w, NULL);
		for (;;)
			pause();
	}
	CHECK_KILLED("real.default_kills", conf_wait(c), SIGALRM);

	/* CPU-time timers. */
	v = itv(0, 1000 * MS);
	setitimer(ITIMER_VIRTUAL, &v, NULL);
	getitimer(ITIMER_VIRTUAL, &cur);
	CHECK_EQ("virtual.disarmed_value", tv_ns(&cur.it_value), 0);
	CHECK_EQ("virtual.interval_kept", tv_ns(&cur.it_interval), 1000 * MS);
	v = itv(1000 * MS, 0);
	setitimer(ITIMER_PROF, &v, NULL);
	getitimer(ITIMER_PROF, &cur);
	/* One tick (4 ms) is added to a new CPU timer. */
	CHECK("prof.value_with_tick", tv_ns(&cur.it_value) > 990 * MS && tv_ns(&cur.it_value) <= 1004 * MS);
	v = itv(0, 0);
	setitimer(ITIMER_PROF, &v, &old);
	CHECK("prof.old_value", tv_ns(&old.it_value) > 990 * MS);

	struct sigaction vs = { .sa_handler = on_vtalrm };
	sigaction(SIGVTALRM, &vs, NULL);
	v = itv(30 * MS, 0);
	t0 = conf_mono_ns();
	CHECK_OK("virtual.set", setitimer(ITIMER_VIRTUAL, &v, NULL));
	spin_until(&got_vtalrm);
	CHECK_EQ("virtual.fired", got_vtalrm, 1);
	CHECK("virtual.after_cpu_time", conf_mono_ns() - t0 >= 25 * MS);
	struct sigaction ps = { .sa_handler = on_prof };
	sigaction(SIGPROF, &ps, NULL);
	v = itv(20 * MS, 20 * MS);
	CHECK_OK("prof.set_periodic", setitimer(ITIMER_PROF, &v, NULL));
	spin_until(&got_prof);
	CHECK("prof.fired", got_prof >= 1);
	int before = got_prof;
	volatile sig_atomic_t *p = &got_prof;
	int64_t end = conf_mono_ns() + 5000 * MS;
	while (*p == before && conf_mono_ns() < end) {
		volatile unsigned long x = 0;
		for (int i = 0; i < 100000; i++)
			x += i;
	}
	CHECK("prof.periodic_fires_again", got_prof > before);
	v = itv(0, 0);
	setitimer(ITIMER_PROF, &v, NULL);

	/* Not inherited by fork. */
	v = itv(10000 * MS, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	c = fork();
	if (c == 0) {
		struct itimerval k;
		getitimer(ITIMER_REAL, &k);
		_exit(tv_ns(&k.it_value) == 0 ? 0 : 1);
	}
	CHECK_EXIT("fork.not_inherited", conf_wait(c), 0);

	/* Kept across execve (the process's signal state survives). */
	c = fork();
	if (c == 0) {
		char *args[] = { argv[0], "exec-child", NULL };
		v = itv(10000 * MS, 7000 * MS);
		setitimer(ITIMER_REAL, &v, NULL);
		execv(argv[0], args);
		_exit(99);
	}
	CHECK_EXIT("exec.itimer_kept", conf_wait(c), 0);
	v = itv(0, 0);
	setitimer(ITIMER_REAL, &v, NULL);
	return conf_done();
}
