/* Path resolution, after Linux's fs/namei.c: component by component from
 * the root or a start directory, with search permission on every directory
 * traversed, "." and "..", mount crossings both ways, and symlinks.
 *
 * A symlink is followed by splicing its target in front of the rest of the
 * path (and restarting at the task's root for an absolute target); the
 * number of links followed in one resolution is capped at MAX_SYMLINKS as
 * Linux does, which also bounds the spliced path. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#include "runsc/util.h"
#include "sentry/fsnotify.h"
#include "sentry/fdtable.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

bool cred_in_group(const struct cred *c, gid_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++) {
		if (c->groups[i] == gid)
			return true;
	}
	return false;
}

/* generic_permission(): owner, group, then other bits; then the DAC
 * override capabilities, where executing a regular file still needs at
 * least one x bit. */
int vfs_permission_cred(const struct cred *c, struct inode *ino, int mask)
{
	uint32_t mode = ino->mode;

	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (!c)
		return 0;
	if (c->fsuid == ino->uid)
		mode >>= 6;
	else if (cred_in_group(c, ino->gid))
		mode >>= 3;
	if ((mask & ~mode & 7) == 0)
		return 0;
	if (S_ISDIR(ino->mode)) {
		if (!(mask & MAY_WRITE) && cred_capable(c, CAP_DAC_READ_SEARCH))
			return 0;
		if (cred_capable(c, CAP_DAC_OVERRIDE))
			return 0;
		return -EACCES;
	}
	if (mask == MAY_READ && cred_capable(c, CAP_DAC_READ_SEARCH))
		return 0;
	if ((!(mask & MAY_EXEC) || (ino->mode & 0111)) && cred_capable(c, CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

int vfs_permission(struct task *t, struct inode *ino, int mask)
{
	return vfs_permission_cred(t ? t->cred : NULL, ino, mask);
}

static bool owner_or_capable(const struct cred *c, const struct inode *ino)
{
	return !c || c->fsuid == ino->uid || cred_capable(c, CAP_FOWNER);
}

/* setattr_prepare(): who may change what. */
static int setattr_check(const struct cred *c, struct inode *ino, struct vfs_iattr *ia)
{
	if (!c)
		return 0;
	if ((ia->valid & VFS_ATTR_UID) && ia->uid != ino->uid && !cred_capable(c, CAP_CHOWN))
		return -EPERM;
	if ((ia->valid & VFS_ATTR_UID) && c->fsuid != ino->uid && !cred_capable(c, CAP_CHOWN))
		return -EPERM;
	if ((ia->valid & VFS_ATTR_GID) && !cred_capable(c, CAP_CHOWN) &&
	    (c->fsuid != ino->uid || (ia->gid != ino->gid && !cred_in_group(c, ia->gid))))
		return -EPERM;
	if (ia->valid & VFS_ATTR_MODE) {
		gid_t gid = (ia->valid & VFS_ATTR_GID) ? ia->gid : ino->gid;

		if (!owner_or_capable(c, ino))
			return -EPERM;
		/* Only group members may set the set-group-ID bit. */
		if (!cred_in_group(c, gid) && !cred_capable(c, CAP_FSETID))
			ia->mode &= ~(uint32_t)S_ISGID;
	}
	if ((ia->valid & (VFS_ATTR_ATIME | VFS_ATTR_MTIME)) && !owner_or_capable(c, ino)) {
		/* Setting explicit times takes ownership; "now" only needs
		 * write access. */
		if (ia->valid & VFS_ATTR_TIMES_SET)
			return -EPERM;
		return vfs_permission_cred(c, ino, MAY_WRITE);
	}
	return 0;
}

int vfs_setattr(struct task *t, const struct path *p, struct vfs_iattr *ia)
{
	struct inode *ino = p->dentry->inode;
	int rc;

	if (path_readonly(p))
		return -EROFS;
	ia->mode &= 07777;
	if ((rc = setattr_check(t ? t->cred : NULL, ino, ia)) < 0)
		return rc;
	/* chown_common(): a new owner or group drops set-user-ID, and
	 * set-group-ID where it means something (group exec), even for root. */
	if ((ia->valid & (VFS_ATTR_UID | VFS_ATTR_GID)) && !S_ISDIR(ino->mode)) {
		uint32_t mode = (ia->valid & VFS_ATTR_MODE) ? ia->mode : ino->mode & 07777, nm = mode;

		nm &= ~(uint32_t)S_ISUID;
		if ((nm & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
			nm &= ~(uint32_t)S_ISGID;
		if (nm != mode) {
			ia->valid |= VFS_ATTR_MODE;
			ia->mode = nm;
		}
	}
	if (!ino->iops || !ino->iops->setattr)
		return -EPERM;
	rc = ino->iops->setattr(ino, ia);
	if (rc == 0)
		fsnotify_change(p->dentry, ia->valid);
	return rc;
}

int vfs_readlink_alloc(struct inode *ino, char **out)
{
	_cleanup_free_ char *buf = NULL;
	int n;

	if (!S_ISLNK(ino->mode) || !ino->iops || !ino->iops->readlink)
		return -EINVAL;
	buf = xmalloc(PATH_MAX + 1);
	n = ino->iops->readlink(ino, buf, PATH_MAX);
	if (n < 0)
		return n;
	buf[n] = '\0';
	*out = steal_pointer(&buf);
	return 0;
}

void nd_release(struct nameidata *nd)
{
	if (nd->cur.dentry)
		path_put(&nd->cur);
	if (nd->root.dentry)
		path_put(&nd->root);
	nd->cur = (struct path){ 0 };
	nd->root = (struct path){ 0 };
}

static void nd_set_cur(struct nameidata *nd, const struct path *p)
{
	struct path old = nd->cur;

	nd->cur = *p;
	path_get(&nd->cur);
	if (old.dentry)
		path_put(&old);
}

int nd_init(struct nameidata *nd, struct task *t, const struct cred *cred, int dirfd,
	    const char *path, unsigned int flags)
{
	struct file *f;
	int rc;

	memset(nd, 0, sizeof(*nd));
	nd->t = t;
	nd->cred = cred ? cred : (t ? t->cred : NULL);
	nd->flags = flags;
	if (t && t->fs) {
		nd->root = t->fs->root;
		path_get(&nd->root);
	} else if ((rc = vfs_root_path(&nd->root)) < 0) {
		return rc;
	}

	/* LOOKUP_IN_ROOT takes an absolute path from dirfd, its root. */
	if ((path[0] == '/' && !(flags & LOOKUP_IN_ROOT)) || !t) {
		if (path[0] == '/' && (flags & LOOKUP_BENEATH)) {
			rc = -EXDEV;
			goto fail;
		}
		nd_set_cur(nd, &nd->root);
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		nd_set_cur(nd, t->fs ? &t->fs->cwd : &nd->root);
		goto scoped;
	}
	f = fd_get(t, dirfd);
	if (!f) {
		rc = -EBADF;
		goto fail;
	}
	/* Anonymous files (pipes, sockets) have no place in the tree, so
	 * nothing can be resolved from them. */
	if (!f->path.dentry || !f->path.dentry->inode ||
	    (path[0] && !S_ISDIR(f->path.dentry->inode->mode))) {
		file_put(f);
		rc = -ENOTDIR;
		goto fail;
	}
	nd_set_cur(nd, &f->path);
	file_put(f);
scoped:
	/* Scoped lookups (RESOLVE_BENEATH, RESOLVE_IN_ROOT) have their start
	 * for root. */
	if (flags & LOOKUP_IS_SCOPED) {
		path_put(&nd->root);
		nd->root = nd->cur;
		path_get(&nd->root);
	}
	return 0;
fail:
	nd_release(nd);
	return rc;
}

int nd_follow_mounts(struct nameidata *nd, struct path *p)
{
	if ((nd->flags & LOOKUP_NO_XDEV) && lookup_mnt(p->mnt, p->dentry))
		return -EXDEV;
	follow_mounts(p);
	return 0;
}

/* follow_dotdot(): ".." stays at the root (RESOLVE_BENEATH: may not
 * reach it), climbs out of mounts to their mountpoints (RESOLVE_NO_XDEV:
 * may not) and then into whatever is mounted on the parent. */
int nd_dotdot(struct nameidata *nd)
{
	bool crossed = false;

	for (;;) {
		struct path up;

		if ((nd->cur.dentry == nd->root.dentry && nd->cur.mnt == nd->root.mnt) ||
		    (nd->cur.dentry == nd->cur.mnt->root && !nd->cur.mnt->parent)) {
			/* The root, or the top of the whole tree: ".."
			 * stays. */
			return (nd->flags & LOOKUP_BENEATH) ? -EXDEV : 0;
		}
		if (nd->cur.dentry != nd->cur.mnt->root) {
			up.mnt = nd->cur.mnt;
			up.dentry = nd->cur.dentry->parent;
			nd_set_cur(nd, &up);
			break;
		}
		up.mnt = nd->cur.mnt->parent;
		up.dentry = nd->cur.mnt->mountpoint;
		nd_set_cur(nd, &up);
		crossed = true;
	}
	if (crossed && (nd->flags & LOOKUP_NO_XDEV))
		return -EXDEV;
	return nd_follow_mounts(nd, &nd->cur);
}

int nd_get_link(struct nameidata *nd, const struct path *link, struct path *out)
{
	struct inode *ino = link->dentry->inode;
	bool magic = !ino->iops->link_is_magic || ino->iops->link_is_magic(ino);
	int rc;

	if (magic && (nd->flags & LOOKUP_NO_MAGICLINKS))
		return -ELOOP;
	/* Linux cannot follow these in an RCU walk either. */
	if (nd->flags & LOOKUP_CACHED)
		return -EAGAIN;
	rc = ino->iops->get_link(nd->t, link, out);
	if (rc < 0 || !magic)
		return rc;
	/* nd_jump_link(): a jump to another mount is a crossing, and a
	 * scoped lookup cannot tell where a jump lands. */
	if (((nd->flags & LOOKUP_NO_XDEV) && out->mnt != nd->cur.mnt) ||
	    (nd->flags & LOOKUP_IS_SCOPED)) {
		path_put(out);
		return -EXDEV;
	}
	return 0;
}

/* nd_jump_root(): an absolute path restarts at the root, which a
 * RESOLVE_BENEATH lookup may not reach and which may be a crossing. */
static int nd_jump_root(struct nameidata *nd)
{
	if (nd->flags & LOOKUP_BENEATH)
		return -EXDEV;
	if ((nd->flags & LOOKUP_NO_XDEV) && nd->cur.mnt != nd->root.mnt)
		return -EXDEV;
	nd_set_cur(nd, &nd->root);
	return 0;
}

static enum last_type component_type(const char *name, size_t len)
{
	if (len == 1 && name[0] == '.')
		return LAST_DOT;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return LAST_DOTDOT;
	return LAST_NORM;
}

int nd_walk(struct nameidata *nd, const char *path, bool parent)
{
	_cleanup_free_ char *buf = xstrdup(path);
	char *p = buf;
	int rc;

	if (parent) {
		nd->last_type = LAST_ROOT;
		nd->last_len = 0;
		nd->last[0] = '\0';
		nd->last_slash = false;
	}
	if (*p == '/' && (rc = nd_jump_root(nd)) < 0)
		return rc;

	for (;;) {
		const char *name;
		char *next, *q;
		size_t len;
		bool has_slash, is_last;
		enum last_type type;
		struct dentry *child;
		struct path cp;
		struct inode *ino;

		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		name = p;
		len = strcspn(p, "/");
		next = p + len;
		has_slash = *next == '/';
		for (q = next; *q == '/'; q++)
			;
		is_last = !*q;

		rc = vfs_permission_cred(nd->cred, nd->cur.dentry->inode, MAY_EXEC);
		if (rc < 0)
			return rc;
		if (len > NAME_MAX_LEN)
			return -ENAMETOOLONG;
		type = component_type(name, len);

		if (parent && is_last) {
			nd->last_type = type;
			memcpy(nd->last, name, len);
			nd->last[len] = '\0';
			nd->last_len = len;
			nd->last_slash = has_slash;
			return 0;
		}
		if (type == LAST_DOT) {
			p = next;
			continue;
		}
		if (type == LAST_DOTDOT) {
			if ((rc = nd_dotdot(nd)) < 0)
				return rc;
			p = next;
			continue;
		}

		if (nd->flags & LOOKUP_CACHED) {
			child = d_lookup_cached(nd->cur.dentry, name, len);
			if (!child)
				return -EAGAIN;
		} else {
			child = d_lookup_child(nd->cur.dentry, name, len, &rc);
			if (!child)
				return rc;
		}
		if (!child->inode) {
			dentry_put(child);
			return -ENOENT;
		}
		cp.mnt = mnt_get(nd->cur.mnt);
		cp.dentry = child;
		if ((rc = nd_follow_mounts(nd, &cp)) < 0) {
			path_put(&cp);
			return rc;
		}
		ino = cp.dentry->inode;

		if (S_ISLNK(ino->mode) && (!is_last || has_slash || (nd->flags & LOOKUP_FOLLOW))) {
			char *target, *nbuf;
			size_t tlen;

			if ((nd->flags & LOOKUP_NO_SYMLINKS) || ++nd->nlinks > MAX_SYMLINKS) {
				path_put(&cp);
				return -ELOOP;
			}
			if (ino->iops && ino->iops->get_link) {
				struct path jump;

				rc = nd_get_link(nd, &cp, &jump);
				path_put(&cp);
				if (rc < 0)
					return rc;
				path_put(&nd->cur);
				nd->cur = jump;
				if ((!is_last || has_slash) && !S_ISDIR(jump.dentry->inode->mode))
					return -ENOTDIR;
				p = next;
				continue;
			}
			rc = vfs_readlink_alloc(ino, &target);
			path_put(&cp);
			if (rc < 0)
				return rc;
			if (!*target) {
				free(target);
				return -ENOENT;
			}
			/* The rest of the path (with its slashes) continues
			 * from wherever the target leads. */
			tlen = strlen(target);
			nbuf = xmalloc(tlen + strlen(next) + 1);
			memcpy(nbuf, target, tlen);
			strcpy(nbuf + tlen, next);
			free(target);
			free(buf);
			buf = p = nbuf;
			if (*p == '/' && (rc = nd_jump_root(nd)) < 0)
				return rc;
			continue;
		}
		if ((!is_last || has_slash) && !S_ISDIR(ino->mode)) {
			path_put(&cp);
			return -ENOTDIR;
		}
		path_put(&nd->cur);
		nd->cur = cp;
		p = next;
	}
}

int vfs_lookup_cred(struct task *t, const struct cred *cred, int dirfd, const char *path,
		    unsigned int flags, struct path *out)
{
	struct nameidata nd;
	int rc;

	if (!path[0] && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	rc = nd_init(&nd, t, cred, dirfd, path, flags);
	if (rc < 0)
		return rc;
	rc = nd_walk(&nd, path, false);
	if (rc == 0 && (flags & LOOKUP_DIRECTORY) && !S_ISDIR(nd.cur.dentry->inode->mode))
		rc = -ENOTDIR;
	if (rc == 0) {
		*out = nd.cur;
		nd.cur = (struct path){ 0 };
	}
	nd_release(&nd);
	return rc;
}

int vfs_lookup(struct task *t, int dirfd, const char *path, unsigned int flags, struct path *out)
{
	return vfs_lookup_cred(t, NULL, dirfd, path, flags, out);
}

int vfs_stat_path(const struct path *p, struct stat *st)
{
	struct inode *ino = p->dentry->inode;
	int rc;

	if (!ino)
		return -ENOENT;
	if (ino->iops && ino->iops->getattr && (rc = ino->iops->getattr(ino)) < 0)
		return rc;
	inode_fill_stat(ino, st);
	return 0;
}

static int prepend(char *buf, size_t *pos, const char *s, size_t n)
{
	if (*pos < n)
		return -ENAMETOOLONG;
	*pos -= n;
	memcpy(buf + *pos, s, n);
	return 0;
}

int d_path_ex(const struct path *p, const struct path *root, char *buf, size_t len,
	      bool *unreachable)
{
	struct mount *m = p->mnt;
	struct dentry *d = p->dentry;
	size_t pos = len;
	bool any = false;

	if (unreachable)
		*unreachable = false;
	if (len == 0)
		return -ENAMETOOLONG;
	buf[--pos] = '\0';
	if (d_unhashed(d) && prepend(buf, &pos, " (deleted)", 10) < 0)
		return -ENAMETOOLONG;
	for (;;) {
		if (root && d == root->dentry && m == root->mnt)
			break;
		if (d == m->root) {
			if (!m->parent) {
				/* Outside the task's root (chroot): the path
				 * from the tree's top, as Linux prints it. */
				if (unreachable && root)
					*unreachable = true;
				break;
			}
			d = m->mountpoint;
			m = m->parent;
			continue;
		}
		if (prepend(buf, &pos, d->name, d->namelen) < 0 || prepend(buf, &pos, "/", 1) < 0)
			return -ENAMETOOLONG;
		any = true;
		d = d->parent;
	}
	if (!any && prepend(buf, &pos, "/", 1) < 0)
		return -ENAMETOOLONG;
	memmove(buf, buf + pos, len - pos);
	return (int)(len - pos - 1);
}

int vfs_d_path(const struct path *p, const struct path *root, char *buf, size_t len)
{
	return d_path_ex(p, root, buf, len, NULL);
}
