/* OCI hooks (config.json "hooks"), run by the CLI on the host.
 *
 *   prestart, createRuntime, createContainer   create (and run), once the
 *                     sandbox is ready and state.json written, before the
 *                     command returns: status "creating"
 *   startContainer    start (and run), before init is released: "created"
 *   poststart         after init is released: "running"
 *   poststop          delete (and the end of a foreground run): "stopped"
 *
 * Every hook runs in the runtime's namespaces: runc runs createContainer
 * and startContainer inside the container's, but a sandbox's container
 * namespaces exist only inside the sentry, where no host binary can run.
 * A hook gets the container's state JSON (as `state` prints it, with the
 * status above) on stdin, its own args and env (the runtime's environment
 * when it has none, as runc), and is killed after its timeout. */
#ifndef RUNSC_HOOKS_H
#define RUNSC_HOOKS_H

#include <stddef.h>

#include "runsc/spec.h"
#include "runsc/state.h"

/* Runs the hooks in order; stops at the first that fails (non-zero exit,
 * signal, timeout, cannot exec). Logs an error naming the hook (kind[i]
 * and path) with what it wrote to stdout/stderr, and returns -1; 0 when
 * all succeeded. */
int hooks_run(const char *kind, const struct spec_hook *hooks, size_t n,
	      const struct container *c, const char *status);
/* The same for hooks whose failure only warns (poststart, poststop):
 * every hook runs. */
void hooks_run_warn(const char *kind, const struct spec_hook *hooks, size_t n,
		    const struct container *c, const char *status);

/* The config.json saved at create in the state directory (the bundle
 * may have changed since); NULL, warned, if unreadable. */
struct spec *hooks_saved_spec(const struct container *c);
/* poststop from the config.json saved in the container's state directory
 * (delete, the end of a foreground run); warns only. */
void hooks_poststop(const struct container *c);

#endif
