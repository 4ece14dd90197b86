/* The N_TTY line discipline (drivers/tty/n_tty.c), the subset terminals
 * in a container need: canonical editing (VERASE, VKILL, VWERASE, VEOF,
 * VEOL, VEOL2, VLNEXT, VREPRINT), echo (ECHO, ECHOE, ECHOK, ECHOKE,
 * ECHONL, ECHOCTL, ECHOPRT), signals (ISIG: VINTR, VQUIT, VSUSP with
 * NOFLSH), input mapping (ISTRIP, IUCLC, IGNCR, ICRNL, INLCR, IUTF8 for
 * erasing, PARMRK's doubled \377), flow control (IXON, IXANY) and output
 * processing (OPOST, ONLCR, OCRNL, ONOCR, ONLRET, OLCUC, XTABS). Not
 * emulated: parity and breaks (no serial line), EXTPROC (it only matters
 * with packet mode, which is refused), the *DLY delays (Linux ignores them
 * too).
 *
 * Linux queues echoes and writes them when the device has room; here they
 * go out at once, in the same order, and are dropped when the device is
 * full (the output queue holds 64 KiB, so only a master nobody reads
 * loses echoes). The read side is free of blocking: callers (tty_pty.c)
 * decide when to wait, from n_tty_readable and VMIN/VTIME. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>

#include "runsc/util.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel.h"

#define MASK(x) ((x) & (N_TTY_BUF_SIZE - 1))
#define DISABLED_CHAR 0 /* _POSIX_VDISABLE; also the queued VEOF mark */

#define L(tty, f) ((tty)->termios.c_lflag & (f))
#define I(tty, f) ((tty)->termios.c_iflag & (f))
#define O(tty, f) ((tty)->termios.c_oflag & (f))
#define CC(tty, v) ((tty)->termios.c_cc[v])

/* The kernel's ctype (lib/ctype.c): ISO 8859-1, so 128-159 are not
 * control characters and 192-255 (but 215 and 247) are letters. UTF-8
 * bytes are therefore judged as Latin-1 letters, as on Linux. */
static bool k_iscntrl(unsigned char c)
{
	return c < 32 || c == 127;
}

static bool k_isupper(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 192 && c <= 222 && c != 215);
}

static bool k_islower(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 223 && c != 247);
}

static bool k_isalnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || k_isupper(c) || k_islower(c);
}

static unsigned char k_tolower(unsigned char c)
{
	return k_isupper(c) ? (unsigned char)(c + 32) : c;
}

static unsigned char k_toupper(unsigned char c)
{
	/* ÿ (255) and ß (223) have no upper case in Latin-1. */
	return k_islower(c) && c != 223 && c != 255 ? (unsigned char)(c - 32) : c;
}

static const uint8_t init_c_cc[KNCCS] = {
	[VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025, [VEOF] = 004,
	[VTIME] = 0, [VMIN] = 1, [VSTART] = 021, [VSTOP] = 023, [VSUSP] = 032,
	[VREPRINT] = 022, [VDISCARD] = 017, [VWERASE] = 027, [VLNEXT] = 026,
};

void tty_init_termios(struct ktermios *kt)
{
	memset(kt, 0, sizeof(*kt));
	kt->c_iflag = ICRNL | IXON;
	kt->c_oflag = OPOST | ONLCR;
	kt->c_cflag = B38400 | CS8 | CREAD;
	kt->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(kt->c_cc, init_c_cc, sizeof(init_c_cc));
}

/* ---- the input queue ---- */

static size_t read_cnt(const struct n_tty *ld)
{
	return ld->read_head - ld->read_tail;
}

static unsigned char read_buf(const struct n_tty *ld, size_t i)
{
	return ld->read_buf[MASK(i)];
}

static void put_tty_queue(struct n_tty *ld, unsigned char c)
{
	ld->read_buf[MASK(ld->read_head)] = c;
	ld->read_head++;
}

static void flag_set(uint8_t *map, size_t i)
{
	map[i / 8] |= (uint8_t)(1u << (i % 8));
}

static void flag_clear(uint8_t *map, size_t i)
{
	map[i / 8] &= (uint8_t)~(1u << (i % 8));
}

static bool flag_test(const uint8_t *map, size_t i)
{
	return map[i / 8] & (1u << (i % 8));
}

static void reset_buffer_flags(struct n_tty *ld)
{
	ld->read_head = ld->canon_head = ld->read_tail = ld->line_start = 0;
	ld->erasing = false;
	memset(ld->read_flags, 0, sizeof(ld->read_flags));
}

static bool is_continuation(struct tty_struct *tty, unsigned char c)
{
	return I(tty, IUTF8) && (c & 0xc0) == 0x80;
}

/* ---- output ---- */

/* Output goes to the device, or while input is received (echoes) to the
 * echo buffer. */
static size_t out_room(struct tty_struct *tty)
{
	struct n_tty *ld = tty->ldata;

	if (ld->echoing)
		return sizeof(ld->echo_buf) - ld->echo_len;
	return tty->ops->write_room(tty);
}

static void out_put(struct tty_struct *tty, const unsigned char *buf, size_t len)
{
	struct n_tty *ld = tty->ldata;

	if (ld->echoing) {
		len = MIN(len, sizeof(ld->echo_buf) - ld->echo_len);
		memcpy(ld->echo_buf + ld->echo_len, buf, len);
		ld->echo_len += len;
		return;
	}
	tty->ops->write(tty, buf, len);
}

static void echo_mark(struct n_tty *ld)
{
	ld->echo_column = ld->column;
	ld->echo_canon_column = ld->canon_column;
}

/* Writes what is committed of the echoes, as far as the device has room
 * (the rest waits for n_tty_write_wakeup). */
static void write_echoes(struct tty_struct *tty)
{
	struct n_tty *ld = tty->ldata;
	size_t n = MIN(ld->echo_commit, tty->ops->write_room(tty));

	if (!n)
		return;
	tty->ops->write(tty, ld->echo_buf, n);
	memmove(ld->echo_buf, ld->echo_buf + n, ld->echo_len - n);
	ld->echo_len -= n;
	ld->echo_commit -= n;
}

static void flush_echoes(struct tty_struct *tty)
{
	struct n_tty *ld = tty->ldata;

	ld->echo_commit = ld->echo_len;
	echo_mark(ld);
	write_echoes(tty);
}

void n_tty_write_wakeup(struct tty_struct *tty)
{
	if (tty->ldata && !tty->ldata->echoing)
		write_echoes(tty);
}

/* Pending echoes never happened, columns included. */
static void discard_echoes(struct n_tty *ld)
{
	ld->echo_len = ld->echo_commit = 0;
	ld->column = ld->echo_column;
	ld->canon_column = ld->echo_canon_column;
}

/* do_output_char: one character with OPOST processing. Returns the bytes
 * of device room used, or -1 when there is not enough. */
static int do_output_char(struct tty_struct *tty, unsigned char c, size_t space)
{
	struct n_tty *ld = tty->ldata;
	unsigned int spaces;

	if (!space)
		return -1;
	switch (c) {
	case '\n':
		if (O(tty, ONLRET))
			ld->column = 0;
		if (O(tty, ONLCR)) {
			if (space < 2)
				return -1;
			ld->canon_column = ld->column = 0;
			out_put(tty, (const unsigned char *)"\r\n", 2);
			return 2;
		}
		ld->canon_column = ld->column;
		break;
	case '\r':
		if (O(tty, ONOCR) && ld->column == 0)
			return 0;
		if (O(tty, OCRNL)) {
			c = '\n';
			if (O(tty, ONLRET))
				ld->canon_column = ld->column = 0;
			break;
		}
		ld->canon_column = ld->column = 0;
		break;
	case '\t':
		spaces = 8 - (ld->column & 7);
		if ((tty->termios.c_oflag & TABDLY) == XTABS) {
			if (space < spaces)
				return -1;
			ld->column += spaces;
			out_put(tty, (const unsigned char *)"        ", spaces);
			return (int)spaces;
		}
		ld->column += spaces;
		break;
	case '\b':
		if (ld->column > 0)
			ld->column--;
		break;
	default:
		if (!k_iscntrl(c)) {
			if (O(tty, OLCUC))
				c = k_toupper(c);
			if (!is_continuation(tty, c))
				ld->column++;
		}
		break;
	}
	out_put(tty, &c, 1);
	return 1;
}

/* process_output_block: the leading run of characters that need nothing
 * but column accounting goes out in one piece. */
static size_t output_block(struct tty_struct *tty, const unsigned char *buf, size_t nr)
{
	struct n_tty *ld = tty->ldata;
	size_t space = out_room(tty), i;

	if (!space)
		return 0;
	nr = MIN(nr, space);
	for (i = 0; i < nr; i++) {
		unsigned char c = buf[i];

		if (c == '\n') {
			if (O(tty, ONLRET))
				ld->column = 0;
			if (O(tty, ONLCR))
				break;
			ld->canon_column = ld->column;
		} else if (c == '\r') {
			if ((O(tty, ONOCR) && ld->column == 0) || O(tty, OCRNL))
				break;
			ld->canon_column = ld->column = 0;
		} else if (c == '\t') {
			break;
		} else if (c == '\b') {
			if (ld->column > 0)
				ld->column--;
		} else if (!k_iscntrl(c)) {
			if (O(tty, OLCUC))
				break;
			if (!is_continuation(tty, c))
				ld->column++;
		}
	}
	if (i)
		out_put(tty, buf, i);
	return i;
}

size_t n_tty_write(struct tty_struct *tty, const unsigned char *buf, size_t len)
{
	size_t done = 0;

	/* Echoes of what was typed before go out before new output. */
	write_echoes(tty);

	if (!O(tty, OPOST)) {
		size_t n = MIN(len, out_room(tty));

		if (n)
			out_put(tty, buf, n);
		return n;
	}
	while (done < len) {
		done += output_block(tty, buf + done, len - done);
		if (done == len)
			break;
		if (do_output_char(tty, buf[done], out_room(tty)) < 0)
			break;
		done++;
	}
	return done;
}

/* ---- echo ---- */

/* A character as it is echoed: through OPOST when set. No room: lost. */
static void echo_char_raw(struct tty_struct *tty, unsigned char c)
{
	if (O(tty, OPOST)) {
		do_output_char(tty, c, out_room(tty));
	} else if (out_room(tty)) {
		out_put(tty, &c, 1);
	}
}

/* echo_char: control characters as ^X under ECHOCTL. */
static void echo_char(struct tty_struct *tty, unsigned char c)
{
	if (L(tty, ECHOCTL) && k_iscntrl(c) && c != '\t') {
		unsigned char pair[2] = { '^', (unsigned char)(c ^ 0100) };

		if (out_room(tty) >= 2) {
			out_put(tty, pair, 2);
			tty->ldata->column += 2;
		}
		return;
	}
	echo_char_raw(tty, c);
}

static void echo_move_back_col(struct n_tty *ld)
{
	if (ld->column > 0)
		ld->column--;
}

static void echo_set_canon_col(struct n_tty *ld)
{
	ld->canon_column = ld->column;
}

/* Backs over a tab: how far depends on what precedes it since the start
 * of input or the previous tab. */
static void echo_erase_tab(struct tty_struct *tty, unsigned int num_chars, bool after_tab)
{
	struct n_tty *ld = tty->ldata;
	unsigned int num_bs;

	num_chars &= 7;
	if (!after_tab)
		num_chars += ld->canon_column;
	num_bs = 8 - (num_chars & 7);
	if (num_bs > out_room(tty))
		return;
	while (num_bs--) {
		out_put(tty, (const unsigned char *)"\b", 1);
		echo_move_back_col(ld);
	}
}

static void finish_erasing(struct tty_struct *tty)
{
	if (tty->ldata->erasing) {
		echo_char_raw(tty, '/');
		tty->ldata->erasing = false;
	}
}

static void echo_erase_one(struct tty_struct *tty)
{
	echo_char_raw(tty, '\b');
	echo_char_raw(tty, ' ');
	echo_char_raw(tty, '\b');
}

/* eraser: VERASE, VWERASE and VKILL in canonical mode. */
static void eraser(struct tty_struct *tty, unsigned char c)
{
	struct n_tty *ld = tty->ldata;
	enum { ERASE, WERASE, KILL } kill_type;
	int seen_alnums = 0;

	if (ld->read_head == ld->canon_head)
		return;
	if (c == CC(tty, VERASE)) {
		kill_type = ERASE;
	} else if (c == CC(tty, VWERASE)) {
		kill_type = WERASE;
	} else {
		if (!L(tty, ECHO)) {
			ld->read_head = ld->canon_head;
			return;
		}
		if (!L(tty, ECHOK) || !L(tty, ECHOKE) || !L(tty, ECHOE)) {
			ld->read_head = ld->canon_head;
			finish_erasing(tty);
			echo_char(tty, CC(tty, VKILL));
			/* A newline if ECHOK is on and ECHOKE is off. */
			if (L(tty, ECHOK))
				echo_char_raw(tty, '\n');
			return;
		}
		kill_type = KILL;
	}

	while (ld->read_head != ld->canon_head) {
		size_t head = ld->read_head, cnt;

		/* One character, however many UTF-8 bytes it has. */
		do {
			head--;
			c = read_buf(ld, head);
		} while (is_continuation(tty, c) && head != ld->canon_head);
		if (is_continuation(tty, c))
			break; /* never erase part of one */
		if (kill_type == WERASE) {
			/* BSD's ALTWERASE: a word is alphanumerics and '_'. */
			if (k_isalnum(c) || c == '_')
				seen_alnums++;
			else if (seen_alnums)
				break;
		}
		cnt = ld->read_head - head;
		ld->read_head = head;
		if (L(tty, ECHO)) {
			if (L(tty, ECHOPRT)) {
				if (!ld->erasing) {
					echo_char_raw(tty, '\\');
					ld->erasing = true;
				}
				echo_char(tty, c);
				while (--cnt > 0) {
					head++;
					echo_char_raw(tty, read_buf(ld, head));
					echo_move_back_col(ld);
				}
			} else if (kill_type == ERASE && !L(tty, ECHOE)) {
				echo_char(tty, CC(tty, VERASE));
			} else if (c == '\t') {
				unsigned int num_chars = 0;
				bool after_tab = false;
				size_t tail = ld->read_head;

				while (tail != ld->canon_head) {
					unsigned char p = read_buf(ld, --tail);

					if (p == '\t') {
						after_tab = true;
						break;
					} else if (k_iscntrl(p)) {
						if (L(tty, ECHOCTL))
							num_chars += 2;
					} else if (!is_continuation(tty, p)) {
						num_chars++;
					}
				}
				echo_erase_tab(tty, num_chars, after_tab);
			} else {
				if (k_iscntrl(c) && L(tty, ECHOCTL))
					echo_erase_one(tty);
				if (!k_iscntrl(c) || L(tty, ECHOCTL))
					echo_erase_one(tty);
			}
		}
		if (kill_type == ERASE)
			break;
	}
	if (ld->read_head == ld->canon_head && L(tty, ECHO))
		finish_erasing(tty);
}

/* ---- flow control ---- */

void tty_stop(struct tty_struct *tty)
{
	tty->stopped = true;
}

void tty_start(struct tty_struct *tty)
{
	if (!tty->stopped || tty->tco_stopped)
		return;
	tty->stopped = false;
	n_tty_write_wakeup(tty);
	if (tty->ops->wakeup)
		tty->ops->wakeup(tty);
}

/* ---- input ---- */

/* isig: the signal goes to the foreground process group, and unless
 * NOFLSH the pending input is dropped. */
static void isig(struct tty_struct *tty, int sig)
{
	if (tty->pgrp)
		tty_kill_pgrp(tty->pgrp, sig);
	if (!L(tty, NOFLSH)) {
		discard_echoes(tty->ldata);
		if (tty->ops->flush_buffer)
			tty->ops->flush_buffer(tty);
		reset_buffer_flags(tty->ldata);
	}
}

static void receive_signal_char(struct tty_struct *tty, int sig, unsigned char c)
{
	isig(tty, sig);
	if (I(tty, IXON))
		tty_start(tty);
	if (L(tty, ECHO))
		echo_char(tty, c);
}

/* PARMRK marks errors with \377 \0: a real \377 is then doubled (a
 * pseudo-terminal has no parity or framing errors to mark). */
static void parmrk_double(struct tty_struct *tty, unsigned char c)
{
	if (c == 0377 && I(tty, PARMRK))
		put_tty_queue(tty->ldata, c);
}

/* An ordinary character: echoed and queued. */
static void receive_char(struct tty_struct *tty, unsigned char c)
{
	struct n_tty *ld = tty->ldata;

	if (tty->stopped && !tty->tco_stopped && I(tty, IXON) && I(tty, IXANY))
		tty_start(tty);
	if (L(tty, ECHO)) {
		finish_erasing(tty);
		if (ld->canon_head == ld->read_head)
			echo_set_canon_col(ld);
		echo_char(tty, c);
	}
	parmrk_double(tty, c);
	put_tty_queue(ld, c);
}

static void handle_newline(struct tty_struct *tty, unsigned char c)
{
	struct n_tty *ld = tty->ldata;

	flag_set(ld->read_flags, MASK(ld->read_head));
	put_tty_queue(ld, c);
	ld->canon_head = ld->read_head;
}

/* n_tty_receive_char_special. Returns true when c was VLNEXT. */
static bool receive_char_special(struct tty_struct *tty, unsigned char c)
{
	struct n_tty *ld = tty->ldata;

	if (I(tty, IXON)) {
		if (c == CC(tty, VSTART)) {
			tty_start(tty);
			return false;
		}
		if (c == CC(tty, VSTOP)) {
			tty_stop(tty);
			return false;
		}
	}
	if (L(tty, ISIG)) {
		if (c == CC(tty, VINTR)) {
			receive_signal_char(tty, SIGINT, c);
			return false;
		}
		if (c == CC(tty, VQUIT)) {
			receive_signal_char(tty, SIGQUIT, c);
			return false;
		}
		if (c == CC(tty, VSUSP)) {
			receive_signal_char(tty, SIGTSTP, c);
			return false;
		}
	}
	if (tty->stopped && !tty->tco_stopped && I(tty, IXON) && I(tty, IXANY))
		tty_start(tty);
	if (c == '\r') {
		if (I(tty, IGNCR))
			return false;
		if (I(tty, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(tty, INLCR)) {
		c = '\r';
	}

	if (ld->icanon) {
		if (c == CC(tty, VERASE) || c == CC(tty, VKILL) ||
		    (c == CC(tty, VWERASE) && L(tty, IEXTEN))) {
			eraser(tty, c);
			return false;
		}
		if (c == CC(tty, VLNEXT) && L(tty, IEXTEN)) {
			ld->lnext = true;
			if (L(tty, ECHO)) {
				finish_erasing(tty);
				if (L(tty, ECHOCTL)) {
					echo_char_raw(tty, '^');
					echo_char_raw(tty, '\b');
				}
			}
			return true;
		}
		if (c == CC(tty, VREPRINT) && L(tty, ECHO) && L(tty, IEXTEN)) {
			finish_erasing(tty);
			echo_char(tty, c);
			echo_char_raw(tty, '\n');
			for (size_t tail = ld->canon_head; tail != ld->read_head; tail++)
				echo_char(tty, read_buf(ld, tail));
			return false;
		}
		if (c == '\n') {
			if (L(tty, ECHO) || L(tty, ECHONL))
				echo_char_raw(tty, '\n');
			handle_newline(tty, c);
			return false;
		}
		if (c == CC(tty, VEOF)) {
			/* Queued as a marked DISABLED_CHAR that readers skip. */
			handle_newline(tty, DISABLED_CHAR);
			return false;
		}
		if (c == CC(tty, VEOL) || (c == CC(tty, VEOL2) && L(tty, IEXTEN))) {
			if (L(tty, ECHO)) {
				if (ld->canon_head == ld->read_head)
					echo_set_canon_col(ld);
				echo_char(tty, c);
			}
			parmrk_double(tty, c);
			handle_newline(tty, c);
			return false;
		}
	}

	if (L(tty, ECHO)) {
		finish_erasing(tty);
		if (c == '\n') {
			echo_char_raw(tty, '\n');
		} else {
			if (ld->canon_head == ld->read_head)
				echo_set_canon_col(ld);
			echo_char(tty, c);
		}
	}
	parmrk_double(tty, c);
	put_tty_queue(ld, c);
	return false;
}

static unsigned char input_map(struct tty_struct *tty, unsigned char c)
{
	if (I(tty, ISTRIP))
		c &= 0x7f;
	if (I(tty, IUCLC) && L(tty, IEXTEN))
		c = k_tolower(c);
	return c;
}

static void receive_chars(struct tty_struct *tty, const unsigned char *cp, size_t n)
{
	struct n_tty *ld = tty->ldata;

	if (ld->raw) {
		for (size_t i = 0; i < n; i++)
			put_tty_queue(ld, cp[i]);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = input_map(tty, cp[i]);

		if (ld->lnext) {
			ld->lnext = false;
			receive_char(tty, c);
		} else if (flag_test(ld->char_map, c)) {
			receive_char_special(tty, c);
		} else {
			receive_char(tty, c);
		}
		if (ld->echo_len >= N_TTY_ECHO_COMMIT)
			flush_echoes(tty);
	}
}

/* Room in the input queue (n_tty_receive_buf_common). In canonical mode
 * with the queue full and no complete line, characters still go through
 * one at a time so that erase and newline work; the last slot is then
 * overwritten (Linux "beeps" the excess). */
static size_t receive_room(struct tty_struct *tty, bool *overflow)
{
	struct n_tty *ld = tty->ldata;
	long room = (long)N_TTY_BUF_SIZE - (long)read_cnt(ld);

	/* Under PARMRK a byte may take two slots (\377 doubled). */
	if (I(tty, PARMRK))
		room = (room + 2) / 3;
	room--;
	*overflow = false;
	if (room > 0)
		return (size_t)room;
	*overflow = ld->icanon && ld->canon_head == ld->read_tail;
	if (*overflow && room < 0)
		ld->read_head--;
	return *overflow;
}

size_t n_tty_receive_room(struct tty_struct *tty)
{
	struct n_tty *ld = tty->ldata;
	long room = (long)N_TTY_BUF_SIZE - (long)read_cnt(ld);

	if (I(tty, PARMRK))
		room = (room + 2) / 3;
	room--;

	if (room > 0)
		return (size_t)room;
	return ld->icanon && ld->canon_head == ld->read_tail;
}

size_t n_tty_receive(struct tty_struct *tty, const unsigned char *buf, size_t len)
{
	struct n_tty *ld = tty->ldata;
	size_t done = 0;

	echo_mark(ld);
	ld->echoing = true;
	while (done < len) {
		bool overflow;
		size_t n = MIN(len - done, receive_room(tty, &overflow));

		if (!n)
			break;
		receive_chars(tty, buf + done, n);
		done += n;
	}
	flush_echoes(tty);
	ld->echoing = false;
	if (done) {
		tty->ldata->last_input_ns = kernel_mono_ns();
		if (tty->ops->wakeup)
			tty->ops->wakeup(tty);
	}
	return done;
}

/* ---- reading ---- */

size_t n_tty_readable(struct tty_struct *tty)
{
	struct n_tty *ld = tty->ldata;

	if (ld->icanon)
		return ld->canon_head - ld->read_tail;
	return read_cnt(ld);
}

int n_tty_inq(struct tty_struct *tty)
{
	struct n_tty *ld = tty->ldata;
	size_t nr;

	if (!L(tty, ICANON))
		return (int)read_cnt(ld);
	/* inq_canon: complete lines, without VEOF marks. */
	nr = ld->canon_head - ld->read_tail;
	for (size_t tail = ld->read_tail; tail != ld->canon_head; tail++)
		if (flag_test(ld->read_flags, MASK(tail)) && read_buf(ld, tail) == DISABLED_CHAR)
			nr--;
	return (int)nr;
}

static void copy_out(const struct n_tty *ld, unsigned char *buf, size_t from, size_t n)
{
	size_t first = MIN(n, N_TTY_BUF_SIZE - MASK(from));

	memcpy(buf, &ld->read_buf[MASK(from)], first);
	memcpy(buf + first, ld->read_buf, n - first);
}

/* canon_copy_from_read_buf: up to one line. A VEOF mark ends the line
 * without being copied; alone at the start of a line it is end of file,
 * after a partial read of the line only a "push" that is skipped. */
static ssize_t canon_read(struct tty_struct *tty, unsigned char *buf, size_t len)
{
	struct n_tty *ld = tty->ldata;

	for (;;) {
		size_t avail = ld->canon_head - ld->read_tail, n, c, i;
		bool found = false, eof_push = false;

		if (!avail)
			return -EAGAIN;
		n = MIN(len, avail);
		for (i = 0; i < n; i++) {
			if (flag_test(ld->read_flags, MASK(ld->read_tail + i))) {
				found = true;
				break;
			}
		}
		c = found ? i + 1 : n;
		n = c;
		if (found && read_buf(ld, ld->read_tail + i) == DISABLED_CHAR) {
			n--;
			eof_push = !n && ld->read_tail != ld->line_start;
		}
		copy_out(ld, buf, ld->read_tail, n);
		if (found)
			flag_clear(ld->read_flags, MASK(ld->read_tail + i));
		ld->read_tail += c;
		if (found)
			ld->line_start = ld->read_tail;
		if (!eof_push)
			return (ssize_t)n;
	}
}

ssize_t n_tty_read(struct tty_struct *tty, unsigned char *buf, size_t len)
{
	struct n_tty *ld = tty->ldata;
	ssize_t n;

	if (ld->icanon) {
		n = canon_read(tty, buf, len);
	} else {
		n = (ssize_t)MIN(len, read_cnt(ld));
		if (!n)
			return -EAGAIN;
		copy_out(ld, buf, ld->read_tail, (size_t)n);
		ld->read_tail += (size_t)n;
	}
	if (n >= 0 && tty->ops->wakeup)
		tty->ops->wakeup(tty); /* room for writers of input */
	return n;
}

void n_tty_flush_input(struct tty_struct *tty)
{
	reset_buffer_flags(tty->ldata);
	if (tty->ops->wakeup)
		tty->ops->wakeup(tty);
}

/* ---- settings ---- */

void n_tty_set_termios(struct tty_struct *tty, const struct ktermios *old)
{
	struct n_tty *ld = tty->ldata;
	uint8_t *map = ld->char_map;

	if (!old || ((old->c_lflag ^ tty->termios.c_lflag) & ICANON)) {
		memset(ld->read_flags, 0, sizeof(ld->read_flags));
		ld->line_start = ld->canon_head = ld->read_tail;
		ld->erasing = false;
		ld->lnext = false;
	}
	ld->icanon = L(tty, ICANON) != 0;
	memset(map, 0, sizeof(ld->char_map));
	ld->raw = !(I(tty, ISTRIP | IUCLC | IGNCR | ICRNL | INLCR | IXON | PARMRK) ||
		    L(tty, ICANON | ISIG | ECHO));
	if (!ld->raw) {
		if (I(tty, IGNCR | ICRNL))
			flag_set(map, '\r');
		if (I(tty, INLCR))
			flag_set(map, '\n');
		if (L(tty, ICANON)) {
			flag_set(map, CC(tty, VERASE));
			flag_set(map, CC(tty, VKILL));
			flag_set(map, CC(tty, VEOF));
			flag_set(map, '\n');
			flag_set(map, CC(tty, VEOL));
			if (L(tty, IEXTEN)) {
				flag_set(map, CC(tty, VWERASE));
				flag_set(map, CC(tty, VLNEXT));
				flag_set(map, CC(tty, VEOL2));
				if (L(tty, ECHO))
					flag_set(map, CC(tty, VREPRINT));
			}
		}
		if (I(tty, IXON)) {
			flag_set(map, CC(tty, VSTART));
			flag_set(map, CC(tty, VSTOP));
		}
		if (L(tty, ISIG)) {
			flag_set(map, CC(tty, VINTR));
			flag_set(map, CC(tty, VQUIT));
			flag_set(map, CC(tty, VSUSP));
		}
		/* A disabled control character matches nothing. */
		flag_clear(map, DISABLED_CHAR);
	}
	/* Clearing IXON must not leave output stopped by ^S for good. */
	if (!I(tty, IXON) && old && (old->c_iflag & IXON) && !tty->tco_stopped)
		tty_start(tty);
	if (tty->ops->wakeup)
		tty->ops->wakeup(tty);
}

void n_tty_init(struct tty_struct *tty, struct n_tty *ld)
{
	memset(ld, 0, sizeof(*ld));
	tty->ldata = ld;
	n_tty_set_termios(tty, NULL);
}
