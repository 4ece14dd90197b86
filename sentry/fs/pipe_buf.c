/* Pipe buffer: see pipe_buf.h (Linux's pipe_write/pipe_read). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runsc/util.h"
#include "sentry/fs/pipe_buf.h"

void pipe_buf_init(struct pipe_buf *b, unsigned int nslots)
{
	memset(b, 0, sizeof(*b));
	b->nslots = nslots;
	b->slots = xzalloc(nslots * sizeof(*b->slots));
}

void pipe_buf_destroy(struct pipe_buf *b)
{
	for (unsigned int i = 0; i < b->used; i++)
		free(b->slots[(b->head + i) % b->nslots].page);
	free(b->slots);
	free(b->spare);
	memset(b, 0, sizeof(*b));
}

static struct pipe_slot *slot_at(struct pipe_buf *b, unsigned int i)
{
	return &b->slots[(b->head + i) % b->nslots];
}

size_t pipe_buf_write(struct pipe_buf *b, const void *src, size_t n)
{
	const char *s = src;
	size_t done = 0, chars = n % PIPE_PAGE_SIZE;

	/* Small writes merge into the last page; that also leaves the rest
	 * of a large write page-aligned. */
	if (chars && b->used) {
		struct pipe_slot *last = slot_at(b, b->used - 1);

		if (last->off + last->len + chars <= PIPE_PAGE_SIZE) {
			memcpy(last->page + last->off + last->len, s, chars);
			last->len += chars;
			done = chars;
		}
	}
	while (done < n && !pipe_buf_full(b)) {
		struct pipe_slot *sl = slot_at(b, b->used);
		size_t c = MIN(n - done, PIPE_PAGE_SIZE);

		sl->page = b->spare ? steal_pointer(&b->spare) : xmalloc(PIPE_PAGE_SIZE);
		sl->off = 0;
		sl->len = c;
		memcpy(sl->page, s + done, c);
		b->used++;
		done += c;
	}
	b->bytes += done;
	return done;
}

size_t pipe_buf_read(struct pipe_buf *b, void *dst, size_t n)
{
	char *d = dst;
	size_t done = 0;

	while (done < n && b->used) {
		struct pipe_slot *sl = slot_at(b, 0);
		size_t c = MIN(n - done, sl->len);

		if (d) /* NULL: discard (pipe_consume) */
			memcpy(d + done, sl->page + sl->off, c);
		sl->off += c;
		sl->len -= c;
		done += c;
		if (sl->len == 0) {
			if (b->spare)
				free(sl->page);
			else
				b->spare = sl->page;
			sl->page = NULL;
			b->head = (b->head + 1) % b->nslots;
			b->used--;
		}
	}
	b->bytes -= done;
	return done;
}

size_t pipe_buf_peek(const struct pipe_buf *b, void *dst, size_t off, size_t n)
{
	char *d = dst;
	size_t done = 0;

	for (unsigned int i = 0; i < b->used && done < n; i++) {
		const struct pipe_slot *sl = &b->slots[(b->head + i) % b->nslots];
		size_t c;

		if (off >= sl->len) {
			off -= sl->len;
			continue;
		}
		c = MIN(n - done, sl->len - off);
		memcpy(d + done, sl->page + sl->off + off, c);
		off = 0;
		done += c;
	}
	return done;
}

int pipe_buf_resize(struct pipe_buf *b, unsigned int nslots)
{
	struct pipe_slot *ns;

	if (nslots == 0 || b->used > nslots)
		return -EBUSY;
	ns = xzalloc(nslots * sizeof(*ns));
	for (unsigned int i = 0; i < b->used; i++)
		ns[i] = *slot_at(b, i);
	free(b->slots);
	b->slots = ns;
	b->nslots = nslots;
	b->head = 0;
	return 0;
}
