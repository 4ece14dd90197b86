/* The system-wide files of /proc and /sys: their formats (as procps and
 * busybox parse them) and their agreement with the syscalls (uname,
 * sysinfo, CPU count, rlimits). Values differ between the host and the
 * sandbox, so only their shape and consistency are printed. Nothing here
 * writes a system setting: natively that would change the host. */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

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

/* The number after "Key:" in a meminfo-like text, or -1. */
static long long kb_field(const char *text, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\n%s:", key);
	const char *p = strncmp(text, pat + 1, strlen(pat + 1)) == 0 ? text - 1 : strstr(text, pat);
	if (!p)
		return -1;
	return strtoll(p + strlen(pat), NULL, 10);
}

/* Every meminfo line is "Label:" padded to 16 columns, a number right
 * aligned in 8 (or wider), and " kB" for sizes. */
static int meminfo_lines_ok(const char *text)
{
	for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
		const char *nl = strchr(l, '\n');
		if (!nl)
			return 0;
		const char *colon = memchr(l, ':', (size_t)(nl - l));
		if (!colon || colon - l > 15)
			return 0;
		if (strncmp(l, "HugePages_", 10) == 0)
			continue;
		if (nl - l < 16 + 8)
			return 0;
		if (nl - l >= 3 && strncmp(nl - 3, " kB", 3) != 0)
			continue; /* counts without a unit exist */
	}
	return 1;
}

static void check_meminfo(void)
{
	char buf[16384];
	struct sysinfo si;
	CHECK("meminfo_read", read_file("/proc/meminfo", buf, sizeof(buf)) > 0);
	CHECK("meminfo_first_line", strncmp(buf, "MemTotal:", 9) == 0);
	CHECK("meminfo_format", meminfo_lines_ok(buf));
	long long total = kb_field(buf, "MemTotal"), freem = kb_field(buf, "MemFree");
	CHECK("meminfo_total", total > 0);
	CHECK("meminfo_free", freem >= 0 && freem <= total);
	CHECK("meminfo_available", kb_field(buf, "MemAvailable") >= 0);
	CHECK("meminfo_swap", kb_field(buf, "SwapTotal") >= 0 && kb_field(buf, "SwapFree") >= 0);
	CHECK("meminfo_cached", kb_field(buf, "Cached") >= 0 && kb_field(buf, "Buffers") >= 0);
	CHECK_OK("sysinfo", sysinfo(&si));
	CHECK_EQ("meminfo_total_is_sysinfo", total, (long long)(si.totalram * si.mem_unit / 1024));
}

static void check_cpus(void)
{
	char buf[1 << 16];
	int n = 0;
	CHECK("cpuinfo_read", read_file("/proc/cpuinfo", buf, sizeof(buf)) > 0);
	for (const char *p = buf; (p = strstr(p, "processor\t: ")); p++)
		n++;
	CHECK_EQ("cpuinfo_count_is_online", n, get_nprocs());
	CHECK("cpuinfo_model_name", strstr(buf, "\nmodel name\t: ") != NULL);
	CHECK("cpuinfo_flags", strstr(buf, "\nflags\t\t: ") != NULL);
	CHECK("cpuinfo_vendor", strstr(buf, "\nvendor_id\t: ") != NULL);

	cpu_set_t set;
	CHECK_OK("sched_getaffinity", sched_getaffinity(0, sizeof(set), &set));
	CHECK("affinity_within_online", CPU_COUNT(&set) <= n && CPU_COUNT(&set) >= 1);

	/* "0" or "0-N" (or a list): as many CPUs as cpuinfo shows. */
	char online[256];
	CHECK("cpu_online_read", read_file("/sys/devices/system/cpu/online", online, sizeof(online)) > 0);
	int count = 0;
	for (char *tok = strtok(online, ",\n"); tok; tok = strtok(NULL, ",\n")) {
		int a, b;
		if (sscanf(tok, "%d-%d", &a, &b) == 2)
			count += b - a + 1;
		else if (sscanf(tok, "%d", &a) == 1)
			count++;
	}
	CHECK_EQ("cpu_online_count", count, n);
	CHECK("cpu_possible_read", read_file("/sys/devices/system/cpu/possible", online, sizeof(online)) > 0);
	struct stat st;
	CHECK("cpu0_dir", stat("/sys/devices/system/cpu/cpu0", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_EQ("nprocs_conf_at_least_online", get_nprocs_conf() >= n, 1);
}

static void check_stat_uptime_loadavg(void)
{
	char buf[1 << 16];
	CHECK("stat_read", read_file("/proc/stat", buf, sizeof(buf)) > 0);
	unsigned long long v[10];
	CHECK_EQ("stat_cpu_line",
		 sscanf(buf, "cpu  %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
			&v[4], &v[5], &v[6], &v[7], &v[8], &v[9]),
		 10);
	CHECK("stat_cpu0", strstr(buf, "\ncpu0 ") != NULL);
	const char *bt = strstr(buf, "\nbtime ");
	long long btime = bt ? atoll(bt + 7) : 0;
	CHECK("stat_btime_past", btime > 0 && btime <= (long long)time(NULL));
	CHECK("stat_processes", strstr(buf, "\nprocesses ") != NULL);
	const char *pr = strstr(buf, "\nprocs_running ");
	CHECK("stat_procs_running", pr && atoi(pr + 15) >= 1);
	CHECK("stat_ctxt", strstr(buf, "\nctxt ") != NULL && strstr(buf, "\nintr ") != NULL);

	double up = 0, idle = -1;
	CHECK("uptime_read", read_file("/proc/uptime", buf, sizeof(buf)) > 0);
	CHECK_EQ("uptime_format", sscanf(buf, "%lf %lf", &up, &idle), 2);
	CHECK("uptime_values", up >= 0 && idle >= 0);
	CHECK("uptime_two_decimals", strchr(buf, '.') && strchr(buf, '.')[3] == ' ');
	struct sysinfo si;
	sysinfo(&si);
	CHECK("uptime_is_sysinfo", (long)up <= si.uptime && si.uptime - (long)up <= 2);

	double l1, l5, l15;
	int run, total, last;
	CHECK("loadavg_read", read_file("/proc/loadavg", buf, sizeof(buf)) > 0);
	CHECK_EQ("loadavg_format", sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &total, &last), 6);
	CHECK("loadavg_counts", run >= 1 && total >= run && last > 0);
}

static void check_identity(void)
{
	struct utsname u;
	char buf[4096], want[512];
	uname(&u);
	CHECK("version_read", read_file("/proc/version", buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "Linux version %s ", u.release);
	CHECK("version_release", strncmp(buf, want, strlen(want)) == 0);
	read_file("/proc/sys/kernel/osrelease", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", u.release);
	CHECK_STR("osrelease", buf, want);
	read_file("/proc/sys/kernel/ostype", buf, sizeof(buf));
	CHECK_STR("ostype", buf, "Linux\n");
	read_file("/proc/sys/kernel/version", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", u.version);
	CHECK_STR("kernel_version", buf, want);
	read_file("/proc/sys/kernel/hostname", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", u.nodename);
	CHECK_STR("hostname", buf, want);
	read_file("/proc/sys/kernel/domainname", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", u.domainname);
	CHECK_STR("domainname", buf, want);
	read_file("/proc/sys/kernel/ngroups_max", buf, sizeof(buf));
	CHECK_STR("ngroups_max", buf, "65536\n");
	read_file("/proc/sys/kernel/pid_max", buf, sizeof(buf));
	CHECK("pid_max", atol(buf) >= 32768 && atol(buf) > getpid());
	read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf));
	CHECK("cap_last_cap", atoi(buf) >= 36 && atoi(buf) < 64);

	char id1[64], id2[64];
	read_file("/proc/sys/kernel/random/boot_id", id1, sizeof(id1));
	read_file("/proc/sys/kernel/random/boot_id", id2, sizeof(id2));
	CHECK("boot_id_stable", strlen(id1) == 37 && strcmp(id1, id2) == 0 && id1[14] == '4');
	read_file("/proc/sys/kernel/random/uuid", id1, sizeof(id1));
	read_file("/proc/sys/kernel/random/uuid", id2, sizeof(id2));
	CHECK("uuid_fresh", strlen(id1) == 37 && strcmp(id1, id2) != 0 && id1[8] == '-');
	CHECK_ERR("sysctl_ro_for_root", open("/proc/sys/kernel/random/boot_id", O_WRONLY), EACCES);
}

static void check_sysctls(void)
{
	char buf[256];
	struct rlimit rl;
	read_file("/proc/sys/fs/nr_open", buf, sizeof(buf));
	long nr_open = atol(buf);
	CHECK("nr_open_value", nr_open >= 1024);
	getrlimit(RLIMIT_NOFILE, &rl);
	struct rlimit big = { rl.rlim_cur, (rlim_t)nr_open + 1 };
	CHECK_ERR("nofile_above_nr_open", setrlimit(RLIMIT_NOFILE, &big), EPERM);
	read_file("/proc/sys/fs/pipe-max-size", buf, sizeof(buf));
	long pmax = atol(buf);
	CHECK("pipe_max_size", pmax >= 4096);
	int p[2];
	pipe(p);
	CHECK_EQ("setpipe_to_max", fcntl(p[0], F_SETPIPE_SZ, pmax), pmax);
	close(p[0]);
	close(p[1]);
	read_file("/proc/sys/fs/file-max", buf, sizeof(buf));
	CHECK("file_max", atoll(buf) > 0);
	read_file("/proc/sys/vm/overcommit_memory", buf, sizeof(buf));
	CHECK("overcommit_memory", buf[0] >= '0' && buf[0] <= '2' && buf[1] == '\n');
	read_file("/proc/sys/net/core/somaxconn", buf, sizeof(buf));
	CHECK("somaxconn", atoi(buf) >= 128);
}

static void check_mounts(void)
{
	char buf[1 << 16];
	CHECK("mounts_read", read_file("/proc/mounts", buf, sizeof(buf)) > 0);
	CHECK("mounts_proc", strstr(buf, " /proc proc ") != NULL);
	CHECK("mounts_sysfs", strstr(buf, " /sys sysfs ") != NULL);
	/* Every line: device mountpoint type options 0 0 */
	int lines = 0, ok = 1;
	for (char *l = buf; *l; l = strchr(l, '\n') + 1) {
		char dev[256], mp[1024], type[64], opts[1024];
		int a, b;
		if (sscanf(l, "%255s %1023s %63s %1023s %d %d", dev, mp, type, opts, &a, &b) != 6 ||
		    (strncmp(opts, "rw", 2) && strncmp(opts, "ro", 2)))
			ok = 0;
		lines++;
		if (!strchr(l, '\n'))
			break;
	}
	CHECK("mounts_format", ok && lines > 0);
	CHECK("mountinfo_read", read_file("/proc/self/mountinfo", buf, sizeof(buf)) > 0);
	int id, parent;
	unsigned maj, min;
	char root[256], mp[256];
	CHECK_EQ("mountinfo_format", sscanf(buf, "%d %d %u:%u %255s %255s", &id, &parent, &maj, &min, root, mp), 6);
	CHECK("mountinfo_separator", strstr(buf, " - proc ") != NULL);
	read_file("/proc/filesystems", buf, sizeof(buf));
	CHECK("filesystems_proc", strstr(buf, "nodev\tproc\n") != NULL);
	CHECK("filesystems_sysfs", strstr(buf, "nodev\tsysfs\n") != NULL);
}

static void check_readdir(void)
{
	char name[16];
	int seen_self = 0, seen_me = 0, seen_stat = 0, non_numeric_dirs_ok = 1;
	snprintf(name, sizeof(name), "%d", getpid());
	DIR *d = opendir("/proc");
	CHECK("opendir_proc", d != NULL);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, "self"))
			seen_self = e->d_type == DT_LNK;
		if (!strcmp(e->d_name, name))
			seen_me = e->d_type == DT_DIR;
		if (!strcmp(e->d_name, "stat"))
			seen_stat = e->d_type == DT_REG;
		if (!strcmp(e->d_name, "sys") && e->d_type != DT_DIR)
			non_numeric_dirs_ok = 0;
	}
	if (d)
		closedir(d);
	CHECK("readdir_self", seen_self);
	CHECK("readdir_me", seen_me);
	CHECK("readdir_stat", seen_stat);
	CHECK("readdir_sys", non_numeric_dirs_ok);
	struct stat st;
	CHECK_ERR("no_such_pid", stat("/proc/999999", &st), ENOENT);
	CHECK_ERR("leading_zero_pid", stat("/proc/01", &st), ENOENT);
	/* Procfs lookups fail rather than leave a name to create. */
	CHECK_ERR("proc_create", open("/proc/newfile", O_CREAT | O_WRONLY, 0644), ENOENT);
	CHECK_ERR("proc_mkdir", mkdir("/proc/newdir", 0755), ENOENT);
	CHECK_ERR("proc_pid_create", open("/proc/self/newfile", O_CREAT | O_WRONLY, 0644), ENOENT);
	CHECK("proc_root_dir", stat("/proc", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0555);
	CHECK("proc_file_size_zero", stat("/proc/meminfo", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);
	CHECK("proc_ino_stable", ({
		      struct stat a, b;
		      stat("/proc/self/status", &a) == 0 && stat("/proc/self/status", &b) == 0 && a.st_ino == b.st_ino;
	      }));
}

static void check_cgroup(void)
{
	char buf[4096];
	CHECK("self_cgroup_read", read_file("/proc/self/cgroup", buf, sizeof(buf)) > 0);
	/* Each line: hierarchy-ID:controllers:path */
	int id;
	char rest[1024];
	CHECK_EQ("self_cgroup_format", sscanf(buf, "%d:%1023s", &id, rest), 2);
}

int main(void)
{
	syscall(SYS_close_range, 3, ~0U, 0);
	check_meminfo();
	check_cpus();
	check_stat_uptime_loadavg();
	check_identity();
	check_sysctls();
	check_mounts();
	check_readdir();
	check_cgroup();
	return conf_done();
}
