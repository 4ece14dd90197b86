/* SysV IPC identifier tables and permission checks (ipc/util.c). */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>

#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/sysv_ids.h"

#define IPCID_SEQ_MAX (INT32_MAX >> IPCMNI_SHIFT)

int ipc_addid(struct ipc_ids *ids, struct kipc_perm *p)
{
	int max_idx, idx;

	if (ids->in_use >= ids->mni)
		return -ENOSPC;
	/* idr_alloc_cyclic over [0, max_idx): the window grows with use. */
	max_idx = MAX(ids->in_use * 3 / 2, IPC_MIN_CYCLE);
	max_idx = MIN(max_idx, ids->mni);
	if (ids->size < max_idx) {
		ids->entries = xrealloc(ids->entries, (size_t)max_idx * sizeof(*ids->entries));
		memset(ids->entries + ids->size, 0, (size_t)(max_idx - ids->size) * sizeof(*ids->entries));
		ids->size = max_idx;
	}
	idx = -1;
	for (int n = 0; n < max_idx; n++) {
		int i = (ids->last_idx + 1 + n) % max_idx;

		if (!ids->entries[i]) {
			idx = i;
			break;
		}
	}
	if (idx < 0)
		return -ENOSPC;
	if (idx <= ids->last_idx) {
		ids->seq++;
		if (ids->seq >= IPCID_SEQ_MAX)
			ids->seq = 0;
	}
	ids->last_idx = idx;
	ids->entries[idx] = p;
	ids->in_use++;
	p->seq = ids->seq;
	p->id = (p->seq << IPCMNI_SHIFT) + idx;
	return p->id;
}

void ipc_rmid(struct ipc_ids *ids, struct kipc_perm *p)
{
	int idx = p->id & (IPCMNI - 1);

	if (idx < ids->size && ids->entries[idx] == p) {
		ids->entries[idx] = NULL;
		ids->in_use--;
	}
	p->deleted = true;
}

struct kipc_perm *ipc_at(struct ipc_ids *ids, int idx)
{
	if (idx < 0 || idx >= ids->size)
		return NULL;
	return ids->entries[idx];
}

struct kipc_perm *ipc_obtain(struct ipc_ids *ids, int id)
{
	struct kipc_perm *p;

	if (id < 0)
		return NULL;
	p = ipc_at(ids, id & (IPCMNI - 1));
	return p && p->id == id ? p : NULL;
}

struct kipc_perm *ipc_findkey(struct ipc_ids *ids, key_t key)
{
	for (int i = 0; i < ids->size; i++)
		if (ids->entries[i] && ids->entries[i]->key == key)
			return ids->entries[i];
	return NULL;
}

int ipc_max_idx(const struct ipc_ids *ids)
{
	for (int i = ids->size - 1; i >= 0; i--)
		if (ids->entries[i])
			return i;
	return -1;
}

void ipc_perm_init(struct kipc_perm *p, key_t key, int flg, const struct cred *c)
{
	p->key = key;
	p->mode = (unsigned int)flg & 0777;
	p->uid = p->cuid = c->euid;
	p->gid = p->cgid = c->egid;
	p->deleted = false;
}

static bool in_group(const struct cred *c, gid_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

int ipcperms(const struct cred *c, const struct kipc_perm *p, int flag)
{
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = (int)p->mode;

	if (c->euid == p->cuid || c->euid == p->uid)
		granted >>= 6;
	else if (in_group(c, p->cgid) || in_group(c, p->gid))
		granted >>= 3;
	if ((requested & ~granted & 0007) && !cred_capable(c, CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

int ipc_may_change(const struct cred *c, const struct kipc_perm *p)
{
	if (cred_capable(c, CAP_SYS_ADMIN) || c->euid == p->cuid || c->euid == p->uid)
		return 0;
	return -EPERM;
}

int ipc_update_perm(struct kipc_perm *p, uid_t uid, gid_t gid, unsigned int mode)
{
	if (uid == (uid_t)-1 || gid == (gid_t)-1)
		return -EINVAL;
	p->uid = uid;
	p->gid = gid;
	p->mode = (p->mode & ~0777u) | (mode & 0777);
	return 0;
}

int ipcget(struct ipc_ids *ids, struct task *t, key_t key, int flg, const struct ipc_get_ops *ops,
	   void *arg)
{
	struct kipc_perm *p;
	int rc;

	if (key == IPC_PRIVATE)
		return ops->getnew(t, key, flg, arg);
	p = ipc_findkey(ids, key);
	if (!p)
		return (flg & IPC_CREAT) ? ops->getnew(t, key, flg, arg) : -ENOENT;
	if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
		return -EEXIST;
	if (ops->more_checks && (rc = ops->more_checks(p, arg)) < 0)
		return rc;
	if ((rc = ipcperms(t->cred, p, flg)) < 0)
		return rc;
	return p->id;
}

void ipc_perm_to_user(const struct kipc_perm *p, struct ipc64_perm_k *out)
{
	memset(out, 0, sizeof(*out));
	out->key = p->key;
	out->uid = p->uid;
	out->gid = p->gid;
	out->cuid = p->cuid;
	out->cgid = p->cgid;
	out->mode = p->mode;
	out->seq = p->seq;
}
