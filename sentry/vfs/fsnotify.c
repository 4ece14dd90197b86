/* fsnotify events: the hooks the VFS calls (see sentry/fsnotify.h) and
 * their delivery to marks. The order follows Linux 6.x's
 * include/linux/fsnotify.h and fs/notify/fsnotify.c: an event on a file
 * goes first to its parent directory's marks (with the name), then to its
 * own. */
#include <fcntl.h>
#include <sys/stat.h>

#include "sentry/vfs/fsnotify_impl.h"
#include "sentry/vfs/vfs_impl.h"

static uint32_t cookie_seq;

/* Hands the event to every interested mark on ino. path_d is the dentry
 * of an event on an open file (Linux's FSNOTIFY_EVENT_PATH), which marks
 * with IN_EXCL_UNLINK ignore once it is unlinked. */
static void send(struct inode *ino, uint32_t mask, const char *name, uint32_t cookie,
		 const struct dentry *path_d)
{
	struct fsnotify_mark *m, *n;

	/* The caller holds ino, so it outlives a handler dropping the last
	 * mark (oneshot) and its connector stays. */
	if (!fsnotify_has_marks(ino))
		return;
	list_for_each_entry_safe(m, n, &ino->i_fsnotify->marks, i_list) {
		/* IN_UNMOUNT reaches every mark. */
		if (!(mask & (m->mask | IN_UNMOUNT) & (IN_ALL_EVENTS | IN_UNMOUNT)))
			continue;
		if ((m->mask & IN_EXCL_UNLINK) && path_d && d_unhashed(path_d))
			continue;
		m->ops->handle_event(m, mask, name, cookie);
	}
}

/* fsnotify_parent() then fsnotify() on the inode: an event about d. */
static void notify_dentry(struct dentry *d, uint32_t mask, bool path_event)
{
	struct inode *ino = d ? d->inode : NULL;
	const struct dentry *pd = path_event ? d : NULL;

	if (!ino)
		return;
	if (S_ISDIR(ino->mode))
		mask |= IN_ISDIR;
	/* A filesystem root has no parent to tell. */
	if (!d_is_root(d))
		send(d->parent->inode, mask, d->name, 0, pd);
	send(ino, mask, NULL, 0, pd);
}

static void notify_file(struct file *f, uint32_t mask)
{
	if (f->f_notify && f->path.dentry)
		notify_dentry(f->path.dentry, mask, true);
}

void fsnotify_access(struct file *f)
{
	notify_file(f, IN_ACCESS);
}

void fsnotify_modify(struct file *f)
{
	notify_file(f, IN_MODIFY);
}

void fsnotify_open(struct file *f)
{
	notify_file(f, IN_OPEN);
}

void fsnotify_close(struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	notify_file(f, (acc == O_WRONLY || acc == O_RDWR) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
}

void fsnotify_change(struct dentry *d, unsigned int valid)
{
	uint32_t mask = 0;

	if (valid & (VFS_ATTR_UID | VFS_ATTR_GID | VFS_ATTR_MODE))
		mask |= IN_ATTRIB;
	if (valid & VFS_ATTR_SIZE)
		mask |= IN_MODIFY;
	/* Both times is a utimes call; one alone reads as an access or a
	 * modification. */
	if ((valid & (VFS_ATTR_ATIME | VFS_ATTR_MTIME)) == (VFS_ATTR_ATIME | VFS_ATTR_MTIME))
		mask |= IN_ATTRIB;
	else if (valid & VFS_ATTR_ATIME)
		mask |= IN_ACCESS;
	else if (valid & VFS_ATTR_MTIME)
		mask |= IN_MODIFY;
	if (mask)
		notify_dentry(d, mask, false);
}

void fsnotify_xattr(struct dentry *d)
{
	notify_dentry(d, IN_ATTRIB, false);
}

void fsnotify_inode_event(struct inode *ino, uint32_t mask)
{
	if (S_ISDIR(ino->mode))
		mask |= IN_ISDIR;
	send(ino, mask, NULL, 0, NULL);
}

void fsnotify_link_count(struct inode *ino)
{
	fsnotify_inode_event(ino, IN_ATTRIB);
}

void fsnotify_create(struct inode *dir, const char *name, bool isdir)
{
	send(dir, IN_CREATE | (isdir ? IN_ISDIR : 0), name, 0, NULL);
}

void fsnotify_delete(struct inode *dir, const char *name, bool isdir)
{
	send(dir, IN_DELETE | (isdir ? IN_ISDIR : 0), name, 0, NULL);
}

void fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		   bool isdir, struct inode *target, struct inode *source)
{
	uint32_t isd = isdir ? IN_ISDIR : 0, cookie;

	if (!fsnotify_has_marks(odir) && !fsnotify_has_marks(ndir) &&
	    !fsnotify_has_marks(target) && !fsnotify_has_marks(source))
		return;
	if (++cookie_seq == 0)
		cookie_seq = 1;
	cookie = cookie_seq;
	send(odir, IN_MOVED_FROM | isd, oname, cookie, NULL);
	send(ndir, IN_MOVED_TO | isd, nname, cookie, NULL);
	if (target)
		fsnotify_link_count(target);
	fsnotify_inode_event(source, IN_MOVE_SELF);
}
