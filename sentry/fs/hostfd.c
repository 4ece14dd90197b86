/* Files over host fds the sentry inherited: the workload's stdin, stdout
 * and stderr (a terminal, pipes, sockets, or regular files).
 *
 * The sentry is one thread, so it must never sleep in a host read or
 * write. It cannot set O_NONBLOCK on these fds either: the open file
 * description is shared with the user's shell, which would then see
 * EAGAIN. So every transfer on a non-regular file first asks poll() with
 * a zero timeout; when the fd is not ready the task waits for a one-shot
 * kernel watch (kernel_watch_host_fd). Writes to pipes and terminals go in
 * pieces of at most PIPE_BUF, which a POLLOUT-ready pipe always takes
 * without blocking; sockets use MSG_DONTWAIT.
 *
 * What the sandbox sees about one host file (its inode number, the
 * terminal's foreground process group and session) lives in a struct
 * host_file that is never freed: stdin, stdout and stderr are usually
 * three fds over one terminal and must agree on its state.
 *
 * fstat shows the host's file type, permission bits, rdev, size and times,
 * but a sandbox st_dev/st_ino (stable per host file) and root ownership,
 * so host inode numbers and uids do not leak into the sandbox. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

#define HOSTFD_DEV makedev(0, 13)
#define LINUX_O_LARGEFILE 0100000
#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif

struct host_file {
	dev_t dev;
	ino_t ino;
	uint64_t sandbox_ino;
	bool is_tty;
	/* A terminal: its job control in the sandbox (session, foreground
	 * group), and a descriptor of our own to ask the host about it and
	 * to reopen it as /dev/tty. */
	struct tty_struct tty;
	int fd;
};

struct hostfd {
	int fd;                 /* our own dup of the inherited fd */
	uint32_t type;          /* S_IFMT of the host file */
	struct host_file *hf;
	struct waitqueue rd_wq, wr_wq; /* woken by kernel watches on fd */
	/* Reopened through /proc/PID/fd: a new open file description in
	 * the sandbox, so a regular file's offset is this file's own rather
	 * than the host description's. */
	bool own_pos;
};

static int host_tty_get_termios(struct tty_struct *tty, struct ktermios *kt)
{
	struct host_file *hf = tty->driver_data;

	if (ioctl(hf->fd, TCGETS, kt) < 0)
		return -errno;
	return 0;
}

static int host_tty_open_ctty(struct tty_struct *tty, struct file *f);

/* The host runs this terminal's line discipline: the sentry only needs
 * its TOSTOP and a way to reopen it. */
static const struct tty_operations host_tty_ops = {
	.open_ctty = host_tty_open_ctty,
	.get_termios = host_tty_get_termios,
};

static struct host_file **host_files;
static int nr_host_files;

static struct host_file *host_file_get(int fd, const struct stat *st)
{
	struct host_file *hf;

	for (int i = 0; i < nr_host_files; i++)
		if (host_files[i]->dev == st->st_dev && host_files[i]->ino == st->st_ino)
			return host_files[i];
	hf = xzalloc(sizeof(*hf));
	hf->dev = st->st_dev;
	hf->ino = st->st_ino;
	hf->sandbox_ino = (uint64_t)nr_host_files + 1;
	hf->is_tty = isatty(fd);
	hf->fd = -1;
	if (hf->is_tty) {
		hf->tty.ops = &host_tty_ops;
		hf->tty.driver_data = hf;
		hf->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	}
	host_files = xrealloc(host_files, (size_t)(nr_host_files + 1) * sizeof(*host_files));
	host_files[nr_host_files++] = hf;
	return hf;
}

/* ---- readiness ---- */

static short host_poll(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&p, 1, 0);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return POLLERR; /* let the transfer itself report the error */
	return p.revents;
}

static void host_wait(struct hostfd *h, struct task *t, short events)
{
	/* kernel_watch_host_fd merges repeated watches of one (fd, queue). */
	if (events & (POLLIN | POLLRDNORM | POLLPRI)) {
		kernel_watch_host_fd(h->fd, events & (POLLIN | POLLRDNORM | POLLPRI), &h->rd_wq);
		task_wait_on(t, &h->rd_wq);
	}
	if (events & (POLLOUT | POLLWRNORM)) {
		kernel_watch_host_fd(h->fd, events & (POLLOUT | POLLWRNORM), &h->wr_wq);
		task_wait_on(t, &h->wr_wq);
	}
}

/* A non-blocking transfer found the fd not ready. On Linux the next
 * arrival wakes the file's queue whoever waits, and an edge-triggered
 * epoll item hears it as a new edge even when it comes before the next
 * epoll_wait. Here only a host watch sees data come, and the item's own
 * poll arms one only at that next epoll_wait, when the data may already
 * be there: the edge would be lost. So the reader's EAGAIN arms a watch
 * for the queues that have listeners. */
static void host_arm_listeners(struct hostfd *h, short events)
{
	short rd = events & (POLLIN | POLLRDNORM | POLLPRI);
	short wr = events & (POLLOUT | POLLWRNORM);

	if (rd && wq_has_waiters(&h->rd_wq))
		kernel_watch_host_fd(h->fd, rd, &h->rd_wq);
	if (wr && wq_has_waiters(&h->wr_wq))
		kernel_watch_host_fd(h->fd, wr, &h->wr_wq);
}

static ssize_t hostfd_block(struct file *f, struct task *t, short events)
{
	struct hostfd *h = f->priv;

	if (f->flags & O_NONBLOCK) {
		host_arm_listeners(h, events);
		return -EAGAIN;
	}
	if (signal_pending(t))
		return -ERESTARTSYS;
	host_wait(h, t, events);
	return -EBLOCKED;
}

/* ---- read/write ---- */

static bool hostfd_seekable(const struct hostfd *h)
{
	return h->type == S_IFREG || h->type == S_IFBLK;
}

/* recvmsg/sendmsg rather than recv/send: the sentry's seccomp filter
 * allows only those. */
static ssize_t sock_xfer(int fd, void *buf, size_t len, bool write)
{
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (write)
		return sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	return recvmsg(fd, &mh, MSG_DONTWAIT);
}

static ssize_t hostfd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct hostfd *h = f->priv;
	ssize_t n;

	if (hostfd_seekable(h)) {
		/* Through the host offset when it is the file's own position:
		 * it is shared with the user's shell ("cmd > file; echo >> file"). */
		do {
			n = pos == &f->pos && !h->own_pos ? read(h->fd, buf, len)
							  : pread(h->fd, buf, len, *pos);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		*pos += n;
		return n;
	}
	if (len == 0)
		return 0;
	if (h->hf->is_tty) {
		int r = tty_check_change(&h->hf->tty, t, SIGTTIN);

		if (r)
			return r;
	}
	for (;;) {
		if (!host_poll(h->fd, POLLIN))
			return hostfd_block(f, t, POLLIN);
		if (h->type == S_IFSOCK)
			n = sock_xfer(h->fd, buf, len, false);
		else
			n = read(h->fd, buf, len);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		/* Someone outside the sandbox took the data first. */
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return hostfd_block(f, t, POLLIN);
		return -errno;
	}
}

static ssize_t host_write_err(struct task *t, int err)
{
	/* The sentry ignores SIGPIPE (hostfd_file_new); the writer gets it. */
	if (err == EPIPE)
		signal_send_thread(t, SIGPIPE, NULL);
	return -err;
}

static ssize_t hostfd_write(struct file *f, struct task *t, const void *buf, size_t len,
			    int64_t *pos)
{
	struct hostfd *h = f->priv;
	ssize_t n;

	if (hostfd_seekable(h)) {
		/* O_APPEND set with F_SETFL lives only in the sandbox's file. */
		if ((f->flags & O_APPEND) && pos == &f->pos) {
			struct stat st;

			if (!h->own_pos && lseek(h->fd, 0, SEEK_END) < 0)
				return -errno;
			if (h->own_pos) {
				if (fstat(h->fd, &st) < 0)
					return -errno;
				*pos = st.st_size;
			}
		}
		do {
			n = pos == &f->pos && !h->own_pos ? write(h->fd, buf, len)
							  : pwrite(h->fd, buf, len, *pos);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			return host_write_err(t, errno);
		*pos += n;
		return n;
	}
	if (len == 0)
		return 0;
	if (h->hf->is_tty) {
		int r = tty_check_write(&h->hf->tty, t);

		if (r)
			return r;
	}
	for (;;) {
		if (!host_poll(h->fd, POLLOUT))
			return hostfd_block(f, t, POLLOUT);
		if (h->type == S_IFSOCK) {
			n = sock_xfer(h->fd, (void *)buf, len, true);
		} else {
			/* Pipes and terminals: a POLLOUT-ready pipe takes PIPE_BUF
			 * bytes without blocking the sentry; the caller loops. */
			size_t chunk = (h->type == S_IFIFO || h->hf->is_tty) ? MIN(len, PIPE_BUF) : len;

			n = write(h->fd, buf, chunk);
		}
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return hostfd_block(f, t, POLLOUT);
		return host_write_err(t, errno);
	}
}

/* A reopened file seeks on its own offset; SEEK_DATA/SEEK_HOLE ask the
 * host and put the host offset back. */
static int64_t own_llseek(struct file *f, struct hostfd *h, int64_t off, int whence)
{
	struct stat st;
	int64_t base, npos;
	off_t saved, r;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		if (fstat(h->fd, &st) < 0)
			return -errno;
		base = st.st_size;
		break;
	default:
		saved = lseek(h->fd, 0, SEEK_CUR);
		r = lseek(h->fd, off, whence);
		if (r < 0)
			return -errno;
		if (saved >= 0)
			lseek(h->fd, saved, SEEK_SET);
		f->pos = r;
		return r;
	}
	if (__builtin_add_overflow(base, off, &npos) || npos < 0)
		return -EINVAL;
	f->pos = npos;
	return npos;
}

static int64_t hostfd_llseek(struct file *f, int64_t off, int whence)
{
	struct hostfd *h = f->priv;

	if (h->own_pos)
		return own_llseek(f, h, off, whence);
	off_t r = lseek(h->fd, off, whence);

	if (r < 0)
		return -errno;
	f->pos = r;
	return r;
}

static unsigned int hostfd_poll(struct file *f, struct task *t, unsigned int events)
{
	struct hostfd *h = f->priv;
	unsigned int mask;

	if (hostfd_seekable(h))
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	mask = (unsigned short)host_poll(h->fd, (short)events);
	if (t && t->poll_table) {
		/* epoll: the item listens on the queues from now on, ready or
		 * not (Linux's poll_wait), so that a later EAGAIN can arm a
		 * watch for it (host_arm_listeners); asking for nothing means
		 * both. A watch now only for what is not ready: one on a ready
		 * fd would fire at once, a spurious edge. */
		bool rd = !events || (events & (POLLIN | POLLRDNORM | POLLPRI));
		bool wr = !events || (events & (POLLOUT | POLLWRNORM));

		if (rd)
			task_wait_on(t, &h->rd_wq);
		if (wr)
			task_wait_on(t, &h->wr_wq);
		if (!(mask & (events | POLLHUP | POLLERR)))
			host_arm_listeners(h, (short)events);
	} else if (t && !(mask & (events | POLLHUP | POLLERR))) {
		host_wait(h, t, (short)events);
	}
	return mask;
}

/* ---- ioctl ---- */

/* The sentry's seccomp filter admits only a few terminal ioctls, so
 * tcdrain/tcsendbreak (TCSBRK) and tcflush(TCIFLUSH) are done with a
 * TCSETSW/TCSETSF that re-applies the current settings: both wait for the
 * output to drain, TCSETSF then discards pending input. A break is a no-op
 * on pseudo-terminals (no break_ctl), which is what the host terminal is
 * in practice. Discarding unsent output (TCOFLUSH) cannot be done that
 * way: refused. */
static long tty_drain_flush(struct hostfd *h, unsigned int cmd, int arg)
{
	struct ktermios kt;
	unsigned long set = TCSETSW;

	if (cmd == TCFLSH) {
		if (arg != TCIFLUSH) {
			log_once("hostfd-tcoflush", "tcflush(TCOFLUSH/TCIOFLUSH) on the host terminal "
				 "is not supported: EINVAL");
			return -EINVAL;
		}
		set = TCSETSF;
	}
	if (ioctl(h->fd, TCGETS, &kt) < 0 || ioctl(h->fd, set, &kt) < 0)
		return -errno;
	return 0;
}

static long tty_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct hostfd *h = f->priv;
	struct tty_struct *tty = &h->hf->tty;
	struct ktermios kt;
	struct winsize ws;
	long r;

	r = tty_jobctrl_ioctl(tty, tty, f, t, cmd, arg);
	if (r != -ENOIOCTLCMD)
		return r;
	switch (cmd) {
	case TCGETS:
		if (ioctl(h->fd, TCGETS, &kt) < 0)
			return -errno;
		return copy_to_user(t, arg, &kt, sizeof(kt));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		r = copy_from_user(t, &kt, arg, sizeof(kt));
		if (r)
			return r;
		r = tty_check_change(tty, t, SIGTTOU);
		if (r)
			return r;
		/* TCSETSW/TCSETSF wait for output to drain: a short host
		 * sleep, as for the user's own shell. */
		if (ioctl(h->fd, cmd, &kt) < 0)
			return -errno;
		return 0;
	case TCSBRK:
	case TCFLSH:
		r = tty_check_change(tty, t, SIGTTOU);
		if (r)
			return r;
		return tty_drain_flush(h, cmd, (int)arg);
	case TIOCGWINSZ:
		if (ioctl(h->fd, TIOCGWINSZ, &ws) < 0)
			return -errno;
		return copy_to_user(t, arg, &ws, sizeof(ws));
	case TIOCSWINSZ:
		/* The host terminal signals SIGWINCH to its foreground group
		 * outside; the CLI forwards it into the sandbox. */
		r = copy_from_user(t, &ws, arg, sizeof(ws));
		if (r)
			return r;
		if (ioctl(h->fd, TIOCSWINSZ, &ws) < 0)
			return -errno;
		return 0;
	default: {
		char key[48];

		snprintf(key, sizeof(key), "hostfd-tty-ioctl-%#x", cmd);
		log_once(key, "ioctl %#x on the host terminal is not supported", cmd);
		return -ENOTTY;
	}
	}
}

static long hostfd_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct hostfd *h = f->priv;
	int n;

	if (cmd == FIONREAD) {
		if (ioctl(h->fd, FIONREAD, &n) < 0)
			return -errno;
		return copy_to_user(t, arg, &n, sizeof(n));
	}
	if (!h->hf->is_tty)
		return -ENOTTY;
	return tty_ioctl(f, t, cmd, arg);
}

/* ---- attributes and lifetime ---- */

static int hostfd_getattr(struct file *f, struct stat *st)
{
	struct hostfd *h = f->priv;
	struct stat hst;

	if (fstat(h->fd, &hst) < 0)
		return -errno;
	memset(st, 0, sizeof(*st));
	st->st_dev = HOSTFD_DEV;
	st->st_ino = h->hf->sandbox_ino;
	st->st_mode = hst.st_mode;
	st->st_nlink = 1;
	st->st_rdev = hst.st_rdev;
	st->st_size = hst.st_size;
	st->st_blksize = hst.st_blksize;
	st->st_blocks = hst.st_blocks;
	st->st_atim = hst.st_atim;
	st->st_mtim = hst.st_mtim;
	st->st_ctim = hst.st_ctim;
	return 0;
}

static void hostfd_release(struct file *f)
{
	struct hostfd *h = f->priv;

	/* No watch may wake freed queues or poll a closed (maybe reused)
	 * fd; a task of a thread sharing the fd table may still wait here
	 * (it re-runs and finds the fd gone). */
	kernel_unwatch(&h->rd_wq);
	kernel_unwatch(&h->wr_wq);
	wq_wake_all(&h->rd_wq);
	wq_wake_all(&h->wr_wq);
	close(h->fd);
	free(h);
}

/* Opening /proc/PID/fd/N of a host fd: another file over a duplicate of
 * the host descriptor. The host file cannot be opened afresh from inside
 * the sandbox, so the access mode must be one the host descriptor has;
 * a regular file gets an offset of its own, from 0, as a new open. */
static int hostfd_reopen(struct file *f, struct file *nf)
{
	struct hostfd *h = f->priv, *n;
	int hacc, acc = nf->flags & O_ACCMODE;
	int fd;

	/* Sockets cannot be opened through /proc on Linux either. */
	if (h->type == S_IFSOCK)
		return -ENXIO;
	hacc = fcntl(h->fd, F_GETFL);
	if (hacc < 0)
		return -errno;
	hacc &= O_ACCMODE;
	if (hacc != O_RDWR && acc != hacc) {
		log_once("hostfd_reopen_mode", "reopening a host fd with an access mode it lacks: EACCES");
		return -EACCES;
	}
	fd = fcntl(h->fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	if (hostfd_seekable(h) && (nf->flags & O_TRUNC) && ftruncate(fd, 0) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	n = xzalloc(sizeof(*n));
	n->fd = fd;
	n->type = h->type;
	n->hf = h->hf;
	n->own_pos = hostfd_seekable(h);
	wq_init(&n->rd_wq);
	wq_init(&n->wr_wq);
	nf->ops = f->ops;
	nf->priv = n;
	return 0;
}

/* /proc/PID/fd/N of a host fd: a pipe or socket as Linux names them, else
 * host:[ino] (the file lies outside the sandbox's tree). */
static int hostfd_dname(struct file *f, char *buf, size_t len)
{
	struct hostfd *h = f->priv;
	const char *kind = h->type == S_IFIFO ? "pipe" : h->type == S_IFSOCK ? "socket" : "host";

	return snprintf(buf, len, "%s:[%llu]", kind, (unsigned long long)h->hf->sandbox_ino);
}

static const struct file_ops hostfd_seekable_fops = {
	.read = hostfd_read,
	.write = hostfd_write,
	.llseek = hostfd_llseek,
	.ioctl = hostfd_ioctl,
	.poll = hostfd_poll,
	.getattr = hostfd_getattr,
	.release = hostfd_release,
	.reopen = hostfd_reopen,
	.dname = hostfd_dname,
};

/* No llseek: lseek and pread/pwrite answer ESPIPE, as on Linux. */
static const struct file_ops hostfd_stream_fops = {
	.read = hostfd_read,
	.write = hostfd_write,
	.ioctl = hostfd_ioctl,
	.poll = hostfd_poll,
	.getattr = hostfd_getattr,
	.release = hostfd_release,
	.reopen = hostfd_reopen,
	.dname = hostfd_dname,
};

static struct hostfd *hostfd_alloc(int fd, uint32_t type, struct host_file *hf)
{
	struct hostfd *h = xzalloc(sizeof(*h));

	h->fd = fd;
	h->type = type;
	h->hf = hf;
	wq_init(&h->rd_wq);
	wq_init(&h->wr_wq);
	return h;
}

/* /dev/tty when the host terminal is the controlling one: a new file on
 * a duplicate of our descriptor (the sentry cannot open host files). */
static int host_tty_open_ctty(struct tty_struct *tty, struct file *f)
{
	struct host_file *hf = tty->driver_data;
	int fd;

	if (hf->fd < 0)
		return -ENXIO;
	fd = fcntl(hf->fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	f->ops = &hostfd_stream_fops;
	f->priv = hostfd_alloc(fd, S_IFCHR, hf);
	return 0;
}

struct tty_struct *hostfd_tty(struct file *f)
{
	struct hostfd *h;

	if (f->ops != &hostfd_stream_fops && f->ops != &hostfd_seekable_fops)
		return NULL;
	h = f->priv;
	return h && h->hf->is_tty ? &h->hf->tty : NULL;
}

/* host_fd stays the caller's: the file works on its own duplicate, so the
 * workload closing its stdio never closes a sentry fd (fd 2 is also the
 * sentry's error log). */
int hostfd_file_new(int host_fd, int flags, struct file **out)
{
	_cleanup_close_ int fd = -1;
	struct host_file *hf;
	struct hostfd *h;
	struct stat st;
	int hflags;

	/* A write to a host pipe whose reader is gone must come back as
	 * EPIPE (which the writing task turns into its own SIGPIPE), not kill
	 * the sentry. */
	signal(SIGPIPE, SIG_IGN);
	if (fstat(host_fd, &st) < 0)
		return -errno;
	hflags = fcntl(host_fd, F_GETFL);
	if (hflags < 0)
		return -errno;
	fd = fcntl(host_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	hf = host_file_get(fd, &st);
	h = hostfd_alloc(steal_fd(&fd), st.st_mode & S_IFMT, hf);
	/* F_GETFL shows what the host description has: O_APPEND for
	 * ">> file", O_LARGEFILE when the shell opened it with open(2). */
	flags |= hflags & (O_APPEND | LINUX_O_LARGEFILE);
	*out = file_alloc(hostfd_seekable(h) ? &hostfd_seekable_fops : &hostfd_stream_fops,
			  flags, h);
	return 0;
}
