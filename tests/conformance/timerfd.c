/* timerfd: create/settime/gettime arguments, one-shot and periodic
 * expirations counted by read, absolute times on MONOTONIC and REALTIME,
 * disarming, TFD_NONBLOCK, poll/epoll readiness, TFD_IOC_SET_TICKS,
 * sharing with a child. Timing checks use generous bounds. */
#include "conformance.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

#define MS 1000000L

static struct itimerspec spec(long value_ns, long interval_ns)
{
	struct itimerspec its = {
		.it_interval = { interval_ns / 1000000000L, interval_ns % 1000000000L },
		.it_value = { value_ns / 1000000000L, value_ns % 1000000000L },
	};
	return its;
}

/* What /proc/self/fd/N says the file is. */
static const char *fd_link(int fd)
{
	static char buf[64];
	char path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void on_signal(int sig) { (void)sig; }

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static short revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDNORM };
	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

int main(void)
{
	struct itimerspec its, cur;
	uint64_t ticks;

	CHECK_ERR("create.bad_clock_einval", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	CHECK_ERR("create.bad_clock2_einval", timerfd_create(99, 0), EINVAL);
	CHECK_ERR("create.bad_flags_einval", timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK("create.monotonic", fd > 2);
	CHECK_EQ("create.rdwr", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	struct stat st;
	CHECK_OK("create.fstat", fstat(fd, &st));
	CHECK_EQ("create.fstat_mode", st.st_mode, 0600);
	CHECK_STR("create.proc_fd_link", fd_link(fd), "anon_inode:[timerfd]");
	int nb = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	CHECK("create.realtime_nonblock", nb > 2);
	CHECK("create.nonblock_flag", fcntl(nb, F_GETFL) & O_NONBLOCK);
	CHECK_EQ("create.cloexec_flag", fcntl(nb, F_GETFD), FD_CLOEXEC);
	int bt = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
	CHECK("create.boottime", bt > 2);

	CHECK_OK("gettime.fresh", timerfd_gettime(fd, &cur));
	CHECK("gettime.fresh_zero", ts_ns(&cur.it_value) == 0 && ts_ns(&cur.it_interval) == 0);
	CHECK_ERR("read.unarmed_nonblock_eagain", read(nb, &ticks, 8), EAGAIN);
	CHECK_EQ("poll.unarmed", revents(nb), 0);

	its = spec(10 * MS, 0);
	CHECK_ERR("settime.bad_flags_einval", timerfd_settime(fd, 4, &its, NULL), EINVAL);
	its = spec(0, 0);
	its.it_value.tv_nsec = 1000000000;
	CHECK_ERR("settime.bad_nsec_einval", timerfd_settime(fd, 0, &its, NULL), EINVAL);
	its = spec(0, 0);
	its.it_interval.tv_sec = -1;
	CHECK_ERR("settime.negative_interval_einval", timerfd_settime(fd, 0, &its, NULL), EINVAL);
	its = spec(10 * MS, 0);
	CHECK_ERR("settime.bad_fd_ebadf", timerfd_settime(999, 0, &its, NULL), EBADF);
	int efd = eventfd(0, 0);
	CHECK_ERR("settime.not_timerfd_einval", timerfd_settime(efd, 0, &its, NULL), EINVAL);
	CHECK_ERR("gettime.not_timerfd_einval", timerfd_gettime(efd, &cur), EINVAL);
	close(efd);
	CHECK_ERR("settime.null_efault", syscall(SYS_timerfd_settime, fd, 0, NULL, NULL), EFAULT);

	/* One-shot: read blocks until the expiry, then counts 1. */
	its = spec(50 * MS, 0);
	int64_t t0 = conf_mono_ns();
	CHECK_OK("oneshot.settime", timerfd_settime(fd, 0, &its, NULL));
	CHECK_OK("oneshot.gettime", timerfd_gettime(fd, &cur));
	CHECK("oneshot.remaining", ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 50 * MS);
	CHECK_EQ("oneshot.read_len", read(fd, &ticks, sizeof(ticks)), 8);
	CHECK_EQ("oneshot.ticks", ticks, 1);
	CHECK("oneshot.waited", conf_mono_ns() - t0 >= 45 * MS);
	CHECK_OK("oneshot.gettime_after", timerfd_gettime(fd, &cur));
	CHECK_EQ("oneshot.expired_value_zero", ts_ns(&cur.it_value), 0);
	char small[4];
	CHECK_ERR("read.short_buffer_einval", read(fd, small, sizeof(small)), EINVAL);

	/* Periodic: the expirations missed while nobody read are counted. */
	int pt = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	its = spec(10 * MS, 10 * MS);
	int64_t p0 = conf_mono_ns();
	timerfd_settime(pt, 0, &its, NULL);
	conf_msleep(65);
	CHECK_EQ("periodic.poll_ready", revents(pt), POLLIN);
	uint64_t big[2] = { 0, 0 };
	CHECK_EQ("periodic.read_16_returns_8", read(pt, big, sizeof(big)), 8);
	/* At least the 6 periods slept; at most what elapsed (a loaded
	 * machine sleeps longer). */
	uint64_t most = (uint64_t)((conf_mono_ns() - p0) / (10 * MS));
	CHECK("periodic.missed_counted", big[0] >= 6 && big[0] <= most);
	CHECK_ERR("periodic.drained_eagain", read(pt, &ticks, 8), EAGAIN);
	CHECK_OK("periodic.gettime", timerfd_gettime(pt, &cur));
	CHECK("periodic.next_within_interval", ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 10 * MS);
	CHECK_EQ("periodic.interval", ts_ns(&cur.it_interval), 10 * MS);
	/* Re-setting returns the old setting and clears the count. */
	conf_msleep(25);
	its = spec(10 * 1000 * MS, 0);
	struct itimerspec old;
	CHECK_OK("reset.settime", timerfd_settime(pt, 0, &its, &old));
	CHECK_EQ("reset.old_interval", ts_ns(&old.it_interval), 10 * MS);
	CHECK("reset.old_value", ts_ns(&old.it_value) > 0 && ts_ns(&old.it_value) <= 10 * MS);
	CHECK_ERR("reset.ticks_cleared", read(pt, &ticks, 8), EAGAIN);
	CHECK_OK("reset.gettime", timerfd_gettime(pt, &cur));
	CHECK("reset.remaining", ts_ns(&cur.it_value) > 9000 * MS && ts_ns(&cur.it_value) <= 10000 * MS);
	/* Disarming keeps the interval (Linux's timerfd). */
	its = spec(0, 1000 * MS);
	CHECK_OK("disarm.settime", timerfd_settime(pt, 0, &its, &old));
	CHECK("disarm.old_value", ts_ns(&old.it_value) > 9000 * MS);
	CHECK_OK("disarm.gettime", timerfd_gettime(pt, &cur));
	CHECK_EQ("disarm.value_zero", ts_ns(&cur.it_value), 0);
	CHECK_EQ("disarm.interval_kept", ts_ns(&cur.it_interval), 1000 * MS);

	/* Absolute times. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	its = spec(0, 0);
	its.it_value = now;
	its.it_value.tv_nsec += 30 * MS;
	if (its.it_value.tv_nsec >= 1000000000L) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000000000L;
	}
	CHECK_OK("abs.monotonic_settime", timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL));
	CHECK_EQ("abs.monotonic_read", read(fd, &ticks, 8), 8);
	CHECK_EQ("abs.monotonic_ticks", ticks, 1);
	clock_gettime(CLOCK_REALTIME, &now);
	its = spec(0, 0);
	its.it_value.tv_sec = now.tv_sec - 10;
	CHECK_OK("abs.realtime_past", timerfd_settime(nb, TFD_TIMER_ABSTIME, &its, NULL));
	struct pollfd p = { .fd = nb, .events = POLLIN };
	CHECK_EQ("abs.realtime_past_fires", poll(&p, 1, 1000), 1);
	CHECK_EQ("abs.realtime_past_read", read(nb, &ticks, 8), 8);
	CHECK_EQ("abs.realtime_past_ticks", ticks, 1);
	its.it_value.tv_sec = now.tv_sec + 100;
	CHECK_OK("abs.cancel_on_set_accepted",
		 timerfd_settime(nb, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL));
	CHECK_OK("abs.realtime_gettime", timerfd_gettime(nb, &cur));
	CHECK("abs.realtime_remaining", ts_ns(&cur.it_value) > 98000 * MS &&
	      ts_ns(&cur.it_value) <= 100000 * MS);
	its = spec(20 * MS, 0);
	CHECK_OK("boottime.settime", timerfd_settime(bt, 0, &its, NULL));
	p.fd = bt;
	CHECK_EQ("boottime.fires", poll(&p, 1, 1000), 1);

	/* epoll: level- and edge-triggered. */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 77 };
	int et = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	epoll_ctl(ep, EPOLL_CTL_ADD, et, &ev);
	its = spec(20 * MS, 20 * MS);
	timerfd_settime(et, 0, &its, NULL);
	struct epoll_event out;
	CHECK_EQ("epoll.expiry_event", epoll_wait(ep, &out, 1, 1000), 1);
	CHECK_EQ("epoll.data", out.data.u32, 77);
	CHECK_EQ("epoll.events", out.events, EPOLLIN);
	CHECK_EQ("epoll.et_no_repeat", epoll_wait(ep, &out, 1, 0), 0);
	read(et, &ticks, 8);
	/* Re-armed by the read: the next period is another edge. */
	CHECK_EQ("epoll.next_period", epoll_wait(ep, &out, 1, 1000), 1);
	close(et);
	close(ep);

	/* TFD_IOC_SET_TICKS */
	ticks = 5;
	CHECK_OK("ioctl.set_ticks", ioctl(nb, TFD_IOC_SET_TICKS, &ticks));
	CHECK_EQ("ioctl.ready", revents(nb), POLLIN);
	ticks = 0;
	CHECK_EQ("ioctl.read", read(nb, &ticks, 8), 8);
	CHECK_EQ("ioctl.read_value", ticks, 5);
	ticks = 0;
	CHECK_ERR("ioctl.zero_einval", ioctl(nb, TFD_IOC_SET_TICKS, &ticks), EINVAL);
	CHECK_ERR("ioctl.other_enotty", ioctl(nb, TCGETS, &ticks), ENOTTY);

	/* The file is shared with a child, which can read its expiry. */
	its = spec(40 * MS, 0);
	timerfd_settime(fd, 0, &its, NULL);
	pid_t c = fork();
	if (c == 0) {
		uint64_t n = 0;
		_exit(read(fd, &n, 8) == 8 && n == 1 ? 0 : 1);
	}
	CHECK_EXIT("fork.child_reads_expiry", conf_wait(c), 0);
	CHECK_EQ("fork.parent_sees_none", revents(fd), 0);

	/* A signal interrupts a blocked read. */
	its = spec(10000 * MS, 0);
	timerfd_settime(fd, 0, &its, NULL);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGUSR1, &sa, NULL);
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	CHECK_ERR("read.eintr", read(fd, &ticks, 8), EINTR);
	CHECK_EXIT("read.eintr_child", conf_wait(c), 0);
	close(fd);
	close(nb);
	close(bt);
	close(pt);
	return conf_done();
}
