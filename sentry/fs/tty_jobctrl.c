/* Controlling terminals and job control (drivers/tty/tty_jobctrl.c):
 * which session a terminal belongs to, its foreground process group, the
 * SIGTTIN/SIGTTOU rules for background processes, and what happens to a
 * session when its terminal hangs up or its leader exits. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "runsc/log.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

static bool is_session_leader(const struct thread_group *tg)
{
	return tg->sid == tg->tgid;
}

void tty_set_ctty(struct tty_struct *tty, struct thread_group *tg)
{
	tty->session = tg->sid;
	tty->pgrp = tg->pgid;
	tg->ctty = tty;
}

void tty_open_acquire(struct tty_struct *tty, struct task *t, int flags)
{
	struct thread_group *tg = t ? t->tg : NULL;

	/* Only a reader may take it (a write-only open could otherwise
	 * steal a terminal it cannot use, as Linux notes). */
	if (!tg || (flags & O_NOCTTY) || (flags & O_ACCMODE) == O_WRONLY)
		return;
	if (is_session_leader(tg) && !tg->ctty && !tty->session)
		tty_set_ctty(tty, tg);
}

/* ---- process groups ---- */

struct pgrp_scan {
	pid_t pgrp;
	int sig;                /* 0: only look */
	bool found, not_orphaned;
	pid_t sid;              /* of the group's members */
	pid_t proc_sid;         /* of the process whose pid is pgrp, 0: none */
};

static int pgrp_scan_fn(struct thread_group *tg, void *arg)
{
	struct pgrp_scan *s = arg;

	if (tg->tgid == s->pgrp && !tg->reaped)
		s->proc_sid = tg->sid;
	if (tg->pgid != s->pgrp || tg->zombie || tg->reaped)
		return 0;
	s->found = true;
	s->sid = tg->sid;
	if (tg->parent && tg->parent->pgid != s->pgrp && tg->parent->sid == tg->sid)
		s->not_orphaned = true;
	if (s->sig && !tg->group_exiting)
		signal_send_group(tg, s->sig, NULL);
	return 0;
}

void tty_kill_pgrp(pid_t pgrp, int sig)
{
	struct pgrp_scan s = { .pgrp = pgrp, .sig = sig };

	tg_for_each(pgrp_scan_fn, &s);
}

/* A process group is orphaned when no member has a parent in another
 * group of the same session: nobody is left to continue it after a
 * stop. */
static bool pgrp_orphaned(pid_t pgrp)
{
	struct pgrp_scan s = { .pgrp = pgrp };

	tg_for_each(pgrp_scan_fn, &s);
	return !s.not_orphaned;
}

static bool sig_ignored(struct task *t, int sig)
{
	return (t->blocked & SIGMASK(sig)) ||
	       t->sighand->action[sig - 1].handler == (uint64_t)(uintptr_t)SIG_IGN;
}

int tty_check_change(struct tty_struct *tty, struct task *t, int sig)
{
	pid_t pgrp = t->tg->pgid;

	if (t->tg->ctty != tty || !tty->pgrp || pgrp == tty->pgrp)
		return 0;
	if (sig_ignored(t, sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (pgrp_orphaned(pgrp))
		return -EIO;
	tty_kill_pgrp(pgrp, sig);
	return -ERESTARTSYS;
}

int tty_check_write(struct tty_struct *tty, struct task *t)
{
	struct ktermios kt;

	if (t->tg->ctty != tty || !tty->pgrp || t->tg->pgid == tty->pgrp)
		return 0;
	if (tty->ops->get_termios) {
		if (tty->ops->get_termios(tty, &kt) < 0)
			return 0;
	} else {
		kt = tty->termios;
	}
	if (!(kt.c_lflag & TOSTOP))
		return 0;
	return tty_check_change(tty, t, SIGTTOU);
}

/* ---- losing a terminal ---- */

struct session_clear {
	pid_t sid;
	struct tty_struct *tty; /* NULL: any */
	bool signal_leader;
};

static int session_clear_fn(struct thread_group *tg, void *arg)
{
	struct session_clear *c = arg;

	if (c->sid && tg->sid != c->sid)
		return 0;
	if (c->tty && tg->ctty != c->tty)
		return 0;
	if (c->signal_leader && is_session_leader(tg) && !tg->zombie && !tg->reaped &&
	    !tg->group_exiting) {
		signal_send_group(tg, SIGHUP, NULL);
		signal_send_group(tg, SIGCONT, NULL);
	}
	tg->ctty = NULL;
	return 0;
}

void tty_hangup_session(struct tty_struct *tty)
{
	if (tty->session) {
		struct session_clear c = { .sid = tty->session, .tty = tty, .signal_leader = true };

		tg_for_each(session_clear_fn, &c);
	}
	tty->session = 0;
	tty->pgrp = 0;
}

/* disassociate_ctty: the foreground group hears SIGHUP (and SIGCONT
 * unless its leader is exiting), the terminal has no session any more
 * and nobody in the session keeps it. */
static void disassociate_ctty(struct thread_group *tg, bool on_exit)
{
	struct tty_struct *tty = tg->ctty;
	struct session_clear c = { .sid = tg->sid };

	if (!tty)
		return;
	if (tty->pgrp) {
		tty_kill_pgrp(tty->pgrp, SIGHUP);
		if (!on_exit)
			tty_kill_pgrp(tty->pgrp, SIGCONT);
	}
	tty->session = 0;
	tty->pgrp = 0;
	tg_for_each(session_clear_fn, &c);
}

void tty_session_leader_exit(struct thread_group *tg)
{
	disassociate_ctty(tg, true);
}

void tty_forget(struct tty_struct *tty)
{
	struct session_clear c = { .tty = tty };

	tg_for_each(session_clear_fn, &c);
}

/* ---- ioctls ---- */

static long tiocsctty(struct tty_struct *tty, struct file *f, struct task *t, uint64_t arg)
{
	struct thread_group *tg = t->tg;

	if (is_session_leader(tg) && tg->sid == tty->session)
		return 0;
	if (!is_session_leader(tg) || tg->ctty)
		return -EPERM;
	if (tty->session) {
		/* Another session's terminal: only stolen with arg 1 and
		 * CAP_SYS_ADMIN. */
		struct session_clear c = { .sid = tty->session, .tty = tty };

		if (arg != 1 || !cred_capable(t->cred, CAP_SYS_ADMIN))
			return -EPERM;
		tg_for_each(session_clear_fn, &c);
	}
	if ((f->flags & O_ACCMODE) == O_WRONLY && !cred_capable(t->cred, CAP_SYS_ADMIN))
		return -EPERM;
	tty_set_ctty(tty, tg);
	return 0;
}

static long tiocspgrp(struct tty_struct *tty, struct tty_struct *real_tty, struct task *t,
		      uint64_t arg)
{
	struct pgrp_scan s = { 0 };
	pid_t pgrp;
	int r;

	r = tty_check_change(real_tty, t, SIGTTOU);
	if (r == -EIO)
		return -ENOTTY;
	if (r)
		return r;
	r = copy_from_user(t, &pgrp, arg, sizeof(pgrp));
	if (r)
		return r;
	if (pgrp < 0)
		return -EINVAL;
	if (t->tg->ctty != real_tty || real_tty->session != t->tg->sid)
		return -ENOTTY;
	s.pgrp = pgrp;
	tg_for_each(pgrp_scan_fn, &s);
	if (!s.found) {
		/* session_of_pgrp: a process that leads no group still
		 * names its session. */
		if (!s.proc_sid)
			return -ESRCH;
		s.sid = s.proc_sid;
	}
	if (s.sid != t->tg->sid)
		return -EPERM;
	real_tty->pgrp = pgrp;
	return 0;
}

long tty_jobctrl_ioctl(struct tty_struct *tty, struct tty_struct *real_tty, struct file *f,
		       struct task *t, unsigned int cmd, uint64_t arg)
{
	pid_t v;

	switch (cmd) {
	case TIOCGPGRP:
		/* On a pty master it answers for the slave, controlling
		 * terminal or not. */
		if (tty == real_tty && t->tg->ctty != real_tty)
			return -ENOTTY;
		v = real_tty->pgrp;
		return copy_to_user(t, arg, &v, sizeof(v));
	case TIOCSPGRP:
		return tiocspgrp(tty, real_tty, t, arg);
	case TIOCGSID:
		if (tty == real_tty && t->tg->ctty != real_tty)
			return -ENOTTY;
		if (!real_tty->session)
			return -ENOTTY;
		v = real_tty->session;
		return copy_to_user(t, arg, &v, sizeof(v));
	case TIOCSCTTY:
		return tiocsctty(real_tty, f, t, arg);
	case TIOCNOTTY:
		if (!tty || t->tg->ctty != tty)
			return -ENOTTY;
		if (is_session_leader(t->tg))
			disassociate_ctty(t->tg, false);
		t->tg->ctty = NULL;
		return 0;
	default:
		return -ENOIOCTLCMD;
	}
}
