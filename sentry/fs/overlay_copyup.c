/* Copy-up: giving a lower-layer file its upper copy before it changes,
 * parents first, as overlayfs' ovl_copy_up does. The copy gets the lower
 * file's type, mode, owner, times, extended attributes and (for regular
 * files) data, sparse where the data is zero, and keeps its inode number.
 * It is made in place, under its name in the upper parent; the sentry is
 * single-threaded, so nobody sees a half-made copy. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "runsc/util.h"
#include "sentry/fs/overlay_impl.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/vfs/vfs_impl.h"
#include "sentry/vfs/xattr.h"

#define COPY_CHUNK (256 * 1024)

static int copy_data(struct inode *lower, struct inode *upper, int64_t len)
{
	_cleanup_free_ char *buf = NULL;
	struct file *lf;
	int64_t pos = 0;
	int rc;

	if (len <= 0)
		return 0;
	if ((rc = ovl_open_real(lower, O_RDONLY, &lf)) < 0)
		return rc;
	buf = xmalloc(COPY_CHUNK);
	while (pos < len) {
		int64_t rpos = pos;
		ssize_t n = lf->ops->read ? lf->ops->read(lf, NULL, buf, (size_t)MIN(len - pos, COPY_CHUNK), &rpos)
					  : -EINVAL;

		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (n == 0)
			break; /* shorter than it said: the copy is too */
		if ((rc = tmpfs_write_data(upper, pos, buf, (size_t)n)) < 0)
			break;
		pos += n;
	}
	file_put(lf);
	return rc;
}

static int copy_xattrs(struct inode *lower, struct inode *upper)
{
	_cleanup_free_ char *names = NULL;
	ssize_t len;

	if (!lower->iops || !lower->iops->listxattr || !lower->iops->getxattr)
		return 0;
	len = lower->iops->listxattr(lower, NULL, 0, NULL, NULL);
	if (len <= 0)
		return len == -EOPNOTSUPP ? 0 : (int)len;
	names = xmalloc((size_t)len);
	len = lower->iops->listxattr(lower, names, (size_t)len, NULL, NULL);
	for (ssize_t off = 0; len > 0 && off < len; off += (ssize_t)strlen(names + off) + 1) {
		const char *name = names + off;
		_cleanup_free_ char *val = NULL;
		ssize_t vlen;
		int rc;

		if (!strncmp(name, OVL_XATTR_PREFIX, strlen(OVL_XATTR_PREFIX)))
			continue;
		vlen = lower->iops->getxattr(lower, name, NULL, 0);
		if (vlen < 0)
			continue; /* gone meanwhile */
		val = xmalloc((size_t)vlen + 1);
		vlen = lower->iops->getxattr(lower, name, val, (size_t)vlen);
		if (vlen < 0)
			continue;
		if ((rc = upper->iops->setxattr(upper, name, val, (size_t)vlen, 0)) < 0)
			return rc;
	}
	return len < 0 && len != -EOPNOTSUPP ? (int)len : 0;
}

int ovl_copy_up_len(struct inode *ino, int64_t len)
{
	struct ovl_inode *oi = OI(ino);
	struct ovl_name *alias;
	struct inode *lower = oi->lower, *udir, *up = NULL;
	_cleanup_free_ char *target = NULL;
	uint32_t mode;
	int rc;

	if (oi->upper)
		return 0;
	/* An unlinked lower file has no place to be copied to (overlayfs
	 * would use its work directory). */
	alias = ovl_first_alias(ino);
	if (!alias || !lower)
		return -ENOENT;
	if ((rc = ovl_copy_up(alias->dir)) < 0)
		return rc;
	udir = OI(alias->dir)->upper;
	if (lower->iops && lower->iops->getattr && (rc = lower->iops->getattr(lower)) < 0)
		return rc;
	mode = lower->mode;
	if (S_ISLNK(mode) && (rc = vfs_readlink_alloc(lower, &target)) < 0)
		return rc;
	rc = tmpfs_make_node(udir, alias->name, mode, S_ISCHR(mode) || S_ISBLK(mode) ? lower->rdev : 0,
			     lower->uid, lower->gid, target, &up);
	if (rc < 0)
		return rc;
	if (S_ISREG(mode))
		rc = copy_data(lower, up, MIN(len, lower->size));
	if (rc == 0)
		rc = copy_xattrs(lower, up);
	if (rc == 0) {
		/* make_node may have adjusted set-group-ID bits for the
		 * creator; the copy must have exactly the lower ones. */
		struct vfs_iattr ia = {
			.valid = VFS_ATTR_MODE | VFS_ATTR_ATIME | VFS_ATTR_MTIME,
			.mode = mode & 07777,
			.atime = lower->atime,
			.mtime = lower->mtime,
		};

		if (S_ISREG(mode) && len < lower->size) {
			ia.valid |= VFS_ATTR_SIZE;
			ia.size = len;
		} else if (S_ISREG(mode)) {
			ia.valid |= VFS_ATTR_SIZE;
			ia.size = lower->size;
		}
		rc = up->iops->setattr(up, &ia);
	}
	if (rc < 0) {
		if (S_ISDIR(mode))
			udir->iops->rmdir(udir, alias->name);
		else
			udir->iops->unlink(udir, alias->name);
		inode_put(up);
		return rc;
	}
	up->ino = ino->ino;
	oi->upper = up;
	if (!S_ISDIR(mode)) {
		oi->lower = NULL;
		inode_put(lower);
	}
	ovl_copyattr(ino);
	return 0;
}
