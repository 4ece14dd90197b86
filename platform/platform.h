/* The platform: how application code runs and how the sentry regains control.
 *
 * The sentry is single-threaded and event driven. It resumes any number of
 * application contexts (they run concurrently on the host), then waits on
 * platform_event_fd() together with its other event sources, and collects
 * stopped contexts with next_stop(). A context stops when the application
 * makes a syscall, faults, receives a host signal, or is interrupted.
 *
 * Two implementations: ptrace (PTRACE_SYSEMU on stub processes) and kvm
 * (application in guest ring 3). Both map the same memory file at
 * application addresses, so the sentry's mm code is platform independent. */
#ifndef SANDBOXRUN_PLATFORM_H
#define SANDBOXRUN_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

/* Application address space limits (the sentry's TASK_SIZE). The top of
 * the user half is kept for the platform's own stub code. */
#define APP_MIN_ADDR   0x10000ULL
#define APP_MAX_ADDR   0x7fff00000000ULL

struct platform;
struct platform_as;
struct platform_context;

enum platform_stop_reason {
	PLATFORM_STOP_SYSCALL = 1, /* regs.orig_rax is the syscall number */
	PLATFORM_STOP_FAULT,       /* synchronous fault: signo/code/addr set */
	PLATFORM_STOP_SIGNAL,      /* an asynchronous host signal hit the stub */
	PLATFORM_STOP_INTERRUPT,   /* the sentry asked via ctx_interrupt */
	PLATFORM_STOP_DIED,        /* the host process is gone (status set) */
};

struct platform_stop {
	enum platform_stop_reason reason;
	int signo;      /* FAULT/SIGNAL */
	int si_code;    /* FAULT */
	uint64_t addr;  /* FAULT: faulting address (si_addr) */
	int trapno;     /* FAULT: x86 trap number if known, else -1 */
	int status;     /* DIED: host wait status */
};

/* Registers and FPU state of a context. The platform fills regs on every
 * stop; the sentry edits them and sets regs_dirty so the platform loads
 * them on the next resume. The extended FPU state (XSAVE layout) is
 * fetched lazily with platform_ctx_fpstate(). */
struct platform_context {
	struct platform_as *as;
	struct user_regs_struct regs;
	bool regs_dirty;
	uint8_t *fpstate;      /* XSAVE area, fpstate_len bytes */
	size_t fpstate_len;
	bool fp_valid;         /* fpstate holds the current state */
	bool fp_dirty;         /* fpstate must be loaded on resume */
	bool running;          /* resumed and not yet stopped */
	void *owner;           /* the sentry's task */
};

struct platform_config {
	int memfd;             /* the memory file all application memory lives in */
	int cpu;               /* host CPU the sentry runs on; stubs are pinned there */
};

/* One mapping of the vDSO, as /proc/PID/maps shows it ([vvar], [vdso]...).
 * It lies above APP_MAX_ADDR, outside every mm's VMAs: the application
 * cannot map, unmap or change it (EINVAL/ENOMEM as for any address past
 * its TASK_SIZE); the sentry's user copies may read it where data says. */
struct platform_vdso_area {
	uint64_t start, end;
	int prot;              /* PROT_* */
	const char *name;
	/* The area's bytes as the application sees them, for the sentry's
	 * reads on its behalf (write(2) from the vDSO, /proc/PID/mem); NULL
	 * where the sentry cannot read them (the data pages): EFAULT. */
	const void *data;
};

#define PLATFORM_VDSO_MAX_AREAS 4

struct platform_vdso {
	uint64_t ehdr;         /* the vDSO's ELF header: AT_SYSINFO_EHDR */
	int nareas;
	struct platform_vdso_area areas[PLATFORM_VDSO_MAX_AREAS]; /* by address */
};

struct platform_ops {
	const char *name;
	/* Returns 0 if this platform can work on this host, else -errno with a
	 * reason logged (e.g. no /dev/kvm). */
	int (*probe)(void);
	int (*init)(struct platform **out, const struct platform_config *cfg);
	void (*destroy)(struct platform *p);
	/* Readable when some context may have stopped. */
	int (*event_fd)(struct platform *p);

	int (*as_new)(struct platform *p, struct platform_as **out);
	void (*as_release)(struct platform_as *as);
	/* Map [addr, addr+len) to memory-file offset off with PROT_* prot.
	 * Replaces whatever was mapped there. Page aligned. */
	int (*as_map)(struct platform_as *as, uint64_t addr, uint64_t len, int prot, uint64_t off);
	int (*as_unmap)(struct platform_as *as, uint64_t addr, uint64_t len);
	int (*as_protect)(struct platform_as *as, uint64_t addr, uint64_t len, int prot);
	/* CPU time the application has used in this address space so far:
	 * user time and total (user + host kernel time on its behalf). */
	int (*as_cpu_time)(struct platform_as *as, uint64_t *user_ns, uint64_t *total_ns);

	/* The first context of an address space is its first thread. */
	int (*ctx_new)(struct platform_as *as, struct platform_context **out);
	void (*ctx_release)(struct platform_context *ctx);
	/* Start running until the next stop; non-blocking. */
	int (*ctx_resume)(struct platform_context *ctx);
	/* Ask a running context to stop soon (reported as INTERRUPT). */
	int (*ctx_interrupt)(struct platform_context *ctx);
	/* Fetch FPU state into ctx->fpstate (no-op if fp_valid). */
	int (*ctx_fetch_fpstate)(struct platform_context *ctx);

	/* Collect one stopped context: 1 with *ctx and *stop set, 0 if none is
	 * pending now, -errno on failure. Never blocks. */
	int (*next_stop)(struct platform *p, struct platform_context **ctx, struct platform_stop *stop);

	/* The vDSO every address space of this platform has at the same
	 * place (the time fast path, docs/architecture.md "Time"), or NULL
	 * if none: then no AT_SYSINFO_EHDR is passed and libc makes
	 * syscalls. Optional (NULL op: none). */
	const struct platform_vdso *(*vdso)(struct platform *p);
};

extern const struct platform_ops platform_ptrace_ops;
extern const struct platform_ops platform_kvm_ops;

/* By name ("ptrace", "kvm"); NULL if unknown. */
const struct platform_ops *platform_lookup(const char *name);

#endif
