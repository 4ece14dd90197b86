/* The container's console (process.terminal): a pseudo-terminal pair
 * inside the sandbox whose slave is the init's stdio, its controlling
 * terminal and /dev/console, and whose master the sentry itself holds and
 * bridges to a host fd: the slave of a host pty whose master the
 * runtime's client has (through --console-socket) or the CLI copies to
 * the user's terminal (foreground `run` or `exec -t`).
 *
 * The host pty is put in raw mode: the sandbox's line discipline does the
 * work (echo, editing, ^C), and the host one must not do it twice. Bytes
 * read from the host are the sandbox master's writes; what the sandbox
 * slave outputs is written to the host. Neither side ever blocks the
 * sentry: the host fd is non-blocking (the description is the sentry's
 * own, the CLI closed its copy), and input the line discipline has no
 * room for waits here until a reader makes some.
 *
 * Window size: the client resizes the host master; a watcher process
 * holding the host slave as its controlling terminal hears SIGWINCH from
 * the host kernel and tells the sentry (the CLI forwards SIGWINCH too in
 * a foreground run, and the size is re-read on every input). A change
 * reaches the sandbox's foreground group as its own SIGWINCH. When the
 * client closes the master, the sandbox's terminal hangs up (SIGHUP to
 * its session leader).
 *
 * The container's console lives as long as the sentry. An exec'd
 * process's console (exec -t) goes away with its use: once every file on
 * its slave is closed and the output has reached the host, or once the
 * client closed the master, its host fd is closed (the client reads the
 * end) and its watcher killed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/tty_pty.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"

#define CONSOLE_BUF 4096

struct tty_console {
	struct list_head link;
	struct pty *pty;        /* NULL once the host side hung up */
	int host_fd;
	bool host_gone, busy;
	short events;           /* of the event loop handler, 0: none */
	unsigned char in[CONSOLE_BUF];  /* host input the line discipline has not taken */
	size_t in_off, in_len;
	unsigned char out[CONSOLE_BUF]; /* sandbox output the host has not taken */
	size_t out_off, out_len;
	bool transient;         /* an exec'd process's (console_new_exec) */
	bool attached;          /* its slave went to a process */
	bool releasing;         /* release_timer is armed */
	bool forced;            /* released whatever the state of the slave */
	struct ktimer release_timer;
	pid_t watcher;          /* -1: none */
	int watcher_fd;         /* its pipe, -1: none */
};

/* Every console. */
static struct list_head consoles = LIST_HEAD_INIT(consoles);
/* The container's, /dev/console; NULL without process.terminal. */
static struct tty_console *dev_console;
/* The watchers' seccomp program, built by console_prepare. */
static struct sock_fprog *watcher_filter;

bool console_active(void)
{
	return dev_console != NULL;
}

static struct tty_console *first_console(void)
{
	return dev_console;
}

static void console_event(int fd, short revents, void *arg);

static void update_events(struct tty_console *con)
{
	short ev = 0;

	if (!con->host_gone) {
		if (!con->in_len)
			ev |= POLLIN;
		if (con->out_len)
			ev |= POLLOUT;
	}
	if (ev == con->events)
		return;
	if (con->events)
		kernel_del_fd_handler(con->host_fd);
	if (ev)
		kernel_add_fd_handler(con->host_fd, ev, console_event, con);
	con->events = ev;
}

/* The client closed the master: the sandbox's terminal hangs up. */
static void host_hangup(struct tty_console *con)
{
	struct pty *p = con->pty;

	if (con->host_gone)
		return;
	log_debug("console: the host terminal hung up");
	con->host_gone = true;
	con->in_len = con->out_len = 0;
	con->pty = NULL;
	if (p)
		pty_kmaster_close(p);
}

static void resize(struct tty_console *con)
{
	struct winsize ws;

	if (!con->pty || ioctl(con->host_fd, TIOCGWINSZ, &ws) < 0)
		return;
	tty_do_resize(pty_tty(con->pty), &ws);
}

void console_host_resized(void)
{
	struct tty_console *con;

	list_for_each_entry(con, &consoles, link)
		resize(con);
}

static void pump_out(struct tty_console *con)
{
	while (con->pty && !con->host_gone) {
		ssize_t n;

		if (!con->out_len) {
			con->out_len = pty_kmaster_read(con->pty, con->out, sizeof(con->out));
			con->out_off = 0;
			if (!con->out_len)
				return;
		}
		n = write(con->host_fd, con->out + con->out_off, con->out_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			host_hangup(con);
			return;
		}
		con->out_off += (size_t)n;
		con->out_len -= (size_t)n;
	}
}

/* Gives pending host input to the line discipline; true when all of it
 * went. */
static bool push_in(struct tty_console *con)
{
	size_t n;

	if (!con->in_len || !con->pty)
		return true;
	n = pty_kmaster_write(con->pty, con->in + con->in_off, con->in_len);
	con->in_off += n;
	con->in_len -= n;
	return con->in_len == 0;
}

static void pump_in(struct tty_console *con)
{
	while (con->pty && !con->host_gone && push_in(con)) {
		ssize_t n = read(con->host_fd, con->in, sizeof(con->in));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* EIO, or end of file on a hung-up description. */
		if (n <= 0) {
			host_hangup(con);
			return;
		}
		con->in_off = 0;
		con->in_len = (size_t)n;
		resize(con);
	}
}

/* The end of a transient console, from the event loop: never inside
 * the pty's own calls (the last slave file going is one of them). */
static void console_release_timer(struct ktimer *tm)
{
	struct tty_console *con = container_of(tm, struct tty_console, release_timer);
	struct pty *p = con->pty;

	con->releasing = false;
	/* A process reopened /dev/pts/N meanwhile: the console goes on. */
	if (!con->forced && !con->host_gone && p && !p->slave_closed)
		return;
	log_debug("console: closing the terminal of pts %d", p ? p->index : -1);
	if (con->watcher > 0)
		kill(con->watcher, SIGKILL); /* the platform's waitpid(-1) reaps it */
	if (con->watcher_fd >= 0) {
		kernel_del_fd_handler(con->watcher_fd);
		close(con->watcher_fd);
	}
	if (con->events)
		kernel_del_fd_handler(con->host_fd);
	/* The client's master now reads what is left, then the end. */
	close(con->host_fd);
	con->pty = NULL;
	if (p)
		pty_kmaster_close(p);
	list_del(&con->link);
	free(con);
}

static void schedule_release(struct tty_console *con)
{
	if (con->releasing || !con->transient)
		return;
	con->releasing = true;
	ktimer_arm(&con->release_timer, 0);
}

/* A transient console whose process and its heirs closed the terminal
 * (and whose output all went to the host), or whose client hung up. */
static void check_done(struct tty_console *con)
{
	if (!con->transient || !con->attached || con->releasing)
		return;
	if (con->host_gone || !con->pty || (con->pty->slave_closed && !con->out_len))
		schedule_release(con);
}

static void console_event(int fd, short revents, void *arg)
{
	struct tty_console *con = arg;

	con->busy = true;
	if (revents & (POLLIN | POLLHUP | POLLERR))
		pump_in(con);
	pump_out(con);
	con->busy = false;
	update_events(con);
	check_done(con);
}

/* The pty's notification: the sandbox wrote output, or a reader made
 * room for input. Reentrant calls (the pumps themselves wake the pty)
 * are left to the running pump. */
static void console_notify(void *arg)
{
	struct tty_console *con = arg;

	if (con->busy)
		return;
	con->busy = true;
	pump_out(con);
	if (con->in_len && push_in(con))
		pump_in(con);
	pump_out(con);
	con->busy = false;
	update_events(con);
	check_done(con);
}

/* The watcher tells of a resize ('W'); its end (the sentry's end, or a
 * failure) just stops the notices. */
static void watcher_event(int fd, short revents, void *arg)
{
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n > 0) {
		if (memchr(buf, 'W', (size_t)n))
			resize(arg);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	kernel_del_fd_handler(fd);
	close(fd);
	/* Its end of the pipe closed: it is gone (or going), and its pid
	 * must not be killed later when it may be another process's. */
	((struct tty_console *)arg)->watcher_fd = -1;
	((struct tty_console *)arg)->watcher = -1;
}

/* In the watcher: nothing but waiting for signals and saying so. The
 * program is built before the sentry's own filter, which does not let
 * libseccomp run (exec -t forks watchers later); it is loaded with
 * prctl, which the sentry's filter allows. */
int console_prepare(void)
{
	static const int allowed[] = {
		SCMP_SYS(rt_sigtimedwait), SCMP_SYS(write), SCMP_SYS(exit), SCMP_SYS(exit_group),
		SCMP_SYS(restart_syscall),
	};
	scmp_filter_ctx ctx;
	_cleanup_free_ char *buf = NULL;
	int err = 0, pfd[2] = { -1, -1 };
	size_t len = 0;

	if (watcher_filter)
		return 0;
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(allowed) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	if (!err && pipe2(pfd, O_CLOEXEC) < 0)
		err = -errno;
	if (!err)
		err = seccomp_export_bpf(ctx, pfd[1]);
	seccomp_release(ctx);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (!err)
		err = read_all_fd(pfd[0], &buf, &len);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (err < 0)
		return err;
	watcher_filter = xmalloc(sizeof(*watcher_filter));
	watcher_filter->len = (unsigned short)(len / sizeof(struct sock_filter));
	watcher_filter->filter = (struct sock_filter *)buf;
	buf = NULL;
	return 0;
}

/* The host kernel tells of resizes with SIGWINCH to the foreground group
 * of the terminal's session. The sentry cannot be that session itself:
 * the group would include the stubs, which must not see host signals. So
 * a tiny child of the sentry takes the host terminal as the controlling
 * terminal of a session of its own and reports each SIGWINCH on a pipe.
 * The sentry, in another session, reads and writes the terminal without
 * any job control getting in the way. The child is made after the sentry
 * dropped its privileges and left the host's files, is confined further
 * to waiting and writing, and dies with the sentry (PDEATHSIG, and the
 * sentry is its pid namespace's init). */
static int start_watcher(struct tty_console *con)
{
	pid_t parent = getpid(), pid;
	sigset_t set;
	int p[2];

	if (!watcher_filter)
		return -ENOSYS;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		sigemptyset(&set);
		sigaddset(&set, SIGWINCH);
		sigprocmask(SIG_SETMASK, &set, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		close(p[0]);
		if (setsid() < 0 || ioctl(con->host_fd, TIOCSCTTY, 0) < 0)
			_exit(1);
		/* The terminal stays its controlling one without the fd, and
		 * nothing else of the sentry's is any of its business (the
		 * control socket, the gofer's, other consoles). */
		if (p[1] > 0)
			syscall(SYS_close_range, 0U, (unsigned)p[1] - 1, 0U);
		syscall(SYS_close_range, (unsigned)p[1] + 1, ~0U, 0U);
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, watcher_filter) < 0)
			_exit(1);
		for (;;) {
			int sig = sigwaitinfo(&set, NULL);

			/* A full pipe already says "resized"; a closed one
			 * means the sentry is gone. */
			if (sig == SIGWINCH && write(p[1], "W", 1) < 0 && errno == EPIPE)
				_exit(0);
		}
	}
	close(p[1]);
	con->watcher = pid;
	con->watcher_fd = p[0];
	kernel_add_fd_handler(p[0], POLLIN, watcher_event, con);
	return 0;
}

/* cfmakeraw: the host line discipline passes bytes through untouched. */
static int host_make_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return -errno;
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -errno;
	return 0;
}

static int console_make(int host_fd, bool transient, struct tty_console **out)
{
	struct tty_console *con;
	struct winsize ws;
	int fl, rc;

	if (!isatty(host_fd)) {
		log_error("console: fd %d is not a terminal", host_fd);
		return -ENOTTY;
	}
	fl = fcntl(host_fd, F_GETFL);
	if (fl < 0 || fcntl(host_fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	rc = host_make_raw(host_fd);
	if (rc < 0)
		return rc;
	con = xzalloc(sizeof(*con));
	con->host_fd = host_fd;
	con->transient = transient;
	con->watcher = -1;
	con->watcher_fd = -1;
	con->release_timer.fn = console_release_timer;
	rc = pty_kmaster_open(&con->pty);
	if (rc < 0) {
		free(con);
		return rc;
	}
	if (ioctl(host_fd, TIOCGWINSZ, &ws) == 0)
		pty_tty(con->pty)->winsize = ws;
	rc = start_watcher(con);
	if (rc < 0)
		log_warn("console: resizes will only be seen with input: %s", strerror(-rc));
	pty_kmaster_set_notify(con->pty, console_notify, con);
	list_add_tail(&con->link, &consoles);
	update_events(con);
	*out = con;
	return 0;
}

int console_new(int host_fd, struct tty_console **out)
{
	int rc;

	if (dev_console)
		return -EEXIST;
	rc = console_make(host_fd, false, out);
	if (rc < 0)
		return rc;
	dev_console = *out;
	devfs_add_console();
	return 0;
}

int console_new_exec(int host_fd, struct tty_console **out)
{
	return console_make(host_fd, true, out);
}

void console_release(struct tty_console *con)
{
	con->forced = true;
	schedule_release(con);
}

int pty_kmaster_open_slave(struct pty *p, int flags, struct file **out)
{
	char path[32];

	/* Through /dev/pts when the sandbox has it, so the file has a path. */
	snprintf(path, sizeof(path), "/dev/pts/%d", p->index);
	if (vfs_open(NULL, AT_FDCWD, path, flags | O_NOCTTY, 0, out) == 0) {
		if (file_tty(*out) == &p->tty)
			return 0;
		file_put(*out);
	}
	return devpts_open_slave(p, &(struct file){ 0 }, NULL, flags | O_NOCTTY, out);
}

int console_attach(struct tty_console *con, struct task *t)
{
	struct file *f;
	int rc;

	if (!con->pty)
		return -EIO;
	rc = pty_kmaster_open_slave(con->pty, O_RDWR, &f);
	if (rc < 0)
		return rc;
	for (int fd = 0; fd <= 2 && rc >= 0; fd++)
		rc = fd_install_at(t, fd, f, false);
	file_put(f);
	if (rc < 0)
		return rc;
	con->attached = true;
	/* t leads its session: the console is its terminal. */
	tty_set_ctty(pty_tty(con->pty), t->tg);
	return 0;
}

int console_open_file(struct file *f)
{
	struct tty_console *con = first_console();
	struct tty_struct *tty;

	if (!con)
		return -ENODEV;
	if (!con->pty)
		return -EIO;
	/* Opening /dev/console never makes it a controlling terminal. */
	tty = pty_tty(con->pty);
	return tty->ops->open_ctty(tty, f);
}
