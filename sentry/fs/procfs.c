/* procfs core: the table-driven inodes shared with sysfs (directories,
 * generated files, links), process identity and ptrace access checks, and
 * the /proc root (its fixed entries, the live pids, self, thread-self). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <xxhash.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/procfs.h"

/* ---- generated text ---- */

static void sbuf_reserve(struct sbuf *s, size_t n)
{
	if (s->len + n + 1 <= s->cap)
		return;
	s->cap = MAX(s->cap * 2, s->len + n + 1);
	s->cap = MAX(s->cap, (size_t)256);
	s->buf = xrealloc(s->buf, s->cap);
}

void sbuf_write(struct sbuf *s, const void *p, size_t n)
{
	sbuf_reserve(s, n);
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

void sbuf_puts(struct sbuf *s, const char *str)
{
	sbuf_write(s, str, strlen(str));
}

void sbuf_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	sbuf_reserve(s, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

void sbuf_put_kb(struct sbuf *s, const char *label, uint64_t kb)
{
	sbuf_printf(s, "%-16s%8llu kB\n", label, (unsigned long long)kb);
}

void sbuf_free(struct sbuf *s)
{
	free(s->buf);
	*s = (struct sbuf){ 0 };
}

/* ---- names ---- */

int pfs_parse_decimal(const char *name)
{
	long v = 0;

	if (!*name || (name[0] == '0' && name[1]) || strlen(name) > 9)
		return -1;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return (int)v;
}

/* ---- processes ---- */

struct task *pfs_task(const struct pfs_inode *pi)
{
	struct task *t;

	if (!pi->tgid)
		return NULL;
	t = pid_lookup(pi->tid);
	if (!t || t->tg->tgid != pi->tgid || t->tg->reaped || t->tg->start_time_mono != pi->start)
		return NULL;
	return t;
}

void pfs_pid_identity(struct pfs_inode *pi, struct task *t, bool thread)
{
	pi->tgid = t->tg->tgid;
	pi->tid = t->tid;
	pi->start = t->tg->start_time_mono;
	pi->fd = -1;
	pi->key = thread ? 1 : 0;
}

int pfs_ptrace_may_access(struct task *t, struct task *target, bool attach)
{
	const struct cred *c, *tc;

	if (!t || t->tg == target->tg)
		return 0;
	c = t->cred;
	tc = target->cred;
	/* Procfs checks with the filesystem ids (PTRACE_MODE_FSCREDS). */
	if (!tc || !(c->fsuid == tc->euid && c->fsuid == tc->suid && c->fsuid == tc->uid &&
		     c->fsgid == tc->egid && c->fsgid == tc->sgid && c->fsgid == tc->gid)) {
		if (!cred_capable(c, CAP_SYS_PTRACE))
			return -EPERM;
	}
	if (target->tg->nondumpable && !cred_capable(c, CAP_SYS_PTRACE))
		return -EPERM;
	(void)attach; /* no Yama-style policy: attach and read are alike */
	return 0;
}

/* task_dump_owner(): a process's files belong to its effective ids,
 * or to root when it is not dumpable. */
static void pfs_refresh_owner(struct inode *ino)
{
	struct pfs_inode *pi = PFS_I(ino);
	struct task *t = pfs_task(pi);

	if (!t)
		return;
	if (t->cred && !t->tg->nondumpable) {
		ino->uid = t->cred->euid;
		ino->gid = t->cred->egid;
	} else {
		ino->uid = 0;
		ino->gid = 0;
	}
}

/* ---- inodes ---- */

static const struct inode_ops pfs_dir_iops, pfs_reg_iops, pfs_lnk_iops, pfs_magic_lnk_iops;
static const struct file_ops pfs_dir_fops, pfs_reg_fops;

uint64_t pfs_ino(const struct pfs_entry *e, const struct pfs_inode *pi)
{
	struct {
		const void *e;
		int64_t tgid, tid, fd;
		uint64_t key;
	} id = { e, pi->tgid, pi->tid, pi->fd, pi->key };
	uint64_t h = XXH3_64bits(&id, sizeof(id)) & 0x7fffffffffffffffULL;

	return h < 2 ? h + 2 : h; /* 1 is the root's */
}

struct inode *pfs_new_inode(struct superblock *sb, const struct pfs_entry *e,
			    const struct pfs_inode *pi)
{
	const struct inode_ops *iops;
	const struct file_ops *fops = NULL;
	struct pfs_inode *npi;
	struct inode *ino;

	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		iops = &pfs_dir_iops;
		fops = &pfs_dir_fops;
		break;
	case S_IFLNK:
		iops = e->get_link ? &pfs_magic_lnk_iops : &pfs_lnk_iops;
		break;
	default:
		iops = &pfs_reg_iops;
		fops = &pfs_reg_fops;
		break;
	}
	ino = inode_new(sb, e->mode, iops, fops);
	npi = xmalloc(sizeof(*npi));
	*npi = *pi;
	npi->e = e;
	ino->priv = npi;
	ino->ino = pfs_ino(e, npi);
	if (S_ISDIR(e->mode) && e->children) {
		for (const struct pfs_entry *c = e->children; c->name; c++)
			if (S_ISDIR(c->mode))
				ino->nlink++;
	}
	pfs_refresh_owner(ino);
	return ino;
}

static void pfs_evict(struct inode *ino)
{
	free(ino->priv);
}

static bool pfs_revalidate(struct inode *ino)
{
	struct pfs_inode *pi = PFS_I(ino);

	if (!pi->tgid)
		return true;
	if (!pfs_task(pi))
		return false;
	pfs_refresh_owner(ino);
	return true;
}

static int pfs_getattr(struct inode *ino)
{
	struct pfs_inode *pi = PFS_I(ino);

	if (pi->tgid && !pfs_task(pi))
		return -ENOENT;
	pfs_refresh_owner(ino);
	return 0;
}

/* ---- directories ---- */

static int pfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct pfs_inode *pi = PFS_I(dir), child = *pi;

	if (pi->tgid && !pfs_task(pi))
		return -ENOENT;
	if (pi->e->children) {
		for (const struct pfs_entry *e = pi->e->children; e->name; e++) {
			if (strcmp(e->name, name) == 0) {
				child.fd = -1;
				*out = pfs_new_inode(dir->sb, e, &child);
				return 0;
			}
		}
	}
	if (pi->e->dyn)
		return pi->e->dyn->lookup(dir, name, out);
	return -ENOENT;
}

static int pfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct inode *dir = f->inode;
	struct pfs_inode *pi = PFS_I(dir);
	int64_t i = 2;

	if (pi->tgid && !pfs_task(pi))
		return -ENOENT;
	if (ctx->pos < 0)
		return -EINVAL;
	if (!dir_emit_dots(f, ctx))
		return 0;
	if (pi->e->children) {
		for (const struct pfs_entry *e = pi->e->children; e->name; e++, i++) {
			struct pfs_inode cpi = *pi;

			if (i < ctx->pos)
				continue;
			cpi.e = e;
			cpi.fd = -1;
			if (!ctx->actor(ctx, e->name, (int)strlen(e->name), i + 1, pfs_ino(e, &cpi),
					IFTODT(e->mode)))
				return 0;
			ctx->pos = i + 1;
		}
	}
	if (!pi->e->dyn)
		return 0;
	if (ctx->pos < PFS_DYN_POS)
		ctx->pos = PFS_DYN_POS;
	return pi->e->dyn->iterate(dir, ctx);
}

static const struct inode_ops pfs_dir_iops = {
	.lookup = pfs_lookup,
	.getattr = pfs_getattr,
	.evict = pfs_evict,
	.revalidate = pfs_revalidate,
};

static const struct file_ops pfs_dir_fops = {
	.llseek = dcache_dir_llseek,
	.iterate = pfs_iterate,
};

/* ---- generated and raw files ---- */

struct pfs_file {
	struct sbuf text;
	bool filled;
};

/* Linux's test_perm() for sysctls: root's permission is the owner bits,
 * and capabilities do not override them. */
static int sysctl_test_perm(struct task *t, uint32_t mode, int acc)
{
	uid_t euid = t ? t->cred->euid : 0;

	if (euid == 0)
		mode >>= 6;
	else if (t && t->cred->egid == 0)
		mode >>= 3;
	return (acc & ~mode & 7) ? -EACCES : 0;
}

static int pfs_open(struct task *t, struct inode *ino, struct file *f)
{
	struct pfs_inode *pi = PFS_I(ino);
	const struct pfs_entry *e = pi->e;
	int acc = 0, rc;

	if ((f->flags & O_ACCMODE) != O_WRONLY)
		acc |= MAY_READ;
	if ((f->flags & O_ACCMODE) != O_RDONLY || (f->flags & O_TRUNC))
		acc |= MAY_WRITE;
	if (pi->tgid) {
		struct task *target = pfs_task(pi);

		if (!target)
			return -ENOENT;
		if (e->flags & (PFS_PTRACE_OPEN | PFS_PTRACE_ATTACH)) {
			rc = pfs_ptrace_may_access(t, target, e->flags & PFS_PTRACE_ATTACH);
			if (rc < 0)
				return -EACCES;
		}
	}
	if ((e->flags & PFS_SYSCTL) && (rc = sysctl_test_perm(t, e->mode, acc)) < 0)
		return rc;
	f->priv = xzalloc(sizeof(struct pfs_file));
	return 0;
}

static ssize_t pfs_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct pfs_inode *pi = PFS_I(f->inode);
	struct pfs_file *pf = f->priv;
	ssize_t n;
	int rc;

	if (pi->tgid && !pfs_task(pi))
		return -ESRCH;
	if (pi->e->raw_read) {
		n = pi->e->raw_read(t, pi, buf, len, *pos);
		if (n > 0)
			*pos += n;
		return n;
	}
	if (!pi->e->show)
		return -EINVAL;
	if (*pos < 0)
		return -EINVAL;
	if (*pos == 0 || !pf->filled) {
		pf->text.len = 0;
		rc = pi->e->show(t, pi, &pf->text);
		if (rc < 0)
			return rc;
		pf->filled = true;
	}
	if ((uint64_t)*pos >= pf->text.len)
		return 0;
	n = (ssize_t)MIN(len, pf->text.len - (size_t)*pos);
	memcpy(buf, pf->text.buf + *pos, (size_t)n);
	*pos += n;
	return n;
}

static ssize_t pfs_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos)
{
	struct pfs_inode *pi = PFS_I(f->inode);
	ssize_t n;

	if (pi->tgid && !pfs_task(pi))
		return -ESRCH;
	if (pi->e->raw_write) {
		n = pi->e->raw_write(t, pi, buf, len, *pos);
		if (n > 0)
			*pos += n;
		return n;
	}
	if (!pi->e->write)
		return -EINVAL;
	n = pi->e->write(t, pi, buf, len);
	if (n > 0)
		*pos += n;
	return n;
}

static int64_t pfs_llseek(struct file *f, int64_t off, int whence)
{
	struct pfs_inode *pi = PFS_I(f->inode);
	int64_t npos;

	switch (whence) {
	case SEEK_SET:
		npos = off;
		break;
	case SEEK_CUR:
		if (__builtin_add_overflow(f->pos, off, &npos))
			return -EINVAL;
		break;
	default:
		/* seq_lseek: no SEEK_END (the size is unknown). */
		return -EINVAL;
	}
	/* mem takes any address (mem_lseek); text files no negative offset. */
	if (npos < 0 && !pi->e->raw_read)
		return -EINVAL;
	f->pos = npos;
	return npos;
}

static void pfs_release(struct file *f)
{
	struct pfs_file *pf = f->priv;

	if (!pf)
		return;
	sbuf_free(&pf->text);
	free(pf);
}

static unsigned int pfs_poll(struct file *f, struct task *t, unsigned int events)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static const struct inode_ops pfs_reg_iops = {
	.open_task = pfs_open,
	.getattr = pfs_getattr,
	.evict = pfs_evict,
	.revalidate = pfs_revalidate,
};

static const struct file_ops pfs_reg_fops = {
	.read = pfs_read,
	.write = pfs_write,
	.llseek = pfs_llseek,
	.poll = pfs_poll,
	.release = pfs_release,
};

/* ---- links ---- */

static int pfs_readlink_plain(struct inode *ino, char *buf, size_t len)
{
	struct pfs_inode *pi = PFS_I(ino);

	if (pi->tgid && !pfs_task(pi))
		return -ENOENT;
	return pi->e->readlink(NULL, pi, buf, len);
}

static int pfs_get_link(struct task *t, const struct path *link, struct path *out)
{
	struct pfs_inode *pi = PFS_I(link->dentry->inode);

	if (pi->tgid && !pfs_task(pi))
		return -ENOENT;
	return pi->e->get_link(t, pi, link, out);
}

static int pfs_readlink_task(struct task *t, struct inode *ino, char *buf, size_t len)
{
	struct pfs_inode *pi = PFS_I(ino);

	if (pi->tgid && !pfs_task(pi))
		return -ENOENT;
	return pi->e->readlink(t, pi, buf, len);
}

static const struct inode_ops pfs_lnk_iops = {
	.readlink = pfs_readlink_plain,
	.getattr = pfs_getattr,
	.evict = pfs_evict,
	.revalidate = pfs_revalidate,
};

static int self_get_link(struct task *t, struct pfs_inode *pi, const struct path *link, struct path *out);
static int thread_self_get_link(struct task *t, struct pfs_inode *pi, const struct path *link,
				struct path *out);

/* /proc/self and /proc/thread-self are plain symlinks to Linux
 * ("PID", "PID/task/TID"): openat2's RESOLVE_NO_MAGICLINKS and scoped
 * lookups follow them. */
static bool pfs_link_is_magic(struct inode *ino)
{
	struct pfs_inode *pi = PFS_I(ino);

	return pi->e->get_link != self_get_link && pi->e->get_link != thread_self_get_link;
}

static const struct inode_ops pfs_magic_lnk_iops = {
	.link_is_magic = pfs_link_is_magic,
	.get_link = pfs_get_link,
	.readlink_task = pfs_readlink_task,
	.getattr = pfs_getattr,
	.evict = pfs_evict,
	.revalidate = pfs_revalidate,
};

struct inode *pfs_new_root(const char *fstype, unsigned long sb_flags, const struct pfs_entry *root)
{
	struct superblock *sb = sb_new(fstype, sb_flags | SB_NO_DCACHE);
	struct pfs_inode pi = { .fd = -1 };
	struct inode *ino = pfs_new_inode(sb, root, &pi);

	ino->ino = 1;
	sb_put(sb); /* the inode holds it */
	return ino;
}

/* ---- the /proc root ---- */

static const struct pfs_entry procfs_tgid_dir = {
	.name = "", .mode = S_IFDIR | 0555, .children = procfs_tgid_entries,
};

static int root_pid_lookup(struct inode *dir, const char *name, struct inode **out)
{
	pid_t pid = pfs_parse_decimal(name);
	struct task *t = pid > 0 ? pid_lookup(pid) : NULL;
	struct pfs_inode pi = { 0 };

	/* Any thread's id names its process (Linux's proc_pid_lookup), but
	 * only the processes are listed. */
	if (!t || t->tg->reaped)
		return -ENOENT;
	pfs_pid_identity(&pi, t, false);
	*out = pfs_new_inode(dir->sb, &procfs_tgid_dir, &pi);
	return 0;
}

struct pid_iter {
	struct dir_context *ctx;
};

static int root_pid_emit(struct thread_group *tg, void *arg)
{
	struct pid_iter *it = arg;
	struct dir_context *ctx = it->ctx;
	struct pfs_inode pi = { 0 };
	char name[16];
	int n;

	if (tg->tgid < ctx->pos - PFS_DYN_POS || !tg->leader)
		return 0;
	pfs_pid_identity(&pi, tg->leader, false);
	n = snprintf(name, sizeof(name), "%d", tg->tgid);
	if (!ctx->actor(ctx, name, n, PFS_DYN_POS + tg->tgid + 1, pfs_ino(&procfs_tgid_dir, &pi), DT_DIR))
		return 1; /* the caller's buffer is full */
	ctx->pos = PFS_DYN_POS + tg->tgid + 1;
	return 0;
}

static int root_pid_iterate(struct inode *dir, struct dir_context *ctx)
{
	struct pid_iter it = { ctx };

	tg_for_each(root_pid_emit, &it);
	return 0;
}

static const struct pfs_dir_ops root_pid_ops = {
	.lookup = root_pid_lookup,
	.iterate = root_pid_iterate,
};

/* /proc/self -> PID and /proc/thread-self -> PID/task/TID, as the task
 * asking sees them. */
static int self_name(struct task *t, bool thread, char *buf, size_t len)
{
	if (!t)
		return -ENOENT;
	if (thread)
		return snprintf(buf, len, "%d/task/%d", task_tgid(t), t->tid);
	return snprintf(buf, len, "%d", task_tgid(t));
}

static int self_walk(struct task *t, const struct path *link, bool thread, struct path *out)
{
	char name[32];
	struct path p;
	int rc = self_name(t, false, name, sizeof(name));
	struct dentry *d;

	if (rc < 0)
		return rc;
	p.mnt = mnt_get(link->mnt);
	p.dentry = dentry_get(link->dentry->parent);
	const char *steps[3] = { name, "task", NULL };
	char tid[16];

	if (thread) {
		snprintf(tid, sizeof(tid), "%d", t->tid);
		steps[2] = tid;
	}
	for (int i = 0; i < (thread ? 3 : 1); i++) {
		d = d_lookup_child(p.dentry, steps[i], strlen(steps[i]), &rc);
		if (d && !d->inode) {
			dentry_put(d);
			d = NULL;
			rc = -ENOENT;
		}
		if (!d) {
			path_put(&p);
			return rc;
		}
		dentry_put(p.dentry);
		p.dentry = d;
	}
	*out = p;
	return 0;
}

static int self_get_link(struct task *t, struct pfs_inode *pi, const struct path *link, struct path *out)
{
	return self_walk(t, link, false, out);
}

static int thread_self_get_link(struct task *t, struct pfs_inode *pi, const struct path *link,
				struct path *out)
{
	return self_walk(t, link, true, out);
}

static int copy_link(const char *s, int n, char *buf, size_t len)
{
	if (n < 0)
		return n;
	n = (int)MIN((size_t)n, len);
	memcpy(buf, s, (size_t)n);
	return n;
}

static int self_readlink(struct task *t, struct pfs_inode *pi, char *buf, size_t len)
{
	char name[32];

	return copy_link(name, self_name(t, false, name, sizeof(name)), buf, len);
}

static int thread_self_readlink(struct task *t, struct pfs_inode *pi, char *buf, size_t len)
{
	char name[32];

	return copy_link(name, self_name(t, true, name, sizeof(name)), buf, len);
}

static int mounts_readlink(struct task *t, struct pfs_inode *pi, char *buf, size_t len)
{
	return copy_link("self/mounts", 11, buf, len);
}

static const struct pfs_entry procfs_root_entries[] = {
	{ .name = "self", .mode = S_IFLNK | 0777, .get_link = self_get_link, .readlink = self_readlink },
	{ .name = "thread-self", .mode = S_IFLNK | 0777, .get_link = thread_self_get_link,
	  .readlink = thread_self_readlink },
	{ .name = "cpuinfo", .mode = S_IFREG | 0444, .show = procfs_show_cpuinfo },
	{ .name = "filesystems", .mode = S_IFREG | 0444, .show = procfs_show_filesystems },
	{ .name = "loadavg", .mode = S_IFREG | 0444, .show = procfs_show_loadavg },
	{ .name = "meminfo", .mode = S_IFREG | 0444, .show = procfs_show_meminfo },
	{ .name = "mounts", .mode = S_IFLNK | 0777, .readlink = mounts_readlink },
	{ .name = "stat", .mode = S_IFREG | 0444, .show = procfs_show_stat },
	{ .name = "swaps", .mode = S_IFREG | 0444, .show = procfs_show_swaps },
	{ .name = "sys", .mode = S_IFDIR | 0555, .children = procfs_sys_entries },
	{ .name = "uptime", .mode = S_IFREG | 0444, .show = procfs_show_uptime },
	{ .name = "version", .mode = S_IFREG | 0444, .show = procfs_show_version },
	{ .name = "vmstat", .mode = S_IFREG | 0444, .show = procfs_show_vmstat },
	{ 0 },
};

static const struct pfs_entry procfs_root = {
	.name = "/", .mode = S_IFDIR | 0555, .children = procfs_root_entries, .dyn = &root_pid_ops,
};

int procfs_new_root(struct inode **root)
{
	*root = pfs_new_root("proc", SB_LOOKUP_ENOENT, &procfs_root);
	return 0;
}

/* mount -t proc: every instance shows the sandbox's one pid namespace.
 * Options (hidepid=, subset=) are not supported. */
static int procfs_mount(const char *source, unsigned long sb_flags, const char *data,
			struct inode **root)
{
	if (data && *data) {
		log_once("procfs_opts", "mount -t proc: options are not supported (EINVAL)");
		return -EINVAL;
	}
	*root = pfs_new_root("proc", SB_LOOKUP_ENOENT | (sb_flags & MS_RDONLY), &procfs_root);
	return 0;
}

FS_TYPE_DEFINE(proc) = {
	.name = "proc",
	.mount = procfs_mount,
	.flags = FS_TYPE_NODEV,
};
