/* Orphans: reparenting to a PR_SET_CHILD_SUBREAPER ancestor (or init), and
 * PR_SET_PDEATHSIG when the parent dies. */
#include "conformance.h"

#include <sys/prctl.h>

int main(void)
{
	/* We become a subreaper; a child forks a grandchild and exits; the
	 * grandchild's new parent is us, and we can reap it. */
	CHECK_OK("prctl.set_child_subreaper", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	int isr = 0;
	CHECK_OK("prctl.get_child_subreaper", prctl(PR_GET_CHILD_SUBREAPER, &isr, 0, 0, 0));
	CHECK_EQ("prctl.get_child_subreaper_value", isr, 1);

	int p[2];
	if (pipe(p) < 0)
		return 1;
	pid_t me = getpid();
	pid_t child = fork();
	if (child == 0) {
		pid_t parent = getpid();
		pid_t gc = fork();
		if (gc == 0) {
			close(p[0]);
			/* Wait until our parent is gone, then report whether the
			 * subreaper adopted us. */
			for (int i = 0; i < 5000 && getppid() == parent; i++)
				conf_msleep(1);
			char adopted = getppid() == me ? 'y' : 'n';
			if (write(p[1], &adopted, 1) != 1)
				_exit(2);
			_exit(5);
		}
		_exit(0);
	}
	close(p[1]);
	int st = conf_wait(child);
	CHECK_EXIT("subreaper.child_exits", st, 0);
	char adopted = 0;
	ssize_t n = read(p[0], &adopted, 1);
	close(p[0]);
	CHECK_EQ("subreaper.grandchild_reports", n, 1);
	CHECK_EQ("subreaper.adopted_by_subreaper", adopted, 'y');
	int gst;
	pid_t r = wait(&gst);
	CHECK("subreaper.reaps_grandchild", r > 0 && r != child);
	CHECK_EXIT("subreaper.grandchild_status", gst, 5);
	CHECK_ERR("subreaper.no_more_children", wait(NULL), ECHILD);

	/* PDEATHSIG: a grandchild asks for SIGUSR1 when its parent dies. */
	if (pipe(p) < 0)
		return 1;
	child = fork();
	if (child == 0) {
		pid_t gc = fork();
		if (gc == 0) {
			sigset_t set;
			sigemptyset(&set);
			sigaddset(&set, SIGUSR1);
			sigprocmask(SIG_BLOCK, &set, NULL);
			prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
			if (write(p[1], "r", 1) != 1)
				_exit(3);
			int sig = 0;
			struct timespec to = { 5, 0 };
			siginfo_t si;
			sig = sigtimedwait(&set, &si, &to);
			_exit(sig == SIGUSR1 ? 0 : 4);
		}
		char c;
		if (read(p[0], &c, 1) != 1)
			_exit(3);
		_exit(0);
	}
	close(p[1]);
	st = conf_wait(child);
	CHECK_EXIT("pdeathsig.parent_exits", st, 0);
	r = wait(&gst);
	CHECK("pdeathsig.reaped_by_subreaper", r > 0);
	CHECK_EXIT("pdeathsig.signal_delivered", gst, 0);
	close(p[0]);
	return conf_done();
}
