/* `sandboxrun run`: validate the bundle, start the gofer and the sentry,
 * forward signals to the sentry, and exit with the workload's status.
 *
 * Process layout (as runsc's, minus the sandbox/container split):
 *   run ─┬─ gofer  (own session; pivot_roots itself into the rootfs)
 *        └─ sentry (own session; pid 1 of new pid/ipc/uts/net/mount
 *                   namespaces so that its death takes every stub along)
 * Both children die with `run` (PR_SET_PDEATHSIG) and `run` removes the
 * state directory ROOT/ID on every exit path it can see. */
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include <yajl/yajl_gen.h>

#include "gofer/binds.h"
#include "runsc/cmd.h"
#include "runsc/console.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/spec.h"
#include "runsc/util.h"

struct run_ctx {
	struct global_opts *g;
	const char *id;
	const char *pid_file;
	char *bundle;      /* absolute */
	char *rootfs;      /* absolute */
	char *state_dir;   /* ROOT/ID once we created it */
	struct spec *spec;
	sigset_t oldmask;
	int sigfd;
	int parent_pidfd;  /* lets a child notice that `run` died early */
	pid_t gofer, sentry;
	const char *console_socket;
	struct console console; /* process.terminal (runsc/console.h) */
};

/* Everything but SIGCHLD and the job-control stops goes to the sentry, as
 * runc forwards signals to its container: `run` itself must not die of
 * them and leave the state directory behind. */
static const int forwarded_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGSTKFLT,
	SIGWINCH, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGURG,
};

static bool valid_id(const char *id)
{
	const char *p;

	/* runc's ^[\w+-\.]+$ ("+-\." is the range '+'..'.', so ',' too), and
	 * never "." or "..": the id names a directory under the root. */
	if (!*id || !strcmp(id, ".") || !strcmp(id, ".."))
		return false;
	for (p = id; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || (c >= '+' && c <= '.')))
			return false;
	}
	return true;
}

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *buf = xstrdup(path);
	char *p;

	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = saved;
		if (!saved)
			break;
		while (p[1] == '/')
			p++;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (remove(path) < 0 && errno != ENOENT)
		log_warn("remove %s: %s", path, strerror(errno));
	return 0;
}

static void remove_state_dir(struct run_ctx *c)
{
	if (!c->state_dir)
		return;
	nftw(c->state_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(c->state_dir);
	c->state_dir = NULL;
}

static int create_state_dir(struct run_ctx *c)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	r = mkdir_p(c->g->root, 0700);
	if (r < 0) {
		log_error("create root directory %s: %s", c->g->root, strerror(-r));
		return r;
	}
	if (asprintf(&dir, "%s/%s", c->g->root, c->id) < 0) {
		dir = NULL;
		return -ENOMEM;
	}
	if (mkdir(dir, 0700) < 0) {
		r = -errno;
		if (r == -EEXIST)
			log_error("container with id exists: %s", c->id);
		else
			log_error("create state directory %s: %s", dir, strerror(-r));
		return r;
	}
	c->state_dir = steal_pointer(&dir);
	return 0;
}

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* Writes path atomically (temp file + rename) so readers never see half. */
static int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r == 0 && close(steal_fd(&fd)) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static int write_state(struct run_ctx *c)
{
	_cleanup_free_ char *path = NULL;
	const unsigned char *buf;
	char created[64], frac[16];
	struct timespec ts;
	struct tm tm;
	yajl_gen g;
	size_t len;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(frac, sizeof(frac), ".%09ldZ", ts.tv_nsec);
	strncat(created, frac, sizeof(created) - strlen(created) - 1);

	if (asprintf(&path, "%s/state.json", c->state_dir) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	g = yajl_gen_alloc(NULL);
	if (!g)
		return -ENOMEM;
	yajl_gen_map_open(g);
	gen_str(g, "id");
	gen_str(g, c->id);
	gen_str(g, "bundle");
	gen_str(g, c->bundle);
	gen_str(g, "pid");
	yajl_gen_integer(g, c->sentry);
	gen_str(g, "status");
	gen_str(g, "running");
	gen_str(g, "created");
	gen_str(g, created);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	r = write_file_atomic(path, (const char *)buf, len, 0600);
	yajl_gen_free(g);
	if (r < 0)
		log_error("write %s: %s", path, strerror(-r));
	return r;
}

static int write_pid_file(struct run_ctx *c)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)c->sentry);
	int r = write_file_atomic(c->pid_file, buf, (size_t)n, 0644);

	if (r < 0)
		log_error("write pid file %s: %s", c->pid_file, strerror(-r));
	return r;
}

/* ---- starting the children ------------------------------------------- */

enum child_stage { STAGE_SETUP = 1, STAGE_SETSID, STAGE_FDS, STAGE_ENV, STAGE_EXEC };

struct child_error {
	int stage;
	int err;
};

static const char *stage_name(int stage)
{
	switch (stage) {
	case STAGE_SETUP:
		return "prepare";
	case STAGE_SETSID:
		return "setsid";
	case STAGE_FDS:
		return "pass file descriptors";
	case STAGE_ENV:
		return "export log settings";
	case STAGE_EXEC:
		return "exec /proc/self/exe";
	}
	return "start";
}

static void __attribute__((noreturn)) child_fail(int errfd, int stage, int err)
{
	struct child_error ce = { stage, err };

	(void)!write(errfd, &ce, sizeof(ce));
	_exit(127);
}

static bool env_kept(const char *e)
{
	static const char *const prefixes[] = {
		"PATH=", "_SANDBOXRUN_", "SANDBOXRUN_", "ASAN_OPTIONS=",
		"UBSAN_OPTIONS=", "LSAN_OPTIONS=",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(e, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* The children get a minimal environment: the host's variables are none
 * of the sandbox's business (the workload's come from config.json). */
static char **child_environ(void)
{
	extern char **environ;
	size_t n = 0, k = 0;
	char **e, **out;

	for (e = environ; *e; e++)
		n++;
	out = xzalloc((n + 1) * sizeof(*out));
	for (e = environ; *e; e++)
		if (env_kept(*e))
			out[k++] = *e;
	return out;
}

struct child_req {
	const char *name;      /* for messages */
	bool namespaces;       /* the sentry's clone */
	bool null_stdio;       /* stdin/stdout to /dev/null (the gofer) */
	const int *keep_fds;   /* made inheritable across exec */
	size_t n_keep;
	char **argv;
};

/* In the child: never returns. */
static void __attribute__((noreturn)) child_exec(struct run_ctx *c, const struct child_req *req, int errfd)
{
	struct pollfd pfd = { .fd = c->parent_pidfd, .events = POLLIN };
	size_t i;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(errfd, STAGE_SETUP, errno);
	/* `run` may have died before the prctl: then nobody would kill us. */
	if (c->parent_pidfd >= 0 && poll(&pfd, 1, 0) > 0)
		_exit(1);
	if (setsid() < 0)
		child_fail(errfd, STAGE_SETSID, errno);

	/* Blocked signals and ignored dispositions survive exec. */
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &c->oldmask, NULL);

	if (req->null_stdio) {
		int fd = open("/dev/null", O_RDWR);

		if (fd < 0 || dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0)
			child_fail(errfd, STAGE_FDS, errno);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* Only what we pass on crosses exec: not whatever fds our own caller
	 * leaked to us. */
	syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	for (i = 0; i < req->n_keep; i++) {
		int fl = fcntl(req->keep_fds[i], F_GETFD);

		if (fl < 0 || fcntl(req->keep_fds[i], F_SETFD, fl & ~FD_CLOEXEC) < 0)
			child_fail(errfd, STAGE_FDS, errno);
	}
	if (log_export_env() < 0)
		child_fail(errfd, STAGE_ENV, errno);

	execve("/proc/self/exe", req->argv, child_environ());
	child_fail(errfd, STAGE_EXEC, errno);
}

static pid_t clone_sentry(void)
{
	/* A raw clone(2) so the child itself becomes pid 1 of the new pid
	 * namespace (unshare(CLONE_NEWPID) only affects later children). */
	const long ns = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWNS;
	long pid = syscall(SYS_clone, ns | SIGCHLD, NULL, NULL, NULL, NULL);

	if (pid >= 0 || (errno != EPERM && errno != EINVAL && errno != ENOSPC && errno != EUSERS))
		return (pid_t)pid;
	log_warn("cannot create namespaces for the sandbox (%s): the sentry runs in the "
		 "host's namespaces and is not pid 1", strerror(errno));
	return fork();
}

/* Starts a child and waits until it has exec'd: a failure before or at
 * exec comes back through a close-on-exec pipe as a clear error. */
static pid_t start_child(struct run_ctx *c, const struct child_req *req)
{
	_cleanup_close_ int rd = -1, wr = -1;
	struct child_error ce;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		log_error("start %s: pipe: %s", req->name, strerror(errno));
		return -1;
	}
	rd = p[0];
	wr = p[1];

	pid = req->namespaces ? clone_sentry() : fork();
	if (pid < 0) {
		log_error("start %s: %s: %s", req->name, req->namespaces ? "clone" : "fork",
			  strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(c, req, wr);

	close(steal_fd(&wr));
	do
		n = read(rd, &ce, sizeof(ce));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return pid;
	if (n != (ssize_t)sizeof(ce)) {
		ce.stage = STAGE_SETUP;
		ce.err = n < 0 ? errno : EIO;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	log_error("start %s: %s: %s", req->name, stage_name(ce.stage), strerror(ce.err));
	return -1;
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The gofer opens every bind mount source on the host before it pivots
 * into the rootfs: one --mount per config.json bind, in spec order (the
 * order the sentry numbers them in, gofer/binds.h). */
static int start_gofer(struct run_ctx *c, int sock)
{
	size_t nbinds = 0, n = 0;
	char fdbuf[16];
	char **argv;
	int ret = -1;

	for (size_t i = 0; i < c->spec->n_mounts; i++)
		nbinds += spec_mount_is_bind(&c->spec->mounts[i]);
	argv = xzalloc((8 + 2 * nbinds) * sizeof(*argv));
	argv[n++] = xstrdup("sandboxrun");
	argv[n++] = xstrdup("gofer");
	argv[n++] = xstrdup("--rootfs");
	argv[n++] = xstrdup(c->rootfs);
	argv[n++] = xstrdup("--sock-fd");
	snprintf(fdbuf, sizeof(fdbuf), "%d", sock);
	argv[n++] = xstrdup(fdbuf);
	if (c->spec->root_readonly)
		argv[n++] = xstrdup("--readonly");
	for (size_t i = 0; i < c->spec->n_mounts; i++) {
		const struct spec_mount *m = &c->spec->mounts[i];

		if (!spec_mount_is_bind(m))
			continue;
		char *arg = gofer_bind_arg(m, c->bundle);
		if (!arg) {
			log_error("config.json: mounts[%zu]: a bind mount needs a source", i);
			goto out;
		}
		argv[n++] = xstrdup("--mount");
		argv[n++] = arg;
	}

	struct child_req req = {
		.name = "gofer", .null_stdio = true, .keep_fds = &sock, .n_keep = 1, .argv = argv,
	};
	c->gofer = start_child(c, &req);
	ret = c->gofer < 0 ? -1 : 0;
out:
	strv_free_n(argv, n);
	return ret;
}

static int start_sentry(struct run_ctx *c, int spec_fd, int sock)
{
	char specbuf[16], sockbuf[16], consbuf[16];
	char *argv[] = {
		"sandboxrun", "boot", "--spec-fd", specbuf, "--gofer-fd", sockbuf,
		"--platform", (char *)c->g->platform, NULL, NULL, NULL, NULL,
	};
	int keep[] = { spec_fd, sock, c->console.slave };
	struct child_req req = {
		.name = "sentry", .namespaces = true, .keep_fds = keep, .n_keep = 2, .argv = argv,
	};
	int n = 8;

	snprintf(specbuf, sizeof(specbuf), "%d", spec_fd);
	snprintf(sockbuf, sizeof(sockbuf), "%d", sock);
	if (c->g->strace)
		argv[n++] = "--strace";
	if (c->console.slave >= 0) {
		snprintf(consbuf, sizeof(consbuf), "%d", c->console.slave);
		argv[n++] = "--console-fd";
		argv[n++] = consbuf;
		req.n_keep = 3;
	}
	c->sentry = start_child(c, &req);
	return c->sentry < 0 ? -1 : 0;
}

/* ---- waiting ---------------------------------------------------------- */

static void describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "status 0x%x", status);
}

/* Reaps whatever exited. Returns true once the sentry is gone. */
static bool reap_children(struct run_ctx *c, int *sentry_status)
{
	bool sentry_done = false;

	for (;;) {
		siginfo_t si = { 0 };
		int status;
		pid_t pid;

		/* Peek first: while the sentry is an unreaped zombie its pid,
		 * which is also its process group id, cannot be reused, so
		 * killing the group hits only stubs it left behind. */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
			break;
		pid = si.si_pid;
		if (pid == c->sentry)
			kill(-pid, SIGKILL);
		if (waitpid(pid, &status, 0) < 0)
			break;
		if (pid == c->sentry) {
			*sentry_status = status;
			c->sentry = -1;
			sentry_done = true;
		} else if (pid == c->gofer) {
			char desc[64];

			/* A clean exit is the gofer seeing the sentry close its
			 * end while the sentry shuts down. */
			describe_status(status, desc, sizeof(desc));
			if (status == 0 || sentry_done)
				log_debug("gofer exited (%s)", desc);
			else
				log_warn("gofer exited while the sandbox runs (%s)", desc);
			c->gofer = -1;
		}
	}
	return sentry_done;
}

static int wait_sandbox(struct run_ctx *c)
{
	int status = 0;

	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(c->sigfd, &si, sizeof(si));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si)) {
			log_error("read signalfd: %s", n < 0 ? strerror(errno) : "short read");
			return -1;
		}
		if (si.ssi_signo == SIGCHLD) {
			if (reap_children(c, &status))
				break;
			continue;
		}
		if (si.ssi_signo == SIGWINCH)
			console_winch(&c->console);
		log_debug("forwarding signal %u to the sandbox", si.ssi_signo);
		if (kill(c->sentry, (int)si.ssi_signo) < 0 && errno != ESRCH)
			log_warn("forward signal %u: %s", si.ssi_signo, strerror(errno));
	}

	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		log_error("sandbox crashed: signal %d", WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return 1;
}

static void kill_and_reap(pid_t *pid)
{
	int status;

	if (*pid <= 0)
		return;
	/* Each child leads its own session and process group. */
	kill(-*pid, SIGKILL);
	kill(*pid, SIGKILL);
	while (waitpid(*pid, &status, 0) < 0 && errno == EINTR)
		;
	*pid = -1;
}

static int setup_signals(struct run_ctx *c)
{
	sigset_t set;
	size_t i;
	int s;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&set, forwarded_signals[i]);
	for (s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(&set, s);
	if (sigprocmask(SIG_BLOCK, &set, &c->oldmask) < 0) {
		log_error("sigprocmask: %s", strerror(errno));
		return -1;
	}
	c->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (c->sigfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		return -1;
	}
	/* Our own writes to a closed pipe must fail with EPIPE, not kill us
	 * before we clean up. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int parse_args(struct run_ctx *c, int argc, char **argv, const char **bundle)
{
	int i, r;

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if ((r = opt_match(argc, argv, &i, "bundle", "b", bundle)) ||
		    (r = opt_match(argc, argv, &i, "pid-file", NULL, &c->pid_file))) {
			if (r < 0)
				return -1;
		} else if ((r = opt_match(argc, argv, &i, "no-pivot", NULL, NULL)) ||
			   (r = opt_match(argc, argv, &i, "no-new-keyring", NULL, NULL))) {
			/* Meaningless here: the workload never sees the host's
			 * mounts or keyrings. */
			if (r < 0)
				return -1;
		} else if ((r = opt_match(argc, argv, &i, "console-socket", NULL, &c->console_socket))) {
			if (r < 0)
				return -1;
		} else if ((r = opt_match(argc, argv, &i, "detach", "d", NULL))) {
			if (r < 0)
				return -1;
			log_error("run: --detach is not supported yet");
			return -1;
		} else {
			log_error("run: unknown option %s", argv[i]);
			return -1;
		}
	}
	if (argc - i != 1) {
		log_error("run: expected exactly one argument, the container id "
			  "(usage: sandboxrun run [--bundle DIR] [--pid-file FILE] ID)");
		return -1;
	}
	c->id = argv[i];
	return 0;
}

/* process.terminal: the host pty, its master to the console socket or
 * kept for copying to our own stdio. */
static int run_console_setup(struct run_ctx *c)
{
	if (console_open(&c->console, c->spec, !c->console_socket) < 0)
		return -1;
	if (c->console_socket)
		return console_send_master(&c->console, c->console_socket);
	return 0;
}

static int run_console_started(struct run_ctx *c)
{
	console_close_slave(&c->console);
	if (c->console_socket)
		return 0;
	return console_start_copy(&c->console);
}

int cmd_run(struct global_opts *g, int argc, char **argv)
{
	struct run_ctx c = { .g = g, .sigfd = -1, .parent_pidfd = -1, .gofer = -1, .sentry = -1,
			     .console = CONSOLE_INIT };
	_cleanup_free_ char *cfg_path = NULL, *err = NULL;
	_cleanup_close_ int spec_fd = -1;
	const char *bundle = ".";
	int sv[2] = { -1, -1 };
	int ret = 1;

	if (parse_args(&c, argc, argv, &bundle) < 0)
		return 1;
	if (!valid_id(c.id)) {
		log_error("invalid container id \"%s\": must match ^[\\w+-\\.]+$", c.id);
		return 1;
	}
	c.bundle = realpath(bundle, NULL);
	if (!c.bundle) {
		log_error("bundle %s: %s", bundle, strerror(errno));
		return 1;
	}
	if (spec_load_bundle(c.bundle, &c.spec, &c.rootfs, &err) < 0) {
		log_error("%s", err ? err : "cannot load config.json");
		goto out;
	}
	if (!c.spec->has_process) {
		log_error("config.json: process: missing");
		goto out;
	}
	if (console_check_flags(c.spec->process.terminal, false, c.console_socket) < 0)
		goto out;

	if (setup_signals(&c) < 0)
		goto out;
	if (create_state_dir(&c) < 0)
		goto out;

	if (asprintf(&cfg_path, "%s/config.json", c.bundle) < 0) {
		cfg_path = NULL;
		goto out;
	}
	/* The sentry reads the config from this fd: same file we validated,
	 * and no need for it to see the host's filesystem. */
	spec_fd = open(cfg_path, O_RDONLY | O_CLOEXEC);
	if (spec_fd < 0) {
		log_error("open %s: %s", cfg_path, strerror(errno));
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_error("socketpair: %s", strerror(errno));
		goto out;
	}
	c.parent_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	if (c.spec->process.terminal && run_console_setup(&c) < 0)
		goto out;
	if (start_gofer(&c, sv[0]) < 0)
		goto out;
	if (start_sentry(&c, spec_fd, sv[1]) < 0)
		goto out;
	if (c.spec->process.terminal && run_console_started(&c) < 0)
		goto out;
	/* From here the sockets belong to the children: the sentry must see
	 * EOF when the gofer dies and vice versa. */
	close(sv[0]);
	close(sv[1]);
	sv[0] = sv[1] = -1;
	close(steal_fd(&spec_fd));

	log_debug("sandbox %s: sentry pid %d, gofer pid %d", c.id, (int)c.sentry, (int)c.gofer);
	if (write_state(&c) < 0 || (c.pid_file && write_pid_file(&c) < 0))
		goto out;

	ret = wait_sandbox(&c);
	if (ret < 0)
		ret = 1;

out:
	kill_and_reap(&c.sentry);
	kill_and_reap(&c.gofer);
	console_finish(&c.console);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	remove_state_dir(&c);
	if (c.sigfd >= 0)
		close(c.sigfd);
	if (c.parent_pidfd >= 0)
		close(c.parent_pidfd);
	/* The signal mask stays as it is: a signal arriving now must not kill
	 * us with a default action and hide the workload's exit status. */
	spec_free(c.spec);
	free(c.rootfs);
	free(c.bundle);
	return ret;
}
