/* The sandbox's pid namespace: pid -> task, open addressing. A process's
 * pid stays allocated while it is a zombie, as in Linux. */
#include <errno.h>
#include <stdlib.h>

#include "runsc/util.h"
#include "sentry/kernel.h"

#define PID_MAX 32768

struct pidtable {
	struct task **slots; /* index = pid; PID_MAX is small enough */
	pid_t high;          /* highest pid ever used: bounds the scans */
};

static struct pidtable *table(void)
{
	if (!kernel->pid_table) {
		struct pidtable *pt = xzalloc(sizeof(*pt));
		pt->slots = xzalloc(PID_MAX * sizeof(*pt->slots));
		kernel->pid_table = pt;
	}
	return kernel->pid_table;
}

pid_t pid_alloc(void)
{
	struct pidtable *pt = table();
	for (int i = 0; i < PID_MAX - 1; i++) {
		pid_t pid = kernel->last_pid + 1;
		if (pid >= PID_MAX)
			pid = 2; /* pid 1 is never reused: it is init */
		if (kernel->last_pid == 0)
			pid = 1;
		kernel->last_pid = pid;
		if (!pt->slots[pid])
			return pid;
	}
	return -EAGAIN;
}

int pid_insert(pid_t pid, struct task *t)
{
	struct pidtable *pt = table();
	if (pid <= 0 || pid >= PID_MAX || pt->slots[pid])
		return -EEXIST;
	pt->slots[pid] = t;
	if (pid > pt->high)
		pt->high = pid;
	return 0;
}

void pid_remove(pid_t pid)
{
	if (pid > 0 && pid < PID_MAX)
		table()->slots[pid] = NULL;
}

struct task *pid_lookup(pid_t pid)
{
	if (pid <= 0 || pid >= PID_MAX)
		return NULL;
	return table()->slots[pid];
}

struct thread_group *tg_lookup(pid_t tgid)
{
	struct task *t = pid_lookup(tgid);
	if (!t || t->tg->tgid != tgid || t->tg->reaped)
		return NULL;
	return t->tg;
}

int tg_for_each(int (*fn)(struct thread_group *tg, void *arg), void *arg)
{
	struct pidtable *pt = table();
	for (pid_t pid = 1; pid <= pt->high; pid++) {
		struct task *t = pt->slots[pid];
		if (!t || t->tg->tgid != pid || t->tg->reaped)
			continue;
		int r = fn(t->tg, arg);
		if (r)
			return r;
	}
	return 0;
}

void pidtable_free(void)
{
	struct pidtable *pt = kernel->pid_table;
	if (!pt)
		return;
	free(pt->slots);
	free(pt);
	kernel->pid_table = NULL;
}
