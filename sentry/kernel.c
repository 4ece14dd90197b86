/* The sentry's event loop: runs tasks the kernel owes work to, then sleeps
 * in ppoll on the platform's event fd, the host-signal fd, watched host fds
 * and the earliest timer. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/task_impl.h"

struct kernel *kernel;

int64_t kernel_mono_ns(void) { return now_mono_ns(); }

int64_t kernel_abs_to_mono(clockid_t id, int64_t abs_ns)
{
	struct timespec ts;
	/* The other clock first: the offset comes out no larger than the
	 * true one, so the deadline no earlier. */
	clock_gettime(id, &ts);
	int64_t clk = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	int64_t mono = kernel_mono_ns();
	int64_t delta = abs_ns - clk;
	if (delta <= 0)
		return mono;
	return delta > INT64_MAX - mono ? INT64_MAX : mono + delta;
}

const struct platform_vdso *kernel_vdso(void)
{
	if (!kernel || !kernel->pops || !kernel->pops->vdso || !kernel->platform)
		return NULL;
	return kernel->pops->vdso(kernel->platform);
}

/* ---- wait queues ---- */

void wq_init(struct waitqueue *wq) { list_init(&wq->waiters); }

bool wq_has_waiters(const struct waitqueue *wq) { return !list_empty(&wq->waiters); }

void wq_add_entry(struct waitqueue *wq, struct wq_entry *e)
{
	e->task = NULL;
	list_add_tail(&e->link, &wq->waiters);
}

void wq_wake_key(struct waitqueue *wq, unsigned int key)
{
	struct list_head todo;
	bool exclusive_done = false;

	if (list_empty(&wq->waiters))
		return;
	/* Work from a private list: callback entries go back on the queue
	 * before their fn runs, and whatever a callback queues or removes
	 * meanwhile is neither lost nor visited twice. */
	todo = wq->waiters;
	todo.next->prev = &todo;
	todo.prev->next = &todo;
	list_init(&wq->waiters);
	while (!list_empty(&todo)) {
		struct wq_entry *e = list_first_entry(&todo, struct wq_entry, link);
		list_del(&e->link);
		if (!e->fn) {
			/* task_wake unlinks every other entry of the task. */
			task_wake(e->task);
			continue;
		}
		list_add_tail(&e->link, &wq->waiters);
		if (e->flags & WQ_FLAG_EXCLUSIVE) {
			if (exclusive_done)
				continue;
			if (e->fn(e, key))
				exclusive_done = true;
		} else {
			e->fn(e, key);
		}
	}
}

void wq_wake_all(struct waitqueue *wq) { wq_wake_key(wq, 0); }

/* ---- timers ---- */

void ktimer_arm(struct ktimer *tm, int64_t deadline)
{
	if (tm->armed)
		list_del(&tm->link);
	tm->deadline = deadline;
	tm->armed = true;
	struct ktimer *it;
	list_for_each_entry(it, &kernel->timers, link) {
		if (it->deadline > deadline) {
			list_add_tail(&tm->link, &it->link);
			return;
		}
	}
	list_add_tail(&tm->link, &kernel->timers);
}

void ktimer_cancel(struct ktimer *tm)
{
	if (!tm->armed)
		return;
	list_del(&tm->link);
	tm->armed = false;
}

static void timers_fire(struct kernel *k)
{
	int64_t now = now_mono_ns();
	while (!list_empty(&k->timers)) {
		struct ktimer *tm = list_first_entry(&k->timers, struct ktimer, link);
		if (tm->deadline > now)
			break;
		list_del(&tm->link);
		tm->armed = false;
		tm->fn(tm);
	}
}

/* ---- host fd readiness ---- */

int kernel_watch_host_fd(int fd, short events, struct waitqueue *wq)
{
	struct kernel *k = kernel;
	for (int i = 0; i < k->nwatches; i++) {
		if (k->watches[i].fd == fd && k->watches[i].wq == wq) {
			k->watches[i].events |= events;
			return 0;
		}
	}
	if (k->nwatches == k->watches_cap) {
		k->watches_cap = k->watches_cap ? k->watches_cap * 2 : 8;
		k->watches = xrealloc(k->watches, (size_t)k->watches_cap * sizeof(*k->watches));
	}
	k->watches[k->nwatches++] = (struct host_watch){ fd, events, wq };
	return 0;
}

void kernel_unwatch(struct waitqueue *wq)
{
	struct kernel *k = kernel;
	int kept = 0;
	for (int i = 0; i < k->nwatches; i++)
		if (k->watches[i].wq != wq)
			k->watches[kept++] = k->watches[i];
	k->nwatches = kept;
}

int kernel_add_fd_handler(int fd, short events, kernel_fd_fn fn, void *arg)
{
	struct kernel *k = kernel;
	if (k->nhandlers == k->handlers_cap) {
		k->handlers_cap = k->handlers_cap ? k->handlers_cap * 2 : 4;
		k->handlers = xrealloc(k->handlers, (size_t)k->handlers_cap * sizeof(*k->handlers));
	}
	k->handlers[k->nhandlers++] = (struct fd_handler){ fd, events, fn, arg };
	return 0;
}

void kernel_del_fd_handler(int fd)
{
	struct kernel *k = kernel;
	int kept = 0;
	for (int i = 0; i < k->nhandlers; i++)
		if (k->handlers[i].fd != fd)
			k->handlers[kept++] = k->handlers[i];
	k->nhandlers = kept;
}

/* ---- the loop ---- */

void kernel_make_runnable(struct task *t)
{
	if (t->state == TASK_DEAD)
		return;
	t->state = TASK_RUNNABLE;
	if (!list_linked(&t->run_link))
		list_add_tail(&t->run_link, &kernel->runqueue);
}

/* ---- freezing (pause/resume) ---- */

struct task_iter {
	void (*fn)(struct task *t, void *arg);
	void *arg;
};

static int for_each_task_tg(struct thread_group *tg, void *arg)
{
	struct task_iter *it = arg;
	struct task *t, *n;
	list_for_each_entry_safe(t, n, &tg->threads, tg_link)
		if (t->state != TASK_DEAD)
			it->fn(t, it->arg);
	return 0;
}

void kernel_for_each_task(void (*fn)(struct task *t, void *arg), void *arg)
{
	struct task_iter it = { fn, arg };
	tg_for_each(for_each_task_tg, &it);
}

static void interrupt_running(struct task *t, void *arg)
{
	bool *any = arg;
	if (t->state != TASK_RUNNING)
		return;
	*any = true;
	kernel->pops->ctx_interrupt(t->ctx);
}

static void note_running(struct task *t, void *arg)
{
	if (t->state == TASK_RUNNING)
		*(bool *)arg = true;
}

static bool any_task_running(void)
{
	bool any = false;
	kernel_for_each_task(note_running, &any);
	return any;
}

static void freeze_check_done(struct kernel *k)
{
	if (!k->frozen || !k->freeze_done || any_task_running())
		return;
	void (*fn)(void *) = k->freeze_done;
	k->freeze_done = NULL;
	fn(k->freeze_done_arg);
}

int kernel_freeze(struct kernel *k, void (*done)(void *arg), void *arg)
{
	if (k->freeze_done)
		return -EBUSY;
	k->frozen = true;
	k->freeze_done = done;
	k->freeze_done_arg = arg;
	/* A running task stops soon (PLATFORM_STOP_INTERRUPT) and parks in
	 * return_to_user; a stop already on its way parks the same way after
	 * its syscall, as Linux's freezer lets a syscall in progress finish. */
	bool any = false;
	kernel_for_each_task(interrupt_running, &any);
	if (!any)
		freeze_check_done(k);
	return 0;
}

void kernel_thaw(struct kernel *k)
{
	k->frozen = false;
	k->freeze_done = NULL;
	/* Parked tasks are on the runqueue: the loop runs them again. */
}

static void handle_host_signals(struct kernel *k)
{
	struct signalfd_siginfo ssi;
	while (read(k->host_signalfd, &ssi, sizeof(ssi)) == sizeof(ssi)) {
		int sig = (int)ssi.ssi_signo;
		if (!k->init_tg || k->init_tg->zombie)
			continue;
		/* With a console, SIGWINCH from the CLI means the host terminal
		 * was resized: the console passes that on as the sandbox
		 * terminal's own SIGWINCH. */
		if (console_active() && sig == SIGWINCH) {
			console_host_resized();
			continue;
		}
		/* Signals from outside (the CLI forwarding the user's ^C or
		 * `kill`) go to the container's init, as runc delivers them. */
		siginfo_t info;
		memset(&info, 0, sizeof(info));
		info.si_signo = sig;
		info.si_code = SI_USER;
		info.si_pid = 0;
		info.si_uid = 0;
		log_debug("host signal %d forwarded to init", sig);
		signal_send_group(k->init_tg, sig, &info);
	}
}

static void handle_platform_stops(struct kernel *k)
{
	for (;;) {
		struct platform_context *ctx;
		struct platform_stop stop;
		int r = k->pops->next_stop(k->platform, &ctx, &stop);
		if (r <= 0) {
			if (r < 0)
				log_error("platform: %s", strerror(-r));
			return;
		}
		struct task *t = ctx->owner;
		if (t)
			task_handle_stop(t, &stop);
	}
}

static void release_orphan_zombies(struct kernel *k)
{
	while (!list_empty(&k->orphan_zombies)) {
		struct thread_group *tg =
			list_first_entry(&k->orphan_zombies, struct thread_group, sibling);
		tg_release(tg); /* unlinks it */
	}
}

int kernel_run(struct kernel *k)
{
	int sigfd = k->host_signalfd;
	int evfd = k->pops->event_fd(k->platform);
	struct pollfd *pfds = NULL;
	int pfds_cap = 0;

	while (!k->init_exited) {
		release_orphan_zombies(k);
		while (!k->frozen && !list_empty(&k->runqueue)) {
			struct task *t = list_first_entry(&k->runqueue, struct task, run_link);
			list_del(&t->run_link);
			task_run(t);
			if (k->init_exited)
				break;
		}
		task_free_dead();
		if (k->init_exited)
			break;

		int nh = k->nhandlers;
		int n = 2 + nh + k->nwatches;
		if (n > pfds_cap) {
			pfds_cap = n * 2;
			pfds = xrealloc(pfds, (size_t)pfds_cap * sizeof(*pfds));
		}
		pfds[0] = (struct pollfd){ .fd = evfd, .events = POLLIN };
		pfds[1] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		for (int i = 0; i < nh; i++)
			pfds[2 + i] = (struct pollfd){ .fd = k->handlers[i].fd, .events = k->handlers[i].events };
		int wbase = 2 + nh;
		for (int i = 0; i < k->nwatches; i++)
			pfds[wbase + i] = (struct pollfd){ .fd = k->watches[i].fd, .events = k->watches[i].events };

		struct timespec ts, *tsp = NULL;
		if (!list_empty(&k->timers)) {
			int64_t d = list_first_entry(&k->timers, struct ktimer, link)->deadline - now_mono_ns();
			if (d < 0)
				d = 0;
			ts.tv_sec = d / 1000000000;
			ts.tv_nsec = d % 1000000000;
			tsp = &ts;
		}
		int r = ppoll(pfds, (nfds_t)n, tsp, NULL);
		if (r < 0 && errno != EINTR) {
			log_error("sentry: ppoll: %s", strerror(errno));
			break;
		}
		if (r > 0) {
			/* Watches are one-shot: wake and drop the ready ones. */
			int kept = 0;
			int nw = k->nwatches;
			struct waitqueue *ready[nw > 0 ? nw : 1];
			int nready = 0;
			for (int i = 0; i < nw; i++) {
				if (pfds[wbase + i].revents)
					ready[nready++] = k->watches[i].wq;
				else
					k->watches[kept++] = k->watches[i];
			}
			k->nwatches = kept;
			for (int i = 0; i < nready; i++)
				wq_wake_all(ready[i]);
			if (pfds[1].revents)
				handle_host_signals(k);
			/* Handlers may add or remove handlers: match by fd. */
			for (int i = 0; i < nh; i++) {
				if (!pfds[2 + i].revents)
					continue;
				for (int j = 0; j < k->nhandlers; j++) {
					if (k->handlers[j].fd == pfds[2 + i].fd) {
						struct fd_handler h = k->handlers[j];
						h.fn(h.fd, pfds[2 + i].revents, h.arg);
						break;
					}
				}
			}
		}
		handle_platform_stops(k);
		timers_fire(k);
		task_free_dead();
		freeze_check_done(k);
	}
	free(pfds);
	return k->init_wait_status;
}

int kernel_init(struct kernel *k)
{
	list_init(&k->runqueue);
	list_init(&k->timers);
	list_init(&k->dead_tasks);
	list_init(&k->orphan_zombies);
	k->boot_mono_ns = now_mono_ns();
	k->boot_real_ns = now_real_ns();
	k->host_signalfd = -1;
	return 0;
}
