/* Anonymous pipes. One struct pipe is shared by the read and the write
 * file; both ends use one file_ops table (as Linux's pipefifo_fops) and
 * the access mode of the file says which end it is. A single wait queue
 * covers readers, writers and pollers: every state change wakes it and
 * woken tasks re-run their syscall and re-check. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "runsc/util.h"
#include "sentry/fs/pipe.h"
#include "sentry/fs/pipe_buf.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

/* st_dev of pipes: Linux's pipefs is an anonymous superblock too. */
#define PIPEFS_DEV makedev(0, 12)

struct pipe {
	struct pipe_buf buf;
	int readers, writers;   /* open files of each kind, not fds */
	struct waitqueue wq;
	uint64_t ino;
	uid_t uid;
	gid_t gid;
	struct timespec atime, mtime, ctime;
	/* A FIFO's pipe belongs to its inode and outlives its open files.
	 * The counters count opens of each kind ever made (Linux's
	 * r_counter/w_counter), so an opener blocked waiting for a partner
	 * notices one that came and went before it ran again. */
	bool fifo;
	uint64_t r_counter, w_counter;
	struct waitqueue rd_open, wr_open;
	/* Tasks blocked in open: as in Linux they already count as readers
	 * or writers (a writer opening meanwhile finds a reader, a reader
	 * does not see EOF). A grant holds while its task is still in that
	 * open (its token in the syscall's scratch), so a task that dies or
	 * gives up stops counting without anyone having to tell the pipe. */
	struct fifo_grant *grants;
	int ngrants, grants_cap;
};

struct fifo_grant {
	pid_t tid;
	uint64_t token;
	bool writer;
};

static int fifo_grants(struct pipe *p, bool writer);

/* Readers and writers, counting FIFO openers still waiting for a partner. */
static int nreaders(struct pipe *p)
{
	return p->readers + (p->fifo ? fifo_grants(p, false) : 0);
}

static int nwriters(struct pipe *p)
{
	return p->writers + (p->fifo ? fifo_grants(p, true) : 0);
}

static uint64_t pipe_next_ino = 1;
static const struct file_ops pipe_fops;
static const struct file_ops fifo_fops;

static bool end_reads(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	return acc == O_RDONLY || acc == O_RDWR;
}

static bool end_writes(const struct file *f)
{
	int acc = f->flags & O_ACCMODE;

	return acc == O_WRONLY || acc == O_RDWR;
}

static ssize_t pipe_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct pipe *p = f->priv;
	size_t n;

	if (len == 0)
		return 0;
	if (pipe_buf_len(&p->buf) > 0) {
		n = pipe_buf_read(&p->buf, buf, len);
		clock_gettime(CLOCK_REALTIME, &p->atime);
		/* Room for writers: edge-triggered readers must not fire. */
		wq_wake_key(&p->wq, POLLOUT | POLLWRNORM);
		return (ssize_t)n;
	}
	if (nwriters(p) == 0)
		return 0;
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (signal_pending(t))
		return -ERESTARTSYS;
	task_wait_on(t, &p->wq);
	return -EBLOCKED;
}

/* Writes of at most PIPE_BUF bytes go in whole or not at all (the buffer
 * guarantees it); larger ones take whatever room there is, and the caller
 * (syscalls/sys_rw.c) comes back for the rest, blocking in between, so a
 * blocking write of any size completes unless a signal or the last reader
 * going away stops it. */
static ssize_t pipe_write(struct file *f, struct task *t, const void *buf, size_t len,
			  int64_t *pos)
{
	struct pipe *p = f->priv;
	size_t n;

	if (len == 0)
		return 0;
	if (nreaders(p) == 0) {
		signal_send_thread(t, SIGPIPE, NULL);
		return -EPIPE;
	}
	n = pipe_buf_write(&p->buf, buf, len);
	if (n > 0) {
		clock_gettime(CLOCK_REALTIME, &p->mtime);
		p->ctime = p->mtime;
		wq_wake_key(&p->wq, POLLIN | POLLRDNORM);
		return (ssize_t)n;
	}
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (signal_pending(t))
		return -ERESTARTSYS;
	task_wait_on(t, &p->wq);
	return -EBLOCKED;
}

static unsigned int pipe_poll(struct file *f, struct task *t, unsigned int events)
{
	struct pipe *p = f->priv;
	unsigned int mask = 0;

	if (end_reads(f)) {
		if (!pipe_buf_empty(&p->buf))
			mask |= POLLIN | POLLRDNORM;
		if (nwriters(p) == 0)
			mask |= POLLHUP;
	}
	if (end_writes(f)) {
		/* A free page slot: a PIPE_BUF write will not block. */
		if (!pipe_buf_full(&p->buf))
			mask |= POLLOUT | POLLWRNORM;
		if (nreaders(p) == 0)
			mask |= POLLERR;
	}
	if (t && !(mask & (events | POLLHUP | POLLERR)))
		task_wait_on(t, &p->wq);
	return mask;
}

static long pipe_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct pipe *p = f->priv;
	int avail;

	switch (cmd) {
	case FIONREAD:
		avail = (int)pipe_buf_len(&p->buf);
		return copy_to_user(t, arg, &avail, sizeof(avail));
	default:
		return -ENOTTY;
	}
}

static int pipe_getattr(struct file *f, struct stat *st)
{
	struct pipe *p = f->priv;

	memset(st, 0, sizeof(*st));
	st->st_dev = PIPEFS_DEV;
	st->st_ino = p->ino;
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_uid = p->uid;
	st->st_gid = p->gid;
	st->st_blksize = 4096;
	st->st_atim = p->atime;
	st->st_mtim = p->mtime;
	st->st_ctim = p->ctime;
	return 0;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;

	if (end_reads(f))
		p->readers--;
	if (end_writes(f))
		p->writers--;
	if (p->fifo) {
		/* Linux frees a FIFO's buffer with its last open file: what
		 * nobody read is gone. The pipe itself stays with the inode. */
		if (nreaders(p) == 0 && nwriters(p) == 0) {
			pipe_buf_destroy(&p->buf);
			pipe_buf_init(&p->buf, PIPE_DEF_SIZE / PIPE_PAGE_SIZE);
		}
		wq_wake_all(&p->wq);
		return;
	}
	if (p->readers == 0 && p->writers == 0) {
		/* A blocked task does not hold its file across -EBLOCKED, so a
		 * thread sharing its fd table may have closed the last ends:
		 * wake it off the queue before the queue goes away (its re-run
		 * then finds the fd gone). */
		wq_wake_all(&p->wq);
		pipe_buf_destroy(&p->buf);
		free(p);
		return;
	}
	/* EOF for readers, EPIPE for writers, POLLHUP/POLLERR for pollers. */
	wq_wake_all(&p->wq);
}

/* Opening /proc/PID/fd/N of a pipe end: fifo_open() on the same pipe,
 * which for an anonymous pipe neither waits for a partner nor fails
 * without one. */
static int pipe_reopen(struct file *f, struct file *nf)
{
	struct pipe *p = f->priv;

	if (end_reads(nf))
		p->readers++;
	if (end_writes(nf))
		p->writers++;
	nf->ops = f->ops;
	nf->priv = p;
	wq_wake_all(&p->wq);
	return 0;
}

static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.getattr = pipe_getattr,
	.release = pipe_release,
	.reopen = pipe_reopen,
};

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = xzalloc(sizeof(*p));

	pipe_buf_init(&p->buf, PIPE_DEF_SIZE / PIPE_PAGE_SIZE);
	wq_init(&p->wq);
	wq_init(&p->rd_open);
	wq_init(&p->wr_open);
	p->ino = pipe_next_ino++;
	clock_gettime(CLOCK_REALTIME, &p->atime);
	p->mtime = p->ctime = p->atime;
	return p;
}

int pipe_create(struct file **rd, struct file **wr, int flags)
{
	struct pipe *p = pipe_alloc();
	int nb = flags & O_NONBLOCK;

	p->readers = 1;
	p->writers = 1;
	*rd = file_alloc(&pipe_fops, O_RDONLY | nb, p);
	*wr = file_alloc(&pipe_fops, O_WRONLY | nb, p);
	return 0;
}

void pipe_set_owner(struct file *f, uid_t uid, gid_t gid)
{
	struct pipe *p = f->priv;

	p->uid = uid;
	p->gid = gid;
}

bool file_is_pipe(const struct file *f)
{
	return f->ops == &pipe_fops || f->ops == &fifo_fops;
}

long pipe_splice_avail(struct file *f, struct task *t, bool nonblock)
{
	struct pipe *p = f->priv;

	if (pipe_buf_len(&p->buf) > 0)
		return (long)pipe_buf_len(&p->buf);
	if (nwriters(p) == 0)
		return 0;
	if (nonblock || (f->flags & O_NONBLOCK))
		return -EAGAIN;
	if (signal_pending(t))
		return -ERESTARTSYS;
	task_wait_on(t, &p->wq);
	return -EBLOCKED;
}

long pipe_splice_room(struct file *f, struct task *t, bool nonblock)
{
	struct pipe *p = f->priv;

	if (nreaders(p) == 0) {
		signal_send_thread(t, SIGPIPE, NULL);
		return -EPIPE;
	}
	if (pipe_buf_room(&p->buf) > 0)
		return (long)pipe_buf_room(&p->buf);
	if (nonblock || (f->flags & O_NONBLOCK))
		return -EAGAIN;
	if (signal_pending(t))
		return -ERESTARTSYS;
	task_wait_on(t, &p->wq);
	return -EBLOCKED;
}

size_t pipe_peek(struct file *f, void *buf, size_t off, size_t len)
{
	struct pipe *p = f->priv;

	return pipe_buf_peek(&p->buf, buf, off, len);
}

void pipe_consume(struct file *f, size_t n)
{
	struct pipe *p = f->priv;

	if (pipe_buf_read(&p->buf, NULL, n) == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &p->atime);
	wq_wake_key(&p->wq, POLLOUT | POLLWRNORM);
}

void pipe_fill(struct file *f, const void *buf, size_t n)
{
	struct pipe *p = f->priv;

	if (pipe_buf_write(&p->buf, buf, n) == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &p->mtime);
	p->ctime = p->mtime;
	wq_wake_key(&p->wq, POLLIN | POLLRDNORM);
}

bool pipe_same(const struct file *a, const struct file *b)
{
	return a->priv == b->priv;
}

long pipe_get_size(struct file *f)
{
	if (!file_is_pipe(f))
		return -EBADF;
	return (long)((struct pipe *)f->priv)->buf.nslots * PIPE_PAGE_SIZE;
}

/* round_pipe_size(): at least a page, a power of two, at most 2^31. */
static unsigned long round_pipe_size(unsigned long size)
{
	unsigned long r = 4096;

	if (size > (1UL << 31))
		return 0;
	while (r < size)
		r <<= 1;
	return r;
}

long pipe_set_size(struct file *f, struct task *t, unsigned long size)
{
	struct pipe *p;
	unsigned long nsize;
	int err;

	if (!file_is_pipe(f))
		return -EBADF;
	p = f->priv;
	nsize = round_pipe_size(size);
	if (nsize == 0)
		return -EINVAL;
	/* Growing beyond pipe-max-size needs CAP_SYS_RESOURCE. */
	if (nsize / PIPE_PAGE_SIZE > p->buf.nslots && nsize > PIPE_MAX_SIZE &&
	    !cred_capable(t->cred, CAP_SYS_RESOURCE))
		return -EPERM;
	err = pipe_buf_resize(&p->buf, (unsigned int)(nsize / PIPE_PAGE_SIZE));
	if (err)
		return err;
	/* More room may unblock writers. */
	wq_wake_all(&p->wq);
	return (long)nsize;
}

/* ---- named pipes ---- */

/* A FIFO's file: the pipe's operations, but fstat shows the inode. */
static const struct file_ops fifo_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

/* The scratch slots of the open(2) that waits for a partner: its grant's
 * token and the partner counter it waits to see move. open(2) uses no
 * other scratch slot. */
#define FIFO_TOKEN 4
#define FIFO_SAVED 5

static uint64_t next_token = 1;

static bool grant_valid(const struct fifo_grant *g)
{
	struct task *t = pid_lookup(g->tid);

	return t && t->state != TASK_DEAD && t->sys.in_syscall &&
	       t->sys.scratch[FIFO_TOKEN] == g->token;
}

static int fifo_grants(struct pipe *p, bool writer)
{
	int n = 0, j = 0;

	for (int i = 0; i < p->ngrants; i++) {
		if (!grant_valid(&p->grants[i]))
			continue;
		p->grants[j++] = p->grants[i];
		n += p->grants[i].writer == writer;
	}
	p->ngrants = j;
	return n;
}

static void grant_add(struct pipe *p, struct task *t, bool writer)
{
	if (p->ngrants == p->grants_cap) {
		p->grants_cap = p->grants_cap ? p->grants_cap * 2 : 4;
		p->grants = xrealloc(p->grants, (size_t)p->grants_cap * sizeof(*p->grants));
	}
	t->sys.scratch[FIFO_TOKEN] = next_token++;
	p->grants[p->ngrants++] = (struct fifo_grant){ t->tid, t->sys.scratch[FIFO_TOKEN], writer };
}

/* Drops t's grant; true if it had one. */
static bool grant_drop(struct pipe *p, struct task *t)
{
	for (int i = 0; i < p->ngrants; i++) {
		if (p->grants[i].tid == t->tid && p->grants[i].token == t->sys.scratch[FIFO_TOKEN]) {
			p->grants[i] = p->grants[--p->ngrants];
			return true;
		}
	}
	return false;
}

/* One end's open (fifo_open()): with a partner there (or for a reader
 * that asked not to wait) it opens at once; else it waits, counted as an
 * end meanwhile, until the partner counter moves (wait_for_partner()). */
static int fifo_open_end(struct pipe *p, struct task *t, bool writer, bool nb)
{
	int *mine = writer ? &p->writers : &p->readers;
	uint64_t *my_counter = writer ? &p->w_counter : &p->r_counter;
	uint64_t partner_counter = writer ? p->r_counter : p->w_counter;
	struct waitqueue *my_wq = writer ? &p->wr_open : &p->rd_open;
	struct waitqueue *partner_wq = writer ? &p->rd_open : &p->wr_open;
	bool waiting = t && grant_drop(p, t);
	int partners = writer ? nreaders(p) : nwriters(p);

	if (!waiting) {
		if (partners == 0 && writer && nb)
			return -ENXIO; /* nobody could ever read it */
		(*my_counter)++;
		wq_wake_all(partner_wq);
		if (partners > 0 || nb) {
			(*mine)++;
			return 0;
		}
		if (!t)
			return -ENXIO;
		t->sys.scratch[FIFO_SAVED] = partner_counter;
	} else if (partners > 0 || partner_counter != t->sys.scratch[FIFO_SAVED]) {
		/* A partner came, maybe already gone again. */
		(*mine)++;
		return 0;
	}
	if (signal_pending(t)) {
		/* It no longer counts: blocked partners may see EOF/EPIPE. */
		wq_wake_all(&p->wq);
		return -ERESTARTSYS;
	}
	grant_add(p, t, writer);
	task_wait_on(t, my_wq);
	return -EBLOCKED;
}

int fifo_open(struct inode *ino, struct file *f, struct task *t)
{
	struct pipe *p = ino->pipe;
	bool nb = f->flags & O_NONBLOCK;
	int rc;

	if (!p) {
		p = pipe_alloc();
		p->fifo = true;
		ino->pipe = p;
	}
	switch (f->flags & O_ACCMODE) {
	case O_RDONLY:
		rc = fifo_open_end(p, t, false, nb);
		break;
	case O_WRONLY:
		rc = fifo_open_end(p, t, true, nb);
		break;
	case O_RDWR:
		/* Both ends at once: never waits (Linux-specific, POSIX leaves
		 * it undefined). */
		p->readers++;
		p->writers++;
		p->r_counter++;
		p->w_counter++;
		wq_wake_all(&p->rd_open);
		wq_wake_all(&p->wr_open);
		rc = 0;
		break;
	default:
		rc = -EINVAL;
	}
	if (rc < 0)
		return rc;
	f->ops = &fifo_fops;
	f->priv = p;
	return 0;
}

void fifo_free(struct pipe *p)
{
	wq_wake_all(&p->wq);
	wq_wake_all(&p->rd_open);
	wq_wake_all(&p->wr_open);
	pipe_buf_destroy(&p->buf);
	free(p->grants);
	free(p);
}
