/* Pseudo-terminal pairs (drivers/tty/pty.c): /dev/ptmx opens a master,
 * /dev/pts/N its slave. The slave is a full terminal: line discipline
 * (tty_ldisc.c), termios, window size, job control. What the slave
 * writes is queued, after output processing, for the master to read;
 * what the master writes is the slave's input.
 *
 * Lifetime, as on Linux: a new pair starts locked (TIOCSPTLCK) and its
 * node /dev/pts/N is listed while the master is open. When the last
 * master file goes, the slave is hung up: its session loses the terminal
 * (SIGHUP and SIGCONT to the session leader), its files read end of file
 * and fail writes with EIO. When the last slave file goes, the master
 * reads what is left and then EIO; reopening the slave clears that. The
 * pair is freed when both sides are gone.
 *
 * One wait queue per pair serves readers, writers and pollers of both
 * sides: every change wakes it and woken tasks re-run and re-check. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/tty_pty.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

#define NSEC_PER_DECISECOND 100000000LL

static struct pty *tty_pty(struct tty_struct *tty)
{
	return tty->driver_data;
}

/* ---- the master's queue: slave output ---- */

static size_t out_len(const struct pty *p)
{
	return p->out_head - p->out_tail;
}

static size_t out_take(struct pty *p, unsigned char *buf, size_t len)
{
	size_t n = MIN(len, out_len(p)), tail = p->out_tail % PTY_OUT_SIZE;
	size_t first = MIN(n, PTY_OUT_SIZE - tail);

	memcpy(buf, &p->out[tail], first);
	memcpy(buf + first, p->out, n - first);
	p->out_tail += n;
	return n;
}

static void pty_wakeup(struct tty_struct *tty)
{
	struct pty *p = tty_pty(tty);

	wq_wake_all(&p->wq);
	if (p->notify)
		p->notify(p->notify_arg);
}

/* ---- the slave's driver ---- */

static size_t pty_write(struct tty_struct *tty, const unsigned char *buf, size_t len)
{
	struct pty *p = tty_pty(tty);
	size_t n = MIN(len, PTY_OUT_SIZE - out_len(p));

	for (size_t i = 0; i < n; i++)
		p->out[(p->out_head + i) % PTY_OUT_SIZE] = buf[i];
	p->out_head += n;
	if (n)
		pty_wakeup(tty);
	return n;
}

static size_t pty_write_room(struct tty_struct *tty)
{
	struct pty *p = tty_pty(tty);

	if (tty->stopped)
		return 0;
	return PTY_OUT_SIZE - out_len(p);
}

static void pty_flush_buffer(struct tty_struct *tty)
{
	struct pty *p = tty_pty(tty);

	if (out_len(p) > PTY_OUT_KEPT_ON_FLUSH)
		p->out_head = p->out_tail + PTY_OUT_KEPT_ON_FLUSH;
	pty_wakeup(tty);
}

static int pty_open_ctty(struct tty_struct *tty, struct file *f)
{
	struct pty *p = tty_pty(tty);

	if (p->hung_up)
		return -EIO;
	f->ops = &pty_slave_fops;
	f->priv = p;
	p->slaves++;
	p->slave_closed = false;
	return 0;
}

static const struct tty_operations pty_ops = {
	.write = pty_write,
	.write_room = pty_write_room,
	.open_ctty = pty_open_ctty,
	.wakeup = pty_wakeup,
	.flush_buffer = pty_flush_buffer,
};

/* ---- lifetime ---- */

static struct pty *pty_new(void)
{
	struct pty *p = xzalloc(sizeof(*p));

	wq_init(&p->wq);
	p->tty.ops = &pty_ops;
	p->tty.driver_data = p;
	tty_init_termios(&p->tty.termios);
	n_tty_init(&p->tty, &p->ldata);
	p->index = -1;
	p->locked = true;
	return p;
}

/* The name /dev/pts/N goes away with the master, even for a process
 * that still has the slave open (whose file pins the cached name). */
static void pty_drop_name(struct pty *p)
{
	if (!p->dentry)
		return;
	d_drop(p->dentry);
	dentry_put(p->dentry);
	p->dentry = NULL;
}

static void pty_maybe_free(struct pty *p)
{
	if (p->masters || p->slaves)
		return;
	pty_drop_name(p);
	tty_forget(&p->tty);
	devpts_remove(p);
	/* A task of a thread sharing the fd table may still wait here: it
	 * re-runs and finds its fd gone. */
	wq_wake_all(&p->wq);
	free(p);
}

static void pty_master_gone(struct pty *p)
{
	pty_drop_name(p);
	p->hung_up = true;
	tty_hangup_session(&p->tty);
	pty_wakeup(&p->tty);
	pty_maybe_free(p);
}

static int pty_alloc(uid_t uid, struct pty **out)
{
	struct pty *p = pty_new();
	int rc = devpts_add(p, uid);

	if (rc < 0) {
		free(p);
		return rc;
	}
	p->masters = 1;
	*out = p;
	return 0;
}

int ptmx_open(struct file *f, struct task *t)
{
	struct pty *p;
	int rc = pty_alloc(t ? t->cred->fsuid : 0, &p);

	if (rc < 0)
		return rc;
	/* A master never becomes a controlling terminal on open. */
	f->priv = p;
	f->ops = &pty_master_fops;
	return 0;
}

int pty_slave_open(struct pty *p, struct file *f, struct task *t)
{
	if (p->hung_up || p->locked)
		return -EIO;
	if (p->exclusive && (!t || !cred_capable(t->cred, CAP_SYS_ADMIN)))
		return -EBUSY;
	p->slaves++;
	p->slave_closed = false;
	f->priv = p;
	f->ops = &pty_slave_fops;
	if (!p->dentry && f->path.dentry && f->path.dentry->inode == p->slave_ino)
		p->dentry = dentry_get(f->path.dentry);
	tty_open_acquire(&p->tty, t, f->flags);
	return 0;
}

static int block(struct file *f, struct task *t, struct pty *p)
{
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (signal_pending(t))
		return -ERESTARTSYS;
	task_wait_on(t, &p->wq);
	return -EBLOCKED;
}

/* ---- the master ---- */

static ssize_t master_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct pty *p = f->priv;
	size_t n;

	if (len == 0)
		return 0;
	n = out_take(p, buf, len);
	if (n) {
		/* Room for echoes and the slave's writers. */
		n_tty_write_wakeup(&p->tty);
		pty_wakeup(&p->tty);
		return (ssize_t)n;
	}
	if (p->slave_closed)
		return -EIO;
	return block(f, t, p);
}

static ssize_t master_write(struct file *f, struct task *t, const void *buf, size_t len,
			    int64_t *pos)
{
	struct pty *p = f->priv;
	size_t n;

	if (len == 0)
		return 0;
	n = n_tty_receive(&p->tty, buf, len);
	if (n)
		return (ssize_t)n;
	return block(f, t, p);
}

static unsigned int master_poll(struct file *f, struct task *t, unsigned int events)
{
	struct pty *p = f->priv;
	unsigned int mask = 0;

	if (out_len(p))
		mask |= POLLIN | POLLRDNORM;
	if (p->slave_closed)
		mask |= POLLHUP;
	if (n_tty_receive_room(&p->tty))
		mask |= POLLOUT | POLLWRNORM;
	if (t && !(mask & (events | POLLHUP | POLLERR)))
		task_wait_on(t, &p->wq);
	return mask;
}

/* ptm_open_peer: a new fd on the slave, opened with flags. */
static long open_peer(struct file *f, struct task *t, int flags)
{
	struct pty *p = f->priv;
	struct file *sf;
	int rc, fd;

	rc = devpts_open_slave(p, f, t, flags, &sf);
	if (rc < 0)
		return rc;
	fd = fd_install(t, 0, sf, (flags & O_CLOEXEC) != 0);
	file_put(sf);
	return fd;
}

static long int_to_user(struct task *t, uint64_t arg, int v)
{
	return copy_to_user(t, arg, &v, sizeof(v));
}

static long master_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct pty *p = f->priv;
	struct tty_struct *slave = &p->tty;
	long r;
	int v;

	switch (cmd) {
	case TIOCGPTN:
		return int_to_user(t, arg, p->index);
	case TIOCSPTLCK:
		r = copy_from_user(t, &v, arg, sizeof(v));
		if (r)
			return r;
		p->locked = v != 0;
		return 0;
	case TIOCGPTLCK:
		return int_to_user(t, arg, p->locked);
	case TIOCGPTPEER:
		return open_peer(f, t, (int)arg);
	case TIOCGPKT:
		return int_to_user(t, arg, 0);
	case TIOCPKT:
		r = copy_from_user(t, &v, arg, sizeof(v));
		if (r)
			return r;
		if (!v)
			return 0; /* packet mode is off, and stays off */
		log_once("pty-tiocpkt", "TIOCPKT (pty packet mode) is not supported: EINVAL");
		return -EINVAL;
	case TIOCSIG:
		/* Signals the slave's foreground group, as its ^C would. */
		if (arg != SIGINT && arg != SIGQUIT && arg != SIGTSTP)
			return -EINVAL;
		if (slave->pgrp)
			tty_kill_pgrp(slave->pgrp, (int)arg);
		return 0;
	case FIONREAD:
		return int_to_user(t, arg, (int)out_len(p));
	case TCFLSH:
		/* The master's input is the slave's output; its own output
		 * goes straight into the slave's line discipline here, so
		 * there is nothing in flight to drop. */
		switch (arg) {
		case TCIFLUSH:
		case TCIOFLUSH:
			p->out_tail = p->out_head;
			n_tty_write_wakeup(slave);
			pty_wakeup(slave);
			return 0;
		case TCOFLUSH:
			return 0;
		default:
			return -EINVAL;
		}
	case TCXONC:
		log_once("pty-master-tcxonc", "tcflow on a pty master is not supported: EINVAL");
		return -EINVAL;
	}
	r = tty_jobctrl_ioctl(NULL, slave, f, t, cmd, arg);
	if (r != -ENOIOCTLCMD)
		return r;
	r = tty_mode_ioctl(NULL, slave, t, cmd, arg);
	if (r != -ENOIOCTLCMD)
		return r;
	{
		char key[48];

		snprintf(key, sizeof(key), "pty-master-ioctl-%#x", cmd);
		log_once(key, "ioctl %#x on a pty master is not supported: ENOTTY", cmd);
	}
	return -ENOTTY;
}

static void master_release(struct file *f)
{
	struct pty *p = f->priv;

	if (!p)
		return; /* the open failed */
	if (--p->masters == 0)
		pty_master_gone(p);
}

const struct file_ops pty_master_fops = {
	.read = master_read,
	.write = master_write,
	.poll = master_poll,
	.ioctl = master_ioctl,
	.release = master_release,
};

/* ---- the slave ---- */

/* n_tty_read's waiting rules in non-canonical mode (VMIN, VTIME):
 * whether a reader with avail bytes queued should take them now. Sets
 * the deadline of the VTIME timers. */
static bool noncanon_ready(struct pty *p, struct file *f, struct task *t, size_t avail,
			   size_t len)
{
	struct tty_struct *tty = &p->tty;
	unsigned int vmin = tty->termios.c_cc[VMIN], vtime = tty->termios.c_cc[VTIME];
	int64_t now = kernel_mono_ns();

	if (!vmin) {
		if (avail || !vtime)
			return true;
		/* VTIME alone: the whole read waits at most that long. */
		if (t->sys.timed_out)
			return true;
		task_set_deadline(t, now + vtime * NSEC_PER_DECISECOND);
		return false;
	}
	if (avail >= MIN(vmin, len))
		return true;
	if (!avail) {
		/* The inter-byte timer starts with the first byte. */
		t->sys.deadline = 0;
		return false;
	}
	if (f->flags & O_NONBLOCK)
		return true;
	if (vtime) {
		int64_t deadline = p->ldata.last_input_ns + vtime * NSEC_PER_DECISECOND;

		if (now >= deadline)
			return true;
		t->sys.deadline = deadline;
	}
	return false;
}

static ssize_t slave_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct pty *p = f->priv;
	struct tty_struct *tty = &p->tty;
	ssize_t n;
	int r;

	if (p->hung_up)
		return 0;
	r = tty_check_change(tty, t, SIGTTIN);
	if (r)
		return r;
	if (len == 0)
		return 0;
	if (!p->ldata.icanon) {
		if (!noncanon_ready(p, f, t, n_tty_readable(tty), len))
			return block(f, t, p);
		n = n_tty_read(tty, buf, len);
		return n == -EAGAIN ? 0 : n;
	}
	n = n_tty_read(tty, buf, len);
	if (n != -EAGAIN)
		return n;
	return block(f, t, p);
}

static ssize_t slave_write(struct file *f, struct task *t, const void *buf, size_t len,
			   int64_t *pos)
{
	struct pty *p = f->priv;
	struct tty_struct *tty = &p->tty;
	size_t n;
	int r;

	if (p->hung_up)
		return -EIO;
	r = tty_check_write(tty, t);
	if (r)
		return r;
	if (len == 0)
		return 0;
	if (!tty->stopped) {
		n = n_tty_write(tty, buf, len);
		if (n)
			return (ssize_t)n;
	}
	return block(f, t, p);
}

static unsigned int slave_poll(struct file *f, struct task *t, unsigned int events)
{
	struct pty *p = f->priv;
	struct tty_struct *tty = &p->tty;
	unsigned int mask = 0;
	size_t amt = 1;

	if (p->hung_up)
		return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
	/* A poller is woken for VMIN bytes when VTIME does not count. */
	if (!p->ldata.icanon && !tty->termios.c_cc[VTIME] && tty->termios.c_cc[VMIN])
		amt = tty->termios.c_cc[VMIN];
	if (n_tty_readable(tty) >= amt)
		mask |= POLLIN | POLLRDNORM;
	if (pty_write_room(tty))
		mask |= POLLOUT | POLLWRNORM;
	if (t && !(mask & (events | POLLHUP | POLLERR)))
		task_wait_on(t, &p->wq);
	return mask;
}

static long slave_flush(struct pty *p, struct task *t, uint64_t arg)
{
	struct tty_struct *tty = &p->tty;
	int r = tty_check_change(tty, t, SIGTTOU);

	if (r)
		return r;
	switch (arg) {
	case TCIFLUSH:
		n_tty_flush_input(tty);
		return 0;
	case TCIOFLUSH:
		n_tty_flush_input(tty);
		/* fallthrough */
	case TCOFLUSH:
		pty_flush_buffer(tty);
		return 0;
	default:
		return -EINVAL;
	}
}

/* tcflow: TCOOFF/TCOON stop and restart output; TCIOFF/TCION send the
 * STOP/START character to the other side. */
static long slave_flow(struct pty *p, struct task *t, uint64_t arg)
{
	struct tty_struct *tty = &p->tty;
	int r = tty_check_change(tty, t, SIGTTOU);
	unsigned char c;

	if (r)
		return r;
	switch (arg) {
	case TCOOFF:
		if (!tty->tco_stopped) {
			tty->tco_stopped = true;
			tty_stop(tty);
		}
		return 0;
	case TCOON:
		if (tty->tco_stopped) {
			tty->tco_stopped = false;
			tty_start(tty);
		}
		return 0;
	case TCIOFF:
	case TCION:
		c = tty->termios.c_cc[arg == TCIOFF ? VSTOP : VSTART];
		/* tty_send_xchar goes out even while output is stopped. */
		if (c && PTY_OUT_SIZE - out_len(p) > 0)
			pty_write(tty, &c, 1);
		return 0;
	default:
		return -EINVAL;
	}
}

static long slave_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct pty *p = f->priv;
	struct tty_struct *tty = &p->tty;
	long r;

	if (p->hung_up)
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case FIONREAD:
		return int_to_user(t, arg, n_tty_inq(tty));
	case TCFLSH:
		return slave_flush(p, t, arg);
	case TCXONC:
		return slave_flow(p, t, arg);
	case TIOCEXCL:
		p->exclusive = true;
		return 0;
	case TIOCNXCL:
		p->exclusive = false;
		return 0;
	case TIOCGEXCL:
		return int_to_user(t, arg, p->exclusive);
	case TIOCGPTPEER:
		/* ptm_open_peer: only from a master. */
		return -EIO;
	}
	r = tty_jobctrl_ioctl(tty, tty, f, t, cmd, arg);
	if (r != -ENOIOCTLCMD)
		return r;
	r = tty_mode_ioctl(tty, tty, t, cmd, arg);
	if (r != -ENOIOCTLCMD)
		return r;
	{
		char key[48];

		snprintf(key, sizeof(key), "pty-slave-ioctl-%#x", cmd);
		log_once(key, "ioctl %#x on a terminal is not supported: ENOTTY", cmd);
	}
	return -ENOTTY;
}

static void slave_release(struct file *f)
{
	struct pty *p = f->priv;

	if (!p)
		return; /* the open failed */
	if (--p->slaves == 0) {
		p->slave_closed = true;
		pty_wakeup(&p->tty);
	}
	pty_maybe_free(p);
}

const struct file_ops pty_slave_fops = {
	.read = slave_read,
	.write = slave_write,
	.poll = slave_poll,
	.ioctl = slave_ioctl,
	.release = slave_release,
};

/* ---- terminals of files ---- */

struct tty_struct *file_tty(struct file *f)
{
	if (f->ops == &pty_slave_fops && f->priv)
		return &((struct pty *)f->priv)->tty;
	return hostfd_tty(f);
}

void tty_adopt_stdio(struct task *init)
{
	for (int fd = 0; fd <= 2; fd++) {
		struct file *f = fd_get(init, fd);
		struct tty_struct *tty = f ? file_tty(f) : NULL;

		if (f)
			file_put(f);
		if (tty && !tty->session) {
			tty_set_ctty(tty, init->tg);
			return;
		}
	}
}

/* ---- a master held by the sentry (the console) ---- */

int pty_kmaster_open(struct pty **out)
{
	int rc = pty_alloc(0, out);

	if (rc == 0)
		(*out)->locked = false;
	return rc;
}

struct tty_struct *pty_tty(struct pty *p)
{
	return &p->tty;
}

size_t pty_kmaster_read(struct pty *p, unsigned char *buf, size_t len)
{
	size_t n = out_take(p, buf, len);

	if (n) {
		n_tty_write_wakeup(&p->tty);
		wq_wake_all(&p->wq); /* room for the slave's writers */
	}
	return n;
}

size_t pty_kmaster_write(struct pty *p, const unsigned char *buf, size_t len)
{
	return n_tty_receive(&p->tty, buf, len);
}

void pty_kmaster_set_notify(struct pty *p, void (*fn)(void *arg), void *arg)
{
	p->notify = fn;
	p->notify_arg = arg;
}

void pty_kmaster_close(struct pty *p)
{
	p->notify = NULL;
	if (--p->masters == 0)
		pty_master_gone(p);
}
