/* The vDSO: the process gets one (AT_SYSINFO_EHDR), it exports what glibc
 * looks up (LINUX_2.6 versions), and its answers agree with the syscalls:
 * for every clock, raw syscall before <= vDSO <= raw syscall after, and
 * the two paths interleaved stay monotonic. Also getcpu, clock_getres,
 * errors, fork/exec/threads, a signal landing inside the vDSO, and the
 * [vvar]/[vdso] lines of /proc/self/maps. The functions are called
 * directly from the vDSO's symbol table, not through libc, so a libc
 * that skipped the vDSO could not hide a broken one. */
#include "conformance.h"
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/time.h>

typedef int (*gettime_fn)(clockid_t, struct timespec *);
typedef int (*tod_fn)(struct timeval *, struct timezone *);
typedef time_t (*time_fn)(time_t *);
typedef int (*getcpu_fn)(unsigned *, unsigned *, void *);

static gettime_fn vgettime, vgetres;
static tod_fn vtod;
static time_fn vtime;
static getcpu_fn vgetcpu;

/* Finds name@LINUX_2.6 (defined) in the vDSO image; NULL if absent. */
static void *vdso_sym(const char *name)
{
	const uint8_t *img = (const uint8_t *)getauxval(AT_SYSINFO_EHDR);
	if (!img)
		return NULL;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	uint64_t base = UINT64_MAX;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < base)
			base = ph[i].p_vaddr;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	const Elf64_Sym *syms = NULL;
	const char *str = NULL;
	const Elf64_Versym *versym = NULL;
	const Elf64_Verdef *verdef = NULL;
	size_t nsyms = 0;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type == SHT_DYNSYM) {
			syms = (const Elf64_Sym *)(img + sh[i].sh_offset);
			nsyms = sh[i].sh_size / sizeof(*syms);
			str = (const char *)(img + sh[sh[i].sh_link].sh_offset);
		} else if (sh[i].sh_type == SHT_GNU_versym) {
			versym = (const Elf64_Versym *)(img + sh[i].sh_offset);
		} else if (sh[i].sh_type == SHT_GNU_verdef) {
			verdef = (const Elf64_Verdef *)(img + sh[i].sh_offset);
		}
	}
	if (!syms || !versym || !verdef)
		return NULL;
	for (size_t j = 0; j < nsyms; j++) {
		if (syms[j].st_shndx == SHN_UNDEF || ELF64_ST_TYPE(syms[j].st_info) != STT_FUNC ||
		    strcmp(str + syms[j].st_name, name))
			continue;
		/* The version its versym names must be LINUX_2.6. */
		const Elf64_Verdef *d = verdef;
		for (;;) {
			if (d->vd_ndx == (versym[j] & 0x7fff)) {
				const Elf64_Verdaux *aux = (const Elf64_Verdaux *)((const uint8_t *)d + d->vd_aux);
				if (strcmp(str + aux->vda_name, "LINUX_2.6"))
					return NULL;
				return (void *)(img + syms[j].st_value - base);
			}
			if (!d->vd_next)
				return NULL;
			d = (const Elf64_Verdef *)((const uint8_t *)d + d->vd_next);
		}
	}
	return NULL;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
	{ CLOCK_REALTIME, "realtime" },
	{ CLOCK_MONOTONIC, "monotonic" },
	{ CLOCK_MONOTONIC_RAW, "monotonic_raw" },
	{ CLOCK_REALTIME_COARSE, "realtime_coarse" },
	{ CLOCK_MONOTONIC_COARSE, "monotonic_coarse" },
	{ CLOCK_BOOTTIME, "boottime" },
	{ CLOCK_TAI, "tai" },
	{ CLOCK_PROCESS_CPUTIME_ID, "process_cputime" },
	{ CLOCK_THREAD_CPUTIME_ID, "thread_cputime" },
};

/* raw before <= vDSO <= raw after, many times over. */
static bool clock_sandwiched(clockid_t id)
{
	for (int i = 0; i < 2000; i++) {
		struct timespec a, b, c;
		if (syscall(SYS_clock_gettime, id, &a) || vgettime(id, &b) || syscall(SYS_clock_gettime, id, &c))
			return false;
		if (ts_ns(&a) > ts_ns(&b) || ts_ns(&b) > ts_ns(&c) || b.tv_nsec < 0 || b.tv_nsec >= 1000000000L)
			return false;
	}
	return true;
}

/* Both paths interleaved: one monotonic sequence. */
static bool interleaved_monotonic(clockid_t id)
{
	struct timespec prev = { 0, 0 }, ts;
	for (int i = 0; i < 20000; i++) {
		if ((i & 1) ? vgettime(id, &ts) : syscall(SYS_clock_gettime, id, &ts))
			return false;
		if (ts_ns(&ts) < ts_ns(&prev))
			return false;
		prev = ts;
	}
	return true;
}

static bool tod_sandwiched(void)
{
	for (int i = 0; i < 2000; i++) {
		struct timeval a, b, c;
		if (syscall(SYS_gettimeofday, &a, NULL) || vtod(&b, NULL) || syscall(SYS_gettimeofday, &c, NULL))
			return false;
		int64_t x = a.tv_sec * 1000000LL + a.tv_usec, y = b.tv_sec * 1000000LL + b.tv_usec,
			z = c.tv_sec * 1000000LL + c.tv_usec;
		if (x > y || y > z || b.tv_usec < 0 || b.tv_usec >= 1000000)
			return false;
	}
	return true;
}

static bool time_sandwiched(void)
{
	for (int i = 0; i < 2000; i++) {
		time_t a = syscall(SYS_time, NULL), t = 0;
		time_t b = vtime(&t);
		time_t c = syscall(SYS_time, NULL);
		if (a > b || b > c || t != b)
			return false;
	}
	return true;
}

static volatile sig_atomic_t alarms, handler_bad;

static void on_alarm(int sig __attribute__((unused)))
{
	struct timespec ts;
	alarms++;
	/* The vDSO from a handler that interrupted the vDSO. */
	if (vgettime(CLOCK_MONOTONIC, &ts))
		handler_bad = 1;
}

static void *thread_main(void *arg __attribute__((unused)))
{
	struct timespec ts;
	unsigned cpu = 99, node = 99;
	bool ok = clock_sandwiched(CLOCK_MONOTONIC) && vgettime(CLOCK_REALTIME, &ts) == 0 &&
		  vgetcpu(&cpu, &node, NULL) == 0 && cpu != 99 && node != 99;
	return ok ? (void *)1 : NULL;
}

/* A new image (fork's child execs this program again): it has a vDSO of
 * its own, and it works. */
static int exec_child(void)
{
	struct timespec ts;
	vgettime = vdso_sym("__vdso_clock_gettime");
	return vgettime && vgettime(CLOCK_MONOTONIC, &ts) == 0 && ts_ns(&ts) > 0 ? 0 : 1;
}

static bool maps_has(const char *what)
{
	char buf[16384];
	int fd = open("/proc/self/maps", O_RDONLY);
	if (fd < 0)
		return false;
	ssize_t n, len = 0;
	while (len < (ssize_t)sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return strstr(buf, what) != NULL;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--exec-child"))
		return exec_child();

	uint64_t ehdr = getauxval(AT_SYSINFO_EHDR);
	CHECK("vdso.auxv_sysinfo_ehdr", ehdr != 0);
	if (!ehdr)
		return 1;
	CHECK("vdso.elf_header", !memcmp((const void *)ehdr, ELFMAG, SELFMAG));

	vgettime = vdso_sym("__vdso_clock_gettime");
	vgetres = vdso_sym("__vdso_clock_getres");
	vtod = vdso_sym("__vdso_gettimeofday");
	vtime = vdso_sym("__vdso_time");
	vgetcpu = vdso_sym("__vdso_getcpu");
	CHECK("vdso.sym_clock_gettime", vgettime);
	CHECK("vdso.sym_clock_getres", vgetres);
	CHECK("vdso.sym_gettimeofday", vtod);
	CHECK("vdso.sym_time", vtime);
	CHECK("vdso.sym_getcpu", vgetcpu);
	if (!vgettime || !vgetres || !vtod || !vtime || !vgetcpu)
		return 1;

	/* Every clock: same answers as the syscall, in order. */
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		char name[80];
		snprintf(name, sizeof(name), "vdso.clock_gettime.%s_between_syscalls", clocks[i].name);
		CHECK(name, clock_sandwiched(clocks[i].id));
		struct timespec r1 = { -1, -1 }, r2 = { -2, -2 };
		snprintf(name, sizeof(name), "vdso.clock_getres.%s_as_syscall", clocks[i].name);
		long e1 = syscall(SYS_clock_getres, clocks[i].id, &r1);
		int e2 = vgetres(clocks[i].id, &r2);
		CHECK(name, e1 == 0 && e2 == 0 && ts_ns(&r1) == ts_ns(&r2));
	}
	CHECK("vdso.monotonic_interleaved", interleaved_monotonic(CLOCK_MONOTONIC));
	CHECK("vdso.realtime_interleaved", interleaved_monotonic(CLOCK_REALTIME));
	CHECK("vdso.boottime_interleaved", interleaved_monotonic(CLOCK_BOOTTIME));
	CHECK("vdso.gettimeofday_between_syscalls", tod_sandwiched());
	CHECK("vdso.time_between_syscalls", time_sandwiched());
	struct timezone tz = { -1, -1 };
	struct timeval tv;
	CHECK("vdso.gettimeofday_tz", vtod(&tv, &tz) == 0 && tz.tz_minuteswest == 0 && tz.tz_dsttime == 0);
	CHECK("vdso.time_null", vtime(NULL) > 1577836800L);
	CHECK("vdso.clock_getres_null", vgetres(CLOCK_MONOTONIC, NULL) == 0);

	/* What the vDSO does not know, the kernel answers. */
	struct timespec ts;
	CHECK("vdso.bad_clock_einval", vgettime(12345, &ts) == -EINVAL);
	CHECK("vdso.bad_clock_getres_einval", vgetres(12345, &ts) == -EINVAL);
	/* A CPU clock of a pid that does not exist. */
	clockid_t dead = (clockid_t)((~(unsigned)0x3fffff << 3) | 2);
	CHECK("vdso.dead_pid_cpuclock_einval", vgettime(dead, &ts) == -EINVAL);
	CHECK("libc.clock_gettime_bad_clock", clock_gettime(12345, &ts) == -1 && errno == EINVAL);

	/* getcpu: pinned to where it runs, both paths name that CPU. */
	unsigned c_raw = 99, n_raw = 99, c_v = 98, n_v = 98;
	CHECK_OK("getcpu.raw", syscall(SYS_getcpu, &c_raw, &n_raw, NULL));
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(c_raw, &set);
	CHECK_OK("getcpu.pin", sched_setaffinity(0, sizeof(set), &set));
	CHECK_OK("getcpu.raw_pinned", syscall(SYS_getcpu, &c_raw, &n_raw, NULL));
	CHECK("getcpu.vdso_agrees", vgetcpu(&c_v, &n_v, NULL) == 0 && c_v == c_raw && n_v == n_raw);
	c_v = 98;
	CHECK("getcpu.vdso_cpu_only", vgetcpu(&c_v, NULL, NULL) == 0 && c_v == c_raw);
	n_v = 98;
	CHECK("getcpu.vdso_node_only", vgetcpu(NULL, &n_v, NULL) == 0 && n_v == n_raw);
	CHECK("getcpu.libc_agrees", sched_getcpu() == (int)c_raw);

	/* The kernel reads the image on the process's behalf as it is. */
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)ehdr;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(ehdr + eh->e_phoff);
	size_t img_len = 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > img_len)
			img_len = ph[i].p_vaddr + ph[i].p_memsz;
	int pfd[2];
	static char img[65536];
	bool same = img_len > 0 && img_len <= sizeof(img) && pipe(pfd) == 0 &&
		    write(pfd[1], (const void *)ehdr, img_len) == (ssize_t)img_len &&
		    read(pfd[0], img, sizeof(img)) == (ssize_t)img_len && !memcmp(img, (const void *)ehdr, img_len);
	CHECK("vdso.write_from_image", same);

	/* The mappings, as /proc/self/maps names them. */
	CHECK("maps.vdso", maps_has(" [vdso]\n"));
	CHECK("maps.vvar", maps_has(" [vvar]\n"));

	/* A signal that lands while the thread is inside the vDSO. */
	signal(SIGALRM, on_alarm);
	struct itimerval it = { { 0, 500 }, { 0, 500 } };
	setitimer(ITIMER_REAL, &it, NULL);
	vgettime(CLOCK_MONOTONIC, &ts);
	int64_t start = ts_ns(&ts);
	bool steady = true;
	struct timespec prev = ts;
	while (alarms < 20 && ts_ns(&ts) - start < 10000000000LL) {
		if (vgettime(CLOCK_MONOTONIC, &ts) || ts_ns(&ts) < ts_ns(&prev))
			steady = false;
		prev = ts;
	}
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	CHECK("signal.in_vdso_delivered", alarms >= 20);
	CHECK("signal.in_vdso_handler_ok", !handler_bad);
	CHECK("signal.in_vdso_clock_steady", steady);

	/* Threads share it. */
	pthread_t th;
	void *tr = NULL;
	CHECK("thread.vdso", pthread_create(&th, NULL, thread_main, NULL) == 0 && pthread_join(th, &tr) == 0 &&
				     tr == (void *)1);

	/* fork keeps it where it was; exec gets a fresh one. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(getauxval(AT_SYSINFO_EHDR) == ehdr && clock_sandwiched(CLOCK_MONOTONIC) &&
			      maps_has(" [vdso]\n") ? 0 : 1);
	CHECK_EXIT("fork.vdso", conf_wait(pid), 0);
	pid = fork();
	if (pid == 0) {
		char *args[] = { argv[0], "--exec-child", NULL };
		execv(argv[0], args);
		_exit(2);
	}
	CHECK_EXIT("execve.vdso", conf_wait(pid), 0);
	return conf_failed ? 1 : 0;
}
