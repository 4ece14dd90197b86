/* memfd files and SysV shm objects: regular files whose only storage is
 * an anonymous page cache, so read/write, mmap (shared or private) and
 * ftruncate all see the same memory-file pages. Sealing follows Linux's
 * mm/memfd.c. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/memfd.h"
#include "sentry/mm.h"
#include "sentry/pagecache.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#define F_ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

/* Linux's MAX_LFS_FILESIZE. */
#define MEMFD_MAX_SIZE INT64_MAX

struct memfd_inode {
	char *name;             /* "memfd:NAME", for /proc/pid/fd */
	bool is_memfd;          /* seals apply (SysV shm objects have none) */
};

/* The internal mount all of them live on (Linux's shm_mnt). */
static struct superblock *shmem_sb;

static const struct inode_ops memfd_iops;
static const struct file_ops memfd_fops;

static struct superblock *sb(void)
{
	if (!shmem_sb)
		shmem_sb = sb_new("tmpfs", 0);
	return shmem_sb;
}

static struct pagecache *PC(struct file *f) { return f->inode->cache; }

static void touch(struct inode *ino, bool ctime_only)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (!ctime_only)
		ino->mtime = now;
	ino->ctime = now;
}

static struct inode *memory_inode(uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct inode *ino = inode_new(sb(), S_IFREG | (mode & 07777), &memfd_iops, &memfd_fops);
	ino->uid = uid;
	ino->gid = gid;
	ino->nlink = 0; /* unlinked from birth */
	ino->blksize = PAGE_SIZE;
	ino->priv = xzalloc(sizeof(struct memfd_inode));
	ino->cache = pagecache_new(ino, NULL);
	return ino;
}

struct inode *shmem_inode_new(uint64_t size, uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct inode *ino = memory_inode(mode, uid, gid);
	ino->size = (int64_t)size;
	return ino;
}

static ssize_t memfd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	int64_t size = f->inode->size;
	if (*pos < 0)
		return -EINVAL;
	if (*pos >= size)
		return 0;
	size_t n = (size_t)MIN((uint64_t)len, (uint64_t)(size - *pos));
	ssize_t r = pagecache_anon_rw(PC(f), buf, n, (uint64_t)*pos, false);
	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t memfd_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *pos)
{
	struct inode *ino = f->inode;
	unsigned int seals = PC(f)->seals;
	if (*pos < 0)
		return -EINVAL;
	if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if (len == 0)
		return 0;
	if ((uint64_t)*pos >= (uint64_t)MEMFD_MAX_SIZE)
		return -EFBIG;
	len = (size_t)MIN((uint64_t)len, (uint64_t)MEMFD_MAX_SIZE - (uint64_t)*pos);
	if ((seals & F_SEAL_GROW) && *pos + (int64_t)len > ino->size) {
		/* Linux writes page by page and stops at the first page that
		 * would grow the file. */
		uint64_t p = (uint64_t)*pos, end = p + len;
		while (p < end) {
			uint64_t ce = MIN(ALIGN_DOWN(p, PAGE_SIZE) + PAGE_SIZE, end);
			if (ce > (uint64_t)ino->size)
				break;
			p = ce;
		}
		if (p == (uint64_t)*pos)
			return -EPERM;
		len = (size_t)(p - (uint64_t)*pos);
	}
	ssize_t n = pagecache_anon_rw(PC(f), (void *)buf, len, (uint64_t)*pos, true);
	if (n <= 0)
		return n;
	*pos += n;
	if (*pos > ino->size)
		ino->size = *pos;
	touch(ino, false);
	return n;
}

static int64_t memfd_llseek(struct file *f, int64_t off, int whence)
{
	int64_t base, npos, size = f->inode->size;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		/* The whole file counts as data (a hole-less view is allowed). */
		if (off < 0 || off >= size)
			return -ENXIO;
		f->pos = whence == SEEK_DATA ? off : size;
		return f->pos;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &npos) || npos < 0)
		return -EINVAL;
	f->pos = npos;
	return npos;
}

static unsigned int memfd_poll(struct file *f, struct task *t, unsigned int events)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int memfd_getattr(struct file *f, struct stat *st)
{
	struct inode *ino = f->inode;
	ino->blocks = (int64_t)(pagecache_resident_bytes(ino->cache) / 512);
	inode_fill_stat(ino, st);
	return 0;
}

static int memfd_mmap(struct file *f, struct pagecache **out)
{
	*out = f->inode->cache;
	return 0;
}

static int memfd_fsync(struct file *f, bool datasync)
{
	return 0; /* memory is all there is */
}

static int memfd_setattr(struct inode *ino, const struct vfs_iattr *ia)
{
	struct memfd_inode *mi = ino->priv;
	unsigned int seals = mi->is_memfd ? ino->cache->seals : 0;
	if (ia->valid & VFS_ATTR_SIZE) {
		if (ia->size < 0)
			return -EINVAL;
		if ((ia->size < ino->size && (seals & F_SEAL_SHRINK)) ||
		    (ia->size > ino->size && (seals & F_SEAL_GROW)))
			return -EPERM;
		int64_t old = ino->size;
		ino->size = ia->size;
		pagecache_truncate(ino->cache, (uint64_t)old, (uint64_t)ia->size);
		touch(ino, false);
	}
	if (ia->valid & VFS_ATTR_MODE) {
		/* F_SEAL_EXEC freezes the exec bits. */
		if ((seals & F_SEAL_EXEC) && ((ia->mode ^ ino->mode) & 0111))
			return -EPERM;
		ino->mode = (ino->mode & S_IFMT) | (ia->mode & 07777);
		touch(ino, true);
	}
	if (ia->valid & VFS_ATTR_UID)
		ino->uid = ia->uid;
	if (ia->valid & VFS_ATTR_GID)
		ino->gid = ia->gid;
	if (ia->valid & (VFS_ATTR_UID | VFS_ATTR_GID))
		touch(ino, true);
	if (ia->valid & VFS_ATTR_ATIME)
		ino->atime = ia->atime;
	if (ia->valid & VFS_ATTR_MTIME)
		ino->mtime = ia->mtime;
	return 0;
}

static void memfd_evict(struct inode *ino)
{
	struct memfd_inode *mi = ino->priv;
	pagecache_destroy(ino->cache);
	ino->cache = NULL;
	if (mi)
		free(mi->name);
	free(mi);
	ino->priv = NULL;
}

/* What /proc/PID/fd/N shows. SysV segments are "/SYSV<key>" on Linux, but
 * their attach files are never in an fd table. */
static int memfd_dname(struct file *f, char *buf, size_t len)
{
	const struct memfd_inode *mi = f->inode->priv;
	return snprintf(buf, len, "/%s (deleted)", mi->name ? mi->name : "memfd:");
}

static const struct inode_ops memfd_iops = {
	.setattr = memfd_setattr,
	.evict = memfd_evict,
};

static const struct file_ops memfd_fops = {
	.read = memfd_read,
	.write = memfd_write,
	.llseek = memfd_llseek,
	.poll = memfd_poll,
	.getattr = memfd_getattr,
	.mmap = memfd_mmap,
	.fsync = memfd_fsync,
	.dname = memfd_dname,
};

int memfd_create_file(const struct cred *cred, const char *name, unsigned int flags, struct file **out)
{
	/* 0777, not masked by umask; MFD_NOEXEC_SEAL drops exec for good. */
	uint32_t mode = (flags & MFD_NOEXEC_SEAL) ? 0666 : 0777;
	struct inode *ino = memory_inode(mode, cred->fsuid, cred->fsgid);
	struct memfd_inode *mi = ino->priv;
	mi->is_memfd = true;
	mi->name = xmalloc(strlen(name) + 7);
	strcpy(mi->name, "memfd:");
	strcat(mi->name, name);
	if (flags & MFD_NOEXEC_SEAL)
		ino->cache->seals = F_SEAL_EXEC;
	else if (!(flags & MFD_ALLOW_SEALING))
		ino->cache->seals = F_SEAL_SEAL;
	struct file *f = file_alloc(&memfd_fops, O_RDWR | KERNEL_O_LARGEFILE, NULL);
	f->inode = ino; /* the file owns the inode's first reference */
	*out = f;
	return 0;
}

long memfd_fcntl(struct file *f, int cmd, unsigned int arg)
{
	struct inode *ino = f->inode;
	if (!ino || ino->iops != &memfd_iops || !((struct memfd_inode *)ino->priv)->is_memfd)
		return -EINVAL;
	struct pagecache *pc = ino->cache;
	if (cmd == F_GET_SEALS)
		return pc->seals;
	/* F_ADD_SEALS (memfd_add_seals) */
	int acc = f->flags & O_ACCMODE;
	if (acc != O_WRONLY && acc != O_RDWR)
		return -EPERM;
	if (arg & ~(unsigned int)F_ALL_SEALS)
		return -EINVAL;
	if (pc->seals & F_SEAL_SEAL)
		return -EPERM;
	/* No write seal while something may still write through a mapping. */
	if ((arg & F_SEAL_WRITE) && !(pc->seals & F_SEAL_WRITE) && pagecache_nr_writable_maps(pc) > 0)
		return -EBUSY;
	pc->seals |= arg;
	return 0;
}

const char *memfd_name(const struct inode *ino)
{
	if (!ino || ino->iops != &memfd_iops)
		return NULL;
	const struct memfd_inode *mi = ino->priv;
	return mi->is_memfd ? mi->name : NULL;
}
