/* Confinement and crash handling for the sentry process. */
#ifndef SENTRY_BOOT_H
#define SENTRY_BOOT_H

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

#endif
