/* Creating a container's sandbox on the host (create, run):
 *
 *   CLI ─┬─ gofer    own session; pivot_roots into the rootfs; exits when
 *        │           the sentry closes its end of the gofer socket
 *        └─ monitor  `sandboxrun boot`, own session; the container's pid
 *             └─ sentry  pid 1 of new namespaces; dies with the monitor
 *
 * sandbox_create does everything up to a container that is ready and
 * recorded: state directory, control socket, gofer, monitor and sentry
 * (init loaded, held for `start` when hold is set), state.json and the pid
 * file. Until sandbox_commit the monitor kills the sandbox if this process
 * dies, so an interrupted create leaves no sandbox running.
 *
 * With process.terminal it also makes the host pty (runsc/console.h) and
 * sends its master to --console-socket, as runc does, before returning;
 * runc's rules apply: detached (create, run -d) a terminal needs a
 * socket, and a socket needs a terminal. */
#ifndef RUNSC_SANDBOX_H
#define RUNSC_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "runsc/cmd.h"
#include "runsc/console.h"
#include "runsc/state.h"

struct create_opts {
	const char *id;
	const char *bundle;          /* as given */
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	bool hold;                   /* create (init waits for start) vs run */
	bool foreground;             /* run without -d: children die with us */
};

struct sandbox {
	struct container *c;         /* locked */
	pid_t monitor, gofer;        /* our children until we exit */
	int commit_fd;
	/* process.terminal: the host pty. Its slave went to the sentry
	 * (--console-fd) and its master to --console-socket; a foreground
	 * run without one keeps the master here, to copy. */
	struct console console;
};

/* On failure everything started is gone again and *exit_code is what
 * `run` should exit with (the sandbox's own status when it failed to start
 * the workload, e.g. 127 for a missing executable; 1 otherwise). */
int sandbox_create(struct global_opts *g, const struct create_opts *o, struct sandbox *sb,
		   int *exit_code);
/* The creating command is done: the sandbox now lives on its own. */
void sandbox_commit(struct sandbox *sb);

/* Options every verb parses the same way; returns 1 if argv[*i] was one of
 * them (-1 on a bad value). */
int parse_preserve_fds(int argc, char **argv, int *i, int *out);

/* Exit code for a wait status, as a shell reports it (128+N for signal N). */
int exit_code_of_status(int ws);

#endif
