/* AF_UNIX datagram sockets: message boundaries, truncation, source
 * addresses, connect/disconnect rules, peers going away, queue limits and
 * blocking, shutdown, autobind, sendmmsg/recvmmsg. */
#include "conformance.h"
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

static char name_prefix[32];

static socklen_t abs_addr(struct sockaddr_un *u, const char *name)
{
	memset(u, 0, sizeof(*u));
	u->sun_family = AF_UNIX;
	int n = snprintf(u->sun_path + 1, sizeof(u->sun_path) - 1, "%s-%s", name_prefix, name);
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

static int bound(const char *name)
{
	struct sockaddr_un u;
	socklen_t l = abs_addr(&u, name);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (void *)&u, l) < 0)
		return -1;
	return s;
}

static int connect_name(int s, const char *name)
{
	struct sockaddr_un u;
	socklen_t l = abs_addr(&u, name);
	return connect(s, (void *)&u, l);
}

static ssize_t send_to(int s, const char *name, const void *buf, size_t len, int flags)
{
	struct sockaddr_un u;
	socklen_t l = abs_addr(&u, name);
	return sendto(s, buf, len, flags, (void *)&u, l);
}

static short poll1(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static int so_error(int fd)
{
	int v = -1;
	socklen_t l = sizeof(v);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &l);
	return v;
}

static void test_pair(void)
{
	int sv[2], n;
	char buf[64];

	CHECK_OK("pair.create", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	CHECK_EQ("pair.poll_idle", poll1(sv[0], POLLIN | POLLOUT), POLLOUT);
	CHECK_EQ("pair.send1", send(sv[0], "one", 3, 0), 3);
	CHECK_EQ("pair.send2", write(sv[0], "two!", 4), 4);
	CHECK_EQ("pair.send_empty", send(sv[0], "", 0, 0), 0);
	CHECK_EQ("pair.send3", send(sv[0], "three", 5, 0), 5);
	CHECK_EQ("pair.poll_readable", poll1(sv[1], POLLIN | POLLOUT), POLLIN | POLLOUT);
	CHECK_OK("pair.siocinq", ioctl(sv[1], SIOCINQ, &n));
	CHECK_EQ("pair.siocinq_first_only", n, 3);
	/* One receive is one datagram, whatever the buffer. */
	CHECK_EQ("pair.recv1", recv(sv[1], buf, sizeof(buf), 0), 3);
	CHECK_EQ("pair.peek_trunc_len", recv(sv[1], buf, 2, MSG_PEEK | MSG_TRUNC), 4);
	struct iovec iov = { buf, 2 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK_EQ("pair.recvmsg_truncated", recvmsg(sv[1], &mh, 0), 2);
	CHECK("pair.recvmsg_msg_trunc", (mh.msg_flags & MSG_TRUNC) && memcmp(buf, "tw", 2) == 0);
	CHECK_EQ("pair.recv_empty_datagram", recv(sv[1], buf, sizeof(buf), 0), 0);
	CHECK_EQ("pair.recv_trunc_flag", recv(sv[1], buf, 1, MSG_TRUNC), 5);
	/* read(2) of nothing returns at once; recv(2) of nothing eats a
	 * datagram. */
	send(sv[0], "gone", 4, 0);
	CHECK_EQ("pair.read_zero", read(sv[1], buf, 0), 0);
	CHECK_EQ("pair.recv_zero_eats", recv(sv[1], buf, 0, 0), 0);
	CHECK_ERR("pair.empty_eagain", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	CHECK_OK("pair.siocinq_empty", ioctl(sv[1], SIOCINQ, &n));
	CHECK_EQ("pair.siocinq_zero", n, 0);

	/* The size limit is the send buffer. */
	int v = 10000;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	static char big[40000];
	CHECK_EQ("pair.max_size", send(sv[0], big, 20000 - 32, 0), 20000 - 32);
	CHECK_ERR("pair.emsgsize", send(sv[0], big, 20000 - 31, 0), EMSGSIZE);
	CHECK_EQ("pair.recv_big", recv(sv[1], big, sizeof(big), 0), 20000 - 32);

	/* A non-blocking sender fills its send buffer, then EAGAIN. */
	v = 212992 / 2;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	int count = 0;
	while (send(sv[0], "x", 1, 0) == 1)
		count++;
	CHECK_EQ("pair.fill_eagain", errno, EAGAIN);
	CHECK("pair.fill_count", count > 100 && count < 2000);
	CHECK_EQ("pair.full_no_pollout", poll1(sv[0], POLLOUT), 0);
	int got = 0;
	while (recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) == 1)
		got++;
	CHECK_EQ("pair.drain_count", got, count);
	CHECK_EQ("pair.pollout_again", poll1(sv[0], POLLOUT), POLLOUT);

	/* The peer goes away: the next send says so once, then ENOTCONN;
	 * the survivor sees no EOF or HUP. */
	close(sv[1]);
	CHECK_EQ("peer_gone.poll", poll1(sv[0], POLLIN | POLLOUT), POLLOUT);
	CHECK_ERR("peer_gone.econnrefused", send(sv[0], "x", 1, 0), ECONNREFUSED);
	CHECK_ERR("peer_gone.enotconn", send(sv[0], "x", 1, 0), ENOTCONN);
	struct sockaddr_un u;
	socklen_t l = sizeof(u);
	CHECK_ERR("peer_gone.getpeername", getpeername(sv[0], (void *)&u, &l), ENOTCONN);
	CHECK_ERR("peer_gone.recv_eagain", recv(sv[0], buf, 1, 0), EAGAIN);
	close(sv[0]);

	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	CHECK_ERR("unconnected.write_enotconn", write(s, "x", 1), ENOTCONN);
	CHECK_ERR("unconnected.read_eagain", read(s, buf, 1), EAGAIN);
	CHECK_EQ("unconnected.read_zero", read(s, buf, 0), 0);
	CHECK_EQ("unconnected.poll", poll1(s, POLLIN | POLLOUT), POLLOUT);
	close(s);
}

static void test_named(void)
{
	char buf[64];
	struct sockaddr_un from, want;
	socklen_t fl, wl;

	int a = bound("a"), b = bound("b"), c = bound("c");
	int anon = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK("named.bind", a >= 0 && b >= 0 && c >= 0);

	CHECK_EQ("named.sendto", send_to(b, "a", "from-b", 6, 0), 6);
	fl = sizeof(from);
	CHECK_EQ("named.recvfrom", recvfrom(a, buf, sizeof(buf), 0, (void *)&from, &fl), 6);
	wl = abs_addr(&want, "b");
	CHECK("named.source_address", fl == wl && memcmp(&from, &want, wl) == 0);
	CHECK_EQ("named.sendto_anon", send_to(anon, "a", "anon", 4, 0), 4);
	fl = sizeof(from);
	CHECK_EQ("named.recvfrom_anon", recvfrom(a, buf, sizeof(buf), 0, (void *)&from, &fl), 4);
	CHECK_EQ("named.anon_source_len", fl, 0);
	fl = 3;
	send_to(b, "a", "x", 1, 0);
	CHECK_EQ("named.recvfrom_short_addr", recvfrom(a, buf, sizeof(buf), 0, (void *)&from, &fl), 1);
	CHECK_EQ("named.recvfrom_full_len", fl, wl);
	send_to(b, "a", "y", 1, 0);
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_namelen = 77 };
	CHECK_EQ("named.recvmsg_no_name", recvmsg(a, &mh, 0), 1);
	CHECK_EQ("named.recvmsg_namelen_untouched", mh.msg_namelen, 77);
	CHECK_ERR("named.sendto_nobody", send_to(b, "nobody", "x", 1, 0), ECONNREFUSED);
	struct sockaddr_un pathaddr = { .sun_family = AF_UNIX };
	strcpy(pathaddr.sun_path, "/nonexistent-dir/sock");
	CHECK_ERR("named.sendto_path_enoent", sendto(b, "x", 1, 0, (void *)&pathaddr, sizeof(pathaddr)),
		  ENOENT);
	CHECK_ERR("named.sendto_bad_len", sendto(b, "x", 1, 0, (void *)&pathaddr, 1), EINVAL);
	/* A datagram to oneself. */
	CHECK_EQ("named.to_self", send_to(a, "a", "me", 2, 0), 2);
	CHECK_EQ("named.from_self", recv(a, buf, sizeof(buf), 0), 2);

	/* connect() sets the default destination and filters senders. */
	CHECK_OK("connect.b_to_a", connect_name(b, "a"));
	CHECK_EQ("connect.send", send(b, "conn", 4, 0), 4);
	CHECK_EQ("connect.recv", recv(a, buf, sizeof(buf), 0), 4);
	CHECK_OK("connect.a_to_c", connect_name(a, "c"));
	CHECK_ERR("connect.others_eperm", send_to(anon, "a", "x", 1, 0), EPERM);
	CHECK_ERR("connect.b_eperm", send(b, "x", 1, 0), EPERM);
	CHECK_EQ("connect.peer_allowed", send_to(c, "a", "ok", 2, 0), 2);
	CHECK_EQ("connect.peer_recv", recv(a, buf, sizeof(buf), 0), 2);
	CHECK_ERR("connect.to_nobody", connect_name(anon, "nobody"), ECONNREFUSED);
	CHECK_ERR("connect.eperm", connect_name(anon, "a"), EPERM);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	CHECK_OK("connect.unspec", connect(a, &unspec, sizeof(unspec)));
	CHECK_ERR("connect.unspec_enotconn", send(a, "x", 1, 0), ENOTCONN);
	CHECK_OK("connect.unspec_unconnected", connect(anon, &unspec, sizeof(unspec)));
	CHECK_ERR("connect.short_len", connect(anon, &unspec, 1), EINVAL);
	CHECK_EQ("connect.open_again", send_to(anon, "a", "x", 1, 0), 1);
	recv(a, buf, sizeof(buf), 0);

	/* Reconnecting drops what was queued from the old peer, and the old
	 * peer, connected back, learns its messages were lost. */
	CHECK_OK("reconnect.a_to_b", connect_name(a, "b"));
	CHECK_EQ("reconnect.b_sends", send(b, "lost", 4, 0), 4);
	CHECK_OK("reconnect.a_to_c", connect_name(a, "c"));
	CHECK_ERR("reconnect.dropped", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_EQ("reconnect.old_peer_econnreset", so_error(b), ECONNRESET);
	CHECK_EQ("reconnect.error_once", so_error(b), 0);
	connect(a, &unspec, sizeof(unspec));
	connect(b, &unspec, sizeof(unspec));

	/* A receiver not connected back takes max_dgram_qlen + 1 messages
	 * from a connected sender, then the sender waits. */
	int r = bound("r");
	int snd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	CHECK_OK("qlen.connect", connect_name(snd, "r"));
	int count = 0;
	while (send(snd, "q", 1, 0) == 1)
		count++;
	CHECK_EQ("qlen.eagain", errno, EAGAIN);
	CHECK_EQ("qlen.count", count, 11);
	CHECK_EQ("qlen.no_pollout", poll1(snd, POLLOUT), 0);
	CHECK_ERR("qlen.unconnected_sender_eagain", send_to(anon, "r", "q", 1, MSG_DONTWAIT), EAGAIN);
	recv(r, buf, sizeof(buf), 0);
	CHECK_EQ("qlen.pollout_after_recv", poll1(snd, POLLOUT), POLLOUT);
	CHECK_EQ("qlen.send_after_recv", send(snd, "q", 1, 0), 1);
	/* A blocking sender waits for the receiver to make room. */
	pid_t ch = fork();
	if (ch == 0) {
		conf_msleep(100);
		char b2[8];
		_exit(recv(r, b2, sizeof(b2), 0) == 1 ? 0 : 1);
	}
	fcntl(snd, F_SETFL, 0);
	int64_t t0 = conf_mono_ns();
	CHECK_EQ("qlen.blocking_send", send(snd, "q", 1, 0), 1);
	CHECK("qlen.blocking_send_waited", conf_mono_ns() - t0 >= 50000000);
	CHECK_EXIT("qlen.child", conf_wait(ch), 0);
	/* The receiver going away refuses the connected sender once. */
	close(r);
	CHECK_ERR("receiver_gone.econnrefused", send(snd, "q", 1, 0), ECONNREFUSED);
	CHECK_ERR("receiver_gone.enotconn", send(snd, "q", 1, 0), ENOTCONN);
	close(snd);

	/* A blocked receive wakes up for a datagram. */
	ch = fork();
	if (ch == 0) {
		conf_msleep(50);
		int s = socket(AF_UNIX, SOCK_DGRAM, 0);
		_exit(send_to(s, "c", "wake", 4, 0) == 4 ? 0 : 1);
	}
	CHECK_EQ("blocking.recv", recv(c, buf, sizeof(buf), 0), 4);
	CHECK_EXIT("blocking.child", conf_wait(ch), 0);

	/* Shutdown: SHUT_RD makes senders fail and receives end. */
	CHECK_OK("shutdown.rd", shutdown(c, SHUT_RD));
	CHECK_ERR("shutdown.rd_nonblock_eagain", recv(c, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK_EQ("shutdown.rd_blocking_eof", recv(c, buf, sizeof(buf), 0), 0);
	CHECK_ERR("shutdown.rd_sender_epipe", send_to(anon, "c", "x", 1, 0), EPIPE);
	CHECK_EQ("shutdown.rd_poll", poll1(c, POLLIN | POLLOUT | 0x2000), POLLIN | POLLOUT | 0x2000);
	CHECK_OK("shutdown.wr", shutdown(b, SHUT_WR));
	CHECK_ERR("shutdown.wr_epipe", send_to(b, "a", "x", 1, 0), EPIPE);
	CHECK_OK("shutdown.wr_rd", shutdown(b, SHUT_RD));
	CHECK_EQ("shutdown.both_poll", poll1(b, POLLIN | POLLOUT), POLLIN | POLLOUT | POLLHUP);

	/* SO_PASSCRED binds the sender to an autobind name. */
	int pc = socket(AF_UNIX, SOCK_DGRAM, 0), on = 1;
	setsockopt(pc, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	CHECK_EQ("autobind.send", send_to(pc, "a", "p", 1, 0), 1);
	fl = sizeof(from);
	CHECK_EQ("autobind.recvfrom", recvfrom(a, buf, sizeof(buf), 0, (void *)&from, &fl), 1);
	CHECK("autobind.source", fl == offsetof(struct sockaddr_un, sun_path) + 6 && from.sun_path[0] == 0);
	fl = sizeof(want);
	getsockname(pc, (void *)&want, &fl);
	CHECK("autobind.same_name", memcmp(&want, &from, fl) == 0);
	close(pc);

	/* sendmmsg and recvmmsg. */
	struct mmsghdr mm[3];
	struct iovec mi[3];
	char bufs[3][8];
	static const char *words[3] = { "alpha", "be", "gam" };
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		mi[i].iov_base = (void *)words[i];
		mi[i].iov_len = strlen(words[i]);
		mm[i].msg_hdr.msg_iov = &mi[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	CHECK_EQ("mmsg.sendmmsg", sendmmsg(sv[0], mm, 3, 0), 3);
	CHECK("mmsg.sendmmsg_lens", mm[0].msg_len == 5 && mm[1].msg_len == 2 && mm[2].msg_len == 3);
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		mi[i].iov_base = bufs[i];
		mi[i].iov_len = sizeof(bufs[i]);
		mm[i].msg_hdr.msg_iov = &mi[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK_EQ("mmsg.recvmmsg_waitforone", recvmmsg(sv[1], mm, 3, MSG_WAITFORONE, NULL), 3);
	CHECK("mmsg.recvmmsg_data", mm[0].msg_len == 5 && memcmp(bufs[0], "alpha", 5) == 0 &&
	      mm[2].msg_len == 3 && memcmp(bufs[2], "gam", 3) == 0);
	send(sv[0], "one", 3, 0);
	CHECK_EQ("mmsg.recvmmsg_partial", recvmmsg(sv[1], mm, 3, MSG_WAITFORONE, NULL), 1);
	CHECK_ERR("mmsg.recvmmsg_empty", recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, NULL), EAGAIN);
	close(sv[0]);
	close(sv[1]);
	close(a);
	close(b);
	close(c);
	close(anon);
}

int main(void)
{
	snprintf(name_prefix, sizeof(name_prefix), "sbxconf-dgram-%d", (int)getpid());
	test_pair();
	test_named();
	return conf_done();
}
