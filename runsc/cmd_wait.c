/* `sandboxrun wait ID`: waits for the container to stop and prints, as
 * runsc does, {"id":ID,"exitStatus":N} (N is 128+sig for a signal). */
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "runsc/jsonw.h"
#include "runsc/log.h"
#include "runsc/sandbox.h"
#include "runsc/verb.h"

int cmd_wait(struct global_opts *g, int argc, char **argv)
{
	struct jsonw w = JSONW_INIT("");
	struct container *c;
	int ws;

	if (verb_nargs("wait", argc, 1, 1, 1, "ID") < 0)
		return 1;
	c = verb_open(g, argv[1], LOCK_SH);
	if (!c)
		return 1;
	/* Waiting must not keep others from acting on the container. */
	container_unlock(c);
	container_wait_exit(c, -1);
	/* The monitor writes the status before it exits; none means it was
	 * killed (delete --force): the sandbox died of SIGKILL. */
	if (container_wait_status(c, &ws) < 0)
		ws = W_EXITCODE(0, SIGKILL);
	jw_obj_open(&w);
	jw_key(&w, "id");
	jw_str(&w, c->id);
	jw_key(&w, "exitStatus");
	jw_int(&w, exit_code_of_status(ws));
	jw_obj_close(&w);
	jw_raw(&w, "\n");
	fwrite(w.buf, 1, w.len, stdout);
	jw_free(&w);
	container_free(c);
	return fflush(stdout) == 0 ? 0 : 1;
}
