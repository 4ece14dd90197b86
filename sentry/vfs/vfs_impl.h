/* VFS internals shared by the files in sentry/vfs/, sentry/fs/{goferfs,devfs}.c and
 * syscalls/sys_path.c. Other code goes through sentry/vfs.h only. */
#ifndef SENTRY_VFS_IMPL_H
#define SENTRY_VFS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>

#include "sentry/kernel.h"
#include "sentry/list.h"
#include "sentry/vfs.h"

#define NAME_MAX_LEN 255
#define MAX_SYMLINKS 40

/* The kernel's O_LARGEFILE (glibc defines it as 0 on x86_64). Linux sets it
 * on every file opened through open(2) on 64-bit, and F_GETFL shows it. */
#define KERNEL_O_LARGEFILE 0100000

/* Superblock flag (above every MS_* bit): do not keep unused dentries of
 * this filesystem in the cache, because its contents change behind the
 * VFS's back (procfs-like filesystems). */
#define SB_NO_DCACHE (1UL << 40)
/* Superblock flag: a name the filesystem's lookup does not find is an
 * ENOENT error, not a negative dentry, so nothing can be created in its
 * place (procfs: open(O_CREAT) and mkdir there fail with ENOENT). */
#define SB_LOOKUP_ENOENT (1UL << 41)

#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4

/* ---- superblocks ---- */
void sb_put(struct superblock *sb);

/* ---- dentries ---- */
struct dentry {
	int refcount;
	char *name;
	size_t namelen;
	struct dentry *parent;  /* itself for a filesystem root */
	struct inode *inode;    /* NULL: negative (the name does not exist) */
	uint64_t hash;
	struct dentry *hash_next;
	bool hashed;            /* findable by name under parent */
	int mounted;            /* mounts whose mountpoint this is */
	struct list_head lru;   /* on the unused list while refcount is 0 */
	/* The last name of a watched inode was removed while others still
	 * held this dentry: its IN_DELETE_SELF waits for the dentry to go,
	 * as Linux's d_delete() leaves it to dentry_unlink_inode(). */
	bool notify_deleted;
};

/* A filesystem root: no parent, named "/", takes a reference on ino. */
struct dentry *d_make_root(struct inode *ino);
/* The cached child name of parent, or after asking the filesystem. New
 * reference (possibly to a negative dentry), or an ERR in *err and NULL. */
struct dentry *d_lookup_child(struct dentry *parent, const char *name, size_t len, int *err);
/* The cached child name of parent without asking the filesystem (NULL:
 * not in the cache, or one the filesystem must revalidate): openat2's
 * RESOLVE_CACHED. New reference, possibly to a negative dentry. */
struct dentry *d_lookup_cached(struct dentry *parent, const char *name, size_t len);
/* A dentry under parent that no lookup finds (O_TMPFILE files): it
 * takes a reference on ino. */
struct dentry *d_alloc_unhashed(struct dentry *parent, const char *name, struct inode *ino);
/* Makes a negative dentry positive after a create (takes a ref on ino). */
void d_instantiate(struct dentry *d, struct inode *ino);
/* Unhashes d: the next lookup of its name asks the filesystem again. */
void d_drop(struct dentry *d);
/* Renames d to name under newparent (rename), replacing a cached dentry
 * there. */
void d_move(struct dentry *d, struct dentry *newparent, const char *name, size_t len);
static inline bool d_unhashed(const struct dentry *d) { return !d->hashed && d->parent != d; }
static inline bool d_is_root(const struct dentry *d) { return d->parent == d; }
/* shrink_dcache_parent() for an empty directory: frees the unused
 * (negative) dentries cached below parent. */
void d_prune_unused_children(struct dentry *parent);
/* The last fsnotify mark left ino: its unused dentries, kept out of the
 * LRU while it was watched, may be pruned again. */
void d_unpin_inode(struct inode *ino);
/* Number of dentries in the cache, for tests. */
size_t dcache_count(void);

/* ---- mounts ---- */
struct mount {
	int refcount;
	struct mount *parent;      /* NULL for the root mount */
	struct dentry *mountpoint; /* in parent; the root dentry for the root mount */
	struct dentry *root;
	struct superblock *sb;
	unsigned long flags;       /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC... */
	struct list_head link;     /* all mounts */
	int id;                    /* mountinfo's mount ID */
	char *source;              /* mount(2)'s source, for /proc/mounts; NULL: "none" */
	bool attached;             /* in the tree (on the list) */
	bool expiry_mark;          /* umount2(MNT_EXPIRE) asked once */
};

/* Mount flags kept per mount (mount(2)'s MS_* values). */
#define MNT_FLAGS_MASK (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | \
			MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_UNBINDABLE)

struct mount *mnt_get(struct mount *m);
void mnt_put(struct mount *m);
/* A new, unattached mount of root (a dentry of sb, reference taken); the
 * caller has its one reference. */
struct mount *mnt_alloc(struct dentry *root, unsigned long flags, const char *source);
/* Puts m (unattached) on mp; the tree takes over the caller's reference.
 * mp NULL: a parentless mount, the top of the tree if there is none yet
 * (else an internal mount, reachable only through paths into it). */
void mnt_attach(struct mount *m, const struct path *mp);
/* Makes m (attached, parentless) the top of the tree (pivot_root). */
void mnt_set_tree_root(struct mount *m);
/* Takes m out of the tree (not its children) and drops the tree's
 * reference: whoever still holds m keeps a detached mount. */
void mnt_detach(struct mount *m);
/* umount_tree(): detaches m and every mount below it. */
void mnt_detach_tree(struct mount *m);
/* Does m have mounts on it? */
bool mnt_has_children(struct mount *m);
/* A copy of the mount src rooted at root (a dentry of src's filesystem),
 * and with recursive the mounts below root too, attached beneath the copy
 * (bind mounts). The copy itself is unattached, with one reference. */
struct mount *mnt_clone_tree(struct mount *src, struct dentry *root, bool recursive);
/* Is d at or below ancestor (same filesystem, following parents)? */
bool d_is_subdir(struct dentry *d, struct dentry *ancestor);
/* The top of the mount tree. */
struct mount *mnt_tree_root(void);
/* Moves the attached mount m onto mp (NULL: the top of the tree), keeping
 * what is mounted on it (mount --move, pivot_root). */
void mnt_move(struct mount *m, const struct path *mp);
/* Can p be reached from root by walking down (is_path_reachable)? */
bool path_is_under(const struct path *p, const struct path *root);
/* The mount stacked on (mnt, dentry), or NULL. No reference taken. */
struct mount *lookup_mnt(struct mount *mnt, struct dentry *d);
/* Moves p to the top of any mounts stacked on it. */
void follow_mounts(struct path *p);
bool path_readonly(const struct path *p);
/* Calls fn for each mount (for /proc/mounts later); stops on nonzero. */
int mnt_for_each(int (*fn)(struct mount *m, void *arg), void *arg);

/* ---- permission ---- */
int vfs_permission_cred(const struct cred *c, struct inode *ino, int mask);
/* Is gid the fsgid or a supplementary group of c? */
bool cred_in_group(const struct cred *c, gid_t gid);

/* ---- name resolution ---- */
enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };

struct nameidata {
	struct task *t;
	const struct cred *cred;   /* NULL: kernel-internal, no permission checks */
	struct path root;
	struct path cur;
	int nlinks;
	unsigned int flags;        /* LOOKUP_* */
	/* Set by a parent lookup: the final component, not resolved. */
	char last[NAME_MAX_LEN + 1];
	size_t last_len;
	enum last_type last_type;
	bool last_slash;           /* a '/' followed the last component */
};

/* Sets up nd for t (t NULL: the sandbox root and no permission checks) and
 * the start directory for path (dirfd or cwd, or the root for an absolute
 * path). cred may override t's credentials (access(2)). */
int nd_init(struct nameidata *nd, struct task *t, const struct cred *cred, int dirfd,
	    const char *path, unsigned int flags);
void nd_release(struct nameidata *nd);
/* Walks path in nd; with parent set, stops before the last component and
 * records it in nd->last*, else nd->cur is the result. */
int nd_walk(struct nameidata *nd, const char *path, bool parent);
/* ".." from nd->cur (handle_dots): -EXDEV when LOOKUP_BENEATH or
 * LOOKUP_NO_XDEV forbid the step. */
int nd_dotdot(struct nameidata *nd);
/* Follows the get_link link at link (a magic link or /proc/self) from
 * nd->cur with the RESOLVE_* checks of Linux's nd_jump_link; *out is
 * the path it stands for (new reference). */
int nd_get_link(struct nameidata *nd, const struct path *link, struct path *out);
/* follow_mounts for a walk: -EXDEV under LOOKUP_NO_XDEV if p has a
 * mount on it. */
int nd_follow_mounts(struct nameidata *nd, struct path *p);
/* The same as vfs_lookup with explicit credentials. */
int vfs_lookup_cred(struct task *t, const struct cred *cred, int dirfd, const char *path,
		    unsigned int flags, struct path *out);
/* vfs_d_path, also telling whether p lies outside root (getcwd). Returns
 * the length of the string written to buf, or -ENAMETOOLONG. */
int d_path_ex(const struct path *p, const struct path *root, char *buf, size_t len,
	      bool *unreachable);
/* Reads a symlink's target into a malloc'd NUL-terminated string. */
int vfs_readlink_alloc(struct inode *ino, char **out);

/* ---- open ---- */
/* A file for p with every check done (open-time flags in flags); created
 * skips the access checks (the creator may open what it just made). */
int vfs_do_open(struct task *t, const struct cred *cred, const struct path *p, int flags,
		bool created, struct file **out);

/* ---- filesystems ---- */
int goferfs_mount_root(struct gofer_client *c, struct inode **root);
int devfs_new_root(struct inode **root);
/* devfs with the options of the tmpfs it stands for ("size=65536k,mode=755",
 * NULL for the defaults): its statfs and /proc/mounts show them. */
int devfs_new_root_opts(const char *data, struct inode **root);
/* procfs (sentry/fs/procfs*.c), sysfs and the cgroup2 view
 * (sentry/fs/sysfs.c): a new superblock each, and its root. */
int procfs_new_root(struct inode **root);
int sysfs_new_root(struct inode **root);
int cgroupfs_new_root(struct inode **root);

/* ---- mount(2) pieces shared by syscalls/sys_mount.c and the boot-time
 * mount table (sentry/vfs/mount_setup.c) ---- */
/* Makes a new instance of type on mp (a new mount from mount(2) or
 * config.json): mnt_flags per mount, MS_RDONLY also for the superblock. */
int do_new_mount(const struct path *mp, const char *type, const char *source,
		 unsigned long mnt_flags, const char *data, struct mount **out);
/* Bind mount of from onto mp (recursive: MS_REC). */
int do_bind_mount(const struct path *from, const struct path *mp, bool recursive,
		  struct mount **out);
/* Changes the per-mount flags of m (MS_REMOUNT|MS_BIND). */
void mnt_set_flags(struct mount *m, unsigned long flags);
/* Splits config.json-style options ("ro", "nosuid", "size=1m"...) into
 * mount flags (set and cleared) and the filesystem's data string
 * (malloc'd, NULL if none). Propagation words ("rprivate") are accepted and
 * dropped; bind/rbind set MS_BIND(|MS_REC). */
void mount_options_parse(char *const *opts, size_t n, unsigned long *set, unsigned long *clear,
			 char **data);

#endif
