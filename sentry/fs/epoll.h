/* epoll (Linux fs/eventpoll.c): interest lists of (file, fd) pairs,
 * level- and edge-triggered readiness, EPOLLONESHOT, EPOLLEXCLUSIVE, and
 * epoll files inside epoll files.
 *
 * Each watched file is polled through its file_ops->poll with the asking
 * task's poll_table pointed at the item (sentry/kernel.h): the wait
 * queues the file would queue the task on get a persistent callback entry
 * instead, which puts the item on the ready list when woken. Files wake
 * with the events the change is about (wq_wake_key) so that an
 * edge-triggered item only fires for its own events; a file that wakes
 * without a key makes its edge-triggered watchers fire on any change.
 *
 * Files whose queue wake-ups are one-shot (host fds: each poll arms one
 * host readiness watch) are covered by re-polling, before each blocking
 * wait, the items still on the ready list: an edge-triggered item that was
 * reported stays there, unreported, until a poll finds it not ready,
 * which arms the next watch. */
#ifndef SENTRY_FS_EPOLL_H
#define SENTRY_FS_EPOLL_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct task;

/* struct epoll_event of x86_64 (packed). */
struct k_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

#define EP_MAX_NESTS 4

/* A new epoll file (refcount 1). */
int epoll_create_file(struct file **out);
bool file_is_epoll(const struct file *f);
/* epoll_ctl on ep (an epoll file) for tf at fd: op is EPOLL_CTL_*; ev is
 * ignored for EPOLL_CTL_DEL. The checks of the file pair (EINVAL, EPERM,
 * ELOOP) are made here. */
int epoll_ctl_file(struct task *t, struct file *ep, int op, int fd, struct file *tf,
		   struct k_epoll_event *ev);
/* ep_send_events(): copies at most max ready events to the user array
 * at uevents; returns how many (0: none ready), or -EFAULT if not even
 * the first could be copied (the event stays ready). Never blocks. */
int epoll_send_events(struct task *t, struct file *ep, uint64_t uevents, int max);
/* Queues t to be woken when ep may have events. */
void epoll_wait_on(struct task *t, struct file *ep);

/* file_put (through f->ep_watchers->release): the last reference to f
 * is going; drops every item watching it. */
void eventpoll_release(struct file *f);

#endif
