/* mlock, mlock2, munlock, mlockall, munlockall: argument checks, unmapped
 * ranges, what a lock changes (msync(MS_INVALIDATE) is EBUSY and
 * madvise(MADV_DONTNEED) EINVAL on locked pages), fork not inheriting
 * locks, MCL_FUTURE, and RLIMIT_MEMLOCK for an unprivileged user. */
#include "conformance.h"
#include <sys/mman.h>
#include <sys/resource.h>

#define PG 4096L

static void test_lock(void)
{
	char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_OK("mlock", mlock(a + PG, 2 * PG));
	CHECK_ERR("locked.invalidate_busy", msync(a + PG, PG, MS_INVALIDATE), EBUSY);
	CHECK_OK("locked.sync_ok", msync(a + PG, PG, MS_SYNC));
	CHECK_ERR("locked.dontneed", madvise(a + 2 * PG, PG, MADV_DONTNEED), EINVAL);
	CHECK_OK("unlocked_neighbour.dontneed", madvise(a, PG, MADV_DONTNEED));
	CHECK_OK("unlocked_neighbour.invalidate", msync(a + 3 * PG, PG, MS_INVALIDATE));
	/* An unaligned start covers its page. */
	CHECK_OK("mlock_unaligned", mlock(a + 3 * PG + 10, 1));
	CHECK_ERR("mlock_unaligned.locked", msync(a + 3 * PG, PG, MS_INVALIDATE), EBUSY);
	CHECK_OK("mlock_len0", mlock(a, 0));

	pid_t pid = fork();
	if (pid == 0)
		_exit(msync(a + PG, PG, MS_INVALIDATE) == 0 ? 0 : 1);
	CHECK_EXIT("fork.not_inherited", conf_wait(pid), 0);

	CHECK_OK("munlock", munlock(a, 4 * PG));
	CHECK_OK("munlocked.invalidate", msync(a + PG, PG, MS_INVALIDATE));
	CHECK_OK("munlocked.dontneed", madvise(a + PG, 3 * PG, MADV_DONTNEED));

	CHECK_ERR("mlock2_flags", syscall(SYS_mlock2, a, PG, 2), EINVAL);
	CHECK_OK("mlock2_onfault", syscall(SYS_mlock2, a, PG, MLOCK_ONFAULT));
	CHECK_ERR("mlock2.locked", msync(a, PG, MS_INVALIDATE), EBUSY);
	munlock(a, PG);

	munmap(a + 2 * PG, PG);
	CHECK_ERR("mlock_hole", mlock(a, 4 * PG), ENOMEM);
	CHECK_ERR("mlock_unmapped", mlock(a + 2 * PG, PG), ENOMEM);
	CHECK_ERR("munlock_hole", munlock(a, 4 * PG), ENOMEM);
	/* Nothing was locked. */
	CHECK_OK("mlock_hole.nothing_locked", msync(a + PG, PG, MS_INVALIDATE));
	munmap(a, 4 * PG);
}

static void test_lockall(void)
{
	CHECK_ERR("mlockall_0", mlockall(0), EINVAL);
	CHECK_ERR("mlockall_onfault_only", mlockall(MCL_ONFAULT), EINVAL);
	CHECK_ERR("mlockall_bad", mlockall(0x100), EINVAL);
	CHECK_OK("mlockall_future", mlockall(MCL_FUTURE));
	char *a = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_ERR("future.new_mapping_locked", msync(a, PG, MS_INVALIDATE), EBUSY);
	CHECK_OK("munlockall", munlockall());
	CHECK_OK("munlockall.unlocked", msync(a, PG, MS_INVALIDATE));
	char *b = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_OK("munlockall.no_future", msync(b, PG, MS_INVALIDATE));
	munmap(a, PG);
	munmap(b, PG);
	char *l = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	CHECK_ERR("map_locked", msync(l, PG, MS_INVALIDATE), EBUSY);
	munmap(l, PG);
}

static void test_limits(void)
{
	if (geteuid() != 0) {
		conf_print("SKIP limits: needs root\n");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* Without CAP_IPC_LOCK, RLIMIT_MEMLOCK decides. */
		struct rlimit one = { PG, PG }, none = { 0, 0 };
		if (setrlimit(RLIMIT_MEMLOCK, &one) || setresuid(65534, 65534, 65534))
			_exit(10);
		char *a = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mlock(a, PG))
			_exit(11);
		if (mlock(a, PG)) /* already locked pages do not count twice */
			_exit(12);
		if (mlock(a, 2 * PG) != -1 || errno != ENOMEM)
			_exit(13);
		if (mlockall(MCL_CURRENT) != -1 || errno != ENOMEM)
			_exit(14);
		if (munlock(a, PG))
			_exit(15);
		if (setrlimit(RLIMIT_MEMLOCK, &none))
			_exit(16);
		if (mlock(a, PG) != -1 || errno != EPERM)
			_exit(17);
		if (mlockall(MCL_FUTURE) != -1 || errno != EPERM)
			_exit(18);
		_exit(0);
	}
	CHECK_EXIT("limits.unprivileged", conf_wait(pid), 0);
}

int main(void)
{
	test_lock();
	test_lockall();
	test_limits();
	return conf_done();
}
