/* SysV shared memory segments (see shm.h), after Linux's ipc/shm.c and
 * ipc/util.c: ids are (seq << 15) + index, keys find live segments, and
 * ipcperms() decides access. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/memfd.h"
#include "sentry/kernel.h"
#include "sentry/mm.h"
#include "sentry/pagecache.h"
#include "sentry/shm.h"
#include "sentry/vfs.h"

#define IPCMNI_SHIFT 15
#define IPCMNI (1 << IPCMNI_SHIFT)
#define SEQ_MAX ((1 << (31 - IPCMNI_SHIFT)) - 1) /* ids stay positive */
#define SHMMNI 4096
#define SHMMIN 1ULL
#define SHMMAX (UINT64_MAX - (1ULL << 24))
#define SHMALL (UINT64_MAX - (1ULL << 24)) /* pages */
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#define S_IRWXUGO 0777

struct shm_segment {
	int idx;
	uint16_t seq;
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;          /* permission bits | SHM_DEST | SHM_LOCKED */
	uint64_t size;
	pid_t cpid, lpid;
	int64_t atime, dtime, ctime;
	struct inode *inode;    /* the memory; attach files reference it */
	int attach_files;       /* shmat files alive (their VMAs hold them) */
};

static struct shm_segment *segs[SHMMNI];
static int in_use, max_idx = -1;
static uint16_t next_seq;
static uint64_t shm_tot; /* pages of all segments */

static int64_t now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static int seg_id(const struct shm_segment *s) { return (s->seq << IPCMNI_SHIFT) + s->idx; }

static int seg_nattch(const struct shm_segment *s) { return pagecache_nr_maps(s->inode->cache); }

static struct shm_segment *seg_by_id(int id)
{
	if (id < 0)
		return NULL;
	int idx = id % IPCMNI;
	if (idx >= SHMMNI || !segs[idx] || segs[idx]->seq != (id >> IPCMNI_SHIFT))
		return NULL;
	return segs[idx];
}

static bool in_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

/* ipcperms(): flag holds the S_I* bits wanted; 0 if granted. */
static int ipcperms(const struct cred *c, const struct shm_segment *s, int flag)
{
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = (int)s->mode;
	if (c->euid == s->cuid || c->euid == s->uid)
		granted >>= 6;
	else if (in_group(c, s->cgid) || in_group(c, s->gid))
		granted >>= 3;
	if ((requested & ~granted & 0007) && !cred_capable(c, CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

/* ipcctl_obtain_check(): the owner, the creator or CAP_SYS_ADMIN. */
static bool may_control(const struct cred *c, const struct shm_segment *s)
{
	return c->euid == s->cuid || c->euid == s->uid || cred_capable(c, CAP_SYS_ADMIN);
}

static void seg_destroy(struct shm_segment *s)
{
	segs[s->idx] = NULL;
	in_use--;
	while (max_idx >= 0 && !segs[max_idx])
		max_idx--;
	shm_tot -= PAGE_ALIGN(s->size) / PAGE_SIZE;
	inode_put(s->inode);
	free(s);
}

/* IPC_RMID: the key is free at once; the memory goes with the last
 * attachment. */
static void seg_remove(struct shm_segment *s)
{
	s->mode |= SHM_DEST;
	s->key = IPC_PRIVATE;
	if (s->attach_files == 0)
		seg_destroy(s);
}

static long seg_new(struct task *t, int32_t key, uint64_t size, int flags)
{
	if (size < SHMMIN || size > SHMMAX)
		return -EINVAL;
	uint64_t pages = PAGE_ALIGN(size) / PAGE_SIZE;
	if (pages < size / PAGE_SIZE || shm_tot + pages < shm_tot || shm_tot + pages > SHMALL)
		return -ENOSPC;
	if (flags & SHM_HUGETLB) {
		log_once("shm-hugetlb", "shmget(SHM_HUGETLB): no huge pages in the sandbox (ENOMEM)");
		return -ENOMEM;
	}
	int idx = -1;
	for (int i = 0; i < SHMMNI; i++) {
		if (!segs[i]) {
			idx = i;
			break;
		}
	}
	if (idx < 0)
		return -ENOSPC;
	struct shm_segment *s = xzalloc(sizeof(*s));
	s->idx = idx;
	s->seq = next_seq;
	next_seq = next_seq >= SEQ_MAX ? 0 : next_seq + 1;
	s->key = key;
	s->uid = s->cuid = t->cred->euid;
	s->gid = s->cgid = t->cred->egid;
	s->mode = (uint32_t)flags & S_IRWXUGO;
	s->size = size;
	s->cpid = task_tgid(t);
	s->ctime = now_sec();
	s->inode = shmem_inode_new(size, s->mode, s->uid, s->gid);
	segs[idx] = s;
	in_use++;
	max_idx = MAX(max_idx, idx);
	shm_tot += pages;
	return seg_id(s);
}

long shm_get(struct task *t, int32_t key, uint64_t size, int flags)
{
	if (key == IPC_PRIVATE)
		return seg_new(t, key, size, flags);
	struct shm_segment *s = NULL;
	for (int i = 0; i <= max_idx; i++) {
		if (segs[i] && segs[i]->key == key) {
			s = segs[i];
			break;
		}
	}
	if (!s)
		return (flags & IPC_CREAT) ? seg_new(t, key, size, flags) : -ENOENT;
	if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
		return -EEXIST;
	if (s->size < size)
		return -EINVAL;
	if (ipcperms(t->cred, s, flags))
		return -EACCES;
	return seg_id(s);
}

/* ---- attach files ---- */

static int shm_file_mmap(struct file *f, struct pagecache **out)
{
	*out = f->inode->cache;
	return 0;
}

/* One shmat: the file its VMAs map (fork and splits share it). */
struct shm_attach {
	struct shm_segment *seg;
	bool mapped;
};

static struct shm_segment *attach_seg(const struct file *f) { return ((struct shm_attach *)f->priv)->seg; }

static void shm_file_release(struct file *f)
{
	struct shm_attach *at = f->priv;
	struct shm_segment *s = at->seg;
	if (at->mapped)
		s->dtime = now_sec(); /* its last mapping is gone: detached */
	free(at);
	s->attach_files--;
	if ((s->mode & SHM_DEST) && s->attach_files == 0)
		seg_destroy(s);
}

static const struct file_ops shm_file_ops = {
	.mmap = shm_file_mmap,
	.release = shm_file_release,
};

long shm_attach(struct task *t, int id, uint64_t addr, int flags)
{
	/* do_shmat(), in its order. */
	int mflags = MAP_SHARED;
	if (id < 0)
		return -EINVAL;
	if (addr) {
		if (addr % PAGE_SIZE) {
			if (!(flags & SHM_RND))
				return -EINVAL;
			addr = ALIGN_DOWN(addr, PAGE_SIZE);
			if (!addr && (flags & SHM_REMAP))
				return -EINVAL;
		}
		mflags |= MAP_FIXED;
	} else if (flags & SHM_REMAP) {
		return -EINVAL;
	}
	int prot = PROT_READ, acc = 0444, fflags = O_RDONLY;
	if (!(flags & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		acc |= 0222;
		fflags = O_RDWR;
	}
	if (flags & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc |= 0111;
	}
	struct shm_segment *s = seg_by_id(id);
	if (!s)
		return -EINVAL;
	if (ipcperms(t->cred, s, acc))
		return -EACCES;
	if (addr && !(flags & SHM_REMAP)) {
		uint64_t end = addr + PAGE_ALIGN(s->size);
		if (end < addr)
			return -EINVAL;
		for (uint64_t a = addr; a < end; a += PAGE_SIZE)
			if (mm_find_vma(t->mm, a))
				return -EINVAL;
	}
	struct shm_attach *at = xzalloc(sizeof(*at));
	at->seg = s;
	struct file *f = file_alloc(&shm_file_ops, fflags, at);
	f->inode = inode_get(s->inode);
	s->attach_files++;
	int64_t r = mm_mmap(t->mm, addr, s->size, prot, mflags, f, 0);
	if (r >= 0) {
		at->mapped = true;
		s->atime = now_sec();
		s->lpid = task_tgid(t);
	}
	file_put(f); /* the mapping holds it, if it was made */
	return (long)r;
}

static bool is_shm_vma(const struct vma *v) { return v->file && v->file->ops == &shm_file_ops; }

long shm_detach(struct task *t, uint64_t addr)
{
	/* ksys_shmdt(): the first attachment fragment that started at addr
	 * names the segment; every fragment of that attachment within its
	 * size goes. */
	if (addr % PAGE_SIZE)
		return -EINVAL;
	struct mm *mm = t->mm;
	struct file *file = NULL;
	uint64_t size = 0;
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link) {
		if (v->end <= addr)
			continue;
		if (is_shm_vma(v) && v->start - addr == v->file_off) {
			file = v->file;
			size = PAGE_ALIGN(attach_seg(file)->size);
			break;
		}
	}
	if (!file)
		return -EINVAL;
	file_get(file);
	for (;;) {
		struct vma *hit = NULL;
		list_for_each_entry(v, &mm->vmas, link) {
			if (v->end <= addr)
				continue;
			if (v->end - addr > size)
				break;
			if (v->file == file && v->start - addr == v->file_off) {
				hit = v;
				break;
			}
		}
		if (!hit)
			break;
		mm_munmap(mm, hit->start, hit->end - hit->start);
	}
	attach_seg(file)->lpid = task_tgid(t);
	file_put(file);
	return 0;
}

static void fill_ds(const struct shm_segment *s, struct k_shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->shm_perm.key = s->key;
	ds->shm_perm.uid = s->uid;
	ds->shm_perm.gid = s->gid;
	ds->shm_perm.cuid = s->cuid;
	ds->shm_perm.cgid = s->cgid;
	ds->shm_perm.mode = s->mode;
	ds->shm_perm.seq = s->seq;
	ds->shm_segsz = s->size;
	ds->shm_atime = s->atime;
	ds->shm_dtime = s->dtime;
	ds->shm_ctime = s->ctime;
	ds->shm_cpid = s->cpid;
	ds->shm_lpid = s->lpid;
	ds->shm_nattch = (uint64_t)seg_nattch(s);
}

long shm_ctl(struct task *t, int id, int cmd, struct k_shmid64_ds *ds)
{
	struct shm_segment *s;
	switch (cmd) {
	case SHM_STAT:
	case SHM_STAT_ANY:
		/* By index into the table; returns the id. */
		if (id < 0 || id >= SHMMNI || !segs[id])
			return -EINVAL;
		s = segs[id];
		if (cmd == SHM_STAT && ipcperms(t->cred, s, 0444))
			return -EACCES;
		fill_ds(s, ds);
		return seg_id(s);
	case IPC_STAT:
		if (!(s = seg_by_id(id)))
			return -EINVAL;
		if (ipcperms(t->cred, s, 0444))
			return -EACCES;
		fill_ds(s, ds);
		return 0;
	case IPC_SET:
		if (!(s = seg_by_id(id)))
			return -EINVAL;
		if (!may_control(t->cred, s))
			return -EPERM;
		s->uid = ds->shm_perm.uid;
		s->gid = ds->shm_perm.gid;
		s->mode = (s->mode & ~S_IRWXUGO) | (ds->shm_perm.mode & S_IRWXUGO);
		s->ctime = now_sec();
		return 0;
	case IPC_RMID:
		if (!(s = seg_by_id(id)))
			return -EINVAL;
		if (!may_control(t->cred, s))
			return -EPERM;
		seg_remove(s);
		return 0;
	case SHM_LOCK:
	case SHM_UNLOCK:
		if (!(s = seg_by_id(id)))
			return -EINVAL;
		if (!cred_capable(t->cred, CAP_IPC_LOCK)) {
			if (t->cred->euid != s->uid && t->cred->euid != s->cuid)
				return -EPERM;
			if (cmd == SHM_LOCK && t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur == 0)
				return -EPERM;
		}
		/* Nothing is ever swapped: the flag is all there is to it. */
		if (cmd == SHM_LOCK)
			s->mode |= SHM_LOCKED;
		else
			s->mode &= ~SHM_LOCKED;
		return 0;
	default:
		return -EINVAL;
	}
}

long shm_info(struct k_shminfo64 *info, struct k_shm_info *sinfo)
{
	if (info) {
		memset(info, 0, sizeof(*info));
		info->shmmax = SHMMAX;
		info->shmmin = SHMMIN;
		info->shmmni = SHMMNI;
		info->shmseg = SHMMNI;
		info->shmall = SHMALL;
	}
	if (sinfo) {
		memset(sinfo, 0, sizeof(*sinfo));
		sinfo->used_ids = in_use;
		sinfo->shm_tot = shm_tot;
		for (int i = 0; i <= max_idx; i++)
			if (segs[i])
				sinfo->shm_rss += pagecache_resident_bytes(segs[i]->inode->cache) / PAGE_SIZE;
	}
	return max_idx < 0 ? 0 : max_idx;
}
