/* Advisory file locks (Linux's fs/locks.c): flock(2) locks owned by the
 * open file description, POSIX record locks owned by the fd table (what
 * Linux calls current->files: the process), and OFD record locks owned by
 * the open file description. They hang off inode->i_flock. */
#ifndef SENTRY_VFS_LOCKS_H
#define SENTRY_VFS_LOCKS_H

#include <stdint.h>

struct file;
struct fdtable;
struct task;
struct flock;

/* flock(2): cmd LOCK_SH/LOCK_EX/LOCK_UN, optionally | LOCK_NB. */
long locks_flock(struct task *t, struct file *f, unsigned int cmd);
/* fcntl F_GETLK/F_SETLK/F_SETLKW and the F_OFD_ variants on the user's
 * struct flock (copied in; the GETLKs fill it in for copying out). */
long locks_fcntl(struct task *t, struct file *f, int cmd, struct flock *fl);
/* A file's last reference is going: its flock and OFD locks go with it. */
void locks_remove_file(struct file *f);
/* An fd of f is closed in table ft: ft's POSIX locks on the inode go. */
void locks_remove_posix(struct file *f, struct fdtable *ft);
/* ft is being freed: forget its tasks' deadlock-detection waits. */
void locks_owner_gone(struct fdtable *ft);

#endif
