#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "runsc/util.h"

static void __attribute__((noreturn)) oom(size_t n)
{
	/* No logging here: the logger itself allocates. */
	static const char msg[] = "sandboxrun: out of memory\n";
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom(strlen(s) + 1);
	return p;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_all_fd(int fd, char **out, size_t *len)
{
	size_t cap = 4096, used = 0;
	_cleanup_free_ char *buf = xmalloc(cap);

	for (;;) {
		ssize_t n;

		if (cap - used < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = steal_pointer(&buf);
	return 0;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t now_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int64_t now_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

void exit_like_status(int ws)
{
	if (WIFSIGNALED(ws)) {
		int sig = WTERMSIG(ws);
		struct rlimit zero = { 0, 0 };
		sigset_t set;

		prctl(PR_SET_DUMPABLE, 0);
		setrlimit(RLIMIT_CORE, &zero);
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		_exit(128 + sig);
	}
	_exit(WIFEXITED(ws) ? WEXITSTATUS(ws) : 1);
}
