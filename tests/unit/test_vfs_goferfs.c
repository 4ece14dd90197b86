/* goferfs against a real gofer server (gofer_serve in a child process)
 * serving a temporary directory, with devfs mounted on its /dev. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gofer/server.h"
#include "runsc/util.h"
#include "sentry/gofer_client.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

#define NFILES 300

static char tmpdir[] = "/tmp/test_goferfs.XXXXXX";
static struct kernel test_kernel;
static struct task task;
static struct cred cred;
static pid_t server;

static void put_file(const char *rel, const char *content)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write_all(fd, content, strlen(content)), 0);
	close(fd);
}

static void setup(void)
{
	struct gofer_client *c;
	struct path rp;
	char p[512];
	int sv[2], rootfd;

	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(p, sizeof(p), "%s/dev", tmpdir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/many", tmpdir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	for (int i = 0; i < NFILES; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "many/entry_%03d", i);
		put_file(rel, "");
	}
	put_file("hello", "hello, world\n");
	snprintf(p, sizeof(p), "%s/link", tmpdir);
	ck_assert_int_eq(symlink("many/../hello", p), 0);

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	rootfd = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
	server = fork();
	ck_assert_int_ge(server, 0);
	if (server == 0) {
		close(sv[0]);
		_exit(gofer_serve(sv[1], rootfd, 0) == 0 ? 0 : 1);
	}
	close(sv[1]);
	close(rootfd);

	ck_assert_int_eq(gofer_client_new(sv[0], &c), 0);
	test_kernel.gofer = c;
	/* goferfs itself at the root (the overlay has its own tests). */
	test_kernel.root_overlay_none = true;
	ck_assert_int_eq(vfs_init_root(&test_kernel), 0);

	ck_assert_int_eq(vfs_root_path(&rp), 0);
	task.fs = fs_context_new(&rp, &rp);
	path_put(&rp);
	cred.refcount = 1;
	cred.cap_effective = cred.cap_permitted = ~0ULL;
	task.cred = &cred;
}

static void teardown(void)
{
	char cmd[600];

	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static int opn(const char *path, int flags, struct file **f)
{
	struct file *tmp;
	int rc = vfs_open(&task, AT_FDCWD, path, flags, 0644, f ? f : &tmp);

	if (rc == 0 && !f)
		file_put(tmp);
	return rc;
}

START_TEST(test_read_write)
{
	struct file *f;
	char buf[64];
	int64_t pos = 0;
	struct stat st;

	ck_assert_int_eq(opn("/link", O_RDONLY, &f), 0);
	ck_assert_int_eq(vfs_read(f, NULL, buf, sizeof(buf), &pos), 13);
	ck_assert_int_eq(memcmp(buf, "hello, world\n", 13), 0);
	ck_assert_int_eq(vfs_fstat(f, &st), 0);
	ck_assert_int_eq(st.st_size, 13);
	ck_assert_int_eq(f->ops->llseek(f, -6, SEEK_END), 7);
	ck_assert_int_eq(f->pos, 7);
	file_put(f);

	ck_assert_int_eq(opn("/hello", O_WRONLY | O_APPEND, &f), 0);
	ck_assert_int_eq(vfs_write(f, NULL, "more\n", 5, &f->pos), 5);
	ck_assert_int_eq(f->pos, 18);
	file_put(f);

	ck_assert_int_eq(opn("/hello", O_RDWR | O_TRUNC, &f), 0);
	ck_assert_int_eq(vfs_fstat(f, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	pos = 0;
	ck_assert_int_eq(vfs_write(f, NULL, "abc", 3, &pos), 3);
	pos = 1;
	ck_assert_int_eq(vfs_read(f, NULL, buf, sizeof(buf), &pos), 2);
	ck_assert_int_eq(memcmp(buf, "bc", 2), 0);
	file_put(f);
}
END_TEST

START_TEST(test_lookup_and_stat)
{
	struct path p, q;
	struct stat st, st2;

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/link", 0, &p), 0);
	ck_assert_int_eq(vfs_stat_path(&p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	path_put(&p);
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/many/entry_007", 0, &p), 0);
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/many/../many/./entry_007", 0, &q), 0);
	ck_assert_ptr_eq(p.dentry, q.dentry);
	ck_assert_int_eq(vfs_stat_path(&p, &st), 0);
	ck_assert_int_eq(vfs_stat_path(&q, &st2), 0);
	ck_assert_int_eq(st.st_ino, st2.st_ino);
	ck_assert(S_ISREG(st.st_mode));
	path_put(&p);
	path_put(&q);
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/nope", 0, &p), -ENOENT);
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/hello/x", 0, &p), -ENOTDIR);
	/* devfs over the rootfs's /dev, with its own device number. */
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/dev/null", 0, &p), 0);
	ck_assert_int_eq(vfs_stat_path(&p, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	path_put(&p);
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/hello", 0, &p), 0);
	ck_assert_int_eq(vfs_stat_path(&p, &st2), 0);
	ck_assert_int_ne(st.st_dev, st2.st_dev);
	path_put(&p);
}
END_TEST

START_TEST(test_write_ops_erofs)
{
	/* goferfs writes through the gofer (tests/unit/test_goferfs_write.c);
	 * devfs cannot create. */
	ck_assert_int_eq(opn("/newfile", O_CREAT | O_WRONLY, NULL), 0);
	ck_assert_int_eq(opn("/hello", O_CREAT | O_RDONLY, NULL), 0);
	ck_assert_int_eq(opn("/dev/newfile", O_CREAT | O_WRONLY, NULL), -EACCES);
}
END_TEST

struct listing {
	struct dir_context ctx;
	int limit, count;
	int64_t last_pos;
	int seen[NFILES];
	int dots;
	char last_name[64];
};

static bool collect(struct dir_context *ctx, const char *name, int namelen, int64_t next_pos,
		    uint64_t ino, unsigned int dtype)
{
	struct listing *l = container_of(ctx, struct listing, ctx);
	char nm[64];

	if (l->count == l->limit)
		return false;
	ck_assert_int_gt(next_pos, l->last_pos);
	l->last_pos = next_pos;
	l->count++;
	snprintf(nm, sizeof(nm), "%.*s", namelen, name);
	strcpy(l->last_name, nm);
	if (!strcmp(nm, ".") || !strcmp(nm, "..")) {
		ck_assert_int_eq(dtype, DT_DIR);
		l->dots++;
	} else {
		int i;

		ck_assert_int_eq(sscanf(nm, "entry_%d", &i), 1);
		ck_assert_int_eq(dtype, DT_REG);
		l->seen[i]++;
	}
	return true;
}

START_TEST(test_readdir)
{
	struct listing l = { .ctx.actor = collect };
	struct file *f;
	int64_t saved = -1;
	char after_saved[64] = "";

	ck_assert_int_eq(opn("/many", O_RDONLY | O_DIRECTORY, &f), 0);
	for (int round = 0;; round++) {
		int before = l.count;

		l.limit = l.count + 7;
		l.ctx.pos = f->pos;
		ck_assert_int_eq(f->ops->iterate(f, &l.ctx), 0);
		f->pos = l.ctx.pos;
		if (round == 5)
			saved = f->pos;
		if (round == 6)
			strcpy(after_saved, l.last_name);
		if (l.count == before)
			break;
	}
	ck_assert_int_eq(l.dots, 2);
	for (int i = 0; i < NFILES; i++)
		ck_assert_int_eq(l.seen[i], 1);

	/* Seeking back to a position seen before resumes there. */
	ck_assert_int_eq(f->ops->llseek(f, saved, SEEK_SET), saved);
	memset(&l, 0, sizeof(l));
	l.ctx.actor = collect;
	l.last_pos = saved;
	l.limit = 7;
	l.ctx.pos = f->pos;
	ck_assert_int_eq(f->ops->iterate(f, &l.ctx), 0);
	ck_assert_str_eq(l.last_name, after_saved);
	file_put(f);

	/* A fresh open seeking straight to a far position skips there. */
	ck_assert_int_eq(opn("/many", O_RDONLY | O_DIRECTORY, &f), 0);
	memset(&l, 0, sizeof(l));
	l.ctx.actor = collect;
	l.limit = 1000;
	l.ctx.pos = NFILES; /* entries NFILES-2 .. NFILES-1 remain */
	l.last_pos = NFILES;
	ck_assert_int_eq(f->ops->iterate(f, &l.ctx), 0);
	ck_assert_int_eq(l.count, 2);
	file_put(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vfs_goferfs");
	TCase *tc = tcase_create("goferfs");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lookup_and_stat);
	tcase_add_test(tc, test_read_write);
	tcase_add_test(tc, test_write_ops_erofs);
	tcase_add_test(tc, test_readdir);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
