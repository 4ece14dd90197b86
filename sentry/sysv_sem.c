/* SysV semaphores (ipc/sem.c): arrays, semop with IPC_NOWAIT, SEM_UNDO
 * and timeouts, semctl.
 *
 * A semop that cannot proceed waits on its array's wait queue; every
 * change of a value wakes the queue and the waiters re-run, trying their
 * whole operation again, in the order they went to sleep. While waiting a
 * task keeps the operation that blocked it in t->sys.scratch (which
 * semaphore, waiting for zero or for an increase), which is what
 * GETNCNT and GETZCNT count.
 *
 * SEM_UNDO adjustments belong to the process (the thread group) and are
 * applied when its last thread exits (sem_exit, called from task.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/list.h"
#include "sentry/signal.h"
#include "sentry/sysv.h"
#include "sentry/sysv_ids.h"
#include "sentry/usercopy.h"

#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif

/* t->sys.scratch while blocked in semop: [0] marker, [1] semaphore
 * number, [2] 1 when waiting for zero. */
#define SEMOP_WAIT_MARK 0x53454d4f50ULL

struct ksem {
	int semval;
	pid_t sempid;
};

struct sem_array {
	struct kipc_perm perm;     /* first */
	int nsems;
	struct ksem *sems;
	int64_t otime, ctime;      /* seconds since the epoch */
	struct waitqueue wq;       /* blocked semop callers */
	struct list_head undos;    /* of sem_undo.list_id */
};

struct sem_undo {
	struct list_head list_proc;
	struct list_head list_id;
	int semid;                 /* -1 once the array is gone */
	int nsems;
	short *semadj;
};

struct sem_undo_list {
	struct list_head undos;    /* of sem_undo.list_proc */
};

/* struct semid64_ds (x86_64) */
struct semid64_ds_k {
	struct ipc64_perm_k sem_perm;
	int64_t sem_otime;
	uint64_t unused1;
	int64_t sem_ctime;
	uint64_t unused2;
	uint64_t sem_nsems;
	uint64_t unused3, unused4;
};

struct seminfo_k {
	int semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

static struct ipc_ids sem_ids = IPC_IDS_INIT(SEMMNI);
static long used_sems;

static int64_t now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static struct sem_array *sem_obtain(int id)
{
	return (struct sem_array *)ipc_obtain(&sem_ids, id);
}

/* ---- creation ---- */

static int newary(struct task *t, key_t key, int flg, void *arg)
{
	int nsems = *(int *)arg, id;
	struct sem_array *sma;

	if (!nsems)
		return -EINVAL;
	if (used_sems + nsems > SEMMNS)
		return -ENOSPC;
	sma = xzalloc(sizeof(*sma));
	ipc_perm_init(&sma->perm, key, flg, t->cred);
	sma->nsems = nsems;
	sma->sems = xzalloc((size_t)nsems * sizeof(*sma->sems));
	sma->ctime = now_seconds();
	wq_init(&sma->wq);
	list_init(&sma->undos);
	id = ipc_addid(&sem_ids, &sma->perm);
	if (id < 0) {
		free(sma->sems);
		free(sma);
		return id;
	}
	used_sems += nsems;
	return id;
}

static int sem_more_checks(struct kipc_perm *p, void *arg)
{
	return *(int *)arg > ((struct sem_array *)p)->nsems ? -EINVAL : 0;
}

static const struct ipc_get_ops sem_get_ops = { .getnew = newary, .more_checks = sem_more_checks };

long sysv_semget(struct task *t, key_t key, int nsems, int flg)
{
	if (nsems < 0 || nsems > SEMMSL)
		return -EINVAL;
	return ipcget(&sem_ids, t, key, flg, &sem_get_ops, &nsems);
}

/* ---- removal and undo ---- */

static void undo_free(struct sem_undo *un)
{
	list_del(&un->list_proc);
	list_del(&un->list_id);
	free(un->semadj);
	free(un);
}

/* freeary(): the undo entries go, blocked callers wake (to EIDRM). */
static void sem_freeary(struct sem_array *sma)
{
	struct sem_undo *un, *n;

	list_for_each_entry_safe(un, n, &sma->undos, list_id)
		undo_free(un);
	ipc_rmid(&sem_ids, &sma->perm);
	used_sems -= sma->nsems;
	wq_wake_all(&sma->wq);
	free(sma->sems);
	free(sma);
}

/* find_alloc_undo(): the process's adjustments for semid, made on first
 * use. */
static struct sem_undo *find_alloc_undo(struct task *t, int semid, int *err)
{
	struct thread_group *tg = t->tg;
	struct sem_array *sma;
	struct sem_undo *un;

	if (!tg->sysvsem_undo) {
		tg->sysvsem_undo = xzalloc(sizeof(*tg->sysvsem_undo));
		list_init(&tg->sysvsem_undo->undos);
	}
	list_for_each_entry(un, &tg->sysvsem_undo->undos, list_proc)
		if (un->semid == semid)
			return un;
	sma = sem_obtain(semid);
	if (!sma) {
		*err = -EINVAL;
		return NULL;
	}
	un = xzalloc(sizeof(*un));
	un->semid = semid;
	un->nsems = sma->nsems;
	un->semadj = xzalloc((size_t)sma->nsems * sizeof(*un->semadj));
	list_add_tail(&un->list_proc, &tg->sysvsem_undo->undos);
	list_add_tail(&un->list_id, &sma->undos);
	return un;
}

void sem_exit(struct thread_group *tg)
{
	struct sem_undo_list *ulp = tg->sysvsem_undo;
	struct sem_undo *un, *n;

	if (!ulp)
		return;
	list_for_each_entry_safe(un, n, &ulp->undos, list_proc) {
		struct sem_array *sma = sem_obtain(un->semid);

		if (sma) {
			bool changed = false;

			for (int i = 0; i < un->nsems && i < sma->nsems; i++) {
				struct ksem *s = &sma->sems[i];

				if (!un->semadj[i])
					continue;
				s->semval += un->semadj[i];
				/* Linux clamps rather than fails here. */
				if (s->semval < 0)
					s->semval = 0;
				if (s->semval > SEMVMX)
					s->semval = SEMVMX;
				s->sempid = tg->tgid;
				changed = true;
			}
			if (changed)
				wq_wake_all(&sma->wq);
		}
		undo_free(un);
	}
	free(ulp);
	tg->sysvsem_undo = NULL;
}

/* ---- semop ---- */

/* perform_atomic_semop(): applies the operations in order, all or none.
 * 0 done, 1 would block (at *blocking), or -EAGAIN (IPC_NOWAIT), -ERANGE. */
static int perform_atomic_semop(struct sem_array *sma, const struct sembuf *sops, size_t nsops,
				struct sem_undo *un, pid_t pid, const struct sembuf **blocking)
{
	size_t i;
	int err;

	for (i = 0; i < nsops; i++) {
		const struct sembuf *sop = &sops[i];
		struct ksem *curr = &sma->sems[sop->sem_num];
		int result = curr->semval;

		if (!sop->sem_op && result)
			goto would_block;
		result += sop->sem_op;
		if (result < 0)
			goto would_block;
		if (result > SEMVMX) {
			err = -ERANGE;
			goto undo;
		}
		if (sop->sem_flg & SEM_UNDO) {
			int adj = un->semadj[sop->sem_num] - sop->sem_op;

			if (adj < -SEMAEM - 1 || adj > SEMAEM) {
				err = -ERANGE;
				goto undo;
			}
			un->semadj[sop->sem_num] = (short)adj;
		}
		curr->semval = result;
	}
	for (i = 0; i < nsops; i++)
		sma->sems[sops[i].sem_num].sempid = pid;
	return 0;

would_block:
	*blocking = &sops[i];
	err = (sops[i].sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
undo:
	while (i-- > 0) {
		sma->sems[sops[i].sem_num].semval -= sops[i].sem_op;
		if (sops[i].sem_flg & SEM_UNDO)
			un->semadj[sops[i].sem_num] += sops[i].sem_op;
	}
	return err;
}

long sysv_semtimedop(struct task *t, int semid, uint64_t usops, size_t nsops, uint64_t utimeout)
{
	_cleanup_free_ struct sembuf *sops = NULL;
	const struct sembuf *blocking = NULL;
	struct sem_undo *un = NULL;
	struct sem_array *sma;
	struct timespec ts;
	bool undos = false, alter = false;
	int max = 0, err;

	if (nsops < 1 || semid < 0)
		return -EINVAL;
	if (nsops > SEMOPM)
		return -E2BIG;
	sops = xmalloc(nsops * sizeof(*sops));
	if (copy_from_user(t, sops, usops, nsops * sizeof(*sops)))
		return -EFAULT;
	if (utimeout) {
		if (copy_from_user(t, &ts, utimeout, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
	}
	for (size_t i = 0; i < nsops; i++) {
		max = MAX(max, (int)sops[i].sem_num);
		if (sops[i].sem_flg & SEM_UNDO)
			undos = true;
		if (sops[i].sem_op)
			alter = true;
	}
	/* A wait ended by IPC_RMID finds the array gone. */
	if (t->sys.restarted && !sem_obtain(semid))
		return -EIDRM;
	if (undos && !(un = find_alloc_undo(t, semid, &err)))
		return err;
	sma = sem_obtain(semid);
	if (!sma)
		return -EINVAL;
	if (max >= sma->nsems)
		return -EFBIG;
	if ((err = ipcperms(t->cred, &sma->perm, alter ? 0222 : 0444)) < 0)
		return err;
	err = perform_atomic_semop(sma, sops, nsops, un, task_tgid(t), &blocking);
	if (err == 0) {
		sma->otime = now_seconds();
		if (alter)
			wq_wake_all(&sma->wq);
		return 0;
	}
	if (err < 0)
		return err;
	/* semop is never restarted after a handler (signal(7)). */
	if (t->sys.timed_out || (utimeout && ts.tv_sec == 0 && ts.tv_nsec == 0))
		return -EAGAIN;
	if (signal_pending(t))
		return -EINTR;
	t->sys.scratch[0] = SEMOP_WAIT_MARK;
	t->sys.scratch[1] = blocking->sem_num;
	t->sys.scratch[2] = blocking->sem_op == 0;
	task_wait_on(t, &sma->wq);
	if (utimeout)
		task_set_deadline(t, kernel_mono_ns() + ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return -EBLOCKED;
}

/* count_semcnt(): tasks whose blocking operation waits on semnum. */
static int count_semcnt(struct sem_array *sma, int semnum, bool zero)
{
	struct wq_entry *e;
	int n = 0;

	list_for_each_entry(e, &sma->wq.waiters, link) {
		const struct task *w = e->task;

		if (w->sys.scratch[0] == SEMOP_WAIT_MARK && (int)w->sys.scratch[1] == semnum &&
		    (bool)w->sys.scratch[2] == zero)
			n++;
	}
	return n;
}

/* ---- semctl ---- */

static long semctl_info(struct task *t, int cmd, uint64_t arg)
{
	struct seminfo_k si = {
		.semmni = SEMMNI, .semmns = SEMMNS, .semmsl = SEMMSL, .semopm = SEMOPM,
		.semvmx = SEMVMX, .semmnu = SEMMNS, .semmap = SEMMNS, .semume = SEMOPM,
		.semusz = SEMUSZ, .semaem = SEMAEM,
	};
	int max_idx = ipc_max_idx(&sem_ids);

	if (cmd == SEM_INFO) {
		si.semusz = sem_ids.in_use;
		si.semaem = (int)used_sems;
	}
	if (copy_to_user(t, arg, &si, sizeof(si)))
		return -EFAULT;
	return max_idx < 0 ? 0 : max_idx;
}

static long semctl_stat(struct task *t, int semid, int cmd, uint64_t arg)
{
	struct semid64_ds_k ds;
	struct sem_array *sma;
	int err;

	if (cmd == IPC_STAT)
		sma = sem_obtain(semid);
	else
		sma = (struct sem_array *)ipc_at(&sem_ids, semid);
	if (!sma)
		return -EINVAL;
	if (cmd != SEM_STAT_ANY && (err = ipcperms(t->cred, &sma->perm, 0444)) < 0)
		return err;
	memset(&ds, 0, sizeof(ds));
	ipc_perm_to_user(&sma->perm, &ds.sem_perm);
	ds.sem_otime = sma->otime;
	ds.sem_ctime = sma->ctime;
	ds.sem_nsems = (uint64_t)sma->nsems;
	if (copy_to_user(t, arg, &ds, sizeof(ds)))
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : sma->perm.id;
}

static long semctl_setval(struct task *t, int semid, int semnum, int val)
{
	struct sem_array *sma;
	struct sem_undo *un;
	int err;

	if (val > SEMVMX || val < 0)
		return -ERANGE;
	sma = sem_obtain(semid);
	if (!sma)
		return -EINVAL;
	if (semnum < 0 || semnum >= sma->nsems)
		return -EINVAL;
	if ((err = ipcperms(t->cred, &sma->perm, 0222)) < 0)
		return err;
	list_for_each_entry(un, &sma->undos, list_id)
		un->semadj[semnum] = 0;
	sma->sems[semnum].semval = val;
	sma->sems[semnum].sempid = task_tgid(t);
	sma->ctime = now_seconds();
	wq_wake_all(&sma->wq);
	return 0;
}

static long semctl_main(struct task *t, int semid, int semnum, int cmd, uint64_t arg)
{
	struct sem_array *sma = sem_obtain(semid);
	_cleanup_free_ unsigned short *vals = NULL;
	struct sem_undo *un;
	int err, nsems;

	if (!sma)
		return -EINVAL;
	nsems = sma->nsems;
	if ((err = ipcperms(t->cred, &sma->perm, cmd == SETALL ? 0222 : 0444)) < 0)
		return err;
	switch (cmd) {
	case GETALL:
		vals = xmalloc((size_t)nsems * sizeof(*vals));
		for (int i = 0; i < nsems; i++)
			vals[i] = (unsigned short)sma->sems[i].semval;
		return copy_to_user(t, arg, vals, (size_t)nsems * sizeof(*vals)) ? -EFAULT : 0;
	case SETALL:
		vals = xmalloc((size_t)nsems * sizeof(*vals));
		if (copy_from_user(t, vals, arg, (size_t)nsems * sizeof(*vals)))
			return -EFAULT;
		for (int i = 0; i < nsems; i++)
			if (vals[i] > SEMVMX)
				return -ERANGE;
		list_for_each_entry(un, &sma->undos, list_id)
			memset(un->semadj, 0, (size_t)un->nsems * sizeof(*un->semadj));
		for (int i = 0; i < nsems; i++) {
			sma->sems[i].semval = vals[i];
			sma->sems[i].sempid = task_tgid(t);
		}
		sma->ctime = now_seconds();
		wq_wake_all(&sma->wq);
		return 0;
	}
	if (semnum < 0 || semnum >= nsems)
		return -EINVAL;
	switch (cmd) {
	case GETVAL:
		return sma->sems[semnum].semval;
	case GETPID:
		return sma->sems[semnum].sempid;
	case GETNCNT:
		return count_semcnt(sma, semnum, false);
	default: /* GETZCNT */
		return count_semcnt(sma, semnum, true);
	}
}

static long semctl_down(struct task *t, int semid, int cmd, const struct semid64_ds_k *ds)
{
	struct sem_array *sma = sem_obtain(semid);
	int err;

	if (!sma)
		return -EINVAL;
	if ((err = ipc_may_change(t->cred, &sma->perm)) < 0)
		return err;
	if (cmd == IPC_RMID) {
		sem_freeary(sma);
		return 0;
	}
	err = ipc_update_perm(&sma->perm, ds->sem_perm.uid, ds->sem_perm.gid, ds->sem_perm.mode);
	if (err < 0)
		return err;
	sma->ctime = now_seconds();
	return 0;
}

long sysv_semctl(struct task *t, int semid, int semnum, int cmd, uint64_t arg)
{
	struct semid64_ds_k ds;

	if (semid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return semctl_info(t, cmd, arg);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return semctl_stat(t, semid, cmd, arg);
	case GETALL:
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETALL:
		return semctl_main(t, semid, semnum, cmd, arg);
	case SETVAL:
		return semctl_setval(t, semid, semnum, (int)arg);
	case IPC_SET:
		if (copy_from_user(t, &ds, arg, sizeof(ds)))
			return -EFAULT;
		return semctl_down(t, semid, cmd, &ds);
	case IPC_RMID:
		return semctl_down(t, semid, cmd, NULL);
	default:
		return -EINVAL;
	}
}
