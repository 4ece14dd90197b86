/* Ancillary data on AF_UNIX sockets: SCM_RIGHTS (passing open files
 * between processes, truncation, discarded messages closing what they
 * carry, peeking, the in-flight garbage collector) and SCM_CREDENTIALS
 * (SO_PASSCRED, explicit credentials and their checks). Whether a passed
 * file was closed is seen through a pipe: its reader gets EOF once the
 * last write end is gone. */
#include "conformance.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#define MAXFDS 300

/* Sends len bytes of data with fds (nfds of them) in one SCM_RIGHTS. */
static ssize_t send_fds(int s, const char *data, size_t len, const int *fds, int nfds)
{
	static char ctl[CMSG_SPACE(MAXFDS * sizeof(int))];
	struct iovec iov = { (void *)data, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(s, &mh, 0);
}

/* Receives into buf; the fds of the first SCM_RIGHTS go to fds (count
 * in *nfds), the message flags to *flags. ctlspace 0: no buffer. */
static ssize_t recv_fds(int s, char *buf, size_t len, int *fds, int *nfds, int *flags, size_t ctlspace,
			int rflags)
{
	static char ctl[CMSG_SPACE(MAXFDS * sizeof(int))];
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (ctlspace) {
		mh.msg_control = ctl;
		mh.msg_controllen = ctlspace;
	}
	ssize_t r = recvmsg(s, &mh, rflags);
	*nfds = 0;
	if (flags)
		*flags = mh.msg_flags;
	if (r < 0)
		return r;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			*nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(cm), *nfds * sizeof(int));
			break;
		}
	}
	return r;
}

/* True when the pipe read end rd sees EOF within ms. */
static bool pipe_eof(int rd, int ms)
{
	struct pollfd p = { rd, POLLIN, 0 };
	char c;
	if (poll(&p, 1, ms) != 1)
		return false;
	return read(rd, &c, 1) == 0;
}

static void test_rights(void)
{
	int sv[2], p[2], fds[MAXFDS], n, flags;
	char buf[32];

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pipe(p);
	CHECK_EQ("rights.send", send_fds(sv[0], "f", 1, &p[1], 1), 1);
	close(p[1]);
	CHECK_EQ("rights.recv", recv_fds(sv[1], buf, sizeof(buf), fds, &n, &flags,
					 CMSG_SPACE(sizeof(int)), 0), 1);
	CHECK_EQ("rights.count", n, 1);
	CHECK_EQ("rights.flags", flags, 0);
	CHECK_EQ("rights.no_cloexec", fcntl(fds[0], F_GETFD), 0);
	CHECK_EQ("rights.works", write(fds[0], "P", 1), 1);
	CHECK_EQ("rights.arrived", read(p[0], buf, 1), 1);
	CHECK("rights.same_file", buf[0] == 'P');
	close(fds[0]);
	CHECK("rights.last_ref_closed", pipe_eof(p[0], 1000));
	close(p[0]);

	/* Several files, in two SCM_RIGHTS messages: one list arrives. */
	pipe(p);
	{
		char ctl[CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(sizeof(int))];
		struct iovec iov = { "m", 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				     .msg_controllen = sizeof(ctl) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		int two[2] = { p[1], p[0] };
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
		memcpy(CMSG_DATA(cm), two, sizeof(two));
		cm = CMSG_NXTHDR(&mh, cm);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
		CHECK_EQ("rights.two_cmsgs", sendmsg(sv[0], &mh, 0), 1);
	}
	struct iovec iov = { buf, sizeof(buf) };
	char rctl[CMSG_SPACE(8 * sizeof(int))];
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = rctl,
			     .msg_controllen = sizeof(rctl) };
	CHECK_EQ("rights.recv_merged", recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC), 1);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	CHECK("rights.merged_one_cmsg", cm && cm->cmsg_len == CMSG_LEN(3 * sizeof(int)) &&
	      !CMSG_NXTHDR(&mh, cm));
	CHECK_EQ("rights.controllen", mh.msg_controllen, CMSG_SPACE(3 * sizeof(int)));
	CHECK_EQ("rights.cmsg_cloexec_flag", mh.msg_flags, MSG_CMSG_CLOEXEC);
	memcpy(fds, CMSG_DATA(cm), 3 * sizeof(int));
	CHECK("rights.cloexec", fcntl(fds[0], F_GETFD) == FD_CLOEXEC && fcntl(fds[2], F_GETFD) == FD_CLOEXEC);
	CHECK("rights.distinct_fds", fds[0] != fds[1] && fds[1] != fds[2] && fds[0] != fds[2]);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	close(p[0]);
	close(p[1]);

	/* A control buffer with room for one fd (CMSG_SPACE would have the
	 * padding for a second): the rest are closed. */
	pipe(p);
	int three[3] = { p[1], p[1], p[1] };
	send_fds(sv[0], "t", 1, three, 3);
	close(p[1]);
	CHECK_EQ("ctrunc.recv", recv_fds(sv[1], buf, sizeof(buf), fds, &n, &flags,
					 CMSG_LEN(sizeof(int)), 0), 1);
	CHECK_EQ("ctrunc.one_fd", n, 1);
	CHECK("ctrunc.flag", flags & MSG_CTRUNC);
	close(fds[0]);
	CHECK("ctrunc.rest_closed", pipe_eof(p[0], 1000));
	close(p[0]);

	/* No control buffer: all of them are closed. */
	pipe(p);
	send_fds(sv[0], "n", 1, &p[1], 1);
	close(p[1]);
	CHECK_EQ("nocontrol.recv", recv_fds(sv[1], buf, sizeof(buf), fds, &n, &flags, 0, 0), 1);
	CHECK("nocontrol.ctrunc", flags & MSG_CTRUNC);
	CHECK("nocontrol.closed", pipe_eof(p[0], 1000));
	close(p[0]);

	/* Peeking installs copies; the real receive gets them again. */
	pipe(p);
	send_fds(sv[0], "k", 1, &p[1], 1);
	close(p[1]);
	CHECK_EQ("peek.recv", recv_fds(sv[1], buf, sizeof(buf), fds, &n, NULL, CMSG_SPACE(sizeof(int)),
				       MSG_PEEK), 1);
	CHECK_EQ("peek.fd", n, 1);
	int peeked = fds[0];
	CHECK_EQ("peek.recv_again", recv_fds(sv[1], buf, sizeof(buf), fds, &n, NULL,
					     CMSG_SPACE(sizeof(int)), 0), 1);
	CHECK("peek.fd_again", n == 1 && fds[0] != peeked);
	close(peeked);
	CHECK("peek.still_open", !pipe_eof(p[0], 0));
	close(fds[0]);
	CHECK("peek.closed", pipe_eof(p[0], 1000));
	close(p[0]);

	/* Errors. */
	int bad = 999;
	CHECK_ERR("rights.ebadf", send_fds(sv[0], "b", 1, &bad, 1), EBADF);
	bad = -1;
	CHECK_ERR("rights.negative_ebadf", send_fds(sv[0], "b", 1, &bad, 1), EBADF);
	for (int i = 0; i < 254; i++)
		fds[i] = sv[0];
	CHECK_ERR("rights.too_many", send_fds(sv[0], "b", 1, fds, 254), EINVAL);
	CHECK_EQ("rights.max_253", send_fds(sv[0], "b", 1, fds, 253), 1);
	CHECK_EQ("rights.recv_253", recv_fds(sv[1], buf, sizeof(buf), fds, &n, &flags,
					     CMSG_SPACE(MAXFDS * sizeof(int)), 0), 1);
	CHECK_EQ("rights.got_253", n, 253);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	{
		char ctl[CMSG_SPACE(sizeof(int))];
		struct iovec siov = { "c", 1 };
		struct msghdr smh = { .msg_iov = &siov, .msg_iovlen = 1, .msg_control = ctl,
				      .msg_controllen = sizeof(ctl) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&smh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = 99;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		CHECK_ERR("cmsg.unknown_type", sendmsg(sv[0], &smh, 0), EINVAL);
		c->cmsg_level = 0; /* IPPROTO_IP: not ours, skipped */
		CHECK_EQ("cmsg.other_level_skipped", sendmsg(sv[0], &smh, 0), 1);
		recv(sv[1], buf, sizeof(buf), 0);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = sizeof(ctl) + 8;
		CHECK_ERR("cmsg.len_too_big", sendmsg(sv[0], &smh, 0), EINVAL);
		c->cmsg_len = 4;
		CHECK_ERR("cmsg.len_too_small", sendmsg(sv[0], &smh, 0), EINVAL);
	}
	close(sv[0]);
	close(sv[1]);

	/* A message nobody reads: its files close with the receiver. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	send_fds(sv[0], "d", 1, &p[1], 1);
	close(p[1]);
	CHECK("discard.open_in_flight", !pipe_eof(p[0], 0));
	close(sv[1]);
	CHECK("discard.closed_with_receiver", pipe_eof(p[0], 1000));
	close(sv[0]);
	close(p[0]);

	/* read(2) has no control buffer: the files are closed. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	send_fds(sv[0], "r", 1, &p[1], 1);
	close(p[1]);
	CHECK_EQ("read.gets_data", read(sv[1], buf, sizeof(buf)), 1);
	CHECK("read.closes_files", pipe_eof(p[0], 1000));
	close(p[0]);

	/* On a stream, a read stops after the data that carried files. */
	pipe(p);
	send(sv[0], "a", 1, 0);
	send_fds(sv[0], "b", 1, &p[1], 1);
	send(sv[0], "c", 1, 0);
	close(p[1]);
	CHECK_EQ("stream.stops_after_fds", recv_fds(sv[1], buf, sizeof(buf), fds, &n, NULL,
						    CMSG_SPACE(sizeof(int)), 0), 2);
	CHECK("stream.fds_with_data", n == 1 && memcmp(buf, "ab", 2) == 0);
	CHECK_EQ("stream.rest", recv(sv[1], buf, sizeof(buf), 0), 1);
	close(fds[0]);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);

	/* A socket passed to another process carries a connection. */
	int carrier[2], conn[2];
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, carrier);
	socketpair(AF_UNIX, SOCK_STREAM, 0, conn);
	pid_t c = fork();
	if (c == 0) {
		int got[1], k;
		close(conn[0]);
		close(conn[1]);
		if (recv_fds(carrier[1], buf, sizeof(buf), got, &k, NULL, CMSG_SPACE(sizeof(int)), 0) != 1 ||
		    k != 1)
			_exit(1);
		_exit(write(got[0], "via child", 9) == 9 ? 0 : 2);
	}
	CHECK_EQ("process.send_socket", send_fds(carrier[0], "s", 1, &conn[1], 1), 1);
	close(conn[1]);
	CHECK_EXIT("process.child", conf_wait(c), 0);
	CHECK_EQ("process.data", read(conn[0], buf, sizeof(buf)), 9);
	CHECK_EQ("process.eof", read(conn[0], buf, sizeof(buf)), 0);
	close(conn[0]);
	close(carrier[0]);
	close(carrier[1]);

	/* A cycle: b's queue holds b itself (and a pipe). Closing every
	 * descriptor leaves it alive until the collector, which closing
	 * another unix socket runs, breaks it. */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pipe(p);
	int pair[2] = { sv[1], p[1] };
	CHECK_EQ("gc.send_self", send_fds(sv[0], "g", 1, pair, 2), 1);
	close(p[1]);
	close(sv[1]);
	CHECK("gc.cycle_alive", !pipe_eof(p[0], 0));
	close(sv[0]);
	int extra = socket(AF_UNIX, SOCK_STREAM, 0);
	close(extra);
	CHECK("gc.collected", pipe_eof(p[0], 2000));
	close(p[0]);
}

static void get_creds(struct msghdr *mh, struct ucred *uc, int *found)
{
	*found = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS) {
			memcpy(uc, CMSG_DATA(cm), sizeof(*uc));
			(*found)++;
		}
	}
}

static ssize_t send_creds(int s, const struct ucred *uc)
{
	char ctl[CMSG_SPACE(sizeof(*uc))];
	struct iovec iov = { "c", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(*uc));
	memcpy(CMSG_DATA(cm), uc, sizeof(*uc));
	return sendmsg(s, &mh, 0);
}

static ssize_t recv_creds(int s, struct ucred *uc, int *found, int *flags)
{
	char buf[8], ctl[CMSG_SPACE(sizeof(*uc)) + CMSG_SPACE(16)];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t r = recvmsg(s, &mh, 0);
	get_creds(&mh, uc, found);
	*flags = mh.msg_flags;
	return r;
}

static void test_creds(void)
{
	int sv[2], on = 1, found, flags;
	struct ucred uc;

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	/* Sent before the receiver asked: no credentials were attached. */
	send(sv[0], "x", 1, 0);
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	CHECK_EQ("creds.before_passcred", recv_creds(sv[1], &uc, &found, &flags), 1);
	CHECK("creds.before_passcred_unknown", found == 1 && uc.pid == 0 && uc.uid == 65534 &&
	      uc.gid == 65534);
	send(sv[0], "y", 1, 0);
	CHECK_EQ("creds.recv", recv_creds(sv[1], &uc, &found, &flags), 1);
	CHECK("creds.sender", found == 1 && uc.pid == getpid() && uc.uid == getuid() && uc.gid == getgid());
	/* Without a control buffer: MSG_CTRUNC. */
	send(sv[0], "z", 1, 0);
	char b;
	struct iovec iov = { &b, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK_EQ("creds.no_buffer", recvmsg(sv[1], &mh, 0), 1);
	CHECK("creds.no_buffer_ctrunc", mh.msg_flags & MSG_CTRUNC);

	/* Explicit credentials. */
	struct ucred mine = { getpid(), getuid(), getgid() };
	CHECK_EQ("creds.explicit_own", send_creds(sv[0], &mine), 1);
	CHECK_EQ("creds.explicit_recv", recv_creds(sv[1], &uc, &found, &flags), 1);
	CHECK("creds.explicit_value", found == 1 && uc.pid == mine.pid && uc.uid == mine.uid);
	struct ucred bad = mine;
	bad.uid = (uid_t)-1;
	CHECK_ERR("creds.invalid_uid", send_creds(sv[0], &bad), EINVAL);
	bad = mine;
	bad.pid = 0x3ffffff0;
	CHECK_ERR("creds.no_such_pid", send_creds(sv[0], &bad), ESRCH);
	/* Without privileges, only one's own ids. */
	pid_t c = fork();
	if (c == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		struct ucred other = { getpid(), 0, 65534 };
		if (send_creds(sv[0], &other) != -1 || errno != EPERM)
			_exit(1);
		other = (struct ucred){ getppid(), 65534, 65534 };
		if (send_creds(sv[0], &other) != -1 || errno != EPERM)
			_exit(2);
		other = (struct ucred){ getpid(), 65534, 65534 };
		_exit(send_creds(sv[0], &other) == 1 ? 0 : 3);
	}
	CHECK_EXIT("creds.unprivileged_checks", conf_wait(c), 0);
	CHECK_EQ("creds.unprivileged_recv", recv_creds(sv[1], &uc, &found, &flags), 1);
	CHECK("creds.unprivileged_value", found == 1 && uc.pid == c && uc.uid == 65534 && uc.gid == 65534);
	{
		char ctl[CMSG_SPACE(sizeof(uc))];
		struct iovec siov = { "c", 1 };
		struct msghdr smh = { .msg_iov = &siov, .msg_iovlen = 1, .msg_control = ctl,
				      .msg_controllen = sizeof(ctl) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&smh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(uc) - 4);
		CHECK_ERR("creds.bad_len", sendmsg(sv[0], &smh, 0), EINVAL);
	}
	close(sv[0]);
	close(sv[1]);

	/* A stream read never glues data from different credentials. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	send(sv[0], "ab", 2, 0);
	c = fork();
	if (c == 0)
		_exit(send(sv[0], "cd", 2, 0) == 2 ? 0 : 1);
	CHECK_EXIT("glue.child", conf_wait(c), 0);
	CHECK_EQ("glue.first_writer_only", recv_creds(sv[1], &uc, &found, &flags), 2);
	CHECK("glue.first_creds", found == 1 && uc.pid == getpid());
	CHECK_EQ("glue.second_writer", recv_creds(sv[1], &uc, &found, &flags), 2);
	CHECK("glue.second_creds", found == 1 && uc.pid == c);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	test_rights();
	test_creds();
	return conf_done();
}
