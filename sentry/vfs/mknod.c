/* path_inode, and vfs_mknod: making a node for kernel users (an AF_UNIX bind to a path),
 * with the checks and errors of mknodat(2): syscalls/sys_path.c's
 * filename_create() and may_create(), then the filesystem's mknod. */
#include <errno.h>
#include <fcntl.h>

#include "sentry/fsnotify.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

int vfs_mknod(struct task *t, int dirfd, const char *path, uint32_t mode, uint64_t dev,
	      struct path *out)
{
	struct nameidata nd;
	struct dentry *child, *d;
	struct inode *dir;
	int rc;

	rc = nd_init(&nd, t, NULL, dirfd, path, 0);
	if (rc < 0)
		return rc;
	rc = nd_walk(&nd, path, true);
	if (rc < 0)
		goto out;
	if (nd.last_type != LAST_NORM) {
		rc = -EEXIST;
		goto out;
	}
	child = d_lookup_child(nd.cur.dentry, nd.last, nd.last_len, &rc);
	if (!child)
		goto out;
	dir = nd.cur.dentry->inode;
	if (child->inode)
		rc = -EEXIST;
	else if (nd.last_slash)
		rc = -ENOENT;
	else if (path_readonly(&nd.cur))
		rc = -EROFS;
	else
		rc = vfs_permission_cred(nd.cred, dir, MAY_WRITE | MAY_EXEC);
	if (rc == 0 && out) {
		if (!dir->iops || !dir->iops->mknod)
			rc = -EPERM;
		else if ((rc = dir->iops->mknod(dir, nd.last, mode, dev)) == 0)
			fsnotify_create(dir, nd.last, false);
	}
	if (rc == 0 && out) {
		/* The filesystem made the inode: look the name up afresh. */
		d_drop(child);
		d = d_lookup_child(nd.cur.dentry, nd.last, nd.last_len, &rc);
		if (d && !d->inode) {
			dentry_put(d);
			d = NULL;
			rc = -ENOENT;
		}
		if (d) {
			out->mnt = mnt_get(nd.cur.mnt);
			out->dentry = d;
		}
	}
	dentry_put(child);
out:
	nd_release(&nd);
	return rc;
}

struct inode *path_inode(const struct path *p)
{
	return p->dentry ? p->dentry->inode : NULL;
}
