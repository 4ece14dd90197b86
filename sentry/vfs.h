/* The virtual filesystem: inodes, dentries, mounts, open files.
 * Naming follows Linux's VFS. Every filesystem (goferfs, devfs, pipes,
 * host fds, later tmpfs/procfs/overlay) plugs in through inode_ops and
 * file_ops. Reference counting: *_get adds a reference, *_put drops one. */
#ifndef SENTRY_VFS_H
#define SENTRY_VFS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#include "sentry/kernel.h"

struct inode;
struct dentry;
struct mount;
struct file;
struct superblock;
struct statfs;
struct pipe;
struct spec_mount;
struct fdtable;
struct sbuf;
struct fsnotify_conn;

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

struct superblock {
	int refcount;
	uint64_t dev;           /* st_dev of its inodes */
	const char *fstype;     /* "9p"-like name shown in /proc/mounts: "gofer", "devtmpfs"... */
	unsigned long flags;    /* MS_RDONLY... */
	uint64_t next_ino;      /* for synthetic filesystems */
	void *priv;
	/* statfs(2) numbers (NULL: vfs_statfs fills generic ones from the
	 * fstype). f_flags is filled by the VFS from the mount. */
	int (*statfs)(struct superblock *sb, struct statfs *st);
	/* Filesystem-specific options for /proc/mounts ("size=...,mode=..."),
	 * without a leading comma; returns the length written. May be NULL. */
	int (*show_options)(struct superblock *sb, char *buf, size_t len);
	/* mount -o remount: applies the filesystem part of data (options it
	 * does not know: -EINVAL). May be NULL (then any data is refused). */
	int (*remount)(struct superblock *sb, const char *data);
	/* Releases priv when the last reference goes (may be NULL). */
	void (*kill_sb)(struct superblock *sb);
	/* Mounts of this superblock (struct mount): when the last one goes
	 * the filesystem is unmounted for fsnotify (IN_UNMOUNT), as Linux's
	 * generic_shutdown_super, even if inodes still hold sb. */
	int s_mounts;
};

/* One emitted directory entry; returns false when the caller's buffer is
 * full (stop iterating; the entry was not consumed). */
struct dir_context;
typedef bool (*filldir_t)(struct dir_context *ctx, const char *name, int namelen,
			  int64_t next_pos, uint64_t ino, unsigned int dtype);
struct dir_context {
	filldir_t actor;
	int64_t pos;            /* position to read from; iterate advances it */
};

/* An attribute change (chmod, chown, truncate, utimes): valid says which
 * fields apply. */
#define VFS_ATTR_MODE      0x01
#define VFS_ATTR_UID       0x02
#define VFS_ATTR_GID       0x04
#define VFS_ATTR_SIZE      0x08
#define VFS_ATTR_ATIME     0x10
#define VFS_ATTR_MTIME     0x20
#define VFS_ATTR_TIMES_SET 0x40 /* explicit times, not "now": owner only */
struct vfs_iattr {
	unsigned int valid;
	uint32_t mode;          /* permission bits only */
	uint32_t uid, gid;
	int64_t size;
	struct timespec atime, mtime;
};

struct inode_ops {
	/* Finds name in dir: 0 with *out (new reference), or -ENOENT. */
	int (*lookup)(struct inode *dir, const char *name, struct inode **out);
	/* Symlink target, not NUL-terminated; returns its length. */
	int (*readlink)(struct inode *ino, char *buf, size_t bufsz);
	/* Refreshes cached attributes (may be NULL). */
	int (*getattr)(struct inode *ino);
	/* Prepares f (f->priv, f->ops) for an open of this inode. */
	int (*open)(struct inode *ino, struct file *f);
	/* Write operations; NULL means the filesystem refuses (-EROFS for
	 * read-only superblocks, else -EPERM). */
	int (*create)(struct inode *dir, const char *name, uint32_t mode, struct inode **out);
	int (*mkdir)(struct inode *dir, const char *name, uint32_t mode);
	int (*unlink)(struct inode *dir, const char *name);
	int (*rmdir)(struct inode *dir, const char *name);
	int (*rename)(struct inode *odir, const char *oname, struct inode *ndir, const char *nname, unsigned int flags);
	int (*symlink)(struct inode *dir, const char *name, const char *target);
	/* Releases priv when the last reference goes. */
	void (*evict)(struct inode *ino);
	/* More write operations (NULL: refused as above). link adds a name
	 * for target in dir; mknod makes a FIFO, socket or device node. */
	int (*link)(struct inode *dir, const char *name, struct inode *target);
	int (*mknod)(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev);
	/* Applies an attribute change already checked by vfs_setattr. */
	int (*setattr)(struct inode *ino, const struct vfs_iattr *ia);
	/* Magic links (procfs: /proc/self, /proc/PID/fd/N, exe, cwd): what
	 * the link means to task t (NULL: the kernel itself). get_link sets
	 * *out to the path the link stands for (a new reference); the walk
	 * continues from there without re-reading a string, as Linux's
	 * nd_jump_link. readlink_task, when set, replaces readlink. */
	int (*get_link)(struct task *t, const struct path *link, struct path *out);
	int (*readlink_task)(struct task *t, struct inode *ino, char *buf, size_t bufsz);
	/* Replaces open when set, for filesystems whose open checks depend
	 * on the task opening (procfs: ptrace access to the process). */
	int (*open_task)(struct task *t, struct inode *ino, struct file *f);
	/* Whether a cached dentry of this inode still names the same object
	 * (procfs: the process is still alive); false makes the lookup drop
	 * it and ask the filesystem again. May refresh attributes. */
	bool (*revalidate)(struct inode *ino);
	/* Extended attributes, already checked by sentry/vfs/xattr.c (name
	 * namespace, permission). getxattr/listxattr with size 0 return the
	 * size needed; a too small buffer gives -ERANGE. NULL: -EOPNOTSUPP. */
	ssize_t (*getxattr)(struct inode *ino, const char *name, void *buf, size_t size);
	int (*setxattr)(struct inode *ino, const char *name, const void *value, size_t size, int flags);
	/* All names, each NUL-terminated; filter says which ones the caller
	 * may see (trusted.* needs CAP_SYS_ADMIN). */
	ssize_t (*listxattr)(struct inode *ino, char *buf, size_t size,
			     bool (*filter)(const char *name, void *arg), void *arg);
	int (*removexattr)(struct inode *ino, const char *name);
	/* O_TMPFILE: a new unnamed regular file (nlink 0) in dir. */
	int (*tmpfile)(struct inode *dir, uint32_t mode, struct inode **out);
	/* Whether a get_link link is a magic link for openat2's RESOLVE_*
	 * (NULL: it is). /proc/self is not: Linux follows it as the plain
	 * symlink "PID". */
	bool (*link_is_magic)(struct inode *ino);
};

struct inode {
	int refcount;
	uint64_t ino;
	uint32_t mode;          /* S_IFMT | permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t rdev;
	int64_t size;
	int64_t blocks;
	uint32_t blksize;
	struct timespec atime, mtime, ctime;
	struct superblock *sb;
	const struct inode_ops *iops;
	const struct file_ops *fops; /* installed in struct file on open */
	void *priv;
	/* The page cache of a mappable regular file (sentry/pagecache.h),
	 * created by the filesystem's mmap op, freed by its evict. */
	struct pagecache *cache;
	struct pipe *pipe;      /* a FIFO's pipe once opened (Linux's i_pipe) */
	/* Advisory locks on this inode (sentry/vfs/locks.c, Linux's i_flctx). */
	struct file_lock *i_flock;
	/* The fsnotify marks (inotify watches) on this inode, NULL if it
	 * never had any (sentry/fsnotify.h, Linux's i_fsnotify_marks). */
	struct fsnotify_conn *i_fsnotify;
	/* An O_TMPFILE|O_EXCL file: linkat never names it (Linux's inode
	 * without I_LINKABLE). */
	bool i_unlinkable;
};

struct file_ops {
	/* Blocking I/O: queue with task_wait_on() and return -EBLOCKED, or
	 * -EAGAIN when the file is O_NONBLOCK. pos is &f->pos or a pread
	 * offset; seekable files advance it. */
	ssize_t (*read)(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos);
	ssize_t (*write)(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos);
	int64_t (*llseek)(struct file *f, int64_t off, int whence);
	int (*iterate)(struct file *f, struct dir_context *ctx);
	long (*ioctl)(struct file *f, struct task *t, unsigned int cmd, uint64_t arg);
	/* Returns ready POLL* events; if t is non-NULL and nothing is ready,
	 * queues t (task_wait_on) on what will change that. */
	unsigned int (*poll)(struct file *f, struct task *t, unsigned int events);
	/* Overrides the inode's attributes (pipes, host fds). */
	int (*getattr)(struct file *f, struct stat *st);
	void (*release)(struct file *f);
	/* For files with no path (pipes, host fds, anon inodes), what
	 * /proc/PID/fd/N shows and does. reopen makes nf (already holding the
	 * new open's flags, O_TRUNC included) another open file description
	 * of the same object, setting nf->ops and nf->priv; NULL: the open
	 * fails with ENXIO, as Linux's sockets and anon inodes do. dname
	 * writes the link's text ("anon_inode:[eventfd]") and returns its
	 * length; NULL: "pipe:[ino]"/"socket:[ino]" from getattr, else
	 * "anon_inode:[unknown]". */
	int (*reopen)(struct file *f, struct file *nf);
	int (*dname)(struct file *f, char *buf, size_t len);
	/* fsync/fdatasync: writes back cached pages and syncs the backing
	 * store. NULL: -EINVAL, as Linux for files without one. */
	int (*fsync)(struct file *f, bool datasync);
	/* fallocate(2) modes the filesystem supports (NULL: -EOPNOTSUPP). */
	int (*fallocate)(struct file *f, int mode, int64_t off, int64_t len);
	/* mmap: the page cache holding the file's pages (*out), created on
	 * first use; mm maps its memory-file ranges. *out NULL with 0 means
	 * "anonymous memory" (/dev/zero). NULL op: ENODEV. */
	int (*mmap)(struct file *f, struct pagecache **out);
	/* Files whose transfers are messages (sockets) take read(2),
	 * readv(2), write(2) and writev(2) whole, not in bounce-buffer
	 * chunks, so that one call is one datagram. iov holds user
	 * addresses (already checked with access_ok), total their sum. A
	 * blocking transfer keeps its progress in t->sys.scratch[0]. read
	 * and write above still serve sentry-buffer paths (sendfile). */
	ssize_t (*read_user)(struct file *f, struct task *t, const struct iovec *iov, int nr,
			     size_t total);
	ssize_t (*write_user)(struct file *f, struct task *t, const struct iovec *iov, int nr,
			      size_t total);
	/* Every close of a descriptor of f (close, dup2 over it, exec's
	 * close-on-exec, the fd table going), before the reference is
	 * dropped: Linux's flush, with kernel->current the closing task
	 * when there is one. May be NULL. */
	void (*flush)(struct file *f, struct fdtable *ft);
	/* Lines /proc/PID/fdinfo/N shows after pos, flags and mnt_id
	 * (inotify's watches). May be NULL. */
	void (*show_fdinfo)(struct file *f, struct sbuf *out);
};

/* The epoll items watching a file (sentry/fs/epoll.c). */
struct ep_watchers {
	void (*release)(struct file *f); /* removes them all (and this) */
	struct list_head items;          /* of epoll's items */
};

struct file {
	int refcount;
	struct path path;       /* mnt/dentry NULL for anonymous files */
	struct inode *inode;    /* may be NULL for anonymous files */
	const struct file_ops *ops;
	int flags;              /* O_ACCMODE | O_APPEND | O_NONBLOCK ... (no O_CLOEXEC) */
	int64_t pos;
	void *priv;
	/* The epoll items watching this file (sentry/fs/epoll.c), NULL if
	 * none: the last file_put removes them before release. */
	struct ep_watchers *ep_watchers;
	/* Opened through the VFS (vfs_do_open): its accesses, changes and
	 * close are fsnotify events (Linux: FMODE_OPENED without
	 * FMODE_NONOTIFY). Anonymous files and O_PATH files make none. */
	bool f_notify;
};

/* ---- inodes and superblocks ---- */
struct superblock *sb_new(const char *fstype, unsigned long flags);
struct inode *inode_new(struct superblock *sb, uint32_t mode, const struct inode_ops *iops,
			const struct file_ops *fops); /* refcount 1, ino from sb */
struct inode *inode_get(struct inode *ino);
void inode_put(struct inode *ino);
void inode_fill_stat(struct inode *ino, struct stat *st);

/* ---- dentries and mounts ---- */
struct dentry *dentry_get(struct dentry *d);
void dentry_put(struct dentry *d);
void path_get(struct path *p);
void path_put(struct path *p);
/* Mounts sb's root inode at mountpoint (NULL: makes the root mount). */
int vfs_mount(struct path *mountpoint, struct inode *root, unsigned long mnt_flags, struct mount **out);
/* The mount flags of a path's mount (MS_RDONLY, MS_NOEXEC...). */
unsigned long path_mnt_flags(const struct path *p);

/* ---- path resolution (namei) ---- */
#define LOOKUP_FOLLOW    0x1  /* follow a trailing symlink */
#define LOOKUP_DIRECTORY 0x2  /* the result must be a directory */
#define LOOKUP_EMPTY     0x4  /* "" means dirfd itself (AT_EMPTY_PATH) */
/* openat2(2)'s RESOLVE_* restrictions (Linux's LOOKUP_NO_SYMLINKS...). */
#define LOOKUP_NO_SYMLINKS   0x010 /* any symlink: ELOOP */
#define LOOKUP_NO_MAGICLINKS 0x020 /* a magic link (/proc/PID/fd/N): ELOOP */
#define LOOKUP_NO_XDEV       0x040 /* any mount crossing: EXDEV */
#define LOOKUP_BENEATH       0x080 /* never above the start: EXDEV */
#define LOOKUP_IN_ROOT       0x100 /* the start is "/": absolute and ".." clamp to it */
#define LOOKUP_CACHED        0x200 /* only the dentry cache: EAGAIN otherwise */
#define LOOKUP_IS_SCOPED     (LOOKUP_BENEATH | LOOKUP_IN_ROOT)

/* Resolves path relative to dirfd (AT_FDCWD: cwd) for task t. Follows
 * intermediate symlinks (at most 40, else -ELOOP), handles "..", mount
 * crossings and the task's root. */
int vfs_lookup(struct task *t, int dirfd, const char *path, unsigned int flags, struct path *out);
/* openat(2): flags are the syscall's O_* (O_CREAT needs create support). */
int vfs_open(struct task *t, int dirfd, const char *path, int flags, uint32_t mode, struct file **out);
/* openat2(2): vfs_open with LOOKUP_NO_SYMLINKS...LOOKUP_CACHED added to
 * the walk (resolve; 0 is vfs_open). */
int vfs_open_how(struct task *t, int dirfd, const char *path, int flags, uint32_t mode,
		 unsigned int resolve, struct file **out);
/* Opens an already-resolved path (execve, /proc links). */
int vfs_open_path(struct task *t, const struct path *p, int flags, struct file **out);
/* vfs_open_path flag for execve (Linux's __FMODE_EXEC): the file opens
 * O_RDONLY but needs exec permission rather than read permission, must be
 * a regular file and not on a noexec mount (EACCES otherwise). Ignored in
 * open(2) flags. */
#define O_VFS_EXEC 040
int vfs_stat_path(const struct path *p, struct stat *st);
/* mknodat(2) for kernel users (AF_UNIX bind): makes path (relative to
 * dirfd) a node of mode (S_IFSOCK, S_IFIFO...; the caller applies the
 * umask) with mknodat's checks and errors, and returns the new node's
 * path in *out (new reference). out NULL: only the checks (EEXIST, EROFS,
 * EACCES...), nothing is made. */
int vfs_mknod(struct task *t, int dirfd, const char *path, uint32_t mode, uint64_t dev,
	      struct path *out);
/* The inode p names (no new reference; NULL for a negative dentry). */
struct inode *path_inode(const struct path *p);
/* Absolute path of p as seen from root (getcwd, /proc/pid/cwd). */
int vfs_d_path(const struct path *p, const struct path *root, char *buf, size_t len);
/* May t access inode with MAY_READ/MAY_WRITE/MAY_EXEC (4/2/1)? */
int vfs_permission(struct task *t, struct inode *ino, int mask);
/* chmod/chown/truncate/utimes on p with Linux's checks (read-only mount,
 * ownership and capabilities), then the filesystem's setattr (EPERM
 * without one). Size changes are checked by the caller (truncate rules). */
int vfs_setattr(struct task *t, const struct path *p, struct vfs_iattr *ia);

/* ---- files ---- */
struct file *file_alloc(const struct file_ops *ops, int flags, void *priv); /* anonymous */
struct file *file_get(struct file *f);
void file_put(struct file *f);
/* llseek for directories whose positions are entry indices (Linux's
 * dcache_dir_lseek): SEEK_SET and SEEK_CUR only, never negative. */
int64_t dcache_dir_llseek(struct file *f, int64_t off, int whence);
/* Emits "." and ".." at positions 0 and 1 and moves ctx->pos past them
 * (to 2); false when the caller's buffer filled first (Linux's
 * dir_emit_dots). */
bool dir_emit_dots(struct file *f, struct dir_context *ctx);
ssize_t vfs_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos);
ssize_t vfs_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos);
int vfs_fstat(struct file *f, struct stat *st);

/* A file over a host fd inherited by the sentry (the workload's stdio).
 * Reads and writes never block the sentry: it waits for readiness with
 * kernel_watch_host_fd(). Terminal ioctls on a host tty are forwarded. */
int hostfd_file_new(int host_fd, int flags, struct file **out);

/* The credentials a new inode takes its owner from (Linux's
 * current_fsuid()/current_fsgid()): the task whose syscall is running, NULL
 * (root) for the sentry's own setup at boot. */
const struct cred *vfs_current_cred(void);
/* inode_init_owner(): owner from the current credentials, group from them
 * or from a set-group-ID dir (which directories inherit), and a set-group-ID
 * bit the creator may not have dropped. mode is the full S_IFMT|perm. */
void inode_init_owner(struct inode *ino, const struct inode *dir, uint32_t mode);

/* statfs(2) on the filesystem of p, f_flags from its mount. */
int vfs_statfs(const struct path *p, struct statfs *st);
/* fsync(2)/fdatasync(2). */
int vfs_fsync(struct file *f, bool datasync);

/* ---- filesystem types (mount(2), config.json mounts) ---- */
/* A filesystem type mount(2) can make: registered with FS_TYPE_DEFINE in
 * the filesystem's file, so adding one touches no central list.
 *   mount: a new instance from mount(2) data (comma-separated options, may
 *   be NULL); sb_flags holds MS_RDONLY... for the superblock. Returns the
 *   root inode (new reference). source is the mount(2) source string. */
struct fs_type {
	const char *name;
	int (*mount)(const char *source, unsigned long sb_flags, const char *data,
		     struct inode **root);
	unsigned int flags;     /* FS_TYPE_* */
} __attribute__((aligned(32)));

#define FS_TYPE_NODEV 0x1       /* "nodev" in /proc/filesystems: no block device */

#define FS_TYPE_DEFINE(var)                                                      \
	static const struct fs_type __fstype_##var                               \
		__attribute__((used, section("sr_fstypes")))

const struct fs_type *get_fs_type(const char *name);
/* Calls fn for each registered type (/proc/filesystems); stops on nonzero. */
int fs_type_for_each(int (*fn)(const struct fs_type *type, void *arg), void *arg);

/* ---- setup ---- */
/* Builds the sandbox's mount tree: the gofer-served rootfs at / (under an
 * in-memory overlay unless kernel->root_overlay_none), devfs at /dev, then
 * config.json's mounts (kernel->spec, may be NULL; host binds through
 * goferfs_spec_bind_root), /proc, /dev/shm, /sys and /sys/fs/cgroup
 * unless config.json mounted them, maskedPaths and readonlyPaths; sets
 * kernel->root_mount. See sentry/vfs/mount_setup.c. */
int vfs_init_root(struct kernel *k);
/* config.json mounts of host paths: see sentry/fs/goferfs.h. */
int goferfs_spec_bind_root(struct kernel *k, const struct spec_mount *m, size_t index,
			   struct inode **root);
int vfs_root_path(struct path *out); /* new reference to / */

/* Per-task filesystem context (CLONE_FS shares it). */
struct fs_context {
	int refcount;
	struct path root, cwd;
	uint32_t umask;
};
struct fs_context *fs_context_new(const struct path *root, const struct path *cwd);
struct fs_context *fs_context_copy(const struct fs_context *fs);
void fs_context_put(struct fs_context *fs);

#endif
