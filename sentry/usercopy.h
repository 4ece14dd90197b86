/* Access to application memory. All of it lives in the memory file; these
 * walk the task's VMAs and copy through the sentry's own mapping of the
 * file. They check the VMA's protection as the CPU would (copy_to_user
 * needs PROT_WRITE, copy_from_user PROT_READ) and return -EFAULT
 * otherwise. */
#ifndef SENTRY_USERCOPY_H
#define SENTRY_USERCOPY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct task;
struct mm;

int copy_from_user(struct task *t, void *dst, uint64_t src, size_t n);
int copy_to_user(struct task *t, uint64_t dst, const void *src, size_t n);
int clear_user(struct task *t, uint64_t dst, size_t n);
/* Copies a NUL-terminated string of at most max bytes including the NUL.
 * Returns its length, -EFAULT, or -ENAMETOOLONG if no NUL within max. */
long strncpy_from_user(struct task *t, char *dst, uint64_t src, size_t max);
/* A path argument: malloc'd copy in *out; -EFAULT, -ENAMETOOLONG (PATH_MAX),
 * -ENOENT for the empty string unless allow_empty. */
int copy_path_from_user(struct task *t, uint64_t src, char **out, int allow_empty);

/* The same on an mm that is not the current task's (execve, fork). */
int mm_copy_from(struct mm *mm, void *dst, uint64_t src, size_t n);
int mm_copy_to(struct mm *mm, uint64_t dst, const void *src, size_t n, int force);
/* Bytes the sentry can read on the application's behalf from addr in the
 * platform's vDSO (outside every VMA; see platform_vdso_area.data), 0 if
 * addr is not there: for checks that mirror the copies above. */
size_t user_vdso_readable(uint64_t addr);

#endif
