/* /proc/PID and /proc/PID/task/TID: a process's (or thread's) state as
 * Linux's fs/proc/base.c, array.c and task_mmu.c show it, from the
 * sentry's task, thread group, credentials, signal and mm objects. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/procfs.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/usercopy.h"

/* The thread-group directory (whole process) or a task/TID one. */
static bool whole_process(const struct pfs_inode *pi)
{
	return pi->key == 0;
}

/* ---- memory statistics ---- */

uint64_t pfs_resident_bytes(uint64_t off, uint64_t len)
{
	unsigned char vec[4096];
	uint64_t resident = 0;

	if (!kernel || !kernel->mf || !kernel->mf->base)
		return 0;
	/* The memory file's pages that exist are the ones ever touched:
	 * mincore on the sentry's own shared mapping of the memfd asks the
	 * host's page cache of it. */
	while (len > 0) {
		uint64_t chunk = MIN(len, (uint64_t)sizeof(vec) * PAGE_SIZE);

		if (mincore(memfile_ptr(kernel->mf, off), chunk, vec) < 0)
			break;
		for (uint64_t i = 0; i < chunk / PAGE_SIZE; i++)
			resident += vec[i] & 1;
		off += chunk;
		len -= chunk;
	}
	return resident * PAGE_SIZE;
}

struct mm_stats {
	uint64_t vm, rss, rss_anon, rss_file, rss_shmem;
	uint64_t data, stack, exec;
	uint64_t start_code, end_code;
};

static uint64_t vma_rss(const struct vma *v)
{
	if (!v->range)
		return 0;
	/* Pages borrowed copy-on-write after fork count in every borrower's
	 * RSS, as Linux counts a shared anonymous page in each process. */
	uint64_t borrowed, shared, pss;
	mm_vma_cow_usage(v, &borrowed, &shared, &pss);
	return pfs_resident_bytes(v->range->off + v->range_off, v->end - v->start) + borrowed;
}

static void mm_stats(struct mm *mm, struct mm_stats *s)
{
	struct vma *v;

	memset(s, 0, sizeof(*s));
	if (!mm)
		return;
	s->vm = mm->total_vm;
	list_for_each_entry(v, &mm->vmas, link) {
		uint64_t len = v->end - v->start, rss = vma_rss(v);

		s->rss += rss;
		if (v->file)
			s->rss_file += rss;
		else if (v->flags & VMA_SHARED)
			s->rss_shmem += rss;
		else
			s->rss_anon += rss;
		if (v->flags & (VMA_STACK | VMA_GROWSDOWN))
			s->stack += len;
		else if ((v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED))
			s->data += len;
		if ((v->prot & PROT_EXEC) && !(v->prot & PROT_WRITE)) {
			/* The program's text: the first executable mapping. */
			s->exec += len;
			if (!s->end_code) {
				s->start_code = v->start;
				s->end_code = v->end;
			}
		}
	}
}

/* ---- stat, statm, status ---- */

static char task_state_char(const struct task *t)
{
	if (t->tg->zombie || t->state == TASK_DEAD)
		return 'Z';
	if (t->state == TASK_STOPPED || t->tg->stopped)
		return 'T';
	if (t->state == TASK_BLOCKED)
		return 'S';
	return 'R';
}

static const char *task_state_name(char c)
{
	switch (c) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'T': return "T (stopped)";
	default: return "Z (zombie)";
	}
}

static pid_t tg_ppid(const struct thread_group *tg)
{
	return tg->parent ? tg->parent->tgid : 0;
}

static ksigset_t sigset_of(const struct task *t, int which)
{
	ksigset_t m = 0;

	if (!t->sighand)
		return 0;
	for (int s = 1; s <= SANDBOX_NSIG; s++) {
		uint64_t h = t->sighand->action[s - 1].handler;

		if ((which == 0 && h == (uint64_t)(uintptr_t)SIG_IGN) || (which == 1 && h > 1))
			m |= SIGMASK(s);
	}
	return m;
}

static int show_stat(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct task *t = pfs_task(pi);
	struct thread_group *tg = t->tg;
	bool permitted = pfs_ptrace_may_access(r, t, false) == 0;
	struct mm *mm = t->mm;
	struct mm_stats ms;
	int exit_signal = (whole_process(pi) || t == tg->leader) ? tg->exit_signal : -1;

	mm_stats(mm, &ms);
	tg_update_cputime(tg);
	sbuf_printf(out, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 ", pi->tid, t->comm, task_state_char(t),
		    tg_ppid(tg), tg->pgid, tg->sid);
	sbuf_printf(out, "%llu %llu %llu %llu ", (unsigned long long)ns_to_clock_t(tg->utime_ns),
		    (unsigned long long)ns_to_clock_t(tg->stime_ns),
		    (unsigned long long)ns_to_clock_t(tg->cutime_ns),
		    (unsigned long long)ns_to_clock_t(tg->cstime_ns));
	sbuf_printf(out, "%d %d %d 0 %llu %llu %llu %llu ", 20 + t->nice, t->nice, tg->nr_threads,
		    (unsigned long long)ns_to_clock_t((uint64_t)(tg->start_time_mono - kernel->boot_mono_ns)),
		    (unsigned long long)ms.vm, (unsigned long long)(ms.rss / PAGE_SIZE),
		    (unsigned long long)tg->rlim[RLIMIT_RSS].rlim_cur);
	/* Addresses only for who may ptrace the process, as Linux. */
	if (mm)
		sbuf_printf(out, "%llu %llu %llu ", permitted ? (unsigned long long)ms.start_code : 1ULL,
			    permitted ? (unsigned long long)ms.end_code : 1ULL,
			    permitted ? (unsigned long long)mm->stack_top : 0ULL);
	else
		sbuf_puts(out, "0 0 0 ");
	sbuf_printf(out, "0 0 %llu %llu %llu %llu 0 0 0 %d 0 0 0 0 0 0 ",
		    (unsigned long long)(t->pending.mask | tg->shared_pending.mask),
		    (unsigned long long)t->blocked, (unsigned long long)sigset_of(t, 0),
		    (unsigned long long)sigset_of(t, 1), exit_signal);
	if (mm && permitted)
		sbuf_printf(out, "0 0 %llu %llu %llu %llu %llu ", (unsigned long long)mm->brk_start,
			    (unsigned long long)mm->arg_start, (unsigned long long)mm->arg_end,
			    (unsigned long long)mm->env_start, (unsigned long long)mm->env_end);
	else
		sbuf_puts(out, "0 0 0 0 0 0 0 ");
	sbuf_printf(out, "%d\n", permitted && tg->zombie ? tg->group_exit_status : 0);
	return 0;
}

static int show_statm(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct task *t = pfs_task(pi);
	struct mm_stats ms;

	mm_stats(t->mm, &ms);
	sbuf_printf(out, "%llu %llu %llu %llu 0 %llu 0\n", (unsigned long long)(ms.vm / PAGE_SIZE),
		    (unsigned long long)(ms.rss / PAGE_SIZE),
		    (unsigned long long)((ms.rss_file + ms.rss_shmem) / PAGE_SIZE),
		    (unsigned long long)(ms.exec / PAGE_SIZE),
		    (unsigned long long)((ms.data + ms.stack) / PAGE_SIZE));
	return 0;
}

static void put_escaped_comm(struct sbuf *out, const char *comm)
{
	for (const char *p = comm; *p; p++) {
		if (*p == '\n')
			sbuf_puts(out, "\\n");
		else if (*p == '\\')
			sbuf_puts(out, "\\\\");
		else
			sbuf_write(out, p, 1);
	}
}

static int count_queued(const struct sigpending *p)
{
	const struct list_head *l;
	int n = 0;

	for (l = p->queue.next; l != &p->queue; l = l->next)
		n++;
	return n;
}

/* A memory line of status: "VmRSS:\t    2184 kB". Unlike meminfo's,
 * the name ends with a tab, and procps's parser stops at a line whose
 * colon is not followed by one. */
static void status_kb(struct sbuf *out, const char *name, uint64_t kb)
{
	sbuf_printf(out, "%s:\t%8llu kB\n", name, (unsigned long long)kb);
}

static int show_status(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct task *t = pfs_task(pi);
	struct thread_group *tg = t->tg;
	const struct cred *c = t->cred;
	char state = task_state_char(t);

	sbuf_puts(out, "Name:\t");
	put_escaped_comm(out, t->comm);
	sbuf_puts(out, "\n");
	if (t->fs)
		sbuf_printf(out, "Umask:\t%04o\n", t->fs->umask);
	sbuf_printf(out, "State:\t%s\n", task_state_name(state));
	sbuf_printf(out, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", tg->tgid, pi->tid,
		    tg_ppid(tg));
	if (c) {
		sbuf_printf(out, "Uid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid, c->suid, c->fsuid);
		sbuf_printf(out, "Gid:\t%u\t%u\t%u\t%u\n", c->gid, c->egid, c->sgid, c->fsgid);
	}
	sbuf_printf(out, "FDSize:\t%d\nGroups:\t", t->files ? t->files->size : 0);
	for (int i = 0; c && i < c->ngroups; i++)
		sbuf_printf(out, i ? " %u" : "%u", c->groups[i]);
	/* Linux ends the list with a space, groups or not. */
	sbuf_printf(out, " \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", tg->tgid, pi->tid, tg->pgid,
		    tg->sid);
	if (t->mm) {
		struct mm_stats ms;

		mm_stats(t->mm, &ms);
		/* The sandbox keeps no high-water marks: peaks are the
		 * current values. */
		status_kb(out, "VmPeak", ms.vm >> 10);
		status_kb(out, "VmSize", ms.vm >> 10);
		status_kb(out, "VmLck", 0);
		status_kb(out, "VmPin", 0);
		status_kb(out, "VmHWM", ms.rss >> 10);
		status_kb(out, "VmRSS", ms.rss >> 10);
		status_kb(out, "RssAnon", ms.rss_anon >> 10);
		status_kb(out, "RssFile", ms.rss_file >> 10);
		status_kb(out, "RssShmem", ms.rss_shmem >> 10);
		status_kb(out, "VmData", ms.data >> 10);
		status_kb(out, "VmStk", ms.stack >> 10);
		status_kb(out, "VmExe", ms.exec >> 10);
		status_kb(out, "VmLib", 0);
		status_kb(out, "VmPTE", 0);
		status_kb(out, "VmSwap", 0);
		status_kb(out, "HugetlbPages", 0);
	}
	sbuf_printf(out, "CoreDumping:\t0\nThreads:\t%d\n", tg->nr_threads);
	sbuf_printf(out, "SigQ:\t%d/%llu\n", count_queued(&t->pending) + count_queued(&tg->shared_pending),
		    (unsigned long long)tg->rlim[RLIMIT_SIGPENDING].rlim_cur);
	sbuf_printf(out, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		    (unsigned long long)t->pending.mask, (unsigned long long)tg->shared_pending.mask,
		    (unsigned long long)t->blocked, (unsigned long long)sigset_of(t, 0),
		    (unsigned long long)sigset_of(t, 1));
	if (c) {
		sbuf_printf(out, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\nCapAmb:\t%016llx\n",
			    (unsigned long long)c->cap_inheritable, (unsigned long long)c->cap_permitted,
			    (unsigned long long)c->cap_effective, (unsigned long long)c->cap_bounding,
			    (unsigned long long)c->cap_ambient);
		sbuf_printf(out, "NoNewPrivs:\t%d\n", c->no_new_privs ? 1 : 0);
	}
	sbuf_printf(out, "Seccomp:\t0\n");
	sbuf_printf(out, "Cpus_allowed:\t%x\nCpus_allowed_list:\t0", (1u << SANDBOX_NR_CPUS) - 1);
	if (SANDBOX_NR_CPUS > 1)
		sbuf_printf(out, "-%d", SANDBOX_NR_CPUS - 1);
	sbuf_puts(out, "\nMems_allowed:\t1\nMems_allowed_list:\t0\n");
	sbuf_puts(out, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

/* ---- command line, environment, auxv, mem ---- */

/* Reads [start, end) of t's memory (what is readable of it). */
static void put_user_range(struct sbuf *out, struct mm *mm, uint64_t start, uint64_t end)
{
	char buf[4096];

	while (start < end) {
		size_t n = (size_t)MIN((uint64_t)sizeof(buf), end - start);

		if (mm_copy_from(mm, buf, start, n) < 0)
			return;
		sbuf_write(out, buf, n);
		start += n;
	}
}

/* get_mm_cmdline(): the argument strings; when the program overwrote the
 * final NUL (setproctitle), the text runs on into the environment up to
 * the first NUL. */
static int show_cmdline(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct task *t = pfs_task(pi);
	struct mm *mm = t->mm;

	if (!mm || !mm->arg_end || mm->arg_end <= mm->arg_start)
		return 0;
	put_user_range(out, mm, mm->arg_start, mm->arg_end);
	if (out->len && out->buf[out->len - 1] != '\0') {
		size_t first = strnlen(out->buf, out->len);

		if (first < out->len) {
			out->len = first;
		} else {
			size_t was = out->len;

			put_user_range(out, mm, mm->env_start, mm->env_end);
			out->len = was + strnlen(out->buf + was, out->len - was);
		}
	}
	return 0;
}

static int show_environ(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct task *t = pfs_task(pi);

	if (t->mm && t->mm->env_end > t->mm->env_start)
		put_user_range(out, t->mm, t->mm->env_start, t->mm->env_end);
	return 0;
}

static int show_auxv(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct task *t = pfs_task(pi);

	if (t->mm)
		sbuf_write(out, t->mm->auxv, (size_t)t->mm->auxv_len * sizeof(uint64_t));
	return 0;
}

/* mem_rw(): the bytes at pos in the process's memory, page by page; EIO
 * when not even the first can be reached. */
static ssize_t mem_read(struct task *r, struct pfs_inode *pi, void *buf, size_t len, int64_t pos)
{
	struct task *t = pfs_task(pi);
	uint64_t addr = (uint64_t)pos;
	size_t done = 0;

	if (!t->mm)
		return 0;
	while (done < len) {
		size_t n = MIN(len - done, PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1)));

		if (mm_copy_from(t->mm, (char *)buf + done, addr + done, n) < 0)
			break;
		done += n;
	}
	return done ? (ssize_t)done : -EIO;
}

static ssize_t mem_write(struct task *r, struct pfs_inode *pi, const void *buf, size_t len, int64_t pos)
{
	struct task *t = pfs_task(pi);
	uint64_t addr = (uint64_t)pos;
	size_t done = 0;

	if (!t->mm)
		return 0;
	while (done < len) {
		size_t n = MIN(len - done, PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1)));
		struct vma *v = mm_find_vma(t->mm, addr + done);

		/* FOLL_FORCE: a debugger writes read-only private text too,
		 * but never through a read-only shared mapping. */
		if (!v || ((v->flags & VMA_SHARED) && !(v->prot & PROT_WRITE)))
			break;
		if (mm_copy_to(t->mm, addr + done, (const char *)buf + done, n, 1) < 0)
			break;
		done += n;
	}
	return done ? (ssize_t)done : -EIO;
}

/* ---- comm, limits, cgroup, oom_score_adj, personality ---- */

static int show_comm(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_printf(out, "%s\n", pfs_task(pi)->comm);
	return 0;
}

/* comm_write(): the first 15 bytes as they are (a trailing newline
 * included), only from within the same process. */
static ssize_t write_comm(struct task *w, struct pfs_inode *pi, const char *buf, size_t len)
{
	struct task *t = pfs_task(pi);
	char comm[sizeof(t->comm)] = { 0 };

	memcpy(comm, buf, MIN(len, sizeof(comm) - 1));
	if (!w || w->tg != t->tg)
		return -EINVAL;
	memcpy(t->comm, comm, sizeof(comm));
	return (ssize_t)len;
}

static const struct {
	const char *name, *unit;
} rlimit_names[RLIM_NLIMITS] = {
	{ "Max cpu time", "seconds" },      { "Max file size", "bytes" },
	{ "Max data size", "bytes" },       { "Max stack size", "bytes" },
	{ "Max core file size", "bytes" },  { "Max resident set", "bytes" },
	{ "Max processes", "processes" },   { "Max open files", "files" },
	{ "Max locked memory", "bytes" },   { "Max address space", "bytes" },
	{ "Max file locks", "locks" },      { "Max pending signals", "signals" },
	{ "Max msgqueue size", "bytes" },   { "Max nice priority", NULL },
	{ "Max realtime priority", NULL },  { "Max realtime timeout", "us" },
};

static int show_limits(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct thread_group *tg = pfs_task(pi)->tg;

	sbuf_printf(out, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		const struct rlimit *l = &tg->rlim[i];

		if (l->rlim_cur == RLIM_INFINITY)
			sbuf_printf(out, "%-25s %-20s ", rlimit_names[i].name, "unlimited");
		else
			sbuf_printf(out, "%-25s %-20llu ", rlimit_names[i].name,
				    (unsigned long long)l->rlim_cur);
		if (l->rlim_max == RLIM_INFINITY)
			sbuf_printf(out, "%-20s ", "unlimited");
		else
			sbuf_printf(out, "%-20llu ", (unsigned long long)l->rlim_max);
		if (rlimit_names[i].unit)
			sbuf_printf(out, "%-10s", rlimit_names[i].unit);
		sbuf_puts(out, "\n");
	}
	return 0;
}

/* One cgroup v2 hierarchy whose root is the container's (as a runtime
 * with a private cgroup namespace shows it). */
static int show_cgroup(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_puts(out, "0::/\n");
	return 0;
}

static int show_oom_score_adj(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_printf(out, "%d\n", pfs_task(pi)->tg->oom_score_adj);
	return 0;
}

/* oom_score_adj_write(): an integer in [-1000, 1000]; going below the
 * floor needs CAP_SYS_RESOURCE, whose holders also set the floor. */
static ssize_t write_oom_score_adj(struct task *w, struct pfs_inode *pi, const char *buf, size_t len)
{
	struct thread_group *tg = pfs_task(pi)->tg;
	char num[13] = { 0 };
	char *end, *s;
	long v;

	len = MIN(len, sizeof(num) - 1);
	memcpy(num, buf, len);
	for (s = num; *s == ' ' || *s == '\t' || *s == '\n'; s++)
		;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
		*--end = '\0';
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < -1000 || v > 1000)
		return -EINVAL;
	bool privileged = w && cred_capable(w->cred, CAP_SYS_RESOURCE);

	if (v < tg->oom_score_adj_min && !privileged)
		return -EACCES;
	tg->oom_score_adj = (int)v;
	if (privileged)
		tg->oom_score_adj_min = (int)v;
	return (ssize_t)len;
}

static int show_personality(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_printf(out, "%08x\n", pfs_task(pi)->tg->personality);
	return 0;
}

static int show_mounts(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return procfs_show_mounts(pfs_task(pi), out);
}

static int show_mountinfo(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return procfs_show_mountinfo(pfs_task(pi), out);
}

/* ---- maps and smaps ---- */

static void put_vma_header(struct sbuf *out, struct task *r, const struct vma *v)
{
	size_t start = out->len;
	char path[PATH_MAX];
	const char *name = NULL;
	uint64_t ino = 0;
	unsigned int maj = 0, min = 0;

	if (v->file) {
		struct stat st;

		if (vfs_fstat(v->file, &st) == 0) {
			ino = st.st_ino;
			maj = major(st.st_dev);
			min = minor(st.st_dev);
		}
		if (v->file->path.dentry &&
		    d_path_ex(&v->file->path, r && r->fs ? &r->fs->root : NULL, path, sizeof(path), NULL) >= 0)
			name = path;
	} else if (v->name) {
		name = v->name;
	} else if (v->flags & VMA_HEAP) {
		name = "[heap]";
	} else if (v->flags & VMA_STACK) {
		name = "[stack]";
	}
	sbuf_printf(out, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ", (unsigned long long)v->start,
		    (unsigned long long)v->end, (v->prot & PROT_READ) ? 'r' : '-',
		    (v->prot & PROT_WRITE) ? 'w' : '-', (v->prot & PROT_EXEC) ? 'x' : '-',
		    (v->flags & VMA_SHARED) ? 's' : 'p', (unsigned long long)(v->file ? v->file_off : 0), maj,
		    min, (unsigned long long)ino);
	if (name) {
		/* seq_pad(): the name starts at column 73. */
		while (out->len - start < 25 + sizeof(void *) * 6 - 1)
			sbuf_puts(out, " ");
		sbuf_puts(out, " ");
		sbuf_puts(out, name);
	}
	sbuf_puts(out, "\n");
}

/* The vDSO's mappings ([vvar], [vdso]...) are the platform's, above every
 * VMA (Linux's special mappings: no file, offset 0). As a VMA for the
 * header; cleared by the caller. */
static bool vdso_area_vma(int i, struct vma *v)
{
	const struct platform_vdso *vd = kernel_vdso();

	if (!vd || i >= vd->nareas)
		return false;
	memset(v, 0, sizeof(*v));
	v->start = vd->areas[i].start;
	v->end = vd->areas[i].end;
	v->prot = vd->areas[i].prot;
	v->name = (char *)vd->areas[i].name;
	return true;
}

static int show_maps(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct task *t = pfs_task(pi);
	struct vma *v, special;

	if (!t->mm)
		return 0;
	list_for_each_entry(v, &t->mm->vmas, link)
		put_vma_header(out, r, v);
	for (int i = 0; vdso_area_vma(i, &special); i++)
		put_vma_header(out, r, &special);
	return 0;
}

static void put_smaps(struct sbuf *out, struct task *r, const struct vma *v)
{
	uint64_t size = (v->end - v->start) >> 10, rss = vma_rss(v) >> 10;
	bool shared = (v->flags & VMA_SHARED) && v->range && v->range->refcount > 1;
	uint64_t pss = shared ? rss / (uint64_t)v->range->refcount : rss;
	uint64_t cow_borrowed, cow_shared, cow_pss, shared_dirty = shared ? rss : 0;
	mm_vma_cow_usage(v, &cow_borrowed, &cow_shared, &cow_pss);
	if (cow_borrowed) {
		/* Copy-on-write pages still shared with other processes
		 * are shared dirty; Pss divides them among the sharers. */
		pss = rss - (cow_borrowed >> 10) + (cow_pss >> 10);
		shared_dirty = cow_shared >> 10;
	}

	put_vma_header(out, r, v);
	sbuf_put_kb(out, "Size:", size);
	sbuf_put_kb(out, "KernelPageSize:", PAGE_SIZE >> 10);
	sbuf_put_kb(out, "MMUPageSize:", PAGE_SIZE >> 10);
	sbuf_put_kb(out, "Rss:", rss);
	sbuf_put_kb(out, "Pss:", pss);
	sbuf_put_kb(out, "Shared_Clean:", 0);
	sbuf_put_kb(out, "Shared_Dirty:", shared_dirty);
	sbuf_put_kb(out, "Private_Clean:", 0);
	sbuf_put_kb(out, "Private_Dirty:", rss - shared_dirty);
	sbuf_put_kb(out, "Referenced:", rss);
	sbuf_put_kb(out, "Anonymous:", v->file || (v->flags & VMA_SHARED) ? 0 : rss);
	sbuf_put_kb(out, "LazyFree:", 0);
	sbuf_put_kb(out, "AnonHugePages:", 0);
	sbuf_put_kb(out, "ShmemPmdMapped:", 0);
	sbuf_put_kb(out, "Shared_Hugetlb:", 0);
	sbuf_put_kb(out, "Private_Hugetlb:", 0);
	sbuf_put_kb(out, "Swap:", 0);
	sbuf_put_kb(out, "SwapPss:", 0);
	sbuf_put_kb(out, "Locked:", 0);
	sbuf_puts(out, "VmFlags:");
	if (v->prot & PROT_READ)
		sbuf_puts(out, " rd");
	if (v->prot & PROT_WRITE)
		sbuf_puts(out, " wr");
	if (v->prot & PROT_EXEC)
		sbuf_puts(out, " ex");
	if (v->flags & VMA_SHARED)
		sbuf_puts(out, " sh");
	sbuf_puts(out, " mr mw me");
	if (v->flags & VMA_SHARED)
		sbuf_puts(out, " ms");
	if (v->flags & VMA_GROWSDOWN)
		sbuf_puts(out, " gd");
	if (!(v->flags & VMA_SHARED) && (v->prot & PROT_WRITE))
		sbuf_puts(out, " ac");
	sbuf_puts(out, " \n");
}

static int show_smaps(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct task *t = pfs_task(pi);
	struct vma *v, special;

	if (!t->mm)
		return 0;
	list_for_each_entry(v, &t->mm->vmas, link)
		put_smaps(out, r, v);
	for (int i = 0; vdso_area_vma(i, &special); i++)
		put_smaps(out, r, &special);
	return 0;
}

/* ---- exe, cwd, root ---- */

static int task_path(struct task *t, struct pfs_inode *pi, int which, struct path *out)
{
	struct task *target = pfs_task(pi);
	const struct path *p = NULL;

	if (pfs_ptrace_may_access(t, target, false) < 0)
		return -EACCES;
	if (which == 0 && target->mm && target->mm->exe_file && target->mm->exe_file->path.dentry)
		p = &target->mm->exe_file->path;
	else if (which == 1 && target->fs)
		p = &target->fs->cwd;
	else if (which == 2 && target->fs)
		p = &target->fs->root;
	if (!p)
		return -ENOENT;
	*out = *p;
	path_get(out);
	return 0;
}

/* What readlink shows for p: its path from the reader's root. */
int procfs_path_text(struct task *reader, const struct path *p, char *buf, size_t len)
{
	char tmp[PATH_MAX];
	int n = d_path_ex(p, reader && reader->fs ? &reader->fs->root : NULL, tmp, sizeof(tmp), NULL);

	if (n < 0)
		return n;
	n = (int)MIN((size_t)n, len);
	memcpy(buf, tmp, (size_t)n);
	return n;
}

#define TASK_LINK(fname, which)                                                                   \
	static int fname##_get_link(struct task *t, struct pfs_inode *pi, const struct path *link, \
				    struct path *out)                                              \
	{                                                                                          \
		return task_path(t, pi, which, out);                                               \
	}                                                                                          \
	static int fname##_readlink(struct task *t, struct pfs_inode *pi, char *buf, size_t len)   \
	{                                                                                          \
		struct path p;                                                                     \
		int rc = task_path(t, pi, which, &p);                                              \
		if (rc < 0)                                                                        \
			return rc;                                                                 \
		rc = procfs_path_text(t, &p, buf, len);                                            \
		path_put(&p);                                                                      \
		return rc;                                                                         \
	}

TASK_LINK(exe, 0)
TASK_LINK(cwd, 1)
TASK_LINK(root, 2)

/* ---- task/ ---- */

static int tid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static const struct pfs_entry procfs_tid_dir = {
	.name = "", .mode = S_IFDIR | 0555, .children = procfs_tid_entries,
};

/* Threads that exited are not listed (Linux releases them); the leader
 * stays while the process lives. */
static bool thread_listed(const struct task *t)
{
	return t->state != TASK_DEAD || t == t->tg->leader;
}

static int task_dir_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct task *t = pfs_task(PFS_I(dir)), *th;
	struct pfs_inode pi = { 0 };
	pid_t tid = pfs_parse_decimal(name);

	th = tid > 0 ? pid_lookup(tid) : NULL;
	if (!th || th->tg != t->tg || !thread_listed(th))
		return -ENOENT;
	pfs_pid_identity(&pi, th, true);
	*out = pfs_new_inode(dir->sb, &procfs_tid_dir, &pi);
	return 0;
}

static int task_dir_iterate(struct inode *dir, struct dir_context *ctx)
{
	struct task *t = pfs_task(PFS_I(dir)), *th;
	pid_t *tids = xmalloc(sizeof(pid_t) * (size_t)(t->tg->nr_threads + 1));
	int n = 0, cap = t->tg->nr_threads + 1;

	list_for_each_entry(th, &t->tg->threads, tg_link) {
		if (!thread_listed(th))
			continue;
		if (n == cap) {
			cap *= 2;
			tids = xrealloc(tids, sizeof(pid_t) * (size_t)cap);
		}
		tids[n++] = th->tid;
	}
	qsort(tids, (size_t)n, sizeof(pid_t), tid_cmp);
	for (int i = 0; i < n; i++) {
		struct pfs_inode pi = { 0 };
		char name[16];
		int len;

		if (tids[i] < ctx->pos - PFS_DYN_POS)
			continue;
		pfs_pid_identity(&pi, pid_lookup(tids[i]), true);
		len = snprintf(name, sizeof(name), "%d", tids[i]);
		if (!ctx->actor(ctx, name, len, PFS_DYN_POS + tids[i] + 1, pfs_ino(&procfs_tid_dir, &pi), DT_DIR))
			break;
		ctx->pos = PFS_DYN_POS + tids[i] + 1;
	}
	free(tids);
	return 0;
}

static const struct pfs_dir_ops task_dir_ops = {
	.lookup = task_dir_lookup,
	.iterate = task_dir_iterate,
};

/* ---- the tables ---- */

#define R 0444
#define PID_COMMON_ENTRIES                                                                         \
	{ .name = "auxv", .mode = S_IFREG | 0400, .flags = PFS_PTRACE_OPEN, .show = show_auxv },   \
	{ .name = "cgroup", .mode = S_IFREG | R, .show = show_cgroup },                            \
	{ .name = "cmdline", .mode = S_IFREG | R, .show = show_cmdline },                          \
	{ .name = "comm", .mode = S_IFREG | 0644, .show = show_comm, .write = write_comm },        \
	{ .name = "cwd", .mode = S_IFLNK | 0777, .get_link = cwd_get_link, .readlink = cwd_readlink }, \
	{ .name = "environ", .mode = S_IFREG | 0400, .flags = PFS_PTRACE_OPEN, .show = show_environ }, \
	{ .name = "exe", .mode = S_IFLNK | 0777, .get_link = exe_get_link, .readlink = exe_readlink }, \
	{ .name = "fd", .mode = S_IFDIR | 0500, .dyn = &procfs_fd_dir_ops },                       \
	{ .name = "fdinfo", .mode = S_IFDIR | 0500, .dyn = &procfs_fdinfo_dir_ops },               \
	{ .name = "limits", .mode = S_IFREG | R, .show = show_limits },                            \
	{ .name = "maps", .mode = S_IFREG | R, .flags = PFS_PTRACE_OPEN, .show = show_maps },      \
	{ .name = "mem", .mode = S_IFREG | 0600, .flags = PFS_PTRACE_ATTACH, .raw_read = mem_read, \
	  .raw_write = mem_write },                                                                \
	{ .name = "mountinfo", .mode = S_IFREG | R, .show = show_mountinfo },                      \
	{ .name = "mounts", .mode = S_IFREG | R, .show = show_mounts },                            \
	{ .name = "ns", .mode = S_IFDIR | 0511, .children = procfs_ns_entries },                   \
	{ .name = "oom_score_adj", .mode = S_IFREG | 0644, .show = show_oom_score_adj,            \
	  .write = write_oom_score_adj },                                                          \
	{ .name = "personality", .mode = S_IFREG | 0400, .flags = PFS_PTRACE_OPEN,                 \
	  .show = show_personality },                                                              \
	{ .name = "root", .mode = S_IFLNK | 0777, .get_link = root_get_link, .readlink = root_readlink }, \
	{ .name = "smaps", .mode = S_IFREG | R, .flags = PFS_PTRACE_OPEN, .show = show_smaps },    \
	{ .name = "stat", .mode = S_IFREG | R, .show = show_stat },                                \
	{ .name = "statm", .mode = S_IFREG | R, .show = show_statm },                              \
	{ .name = "status", .mode = S_IFREG | R, .show = show_status }

const struct pfs_entry procfs_tgid_entries[] = {
	PID_COMMON_ENTRIES,
	{ .name = "task", .mode = S_IFDIR | 0555, .dyn = &task_dir_ops },
	{ 0 },
};

const struct pfs_entry procfs_tid_entries[] = {
	PID_COMMON_ENTRIES,
	{ 0 },
};
