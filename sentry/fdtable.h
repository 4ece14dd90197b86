/* File descriptor tables (CLONE_FILES shares one). */
#ifndef SENTRY_FDTABLE_H
#define SENTRY_FDTABLE_H

#include <stdbool.h>

struct file;
struct task;

struct fdtable {
	int refcount;
	struct file **files;
	bool *cloexec;
	int size;
};

struct fdtable *fdtable_new(void);
struct fdtable *fdtable_copy(struct fdtable *src); /* fork: shares the files */
void fdtable_put(struct fdtable *t);
/* Installs f at the lowest free fd >= minfd (below the task's
 * RLIMIT_NOFILE: -EMFILE otherwise). Takes a new reference on f. */
int fd_install(struct task *t, int minfd, struct file *f, bool cloexec);
/* The fd fd_install would use (lowest free >= minfd), or -EMFILE;
 * nothing is installed (accept4 and SCM_RIGHTS check before they commit). */
int fd_find_free(struct task *t, int minfd);
/* Installs at exactly fd, closing what was there (dup2/dup3). */
int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec);
/* New reference to the file at fd, or NULL (caller returns -EBADF). */
struct file *fd_get(struct task *t, int fd);
int fd_close(struct task *t, int fd);
int fd_get_cloexec(struct task *t, int fd);   /* 0/1 or -EBADF */
int fd_set_cloexec(struct task *t, int fd, bool on);
void fdtable_close_on_exec(struct fdtable *t);

#endif
