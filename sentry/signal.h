/* Signal generation and delivery, with Linux semantics.
 *
 * Generation queues a signal on a thread (tgkill) or its process (kill) and
 * wakes a thread that can take it (interrupting a running context through
 * the platform, or waking a blocked one). Delivery happens when the kernel
 * is about to resume a task into application code: signal_deliver() then
 * settles the result of an interrupted syscall (ERESTART* rules), and
 * either builds an rt_sigframe on the user stack (Linux x86_64 layout,
 * including the XSAVE FPU state), or takes the default action. */
#ifndef SENTRY_SIGNAL_H
#define SENTRY_SIGNAL_H

#include <signal.h>
#include <stdbool.h>

#include "sentry/kernel.h"

struct sighand *sighand_new(void);
struct sighand *sighand_copy(const struct sighand *sh);
void sighand_put(struct sighand *sh);
/* execve: handled signals go back to SIG_DFL, ignored stay ignored. */
void sighand_reset_for_exec(struct sighand *sh);

void sigpending_init(struct sigpending *p);
void sigpending_flush(struct sigpending *p);

/* Sends sig to one thread (tkill/tgkill semantics) or to its whole process
 * (kill semantics). info may be NULL (SI_KERNEL). Returns 0 or -errno. */
int signal_send_thread(struct task *t, int sig, const siginfo_t *info);
int signal_send_group(struct thread_group *tg, int sig, const siginfo_t *info);
/* kill(2) permission and target rules for pid > 0, 0, -1, < -1. */
int signal_kill(struct task *sender, pid_t pid, int sig);

/* True when t has a pending signal it does not block. */
bool signal_pending(struct task *t);

/* Before resuming t into application code: applies the ERESTART* rules to
 * a syscall result in t->sys.result (already stored in regs.rax) and
 * delivers at most one signal. May end the task (default action) or stop
 * it; then t->state is no longer RUNNABLE and the caller must not resume. */
void signal_deliver(struct task *t);

/* A synchronous fault from the platform: forces sig on t (unblocked,
 * unignored, as force_sig_fault). */
void signal_force_fault(struct task *t, int sig, int code, uint64_t addr, int trapno);

/* SIGCHLD and wakeups for the parent of tg when a child exits, stops or
 * continues (why: CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED,
 * CLD_CONTINUED). */
void signal_notify_parent(struct thread_group *tg, int why, int status);

/* True when the parent ignores SIGCHLD (SIG_IGN) or set SA_NOCLDWAIT:
 * its exited children are reaped at once. */
bool signal_parent_autoreaps(struct thread_group *parent);

/* A POSIX timer's signal (Linux's posixtimer_send_sigqueue): info is
 * complete (SI_TIMER); target NULL sends to the process. cookie names the
 * timer to sentry/timers.c when the signal is dequeued or flushed. Returns
 * 1 if queued, 0 if the signal is ignored or the target is exiting. */
int signal_send_timer(struct thread_group *tg, struct task *target, const siginfo_t *info,
		      uint64_t cookie);

/* Default action kinds. */
bool sig_kernel_ignore(int sig);   /* default is ignore */
bool sig_kernel_stop(int sig);     /* default is stop */
bool sig_kernel_coredump(int sig); /* default is core */

#endif
