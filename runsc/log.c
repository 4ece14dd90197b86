/* The three log sinks of runsc/log.h. Every line is formatted into one
 * buffer and written with a single write(2) on an O_APPEND fd, so lines of
 * the CLI, the gofer and the sentry sharing a file never interleave. */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"

static struct log_config cfg = {
	.log_fd = -1,
	.debug_fd = -1,
	.stderr_errors = true,
	.component = "runsc",
};
/* --log points at our stderr: don't print errors twice. */
static bool log_is_stderr;

struct strbuf {
	char *buf;
	size_t len, cap;
};

static void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	while (sb->len + extra + 1 > sb->cap)
		sb->cap = sb->cap ? sb->cap * 2 : 256;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

static void sb_putc(struct strbuf *sb, char c)
{
	sb_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

static void sb_puts(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);

	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n + 1);
	sb->len += n;
}

static void __attribute__((format(printf, 2, 3))) sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s, 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* A JSON string as Go's encoding/json writes it (logrus uses it): HTML
 * characters escaped, invalid UTF-8 replaced by U+FFFD. */
static void sb_json_string(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	sb_putc(sb, '"');
	while (*p) {
		unsigned char c = *p;
		size_t n;

		switch (c) {
		case '"':
			sb_puts(sb, "\\\"");
			p++;
			continue;
		case '\\':
			sb_puts(sb, "\\\\");
			p++;
			continue;
		case '\n':
			sb_puts(sb, "\\n");
			p++;
			continue;
		case '\r':
			sb_puts(sb, "\\r");
			p++;
			continue;
		case '\t':
			sb_puts(sb, "\\t");
			p++;
			continue;
		case '<':
		case '>':
		case '&':
			sb_printf(sb, "\\u%04x", c);
			p++;
			continue;
		}
		if (c < 0x20) {
			sb_printf(sb, "\\u%04x", c);
			p++;
			continue;
		}
		n = utf8_seq_len(p);
		if (n == 0) {
			sb_puts(sb, "\\ufffd");
			p++;
			continue;
		}
		/* U+2028 and U+2029 break JavaScript parsers; Go escapes them. */
		if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			sb_printf(sb, "\\u%04x", p[2] == 0xa8 ? 0x2028 : 0x2029);
			p += 3;
			continue;
		}
		sb_grow(sb, n);
		memcpy(sb->buf + sb->len, p, n);
		sb->len += n;
		sb->buf[sb->len] = '\0';
		p += n;
	}
	sb_putc(sb, '"');
}

/* logrus' text formatter quotes a value (Go %q) only when it holds
 * characters outside this set. */
static bool text_needs_quoting(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("-._/@^+", c)))
			return true;
	}
	return false;
}

static void sb_text_value(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!text_needs_quoting(s)) {
		sb_puts(sb, s);
		return;
	}
	sb_putc(sb, '"');
	for (; *p; p++) {
		switch (*p) {
		case '"':
			sb_puts(sb, "\\\"");
			break;
		case '\\':
			sb_puts(sb, "\\\\");
			break;
		case '\n':
			sb_puts(sb, "\\n");
			break;
		case '\r':
			sb_puts(sb, "\\r");
			break;
		case '\t':
			sb_puts(sb, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sb_printf(sb, "\\x%02x", *p);
			else
				sb_putc(sb, (char)*p);
		}
	}
	sb_putc(sb, '"');
}

static const char *level_name(enum log_level lvl)
{
	switch (lvl) {
	case LOG_ERROR:
		return "error";
	case LOG_WARN:
		return "warning";
	case LOG_INFO:
		return "info";
	case LOG_DEBUG:
		return "debug";
	}
	return "info";
}

static void rfc3339_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void write_line(int fd, struct strbuf *sb)
{
	if (!sb->len || sb->buf[sb->len - 1] != '\n')
		sb_putc(sb, '\n');
	/* Nowhere to report a failing log sink. */
	(void)write_all(fd, sb->buf, sb->len);
}

static void write_user_log(enum log_level lvl, const char *msg)
{
	struct strbuf sb = { 0 };
	char ts[64];

	rfc3339_now(ts, sizeof(ts));
	if (cfg.log_json) {
		sb_puts(&sb, "{\"level\":");
		sb_json_string(&sb, level_name(lvl));
		sb_puts(&sb, ",\"msg\":");
		sb_json_string(&sb, msg);
		sb_puts(&sb, ",\"time\":");
		sb_json_string(&sb, ts);
		sb_putc(&sb, '}');
	} else {
		sb_puts(&sb, "time=");
		sb_text_value(&sb, ts);
		sb_puts(&sb, " level=");
		sb_puts(&sb, level_name(lvl));
		sb_puts(&sb, " msg=");
		sb_text_value(&sb, msg);
	}
	write_line(cfg.log_fd, &sb);
	free(sb.buf);
}

/* glog style, as runsc's debug logs: "I1122 11:00:00.123456 pid comp] msg". */
static void write_debug_log(enum log_level lvl, const char *msg)
{
	static const char letters[] = { 'E', 'W', 'I', 'D' };
	struct strbuf sb = { 0 };
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	sb_printf(&sb, "%c%02d%02d %02d:%02d:%02d.%06ld %7d %s] %s",
		  letters[lvl], tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		  tm.tm_sec, ts.tv_nsec / 1000, (int)getpid(),
		  cfg.component ? cfg.component : "runsc", msg);
	write_line(cfg.debug_fd, &sb);
	free(sb.buf);
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	if (a < 0 || b < 0 || fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void log_setup(const struct log_config *c)
{
	/* glibc loads the zone file on the first time conversion, even for
	 * gmtime_r; do it now, before the sentry's seccomp forbids openat. */
	tzset();
	cfg = *c;
	if (!cfg.component)
		cfg.component = "runsc";
	log_is_stderr = same_file(cfg.log_fd, STDERR_FILENO);
}

const struct log_config *log_get_config(void)
{
	return &cfg;
}

void log_set_component(const char *name)
{
	cfg.component = name;
}

bool log_debug_enabled(void)
{
	return cfg.debug_fd >= 0 || (cfg.debug && cfg.log_fd >= 0);
}

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	int saved = errno;
	_cleanup_free_ char *msg = NULL;
	size_t n;

	if (lvl > LOG_DEBUG)
		lvl = LOG_DEBUG;
	if (lvl == LOG_DEBUG && !log_debug_enabled())
		goto out;
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		goto out;
	}
	/* One message, one line: callers sometimes pass strerror-ish text
	 * ending in a newline. */
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';

	if (cfg.log_fd >= 0 && (lvl != LOG_DEBUG || cfg.debug))
		write_user_log(lvl, msg);
	if (cfg.debug_fd >= 0 && cfg.debug_fd != cfg.log_fd)
		write_debug_log(lvl, msg);
	if (lvl == LOG_ERROR && cfg.stderr_errors && !log_is_stderr) {
		struct strbuf sb = { 0 };

		sb_printf(&sb, "sandboxrun: %s", msg);
		write_line(STDERR_FILENO, &sb);
		free(sb.buf);
	}
out:
	errno = saved;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

void log_debug_raw(const char *fmt, ...)
{
	int saved = errno;
	struct strbuf sb = { 0 };
	va_list ap;
	int n;

	if (cfg.debug_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		sb_grow(&sb, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(sb.buf, (size_t)n + 1, fmt, ap);
		va_end(ap);
		sb.len = (size_t)n;
		write_line(cfg.debug_fd, &sb);
	}
	free(sb.buf);
	errno = saved;
}

/* log_once: an open-addressing set of key hashes. A 64-bit hash collision
 * would only suppress one message, so keys themselves are not stored. Once
 * full, further new keys are suppressed rather than flooding the log. */
#define ONCE_SLOTS 4096
static uint64_t once_set[ONCE_SLOTS];
static size_t once_used;

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h ? h : 1; /* 0 marks an empty slot */
}

/* True if key was not seen before (and records it). */
static bool once_insert(const char *key)
{
	uint64_t h = fnv1a(key);
	size_t i = h % ONCE_SLOTS;

	for (;;) {
		if (once_set[i] == h)
			return false;
		if (!once_set[i])
			break;
		i = (i + 1) % ONCE_SLOTS;
	}
	if (once_used >= ONCE_SLOTS * 3 / 4)
		return false;
	once_set[i] = h;
	once_used++;
	return true;
}

void log_once(const char *key, const char *fmt, ...)
{
	va_list ap;

	if (!once_insert(key))
		return;
	va_start(ap, fmt);
	log_vmsg(LOG_WARN, fmt, ap);
	va_end(ap);
}

static int clear_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0 || fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static int export_fd(const char *name, int fd)
{
	char buf[16];
	int r;

	if (fd < 0)
		return unsetenv(name) < 0 ? -errno : 0;
	r = clear_cloexec(fd);
	if (r < 0)
		return r;
	snprintf(buf, sizeof(buf), "%d", fd);
	return setenv(name, buf, 1) < 0 ? -errno : 0;
}

int log_export_env(void)
{
	int r;

	r = export_fd("_SANDBOXRUN_LOG_FD", cfg.log_fd);
	if (r < 0)
		return r;
	r = export_fd("_SANDBOXRUN_DEBUG_FD", cfg.debug_fd);
	if (r < 0)
		return r;
	if (setenv("_SANDBOXRUN_LOG_JSON", cfg.log_json ? "1" : "0", 1) < 0 ||
	    setenv("_SANDBOXRUN_DEBUG", cfg.debug ? "1" : "0", 1) < 0)
		return -errno;
	return 0;
}

static int env_fd(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long fd;
	int fl;

	if (!v || !*v)
		return -1;
	errno = 0;
	fd = strtol(v, &end, 10);
	if (errno || *end || fd < 0 || fd > 1 << 20)
		return -1;
	/* Don't hand the fds on to whatever this process starts. */
	fl = fcntl((int)fd, F_GETFD);
	if (fl < 0)
		return -1;
	fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
	return (int)fd;
}

static bool env_bool(const char *name)
{
	const char *v = getenv(name);

	return v && !strcmp(v, "1");
}

void log_setup_from_env(const char *component)
{
	struct log_config c = {
		.log_fd = env_fd("_SANDBOXRUN_LOG_FD"),
		.log_json = env_bool("_SANDBOXRUN_LOG_JSON"),
		.debug = env_bool("_SANDBOXRUN_DEBUG"),
		.debug_fd = env_fd("_SANDBOXRUN_DEBUG_FD"),
		.stderr_errors = true,
		.component = component,
	};

	/* The variables stay set: calling this twice (main and the verb)
	 * must give the same sinks. */
	log_setup(&c);
}
