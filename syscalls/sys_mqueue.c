/* POSIX message queue syscalls (ipc/mqueue.c): mq_open, mq_unlink,
 * mq_timedsend, mq_timedreceive, mq_notify, mq_getsetattr. The queues and
 * their filesystem are sentry/fs/mqueue.c; this file copies arguments,
 * resolves names under the mqueue root and checks what Linux checks, in
 * Linux's order.
 *
 * SIGEV_THREAD notification needs an AF_NETLINK socket to deliver its
 * cookie to, and the sandbox has no netlink: the descriptor given is
 * checked as Linux's netlink_getsockbyfd does (EBADF, ENOTSOCK, then
 * EINVAL for a socket of another family), so it always fails there. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/mqueue.h"
#include "sentry/fs/socket.h"
#include "sentry/kernel.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"
#include "syscalls/syscalls.h"

#define NOTIFY_COOKIE_LEN 32

/* lookup_noperm()'s name rules: no empty name, "." or "..", and no '/'
 * (glibc strips the leading one before the call). */
static int check_name(const char *name)
{
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EACCES;
	if (strchr(name, '/'))
		return -EACCES;
	return 0;
}

/* The dentry of name under the mqueue root (lookup_noperm()). */
static int lookup_queue(const char *name, struct path *root, struct dentry **out)
{
	int rc;

	if ((rc = check_name(name)) < 0)
		return rc;
	mqueue_root(root);
	*out = d_lookup_child(root->dentry, name, strlen(name), &rc);
	if (!*out) {
		path_put(root);
		return rc;
	}
	return 0;
}

/* prepare_open(). */
static int prepare_open(struct task *t, struct inode *dir, struct dentry *d, int oflag,
			uint32_t mode, const struct mq_attr_k *attr)
{
	static const int acc[3] = { MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE };
	int rc;

	if (!d->inode) {
		if (!(oflag & O_CREAT))
			return -ENOENT;
		if ((rc = vfs_permission(t, dir, MAY_WRITE | MAY_EXEC)) < 0)
			return rc;
		return mqueue_create(t, d, mode & ~t->fs->umask & 07777, attr);
	}
	if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if ((oflag & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	return vfs_permission(t, d->inode, acc[oflag & O_ACCMODE]);
}

SYSCALL_DEFINE(mq_open, "somp")
{
	uint64_t uattr = a->a[3];
	int oflag = (int)a->a[1];
	_cleanup_free_ char *name = NULL;
	struct mq_attr_k attr;
	struct path root, p;
	struct dentry *d;
	struct file *f;
	int rc;

	if (uattr && copy_from_user(t, &attr, uattr, sizeof(attr)))
		return -EFAULT;
	if ((rc = copy_path_from_user(t, a->a[0], &name, 0)) < 0)
		return rc;
	/* get_unused_fd_flags() comes before the lookup. */
	if ((rc = fd_find_free(t, 0)) < 0)
		return rc;
	if ((rc = lookup_queue(name, &root, &d)) < 0)
		return rc;
	rc = prepare_open(t, root.dentry->inode, d, oflag, (uint32_t)a->a[2], uattr ? &attr : NULL);
	if (rc == 0) {
		/* Access was checked above (or the caller created it). */
		p = (struct path){ root.mnt, d };
		rc = vfs_do_open(t, NULL, &p, oflag, true, &f);
		if (rc == 0) {
			/* Linux opens every queue descriptor close-on-exec. */
			rc = fd_install(t, 0, f, true);
			file_put(f);
		}
	}
	dentry_put(d);
	path_put(&root);
	return rc;
}

SYSCALL_DEFINE(mq_unlink, "s")
{
	_cleanup_free_ char *name = NULL;
	struct inode *dir, *ino;
	struct path root;
	struct dentry *d;
	int rc;

	if ((rc = copy_path_from_user(t, a->a[0], &name, 0)) < 0)
		return rc;
	if ((rc = lookup_queue(name, &root, &d)) < 0)
		return rc;
	dir = root.dentry->inode;
	ino = d->inode;
	if (!ino) {
		rc = -ENOENT;
	} else if ((rc = vfs_permission(t, dir, MAY_WRITE | MAY_EXEC)) < 0) {
		/* may_delete(): the directory first */
	} else if ((dir->mode & S_ISVTX) && t->cred->fsuid != ino->uid && t->cred->fsuid != dir->uid &&
		   !cred_capable(t->cred, CAP_FOWNER)) {
		/* Another user's queue in the sticky root: EACCES, as
		 * mq_unlink(3) documents and Linux 6.18 returns (older
		 * kernels went through may_delete()'s EPERM). */
		rc = -EACCES;
	} else if (d->mounted) {
		rc = -EBUSY;
	} else if ((rc = dir->iops->unlink(dir, d->name)) == 0) {
		d_drop(d);
	}
	dentry_put(d);
	path_put(&root);
	return rc;
}

/* prepare_timeout(): an absolute CLOCK_REALTIME time, checked whether or
 * not the call would block, turned into the CLOCK_MONOTONIC deadline of
 * the sentry once per call (scratch[0]) so that re-runs aim at the same
 * instant. 0: no timeout. */
static int mq_deadline(struct task *t, uint64_t uts, int64_t *deadline)
{
	struct timespec ts, now;
	int64_t ns, delta, mono;

	*deadline = 0;
	if (!uts)
		return 0;
	if (t->sys.restarted) {
		*deadline = (int64_t)t->sys.scratch[0];
		return 0;
	}
	if (copy_from_user(t, &ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &now);
	mono = kernel_mono_ns();
	if (ts.tv_sec > INT64_MAX / 1000000000LL - 1) {
		*deadline = INT64_MAX;
	} else {
		ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		delta = ns - ((int64_t)now.tv_sec * 1000000000LL + now.tv_nsec);
		if (delta <= 0)
			*deadline = mono > 0 ? mono : 1;
		else
			*deadline = delta > INT64_MAX - mono ? INT64_MAX : mono + delta;
	}
	t->sys.scratch[0] = (uint64_t)*deadline;
	return 0;
}

SYSCALL_DEFINE(mq_timedsend, "dpuup")
{
	unsigned int prio = (unsigned int)a->a[3];
	int64_t deadline;
	struct file *f;
	long rc;

	if ((rc = mq_deadline(t, a->a[4], &deadline)) < 0)
		return rc;
	if (prio >= MQ_PRIO_MAX_K)
		return -EINVAL;
	if (!(f = fd_get(t, (int)a->a[0])))
		return -EBADF;
	rc = mqueue_send(t, f, a->a[1], (size_t)a->a[2], prio, deadline);
	file_put(f);
	return rc;
}

SYSCALL_DEFINE(mq_timedreceive, "dpupp")
{
	int64_t deadline;
	struct file *f;
	long rc;

	if ((rc = mq_deadline(t, a->a[4], &deadline)) < 0)
		return rc;
	if (!(f = fd_get(t, (int)a->a[0])))
		return -EBADF;
	rc = mqueue_receive(t, f, a->a[1], (size_t)a->a[2], a->a[3], deadline);
	file_put(f);
	return rc;
}

/* netlink_getsockbyfd() for SIGEV_THREAD: there is no netlink socket to
 * find in the sandbox. */
static int notify_socket(struct task *t, int fd)
{
	struct file *f = fd_get(t, fd);
	int rc;

	if (!f)
		return -EBADF;
	rc = socket_from_file(f) ? -EINVAL : -ENOTSOCK;
	file_put(f);
	if (rc == -EINVAL)
		log_once("mq_notify-thread",
			 "mq_notify: SIGEV_THREAD needs an AF_NETLINK socket, which the sandbox does not have (EINVAL)");
	return rc;
}

SYSCALL_DEFINE(mq_notify, "dp")
{
	uint64_t uev = a->a[1];
	char cookie[NOTIFY_COOKIE_LEN];
	struct sigevent ev;
	struct file *f;
	int rc;

	if (uev) {
		if (copy_from_user(t, &ev, uev, sizeof(ev)))
			return -EFAULT;
		if (ev.sigev_notify != SIGEV_NONE && ev.sigev_notify != SIGEV_SIGNAL &&
		    ev.sigev_notify != SIGEV_THREAD)
			return -EINVAL;
		if (ev.sigev_notify == SIGEV_SIGNAL &&
		    (ev.sigev_signo < 0 || ev.sigev_signo > SANDBOX_NSIG))
			return -EINVAL;
		if (ev.sigev_notify == SIGEV_THREAD) {
			if (copy_from_user(t, cookie, (uint64_t)(uintptr_t)ev.sigev_value.sival_ptr,
					   sizeof(cookie)))
				return -EFAULT;
			return notify_socket(t, ev.sigev_signo);
		}
	}
	if (!(f = fd_get(t, (int)a->a[0])))
		return -EBADF;
	rc = mqueue_notify(t, f, uev ? &ev : NULL);
	file_put(f);
	return rc;
}

SYSCALL_DEFINE(mq_getsetattr, "dpp")
{
	uint64_t unew = a->a[1], uold = a->a[2];
	struct mq_attr_k nattr, oattr;
	struct file *f;

	if (unew) {
		if (copy_from_user(t, &nattr, unew, sizeof(nattr)))
			return -EFAULT;
		if (nattr.mq_flags & ~(long)O_NONBLOCK)
			return -EINVAL;
	}
	if (!(f = fd_get(t, (int)a->a[0])))
		return -EBADF;
	if (!mqueue_from_file(f)) {
		file_put(f);
		return -EBADF;
	}
	mqueue_getattr(f, &oattr);
	if (unew) {
		f->flags = (f->flags & ~O_NONBLOCK) | (int)(nattr.mq_flags & O_NONBLOCK);
		mqueue_touch(f);
	}
	file_put(f);
	if (uold && copy_to_user(t, uold, &oattr, sizeof(oattr)))
		return -EFAULT;
	return 0;
}
