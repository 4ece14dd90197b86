#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "runsc/cgroup.h"
#include "runsc/log.h"
#include "runsc/util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static const char *const v1_controllers[] = { "memory", "cpu", "pids" };

static bool host_is_v2(void)
{
	struct statfs sf;

	return statfs(CGROUP_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* Our own cgroup in a hierarchy ("" for v2's), from /proc/self/cgroup. */
static char *own_cgroup(const char *ctrl)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char *line = NULL, *ret = NULL;
	size_t cap = 0;

	if (!f)
		return xstrdup("/");
	while (getline(&line, &cap, f) > 0) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;

		if (!b)
			continue;
		*b = '\0';
		b[strcspn(b + 1, "\n") + 1] = '\0';
		bool match = !*ctrl ? !strcmp(line, "0") && !a[1] : false;
		for (char *tok = a + 1, *sp; !match && (tok = strtok_r(tok, ",", &sp)); tok = NULL)
			match = !strcmp(tok, ctrl);
		if (match) {
			ret = xstrdup(b + 1);
			break;
		}
	}
	free(line);
	return ret ? ret : xstrdup("/");
}

static int write_str(const char *dir, const char *file, const char *val)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (asprintf(&p, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write_all(fd, val, strlen(val));
	log_debug("cgroup: %s <- %s: %s", p, val, r < 0 ? strerror(-r) : "ok");
	return r;
}

static int write_i64(const char *dir, const char *file, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return write_str(dir, file, buf);
}

static int read_u64(const char *dir, const char *file, uint64_t *v)
{
	_cleanup_free_ char *p = NULL;
	char buf[64];
	ssize_t n;
	int fd;

	if (asprintf(&p, "%s/%s", dir, file) < 0)
		return -ENOMEM;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	if (!strncmp(buf, "max", 3)) {
		*v = 0;
		return 0;
	}
	*v = strtoull(buf, NULL, 10);
	return 0;
}

static int mkdir_p(const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static bool resources_set(const struct spec_resources *r)
{
	return r->memory_limit != -1 || r->memory_swap != -1 || r->cpu_shares || r->cpu_quota != -1 ||
	       r->cpu_period || r->pids_limit != -1 || r->cpuset_cpus;
}

/* v2: the parents must hand the controllers down. */
static int v2_enable(const char *leaf)
{
	_cleanup_free_ char *p = xstrdup(leaf);
	char *s = p + strlen(CGROUP_ROOT);

	while ((s = strchr(s + 1, '/'))) {
		*s = '\0';
		/* Best effort per controller: one the host lacks is reported
		 * when its limit is written. */
		write_str(p, "cgroup.subtree_control", "+memory");
		write_str(p, "cgroup.subtree_control", "+cpu");
		write_str(p, "cgroup.subtree_control", "+pids");
		*s = '/';
	}
	write_str(p, "cgroup.subtree_control", "+memory");
	write_str(p, "cgroup.subtree_control", "+cpu");
	write_str(p, "cgroup.subtree_control", "+pids");
	return 0;
}

#define APPLY(expr, what)                                                           \
	do {                                                                        \
		int _r = (expr);                                                    \
		if (_r < 0) {                                                       \
			log_error("cgroup %s: set %s: %s", dir, what, strerror(-_r)); \
			return _r;                                                  \
		}                                                                   \
	} while (0)

static int apply_v1(const char *ctrl, const char *dir, const struct spec_resources *r)
{
	if (!strcmp(ctrl, "memory")) {
		bool memsw = access(dir, F_OK) == 0 && r->memory_swap != -1;
		char p[4096];

		snprintf(p, sizeof(p), "%s/memory.memsw.limit_in_bytes", dir);
		if (r->memory_swap != -1 && access(p, F_OK) < 0) {
			log_error("cgroup %s: linux.resources.memory.swap: the host has no swap "
				  "accounting (memory.memsw.limit_in_bytes)", dir);
			return -EOPNOTSUPP;
		}
		/* memsw >= limit at every step: which goes first depends on
		 * whether the limit grows. */
		if (r->memory_limit != -1 &&
		    write_i64(dir, "memory.limit_in_bytes", r->memory_limit) < 0) {
			if (memsw)
				APPLY(write_i64(dir, "memory.memsw.limit_in_bytes", r->memory_swap), "memory.swap");
			memsw = false;
			APPLY(write_i64(dir, "memory.limit_in_bytes", r->memory_limit), "memory.limit");
		}
		if (memsw)
			APPLY(write_i64(dir, "memory.memsw.limit_in_bytes", r->memory_swap), "memory.swap");
	} else if (!strcmp(ctrl, "cpu")) {
		if (r->cpu_shares)
			APPLY(write_i64(dir, "cpu.shares", (int64_t)r->cpu_shares), "cpu.shares");
		if (r->cpu_period)
			APPLY(write_i64(dir, "cpu.cfs_period_us", (int64_t)r->cpu_period), "cpu.period");
		if (r->cpu_quota != -1)
			APPLY(write_i64(dir, "cpu.cfs_quota_us", r->cpu_quota), "cpu.quota");
	} else if (!strcmp(ctrl, "pids")) {
		if (r->pids_limit > 0)
			APPLY(write_i64(dir, "pids.max", r->pids_limit), "pids.limit");
		else if (r->pids_limit == 0)
			APPLY(write_str(dir, "pids.max", "max"), "pids.limit");
	}
	return 0;
}

static int apply_v2(const char *dir, const struct spec_resources *r)
{
	char buf[64];

	if (r->memory_limit != -1) {
		if (r->memory_limit > 0)
			APPLY(write_i64(dir, "memory.max", r->memory_limit), "memory.limit");
		else
			APPLY(write_str(dir, "memory.max", "max"), "memory.limit");
	}
	if (r->memory_swap != -1) {
		/* OCI's swap is memory+swap, v2's swap.max the swap alone. */
		if (r->memory_swap > 0 && r->memory_limit > 0) {
			if (r->memory_swap < r->memory_limit) {
				log_error("linux.resources.memory.swap (%" PRId64 ") is below "
					  "memory.limit (%" PRId64 ")", r->memory_swap, r->memory_limit);
				return -EINVAL;
			}
			APPLY(write_i64(dir, "memory.swap.max", r->memory_swap - r->memory_limit),
			      "memory.swap");
		} else if (r->memory_swap < 0) {
			APPLY(write_str(dir, "memory.swap.max", "max"), "memory.swap");
		}
	}
	if (r->cpu_shares)
		/* runc's conversion of shares [2, 262144] to weight [1, 10000]. */
		APPLY(write_i64(dir, "cpu.weight",
				1 + (int64_t)((MAX(r->cpu_shares, 2) - 2) * 9999) / 262142),
		      "cpu.shares");
	if (r->cpu_quota != -1 || r->cpu_period) {
		uint64_t period = r->cpu_period ? r->cpu_period : 100000;

		if (r->cpu_quota > 0)
			snprintf(buf, sizeof(buf), "%" PRId64 " %" PRIu64, r->cpu_quota, period);
		else
			snprintf(buf, sizeof(buf), "max %" PRIu64, period);
		APPLY(write_str(dir, "cpu.max", buf), "cpu.quota");
	}
	if (r->pids_limit > 0)
		APPLY(write_i64(dir, "pids.max", r->pids_limit), "pids.limit");
	else if (r->pids_limit == 0)
		APPLY(write_str(dir, "pids.max", "max"), "pids.limit");
	return 0;
}

int cgroup_apply(const struct cgroup *cg, const struct spec_resources *r)
{
	int ret;

	if (r->cpuset_cpus) {
		log_error("linux.resources.cpu.cpus: cpusets are not supported");
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < cg->n; i++) {
		ret = cg->v2 ? apply_v2(cg->dirs[i], r) : apply_v1(cg->ctrl[i], cg->dirs[i], r);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int save(const struct container *c, const struct cgroup *cg)
{
	_cleanup_free_ char *path = NULL;
	char buf[8192];
	size_t len = 0;

	len += (size_t)snprintf(buf, sizeof(buf), "%s\n", cg->v2 ? "v2" : "v1");
	for (size_t i = 0; i < cg->n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %s\n",
					cg->v2 ? "unified" : cg->ctrl[i], cg->dirs[i]);
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	if (asprintf(&path, "%s/%s", c->dir, CGROUP_STATE_FILE) < 0)
		return -ENOMEM;
	return write_file_atomic(path, buf, len, 0600);
}

int cgroup_load(const struct container *c, struct cgroup *cg)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	*cg = (struct cgroup){ 0 };
	if (asprintf(&path, "%s/%s", c->dir, CGROUP_STATE_FILE) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (getline(&line, &cap, f) <= 0) {
		free(line);
		return -EIO;
	}
	cg->v2 = !strcmp(line, "v2\n");
	while ((n = getline(&line, &cap, f)) > 0 && cg->n < CGROUP_MAX_DIRS) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		sp[strcspn(sp + 1, "\n") + 1] = '\0';
		cg->ctrl[cg->n] = "unified";
		for (size_t k = 0; k < ARRAY_SIZE(v1_controllers); k++)
			if (!strcmp(line, v1_controllers[k]))
				cg->ctrl[cg->n] = v1_controllers[k];
		cg->dirs[cg->n++] = xstrdup(sp + 1);
	}
	free(line);
	return 0;
}

static int cg_path(const char *cgpath, const char *ctrl, const char *mount, char **out)
{
	_cleanup_free_ char *own = NULL;

	if (cgpath[0] == '/')
		return asprintf(out, "%s%s", mount, cgpath) < 0 ? -ENOMEM : 0;
	own = own_cgroup(ctrl);
	return asprintf(out, "%s%s%s%s", mount, own, own[strlen(own) - 1] == '/' ? "" : "/",
			cgpath) < 0 ? -ENOMEM : 0;
}

int cgroup_create(const struct spec *s, const char *id, struct container *c, struct cgroup *cg)
{
	const struct spec_resources *r = &s->linux_.resources;
	_cleanup_free_ char *dflt = NULL;
	const char *p = s->linux_.cgroups_path;
	int ret;

	*cg = (struct cgroup){ 0 };
	if (!p || !*p) {
		if (!s->linux_.has_resources || !resources_set(r))
			return 0;
		if (asprintf(&dflt, "/sandboxrun/%s", id) < 0)
			return -ENOMEM;
		p = dflt;
	}
	if (strchr(p, ':')) {
		log_error("linux.cgroupsPath \"%s\": the systemd form (slice:prefix:name) needs "
			  "--systemd-cgroup, which sandboxrun does not support", p);
		return -EINVAL;
	}
	if (strstr(p, "..")) {
		log_error("linux.cgroupsPath \"%s\": must not contain \"..\"", p);
		return -EINVAL;
	}
	cg->v2 = host_is_v2();
	if (cg->v2) {
		cg->ctrl[0] = "unified";
		if ((ret = cg_path(p, "", CGROUP_ROOT, &cg->dirs[0])) < 0)
			return ret;
		cg->n = 1;
	} else {
		for (size_t k = 0; k < ARRAY_SIZE(v1_controllers); k++) {
			char mount[256];

			snprintf(mount, sizeof(mount), CGROUP_ROOT "/%s", v1_controllers[k]);
			if (access(mount, F_OK) < 0)
				continue;   /* the host lacks it: its limits fail below */
			cg->ctrl[cg->n] = v1_controllers[k];
			if ((ret = cg_path(p, v1_controllers[k], mount, &cg->dirs[cg->n])) < 0)
				return ret;
			cg->n++;
		}
	}
	for (size_t i = 0; i < cg->n; i++) {
		if ((ret = mkdir_p(cg->dirs[i])) < 0) {
			log_error("cgroup %s: mkdir: %s", cg->dirs[i], strerror(-ret));
			return ret;
		}
	}
	/* Recorded before the limits: a failure below must still remove it. */
	if ((ret = save(c, cg)) < 0) {
		log_error("record the cgroup: %s", strerror(-ret));
		return ret;
	}
	if (cg->v2)
		v2_enable(cg->dirs[0]);
	if (!cg->v2) {
		bool have[3] = { false };
		for (size_t i = 0; i < cg->n; i++)
			for (size_t k = 0; k < 3; k++)
				have[k] |= cg->ctrl[i] == v1_controllers[k];
		if ((!have[0] && (r->memory_limit != -1 || r->memory_swap != -1)) ||
		    (!have[1] && (r->cpu_shares || r->cpu_quota != -1 || r->cpu_period)) ||
		    (!have[2] && r->pids_limit != -1)) {
			log_error("linux.resources: the host lacks a cgroup controller it needs");
			return -EOPNOTSUPP;
		}
	}
	return cgroup_apply(cg, r);
}

int cgroup_procs_fds(const struct cgroup *cg, int *fds, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < cg->n; i++) {
		_cleanup_free_ char *p = NULL;

		if (asprintf(&p, "%s/cgroup.procs", cg->dirs[i]) < 0)
			return -ENOMEM;
		fds[i] = open(p, O_WRONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			int e = errno;

			log_error("cgroup %s: %s", p, strerror(e));
			while (i--)
				close(fds[i]);
			return -e;
		}
		*n = i + 1;
	}
	return 0;
}

int cgroup_read_stats(const struct cgroup *cg, struct cgroup_stats *st)
{
	*st = (struct cgroup_stats){ 0 };
	for (size_t i = 0; i < cg->n; i++) {
		const char *d = cg->dirs[i], *c = cg->ctrl[i];

		if (cg->v2) {
			read_u64(d, "memory.current", &st->mem_usage);
			read_u64(d, "memory.max", &st->mem_limit);
			read_u64(d, "memory.peak", &st->mem_max_usage);
			read_u64(d, "pids.current", &st->pids_current);
			read_u64(d, "pids.max", &st->pids_limit);
		} else if (!strcmp(c, "memory")) {
			read_u64(d, "memory.usage_in_bytes", &st->mem_usage);
			read_u64(d, "memory.limit_in_bytes", &st->mem_limit);
			read_u64(d, "memory.failcnt", &st->mem_failcnt);
			read_u64(d, "memory.max_usage_in_bytes", &st->mem_max_usage);
		} else if (!strcmp(c, "pids")) {
			read_u64(d, "pids.current", &st->pids_current);
			read_u64(d, "pids.max", &st->pids_limit);
		}
	}
	return 0;
}

void cgroup_remove(const struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		/* Processes killed a moment ago may still be leaving it. */
		for (int tries = 0; tries < 100; tries++) {
			if (rmdir(cg->dirs[i]) == 0 || errno == ENOENT)
				break;
			if (errno != EBUSY) {
				log_warn("cgroup %s: rmdir: %s", cg->dirs[i], strerror(errno));
				break;
			}
			usleep(10000);
		}
	}
}

void cgroup_free(struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++)
		free(cg->dirs[i]);
	cg->n = 0;
}

void cgroup_remove_container(const struct container *c)
{
	struct cgroup cg;

	if (cgroup_load(c, &cg) < 0)
		return;
	cgroup_remove(&cg);
	cgroup_free(&cg);
}
