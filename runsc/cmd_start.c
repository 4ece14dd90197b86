/* `sandboxrun start ID`: init, loaded and held since create, runs. */
#include <string.h>
#include <sys/file.h>

#include "runsc/ctl_client.h"
#include "runsc/hooks.h"
#include "runsc/log.h"
#include "runsc/verb.h"

int cmd_start(struct global_opts *g, int argc, char **argv)
{
	struct container *c;
	struct spec *spec = NULL;
	char *msg = NULL;
	int r, ret = 1;

	if (verb_nargs("start", argc, 1, 1, 1, "ID") < 0)
		return 1;
	c = verb_open(g, argv[1], LOCK_EX);
	if (!c)
		return 1;
	switch (container_status(c)) {
	case ST_CREATED:
		break;
	case ST_STOPPED:
		log_error("cannot start a container that has stopped");
		goto out;
	case ST_RUNNING:
		log_error("cannot start an already running container");
		goto out;
	default:
		log_error("cannot start a container in the %s state", cstatus_name(container_status(c)));
		goto out;
	}
	/* Without its config no hook can run: refuse rather than skip them. */
	spec = hooks_saved_spec(c);
	if (!spec) {
		log_error("start: cannot read the container's saved config.json");
		goto out;
	}
	if (hooks_run("startContainer", spec->hooks.start_container,
		      spec->hooks.n_start_container, c, "created") < 0)
		goto out;
	r = ctl_call(c, CTL_START, 0, 0, NULL, &msg);
	if (r == -ECONNREFUSED || r == -ENOENT || r == -ECONNRESET || r == -ESRCH) {
		log_error("cannot start a container that has stopped");
		goto out;
	}
	if (r == -EALREADY) {
		log_error("cannot start an already running container");
	} else if (r < 0) {
		log_error("start: %s", msg ? msg : strerror(-r));
		goto out;
	}
	c->started = true;
	if (container_save(c) < 0)
		goto out;
	ret = r < 0;
	if (!ret)
		hooks_run_warn("poststart", spec->hooks.poststart, spec->hooks.n_poststart, c,
			       "running");
out:
	spec_free(spec);
	free(msg);
	container_free(c);
	return ret;
}
