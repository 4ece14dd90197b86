/* Pipes: data, EOF, EPIPE/SIGPIPE, O_NONBLOCK, PIPE_BUF atomicity, bulk
 * transfer between processes. */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <poll.h>

#define BULK_LEN (100 * 1024)
#define WRITERS 4
#define CHUNKS_PER_WRITER 32

int main(void)
{
	int p[2];
	char buf[PIPE_BUF * 2];

	CHECK_OK("pipe2.cloexec", pipe2(p, O_CLOEXEC));
	CHECK("pipe2.fds_distinct", p[0] != p[1] && p[0] > 2 && p[1] > 2);
	CHECK("pipe2.cloexec_set", (fcntl(p[0], F_GETFD) & FD_CLOEXEC) &&
	      (fcntl(p[1], F_GETFD) & FD_CLOEXEC));
	CHECK_EQ("pipe.read_end_rdonly", fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	CHECK_EQ("pipe.write_end_wronly", fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	CHECK_EQ("pipe.write", write(p[1], "hello", 5), 5);
	CHECK_EQ("pipe.partial_read", read(p[0], buf, 3), 3);
	CHECK("pipe.partial_read_data", memcmp(buf, "hel", 3) == 0);
	CHECK_EQ("pipe.read_rest", read(p[0], buf, sizeof(buf)), 2);
	CHECK("pipe.read_rest_data", memcmp(buf, "lo", 2) == 0);
	CHECK_ERR("pipe.write_to_read_end_ebadf", write(p[0], "x", 1), EBADF);
	CHECK_ERR("pipe.read_from_write_end_ebadf", read(p[1], buf, 1), EBADF);
	CHECK_EQ("pipe.zero_length_write", write(p[1], buf, 0), 0);
	CHECK_ERR("pipe2.bad_flags_einval", pipe2(p, 0x7fffffff & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)), EINVAL);

	/* EOF once every writer is gone, buffered data first. */
	CHECK_EQ("pipe.write_before_close", write(p[1], "ab", 2), 2);
	close(p[1]);
	CHECK_EQ("pipe.read_buffered_after_close", read(p[0], buf, sizeof(buf)), 2);
	CHECK_EQ("pipe.eof_after_writer_closed", read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);

	/* Writing with no reader: SIGPIPE kills by default; EPIPE if ignored. */
	CHECK_OK("pipe.for_epipe", pipe(p));
	close(p[0]);
	pid_t c = fork();
	if (c == 0) {
		signal(SIGPIPE, SIG_DFL);
		ssize_t r = write(p[1], "x", 1);
		_exit(r < 0 ? 100 : 101);
	}
	CHECK_KILLED("pipe.sigpipe_default_kills", conf_wait(c), SIGPIPE);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR("pipe.epipe_when_sigpipe_ignored", write(p[1], "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);

	/* Blocked SIGPIPE: EPIPE and the signal stays pending. */
	CHECK_OK("pipe.for_blocked_sigpipe", pipe(p));
	close(p[0]);
	sigset_t set, old, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &old);
	CHECK_ERR("pipe.epipe_when_sigpipe_blocked", write(p[1], "x", 1), EPIPE);
	sigpending(&pend);
	CHECK("pipe.sigpipe_pending", sigismember(&pend, SIGPIPE));
	signal(SIGPIPE, SIG_IGN); /* discards the pending one */
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);

	/* Non-blocking: EAGAIN on empty read and on full pipe. */
	CHECK_OK("pipe2.nonblock", pipe2(p, O_NONBLOCK));
	CHECK("pipe2.nonblock_flag", fcntl(p[0], F_GETFL) & O_NONBLOCK);
	CHECK_ERR("pipe.nonblock_empty_read_eagain", read(p[0], buf, 1), EAGAIN);
	static char big[1 << 16];
	memset(big, 'z', sizeof(big));
	size_t total = 0;
	ssize_t w;
	while ((w = write(p[1], big, sizeof(big))) > 0)
		total += w;
	CHECK_ERR("pipe.nonblock_full_write_eagain", write(p[1], big, 1), EAGAIN);
	CHECK("pipe.capacity_at_least_4096", total >= 4096);
	struct pollfd pfd = { .fd = p[1], .events = POLLOUT };
	CHECK_EQ("poll.full_pipe_not_writable", poll(&pfd, 1, 0), 0);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	CHECK_EQ("poll.full_pipe_readable", poll(&pfd, 1, 0), 1);
	CHECK_EQ("poll.full_pipe_revents", pfd.revents, POLLIN);
	size_t drained = 0;
	ssize_t r;
	while ((r = read(p[0], big, sizeof(big))) > 0)
		drained += r;
	CHECK_EQ("pipe.drained_all", drained, total);
	close(p[1]);
	pfd.events = POLLIN;
	CHECK_EQ("poll.hup_after_writer_closed", poll(&pfd, 1, 0), 1);
	CHECK("poll.pollhup_set", pfd.revents & POLLHUP);
	close(p[0]);

	/* PIPE_BUF atomicity: several writers write PIPE_BUF-byte chunks, each
	 * filled with the writer's byte; no chunk may be interleaved. */
	CHECK_OK("pipe.for_atomic", pipe(p));
	pid_t kids[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char chunk[PIPE_BUF];
			close(p[0]);
			memset(chunk, 'A' + i, sizeof(chunk));
			for (int j = 0; j < CHUNKS_PER_WRITER; j++)
				if (write(p[1], chunk, sizeof(chunk)) != sizeof(chunk))
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	int counts[WRITERS] = { 0 }, torn = 0, chunks = 0;
	for (;;) {
		ssize_t n = conf_read_all(p[0], buf, PIPE_BUF);
		if (n <= 0)
			break;
		if (n != PIPE_BUF) {
			torn++;
			break;
		}
		chunks++;
		int k = buf[0] - 'A';
		for (int j = 1; j < PIPE_BUF; j++)
			if (buf[j] != buf[0]) {
				torn++;
				break;
			}
		if (k >= 0 && k < WRITERS)
			counts[k]++;
	}
	close(p[0]);
	int ok_kids = 0;
	for (int i = 0; i < WRITERS; i++) {
		int st = conf_wait(kids[i]);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok_kids++;
	}
	CHECK_EQ("pipe.atomic_writers_ok", ok_kids, WRITERS);
	CHECK_EQ("pipe.atomic_no_torn_chunks", torn, 0);
	CHECK_EQ("pipe.atomic_chunk_count", chunks, WRITERS * CHUNKS_PER_WRITER);
	int balanced = 1;
	for (int i = 0; i < WRITERS; i++)
		balanced &= counts[i] == CHUNKS_PER_WRITER;
	CHECK("pipe.atomic_chunks_per_writer", balanced);

	/* 100 KB through a pipe from a child, checksummed. */
	CHECK_OK("pipe.for_bulk", pipe(p));
	c = fork();
	if (c == 0) {
		close(p[0]);
		static unsigned char data[BULK_LEN];
		for (int i = 0; i < BULK_LEN; i++)
			data[i] = (unsigned char)(i * 7 + (i >> 8));
		/* Odd-sized writes so reads and writes do not line up. */
		size_t off = 0;
		while (off < BULK_LEN) {
			size_t n = BULK_LEN - off < 3001 ? BULK_LEN - off : 3001;
			if (conf_write_all(p[1], data + off, n) != (ssize_t)n)
				_exit(1);
			off += n;
		}
		_exit(0);
	}
	close(p[1]);
	size_t got = 0;
	int mismatch = 0;
	for (;;) {
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++, got++)
			if ((unsigned char)buf[i] != (unsigned char)(got * 7 + (got >> 8)))
				mismatch++;
	}
	close(p[0]);
	CHECK_EXIT("pipe.bulk_writer_ok", conf_wait(c), 0);
	CHECK_EQ("pipe.bulk_length", got, BULK_LEN);
	CHECK_EQ("pipe.bulk_data", mismatch, 0);

	/* A reader blocked on an empty pipe wakes when data arrives. */
	CHECK_OK("pipe.for_blocking", pipe(p));
	c = fork();
	if (c == 0) {
		close(p[0]);
		conf_msleep(30);
		_exit(write(p[1], "late", 4) == 4 ? 0 : 1);
	}
	close(p[1]);
	CHECK_EQ("pipe.blocking_read_wakes", conf_read_all(p[0], buf, 4), 4);
	CHECK("pipe.blocking_read_data", memcmp(buf, "late", 4) == 0);
	CHECK_EQ("pipe.blocking_read_eof", read(p[0], buf, 1), 0);
	close(p[0]);
	CHECK_EXIT("pipe.blocking_writer_ok", conf_wait(c), 0);

	return conf_done();
}
