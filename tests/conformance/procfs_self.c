/* /proc/self and /proc/PID: what a process reads about itself and its
 * children agrees with the syscalls (getpid, getppid, credentials, signal
 * masks, fds, rlimits), magic links (exe, cwd, fd/N, ns/) resolve and
 * reopen as Linux's do, zombies show as such, and another user's
 * environ/exe/fd stay private. Only checks and expected values are
 * printed, never pids or paths. */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* Reads a whole /proc file into buf (NUL-terminated); returns its length
 * or -errno. */
static long read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	ssize_t n = conf_read_all(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	return n;
}

/* The value after "Key:\t" in a status-like file, or NULL. */
static const char *field(const char *text, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
			const char *v = p + kl + 1;
			while (*v == '\t' || *v == ' ')
				v++;
			size_t n = strcspn(v, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
	}
	return NULL;
}

static void check_stat(void)
{
	char buf[4096], comm[64];
	char state;
	int pid, ppid, pgrp, sid;
	long r = read_file("/proc/self/stat", buf, sizeof(buf));
	CHECK("stat_read", r > 0);
	/* The comm may hold spaces: it ends at the last ')'. */
	char *close_paren = strrchr(buf, ')');
	CHECK("stat_has_comm", close_paren != NULL);
	if (!close_paren)
		return;
	*close_paren = '\0';
	CHECK_EQ("stat_pid", sscanf(buf, "%d (%63s", &pid, comm), 2);
	CHECK_EQ("stat_pid_is_getpid", pid, getpid());
	CHECK_STR("stat_comm", comm, "procfs_self");
	CHECK_EQ("stat_fields", sscanf(close_paren + 2, "%c %d %d %d", &state, &ppid, &pgrp, &sid), 4);
	CHECK_EQ("stat_state_running", state, 'R');
	CHECK_EQ("stat_ppid", ppid, getppid());
	CHECK_EQ("stat_pgrp", pgrp, getpgrp());
	CHECK_EQ("stat_session", sid, getsid(0));
	/* 52 fields in all (Linux >= 3.5). */
	int n = 2;
	for (char *p = close_paren + 1; *p; p++)
		if (*p == ' ')
			n++;
	CHECK_EQ("stat_field_count", n, 52);
}

static void check_status(void)
{
	char buf[8192], v[256], want[256];
	long r = read_file("/proc/self/status", buf, sizeof(buf));
	CHECK("status_read", r > 0);
	CHECK_STR("status_name", field(buf, "Name", v, sizeof(v)), "procfs_self");
	CHECK_STR("status_state", field(buf, "State", v, sizeof(v)), "R (running)");
	snprintf(want, sizeof(want), "%d", getpid());
	CHECK_STR("status_pid", field(buf, "Pid", v, sizeof(v)), want);
	CHECK_STR("status_tgid", field(buf, "Tgid", v, sizeof(v)), want);
	snprintf(want, sizeof(want), "%d", getppid());
	CHECK_STR("status_ppid", field(buf, "PPid", v, sizeof(v)), want);
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	getresuid(&ru, &eu, &su);
	getresgid(&rg, &eg, &sg);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", ru, eu, su, eu);
	CHECK_STR("status_uid", field(buf, "Uid", v, sizeof(v)), want);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", rg, eg, sg, eg);
	CHECK_STR("status_gid", field(buf, "Gid", v, sizeof(v)), want);
	CHECK_STR("status_threads", field(buf, "Threads", v, sizeof(v)), "1");
	CHECK_STR("status_umask", field(buf, "Umask", v, sizeof(v)), "0022");
	CHECK("status_vmsize", field(buf, "VmSize", v, sizeof(v)) && strstr(v, " kB"));
	CHECK("status_vmrss", field(buf, "VmRSS", v, sizeof(v)) && strstr(v, " kB"));

	/* Signal masks of the standard signals 1-31 (glibc keeps its own
	 * real-time signals, whose dispositions a harness may have set). */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGHUP, (void (*)(int))1 + 1); /* any address: never delivered */
	r = read_file("/proc/self/status", buf, sizeof(buf));
	unsigned long long blk = 0, ign = 0, cgt = 0;
	if (field(buf, "SigBlk", v, sizeof(v)))
		blk = strtoull(v, NULL, 16);
	if (field(buf, "SigIgn", v, sizeof(v)))
		ign = strtoull(v, NULL, 16);
	if (field(buf, "SigCgt", v, sizeof(v)))
		cgt = strtoull(v, NULL, 16);
	CHECK_EQ("status_sigblk", blk & 0x7fffffff, 1ULL << (SIGUSR1 - 1));
	CHECK_EQ("status_sigign", ign & 0x7fffffff, 1ULL << (SIGUSR2 - 1));
	CHECK_EQ("status_sigcgt", cgt & 0x7fffffff, 1ULL << (SIGHUP - 1));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

static void check_cmdline_environ(int argc, char **argv)
{
	char buf[8192], want[8192];
	size_t wl = 0;
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;
		memcpy(want + wl, argv[i], l);
		wl += l;
	}
	long r = read_file("/proc/self/cmdline", buf, sizeof(buf));
	CHECK_EQ("cmdline_len", r, (long)wl);
	CHECK("cmdline_bytes", r == (long)wl && memcmp(buf, want, wl) == 0);

	extern char **environ;
	wl = 0;
	for (char **e = environ; *e; e++) {
		size_t l = strlen(*e) + 1;
		memcpy(want + wl, *e, l);
		wl += l;
	}
	r = read_file("/proc/self/environ", buf, sizeof(buf));
	CHECK_EQ("environ_len", r, (long)wl);
	CHECK("environ_bytes", r == (long)wl && memcmp(buf, want, wl) == 0);
}

static void check_links(void)
{
	char buf[PATH_MAX], want[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	CHECK("exe_readlink", n > 0);
	buf[n > 0 ? n : 0] = '\0';
	const char *base = strrchr(buf, '/');
	CHECK_STR("exe_ends_with_program", base ? base : buf, "/procfs_self");
	CHECK_EQ("exe_absolute", buf[0], '/');
	struct stat a, b;
	CHECK("exe_stat_is_self", stat("/proc/self/exe", &a) == 0 && stat(buf, &b) == 0 &&
					  a.st_ino == b.st_ino && a.st_dev == b.st_dev);

	n = readlink("/proc/self/cwd", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR("cwd_is_getcwd", buf, getcwd(want, sizeof(want)) ? want : "?");
	n = readlink("/proc/self/root", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR("root_is_slash", buf, "/");

	snprintf(want, sizeof(want), "%d", getpid());
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR("self_is_pid", buf, want);
	snprintf(want, sizeof(want), "%d/task/%d", getpid(), getpid());
	n = readlink("/proc/thread-self", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR("thread_self", buf, want);
	n = readlink("/proc/mounts", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR("mounts_link", buf, "self/mounts");

	/* A magic link leads to the directory itself. */
	int dfd = open("/proc/self/cwd", O_RDONLY | O_DIRECTORY);
	CHECK("cwd_opens_as_dir", dfd >= 0 && fstat(dfd, &a) == 0 && S_ISDIR(a.st_mode));
	CHECK("cwd_same_as_dot", stat(".", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	if (dfd >= 0)
		close(dfd);
	CHECK_ERR("exe_nofollow_eloop", open("/proc/self/exe", O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK_ERR("exe_not_a_dir", open("/proc/self/exe/x", O_RDONLY), ENOTDIR);
	CHECK_ERR("readlink_of_dir", readlink("/proc/self/fd", buf, sizeof(buf)), EINVAL);

	n = readlink("/proc/self/ns/pid", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	unsigned long inum = 0;
	CHECK("ns_pid_format", sscanf(buf, "pid:[%lu]", &inum) == 1);
	CHECK("ns_pid_stat_ino", stat("/proc/self/ns/pid", &a) == 0 && a.st_ino == inum);
	CHECK("ns_same_for_child", stat("/proc/self/ns/pid_for_children", &b) == 0 && b.st_ino == a.st_ino);
}

/* The fds of /proc/self/fd, as a bitmask of those below 64. */
static unsigned long long list_fds(int *dirfd_out)
{
	unsigned long long mask = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	*dirfd_out = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd < 64)
			mask |= 1ULL << fd;
		if (e->d_type != DT_LNK)
			mask |= 1ULL << 63;
	}
	closedir(d);
	return mask;
}

static void check_fds(void)
{
	char buf[PATH_MAX], want[PATH_MAX];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	int dfd = -1;
	unsigned long long mask = list_fds(&dfd);
	CHECK_EQ("fd_dir_lists_open_fds", mask, (1ULL << 0) | (1ULL << 1) | (1ULL << 2) | (1ULL << fd) | (1ULL << dfd));

	snprintf(want, sizeof(want), "/proc/%d/stat", getpid());
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
	char link[PATH_MAX];
	ssize_t n = readlink(buf, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	CHECK_STR("fd_link_is_path", link, want);
	struct stat st;
	CHECK("fd_link_lstat", lstat(buf, &st) == 0 && S_ISLNK(st.st_mode) && (st.st_mode & 0777) == 0500);

	snprintf(buf, sizeof(buf), "/proc/self/fdinfo/%d", fd);
	char info[1024], v[64];
	CHECK("fdinfo_read", read_file(buf, info, sizeof(info)) > 0);
	CHECK_STR("fdinfo_pos", field(info, "pos", v, sizeof(v)), "0");
	CHECK_STR("fdinfo_flags", field(info, "flags", v, sizeof(v)), "02100000");
	CHECK("fdinfo_mnt_id", field(info, "mnt_id", v, sizeof(v)) != NULL);
	close(fd);
	CHECK_ERR("closed_fd_gone", readlink(buf, link, sizeof(link)), ENOENT);

	/* A pipe: pipe:[ino], and opening fd/N gives another file of the
	 * same pipe, which keeps it open after the original closes. */
	int p[2];
	CHECK_OK("pipe", pipe(p));
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", p[1]);
	n = readlink(buf, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	fstat(p[1], &st);
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	CHECK_STR("pipe_link_name", link, want);
	struct stat st2;
	CHECK("pipe_stat_follows", stat(buf, &st2) == 0 && S_ISFIFO(st2.st_mode) && st2.st_ino == st.st_ino &&
					   st2.st_dev == st.st_dev);
	CHECK("pipe_lstat_is_link", lstat(buf, &st2) == 0 && S_ISLNK(st2.st_mode) && (st2.st_mode & 0777) == 0300);
	int w2 = open(buf, O_WRONLY);
	CHECK("pipe_reopen", w2 >= 0);
	close(p[1]);
	CHECK_EQ("pipe_reopen_write", write(w2, "x", 1), 1);
	char c = 0;
	CHECK_EQ("pipe_reopen_read", read(p[0], &c, 1), 1);
	CHECK_EQ("pipe_reopen_byte", c, 'x');
	close(w2);
	CHECK_EQ("pipe_eof_after_all_writers", read(p[0], &c, 1), 0);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", p[0]);
	int r2 = open(buf, O_RDONLY | O_NONBLOCK);
	CHECK("pipe_reopen_read_end", r2 >= 0);
	CHECK_EQ("pipe_reopen_flags", fcntl(r2, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY | O_NONBLOCK);
	close(r2);
	close(p[0]);

	/* Through /dev/fd too (devfs links into /proc/self/fd). */
	CHECK_OK("pipe2", pipe(p));
	snprintf(buf, sizeof(buf), "/dev/fd/%d", p[1]);
	w2 = open(buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK("dev_fd_reopen_creat", w2 >= 0);
	CHECK_EQ("dev_fd_write", write(w2, "y", 1), 1);
	CHECK_EQ("dev_fd_read", read(p[0], &c, 1) == 1 ? c : 0, 'y');
	close(w2);
	close(p[0]);
	close(p[1]);
	CHECK_ERR("fd_nonexistent", open("/proc/self/fd/1000", O_RDONLY), ENOENT);
	CHECK_ERR("fd_bad_name", open("/proc/self/fd/01", O_RDONLY), ENOENT);
}

static void check_comm(void)
{
	char buf[64], name[17] = { 0 };
	CHECK("comm_read", read_file("/proc/self/comm", buf, sizeof(buf)) > 0);
	CHECK_STR("comm_value", buf, "procfs_self\n");
	int fd = open("/proc/self/comm", O_WRONLY);
	CHECK("comm_open_write", fd >= 0);
	CHECK_EQ("comm_write", write(fd, "renamed", 7), 7);
	close(fd);
	prctl(PR_GET_NAME, name);
	CHECK_STR("comm_prctl", name, "renamed");
	read_file("/proc/self/comm", buf, sizeof(buf));
	CHECK_STR("comm_reread", buf, "renamed\n");
	fd = open("/proc/self/comm", O_WRONLY);
	CHECK_EQ("comm_write_long", write(fd, "abcdefghijklmnopqrstuvwxyz", 26), 26);
	close(fd);
	read_file("/proc/self/comm", buf, sizeof(buf));
	CHECK_STR("comm_truncated", buf, "abcdefghijklmno\n");
	prctl(PR_SET_NAME, "procfs_self");
}

static void check_limits_oom(void)
{
	char buf[4096], want[256];
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK("limits_read", read_file("/proc/self/limits", buf, sizeof(buf)) > 0);
	CHECK("limits_header", strncmp(buf, "Limit                     Soft Limit           Hard Limit           Units     \n", 79) == 0);
	snprintf(want, sizeof(want), "Max open files            %-20llu %-20llu files     \n",
		 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	CHECK("limits_nofile", strstr(buf, want) != NULL);

	int fd = open("/proc/self/oom_score_adj", O_RDWR);
	CHECK("oom_open", fd >= 0);
	CHECK_EQ("oom_write", write(fd, "500\n", 4), 4);
	CHECK_ERR("oom_write_range", write(fd, "1001", 4), EINVAL);
	CHECK_ERR("oom_write_junk", write(fd, "12x", 3), EINVAL);
	close(fd);
	read_file("/proc/self/oom_score_adj", buf, sizeof(buf));
	CHECK_STR("oom_read_back", buf, "500\n");
}

static void check_memory_files(void)
{
	char buf[65536];
	long size = 0, rss = 0;
	CHECK("statm_read", read_file("/proc/self/statm", buf, sizeof(buf)) > 0);
	CHECK("statm_fields", sscanf(buf, "%ld %ld", &size, &rss) == 2 && size > 0 && rss > 0 && rss <= size);
	CHECK("maps_read", read_file("/proc/self/maps", buf, sizeof(buf)) > 0);
	CHECK("maps_stack", strstr(buf, "[stack]\n") != NULL);
	CHECK("maps_text", strstr(buf, " r-xp ") != NULL);
	/* Each line: start-end perms offset dev inode [path]. */
	unsigned long s, e, off, ino;
	char perms[8], dev[16];
	CHECK_EQ("maps_format", sscanf(buf, "%lx-%lx %7s %lx %15s %lu", &s, &e, perms, &off, dev, &ino), 6);
	CHECK("smaps_read", read_file("/proc/self/smaps", buf, sizeof(buf)) > 0);
	CHECK("smaps_rss", strstr(buf, "\nRss:") != NULL && strstr(buf, "\nVmFlags:") != NULL);

	static volatile char secret[] = "procfs-mem-check";
	int fd = open("/proc/self/mem", O_RDWR);
	CHECK("mem_open", fd >= 0);
	char got[sizeof(secret)] = { 0 };
	CHECK_EQ("mem_pread", pread(fd, got, sizeof(got), (off_t)(uintptr_t)secret), (long)sizeof(got));
	CHECK_STR("mem_content", got, "procfs-mem-check");
	CHECK_EQ("mem_pwrite", pwrite(fd, "P", 1, (off_t)(uintptr_t)secret), 1);
	CHECK_EQ("mem_written", secret[0], 'P');
	CHECK_ERR("mem_unmapped", pread(fd, got, 1, 0), EIO);
	close(fd);

	fd = open("/proc/self/status", O_RDONLY);
	CHECK_ERR("seek_end_einval", lseek(fd, 0, SEEK_END), EINVAL);
	CHECK_EQ("read_at_offset", pread(fd, buf, 5, 0), 5);
	CHECK("read_at_offset_text", strncmp(buf, "Name:", 5) == 0);
	close(fd);
	/* Root may open it for writing (DAC override); there is no write. */
	fd = open("/proc/self/status", O_WRONLY);
	CHECK("status_open_wronly", fd >= 0);
	CHECK_ERR("status_write_einval", write(fd, "x", 1), EINVAL);
	close(fd);
}

static void check_children(void)
{
	char path[64], buf[4096], v[64];

	/* A zombie: state Z, empty cmdline, still listed. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	siginfo_t si;
	CHECK_OK("waitid_nowait", waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	CHECK("zombie_status_read", read_file(path, buf, sizeof(buf)) > 0);
	CHECK_STR("zombie_state", field(buf, "State", v, sizeof(v)), "Z (zombie)");
	CHECK("zombie_no_vm", strstr(buf, "VmSize") == NULL);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	CHECK_EQ("zombie_cmdline_empty", read_file(path, buf, sizeof(buf)), 0);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	read_file(path, buf, sizeof(buf));
	char *rp = strrchr(buf, ')');
	CHECK("zombie_stat_z", rp && rp[2] == 'Z');
	int st = conf_wait(pid);
	CHECK_EXIT("zombie_reaped", st, 3);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	struct stat sb;
	CHECK_ERR("reaped_gone", stat(path, &sb), ENOENT);

	/* Another user sees the world-readable files only. */
	pid_t parent = getpid();
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		char p[64], b[256];
		snprintf(p, sizeof(p), "/proc/%d/status", parent);
		if (open(p, O_RDONLY) < 0)
			_exit(11);
		snprintf(p, sizeof(p), "/proc/%d/environ", parent);
		if (open(p, O_RDONLY) >= 0 || errno != EACCES)
			_exit(12);
		snprintf(p, sizeof(p), "/proc/%d/exe", parent);
		if (readlink(p, b, sizeof(b)) >= 0 || errno != EACCES)
			_exit(13);
		snprintf(p, sizeof(p), "/proc/%d/fd", parent);
		if (opendir(p) != NULL || errno != EACCES)
			_exit(14);
		snprintf(p, sizeof(p), "/proc/%d/mem", parent);
		if (open(p, O_RDONLY) >= 0 || errno != EACCES)
			_exit(15);
		/* Changing uid made it non-dumpable: its files are root's. */
		struct stat s;
		if (stat("/proc/self/environ", &s) < 0 || s.st_uid != 0)
			_exit(16);
		if (open("/proc/self/environ", O_RDONLY) >= 0 || errno != EACCES)
			_exit(17);
		/* Dumpable again, they are its own. */
		prctl(PR_SET_DUMPABLE, 1);
		if (stat("/proc/self/environ", &s) < 0 || s.st_uid != 65534)
			_exit(18);
		if (open("/proc/self/environ", O_RDONLY) < 0)
			_exit(19);
		_exit(0);
	}
	CHECK_EXIT("other_user_privacy", conf_wait(pid), 0);

	/* A child is listed in /proc while it lives. */
	int p[2];
	pipe(p);
	pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	char name[16];
	snprintf(name, sizeof(name), "%d", pid);
	int seen = 0, self_seen = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, name) == 0 && e->d_type == DT_DIR)
			seen = 1;
		if (strcmp(e->d_name, "self") == 0 && e->d_type == DT_LNK)
			self_seen = 1;
	}
	if (d)
		closedir(d);
	CHECK("child_listed", seen);
	CHECK("self_listed", self_seen);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, pid);
	CHECK("child_task_dir", read_file(path, buf, sizeof(buf)) > 0);
	close(p[1]);
	conf_wait(pid);
}

/* ---- threads ---- */

static pthread_mutex_t th_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t th_cond = PTHREAD_COND_INITIALIZER;
static int th_stage;
static pid_t th_tid;
static char th_self_link[64], th_stat_pid[16];

static void th_set_stage(int n)
{
	pthread_mutex_lock(&th_lock);
	th_stage = n;
	pthread_cond_broadcast(&th_cond);
	pthread_mutex_unlock(&th_lock);
}

static void th_wait_stage(int n)
{
	pthread_mutex_lock(&th_lock);
	while (th_stage < n)
		pthread_cond_wait(&th_cond, &th_lock);
	pthread_mutex_unlock(&th_lock);
}

static void *th_main(void *arg)
{
	char buf[256];
	th_tid = gettid();
	ssize_t n = readlink("/proc/thread-self", th_self_link, sizeof(th_self_link) - 1);
	th_self_link[n > 0 ? n : 0] = '\0';
	if (read_file("/proc/thread-self/stat", buf, sizeof(buf)) > 0)
		sscanf(buf, "%15s", th_stat_pid);
	th_set_stage(1);
	th_wait_stage(2);
	return arg;
}

static void check_threads(void)
{
	char buf[4096], v[64], want[64], path[128];
	pthread_t th;
	CHECK_EQ("thread_create", pthread_create(&th, NULL, th_main, NULL), 0);
	th_wait_stage(1);

	snprintf(want, sizeof(want), "%d/task/%d", getpid(), th_tid);
	CHECK_STR("thread_self_in_thread", th_self_link, want);
	snprintf(want, sizeof(want), "%d", th_tid);
	CHECK_STR("thread_stat_pid_is_tid", th_stat_pid, want);
	read_file("/proc/self/status", buf, sizeof(buf));
	CHECK_STR("status_two_threads", field(buf, "Threads", v, sizeof(v)), "2");

	/* task/ lists both, ascending; /proc does not list the thread but
	 * finds it. */
	int n = 0, saw_main = 0, saw_thread = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		saw_main |= atoi(e->d_name) == getpid();
		saw_thread |= atoi(e->d_name) == th_tid;
	}
	if (d)
		closedir(d);
	CHECK("task_dir_lists_threads", n == 2 && saw_main && saw_thread);
	snprintf(want, sizeof(want), "%d", th_tid);
	int listed = 0;
	d = opendir("/proc");
	while (d && (e = readdir(d)))
		listed |= strcmp(e->d_name, want) == 0;
	if (d)
		closedir(d);
	CHECK("thread_not_in_proc_listing", !listed);
	snprintf(path, sizeof(path), "/proc/%d/status", th_tid);
	CHECK("thread_found_in_proc", read_file(path, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "%d", getpid());
	CHECK_STR("thread_status_tgid", field(buf, "Tgid", v, sizeof(v)), want);
	snprintf(want, sizeof(want), "%d", th_tid);
	CHECK_STR("thread_status_pid", field(buf, "Pid", v, sizeof(v)), want);

	/* A thread's comm is its own. */
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", th_tid);
	int fd = open(path, O_WRONLY);
	CHECK_EQ("thread_comm_write", fd >= 0 ? write(fd, "worker", 6) : -1, 6);
	if (fd >= 0)
		close(fd);
	char name[32] = "";
	pthread_getname_np(th, name, sizeof(name));
	CHECK_STR("thread_comm_own", name, "worker");
	read_file("/proc/self/comm", buf, sizeof(buf));
	CHECK_STR("leader_comm_unchanged", buf, "procfs_self\n");

	th_set_stage(2);
	pthread_join(th, NULL);
	/* Linux wakes the joiner (CLONE_CHILD_CLEARTID) a moment before it
	 * releases the thread: give it that moment. */
	snprintf(path, sizeof(path), "/proc/self/task/%d", th_tid);
	struct stat st;
	for (int i = 0; i < 200 && stat(path, &st) == 0; i++)
		conf_msleep(10);
	CHECK_ERR("exited_thread_gone", stat(path, &st), ENOENT);
	read_file("/proc/self/status", buf, sizeof(buf));
	CHECK_STR("status_one_thread", field(buf, "Threads", v, sizeof(v)), "1");
}

int main(int argc, char **argv)
{
	/* Hermetic: only stdio is open. */
	syscall(SYS_close_range, 3, ~0U, 0);
	check_stat();
	check_status();
	check_cmdline_environ(argc, argv);
	check_links();
	check_fds();
	check_comm();
	check_limits_oom();
	check_memory_files();
	check_children();
	check_threads();
	return conf_done();
}
