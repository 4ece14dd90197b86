/* Task internals shared by kernel.c, task.c, exec.c and the process
 * syscalls; not for filesystem or signal code. */
#ifndef SENTRY_TASK_IMPL_H
#define SENTRY_TASK_IMPL_H

#include "sentry/kernel.h"

/* A platform stop of t's context. */
void task_handle_stop(struct task *t, const struct platform_stop *stop);
/* Does the work the kernel owes a runnable task. */
void task_run(struct task *t);

/* Allocates a task in a new thread group with a fresh pid. */
struct task *task_alloc_process(struct thread_group *parent);
/* Allocates a new thread in tg with a fresh tid. */
struct task *task_alloc_thread(struct thread_group *tg);
/* Frees exited non-leader threads (after the syscall path is done). */
void task_free_dead(void);
/* execve in a threaded process: the other threads exit and t becomes the
 * leader, taking its pid (Linux's de_thread). */
int task_de_thread(struct task *t);
/* Binds t to a new context of its mm's address space. */
int task_attach_context(struct task *t);
/* Banks the CPU time of t's address space before it goes (exit: into the
 * process's dead-thread total; exec: into t's pre-exec total). */
void task_bank_cputime(struct task *t, bool exiting);
/* Frees a reaped zombie process and its leader. */
void tg_release(struct thread_group *tg);

/* exec.c: loads path into t (kernel strings). On failure before the point
 * of no return t is unchanged; after it, t is killed. */
int do_execve(struct task *t, const char *path, char *const argv[], char *const envp[]);

#endif
