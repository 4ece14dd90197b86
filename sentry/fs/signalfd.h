/* signalfd: reads of struct signalfd_siginfo that dequeue the reading
 * task's pending signals in the file's mask; readable while one is
 * pending. */
#ifndef SENTRY_FS_SIGNALFD_H
#define SENTRY_FS_SIGNALFD_H

#include <stdbool.h>

#include "sentry/kernel.h"

struct file;

/* A new signalfd file (refcount 1) for mask (SIGKILL/SIGSTOP are taken
 * out); flags may hold O_NONBLOCK. t is the creator. */
int signalfd_create(struct task *t, ksigset_t mask, int flags, struct file **out);
/* signalfd(fd, ...) on an existing one: -EINVAL if f is not a signalfd. */
int signalfd_set_mask(struct file *f, ksigset_t mask);
/* Where signalfd readers and pollers wait: sentry/signal.c wakes it
 * after queueing any signal (it lives there so that signal generation
 * needs nothing else of signalfd). */
extern struct waitqueue signalfd_wqh;

#endif
