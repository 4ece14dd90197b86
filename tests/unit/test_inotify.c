/* inotify over fsnotify on a tmpfs mount tree, for what a conformance
 * program cannot see: that watches go with their instance, their inode's
 * deletion (at once or at the last close) and their filesystem's unmount,
 * and that nothing is left behind (run under make asan for leaks). The
 * namespace changes call the filesystem and the hooks as
 * syscalls/sys_path.c does. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>

#include "runsc/util.h"
#include "sentry/fs/inotify.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/fsnotify.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

static struct memfile mf;

/* Reads every queued record into masks (and wds); returns the count. */
static int drain(struct file *in, uint32_t *masks, int *wds, int max)
{
	static char buf[8192] __attribute__((aligned(8)));
	ssize_t n = in->ops->read(in, NULL, buf, sizeof(buf), &in->pos);
	int count = 0;

	if (n == -EAGAIN)
		return 0;
	ck_assert_int_gt(n, 0);
	for (char *p = buf; p < buf + n && count < max; count++) {
		struct inotify_event *e = (struct inotify_event *)p;

		masks[count] = e->mask;
		if (wds)
			wds[count] = e->wd;
		p += sizeof(*e) + e->len;
	}
	return count;
}

static struct file *open_path(const char *path, int flags)
{
	struct file *f;

	ck_assert_int_eq(vfs_open(NULL, AT_FDCWD, path, flags, 0644, &f), 0);
	return f;
}

/* do_unlinkat()'s success path. */
static void unlink_path(const char *dirpath, const char *name)
{
	struct path dp;
	struct dentry *victim;
	struct inode *dir, *ino;
	int err = 0;

	ck_assert_int_eq(vfs_lookup(NULL, AT_FDCWD, dirpath, LOOKUP_FOLLOW, &dp), 0);
	dir = dp.dentry->inode;
	victim = d_lookup_child(dp.dentry, name, strlen(name), &err);
	ck_assert_ptr_nonnull(victim);
	ino = inode_get(victim->inode);
	ck_assert_int_eq(dir->iops->unlink(dir, name), 0);
	d_drop(victim);
	fsnotify_link_count(ino);
	fsnotify_unlinked(victim, ino->nlink == 0);
	fsnotify_delete(dir, name, false);
	inode_put(ino);
	dentry_put(victim);
	path_put(&dp);
}

static int watch(struct file *in, const char *path, uint32_t mask)
{
	struct path p;
	int wd;

	ck_assert_int_eq(vfs_lookup(NULL, AT_FDCWD, path, LOOKUP_FOLLOW, &p), 0);
	wd = inotify_file_add_watch(in, p.dentry->inode, mask);
	path_put(&p);
	return wd;
}

START_TEST(test_lifetimes)
{
	struct tmpfs_opts o;
	struct inode *r, *leaf;
	struct mount *top, *m;
	struct path mp;
	struct file *in, *in2, *f;
	uint32_t masks[16];
	int wds[16], wd_f, wd_d;

	ck_assert_int_eq(tmpfs_parse_options("mode=755", &o), 0);
	ck_assert_int_eq(tmpfs_new(&mf, "tmpfs", 0, &o, &r), 0);
	ck_assert_int_eq(vfs_mount(NULL, r, 0, &top), 0);
	inode_put(r);
	ck_assert_int_eq(r->iops->mkdir(r, "d", 0755), 0);
	ck_assert_int_eq(r->iops->mkdir(r, "m", 0755), 0);

	ck_assert_int_eq(inotify_create(1000, O_NONBLOCK, &in), 0);
	ck_assert_int_eq(inotify_create(1000, O_NONBLOCK, &in2), 0);
	f = open_path("/d/f", O_CREAT | O_WRONLY);
	ck_assert_int_eq(vfs_write(f, NULL, "x", 1, &f->pos), 1);
	file_put(f);
	wd_d = watch(in, "/d", IN_ALL_EVENTS);
	wd_f = watch(in, "/d/f", IN_ALL_EVENTS);
	ck_assert_int_eq(watch(in2, "/d/f", IN_ALL_EVENTS | IN_ONESHOT), 1);

	/* Deleted while open: IN_DELETE_SELF waits for the close, then the
	 * watch (and its reference on the inode) goes. */
	f = open_path("/d/f", O_RDWR);
	leaf = inode_get(f->inode);
	ck_assert_int_eq(drain(in, masks, wds, 16), 2);
	ck_assert_int_eq(masks[0], IN_OPEN);
	ck_assert_int_eq(wds[0], wd_d);
	ck_assert_int_eq(wds[1], wd_f);
	ck_assert_int_eq(drain(in2, masks, wds, 16), 2);
	ck_assert_int_eq(masks[1], IN_IGNORED);
	unlink_path("/d", "f");
	ck_assert_int_eq(drain(in, masks, wds, 16), 2);
	ck_assert_int_eq(masks[0], IN_ATTRIB);
	ck_assert_int_eq(masks[1], IN_DELETE);
	ck_assert_int_eq(leaf->refcount, 4); /* ours, the file, its dentry, the watch */
	file_put(f);
	ck_assert_int_eq(drain(in, masks, wds, 16), 4);
	ck_assert_int_eq(masks[1], IN_CLOSE_WRITE);
	ck_assert_int_eq(masks[2], IN_DELETE_SELF);
	ck_assert_int_eq(masks[3], IN_IGNORED);
	ck_assert_int_eq(wds[3], wd_f);
	ck_assert_int_eq(leaf->refcount, 1);
	inode_put(leaf);

	/* Unmount: IN_UNMOUNT, IN_IGNORED. */
	ck_assert_int_eq(vfs_lookup(NULL, AT_FDCWD, "/m", LOOKUP_FOLLOW, &mp), 0);
	ck_assert_int_eq(do_new_mount(&mp, "tmpfs", "t", 0, NULL, &m), 0);
	f = open_path("/m/u", O_CREAT | O_WRONLY);
	file_put(f);
	ck_assert_int_gt(watch(in, "/m/u", IN_OPEN), 0);
	ck_assert_int_gt(watch(in2, "/m", IN_CREATE), 0);
	mnt_detach_tree(m);
	ck_assert_int_eq(drain(in, masks, wds, 16), 2);
	ck_assert_int_eq(masks[0], IN_UNMOUNT);
	ck_assert_int_eq(masks[1], IN_IGNORED);
	ck_assert_int_eq(drain(in2, masks, wds, 16), 2);
	ck_assert_int_eq(masks[0], IN_UNMOUNT | IN_ISDIR);
	path_put(&mp);

	/* Closing an instance with live watches and queued events. */
	f = open_path("/d/g", O_CREAT | O_WRONLY);
	file_put(f);
	ck_assert_int_gt(watch(in2, "/d/g", IN_ALL_EVENTS), 0);
	f = open_path("/d/g", O_RDONLY);
	file_put(f);
	file_put(in2);
	file_put(in);
	unlink_path("/d", "g");
	mnt_detach(top);
}
END_TEST

START_TEST(test_limits)
{
	struct file *in[INOTIFY_MAX_USER_INSTANCES + 1];

	for (int i = 0; i < INOTIFY_MAX_USER_INSTANCES; i++)
		ck_assert_int_eq(inotify_create(7, 0, &in[i]), 0);
	ck_assert_int_eq(inotify_create(7, 0, &in[INOTIFY_MAX_USER_INSTANCES]), -EMFILE);
	ck_assert_int_eq(inotify_create(8, 0, &in[INOTIFY_MAX_USER_INSTANCES]), 0);
	file_put(in[INOTIFY_MAX_USER_INSTANCES]);
	file_put(in[0]);
	ck_assert_int_eq(inotify_create(7, 0, &in[0]), 0);
	for (int i = 0; i < INOTIFY_MAX_USER_INSTANCES; i++)
		file_put(in[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inotify");
	TCase *tc = tcase_create("inotify");
	SRunner *sr;
	int failed;
	static struct kernel k;

	if (memfile_init(&mf, 1ULL << 32) < 0)
		return EXIT_FAILURE;
	k.mf = &mf;
	kernel = &k;
	tcase_add_test(tc, test_lifetimes);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	memfile_destroy(&mf);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
