/* Small helpers shared by every part of the one binary: cleanup attributes
 * in the style of crun's libcrun, and a few macros. */
#ifndef SANDBOXRUN_UTIL_H
#define SANDBOXRUN_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership out of a cleanup variable. */
#define steal_pointer(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })
#define steal_fd(fdp) ({ int _fd = *(fdp); *(fdp) = -1; _fd; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (a) - 1, (a))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Allocation failure is not a recoverable condition for us. */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* write(2)/read(2) the whole buffer, retrying on EINTR; 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
/* Reads a whole file (from an fd) into a NUL-terminated buffer. */
int read_all_fd(int fd, char **out, size_t *len);

/* Ends the process the way a process with wait status ws ended: exits
 * with its code, or dies of its signal (no core dump; 128+N if the signal
 * cannot kill). Waiters that stand for a process on the host use it. */
void __attribute__((noreturn)) exit_like_status(int ws);

/* Monotonic and realtime clocks in nanoseconds. */
int64_t now_mono_ns(void);
int64_t now_real_ns(void);

#endif
