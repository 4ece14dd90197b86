/* inotify events for changes made by the program itself, on three
 * filesystems: a tmpfs it mounts (natively in a mount namespace of its
 * own), a directory under /tmp (in the sandbox: the overlay root's upper
 * layer) and one under /dev/shm; then on the overlay's lower layer (the
 * directory holding this program). Every step prints the events it caused,
 * with watch labels for wds and letters for rename cookies, so the native
 * run is the reference. Covers opens, reads, writes, truncation, attribute
 * and xattr changes, link counts, creation and deletion of every kind of
 * entry, renames (cookies, overwritten targets, directories), deletion of
 * a watched file while open, IN_EXCL_UNLINK, splice, sendfile and
 * copy_file_range, and IN_UNMOUNT. */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>

static int ifd;
static char base[PATH_MAX];

static struct {
	int wd;
	char label[16];
} labels[64];
static int nlabels;
static uint32_t cookies[64];
static int ncookies;

static const char *P(const char *name)
{
	static char path[4][PATH_MAX + 64];
	static int which;
	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", base, name);
	return path[which];
}

static int watch(const char *label, const char *path, uint32_t mask)
{
	int wd = inotify_add_watch(ifd, path, mask);
	if (wd < 0) {
		FAIL("watch", "%s: %s", label, conf_errname(errno));
		return wd;
	}
	labels[nlabels].wd = wd;
	snprintf(labels[nlabels].label, sizeof(labels[nlabels].label), "%s", label);
	nlabels++;
	return wd;
}

static const char *label_of(int wd)
{
	static char buf[16];
	for (int i = nlabels - 1; i >= 0; i--)
		if (labels[i].wd == wd)
			return labels[i].label;
	snprintf(buf, sizeof(buf), "wd%d", wd);
	return buf;
}

static char cookie_of(uint32_t c)
{
	for (int i = 0; i < ncookies; i++)
		if (cookies[i] == c)
			return (char)('A' + i);
	cookies[ncookies] = c;
	return (char)('A' + ncookies++);
}

static void mask_str(uint32_t m, char *out, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ IN_ACCESS, "ACCESS" }, { IN_MODIFY, "MODIFY" }, { IN_ATTRIB, "ATTRIB" },
		{ IN_CLOSE_WRITE, "CLOSE_WRITE" }, { IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" },
		{ IN_OPEN, "OPEN" }, { IN_MOVED_FROM, "MOVED_FROM" }, { IN_MOVED_TO, "MOVED_TO" },
		{ IN_CREATE, "CREATE" }, { IN_DELETE, "DELETE" }, { IN_DELETE_SELF, "DELETE_SELF" },
		{ IN_MOVE_SELF, "MOVE_SELF" }, { IN_UNMOUNT, "UNMOUNT" },
		{ IN_Q_OVERFLOW, "Q_OVERFLOW" }, { IN_IGNORED, "IGNORED" }, { IN_ISDIR, "ISDIR" },
	};
	size_t n = 0;
	out[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (m & names[i].bit) {
			n += snprintf(out + n, len - n, "%s%s", n ? "|" : "", names[i].name);
			m &= ~names[i].bit;
		}
	}
	if (m)
		snprintf(out + n, len - n, "%s0x%x", n ? "|" : "", m);
}

/* Prints "EVENTS step: label:MASK name c=X, ..." for everything queued. */
static void events(const char *step)
{
	char line[4096];
	size_t n = snprintf(line, sizeof(line), "EVENTS %s:", step);
	char buf[8192] __attribute__((aligned(8)));
	ssize_t r;
	int count = 0;

	while ((r = read(ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + r;) {
			struct inotify_event *e = (struct inotify_event *)p;
			char m[256];
			mask_str(e->mask, m, sizeof(m));
			n += snprintf(line + n, sizeof(line) - n, "%s %s:%s", count++ ? "," : "",
				      label_of(e->wd), m);
			if (e->len)
				n += snprintf(line + n, sizeof(line) - n, " %s", e->name);
			if (e->cookie)
				n += snprintf(line + n, sizeof(line) - n, " c=%c", cookie_of(e->cookie));
			if (n >= sizeof(line) - 64)
				n = sizeof(line) - 64;
			p += sizeof(*e) + e->len;
		}
	}
	if (r < 0 && errno != EAGAIN)
		FAIL(step, "read: %s", conf_errname(errno));
	if (!count)
		n += snprintf(line + n, sizeof(line) - n, " none");
	snprintf(line + n, sizeof(line) - n, "\n");
	conf_print("%s", line);
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

/* The scenario, with fs naming the steps. */
static void scenario(const char *fs)
{
	char step[64];
	char c;
	int fd, fd2, p[2];
	struct stat st;
#define STEP(s) (snprintf(step, sizeof(step), "%s.%s", fs, s), step)

	nlabels = 0;
	CHECK_OK(STEP("mkdir"), mkdir(P("d"), 0755));
	CHECK_OK(STEP("put"), put(P("d/f"), "hello"));
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK_OK(STEP("init"), ifd);
	watch("D", P("d"), IN_ALL_EVENTS);
	watch("F", P("d/f"), IN_ALL_EVENTS);
	events(STEP("quiet"));

	fd = open(P("d/f"), O_RDONLY);
	events(STEP("open_rdonly"));
	CHECK_EQ(STEP("read"), read(fd, &c, 1), 1);
	events(STEP("read"));
	CHECK_EQ(STEP("read_more"), pread(fd, &c, 1, 1), 1);
	CHECK_EQ(STEP("read_more2"), pread(fd, &c, 1, 2), 1);
	events(STEP("read_coalesced"));
	close(fd);
	events(STEP("close_nowrite"));

	fd = open(P("d/f"), O_WRONLY | O_APPEND);
	CHECK_EQ(STEP("write"), write(fd, "abc", 3), 3);
	CHECK_EQ(STEP("write2"), write(fd, "d", 1), 1);
	close(fd);
	events(STEP("write"));
	fd = open(P("d/f"), O_RDWR | O_TRUNC);
	events(STEP("open_trunc"));
	CHECK_OK(STEP("ftruncate"), ftruncate(fd, 10));
	events(STEP("ftruncate"));
	close(fd);
	events(STEP("close_write"));
	CHECK_OK(STEP("truncate"), truncate(P("d/f"), 3));
	events(STEP("truncate"));
	CHECK_OK(STEP("chmod"), chmod(P("d/f"), 0600));
	events(STEP("chmod"));
	CHECK_OK(STEP("chown"), chown(P("d/f"), 0, 0));
	events(STEP("chown"));
	CHECK_OK(STEP("chown_nop"), chown(P("d/f"), -1, -1));
	events(STEP("chown_nop"));
	CHECK_OK(STEP("utimes"), utimensat(AT_FDCWD, P("d/f"), NULL, 0));
	events(STEP("utimes"));
	struct timespec only_a[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	CHECK_OK(STEP("utimes_atime"), utimensat(AT_FDCWD, P("d/f"), only_a, 0));
	events(STEP("utimes_atime"));
	struct timespec only_m[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
	CHECK_OK(STEP("utimes_mtime"), utimensat(AT_FDCWD, P("d/f"), only_m, 0));
	events(STEP("utimes_mtime"));
	CHECK_OK(STEP("setxattr"), setxattr(P("d/f"), "user.k", "v", 1, 0));
	CHECK_OK(STEP("removexattr"), removexattr(P("d/f"), "user.k"));
	events(STEP("xattr"));
	CHECK_OK(STEP("stat"), stat(P("d/f"), &st));
	events(STEP("stat"));

	CHECK_OK(STEP("link"), link(P("d/f"), P("d/g")));
	events(STEP("link"));
	CHECK_OK(STEP("unlink_g"), unlink(P("d/g")));
	events(STEP("unlink_link"));
	CHECK_OK(STEP("rename"), rename(P("d/f"), P("d/h")));
	events(STEP("rename"));
	CHECK_OK(STEP("rename_back"), rename(P("d/h"), P("d/f")));
	events(STEP("rename_back"));

	CHECK_OK(STEP("mkdir_sub"), mkdir(P("d/sub"), 0755));
	events(STEP("mkdir_sub"));
	fd = open(P("d/sub"), O_RDONLY | O_DIRECTORY);
	char dents[4096];
	CHECK_OK(STEP("getdents"), syscall(SYS_getdents64, fd, dents, sizeof(dents)));
	CHECK_OK(STEP("getdents_end"), syscall(SYS_getdents64, fd, dents, sizeof(dents)));
	close(fd);
	events(STEP("listdir"));
	CHECK_OK(STEP("symlink"), symlink("f", P("d/sl")));
	CHECK_OK(STEP("mkfifo"), mkfifo(P("d/fifo"), 0644));
	events(STEP("symlink_mkfifo"));
	CHECK_OK(STEP("unlink_sl"), unlink(P("d/sl")));
	CHECK_OK(STEP("unlink_fifo"), unlink(P("d/fifo")));
	events(STEP("unlink_sl_fifo"));
	fd = open(P("d/new"), O_CREAT | O_EXCL | O_WRONLY, 0644);
	events(STEP("creat"));
	close(fd);
	events(STEP("creat_close"));

	/* Into F through the other transfer calls. */
	fd = open(P("d/new"), O_RDWR);
	CHECK_EQ(STEP("fill"), write(fd, "12345678", 8), 8);
	fd2 = open(P("d/f"), O_WRONLY);
	events(STEP("opens"));
	loff_t off = 0;
	CHECK_EQ(STEP("copy_file_range"), copy_file_range(fd, &off, fd2, NULL, 4, 0), 4);
	events(STEP("copy_file_range"));
	off = 0;
	CHECK_EQ(STEP("sendfile"), sendfile(fd2, fd, &off, 2), 2);
	events(STEP("sendfile"));
	CHECK_OK(STEP("pipe"), pipe(p));
	CHECK_EQ(STEP("pipe_write"), write(p[1], "xy", 2), 2);
	CHECK_EQ(STEP("splice"), splice(p[0], NULL, fd2, NULL, 2, 0), 2);
	events(STEP("splice"));
	close(p[0]);
	close(p[1]);
	close(fd);
	close(fd2);
	events(STEP("closes"));

	/* Transfers bigger than the sandbox's chunks: one event a call. */
	static char big[200000];
	fd = open(P("d/f"), O_RDWR);
	fd2 = open(P("d/new"), O_WRONLY);
	events(STEP("big_opens"));
	CHECK_EQ(STEP("big_write"), write(fd, big, sizeof(big)), sizeof(big));
	events(STEP("big_write"));
	CHECK_EQ(STEP("big_read"), pread(fd, big, sizeof(big), 0), sizeof(big));
	events(STEP("big_read"));
	off = 0;
	CHECK_EQ(STEP("big_copy_file_range"), copy_file_range(fd, &off, fd2, NULL, sizeof(big), 0),
		 sizeof(big));
	events(STEP("big_copy_file_range"));
	off = 0;
	CHECK_EQ(STEP("big_sendfile"), sendfile(fd2, fd, &off, sizeof(big)), sizeof(big));
	events(STEP("big_sendfile"));
	close(fd);
	close(fd2);
	events(STEP("big_closes"));

	/* Renames between watched directories, and over a watched file. */
	CHECK_OK(STEP("mkdir_a"), mkdir(P("d/a"), 0755));
	CHECK_OK(STEP("mkdir_b"), mkdir(P("d/b"), 0755));
	CHECK_OK(STEP("put_ax"), put(P("d/a/x"), "x"));
	watch("A", P("d/a"), IN_ALL_EVENTS);
	watch("B", P("d/b"), IN_ALL_EVENTS);
	events(STEP("setup_ab"));
	CHECK_OK(STEP("rename_ab"), rename(P("d/a/x"), P("d/b/y")));
	events(STEP("rename_ab"));
	CHECK_OK(STEP("put_z"), put(P("d/b/z"), "z"));
	watch("Z", P("d/b/z"), IN_ALL_EVENTS);
	events(STEP("setup_z"));
	CHECK_OK(STEP("rename_over"), rename(P("d/b/y"), P("d/b/z")));
	events(STEP("rename_over"));
	CHECK_OK(STEP("rename_dir"), rename(P("d/b"), P("d/a/b2")));
	events(STEP("rename_dir"));
	CHECK_OK(STEP("put_e"), put(P("d/a/e1"), "1"));
	CHECK_OK(STEP("put_e2"), put(P("d/a/e2"), "2"));
	events(STEP("setup_exchange"));
	CHECK_OK(STEP("exchange"),
		 syscall(SYS_renameat2, AT_FDCWD, P("d/a/e1"), AT_FDCWD, P("d/a/e2"), RENAME_EXCHANGE));
	events(STEP("exchange"));

	/* A watched file deleted while open: IN_DELETE_SELF waits for the
	 * close. */
	CHECK_OK(STEP("put_q"), put(P("d/q"), "q"));
	watch("Q", P("d/q"), IN_ALL_EVENTS);
	fd = open(P("d/q"), O_RDWR);
	events(STEP("open_q"));
	CHECK_OK(STEP("unlink_q"), unlink(P("d/q")));
	events(STEP("unlink_open"));
	CHECK_EQ(STEP("write_q"), write(fd, "w", 1), 1);
	CHECK_OK(STEP("fchmod_q"), fchmod(fd, 0600));
	events(STEP("write_unlinked"));
	close(fd);
	events(STEP("close_unlinked"));

	/* The same with IN_EXCL_UNLINK on the directory's watch. */
	CHECK_EQ(STEP("excl_unlink"), inotify_add_watch(ifd, P("d"), IN_ALL_EVENTS | IN_EXCL_UNLINK),
		 labels[0].wd);
	CHECK_OK(STEP("put_r"), put(P("d/r"), "r"));
	watch("R", P("d/r"), IN_ALL_EVENTS | IN_EXCL_UNLINK);
	fd = open(P("d/r"), O_RDWR);
	CHECK_OK(STEP("unlink_r"), unlink(P("d/r")));
	events(STEP("excl_unlink_setup"));
	CHECK_EQ(STEP("write_r"), write(fd, "w", 1), 1);
	CHECK_OK(STEP("fchmod_r"), fchmod(fd, 0600));
	close(fd);
	events(STEP("excl_unlink"));

	/* Watched files and directories removed. */
	CHECK_OK(STEP("unlink_f"), unlink(P("d/f")));
	events(STEP("unlink_watched"));
	CHECK_OK(STEP("unlink_y"), unlink(P("d/a/b2/z")));
	CHECK_OK(STEP("unlink_e1"), unlink(P("d/a/e1")));
	CHECK_OK(STEP("unlink_e2"), unlink(P("d/a/e2")));
	CHECK_OK(STEP("unlink_new"), unlink(P("d/new")));
	events(STEP("unlinks"));
	CHECK_ERR(STEP("lookup_missing"), access(P("d/a/b2/nothing"), F_OK), ENOENT);
	CHECK_OK(STEP("rmdir_b2"), rmdir(P("d/a/b2")));
	events(STEP("rmdir_watched"));
	CHECK_OK(STEP("rmdir_a"), rmdir(P("d/a")));
	CHECK_OK(STEP("rmdir_sub"), rmdir(P("d/sub")));
	events(STEP("rmdirs"));
	CHECK_OK(STEP("rmdir_d"), rmdir(P("d")));
	events(STEP("rmdir_self"));
	close(ifd);
#undef STEP
}

/* Files of the overlay's lower layer (natively: the build directory):
 * reads, then a new file next to them, which makes the directory merged. */
static void lower_layer(const char *self)
{
	char dirbuf[PATH_MAX], path[PATH_MAX + 32];
	char c;
	snprintf(dirbuf, sizeof(dirbuf), "%s", self);
	const char *dir = dirname(dirbuf);

	nlabels = 0;
	ifd = inotify_init1(IN_NONBLOCK);
	watch("L", dir, IN_ALL_EVENTS);
	watch("X", self, IN_ALL_EVENTS);
	int fd = open(self, O_RDONLY);
	CHECK_EQ("lower.read", read(fd, &c, 1), 1);
	close(fd);
	events("lower.read");
	snprintf(path, sizeof(path), "%s/inotify_events.tmp", dir);
	unlink(path);
	events("lower.none");
	CHECK_OK("lower.create", put(path, "new"));
	events("lower.create");
	CHECK_OK("lower.unlink", unlink(path));
	events("lower.unlink");
	CHECK_OK("lower.rm_watch", inotify_rm_watch(ifd, labels[1].wd));
	events("lower.rm_watch");
	close(ifd);
}

/* IN_UNMOUNT: a watch on the mount's root and one on a file in it. */
static void unmount(void)
{
	nlabels = 0;
	ifd = inotify_init1(IN_NONBLOCK);
	CHECK_OK("unmount.put", put(P("m/u"), "u"));
	watch("M", P("m"), IN_ALL_EVENTS);
	watch("U", P("m/u"), IN_ALL_EVENTS);
	watch("T", base, IN_ONLYDIR | IN_CREATE);
	events("unmount.setup");
	CHECK_OK("unmount.umount", umount(P("m")));
	events("unmount");
	close(ifd);
}

int main(void)
{
	char top[64], shm[64], self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return 1;
	self[n] = 0;
	snprintf(top, sizeof(top), "/tmp/conf-inotify-XXXXXX");
	if (!mkdtemp(top))
		return 1;
	/* Natively: mounts of our own, undone when we exit. */
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);

	snprintf(base, sizeof(base), "%s", top);
	CHECK_OK("mkdir.m", mkdir(P("m"), 0755));
	CHECK_OK("mount.tmpfs", mount("conf", P("m"), "tmpfs", 0, "size=1m"));
	snprintf(base, sizeof(base), "%s/m", top);
	scenario("tmpfs");

	snprintf(base, sizeof(base), "%s", top);
	scenario("tmp");

	snprintf(shm, sizeof(shm), "/dev/shm/conf-inotify-XXXXXX");
	if (mkdtemp(shm)) {
		snprintf(base, sizeof(base), "%s", shm);
		scenario("shm");
		rmdir(shm);
	} else {
		FAIL("shm", "mkdtemp: %s", conf_errname(errno));
	}

	lower_layer(self);

	snprintf(base, sizeof(base), "%s", top);
	unmount();
	rmdir(P("m"));
	rmdir(top);
	return conf_failed ? 1 : 0;
}
