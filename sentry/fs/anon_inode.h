/* Linux's anon_inodefs: the one inode that every eventfd, epoll, timerfd
 * and signalfd file shares (mode 0600 without a file type, owned by root). */
#ifndef SENTRY_FS_ANON_INODE_H
#define SENTRY_FS_ANON_INODE_H

#include <sys/stat.h>

struct file;

/* A file_ops getattr for such files. */
int anon_inode_getattr(struct file *f, struct stat *st);

#endif
