/* `sandboxrun update [--resources FILE|-] [--memory N ...] ID`: resource
 * limits are the cgroups' business, which sandboxrun does not manage yet:
 * any change is refused with a clear error rather than pretended. */
#include <string.h>
#include <sys/file.h>

#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/verb.h"

static const char *const value_opts[] = {
	"resources", "blkio-weight", "cpu-period", "cpu-quota", "cpu-share", "cpu-rt-period",
	"cpu-rt-runtime", "cpuset-cpus", "cpuset-mems", "kernel-memory", "kernel-memory-tcp",
	"memory", "memory-reservation", "memory-swap", "pids-limit", "l3-cache-schema",
	"mem-bw-schema",
};

int cmd_update(struct global_opts *g, int argc, char **argv)
{
	struct container *c;
	bool change = false;
	int i, r, ret = 1;

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		const char *v;
		size_t k;

		for (k = 0; k < ARRAY_SIZE(value_opts); k++) {
			r = opt_match(argc, argv, &i, value_opts[k], !strcmp(value_opts[k], "resources") ? "r" : NULL, &v);
			if (r < 0)
				return 1;
			if (r > 0)
				break;
		}
		if (k == ARRAY_SIZE(value_opts)) {
			log_error("update: unknown option %s", argv[i]);
			return 1;
		}
		change = true;
	}
	if (verb_nargs("update", argc, i, 1, 1, "[--resources FILE|-] [OPTIONS] ID") < 0)
		return 1;
	c = verb_open(g, argv[i], LOCK_EX);
	if (!c)
		return 1;
	if (container_status(c) == ST_STOPPED) {
		log_error("container not running");
	} else if (change) {
		log_error("update: changing resource limits is not supported yet "
			  "(sandboxrun does not manage cgroups yet)");
	} else {
		ret = 0;
	}
	container_free(c);
	return ret;
}
