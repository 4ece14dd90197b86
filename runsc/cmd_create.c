/* `sandboxrun create`: the sandbox is built and init loaded, held until
 * `start` (runsc/sandbox.h has the process layout). Returns once the
 * container is ready and recorded; the pid file names its monitor, the host
 * process that exits with init's wait status. With process.terminal the
 * host pty's master goes to --console-socket before create returns. */
#include <string.h>

#include "runsc/cmd.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/sandbox.h"
#include "runsc/verb.h"

int cmd_create(struct global_opts *g, int argc, char **argv)
{
	struct create_opts o = { .bundle = ".", .hold = true };
	struct sandbox sb;
	const char *v;
	int i, r, code;

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if ((r = opt_match(argc, argv, &i, "bundle", "b", &o.bundle)) ||
		    (r = opt_match(argc, argv, &i, "pid-file", NULL, &o.pid_file)) ||
		    (r = opt_match(argc, argv, &i, "console-socket", NULL, &o.console_socket)) ||
		    (r = parse_preserve_fds(argc, argv, &i, &o.preserve_fds)) ||
		    (r = opt_match(argc, argv, &i, "notify-socket", NULL, &v))) {
			if (r < 0)
				return 1;
		} else if ((r = opt_match(argc, argv, &i, "no-pivot", NULL, NULL)) ||
			   (r = opt_match(argc, argv, &i, "no-new-keyring", NULL, NULL))) {
			/* Meaningless here: the workload never sees the host's
			 * mounts or keyrings. */
			if (r < 0)
				return 1;
		} else {
			log_error("create: unknown option %s", argv[i]);
			return 1;
		}
	}
	if (verb_nargs("create", argc, i, 1, 1,
		       "[--bundle DIR] [--pid-file FILE] [--console-socket PATH] ID") < 0)
		return 1;
	o.id = argv[i];
	if (sandbox_create(g, &o, &sb, &code) < 0)
		return 1;
	sandbox_commit(&sb);
	console_finish(&sb.console);
	container_free(sb.c);
	return 0;
}
