#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "gofer/binds.h"
#include "runsc/cgroup.h"
#include "runsc/ctl_client.h"
#include "runsc/hooks.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/sandbox.h"
#include "runsc/spec.h"
#include "runsc/util.h"
#include "sentry/control.h"

#define READY_TIMEOUT_MS 60000

int exit_code_of_status(int ws)
{
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 1;
}

int parse_preserve_fds(int argc, char **argv, int *i, int *out)
{
	const char *v;
	char *end;
	int r = opt_match(argc, argv, i, "preserve-fds", NULL, &v);

	if (r <= 0)
		return r;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < 0 || n > 1024) {
		log_error("invalid --preserve-fds value \"%s\"", v);
		return -1;
	}
	*out = (int)n;
	return 1;
}

/* ---- starting the children ------------------------------------------- */

enum child_stage { STAGE_SETUP = 1, STAGE_SETSID, STAGE_FDS, STAGE_ENV, STAGE_EXEC, STAGE_CGROUP,
		   STAGE_NETNS };

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
	case STAGE_CGROUP:
		return "join the cgroup";
	case STAGE_NETNS:
		return "join the network namespace (linux.namespaces path)";
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
	bool foreground;       /* dies with us (PR_SET_PDEATHSIG) */
	int parent_pidfd;      /* lets the child notice that we died early */
	bool null_stdio;       /* stdin/stdout to /dev/null (the gofer) */
	bool null_stderr;      /* and stderr */
	const int *keep_fds;   /* made inheritable across exec (-1 skipped) */
	size_t n_keep;
	char **argv;
	const int *cg_fds;     /* cgroup.procs files to move into */
	size_t n_cg;
	int netns_fd;          /* setns before exec; -1 none */
};

/* In the child: never returns. */
static void __attribute__((noreturn)) child_exec(const struct child_req *req, int errfd)
{
	sigset_t none;
	size_t i;

	if (req->foreground) {
		struct pollfd pfd = { .fd = req->parent_pidfd, .events = POLLIN };

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			child_fail(errfd, STAGE_SETUP, errno);
		/* We may have died before the prctl: then nobody would kill it. */
		if (req->parent_pidfd >= 0 && poll(&pfd, 1, 0) > 0)
			_exit(1);
	}
	if (setsid() < 0)
		child_fail(errfd, STAGE_SETSID, errno);
	/* Before exec, so that everything it starts is born inside. */
	for (i = 0; i < req->n_cg; i++)
		if (write(req->cg_fds[i], "0", 1) != 1)
			child_fail(errfd, STAGE_CGROUP, errno);
	if (req->netns_fd >= 0 && setns(req->netns_fd, CLONE_NEWNET) < 0)
		child_fail(errfd, STAGE_NETNS, errno);

	/* Blocked signals and ignored dispositions survive exec. */
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (req->null_stdio) {
		int fd = open("/dev/null", O_RDWR);

		if (fd < 0 || dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
		    (req->null_stderr && dup2(fd, STDERR_FILENO) < 0))
			child_fail(errfd, STAGE_FDS, errno);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* Only what we pass on crosses exec: not whatever fds our own caller
	 * leaked to us. */
	syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	for (i = 0; i < req->n_keep; i++) {
		int fl;

		if (req->keep_fds[i] < 0)
			continue;
		fl = fcntl(req->keep_fds[i], F_GETFD);
		if (fl < 0 || fcntl(req->keep_fds[i], F_SETFD, fl & ~FD_CLOEXEC) < 0)
			child_fail(errfd, STAGE_FDS, errno);
	}
	if (log_export_env() < 0)
		child_fail(errfd, STAGE_ENV, errno);

	execve("/proc/self/exe", req->argv, child_environ());
	child_fail(errfd, STAGE_EXEC, errno);
}

/* Starts a child and waits until it has exec'd: a failure before or at
 * exec comes back through a close-on-exec pipe as a clear error. */
static pid_t start_child(const struct child_req *req)
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

	pid = fork();
	if (pid < 0) {
		log_error("start %s: fork: %s", req->name, strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(req, wr);

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

/* ---- the pieces of a sandbox ------------------------------------------ */

struct launch {
	struct global_opts *g;
	const struct create_opts *o;
	struct sandbox *sb;
	struct spec *spec;
	char *bundle, *rootfs;
	int min_fd;                 /* our fds live at or above this */
	int spec_fd, ctl_fd, gofer_sock[2], ready[2], commit[2];
	int parent_pidfd;
	int sigfd;                  /* INT/TERM/HUP/QUIT while we build it */
	bool held;                  /* init waits for START: create, or run with startContainer hooks */
	struct cgroup cg;
	int cg_fds[CGROUP_MAX_DIRS];
	size_t n_cg;
	int netns_fd;               /* linux.namespaces network path, -1 none */
};

/* Moves *fd to a number >= min (close-on-exec) so that it never sits
 * where a preserved fd of the workload is expected. */
static int fd_above(int *fd, int min)
{
	int n;

	if (*fd < 0 || *fd >= min)
		return 0;
	n = fcntl(*fd, F_DUPFD_CLOEXEC, min);
	if (n < 0)
		return -errno;
	close(*fd);
	*fd = n;
	return 0;
}

static int create_control_socket(struct launch *l)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	int r;

	r = container_sock_path(l->sb->c, CTL_SOCK_NAME, sa.sun_path, sizeof(sa.sun_path));
	if (r < 0) {
		log_error("control socket path: %s", strerror(-r));
		return r;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(sa.sun_path, 0600) < 0 || listen(fd, 64) < 0) {
		r = -errno;
		log_error("control socket %s/%s: %s", l->sb->c->dir, CTL_SOCK_NAME, strerror(-r));
		return r;
	}
	l->ctl_fd = steal_fd(&fd);
	return 0;
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The workload's stdio is a pty handed to --console-socket: the sandbox
 * outlives us and must hold nothing of our caller's stdio, because
 * containerd's shim reads create's output until EOF (runc's own processes
 * hold none of it either). Errors still reach --log. */
static bool detached_console(const struct launch *l)
{
	return l->o->console_socket && !log_debug_enabled();
}

/* The gofer opens every bind mount source on the host before it pivots
 * into the rootfs: one --mount per config.json bind, in spec order (the
 * order the sentry numbers them in, gofer/binds.h). */
static int start_gofer(struct launch *l)
{
	size_t nbinds = 0, n = 0;
	char fdbuf[16];
	char **argv;
	int ret = -1;

	for (size_t i = 0; i < l->spec->n_mounts; i++)
		nbinds += spec_mount_is_bind(&l->spec->mounts[i]);
	argv = xzalloc((8 + 2 * nbinds) * sizeof(*argv));
	argv[n++] = xstrdup("sandboxrun");
	argv[n++] = xstrdup("gofer");
	argv[n++] = xstrdup("--rootfs");
	argv[n++] = xstrdup(l->rootfs);
	argv[n++] = xstrdup("--sock-fd");
	snprintf(fdbuf, sizeof(fdbuf), "%d", l->gofer_sock[0]);
	argv[n++] = xstrdup(fdbuf);
	if (l->spec->root_readonly)
		argv[n++] = xstrdup("--readonly");
	for (size_t i = 0; i < l->spec->n_mounts; i++) {
		const struct spec_mount *m = &l->spec->mounts[i];

		if (!spec_mount_is_bind(m))
			continue;
		char *arg = gofer_bind_arg(m, l->bundle);
		if (!arg) {
			log_error("config.json: mounts[%zu]: a bind mount needs a source", i);
			goto out;
		}
		argv[n++] = xstrdup("--mount");
		argv[n++] = arg;
	}

	struct child_req req = {
		.name = "gofer", .foreground = l->o->foreground, .parent_pidfd = l->parent_pidfd,
		.null_stdio = true, .null_stderr = detached_console(l),
		.keep_fds = &l->gofer_sock[0], .n_keep = 1, .argv = argv,
		.cg_fds = l->cg_fds, .n_cg = l->n_cg, .netns_fd = -1,
	};
	l->sb->gofer = start_child(&req);
	ret = l->sb->gofer < 0 ? -1 : 0;
out:
	strv_free_n(argv, n);
	return ret;
}

static int start_monitor(struct launch *l)
{
	char spec[16], gofer[16], ctl[16], ready[16], commit[16], state[16], pres[16];
	char console[16];
	char *argv[32];
	int a = 0, n = l->o->preserve_fds;
	_cleanup_free_ int *keep = xmalloc(sizeof(int) * (size_t)(7 + n));
	struct child_req req = {
		.name = "sentry", .foreground = l->o->foreground, .parent_pidfd = l->parent_pidfd,
		.keep_fds = keep, .n_keep = (size_t)(7 + n), .argv = argv,
		.null_stdio = detached_console(l), .null_stderr = detached_console(l),
		.cg_fds = l->cg_fds, .n_cg = l->n_cg, .netns_fd = l->netns_fd,
	};

	snprintf(spec, sizeof(spec), "%d", l->spec_fd);
	snprintf(gofer, sizeof(gofer), "%d", l->gofer_sock[1]);
	snprintf(ctl, sizeof(ctl), "%d", l->ctl_fd);
	snprintf(ready, sizeof(ready), "%d", l->ready[1]);
	snprintf(commit, sizeof(commit), "%d", l->commit[0]);
	snprintf(state, sizeof(state), "%d", l->sb->c->dir_fd);
	snprintf(pres, sizeof(pres), "%d", n);
	argv[a++] = "sandboxrun";
	argv[a++] = "boot";
	argv[a++] = "--spec-fd";
	argv[a++] = spec;
	argv[a++] = "--gofer-fd";
	argv[a++] = gofer;
	argv[a++] = "--control-fd";
	argv[a++] = ctl;
	argv[a++] = "--ready-fd";
	argv[a++] = ready;
	argv[a++] = "--commit-fd";
	argv[a++] = commit;
	argv[a++] = "--state-fd";
	argv[a++] = state;
	argv[a++] = "--preserve-fds";
	argv[a++] = pres;
	argv[a++] = "--platform";
	argv[a++] = (char *)l->g->platform;
	argv[a++] = "--overlay";
	argv[a++] = (char *)(l->g->overlay ? l->g->overlay : "memory");
	if (l->held)
		argv[a++] = "--hold";
	if (l->sb->console.slave >= 0) {
		/* The monitor closes it; the sentry keeps it for the console. */
		snprintf(console, sizeof(console), "%d", l->sb->console.slave);
		argv[a++] = "--console-fd";
		argv[a++] = console;
	}
	if (l->g->strace)
		argv[a++] = "--strace";
	if (l->netns_fd >= 0)
		argv[a++] = "--netns-joined";
	argv[a] = NULL;

	keep[0] = l->spec_fd;
	keep[1] = l->gofer_sock[1];
	keep[2] = l->ctl_fd;
	keep[3] = l->ready[1];
	keep[4] = l->commit[0];
	keep[5] = l->sb->c->dir_fd;
	keep[6] = l->sb->console.slave;
	for (int i = 0; i < n; i++)
		keep[7 + i] = fcntl(3 + i, F_GETFD) >= 0 ? 3 + i : -1;

	l->sb->monitor = start_child(&req);
	return l->sb->monitor < 0 ? -1 : 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static void kill_and_reap(pid_t *pid, int *status)
{
	int st = 0;

	if (*pid <= 0)
		return;
	/* Each child leads its own session and process group. */
	kill(-*pid, SIGKILL);
	kill(*pid, SIGKILL);
	while (waitpid(*pid, &st, 0) < 0 && errno == EINTR)
		;
	if (status)
		*status = st;
	*pid = -1;
}

/* Waits for the sentry's ready byte. On EOF the sandbox failed: the
 * monitor's exit status says why (the workload's status for the sandbox). */
static int wait_ready(struct launch *l, int *exit_code)
{
	struct pollfd p[2] = { { .fd = l->ready[0], .events = POLLIN }, { .fd = l->sigfd, .events = POLLIN } };
	char c = 0;
	int r, st;

	do
		r = poll(p, l->sigfd >= 0 ? 2 : 1, READY_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		log_error("the sandbox did not become ready within %d s", READY_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	if (l->sigfd >= 0 && (p[1].revents & POLLIN) && !(p[0].revents & POLLIN)) {
		struct signalfd_siginfo si;

		if (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			/* Interrupted: everything started goes away again. */
			log_error("interrupted by signal %u while creating the container", si.ssi_signo);
			*exit_code = 128 + (int)si.ssi_signo;
			return -EINTR;
		}
	}
	do
		r = (int)read(l->ready[0], &c, 1);
	while (r < 0 && errno == EINTR);
	if (r == 1 && c == 'R')
		return 0;
	/* The sentry is gone: its monitor exits right after it. */
	while (waitpid(l->sb->monitor, &st, 0) < 0 && errno == EINTR)
		;
	l->sb->monitor = -1;
	*exit_code = exit_code_of_status(st);
	if (*exit_code == 0)
		*exit_code = 1;
	log_debug("sandbox failed to start (monitor status 0x%x)", st);
	return -ECHILD;
}

static int write_pid_file(const char *path, pid_t pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	int r = write_file_atomic(path, buf, (size_t)n, 0644);

	if (r < 0)
		log_error("write pid file %s: %s", path, strerror(-r));
	return r;
}

static int record(struct launch *l)
{
	struct container *c = l->sb->c;
	int r;

	c->oci_version = xstrdup(l->spec->oci_version ? l->spec->oci_version : "");
	c->bundle = xstrdup(l->bundle);
	c->rootfs = xstrdup(l->rootfs);
	c->created_ns = now_real_ns();
	c->pid = l->sb->monitor;
	c->gofer = l->sb->gofer;
	c->started = !l->held;
	if ((r = proc_stat(c->pid, &c->pid_start, NULL)) < 0 ||
	    (r = proc_stat(c->gofer, &c->gofer_start, NULL)) < 0) {
		log_error("the sandbox died while starting");
		return r;
	}
	if (l->spec->n_annotations) {
		c->annotations = xzalloc(l->spec->n_annotations * sizeof(*c->annotations));
		for (size_t i = 0; i < l->spec->n_annotations; i++) {
			c->annotations[i].key = xstrdup(l->spec->annotations[i].key);
			c->annotations[i].value = xstrdup(l->spec->annotations[i].value);
		}
		c->n_annotations = l->spec->n_annotations;
	}
	if ((r = container_save(c)) < 0)
		return r;
	if (l->o->pid_file && (r = write_pid_file(l->o->pid_file, c->pid)) < 0)
		return r;
	return 0;
}

/* `exec` builds its process from the container's config as it was at
 * create time, as runc keeps it in its state: the bundle may change. */
static int save_config(struct launch *l)
{
	_cleanup_free_ char *buf = NULL, *path = NULL;
	size_t len;
	int r;

	if ((r = read_all_fd(l->spec_fd, &buf, &len)) < 0 || lseek(l->spec_fd, 0, SEEK_SET) < 0) {
		log_error("read config.json: %s", strerror(r < 0 ? -r : errno));
		return -1;
	}
	if (asprintf(&path, "%s/config.json", l->sb->c->dir) < 0) {
		path = NULL;
		return -1;
	}
	if ((r = write_file_atomic(path, buf, len, 0600)) < 0) {
		log_error("write %s: %s", path, strerror(-r));
		return -1;
	}
	return 0;
}

/* The sandbox is ready and recorded: the create-time hooks, and for run
 * the start-time ones around releasing init. A failure fails the command
 * and the caller removes everything. */
static int run_hooks(struct launch *l)
{
	const struct spec_hooks *h = &l->spec->hooks;
	struct container *c = l->sb->c;
	_cleanup_free_ char *msg = NULL;
	int r;

	if (hooks_run("prestart", h->prestart, h->n_prestart, c, "creating") < 0 ||
	    hooks_run("createRuntime", h->create_runtime, h->n_create_runtime, c, "creating") < 0 ||
	    hooks_run("createContainer", h->create_container, h->n_create_container, c,
		      "creating") < 0)
		return -1;
	if (l->o->hold)
		return 0;
	if (l->held) {
		if (hooks_run("startContainer", h->start_container, h->n_start_container, c,
			      "created") < 0)
			return -1;
		if ((r = ctl_call(c, CTL_START, 0, 0, NULL, &msg)) < 0) {
			log_error("start: %s", msg ? msg : strerror(-r));
			return -1;
		}
		c->started = true;
		if ((r = container_save(c)) < 0)
			return -1;
	}
	hooks_run_warn("poststart", h->poststart, h->n_poststart, c, "running");
	return 0;
}

/* linux.namespaces with a path. The sandbox's processes get fresh host
 * namespaces and the container's are emulated inside the sentry, so only
 * a network namespace can be joined (podman and Docker hand one over):
 * the monitor joins it before exec and the sentry and its stubs are born
 * there (the gofer keeps a fresh, empty one). Any other path cannot be
 * honoured: refused rather than ignored. */
static int open_namespaces(struct launch *l)
{
	for (size_t i = 0; i < l->spec->linux_.n_namespaces; i++) {
		const struct spec_namespace *ns = &l->spec->linux_.namespaces[i];

		if (!ns->path || !*ns->path)
			continue;
		if (strcmp(ns->type, "network")) {
			log_error("linux.namespaces[%zu]: joining an existing %s namespace (%s) is not "
				  "supported: the sandbox's %s namespace is emulated by the sentry",
				  i, ns->type, ns->path, ns->type);
			return -1;
		}
		l->netns_fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (l->netns_fd < 0) {
			log_error("linux.namespaces[%zu]: network namespace %s: %s", i, ns->path,
				  strerror(errno));
			return -1;
		}
		if (fd_above(&l->netns_fd, l->min_fd) < 0)
			return -1;
	}
	return 0;
}

static int launch(struct launch *l, int *exit_code)
{
	_cleanup_free_ char *cfg_path = NULL, *err = NULL;
	int r;

	l->bundle = realpath(l->o->bundle, NULL);
	if (!l->bundle) {
		log_error("bundle %s: %s", l->o->bundle, strerror(errno));
		return -1;
	}
	if (spec_load_bundle(l->bundle, &l->spec, &l->rootfs, &err) < 0) {
		log_error("%s", err ? err : "cannot load config.json");
		return -1;
	}
	if (!l->spec->has_process) {
		log_error("config.json: process: missing");
		return -1;
	}
	/* run: no hook before poststart may see the workload running. */
	if (open_namespaces(l) < 0)
		return -1;
	l->held = l->o->hold || l->spec->hooks.n_prestart || l->spec->hooks.n_create_runtime ||
		  l->spec->hooks.n_create_container || l->spec->hooks.n_start_container;
	if (console_check_flags(l->spec->process.terminal, !l->o->foreground,
				l->o->console_socket) < 0)
		return -1;
	if (container_create(l->g->root, l->o->id, &l->sb->c) < 0)
		return -1;
	if (fd_above(&l->sb->c->dir_fd, l->min_fd) < 0 || fd_above(&l->sb->c->lock_fd, l->min_fd) < 0)
		return -1;
	if (create_control_socket(l) < 0)
		return -1;
	if (cgroup_create(l->spec, l->o->id, l->sb->c, &l->cg) < 0 ||
	    cgroup_procs_fds(&l->cg, l->cg_fds, &l->n_cg) < 0)
		return -1;
	if (asprintf(&cfg_path, "%s/config.json", l->bundle) < 0) {
		cfg_path = NULL;
		return -1;
	}
	/* The sentry reads the config from this fd: the same file we
	 * validated, and no need for it to see the host's filesystem. */
	l->spec_fd = open(cfg_path, O_RDONLY | O_CLOEXEC);
	if (l->spec_fd < 0) {
		log_error("open %s: %s", cfg_path, strerror(errno));
		return -1;
	}
	if (save_config(l) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, l->gofer_sock) < 0 ||
	    pipe2(l->ready, O_CLOEXEC) < 0 || pipe2(l->commit, O_CLOEXEC) < 0) {
		log_error("socketpair/pipe: %s", strerror(errno));
		return -1;
	}
	int *mine[] = { &l->spec_fd, &l->ctl_fd, &l->gofer_sock[0], &l->gofer_sock[1],
			&l->ready[0], &l->ready[1], &l->commit[0], &l->commit[1] };
	for (size_t i = 0; i < ARRAY_SIZE(mine); i++) {
		if ((r = fd_above(mine[i], l->min_fd)) < 0) {
			log_error("fcntl: %s", strerror(-r));
			return -1;
		}
	}
	if (l->o->foreground)
		l->parent_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (l->spec->process.terminal) {
		struct console *con = &l->sb->console;

		if (console_open(con, &l->spec->process, !l->o->console_socket) < 0)
			return -1;
		if ((r = fd_above(&con->master, l->min_fd)) < 0 ||
		    (r = fd_above(&con->slave, l->min_fd)) < 0) {
			log_error("fcntl: %s", strerror(-r));
			return -1;
		}
	}

	if (start_gofer(l) < 0 || start_monitor(l) < 0)
		return -1;
	/* The children have theirs: EOF must reach the sentry when the gofer
	 * dies and vice versa, and the control socket must refuse
	 * connections as soon as the sentry is gone. */
	close_fd(&l->gofer_sock[0]);
	close_fd(&l->gofer_sock[1]);
	close_fd(&l->spec_fd);
	close_fd(&l->ctl_fd);
	close_fd(&l->ready[1]);
	close_fd(&l->commit[0]);
	for (size_t i = 0; i < l->n_cg; i++)
		close_fd(&l->cg_fds[i]);
	/* The sentry's copy alone: the master must see the end when the
	 * sandbox goes. */
	console_close_slave(&l->sb->console);
	log_debug("sandbox %s: monitor pid %d, gofer pid %d", l->o->id, (int)l->sb->monitor,
		  (int)l->sb->gofer);

	if ((r = wait_ready(l, exit_code)) < 0)
		return -1;
	/* containerd takes the master from its socket once create returned:
	 * it waits in the socket's queue. */
	if (l->o->console_socket &&
	    console_send_master(&l->sb->console, l->o->console_socket) < 0)
		return -1;
	if (record(l) < 0)
		return -1;
	if (run_hooks(l) < 0)
		return -1;
	l->sb->commit_fd = steal_fd(&l->commit[1]);
	return 0;
}

int sandbox_create(struct global_opts *g, const struct create_opts *o, struct sandbox *sb,
		   int *exit_code)
{
	struct launch l = {
		.g = g, .o = o, .sb = sb, .min_fd = 3 + o->preserve_fds, .spec_fd = -1, .ctl_fd = -1,
		.gofer_sock = { -1, -1 }, .ready = { -1, -1 }, .commit = { -1, -1 }, .parent_pidfd = -1,
		.sigfd = -1, .netns_fd = -1,
	};
	sigset_t term, old;
	int r;

	*sb = (struct sandbox){ .monitor = -1, .gofer = -1, .commit_fd = -1,
				.console = CONSOLE_INIT };
	*exit_code = 1;
	if (!container_id_valid(o->id)) {
		log_error("invalid container id \"%s\": must match ^[\\w+-\\.]+$", o->id);
		return -1;
	}
	sigemptyset(&term);
	sigaddset(&term, SIGINT);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGHUP);
	sigaddset(&term, SIGQUIT);
	sigprocmask(SIG_BLOCK, &term, &old);
	l.sigfd = signalfd(-1, &term, SFD_CLOEXEC | SFD_NONBLOCK);
	r = launch(&l, exit_code);
	int *fds[] = { &l.spec_fd, &l.ctl_fd, &l.gofer_sock[0], &l.gofer_sock[1], &l.ready[0],
		       &l.ready[1], &l.commit[0], &l.commit[1], &l.parent_pidfd, &l.sigfd,
		       &l.netns_fd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		close_fd(fds[i]);
	for (size_t i = 0; i < l.n_cg; i++)
		close_fd(&l.cg_fds[i]);
	if (r < 0) {
		kill_and_reap(&sb->monitor, NULL);
		kill_and_reap(&sb->gofer, NULL);
		cgroup_remove(&l.cg);
		console_finish(&sb->console);
		if (sb->c) {
			if (o->pid_file && sb->c->loaded)
				unlink(o->pid_file);
			container_destroy(sb->c);
			container_free(sb->c);
			sb->c = NULL;
		}
	}
	cgroup_free(&l.cg);
	spec_free(l.spec);
	free(l.rootfs);
	free(l.bundle);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

void sandbox_commit(struct sandbox *sb)
{
	if (sb->commit_fd < 0)
		return;
	(void)!write(sb->commit_fd, "C", 1);
	close(sb->commit_fd);
	sb->commit_fd = -1;
}
