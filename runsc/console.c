/* process.terminal on the CLI side: see runsc/console.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "runsc/console.h"
#include "runsc/log.h"
#include "runsc/spec.h"
#include "runsc/util.h"

/* The name runc gives the master it sends (the file's name in Go). */
#define CONSOLE_MASTER_NAME "/dev/ptmx"

int console_check_flags(bool terminal, bool detach, const char *socket_path)
{
	/* runc's checkTerminal, with its words (clients match them). A
	 * foreground run may still hand the master to a socket, as runsc's
	 * does. */
	if (detach && terminal && !socket_path) {
		log_error("cannot allocate tty if runc will detach without setting console socket");
		return -1;
	}
	if (!terminal && socket_path) {
		log_error("cannot use console socket if runc will not detach or allocate tty");
		return -1;
	}
	return 0;
}

int console_open(struct console *c, const struct spec_process *p, bool size_from_stdin)
{
	_cleanup_close_ int m = -1, sl = -1;
	struct winsize ws = { 0 };

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		log_error("console: cannot allocate a pseudo-terminal: %s", strerror(errno));
		return -1;
	}
	sl = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sl < 0) {
		log_error("console: cannot open the pseudo-terminal's slave: %s", strerror(errno));
		return -1;
	}
	if (p->console_height || p->console_width) {
		ws.ws_row = (unsigned short)p->console_height;
		ws.ws_col = (unsigned short)p->console_width;
	} else if (size_from_stdin && isatty(STDIN_FILENO)) {
		ioctl(STDIN_FILENO, TIOCGWINSZ, &ws);
	}
	if ((ws.ws_row || ws.ws_col) && ioctl(m, TIOCSWINSZ, &ws) < 0)
		log_warn("console: cannot set the terminal size: %s", strerror(errno));
	c->master = steal_fd(&m);
	c->slave = steal_fd(&sl);
	return 0;
}

int console_send_master(struct console *c, const char *socket_path)
{
	_cleanup_close_ int sock = -1;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char name[] = CONSOLE_MASTER_NAME;
	struct iovec iov = { .iov_base = name, .iov_len = strlen(name) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	if (strlen(socket_path) >= sizeof(addr.sun_path)) {
		log_error("console socket path %s is too long", socket_path);
		return -1;
	}
	strcpy(addr.sun_path, socket_path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		log_error("dial console socket %s: %s", socket_path, strerror(errno));
		return -1;
	}
	memset(u.buf, 0, sizeof(u.buf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &c->master, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		log_error("send the console to %s: %s", socket_path, strerror(errno));
		return -1;
	}
	/* The client has it now; ours would keep the terminal from ever
	 * hanging up. */
	close(c->master);
	c->master = -1;
	return 0;
}

void console_close_slave(struct console *c)
{
	if (c->slave >= 0)
		close(c->slave);
	c->slave = -1;
}

/* runc's (containerd/console's) raw mode for the user's terminal: output
 * processing off as well, the sandbox's terminal does it. */
static int make_raw(struct console *c)
{
	struct termios t;

	if (!isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &c->saved) < 0)
		return -errno;
	t = c->saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		return -errno;
	c->raw = true;
	return 0;
}

static void copy_out(int from, int to)
{
	char buf[8192];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) < 0 && errno == EINTR)
		;
	if (n > 0)
		write_all(to, buf, (size_t)n);
}

/* Copies until the sandbox's end shows as EIO (or end of file) on the
 * master, or console_finish asks; then what is left of the output. */
static void *copier(void *arg)
{
	struct console *c = arg;
	bool in_open = true;
	char buf[8192];

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = c->master, .events = POLLIN },
			{ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = c->stop[0], .events = POLLIN },
		};
		ssize_t n;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			n = read(c->master, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				break;
			if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				log_debug("console: writing to stdout: %s", strerror(errno));
		}
		if (p[1].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			/* Input over: the sandbox keeps running (runc too). */
			if (n <= 0)
				in_open = false;
			else if (write_all(c->master, buf, (size_t)n) < 0)
				break;
		}
		if (p[2].revents) {
			struct pollfd m = { .fd = c->master, .events = POLLIN };

			while (poll(&m, 1, 0) > 0 && (m.revents & POLLIN))
				copy_out(c->master, STDOUT_FILENO);
			break;
		}
	}
	return NULL;
}

int console_start_copy(struct console *c)
{
	int r;

	if (pipe2(c->stop, O_CLOEXEC) < 0) {
		log_error("console: pipe: %s", strerror(errno));
		return -1;
	}
	r = make_raw(c);
	if (r < 0)
		log_warn("console: cannot put the terminal in raw mode: %s", strerror(-r));
	/* The copier inherits the blocked signals: they stay the signalfd's. */
	r = pthread_create(&c->copier, NULL, copier, c);
	if (r) {
		log_error("console: cannot start copying: %s", strerror(r));
		return -1;
	}
	c->copying = true;
	return 0;
}

void console_winch(struct console *c)
{
	struct winsize ws;

	if (c->master < 0 || !isatty(STDIN_FILENO))
		return;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(c->master, TIOCSWINSZ, &ws);
}

void console_finish(struct console *c)
{
	if (c->copying) {
		(void)!write(c->stop[1], "x", 1);
		pthread_join(c->copier, NULL);
		c->copying = false;
	}
	if (c->raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
		c->raw = false;
	}
	for (int i = 0; i < 2; i++) {
		if (c->stop[i] >= 0)
			close(c->stop[i]);
		c->stop[i] = -1;
	}
	console_close_slave(c);
	if (c->master >= 0)
		close(c->master);
	c->master = -1;
}
