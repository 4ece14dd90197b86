/* epoll: create flags, epoll_ctl errors and nesting limits, level- and
 * edge-triggered readiness on pipes and eventfds, EPOLLONESHOT, EPOLLHUP
 * and EPOLLERR, removal on close, fair rotation with small maxevents,
 * timeouts, blocking across processes, EINTR, epoll_pwait's signal mask,
 * epoll_pwait2, nested epolls, EPOLLEXCLUSIVE. */
#include "conformance.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

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

static int handled;
static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

/* One wait: returns the count; the first event lands in *ev. */
static int wait1(int ep, struct epoll_event *ev, int timeout)
{
	struct epoll_event evs[8];
	int n = epoll_wait(ep, evs, 8, timeout);
	if (n > 0 && ev)
		*ev = evs[0];
	return n;
}

static void ctl_errors(const char *self)
{
	int ep = epoll_create1(0), ep2 = epoll_create1(0);
	int p[2];
	struct epoll_event ev = { .events = EPOLLIN };

	pipe(p);
	CHECK_ERR("ctl.bad_epfd_ebadf", epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev), EBADF);
	CHECK_ERR("ctl.bad_fd_ebadf", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
	CHECK_ERR("ctl.not_epoll_einval", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	CHECK_ERR("ctl.self_einval", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	CHECK_ERR("ctl.bad_op_einval", epoll_ctl(ep, 99, p[0], &ev), EINVAL);
	CHECK_ERR("ctl.null_event_efault", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], NULL), EFAULT);
	CHECK_ERR("ctl.del_missing_enoent", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	CHECK_ERR("ctl.mod_missing_enoent", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
	CHECK_OK("ctl.add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	CHECK_ERR("ctl.add_twice_eexist", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	CHECK_OK("ctl.mod", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK_OK("ctl.del_null_event_ok", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

	/* Files without poll: regular files, directories, /dev/null. */
	int reg = open(self, O_RDONLY);
	CHECK_ERR("ctl.regular_file_eperm", epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM);
	int dir = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERR("ctl.directory_eperm", epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
	int null = open("/dev/null", O_RDONLY);
	CHECK_ERR("ctl.dev_null_eperm", epoll_ctl(ep, EPOLL_CTL_ADD, null, &ev), EPERM);
	CHECK_ERR("ctl.eperm_before_einval", epoll_ctl(reg, EPOLL_CTL_ADD, null, &ev), EPERM);
	close(reg);
	close(dir);
	close(null);

	/* EPOLLEXCLUSIVE: ADD only, not on epolls, few other flags. */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK_ERR("excl.on_epoll_einval", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev), EINVAL);
	CHECK_OK("excl.add_pipe", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	CHECK_ERR("excl.mod_with_flag_einval", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	ev.events = EPOLLIN;
	CHECK_ERR("excl.mod_of_exclusive_einval", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	CHECK_ERR("excl.with_oneshot_einval", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP;
	CHECK_ERR("excl.with_rdhup_einval", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLET;
	CHECK_OK("excl.with_et_ok", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));

	/* Loops and nesting depth. */
	ev.events = EPOLLIN;
	CHECK_OK("nest.add_ep2_in_ep", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
	CHECK_ERR("nest.loop_eloop", epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev), ELOOP);
	int e[6];
	for (int i = 0; i < 6; i++)
		e[i] = epoll_create1(0);
	int ok_adds = 0, err = 0;
	for (int i = 0; i < 5; i++) {
		if (epoll_ctl(e[i + 1], EPOLL_CTL_ADD, e[i], &ev) < 0) {
			err = errno;
			break;
		}
		ok_adds++;
	}
	CHECK_EQ("nest.bottom_up_depth", ok_adds, 4);
	CHECK_EQ("nest.bottom_up_eloop", err, ELOOP);
	int f[6];
	for (int i = 0; i < 6; i++)
		f[i] = epoll_create1(0);
	ok_adds = 0;
	err = 0;
	for (int i = 0; i < 5; i++) {
		if (epoll_ctl(f[i], EPOLL_CTL_ADD, f[i + 1], &ev) < 0) {
			err = errno;
			break;
		}
		ok_adds++;
	}
	CHECK_EQ("nest.top_down_depth", ok_adds, 4);
	CHECK_EQ("nest.top_down_eloop", err, ELOOP);
	for (int i = 0; i < 6; i++) {
		close(e[i]);
		close(f[i]);
	}
	close(ep);
	close(ep2);
	close(p[0]);
	close(p[1]);
}

static void create_and_wait_errors(void)
{
	struct epoll_event evs[2];

	CHECK_ERR("create.size_zero_einval", epoll_create(0), EINVAL);
	int ep = epoll_create(1);
	CHECK("create.size_one", ep > 2);
	CHECK_EQ("create.no_cloexec", fcntl(ep, F_GETFD), 0);
	CHECK_EQ("create.rdwr", fcntl(ep, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK_STR("create.proc_fd_link", fd_link(ep), "anon_inode:[eventpoll]");
	CHECK_ERR("create1.bad_flags_einval", epoll_create1(1), EINVAL);
	int epc = epoll_create1(EPOLL_CLOEXEC);
	CHECK_EQ("create1.cloexec", fcntl(epc, F_GETFD), FD_CLOEXEC);

	CHECK_ERR("wait.maxevents_zero_einval", epoll_wait(ep, evs, 0, 0), EINVAL);
	CHECK_ERR("wait.maxevents_negative_einval", syscall(SYS_epoll_wait, ep, evs, -1, 0), EINVAL);
	CHECK_ERR("wait.bad_fd_ebadf", epoll_wait(999, evs, 2, 0), EBADF);
	int p[2];
	pipe(p);
	CHECK_ERR("wait.not_epoll_einval", epoll_wait(p[0], evs, 2, 0), EINVAL);
	CHECK_EQ("wait.empty_timeout0", epoll_wait(ep, evs, 2, 0), 0);
	add(ep, p[1], EPOLLOUT, 1);
	CHECK_ERR("wait.null_events_efault", syscall(SYS_epoll_wait, ep, NULL, 2, 0), EFAULT);
	CHECK_EQ("wait.event_kept_after_efault", epoll_wait(ep, evs, 2, 0), 1);
	sigset_t m;
	sigemptyset(&m);
	CHECK_ERR("pwait.bad_sigsetsize_einval", syscall(SYS_epoll_pwait, ep, evs, 2, 0, &m, 4),
		  EINVAL);
	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR("pwait2.bad_timespec_einval", syscall(SYS_epoll_pwait2, ep, evs, 2, &bad, NULL, 8),
		  EINVAL);
	struct timespec zero = { 0, 0 };
	CHECK_EQ("pwait2.zero_timeout", syscall(SYS_epoll_pwait2, ep, evs, 2, &zero, NULL, 8), 1);
	close(p[0]);
	close(p[1]);
	close(ep);
	close(epc);
}

static void level_and_edge(void)
{
	struct epoll_event ev;
	char buf[16];
	int p[2];

	/* Level-triggered: reported while readable. */
	pipe(p);
	int ep = epoll_create1(0);
	add(ep, p[0], EPOLLIN, 0x1234567890ULL);
	CHECK_EQ("lt.empty_pipe_none", wait1(ep, &ev, 0), 0);
	write(p[1], "ab", 2);
	CHECK_EQ("lt.ready", wait1(ep, &ev, 0), 1);
	CHECK_EQ("lt.events", ev.events, EPOLLIN);
	CHECK("lt.data", ev.data.u64 == 0x1234567890ULL);
	CHECK_EQ("lt.still_ready", wait1(ep, &ev, 0), 1);
	read(p[0], buf, 1);
	CHECK_EQ("lt.ready_after_partial_read", wait1(ep, &ev, 0), 1);
	read(p[0], buf, 1);
	CHECK_EQ("lt.none_after_drain", wait1(ep, &ev, 0), 0);
	close(ep);

	/* Edge-triggered: once per change. */
	ep = epoll_create1(0);
	add(ep, p[0], EPOLLIN | EPOLLET, 7);
	CHECK_EQ("et.empty_none", wait1(ep, &ev, 0), 0);
	write(p[1], "ab", 2);
	CHECK_EQ("et.first", wait1(ep, &ev, 0), 1);
	CHECK_EQ("et.first_events", ev.events, EPOLLIN);
	CHECK_EQ("et.not_again", wait1(ep, &ev, 0), 0);
	read(p[0], buf, 1);
	CHECK_EQ("et.partial_read_no_event", wait1(ep, &ev, 0), 0);
	write(p[1], "c", 1);
	CHECK_EQ("et.new_data_event", wait1(ep, &ev, 0), 1);
	CHECK_EQ("et.then_quiet", wait1(ep, &ev, 0), 0);
	read(p[0], buf, sizeof(buf));
	/* Already readable when added: reported once. */
	write(p[1], "d", 1);
	int ep2 = epoll_create1(0);
	add(ep2, p[0], EPOLLIN | EPOLLET, 8);
	CHECK_EQ("et.ready_at_add", wait1(ep2, &ev, 0), 1);
	CHECK_EQ("et.ready_at_add_once", wait1(ep2, &ev, 0), 0);
	/* MOD re-arms it. */
	mod(ep2, p[0], EPOLLIN | EPOLLET, 9);
	CHECK_EQ("et.mod_rearms", wait1(ep2, &ev, 0), 1);
	CHECK_EQ("et.mod_data", ev.data.u64, 9);
	read(p[0], buf, sizeof(buf));
	close(ep2);
	close(ep);

	/* EPOLLONESHOT: disabled after one event until MOD. */
	ep = epoll_create1(0);
	add(ep, p[0], EPOLLIN | EPOLLONESHOT, 3);
	write(p[1], "x", 1);
	CHECK_EQ("oneshot.first", wait1(ep, &ev, 0), 1);
	CHECK_EQ("oneshot.disabled", wait1(ep, &ev, 0), 0);
	write(p[1], "y", 1);
	CHECK_EQ("oneshot.disabled_new_data", wait1(ep, &ev, 0), 0);
	struct epoll_event dummy = { .events = EPOLLIN };
	CHECK_ERR("oneshot.still_registered_eexist", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &dummy), EEXIST);
	mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 4);
	CHECK_EQ("oneshot.mod_rearms", wait1(ep, &ev, 0), 1);
	CHECK_EQ("oneshot.mod_data", ev.data.u64, 4);
	read(p[0], buf, sizeof(buf));
	close(ep);

	/* EPOLLOUT, then EPOLLHUP/EPOLLERR when the other end goes. */
	ep = epoll_create1(0);
	add(ep, p[1], EPOLLOUT, 1);
	CHECK_EQ("out.writable", wait1(ep, &ev, 0), 1);
	CHECK_EQ("out.events", ev.events, EPOLLOUT);
	epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
	add(ep, p[0], EPOLLIN, 2);
	write(p[1], "z", 1);
	close(p[1]);
	CHECK_EQ("hup.with_data", wait1(ep, &ev, 0), 1);
	CHECK_EQ("hup.with_data_events", ev.events, EPOLLIN | EPOLLHUP);
	read(p[0], buf, sizeof(buf));
	CHECK_EQ("hup.after_drain", wait1(ep, &ev, 0), 1);
	CHECK_EQ("hup.after_drain_events", ev.events, EPOLLHUP);
	close(p[0]);
	close(ep);

	pipe(p);
	ep = epoll_create1(0);
	add(ep, p[1], EPOLLOUT, 1);
	close(p[0]);
	CHECK_EQ("err.reader_gone", wait1(ep, &ev, 0), 1);
	CHECK_EQ("err.reader_gone_events", ev.events, EPOLLOUT | EPOLLERR);
	close(p[1]);
	close(ep);
}

static void close_and_dup(void)
{
	struct epoll_event ev;
	int p[2];

	pipe(p);
	int ep = epoll_create1(0);
	add(ep, p[0], EPOLLIN, 1);
	write(p[1], "a", 1);
	int d = dup(p[0]);
	close(p[0]);
	/* The file lives on through the dup: the item stays, keyed by the
	 * old fd number. */
	CHECK_EQ("dup.item_survives_close", wait1(ep, &ev, 0), 1);
	CHECK_EQ("dup.old_data", ev.data.u64, 1);
	CHECK_ERR("dup.del_by_other_fd_enoent", epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL), ENOENT);
	close(d);
	/* Last reference gone: the item is removed. */
	CHECK_EQ("close.item_removed", wait1(ep, &ev, 0), 0);
	close(p[1]);
	close(ep);
}

static void rotation(void)
{
	struct epoll_event ev;
	int ep = epoll_create1(0), efd[3];

	for (int i = 0; i < 3; i++) {
		efd[i] = eventfd(1, 0);
		add(ep, efd[i], EPOLLIN, 10 + i);
	}
	char order[8] = { 0 };
	for (int i = 0; i < 6; i++) {
		struct epoll_event one;
		if (epoll_wait(ep, &one, 1, 0) != 1)
			break;
		order[i] = (char)('A' + one.data.u64 - 10);
	}
	CHECK_STR("rotation.maxevents_1_order", order, "ABCABC");
	struct epoll_event all[8];
	CHECK_EQ("rotation.all_three", epoll_wait(ep, all, 8, 0), 3);
	(void)ev;
	for (int i = 0; i < 3; i++)
		close(efd[i]);
	close(ep);
}

static void blocking(void)
{
	struct epoll_event ev;
	int p[2];

	pipe(p);
	int ep = epoll_create1(0);
	add(ep, p[0], EPOLLIN, 5);

	int64_t t0 = conf_mono_ns();
	CHECK_EQ("timeout.expires", wait1(ep, &ev, 60), 0);
	CHECK("timeout.waited", conf_mono_ns() - t0 >= 55 * 1000000LL);

	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		write(p[1], "w", 1);
		_exit(0);
	}
	CHECK_EQ("block.woken_by_writer", wait1(ep, &ev, 5000), 1);
	CHECK_EQ("block.data", ev.data.u64, 5);
	CHECK_EXIT("block.child", conf_wait(c), 0);
	char b;
	read(p[0], &b, 1);

	/* Signals interrupt with EINTR, even with SA_RESTART. */
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigaction(SIGUSR1, &sa, NULL);
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	handled = 0;
	CHECK_ERR("eintr.sa_restart_still_eintr", wait1(ep, &ev, 5000), EINTR);
	CHECK_EQ("eintr.handler_ran", handled, 1);
	CHECK_EXIT("eintr.child", conf_wait(c), 0);

	/* epoll_pwait: the temporary mask lets a blocked signal in; the old
	 * mask is back afterwards. */
	sigset_t block, empty, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	handled = 0;
	struct epoll_event evs[2];
	CHECK_ERR("pwait.unblocks_eintr", epoll_pwait(ep, evs, 2, 5000, &empty), EINTR);
	CHECK_EQ("pwait.handler_ran", handled, 1);
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK("pwait.mask_restored", sigismember(&now, SIGUSR1));
	/* Still blocked by the mask given: a timeout. */
	raise(SIGUSR1);
	handled = 0;
	CHECK_EQ("pwait.mask_keeps_blocked", epoll_pwait(ep, evs, 2, 20, &block), 0);
	CHECK_EQ("pwait.no_handler", handled, 0);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	CHECK_EQ("pwait.delivered_after_unblock", handled, 1);

	struct timespec ts = { 0, 30 * 1000000 };
	t0 = conf_mono_ns();
	CHECK_EQ("pwait2.timeout", syscall(SYS_epoll_pwait2, ep, evs, 2, &ts, NULL, 8), 0);
	CHECK("pwait2.waited", conf_mono_ns() - t0 >= 25 * 1000000LL);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void nested(void)
{
	struct epoll_event ev;
	int inner = epoll_create1(0), outer = epoll_create1(0);
	int efd = eventfd(0, EFD_NONBLOCK);

	add(inner, efd, EPOLLIN, 1);
	add(outer, inner, EPOLLIN, 2);
	CHECK_EQ("nested.idle", wait1(outer, &ev, 0), 0);
	struct pollfd pf = { .fd = inner, .events = POLLIN };
	CHECK_EQ("nested.poll_idle", poll(&pf, 1, 0), 0);
	uint64_t one = 1;
	write(efd, &one, 8);
	CHECK_EQ("nested.outer_ready", wait1(outer, &ev, 0), 1);
	CHECK_EQ("nested.outer_data", ev.data.u64, 2);
	CHECK_EQ("nested.outer_events", ev.events, EPOLLIN);
	CHECK_EQ("nested.poll_ready", poll(&pf, 1, 0), 1);
	CHECK_EQ("nested.poll_revents", pf.revents, POLLIN);
	CHECK_EQ("nested.inner_ready", wait1(inner, &ev, 0), 1);
	CHECK_EQ("nested.inner_data", ev.data.u64, 1);
	read(efd, &one, 8);
	CHECK_EQ("nested.outer_idle_again", wait1(outer, &ev, 0), 0);

	/* Blocking on the outer one, woken through the inner one. */
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		uint64_t v = 1;
		_exit(write(efd, &v, 8) == 8 ? 0 : 1);
	}
	CHECK_EQ("nested.blocking_outer_woken", wait1(outer, &ev, 5000), 1);
	CHECK_EXIT("nested.child", conf_wait(c), 0);
	close(efd);
	CHECK_EQ("nested.inner_item_gone", wait1(inner, &ev, 0), 0);
	close(inner);
	close(outer);
}

/* Two processes wait in their own epoll on one eventfd: a write wakes one
 * of them if both asked for EPOLLEXCLUSIVE, both otherwise. */
static int woken_count(uint32_t extra)
{
	int efd = eventfd(0, 0);
	pid_t c[2];

	for (int i = 0; i < 2; i++) {
		c[i] = fork();
		if (c[i] == 0) {
			int ep = epoll_create1(0);
			add(ep, efd, EPOLLIN | extra, 0);
			struct epoll_event ev;
			_exit(epoll_wait(ep, &ev, 1, 1200) == 1 ? 1 : 0);
		}
	}
	conf_msleep(300);
	uint64_t one = 1;
	write(efd, &one, 8);
	int woken = 0;
	for (int i = 0; i < 2; i++) {
		int st = conf_wait(c[i]);
		if (WIFEXITED(st))
			woken += WEXITSTATUS(st);
	}
	close(efd);
	return woken;
}

int main(int argc, char **argv)
{
	(void)argc;
	ctl_errors(argv[0]);
	create_and_wait_errors();
	level_and_edge();
	close_and_dup();
	rotation();
	blocking();
	nested();
	CHECK_EQ("exclusive.wakes_one", woken_count(EPOLLEXCLUSIVE), 1);
	CHECK_EQ("non_exclusive.wakes_all", woken_count(0), 2);
	return conf_done();
}
