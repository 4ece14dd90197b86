/* Private structures of the ptrace platform. */
#ifndef PLATFORM_PTRACE_IMPL_H
#define PLATFORM_PTRACE_IMPL_H

#include <stdint.h>
#include <sched.h>
#include <sys/types.h>

#include "platform/platform.h"

/* The memory file's fd number inside every stub. */
#define STUB_MEMFD 3

struct ptrace_ctx;

struct platform {
	int memfd;
	int cpu;
	int sigfd;               /* signalfd for SIGCHLD: the event fd */
	uint64_t stub_addr;      /* one page: "syscall; int3" */
	void *stub_filter;       /* struct sock_fprog for the stubs' seccomp */
	size_t fpstate_len;      /* XSAVE area size of this CPU */
	/* pid -> context, open addressing (contexts are few). */
	struct ptrace_ctx **table;
	size_t table_cap, table_len;
};

/* An address space is one stub process; each application thread using it
 * is one thread of that process. The stub's main thread is handed out as
 * the first context; when it is released while other threads still run it
 * stays parked (stopped) for injections. */
struct platform_as {
	struct platform *p;
	pid_t pid;               /* the stub process (its main thread) */
	struct ptrace_ctx **ctxs;/* live contexts */
	int nctxs, ctxs_cap;
	bool main_in_use;        /* the main thread is some context */
	bool dead;
};

struct ptrace_ctx {
	struct platform_context base;
	pid_t tid;
	bool regs_clobbered;     /* the stub ran injected syscalls since the last stop */
};

/* stub.c */
int stub_init(struct platform *p);
int stub_spawn(struct platform *p, pid_t *out);
/* Runs one syscall in a stopped stub thread; returns its result (-errno).
 * For a clone, *event_msg receives the new thread's tid (else untouched). */
long stub_syscall(struct platform *p, pid_t tid, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		  uint64_t a4, uint64_t a5, uint64_t a6, unsigned long *event_msg);
/* Makes a stub thread exit(2) and reaps it. */
int stub_thread_exit(struct platform *p, pid_t tid);
/* Stops a running stub thread and waits until it is in a ptrace stop. */
int stub_stop_sync(pid_t tid);
/* Waits for a freshly cloned thread's first stop. */
int stub_wait_new_thread(pid_t tid);
void stub_kill(pid_t pid, const pid_t *threads, int nthreads);

/* The flags of the clone the sentry injects to add a thread to a stub. */
#define STUB_THREAD_CLONE_FLAGS \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

#endif
