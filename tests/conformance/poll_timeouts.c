/* ppoll and pselect6 timeouts: none, zero, short, invalid (EINVAL), an
 * unreadable timespec (EFAULT), and a ready fd answering before the
 * timeout; ppoll's sigmask is in place while it waits. */
#include "conformance.h"
#include <poll.h>
#include <sys/select.h>

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static long raw_pselect6(int nfds, fd_set *r, const struct timespec *ts)
{
	return syscall(SYS_pselect6, nfds, r, NULL, NULL, ts, NULL);
}

int main(void)
{
	int p[2];
	struct pollfd pfd;
	struct timespec zero = { 0, 0 }, short_ts = { 0, 20000000 }, bad = { 0, 1000000000 };
	fd_set rs;

	if (pipe(p) < 0)
		return 1;
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };

	CHECK_EQ("ppoll.zero", ppoll(&pfd, 1, &zero, NULL), 0);
	CHECK_EQ("ppoll.short", ppoll(&pfd, 1, &short_ts, NULL), 0);
	CHECK_ERR("ppoll.bad_nsec", ppoll(&pfd, 1, &bad, NULL), EINVAL);
	bad = (struct timespec){ -1, 0 };
	CHECK_ERR("ppoll.negative", ppoll(&pfd, 1, &bad, NULL), EINVAL);
	CHECK_ERR("ppoll.efault",
		  syscall(SYS_ppoll, &pfd, 1, (struct timespec *)8, NULL, sizeof(sigset_t)), EFAULT);

	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	CHECK_EQ("pselect.zero", raw_pselect6(p[0] + 1, &rs, &zero), 0);
	FD_SET(p[0], &rs);
	CHECK_EQ("pselect.short", raw_pselect6(p[0] + 1, &rs, &short_ts), 0);
	bad = (struct timespec){ 0, 1000000000 };
	FD_SET(p[0], &rs);
	CHECK_ERR("pselect.bad_nsec", raw_pselect6(p[0] + 1, &rs, &bad), EINVAL);
	FD_SET(p[0], &rs);
	CHECK_ERR("pselect.efault", raw_pselect6(p[0] + 1, &rs, (struct timespec *)8), EFAULT);

	CHECK_EQ("write", write(p[1], "x", 1), 1);
	CHECK_EQ("ppoll.ready_no_timeout", ppoll(&pfd, 1, NULL, NULL), 1);
	CHECK_EQ("ppoll.revents", pfd.revents, POLLIN);
	struct timespec long_ts = { 10, 0 };
	CHECK_EQ("ppoll.ready_long_timeout", ppoll(&pfd, 1, &long_ts, NULL), 1);
	FD_SET(p[0], &rs);
	CHECK_EQ("pselect.ready", raw_pselect6(p[0] + 1, &rs, &long_ts), 1);
	CHECK("pselect.isset", FD_ISSET(p[0], &rs));

	/* A signal blocked outside and unblocked by ppoll's mask ends the
	 * wait with EINTR once it arrives. */
	char c;
	CHECK_EQ("drain", read(p[0], &c, 1), 1);
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, unblocked;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	sigemptyset(&unblocked);
	CHECK_ERR("ppoll.sigmask_eintr", ppoll(&pfd, 1, &long_ts, &unblocked), EINTR);
	CHECK_EQ("ppoll.handler_ran", got_usr1, 1);
	return conf_done();
}
