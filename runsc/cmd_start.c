/* `sandboxrun start ID`: init, loaded and held since create, runs. */
#include <string.h>
#include <sys/file.h>

#include "runsc/ctl_client.h"
#include "runsc/log.h"
#include "runsc/verb.h"

int cmd_start(struct global_opts *g, int argc, char **argv)
{
	struct container *c;
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
out:
	free(msg);
	container_free(c);
	return ret;
}
