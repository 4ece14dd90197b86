/* stat family, symlinks (read only) and directory listing. Uses paths that
 * exist on the host and in the bundle alike: /etc/{passwd,group,hostname,
 * hosts}, /tmp and the /bin/sh symlink (whose target differs, so only its
 * properties are checked). */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define WANT_N 6
static const char *const want[WANT_N] = { ".", "..", "passwd", "group", "hostname", "hosts" };

/* Lists dirfd with getdents64 using a buffer of bufsz bytes; marks the
 * wanted names seen, checks d_type and d_ino of passwd. Returns the number
 * of entries or -errno. */
static int list_dir(int dfd, size_t bufsz, int *seen, int *types_ok, ino_t passwd_ino, int *ino_ok)
{
	char buf[8192];
	int count = 0;
	*seen = 0;
	*types_ok = 1;
	*ino_ok = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, dfd, buf, bufsz);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			count++;
			for (int i = 0; i < WANT_N; i++) {
				if (strcmp(d->d_name, want[i]) != 0)
					continue;
				*seen |= 1 << i;
				unsigned char exp = i < 2 ? DT_DIR : DT_REG;
				if (d->d_type != exp && d->d_type != DT_UNKNOWN)
					*types_ok = 0;
				if (i == 2 && d->d_ino == passwd_ino)
					*ino_ok = 1;
			}
			if (d->d_reclen == 0 || d->d_reclen % 8 != 0)
				return -EIO;
			off += d->d_reclen;
		}
	}
	return count;
}

int main(void)
{
	struct stat st, lst, pst;
	char buf[PATH_MAX];

	CHECK_OK("stat.root", stat("/", &st));
	CHECK("stat.root_is_dir", S_ISDIR(st.st_mode));
	struct stat dd;
	CHECK_OK("stat.root_dotdot", stat("/..", &dd));
	CHECK("stat.root_dotdot_same", dd.st_ino == st.st_ino && dd.st_dev == st.st_dev);
	CHECK_OK("stat.tmp", stat("/tmp", &st));
	CHECK("stat.tmp_dir_sticky_1777", S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 01777);
	CHECK_OK("stat.passwd", stat("/etc/passwd", &pst));
	CHECK("stat.passwd_regular", S_ISREG(pst.st_mode));
	CHECK_EQ("stat.passwd_owner_root", pst.st_uid, 0);
	CHECK("stat.passwd_mode_readable", (pst.st_mode & 0444) == 0444);
	CHECK_ERR("stat.enoent", stat("/etc/no-such-entry", &st), ENOENT);
	CHECK_ERR("stat.enotdir", stat("/etc/passwd/x", &st), ENOTDIR);
	CHECK_ERR("stat.empty_enoent", stat("", &st), ENOENT);
	CHECK_ERR("stat.efault", syscall(SYS_stat, (char *)1, &st), EFAULT);
	errno = 0;
	long nm = pathconf("/", _PC_NAME_MAX);
	CHECK("pathconf.name_max", nm >= 14);
	memset(buf, 'a', 300);
	buf[300] = 0;
	CHECK_ERR("stat.name_too_long_enametoolong", stat(buf, &st), ENAMETOOLONG);

	/* Symlinks: lstat sees the link, stat the target. */
	CHECK_OK("lstat.bin_sh", lstat("/bin/sh", &lst));
	CHECK("lstat.bin_sh_is_link", S_ISLNK(lst.st_mode));
	CHECK_OK("stat.bin_sh", stat("/bin/sh", &st));
	CHECK("stat.bin_sh_follows_to_regular", S_ISREG(st.st_mode));
	CHECK("stat.bin_sh_executable", (st.st_mode & 0111) != 0);
	CHECK("stat.link_and_target_differ", st.st_ino != lst.st_ino);
	ssize_t n = readlink("/bin/sh", buf, sizeof(buf));
	CHECK("readlink.bin_sh", n > 0);
	CHECK_EQ("readlink.length_is_lstat_size", n, lst.st_size);
	char small[2];
	CHECK_EQ("readlink.truncates", readlink("/bin/sh", small, sizeof(small)), n < 2 ? n : 2);
	CHECK_ERR("readlink.not_link_einval", readlink("/etc/passwd", buf, sizeof(buf)), EINVAL);
	CHECK_ERR("readlink.enoent", readlink("/etc/no-such-link", buf, sizeof(buf)), ENOENT);
	CHECK_ERR("readlink.zero_bufsiz_einval", readlink("/bin/sh", buf, 0), EINVAL);
	int etc = open("/etc", O_RDONLY | O_DIRECTORY);
	int bin = open("/bin", O_RDONLY | O_DIRECTORY);
	CHECK_EQ("readlinkat.relative", readlinkat(bin, "sh", buf, sizeof(buf)), n);

	/* fstatat flags. */
	struct stat a;
	CHECK_OK("fstatat.nofollow", fstatat(bin, "sh", &a, AT_SYMLINK_NOFOLLOW));
	CHECK("fstatat.nofollow_is_link", S_ISLNK(a.st_mode) && a.st_ino == lst.st_ino);
	CHECK_OK("fstatat.follow", fstatat(bin, "sh", &a, 0));
	CHECK("fstatat.follow_is_regular", S_ISREG(a.st_mode));
	CHECK_OK("fstatat.relative_file", fstatat(etc, "passwd", &a, 0));
	CHECK("fstatat.relative_same_inode", a.st_ino == pst.st_ino && a.st_dev == pst.st_dev);
	int pfd = open("/etc/passwd", O_RDONLY);
	CHECK_OK("fstatat.empty_path", fstatat(pfd, "", &a, AT_EMPTY_PATH));
	CHECK("fstatat.empty_path_same_inode", a.st_ino == pst.st_ino);
	CHECK_ERR("fstatat.empty_path_without_flag_enoent", fstatat(pfd, "", &a, 0), ENOENT);
	CHECK_ERR("fstatat.bad_flags_einval", fstatat(etc, "passwd", &a, 0x40000000), EINVAL);
	CHECK_ERR("fstatat.file_dirfd_enotdir", fstatat(pfd, "x", &a, 0), ENOTDIR);
	CHECK_OK("fstatat.at_fdcwd", fstatat(AT_FDCWD, "etc/passwd", &a, 0));

	/* statx agrees with stat. */
	struct statx sx;
	memset(&sx, 0, sizeof(sx));
	CHECK_OK("statx.passwd", syscall(SYS_statx, AT_FDCWD, "/etc/passwd", 0, STATX_BASIC_STATS, &sx));
	CHECK("statx.mask_has_basic", (sx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE)) ==
	      (STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE));
	CHECK_EQ("statx.mode", sx.stx_mode, pst.st_mode);
	CHECK_EQ("statx.ino", sx.stx_ino, pst.st_ino);
	CHECK_EQ("statx.size", sx.stx_size, pst.st_size);
	CHECK_EQ("statx.uid", sx.stx_uid, pst.st_uid);
	CHECK_EQ("statx.gid", sx.stx_gid, pst.st_gid);
	CHECK_EQ("statx.nlink", sx.stx_nlink, pst.st_nlink);
	CHECK_EQ("statx.mtime", sx.stx_mtime.tv_sec, pst.st_mtime);
	CHECK_EQ("statx.dev", makedev(sx.stx_dev_major, sx.stx_dev_minor), pst.st_dev);
	CHECK_OK("statx.nofollow", syscall(SYS_statx, AT_FDCWD, "/bin/sh", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
	CHECK("statx.nofollow_is_link", S_ISLNK(sx.stx_mode));
	CHECK_ERR("statx.enoent", syscall(SYS_statx, AT_FDCWD, "/no-such", 0, STATX_BASIC_STATS, &sx), ENOENT);
	CHECK_ERR("statx.reserved_mask_einval", syscall(SYS_statx, AT_FDCWD, "/", 0, 0x80000000U, &sx), EINVAL);
	close(pfd);

	/* access. */
	CHECK_OK("access.passwd_r", access("/etc/passwd", R_OK));
	CHECK_OK("access.sh_x", access("/bin/sh", X_OK));
	CHECK_ERR("access.enoent", access("/no-such", F_OK), ENOENT);
	CHECK_ERR("access.bad_mode_einval", access("/", 0100), EINVAL);

	/* getdents64. */
	int seen, types_ok, ino_ok;
	int count = list_dir(etc, sizeof(char[8192]), &seen, &types_ok, pst.st_ino, &ino_ok);
	CHECK("getdents64.count", count >= WANT_N);
	CHECK_EQ("getdents64.has_dot_dotdot", seen & 3, 3);
	CHECK_EQ("getdents64.has_known_entries", seen, (1 << WANT_N) - 1);
	CHECK("getdents64.d_type", types_ok);
	CHECK("getdents64.d_ino_matches_stat", ino_ok);
	CHECK_EQ("getdents64.eof_returns_0", syscall(SYS_getdents64, etc, buf, sizeof(buf)), 0);
	CHECK_EQ("getdents64.rewind", lseek(etc, 0, SEEK_SET), 0);
	/* A small buffer needs several calls and must give the same listing. */
	int count2 = list_dir(etc, 64, &seen, &types_ok, pst.st_ino, &ino_ok);
	CHECK_EQ("getdents64.small_buffer_same_count", count2, count);
	CHECK_EQ("getdents64.small_buffer_same_entries", seen, (1 << WANT_N) - 1);
	lseek(etc, 0, SEEK_SET);
	CHECK_ERR("getdents64.tiny_buffer_einval", syscall(SYS_getdents64, etc, buf, 8), EINVAL);
	pfd = open("/etc/passwd", O_RDONLY);
	CHECK_ERR("getdents64.on_file_enotdir", syscall(SYS_getdents64, pfd, buf, sizeof(buf)), ENOTDIR);
	close(pfd);
	CHECK_ERR("getdents64.ebadf", syscall(SYS_getdents64, 9999, buf, sizeof(buf)), EBADF);

	/* readdir(3) over the same directory, via libc. */
	DIR *dir = opendir("/");
	int found = 0;
	struct dirent *de;
	while (dir && (de = readdir(dir)) != NULL)
		if (strcmp(de->d_name, "etc") == 0 || strcmp(de->d_name, "tmp") == 0)
			found++;
	if (dir)
		closedir(dir);
	CHECK_EQ("readdir.root_has_etc_tmp", found, 2);

	/* O_PATH descriptors. */
	int op = open("/etc/passwd", O_PATH);
	CHECK("open.o_path", op >= 0);
	CHECK_ERR("read.o_path_ebadf", read(op, buf, 1), EBADF);
	CHECK_OK("fstat.o_path", fstat(op, &a));
	CHECK_EQ("fstat.o_path_inode", a.st_ino, pst.st_ino);
	close(op);

	/* getcwd after fchdir. */
	CHECK_OK("fchdir.etc", fchdir(etc));
	CHECK_STR("getcwd.after_fchdir", getcwd(buf, sizeof(buf)), "/etc");
	CHECK_OK("chdir.back", chdir("/"));
	close(etc);
	close(bin);
	return conf_done();
}
