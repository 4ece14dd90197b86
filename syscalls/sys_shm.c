/* SysV shared memory syscalls (sentry/shm.c). */
#include <errno.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "sentry/shm.h"
#include "sentry/usercopy.h"
#include "syscalls/syscalls.h"

#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#define IPC_64 0x0100

SYSCALL_DEFINE(shmget, "xxx")
{
	return shm_get(t, (int32_t)a->a[0], a->a[1], (int)a->a[2]);
}

SYSCALL_DEFINE(shmat, "dpx")
{
	return shm_attach(t, (int)a->a[0], a->a[1], (int)a->a[2]);
}

SYSCALL_DEFINE(shmdt, "p")
{
	return shm_detach(t, a->a[0]);
}

SYSCALL_DEFINE(shmctl, "ddp")
{
	int id = (int)a->a[0], cmd = (int)a->a[1];
	uint64_t ubuf = a->a[2];
	struct k_shmid64_ds ds;
	long r;

	if (cmd < 0 || id < 0)
		return -EINVAL;
	cmd &= ~IPC_64; /* the 64-bit layout is the only one */
	switch (cmd) {
	case IPC_INFO: {
		struct k_shminfo64 info;
		r = shm_info(&info, NULL);
		if (copy_to_user(t, ubuf, &info, sizeof(info)))
			return -EFAULT;
		return r;
	}
	case SHM_INFO: {
		struct k_shm_info info;
		r = shm_info(NULL, &info);
		if (copy_to_user(t, ubuf, &info, sizeof(info)))
			return -EFAULT;
		return r;
	}
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		r = shm_ctl(t, id, cmd, &ds);
		if (r >= 0 && copy_to_user(t, ubuf, &ds, sizeof(ds)))
			return -EFAULT;
		return r;
	case IPC_SET:
		if (copy_from_user(t, &ds, ubuf, sizeof(ds)))
			return -EFAULT;
		return shm_ctl(t, id, cmd, &ds);
	default:
		return shm_ctl(t, id, cmd, NULL);
	}
}
