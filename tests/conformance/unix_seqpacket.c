/* AF_UNIX seqpacket sockets: connection-oriented like streams, with
 * message boundaries like datagrams; EOF, EPIPE without SIGPIPE, resets,
 * truncation, poll events and blocking. */
#include "conformance.h"
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

static char name_prefix[32];

static socklen_t abs_addr(struct sockaddr_un *u, const char *name)
{
	memset(u, 0, sizeof(*u));
	u->sun_family = AF_UNIX;
	int n = snprintf(u->sun_path + 1, sizeof(u->sun_path) - 1, "%s-%s", name_prefix, name);
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

static short poll1(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static bool sigpipe_pending(void)
{
	sigset_t pend;
	sigpending(&pend);
	return sigismember(&pend, SIGPIPE);
}

int main(void)
{
	char buf[64];
	int sv[2], n;

	snprintf(name_prefix, sizeof(name_prefix), "sbxconf-seq-%d", (int)getpid());
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);

	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR("unconnected.send", send(s, "x", 1, 0), ENOTCONN);
	CHECK_ERR("unconnected.recv", recv(s, buf, 1, MSG_DONTWAIT), ENOTCONN);
	CHECK_EQ("unconnected.poll", poll1(s, POLLIN | POLLOUT), POLLOUT | POLLHUP);
	close(s);

	CHECK_OK("pair.create", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	CHECK_EQ("pair.poll_idle", poll1(sv[0], POLLIN | POLLOUT), POLLOUT);
	CHECK_EQ("pair.send1", send(sv[0], "first", 5, 0), 5);
	CHECK_EQ("pair.send2", write(sv[0], "second", 6), 6);
	CHECK_EQ("pair.send_empty", send(sv[0], "", 0, 0), 0);
	CHECK_OK("pair.siocinq", ioctl(sv[1], SIOCINQ, &n));
	CHECK_EQ("pair.siocinq_all", n, 11);
	CHECK_EQ("pair.recv1", recv(sv[1], buf, sizeof(buf), 0), 5);
	struct iovec iov = { buf, 3 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK_EQ("pair.recvmsg_trunc", recvmsg(sv[1], &mh, 0), 3);
	CHECK("pair.recvmsg_trunc_flag", (mh.msg_flags & MSG_TRUNC) && memcmp(buf, "sec", 3) == 0);
	CHECK_EQ("pair.recv_empty", recv(sv[1], buf, sizeof(buf), 0), 0);
	CHECK_ERR("pair.eagain", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_EQ("pair.recv_trunc_len", (send(sv[0], "abcdef", 6, 0), recv(sv[1], buf, 2, MSG_TRUNC)), 6);
	struct sockaddr_un u;
	socklen_t l = abs_addr(&u, "ignored");
	CHECK_EQ("pair.sendto_addr_ignored", sendto(sv[0], "to", 2, 0, (void *)&u, l), 2);
	CHECK_EQ("pair.sendto_arrives", recv(sv[1], buf, sizeof(buf), 0), 2);
	int v = 10000;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	static char big[30000];
	CHECK_ERR("pair.emsgsize", send(sv[0], big, 20000 - 31, 0), EMSGSIZE);

	/* SHUT_WR: the peer reads EOF. */
	CHECK_OK("shutdown.wr", shutdown(sv[0], SHUT_WR));
	CHECK_EQ("shutdown.peer_eof", recv(sv[1], buf, sizeof(buf), 0), 0);
	CHECK_EQ("shutdown.peer_eof_nonblock", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0);
	CHECK_ERR("shutdown.wr_epipe", send(sv[0], "x", 1, 0), EPIPE);
	CHECK("shutdown.wr_no_sigpipe", !sigpipe_pending());
	CHECK_EQ("shutdown.peer_poll", poll1(sv[1], POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLRDHUP);
	close(sv[0]);
	close(sv[1]);

	/* Peer close: queued messages, then EOF; sends fail with EPIPE and
	 * no SIGPIPE. */
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	send(sv[0], "last", 4, 0);
	close(sv[0]);
	CHECK_EQ("close.poll", poll1(sv[1], POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
	CHECK_EQ("close.data", recv(sv[1], buf, sizeof(buf), 0), 4);
	CHECK_EQ("close.eof", recv(sv[1], buf, sizeof(buf), 0), 0);
	CHECK_EQ("close.eof_nonblock", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0);
	CHECK_ERR("close.epipe", send(sv[1], "x", 1, 0), EPIPE);
	CHECK("close.no_sigpipe", !sigpipe_pending());
	close(sv[1]);

	/* Closing with unread messages: the error comes before the data. */
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	send(sv[1], "unread", 6, 0);
	send(sv[0], "queued", 6, 0);
	close(sv[0]);
	CHECK_ERR("reset.error_first", recv(sv[1], buf, sizeof(buf), 0), ECONNRESET);
	CHECK_EQ("reset.then_data", recv(sv[1], buf, sizeof(buf), 0), 6);
	CHECK_EQ("reset.then_eof", recv(sv[1], buf, sizeof(buf), 0), 0);
	close(sv[1]);

	/* listen, connect, accept. */
	int srv = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	l = abs_addr(&u, "srv");
	CHECK_OK("listen.bind", bind(srv, (void *)&u, l));
	CHECK_OK("listen.ok", listen(srv, 2));
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("connect.wrong_type", connect(st, (void *)&u, l), ECONNREFUSED);
	close(st);
	int cl = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_OK("connect.ok", connect(cl, (void *)&u, l));
	CHECK_EQ("listen.poll_pending", poll1(srv, POLLIN | POLLOUT), POLLIN);
	CHECK_EQ("connect.send_before_accept", send(cl, "hello", 5, 0), 5);
	int a = accept(srv, NULL, NULL);
	CHECK("accept.ok", a >= 0);
	CHECK_EQ("accept.recv", recv(a, buf, sizeof(buf), 0), 5);
	/* A blocked receive wakes up for a message. */
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		_exit(send(a, "wake", 4, 0) == 4 ? 0 : 1);
	}
	CHECK_EQ("blocking.recv", recv(cl, buf, sizeof(buf), 0), 4);
	CHECK_EXIT("blocking.child", conf_wait(c), 0);
	/* ...and for the peer closing. */
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		_exit(0); /* the last reference to a goes */
	}
	close(a);
	CHECK_EQ("blocking.eof", recv(cl, buf, sizeof(buf), 0), 0);
	CHECK_EXIT("blocking.closer", conf_wait(c), 0);
	close(cl);
	close(srv);

	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGPIPE, SIG_DFL);
	return conf_done();
}
