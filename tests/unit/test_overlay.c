/* The overlay over a lower tmpfs standing in for the rootfs: lookups
 * through both layers, copy-up (data, holes, attributes, xattrs, inode
 * numbers), whiteouts, opaque directories, merged listings, renames. The
 * lower layer must never change. Operations go to the inode operations. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#include "runsc/util.h"
#include "sentry/fs/overlay.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/memfile.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#endif

static struct memfile mf;
static struct inode *lower, *root;

static struct inode *lookup(struct inode *dir, const char *name)
{
	struct inode *ino = NULL;

	return dir->iops->lookup(dir, name, &ino) == 0 ? ino : NULL;
}

/* Looks up a slash-separated relative path. */
static struct inode *walk(struct inode *from, const char *path)
{
	char buf[256], *save = NULL;
	struct inode *cur = inode_get(from);

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *c = strtok_r(buf, "/", &save); c && cur; c = strtok_r(NULL, "/", &save)) {
		struct inode *next = lookup(cur, c);

		inode_put(cur);
		cur = next;
	}
	return cur;
}

static struct file *openf(struct inode *ino, int flags)
{
	struct file *f = file_alloc(ino->fops, flags, NULL);

	f->inode = inode_get(ino);
	if (ino->iops->open && ino->iops->open(ino, f) < 0) {
		static const struct file_ops none;

		f->ops = &none;
		file_put(f);
		return NULL;
	}
	return f;
}

static void put_file(struct inode *dir, const char *name, const char *data, int64_t at)
{
	struct inode *ino;
	struct file *f;
	int64_t pos = at;

	ck_assert_int_eq(dir->iops->create(dir, name, 0640, &ino), 0);
	f = openf(ino, O_WRONLY);
	ck_assert_int_eq(f->ops->write(f, NULL, data, strlen(data), &pos), (ssize_t)strlen(data));
	file_put(f);
	inode_put(ino);
}

/* The content of a file (first 63 bytes). */
static const char *content(struct inode *from, const char *path)
{
	static char buf[64];
	struct inode *ino = walk(from, path);
	struct file *f;
	int64_t pos = 0;
	ssize_t n;

	if (!ino)
		return "(none)";
	f = openf(ino, O_RDONLY);
	n = f->ops->read(f, NULL, buf, sizeof(buf) - 1, &pos);
	buf[n > 0 ? n : 0] = '\0';
	file_put(f);
	inode_put(ino);
	return buf;
}

struct listing {
	struct dir_context ctx;
	char names[1024];
};

static bool list_actor(struct dir_context *ctx, const char *name, int len, int64_t next,
		       uint64_t ino, unsigned int dtype)
{
	struct listing *l = container_of(ctx, struct listing, ctx);

	if ((len == 1 && name[0] == '.') || (len == 2 && !strncmp(name, "..", 2)))
		return true;
	if (l->names[0])
		strcat(l->names, " ");
	strncat(l->names, name, (size_t)len);
	return true;
}

/* The names in a directory, sorted, space-separated. */
static const char *list(struct inode *from, const char *path)
{
	static struct listing l;
	struct inode *dir = path ? walk(from, path) : inode_get(from);
	struct file *f = openf(dir, O_RDONLY);
	char *names[64], *save = NULL, tmp[1024];
	int n = 0;

	memset(&l, 0, sizeof(l));
	l.ctx.actor = list_actor;
	ck_assert_int_eq(f->ops->iterate(f, &l.ctx), 0);
	file_put(f);
	inode_put(dir);
	snprintf(tmp, sizeof(tmp), "%s", l.names);
	for (char *c = strtok_r(tmp, " ", &save); c && n < 64; c = strtok_r(NULL, " ", &save))
		names[n++] = c;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) > 0) {
				char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	l.names[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(l.names, " ");
		strcat(l.names, names[i]);
	}
	return l.names;
}

/* Lower: /etc/hostname, /etc/passwd, /dir/{a,b,sub/c}, /lnk -> etc,
 * /sparse (data at 0 and 1 MiB), /empty/. */
static void setup(void)
{
	struct tmpfs_opts o;
	struct inode *upper, *etc, *dir, *sub, *x;

	ck_assert_int_eq(memfile_init(&mf, 1ULL << 32), 0);
	ck_assert_int_eq(tmpfs_parse_options("mode=0755", &o), 0);
	ck_assert_int_eq(tmpfs_new(&mf, "tmpfs", 0, &o, &lower), 0);
	lower->iops->mkdir(lower, "etc", 0755);
	lower->iops->mkdir(lower, "dir", 0755);
	lower->iops->mkdir(lower, "empty", 0755);
	lower->iops->symlink(lower, "lnk", "etc");
	etc = lookup(lower, "etc");
	put_file(etc, "hostname", "lowerhost", 0);
	put_file(etc, "passwd", "root:x:0:0", 0);
	x = lookup(etc, "passwd");
	x->iops->setxattr(x, "user.origin", "lower", 5, 0);
	struct vfs_iattr ia = { .valid = VFS_ATTR_UID | VFS_ATTR_MTIME, .uid = 42,
				.mtime = { 1234567890, 0 } };
	x->iops->setattr(x, &ia);
	inode_put(x);
	dir = lookup(lower, "dir");
	put_file(dir, "a", "A", 0);
	put_file(dir, "b", "B", 0);
	dir->iops->mkdir(dir, "sub", 0755);
	sub = lookup(dir, "sub");
	put_file(sub, "c", "C", 0);
	put_file(lower, "sparse", "head", 0);
	x = lookup(lower, "sparse");
	struct file *f = openf(x, O_WRONLY);
	int64_t pos = 1 << 20;
	f->ops->write(f, NULL, "tail", 4, &pos);
	file_put(f);
	inode_put(x);
	inode_put(etc);
	inode_put(dir);
	inode_put(sub);

	ck_assert_int_eq(tmpfs_parse_options(NULL, &o), 0);
	o.max_pages = o.max_inodes = 0;
	ck_assert_int_eq(tmpfs_new(&mf, "tmpfs", 0, &o, &upper), 0);
	ck_assert_int_eq(overlay_new(lower, upper, 0, &root), 0);
}

START_TEST(test_lookup_and_read)
{
	struct inode *a = walk(root, "etc/hostname"), *l = walk(lower, "etc/hostname");

	ck_assert_ptr_nonnull(a);
	ck_assert(inode_is_overlay(a));
	ck_assert_int_eq(a->ino, l->ino);
	ck_assert_int_ne(a->sb->dev, l->sb->dev);
	ck_assert_str_eq(content(root, "etc/hostname"), "lowerhost");
	ck_assert_str_eq(list(root, "dir"), "a b sub");
	ck_assert_ptr_null(walk(root, "etc/none"));
	/* The same name gives the same inode (one copy-up for everyone). */
	struct inode *again = walk(root, "etc/hostname");
	ck_assert_ptr_eq(again, a);
	inode_put(again);
	inode_put(a);
	inode_put(l);
	struct statfs st;
	ck_assert_int_eq(root->sb->statfs(root->sb, &st), 0);
	ck_assert_int_eq(st.f_type, OVERLAYFS_SUPER_MAGIC);
}
END_TEST

START_TEST(test_copy_up)
{
	struct inode *p = walk(root, "etc/passwd");
	uint64_t ino = p->ino;
	struct file *f = openf(p, O_RDWR | O_APPEND);
	int64_t pos = p->size;
	char buf[32];

	/* Opening for writing copied it up with its attributes. */
	ck_assert_ptr_eq(overlay_real_inode(p), overlay_real_inode(p));
	ck_assert(overlay_real_inode(p)->sb != lower->sb);
	ck_assert_int_eq(p->uid, 42);
	ck_assert_int_eq(p->mtime.tv_sec, 1234567890);
	ck_assert_int_eq(p->ino, ino);
	ck_assert_int_eq(p->iops->getxattr(p, "user.origin", buf, sizeof(buf)), 5);
	ck_assert_int_eq(f->ops->write(f, NULL, ":more", 5, &pos), 5);
	file_put(f);
	ck_assert_str_eq(content(root, "etc/passwd"), "root:x:0:0:more");
	ck_assert_str_eq(content(lower, "etc/passwd"), "root:x:0:0");
	/* chmod copies up too; the lower mode stays. */
	struct inode *h = walk(root, "etc/hostname"), *lh = walk(lower, "etc/hostname");
	struct vfs_iattr ia = { .valid = VFS_ATTR_MODE, .mode = 0600 };
	ck_assert_int_eq(h->iops->setattr(h, &ia), 0);
	ck_assert_int_eq(h->mode & 07777, 0600);
	ck_assert_int_eq(lh->mode & 07777, 0640);
	/* O_TRUNC copies up nothing of the data. */
	f = openf(h, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(h->size, 0);
	file_put(f);
	ck_assert_str_eq(content(lower, "etc/hostname"), "lowerhost");
	/* Holes stay holes. */
	struct inode *s = walk(root, "sparse"), *ls = walk(lower, "sparse");
	f = openf(s, O_WRONLY);
	file_put(f);
	ck_assert_int_eq(s->size, ls->size);
	ck_assert_int_eq(s->blocks, ls->blocks);
	ck_assert_str_eq(content(root, "sparse"), "head");
	inode_put(h);
	inode_put(lh);
	inode_put(s);
	inode_put(ls);
	inode_put(p);
}
END_TEST

START_TEST(test_whiteouts)
{
	struct inode *dir = walk(root, "dir"), *sub;

	ck_assert_int_eq(dir->iops->unlink(dir, "a"), 0);
	ck_assert_ptr_null(walk(root, "dir/a"));
	ck_assert_str_eq(content(lower, "dir/a"), "A");
	ck_assert_str_eq(list(root, "dir"), "b sub");
	/* A merged directory is empty once whiteouts hide the rest. */
	ck_assert_int_eq(dir->iops->rmdir(dir, "sub"), -ENOTEMPTY);
	sub = walk(root, "dir/sub");
	ck_assert_int_eq(sub->iops->unlink(sub, "c"), 0);
	inode_put(sub);
	ck_assert_int_eq(dir->iops->rmdir(dir, "sub"), 0);
	ck_assert_ptr_null(walk(root, "dir/sub"));
	/* Made again it is opaque: the lower c does not come back, and the
	 * marker itself is invisible. */
	ck_assert_int_eq(dir->iops->mkdir(dir, "sub", 0700), 0);
	ck_assert_str_eq(list(root, "dir/sub"), "");
	ck_assert_ptr_null(walk(root, "dir/sub/c"));
	sub = walk(root, "dir/sub");
	char buf[8];
	ck_assert_int_eq(sub->iops->getxattr(sub, "trusted.overlay.opaque", buf, sizeof(buf)), -ENODATA);
	ck_assert_int_eq(sub->iops->listxattr(sub, buf, sizeof(buf), NULL, NULL), 0);
	inode_put(sub);
	/* A new file where a whiteout was. */
	put_file(dir, "a", "new a", 0);
	ck_assert_str_eq(content(root, "dir/a"), "new a");
	ck_assert_str_eq(list(root, "dir"), "a b sub");
	ck_assert_str_eq(list(lower, "dir"), "a b sub");
	ck_assert_str_eq(list(lower, "dir/sub"), "c");
	inode_put(dir);
}
END_TEST

START_TEST(test_rename)
{
	struct inode *rt = root, *etc = walk(root, "etc"), *empty = walk(root, "empty");

	/* Lower directories cannot move (no redirects); files can. */
	ck_assert_int_eq(rt->iops->rename(rt, "dir", rt, "dir2", 0), -EXDEV);
	ck_assert_int_eq(rt->iops->rename(rt, "etc", rt, "empty", RENAME_EXCHANGE), -EXDEV);
	ck_assert_int_eq(etc->iops->rename(etc, "hostname", rt, "hn", 0), 0);
	ck_assert_ptr_null(walk(root, "etc/hostname"));
	ck_assert_str_eq(content(lower, "etc/hostname"), "lowerhost");
	/* A file over a lower one, then two exchanged. */
	ck_assert_int_eq(rt->iops->rename(rt, "hn", rt, "sparse", RENAME_NOREPLACE), -EEXIST);
	ck_assert_int_eq(rt->iops->rename(rt, "hn", rt, "sparse", 0), 0);
	ck_assert_ptr_null(walk(root, "hn"));
	ck_assert_int_eq(etc->iops->rename(etc, "passwd", rt, "sparse", RENAME_EXCHANGE), 0);
	ck_assert_str_eq(content(root, "etc/passwd"), "");
	/* An upper-only directory moves, and becomes opaque where the lower
	 * layer has the name. */
	ck_assert_int_eq(rt->iops->mkdir(rt, "newdir", 0755), 0);
	ck_assert_int_eq(rt->iops->rmdir(rt, "empty"), 0);
	ck_assert_int_eq(rt->iops->rename(rt, "newdir", rt, "empty", 0), 0);
	ck_assert_str_eq(list(root, "empty"), "");
	ck_assert_str_eq(list(root, NULL), "dir empty etc lnk sparse");
	ck_assert_str_eq(list(lower, NULL), "dir empty etc lnk sparse");
	inode_put(etc);
	inode_put(empty);
}
END_TEST

START_TEST(test_links_and_symlinks)
{
	struct inode *l = walk(root, "lnk"), *b = walk(root, "dir/b"), *dir = walk(root, "dir");
	char buf[16];

	ck_assert(S_ISLNK(l->mode));
	ck_assert_int_eq(l->iops->readlink(l, buf, sizeof(buf)), 3);
	/* link() copies the lower file up first. */
	ck_assert_int_eq(dir->iops->link(dir, "b2", b), 0);
	ck_assert_int_eq(b->nlink, 2);
	struct inode *b2 = walk(root, "dir/b2");
	ck_assert_ptr_eq(b2, b);
	ck_assert_int_eq(walk(lower, "dir/b")->nlink, 1);
	inode_put(b2);
	inode_put(b);
	inode_put(l);
	inode_put(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("overlay");
	TCase *tc = tcase_create("overlay");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_lookup_and_read);
	tcase_add_test(tc, test_copy_up);
	tcase_add_test(tc, test_whiteouts);
	tcase_add_test(tc, test_rename);
	tcase_add_test(tc, test_links_and_symlinks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* One process: the tests share the tree and build on each other. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
