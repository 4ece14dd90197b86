/* Signals without a running kernel: the rt_sigframe layout against Linux's
 * known offsets, the pure frame/FPU helpers, then sentry/signal.c itself
 * (queueing, delivery, frames, sigreturn, restarts, job control) with the
 * few kernel services it uses stubbed below over a fake user memory. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/wait.h>

#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/signal_internal.h"
#include "sentry/timers.h"
#include "sentry/usercopy.h"

/* ---- fake user memory ---- */

#define UBASE 0x10000000ULL
#define USIZE (256 * 1024)
static uint8_t *umem;

int copy_from_user(struct task *t, void *dst, uint64_t src, size_t n)
{
	if (src < UBASE || src + n > UBASE + USIZE || src + n < src)
		return -EFAULT;
	memcpy(dst, umem + (src - UBASE), n);
	return 0;
}

int copy_to_user(struct task *t, uint64_t dst, const void *src, size_t n)
{
	if (dst < UBASE || dst + n > UBASE + USIZE || dst + n < dst)
		return -EFAULT;
	memcpy(umem + (dst - UBASE), src, n);
	return 0;
}

/* ---- stubbed kernel ---- */

struct kernel *kernel;
static struct kernel the_kernel;
static int kicks, runnables, exits, exit_status, wakes_child;

static int fetch_fpstate(struct platform_context *ctx)
{
	ctx->fp_valid = true;
	return 0;
}
static struct platform_ops fake_pops = { .name = "fake", .ctx_fetch_fpstate = fetch_fpstate };

void task_kick(struct task *t) { kicks++; }
void kernel_make_runnable(struct task *t)
{
	runnables++;
	t->state = TASK_RUNNABLE;
}
void task_exit_group(struct task *t, int status)
{
	exits++;
	exit_status = status;
	t->state = TASK_DEAD;
}
void wq_wake_all(struct waitqueue *wq) { wakes_child++; }
/* sentry/timers.c's hooks: no timers here. */
bool timers_signal_dequeued(struct task *t, uint64_t cookie, siginfo_t *info) { return true; }
void timers_signal_flushed(uint64_t cookie) {}
void itimer_real_dequeued(struct thread_group *tg) {}

#define NTG 4
static struct thread_group *tgs[NTG];
static int ntgs;

struct task *pid_lookup(pid_t pid)
{
	for (int i = 0; i < ntgs; i++) {
		struct task *t;
		list_for_each_entry(t, &tgs[i]->threads, tg_link)
			if (t->tid == pid)
				return t;
	}
	return NULL;
}
struct thread_group *tg_lookup(pid_t pid)
{
	for (int i = 0; i < ntgs; i++)
		if (tgs[i]->tgid == pid)
			return tgs[i];
	return NULL;
}
int tg_for_each(int (*fn)(struct thread_group *, void *), void *arg)
{
	for (int i = 0; i < ntgs; i++) {
		int r = fn(tgs[i], arg);
		if (r)
			return r;
	}
	return 0;
}

/* ---- a small world: init (pid 1) and its child process (pid 100) ---- */

#define FP_LEN 832 /* legacy area + header + AVX: standard XSAVE layout */
#define HANDLER 0x400100ULL
#define RESTORER 0x400200ULL
#define STACK_TOP (UBASE + USIZE - 4096)

static struct thread_group *init_tg, *tg;
static struct task *init_t, *t;
static struct platform_context ctx;
static uint8_t fpbuf[FP_LEN];

static struct task *mk_task(struct thread_group *g, pid_t tid, uid_t uid)
{
	struct task *x = calloc(1, sizeof(*x));
	x->tid = tid;
	x->tg = g;
	x->cred = cred_new_root();
	x->cred->uid = x->cred->euid = x->cred->suid = uid;
	x->sighand = sighand_new();
	x->state = TASK_RUNNING;
	x->altstack.ss_flags = SS_DISABLE;
	sigpending_init(&x->pending);
	list_add_tail(&x->tg_link, &g->threads);
	g->nr_threads++;
	if (!g->leader)
		g->leader = x;
	return x;
}

static struct thread_group *mk_tg(pid_t tgid, struct thread_group *parent)
{
	struct thread_group *g = calloc(1, sizeof(*g));
	g->tgid = g->pgid = g->sid = tgid;
	g->parent = parent;
	g->exit_signal = SIGCHLD;
	list_init(&g->threads);
	sigpending_init(&g->shared_pending);
	for (int i = 0; i < RLIM_NLIMITS; i++)
		g->rlim[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	g->rlim[RLIMIT_SIGPENDING] = (struct rlimit){ 64, 64 };
	tgs[ntgs++] = g;
	return g;
}

static void setup(void)
{
	umem = calloc(1, USIZE);
	memset(&the_kernel, 0, sizeof(the_kernel));
	the_kernel.pops = &fake_pops;
	kernel = &the_kernel;
	ntgs = 0;
	kicks = runnables = exits = exit_status = wakes_child = 0;
	init_tg = mk_tg(1, NULL);
	init_t = mk_task(init_tg, 1, 0);
	kernel->init_tg = init_tg;
	tg = mk_tg(100, init_tg);
	tg->pgid = 1; /* in init's group and session: not orphaned */
	tg->sid = 1;
	t = mk_task(tg, 100, 1000);

	memset(&ctx, 0, sizeof(ctx));
	memset(fpbuf, 0, sizeof(fpbuf));
	fx_put32(fpbuf, FX_MXCSR_OFFSET, 0x1f80 | (3 << 13)); /* round toward zero */
	fx_put32(fpbuf, FX_MXCSR_MASK_OFFSET, 0xffff);
	fpbuf[0] = 0x7f; /* fcw 0x037f */
	fpbuf[1] = 0x03;
	memset(fpbuf + 160, 0xab, 16); /* xmm0 */
	fx_put64(fpbuf, XSAVE_HDR_OFFSET, 0x3);
	ctx.fpstate = fpbuf;
	ctx.fpstate_len = FP_LEN;
	ctx.regs.rsp = STACK_TOP;
	ctx.regs.rip = 0x401000;
	ctx.regs.rax = 0x1234;
	ctx.regs.rbx = 0xb0b;
	ctx.regs.r15 = 0xf15;
	ctx.regs.eflags = 0x246 | KX86_EFLAGS_DF;
	ctx.regs.cs = 0x33;
	ctx.regs.ss = 0x2b;
	ctx.regs.orig_rax = (uint64_t)-1;
	t->ctx = &ctx;
	t->state = TASK_RUNNABLE;
}

static void teardown(void)
{
	free(umem);
	for (int i = 0; i < ntgs; i++) {
		struct task *x, *n;
		list_for_each_entry_safe(x, n, &tgs[i]->threads, tg_link) {
			sigpending_flush(&x->pending);
			cred_put(x->cred);
			sighand_put(x->sighand);
			free(x);
		}
		sigpending_flush(&tgs[i]->shared_pending);
		free(tgs[i]);
	}
	ntgs = 0;
}

/* A fresh world in the middle of a test. */
static void reset_world(void)
{
	teardown();
	setup();
}

static void set_handler(struct task *x, int sig, uint64_t flags, ksigset_t mask)
{
	struct k_sigaction ka = { .handler = HANDLER, .flags = flags | 0x04000000ULL,
				  .restorer = RESTORER, .mask = mask };
	ck_assert_int_eq(signal_do_sigaction(x, sig, &ka, NULL), 0);
}

static siginfo_t user_info(int sig)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_USER;
	si.si_pid = 42;
	si.si_uid = 1000;
	return si;
}

/* ---- layout ---- */

START_TEST(test_layout)
{
	ck_assert_uint_eq(offsetof(struct k_ucontext, uc_mcontext), 40);
	ck_assert_uint_eq(sizeof(struct k_ucontext), 304);
	ck_assert_uint_eq(offsetof(struct k_rt_sigframe, uc), 8);
	ck_assert_uint_eq(offsetof(struct k_rt_sigframe, info), 312);
	ck_assert_uint_eq(sizeof(struct k_rt_sigframe), 440);
	/* glibc's view of the same frame: its ucontext_t starts like ours. */
	ck_assert_uint_eq(offsetof(ucontext_t, uc_mcontext), offsetof(struct k_ucontext, uc_mcontext));
	ck_assert_uint_eq(offsetof(ucontext_t, uc_mcontext.gregs[REG_RIP]),
			  offsetof(struct k_ucontext, uc_mcontext.rip));
	ck_assert_uint_eq(offsetof(ucontext_t, uc_mcontext.gregs[REG_RSP]),
			  offsetof(struct k_ucontext, uc_mcontext.rsp));
	ck_assert_uint_eq(offsetof(ucontext_t, uc_mcontext.gregs[REG_R8]),
			  offsetof(struct k_ucontext, uc_mcontext.r8));
	ck_assert_uint_eq(offsetof(ucontext_t, uc_mcontext.gregs[REG_ERR]),
			  offsetof(struct k_ucontext, uc_mcontext.err));
	ck_assert_uint_eq(offsetof(ucontext_t, uc_mcontext.gregs[REG_CR2]),
			  offsetof(struct k_ucontext, uc_mcontext.cr2));
	ck_assert_uint_eq(offsetof(ucontext_t, uc_mcontext.fpregs),
			  offsetof(struct k_ucontext, uc_mcontext.fpstate));
	ck_assert_uint_eq(offsetof(ucontext_t, uc_sigmask), offsetof(struct k_ucontext, uc_sigmask));
	ck_assert_uint_eq(offsetof(struct sigcontext, rip), offsetof(struct k_sigcontext, rip));
	ck_assert_uint_eq(offsetof(struct sigcontext, fpstate), offsetof(struct k_sigcontext, fpstate));
	ck_assert_uint_eq(sizeof(struct _fpx_sw_bytes), sizeof(struct k_fpx_sw_bytes));
}
END_TEST

START_TEST(test_place)
{
	for (uint64_t sp = 0x7fff0000; sp < 0x7fff0000 + 128; sp += 8) {
		for (size_t len = 0; len <= 2688; len += (len ? 832 : 512)) {
			uint64_t fp;
			uint64_t frame = sigframe_place(sp, len, &fp);
			ck_assert_uint_eq((frame + 8) % 16, 0);
			if (len) {
				ck_assert_uint_eq(fp % 64, 0);
				ck_assert_uint_le(fp + sigframe_fp_size(len), sp);
				ck_assert_uint_le(frame + sizeof(struct k_rt_sigframe), fp);
			} else {
				ck_assert_uint_eq(fp, 0);
				ck_assert_uint_le(frame + sizeof(struct k_rt_sigframe), sp);
			}
		}
	}
	ck_assert_uint_eq(sigframe_fp_size(512), 512);
	ck_assert_uint_eq(sigframe_fp_size(832), 836);
}
END_TEST

START_TEST(test_fp_helpers)
{
	uint8_t b[FP_LEN];
	memset(b, 0x55, sizeof(b));
	fx_put32(b, FX_MXCSR_MASK_OFFSET, 0xffbf);
	fpstate_init(b, sizeof(b));
	ck_assert_uint_eq(b[0] | b[1] << 8, 0x37f);
	ck_assert_uint_eq(fx_get32(b, FX_MXCSR_OFFSET), 0x1f80);
	ck_assert_uint_eq(fx_get32(b, FX_MXCSR_MASK_OFFSET), 0xffbf);
	ck_assert_uint_eq(fx_get64(b, XSAVE_HDR_OFFSET), 3);
	ck_assert_uint_eq(b[160], 0); /* xmm0 cleared */
	ck_assert_uint_eq(b[600], 0);

	fpstate_set_sw_bytes(b, sizeof(b), 7);
	ck_assert_uint_eq(fpstate_sw_xstate_size(b, sizeof(b)), sizeof(b));
	ck_assert_uint_eq(fpstate_sw_xstate_size(b, 600), 0); /* bigger than ours */
	fx_put32(b, FX_SW_BYTES_OFFSET, 0);
	ck_assert_uint_eq(fpstate_sw_xstate_size(b, sizeof(b)), 0);

	fx_put32(b, FX_MXCSR_OFFSET, 0xffffffff);
	fx_put64(b, XSAVE_HDR_OFFSET, ~0ULL);
	fx_put64(b, XSAVE_HDR_OFFSET + 8, 0x8000000000000007ULL); /* compacted */
	fpstate_sanitize(b, sizeof(b), 7, 0xffbf);
	ck_assert_uint_eq(fx_get32(b, FX_MXCSR_OFFSET), 0xffbf);
	ck_assert_uint_eq(fx_get64(b, XSAVE_HDR_OFFSET), 7);
	ck_assert_uint_eq(fx_get64(b, XSAVE_HDR_OFFSET + 8), 0);

	ck_assert_int_eq(sigset_next(0), 0);
	ck_assert_int_eq(sigset_next(SIGMASK(SIGUSR1) | SIGMASK(SIGSEGV)), SIGSEGV);
	ck_assert_int_eq(sigset_next(SIGMASK(SIGINT) | SIGMASK(SIGTERM)), SIGINT);
	ck_assert_int_eq(sigset_next(SIGMASK(64)), 64);
}
END_TEST

/* ---- queueing ---- */

START_TEST(test_queueing)
{
	siginfo_t si = user_info(SIGUSR1), out;

	signal_set_blocked(t, ~0ULL);
	ck_assert_uint_eq(t->blocked, ~0ULL & ~(SIGMASK(SIGKILL) | SIGMASK(SIGSTOP)));
	ck_assert_int_eq(signal_send_thread(t, SIGUSR1, &si), 0);
	ck_assert_int_eq(signal_send_thread(t, SIGUSR1, &si), 0);
	for (int i = 0; i < 3; i++) {
		siginfo_t r = user_info(40);
		r.si_code = SI_QUEUE;
		r.si_value.sival_int = i;
		ck_assert_int_eq(signal_send_thread(t, 40, &r), 0);
	}
	ck_assert(!signal_pending(t));
	ck_assert_int_eq(signal_dequeue(t, ~0ULL, &out), SIGUSR1);
	ck_assert_int_eq(out.si_pid, 42);
	ck_assert_int_eq(signal_dequeue(t, SIGMASK(SIGUSR1), &out), 0); /* queued once */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(signal_dequeue(t, ~0ULL, &out), 40);
		ck_assert_int_eq(out.si_value.sival_int, i);
	}
	ck_assert_int_eq(signal_dequeue(t, ~0ULL, &out), 0);

	/* Kernel-generated: SI_KERNEL. */
	ck_assert_int_eq(signal_send_thread(t, SIGPIPE, NULL), 0);
	ck_assert_int_eq(signal_dequeue(t, ~0ULL, &out), SIGPIPE);
	ck_assert_int_eq(out.si_code, SI_KERNEL);

	/* RLIMIT_SIGPENDING: rt signals from sigqueue fail with EAGAIN,
	 * kill()-style standard signals still go through. */
	for (int i = 0; i < 64; i++) {
		siginfo_t r = user_info(41);
		r.si_code = SI_QUEUE;
		ck_assert_int_eq(signal_send_thread(t, 41, &r), 0);
	}
	siginfo_t r = user_info(41);
	r.si_code = SI_QUEUE;
	ck_assert_int_eq(signal_send_thread(t, 41, &r), -EAGAIN);
	ck_assert_int_eq(signal_send_thread(t, SIGUSR2, &si), 0);
	ck_assert_int_eq(signal_dequeue(t, SIGMASK(SIGUSR2), &out), SIGUSR2);
	ck_assert_int_eq(signal_send_thread(t, 0, &si), -EINVAL);
	ck_assert_int_eq(signal_send_thread(t, 65, &si), -EINVAL);
}
END_TEST

START_TEST(test_ignore)
{
	siginfo_t si = user_info(SIGCHLD);

	/* Default-ignored and SIG_IGN signals are dropped unless blocked. */
	ck_assert_int_eq(signal_send_group(tg, SIGCHLD, &si), 0);
	ck_assert_uint_eq(tg->shared_pending.mask, 0);
	struct k_sigaction ign = { .handler = (uint64_t)(uintptr_t)SIG_IGN };
	signal_do_sigaction(t, SIGUSR1, &ign, NULL);
	signal_send_group(tg, SIGUSR1, &si);
	ck_assert_uint_eq(tg->shared_pending.mask, 0);
	signal_set_blocked(t, SIGMASK(SIGUSR1));
	signal_send_group(tg, SIGUSR1, &si);
	ck_assert_uint_eq(tg->shared_pending.mask, SIGMASK(SIGUSR1));
	/* Setting SIG_IGN again discards the pending one. */
	signal_do_sigaction(t, SIGUSR1, &ign, NULL);
	ck_assert_uint_eq(tg->shared_pending.mask, 0);

	/* SIGKILL/SIGSTOP cannot be caught. */
	ck_assert_int_eq(signal_do_sigaction(t, SIGKILL, &ign, NULL), -EINVAL);
	ck_assert_int_eq(signal_do_sigaction(t, SIGSTOP, &ign, NULL), -EINVAL);
	struct k_sigaction old;
	ck_assert_int_eq(signal_do_sigaction(t, SIGKILL, NULL, &old), 0);

	/* Init ignores default-action signals from inside the sandbox, even
	 * SIGKILL; from outside (si_pid 0) SIGKILL goes through. */
	siginfo_t kill_in = user_info(SIGTERM);
	signal_send_group(init_tg, SIGTERM, &kill_in);
	kill_in.si_signo = SIGKILL;
	signal_send_group(init_tg, SIGKILL, &kill_in);
	ck_assert_uint_eq(init_tg->shared_pending.mask, 0);
	siginfo_t outside = user_info(SIGKILL);
	outside.si_pid = 0;
	signal_send_group(init_tg, SIGKILL, &outside);
	ck_assert(init_t->pending.mask & SIGMASK(SIGKILL));
	/* ...and signals it handles are delivered. */
	set_handler(init_t, SIGTERM, 0, 0);
	siginfo_t term = user_info(SIGTERM);
	signal_send_group(init_tg, SIGTERM, &term);
	ck_assert(init_tg->shared_pending.mask & SIGMASK(SIGTERM));
}
END_TEST

/* ---- delivery and frames ---- */

START_TEST(test_frame_and_sigreturn)
{
	siginfo_t si = user_info(SIGUSR1);
	struct user_regs_struct before = ctx.regs;

	set_handler(t, SIGUSR1, SA_SIGINFO, SIGMASK(SIGHUP));
	signal_set_blocked(t, SIGMASK(SIGINT));
	signal_send_group(tg, SIGUSR1, &si);
	ck_assert(signal_pending(t));
	signal_deliver(t);

	uint64_t frame = ctx.regs.rsp;
	ck_assert_uint_eq(ctx.regs.rip, HANDLER);
	ck_assert_uint_eq(ctx.regs.rdi, SIGUSR1);
	ck_assert_uint_eq(ctx.regs.rsi, frame + 312);
	ck_assert_uint_eq(ctx.regs.rdx, frame + 8);
	ck_assert_uint_eq(ctx.regs.rax, 0);
	ck_assert_uint_eq((frame + 8) % 16, 0);
	ck_assert_uint_lt(frame, STACK_TOP - 128);
	ck_assert(!(ctx.regs.eflags & KX86_EFLAGS_DF));
	ck_assert(ctx.regs_dirty);
	ck_assert_uint_eq(t->blocked, SIGMASK(SIGINT) | SIGMASK(SIGHUP) | SIGMASK(SIGUSR1));

	struct k_rt_sigframe f;
	ck_assert_int_eq(copy_from_user(t, &f, frame, sizeof(f)), 0);
	ck_assert_uint_eq(f.pretcode, RESTORER);
	ck_assert_uint_eq(f.uc.uc_sigmask, SIGMASK(SIGINT));
	ck_assert_uint_eq(f.uc.uc_mcontext.rip, before.rip);
	ck_assert_uint_eq(f.uc.uc_mcontext.rsp, before.rsp);
	ck_assert_uint_eq(f.uc.uc_mcontext.rax, 0x1234);
	ck_assert_uint_eq(f.uc.uc_mcontext.rbx, 0xb0b);
	ck_assert_uint_eq(f.uc.uc_mcontext.r15, 0xf15);
	ck_assert_uint_eq(f.uc.uc_flags, UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
	ck_assert_int_eq(f.uc.uc_stack.ss_flags, SS_DISABLE);
	ck_assert_int_eq(f.info.si_signo, SIGUSR1);
	ck_assert_int_eq(f.info.si_pid, 42);

	/* The saved FPU state: 64-byte aligned above the frame, with the
	 * magic words glibc and libgcc look for. */
	uint64_t fp = f.uc.uc_mcontext.fpstate;
	ck_assert_uint_eq(fp % 64, 0);
	ck_assert_uint_ge(fp, frame + sizeof(f));
	uint8_t saved[FP_LEN];
	uint32_t magic2;
	copy_from_user(t, saved, fp, FP_LEN);
	copy_from_user(t, &magic2, fp + FP_LEN, 4);
	ck_assert_uint_eq(magic2, KFP_XSTATE_MAGIC2);
	ck_assert_uint_eq(fx_get32(saved, FX_SW_BYTES_OFFSET), KFP_XSTATE_MAGIC1);
	ck_assert_uint_eq(fx_get32(saved, FX_SW_BYTES_OFFSET + 4), FP_LEN + 4);
	ck_assert_uint_eq(saved[160], 0xab);
	ck_assert_uint_eq(fx_get32(saved, FX_MXCSR_OFFSET), 0x1f80 | (3 << 13));
	/* The handler runs with a fresh FPU. */
	ck_assert(ctx.fp_dirty);
	ck_assert_uint_eq(fpbuf[160], 0);
	ck_assert_uint_eq(fx_get32(fpbuf, FX_MXCSR_OFFSET), 0x1f80);

	/* The handler returns into the restorer (ret pops pretcode), which
	 * calls rt_sigreturn. */
	ctx.regs.rsp = frame + 8;
	ctx.regs.rax = 15;
	ctx.regs.orig_rax = 15;
	ctx.regs.rbx = 0xdead;
	ctx.regs.eflags |= KX86_EFLAGS_DF;
	ctx.fp_dirty = false;
	long ret = signal_sigreturn(t);
	ck_assert_int_eq(ret, 0x1234);
	ck_assert_uint_eq(ctx.regs.rip, before.rip);
	ck_assert_uint_eq(ctx.regs.rsp, before.rsp);
	ck_assert_uint_eq(ctx.regs.rbx, 0xb0b);
	ck_assert_uint_eq(ctx.regs.r15, 0xf15);
	ck_assert_uint_eq(ctx.regs.eflags, before.eflags);
	ck_assert_uint_eq(ctx.regs.cs, 0x33);
	ck_assert_uint_eq(ctx.regs.orig_rax, (uint64_t)-1);
	ck_assert_uint_eq(t->blocked, SIGMASK(SIGINT));
	ck_assert(ctx.fp_dirty);
	ck_assert_uint_eq(fpbuf[160], 0xab);
	ck_assert_uint_eq(fx_get32(fpbuf, FX_MXCSR_OFFSET), 0x1f80 | (3 << 13));
	ck_assert_uint_eq(fx_get64(fpbuf, XSAVE_HDR_OFFSET) & 3, 3);

	/* A frame that cannot be read is a SIGSEGV. */
	ctx.regs.rsp = 8;
	ck_assert_int_eq(signal_sigreturn(t), 0);
	ck_assert(t->pending.mask & SIGMASK(SIGSEGV));
}
END_TEST

START_TEST(test_frame_failures)
{
	siginfo_t si = user_info(SIGUSR1);

	/* No SA_RESTORER: x86_64 cannot return, so SIGSEGV, which kills. */
	struct k_sigaction ka = { .handler = HANDLER };
	signal_do_sigaction(t, SIGUSR1, &ka, NULL);
	signal_send_thread(t, SIGUSR1, &si);
	signal_deliver(t);
	ck_assert(t->pending.mask & SIGMASK(SIGSEGV));
	signal_deliver(t);
	ck_assert_int_eq(exits, 1);
	ck_assert_int_eq(exit_status, SIGSEGV);
	ck_assert(!WCOREDUMP(exit_status));

	/* Unwritable stack while handling SIGSEGV itself: fatal too. */
	reset_world();
	set_handler(t, SIGSEGV, 0, 0);
	ctx.regs.rsp = 0x1000;
	signal_force_fault(t, SIGSEGV, SEGV_MAPERR, 0xbad, 14);
	signal_deliver(t);
	signal_deliver(t);
	ck_assert_int_eq(exits, 1);
	ck_assert_int_eq(exit_status, SIGSEGV);
}
END_TEST

START_TEST(test_fault_info)
{
	set_handler(t, SIGSEGV, SA_SIGINFO, 0);
	signal_force_fault(t, SIGSEGV, SEGV_ACCERR, 0xdeadb000, 14);
	signal_deliver(t);
	ck_assert_uint_eq(ctx.regs.rip, HANDLER);
	struct k_rt_sigframe f;
	copy_from_user(t, &f, ctx.regs.rsp, sizeof(f));
	ck_assert_int_eq(f.info.si_code, SEGV_ACCERR);
	ck_assert_ptr_eq(f.info.si_addr, (void *)0xdeadb000);
	ck_assert_uint_eq(f.uc.uc_mcontext.trapno, 14);
	ck_assert_uint_eq(f.uc.uc_mcontext.cr2, 0xdeadb000);
	ck_assert_uint_eq(f.uc.uc_mcontext.err & 5, 5);

	/* A fault the task blocks cannot be handled: it is unblocked and
	 * takes its default action (force_sig_fault). */
	set_handler(t, SIGFPE, 0, 0);
	signal_set_blocked(t, SIGMASK(SIGFPE));
	signal_force_fault(t, SIGFPE, FPE_INTDIV, 0x401000, 0);
	ck_assert(!(t->blocked & SIGMASK(SIGFPE)));
	signal_deliver(t);
	ck_assert_int_eq(exits, 1);
	ck_assert_int_eq(exit_status, SIGFPE);

	/* A fault on init kills it even though init ignores default actions. */
	init_t->ctx = &ctx;
	init_t->state = TASK_RUNNABLE;
	signal_force_fault(init_t, SIGBUS, BUS_ADRERR, 0, -1);
	signal_deliver(init_t);
	ck_assert_int_eq(exit_status, SIGBUS);
}
END_TEST

START_TEST(test_altstack)
{
	stack_t ss = { .ss_sp = (void *)(uintptr_t)(UBASE + 0x1000), .ss_size = 0x8000, .ss_flags = 0 };
	stack_t oss;
	ck_assert_int_eq(signal_do_sigaltstack(t, &ss, &oss, ctx.regs.rsp), 0);
	ck_assert_int_eq(oss.ss_flags, SS_DISABLE);
	set_handler(t, SIGUSR2, SA_ONSTACK, 0);
	siginfo_t si = user_info(SIGUSR2);
	signal_send_thread(t, SIGUSR2, &si);
	signal_deliver(t);
	uint64_t frame = ctx.regs.rsp;
	ck_assert_uint_gt(frame, UBASE + 0x1000);
	ck_assert_uint_lt(frame, UBASE + 0x9000);
	/* On the alternate stack now: changing it is refused. */
	ck_assert_int_eq(signal_do_sigaltstack(t, &ss, &oss, frame), -EPERM);
	ck_assert_int_eq(signal_do_sigaltstack(t, NULL, &oss, frame), 0);
	ck_assert_int_eq(oss.ss_flags, SS_ONSTACK);
	/* Bad sizes and flags. */
	ck_assert_int_eq(signal_do_sigaltstack(t, &(stack_t){ .ss_size = 100 }, NULL, STACK_TOP), -ENOMEM);
	ck_assert_int_eq(signal_do_sigaltstack(t, &(stack_t){ .ss_flags = 7, .ss_size = 9000 }, NULL, STACK_TOP),
			 -EINVAL);

	/* SS_AUTODISARM: disabled while the handler runs, back after sigreturn. */
	reset_world();
	ss.ss_flags = (int)KSS_AUTODISARM;
	ck_assert_int_eq(signal_do_sigaltstack(t, &ss, NULL, ctx.regs.rsp), 0);
	set_handler(t, SIGUSR2, SA_ONSTACK, 0);
	signal_send_thread(t, SIGUSR2, &si);
	signal_deliver(t);
	ck_assert_uint_eq(t->altstack.ss_size, 0);
	ctx.regs.rsp += 8;
	signal_sigreturn(t);
	ck_assert_uint_eq(t->altstack.ss_size, 0x8000);
	ck_assert_ptr_eq(t->altstack.ss_sp, ss.ss_sp);
}
END_TEST

/* ---- interrupted syscalls ---- */

static void in_syscall(long result, int nr)
{
	t->sys.in_syscall = true;
	t->sys.result = result;
	ctx.regs.rax = (uint64_t)result;
	ctx.regs.orig_rax = (uint64_t)nr;
	ctx.regs.rip = 0x401002;
}

START_TEST(test_restart_rules)
{
	siginfo_t si = user_info(SIGUSR1);

	/* No signal to handle: everything restarts. */
	in_syscall(-ERESTARTSYS, 0);
	signal_deliver(t);
	ck_assert_uint_eq(ctx.regs.rax, 0);
	ck_assert_uint_eq(ctx.regs.rip, 0x401000);
	in_syscall(-ERESTART_RESTARTBLOCK, 35);
	signal_deliver(t);
	ck_assert_uint_eq(ctx.regs.rax, __NR_restart_syscall);
	ck_assert_uint_eq(ctx.regs.rip, 0x401000);
	/* Idempotent: a second call does not move rip again. */
	signal_deliver(t);
	ck_assert_uint_eq(ctx.regs.rip, 0x401000);

	/* Handler without SA_RESTART: EINTR. */
	set_handler(t, SIGUSR1, 0, 0);
	in_syscall(-ERESTARTSYS, 0);
	signal_send_thread(t, SIGUSR1, &si);
	signal_deliver(t);
	struct k_rt_sigframe f;
	copy_from_user(t, &f, ctx.regs.rsp, sizeof(f));
	ck_assert_int_eq((long)f.uc.uc_mcontext.rax, -EINTR);
	ck_assert_uint_eq(f.uc.uc_mcontext.rip, 0x401002);

	/* With SA_RESTART: the syscall is re-executed after the handler. */
	reset_world();
	set_handler(t, SIGUSR1, SA_RESTART, 0);
	in_syscall(-ERESTARTSYS, 7);
	signal_send_thread(t, SIGUSR1, &si);
	signal_deliver(t);
	copy_from_user(t, &f, ctx.regs.rsp, sizeof(f));
	ck_assert_uint_eq(f.uc.uc_mcontext.rax, 7);
	ck_assert_uint_eq(f.uc.uc_mcontext.rip, 0x401000);

	/* ERESTARTNOHAND with a handler: EINTR even with SA_RESTART; and the
	 * sigsuspend mask comes back through the frame. */
	reset_world();
	set_handler(t, SIGUSR1, SA_RESTART, 0);
	t->saved_blocked = SIGMASK(SIGUSR1);
	t->restore_blocked = true;
	t->blocked = 0;
	in_syscall(-ERESTARTNOHAND, __NR_rt_sigsuspend);
	signal_send_thread(t, SIGUSR1, &si);
	signal_deliver(t);
	copy_from_user(t, &f, ctx.regs.rsp, sizeof(f));
	ck_assert_int_eq((long)f.uc.uc_mcontext.rax, -EINTR);
	ck_assert_uint_eq(f.uc.uc_sigmask, SIGMASK(SIGUSR1));
	ck_assert(!t->restore_blocked);

	/* Without a handler the saved mask is restored directly. */
	reset_world();
	t->saved_blocked = SIGMASK(SIGUSR2);
	t->restore_blocked = true;
	signal_deliver(t);
	ck_assert_uint_eq(t->blocked, SIGMASK(SIGUSR2));
	ck_assert(!t->restore_blocked);
}
END_TEST

/* ---- default actions and job control ---- */

START_TEST(test_job_control)
{
	siginfo_t si = user_info(SIGSTOP);

	set_handler(init_t, SIGCHLD, 0, 0);
	in_syscall(-ERESTARTSYS, 0);
	signal_send_group(tg, SIGSTOP, &si);
	signal_deliver(t);
	ck_assert_int_eq(t->state, TASK_STOPPED);
	ck_assert(tg->stopped);
	ck_assert(!tg->stop_reported);
	/* The interrupted syscall restarts once continued. */
	ck_assert_uint_eq(ctx.regs.rip, 0x401000);
	/* The parent got SIGCHLD/CLD_STOPPED. */
	siginfo_t out;
	ck_assert_int_eq(signal_dequeue(init_t, ~0ULL, &out), SIGCHLD);
	ck_assert_int_eq(out.si_code, CLD_STOPPED);
	ck_assert_int_eq(out.si_status, SIGSTOP);
	ck_assert_int_eq(out.si_pid, 100);
	ck_assert_int_eq(out.si_uid, 1000);

	/* SIGCONT resumes, even when ignored, and is reported. */
	si.si_signo = SIGCONT;
	signal_send_group(tg, SIGCONT, &si);
	ck_assert(!tg->stopped);
	ck_assert_int_eq(t->state, TASK_RUNNABLE);
	ck_assert(!tg->cont_reported);
	ck_assert_int_eq(signal_dequeue(init_t, ~0ULL, &out), SIGCHLD);
	ck_assert_int_eq(out.si_code, CLD_CONTINUED);
	ck_assert_uint_eq(tg->shared_pending.mask, 0);

	/* A stop signal cancels a pending SIGCONT and vice versa. */
	set_handler(t, SIGCONT, 0, 0);
	signal_set_blocked(t, SIGMASK(SIGCONT) | SIGMASK(SIGTSTP));
	signal_send_group(tg, SIGCONT, &si);
	ck_assert(tg->shared_pending.mask & SIGMASK(SIGCONT));
	si.si_signo = SIGTSTP;
	signal_send_group(tg, SIGTSTP, &si);
	ck_assert_uint_eq(tg->shared_pending.mask, SIGMASK(SIGTSTP));

	/* Terminal stops do nothing to an orphaned process group. */
	reset_world();
	tg->pgid = 100; /* its own group; parent init is in group 1, session 1 */
	tg->sid = 100;  /* but in another session: orphaned */
	signal_send_group(tg, SIGTSTP, &si);
	signal_deliver(t);
	ck_assert_int_eq(t->state, TASK_RUNNABLE);
	ck_assert(!tg->stopped);
}
END_TEST

START_TEST(test_parent_notify)
{
	siginfo_t out;

	signal_notify_parent(tg, CLD_EXITED, W_EXITCODE(3, 0));
	/* init's SIGCHLD is SIG_DFL (ignore): not queued, but waiters woken. */
	ck_assert_int_eq(signal_dequeue(init_t, ~0ULL, &out), 0);
	ck_assert_int_eq(wakes_child, 1);
	signal_set_blocked(init_t, SIGMASK(SIGCHLD));
	signal_notify_parent(tg, CLD_EXITED, W_EXITCODE(3, 0));
	ck_assert_int_eq(signal_dequeue(init_t, ~0ULL, &out), SIGCHLD);
	ck_assert_int_eq(out.si_code, CLD_EXITED);
	ck_assert_int_eq(out.si_status, 3);
	signal_notify_parent(tg, CLD_KILLED, W_EXITCODE(0, SIGTERM));
	ck_assert_int_eq(signal_dequeue(init_t, ~0ULL, &out), SIGCHLD);
	ck_assert_int_eq(out.si_code, CLD_KILLED);
	ck_assert_int_eq(out.si_status, SIGTERM);

	ck_assert(!signal_parent_autoreaps(init_tg));
	struct k_sigaction nocldwait = { .flags = SA_NOCLDWAIT };
	signal_do_sigaction(init_t, SIGCHLD, &nocldwait, NULL);
	ck_assert(signal_parent_autoreaps(init_tg));
	/* SA_NOCLDSTOP: no SIGCHLD for stops. */
	struct k_sigaction nocldstop = { .handler = HANDLER, .flags = SA_NOCLDSTOP };
	signal_do_sigaction(init_t, SIGCHLD, &nocldstop, NULL);
	signal_notify_parent(tg, CLD_STOPPED, SIGSTOP);
	ck_assert_int_eq(signal_dequeue(init_t, ~0ULL, &out), 0);
}
END_TEST

START_TEST(test_kill_permissions)
{
	/* uid 1000 may not signal init (uid 0) nor a process of uid 2000. */
	struct thread_group *other = mk_tg(200, init_tg);
	other->pgid = 100;
	other->sid = 1;
	struct task *o = mk_task(other, 200, 2000);
	t->cred->cap_effective = 0;

	ck_assert_int_eq(signal_kill(t, 200, SIGTERM), -EPERM);
	ck_assert_int_eq(signal_kill(t, 200, 0), -EPERM);
	ck_assert_int_eq(signal_kill(t, 999, SIGTERM), -ESRCH);
	ck_assert_int_eq(signal_kill(t, 100, 99), -EINVAL);
	ck_assert_int_eq(signal_kill(t, 100, 0), 0);
	/* SIGCONT is allowed within the session. */
	ck_assert_int_eq(signal_kill(t, 200, SIGCONT), 0);
	/* kill(-1): everybody but init and the caller; when all refuse,
	 * Linux still reports success (only -ESRCH when nobody is there). */
	ck_assert_int_eq(signal_kill(t, -1, SIGTERM), 0);
	ck_assert_uint_eq(other->shared_pending.mask, 0);
	/* Process group 100 holds process 200 only. */
	ck_assert_int_eq(signal_kill(t, -100, SIGTERM), -EPERM);
	ck_assert_int_eq(signal_kill(t, -555, SIGTERM), -ESRCH);
	/* Same uid, or CAP_KILL, works. */
	o->cred->uid = 1000;
	ck_assert_int_eq(signal_kill(t, 200, SIGUSR1), 0);
	ck_assert(other->shared_pending.mask & SIGMASK(SIGUSR1));
	siginfo_t out;
	ck_assert_int_eq(signal_dequeue(o, ~0ULL, &out), SIGUSR1);
	ck_assert_int_eq(out.si_code, SI_USER);
	ck_assert_int_eq(out.si_pid, 100);
	ck_assert_int_eq(out.si_uid, 1000);
	/* tgkill checks the thread belongs to the process. */
	siginfo_t tk = user_info(SIGUSR2);
	tk.si_code = SI_TKILL;
	ck_assert_int_eq(signal_send_specific(t, 100, 200, SIGUSR2, &tk), -ESRCH);
	ck_assert_int_eq(signal_send_specific(t, 200, 200, SIGUSR2, &tk), 0);
	ck_assert(o->pending.mask & SIGMASK(SIGUSR2));
}
END_TEST

START_TEST(test_sigkill_and_exit)
{
	siginfo_t si = user_info(SIGKILL);
	signal_set_blocked(t, ~0ULL);
	signal_send_group(tg, SIGKILL, &si);
	ck_assert(t->pending.mask & SIGMASK(SIGKILL));
	ck_assert_int_ge(kicks, 1);
	ck_assert(signal_pending(t));
	signal_deliver(t);
	ck_assert_int_eq(exits, 1);
	ck_assert_int_eq(exit_status, SIGKILL);

	/* Default terminate for a process directed signal. */
	reset_world();
	si.si_signo = SIGTERM;
	signal_send_group(tg, SIGTERM, &si);
	signal_deliver(t);
	ck_assert_int_eq(exit_status, SIGTERM);
}
END_TEST

static Suite *signal_suite(void)
{
	Suite *s = suite_create("signal");
	TCase *pure = tcase_create("pure");
	tcase_add_test(pure, test_layout);
	tcase_add_test(pure, test_place);
	tcase_add_test(pure, test_fp_helpers);
	suite_add_tcase(s, pure);

	TCase *k = tcase_create("kernel");
	tcase_add_checked_fixture(k, setup, teardown);
	tcase_add_test(k, test_queueing);
	tcase_add_test(k, test_ignore);
	tcase_add_test(k, test_frame_and_sigreturn);
	tcase_add_test(k, test_frame_failures);
	tcase_add_test(k, test_fault_info);
	tcase_add_test(k, test_altstack);
	tcase_add_test(k, test_restart_rules);
	tcase_add_test(k, test_job_control);
	tcase_add_test(k, test_parent_notify);
	tcase_add_test(k, test_kill_permissions);
	tcase_add_test(k, test_sigkill_and_exit);
	suite_add_tcase(s, k);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(signal_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
