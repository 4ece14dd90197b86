/* `sandboxrun exec [options] ID [COMMAND ARGS...]`: a new process in the
 * container's sandbox, built from --process FILE or from the container's
 * process with runc's overrides (--cwd, --env, --user, ...). Its stdio are
 * ours (passed with SCM_RIGHTS). Without -d we wait and exit with its
 * status (128+N for signal N), forwarding the signals we get. With -d a
 * small waiter process holds the connection instead: its pid goes to
 * --pid-file, it forwards the signals it gets, and it exits with the exec'd
 * process's wait status (containerd reaps that pid and signals it
 * directly). If the waiter is killed, so is the process.
 *
 * With a terminal (-t, or "terminal": true in --process) we make a host
 * pty as run does: its master goes to --console-socket, or, in the
 * foreground without one, stays with us to copy to and from our own
 * stdio (the user's terminal in raw mode, SIGWINCH followed); its slave
 * goes to the sentry in place of our stdio, and the process gets a
 * sandbox pty of its own bridged to it (sentry/fs/tty_console.c). */
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "runsc/console.h"
#include "runsc/ctl_client.h"
#include "runsc/jsonw.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/sandbox.h"
#include "runsc/spec.h"
#include "runsc/verb.h"
#include "sentry/boot.h"

struct exec_opts {
	const char *process_file, *console_socket, *cwd, *user, *pid_file;
	const char **env, **caps, **gids;
	size_t n_env, n_caps, n_gids;
	bool tty, detach, nnp_set, ignore_paused;
	int preserve_fds;
};

static void push(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static int parse_opts(int argc, char **argv, struct exec_opts *o)
{
	const char *v;
	int i, r;

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if ((r = opt_match(argc, argv, &i, "process", "p", &o->process_file)) ||
		    (r = opt_match(argc, argv, &i, "console-socket", NULL, &o->console_socket)) ||
		    (r = opt_match(argc, argv, &i, "cwd", NULL, &o->cwd)) ||
		    (r = opt_match(argc, argv, &i, "user", "u", &o->user)) ||
		    (r = opt_match(argc, argv, &i, "pid-file", NULL, &o->pid_file)) ||
		    (r = parse_preserve_fds(argc, argv, &i, &o->preserve_fds)) ||
		    (r = opt_match(argc, argv, &i, "process-label", NULL, &v)) ||
		    (r = opt_match(argc, argv, &i, "apparmor", NULL, &v)) ||
		    (r = opt_match(argc, argv, &i, "cgroup", NULL, &v))) {
			if (r < 0)
				return -1;
		} else if ((r = opt_match(argc, argv, &i, "env", "e", &v)) > 0) {
			push(&o->env, &o->n_env, v);
		} else if (r == 0 && (r = opt_match(argc, argv, &i, "cap", "c", &v)) > 0) {
			push(&o->caps, &o->n_caps, v);
		} else if (r == 0 && (r = opt_match(argc, argv, &i, "additional-gids", "g", &v)) > 0) {
			push(&o->gids, &o->n_gids, v);
		} else if (r == 0 && (r = opt_match(argc, argv, &i, "tty", "t", NULL)) > 0) {
			o->tty = true;
		} else if (r == 0 && (r = opt_match(argc, argv, &i, "detach", "d", NULL)) > 0) {
			o->detach = true;
		} else if (r == 0 && (r = opt_match(argc, argv, &i, "no-new-privs", NULL, NULL)) > 0) {
			o->nnp_set = true;
		} else if (r == 0 && (r = opt_match(argc, argv, &i, "ignore-paused", NULL, NULL)) > 0) {
			o->ignore_paused = true;
		} else if (r < 0) {
			return -1;
		} else {
			log_error("exec: unknown option %s", argv[i]);
			return -1;
		}
	}
	return i;
}

static int parse_num(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > UINT32_MAX || *s == '-')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static char **strv_append(char **v, size_t *n, const char *s)
{
	v = xrealloc(v, (*n + 2) * sizeof(*v));
	v[(*n)++] = xstrdup(s);
	v[*n] = NULL;
	return v;
}

static size_t strv_len(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* runc's getProcess: the container's process with the command line's
 * overrides. */
static struct spec_process *process_from_args(struct container *c, const struct exec_opts *o,
					      char **args, int nargs)
{
	_cleanup_free_ char *path = NULL, *err = NULL;
	struct spec *s = NULL;
	struct spec_process *p;
	_cleanup_close_ int fd = -1;
	size_t i;

	if (asprintf(&path, "%s/config.json", c->dir) < 0)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || spec_load_fd(fd, &s, &err) < 0) {
		log_error("container config %s: %s", path, err ? err : strerror(errno));
		return NULL;
	}
	p = xzalloc(sizeof(*p));
	*p = s->process;
	memset(&s->process, 0, sizeof(s->process));
	spec_free(s);

	for (i = 0; p->args && p->args[i]; i++)
		free(p->args[i]);
	free(p->args);
	p->args = xzalloc((size_t)(nargs + 1) * sizeof(char *));
	for (i = 0; i < (size_t)nargs; i++)
		p->args[i] = xstrdup(args[i]);
	p->n_args = (size_t)nargs;
	if (o->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	for (i = 0; i < o->n_env; i++)
		p->env = strv_append(p->env, &p->n_env, o->env[i]);
	p->terminal = o->tty;
	if (o->nnp_set)
		p->no_new_privileges = true;
	if (o->user) {
		_cleanup_free_ char *u = xstrdup(o->user);
		char *colon = strchr(u, ':');

		if (colon)
			*colon++ = '\0';
		if (parse_num(u, &p->user.uid) < 0 || (colon && parse_num(colon, &p->user.gid) < 0)) {
			log_error("parsing %s as int for user failed", o->user);
			spec_process_free(p);
			return NULL;
		}
	}
	for (i = 0; i < o->n_gids; i++) {
		uint32_t gid;

		if (parse_num(o->gids[i], &gid) < 0) {
			log_error("invalid additional-gids value %s", o->gids[i]);
			spec_process_free(p);
			return NULL;
		}
		p->user.additional_gids = xrealloc(p->user.additional_gids,
						   (p->user.n_additional_gids + 1) * sizeof(uint32_t));
		p->user.additional_gids[p->user.n_additional_gids++] = gid;
	}
	if (o->n_caps) {
		char ***sets[] = { &p->caps.bounding, &p->caps.effective, &p->caps.permitted,
				   &p->caps.ambient };
		p->has_caps = true;
		for (size_t k = 0; k < ARRAY_SIZE(sets); k++) {
			size_t n = strv_len(*sets[k]);
			for (i = 0; i < o->n_caps; i++)
				*sets[k] = strv_append(*sets[k], &n, o->caps[i]);
		}
	}
	return p;
}

static struct spec_process *process_from_file(const char *file)
{
	_cleanup_free_ char *buf = NULL, *err = NULL;
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	struct spec_process *p = NULL;
	size_t len;

	if (fd < 0 || read_all_fd(fd, &buf, &len) < 0) {
		log_error("open %s: %s", file, strerror(errno));
		return NULL;
	}
	if (spec_parse_process(buf, len, file, &p, &err) < 0) {
		log_error("%s", err);
		return NULL;
	}
	return p;
}

static void strv_json(struct jsonw *w, const char *key, char **v)
{
	jw_key(w, key);
	jw_arr_open(w);
	for (size_t i = 0; v && v[i]; i++)
		jw_str(w, v[i]);
	jw_arr_close(w);
}

static char *process_json(const struct spec_process *p)
{
	struct jsonw w = JSONW_INIT("");
	size_t i;

	jw_obj_open(&w);
	jw_key(&w, "terminal");
	jw_bool(&w, p->terminal);
	if (p->console_width || p->console_height) {
		jw_key(&w, "consoleSize");
		jw_obj_open(&w);
		jw_key(&w, "height");
		jw_uint(&w, p->console_height);
		jw_key(&w, "width");
		jw_uint(&w, p->console_width);
		jw_obj_close(&w);
	}
	jw_key(&w, "user");
	jw_obj_open(&w);
	jw_key(&w, "uid");
	jw_uint(&w, p->user.uid);
	jw_key(&w, "gid");
	jw_uint(&w, p->user.gid);
	if (p->user.has_umask) {
		jw_key(&w, "umask");
		jw_uint(&w, p->user.umask);
	}
	jw_key(&w, "additionalGids");
	jw_arr_open(&w);
	for (i = 0; i < p->user.n_additional_gids; i++)
		jw_uint(&w, p->user.additional_gids[i]);
	jw_arr_close(&w);
	jw_obj_close(&w);
	strv_json(&w, "args", p->args);
	strv_json(&w, "env", p->env);
	jw_key(&w, "cwd");
	jw_str(&w, p->cwd);
	if (p->has_caps) {
		jw_key(&w, "capabilities");
		jw_obj_open(&w);
		strv_json(&w, "bounding", p->caps.bounding);
		strv_json(&w, "effective", p->caps.effective);
		strv_json(&w, "inheritable", p->caps.inheritable);
		strv_json(&w, "permitted", p->caps.permitted);
		strv_json(&w, "ambient", p->caps.ambient);
		jw_obj_close(&w);
	}
	jw_key(&w, "rlimits");
	jw_arr_open(&w);
	for (i = 0; i < p->n_rlimits; i++) {
		jw_obj_open(&w);
		jw_key(&w, "type");
		jw_str(&w, p->rlimits[i].type);
		jw_key(&w, "hard");
		jw_uint(&w, p->rlimits[i].hard);
		jw_key(&w, "soft");
		jw_uint(&w, p->rlimits[i].soft);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_key(&w, "noNewPrivileges");
	jw_bool(&w, p->no_new_privileges);
	jw_obj_close(&w);
	return w.buf;
}

/* What runc exec forwards: everything but SIGCHLD, SIGWINCH (a terminal
 * resize) and SIGURG (the Go runtime's). */
static void exec_sigset(sigset_t *set)
{
	sandbox_forwarded_sigset(set);
	sigdelset(set, SIGWINCH);
	sigdelset(set, SIGURG);
	sigaddset(set, SIGTSTP);
	sigaddset(set, SIGTTIN);
	sigaddset(set, SIGTTOU);
	sigaddset(set, SIGCONT);
}

/* Until the process ends: forwards our signals to it (SIGWINCH, caught
 * only while we copy a terminal, resizes that one instead). Returns its
 * wait status; SIGKILL's if the sandbox went away first (its processes
 * die with it). */
static int wait_process(int conn, int sigfd, struct console *con)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = conn, .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };
		struct ctl_msg m;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return W_EXITCODE(0, SIGKILL);
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGWINCH && con) {
					console_winch(con);
					continue;
				}
				ctl_send(conn, CTL_SIGNAL, (int)si.ssi_signo, 0, NULL, 0, NULL, 0);
			}
		}
		if (p[0].revents) {
			int r = ctl_recv(conn, &m, NULL, 0);
			if (r == -ETIMEDOUT)
				continue;
			if (r < 0)
				return W_EXITCODE(0, SIGKILL);
			if (m.op == CTL_EXIT)
				return m.arg;
		}
	}
}

static int write_pid(const char *path, pid_t pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	int r = write_file_atomic(path, buf, (size_t)n, 0644);

	if (r < 0)
		log_error("write pid file %s: %s", path, strerror(-r));
	return r;
}

static int start_waiter(int conn, const char *pid_file)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_error("exec: fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		sigset_t set;
		int devnull, sigfd;

		/* Alone, holding nothing of our caller's (not its stdio: a
		 * reader waiting for EOF must not wait for us). */
		setsid();
		devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			if (!log_debug_enabled())
				dup2(devnull, 2);
		}
		exec_sigset(&set);
		sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
		if (sigfd < 0)
			_exit(1);
		exit_like_status(wait_process(conn, sigfd, NULL));
	}
	close(conn);
	if (pid_file && write_pid(pid_file, pid) < 0) {
		/* Its process goes with it (CTL_F_DETACHED). */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 1;
	}
	return 0;
}

int cmd_exec(struct global_opts *g, int argc, char **argv)
{
	struct exec_opts o = { 0 };
	struct container *c = NULL;
	struct spec_process *proc = NULL;
	struct console con = CONSOLE_INIT;
	_cleanup_free_ char *json = NULL, *payload = NULL;
	_cleanup_free_ int *fds = NULL;
	_cleanup_close_ int conn = -1, sigfd = -1;
	sigset_t set;
	struct ctl_msg m;
	int i, r, ret = 1, nfds;
	enum cstatus st;

	i = parse_opts(argc, argv, &o);
	if (i < 0)
		goto out;
	if (verb_nargs("exec", argc, i, 1, -1, "[OPTIONS] ID [COMMAND [ARGS...]]") < 0)
		goto out;
	if (!o.process_file && argc - i < 2) {
		log_error("exec: args must not be empty (give a command or --process FILE)");
		goto out;
	}
	/* Before we open anything that could take one of their numbers. */
	nfds = 3 + o.preserve_fds;
	fds = xmalloc(sizeof(int) * (size_t)nfds);
	for (int k = 0; k < nfds; k++) {
		fds[k] = k;
		if (k >= 3 && fcntl(k, F_GETFD) < 0) {
			log_error("exec: --preserve-fds: fd %d is not open", k);
			goto out;
		}
	}
	c = verb_open(g, argv[i], LOCK_EX);
	if (!c)
		goto out;
	st = container_status(c);
	if (st == ST_STOPPED) {
		log_error("cannot exec in a stopped container");
		goto out;
	}
	if (st == ST_PAUSED && !o.ignore_paused) {
		log_error("cannot exec in a paused container (use --ignore-paused to override)");
		goto out;
	}
	proc = o.process_file ? process_from_file(o.process_file)
			      : process_from_args(c, &o, argv + i + 1, argc - i - 1);
	if (!proc)
		goto out;
	if (!proc->cwd || proc->cwd[0] != '/') {
		log_error("exec: cwd must be an absolute path");
		goto out;
	}
	if (console_check_flags(proc->terminal, o.detach, o.console_socket) < 0)
		goto out;
	json = process_json(proc);
	/* Signals for the process are queued from now on. */
	exec_sigset(&set);
	if (proc->terminal && !o.console_socket)
		sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (proc->terminal) {
		/* Our copies of the preserved fds are taken already: these
		 * cannot land on one of their numbers. */
		if (console_open(&con, proc, !o.console_socket) < 0)
			goto out;
		if (o.console_socket && console_send_master(&con, o.console_socket) < 0)
			goto out;
		fds[0] = fds[1] = fds[2] = con.slave;
	}

	conn = ctl_connect(c);
	if (conn < 0) {
		log_error("cannot exec in a stopped container");
		goto out;
	}
	r = ctl_send(conn, CTL_EXEC, 0, o.detach ? CTL_F_DETACHED : 0, json, strlen(json), fds, nfds);
	if (r == 0)
		r = ctl_recv(conn, &m, &payload, CTL_TIMEOUT_MS);
	if (r == 0 && m.op != CTL_EXEC)
		r = -EPROTO;
	if (r < 0) {
		log_error("exec failed: %s", strerror(-r));
		ret = 255;
		goto out;
	}
	if (m.status < 0) {
		log_error("exec failed: unable to start container process: %s",
			  payload && *payload ? payload : strerror(-m.status));
		ret = 255;
		goto out;
	}
	log_debug("exec: pid %d in the sandbox", m.arg);
	console_close_slave(&con);
	/* The process runs: the container is free for other commands. */
	container_free(c);
	c = NULL;

	if (o.detach) {
		ret = start_waiter(steal_fd(&conn), o.pid_file);
		goto out;
	}
	if (o.pid_file && write_pid(o.pid_file, getpid()) < 0) {
		ctl_send(conn, CTL_SIGNAL, SIGKILL, 0, NULL, 0, NULL, 0);
		goto out;
	}
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		ctl_send(conn, CTL_SIGNAL, SIGKILL, 0, NULL, 0, NULL, 0);
		goto out;
	}
	if (con.master >= 0 && console_start_copy(&con) < 0) {
		ctl_send(conn, CTL_SIGNAL, SIGKILL, 0, NULL, 0, NULL, 0);
		goto out;
	}
	ret = exit_code_of_status(wait_process(conn, sigfd, con.master >= 0 ? &con : NULL));
out:
	/* The last output, and the user's terminal as it was. */
	console_finish(&con);
	spec_process_free(proc);
	container_free(c);
	free(o.env);
	free(o.caps);
	free(o.gids);
	return ret;
}
