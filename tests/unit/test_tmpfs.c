/* tmpfs on its own: data in memory-file pages, holes, size and inode
 * limits, directory positions under change, the namespace operations,
 * xattrs, options. Operations go straight to the inode operations. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#include "runsc/util.h"
#include "sentry/fs/procfs.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/mm.h"
#include "sentry/pagecache.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif

static struct memfile mf;

static struct inode *mk(const char *opts)
{
	struct tmpfs_opts o;
	struct inode *root;

	ck_assert_int_eq(tmpfs_parse_options(opts, &o), 0);
	ck_assert_int_eq(tmpfs_new(&mf, "tmpfs", 0, &o, &root), 0);
	return root;
}

static struct inode *lookup(struct inode *dir, const char *name)
{
	struct inode *ino = NULL;

	return dir->iops->lookup(dir, name, &ino) == 0 ? ino : NULL;
}

static struct file *openf(struct inode *ino, int flags)
{
	struct file *f = file_alloc(ino->fops, flags, NULL);

	f->inode = inode_get(ino);
	if (ino->iops->open)
		ck_assert_int_eq(ino->iops->open(ino, f), 0);
	return f;
}

static struct inode *create(struct inode *dir, const char *name)
{
	struct inode *ino;

	ck_assert_int_eq(dir->iops->create(dir, name, 0644, &ino), 0);
	return ino;
}

START_TEST(test_data)
{
	struct inode *root = mk(NULL), *f = create(root, "f");
	struct file *fp = openf(f, O_RDWR);
	static char buf[3 * 4096], back[3 * 4096];
	int64_t pos = 1000;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	ck_assert_int_eq(fp->ops->write(fp, NULL, buf, sizeof(buf), &pos), sizeof(buf));
	ck_assert_int_eq(pos, 1000 + sizeof(buf));
	ck_assert_int_eq(f->size, 1000 + sizeof(buf));
	ck_assert_int_eq(f->blocks, 4 * 8); /* 4 pages touched */
	pos = 1000;
	ck_assert_int_eq(fp->ops->read(fp, NULL, back, sizeof(back), &pos), sizeof(back));
	ck_assert_int_eq(memcmp(buf, back, sizeof(buf)), 0);
	/* Before the data: a hole of zeroes inside the first page. */
	pos = 0;
	ck_assert_int_eq(fp->ops->read(fp, NULL, back, 1000, &pos), 1000);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(back[i], 0);
	/* Sparse: a write far away allocates one page. */
	pos = 100 << 20;
	ck_assert_int_eq(fp->ops->write(fp, NULL, "z", 1, &pos), 1);
	ck_assert_int_eq(f->blocks, 5 * 8);
	ck_assert_int_eq(fp->ops->llseek(fp, 20000, SEEK_DATA), 100 << 20);
	ck_assert_int_eq(fp->ops->llseek(fp, 0, SEEK_HOLE), 4 * 4096);
	ck_assert_int_eq(fp->ops->llseek(fp, 100 << 20, SEEK_HOLE), (100 << 20) + 1);
	ck_assert_int_eq(fp->ops->llseek(fp, (100 << 20) + 1, SEEK_DATA), -ENXIO);
	/* Shrinking frees pages and zeroes the tail of the last one. */
	struct vfs_iattr ia = { .valid = VFS_ATTR_SIZE, .size = 1001 };
	ck_assert_int_eq(f->iops->setattr(f, &ia), 0);
	ck_assert_int_eq(f->blocks, 8);
	ia.size = 5000;
	ck_assert_int_eq(f->iops->setattr(f, &ia), 0);
	pos = 1001;
	ck_assert_int_eq(fp->ops->read(fp, NULL, back, 100, &pos), 100);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(back[i], 0);
	/* Punching a hole gives whole pages back. */
	ia.size = 3 * 4096;
	ck_assert_int_eq(f->iops->setattr(f, &ia), 0);
	pos = 0;
	ck_assert_int_eq(fp->ops->write(fp, NULL, buf, sizeof(buf), &pos), sizeof(buf));
	ck_assert_int_eq(fp->ops->fallocate(fp, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 8192), 0);
	ck_assert_int_eq(f->blocks, 2 * 8);
	pos = 100;
	ck_assert_int_eq(fp->ops->read(fp, NULL, back, 8192, &pos), 8192);
	for (int i = 0; i < 8192; i++)
		ck_assert_int_eq(back[i], 0);
	file_put(fp);
	inode_put(f);
	inode_put(root);
}
END_TEST

/* mmap moves a file's data into a page cache, which read, write, holes,
 * truncation and the size limit then work on. */
START_TEST(test_mapped)
{
	struct inode *root = mk("size=64k"), *f = create(root, "m");
	struct file *fp = openf(f, O_RDWR);
	static char buf[3 * 4096], back[3 * 4096];
	struct pagecache *pc;
	struct statfs st;
	int64_t pos = 4096;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 3 + 1);
	ck_assert_int_eq(fp->ops->write(fp, NULL, buf, sizeof(buf), &pos), sizeof(buf));
	ck_assert_int_eq(fp->ops->mmap(fp, &pc), 0);
	ck_assert_ptr_eq(pc, f->cache);
	ck_assert_int_eq(f->blocks, 3 * 8);
	/* What was written is in the cache, the hole before it still one. */
	ck_assert(pagecache_resident(pc, 4096));
	ck_assert(!pagecache_resident(pc, 0));
	pos = 4096;
	ck_assert_int_eq(fp->ops->read(fp, NULL, back, sizeof(back), &pos), sizeof(back));
	ck_assert_int_eq(memcmp(buf, back, sizeof(buf)), 0);
	ck_assert_int_eq(fp->ops->llseek(fp, 0, SEEK_DATA), 4096);
	ck_assert_int_eq(fp->ops->llseek(fp, 4096, SEEK_HOLE), 4 * 4096);
	/* The size limit still holds: 3 pages used, 13 left. */
	ck_assert_int_eq(root->sb->statfs(root->sb, &st), 0);
	ck_assert_int_eq(st.f_bfree, 13);
	static char big[14 * 4096];
	pos = 4 * 4096;
	ck_assert_int_eq(fp->ops->write(fp, NULL, big, sizeof(big), &pos), 13 * 4096);
	ck_assert_int_eq(fp->ops->write(fp, NULL, big, 1, &pos), -ENOSPC);
	/* Truncation gives pages back. */
	struct vfs_iattr ia = { .valid = VFS_ATTR_SIZE, .size = 4096 + 10 };
	ck_assert_int_eq(f->iops->setattr(f, &ia), 0);
	ck_assert_int_eq(root->sb->statfs(root->sb, &st), 0);
	ck_assert_int_eq(st.f_bfree, 15);
	ia.size = 3 * 4096;
	ck_assert_int_eq(f->iops->setattr(f, &ia), 0);
	pos = 4096 + 10;
	ck_assert_int_eq(fp->ops->read(fp, NULL, back, 100, &pos), 100);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(back[i], 0);
	file_put(fp);
	inode_put(f);
	ck_assert_int_eq(root->iops->unlink(root, "m"), 0);
	ck_assert_int_eq(root->sb->statfs(root->sb, &st), 0);
	ck_assert_int_eq(st.f_bfree, 16);
	inode_put(root);
}
END_TEST


START_TEST(test_limits)
{
	struct inode *root = mk("size=16k,nr_inodes=4"), *f = create(root, "f"), *g;
	struct file *fp = openf(f, O_RDWR);
	static char buf[20000];
	struct statfs st;
	int64_t pos = 0;

	ck_assert_int_eq(fp->ops->write(fp, NULL, buf, sizeof(buf), &pos), 16384);
	ck_assert_int_eq(fp->ops->write(fp, NULL, buf, 1, &pos), -ENOSPC);
	ck_assert_int_eq(root->sb->statfs(root->sb, &st), 0);
	ck_assert_int_eq(st.f_type, TMPFS_MAGIC);
	ck_assert_int_eq(st.f_blocks, 4);
	ck_assert_int_eq(st.f_bfree, 0);
	ck_assert_int_eq(st.f_files, 4);
	ck_assert_int_eq(st.f_ffree, 2);
	ck_assert_int_eq(root->iops->mkdir(root, "d", 0755), 0);
	ck_assert_int_eq(root->iops->mkdir(root, "e", 0755), 0);
	ck_assert_int_eq(root->iops->create(root, "g", 0644, &g), -ENOSPC);
	ck_assert_int_eq(root->iops->mkdir(root, "h", 0755), -ENOSPC);
	/* Remount: not below what is used. */
	ck_assert_int_eq(root->sb->remount(root->sb, "size=8k"), -EINVAL);
	ck_assert_int_eq(root->sb->remount(root->sb, "size=32k,nr_inodes=10"), 0);
	ck_assert_int_eq(fp->ops->write(fp, NULL, buf, 1, &pos), 1);
	ck_assert_int_eq(root->sb->remount(root->sb, "bogus=1"), -EINVAL);
	char opts[128];
	ck_assert_int_gt(root->sb->show_options(root->sb, opts, sizeof(opts)), 0);
	ck_assert_str_eq(opts, "size=32k,nr_inodes=10");
	file_put(fp);
	inode_put(f);
	inode_put(root);
}
END_TEST

START_TEST(test_options)
{
	struct tmpfs_opts o;

	ck_assert_int_eq(tmpfs_parse_options("size=1m,mode=700,uid=5,gid=6", &o), 0);
	ck_assert_int_eq(o.max_pages, 256);
	ck_assert_int_eq(o.mode, 0700);
	ck_assert_int_eq(o.uid, 5);
	ck_assert_int_eq(o.gid, 6);
	ck_assert_int_eq(tmpfs_parse_options("size=0", &o), 0);
	ck_assert_int_eq(o.max_pages, 0); /* unlimited */
	ck_assert_int_eq(tmpfs_parse_options("size=1", &o), 0);
	ck_assert_int_eq(o.max_pages, 1);
	ck_assert_int_eq(tmpfs_parse_options("nr_inodes=2k", &o), 0);
	ck_assert_int_eq(o.max_inodes, 2048);
	ck_assert_int_eq(tmpfs_parse_options("size=-1", &o), -EINVAL);
	ck_assert_int_eq(tmpfs_parse_options("mode=9", &o), -EINVAL);
	ck_assert_int_eq(tmpfs_parse_options("size", &o), -EINVAL);
	ck_assert_int_eq(tmpfs_parse_options("huge=always", &o), -EINVAL);
	ck_assert_int_eq(tmpfs_parse_options("", &o), 0);
	ck_assert_int_eq(o.mode, 01777);
}
END_TEST

struct collect {
	struct dir_context ctx;
	char names[512][16];
	int n, max;
};

static bool collect_actor(struct dir_context *ctx, const char *name, int len, int64_t next,
			  uint64_t ino, unsigned int dtype)
{
	struct collect *c = container_of(ctx, struct collect, ctx);

	if (c->n >= c->max)
		return false;
	snprintf(c->names[c->n++], 16, "%.*s", len, name);
	return true;
}

START_TEST(test_dir_positions)
{
	struct inode *root = mk(NULL), *ino;
	struct file *d = openf(root, O_RDONLY);
	struct collect c = { .ctx.actor = collect_actor, .max = 12 };
	char name[16];
	int seen[300] = { 0 };

	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		inode_put(create(root, name));
	}
	ck_assert_int_eq(d->ops->iterate(d, &c.ctx), 0);
	ck_assert_int_eq(c.n, 12);
	ck_assert_str_eq(c.names[0], ".");
	ck_assert_str_eq(c.names[1], "..");
	ck_assert_str_eq(c.names[2], "n0");
	int64_t resume = c.ctx.pos;
	/* Remove some not read yet, add others: the rest reads on. */
	for (int i = 50; i < 150; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		ck_assert_int_eq(root->iops->unlink(root, name), 0);
	}
	for (int i = 200; i < 250; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		inode_put(create(root, name));
	}
	c.n = 0;
	c.max = 512;
	c.ctx.pos = resume;
	ck_assert_int_eq(d->ops->iterate(d, &c.ctx), 0);
	ck_assert_str_eq(c.names[0], "n10");
	for (int i = 0; i < c.n; i++)
		seen[atoi(c.names[i] + 1)]++;
	for (int i = 10; i < 250; i++)
		ck_assert_int_eq(seen[i], (i >= 50 && i < 150) ? 0 : 1);
	/* Past the end stays at the end; new entries come after. */
	c.n = 0;
	ck_assert_int_eq(d->ops->iterate(d, &c.ctx), 0);
	ck_assert_int_eq(c.n, 0);
	inode_put(create(root, "late"));
	ck_assert_int_eq(d->ops->iterate(d, &c.ctx), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_str_eq(c.names[0], "late");
	ck_assert_ptr_nonnull(ino = lookup(root, "n7"));
	inode_put(ino);
	ck_assert_ptr_null(lookup(root, "n77"));
	file_put(d);
	inode_put(root);
}
END_TEST

START_TEST(test_namespace)
{
	struct inode *root = mk(NULL), *a, *b, *d, *x;

	a = create(root, "a");
	b = create(root, "b");
	ck_assert_int_eq(root->iops->create(root, "a", 0644, &x), -EEXIST);
	ck_assert_int_eq(root->iops->mkdir(root, "d", 0755), 0);
	ck_assert_int_eq(root->nlink, 3);
	d = lookup(root, "d");
	ck_assert_int_eq(d->nlink, 2);
	ck_assert_int_eq(root->iops->link(d, "a2", a), 0);
	ck_assert_int_eq(a->nlink, 2);
	ck_assert_int_eq(root->iops->rmdir(root, "d"), -ENOTEMPTY);
	ck_assert_int_eq(root->iops->rename(root, "a", root, "b", RENAME_NOREPLACE), -EEXIST);
	ck_assert_int_eq(root->iops->rename(root, "a", root, "b", RENAME_EXCHANGE), 0);
	ck_assert_ptr_eq(x = lookup(root, "a"), b);
	inode_put(x);
	ck_assert_ptr_eq(x = lookup(root, "b"), a);
	inode_put(x);
	/* A directory moving between parents moves its "..". */
	ck_assert_int_eq(root->iops->mkdir(d, "sub", 0755), 0);
	ck_assert_int_eq(d->nlink, 3);
	ck_assert_int_eq(root->iops->rename(d, "sub", root, "sub", 0), 0);
	ck_assert_int_eq(d->nlink, 2);
	ck_assert_int_eq(root->nlink, 4);
	ck_assert_int_eq(root->iops->rename(root, "sub", root, "a", 0), -ENOTDIR);
	ck_assert_int_eq(root->iops->rename(root, "a", root, "sub", 0), -EISDIR);
	/* RENAME_WHITEOUT leaves a 0/0 character device ("b" is a now). */
	ck_assert_int_eq(root->iops->rename(root, "b", d, "moved", RENAME_WHITEOUT), 0);
	ck_assert_ptr_nonnull(x = lookup(root, "b"));
	ck_assert(S_ISCHR(x->mode) && x->rdev == 0);
	inode_put(x);
	/* Device nodes are refused; FIFOs and sockets are fine. */
	ck_assert_int_eq(root->iops->mknod(root, "c", S_IFCHR | 0644, 0x103), -EPERM);
	ck_assert_int_eq(root->iops->mknod(root, "p", S_IFIFO | 0644, 0), 0);
	ck_assert_int_eq(root->iops->symlink(root, "s", "target"), 0);
	char buf[16];
	ck_assert_ptr_nonnull(x = lookup(root, "s"));
	ck_assert_int_eq(x->iops->readlink(x, buf, sizeof(buf)), 6);
	ck_assert_int_eq(x->size, 6);
	inode_put(x);
	/* An unlinked inode lives while referenced. */
	ck_assert_int_eq(root->iops->unlink(d, "a2"), 0);
	ck_assert_int_eq(root->iops->unlink(d, "moved"), 0);
	ck_assert_int_eq(a->nlink, 0);
	ck_assert_int_eq(root->iops->link(root, "back", a), -ENOENT);
	ck_assert_int_eq(root->iops->rmdir(root, "d"), 0);
	ck_assert_int_eq(d->nlink, 0);
	ck_assert_int_eq(root->iops->mkdir(d, "late", 0755), -ENOENT);
	/* O_TMPFILE files may get a name. */
	ck_assert_int_eq(root->iops->tmpfile(root, 0600, &x), 0);
	ck_assert_int_eq(x->nlink, 0);
	ck_assert_int_eq(root->iops->link(root, "named", x), 0);
	ck_assert_int_eq(x->nlink, 1);
	inode_put(x);
	inode_put(a);
	inode_put(b);
	inode_put(d);
	inode_put(root);
}
END_TEST

START_TEST(test_xattrs)
{
	struct inode *root = mk(NULL), *f = create(root, "f");
	char buf[64];

	ck_assert_int_eq(f->iops->setxattr(f, "user.a", "1", 1, 0), 0);
	ck_assert_int_eq(f->iops->setxattr(f, "user.a", "2", 1, XATTR_CREATE), -EEXIST);
	ck_assert_int_eq(f->iops->setxattr(f, "user.b", "22", 2, XATTR_REPLACE), -ENODATA);
	ck_assert_int_eq(f->iops->setxattr(f, "trusted.t", "333", 3, 0), 0);
	ck_assert_int_eq(f->iops->getxattr(f, "trusted.t", NULL, 0), 3);
	ck_assert_int_eq(f->iops->getxattr(f, "trusted.t", buf, 2), -ERANGE);
	ck_assert_int_eq(f->iops->listxattr(f, buf, sizeof(buf), NULL, NULL), 17);
	ck_assert_str_eq(buf, "user.a");
	ck_assert_str_eq(buf + 7, "trusted.t");
	ck_assert_int_eq(f->iops->removexattr(f, "user.a"), 0);
	ck_assert_int_eq(f->iops->removexattr(f, "user.a"), -ENODATA);
	ck_assert_int_eq(f->iops->listxattr(f, NULL, 0, NULL, NULL), 10);
	inode_put(f);
	inode_put(root);
}
END_TEST

/* The mount tree over tmpfs: mount(2)'s pieces, and what /proc/mounts
 * shows of them (tmpfs options included). */
START_TEST(test_mount_tree)
{
	struct kernel *k = kernel;
	struct inode *r = mk("mode=755");
	struct path rootp, a, b;
	struct mount *top, *m, *bm;

	ck_assert_int_eq(vfs_mount(NULL, r, 0, &top), 0);
	inode_put(r);
	ck_assert_ptr_eq(k->root_mount, top);
	ck_assert_int_eq(r->iops->mkdir(r, "a", 0755), 0);
	ck_assert_int_eq(r->iops->mkdir(r, "b c", 0755), 0);
	ck_assert_int_eq(vfs_root_path(&rootp), 0);
	ck_assert_int_eq(vfs_lookup(NULL, AT_FDCWD, "/a", LOOKUP_FOLLOW, &a), 0);
	ck_assert_int_eq(do_new_mount(&a, "tmpfs", "src", MS_NOSUID, "size=1m", &m), 0);
	ck_assert_int_eq(do_new_mount(&a, "nosuchfs", "src", 0, NULL, NULL), -ENODEV);
	/* A bind of the new mount's root onto "/b c". */
	struct path mroot = { m, m->root };
	ck_assert_int_eq(vfs_lookup(NULL, AT_FDCWD, "/b c", LOOKUP_FOLLOW, &b), 0);
	ck_assert_int_eq(do_bind_mount(&mroot, &b, false, &bm), 0);
	mnt_set_flags(bm, bm->flags | MS_RDONLY);
	struct sbuf text = { 0 };
	ck_assert_int_eq(procfs_show_mounts(NULL, &text), 0);
	sbuf_write(&text, "", 1);
	ck_assert_str_eq(text.buf, "tmpfs / tmpfs rw,relatime,mode=755 0 0\n"
				   "src /a tmpfs rw,nosuid,relatime,size=1024k 0 0\n"
				   "src /b\\040c tmpfs ro,nosuid,relatime,size=1024k 0 0\n");
	sbuf_free(&text);
	ck_assert_int_eq(procfs_show_mountinfo(NULL, &text), 0);
	sbuf_write(&text, "", 1);
	ck_assert_ptr_nonnull(strstr(text.buf, " / /a rw,nosuid,relatime - tmpfs src rw,size=1024k\n"));
	sbuf_free(&text);
	ck_assert(mnt_has_children(top));
	mnt_detach_tree(bm);
	mnt_detach_tree(m);
	ck_assert(!mnt_has_children(top));
	path_put(&a);
	path_put(&b);
	mnt_detach(top);
	path_put(&rootp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tmpfs");
	TCase *tc = tcase_create("tmpfs");
	SRunner *sr;
	int failed;

	static struct kernel k;

	if (memfile_init(&mf, 1ULL << 32) < 0)
		return EXIT_FAILURE;
	/* Page caches take their memory from the kernel's memory file. */
	k.mf = &mf;
	kernel = &k;
	tcase_add_test(tc, test_data);
	tcase_add_test(tc, test_mapped);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_dir_positions);
	tcase_add_test(tc, test_namespace);
	tcase_add_test(tc, test_xattrs);
	tcase_add_test(tc, test_mount_tree);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* Every page went back. */
	if (!failed && mf.allocated != 0) {
		fprintf(stderr, "memory file: %llu bytes still allocated\n", (unsigned long long)mf.allocated);
		failed = 1;
	}
	memfile_destroy(&mf);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
