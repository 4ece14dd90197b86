/* Creating a sandbox process from an OCI process object: the container's
 * init at boot, and every `exec` through the control socket. */
#ifndef SENTRY_SPAWN_H
#define SENTRY_SPAWN_H

#include "runsc/spec.h"
#include "sentry/kernel.h"

struct tty_console;

struct spawn_args {
	const struct spec_process *proc;
	/* Host fds installed as the process's fds 0..nfds-1 (the sentry
	 * keeps its own duplicates; -1 leaves that number closed). */
	const int *fds;
	int nfds;
	/* process.terminal: fds 0-2 are this console's slave (fds[0..2]
	 * are ignored) and it becomes the process's controlling terminal. */
	struct tty_console *console;
	/* Without a console: a host terminal among fds 0-2 becomes the
	 * controlling terminal (the container's init, as the user's shell
	 * has it). Exec'd processes do not get one, as runc's setsid'd ones. */
	bool adopt_stdio_tty;
};

/* Builds a new process with no parent (pid 1 if it is the first), its own
 * session and process group, the process's credentials, rlimits, cwd and
 * environment, and loads args[0] (looked up along the process's PATH as
 * runc does). The task is not made runnable. On failure nothing is left
 * and *err gets a message in runc's words (e.g. `exec: "x": executable
 * file not found in $PATH`); the result is -errno (-ENOENT/-ENOTDIR when
 * the executable does not exist). */
int spawn_process(const struct spawn_args *a, struct task **out, char **err);

/* Discards a spawned task that never ran (its process disappears). */
void spawn_discard(struct task *t);

#endif
