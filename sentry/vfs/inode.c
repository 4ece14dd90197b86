/* Superblocks and inodes: allocation, reference counting, stat. */
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "runsc/util.h"
#include "sentry/fs/pipe.h"
#include "sentry/fsnotify.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

/* Like Linux's anonymous block devices (get_anon_bdev): major 0, a fresh
 * minor per superblock, so st_dev tells filesystems apart. */
static unsigned int next_anon_minor = 16;

struct superblock *sb_new(const char *fstype, unsigned long flags)
{
	struct superblock *sb = xzalloc(sizeof(*sb));

	sb->refcount = 1;
	sb->dev = makedev(0, next_anon_minor++);
	sb->fstype = fstype;
	sb->flags = flags;
	sb->next_ino = 1;
	return sb;
}

void sb_put(struct superblock *sb)
{
	if (!sb || --sb->refcount > 0)
		return;
	if (sb->kill_sb)
		sb->kill_sb(sb);
	free(sb);
}

struct inode *inode_new(struct superblock *sb, uint32_t mode, const struct inode_ops *iops,
			const struct file_ops *fops)
{
	struct inode *ino = xzalloc(sizeof(*ino));
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	ino->refcount = 1;
	ino->ino = sb->next_ino++;
	ino->mode = mode;
	ino->nlink = S_ISDIR(mode) ? 2 : 1;
	ino->blksize = 4096;
	ino->atime = ino->mtime = ino->ctime = now;
	ino->sb = sb;
	sb->refcount++;
	ino->iops = iops;
	ino->fops = fops;
	return ino;
}

struct inode *inode_get(struct inode *ino)
{
	if (ino)
		ino->refcount++;
	return ino;
}

void inode_put(struct inode *ino)
{
	if (!ino || --ino->refcount > 0)
		return;
	fsnotify_inode_evict(ino);
	if (ino->iops && ino->iops->evict)
		ino->iops->evict(ino);
	/* Open FIFO files hold the inode, so its pipe is idle by now. */
	if (ino->pipe)
		fifo_free(ino->pipe);
	sb_put(ino->sb);
	free(ino);
}

void inode_fill_stat(struct inode *ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ino->sb->dev;
	st->st_ino = ino->ino;
	st->st_mode = ino->mode;
	st->st_nlink = ino->nlink;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_rdev = ino->rdev;
	st->st_size = ino->size;
	st->st_blksize = ino->blksize;
	st->st_blocks = ino->blocks;
	st->st_atim = ino->atime;
	st->st_mtim = ino->mtime;
	st->st_ctim = ino->ctime;
}

const struct cred *vfs_current_cred(void)
{
	return kernel && kernel->current ? kernel->current->cred : NULL;
}

void inode_init_owner(struct inode *ino, const struct inode *dir, uint32_t mode)
{
	const struct cred *c = vfs_current_cred();

	ino->uid = c ? c->fsuid : 0;
	ino->gid = c ? c->fsgid : 0;
	if (dir && (dir->mode & S_ISGID)) {
		/* BSD group semantics, and subdirectories keep the bit so
		 * their own children inherit it too. */
		ino->gid = dir->gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	} else if ((mode & S_ISGID) && !S_ISDIR(mode) && c && !cred_in_group(c, ino->gid) &&
		   !cred_capable(c, CAP_FSETID)) {
		mode &= ~(uint32_t)S_ISGID;
	}
	ino->mode = mode;
}
