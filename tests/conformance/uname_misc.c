/* uname, hostname, getrandom, umask, rlimits, ids, cwd. */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>

/* Only the sysname/machine are compared: the release differs on purpose
 * (the sandbox reports 4.4.0). */
static void test_uname(void)
{
	struct utsname u;
	CHECK_OK("uname.call", uname(&u));
	CHECK_STR("uname.sysname", u.sysname, "Linux");
	CHECK_STR("uname.machine", u.machine, "x86_64");
	int dots = 0, digits = 1;
	for (const char *p = u.release; *p && *p != '-' && *p != '+'; p++) {
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			digits = 0;
	}
	CHECK("uname.release_format", dots >= 2 && digits && u.release[0] >= '1' && u.release[0] <= '9');
	CHECK("uname.version_nonempty", u.version[0] != 0);
	char host[HOST_NAME_MAX + 1];
	CHECK_OK("gethostname.call", gethostname(host, sizeof(host)));
	CHECK_STR("gethostname.matches_uname", host, u.nodename);
	CHECK_ERR("uname.efault", syscall(SYS_uname, (void *)1), EFAULT);
}

/* Changing the hostname must never touch the host's: it is done in a child
 * that first gets a private UTS namespace, or, where unshare is refused,
 * only if this already is the sandbox's own emulated UTS namespace (it
 * reports release 4.4.0 and the bundle's hostname "sandbox"). */
static void test_sethostname(void)
{
	pid_t c = fork();
	if (c == 0) {
		if (unshare(CLONE_NEWUTS) < 0) {
			struct utsname u;
			uname(&u);
			if (strcmp(u.release, "4.4.0") != 0 || strcmp(u.nodename, "sandbox") != 0)
				_exit(100);
		}
		int bad = 0;
		char host[HOST_NAME_MAX + 1];
		if (sethostname("conf-test-host", 14) < 0)
			bad |= 1;
		if (gethostname(host, sizeof(host)) < 0 || strcmp(host, "conf-test-host") != 0)
			bad |= 2;
		struct utsname u;
		uname(&u);
		if (strcmp(u.nodename, "conf-test-host") != 0)
			bad |= 4;
		char longname[HOST_NAME_MAX + 2];
		memset(longname, 'x', sizeof(longname));
		if (sethostname(longname, sizeof(longname)) != -1 || errno != EINVAL)
			bad |= 8;
		if (setdomainname("conf.example", 12) < 0)
			bad |= 16;
		uname(&u);
		if (strcmp(u.domainname, "conf.example") != 0)
			bad |= 32;
		/* Unprivileged: EPERM. */
		if (setuid(65534) == 0 && (sethostname("x", 1) != -1 || errno != EPERM))
			bad |= 64;
		_exit(bad);
	}
	int st = conf_wait(c);
	CHECK("sethostname.private_uts", !(WIFEXITED(st) && WEXITSTATUS(st) == 100));
	CHECK_EXIT("sethostname.round_trip", st, 0);
}

static void test_getrandom(void)
{
	unsigned char a[32], b[32];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK_EQ("getrandom.32_bytes", getrandom(a, sizeof(a), 0), 32);
	CHECK_EQ("getrandom.again", getrandom(b, sizeof(b), GRND_NONBLOCK), 32);
	int nonzero = 0;
	for (int i = 0; i < 32; i++)
		nonzero |= a[i];
	CHECK("getrandom.not_all_zero", nonzero);
	CHECK("getrandom.differs", memcmp(a, b, sizeof(a)) != 0);
	CHECK_EQ("getrandom.zero_length", getrandom(a, 0, 0), 0);
	CHECK_ERR("getrandom.bad_flags_einval", getrandom(a, 8, 0x100), EINVAL);
	CHECK_ERR("getrandom.efault", syscall(SYS_getrandom, (void *)1, 8, 0), EFAULT);
	int fd = open("/dev/urandom", O_RDONLY);
	CHECK("dev_urandom.open", fd >= 0);
	CHECK_EQ("dev_urandom.read", read(fd, a, sizeof(a)), 32);
	close(fd);
}

static void test_umask(void)
{
	mode_t old = umask(027);
	CHECK_EQ("umask.returns_previous", umask(old), 027);
	CHECK_EQ("umask.restored", umask(old), old);
	umask(0777 | 07000);
	CHECK_EQ("umask.masks_to_0777", umask(old), 0777);
	pid_t c = fork();
	if (c == 0) {
		umask(0);
		_exit(umask(0) == 0 ? 0 : 1);
	}
	conf_wait(c);
	CHECK_EQ("umask.not_shared_with_child", umask(old), old);
	c = fork();
	if (c == 0)
		_exit(umask(0) == old ? 0 : 1);
	CHECK_EXIT("umask.inherited_by_child", conf_wait(c), 0);
}

static void test_rlimit(void)
{
	struct rlimit orig, r;
	CHECK_OK("getrlimit.nofile", getrlimit(RLIMIT_NOFILE, &orig));
	CHECK("getrlimit.nofile_soft_le_hard", orig.rlim_cur <= orig.rlim_max);
	CHECK("getrlimit.nofile_at_least_64", orig.rlim_cur >= 64);
	r = orig;
	r.rlim_cur = 64;
	CHECK_OK("setrlimit.lower_soft", setrlimit(RLIMIT_NOFILE, &r));
	struct rlimit q;
	getrlimit(RLIMIT_NOFILE, &q);
	CHECK("getrlimit.round_trip", q.rlim_cur == 64 && q.rlim_max == orig.rlim_max);
	struct rlimit p64;
	CHECK_OK("prlimit.query", prlimit(0, RLIMIT_NOFILE, NULL, &p64));
	CHECK_EQ("prlimit.agrees", p64.rlim_cur, 64);

	/* Fill the table: the last fd is 63, then EMFILE. */
	int fds[64], n = 0, last = -1, err = 0;
	for (;;) {
		int fd = dup(0);
		if (fd < 0) {
			err = errno;
			break;
		}
		if (n < 64)
			fds[n++] = fd;
		last = fd;
	}
	CHECK_EQ("rlimit.nofile_highest_fd", last, 63);
	CHECK_STR("rlimit.nofile_dup_emfile", conf_errname(err), "EMFILE");
	CHECK_ERR("rlimit.nofile_open_emfile", open("/etc/passwd", O_RDONLY), EMFILE);
	int pp[2];
	CHECK_ERR("rlimit.nofile_pipe_emfile", pipe(pp), EMFILE);
	CHECK_ERR("rlimit.nofile_dupfd_at_limit_einval", fcntl(0, F_DUPFD, 64), EINVAL);
	CHECK_ERR("rlimit.nofile_dup2_at_limit_ebadf", dup2(0, 64), EBADF);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	int fd = open("/etc/passwd", O_RDONLY);
	CHECK("rlimit.nofile_open_after_close", fd >= 0);
	close(fd);

	/* Raising the soft limit back up to the hard limit works; above the
	 * hard limit fails with EINVAL. */
	r = orig;
	r.rlim_cur = orig.rlim_max == RLIM_INFINITY ? orig.rlim_max : orig.rlim_max + 1;
	if (orig.rlim_max != RLIM_INFINITY)
		CHECK_ERR("setrlimit.soft_above_hard_einval", setrlimit(RLIMIT_NOFILE, &r), EINVAL);
	else
		PASS("setrlimit.soft_above_hard_einval");
	CHECK_OK("setrlimit.restore", setrlimit(RLIMIT_NOFILE, &orig));
	getrlimit(RLIMIT_NOFILE, &q);
	CHECK("getrlimit.restored", q.rlim_cur == orig.rlim_cur);
	CHECK_ERR("getrlimit.bad_resource_einval", getrlimit(1000, &q), EINVAL);

	/* Limits are inherited by children. */
	r = orig;
	r.rlim_cur = 100;
	setrlimit(RLIMIT_NOFILE, &r);
	pid_t c = fork();
	if (c == 0) {
		struct rlimit cr;
		getrlimit(RLIMIT_NOFILE, &cr);
		_exit(cr.rlim_cur == 100 ? 0 : 1);
	}
	CHECK_EXIT("rlimit.inherited", conf_wait(c), 0);
	setrlimit(RLIMIT_NOFILE, &orig);

	CHECK_OK("getrlimit.stack", getrlimit(RLIMIT_STACK, &q));
	CHECK("getrlimit.stack_nonzero", q.rlim_cur > 0);
}

static void test_ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	CHECK_EQ("getuid.root", getuid(), 0);
	CHECK_EQ("geteuid.equals_getuid", geteuid(), getuid());
	CHECK_EQ("getgid.root", getgid(), 0);
	CHECK_EQ("getegid.equals_getgid", getegid(), getgid());
	CHECK_OK("getresuid.call", getresuid(&r, &e, &s));
	CHECK("getresuid.consistent", r == getuid() && e == geteuid() && s == e);
	CHECK_OK("getresgid.call", getresgid(&gr, &ge, &gs));
	CHECK("getresgid.consistent", gr == getgid() && ge == getegid() && gs == ge);
	CHECK("getgroups.nonnegative", getgroups(0, NULL) >= 0);

	/* Dropping privileges in a child. */
	pid_t c = fork();
	if (c == 0) {
		int bad = 0;
		if (setgid(65534) < 0 || getgid() != 65534 || getegid() != 65534)
			bad |= 1;
		if (setuid(65534) < 0 || getuid() != 65534 || geteuid() != 65534)
			bad |= 2;
		if (setuid(0) != -1 || errno != EPERM)
			bad |= 4;
		uid_t rr, ee, ss;
		getresuid(&rr, &ee, &ss);
		if (ss != 65534)
			bad |= 8;
		_exit(bad);
	}
	CHECK_EXIT("setuid.drop_privileges", conf_wait(c), 0);
	CHECK_EQ("getuid.parent_unchanged", getuid(), 0);
}

static void test_cwd(void)
{
	char buf[PATH_MAX];
	CHECK_STR("getcwd.initial_root", getcwd(buf, sizeof(buf)), "/");
	CHECK_OK("chdir.etc", chdir("/etc"));
	CHECK_STR("getcwd.etc", getcwd(buf, sizeof(buf)), "/etc");
	CHECK_OK("chdir.dotdot", chdir(".."));
	CHECK_STR("getcwd.back_to_root", getcwd(buf, sizeof(buf)), "/");
	CHECK_OK("chdir.tmp", chdir("tmp"));
	CHECK_STR("getcwd.relative_chdir", getcwd(buf, sizeof(buf)), "/tmp");
	CHECK_ERR("chdir.enoent", chdir("/no-such-dir"), ENOENT);
	CHECK_ERR("chdir.enotdir", chdir("/etc/passwd"), ENOTDIR);
	CHECK_STR("getcwd.unchanged_after_errors", getcwd(buf, sizeof(buf)), "/tmp");
	CHECK("getcwd.small_buffer_erange", getcwd(buf, 2) == NULL && errno == ERANGE);
	CHECK_EQ("getcwd.raw_returns_length", syscall(SYS_getcwd, buf, sizeof(buf)), 5);
	pid_t c = fork();
	if (c == 0) {
		char b[PATH_MAX];
		if (chdir("/etc") < 0)
			_exit(2);
		_exit(getcwd(b, sizeof(b)) && strcmp(b, "/etc") == 0 ? 0 : 1);
	}
	CHECK_EXIT("chdir.in_child", conf_wait(c), 0);
	CHECK_STR("getcwd.not_shared_with_child", getcwd(buf, sizeof(buf)), "/tmp");
	CHECK_OK("chdir.root", chdir("/"));
}

static void test_misc(void)
{
	CHECK_OK("sched_yield.call", sched_yield());
	/* Raw: the kernel returns 20 - nice (1..40), never an error here. */
	long prio = -1;
	CHECK_OK("getpriority.call", prio = syscall(SYS_getpriority, PRIO_PROCESS, 0));
	CHECK("getpriority.in_range", prio >= 1 && prio <= 40);
	CHECK_ERR("unsupported_syscall_enosys", syscall(1000), ENOSYS);
	CHECK("sysconf.pagesize", sysconf(_SC_PAGESIZE) == 4096);
	CHECK("sysconf.nprocessors", sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	struct rusage ru;
	CHECK_OK("getrusage.self", getrusage(RUSAGE_SELF, &ru));
	CHECK_ERR("getrusage.bad_who_einval", getrusage(42, &ru), EINVAL);
}

int main(void)
{
	test_uname();
	test_sethostname();
	test_getrandom();
	test_umask();
	test_rlimit();
	test_ids();
	test_cwd();
	test_misc();
	return conf_done();
}
