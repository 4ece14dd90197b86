/* File descriptor syscalls: close, dup*, fcntl, pipe*, ioctl, close_range. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/memfd.h"
#include "sentry/fs/pipe.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "sentry/vfs/locks.h"
#include "syscalls/syscalls.h"

/* Flags that only matter at open time: Linux clears them from f_flags. */
#define OPEN_ONLY_FLAGS (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)
/* What F_SETFL may change (Linux's SETFL_MASK; O_NDELAY is O_NONBLOCK). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)
#ifndef FIOQSIZE
#define FIOQSIZE 0x5460
#endif
#ifndef O_NOTIFICATION_PIPE
#define O_NOTIFICATION_PIPE O_EXCL
#endif

static void file_putp(struct file **f)
{
	if (*f)
		file_put(*f);
}
#define _cleanup_file_ _cleanup_(file_putp)

static rlim_t task_nofile(struct task *t)
{
	return t->tg->rlim[RLIMIT_NOFILE].rlim_cur;
}

SYSCALL_DEFINE(close, "d")
{
	return fd_close(t, (int)a->a[0]);
}

SYSCALL_DEFINE(dup, "d")
{
	_cleanup_file_ struct file *f = fd_get(t, (int)a->a[0]);

	if (!f)
		return -EBADF;
	return fd_install(t, 0, f, false);
}

static long do_dup3(struct task *t, unsigned int oldfd, unsigned int newfd, int flags)
{
	_cleanup_file_ struct file *f = NULL;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (newfd >= task_nofile(t) || newfd > INT32_MAX)
		return -EBADF;
	f = fd_get(t, (int)oldfd);
	if (!f)
		return -EBADF;
	return fd_install_at(t, (int)newfd, f, flags & O_CLOEXEC);
}

SYSCALL_DEFINE(dup2, "dd")
{
	unsigned int oldfd = (unsigned int)a->a[0], newfd = (unsigned int)a->a[1];

	if (oldfd == newfd) {
		_cleanup_file_ struct file *f = fd_get(t, (int)oldfd);

		return f ? (long)newfd : -EBADF;
	}
	return do_dup3(t, oldfd, newfd, 0);
}

SYSCALL_DEFINE(dup3, "ddo")
{
	return do_dup3(t, (unsigned int)a->a[0], (unsigned int)a->a[1], (int)a->a[2]);
}

/* ---- fcntl ---- */

static long fcntl_setfl(struct task *t, struct file *f, int arg)
{
	if ((arg & O_NOATIME) && !(f->flags & O_NOATIME)) {
		struct inode *ino = f->inode;

		if (ino && t->cred->fsuid != ino->uid && !cred_capable(t->cred, CAP_FOWNER))
			return -EPERM;
	}
	/* No direct I/O below the sentry, and no packet-mode pipes. */
	if ((arg & O_DIRECT) && !(f->flags & O_DIRECT)) {
		log_once("fcntl-setfl-direct", "fcntl(F_SETFL, O_DIRECT) is not supported: EINVAL");
		return -EINVAL;
	}
	/* SIGIO delivery is not implemented; pretending would lose signals. */
	if ((arg & O_ASYNC) && !(f->flags & O_ASYNC)) {
		log_once("fcntl-setfl-async", "fcntl(F_SETFL, O_ASYNC) is not supported: EINVAL");
		return -EINVAL;
	}
	f->flags = (arg & SETFL_MASK) | (f->flags & ~SETFL_MASK);
	return 0;
}

static long do_fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	struct flock fl;
	long r = copy_from_user(t, &fl, arg, sizeof(fl));

	if (r)
		return r;
	r = locks_fcntl(t, f, cmd, &fl);
	if (r == 0 && (cmd == F_GETLK || cmd == F_OFD_GETLK))
		r = copy_to_user(t, arg, &fl, sizeof(fl));
	return r;
}

static bool fcntl_ok_on_opath(int cmd)
{
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_GETFD:
	case F_SETFD:
	case F_GETFL:
		return true;
	default:
		return false;
	}
}

SYSCALL_DEFINE(fcntl, "ddx")
{
	int fd = (int)a->a[0];
	int cmd = (int)a->a[1];
	uint64_t arg = a->a[2];
	unsigned int argi = (unsigned int)arg;
	_cleanup_file_ struct file *f = fd_get(t, fd);
	char key[32];
	int r;

	if (!f)
		return -EBADF;
	if ((f->flags & O_PATH) && !fcntl_ok_on_opath(cmd))
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (argi >= task_nofile(t) || argi > INT32_MAX)
			return -EINVAL;
		return fd_install(t, (int)argi, f, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		r = fd_get_cloexec(t, fd);
		return r < 0 ? r : (r ? FD_CLOEXEC : 0);
	case F_SETFD:
		return fd_set_cloexec(t, fd, arg & FD_CLOEXEC);
	case F_GETFL:
		return f->flags & ~OPEN_ONLY_FLAGS;
	case F_SETFL:
		return fcntl_setfl(t, f, (int)arg);
	case F_GETPIPE_SZ:
		return pipe_get_size(f);
	case F_SETPIPE_SZ:
		return pipe_set_size(f, t, argi);
	case F_GETOWN:
		/* F_SETOWN is refused, so no owner is ever set. */
		return 0;
	case F_GETSIG:
		return 0;
	case F_ADD_SEALS:
	case F_GET_SEALS:
		return memfd_fcntl(f, cmd, argi);
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return do_fcntl_lock(t, f, cmd, arg);
	default:
		snprintf(key, sizeof(key), "fcntl-%d", cmd);
		log_once(key, "fcntl command %d is not supported: EINVAL", cmd);
		return -EINVAL;
	}
}

/* ---- pipes ---- */

static long do_pipe2(struct task *t, uint64_t ufds, int flags)
{
	_cleanup_file_ struct file *rd = NULL;
	_cleanup_file_ struct file *wr = NULL;
	bool cloexec = flags & O_CLOEXEC;
	int fds[2];
	int r;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE))
		return -EINVAL;
	if (flags & (O_DIRECT | O_NOTIFICATION_PIPE)) {
		log_once("pipe2-packet", "pipe2 with O_DIRECT (packet mode) or notification pipes "
			 "is not supported: EINVAL");
		return -EINVAL;
	}
	r = pipe_create(&rd, &wr, flags & O_NONBLOCK);
	if (r)
		return r;
	pipe_set_owner(rd, t->cred->fsuid, t->cred->fsgid);
	fds[0] = fd_install(t, 0, rd, cloexec);
	if (fds[0] < 0)
		return fds[0];
	fds[1] = fd_install(t, 0, wr, cloexec);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		return fds[1];
	}
	if (copy_to_user(t, ufds, fds, sizeof(fds))) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE(pipe, "p")
{
	return do_pipe2(t, a->a[0], 0);
}

SYSCALL_DEFINE(pipe2, "po")
{
	return do_pipe2(t, a->a[0], (int)a->a[1]);
}

/* ---- ioctl ---- */

SYSCALL_DEFINE(ioctl, "dxx")
{
	int fd = (int)a->a[0];
	unsigned int cmd = (unsigned int)a->a[1];
	uint64_t arg = a->a[2];
	_cleanup_file_ struct file *f = fd_get(t, fd);
	struct inode *ino;
	int on, r;

	/* O_PATH files take no ioctl at all, not even FIOCLEX. */
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	ino = f->inode;
	switch (cmd) {
	case FIOCLEX:
		return fd_set_cloexec(t, fd, true);
	case FIONCLEX:
		return fd_set_cloexec(t, fd, false);
	case FIONBIO:
		r = copy_from_user(t, &on, arg, sizeof(on));
		if (r)
			return r;
		if (on)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
		return 0;
	case FIOASYNC:
		r = copy_from_user(t, &on, arg, sizeof(on));
		if (r)
			return r;
		if (on) {
			log_once("ioctl-fioasync", "ioctl(FIOASYNC) is not supported: EINVAL");
			return -EINVAL;
		}
		f->flags &= ~O_ASYNC;
		return 0;
	case FIOQSIZE:
		if (ino && (S_ISDIR(ino->mode) || S_ISREG(ino->mode) || S_ISLNK(ino->mode))) {
			int64_t size = ino->size;

			return copy_to_user(t, arg, &size, sizeof(size));
		}
		return -ENOTTY;
	case FIONREAD:
		/* Regular files answer generically; others ask their driver. */
		if (ino && S_ISREG(ino->mode)) {
			int n = (int)(ino->size - f->pos);

			return copy_to_user(t, arg, &n, sizeof(n));
		}
		break;
	default:
		break;
	}
	if (!f->ops || !f->ops->ioctl)
		return -ENOTTY;
	return f->ops->ioctl(f, t, cmd, arg);
}

/* ---- close_range ---- */

SYSCALL_DEFINE(close_range, "ddx")
{
	unsigned int first = (unsigned int)a->a[0], last = (unsigned int)a->a[1];
	unsigned int flags = (unsigned int)a->a[2];
	struct fdtable *ft;

	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) && t->files->refcount > 1) {
		struct fdtable *copy = fdtable_copy(t->files);

		fdtable_put(t->files);
		t->files = copy;
	}
	ft = t->files;
	for (unsigned int fd = first; fd <= last && fd < (unsigned int)ft->size; fd++) {
		if (!ft->files[fd])
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			ft->cloexec[fd] = true;
		else
			fd_close(t, (int)fd);
	}
	return 0;
}
