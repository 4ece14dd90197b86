/* inotify instances (Linux fs/notify/inotify/): an anonymous file whose
 * watches are fsnotify marks (sentry/fsnotify.h) and whose read(2) returns
 * the queued struct inotify_event records. */
#ifndef SENTRY_FS_INOTIFY_H
#define SENTRY_FS_INOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct file;
struct inode;

/* The /proc/sys/fs/inotify limits (read-only in the sandbox): Linux's
 * defaults, with max_user_watches at the floor Linux scales it from. */
#define INOTIFY_MAX_QUEUED_EVENTS 16384
#define INOTIFY_MAX_USER_INSTANCES 128
#define INOTIFY_MAX_USER_WATCHES 8192

/* Every bit inotify_add_watch accepts (Linux's ALL_INOTIFY_BITS). */
#define INOTIFY_ALL_BITS                                                             \
	(IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR |       \
	 IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | \
	 IN_ONESHOT)

/* A new instance charged to user uid (-EMFILE past max_user_instances);
 * flags may hold O_NONBLOCK. */
int inotify_create(uid_t uid, int flags, struct file **out);
bool file_is_inotify(const struct file *f);
/* inotify_add_watch() on an instance: the watch's wd, or -EEXIST
 * (IN_MASK_CREATE), -ENOSPC (max_user_watches). */
int inotify_file_add_watch(struct file *f, struct inode *ino, uint32_t mask);
/* inotify_rm_watch(): -EINVAL for a wd that is not a watch. */
int inotify_file_rm_watch(struct file *f, int wd);

#endif
