/* The CLI verbs, one file each (runsc/cmd_<verb>.c), as crun has them. */
#ifndef RUNSC_CMD_H
#define RUNSC_CMD_H

#include <stdbool.h>

#ifndef SANDBOXRUN_COMMIT
#define SANDBOXRUN_COMMIT "unknown"
#endif
#define SANDBOXRUN_VERSION "0.1.0"
#define OCI_SPEC_VERSION "1.0.2-dev"

struct global_opts {
	const char *root;        /* --root, default /run/sandboxrun */
	const char *log;         /* --log */
	bool log_json;           /* --log-format json */
	bool debug;              /* --debug */
	const char *debug_log;   /* --debug-log */
	bool strace;             /* --strace */
	const char *platform;    /* --platform, default ptrace */
	bool systemd_cgroup;     /* --systemd-cgroup */
	const char *rootless;    /* --rootless true|false|auto */
	const char *overlay;     /* --overlay: "memory" (default) or "none" */
};

int cmd_spec(struct global_opts *g, int argc, char **argv);
int cmd_run(struct global_opts *g, int argc, char **argv);
int cmd_create(struct global_opts *g, int argc, char **argv);
int cmd_start(struct global_opts *g, int argc, char **argv);
int cmd_state(struct global_opts *g, int argc, char **argv);
int cmd_list(struct global_opts *g, int argc, char **argv);
int cmd_ps(struct global_opts *g, int argc, char **argv);
int cmd_exec(struct global_opts *g, int argc, char **argv);
int cmd_kill(struct global_opts *g, int argc, char **argv);
int cmd_delete(struct global_opts *g, int argc, char **argv);
int cmd_events(struct global_opts *g, int argc, char **argv);
int cmd_pause(struct global_opts *g, int argc, char **argv);
int cmd_resume(struct global_opts *g, int argc, char **argv);
int cmd_update(struct global_opts *g, int argc, char **argv);
int cmd_wait(struct global_opts *g, int argc, char **argv);
int cmd_features(struct global_opts *g, int argc, char **argv);
int cmd_install(struct global_opts *g, int argc, char **argv);
int cmd_uninstall(struct global_opts *g, int argc, char **argv);

/* Internal subcommands, started by re-exec of /proc/self/exe:
 *   sandboxrun gofer --rootfs ABS --sock-fd N [--readonly]
 *   sandboxrun boot --spec-fd N --gofer-fd N [--control-fd N] [--ready-fd N]
 *                   [--commit-fd N] [--state-fd N] [--preserve-fds N] [--hold]
 *                   [--platform NAME] [--strace]
 *                   [--overlay memory|none]
 * Log sinks arrive through the environment (runsc/log.h). The boot process
 * splits into the monitor and the sentry (sentry/boot.h); the sentry keeps
 * fds 0-2 as the workload's stdio, and the monitor exits with init's wait
 * status. */
int gofer_main(int argc, char **argv);
int sentry_main(int argc, char **argv);

#endif
