/* Shared by sentry/vfs/fsnotify.c (the events) and fsnotify_mark.c (the
 * marks), split so that files, which send events, do not pull in the
 * dentry cache. */
#ifndef SENTRY_VFS_FSNOTIFY_IMPL_H
#define SENTRY_VFS_FSNOTIFY_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/fsnotify.h"
#include "sentry/list.h"
#include "sentry/vfs.h"

/* The marks of one inode (Linux's fsnotify_mark_connector). It lives as
 * long as the inode, so a mark may go while its inode's marks are being
 * walked. */
struct fsnotify_conn {
	struct inode *inode;
	struct list_head marks; /* of fsnotify_mark.i_list */
	struct list_head all;   /* every inode that had marks, for unmount */
};

static inline bool fsnotify_has_marks(const struct inode *ino)
{
	return ino && ino->i_fsnotify && !list_empty(&ino->i_fsnotify->marks);
}

/* fsnotify_inode(): an event to ino's own marks (IN_ISDIR added for a
 * directory). The caller holds ino. */
void fsnotify_inode_event(struct inode *ino, uint32_t mask);

#endif
