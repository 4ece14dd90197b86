/* Logging for every process of a sandbox.
 *
 * Three sinks, as runc/runsc have them:
 *  - the user log (--log FILE, --log-format text|json): errors and, with
 *    --debug, debug lines; json is one {"level","msg","time"} object a line,
 *    which containerd/Docker parse to report the last error;
 *  - stderr: errors are always printed there too (unless stderr is the log);
 *  - the debug log (--debug-log FILE): everything, including --strace output.
 * The sentry and gofer inherit the sinks as open fds from the CLI. */
#ifndef SANDBOXRUN_LOG_H
#define SANDBOXRUN_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct log_config {
	int log_fd;        /* --log, -1 for none */
	bool log_json;     /* --log-format json */
	bool debug;        /* --debug: debug level goes to the user log too */
	int debug_fd;      /* --debug-log, -1 for none */
	bool stderr_errors;/* print errors to stderr as well */
	const char *component; /* "runsc", "sentry", "gofer": prefixed in text */
};

void log_setup(const struct log_config *cfg);
const struct log_config *log_get_config(void);
void log_set_component(const char *name);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* True when something reads debug output (debug log open): lets hot paths
 * skip formatting. */
bool log_debug_enabled(void);

/* Writes one raw line to the debug log only (used by --strace). */
void log_debug_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log a message once per call site key (e.g. unsupported syscall number). */
void log_once(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The sentry and gofer are re-executed by the CLI; the sinks cross exec as
 * inherited fds named in the environment (_SANDBOXRUN_LOG_FD,
 * _SANDBOXRUN_LOG_JSON, _SANDBOXRUN_DEBUG, _SANDBOXRUN_DEBUG_FD). The CLI
 * calls log_export_env() before exec (it clears O_CLOEXEC on those fds); the
 * child calls log_setup_from_env() first thing. */
int log_export_env(void);
void log_setup_from_env(const char *component);

#endif
