/* Edge-triggered epoll when data arrives while nobody waits: after a
 * reader drained a file to EAGAIN, the next arrival is a new edge even if
 * it comes before the next epoll_wait (Linux's ep_poll_callback runs on
 * the write, whoever waits).
 *
 * Without arguments (the conformance run): on a sentry pipe. With "stdin"
 * (tests/integration/hostfd_edges.sh, stdin a host pipe fed in bursts
 * 0.3 s apart): drains stdin to EAGAIN, sleeps 0.6 s so that the next
 * burst arrives before epoll_wait is called again, and must still hear
 * it; prints what came, then "eof". */
#include "conformance.h"
#include <fcntl.h>
#include <sys/epoll.h>

static int follow_stdin(void)
{
	char data[4096];
	size_t len = 0;
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };

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
			conf_print("epoll_wait: %d %s after '%.*s'\n", n,
				   n < 0 ? conf_errname(errno) : "timeout", (int)len, data);
			return 1;
		}
		for (;;) {
			ssize_t r = read(0, data + len, sizeof(data) - len);
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
		}
		conf_msleep(600);
	}
}

int main(int argc, char **argv __attribute__((unused)))
{
	if (argc > 1)
		return follow_stdin();

	int p[2], ep = epoll_create1(0);
	char buf[16];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;

	CHECK_OK("pipe", pipe2(p, O_NONBLOCK));
	CHECK_OK("epoll_ctl.add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	CHECK_EQ("empty.no_event", epoll_wait(ep, &out, 1, 0), 0);
	CHECK_EQ("write.a", write(p[1], "a", 1), 1);
	CHECK_EQ("first.edge", epoll_wait(ep, &out, 1, 0), 1);
	CHECK_EQ("first.reported_once", epoll_wait(ep, &out, 1, 0), 0);
	CHECK_EQ("drain.read", read(p[0], buf, sizeof(buf)), 1);
	CHECK_ERR("drain.eagain", read(p[0], buf, sizeof(buf)), EAGAIN);
	/* The arrival comes while nobody is in epoll_wait. */
	CHECK_EQ("write.b", write(p[1], "b", 1), 1);
	CHECK_EQ("late.edge", epoll_wait(ep, &out, 1, 0), 1);
	CHECK_EQ("late.events", out.events, EPOLLIN);
	CHECK_EQ("late.reported_once", epoll_wait(ep, &out, 1, 0), 0);
	/* Without draining, another write is another edge. */
	CHECK_EQ("write.c", write(p[1], "c", 1), 1);
	CHECK_EQ("undrained.edge", epoll_wait(ep, &out, 1, 0), 1);
	CHECK_EQ("undrained.read_all", read(p[0], buf, sizeof(buf)), 2);
	close(p[0]);
	close(p[1]);
	close(ep);
	return conf_done();
}
