/* The size of a tmpfs directory, as Linux's shmem keeps it: 40 bytes
 * (BOGO_DIRENT_SIZE 20 for "." and "..") plus 20 per entry, whatever its
 * type, updated by create, mkdir, mknod, symlink, link, unlink, rmdir and
 * rename (a replaced target's entry goes; RENAME_EXCHANGE changes nothing;
 * RENAME_WHITEOUT adds the whiteout); du and ls -l show it, cp -a and tar
 * listings compare it. On a fresh tmpfs mounted under /tmp (natively in a
 * mount namespace of the program's own). */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

static char dir[64];

static const char *P(const char *name)
{
	static char path[4][PATH_MAX];
	static int which;
	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

static long long size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static int touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		return -1;
	return close(fd);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/conf-dirsize-XXXXXX");
	CHECK_OK("mkdtemp", mkdtemp(dir) ? 0 : -1);
	if (conf_failed)
		return conf_done();
	/* Natively: the mount is ours alone, undone when we exit. */
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	CHECK_OK("mount", mount("tmpfs", dir, "tmpfs", 0, "mode=0755"));
	CHECK_EQ("root.empty", size_of(dir), 40);

	CHECK_OK("mkdir.d", mkdir(P("d"), 0755));
	CHECK_EQ("mkdir.parent_grows", size_of(dir), 60);
	CHECK_EQ("mkdir.new_dir_empty", size_of(P("d")), 40);

	CHECK_OK("create.a", touch(P("d/a")));
	CHECK_OK("create.b", touch(P("d/b")));
	CHECK_OK("symlink", symlink("x", P("d/l")));
	CHECK_OK("link", link(P("d/a"), P("d/h")));
	CHECK_OK("mkfifo", mkfifo(P("d/f"), 0644));
	CHECK_EQ("five_entries", size_of(P("d")), 140);

	CHECK_OK("unlink", unlink(P("d/a")));
	CHECK_EQ("unlink.shrinks", size_of(P("d")), 120);
	CHECK_OK("rename.across", rename(P("d/b"), P("b")));
	CHECK_EQ("rename.across.source", size_of(P("d")), 100);
	CHECK_EQ("rename.across.target", size_of(dir), 80);
	CHECK_OK("rename.within", rename(P("d/l"), P("d/l2")));
	CHECK_EQ("rename.within.same", size_of(P("d")), 100);
	CHECK_OK("create.z", touch(P("d/z")));
	CHECK_OK("rename.replace", rename(P("d/z"), P("d/h")));
	CHECK_EQ("rename.replace.one_entry_less", size_of(P("d")), 100);
	CHECK_OK("rename.exchange",
		 renameat2(AT_FDCWD, P("b"), AT_FDCWD, P("d/h"), RENAME_EXCHANGE));
	CHECK_EQ("rename.exchange.source", size_of(dir), 80);
	CHECK_EQ("rename.exchange.target", size_of(P("d")), 100);
	CHECK_OK("rename.whiteout",
		 renameat2(AT_FDCWD, P("d/h"), AT_FDCWD, P("d/w"), RENAME_WHITEOUT));
	CHECK_EQ("rename.whiteout.adds_the_whiteout", size_of(P("d")), 120);

	CHECK_OK("mkdir.e", mkdir(P("d/e"), 0755));
	CHECK_EQ("mkdir.nested", size_of(P("d")), 140);
	CHECK_OK("rmdir.e", rmdir(P("d/e")));
	CHECK_EQ("rmdir.shrinks", size_of(P("d")), 120);

	/* An O_TMPFILE file counts once it has a name. */
	int fd = open(dir, O_TMPFILE | O_RDWR, 0600);
	CHECK("tmpfile.open", fd >= 0);
	CHECK_EQ("tmpfile.no_entry", size_of(dir), 80);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	CHECK_OK("tmpfile.linkat", linkat(AT_FDCWD, proc, AT_FDCWD, P("t"), AT_SYMLINK_FOLLOW));
	CHECK_EQ("tmpfile.named", size_of(dir), 100);
	close(fd);

	CHECK_OK("umount", umount(dir));
	rmdir(dir);
	return conf_done();
}
