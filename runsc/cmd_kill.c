/* `sandboxrun kill [--all] ID [SIGNAL]`: a signal (default SIGTERM) to the
 * container's init, or with --all to every process in it, delivered inside
 * the sandbox as coming from outside its pid namespace (so init gets only
 * what it handles, plus SIGKILL, as runc's init would). */
#include <signal.h>
#include <string.h>
#include <sys/file.h>

#include "runsc/ctl_client.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/verb.h"

int cmd_kill(struct global_opts *g, int argc, char **argv)
{
	struct container *c;
	bool all = false;
	char *msg = NULL;
	int i, r, sig, ret = 1;
	enum cstatus st;

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		if ((r = opt_match(argc, argv, &i, "all", "a", NULL))) {
			if (r < 0)
				return 1;
			all = true;
		} else {
			log_error("kill: unknown option %s", argv[i]);
			return 1;
		}
	}
	if (verb_nargs("kill", argc, i, 1, 2, "[--all] ID [SIGNAL]") < 0)
		return 1;
	sig = signal_parse(i + 1 < argc ? argv[i + 1] : "SIGTERM");
	if (sig < 0)
		return 1;
	c = verb_open(g, argv[i], LOCK_EX);
	if (!c)
		return 1;
	st = container_status(c);
	if (st == ST_STOPPED) {
		/* runc: nothing left to signal is fine for --all. */
		if (all)
			ret = 0;
		else
			log_error("container not running");
		goto out;
	}
	r = ctl_call(c, CTL_KILL, sig, all ? CTL_F_ALL : 0, NULL, &msg);
	if (r == -ECONNREFUSED || r == -ENOENT || r == -ECONNRESET) {
		if (all)
			ret = 0;
		else
			log_error("container not running");
		goto out;
	}
	if (r == -ESRCH) {
		log_error("unable to signal init: no such process");
		goto out;
	}
	if (r < 0) {
		log_error("kill: %s", msg ? msg : strerror(-r));
		goto out;
	}
	/* The sentry thaws a paused sandbox for SIGKILL. */
	if (sig == SIGKILL && c->paused) {
		c->paused = false;
		container_save(c);
	}
	ret = 0;
out:
	free(msg);
	container_free(c);
	return ret;
}
