/* `sandboxrun boot`: the sentry process. Builds the kernel (memory file,
 * platform, gofer-backed VFS), confines itself, starts the container's
 * init from config.json and runs the event loop until init exits. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runsc/cmd.h"
#include "runsc/log.h"
#include "runsc/spec.h"
#include "runsc/util.h"
#include "sentry/boot.h"
#include "sentry/fdtable.h"
#include "sentry/fs/goferfs.h"
#include "sentry/fs/tty.h"
#include "sentry/gofer_client.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/signal.h"
#include "sentry/task_impl.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

#define MEMFILE_RESERVE (64ULL << 30)
#define EXIT_NOT_FOUND 127
#define EXIT_CANNOT_EXEC 126

/* Signals the CLI forwards to the sandbox (runc's run forwards these). */
static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

struct boot_args {
	int spec_fd, gofer_fd;
	int console_fd;         /* -1: no terminal */
	const char *platform;
	bool strace;
};

static int parse_args(int argc, char **argv, struct boot_args *b)
{
	static const struct option opts[] = {
		{ "spec-fd", required_argument, NULL, 's' }, { "gofer-fd", required_argument, NULL, 'g' },
		{ "platform", required_argument, NULL, 'p' }, { "strace", no_argument, NULL, 't' },
		{ "console-fd", required_argument, NULL, 'c' }, { NULL, 0, NULL, 0 },
	};
	*b = (struct boot_args){ -1, -1, -1, "ptrace", false };
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': b->spec_fd = atoi(optarg); break;
		case 'g': b->gofer_fd = atoi(optarg); break;
		case 'p': b->platform = optarg; break;
		case 't': b->strace = true; break;
		case 'c': b->console_fd = atoi(optarg); break;
		default: return -EINVAL;
		}
	}
	if (b->spec_fd < 0 || b->gofer_fd < 0)
		return -EINVAL;
	return 0;
}

static int cap_from_name(const char *name)
{
	static const char *const names[] = {
		"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
		"SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
		"NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
		"SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
		"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
		"AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
		"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
	};
	if (strncmp(name, "CAP_", 4))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name + 4, names[i]))
			return (int)i;
	return -1;
}

static uint64_t caps_mask(char **names)
{
	uint64_t m = 0;
	for (char **p = names; p && *p; p++) {
		int c = cap_from_name(*p);
		if (c >= 0)
			m |= 1ULL << c;
		else
			log_warn("unknown capability %s ignored", *p);
	}
	return m;
}

static struct cred *init_cred(const struct spec *s)
{
	struct cred *c = cred_new_root();
	const struct spec_user *u = &s->process.user;
	c->uid = c->euid = c->suid = c->fsuid = u->uid;
	c->gid = c->egid = c->sgid = c->fsgid = u->gid;
	if (u->n_additional_gids) {
		c->groups = xmalloc(u->n_additional_gids * sizeof(gid_t));
		for (size_t i = 0; i < u->n_additional_gids; i++)
			c->groups[i] = u->additional_gids[i];
		c->ngroups = (int)u->n_additional_gids;
	}
	if (s->process.has_caps) {
		c->cap_bounding = caps_mask(s->process.caps.bounding);
		c->cap_effective = caps_mask(s->process.caps.effective);
		c->cap_permitted = caps_mask(s->process.caps.permitted);
		c->cap_inheritable = caps_mask(s->process.caps.inheritable);
		c->cap_ambient = caps_mask(s->process.caps.ambient);
	}
	c->no_new_privs = s->process.no_new_privileges;
	return c;
}

static void init_rlimits(struct thread_group *tg, const struct spec *s)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		tg->rlim[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	tg->rlim[RLIMIT_STACK] = (struct rlimit){ 8 << 20, RLIM_INFINITY };
	tg->rlim[RLIMIT_CORE] = (struct rlimit){ 0, RLIM_INFINITY };
	tg->rlim[RLIMIT_NOFILE] = (struct rlimit){ 1024, 4096 };
	tg->rlim[RLIMIT_NPROC] = (struct rlimit){ 32768, 32768 };
	tg->rlim[RLIMIT_SIGPENDING] = (struct rlimit){ 32768, 32768 };
	tg->rlim[RLIMIT_MEMLOCK] = (struct rlimit){ 8 << 20, 8 << 20 };
	tg->rlim[RLIMIT_MSGQUEUE] = (struct rlimit){ 819200, 819200 };
	for (size_t i = 0; i < s->process.n_rlimits; i++) {
		const struct spec_rlimit *r = &s->process.rlimits[i];
		if (r->resource >= 0 && r->resource < RLIM_NLIMITS)
			tg->rlim[r->resource] = (struct rlimit){ r->soft, r->hard };
	}
}

static const char *env_lookup(char **env, const char *name)
{
	size_t n = strlen(name);
	for (char **e = env; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* Finds args[0] along the container's PATH as runc does (exec.LookPath). */
static int resolve_executable(struct task *t, const char *arg0, char *env[], char **out)
{
	if (strchr(arg0, '/')) {
		*out = xstrdup(arg0);
		return 0;
	}
	const char *path = env_lookup(env, "PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char *copy = xstrdup(path), *save = NULL;
	int err = -ENOENT;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *cand;
		if (asprintf(&cand, "%s/%s", *dir ? dir : ".", arg0) < 0)
			break;
		struct path p;
		if (vfs_lookup(t, AT_FDCWD, cand, LOOKUP_FOLLOW, &p) == 0) {
			struct stat st;
			int r = vfs_stat_path(&p, &st);
			path_put(&p);
			if (r == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
				*out = cand;
				err = 0;
				break;
			}
		}
		free(cand);
	}
	free(copy);
	return err;
}

/* process.terminal: the container's console (sentry/fs/tty.h). */
static struct tty_console *console;

static int start_init(struct kernel *k, const struct spec *s)
{
	struct task *t = task_alloc_process(NULL);
	if (!t)
		return -EAGAIN;
	k->init_tg = t->tg;
	t->tg->pgid = t->tg->sid = t->tid;
	init_rlimits(t->tg, s);
	t->cred = init_cred(s);
	t->sighand = sighand_new();
	t->files = fdtable_new();
	strncpy(t->comm, "init", sizeof(t->comm) - 1);

	struct path root;
	int err = vfs_root_path(&root);
	if (err)
		return err;
	t->fs = fs_context_new(&root, &root);
	path_put(&root);
	t->fs->umask = s->process.user.has_umask ? s->process.user.umask : 022;
	if (s->process.cwd && strcmp(s->process.cwd, "/")) {
		struct path cwd;
		err = vfs_lookup(t, AT_FDCWD, s->process.cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &cwd);
		if (err) {
			log_error("cwd %s: %s", s->process.cwd, strerror(-err));
			return err;
		}
		path_put(&t->fs->cwd);
		t->fs->cwd = cwd;
	}

	/* The workload's stdio: the console, or the only host fds it can
	 * reach. */
	if (console) {
		err = console_attach(console, t);
		if (err < 0) {
			log_error("console: %s", strerror(-err));
			return err;
		}
	} else {
		for (int fd = 0; fd <= 2; fd++) {
			int fl = fcntl(fd, F_GETFL);
			if (fl < 0)
				continue;
			struct file *f;
			err = hostfd_file_new(fd, fl & (O_ACCMODE | O_APPEND), &f);
			if (err)
				return err;
			err = fd_install_at(t, fd, f, false);
			file_put(f);
			if (err < 0)
				return err;
		}
		tty_adopt_stdio(t);
	}

	_cleanup_free_ char *exe = NULL;
	err = resolve_executable(t, s->process.args[0], s->process.env, &exe);
	if (err) {
		log_error("exec: \"%s\": executable file not found in $PATH", s->process.args[0]);
		return -ENOENT;
	}
	char *empty_env[] = { NULL };
	err = do_execve(t, exe, s->process.args, s->process.env ? s->process.env : empty_env);
	if (err) {
		log_error("exec: \"%s\": %s", s->process.args[0], strerror(-err));
		return err;
	}
	kernel_make_runnable(t);
	return 0;
}

static int pick_cpu(void)
{
	int cpu = sched_getcpu();
	if (cpu < 0)
		return -1;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -1;
	return cpu;
}

static int exit_code_of(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int sentry_main(int argc, char **argv)
{
	log_setup_from_env("sentry");
	sentry_install_crash_handler();
	struct boot_args b;
	if (parse_args(argc, argv, &b) < 0) {
		log_error("boot: usage: boot --spec-fd N --gofer-fd N [--platform NAME] [--strace] "
			  "[--console-fd N]");
		return 1;
	}
	struct spec *s = NULL;
	char *err_msg = NULL;
	if (spec_load_fd(b.spec_fd, &s, &err_msg) < 0) {
		log_error("%s", err_msg ? err_msg : "config.json: invalid");
		free(err_msg);
		return 1;
	}
	close(b.spec_fd);

	sigset_t blocked;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&blocked, forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	/* A workload writing to a closed host pipe gets EPIPE/SIGPIPE inside
	 * the sandbox; the sentry itself must only see EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	sigset_t fwd;
	sigemptyset(&fwd);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&fwd, forwarded_signals[i]);

	static struct kernel k;
	static struct memfile mf;
	kernel = &k;
	kernel_init(&k);
	k.strace = b.strace;
	k.host_signalfd = signalfd(-1, &fwd, SFD_NONBLOCK | SFD_CLOEXEC);
	snprintf(k.hostname, sizeof(k.hostname), "%s", s->hostname ? s->hostname : "sandbox");
	snprintf(k.domainname, sizeof(k.domainname), "%s", s->domainname ? s->domainname : "(none)");

	int rc = 1, err;
	k.pops = platform_lookup(b.platform);
	if (!k.pops || k.pops->probe() < 0) {
		log_error("platform %s is not available", b.platform);
		goto out;
	}
	if ((err = memfile_init(&mf, MEMFILE_RESERVE)) < 0) {
		log_error("memory file: %s", strerror(-err));
		goto out;
	}
	k.mf = &mf;
	struct platform_config pc = { .memfd = mf.fd, .cpu = pick_cpu() };
	if ((err = k.pops->init(&k.platform, &pc)) < 0) {
		log_error("platform %s: %s", b.platform, strerror(-err));
		goto out;
	}
	if ((err = syscall_table_init()) < 0)
		goto out;
	if ((err = gofer_client_new(b.gofer_fd, &k.gofer)) < 0 || (err = vfs_init_root(&k)) < 0) {
		log_error("root filesystem: %s", strerror(-err));
		goto out;
	}
	/* config.json bind mounts. COORDINATION: this call goes away
	 * when vfs_init_root mounts all of config.json's mounts in order. */
	k.spec = s;
	if ((err = goferfs_mount_spec_binds(&k)) < 0)
		goto out;
	if ((err = sentry_pivot_to_empty_root()) < 0)
		log_warn("sentry: cannot pivot to an empty root: %s", strerror(-err));
	if ((err = sentry_drop_privileges()) < 0) {
		log_error("sentry: dropping privileges: %s", strerror(-err));
		goto out;
	}
	/* After the privileges went: it forks the console's watcher. */
	if (b.console_fd >= 0 && (err = console_new(b.console_fd, &console)) < 0) {
		log_error("console: %s", strerror(-err));
		goto out;
	}
	if ((err = sentry_install_seccomp()) < 0) {
		log_error("sentry: seccomp: %s", strerror(-err));
		goto out;
	}
	if ((err = start_init(&k, s)) < 0) {
		rc = (err == -ENOENT || err == -ENOTDIR) ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
		goto out;
	}
	rc = exit_code_of(kernel_run(&k));
out:
	spec_free(s);
	/* Leave without exit-time code: under seccomp, atexit handlers and
	 * sanitizer leak checks (which read /proc) would kill the sentry and
	 * hide the workload's status. Unit tests check for leaks instead. */
	_exit(rc);
}
