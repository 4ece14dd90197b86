/* Private structures of the ptrace platform. */
#ifndef PLATFORM_PTRACE_IMPL_H
#define PLATFORM_PTRACE_IMPL_H

#include <stdint.h>
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

struct platform_as {
	struct platform *p;
	pid_t pid;               /* the stub process */
	struct ptrace_ctx *ctx;  /* its one thread, once handed out */
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
/* Runs one syscall in a stopped stub; returns its result (-errno). */
long stub_syscall(struct platform *p, pid_t pid, long nr, uint64_t a1, uint64_t a2, uint64_t a3,
		  uint64_t a4, uint64_t a5, uint64_t a6);
void stub_kill(pid_t pid);

#endif
