/* renameat2 on a tmpfs the program mounts (natively in a mount namespace
 * of its own): flag validation, RENAME_NOREPLACE, RENAME_EXCHANGE (files,
 * directories, a file with a directory), RENAME_WHITEOUT (a 0/0 character
 * device left behind, also without CAP_MKNOD as since Linux 5.8), and
 * the type and ancestry errors. */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
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

static int r2(const char *a, const char *b, unsigned int flags)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, P(a), AT_FDCWD, P(b), flags);
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

static const char *get(const char *name)
{
	static char buf[64];
	int fd = open(P(name), O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n < 0 ? conf_errname(errno) : buf;
}

static int drop_mknod(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(1u << CAP_MKNOD);
	return (int)syscall(SYS_capset, &h, d);
}

int main(void)
{
	struct stat st;

	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	snprintf(dir, sizeof(dir), "/tmp/conf-rename-XXXXXX");
	if (!mkdtemp(dir)) {
		FAIL("setup", "mkdtemp: %s", conf_errname(errno));
		return conf_done();
	}
	CHECK_OK("mount", mount("conf", dir, "tmpfs", 0, "size=1m"));
	CHECK("setup", put("a", "A") == 0 && put("b", "B") == 0 && mkdir(P("d"), 0755) == 0 &&
			       mkdir(P("e"), 0755) == 0 && put("e/x", "X") == 0);

	CHECK_ERR("flags.unknown", r2("a", "z", 8), EINVAL);
	CHECK_ERR("flags.noreplace_exchange", r2("a", "b", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	CHECK_ERR("flags.whiteout_exchange", r2("a", "b", RENAME_WHITEOUT | RENAME_EXCHANGE), EINVAL);
	CHECK_ERR("flags.before_lookup", r2("nothere", "z", 8), EINVAL);

	CHECK_ERR("noreplace.exists", r2("a", "b", RENAME_NOREPLACE), EEXIST);
	CHECK_OK("noreplace.new", r2("a", "a2", RENAME_NOREPLACE));
	CHECK_STR("noreplace.moved", get("a2"), "A");
	CHECK_ERR("noreplace.gone", stat(P("a"), &st), ENOENT);
	CHECK_ERR("noreplace.missing", r2("a", "z", RENAME_NOREPLACE), ENOENT);

	CHECK_OK("exchange.files", r2("a2", "b", RENAME_EXCHANGE));
	CHECK_STR("exchange.a2", get("a2"), "B");
	CHECK_STR("exchange.b", get("b"), "A");
	CHECK_ERR("exchange.missing_target", r2("b", "z", RENAME_EXCHANGE), ENOENT);
	CHECK_ERR("exchange.missing_source", r2("z", "b", RENAME_EXCHANGE), ENOENT);
	CHECK_OK("exchange.file_dir", r2("b", "e", RENAME_EXCHANGE));
	CHECK("exchange.file_dir_types",
	      stat(P("b"), &st) == 0 && S_ISDIR(st.st_mode) && stat(P("e"), &st) == 0 &&
		      S_ISREG(st.st_mode));
	CHECK_STR("exchange.dir_content", get("b/x"), "X");
	CHECK_OK("exchange.same", r2("a2", "a2", RENAME_EXCHANGE));
	CHECK_ERR("exchange.into_child", r2("b", "b/x", RENAME_EXCHANGE), EINVAL);
	CHECK_ERR("exchange.child_parent", r2("b/x", "b", RENAME_EXCHANGE), EINVAL);

	CHECK_ERR("type.file_over_dir", r2("a2", "d", 0), EISDIR);
	CHECK_ERR("type.dir_over_file", r2("d", "a2", 0), ENOTDIR);
	CHECK_ERR("type.dir_over_nonempty", r2("d", "b", 0), ENOTEMPTY);
	CHECK_ERR("type.into_itself", r2("d", "d/sub", 0), EINVAL);
	CHECK_ERR("type.slash_file", r2("a2/", "q", 0), ENOTDIR);
	CHECK_OK("type.dir_over_empty", mkdir(P("f"), 0755) == 0 ? r2("d", "f", 0) : -1);

	CHECK_OK("whiteout", r2("a2", "w", RENAME_WHITEOUT));
	CHECK("whiteout.left", lstat(P("a2"), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	CHECK_EQ("whiteout.mode", st.st_mode & 07777, 0);
	CHECK_STR("whiteout.moved", get("w"), "B");
	CHECK_ERR("whiteout.open", open(P("a2"), O_RDONLY), ENXIO);
	CHECK_OK("whiteout.over_existing", r2("w", "e", RENAME_WHITEOUT));
	CHECK_STR("whiteout.over_content", get("e"), "B");
	CHECK_ERR("whiteout.missing", r2("nothere", "z", RENAME_WHITEOUT), ENOENT);
	CHECK_OK("whiteout.unlink", unlink(P("a2")));
	pid_t pid = fork();
	if (pid == 0) {
		if (drop_mknod())
			_exit(2);
		_exit(r2("e", "z", RENAME_WHITEOUT) == 0 ? 0 : 1);
	}
	/* Since Linux 5.8 whiteouts need no CAP_MKNOD. */
	CHECK_EXIT("whiteout.no_cap_mknod", conf_wait(pid), 0);
	CHECK_STR("whiteout.no_cap_moved", get("z"), "B");

	CHECK_OK("umount", umount2(dir, MNT_DETACH));
	CHECK_OK("rmdir", rmdir(dir));
	return conf_done();
}
