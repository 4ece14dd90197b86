/* The ptrace platform's vDSO (platform/ptrace/vdso.c) on this host: it
 * finds the host's mappings, reserves their place above the application
 * range, and a child moved and patched as a stub is gets a working
 * clock_gettime and a getcpu that says CPU 0, node 0. */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "platform/ptrace/ptrace_impl.h"

static struct platform p;

static void setup(void)
{
	memset(&p, 0, sizeof(p));
	stub_vdso_init(&p);
}

START_TEST(layout)
{
	const struct platform_vdso *vd = stub_vdso_info(&p);
	if (!getauxval(AT_SYSINFO_EHDR)) {
		ck_assert_ptr_null(vd);
		return;
	}
	ck_assert_ptr_nonnull(vd);
	ck_assert_uint_ge(p.vdso.addr, APP_MAX_ADDR);
	ck_assert_int_ge(vd->nareas, 2);
	ck_assert_uint_eq(vd->areas[0].start, p.vdso.addr);
	ck_assert_uint_eq(vd->areas[vd->nareas - 1].end, p.vdso.addr + p.vdso.len);
	int images = 0;
	for (int i = 0; i < vd->nareas; i++) {
		if (i)
			ck_assert_uint_eq(vd->areas[i].start, vd->areas[i - 1].end);
		if (!strcmp(vd->areas[i].name, "[vdso]")) {
			images++;
			ck_assert_uint_eq(vd->ehdr, vd->areas[i].start);
			ck_assert_int_eq(vd->areas[i].prot, PROT_READ | PROT_EXEC);
			ck_assert_uint_eq(vd->ehdr - p.vdso.addr, getauxval(AT_SYSINFO_EHDR) - p.vdso.host);
			/* The sentry's copy: the host image, getcpu rewritten. */
			ck_assert_ptr_nonnull(vd->areas[i].data);
			ck_assert(!memcmp(vd->areas[i].data, (void *)getauxval(AT_SYSINFO_EHDR), 16));
			uint64_t pc = p.vdso.addr + p.vdso.patch_off[0] - vd->areas[i].start;
			ck_assert(memcmp((const uint8_t *)vd->areas[i].data + pc,
					 (const uint8_t *)getauxval(AT_SYSINFO_EHDR) + pc, 8));
		} else {
			ck_assert(!strncmp(vd->areas[i].name, "[vvar", 5));
			ck_assert_ptr_null(vd->areas[i].data);
			ck_assert_int_eq(vd->areas[i].prot, PROT_READ);
		}
	}
	ck_assert_int_eq(images, 1);
	ck_assert_int_ge(p.vdso.npatch, 1);
	/* The place is held, so nothing of the sentry's can land there. */
	void *m = mmap((void *)p.vdso.addr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ck_assert(m == MAP_FAILED && errno == EEXIST);
}
END_TEST

static int64_t ns(const struct timespec *ts) { return ts->tv_sec * 1000000000LL + ts->tv_nsec; }

START_TEST(moved_and_patched)
{
	if (!stub_vdso_info(&p))
		return;
	void *h = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
	ck_assert_ptr_nonnull(h);
	uint64_t gt = (uint64_t)dlsym(h, "__vdso_clock_gettime"), gc = (uint64_t)dlsym(h, "__vdso_getcpu");
	ck_assert(gt && gc);
	/* Where a stub has them. */
	gt = gt - p.vdso.host + p.vdso.addr;
	gc = gc - p.vdso.host + p.vdso.addr;

	pid_t pid = fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 || stub_vdso_relocate(&p) < 0)
			_exit(10);
		raise(SIGSTOP);
		/* On the highest CPU allowed: the host's getcpu would say so. */
		cpu_set_t set;
		if (sched_getaffinity(0, sizeof(set), &set) == 0) {
			int last = -1;
			for (int i = 0; i < CPU_SETSIZE; i++)
				if (CPU_ISSET(i, &set))
					last = i;
			CPU_ZERO(&set);
			CPU_SET(last, &set);
			sched_setaffinity(0, sizeof(set), &set);
		}
		int (*getcpu)(unsigned *, unsigned *, void *) = (void *)gc;
		int (*gettime)(clockid_t, struct timespec *) = (void *)gt;
		unsigned cpu = 7, node = 7;
		if (getcpu(&cpu, &node, NULL) || cpu || node)
			_exit(11);
		struct timespec a, b, c;
		for (int i = 0; i < 1000; i++) {
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
			if (gettime(CLOCK_MONOTONIC, &b))
				_exit(12);
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &c);
			if (ns(&a) > ns(&b) || ns(&b) > ns(&c))
				_exit(13);
		}
		/* The old place is empty. */
		if (msync((void *)p.vdso.host, 4096, MS_ASYNC) == 0 || errno != ENOMEM)
			_exit(14);
		_exit(0);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSTOPPED(st));
	ck_assert_int_eq(stub_vdso_patch(&p, pid), 0);
	ck_assert_int_eq(ptrace(PTRACE_CONT, pid, 0, 0), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vdso");
	TCase *tc = tcase_create("host");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, layout);
	tcase_add_test(tc, moved_and_patched);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
