/* Signal delivery: handlers, siginfo, masks, pending sets, SA_RESETHAND,
 * SA_RESTART vs EINTR, sigaltstack, process groups, default actions and
 * preservation of the FPU state across a handler. */
#include "conformance.h"
#include <fcntl.h>

static volatile sig_atomic_t got_signo, got_code, got_count, got_pid_ok;
static volatile sig_atomic_t on_altstack;
static char *alt_base;
static size_t alt_size;

static void reset_got(void)
{
	got_signo = got_code = got_count = got_pid_ok = 0;
}

static void info_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_signo = sig;
	got_code = si->si_code;
	got_pid_ok = si->si_pid == getpid() && si->si_uid == getuid();
	got_count++;
}

static void count_handler(int sig)
{
	(void)sig;
	got_count++;
}

static void alt_handler(int sig)
{
	char local;
	(void)sig;
	on_altstack = &local >= alt_base && &local < alt_base + alt_size;
	got_count++;
}

static int install(int sig, void (*h)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int install_info(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = info_handler;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* Forks a child that sends sig to the parent `times` times, every
 * interval_ms, starting after delay_ms; then writes "done" to wfd if >= 0. */
static pid_t spawn_signaller(int sig, int delay_ms, int times, int interval_ms, int wfd)
{
	pid_t parent = getpid();
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(delay_ms);
		for (int i = 0; i < times; i++) {
			if (i)
				conf_msleep(interval_ms);
			kill(parent, sig);
		}
		if (wfd >= 0) {
			conf_msleep(interval_ms);
			if (write(wfd, "done", 4) != 4)
				_exit(1);
		}
		_exit(0);
	}
	return c;
}

static void test_basic_delivery(void)
{
	reset_got();
	CHECK_OK("sigaction.install_siginfo", install_info(SIGUSR1, 0));
	CHECK_OK("raise.sigusr1", raise(SIGUSR1));
	CHECK_EQ("handler.ran_once", got_count, 1);
	CHECK_EQ("handler.signo", got_signo, SIGUSR1);
	CHECK_EQ("handler.si_code_tkill", got_code, SI_TKILL);
	CHECK("handler.si_pid_uid", got_pid_ok);

	reset_got();
	CHECK_OK("kill.self", kill(getpid(), SIGUSR1));
	CHECK_EQ("kill.self_handler_ran", got_count, 1);
	CHECK_EQ("kill.self_si_code_user", got_code, SI_USER);

	reset_got();
	union sigval v = { .sival_int = 77 };
	CHECK_OK("sigqueue.self", sigqueue(getpid(), SIGUSR1, v));
	CHECK_EQ("sigqueue.si_code_queue", got_code, SI_QUEUE);

	struct sigaction old;
	CHECK_OK("sigaction.query", sigaction(SIGUSR1, NULL, &old));
	CHECK("sigaction.query_flags", (old.sa_flags & SA_SIGINFO) && old.sa_sigaction == info_handler);
	CHECK_ERR("sigaction.sigkill_einval", install(SIGKILL, count_handler, 0), EINVAL);
	CHECK_ERR("sigaction.sigstop_einval", install(SIGSTOP, count_handler, 0), EINVAL);
	CHECK_ERR("sigaction.bad_signo_einval", install(0, count_handler, 0), EINVAL);
	CHECK_ERR("sigaction.too_big_einval", syscall(SYS_rt_sigaction, 65, NULL, NULL, 8), EINVAL);
	CHECK_ERR("kill.bad_signo_einval", kill(getpid(), 1000), EINVAL);
	CHECK_OK("kill.sig0_probe", kill(getpid(), 0));
	CHECK_ERR("rt_sigprocmask.bad_sigsetsize", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 4), EINVAL);
	signal(SIGUSR1, SIG_DFL);
}

static void test_mask_pending(void)
{
	sigset_t set, old, pend;
	reset_got();
	install_info(SIGUSR2, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK_OK("sigprocmask.block", sigprocmask(SIG_BLOCK, &set, &old));
	raise(SIGUSR2);
	CHECK_EQ("sigprocmask.blocked_not_delivered", got_count, 0);
	sigemptyset(&pend);
	CHECK_OK("sigpending.call", sigpending(&pend));
	CHECK("sigpending.has_sigusr2", sigismember(&pend, SIGUSR2));
	CHECK("sigpending.not_sigusr1", !sigismember(&pend, SIGUSR1));
	raise(SIGUSR2); /* standard signals do not queue */
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK("sigprocmask.query_blocked", sigismember(&cur, SIGUSR2));
	CHECK_OK("sigprocmask.unblock", sigprocmask(SIG_SETMASK, &old, NULL));
	CHECK_EQ("sigprocmask.unblock_delivers_once", got_count, 1);
	sigpending(&pend);
	CHECK("sigpending.cleared", !sigismember(&pend, SIGUSR2));

	/* Real-time signals queue, and are delivered in order. */
	reset_got();
	install(SIGRTMIN + 1, count_handler, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, &old);
	raise(SIGRTMIN + 1);
	raise(SIGRTMIN + 1);
	raise(SIGRTMIN + 1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK_EQ("rt_signal.queued_three", got_count, 3);
	signal(SIGRTMIN + 1, SIG_DFL);

	/* SIGKILL/SIGSTOP cannot be blocked. */
	sigfillset(&set);
	sigprocmask(SIG_SETMASK, &set, &old);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	CHECK("sigprocmask.cannot_block_sigkill", !sigismember(&cur, SIGKILL) && !sigismember(&cur, SIGSTOP));
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* sigtimedwait takes a blocked pending signal without a handler. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	raise(SIGUSR1);
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	/* Raw syscall: glibc folds SI_TKILL into SI_USER. */
	CHECK_EQ("sigtimedwait.takes_pending", syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8), SIGUSR1);
	CHECK_EQ("sigtimedwait.si_code", si.si_code, SI_TKILL);
	CHECK_ERR("sigtimedwait.nothing_eagain", sigtimedwait(&set, &si, &zero), EAGAIN);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* The handler's sa_mask and the signal itself are blocked inside it. */
	signal(SIGUSR2, SIG_DFL);
}

static volatile sig_atomic_t mask_in_handler_ok;
static void mask_handler(int sig)
{
	sigset_t cur;
	(void)sig;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	mask_in_handler_ok = sigismember(&cur, SIGUSR1) && sigismember(&cur, SIGHUP) &&
			     !sigismember(&cur, SIGUSR2);
}

static void test_handler_mask(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mask_handler;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	CHECK("handler.mask_applied", mask_in_handler_ok);
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK("handler.mask_restored", !sigismember(&cur, SIGUSR1) && !sigismember(&cur, SIGHUP));
	signal(SIGUSR1, SIG_DFL);
}

static void test_resethand(void)
{
	reset_got();
	install(SIGUSR1, count_handler, SA_RESETHAND);
	raise(SIGUSR1);
	CHECK_EQ("sa_resethand.first_delivery", got_count, 1);
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	CHECK("sa_resethand.reset_to_default", old.sa_handler == SIG_DFL);
	/* The second one takes the default action: test it in a child. */
	pid_t c = fork();
	if (c == 0) {
		install(SIGUSR1, count_handler, SA_RESETHAND);
		raise(SIGUSR1);
		raise(SIGUSR1);
		_exit(0);
	}
	CHECK_KILLED("sa_resethand.second_kills", conf_wait(c), SIGUSR1);
	signal(SIGUSR1, SIG_DFL);

	/* SIG_IGN discards; ignoring discards a pending one too. */
	signal(SIGUSR1, SIG_IGN);
	CHECK_OK("sig_ign.raise", raise(SIGUSR1));
	signal(SIGUSR1, SIG_DFL);
	CHECK_OK("sig_ign.survived", 0);
}

static void test_restart(void)
{
	int p[2];
	char buf[8];

	/* SA_RESTART: the read resumes after the handler and gets the data. */
	reset_got();
	install(SIGUSR1, count_handler, SA_RESTART);
	if (pipe(p) < 0)
		return;
	pid_t c = spawn_signaller(SIGUSR1, 20, 3, 20, p[1]);
	ssize_t r = read(p[0], buf, 4);
	CHECK_EQ("sa_restart.read_restarted", r, 4);
	CHECK("sa_restart.read_data", r == 4 && memcmp(buf, "done", 4) == 0);
	CHECK("sa_restart.handler_ran", got_count >= 1);
	conf_wait(c);
	close(p[0]);
	close(p[1]);

	/* Without SA_RESTART the blocked read fails with EINTR. The signaller
	 * keeps signalling in case the first one came before the read blocked. */
	reset_got();
	install(SIGUSR1, count_handler, 0);
	if (pipe(p) < 0)
		return;
	c = spawn_signaller(SIGUSR1, 20, 200, 20, -1);
	errno = 0;
	r = read(p[0], buf, 4);
	int e = errno;
	kill(c, SIGKILL);
	conf_wait(c);
	CHECK_EQ("no_restart.read_returns_-1", r, -1);
	CHECK_STR("no_restart.read_eintr", conf_errname(e), "EINTR");
	CHECK("no_restart.handler_ran", got_count >= 1);
	close(p[0]);
	close(p[1]);

	/* nanosleep is never restarted: EINTR with the remaining time. */
	reset_got();
	install(SIGUSR1, count_handler, SA_RESTART);
	c = spawn_signaller(SIGUSR1, 20, 200, 20, -1);
	struct timespec ts = { 30, 0 }, rem = { 0, 0 };
	int rr = nanosleep(&ts, &rem);
	e = errno;
	kill(c, SIGKILL);
	conf_wait(c);
	CHECK_EQ("nanosleep.interrupted_returns_-1", rr, -1);
	CHECK_STR("nanosleep.interrupted_eintr", conf_errname(e), "EINTR");
	CHECK("nanosleep.remaining_time", rem.tv_sec > 20 && rem.tv_sec <= 30);
	signal(SIGUSR1, SIG_DFL);

	/* pause() returns -1 EINTR after a handler. */
	reset_got();
	install(SIGUSR2, count_handler, SA_RESTART);
	c = spawn_signaller(SIGUSR2, 20, 200, 20, -1);
	rr = pause();
	e = errno;
	kill(c, SIGKILL);
	conf_wait(c);
	CHECK_EQ("pause.returns_-1", rr, -1);
	CHECK_STR("pause.eintr", conf_errname(e), "EINTR");

	/* sigsuspend: atomically unblocks and waits. */
	sigset_t block, old, wait_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	reset_got();
	c = spawn_signaller(SIGUSR2, 20, 1, 20, -1);
	sigemptyset(&wait_mask);
	rr = sigsuspend(&wait_mask);
	e = errno;
	conf_wait(c);
	CHECK_EQ("sigsuspend.returns_-1", rr, -1);
	CHECK_STR("sigsuspend.eintr", conf_errname(e), "EINTR");
	CHECK_EQ("sigsuspend.handler_ran", got_count, 1);
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK("sigsuspend.mask_restored", sigismember(&cur, SIGUSR2));
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR2, SIG_DFL);
}

static void test_altstack(void)
{
	stack_t ss, old;
	alt_size = 64 * 1024;
	alt_base = malloc(alt_size);
	ss.ss_sp = alt_base;
	ss.ss_size = alt_size;
	ss.ss_flags = 0;
	CHECK_OK("sigaltstack.set", sigaltstack(&ss, &old));
	CHECK("sigaltstack.initially_disabled", old.ss_flags & SS_DISABLE);
	reset_got();
	on_altstack = 0;
	install(SIGUSR1, alt_handler, SA_ONSTACK);
	raise(SIGUSR1);
	CHECK_EQ("sigaltstack.handler_ran", got_count, 1);
	CHECK("sigaltstack.handler_on_alt_stack", on_altstack);
	/* Without SA_ONSTACK the normal stack is used. */
	on_altstack = 1;
	install(SIGUSR1, alt_handler, 0);
	raise(SIGUSR1);
	CHECK("sigaltstack.no_onstack_flag_normal_stack", !on_altstack);
	stack_t q;
	CHECK_OK("sigaltstack.query", sigaltstack(NULL, &q));
	CHECK("sigaltstack.query_matches", q.ss_sp == alt_base && q.ss_size == alt_size && q.ss_flags == 0);
	ss.ss_size = 1024;
	CHECK_ERR("sigaltstack.too_small_enomem", sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_flags = SS_DISABLE;
	CHECK_OK("sigaltstack.disable", sigaltstack(&ss, NULL));
	signal(SIGUSR1, SIG_DFL);
}

static void test_pgrp(void)
{
	/* In a child that leads its own process group, so nothing outside it
	 * (the test harness) is signalled. */
	pid_t c = fork();
	if (c == 0) {
		int bad = 0;
		if (setpgid(0, 0) < 0)
			_exit(100);
		if (getpgrp() != getpid())
			bad |= 1;
		reset_got();
		install(SIGUSR1, count_handler, 0);
		if (kill(0, SIGUSR1) < 0)
			bad |= 2;
		if (got_count != 1)
			bad |= 4;
		if (kill(-getpgrp(), SIGUSR1) < 0)
			bad |= 8;
		if (got_count != 2)
			bad |= 16;
		if (killpg(getpgrp(), SIGUSR1) < 0 || got_count != 3)
			bad |= 32;
		_exit(bad);
	}
	CHECK_EXIT("kill.process_group", conf_wait(c), 0);

	/* kill(-pgrp) from the parent reaches every member of the group: the
	 * leader catches SIGTERM, its child dies of it, and the leader reaps
	 * it (no orphan is left behind). */
	int p[2];
	if (pipe(p) < 0)
		return;
	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		reset_got();
		install(SIGTERM, count_handler, SA_RESTART);
		pid_t gc = fork();
		if (gc == 0) {
			signal(SIGTERM, SIG_DFL);
			close(p[0]);
			if (write(p[1], "r", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		close(p[1]);
		int st = conf_wait(gc);
		int bad = 0;
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
			bad |= 1;
		if (got_count != 1)
			bad |= 2;
		_exit(bad);
	}
	close(p[1]);
	char ch;
	CHECK_EQ("kill.group_ready", read(p[0], &ch, 1), 1);
	close(p[0]);
	/* The child's own setpgid may race with ours: set it from here too. */
	setpgid(c, c);
	CHECK_EQ("getpgid.child", getpgid(c), c);
	CHECK_OK("kill.negative_pgrp", kill(-c, SIGTERM));
	CHECK_EXIT("kill.negative_pgrp_reaches_all", conf_wait(c), 0);
	CHECK_ERR("kill.no_such_pgrp_esrch", kill(-c, 0), ESRCH);
	CHECK_ERR("kill.no_such_pid_esrch", kill(c, 0), ESRCH);
	CHECK_ERR("getpgid.esrch", getpgid(c), ESRCH);
}

static void test_default_actions(void)
{
	static const int fatal[] = { SIGTERM, SIGUSR1, SIGHUP, SIGINT, SIGALRM, SIGKILL };
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
		char name[64];
		pid_t c = fork();
		if (c == 0) {
			kill(getpid(), fatal[i]);
			_exit(0);
		}
		snprintf(name, sizeof(name), "default_action.kills.%s", sigabbrev_np(fatal[i]));
		CHECK_KILLED(name, conf_wait(c), fatal[i]);
	}
	/* SIGCHLD and SIGURG are ignored by default. */
	pid_t c = fork();
	if (c == 0) {
		kill(getpid(), SIGCHLD);
		kill(getpid(), SIGURG);
		kill(getpid(), SIGWINCH);
		_exit(3);
	}
	CHECK_EXIT("default_action.ignored", conf_wait(c), 3);
	/* A blocked fatal signal kills when unblocked. */
	c = fork();
	if (c == 0) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		kill(getpid(), SIGTERM);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		_exit(4);
	}
	CHECK_KILLED("default_action.after_unblock", conf_wait(c), SIGTERM);
	/* A child killed while blocked in read. */
	int p[2];
	if (pipe(p) < 0)
		return;
	c = fork();
	if (c == 0) {
		char ch;
		close(p[1]);
		if (read(p[0], &ch, 1) < 0)
			_exit(1);
		_exit(2);
	}
	conf_msleep(20);
	kill(c, SIGINT);
	CHECK_KILLED("default_action.kills_blocked_reader", conf_wait(c), SIGINT);
	close(p[0]);
	close(p[1]);
	/* SIGCHLD to the parent when a child exits, with CLD_EXITED. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	c = fork();
	if (c == 0)
		_exit(6);
	siginfo_t si;
	struct timespec ts = { 5, 0 };
	CHECK_EQ("sigchld.sent_to_parent", sigtimedwait(&set, &si, &ts), SIGCHLD);
	CHECK_EQ("sigchld.si_code", si.si_code, CLD_EXITED);
	CHECK_EQ("sigchld.si_pid", si.si_pid, c);
	CHECK_EQ("sigchld.si_status", si.si_status, 6);
	conf_wait(c);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The handler scribbles over every vector register and the SSE control
 * register; the interrupted code must not notice. */
static void fpu_clobber_handler(int sig)
{
	(void)sig;
	unsigned int mxcsr = 0x7f80 | (3 << 13); /* round toward zero */
	double junk = 1234567.891;
	__asm__ volatile(
		"movq %0, %%xmm0\n\t"
		"movddup %%xmm0, %%xmm0\n\t"
		"movaps %%xmm0, %%xmm1\n\tmovaps %%xmm0, %%xmm2\n\t"
		"movaps %%xmm0, %%xmm3\n\tmovaps %%xmm0, %%xmm4\n\t"
		"movaps %%xmm0, %%xmm5\n\tmovaps %%xmm0, %%xmm6\n\t"
		"movaps %%xmm0, %%xmm7\n\tmovaps %%xmm0, %%xmm8\n\t"
		"movaps %%xmm0, %%xmm9\n\tmovaps %%xmm0, %%xmm10\n\t"
		"movaps %%xmm0, %%xmm11\n\tmovaps %%xmm0, %%xmm12\n\t"
		"movaps %%xmm0, %%xmm13\n\tmovaps %%xmm0, %%xmm14\n\t"
		"movaps %%xmm0, %%xmm15\n\t"
		"ldmxcsr %1\n\t"
		"fldpi\n\tfldpi\n\tfldpi\n\t"
		:
		: "m"(junk), "m"(mxcsr)
		: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
		  "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st", "st(1)",
		  "st(2)");
	got_count++;
}

/* A dependency chain the compiler keeps in registers; the handler may run
 * at any instruction of it. */
static double fp_chain(long iters, long *done)
{
	double a = 1.0, b = 0.5, c = 0.25;
	long i;
	for (i = 0; i < iters; i++) {
		if (done && got_count >= 20)
			break;
		a = a * 1.0000001 + b;
		b = b * 0.9999999 + c * 1e-9;
		c = c + a * 1e-12;
	}
	if (done)
		*done = i;
	return a + b + c;
}

static void test_fpu(void)
{
	unsigned int mxcsr_before, mxcsr_after;
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr_before));

	reset_got();
	install(SIGUSR1, fpu_clobber_handler, SA_RESTART);
	/* Asynchronous signals from another process, so they land in the
	 * middle of the computation rather than at a syscall. */
	pid_t c = spawn_signaller(SIGUSR1, 1, 400, 1, -1);
	long done = 0;
	double with_signals = fp_chain(300000000L, &done);
	kill(c, SIGKILL);
	conf_wait(c);
	int count = got_count;
	signal(SIGUSR1, SIG_DFL);
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr_after));
	got_count = 0;
	double quiet = fp_chain(done, NULL);

	CHECK("fpu.signals_interrupted_computation", count >= 20);
	CHECK("fpu.result_preserved", with_signals == quiet);
	/* The low 6 bits are sticky exception flags the computation sets. */
	CHECK_EQ("fpu.mxcsr_control_preserved", mxcsr_after & ~0x3fu, mxcsr_before & ~0x3fu);

	/* Same for a synchronous raise() in a loop with live FP values. */
	reset_got();
	install(SIGUSR2, fpu_clobber_handler, 0);
	volatile double x = 3.0;
	double acc = 0;
	for (int i = 0; i < 100; i++) {
		double t = x * i;
		raise(SIGUSR2);
		acc += t / 7.0;
	}
	double expect = 0;
	for (int i = 0; i < 100; i++)
		expect += (3.0 * i) / 7.0;
	CHECK("fpu.raise_loop_preserved", acc == expect);
	CHECK_EQ("fpu.raise_loop_handler_count", got_count, 100);
	signal(SIGUSR2, SIG_DFL);
}

int main(void)
{
	test_basic_delivery();
	test_mask_pending();
	test_handler_mask();
	test_resethand();
	test_restart();
	test_altstack();
	test_pgrp();
	test_default_actions();
	test_fpu();
	return conf_done();
}
