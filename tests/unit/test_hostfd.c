/* Host-fd files over real host pipes and a pty, with the kernel services
 * they use stubbed (watches and waits are recorded, not acted on). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/tty.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

/* ---- stubs ---- */

struct kernel *kernel;
static int waits, watches, sigpipes;
static struct sighand sighand;
static struct thread_group tg = { .tgid = 1, .pgid = 1, .sid = 1 };
static struct task task;

void wq_init(struct waitqueue *wq) { list_init(&wq->waiters); }
void wq_wake_all(struct waitqueue *wq) {}
void kernel_unwatch(struct waitqueue *wq) {}
bool wq_has_waiters(const struct waitqueue *wq) { return !list_empty(&wq->waiters); }
void task_wait_on(struct task *t, struct waitqueue *wq)
{
	if (t->poll_table)
		t->poll_table->qproc(t->poll_table, wq);
	else
		waits++;
}
int kernel_watch_host_fd(int fd, short events, struct waitqueue *wq)
{
	watches++;
	return 0;
}
bool signal_pending(struct task *t) { return false; }
int signal_send_thread(struct task *t, int sig, const siginfo_t *info)
{
	if (sig == SIGPIPE)
		sigpipes++;
	return 0;
}
int signal_send_group(struct thread_group *g, int sig, const siginfo_t *info) { return 0; }
int tg_for_each(int (*fn)(struct thread_group *g, void *arg), void *arg) { return fn(&tg, arg); }
bool cred_capable(const struct cred *c, int cap) { return false; }
int copy_to_user(struct task *t, uint64_t dst, const void *src, size_t n)
{
	memcpy((void *)(uintptr_t)dst, src, n);
	return 0;
}
int copy_from_user(struct task *t, void *dst, uint64_t src, size_t n)
{
	memcpy(dst, (const void *)(uintptr_t)src, n);
	return 0;
}
void path_put(struct path *p) {}
void inode_put(struct inode *ino) {}
void inode_fill_stat(struct inode *ino, struct stat *st) {}

static void setup(void)
{
	memset(&task, 0, sizeof(task));
	task.tg = &tg;
	task.sighand = &sighand;
	waits = watches = sigpipes = 0;
	signal(SIGPIPE, SIG_IGN);
}

START_TEST(host_pipe_read_write)
{
	int p[2];
	struct file *rd, *wr;
	char buf[8];
	struct stat st;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(hostfd_file_new(p[0], O_RDONLY, &rd), 0);
	ck_assert_int_eq(hostfd_file_new(p[1], O_WRONLY, &wr), 0);
	/* The files work on duplicates: the caller's fds can go. */
	close(p[0]);
	close(p[1]);
	/* Empty: the task waits for a watch instead of the sentry blocking. */
	ck_assert_int_eq(vfs_read(rd, &task, buf, sizeof(buf), &rd->pos), -EBLOCKED);
	ck_assert_int_eq(waits, 1);
	ck_assert_int_eq(watches, 1);
	rd->flags |= O_NONBLOCK;
	ck_assert_int_eq(vfs_read(rd, &task, buf, sizeof(buf), &rd->pos), -EAGAIN);
	ck_assert_int_eq(vfs_write(wr, &task, "abc", 3, &wr->pos), 3);
	ck_assert_int_eq(vfs_read(rd, &task, buf, sizeof(buf), &rd->pos), 3);
	ck_assert_mem_eq(buf, "abc", 3);
	/* Not seekable; stat shows a FIFO with a sandbox inode. */
	ck_assert_ptr_null(rd->ops->llseek);
	ck_assert_int_eq(vfs_fstat(rd, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(st.st_uid, 0);
	ck_assert_int_eq(rd->ops->ioctl(rd, &task, TCGETS, 0), -ENOTTY);
	file_put(rd);
	/* No reader left: EPIPE and SIGPIPE for the writer. */
	ck_assert_int_eq(vfs_write(wr, &task, "x", 1, &wr->pos), -EPIPE);
	ck_assert_int_eq(sigpipes, 1);
	file_put(wr);
}
END_TEST

/* An epoll item's poll_table: one callback entry per queue, as epoll's. */
static struct wq_entry listener_entries[4];
static int listeners;
static int listener_fn(struct wq_entry *e, unsigned int key) { return 0; }
static void listener_qproc(struct poll_table *pt, struct waitqueue *wq)
{
	struct wq_entry *e = &listener_entries[listeners++];

	e->fn = listener_fn;
	wq_add_entry(wq, e);
}
void wq_add_entry(struct waitqueue *wq, struct wq_entry *e)
{
	e->task = NULL;
	list_add_tail(&e->link, &wq->waiters);
}

/* Edge-triggered epoll on a host pipe: data that arrives after a reader
 * drained the pipe to EAGAIN must be heard even if nobody polls in
 * between, so the EAGAIN arms a host watch for the listening queue. */
START_TEST(host_pipe_epoll_listener_hears_next_arrival)
{
	struct poll_table pt = { .qproc = listener_qproc };
	int p[2];
	struct file *rd;
	char buf[8];

	listeners = 0;
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(hostfd_file_new(p[0], O_RDONLY | O_NONBLOCK, &rd), 0);
	ck_assert_int_eq(write(p[1], "a", 1), 1);
	/* Polled for epoll while ready: the item listens on the read queue
	 * from now on, but no watch (it would fire at once). */
	task.poll_table = &pt;
	ck_assert_uint_eq(rd->ops->poll(rd, &task, POLLIN) & POLLIN, POLLIN);
	task.poll_table = NULL;
	ck_assert_int_eq(listeners, 1);
	ck_assert_int_eq(watches, 0);
	ck_assert_int_eq(vfs_read(rd, &task, buf, sizeof(buf), &rd->pos), 1);
	/* Drained: the next arrival is an edge; the watch will hear it. */
	ck_assert_int_eq(vfs_read(rd, &task, buf, sizeof(buf), &rd->pos), -EAGAIN);
	ck_assert_int_eq(watches, 1);
	/* Asking for nothing registers both queues (the write one too). */
	task.poll_table = &pt;
	rd->ops->poll(rd, &task, 0);
	task.poll_table = NULL;
	ck_assert_int_eq(listeners, 3);
	for (int i = 0; i < listeners; i++)
		list_del(&listener_entries[i].link);
	file_put(rd);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(host_pipe_large_write_is_chunked)
{
	int p[2];
	struct file *wr;
	static char big[100000];
	ssize_t n;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(hostfd_file_new(p[1], O_WRONLY, &wr), 0);
	/* Never more than PIPE_BUF per call, so the sentry never sleeps. */
	n = vfs_write(wr, &task, big, sizeof(big), &wr->pos);
	ck_assert_int_eq(n, 4096);
	while ((n = vfs_write(wr, &task, big, sizeof(big), &wr->pos)) > 0)
		;
	ck_assert_int_eq(n, -EBLOCKED);
	file_put(wr);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(host_regular_file_shares_offset)
{
	char path[] = "/tmp/test_hostfd_XXXXXX";
	int fd = mkstemp(path);
	struct file *f;
	char buf[16];
	int64_t pos = 1;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(hostfd_file_new(fd, O_RDWR, &f), 0);
	ck_assert_int_eq(vfs_write(f, &task, "hello", 5, &f->pos), 5);
	/* Through the shared host offset, as the user's shell sees it. */
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 5);
	ck_assert_int_eq(f->ops->llseek(f, 0, SEEK_SET), 0);
	ck_assert_int_eq(vfs_read(f, &task, buf, sizeof(buf), &f->pos), 5);
	/* pread leaves it alone. */
	ck_assert_int_eq(vfs_read(f, &task, buf, 2, &pos), 2);
	ck_assert_mem_eq(buf, "el", 2);
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 5);
	file_put(f);
	close(fd);
}
END_TEST

START_TEST(host_pty_terminal_ioctls)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;
	struct file *f;
	unsigned char kt[36];
	struct winsize ws = { .ws_row = 42, .ws_col = 99 }, got;
	pid_t pgrp = 0;
	int n = -1;

	ck_assert_int_ge(m, 0);
	ck_assert_int_eq(grantpt(m), 0);
	ck_assert_int_eq(unlockpt(m), 0);
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(ioctl(m, TIOCSWINSZ, &ws), 0);
	ck_assert_int_eq(hostfd_file_new(s, O_RDWR, &f), 0);
	/* Not yet anybody's terminal: job control requests say so. */
	ck_assert_int_eq(f->ops->ioctl(f, &task, TIOCGPGRP, (uint64_t)(uintptr_t)&pgrp), -ENOTTY);
	ck_assert_ptr_nonnull(hostfd_tty(f));
	tty_set_ctty(hostfd_tty(f), &tg);
	ck_assert_int_eq(f->ops->ioctl(f, &task, TCGETS, (uint64_t)(uintptr_t)kt), 0);
	ck_assert_int_eq(f->ops->ioctl(f, &task, TCSETS, (uint64_t)(uintptr_t)kt), 0);
	ck_assert_int_eq(f->ops->ioctl(f, &task, TIOCGWINSZ, (uint64_t)(uintptr_t)&got), 0);
	ck_assert_int_eq(got.ws_row, 42);
	ck_assert_int_eq(got.ws_col, 99);
	ck_assert_int_eq(f->ops->ioctl(f, &task, TIOCGPGRP, (uint64_t)(uintptr_t)&pgrp), 0);
	ck_assert_int_eq(pgrp, 1);
	/* A group that does not exist. */
	pgrp = 77;
	ck_assert_int_eq(f->ops->ioctl(f, &task, TIOCSPGRP, (uint64_t)(uintptr_t)&pgrp), -ESRCH);
	ck_assert_int_eq(write(m, "hi\n", 3), 3);
	/* The pty moves input over asynchronously. */
	ck_assert_int_eq(poll(&(struct pollfd){ .fd = s, .events = POLLIN }, 1, 2000), 1);
	ck_assert_int_eq(f->ops->ioctl(f, &task, FIONREAD, (uint64_t)(uintptr_t)&n), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(f->ops->ioctl(f, &task, TCSBRK, 1), 0);
	ck_assert_int_eq(f->ops->ioctl(f, &task, TCFLSH, TCIFLUSH), 0);
	ck_assert_int_eq(f->ops->ioctl(f, &task, FIONREAD, (uint64_t)(uintptr_t)&n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(f->ops->ioctl(f, &task, 0x5401 + 0x100, 0), -ENOTTY);
	file_put(f);
	close(s);
	close(m);
}
END_TEST

START_TEST(host_socket_read_write)
{
	int sv[2];
	struct file *f;
	char buf[8];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(hostfd_file_new(sv[0], O_RDWR, &f), 0);
	ck_assert_int_eq(vfs_read(f, &task, buf, sizeof(buf), &f->pos), -EBLOCKED);
	ck_assert_int_eq(write(sv[1], "xyz", 3), 3);
	ck_assert_int_eq(vfs_read(f, &task, buf, sizeof(buf), &f->pos), 3);
	ck_assert_int_eq(vfs_write(f, &task, "ok", 2, &f->pos), 2);
	ck_assert_int_eq(read(sv[1], buf, sizeof(buf)), 2);
	close(sv[1]);
	ck_assert_int_eq(vfs_read(f, &task, buf, sizeof(buf), &f->pos), 0);
	ck_assert_int_eq(vfs_write(f, &task, "x", 1, &f->pos), -EPIPE);
	ck_assert_int_eq(sigpipes, 1);
	file_put(f);
	close(sv[0]);
}
END_TEST

static Suite *hostfd_suite(void)
{
	Suite *s = suite_create("hostfd");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, host_pipe_read_write);
	tcase_add_test(tc, host_pipe_epoll_listener_hears_next_arrival);
	tcase_add_test(tc, host_pipe_large_write_is_chunked);
	tcase_add_test(tc, host_regular_file_shares_offset);
	tcase_add_test(tc, host_pty_terminal_ioctls);
	tcase_add_test(tc, host_socket_read_write);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hostfd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
