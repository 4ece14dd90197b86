/* AF_UNIX stream sockets: socket(2) errors, socketpair, data and EOF,
 * MSG_PEEK/MSG_DONTWAIT/MSG_WAITALL/MSG_NOSIGNAL, EPIPE/SIGPIPE,
 * ECONNRESET, shutdown, poll events, buffer capacity, options,
 * listen/connect/accept on abstract addresses, blocking and timeouts. */
#include "conformance.h"
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#ifndef SOL_IP
#define SOL_IP 0
#endif

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

static char name_prefix[32];

/* An abstract address unique to this run. */
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

static int listener(const char *name, int backlog, int type)
{
	struct sockaddr_un u;
	socklen_t l = abs_addr(&u, name);
	int s = socket(AF_UNIX, type, 0);
	if (s < 0 || bind(s, (void *)&u, l) < 0 || listen(s, backlog) < 0)
		return -1;
	return s;
}

static int connect_to(const char *name, int flags)
{
	struct sockaddr_un u;
	socklen_t l = abs_addr(&u, name);
	int s = socket(AF_UNIX, SOCK_STREAM | flags, 0);
	if (s < 0)
		return -1;
	if (connect(s, (void *)&u, l) < 0) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

static int getint(int fd, int name)
{
	int v = -12345;
	socklen_t l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, name, &v, &l) < 0)
		return -errno;
	return v;
}

static void on_alarm(int sig) { (void)sig; }

/* Waits (up to 5 s) until pid sleeps in the kernel: /proc/PID/stat's
 * state is S. */
static void wait_sleeping(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "r");
		char *p = NULL;
		if (f) {
			p = fgets(buf, sizeof(buf), f);
			fclose(f);
		}
		char *rp = p ? strrchr(buf, ')') : NULL;
		if (rp && rp[1] == ' ' && rp[2] == 'S')
			return;
		conf_msleep(10);
	}
}

/* A child that signals us every 30 ms until stopped: the signal cannot
 * be lost by arriving before we block. */
static pid_t start_signaler(int sig)
{
	pid_t parent = getpid(), c = fork();
	if (c == 0) {
		for (;;) {
			conf_msleep(30);
			kill(parent, sig);
		}
	}
	return c;
}

static int stop_signaler(pid_t c)
{
	kill(c, SIGKILL);
	return conf_wait(c);
}

static void test_create(void)
{
	CHECK_ERR("socket.family_46", socket(46, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR("socket.family_neg", socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR("socket.family_unspec", socket(AF_UNSPEC, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR("socket.type_rdm", socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	CHECK_ERR("socket.type_10", socket(AF_UNIX, 10, 0), ESOCKTNOSUPPORT);
	CHECK_ERR("socket.type_11", socket(AF_UNIX, 11, 0), EINVAL);
	CHECK_ERR("socket.type_neg", socket(AF_UNIX, -1, 0), EINVAL);
	CHECK_ERR("socket.bad_flag", socket(AF_UNIX, SOCK_STREAM | 0x1000, 0), EINVAL);
	CHECK_ERR("socket.protocol_2", socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT);
	int s = socket(AF_UNIX, SOCK_STREAM, PF_UNIX);
	CHECK("socket.protocol_pf_unix", s >= 0);
	close(s);
	s = socket(AF_UNIX, SOCK_RAW, 0);
	CHECK_EQ("socket.raw_is_dgram", getint(s, SO_TYPE), SOCK_DGRAM);
	close(s);

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK_EQ("socket.flags_getfl", fcntl(s, F_GETFL), O_RDWR | O_NONBLOCK);
	CHECK_EQ("socket.flags_cloexec", fcntl(s, F_GETFD), FD_CLOEXEC);
	struct stat st;
	CHECK_OK("socket.fstat", fstat(s, &st));
	CHECK_EQ("socket.fstat_mode", st.st_mode, S_IFSOCK | 0777);
	CHECK_EQ("socket.fstat_nlink", st.st_nlink, 1);
	CHECK_EQ("socket.fstat_size", st.st_size, 0);
	CHECK_EQ("socket.so_type", getint(s, SO_TYPE), SOCK_STREAM);
	CHECK_EQ("socket.so_domain", getint(s, SO_DOMAIN), AF_UNIX);
	CHECK_EQ("socket.so_protocol", getint(s, SO_PROTOCOL), 0);
	CHECK_EQ("socket.so_acceptconn", getint(s, SO_ACCEPTCONN), 0);
	CHECK_EQ("socket.so_error", getint(s, SO_ERROR), 0);
	CHECK_EQ("socket.so_sndbuf_default", getint(s, SO_SNDBUF), 212992);
	CHECK_EQ("socket.so_passcred_default", getint(s, SO_PASSCRED), 0);
	/* Unconnected: nothing to read, nobody to write to, nothing to poll. */
	char c;
	CHECK_ERR("unconnected.recv_einval", recv(s, &c, 1, 0), EINVAL);
	CHECK_EQ("unconnected.read_zero", read(s, &c, 0), 0);
	CHECK_ERR("unconnected.write_zero", write(s, &c, 0), ENOTCONN);
	CHECK_ERR("unconnected.send_enotconn", send(s, "x", 1, 0), ENOTCONN);
	CHECK_ERR("unconnected.listen_unbound", listen(s, 1), EINVAL);
	CHECK_ERR("unconnected.accept_einval", accept(s, NULL, NULL), EINVAL);
	CHECK_EQ("unconnected.poll", poll1(s, POLLIN | POLLOUT), POLLOUT | POLLHUP);
	struct sockaddr_un u;
	socklen_t l = sizeof(u);
	CHECK_OK("unconnected.getsockname", getsockname(s, (void *)&u, &l));
	CHECK_EQ("unconnected.getsockname_len", l, sizeof(sa_family_t));
	CHECK_EQ("unconnected.getsockname_family", u.sun_family, AF_UNIX);
	l = sizeof(u);
	CHECK_ERR("unconnected.getpeername", getpeername(s, (void *)&u, &l), ENOTCONN);
	struct ucred uc;
	l = sizeof(uc);
	CHECK_OK("unconnected.peercred", getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l));
	CHECK("unconnected.peercred_none", uc.pid == 0 && uc.uid == (uid_t)-1 && uc.gid == (gid_t)-1);
	CHECK_OK("unconnected.shutdown_ok", shutdown(s, SHUT_RDWR));
	CHECK_EQ("unconnected.shutdown_poll", poll1(s, POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
	close(s);

	int p[2];
	CHECK_OK("enotsock.pipe", pipe(p));
	CHECK_ERR("enotsock.bind", bind(p[0], (void *)&u, sizeof(u)), ENOTSOCK);
	CHECK_ERR("enotsock.send", send(p[1], "x", 1, 0), ENOTSOCK);
	CHECK_ERR("enotsock.getsockopt", getsockopt(p[0], SOL_SOCKET, SO_TYPE, &c, &l), ENOTSOCK);
	CHECK_ERR("ebadf.listen", listen(999, 1), EBADF);
	CHECK_ERR("ebadf.shutdown", shutdown(999, SHUT_RD), EBADF);
	close(p[0]);
	close(p[1]);
}

static void test_options(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0), v;
	socklen_t l;

	v = 10000;
	CHECK_OK("opt.sndbuf_set", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	CHECK_EQ("opt.sndbuf_doubled", getint(s, SO_SNDBUF), 20000);
	v = 1;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	CHECK_EQ("opt.sndbuf_min", getint(s, SO_SNDBUF), 4608);
	v = 50000;
	CHECK_OK("opt.rcvbuf_set", setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	CHECK_EQ("opt.rcvbuf_doubled", getint(s, SO_RCVBUF), 100000);
	v = 0;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	CHECK_EQ("opt.rcvbuf_min", getint(s, SO_RCVBUF), 2304);
	v = 1;
	CHECK_OK("opt.reuseaddr", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	CHECK_EQ("opt.reuseaddr_get", getint(s, SO_REUSEADDR), 1);
	CHECK_OK("opt.passcred", setsockopt(s, SOL_SOCKET, SO_PASSCRED, &v, sizeof(v)));
	CHECK_EQ("opt.passcred_get", getint(s, SO_PASSCRED), 1);
	CHECK_OK("opt.keepalive", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)));
	CHECK_EQ("opt.keepalive_get", getint(s, SO_KEEPALIVE), 1);
	CHECK_ERR("opt.short_optlen", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL);
	CHECK_ERR("opt.neg_optlen", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, -1), EINVAL);
	CHECK_ERR("opt.set_type_ro", setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR("opt.unknown", setsockopt(s, SOL_SOCKET, 9999, &v, sizeof(v)), ENOPROTOOPT);
	l = sizeof(v);
	CHECK_ERR("opt.get_unknown", getsockopt(s, SOL_SOCKET, 9999, &v, &l), ENOPROTOOPT);
	CHECK_ERR("opt.level_ip_get", getsockopt(s, SOL_IP, 1, &v, &l), EOPNOTSUPP);
	CHECK_ERR("opt.level_ip_set", setsockopt(s, SOL_IP, 1, &v, sizeof(v)), EOPNOTSUPP);
	l = 2;
	v = 0;
	CHECK_OK("opt.short_get", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
	CHECK("opt.short_get_truncated", l == 2 && v == SOCK_STREAM);
	l = (socklen_t)-1;
	CHECK_ERR("opt.neg_get_len", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l), EINVAL);
	struct timeval tv = { 1, 500000 }, got;
	CHECK_OK("opt.rcvtimeo_set", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	l = sizeof(got);
	CHECK_OK("opt.rcvtimeo_get", getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &l));
	CHECK("opt.rcvtimeo_value", l == sizeof(got) && got.tv_sec == 1 && got.tv_usec == 500000);
	tv.tv_usec = 1000000;
	CHECK_ERR("opt.rcvtimeo_edom", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), EDOM);
	CHECK_ERR("opt.rcvtimeo_short", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL);
	struct linger lg = { 1, 5 }, lg2;
	CHECK_OK("opt.linger_set", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	l = sizeof(lg2);
	CHECK_OK("opt.linger_get", getsockopt(s, SOL_SOCKET, SO_LINGER, &lg2, &l));
	CHECK("opt.linger_value", lg2.l_onoff == 1 && lg2.l_linger == 5);
	close(s);
}

static void test_pair_data(void)
{
	int sv[2];
	char buf[64];

	CHECK_OK("pair.create", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_EQ("pair.poll_idle", poll1(sv[0], POLLIN | POLLOUT), POLLOUT);
	struct sockaddr_un u;
	socklen_t l = sizeof(u);
	CHECK_OK("pair.getpeername", getpeername(sv[0], (void *)&u, &l));
	CHECK_EQ("pair.getpeername_len", l, sizeof(sa_family_t));
	struct ucred uc;
	l = sizeof(uc);
	CHECK_OK("pair.peercred", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &l));
	CHECK("pair.peercred_self", l == sizeof(uc) && uc.pid == getpid() && uc.uid == geteuid() &&
	      uc.gid == getegid());

	CHECK_EQ("pair.write", write(sv[0], "hello", 5), 5);
	CHECK_EQ("pair.send", send(sv[0], " world", 6, 0), 6);
	CHECK_EQ("pair.poll_readable", poll1(sv[1], POLLIN | POLLOUT), POLLIN | POLLOUT);
	int n = -1;
	CHECK_OK("pair.fionread", ioctl(sv[1], FIONREAD, &n));
	CHECK_EQ("pair.fionread_value", n, 11);
	CHECK_OK("pair.siocoutq", ioctl(sv[0], SIOCOUTQ, &n));
	CHECK("pair.siocoutq_nonzero", n > 0);
	/* A stream has no boundaries: one read takes both writes. */
	CHECK_EQ("pair.peek", recv(sv[1], buf, sizeof(buf), MSG_PEEK), 11);
	CHECK_EQ("pair.peek_again", recv(sv[1], buf, 3, MSG_PEEK), 3);
	CHECK_EQ("pair.read_part", read(sv[1], buf, 3), 3);
	CHECK("pair.read_part_data", memcmp(buf, "hel", 3) == 0);
	CHECK_EQ("pair.read_rest", recv(sv[1], buf, sizeof(buf), 0), 8);
	CHECK("pair.read_rest_data", memcmp(buf, "lo world", 8) == 0);
	CHECK_OK("pair.siocoutq_drained", ioctl(sv[0], SIOCOUTQ, &n));
	CHECK_EQ("pair.siocoutq_zero", n, 0);
	CHECK_ERR("pair.dontwait_eagain", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	CHECK_EQ("pair.zero_read", read(sv[1], buf, 0), 0);
	CHECK_EQ("pair.zero_write", write(sv[0], buf, 0), 0);
	CHECK_ERR("pair.sendto_addr_eisconn", sendto(sv[0], "x", 1, 0, (void *)&u, sizeof(u)), EISCONN);
	CHECK_ERR("pair.msg_trunc_is_plain_recv", recv(sv[1], buf, 1, MSG_DONTWAIT | MSG_TRUNC), EAGAIN);
	struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	CHECK_EQ("pair.writev", writev(sv[0], iov, 3), 5);
	char r1[1], r2[10];
	struct iovec riov[2] = { { r1, 1 }, { r2, 10 } };
	CHECK_EQ("pair.readv", readv(sv[1], riov, 2), 5);
	CHECK("pair.readv_data", r1[0] == 'a' && memcmp(r2, "bcde", 4) == 0);

	/* EOF after the peer closes, once its data is read. */
	CHECK_EQ("pair.last_words", write(sv[0], "bye", 3), 3);
	close(sv[0]);
	CHECK_EQ("pair.poll_after_close", poll1(sv[1], POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
	CHECK_EQ("pair.read_after_close", read(sv[1], buf, sizeof(buf)), 3);
	CHECK_EQ("pair.eof", read(sv[1], buf, sizeof(buf)), 0);
	CHECK_EQ("pair.eof_again", recv(sv[1], buf, sizeof(buf), MSG_WAITALL), 0);
	CHECK_EQ("pair.so_error_clean", getint(sv[1], SO_ERROR), 0);

	/* Writing to a closed peer: SIGPIPE, or EPIPE when told not to. */
	CHECK_ERR("pair.epipe_nosignal", send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pend);
	CHECK("pair.nosignal_no_sigpipe", !sigismember(&pend, SIGPIPE));
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK_ERR("pair.epipe_blocked", write(sv[1], "x", 1), EPIPE);
	sigpending(&pend);
	CHECK("pair.sigpipe_pending", sigismember(&pend, SIGPIPE));
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGPIPE, SIG_DFL);
	pid_t c = fork();
	if (c == 0) {
		send(sv[1], "x", 1, 0);
		_exit(0);
	}
	CHECK_KILLED("pair.sigpipe_kills", conf_wait(c), SIGPIPE);
	close(sv[1]);

	/* Closing with unread data resets the other end: data, then
	 * ECONNRESET once, then EOF. */
	CHECK_OK("reset.pair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	write(sv[1], "unread", 6);
	write(sv[0], "x", 1);
	close(sv[0]);
	CHECK_EQ("reset.poll", poll1(sv[1], POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLHUP | POLLRDHUP | POLLERR);
	CHECK_EQ("reset.data_first", read(sv[1], buf, sizeof(buf)), 1);
	CHECK_ERR("reset.econnreset", read(sv[1], buf, sizeof(buf)), ECONNRESET);
	CHECK_EQ("reset.then_eof", read(sv[1], buf, sizeof(buf)), 0);
	close(sv[1]);

	CHECK_OK("reset.pair2", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	write(sv[1], "unread", 6);
	close(sv[0]);
	CHECK_EQ("reset.so_error", getint(sv[1], SO_ERROR), ECONNRESET);
	CHECK_EQ("reset.so_error_cleared", getint(sv[1], SO_ERROR), 0);
	CHECK_EQ("reset.eof_after_so_error", read(sv[1], buf, sizeof(buf)), 0);
	close(sv[1]);
}

static void test_shutdown(void)
{
	int sv[2];
	char buf[16];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	CHECK_ERR("shutdown.einval", shutdown(sv[0], 3), EINVAL);
	CHECK_ERR("shutdown.einval_neg", shutdown(sv[0], -1), EINVAL);
	write(sv[1], "ab", 2);
	CHECK_OK("shutdown.rd", shutdown(sv[0], SHUT_RD));
	/* SHUT_RD keeps what is queued and then reads EOF. */
	CHECK_EQ("shutdown.rd_keeps_data", read(sv[0], buf, sizeof(buf)), 2);
	CHECK_EQ("shutdown.rd_eof", read(sv[0], buf, sizeof(buf)), 0);
	CHECK_ERR("shutdown.rd_peer_epipe", send(sv[1], "ab", 2, MSG_NOSIGNAL), EPIPE);
	CHECK_EQ("shutdown.rd_can_write", write(sv[0], "cd", 2), 2);
	CHECK_EQ("shutdown.rd_poll_self", poll1(sv[0], POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLRDHUP);
	CHECK_EQ("shutdown.rd_poll_peer", poll1(sv[1], POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT);
	CHECK_OK("shutdown.wr_peer", shutdown(sv[1], SHUT_WR));
	CHECK_EQ("shutdown.peer_data", read(sv[1], buf, sizeof(buf)), 2);
	CHECK_ERR("shutdown.wr_epipe", send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_EQ("shutdown.both_poll", poll1(sv[0], POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLRDHUP);
	CHECK_OK("shutdown.rdwr", shutdown(sv[0], SHUT_RDWR));
	CHECK_EQ("shutdown.rdwr_poll", poll1(sv[0], POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
	CHECK_EQ("shutdown.rdwr_peer_poll", poll1(sv[1], POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
	close(sv[0]);
	close(sv[1]);

	/* A blocked reader wakes up for the peer's SHUT_WR. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		shutdown(sv[1], SHUT_WR);
		conf_msleep(200);
		_exit(0);
	}
	CHECK_EQ("shutdown.wakes_reader", read(sv[0], buf, sizeof(buf)), 0);
	CHECK_EXIT("shutdown.child", conf_wait(c), 0);
	close(sv[0]);
	close(sv[1]);
}

static void test_capacity(void)
{
	static char big[300000];
	int sv[2], n;

	/* A non-blocking writer fills the send buffer, then EAGAIN. */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	ssize_t w = write(sv[0], big, sizeof(big));
	CHECK("capacity.first_write_partial", w > 150000 && w < (ssize_t)sizeof(big));
	CHECK_ERR("capacity.full_eagain", write(sv[0], big, 1), EAGAIN);
	CHECK_EQ("capacity.full_no_pollout", poll1(sv[0], POLLOUT), 0);
	ioctl(sv[1], SIOCINQ, &n);
	CHECK_EQ("capacity.inq_all", n, w);
	ioctl(sv[0], SIOCOUTQ, &n);
	CHECK("capacity.outq_at_least_data", n >= w);
	/* Space comes back as the reader drains it. */
	ssize_t got = 0, r;
	while ((r = read(sv[1], big, sizeof(big))) > 0)
		got += r;
	CHECK_EQ("capacity.drained_all", got, w);
	CHECK_EQ("capacity.pollout_again", poll1(sv[0], POLLOUT), POLLOUT);
	close(sv[0]);
	close(sv[1]);

	/* A writer blocked on a full buffer when the reader goes away with
	 * data unread: ECONNRESET, then EPIPE; a wait ended this way raises
	 * no SIGPIPE. */
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	while (write(sv[0], big, sizeof(big)) > 0)
		;
	fcntl(sv[0], F_SETFL, O_RDWR);
	pid_t parent = getpid(), c = fork();
	if (c == 0) {
		wait_sleeping(parent);
		_exit(0); /* the last reference to sv[1] goes */
	}
	close(sv[1]);
	CHECK_ERR("capacity.blocked_writer_reset", write(sv[0], big, 10), ECONNRESET);
	sigpending(&pend);
	CHECK("capacity.blocked_writer_no_sigpipe", !sigismember(&pend, SIGPIPE));
	CHECK_ERR("capacity.then_epipe", write(sv[0], big, 10), EPIPE);
	sigpending(&pend);
	CHECK("capacity.then_sigpipe", sigismember(&pend, SIGPIPE));
	CHECK_EXIT("capacity.reader_exit", conf_wait(c), 0);
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGPIPE, SIG_DFL);
	close(sv[0]);

	/* A blocking write of 1 MiB completes while a child reads it; the
	 * child checks every byte. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	c = fork();
	if (c == 0) {
		close(sv[0]);
		static char rb[70000];
		size_t total = 0;
		unsigned sum = 0;
		ssize_t k;
		while ((k = read(sv[1], rb, sizeof(rb))) > 0) {
			for (ssize_t i = 0; i < k; i++)
				sum = sum * 31 + (unsigned char)rb[i];
			total += k;
		}
		unsigned want = 0;
		for (size_t i = 0; i < (1 << 20); i++)
			want = want * 31 + (unsigned char)(i * 7);
		_exit(total == (1 << 20) && sum == want ? 0 : 1);
	}
	close(sv[1]);
	static char mb[1 << 20];
	for (size_t i = 0; i < sizeof(mb); i++)
		mb[i] = (char)(i * 7);
	CHECK_EQ("capacity.blocking_1mib", write(sv[0], mb, sizeof(mb)), sizeof(mb));
	close(sv[0]);
	CHECK_EXIT("capacity.reader_verified", conf_wait(c), 0);

	/* MSG_WAITALL gathers pieces written over time. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	c = fork();
	if (c == 0) {
		for (int i = 0; i < 4; i++) {
			conf_msleep(20);
			write(sv[1], "abcd", 4);
		}
		_exit(0);
	}
	char wb[16];
	CHECK_EQ("waitall.gathers", recv(sv[0], wb, 16, MSG_WAITALL), 16);
	CHECK("waitall.data", memcmp(wb, "abcdabcdabcdabcd", 16) == 0);
	CHECK_EXIT("waitall.child", conf_wait(c), 0);
	/* ...and stops early at EOF. */
	write(sv[1], "xy", 2);
	shutdown(sv[1], SHUT_WR);
	CHECK_EQ("waitall.eof_short", recv(sv[0], wb, 16, MSG_WAITALL), 2);
	close(sv[0]);
	close(sv[1]);
}

static void test_listen_connect(void)
{
	struct sockaddr_un u, got;
	socklen_t l = abs_addr(&u, "srv"), gl;
	char buf[16];

	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK("bind.abstract", bind(srv, (void *)&u, l));
	CHECK_ERR("bind.again_einval", bind(srv, (void *)&u, l), EINVAL);
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("bind.in_use", bind(other, (void *)&u, l), EADDRINUSE);
	/* The abstract namespace is per socket type. */
	int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK("bind.same_name_other_type", bind(dg, (void *)&u, l));
	close(dg);
	CHECK_ERR("bind.len_1", bind(other, (void *)&u, 1), EINVAL);
	CHECK_ERR("bind.len_111", bind(other, (void *)&u, 111), EINVAL);
	struct sockaddr_un bad = u;
	bad.sun_family = AF_INET;
	CHECK_ERR("bind.bad_family", bind(other, (void *)&bad, l), EINVAL);
	CHECK_OK("bind.autobind", bind(other, (void *)&u, sizeof(sa_family_t)));
	CHECK_OK("bind.autobind_again", bind(other, (void *)&u, sizeof(sa_family_t)));
	gl = sizeof(got);
	getsockname(other, (void *)&got, &gl);
	CHECK("bind.autobind_name", gl == offsetof(struct sockaddr_un, sun_path) + 6 &&
	      got.sun_path[0] == 0);
	close(other);
	gl = sizeof(got);
	CHECK_OK("bind.getsockname", getsockname(srv, (void *)&got, &gl));
	CHECK("bind.getsockname_value", gl == l && memcmp(&got, &u, l) == 0);

	int cl = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("connect.not_listening", connect(cl, (void *)&u, l), ECONNREFUSED);
	CHECK_ERR("connect.len_2", connect(cl, (void *)&u, sizeof(sa_family_t)), EINVAL);
	struct sockaddr_un none;
	socklen_t nl = abs_addr(&none, "nobody");
	CHECK_ERR("connect.no_such_name", connect(cl, (void *)&none, nl), ECONNREFUSED);

	CHECK_OK("listen.ok", listen(srv, 1));
	CHECK_OK("listen.again", listen(srv, 1));
	CHECK_EQ("listen.acceptconn", getint(srv, SO_ACCEPTCONN), 1);
	CHECK_EQ("listen.poll_empty", poll1(srv, POLLIN | POLLOUT), 0);
	int fl = fcntl(srv, F_GETFL);
	fcntl(srv, F_SETFL, fl | O_NONBLOCK);
	CHECK_ERR("listen.accept_eagain", accept(srv, NULL, NULL), EAGAIN);
	fcntl(srv, F_SETFL, fl);
	CHECK_ERR("listen.recv_einval", recv(srv, buf, 1, MSG_DONTWAIT), EINVAL);
	CHECK_ERR("listen.send_enotconn", send(srv, "x", 1, 0), ENOTCONN);
	CHECK_ERR("accept4.bad_flags", accept4(srv, NULL, NULL, 1), EINVAL);

	/* A connection completes before accept; backlog 1 takes two. */
	int c1 = socket(AF_UNIX, SOCK_STREAM, 0), v = 1;
	setsockopt(c1, SOL_SOCKET, SO_PASSCRED, &v, sizeof(v));
	CHECK_OK("connect.ok", connect(c1, (void *)&u, l));
	CHECK_ERR("connect.again_eisconn", connect(c1, (void *)&u, l), EISCONN);
	gl = sizeof(got);
	getsockname(c1, (void *)&got, &gl);
	CHECK_EQ("connect.passcred_autobinds", gl, offsetof(struct sockaddr_un, sun_path) + 6);
	gl = sizeof(got);
	CHECK_OK("connect.getpeername", getpeername(c1, (void *)&got, &gl));
	CHECK("connect.getpeername_value", gl == l && memcmp(&got, &u, l) == 0);
	CHECK_EQ("connect.write_before_accept", write(c1, "early", 5), 5);
	CHECK_EQ("listen.poll_pending", poll1(srv, POLLIN | POLLOUT), POLLIN);
	int c2 = connect_to("srv", SOCK_NONBLOCK);
	CHECK("connect.second_in_backlog", c2 >= 0);
	int c3 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_ERR("connect.backlog_full_eagain", connect(c3, (void *)&u, l), EAGAIN);

	struct sockaddr_un peer;
	socklen_t pl = sizeof(peer);
	int a1 = accept4(srv, (void *)&peer, &pl, SOCK_CLOEXEC | SOCK_NONBLOCK);
	CHECK("accept.ok", a1 >= 0);
	CHECK("accept.peer_addr", pl == offsetof(struct sockaddr_un, sun_path) + 6 && peer.sun_path[0] == 0);
	CHECK_EQ("accept.cloexec", fcntl(a1, F_GETFD), FD_CLOEXEC);
	CHECK_EQ("accept.nonblock", fcntl(a1, F_GETFL), O_RDWR | O_NONBLOCK);
	CHECK_EQ("accept.inherits_passcred", getint(a1, SO_PASSCRED), 0);
	gl = sizeof(got);
	getsockname(a1, (void *)&got, &gl);
	CHECK("accept.sockname_is_listener", gl == l && memcmp(&got, &u, l) == 0);
	struct ucred uc;
	socklen_t ul = sizeof(uc);
	getsockopt(a1, SOL_SOCKET, SO_PEERCRED, &uc, &ul);
	CHECK("accept.peercred", uc.pid == getpid() && uc.uid == geteuid());
	ul = sizeof(uc);
	getsockopt(c1, SOL_SOCKET, SO_PEERCRED, &uc, &ul);
	CHECK("connect.peercred", uc.pid == getpid() && uc.uid == geteuid());
	CHECK_EQ("accept.early_data", read(a1, buf, sizeof(buf)), 5);
	CHECK_EQ("accept.reply", write(a1, "hi", 2), 2);
	CHECK_EQ("connect.reply", read(c1, buf, sizeof(buf)), 2);
	/* Now there is room for the third. */
	CHECK_OK("connect.after_accept", connect(c3, (void *)&u, l));
	pl = sizeof(peer);
	int a2 = accept(srv, (void *)&peer, &pl);
	CHECK_EQ("accept.unbound_peer_len", pl, sizeof(sa_family_t));

	/* Closing the listener resets connections nobody accepted. */
	close(srv);
	CHECK_EQ("orphan.poll", poll1(c3, POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLHUP | POLLRDHUP | POLLERR);
	CHECK_ERR("orphan.econnreset", read(c3, buf, sizeof(buf)), ECONNRESET);
	CHECK_EQ("orphan.eof", read(c3, buf, sizeof(buf)), 0);
	CHECK_ERR("orphan.epipe", send(c3, "x", 1, MSG_NOSIGNAL), EPIPE);
	/* The name is free again. */
	CHECK_ERR("listener_gone.refused", connect_to("srv", 0), ECONNREFUSED);
	int srv2 = listener("srv", 5, SOCK_STREAM);
	CHECK("listener_gone.rebind", srv2 >= 0);
	/* A stream socket cannot connect to a datagram name. */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un du;
	socklen_t dl = abs_addr(&du, "dgram");
	bind(d, (void *)&du, dl);
	CHECK_ERR("connect.to_dgram_refused", connect_to("dgram", 0), ECONNREFUSED);
	CHECK_ERR("listen.dgram_eopnotsupp", listen(d, 1), EOPNOTSUPP);
	CHECK_ERR("accept.dgram_eopnotsupp", accept(d, NULL, NULL), EOPNOTSUPP);
	close(d);
	close(srv2);
	close(a1);
	close(a2);
	close(c1);
	close(c2);
	close(c3);
}

static void test_blocking(void)
{
	/* accept blocks until a child connects. */
	int srv = listener("blk", 4, SOCK_STREAM);
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		int s = connect_to("blk", 0);
		_exit(s >= 0 && write(s, "z", 1) == 1 ? 0 : 1);
	}
	int a = accept(srv, NULL, NULL);
	CHECK("blocking.accept", a >= 0);
	char ch = 0;
	CHECK_EQ("blocking.accept_data", read(a, &ch, 1), 1);
	CHECK_EXIT("blocking.accept_child", conf_wait(c), 0);
	close(a);
	close(srv);

	/* connect blocks on a full backlog until the server accepts. */
	srv = listener("blk2", 0, SOCK_STREAM);
	int first = connect_to("blk2", 0);
	CHECK("blocking.first_connect", first >= 0);
	c = fork();
	if (c == 0) {
		conf_msleep(100);
		int s = accept(srv, NULL, NULL);
		conf_msleep(100);
		_exit(s >= 0 ? 0 : 1);
	}
	int64_t t0 = conf_mono_ns();
	int second = connect_to("blk2", 0);
	CHECK("blocking.connect_waits_for_room", second >= 0 && conf_mono_ns() - t0 >= 50000000);
	CHECK_EXIT("blocking.connect_child", conf_wait(c), 0);
	close(first);
	close(second);
	close(srv);

	/* select() sees a socketpair become readable. */
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		write(sv[1], "s", 1);
		_exit(0);
	}
	fd_set rfds;
	FD_ZERO(&rfds);
	FD_SET(sv[0], &rfds);
	struct timeval tv = { 5, 0 };
	CHECK_EQ("select.readable", select(sv[0] + 1, &rfds, NULL, NULL, &tv), 1);
	CHECK("select.fd_set", FD_ISSET(sv[0], &rfds));
	CHECK_EXIT("select.child", conf_wait(c), 0);
	read(sv[0], &ch, 1);

	/* SO_RCVTIMEO: EAGAIN after the timeout. */
	struct timeval to = { 0, 100000 };
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &to, sizeof(to));
	t0 = conf_mono_ns();
	CHECK_ERR("rcvtimeo.eagain", read(sv[0], &ch, 1), EAGAIN);
	CHECK("rcvtimeo.waited", conf_mono_ns() - t0 >= 90000000);
	to.tv_usec = 0;
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &to, sizeof(to));

	/* A signal interrupts a blocked recv: EINTR without SA_RESTART. */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	pid_t sg = start_signaler(SIGALRM);
	CHECK_ERR("signal.eintr", recv(sv[0], &ch, 1, 0), EINTR);
	CHECK_KILLED("signal.eintr_signaler", stop_signaler(sg), SIGKILL);
	/* With SA_RESTART the receive restarts, again and again, until the
	 * data comes. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	sg = start_signaler(SIGALRM);
	c = fork();
	if (c == 0) {
		conf_msleep(150);
		write(sv[1], "r", 1);
		_exit(0);
	}
	CHECK_EQ("signal.restart", recv(sv[0], &ch, 1, 0), 1);
	CHECK_KILLED("signal.restart_signaler", stop_signaler(sg), SIGKILL);
	CHECK_EXIT("signal.restart_child", conf_wait(c), 0);
	signal(SIGALRM, SIG_DFL);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	snprintf(name_prefix, sizeof(name_prefix), "sbxconf-stream-%d", (int)getpid());
	test_create();
	test_options();
	test_pair_data();
	test_shutdown();
	test_capacity();
	test_listen_connect();
	test_blocking();
	return conf_done();
}
