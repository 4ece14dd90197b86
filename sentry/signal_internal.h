/* Private to the signals code (sentry/signal.c, syscalls/sys_signal.c,
 * syscalls/sys_info.c, syscalls/sys_time.c): the Linux x86_64 signal frame
 * layout, FPU-state helpers that need no kernel (unit tested), and the
 * internal entry points the signal syscalls share with sentry/signal.c. */
#ifndef SENTRY_SIGNAL_INTERNAL_H
#define SENTRY_SIGNAL_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sentry/kernel.h"

/* ---- the rt_sigframe (arch/x86/include/asm/sigframe.h, uapi sigcontext) -- */

#define UC_FP_XSTATE         0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4

#define KSS_AUTODISARM (1U << 31)
#define KSS_FLAG_BITS  KSS_AUTODISARM
#define KMINSIGSTKSZ   2048

/* struct sigcontext of the x86_64 uapi (glibc's has the same layout, but
 * spelling our own keeps the offsets under our control). */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
	uint64_t eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct k_rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	siginfo_t info;
};

_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext size");
_Static_assert(offsetof(struct k_ucontext, uc_mcontext) == 40, "uc_mcontext offset");
_Static_assert(offsetof(struct k_ucontext, uc_sigmask) == 296, "uc_sigmask offset");
_Static_assert(sizeof(struct k_ucontext) == 304, "ucontext size");
_Static_assert(offsetof(struct k_rt_sigframe, info) == 312, "siginfo offset");
_Static_assert(sizeof(struct k_rt_sigframe) == 440, "rt_sigframe size");
_Static_assert(sizeof(siginfo_t) == 128, "siginfo size");

/* ---- FPU state in the frame (arch/x86/kernel/fpu/signal.c) -------------- */

#define KFP_XSTATE_MAGIC1      0x46505853U
#define KFP_XSTATE_MAGIC2      0x46505845U
#define KFP_XSTATE_MAGIC2_SIZE 4
#define FXSAVE_SIZE           512
#define FX_SW_BYTES_OFFSET    464
#define FX_MXCSR_OFFSET       24
#define FX_MXCSR_MASK_OFFSET  28
#define XSAVE_HDR_OFFSET      512
#define XSAVE_HDR_SIZE        64
#define XSAVE_MIN_SIZE        (XSAVE_HDR_OFFSET + XSAVE_HDR_SIZE)
#define XFEATURE_MASK_FPSSE   0x3ULL
#define MXCSR_DEFAULT         0x1f80
#define FCW_DEFAULT           0x37f

struct k_fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size; /* xstate_size + KFP_XSTATE_MAGIC2_SIZE */
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};
_Static_assert(sizeof(struct k_fpx_sw_bytes) == 48, "fpx_sw_bytes size");

/* x86 EFLAGS bits */
#define KX86_EFLAGS_CF 0x00000001UL
#define KX86_EFLAGS_PF 0x00000004UL
#define KX86_EFLAGS_AF 0x00000010UL
#define KX86_EFLAGS_ZF 0x00000040UL
#define KX86_EFLAGS_SF 0x00000080UL
#define KX86_EFLAGS_TF 0x00000100UL
#define KX86_EFLAGS_DF 0x00000400UL
#define KX86_EFLAGS_OF 0x00000800UL
#define KX86_EFLAGS_RF 0x00010000UL
#define KX86_EFLAGS_AC 0x00040000UL
/* The flags sigreturn may change (FIX_EFLAGS in signal.c). */
#define KFIX_EFLAGS                                                             \
	(KX86_EFLAGS_AC | KX86_EFLAGS_OF | KX86_EFLAGS_DF | KX86_EFLAGS_TF |    \
	 KX86_EFLAGS_SF | KX86_EFLAGS_ZF | KX86_EFLAGS_AF | KX86_EFLAGS_PF |    \
	 KX86_EFLAGS_CF | KX86_EFLAGS_RF)

/* Bytes the FPU state takes on the stack: the XSAVE area plus MAGIC2 when
 * it is an XSAVE (not a bare FXSAVE) area. */
static inline size_t sigframe_fp_size(size_t fp_len)
{
	if (!fp_len)
		return 0;
	return fp_len > FXSAVE_SIZE ? fp_len + KFP_XSTATE_MAGIC2_SIZE : fp_len;
}

/* get_sigframe(): from the stack pointer to use (already below the red
 * zone, or the top of the alternate stack), places the FPU state 64-byte
 * aligned, then the rt_sigframe so that the handler starts with
 * (rsp + 8) % 16 == 0, as after a call. Returns the frame address; the
 * FPU state address goes to *fp_addr (0 without FPU state). */
static inline uint64_t sigframe_place(uint64_t sp, size_t fp_len, uint64_t *fp_addr)
{
	if (fp_len) {
		sp = (sp - sigframe_fp_size(fp_len)) & ~63ULL;
		*fp_addr = sp;
	} else {
		*fp_addr = 0;
	}
	sp -= sizeof(struct k_rt_sigframe);
	return (sp & ~15ULL) - 8;
}

static inline uint32_t fx_get32(const uint8_t *buf, size_t off)
{
	uint32_t v;
	memcpy(&v, buf + off, sizeof(v));
	return v;
}
static inline void fx_put32(uint8_t *buf, size_t off, uint32_t v) { memcpy(buf + off, &v, sizeof(v)); }
static inline uint64_t fx_get64(const uint8_t *buf, size_t off)
{
	uint64_t v;
	memcpy(&v, buf + off, sizeof(v));
	return v;
}
static inline void fx_put64(uint8_t *buf, size_t off, uint64_t v) { memcpy(buf + off, &v, sizeof(v)); }

/* The software-reserved bytes Linux writes into the FXSAVE area so that
 * user space (and sigreturn) can find the extended state. */
static inline void fpstate_set_sw_bytes(uint8_t *buf, size_t len, uint64_t xfeatures)
{
	struct k_fpx_sw_bytes sw = {
		.magic1 = KFP_XSTATE_MAGIC1,
		.extended_size = (uint32_t)(len + KFP_XSTATE_MAGIC2_SIZE),
		.xfeatures = xfeatures,
		.xstate_size = (uint32_t)len,
	};
	memcpy(buf + FX_SW_BYTES_OFFSET, &sw, sizeof(sw));
}

static inline uint32_t fpstate_mxcsr_mask(const uint8_t *buf)
{
	uint32_t m = fx_get32(buf, FX_MXCSR_MASK_OFFSET);
	return m ? m : 0xffbf; /* the architectural default when the CPU reports 0 */
}

/* fpu__clear_user_states(): the state a signal handler starts with. The
 * MXCSR mask and the software-reserved bytes are the platform's and kept. */
static inline void fpstate_init(uint8_t *buf, size_t len)
{
	uint8_t sw[FXSAVE_SIZE - FX_SW_BYTES_OFFSET];
	uint32_t mxcsr_mask = fx_get32(buf, FX_MXCSR_MASK_OFFSET);

	memcpy(sw, buf + FX_SW_BYTES_OFFSET, sizeof(sw));
	memset(buf, 0, len);
	buf[0] = FCW_DEFAULT & 0xff;
	buf[1] = FCW_DEFAULT >> 8;
	fx_put32(buf, FX_MXCSR_OFFSET, MXCSR_DEFAULT);
	fx_put32(buf, FX_MXCSR_MASK_OFFSET, mxcsr_mask);
	memcpy(buf + FX_SW_BYTES_OFFSET, sw, sizeof(sw));
	/* FP and SSE present (with the init values above), every other
	 * component in its init state. */
	if (len >= XSAVE_MIN_SIZE)
		fx_put64(buf, XSAVE_HDR_OFFSET, XFEATURE_MASK_FPSSE);
}

/* Makes an XSAVE image from user memory safe to load: MXCSR reserved bits
 * clear, only user components we know of, standard (non-compacted) format
 * with a clean header (the host kernel rejects anything else). */
static inline void fpstate_sanitize(uint8_t *buf, size_t len, uint64_t xfeatures_mask,
				    uint32_t mxcsr_mask)
{
	fx_put32(buf, FX_MXCSR_OFFSET, fx_get32(buf, FX_MXCSR_OFFSET) & mxcsr_mask);
	fx_put32(buf, FX_MXCSR_MASK_OFFSET, mxcsr_mask);
	if (len >= XSAVE_MIN_SIZE) {
		uint64_t bv = fx_get64(buf, XSAVE_HDR_OFFSET) & xfeatures_mask;
		memset(buf + XSAVE_HDR_OFFSET, 0, XSAVE_HDR_SIZE);
		fx_put64(buf, XSAVE_HDR_OFFSET, bv);
	}
}

/* check_xstate_in_sigframe(): is the area at user address described by the
 * FXSAVE image fx (512 bytes already read) a full XSAVE image with valid
 * software bytes? Returns its xstate_size, or 0 for "FXSAVE only". MAGIC2
 * is checked by the caller (it lives in user memory). */
static inline uint32_t fpstate_sw_xstate_size(const uint8_t *fx, size_t cur_len)
{
	struct k_fpx_sw_bytes sw;

	memcpy(&sw, fx + FX_SW_BYTES_OFFSET, sizeof(sw));
	if (sw.magic1 != KFP_XSTATE_MAGIC1 || sw.xstate_size < XSAVE_MIN_SIZE ||
	    sw.xstate_size > cur_len || sw.xstate_size > sw.extended_size)
		return 0;
	return sw.xstate_size;
}

/* ---- signal classes ---------------------------------------------------- */

#define KSIGRTMIN 32
#define SIG_KERNEL_ONLY_MASK (SIGMASK(SIGKILL) | SIGMASK(SIGSTOP))
#define SIG_KERNEL_STOP_MASK                                                    \
	(SIGMASK(SIGSTOP) | SIGMASK(SIGTSTP) | SIGMASK(SIGTTIN) | SIGMASK(SIGTTOU))
#define SIG_SYNCHRONOUS_MASK                                                    \
	(SIGMASK(SIGSEGV) | SIGMASK(SIGBUS) | SIGMASK(SIGILL) | SIGMASK(SIGTRAP) | \
	 SIGMASK(SIGFPE) | SIGMASK(SIGSYS))

static inline bool valid_signal(int sig) { return sig >= 1 && sig <= SANDBOX_NSIG; }
static inline bool sig_kernel_only(int sig) { return sig == SIGKILL || sig == SIGSTOP; }

/* The lowest pending signal, synchronous (fault) signals first (Linux's
 * next_signal). 0 if none. */
static inline int sigset_next(ksigset_t pending)
{
	if (!pending)
		return 0;
	if (pending & SIG_SYNCHRONOUS_MASK)
		pending &= SIG_SYNCHRONOUS_MASK;
	return __builtin_ctzll(pending) + 1;
}

/* ---- shared with the signal syscalls ----------------------------------- */

struct task;

/* Removes the next signal in allowed from t's queues (thread queue first,
 * then the process's). Returns the signal number, 0 if none. */
int signal_dequeue(struct task *t, ksigset_t allowed, siginfo_t *info);
/* set_current_blocked(): never blocks SIGKILL/SIGSTOP, hands shared
 * signals this thread now blocks to a sibling that can take them. */
void signal_set_blocked(struct task *t, ksigset_t set);
/* do_sigaction() */
int signal_do_sigaction(struct task *t, int sig, const struct k_sigaction *act,
			struct k_sigaction *oact);
/* do_sigaltstack(); sp is the user stack pointer it is judged against. */
int signal_do_sigaltstack(struct task *t, const stack_t *ss, stack_t *oss, uint64_t sp);
/* rt_sigreturn body: restores the frame at regs.rsp - 8, returns the value
 * for rax (or 0 after forcing SIGSEGV on a bad frame). */
long signal_sigreturn(struct task *t);
/* kill_proc_info(): a process by pid (> 0) with a prepared siginfo. */
int signal_kill_proc_info(struct task *sender, pid_t pid, int sig, siginfo_t *info);
/* do_send_specific(): one thread (tgid <= 0: any process). */
int signal_send_specific(struct task *sender, pid_t tgid, pid_t tid, int sig, siginfo_t *info);
/* A thread of tg whose credentials and sighand stand for the process
 * (the leader while it lives). NULL once every thread is gone. */
struct task *tg_main_task(struct thread_group *tg);
/* Clock ticks (USER_HZ) for times(), siginfo si_utime... */
#define USER_HZ 100
static inline long ns_to_clock_t(uint64_t ns) { return (long)(ns / (1000000000ULL / USER_HZ)); }

#endif
