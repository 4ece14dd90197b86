/* File descriptor tables: growable arrays of file references, shared
 * between tasks created with CLONE_FILES. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/locks.h"

/* Linux's fs.nr_open default: RLIMIT_NOFILE can never exceed it. */
#define NR_OPEN_MAX 1048576
#define FDTABLE_MIN 64

struct fdtable *fdtable_new(void)
{
	struct fdtable *ft = xzalloc(sizeof(*ft));

	ft->refcount = 1;
	return ft;
}

/* What closing a descriptor does before the reference goes (Linux's
 * filp_flush): the file's flush, then the POSIX locks of the table. */
static void filp_flush(struct file *f, struct fdtable *ft)
{
	if (f && f->ops && f->ops->flush)
		f->ops->flush(f, ft);
	locks_remove_posix(f, ft);
}

static void fdtable_grow(struct fdtable *ft, int need)
{
	int nsize = ft->size ? ft->size : FDTABLE_MIN;

	if (need <= ft->size)
		return;
	while (nsize < need)
		nsize *= 2;
	ft->files = xrealloc(ft->files, (size_t)nsize * sizeof(*ft->files));
	ft->cloexec = xrealloc(ft->cloexec, (size_t)nsize * sizeof(*ft->cloexec));
	memset(ft->files + ft->size, 0, (size_t)(nsize - ft->size) * sizeof(*ft->files));
	memset(ft->cloexec + ft->size, 0, (size_t)(nsize - ft->size) * sizeof(*ft->cloexec));
	ft->size = nsize;
}

struct fdtable *fdtable_copy(struct fdtable *src)
{
	struct fdtable *ft = fdtable_new();
	int last = -1;

	for (int i = 0; i < src->size; i++)
		if (src->files[i])
			last = i;
	if (last >= 0)
		fdtable_grow(ft, last + 1);
	for (int i = 0; i <= last; i++) {
		ft->files[i] = file_get(src->files[i]);
		ft->cloexec[i] = src->files[i] ? src->cloexec[i] : false;
	}
	return ft;
}

void fdtable_put(struct fdtable *ft)
{
	if (!ft || --ft->refcount > 0)
		return;
	for (int i = 0; i < ft->size; i++) {
		struct file *f = ft->files[i];

		/* Clear the slot first: a release callback must never find a
		 * file that is going away still installed. */
		ft->files[i] = NULL;
		filp_flush(f, ft);
		file_put(f);
	}
	locks_owner_gone(ft);
	free(ft->files);
	free(ft->cloexec);
	free(ft);
}

static int task_nofile(struct task *t)
{
	rlim_t cur = t->tg->rlim[RLIMIT_NOFILE].rlim_cur;

	return cur > NR_OPEN_MAX ? NR_OPEN_MAX : (int)cur;
}

int fd_install(struct task *t, int minfd, struct file *f, bool cloexec)
{
	struct fdtable *ft = t->files;
	int limit = task_nofile(t);
	int fd;

	if (minfd < 0)
		return -EINVAL;
	for (fd = minfd; fd < ft->size && ft->files[fd]; fd++)
		;
	if (fd >= limit)
		return -EMFILE;
	fdtable_grow(ft, fd + 1);
	ft->files[fd] = file_get(f);
	ft->cloexec[fd] = cloexec;
	return fd;
}

int fd_find_free(struct task *t, int minfd)
{
	struct fdtable *ft = t->files;
	int fd;

	if (minfd < 0)
		return -EINVAL;
	for (fd = minfd; fd < ft->size && ft->files[fd]; fd++)
		;
	return fd < task_nofile(t) ? fd : -EMFILE;
}

int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec)
{
	struct fdtable *ft = t->files;
	struct file *old;

	if (fd < 0 || fd >= task_nofile(t))
		return -EBADF;
	fdtable_grow(ft, fd + 1);
	old = ft->files[fd];
	/* Take the new reference before dropping the old one: f may be old. */
	ft->files[fd] = file_get(f);
	ft->cloexec[fd] = cloexec;
	filp_flush(old, ft);
	file_put(old);
	return fd;
}

struct file *fd_get(struct task *t, int fd)
{
	struct fdtable *ft = t->files;

	if (!ft || fd < 0 || fd >= ft->size)
		return NULL;
	return file_get(ft->files[fd]);
}

int fd_close(struct task *t, int fd)
{
	struct fdtable *ft = t->files;
	struct file *f;

	if (fd < 0 || fd >= ft->size || !ft->files[fd])
		return -EBADF;
	f = ft->files[fd];
	ft->files[fd] = NULL;
	ft->cloexec[fd] = false;
	filp_flush(f, ft);
	file_put(f);
	return 0;
}

int fd_get_cloexec(struct task *t, int fd)
{
	struct fdtable *ft = t->files;

	if (fd < 0 || fd >= ft->size || !ft->files[fd])
		return -EBADF;
	return ft->cloexec[fd] ? 1 : 0;
}

int fd_set_cloexec(struct task *t, int fd, bool on)
{
	struct fdtable *ft = t->files;

	if (fd < 0 || fd >= ft->size || !ft->files[fd])
		return -EBADF;
	ft->cloexec[fd] = on;
	return 0;
}

void fdtable_close_on_exec(struct fdtable *ft)
{
	for (int i = 0; i < ft->size; i++) {
		struct file *f = ft->files[i];

		if (!f || !ft->cloexec[i])
			continue;
		ft->files[i] = NULL;
		ft->cloexec[i] = false;
		filp_flush(f, ft);
		file_put(f);
	}
}
