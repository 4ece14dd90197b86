/* Path resolution, open and devfs on a small synthetic tree (no gofer). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "runsc/util.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

/* ---- a tiny in-memory filesystem ---- */

#define TFS_MAX 64

struct tfs_dir {
	const char *names[TFS_MAX];
	struct inode *inos[TFS_MAX];
	int n;
};

static int lookups; /* calls into the filesystem, to see the dcache work */

static int tfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct tfs_dir *d = dir->priv;

	lookups++;
	for (int i = 0; i < d->n; i++) {
		if (strcmp(d->names[i], name) == 0) {
			*out = inode_get(d->inos[i]);
			return 0;
		}
	}
	return -ENOENT;
}

static int tfs_readlink(struct inode *ino, char *buf, size_t bufsz)
{
	size_t n = MIN(strlen(ino->priv), bufsz);

	memcpy(buf, ino->priv, n);
	return (int)n;
}

static const struct inode_ops tfs_dir_iops = { .lookup = tfs_lookup };
static const struct inode_ops tfs_lnk_iops = { .readlink = tfs_readlink };
static const struct inode_ops tfs_reg_iops = { 0 };
static const struct file_ops tfs_fops = { 0 };

static struct superblock *tsb;

static struct inode *tfs_add(struct inode *dir, const char *name, struct inode *ino)
{
	struct tfs_dir *d = dir->priv;

	d->names[d->n] = name;
	d->inos[d->n++] = ino; /* the directory keeps this reference */
	return ino;
}

static struct inode *tdir(struct inode *parent, const char *name, uint32_t perm)
{
	struct inode *ino = inode_new(tsb, S_IFDIR | perm, &tfs_dir_iops, &tfs_fops);

	ino->priv = xzalloc(sizeof(struct tfs_dir));
	return parent ? tfs_add(parent, name, ino) : ino;
}

static struct inode *tfile(struct inode *parent, const char *name, uint32_t perm)
{
	return tfs_add(parent, name, inode_new(tsb, S_IFREG | perm, &tfs_reg_iops, &tfs_fops));
}

static void tlink(struct inode *parent, const char *name, const char *target)
{
	struct inode *ino = inode_new(tsb, S_IFLNK | 0777, &tfs_lnk_iops, NULL);

	ino->priv = (void *)target;
	tfs_add(parent, name, ino);
}

/* ---- the sandbox around it ---- */

static struct task task;
static struct cred cred;
static struct mount *rootmnt;
static char chain_names[42][8], chain_targets[42][8];

static void setup(void)
{
	struct inode *root, *a, *b, *dev;
	struct path rp, devp;

	tsb = sb_new("testfs", 0);
	root = tdir(NULL, NULL, 0755);
	a = tdir(root, "a", 0755);
	b = tdir(a, "b", 0755);
	tfile(b, "f", 0644);
	tlink(a, "lnk_up", "..");
	tlink(a, "lnk_f", "b/f");
	tlink(a, "absb", "/b");
	tlink(root, "loop1", "loop2");
	tlink(root, "loop2", "loop1");
	tlink(root, "self", "self");
	tlink(root, "abs", "/a/b");
	tlink(root, "dangling", "nonexistent");
	tlink(root, "fslash", "file/");
	tlink(root, "empty", "");
	tfile(root, "file", 0644);
	tfile(root, "noperm", 0);
	tfile(root, "xonly", 0111);
	tdir(tdir(root, "secret", 0700), "inner", 0755);
	tdir(root, "mnt", 0755);
	/* l0 -> l1 -> ... -> l40 -> file: 41 links from l0, 40 from l1. */
	for (int i = 0; i <= 40; i++) {
		snprintf(chain_names[i], sizeof(chain_names[i]), "l%d", i);
		if (i == 40)
			snprintf(chain_targets[i], sizeof(chain_targets[i]), "file");
		else
			snprintf(chain_targets[i], sizeof(chain_targets[i]), "l%d", i + 1);
		tlink(root, chain_names[i], chain_targets[i]);
	}

	ck_assert_int_eq(vfs_mount(NULL, root, 0, &rootmnt), 0);
	inode_put(root);

	ck_assert_int_eq(vfs_root_path(&rp), 0);
	memset(&task, 0, sizeof(task));
	task.fs = fs_context_new(&rp, &rp);
	path_put(&rp);

	memset(&cred, 0, sizeof(cred));
	cred.refcount = 1;
	cred.cap_effective = cred.cap_permitted = ~0ULL;
	task.cred = &cred;

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/mnt", LOOKUP_FOLLOW, &devp), 0);
	ck_assert_int_eq(devfs_new_root(&dev), 0);
	ck_assert_int_eq(vfs_mount(&devp, dev, MS_NOSUID, NULL), 0);
	inode_put(dev);
	path_put(&devp);
}

static int look(const char *path, unsigned int flags)
{
	struct path p;
	int rc = vfs_lookup(&task, AT_FDCWD, path, flags, &p);

	if (rc == 0)
		path_put(&p);
	return rc;
}

static char *where(const char *path, unsigned int flags)
{
	static char buf[256];
	struct path p;
	int rc = vfs_lookup(&task, AT_FDCWD, path, flags, &p);

	if (rc < 0) {
		snprintf(buf, sizeof(buf), "error %d", rc);
		return buf;
	}
	rc = vfs_d_path(&p, &task.fs->root, buf, sizeof(buf));
	path_put(&p);
	ck_assert_int_ge(rc, 0);
	return buf;
}

static uint32_t mode_of(const char *path, unsigned int flags)
{
	struct path p;
	struct stat st;

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, path, flags, &p), 0);
	ck_assert_int_eq(vfs_stat_path(&p, &st), 0);
	path_put(&p);
	return st.st_mode;
}

START_TEST(test_basic)
{
	ck_assert_str_eq(where("/a/b/f", LOOKUP_FOLLOW), "/a/b/f");
	ck_assert_str_eq(where("a//b///f", LOOKUP_FOLLOW), "/a/b/f");
	ck_assert_str_eq(where("/", 0), "/");
	ck_assert_str_eq(where("/a/./b/.", 0), "/a/b");
	ck_assert_int_eq(look("", 0), -ENOENT);
	ck_assert_int_eq(look("/nope", 0), -ENOENT);
	ck_assert_int_eq(look("/nope/x", 0), -ENOENT);
	ck_assert_str_eq(where("", LOOKUP_EMPTY), "/");
}
END_TEST

START_TEST(test_dotdot)
{
	ck_assert_str_eq(where("/..", 0), "/");
	ck_assert_str_eq(where("/../../a/..", 0), "/");
	ck_assert_str_eq(where("/a/b/../..", 0), "/");
	ck_assert_str_eq(where("/a/lnk_up/a/b", LOOKUP_FOLLOW), "/a/b");
}
END_TEST

START_TEST(test_notdir_and_slash)
{
	ck_assert_int_eq(look("/file/", LOOKUP_FOLLOW), -ENOTDIR);
	ck_assert_int_eq(look("/file/x", LOOKUP_FOLLOW), -ENOTDIR);
	ck_assert_int_eq(look("/file/.", LOOKUP_FOLLOW), -ENOTDIR);
	ck_assert_int_eq(look("/file/..", LOOKUP_FOLLOW), -ENOTDIR);
	ck_assert_int_eq(look("/file", LOOKUP_DIRECTORY), -ENOTDIR);
	ck_assert_int_eq(look("/a/", 0), 0);
	ck_assert_int_eq(look("/a/b/f", 0), 0);
	/* A trailing slash follows a trailing symlink and wants a dir. */
	ck_assert_str_eq(where("/abs/", 0), "/a/b");
	ck_assert_int_eq(look("/a/lnk_f/", 0), -ENOTDIR);
	/* A symlink whose target ends in '/' names a directory. */
	ck_assert_int_eq(look("/fslash", LOOKUP_FOLLOW), -ENOTDIR);
	ck_assert_int_eq(look("/fslash", 0), 0);
}
END_TEST

START_TEST(test_symlinks)
{
	ck_assert_int_eq(S_ISLNK(mode_of("/abs", 0)), 1);
	ck_assert_int_eq(S_ISDIR(mode_of("/abs", LOOKUP_FOLLOW)), 1);
	ck_assert_str_eq(where("/a/lnk_f", LOOKUP_FOLLOW), "/a/b/f");
	ck_assert_str_eq(where("/abs/f", 0), "/a/b/f");
	ck_assert_int_eq(look("/loop1", LOOKUP_FOLLOW), -ELOOP);
	ck_assert_int_eq(look("/loop1", 0), 0);
	ck_assert_int_eq(look("/loop1/x", 0), -ELOOP);
	ck_assert_int_eq(look("/self", LOOKUP_FOLLOW), -ELOOP);
	ck_assert_int_eq(look("/dangling", LOOKUP_FOLLOW), -ENOENT);
	ck_assert_int_eq(look("/dangling", 0), 0);
	ck_assert_int_eq(look("/empty", LOOKUP_FOLLOW), -ENOENT);
	/* 40 links are fine, the 41st is one too many. */
	ck_assert_int_eq(look("/l1", LOOKUP_FOLLOW), 0);
	ck_assert_int_eq(S_ISREG(mode_of("/l1", LOOKUP_FOLLOW)), 1);
	ck_assert_int_eq(look("/l0", LOOKUP_FOLLOW), -ELOOP);
}
END_TEST

START_TEST(test_nametoolong)
{
	char name[300];

	name[0] = '/';
	memset(name + 1, 'x', 256);
	name[257] = '\0';
	ck_assert_int_eq(look(name, 0), -ENAMETOOLONG);
	name[256] = '\0'; /* 255 chars: merely absent */
	ck_assert_int_eq(look(name, 0), -ENOENT);
}
END_TEST

START_TEST(test_mounts)
{
	ck_assert_str_eq(where("/mnt/null", 0), "/mnt/null");
	ck_assert_int_eq(S_ISCHR(mode_of("/mnt/null", 0)), 1);
	ck_assert_str_eq(where("/mnt/..", 0), "/");
	ck_assert_str_eq(where("/mnt/shm/../../a", 0), "/a");
	ck_assert_str_eq(where("/mnt/pts/..", 0), "/mnt");
	ck_assert_int_eq(mode_of("/mnt/shm", 0), S_IFDIR | 01777);
	ck_assert_int_eq(S_ISLNK(mode_of("/mnt/stdin", 0)), 1);
	/* /proc is not there: the symlink dangles. */
	ck_assert_int_eq(look("/mnt/fd", LOOKUP_FOLLOW), -ENOENT);
	{
		struct path p;
		ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/mnt", 0, &p), 0);
		ck_assert_int_eq(path_mnt_flags(&p) & MS_NOSUID, MS_NOSUID);
		path_put(&p);
	}
}
END_TEST

START_TEST(test_chroot)
{
	struct path newroot, oldroot = task.fs->root;

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/a", 0, &newroot), 0);
	task.fs->root = newroot;
	ck_assert_str_eq(where("/..", 0), "/");
	ck_assert_str_eq(where("/b/f", 0), "/b/f");
	ck_assert_str_eq(where("/../../b", 0), "/b");
	ck_assert_str_eq(where("/absb", LOOKUP_FOLLOW), "/b");
	ck_assert_str_eq(where("/lnk_up/lnk_up/b", LOOKUP_FOLLOW), "/b");
	task.fs->root = oldroot;
	path_put(&newroot);
}
END_TEST

START_TEST(test_permission)
{
	cred.uid = cred.euid = cred.fsuid = 1000;
	cred.gid = cred.egid = cred.fsgid = 1000;
	cred.cap_effective = 0;
	ck_assert_int_eq(look("/secret/inner", 0), -EACCES);
	ck_assert_int_eq(look("/secret", 0), 0);
	/* CAP_DAC_READ_SEARCH searches any directory. */
	cred.cap_effective = 1ULL << CAP_DAC_READ_SEARCH;
	ck_assert_int_eq(look("/secret/inner", 0), 0);
	cred.cap_effective = 0;

	struct path p;
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/noperm", 0, &p), 0);
	ck_assert_int_eq(vfs_permission(&task, p.dentry->inode, MAY_READ), -EACCES);
	/* Root reads and writes anything but executes only with an x bit. */
	cred.fsuid = 0;
	cred.cap_effective = 1ULL << CAP_DAC_OVERRIDE;
	ck_assert_int_eq(vfs_permission(&task, p.dentry->inode, MAY_READ | MAY_WRITE), 0);
	ck_assert_int_eq(vfs_permission(&task, p.dentry->inode, MAY_EXEC), -EACCES);
	path_put(&p);
	cred.cap_effective = ~0ULL;
}
END_TEST

START_TEST(test_dcache_negative)
{
	int before;

	ck_assert_int_eq(look("/a/missing", 0), -ENOENT);
	before = lookups;
	ck_assert_int_eq(look("/a/missing", 0), -ENOENT);
	ck_assert_int_eq(look("/a/b/f", 0), 0);
	ck_assert_int_eq(lookups, before);
}
END_TEST

START_TEST(test_dcache_prune)
{
	struct path held;
	int refs;
	char name[64];

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/a/b/f", 0, &held), 0);
	refs = held.dentry->refcount;
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "/a/missing%d", i);
		ck_assert_int_eq(look(name, 0), -ENOENT);
		ck_assert_int_eq(look("/a/lnk_f", LOOKUP_FOLLOW), 0);
	}
	/* Unused dentries are bounded; references balance. */
	ck_assert_uint_le(dcache_count(), 1200);
	ck_assert_int_eq(held.dentry->refcount, refs);
	ck_assert_int_eq(look("/l1", LOOKUP_FOLLOW), 0);
	ck_assert_str_eq(where("/a/b/f", 0), "/a/b/f");
	path_put(&held);
}
END_TEST

static int opn(const char *path, int flags, struct file **f)
{
	struct file *tmp;
	int rc = vfs_open(&task, AT_FDCWD, path, flags, 0644, f ? f : &tmp);

	if (rc == 0 && !f)
		file_put(tmp);
	return rc;
}

START_TEST(test_open)
{
	struct file *f;
	char buf[16];
	int64_t pos = 0;

	ck_assert_int_eq(opn("/a/b/f", O_RDONLY, NULL), 0);
	ck_assert_int_eq(opn("/a/b/f", O_RDONLY | O_DIRECTORY, NULL), -ENOTDIR);
	ck_assert_int_eq(opn("/a/lnk_f", O_RDONLY | O_NOFOLLOW, NULL), -ELOOP);
	ck_assert_int_eq(opn("/a/lnk_f", O_PATH | O_NOFOLLOW, NULL), 0);
	ck_assert_int_eq(opn("/a", O_WRONLY, NULL), -EISDIR);
	ck_assert_int_eq(opn("/a", O_RDONLY | O_TRUNC, NULL), -EISDIR);
	ck_assert_int_eq(opn("/a", O_RDONLY | O_DIRECTORY, NULL), 0);
	ck_assert_int_eq(opn("/a/b/f", O_CREAT | O_EXCL | O_WRONLY, NULL), -EEXIST);
	ck_assert_int_eq(opn("/a/lnk_f", O_CREAT | O_EXCL | O_WRONLY, NULL), -EEXIST);
	ck_assert_int_eq(opn("/a/b/f", O_CREAT | O_RDONLY, NULL), 0);
	ck_assert_int_eq(opn("/a/lnk_f", O_CREAT | O_RDONLY, NULL), 0);
	ck_assert_int_eq(opn("/a", O_CREAT | O_RDONLY, NULL), -EISDIR);
	ck_assert_int_eq(opn("/a/new/", O_CREAT | O_RDONLY, NULL), -EISDIR);
	ck_assert_int_eq(opn("/a/new", O_CREAT | O_RDONLY, NULL), -EACCES);
	ck_assert_int_eq(opn("/dangling", O_CREAT | O_WRONLY, NULL), -EACCES);
	ck_assert_int_eq(opn("/dangling", O_CREAT | O_WRONLY | O_NOFOLLOW, NULL), -ELOOP);
	ck_assert_int_eq(opn("/a", O_CREAT | O_DIRECTORY, NULL), -EINVAL);

	ck_assert_int_eq(opn("/a/b/f", O_RDWR | O_CLOEXEC, &f), 0);
	ck_assert_int_eq(f->flags & O_CLOEXEC, 0);
	ck_assert_int_eq(f->flags & O_ACCMODE, O_RDWR);
	file_put(f);

	ck_assert_int_eq(opn("/mnt/zero", O_RDWR, &f), 0);
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(vfs_read(f, NULL, buf, sizeof(buf), &pos), sizeof(buf));
	ck_assert_int_eq(buf[0] | buf[15], 0);
	file_put(f);
	ck_assert_int_eq(opn("/mnt/null", O_RDWR, &f), 0);
	ck_assert_int_eq(vfs_read(f, NULL, buf, sizeof(buf), &pos), 0);
	ck_assert_int_eq(vfs_write(f, NULL, buf, sizeof(buf), &pos), sizeof(buf));
	ck_assert_int_eq(f->ops->llseek(f, 100, SEEK_SET), 0);
	file_put(f);
	ck_assert_int_eq(opn("/mnt/full", O_WRONLY, &f), 0);
	ck_assert_int_eq(vfs_write(f, NULL, buf, sizeof(buf), &pos), -ENOSPC);
	file_put(f);
	ck_assert_int_eq(opn("/mnt/urandom", O_RDONLY, &f), 0);
	ck_assert_int_eq(vfs_read(f, NULL, buf, sizeof(buf), &pos), sizeof(buf));
	file_put(f);
	ck_assert_int_eq(opn("/mnt/tty", O_RDWR, NULL), -ENXIO);
	ck_assert_int_eq(opn("/mnt/stdout", O_WRONLY, NULL), -ENOENT);
	/* devfs has no create op. */
	ck_assert_int_eq(opn("/mnt/newfile", O_CREAT | O_WRONLY, NULL), -EACCES);
}
END_TEST

static int open_as_user(const char *path, int flags)
{
	struct path p;
	struct file *f;
	int rc;

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, path, LOOKUP_FOLLOW, &p), 0);
	cred.fsuid = 1000;
	cred.fsgid = 1000;
	cred.cap_effective = 0;
	rc = vfs_open_path(&task, &p, flags, &f);
	cred.fsuid = 0;
	cred.fsgid = 0;
	cred.cap_effective = ~0ULL;
	if (rc == 0) {
		ck_assert_int_eq(f->flags & O_ACCMODE, O_RDONLY);
		file_put(f);
	}
	path_put(&p);
	return rc;
}

START_TEST(test_open_exec)
{
	ck_assert_int_eq(open_as_user("/xonly", O_RDONLY), -EACCES);
	ck_assert_int_eq(open_as_user("/xonly", O_RDONLY | O_VFS_EXEC), 0);
	ck_assert_int_eq(open_as_user("/a/b/f", O_RDONLY | O_VFS_EXEC), -EACCES);
	ck_assert_int_eq(open_as_user("/a", O_RDONLY | O_VFS_EXEC), -EACCES);
	ck_assert_int_eq(open_as_user("/mnt/null", O_RDONLY | O_VFS_EXEC), -EACCES);
}
END_TEST

START_TEST(test_setattr)
{
	struct vfs_iattr ia = { .valid = VFS_ATTR_MODE, .mode = 0600 };
	struct path p;

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/a/b/f", 0, &p), 0);
	/* The test filesystem cannot change attributes. */
	ck_assert_int_eq(vfs_setattr(&task, &p, &ia), -EPERM);
	cred.fsuid = 1000;
	cred.cap_effective = 0;
	ia.valid = VFS_ATTR_UID;
	ia.uid = 1000;
	ck_assert_int_eq(vfs_setattr(&task, &p, &ia), -EPERM);
	ia.valid = VFS_ATTR_ATIME | VFS_ATTR_MTIME;
	ck_assert_int_eq(vfs_setattr(&task, &p, &ia), -EACCES); /* "now" needs write access */
	ia.valid |= VFS_ATTR_TIMES_SET;
	ck_assert_int_eq(vfs_setattr(&task, &p, &ia), -EPERM);
	cred.fsuid = 0;
	cred.cap_effective = ~0ULL;
	path_put(&p);
}
END_TEST

struct names {
	struct dir_context ctx;
	char list[512];
	int count, limit;
};

static bool collect(struct dir_context *ctx, const char *name, int namelen, int64_t next_pos,
		    uint64_t ino, unsigned int dtype)
{
	struct names *n = container_of(ctx, struct names, ctx);

	if (n->count == n->limit)
		return false;
	n->count++;
	strncat(n->list, name, (size_t)namelen);
	strcat(n->list, dtype == DT_DIR ? "/ " : dtype == DT_LNK ? "@ " : " ");
	return true;
}

START_TEST(test_devfs_readdir)
{
	struct names n = { .ctx.actor = collect, .limit = 3 };
	struct file *f;

	ck_assert_int_eq(opn("/mnt", O_RDONLY | O_DIRECTORY, &f), 0);
	/* Three at a time, resuming from the position. */
	while (1) {
		int before = n.count;

		n.limit = n.count + 3;
		n.ctx.pos = f->pos;
		ck_assert_int_eq(f->ops->iterate(f, &n.ctx), 0);
		f->pos = n.ctx.pos;
		if (n.count == before)
			break;
	}
	ck_assert_str_eq(n.list, "./ ../ null zero full random urandom tty fd@ stdin@ stdout@ stderr@ shm/ mqueue/ pts/ ptmx@ ");
	file_put(f);
}
END_TEST

START_TEST(test_d_path_unreachable)
{
	struct path p, root;
	char buf[64];
	bool unreach;

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/mnt/shm", 0, &p), 0);
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/a", 0, &root), 0);
	ck_assert_int_eq(d_path_ex(&p, &root, buf, sizeof(buf), &unreach), 8);
	ck_assert_str_eq(buf, "/mnt/shm");
	ck_assert(unreach);
	ck_assert_int_eq(d_path_ex(&p, &root, buf, 5, &unreach), -ENAMETOOLONG);
	path_put(&p);
	path_put(&root);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vfs_namei");
	TCase *tc = tcase_create("namei");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_dotdot);
	tcase_add_test(tc, test_notdir_and_slash);
	tcase_add_test(tc, test_symlinks);
	tcase_add_test(tc, test_nametoolong);
	tcase_add_test(tc, test_mounts);
	tcase_add_test(tc, test_chroot);
	tcase_add_test(tc, test_permission);
	tcase_add_test(tc, test_dcache_negative);
	tcase_add_test(tc, test_dcache_prune);
	tcase_add_test(tc, test_open);
	tcase_add_test(tc, test_open_exec);
	tcase_add_test(tc, test_setattr);
	tcase_add_test(tc, test_devfs_readdir);
	tcase_add_test(tc, test_d_path_unreachable);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* One process: the tree built in setup() is shared by the tests. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
