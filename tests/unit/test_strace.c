/* --strace's errno names (syscalls/strace.c): every errno Linux returns
 * has its name, the kernel-internal restart codes too. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "syscalls/strace.h"

START_TEST(errno_names)
{
	ck_assert_str_eq(errno_name(ENOENT), "ENOENT");
	ck_assert_str_eq(errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	/* Beyond the common ones: sockets, xattrs. */
	ck_assert_str_eq(errno_name(ENOTSOCK), "ENOTSOCK");
	ck_assert_str_eq(errno_name(ECONNREFUSED), "ECONNREFUSED");
	ck_assert_str_eq(errno_name(ENODATA), "ENODATA");
	ck_assert_str_eq(errno_name(512), "ERESTARTSYS");
	ck_assert_str_eq(errno_name(516), "ERESTART_RESTARTBLOCK");
	ck_assert_ptr_null(errno_name(0));
	ck_assert_ptr_null(errno_name(4000));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strace");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, errno_names);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
