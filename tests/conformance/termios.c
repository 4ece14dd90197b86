/* The N_TTY line discipline through a pseudo-terminal pair: defaults,
 * canonical editing and its echo, end of file, input and output mapping,
 * raw mode with VMIN/VTIME, flow control, flushing.
 *
 * Echo and input travel asynchronously on Linux, so every check of what
 * the master sees waits (poll) for the bytes it expects, and "nothing"
 * means nothing within a short while. No controlling terminal is
 * involved: signals from ^C are covered by tests/conformance/pty.c. */
#include "conformance.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

static int m = -1, s = -1;

static void pair_open(void)
{
	char name[64];

	if (s >= 0)
		close(s);
	if (m >= 0)
		close(m);
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, name, sizeof(name)))
		abort();
	s = open(name, O_RDWR | O_NOCTTY);
	if (s < 0)
		abort();
}

static ssize_t read_wait(int fd, unsigned char *buf, size_t want, int ms)
{
	size_t got = 0;

	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, ms) <= 0)
			break;
		n = read(fd, buf + got, want - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static bool quiet(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 0;
}

static void say(const char *str)
{
	(void)!write(m, str, strlen(str));
}

/* The master sees exactly expect (and then nothing more for a moment). */
static bool echo_is(const char *expect, size_t len)
{
	unsigned char buf[512];
	ssize_t n = read_wait(m, buf, len, 2000);

	return n == (ssize_t)len && !memcmp(buf, expect, len) && quiet(m, 30);
}
#define ECHO_IS(lit) echo_is(lit, sizeof(lit) - 1)

/* The slave reads exactly expect. */
static bool line_is(const char *expect, size_t len)
{
	unsigned char buf[512];
	ssize_t n = read_wait(s, buf, sizeof(buf) > len ? len : sizeof(buf), 2000);

	return n == (ssize_t)len && !memcmp(buf, expect, len);
}
#define LINE_IS(lit) line_is(lit, sizeof(lit) - 1)

static void drain(void)
{
	unsigned char buf[4096];

	while (!quiet(m, 30) && read(m, buf, sizeof(buf)) > 0)
		;
	tcflush(s, TCIFLUSH);
}

static void lflag(tcflag_t on, tcflag_t off)
{
	struct termios t;

	tcgetattr(s, &t);
	t.c_lflag = (t.c_lflag | on) & ~off;
	tcsetattr(s, TCSANOW, &t);
}

static void iflag(tcflag_t on, tcflag_t off)
{
	struct termios t;

	tcgetattr(s, &t);
	t.c_iflag = (t.c_iflag | on) & ~off;
	tcsetattr(s, TCSANOW, &t);
}

static void oflag(tcflag_t on, tcflag_t off)
{
	struct termios t;

	tcgetattr(s, &t);
	t.c_oflag = (t.c_oflag | on) & ~off;
	tcsetattr(s, TCSANOW, &t);
}

static void raw_mode(int vmin, int vtime)
{
	struct termios t;

	tcgetattr(s, &t);
	cfmakeraw(&t);
	t.c_cc[VMIN] = (cc_t)vmin;
	t.c_cc[VTIME] = (cc_t)vtime;
	tcsetattr(s, TCSANOW, &t);
}

static void test_defaults(void)
{
	struct termios t;

	pair_open();
	CHECK_OK("defaults/tcgetattr", tcgetattr(s, &t));
	CHECK_EQ("defaults/iflag", t.c_iflag, ICRNL | IXON);
	CHECK_EQ("defaults/oflag", t.c_oflag, OPOST | ONLCR);
	CHECK_EQ("defaults/cflag", t.c_cflag & (CSIZE | CREAD | PARENB), CS8 | CREAD);
	CHECK_EQ("defaults/speed", cfgetospeed(&t), B38400);
	CHECK_EQ("defaults/lflag", t.c_lflag,
		 ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN);
	CHECK_EQ("defaults/VINTR", t.c_cc[VINTR], 003);
	CHECK_EQ("defaults/VQUIT", t.c_cc[VQUIT], 034);
	CHECK_EQ("defaults/VERASE", t.c_cc[VERASE], 0177);
	CHECK_EQ("defaults/VKILL", t.c_cc[VKILL], 025);
	CHECK_EQ("defaults/VEOF", t.c_cc[VEOF], 004);
	CHECK_EQ("defaults/VMIN", t.c_cc[VMIN], 1);
	CHECK_EQ("defaults/VTIME", t.c_cc[VTIME], 0);
	CHECK_EQ("defaults/VSUSP", t.c_cc[VSUSP], 032);
	CHECK_EQ("defaults/VWERASE", t.c_cc[VWERASE], 027);
	CHECK_EQ("defaults/VLNEXT", t.c_cc[VLNEXT], 026);
	CHECK_EQ("defaults/VEOL", t.c_cc[VEOL], 0);
	/* The master shows the slave's settings. */
	struct termios mt;
	tcgetattr(m, &mt);
	CHECK("defaults/master_same", !memcmp(&mt.c_cc, &t.c_cc, sizeof(t.c_cc)) &&
					  mt.c_lflag == t.c_lflag);
	/* A pty is always 8 bits, receiver on, no parity. */
	t.c_cflag = (t.c_cflag & ~CSIZE) | CS7 | PARENB;
	/* (glibc's tcsetattr would report the difference as EINVAL.) */
	CHECK_OK("defaults/tcsets", ioctl(s, TCSETS, &t));
	tcgetattr(s, &t);
	CHECK_EQ("defaults/cs8_forced", t.c_cflag & (CSIZE | CREAD | PARENB), CS8 | CREAD);
	/* Through the master too. */
	t.c_lflag &= ~ECHO;
	CHECK_OK("defaults/tcsetattr_master", tcsetattr(m, TCSANOW, &t));
	tcgetattr(s, &t);
	CHECK("defaults/set_via_master", !(t.c_lflag & ECHO));
	int d = -1;
	CHECK_OK("defaults/TIOCGETD", ioctl(s, TIOCGETD, &d));
	CHECK_EQ("defaults/n_tty", d, 0);
}

static void test_canonical(void)
{
	unsigned char buf[64];

	pair_open();
	/* Nothing until the line ends. */
	say("abc");
	CHECK("canon/partial_echo", ECHO_IS("abc"));
	CHECK("canon/partial_unread", quiet(s, 50));
	say("\n");
	CHECK("canon/newline_echo", ECHO_IS("\r\n"));
	CHECK("canon/line", LINE_IS("abc\n"));
	/* One line per read. */
	say("l1\nl2\n");
	CHECK("canon/two_lines_echo", ECHO_IS("l1\r\nl2\r\n"));
	CHECK_EQ("canon/first_line", read(s, buf, sizeof(buf)), 3);
	CHECK_EQ("canon/second_line", read(s, buf, sizeof(buf)), 3);
	/* A short read leaves the rest of the line. */
	say("longer\n");
	ECHO_IS("longer\r\n");
	CHECK_EQ("canon/short_read", read(s, buf, 3), 3);
	CHECK_EQ("canon/rest", read(s, buf, sizeof(buf)), 4);
	/* CR is NL (ICRNL). */
	say("cr\r");
	CHECK("canon/icrnl_echo", ECHO_IS("cr\r\n"));
	CHECK("canon/icrnl", LINE_IS("cr\n"));
	/* A NUL is an ordinary character, not VEOL. */
	(void)!write(m, "a\0b\n", 4);
	CHECK("canon/nul_data", line_is("a\0b\n", 4));
	drain();
}

static void test_editing(void)
{
	pair_open();
	say("ab\177c\n");
	CHECK("edit/erase_echo", ECHO_IS("ab\b \bc\r\n"));
	CHECK("edit/erase", LINE_IS("ac\n"));
	say("abc\025x\n");
	CHECK("edit/kill_echo", ECHO_IS("abc\b \b\b \b\b \bx\r\n"));
	CHECK("edit/kill", LINE_IS("x\n"));
	say("foo bar\027\n");
	CHECK("edit/werase_echo", ECHO_IS("foo bar\b \b\b \b\b \b\r\n"));
	CHECK("edit/werase", LINE_IS("foo \n"));
	/* Erasing a tab backs up to where it started. */
	say("x\ty\177\177\n");
	CHECK("edit/tab_echo", ECHO_IS("x\ty\b \b\b\b\b\b\b\b\b\r\n"));
	CHECK("edit/tab", LINE_IS("x\n"));
	/* ... counted from where the prompt left the cursor. */
	(void)!write(s, "pr", 2);
	ECHO_IS("pr");
	say("\t\177\n");
	CHECK("edit/tab_after_prompt", ECHO_IS("\t\b\b\b\b\b\b\r\n"));
	LINE_IS("\n");
	/* Control characters echo as ^X and take two columns to erase. */
	say("\001\177\n");
	CHECK("edit/ctl_echo", ECHO_IS("^A\b \b\b \b\r\n"));
	LINE_IS("\n");
	/* Erase at the start of a line does nothing. */
	say("\177\177z\n");
	CHECK("edit/erase_empty", ECHO_IS("z\r\n"));
	LINE_IS("z\n");
	/* ^V quotes the next character, ^R reprints the line. */
	say("q\026\003\n");
	CHECK("edit/lnext_echo", ECHO_IS("q^\b^C\r\n"));
	CHECK("edit/lnext", line_is("q\003\n", 3));
	say("re\022");
	CHECK("edit/reprint", ECHO_IS("re^R\r\nre"));
	say("\n");
	LINE_IS("re\n");
	drain();
	/* Without ECHOE, erase echoes the erase character. */
	lflag(0, ECHOE);
	say("ab\177\n");
	CHECK("edit/no_echoe", ECHO_IS("ab^?\r\n"));
	LINE_IS("a\n");
	/* ECHOK without ECHOKE: the kill character and a newline. */
	lflag(ECHOE, ECHOKE);
	say("ab\025c\n");
	CHECK("edit/echok", ECHO_IS("ab^U\r\nc\r\n"));
	LINE_IS("c\n");
	/* ECHOPRT shows what is erased between \ and /. */
	lflag(ECHOPRT | ECHOKE, 0);
	say("abc\177\177d\n");
	CHECK("edit/echoprt", ECHO_IS("abc\\cb/d\r\n"));
	LINE_IS("ad\n");
	lflag(0, ECHOPRT);
	/* IUTF8: one erase takes the whole character. */
	iflag(IUTF8, 0);
	say("x\303\251\177\n");
	CHECK("edit/utf8_erase", ECHO_IS("x\303\251\b \b\r\n"));
	LINE_IS("x\n");
	drain();
}

static void test_eof(void)
{
	unsigned char buf[16];

	pair_open();
	say("\004");
	CHECK_EQ("eof/empty_line", read(s, buf, sizeof(buf)), 0);
	CHECK("eof/no_echo", quiet(m, 50));
	/* After some input ^D pushes it without a newline. */
	say("ab\004");
	CHECK("eof/push", LINE_IS("ab"));
	fcntl(s, F_SETFL, O_NONBLOCK);
	CHECK_ERR("eof/push_then_nothing", read(s, buf, sizeof(buf)), EAGAIN);
	/* A push read in pieces is not end of file either. */
	say("xyz\004");
	quiet(s, 50);
	CHECK_EQ("eof/piece", read(s, buf, 3), 3);
	CHECK_ERR("eof/piece_then_nothing", read(s, buf, sizeof(buf)), EAGAIN);
	fcntl(s, F_SETFL, 0);
	/* A line then end of file. */
	say("l\n\004");
	CHECK("eof/line_first", LINE_IS("l\n"));
	CHECK_EQ("eof/then_eof", read(s, buf, sizeof(buf)), 0);
	/* Another end-of-line character. */
	struct termios t;
	tcgetattr(s, &t);
	t.c_cc[VEOL] = '!';
	tcsetattr(s, TCSANOW, &t);
	say("hey!");
	CHECK("eof/veol", LINE_IS("hey!"));
	drain();
}

static void test_echo_modes(void)
{
	pair_open();
	lflag(0, ECHO);
	say("secret\n");
	CHECK("echo/off", quiet(m, 50));
	CHECK("echo/off_read", LINE_IS("secret\n"));
	lflag(ECHONL, 0);
	say("pw\n");
	CHECK("echo/echonl", ECHO_IS("\r\n"));
	LINE_IS("pw\n");
	lflag(ECHO, ECHONL | ECHOCTL);
	say("\001\n");
	CHECK("echo/no_echoctl", ECHO_IS("\001\r\n"));
	LINE_IS("\001\n");
	lflag(ECHOCTL, 0);
	drain();
}

static void test_input_map(void)
{
	unsigned char buf[16];

	pair_open();
	iflag(IGNCR, 0);
	say("a\rb\n");
	CHECK("imap/igncr", LINE_IS("ab\n"));
	iflag(0, IGNCR | ICRNL);
	say("c\r\n");
	CHECK("imap/no_icrnl", LINE_IS("c\r\n"));
	drain();
	/* INLCR: NL becomes CR, which does not end a canonical line. */
	raw_mode(1, 0);
	iflag(INLCR, 0);
	say("x\n");
	CHECK("imap/inlcr", LINE_IS("x\r"));
	iflag(ISTRIP, INLCR);
	(void)!write(m, "\301", 1);
	CHECK("imap/istrip", read_wait(s, buf, 1, 2000) == 1 && buf[0] == 'A');
	/* PARMRK doubles a real \377 (it would mark errors with \377 \0). */
	iflag(PARMRK, ISTRIP);
	(void)!write(m, "\377x", 2);
	CHECK("imap/parmrk", line_is("\377\377x", 3));
	drain();
}

static void test_output(void)
{
	pair_open();
	oflag(0, ONLCR);
	(void)!write(s, "a\nb", 3);
	CHECK("opost/no_onlcr", ECHO_IS("a\nb"));
	oflag(OCRNL, 0);
	(void)!write(s, "c\rd", 3);
	CHECK("opost/ocrnl", ECHO_IS("c\nd"));
	/* Neither NL without ONLCR nor CR turned NL moved the column
	 * back: "a", "b", "c", "d" took columns 1-4. */
	oflag(ONLCR | XTABS, OCRNL);
	(void)!write(s, "ab\tc\n", 5);
	CHECK("opost/xtabs", ECHO_IS("ab  c\r\n"));
	(void)!write(s, "\tx\n", 3);
	CHECK("opost/xtabs_col0", ECHO_IS("        x\r\n"));
	oflag(OLCUC, XTABS);
	(void)!write(s, "up\n", 3);
	CHECK("opost/olcuc", ECHO_IS("UP\r\n"));
	oflag(ONOCR, OLCUC);
	(void)!write(s, "\rx\r", 3);
	CHECK("opost/onocr", ECHO_IS("x\r"));
	oflag(0, OPOST | ONOCR);
	(void)!write(s, "r\n", 2);
	CHECK("opost/off", ECHO_IS("r\n"));
	drain();
}

static void test_raw(void)
{
	unsigned char buf[16];
	int64_t t0;
	pid_t pid;

	pair_open();
	raw_mode(1, 0);
	say("\003\004\177x");
	CHECK("raw/no_echo", quiet(m, 50));
	CHECK("raw/bytes", line_is("\003\004\177x", 4));
	/* VMIN 0, VTIME 0: a poll. */
	raw_mode(0, 0);
	CHECK_EQ("raw/min0_time0_empty", read(s, buf, sizeof(buf)), 0);
	/* VMIN 0, VTIME 2: at most 0.2 s. */
	raw_mode(0, 2);
	t0 = conf_mono_ns();
	CHECK_EQ("raw/time_expires", read(s, buf, sizeof(buf)), 0);
	CHECK("raw/time_waited", conf_mono_ns() - t0 >= 150000000LL);
	say("q");
	CHECK_EQ("raw/time_data", read_wait(s, buf, 1, 2000), 1);
	/* VMIN 3: the read waits for three bytes. */
	raw_mode(3, 0);
	pid = fork();
	if (pid == 0) {
		conf_msleep(100);
		(void)!write(m, "ab", 2);
		conf_msleep(100);
		(void)!write(m, "cd", 2);
		_exit(0);
	}
	CHECK_EQ("raw/vmin", read(s, buf, sizeof(buf)), 4);
	conf_wait(pid);
	/* ... unless the caller asked for fewer. */
	say("xy");
	CHECK_EQ("raw/vmin_short_buffer", read(s, buf, 2), 2);
	/* VMIN 3, VTIME 1: the inter-byte timer ends a short read. */
	raw_mode(3, 1);
	say("z");
	t0 = conf_mono_ns();
	CHECK_EQ("raw/intercharacter_timer", read(s, buf, sizeof(buf)), 1);
	/* Non-blocking: whatever is there. */
	raw_mode(3, 0);
	fcntl(s, F_SETFL, O_NONBLOCK);
	CHECK_ERR("raw/nonblock_empty", read(s, buf, sizeof(buf)), EAGAIN);
	say("k");
	quiet(s, 50);
	CHECK_EQ("raw/nonblock_partial", read(s, buf, sizeof(buf)), 1);
	fcntl(s, F_SETFL, 0);
	/* Switching to canonical: queued bytes form the line being edited. */
	raw_mode(1, 0);
	say("pre");
	quiet(s, 50);
	lflag(ICANON, 0);
	say("\n");
	CHECK("raw/to_canonical", LINE_IS("pre\n"));
	/* ... and back: the partial line is readable. */
	say("par");
	quiet(s, 50);
	lflag(0, ICANON);
	CHECK("raw/from_canonical", LINE_IS("par"));
	drain();
}

static void test_signals_and_flush(void)
{
	int n = -1;

	pair_open();
	/* ^C without a foreground group: echo and flush only. */
	say("ab");
	CHECK("isig/typed", ECHO_IS("ab"));
	say("\003\n");
	CHECK("isig/flush_echo", ECHO_IS("^C\r\n"));
	CHECK("isig/flushed", LINE_IS("\n"));
	/* Echoes not yet written when ^C comes are dropped with the input. */
	say("cd\003\n");
	CHECK("isig/echo_dropped", ECHO_IS("^C\r\n"));
	CHECK("isig/flushed_again", LINE_IS("\n"));
	lflag(NOFLSH, 0);
	say("ab\003\n");
	CHECK("isig/noflsh_echo", ECHO_IS("ab^C\r\n"));
	CHECK("isig/noflsh", LINE_IS("ab\n"));
	lflag(0, ISIG | NOFLSH);
	say("\003\n");
	CHECK("isig/off", line_is("\003\n", 2));
	drain();
	lflag(ISIG, 0);
	/* TCSETSF drops pending input, TCSETSW does not. */
	say("keep\n");
	quiet(s, 50);
	struct termios t;
	tcgetattr(s, &t);
	tcsetattr(s, TCSADRAIN, &t);
	ioctl(s, FIONREAD, &n);
	CHECK_EQ("flush/tcsadrain_keeps", n, 5);
	tcsetattr(s, TCSAFLUSH, &t);
	ioctl(s, FIONREAD, &n);
	CHECK_EQ("flush/tcsaflush_drops", n, 0);
	drain();
	/* TCOFLUSH on the master drops nothing the slave has not read. */
	CHECK_OK("flush/tcioflush", tcflush(s, TCIOFLUSH));
	CHECK_ERR("flush/tcflush_einval", tcflush(s, 7), EINVAL);
	CHECK_OK("flush/tcdrain", tcdrain(s));
	CHECK_OK("flush/tcsendbreak", tcsendbreak(s, 0));
}

static void test_flow(void)
{
	pair_open();
	fcntl(s, F_SETFL, O_NONBLOCK);
	/* ^S stops output, ^Q resumes it. */
	say("\023");
	quiet(m, 50);
	CHECK_ERR("flow/stopped", write(s, "o", 1), EAGAIN);
	say("\021");
	quiet(m, 50);
	CHECK_EQ("flow/resumed", write(s, "o", 1), 1);
	CHECK("flow/output", ECHO_IS("o"));
	/* tcflow: TCOOFF/TCOON, and TCIOFF/TCION send STOP/START. */
	CHECK_OK("flow/tcooff", tcflow(s, TCOOFF));
	CHECK_ERR("flow/tcooff_stopped", write(s, "p", 1), EAGAIN);
	/* IXANY does not restart what tcflow stopped. */
	iflag(IXANY, 0);
	say("a");
	quiet(m, 50);
	CHECK_ERR("flow/ixany_not_tcooff", write(s, "p", 1), EAGAIN);
	CHECK_OK("flow/tcoon", tcflow(s, TCOON));
	CHECK_EQ("flow/tcoon_write", write(s, "p", 1), 1);
	CHECK("flow/tcoon_output", ECHO_IS("ap"));
	CHECK_OK("flow/tcioff", tcflow(s, TCIOFF));
	CHECK("flow/tcioff_stop_char", ECHO_IS("\023"));
	CHECK_OK("flow/tcion", tcflow(s, TCION));
	CHECK("flow/tcion_start_char", ECHO_IS("\021"));
	/* IXANY: any key restarts output stopped by ^S. */
	say("\023");
	quiet(m, 50);
	CHECK_ERR("flow/stopped_again", write(s, "o", 1), EAGAIN);
	say("z");
	quiet(m, 50);
	CHECK_EQ("flow/ixany_restart", write(s, "o", 1), 1);
	CHECK("flow/ixany_output", ECHO_IS("zo"));
	CHECK_ERR("flow/tcflow_einval", tcflow(s, 9), EINVAL);
	fcntl(s, F_SETFL, 0);
	drain();
}

static void test_overflow(void)
{
	unsigned char buf[5000];
	ssize_t n;

	pair_open();
	lflag(0, ECHO);
	/* A canonical line holds 4095 characters and its end. */
	memset(buf, 'a', sizeof(buf));
	for (size_t off = 0; off < sizeof(buf);) {
		ssize_t w = write(m, buf + off, sizeof(buf) - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	say("\n");
	n = read_wait(s, buf, 4096, 2000);
	CHECK_EQ("overflow/line_length", n, 4096);
	CHECK("overflow/line_end", n == 4096 && buf[4095] == '\n');
	drain();
}

int main(void)
{
	test_defaults();
	test_canonical();
	test_editing();
	test_eof();
	test_echo_modes();
	test_input_map();
	test_output();
	test_raw();
	test_signals_and_flush();
	test_flow();
	test_overflow();
	return conf_done();
}
