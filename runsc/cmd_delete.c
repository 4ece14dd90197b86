/* `sandboxrun delete [--force] ID`: removes a stopped container and every
 * trace of it; a created one is killed first, a running or paused one only
 * with --force (runc's rules and wording). */
#include <string.h>
#include <sys/file.h>

#include "runsc/cgroup.h"
#include "runsc/hooks.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/verb.h"

#define KILL_TIMEOUT_MS 10000

static int kill_and_destroy(struct container *c)
{
	if (container_kill_all(c, KILL_TIMEOUT_MS) < 0) {
		log_error("container init still running");
		return 1;
	}
	cgroup_remove_container(c);
	hooks_poststop(c);
	container_destroy(c);
	return 0;
}

int cmd_delete(struct global_opts *g, int argc, char **argv)
{
	struct container *c = NULL;
	bool force = false;
	int i, r, ret = 1;
	const char *id;

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		if ((r = opt_match(argc, argv, &i, "force", "f", NULL))) {
			if (r < 0)
				return 1;
			force = true;
		} else {
			log_error("delete: unknown option %s", argv[i]);
			return 1;
		}
	}
	if (verb_nargs("delete", argc, i, 1, 1, "[--force] ID") < 0)
		return 1;
	id = argv[i];
	r = container_open(g->root, id, LOCK_EX, true, &c);
	if (r == -ENOENT) {
		/* As runc: containerd's shim force-deletes whatever may be
		 * left, and a warning for nothing left is noise. */
		if (force)
			return 0;
		log_error("container \"%s\" does not exist", id);
		return 1;
	}
	if (r < 0) {
		log_error("container \"%s\": %s", id, strerror(-r));
		return 1;
	}
	if (!c->loaded) {
		/* The remains of an aborted create: its monitor killed its
		 * sandbox when the creating command went away. As runc, clean
		 * up, and still report that there is no such container. */
		container_destroy(c);
		container_free(c);
		if (force)
			return 0;
		log_error("container \"%s\" does not exist", id);
		return 1;
	}
	if (force) {
		ret = kill_and_destroy(c);
		goto out;
	}
	switch (container_status(c)) {
	case ST_STOPPED:
	case ST_CREATED:
		/* A stopped container's gofer may still be on its way out. */
		ret = kill_and_destroy(c);
		break;
	default:
		log_error("cannot delete container %s that is not stopped: %s", id,
			  cstatus_name(container_status(c)));
	}
out:
	container_free(c);
	return ret;
}
