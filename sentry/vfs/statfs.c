/* statfs(2) and fsync(2) at the VFS level: what the filesystem reports,
 * completed with what the mount says. */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#ifndef ST_VALID
#define ST_VALID 0x0020 /* f_flags is valid (Linux statfs(2)) */
#endif

#include "runsc/log.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

/* f_type of the filesystems without a statfs of their own, by the name
 * they show in /proc/mounts (linux/magic.h). */
static const struct {
	const char *fstype;
	long magic;
} magics[] = {
	{ "tmpfs", 0x01021994 },   { "devtmpfs", 0x01021994 }, { "proc", 0x9fa0 },
	{ "sysfs", 0x62656572 },   { "devpts", 0x1cd1 },       { "9p", 0x01021997 },
	{ "overlay", 0x794c7630 }, { "cgroup2", 0x63677270 },  { "cgroup", 0x27e0eb },
	{ "mqueue", 0x19800202 },
};

int vfs_statfs(const struct path *p, struct statfs *st)
{
	struct superblock *sb = p->mnt->sb;
	unsigned long mf = path_mnt_flags(p);
	int rc;

	memset(st, 0, sizeof(*st));
	if (sb->statfs) {
		if ((rc = sb->statfs(sb, st)) < 0)
			return rc;
	} else {
		for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
			if (!strcmp(magics[i].fstype, sb->fstype))
				st->f_type = magics[i].magic;
		}
		st->f_bsize = 4096;
		st->f_frsize = 4096;
		st->f_namelen = NAME_MAX_LEN;
	}
	/* A filesystem is known by its device, as Linux's default fsid. */
	st->f_fsid.__val[0] = (int)(sb->dev & 0xffffffff);
	st->f_fsid.__val[1] = (int)(sb->dev >> 32);
	st->f_flags = ST_VALID;
	if (mf & MS_RDONLY)
		st->f_flags |= ST_RDONLY;
	if (mf & MS_NOSUID)
		st->f_flags |= ST_NOSUID;
	if (mf & MS_NODEV)
		st->f_flags |= ST_NODEV;
	if (mf & MS_NOEXEC)
		st->f_flags |= ST_NOEXEC;
	if (mf & MS_NOATIME)
		st->f_flags |= ST_NOATIME;
	if (mf & MS_NODIRATIME)
		st->f_flags |= ST_NODIRATIME;
	/* Linux mounts relatime unless told otherwise. */
	if (!(mf & (MS_NOATIME | MS_STRICTATIME)))
		st->f_flags |= ST_RELATIME;
	return 0;
}

int vfs_fsync(struct file *f, bool datasync)
{
	if (f->flags & O_PATH)
		return -EBADF;
	if (f->ops && f->ops->fsync)
		return f->ops->fsync(f, datasync);
	/* Pipes, sockets and character devices cannot be synced. */
	if (!f->inode || !(S_ISREG(f->inode->mode) || S_ISDIR(f->inode->mode)))
		return -EINVAL;
	/* Files of the sentry's own making have nothing to write back. */
	return 0;
}
