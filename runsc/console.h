/* process.terminal on the CLI side: the host pseudo-terminal the
 * sandbox's console is bridged to (sentry/fs/tty_console.c).
 *
 * The CLI makes a host pty. Its slave goes to the sentry (boot
 * --console-fd), which puts it in raw mode and runs the terminal's line
 * discipline itself. Its master goes to whoever the user is:
 *  - with --console-socket, to the client, by runc's protocol (one
 *    message on a unix stream socket, the fd in SCM_RIGHTS, its name as
 *    the payload): containerd, Docker and podman resize it and copy it;
 *  - in a foreground `run` without one, to the CLI itself, which copies
 *    it to and from its own stdio with the user's terminal in raw mode,
 *    follows SIGWINCH, and restores the terminal at the end (runc's run).
 * These calls are kept apart from the commands so that create, run and
 * exec share them (runsc/sandbox.c for the container's process,
 * runsc/cmd_exec.c for exec -t). */
#ifndef RUNSC_CONSOLE_H
#define RUNSC_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <termios.h>

struct spec_process;

struct console {
	int master, slave;      /* the host pty; -1 once handed over or closed */
	/* Foreground copying: */
	bool copying;
	pthread_t copier;
	int stop[2];            /* pipe that tells the copier to finish */
	bool raw;               /* the user's terminal is in raw mode */
	struct termios saved;   /* and was like this */
};

#define CONSOLE_INIT { .master = -1, .slave = -1, .stop = { -1, -1 } }

/* runc's sanity rules for --console-socket, with its error texts. detach
 * is true for create and run -d. Returns 0 or -1 (logged). */
int console_check_flags(bool terminal, bool detach, const char *socket_path);
/* Makes the host pty, sized as the process's consoleSize says, else as
 * the user's terminal when size_from_stdin. */
int console_open(struct console *c, const struct spec_process *p, bool size_from_stdin);
/* Sends the master to the client at socket_path and closes our copy. */
int console_send_master(struct console *c, const char *socket_path);
/* The sentry has its copy of the slave: ours must go, so that the master
 * sees the end when the sandbox ends. */
void console_close_slave(struct console *c);
/* Foreground: the user's terminal in raw mode, stdin to the master and
 * the master to stdout, in a thread. */
int console_start_copy(struct console *c);
/* SIGWINCH in the foreground: the user's terminal size to the pty. */
void console_winch(struct console *c);
/* The sandbox ended (or never started): the last output is copied, the
 * user's terminal restored, everything closed. Safe to call always. */
void console_finish(struct console *c);

#endif
