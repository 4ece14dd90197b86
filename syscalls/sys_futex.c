#include "sentry/futex.h"
#include "syscalls/syscalls.h"

SYSCALL_DEFINE(futex, "pdupxu")
{
	return futex_syscall(t, a->a[0], (int)a->a[1], (uint32_t)a->a[2], a->a[3], a->a[4],
			     (uint32_t)a->a[5]);
}
