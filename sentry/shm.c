/* SysV shared memory segments (see shm.h), after Linux's ipc/shm.c: ids,
 * keys and ipcperms() are sentry/sysv_ids.c's, as for semaphores and
 * message queues. */
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
#include "sentry/sysv_ids.h"
#include "sentry/vfs.h"

#define SHMMNI 4096
#define SHMMIN 1ULL
#define SHMMAX (UINT64_MAX - (1ULL << 24))
#define SHMALL (UINT64_MAX - (1ULL << 24)) /* pages */
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif

struct shm_segment {
	struct kipc_perm perm;  /* first; mode also holds SHM_DEST | SHM_LOCKED */
	uint64_t size;
	pid_t cpid, lpid;
	int64_t atime, dtime, ctime;
	struct inode *inode;    /* the memory; attach files reference it */
	int attach_files;       /* shmat files alive (their VMAs hold them) */
};

static struct ipc_ids shm_ids = IPC_IDS_INIT(SHMMNI);
static uint64_t shm_tot; /* pages of all segments */

static int64_t now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static int seg_nattch(const struct shm_segment *s) { return pagecache_nr_maps(s->inode->cache); }

static struct shm_segment *seg_by_id(int id) { return (struct shm_segment *)ipc_obtain(&shm_ids, id); }

static void seg_destroy(struct shm_segment *s)
{
	ipc_rmid(&shm_ids, &s->perm);
	shm_tot -= PAGE_ALIGN(s->size) / PAGE_SIZE;
	inode_put(s->inode);
	free(s);
}

/* IPC_RMID: the key is free at once (ipc_set_key_private); the id and
 * the memory go with the last attachment. */
static void seg_remove(struct shm_segment *s)
{
	s->perm.mode |= SHM_DEST;
	s->perm.key = IPC_PRIVATE;
	if (s->attach_files == 0)
		seg_destroy(s);
}

struct shm_get_params {
	uint64_t size;
};

/* newseg() */
static int seg_new(struct task *t, key_t key, int flags, void *arg)
{
	uint64_t size = ((const struct shm_get_params *)arg)->size;
	if (size < SHMMIN || size > SHMMAX)
		return -EINVAL;
	uint64_t pages = PAGE_ALIGN(size) / PAGE_SIZE;
	if (pages < size / PAGE_SIZE || shm_tot + pages < shm_tot || shm_tot + pages > SHMALL)
		return -ENOSPC;
	if (flags & SHM_HUGETLB) {
		log_once("shm-hugetlb", "shmget(SHM_HUGETLB): no huge pages in the sandbox (ENOMEM)");
		return -ENOMEM;
	}
	struct shm_segment *s = xzalloc(sizeof(*s));
	ipc_perm_init(&s->perm, key, flags, t->cred);
	int id = ipc_addid(&shm_ids, &s->perm);
	if (id < 0) {
		free(s);
		return id;
	}
	s->size = size;
	s->cpid = task_tgid(t);
	s->ctime = now_sec();
	s->inode = shmem_inode_new(size, s->perm.mode, s->perm.uid, s->perm.gid);
	shm_tot += pages;
	return id;
}

/* shm_more_checks(): an existing segment must be large enough. */
static int seg_more_checks(struct kipc_perm *p, void *arg)
{
	return ((struct shm_segment *)p)->size < ((const struct shm_get_params *)arg)->size ? -EINVAL : 0;
}

static const struct ipc_get_ops shm_get_ops = { .getnew = seg_new, .more_checks = seg_more_checks };

long shm_get(struct task *t, int32_t key, uint64_t size, int flags)
{
	struct shm_get_params params = { .size = size };
	return ipcget(&shm_ids, t, key, flags, &shm_get_ops, &params);
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
	if ((s->perm.mode & SHM_DEST) && s->attach_files == 0)
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
	int err = ipcperms(t->cred, &s->perm, acc);
	if (err < 0)
		return err;
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
	ipc_perm_to_user(&s->perm, &ds->shm_perm);
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
	int err;
	switch (cmd) {
	case SHM_STAT:
	case SHM_STAT_ANY:
		/* By index into the table; returns the id. */
		if (!(s = (struct shm_segment *)ipc_at(&shm_ids, id)))
			return -EINVAL;
		if (cmd == SHM_STAT && (err = ipcperms(t->cred, &s->perm, 0444)) < 0)
			return err;
		fill_ds(s, ds);
		return s->perm.id;
	case IPC_STAT:
		if (!(s = seg_by_id(id)))
			return -EINVAL;
		if ((err = ipcperms(t->cred, &s->perm, 0444)) < 0)
			return err;
		fill_ds(s, ds);
		return 0;
	case IPC_SET:
		if (!(s = seg_by_id(id)))
			return -EINVAL;
		if ((err = ipc_may_change(t->cred, &s->perm)) < 0)
			return err;
		err = ipc_update_perm(&s->perm, ds->shm_perm.uid, ds->shm_perm.gid, ds->shm_perm.mode);
		if (err < 0)
			return err;
		s->ctime = now_sec();
		return 0;
	case IPC_RMID:
		if (!(s = seg_by_id(id)))
			return -EINVAL;
		if ((err = ipc_may_change(t->cred, &s->perm)) < 0)
			return err;
		seg_remove(s);
		return 0;
	case SHM_LOCK:
	case SHM_UNLOCK:
		if (!(s = seg_by_id(id)))
			return -EINVAL;
		if (!cred_capable(t->cred, CAP_IPC_LOCK)) {
			if (t->cred->euid != s->perm.uid && t->cred->euid != s->perm.cuid)
				return -EPERM;
			if (cmd == SHM_LOCK && t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur == 0)
				return -EPERM;
		}
		/* Nothing is ever swapped: the flag is all there is to it. */
		if (cmd == SHM_LOCK)
			s->perm.mode |= SHM_LOCKED;
		else
			s->perm.mode &= ~SHM_LOCKED;
		return 0;
	default:
		return -EINVAL;
	}
}

long shm_info(struct k_shminfo64 *info, struct k_shm_info *sinfo)
{
	int max_idx = ipc_max_idx(&shm_ids);
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
		sinfo->used_ids = shm_ids.in_use;
		sinfo->shm_tot = shm_tot;
		for (int i = 0; i <= max_idx; i++) {
			struct shm_segment *s = (struct shm_segment *)ipc_at(&shm_ids, i);
			if (s)
				sinfo->shm_rss += pagecache_resident_bytes(s->inode->cache) / PAGE_SIZE;
		}
	}
	return max_idx < 0 ? 0 : max_idx;
}
