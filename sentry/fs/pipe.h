/* Anonymous pipes (pipe(2), pipe2(2)) with Linux semantics: a 64 KiB
 * buffer, PIPE_BUF atomicity, SIGPIPE/EPIPE without readers, EOF without
 * writers, and F_GETPIPE_SZ/F_SETPIPE_SZ. */
#ifndef SENTRY_FS_PIPE_H
#define SENTRY_FS_PIPE_H

#include <stdbool.h>
#include <sys/types.h>

struct file;
struct inode;
struct pipe;
struct task;

#define PIPE_DEF_SIZE 65536     /* 16 pages, Linux's default */
#define PIPE_MAX_SIZE 1048576   /* /proc/sys/fs/pipe-max-size default */
#ifndef PIPE_BUF
#define PIPE_BUF 4096
/* Named pipes: the pipe of a FIFO inode (inode->pipe, made on the first
 * open, freed with the inode by fifo_free). fifo_open sets f up as an end
 * with fifo(7)'s open rules: a reader waits for a writer and a writer for
 * a reader (-EBLOCKED with t queued; -ERESTARTSYS on a signal), except
 * O_NONBLOCK readers, which open at once, and O_NONBLOCK writers, which get
 * ENXIO without a reader; O_RDWR never waits. */
int fifo_open(struct inode *ino, struct file *f, struct task *t);
void fifo_free(struct pipe *p);

#endif

/* Two new files (refcount 1 each) over one pipe: *rd open O_RDONLY, *wr
 * O_WRONLY; flags may hold O_NONBLOCK (the caller validates pipe2 flags). */
int pipe_create(struct file **rd, struct file **wr, int flags);
/* The owner fstat reports (the creator's fsuid/fsgid); default 0/0. */
void pipe_set_owner(struct file *f, uid_t uid, gid_t gid);
bool file_is_pipe(const struct file *f);
/* F_GETPIPE_SZ / F_SETPIPE_SZ: -EBADF when f is not a pipe. */
long pipe_get_size(struct file *f);
long pipe_set_size(struct file *f, struct task *t, unsigned long size);

/* Named pipes: the pipe of a FIFO inode (inode->pipe, made on the first
 * open, freed with the inode by fifo_free). fifo_open sets f up as an end
 * with fifo(7)'s open rules: a reader waits for a writer and a writer for
 * a reader (-EBLOCKED with t queued; -ERESTARTSYS on a signal), except
 * O_NONBLOCK readers, which open at once, and O_NONBLOCK writers, which get
 * ENXIO without a reader; O_RDWR never waits. */
int fifo_open(struct inode *ino, struct file *f, struct task *t);
void fifo_free(struct pipe *p);

/* For splice/tee/vmsplice (syscalls/sys_splice.c); f is a pipe end.
 * pipe_splice_avail: bytes readable (> 0), 0 at EOF, or -EAGAIN (empty and
 * nonblock), -ERESTARTSYS, -EBLOCKED (t queued). pipe_splice_room: bytes
 * that fit whole (> 0), or -EPIPE (SIGPIPE sent) without readers, -EAGAIN,
 * -ERESTARTSYS, -EBLOCKED. */
long pipe_splice_avail(struct file *f, struct task *t, bool nonblock);
long pipe_splice_room(struct file *f, struct task *t, bool nonblock);
size_t pipe_peek(struct file *f, void *buf, size_t off, size_t len);
/* Drops n bytes already peeked / stores n <= room bytes, waking the peer. */
void pipe_consume(struct file *f, size_t n);
void pipe_fill(struct file *f, const void *buf, size_t n);
/* Whether two pipe ends share one pipe. */
bool pipe_same(const struct file *a, const struct file *b);

#endif
