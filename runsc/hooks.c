#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "runsc/hooks.h"
#include "runsc/jsonw.h"
#include "runsc/log.h"
#include "runsc/util.h"
#include "runsc/verb.h"

/* What a failing hook said, in the error message: enough to diagnose. */
#define HOOK_OUTPUT_MAX 4096

struct hook_result {
	int status;        /* wait status */
	bool timed_out;
	int err;           /* exec failed: errno */
	char out[HOOK_OUTPUT_MAX + 1];
	size_t out_len;
};

static void __attribute__((noreturn)) hook_child(const struct spec_hook *h, int in, int out,
						 int errfd)
{
	extern char **environ;
	char *argv0[] = { h->path, NULL };
	char **argv = h->args && h->args[0] ? h->args : argv0;
	sigset_t none;
	int e;

	/* Its own process group: a timeout kills whatever it started too. */
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		goto fail;
	/* Nothing of ours reaches the hook; the error pipe, close-on-exec,
	 * reports only a failed exec. */
	syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(h->path, argv, h->env ? h->env : environ);
fail:
	e = errno;
	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

static void drain(int fd, struct hook_result *res)
{
	char buf[1024];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size_t k = MIN((size_t)n, HOOK_OUTPUT_MAX - res->out_len);

		memcpy(res->out + res->out_len, buf, k);
		res->out_len += k;
	}
}

static int run_one(const struct spec_hook *h, const char *json, size_t len,
		   struct hook_result *res)
{
	_cleanup_close_ int in_r = -1, in_w = -1, out_r = -1, out_w = -1, err_r = -1, err_w = -1;
	_cleanup_close_ int pidfd = -1;
	int p[2], e;
	int64_t deadline = h->timeout > 0 ? now_mono_ns() + (int64_t)h->timeout * 1000000000 : 0;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	in_r = p[0], in_w = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	out_r = p[0], out_w = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	err_r = p[0], err_w = p[1];

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		hook_child(h, in_r, out_w, err_w);
	setpgid(pid, pid);
	close(steal_fd(&in_r));
	close(steal_fd(&out_w));
	close(steal_fd(&err_w));
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (read(err_r, &e, sizeof(e)) == (ssize_t)sizeof(e)) {
		res->err = e;
		while (waitpid(pid, &res->status, 0) < 0 && errno == EINTR)
			;
		return 0;
	}
	/* A hook that does not read its stdin must not block us: the state
	 * is small (one pipe buffer); EPIPE is the hook's business. */
	fcntl(in_w, F_SETFL, O_NONBLOCK);
	/* A hook gone before reading it must not kill us with SIGPIPE. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigaction(SIGPIPE, &ign, &old);
	(void)!write(in_w, json, len);
	sigaction(SIGPIPE, &old, NULL);
	close(steal_fd(&in_w));
	fcntl(out_r, F_SETFL, O_NONBLOCK);

	/* Until the hook exits: its output may stay open in something it
	 * left running, which must not hold us. */
	for (;;) {
		struct pollfd pf[2] = { { .fd = pidfd, .events = POLLIN },
					{ .fd = out_r, .events = POLLIN } };
		int timeout = -1, r;

		if (deadline) {
			int64_t left = deadline - now_mono_ns();

			if (left <= 0) {
				res->timed_out = true;
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				break;
			}
			timeout = (int)((left + 999999) / 1000000);
		}
		r = poll(pf, out_r >= 0 ? 2 : 1, timeout);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0 && (pf[1].revents & (POLLIN | POLLHUP))) {
			drain(out_r, res);
			if (pf[1].revents & POLLHUP && !(pf[1].revents & POLLIN))
				close(steal_fd(&out_r));
		}
		if (r > 0 && (pf[0].revents & POLLIN))
			break;
	}
	while (waitpid(pid, &res->status, 0) < 0 && errno == EINTR)
		;
	if (out_r >= 0)
		drain(out_r, res);
	res->out[res->out_len] = '\0';
	return 0;
}

static char *state_json(const struct container *c, const char *status, size_t *len)
{
	struct jsonw w = JSONW_INIT("");

	container_state_write(&w, c, "", status);
	*len = w.len;
	return w.buf;
}

/* 0 if it succeeded; otherwise logs at lvl and returns -1. */
static int run_hook(const char *kind, size_t i, const struct spec_hook *h, const char *json,
		    size_t len, enum log_level lvl)
{
	struct hook_result *res = xmalloc(sizeof(*res));
	const char *out;
	int r, ret = -1;

	log_debug("running %s hook %zu: %s", kind, i, h->path);
	r = run_one(h, json, len, res);
	/* Trailing newlines make poor error messages. */
	while (res->out_len && res->out[res->out_len - 1] == '\n')
		res->out[--res->out_len] = '\0';
	out = res->out_len ? res->out : "";
#define HOOK_FAIL(fmt, ...)                                                             \
	log_msg(lvl, "%s hook #%zu (%s): " fmt "%s%s", kind, i, h->path, ##__VA_ARGS__, \
		*out ? ": " : "", out)
	if (r < 0)
		HOOK_FAIL("cannot run it: %s", strerror(-r));
	else if (res->err)
		HOOK_FAIL("exec: %s", strerror(res->err));
	else if (res->timed_out)
		HOOK_FAIL("timed out after %d s (killed)", h->timeout);
	else if (WIFSIGNALED(res->status))
		HOOK_FAIL("killed by signal %d", WTERMSIG(res->status));
	else if (WEXITSTATUS(res->status))
		HOOK_FAIL("exited with status %d", WEXITSTATUS(res->status));
	else
		ret = 0;
#undef HOOK_FAIL
	free(res);
	return ret;
}

int hooks_run(const char *kind, const struct spec_hook *hooks, size_t n,
	      const struct container *c, const char *status)
{
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (!n)
		return 0;
	json = state_json(c, status, &len);
	for (size_t i = 0; i < n; i++)
		if (run_hook(kind, i, &hooks[i], json, len, LOG_ERROR) < 0)
			return -1;
	return 0;
}

void hooks_run_warn(const char *kind, const struct spec_hook *hooks, size_t n,
		    const struct container *c, const char *status)
{
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (!n)
		return;
	json = state_json(c, status, &len);
	for (size_t i = 0; i < n; i++)
		run_hook(kind, i, &hooks[i], json, len, LOG_WARN);
}

struct spec *hooks_saved_spec(const struct container *c)
{
	_cleanup_free_ char *path = NULL, *err = NULL;
	_cleanup_close_ int fd = -1;
	struct spec *s = NULL;

	if (asprintf(&path, "%s/config.json", c->dir) < 0)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_warn("hooks: %s: %s", path, strerror(errno));
		return NULL;
	}
	if (spec_load_fd(fd, &s, &err) < 0) {
		log_warn("hooks: %s: %s", path, err ? err : "cannot parse");
		return NULL;
	}
	return s;
}

void hooks_poststop(const struct container *c)
{
	struct spec *s = hooks_saved_spec(c);

	if (!s)
		return;
	hooks_run_warn("poststop", s->hooks.poststop, s->hooks.n_poststop, c, "stopped");
	spec_free(s);
}
