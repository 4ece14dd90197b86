/* Internals of the synthetic filesystems built from tables: procfs
 * (sentry/fs/procfs*.c) and sysfs/cgroupfs (sentry/fs/sysfs.c).
 *
 * A directory is a table of struct pfs_entry (name, mode, and what the
 * entry does), optionally followed by dynamic children (the pids in /proc,
 * the fds in /proc/PID/fd). An inode carries a struct pfs_inode: the entry
 * it shows and, below /proc/PID, which process or thread. Nothing is
 * cached: the superblock has SB_NO_DCACHE, every lookup builds inodes from
 * live sentry state, and revalidate drops dentries of processes that are
 * gone. Regular files are generated into a buffer when read at offset 0
 * (or first read), as Linux's seq_file does, so a reader that seeks back
 * to 0 (top, free) sees fresh values. */
#ifndef SENTRY_FS_PROCFS_H
#define SENTRY_FS_PROCFS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

/* ---- generated text ---- */

struct sbuf {
	char *buf;
	size_t len, cap;
};

void sbuf_write(struct sbuf *s, const void *p, size_t n);
void sbuf_puts(struct sbuf *s, const char *str);
void sbuf_printf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "Label:          %8lu kB\n": the 16-column label and 8-column value of
 * /proc/meminfo, status's Vm lines and smaps. */
void sbuf_put_kb(struct sbuf *s, const char *label, uint64_t kb);
void sbuf_free(struct sbuf *s);

/* ---- entries and inodes ---- */

struct pfs_inode;
struct pfs_entry;

/* Entry flags. */
#define PFS_PTRACE_OPEN 0x1  /* opening needs ptrace read access to the process */
#define PFS_PTRACE_ATTACH 0x2 /* ... ptrace attach access (mem) */
#define PFS_SYSCTL      0x4  /* /proc/sys: writes need euid 0 and a w bit */

/* Dynamic children of a directory. Positions: the table's entries take
 * 2 .. 2+n-1; dynamic entries use PFS_DYN_POS + key, key ascending, so an
 * offset stays valid while entries come and go. */
#define PFS_DYN_POS 0x10000

struct pfs_dir_ops {
	int (*lookup)(struct inode *dir, const char *name, struct inode **out);
	/* Emits the children with key >= ctx->pos - PFS_DYN_POS. */
	int (*iterate)(struct inode *dir, struct dir_context *ctx);
};

struct pfs_entry {
	const char *name;
	uint32_t mode;          /* S_IFMT | permission bits */
	unsigned int flags;     /* PFS_* */
	/* Regular files: generates the contents for reader (the task that
	 * reads; it may be NULL for kernel-internal reads). */
	int (*show)(struct task *reader, struct pfs_inode *pi, struct sbuf *out);
	/* Writable files: the whole write at once (these are small). */
	ssize_t (*write)(struct task *t, struct pfs_inode *pi, const char *buf, size_t len);
	/* Directories. */
	const struct pfs_entry *children; /* ends with a NULL name */
	const struct pfs_dir_ops *dyn;
	/* Symlinks: magic (jump to a path) and/or text. */
	int (*get_link)(struct task *t, struct pfs_inode *pi, const struct path *link, struct path *out);
	int (*readlink)(struct task *t, struct pfs_inode *pi, char *buf, size_t len);
	/* Raw files (mem): read and write the object directly at *pos rather
	 * than through generated text. */
	ssize_t (*raw_read)(struct task *t, struct pfs_inode *pi, void *buf, size_t len, int64_t pos);
	ssize_t (*raw_write)(struct task *t, struct pfs_inode *pi, const void *buf, size_t len, int64_t pos);
};

struct pfs_inode {
	const struct pfs_entry *e;
	pid_t tgid;             /* 0: not below /proc/PID */
	pid_t tid;              /* the thread (== tgid below /proc/PID itself) */
	int64_t start;          /* the process's start time: tells a reused pid apart */
	int fd;                 /* /proc/PID/fd/N, fdinfo/N; else -1 */
	uint64_t key;           /* extra identity for inode numbers */
};

/* A new inode for entry e with pi's identity (copied). The inode number
 * is derived from the identity, so it is stable across lookups. */
struct inode *pfs_new_inode(struct superblock *sb, const struct pfs_entry *e,
			    const struct pfs_inode *pi);
/* The inode number an entry with identity pi gets (readdir's d_ino). */
uint64_t pfs_ino(const struct pfs_entry *e, const struct pfs_inode *pi);
/* A new superblock for a table filesystem and its root directory. */
struct inode *pfs_new_root(const char *fstype, unsigned long sb_flags, const struct pfs_entry *root);
static inline struct pfs_inode *PFS_I(struct inode *ino) { return ino->priv; }

/* A directory entry's number as procfs names them (pids, fds, cpuN's N):
 * decimal digits, no sign, no leading zero; -1 when it is not one. */
int pfs_parse_decimal(const char *name);

/* ---- processes ---- */

/* The live thread pi stands for (the leader for /proc/PID), or NULL if the
 * process is gone (reaped or the pid reused). A zombie's dead task is
 * returned: callers check t->state and the NULL mm/files/fs. */
struct task *pfs_task(const struct pfs_inode *pi);
/* Linux's __ptrace_may_access: may t inspect (attach: modify) target? */
int pfs_ptrace_may_access(struct task *t, struct task *target, bool attach);
/* The identity of a pid directory for task t. */
void pfs_pid_identity(struct pfs_inode *pi, struct task *t, bool thread);

/* ---- procfs parts ---- */

extern const struct pfs_entry procfs_tgid_entries[];  /* /proc/PID */
extern const struct pfs_entry procfs_tid_entries[];   /* /proc/PID/task/TID */
extern const struct pfs_entry procfs_sys_entries[];   /* /proc/sys */
extern const struct pfs_entry procfs_ns_entries[];    /* /proc/PID/ns */
extern const struct pfs_dir_ops procfs_fd_dir_ops;     /* /proc/PID/fd */
extern const struct pfs_dir_ops procfs_fdinfo_dir_ops; /* /proc/PID/fdinfo */

/* procfs_info.c: /proc/{meminfo,cpuinfo,stat,uptime,loadavg,version,...} */
int procfs_show_meminfo(struct task *r, struct pfs_inode *pi, struct sbuf *out);
int procfs_show_cpuinfo(struct task *r, struct pfs_inode *pi, struct sbuf *out);
int procfs_show_stat(struct task *r, struct pfs_inode *pi, struct sbuf *out);
int procfs_show_uptime(struct task *r, struct pfs_inode *pi, struct sbuf *out);
int procfs_show_loadavg(struct task *r, struct pfs_inode *pi, struct sbuf *out);
int procfs_show_version(struct task *r, struct pfs_inode *pi, struct sbuf *out);
int procfs_show_filesystems(struct task *r, struct pfs_inode *pi, struct sbuf *out);
int procfs_show_swaps(struct task *r, struct pfs_inode *pi, struct sbuf *out);
int procfs_show_vmstat(struct task *r, struct pfs_inode *pi, struct sbuf *out);

/* procfs_mounts.c: the mount table as task t sees it. */
int procfs_show_mounts(struct task *t, struct sbuf *out);
int procfs_show_mountinfo(struct task *t, struct sbuf *out);

/* procfs_pid.c helpers shared with the other parts */
/* What a magic link's readlink shows for p: its path from the reader's
 * root, cut to len. */
int procfs_path_text(struct task *reader, const struct path *p, char *buf, size_t len);
/* Nanoseconds to USER_HZ clock ticks. */
static inline uint64_t ns_to_clock_t(uint64_t ns) { return ns / 10000000ULL; }
/* Resident bytes of a memory-file range (mincore on the sentry's mapping). */
uint64_t pfs_resident_bytes(uint64_t off, uint64_t len);

#endif
