/* The monitor: the host process behind the container's pid.
 *
 * containerd's shim, Docker and conmon reap the pid written to --pid-file
 * and take its wait status as the container's. The sentry cannot be that
 * process: as pid 1 of its own pid namespace the host kernel ignores every
 * signal it sends itself (SIGNAL_UNKILLABLE), so it could never die "of
 * SIGTERM" the way runc's init does. The monitor is its parent in the host
 * pid namespace: it forwards the signals it receives, waits for the sentry
 * and then exits with init's wait status, raising init's fatal signal on
 * itself when there was one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/boot.h"

static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGSTKFLT,
	SIGWINCH, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGURG,
};

void sandbox_forwarded_sigset(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(set, s);
}

void sentry_report_status(int status_fd, int wait_status)
{
	if (status_fd >= 0)
		(void)!write(status_fd, &wait_status, sizeof(wait_status));
}

static pid_t clone_sentry(bool keep_netns)
{
	/* A raw clone(2) so the child itself becomes pid 1 of the new pid
	 * namespace (unshare(CLONE_NEWPID) only affects later children).
	 * A network namespace joined by path stays the sentry's. */
	const long ns = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS |
			(keep_netns ? 0 : CLONE_NEWNET);
	long pid = syscall(SYS_clone, ns | SIGCHLD, NULL, NULL, NULL, NULL);

	if (pid >= 0 || (errno != EPERM && errno != EINVAL && errno != ENOSPC && errno != EUSERS))
		return (pid_t)pid;
	log_warn("cannot create namespaces for the sandbox (%s): the sentry runs in the "
		 "host's namespaces and is not pid 1", strerror(errno));
	return fork();
}

static void write_exit_file(int dirfd, int wait_status)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", wait_status);
	int fd;

	if (dirfd < 0)
		return;
	fd = openat(dirfd, "exit.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return; /* deleted meanwhile: nobody asks any more */
	if (write_all(fd, buf, (size_t)n) == 0 && close(fd) == 0)
		renameat(dirfd, "exit.tmp", dirfd, "exit");
	else
		unlinkat(dirfd, "exit.tmp", 0);
}

/* Closes every fd from 3 up except the ones in keep. */
static void close_all_but(const int *keep, int n)
{
	int lo = 3;

	for (;;) {
		int next = -1;
		for (int i = 0; i < n; i++)
			if (keep[i] >= lo && (next < 0 || keep[i] < next))
				next = keep[i];
		if (next < 0) {
			syscall(SYS_close_range, (unsigned)lo, ~0U, 0);
			return;
		}
		if (next > lo)
			syscall(SYS_close_range, (unsigned)lo, (unsigned)next - 1, 0);
		lo = next + 1;
	}
}

static int monitor_loop(const struct monitor_args *ma, pid_t sentry, int status_rd)
{
	sigset_t fwd, all;
	int sigfd, commit_fd = ma->commit_fd, sentry_status = 0, ws;
	bool reaped = false;

	sandbox_forwarded_sigset(&fwd);
	sigfillset(&all);
	sigfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		log_error("monitor: signalfd: %s", strerror(errno));
		kill(sentry, SIGKILL);
	}
	while (!reaped) {
		struct pollfd p[2] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = commit_fd, .events = POLLIN },
		};
		if (poll(p, commit_fd >= 0 ? 2 : 1, sigfd < 0 ? 100 : -1) < 0 && errno != EINTR)
			break;
		if (commit_fd >= 0 && p[1].revents) {
			char c = 0;
			ssize_t n = read(commit_fd, &c, 1);
			if (n == 1 && c == 'C') {
				close(commit_fd);
				commit_fd = -1;
			} else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
				/* The command creating the container died before it
				 * was recorded: nobody could ever delete it. */
				log_debug("monitor: creator gone before commit, killing the sandbox");
				close(commit_fd);
				commit_fd = -1;
				kill(sentry, SIGKILL);
			}
		}
		if (sigfd >= 0 && p[0].revents) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				int sig = (int)si.ssi_signo;
				if (sig == SIGCHLD)
					continue;
				if (sigismember(&fwd, sig))
					kill(sentry, sig);
			}
		}
		pid_t r = waitpid(sentry, &sentry_status, WNOHANG);
		if (r == sentry || (r < 0 && errno == ECHILD))
			reaped = true;
	}
	/* The sentry writes init's status just before it exits; without it
	 * (a boot failure, a crash, SIGKILL) its own status is the answer. */
	if (read(status_rd, &ws, sizeof(ws)) != (ssize_t)sizeof(ws))
		ws = sentry_status;
	return ws;
}

int sentry_monitor_split(const struct monitor_args *ma)
{
	int sp[2], self_pidfd;
	sigset_t all, old;
	pid_t pid;

	if (pipe2(sp, O_CLOEXEC) < 0) {
		log_error("monitor: pipe: %s", strerror(errno));
		_exit(1);
	}
	self_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	/* Blocked before the clone so no signal sent to the monitor in
	 * between is lost (signalfd collects them). */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = clone_sentry(ma->keep_netns);
	if (pid < 0) {
		log_error("start sentry: clone: %s", strerror(errno));
		_exit(1);
	}
	if (pid == 0) {
		struct pollfd p = { .fd = self_pidfd, .events = POLLIN };

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			_exit(1);
		/* The monitor may have died before the prctl. */
		if (self_pidfd >= 0 && poll(&p, 1, 0) > 0)
			_exit(1);
		if (self_pidfd >= 0)
			close(self_pidfd);
		close(sp[0]);
		if (ma->commit_fd >= 0)
			close(ma->commit_fd);
		if (ma->state_fd >= 0)
			close(ma->state_fd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return sp[1];
	}

	log_set_component("monitor");
	/* The monitor holds nothing of the sandbox's: not the control socket
	 * (a dead sentry must refuse connections at once), not the workload's
	 * extra fds. */
	{
		int keep[8], n = 0;
		const struct log_config *lc = log_get_config();

		keep[n++] = sp[0];
		if (ma->commit_fd >= 0)
			keep[n++] = ma->commit_fd;
		if (ma->state_fd >= 0)
			keep[n++] = ma->state_fd;
		if (lc->log_fd >= 0)
			keep[n++] = lc->log_fd;
		if (lc->debug_fd >= 0)
			keep[n++] = lc->debug_fd;
		close_all_but(keep, n);
	}
	if (sentry_drop_privileges() < 0)
		log_debug("monitor: cannot drop privileges");
	int ws = monitor_loop(ma, pid, sp[0]);
	log_debug("monitor: sandbox exited with wait status 0x%x", ws);
	write_exit_file(ma->state_fd, ws);
	exit_like_status(ws);
}
