/* mq_notify: SIGEV_SIGNAL (si_code SI_MESGQ, si_pid, si_uid, si_value)
 * only when an empty queue gets a message, one registration per queue
 * (EBUSY), deregistration by the owner only, removal once sent, when the
 * owner closes a descriptor of the queue or exits, no notification while
 * a receiver waits, SIGEV_NONE, argument errors, and SIGEV_THREAD's
 * socket checks through the raw syscall (the sandbox has no netlink). */
#include "conformance.h"
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <sys/socket.h>

static struct mq_attr mkattr(long maxmsg, long msgsize)
{
	struct mq_attr a;
	memset(&a, 0, sizeof(a));
	a.mq_maxmsg = maxmsg;
	a.mq_msgsize = msgsize;
	return a;
}

static int notify_sig(mqd_t q, int sig, int value)
{
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = sig;
	ev.sigev_value.sival_int = value;
	return mq_notify(q, &ev);
}

/* Whether sig is pending (takes it). */
static int take(int sig, siginfo_t *si)
{
	sigset_t set;
	struct timespec zero = { 0, 0 };
	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &zero) == sig;
}

static void drain(mqd_t q)
{
	char buf[64];
	struct mq_attr a;
	mq_getattr(q, &a);
	while (a.mq_curmsgs-- > 0)
		mq_receive(q, buf, sizeof(buf), NULL);
}

int main(void)
{
	unshare(CLONE_NEWIPC);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);

	struct mq_attr a = mkattr(4, 64);
	mqd_t q = mq_open("/mqn", O_RDWR | O_CREAT | O_NONBLOCK, 0600, &a);
	CHECK("open", q >= 0);
	siginfo_t si;

	/* A signal when the empty queue gets a message, then unregistered. */
	CHECK_OK("signal.register", notify_sig(q, SIGUSR1, 42));
	CHECK_ERR("signal.busy_same_process", notify_sig(q, SIGUSR2, 1), EBUSY);
	CHECK_OK("signal.send", mq_send(q, "m", 1, 0));
	memset(&si, 0, sizeof(si));
	CHECK("signal.delivered", take(SIGUSR1, &si));
	CHECK_EQ("signal.si_code", si.si_code, SI_MESGQ);
	CHECK("signal.si_pid", si.si_pid == getpid());
	CHECK("signal.si_uid", si.si_uid == getuid());
	CHECK_EQ("signal.si_value", si.si_value.sival_int, 42);
	mq_send(q, "m", 1, 0);
	CHECK("signal.once_only", !take(SIGUSR1, &si));
	/* Not empty: registering works but a send does not fire it. */
	CHECK_OK("signal.register_nonempty", notify_sig(q, SIGUSR1, 7));
	mq_send(q, "m", 1, 0);
	CHECK("signal.nonempty_no_signal", !take(SIGUSR1, &si));
	drain(q);
	mq_send(q, "m", 1, 0);
	CHECK("signal.after_drain", take(SIGUSR1, &si));
	drain(q);

	/* Deregistration: only the owner's counts. */
	CHECK_OK("dereg.register", notify_sig(q, SIGUSR1, 1));
	pid_t c = fork();
	if (c == 0) {
		/* Not the owner: silently nothing, and still busy for us. */
		if (mq_notify(q, NULL) != 0)
			_exit(1);
		_exit(notify_sig(q, SIGUSR2, 1) == -1 && errno == EBUSY ? 0 : 2);
	}
	CHECK_EXIT("dereg.other_process", conf_wait(c), 0);
	CHECK_OK("dereg.owner", mq_notify(q, NULL));
	CHECK_OK("dereg.owner_again_noop", mq_notify(q, NULL));
	mq_send(q, "m", 1, 0);
	CHECK("dereg.no_signal", !take(SIGUSR1, &si));
	drain(q);

	/* Another process's registration; it goes when that process exits. */
	int ready[2], go[2];
	char ch;
	pipe(ready);
	pipe(go);
	c = fork();
	if (c == 0) {
		int ok = notify_sig(q, SIGUSR1, 3) == 0;
		write(ready[1], ok ? "y" : "n", 1);
		read(go[0], &ch, 1);
		_exit(0);
	}
	read(ready[0], &ch, 1);
	CHECK_EQ("owner.child_registered", ch, 'y');
	CHECK_ERR("owner.busy_for_parent", notify_sig(q, SIGUSR1, 1), EBUSY);
	write(go[1], "g", 1);
	CHECK_EXIT("owner.child_exit", conf_wait(c), 0);
	CHECK_OK("owner.gone_with_exit", notify_sig(q, SIGUSR1, 1));
	/* Closing any descriptor of the queue drops the owner's. */
	mqd_t dup_q = dup(q);
	close(dup_q);
	CHECK_OK("owner.gone_with_close", notify_sig(q, SIGUSR1, 1));
	mq_notify(q, NULL);

	/* A waiting receiver gets the message; the registration stays. */
	c = fork();
	if (c == 0) {
		char buf[64];
		mqd_t bq = mq_open("/mqn", O_RDONLY);
		write(ready[1], "r", 1);
		_exit(mq_receive(bq, buf, sizeof(buf), NULL) == 2 ? 0 : 1);
	}
	read(ready[0], &ch, 1);
	conf_msleep(200);
	CHECK_OK("receiver.register", notify_sig(q, SIGUSR1, 5));
	CHECK_OK("receiver.send", mq_send(q, "rc", 2, 0));
	CHECK_EXIT("receiver.got_it", conf_wait(c), 0);
	CHECK("receiver.no_signal", !take(SIGUSR1, &si));
	CHECK_ERR("receiver.still_registered", notify_sig(q, SIGUSR1, 5), EBUSY);
	drain(q);
	mq_send(q, "m", 1, 0);
	CHECK("receiver.fires_later", take(SIGUSR1, &si));
	drain(q);

	/* SIGEV_NONE registers, sends nothing and is used up. */
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_NONE;
	CHECK_OK("none.register", mq_notify(q, &ev));
	CHECK_ERR("none.busy", notify_sig(q, SIGUSR1, 1), EBUSY);
	mq_send(q, "m", 1, 0);
	CHECK("none.no_signal", !take(SIGUSR1, &si));
	CHECK_OK("none.used_up", notify_sig(q, SIGUSR1, 1));
	mq_notify(q, NULL);
	drain(q);
	/* Signal 0 is accepted and sends nothing. */
	CHECK_OK("signo0.register", notify_sig(q, 0, 1));
	mq_send(q, "m", 1, 0);
	CHECK_OK("signo0.used_up", notify_sig(q, SIGUSR1, 1));
	mq_notify(q, NULL);
	drain(q);

	/* Errors. */
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = 99;
	CHECK_ERR("err.bad_notify", mq_notify(q, &ev), EINVAL);
	CHECK_ERR("err.bad_signo", notify_sig(q, 65, 1), EINVAL);
	CHECK_ERR("err.negative_signo", notify_sig(q, -1, 1), EINVAL);
	CHECK_ERR("err.ebadf", notify_sig(999, SIGUSR1, 1), EBADF);
	int p[2];
	pipe(p);
	CHECK_ERR("err.not_a_queue", notify_sig(p[0], SIGUSR1, 1), EBADF);
	CHECK_ERR("err.efault", syscall(SYS_mq_notify, q, (void *)8), EFAULT);

	/* SIGEV_THREAD as the kernel sees it: sigev_signo is a netlink
	 * socket's fd, sival_ptr a 32-byte cookie. */
	char cookie[32] = { 0 };
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_value.sival_ptr = cookie;
	ev.sigev_signo = 999;
	CHECK_ERR("thread.bad_fd", syscall(SYS_mq_notify, q, &ev), EBADF);
	ev.sigev_signo = p[0];
	CHECK_ERR("thread.not_socket", syscall(SYS_mq_notify, q, &ev), ENOTSOCK);
	ev.sigev_signo = sv[0];
	CHECK_ERR("thread.not_netlink", syscall(SYS_mq_notify, q, &ev), EINVAL);
	ev.sigev_value.sival_ptr = (void *)8;
	CHECK_ERR("thread.cookie_efault", syscall(SYS_mq_notify, q, &ev), EFAULT);
	CHECK_OK("thread.nothing_registered", notify_sig(q, SIGUSR1, 1));
	mq_notify(q, NULL);

	mq_close(q);
	mq_unlink("/mqn");
	return conf_done();
}
