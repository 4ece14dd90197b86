/* poll, ppoll, select, pselect6.
 *
 * Each run scans every file with ops->poll, queueing the task on what
 * would change the answer (the file queues it when nothing it was asked
 * about is ready), then either finishes or returns -EBLOCKED; any wake-up
 * re-runs the scan. A task has TASK_MAX_WAITS queue slots: once they run
 * out, the remaining files are scanned without queueing and the task also
 * waits on a shared 10 ms tick instead, so polls over many files still
 * notice every change, a little later.
 *
 * State kept across re-runs in t->sys.scratch:
 *   [0] 1 once the first run set things up
 *   [1] deadline: POLL_NO_WAIT, POLL_FOREVER, or CLOCK_MONOTONIC ns
 *   [2] 1 when this syscall installed a temporary signal mask
 *
 * An interrupted call returns -ERESTARTNOHAND (a handler sees EINTR,
 * otherwise it restarts): ppoll, select and pselect6 write the time left
 * back first, so their restart waits only the rest. poll(2) cannot, so it
 * restarts through restart_syscall with its deadline in t->restart_block,
 * as Linux's do_restart_poll. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

#define POLL_NO_WAIT 0
#define POLL_FOREVER -1
#define POLL_TICK_NS 10000000LL
#define NSEC_PER_SEC 1000000000LL

#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET (POLLPRI)

/* ---- the overflow tick ---- */

static struct waitqueue poll_tick_wq = { .waiters = LIST_HEAD_INIT(poll_tick_wq.waiters) };

static void poll_tick_fn(struct ktimer *tm)
{
	wq_wake_all(&poll_tick_wq);
}

static struct ktimer poll_tick = { .link = LIST_HEAD_INIT(poll_tick.link), .fn = poll_tick_fn };

/* ---- scanning ---- */

struct poll_scan {
	struct task *t;  /* NULL: just look, never queue */
	bool overflow;   /* some file could not be queued on */
};

static unsigned int poll_file(struct poll_scan *ps, struct file *f, unsigned int events)
{
	struct task *qt = ps->t;

	if (!f->ops || !f->ops->poll)
		return DEFAULT_POLLMASK;
	/* A file queues on at most two queues (host fds: one per direction);
	 * keep one slot free for the tick after that. */
	if (qt && qt->nwaits > TASK_MAX_WAITS - 3) {
		ps->overflow = true;
		qt = NULL;
	}
	return f->ops->poll(f, qt, events);
}

static int64_t timespec_to_deadline(const struct timespec *ts)
{
	int64_t now = kernel_mono_ns();

	if (ts->tv_sec == 0 && ts->tv_nsec == 0)
		return POLL_NO_WAIT;
	/* Saturate like timespec64_add_safe: a huge timeout never ends. */
	if (ts->tv_sec >= (INT64_MAX - now) / NSEC_PER_SEC - 1)
		return INT64_MAX;
	return now + ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC_PER_SEC;
}

/* Nothing ready: block (-EBLOCKED) unless the call cannot wait any more;
 * then 0. Signals were checked by the caller. */
static long poll_block(struct task *t, struct poll_scan *ps)
{
	int64_t deadline = (int64_t)t->sys.scratch[1];

	if (deadline == POLL_NO_WAIT || t->sys.timed_out)
		return 0;
	if (ps->overflow) {
		task_wait_on(t, &poll_tick_wq);
		if (!poll_tick.armed)
			ktimer_arm(&poll_tick, kernel_mono_ns() + POLL_TICK_NS);
	}
	if (deadline != POLL_FOREVER)
		task_set_deadline(t, deadline);
	return -EBLOCKED;
}

/* The scan may queue only on runs that can still block. */
static struct poll_scan scan_start(struct task *t)
{
	int64_t deadline = (int64_t)t->sys.scratch[1];
	struct poll_scan ps = { .t = t };

	if (deadline == POLL_NO_WAIT || t->sys.timed_out)
		ps.t = NULL;
	return ps;
}

/* ---- temporary signal masks (ppoll, pselect6) ---- */

static int set_user_sigmask(struct task *t, uint64_t umask, uint64_t size)
{
	ksigset_t m;

	if (!umask)
		return 0;
	if (size != sizeof(ksigset_t))
		return -EINVAL;
	if (copy_from_user(t, &m, umask, sizeof(m)))
		return -EFAULT;
	t->saved_blocked = t->blocked;
	t->restore_blocked = true;
	t->blocked = m & ~(SIGMASK(SIGKILL) | SIGMASK(SIGSTOP));
	t->sys.scratch[2] = 1;
	return 0;
}

/* restore_saved_sigmask_unless(): when interrupted, signal delivery puts
 * the old mask back after the handler frame is built (it must run with
 * the temporary one); otherwise it goes back now. */
static void finish_sigmask(struct task *t, long ret)
{
	if (!t->sys.scratch[2] || ret == -EBLOCKED || ret == -ERESTARTNOHAND)
		return;
	if (t->restore_blocked) {
		t->blocked = t->saved_blocked;
		t->restore_blocked = false;
	}
}

/* poll_select_finish(): writes the time left back to a timeval or
 * timespec (not for a zero timeout); if that faults the call cannot be
 * restarted with the right timeout, so an interruption becomes EINTR. */
static long poll_select_finish(struct task *t, uint64_t utime, bool timeval, long ret)
{
	int64_t deadline = (int64_t)t->sys.scratch[1];
	int64_t left;
	int r;

	finish_sigmask(t, ret);
	if (ret == -EBLOCKED || !utime || deadline == POLL_NO_WAIT || deadline == POLL_FOREVER)
		return ret;
	left = deadline - kernel_mono_ns();
	if (left < 0)
		left = 0;
	if (timeval) {
		struct timeval tv = { left / NSEC_PER_SEC, (left % NSEC_PER_SEC) / 1000 };

		r = copy_to_user(t, utime, &tv, sizeof(tv));
	} else {
		struct timespec ts = { left / NSEC_PER_SEC, left % NSEC_PER_SEC };

		r = copy_to_user(t, utime, &ts, sizeof(ts));
	}
	if (r && ret == -ERESTARTNOHAND)
		return -EINTR;
	return ret;
}

/* ---- poll ---- */

static long poll_finish(struct task *t, long r);

static long do_poll(struct task *t, uint64_t ufds, unsigned int nfds)
{
	_cleanup_free_ struct pollfd *pfds = NULL;
	struct poll_scan ps = scan_start(t);
	long count = 0;

	if (nfds > t->tg->rlim[RLIMIT_NOFILE].rlim_cur)
		return -EINVAL;
	pfds = xmalloc(MAX(nfds, 1u) * sizeof(*pfds));
	if (copy_from_user(t, pfds, ufds, nfds * sizeof(*pfds)))
		return -EFAULT;
	for (unsigned int i = 0; i < nfds; i++) {
		struct file *f;
		unsigned int mask;

		pfds[i].revents = 0;
		if (pfds[i].fd < 0)
			continue;
		f = fd_get(t, pfds[i].fd);
		/* O_PATH files are no files to poll (fdget skips them). */
		if (f && (f->flags & O_PATH)) {
			file_put(f);
			f = NULL;
		}
		if (!f) {
			pfds[i].revents = POLLNVAL;
			count++;
			continue;
		}
		mask = poll_file(&ps, f, (unsigned short)pfds[i].events | POLLERR | POLLHUP);
		file_put(f);
		mask &= (unsigned short)pfds[i].events | POLLERR | POLLHUP;
		pfds[i].revents = (short)mask;
		if (mask) {
			count++;
			ps.t = NULL; /* something is ready: no more queueing */
		}
	}
	if (count == 0) {
		if (signal_pending(t))
			count = -ERESTARTNOHAND;
		else if ((count = poll_block(t, &ps)) == -EBLOCKED)
			return -EBLOCKED;
	}
	/* revents go back even when interrupted (all zero then). */
	for (unsigned int i = 0; i < nfds; i++)
		if (copy_to_user(t, ufds + i * sizeof(*pfds) + offsetof(struct pollfd, revents),
				 &pfds[i].revents, sizeof(pfds[i].revents)))
			return -EFAULT;
	return count;
}

/* The registers still hold poll's arguments when restart_syscall runs
 * (no handler ran in between); only the deadline needs keeping. */
static long poll_restart(struct task *t)
{
	if (!t->sys.scratch[0]) {
		t->sys.scratch[0] = 1;
		t->sys.scratch[1] = (uint64_t)t->restart_block.deadline;
	}
	return poll_finish(t, do_poll(t, t->sys.args.a[0], (unsigned int)t->sys.args.a[1]));
}

static long poll_finish(struct task *t, long r)
{
	if (r == -EBLOCKED)
		return r;
	if (r != -ERESTARTNOHAND) {
		t->restart_block.fn = NULL;
		return r;
	}
	t->restart_block.fn = poll_restart;
	t->restart_block.deadline = (int64_t)t->sys.scratch[1];
	return -ERESTART_RESTARTBLOCK;
}

SYSCALL_DEFINE(poll, "pdd")
{
	int timeout = (int)a->a[2];

	if (!t->sys.scratch[0]) {
		t->sys.scratch[0] = 1;
		if (timeout < 0)
			t->sys.scratch[1] = (uint64_t)POLL_FOREVER;
		else if (timeout == 0)
			t->sys.scratch[1] = POLL_NO_WAIT;
		else
			t->sys.scratch[1] = (uint64_t)(kernel_mono_ns() + (int64_t)timeout * 1000000);
	}
	return poll_finish(t, do_poll(t, a->a[0], (unsigned int)a->a[1]));
}

/* ppoll's and pselect6's timespec timeout at uts (0: none) as the
 * deadline in scratch[1]. */
static int deadline_from_user(struct task *t, uint64_t uts)
{
	struct timespec ts;

	t->sys.scratch[1] = (uint64_t)POLL_FOREVER;
	if (!uts)
		return 0;
	if (copy_from_user(t, &ts, uts, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	t->sys.scratch[1] = (uint64_t)timespec_to_deadline(&ts);
	return 0;
}

SYSCALL_DEFINE(ppoll, "pdppu")
{
	uint64_t utsp = a->a[2];
	long r;

	if (!t->sys.scratch[0]) {
		r = deadline_from_user(t, utsp);
		if (r)
			return r;
		r = set_user_sigmask(t, a->a[3], a->a[4]);
		if (r)
			return r;
		t->sys.scratch[0] = 1;
	}
	r = do_poll(t, a->a[0], (unsigned int)a->a[1]);
	return poll_select_finish(t, utsp, false, r);
}

/* ---- select ---- */

#define BITS_PER_WORD 64

struct fdsets {
	uint64_t *in, *out, *ex;          /* requested (zero when NULL) */
	uint64_t *res_in, *res_out, *res_ex;
	void *mem;
};

static int get_fd_set(struct task *t, uint64_t uptr, uint64_t *set, size_t bytes)
{
	if (!uptr) {
		memset(set, 0, bytes);
		return 0;
	}
	return copy_from_user(t, set, uptr, bytes);
}

static bool test_bit(const uint64_t *set, int fd)
{
	return set[fd / BITS_PER_WORD] & (1ULL << (fd % BITS_PER_WORD));
}

static void set_bit(uint64_t *set, int fd)
{
	set[fd / BITS_PER_WORD] |= 1ULL << (fd % BITS_PER_WORD);
}

static long core_sys_select(struct task *t, int n, uint64_t uin, uint64_t uout, uint64_t uex)
{
	struct poll_scan ps = scan_start(t);
	_cleanup_free_ uint64_t *mem = NULL;
	uint64_t *in, *out, *ex, *rin, *rout, *rex;
	size_t words, bytes;
	long count = 0;
	int max_fds;

	if (n < 0)
		return -EINVAL;
	/* Linux silently ignores bits past the fd table's size (at least a
	 * word's worth of fds). */
	max_fds = MAX(t->files->size, BITS_PER_WORD);
	if (n > max_fds)
		n = max_fds;
	words = ((size_t)n + BITS_PER_WORD - 1) / BITS_PER_WORD;
	bytes = words * sizeof(uint64_t);
	mem = xzalloc(MAX(bytes, 1) * 6);
	in = mem;
	out = in + words;
	ex = out + words;
	rin = ex + words;
	rout = rin + words;
	rex = rout + words;
	if (get_fd_set(t, uin, in, bytes) || get_fd_set(t, uout, out, bytes) ||
	    get_fd_set(t, uex, ex, bytes))
		return -EFAULT;
	/* max_select_fd(): every requested fd must be open. */
	for (int fd = 0; fd < n; fd++) {
		struct file *f;

		if (!test_bit(in, fd) && !test_bit(out, fd) && !test_bit(ex, fd))
			continue;
		f = fd_get(t, fd);
		if (!f)
			return -EBADF;
		bool opath = f->flags & O_PATH;

		file_put(f);
		if (opath)
			return -EBADF;
	}
	for (int fd = 0; fd < n; fd++) {
		bool want_in = test_bit(in, fd), want_out = test_bit(out, fd), want_ex = test_bit(ex, fd);
		unsigned int events = POLLEX_SET, mask;
		struct file *f;

		if (!want_in && !want_out && !want_ex)
			continue;
		if (want_in)
			events |= POLLIN_SET;
		if (want_out)
			events |= POLLOUT_SET;
		f = fd_get(t, fd);
		mask = poll_file(&ps, f, events);
		file_put(f);
		if (want_in && (mask & POLLIN_SET)) {
			set_bit(rin, fd);
			count++;
		}
		if (want_out && (mask & POLLOUT_SET)) {
			set_bit(rout, fd);
			count++;
		}
		if (want_ex && (mask & POLLEX_SET)) {
			set_bit(rex, fd);
			count++;
		}
		if (count)
			ps.t = NULL;
	}
	if (count == 0) {
		if (signal_pending(t))
			return -ERESTARTNOHAND;
		count = poll_block(t, &ps);
		if (count == -EBLOCKED)
			return -EBLOCKED;
	}
	if ((uin && copy_to_user(t, uin, rin, bytes)) || (uout && copy_to_user(t, uout, rout, bytes)) ||
	    (uex && copy_to_user(t, uex, rex, bytes)))
		return -EFAULT;
	return count;
}

SYSCALL_DEFINE(select, "dpppp")
{
	uint64_t utv = a->a[4];

	if (!t->sys.scratch[0]) {
		t->sys.scratch[1] = (uint64_t)POLL_FOREVER;
		if (utv) {
			struct timeval tv;
			struct timespec ts;

			if (copy_from_user(t, &tv, utv, sizeof(tv)))
				return -EFAULT;
			/* Linux normalizes the microseconds before validating. */
			ts.tv_sec = tv.tv_sec + tv.tv_usec / 1000000;
			ts.tv_nsec = (tv.tv_usec % 1000000) * 1000;
			if (!timespec_valid(&ts))
				return -EINVAL;
			t->sys.scratch[1] = (uint64_t)timespec_to_deadline(&ts);
		}
		t->sys.scratch[0] = 1;
	}
	return poll_select_finish(t, utv, true,
				  core_sys_select(t, (int)a->a[0], a->a[1], a->a[2], a->a[3]));
}

SYSCALL_DEFINE(pselect6, "dppppp")
{
	uint64_t utsp = a->a[4];
	long r;

	if (!t->sys.scratch[0]) {
		r = deadline_from_user(t, utsp);
		if (r)
			return r;
		if (a->a[5]) {
			/* struct { const sigset_t *ss; size_t ss_len; } */
			uint64_t pack[2];

			if (copy_from_user(t, pack, a->a[5], sizeof(pack)))
				return -EFAULT;
			r = set_user_sigmask(t, pack[0], pack[1]);
			if (r)
				return r;
		}
		t->sys.scratch[0] = 1;
	}
	r = core_sys_select(t, (int)a->a[0], a->a[1], a->a[2], a->a[3]);
	return poll_select_finish(t, utsp, false, r);
}
