/* `sandboxrun run`: create + start, then (without -d) wait.
 *
 * Detached (-d) it returns once the container runs, as runc run -d. In the
 * foreground it forwards signals to the container's monitor (which hands
 * them to init), waits for the sandbox, removes the container and exits
 * with the workload's status (128+N for signal N). Nothing outlives a
 * foreground run: the gofer and the monitor die with it (PDEATHSIG), and
 * the sentry dies with the monitor.
 *
 * With process.terminal and no --console-socket, the foreground run is
 * the terminal's client, as runc's: it puts the user's terminal in raw
 * mode and copies it to and from the host pty (runsc/console.h), and a
 * SIGWINCH resizes that pty before it goes on to the sandbox. */
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "runsc/cmd.h"
#include "runsc/cgroup.h"
#include "runsc/hooks.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/sandbox.h"
#include "runsc/util.h"
#include "sentry/boot.h"

struct run_args {
	struct create_opts co;
	bool detach;
};

static int parse_args(int argc, char **argv, struct run_args *a)
{
	const char *v;
	int i, r;

	a->co.bundle = ".";
	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if ((r = opt_match(argc, argv, &i, "bundle", "b", &a->co.bundle)) ||
		    (r = opt_match(argc, argv, &i, "pid-file", NULL, &a->co.pid_file)) ||
		    (r = opt_match(argc, argv, &i, "console-socket", NULL, &a->co.console_socket)) ||
		    (r = parse_preserve_fds(argc, argv, &i, &a->co.preserve_fds))) {
			if (r < 0)
				return -1;
		} else if ((r = opt_match(argc, argv, &i, "detach", "d", NULL))) {
			if (r < 0)
				return -1;
			a->detach = true;
		} else if ((r = opt_match(argc, argv, &i, "no-pivot", NULL, NULL)) ||
			   (r = opt_match(argc, argv, &i, "no-new-keyring", NULL, NULL)) ||
			   (r = opt_match(argc, argv, &i, "no-subreaper", NULL, NULL))) {
			/* Meaningless here: the workload never sees the host's
			 * mounts or keyrings, and the monitor reaps the sandbox. */
			if (r < 0)
				return -1;
		} else if ((r = opt_match(argc, argv, &i, "keep", NULL, NULL))) {
			if (r < 0)
				return -1;
			log_error("run: --keep is not supported");
			return -1;
		} else if ((r = opt_match(argc, argv, &i, "notify-socket", NULL, &v))) {
			if (r < 0)
				return -1;
		} else {
			log_error("run: unknown option %s", argv[i]);
			return -1;
		}
	}
	if (argc - i != 1) {
		log_error("run: expected exactly one argument, the container id "
			  "(usage: sandboxrun run [-d] [--bundle DIR] [--pid-file FILE] ID)");
		return -1;
	}
	a->co.id = argv[i];
	return 0;
}

static int setup_signals(sigset_t *set)
{
	int fd;

	sandbox_forwarded_sigset(set);
	sigaddset(set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, set, NULL) < 0) {
		log_error("sigprocmask: %s", strerror(errno));
		return -1;
	}
	fd = signalfd(-1, set, SFD_CLOEXEC);
	if (fd < 0)
		log_error("signalfd: %s", strerror(errno));
	/* Our own writes to a closed pipe must fail with EPIPE, not kill us
	 * before we clean up. */
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

/* Reaps whatever exited; true once the monitor is gone. */
static bool reap_children(struct sandbox *sb, int *ws)
{
	bool done = false;

	for (;;) {
		siginfo_t si = { 0 };
		int status;
		pid_t pid;

		/* Peek first: while the monitor is an unreaped zombie its pid,
		 * which is also its process group id, cannot be reused, so
		 * killing the group hits only what the sandbox left behind. */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
			break;
		pid = si.si_pid;
		if (pid == sb->monitor)
			kill(-pid, SIGKILL);
		if (waitpid(pid, &status, 0) < 0)
			break;
		if (pid == sb->monitor) {
			*ws = status;
			sb->monitor = -1;
			done = true;
		} else if (pid == sb->gofer) {
			/* A clean exit is the gofer seeing the sentry close its
			 * end while the sandbox shuts down. */
			if (status != 0 && !done)
				log_warn("gofer exited while the sandbox runs (status 0x%x)", status);
			sb->gofer = -1;
		}
	}
	return done;
}

static int wait_foreground(struct sandbox *sb, int sigfd)
{
	int ws = W_EXITCODE(1, 0);

	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sigfd, &si, sizeof(si));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si)) {
			log_error("read signalfd: %s", n < 0 ? strerror(errno) : "short read");
			break;
		}
		if (si.ssi_signo == SIGCHLD) {
			if (reap_children(sb, &ws))
				break;
			continue;
		}
		if (si.ssi_signo == SIGWINCH)
			console_winch(&sb->console);
		log_debug("forwarding signal %u to the sandbox", si.ssi_signo);
		if (kill(sb->monitor, (int)si.ssi_signo) < 0 && errno != ESRCH)
			log_warn("forward signal %u: %s", si.ssi_signo, strerror(errno));
	}
	return ws;
}

static void reap(pid_t *pid)
{
	int st;

	if (*pid <= 0)
		return;
	kill(-*pid, SIGKILL);
	kill(*pid, SIGKILL);
	while (waitpid(*pid, &st, 0) < 0 && errno == EINTR)
		;
	*pid = -1;
}

int cmd_run(struct global_opts *g, int argc, char **argv)
{
	struct run_args a = { 0 };
	struct sandbox sb;
	sigset_t set;
	int sigfd = -1, code, ws;

	if (parse_args(argc, argv, &a) < 0)
		return 1;
	if (a.detach) {
		if (sandbox_create(g, &a.co, &sb, &code) < 0)
			return 1;
		sandbox_commit(&sb);
		console_finish(&sb.console);
		container_free(sb.c);
		return 0;
	}

	a.co.foreground = true;
	sigfd = setup_signals(&set);
	if (sigfd < 0)
		return 1;
	if (sandbox_create(g, &a.co, &sb, &code) < 0) {
		close(sigfd);
		return code;
	}
	sandbox_commit(&sb);
	/* Other commands (exec, kill, ps, pause...) may act on it meanwhile. */
	container_unlock(sb.c);
	if (sb.console.master >= 0 && console_start_copy(&sb.console) < 0)
		kill(sb.monitor, SIGKILL);
	ws = wait_foreground(&sb, sigfd);
	close(sigfd);
	/* The last output, and the user's terminal as it was. */
	console_finish(&sb.console);

	/* `delete` from elsewhere may have removed it already. */
	reap(&sb.monitor);
	reap(&sb.gofer);
	if (container_lock(sb.c, LOCK_EX) == 0) {
		cgroup_remove_container(sb.c);
		hooks_poststop(sb.c);
		container_destroy(sb.c);
	}
	container_free(sb.c);
	/* The signal mask stays as it is: a signal arriving now must not kill
	 * us with a default action and hide the workload's exit status. */
	return exit_code_of_status(ws);
}
