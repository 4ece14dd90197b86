/* Permission checks against the caller's credentials: owner, group
 * (fsgid and supplementary groups) and other bits in Linux's order (the
 * first class that matches decides), directory read/search, creating and
 * removing names, chmod/chown/utimensat ownership rules, a root that
 * dropped CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH/CAP_FOWNER with capset,
 * access(2) with real ids against faccessat2(AT_EACCESS) with effective
 * ones, and the umask. Each unprivileged part runs in a child that prints
 * its own checks and exits with its failure count. All under a fresh
 * directory in /tmp. */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <sys/stat.h>

#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif

static char dir[64];

static const char *P(const char *name)
{
	static char path[4][PATH_MAX];
	static int which;
	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

static int mk(const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	int fd = open(P(name), O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "data", 4) != 4)
		return -1;
	close(fd);
	if (chown(P(name), uid, gid) || chmod(P(name), mode))
		return -1;
	return 0;
}

static int mkd(const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	if (mkdir(P(name), 0700) || chown(P(name), uid, gid) || chmod(P(name), mode))
		return -1;
	return 0;
}

static int opn(const char *name, int flags)
{
	int fd = open(P(name), flags);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return -1;
}

static long faccessat2_(const char *name, int mode, int flags)
{
	return syscall(439, AT_FDCWD, name, mode, flags);
}

/* Runs fn in a child; its checks print themselves, its exit status is
 * its failure count. */
static void child(const char *name, void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(conf_failed > 100 ? 100 : conf_failed);
	}
	CHECK_EXIT(name, conf_wait(pid), 0);
}

static int become(uid_t ruid, uid_t euid, gid_t gid, const gid_t *groups, int ngroups)
{
	if (setgroups(ngroups, groups) || setresgid(gid, gid, gid) || setresuid(ruid, euid, euid))
		return -1;
	return 0;
}

static void as_user(void)
{
	gid_t groups[] = { 2000 };
	struct stat st;

	conf_failed = 0;
	if (become(1000, 1000, 1000, groups, 1)) {
		FAIL("user.become", "%s", conf_errname(errno));
		return;
	}
	CHECK_OK("user.owner_rw", opn("own600", O_RDWR));
	CHECK_ERR("user.owner_bits_first", opn("own077", O_RDONLY), EACCES);
	CHECK_OK("user.supp_group_read", opn("grp040", O_RDONLY));
	CHECK_ERR("user.supp_group_write", opn("grp040", O_WRONLY), EACCES);
	CHECK_ERR("user.group_bits_first", opn("grp707", O_RDONLY), EACCES);
	CHECK_OK("user.fsgid_read", opn("gid1000_040", O_RDONLY));
	CHECK_ERR("user.not_group", opn("grp3000_040", O_RDONLY), EACCES);
	CHECK_OK("user.other_read", opn("other004", O_RDONLY));
	CHECK_ERR("user.other_write", opn("other004", O_WRONLY), EACCES);
	CHECK_ERR("user.none", opn("none000", O_RDONLY), EACCES);
	CHECK_ERR("user.trunc_needs_write", opn("other004", O_RDONLY | O_TRUNC), EACCES);
	CHECK_ERR("user.truncate", truncate(P("other004"), 0), EACCES);
	CHECK_ERR("user.dir_no_search", stat(P("d700/f"), &st), EACCES);
	CHECK_ERR("user.dir_no_search_open", opn("d700/f", O_RDONLY), EACCES);
	CHECK_OK("user.dir_search_only", opn("d711/f", O_RDONLY));
	CHECK_ERR("user.dir_no_read", opn("d711", O_RDONLY | O_DIRECTORY), EACCES);
	CHECK_OK("user.dir_read_only", opn("d744", O_RDONLY | O_DIRECTORY));
	CHECK_ERR("user.dir_read_no_search", stat(P("d744/f"), &st), EACCES);
	CHECK_ERR("user.create_in_root_dir", open(P("d755/new"), O_CREAT | O_WRONLY, 0644), EACCES);
	CHECK_ERR("user.unlink_in_root_dir", unlink(P("d755/f")), EACCES);
	CHECK_ERR("user.mkdir_in_root_dir", mkdir(P("d755/sub"), 0755), EACCES);
	CHECK_ERR("user.rename_in_root_dir", rename(P("d755/f"), P("d755/g")), EACCES);
	CHECK_OK("user.create_in_group_dir", close(open(P("d770g/mine"), O_CREAT | O_WRONLY, 0666)));
	CHECK("user.new_file_owner",
	      stat(P("d770g/mine"), &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000);
	CHECK_OK("user.unlink_in_group_dir", unlink(P("d770g/mine")));
	CHECK_ERR("user.chmod_not_owner", chmod(P("other004"), 0777), EPERM);
	CHECK_OK("user.chmod_owner", chmod(P("own600"), 0640));
	CHECK_ERR("user.chown_uid", chown(P("own600"), 0, -1), EPERM);
	CHECK_ERR("user.chown_same_uid_other_owner", chown(P("other004"), 0, -1), EPERM);
	CHECK_OK("user.chown_same_uid", chown(P("own600"), 1000, -1));
	CHECK_OK("user.chown_supp_group", chown(P("own600"), -1, 2000));
	CHECK_ERR("user.chown_other_group", chown(P("own600"), -1, 3000), EPERM);
	CHECK_OK("user.chmod_setgid_member", chmod(P("own600"), 02640));
	CHECK("user.setgid_kept", stat(P("own600"), &st) == 0 && (st.st_mode & 07777) == 02640);
	CHECK_OK("user.chown_drops_setgid_not", chown(P("own600"), -1, 1000));
	CHECK("user.setgid_no_gexec_kept", stat(P("own600"), &st) == 0 && (st.st_mode & 07777) == 02640);
	CHECK_OK("user.chmod_setgid_nonmember", chown(P("own600"), -1, 2000) == 0 && chmod(P("own600"), 0640) == 0 ? 0 : -1);
	CHECK_OK("user.utime_now_writable", utimensat(AT_FDCWD, P("other666"), NULL, 0));
	CHECK_ERR("user.utime_now_readonly", utimensat(AT_FDCWD, P("other004"), NULL, 0), EACCES);
	struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
	CHECK_ERR("user.utime_set_not_owner", utimensat(AT_FDCWD, P("other666"), ts, 0), EPERM);
	CHECK_OK("user.utime_set_owner", utimensat(AT_FDCWD, P("own600"), ts, 0));
	CHECK_OK("user.access_r", access(P("other004"), R_OK));
	CHECK_ERR("user.access_w", access(P("other004"), W_OK), EACCES);
	CHECK_ERR("user.access_x", access(P("other004"), X_OK), EACCES);
	CHECK_OK("user.access_f_in_searchable", access(P("d711/f"), F_OK));
	CHECK_ERR("user.access_f_unsearchable", access(P("d700/f"), F_OK), EACCES);
	CHECK_ERR("user.access_bad_mode", access(P("other004"), 8), EINVAL);
}

static int drop_caps(uint32_t keep)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(uint32_t)((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH) |
				     (1u << CAP_FOWNER));
	d[0].effective |= keep;
	return (int)syscall(SYS_capset, &h, d);
}

static void root_no_dac(void)
{
	struct stat st;

	conf_failed = 0;
	CHECK_OK("nodac.capset", drop_caps(0));
	CHECK_ERR("nodac.none_read", opn("none000", O_RDONLY), EACCES);
	CHECK_ERR("nodac.other_write", opn("other004", O_WRONLY), EACCES);
	CHECK_OK("nodac.owner_root", opn("root600", O_RDWR));
	CHECK_ERR("nodac.dir_no_search", stat(P("d000/f"), &st), EACCES);
	CHECK_ERR("nodac.create_no_write", open(P("d555/new"), O_CREAT | O_WRONLY, 0644), EACCES);
	CHECK_ERR("nodac.chmod_not_owner", chmod(P("own077"), 0700), EPERM);
	CHECK_OK("nodac.chown_still_capable", chown(P("own077"), 1000, 2000));
	/* access(2) gives a real root its permitted capabilities back. */
	CHECK_OK("nodac.access_r", access(P("none000"), R_OK));
	CHECK_ERR("nodac.eaccess_r", faccessat2_(P("none000"), R_OK, AT_EACCESS), EACCES);
}

static void root_read_search(void)
{
	struct stat st;

	conf_failed = 0;
	CHECK_OK("readsearch.capset", drop_caps(1u << CAP_DAC_READ_SEARCH));
	CHECK_OK("readsearch.none_read", opn("none000", O_RDONLY));
	CHECK_ERR("readsearch.none_write", opn("none000", O_WRONLY), EACCES);
	CHECK_OK("readsearch.dir_search", stat(P("d000/f"), &st));
	CHECK_OK("readsearch.dir_read", opn("d000", O_RDONLY | O_DIRECTORY));
	CHECK_ERR("readsearch.dir_write", open(P("d555/new"), O_CREAT | O_WRONLY, 0644), EACCES);
}

static void root_override(void)
{
	conf_failed = 0;
	CHECK_OK("override.capset", drop_caps(1u << CAP_DAC_OVERRIDE));
	CHECK_OK("override.none_rw", opn("none000", O_RDWR));
	CHECK_ERR("override.exec_needs_an_x", access(P("none000"), X_OK), EACCES);
	CHECK_OK("override.exec_some_x", access(P("x100"), X_OK));
	CHECK_OK("override.create", close(open(P("d555/new"), O_CREAT | O_WRONLY, 0644)));
	CHECK_OK("override.unlink", unlink(P("d555/new")));
}

/* access(2) checks with the real uid, faccessat2(AT_EACCESS) with the
 * effective one. */
static void real_vs_effective(void)
{
	gid_t none[1] = { 0 };

	conf_failed = 0;
	if (setgroups(0, none) || setresuid(1000, 0, 0)) {
		FAIL("eaccess.become", "%s", conf_errname(errno));
		return;
	}
	CHECK_ERR("eaccess.access_real", access(P("none000"), R_OK), EACCES);
	CHECK_OK("eaccess.effective", faccessat2_(P("none000"), R_OK, AT_EACCESS));
	CHECK_OK("eaccess.access_real_owner", access(P("own600"), R_OK | W_OK));
	CHECK_ERR("eaccess.bad_flag", faccessat2_(P("own600"), R_OK, 0x1), EINVAL);
	CHECK_OK("eaccess.nofollow_dangling", faccessat2_(P("dangling"), F_OK, AT_SYMLINK_NOFOLLOW));
	CHECK_ERR("eaccess.follow_dangling", faccessat2_(P("dangling"), F_OK, 0), ENOENT);
	int fd = open(P("none000"), O_PATH);
	CHECK_OK("eaccess.empty_path", syscall(439, fd, "", R_OK, AT_EMPTY_PATH | AT_EACCESS));
	CHECK_ERR("eaccess.empty_path_real", syscall(439, fd, "", R_OK, AT_EMPTY_PATH), EACCES);
	CHECK_ERR("eaccess.empty_no_flag", syscall(439, fd, "", R_OK, 0), ENOENT);
	close(fd);
	/* Back to real root with the effective id of a user. */
	if (setresuid(0, 1000, 0)) {
		FAIL("eaccess.become2", "%s", conf_errname(errno));
		return;
	}
	CHECK_OK("eaccess.real_root", access(P("none000"), R_OK));
	CHECK_ERR("eaccess.effective_user", faccessat2_(P("none000"), R_OK, AT_EACCESS), EACCES);
	CHECK_OK("eaccess.effective_owner", faccessat2_(P("own600"), R_OK, AT_EACCESS));
}

static void test_umask(void)
{
	struct stat st;

	mode_t old = umask(027);
	CHECK_EQ("umask.returns_old", umask(027), 027);
	CHECK_OK("umask.creat", close(open(P("um_file"), O_CREAT | O_WRONLY, 0777)));
	CHECK("umask.creat_mode", stat(P("um_file"), &st) == 0 && (st.st_mode & 07777) == 0750);
	CHECK_OK("umask.mkdir", mkdir(P("um_dir"), 0777));
	CHECK("umask.mkdir_mode", stat(P("um_dir"), &st) == 0 && (st.st_mode & 07777) == 0750);
	CHECK_OK("umask.mkdir_sticky", mkdir(P("um_dir2"), 01777));
	CHECK("umask.mkdir_sticky_mode", stat(P("um_dir2"), &st) == 0 && (st.st_mode & 07777) == 01750);
	CHECK_OK("umask.mkfifo", mkfifo(P("um_fifo"), 0666));
	CHECK("umask.mkfifo_mode", stat(P("um_fifo"), &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK_OK("umask.mknod_reg", mknod(P("um_reg"), S_IFREG | 0666, 0));
	CHECK("umask.mknod_reg_mode", stat(P("um_reg"), &st) == 0 && (st.st_mode & 07777) == 0640);
	int fd = open(P("."), O_TMPFILE | O_RDWR, 0666);
	CHECK("umask.tmpfile_mode", fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640);
	close(fd);
	CHECK_OK("umask.chmod_ignores", chmod(P("um_file"), 0777));
	CHECK("umask.chmod_mode", stat(P("um_file"), &st) == 0 && (st.st_mode & 07777) == 0777);
	CHECK_EQ("umask.high_bits", umask(07777), 027);
	CHECK_EQ("umask.masked", umask(0), 0777);
	CHECK_OK("umask.zero", close(open(P("um_zero"), O_CREAT | O_WRONLY, 0666)));
	CHECK("umask.zero_mode", stat(P("um_zero"), &st) == 0 && (st.st_mode & 07777) == 0666);
	pid_t pid = fork();
	if (pid == 0)
		_exit(umask(0) == 0 ? 0 : 1);
	CHECK_EXIT("umask.inherited", conf_wait(pid), 0);
	umask(old);
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
		if (de->d_type == DT_DIR) {
			chmod(p, 0700);
			cleanup(p);
		} else {
			unlink(p);
		}
	}
	closedir(d);
	rmdir(path);
}

int main(void)
{
	umask(022);
	snprintf(dir, sizeof(dir), "/tmp/conf-perm-XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0755)) {
		FAIL("setup", "mkdtemp: %s", conf_errname(errno));
		return conf_done();
	}
	int ok = mk("own600", 1000, 1000, 0600) == 0 && mk("own077", 1000, 1000, 0077) == 0 &&
		 mk("grp040", 0, 2000, 0040) == 0 && mk("grp707", 0, 2000, 0707) == 0 &&
		 mk("gid1000_040", 0, 1000, 0040) == 0 && mk("grp3000_040", 0, 3000, 0040) == 0 &&
		 mk("other004", 0, 0, 0004) == 0 && mk("other666", 0, 0, 0666) == 0 &&
		 mk("none000", 0, 0, 0000) == 0 && mk("root600", 0, 0, 0600) == 0 &&
		 mk("x100", 0, 0, 0100) == 0 && symlink("nowhere", P("dangling")) == 0;
	ok = ok && mkd("d700", 0, 0, 0700) == 0 && mk("d700/f", 0, 0, 0644) == 0 &&
	     mkd("d711", 0, 0, 0711) == 0 && mk("d711/f", 0, 0, 0644) == 0 &&
	     mkd("d744", 0, 0, 0744) == 0 && mk("d744/f", 0, 0, 0644) == 0 &&
	     mkd("d755", 0, 0, 0755) == 0 && mk("d755/f", 0, 0, 0644) == 0 &&
	     mkd("d770g", 0, 2000, 0770) == 0 && mkd("d000", 0, 0, 0) == 0 &&
	     mkd("d555", 0, 0, 0555) == 0;
	/* d000/f: made while the directory is still searchable. */
	ok = ok && chmod(P("d000"), 0700) == 0 && mk("d000/f", 0, 0, 0644) == 0 &&
	     chmod(P("d000"), 0) == 0;
	CHECK("setup", ok);
	if (ok) {
		child("user", as_user);
		child("nodac", root_no_dac);
		child("readsearch", root_read_search);
		child("override", root_override);
		child("eaccess", real_vs_effective);
		test_umask();
	}
	cleanup(dir);
	struct stat st;
	CHECK_ERR("cleanup.removed", stat(dir, &st), ENOENT);
	return conf_done();
}
