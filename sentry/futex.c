/* Futexes. The sentry is single-threaded, so "check the value and queue"
 * is atomic with respect to every FUTEX_WAKE (wakes are syscalls it runs
 * one at a time). Application threads still run concurrently on the host,
 * so read-modify-write of futex words (WAKE_OP, PI locks, robust lists)
 * uses atomic instructions on the sentry's mapping of the same page. */
#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/futex.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/signal.h"
#include "sentry/usercopy.h"

#define FUTEX_BUCKETS 256
#define ROBUST_LIST_LIMIT 2048

static struct list_head buckets[FUTEX_BUCKETS];
static bool buckets_ready;

struct futex_key {
	void *mm;
	uint64_t key;
};

static struct list_head *bucket_of(const struct futex_key *k)
{
	if (!buckets_ready) {
		for (int i = 0; i < FUTEX_BUCKETS; i++)
			list_init(&buckets[i]);
		buckets_ready = true;
	}
	uint64_t h = XXH3_64bits(k, sizeof(*k));
	return &buckets[h % FUTEX_BUCKETS];
}

/* The futex word in the sentry's mapping, checking alignment and access
 * as the kernel's get_futex_key does. Shared mappings key by memory-file
 * offset so different address spaces meet on the same word. */
static int futex_lookup(struct mm *mm, uint64_t uaddr, bool private_op, struct futex_key *k,
			uint32_t **word)
{
	if (uaddr % 4)
		return -EINVAL;
	struct vma *v = mm_find_vma(mm, uaddr);
	if (!v || !v->range || !(v->prot & PROT_READ) || uaddr + 4 > v->end)
		return -EFAULT;
	/* A word on a page shared copy-on-write gets its own copy first:
	 * futex operations may store to it. */
	uint64_t off;
	if (mm_vma_mfoff(mm, v, uaddr, 4, (v->prot & PROT_WRITE) != 0, &off) < 4)
		return -EFAULT;
	if (!private_op && (v->flags & VMA_SHARED)) {
		k->mm = NULL;
		k->key = off;
	} else {
		k->mm = mm;
		k->key = uaddr;
	}
	if (word)
		*word = memfile_ptr(kernel->mf, off);
	return 0;
}

static void waiter_dequeue(struct task *t)
{
	if (t->futex.queued) {
		list_del(&t->futex.link);
		t->futex.queued = false;
	}
}

static void waiter_enqueue(struct task *t, const struct futex_key *k, uint32_t bitset, bool pi)
{
	t->futex.key_mm = k->mm;
	t->futex.key = k->key;
	t->futex.bitset = bitset;
	t->futex.woken = false;
	t->futex.pi = pi;
	t->futex.queued = true;
	list_add_tail(&t->futex.link, bucket_of(k));
}

static bool key_eq(const struct task *w, const struct futex_key *k)
{
	return w->futex.key_mm == k->mm && w->futex.key == k->key;
}

static void waiter_wake(struct task *w)
{
	waiter_dequeue(w);
	w->futex.woken = true;
	task_wake(w);
}

static int wake_key(const struct futex_key *k, int n, uint32_t bitset)
{
	int woken = 0;
	struct list_head *b = bucket_of(k);
	struct task *w, *tmp;
	list_for_each_entry_safe(w, tmp, b, futex.link) {
		if (woken >= n)
			break;
		if (!key_eq(w, k) || !(w->futex.bitset & bitset))
			continue;
		waiter_wake(w);
		woken++;
	}
	return woken;
}

int futex_wake_addr(struct mm *mm, uint64_t uaddr, int n)
{
	struct futex_key k;
	if (futex_lookup(mm, uaddr, false, &k, NULL) < 0)
		return 0;
	return wake_key(&k, n, FUTEX_BITSET_MATCH_ANY);
}

static int64_t timeout_deadline(struct task *t, uint64_t utime, bool absolute, bool realtime, int *err)
{
	struct timespec ts;
	*err = 0;
	if (!utime)
		return 0;
	if (copy_from_user(t, &ts, utime, sizeof(ts)) < 0) {
		*err = -EFAULT;
		return 0;
	}
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) {
		*err = -EINVAL;
		return 0;
	}
	int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	int64_t now = kernel_mono_ns();
	if (!absolute)
		return now + ns + 1; /* 0 means "no deadline" */
	if (realtime)
		ns = ns - now_real_ns() + now;
	return ns > 0 ? ns : 1;
}

/* The blocking half shared by WAIT and LOCK_PI: how a queued waiter ends. */
static long wait_outcome(struct task *t)
{
	if (t->futex.woken) {
		t->futex.woken = false;
		return 0;
	}
	if (t->sys.timed_out) {
		waiter_dequeue(t);
		return -ETIMEDOUT;
	}
	if (signal_pending(t)) {
		waiter_dequeue(t);
		return -ERESTARTSYS;
	}
	return -EBLOCKED; /* spurious: still queued */
}

static long futex_wait(struct task *t, uint64_t uaddr, bool priv, uint32_t val, uint64_t utime,
		       uint32_t bitset, bool absolute, bool realtime)
{
	if (t->sys.restarted && (t->futex.queued || t->futex.woken))
		return wait_outcome(t);
	if (!bitset)
		return -EINVAL;
	struct futex_key k;
	uint32_t *word;
	int err = futex_lookup(t->mm, uaddr, priv, &k, &word);
	if (err)
		return err;
	int terr;
	int64_t deadline = timeout_deadline(t, utime, absolute, realtime, &terr);
	if (terr)
		return terr;
	if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != val)
		return -EAGAIN;
	if (deadline && deadline <= kernel_mono_ns())
		return -ETIMEDOUT;
	waiter_enqueue(t, &k, bitset, false);
	if (deadline)
		task_set_deadline(t, deadline);
	return -EBLOCKED;
}

static long futex_requeue(struct task *t, uint64_t uaddr, bool priv, int nwake, int nrequeue,
			  uint64_t uaddr2, bool cmp, uint32_t val3)
{
	if (nwake < 0 || nrequeue < 0)
		return -EINVAL;
	struct futex_key k1, k2;
	uint32_t *word;
	int err = futex_lookup(t->mm, uaddr, priv, &k1, &word);
	if (!err)
		err = futex_lookup(t->mm, uaddr2, priv, &k2, NULL);
	if (err)
		return err;
	if (cmp && __atomic_load_n(word, __ATOMIC_SEQ_CST) != val3)
		return -EAGAIN;
	int woken = 0, moved = 0;
	struct task *w, *tmp;
	list_for_each_entry_safe(w, tmp, bucket_of(&k1), futex.link) {
		if (!key_eq(w, &k1))
			continue;
		if (woken < nwake) {
			waiter_wake(w);
			woken++;
		} else if (moved < nrequeue) {
			waiter_dequeue(w);
			waiter_enqueue(w, &k2, w->futex.bitset, w->futex.pi);
			moved++;
		} else {
			break;
		}
	}
	return woken + moved;
}

static long futex_wake_op(struct task *t, uint64_t uaddr, bool priv, int n1, int n2, uint64_t uaddr2,
			  uint32_t encoded)
{
	struct futex_key k1, k2;
	uint32_t *word2;
	int err = futex_lookup(t->mm, uaddr, priv, &k1, NULL);
	if (!err)
		err = futex_lookup(t->mm, uaddr2, priv, &k2, &word2);
	if (err)
		return err;
	struct vma *v2 = mm_find_vma(t->mm, uaddr2);
	if (!(v2->prot & PROT_WRITE))
		return -EFAULT;
	int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	uint32_t oparg = (encoded >> 12) & 0xfff, cmparg = encoded & 0xfff;
	if (encoded & (FUTEX_OP_OPARG_SHIFT << 28)) {
		if (oparg > 31)
			return -EINVAL; /* Linux warns and masks; refuse clearly */
		oparg = 1u << oparg;
	}
	uint32_t old = __atomic_load_n(word2, __ATOMIC_SEQ_CST), nv;
	do {
		switch (op) {
		case FUTEX_OP_SET: nv = oparg; break;
		case FUTEX_OP_ADD: nv = old + oparg; break;
		case FUTEX_OP_OR: nv = old | oparg; break;
		case FUTEX_OP_ANDN: nv = old & ~oparg; break;
		case FUTEX_OP_XOR: nv = old ^ oparg; break;
		default: return -ENOSYS;
		}
	} while (!__atomic_compare_exchange_n(word2, &old, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	/* cmparg is a sign-extended 12-bit value compared as int. */
	int32_t o = (int32_t)old, c = (int32_t)(cmparg << 20) >> 20;
	bool hit;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: hit = o == c; break;
	case FUTEX_OP_CMP_NE: hit = o != c; break;
	case FUTEX_OP_CMP_LT: hit = o < c; break;
	case FUTEX_OP_CMP_LE: hit = o <= c; break;
	case FUTEX_OP_CMP_GT: hit = o > c; break;
	case FUTEX_OP_CMP_GE: hit = o >= c; break;
	default: return -ENOSYS;
	}
	int woken = wake_key(&k1, n1, FUTEX_BITSET_MATCH_ANY);
	if (hit)
		woken += wake_key(&k2, n2, FUTEX_BITSET_MATCH_ANY);
	return woken;
}

/* ---- priority-inheritance locks: ownership protocol only (the sentry
 * has no priorities to boost) ---- */

static bool writable(struct task *t, uint64_t uaddr)
{
	struct vma *v = mm_find_vma(t->mm, uaddr);
	return v && (v->prot & PROT_WRITE);
}

static long futex_lock_pi(struct task *t, uint64_t uaddr, bool priv, uint64_t utime, bool trylock)
{
	if (t->sys.restarted && (t->futex.queued || t->futex.woken))
		return wait_outcome(t); /* woken means the lock was handed to us */
	struct futex_key k;
	uint32_t *word;
	int err = futex_lookup(t->mm, uaddr, priv, &k, &word);
	if (err)
		return err;
	if (!writable(t, uaddr))
		return -EFAULT;
	uint32_t tid = (uint32_t)t->tid;
	for (;;) {
		uint32_t old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		uint32_t owner = old & FUTEX_TID_MASK;
		if (owner == tid)
			return -EDEADLK;
		if (owner == 0 || (old & FUTEX_OWNER_DIED)) {
			uint32_t nv = tid | (old & FUTEX_OWNER_DIED ? FUTEX_OWNER_DIED : 0);
			if (__atomic_compare_exchange_n(word, &old, nv | (old & FUTEX_WAITERS), false,
							__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				return 0;
			continue;
		}
		if (trylock)
			return -EAGAIN;
		if (!pid_lookup((pid_t)owner))
			return -ESRCH; /* owner gone without the robust-list fixup */
		if (__atomic_compare_exchange_n(word, &old, old | FUTEX_WAITERS, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			break;
	}
	int terr;
	int64_t deadline = timeout_deadline(t, utime, true, true, &terr);
	if (terr)
		return terr;
	waiter_enqueue(t, &k, FUTEX_BITSET_MATCH_ANY, true);
	if (deadline)
		task_set_deadline(t, deadline);
	return -EBLOCKED;
}

static long futex_unlock_pi(struct task *t, uint64_t uaddr, bool priv)
{
	struct futex_key k;
	uint32_t *word;
	int err = futex_lookup(t->mm, uaddr, priv, &k, &word);
	if (err)
		return err;
	if (!writable(t, uaddr))
		return -EFAULT;
	uint32_t old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	if ((old & FUTEX_TID_MASK) != (uint32_t)t->tid)
		return -EPERM;
	/* Hand the lock to the first waiter, as the kernel does. */
	struct task *w, *next = NULL;
	int others = 0;
	list_for_each_entry(w, bucket_of(&k), futex.link) {
		if (!key_eq(w, &k) || !w->futex.pi)
			continue;
		if (!next)
			next = w;
		else
			others++;
	}
	uint32_t nv = next ? ((uint32_t)next->tid | (others ? FUTEX_WAITERS : 0)) : 0;
	__atomic_store_n(word, nv, __ATOMIC_SEQ_CST);
	if (next)
		waiter_wake(next);
	return 0;
}

long futex_syscall(struct task *t, uint64_t uaddr, int op, uint32_t val, uint64_t utime, uint64_t uaddr2,
		   uint32_t val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool priv = op & FUTEX_PRIVATE_FLAG;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS; /* as Linux for clock_realtime with other ops */
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(t, uaddr, priv, val, utime, FUTEX_BITSET_MATCH_ANY, false, false);
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, uaddr, priv, val, utime, val3, true, realtime);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fallthrough */
	case FUTEX_WAKE_BITSET: {
		if (!val3)
			return -EINVAL;
		struct futex_key k;
		int err = futex_lookup(t->mm, uaddr, priv, &k, NULL);
		if (err)
			return err;
		return wake_key(&k, (int)MIN(val, (uint32_t)INT32_MAX), val3);
	}
	case FUTEX_REQUEUE:
		return futex_requeue(t, uaddr, priv, (int)val, (int)utime, uaddr2, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, uaddr, priv, (int)val, (int)utime, uaddr2, true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, uaddr, priv, (int)val, (int)utime, uaddr2, val3);
	case FUTEX_LOCK_PI:
		return futex_lock_pi(t, uaddr, priv, utime, false);
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(t, uaddr, priv, 0, true);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(t, uaddr, priv);
	default:
		log_once("futex-op", "futex op %d is not supported (ENOSYS)", cmd);
		return -ENOSYS;
	}
}

/* Linux's handle_futex_death: a robust lock held by a dying thread gets
 * FUTEX_OWNER_DIED and one waiter is woken to recover it. */
static void robust_futex_death(struct task *t, uint64_t uaddr, bool pending_op)
{
	struct futex_key k;
	uint32_t *word;
	if (futex_lookup(t->mm, uaddr, false, &k, &word) < 0 || !writable(t, uaddr))
		return;
	uint32_t old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	for (;;) {
		if ((old & FUTEX_TID_MASK) != (uint32_t)t->tid) {
			/* pending_op on an unowned lock: still wake a waiter
			 * that may wait for it to become free. */
			if (pending_op && !(old & FUTEX_TID_MASK))
				wake_key(&k, 1, FUTEX_BITSET_MATCH_ANY);
			return;
		}
		uint32_t nv = (old & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (__atomic_compare_exchange_n(word, &old, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	if (old & FUTEX_WAITERS)
		wake_key(&k, 1, FUTEX_BITSET_MATCH_ANY);
}

static void exit_robust_list(struct task *t)
{
	struct {
		uint64_t next;
		int64_t futex_offset;
		uint64_t list_op_pending;
	} head;
	if (!t->robust_list || copy_from_user(t, &head, t->robust_list, sizeof(head)) < 0)
		return;
	uint64_t entry = head.next, pending = head.list_op_pending;
	for (int i = 0; entry != t->robust_list && i < ROBUST_LIST_LIMIT; i++) {
		uint64_t next;
		if (copy_from_user(t, &next, entry & ~1ULL, sizeof(next)) < 0)
			return;
		if (entry != pending)
			robust_futex_death(t, (entry & ~1ULL) + (uint64_t)head.futex_offset, false);
		entry = next;
	}
	if (pending)
		robust_futex_death(t, (pending & ~1ULL) + (uint64_t)head.futex_offset, true);
}

void futex_task_exit(struct task *t)
{
	waiter_dequeue(t);
	t->futex.woken = false;
	if (t->mm)
		exit_robust_list(t);
	t->robust_list = 0;
}
