/* The sentry's kernel objects: tasks, thread groups, wait queues, timers,
 * and the single kernel instance that owns them.
 *
 * The sentry is one host thread running an event loop (kernel_run). A task
 * is either running application code on the platform, runnable (the kernel
 * owes it work: run or re-run a syscall, deliver a signal, resume it),
 * blocked on wait queues and/or a deadline, stopped, or a zombie.
 *
 * Blocking syscalls follow one rule: a handler that cannot finish queues
 * the task on wait queues (task_wait_on) and returns -EBLOCKED. When any of
 * those queues is woken, the deadline passes, or a signal arrives, the
 * kernel runs the same handler again from scratch with the same arguments
 * (t->sys.restarted is then true). Handlers therefore check for a pending
 * signal (return -ERESTARTSYS or -EINTR) and an expired deadline before
 * blocking again. */
#ifndef SENTRY_KERNEL_H
#define SENTRY_KERNEL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "platform/platform.h"
#include "sentry/list.h"

/* Kernel-internal errno values (include/linux/errno.h); never reach user
 * space. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516
#define EBLOCKED 530 /* sandboxrun: task queued, re-run the syscall on wake */

#define SANDBOX_NSIG 64
typedef uint64_t ksigset_t; /* bit (sig-1) */
#define SIGMASK(sig) (1ULL << ((sig) - 1))

struct task;
struct mm;
struct fdtable;
struct fs_context;
struct kernel;
struct tty_struct;

/* ---- wait queues ------------------------------------------------------ */

struct waitqueue {
	struct list_head waiters; /* of struct wq_entry */
};

struct wq_entry {
	struct list_head link;
	struct task *task;
	/* The callback form (task NULL, queued with wq_add_entry): fn runs
	 * on every wake of the queue, with the wake's key (POLL* bits that
	 * may have changed, 0 = anything), and the entry stays queued until
	 * its owner removes it (epoll items watching a file). */
	int (*fn)(struct wq_entry *e, unsigned int key);
	unsigned int flags;             /* WQ_FLAG_* */
};

/* Of all the exclusive callback entries a wake reaches, the first whose fn
 * returns nonzero ends it for the others (Linux's nr_exclusive = 1, what
 * EPOLLEXCLUSIVE relies on). Tasks and other entries are always woken. */
#define WQ_FLAG_EXCLUSIVE 0x1

void wq_init(struct waitqueue *wq);
/* Makes every waiting task runnable (it re-runs its syscall) and runs the
 * callback entries with key 0. */
void wq_wake_all(struct waitqueue *wq);
/* The same, telling callbacks which events the wake is about (a pipe read
 * wakes with POLLOUT: an edge-triggered EPOLLIN watcher must not fire). */
void wq_wake_key(struct waitqueue *wq, unsigned int key);
bool wq_has_waiters(const struct waitqueue *wq);
/* Queues a callback entry (e->fn set, e->task NULL); list_del(&e->link)
 * removes it. */
void wq_add_entry(struct waitqueue *wq, struct wq_entry *e);

/* Linux's poll_table: while t->poll_table is set, task_wait_on(t, wq)
 * calls qproc(pt, wq) instead of queueing t. epoll sets it around a
 * file's poll op to learn the queues the file would wait on, and to poll
 * in the context of the task that asks (signalfd's readiness is that
 * task's pending signals). */
struct poll_table {
	void (*qproc)(struct poll_table *pt, struct waitqueue *wq);
};

/* ---- timers ----------------------------------------------------------- */

struct ktimer {
	struct list_head link;
	int64_t deadline; /* CLOCK_MONOTONIC ns */
	void (*fn)(struct ktimer *);
	bool armed;
};

void ktimer_arm(struct ktimer *tm, int64_t deadline_mono_ns);
void ktimer_cancel(struct ktimer *tm);

/* ---- host fd readiness ------------------------------------------------- */

/* Wakes wq once when host fd becomes ready for events (POLLIN/POLLOUT).
 * Used by files backed by host fds (the workload's stdio). One-shot. */
int kernel_watch_host_fd(int fd, short events, struct waitqueue *wq);
/* Drops every watch that would wake wq: call before freeing wq. */
void kernel_unwatch(struct waitqueue *wq);

/* A persistent handler for a host fd the sentry itself serves (the
 * control socket, a console master): fn runs in the event loop whenever
 * the fd is ready for events, until kernel_del_fd_handler. */
typedef void (*kernel_fd_fn)(int fd, short revents, void *arg);
int kernel_add_fd_handler(int fd, short events, kernel_fd_fn fn, void *arg);
void kernel_del_fd_handler(int fd);

/* ---- credentials -------------------------------------------------------- */

struct cred {
	int refcount;
	uid_t uid, euid, suid, fsuid;
	gid_t gid, egid, sgid, fsgid;
	gid_t *groups;
	int ngroups;
	uint64_t cap_effective, cap_permitted, cap_inheritable, cap_bounding, cap_ambient;
	bool no_new_privs;
};

struct cred *cred_new_root(void);
struct cred *cred_get(struct cred *c);
void cred_put(struct cred *c);
struct cred *cred_copy(const struct cred *c); /* refcount 1 */
bool cred_capable(const struct cred *c, int cap);

/* ---- signals (see sentry/signal.h for operations) ----------------------- */

struct k_sigaction {
	uint64_t handler; /* SIG_DFL=0, SIG_IGN=1, or address */
	uint64_t flags;
	uint64_t restorer;
	ksigset_t mask;
};

struct sighand {
	int refcount;
	struct k_sigaction action[SANDBOX_NSIG];
};

struct sigqueue {
	struct list_head link;
	siginfo_t info;
};

struct sigpending {
	struct list_head queue; /* of struct sigqueue */
	ksigset_t mask;
};

/* ---- thread groups (processes) ------------------------------------------ */

struct thread_group {
	int refcount;
	pid_t tgid;
	struct task *leader;
	struct list_head threads;       /* of task.tg_link */
	int nr_threads;

	struct thread_group *parent;    /* NULL for init */
	struct list_head children;      /* of thread_group.sibling */
	struct list_head sibling;
	int exit_signal;                /* signal to parent on exit, usually SIGCHLD */

	pid_t pgid, sid;

	struct sigpending shared_pending;

	/* Exit and job control */
	bool group_exiting;
	int group_exit_status;          /* wait status once exiting */
	bool zombie;                    /* all threads gone, waiting to be reaped */
	bool reaped;
	bool stopped;                   /* group stop in effect */
	int stop_signal;
	bool stop_reported, cont_reported;
	struct waitqueue child_wait;    /* wait4/waitid callers in this process */

	struct rlimit rlim[RLIM_NLIMITS];
	int64_t start_time_mono;
	uint64_t utime_ns, stime_ns, cutime_ns, cstime_ns;

	struct task *vfork_waiter;      /* parent blocked in vfork until exec/exit */
	char *exe_path;                 /* for /proc/self/exe and ps */

	/* prctl/personality state (syscalls/sys_info.c). fork copies these;
	 * execve sets nondumpable = false. */
	bool is_child_subreaper;        /* PR_SET_CHILD_SUBREAPER */
	bool nondumpable;               /* PR_SET_DUMPABLE 0 (zero = dumpable) */
	unsigned int personality;       /* personality(2), PER_LINUX = 0 */
	/* CPU time of threads that have exited (tg_update_cputime). */
	uint64_t dead_utime_ns, dead_stime_ns;
	/* /proc/PID/oom_score_adj and the floor below which only
	 * CAP_SYS_RESOURCE may set it; fork copies both. Kept for the
	 * workload to read back: the sandbox has no OOM killer of its own. */
	int oom_score_adj, oom_score_adj_min;
	/* The controlling terminal (sentry/fs/tty.h), NULL: none. fork
	 * copies it, setsid clears it; a terminal that goes away clears
	 * every pointer to itself. */
	struct tty_struct *ctty;
	/* Interval timers and POSIX timers (sentry/timers.c); NULL until the
	 * process sets one. Not inherited by fork; freed at exit. */
	struct tg_timers *timers;
	/* Called once when the process exits (before a parentless process
	 * is released), with group_exit_status set: the control socket
	 * reports exec'd processes' statuses through it. */
	void (*exit_hook)(struct thread_group *tg, void *arg);
	void *exit_hook_arg;
	/* SysV semaphore adjustments (SEM_UNDO) of the process, shared by its
	 * threads and applied when the last one exits (sentry/sysv_sem.c). */
	struct sem_undo_list *sysvsem_undo;
};

/* ---- tasks (threads) ---------------------------------------------------- */

enum task_state {
	TASK_RUNNABLE = 1, /* the kernel owes it work; on the runqueue */
	TASK_RUNNING,      /* running application code on the platform */
	TASK_BLOCKED,      /* waiting: wait queues, deadline, or signal */
	TASK_STOPPED,      /* job-control stop */
	TASK_DEAD,         /* exited; its thread group may be a zombie */
};

struct syscall_args {
	int nr;
	uint64_t a[6];
};

#define TASK_MAX_WAITS 8

struct task {
	pid_t tid;
	struct thread_group *tg;
	struct list_head tg_link;
	char comm[16];

	struct mm *mm;
	struct platform_context *ctx;
	struct fdtable *files;
	struct fs_context *fs;
	struct cred *cred;
	struct sighand *sighand;

	ksigset_t blocked;
	ksigset_t saved_blocked;   /* rt_sigsuspend/ppoll restore this after delivery */
	bool restore_blocked;
	struct sigpending pending;
	stack_t altstack;

	enum task_state state;
	struct list_head run_link; /* on kernel runqueue while RUNNABLE */

	/* The syscall being executed (valid while in_syscall). */
	struct {
		bool in_syscall;
		bool restarted;        /* handler is being re-run after a wake */
		struct syscall_args args;
		long result;
		int64_t deadline;      /* CLOCK_MONOTONIC ns, 0 = none */
		bool timed_out;        /* deadline passed while blocked */
		uint64_t scratch[6];   /* per-syscall state kept across re-runs */
	} sys;
	struct wq_entry waits[TASK_MAX_WAITS];
	int nwaits;
	struct ktimer wait_timer;

	uint64_t clear_child_tid;
	uint64_t robust_list, robust_list_len;
	bool exiting;
	int pdeath_signal;

	/* rt_sigtimedwait: the mask before it unblocked the waited set, so
	 * those signals still count as blocked (never ignored at generation). */
	ksigset_t real_blocked;
	/* restart_syscall(2) state (Linux's restart_block): set by a sleep
	 * interrupted with -ERESTART_RESTARTBLOCK; fn NULL = nothing to
	 * restart. Not inherited by fork (zeroed). */
	struct {
		long (*fn)(struct task *t);
		int64_t deadline;   /* CLOCK_MONOTONIC ns */
		uint64_t uaddr;     /* remaining-time buffer, 0 = none */
	} restart_block;
	/* setpriority(2) nice value, -20..19; fork copies it. The event loop
	 * has no priorities: it is kept for getpriority and the RLIMIT_NICE
	 * and CAP_SYS_NICE rules. */
	int nice;
	/* CPU time of this thread's earlier images (each exec gets a new
	 * address space whose clock starts at zero). */
	uint64_t exec_utime_ns, exec_stime_ns;
	/* The futex this thread sleeps on (sentry/futex.c). */
	struct {
		struct list_head link;   /* on its hash bucket while queued */
		void *key_mm;            /* private: the mm; shared: NULL */
		uint64_t key;            /* private: address; shared: memory-file offset */
		uint32_t bitset;
		bool queued, woken;
		bool pi;                 /* waiting for a PI lock hand-over */
	} futex;
	struct list_head dead_link;  /* on kernel->dead_tasks until freed */
	/* Set while epoll polls a file on this task's behalf: task_wait_on
	 * reports queues there instead of queueing the task. */
	struct poll_table *poll_table;
};

/* ---- the kernel --------------------------------------------------------- */

struct memfile;
struct gofer_client;
struct mount;
struct spec;

struct host_watch {
	int fd;
	short events;
	struct waitqueue *wq;
};

struct fd_handler {
	int fd;
	short events;
	void (*fn)(int fd, short revents, void *arg);
	void *arg;
};

struct kernel {
	const struct platform_ops *pops;
	struct platform *platform;
	struct memfile *mf;
	struct gofer_client *gofer;

	struct list_head runqueue;     /* of task.run_link */
	struct list_head timers;       /* of ktimer, sorted by deadline */
	struct host_watch *watches;
	int nwatches, watches_cap;
	struct fd_handler *handlers;
	int nhandlers, handlers_cap;
	struct list_head dead_tasks;   /* exited non-leader threads to free */

	void *pid_table;               /* pid -> task (sentry/pidtable.c) */
	pid_t last_pid;
	int nr_tasks;
	struct thread_group *init_tg;

	struct mount *root_mount;      /* the root of the sandbox's mount tree */

	char hostname[65];
	char domainname[65];

	bool strace;
	int host_signalfd;             /* SIGCHLD and signals forwarded by the CLI */

	bool init_exited;
	int init_wait_status;          /* the sandbox's exit status */
	int64_t boot_mono_ns;
	int64_t boot_real_ns;

	/* The task whose syscall handler is running (set by the dispatcher),
	 * NULL outside syscalls: Linux's `current` for code that has no task
	 * argument (inode ownership on create, vfs_current_cred). */
	struct task *current;
	/* Boot configuration the mount tree is built from (vfs_init_root):
	 * config.json (NULL in unit tests) and --overlay=none, which sends
	 * rootfs writes to the gofer instead of an in-memory upper layer. */
	const struct spec *spec;
	bool root_overlay_none;
	/* pause/resume (kernel_freeze): while frozen no task is resumed into
	 * application code and the runqueue is not run. */
	bool frozen;
	void (*freeze_done)(void *arg);
	void *freeze_done_arg;
	/* CPU time of processes that have exited (sandbox-wide accounting). */
	uint64_t exited_utime_ns, exited_stime_ns;
	/* Exited processes without a parent (exec'd through the control
	 * socket), freed by the event loop: never inside their own exit,
	 * whose callers still hold the task. Linked by thread_group.sibling. */
	struct list_head orphan_zombies;
};

extern struct kernel *kernel;

/* Emulated kernel identity (uname), never the host's. */
#define SANDBOX_UTS_SYSNAME "Linux"
#define SANDBOX_UTS_RELEASE "4.4.0"
#define SANDBOX_UTS_VERSION "#1 SMP Sun Jan 10 15:06:54 PST 2016"
#define SANDBOX_UTS_MACHINE "x86_64"

/* The sandbox's CPUs: one, CPU 0 (sched_getaffinity, /proc/cpuinfo,
 * /sys/devices/system/cpu). */
#define SANDBOX_NR_CPUS 1
/* The largest pid (pidtable.c), /proc/sys/kernel/pid_max. */
#define SANDBOX_PID_MAX 32768

/* meminfo.c: memory as the sandbox sees it (sysinfo, /proc/meminfo), in
 * bytes: the total and what the memory file has handed out. */
void kernel_mem_usage(uint64_t *total, uint64_t *used);

/* kernel.c */
int kernel_init(struct kernel *k);
/* Runs until the init process exits; returns its wait status. */
int kernel_run(struct kernel *k);
void kernel_make_runnable(struct task *t);
int64_t kernel_mono_ns(void); /* monotonic clock as the sandbox sees it */
/* The CLOCK_MONOTONIC instant when clock id (REALTIME, TAI or BOOTTIME:
 * the host's clocks of those names) reads abs_ns; now if that is past.
 * For absolute deadlines: never earlier than the true instant, so a task
 * that wakes there reads at least abs_ns on that clock. */
int64_t kernel_abs_to_mono(clockid_t id, int64_t abs_ns);
/* The vDSO every address space has (the platform's), or NULL. */
const struct platform_vdso *kernel_vdso(void);
/* Freezes every task: tasks running application code are interrupted and,
 * like every other task, parked at their next return to user mode; blocked
 * tasks that wake stay queued. done(arg) runs (once, from the event loop
 * or at once) when no task runs application code any more. A second
 * freeze while one is pending replaces nothing and returns -EBUSY. */
int kernel_freeze(struct kernel *k, void (*done)(void *arg), void *arg);
void kernel_thaw(struct kernel *k);
/* Calls fn for every live task (any state but DEAD). */
void kernel_for_each_task(void (*fn)(struct task *t, void *arg), void *arg);

/* pidtable.c */
pid_t pid_alloc(void);
int pid_insert(pid_t pid, struct task *t);
void pid_remove(pid_t pid);
struct task *pid_lookup(pid_t pid);          /* any task by tid */
struct thread_group *tg_lookup(pid_t tgid);  /* process by pid */
/* Calls fn for every thread group; stops when fn returns nonzero. */
int tg_for_each(int (*fn)(struct thread_group *tg, void *arg), void *arg);
void pidtable_free(void);

/* task.c: blocking. task_wait_on queues the task on wq for the current
 * syscall; the handler then returns -EBLOCKED. task_set_deadline arms the
 * syscall's deadline (kept across re-runs: only the first call sets it). */
void task_wait_on(struct task *t, struct waitqueue *wq);
void task_set_deadline(struct task *t, int64_t deadline_mono_ns);
/* Wakes a blocked task (signal delivery, wait queue, timer). */
void task_wake(struct task *t);
/* Makes t notice a newly pending signal: interrupts it through the platform
 * if it is running application code, wakes it if blocked; a stopped task
 * is only woken for SIGKILL (and SIGCONT handles itself). */
void task_kick(struct task *t);

/* task.c: lifecycle */
int task_create_init(struct kernel *k, const char *path, char *const argv[], char *const envp[],
		     const char *cwd, struct cred *cred);
/* Ends the calling thread's whole process with a wait status. */
void task_exit_group(struct task *t, int wait_status);
void task_exit_thread(struct task *t, int exit_code);
/* Refreshes tg->utime_ns/stime_ns from the platform (the threads that
 * exited are already counted in them). */
void tg_update_cputime(struct thread_group *tg);
static inline pid_t task_tgid(const struct task *t) { return t->tg->tgid; }

/* sysv_sem.c: the process is gone; apply and drop its SEM_UNDO list. */
void sem_exit(struct thread_group *tg);

#ifndef W_EXITCODE
#define W_EXITCODE(ret, sig) ((ret) << 8 | (sig))
#endif

#endif
