/* epoll (see epoll.h).
 *
 * An item (struct epitem) is one (file, fd) pair in one epoll; it is
 * linked in its epoll's item list, in its file's ep_watchers list (so the
 * file's last file_put can remove it, and epoll_ctl finds it without a
 * search), and, while it may have events, on its epoll's ready list.
 * Items hold no reference on their file: as in Linux, closing the last
 * descriptor of a file removes it from every epoll.
 *
 * The ready list is only a list of candidates: ep_send_events() polls
 * each one again. A level-triggered item goes back to the tail after it
 * was reported (so ready items take turns when maxevents is small); an
 * edge-triggered one is reported only if its callback ran since its last
 * report ("triggered"). */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "runsc/util.h"
#include "sentry/fs/anon_inode.h"
#include "sentry/fs/epoll.h"
#include "sentry/fs/mqueue.h"
#include "sentry/kernel.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLINOUT_BITS (EPOLLIN | EPOLLOUT)
#define EPOLLEXCLUSIVE_OK_BITS \
	(EPOLLINOUT_BITS | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

struct eventpoll {
	struct file *file;
	struct list_head items;   /* of epitem.link */
	struct list_head rdllist; /* of epitem.rdllink */
	struct waitqueue wq;      /* tasks in epoll_wait */
	struct waitqueue poll_wq; /* poll()ers and epolls watching this one */
	unsigned int gen;         /* loop check memo */
	int depth;
};

struct epitem {
	struct list_head link;
	struct list_head rdllink;
	struct list_head fllink;
	struct eventpoll *ep;
	struct file *file;
	int fd;
	uint32_t events;
	uint64_t data;
	bool triggered;           /* woken (or found ready) since last reported */
	struct list_head pwqs;    /* of ep_pwq.link */
	struct poll_table pt;
};

/* The item's entry on one wait queue of its file. */
struct ep_pwq {
	struct wq_entry e;
	struct waitqueue *wq;
	struct epitem *epi;
	struct list_head link;
};

static const struct file_ops eventpoll_fops;

bool file_is_epoll(const struct file *f) { return f->ops == &eventpoll_fops; }

/* ---- readiness ---- */

static void ep_wake(struct eventpoll *ep)
{
	wq_wake_key(&ep->wq, POLLIN);
	wq_wake_key(&ep->poll_wq, POLLIN);
}

static void ep_mark_ready(struct epitem *epi)
{
	epi->triggered = true;
	if (!list_linked(&epi->rdllink))
		list_add_tail(&epi->rdllink, &epi->ep->rdllist);
}

/* ep_poll_callback(): a queue of the item's file was woken. Returns
 * nonzero when an exclusive wake-up may stop here. */
static int ep_poll_callback(struct wq_entry *e, unsigned int key)
{
	struct epitem *epi = container_of(e, struct ep_pwq, e)->epi;
	struct eventpoll *ep = epi->ep;
	int ewake = 0;

	/* Disabled by EPOLLONESHOT, or a change it did not ask about. */
	if (!(epi->events & ~EP_PRIVATE_BITS))
		return 0;
	if (key && !(key & epi->events))
		return 0;
	ep_mark_ready(epi);
	if (wq_has_waiters(&ep->wq)) {
		if (epi->events & EPOLLEXCLUSIVE) {
			switch (key & EPOLLINOUT_BITS) {
			case EPOLLIN:
				ewake = !!(epi->events & EPOLLIN);
				break;
			case EPOLLOUT:
				ewake = !!(epi->events & EPOLLOUT);
				break;
			case 0:
				ewake = 1;
				break;
			}
		}
	}
	ep_wake(ep);
	if (!(epi->events & EPOLLEXCLUSIVE))
		ewake = 1;
	return ewake;
}

/* The poll_table's qproc: one persistent entry per queue. */
static void ep_ptable_queue_proc(struct poll_table *pt, struct waitqueue *wq)
{
	struct epitem *epi = container_of(pt, struct epitem, pt);
	struct ep_pwq *pwq;

	list_for_each_entry(pwq, &epi->pwqs, link)
		if (pwq->wq == wq)
			return;
	pwq = xzalloc(sizeof(*pwq));
	pwq->wq = wq;
	pwq->epi = epi;
	pwq->e.fn = ep_poll_callback;
	pwq->e.flags = (epi->events & EPOLLEXCLUSIVE) ? WQ_FLAG_EXCLUSIVE : 0;
	list_add_tail(&pwq->link, &epi->pwqs);
	wq_add_entry(wq, &pwq->e);
}

/* Polls the item's file for t (NULL: just look), its queues going to the
 * item's callback entries. */
static unsigned int ep_item_poll(struct epitem *epi, struct task *t)
{
	struct file *f = epi->file;
	struct poll_table *saved = NULL;
	unsigned int mask;

	if (t) {
		saved = t->poll_table;
		t->poll_table = &epi->pt;
	}
	mask = f->ops->poll(f, t, epi->events & ~EP_PRIVATE_BITS);
	/* A file queues only when nothing asked for is ready; asking for
	 * nothing gets the item onto its queues anyway, so that the next
	 * change is heard (edge-triggered items depend on it). */
	if (t && list_empty(&epi->pwqs) && (mask & (epi->events | POLLERR | POLLHUP)))
		f->ops->poll(f, t, 0);
	if (t)
		t->poll_table = saved;
	return mask & epi->events;
}

/* ep_read_events_proc(): does any item on the ready list have an event
 * to report? Items found not ready leave the list. */
static bool ep_ready(struct eventpoll *ep, struct task *t)
{
	struct epitem *epi, *n;

	list_for_each_entry_safe(epi, n, &ep->rdllist, rdllink) {
		unsigned int mask = ep_item_poll(epi, t);

		if (mask && (!(epi->events & EPOLLET) || epi->triggered))
			return true;
		if (!mask && t) {
			list_del(&epi->rdllink);
			epi->triggered = false;
		}
	}
	return false;
}

int epoll_send_events(struct task *t, struct file *f, uint64_t uevents, int max)
{
	struct eventpoll *ep = f->priv;
	struct list_head txlist;
	int res = 0;

	list_init(&txlist);
	if (!list_empty(&ep->rdllist)) {
		txlist = ep->rdllist;
		txlist.next->prev = &txlist;
		txlist.prev->next = &txlist;
		list_init(&ep->rdllist);
	}
	while (!list_empty(&txlist) && res < max) {
		struct epitem *epi = list_first_entry(&txlist, struct epitem, rdllink);
		unsigned int mask;

		list_del(&epi->rdllink);
		mask = ep_item_poll(epi, t);
		if (!mask) {
			epi->triggered = false;
			continue;
		}
		if ((epi->events & EPOLLET) && !epi->triggered) {
			/* Reported already; kept for the re-poll that re-arms
			 * one-shot watches once it is no longer ready. */
			list_add_tail(&epi->rdllink, &ep->rdllist);
			continue;
		}
		struct k_epoll_event ev = { .events = mask, .data = epi->data };
		if (copy_to_user(t, uevents + (uint64_t)res * sizeof(ev), &ev, sizeof(ev))) {
			list_add(&epi->rdllink, &txlist);
			if (!res)
				res = -EFAULT;
			break;
		}
		res++;
		epi->triggered = false;
		if (epi->events & EPOLLONESHOT)
			epi->events &= EP_PRIVATE_BITS;
		else
			list_add_tail(&epi->rdllink, &ep->rdllist);
	}
	/* What was not looked at goes first next time. */
	if (!list_empty(&txlist)) {
		struct list_head *first = txlist.next, *last = txlist.prev;
		last->next = ep->rdllist.next;
		ep->rdllist.next->prev = last;
		ep->rdllist.next = first;
		first->prev = &ep->rdllist;
	}
	return res;
}

void epoll_wait_on(struct task *t, struct file *f)
{
	struct eventpoll *ep = f->priv;

	task_wait_on(t, &ep->wq);
}

/* ---- items ---- */

static struct epitem *ep_find(struct eventpoll *ep, struct file *tf, int fd)
{
	struct epitem *epi;

	if (!tf->ep_watchers)
		return NULL;
	list_for_each_entry(epi, &tf->ep_watchers->items, fllink)
		if (epi->ep == ep && epi->fd == fd)
			return epi;
	return NULL;
}

static void ep_unregister_pollwait(struct epitem *epi)
{
	struct ep_pwq *pwq, *n;

	list_for_each_entry_safe(pwq, n, &epi->pwqs, link) {
		if (list_linked(&pwq->e.link))
			list_del(&pwq->e.link);
		list_del(&pwq->link);
		free(pwq);
	}
}

static void ep_remove(struct epitem *epi)
{
	struct file *tf = epi->file;

	ep_unregister_pollwait(epi);
	if (list_linked(&epi->rdllink))
		list_del(&epi->rdllink);
	list_del(&epi->link);
	list_del(&epi->fllink);
	if (list_empty(&tf->ep_watchers->items)) {
		free(tf->ep_watchers);
		tf->ep_watchers = NULL;
	}
	free(epi);
}

static int ep_insert(struct task *t, struct eventpoll *ep, struct file *tf, int fd,
		     const struct k_epoll_event *ev)
{
	struct epitem *epi = xzalloc(sizeof(*epi));

	list_init(&epi->rdllink);
	list_init(&epi->pwqs);
	epi->ep = ep;
	epi->file = tf;
	epi->fd = fd;
	epi->events = ev->events;
	epi->data = ev->data;
	epi->pt.qproc = ep_ptable_queue_proc;
	if (!tf->ep_watchers) {
		tf->ep_watchers = xzalloc(sizeof(*tf->ep_watchers));
		tf->ep_watchers->release = eventpoll_release;
		list_init(&tf->ep_watchers->items);
	}
	list_add_tail(&epi->fllink, &tf->ep_watchers->items);
	list_add_tail(&epi->link, &ep->items);
	if (ep_item_poll(epi, t)) {
		ep_mark_ready(epi);
		ep_wake(ep);
	}
	return 0;
}

static int ep_modify(struct task *t, struct epitem *epi, const struct k_epoll_event *ev)
{
	epi->events = ev->events;
	epi->data = ev->data;
	/* A change of interest can make the item ready at once: it is then
	 * reported once, edge-triggered or not. */
	if (ep_item_poll(epi, t)) {
		ep_mark_ready(epi);
		ep_wake(epi->ep);
	}
	return 0;
}

/* ---- nesting ---- */

static unsigned int ep_gen;

/* The longest chain of epolls below ep; *loop when target is among them. */
static int ep_depth_down(struct eventpoll *ep, const struct eventpoll *target, bool *loop)
{
	struct epitem *epi;
	int depth = 0;

	if (ep->gen == ep_gen)
		return ep->depth;
	ep->gen = ep_gen;
	ep->depth = 0;
	list_for_each_entry(epi, &ep->items, link) {
		if (!file_is_epoll(epi->file))
			continue;
		struct eventpoll *inner = epi->file->priv;
		if (inner == target)
			*loop = true;
		depth = MAX(depth, 1 + ep_depth_down(inner, target, loop));
		if (*loop)
			break;
	}
	ep->depth = depth;
	return depth;
}

/* The longest chain of epolls above ep. */
static int ep_depth_up(struct eventpoll *ep, int level)
{
	struct epitem *epi;
	int depth = 0;

	if (!ep->file->ep_watchers || level > EP_MAX_NESTS)
		return 0;
	list_for_each_entry(epi, &ep->file->ep_watchers->items, fllink)
		depth = MAX(depth, 1 + ep_depth_up(epi->ep, level + 1));
	return depth;
}

/* ep_loop_check(): may `to` go inside `ep`? */
static bool ep_loop_ok(struct eventpoll *ep, struct eventpoll *to)
{
	bool loop = false;

	ep_gen++;
	int down = ep_depth_down(to, ep, &loop);
	if (loop || down > EP_MAX_NESTS)
		return false;
	return down + 1 + ep_depth_up(ep, 0) <= EP_MAX_NESTS;
}

/* ---- epoll_ctl ---- */

/* file_can_poll(): whether Linux's file would have a poll method. Some
 * of the sentry's files answer poll(2) for files that have none on Linux
 * (which poll(2) treats as always ready): regular files and directories
 * of disk filesystems, and the memory devices (/dev/null, zero, full...)
 * except random and urandom and kmsg, whether devfs's or the host's. */
static bool file_can_poll(struct file *tf)
{
	struct stat st;

	if (!tf->ops || !tf->ops->poll)
		return false;
	/* Message queues are regular files with a poll method. */
	if (mqueue_from_file(tf))
		return true;
	if (vfs_fstat(tf, &st) < 0)
		return true;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return false;
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1) {
		unsigned int minor = minor(st.st_rdev);
		return minor == 8 || minor == 9 || minor == 11;
	}
	return true;
}

int epoll_ctl_file(struct task *t, struct file *epf, int op, int fd, struct file *tf,
		   struct k_epoll_event *ev)
{
	struct eventpoll *ep;
	struct epitem *epi;
	bool has_event = op != EPOLL_CTL_DEL;

	if (!file_can_poll(tf))
		return -EPERM;
	if (has_event && (ev->events & EPOLLWAKEUP) && !cred_capable(t->cred, CAP_BLOCK_SUSPEND))
		ev->events &= ~EPOLLWAKEUP;
	if (epf == tf || !file_is_epoll(epf))
		return -EINVAL;
	/* EPOLLEXCLUSIVE joins the wake-up queues at ADD only, and not
	 * nested. */
	if (has_event && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD &&
		    (file_is_epoll(tf) || (ev->events & ~EPOLLEXCLUSIVE_OK_BITS)))
			return -EINVAL;
	}
	ep = epf->priv;
	if (op == EPOLL_CTL_ADD && file_is_epoll(tf) && !ep_loop_ok(ep, tf->priv))
		return -ELOOP;

	epi = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi)
			return -EEXIST;
		ev->events |= EPOLLERR | EPOLLHUP;
		return ep_insert(t, ep, tf, fd, ev);
	case EPOLL_CTL_DEL:
		if (!epi)
			return -ENOENT;
		ep_remove(epi);
		return 0;
	case EPOLL_CTL_MOD:
		if (!epi)
			return -ENOENT;
		if (epi->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		ev->events |= EPOLLERR | EPOLLHUP;
		return ep_modify(t, epi, ev);
	default:
		return -EINVAL;
	}
}

/* ---- the epoll file ---- */

static unsigned int ep_eventpoll_poll(struct file *f, struct task *t, unsigned int events)
{
	struct eventpoll *ep = f->priv;
	unsigned int mask = ep_ready(ep, t) ? POLLIN | POLLRDNORM : 0;

	if (t && !(mask & events))
		task_wait_on(t, &ep->poll_wq);
	return mask;
}

static void ep_eventpoll_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	struct epitem *epi, *n;

	list_for_each_entry_safe(epi, n, &ep->items, link)
		ep_remove(epi);
	/* Tasks of another process sharing the fd table may still wait. */
	wq_wake_all(&ep->wq);
	wq_wake_all(&ep->poll_wq);
	free(ep);
}

static int ep_eventpoll_dname(struct file *f, char *buf, size_t len)
{
	return snprintf(buf, len, "anon_inode:[eventpoll]");
}

static const struct file_ops eventpoll_fops = {
	.poll = ep_eventpoll_poll,
	.getattr = anon_inode_getattr,
	.release = ep_eventpoll_release,
	.dname = ep_eventpoll_dname,
};

int epoll_create_file(struct file **out)
{
	struct eventpoll *ep = xzalloc(sizeof(*ep));

	list_init(&ep->items);
	list_init(&ep->rdllist);
	wq_init(&ep->wq);
	wq_init(&ep->poll_wq);
	*out = file_alloc(&eventpoll_fops, O_RDWR, ep);
	ep->file = *out;
	return 0;
}

void eventpoll_release(struct file *f)
{
	/* ep_remove frees the list with its last item. */
	while (f->ep_watchers)
		ep_remove(list_first_entry(&f->ep_watchers->items, struct epitem, fllink));
}
