/* getpid/getppid/gettid: identity of the calling process and its children. */
#include "conformance.h"

int main(void)
{
	pid_t pid = getpid();
	CHECK("getpid.positive", pid > 0);
	CHECK_EQ("getpid.stable", getpid(), pid);
	CHECK_EQ("getpid.raw_syscall", syscall(SYS_getpid), pid);
	CHECK_EQ("gettid.main_thread_is_pid", gettid(), pid);
	CHECK("getppid.nonnegative", getppid() >= 0);
	CHECK_EQ("getppid.stable", getppid(), getppid());

	/* The child reports through its exit status: 0 when its view of the
	 * parent and of itself is right. */
	int p[2];
	if (pipe(p) < 0)
		return 1;
	pid_t child = fork();
	if (child == 0) {
		close(p[0]);
		int bad = 0;
		if (getppid() != pid)
			bad |= 1;
		if (getpid() == pid)
			bad |= 2;
		if (gettid() != getpid())
			bad |= 4;
		pid_t me = getpid();
		if (write(p[1], &me, sizeof(me)) != sizeof(me))
			bad |= 8;
		_exit(bad);
	}
	CHECK("fork.returns_child_pid", child > 0);
	close(p[1]);
	pid_t reported = 0;
	CHECK_EQ("fork.child_pid_matches", read(p[0], &reported, sizeof(reported)), sizeof(reported));
	CHECK_EQ("fork.child_getpid_is_fork_return", reported, child);
	close(p[0]);
	int st = conf_wait(child);
	CHECK_EXIT("fork.child_getppid_is_parent", st, 0);
	CHECK("fork.child_pid_differs", child != pid);
	CHECK_EQ("getpid.unchanged_after_fork", getpid(), pid);

	/* A grandchild's parent is the child, not us. */
	child = fork();
	if (child == 0) {
		pid_t mid = getpid();
		pid_t gc = fork();
		if (gc == 0)
			_exit(getppid() == mid ? 0 : 1);
		int s = conf_wait(gc);
		_exit(WIFEXITED(s) ? WEXITSTATUS(s) : 2);
	}
	CHECK_EXIT("fork.grandchild_getppid", conf_wait(child), 0);
	return conf_done();
}
