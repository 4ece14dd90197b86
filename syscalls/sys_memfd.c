/* memfd_create(2) (sentry/fs/memfd.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/memfd.h"
#include "sentry/usercopy.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
/* NAME_MAX minus the "memfd:" prefix. */
#define MFD_NAME_MAX_LEN 249

static void file_putp(struct file **f)
{
	if (*f)
		file_put(*f);
}
#define _cleanup_file_ _cleanup_(file_putp)

SYSCALL_DEFINE(memfd_create, "sx")
{
	unsigned int flags = (unsigned int)a->a[1];
	_cleanup_file_ struct file *f = NULL;
	char name[MFD_NAME_MAX_LEN + 1];

	if (flags & MFD_HUGETLB) {
		log_once("memfd-hugetlb", "memfd_create(MFD_HUGETLB): no huge pages in the sandbox (EINVAL)");
		return -EINVAL;
	}
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MFD_EXEC))
		return -EINVAL;
	if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
		return -EINVAL;
	long len = strncpy_from_user(t, name, a->a[0], sizeof(name));
	if (len == -ENAMETOOLONG)
		return -EINVAL;
	if (len < 0)
		return len;
	int err = memfd_create_file(t->cred, name, flags, &f);
	if (err)
		return err;
	return fd_install(t, 0, f, flags & MFD_CLOEXEC);
}
