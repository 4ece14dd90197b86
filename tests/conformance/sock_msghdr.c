/* The argument copying of sendmsg, recvmsg, sendmmsg and recvmmsg: the
 * msghdr itself (EFAULT), msg_namelen (negative, larger than a
 * sockaddr_storage), msg_iovlen (UIO_MAXIOV), msg_controllen (ENOBUFS),
 * and what recvmsg writes back (msg_namelen, msg_flags, msg_controllen,
 * the name; only when there is a name buffer), for single and multiple
 * messages, and sendto/recvfrom's single buffer, with an error in the
 * middle of a sendmmsg. */
#include "conformance.h"
#include <limits.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#define MSG_CMSG_COMPAT 0x80000000 /* the kernel's; 64-bit calls refuse it */

/* The sender's abstract name: "\0smh" and four hex digits. */
#define NAMELEN (offsetof(struct sockaddr_un, sun_path) + 8)

static int bind_sender(int s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char tmp[16];

	snprintf(tmp, sizeof(tmp), "smh%04x", (unsigned int)getpid() & 0xffff);
	memcpy(sun.sun_path + 1, tmp, 7);
	return bind(s, (struct sockaddr *)&sun, NAMELEN);
}

static void test_send_args(int s)
{
	char data[] = "hello";
	struct iovec iov = { data, 5 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	CHECK_ERR("send.efault", sendmsg(s, (struct msghdr *)8, 0), EFAULT);
	CHECK_ERR("send.cmsg_compat", sendmsg(s, &mh, MSG_CMSG_COMPAT), EINVAL);
	mh.msg_iovlen = 1025;
	CHECK_ERR("send.iovlen", sendmsg(s, &mh, 0), EMSGSIZE);
	mh.msg_iovlen = 1;
	mh.msg_iov = (struct iovec *)8;
	CHECK_ERR("send.iov_efault", sendmsg(s, &mh, 0), EFAULT);
	mh.msg_iov = &iov;

	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mh.msg_name = &sun;
	mh.msg_namelen = (socklen_t)-1;
	CHECK_ERR("send.namelen_neg", sendmsg(s, &mh, 0), EINVAL);
	/* Clamped to a sockaddr_storage, then too long for AF_UNIX. */
	char big[200] = { 0 };
	((struct sockaddr_un *)big)->sun_family = AF_UNIX;
	mh.msg_name = big;
	mh.msg_namelen = sizeof(big);
	CHECK_ERR("send.namelen_big", sendmsg(s, &mh, 0), EINVAL);
	mh.msg_name = (void *)8;
	mh.msg_namelen = sizeof(sun);
	CHECK_ERR("send.name_efault", sendmsg(s, &mh, 0), EFAULT);
	/* A name with length 0 is no name. */
	mh.msg_namelen = 0;
	CHECK_EQ("send.namelen_zero", sendmsg(s, &mh, 0), 5);
	mh.msg_name = NULL;

	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	mh.msg_control = ctl;
	mh.msg_controllen = (size_t)INT_MAX + 1;
	CHECK_ERR("send.controllen_huge", sendmsg(s, &mh, 0), ENOBUFS);
	mh.msg_controllen = 1 << 20;
	CHECK_ERR("send.controllen_big", sendmsg(s, &mh, 0), ENOBUFS);
	mh.msg_control = (void *)8;
	mh.msg_controllen = sizeof(ctl);
	CHECK_ERR("send.control_efault", sendmsg(s, &mh, 0), EFAULT);
	mh.msg_control = ctl;
	struct cmsghdr *cm = (struct cmsghdr *)ctl;
	cm->cmsg_len = 2; /* shorter than its header */
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	CHECK_ERR("send.cmsg_len", sendmsg(s, &mh, 0), EINVAL);
	/* Too short for a header: ignored. */
	mh.msg_controllen = sizeof(struct cmsghdr) - 1;
	CHECK_EQ("send.control_short", sendmsg(s, &mh, 0), 5);
	mh.msg_controllen = 0;
	CHECK_EQ("send.plain", sendmsg(s, &mh, 0), 5);
}

static void test_recv_args(int s, int peer)
{
	char buf[16];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	/* test_send_args left three "hello"s. */
	CHECK_ERR("recv.efault", recvmsg(s, (struct msghdr *)8, 0), EFAULT);
	CHECK_ERR("recv.cmsg_compat", recvmsg(s, &mh, MSG_CMSG_COMPAT), EINVAL);
	mh.msg_iovlen = 1025;
	CHECK_ERR("recv.iovlen", recvmsg(s, &mh, 0), EMSGSIZE);
	mh.msg_iovlen = 1;
	struct sockaddr_un sun;
	mh.msg_name = &sun;
	mh.msg_namelen = (socklen_t)-1;
	CHECK_ERR("recv.namelen_neg", recvmsg(s, &mh, 0), EINVAL);
	/* Without a name buffer the length is not looked at. */
	mh.msg_name = NULL;
	CHECK_EQ("recv.namelen_neg_no_name", recvmsg(s, &mh, 0), 5);
	CHECK_EQ("recv.namelen_untouched", mh.msg_namelen, (socklen_t)-1);
	CHECK_EQ("recv.refill1", send(peer, "hello", 5, 0), 5);

	/* Written back: the name and its length, flags, no control. */
	char ctl[64];
	memset(&sun, 'x', sizeof(sun));
	mh.msg_name = &sun;
	mh.msg_namelen = sizeof(sun);
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof(ctl);
	mh.msg_flags = -1;
	CHECK_EQ("recv.len", recvmsg(s, &mh, 0), 5);
	CHECK_EQ("recv.namelen", mh.msg_namelen, (socklen_t)NAMELEN);
	CHECK_EQ("recv.family", sun.sun_family, AF_UNIX);
	CHECK("recv.name", sun.sun_path[0] == 0 && !memcmp(sun.sun_path + 1, "smh", 3));
	CHECK_EQ("recv.flags", mh.msg_flags, 0);
	CHECK_EQ("recv.controllen", mh.msg_controllen, 0);

	/* Truncated: MSG_TRUNC in msg_flags. */
	iov.iov_len = 2;
	mh.msg_name = NULL;
	mh.msg_controllen = sizeof(ctl);
	CHECK_EQ("recv.trunc_len", recvmsg(s, &mh, 0), 2);
	CHECK_EQ("recv.trunc_flags", mh.msg_flags, MSG_TRUNC);

	/* A name buffer that is too small: truncated, the length says all. */
	char small[4];
	mh.msg_name = small;
	mh.msg_namelen = sizeof(small);
	iov.iov_len = sizeof(buf);
	CHECK_EQ("recv.small_name", recvmsg(s, &mh, 0), 5);
	CHECK_EQ("recv.small_namelen", mh.msg_namelen, (socklen_t)NAMELEN);

	/* The name's address unwritable: EFAULT, as Linux. */
	CHECK_EQ("recv.refill", send(peer, "again", 5, 0), 5);
	mh.msg_name = (void *)8;
	mh.msg_namelen = sizeof(sun);
	CHECK_ERR("recv.name_efault", recvmsg(s, &mh, 0), EFAULT);
}

/* sendto and recvfrom: their one buffer and the socket. */
static void test_buf_calls(int a, int b)
{
	void *kaddr = (void *)0xffff800000000000UL; /* beyond any user range */
	char buf[8];

	CHECK_ERR("sendto.kaddr", sendto(a, kaddr, 5, 0, NULL, 0), EFAULT);
	CHECK_ERR("recvfrom.kaddr", recvfrom(b, kaddr, 5, MSG_DONTWAIT, NULL, NULL), EFAULT);
	CHECK_ERR("sendto.badfd", sendto(-1, "x", 1, 0, NULL, 0), EBADF);
	CHECK_ERR("recvfrom.badfd", recvfrom(100, buf, 1, 0, NULL, NULL), EBADF);
	int p[2];
	CHECK_OK("pipe", pipe(p));
	CHECK_ERR("sendto.notsock", sendto(p[1], "x", 1, 0, NULL, 0), ENOTSOCK);
	CHECK_ERR("recvfrom.notsock", recvfrom(p[0], buf, 1, 0, NULL, NULL), ENOTSOCK);
	close(p[0]);
	close(p[1]);
	CHECK_EQ("sendto.ok", sendto(a, "abc", 3, 0, NULL, 0), 3);
	CHECK_EQ("recvfrom.ok", recvfrom(b, buf, sizeof(buf), 0, NULL, NULL), 3);
	CHECK_ERR("recvfrom.empty", recvfrom(b, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL), EAGAIN);
}

static void test_mmsg(int a, int b)
{
	char d0[] = "one", d1[] = "three", rb[2][8];
	struct iovec iv[2] = { { d0, 3 }, { d1, 5 } }, ri[2] = { { rb[0], 8 }, { rb[1], 8 } };
	struct mmsghdr mm[3];

	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr.msg_iov = &iv[0];
	mm[0].msg_hdr.msg_iovlen = 1;
	mm[1].msg_hdr.msg_iov = &iv[1];
	mm[1].msg_hdr.msg_iovlen = 1;
	mm[2].msg_hdr.msg_iov = &iv[1];
	mm[2].msg_hdr.msg_iovlen = 1025; /* fails after two were sent */
	CHECK_EQ("mmsg.send_partial", sendmmsg(a, mm, 3, 0), 2);
	CHECK("mmsg.send_lens", mm[0].msg_len == 3 && mm[1].msg_len == 5);
	CHECK_ERR("mmsg.send_first_bad", sendmmsg(a, &mm[2], 1, 0), EMSGSIZE);
	CHECK_ERR("mmsg.send_efault", sendmmsg(a, (struct mmsghdr *)8, 1, 0), EFAULT);

	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 2; i++) {
		mm[i].msg_hdr.msg_iov = &ri[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_flags = -1;
	}
	CHECK_EQ("mmsg.recv", recvmmsg(b, mm, 2, MSG_DONTWAIT, NULL), 2);
	CHECK("mmsg.recv_data", mm[0].msg_len == 3 && !memcmp(rb[0], "one", 3) &&
				mm[1].msg_len == 5 && !memcmp(rb[1], "three", 5));
	CHECK("mmsg.recv_flags", mm[0].msg_hdr.msg_flags == 0 && mm[1].msg_hdr.msg_flags == 0);
	mm[0].msg_hdr.msg_iovlen = 1025;
	CHECK_ERR("mmsg.recv_bad", recvmmsg(b, mm, 1, MSG_DONTWAIT, NULL), EMSGSIZE);
}

int main(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return 1;
	CHECK_OK("bind_sender", bind_sender(sv[0]));
	test_send_args(sv[0]);
	test_recv_args(sv[1], sv[0]);
	close(sv[0]);
	close(sv[1]);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return 1;
	test_mmsg(sv[0], sv[1]);
	test_buf_calls(sv[0], sv[1]);
	return conf_done();
}
