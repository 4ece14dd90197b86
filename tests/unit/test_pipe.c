/* Pipes without a running kernel: the ring buffer on its own, then the
 * pipe file operations with the few kernel services they use stubbed
 * below (wait queues record who waited, signals are recorded). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sentry/fs/pipe.h"
#include "sentry/fs/pipe_buf.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"

/* ---- stubs for the kernel services pipe.c and file.c use ---- */

static int waits, wakes, sigpipes, pending_signal;

void wq_init(struct waitqueue *wq) { list_init(&wq->waiters); }
bool wq_has_waiters(const struct waitqueue *wq) { return !list_empty(&wq->waiters); }
void wq_wake_all(struct waitqueue *wq)
{
	wakes++;
	while (!list_empty(&wq->waiters))
		list_del(wq->waiters.next);
}
void wq_wake_key(struct waitqueue *wq, unsigned int key) { wq_wake_all(wq); }
void task_wait_on(struct task *t, struct waitqueue *wq)
{
	struct wq_entry *e;

	waits++;
	if (t->nwaits >= TASK_MAX_WAITS)
		return;
	e = &t->waits[t->nwaits++];
	e->task = t;
	list_add_tail(&e->link, &wq->waiters);
}
bool signal_pending(struct task *t) { return pending_signal; }
int signal_send_thread(struct task *t, int sig, const siginfo_t *info)
{
	if (sig == SIGPIPE)
		sigpipes++;
	return 0;
}
bool cred_capable(const struct cred *c, int cap) { return false; }
int copy_to_user(struct task *t, uint64_t dst, const void *src, size_t n)
{
	memcpy((void *)(uintptr_t)dst, src, n);
	return 0;
}
void path_put(struct path *p) {}
void inode_put(struct inode *ino) {}
void inode_fill_stat(struct inode *ino, struct stat *st) {}
/* Named pipes ask who is blocked in open; anonymous ones never do. */
struct task *pid_lookup(pid_t pid) { return NULL; }

static struct task task;

static void reset(void)
{
	memset(&task, 0, sizeof(task));
	waits = wakes = sigpipes = pending_signal = 0;
}

/* ---- the buffer ---- */

/* The sequence Linux shows for a non-blocking 64 KiB pipe. */
START_TEST(buf_slots_like_linux)
{
	struct pipe_buf b;
	static char in[10000], out[10000];
	size_t total = 0, n;

	pipe_buf_init(&b, 16);
	/* 3000-byte writes cannot share pages: 16 of them fill the pipe. */
	while ((n = pipe_buf_write(&b, in, 3000)) > 0)
		total += n;
	ck_assert_uint_eq(total, 48000);
	ck_assert(pipe_buf_full(&b));
	/* A small write still merges into the last page. */
	ck_assert_uint_eq(pipe_buf_write(&b, in, 100), 100);
	ck_assert_uint_eq(pipe_buf_read(&b, out, 5000), 5000);
	/* One page free: a large write takes one page's worth. */
	ck_assert_uint_eq(pipe_buf_write(&b, in, 10000), 4096);
	ck_assert_uint_eq(pipe_buf_write(&b, in, 4096), 0);
	ck_assert_uint_eq(pipe_buf_len(&b), 48100 - 5000 + 4096);
	pipe_buf_destroy(&b);
}
END_TEST

START_TEST(buf_keeps_order_across_wraps)
{
	struct pipe_buf b;
	static char in[50000], out[50000];
	size_t wpos = 0, rpos = 0;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (char)(i * 13 + 1);
	pipe_buf_init(&b, 4);
	while (rpos < sizeof(in)) {
		wpos += pipe_buf_write(&b, in + wpos, MIN(sizeof(in) - wpos, 5000));
		rpos += pipe_buf_read(&b, out + rpos, 3333);
	}
	ck_assert_mem_eq(out, in, sizeof(in));
	ck_assert(pipe_buf_empty(&b));
	ck_assert_uint_eq(pipe_buf_read(&b, out, 10), 0);
	pipe_buf_destroy(&b);
}
END_TEST

START_TEST(buf_atomic_small_writes)
{
	struct pipe_buf b;
	static char in[4096];

	pipe_buf_init(&b, 2);
	ck_assert_uint_eq(pipe_buf_write(&b, in, 4000), 4000);
	ck_assert_uint_eq(pipe_buf_write(&b, in, 4096), 4096);
	/* 96 bytes free in the first page, but not at the end: all or nothing. */
	ck_assert_uint_eq(pipe_buf_write(&b, in, 50), 0);
	ck_assert_uint_eq(pipe_buf_read(&b, in, 4000), 4000);
	ck_assert_uint_eq(pipe_buf_write(&b, in, 4096), 4096);
	pipe_buf_destroy(&b);
}
END_TEST

START_TEST(buf_resize)
{
	struct pipe_buf b;
	char in[16] = "0123456789abcdef", out[16];

	pipe_buf_init(&b, 4);
	ck_assert_uint_eq(pipe_buf_write(&b, in, 3), 3);
	ck_assert_uint_eq(pipe_buf_read(&b, out, 1), 1);
	ck_assert_int_eq(pipe_buf_resize(&b, 1), 0);
	ck_assert_uint_eq(pipe_buf_write(&b, in + 3, 5), 5); /* merges */
	ck_assert_int_eq(pipe_buf_resize(&b, 0), -EBUSY);
	ck_assert_int_eq(pipe_buf_resize(&b, 8), 0);
	ck_assert_uint_eq(pipe_buf_read(&b, out, 16), 7);
	ck_assert_mem_eq(out, "1234567", 7);
	pipe_buf_destroy(&b);
}
END_TEST

/* ---- pipe files ---- */

static void make_pipe(struct file **rd, struct file **wr, int flags)
{
	reset();
	ck_assert_int_eq(pipe_create(rd, wr, flags), 0);
}

START_TEST(pipe_data_and_eof)
{
	struct file *rd, *wr;
	char buf[16];

	make_pipe(&rd, &wr, 0);
	ck_assert_int_eq(vfs_write(wr, &task, "hello", 5, &wr->pos), 5);
	ck_assert_int_eq(vfs_read(rd, &task, buf, sizeof(buf), &rd->pos), 5);
	ck_assert_mem_eq(buf, "hello", 5);
	/* Wrong ends. */
	ck_assert_int_eq(vfs_read(wr, &task, buf, 1, &wr->pos), -EBADF);
	ck_assert_int_eq(vfs_write(rd, &task, "x", 1, &rd->pos), -EBADF);
	/* Empty with a writer: block, queued once. */
	ck_assert_int_eq(vfs_read(rd, &task, buf, 1, &rd->pos), -EBLOCKED);
	ck_assert_int_eq(waits, 1);
	/* A pending signal interrupts instead of blocking. */
	pending_signal = 1;
	ck_assert_int_eq(vfs_read(rd, &task, buf, 1, &rd->pos), -ERESTARTSYS);
	pending_signal = 0;
	/* Closing the writer wakes readers and reads see EOF. */
	wakes = 0;
	file_put(wr);
	ck_assert_int_ge(wakes, 1);
	ck_assert_int_eq(vfs_read(rd, &task, buf, 1, &rd->pos), 0);
	ck_assert_uint_eq(rd->ops->poll(rd, NULL, POLLIN) & POLLHUP, POLLHUP);
	file_put(rd);
}
END_TEST

START_TEST(pipe_epipe_sends_sigpipe)
{
	struct file *rd, *wr;

	make_pipe(&rd, &wr, 0);
	file_put(rd);
	ck_assert_int_eq(vfs_write(wr, &task, "", 0, &wr->pos), 0); /* null write succeeds */
	ck_assert_int_eq(sigpipes, 0);
	ck_assert_int_eq(vfs_write(wr, &task, "x", 1, &wr->pos), -EPIPE);
	ck_assert_int_eq(sigpipes, 1);
	ck_assert_uint_eq(wr->ops->poll(wr, NULL, POLLOUT) & POLLERR, POLLERR);
	file_put(wr);
}
END_TEST

START_TEST(pipe_atomic_and_partial_writes)
{
	struct file *rd, *wr;
	static char big[PIPE_DEF_SIZE + 8192];

	make_pipe(&rd, &wr, O_NONBLOCK);
	/* 15 full pages and 3996 bytes in the last one. */
	ck_assert_int_eq(vfs_write(wr, &task, big, PIPE_DEF_SIZE - 100, &wr->pos),
			 PIPE_DEF_SIZE - 100);
	ck_assert_uint_eq(wr->ops->poll(wr, NULL, POLLOUT) & POLLOUT, 0);
	/* A PIPE_BUF write that does not fit entirely is not split. */
	ck_assert_int_eq(vfs_write(wr, &task, big, 200, &wr->pos), -EAGAIN);
	ck_assert_int_eq(vfs_write(wr, &task, big, 100, &wr->pos), 100);
	/* Full: a large write gets EAGAIN, never 0. */
	ck_assert_int_eq(vfs_write(wr, &task, big, 8192, &wr->pos), -EAGAIN);
	/* One page free after reading one: a large write takes a page. */
	ck_assert_int_eq(vfs_read(rd, &task, big, 4096, &rd->pos), 4096);
	ck_assert_uint_eq(wr->ops->poll(wr, NULL, POLLOUT) & POLLOUT, POLLOUT);
	ck_assert_int_eq(vfs_write(wr, &task, big, 8192, &wr->pos), 4096);
	file_put(rd);
	file_put(wr);
}
END_TEST

START_TEST(pipe_blocking_writer_waits)
{
	struct file *rd, *wr;
	static char big[PIPE_DEF_SIZE];

	make_pipe(&rd, &wr, 0);
	ck_assert_int_eq(vfs_write(wr, &task, big, sizeof(big), &wr->pos), PIPE_DEF_SIZE);
	ck_assert_int_eq(vfs_write(wr, &task, big, 1, &wr->pos), -EBLOCKED);
	ck_assert_int_eq(waits, 1);
	/* Reading wakes the writer; it still blocks until a whole page is
	 * free, as on Linux. */
	wakes = 0;
	ck_assert_int_eq(vfs_read(rd, &task, big, 10, &rd->pos), 10);
	ck_assert_int_eq(wakes, 1);
	ck_assert_int_eq(vfs_write(wr, &task, big, 10, &wr->pos), -EBLOCKED);
	ck_assert_int_eq(vfs_read(rd, &task, big, 4086, &rd->pos), 4086);
	ck_assert_int_eq(vfs_write(wr, &task, big, 10, &wr->pos), 10);
	file_put(rd);
	file_put(wr);
}
END_TEST

START_TEST(pipe_poll_queues_only_when_not_ready)
{
	struct file *rd, *wr;

	make_pipe(&rd, &wr, 0);
	ck_assert_uint_eq(rd->ops->poll(rd, &task, POLLIN), 0);
	ck_assert_int_eq(waits, 1);
	ck_assert_uint_eq(wr->ops->poll(wr, &task, POLLOUT), POLLOUT | POLLWRNORM);
	ck_assert_int_eq(waits, 1);
	file_put(rd);
	file_put(wr);
}
END_TEST

START_TEST(pipe_stat_size_ioctl)
{
	struct file *rd, *wr;
	struct stat st;
	int avail = -1;

	make_pipe(&rd, &wr, 0);
	ck_assert_int_eq(vfs_fstat(rd, &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFIFO | 0600);
	ck_assert_int_eq(st.st_blksize, 4096);
	ck_assert_int_eq(vfs_fstat(wr, &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFIFO | 0600);
	ck_assert(file_is_pipe(rd) && file_is_pipe(wr));
	ck_assert_int_eq(pipe_get_size(rd), PIPE_DEF_SIZE);
	ck_assert_int_eq(vfs_write(wr, &task, "abcdef", 6, &wr->pos), 6);
	ck_assert_int_eq(rd->ops->ioctl(rd, &task, FIONREAD, (uint64_t)(uintptr_t)&avail), 0);
	ck_assert_int_eq(avail, 6);
	ck_assert_int_eq(rd->ops->ioctl(rd, &task, TCGETS, 0), -ENOTTY);
	/* Sizes round up to a power-of-two number of pages. */
	ck_assert_int_eq(pipe_set_size(wr, &task, 5000), 8192);
	ck_assert_int_eq(pipe_set_size(wr, &task, 1), 4096);
	ck_assert_int_eq(pipe_set_size(wr, &task, 2 * PIPE_MAX_SIZE), -EPERM);
	ck_assert_int_eq(pipe_set_size(wr, &task, (1UL << 31) + 1), -EINVAL);
	ck_assert_int_eq(pipe_get_size(rd), 4096);
	file_put(rd);
	file_put(wr);
}
END_TEST

static Suite *pipe_suite(void)
{
	Suite *s = suite_create("pipe");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, buf_slots_like_linux);
	tcase_add_test(tc, buf_keeps_order_across_wraps);
	tcase_add_test(tc, buf_atomic_small_writes);
	tcase_add_test(tc, buf_resize);
	tcase_add_test(tc, pipe_data_and_eof);
	tcase_add_test(tc, pipe_epipe_sends_sigpipe);
	tcase_add_test(tc, pipe_atomic_and_partial_writes);
	tcase_add_test(tc, pipe_blocking_writer_waits);
	tcase_add_test(tc, pipe_poll_queues_only_when_not_ready);
	tcase_add_test(tc, pipe_stat_size_ioctl);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pipe_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
