/* The buffer behind a pipe, kept free of kernel objects so it can be
 * unit-tested on its own. It has Linux's shape, because capacity and
 * atomicity are visible to programs: a ring of slots, each one page
 * holding a run of bytes (offset, length). A write first tops up the last
 * page with its sub-page remainder when that fits, then fills fresh pages;
 * a reader empties slots from the front. So a write of at most a page
 * either fits whole or writes nothing (PIPE_BUF atomicity), "full" means
 * every slot is in use, and a default pipe holds between 16 small writes
 * and 64 KiB. Pages are allocated on demand and freed when read, keeping
 * one spare. */
#ifndef SENTRY_FS_PIPE_BUF_H
#define SENTRY_FS_PIPE_BUF_H

#include <stdbool.h>
#include <stddef.h>

#define PIPE_PAGE_SIZE 4096

struct pipe_slot {
	char *page;
	unsigned int off, len;  /* the data: page[off, off+len) */
};

struct pipe_buf {
	struct pipe_slot *slots;
	unsigned int nslots;    /* capacity in pages */
	unsigned int head;      /* index of the oldest slot in use */
	unsigned int used;      /* slots in use */
	size_t bytes;           /* data stored */
	char *spare;            /* a free page kept for the next write */
};

void pipe_buf_init(struct pipe_buf *b, unsigned int nslots);
void pipe_buf_destroy(struct pipe_buf *b);
static inline size_t pipe_buf_len(const struct pipe_buf *b) { return b->bytes; }
static inline bool pipe_buf_empty(const struct pipe_buf *b) { return b->used == 0; }
static inline bool pipe_buf_full(const struct pipe_buf *b) { return b->used >= b->nslots; }
/* One write: stores what fits by the rules above; returns the count. */
size_t pipe_buf_write(struct pipe_buf *b, const void *src, size_t n);
/* Removes up to n bytes into dst; returns how many there were. */
size_t pipe_buf_read(struct pipe_buf *b, void *dst, size_t n);
/* Changes the number of slots, keeping the contents: -EBUSY if more
 * slots are in use (F_SETPIPE_SZ). */
int pipe_buf_resize(struct pipe_buf *b, unsigned int nslots);
/* Copies up to n bytes starting off bytes in, leaving the buffer as it
 * is (tee, and splice out of a pipe before the other end took them). */
size_t pipe_buf_peek(const struct pipe_buf *b, void *dst, size_t off, size_t n);
/* Bytes a write can surely store whole: the free slots' pages. */
static inline size_t pipe_buf_room(const struct pipe_buf *b)
{
	return (size_t)(b->nslots - b->used) * PIPE_PAGE_SIZE;
}

#endif
