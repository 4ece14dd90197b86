/* The CLI verbs, one file each (runsc/cmd_<verb>.c), as crun has them. */
#ifndef RUNSC_CMD_H
#define RUNSC_CMD_H

#include <stdbool.h>

struct global_opts {
	const char *root;        /* --root, default /run/sandboxrun */
	const char *log;         /* --log */
	bool log_json;           /* --log-format json */
	bool debug;              /* --debug */
	const char *debug_log;   /* --debug-log */
	bool strace;             /* --strace */
	const char *platform;    /* --platform, default ptrace */
};

int cmd_spec(struct global_opts *g, int argc, char **argv);
int cmd_run(struct global_opts *g, int argc, char **argv);

/* Internal subcommands, started by re-exec of /proc/self/exe:
 *   sandboxrun gofer --rootfs ABS --sock-fd N [--readonly]
 *   sandboxrun boot --spec-fd N --gofer-fd N [--platform NAME] [--strace]
 * Log sinks arrive through the environment (runsc/log.h). The boot process
 * (the sentry) keeps fds 0-2 as the workload's stdio and exits with the
 * workload's status: its exit code, or 128+N if signal N killed it. */
int gofer_main(int argc, char **argv);
int sentry_main(int argc, char **argv);

#endif
