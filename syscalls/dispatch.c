/* The syscall table, built at boot from the SYSCALL_DEFINE section, and the
 * dispatcher. Unknown syscalls return ENOSYS, logged once per number. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runsc/log.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/usercopy.h"
#include "syscalls/strace.h"
#include "syscalls/syscalls.h"

/* Weak: a unit test may link the dispatcher without any handler. */
extern const struct syscall_def __start_sr_syscalls[] __attribute__((weak));
extern const struct syscall_def __stop_sr_syscalls[] __attribute__((weak));

static const struct syscall_def *table[SYSCALL_MAX];

int syscall_table_init(void)
{
	for (const struct syscall_def *d = __start_sr_syscalls; d < __stop_sr_syscalls; d++) {
		if (d->nr < 0 || d->nr >= SYSCALL_MAX) {
			log_error("syscall %s: number %d out of range", d->name, d->nr);
			return -EINVAL;
		}
		if (table[d->nr]) {
			log_error("syscall %s defined twice (%s)", d->name, table[d->nr]->name);
			return -EEXIST;
		}
		table[d->nr] = d;
	}
	return 0;
}

const char *syscall_name(int nr)
{
	if (nr >= 0 && nr < SYSCALL_MAX && table[nr])
		return table[nr]->name;
	return NULL;
}

/* int $0x80 from 64-bit code reaches us too, with i386 numbers; the sandbox
 * has no 32-bit ABI, so it must not be mistaken for a 64-bit call. */
static bool came_from_int80(struct task *t)
{
	uint8_t insn[2];
	if (mm_copy_from(t->mm, insn, t->ctx->regs.rip - 2, 2) < 0)
		return false;
	return insn[0] == 0xcd && insn[1] == 0x80;
}

long syscall_dispatch(struct task *t)
{
	const struct syscall_args *a = &t->sys.args;
	int nr = a->nr;
	if (!t->sys.restarted && came_from_int80(t)) {
		log_once("int80", "32-bit syscall (int $0x80) refused with ENOSYS");
		return -ENOSYS;
	}
	const struct syscall_def *d = (nr >= 0 && nr < SYSCALL_MAX) ? table[nr] : NULL;
	if (!d) {
		char key[32];
		snprintf(key, sizeof(key), "nosys-%d", nr);
		log_once(key, "unsupported syscall %d: ENOSYS", nr);
		if (kernel->strace)
			log_debug_raw("[%d] syscall_%d(...) = -1 ENOSYS (unsupported)", t->tid, nr);
		return -ENOSYS;
	}
	kernel->current = t;
	long r = d->fn(t, a);
	kernel->current = NULL;
	if (kernel->strace && !(r == -EBLOCKED))
		strace_log(t, d, a, r);
	return r;
}
