/* AF_UNIX sockets bound to filesystem paths through the VFS alone, on a
 * small in-memory filesystem that supports mknod (conformance/unix_path
 * covers the same through the gofer-backed rootfs): bind makes the socket
 * inode with vfs_mknod, connect finds the socket by that inode, with the
 * errors of bind(2) and connect(2), read-only mounts included. Also
 * exercises the sockets' sentry-buffer data path. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "runsc/util.h"
#include "sentry/fs/socket.h"
#include "sentry/fs/unix_socket.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

/* ---- a filesystem with lookup and mknod ---- */

#define TFS_MAX 16

struct tfs_dir {
	char names[TFS_MAX][32];
	struct inode *inos[TFS_MAX];
	int n;
};

static struct superblock *tsb;
static int mknods;

static int tfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct tfs_dir *d = dir->priv;

	for (int i = 0; i < d->n; i++) {
		if (strcmp(d->names[i], name) == 0) {
			*out = inode_get(d->inos[i]);
			return 0;
		}
	}
	return -ENOENT;
}

static const struct inode_ops tfs_file_iops = { 0 };
static const struct file_ops tfs_fops = { 0 };

static void tfs_add(struct inode *dir, const char *name, struct inode *ino)
{
	struct tfs_dir *d = dir->priv;

	snprintf(d->names[d->n], sizeof(d->names[0]), "%s", name);
	d->inos[d->n++] = ino;
}

static int tfs_mknod(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev)
{
	struct inode *ino = inode_new(tsb, mode, &tfs_file_iops, &tfs_fops);

	mknods++;
	tfs_add(dir, name, ino);
	return 0;
}

static const struct inode_ops tfs_dir_iops = { .lookup = tfs_lookup, .mknod = tfs_mknod };

static struct inode *tdir(struct inode *parent, const char *name, uint32_t perm)
{
	struct inode *ino = inode_new(tsb, S_IFDIR | perm, &tfs_dir_iops, &tfs_fops);

	ino->priv = xzalloc(sizeof(struct tfs_dir));
	if (parent)
		tfs_add(parent, name, ino);
	return ino;
}

/* ---- the task around it ---- */

static struct task task;
static struct thread_group tg;
static struct cred cred;

static void setup(void)
{
	struct inode *root, *ro;
	struct path rp, rop;

	tsb = sb_new("testfs", 0);
	root = tdir(NULL, NULL, 0755);
	tdir(root, "dir", 0755);
	tdir(root, "locked", 0555);
	tfs_add(root, "file", inode_new(tsb, S_IFREG | 0666, &tfs_file_iops, &tfs_fops));
	ro = tdir(root, "ro", 0777);
	ck_assert_int_eq(vfs_mount(NULL, root, 0, NULL), 0);
	inode_put(root);

	ck_assert_int_eq(vfs_root_path(&rp), 0);
	memset(&task, 0, sizeof(task));
	task.fs = fs_context_new(&rp, &rp);
	task.fs->umask = 022;
	path_put(&rp);
	memset(&cred, 0, sizeof(cred));
	cred.refcount = 1;
	cred.cap_effective = cred.cap_permitted = ~0ULL;
	task.cred = &cred;
	tg.tgid = 42;
	task.tg = &tg;

	/* A read-only mount of a second filesystem on /ro. */
	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, "/ro", LOOKUP_FOLLOW, &rop), 0);
	{
		struct superblock *sb2 = sb_new("testfs2", MS_RDONLY);
		struct superblock *keep = tsb;
		struct inode *r2;

		tsb = sb2;
		r2 = tdir(NULL, NULL, 0777);
		tsb = keep;
		ck_assert_int_eq(vfs_mount(&rop, r2, MS_RDONLY, NULL), 0);
		inode_put(r2);
	}
	(void)ro;
	path_put(&rop);
}

static int sun_of(const char *path, struct sockaddr_storage *ss)
{
	struct sockaddr_un *u = (struct sockaddr_un *)ss;

	memset(ss, 0, sizeof(*ss));
	u->sun_family = AF_UNIX;
	strcpy(u->sun_path, path);
	return (int)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static struct socket *new_sock(int type)
{
	struct socket *s;

	ck_assert_int_eq(unix_create(&task, type, 0, &s), 0);
	return s;
}

static int do_bind(struct socket *s, const char *path)
{
	struct sockaddr_storage ss;
	int len = sun_of(path, &ss);

	return s->ops->bind(s, &task, &ss, len);
}

static int do_connect(struct socket *s, const char *path)
{
	struct sockaddr_storage ss;
	int len = sun_of(path, &ss);

	return s->ops->connect(s, &task, &ss, len, O_NONBLOCK);
}

static uint32_t mode_of(const char *path)
{
	struct path p;
	struct stat st;

	ck_assert_int_eq(vfs_lookup(&task, AT_FDCWD, path, LOOKUP_FOLLOW, &p), 0);
	ck_assert_int_eq(vfs_stat_path(&p, &st), 0);
	path_put(&p);
	return st.st_mode;
}

START_TEST(test_bind_makes_socket_inode)
{
	struct socket *srv = new_sock(SOCK_STREAM), *other = new_sock(SOCK_STREAM);
	struct sockaddr_storage name;
	int len;

	ck_assert_int_eq(do_bind(srv, "/dir/sock"), 0);
	ck_assert_int_eq(mode_of("/dir/sock"), S_IFSOCK | 0755); /* 0777 & ~umask */
	len = srv->ops->getname(srv, &name, false);
	ck_assert_int_eq(len, (int)offsetof(struct sockaddr_un, sun_path) + 10);
	ck_assert_str_eq(((struct sockaddr_un *)&name)->sun_path, "/dir/sock");
	/* The name exists: EADDRINUSE; a bound socket: EINVAL. */
	ck_assert_int_eq(do_bind(other, "/dir/sock"), -EADDRINUSE);
	ck_assert_int_eq(do_bind(srv, "/dir/sock2"), -EINVAL);
	ck_assert_int_eq(do_bind(other, "/nodir/sock"), -ENOENT);
	ck_assert_int_eq(do_bind(other, "/file/sock"), -ENOTDIR);
	ck_assert_int_eq(do_bind(other, "/ro/sock"), -EROFS);
	mknods = 0;
	ck_assert_int_eq(do_bind(srv, "/dir/again"), -EINVAL);
	ck_assert_int_eq(mknods, 0); /* nothing left behind */
	srv->ops->release(srv);
	other->ops->release(other);
}
END_TEST

START_TEST(test_bind_permission)
{
	struct socket *s = new_sock(SOCK_DGRAM);
	struct cred saved = cred;

	cred.euid = cred.fsuid = 1000;
	cred.cap_effective = 0;
	ck_assert_int_eq(do_bind(s, "/locked/sock"), -EACCES);
	cred = saved;
	ck_assert_int_eq(do_bind(s, "/locked/sock"), 0); /* CAP_DAC_OVERRIDE */
	s->ops->release(s);
}
END_TEST

START_TEST(test_connect_by_path)
{
	struct socket *srv = new_sock(SOCK_STREAM), *cl = new_sock(SOCK_STREAM);
	struct socket *dg = new_sock(SOCK_DGRAM), *acc;
	struct sockaddr_storage peer;
	char buf[16] = { 0 };
	size_t done = 0;

	ck_assert_int_eq(do_bind(srv, "/dir/srv"), 0);
	ck_assert_int_eq(do_connect(cl, "/dir/srv"), -ECONNREFUSED); /* not listening */
	ck_assert_int_eq(srv->ops->listen(srv, &task, 4), 0);
	ck_assert_int_eq(do_connect(cl, "/dir/missing"), -ENOENT);
	ck_assert_int_eq(do_connect(cl, "/file"), -ECONNREFUSED); /* not a socket */
	ck_assert_int_eq(do_connect(dg, "/dir/srv"), -EPROTOTYPE);
	ck_assert_int_eq(do_connect(cl, "/dir/srv"), 0);
	ck_assert_int_eq(cl->ops->getname(cl, &peer, true),
			 (int)offsetof(struct sockaddr_un, sun_path) + 9);
	ck_assert_str_eq(((struct sockaddr_un *)&peer)->sun_path, "/dir/srv");
	ck_assert_int_eq(srv->ops->accept(srv, &task, O_NONBLOCK, &acc), 0);

	/* Data through the sentry-buffer path (sendfile's). */
	struct sock_msg m = { .it = { .kbuf = "ping", .count = 4 }, .flags = MSG_DONTWAIT };
	ck_assert_int_eq(cl->ops->sendmsg(cl, &task, &m, &done), 4);
	struct sock_msg r = { .it = { .kbuf = buf, .count = sizeof(buf) }, .flags = MSG_DONTWAIT };
	done = 0;
	ck_assert_int_eq(acc->ops->recvmsg(acc, &task, &r, &done), 4);
	ck_assert_str_eq(buf, "ping");
	done = 0;
	ck_assert_int_eq(acc->ops->recvmsg(acc, &task, &r, &done), -EAGAIN);

	/* Without write permission on the socket inode: EACCES. */
	struct cred saved = cred;
	struct socket *cl2 = new_sock(SOCK_STREAM);

	cred.euid = cred.fsuid = 1000;
	cred.cap_effective = 0;
	ck_assert_int_eq(do_connect(cl2, "/dir/srv"), -EACCES);
	cred = saved;

	/* Once the listener is gone, its path refuses connections. */
	srv->ops->release(srv);
	ck_assert_int_eq(do_connect(cl2, "/dir/srv"), -ECONNREFUSED);
	cl2->ops->release(cl2);
	acc->ops->release(acc);
	cl->ops->release(cl);
	dg->ops->release(dg);
}
END_TEST

START_TEST(test_dgram_by_path)
{
	struct socket *rx = new_sock(SOCK_DGRAM), *tx = new_sock(SOCK_DGRAM);
	char buf[16] = { 0 };
	size_t done = 0;
	struct sock_msg m = { .it = { .kbuf = "dgram", .count = 5 }, .flags = MSG_DONTWAIT };

	ck_assert_int_eq(do_bind(rx, "/dir/rx"), 0);
	m.namelen = sun_of("/dir/rx", &m.name);
	ck_assert_int_eq(tx->ops->sendmsg(tx, &task, &m, &done), 5);
	struct sock_msg r = { .it = { .kbuf = buf, .count = sizeof(buf) }, .flags = MSG_DONTWAIT };
	ck_assert_int_eq(rx->ops->recvmsg(rx, &task, &r, &done), 5);
	ck_assert_str_eq(buf, "dgram");
	ck_assert_int_eq(r.namelen, 0); /* the sender has no name */
	rx->ops->release(rx);
	tx->ops->release(tx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("unix_path");
	TCase *tc = tcase_create("unix_path");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_bind_makes_socket_inode);
	tcase_add_test(tc, test_bind_permission);
	tcase_add_test(tc, test_connect_by_path);
	tcase_add_test(tc, test_dgram_by_path);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
