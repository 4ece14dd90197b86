/* epoll on AF_UNIX sockets: level- and edge-triggered readiness of stream
 * pairs (data, peer close, partial reads that must not re-trigger an
 * edge), listeners with pending connections, and a datagram sender whose
 * receiver's queue is full becoming writable when it drains. */
#include "conformance.h"
#include <fcntl.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

static int ep_events(int ep, int timeout_ms, uint32_t *ev)
{
	struct epoll_event e[4];
	int n = epoll_wait(ep, e, 4, timeout_ms);
	*ev = n > 0 ? e[0].events : 0;
	return n;
}

static int add(int ep, int fd, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.fd = fd };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static socklen_t abs_addr(struct sockaddr_un *u, const char *name)
{
	memset(u, 0, sizeof(*u));
	u->sun_family = AF_UNIX;
	int n = snprintf(u->sun_path + 1, sizeof(u->sun_path) - 1, "sbxconf-ep-%d-%s", (int)getpid(), name);
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

int main(void)
{
	int sv[2], ep, n;
	uint32_t ev;
	char buf[64];

	/* Level-triggered. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK_OK("lt.add", add(ep, sv[1], EPOLLIN | EPOLLOUT | EPOLLRDHUP));
	n = ep_events(ep, 0, &ev);
	CHECK("lt.idle_writable", n == 1 && ev == EPOLLOUT);
	send(sv[0], "data", 4, 0);
	n = ep_events(ep, 0, &ev);
	CHECK("lt.readable", n == 1 && ev == (EPOLLIN | EPOLLOUT));
	n = ep_events(ep, 0, &ev);
	CHECK("lt.still_readable", n == 1 && ev == (EPOLLIN | EPOLLOUT));
	recv(sv[1], buf, sizeof(buf), 0);
	close(sv[0]);
	n = ep_events(ep, 0, &ev);
	CHECK("lt.peer_closed", n == 1 && ev == (EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLRDHUP));
	close(sv[1]);
	n = ep_events(ep, 0, &ev);
	CHECK_EQ("lt.closed_removed", n, 0);
	close(ep);

	/* Edge-triggered: one event per arrival; reading part of the data is
	 * no new edge. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	ep = epoll_create1(0);
	CHECK_OK("et.add", add(ep, sv[1], EPOLLIN | EPOLLET));
	CHECK_EQ("et.idle", ep_events(ep, 0, &ev), 0);
	send(sv[0], "0123456789", 10, 0);
	n = ep_events(ep, 0, &ev);
	CHECK("et.arrival", n == 1 && ev == EPOLLIN);
	CHECK_EQ("et.no_repeat", ep_events(ep, 0, &ev), 0);
	CHECK_EQ("et.partial_read", recv(sv[1], buf, 5, 0), 5);
	CHECK_EQ("et.partial_read_no_edge", ep_events(ep, 0, &ev), 0);
	send(sv[0], "x", 1, 0);
	n = ep_events(ep, 0, &ev);
	CHECK("et.second_arrival", n == 1 && ev == EPOLLIN);
	/* A blocked epoll_wait wakes for data from another process. */
	recv(sv[1], buf, sizeof(buf), 0);
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		_exit(send(sv[0], "w", 1, 0) == 1 ? 0 : 1);
	}
	n = ep_events(ep, 5000, &ev);
	CHECK("et.blocking_wait", n == 1 && ev == EPOLLIN);
	CHECK_EXIT("et.child", conf_wait(c), 0);
	close(sv[0]);
	close(sv[1]);
	close(ep);

	/* The same for datagrams: taking one of two is no new edge. */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	ep = epoll_create1(0);
	add(ep, sv[1], EPOLLIN | EPOLLET);
	send(sv[0], "one", 3, 0);
	send(sv[0], "two", 3, 0);
	n = ep_events(ep, 0, &ev);
	CHECK("et_dgram.arrivals", n == 1 && ev == EPOLLIN);
	CHECK_EQ("et_dgram.recv_one", recv(sv[1], buf, sizeof(buf), 0), 3);
	CHECK_EQ("et_dgram.recv_no_edge", ep_events(ep, 0, &ev), 0);
	send(sv[0], "three", 5, 0);
	n = ep_events(ep, 0, &ev);
	CHECK("et_dgram.next_arrival", n == 1 && ev == EPOLLIN);
	close(sv[0]);
	close(sv[1]);
	close(ep);

	/* A listener is readable while a connection waits for accept. */
	struct sockaddr_un u;
	socklen_t l = abs_addr(&u, "srv");
	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(srv, (void *)&u, l);
	listen(srv, 4);
	ep = epoll_create1(0);
	add(ep, srv, EPOLLIN | EPOLLOUT);
	CHECK_EQ("listen.idle", ep_events(ep, 0, &ev), 0);
	int cl = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(cl, (void *)&u, l);
	n = ep_events(ep, 0, &ev);
	CHECK("listen.pending", n == 1 && ev == EPOLLIN);
	int a = accept(srv, NULL, NULL);
	CHECK_EQ("listen.accepted_idle", ep_events(ep, 0, &ev), 0);
	close(a);
	close(cl);
	close(srv);
	close(ep);

	/* A datagram sender connected to a receiver that is not connected
	 * back: not writable while the receiver's queue is full, writable
	 * (an edge too) once it drains. */
	l = abs_addr(&u, "rx");
	int rx = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(rx, (void *)&u, l);
	int tx = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	connect(tx, (void *)&u, l);
	while (send(tx, "q", 1, 0) == 1)
		;
	int ep_lt = epoll_create1(0), ep_et = epoll_create1(0);
	add(ep_lt, tx, EPOLLOUT);
	add(ep_et, tx, EPOLLOUT | EPOLLET);
	CHECK_EQ("dgram.full_lt", ep_events(ep_lt, 0, &ev), 0);
	CHECK_EQ("dgram.full_et", ep_events(ep_et, 0, &ev), 0);
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		_exit(recv(rx, buf, sizeof(buf), 0) == 1 ? 0 : 1);
	}
	n = ep_events(ep_et, 5000, &ev);
	CHECK("dgram.drained_et", n == 1 && ev == EPOLLOUT);
	CHECK_EXIT("dgram.reader", conf_wait(c), 0);
	n = ep_events(ep_lt, 0, &ev);
	CHECK("dgram.drained_lt", n == 1 && ev == EPOLLOUT);
	CHECK_EQ("dgram.send_again", send(tx, "q", 1, 0), 1);
	CHECK_EQ("dgram.full_again", ep_events(ep_lt, 0, &ev), 0);
	/* The receiver going away: writable (the next send says why). */
	close(rx);
	n = ep_events(ep_lt, 1000, &ev);
	CHECK("dgram.receiver_gone", n == 1 && ev == EPOLLOUT);
	CHECK_ERR("dgram.receiver_gone_send", send(tx, "q", 1, 0), ECONNREFUSED);
	close(tx);
	close(ep_lt);
	close(ep_et);
	return conf_done();
}
