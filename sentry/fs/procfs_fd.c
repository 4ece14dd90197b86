/* /proc/PID/fd, /proc/PID/fdinfo and /proc/PID/ns.
 *
 * fd/N is a magic link: following it leads to the open file itself, as
 * Linux's proc_fd_link does. A file with a path (anything opened by name)
 * continues the walk at that path, so opening fd/N opens the same file
 * anew, even when it was deleted. A file without one (a pipe, a host fd
 * of the workload's stdio) has no place in the tree: the walk ends on a
 * private dentry whose inode mirrors the file's attributes and whose open
 * asks the file's reopen op for a new open file description of the same
 * object (a pipe end), or fails with ENXIO like Linux's sockets. These
 * private dentries hang on an internal mount that is in no mount table.
 * ns/TYPE links lead the same way to one nsfs inode per namespace. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/procfs.h"

/* ---- the internal mount and private dentries ---- */

static struct mount *internal_mnt;

static struct mount *internal_mount(void)
{
	if (!internal_mnt) {
		struct superblock *sb = sb_new("anon_inodefs", 0);
		struct inode *root = inode_new(sb, S_IFDIR | 0, NULL, NULL);

		sb_put(sb);
		if (vfs_mount(NULL, root, 0, &internal_mnt) < 0)
			log_error("procfs: no internal mount");
		inode_put(root);
	}
	return internal_mnt;
}

/* A path for ino that names no place in the tree. */
static void private_path(struct inode *ino, struct path *out)
{
	out->mnt = mnt_get(internal_mount());
	out->dentry = d_make_root(ino);
}

/* Superblocks standing for the devices of path-less files (pipefs, the
 * host fds' device), so that stat through fd/N shows their st_dev. */
static struct superblock **dev_sbs;
static size_t nr_dev_sbs;

static struct superblock *sb_for_dev(uint64_t dev)
{
	for (size_t i = 0; i < nr_dev_sbs; i++)
		if (dev_sbs[i]->dev == dev)
			return dev_sbs[i];
	dev_sbs = xrealloc(dev_sbs, (nr_dev_sbs + 1) * sizeof(*dev_sbs));
	dev_sbs[nr_dev_sbs] = sb_new("anon_inodefs", 0);
	dev_sbs[nr_dev_sbs]->dev = dev;
	return dev_sbs[nr_dev_sbs++];
}

static void stat_to_inode(const struct stat *st, struct inode *ino)
{
	ino->ino = st->st_ino;
	ino->mode = st->st_mode;
	ino->nlink = (uint32_t)st->st_nlink;
	ino->uid = st->st_uid;
	ino->gid = st->st_gid;
	ino->rdev = st->st_rdev;
	ino->size = st->st_size;
	ino->blocks = st->st_blocks;
	ino->blksize = (uint32_t)st->st_blksize;
	ino->atime = st->st_atim;
	ino->mtime = st->st_mtim;
	ino->ctime = st->st_ctim;
}

static int anon_getattr(struct inode *ino)
{
	struct stat st;

	if (ino->priv && vfs_fstat(ino->priv, &st) == 0)
		stat_to_inode(&st, ino);
	return 0;
}

/* open_task, not open: a reopened pipe is this file's business, not a
 * FIFO open of the VFS. */
static int anon_open(struct task *t, struct inode *ino, struct file *nf)
{
	struct file *orig = ino->priv;
	int rc;

	if (!orig || !orig->ops || !orig->ops->reopen)
		return -ENXIO;
	rc = orig->ops->reopen(orig, nf);
	if (rc < 0)
		return rc;
	/* The new file is path-less like the one it reopens: it must not
	 * pin this private inode (and through it the original file). */
	path_put(&nf->path);
	nf->path = (struct path){ 0 };
	inode_put(nf->inode);
	nf->inode = NULL;
	return 0;
}

static void anon_evict(struct inode *ino)
{
	if (ino->priv)
		file_put(ino->priv);
}

static const struct inode_ops anon_iops = {
	.open_task = anon_open,
	.getattr = anon_getattr,
	.evict = anon_evict,
};

static int anon_file_path(struct file *f, struct path *out)
{
	struct stat st;
	struct inode *ino;
	int rc = vfs_fstat(f, &st);

	if (rc < 0)
		return rc;
	ino = inode_new(sb_for_dev(st.st_dev), st.st_mode, &anon_iops, NULL);
	stat_to_inode(&st, ino);
	ino->priv = file_get(f);
	private_path(ino, out);
	inode_put(ino); /* the dentry's */
	return 0;
}

/* ---- fd/N ---- */

static struct file *task_file(struct task *t, int fd)
{
	if (!t->files || fd < 0 || fd >= t->files->size)
		return NULL;
	return t->files->files[fd];
}

static int fd_target(struct task *t, struct pfs_inode *pi, struct file **out)
{
	struct task *target = pfs_task(pi);
	struct file *f;

	/* proc_fd_access_allowed() */
	if (pfs_ptrace_may_access(t, target, false) < 0)
		return -EACCES;
	f = task_file(target, pi->fd);
	if (!f)
		return -ENOENT;
	*out = f;
	return 0;
}

static int fd_get_link(struct task *t, struct pfs_inode *pi, const struct path *link, struct path *out)
{
	struct file *f;
	int rc = fd_target(t, pi, &f);

	if (rc < 0)
		return rc;
	if (f->path.dentry) {
		*out = f->path;
		path_get(out);
		return 0;
	}
	return anon_file_path(f, out);
}

/* What a path-less file is called: pipe:[ino], socket:[ino], or what its
 * filesystem says. */
static int file_dname(struct file *f, char *buf, size_t len)
{
	struct stat st;

	if (f->ops && f->ops->dname)
		return f->ops->dname(f, buf, len);
	if (vfs_fstat(f, &st) == 0) {
		if (S_ISFIFO(st.st_mode))
			return snprintf(buf, len, "pipe:[%llu]", (unsigned long long)st.st_ino);
		if (S_ISSOCK(st.st_mode))
			return snprintf(buf, len, "socket:[%llu]", (unsigned long long)st.st_ino);
	}
	return snprintf(buf, len, "anon_inode:[unknown]");
}

static int fd_readlink(struct task *t, struct pfs_inode *pi, char *buf, size_t len)
{
	char tmp[PATH_MAX];
	struct file *f;
	int rc = fd_target(t, pi, &f);

	if (rc < 0)
		return rc;
	if (f->path.dentry)
		return procfs_path_text(t, &f->path, buf, len);
	rc = file_dname(f, tmp, sizeof(tmp));
	if (rc < 0)
		return rc;
	rc = (int)MIN((size_t)rc, MIN(len, sizeof(tmp) - 1));
	memcpy(buf, tmp, (size_t)rc);
	return rc;
}

static const struct pfs_entry fd_link_entry = {
	.name = "", .mode = S_IFLNK | 0700, .get_link = fd_get_link, .readlink = fd_readlink,
};

static int show_fdinfo(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct task *t = pfs_task(pi);
	struct file *f = task_file(t, pi->fd);
	struct mount *m;
	int flags;

	if (!f)
		return -ENOENT;
	m = f->path.mnt ? f->path.mnt : internal_mount();
	flags = f->flags;
	if (fd_get_cloexec(t, pi->fd) == 1)
		flags |= O_CLOEXEC;
	sbuf_printf(out, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\n", (long long)f->pos, (unsigned int)flags,
		    m ? m->id : 0);
	if (f->ops && f->ops->show_fdinfo)
		f->ops->show_fdinfo(f, out);
	return 0;
}

static const struct pfs_entry fdinfo_entry = {
	.name = "", .mode = S_IFREG | 0400, .show = show_fdinfo,
};

/* The link's mode shows the access mode (lr-x, l-wx, lrwx). */
static uint32_t fd_link_mode(const struct file *f)
{
	uint32_t mode = S_IFLNK;
	int acc = f->flags & O_ACCMODE;

	if (f->flags & O_PATH)
		return mode;
	if (acc == O_RDONLY || acc == O_RDWR)
		mode |= S_IRUSR | S_IXUSR;
	if (acc == O_WRONLY || acc == O_RDWR)
		mode |= S_IWUSR | S_IXUSR;
	return mode;
}

static int fd_dir_lookup_entry(struct inode *dir, const char *name, const struct pfs_entry *e,
			       struct inode **out)
{
	struct pfs_inode pi = *PFS_I(dir);
	struct task *t = pfs_task(&pi);
	int fd = pfs_parse_decimal(name);
	struct file *f = fd >= 0 ? task_file(t, fd) : NULL;

	if (!f)
		return -ENOENT;
	pi.fd = fd;
	*out = pfs_new_inode(dir->sb, e, &pi);
	if (e == &fd_link_entry) {
		(*out)->mode = fd_link_mode(f);
		(*out)->size = 64; /* as Linux's proc_fd_instantiate */
	}
	return 0;
}

static int fd_dir_iterate_entry(struct inode *dir, struct dir_context *ctx, const struct pfs_entry *e)
{
	struct pfs_inode pi = *PFS_I(dir);
	struct task *t = pfs_task(&pi);

	for (int fd = (int)MAX(ctx->pos - PFS_DYN_POS, 0); t->files && fd < t->files->size; fd++) {
		char name[16];
		int n;

		if (!t->files->files[fd])
			continue;
		pi.fd = fd;
		n = snprintf(name, sizeof(name), "%d", fd);
		if (!ctx->actor(ctx, name, n, PFS_DYN_POS + fd + 1, pfs_ino(e, &pi), IFTODT(e->mode)))
			return 0;
		ctx->pos = PFS_DYN_POS + fd + 1;
	}
	return 0;
}

static int fd_dir_lookup(struct inode *dir, const char *name, struct inode **out)
{
	return fd_dir_lookup_entry(dir, name, &fd_link_entry, out);
}

static int fd_dir_iterate(struct inode *dir, struct dir_context *ctx)
{
	return fd_dir_iterate_entry(dir, ctx, &fd_link_entry);
}

static int fdinfo_dir_lookup(struct inode *dir, const char *name, struct inode **out)
{
	return fd_dir_lookup_entry(dir, name, &fdinfo_entry, out);
}

static int fdinfo_dir_iterate(struct inode *dir, struct dir_context *ctx)
{
	return fd_dir_iterate_entry(dir, ctx, &fdinfo_entry);
}

const struct pfs_dir_ops procfs_fd_dir_ops = {
	.lookup = fd_dir_lookup,
	.iterate = fd_dir_iterate,
};

const struct pfs_dir_ops procfs_fdinfo_dir_ops = {
	.lookup = fdinfo_dir_lookup,
	.iterate = fdinfo_dir_iterate,
};

/* ---- ns/ ---- */

/* The sandbox is a whole kernel to its workload: its namespaces are the
 * initial ones, with Linux's inode numbers for those (mnt and net are
 * allocated at boot; these are the values a typical boot gives them). */
static const struct ns_kind {
	const char *name;
	unsigned int inum;
} ns_kinds[] = {
	{ "cgroup", 0xEFFFFFFBU }, { "ipc", 0xEFFFFFFFU },  { "mnt", 0xF0000000U },
	{ "net", 0xF0000098U },    { "pid", 0xEFFFFFFCU },  { "pid_for_children", 0xEFFFFFFCU },
	{ "user", 0xEFFFFFFDU },   { "uts", 0xEFFFFFFEU },
};

static const struct file_ops nsfs_fops; /* read and write: EINVAL, as nsfs */

static struct inode *nsfs_inode(unsigned int inum)
{
	static struct superblock *sb;
	static struct inode *inodes[8];
	static unsigned int inums[8];
	size_t i;

	if (!sb)
		sb = sb_new("nsfs", 0);
	for (i = 0; i < ARRAY_SIZE(inodes) && inodes[i]; i++)
		if (inums[i] == inum)
			return inode_get(inodes[i]);
	inodes[i] = inode_new(sb, S_IFREG | 0444, NULL, &nsfs_fops);
	inodes[i]->ino = inum;
	inums[i] = inum;
	return inode_get(inodes[i]);
}

static const struct ns_kind *ns_of(struct pfs_inode *pi)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_kinds); i++)
		if (strcmp(ns_kinds[i].name, pi->e->name) == 0)
			return &ns_kinds[i];
	return NULL;
}

static int ns_get_link(struct task *t, struct pfs_inode *pi, const struct path *link, struct path *out)
{
	const struct ns_kind *k = ns_of(pi);
	struct inode *ino;

	if (pfs_ptrace_may_access(t, pfs_task(pi), false) < 0)
		return -EACCES;
	ino = nsfs_inode(k->inum);
	private_path(ino, out);
	inode_put(ino);
	return 0;
}

static int ns_readlink(struct task *t, struct pfs_inode *pi, char *buf, size_t len)
{
	const struct ns_kind *k = ns_of(pi);
	char tmp[64];
	int n;

	if (pfs_ptrace_may_access(t, pfs_task(pi), false) < 0)
		return -EACCES;
	/* pid_for_children names the pid namespace. */
	n = snprintf(tmp, sizeof(tmp), "%s:[%u]", strcmp(k->name, "pid_for_children") ? k->name : "pid",
		     k->inum);
	n = (int)MIN((size_t)n, len);
	memcpy(buf, tmp, (size_t)n);
	return n;
}

#define NS_ENTRY(n) { .name = n, .mode = S_IFLNK | 0777, .get_link = ns_get_link, .readlink = ns_readlink }

const struct pfs_entry procfs_ns_entries[] = {
	NS_ENTRY("cgroup"), NS_ENTRY("ipc"), NS_ENTRY("mnt"), NS_ENTRY("net"),
	NS_ENTRY("pid"), NS_ENTRY("pid_for_children"), NS_ENTRY("user"), NS_ENTRY("uts"),
	{ 0 },
};
