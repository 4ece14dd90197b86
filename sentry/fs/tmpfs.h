/* tmpfs: the in-memory filesystem (mount -t tmpfs, /dev/shm, and the
 * upper layer of the root overlay). File data lives in memory-file pages
 * (sentry/memfile.h); mmap maps them through the file's page cache
 * (sentry/pagecache.h), which the data moves into on the first mmap. */
#ifndef SENTRY_FS_TMPFS_H
#define SENTRY_FS_TMPFS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct inode;
struct memfile;
struct superblock;

#define TMPFS_MAGIC 0x01021994

/* Mount options (tmpfs(5)): size= (bytes, k/m/g suffixes or N%),
 * nr_inodes=, mode=, uid=, gid=. Zero limits mean unlimited. */
struct tmpfs_opts {
	uint64_t max_pages;
	uint64_t max_inodes;
	uint32_t mode;           /* root directory permissions, default 01777 */
	uid_t uid;
	gid_t gid;
	bool size_set, inodes_set, mode_set, uid_set, gid_set;
};

/* Parses data ("size=64m,mode=1777"; NULL or "" for the defaults) into
 * *o, which it first fills with the defaults. Unknown options or bad
 * values: -EINVAL. */
int tmpfs_parse_options(const char *data, struct tmpfs_opts *o);
/* Formats o for /proc/mounts as tmpfs shows its options (what differs
 * from the defaults: "size=65536k,mode=755"); returns the length. */
int tmpfs_show_opts(const struct tmpfs_opts *o, char *buf, size_t len);
/* A new tmpfs instance whose pages come from mf: its root inode (new
 * reference). fstype names it in /proc/mounts ("tmpfs"). */
int tmpfs_new(struct memfile *mf, const char *fstype, unsigned long sb_flags,
	      const struct tmpfs_opts *o, struct inode **root);
/* The size limit without size= (half of the machine's memory, as Linux),
 * which the sentry measures at boot, before seccomp hides it. */
void tmpfs_set_default_pages(uint64_t pages);

uint64_t tmpfs_default_pages(void);
/* Pages and inodes in use in the instance of sb. */
void tmpfs_usage(struct superblock *sb, uint64_t *pages, uint64_t *inodes);

bool inode_is_tmpfs(const struct inode *ino);

/* For the overlay's upper layer, which is private to the sentry: makes any
 * kind of inode, device nodes included (whiteouts are 0/0 character
 * devices), owned by uid/gid. For S_IFLNK, target is the link target. */
int tmpfs_make_node(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev, uid_t uid,
		    gid_t gid, const char *target, struct inode **out);
/* Writes len bytes at pos into a tmpfs regular file, leaving holes where
 * whole pages would only hold zeroes (copy-up keeps sparse files sparse),
 * and grows its size to pos + len. */
int tmpfs_write_data(struct inode *ino, int64_t pos, const void *buf, size_t len);
/* Calls fn for each entry of a tmpfs directory in position order. */
int tmpfs_dir_for_each(struct inode *dir, int (*fn)(const char *name, struct inode *ino, void *arg),
		       void *arg);
/* Number of entries in a tmpfs directory. */
size_t tmpfs_dir_count(struct inode *dir);

#endif
