/* Pseudo-terminal pairs, private to tty_pty.c, devpts.c and
 * tty_console.c. */
#ifndef SENTRY_FS_TTY_PTY_H
#define SENTRY_FS_TTY_PTY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sentry/fs/tty.h"
#include "sentry/kernel.h"

/* Slave output waiting for the master: what Linux keeps in the master's
 * line discipline (4 KiB) plus its flip buffers. */
#define PTY_OUT_SIZE 16384
/* What survives an output flush (ISIG, TCOFLUSH): the bytes a Linux
 * master has already moved into its own line discipline. */
#define PTY_OUT_KEPT_ON_FLUSH N_TTY_BUF_SIZE
/* kernel.pty.max */
#define PTY_MAX 4096
#define PTY_SLAVE_MAJOR 136
#define TTYAUX_MAJOR 5

struct inode;

struct pty {
	struct tty_struct tty;      /* the slave: what job control and termios act on */
	struct n_tty ldata;
	int index;                  /* /dev/pts/N */
	bool locked;                /* TIOCSPTLCK: the slave cannot be opened */
	int masters, slaves;        /* open files of each side; the console counts as a master */
	bool slave_closed;          /* the last slave file went (the master's TTY_OTHER_CLOSED) */
	bool hung_up;               /* the master went: slave files are hung up */
	bool exclusive;             /* TIOCEXCL: only CAP_SYS_ADMIN may open the slave */
	unsigned char out[PTY_OUT_SIZE]; /* slave output the master has not read */
	size_t out_head, out_tail;
	struct waitqueue wq;        /* readers, writers and pollers of both sides */
	struct inode *slave_ino;    /* in devpts */
	struct dentry *dentry;      /* its cached name, dropped when the master goes */
	void (*notify)(void *arg);  /* a master held by the sentry */
	void *notify_arg;
};

/* tty_pty.c */
extern const struct file_ops pty_master_fops, pty_slave_fops;
/* Opens of the devpts nodes. */
int ptmx_open(struct file *f, struct task *t);
int pty_slave_open(struct pty *p, struct file *f, struct task *t);

/* devpts.c */
/* Gives p an index and its /dev/pts node, owned by uid. -ENOSPC when
 * every index is taken. The node is listed while the master is open
 * (!p->hung_up). */
int devpts_add(struct pty *p, uid_t uid);
/* The pair is gone: its index is free again. */
void devpts_remove(struct pty *p);
/* A new file on p's slave for a task: through the node's path next to
 * the master's (TIOCGPTPEER), else without a path. */
int devpts_open_slave(struct pty *p, const struct file *master, struct task *t, int flags,
		      struct file **out);

#endif
