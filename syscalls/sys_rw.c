/* read/write and their positioned, vectored and file-to-file variants.
 *
 * Application memory is reached only through usercopy, so data moves
 * through a sentry bounce buffer in chunks of RW_CHUNK bytes. The rules
 * that keep this equivalent to Linux:
 *  - Before each chunk the destination (or source) range is checked
 *    against the VMAs, and the chunk is cut at the first inaccessible
 *    byte: a file never hands over data that could then not be copied out
 *    (a pipe would lose it). Nothing copied at all means EFAULT.
 *  - A read goes on to the next chunk only after a full chunk, and only if
 *    the file (when it can poll) says more is ready: a read returns what
 *    is there rather than block after having got something.
 *  - A write goes on until everything is written, an error, or the file
 *    wants to block. Blocking after some progress keeps the byte count in
 *    t->sys.scratch[0] across the -EBLOCKED re-runs, so a blocking write
 *    of any size to a pipe completes, and a signal or EAGAIN then returns
 *    the partial count. File ops themselves never use scratch.
 * An error after some progress is dropped in favour of the count, as
 * Linux does. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/pipe.h"
#include "sentry/fs/socket.h"
#include "sentry/mm.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

#define MAX_RW_COUNT ((size_t)INT_MAX & ~(size_t)(PAGE_SIZE - 1))
#define RW_CHUNK ((size_t)65536)
#define RW_IOV_MAX 1024 /* UIO_MAXIOV */
/* x86_64 TASK_SIZE_MAX: what access_ok() accepts. */
#define TASK_SIZE_MAX 0x7ffffffff000ULL

/* preadv2/pwritev2 flags (<linux/fs.h>, which clashes with glibc). */
#define K_RWF_HIPRI     0x001
#define K_RWF_DSYNC     0x002
#define K_RWF_SYNC      0x004
#define K_RWF_NOWAIT    0x008
#define K_RWF_APPEND    0x010
#define K_RWF_NOAPPEND  0x020
#define K_RWF_ATOMIC    0x040
#define K_RWF_DONTCACHE 0x080

/* One user memory segment of a transfer. */
struct uvec {
	uint64_t base;
	size_t len;
};

static void file_putp(struct file **f)
{
	if (*f)
		file_put(*f);
}
#define _cleanup_file_ _cleanup_(file_putp)

static bool access_ok(uint64_t addr, size_t len)
{
	return len <= TASK_SIZE_MAX && addr <= TASK_SIZE_MAX - len;
}

/* The checks vfs_read/vfs_write make, done before any user memory is
 * looked at so errors come in Linux's order. */
static int rw_check(struct file *f, bool write)
{
	int acc = f->flags & O_ACCMODE;

	if (f->flags & O_PATH)
		return -EBADF;
	if (write) {
		if (acc != O_WRONLY && acc != O_RDWR)
			return -EBADF;
		if (!f->ops || !f->ops->write)
			return -EINVAL;
	} else {
		if (acc != O_RDONLY && acc != O_RDWR)
			return -EBADF;
		if (!f->ops || !f->ops->read)
			return (f->inode && S_ISDIR(f->inode->mode)) ? -EISDIR : -EINVAL;
	}
	return 0;
}

/* rw_verify_area: the end of the transfer must not pass INT64_MAX. */
static int rw_verify_pos(struct file *f, int64_t pos, size_t count)
{
	if (!f->ops->llseek)
		return 0; /* streams have no position */
	if (pos < 0 || (uint64_t)pos + count > (uint64_t)INT64_MAX)
		return -EINVAL;
	return 0;
}

/* Length of the accessible prefix of [addr, addr+len) for an access
 * needing prot (mirrors usercopy's checks). */
static size_t user_prefix(struct task *t, uint64_t addr, size_t len, int prot)
{
	size_t ok = 0;

	while (ok < len) {
		struct vma *v = mm_find_vma(t->mm, addr + ok);
		size_t vdso = !v && prot == PROT_READ ? user_vdso_readable(addr + ok) : 0;

		if (vdso) {
			ok += MIN(len - ok, vdso);
			continue;
		}
		if (!v || !v->range || (v->prot & prot) != prot)
			break;
		ok += MIN(len - ok, v->end - (addr + ok));
	}
	return ok;
}

/* Finds the segment holding logical offset off of the transfer. */
static int vec_seek(const struct uvec *vec, int nvec, size_t off, size_t *in_seg)
{
	int i = 0;

	while (i < nvec && off >= vec[i].len) {
		off -= vec[i].len;
		i++;
	}
	*in_seg = off;
	return i;
}

/* How many bytes from logical offset off (at most want) are accessible. */
static size_t vec_prefix(struct task *t, const struct uvec *vec, int nvec, size_t off,
			 size_t want, int prot)
{
	size_t in_seg, got = 0;
	int i = vec_seek(vec, nvec, off, &in_seg);

	for (; i < nvec && got < want; i++, in_seg = 0) {
		size_t n = MIN(vec[i].len - in_seg, want - got);
		size_t ok = user_prefix(t, vec[i].base + in_seg, n, prot);

		got += ok;
		if (ok < n)
			break;
	}
	return got;
}

/* Copies n bytes between buf and the transfer at logical offset off. */
static int vec_copy(struct task *t, const struct uvec *vec, int nvec, size_t off, void *buf,
		    size_t n, bool to_user)
{
	char *p = buf;
	size_t in_seg;
	int i = vec_seek(vec, nvec, off, &in_seg);

	for (; i < nvec && n > 0; i++, in_seg = 0) {
		size_t c = MIN(vec[i].len - in_seg, n);
		int r = to_user ? copy_to_user(t, vec[i].base + in_seg, p, c)
				: copy_from_user(t, p, vec[i].base + in_seg, c);

		if (r)
			return r;
		p += c;
		n -= c;
	}
	return 0;
}

/* Message files (sockets) take the whole transfer at once. */
static ssize_t rw_user(struct task *t, struct file *f, const struct uvec *vec, int nvec,
		       size_t total, bool write)
{
	_cleanup_free_ struct iovec *iov = xmalloc(MAX(nvec, 1) * sizeof(*iov));

	for (int i = 0; i < nvec; i++)
		iov[i] = (struct iovec){ (void *)(uintptr_t)vec[i].base, vec[i].len };
	return write ? f->ops->write_user(f, t, iov, nvec, total)
		     : f->ops->read_user(f, t, iov, nvec, total);
}

/* True when a read of f would not block now (files without poll never
 * block). */
static bool file_read_ready(struct file *f)
{
	if (!f->ops->poll)
		return true;
	return f->ops->poll(f, NULL, POLLIN | POLLRDNORM) & (POLLIN | POLLRDNORM | POLLHUP | POLLERR);
}

static ssize_t rw_read(struct task *t, struct file *f, const struct uvec *vec, int nvec,
		       size_t total, int64_t *pos)
{
	_cleanup_free_ char *buf = xmalloc(MIN(MAX(total, 1), RW_CHUNK));
	bool notify = f->f_notify;
	size_t done = 0;
	ssize_t err = 0;

	if (total == 0)
		return vfs_read(f, t, buf, 0, pos);
	while (done < total) {
		size_t want = MIN(total - done, RW_CHUNK), ok;
		ssize_t n;

		if (done > 0 && !file_read_ready(f))
			break;
		ok = vec_prefix(t, vec, nvec, done, want, PROT_WRITE);
		if (ok == 0) {
			err = -EFAULT;
			break;
		}
		n = vfs_read(f, t, buf, ok, pos);
		if (n < 0) {
			err = n;
			break;
		}
		if (n > 0 && vec_copy(t, vec, nvec, done, buf, (size_t)n, true) < 0) {
			err = -EFAULT;
			break;
		}
		done += (size_t)n;
		/* One IN_ACCESS per call, as Linux, not one per chunk. */
		f->f_notify = false;
		if ((size_t)n < ok)
			break;
	}
	f->f_notify = notify;
	/* Returning a count un-queues the task (the kernel drops its waits),
	 * so an -EBLOCKED after progress just ends the read. */
	return done > 0 ? (ssize_t)done : err;
}

/* Positioned writes pass a pos that already includes the progress of
 * earlier runs (the syscall's offset + scratch[0]). */
static ssize_t rw_write(struct task *t, struct file *f, const struct uvec *vec, int nvec,
			size_t total, int64_t *pos)
{
	_cleanup_free_ char *buf = xmalloc(MIN(MAX(total, 1), RW_CHUNK));
	size_t done = t->sys.scratch[0];
	bool notify = f->f_notify;
	ssize_t err = 0;

	if (total == 0)
		return vfs_write(f, t, buf, 0, pos);
	while (done < total) {
		size_t want = MIN(total - done, RW_CHUNK), ok;
		ssize_t n;

		ok = vec_prefix(t, vec, nvec, done, want, PROT_READ);
		if (ok == 0 || vec_copy(t, vec, nvec, done, buf, ok, false) < 0) {
			err = -EFAULT;
			break;
		}
		n = vfs_write(f, t, buf, ok, pos);
		if (n < 0) {
			err = n;
			break;
		}
		if (n == 0)
			break;
		done += (size_t)n;
		/* One IN_MODIFY per call, as Linux, not one per chunk. */
		f->f_notify = false;
	}
	f->f_notify = notify;
	if (err == -EBLOCKED) {
		t->sys.scratch[0] = done;
		return -EBLOCKED;
	}
	return done > 0 ? (ssize_t)done : err;
}

/* ---- iovecs ---- */

static int import_iovec(struct task *t, uint64_t uiov, uint64_t nr, struct uvec **out,
			size_t *total)
{
	_cleanup_free_ struct iovec *iov = NULL;
	struct uvec *vec;
	size_t sum = 0;
	int r;

	*out = NULL;
	*total = 0;
	if (nr > RW_IOV_MAX)
		return -EINVAL;
	if (nr == 0)
		return 0;
	iov = xmalloc(nr * sizeof(*iov));
	r = copy_from_user(t, iov, uiov, nr * sizeof(*iov));
	if (r)
		return r;
	for (uint64_t i = 0; i < nr; i++)
		if ((ssize_t)iov[i].iov_len < 0)
			return -EINVAL;
	vec = xmalloc(nr * sizeof(*vec));
	for (uint64_t i = 0; i < nr; i++) {
		size_t len = iov[i].iov_len;

		if (!access_ok((uint64_t)iov[i].iov_base, len)) {
			free(vec);
			return -EFAULT;
		}
		/* The total is capped, not refused: later segments shrink. */
		if (len > MAX_RW_COUNT - sum)
			len = MAX_RW_COUNT - sum;
		vec[i] = (struct uvec){ (uint64_t)iov[i].iov_base, len };
		sum += len;
	}
	*out = vec;
	*total = sum;
	return 0;
}

/* ---- the syscalls ---- */

/* The transfer at *upos, or at the file position (advancing it) when upos
 * is NULL. A re-run of a positioned write resumes where the earlier runs
 * stopped (rw_write). */
static ssize_t rw_at(struct task *t, struct file *f, const struct uvec *vec, int nvec,
		     size_t total, const int64_t *upos, bool write)
{
	int64_t p;

	if (!upos)
		return write ? rw_write(t, f, vec, nvec, total, &f->pos)
			     : rw_read(t, f, vec, nvec, total, &f->pos);
	if (!write) {
		p = *upos;
		return rw_read(t, f, vec, nvec, total, &p);
	}
	p = *upos + (int64_t)t->sys.scratch[0];
	return rw_write(t, f, vec, nvec, total, &p);
}

/* read, write, pread64 and pwrite64. */
static long do_rw(struct task *t, int fd, uint64_t ubuf, size_t count, int64_t *upos, bool write)
{
	_cleanup_file_ struct file *f = fd_get(t, fd);
	struct uvec v;
	int r;

	if (!f)
		return -EBADF;
	if (upos && !f->ops->llseek)
		return -ESPIPE;
	r = rw_check(f, write);
	if (r)
		return r;
	if (!access_ok(ubuf, count))
		return -EFAULT;
	count = MIN(count, MAX_RW_COUNT);
	r = rw_verify_pos(f, upos ? *upos : f->pos, count);
	if (r)
		return r;
	v = (struct uvec){ ubuf, count };
	if (!upos && (write ? f->ops->write_user : f->ops->read_user))
		return rw_user(t, f, &v, 1, count, write);
	return rw_at(t, f, &v, 1, count, upos, write);
}

SYSCALL_DEFINE(read, "dpu")
{
	return do_rw(t, (int)a->a[0], a->a[1], a->a[2], NULL, false);
}

SYSCALL_DEFINE(write, "dbu")
{
	return do_rw(t, (int)a->a[0], a->a[1], a->a[2], NULL, true);
}

SYSCALL_DEFINE(pread64, "dpul")
{
	int64_t pos = (int64_t)a->a[3];

	if (pos < 0)
		return -EINVAL;
	return do_rw(t, (int)a->a[0], a->a[1], a->a[2], &pos, false);
}

SYSCALL_DEFINE(pwrite64, "dbul")
{
	int64_t pos = (int64_t)a->a[3];

	if (pos < 0)
		return -EINVAL;
	return do_rw(t, (int)a->a[0], a->a[1], a->a[2], &pos, true);
}

static long rw_vec(struct task *t, struct file *f, const struct uvec *vec, uint64_t nr,
		   size_t total, int64_t *upos, bool write);

/* kiocb_set_rw_flags(): what the RWF_* flags of preadv2/pwritev2 ask of
 * f, checked once the transfer is known to be non-empty. */
static int rwf_check(struct file *f, uint64_t rwf, bool write)
{
	if (rwf & ~(uint64_t)(K_RWF_HIPRI | K_RWF_DSYNC | K_RWF_SYNC | K_RWF_NOWAIT |
			      K_RWF_APPEND | K_RWF_NOAPPEND | K_RWF_ATOMIC | K_RWF_DONTCACHE)) {
		/* RWF_NOSIGNAL (6.16) and later ones. */
		log_once("rwf-unknown", "preadv2/pwritev2: flags %#lx not supported",
			 (unsigned long)rwf);
		return -EOPNOTSUPP;
	}
	if ((rwf & K_RWF_APPEND) && (rwf & K_RWF_NOAPPEND))
		return -EINVAL;
	/* FMODE_NOWAIT: the sandbox's pipes and sockets never block once
	 * told not to; other files (tmpfs as on Linux) refuse. */
	if ((rwf & K_RWF_NOWAIT) && !file_is_pipe(f) && !socket_from_file(f))
		return -EOPNOTSUPP;
	/* No file can do untorn writes or uncached I/O. */
	if (rwf & (K_RWF_ATOMIC | K_RWF_DONTCACHE))
		return -EOPNOTSUPP;
	/* A gofer file's host descriptor appends whatever the offset. */
	if (write && (rwf & K_RWF_NOAPPEND) && (f->flags & O_APPEND) && f->inode &&
	    strcmp(f->inode->sb->fstype, "9p") == 0) {
		log_once("rwf-noappend-gofer", "pwritev2: RWF_NOAPPEND on a gofer file");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* A transfer with RWF_* flags: O_NONBLOCK/O_APPEND for this call only
 * (the sentry is one thread: nobody sees the file's flags meanwhile),
 * then the sync RWF_DSYNC/RWF_SYNC ask for (generic_write_sync). */
static long rw_vec_flags(struct task *t, struct file *f, const struct uvec *vec, uint64_t nr,
			 size_t total, int64_t *upos, bool write, uint64_t rwf)
{
	int saved = f->flags;
	long r;

	if (rwf & K_RWF_NOWAIT)
		f->flags |= O_NONBLOCK;
	if (write && (rwf & K_RWF_APPEND))
		f->flags |= O_APPEND;
	if (write && (rwf & K_RWF_NOAPPEND))
		f->flags &= ~O_APPEND;
	r = rw_vec(t, f, vec, nr, total, upos, write);
	f->flags = (f->flags & ~(O_NONBLOCK | O_APPEND)) | (saved & (O_NONBLOCK | O_APPEND));
	if (write && r > 0 && (rwf & (K_RWF_DSYNC | K_RWF_SYNC)) && f->inode &&
	    S_ISREG(f->inode->mode)) {
		int s = vfs_fsync(f, !(rwf & K_RWF_SYNC));

		if (s < 0 && s != -EINVAL)
			return s;
	}
	return r;
}

/* upos NULL: at the file position. rwf: preadv2/pwritev2's flags. */
static long do_readv(struct task *t, int fd, uint64_t uiov, uint64_t nr, int64_t *upos,
		     bool write, uint64_t rwf)
{
	_cleanup_file_ struct file *f = fd_get(t, fd);
	_cleanup_free_ struct uvec *vec = NULL;
	size_t total;
	int r;

	if (!f)
		return -EBADF;
	if (upos && !f->ops->llseek)
		return -ESPIPE;
	r = import_iovec(t, uiov, nr, &vec, &total);
	if (r)
		return r;
	r = rw_check(f, write);
	if (r)
		return r;
	if (rwf) {
		/* Linux's vfs_readv: nothing to move, nothing checked. */
		if (total == 0)
			return 0;
		r = rw_verify_pos(f, upos ? *upos : f->pos, total);
		if (r)
			return r;
		r = rwf_check(f, rwf, write);
		if (r)
			return r;
		return rw_vec_flags(t, f, vec, nr, total, upos, write, rwf);
	}
	return rw_vec(t, f, vec, nr, total, upos, write);
}

static long rw_vec(struct task *t, struct file *f, const struct uvec *vec, uint64_t nr,
		   size_t total, int64_t *upos, bool write)
{
	int r;

	if (!upos && (write ? f->ops->write_user : f->ops->read_user))
		return rw_user(t, f, vec, (int)nr, total, write);
	if (total == 0)
		return 0;
	r = rw_verify_pos(f, upos ? *upos : f->pos, total);
	if (r)
		return r;
	return rw_at(t, f, vec, (int)nr, total, upos, write);
}

SYSCALL_DEFINE(readv, "dpd")
{
	return do_readv(t, (int)a->a[0], a->a[1], a->a[2], NULL, false, 0);
}

SYSCALL_DEFINE(writev, "dpd")
{
	return do_readv(t, (int)a->a[0], a->a[1], a->a[2], NULL, true, 0);
}

/* On 64-bit the offset is the low word alone (pos_from_hilo). */
SYSCALL_DEFINE(preadv, "dpdl")
{
	int64_t pos = (int64_t)a->a[3];

	if (pos < 0)
		return -EINVAL;
	return do_readv(t, (int)a->a[0], a->a[1], a->a[2], &pos, false, 0);
}

SYSCALL_DEFINE(pwritev, "dpdl")
{
	int64_t pos = (int64_t)a->a[3];

	if (pos < 0)
		return -EINVAL;
	return do_readv(t, (int)a->a[0], a->a[1], a->a[2], &pos, true, 0);
}

/* preadv2/pwritev2: offset -1 means the file position. RWF_HIPRI is a
 * polling hint; the others are rwf_check's. */
static long do_rwv2(struct task *t, const struct syscall_args *a, bool write)
{
	int64_t pos = (int64_t)a->a[3];
	uint64_t flags = a->a[5] & 0xffffffffu; /* rwf_t is an int */

	if (pos == -1)
		return do_readv(t, (int)a->a[0], a->a[1], a->a[2], NULL, write, flags);
	if (pos < 0)
		return -EINVAL;
	return do_readv(t, (int)a->a[0], a->a[1], a->a[2], &pos, write, flags);
}

SYSCALL_DEFINE(preadv2, "dpdllx")
{
	return do_rwv2(t, a, false);
}

SYSCALL_DEFINE(pwritev2, "dpdllx")
{
	return do_rwv2(t, a, true);
}

SYSCALL_DEFINE(lseek, "dld")
{
	_cleanup_file_ struct file *f = fd_get(t, (int)a->a[0]);
	int64_t off = (int64_t)a->a[1];
	unsigned int whence = (unsigned int)a->a[2];
	int64_t r;

	if (!f)
		return -EBADF;
	if (whence > SEEK_HOLE)
		return -EINVAL;
	if (!f->ops || !f->ops->llseek)
		return -ESPIPE;
	r = f->ops->llseek(f, off, (int)whence);
	if (r >= 0)
		f->pos = r;
	return r;
}

/* ---- sendfile ---- */

/* Writes all of buf to out unless it blocks or fails; returns the count
 * written, or the error when nothing was. */
static ssize_t write_some(struct task *t, struct file *out, const char *buf, size_t n,
			  ssize_t *err)
{
	size_t w = 0;

	*err = 0;
	while (w < n) {
		ssize_t r = vfs_write(out, t, buf + w, n - w, &out->pos);

		if (r <= 0) {
			*err = r;
			break;
		}
		w += (size_t)r;
	}
	return (ssize_t)w;
}

/* in must be seekable (Linux needs splice_read there, which pipes and
 * terminals lack: EINVAL), so a chunk read but not fully written is simply
 * read again later: the input position only advances by what was written. */
static long do_sendfile(struct task *t, int out_fd, int in_fd, int64_t *upos, size_t count)
{
	_cleanup_file_ struct file *in = fd_get(t, in_fd);
	_cleanup_file_ struct file *out = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t done = t->sys.scratch[0];
	bool in_notify, out_notify;
	ssize_t err = 0;
	int64_t pos;
	int r;

	if (!in)
		return -EBADF;
	if ((in->flags & O_PATH) || ((in->flags & O_ACCMODE) != O_RDONLY &&
				     (in->flags & O_ACCMODE) != O_RDWR))
		return -EBADF;
	if (upos && !in->ops->llseek)
		return -ESPIPE;
	pos = upos ? *upos : in->pos;
	r = rw_verify_pos(in, pos, count);
	if (r)
		return r;
	count = MIN(count, MAX_RW_COUNT);
	out = fd_get(t, out_fd);
	if (!out)
		return -EBADF;
	r = rw_check(out, true);
	if (r)
		return r;
	r = rw_check(in, false);
	if (r)
		return r;
	if (!in->ops->llseek) {
		log_once("sendfile-stream-in", "sendfile from a non-seekable file: EINVAL");
		return -EINVAL;
	}
	if (out->flags & O_APPEND)
		return -EINVAL;
	buf = xmalloc(MIN(MAX(count, 1), RW_CHUNK));
	/* Positioned reads: with an offset pointer the file position stays;
	 * without, it advances as bytes are written. Earlier runs' progress
	 * is already in in->pos in the second case. */
	if (upos)
		pos += (int64_t)done;
	in_notify = in->f_notify;
	out_notify = out->f_notify;
	while (done < count) {
		size_t want = MIN(count - done, RW_CHUNK);
		int64_t rpos = upos ? pos : in->pos;
		ssize_t n = vfs_read(in, t, buf, want, &rpos), w;

		if (n <= 0) {
			err = n;
			break;
		}
		w = write_some(t, out, buf, (size_t)n, &err);
		done += (size_t)w;
		if (upos)
			pos += w;
		else
			in->pos += w;
		if (err)
			break;
		/* One event per call for each file, as Linux. */
		in->f_notify = out->f_notify = false;
	}
	in->f_notify = in_notify;
	out->f_notify = out_notify;
	if (err == -EBLOCKED) {
		t->sys.scratch[0] = done;
		return -EBLOCKED;
	}
	if (upos)
		*upos = pos;
	return done > 0 ? (long)done : err;
}

SYSCALL_DEFINE(sendfile, "ffpu")
{
	int64_t pos;
	long r;

	if (!a->a[2])
		return do_sendfile(t, (int)a->a[0], (int)a->a[1], NULL, a->a[3]);
	if (copy_from_user(t, &pos, a->a[2], sizeof(pos)))
		return -EFAULT;
	r = do_sendfile(t, (int)a->a[0], (int)a->a[1], &pos, a->a[3]);
	if (r == -EBLOCKED)
		return r;
	/* Written back even on error (then unchanged), as Linux does. */
	if (copy_to_user(t, a->a[2], &pos, sizeof(pos)))
		return -EFAULT;
	return r;
}
