/* Private structures of the ptrace platform. */
#ifndef PLATFORM_PTRACE_IMPL_H
#define PLATFORM_PTRACE_IMPL_H

#include <stdint.h>
#include <sched.h>
#include <sys/types.h>

#include "platform/platform.h"

/* The top of the user half of the host address space. */
#define STUB_USER_TOP 0x7ffffffff000ULL

/* The memory file's fd number inside every stub. */
#define STUB_MEMFD 3

struct ptrace_ctx;

/* The host's vDSO, as every stub has it (vdso.c). The host kernel maps
 * [vvar], [vvar_vclock] and [vdso] next to each other into the sentry;
 * each stub moves all of them, keeping their distances (the vDSO code
 * finds its data RIP-relatively), to the same place above APP_MAX_ADDR. */
struct stub_vdso {
	uint64_t addr;           /* where stubs have it; 0: no vDSO */
	uint64_t host;           /* where the sentry (and a fresh fork) has it */
	uint64_t len;
	uint64_t patch_off[2];   /* __vdso_getcpu (and its alias) from host */
	int npatch;
	struct platform_vdso pub;
	char names[PLATFORM_VDSO_MAX_AREAS][16];
	uint8_t *image;          /* the [vdso] image as stubs have it (patched) */
};

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
	struct stub_vdso vdso;
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

/* vdso.c */
/* Finds the host vDSO, reserves its place above APP_MAX_ADDR and checks
 * in a child that it can be moved there; leaves p->vdso.addr 0 (no vDSO
 * for the application) when anything is missing. Before confinement. */
void stub_vdso_init(struct platform *p);
/* In a freshly forked stub (async-signal-safe): moves the vDSO to its
 * place. 0 or -errno. */
int stub_vdso_relocate(const struct platform *p);
/* From the tracer, once the stub has moved it: patches its getcpu. */
int stub_vdso_patch(const struct platform *p, pid_t pid);
const struct platform_vdso *stub_vdso_info(struct platform *p);

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
