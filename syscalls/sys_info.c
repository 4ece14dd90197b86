/* Process identity and information: ids and credentials, capabilities,
 * process groups and sessions, uname/hostname, resource limits and usage,
 * prctl, scheduling queries, getrandom, sysinfo.
 *
 * Credentials are shared between tasks (fork shares them), so every change
 * copies them first (cred_prepare/cred_commit, Linux's prepare_creds and
 * commit_creds); like Linux, a set*id call changes the calling thread only
 * (glibc makes every thread do it). */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/signal.h"
#include "sentry/signal_internal.h"
#include "sentry/usercopy.h"
#include "syscalls/syscalls.h"

#define KNGROUPS_MAX 65536
#define KNR_OPEN 1048576
#define UTS_LEN 64
#define CAP_VALID_MASK ((1ULL << (CAP_LAST_CAP + 1)) - 1)

/* ---- credentials ---------------------------------------------------------- */

static struct cred *cred_prepare(struct task *t)
{
	return cred_copy(t->cred);
}

/* commit_creds(): changing who the process is makes it non-dumpable and
 * forgets the parent-death signal, so a privileged child cannot be
 * signalled or dumped by an unprivileged parent. */
static void cred_commit(struct task *t, struct cred *n)
{
	struct cred *o = t->cred;

	if (o->euid != n->euid || o->egid != n->egid || o->fsuid != n->fsuid ||
	    o->fsgid != n->fsgid || (n->cap_permitted & ~o->cap_permitted)) {
		t->tg->nondumpable = true; /* suid_dumpable = 0 */
		t->pdeath_signal = 0;
	}
	t->cred = n;
	cred_put(o);
}

static bool id_valid(uint32_t id) { return id != (uint32_t)-1; }

/* CAP_FS_MASK: what fsuid 0 implies. */
#define CAP_FS_SET                                                                  \
	((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) | \
	 (1ULL << CAP_FOWNER) | (1ULL << CAP_FSETID) | (1ULL << CAP_MKNOD) |            \
	 (1ULL << CAP_MAC_OVERRIDE))

/* cap_emulate_setxuid(): leaving uid 0 everywhere drops the capabilities
 * (no SECURE_KEEP_CAPS here); euid 0 <-> non-0 toggles the effective set. */
static void cap_fix_setuid(struct cred *n, const struct cred *o)
{
	if ((o->uid == 0 || o->euid == 0 || o->suid == 0) &&
	    (n->uid != 0 && n->euid != 0 && n->suid != 0)) {
		n->cap_permitted = 0;
		n->cap_effective = 0;
		n->cap_ambient = 0;
	}
	if (o->euid == 0 && n->euid != 0)
		n->cap_effective = 0;
	if (o->euid != 0 && n->euid == 0)
		n->cap_effective = n->cap_permitted;
}

static void cap_fix_setfsuid(struct cred *n, const struct cred *o)
{
	if (o->fsuid == 0 && n->fsuid != 0)
		n->cap_effective &= ~CAP_FS_SET;
	if (o->fsuid != 0 && n->fsuid == 0)
		n->cap_effective |= n->cap_permitted & CAP_FS_SET;
}

SYSCALL_DEFINE(getpid, "") { return task_tgid(t); }
SYSCALL_DEFINE(gettid, "") { return t->tid; }

SYSCALL_DEFINE(getppid, "")
{
	/* init's parent is outside the sandbox's pid namespace. */
	return t->tg->parent ? t->tg->parent->tgid : 0;
}

SYSCALL_DEFINE(getuid, "") { return t->cred->uid; }
SYSCALL_DEFINE(geteuid, "") { return t->cred->euid; }
SYSCALL_DEFINE(getgid, "") { return t->cred->gid; }
SYSCALL_DEFINE(getegid, "") { return t->cred->egid; }

static long put_ids(struct task *t, const struct syscall_args *a, uint32_t r, uint32_t e, uint32_t s)
{
	if (copy_to_user(t, a->a[0], &r, 4) < 0 || copy_to_user(t, a->a[1], &e, 4) < 0 ||
	    copy_to_user(t, a->a[2], &s, 4) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(getresuid, "ppp")
{
	return put_ids(t, a, t->cred->uid, t->cred->euid, t->cred->suid);
}

SYSCALL_DEFINE(getresgid, "ppp")
{
	return put_ids(t, a, t->cred->gid, t->cred->egid, t->cred->sgid);
}

SYSCALL_DEFINE(getgroups, "dp")
{
	int size = (int)a->a[0];
	const struct cred *c = t->cred;

	if (size < 0)
		return -EINVAL;
	if (size) {
		if (c->ngroups > size)
			return -EINVAL;
		if (c->ngroups &&
		    copy_to_user(t, a->a[1], c->groups, (size_t)c->ngroups * sizeof(gid_t)) < 0)
			return -EFAULT;
	}
	return c->ngroups;
}

static int gid_cmp(const void *x, const void *y)
{
	gid_t a = *(const gid_t *)x, b = *(const gid_t *)y;
	return a < b ? -1 : a > b;
}

SYSCALL_DEFINE(setgroups, "dp")
{
	int size = (int)a->a[0];

	if (!cred_capable(t->cred, CAP_SETGID))
		return -EPERM;
	if ((unsigned)size > KNGROUPS_MAX)
		return -EINVAL;
	_cleanup_free_ gid_t *groups = size ? xmalloc((size_t)size * sizeof(gid_t)) : NULL;
	if (size && copy_from_user(t, groups, a->a[1], (size_t)size * sizeof(gid_t)) < 0)
		return -EFAULT;
	for (int i = 0; i < size; i++)
		if (!id_valid(groups[i]))
			return -EINVAL;
	/* Linux keeps the list sorted (groups_sort): getgroups shows it so. */
	if (size)
		qsort(groups, (size_t)size, sizeof(gid_t), gid_cmp);

	struct cred *n = cred_prepare(t);
	free(n->groups);
	n->groups = steal_pointer(&groups);
	n->ngroups = size;
	cred_commit(t, n);
	return 0;
}

/* The set*uid and set*gid calls are twins (as in Linux's kernel/sys.c):
 * each is written once over one family of ids, with CAP_SETUID or
 * CAP_SETGID, and only uid changes touch the capabilities. */
_Static_assert(_Generic((gid_t)0, uid_t: 1, default: 0), "uid_t and gid_t are one type");

struct idv {
	uid_t r, e, s, fs; /* real, effective, saved, filesystem */
};

static struct idv ids_of(const struct cred *c, bool uid)
{
	if (uid)
		return (struct idv){ c->uid, c->euid, c->suid, c->fsuid };
	return (struct idv){ c->gid, c->egid, c->sgid, c->fsgid };
}

static int setid_cap(bool uid) { return uid ? CAP_SETUID : CAP_SETGID; }

/* A new cred with the family's ids set to v; a uid change also changes
 * the capabilities (fix: cap_fix_setuid or cap_fix_setfsuid). */
static void ids_commit(struct task *t, bool uid, struct idv v,
		       void (*fix)(struct cred *n, const struct cred *o))
{
	const struct cred *o = t->cred;
	struct cred *n = cred_prepare(t);

	if (uid) {
		n->uid = v.r;
		n->euid = v.e;
		n->suid = v.s;
		n->fsuid = v.fs;
		fix(n, o);
	} else {
		n->gid = v.r;
		n->egid = v.e;
		n->sgid = v.s;
		n->fsgid = v.fs;
	}
	cred_commit(t, n);
}

static long do_setid(struct task *t, uint32_t id, bool uid)
{
	const struct cred *o = t->cred;
	struct idv v = ids_of(o, uid);

	if (!id_valid(id))
		return -EINVAL;
	bool cap = cred_capable(o, setid_cap(uid));
	if (!cap && id != v.r && id != v.s)
		return -EPERM;
	if (cap)
		v.r = v.s = id;
	v.e = v.fs = id;
	ids_commit(t, uid, v, cap_fix_setuid);
	return 0;
}

static long do_setreid(struct task *t, uint32_t rid, uint32_t eid, bool uid)
{
	const struct cred *o = t->cred;
	struct idv v = ids_of(o, uid);
	uid_t old_r = v.r;
	bool cap = cred_capable(o, setid_cap(uid));

	/* -1 means "unchanged" here, so every value is valid. */
	if (rid != (uint32_t)-1 && !cap && rid != v.r && rid != v.e)
		return -EPERM;
	if (eid != (uint32_t)-1 && !cap && eid != v.r && eid != v.e && eid != v.s)
		return -EPERM;
	if (rid != (uint32_t)-1)
		v.r = rid;
	if (eid != (uint32_t)-1)
		v.e = eid;
	if (rid != (uint32_t)-1 || (eid != (uint32_t)-1 && eid != old_r))
		v.s = v.e;
	v.fs = v.e;
	ids_commit(t, uid, v, cap_fix_setuid);
	return 0;
}

/* Is id one of the three ids (or unchanged)? */
static bool id_is_one_of(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == (uint32_t)-1 || id == r || id == e || id == s;
}

static long do_setresid(struct task *t, uint32_t rid, uint32_t eid, uint32_t sid, bool uid)
{
	const struct cred *o = t->cred;
	struct idv v = ids_of(o, uid);

	if ((rid == (uint32_t)-1 || rid == v.r) &&
	    (eid == (uint32_t)-1 || (eid == v.e && eid == v.fs)) &&
	    (sid == (uint32_t)-1 || sid == v.s))
		return 0;
	if (!cred_capable(o, setid_cap(uid)) &&
	    (!id_is_one_of(rid, v.r, v.e, v.s) || !id_is_one_of(eid, v.r, v.e, v.s) ||
	     !id_is_one_of(sid, v.r, v.e, v.s)))
		return -EPERM;
	if (rid != (uint32_t)-1)
		v.r = rid;
	if (eid != (uint32_t)-1)
		v.e = eid;
	if (sid != (uint32_t)-1)
		v.s = sid;
	v.fs = v.e;
	ids_commit(t, uid, v, cap_fix_setuid);
	return 0;
}

/* setfsuid and setfsgid never fail: they return the old value either way. */
static long do_setfsid(struct task *t, uint32_t id, bool uid)
{
	const struct cred *o = t->cred;
	struct idv v = ids_of(o, uid);
	uid_t old = v.fs;

	if (!id_valid(id) || id == v.fs)
		return old;
	if (id == v.r || id == v.e || id == v.s || cred_capable(o, setid_cap(uid))) {
		v.fs = id;
		ids_commit(t, uid, v, cap_fix_setfsuid);
	}
	return old;
}

SYSCALL_DEFINE(setuid, "u")
{
	return do_setid(t, (uint32_t)a->a[0], true);
}

SYSCALL_DEFINE(setreuid, "uu")
{
	return do_setreid(t, (uint32_t)a->a[0], (uint32_t)a->a[1], true);
}

SYSCALL_DEFINE(setresuid, "uuu")
{
	return do_setresid(t, (uint32_t)a->a[0], (uint32_t)a->a[1], (uint32_t)a->a[2], true);
}

SYSCALL_DEFINE(setfsuid, "u")
{
	return do_setfsid(t, (uint32_t)a->a[0], true);
}

SYSCALL_DEFINE(setgid, "u")
{
	return do_setid(t, (uint32_t)a->a[0], false);
}

SYSCALL_DEFINE(setregid, "uu")
{
	return do_setreid(t, (uint32_t)a->a[0], (uint32_t)a->a[1], false);
}

SYSCALL_DEFINE(setresgid, "uuu")
{
	return do_setresid(t, (uint32_t)a->a[0], (uint32_t)a->a[1], (uint32_t)a->a[2], false);
}

SYSCALL_DEFINE(setfsgid, "u")
{
	return do_setfsid(t, (uint32_t)a->a[0], false);
}

/* ---- capabilities ------------------------------------------------------------ */

struct cap_header {
	uint32_t version;
	int32_t pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

/* cap_validate_magic(): how many 32-bit words the caller's version uses.
 * An unknown version is answered with ours. */
static int cap_validate_magic(struct task *t, uint64_t uhdr, unsigned *words)
{
	uint32_t version;

	if (copy_from_user(t, &version, uhdr, sizeof(version)) < 0)
		return -EFAULT;
	switch (version) {
	case _LINUX_CAPABILITY_VERSION_1:
		*words = _LINUX_CAPABILITY_U32S_1;
		return 0;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		*words = _LINUX_CAPABILITY_U32S_3;
		return 0;
	default:
		version = _LINUX_CAPABILITY_VERSION_3;
		if (copy_to_user(t, uhdr, &version, sizeof(version)) < 0)
			return -EFAULT;
		return -EINVAL;
	}
}

SYSCALL_DEFINE(capget, "pp")
{
	struct cap_header hdr;
	unsigned words;
	int err = cap_validate_magic(t, a->a[0], &words);

	/* A NULL data pointer probes the preferred version. */
	if (!a->a[1] || err)
		return (!a->a[1] && err == -EINVAL) ? 0 : err;
	if (copy_from_user(t, &hdr, a->a[0], sizeof(hdr)) < 0)
		return -EFAULT;
	if (hdr.pid < 0)
		return -EINVAL;

	const struct cred *c = t->cred;
	if (hdr.pid && hdr.pid != t->tid) {
		struct task *o = pid_lookup(hdr.pid);
		if (!o || o->state == TASK_DEAD || !o->cred)
			return -ESRCH;
		c = o->cred;
	}
	struct cap_data d[2] = {
		{ (uint32_t)c->cap_effective, (uint32_t)c->cap_permitted, (uint32_t)c->cap_inheritable },
		{ (uint32_t)(c->cap_effective >> 32), (uint32_t)(c->cap_permitted >> 32),
		  (uint32_t)(c->cap_inheritable >> 32) },
	};
	/* Version 1 callers silently lose the upper capabilities (Linux's
	 * fail-safe choice). */
	if (copy_to_user(t, a->a[1], d, words * sizeof(d[0])) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(capset, "pp")
{
	struct cap_header hdr;
	struct cap_data d[2];
	unsigned words;
	int err = cap_validate_magic(t, a->a[0], &words);

	if (err)
		return err;
	if (copy_from_user(t, &hdr, a->a[0], sizeof(hdr)) < 0)
		return -EFAULT;
	/* Only the calling thread's capabilities can be set. */
	if (hdr.pid != 0 && hdr.pid != t->tid)
		return -EPERM;
	memset(d, 0, sizeof(d));
	if (copy_from_user(t, d, a->a[1], words * sizeof(d[0])) < 0)
		return -EFAULT;

	uint64_t eff = ((uint64_t)d[1].effective << 32 | d[0].effective) & CAP_VALID_MASK;
	uint64_t perm = ((uint64_t)d[1].permitted << 32 | d[0].permitted) & CAP_VALID_MASK;
	uint64_t inh = ((uint64_t)d[1].inheritable << 32 | d[0].inheritable) & CAP_VALID_MASK;
	const struct cred *o = t->cred;

	/* cap_capset() */
	if (!cred_capable(o, CAP_SETPCAP) && (inh & ~(o->cap_inheritable | o->cap_permitted)))
		return -EPERM;
	if (inh & ~(o->cap_inheritable | o->cap_bounding))
		return -EPERM;
	if (perm & ~o->cap_permitted)
		return -EPERM;
	if (eff & ~perm)
		return -EPERM;

	struct cred *n = cred_prepare(t);
	n->cap_effective = eff;
	n->cap_permitted = perm;
	n->cap_inheritable = inh;
	n->cap_ambient &= perm & inh;
	cred_commit(t, n);
	return 0;
}

/* ---- process groups and sessions ------------------------------------------ */

/* find_task_by_vpid() for process-level questions: any live thread, or
 * the leader of a not yet reaped zombie. */
static struct thread_group *find_process(pid_t pid)
{
	struct task *p = pid > 0 ? pid_lookup(pid) : NULL;
	if (!p || p->tg->reaped)
		return NULL;
	if (p->state == TASK_DEAD && p != p->tg->leader)
		return NULL;
	return p->tg;
}

struct pgrp_find {
	pid_t pgid;
	pid_t sid;       /* -1: any session */
	bool found;
};

static int pgrp_find_one(struct thread_group *tg, void *arg)
{
	struct pgrp_find *f = arg;
	if (tg->reaped || tg->pgid != f->pgid || (f->sid != -1 && tg->sid != f->sid))
		return 0;
	f->found = true;
	return 1;
}

static bool pgrp_exists(pid_t pgid, pid_t sid)
{
	struct pgrp_find f = { .pgid = pgid, .sid = sid };
	tg_for_each(pgrp_find_one, &f);
	return f.found;
}

SYSCALL_DEFINE(getpgrp, "") { return t->tg->pgid; }

SYSCALL_DEFINE(getpgid, "d")
{
	pid_t pid = (pid_t)a->a[0];
	if (!pid)
		return t->tg->pgid;
	struct thread_group *tg = find_process(pid);
	return tg ? tg->pgid : -ESRCH;
}

SYSCALL_DEFINE(getsid, "d")
{
	pid_t pid = (pid_t)a->a[0];
	if (!pid)
		return t->tg->sid;
	struct thread_group *tg = find_process(pid);
	return tg ? tg->sid : -ESRCH;
}

/* Not implemented from Linux's rules: EACCES for a child that has already
 * called execve (the sentry does not record that). */
SYSCALL_DEFINE(setpgid, "dd")
{
	pid_t pid = (pid_t)a->a[0], pgid = (pid_t)a->a[1];
	struct thread_group *me = t->tg;

	if (!pid)
		pid = me->tgid;
	if (!pgid)
		pgid = pid;
	if (pgid < 0)
		return -EINVAL;

	struct task *p = pid_lookup(pid);
	if (!p || p->state == TASK_DEAD || p->tg->reaped)
		return -ESRCH;
	struct thread_group *tg = p->tg;
	if (tg->tgid != pid)
		return -EINVAL; /* not a thread group leader */
	if (tg->parent == me) {
		if (tg->sid != me->sid)
			return -EPERM;
	} else if (tg != me) {
		return -ESRCH;
	}
	if (tg->sid == tg->tgid)
		return -EPERM; /* a session leader cannot move */
	if (pgid != pid && !pgrp_exists(pgid, me->sid))
		return -EPERM;
	tg->pgid = pgid;
	return 0;
}

SYSCALL_DEFINE(setsid, "")
{
	struct thread_group *me = t->tg;

	if (me->sid == me->tgid)
		return -EPERM;
	/* A process group with our pid would end up split across sessions. */
	if (pgrp_exists(me->tgid, -1))
		return -EPERM;
	me->sid = me->tgid;
	me->pgid = me->tgid;
	/* The new session has no controlling terminal (proc_clear_tty). */
	me->ctty = NULL;
	return me->sid;
}

/* ---- uname / hostname ------------------------------------------------------ */

/* UNAME26: report a 2.6.x release to old programs ("4.4.0" -> "2.6.64"). */
static void uname26_release(char *buf, size_t len)
{
	const char *rel = SANDBOX_UTS_RELEASE, *rest = rel;
	int ndots = 0;
	unsigned patchlevel = 0;

	while (*rest) {
		if (*rest == '.' && ++ndots >= 3)
			break;
		if ((*rest < '0' || *rest > '9') && *rest != '.')
			break;
		rest++;
	}
	const char *dot = strchr(rel, '.');
	if (dot)
		patchlevel = (unsigned)strtoul(dot + 1, NULL, 10);
	snprintf(buf, len, "2.6.%u%s", patchlevel + 60, rest);
}

SYSCALL_DEFINE(uname, "p")
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	snprintf(u.sysname, sizeof(u.sysname), "%s", SANDBOX_UTS_SYSNAME);
	snprintf(u.nodename, sizeof(u.nodename), "%s", kernel->hostname);
	if (t->tg->personality & UNAME26)
		uname26_release(u.release, sizeof(u.release));
	else
		snprintf(u.release, sizeof(u.release), "%s", SANDBOX_UTS_RELEASE);
	snprintf(u.version, sizeof(u.version), "%s", SANDBOX_UTS_VERSION);
	snprintf(u.machine, sizeof(u.machine), "%s", SANDBOX_UTS_MACHINE);
	snprintf(u.domainname, sizeof(u.domainname), "%s", kernel->domainname);
	if (copy_to_user(t, a->a[0], &u, sizeof(u)) < 0)
		return -EFAULT;
	return 0;
}

static long set_uts_name(struct task *t, char *dst, uint64_t uname, int len)
{
	char tmp[UTS_LEN + 1];

	if (!cred_capable(t->cred, CAP_SYS_ADMIN))
		return -EPERM;
	if (len < 0 || len > UTS_LEN)
		return -EINVAL;
	if (len && copy_from_user(t, tmp, uname, (size_t)len) < 0)
		return -EFAULT;
	memset(dst, 0, UTS_LEN + 1);
	memcpy(dst, tmp, (size_t)len);
	return 0;
}

SYSCALL_DEFINE(sethostname, "sd")
{
	return set_uts_name(t, kernel->hostname, a->a[0], (int)a->a[1]);
}

SYSCALL_DEFINE(setdomainname, "sd")
{
	return set_uts_name(t, kernel->domainname, a->a[0], (int)a->a[1]);
}

/* ---- randomness, system information ---------------------------------------- */

#define KGRND_NONBLOCK 0x1
#define KGRND_RANDOM 0x2
#define KGRND_INSECURE 0x4
/* Linux 4.4 returns at most this much from one urandom read. */
#define GETRANDOM_MAX 33554431UL

SYSCALL_DEFINE(getrandom, "pux")
{
	unsigned flags = (unsigned)a->a[2];
	size_t len = MIN(a->a[1], (uint64_t)GETRANDOM_MAX);
	uint8_t buf[4096];
	size_t done = 0;

	if ((flags & (KGRND_INSECURE | KGRND_RANDOM)) == (KGRND_INSECURE | KGRND_RANDOM))
		return -EINVAL;
	if (flags & ~(KGRND_NONBLOCK | KGRND_RANDOM | KGRND_INSECURE))
		return -EINVAL;
	/* The host pool is initialized long before a sandbox starts, so the
	 * blocking and non-blocking flavours behave alike. */
	while (done < len) {
		size_t n = MIN(len - done, sizeof(buf));
		ssize_t got = getrandom(buf, n, 0);
		if (got <= 0) {
			if (got < 0 && errno == EINTR)
				continue;
			log_error("getrandom: host getrandom failed: %s", strerror(errno));
			return done ? (long)done : -EIO;
		}
		if (copy_to_user(t, a->a[0] + done, buf, (size_t)got) < 0)
			return done ? (long)done : -EFAULT;
		done += (size_t)got;
	}
	return (long)done;
}

SYSCALL_DEFINE(sysinfo, "p")
{
	struct sysinfo si;
	int64_t up = kernel_mono_ns() - kernel->boot_mono_ns;

	memset(&si, 0, sizeof(si));
	si.uptime = up / 1000000000 + (up % 1000000000 ? 1 : 0);
	/* The sandbox has no swap and no load average of its own. */
	uint64_t total, used;
	kernel_mem_usage(&total, &used);
	si.totalram = total;
	si.freeram = total - used;
	si.procs = (unsigned short)MIN(kernel->nr_tasks, 65535);
	si.mem_unit = 1;
	if (copy_to_user(t, a->a[0], &si, sizeof(si)) < 0)
		return -EFAULT;
	return 0;
}

/* ---- resource limits and usage ---------------------------------------------- */

/* check_prlimit_permission() */
static int prlimit_permission(struct task *t, struct task *target)
{
	const struct cred *c = t->cred, *tc = target->cred;

	if (target->tg == t->tg)
		return 0;
	bool id_match = c->uid == tc->euid && c->uid == tc->suid && c->uid == tc->uid &&
			c->gid == tc->egid && c->gid == tc->sgid && c->gid == tc->gid;
	if (!id_match && !cred_capable(c, CAP_SYS_RESOURCE))
		return -EPERM;
	return 0;
}

/* do_prlimit(). RLIMIT_CPU is stored but not enforced: the sentry does
 * not account CPU time as it happens. */
static int do_prlimit(struct task *t, struct thread_group *tg, unsigned resource,
		      const struct rlimit *newl, struct rlimit *oldl)
{
	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (newl) {
		if (newl->rlim_cur > newl->rlim_max)
			return -EINVAL;
		if (resource == RLIMIT_NOFILE && newl->rlim_max > KNR_OPEN)
			return -EPERM;
	}
	struct rlimit *rl = &tg->rlim[resource];
	if (newl && newl->rlim_max > rl->rlim_max && !cred_capable(t->cred, CAP_SYS_RESOURCE))
		return -EPERM;
	if (oldl)
		*oldl = *rl;
	if (newl)
		*rl = *newl;
	return 0;
}

SYSCALL_DEFINE(prlimit64, "ddpp")
{
	pid_t pid = (pid_t)a->a[0];
	unsigned resource = (unsigned)a->a[1];
	struct rlimit newl, oldl;
	struct task *target = t;

	if (a->a[2] && copy_from_user(t, &newl, a->a[2], sizeof(newl)) < 0)
		return -EFAULT;
	if (pid) {
		target = pid_lookup(pid);
		if (!target || target->state == TASK_DEAD || !target->cred)
			return -ESRCH;
		int err = prlimit_permission(t, target);
		if (err)
			return err;
	}
	int err = do_prlimit(t, target->tg, resource, a->a[2] ? &newl : NULL, a->a[3] ? &oldl : NULL);
	if (!err && a->a[3] && copy_to_user(t, a->a[3], &oldl, sizeof(oldl)) < 0)
		return -EFAULT;
	return err;
}

SYSCALL_DEFINE(getrlimit, "dp")
{
	struct rlimit rl;
	int err = do_prlimit(t, t->tg, (unsigned)a->a[0], NULL, &rl);
	if (err)
		return err;
	return copy_to_user(t, a->a[1], &rl, sizeof(rl)) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(setrlimit, "dp")
{
	struct rlimit rl;
	if (copy_from_user(t, &rl, a->a[1], sizeof(rl)) < 0)
		return -EFAULT;
	return do_prlimit(t, t->tg, (unsigned)a->a[0], &rl, NULL);
}

static struct timeval ns_to_timeval(uint64_t ns)
{
	return (struct timeval){ .tv_sec = (time_t)(ns / 1000000000ULL),
				 .tv_usec = (suseconds_t)(ns % 1000000000ULL / 1000) };
}

/* Times come from the process's accounting (a thread's are its process's);
 * counters the sentry does not keep (faults, context switches, maxrss)
 * read 0. */
SYSCALL_DEFINE(getrusage, "dp")
{
	int who = (int)a->a[0];
	struct rusage ru;
	struct thread_group *tg = t->tg;

	memset(&ru, 0, sizeof(ru));
	tg_update_cputime(tg);
	switch (who) {
	case RUSAGE_SELF:
	case RUSAGE_THREAD:
		ru.ru_utime = ns_to_timeval(tg->utime_ns);
		ru.ru_stime = ns_to_timeval(tg->stime_ns);
		break;
	case RUSAGE_CHILDREN:
		ru.ru_utime = ns_to_timeval(tg->cutime_ns);
		ru.ru_stime = ns_to_timeval(tg->cstime_ns);
		break;
	default:
		return -EINVAL;
	}
	return copy_to_user(t, a->a[1], &ru, sizeof(ru)) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(times, "p")
{
	struct thread_group *tg = t->tg;

	tg_update_cputime(tg);
	if (a->a[0]) {
		struct tms tms = {
			.tms_utime = ns_to_clock_t(tg->utime_ns),
			.tms_stime = ns_to_clock_t(tg->stime_ns),
			.tms_cutime = ns_to_clock_t(tg->cutime_ns),
			.tms_cstime = ns_to_clock_t(tg->cstime_ns),
		};
		if (copy_to_user(t, a->a[0], &tms, sizeof(tms)) < 0)
			return -EFAULT;
	}
	/* Clock ticks since the sandbox booted. */
	return ns_to_clock_t((uint64_t)(kernel_mono_ns() - kernel->boot_mono_ns));
}

/* ---- personality, prctl ------------------------------------------------------ */

/* Flags whose effect the sandbox provides: UNAME26 in uname; the sandbox
 * does not randomize its layout, so ADDR_NO_RANDOMIZE holds trivially. */
#define PERSONALITY_OK_FLAGS (UNAME26 | ADDR_NO_RANDOMIZE)

SYSCALL_DEFINE(personality, "x")
{
	unsigned int p = (unsigned int)a->a[0];
	unsigned int old = t->tg->personality;

	if (p == 0xffffffff)
		return old;
	if ((p & PER_MASK) != PER_LINUX || (p & ~(PER_MASK | PERSONALITY_OK_FLAGS))) {
		char key[40];
		snprintf(key, sizeof(key), "personality-%#x", p);
		log_once(key, "personality(%#x): unsupported execution domain or flags", p);
		return -EINVAL;
	}
	t->tg->personality = p;
	return old;
}

static int prctl_set_name(struct task *t, uint64_t uname)
{
	char comm[16];
	long n = strncpy_from_user(t, comm, uname, sizeof(comm));

	if (n == -ENAMETOOLONG) {
		/* Longer names are cut to 15 bytes, as Linux does. */
		if (copy_from_user(t, comm, uname, sizeof(comm) - 1) < 0)
			return -EFAULT;
		comm[sizeof(comm) - 1] = 0;
	} else if (n < 0) {
		return -EFAULT;
	}
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, comm, strnlen(comm, sizeof(t->comm) - 1));
	return 0;
}

static long put_int(struct task *t, uint64_t uaddr, int v)
{
	return copy_to_user(t, uaddr, &v, sizeof(v)) < 0 ? -EFAULT : 0;
}

static long prctl_cap_ambient(struct task *t, const struct syscall_args *a)
{
	uint64_t op = a->a[1], cap = a->a[2];
	const struct cred *o = t->cred;

	if (op == PR_CAP_AMBIENT_CLEAR_ALL) {
		if (a->a[2] || a->a[3] || a->a[4])
			return -EINVAL;
		struct cred *n = cred_prepare(t);
		n->cap_ambient = 0;
		cred_commit(t, n);
		return 0;
	}
	if (cap > CAP_LAST_CAP || a->a[3] || a->a[4])
		return -EINVAL;
	if (op == PR_CAP_AMBIENT_IS_SET)
		return (o->cap_ambient >> cap) & 1;
	if (op != PR_CAP_AMBIENT_RAISE && op != PR_CAP_AMBIENT_LOWER)
		return -EINVAL;
	if (op == PR_CAP_AMBIENT_RAISE &&
	    (!((o->cap_permitted >> cap) & 1) || !((o->cap_inheritable >> cap) & 1)))
		return -EPERM;
	struct cred *n = cred_prepare(t);
	if (op == PR_CAP_AMBIENT_RAISE)
		n->cap_ambient |= 1ULL << cap;
	else
		n->cap_ambient &= ~(1ULL << cap);
	cred_commit(t, n);
	return 0;
}

SYSCALL_DEFINE(prctl, "dxxxx")
{
	int option = (int)a->a[0];
	uint64_t arg2 = a->a[1], arg3 = a->a[2], arg4 = a->a[3], arg5 = a->a[4];

	switch (option) {
	case PR_SET_NAME:
		return prctl_set_name(t, arg2);
	case PR_GET_NAME: {
		char comm[16];
		memcpy(comm, t->comm, sizeof(comm));
		comm[sizeof(comm) - 1] = 0;
		return copy_to_user(t, arg2, comm, sizeof(comm)) < 0 ? -EFAULT : 0;
	}
	case PR_SET_PDEATHSIG:
		if (arg2 > SANDBOX_NSIG)
			return -EINVAL;
		t->pdeath_signal = (int)arg2;
		return 0;
	case PR_GET_PDEATHSIG:
		return put_int(t, arg2, t->pdeath_signal);
	case PR_GET_DUMPABLE:
		return t->tg->nondumpable ? 0 : 1;
	case PR_SET_DUMPABLE:
		if (arg2 != 0 && arg2 != 1)
			return -EINVAL;
		t->tg->nondumpable = arg2 == 0;
		return 0;
	case PR_SET_CHILD_SUBREAPER:
		t->tg->is_child_subreaper = arg2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		return put_int(t, arg2, t->tg->is_child_subreaper);
	case PR_SET_NO_NEW_PRIVS: {
		if (arg2 != 1 || arg3 || arg4 || arg5)
			return -EINVAL;
		if (!t->cred->no_new_privs) {
			struct cred *n = cred_prepare(t);
			n->no_new_privs = true;
			cred_commit(t, n);
		}
		return 0;
	}
	case PR_GET_NO_NEW_PRIVS:
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		return t->cred->no_new_privs ? 1 : 0;
	case PR_CAPBSET_READ:
		if (arg2 > CAP_LAST_CAP)
			return -EINVAL;
		return (t->cred->cap_bounding >> arg2) & 1;
	case PR_CAPBSET_DROP: {
		if (!cred_capable(t->cred, CAP_SETPCAP))
			return -EPERM;
		if (arg2 > CAP_LAST_CAP)
			return -EINVAL;
		struct cred *n = cred_prepare(t);
		n->cap_bounding &= ~(1ULL << arg2);
		cred_commit(t, n);
		return 0;
	}
	case PR_CAP_AMBIENT:
		return prctl_cap_ambient(t, a);
	case PR_GET_SECCOMP:
		/* No seccomp filter or strict mode is ever installed here. */
		return 0;
	default: {
		char key[32];
		snprintf(key, sizeof(key), "prctl-%d", option);
		log_once(key, "prctl option %d is not supported", option);
		return -EINVAL;
	}
	}
}

/* ---- scheduling ---------------------------------------------------------------- */

/* The sandbox runs on one CPU: the platform pins every stub to the
 * sentry's host CPU, so CPU 0 is the only one to report. */
#define SANDBOX_CPUMASK_SIZE 8

static struct task *sched_target(struct task *t, pid_t pid)
{
	if (!pid)
		return t;
	struct task *p = pid > 0 ? pid_lookup(pid) : NULL;
	return p && p->state != TASK_DEAD ? p : NULL;
}

SYSCALL_DEFINE(sched_getaffinity, "dup")
{
	unsigned len = (unsigned)a->a[1];
	uint64_t mask = 1;

	if (len * 8 < 1 || (len & (sizeof(long) - 1)))
		return -EINVAL;
	if ((pid_t)a->a[0] < 0 || !sched_target(t, (pid_t)a->a[0]))
		return -ESRCH;
	size_t n = MIN(len, SANDBOX_CPUMASK_SIZE);
	if (copy_to_user(t, a->a[2], &mask, n) < 0)
		return -EFAULT;
	return (long)n;
}

SYSCALL_DEFINE(sched_setaffinity, "dup")
{
	unsigned len = (unsigned)a->a[1];
	uint64_t mask = 0;
	pid_t pid = (pid_t)a->a[0];

	if (copy_from_user(t, &mask, a->a[2], MIN(len, SANDBOX_CPUMASK_SIZE)) < 0)
		return -EFAULT;
	struct task *p = pid < 0 ? NULL : sched_target(t, pid);
	if (!p)
		return -ESRCH;
	if (p->cred && t->cred->euid != p->cred->euid && t->cred->euid != p->cred->uid &&
	    !cred_capable(t->cred, CAP_SYS_NICE))
		return -EPERM;
	/* Only CPU 0 exists: the new mask must allow it. */
	if (!(mask & 1))
		return -EINVAL;
	return 0;
}

/* ---- nice values ---- */

#define MIN_NICE (-20)
#define MAX_NICE 19

struct prio_op {
	struct task *caller;
	int which, who;
	bool set;
	int nice;
	long result;  /* get: highest 20 - nice seen; set: 0 or the last error */
};

static bool prio_matches(const struct prio_op *op, struct task *p)
{
	if (p->state == TASK_DEAD || !p->cred)
		return false;
	switch (op->which) {
	case PRIO_PROCESS:
		return p->tid == op->who;
	case PRIO_PGRP:
		return p->tg->pgid == op->who;
	default:
		return p->cred->uid == (uid_t)op->who;
	}
}

/* set_one_prio() */
static void prio_apply(struct prio_op *op, struct task *p)
{
	const struct cred *c = op->caller->cred;

	if (!op->set) {
		long v = 20 - p->nice;
		if (v > op->result)
			op->result = v;
		return;
	}
	if (p->cred->uid != c->euid && p->cred->euid != c->euid && !cred_capable(c, CAP_SYS_NICE)) {
		op->result = -EPERM;
		return;
	}
	/* Raising priority needs RLIMIT_NICE room (20 - nice) or CAP_SYS_NICE. */
	rlim_t room = p->tg->rlim[RLIMIT_NICE].rlim_cur;
	if (op->nice < p->nice && (rlim_t)(20 - op->nice) > room && !cred_capable(c, CAP_SYS_NICE)) {
		op->result = -EACCES;
		return;
	}
	if (op->result == -ESRCH)
		op->result = 0;
	p->nice = op->nice;
}

static int prio_scan(struct thread_group *tg, void *arg)
{
	struct prio_op *op = arg;
	struct task *p;
	list_for_each_entry(p, &tg->threads, tg_link)
		if (prio_matches(op, p))
			prio_apply(op, p);
	return 0;
}

static long do_priority(struct task *t, int which, int who, bool set, int nice)
{
	struct prio_op op = { .caller = t, .which = which, .who = who, .set = set, .nice = nice,
			      .result = -ESRCH };

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (!who) {
		if (which == PRIO_PROCESS)
			who = t->tid;
		else if (which == PRIO_PGRP)
			who = t->tg->pgid;
		else
			who = (int)t->cred->uid;
		op.who = who;
	}
	if (which == PRIO_PROCESS) {
		struct task *p = pid_lookup(who);
		if (p && prio_matches(&op, p))
			prio_apply(&op, p);
	} else {
		tg_for_each(prio_scan, &op);
	}
	return op.result;
}

/* getpriority returns 20 - nice (1..40) so it is never negative. */
SYSCALL_DEFINE(getpriority, "dd")
{
	return do_priority(t, (int)a->a[0], (int)a->a[1], false, 0);
}

SYSCALL_DEFINE(setpriority, "ddd")
{
	int nice = (int)a->a[2];
	nice = nice < MIN_NICE ? MIN_NICE : nice > MAX_NICE ? MAX_NICE : nice;
	return do_priority(t, (int)a->a[0], (int)a->a[1], true, nice);
}

SYSCALL_DEFINE(sched_yield, "")
{
	return 0;
}

SYSCALL_DEFINE(getcpu, "ppp")
{
	unsigned zero = 0;
	if (a->a[0] && copy_to_user(t, a->a[0], &zero, sizeof(zero)) < 0)
		return -EFAULT;
	if (a->a[1] && copy_to_user(t, a->a[1], &zero, sizeof(zero)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE(sched_getscheduler, "d")
{
	pid_t pid = (pid_t)a->a[0];
	if (pid < 0)
		return -EINVAL;
	if (!sched_target(t, pid))
		return -ESRCH;
	return SCHED_OTHER;
}

SYSCALL_DEFINE(sched_getparam, "dp")
{
	pid_t pid = (pid_t)a->a[0];
	struct sched_param sp = { .sched_priority = 0 };

	if (!a->a[1] || pid < 0)
		return -EINVAL;
	if (!sched_target(t, pid))
		return -ESRCH;
	return copy_to_user(t, a->a[1], &sp, sizeof(sp)) < 0 ? -EFAULT : 0;
}

SYSCALL_DEFINE(sched_get_priority_max, "d")
{
	switch ((int)a->a[0]) {
	case SCHED_FIFO:
	case SCHED_RR:
		return 99;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case 6: /* SCHED_DEADLINE */
		return 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE(sched_get_priority_min, "d")
{
	switch ((int)a->a[0]) {
	case SCHED_FIFO:
	case SCHED_RR:
		return 1;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case 6: /* SCHED_DEADLINE */
		return 0;
	default:
		return -EINVAL;
	}
}
