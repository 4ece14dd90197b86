/* SysV shared memory (shmget/shmat/shmdt/shmctl) for the sandbox's one
 * IPC namespace. A segment is a memory inode (sentry/fs/memfd.h); shmat
 * maps it MAP_SHARED through a file of its own, so fork, munmap, exit and
 * exec detach it the way they drop any mapping, and shm_nattch counts the
 * VMAs mapping it, as on Linux. */
#ifndef SENTRY_SHM_H
#define SENTRY_SHM_H

#include <stdint.h>
#include <sys/types.h>

#include "sentry/sysv_ids.h"

struct task;

/* The kernel's struct shmid64_ds on x86_64. */
struct k_shmid64_ds {
	struct ipc64_perm_k shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch, unused4, unused5;
};

struct k_shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused1, unused2, unused3, unused4;
};

struct k_shm_info {
	int32_t used_ids, pad;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

long shm_get(struct task *t, int32_t key, uint64_t size, int flags);
long shm_attach(struct task *t, int id, uint64_t addr, int flags);
long shm_detach(struct task *t, uint64_t addr);
/* shmctl commands that read or fill a struct: IPC_STAT, SHM_STAT,
 * SHM_STAT_ANY (out), IPC_SET (in), IPC_RMID, SHM_LOCK, SHM_UNLOCK. */
long shm_ctl(struct task *t, int id, int cmd, struct k_shmid64_ds *ds);
long shm_info(struct k_shminfo64 *info, struct k_shm_info *sinfo);

#endif
