/* --strace: one debug-log line per emulated syscall with decoded arguments
 * and result. */
#ifndef SYSCALLS_STRACE_H
#define SYSCALLS_STRACE_H

#include "syscalls/syscalls.h"

void strace_log(struct task *t, const struct syscall_def *d, const struct syscall_args *a, long r);
/* "ENOENT" for 2; NULL for unknown values. */
const char *errno_name(int e);

#endif
