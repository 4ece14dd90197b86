/* Path resolution limits and descriptors that only name a path:
 * 40 symlink follows then ELOOP; what an O_PATH descriptor allows (fstat,
 * fstatfs, dup, F_GETFL/F_GETFD/F_SETFD, fchdir, a dirfd, AT_EMPTY_PATH
 * calls, a reopen through /proc/self/fd) and what gets EBADF; AT_EMPTY_PATH
 * on fstatat, statx, fchownat, linkat, readlinkat, faccessat2; O_TMPFILE
 * named by linkat through /proc/self/fd, O_TMPFILE|O_EXCL and deleted
 * files that cannot be linked again (ENOENT); statx masks and fields,
 * stx_mnt_id against /proc/self/mountinfo. Under a fresh directory in
 * /tmp. */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/xattr.h>

static char dir[64];

static const char *P(const char *name)
{
	static char path[4][PATH_MAX];
	static int which;
	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

static int put(const char *name, const char *data)
{
	int fd = open(P(name), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, strlen(data));
	close(fd);
	return n == (ssize_t)strlen(data) ? 0 : -1;
}

static const char *get(const char *path)
{
	static char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n < 0 ? conf_errname(errno) : buf;
}

static void eloop(void)
{
	char name[16], target[16];
	struct stat st;

	CHECK_OK("eloop.target", put("t", "target"));
	/* l0 -> t, l1 -> l0, ...: opening lN follows N+1 links. */
	for (int i = 0; i <= 41; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		if (i == 0)
			snprintf(target, sizeof(target), "t");
		else
			snprintf(target, sizeof(target), "l%d", i - 1);
		if (symlink(target, P(name)))
			FAIL("eloop.symlink", "%s", conf_errname(errno));
	}
	CHECK_STR("eloop.39", get(P("l39")), "target");
	CHECK_STR("eloop.40_links_ok", get(P("l39")), "target");
	CHECK_STR("eloop.41_links", get(P("l40")), "ELOOP");
	CHECK_ERR("eloop.stat", stat(P("l40"), &st), ELOOP);
	CHECK_OK("eloop.lstat", lstat(P("l40"), &st));
	CHECK_OK("eloop.stat_ok", stat(P("l39"), &st));
	CHECK_OK("eloop.self", symlink("self", P("self")));
	CHECK_STR("eloop.self_open", get(P("self")), "ELOOP");
	CHECK_STR("eloop.self_dir", get(P("self/x")), "ELOOP");
	CHECK_ERR("eloop.nofollow", open(P("l0"), O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK_ERR("eloop.creat_nofollow", open(P("l0"), O_CREAT | O_WRONLY | O_NOFOLLOW, 0644), ELOOP);
	int fd = open(P("l0"), O_PATH | O_NOFOLLOW);
	CHECK("eloop.opath_nofollow", fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
	char buf[16] = "";
	CHECK_EQ("eloop.readlinkat_empty", readlinkat(fd, "", buf, sizeof(buf)), 1);
	CHECK_STR("eloop.readlinkat_empty_target", buf, "t");
	CHECK_ERR("eloop.read_link_fd", read(fd, buf, 1), EBADF);
	close(fd);
	/* Links as directories along the way count too. */
	CHECK_OK("eloop.dir", mkdir(P("dd"), 0755));
	CHECK_OK("eloop.dirfile", put("dd/f", "deep"));
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		snprintf(target, sizeof(target), i ? "d%d" : "dd", i - 1);
		symlink(target, P(name));
	}
	CHECK_STR("eloop.dir_39", get(P("d39/f")), "deep");
	CHECK_STR("eloop.dir_40", get(P("d40/f")), "ELOOP");
}

static void opath_file(void)
{
	struct stat st, st2;
	struct statfs sfs;
	char buf[8];
	int fd = open(P("f"), O_PATH);

	CHECK("opath.open", fd >= 0);
	CHECK_EQ("opath.getfl", fcntl(fd, F_GETFL), O_PATH);
	CHECK_OK("opath.setfd", fcntl(fd, F_SETFD, FD_CLOEXEC));
	CHECK_EQ("opath.getfd", fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_ERR("opath.setfl", fcntl(fd, F_SETFL, O_NONBLOCK), EBADF);
	CHECK_OK("opath.fstat", fstat(fd, &st));
	CHECK("opath.fstat_same", stat(P("f"), &st2) == 0 && st.st_ino == st2.st_ino);
	CHECK_OK("opath.fstatfs", fstatfs(fd, &sfs));
	int d = dup(fd);
	CHECK("opath.dup", d >= 0 && fcntl(d, F_GETFL) == O_PATH);
	close(d);
	CHECK_ERR("opath.read", read(fd, buf, 1), EBADF);
	CHECK_ERR("opath.write", write(fd, "x", 1), EBADF);
	CHECK_ERR("opath.pread", pread(fd, buf, 1, 0), EBADF);
	struct iovec iov = { buf, 1 };
	CHECK_ERR("opath.readv", readv(fd, &iov, 1), EBADF);
	CHECK_ERR("opath.lseek", lseek(fd, 0, SEEK_SET), EBADF);
	CHECK_ERR("opath.fchmod", fchmod(fd, 0600), EBADF);
	CHECK_ERR("opath.fchown", fchown(fd, 0, 0), EBADF);
	CHECK_ERR("opath.ftruncate", ftruncate(fd, 0), EBADF);
	CHECK_ERR("opath.fsync", fsync(fd), EBADF);
	CHECK_ERR("opath.fdatasync", fdatasync(fd), EBADF);
	CHECK_ERR("opath.fallocate", fallocate(fd, 0, 0, 1), EBADF);
	CHECK_ERR("opath.fadvise", (errno = posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL)) ? -1 : 0,
		  EBADF);
	CHECK_ERR("opath.ioctl", ioctl(fd, FIONREAD, &d), EBADF);
	CHECK_ERR("opath.mmap", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED ? -1 : 0,
		  EBADF);
	CHECK_ERR("opath.flock", flock(fd, LOCK_SH), EBADF);
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	CHECK_ERR("opath.setlk", fcntl(fd, F_SETLK, &fl), EBADF);
	CHECK_ERR("opath.fgetxattr", fgetxattr(fd, "user.x", buf, sizeof(buf)), EBADF);
	CHECK_ERR("opath.fsetxattr", fsetxattr(fd, "user.x", "1", 1, 0), EBADF);
	CHECK_ERR("opath.flistxattr", flistxattr(fd, buf, sizeof(buf)), EBADF);
	CHECK_ERR("opath.futimens", futimens(fd, NULL), EBADF);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	CHECK_EQ("opath.poll", poll(&pfd, 1, 0), 1);
	CHECK_EQ("opath.poll_nval", pfd.revents, POLLNVAL);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	CHECK_ERR("opath.epoll", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), EBADF);
	close(ep);
	CHECK_ERR("opath.as_dirfd_file", openat(fd, "x", O_RDONLY), ENOTDIR);
	/* What names the path works. */
	CHECK_OK("opath.fstatat_empty", fstatat(fd, "", &st2, AT_EMPTY_PATH));
	CHECK_ERR("opath.fstatat_empty_noflag", fstatat(fd, "", &st2, 0), ENOENT);
	struct statx sx;
	CHECK_OK("opath.statx_empty", statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
	CHECK_EQ("opath.statx_ino", sx.stx_ino, st.st_ino);
	CHECK_OK("opath.fchownat_empty", fchownat(fd, "", 0, 0, AT_EMPTY_PATH));
	CHECK_OK("opath.faccessat2_empty", syscall(439, fd, "", R_OK, AT_EMPTY_PATH));
	CHECK_OK("opath.linkat_empty", linkat(fd, "", AT_FDCWD, P("f_link"), AT_EMPTY_PATH));
	CHECK("opath.linkat_nlink", stat(P("f"), &st2) == 0 && st2.st_nlink == 2);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	CHECK_STR("opath.reopen", get(proc), "data");
	int rw = open(proc, O_RDWR);
	CHECK("opath.reopen_rw", rw >= 0 && write(rw, "D", 1) == 1);
	close(rw);
	CHECK_STR("opath.reopen_wrote", get(P("f")), "Data");
	CHECK_OK("opath.close", close(fd));
	CHECK_ERR("opath.closed", fstat(fd, &st), EBADF);
}

static void opath_dir(void)
{
	char cwd[PATH_MAX], buf[256];
	int fd = open(P("sub"), O_PATH | O_DIRECTORY);

	CHECK("opath_dir.open", fd >= 0);
	CHECK_STR("opath_dir.dirfd", ({
			  int f = openat(fd, "inner", O_RDONLY);
			  ssize_t n = f < 0 ? -1 : read(f, buf, 5);
			  close(f);
			  buf[n > 0 ? n : 0] = '\0';
			  buf;
		  }),
		  "inner");
	CHECK_ERR("opath_dir.getdents", syscall(SYS_getdents64, fd, buf, sizeof(buf)), EBADF);
	CHECK_ERR("opath_dir.fsync", fsync(fd), EBADF);
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "/");
	CHECK_OK("opath_dir.fchdir", fchdir(fd));
	CHECK_STR("opath_dir.cwd", get("inner"), "inner");
	CHECK_OK("opath_dir.back", chdir(cwd));
	int c = open(P("sub"), O_PATH | O_CREAT, 0644);
	CHECK("opath_dir.creat_dropped", c >= 0);
	close(c);
	/* O_PATH drops every flag but O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC. */
	int f2 = open(P("f"), O_PATH | O_RDWR | O_TRUNC | O_APPEND);
	CHECK("opath_dir.flags_dropped", f2 >= 0 && fcntl(f2, F_GETFL) == O_PATH);
	CHECK_STR("opath_dir.no_trunc", get(P("f")), "Data");
	close(f2);
	CHECK_ERR("opath_dir.directory_on_file", open(P("f"), O_PATH | O_DIRECTORY), ENOTDIR);
	close(fd);
}

static void test_tmpfile(void)
{
	struct stat st;
	char proc[64], link[PATH_MAX];
	int fd = open(dir, O_TMPFILE | O_RDWR, 0600);

	CHECK("tmpfile.open", fd >= 0);
	CHECK_EQ("tmpfile.write", write(fd, "tmp", 3), 3);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(proc, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	size_t dl = strlen(dir);
	CHECK("tmpfile.proc_link", n > 0 && strncmp(link, dir, dl) == 0 && link[dl] == '/' &&
					   link[dl + 1] == '#' &&
					   strstr(link, " (deleted)") == link + n - 10);
	CHECK_OK("tmpfile.linkat_proc", linkat(AT_FDCWD, proc, AT_FDCWD, P("named"), AT_SYMLINK_FOLLOW));
	CHECK_STR("tmpfile.named", get(P("named")), "tmp");
	CHECK("tmpfile.nlink", fstat(fd, &st) == 0 && st.st_nlink == 1);
	CHECK_ERR("tmpfile.linkat_exists", linkat(AT_FDCWD, proc, AT_FDCWD, P("named"), AT_SYMLINK_FOLLOW),
		  EEXIST);
	CHECK_OK("tmpfile.linkat_again", linkat(fd, "", AT_FDCWD, P("named2"), AT_EMPTY_PATH));
	CHECK("tmpfile.nlink2", fstat(fd, &st) == 0 && st.st_nlink == 2);
	/* Without AT_SYMLINK_FOLLOW, linkat names the magic link itself:
	 * Linux links the symlink-looking proc entry across mounts: EXDEV. */
	CHECK_ERR("tmpfile.linkat_nofollow", linkat(AT_FDCWD, proc, AT_FDCWD, P("named3"), 0), EXDEV);
	close(fd);

	/* O_EXCL: the file can never get a name. */
	fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL, 0600);
	CHECK("tmpfile.excl_open", fd >= 0);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	CHECK_ERR("tmpfile.excl_linkat", linkat(fd, "", AT_FDCWD, P("excl"), AT_EMPTY_PATH), ENOENT);
	CHECK_ERR("tmpfile.excl_linkat_proc",
		  linkat(AT_FDCWD, proc, AT_FDCWD, P("excl"), AT_SYMLINK_FOLLOW), ENOENT);
	close(fd);

	/* Neither can a file whose last name went away. */
	CHECK_OK("deleted.put", put("gone", "gone"));
	fd = open(P("gone"), O_RDWR);
	CHECK_OK("deleted.unlink", unlink(P("gone")));
	CHECK_ERR("deleted.linkat", linkat(fd, "", AT_FDCWD, P("back"), AT_EMPTY_PATH), ENOENT);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	CHECK_ERR("deleted.linkat_proc", linkat(AT_FDCWD, proc, AT_FDCWD, P("back"), AT_SYMLINK_FOLLOW),
		  ENOENT);
	close(fd);

	CHECK_ERR("tmpfile.not_dir", open(P("named"), O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	CHECK_ERR("tmpfile.rdonly", open(dir, O_TMPFILE | O_RDONLY, 0600), EINVAL);
	CHECK_ERR("tmpfile.missing", open(P("nodir"), O_TMPFILE | O_RDWR, 0600), ENOENT);
}

/* The mount ID of the mount at mountpoint, from /proc/self/mountinfo. */
static long mountinfo_id(const char *mountpoint)
{
	static char buf[65536];
	int fd = open("/proc/self/mountinfo", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : conf_read_all(fd, buf, sizeof(buf) - 1);
	long id = -1;

	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		long mid;
		char mp[PATH_MAX];
		if (sscanf(line, "%ld %*d %*s %*s %4095s", &mid, mp) == 2 && !strcmp(mp, mountpoint))
			id = mid; /* the last one is on top */
	}
	return id;
}

static void statx_checks(void)
{
	struct statx sx;
	struct stat st;

	CHECK_OK("statx.file", statx(AT_FDCWD, P("f"), 0, STATX_BASIC_STATS, &sx));
	stat(P("f"), &st);
	CHECK_EQ("statx.mask_basic", sx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	CHECK_EQ("statx.mask_mnt_id", sx.stx_mask & STATX_MNT_ID, STATX_MNT_ID);
	CHECK_EQ("statx.mode", sx.stx_mode, st.st_mode);
	CHECK_EQ("statx.nlink", sx.stx_nlink, st.st_nlink);
	CHECK_EQ("statx.uid", sx.stx_uid, st.st_uid);
	CHECK_EQ("statx.size", sx.stx_size, st.st_size);
	CHECK_EQ("statx.blocks", sx.stx_blocks, st.st_blocks);
	CHECK_EQ("statx.blksize", sx.stx_blksize, st.st_blksize);
	CHECK_EQ("statx.ino", sx.stx_ino, st.st_ino);
	CHECK_EQ("statx.dev", makedev(sx.stx_dev_major, sx.stx_dev_minor), st.st_dev);
	CHECK_EQ("statx.mtime", sx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	CHECK_EQ("statx.mtime_ns", sx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec);
	CHECK_EQ("statx.ctime", sx.stx_ctime.tv_sec, st.st_ctim.tv_sec);
	CHECK_OK("statx.mask0", statx(AT_FDCWD, P("f"), 0, 0, &sx));
	CHECK_EQ("statx.mask0_type_mode", sx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_INO),
		 STATX_TYPE | STATX_MODE | STATX_INO);
	CHECK_OK("statx.proc", statx(AT_FDCWD, "/proc", 0, STATX_MNT_ID, &sx));
	CHECK_EQ("statx.proc_mnt_id", (long)sx.stx_mnt_id, mountinfo_id("/proc"));
	CHECK_OK("statx.proc_self", statx(AT_FDCWD, "/proc/self/status", 0, STATX_MNT_ID, &sx));
	CHECK_EQ("statx.proc_inside_mnt_id", (long)sx.stx_mnt_id, mountinfo_id("/proc"));
	int fd = open("/proc", O_PATH);
	CHECK_OK("statx.fd", statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx));
	CHECK_EQ("statx.fd_mnt_id", (long)sx.stx_mnt_id, mountinfo_id("/proc"));
	close(fd);
	CHECK_OK("statx.root", statx(AT_FDCWD, "/", 0, STATX_MNT_ID, &sx));
	CHECK_EQ("statx.root_mnt_id", (long)sx.stx_mnt_id, mountinfo_id("/"));
	CHECK_ERR("statx.reserved", statx(AT_FDCWD, P("f"), 0, 0x80000000u, &sx), EINVAL);
	CHECK_ERR("statx.bad_flag", statx(AT_FDCWD, P("f"), 0x1, STATX_BASIC_STATS, &sx), EINVAL);
	CHECK_ERR("statx.both_sync", statx(AT_FDCWD, P("f"), AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
					   STATX_BASIC_STATS, &sx), EINVAL);
	CHECK_OK("statx.force_sync", statx(AT_FDCWD, P("f"), AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &sx));
	CHECK_ERR("statx.efault", syscall(SYS_statx, AT_FDCWD, P("f"), 0, STATX_BASIC_STATS, (void *)8),
		  EFAULT);
	CHECK_ERR("statx.empty_noflag", statx(AT_FDCWD, "", 0, STATX_BASIC_STATS, &sx), ENOENT);
	CHECK_OK("statx.empty_cwd", statx(AT_FDCWD, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
	CHECK("statx.empty_cwd_dir", S_ISDIR(sx.stx_mode));
}

static void cleanup(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR)
			cleanup(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(path);
}

int main(void)
{
	umask(022);
	snprintf(dir, sizeof(dir), "/tmp/conf-opath-XXXXXX");
	if (!mkdtemp(dir)) {
		FAIL("setup", "mkdtemp: %s", conf_errname(errno));
		return conf_done();
	}
	CHECK("setup", put("f", "data") == 0 && mkdir(P("sub"), 0755) == 0 &&
			       put("sub/inner", "inner") == 0);
	eloop();
	opath_file();
	opath_dir();
	test_tmpfile();
	statx_checks();
	cleanup(dir);
	struct stat st;
	CHECK_ERR("cleanup.removed", stat(dir, &st), ENOENT);
	return conf_done();
}
