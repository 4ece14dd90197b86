/* The mount tree: mounts stacked on (mount, dentry) pairs. The sandbox has
 * one mount namespace; chroot and pivot_root change what a task sees of it.
 *
 * References: the tree holds one on every attached mount, a child mount
 * one on its parent, and every struct path one on its mount. A detached
 * mount (umount -l, a mount whose attach failed) lives on while paths
 * still point into it. The boot-time tree is built in mount_setup.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fsnotify.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

static struct list_head mounts = LIST_HEAD_INIT(mounts);
/* The root of the whole tree (kernel->root_mount once booted); kept here
 * so that the VFS does not depend on the kernel object. */
static struct mount *root_mnt;
static int next_mnt_id = 1;

struct mount *mnt_get(struct mount *m)
{
	if (m)
		m->refcount++;
	return m;
}

void mnt_put(struct mount *m)
{
	if (!m || --m->refcount > 0)
		return;
	/* The tree holds a reference on attached mounts, so this one is
	 * detached already (or never was attached). */
	if (--m->sb->s_mounts == 0)
		fsnotify_sb_unmount(m->sb);
	dentry_put(m->root);
	sb_put(m->sb);
	free(m->source);
	free(m);
}

/* Linux mounts relatime unless told noatime or strictatime. */
static unsigned long atime_default(unsigned long flags)
{
	if (!(flags & (MS_NOATIME | MS_STRICTATIME)))
		flags |= MS_RELATIME;
	return flags;
}

struct mount *mnt_alloc(struct dentry *root, unsigned long flags, const char *source)
{
	struct mount *m = xzalloc(sizeof(*m));

	m->refcount = 1;
	m->root = dentry_get(root);
	m->sb = root->inode->sb;
	m->sb->refcount++;
	m->sb->s_mounts++;
	m->flags = atime_default(flags & MNT_FLAGS_MASK);
	m->mountpoint = m->root;
	m->id = next_mnt_id++;
	m->source = xstrdup(source ? source : "none");
	list_init(&m->link);
	return m;
}

void mnt_attach(struct mount *m, const struct path *mp)
{
	if (mp) {
		m->parent = mnt_get(mp->mnt);
		m->mountpoint = dentry_get(mp->dentry);
		m->mountpoint->mounted++;
	} else {
		/* The first parentless mount is the top of the tree; later
		 * ones are internal (procfs's private dentries). */
		m->parent = NULL;
		m->mountpoint = m->root;
		if (!root_mnt)
			mnt_set_tree_root(m);
	}
	m->attached = true;
	list_add_tail(&m->link, &mounts);
}

void mnt_set_tree_root(struct mount *m)
{
	root_mnt = m;
	if (kernel)
		kernel->root_mount = m;
}

void mnt_detach(struct mount *m)
{
	if (!m->attached)
		return;
	list_del(&m->link);
	list_init(&m->link);
	m->attached = false;
	if (m->parent) {
		struct mount *parent = m->parent;
		struct dentry *mp = m->mountpoint;

		m->parent = NULL;
		m->mountpoint = m->root;
		mp->mounted--;
		dentry_put(mp);
		mnt_put(parent);
	}
	if (root_mnt == m) {
		root_mnt = NULL;
		if (kernel && kernel->root_mount == m)
			kernel->root_mount = NULL;
	}
	mnt_put(m); /* the tree's reference */
}

bool mnt_has_children(struct mount *m)
{
	struct mount *c;

	list_for_each_entry(c, &mounts, link) {
		if (c->parent == m)
			return true;
	}
	return false;
}

void mnt_detach_tree(struct mount *m)
{
	struct mount *c;

	/* Children first, so no detached mount keeps a parent in the tree;
	 * the list changes under us, hence the restart. */
again:
	list_for_each_entry(c, &mounts, link) {
		if (c->parent == m) {
			mnt_detach_tree(c);
			goto again;
		}
	}
	mnt_detach(m);
}

struct mount *mnt_tree_root(void)
{
	return root_mnt;
}

void mnt_move(struct mount *m, const struct path *mp)
{
	/* Keep the tree's reference across the move. */
	mnt_get(m);
	mnt_detach(m);
	list_init(&m->link);
	mnt_attach(m, mp);
}

bool path_is_under(const struct path *p, const struct path *root)
{
	struct mount *m = p->mnt;
	struct dentry *d = p->dentry;

	while (m != root->mnt) {
		if (!m->parent)
			return false;
		d = m->mountpoint;
		m = m->parent;
	}
	return d_is_subdir(d, root->dentry);
}

bool d_is_subdir(struct dentry *d, struct dentry *ancestor)
{
	for (;;) {
		if (d == ancestor)
			return true;
		if (d_is_root(d))
			return false;
		d = d->parent;
	}
}

/* Clones the mounts below src (whose copy is dst) that sit under root. */
static void clone_children(struct mount *src, struct mount *dst, struct dentry *root)
{
	struct mount *c, *copies[64];
	size_t n = 0;

	/* Collect first: attaching copies adds to the list being walked. */
	list_for_each_entry(c, &mounts, link) {
		if (c->parent != src || !d_is_subdir(c->mountpoint, root))
			continue;
		if (n == ARRAY_SIZE(copies)) {
			log_once("bind_rec_many", "bind mount: only 64 submounts per mount are copied");
			break;
		}
		copies[n++] = mnt_get(c);
	}
	for (size_t i = 0; i < n; i++) {
		struct mount *cc = mnt_alloc(copies[i]->root, copies[i]->flags, copies[i]->source);
		struct path mp = { dst, copies[i]->mountpoint };

		/* Grandchildren are below the whole of the child's root. */
		clone_children(copies[i], cc, copies[i]->root);
		mnt_attach(cc, &mp);
		mnt_put(copies[i]);
	}
}

struct mount *mnt_clone_tree(struct mount *src, struct dentry *root, bool recursive)
{
	struct mount *m = mnt_alloc(root, src->flags & ~(unsigned long)MS_UNBINDABLE, src->source);

	if (recursive)
		clone_children(src, m, root);
	return m;
}

struct mount *lookup_mnt(struct mount *mnt, struct dentry *d)
{
	struct mount *m;

	if (!d->mounted)
		return NULL;
	/* Newest first: a later mount on the same spot hides earlier ones. */
	for (m = list_entry(mounts.prev, struct mount, link); &m->link != &mounts;
	     m = list_entry(m->link.prev, struct mount, link)) {
		if (m->parent == mnt && m->mountpoint == d)
			return m;
	}
	return NULL;
}

void follow_mounts(struct path *p)
{
	struct mount *m;

	while ((m = lookup_mnt(p->mnt, p->dentry))) {
		struct path old = *p;

		p->mnt = mnt_get(m);
		p->dentry = dentry_get(m->root);
		path_put(&old);
	}
}

int vfs_mount(struct path *mountpoint, struct inode *root, unsigned long mnt_flags, struct mount **out)
{
	struct dentry *rd;
	struct mount *m;

	if (mountpoint) {
		struct inode *mp = mountpoint->dentry->inode;

		if (!mp)
			return -ENOENT;
		if (S_ISDIR(mp->mode) != S_ISDIR(root->mode))
			return S_ISDIR(root->mode) ? -ENOTDIR : -EISDIR;
	}
	rd = d_make_root(root);
	m = mnt_alloc(rd, mnt_flags, root->sb->fstype);
	dentry_put(rd);
	mnt_attach(m, mountpoint);
	if (out)
		*out = m;
	return 0;
}

void mnt_set_flags(struct mount *m, unsigned long flags)
{
	m->flags = (m->flags & MS_UNBINDABLE) |
		   atime_default(flags & MNT_FLAGS_MASK & ~(unsigned long)MS_UNBINDABLE);
}

unsigned long path_mnt_flags(const struct path *p)
{
	unsigned long fl = p->mnt->flags;

	if (p->mnt->sb->flags & MS_RDONLY)
		fl |= MS_RDONLY;
	return fl;
}

bool path_readonly(const struct path *p)
{
	return path_mnt_flags(p) & MS_RDONLY;
}

int mnt_for_each(int (*fn)(struct mount *m, void *arg), void *arg)
{
	struct mount *m;
	int rc;

	list_for_each_entry(m, &mounts, link) {
		if ((rc = fn(m, arg)))
			return rc;
	}
	return 0;
}

int vfs_root_path(struct path *out)
{
	if (!root_mnt)
		return -ENOENT;
	out->mnt = mnt_get(root_mnt);
	out->dentry = dentry_get(root_mnt->root);
	return 0;
}

int do_new_mount(const struct path *mp, const char *type, const char *source,
		 unsigned long mnt_flags, const char *data, struct mount **out)
{
	const struct fs_type *fst = get_fs_type(type);
	struct inode *root;
	struct dentry *rd;
	struct mount *m;
	int rc;

	if (!fst)
		return -ENODEV;
	rc = fst->mount(source, mnt_flags & MS_RDONLY, data, &root);
	if (rc < 0)
		return rc;
	if (!mp->dentry->inode || S_ISDIR(mp->dentry->inode->mode) != S_ISDIR(root->mode)) {
		inode_put(root);
		return -ENOTDIR;
	}
	rd = d_make_root(root);
	inode_put(root);
	m = mnt_alloc(rd, mnt_flags, source ? source : type);
	dentry_put(rd);
	mnt_attach(m, mp);
	if (out)
		*out = m;
	return 0;
}

int do_bind_mount(const struct path *from, const struct path *mp, bool recursive,
		  struct mount **out)
{
	struct inode *src = from->dentry->inode, *dst = mp->dentry->inode;
	struct mount *m;

	if (!src || !dst)
		return -ENOENT;
	if (S_ISDIR(src->mode) != S_ISDIR(dst->mode))
		return -ENOTDIR;
	if (from->mnt->flags & MS_UNBINDABLE)
		return -EINVAL;
	m = mnt_clone_tree(from->mnt, from->dentry, recursive);
	mnt_attach(m, mp);
	if (out)
		*out = m;
	return 0;
}
