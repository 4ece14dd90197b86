/* SysV message queues (ipc/msg.c): msgget, msgsnd and msgrcv with message
 * types, IPC_NOWAIT, MSG_NOERROR, MSG_EXCEPT and MSG_COPY, and msgctl.
 *
 * Senders waiting for room and receivers waiting for a message share the
 * queue's wait queue; any change wakes it and the waiters re-run. (Linux
 * hands a message straight to a waiting receiver; here the receiver takes
 * it from the queue when it runs, which the caller cannot tell apart.) */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <time.h>

#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/list.h"
#include "sentry/signal.h"
#include "sentry/sysv.h"
#include "sentry/sysv_ids.h"
#include "sentry/usercopy.h"

#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#ifndef MSG_EXCEPT
#define MSG_EXCEPT 020000
#endif

struct kmsg {
	struct list_head link;
	long type;
	size_t len;
	char *text;
};

struct msg_queue {
	struct kipc_perm perm;      /* first */
	int64_t stime, rtime, ctime;
	size_t cbytes, qnum, qbytes;
	pid_t lspid, lrpid;
	struct list_head messages;  /* of kmsg */
	struct waitqueue wq;
};

/* struct msqid64_ds (x86_64) */
struct msqid64_ds_k {
	struct ipc64_perm_k msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t unused4, unused5;
};

struct msginfo_k {
	int msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	unsigned short msgseg;
};

static struct ipc_ids msg_ids = IPC_IDS_INIT(MSGMNI);
static long msg_bytes, msg_hdrs; /* every queue's contents (MSG_INFO) */

static int64_t now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

static struct msg_queue *msq_obtain(int id)
{
	return (struct msg_queue *)ipc_obtain(&msg_ids, id);
}

static void free_msg(struct kmsg *m)
{
	free(m->text);
	free(m);
}

static int newque(struct task *t, key_t key, int flg, void *arg)
{
	struct msg_queue *q = xzalloc(sizeof(*q));
	int id;

	ipc_perm_init(&q->perm, key, flg, t->cred);
	q->ctime = now_seconds();
	q->qbytes = MSGMNB;
	list_init(&q->messages);
	wq_init(&q->wq);
	id = ipc_addid(&msg_ids, &q->perm);
	if (id < 0)
		free(q);
	return id;
}

static const struct ipc_get_ops msg_get_ops = { .getnew = newque };

long sysv_msgget(struct task *t, key_t key, int flg)
{
	return ipcget(&msg_ids, t, key, flg, &msg_get_ops, NULL);
}

static void freeque(struct msg_queue *q)
{
	struct kmsg *m, *n;

	ipc_rmid(&msg_ids, &q->perm);
	list_for_each_entry_safe(m, n, &q->messages, link) {
		msg_bytes -= (long)m->len;
		msg_hdrs--;
		free_msg(m);
	}
	wq_wake_all(&q->wq);
	free(q);
}

/* ---- send ---- */

long sysv_msgsnd(struct task *t, int msqid, uint64_t umsgp, size_t msgsz, int flg)
{
	struct msg_queue *q;
	struct kmsg *m;
	long mtype;
	int err;

	if (copy_from_user(t, &mtype, umsgp, sizeof(mtype)))
		return -EFAULT;
	if (msgsz > MSGMAX || (long)msgsz < 0 || msqid < 0)
		return -EINVAL;
	if (mtype < 1)
		return -EINVAL;
	m = xzalloc(sizeof(*m));
	m->type = mtype;
	m->len = msgsz;
	m->text = xmalloc(MAX(msgsz, 1));
	if (copy_from_user(t, m->text, umsgp + sizeof(long), msgsz)) {
		err = -EFAULT;
		goto fail;
	}
	q = msq_obtain(msqid);
	if (!q) {
		/* A wait ended by IPC_RMID finds the queue gone. */
		err = t->sys.restarted ? -EIDRM : -EINVAL;
		goto fail;
	}
	if ((err = ipcperms(t->cred, &q->perm, 0222)) < 0)
		goto fail;
	/* msg_fits_inqueue(): bytes and message count both bounded by qbytes. */
	if (msgsz + q->cbytes > q->qbytes || 1 + q->qnum > q->qbytes) {
		err = -EAGAIN;
		if (flg & IPC_NOWAIT)
			goto fail;
		/* msgsnd is never restarted after a handler. */
		err = -ERESTARTNOHAND;
		if (signal_pending(t))
			goto fail;
		task_wait_on(t, &q->wq);
		err = -EBLOCKED;
		goto fail;
	}
	q->lspid = task_tgid(t);
	q->stime = now_seconds();
	list_add_tail(&m->link, &q->messages);
	q->cbytes += msgsz;
	q->qnum++;
	msg_bytes += (long)msgsz;
	msg_hdrs++;
	wq_wake_all(&q->wq);
	return 0;
fail:
	free_msg(m);
	return err;
}

/* ---- receive ---- */

enum search { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

static enum search convert_mode(long *msgtyp, int flg)
{
	if (flg & MSG_COPY)
		return SEARCH_NUMBER;
	if (*msgtyp == 0)
		return SEARCH_ANY;
	if (*msgtyp < 0) {
		*msgtyp = *msgtyp == LONG_MIN ? LONG_MAX : -*msgtyp;
		return SEARCH_LESSEQUAL;
	}
	return (flg & MSG_EXCEPT) ? SEARCH_NOTEQUAL : SEARCH_EQUAL;
}

/* find_msg(): the first match; for "type <= n" the first of the lowest
 * type; for MSG_COPY the n-th message. */
static struct kmsg *find_msg(struct msg_queue *q, long msgtyp, enum search mode)
{
	struct kmsg *m, *found = NULL;
	long count = 0;

	list_for_each_entry(m, &q->messages, link) {
		switch (mode) {
		case SEARCH_ANY:
			return m;
		case SEARCH_EQUAL:
			if (m->type == msgtyp)
				return m;
			break;
		case SEARCH_NOTEQUAL:
			if (m->type != msgtyp)
				return m;
			break;
		case SEARCH_LESSEQUAL:
			if (m->type <= msgtyp) {
				found = m;
				if (m->type == 1)
					return m;
				msgtyp = m->type - 1;
			}
			break;
		case SEARCH_NUMBER:
			if (count++ == msgtyp)
				return m;
			break;
		}
	}
	return found;
}

long sysv_msgrcv(struct task *t, int msqid, uint64_t umsgp, size_t msgsz, long msgtyp, int flg)
{
	enum search mode;
	struct msg_queue *q;
	struct kmsg *m;
	size_t n;
	int err;

	if (msqid < 0 || (long)msgsz < 0)
		return -EINVAL;
	if ((flg & MSG_COPY) && ((flg & MSG_EXCEPT) || !(flg & IPC_NOWAIT)))
		return -EINVAL;
	mode = convert_mode(&msgtyp, flg);
	q = msq_obtain(msqid);
	if (!q)
		return t->sys.restarted ? -EIDRM : -EINVAL;
	if ((err = ipcperms(t->cred, &q->perm, 0444)) < 0)
		return err;
	m = find_msg(q, msgtyp, mode);
	if (!m) {
		if (flg & IPC_NOWAIT)
			return -ENOMSG;
		if (signal_pending(t))
			return -ERESTARTNOHAND;
		task_wait_on(t, &q->wq);
		return -EBLOCKED;
	}
	if (msgsz < m->len && !(flg & MSG_NOERROR))
		return -E2BIG;
	n = MIN(msgsz, m->len);
	if (flg & MSG_COPY) {
		if (copy_to_user(t, umsgp, &m->type, sizeof(long)) ||
		    copy_to_user(t, umsgp + sizeof(long), m->text, n))
			return -EFAULT;
		return (long)n;
	}
	list_del(&m->link);
	q->qnum--;
	q->cbytes -= m->len;
	q->rtime = now_seconds();
	q->lrpid = task_tgid(t);
	msg_bytes -= (long)m->len;
	msg_hdrs--;
	wq_wake_all(&q->wq); /* room for senders */
	/* The message is gone even if it cannot be copied out. */
	err = copy_to_user(t, umsgp, &m->type, sizeof(long)) ||
	      copy_to_user(t, umsgp + sizeof(long), m->text, n) ? -EFAULT : 0;
	free_msg(m);
	return err ? err : (long)n;
}

/* ---- msgctl ---- */

static long msgctl_info(struct task *t, int cmd, uint64_t ubuf)
{
	struct msginfo_k mi = {
		.msgmni = MSGMNI, .msgmax = MSGMAX, .msgmnb = MSGMNB, .msgssz = 16, .msgseg = 0xffff,
		.msgpool = MSGMNI * MSGMNB / 1024, .msgmap = MSGMNB, .msgtql = MSGMNB,
	};
	int max_idx = ipc_max_idx(&msg_ids);

	if (cmd == MSG_INFO) {
		mi.msgpool = msg_ids.in_use;
		mi.msgmap = (int)msg_hdrs;
		mi.msgtql = (int)msg_bytes;
	}
	if (copy_to_user(t, ubuf, &mi, sizeof(mi)))
		return -EFAULT;
	return max_idx < 0 ? 0 : max_idx;
}

static long msgctl_stat(struct task *t, int msqid, int cmd, uint64_t ubuf)
{
	struct msqid64_ds_k ds;
	struct msg_queue *q;
	int err;

	if (cmd == IPC_STAT)
		q = msq_obtain(msqid);
	else
		q = (struct msg_queue *)ipc_at(&msg_ids, msqid);
	if (!q)
		return -EINVAL;
	if (cmd != MSG_STAT_ANY && (err = ipcperms(t->cred, &q->perm, 0444)) < 0)
		return err;
	memset(&ds, 0, sizeof(ds));
	ipc_perm_to_user(&q->perm, &ds.msg_perm);
	ds.msg_stime = q->stime;
	ds.msg_rtime = q->rtime;
	ds.msg_ctime = q->ctime;
	ds.msg_cbytes = q->cbytes;
	ds.msg_qnum = q->qnum;
	ds.msg_qbytes = q->qbytes;
	ds.msg_lspid = q->lspid;
	ds.msg_lrpid = q->lrpid;
	if (copy_to_user(t, ubuf, &ds, sizeof(ds)))
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : q->perm.id;
}

static long msgctl_down(struct task *t, int msqid, int cmd, const struct msqid64_ds_k *ds)
{
	struct msg_queue *q = msq_obtain(msqid);
	int err;

	if (!q)
		return -EINVAL;
	if ((err = ipc_may_change(t->cred, &q->perm)) < 0)
		return err;
	if (cmd == IPC_RMID) {
		freeque(q);
		return 0;
	}
	if (ds->msg_qbytes > MSGMNB && !cred_capable(t->cred, CAP_SYS_RESOURCE))
		return -EPERM;
	err = ipc_update_perm(&q->perm, ds->msg_perm.uid, ds->msg_perm.gid, ds->msg_perm.mode);
	if (err < 0)
		return err;
	q->qbytes = ds->msg_qbytes;
	q->ctime = now_seconds();
	/* Waiters re-check: permissions may have tightened, room grown. */
	wq_wake_all(&q->wq);
	return 0;
}

long sysv_msgctl(struct task *t, int msqid, int cmd, uint64_t ubuf)
{
	struct msqid64_ds_k ds;

	if (msqid < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO:
		return msgctl_info(t, cmd, ubuf);
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		return msgctl_stat(t, msqid, cmd, ubuf);
	case IPC_SET:
		if (copy_from_user(t, &ds, ubuf, sizeof(ds)))
			return -EFAULT;
		return msgctl_down(t, msqid, cmd, &ds);
	case IPC_RMID:
		return msgctl_down(t, msqid, cmd, NULL);
	default:
		return -EINVAL;
	}
}
