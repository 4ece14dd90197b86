/* `sandboxrun pause ID` / `resume ID`: every task of the sandbox stops
 * (no task runs application code once pause returns) and continues. */
#include <string.h>
#include <sys/file.h>

#include "runsc/ctl_client.h"
#include "runsc/log.h"
#include "runsc/verb.h"

static int pause_resume(struct global_opts *g, int argc, char **argv, bool pause)
{
	const char *verb = pause ? "pause" : "resume";
	struct container *c;
	char *msg = NULL;
	int r, ret = 1;
	enum cstatus st;

	if (verb_nargs(verb, argc, 1, 1, 1, "ID") < 0)
		return 1;
	c = verb_open(g, argv[1], LOCK_EX);
	if (!c)
		return 1;
	st = container_status(c);
	if (pause && st != ST_RUNNING && st != ST_CREATED) {
		log_error("container not running"); /* runc says so for paused ones too */
		goto out;
	}
	if (!pause && st != ST_PAUSED) {
		log_error("container not paused");
		goto out;
	}
	r = ctl_call(c, pause ? CTL_PAUSE : CTL_RESUME, 0, 0, NULL, &msg);
	if (r == -ECONNREFUSED || r == -ENOENT || r == -ECONNRESET) {
		log_error("container not running");
		goto out;
	}
	if (r < 0) {
		log_error("%s: %s", verb, msg ? msg : strerror(-r));
		/* A pause that did not complete must not leave tasks parked. */
		if (pause)
			ctl_call(c, CTL_RESUME, 0, 0, NULL, NULL);
		goto out;
	}
	c->paused = pause;
	if (container_save(c) == 0)
		ret = 0;
out:
	free(msg);
	container_free(c);
	return ret;
}

int cmd_pause(struct global_opts *g, int argc, char **argv)
{
	return pause_resume(g, argc, argv, true);
}

int cmd_resume(struct global_opts *g, int argc, char **argv)
{
	return pause_resume(g, argc, argv, false);
}
