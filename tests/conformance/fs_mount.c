/* mount(2) inside the sandbox: a tmpfs with size=, nr_inodes= and mode=
 * (ENOSPC past them, statfs), remounts (size, ro, noexec), bind mounts and
 * read-only binds, nodev, umount2 (EBUSY, MNT_DETACH), chroot. Natively the
 * program first moves to a mount namespace of its own (in the sandbox that
 * unshare fails: the sandbox's namespace is its own already). All under a
 * fresh directory in /tmp. */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#define TMPFS_MAGIC 0x01021994

static char dir[64];

static const char *P(const char *name)
{
	static char path[4][PATH_MAX];
	static int which;
	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

static int put(const char *path, const char *data)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, strlen(data));
	close(fd);
	return n == (ssize_t)strlen(data) ? 0 : -1;
}

/* Runs a child that drops to nobody and returns fn's result as status. */
static int as_nobody(int (*fn)(void))
{
	pid_t c = fork();
	if (c == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(100);
		_exit(fn());
	}
	int st = conf_wait(c);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200;
}

static int nobody_mount(void)
{
	return mount("x", P("m"), "tmpfs", 0, NULL) == -1 && errno == EPERM ? 0 : 1;
}

static int nobody_umount(void)
{
	return umount(P("m")) == -1 && errno == EPERM ? 0 : 1;
}

static int nobody_chroot(void)
{
	return chroot(dir) == -1 && errno == EPERM ? 0 : 1;
}

static void test_limits(void)
{
	struct statfs sf;
	struct stat st;
	static char big[70000];

	CHECK_OK("mount.tmpfs", mount("conftmp", P("m"), "tmpfs", 0, "size=64k,mode=0750,nr_inodes=16"));
	CHECK_OK("stat.root", stat(P("m"), &st));
	CHECK_EQ("stat.root_mode", st.st_mode, S_IFDIR | 0750);
	CHECK_OK("statfs", statfs(P("m"), &sf));
	CHECK_EQ("statfs.type", sf.f_type, TMPFS_MAGIC);
	CHECK_EQ("statfs.bsize", sf.f_bsize, 4096);
	CHECK_EQ("statfs.blocks", sf.f_blocks, 16);
	CHECK_EQ("statfs.bfree", sf.f_bfree, 16);
	CHECK_EQ("statfs.files", sf.f_files, 16);
	CHECK_EQ("statfs.ffree", sf.f_ffree, 15);
	CHECK_EQ("statfs.namelen", sf.f_namelen, 255);

	int fd = open(P("m/big"), O_CREAT | O_WRONLY, 0644);
	CHECK_EQ("write.up_to_size", write(fd, big, sizeof(big)), 65536);
	CHECK_ERR("write.enospc", write(fd, "x", 1), ENOSPC);
	statfs(P("m"), &sf);
	CHECK_EQ("statfs.full", sf.f_bfree, 0);
	/* Rewriting allocated pages needs no more space. */
	CHECK_EQ("pwrite.in_place", pwrite(fd, "abc", 3, 100), 3);
	CHECK_OK("ftruncate.shrink", ftruncate(fd, 4096));
	statfs(P("m"), &sf);
	CHECK_EQ("statfs.after_truncate", sf.f_bfree, 15);
	close(fd);
	CHECK_OK("unlink.big", unlink(P("m/big")));
	statfs(P("m"), &sf);
	CHECK_EQ("statfs.after_unlink", sf.f_bfree, 16);
	/* A sparse file costs only what is written. */
	fd = open(P("m/sparse"), O_CREAT | O_RDWR, 0644);
	CHECK_OK("ftruncate.sparse", ftruncate(fd, 1 << 30));
	CHECK_EQ("pwrite.sparse", pwrite(fd, "x", 1, 1 << 29), 1);
	fstat(fd, &st);
	CHECK_EQ("sparse.blocks", st.st_blocks, 8);
	CHECK_EQ("seek.data", lseek(fd, 0, SEEK_DATA), 1 << 29);
	CHECK_EQ("seek.hole", lseek(fd, 1 << 29, SEEK_HOLE), (1 << 29) + 4096);
	close(fd);
	unlink(P("m/sparse"));

	/* nr_inodes: the root and 15 more. */
	char name[32];
	int made = 0;
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "m/f%d", i);
		fd = open(P(name), O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			int e = errno;
			CHECK_STR("create.enospc_inodes", conf_errname(e), "ENOSPC");
			break;
		}
		close(fd);
		made++;
	}
	CHECK_EQ("create.inode_limit", made, 15);
	CHECK_ERR("mkdir.enospc_inodes", mkdir(P("m/d"), 0755), ENOSPC);
	for (int i = 0; i < made; i++) {
		snprintf(name, sizeof(name), "m/f%d", i);
		unlink(P(name));
	}

	/* Remount: bigger, then not smaller than what is used. */
	CHECK_OK("remount.size", mount(NULL, P("m"), NULL, MS_REMOUNT, "size=128k"));
	statfs(P("m"), &sf);
	CHECK_EQ("remount.blocks", sf.f_blocks, 32);
	fd = open(P("m/mid"), O_CREAT | O_WRONLY, 0644);
	CHECK_EQ("write.mid", write(fd, big, 65536), 65536);
	close(fd);
	CHECK_ERR("remount.below_use", mount(NULL, P("m"), NULL, MS_REMOUNT, "size=32k"), EINVAL);
	CHECK_ERR("remount.bad_option", mount(NULL, P("m"), NULL, MS_REMOUNT, "colour=blue"), EINVAL);
	unlink(P("m/mid"));
	CHECK_OK("remount.ro", mount(NULL, P("m"), NULL, MS_REMOUNT | MS_RDONLY, NULL));
	CHECK_ERR("ro.create", open(P("m/x"), O_CREAT | O_WRONLY, 0644), EROFS);
	CHECK_ERR("ro.mkdir", mkdir(P("m/x"), 0755), EROFS);
	struct statvfs sv;
	statvfs(P("m"), &sv);
	CHECK("ro.statvfs_flag", sv.f_flag & ST_RDONLY);
	CHECK_OK("remount.rw", mount(NULL, P("m"), NULL, MS_REMOUNT, NULL));
	CHECK_OK("rw.create", put(P("m/x"), "x"));
	statvfs(P("m"), &sv);
	CHECK("rw.statvfs_flag", !(sv.f_flag & ST_RDONLY));
	unlink(P("m/x"));
}

static void test_bind(void)
{
	char buf[16] = "";

	CHECK_OK("mkdir.sub", mkdir(P("m/sub"), 0755));
	CHECK_OK("put.sub_file", put(P("m/sub/file"), "data"));
	CHECK_OK("mkdir.b", mkdir(P("b"), 0755));
	CHECK_OK("bind", mount(P("m/sub"), P("b"), NULL, MS_BIND, NULL));
	int fd = open(P("b/file"), O_RDONLY);
	CHECK_EQ("bind.read", read(fd, buf, sizeof(buf)), 4);
	close(fd);
	CHECK_OK("bind.create", put(P("b/new"), "n"));
	CHECK_OK("bind.seen_in_source", access(P("m/sub/new"), F_OK));
	CHECK_OK("bind.remount_ro", mount(NULL, P("b"), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	CHECK_ERR("bind.ro_create", open(P("b/x"), O_CREAT | O_WRONLY, 0644), EROFS);
	CHECK_ERR("bind.ro_unlink", unlink(P("b/new")), EROFS);
	CHECK_ERR("bind.ro_write_open", open(P("b/file"), O_WRONLY), EROFS);
	CHECK_OK("bind.source_still_rw", put(P("m/sub/other"), "o"));
	CHECK_OK("bind.ro_sees_it", access(P("b/other"), F_OK));
	struct stat a, b;
	stat(P("m/sub/file"), &a);
	stat(P("b/file"), &b);
	CHECK("bind.same_file", a.st_ino == b.st_ino && a.st_dev == b.st_dev);

	/* Busy while a file is open in it; lazily unmounted it stays usable
	 * through that file. */
	fd = open(P("b/file"), O_RDONLY);
	CHECK_ERR("umount.busy", umount(P("b")), EBUSY);
	CHECK_OK("umount.detach", umount2(P("b"), MNT_DETACH));
	CHECK_ERR("umount.detached_gone", access(P("b/file"), F_OK), ENOENT);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("umount.detached_fd_reads", pread(fd, buf, sizeof(buf), 0), 4);
	close(fd);
	CHECK_OK("bind.again", mount(P("m/sub"), P("b"), NULL, MS_BIND, NULL));
	CHECK_OK("umount.unused", umount(P("b")));
	CHECK_ERR("umount.not_mounted", umount(P("b")), EINVAL);
	CHECK_ERR("umount.missing", umount(P("nothing")), ENOENT);
	CHECK_ERR("umount2.bad_flags", umount2(P("m"), 0x100), EINVAL);

	/* A mount on a file, and nodev. */
	CHECK_OK("put.null", put(P("m/null"), ""));
	CHECK_OK("bind.file", mount("/dev/null", P("m/null"), NULL, MS_BIND, NULL));
	fd = open(P("m/null"), O_WRONLY);
	CHECK_EQ("bind.file_is_dev_null", write(fd, "gone", 4), 4);
	close(fd);
	CHECK_OK("remount.nodev",
		 mount(NULL, P("m/null"), NULL, MS_REMOUNT | MS_BIND | MS_NODEV, NULL));
	CHECK_ERR("nodev.open", open(P("m/null"), O_WRONLY), EACCES);
	CHECK_OK("umount.file", umount(P("m/null")));
	CHECK_ERR("bind.dir_on_file", mount(P("m/sub"), P("m/null"), NULL, MS_BIND, NULL), ENOTDIR);
	CHECK_ERR("bind.missing_source", mount(P("nothing"), P("b"), NULL, MS_BIND, NULL), ENOENT);
}

static void test_exec(const char *self)
{
	char buf[65536];
	ssize_t n;

	CHECK_OK("remount.bigger", mount(NULL, P("m"), NULL, MS_REMOUNT, "size=64m"));
	int in = open(self, O_RDONLY), out = open(P("m/prog"), O_CREAT | O_WRONLY, 0755);
	CHECK("copy.open", in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (conf_write_all(out, buf, (size_t)n) != n)
			break;
	close(in);
	close(out);
	for (int noexec = 0; noexec < 2; noexec++) {
		pid_t c = fork();
		if (c == 0) {
			execl(P("m/prog"), "prog", "exit42", (char *)NULL);
			_exit(errno == EACCES ? 43 : 44);
		}
		CHECK_EXIT(noexec ? "noexec.exec_eacces" : "exec.from_tmpfs", conf_wait(c), noexec ? 43 : 42);
		if (!noexec)
			CHECK_OK("remount.noexec", mount(NULL, P("m"), NULL, MS_REMOUNT | MS_NOEXEC, NULL));
	}
	CHECK_ERR("noexec.access_x", access(P("m/prog"), X_OK), EACCES);
	unlink(P("m/prog"));
}

static void test_errors(void)
{
	CHECK_ERR("mount.unknown_type", mount("x", P("b"), "no-such-fs", 0, NULL), ENODEV);
	CHECK_OK("put.file", put(P("file"), "f"));
	CHECK_ERR("mount.on_file", mount("x", P("file"), "tmpfs", 0, NULL), ENOTDIR);
	CHECK_ERR("mount.missing_target", mount("x", P("nothing"), "tmpfs", 0, NULL), ENOENT);
	CHECK_ERR("mount.bad_option", mount("x", P("b"), "tmpfs", 0, "nosuchoption=1"), EINVAL);
	CHECK_ERR("mount.bad_size", mount("x", P("b"), "tmpfs", 0, "size=lots"), EINVAL);
	CHECK_EQ("mount.nobody_eperm", as_nobody(nobody_mount), 0);
	CHECK_EQ("umount.nobody_eperm", as_nobody(nobody_umount), 0);
	CHECK_EQ("chroot.nobody_eperm", as_nobody(nobody_chroot), 0);
	unlink(P("file"));
}

static void test_chroot(void)
{
	pid_t c = fork();
	if (c == 0) {
		if (chroot(P("m")))
			_exit(1);
		if (chdir("/"))
			_exit(2);
		char buf[8] = "";
		int fd = open("/sub/file", O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) != 4)
			_exit(3);
		/* ".." at the new root stays there. */
		struct stat a, b;
		if (stat("/..", &a) || stat("/", &b) || a.st_ino != b.st_ino)
			_exit(4);
		_exit(0);
	}
	CHECK_EXIT("chroot.into_tmpfs", conf_wait(c), 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exit42"))
		return 42;
	snprintf(dir, sizeof(dir), "/tmp/conf-mount-XXXXXX");
	CHECK_OK("mkdtemp", mkdtemp(dir) ? 0 : -1);
	if (conf_failed)
		return conf_done();
	chmod(dir, 0755);
	/* Natively: mounts of our own, undone when we exit. */
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	CHECK_OK("mkdir.m", mkdir(P("m"), 0755));
	test_limits();
	test_bind();
	test_exec(argv[0]);
	test_errors();
	test_chroot();
	CHECK_OK("umount.m", umount(P("m")));
	rmdir(P("m"));
	rmdir(P("b"));
	CHECK_OK("rmdir", rmdir(dir));
	return conf_done();
}
