/* The N_TTY line discipline on its own, over a fake device whose room
 * the tests control: what a native pty cannot show deterministically
 * (full devices, held echoes, buffer limits, signal delivery). */
#include <check.h>
#include <signal.h>
#include <string.h>
#include <termios.h>

#include "sentry/fs/tty.h"
#include "sentry/kernel.h"

/* ---- stubs for what tty_ldisc.c uses ---- */

static int last_sig, sig_count;
static pid_t last_pgrp;

void tty_kill_pgrp(pid_t pgrp, int sig)
{
	last_pgrp = pgrp;
	last_sig = sig;
	sig_count++;
}
int64_t kernel_mono_ns(void) { return 0; }

/* ---- a fake device ---- */

static unsigned char out[65536];
static size_t out_len, room, wakeups, flushes;
static struct tty_struct tty;
static struct n_tty ld;

static size_t dev_write(struct tty_struct *t, const unsigned char *buf, size_t len)
{
	len = len < room ? len : room;
	memcpy(out + out_len, buf, len);
	out_len += len;
	room -= len;
	return len;
}
static size_t dev_room(struct tty_struct *t) { return t->stopped ? 0 : room; }
static void dev_wakeup(struct tty_struct *t) { wakeups++; }
static void dev_flush(struct tty_struct *t) { flushes++; }

static const struct tty_operations dev_ops = {
	.write = dev_write,
	.write_room = dev_room,
	.wakeup = dev_wakeup,
	.flush_buffer = dev_flush,
};

static void setup(void)
{
	memset(&tty, 0, sizeof(tty));
	tty.ops = &dev_ops;
	tty_init_termios(&tty.termios);
	n_tty_init(&tty, &ld);
	out_len = 0;
	room = sizeof(out);
	wakeups = flushes = 0;
	last_sig = sig_count = 0;
	last_pgrp = 0;
}

static void input(const char *s)
{
	ck_assert_uint_eq(n_tty_receive(&tty, (const unsigned char *)s, strlen(s)), strlen(s));
}

static void expect_out(const char *s)
{
	ck_assert_uint_eq(out_len, strlen(s));
	ck_assert_mem_eq(out, s, out_len);
	out_len = 0;
}

static void set_termios(void (*fn)(struct ktermios *))
{
	struct ktermios old = tty.termios;

	fn(&tty.termios);
	n_tty_set_termios(&tty, &old);
}

START_TEST(canonical_line_and_echo)
{
	unsigned char buf[16];

	input("hi");
	expect_out("hi");
	ck_assert_uint_eq(n_tty_readable(&tty), 0);
	ck_assert_int_eq(n_tty_read(&tty, buf, sizeof(buf)), -EAGAIN);
	input("\r");
	expect_out("\r\n");
	ck_assert_int_eq(n_tty_inq(&tty), 3);
	ck_assert_int_eq(n_tty_read(&tty, buf, sizeof(buf)), 3);
	ck_assert_mem_eq(buf, "hi\n", 3);
}
END_TEST

START_TEST(eof_marks)
{
	unsigned char buf[16];

	input("\004");
	ck_assert_int_eq(n_tty_inq(&tty), 0);
	ck_assert_uint_eq(n_tty_readable(&tty), 1);
	ck_assert_int_eq(n_tty_read(&tty, buf, sizeof(buf)), 0);
	ck_assert_int_eq(n_tty_read(&tty, buf, sizeof(buf)), -EAGAIN);
	/* A push read in two pieces, then a real end of file. */
	input("abcd\004\004");
	ck_assert_int_eq(n_tty_read(&tty, buf, 2), 2);
	ck_assert_int_eq(n_tty_read(&tty, buf, sizeof(buf)), 2);
	ck_assert_mem_eq(buf, "cd", 2);
	ck_assert_int_eq(n_tty_read(&tty, buf, sizeof(buf)), 0);
	ck_assert_int_eq(n_tty_read(&tty, buf, 2), -EAGAIN);
	/* Pieces of a push: the mark left behind is skipped, not EOF. */
	input("xyz\004");
	ck_assert_int_eq(n_tty_read(&tty, buf, 3), 3);
	ck_assert_int_eq(n_tty_read(&tty, buf, sizeof(buf)), -EAGAIN);
}
END_TEST

START_TEST(signal_chars)
{
	tty.pgrp = 42;
	input("ab");
	out_len = 0;
	input("\003");
	ck_assert_int_eq(last_sig, SIGINT);
	ck_assert_int_eq(last_pgrp, 42);
	ck_assert_uint_eq(flushes, 1);
	expect_out("^C");
	ck_assert_uint_eq(n_tty_receive_room(&tty), N_TTY_BUF_SIZE - 1);
	/* Echo of the same batch before the signal is dropped. */
	input("xy\034");
	ck_assert_int_eq(last_sig, SIGQUIT);
	expect_out("^\\");
	input("\032");
	ck_assert_int_eq(last_sig, SIGTSTP);
	/* No foreground group: no signal. */
	tty.pgrp = 0;
	sig_count = 0;
	input("\003");
	ck_assert_int_eq(sig_count, 0);
}
END_TEST

static void noncanon(struct ktermios *t)
{
	t->c_lflag &= ~(ICANON | ECHO);
}

START_TEST(noncanonical_room)
{
	static unsigned char big[N_TTY_BUF_SIZE + 10];
	unsigned char buf[8];

	set_termios(noncanon);
	memset(big, 'x', sizeof(big));
	/* The queue takes 4095 bytes; the writer must wait for the rest. */
	ck_assert_uint_eq(n_tty_receive(&tty, big, sizeof(big)), N_TTY_BUF_SIZE - 1);
	ck_assert_uint_eq(n_tty_receive_room(&tty), 0);
	ck_assert_int_eq(n_tty_read(&tty, buf, sizeof(buf)), 8);
	ck_assert_uint_eq(n_tty_receive_room(&tty), 8);
}
END_TEST

START_TEST(canonical_overflow)
{
	static unsigned char big[5000];
	unsigned char buf[N_TTY_BUF_SIZE];

	memset(big, 'a', sizeof(big));
	big[0] = 'b';
	/* Everything is taken; the excess only replaces the last slot. */
	ck_assert_uint_eq(n_tty_receive(&tty, big, sizeof(big)), sizeof(big));
	input("\177\n");
	ck_assert_int_eq(n_tty_read(&tty, buf, sizeof(buf)), N_TTY_BUF_SIZE - 1);
	ck_assert_int_eq(buf[0], 'b');
	ck_assert_int_eq(buf[N_TTY_BUF_SIZE - 3], 'a');
	ck_assert_int_eq(buf[N_TTY_BUF_SIZE - 2], '\n');
}
END_TEST

START_TEST(echo_waits_for_room)
{
	room = 1;
	input("abc");
	expect_out("a");
	/* The device drained: the held echoes follow. */
	room = 100;
	n_tty_write_wakeup(&tty);
	expect_out("bc");
	/* Held echoes go before new output. */
	room = 0;
	input("d");
	room = 100;
	ck_assert_uint_eq(n_tty_write(&tty, (const unsigned char *)"\n", 1), 1);
	expect_out("d\r\n");
}
END_TEST

START_TEST(output_processing_room)
{
	/* NL needs two bytes under ONLCR: it waits rather than split. */
	room = 3;
	ck_assert_uint_eq(n_tty_write(&tty, (const unsigned char *)"ab\ncd", 5), 2);
	expect_out("ab");
	room = 2;
	ck_assert_uint_eq(n_tty_write(&tty, (const unsigned char *)"\ncd", 3), 1);
	expect_out("\r\n");
	/* Without OPOST bytes go through as they are. */
	tty.termios.c_oflag &= ~OPOST;
	room = 10;
	ck_assert_uint_eq(n_tty_write(&tty, (const unsigned char *)"x\ny", 3), 3);
	expect_out("x\ny");
}
END_TEST

START_TEST(flow_control)
{
	input("\023");
	ck_assert(tty.stopped);
	ck_assert_uint_eq(out_len, 0);
	input("\021");
	ck_assert(!tty.stopped);
	/* tcflow(TCOOFF) is not undone by ^Q. */
	tty.tco_stopped = true;
	tty_stop(&tty);
	input("\021");
	ck_assert(tty.stopped);
	tty.tco_stopped = false;
	tty_start(&tty);
	ck_assert(!tty.stopped);
}
END_TEST

START_TEST(latin1_words)
{
	unsigned char buf[16];

	/* The kernel's ctype makes é (0xe9) a letter: one word. */
	input("ab \xe9t\027\n");
	ck_assert_int_eq(n_tty_read(&tty, buf, sizeof(buf)), 4);
	ck_assert_mem_eq(buf, "ab \n", 4);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tty_ldisc");
	TCase *tc = tcase_create("ldisc");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, canonical_line_and_echo);
	tcase_add_test(tc, eof_marks);
	tcase_add_test(tc, signal_chars);
	tcase_add_test(tc, noncanonical_room);
	tcase_add_test(tc, canonical_overflow);
	tcase_add_test(tc, echo_waits_for_room);
	tcase_add_test(tc, output_processing_room);
	tcase_add_test(tc, flow_control);
	tcase_add_test(tc, latin1_words);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
