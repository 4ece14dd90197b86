/* epoll on the process's stdin.
 *
 * Without arguments (the conformance run, stdin is /dev/null): a memory
 * device has no poll, so epoll_ctl refuses it (EPERM) while poll() still
 * calls it ready.
 *
 * With "et" or "lt" (tests/integration/events.sh, stdin is a host pipe
 * written in bursts): reads stdin to its end through epoll, edge-triggered
 * (draining until EAGAIN) or level-triggered (one byte per event), and
 * prints what came, then "eof". */
#include "conformance.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>

static int follow(bool edge)
{
	char data[4096];
	size_t len = 0;
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | (edge ? EPOLLET : 0) };

	if (edge)
		fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) < 0) {
		conf_print("epoll_ctl: %s\n", conf_errname(errno));
		return 1;
	}
	for (;;) {
		int n = epoll_wait(ep, &ev, 1, 10000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1) {
			conf_print("epoll_wait: %d %s\n", n, n < 0 ? conf_errname(errno) : "timeout");
			return 1;
		}
		do {
			ssize_t r = read(0, data + len, edge ? sizeof(data) - len : 1);
			if (r < 0 && errno == EAGAIN)
				break;
			if (r < 0) {
				conf_print("read: %s\n", conf_errname(errno));
				return 1;
			}
			if (r == 0) {
				conf_print("%.*seof\n", (int)len, data);
				return 0;
			}
			len += (size_t)r;
		} while (edge && len < sizeof(data));
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return follow(strcmp(argv[1], "et") == 0);

	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	CHECK_ERR("stdin_dev_null.epoll_eperm", epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev), EPERM);
	struct pollfd p = { .fd = 0, .events = POLLIN };
	CHECK_EQ("stdin_dev_null.poll_ready", poll(&p, 1, 0), 1);
	CHECK_EQ("stdin_dev_null.poll_revents", p.revents, POLLIN);
	return conf_done();
}
