/* sysfs, minimal and read-only: the CPU topology glibc and language
 * runtimes read (/sys/devices/system/cpu: online, possible, present,
 * cpuN/topology), and /sys/fs/cgroup, where a cgroup2 view is mounted.
 *
 * The cgroup2 view is the root of one hierarchy with no controllers: the
 * sandbox enforces no cgroup limits, so cgroup.controllers is empty and
 * there are no memory.max or cpu.max files (runtimes take a missing file
 * as "no limit"). cgroup.procs and cgroup.threads list the sandbox's
 * processes and threads; everything is mounted read-only. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/procfs.h"

/* ---- /sys/devices/system/cpu ---- */

static int show_cpu_list(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	if (SANDBOX_NR_CPUS == 1)
		sbuf_puts(out, "0\n");
	else
		sbuf_printf(out, "0-%d\n", SANDBOX_NR_CPUS - 1);
	return 0;
}

static int show_cpu_number(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_printf(out, "%llu\n", (unsigned long long)pi->key);
	return 0;
}

static int show_zero(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_puts(out, "0\n");
	return 0;
}

/* One core per package, one thread per core. */
static const struct pfs_entry topology_entries[] = {
	{ .name = "core_cpus_list", .mode = S_IFREG | 0444, .show = show_cpu_number },
	{ .name = "core_id", .mode = S_IFREG | 0444, .show = show_cpu_number },
	{ .name = "core_siblings_list", .mode = S_IFREG | 0444, .show = show_cpu_number },
	{ .name = "physical_package_id", .mode = S_IFREG | 0444, .show = show_zero },
	{ .name = "thread_siblings_list", .mode = S_IFREG | 0444, .show = show_cpu_number },
	{ 0 },
};

static const struct pfs_entry cpu_entries[] = {
	{ .name = "topology", .mode = S_IFDIR | 0755, .children = topology_entries },
	{ 0 },
};

static const struct pfs_entry cpu_dir = {
	.name = "", .mode = S_IFDIR | 0755, .children = cpu_entries,
};

static int cpus_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct pfs_inode pi = { .fd = -1 };
	int n = strncmp(name, "cpu", 3) == 0 ? pfs_parse_decimal(name + 3) : -1;

	if (n < 0 || n >= SANDBOX_NR_CPUS)
		return -ENOENT;
	pi.key = (uint64_t)n;
	*out = pfs_new_inode(dir->sb, &cpu_dir, &pi);
	return 0;
}

static int cpus_iterate(struct inode *dir, struct dir_context *ctx)
{
	for (int n = (int)(ctx->pos - PFS_DYN_POS); n < SANDBOX_NR_CPUS; n++) {
		struct pfs_inode pi = { .fd = -1, .key = (uint64_t)n };
		char name[16];
		int len = snprintf(name, sizeof(name), "cpu%d", n);

		if (!ctx->actor(ctx, name, len, PFS_DYN_POS + n + 1, pfs_ino(&cpu_dir, &pi), DT_DIR))
			return 0;
		ctx->pos = PFS_DYN_POS + n + 1;
	}
	return 0;
}

static const struct pfs_dir_ops cpus_ops = {
	.lookup = cpus_lookup,
	.iterate = cpus_iterate,
};

static const struct pfs_entry system_cpu_entries[] = {
	{ .name = "online", .mode = S_IFREG | 0444, .show = show_cpu_list },
	{ .name = "possible", .mode = S_IFREG | 0444, .show = show_cpu_list },
	{ .name = "present", .mode = S_IFREG | 0444, .show = show_cpu_list },
	{ 0 },
};

static const struct pfs_entry system_entries[] = {
	{ .name = "cpu", .mode = S_IFDIR | 0755, .children = system_cpu_entries, .dyn = &cpus_ops },
	{ 0 },
};

static const struct pfs_entry devices_entries[] = {
	{ .name = "system", .mode = S_IFDIR | 0755, .children = system_entries },
	{ 0 },
};

static const struct pfs_entry fs_entries[] = {
	{ .name = "cgroup", .mode = S_IFDIR | 0755, .children = NULL },
	{ 0 },
};

static const struct pfs_entry sysfs_root_entries[] = {
	{ .name = "devices", .mode = S_IFDIR | 0755, .children = devices_entries },
	{ .name = "fs", .mode = S_IFDIR | 0755, .children = fs_entries },
	{ 0 },
};

static const struct pfs_entry sysfs_root = {
	.name = "/", .mode = S_IFDIR | 0555, .children = sysfs_root_entries,
};

int sysfs_new_root(struct inode **root)
{
	*root = pfs_new_root("sysfs", MS_RDONLY, &sysfs_root);
	return 0;
}

/* ---- the cgroup2 view ---- */

static int show_empty_line(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_puts(out, "\n");
	return 0;
}

static int show_max(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_puts(out, "max\n");
	return 0;
}

static int show_cgroup_stat(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	sbuf_puts(out, "nr_descendants 0\nnr_dying_descendants 0\n");
	return 0;
}

struct list_ctx {
	struct sbuf *out;
	bool threads;
};

static int list_members(struct thread_group *tg, void *arg)
{
	struct list_ctx *c = arg;
	struct task *t;

	if (tg->zombie)
		return 0;
	if (!c->threads) {
		sbuf_printf(c->out, "%d\n", tg->tgid);
		return 0;
	}
	list_for_each_entry(t, &tg->threads, tg_link)
		if (t->state != TASK_DEAD)
			sbuf_printf(c->out, "%d\n", t->tid);
	return 0;
}

static int show_procs(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct list_ctx c = { out, false };

	return tg_for_each(list_members, &c);
}

static int show_threads(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	struct list_ctx c = { out, true };

	return tg_for_each(list_members, &c);
}

static const struct pfs_entry cgroup_root_entries[] = {
	{ .name = "cgroup.controllers", .mode = S_IFREG | 0444, .show = show_empty_line },
	{ .name = "cgroup.max.depth", .mode = S_IFREG | 0644, .show = show_max },
	{ .name = "cgroup.max.descendants", .mode = S_IFREG | 0644, .show = show_max },
	{ .name = "cgroup.procs", .mode = S_IFREG | 0644, .show = show_procs },
	{ .name = "cgroup.stat", .mode = S_IFREG | 0444, .show = show_cgroup_stat },
	{ .name = "cgroup.subtree_control", .mode = S_IFREG | 0644, .show = show_empty_line },
	{ .name = "cgroup.threads", .mode = S_IFREG | 0644, .show = show_threads },
	{ 0 },
};

static const struct pfs_entry cgroup_root = {
	.name = "/", .mode = S_IFDIR | 0755, .children = cgroup_root_entries,
};

int cgroupfs_new_root(struct inode **root)
{
	*root = pfs_new_root("cgroup2", MS_RDONLY, &cgroup_root);
	return 0;
}

/* mount -t sysfs / cgroup2: new read-only views (options refused). A
 * config.json "cgroup" (v1) mount gets the cgroup2 view too: the sandbox
 * has no per-controller hierarchies. */
static int synthetic_mount(int (*new_root)(struct inode **), const char *data, struct inode **root)
{
	if (data && *data) {
		log_once("sysfs_opts", "mount -t sysfs/cgroup: options are not supported (EINVAL)");
		return -EINVAL;
	}
	return new_root(root);
}

static int sysfs_mount(const char *source, unsigned long sb_flags, const char *data,
		       struct inode **root)
{
	return synthetic_mount(sysfs_new_root, data, root);
}

static int cgroupfs_mount(const char *source, unsigned long sb_flags, const char *data,
			  struct inode **root)
{
	return synthetic_mount(cgroupfs_new_root, data, root);
}

FS_TYPE_DEFINE(sysfs) = { .name = "sysfs", .mount = sysfs_mount, .flags = FS_TYPE_NODEV };
FS_TYPE_DEFINE(cgroup2) = { .name = "cgroup2", .mount = cgroupfs_mount, .flags = FS_TYPE_NODEV };
