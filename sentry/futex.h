/* Futexes: wait queues keyed by user addresses. */
#ifndef SENTRY_FUTEX_H
#define SENTRY_FUTEX_H

#include <stdint.h>

struct task;
struct mm;

/* The futex(2) syscall body (op with flags, as passed). */
long futex_syscall(struct task *t, uint64_t uaddr, int op, uint32_t val, uint64_t utime,
		   uint64_t uaddr2, uint32_t val3);
/* Wakes up to n waiters on (mm, uaddr): clear_child_tid on thread exit. */
int futex_wake_addr(struct mm *mm, uint64_t uaddr, int n);
/* Thread exit: leaves a futex queue, walks the robust list. */
void futex_task_exit(struct task *t);

#endif
