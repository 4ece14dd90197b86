/* The host cgroup of a sandbox (linux.cgroupsPath, linux.resources).
 *
 * Every host process of the sandbox (gofer, monitor, sentry, stubs) lives
 * in it: the gofer and the monitor move themselves in before they exec
 * (cgroup_join_fds), everything else is forked from them later. The host
 * enforces the limits: the memory of the sentry's memory file and of the
 * stubs, CPU, and the number of host processes (one stub per application
 * address space, so a fork bomb in the sandbox hits pids.max).
 *
 * Hosts: cgroup v2 (/sys/fs/cgroup is cgroup2: one directory, controllers
 * enabled in the parents' cgroup.subtree_control) or v1/hybrid (one
 * directory per controller: memory, cpu, pids under /sys/fs/cgroup/NAME;
 * a hybrid's controller-less cgroup2 at /sys/fs/cgroup/unified is not
 * used).
 *
 * The path: linux.cgroupsPath; absolute is from each hierarchy's root,
 * relative from the cgroup of the runtime itself (as runc's cgroupfs
 * driver); the systemd form (slice:prefix:name) is refused. Without one, a
 * config that sets limits gets /sandboxrun/ID, and one that sets none gets
 * no cgroup. The directories made are recorded in ROOT/ID/cgroup for
 * update, events and delete. */
#ifndef RUNSC_CGROUP_H
#define RUNSC_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "runsc/spec.h"
#include "runsc/state.h"

#define CGROUP_STATE_FILE "cgroup"
#define CGROUP_MAX_DIRS 4

struct cgroup {
	bool v2;
	size_t n;
	char *dirs[CGROUP_MAX_DIRS];     /* absolute; v2: one */
	const char *ctrl[CGROUP_MAX_DIRS]; /* v1: memory, cpu, pids */
};

struct cgroup_stats {
	uint64_t mem_usage, mem_limit, mem_failcnt, mem_max_usage;
	uint64_t pids_current, pids_limit;   /* limit 0: none */
};

/* Makes the cgroup for the container (nothing, with *cg->n == 0, when the
 * config asks for none), applies the resources and records it in the state
 * directory. Logs the error. */
int cgroup_create(const struct spec *s, const char *id, struct container *c, struct cgroup *cg);
/* Opens the cgroup.procs files for a child to write "0" to (moving itself
 * in) before exec: fds[] close-on-exec, *n set. */
int cgroup_procs_fds(const struct cgroup *cg, int *fds, size_t *n);
/* Reads ROOT/ID/cgroup: -ENOENT if the container has none. */
int cgroup_load(const struct container *c, struct cgroup *cg);
/* Applies resources (only the fields set). Logs the error. */
int cgroup_apply(const struct cgroup *cg, const struct spec_resources *r);
int cgroup_read_stats(const struct cgroup *cg, struct cgroup_stats *st);
/* Removes the directories (waiting briefly for exiting processes). */
void cgroup_remove(const struct cgroup *cg);
void cgroup_free(struct cgroup *cg);
/* delete: removes the container's recorded cgroup, if any. */
void cgroup_remove_container(const struct container *c);

#endif
