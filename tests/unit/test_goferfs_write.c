/* goferfs write operations through the VFS against a real gofer server
 * (gofer_serve_mounts in a child process) serving temporary directories:
 * creation with the creating task's ids, the VFS's own checks in front of
 * the gofer, attributes, xattrs, statfs, fsync, and config.json bind
 * mounts (goferfs_mount_bind, goferfs_spec_bind_root and the boot-time
 * goferfs_mount_spec_binds). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "gofer/server.h"
#include "runsc/spec.h"
#include "runsc/util.h"
#include "sentry/fs/goferfs.h"
#include "sentry/gofer_client.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

static char root_dir[] = "/tmp/test_goferfs_w.XXXXXX";
static char bind_dir[] = "/tmp/test_goferfs_b.XXXXXX";
static char bind_file[96];
static struct kernel test_kernel;
static struct task task;
static struct cred cred;
static gid_t groups[1] = { 300 };
static pid_t server;

/* Spec with three mounts: a tmpfs (not the gofer's), then two binds. */
static char *opts_ro[] = { "rbind", "ro", NULL };
static char *opts_file[] = { "bind", NULL };
static char *opts_tmpfs[] = { "nosuid", NULL };
static struct spec_mount spec_mounts[3] = {
	{ .destination = "/tmpfs-not-mine", .type = "tmpfs", .source = "tmpfs",
	  .options = opts_tmpfs, .n_options = 1 },
	{ .destination = "/mnt/bound/deep", .type = "bind", .options = opts_ro, .n_options = 2 },
	{ .destination = "/etc/bound-file", .type = "none", .options = opts_file, .n_options = 1 },
};
static struct spec spec = { .mounts = spec_mounts, .n_mounts = 3 };

static void host_path(char *out, size_t len, const char *dir, const char *rel)
{
	snprintf(out, len, "%s/%s", dir, rel);
}

static void put_file(const char *dir, const char *rel, const char *content)
{
	char p[512];
	int fd;

	host_path(p, sizeof(p), dir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write_all(fd, content, strlen(content)), 0);
	close(fd);
}

static int host_stat(const char *rel, struct stat *st)
{
	char p[512];
	host_path(p, sizeof(p), root_dir, rel);
	return lstat(p, st);
}

/* Workload credentials: uid 1000, gid 100, supplementary group 300. */
static void as_user(bool capable)
{
	cred.uid = cred.euid = cred.suid = cred.fsuid = 1000;
	cred.gid = cred.egid = cred.sgid = cred.fsgid = 100;
	cred.groups = groups;
	cred.ngroups = 1;
	cred.cap_effective = cred.cap_permitted = capable ? ~0ULL : 0;
}

static void setup(void)
{
	struct gofer_client *c;
	struct path rp;
	char p[512];
	int sv[2];

	ck_assert_ptr_nonnull(mkdtemp(root_dir));
	ck_assert_ptr_nonnull(mkdtemp(bind_dir));
	ck_assert_int_eq(chmod(root_dir, 0777), 0);
	host_path(p, sizeof(p), root_dir, "dev");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	host_path(p, sizeof(p), root_dir, "etc");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	put_file(root_dir, "hello", "hello\n");
	put_file(bind_dir, "in-bind", "bound\n");
	snprintf(bind_file, sizeof(bind_file), "%s/in-bind", bind_dir);
	spec_mounts[1].source = bind_dir;
	spec_mounts[2].source = bind_file;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	server = fork();
	ck_assert_int_ge(server, 0);
	if (server == 0) {
		close(sv[0]);
		struct gofer_mount m[3] = {
			{ .fd = open(root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC), .parent_fd = -1 },
			{ .fd = open(bind_dir, O_PATH | O_DIRECTORY | O_CLOEXEC), .parent_fd = -1,
			  .readonly = true },
			{ .fd = open(bind_file, O_PATH | O_CLOEXEC),
			  .parent_fd = open(bind_dir, O_PATH | O_DIRECTORY | O_CLOEXEC),
			  .name = "in-bind" },
		};
		_exit(gofer_serve_mounts(sv[1], m, 3, 0) == 0 ? 0 : 1);
	}
	close(sv[1]);

	ck_assert_int_eq(gofer_client_new(sv[0], &c), 0);
	test_kernel.gofer = c;
	/* goferfs itself at the root (the overlay has its own tests), and the
	 * spec's binds mounted by test_binds, not by vfs_init_root. */
	test_kernel.root_overlay_none = true;
	kernel = &test_kernel;
	ck_assert_int_eq(vfs_init_root(&test_kernel), 0);
	test_kernel.spec = &spec;
	ck_assert_int_eq(vfs_root_path(&rp), 0);
	task.fs = fs_context_new(&rp, &rp);
	task.fs->umask = 022;
	path_put(&rp);
	cred.refcount = 1;
	as_user(true);
	task.cred = &cred;
	/* Creation takes the owner from the task whose syscall runs. */
	test_kernel.current = &task;
}

static void teardown(void)
{
	char cmd[600];

	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", root_dir, bind_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root_dir);
}

static struct inode *lookup_inode(const char *path, struct path *p)
{
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, path, 0, p), 0);
	return p->dentry->inode;
}

/* The parent directory inode of path and the dentry for its last
 * component, as the syscalls in sys_path.c reach the iops. */
struct target {
	struct path dir;
	struct dentry *child;
	const char *name;
};

static void target_get(const char *dir, const char *name, struct target *t)
{
	int rc;
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, dir, LOOKUP_FOLLOW, &t->dir), 0);
	t->child = d_lookup_child(t->dir.dentry, name, strlen(name), &rc);
	ck_assert_ptr_nonnull(t->child);
	t->name = name;
}

static void target_put(struct target *t, bool changed)
{
	if (changed)
		d_drop(t->child);
	dentry_put(t->child);
	path_put(&t->dir);
}

START_TEST(test_create_owner_and_mode)
{
	struct file *f;
	struct stat st;
	int64_t pos = 0;
	char buf[16];

	as_user(false);
	/* O_CREAT of a read-only mode still opens for writing (the fd CREATE
	 * donated), and the file belongs to the task's fsuid/fsgid. */
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/created", O_CREAT | O_EXCL | O_RDWR, 0444, &f), 0);
	ck_assert_int_eq(vfs_write(f, NULL, "data", 4, &pos), 4);
	file_put(f);
	ck_assert_int_eq(host_stat("created", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0444);
	ck_assert_uint_eq(st.st_uid, 1000);
	ck_assert_uint_eq(st.st_gid, 100);
	ck_assert_int_eq(st.st_size, 4);
	/* A second open goes through the gofer and the permission check. */
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/created", O_RDWR, 0, &f), -EACCES);
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/created", O_RDONLY, 0, &f), 0);
	pos = 0;
	ck_assert_int_eq(vfs_read(f, NULL, buf, sizeof(buf), &pos), 4);
	file_put(f);
	/* umask applies. */
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/masked", O_CREAT | O_WRONLY, 0777, &f), 0);
	file_put(f);
	ck_assert_int_eq(host_stat("masked", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	as_user(true);
}
END_TEST

START_TEST(test_setgid_dir_inheritance)
{
	struct target t;
	struct inode *ino, *dir;
	struct path p;
	struct stat st;
	char p2[512];

	host_path(p2, sizeof(p2), root_dir, "sgid");
	ck_assert_int_eq(mkdir(p2, 02777), 0);
	ck_assert_int_eq(chmod(p2, 02777), 0);
	ck_assert_int_eq(chown(p2, 0, 555), 0);
	as_user(false);
	/* A set-group-ID directory gives its group, and directories inherit
	 * the bit; a new file's set-group-ID bit is dropped for a group the
	 * creator is not in. */
	dir = lookup_inode("/sgid", &p);
	ck_assert_int_eq(dir->iops->mkdir(dir, "sub", S_IFDIR | 0755), 0);
	ck_assert_int_eq(dir->iops->create(dir, "f", S_IFREG | 02755, &ino), 0);
	inode_put(ino);
	path_put(&p);
	ck_assert_int_eq(host_stat("sgid/sub", &st), 0);
	ck_assert_uint_eq(st.st_gid, 555);
	ck_assert_uint_eq(st.st_uid, 1000);
	ck_assert_uint_eq(st.st_mode & 07777, 02755);
	ck_assert_int_eq(host_stat("sgid/f", &st), 0);
	ck_assert_uint_eq(st.st_gid, 555);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	/* ... kept for a member of the group. */
	groups[0] = 555;
	target_get("/sgid", "g", &t);
	ck_assert_int_eq(t.dir.dentry->inode->iops->create(t.dir.dentry->inode, "g", S_IFREG | 02755, &ino), 0);
	inode_put(ino);
	target_put(&t, true);
	groups[0] = 300;
	ck_assert_int_eq(host_stat("sgid/g", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 02755);
	as_user(true);
}
END_TEST

START_TEST(test_namespace_ops)
{
	struct inode *root, *ino, *hello;
	struct path rp, hp, p;
	struct file *f;
	struct stat st;
	char buf[64];
	int64_t pos;

	root = lookup_inode("/", &rp);
	/* mkdir, symlink, mknod (FIFO; devices refused), link. */
	ck_assert_int_eq(root->iops->mkdir(root, "d", S_IFDIR | 0750), 0);
	ck_assert_int_eq(host_stat("d", &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	ck_assert_int_eq(root->iops->mkdir(root, "d", S_IFDIR | 0750), -EEXIST);
	ck_assert_int_eq(root->iops->symlink(root, "sl", "/etc/passwd"), 0);
	ck_assert_int_eq(host_stat("sl", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(root->iops->mknod(root, "fifo", S_IFIFO | 0600, 0), 0);
	ck_assert_int_eq(host_stat("fifo", &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(root->iops->mknod(root, "null", S_IFCHR | 0666, makedev(1, 3)), -EPERM);
	ck_assert_int_eq(root->iops->mknod(root, "sda", S_IFBLK | 0666, makedev(8, 0)), -EPERM);
	ck_assert_int_eq(host_stat("null", &st), -1);
	hello = lookup_inode("/hello", &hp);
	ck_assert_int_eq(root->iops->link(root, "hello2", hello), 0);
	ck_assert_uint_eq(hello->nlink, 2);
	ck_assert_int_eq(host_stat("hello2", &st), 0);
	ck_assert_uint_eq(st.st_nlink, 2);
	/* A symlink made here reads back through the VFS. */
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/sl", 0, &p), 0);
	ck_assert_int_eq(p.dentry->inode->iops->readlink(p.dentry->inode, buf, sizeof(buf)), 11);
	path_put(&p);

	/* rename moves the dentry; the inode's fid keeps working under the
	 * new name (opened again after the rename). */
	struct target from, to;
	target_get("/", "hello", &from);
	target_get("/d", "moved", &to);
	ck_assert_int_eq(root->iops->rename(root, "hello", to.dir.dentry->inode, "moved", 0), 0);
	d_move(from.child, to.dir.dentry, "moved", 5);
	target_put(&from, false);
	target_put(&to, false);
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/d/moved", O_RDONLY, 0, &f), 0);
	ck_assert_ptr_eq(f->inode, hello);
	pos = 0;
	ck_assert_int_eq(vfs_read(f, NULL, buf, sizeof(buf), &pos), 6);
	file_put(f);
	path_put(&hp);
	ck_assert_int_eq(root->iops->rename(root, "hello2", root, "fifo", RENAME_NOREPLACE), -EEXIST);
	ck_assert_int_eq(root->iops->rename(root, "hello2", root, "fifo", RENAME_WHITEOUT), -EINVAL);
	ck_assert_int_eq(root->iops->rename(root, "hello2", root, "fifo", RENAME_EXCHANGE), 0);
	ck_assert_int_eq(host_stat("hello2", &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));

	/* unlink and rmdir. */
	ck_assert_int_eq(root->iops->unlink(root, "hello2"), 0);
	ck_assert_int_eq(root->iops->unlink(root, "d"), -EISDIR);
	ck_assert_int_eq(root->iops->rmdir(root, "d"), -ENOTEMPTY);
	ck_assert_int_eq(root->iops->create(root, "x", S_IFREG | 0600, &ino), 0);
	inode_put(ino);
	ck_assert_int_eq(root->iops->rmdir(root, "x"), -ENOTDIR);
	ck_assert_int_eq(root->iops->unlink(root, "x"), 0);
	ck_assert_int_eq(host_stat("x", &st), -1);
	path_put(&rp);
}
END_TEST

START_TEST(test_setattr)
{
	struct path p;
	struct stat st;
	struct vfs_iattr ia;

	put_file(root_dir, "attr", "0123456789");
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/attr", 0, &p), 0);
	ia = (struct vfs_iattr){ .valid = VFS_ATTR_MODE, .mode = 04711 };
	ck_assert_int_eq(vfs_setattr(&task, &p, &ia), 0);
	ck_assert_uint_eq(p.dentry->inode->mode & 07777, 04711);
	ia = (struct vfs_iattr){ .valid = VFS_ATTR_UID | VFS_ATTR_GID, .uid = 1000, .gid = 100 };
	ck_assert_int_eq(vfs_setattr(&task, &p, &ia), 0);
	ck_assert_uint_eq(p.dentry->inode->uid, 1000);
	/* chown clears set-user-ID, in the host as in Linux. */
	ck_assert_uint_eq(p.dentry->inode->mode & 07777, 0711);
	ia = (struct vfs_iattr){ .valid = VFS_ATTR_SIZE, .size = 4 };
	ck_assert_int_eq(vfs_setattr(&task, &p, &ia), 0);
	ck_assert_int_eq(p.dentry->inode->size, 4);
	ia = (struct vfs_iattr){ .valid = VFS_ATTR_ATIME | VFS_ATTR_MTIME | VFS_ATTR_TIMES_SET,
				 .atime = { 111, 1 }, .mtime = { 222, 2 } };
	ck_assert_int_eq(vfs_setattr(&task, &p, &ia), 0);
	ck_assert_int_eq(host_stat("attr", &st), 0);
	ck_assert_int_eq(st.st_size, 4);
	ck_assert_uint_eq(st.st_uid, 1000);
	ck_assert_int_eq(st.st_atim.tv_sec, 111);
	ck_assert_int_eq(st.st_atim.tv_nsec, 1);
	ck_assert_int_eq(st.st_mtim.tv_sec, 222);
	ck_assert_int_eq(p.dentry->inode->mtime.tv_sec, 222);
	/* The VFS checks first: someone else's file. */
	as_user(false);
	cred.fsuid = 2000;
	ia = (struct vfs_iattr){ .valid = VFS_ATTR_MODE, .mode = 0777 };
	ck_assert_int_eq(vfs_setattr(&task, &p, &ia), -EPERM);
	as_user(true);
	path_put(&p);
}
END_TEST

static bool no_trusted(const char *name, void *arg)
{
	return strncmp(name, "trusted.", 8) != 0;
}

START_TEST(test_xattr_statfs_fsync)
{
	struct inode *ino;
	struct file *f;
	struct path p;
	struct statfs sf, hsf;
	char buf[64];

	put_file(root_dir, "xa", "x");
	ino = lookup_inode("/xa", &p);
	ck_assert_int_eq(ino->iops->setxattr(ino, "user.one", "1", 1, 0), 0);
	ck_assert_int_eq(ino->iops->setxattr(ino, "trusted.two", "22", 2, 0), 0);
	ck_assert_int_eq(ino->iops->getxattr(ino, "user.one", NULL, 0), 1);
	ck_assert_int_eq(ino->iops->getxattr(ino, "trusted.two", buf, sizeof(buf)), 2);
	ck_assert_int_eq(memcmp(buf, "22", 2), 0);
	ck_assert_int_eq(ino->iops->getxattr(ino, "user.none", buf, sizeof(buf)), -ENODATA);
	ck_assert_int_eq(ino->iops->listxattr(ino, NULL, 0, NULL, NULL),
			 (ssize_t)sizeof("user.one\0trusted.two"));
	ck_assert_int_eq(ino->iops->listxattr(ino, buf, sizeof(buf), no_trusted, NULL),
			 (ssize_t)sizeof("user.one"));
	ck_assert_str_eq(buf, "user.one");
	ck_assert_int_eq(ino->iops->listxattr(ino, buf, 3, no_trusted, NULL), -ERANGE);
	ck_assert_int_eq(ino->iops->listxattr(ino, NULL, 0, no_trusted, NULL),
			 (ssize_t)sizeof("user.one"));
	ck_assert_int_eq(ino->iops->removexattr(ino, "user.one"), 0);
	ck_assert_int_eq(ino->iops->getxattr(ino, "user.one", buf, sizeof(buf)), -ENODATA);
	ck_assert_int_eq(ino->iops->setxattr(ino, "security.x", "1", 1, 0), -EOPNOTSUPP);
	char hp[512];
	host_path(hp, sizeof(hp), root_dir, "xa");
	ck_assert_int_eq(getxattr(hp, "trusted.two", buf, sizeof(buf)), 2);

	ck_assert_ptr_nonnull(ino->sb->statfs);
	ck_assert_int_eq(ino->sb->statfs(ino->sb, &sf), 0);
	ck_assert_int_eq(statfs(root_dir, &hsf), 0);
	ck_assert_int_eq(sf.f_type, 0x01021997);
	ck_assert_int_eq(sf.f_bsize, hsf.f_bsize);
	ck_assert_uint_eq(sf.f_blocks, hsf.f_blocks);
	ck_assert_int_eq(sf.f_namelen, hsf.f_namelen);

	/* Directories sync through the gofer (regular files through their
	 * own host fd, the page cache's business). */
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY, 0, &f), 0);
	ck_assert_ptr_nonnull(f->ops->fsync);
	ck_assert_int_eq(f->ops->fsync(f, false), 0);
	ck_assert_int_eq(f->ops->fsync(f, true), 0);
	file_put(f);
	path_put(&p);
}
END_TEST

static int count_mount(struct mount *m, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

START_TEST(test_binds)
{
	struct inode *root;
	struct file *f;
	struct path p;
	struct stat st;
	char buf[64];
	int64_t pos = 0;

	/* At boot: each bind at its destination, mountpoints made as needed
	 * (a directory for a directory, an empty file for a file). */
	ck_assert_int_eq(goferfs_mount_spec_binds(&test_kernel), 0);
	ck_assert_int_eq(host_stat("mnt/bound/deep", &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(host_stat("etc/bound-file", &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(host_stat("tmpfs-not-mine", &st), -1);
	/* Gofer mount numbers count only the spec's bind mounts. */
	ck_assert_int_eq(goferfs_spec_bind_root(&test_kernel, &spec_mounts[0], 0, &root), -EINVAL);
	ck_assert_int_eq(goferfs_spec_bind_root(&test_kernel, &spec_mounts[1], 1, &root), 0);
	ck_assert(S_ISDIR(root->mode));
	inode_put(root);
	ck_assert_int_eq(goferfs_spec_bind_root(&test_kernel, &spec_mounts[2], 2, &root), 0);
	ck_assert(S_ISREG(root->mode));
	ck_assert_int_eq(root->size, 6);
	inode_put(root);
	ck_assert_int_eq(goferfs_mount_bind(test_kernel.gofer, 3, &root), -ENOENT);
	ck_assert_int_eq(goferfs_mount_bind(test_kernel.gofer, 0, &root), -EINVAL);

	/* Once bind roots were handed out (by the mount table), the boot-time
	 * stand-in mounts nothing more. */
	int before = 0, after = 0;
	mnt_for_each(count_mount, &before);
	ck_assert_int_eq(goferfs_mount_spec_binds(&test_kernel), 0);
	mnt_for_each(count_mount, &after);
	ck_assert_int_eq(after, before);
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/mnt/bound/deep/in-bind", O_RDONLY, 0, &f), 0);
	ck_assert_int_eq(vfs_read(f, NULL, buf, sizeof(buf), &pos), 6);
	file_put(f);
	/* "ro" makes a read-only mount: the VFS refuses before the gofer. */
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/mnt/bound/deep/new", O_CREAT | O_RDWR, 0644, &f),
			 -EROFS);
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/mnt/bound/deep", 0, &p), 0);
	ck_assert(path_readonly(&p));
	path_put(&p);
	/* The file bind is read-write. */
	ck_assert_int_eq(vfs_open(&task, AT_FDCWD, "/etc/bound-file", O_RDWR, 0, &f), 0);
	pos = 0;
	ck_assert_int_eq(vfs_read(f, NULL, buf, sizeof(buf), &pos), 6);
	ck_assert_int_eq(memcmp(buf, "bound\n", 6), 0);
	pos = 0;
	ck_assert_int_eq(vfs_write(f, NULL, "BOUND", 5, &pos), 5);
	file_put(f);
	int fd = open(bind_file, O_RDONLY);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 6);
	close(fd);
	ck_assert_int_eq(memcmp(buf, "BOUND\n", 6), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("goferfs_write");
	TCase *tc = tcase_create("goferfs");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_owner_and_mode);
	tcase_add_test(tc, test_setgid_dir_inheritance);
	tcase_add_test(tc, test_namespace_ops);
	tcase_add_test(tc, test_setattr);
	tcase_add_test(tc, test_xattr_statfs_fsync);
	tcase_add_test(tc, test_binds);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
