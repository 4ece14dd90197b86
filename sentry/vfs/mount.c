/* The mount tree: mounts stacked on (mount, dentry) pairs, and the
 * sandbox's initial tree (gofer rootfs at /, devfs at /dev). */
#include <errno.h>
#include <stdlib.h>
#include <sys/mount.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

static struct list_head mounts = LIST_HEAD_INIT(mounts);
/* The root of the whole tree (kernel->root_mount once booted); kept here
 * so that the VFS does not depend on the kernel object. */
static struct mount *root_mnt;

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
	/* Only reachable once unmounted (the tree holds a reference). */
	list_del(&m->link);
	if (m->parent) {
		m->mountpoint->mounted--;
		dentry_put(m->mountpoint);
		mnt_put(m->parent);
	}
	dentry_put(m->root);
	sb_put(m->sb);
	free(m->source);
	free(m);
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
	struct mount *m;

	if (mountpoint) {
		struct inode *mp = mountpoint->dentry->inode;

		if (!mp)
			return -ENOENT;
		if (S_ISDIR(mp->mode) != S_ISDIR(root->mode))
			return S_ISDIR(root->mode) ? -ENOTDIR : -EISDIR;
	}
	static int next_mnt_id = 1;

	m = xzalloc(sizeof(*m));
	m->refcount = 1; /* the mount tree's */
	m->id = next_mnt_id++;
	m->root = d_make_root(root);
	m->sb = root->sb;
	m->sb->refcount++;
	m->flags = mnt_flags;
	if (mountpoint) {
		m->parent = mnt_get(mountpoint->mnt);
		m->mountpoint = dentry_get(mountpoint->dentry);
		m->mountpoint->mounted++;
	} else {
		m->mountpoint = m->root;
		if (!root_mnt)
			root_mnt = m;
	}
	list_add_tail(&m->link, &mounts);
	if (out)
		*out = m;
	return 0;
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

static void mount_devfs(void)
{
	struct path dev;
	struct inode *root;
	struct mount *m;
	int rc;

	rc = vfs_lookup(NULL, AT_FDCWD, "/dev", LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dev);
	if (rc < 0) {
		/* Without a mountpoint there is no /dev at all; the workload
		 * may still run (static binaries rarely need it). */
		log_warn("rootfs has no /dev directory (%d): not mounting devfs", rc);
		return;
	}
	rc = devfs_new_root(&root);
	if (rc == 0) {
		/* As the OCI default spec mounts /dev: nosuid. */
		rc = vfs_mount(&dev, root, MS_NOSUID, &m);
		inode_put(root);
		if (rc == 0)
			m->source = xstrdup("tmpfs");
	}
	if (rc < 0)
		log_warn("mounting devfs on /dev: %d", rc);
	path_put(&dev);
}

/* procfs, sysfs and the cgroup2 view: mounted directly here until
 * mount(2) has a filesystem-type registry to take them from (then this
 * becomes a table of default mounts). */
static void mount_synthetic(const char *where, int (*new_root)(struct inode **), unsigned long flags,
			    const char *source)
{
	struct path mp;
	struct inode *root;
	struct mount *m;
	int rc;

	rc = vfs_lookup(NULL, AT_FDCWD, where, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &mp);
	if (rc < 0) {
		log_warn("rootfs has no %s directory (%d): not mounting %s there", where, rc, source);
		return;
	}
	rc = new_root(&root);
	if (rc == 0) {
		rc = vfs_mount(&mp, root, flags, &m);
		inode_put(root);
		if (rc == 0)
			m->source = xstrdup(source);
	}
	if (rc < 0)
		log_warn("mounting %s on %s: %d", source, where, rc);
	path_put(&mp);
}

int vfs_init_root(struct kernel *k)
{
	struct inode *root;
	struct mount *m;
	int rc;

	if (!k->gofer)
		return -ENOTCONN;
	rc = goferfs_mount_root(k->gofer, &root);
	if (rc < 0)
		return rc;
	rc = vfs_mount(NULL, root, 0, &m);
	inode_put(root);
	if (rc < 0)
		return rc;
	k->root_mount = m;
	mount_devfs();
	/* As the OCI default spec mounts them. */
	mount_synthetic("/proc", procfs_new_root, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, "proc");
	mount_synthetic("/sys", sysfs_new_root, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME,
			"sysfs");
	mount_synthetic("/sys/fs/cgroup", cgroupfs_new_root,
			MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, "cgroup");
	return 0;
}
