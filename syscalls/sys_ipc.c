/* SysV IPC syscalls: semaphores and message queues (sentry/sysv_sem.c,
 * sentry/sysv_msg.c). */
#include "sentry/sysv.h"
#include "syscalls/syscalls.h"

SYSCALL_DEFINE(semget, "xdx")
{
	return sysv_semget(t, (key_t)a->a[0], (int)a->a[1], (int)a->a[2]);
}

SYSCALL_DEFINE(semop, "dpu")
{
	return sysv_semtimedop(t, (int)a->a[0], a->a[1], (size_t)(unsigned int)a->a[2], 0);
}

SYSCALL_DEFINE(semtimedop, "dpup")
{
	return sysv_semtimedop(t, (int)a->a[0], a->a[1], (size_t)(unsigned int)a->a[2], a->a[3]);
}

SYSCALL_DEFINE(semctl, "dddx")
{
	return sysv_semctl(t, (int)a->a[0], (int)a->a[1], (int)a->a[2], a->a[3]);
}

SYSCALL_DEFINE(msgget, "xx")
{
	return sysv_msgget(t, (key_t)a->a[0], (int)a->a[1]);
}

SYSCALL_DEFINE(msgsnd, "dpux")
{
	return sysv_msgsnd(t, (int)a->a[0], a->a[1], (size_t)a->a[2], (int)a->a[3]);
}

SYSCALL_DEFINE(msgrcv, "dpulx")
{
	return sysv_msgrcv(t, (int)a->a[0], a->a[1], (size_t)a->a[2], (long)a->a[3], (int)a->a[4]);
}

SYSCALL_DEFINE(msgctl, "ddp")
{
	return sysv_msgctl(t, (int)a->a[0], (int)a->a[1], a->a[2]);
}
