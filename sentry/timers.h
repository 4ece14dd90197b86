/* Process timers: setitimer/alarm (ITIMER_REAL, ITIMER_VIRTUAL,
 * ITIMER_PROF) and POSIX timers (timer_create), with Linux 6.x semantics.
 *
 * Wall-clock timers run on the kernel's ktimers (CLOCK_MONOTONIC
 * deadlines; a CLOCK_REALTIME/TAI expiry is converted when the timer is
 * armed: the sandbox cannot set the clock, and a step of the host clock
 * is not followed). CPU-time timers (ITIMER_VIRTUAL/PROF, timers on
 * CPU-time clocks) are checked by a per-process ktimer that samples the
 * process's CPU time (tg_update_cputime) no sooner than the CPU time left
 * could possibly be used.
 *
 * Periodic POSIX timers and ITIMER_REAL re-arm when their signal is
 * dequeued (Linux's posixtimer_deliver_signal / posixtimer_rearm_itimer),
 * which is when the overrun count is settled. A POSIX timer's signal that
 * is still queued when the timer is re-set or deleted is dropped at
 * dequeue. The state hangs off thread_group.timers: fork does not inherit
 * it, exec deletes the POSIX timers only, exit deletes everything. */
#ifndef SENTRY_TIMERS_H
#define SENTRY_TIMERS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sentry/kernel.h"

#define KITIMER_REAL 0
#define KITIMER_VIRTUAL 1
#define KITIMER_PROF 2

/* An interval in nanoseconds: value 0 = disarmed. */
struct ktimer_spec {
	int64_t value;
	int64_t interval;
};

/* getitimer/setitimer; which is KITIMER_*. old may be NULL. */
int itimer_get(struct thread_group *tg, int which, struct ktimer_spec *cur);
int itimer_set(struct thread_group *tg, int which, const struct ktimer_spec *new,
	       struct ktimer_spec *old);

/* The kernel's struct sigevent (64 bytes on x86_64). */
struct k_sigevent {
	uint64_t sigev_value;
	int32_t sigev_signo;
	int32_t sigev_notify;
	int32_t sigev_tid;
	int32_t pad[11];
};
_Static_assert(sizeof(struct k_sigevent) == 64, "sigevent size");

/* timer_create: ev NULL means SIGEV_SIGNAL/SIGALRM with the id as value.
 * On success *id is the new timer's id. */
int ptimer_create(struct task *t, clockid_t clock, const struct k_sigevent *ev, int *id);
/* Undoes a create whose id could not be copied out. */
void ptimer_destroy(struct task *t, int id);
int ptimer_settime(struct task *t, int id, int flags, const struct ktimer_spec *new,
		   struct ktimer_spec *old);
int ptimer_gettime(struct task *t, int id, struct ktimer_spec *cur);
int ptimer_getoverrun(struct task *t, int id);
int ptimer_delete(struct task *t, int id);

/* Lifecycle hooks (sentry/task.c, sentry/exec.c). */
void timers_exit(struct thread_group *tg);
void timers_exec(struct thread_group *tg);

/* Signal hooks (sentry/signal.c). A dequeued signal that a POSIX timer
 * queued (cookie != 0): settles si_overrun and re-arms a periodic timer;
 * false means the signal is stale (the timer was re-set or deleted since)
 * and must be dropped. */
bool timers_signal_dequeued(struct task *t, uint64_t cookie, siginfo_t *info);
/* A timer's queued signal was flushed without being dequeued (SIG_IGN,
 * exit). */
void timers_signal_flushed(uint64_t cookie);
/* SIGALRM was dequeued from the process's queue: ITIMER_REAL re-arms. */
void itimer_real_dequeued(struct thread_group *tg);

#endif
