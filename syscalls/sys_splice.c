/* splice(2), tee(2), vmsplice(2) and copy_file_range(2), built on the
 * pipe buffer (sentry/fs/pipe.c) and vfs_read/vfs_write for the other
 * side. Data leaves a pipe only once its destination took it (peek, then
 * consume what was written), so a transfer that blocks half-way loses
 * nothing; and data enters a pipe only in amounts that fit whole, read
 * from the source just before. So splice and tee need no progress across
 * re-runs: like Linux they move what is there and return. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/pipe.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

#ifndef SPLICE_F_MOVE
#define SPLICE_F_MOVE 1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE 4
#define SPLICE_F_GIFT 8
#endif
#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

#define SPLICE_CHUNK ((size_t)65536)
#define MAX_RW_COUNT ((size_t)INT_MAX & ~(size_t)4095)

static void file_putp(struct file **f)
{
	if (*f)
		file_put(*f);
}
#define _cleanup_file_ _cleanup_(file_putp)

static bool can_read(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}

static bool can_write(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

/* Writes buf whole to out at *pos unless out blocks or fails: the count
 * written, or the error when nothing was. */
static ssize_t splice_write_all(struct task *t, struct file *out, const char *buf, size_t n,
			 int64_t *pos)
{
	size_t w = 0;

	while (w < n) {
		ssize_t r = vfs_write(out, t, buf + w, n - w, pos);

		if (r <= 0)
			return w > 0 ? (ssize_t)w : (r == 0 ? -EIO : r);
		w += (size_t)r;
	}
	return (ssize_t)w;
}

/* splice (consume: the bytes leave in) and tee (they stay) between two
 * pipes. */
static long splice_pipe_to_pipe(struct task *t, struct file *in, struct file *out, size_t len,
				unsigned int flags, bool consume)
{
	bool nb = flags & SPLICE_F_NONBLOCK;
	_cleanup_free_ char *buf = NULL;
	long avail, room;
	size_t n;

	if (pipe_same(in, out))
		return -EINVAL;
	avail = pipe_splice_avail(in, t, nb);
	if (avail <= 0)
		return avail;
	room = pipe_splice_room(out, t, nb);
	if (room < 0)
		return room;
	n = MIN(len, MIN((size_t)avail, (size_t)room));
	buf = xmalloc(n);
	pipe_peek(in, buf, 0, n);
	pipe_fill(out, buf, n);
	if (consume)
		pipe_consume(in, n);
	return (long)n;
}

static long splice_from_pipe(struct task *t, struct file *in, struct file *out, int64_t *pos,
			     size_t len, unsigned int flags)
{
	_cleanup_free_ char *buf = NULL;
	long avail;
	ssize_t w;
	size_t n;

	avail = pipe_splice_avail(in, t, flags & SPLICE_F_NONBLOCK);
	if (avail <= 0)
		return avail;
	n = MIN(len, MIN((size_t)avail, SPLICE_CHUNK));
	buf = xmalloc(n);
	pipe_peek(in, buf, 0, n);
	w = splice_write_all(t, out, buf, n, pos);
	if (w > 0)
		pipe_consume(in, (size_t)w);
	return w;
}

static long splice_to_pipe(struct task *t, struct file *in, int64_t *pos, struct file *out,
			   size_t len, unsigned int flags)
{
	_cleanup_free_ char *buf = NULL;
	long room;
	ssize_t r;
	size_t n;

	room = pipe_splice_room(out, t, flags & SPLICE_F_NONBLOCK);
	if (room < 0)
		return room;
	n = MIN(len, MIN((size_t)room, SPLICE_CHUNK));
	buf = xmalloc(n);
	r = vfs_read(in, t, buf, n, pos);
	if (r > 0)
		pipe_fill(out, buf, (size_t)r);
	return r;
}

static int get_off(struct task *t, uint64_t uoff, int64_t *off)
{
	if (copy_from_user(t, off, uoff, sizeof(*off)))
		return -EFAULT;
	return *off < 0 ? -EINVAL : 0;
}

SYSCALL_DEFINE(splice, "fpfpux")
{
	int fd_in = (int)a->a[0], fd_out = (int)a->a[2];
	uint64_t uoff_in = a->a[1], uoff_out = a->a[3];
	size_t len = MIN(a->a[4], MAX_RW_COUNT);
	unsigned int flags = (unsigned int)a->a[5];
	_cleanup_file_ struct file *in = NULL;
	_cleanup_file_ struct file *out = NULL;
	int64_t off = 0;
	long r;

	if (len == 0)
		return 0;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	in = fd_get(t, fd_in);
	out = fd_get(t, fd_out);
	if (!in || !out)
		return -EBADF;
	if (!can_read(in) || !can_write(out))
		return -EBADF;
	if (file_is_pipe(in) && file_is_pipe(out)) {
		if (uoff_in || uoff_out)
			return -ESPIPE;
		return splice_pipe_to_pipe(t, in, out, len, flags, true);
	}
	if (file_is_pipe(in)) {
		if (uoff_in)
			return -ESPIPE;
		if (uoff_out) {
			if (!out->ops->llseek)
				return -ESPIPE;
			r = get_off(t, uoff_out, &off);
			if (r)
				return r;
		}
		if (out->flags & O_APPEND)
			return -EINVAL;
		if (!out->ops->write)
			return -EINVAL;
		r = splice_from_pipe(t, in, out, uoff_out ? &off : &out->pos, len, flags);
		if (r > 0 && uoff_out && copy_to_user(t, uoff_out, &off, sizeof(off)))
			return -EFAULT;
		return r;
	}
	if (file_is_pipe(out)) {
		if (uoff_out)
			return -ESPIPE;
		if (uoff_in) {
			if (!in->ops->llseek)
				return -ESPIPE;
			r = get_off(t, uoff_in, &off);
			if (r)
				return r;
		}
		if (!in->ops->read)
			return (in->inode && S_ISDIR(in->inode->mode)) ? -EISDIR : -EINVAL;
		r = splice_to_pipe(t, in, uoff_in ? &off : &in->pos, out, len, flags);
		if (r > 0 && uoff_in && copy_to_user(t, uoff_in, &off, sizeof(off)))
			return -EFAULT;
		return r;
	}
	return -EINVAL;
}

SYSCALL_DEFINE(tee, "ffux")
{
	size_t len = MIN(a->a[2], MAX_RW_COUNT);
	unsigned int flags = (unsigned int)a->a[3];
	_cleanup_file_ struct file *in = NULL;
	_cleanup_file_ struct file *out = NULL;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (len == 0)
		return 0;
	in = fd_get(t, (int)a->a[0]);
	out = fd_get(t, (int)a->a[1]);
	if (!in || !out)
		return -EBADF;
	if (!can_read(in) || !can_write(out))
		return -EBADF;
	if (!file_is_pipe(in) || !file_is_pipe(out))
		return -EINVAL;
	return splice_pipe_to_pipe(t, in, out, len, flags, false);
}

/* User memory into a pipe: like writev, it goes on (blocking) until all
 * is in; progress across re-runs in scratch[0]. */
static long vmsplice_to_pipe(struct task *t, struct file *f, const struct iovec *iov,
			     unsigned long nr, size_t total, unsigned int flags)
{
	size_t done = t->sys.scratch[0], skip = done;
	_cleanup_free_ char *buf = NULL;
	long r = 0;

	for (unsigned long i = 0; i < nr && done < total; i++) {
		uint64_t base = (uint64_t)iov[i].iov_base;
		size_t seg = iov[i].iov_len, off = 0;

		if (skip >= seg) {
			skip -= seg;
			continue;
		}
		off = skip;
		skip = 0;
		while (off < seg) {
			size_t n;

			r = pipe_splice_room(f, t, flags & SPLICE_F_NONBLOCK);
			if (r < 0)
				goto out;
			n = MIN(seg - off, MIN((size_t)r, SPLICE_CHUNK));
			buf = buf ? buf : xmalloc(SPLICE_CHUNK);
			if (copy_from_user(t, buf, base + off, n)) {
				r = -EFAULT;
				goto out;
			}
			pipe_fill(f, buf, n);
			off += n;
			done += n;
		}
	}
	r = 0;
out:
	if (r == -EBLOCKED) {
		t->sys.scratch[0] = done;
		return r;
	}
	return done > 0 ? (long)done : r;
}

/* A pipe into user memory: what is there, like read. */
static long vmsplice_to_user(struct task *t, struct file *f, const struct iovec *iov,
			     unsigned long nr, size_t total, unsigned int flags)
{
	_cleanup_free_ char *buf = NULL;
	size_t n, got = 0;
	long avail;

	avail = pipe_splice_avail(f, t, flags & SPLICE_F_NONBLOCK);
	if (avail <= 0)
		return avail;
	n = MIN(total, (size_t)avail);
	buf = xmalloc(MAX(n, 1));
	pipe_peek(f, buf, 0, n);
	for (unsigned long i = 0; i < nr && got < n; i++) {
		size_t c = MIN(n - got, iov[i].iov_len);

		if (copy_to_user(t, (uint64_t)iov[i].iov_base, buf + got, c))
			break;
		got += c;
	}
	pipe_consume(f, got);
	return got > 0 ? (long)got : -EFAULT;
}

SYSCALL_DEFINE(vmsplice, "fpux")
{
	unsigned long nr = a->a[2];
	unsigned int flags = (unsigned int)a->a[3];
	_cleanup_file_ struct file *f = NULL;
	_cleanup_free_ struct iovec *iov = NULL;
	size_t total = 0;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	if (!file_is_pipe(f))
		return -EBADF;
	if (nr > UIO_MAXIOV)
		return -EINVAL;
	if (nr == 0)
		return 0;
	iov = xmalloc(nr * sizeof(*iov));
	if (copy_from_user(t, iov, a->a[1], nr * sizeof(*iov)))
		return -EFAULT;
	for (unsigned long i = 0; i < nr; i++) {
		if ((ssize_t)iov[i].iov_len < 0)
			return -EINVAL;
		if (iov[i].iov_len > MAX_RW_COUNT - total)
			iov[i].iov_len = MAX_RW_COUNT - total;
		total += iov[i].iov_len;
	}
	if (total == 0)
		return 0;
	if (can_write(f))
		return vmsplice_to_pipe(t, f, iov, nr, total, flags);
	if (can_read(f))
		return vmsplice_to_user(t, f, iov, nr, total, flags);
	return -EBADF;
}

/* ---- copy_file_range ---- */

static long do_copy_file_range(struct task *t, struct file *in, int64_t *pin,
			       struct file *out, int64_t *pout, size_t len)
{
	size_t done = t->sys.scratch[0];
	_cleanup_free_ char *buf = NULL;
	int64_t ip = *pin + (int64_t)done, op = *pout + (int64_t)done;
	bool in_notify = in->f_notify, out_notify = out->f_notify;
	long err = 0;

	buf = xmalloc(MIN(MAX(len, 1), SPLICE_CHUNK));
	while (done < len) {
		size_t want = MIN(len - done, SPLICE_CHUNK);
		int64_t rp = ip;
		ssize_t n = vfs_read(in, t, buf, want, &rp), w;

		if (n <= 0) {
			err = n;
			break;
		}
		w = splice_write_all(t, out, buf, (size_t)n, &op);
		if (w <= 0) {
			err = w;
			break;
		}
		done += (size_t)w;
		ip += w;
		/* One event per call for each file, as Linux. */
		in->f_notify = out->f_notify = false;
		if ((size_t)w < (size_t)n)
			break;
	}
	in->f_notify = in_notify;
	out->f_notify = out_notify;
	if (err == -EBLOCKED) {
		t->sys.scratch[0] = done;
		return err;
	}
	*pin = ip;
	*pout = op;
	return done > 0 ? (long)done : err;
}

SYSCALL_DEFINE(copy_file_range, "fpfpux")
{
	uint64_t uoff_in = a->a[1], uoff_out = a->a[3];
	size_t len = MIN(a->a[4], MAX_RW_COUNT);
	_cleanup_file_ struct file *in = NULL;
	_cleanup_file_ struct file *out = NULL;
	int64_t pin, pout;
	long r;

	if (a->a[5])
		return -EINVAL;
	in = fd_get(t, (int)a->a[0]);
	out = fd_get(t, (int)a->a[2]);
	if (!in || !out)
		return -EBADF;
	if (!can_read(in) || !can_write(out) || (out->flags & O_APPEND))
		return -EBADF;
	if (!in->inode || !out->inode)
		return -EINVAL;
	if (S_ISDIR(in->inode->mode) || S_ISDIR(out->inode->mode))
		return -EISDIR;
	if (!S_ISREG(in->inode->mode) || !S_ISREG(out->inode->mode))
		return -EINVAL;
	pin = in->pos;
	pout = out->pos;
	if (uoff_in && copy_from_user(t, &pin, uoff_in, sizeof(pin)))
		return -EFAULT;
	if (uoff_out && copy_from_user(t, &pout, uoff_out, sizeof(pout)))
		return -EFAULT;
	if (pin < 0 || pout < 0 || (uint64_t)pin + len > (uint64_t)INT64_MAX ||
	    (uint64_t)pout + len > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (in->inode == out->inode && pout < pin + (int64_t)len && pin < pout + (int64_t)len)
		return -EINVAL;
	if (len == 0)
		return 0;
	r = do_copy_file_range(t, in, &pin, out, &pout, len);
	if (r == -EBLOCKED || r < 0)
		return r;
	if (uoff_in) {
		if (copy_to_user(t, uoff_in, &pin, sizeof(pin)))
			return -EFAULT;
	} else {
		in->pos = pin;
	}
	if (uoff_out) {
		if (copy_to_user(t, uoff_out, &pout, sizeof(pout)))
			return -EFAULT;
	} else {
		out->pos = pout;
	}
	return r;
}
