/* open(2) on paths, after Linux's path_openat()/do_open()/may_open(). */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/pipe.h"
#include "sentry/fsnotify.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

#include <sys/mount.h>

/* The kernel's __O_TMPFILE bit alone (glibc's __O_TMPFILE includes
 * O_DIRECTORY). */
#define KERNEL_O_TMPFILE_BIT 020000000

/* An O_PATH file only names its path: every operation on the fd but
 * close, dup, fcntl, fstat, fchdir and use as a dirfd fails with EBADF. */
static ssize_t opath_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	return -EBADF;
}

static ssize_t opath_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos)
{
	return -EBADF;
}

static int64_t opath_llseek(struct file *f, int64_t off, int whence)
{
	return -EBADF;
}

static int opath_iterate(struct file *f, struct dir_context *ctx)
{
	return -EBADF;
}

static long opath_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	return -EBADF;
}

static unsigned int opath_poll(struct file *f, struct task *t, unsigned int events)
{
	return POLLNVAL;
}

static const struct file_ops opath_fops = {
	.read = opath_read,
	.write = opath_write,
	.llseek = opath_llseek,
	.iterate = opath_iterate,
	.ioctl = opath_ioctl,
	.poll = opath_poll,
};

/* For inodes without file operations (and failed opens, so that release
 * never sees a file its filesystem did not set up). */
static const struct file_ops no_fops;

static struct file *file_for_path(const struct file_ops *ops, const struct path *p, int flags)
{
	struct file *f = file_alloc(ops ? ops : &no_fops, flags, NULL);

	f->path = *p;
	path_get(&f->path);
	f->inode = inode_get(p->dentry->inode);
	return f;
}

static int acc_mode(int flags)
{
	static const int modes[4] = { MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE, MAY_READ | MAY_WRITE };
	int acc = modes[flags & O_ACCMODE];

	if (flags & O_TRUNC)
		acc |= MAY_WRITE;
	return acc;
}

static bool owner_or_capable(const struct cred *c, const struct inode *ino)
{
	return !c || c->fsuid == ino->uid || cred_capable(c, CAP_FOWNER);
}

/* may_open(): what the inode's type, the mount and the mode bits allow. */
static int may_open(const struct cred *c, const struct path *p, int acc, int *flags)
{
	struct inode *ino = p->dentry->inode;
	int rc;

	switch (ino->mode & S_IFMT) {
	case S_IFLNK:
		return -ELOOP;
	case S_IFDIR:
		if (acc & MAY_WRITE)
			return -EISDIR;
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (path_mnt_flags(p) & MS_NODEV)
			return -EACCES;
		break;
	case S_IFIFO:
	case S_IFSOCK:
		*flags &= ~O_TRUNC;
		break;
	}
	/* A read-only filesystem only refuses writes to what it stores
	 * (devices and FIFOs on it remain writable). */
	if ((acc & MAY_WRITE) && (S_ISREG(ino->mode) || S_ISDIR(ino->mode)) && path_readonly(p))
		return -EROFS;
	if ((rc = vfs_permission_cred(c, ino, acc)) < 0)
		return rc;
	if ((*flags & O_NOATIME) && !owner_or_capable(c, ino))
		return -EPERM;
	return 0;
}

int vfs_do_open(struct task *t, const struct cred *cred, const struct path *p, int flags,
		bool created, struct file **out)
{
	const struct cred *c = cred ? cred : (t ? t->cred : NULL);
	struct inode *ino = p->dentry->inode;
	struct file *f;
	int acc, rc;

	if (!ino)
		return -ENOENT;
	if (flags & O_PATH) {
		*out = file_for_path(&opath_fops, p, flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW));
		return 0;
	}
	acc = acc_mode(flags);
	if (flags & O_VFS_EXEC) {
		if (!S_ISREG(ino->mode) || (path_mnt_flags(p) & MS_NOEXEC))
			return -EACCES;
		acc = MAY_EXEC;
		flags = (flags & ~(O_VFS_EXEC | O_ACCMODE | O_TRUNC)) | O_RDONLY;
	}
	if (created) {
		/* The creator may open what it just made, whatever its mode. */
		acc = 0;
		flags &= ~O_TRUNC;
	}
	rc = may_open(c, p, acc, &flags);
	if (rc < 0)
		return rc;

	/* iops->open sees the open-time flags (O_TRUNC, O_CREAT) too; the
	 * file keeps what F_GETFL reports, as Linux's f_flags. */
	f = file_for_path(ino->fops, p, flags);
	f->flags = flags & ~O_CLOEXEC;
	if (S_ISFIFO(ino->mode) && !(ino->iops && ino->iops->open_task)) {
		/* FIFOs are the VFS's on every filesystem (Linux's
		 * init_special_inode): a pipe in the sentry, never the
		 * filesystem's file. A filesystem with open_task opens
		 * everything itself (procfs reopening a pipe). */
		rc = fifo_open(ino, f, t);
		if (rc < 0) {
			f->ops = &no_fops;
			file_put(f);
			return rc;
		}
	} else if (ino->iops && (ino->iops->open_task || ino->iops->open)) {
		rc = ino->iops->open_task ? ino->iops->open_task(t, ino, f) : ino->iops->open(ino, f);
		if (rc < 0) {
			f->ops = &no_fops;
			file_put(f);
			return rc;
		}
	}
	f->flags = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | KERNEL_O_LARGEFILE;
	/* Linux opens (do_dentry_open's IN_OPEN) before handle_truncate()
	 * reports an existing file truncated by the open. */
	f->f_notify = true;
	fsnotify_open(f);
	if ((flags & O_TRUNC) && S_ISREG(ino->mode))
		fsnotify_change(p->dentry, VFS_ATTR_SIZE);
	*out = f;
	return 0;
}

int vfs_open_path(struct task *t, const struct path *p, int flags, struct file **out)
{
	return vfs_do_open(t, NULL, p, flags, false, out);
}

static uint32_t task_umask(struct task *t)
{
	return t && t->fs ? t->fs->umask : 022;
}

/* Creates nd->last in nd->cur (a negative dentry child) and opens it. */
static int create_and_open(struct nameidata *nd, struct dentry *child, int flags, uint32_t mode,
			   struct file **out)
{
	struct inode *dir = nd->cur.dentry->inode, *ino = NULL;
	struct path cp;
	int rc;

	if (path_readonly(&nd->cur))
		return -EROFS;
	if ((rc = vfs_permission_cred(nd->cred, dir, MAY_WRITE | MAY_EXEC)) < 0)
		return rc;
	/* Linux's lookup_open answers EACCES for a directory that cannot
	 * create files. */
	if (!dir->iops || !dir->iops->create)
		return -EACCES;
	mode = ((mode & 07777) & ~task_umask(nd->t)) | S_IFREG;
	rc = dir->iops->create(dir, nd->last, mode, &ino);
	if (rc < 0)
		return rc;
	d_instantiate(child, ino);
	inode_put(ino);
	fsnotify_create(dir, nd->last, false);
	cp.mnt = nd->cur.mnt;
	cp.dentry = child;
	return vfs_do_open(nd->t, nd->cred, &cp, flags, true, out);
}

static int open_create(struct task *t, int dirfd, const char *path, int flags, uint32_t mode,
		       unsigned int resolve, struct file **out)
{
	_cleanup_free_ char *link = NULL;
	const char *walk = path;
	struct nameidata nd;
	int rc;

	if (!path[0])
		return -ENOENT;
	rc = nd_init(&nd, t, NULL, dirfd, path, LOOKUP_FOLLOW | resolve);
	if (rc < 0)
		return rc;
	for (;;) {
		struct dentry *child;
		struct path cp;
		char *target;

		rc = nd_walk(&nd, walk, true);
		if (rc < 0)
			break;
		/* "/", "." and "..": an existing directory; "name/": cannot
		 * be created as a regular file. A scoped ".." may not even
		 * get there (open_last_lookups' handle_dots). */
		if (nd.last_type == LAST_DOTDOT && (rc = nd_dotdot(&nd)) < 0)
			break;
		if (nd.last_type != LAST_NORM || nd.last_slash) {
			rc = -EISDIR;
			break;
		}
		child = d_lookup_child(nd.cur.dentry, nd.last, nd.last_len, &rc);
		if (!child)
			break;
		if (!child->inode) {
			rc = create_and_open(&nd, child, flags, mode, out);
			dentry_put(child);
			break;
		}
		if (flags & O_EXCL) {
			dentry_put(child);
			rc = -EEXIST;
			break;
		}
		cp.mnt = mnt_get(nd.cur.mnt);
		cp.dentry = child;
		if ((rc = nd_follow_mounts(&nd, &cp)) < 0) {
			path_put(&cp);
			break;
		}
		if (!S_ISLNK(cp.dentry->inode->mode)) {
			rc = S_ISDIR(cp.dentry->inode->mode) ? -EISDIR
							     : vfs_do_open(t, NULL, &cp, flags, false, out);
			path_put(&cp);
			break;
		}
		/* A trailing symlink: O_CREAT creates its target if needed. */
		if (flags & O_NOFOLLOW) {
			path_put(&cp);
			rc = -ELOOP;
			break;
		}
		if ((resolve & LOOKUP_NO_SYMLINKS) || ++nd.nlinks > MAX_SYMLINKS) {
			path_put(&cp);
			rc = -ELOOP;
			break;
		}
		if (cp.dentry->inode->iops && cp.dentry->inode->iops->get_link) {
			/* A magic link (/dev/stdout -> /proc/self/fd/1) names an
			 * existing object: open it, never create. */
			struct path jump;

			rc = nd_get_link(&nd, &cp, &jump);
			path_put(&cp);
			if (rc < 0)
				break;
			rc = S_ISDIR(jump.dentry->inode->mode) ? -EISDIR
							       : vfs_do_open(t, NULL, &jump, flags, false, out);
			path_put(&jump);
			break;
		}
		rc = vfs_readlink_alloc(cp.dentry->inode, &target);
		path_put(&cp);
		if (rc < 0)
			break;
		free(link);
		link = target;
		walk = link;
		if (!*walk) {
			rc = -ENOENT;
			break;
		}
	}
	nd_release(&nd);
	return rc;
}

/* O_TMPFILE: an unnamed file in dir (do_tmpfile()), which linkat may
 * name later. Its dentry is unhashed, so it shows as "/dir/#ino (deleted)". */
static int open_tmpfile(struct task *t, const struct path *dir, int flags, uint32_t mode,
			struct file **out)
{
	struct inode *d = dir->dentry->inode, *ino;
	struct path p;
	char name[32];
	int rc;

	if (path_readonly(dir))
		return -EROFS;
	if ((rc = vfs_permission(t, d, MAY_WRITE | MAY_EXEC)) < 0)
		return rc;
	if (!d->iops || !d->iops->tmpfile) {
		/* What Linux answers for a filesystem without ->tmpfile. */
		log_once("open_tmpfile", "open: O_TMPFILE is not supported on %s", d->sb->fstype);
		return -EOPNOTSUPP;
	}
	rc = d->iops->tmpfile(d, ((mode & 07777) & ~task_umask(t)) | S_IFREG, &ino);
	if (rc < 0)
		return rc;
	snprintf(name, sizeof(name), "#%llu", (unsigned long long)ino->ino);
	ino->i_unlinkable = flags & O_EXCL;
	p.mnt = dir->mnt;
	p.dentry = d_alloc_unhashed(dir->dentry, name, ino);
	inode_put(ino);
	rc = vfs_do_open(t, NULL, &p, flags, true, out);
	dentry_put(p.dentry);
	return rc;
}

int vfs_open(struct task *t, int dirfd, const char *path, int flags, uint32_t mode, struct file **out)
{
	return vfs_open_how(t, dirfd, path, flags, mode, 0, out);
}

int vfs_open_how(struct task *t, int dirfd, const char *path, int flags, uint32_t mode,
		 unsigned int resolve, struct file **out)
{
	unsigned int lf;
	struct path p;
	int rc;

	flags &= ~O_VFS_EXEC; /* kernel-internal, as __FMODE_EXEC */
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW;
	if (flags & KERNEL_O_TMPFILE_BIT) {
		if ((flags & (KERNEL_O_TMPFILE_BIT | O_DIRECTORY | O_CREAT)) !=
			    (KERNEL_O_TMPFILE_BIT | O_DIRECTORY) ||
		    !(acc_mode(flags) & MAY_WRITE))
			return -EINVAL;
		rc = vfs_lookup(t, dirfd, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY | resolve, &p);
		if (rc < 0)
			return rc;
		rc = open_tmpfile(t, &p, flags & ~(KERNEL_O_TMPFILE_BIT | O_DIRECTORY), mode, out);
		path_put(&p);
		return rc;
	}
	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
		return -EINVAL;
	if (flags & O_CREAT)
		return open_create(t, dirfd, path, flags, mode, resolve, out);

	lf = ((flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) | resolve;
	if (flags & O_DIRECTORY)
		lf |= LOOKUP_DIRECTORY;
	rc = vfs_lookup(t, dirfd, path, lf, &p);
	if (rc < 0)
		return rc;
	rc = vfs_do_open(t, NULL, &p, flags, false, out);
	path_put(&p);
	return rc;
}
