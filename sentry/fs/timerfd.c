/* timerfd (see timerfd.h). As Linux, a periodic timer is not re-armed by
 * its own expiry: the read (or gettime) that sees it expired forwards it
 * and counts the intervals missed meanwhile, so an unread periodic timerfd
 * costs nothing. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>

#include "runsc/util.h"
#include "sentry/fs/anon_inode.h"
#include "sentry/fs/timerfd.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

struct timerfd {
	clockid_t clock;
	struct ktimer kt;
	int64_t expires;    /* CLOCK_MONOTONIC ns; 0 = never set */
	int64_t interval;
	uint64_t ticks;     /* expirations not yet read */
	bool expired;       /* fired since the last read/forward */
	struct waitqueue wq;
};

static const struct file_ops timerfd_fops;

bool file_is_timerfd(const struct file *f) { return f->ops == &timerfd_fops; }

static void timerfd_fire(struct ktimer *kt)
{
	struct timerfd *tf = container_of(kt, struct timerfd, kt);

	tf->expired = true;
	tf->ticks++;
	wq_wake_key(&tf->wq, POLLIN);
}

/* hrtimer_forward_now(): past now by whole intervals; returns how many. */
static uint64_t forward_now(struct timerfd *tf)
{
	int64_t now = kernel_mono_ns(), delta = now - tf->expires;
	uint64_t orun = 1;

	if (delta < 0)
		return 0;
	if (delta >= tf->interval) {
		orun = (uint64_t)(delta / tf->interval);
		tf->expires += (int64_t)orun * tf->interval;
		if (tf->expires > now)
			return orun;
		orun++;
	}
	tf->expires += tf->interval;
	return orun;
}

/* A periodic timer that fired: count what it missed and re-arm. */
static void timerfd_rearm(struct timerfd *tf)
{
	if (!tf->expired || !tf->interval)
		return;
	tf->ticks += forward_now(tf) - 1;
	tf->expired = false;
	ktimer_arm(&tf->kt, tf->expires);
}

static ssize_t timerfd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct timerfd *tf = f->priv;
	uint64_t ticks;

	if (len < sizeof(ticks))
		return -EINVAL;
	if (!tf->ticks) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (signal_pending(t))
			return -ERESTARTSYS;
		task_wait_on(t, &tf->wq);
		return -EBLOCKED;
	}
	timerfd_rearm(tf);
	ticks = tf->ticks;
	tf->expired = false;
	tf->ticks = 0;
	memcpy(buf, &ticks, sizeof(ticks));
	return sizeof(ticks);
}

static unsigned int timerfd_poll(struct file *f, struct task *t, unsigned int events)
{
	struct timerfd *tf = f->priv;
	unsigned int mask = tf->ticks ? POLLIN : 0; /* Linux: no POLLRDNORM */

	if (t && !(mask & events))
		task_wait_on(t, &tf->wq);
	return mask;
}

static long timerfd_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct timerfd *tf = f->priv;
	uint64_t ticks;

	if (cmd != TFD_IOC_SET_TICKS)
		return -ENOTTY;
	/* CRIU's restore of the expiration count. */
	if (copy_from_user(t, &ticks, arg, sizeof(ticks)))
		return -EFAULT;
	if (!ticks)
		return -EINVAL;
	tf->ticks = ticks;
	wq_wake_key(&tf->wq, POLLIN);
	return 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *tf = f->priv;

	ktimer_cancel(&tf->kt);
	wq_wake_all(&tf->wq);
	free(tf);
}

static int timerfd_dname(struct file *f, char *buf, size_t len)
{
	return snprintf(buf, len, "anon_inode:[timerfd]");
}

static const struct file_ops timerfd_fops = {
	.read = timerfd_read,
	.poll = timerfd_poll,
	.ioctl = timerfd_ioctl,
	.getattr = anon_inode_getattr,
	.release = timerfd_release,
	.dname = timerfd_dname,
};

int timerfd_create_file(clockid_t clock, int flags, struct file **out)
{
	struct timerfd *tf = xzalloc(sizeof(*tf));

	tf->clock = clock;
	list_init(&tf->kt.link);
	tf->kt.fn = timerfd_fire;
	wq_init(&tf->wq);
	*out = file_alloc(&timerfd_fops, O_RDWR | (flags & O_NONBLOCK), tf);
	return 0;
}

static int64_t remaining(const struct timerfd *tf)
{
	int64_t r = tf->expires ? tf->expires - kernel_mono_ns() : 0;

	return r < 0 ? 0 : r;
}

void timerfd_gettime_file(struct file *f, int64_t *value, int64_t *interval)
{
	struct timerfd *tf = f->priv;

	timerfd_rearm(tf);
	*value = remaining(tf);
	*interval = tf->interval;
}

static bool clock_is_realtime(clockid_t c)
{
	return c == CLOCK_REALTIME || c == CLOCK_REALTIME_ALARM;
}

void timerfd_settime_file(struct file *f, int flags, int64_t value, int64_t interval,
			  int64_t *old_value, int64_t *old_interval)
{
	struct timerfd *tf = f->priv;
	int64_t now = kernel_mono_ns();

	ktimer_cancel(&tf->kt);
	/* The old setting as the caller would have seen it next. */
	if (tf->expired && tf->interval)
		forward_now(tf);
	*old_value = remaining(tf);
	*old_interval = tf->interval;

	/* timerfd_setup(): the interval is kept even when disarming. */
	tf->expired = false;
	tf->ticks = 0;
	tf->interval = interval;
	tf->expires = 0;
	if (!value)
		return;
	if (!(flags & TFD_TIMER_ABSTIME)) {
		tf->expires = value > INT64_MAX - now ? INT64_MAX : now + value;
	} else if (tf->clock == CLOCK_MONOTONIC) {
		tf->expires = value;
	} else {
		/* REALTIME and BOOTTIME are the host's clocks of those names. */
		tf->expires = kernel_abs_to_mono(clock_is_realtime(tf->clock) ? CLOCK_REALTIME : CLOCK_BOOTTIME, value);
	}
	/* An expiry already past fires at once. */
	ktimer_arm(&tf->kt, tf->expires);
}
