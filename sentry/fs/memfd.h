/* Memory-backed regular files with no name: memfd_create(2), and the
 * objects behind SysV shared memory segments (Linux's shmem files). Their
 * contents live in an anonymous page cache (sentry/pagecache.h). */
#ifndef SENTRY_FS_MEMFD_H
#define SENTRY_FS_MEMFD_H

#include <stdint.h>

struct cred;
struct file;
struct inode;

/* memfd_create: a new O_RDWR file; flags are MFD_* (checked by the
 * caller), name the user's name (the file is "memfd:NAME"). */
int memfd_create_file(const struct cred *cred, const char *name, unsigned int flags, struct file **out);
/* F_ADD_SEALS / F_GET_SEALS: -EINVAL for files that are not memfds. */
long memfd_fcntl(struct file *f, int cmd, unsigned int arg);

/* "memfd:NAME" for a memfd's inode (what /proc/pid/fd shows, as
 * "/memfd:NAME (deleted)"), NULL for any other inode. */
const char *memfd_name(const struct inode *ino);

/* A memory inode of size bytes (SysV shm segments), owned by uid/gid. */
struct inode *shmem_inode_new(uint64_t size, uint32_t mode, uint32_t uid, uint32_t gid);

#endif
