/* Clocks and sleeping. */
#include "conformance.h"
#include <sys/time.h>
#include <sys/times.h>

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* Raw syscalls too: libc may answer from the vDSO, which the sandbox
 * need not have; both paths must work. */
static long raw_clock_gettime(clockid_t id, struct timespec *ts)
{
	return syscall(SYS_clock_gettime, id, ts);
}

int main(void)
{
	struct timespec a, b, res;

	CHECK_OK("clock_gettime.monotonic", clock_gettime(CLOCK_MONOTONIC, &a));
	int nondecreasing = 1;
	for (int i = 0; i < 1000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (ts_ns(&b) < ts_ns(&a))
			nondecreasing = 0;
		a = b;
	}
	CHECK("clock_gettime.monotonic_nondecreasing", nondecreasing);
	CHECK("clock_gettime.nsec_in_range", a.tv_nsec >= 0 && a.tv_nsec < 1000000000L);
	CHECK_OK("clock_gettime.raw_monotonic", raw_clock_gettime(CLOCK_MONOTONIC, &b));
	CHECK("clock_gettime.raw_agrees", ts_ns(&b) >= ts_ns(&a) && ts_ns(&b) - ts_ns(&a) < 1000000000LL);

	static const struct {
		clockid_t id;
		const char *name;
	} clocks[] = {
		{ CLOCK_REALTIME, "realtime" },
		{ CLOCK_MONOTONIC, "monotonic" },
		{ CLOCK_MONOTONIC_RAW, "monotonic_raw" },
		{ CLOCK_REALTIME_COARSE, "realtime_coarse" },
		{ CLOCK_MONOTONIC_COARSE, "monotonic_coarse" },
		{ CLOCK_BOOTTIME, "boottime" },
		{ CLOCK_PROCESS_CPUTIME_ID, "process_cputime" },
		{ CLOCK_THREAD_CPUTIME_ID, "thread_cputime" },
	};
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "clock_gettime.%s", clocks[i].name);
		CHECK_OK(name, raw_clock_gettime(clocks[i].id, &a));
		snprintf(name, sizeof(name), "clock_getres.%s", clocks[i].name);
		res.tv_sec = -1;
		CHECK_OK(name, syscall(SYS_clock_getres, clocks[i].id, &res));
		snprintf(name, sizeof(name), "clock_getres.%s_sane", clocks[i].name);
		CHECK(name, res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000L);
	}
	CHECK_OK("clock_getres.null_res", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
	CHECK_ERR("clock_gettime.bad_clock_einval", raw_clock_gettime(12345, &a), EINVAL);
	CHECK_ERR("clock_gettime.libc_bad_clock_einval", clock_gettime(12345, &a), EINVAL);
	CHECK_ERR("clock_getres.bad_clock_einval", syscall(SYS_clock_getres, 12345, &res), EINVAL);
	CHECK_ERR("clock_gettime.efault", raw_clock_gettime(CLOCK_MONOTONIC, (void *)1), EFAULT);

	/* Real time: plausible (after 2020), and gettimeofday/time agree. */
	struct timeval tv;
	CHECK_OK("clock_gettime.realtime", clock_gettime(CLOCK_REALTIME, &a));
	CHECK("clock_gettime.realtime_after_2020", a.tv_sec > 1577836800L);
	CHECK_OK("gettimeofday.call", gettimeofday(&tv, NULL));
	CHECK("gettimeofday.usec_in_range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	int64_t d = (int64_t)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL - ts_ns(&a);
	CHECK("gettimeofday.within_1s_of_realtime", d > -1000000000LL && d < 1000000000LL);
	struct timeval rtv;
	CHECK_OK("gettimeofday.raw", syscall(SYS_gettimeofday, &rtv, NULL));
	CHECK("gettimeofday.raw_agrees", rtv.tv_sec - tv.tv_sec >= 0 && rtv.tv_sec - tv.tv_sec <= 1);
	time_t t = 0;
	CHECK("time.agrees", labs((long)syscall(SYS_time, &t) - (long)tv.tv_sec) <= 1 && labs(t - tv.tv_sec) <= 1);

	/* nanosleep sleeps at least as long as asked. */
	struct timespec req = { 0, 10 * 1000000L };
	int64_t t0 = conf_mono_ns();
	CHECK_OK("nanosleep.10ms", nanosleep(&req, NULL));
	int64_t slept = conf_mono_ns() - t0;
	CHECK("nanosleep.at_least_10ms", slept >= 10000000LL);
	CHECK("nanosleep.less_than_2s", slept < 2000000000LL);
	req.tv_nsec = 1000000000L;
	CHECK_ERR("nanosleep.bad_nsec_einval", nanosleep(&req, NULL), EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	CHECK_ERR("nanosleep.negative_einval", nanosleep(&req, NULL), EINVAL);
	req.tv_sec = 0;
	req.tv_nsec = 0;
	CHECK_OK("nanosleep.zero", nanosleep(&req, NULL));

	/* clock_nanosleep, relative and absolute. */
	req.tv_nsec = 5 * 1000000L;
	t0 = conf_mono_ns();
	CHECK_EQ("clock_nanosleep.relative", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), 0);
	CHECK("clock_nanosleep.relative_duration", conf_mono_ns() - t0 >= 5000000LL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	a.tv_nsec += 20 * 1000000L;
	if (a.tv_nsec >= 1000000000L) {
		a.tv_sec++;
		a.tv_nsec -= 1000000000L;
	}
	CHECK_EQ("clock_nanosleep.absolute", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &a, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("clock_nanosleep.absolute_reached", ts_ns(&b) >= ts_ns(&a));
	a.tv_sec -= 10;
	t0 = conf_mono_ns();
	CHECK_EQ("clock_nanosleep.absolute_past", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &a, NULL), 0);
	CHECK("clock_nanosleep.absolute_past_immediate", conf_mono_ns() - t0 < 1000000000LL);
	CHECK_EQ("clock_nanosleep.bad_clock", clock_nanosleep(12345, 0, &req, NULL), EINVAL);

	/* CPU time of a busy loop moves forward; times() works. */
	struct timespec c0, c1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	volatile unsigned long spin = 0;
	for (unsigned long i = 0; i < 20000000UL; i++)
		spin += i;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	CHECK("clock_gettime.cputime_advances", ts_ns(&c1) > ts_ns(&c0));
	struct tms tm;
	CHECK("times.call", times(&tm) != (clock_t)-1);

	return conf_done();
}
