/* devfs: the sandbox's /dev, an in-memory directory tree built at boot
 * with the character devices every program expects (null, zero, full,
 * random, urandom, tty), the /proc/self/fd symlinks, empty shm and pts
 * directories (mountpoints), the ptmx link, and console when the
 * container has a terminal. Its contents are otherwise fixed: creating or
 * removing entries fails with EPERM (the filesystem has no such
 * operations). */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/mm.h"
#include "sentry/fs/tty.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

struct devfs_dirent {
	struct list_head link;
	char *name;
	struct inode *ino;
};

struct devfs_dir {
	struct list_head entries;
	size_t count;
};

/* The OCI default spec mounts /dev as a tmpfs (size=65536k,mode=755), and
 * devfs takes the place of that tmpfs: it reports the options it was
 * given in statfs and /proc/mounts as a tmpfs holding no data would. */
struct devfs_sb {
	struct tmpfs_opts opts;
	uint64_t inodes; /* made so far (the tree never shrinks) */
};

/* ---- character devices ---- */

static ssize_t null_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	return 0;
}

static ssize_t null_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos)
{
	return (ssize_t)len;
}

static ssize_t zero_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	memset(buf, 0, len);
	return (ssize_t)len;
}

static ssize_t full_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos)
{
	return -ENOSPC;
}

static ssize_t random_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -errno;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Seeking these devices is allowed and always lands at 0. */
static int64_t dev_llseek(struct file *f, int64_t off, int whence)
{
	f->pos = 0;
	return 0;
}

static unsigned int dev_poll(struct file *f, struct task *t, unsigned int events)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static const struct file_ops null_fops = {
	.read = null_read, .write = null_write, .llseek = dev_llseek, .poll = dev_poll,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = null_write, .llseek = dev_llseek, .poll = dev_poll,
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .llseek = dev_llseek, .poll = dev_poll,
};
/* Writing to Linux's random devices adds to the entropy pool and succeeds. */
static const struct file_ops random_fops = {
	.read = random_read, .write = null_write, .llseek = dev_llseek, .poll = dev_poll,
};

/* /dev/tty: a new file on the caller's controlling terminal; ENXIO
 * without one (tty_open_current_tty). */
static int tty_open(struct task *t, struct inode *ino, struct file *f)
{
	struct tty_struct *tty = t && t->tg ? t->tg->ctty : NULL;

	if (!tty || !tty->ops->open_ctty)
		return -ENXIO;
	return tty->ops->open_ctty(tty, f);
}

static int console_open(struct task *t, struct inode *ino, struct file *f)
{
	return console_open_file(f);
}

static const struct inode_ops chrdev_iops = { 0 };
static const struct inode_ops tty_iops = { .open_task = tty_open };
static const struct inode_ops console_iops = { .open_task = console_open };

/* ---- symlinks ---- */

static int devfs_readlink(struct inode *ino, char *buf, size_t bufsz)
{
	const char *target = ino->priv;
	size_t len = MIN(strlen(target), bufsz);

	memcpy(buf, target, len);
	return (int)len;
}

static void devfs_symlink_evict(struct inode *ino)
{
	free(ino->priv);
}

static const struct inode_ops symlink_iops = {
	.readlink = devfs_readlink,
	.evict = devfs_symlink_evict,
};

/* ---- directories ---- */

static int devfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct devfs_dir *dd = dir->priv;
	struct devfs_dirent *e;

	list_for_each_entry(e, &dd->entries, link) {
		if (strcmp(e->name, name) == 0) {
			*out = inode_get(e->ino);
			return 0;
		}
	}
	return -ENOENT;
}

static void devfs_dir_evict(struct inode *dir)
{
	struct devfs_dir *dd = dir->priv;
	struct devfs_dirent *e, *n;

	list_for_each_entry_safe(e, n, &dd->entries, link) {
		list_del(&e->link);
		inode_put(e->ino);
		free(e->name);
		free(e);
	}
	free(dd);
}

static int devfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct inode *dir = f->inode;
	struct devfs_dir *dd = dir->priv;
	struct devfs_dirent *e;
	int64_t i = 2;

	if (ctx->pos < 0)
		return -EINVAL;
	if (!dir_emit_dots(f, ctx))
		return 0;
	list_for_each_entry(e, &dd->entries, link) {
		if (i++ < ctx->pos)
			continue;
		if (!ctx->actor(ctx, e->name, (int)strlen(e->name), i, e->ino->ino,
				IFTODT(e->ino->mode)))
			return 0;
		ctx->pos = i;
	}
	return 0;
}

static const struct inode_ops dir_iops = {
	.lookup = devfs_lookup,
	.evict = devfs_dir_evict,
};

static const struct file_ops dir_fops = {
	.llseek = dcache_dir_llseek,
	.iterate = devfs_iterate,
	.poll = dev_poll,
};

/* ---- building the tree ---- */

static struct inode *devfs_mkdir_inode(struct superblock *sb, uint32_t perm)
{
	struct inode *ino = inode_new(sb, S_IFDIR | perm, &dir_iops, &dir_fops);
	struct devfs_dir *dd = xzalloc(sizeof(*dd));

	list_init(&dd->entries);
	ino->priv = dd;
	return ino;
}

/* Adds ino (reference taken over) as name in dir. */
static void devfs_add(struct inode *dir, const char *name, struct inode *ino)
{
	struct devfs_dir *dd = dir->priv;
	struct devfs_dirent *e = xzalloc(sizeof(*e));

	e->name = xstrdup(name);
	e->ino = ino;
	if (ino->sb->priv)
		((struct devfs_sb *)ino->sb->priv)->inodes++;
	list_add_tail(&e->link, &dd->entries);
	dd->count++;
	if (S_ISDIR(ino->mode))
		dir->nlink++;
}

static void devfs_add_chrdev(struct inode *dir, const char *name, unsigned int major,
			     unsigned int minor, const struct inode_ops *iops,
			     const struct file_ops *fops)
{
	struct inode *ino = inode_new(dir->sb, S_IFCHR | 0666, iops, fops);

	ino->rdev = makedev(major, minor);
	ino->size = 0;
	devfs_add(dir, name, ino);
}

static void devfs_add_symlink(struct inode *dir, const char *name, const char *target)
{
	struct inode *ino = inode_new(dir->sb, S_IFLNK | 0777, &symlink_iops, NULL);

	ino->priv = xstrdup(target);
	ino->size = (int64_t)strlen(target);
	devfs_add(dir, name, ino);
}

/* The mounted /dev, for entries that appear after boot. */
static struct inode *devfs_root_ino;


static int devfs_statfs(struct superblock *sb, struct statfs *st)
{
	struct devfs_sb *ds = sb->priv;

	memset(st, 0, sizeof(*st));
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = PAGE_SIZE;
	st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX_LEN;
	st->f_blocks = st->f_bfree = st->f_bavail = ds->opts.max_pages;
	if (ds->opts.max_inodes) {
		st->f_files = ds->opts.max_inodes;
		st->f_ffree = ds->opts.max_inodes - MIN(ds->inodes, ds->opts.max_inodes);
	}
	return 0;
}

static int devfs_show_options(struct superblock *sb, char *buf, size_t len)
{
	struct devfs_sb *ds = sb->priv;

	return tmpfs_show_opts(&ds->opts, buf, len);
}

static void devfs_kill_sb(struct superblock *sb)
{
	free(sb->priv);
	sb->priv = NULL;
}

void devfs_add_console(void)
{
	if (devfs_root_ino)
		devfs_add_chrdev(devfs_root_ino, "console", 5, 1, &console_iops, NULL);
}

int devfs_new_root_opts(const char *data, struct inode **root)
{
	struct devfs_sb *ds = xzalloc(sizeof(*ds));
	struct superblock *sb;
	struct inode *dir;
	int rc;

	if ((rc = tmpfs_parse_options(data, &ds->opts)) < 0) {
		free(ds);
		return rc;
	}
	/* /dev is 0755 unless the mount says otherwise (devtmpfs's mode). */
	if (!ds->opts.mode_set)
		ds->opts.mode = 0755;
	sb = sb_new("tmpfs", 0);
	sb->priv = ds;
	sb->statfs = devfs_statfs;
	sb->show_options = devfs_show_options;
	sb->kill_sb = devfs_kill_sb;
	dir = devfs_mkdir_inode(sb, ds->opts.mode & 07777);
	dir->uid = ds->opts.uid;
	dir->gid = ds->opts.gid;
	devfs_add_chrdev(dir, "null", 1, 3, &chrdev_iops, &null_fops);
	devfs_add_chrdev(dir, "zero", 1, 5, &chrdev_iops, &zero_fops);
	devfs_add_chrdev(dir, "full", 1, 7, &chrdev_iops, &full_fops);
	devfs_add_chrdev(dir, "random", 1, 8, &chrdev_iops, &random_fops);
	devfs_add_chrdev(dir, "urandom", 1, 9, &chrdev_iops, &random_fops);
	devfs_add_chrdev(dir, "tty", 5, 0, &tty_iops, NULL);
	devfs_add_symlink(dir, "fd", "/proc/self/fd");
	devfs_add_symlink(dir, "stdin", "/proc/self/fd/0");
	devfs_add_symlink(dir, "stdout", "/proc/self/fd/1");
	devfs_add_symlink(dir, "stderr", "/proc/self/fd/2");
	devfs_add(dir, "shm", devfs_mkdir_inode(sb, 01777));
	/* Where the OCI default spec mounts mqueue (devfs makes no
	 * directories on demand). */
	devfs_add(dir, "mqueue", devfs_mkdir_inode(sb, 0755));
	/* runc's layout: devpts is mounted at /dev/pts (mount_setup.c),
	 * /dev/ptmx is a link to its ptmx. */
	devfs_add(dir, "pts", devfs_mkdir_inode(sb, 0755));
	devfs_add_symlink(dir, "ptmx", "pts/ptmx");
	ds->inodes++; /* the root */
	sb_put(sb); /* the inodes hold it */
	devfs_root_ino = dir; /* the mount keeps it */
	*root = dir;
	return 0;
}

int devfs_new_root(struct inode **root)
{
	return devfs_new_root_opts(NULL, root);
}
