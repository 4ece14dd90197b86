/* Mounts inside the sandbox: mount(2), umount2(2), pivot_root(2), and
 * statfs/fstatfs. The sandbox has one mount namespace, emulated by the
 * sentry (sentry/vfs/mount.c); nothing here reaches the host.
 *
 * mount(2) makes filesystems from the type registry (tmpfs, and whatever
 * else registers: proc, sysfs...), bind mounts (MS_BIND, MS_REC) of paths
 * in the sandbox, remounts (MS_REMOUNT, with MS_BIND per mount), moves
 * (MS_MOVE). Mounts never propagate: MS_PRIVATE and MS_SLAVE are what every
 * mount already is, MS_UNBINDABLE is kept, MS_SHARED is refused (EINVAL).
 * umount2: EBUSY when something is mounted below the mount or anything
 * (an open file, a cwd or root) still uses it; MNT_DETACH detaches the
 * whole subtree at once and lets the users keep it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/pipe.h"
#include "sentry/kernel.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"
#include "syscalls/syscalls.h"

#ifndef MS_MGC_MSK
#define MS_MGC_MSK 0xffff0000
#endif
#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 0x8
#endif
#define PIPEFS_MAGIC 0x50495045
#define ANON_INODE_FS_MAGIC 0x09041934

#define PROPAGATION_FLAGS (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

/* copy_mount_string(): at most a page, NULL stays NULL. */
static int copy_mount_string(struct task *t, uint64_t uaddr, char **out)
{
	char *buf;
	long n;

	*out = NULL;
	if (!uaddr)
		return 0;
	buf = xmalloc(4096);
	n = strncpy_from_user(t, buf, uaddr, 4096);
	if (n < 0) {
		free(buf);
		return n == -ENAMETOOLONG ? -EINVAL : (int)n;
	}
	*out = buf;
	return 0;
}

/* Linux copies a page of data whatever its length; as a string it ends
 * at the first NUL, or at the end of the page. */
static int copy_mount_data(struct task *t, uint64_t uaddr, char **out)
{
	char *buf;
	long n;

	*out = NULL;
	if (!uaddr)
		return 0;
	buf = xzalloc(4097);
	n = strncpy_from_user(t, buf, uaddr, 4096);
	if (n == -ENAMETOOLONG)
		n = 4096;
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* The per-mount flags mount(2) asks for; atime defaults to relatime. */
static unsigned long mnt_flags_of(unsigned long flags)
{
	return flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
			MS_RELATIME | MS_STRICTATIME);
}

static bool is_mount_root(const struct path *p)
{
	return p->dentry == p->mnt->root && p->mnt->attached;
}

static int do_remount(struct path *p, unsigned long flags, const char *data)
{
	struct superblock *sb = p->mnt->sb;
	int rc;

	if (!is_mount_root(p))
		return -EINVAL;
	if (flags & MS_BIND) {
		mnt_set_flags(p->mnt, mnt_flags_of(flags));
		return 0;
	}
	if (data && *data) {
		if (!sb->remount)
			return -EINVAL;
		if ((rc = sb->remount(sb, data)) < 0)
			return rc;
	}
	/* ro/rw is the filesystem's; the rest stays per mount. */
	if (flags & MS_RDONLY)
		sb->flags |= MS_RDONLY;
	else
		sb->flags &= ~(unsigned long)MS_RDONLY;
	mnt_set_flags(p->mnt, mnt_flags_of(flags) & ~(unsigned long)MS_RDONLY);
	return 0;
}

static void set_unbindable(struct mount *m, bool recursive, struct mount *top);

struct unbindable_arg {
	struct mount *top;
};

static int unbindable_child(struct mount *m, void *arg)
{
	struct unbindable_arg *ua = arg;

	for (struct mount *p = m->parent; p; p = p->parent) {
		if (p == ua->top) {
			m->flags |= MS_UNBINDABLE;
			break;
		}
	}
	return 0;
}

static void set_unbindable(struct mount *m, bool recursive, struct mount *top)
{
	struct unbindable_arg ua = { top };

	m->flags |= MS_UNBINDABLE;
	if (recursive)
		mnt_for_each(unbindable_child, &ua);
}

static int do_change_type(struct path *p, unsigned long flags)
{
	unsigned long type = flags & PROPAGATION_FLAGS;

	if (!is_mount_root(p))
		return -EINVAL;
	/* Exactly one propagation type. */
	if (type & (type - 1))
		return -EINVAL;
	switch (type) {
	case MS_PRIVATE:
	case MS_SLAVE:
		/* What every mount of the sandbox is already: nothing
		 * propagates to or from it. */
		return 0;
	case MS_UNBINDABLE:
		set_unbindable(p->mnt, flags & MS_REC, p->mnt);
		return 0;
	default:
		log_once("mount_shared", "mount: shared propagation is not supported (EINVAL)");
		return -EINVAL;
	}
}

static int do_move_mount(struct task *t, const char *source, struct path *to)
{
	struct path from;
	int rc;

	if (!source)
		return -EINVAL;
	rc = vfs_lookup(t, AT_FDCWD, source, LOOKUP_FOLLOW, &from);
	if (rc < 0)
		return rc;
	follow_mounts(&from);
	if (!is_mount_root(&from) || !from.mnt->parent)
		rc = -EINVAL;
	else if (path_is_under(to, &from))
		rc = -ELOOP; /* into itself */
	else if (!to->dentry->inode || S_ISDIR(to->dentry->inode->mode) != S_ISDIR(from.dentry->inode->mode))
		rc = -ENOTDIR;
	else
		mnt_move(from.mnt, to);
	path_put(&from);
	return rc;
}

SYSCALL_DEFINE(mount, "sssxp")
{
	_cleanup_free_ char *source = NULL, *target = NULL, *type = NULL, *data = NULL;
	unsigned long flags = a->a[3];
	struct path p, from;
	int rc;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~(unsigned long)MS_MGC_MSK;
	if (!cred_capable(t->cred, CAP_SYS_ADMIN))
		return -EPERM;
	if ((rc = copy_mount_string(t, a->a[0], &source)) < 0 ||
	    (rc = copy_path_from_user(t, a->a[1], &target, 0)) < 0 ||
	    (rc = copy_mount_string(t, a->a[2], &type)) < 0 ||
	    (rc = copy_mount_data(t, a->a[4], &data)) < 0)
		return rc;
	rc = vfs_lookup(t, AT_FDCWD, target, LOOKUP_FOLLOW, &p);
	if (rc < 0)
		return rc;
	/* Act on whatever is mounted there last. */
	follow_mounts(&p);
	if (flags & MS_REMOUNT) {
		rc = do_remount(&p, flags, data);
	} else if (flags & MS_BIND) {
		if (!source) {
			rc = -EFAULT;
		} else if ((rc = vfs_lookup(t, AT_FDCWD, source, LOOKUP_FOLLOW, &from)) == 0) {
			rc = do_bind_mount(&from, &p, flags & MS_REC, NULL);
			path_put(&from);
		}
	} else if (flags & PROPAGATION_FLAGS) {
		rc = do_change_type(&p, flags);
	} else if (flags & MS_MOVE) {
		rc = do_move_mount(t, source, &p);
	} else if (!type) {
		rc = -EINVAL;
	} else if (!S_ISDIR(p.dentry->inode->mode)) {
		rc = -ENOTDIR;
	} else {
		unsigned long mf = mnt_flags_of(flags);

		rc = do_new_mount(&p, type, source, mf, data, NULL);
		if (rc == -ENODEV) {
			char key[64];

			snprintf(key, sizeof(key), "mount_type_%.40s", type);
			log_once(key, "mount: filesystem type \"%s\" is not supported (ENODEV)", type);
		}
	}
	path_put(&p);
	return rc;
}

SYSCALL_DEFINE(umount2, "sx")
{
	_cleanup_free_ char *target = NULL;
	int flags = (int)a->a[1];
	struct mount *m;
	struct path p;
	int rc;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	if (!cred_capable(t->cred, CAP_SYS_ADMIN))
		return -EPERM;
	if ((rc = copy_path_from_user(t, a->a[0], &target, 0)) < 0)
		return rc;
	rc = vfs_lookup(t, AT_FDCWD, target, (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &p);
	if (rc < 0)
		return rc;
	/* umount of "." after pivot_root(".", ".") means the mount on top. */
	follow_mounts(&p);
	m = p.mnt;
	if (!is_mount_root(&p)) {
		rc = -EINVAL;
	} else if (!m->parent) {
		/* The top of the tree: the sandbox's root stays. */
		rc = (flags & MNT_DETACH) ? -EINVAL : -EBUSY;
	} else if (flags & MNT_DETACH) {
		mnt_detach_tree(m);
	} else if (mnt_has_children(m) || m->refcount > 2) {
		/* The tree's reference and ours: anything more is a user
		 * (open file, cwd, root, a process's path). */
		rc = -EBUSY;
	} else if ((flags & MNT_EXPIRE) && !m->expiry_mark) {
		m->expiry_mark = true;
		rc = -EAGAIN;
	} else {
		mnt_detach(m);
	}
	path_put(&p);
	return rc;
}

/* ---- pivot_root ---- */

struct chroot_refs {
	struct path old, new;
};

static void replace_if(struct path *slot, const struct chroot_refs *cr)
{
	if (slot->mnt == cr->old.mnt && slot->dentry == cr->old.dentry) {
		struct path prev = *slot;

		*slot = cr->new;
		path_get(slot);
		path_put(&prev);
	}
}

/* chroot_fs_refs(): every task rooted (or standing) at the old root
 * moves to the new one. */
static int chroot_tg(struct thread_group *tg, void *arg)
{
	struct task *th;

	list_for_each_entry(th, &tg->threads, tg_link) {
		if (!th->fs)
			continue;
		replace_if(&th->fs->root, arg);
		replace_if(&th->fs->cwd, arg);
	}
	return 0;
}

SYSCALL_DEFINE(pivot_root, "ss")
{
	_cleanup_free_ char *new_root = NULL, *put_old = NULL;
	struct path newp, oldp, root;
	struct chroot_refs cr;
	struct mount *rm, *nm;
	int rc;

	if (!cred_capable(t->cred, CAP_SYS_ADMIN))
		return -EPERM;
	if ((rc = copy_path_from_user(t, a->a[0], &new_root, 0)) < 0 ||
	    (rc = copy_path_from_user(t, a->a[1], &put_old, 0)) < 0)
		return rc;
	if ((rc = vfs_lookup(t, AT_FDCWD, new_root, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &newp)) < 0)
		return rc;
	if ((rc = vfs_lookup(t, AT_FDCWD, put_old, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &oldp)) < 0) {
		path_put(&newp);
		return rc;
	}
	/* The old root goes on top of whatever is mounted at put_old. */
	follow_mounts(&oldp);
	root = t->fs->root;
	path_get(&root);
	rm = root.mnt;
	nm = newp.mnt;
	if (!rm->attached || !nm->attached)
		rc = -EINVAL;
	else if (d_unhashed(newp.dentry))
		rc = -ENOENT;
	else if (nm == rm || oldp.mnt == rm)
		rc = -EBUSY; /* new_root or put_old on the current root's mount */
	else if (root.dentry != rm->root || newp.dentry != nm->root || !nm->parent)
		rc = -EINVAL; /* the old or the new root is not a mount */
	else if (!path_is_under(&oldp, &newp) || !path_is_under(&newp, &root))
		rc = -EINVAL;
	if (rc == 0) {
		/* The new root takes the old one's place in the tree, and
		 * the old one goes to put_old. */
		struct path rmp = { rm->parent, rm->mountpoint };

		if (rm->parent) {
			path_get(&rmp);
			mnt_move(nm, &rmp);
			path_put(&rmp);
		} else {
			mnt_move(nm, NULL);
			mnt_set_tree_root(nm);
		}
		mnt_move(rm, &oldp);
		cr.old = root;
		cr.new = (struct path){ nm, nm->root };
		tg_for_each(chroot_tg, &cr);
	}
	path_put(&root);
	path_put(&newp);
	path_put(&oldp);
	return rc;
}

/* ---- statfs ---- */

static long statfs_out(struct task *t, int rc, const struct statfs *st, uint64_t ubuf)
{
	if (rc < 0)
		return rc;
	return copy_to_user(t, ubuf, st, sizeof(*st));
}

SYSCALL_DEFINE(statfs, "sp")
{
	_cleanup_free_ char *path = NULL;
	struct statfs st;
	struct path p;
	int rc;

	if ((rc = copy_path_from_user(t, a->a[0], &path, 0)) < 0)
		return rc;
	if ((rc = vfs_lookup(t, AT_FDCWD, path, LOOKUP_FOLLOW, &p)) < 0)
		return rc;
	rc = vfs_statfs(&p, &st);
	path_put(&p);
	return statfs_out(t, rc, &st, a->a[1]);
}

SYSCALL_DEFINE(fstatfs, "fp")
{
	struct file *f = fd_get(t, (int)a->a[0]);
	struct statfs st;
	int rc = 0;

	if (!f)
		return -EBADF;
	if (f->path.mnt) {
		rc = vfs_statfs(&f->path, &st);
	} else {
		/* Pipes and other files outside the tree live in Linux's
		 * internal filesystems. */
		memset(&st, 0, sizeof(st));
		st.f_type = file_is_pipe(f) ? PIPEFS_MAGIC : ANON_INODE_FS_MAGIC;
		st.f_bsize = 4096;
		st.f_frsize = 4096;
		st.f_namelen = 255;
		st.f_flags = 0x20; /* ST_VALID */
	}
	file_put(f);
	return statfs_out(t, rc, &st, a->a[1]);
}
