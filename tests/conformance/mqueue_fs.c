/* The mqueue filesystem: mount -t mqueue shows the queues as files (mode,
 * size, owner, the "QSIZE:... NOTIFY:..." text), open(O_CREAT) there makes
 * a queue with the default attributes, unlink removes one, mkdir and write
 * fail; statfs's magic; /proc/mounts. /proc/sys/fs/mqueue: Linux's
 * defaults, writes within Linux's bounds, and the limits they set:
 * msg_max/msgsize_max (EINVAL), queues_max (ENOSPC), the defaults, and
 * RLIMIT_MSGQUEUE (EMFILE); EACCES by mode and for unlinking another
 * user's queue. Natively the program runs in new IPC and mount namespaces.
 *
 * With arguments "hold NAME" it is a helper for tests/integration: it
 * creates /NAME, prints "ready" and waits for stdin to close. */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <mqueue.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>

static struct mq_attr mkattr(long maxmsg, long msgsize)
{
	struct mq_attr a;
	memset(&a, 0, sizeof(a));
	a.mq_maxmsg = maxmsg;
	a.mq_msgsize = msgsize;
	return a;
}

static void drop_sys_resource(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return;
	d[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective &= ~CAP_TO_MASK(CAP_SYS_RESOURCE);
	d[CAP_TO_INDEX(CAP_SYS_RESOURCE)].permitted &= ~CAP_TO_MASK(CAP_SYS_RESOURCE);
	syscall(SYS_capset, &h, d);
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return n < 0 ? -1 : 0;
}

static long read_sysctl(const char *name)
{
	char path[128], buf[64];
	snprintf(path, sizeof(path), "/proc/sys/fs/mqueue/%s", name);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static int write_sysctl(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/sys/fs/mqueue/%s", name);
	return write_file(path, text);
}

static bool listed(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;
	if (!d)
		return false;
	while ((e = readdir(d)))
		found |= !strcmp(e->d_name, name) && e->d_type == DT_REG;
	closedir(d);
	return found;
}

/* Runs fn as nobody in a child; its exit status is fn's result. */
static int as_nobody(int (*fn)(void))
{
	pid_t c = fork();
	if (c == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(100);
		_exit(fn());
	}
	int st = conf_wait(c);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 101;
}

static int nobody_open_private(void)
{
	if (mq_open("/mqf-private", O_RDONLY) != -1)
		return 1;
	return errno == EACCES ? 0 : 2;
}

static int nobody_unlink_private(void)
{
	if (mq_unlink("/mqf-private") != -1)
		return 1;
	return errno == EACCES ? 0 : 2;
}

static int nobody_open_readable(void)
{
	mqd_t q = mq_open("/mqf-private", O_RDONLY);
	if (q < 0)
		return 1;
	return mq_open("/mqf-private", O_WRONLY) == -1 && errno == EACCES ? 0 : 2;
}

static int nobody_rlimit(void)
{
	struct mq_attr a = mkattr(2, 100);
	/* One queue of 2 x 100 bytes is charged 2*100 + 2*48 + 2*48 = 392. */
	struct rlimit rl = { 392 * 2, 392 * 2 };
	if (setrlimit(RLIMIT_MSGQUEUE, &rl))
		return 10;
	mqd_t q1 = mq_open("/mqf-r1", O_RDWR | O_CREAT, 0600, &a);
	mqd_t q2 = mq_open("/mqf-r2", O_RDWR | O_CREAT, 0600, &a);
	if (q1 < 0 || q2 < 0)
		return 11;
	int rc = mq_open("/mqf-r3", O_RDWR | O_CREAT, 0600, &a) == -1 && errno == EMFILE ? 0 : 12;
	/* Unlinking alone does not give the bytes back; closing too does. */
	mq_unlink("/mqf-r1");
	if (rc == 0 && !(mq_open("/mqf-r3", O_RDWR | O_CREAT, 0600, &a) == -1 && errno == EMFILE))
		rc = 13;
	mq_close(q1);
	if (rc == 0 && mq_open("/mqf-r3", O_RDWR | O_CREAT, 0600, &a) < 0)
		rc = 14;
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_MSGQUEUE, &rl);
	if (rc == 0 && !(mq_open("/mqf-r4", O_RDWR | O_CREAT, 0600, NULL) == -1 && errno == EMFILE))
		rc = 15;
	mq_unlink("/mqf-r2");
	mq_unlink("/mqf-r3");
	return rc;
}

static int hold(const char *name)
{
	char path[300];
	snprintf(path, sizeof(path), "/%s", name);
	mqd_t q = mq_open(path, O_RDWR | O_CREAT, 0640, NULL);
	if (q < 0) {
		perror("mq_open");
		return 1;
	}
	mq_send(q, "hello", 5, 1);
	conf_print("ready\n");
	char ch;
	while (read(0, &ch, 1) > 0)
		;
	return 0;
}

static void filesystem(const char *dir)
{
	char path[256], buf[256], want[128];
	struct stat st;

	CHECK_OK("mount", mount("mqueue", dir, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	CHECK_OK("root.stat", stat(dir, &st));
	CHECK_EQ("root.mode", st.st_mode, S_IFDIR | 01777);
	CHECK_EQ("root.size_empty", st.st_size, 40);
	struct statfs sfs;
	CHECK_OK("statfs", statfs(dir, &sfs));
	CHECK_EQ("statfs.magic", sfs.f_type, 0x19800202);
	FILE *m = fopen("/proc/self/mounts", "r");
	bool in_mounts = false;
	snprintf(want, sizeof(want), "mqueue %s mqueue rw,nosuid,nodev,noexec", dir);
	while (m && fgets(buf, sizeof(buf), m))
		in_mounts |= !strncmp(buf, want, strlen(want));
	if (m)
		fclose(m);
	CHECK("proc_mounts", in_mounts);

	struct mq_attr a = mkattr(3, 32);
	mqd_t q = mq_open("/mqf-one", O_RDWR | O_CREAT | O_NONBLOCK, 0640, &a);
	CHECK("queue.create", q >= 0);
	snprintf(path, sizeof(path), "%s/mqf-one", dir);
	CHECK_OK("queue.stat", stat(path, &st));
	CHECK_EQ("queue.mode", st.st_mode, S_IFREG | 0640);
	CHECK_EQ("queue.size", st.st_size, 80);
	CHECK_EQ("queue.nlink", st.st_nlink, 1);
	CHECK("queue.owner", st.st_uid == geteuid() && st.st_gid == getegid());
	CHECK_OK("root.stat2", stat(dir, &st));
	CHECK_EQ("root.size_one", st.st_size, 60);
	CHECK("queue.listed", listed(dir, "mqf-one"));

	mq_send(q, "hello", 5, 0);
	mq_send(q, "worlds!", 7, 0);
	CHECK_OK("text.read", read_file(path, buf, sizeof(buf)));
	CHECK_STR("text.qsize", buf, "QSIZE:12         NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n");
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR2;
	mq_notify(q, &ev);
	read_file(path, buf, sizeof(buf));
	snprintf(want, sizeof(want), "QSIZE:12         NOTIFY:0     SIGNO:%-5d NOTIFY_PID:%-6d\n", SIGUSR2,
		 getpid());
	CHECK("text.notify_signal", !strcmp(buf, want));
	mq_notify(q, NULL);
	ev.sigev_notify = SIGEV_NONE;
	mq_notify(q, &ev);
	read_file(path, buf, sizeof(buf));
	snprintf(want, sizeof(want), "QSIZE:12         NOTIFY:1     SIGNO:0     NOTIFY_PID:%-6d\n", getpid());
	CHECK("text.notify_none", !strcmp(buf, want));
	mq_notify(q, NULL);
	/* A queue's descriptor reads the same text, at its offset. */
	CHECK_EQ("text.mqd_read", read(q, buf, 6), 6);
	buf[6] = '\0';
	CHECK_STR("text.mqd_prefix", buf, "QSIZE:");
	CHECK_EQ("text.mqd_lseek", lseek(q, 0, SEEK_END), 80);
	CHECK_EQ("text.mqd_eof", read(q, buf, sizeof(buf)), 0);
	int fd = open(path, O_RDWR);
	CHECK("file.open_rdwr", fd >= 0);
	CHECK_ERR("file.write_einval", write(fd, "x", 1), EINVAL);
	/* A descriptor from open(2) is a message queue descriptor too. */
	char msg[64];
	CHECK_EQ("file.open_is_mqd", mq_receive(fd, msg, sizeof(msg), NULL), 5);
	close(fd);
	mq_receive(q, msg, sizeof(msg), NULL);

	/* open(O_CREAT) on the mount: a queue with the default attributes. */
	snprintf(path, sizeof(path), "%s/mqf-two", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK("file.create", fd >= 0);
	struct mq_attr got;
	CHECK_OK("file.create_getattr", mq_getattr(fd, &got));
	CHECK("file.create_defaults", got.mq_maxmsg == 10 && got.mq_msgsize == 8192);
	close(fd);
	mqd_t q2 = mq_open("/mqf-two", O_RDWR);
	CHECK("file.create_mq_open", q2 >= 0);
	mq_close(q2);
	CHECK_OK("file.unlink", unlink(path));
	CHECK_ERR("file.unlinked_gone", mq_open("/mqf-two", O_RDWR), ENOENT);
	CHECK("file.unlinked_not_listed", !listed(dir, "mqf-two"));
	/* mq_unlink removes the file. */
	snprintf(path, sizeof(path), "%s/mqf-one", dir);
	CHECK_OK("unlink.mq", mq_unlink("/mqf-one"));
	CHECK_ERR("unlink.file_gone", stat(path, &st), ENOENT);
	mq_close(q);
	snprintf(path, sizeof(path), "%s/sub", dir);
	CHECK_ERR("mkdir.eperm", mkdir(path, 0755), EPERM);
	CHECK_OK("root.stat3", stat(dir, &st));
	CHECK_EQ("root.size_back", st.st_size, 40);
	CHECK_OK("umount", umount(dir));

	/* mqueue has no options; a read-only mount refuses changes. */
	CHECK_ERR("mount.option_einval", mount("mqueue", dir, "mqueue", 0, "size=1"), EINVAL);
	CHECK_OK("mount.ro", mount("mqueue", dir, "mqueue", MS_RDONLY, NULL));
	q = mq_open("/mqf-ro", O_RDWR | O_CREAT, 0600, &a);
	snprintf(path, sizeof(path), "%s/mqf-new", dir);
	CHECK_ERR("mount.ro_create_erofs", open(path, O_RDWR | O_CREAT, 0600), EROFS);
	snprintf(path, sizeof(path), "%s/mqf-ro", dir);
	CHECK_ERR("mount.ro_unlink_erofs", unlink(path), EROFS);
	CHECK_OK("mount.ro_umount", umount(dir));
	/* The descriptor's link names the queue in the internal mount. */
	char link[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", q);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n < 0 ? 0 : n] = '\0';
	CHECK_STR("fd_link", link, "/mqf-ro");
	mq_close(q);
	mq_unlink("/mqf-ro");
}

static void sysctls(void)
{
	CHECK_EQ("sysctl.queues_max", read_sysctl("queues_max"), 256);
	CHECK_EQ("sysctl.msg_max", read_sysctl("msg_max"), 10);
	CHECK_EQ("sysctl.msgsize_max", read_sysctl("msgsize_max"), 8192);
	CHECK_EQ("sysctl.msg_default", read_sysctl("msg_default"), 10);
	CHECK_EQ("sysctl.msgsize_default", read_sysctl("msgsize_default"), 8192);
	CHECK_OK("sysctl.write_msg_max", write_sysctl("msg_max", "20\n"));
	CHECK_EQ("sysctl.msg_max_now", read_sysctl("msg_max"), 20);
	CHECK_ERR("sysctl.msg_max_zero", write_sysctl("msg_max", "0"), EINVAL);
	CHECK_ERR("sysctl.msg_max_above", write_sysctl("msg_max", "65537"), EINVAL);
	CHECK_ERR("sysctl.msg_max_junk", write_sysctl("msg_max", "12abc"), EINVAL);
	CHECK_EQ("sysctl.msg_max_kept", read_sysctl("msg_max"), 20);
	CHECK_ERR("sysctl.msgsize_max_below", write_sysctl("msgsize_max", "127"), EINVAL);
	CHECK_OK("sysctl.msgsize_max_128", write_sysctl("msgsize_max", "128"));

	struct mq_attr a = mkattr(20, 128);
	mqd_t q = mq_open("/mqf-lim", O_RDWR | O_CREAT, 0600, &a);
	CHECK("limits.at_new_max", q >= 0);
	mq_close(q);
	mq_unlink("/mqf-lim");
	a = mkattr(21, 128);
	CHECK_ERR("limits.above_new_msg_max", mq_open("/mqf-lim", O_RDWR | O_CREAT, 0600, &a), EINVAL);
	a = mkattr(20, 129);
	CHECK_ERR("limits.above_new_msgsize_max", mq_open("/mqf-lim", O_RDWR | O_CREAT, 0600, &a), EINVAL);
	/* The defaults are capped by the maxima. */
	q = mq_open("/mqf-lim", O_RDWR | O_CREAT, 0600, NULL);
	struct mq_attr got;
	mq_getattr(q, &got);
	CHECK("limits.default_capped", got.mq_maxmsg == 10 && got.mq_msgsize == 128);
	mq_close(q);
	mq_unlink("/mqf-lim");
	CHECK_OK("sysctl.msg_default", write_sysctl("msg_default", "3"));
	CHECK_OK("sysctl.msgsize_max_back", write_sysctl("msgsize_max", "8192"));
	q = mq_open("/mqf-lim", O_RDWR | O_CREAT, 0600, NULL);
	mq_getattr(q, &got);
	CHECK("limits.new_default", got.mq_maxmsg == 3 && got.mq_msgsize == 8192);
	mq_close(q);
	mq_unlink("/mqf-lim");
	write_sysctl("msg_default", "10");
	write_sysctl("msg_max", "10");

	/* queues_max counts queues that exist (open ones too). */
	CHECK_OK("sysctl.queues_max_2", write_sysctl("queues_max", "2"));
	mqd_t q1 = mq_open("/mqf-q1", O_RDWR | O_CREAT, 0600, NULL);
	mqd_t q2 = mq_open("/mqf-q2", O_RDWR | O_CREAT, 0600, NULL);
	CHECK("queues.two", q1 >= 0 && q2 >= 0);
	CHECK_ERR("queues.enospc", mq_open("/mqf-q3", O_RDWR | O_CREAT, 0600, NULL), ENOSPC);
	mq_unlink("/mqf-q1");
	CHECK_ERR("queues.unlinked_open_counts", mq_open("/mqf-q3", O_RDWR | O_CREAT, 0600, NULL), ENOSPC);
	mq_close(q1);
	mqd_t q3 = mq_open("/mqf-q3", O_RDWR | O_CREAT, 0600, NULL);
	CHECK("queues.room_after_close", q3 >= 0);
	mq_close(q2);
	mq_close(q3);
	mq_unlink("/mqf-q2");
	mq_unlink("/mqf-q3");
	CHECK_OK("sysctl.queues_max_back", write_sysctl("queues_max", "256"));
	CHECK_EQ("sysctl.queues_max_256", read_sysctl("queues_max"), 256);
}

static void permissions(void)
{
	struct mq_attr a = mkattr(1, 16);
	mqd_t q = mq_open("/mqf-private", O_RDWR | O_CREAT, 0600, &a);
	CHECK_EQ("perm.nobody_open_eacces", as_nobody(nobody_open_private), 0);
	CHECK_EQ("perm.nobody_unlink_eacces", as_nobody(nobody_unlink_private), 0);
	fchmod(q, 0644);
	CHECK_EQ("perm.nobody_read_not_write", as_nobody(nobody_open_readable), 0);
	mq_close(q);
	mq_unlink("/mqf-private");
	CHECK_EQ("rlimit.msgqueue_emfile", as_nobody(nobody_rlimit), 0);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(argv[2]);
	/* Natively: private IPC and mount namespaces (the sandbox is its own
	 * already, and may refuse these). */
	unshare(CLONE_NEWIPC);
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	drop_sys_resource();
	umask(022);
	char dir[] = "/tmp/mqfs.XXXXXX";
	if (!mkdtemp(dir)) {
		FAIL("mkdtemp", "%s", conf_errname(errno));
		return conf_done();
	}
	filesystem(dir);
	rmdir(dir);
	sysctls();
	permissions();
	return conf_done();
}
