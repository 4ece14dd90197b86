/* openat2(2): struct open_how as copy_struct_from_user reads it (sizes,
 * non-zero tails), build_open_flags' argument checks, and every RESOLVE_*
 * flag: NO_SYMLINKS, NO_MAGICLINKS (/proc/self is a plain symlink, fd/N
 * and cwd are magic), NO_XDEV (down into a mount, up with "..", absolute
 * symlinks, magic links), BENEATH, IN_ROOT and CACHED. Natively the
 * program first moves to a mount namespace of its own so that its tmpfs
 * mount stays private. All under a fresh directory in /tmp. */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

struct how {
	uint64_t flags, mode, resolve;
};

#define RESOLVE_NO_XDEV       0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS   0x04
#define RESOLVE_BENEATH       0x08
#define RESOLVE_IN_ROOT       0x10
#define RESOLVE_CACHED        0x20

#define K_O_LARGEFILE 0100000

static char base[64];
static int D; /* base/d */

static const char *P(const char *name)
{
	static char path[4][PATH_MAX];
	static int which;
	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", base, name);
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

/* A scoped lookup whose ".." raced with a rename or mount anywhere on the
 * host gets EAGAIN from Linux, to be retried (openat2(2)); so does an RCU
 * walk (RESOLVE_CACHED) that raced with a mount. What fails every time
 * still fails. */
static long oa2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct how h = { flags, mode, resolve };
	long r;
	int tries = 0;
	do
		r = syscall(SYS_openat2, dirfd, path, &h, sizeof(h));
	while (r < 0 && errno == EAGAIN &&
	       (resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)) && ++tries < 200);
	return r;
}

/* Opens and reads the file, returning its text ("(ERRNAME)" on failure). */
static const char *rd(int dirfd, const char *path, uint64_t resolve)
{
	static char buf[4][128];
	static int which;
	char *b = buf[which = (which + 1) % 4];
	long fd = oa2(dirfd, path, O_RDONLY, 0, resolve);
	if (fd < 0) {
		snprintf(b, 128, "(%s)", conf_errname(errno));
		return b;
	}
	ssize_t n = read((int)fd, b, 127);
	close((int)fd);
	b[n > 0 ? n : 0] = '\0';
	return b;
}

static void sizes(void)
{
	char big[4200];
	struct how *h = (struct how *)big;
	long fd;

	memset(big, 0, sizeof(big));
	h->flags = O_RDONLY;
	CHECK_ERR("size.0", syscall(SYS_openat2, D, "file", big, 0), EINVAL);
	CHECK_ERR("size.23", syscall(SYS_openat2, D, "file", big, 23), EINVAL);
	fd = syscall(SYS_openat2, D, "file", big, 24);
	CHECK("size.24", fd >= 0);
	close((int)fd);
	fd = syscall(SYS_openat2, D, "file", big, 32);
	CHECK("size.32_zero_tail", fd >= 0);
	close((int)fd);
	fd = syscall(SYS_openat2, D, "file", big, 4096);
	CHECK("size.page_zero_tail", fd >= 0);
	close((int)fd);
	CHECK_ERR("size.over_page", syscall(SYS_openat2, D, "file", big, 4097), E2BIG);
	big[30] = 1;
	CHECK_ERR("size.32_nonzero_tail", syscall(SYS_openat2, D, "file", big, 32), E2BIG);
	/* Only the bytes within usize count. */
	fd = syscall(SYS_openat2, D, "file", big, 24);
	CHECK("size.24_ignores_beyond", fd >= 0);
	close((int)fd);
	big[30] = 0;
	CHECK_ERR("size.efault", syscall(SYS_openat2, D, "file", (void *)8, 24), EFAULT);
	/* A tail running into unmapped memory. */
	char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pg + 4096, 4096);
	memset(pg + 4096 - 24, 0, 24);
	CHECK_ERR("size.efault_tail", syscall(SYS_openat2, D, "file", pg + 4096 - 24, 32), EFAULT);
	munmap(pg, 4096);
}

static void flags(void)
{
	CHECK_ERR("flags.unknown_high", oa2(D, "file", 1ULL << 40, 0, 0), EINVAL);
	CHECK_ERR("flags.unknown_bit31", oa2(D, "file", 1ULL << 31, 0, 0), EINVAL);
	CHECK_ERR("flags.mode_without_creat", oa2(D, "file", O_RDONLY, 0644, 0), EINVAL);
	CHECK_ERR("flags.mode_too_big", oa2(D, "new1", O_CREAT | O_WRONLY, 010000, 0), EINVAL);
	CHECK_ERR("flags.mode_huge", oa2(D, "new1", O_CREAT | O_WRONLY, 1ULL << 32, 0), EINVAL);
	CHECK_ERR("flags.resolve_unknown", oa2(D, "file", O_RDONLY, 0, 0x40), EINVAL);
	CHECK_ERR("flags.resolve_high", oa2(D, "file", O_RDONLY, 0, 1ULL << 63), EINVAL);
	CHECK_ERR("flags.beneath_in_root",
		  oa2(D, "file", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
	CHECK_ERR("flags.opath_rdwr", oa2(D, "file", O_PATH | O_RDWR, 0, 0), EINVAL);
	CHECK_ERR("flags.opath_largefile", oa2(D, "file", O_PATH | K_O_LARGEFILE, 0, 0), EINVAL);
	CHECK_ERR("flags.creat_directory", oa2(D, "new1", O_CREAT | O_DIRECTORY, 0, 0), EINVAL);
	CHECK_ERR("flags.tmpfile_rdonly", oa2(D, ".", O_TMPFILE | O_RDONLY, 0600, 0), EINVAL);
	CHECK_ERR("flags.tmpfile_mode_big", oa2(D, ".", O_TMPFILE | O_RDWR, 070000, 0), EINVAL);
	/* The arguments are checked before the path is read. */
	CHECK_ERR("flags.before_path", oa2(D, NULL, 1ULL << 40, 0, 0), EINVAL);
	CHECK_ERR("flags.null_path", oa2(D, NULL, O_RDONLY, 0, 0), EFAULT);
	CHECK_ERR("flags.empty_path", oa2(D, "", O_RDONLY, 0, 0), ENOENT);
	CHECK_ERR("flags.bad_dirfd", oa2(999, "file", O_RDONLY, 0, 0), EBADF);
	long f = oa2(D, "file", O_RDONLY, 0, 0);
	CHECK_ERR("flags.file_dirfd", oa2((int)f, "x", O_RDONLY, 0, 0), ENOTDIR);
	close((int)f);
}

static void plain(void)
{
	long fd = oa2(D, "file", O_RDONLY | O_CLOEXEC, 0, 0);
	CHECK("plain.open", fd >= 0);
	CHECK_EQ("plain.getfl", fcntl((int)fd, F_GETFL), O_RDONLY | K_O_LARGEFILE);
	CHECK_EQ("plain.cloexec", fcntl((int)fd, F_GETFD), FD_CLOEXEC);
	close((int)fd);
	fd = oa2(D, "file", O_PATH, 0, 0);
	CHECK_EQ("plain.opath_getfl", fcntl((int)fd, F_GETFL), O_PATH);
	close((int)fd);
	fd = oa2(D, "made", O_CREAT | O_EXCL | O_WRONLY, 0640, 0);
	CHECK("plain.creat", fd >= 0);
	struct stat st;
	CHECK("plain.creat_mode", fstat((int)fd, &st) == 0 && (st.st_mode & 07777) == 0640);
	close((int)fd);
	CHECK_ERR("plain.creat_excl", oa2(D, "made", O_CREAT | O_EXCL | O_WRONLY, 0640, 0), EEXIST);
	fd = oa2(D, ".", O_TMPFILE | O_RDWR, 0600, 0);
	CHECK("plain.tmpfile", fd >= 0);
	close((int)fd);
	CHECK_STR("plain.read", rd(D, "file", 0), "file");
	CHECK_STR("plain.abs_symlink", rd(D, "abs", 0), "file");
}

static void no_symlinks(void)
{
	CHECK_STR("nosym.plain", rd(D, "sub/f2", RESOLVE_NO_SYMLINKS), "f2");
	CHECK_STR("nosym.trailing", rd(D, "rel", RESOLVE_NO_SYMLINKS), "(ELOOP)");
	CHECK_STR("nosym.middle", rd(D, "sl/f2", RESOLVE_NO_SYMLINKS), "(ELOOP)");
	CHECK_STR("nosym.abs", rd(D, "abs", RESOLVE_NO_SYMLINKS), "(ELOOP)");
	long fd = oa2(D, "rel", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS);
	struct stat st;
	CHECK("nosym.opath_nofollow", fd >= 0 && fstat((int)fd, &st) == 0 && S_ISLNK(st.st_mode));
	close((int)fd);
	CHECK_ERR("nosym.nofollow", oa2(D, "rel", O_RDONLY | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS),
		  ELOOP);
	CHECK_ERR("nosym.creat", oa2(D, "dangling", O_CREAT | O_WRONLY, 0600, RESOLVE_NO_SYMLINKS),
		  ELOOP);
	CHECK_ERR("nosym.creat_excl",
		  oa2(D, "dangling", O_CREAT | O_EXCL | O_WRONLY, 0600, RESOLVE_NO_SYMLINKS), EEXIST);
	char fdpath[64];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", D);
	CHECK_ERR("nosym.proc_self", oa2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0,
					 RESOLVE_NO_SYMLINKS), ELOOP);
	CHECK_ERR("nosym.magic", oa2(AT_FDCWD, fdpath, O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
}

static void no_magiclinks(void)
{
	char fdpath[64], sub[80];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", D);
	snprintf(sub, sizeof(sub), "%s/file", fdpath);
	CHECK_STR("nomagic.proc_self", rd(AT_FDCWD, "/proc/self/comm", RESOLVE_NO_MAGICLINKS),
		  "openat2\n");
	CHECK_STR("nomagic.thread_self",
		  rd(AT_FDCWD, "/proc/thread-self/comm", RESOLVE_NO_MAGICLINKS), "openat2\n");
	CHECK_STR("nomagic.plain_symlink", rd(D, "rel", RESOLVE_NO_MAGICLINKS), "f2");
	CHECK_STR("nomagic.fd_allowed", rd(AT_FDCWD, sub, 0), "file");
	CHECK_STR("nomagic.fd_trailing", rd(AT_FDCWD, fdpath, RESOLVE_NO_MAGICLINKS), "(ELOOP)");
	CHECK_STR("nomagic.fd_middle", rd(AT_FDCWD, sub, RESOLVE_NO_MAGICLINKS), "(ELOOP)");
	CHECK_STR("nomagic.exe", rd(AT_FDCWD, "/proc/self/exe", RESOLVE_NO_MAGICLINKS), "(ELOOP)");
	CHECK_STR("nomagic.cwd", rd(AT_FDCWD, "/proc/self/cwd/.", RESOLVE_NO_MAGICLINKS), "(ELOOP)");
	long fd = oa2(AT_FDCWD, fdpath, O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_MAGICLINKS);
	struct stat st;
	CHECK("nomagic.opath_nofollow",
	      fd >= 0 && fstat((int)fd, &st) == 0 && S_ISLNK(st.st_mode));
	close((int)fd);
	CHECK_ERR("nomagic.creat", oa2(AT_FDCWD, fdpath, O_CREAT | O_RDONLY, 0600,
				       RESOLVE_NO_MAGICLINKS), ELOOP);
}

static void no_xdev(int M)
{
	CHECK_STR("xdev.same", rd(D, "sub/f2", RESOLVE_NO_XDEV), "f2");
	CHECK_STR("xdev.down_allowed", rd(D, "m/mf", 0), "mf");
	CHECK_STR("xdev.down", rd(D, "m/mf", RESOLVE_NO_XDEV), "(EXDEV)");
	CHECK_STR("xdev.down_symlink", rd(D, "tom", RESOLVE_NO_XDEV), "(EXDEV)");
	CHECK_ERR("xdev.mountpoint", oa2(D, "m", O_PATH, 0, RESOLVE_NO_XDEV), EXDEV);
	CHECK_STR("xdev.inside", rd(M, "mf", RESOLVE_NO_XDEV), "mf");
	CHECK_STR("xdev.up_allowed", rd(M, "../file", 0), "file");
	CHECK_STR("xdev.up", rd(M, "../file", RESOLVE_NO_XDEV), "(EXDEV)");
	CHECK_ERR("xdev.dotdot", oa2(M, "..", O_PATH, 0, RESOLVE_NO_XDEV), EXDEV);
	CHECK_STR("xdev.in_mount_dotdot", rd(M, "msub/../mf", RESOLVE_NO_XDEV), "mf");
	/* An absolute symlink in the tmpfs jumps to "/" on another mount. */
	CHECK_STR("xdev.abs_symlink", rd(M, "mabs", RESOLVE_NO_XDEV), "(EXDEV)");
	CHECK_STR("xdev.proc", rd(AT_FDCWD, "/proc/self/comm", RESOLVE_NO_XDEV), "(EXDEV)");
	long fd = oa2(AT_FDCWD, "/", O_PATH, 0, RESOLVE_NO_XDEV);
	CHECK("xdev.abs_root", fd >= 0);
	close((int)fd);
	int proc = open("/proc/self", O_PATH | O_DIRECTORY);
	char fdname[32];
	snprintf(fdname, sizeof(fdname), "fd/%d", D);
	CHECK_STR("xdev.proc_inside", rd(proc, "comm", RESOLVE_NO_XDEV), "openat2\n");
	CHECK_STR("xdev.magic_other_mount", rd(proc, fdname, RESOLVE_NO_XDEV), "(EXDEV)");
	CHECK_ERR("xdev.magic_other_mount_path", oa2(proc, fdname, O_PATH, 0, RESOLVE_NO_XDEV),
		  EXDEV);
	close(proc);
}

static void beneath(int M)
{
	int proc = open("/proc/self", O_PATH | O_DIRECTORY);
	int procroot = open("/proc", O_PATH | O_DIRECTORY);
	char fdname[32];

	CHECK_STR("beneath.file", rd(D, "file", RESOLVE_BENEATH), "file");
	CHECK_STR("beneath.dotdot_inside", rd(D, "sub/../file", RESOLVE_BENEATH), "file");
	CHECK_STR("beneath.symlink_inside", rd(D, "rel", RESOLVE_BENEATH), "f2");
	CHECK_STR("beneath.symlink_dotdot_inside", rd(D, "upin", RESOLVE_BENEATH), "file");
	CHECK_STR("beneath.mount", rd(D, "m/mf", RESOLVE_BENEATH), "mf");
	CHECK_STR("beneath.mount_back", rd(D, "m/../file", RESOLVE_BENEATH), "file");
	CHECK_ERR("beneath.dotdot", oa2(D, "..", O_PATH, 0, RESOLVE_BENEATH), EXDEV);
	CHECK_STR("beneath.escape", rd(D, "../d/file", RESOLVE_BENEATH), "(EXDEV)");
	CHECK_STR("beneath.escape_deep", rd(D, "sub/../../d/file", RESOLVE_BENEATH), "(EXDEV)");
	CHECK_STR("beneath.absolute", rd(D, P("d/file"), RESOLVE_BENEATH), "(EXDEV)");
	CHECK_STR("beneath.abs_symlink", rd(D, "abs", RESOLVE_BENEATH), "(EXDEV)");
	CHECK_STR("beneath.up_symlink", rd(D, "up", RESOLVE_BENEATH), "(EXDEV)");
	CHECK_STR("beneath.up_allowed", rd(D, "up", 0), "out");
	CHECK_STR("beneath.in_mount_escape", rd(M, "../file", RESOLVE_BENEATH), "(EXDEV)");
	CHECK_ERR("beneath.creat_escape",
		  oa2(D, "../new2", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR("beneath.creat_dotdot", oa2(D, "..", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH),
		  EXDEV);
	CHECK_ERR("beneath.creat_dotdot_inside",
		  oa2(D, "sub/..", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH), EISDIR);
	long fd = oa2(D, "sub/new3", O_CREAT | O_WRONLY, 0600, RESOLVE_BENEATH);
	CHECK("beneath.creat_inside", fd >= 0);
	close((int)fd);
	CHECK_ERR("beneath.creat_via_abs", oa2(D, "absnew", O_CREAT | O_WRONLY, 0600,
					       RESOLVE_BENEATH), EXDEV);
	/* Magic links cannot be followed in a scoped lookup; /proc/self can. */
	snprintf(fdname, sizeof(fdname), "fd/%d", D);
	CHECK_STR("beneath.proc_self", rd(procroot, "self/comm", RESOLVE_BENEATH), "openat2\n");
	CHECK_STR("beneath.proc_comm", rd(proc, "comm", RESOLVE_BENEATH), "openat2\n");
	CHECK_ERR("beneath.magic", oa2(proc, fdname, O_PATH, 0, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR("beneath.magic_cwd", oa2(proc, "cwd", O_PATH, 0, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR("beneath.cwd_dotdot", oa2(AT_FDCWD, "..", O_PATH, 0, RESOLVE_BENEATH), EXDEV);
	close(proc);
	close(procroot);
}

static void in_root(int M)
{
	int proc = open("/proc/self", O_PATH | O_DIRECTORY);
	char fdname[32];

	CHECK_STR("inroot.file", rd(D, "file", RESOLVE_IN_ROOT), "file");
	CHECK_STR("inroot.absolute", rd(D, "/file", RESOLVE_IN_ROOT), "file");
	CHECK_STR("inroot.absolute_allowed", rd(D, "/file", 0), "(ENOENT)");
	CHECK_STR("inroot.dotdot_clamped", rd(D, "../../../file", RESOLVE_IN_ROOT), "file");
	CHECK_STR("inroot.dotdot_sub", rd(D, "sub/../../sub/f2", RESOLVE_IN_ROOT), "f2");
	CHECK_STR("inroot.abs_symlink", rd(D, "rootabs", RESOLVE_IN_ROOT), "f2");
	CHECK_STR("inroot.abs_symlink_allowed", rd(D, "rootabs", 0), "(ENOENT)");
	CHECK_STR("inroot.up_symlink", rd(D, "upclamp", RESOLVE_IN_ROOT), "file");
	CHECK_STR("inroot.up_outside", rd(D, "up", RESOLVE_IN_ROOT), "(ENOENT)");
	CHECK_STR("inroot.mount", rd(D, "/m/mf", RESOLVE_IN_ROOT), "mf");
	CHECK_STR("inroot.mount_root", rd(M, "/mf", RESOLVE_IN_ROOT), "mf");
	CHECK_STR("inroot.mount_clamp", rd(M, "../mf", RESOLVE_IN_ROOT), "mf");
	long fd = oa2(D, "/", O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT);
	struct stat a, b;
	CHECK("inroot.slash_is_dirfd",
	      fd >= 0 && fstat((int)fd, &a) == 0 && fstat(D, &b) == 0 && a.st_ino == b.st_ino);
	close((int)fd);
	fd = oa2(D, "/sub/new4", O_CREAT | O_WRONLY, 0600, RESOLVE_IN_ROOT);
	CHECK("inroot.creat", fd >= 0);
	close((int)fd);
	CHECK("inroot.creat_where", access(P("d/sub/new4"), F_OK) == 0);
	snprintf(fdname, sizeof(fdname), "fd/%d", D);
	CHECK_ERR("inroot.magic", oa2(proc, fdname, O_PATH, 0, RESOLVE_IN_ROOT), EXDEV);
	close(proc);
}

static void cached(void)
{
	/* Whatever Linux can serve from the dentry cache after a first
	 * lookup; create, truncate and O_TMPFILE never. */
	CHECK_STR("cached.warm", rd(D, "file", 0), "file");
	CHECK_STR("cached.file", rd(D, "file", RESOLVE_CACHED), "file");
	CHECK_STR("cached.symlink", rd(D, "rel", RESOLVE_CACHED), "f2");
	CHECK_ERR("cached.creat", oa2(D, "made", O_CREAT | O_WRONLY, 0600, RESOLVE_CACHED), EAGAIN);
	CHECK_ERR("cached.trunc", oa2(D, "file", O_TRUNC | O_WRONLY, 0, RESOLVE_CACHED), EAGAIN);
	CHECK_ERR("cached.tmpfile", oa2(D, ".", O_TMPFILE | O_RDWR, 0600, RESOLVE_CACHED), EAGAIN);
	CHECK_ERR("cached.bad_flags", oa2(D, "made", O_CREAT | O_WRONLY, 0600,
					  RESOLVE_CACHED | RESOLVE_BENEATH | RESOLVE_IN_ROOT),
		  EINVAL);
	/* Names never looked up need the filesystem. */
	CHECK_STR("cached.miss", rd(D, "never-looked-up", RESOLVE_CACHED), "(EAGAIN)");
	CHECK_STR("cached.proc_first", rd(AT_FDCWD, "/proc/self/stat", RESOLVE_CACHED), "(EAGAIN)");
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
	int M;

	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	umask(022);
	strcpy(base, "/tmp/oa2.XXXXXX");
	if (!mkdtemp(base)) {
		FAIL("setup", "mkdtemp: %s", conf_errname(errno));
		return conf_done();
	}
	char abs_target[PATH_MAX];
	snprintf(abs_target, sizeof(abs_target), "%s/d/file", base);
	int ok = put(P("outside"), "out") == 0 && mkdir(P("d"), 0755) == 0 &&
		 put(P("d/file"), "file") == 0 && mkdir(P("d/sub"), 0755) == 0 &&
		 put(P("d/sub/f2"), "f2") == 0 && symlink("sub/f2", P("d/rel")) == 0 &&
		 symlink("sub", P("d/sl")) == 0 && symlink(abs_target, P("d/abs")) == 0 &&
		 symlink("../outside", P("d/up")) == 0 && symlink("sub/../file", P("d/upin")) == 0 &&
		 symlink("/sub/f2", P("d/rootabs")) == 0 &&
		 symlink("../../../../file", P("d/upclamp")) == 0 &&
		 symlink("nowhere", P("d/dangling")) == 0 && symlink("/x", P("d/absnew")) == 0 &&
		 symlink("m/mf", P("d/tom")) == 0 && mkdir(P("d/m"), 0755) == 0 &&
		 mount("oa2", P("d/m"), "tmpfs", 0, "size=64k") == 0 && put(P("d/m/mf"), "mf") == 0 &&
		 mkdir(P("d/m/msub"), 0755) == 0 && symlink("/", P("d/m/mabs")) == 0;
	CHECK("setup", ok);
	D = open(P("d"), O_PATH | O_DIRECTORY);
	M = open(P("d/m"), O_RDONLY | O_DIRECTORY);
	if (ok && D >= 0 && M >= 0) {
		sizes();
		flags();
		plain();
		no_symlinks();
		no_magiclinks();
		no_xdev(M);
		beneath(M);
		in_root(M);
		cached();
	}
	close(M);
	close(D);
	umount2(P("d/m"), MNT_DETACH);
	cleanup(base);
	return conf_done();
}
