/* Pseudo-terminals: posix_openpt/grantpt/unlockpt/ptsname, the pair's
 * data path, hangups, controlling terminals (setsid, TIOCSCTTY, /dev/tty,
 * TIOCNOTTY), and job control (^C, ^Z, ^\ to the foreground group,
 * SIGTTIN/SIGTTOU for the background, SIGWINCH, SIGHUP).
 *
 * Everything that touches controlling terminals runs in a child that
 * first calls setsid(), so the harness's own terminal (natively) never
 * matters. Children report a step number through their exit status. */
#include "conformance.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static char slave_path[64];

static int open_master(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return -1;
	if (ptsname_r(m, slave_path, sizeof(slave_path)))
		return -1;
	return m;
}

/* Reads until want bytes came or ms passed without any. */
static ssize_t read_wait(int fd, char *buf, size_t want, int ms)
{
	size_t got = 0;

	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, ms) <= 0)
			break;
		n = read(fd, buf + got, want - got);
		if (n <= 0)
			return got ? (ssize_t)got : n;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static bool quiet(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 0;
}

static bool read_is(int fd, const char *expect, int ms)
{
	char buf[256];
	size_t want = strlen(expect);
	ssize_t n = read_wait(fd, buf, want, ms);

	return n == (ssize_t)want && !memcmp(buf, expect, want);
}

static void sync_wait(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

static void sync_post(int fd)
{
	(void)!write(fd, "x", 1);
}

/* ---- the pair ---- */

static void test_openpt(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s, n = -1, lk = -1;
	char name[64];
	struct stat st;

	CHECK("openpt/master", m >= 0);
	CHECK_OK("openpt/grantpt", grantpt(m));
	CHECK_OK("openpt/ptsname", ptsname_r(m, name, sizeof(name)));
	CHECK("openpt/ptsname_is_pts", !strncmp(name, "/dev/pts/", 9));
	CHECK_OK("openpt/TIOCGPTN", ioctl(m, TIOCGPTN, &n));
	CHECK_EQ("openpt/TIOCGPTN_matches", n, atoi(name + 9));
	CHECK_OK("openpt/TIOCGPTLCK", ioctl(m, TIOCGPTLCK, &lk));
	CHECK_EQ("openpt/starts_locked", lk, 1);
	CHECK_ERR("openpt/locked_slave_eio", open(name, O_RDWR | O_NOCTTY), EIO);
	CHECK_OK("openpt/unlockpt", unlockpt(m));
	ioctl(m, TIOCGPTLCK, &lk);
	CHECK_EQ("openpt/unlocked", lk, 0);
	s = open(name, O_RDWR | O_NOCTTY);
	CHECK("openpt/open_slave", s >= 0);
	CHECK("openpt/isatty_master", isatty(m));
	CHECK("openpt/isatty_slave", isatty(s));
	CHECK_OK("openpt/stat_slave", stat(name, &st));
	CHECK("openpt/slave_is_chr", S_ISCHR(st.st_mode));
	CHECK_EQ("openpt/slave_minor", minor(st.st_rdev), n);
	CHECK_OK("openpt/fstat_master", fstat(m, &st));
	CHECK("openpt/master_is_ptmx", S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 &&
					   minor(st.st_rdev) == 2);
	CHECK_ERR("openpt/slave_TIOCGPTN_enotty", ioctl(s, TIOCGPTN, &n), ENOTTY);
	CHECK_ERR("openpt/grantpt_not_master", grantpt(s), EINVAL);
	close(s);
	close(m);
	/* The node goes with the master. */
	CHECK_ERR("openpt/node_gone", stat(name, &st), ENOENT);
	CHECK_OK("openpt/pts_dir_ptmx", access("/dev/pts/ptmx", F_OK));
}

static void test_data(void)
{
	int m = open_master(), s = open(slave_path, O_RDWR | O_NOCTTY);
	char buf[64];
	int n = -1;

	CHECK("data/pair", m >= 0 && s >= 0);
	/* Master input is a canonical line for the slave, and echoed. */
	CHECK_EQ("data/master_write", write(m, "hello\n", 6), 6);
	CHECK("data/echo", read_is(m, "hello\r\n", 2000));
	CHECK_EQ("data/slave_read_line", read(s, buf, sizeof(buf)), 6);
	CHECK("data/slave_read_bytes", !memcmp(buf, "hello\n", 6));
	/* Slave output goes through ONLCR. */
	CHECK_EQ("data/slave_write", write(s, "a\nb", 3), 3);
	CHECK("data/onlcr", read_is(m, "a\r\nb", 2000));
	CHECK_EQ("data/slave_write_more", write(s, "xyz", 3), 3);
	quiet(m, 100);
	CHECK_OK("data/master_FIONREAD", ioctl(m, FIONREAD, &n));
	CHECK_EQ("data/master_FIONREAD_3", n, 3);
	read_wait(m, buf, 3, 1000);
	/* Only complete lines count for a canonical reader. */
	write(m, "one\ntw", 6);
	read_wait(m, buf, 8, 2000); /* echo "one\r\ntw" */
	CHECK_OK("data/slave_FIONREAD", ioctl(s, FIONREAD, &n));
	CHECK_EQ("data/slave_FIONREAD_line", n, 4);
	CHECK_OK("data/tcflush", tcflush(s, TCIFLUSH));
	ioctl(s, FIONREAD, &n);
	CHECK_EQ("data/tcflush_emptied", n, 0);
	close(s);
	close(m);
}

static void test_slave_close(void)
{
	int m = open_master(), s = open(slave_path, O_RDWR | O_NOCTTY);
	char buf[16];
	struct pollfd p = { .events = POLLIN };

	write(s, "q", 1);
	read_wait(m, buf, 0, 0);
	close(s);
	/* What the slave wrote is still there, then EIO. */
	CHECK("slave_close/data_first", read_is(m, "q", 2000));
	CHECK_ERR("slave_close/master_eio", read(m, buf, sizeof(buf)), EIO);
	p.fd = m;
	CHECK_EQ("slave_close/poll", poll(&p, 1, 0), 1);
	CHECK("slave_close/pollhup", p.revents & POLLHUP);
	/* The master may still write: the slave gets it when reopened. */
	CHECK_EQ("slave_close/master_write", write(m, "hi\n", 3), 3);
	s = open(slave_path, O_RDWR | O_NOCTTY);
	CHECK("slave_close/reopen", s >= 0);
	CHECK("slave_close/input_kept", read_is(s, "hi\n", 2000));
	CHECK("slave_close/echo_kept", read_is(m, "hi\r\n", 2000));
	close(s);
	close(m);
}

static void test_master_close(void)
{
	int m = open_master(), s = open(slave_path, O_RDWR | O_NOCTTY);
	struct pollfd p = { .events = POLLIN | POLLOUT };
	struct termios t;
	char buf[8];

	write(m, "x\n", 2);
	close(m);
	/* Hung up: end of file, EIO for writes and settings. */
	CHECK_EQ("master_close/slave_read_eof", read(s, buf, sizeof(buf)), 0);
	CHECK_ERR("master_close/slave_write_eio", write(s, "y", 1), EIO);
	CHECK_ERR("master_close/tcgetattr_eio", tcgetattr(s, &t), EIO);
	p.fd = s;
	poll(&p, 1, 0);
	CHECK_EQ("master_close/poll", p.revents, POLLIN | POLLOUT | POLLERR | POLLHUP);
	CHECK_ERR("master_close/no_node", open(slave_path, O_RDWR | O_NOCTTY), ENOENT);
	close(s);
}

static void test_peer(void)
{
	int m = open_master(), s, n;
	char buf[8];

	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK("peer/fd", s >= 0);
	CHECK("peer/isatty", isatty(s));
	CHECK_ERR("peer/is_slave", ioctl(s, TIOCGPTN, &n), ENOTTY);
	CHECK_EQ("peer/cloexec", fcntl(s, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	write(s, "p", 1);
	CHECK("peer/data", read_wait(m, buf, 1, 2000) == 1 && buf[0] == 'p');
	CHECK_ERR("peer/on_slave_eio", ioctl(s, TIOCGPTPEER, O_RDWR), EIO);
	close(s);
	/* A locked pair refuses its peer too. */
	n = 1;
	ioctl(m, TIOCSPTLCK, &n);
	CHECK_ERR("peer/locked", ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY), EIO);
	close(m);
}

/* ---- controlling terminals ---- */

/* Child bodies return 0 on success or the failing step. */
static int child_ctty(void)
{
	int m, s, fd;
	pid_t sid;

	if (setsid() < 0)
		return 1;
	if (open("/dev/tty", O_RDWR) >= 0 || errno != ENXIO)
		return 2;
	m = open_master();
	if (m < 0)
		return 3;
	/* O_NOCTTY: not acquired. */
	s = open(slave_path, O_RDWR | O_NOCTTY);
	if (s < 0 || open("/dev/tty", O_RDWR) >= 0 || errno != ENXIO)
		return 4;
	if (ioctl(s, TIOCGSID, &sid) == 0 || errno != ENOTTY)
		return 5;
	if (ioctl(s, TIOCGPGRP, &sid) == 0 || errno != ENOTTY)
		return 6;
	/* The master answers for the slave even so. */
	if (ioctl(m, TIOCGPGRP, &sid) < 0 || sid != 0)
		return 7;
	close(s);
	/* A session leader without a terminal takes it on open. */
	s = open(slave_path, O_RDWR);
	if (s < 0)
		return 8;
	if (ioctl(s, TIOCGSID, &sid) < 0 || sid != getpid())
		return 9;
	if (tcgetpgrp(s) != getpgrp())
		return 10;
	if (tcgetsid(m) != getpid())
		return 11;
	fd = open("/dev/tty", O_RDWR);
	if (fd < 0)
		return 12;
	if (write(fd, "T", 1) != 1 || !read_is(m, "T", 2000))
		return 13;
	{
		struct stat st;

		if (fstat(fd, &st) < 0 || major(st.st_rdev) != 5 || minor(st.st_rdev) != 0)
			return 14;
	}
	/* TIOCSCTTY on its own terminal: nothing to do. */
	if (ioctl(s, TIOCSCTTY, 0) < 0)
		return 15;
	return 0;
}

static int child_sctty(void)
{
	int m = open_master(), s;

	if (m < 0)
		return 1;
	s = open(slave_path, O_RDWR | O_NOCTTY);
	if (s < 0)
		return 2;
	/* Not a session leader (the harness's child, or pid 1's). */
	if (getsid(0) != getpid() && (ioctl(s, TIOCSCTTY, 0) == 0 || errno != EPERM))
		return 3;
	if (setsid() < 0)
		return 4;
	if (ioctl(s, TIOCSCTTY, 0) < 0)
		return 5;
	if (open("/dev/tty", O_RDWR) < 0)
		return 6;
	/* Another session cannot take it without stealing. */
	pid_t pid = fork();
	if (pid == 0) {
		if (setsid() < 0)
			_exit(1);
		if (ioctl(s, TIOCSCTTY, 0) == 0 || errno != EPERM)
			_exit(2);
		_exit(0);
	}
	int st = conf_wait(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 10 + (WIFEXITED(st) ? WEXITSTATUS(st) : 9);
	/* A second terminal for the same session: EPERM. */
	int m2 = posix_openpt(O_RDWR | O_NOCTTY);
	char p2[64];
	if (m2 < 0 || grantpt(m2) || unlockpt(m2) || ptsname_r(m2, p2, sizeof(p2)))
		return 20;
	int s2 = open(p2, O_RDWR | O_NOCTTY);
	if (s2 < 0 || ioctl(s2, TIOCSCTTY, 0) == 0 || errno != EPERM)
		return 21;
	return 0;
}

static int child_notty(void)
{
	int m, s;
	pid_t pid;
	int st;

	if (setsid() < 0)
		return 1;
	m = open_master();
	s = open(slave_path, O_RDWR);
	if (m < 0 || s < 0)
		return 2;
	pid = fork();
	if (pid == 0) {
		/* A member gives up the terminal for itself only. */
		if (ioctl(s, TIOCNOTTY) < 0)
			_exit(1);
		if (open("/dev/tty", O_RDWR) >= 0 || errno != ENXIO)
			_exit(2);
		if (ioctl(s, TIOCNOTTY) == 0 || errno != ENOTTY)
			_exit(3);
		_exit(0);
	}
	st = conf_wait(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return 10 + (WIFEXITED(st) ? WEXITSTATUS(st) : 9);
	if (open("/dev/tty", O_RDWR) < 0)
		return 3;
	/* The leader's TIOCNOTTY takes it from the whole session and
	 * hangs up the foreground group: itself. */
	signal(SIGHUP, SIG_IGN);
	if (ioctl(s, TIOCNOTTY) < 0)
		return 4;
	if (open("/dev/tty", O_RDWR) >= 0 || errno != ENXIO)
		return 5;
	if (ioctl(m, TIOCGSID, &pid) == 0 || errno != ENOTTY)
		return 6;
	/* It can take it again. */
	if (ioctl(s, TIOCSCTTY, 0) < 0)
		return 7;
	return 0;
}

/* ---- job control ---- */

struct jc {
	int m, s;
};

/* A session leader with the pty as its terminal, ignoring SIGTTOU so
 * it may hand the foreground around as a shell does. */
static int jc_setup(struct jc *j)
{
	if (setsid() < 0)
		return -1;
	j->m = open_master();
	if (j->m < 0)
		return -1;
	j->s = open(slave_path, O_RDWR);
	if (j->s < 0)
		return -1;
	signal(SIGTTOU, SIG_IGN);
	return 0;
}

/* A job in its own process group, in the foreground or not; it reads
 * the terminal. */
static pid_t jc_job(struct jc *j, bool fg, int sync)
{
	pid_t pid = fork();

	if (pid == 0) {
		char buf[8];

		setpgid(0, 0);
		if (fg)
			tcsetpgrp(j->s, getpid());
		signal(SIGTTOU, SIG_DFL);
		sync_post(sync);
		ssize_t n = read(j->s, buf, sizeof(buf));
		_exit(n < 0 ? 100 + (errno == EIO) : 50);
	}
	setpgid(pid, pid);
	if (fg)
		tcsetpgrp(j->s, pid);
	return pid;
}

static int child_signal_char(char c, int expect_sig, bool expect_stop)
{
	struct jc j;
	int p[2], st;
	pid_t pid;
	char echo[3] = { '^', (char)(c ^ 0100), 0 };

	if (jc_setup(&j) < 0 || pipe(p) < 0)
		return 1;
	pid = jc_job(&j, true, p[1]);
	sync_wait(p[0]);
	conf_msleep(50);
	if (write(j.m, &c, 1) != 1)
		return 2;
	if (waitpid(pid, &st, WUNTRACED) != pid)
		return 3;
	if (expect_stop) {
		if (!WIFSTOPPED(st) || WSTOPSIG(st) != expect_sig)
			return 4;
		kill(pid, SIGKILL);
		conf_wait(pid);
	} else if (!WIFSIGNALED(st) || WTERMSIG(st) != expect_sig) {
		return 5;
	}
	/* Echoed as ^X; the session leader, in another group, is alive. */
	if (!read_is(j.m, echo, 2000))
		return 6;
	/* The foreground comes back to the shell. */
	if (tcsetpgrp(j.s, getpgrp()) < 0 || tcgetpgrp(j.s) != getpgrp())
		return 7;
	return 0;
}

static int child_bg_read(bool ignore_ttin)
{
	struct jc j;
	int p[2], st;
	pid_t pid;

	if (jc_setup(&j) < 0 || pipe(p) < 0)
		return 1;
	if (ignore_ttin)
		signal(SIGTTIN, SIG_IGN); /* inherited by the job */
	pid = jc_job(&j, false, p[1]);
	sync_wait(p[0]);
	if (waitpid(pid, &st, WUNTRACED) != pid)
		return 2;
	if (ignore_ttin)
		return WIFEXITED(st) && WEXITSTATUS(st) == 101 ? 0 : 3;
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTTIN)
		return 4;
	/* Brought to the foreground and continued, it reads. */
	tcsetpgrp(j.s, pid);
	kill(pid, SIGCONT);
	write(j.m, "go\n", 3);
	if (conf_wait(pid) != W_EXITCODE(50, 0))
		return 5;
	return 0;
}

static int child_bg_write(bool tostop)
{
	struct jc j;
	struct termios t;
	int st;
	pid_t pid;

	if (jc_setup(&j) < 0)
		return 1;
	tcgetattr(j.s, &t);
	if (tostop)
		t.c_lflag |= TOSTOP;
	tcsetattr(j.s, TCSANOW, &t);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL);
		_exit(write(j.s, "bg", 2) == 2 ? 0 : 1);
	}
	if (waitpid(pid, &st, WUNTRACED) != pid)
		return 2;
	if (!tostop)
		return WIFEXITED(st) && WEXITSTATUS(st) == 0 && read_is(j.m, "bg", 2000) ? 0 : 3;
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTTOU)
		return 4;
	kill(pid, SIGKILL);
	conf_wait(pid);
	return 0;
}

static int child_bg_tcsetattr(void)
{
	struct jc j;
	int st;
	pid_t pid;

	if (jc_setup(&j) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		struct termios t;

		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL);
		tcgetattr(j.s, &t);
		/* Reading settings is fine; changing them is not. */
		_exit(tcsetattr(j.s, TCSANOW, &t) == 0 ? 0 : 1);
	}
	if (waitpid(pid, &st, WUNTRACED) != pid)
		return 2;
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTTOU)
		return 3;
	kill(pid, SIGKILL);
	conf_wait(pid);
	return 0;
}

static int child_tcsetpgrp_rules(void)
{
	struct jc j;
	pid_t pid;

	if (jc_setup(&j) < 0)
		return 1;
	/* A group that does not exist, and one of another session. */
	if (tcsetpgrp(j.s, 0x7ffffff0) == 0 || errno != ESRCH)
		return 2;
	if (tcsetpgrp(j.s, getppid()) == 0 || (errno != EPERM && errno != ESRCH))
		return 3;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	setpgid(pid, pid);
	if (tcsetpgrp(j.s, pid) < 0 || tcgetpgrp(j.m) != pid)
		return 4;
	kill(pid, SIGKILL);
	conf_wait(pid);
	return 0;
}

static volatile sig_atomic_t got_sig;
static void on_sig(int sig)
{
	got_sig = sig;
}

static int child_winch(void)
{
	struct jc j;
	struct winsize ws = { .ws_row = 33, .ws_col = 101 }, got;
	sigset_t block, old;

	if (jc_setup(&j) < 0)
		return 1;
	signal(SIGWINCH, on_sig);
	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, &old);
	/* The master resizes: the foreground group hears of it. */
	if (ioctl(j.m, TIOCSWINSZ, &ws) < 0)
		return 2;
	sigsuspend(&old);
	if (got_sig != SIGWINCH)
		return 3;
	if (ioctl(j.s, TIOCGWINSZ, &got) < 0 || got.ws_row != 33 || got.ws_col != 101)
		return 4;
	/* The same size again is no change: no signal. */
	got_sig = 0;
	ioctl(j.s, TIOCSWINSZ, &ws);
	sigprocmask(SIG_SETMASK, &old, NULL);
	conf_msleep(50);
	if (got_sig)
		return 5;
	return 0;
}

static int child_hangup(void)
{
	struct jc j;
	sigset_t block, old;
	char buf[8];

	if (jc_setup(&j) < 0)
		return 1;
	signal(SIGHUP, on_sig);
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	close(j.m);
	sigsuspend(&old);
	if (got_sig != SIGHUP)
		return 2;
	/* The session lost its terminal. */
	if (open("/dev/tty", O_RDWR) >= 0 || errno != ENXIO)
		return 3;
	if (read(j.s, buf, sizeof(buf)) != 0)
		return 4;
	if (write(j.s, "x", 1) >= 0 || errno != EIO)
		return 5;
	return 0;
}

/* The session leader exits: its foreground group hears SIGHUP. */
static int child_leader_exit(int report)
{
	struct jc j;
	pid_t pid;

	if (jc_setup(&j) < 0)
		return 1;
	int p[2];
	if (pipe(p) < 0)
		return 2;
	pid = fork();
	if (pid == 0) {
		sigset_t block, old;

		signal(SIGHUP, on_sig);
		sigemptyset(&block);
		sigaddset(&block, SIGHUP);
		sigprocmask(SIG_BLOCK, &block, &old);
		sync_post(p[1]);
		sigsuspend(&old);
		/* The terminal is nobody's any more. */
		bool ok = got_sig == SIGHUP && open("/dev/tty", O_RDWR) < 0 && errno == ENXIO;
		(void)!write(report, ok ? "Y" : "N", 1);
		_exit(0);
	}
	sync_wait(p[0]);
	return 0;
}

static void run_child(const char *name, int (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	CHECK_EXIT(name, conf_wait(pid), 0);
}

static int c_intr(void) { return child_signal_char(3, SIGINT, false); }
static int c_quit(void) { return child_signal_char(034, SIGQUIT, false); }
static int c_susp(void) { return child_signal_char(032, SIGTSTP, true); }
static int c_bg_read(void) { return child_bg_read(false); }
static int c_bg_read_ign(void) { return child_bg_read(true); }
static int c_bg_write(void) { return child_bg_write(false); }
static int c_bg_write_tostop(void) { return child_bg_write(true); }

static void test_leader_exit(void)
{
	int p[2];
	char c = 0;
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(child_leader_exit(p[1]));
	}
	close(p[1]);
	CHECK_EXIT("jobctl/leader_exit", conf_wait(pid), 0);
	CHECK("jobctl/leader_exit_sighup", read(p[0], &c, 1) == 1 && c == 'Y');
	close(p[0]);
}

int main(void)
{
	/* ^\ kills with a core dump: none wanted. */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	test_openpt();
	test_data();
	test_slave_close();
	test_master_close();
	test_peer();
	run_child("ctty/acquire_and_dev_tty", child_ctty);
	run_child("ctty/tiocsctty", child_sctty);
	run_child("ctty/tiocnotty", child_notty);
	run_child("jobctl/intr_sigint", c_intr);
	run_child("jobctl/quit_sigquit", c_quit);
	run_child("jobctl/susp_sigtstp", c_susp);
	run_child("jobctl/bg_read_sigttin", c_bg_read);
	run_child("jobctl/bg_read_ignored_eio", c_bg_read_ign);
	run_child("jobctl/bg_write", c_bg_write);
	run_child("jobctl/bg_write_tostop", c_bg_write_tostop);
	run_child("jobctl/bg_tcsetattr_sigttou", child_bg_tcsetattr);
	run_child("jobctl/tcsetpgrp_rules", child_tcsetpgrp_rules);
	run_child("jobctl/sigwinch", child_winch);
	run_child("jobctl/hangup", child_hangup);
	test_leader_exit();
	return conf_done();
}
