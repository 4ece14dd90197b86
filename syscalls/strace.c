#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/usercopy.h"
#include "syscalls/strace.h"

const char *errno_name(int e)
{
	static const char *const names[] = {
		[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR",
		[EIO] = "EIO", [ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC",
		[EBADF] = "EBADF", [ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY", [EEXIST] = "EEXIST",
		[EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR",
		[EINVAL] = "EINVAL", [ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",
		[EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE", [EROFS] = "EROFS",
		[EMLINK] = "EMLINK", [EPIPE] = "EPIPE", [ERANGE] = "ERANGE", [ENAMETOOLONG] = "ENAMETOOLONG",
		[ENOSYS] = "ENOSYS", [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP",
		[ETIMEDOUT] = "ETIMEDOUT", [EOPNOTSUPP] = "EOPNOTSUPP",
	};
	if (e > 0 && e < (int)ARRAY_SIZE(names) && names[e])
		return names[e];
	/* The rest of the host's errno names (ENOTSOCK, ENODATA,
	 * ECONNREFUSED...), which are Linux's. */
	if (e > 0 && e < 512 && strerrorname_np(e))
		return strerrorname_np(e);
	switch (e) {
	case 512: return "ERESTARTSYS";
	case 513: return "ERESTARTNOINTR";
	case 514: return "ERESTARTNOHAND";
	case 516: return "ERESTART_RESTARTBLOCK";
	}
	return NULL;
}

static void fmt_string(struct task *t, uint64_t addr, char *out, size_t outsz)
{
	char buf[64];
	long n = strncpy_from_user(t, buf, addr, sizeof(buf));
	if (n == -EFAULT) {
		snprintf(out, outsz, "%#lx", (unsigned long)addr);
		return;
	}
	size_t len = n < 0 ? sizeof(buf) : (size_t)n;
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < len && o + 5 < outsz; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, outsz - o, "\\%c", c);
		else if (isprint(c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
	}
	snprintf(out + o, outsz - o, "\"%s", n < 0 ? "..." : "");
}

static void fmt_buffer(struct task *t, uint64_t addr, uint64_t len, char *out, size_t outsz)
{
	unsigned char buf[32];
	size_t n = MIN(len, sizeof(buf));
	if (copy_from_user(t, buf, addr, n) < 0) {
		snprintf(out, outsz, "%#lx", (unsigned long)addr);
		return;
	}
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < n && o + 5 < outsz; i++) {
		if (buf[i] == '\n')
			o += (size_t)snprintf(out + o, outsz - o, "\\n");
		else if (isprint(buf[i]) && buf[i] != '"')
			out[o++] = (char)buf[i];
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", buf[i]);
	}
	snprintf(out + o, outsz - o, "\"%s", len > n ? "..." : "");
}

static void fmt_oflags(uint64_t v, char *out, size_t outsz)
{
	static const struct { int flag; const char *name; } fl[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
		{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" }, { O_CLOEXEC, "O_CLOEXEC" },
		{ O_PATH, "O_PATH" },
	};
	const char *acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	size_t o = (size_t)snprintf(out, outsz, "%s", acc[v & O_ACCMODE]);
	for (size_t i = 0; i < ARRAY_SIZE(fl); i++)
		if ((v & (uint64_t)fl[i].flag) == (uint64_t)fl[i].flag && o < outsz)
			o += (size_t)snprintf(out + o, outsz - o, "|%s", fl[i].name);
}

void strace_log(struct task *t, const struct syscall_def *d, const struct syscall_args *a, long r)
{
	char line[1024];
	size_t o = (size_t)snprintf(line, sizeof(line), "[%d] %s(", t->tid, d->name);
	const char *f = d->fmt ? d->fmt : "";
	for (int i = 0; f[i] && i < 6 && o < sizeof(line); i++) {
		char arg[256];
		uint64_t v = a->a[i];
		switch (f[i]) {
		case 'd': snprintf(arg, sizeof(arg), "%d", (int)v); break;
		case 'u': snprintf(arg, sizeof(arg), "%u", (unsigned)v); break;
		case 'l': snprintf(arg, sizeof(arg), "%ld", (long)v); break;
		case 'm': snprintf(arg, sizeof(arg), "%#o", (unsigned)v); break;
		case 'f':
			if ((int)v == AT_FDCWD)
				snprintf(arg, sizeof(arg), "AT_FDCWD");
			else
				snprintf(arg, sizeof(arg), "%d", (int)v);
			break;
		case 's': fmt_string(t, v, arg, sizeof(arg)); break;
		case 'b': fmt_buffer(t, v, i < 5 ? a->a[i + 1] : 0, arg, sizeof(arg)); break;
		case 'o': fmt_oflags(v, arg, sizeof(arg)); break;
		default: snprintf(arg, sizeof(arg), "%#lx", (unsigned long)v); break;
		}
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s", i ? ", " : "", arg);
	}
	if (o >= sizeof(line))
		o = sizeof(line) - 1;
	if (r < 0 && r > -4096) {
		const char *en = errno_name((int)-r);
		snprintf(line + o, sizeof(line) - o, ") = -1 %s", en ? en : "?");
	} else {
		snprintf(line + o, sizeof(line) - o, ") = %ld", r);
	}
	log_debug_raw("%s", line);
}
