/* `sandboxrun update [--resources FILE|-] [--memory N ...] ID`: changes
 * the limits of the container's host cgroup (runsc/cgroup.h). Resources
 * sandboxrun does not manage (blkio, cpusets, realtime, RDT, kernel memory)
 * are refused with a clear error rather than pretended; a container
 * created without a cgroup has none to change. */
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/file.h>

#include "runsc/cgroup.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/verb.h"

static const char *const unsupported_opts[] = {
	"blkio-weight", "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems",
	"kernel-memory", "kernel-memory-tcp", "memory-reservation", "l3-cache-schema",
	"mem-bw-schema",
};

/* A byte count as runc's flags take it: a number, optionally with a
 * binary unit (k, m, g, t; "b" and "ib"/"b" suffixes allowed); -1 is
 * "unlimited". */
static int parse_bytes(const char *s, int64_t *out)
{
	char *end;
	int64_t mult = 1;

	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s)
		return -EINVAL;
	switch (*end | 0x20) {
	case 'k': mult = 1LL << 10; end++; break;
	case 'm': mult = 1LL << 20; end++; break;
	case 'g': mult = 1LL << 30; end++; break;
	case 't': mult = 1LL << 40; end++; break;
	}
	if ((*end | 0x20) == 'i')
		end++;
	if ((*end | 0x20) == 'b')
		end++;
	if (*end || (v < 0 && v != -1))
		return -EINVAL;
	*out = v == -1 ? -1 : (int64_t)(v * (double)mult);
	return 0;
}

static int parse_num(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int read_resources(const char *file, struct spec_resources *r)
{
	_cleanup_free_ char *buf = NULL, *err = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	int ret;

	fd = !strcmp(file, "-") ? dup(STDIN_FILENO) : open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (ret = read_all_fd(fd, &buf, &len)) < 0) {
		log_error("update: read %s: %s", file, strerror(fd < 0 ? errno : -ret));
		return -1;
	}
	if (spec_parse_resources(buf, len, "resources", r, &err) < 0) {
		log_error("update: %s", err ? err : "invalid resources");
		return -1;
	}
	return 0;
}

struct value_opt {
	const char *name, *short_name;
	size_t off;          /* into struct spec_resources, an int64/uint64 */
	bool bytes, unsigned_;
};

static const struct value_opt value_opts[] = {
	{ "memory", "m", offsetof(struct spec_resources, memory_limit), true, false },
	{ "memory-swap", NULL, offsetof(struct spec_resources, memory_swap), true, false },
	{ "pids-limit", NULL, offsetof(struct spec_resources, pids_limit), false, false },
	{ "cpu-share", NULL, offsetof(struct spec_resources, cpu_shares), false, true },
	{ "cpu-quota", NULL, offsetof(struct spec_resources, cpu_quota), false, false },
	{ "cpu-period", NULL, offsetof(struct spec_resources, cpu_period), false, true },
};

/* The index of the value option at argv[*i] (ARRAY_SIZE if none). */
static size_t match_value_opt(int argc, char **argv, int *i, const char **v, int *r)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(value_opts); k++)
		if ((*r = opt_match(argc, argv, i, value_opts[k].name, value_opts[k].short_name, v)))
			break;
	return k;
}

int cmd_update(struct global_opts *g, int argc, char **argv)
{
	struct spec_resources res = { .memory_limit = -1, .memory_swap = -1, .cpu_quota = -1,
				      .pids_limit = -1 };
	struct cgroup cg = { 0 };
	struct container *c;
	const char *file = NULL, *v;
	bool change = false;
	int i, r, ret = 1;

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		int64_t x = 0;
		size_t k;

		if ((r = opt_match(argc, argv, &i, "resources", "r", &file))) {
			if (r < 0)
				goto out;
		} else if ((k = match_value_opt(argc, argv, &i, &v, &r)) < ARRAY_SIZE(value_opts)) {
			const struct value_opt *o = &value_opts[k];

			if (r < 0)
				goto out;
			if ((o->bytes ? parse_bytes(v, &x) : parse_num(v, &x)) < 0) {
				log_error("update: invalid value for --%s: %s", o->name, v);
				goto out;
			}
			*(int64_t *)((char *)&res + o->off) = o->unsigned_ ? MAX(x, 0) : x;
		} else {
			for (k = 0; k < ARRAY_SIZE(unsupported_opts); k++) {
				r = opt_match(argc, argv, &i, unsupported_opts[k], NULL, &v);
				if (r < 0)
					goto out;
				if (r > 0) {
					log_error("update: --%s is not supported", unsupported_opts[k]);
					goto out;
				}
			}
			log_error("update: unknown option %s", argv[i]);
			goto out;
		}
		change = true;
	}
	if (verb_nargs("update", argc, i, 1, 1, "[--resources FILE|-] [OPTIONS] ID") < 0)
		goto out;
	/* The file first; flags override its fields, as runc's. */
	if (file) {
		struct spec_resources f;

		if (read_resources(file, &f) < 0)
			goto out;
		if (res.memory_limit == -1)
			res.memory_limit = f.memory_limit;
		if (res.memory_swap == -1)
			res.memory_swap = f.memory_swap;
		if (res.pids_limit == -1)
			res.pids_limit = f.pids_limit;
		if (!res.cpu_shares)
			res.cpu_shares = f.cpu_shares;
		if (res.cpu_quota == -1)
			res.cpu_quota = f.cpu_quota;
		if (!res.cpu_period)
			res.cpu_period = f.cpu_period;
		res.cpuset_cpus = f.cpuset_cpus;
	}
	c = verb_open(g, argv[i], LOCK_EX);
	if (!c)
		goto out;
	if (container_status(c) == ST_STOPPED) {
		log_error("container not running");
	} else if (!change) {
		ret = 0;
	} else if ((r = cgroup_load(c, &cg)) < 0) {
		log_error("update: container %s has no cgroup (create it with linux.cgroupsPath or "
			  "linux.resources to set limits)", c->id);
	} else if (cgroup_apply(&cg, &res) == 0) {
		ret = 0;
	}
	cgroup_free(&cg);
	container_free(c);
out:
	free(res.cpuset_cpus);
	return ret;
}
