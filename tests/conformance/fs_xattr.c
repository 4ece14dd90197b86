/* Extended attributes on files under a fresh /tmp directory: user.* and
 * trusted.* (root only), create/replace flags, sizes, listing, removal,
 * the namespace rules for symlinks and sticky directories. */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/xattr.h>

static char dir[64];

static const char *P(const char *name)
{
	static char path[2][PATH_MAX];
	static int which;
	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

/* Our names in a list, sorted, comma-separated (filesystems list in
 * their own order, and may add attributes of their own). */
static const char *ours(const char *list, ssize_t len)
{
	static char out[512];
	const char *names[32];
	int n = 0;

	for (ssize_t off = 0; off < len && n < 32; off += (ssize_t)strlen(list + off) + 1) {
		if (!strncmp(list + off, "user.", 5) || !strncmp(list + off, "trusted.conf", 12))
			names[n++] = list + off;
	}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) > 0) {
				const char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		strncat(out, names[i], sizeof(out) - strlen(out) - 2);
	}
	return out;
}

int main(void)
{
	char buf[256], list[1024];
	ssize_t n;

	snprintf(dir, sizeof(dir), "/tmp/conf-xattr-XXXXXX");
	CHECK_OK("mkdtemp", mkdtemp(dir) ? 0 : -1);
	if (conf_failed)
		return conf_done();
	chmod(dir, 0755);
	int fd = open(P("f"), O_CREAT | O_RDWR, 0644);
	CHECK("create", fd >= 0);

	CHECK_OK("set.user", setxattr(P("f"), "user.color", "blue", 4, 0));
	CHECK_EQ("get.size_query", getxattr(P("f"), "user.color", NULL, 0), 4);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("get.user", getxattr(P("f"), "user.color", buf, sizeof(buf)), 4);
	CHECK_STR("get.user_value", buf, "blue");
	CHECK_ERR("get.too_small", getxattr(P("f"), "user.color", buf, 2), ERANGE);
	CHECK_ERR("get.missing", getxattr(P("f"), "user.nothing", buf, sizeof(buf)), ENODATA);
	CHECK_ERR("set.create_exists", setxattr(P("f"), "user.color", "red", 3, XATTR_CREATE), EEXIST);
	CHECK_ERR("set.replace_missing", setxattr(P("f"), "user.shape", "x", 1, XATTR_REPLACE), ENODATA);
	CHECK_OK("set.replace", setxattr(P("f"), "user.color", "red", 3, XATTR_REPLACE));
	CHECK_EQ("fget.replaced", fgetxattr(fd, "user.color", buf, sizeof(buf)), 3);
	CHECK_OK("set.empty_value", setxattr(P("f"), "user.empty", "", 0, 0));
	CHECK_EQ("get.empty_value", getxattr(P("f"), "user.empty", buf, sizeof(buf)), 0);
	CHECK_OK("fset", fsetxattr(fd, "user.via_fd", "1", 1, 0));
	CHECK_ERR("set.bad_flags", setxattr(P("f"), "user.x", "1", 1, 0x10), EINVAL);
	CHECK_ERR("set.no_namespace", setxattr(P("f"), "color", "1", 1, 0), EOPNOTSUPP);
	CHECK_ERR("set.empty_name", setxattr(P("f"), "", "1", 1, 0), ERANGE);
	char longname[300];
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "user.", 5);
	longname[299] = '\0';
	CHECK_ERR("set.long_name", setxattr(P("f"), longname, "1", 1, 0), ERANGE);
	static char big[70000];
	CHECK_ERR("set.too_big", setxattr(P("f"), "user.big", big, sizeof(big), 0), E2BIG);

	n = listxattr(P("f"), list, sizeof(list));
	CHECK("list.ok", n > 0);
	CHECK_STR("list.names", ours(list, n), "user.color,user.empty,user.via_fd");
	ssize_t need = listxattr(P("f"), NULL, 0);
	CHECK_EQ("list.size_query", need, n);
	CHECK_ERR("list.too_small", listxattr(P("f"), list, 3), ERANGE);
	n = flistxattr(fd, list, sizeof(list));
	CHECK_STR("flist.names", ours(list, n), "user.color,user.empty,user.via_fd");

	CHECK_OK("remove", removexattr(P("f"), "user.empty"));
	CHECK_ERR("remove.again", removexattr(P("f"), "user.empty"), ENODATA);
	CHECK_OK("fremove", fremovexattr(fd, "user.via_fd"));
	n = listxattr(P("f"), list, sizeof(list));
	CHECK_STR("list.after_remove", ours(list, n), "user.color");

	/* trusted.* is root's. */
	CHECK_OK("set.trusted", setxattr(P("f"), "trusted.conf", "t", 1, 0));
	CHECK_EQ("get.trusted", getxattr(P("f"), "trusted.conf", buf, sizeof(buf)), 1);
	n = listxattr(P("f"), list, sizeof(list));
	CHECK_STR("list.root_sees_trusted", ours(list, n), "trusted.conf,user.color");

	/* user.* only on regular files and directories. */
	CHECK_OK("symlink", symlink("f", P("s")));
	CHECK_ERR("lset.symlink", lsetxattr(P("s"), "user.x", "1", 1, 0), EPERM);
	CHECK_ERR("lget.symlink", lgetxattr(P("s"), "user.x", buf, sizeof(buf)), ENODATA);
	CHECK_EQ("get.through_symlink", getxattr(P("s"), "user.color", buf, sizeof(buf)), 3);
	CHECK_OK("mkdir", mkdir(P("d"), 0755));
	CHECK_OK("set.dir", setxattr(P("d"), "user.d", "dd", 2, 0));
	CHECK_EQ("get.dir", getxattr(P("d"), "user.d", buf, sizeof(buf)), 2);
	CHECK_OK("mkdir.sticky", mkdir(P("sticky"), 0777));
	chmod(P("sticky"), 01777);
	CHECK_OK("chmod.f", chmod(P("f"), 0666));

	pid_t c = fork();
	if (c == 0) {
		char b[64];
		if (setgid(65534) || setuid(65534))
			_exit(10);
		/* Reading needs read permission, writing write permission. */
		if (getxattr(P("f"), "user.color", b, sizeof(b)) != 3)
			_exit(11);
		if (setxattr(P("f"), "user.kid", "k", 1, 0))
			_exit(12);
		if (setxattr(P("d"), "user.kid", "k", 1, 0) != -1 || errno != EACCES)
			_exit(13);
		/* trusted.* does not exist for others. */
		if (getxattr(P("f"), "trusted.conf", b, sizeof(b)) != -1 || errno != ENODATA)
			_exit(14);
		if (setxattr(P("f"), "trusted.kid", "k", 1, 0) != -1 || errno != EPERM)
			_exit(15);
		char l[512];
		ssize_t ln = listxattr(P("f"), l, sizeof(l));
		if (ln < 0 || strcmp(ours(l, ln), "user.color,user.kid"))
			_exit(16);
		/* Only the owner writes user.* on a sticky directory. */
		if (setxattr(P("sticky"), "user.kid", "k", 1, 0) != -1 || errno != EPERM)
			_exit(17);
		_exit(0);
	}
	CHECK_EXIT("other_user", conf_wait(c), 0);

	close(fd);
	unlink(P("s"));
	unlink(P("f"));
	rmdir(P("d"));
	rmdir(P("sticky"));
	CHECK_OK("rmdir", rmdir(dir));
	return conf_done();
}
