/* Terminals in the sentry, after Linux's drivers/tty.
 *
 * A struct tty_struct is one terminal as job control sees it: the session
 * it is the controlling terminal of and that session's foreground process
 * group (tty_jobctrl.c). Two kinds exist:
 *  - pseudo-terminal slaves (tty_pty.c, devpts.c): the sentry runs their
 *    whole line discipline (tty_ldisc.c, an N_TTY subset) over termios,
 *    window size and buffers kept here;
 *  - host terminals the workload inherited as stdio (sentry/fs/hostfd.c):
 *    the host runs their line discipline, the sentry only their job
 *    control.
 * A process's controlling terminal is thread_group.ctty (sentry/kernel.h),
 * a plain pointer: fork copies it, setsid clears it, and a terminal about
 * to be freed clears every pointer to it (tty_forget). */
#ifndef SENTRY_FS_TTY_H
#define SENTRY_FS_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

struct file;
struct task;
struct thread_group;

/* The kernel's struct termios (TCGETS/TCSETS), not glibc's larger one. */
#define KNCCS 19
struct ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[KNCCS];
};

/* Returned by tty_jobctrl_ioctl for a request that is not its own. */
#define ENOIOCTLCMD 515

#define N_TTY_BUF_SIZE 4096
#define N_TTY_ECHO_COMMIT 256

/* N_TTY state: the input queue the reader takes from. In canonical mode
 * read_flags marks line ends and only [read_tail, canon_head) is
 * readable; [canon_head, read_head) is the line being edited. */
struct n_tty {
	unsigned char read_buf[N_TTY_BUF_SIZE];
	uint8_t read_flags[N_TTY_BUF_SIZE / 8];
	size_t read_head, read_tail, canon_head, line_start;
	unsigned int column, canon_column; /* output column, for erasing tabs */
	bool lnext;     /* the next character is literal (VLNEXT) */
	bool erasing;   /* inside a \...\ ECHOPRT erase */
	bool icanon;    /* mode the queue was built in */
	bool raw;       /* no input processing at all */
	uint8_t char_map[256 / 8]; /* characters needing special handling */
	int64_t last_input_ns;     /* when input last arrived (VTIME) */
	/* Echoes of the input being received, committed at the end of each
	 * batch of input (or every N_TTY_ECHO_COMMIT bytes) and written when
	 * the device has room; a signal character drops what is not written
	 * yet, as on Linux. */
	unsigned char echo_buf[2 * N_TTY_ECHO_COMMIT];
	size_t echo_len, echo_commit;
	bool echoing;
	unsigned int echo_column, echo_canon_column; /* as of the last write */
};

struct tty_struct;

struct tty_operations {
	/* Takes output (already OPOST-processed) for the other side; returns
	 * how many bytes it took. */
	size_t (*write)(struct tty_struct *tty, const unsigned char *buf, size_t len);
	size_t (*write_room)(struct tty_struct *tty);
	/* Makes f (an open of /dev/tty) a new file on this terminal. */
	int (*open_ctty)(struct tty_struct *tty, struct file *f);
	/* For terminals whose termios live elsewhere (the host's); NULL:
	 * tty->termios. */
	int (*get_termios)(struct tty_struct *tty, struct ktermios *kt);
	/* Something readers, writers or pollers wait for changed. */
	void (*wakeup)(struct tty_struct *tty);
	/* Drops output the other side has not taken in yet (ISIG, TCOFLUSH). */
	void (*flush_buffer)(struct tty_struct *tty);
};

struct tty_struct {
	const struct tty_operations *ops;
	pid_t session;          /* whose controlling terminal it is; 0: none */
	pid_t pgrp;             /* the foreground process group; 0: none */
	/* Terminals whose line discipline the sentry runs: */
	struct ktermios termios;
	struct winsize winsize;
	struct n_tty *ldata;
	bool stopped;           /* output stopped (^S with IXON, tcflow) */
	bool tco_stopped;       /* by tcflow(TCOOFF): IXANY does not restart */
	void *driver_data;
};

/* ---- job control (tty_jobctrl.c) ---- */

/* __proc_set_tty: tty becomes tg's controlling terminal, tg's session
 * and process group its session and foreground group. */
void tty_set_ctty(struct tty_struct *tty, struct thread_group *tg);
/* An open(2) without O_NOCTTY: a session leader without a controlling
 * terminal acquires tty if no session has it (tty_open_proc_set_tty). */
void tty_open_acquire(struct tty_struct *tty, struct task *t, int flags);
/* __tty_check_change: a background process of tty's session touching it
 * gets sig (SIGTTIN/SIGTTOU) and -ERESTARTSYS, or -EIO when it cannot be
 * stopped; 0 when it may go on. */
int tty_check_change(struct tty_struct *tty, struct task *t, int sig);
/* The TOSTOP rule for a write. */
int tty_check_write(struct tty_struct *tty, struct task *t);
/* TIOCGPGRP, TIOCSPGRP, TIOCGSID, TIOCSCTTY, TIOCNOTTY. tty is the
 * terminal of the file (NULL for a pty master), real_tty the one the
 * request acts on (the slave for a pty master). -ENOIOCTLCMD for other
 * requests. */
long tty_jobctrl_ioctl(struct tty_struct *tty, struct tty_struct *real_tty, struct file *f,
		       struct task *t, unsigned int cmd, uint64_t arg);
/* Sends sig from the kernel to every process of pgrp. */
void tty_kill_pgrp(pid_t pgrp, int sig);
/* __tty_hangup's signals: SIGHUP and SIGCONT to the session leader, and
 * the session loses tty. */
void tty_hangup_session(struct tty_struct *tty);
/* disassociate_ctty(1) for a session leader that exits. */
void tty_session_leader_exit(struct thread_group *tg);
/* No process keeps tty as its controlling terminal (it is going away). */
void tty_forget(struct tty_struct *tty);
/* At boot: a terminal among the init's stdio (a host tty) becomes the
 * controlling terminal of its session, as the user's terminal is. */
void tty_adopt_stdio(struct task *init);

/* ---- the line discipline (tty_ldisc.c) ---- */

void n_tty_init(struct tty_struct *tty, struct n_tty *ld);
/* The settings of a new pseudo-terminal (tty_std_termios). */
void tty_init_termios(struct ktermios *kt);
/* After tty->termios changed (old: the settings before). */
void n_tty_set_termios(struct tty_struct *tty, const struct ktermios *old);
/* Input from the device. Returns how many bytes were taken: fewer than
 * len when the input queue is full (the rest must wait for a reader). */
size_t n_tty_receive(struct tty_struct *tty, const unsigned char *buf, size_t len);
/* Can input be given now (0 is a valid answer: room for nothing)? */
size_t n_tty_receive_room(struct tty_struct *tty);
/* Output with OPOST processing. Returns how many bytes of buf were
 * consumed (0: the device has no room). */
size_t n_tty_write(struct tty_struct *tty, const unsigned char *buf, size_t len);
/* Bytes a reader can take now: non-canonical, the queue; canonical, the
 * complete lines. */
size_t n_tty_readable(struct tty_struct *tty);
/* Takes up to len bytes for a reader. Canonical: at most one line, 0 at
 * end of file (a lone VEOF). Returns -EAGAIN when nothing can be read. */
ssize_t n_tty_read(struct tty_struct *tty, unsigned char *buf, size_t len);
/* The device has room again: writes pending echoes. */
void n_tty_write_wakeup(struct tty_struct *tty);
/* tcflush(TCIFLUSH): drops pending input. */
void n_tty_flush_input(struct tty_struct *tty);
/* FIONREAD: what a read could return (canonical: complete lines). */
int n_tty_inq(struct tty_struct *tty);
/* Starts and stops output (IXON, tcflow). */
void tty_start(struct tty_struct *tty);
void tty_stop(struct tty_struct *tty);

/* ---- termios ioctls shared by terminals the sentry runs (tty_pty.c) ---- */

/* TCGETS, TCSETS*, TIOCGWINSZ, TIOCSWINSZ, TCSBRK(P), TIOCSBRK,
 * TIOCCBRK, TIOCOUTQ, TIOCGLCKTRMIOS, TIOCGETD, TIOCSETD, TIOCSTI on
 * real_tty; tty is the file's terminal, NULL for a pty master.
 * -ENOIOCTLCMD for other requests. */
long tty_mode_ioctl(struct tty_struct *tty, struct tty_struct *real_tty, struct task *t,
		    unsigned int cmd, uint64_t arg);
/* tty_do_resize: new window size, SIGWINCH to the foreground group if it
 * changed. */
void tty_do_resize(struct tty_struct *tty, const struct winsize *ws);

/* ---- pseudo-terminals (tty_pty.c, devpts.c) ---- */

struct pty;
struct inode;

/* devpts: the single instance mounted at /dev/pts (new reference to its
 * root directory). */
int devpts_root(struct inode **root);
/* The terminal of an open file: a pty slave, /dev/tty on one, a host
 * terminal; NULL for anything else. */
struct tty_struct *file_tty(struct file *f);
/* sentry/fs/hostfd.c: the job-control terminal of a host tty file. */
struct tty_struct *hostfd_tty(struct file *f);

/* A pty the sentry itself holds the master of (the console): opens a
 * new pair. The master side is used through the pty_kmaster_* calls. */
int pty_kmaster_open(struct pty **out);
/* Opens the slave as a file (flags: O_RDWR...; no controlling terminal
 * is acquired). */
int pty_kmaster_open_slave(struct pty *p, int flags, struct file **out);
struct tty_struct *pty_tty(struct pty *p);
/* Output of the slave side: bytes taken (<= len), never blocks. */
size_t pty_kmaster_read(struct pty *p, unsigned char *buf, size_t len);
/* Input to the slave side: bytes taken (<= len), never blocks. */
size_t pty_kmaster_write(struct pty *p, const unsigned char *buf, size_t len);
/* Called whenever slave output appears or input room frees. */
void pty_kmaster_set_notify(struct pty *p, void (*fn)(void *arg), void *arg);
/* The master goes away: the slave side is hung up. */
void pty_kmaster_close(struct pty *p);

/* ---- consoles (tty_console.c) ---- */

/* process.terminal: a pty whose master the sentry holds, bridged to
 * host_fd (the slave of a host pty whose master the runtime's client
 * has). This one, the container's, is /dev/console (-EEXIST for a
 * second). It forks the watcher that hears the host terminal's resizes,
 * after console_prepare. */
struct tty_console;
int console_new(int host_fd, struct tty_console **out);
/* Installs the console's slave on fds 0-2 of t and makes it the
 * controlling terminal of t, which leads its session. */
int console_attach(struct tty_console *con, struct task *t);
/* SIGWINCH from the CLI: every console re-reads its host size. */
void console_host_resized(void);
bool console_active(void);
/* Opens /dev/console. */
int console_open_file(struct file *f);
/* Builds what a console's watcher confines itself with: called once at
 * boot, before the sentry's own seccomp filter (which does not allow
 * building one), so that consoles can be made later as well. */
int console_prepare(void);
/* exec -t: a console for one exec'd process, made at any time. It is not
 * /dev/console, and it goes away by itself once console_attach gave it to
 * a process and every file on its slave is closed (or the host side hung
 * up): the host fd is closed then, so the client sees the end. */
int console_new_exec(int host_fd, struct tty_console **out);
/* A console made with console_new_exec that no process got (the exec
 * failed): it goes away from the event loop. */
void console_release(struct tty_console *con);
/* sentry/fs/devfs.c: adds /dev/console (once the console exists). */
void devfs_add_console(void);

#endif
