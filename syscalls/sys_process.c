/* Process syscalls: clone/fork/vfork, execve, exit, wait4, and the
 * per-thread registers the kernel keeps (set_tid_address, arch_prctl). */
#include <asm/prctl.h>
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/mm.h"
#include "sentry/signal.h"
#include "sentry/task_impl.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

/* ---- clone ---- */

#define CLONE_UNSUPPORTED_NS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
			      CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

/* The per-task state a new task gets from its creator. */
static int clone_task_state(struct task *t, struct task *c, uint64_t flags, uint64_t newsp, uint64_t tls)
{
	int err = task_attach_context(c);
	if (err)
		return err;
	err = kernel->pops->ctx_fetch_fpstate(t->ctx);
	if (err)
		return err;
	c->ctx->regs = t->ctx->regs;
	c->ctx->regs.rax = 0;
	if (newsp)
		c->ctx->regs.rsp = newsp;
	if (flags & CLONE_SETTLS)
		c->ctx->regs.fs_base = tls;
	c->ctx->regs_dirty = true;
	memcpy(c->ctx->fpstate, t->ctx->fpstate, MIN(c->ctx->fpstate_len, t->ctx->fpstate_len));
	c->ctx->fp_valid = true;
	c->ctx->fp_dirty = true;

	c->files = (flags & CLONE_FILES) ? (t->files->refcount++, t->files) : fdtable_copy(t->files);
	if (flags & CLONE_FS) {
		t->fs->refcount++;
		c->fs = t->fs;
	} else {
		c->fs = fs_context_copy(t->fs);
	}
	c->cred = cred_get(t->cred);
	if (flags & CLONE_SIGHAND) {
		t->sighand->refcount++;
		c->sighand = t->sighand;
	} else {
		c->sighand = sighand_copy(t->sighand);
	}
	c->blocked = t->blocked;
	c->nice = t->nice;
	/* A thread on a shared stack must not inherit the signal stack
	 * (Linux's copy_process: sas_ss_reset for CLONE_VM without VFORK). */
	if ((flags & (CLONE_VM | CLONE_VFORK)) == CLONE_VM) {
		c->altstack.ss_sp = NULL;
		c->altstack.ss_size = 0;
		c->altstack.ss_flags = SS_DISABLE;
	} else {
		c->altstack = t->altstack;
	}
	memcpy(c->comm, t->comm, sizeof(c->comm));
	return 0;
}

static void clone_tids(struct task *t, struct task *c, uint64_t flags, uint64_t parent_tid, uint64_t child_tid)
{
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = child_tid;
	uint32_t tid32 = (uint32_t)c->tid;
	if (flags & CLONE_CHILD_SETTID)
		mm_copy_to(c->mm, child_tid, &tid32, sizeof(tid32), 0);
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(t, parent_tid, &tid32, sizeof(tid32));
}

static long clone_thread(struct task *t, uint64_t flags, uint64_t newsp, uint64_t parent_tid,
			 uint64_t child_tid, uint64_t tls)
{
	if (t->tg->group_exiting)
		return -EAGAIN;
	struct task *c = task_alloc_thread(t->tg);
	if (!c)
		return -EAGAIN;
	c->mm = mm_get(t->mm);
	int err = clone_task_state(t, c, flags, newsp, tls);
	if (err) {
		log_warn("clone thread: %s", strerror(-err));
		task_exit_thread(c, 0);
		return -EAGAIN;
	}
	clone_tids(t, c, flags, parent_tid, child_tid);
	kernel_make_runnable(c);
	return c->tid;
}

static long do_clone(struct task *t, uint64_t flags, uint64_t newsp, uint64_t parent_tid,
		     uint64_t child_tid, uint64_t tls)
{
	/* vfork parent: the child exists already; wait for its exec or exit. */
	if (t->sys.restarted && t->sys.scratch[0]) {
		pid_t pid = (pid_t)t->sys.scratch[0];
		struct thread_group *c = tg_lookup(pid);
		if (c && c->vfork_waiter == t) {
			task_wait_on(t, &c->child_wait); /* woken via vfork_waiter */
			return -EBLOCKED;
		}
		return pid;
	}
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_FS) && (flags & CLONE_NEWNS))
		return -EINVAL;
	if ((flags & CLONE_PARENT) && t->tg == kernel->init_tg)
		return -EINVAL; /* init's siblings would be outside the namespace */
	if (flags & CLONE_UNSUPPORTED_NS) {
		log_once("clone-ns", "clone with new namespaces is not supported yet");
		return -EINVAL;
	}
	int exit_signal = (int)(flags & CSIGNAL);
	if (exit_signal > SANDBOX_NSIG)
		return -EINVAL;
	if (t->tg->rlim[RLIMIT_NPROC].rlim_cur != RLIM_INFINITY && !cred_capable(t->cred, CAP_SYS_RESOURCE) &&
	    (rlim_t)kernel->nr_tasks >= t->tg->rlim[RLIMIT_NPROC].rlim_cur)
		return -EAGAIN;
	if (flags & CLONE_THREAD)
		return clone_thread(t, flags, newsp, parent_tid, child_tid, tls);

	struct thread_group *parent_tg = (flags & CLONE_PARENT) ? t->tg->parent : t->tg;
	if (!parent_tg)
		return -EINVAL;
	struct task *c = task_alloc_process(parent_tg);
	if (!c)
		return -EAGAIN;
	struct thread_group *ctg = c->tg;
	ctg->exit_signal = exit_signal;
	int err = 0;
	if (flags & CLONE_VM)
		c->mm = mm_get(t->mm); /* a new thread of the same stub */
	else
		err = mm_fork(t->mm, &c->mm);
	if (!err)
		err = clone_task_state(t, c, flags, newsp, tls);
	if (err)
		goto fail;
	ctg->personality = t->tg->personality;
	ctg->nondumpable = t->tg->nondumpable;
	ctg->oom_score_adj = t->tg->oom_score_adj;
	ctg->oom_score_adj_min = t->tg->oom_score_adj_min;
	ctg->exe_path = t->tg->exe_path ? xstrdup(t->tg->exe_path) : NULL;
	clone_tids(t, c, flags, parent_tid, child_tid);

	kernel_make_runnable(c);
	if (flags & CLONE_VFORK) {
		ctg->vfork_waiter = t;
		t->sys.scratch[0] = (uint64_t)c->tid;
		task_wait_on(t, &ctg->child_wait);
		return -EBLOCKED;
	}
	return c->tid;
fail:
	log_warn("clone: %s", strerror(-err));
	c->state = TASK_RUNNABLE;
	ctg->group_exiting = true;
	ctg->group_exit_status = W_EXITCODE(0, SIGKILL);
	ctg->exit_signal = 0;
	ctg->parent = NULL;
	list_del(&ctg->sibling);
	task_exit_thread(c, 0);
	return err == -ENOMEM ? -ENOMEM : -EAGAIN;
}

SYSCALL_DEFINE(clone, "xppp")
{
	return do_clone(t, a->a[0], a->a[1], a->a[2], a->a[3], a->a[4]);
}

/* struct clone_args of <linux/sched.h>, up to CLONE_ARGS_SIZE_VER2. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_INTO_CGROUP_FLAG 0x200000000ULL /* <linux/sched.h>, clashes with <sched.h> */

SYSCALL_DEFINE(clone3, "pu")
{
	struct clone3_args ca;
	uint64_t size = a->a[1];
	if (t->sys.restarted && t->sys.scratch[0])
		return do_clone(t, 0, 0, 0, 0, 0); /* vfork wait in progress */
	if (size < CLONE_ARGS_SIZE_VER0 || size > 4096)
		return -EINVAL;
	memset(&ca, 0, sizeof(ca));
	if (copy_from_user(t, &ca, a->a[0], MIN(size, sizeof(ca))) < 0)
		return -EFAULT;
	/* A larger struct from a newer libc must be zero past what we know. */
	for (uint64_t off = sizeof(ca); off < size; off += 8) {
		uint64_t w = 0;
		if (copy_from_user(t, &w, a->a[0] + off, MIN(8, size - off)) < 0)
			return -EFAULT;
		if (w)
			return -E2BIG;
	}
	if ((ca.flags >> 32) & ~(CLONE_INTO_CGROUP_FLAG >> 32))
		return -EINVAL;
	if (ca.flags & CSIGNAL)
		return -EINVAL; /* clone3 takes the exit signal separately */
	if (ca.exit_signal > SANDBOX_NSIG)
		return -EINVAL;
	if ((ca.flags & CLONE_THREAD) && ca.exit_signal)
		return -EINVAL;
	if ((ca.flags & (CLONE_PIDFD | CLONE_INTO_CGROUP_FLAG)) || ca.set_tid_size) {
		log_once("clone3-extra", "clone3 with pidfd, set_tid or cgroup is not supported");
		return -EINVAL;
	}
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	uint64_t sp = ca.stack ? ca.stack + ca.stack_size : 0;
	return do_clone(t, ca.flags | ca.exit_signal, sp, ca.parent_tid, ca.child_tid, ca.tls);
}

SYSCALL_DEFINE(fork, "")
{
	return do_clone(t, SIGCHLD, 0, 0, 0, 0);
}

SYSCALL_DEFINE(vfork, "")
{
	return do_clone(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}

/* ---- execve ---- */

#define MAX_ARG_STRLEN (32 * 4096)
#define MAX_ARG_STRINGS 0x7FFFFFFF
#define ARG_MAX_BYTES (2 * 1024 * 1024) /* a quarter of the 8 MiB stack */

static void free_strv(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static int copy_strv(struct task *t, uint64_t uptr, char ***out, size_t *total)
{
	size_t n = 0, cap = 16;
	char **v = xzalloc(cap * sizeof(char *));
	if (uptr) {
		for (;;) {
			uint64_t p;
			if (copy_from_user(t, &p, uptr + n * 8, 8) < 0) {
				free_strv(v);
				return -EFAULT;
			}
			if (!p)
				break;
			char *s = xmalloc(MAX_ARG_STRLEN);
			long len = strncpy_from_user(t, s, p, MAX_ARG_STRLEN);
			if (len < 0) {
				free(s);
				free_strv(v);
				return len == -ENAMETOOLONG ? -E2BIG : (int)len;
			}
			*total += (size_t)len + 1 + sizeof(char *);
			if (*total > ARG_MAX_BYTES) {
				free(s);
				free_strv(v);
				return -E2BIG;
			}
			if (n + 1 >= cap) {
				cap *= 2;
				v = xrealloc(v, cap * sizeof(char *));
			}
			v[n++] = xrealloc(s, (size_t)len + 1);
			v[n] = NULL;
		}
	}
	*out = v;
	return 0;
}

SYSCALL_DEFINE(execve, "spp")
{
	char *path = NULL;
	char **argv = NULL, **envp = NULL;
	size_t total = 0;
	int err = copy_path_from_user(t, a->a[0], &path, 0);
	if (!err)
		err = copy_strv(t, a->a[1], &argv, &total);
	if (!err)
		err = copy_strv(t, a->a[2], &envp, &total);
	if (!err)
		err = do_execve(t, path, argv, envp);
	free(path);
	free_strv(argv);
	free_strv(envp);
	return err;
}

/* ---- exit ---- */

SYSCALL_DEFINE(exit, "d")
{
	task_exit_thread(t, (int)(a->a[0] & 0xff));
	return 0;
}

SYSCALL_DEFINE(exit_group, "d")
{
	task_exit_group(t, W_EXITCODE((int)(a->a[0] & 0xff), 0));
	return 0;
}

/* ---- wait ---- */

struct wait_req {
	pid_t pid;        /* wait4's pid argument */
	int options;
	bool waitid;
};

static bool child_matches(struct task *t, struct thread_group *c, const struct wait_req *w)
{
	if (w->pid > 0 && c->tgid != w->pid)
		return false;
	if (w->pid == 0 && c->pgid != t->tg->pgid)
		return false;
	if (w->pid < -1 && c->pgid != -w->pid)
		return false;
	/* __WCLONE selects children whose exit signal is not SIGCHLD. */
	if (!(w->options & __WALL) && !!(w->options & __WCLONE) != (c->exit_signal != SIGCHLD))
		return false;
	return true;
}

/* Finds a reportable child: 1 with out and status set, 0 if none is ready
 * yet, -ECHILD if no child matches at all. */
static int find_waitable(struct task *t, const struct wait_req *w, struct thread_group **out, int *status,
			 int *kind)
{
	bool any = false;
	struct thread_group *c;
	list_for_each_entry(c, &t->tg->children, sibling) {
		if (!child_matches(t, c, w))
			continue;
		any = true;
		if (c->zombie && (w->options & WEXITED)) {
			*out = c;
			*status = c->group_exit_status;
			*kind = CLD_EXITED;
			return 1;
		}
		if ((w->options & WUNTRACED) && c->stopped && !c->stop_reported) {
			*out = c;
			*status = (c->stop_signal << 8) | 0x7f;
			*kind = CLD_STOPPED;
			return 1;
		}
		if ((w->options & WCONTINUED) && c->cont_reported == false && !c->stopped && c->stop_reported) {
			*out = c;
			*status = 0xffff;
			*kind = CLD_CONTINUED;
			return 1;
		}
	}
	return any ? 0 : -ECHILD;
}

static void fill_rusage(struct thread_group *c, struct rusage *ru)
{
	memset(ru, 0, sizeof(*ru));
	uint64_t u = c->utime_ns + c->cutime_ns, s = c->stime_ns + c->cstime_ns;
	ru->ru_utime.tv_sec = (time_t)(u / 1000000000);
	ru->ru_utime.tv_usec = (suseconds_t)(u % 1000000000 / 1000);
	ru->ru_stime.tv_sec = (time_t)(s / 1000000000);
	ru->ru_stime.tv_usec = (suseconds_t)(s % 1000000000 / 1000);
}

static long do_wait(struct task *t, const struct wait_req *w, int *status_out, struct rusage *ru,
		    struct thread_group **reported, int *kind)
{
	struct thread_group *c;
	int status;
	int r = find_waitable(t, w, &c, &status, kind);
	if (r < 0)
		return r;
	if (r == 0) {
		if (w->options & WNOHANG)
			return 0;
		if (signal_pending(t))
			return -ERESTARTSYS;
		task_wait_on(t, &t->tg->child_wait);
		return -EBLOCKED;
	}
	pid_t pid = c->tgid;
	*status_out = status;
	*reported = c;
	if (ru)
		fill_rusage(c, ru);
	if (*kind == CLD_STOPPED) {
		if (!(w->options & WNOWAIT))
			c->stop_reported = true;
	} else if (*kind == CLD_CONTINUED) {
		if (!(w->options & WNOWAIT)) {
			c->cont_reported = true;
			c->stop_reported = false;
		}
	} else if (!(w->options & WNOWAIT)) {
		t->tg->cutime_ns += c->utime_ns + c->cutime_ns;
		t->tg->cstime_ns += c->stime_ns + c->cstime_ns;
		tg_release(c);
		*reported = NULL;
	}
	return pid;
}

SYSCALL_DEFINE(wait4, "dpxp")
{
	int options = (int)a->a[2];
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	pid_t pid = (pid_t)a->a[0];
	if (pid == INT_MIN)
		return -ESRCH;
	struct wait_req w = { pid, options | WEXITED, false };
	int status = 0;
	struct rusage ru;
	struct thread_group *c;
	int kind;
	long r = do_wait(t, &w, &status, a->a[3] ? &ru : NULL, &c, &kind);
	if (r <= 0)
		return r;
	if (a->a[1] && copy_to_user(t, a->a[1], &status, sizeof(status)) < 0)
		return -EFAULT;
	if (a->a[3] && copy_to_user(t, a->a[3], &ru, sizeof(ru)) < 0)
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE(waitid, "ddpxp")
{
	int idtype = (int)a->a[0];
	pid_t id = (pid_t)a->a[1];
	int options = (int)a->a[3];
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	struct wait_req w = { 0, options, true };
	switch (idtype) {
	case P_ALL: w.pid = -1; break;
	case P_PID: if (id <= 0) return -EINVAL; w.pid = id; break;
	case P_PGID: if (id < 0) return -EINVAL; w.pid = id == 0 ? 0 : -id; break;
	default: return -EINVAL;
	}
	int status = 0, kind = 0;
	struct rusage ru;
	struct thread_group *c;
	long r = do_wait(t, &w, &status, a->a[4] ? &ru : NULL, &c, &kind);
	if (r < 0)
		return r;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (r > 0) {
		si.si_signo = SIGCHLD;
		si.si_pid = (pid_t)r;
		si.si_uid = 0;
		if (kind == CLD_EXITED) {
			if (WIFSIGNALED(status)) {
				si.si_code = CLD_KILLED;
				si.si_status = WTERMSIG(status);
			} else {
				si.si_code = CLD_EXITED;
				si.si_status = WEXITSTATUS(status);
			}
		} else if (kind == CLD_STOPPED) {
			si.si_code = CLD_STOPPED;
			si.si_status = (status >> 8) & 0xff;
		} else {
			si.si_code = CLD_CONTINUED;
			si.si_status = SIGCONT;
		}
	}
	if (a->a[2] && copy_to_user(t, a->a[2], &si, sizeof(si)) < 0)
		return -EFAULT;
	if (a->a[4] && copy_to_user(t, a->a[4], &ru, sizeof(ru)) < 0)
		return -EFAULT;
	return 0;
}

/* ---- per-thread state ---- */

SYSCALL_DEFINE(set_tid_address, "p")
{
	t->clear_child_tid = a->a[0];
	return t->tid;
}

SYSCALL_DEFINE(set_robust_list, "pu")
{
	/* struct robust_list_head is three words. */
	if (a->a[1] != 24)
		return -EINVAL;
	t->robust_list = a->a[0];
	t->robust_list_len = a->a[1];
	return 0;
}

SYSCALL_DEFINE(get_robust_list, "dpp")
{
	struct task *target = a->a[0] ? pid_lookup((pid_t)a->a[0]) : t;
	if (!target || target->state == TASK_DEAD)
		return -ESRCH;
	uint64_t head = target->robust_list, len = 24;
	if (copy_to_user(t, a->a[1], &head, 8) < 0 || copy_to_user(t, a->a[2], &len, 8) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(arch_prctl, "xp")
{
	struct user_regs_struct *r = &t->ctx->regs;
	switch ((int)a->a[0]) {
	case ARCH_SET_FS:
		if (a->a[1] >= APP_MAX_ADDR)
			return -EPERM;
		r->fs_base = a->a[1];
		t->ctx->regs_dirty = true;
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(t, a->a[1], &r->fs_base, 8) < 0 ? -EFAULT : 0;
	case ARCH_SET_GS:
		if (a->a[1] >= APP_MAX_ADDR)
			return -EPERM;
		r->gs_base = a->a[1];
		t->ctx->regs_dirty = true;
		return 0;
	case ARCH_GET_GS:
		return copy_to_user(t, a->a[1], &r->gs_base, 8) < 0 ? -EFAULT : 0;
	case ARCH_GET_CPUID:
		return 1; /* cpuid is not faulting */
	case ARCH_SET_CPUID:
		return -ENODEV; /* no CPUID faulting, as on hardware without it */
	default:
		return -EINVAL;
	}
}
