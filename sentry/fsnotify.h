/* fsnotify: change notification in the VFS (Linux's fs/notify/ and
 * include/linux/fsnotify.h).
 *
 * The VFS calls the hooks below from its operations (never from a
 * filesystem), so every filesystem reports the same events: what the
 * sandbox itself does. Changes made on the host behind the gofer's back
 * are not seen. A mark (an inotify watch) sits on an inode and holds a
 * reference on it; the inode's last name going away (IN_DELETE_SELF) or
 * its filesystem's last mount (IN_UNMOUNT) detaches every mark, so marks
 * never keep a deleted inode alive.
 *
 * Events use inotify's IN_* bits, which are Linux's FS_* bits. An event
 * on a file goes to the marks on its inode, and to those on its parent
 * directory with the file's name (IN_ISDIR set for directories).
 * sentry/vfs/fsnotify.c sends events, fsnotify_mark.c keeps the marks. */
#ifndef SENTRY_FSNOTIFY_H
#define SENTRY_FSNOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/inotify.h>

#include "sentry/list.h"

struct inode;
struct dentry;
struct file;
struct superblock;
struct fsnotify_mark;

struct fsnotify_mark_ops {
	/* An event m asked for: mask (IN_* with IN_ISDIR), the child's
	 * name for an event a directory's mark sees about an entry (else
	 * NULL), and the rename cookie (else 0). May detach m (oneshot). */
	void (*handle_event)(struct fsnotify_mark *m, uint32_t mask, const char *name,
			     uint32_t cookie);
	/* fsnotify detached m because its inode was deleted or unmounted;
	 * the owner frees it (inotify queues IN_IGNORED). */
	void (*detached)(struct fsnotify_mark *m);
};

struct fsnotify_mark {
	const struct fsnotify_mark_ops *ops;
	struct inode *inode;     /* a reference while attached, else NULL */
	/* IN_* events wanted, with IN_EXCL_UNLINK and IN_ONESHOT. */
	uint32_t mask;
	struct list_head i_list; /* on the inode's marks */
};

/* Attaches m (ops and mask set) to ino, taking a reference on it. */
void fsnotify_add_mark(struct fsnotify_mark *m, struct inode *ino);
/* Detaches m from its inode (drops the reference); no callback. */
void fsnotify_detach_mark(struct fsnotify_mark *m);
/* The first mark on ino that match accepts, or NULL. */
struct fsnotify_mark *fsnotify_find_mark(struct inode *ino,
					 bool (*match)(struct fsnotify_mark *m, void *arg),
					 void *arg);
/* Does ino have marks? (The dentry cache keeps its names while so.) */
bool fsnotify_inode_watched(const struct inode *ino);
/* The inode's last reference went (inode_put): frees what fsnotify kept. */
void fsnotify_inode_evict(struct inode *ino);

/* ---- hooks, named after Linux's ---- */
/* A file opened through the VFS was read (read, splice, sendfile,
 * copy_file_range, getdents), written, opened, closed. */
void fsnotify_access(struct file *f);
void fsnotify_modify(struct file *f);
void fsnotify_open(struct file *f);
void fsnotify_close(struct file *f);
/* Attributes of d's inode changed (VFS_ATTR_* of vfs_setattr): chmod,
 * chown and utimes are IN_ATTRIB, truncate IN_MODIFY, an atime alone
 * IN_ACCESS. */
void fsnotify_change(struct dentry *d, unsigned int ia_valid);
/* An extended attribute was set or removed (IN_ATTRIB). */
void fsnotify_xattr(struct dentry *d);
/* ino's link count changed (link, unlink, rename over it): IN_ATTRIB to
 * its own marks only. */
void fsnotify_link_count(struct inode *ino);
/* Directory entries: name was made in dir (create, mkdir, mknod,
 * symlink, link) or removed from it. */
void fsnotify_create(struct inode *dir, const char *name, bool isdir);
void fsnotify_delete(struct inode *dir, const char *name, bool isdir);
/* rename: IN_MOVED_FROM/IN_MOVED_TO with one cookie, IN_ATTRIB for an
 * overwritten target, IN_MOVE_SELF for the source. */
void fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		   bool isdir, struct inode *target, struct inode *source);
/* The VFS removed a name of victim's inode (unlink, rmdir, rename over
 * it); last says it was the inode's last link. The inode is deleted
 * (IN_DELETE_SELF, then its marks go) now if nothing else holds victim,
 * else when the dentry's last reference goes. */
void fsnotify_unlinked(struct dentry *victim, bool last);
/* The dentry cache frees d (its last reference went). */
void fsnotify_d_free(struct dentry *d);
/* sb's last mount went: IN_UNMOUNT and the end of every mark on it. */
void fsnotify_sb_unmount(struct superblock *sb);

#endif
