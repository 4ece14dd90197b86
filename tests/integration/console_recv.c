/* A scripted terminal user for tests/integration/terminal.sh.
 *
 *   console_recv listen SOCKET    receive a pty master over SOCKET as a
 *                                 runc client does (--console-socket)
 *   console_recv spawn CMD...     run CMD on a new pty (its controlling
 *                                 terminal) as script(1) would
 *
 * Then it plays the script read from stdin against the master and copies
 * everything the master says to stdout, until the master reports the end
 * (EIO or end of file) or 30 seconds pass. Script lines:
 *   @wait TEXT      until TEXT appears in the output (after the last wait)
 *   @sleep MS       pause
 *   @resize R C     set the window size of the master
 *   @ctrl X         send control-X (@ctrl C is ^C)
 *   @close          close the master (the terminal hangs up)
 *   anything else   sent as typed, with a newline
 * The received name (runc's payload) goes to stderr as "name=...". The
 * exit status is 0 when the script ran to its end, 2 when a wait timed
 * out, 1 on errors; in spawn mode CMD's exit status goes to stderr as
 * "status=N". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 30000

static char outbuf[1 << 20];
static size_t outlen, waited_upto;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int receive_master(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char name[256];
	struct iovec iov = { name, sizeof(name) - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	int ls, s, fd;
	ssize_t n;

	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	unlink(path);
	if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(ls, 1) < 0) {
		perror("listen");
		return -1;
	}
	s = accept(ls, NULL, NULL);
	if (s < 0) {
		perror("accept");
		return -1;
	}
	n = recvmsg(s, &msg, 0);
	cm = CMSG_FIRSTHDR(&msg);
	if (n < 0 || !cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "no fd received\n");
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	name[n] = '\0';
	fprintf(stderr, "name=%s\n", name);
	close(s);
	close(ls);
	unlink(path);
	return fd;
}

static pid_t child = -1;

static int spawn(char **argv)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	char name[64];

	if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, name, sizeof(name)))
		return -1;
	/* A size to start with, as a real terminal has. */
	ioctl(m, TIOCSWINSZ, &(struct winsize){ .ws_row = 24, .ws_col = 80 });
	child = fork();
	if (child == 0) {
		int s;

		setsid();
		s = open(name, O_RDWR); /* the controlling terminal */
		if (s < 0)
			_exit(127);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		if (s > 2)
			close(s);
		close(m);
		execvp(argv[0], argv);
		_exit(127);
	}
	return m;
}

/* Copies what the master has; false at its end. */
static bool pump(int m, int ms)
{
	struct pollfd p = { .fd = m, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return true;
	n = read(m, outbuf + outlen, sizeof(outbuf) - 1 - outlen);
	if (n <= 0)
		return false;
	(void)!write(1, outbuf + outlen, (size_t)n);
	outlen += (size_t)n;
	outbuf[outlen] = '\0';
	return true;
}

int main(int argc, char **argv)
{
	char line[512];
	long long deadline = now_ms() + TIMEOUT_MS;
	bool alive = true;
	int m, rc = 0;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && !strcmp(argv[1], "listen"))
		m = receive_master(argv[2]);
	else if (argc >= 3 && !strcmp(argv[1], "spawn"))
		m = spawn(argv + 2);
	else {
		fprintf(stderr, "usage: console_recv listen SOCKET | spawn CMD...\n");
		return 1;
	}
	if (m < 0)
		return 1;

	while (alive && fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "@wait ", 6)) {
			const char *want = line + 6;
			char *hit;

			while (!(hit = strstr(outbuf + waited_upto, want))) {
				if (!alive || now_ms() > deadline) {
					fprintf(stderr, "timed out waiting for '%s'\n", want);
					rc = 2;
					goto out;
				}
				alive = pump(m, 100);
			}
			waited_upto = (size_t)(hit - outbuf) + strlen(want);
		} else if (!strncmp(line, "@sleep ", 7)) {
			long long until = now_ms() + atoi(line + 7);

			while (alive && now_ms() < until)
				alive = pump(m, 10);
		} else if (!strncmp(line, "@resize ", 8)) {
			struct winsize ws = { 0 };

			sscanf(line + 8, "%hu %hu", &ws.ws_row, &ws.ws_col);
			ioctl(m, TIOCSWINSZ, &ws);
		} else if (!strncmp(line, "@ctrl ", 6)) {
			char c = (char)(line[6] & 037);

			(void)!write(m, &c, 1);
		} else if (!strcmp(line, "@close")) {
			close(m);
			m = -1;
			alive = false;
		} else {
			strcat(line, "\n");
			(void)!write(m, line, strlen(line));
		}
	}
	while (alive && now_ms() < deadline)
		alive = pump(m, 100);
	if (alive) {
		fprintf(stderr, "the terminal never ended\n");
		rc = 2;
	}
out:
	if (child > 0) {
		int st;

		if (rc)
			kill(child, SIGKILL);
		if (waitpid(child, &st, 0) == child)
			fprintf(stderr, "status=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	return rc;
}
