/* Fid allocation: lowest free index first (like file descriptors), so a
 * sentry that walks and clunks keeps the table small. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "gofer/fidtable.h"
#include "gofer/protocol.h"
#include "runsc/util.h"

static void close_if_open(int fd)
{
	if (fd >= 0)
		close(fd);
}

struct gofer_fid *gofer_fid_new(void)
{
	struct gofer_fid *f = xzalloc(sizeof(*f));
	f->fd = -1;
	f->parent_fd = -1;
	f->dir_fd = -1;
	return f;
}

void gofer_fid_free(struct gofer_fid *f)
{
	if (!f)
		return;
	close_if_open(f->fd);
	close_if_open(f->parent_fd);
	close_if_open(f->dir_fd);
	free(f->name);
	for (struct gofer_fid_name *a = f->aliases, *next; a; a = next) {
		next = a->next;
		close_if_open(a->parent_fd);
		free(a->name);
		free(a);
	}
	free(f);
}

void gofer_fidtable_init(struct gofer_fidtable *t)
{
	memset(t, 0, sizeof(*t));
}

void gofer_fidtable_for_each(struct gofer_fidtable *t, void (*fn)(struct gofer_fid *f, void *arg),
			     void *arg)
{
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->slots[i])
			fn(t->slots[i], arg);
}

void gofer_fidtable_destroy(struct gofer_fidtable *t)
{
	for (uint32_t i = 0; i < t->cap; i++)
		gofer_fid_free(t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

int gofer_fidtable_insert(struct gofer_fidtable *t, struct gofer_fid *f, uint32_t *fid)
{
	uint32_t i;

	if (t->count >= GOFER_FID_MAX)
		return -ENFILE;
	for (i = t->hint; i < t->cap; i++)
		if (!t->slots[i])
			break;
	if (i == t->cap) {
		uint32_t ncap = t->cap ? MIN(t->cap * 2, GOFER_FID_MAX) : 64;
		t->slots = xrealloc(t->slots, ncap * sizeof(*t->slots));
		memset(t->slots + t->cap, 0, (ncap - t->cap) * sizeof(*t->slots));
		t->cap = ncap;
	}
	t->slots[i] = f;
	t->hint = i + 1;
	t->count++;
	*fid = i;
	return 0;
}

struct gofer_fid *gofer_fidtable_lookup(struct gofer_fidtable *t, uint32_t fid)
{
	return fid < t->cap ? t->slots[fid] : NULL;
}

int gofer_fidtable_remove(struct gofer_fidtable *t, uint32_t fid)
{
	if (fid >= t->cap || !t->slots[fid])
		return -EBADF;
	gofer_fid_free(t->slots[fid]);
	t->slots[fid] = NULL;
	t->count--;
	if (fid < t->hint)
		t->hint = fid;
	return 0;
}
