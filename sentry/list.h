/* Intrusive doubly linked lists, after the Linux kernel's list.h. */
#ifndef SENTRY_LIST_H
#define SENTRY_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "runsc/util.h"

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }

static inline void __list_add(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *h) { __list_add(n, h, h->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *h) { __list_add(n, h->prev, h); }
static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e->prev = e;
}
/* True if e is linked (list_del and list_init leave it self-linked). */
static inline bool list_linked(const struct list_head *e) { return e->next != e; }

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)
#define list_for_each_entry(pos, h, member)                                    \
	for (pos = list_entry((h)->next, __typeof__(*pos), member);            \
	     &pos->member != (h);                                              \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, h, member)                            \
	for (pos = list_entry((h)->next, __typeof__(*pos), member),            \
	    n = list_entry(pos->member.next, __typeof__(*pos), member);        \
	     &pos->member != (h);                                              \
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

#endif
