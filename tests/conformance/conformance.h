/* Tiny check harness for the conformance programs.
 *
 * Each program runs natively and inside the sandbox, and tests/conformance/
 * run.sh compares the two outputs byte for byte. So everything printed must
 * be deterministic: check names, expected values and errno names only —
 * never pids, addresses, times or host-specific contents. A failing check
 * may print what it got (a failure is a failure either way).
 *
 * Output goes straight to fd 1 with one write per line, so nothing sits in a
 * stdio buffer across fork/exec. Children report through their exit status
 * and the parent checks it; only the parent prints.
 *
 * Include this first: it defines _GNU_SOURCE. */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

static int conf_passed, conf_failed;

static void __attribute__((format(printf, 1, 2))) conf_print(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (int off = 0; off < n;) {
		ssize_t w = write(1, buf + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += w;
	}
}

static inline const char *conf_errname(int e)
{
	if (e == 0)
		return "0";
	const char *s = strerrorname_np(e);
	return s ? s : "E?";
}

static inline void conf_pass(const char *name)
{
	conf_passed++;
	conf_print("PASS %s\n", name);
}

#define FAIL(name, fmt, ...)                                               \
	do {                                                               \
		conf_failed++;                                             \
		conf_print("FAIL %s: " fmt "\n", (name), ##__VA_ARGS__);   \
	} while (0)

#define PASS(name) conf_pass(name)

/* CHECK(name, cond): cond must hold. */
#define CHECK(name, cond)                                                  \
	do {                                                               \
		if (cond)                                                  \
			conf_pass(name);                                   \
		else                                                       \
			FAIL(name, "expected %s got false", #cond);        \
	} while (0)

/* CHECK_EQ(name, got, expected): integer equality. */
#define CHECK_EQ(name, got, expected)                                      \
	do {                                                               \
		long long _g = (long long)(got), _x = (long long)(expected); \
		if (_g == _x)                                              \
			conf_pass(name);                                   \
		else                                                       \
			FAIL(name, "expected %lld got %lld", _x, _g);      \
	} while (0)

/* CHECK_OK(name, call): call returns >= 0 (not -1). */
#define CHECK_OK(name, call)                                               \
	do {                                                               \
		errno = 0;                                                 \
		long long _r = (long long)(call);                          \
		int _e = errno;                                            \
		if (_r >= 0)                                               \
			conf_pass(name);                                   \
		else                                                       \
			FAIL(name, "expected success got %lld (%s)", _r,   \
			     conf_errname(_e));                            \
	} while (0)

/* CHECK_ERR(name, call, E): call returns -1 with errno E. */
#define CHECK_ERR(name, call, err)                                         \
	do {                                                               \
		errno = 0;                                                 \
		long long _r = (long long)(call);                          \
		int _e = errno;                                            \
		if (_r == -1 && _e == (err))                               \
			conf_pass(name);                                   \
		else                                                       \
			FAIL(name, "expected -1 (%s) got %lld (%s)",       \
			     conf_errname(err), _r,                        \
			     _r == -1 ? conf_errname(_e) : "0");           \
	} while (0)

#define CHECK_STR(name, got, expected)                                     \
	do {                                                               \
		const char *_g = (got), *_x = (expected);                  \
		if (_g && strcmp(_g, _x) == 0)                             \
			conf_pass(name);                                   \
		else                                                       \
			FAIL(name, "expected \"%s\" got \"%s\"", _x,       \
			     _g ? _g : "(null)");                          \
	} while (0)

/* Describes a wait status deterministically. */
static inline const char *conf_status_str(int st, char *buf, size_t len)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "signal %s", sigabbrev_np(WTERMSIG(st)) ?
			 sigabbrev_np(WTERMSIG(st)) : "?");
	else if (WIFSTOPPED(st))
		snprintf(buf, len, "stopped %d", WSTOPSIG(st));
	else
		snprintf(buf, len, "status 0x%x", st);
	return buf;
}

/* CHECK_EXIT(name, status, code): child exited normally with code. */
#define CHECK_EXIT(name, status, code)                                     \
	do {                                                               \
		int _s = (status);                                         \
		char _b[64];                                               \
		if (WIFEXITED(_s) && WEXITSTATUS(_s) == (code))            \
			conf_pass(name);                                   \
		else                                                       \
			FAIL(name, "expected exit %d got %s", (code),      \
			     conf_status_str(_s, _b, sizeof(_b)));         \
	} while (0)

/* CHECK_KILLED(name, status, sig): child was killed by sig. */
#define CHECK_KILLED(name, status, sig)                                    \
	do {                                                               \
		int _s = (status);                                         \
		char _b[64];                                               \
		if (WIFSIGNALED(_s) && WTERMSIG(_s) == (sig))              \
			conf_pass(name);                                   \
		else                                                       \
			FAIL(name, "expected signal %s got %s",            \
			     sigabbrev_np(sig),                            \
			     conf_status_str(_s, _b, sizeof(_b)));         \
	} while (0)

/* Waits for pid, retrying on EINTR; returns the status or -1. */
static inline int conf_wait(pid_t pid)
{
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, 0);
		if (r == pid)
			return st;
		if (r < 0 && errno == EINTR)
			continue;
		return -1;
	}
}

static inline void conf_msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static inline int64_t conf_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Writes/reads exactly len bytes (pipes may split). */
static inline ssize_t conf_write_all(int fd, const void *buf, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, (const char *)buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -1 : (ssize_t)off;
		off += w;
	}
	return off;
}

static inline ssize_t conf_read_all(int fd, void *buf, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t r = read(fd, (char *)buf + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		off += r;
	}
	return off;
}

/* Hermetic start: whatever the harness left ignored or blocked (SIGPIPE,
 * SIGTERM...) goes back to the defaults, as in a fresh container. A test
 * that checks what execve keeps sets CONF_KEEP_SIGNALS in the new image. */
static void __attribute__((constructor)) conf_reset_signals(void)
{
	if (getenv("CONF_KEEP_SIGNALS"))
		return;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP)
			continue;
		signal(s, SIG_DFL);
	}
}

/* Prints the totals; returns the process exit status (0 iff all passed). */
static inline int conf_done(void)
{
	conf_print("%d passed, %d failed\n", conf_passed, conf_failed);
	return conf_failed == 0 && conf_passed > 0 ? 0 : 1;
}

#endif
