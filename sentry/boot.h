/* Confinement and crash handling for the sentry process. */
#ifndef SENTRY_BOOT_H
#define SENTRY_BOOT_H

#include <signal.h>

/* Private mount namespace whose root is an empty read-only tmpfs: after
 * this the sentry has no host paths at all. */
int sentry_pivot_to_empty_root(void);
/* Drops every capability and sets no_new_privs. */
int sentry_drop_privileges(void);
/* Installs the sentry's seccomp allowlist (docs/security.md). */
int sentry_install_seccomp(void);
/* SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT in the sentry: log a libunwind
 * backtrace and exit with 128+sig so the caller never hangs. */
void sentry_install_crash_handler(void);
/* Writes the current backtrace to the log (debug --stacks, crashes). */
void sentry_log_backtrace(const char *why);

/* The signals that reach the container's init from outside (the CLI of a
 * foreground run forwards them, and so does the monitor when they are sent
 * to the pid-file pid): runc's set, plus every real-time signal. */
void sandbox_forwarded_sigset(sigset_t *set);

struct monitor_args {
	int commit_fd;     /* EOF before a 'C' byte: the creating CLI died */
	int state_fd;      /* the state directory, for the exit file; -1 none */
	bool keep_netns;   /* the CLI joined a network namespace for us (linux.namespaces path) */
};

/* The boot process splits in two: the monitor, which stays in the host's
 * pid namespace (its pid is the container's pid for clients), and the
 * sentry, cloned as pid 1 of new pid/ipc/uts/net/mount namespaces and
 * killed if the monitor dies. Returns in the sentry with the write end of
 * the status pipe (sentry_report_status); never returns in the monitor,
 * which forwards signals to the sentry, waits for it, writes STATE/exit and
 * exits with the container's wait status (dying of the same signal when
 * init was killed by one). */
int sentry_monitor_split(const struct monitor_args *ma);
/* In the sentry: hands init's wait status to the monitor. */
void sentry_report_status(int status_fd, int wait_status);

#endif
