/* signalfd: arguments, reading queued signals with their siginfo (kill,
 * tgkill, sigqueue, SIGCHLD, POSIX timers), the mask and its update,
 * nonblocking and blocking reads, poll and epoll readiness, EINTR. */
#include "conformance.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

/* What /proc/self/fd/N says the file is. */
static const char *fd_link(int fd)
{
	static char buf[64];
	char path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void on_signal(int sig) { (void)sig; }

static short revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

int main(void)
{
	struct signalfd_siginfo si[2];
	sigset_t mask, both;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGRTMIN);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGALRM);
	both = mask;
	sigaddset(&both, SIGUSR2);
	sigprocmask(SIG_BLOCK, &both, NULL);

	CHECK_ERR("create.bad_sizemask_einval", syscall(SYS_signalfd4, -1, &mask, 4, 0), EINVAL);
	CHECK_ERR("create.bad_flags_einval", signalfd(-1, &mask, 1), EINVAL);
	CHECK_ERR("create.null_mask_efault", syscall(SYS_signalfd4, -1, NULL, 8, 0), EFAULT);
	CHECK_ERR("create.bad_fd_ebadf", signalfd(999, &mask, 0), EBADF);
	int p[2];
	pipe(p);
	CHECK_ERR("create.not_signalfd_einval", signalfd(p[0], &mask, 0), EINVAL);
	close(p[0]);
	close(p[1]);

	sigset_t with_kill = mask;
	sigaddset(&with_kill, SIGKILL);
	sigaddset(&with_kill, SIGSTOP);
	int fd = signalfd(-1, &with_kill, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK("create.kill_stop_ignored", fd > 2);
	CHECK("create.nonblock", fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK_EQ("create.rdwr", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK_EQ("create.cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	struct stat st;
	CHECK_OK("create.fstat", fstat(fd, &st));
	CHECK_EQ("create.fstat_mode", st.st_mode, 0600);
	CHECK_STR("create.proc_fd_link", fd_link(fd), "anon_inode:[signalfd]");

	CHECK_EQ("idle.poll", revents(fd), 0);
	CHECK_ERR("idle.read_eagain", read(fd, si, sizeof(si)), EAGAIN);
	char small[64];
	CHECK_ERR("read.short_buffer_einval", read(fd, small, sizeof(small)), EINVAL);

	/* raise: tgkill, SI_TKILL, thread-directed. */
	raise(SIGUSR1);
	CHECK_EQ("raise.poll_ready", revents(fd), POLLIN);
	/* Also when poll() found another descriptor ready first. */
	int rp[2];
	pipe(rp);
	write(rp[1], "x", 1);
	struct pollfd two[2] = { { .fd = rp[0], .events = POLLIN }, { .fd = fd, .events = POLLIN } };
	CHECK_EQ("raise.poll_after_ready_pipe", poll(two, 2, 0), 2);
	CHECK_EQ("raise.poll_after_ready_pipe_revents", two[1].revents, POLLIN);
	close(rp[0]);
	close(rp[1]);
	CHECK_EQ("raise.read", read(fd, si, sizeof(si)), (ssize_t)sizeof(si[0]));
	CHECK_EQ("raise.signo", si[0].ssi_signo, SIGUSR1);
	CHECK_EQ("raise.code", si[0].ssi_code, SI_TKILL);
	CHECK_EQ("raise.pid", si[0].ssi_pid, (uint32_t)getpid());
	CHECK_EQ("raise.uid", si[0].ssi_uid, getuid());
	CHECK_EQ("raise.consumed", revents(fd), 0);
	sigset_t pend;
	sigpending(&pend);
	CHECK("raise.not_pending_any_more", !sigismember(&pend, SIGUSR1));

	/* Two at once: kill (process-directed) and sigqueue with a value. */
	kill(getpid(), SIGUSR1);
	union sigval val = { .sival_int = 4242 };
	sigqueue(getpid(), SIGRTMIN, val);
	memset(si, 0, sizeof(si));
	CHECK_EQ("two.read_both", read(fd, si, sizeof(si)), (ssize_t)sizeof(si));
	CHECK_EQ("two.first_signo", si[0].ssi_signo, SIGUSR1);
	CHECK_EQ("two.first_code", si[0].ssi_code, SI_USER);
	CHECK_EQ("two.second_signo", si[1].ssi_signo, SIGRTMIN);
	CHECK_EQ("two.second_code", si[1].ssi_code, SI_QUEUE);
	CHECK_EQ("two.second_int", si[1].ssi_int, 4242);
	CHECK_EQ("two.second_pid", si[1].ssi_pid, (uint32_t)getpid());

	/* Only the mask counts; updating it in place. */
	raise(SIGUSR2);
	CHECK_EQ("mask.other_signal_not_ready", revents(fd), 0);
	CHECK_ERR("mask.other_signal_eagain", read(fd, si, sizeof(si[0])), EAGAIN);
	sigset_t m2;
	sigemptyset(&m2);
	sigaddset(&m2, SIGUSR2);
	CHECK_EQ("mask.update_returns_fd", signalfd(fd, &m2, 0), fd);
	CHECK_EQ("mask.updated_ready", revents(fd), POLLIN);
	CHECK_EQ("mask.updated_read", read(fd, si, sizeof(si[0])), (ssize_t)sizeof(si[0]));
	CHECK_EQ("mask.updated_signo", si[0].ssi_signo, SIGUSR2);
	signalfd(fd, &mask, 0);

	/* epoll */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 9 };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	CHECK_EQ("epoll.idle", epoll_wait(ep, &ev, 1, 0), 0);
	raise(SIGUSR1);
	CHECK_EQ("epoll.ready", epoll_wait(ep, &ev, 1, 0), 1);
	CHECK_EQ("epoll.data", ev.data.u32, 9);
	read(fd, si, sizeof(si[0]));
	CHECK_EQ("epoll.idle_after_read", epoll_wait(ep, &ev, 1, 0), 0);

	/* A blocking read waits for a signal from a child; SIGCHLD then
	 * carries the child's exit. */
	int bfd = signalfd(-1, &mask, 0);
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(50);
		kill(getppid(), SIGUSR1);
		_exit(3);
	}
	CHECK_EQ("block.read", read(bfd, si, sizeof(si[0])), (ssize_t)sizeof(si[0]));
	CHECK_EQ("block.signo", si[0].ssi_signo, SIGUSR1);
	CHECK_EQ("block.code", si[0].ssi_code, SI_USER);
	CHECK_EQ("block.sender_pid", si[0].ssi_pid, (uint32_t)c);
	CHECK_EQ("sigchld.read", read(bfd, si, sizeof(si[0])), (ssize_t)sizeof(si[0]));
	CHECK_EQ("sigchld.signo", si[0].ssi_signo, SIGCHLD);
	CHECK_EQ("sigchld.code", si[0].ssi_code, CLD_EXITED);
	CHECK_EQ("sigchld.pid", si[0].ssi_pid, (uint32_t)c);
	CHECK_EQ("sigchld.status", si[0].ssi_status, 3);
	CHECK_EXIT("sigchld.child", conf_wait(c), 3);

	/* POSIX timer signals. */
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	sev.sigev_value.sival_int = 31337;
	timer_t tid;
	CHECK_OK("timer.create", timer_create(CLOCK_MONOTONIC, &sev, &tid));
	struct itimerspec its = { .it_value = { 0, 10 * 1000000 } };
	timer_settime(tid, 0, &its, NULL);
	CHECK_EQ("timer.read", read(bfd, si, sizeof(si[0])), (ssize_t)sizeof(si[0]));
	CHECK_EQ("timer.signo", si[0].ssi_signo, SIGALRM);
	CHECK_EQ("timer.code", si[0].ssi_code, SI_TIMER);
	CHECK_EQ("timer.tid", si[0].ssi_tid, (uint32_t)(long)tid);
	CHECK_EQ("timer.int", si[0].ssi_int, 31337);
	CHECK_EQ("timer.overrun", si[0].ssi_overrun, 0);
	timer_delete(tid);

	/* A handled signal outside the mask interrupts a blocked read. */
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		kill(getppid(), SIGTERM);
		for (;;)
			pause();
	}
	CHECK_ERR("eintr.read", read(bfd, si, sizeof(si[0])), EINTR);
	kill(c, SIGKILL);
	CHECK_KILLED("eintr.child", conf_wait(c), SIGKILL);
	/* The SIGCHLD of that child is there to read. */
	CHECK_EQ("eintr.sigchld_after", read(bfd, si, sizeof(si[0])), (ssize_t)sizeof(si[0]));
	CHECK_EQ("eintr.sigchld_signo", si[0].ssi_signo, SIGCHLD);
	CHECK_EQ("eintr.sigchld_code", si[0].ssi_code, CLD_KILLED);
	CHECK_EQ("eintr.sigchld_status", si[0].ssi_status, SIGKILL);

	close(ep);
	close(bfd);
	close(fd);
	return conf_done();
}
