/* Terminal settings requests for terminals whose line discipline the
 * sentry runs (drivers/tty/tty_ioctl.c, tty_io.c): termios, window size,
 * breaks (a no-op on a pseudo-terminal, as on Linux), the line
 * discipline number. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "runsc/log.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel.h"
#include "sentry/usercopy.h"

#ifndef N_TTY
#define N_TTY 0
#endif

void tty_do_resize(struct tty_struct *tty, const struct winsize *ws)
{
	if (!memcmp(ws, &tty->winsize, sizeof(*ws)))
		return;
	tty->winsize = *ws;
	if (tty->pgrp)
		tty_kill_pgrp(tty->pgrp, SIGWINCH);
}

static long set_termios(struct tty_struct *tty, struct task *t, unsigned int cmd, uint64_t arg)
{
	struct ktermios kt, old;
	int r;

	r = tty_check_change(tty, t, SIGTTOU);
	if (r)
		return r;
	r = copy_from_user(t, &kt, arg, sizeof(kt));
	if (r)
		return r;
	/* TCSETSW waits for output to drain: a pseudo-terminal keeps none
	 * of its own (it is all the master's to read), so there is nothing
	 * to wait for, as on Linux. TCSETSF also drops pending input. */
	if (cmd == TCSETSF)
		n_tty_flush_input(tty);
	/* pty_set_termios: 8 bits, receiver on, no parity. */
	kt.c_cflag &= ~(uint32_t)(CSIZE | PARENB);
	kt.c_cflag |= CS8 | CREAD;
	old = tty->termios;
	tty->termios = kt;
	n_tty_set_termios(tty, &old);
	return 0;
}

long tty_mode_ioctl(struct tty_struct *tty, struct tty_struct *real_tty, struct task *t,
		    unsigned int cmd, uint64_t arg)
{
	struct ktermios kt;
	struct winsize ws;
	int v, r;

	switch (cmd) {
	case TCGETS:
		return copy_to_user(t, arg, &real_tty->termios, sizeof(real_tty->termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(real_tty, t, cmd, arg);
	case TIOCGLCKTRMIOS:
		/* Nothing is ever locked. */
		memset(&kt, 0, sizeof(kt));
		return copy_to_user(t, arg, &kt, sizeof(kt));
	case TIOCGWINSZ:
		return copy_to_user(t, arg, &real_tty->winsize, sizeof(real_tty->winsize));
	case TIOCSWINSZ:
		r = copy_from_user(t, &ws, arg, sizeof(ws));
		if (r)
			return r;
		tty_do_resize(real_tty, &ws);
		return 0;
	case TCSBRK:
	case TCSBRKP:
		/* tcdrain/tcsendbreak: no output of its own to wait for and
		 * no line to break on a pseudo-terminal. */
		if (tty)
			return tty_check_change(tty, t, SIGTTOU);
		return 0;
	case TIOCSBRK:
	case TIOCCBRK:
		return 0;
	case TIOCOUTQ:
		v = 0;
		return copy_to_user(t, arg, &v, sizeof(v));
	case TIOCGETD:
		v = N_TTY;
		return copy_to_user(t, arg, &v, sizeof(v));
	case TIOCSETD:
		r = copy_from_user(t, &v, arg, sizeof(v));
		if (r)
			return r;
		if (v == N_TTY)
			return 0;
		log_once("tty-setd", "TIOCSETD: only the N_TTY line discipline exists: EINVAL");
		return -EINVAL;
	case TIOCSTI:
		/* As Linux with dev.tty.legacy_tiocsti = 0. */
		log_once("tty-tiocsti", "TIOCSTI is not supported: EIO");
		return -EIO;
	default:
		return -ENOIOCTLCMD;
	}
}
