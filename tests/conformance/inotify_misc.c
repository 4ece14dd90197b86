/* inotify for changes made by the workload: the events of open, read,
 * write, close, create, unlink, mkdir, rmdir, rename (cookies), link,
 * symlink, chmod, truncate, utimes and xattrs, on a watched directory
 * (with names) and on watched files, in Linux's order; IN_ONESHOT,
 * IN_MASK_ADD, IN_MASK_CREATE, IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK,
 * IN_IGNORED, merging of equal events, queue overflow, read sizes
 * (EINVAL), FIONREAD, poll and blocking reads, and the argument errors.
 * Under a fresh directory in /tmp. */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

static char dir[64];
static int wd_dir;

static const char *P(const char *name)
{
	static char path[4][PATH_MAX];
	static int which;
	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

static const struct {
	uint32_t bit;
	const char *name;
} bits[] = {
	{ IN_ACCESS, "ACCESS" },	 { IN_MODIFY, "MODIFY" },	 { IN_ATTRIB, "ATTRIB" },
	{ IN_CLOSE_WRITE, "CLOSE_WRITE" }, { IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" },
	{ IN_OPEN, "OPEN" },		 { IN_MOVED_FROM, "MOVED_FROM" }, { IN_MOVED_TO, "MOVED_TO" },
	{ IN_CREATE, "CREATE" },	 { IN_DELETE, "DELETE" },	 { IN_DELETE_SELF, "DELETE_SELF" },
	{ IN_MOVE_SELF, "MOVE_SELF" },	 { IN_UNMOUNT, "UNMOUNT" },	 { IN_Q_OVERFLOW, "Q_OVERFLOW" },
	{ IN_IGNORED, "IGNORED" },	 { IN_ISDIR, "ISDIR" },
};

/* Every queued event as "wd:MASK|MASK(name)[c]" joined by spaces; [c]
 * marks a cookie equal to the previous event's, [C] a new one. */
static const char *events(int fd)
{
	static char out[4096];
	char buf[8192];
	uint32_t last_cookie = 0;
	size_t o = 0;
	ssize_t n;

	out[0] = '\0';
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			o += snprintf(out + o, sizeof(out) - o, "%s%d:", o ? " " : "", e->wd);
			bool first = true;
			for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
				if (e->mask & bits[i].bit) {
					o += snprintf(out + o, sizeof(out) - o, "%s%s", first ? "" : "|",
						      bits[i].name);
					first = false;
				}
			if (e->len)
				o += snprintf(out + o, sizeof(out) - o, "(%s)", e->name);
			if (e->cookie)
				o += snprintf(out + o, sizeof(out) - o, "[%s]",
					      e->cookie == last_cookie ? "c" : "C");
			last_cookie = e->cookie;
			p += sizeof(*e) + e->len;
			if (o >= sizeof(out) - 64)
				return out;
		}
	}
	return out;
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

static void basics(int in)
{
	char buf[64];
	int fd;

	CHECK_OK("create", put("a", "hello"));
	CHECK_STR("create.events", events(in),
		  "1:CREATE(a) 1:OPEN(a) 1:MODIFY(a) 1:CLOSE_WRITE(a)");
	fd = open(P("a"), O_RDONLY);
	CHECK_EQ("read", read(fd, buf, 2), 2);
	CHECK_EQ("read2", read(fd, buf, 2), 2);
	CHECK_EQ("read_eof", read(fd, buf, sizeof(buf)), 1);
	CHECK_EQ("read_eof2", read(fd, buf, sizeof(buf)), 0);
	close(fd);
	/* Equal consecutive events merge. */
	CHECK_STR("read.events", events(in), "1:OPEN(a) 1:ACCESS(a) 1:CLOSE_NOWRITE(a)");
	fd = open(P("a"), O_WRONLY | O_TRUNC);
	close(fd);
	CHECK_STR("trunc.events", events(in), "1:OPEN(a) 1:MODIFY(a) 1:CLOSE_WRITE(a)");
	CHECK_OK("chmod", chmod(P("a"), 0600));
	CHECK_OK("truncate", truncate(P("a"), 10));
	CHECK_OK("utimes", utimensat(AT_FDCWD, P("a"), NULL, 0));
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 5, 0 } };
	CHECK_OK("utimes_mtime", utimensat(AT_FDCWD, P("a"), ts, 0));
	CHECK_OK("setxattr", setxattr(P("a"), "user.k", "v", 1, 0));
	CHECK_OK("chown", chown(P("a"), 0, 0));
	CHECK_STR("attr.events", events(in),
		  "1:ATTRIB(a) 1:MODIFY(a) 1:ATTRIB(a) 1:MODIFY(a) 1:ATTRIB(a)");
	CHECK_OK("mkdir", mkdir(P("sub"), 0755));
	int dfd = open(P("sub"), O_RDONLY | O_DIRECTORY);
	CHECK("getdents", syscall(SYS_getdents64, dfd, buf, sizeof(buf)) > 0);
	close(dfd);
	CHECK_OK("symlink", symlink("a", P("sl")));
	CHECK_OK("link", link(P("a"), P("b")));
	CHECK_OK("mkfifo", mkfifo(P("fifo"), 0644));
	CHECK_STR("names.events", events(in),
		  "1:CREATE|ISDIR(sub) 1:OPEN|ISDIR(sub) 1:ACCESS|ISDIR(sub) 1:CLOSE_NOWRITE|ISDIR(sub) "
		  "1:CREATE(sl) 1:CREATE(b) 1:CREATE(fifo)");
	CHECK_OK("rename", rename(P("b"), P("sub/b")));
	CHECK_OK("rename_dir", rename(P("sub"), P("sub2")));
	CHECK_STR("rename.events", events(in),
		  "1:MOVED_FROM(b)[C] 1:MOVED_FROM|ISDIR(sub)[C] 1:MOVED_TO|ISDIR(sub2)[c]");
	CHECK_OK("unlink", unlink(P("sl")));
	CHECK_OK("unlink2", unlink(P("sub2/b")));
	CHECK_OK("unlink3", unlink(P("fifo")));
	CHECK_OK("rmdir", rmdir(P("sub2")));
	CHECK_STR("delete.events", events(in), "1:DELETE(sl) 1:DELETE(fifo) 1:DELETE|ISDIR(sub2)");
}

static void self_events(int in)
{
	int wa, wd, fd;

	CHECK_OK("self.put", put("f", "x"));
	CHECK_OK("self.mkdir", mkdir(P("d"), 0755));
	events(in);
	wa = inotify_add_watch(in, P("f"), IN_ALL_EVENTS);
	wd = inotify_add_watch(in, P("d"), IN_ALL_EVENTS);
	CHECK_EQ("self.wd_file", wa, 2);
	CHECK_EQ("self.wd_dir", wd, 3);
	fd = open(P("f"), O_RDWR);
	CHECK_EQ("self.write", write(fd, "y", 1), 1);
	close(fd);
	CHECK_STR("self.events", events(in),
		  "1:OPEN(f) 2:OPEN 1:MODIFY(f) 2:MODIFY 1:CLOSE_WRITE(f) 2:CLOSE_WRITE");
	CHECK_OK("self.link", link(P("f"), P("f2")));
	CHECK_OK("self.rename", rename(P("f"), P("d/f")));
	CHECK_STR("self.move_events", events(in),
		  "2:ATTRIB 1:CREATE(f2) 1:MOVED_FROM(f)[C] 3:MOVED_TO(f)[c] 2:MOVE_SELF");
	/* Two names of one file: nothing happens. */
	CHECK_OK("self.rename_same", rename(P("f2"), P("d/f")));
	CHECK_STR("self.rename_same_events", events(in), "");
	CHECK_OK("self.unlink_link", unlink(P("f2")));
	CHECK_STR("self.unlink_link_events", events(in), "2:ATTRIB 1:DELETE(f2)");
	/* Replacing a watched file: its link count, then its end. */
	CHECK_OK("self.put_r", put("r", "r"));
	events(in);
	CHECK_OK("self.replace", rename(P("r"), P("d/f")));
	CHECK_STR("self.replace_events", events(in),
		  "1:MOVED_FROM(r)[C] 3:MOVED_TO(f)[c] 2:ATTRIB 2:DELETE_SELF 2:IGNORED");
	wa = inotify_add_watch(in, P("d/f"), IN_ALL_EVENTS);
	CHECK_EQ("self.wd_new", wa, 4);
	CHECK_OK("self.unlink", unlink(P("d/f")));
	CHECK_STR("self.unlink_events", events(in),
		  "4:ATTRIB 4:DELETE_SELF 4:IGNORED 3:DELETE(f)");
	CHECK_OK("self.rmdir", rmdir(P("d")));
	CHECK_STR("self.rmdir_events", events(in), "3:DELETE_SELF 3:IGNORED 1:DELETE|ISDIR(d)");
	CHECK_ERR("self.rm_gone", inotify_rm_watch(in, 3), EINVAL);
}

static void flags(int in)
{
	int w, fd;

	CHECK_OK("flags.put", put("g", "x"));
	events(in);
	w = inotify_add_watch(in, P("g"), IN_OPEN | IN_ONESHOT);
	CHECK("flags.oneshot_wd", w > 0);
	close(open(P("g"), O_RDONLY));
	close(open(P("g"), O_RDONLY));
	char expect[128];
	snprintf(expect, sizeof(expect), "1:OPEN(g) %d:OPEN %d:IGNORED 1:CLOSE_NOWRITE(g) 1:OPEN(g) "
		 "1:CLOSE_NOWRITE(g)", w, w);
	CHECK_STR("flags.oneshot_events", events(in), expect);
	w = inotify_add_watch(in, P("g"), IN_OPEN);
	CHECK_EQ("flags.mask_add", inotify_add_watch(in, P("g"), IN_CLOSE_NOWRITE | IN_MASK_ADD), w);
	CHECK_ERR("flags.mask_create", inotify_add_watch(in, P("g"), IN_OPEN | IN_MASK_CREATE), EEXIST);
	CHECK_ERR("flags.add_and_create",
		  inotify_add_watch(in, P("g"), IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
	close(open(P("g"), O_RDONLY));
	snprintf(expect, sizeof(expect), "1:OPEN(g) %d:OPEN 1:CLOSE_NOWRITE(g) %d:CLOSE_NOWRITE", w, w);
	CHECK_STR("flags.mask_add_events", events(in), expect);
	CHECK_EQ("flags.replace", inotify_add_watch(in, P("g"), IN_ATTRIB), w);
	close(open(P("g"), O_RDONLY));
	CHECK_STR("flags.replace_events", events(in), "1:OPEN(g) 1:CLOSE_NOWRITE(g)");
	CHECK_OK("flags.rm", inotify_rm_watch(in, w));
	snprintf(expect, sizeof(expect), "%d:IGNORED", w);
	CHECK_STR("flags.rm_events", events(in), expect);
	CHECK_ERR("flags.rm_again", inotify_rm_watch(in, w), EINVAL);
	CHECK_ERR("flags.onlydir", inotify_add_watch(in, P("g"), IN_OPEN | IN_ONLYDIR), ENOTDIR);
	CHECK_OK("flags.symlink", symlink("g", P("gl")));
	events(in);
	w = inotify_add_watch(in, P("gl"), IN_ALL_EVENTS | IN_DONT_FOLLOW);
	CHECK_OK("flags.lchown", lchown(P("gl"), 0, 0));
	close(open(P("gl"), O_RDONLY));
	snprintf(expect, sizeof(expect), "1:ATTRIB(gl) %d:ATTRIB 1:OPEN(g) 1:CLOSE_NOWRITE(g)", w);
	CHECK_STR("flags.dont_follow_events", events(in), expect);
	inotify_rm_watch(in, w);
	events(in);
	/* IN_EXCL_UNLINK: an unlinked child's events are not the parent's. */
	int in2 = inotify_init1(IN_NONBLOCK);
	inotify_add_watch(in2, dir, IN_ALL_EVENTS | IN_EXCL_UNLINK);
	fd = open(P("g"), O_RDWR);
	CHECK_OK("flags.excl_unlink", unlink(P("g")));
	CHECK_EQ("flags.excl_write", write(fd, "z", 1), 1);
	close(fd);
	CHECK_STR("flags.excl_unlink_events", events(in2), "1:OPEN(g) 1:DELETE(g)");
	CHECK_STR("flags.no_excl_events", events(in),
		  "1:OPEN(g) 1:DELETE(g) 1:MODIFY(g) 1:CLOSE_WRITE(g)");
	close(in2);
	unlink(P("gl"));
	events(in);
}

static void reading(int in)
{
	char buf[256];
	int n = -1;

	CHECK_OK("read.put", put("longer-name-for-padding", ""));
	CHECK_OK("read.fionread", ioctl(in, FIONREAD, &n));
	/* CREATE, OPEN, CLOSE_WRITE: 16 bytes each plus the name padded
	 * to 16: 32. */
	CHECK_EQ("read.fionread_bytes", n, 3 * (16 + 32));
	CHECK_ERR("read.too_small", read(in, buf, 16), EINVAL);
	CHECK_ERR("read.too_small_name", read(in, buf, 47), EINVAL);
	CHECK_EQ("read.one", read(in, buf, 48), 48);
	struct inotify_event *e = (struct inotify_event *)buf;
	CHECK_EQ("read.len", e->len, 32);
	CHECK_STR("read.name", e->name, "longer-name-for-padding");
	CHECK_EQ("read.two", read(in, buf, 100), 96);
	CHECK_ERR("read.empty", read(in, buf, sizeof(buf)), EAGAIN);
	struct pollfd pfd = { .fd = in, .events = POLLIN };
	CHECK_EQ("read.poll_empty", poll(&pfd, 1, 0), 0);
	unlink(P("longer-name-for-padding"));
	CHECK_EQ("read.poll_ready", poll(&pfd, 1, 0), 1);
	CHECK_EQ("read.poll_revents", pfd.revents, POLLIN);
	events(in);

	/* A blocking read waits for the next event. */
	int bl = inotify_init();
	inotify_add_watch(bl, dir, IN_CREATE);
	pid_t pid = fork();
	if (pid == 0) {
		conf_msleep(50);
		_exit(put("late", "") == 0 ? 0 : 1);
	}
	ssize_t r = read(bl, buf, sizeof(buf));
	CHECK_EQ("read.blocking", r, 16 + 16);
	CHECK_STR("read.blocking_name", ((struct inotify_event *)buf)->name, "late");
	CHECK_EXIT("read.blocking_child", conf_wait(pid), 0);
	close(bl);
	unlink(P("late"));
	events(in);
}

static void overflow(int in)
{
	int ov = inotify_init1(IN_NONBLOCK);
	char name[32];

	inotify_add_watch(ov, dir, IN_CREATE | IN_DELETE);
	for (int i = 0; i < 8200; i++) {
		snprintf(name, sizeof(name), "o%d", i);
		if (mknod(P(name), S_IFREG | 0644, 0) || unlink(P(name))) {
			FAIL("overflow.make", "%s", conf_errname(errno));
			break;
		}
	}
	int n = -1;
	ioctl(ov, FIONREAD, &n);
	CHECK_EQ("overflow.bytes", n, 16384 * (16 + 16) + 16);
	static char buf[1 << 20];
	ssize_t r = read(ov, buf, sizeof(buf));
	CHECK_EQ("overflow.read", r, n);
	struct inotify_event *last = (struct inotify_event *)(buf + r - 16);
	CHECK_EQ("overflow.last_wd", last->wd, -1);
	CHECK_EQ("overflow.last_mask", last->mask, IN_Q_OVERFLOW);
	close(ov);
	/* Reset the main watch's queue too. */
	while (read(in, buf, sizeof(buf)) > 0)
		;
}

static void errors(int in)
{
	int pfd[2];

	CHECK_ERR("err.init1_flags", inotify_init1(1), EINVAL);
	CHECK_ERR("err.no_events", inotify_add_watch(in, dir, 0), EINVAL);
	CHECK_ERR("err.badf", inotify_add_watch(999, dir, IN_OPEN), EBADF);
	if (pipe(pfd))
		return;
	CHECK_ERR("err.not_inotify", inotify_add_watch(pfd[0], dir, IN_OPEN), EINVAL);
	CHECK_ERR("err.rm_not_inotify", inotify_rm_watch(pfd[0], 1), EINVAL);
	CHECK_ERR("err.rm_badf", inotify_rm_watch(999, 1), EBADF);
	CHECK_ERR("err.enoent", inotify_add_watch(in, P("nothere"), IN_OPEN), ENOENT);
	CHECK_ERR("err.rm_unknown", inotify_rm_watch(in, 12345), EINVAL);
	CHECK_ERR("err.write", write(in, "x", 1), EBADF);
	close(pfd[0]);
	close(pfd[1]);
	/* Read permission is needed to watch. */
	CHECK_OK("err.secret", put("secret", "s"));
	CHECK_OK("err.secret_mode", chmod(P("secret"), 0));
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(inotify_add_watch(in, P("secret"), IN_OPEN) == -1 && errno == EACCES ? 0 : 1);
	}
	CHECK_EXIT("err.eacces", conf_wait(pid), 0);
	unlink(P("secret"));
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
	snprintf(dir, sizeof(dir), "/tmp/conf-inotify-XXXXXX");
	if (!mkdtemp(dir)) {
		FAIL("setup", "mkdtemp: %s", conf_errname(errno));
		return conf_done();
	}
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK("init", in >= 0);
	CHECK_EQ("init.cloexec", fcntl(in, F_GETFD), FD_CLOEXEC);
	CHECK_EQ("init.flags", fcntl(in, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY | O_NONBLOCK);
	wd_dir = inotify_add_watch(in, dir, IN_ALL_EVENTS);
	CHECK_EQ("watch.dir", wd_dir, 1);
	CHECK_EQ("watch.again", inotify_add_watch(in, dir, IN_ALL_EVENTS), 1);
	basics(in);
	self_events(in);
	flags(in);
	reading(in);
	overflow(in);
	errors(in);
	close(in);
	cleanup(dir);
	struct stat st;
	CHECK_ERR("cleanup.removed", stat(dir, &st), ENOENT);
	return conf_done();
}
