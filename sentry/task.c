/* Tasks: the syscall path, blocking, and the life of a process from
 * creation to reaping. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/futex.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel.h"
#include "sentry/mm.h"
#include "sentry/signal.h"
#include "sentry/task_impl.h"
#include "sentry/timers.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

/* ---- blocking ---- */

void task_wait_on(struct task *t, struct waitqueue *wq)
{
	if (t->poll_table) {
		t->poll_table->qproc(t->poll_table, wq);
		return;
	}
	if (t->nwaits >= TASK_MAX_WAITS) {
		log_once("task-max-waits", "a task waited on more than %d queues", TASK_MAX_WAITS);
		return;
	}
	struct wq_entry *e = &t->waits[t->nwaits++];
	e->task = t;
	e->fn = NULL;
	e->flags = 0;
	list_add_tail(&e->link, &wq->waiters);
}

void task_set_deadline(struct task *t, int64_t deadline)
{
	if (!t->sys.deadline)
		t->sys.deadline = deadline;
}

static void task_unwait(struct task *t)
{
	for (int i = 0; i < t->nwaits; i++)
		if (list_linked(&t->waits[i].link))
			list_del(&t->waits[i].link);
	t->nwaits = 0;
	ktimer_cancel(&t->wait_timer);
}

void task_wake(struct task *t)
{
	if (t->state != TASK_BLOCKED)
		return;
	task_unwait(t);
	kernel_make_runnable(t);
}

static void task_timer_fn(struct ktimer *tm)
{
	struct task *t = container_of(tm, struct task, wait_timer);
	t->sys.timed_out = true;
	task_wake(t);
}

void task_kick(struct task *t)
{
	switch (t->state) {
	case TASK_RUNNING:
		kernel->pops->ctx_interrupt(t->ctx);
		break;
	case TASK_BLOCKED:
		task_wake(t);
		break;
	case TASK_STOPPED:
		if ((t->pending.mask | t->tg->shared_pending.mask) & SIGMASK(SIGKILL))
			kernel_make_runnable(t);
		break;
	default:
		break;
	}
}

/* ---- the syscall path ---- */

static void task_kill_now(struct task *t, int sig)
{
	task_exit_group(t, W_EXITCODE(0, sig));
}

/* Delivers signals and resumes application code. */
static void return_to_user(struct task *t)
{
	for (int i = 0; i < SANDBOX_NSIG; i++) {
		signal_deliver(t);
		t->sys.in_syscall = false;
		if (t->state != TASK_RUNNABLE)
			return;
		if (!signal_pending(t))
			break;
	}
	if (kernel->frozen) {
		/* Paused sandbox: park; kernel_thaw lets the loop resume it. */
		kernel_make_runnable(t);
		return;
	}
	t->state = TASK_RUNNING;
	int err = kernel->pops->ctx_resume(t->ctx);
	if (err < 0) {
		log_error("task %d: resume failed: %s", t->tid, strerror(-err));
		t->state = TASK_RUNNABLE;
		task_kill_now(t, SIGKILL);
	}
}

static void syscall_run(struct task *t)
{
	t->state = TASK_RUNNABLE;
	long r = syscall_dispatch(t);
	if (t->state == TASK_DEAD)
		return;
	/* rt_sigreturn's result is the restored rax, whatever its value. */
	if (r == -EBLOCKED && t->sys.args.nr != __NR_rt_sigreturn) {
		t->state = TASK_BLOCKED;
		if (t->sys.deadline) {
			t->wait_timer.fn = task_timer_fn;
			ktimer_arm(&t->wait_timer, t->sys.deadline);
		}
		return;
	}
	task_unwait(t);
	t->sys.result = r;
	t->ctx->regs.rax = (uint64_t)r;
	t->ctx->regs_dirty = true;
	if (t->state == TASK_STOPPED)
		return;
	return_to_user(t);
}

static void syscall_enter(struct task *t)
{
	struct user_regs_struct *r = &t->ctx->regs;
	memset(&t->sys, 0, sizeof(t->sys));
	t->sys.in_syscall = true;
	t->sys.args.nr = (int)r->orig_rax;
	t->sys.args.a[0] = r->rdi;
	t->sys.args.a[1] = r->rsi;
	t->sys.args.a[2] = r->rdx;
	t->sys.args.a[3] = r->r10;
	t->sys.args.a[4] = r->r8;
	t->sys.args.a[5] = r->r9;
	syscall_run(t);
}

void task_handle_stop(struct task *t, const struct platform_stop *stop)
{
	if (t->state == TASK_DEAD)
		return;
	switch (stop->reason) {
	case PLATFORM_STOP_SYSCALL:
		syscall_enter(t);
		return;
	case PLATFORM_STOP_FAULT: {
		int signo = stop->signo, code = stop->si_code;

		t->state = TASK_RUNNABLE;
		if (signo == SIGSEGV && (code == SEGV_MAPERR || code == SEGV_ACCERR)) {
			/* A page not mapped yet (file pages, stack growth) or a
			 * write to a page shared copy-on-write is the sentry's to
			 * fix; otherwise the VMAs say what it is. */
			int err = code == SEGV_MAPERR ? mm_handle_fault(t->mm, stop->addr, false)
						      : mm_handle_wp_fault(t->mm, stop->addr);

			if (!err) {
				return_to_user(t);
				return;
			}
			mm_fault_signal(t->mm, stop->addr, err, &signo, &code);
		}
		signal_force_fault(t, signo, code, stop->addr, stop->trapno);
		return_to_user(t);
		return;
	}
	case PLATFORM_STOP_SIGNAL:
		log_debug("task %d: host signal %d suppressed", t->tid, stop->signo);
		/* fallthrough */
	case PLATFORM_STOP_INTERRUPT:
		t->state = TASK_RUNNABLE;
		if (t->tg->stopped && !signal_pending(t)) {
			t->state = TASK_STOPPED;
			return;
		}
		return_to_user(t);
		return;
	case PLATFORM_STOP_DIED:
		log_warn("task %d: stub process died (status 0x%x)", t->tid, stop->status);
		t->state = TASK_RUNNABLE;
		task_kill_now(t, WIFSIGNALED(stop->status) ? WTERMSIG(stop->status) : SIGKILL);
		return;
	}
}

void task_run(struct task *t)
{
	if (t->state != TASK_RUNNABLE)
		return;
	if (t->sys.in_syscall) {
		t->sys.restarted = true;
		if (t->sys.deadline && now_mono_ns() >= t->sys.deadline)
			t->sys.timed_out = true;
		syscall_run(t);
		return;
	}
	return_to_user(t);
}

/* ---- creation ---- */

struct task *task_alloc_process(struct thread_group *parent)
{
	pid_t pid = pid_alloc();
	if (pid < 0)
		return NULL;
	struct thread_group *tg = xzalloc(sizeof(*tg));
	struct task *t = xzalloc(sizeof(*t));
	tg->refcount = 1;
	tg->tgid = pid;
	tg->leader = t;
	list_init(&tg->threads);
	list_init(&tg->children);
	list_init(&tg->sibling);
	sigpending_init(&tg->shared_pending);
	wq_init(&tg->child_wait);
	tg->exit_signal = SIGCHLD;
	tg->start_time_mono = now_mono_ns();
	tg->parent = parent;
	if (parent) {
		list_add_tail(&tg->sibling, &parent->children);
		tg->pgid = parent->pgid;
		tg->sid = parent->sid;
		tg->ctty = parent->ctty;
		memcpy(tg->rlim, parent->rlim, sizeof(tg->rlim));
	}
	tg->nr_threads = 1;

	t->tid = pid;
	t->tg = tg;
	list_add_tail(&t->tg_link, &tg->threads);
	list_init(&t->run_link);
	sigpending_init(&t->pending);
	t->altstack.ss_flags = SS_DISABLE;
	t->state = TASK_RUNNABLE;
	list_init(&t->wait_timer.link);
	list_init(&t->futex.link);
	list_init(&t->dead_link);
	pid_insert(pid, t);
	kernel->nr_tasks++;
	return t;
}

struct task *task_alloc_thread(struct thread_group *tg)
{
	pid_t tid = pid_alloc();
	if (tid < 0)
		return NULL;
	struct task *t = xzalloc(sizeof(*t));
	t->tid = tid;
	t->tg = tg;
	list_add_tail(&t->tg_link, &tg->threads);
	tg->nr_threads++;
	list_init(&t->run_link);
	sigpending_init(&t->pending);
	t->altstack.ss_flags = SS_DISABLE;
	t->state = TASK_RUNNABLE;
	list_init(&t->wait_timer.link);
	list_init(&t->futex.link);
	list_init(&t->dead_link);
	pid_insert(tid, t);
	kernel->nr_tasks++;
	return t;
}

static void task_free(struct task *t)
{
	if (t->cred)
		cred_put(t->cred);
	if (t->sighand)
		sighand_put(t->sighand);
	free(t);
}

void task_free_dead(void)
{
	while (!list_empty(&kernel->dead_tasks)) {
		struct task *t = list_first_entry(&kernel->dead_tasks, struct task, dead_link);
		list_del(&t->dead_link);
		task_free(t);
	}
}

int task_de_thread(struct task *t)
{
	struct thread_group *tg = t->tg;
	struct task *o, *n;
	list_for_each_entry_safe(o, n, &tg->threads, tg_link)
		if (o != t && o->state != TASK_DEAD)
			task_exit_thread(o, 0);
	if (tg->leader == t)
		return 0;
	/* The exec'ing thread becomes the leader and takes its pid. */
	struct task *old = tg->leader;
	pid_remove(old->tid);
	list_del(&old->tg_link);
	list_add_tail(&old->dead_link, &kernel->dead_tasks);
	pid_remove(t->tid);
	t->tid = tg->tgid;
	pid_insert(t->tid, t);
	tg->leader = t;
	return 0;
}

int task_attach_context(struct task *t)
{
	int err = kernel->pops->ctx_new(t->mm->as, &t->ctx);
	if (err < 0)
		return err;
	t->ctx->owner = t;
	return 0;
}

/* ---- accounting ---- */

/* Reads the CPU time of t's address space: 0 if it has none (exec in
 * progress, or the platform cannot tell). */
static void as_cpu_time(struct task *t, uint64_t *user, uint64_t *total)
{
	*user = *total = 0;
	if (t->state == TASK_DEAD || !t->mm || !t->mm->as || !kernel->pops->as_cpu_time)
		return;
	if (kernel->pops->as_cpu_time(t->mm->as, user, total) < 0)
		*user = *total = 0;
}

/* Threads share their address space, whose clock covers them all: count
 * each address space once, at its first live thread. */
static bool mm_counted_before(struct task *t)
{
	struct task *o;
	list_for_each_entry(o, &t->tg->threads, tg_link) {
		if (o == t)
			return false;
		if (o->state != TASK_DEAD && o->mm == t->mm)
			return true;
	}
	return false;
}

static bool mm_shared_in_tg(struct task *t)
{
	struct task *o;
	list_for_each_entry(o, &t->tg->threads, tg_link)
		if (o != t && o->state != TASK_DEAD && o->mm == t->mm)
			return true;
	return false;
}

void tg_update_cputime(struct thread_group *tg)
{
	uint64_t user = tg->dead_utime_ns, sys = tg->dead_stime_ns;
	struct task *t;
	list_for_each_entry(t, &tg->threads, tg_link) {
		uint64_t u = 0, tot = 0;
		if (!mm_counted_before(t))
			as_cpu_time(t, &u, &tot);
		/* A new image's address space restarts from zero: add what the
		 * process used before its execs. */
		user += u + t->exec_utime_ns;
		sys += tot - u + t->exec_stime_ns;
	}
	tg->utime_ns = user;
	tg->stime_ns = sys;
}

/* Banks t's address-space CPU time before that address space goes. */
void task_bank_cputime(struct task *t, bool exiting)
{
	uint64_t u = 0, tot = 0;
	if (!mm_shared_in_tg(t))
		as_cpu_time(t, &u, &tot);
	if (exiting) {
		t->tg->dead_utime_ns += u + t->exec_utime_ns;
		t->tg->dead_stime_ns += tot - u + t->exec_stime_ns;
	} else {
		t->exec_utime_ns += u;
		t->exec_stime_ns += tot - u;
	}
}

/* ---- exit ---- */

/* The new parent of an exiting process's children: the nearest living
 * ancestor that is a child subreaper (PR_SET_CHILD_SUBREAPER), else init. */
static struct thread_group *find_new_reaper(struct thread_group *tg)
{
	for (struct thread_group *a = tg->parent; a; a = a->parent)
		if (a->is_child_subreaper && !a->group_exiting && !a->zombie)
			return a;
	return kernel->init_tg;
}

static void reparent_children(struct thread_group *tg)
{
	struct thread_group *reaper = find_new_reaper(tg);
	struct thread_group *c, *n;
	list_for_each_entry_safe(c, n, &tg->children, sibling) {
		list_del(&c->sibling);
		if (!reaper || reaper == tg) {
			c->parent = NULL;
			continue;
		}
		c->parent = reaper;
		list_add_tail(&c->sibling, &reaper->children);
		/* PR_SET_PDEATHSIG: the child hears of its parent's death. */
		struct task *ct;
		list_for_each_entry(ct, &c->threads, tg_link) {
			if (ct->state != TASK_DEAD && ct->pdeath_signal) {
				siginfo_t si;
				memset(&si, 0, sizeof(si));
				si.si_signo = ct->pdeath_signal;
				si.si_code = SI_USER;
				signal_send_thread(ct, ct->pdeath_signal, &si);
			}
		}
		if (c->zombie) {
			if (signal_parent_autoreaps(reaper))
				tg_release(c);
			else
				signal_notify_parent(c, WIFSIGNALED(c->group_exit_status) ? CLD_KILLED : CLD_EXITED,
						     c->group_exit_status);
		}
	}
}

/* An exited process nobody will reap: out of its parent's children now,
 * freed by the event loop later. Never here: the exiting task's own
 * syscall path still uses it after the exit (kernel.orphan_zombies). */
static void release_later(struct thread_group *tg)
{
	if (list_linked(&tg->sibling))
		list_del(&tg->sibling);
	tg->parent = NULL;
	list_add_tail(&tg->sibling, &kernel->orphan_zombies);
}

static void tg_exit_notify(struct thread_group *tg)
{
	int status = tg->group_exit_status;
	timers_exit(tg); /* exit_itimers() and the itimers */
	tg_update_cputime(tg); /* final: SIGCHLD and wait4 report it */
	kernel->exited_utime_ns += tg->utime_ns;
	kernel->exited_stime_ns += tg->stime_ns;
	if (tg->exit_hook) {
		void (*hook)(struct thread_group *, void *) = tg->exit_hook;
		tg->exit_hook = NULL;
		hook(tg, tg->exit_hook_arg);
	}
	if (tg->vfork_waiter) {
		task_wake(tg->vfork_waiter);
		tg->vfork_waiter = NULL;
	}
	/* A session leader's exit takes the session's terminal away. */
	if (tg->sid == tg->tgid)
		tty_session_leader_exit(tg);
	if (tg == kernel->init_tg) {
		/* The pid namespace dies with its init: the sandbox is over. */
		kernel->init_exited = true;
		kernel->init_wait_status = status;
		tg->zombie = true;
		return;
	}
	reparent_children(tg);
	tg->zombie = true;
	struct thread_group *parent = tg->parent;
	if (!parent) {
		release_later(tg);
		return;
	}
	int why = WIFSIGNALED(status) ? CLD_KILLED : CLD_EXITED;
	if (tg->exit_signal == SIGCHLD && signal_parent_autoreaps(parent)) {
		release_later(tg);
		wq_wake_all(&parent->child_wait);
		return;
	}
	signal_notify_parent(tg, why, status);
}

void task_exit_thread(struct task *t, int code)
{
	if (t->state == TASK_DEAD)
		return;
	struct thread_group *tg = t->tg;
	task_unwait(t);
	if (list_linked(&t->run_link))
		list_del(&t->run_link);
	futex_task_exit(t);
	/* mm_release: tell a joiner, if anyone else still uses the memory. */
	if (t->clear_child_tid && t->mm && t->mm->refcount > 1) {
		uint32_t zero = 0;
		if (mm_copy_to(t->mm, t->clear_child_tid, &zero, sizeof(zero), 0) == 0)
			futex_wake_addr(t->mm, t->clear_child_tid, 1);
	}
	t->clear_child_tid = 0;
	if (t->files) {
		fdtable_put(t->files);
		t->files = NULL;
	}
	if (t->fs) {
		fs_context_put(t->fs);
		t->fs = NULL;
	}
	task_bank_cputime(t, true);
	if (t->ctx) {
		kernel->pops->ctx_release(t->ctx);
		t->ctx = NULL;
	}
	if (t->mm) {
		mm_put(t->mm);
		t->mm = NULL;
	}
	sigpending_flush(&t->pending);
	t->state = TASK_DEAD;
	kernel->nr_tasks--;
	if (t != tg->leader) {
		/* Threads other than the leader are reaped at once; the struct
		 * goes after the current syscall path is done with it. */
		list_del(&t->tg_link);
		pid_remove(t->tid);
		list_add_tail(&t->dead_link, &kernel->dead_tasks);
	}
	if (--tg->nr_threads == 0) {
		if (!tg->group_exiting) {
			tg->group_exiting = true;
			tg->group_exit_status = W_EXITCODE(code & 0xff, 0);
		}
		sem_exit(tg);
		tg_exit_notify(tg);
	}
}

void task_exit_group(struct task *t, int wait_status)
{
	struct thread_group *tg = t->tg;
	if (!tg->group_exiting) {
		tg->group_exiting = true;
		tg->group_exit_status = wait_status;
	}
	struct task *o, *n;
	list_for_each_entry_safe(o, n, &tg->threads, tg_link)
		if (o != t)
			task_exit_thread(o, 0);
	task_exit_thread(t, 0);
}

void tg_release(struct thread_group *tg)
{
	tg->reaped = true;
	if (list_linked(&tg->sibling))
		list_del(&tg->sibling);
	sigpending_flush(&tg->shared_pending);
	struct task *t, *n;
	list_for_each_entry_safe(t, n, &tg->threads, tg_link) {
		pid_remove(t->tid);
		list_del(&t->tg_link);
		task_free(t);
	}
	free(tg->exe_path);
	free(tg);
}
