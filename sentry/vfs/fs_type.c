/* The registry of filesystem types mount(2) knows: each filesystem puts
 * its struct fs_type in the sr_fstypes section with FS_TYPE_DEFINE, as
 * syscalls do with SYSCALL_DEFINE, so adding one needs no central list. */
#include <string.h>

#include "sentry/vfs.h"

/* Weak: a unit test may link the VFS without any filesystem type. */
extern const struct fs_type __start_sr_fstypes[] __attribute__((weak));
extern const struct fs_type __stop_sr_fstypes[] __attribute__((weak));

const struct fs_type *get_fs_type(const char *name)
{
	for (const struct fs_type *t = __start_sr_fstypes; t < __stop_sr_fstypes; t++) {
		if (strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

int fs_type_for_each(int (*fn)(const struct fs_type *type, void *arg), void *arg)
{
	int rc;

	for (const struct fs_type *t = __start_sr_fstypes; t < __stop_sr_fstypes; t++) {
		if ((rc = fn(t, arg)) != 0)
			return rc;
	}
	return 0;
}
