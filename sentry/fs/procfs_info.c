/* The system-wide files of /proc: meminfo, vmstat, cpuinfo, stat,
 * uptime, loadavg, version, filesystems, swaps. Values are the sandbox's own
 * (its memory file, its tasks, its single CPU); what Linux shows as
 * hardware facts (cpuinfo) comes from the CPUID instruction. */
#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runsc/util.h"
#include "sentry/fs/procfs.h"

/* ---- meminfo ---- */

int procfs_show_meminfo(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	uint64_t total, used;

	kernel_mem_usage(&total, &used);
	/* All of it is anonymous memory of the workload; the sandbox has
	 * no page cache of its own yet, no swap, and its kernel memory (slab,
	 * stacks, page tables) is the sentry's, outside this accounting. */
	total >>= 10;
	used >>= 10;
	sbuf_put_kb(out, "MemTotal:", total);
	sbuf_put_kb(out, "MemFree:", total - used);
	sbuf_put_kb(out, "MemAvailable:", total - used);
	sbuf_put_kb(out, "Buffers:", 0);
	sbuf_put_kb(out, "Cached:", 0);
	sbuf_put_kb(out, "SwapCached:", 0);
	sbuf_put_kb(out, "Active:", used);
	sbuf_put_kb(out, "Inactive:", 0);
	sbuf_put_kb(out, "Active(anon):", used);
	sbuf_put_kb(out, "Inactive(anon):", 0);
	sbuf_put_kb(out, "Active(file):", 0);
	sbuf_put_kb(out, "Inactive(file):", 0);
	sbuf_put_kb(out, "Unevictable:", 0);
	sbuf_put_kb(out, "Mlocked:", 0);
	sbuf_put_kb(out, "SwapTotal:", 0);
	sbuf_put_kb(out, "SwapFree:", 0);
	sbuf_put_kb(out, "Dirty:", 0);
	sbuf_put_kb(out, "Writeback:", 0);
	sbuf_put_kb(out, "AnonPages:", used);
	sbuf_put_kb(out, "Mapped:", 0);
	sbuf_put_kb(out, "Shmem:", 0);
	sbuf_put_kb(out, "KReclaimable:", 0);
	sbuf_put_kb(out, "Slab:", 0);
	sbuf_put_kb(out, "SReclaimable:", 0);
	sbuf_put_kb(out, "SUnreclaim:", 0);
	sbuf_put_kb(out, "KernelStack:", 0);
	sbuf_put_kb(out, "PageTables:", 0);
	sbuf_put_kb(out, "NFS_Unstable:", 0);
	sbuf_put_kb(out, "Bounce:", 0);
	sbuf_put_kb(out, "WritebackTmp:", 0);
	return 0;
}

/* ---- vmstat ---- */

/* The page counts of meminfo, in pages, under vmstat's names; the event
 * counters (paging, swapping, faults) are zero: the sandbox has no page
 * cache or swap, and its faults are the host's. procps's vmstat and free
 * need the file to exist. */
int procfs_show_vmstat(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	static const char *const zero[] = {
		"nr_zone_inactive_anon", "nr_zone_inactive_file", "nr_zone_active_file",
		"nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock", "nr_bounce",
		"nr_free_cma", "nr_inactive_anon", "nr_inactive_file", "nr_active_file",
		"nr_unevictable", "nr_slab_reclaimable", "nr_slab_unreclaimable",
		"nr_isolated_anon", "nr_isolated_file",
	};
	static const char *const zero2[] = {
		"nr_mapped", "nr_file_pages", "nr_dirty", "nr_writeback", "nr_writeback_temp",
		"nr_shmem", "nr_kernel_stack", "nr_page_table_pages", "pgpgin", "pgpgout",
		"pswpin", "pswpout", "pgfault", "pgmajfault",
	};
	uint64_t total, used;

	kernel_mem_usage(&total, &used);
	sbuf_printf(out, "nr_free_pages %llu\n", (unsigned long long)((total - used) >> 12));
	sbuf_printf(out, "nr_zone_active_anon %llu\n", (unsigned long long)(used >> 12));
	for (size_t i = 0; i < ARRAY_SIZE(zero); i++)
		sbuf_printf(out, "%s 0\n", zero[i]);
	sbuf_printf(out, "nr_active_anon %llu\n", (unsigned long long)(used >> 12));
	sbuf_printf(out, "nr_anon_pages %llu\n", (unsigned long long)(used >> 12));
	for (size_t i = 0; i < ARRAY_SIZE(zero2); i++)
		sbuf_printf(out, "%s 0\n", zero2[i]);
	return 0;
}

/* ---- cpuinfo ---- */

struct cpu_flag {
	uint32_t leaf, subleaf;
	uint8_t reg; /* 0 eax, 1 ebx, 2 ecx, 3 edx */
	uint8_t bit;
	const char *name;
};

/* Linux's names (arch/x86/include/asm/cpufeatures.h) for the CPUID bits
 * it shows. */
static const struct cpu_flag cpu_flags[] = {
	{ 1, 0, 3, 0, "fpu" }, { 1, 0, 3, 1, "vme" }, { 1, 0, 3, 2, "de" }, { 1, 0, 3, 3, "pse" },
	{ 1, 0, 3, 4, "tsc" }, { 1, 0, 3, 5, "msr" }, { 1, 0, 3, 6, "pae" }, { 1, 0, 3, 7, "mce" },
	{ 1, 0, 3, 8, "cx8" }, { 1, 0, 3, 9, "apic" }, { 1, 0, 3, 11, "sep" }, { 1, 0, 3, 12, "mtrr" },
	{ 1, 0, 3, 13, "pge" }, { 1, 0, 3, 14, "mca" }, { 1, 0, 3, 15, "cmov" }, { 1, 0, 3, 16, "pat" },
	{ 1, 0, 3, 17, "pse36" }, { 1, 0, 3, 18, "pn" }, { 1, 0, 3, 19, "clflush" }, { 1, 0, 3, 21, "dts" },
	{ 1, 0, 3, 22, "acpi" }, { 1, 0, 3, 23, "mmx" }, { 1, 0, 3, 24, "fxsr" }, { 1, 0, 3, 25, "sse" },
	{ 1, 0, 3, 26, "sse2" }, { 1, 0, 3, 27, "ss" }, { 1, 0, 3, 28, "ht" }, { 1, 0, 3, 29, "tm" },
	{ 1, 0, 3, 30, "ia64" }, { 1, 0, 3, 31, "pbe" },
	{ 0x80000001, 0, 3, 11, "syscall" }, { 0x80000001, 0, 3, 19, "mp" }, { 0x80000001, 0, 3, 20, "nx" },
	{ 0x80000001, 0, 3, 22, "mmxext" }, { 0x80000001, 0, 3, 25, "fxsr_opt" },
	{ 0x80000001, 0, 3, 26, "pdpe1gb" }, { 0x80000001, 0, 3, 27, "rdtscp" }, { 0x80000001, 0, 3, 29, "lm" },
	{ 0x80000001, 0, 3, 30, "3dnowext" }, { 0x80000001, 0, 3, 31, "3dnow" },
	{ 1, 0, 2, 0, "pni" }, { 1, 0, 2, 1, "pclmulqdq" }, { 1, 0, 2, 2, "dtes64" }, { 1, 0, 2, 3, "monitor" },
	{ 1, 0, 2, 4, "ds_cpl" }, { 1, 0, 2, 5, "vmx" }, { 1, 0, 2, 6, "smx" }, { 1, 0, 2, 7, "est" },
	{ 1, 0, 2, 8, "tm2" }, { 1, 0, 2, 9, "ssse3" }, { 1, 0, 2, 10, "cid" }, { 1, 0, 2, 11, "sdbg" },
	{ 1, 0, 2, 12, "fma" }, { 1, 0, 2, 13, "cx16" }, { 1, 0, 2, 14, "xtpr" }, { 1, 0, 2, 15, "pdcm" },
	{ 1, 0, 2, 17, "pcid" }, { 1, 0, 2, 18, "dca" }, { 1, 0, 2, 19, "sse4_1" }, { 1, 0, 2, 20, "sse4_2" },
	{ 1, 0, 2, 21, "x2apic" }, { 1, 0, 2, 22, "movbe" }, { 1, 0, 2, 23, "popcnt" },
	{ 1, 0, 2, 24, "tsc_deadline_timer" }, { 1, 0, 2, 25, "aes" }, { 1, 0, 2, 26, "xsave" },
	{ 1, 0, 2, 28, "avx" }, { 1, 0, 2, 29, "f16c" }, { 1, 0, 2, 30, "rdrand" }, { 1, 0, 2, 31, "hypervisor" },
	{ 0x80000001, 0, 2, 0, "lahf_lm" }, { 0x80000001, 0, 2, 1, "cmp_legacy" }, { 0x80000001, 0, 2, 2, "svm" },
	{ 0x80000001, 0, 2, 3, "extapic" }, { 0x80000001, 0, 2, 4, "cr8_legacy" }, { 0x80000001, 0, 2, 5, "abm" },
	{ 0x80000001, 0, 2, 6, "sse4a" }, { 0x80000001, 0, 2, 7, "misalignsse" },
	{ 0x80000001, 0, 2, 8, "3dnowprefetch" }, { 0x80000001, 0, 2, 9, "osvw" }, { 0x80000001, 0, 2, 10, "ibs" },
	{ 0x80000001, 0, 2, 11, "xop" }, { 0x80000001, 0, 2, 12, "skinit" }, { 0x80000001, 0, 2, 13, "wdt" },
	{ 0x80000001, 0, 2, 15, "lwp" }, { 0x80000001, 0, 2, 16, "fma4" }, { 0x80000001, 0, 2, 17, "tce" },
	{ 0x80000001, 0, 2, 19, "nodeid_msr" }, { 0x80000001, 0, 2, 21, "tbm" },
	{ 0x80000001, 0, 2, 22, "topoext" }, { 0x80000001, 0, 2, 23, "perfctr_core" },
	{ 0x80000001, 0, 2, 24, "perfctr_nb" }, { 0x80000001, 0, 2, 26, "bpext" },
	{ 0x80000001, 0, 2, 28, "perfctr_llc" }, { 0x80000001, 0, 2, 29, "mwaitx" },
	{ 7, 0, 1, 0, "fsgsbase" }, { 7, 0, 1, 1, "tsc_adjust" }, { 7, 0, 1, 2, "sgx" }, { 7, 0, 1, 3, "bmi1" },
	{ 7, 0, 1, 4, "hle" }, { 7, 0, 1, 5, "avx2" }, { 7, 0, 1, 7, "smep" }, { 7, 0, 1, 8, "bmi2" },
	{ 7, 0, 1, 9, "erms" }, { 7, 0, 1, 10, "invpcid" }, { 7, 0, 1, 11, "rtm" }, { 7, 0, 1, 12, "cqm" },
	{ 7, 0, 1, 14, "mpx" }, { 7, 0, 1, 15, "rdt_a" }, { 7, 0, 1, 16, "avx512f" }, { 7, 0, 1, 17, "avx512dq" },
	{ 7, 0, 1, 18, "rdseed" }, { 7, 0, 1, 19, "adx" }, { 7, 0, 1, 20, "smap" }, { 7, 0, 1, 21, "avx512ifma" },
	{ 7, 0, 1, 23, "clflushopt" }, { 7, 0, 1, 24, "clwb" }, { 7, 0, 1, 25, "intel_pt" },
	{ 7, 0, 1, 26, "avx512pf" }, { 7, 0, 1, 27, "avx512er" }, { 7, 0, 1, 28, "avx512cd" },
	{ 7, 0, 1, 29, "sha_ni" }, { 7, 0, 1, 30, "avx512bw" }, { 7, 0, 1, 31, "avx512vl" },
	{ 0xd, 1, 0, 0, "xsaveopt" }, { 0xd, 1, 0, 1, "xsavec" }, { 0xd, 1, 0, 2, "xgetbv1" },
	{ 0xd, 1, 0, 3, "xsaves" },
	{ 7, 0, 2, 1, "avx512vbmi" }, { 7, 0, 2, 2, "umip" }, { 7, 0, 2, 3, "pku" }, { 7, 0, 2, 4, "ospke" },
	{ 7, 0, 2, 5, "waitpkg" }, { 7, 0, 2, 6, "avx512_vbmi2" }, { 7, 0, 2, 8, "gfni" }, { 7, 0, 2, 9, "vaes" },
	{ 7, 0, 2, 10, "vpclmulqdq" }, { 7, 0, 2, 11, "avx512_vnni" }, { 7, 0, 2, 12, "avx512_bitalg" },
	{ 7, 0, 2, 13, "tme" }, { 7, 0, 2, 14, "avx512_vpopcntdq" }, { 7, 0, 2, 16, "la57" },
	{ 7, 0, 2, 22, "rdpid" }, { 7, 0, 2, 25, "cldemote" }, { 7, 0, 2, 27, "movdiri" },
	{ 7, 0, 2, 28, "movdir64b" },
	{ 7, 0, 3, 2, "avx512_4vnniw" }, { 7, 0, 3, 3, "avx512_4fmaps" }, { 7, 0, 3, 4, "fsrm" },
	{ 7, 0, 3, 10, "md_clear" }, { 7, 0, 3, 14, "serialize" }, { 7, 0, 3, 16, "tsxldtrk" },
	{ 7, 0, 3, 18, "pconfig" }, { 7, 0, 3, 19, "arch_lbr" }, { 7, 0, 3, 22, "amx_bf16" },
	{ 7, 0, 3, 23, "avx512_fp16" }, { 7, 0, 3, 24, "amx_tile" }, { 7, 0, 3, 25, "amx_int8" },
	{ 7, 0, 3, 28, "flush_l1d" }, { 7, 0, 3, 29, "arch_capabilities" },
};

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}

/* The largest cache the CPU describes, in KB. */
static unsigned int cache_size_kb(uint32_t max_leaf, bool intel)
{
	uint32_t r[4];
	unsigned int best = 0, best_level = 0;

	if (intel && max_leaf >= 4) {
		for (uint32_t i = 0; i < 16; i++) {
			cpuid(4, i, r);
			if ((r[0] & 0x1f) == 0)
				break;
			unsigned int level = (r[0] >> 5) & 7;
			uint64_t size = (uint64_t)((r[1] >> 22) + 1) * (((r[1] >> 12) & 0x3ff) + 1) *
					((r[1] & 0xfff) + 1) * ((uint64_t)r[2] + 1);

			if (level >= best_level && (r[0] & 0x1f) != 2) { /* not the instruction cache */
				best_level = level;
				best = (unsigned int)(size >> 10);
			}
		}
		return best;
	}
	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000006) {
		cpuid(0x80000006, 0, r);
		return r[2] >> 16; /* L2, as Linux shows for AMD */
	}
	return 0;
}

/* The CPU's nominal frequency: CPUID leaf 0x16, else the brand string's
 * "@ 2.40GHz"; 0 when neither says. */
static unsigned int cpu_mhz(uint32_t max_leaf, const char *brand)
{
	uint32_t r[4];
	const char *at;
	double ghz;

	if (max_leaf >= 0x16) {
		cpuid(0x16, 0, r);
		if (r[0] & 0xffff)
			return r[0] & 0xffff;
	}
	at = strstr(brand, "@ ");
	if (at && sscanf(at + 2, "%lfGHz", &ghz) == 1)
		return (unsigned int)(ghz * 1000 + 0.5);
	return 0;
}

int procfs_show_cpuinfo(struct task *rd, struct pfs_inode *pi, struct sbuf *out)
{
	uint32_t r[4], max_leaf, max_ext;
	char vendor[13] = { 0 }, brand[49] = { 0 };
	unsigned int family, model, stepping, mhz, clflush, phys = 36, virt = 48;

	cpuid(0, 0, r);
	max_leaf = r[0];
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	cpuid(0x80000000, 0, r);
	max_ext = r[0];
	if (max_ext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, r);
			memcpy(brand + 16 * i, r, 16);
		}
	}
	char *b = brand;

	while (*b == ' ')
		b++;
	if (max_ext >= 0x80000008) {
		cpuid(0x80000008, 0, r);
		phys = r[0] & 0xff;
		virt = (r[0] >> 8) & 0xff;
	}
	cpuid(1, 0, r);
	stepping = r[0] & 0xf;
	family = (r[0] >> 8) & 0xf;
	model = (r[0] >> 4) & 0xf;
	if (family == 0xf)
		family += (r[0] >> 20) & 0xff;
	if (family >= 6)
		model |= ((r[0] >> 16) & 0xf) << 4;
	clflush = ((r[1] >> 8) & 0xff) * 8;
	mhz = cpu_mhz(max_leaf, b);

	for (int cpu = 0; cpu < SANDBOX_NR_CPUS; cpu++) {
		sbuf_printf(out, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
				 "model name\t: %s\nstepping\t: %u\n",
			    cpu, vendor, family, model, b, stepping);
		if (mhz)
			sbuf_printf(out, "cpu MHz\t\t: %u.000\n", mhz);
		sbuf_printf(out, "cache size\t: %u KB\n", cache_size_kb(max_leaf, strcmp(vendor, "GenuineIntel") == 0));
		sbuf_printf(out, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\n"
				 "apicid\t\t: %d\ninitial apicid\t: %d\n",
			    SANDBOX_NR_CPUS, cpu, SANDBOX_NR_CPUS, cpu, cpu);
		sbuf_printf(out, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\nflags\t\t:",
			    max_leaf);
		for (size_t i = 0; i < ARRAY_SIZE(cpu_flags); i++) {
			const struct cpu_flag *f = &cpu_flags[i];
			uint32_t top = f->leaf >= 0x80000000 ? max_ext : max_leaf;

			if (f->leaf > top)
				continue;
			cpuid(f->leaf, f->subleaf, r);
			if (r[f->reg] & (1u << f->bit))
				sbuf_printf(out, " %s", f->name);
		}
		sbuf_puts(out, "\n");
		if (mhz)
			sbuf_printf(out, "bogomips\t: %u.00\n", 2 * mhz);
		sbuf_printf(out, "clflush size\t: %u\ncache_alignment\t: %u\n"
				 "address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
			    clflush, clflush, phys, virt);
	}
	return 0;
}

/* ---- stat, uptime, loadavg ---- */

struct cpu_totals {
	uint64_t user_ns, sys_ns;
	int running, blocked;
};

static int add_cpu_time(struct thread_group *tg, void *arg)
{
	struct cpu_totals *c = arg;
	struct task *t;

	tg_update_cputime(tg);
	/* Reaped children's time lives on in their parents' cutime. */
	c->user_ns += tg->utime_ns + tg->cutime_ns;
	c->sys_ns += tg->stime_ns + tg->cstime_ns;
	list_for_each_entry(t, &tg->threads, tg_link) {
		if (t->state == TASK_RUNNING || t->state == TASK_RUNNABLE)
			c->running++;
	}
	return 0;
}

static uint64_t uptime_ns(void)
{
	return (uint64_t)(kernel_mono_ns() - kernel->boot_mono_ns);
}

static void cpu_totals(struct cpu_totals *c, uint64_t *idle_ns)
{
	uint64_t busy, all = uptime_ns() * SANDBOX_NR_CPUS;

	memset(c, 0, sizeof(*c));
	tg_for_each(add_cpu_time, c);
	busy = c->user_ns + c->sys_ns;
	*idle_ns = busy < all ? all - busy : 0;
}

int procfs_show_stat(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct cpu_totals c;
	uint64_t idle;

	cpu_totals(&c, &idle);
	/* One CPU: its line is the total. Interrupts and context switches
	 * are not counted by the sandbox. */
	sbuf_printf(out, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", (unsigned long long)ns_to_clock_t(c.user_ns),
		    (unsigned long long)ns_to_clock_t(c.sys_ns), (unsigned long long)ns_to_clock_t(idle));
	for (int cpu = 0; cpu < SANDBOX_NR_CPUS; cpu++)
		sbuf_printf(out, "cpu%d %llu 0 %llu %llu 0 0 0 0 0 0\n", cpu,
			    (unsigned long long)ns_to_clock_t(c.user_ns / SANDBOX_NR_CPUS),
			    (unsigned long long)ns_to_clock_t(c.sys_ns / SANDBOX_NR_CPUS),
			    (unsigned long long)ns_to_clock_t(idle / SANDBOX_NR_CPUS));
	sbuf_printf(out, "intr 0\nctxt 0\nbtime %lld\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n",
		    (long long)(kernel->boot_real_ns / 1000000000LL), kernel->last_pid, c.running);
	sbuf_puts(out, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
	return 0;
}

int procfs_show_uptime(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct cpu_totals c;
	uint64_t idle, up = uptime_ns();

	cpu_totals(&c, &idle);
	sbuf_printf(out, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up / 1000000000ULL),
		    (unsigned long long)(up / 10000000ULL % 100), (unsigned long long)(idle / 1000000000ULL),
		    (unsigned long long)(idle / 10000000ULL % 100));
	return 0;
}

int procfs_show_loadavg(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct cpu_totals c;
	uint64_t idle;

	cpu_totals(&c, &idle);
	/* The sandbox keeps no load average (sysinfo says 0 as well). */
	sbuf_printf(out, "0.00 0.00 0.00 %d/%d %d\n", c.running, kernel->nr_tasks, kernel->last_pid);
	return 0;
}

/* ---- version, filesystems, swaps ---- */

int procfs_show_version(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_printf(out, "%s version %s %s\n", SANDBOX_UTS_SYSNAME, SANDBOX_UTS_RELEASE, SANDBOX_UTS_VERSION);
	return 0;
}

int procfs_show_filesystems(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	/* The filesystem types the sandbox implements. */
	static const char *const types[] = { "sysfs", "tmpfs", "proc", "cgroup2", "9p" };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		sbuf_printf(out, "nodev\t%s\n", types[i]);
	return 0;
}

int procfs_show_swaps(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_puts(out, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	return 0;
}
