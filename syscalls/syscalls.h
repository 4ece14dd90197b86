/* The syscall table. Each handler file defines its syscalls with
 * SYSCALL_DEFINE; the definitions land in a linker section that
 * syscalls/dispatch.c turns into the table at boot, so adding a syscall
 * never touches a central list.
 *
 *     SYSCALL_DEFINE(getpid, "")
 *     {
 *             return task_tgid(t);
 *     }
 *
 * Handlers get the calling task t and the arguments a->a[0..5], and return
 * the result or -errno (or -EBLOCKED, see sentry/kernel.h).
 *
 * The format string drives --strace decoding, one character per argument:
 *   d int   u unsigned   l long   x hex   p pointer   s string (user)
 *   f fd (AT_FDCWD shown)   o open flags   m mode (octal)   b buffer
 *   (write-like: shows the first bytes, its length is the next argument) */
#ifndef SYSCALLS_SYSCALLS_H
#define SYSCALLS_SYSCALLS_H

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "sentry/kernel.h"

typedef long (*syscall_fn)(struct task *t, const struct syscall_args *a);

struct syscall_def {
	int nr;
	const char *name;
	syscall_fn fn;
	const char *fmt;
} __attribute__((aligned(32)));

#define SYSCALL_DEFINE_NR(nr_, sname, fmt_)                                        \
	static long sys_##sname(struct task *t, const struct syscall_args *a);     \
	static const struct syscall_def __sysdef_##sname                           \
		__attribute__((used, section("sr_syscalls"))) = {                  \
			.nr = (nr_), .name = #sname, .fn = sys_##sname, .fmt = fmt_ }; \
	static long sys_##sname(__attribute__((unused)) struct task *t,            \
				__attribute__((unused)) const struct syscall_args *a)

#define SYSCALL_DEFINE(sname, fmt_) SYSCALL_DEFINE_NR(__NR_##sname, sname, fmt_)

#define SYSCALL_MAX 512

int syscall_table_init(void);
/* Runs the handler for t->sys.args, with --strace logging. */
long syscall_dispatch(struct task *t);
const char *syscall_name(int nr);

#endif
