/* The control socket server (protocol in sentry/control.h). Runs entirely
 * in the event loop: the listening socket and every connection are
 * non-blocking fds with persistent handlers; replies that do not fit in the
 * socket buffer wait in a per-connection queue for POLLOUT. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "runsc/log.h"
#include "runsc/spec.h"
#include "runsc/util.h"
#include "sentry/control.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/signal.h"
#include "sentry/spawn.h"
#include "sentry/task_impl.h"
#include "sentry/usercopy.h"

#define CTL_MAX_CONNS 256

struct ctl_out {
	struct list_head link;
	size_t len;
	char data[];
};

struct ctl_conn {
	struct list_head link;
	int fd;
	struct list_head outq;       /* of ctl_out, oldest first */
	bool watching_out;
	struct thread_group *proc;   /* the exec'd process this connection waits for */
	bool detached;
	bool pause_pending;
};

static struct {
	struct kernel *k;
	int listen_fd;
	struct task *held;           /* init until START */
	struct list_head conns;
	int nconns;
} srv;

static void on_conn(int fd, short revents, void *arg);

/* ---- sending ---- */

/* Backpressure: while replies wait for the client to read them, its
 * requests are not read either (and POLLIN is not watched, so a pending
 * request cannot make the loop spin). One connection therefore holds at
 * most the replies to one request. */
static void conn_watch(struct ctl_conn *c, bool out)
{
	if (c->watching_out == out)
		return;
	kernel_del_fd_handler(c->fd);
	kernel_add_fd_handler(c->fd, out ? POLLOUT : POLLIN, on_conn, c);
	c->watching_out = out;
}

static void conn_flush(struct ctl_conn *c)
{
	while (!list_empty(&c->outq)) {
		struct ctl_out *o = list_first_entry(&c->outq, struct ctl_out, link);
		ssize_t n = send(c->fd, o->data, o->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		/* Sent, or the peer is gone (its hangup closes the connection). */
		list_del(&o->link);
		free(o);
	}
	conn_watch(c, !list_empty(&c->outq));
}

static void conn_send(struct ctl_conn *c, int op, int status, int arg, uint32_t flags,
		      const void *payload, size_t len)
{
	struct ctl_out *o = xmalloc(sizeof(*o) + sizeof(struct ctl_msg) + len);
	struct ctl_msg h = {
		.magic = CTL_MAGIC, .version = CTL_VERSION, .op = (uint16_t)op, .status = status,
		.arg = arg, .flags = flags, .len = (uint32_t)len,
	};
	memcpy(o->data, &h, sizeof(h));
	if (len)
		memcpy(o->data + sizeof(h), payload, len);
	o->len = sizeof(h) + len;
	list_add_tail(&o->link, &c->outq);
	conn_flush(c);
}

static void reply(struct ctl_conn *c, const struct ctl_msg *req, int status, int arg)
{
	conn_send(c, req->op, status, arg, 0, NULL, 0);
}

static void reply_err(struct ctl_conn *c, const struct ctl_msg *req, int status, const char *msg)
{
	conn_send(c, req->op, status, 0, 0, msg, msg ? strlen(msg) + 1 : 0);
}

/* ---- connections ---- */

static void conn_close(struct ctl_conn *c)
{
	if (c->proc) {
		c->proc->exit_hook = NULL;
		/* A detached exec's waiter stands for the process on the host:
		 * when it is gone (killed), so is the process. */
		if (c->detached && !c->proc->group_exiting && !c->proc->zombie)
			signal_send_group(c->proc, SIGKILL, NULL);
		c->proc = NULL;
	}
	kernel_del_fd_handler(c->fd);
	close(c->fd);
	while (!list_empty(&c->outq)) {
		struct ctl_out *o = list_first_entry(&c->outq, struct ctl_out, link);
		list_del(&o->link);
		free(o);
	}
	list_del(&c->link);
	srv.nconns--;
	free(c);
}

static void exec_exited(struct thread_group *tg, void *arg)
{
	struct ctl_conn *c = arg;
	c->proc = NULL;
	conn_send(c, CTL_EXIT, 0, tg->group_exit_status, 0, NULL, 0);
}

/* ---- requests ---- */

static siginfo_t outside_info(int sig)
{
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	/* As a sender in an ancestor pid namespace appears: SI_USER, pid 0. */
	info.si_signo = sig;
	info.si_code = SI_USER;
	return info;
}

static bool tg_alive(const struct thread_group *tg)
{
	return tg && !tg->zombie && !tg->group_exiting;
}

static int kill_one(struct thread_group *tg, void *arg)
{
	int sig = *(int *)arg;
	if (tg_alive(tg)) {
		siginfo_t info = outside_info(sig);
		signal_send_group(tg, sig, &info);
	}
	return 0;
}

static void release_held_if_killed(int sig)
{
	struct task *t = srv.held;
	if (!t)
		return;
	/* As runc's init in a created container, a held init dies of any
	 * signal whose default action is fatal: it has not run a single
	 * instruction that could have installed a handler. */
	if (sig > 0 && sig != SIGKILL && !sig_kernel_ignore(sig) && !sig_kernel_stop(sig)) {
		srv.held = NULL;
		task_exit_group(t, W_EXITCODE(0, sig));
		return;
	}
	/* A held init has run no instruction: a pending SIGKILL ends it at
	 * its first return to user mode, before any of its code runs. */
	if ((t->pending.mask | t->tg->shared_pending.mask) & SIGMASK(SIGKILL)) {
		srv.held = NULL;
		kernel_make_runnable(t);
	}
}

static void cancel_pauses(int status)
{
	struct ctl_conn *c, *n;
	list_for_each_entry_safe(c, n, &srv.conns, link) {
		if (c->pause_pending) {
			c->pause_pending = false;
			conn_send(c, CTL_PAUSE, status, 0, 0, NULL, 0);
		}
	}
}

static void do_kill(struct ctl_conn *c, const struct ctl_msg *m)
{
	struct kernel *k = srv.k;
	int sig = m->arg;
	if (sig < 0 || sig > SANDBOX_NSIG) {
		reply(c, m, -EINVAL, 0);
		return;
	}
	if (!tg_alive(k->init_tg)) {
		reply(c, m, -ESRCH, 0);
		return;
	}
	if (sig == 0) {
		reply(c, m, 0, 0);
		return;
	}
	if (m->flags & CTL_F_ALL) {
		tg_for_each(kill_one, &sig);
	} else {
		siginfo_t info = outside_info(sig);
		int r = signal_send_group(k->init_tg, sig, &info);
		if (r < 0) {
			reply(c, m, r, 0);
			return;
		}
	}
	release_held_if_killed(sig);
	/* As runc thaws a paused container for SIGKILL: frozen tasks could
	 * not die otherwise. */
	if (sig == SIGKILL && k->frozen) {
		cancel_pauses(-EINTR);
		kernel_thaw(k);
	}
	reply(c, m, 0, 0);
}

static void do_start(struct ctl_conn *c, const struct ctl_msg *m)
{
	if (!srv.held) {
		reply(c, m, tg_alive(srv.k->init_tg) ? -EALREADY : -ESRCH, 0);
		return;
	}
	if (srv.k->frozen) {
		reply(c, m, -EBUSY, 0);
		return;
	}
	log_debug("control: starting init");
	kernel_make_runnable(srv.held);
	srv.held = NULL;
	reply(c, m, 0, 0);
}

static struct task *tg_any_live_task(struct thread_group *tg)
{
	struct task *t;
	list_for_each_entry(t, &tg->threads, tg_link)
		if (t->state != TASK_DEAD)
			return t;
	return NULL;
}

static void proc_cmdline(struct task *t, char *out, size_t len)
{
	out[0] = '\0';
	if (!t || !t->mm || t->mm->arg_end <= t->mm->arg_start)
		return;
	size_t n = MIN((size_t)(t->mm->arg_end - t->mm->arg_start), len - 1);
	if (mm_copy_from(t->mm, out, t->mm->arg_start, n) < 0) {
		out[0] = '\0';
		return;
	}
	out[n] = '\0';
	/* argv is NUL-separated: join with spaces, drop the final NUL. */
	while (n > 0 && out[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (out[i] == '\0')
			out[i] = ' ';
	out[n] = '\0';
}

struct ps_ctx {
	struct ctl_proc *v;
	size_t n, cap;
};

static int ps_one(struct thread_group *tg, void *arg)
{
	struct ps_ctx *ps = arg;
	struct kernel *k = srv.k;
	/* Parentless zombies are freed by the event loop at once. */
	if (tg->reaped || (tg->zombie && !tg->parent && tg != srv.k->init_tg))
		return 0;
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 32;
		ps->v = xrealloc(ps->v, ps->cap * sizeof(*ps->v));
	}
	struct ctl_proc *p = &ps->v[ps->n++];
	memset(p, 0, sizeof(*p));
	struct task *live = tg_any_live_task(tg);
	struct task *who = live ? live : tg->leader;
	p->pid = tg->tgid;
	p->ppid = tg->parent ? tg->parent->tgid : 0;
	p->uid = who && who->cred ? who->cred->uid : 0;
	p->nr_threads = tg->nr_threads;
	if (tg->zombie) {
		p->state = 'Z';
	} else if (tg->stopped) {
		p->state = 'T';
	} else {
		p->state = 'S';
		struct task *t;
		list_for_each_entry(t, &tg->threads, tg_link)
			if (t->state == TASK_RUNNING || t->state == TASK_RUNNABLE)
				p->state = 'R';
	}
	p->start_real_ns = k->boot_real_ns + (tg->start_time_mono - k->boot_mono_ns);
	if (!tg->zombie)
		tg_update_cputime(tg);
	p->cpu_ns = tg->utime_ns + tg->stime_ns;
	if (who)
		memcpy(p->comm, who->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	proc_cmdline(live, p->cmd, sizeof(p->cmd));
	return 0;
}

static void do_ps(struct ctl_conn *c, const struct ctl_msg *m)
{
	struct ps_ctx ps = { 0 };
	tg_for_each(ps_one, &ps);
	size_t i = 0;
	do {
		size_t n = MIN(ps.n - i, (size_t)CTL_PS_CHUNK);
		bool more = i + n < ps.n;
		conn_send(c, CTL_PS, 0, (int)n, more ? CTL_F_MORE : 0, ps.v + i, n * sizeof(*ps.v));
		i += n;
	} while (i < ps.n);
	free(ps.v);
}

static int stats_one(struct thread_group *tg, void *arg)
{
	struct ctl_stats *s = arg;
	if (tg->zombie || tg->reaped)
		return 0;
	tg_update_cputime(tg);
	s->cpu_user_ns += tg->utime_ns;
	s->cpu_system_ns += tg->stime_ns;
	s->nr_procs++;
	return 0;
}

static void do_stats(struct ctl_conn *c, const struct ctl_msg *m)
{
	struct kernel *k = srv.k;
	struct ctl_stats s = { 0 };
	tg_for_each(stats_one, &s);
	s.cpu_user_ns += k->exited_utime_ns;
	s.cpu_system_ns += k->exited_stime_ns;
	s.mem_usage = k->mf ? k->mf->allocated : 0;
	s.nr_tasks = (uint32_t)k->nr_tasks;
	s.boot_real_ns = k->boot_real_ns;
	conn_send(c, CTL_STATS, 0, 0, 0, &s, sizeof(s));
}

static void on_frozen(void *arg)
{
	log_debug("control: sandbox frozen");
	cancel_pauses(0);
}

static void do_pause(struct ctl_conn *c, const struct ctl_msg *m)
{
	struct kernel *k = srv.k;
	if (k->frozen && !k->freeze_done) {
		reply(c, m, 0, 0);
		return;
	}
	c->pause_pending = true;
	if (!k->freeze_done)
		kernel_freeze(k, on_frozen, NULL);
}

static void do_resume(struct ctl_conn *c, const struct ctl_msg *m)
{
	cancel_pauses(-EINTR);
	kernel_thaw(srv.k);
	log_debug("control: sandbox thawed");
	reply(c, m, 0, 0);
}

static void do_exec(struct ctl_conn *c, const struct ctl_msg *m, const char *payload,
		    const int *fds, int nfds)
{
	struct spec_process *proc = NULL;
	char *err = NULL;
	struct task *t;
	int r;

	if (c->proc) {
		reply_err(c, m, -EBUSY, "this connection already has a process");
		return;
	}
	if (!tg_alive(srv.k->init_tg)) {
		reply_err(c, m, -ESRCH, "container not running");
		return;
	}
	r = spec_parse_process(payload, m->len, "process", &proc, &err);
	if (r < 0) {
		reply_err(c, m, r, err);
		free(err);
		return;
	}
	struct tty_console *con = NULL;
	if (proc->terminal) {
		/* fd 0 is the slave of the host pty whose master the client
		 * has: the process gets a sandbox pty bridged to it. */
		int hfd = nfds > 0 ? fcntl(fds[0], F_DUPFD_CLOEXEC, 3) : -1;
		r = hfd < 0 ? -EBADF : console_new_exec(hfd, &con);
		if (r < 0) {
			if (hfd >= 0)
				close(hfd);
			spec_process_free(proc);
			reply_err(c, m, r, r == -ENOTTY ? "terminal: the fd given is not a terminal"
							: "terminal: cannot set up the console");
			return;
		}
	}
	struct spawn_args sa = { .proc = proc, .fds = fds, .nfds = nfds, .console = con };
	r = spawn_process(&sa, &t, &err);
	spec_process_free(proc);
	if (r < 0) {
		if (con)
			console_release(con);
		log_debug("control: exec failed: %s", err);
		reply_err(c, m, r, err);
		free(err);
		return;
	}
	c->proc = t->tg;
	c->detached = m->flags & CTL_F_DETACHED;
	t->tg->exit_hook = exec_exited;
	t->tg->exit_hook_arg = c;
	kernel_make_runnable(t);
	log_debug("control: exec'd pid %d", t->tid);
	reply(c, m, 0, t->tid);
}

static void do_signal(struct ctl_conn *c, const struct ctl_msg *m)
{
	if (!c->proc || m->arg <= 0 || m->arg > SANDBOX_NSIG || !tg_alive(c->proc))
		return;
	siginfo_t info = outside_info(m->arg);
	signal_send_group(c->proc, m->arg, &info);
}

static void dispatch(struct ctl_conn *c, const struct ctl_msg *m, const char *payload,
		     const int *fds, int nfds)
{
	switch (m->op) {
	case CTL_START:
		do_start(c, m);
		break;
	case CTL_KILL:
		do_kill(c, m);
		break;
	case CTL_PS:
		do_ps(c, m);
		break;
	case CTL_EXEC:
		do_exec(c, m, payload, fds, nfds);
		break;
	case CTL_SIGNAL:
		do_signal(c, m);
		break;
	case CTL_PAUSE:
		do_pause(c, m);
		break;
	case CTL_RESUME:
		do_resume(c, m);
		break;
	case CTL_STATS:
		do_stats(c, m);
		break;
	default:
		reply(c, m, -EOPNOTSUPP, 0);
	}
}

/* Reads one packet. 1: handled, 0: nothing more now, -1: close. */
static int conn_read_one(struct ctl_conn *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * CTL_MAX_FDS)];
		struct cmsghdr align;
	} cbuf;
	int fds[CTL_MAX_FDS];
	int nfds = 0, ret = 1;

	ssize_t len = recv(c->fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	if (len < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (len == 0)
		return -1; /* orderly hangup (a zero-length packet is never sent) */
	if ((size_t)len < sizeof(struct ctl_msg) || (size_t)len > sizeof(struct ctl_msg) + CTL_MAX_MSG)
		return -1;
	_cleanup_free_ char *buf = xmalloc((size_t)len + 1);
	struct iovec iov = { buf, (size_t)len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (nfds < CTL_MAX_FDS)
				fds[nfds++] = fd;
			else
				close(fd);
		}
	}
	buf[n] = '\0';
	struct ctl_msg m;
	memcpy(&m, buf, sizeof(m));
	if (n != len || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || m.magic != CTL_MAGIC ||
	    m.len != (size_t)n - sizeof(m)) {
		ret = -1;
	} else if (m.version != CTL_VERSION) {
		reply_err(c, &m, -EPROTO, "control protocol version mismatch (a sandbox of another sandboxrun build)");
	} else {
		dispatch(c, &m, buf + sizeof(m), fds, nfds);
	}
	/* The sentry keeps its own duplicates of what it uses. */
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return ret;
}

static void on_conn(int fd, short revents, void *arg)
{
	struct ctl_conn *c = arg;
	int r = 1;

	if (revents & POLLOUT)
		conn_flush(c);
	if (!list_empty(&c->outq)) {
		/* Still writing: a hangup ends the connection, requests wait. */
		if (revents & (POLLHUP | POLLERR))
			conn_close(c);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		while (list_empty(&c->outq) && (r = conn_read_one(c)) > 0)
			;
		if (r < 0)
			conn_close(c);
	}
}

static void on_listen(int fd, short revents, void *arg)
{
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN)
				log_once("ctl-accept", "control socket: accept: %s", strerror(errno));
			return;
		}
		if (srv.nconns >= CTL_MAX_CONNS) {
			log_once("ctl-conns", "control socket: more than %d connections, refusing",
				 CTL_MAX_CONNS);
			close(cfd);
			continue;
		}
		struct ctl_conn *c = xzalloc(sizeof(*c));
		c->fd = cfd;
		list_init(&c->outq);
		list_add_tail(&c->link, &srv.conns);
		srv.nconns++;
		kernel_add_fd_handler(cfd, POLLIN, on_conn, c);
	}
}

int control_init(struct kernel *k, int listen_fd, struct task *init, int hold)
{
	int fl = fcntl(listen_fd, F_GETFL);
	if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	srv.k = k;
	srv.listen_fd = listen_fd;
	srv.held = hold ? init : NULL;
	list_init(&srv.conns);
	return kernel_add_fd_handler(listen_fd, POLLIN, on_listen, NULL);
}
