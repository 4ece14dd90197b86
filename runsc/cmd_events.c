/* `sandboxrun events [--stats] [--interval D] ID`: the sentry's accounting
 * (memory and pids from the container's host cgroup when it has one)
 * as runc's stats events, one JSON object a line. --stats prints one and
 * exits; otherwise one every interval (Go duration, default 5s) until the
 * container stops. */
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>

#include "runsc/cgroup.h"
#include "runsc/ctl_client.h"
#include "runsc/jsonw.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/verb.h"

/* runc's types.Stats (runc 1.1, without PSI), with what the sentry
 * counts: CPU time of every process, application memory, tasks. */
static void print_stats(const char *id, const struct ctl_stats *s, const struct cgroup_stats *cs)
{
	struct jsonw w = JSONW_INIT("");
	uint64_t total = s->cpu_user_ns + s->cpu_system_ns;
	static const char *const cpuset_fields[] = {
		"cpu_exclusive", "mem_hardwall", "mem_exclusive", "memory_migrate",
		"memory_spread_page", "memory_spread_slab", "memory_pressure",
		"sched_load_balance", "sched_relax_domain_level",
	};
	static const char *const mem_entries[] = { "swap", "kernel", "kernelTCP" };

	jw_obj_open(&w);
	jw_key(&w, "type");
	jw_str(&w, "stats");
	jw_key(&w, "id");
	jw_str(&w, id);
	jw_key(&w, "data");
	jw_obj_open(&w);

	jw_key(&w, "cpu");
	jw_obj_open(&w);
	jw_key(&w, "usage");
	jw_obj_open(&w);
	if (total) {
		jw_key(&w, "total");
		jw_uint(&w, total);
	}
	jw_key(&w, "kernel");
	jw_uint(&w, s->cpu_system_ns);
	jw_key(&w, "user");
	jw_uint(&w, s->cpu_user_ns);
	jw_obj_close(&w);
	jw_key(&w, "throttling");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_obj_close(&w);

	jw_key(&w, "cpuset");
	jw_obj_open(&w);
	for (size_t i = 0; i < ARRAY_SIZE(cpuset_fields); i++) {
		jw_key(&w, cpuset_fields[i]);
		jw_uint(&w, 0);
	}
	jw_obj_close(&w);

	jw_key(&w, "memory");
	jw_obj_open(&w);
	jw_key(&w, "usage");
	jw_obj_open(&w);
	/* With a cgroup, the host's accounting of the whole sandbox (sentry,
	 * gofer, stubs, the memory file); without, the application memory
	 * and no limit (cgroup v2's "max"). */
	if (cs) {
		jw_key(&w, "usage");
		jw_uint(&w, cs->mem_usage);
		if (cs->mem_max_usage) {
			jw_key(&w, "max_usage");
			jw_uint(&w, cs->mem_max_usage);
		}
	}
	jw_key(&w, "limit");
	jw_uint(&w, cs && cs->mem_limit ? cs->mem_limit : UINT64_MAX);
	if (!cs && s->mem_usage) {
		jw_key(&w, "usage");
		jw_uint(&w, s->mem_usage);
	}
	jw_key(&w, "failcnt");
	jw_uint(&w, cs ? cs->mem_failcnt : 0);
	jw_obj_close(&w);
	for (size_t i = 0; i < ARRAY_SIZE(mem_entries); i++) {
		jw_key(&w, mem_entries[i]);
		jw_obj_open(&w);
		jw_key(&w, "limit");
		jw_uint(&w, 0);
		jw_key(&w, "failcnt");
		jw_uint(&w, 0);
		jw_obj_close(&w);
	}
	jw_obj_close(&w);

	jw_key(&w, "pids");
	jw_obj_open(&w);
	if (cs) {
		/* Host processes: the limit pids.max enforces. */
		if (cs->pids_current) {
			jw_key(&w, "current");
			jw_uint(&w, cs->pids_current);
		}
		if (cs->pids_limit) {
			jw_key(&w, "limit");
			jw_uint(&w, cs->pids_limit);
		}
	} else if (s->nr_tasks) {
		jw_key(&w, "current");
		jw_uint(&w, s->nr_tasks);
	}
	jw_obj_close(&w);
	jw_key(&w, "blkio");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_key(&w, "hugetlb");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_key(&w, "intel_rdt");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_key(&w, "network_interfaces");
	jw_null(&w);

	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_raw(&w, "\n");
	fwrite(w.buf, 1, w.len, stdout);
	fflush(stdout);
	jw_free(&w);
}

static int get_stats(const struct container *c, struct ctl_stats *s)
{
	_cleanup_close_ int fd = ctl_connect(c);
	struct ctl_msg m;
	char *payload = NULL;
	int r;

	if (fd < 0)
		return fd;
	r = ctl_send(fd, CTL_STATS, 0, 0, NULL, 0, NULL, 0);
	if (r == 0)
		r = ctl_recv(fd, &m, &payload, CTL_TIMEOUT_MS);
	if (r == 0 && (m.op != CTL_STATS || m.status < 0 || m.len != sizeof(*s)))
		r = m.status < 0 ? m.status : -EPROTO;
	if (r == 0)
		memcpy(s, payload, sizeof(*s));
	free(payload);
	return r;
}

/* The container's cgroup numbers, if it has one. */
static const struct cgroup_stats *cg_stats(const struct cgroup *cg, struct cgroup_stats *cs)
{
	if (!cg->n)
		return NULL;
	cgroup_read_stats(cg, cs);
	return cs;
}

int cmd_events(struct global_opts *g, int argc, char **argv)
{
	struct cgroup cg = { 0 };
	struct cgroup_stats cs;
	const char *interval = "5s";
	struct container *c;
	struct ctl_stats s;
	bool once = false;
	int64_t ns;
	int i, r, ret = 1, pidfd = -1;

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		if ((r = opt_match(argc, argv, &i, "interval", NULL, &interval))) {
			if (r < 0)
				return 1;
		} else if ((r = opt_match(argc, argv, &i, "stats", NULL, NULL))) {
			if (r < 0)
				return 1;
			once = true;
		} else {
			log_error("events: unknown option %s", argv[i]);
			return 1;
		}
	}
	if (verb_nargs("events", argc, i, 1, 1, "[--stats] [--interval DURATION] ID") < 0)
		return 1;
	if (parse_go_duration(interval, &ns) < 0) {
		log_error("invalid value \"%s\" for flag -interval: parse error", interval);
		return 1;
	}
	if (ns <= 0) {
		log_error("duration interval must be greater than 0");
		return 1;
	}
	c = verb_open(g, argv[i], LOCK_SH);
	if (!c)
		return 1;
	cgroup_load(c, &cg);
	container_unlock(c);
	if (container_status(c) == ST_STOPPED) {
		log_error("container with id %s is not running", c->id);
		goto out;
	}
	if (once) {
		r = get_stats(c, &s);
		if (r < 0) {
			log_error("container with id %s is not running", c->id);
			goto out;
		}
		print_stats(c->id, &s, cg_stats(&cg, &cs));
		ret = 0;
		goto out;
	}
	/* Between ticks, the monitor's pidfd tells us the container stopped. */
	pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	for (;;) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int64_t ms = ns / 1000000;

		if (poll(&p, pidfd >= 0 ? 1 : 0, (int)MIN(ms > 0 ? ms : 1, (int64_t)INT32_MAX)) > 0)
			break;
		if (get_stats(c, &s) < 0)
			break;
		print_stats(c->id, &s, cg_stats(&cg, &cs));
	}
	ret = 0;
out:
	if (pidfd >= 0)
		close(pidfd);
	cgroup_free(&cg);
	container_free(c);
	return ret;
}
