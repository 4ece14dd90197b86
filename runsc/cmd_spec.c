/* `sandboxrun spec`: write the default config.json into a bundle. */
#include <fcntl.h>
#include <string.h>

#include "runsc/cmd.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/spec.h"
#include "runsc/spec_default.h"
#include "runsc/util.h"

int cmd_spec(struct global_opts *g, int argc, char **argv)
{
	_cleanup_free_ char *path = NULL, *generated = NULL;
	_cleanup_close_ int fd = -1;
	const char *bundle = ".", *json;
	bool rootless = false;
	int i, r;

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		if ((r = opt_match(argc, argv, &i, "bundle", "b", &bundle))) {
			if (r < 0)
				return 1;
		} else if ((r = opt_match(argc, argv, &i, "rootless", NULL, NULL))) {
			if (r < 0)
				return 1;
			rootless = true;
		} else {
			log_error("spec: unknown option %s", argv[i]);
			return 1;
		}
	}
	if (i < argc) {
		log_error("spec: unexpected argument \"%s\"", argv[i]);
		return 1;
	}

	if (rootless) {
		generated = spec_default_generate(true, geteuid(), getegid());
		json = generated;
	} else {
		json = spec_default_json();
	}
	if (!json) {
		log_error("spec: cannot generate the default configuration");
		return 1;
	}

	if (asprintf(&path, "%s/config.json", bundle) < 0) {
		path = NULL;
		return 1;
	}
	/* O_EXCL, not a stat() first: never overwrite a user's config. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == EEXIST)
			log_error("File config.json exists. Remove it first");
		else
			log_error("spec: create %s: %s", path, strerror(errno));
		return 1;
	}
	r = write_all(fd, json, strlen(json));
	if (r == 0 && close(steal_fd(&fd)) < 0)
		r = -errno;
	if (r < 0) {
		log_error("spec: write %s: %s", path, strerror(-r));
		unlink(path);
		return 1;
	}
	return 0;
}
