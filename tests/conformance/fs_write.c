/* Creating and changing files: everything happens under a fresh directory
 * in /tmp, removed at the end. Kept apart from the read-only file tests
 * because it needs a writable root filesystem. */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>

static char dir[64];

static const char *P(const char *name)
{
	static char path[2][PATH_MAX];
	static int which;
	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

static void test_create_rw(void)
{
	char buf[64];
	struct stat st;

	umask(022);
	int fd = open(P("f"), O_CREAT | O_EXCL | O_RDWR, 0640);
	CHECK("open.creat_excl", fd >= 0);
	CHECK_OK("fstat.created", fstat(fd, &st));
	CHECK("fstat.created_regular_empty", S_ISREG(st.st_mode) && st.st_size == 0);
	CHECK_EQ("fstat.created_mode", st.st_mode & 07777, 0640);
	CHECK_EQ("fstat.created_owner", st.st_uid, getuid());
	CHECK_EQ("write.new_file", write(fd, "hello world", 11), 11);
	CHECK_EQ("lseek.after_write", lseek(fd, 0, SEEK_CUR), 11);
	CHECK_EQ("pread.new_file", pread(fd, buf, 5, 6), 5);
	CHECK("pread.new_file_data", memcmp(buf, "world", 5) == 0);
	CHECK_EQ("pwrite.middle", pwrite(fd, "W", 1, 6), 1);
	CHECK_EQ("pwrite.offset_unchanged", lseek(fd, 0, SEEK_CUR), 11);
	struct iovec iov[2] = { { "ab", 2 }, { "cd", 2 } };
	CHECK_EQ("writev.append_at_offset", writev(fd, iov, 2), 4);
	fstat(fd, &st);
	CHECK_EQ("fstat.size_after_writes", st.st_size, 15);
	lseek(fd, 0, SEEK_SET);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("read.back", read(fd, buf, sizeof(buf)), 15);
	CHECK_STR("read.back_data", buf, "hello Worldabcd");
	CHECK_OK("fsync.call", fsync(fd));
	CHECK_OK("fdatasync.call", fdatasync(fd));
	close(fd);
	CHECK_ERR("open.creat_excl_eexist", open(P("f"), O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);

	/* The umask applies to the creation mode. */
	umask(077);
	fd = open(P("masked"), O_CREAT | O_WRONLY, 0666);
	fstat(fd, &st);
	CHECK_EQ("open.creat_umask_applied", st.st_mode & 0777, 0600);
	close(fd);
	umask(022);

	/* O_APPEND always writes at the end. */
	fd = open(P("f"), O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	CHECK_EQ("write.append", write(fd, "!", 1), 1);
	close(fd);
	fd = open(P("f"), O_RDONLY);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("read.after_append", read(fd, buf, sizeof(buf)), 16);
	CHECK_STR("read.after_append_data", buf, "hello Worldabcd!");
	close(fd);

	/* O_TRUNC and ftruncate. */
	fd = open(P("f"), O_RDWR | O_TRUNC);
	fstat(fd, &st);
	CHECK_EQ("open.o_trunc", st.st_size, 0);
	CHECK_OK("ftruncate.grow", ftruncate(fd, 10000));
	fstat(fd, &st);
	CHECK_EQ("ftruncate.grow_size", st.st_size, 10000);
	CHECK_EQ("read.hole_is_zero", pread(fd, buf, 4, 5000) == 4 && buf[0] == 0 && buf[3] == 0, 1);
	CHECK_OK("ftruncate.shrink", ftruncate(fd, 3));
	CHECK_EQ("read.after_shrink", pread(fd, buf, sizeof(buf), 0), 3);
	CHECK_ERR("ftruncate.negative_einval", ftruncate(fd, -1), EINVAL);
	close(fd);
	CHECK_OK("truncate.path", truncate(P("f"), 1));
	stat(P("f"), &st);
	CHECK_EQ("truncate.path_size", st.st_size, 1);
	fd = open(P("f"), O_RDONLY);
	CHECK_ERR("ftruncate.rdonly_einval", ftruncate(fd, 0), EINVAL);
	close(fd);

	/* A write larger than a page and a seek past the end. */
	fd = open(P("big"), O_CREAT | O_RDWR, 0600);
	static char big[100000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 251);
	CHECK_EQ("write.100k", conf_write_all(fd, big, sizeof(big)), sizeof(big));
	static char back[100000];
	CHECK_EQ("pread.100k", pread(fd, back, sizeof(back), 0), sizeof(back));
	CHECK("pread.100k_data", memcmp(big, back, sizeof(big)) == 0);
	CHECK_EQ("lseek.past_end_write", lseek(fd, 200000, SEEK_SET), 200000);
	CHECK_EQ("write.past_end", write(fd, "x", 1), 1);
	fstat(fd, &st);
	CHECK_EQ("fstat.size_after_sparse_write", st.st_size, 200001);
	close(fd);
}

static void test_namespace_ops(void)
{
	struct stat st, st2;
	char buf[PATH_MAX];

	CHECK_OK("mkdir.sub", mkdir(P("sub"), 0755));
	CHECK_OK("stat.sub", stat(P("sub"), &st));
	CHECK("stat.sub_is_dir", S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755);
	CHECK_ERR("mkdir.eexist", mkdir(P("sub"), 0755), EEXIST);
	CHECK_ERR("mkdir.missing_parent_enoent", mkdir(P("nope/sub"), 0755), ENOENT);
	int dfd = open(P("sub"), O_RDONLY | O_DIRECTORY);
	int fd = openat(dfd, "inner", O_CREAT | O_WRONLY, 0644);
	CHECK("openat.creat_in_dir", fd >= 0);
	close(fd);
	CHECK_ERR("rmdir.not_empty", rmdir(P("sub")), ENOTEMPTY);
	CHECK_ERR("rmdir.on_file_enotdir", rmdir(P("sub/inner")), ENOTDIR);
	CHECK_ERR("unlink.on_dir_eisdir", unlink(P("sub")), EISDIR);
	CHECK_OK("unlinkat.file", unlinkat(dfd, "inner", 0));
	CHECK_ERR("unlinkat.gone_enoent", unlinkat(dfd, "inner", 0), ENOENT);
	close(dfd);

	/* rename: file over file, into a directory, a directory. */
	fd = open(P("r1"), O_CREAT | O_WRONLY, 0644);
	CHECK_EQ("write.r1", write(fd, "one", 3), 3);
	close(fd);
	fd = open(P("r2"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	stat(P("r1"), &st);
	CHECK_OK("rename.over_existing", rename(P("r1"), P("r2")));
	CHECK_ERR("rename.old_gone", stat(P("r1"), &st2), ENOENT);
	CHECK_OK("rename.new_present", stat(P("r2"), &st2));
	CHECK("rename.same_inode", st.st_ino == st2.st_ino && st2.st_size == 3);
	CHECK_OK("rename.into_dir", rename(P("r2"), P("sub/r3")));
	CHECK_OK("rename.dir", rename(P("sub"), P("sub2")));
	CHECK_OK("rename.dir_contents_follow", stat(P("sub2/r3"), &st2));
	CHECK_ERR("rename.missing_enoent", rename(P("nothing"), P("x")), ENOENT);
	CHECK_ERR("rename.dir_into_itself_einval", rename(P("sub2"), P("sub2/x")), EINVAL);
	fd = open(P("rf"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	CHECK_ERR("rename.dir_over_file_enotdir", rename(P("sub2"), P("rf")), ENOTDIR);
	CHECK_ERR("rename.file_over_dir_eisdir", rename(P("rf"), P("sub2")), EISDIR);
	CHECK_OK("renameat2.noreplace_ok", syscall(SYS_renameat2, AT_FDCWD, P("sub2/r3"), AT_FDCWD, P("r4"), 1));
	fd = open(P("r5"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	CHECK_ERR("renameat2.noreplace_eexist", syscall(SYS_renameat2, AT_FDCWD, P("r4"), AT_FDCWD, P("r5"), 1), EEXIST);
	CHECK_OK("rmdir.empty", rmdir(P("sub2")));
	CHECK_ERR("rmdir.gone_enoent", rmdir(P("sub2")), ENOENT);

	/* Hard links. */
	CHECK_OK("link.create", link(P("r4"), P("h")));
	stat(P("r4"), &st);
	stat(P("h"), &st2);
	CHECK("link.same_inode", st.st_ino == st2.st_ino);
	CHECK_EQ("link.nlink_2", st.st_nlink, 2);
	CHECK_ERR("link.eexist", link(P("r4"), P("h")), EEXIST);
	unlink(P("h"));
	stat(P("r4"), &st);
	CHECK_EQ("link.nlink_back_to_1", st.st_nlink, 1);

	/* Symlinks and loops. */
	CHECK_OK("symlink.create", symlink("r4", P("s")));
	ssize_t n = readlink(P("s"), buf, sizeof(buf));
	CHECK_EQ("readlink.created", n, 2);
	CHECK("readlink.created_target", n == 2 && memcmp(buf, "r4", 2) == 0);
	CHECK_OK("stat.through_symlink", stat(P("s"), &st2));
	CHECK_EQ("stat.through_symlink_inode", st2.st_ino, st.st_ino);
	CHECK_ERR("symlink.eexist", symlink("x", P("s")), EEXIST);
	CHECK_OK("symlink.dangling", symlink("does-not-exist", P("d")));
	CHECK_ERR("open.dangling_enoent", open(P("d"), O_RDONLY), ENOENT);
	fd = open(P("d"), O_CREAT | O_WRONLY, 0644);
	CHECK("open.creat_through_dangling", fd >= 0);
	close(fd);
	CHECK_OK("open.creat_through_dangling_made_target", stat(P("does-not-exist"), &st2));
	CHECK_OK("symlink.self_loop", symlink("loop", P("loop")));
	CHECK_ERR("open.symlink_loop_eloop", open(P("loop"), O_RDONLY), ELOOP);
	CHECK_ERR("stat.symlink_loop_eloop", stat(P("loop"), &st2), ELOOP);
	CHECK_OK("lstat.symlink_loop_ok", lstat(P("loop"), &st2));
	CHECK_ERR("open.nofollow_eloop", open(P("s"), O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK_OK("symlink.pair_a", symlink("b", P("a")));
	CHECK_OK("symlink.pair_b", symlink("a", P("b")));
	CHECK_ERR("stat.symlink_pair_eloop", stat(P("a"), &st2), ELOOP);
	CHECK_ERR("unlink.missing_enoent", unlink(P("missing")), ENOENT);
}

static void test_attrs(void)
{
	struct stat st;
	int fd = open(P("attr"), O_CREAT | O_RDWR, 0600);
	CHECK_OK("fchmod.call", fchmod(fd, 0754));
	fstat(fd, &st);
	CHECK_EQ("fchmod.mode", st.st_mode & 07777, 0754);
	CHECK_OK("chmod.call", chmod(P("attr"), 0600));
	stat(P("attr"), &st);
	CHECK_EQ("chmod.mode", st.st_mode & 07777, 0600);
	CHECK_OK("chown.root_to_nobody", chown(P("attr"), 65534, 65534));
	stat(P("attr"), &st);
	CHECK("chown.applied", st.st_uid == 65534 && st.st_gid == 65534);
	struct timespec times[2] = { { 1000000000, 0 }, { 1234567890, 500 } };
	CHECK_OK("utimensat.set", utimensat(AT_FDCWD, P("attr"), times, 0));
	stat(P("attr"), &st);
	CHECK_EQ("utimensat.mtime", st.st_mtime, 1234567890);
	CHECK_EQ("utimensat.atime", st.st_atime, 1000000000);
	close(fd);

	/* The directory lists what was made. */
	DIR *d = opendir(dir);
	int found = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, "attr") == 0 || strcmp(de->d_name, "r4") == 0)
			found++;
	if (d)
		closedir(d);
	CHECK_EQ("readdir.sees_created", found, 2);

	/* An unlinked open file stays usable. */
	fd = open(P("tmpfile"), O_CREAT | O_RDWR, 0600);
	CHECK_OK("unlink.open_file", unlink(P("tmpfile")));
	CHECK_EQ("write.unlinked", write(fd, "still", 5), 5);
	char buf[8] = "";
	CHECK_EQ("pread.unlinked", pread(fd, buf, 5, 0), 5);
	CHECK("pread.unlinked_data", memcmp(buf, "still", 5) == 0);
	fstat(fd, &st);
	CHECK_EQ("fstat.unlinked_nlink_0", st.st_nlink, 0);
	close(fd);

	/* Writes are visible to another open of the same file at once. */
	int w = open(P("shared"), O_CREAT | O_WRONLY, 0600);
	int r = open(P("shared"), O_RDONLY);
	CHECK_EQ("write.shared", write(w, "xyz", 3), 3);
	CHECK_EQ("read.shared_sees_write", read(r, buf, 3), 3);
	close(w);
	close(r);

	/* ...and to a child process. */
	pid_t c = fork();
	if (c == 0) {
		int f = open(P("fromchild"), O_CREAT | O_WRONLY, 0600);
		_exit(f >= 0 && write(f, "kid", 3) == 3 ? 0 : 1);
	}
	CHECK_EXIT("child.creates_file", conf_wait(c), 0);
	CHECK_OK("stat.child_file", stat(P("fromchild"), &st));
	CHECK_EQ("stat.child_file_size", st.st_size, 3);
}

/* Removes everything under dir (one level plus one subdirectory level). */
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
	snprintf(dir, sizeof(dir), "/tmp/conformance-XXXXXX");
	/* Everything else needs this directory: stop at once without it. */
	CHECK_OK("mkdtemp.in_tmp", mkdtemp(dir) ? 0 : -1);
	if (conf_failed)
		return conf_done();
	test_create_rw();
	test_namespace_ops();
	test_attrs();
	cleanup(dir);
	struct stat st;
	CHECK_ERR("cleanup.removed", stat(dir, &st), ENOENT);
	return conf_done();
}
