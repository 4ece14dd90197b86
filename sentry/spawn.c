/* New sandbox processes from OCI process objects (init and exec). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/tty.h"
#include "sentry/signal.h"
#include "sentry/spawn.h"
#include "sentry/task_impl.h"
#include "sentry/vfs.h"

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

static struct cred *process_cred(const struct spec_process *p)
{
	struct cred *c = cred_new_root();
	const struct spec_user *u = &p->user;
	c->uid = c->euid = c->suid = c->fsuid = u->uid;
	c->gid = c->egid = c->sgid = c->fsgid = u->gid;
	if (u->n_additional_gids) {
		c->groups = xmalloc(u->n_additional_gids * sizeof(gid_t));
		for (size_t i = 0; i < u->n_additional_gids; i++)
			c->groups[i] = u->additional_gids[i];
		c->ngroups = (int)u->n_additional_gids;
	}
	if (p->has_caps) {
		c->cap_bounding = caps_mask(p->caps.bounding);
		c->cap_effective = caps_mask(p->caps.effective);
		c->cap_permitted = caps_mask(p->caps.permitted);
		c->cap_inheritable = caps_mask(p->caps.inheritable);
		c->cap_ambient = caps_mask(p->caps.ambient);
	}
	c->no_new_privs = p->no_new_privileges;
	return c;
}

static void process_rlimits(struct thread_group *tg, const struct spec_process *p)
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
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *r = &p->rlimits[i];
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

/* Finds args[0] along the process's PATH as runc does (exec.LookPath). */
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

static void set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = xstrdup("cannot start the process");
	va_end(ap);
}

/* An errno as runc (Go) words it: glibc's text with a lower-case first
 * letter. Docker matches "no such file or directory" to exit 127. */
static void go_strerror(int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(err));
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
}

void spawn_discard(struct task *t)
{
	/* Parentless: the exit releases it at once. */
	task_exit_group(t, 0);
}

static int spawn_setup(struct task *t, const struct spawn_args *a, char **err)
{
	const struct spec_process *p = a->proc;
	struct path root;
	int r = vfs_root_path(&root);
	if (r) {
		set_err(err, "root filesystem: %s", strerror(-r));
		return r;
	}
	t->fs = fs_context_new(&root, &root);
	path_put(&root);
	t->fs->umask = p->user.has_umask ? p->user.umask : 022;
	if (p->cwd && strcmp(p->cwd, "/")) {
		struct path cwd;
		r = vfs_lookup(t, AT_FDCWD, p->cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &cwd);
		if (r) {
			set_err(err, "chdir to cwd (\"%s\") set in config.json failed: %s", p->cwd,
				strerror(-r));
			return r;
		}
		path_put(&t->fs->cwd);
		t->fs->cwd = cwd;
	}
	if (a->console) {
		r = console_attach(a->console, t);
		if (r < 0) {
			set_err(err, "console: %s", strerror(-r));
			return r;
		}
	}
	for (int fd = a->console ? 3 : 0; fd < a->nfds; fd++) {
		if (a->fds[fd] < 0)
			continue;
		int fl = fcntl(a->fds[fd], F_GETFL);
		if (fl < 0)
			continue;
		struct file *f;
		r = hostfd_file_new(a->fds[fd], fl & (O_ACCMODE | O_APPEND), &f);
		if (r) {
			set_err(err, "fd %d: %s", fd, strerror(-r));
			return r;
		}
		r = fd_install_at(t, fd, f, false);
		file_put(f);
		if (r < 0) {
			set_err(err, "fd %d: %s", fd, strerror(-r));
			return r;
		}
	}
	if (a->adopt_stdio_tty && !a->console)
		tty_adopt_stdio(t);
	return 0;
}

int spawn_process(const struct spawn_args *a, struct task **out, char **err)
{
	const struct spec_process *p = a->proc;
	*err = NULL;
	if (!p->args || !p->args[0]) {
		set_err(err, "args must not be empty");
		return -EINVAL;
	}
	struct task *t = task_alloc_process(NULL);
	if (!t) {
		set_err(err, "no free pid in the sandbox");
		return -EAGAIN;
	}
	t->tg->pgid = t->tg->sid = t->tid;
	process_rlimits(t->tg, p);
	t->cred = process_cred(p);
	t->sighand = sighand_new();
	t->files = fdtable_new();
	strncpy(t->comm, "init", sizeof(t->comm) - 1);

	int r = spawn_setup(t, a, err);
	if (r) {
		spawn_discard(t);
		return r;
	}
	_cleanup_free_ char *exe = NULL;
	r = resolve_executable(t, p->args[0], p->env, &exe);
	if (r) {
		set_err(err, "exec: \"%s\": executable file not found in $PATH", p->args[0]);
		spawn_discard(t);
		return -ENOENT;
	}
	char *empty_env[] = { NULL };
	r = do_execve(t, exe, p->args, p->env ? p->env : empty_env);
	if (r == -EBLOCKED) {
		/* Failed past the point of no return: the task is already gone. */
		set_err(err, "exec: \"%s\": cannot set up the new image", p->args[0]);
		return -ENOMEM;
	}
	if (r) {
		char msg[128];

		go_strerror(-r, msg, sizeof(msg));
		if (r == -ENOENT)
			set_err(err, "exec: \"%s\": stat %s: %s", p->args[0], exe, msg);
		else
			set_err(err, "exec: \"%s\": %s", p->args[0], msg);
		spawn_discard(t);
		return r;
	}
	*out = t;
	return 0;
}
