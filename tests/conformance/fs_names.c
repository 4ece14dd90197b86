/* Names in a writable directory: create/unlink/rename variants
 * (RENAME_NOREPLACE, RENAME_EXCHANGE, over files and directories),
 * O_CREAT|O_EXCL, O_TRUNC, O_APPEND, link counts, rmdir ENOTEMPTY, sticky
 * directories, O_TMPFILE. Everything happens under a fresh directory in
 * /tmp (in the sandbox: the root overlay's upper layer). */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
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

static int renameat2_(const char *a, const char *b, unsigned int flags)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
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
	static char buf[128];
	int fd = open(P(name), O_RDONLY);
	if (fd < 0)
		return "(none)";
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static long nlink(const char *name)
{
	struct stat st;
	return stat(P(name), &st) == 0 ? (long)st.st_nlink : -1;
}

static void test_create(void)
{
	struct stat st;

	CHECK_OK("creat.excl", open(P("a"), O_CREAT | O_EXCL | O_WRONLY, 0600));
	CHECK_ERR("creat.excl_exists", open(P("a"), O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	CHECK_OK("symlink.dangling", symlink("nowhere", P("dl")));
	/* O_EXCL never follows a trailing symlink, even a dangling one. */
	CHECK_ERR("creat.excl_dangling_symlink", open(P("dl"), O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	CHECK_ERR("creat.excl_nowhere_absent", stat(P("nowhere"), &st), ENOENT);
	CHECK_ERR("creat.trailing_slash", open(P("newdir/"), O_CREAT | O_WRONLY, 0600), EISDIR);
	CHECK_ERR("creat.missing_parent", open(P("no/such"), O_CREAT | O_WRONLY, 0600), ENOENT);
	CHECK_ERR("creat.dir_eisdir", open(dir, O_CREAT | O_WRONLY, 0600), EISDIR);

	CHECK_OK("put.t", put("t", "0123456789"));
	int fd = open(P("t"), O_RDWR | O_TRUNC);
	CHECK("trunc.open", fd >= 0);
	fstat(fd, &st);
	CHECK_EQ("trunc.size0", st.st_size, 0);
	close(fd);
	CHECK_OK("put.t2", put("t", "abc"));
	fd = open(P("t"), O_WRONLY | O_APPEND);
	CHECK_EQ("append.write1", write(fd, "de", 2), 2);
	CHECK_EQ("append.lseek0", lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ("append.write2", write(fd, "f", 1), 1);
	CHECK_EQ("append.pos_at_end", lseek(fd, 0, SEEK_CUR), 6);
	CHECK_EQ("append.pwrite", pwrite(fd, "g", 1, 0), 1);
	close(fd);
	CHECK_STR("append.content", get("t"), "abcdefg");
	/* O_TRUNC with O_RDONLY truncates too (Linux). */
	fd = open(P("t"), O_RDONLY | O_TRUNC);
	fstat(fd, &st);
	CHECK_EQ("trunc.rdonly", st.st_size, 0);
	close(fd);
	/* SEEK_END and a hole. */
	fd = open(P("t"), O_RDWR);
	CHECK_EQ("seek.end_plus", lseek(fd, 100, SEEK_END), 100);
	CHECK_EQ("hole.write", write(fd, "z", 1), 1);
	char buf[8] = { 1 };
	CHECK_EQ("hole.pread", pread(fd, buf, 4, 50), 4);
	CHECK("hole.zero", buf[0] == 0 && buf[3] == 0);
	close(fd);
}

static void test_links(void)
{
	CHECK_OK("mkdir.d", mkdir(P("d"), 0755));
	CHECK_EQ("nlink.new_dir", nlink("d"), 2);
	CHECK_OK("mkdir.d_sub1", mkdir(P("d/s1"), 0755));
	CHECK_OK("mkdir.d_sub2", mkdir(P("d/s2"), 0755));
	CHECK_EQ("nlink.dir_with_subdirs", nlink("d"), 4);
	CHECK_OK("put.d_f", put("d/f", "x"));
	CHECK_EQ("nlink.file_does_not_count", nlink("d"), 4);
	CHECK_ERR("rmdir.notempty", rmdir(P("d")), ENOTEMPTY);
	CHECK_ERR("rmdir.dot", rmdir(P("d/s1/.")), EINVAL);
	CHECK_ERR("rmdir.dotdot", rmdir(P("d/s1/..")), ENOTEMPTY);
	CHECK_OK("rmdir.s1", rmdir(P("d/s1")));
	CHECK_EQ("nlink.after_rmdir", nlink("d"), 3);
	CHECK_OK("link.f", link(P("d/f"), P("d/f2")));
	CHECK_OK("link.f3", link(P("d/f"), P("f3")));
	CHECK_EQ("nlink.file_3", nlink("d/f"), 3);
	CHECK_ERR("link.dir_eperm", link(P("d/s2"), P("d/s3")), EPERM);
	CHECK_ERR("link.missing", link(P("d/missing"), P("d/m2")), ENOENT);
	CHECK_OK("unlink.f2", unlink(P("d/f2")));
	CHECK_EQ("nlink.file_2", nlink("f3"), 2);
	/* A directory moved elsewhere takes its ".." with it. */
	CHECK_OK("mkdir.e", mkdir(P("e"), 0755));
	CHECK_OK("rename.dir_across", rename(P("d/s2"), P("e/s2")));
	CHECK_EQ("nlink.src_parent", nlink("d"), 2);
	CHECK_EQ("nlink.dst_parent", nlink("e"), 3);
	CHECK_OK("stat.dotdot_moved", access(P("e/s2/../s2"), F_OK));
}

static void test_rename(void)
{
	struct stat a, b;

	CHECK_OK("put.r1", put("r1", "one"));
	CHECK_OK("put.r2", put("r2", "two"));
	CHECK_ERR("noreplace.exists", renameat2_(P("r1"), P("r2"), RENAME_NOREPLACE), EEXIST);
	CHECK_OK("exchange.files", renameat2_(P("r1"), P("r2"), RENAME_EXCHANGE));
	CHECK_STR("exchange.r1", get("r1"), "two");
	CHECK_STR("exchange.r2", get("r2"), "one");
	CHECK_ERR("exchange.missing", renameat2_(P("r1"), P("nothing"), RENAME_EXCHANGE), ENOENT);
	CHECK_ERR("exchange.with_noreplace",
		  renameat2_(P("r1"), P("r2"), RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
	CHECK_OK("mkdir.x", mkdir(P("x"), 0755));
	CHECK_OK("put.x_in", put("x/in", "inside"));
	CHECK_OK("exchange.file_dir", renameat2_(P("r1"), P("x"), RENAME_EXCHANGE));
	CHECK_STR("exchange.dir_moved", get("r1/in"), "inside");
	CHECK_STR("exchange.file_moved", get("x"), "two");
	CHECK_OK("rename.back", renameat2_(P("r1"), P("x"), RENAME_EXCHANGE));

	/* A directory over an empty one, not over a full one. */
	CHECK_OK("mkdir.empty", mkdir(P("empty"), 0755));
	CHECK_OK("mkdir.full", mkdir(P("full"), 0755));
	CHECK_OK("put.full_f", put("full/f", ""));
	stat(P("x"), &a);
	CHECK_ERR("rename.over_full_dir", rename(P("x"), P("full")), ENOTEMPTY);
	CHECK_OK("rename.over_empty_dir", rename(P("x"), P("empty")));
	stat(P("empty"), &b);
	CHECK("rename.over_empty_same_ino", a.st_ino == b.st_ino);
	CHECK_ERR("rename.old_gone", stat(P("x"), &b), ENOENT);
	CHECK_ERR("rename.into_own_subdir", rename(P("empty"), P("empty/sub")), EINVAL);
	CHECK_ERR("rename.dir_over_file", rename(P("empty"), P("r2")), ENOTDIR);
	CHECK_ERR("rename.file_over_dir", rename(P("r2"), P("empty")), EISDIR);
	CHECK_ERR("rename.trailing_slash_file", rename(P("r2/"), P("r9")), ENOTDIR);
	/* Two names of one file: nothing happens. */
	CHECK_OK("link.r2", link(P("r2"), P("r2b")));
	CHECK_OK("rename.same_inode", rename(P("r2"), P("r2b")));
	CHECK_OK("rename.same_inode_both_stay", access(P("r2"), F_OK) == 0 && access(P("r2b"), F_OK) == 0 ? 0 : -1);
	/* Renaming keeps open files working. */
	int fd = open(P("r2"), O_RDONLY);
	CHECK_OK("rename.open_file", rename(P("r2"), P("r3")));
	char buf[8] = "";
	CHECK_EQ("rename.open_file_reads", read(fd, buf, 3), 3);
	close(fd);
	CHECK_OK("rename.self", rename(P("r3"), P("r3")));
}

static void test_sticky(void)
{
	struct stat st;

	CHECK_OK("stat.tmp", stat("/tmp", &st));
	CHECK("tmp.sticky_1777", (st.st_mode & 07777) == 01777);
	CHECK_OK("mkdir.sticky", mkdir(P("sticky"), 0777));
	CHECK_OK("chmod.sticky", chmod(P("sticky"), 01777));
	CHECK_OK("put.sticky_root", put("sticky/rootfile", "r"));
	CHECK_OK("put.sticky_open", put("sticky/openfile", "o"));
	CHECK_OK("chmod.sticky_open", chmod(P("sticky/openfile"), 0666));
	pid_t c = fork();
	if (c == 0) {
		/* Someone else may write the file but not remove it. */
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (unlink(P("sticky/rootfile")) != -1 || errno != EPERM)
			_exit(11);
		if (rename(P("sticky/openfile"), P("sticky/x")) != -1 || errno != EPERM)
			_exit(12);
		int fd = open(P("sticky/mine"), O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			_exit(13);
		close(fd);
		if (unlink(P("sticky/mine")))
			_exit(14);
		fd = open(P("sticky/openfile"), O_WRONLY);
		if (fd < 0)
			_exit(15);
		close(fd);
		if (mkdir(P("sticky/kid"), 0755))
			_exit(16);
		/* Not in a 0755 root-owned directory. */
		if (open(P("e/nope"), O_CREAT | O_WRONLY, 0644) != -1 || errno != EACCES)
			_exit(17);
		_exit(0);
	}
	CHECK_EXIT("sticky.other_user", conf_wait(c), 0);
	/* The owner of the directory (root here) may remove anything. */
	CHECK_OK("sticky.root_removes", rmdir(P("sticky/kid")));
}

static void test_tmpfile(void)
{
	struct stat st;
	int fd = open(dir, O_TMPFILE | O_RDWR, 0600);

	CHECK("tmpfile.open", fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ("tmpfile.write", write(fd, "tmp", 3), 3);
	fstat(fd, &st);
	CHECK_EQ("tmpfile.nlink0", st.st_nlink, 0);
	CHECK("tmpfile.regular", S_ISREG(st.st_mode));
	CHECK_OK("tmpfile.linkat", linkat(fd, "", AT_FDCWD, P("named"), AT_EMPTY_PATH));
	CHECK_STR("tmpfile.named_content", get("named"), "tmp");
	fstat(fd, &st);
	CHECK_EQ("tmpfile.nlink1", st.st_nlink, 1);
	close(fd);
	CHECK_ERR("tmpfile.needs_write", open(dir, O_TMPFILE | O_RDONLY, 0600), EINVAL);
}

static void test_unlinked(void)
{
	struct stat st;
	int fd = open(P("gone"), O_CREAT | O_RDWR, 0600);

	CHECK_OK("unlink.open", unlink(P("gone")));
	CHECK_EQ("unlink.still_writes", write(fd, "abc", 3), 3);
	fstat(fd, &st);
	CHECK_EQ("unlink.nlink0", st.st_nlink, 0);
	CHECK_EQ("unlink.size", st.st_size, 3);
	CHECK_ERR("unlink.name_gone", stat(P("gone"), &st), ENOENT);
	/* A removed name can take a new file. */
	CHECK_OK("put.gone_again", put("gone", "new"));
	char buf[4] = "";
	CHECK_EQ("unlink.old_data", pread(fd, buf, 3, 0), 3);
	CHECK_STR("unlink.old_data_is_old", buf, "abc");
	close(fd);
	/* A removed directory: its open fd lists nothing, creates nothing. */
	CHECK_OK("mkdir.doomed", mkdir(P("doomed"), 0755));
	int dfd = open(P("doomed"), O_RDONLY | O_DIRECTORY);
	CHECK_OK("rmdir.doomed", rmdir(P("doomed")));
	CHECK_ERR("rmdir.create_inside", openat(dfd, "f", O_CREAT | O_WRONLY, 0644), ENOENT);
	close(dfd);
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
	snprintf(dir, sizeof(dir), "/tmp/conf-names-XXXXXX");
	CHECK_OK("mkdtemp", mkdtemp(dir) ? 0 : -1);
	if (conf_failed)
		return conf_done();
	chmod(dir, 0755);
	umask(022);
	test_create();
	test_links();
	test_rename();
	test_sticky();
	test_tmpfile();
	test_unlinked();
	cleanup(dir);
	struct stat st;
	CHECK_ERR("cleanup.removed", stat(dir, &st), ENOENT);
	return conf_done();
}
