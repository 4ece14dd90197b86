/* procfs on its own (mounted as the root of a test tree, no sandbox):
 * directory listings, generated files, magic links into pipes, and that
 * nothing stays cached or leaks once a process is gone. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runsc/util.h"
#include "sentry/fdtable.h"
#include "sentry/fs/pipe.h"
#include "sentry/kernel.h"
#include "sentry/signal.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

static struct kernel k;
static struct thread_group tg;
static struct task task;
static struct cred cred;

static void setup(void)
{
	struct inode *root;
	struct path rp;

	kernel = &k;
	k.boot_mono_ns = now_mono_ns();
	k.boot_real_ns = now_real_ns();
	strcpy(k.hostname, "unit");
	ck_assert_int_eq(procfs_new_root(&root), 0);
	ck_assert_int_eq(vfs_mount(NULL, root, 0, NULL), 0);
	inode_put(root);

	tg.tgid = 1;
	tg.leader = &task;
	tg.nr_threads = 1;
	tg.start_time_mono = k.boot_mono_ns;
	list_init(&tg.threads);
	list_init(&tg.children);
	list_init(&tg.sibling);
	sigpending_init(&tg.shared_pending);
	for (int i = 0; i < RLIM_NLIMITS; i++)
		tg.rlim[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	tg.rlim[RLIMIT_NOFILE] = (struct rlimit){ 1024, 1024 };

	task.tid = 1;
	task.tg = &tg;
	task.state = TASK_RUNNING;
	strcpy(task.comm, "unit");
	list_add_tail(&task.tg_link, &tg.threads);
	sigpending_init(&task.pending);
	cred.refcount = 1;
	cred.cap_effective = cred.cap_permitted = ~0ULL;
	task.cred = &cred;
	task.files = fdtable_new();
	ck_assert_int_eq(vfs_root_path(&rp), 0);
	task.fs = fs_context_new(&rp, &rp);
	path_put(&rp);
	ck_assert_int_eq(pid_insert(1, &task), 0);
	k.nr_tasks = 1;
	k.last_pid = 1;
}

/* Reads a whole procfs file as the task sees it. */
static char *slurp(const char *path, char *buf, size_t len)
{
	struct file *f;
	int64_t pos = 0;
	ssize_t n;

	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, path, O_RDONLY, 0, &f), 0);
	n = vfs_read(f, &task, buf, len - 1, &pos);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	/* A second read at the end says EOF. */
	ck_assert_int_eq(vfs_read(f, &task, buf + n, 1, &pos), 0);
	file_put(f);
	return buf;
}

struct names {
	struct dir_context ctx;
	char seen[64][32];
	int n;
};

static bool collect(struct dir_context *ctx, const char *name, int len, int64_t pos, uint64_t ino,
		    unsigned int type)
{
	struct names *nm = (struct names *)ctx;

	if (nm->n < 64)
		snprintf(nm->seen[nm->n++], 32, "%.*s", len, name);
	return true;
}

static bool listed(const char *dir, const char *name)
{
	struct names nm = { .ctx.actor = collect };
	struct file *f;

	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0, &f), 0);
	ck_assert_int_eq(f->ops->iterate(f, &nm.ctx), 0);
	file_put(f);
	for (int i = 0; i < nm.n; i++)
		if (strcmp(nm.seen[i], name) == 0)
			return true;
	return false;
}

START_TEST(test_root_listing)
{
	ck_assert(listed("/", "1"));
	ck_assert(listed("/", "self"));
	ck_assert(listed("/", "meminfo"));
	ck_assert(!listed("/", "2"));
	ck_assert(listed("/1", "status"));
	ck_assert(listed("/1/task", "1"));
	ck_assert(listed("/sys/kernel", "hostname"));
}
END_TEST

START_TEST(test_generated_files)
{
	char buf[8192];

	ck_assert_ptr_nonnull(strstr(slurp("/self/status", buf, sizeof(buf)), "Name:\tunit\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nPid:\t1\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nState:\tR (running)\n"));
	ck_assert_str_eq(slurp("/self/comm", buf, sizeof(buf)), "unit\n");
	ck_assert_str_eq(slurp("/sys/kernel/hostname", buf, sizeof(buf)), "unit\n");
	ck_assert_int_eq(strncmp(slurp("/1/stat", buf, sizeof(buf)), "1 (unit) R 0 ", 13), 0);
	ck_assert_str_eq(slurp("/self/cgroup", buf, sizeof(buf)), "0::/\n");
	ck_assert_int_eq(strncmp(slurp("/version", buf, sizeof(buf)), "Linux version 4.4.0 ", 20), 0);
	ck_assert_int_eq(strncmp(slurp("/meminfo", buf, sizeof(buf)), "MemTotal:       ", 16), 0);
	/* No memory to read for a task without an address space. */
	ck_assert_str_eq(slurp("/self/cmdline", buf, sizeof(buf)), "");
}
END_TEST

START_TEST(test_writes)
{
	struct file *f;
	int64_t pos = 0;
	char buf[64];

	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/sys/kernel/hostname", O_WRONLY, 0, &f), 0);
	ck_assert_int_eq(vfs_write(f, &task, "other\nignored", 13, &pos), 13);
	file_put(f);
	ck_assert_str_eq(k.hostname, "other");
	ck_assert_str_eq(slurp("/sys/kernel/hostname", buf, sizeof(buf)), "other\n");
	strcpy(k.hostname, "unit");
	/* Read-only sysctls refuse even root. */
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/sys/kernel/pid_max", O_WRONLY, 0, &f), -EACCES);
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/self/oom_score_adj", O_WRONLY, 0, &f), 0);
	pos = 0;
	ck_assert_int_eq(vfs_write(f, &task, "-17\n", 4, &pos), 4);
	ck_assert_int_eq(vfs_write(f, &task, "-1001", 5, &pos), -EINVAL);
	file_put(f);
	ck_assert_int_eq(tg.oom_score_adj, -17);
	/* Nothing can be created in procfs. */
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/newfile", O_CREAT | O_WRONLY, 0644, &f), -ENOENT);
}
END_TEST

START_TEST(test_fd_links)
{
	struct file *rd, *wr, *again;
	char buf[64];
	struct path p;
	struct stat st;
	int64_t pos = 0;
	int rfd, wfd, n;
	size_t before = dcache_count();

	ck_assert_int_eq(pipe_create(&rd, &wr, 0), 0);
	rfd = fd_install(&task, 0, rd, false);
	wfd = fd_install(&task, 0, wr, false);
	file_put(rd);
	file_put(wr);
	ck_assert(listed("/self/fd", "0"));
	ck_assert(listed("/self/fdinfo", "1"));

	/* readlink names the pipe; stat follows the link to it. */
	snprintf(buf, sizeof(buf), "/self/fd/%d", wfd);
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, buf, 0, &p), 0);
	n = p.dentry->inode->iops->readlink_task(&task, p.dentry->inode, buf, sizeof(buf));
	path_put(&p);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_int_eq(strncmp(buf, "pipe:[", 6), 0);
	snprintf(buf, sizeof(buf), "/self/fd/%d", wfd);
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, buf, LOOKUP_FOLLOW, &p), 0);
	ck_assert_int_eq(vfs_stat_path(&p, &st), 0);
	path_put(&p);
	ck_assert(S_ISFIFO(st.st_mode));

	/* Opening it gives another writer of the same pipe. */
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, buf, O_WRONLY, 0, &again), 0);
	ck_assert_ptr_null(again->path.dentry);
	ck_assert_int_eq(vfs_write(again, &task, "z", 1, &pos), 1);
	file_put(again);
	ck_assert_int_eq(fd_close(&task, wfd), 0);
	pos = 0;
	ck_assert_int_eq(vfs_read(rd, &task, buf, sizeof(buf), &pos), 1);
	ck_assert_int_eq(buf[0], 'z');
	/* Both writers gone: EOF. */
	ck_assert_int_eq(vfs_read(rd, &task, buf, sizeof(buf), &pos), 0);
	ck_assert_int_eq(fd_close(&task, rfd), 0);
	/* Nothing of procfs stays in the dentry cache. */
	ck_assert_uint_eq(dcache_count(), before);
}
END_TEST

/* Host fds of the workload's stdio: a regular file reopens with its own
 * offset (and O_TRUNC truncates it); a socket refuses, as on Linux. */
START_TEST(test_hostfd_reopen)
{
	char tmpl[] = "/tmp/procfs-unit-XXXXXX", path[64], buf[16];
	int hfd = mkstemp(tmpl), sv[2], fd;
	struct file *f, *again;

	ck_assert_int_ge(hfd, 0);
	unlink(tmpl);
	ck_assert_int_eq(write(hfd, "0123456789", 10), 10);
	ck_assert_int_eq(hostfd_file_new(hfd, O_RDWR, &f), 0);
	fd = fd_install(&task, 0, f, false);
	file_put(f);
	snprintf(path, sizeof(path), "/self/fd/%d", fd);
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, path, O_RDONLY, 0, &again), 0);
	/* Its own offset: 0, while the host description is at 10. */
	ck_assert_int_eq(vfs_read(again, &task, buf, 4, &again->pos), 4);
	ck_assert_int_eq(memcmp(buf, "0123", 4), 0);
	ck_assert_int_eq(lseek(hfd, 0, SEEK_CUR), 10);
	file_put(again);
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, path, O_WRONLY | O_TRUNC, 0, &again), 0);
	ck_assert_int_eq(vfs_write(again, &task, "ab", 2, &again->pos), 2);
	file_put(again);
	ck_assert_int_eq(pread(hfd, buf, sizeof(buf), 0), 2);
	ck_assert_int_eq(fd_close(&task, fd), 0);
	close(hfd);

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(hostfd_file_new(sv[0], O_RDWR, &f), 0);
	fd = fd_install(&task, 0, f, false);
	file_put(f);
	snprintf(path, sizeof(path), "/self/fd/%d", fd);
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, path, O_RDWR, 0, &again), -ENXIO);
	ck_assert_int_eq(fd_close(&task, fd), 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_self_link)
{
	struct path p;
	char buf[64];

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/self", LOOKUP_FOLLOW, &p), 0);
	ck_assert_int_eq(vfs_d_path(&p, &task.fs->root, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "/1");
	path_put(&p);
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/thread-self/comm", LOOKUP_FOLLOW, &p), 0);
	ck_assert_int_gt(vfs_d_path(&p, &task.fs->root, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/1/task/1/comm");
	path_put(&p);
	/* The kernel itself has no "self". */
	ck_assert_int_eq(vfs_lookup(NULL, AT_FDCWD, "/self/status", LOOKUP_FOLLOW, &p), -ENOENT);
}
END_TEST

START_TEST(test_process_gone)
{
	struct path held;
	struct file *f;
	char buf[64];
	int64_t pos = 0;

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/1", LOOKUP_DIRECTORY, &held), 0);
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/1/comm", O_RDONLY, 0, &f), 0);
	pid_remove(1);
	/* Open files say ESRCH; new lookups do not find it, even with its
	 * directory still held. */
	ck_assert_int_eq(vfs_read(f, &task, buf, sizeof(buf), &pos), -ESRCH);
	file_put(f);
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/1/comm", O_RDONLY, 0, &f), -ENOENT);
	ck_assert(!listed("/", "1"));
	path_put(&held);
	ck_assert_int_eq(pid_insert(1, &task), 0);
	ck_assert(listed("/", "1"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("procfs");
	TCase *tc = tcase_create("procfs");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_root_listing);
	tcase_add_test(tc, test_generated_files);
	tcase_add_test(tc, test_writes);
	tcase_add_test(tc, test_fd_links);
	tcase_add_test(tc, test_hostfd_reopen);
	tcase_add_test(tc, test_self_link);
	tcase_add_test(tc, test_process_gone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
