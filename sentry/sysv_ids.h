/* SysV IPC identifiers, keys and permissions, shared by semaphores
 * (sysv_sem.c), message queues (sysv_msg.c) and shared memory (shm.c) the
 * way Linux's ipc/util.c serves sem, msg and shm. The sandbox has one IPC
 * namespace.
 *
 * An object embeds struct kipc_perm first. Its id is (seq << 15) + idx:
 * indexes are handed out cyclically (as idr_alloc_cyclic in ipc_idr_alloc)
 * and seq grows each time they wrap, so a removed object's id is not
 * soon reused and a stale id fails with EINVAL. */
#ifndef SENTRY_SYSV_IDS_H
#define SENTRY_SYSV_IDS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct cred;
struct task;

#define IPCMNI_SHIFT 15
#define IPCMNI (1 << IPCMNI_SHIFT)
#define IPC_MIN_CYCLE 64 /* RADIX_TREE_MAP_SIZE */

struct kipc_perm {
	key_t key;
	int id;
	uid_t uid, cuid;
	gid_t gid, cgid;
	unsigned int mode;        /* permission bits (S_IRWXUGO) */
	unsigned short seq;
	bool deleted;
};

struct ipc_ids {
	struct kipc_perm **entries; /* by index */
	int size;                   /* slots allocated */
	int in_use;
	int last_idx;
	unsigned short seq;
	int mni;                    /* the namespace's limit (SEMMNI, MSGMNI, SHMMNI) */
};

#define IPC_IDS_INIT(max) { .last_idx = -1, .mni = (max) }

/* Gives p an id and records it: -ENOSPC at the limit. */
int ipc_addid(struct ipc_ids *ids, struct kipc_perm *p);
void ipc_rmid(struct ipc_ids *ids, struct kipc_perm *p);
/* The object with this id (checking its seq), or NULL. */
struct kipc_perm *ipc_obtain(struct ipc_ids *ids, int id);
/* The object at index idx (the *_STAT commands), or NULL. */
struct kipc_perm *ipc_at(struct ipc_ids *ids, int idx);
struct kipc_perm *ipc_findkey(struct ipc_ids *ids, key_t key);
/* The highest index in use, -1 when none (ipc_get_maxidx). */
int ipc_max_idx(const struct ipc_ids *ids);

/* Fills a new object's key, mode and owner from the creator. */
void ipc_perm_init(struct kipc_perm *p, key_t key, int flg, const struct cred *c);
/* ipcperms(): may c access p for flag's S_IRUGO/S_IWUGO bits? 0 or
 * -EACCES (CAP_IPC_OWNER overrides). */
int ipcperms(const struct cred *c, const struct kipc_perm *p, int flag);
/* IPC_SET and IPC_RMID: the owner, the creator or CAP_SYS_ADMIN (-EPERM). */
int ipc_may_change(const struct cred *c, const struct kipc_perm *p);
/* IPC_SET of owner and mode: -EINVAL for an invalid uid or gid. */
int ipc_update_perm(struct kipc_perm *p, uid_t uid, gid_t gid, unsigned int mode);

/* ipcget(): IPC_PRIVATE makes a new object; otherwise the key's object
 * (EEXIST with IPC_CREAT|IPC_EXCL, more_checks, then permissions) or a
 * new one with IPC_CREAT (ENOENT without). Returns the id or -errno. */
struct ipc_get_ops {
	int (*getnew)(struct task *t, key_t key, int flg, void *arg);
	int (*more_checks)(struct kipc_perm *p, void *arg); /* may be NULL */
};
int ipcget(struct ipc_ids *ids, struct task *t, key_t key, int flg, const struct ipc_get_ops *ops,
	   void *arg);

/* The kernel's struct ipc64_perm (x86_64). */
struct ipc64_perm_k {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq;
	uint16_t pad2;
	uint64_t unused1, unused2;
};

void ipc_perm_to_user(const struct kipc_perm *p, struct ipc64_perm_k *out);

#endif
