/* eventfd: a 64-bit counter read and written 8 bytes at a time, with
 * semaphore mode (Linux fs/eventfd.c). */
#ifndef SENTRY_FS_EVENTFD_H
#define SENTRY_FS_EVENTFD_H

#include <stdbool.h>
#include <stdint.h>

struct file;

#define KEFD_SEMAPHORE 1

/* A new eventfd file (refcount 1). flags: KEFD_SEMAPHORE, O_NONBLOCK. */
int eventfd_create(uint64_t count, int flags, struct file **out);
bool file_is_eventfd(const struct file *f);

#endif
