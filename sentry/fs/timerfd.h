/* timerfd: a timer whose expirations are read as a count (Linux
 * fs/timerfd.c). Expiry runs on the kernel's ktimers in CLOCK_MONOTONIC;
 * CLOCK_REALTIME absolute times are converted when the timer is set (the
 * sandbox cannot set its clock, so TFD_TIMER_CANCEL_ON_SET never fires). */
#ifndef SENTRY_FS_TIMERFD_H
#define SENTRY_FS_TIMERFD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct file;
struct task;

/* clock: CLOCK_REALTIME, MONOTONIC, BOOTTIME or their _ALARM forms
 * (checked by the caller); flags may hold O_NONBLOCK. */
int timerfd_create_file(clockid_t clock, int flags, struct file **out);
bool file_is_timerfd(const struct file *f);
/* Values in ns; flags are TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET. */
void timerfd_settime_file(struct file *f, int flags, int64_t value, int64_t interval,
			  int64_t *old_value, int64_t *old_interval);
void timerfd_gettime_file(struct file *f, int64_t *value, int64_t *interval);

#endif
