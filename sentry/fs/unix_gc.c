/* Garbage collection of AF_UNIX sockets kept alive only by messages in
 * flight (net/unix/garbage.c). Passing a socket's fd over a socket can
 * make a cycle: socket A's queue holds a reference to A's own file (or to
 * B's, whose queue holds A's), so closing every descriptor never releases
 * them. The collector, run when a unix socket is released while files are
 * in flight, finds them:
 *
 *  1. candidates: sockets whose every file reference is an in-flight one;
 *  2. each candidate's queue (and its embryos' queues, for a listener)
 *     takes one reference off every candidate it holds;
 *  3. candidates with references left are reachable from outside, and so
 *     is everything in their queues, transitively;
 *  4. the rest is garbage: their queues are emptied, which drops the
 *     references that kept them, and they are released. */
#include <stdlib.h>

#include "runsc/util.h"
#include "sentry/fs/unix_internal.h"
#include "sentry/vfs.h"

int unix_tot_inflight;
static bool gc_running;

void unix_inflight(struct scm_cookie *scm, int delta)
{
	for (int i = 0; i < scm->nfp; i++) {
		struct unix_sock *u = unix_sock_of_file(scm->fp[i]);

		if (u) {
			u->inflight += delta;
			unix_tot_inflight += delta;
		}
	}
}

typedef bool (*gc_fn)(struct unix_sock *child);

static bool scan_queue(struct list_head *q, gc_fn fn)
{
	struct unix_skb *skb;
	bool any = false;

	list_for_each_entry(skb, q, link) {
		for (int i = 0; i < skb->scm.nfp; i++) {
			struct unix_sock *c = unix_sock_of_file(skb->scm.fp[i]);

			if (c && c->gc_candidate)
				any |= fn(c);
		}
		if (skb->embryo)
			any |= scan_queue(&skb->embryo->queue, fn);
	}
	return any;
}

static bool dec_ref(struct unix_sock *c)
{
	c->gc_refs--;
	return false;
}

static bool mark_alive(struct unix_sock *c)
{
	if (c->gc_alive)
		return false;
	c->gc_alive = true;
	return true;
}

void unix_gc(void)
{
	struct unix_sock *u, **garbage = NULL;
	size_t n = 0, cap = 0;
	bool changed;

	if (gc_running)
		return;
	gc_running = true;

	list_for_each_entry(u, &unix_all_socks, all_link) {
		u->gc_candidate = u->sock.file && u->inflight > 0 && u->sock.file->refcount == u->inflight;
		u->gc_alive = false;
		u->gc_refs = u->gc_candidate ? u->sock.file->refcount : 0;
	}
	list_for_each_entry(u, &unix_all_socks, all_link)
		if (u->gc_candidate)
			scan_queue(&u->queue, dec_ref);
	list_for_each_entry(u, &unix_all_socks, all_link)
		if (u->gc_candidate && u->gc_refs > 0)
			u->gc_alive = true;
	do {
		changed = false;
		list_for_each_entry(u, &unix_all_socks, all_link)
			if (u->gc_candidate && u->gc_alive)
				changed |= scan_queue(&u->queue, mark_alive);
	} while (changed);

	/* Hold the garbage files so nothing is released while queues are
	 * being emptied; the last puts then release the sockets. */
	list_for_each_entry(u, &unix_all_socks, all_link) {
		if (!u->gc_candidate || u->gc_alive)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			garbage = xrealloc(garbage, cap * sizeof(*garbage));
		}
		file_get(u->sock.file);
		garbage[n++] = u;
	}
	for (size_t i = 0; i < n; i++)
		unix_purge_queue(garbage[i]);
	for (size_t i = 0; i < n; i++)
		file_put(garbage[i]->sock.file);
	free(garbage);
	gc_running = false;
}
