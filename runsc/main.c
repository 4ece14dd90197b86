/* sandboxrun's entry point: runc-style global options, then the verb. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "platform/platform.h"
#include "runsc/cmd.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/util.h"


static void usage(FILE *f)
{
	fputs("usage: sandboxrun [global options] <command> [command options] [arguments]\n"
	      "\n"
	      "An OCI runtime that runs containers in a userspace kernel sandbox.\n"
	      "\n"
	      "Commands:\n"
	      "  spec [--bundle DIR] [--rootless]   write a default config.json\n"
	      "  create [--bundle DIR] [--pid-file F] [--preserve-fds N] ID\n"
	      "                                     create a container (init waits for start)\n"
	      "  start ID                           run the created container's init\n"
	      "  run [-d] [--bundle DIR] [--pid-file F] ID\n"
	      "                                     create and start; wait unless -d\n"
	      "  state ID                           the container's state as JSON\n"
	      "  list [--format table|json] [-q]    the containers under --root\n"
	      "  ps [--format table|json] ID        the container's processes\n"
	      "  exec [-d] [--pid-file F] [--cwd D] [--env K=V] [--user U[:G]] [-p FILE] ID [CMD...]\n"
	      "                                     run a new process in the container\n"
	      "  kill [--all] ID [SIGNAL]           signal init (default SIGTERM) or every process\n"
	      "  delete [--force] ID                remove a stopped (or, forced, any) container\n"
	      "  pause ID | resume ID               freeze or thaw every process of the container\n"
	      "  events [--stats] [--interval D] ID resource usage as JSON lines\n"
	      "  update [--resources FILE] ID       change the cgroup's resource limits\n"
	      "  wait ID                            wait for the container to stop; print its status\n"
	      "  features                           the OCI features this runtime supports\n"
	      "  install [--runtime NAME] [--config FILE]  add the Docker runtime entry (daemon.json)\n"
	      "  uninstall [--runtime NAME] [--config FILE]  remove it\n"
	      "\n"
	      "Global options:\n"
	      "  --root DIR             state directory (default /run/sandboxrun)\n"
	      "  --log FILE             log file (default: errors to stderr only)\n"
	      "  --log-format text|json format of the log file (default text)\n"
	      "  --debug                also write debug messages to the log\n"
	      "  --debug-log FILE       write everything, with --strace output, to FILE\n"
	      "  --strace               trace the sandboxed application's syscalls\n"
	      "  --platform NAME        ptrace (default) or kvm\n"
	      "  --systemd-cgroup       accepted; cgroups are not managed yet\n"
	      "  --rootless true|false|auto  accepted\n"
	      "  --overlay memory|none  root filesystem changes go to sentry memory\n"
	      "                         (default) or through the gofer to the bundle\n"
	      "  --version, -v          print the version\n"
	      "  --help, -h             show this help\n", f);
}

static void version(void)
{
	printf("sandboxrun version %s\ncommit: %s\nspec: %s\n",
	       SANDBOXRUN_VERSION, SANDBOXRUN_COMMIT, OCI_SPEC_VERSION);
}

/* A closed stdio fd would let a later open() or socketpair() land on 0-2
 * and be mistaken for the workload's stdio. */
static void ensure_stdio(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(1);
	}
}

static const char *default_root(void)
{
	static char buf[4096];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	/* As runc: unprivileged users keep state in their runtime dir. */
	if (geteuid() != 0 && xdg && *xdg) {
		snprintf(buf, sizeof(buf), "%s/sandboxrun", xdg);
		return buf;
	}
	return "/run/sandboxrun";
}

static int open_log(const char *path, const char *flag)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		fprintf(stderr, "sandboxrun: %s %s: %s\n", flag, path, strerror(errno));
	return fd;
}

static int check_platform(const struct global_opts *g)
{
	const struct platform_ops *ops = platform_lookup(g->platform);
	int r;

	if (!ops) {
		log_error("unknown platform \"%s\" (use ptrace or kvm)", g->platform);
		return -EINVAL;
	}
	/* A failing probe logs its own reason (platform/platform.h), e.g.
	 * "platform kvm is not implemented yet". */
	r = ops->probe();
	if (r < 0)
		log_debug("platform %s probe: %s", g->platform, strerror(-r));
	return r;
}

int main(int argc, char **argv)
{
	struct global_opts g = { .root = NULL, .platform = "ptrace", .overlay = "memory" };
	struct log_config lc = { .log_fd = -1, .debug_fd = -1, .stderr_errors = true,
				 .component = "runsc" };
	const char *format = "text", *verb;
	int i, r;

	ensure_stdio();
	log_setup(&lc);

	/* The internal verbs are started by us with their own argv; log sinks
	 * arrive through the environment. */
	if (argc > 1 && !strcmp(argv[1], "gofer")) {
		log_setup_from_env("gofer");
		return gofer_main(argc - 1, argv + 1);
	}
	if (argc > 1 && !strcmp(argv[1], "boot")) {
		log_setup_from_env("sentry");
		return sentry_main(argc - 1, argv + 1);
	}

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		const char *v;

		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if ((r = opt_match(argc, argv, &i, "root", NULL, &g.root)) ||
		    (r = opt_match(argc, argv, &i, "log", NULL, &g.log)) ||
		    (r = opt_match(argc, argv, &i, "debug-log", NULL, &g.debug_log)) ||
		    (r = opt_match(argc, argv, &i, "platform", NULL, &g.platform)) ||
		    (r = opt_match(argc, argv, &i, "overlay", NULL, &g.overlay))) {
			if (r < 0)
				return 1;
		} else if ((r = opt_match(argc, argv, &i, "log-format", NULL, &v))) {
			if (r < 0)
				return 1;
			format = v;
		} else if ((r = opt_match(argc, argv, &i, "debug", NULL, NULL))) {
			if (r < 0)
				return 1;
			g.debug = true;
		} else if ((r = opt_match(argc, argv, &i, "strace", NULL, NULL))) {
			if (r < 0)
				return 1;
			g.strace = true;
		} else if ((r = opt_match(argc, argv, &i, "systemd-cgroup", NULL, NULL))) {
			if (r < 0)
				return 1;
			g.systemd_cgroup = true;
		} else if ((r = opt_match(argc, argv, &i, "rootless", NULL, &g.rootless))) {
			if (r < 0)
				return 1;
		} else if (opt_match(argc, argv, &i, "version", "v", NULL) > 0) {
			version();
			return 0;
		} else if (opt_match(argc, argv, &i, "help", "h", NULL) > 0) {
			usage(stdout);
			return 0;
		} else {
			log_error("unknown global option %s", argv[i]);
			usage(stderr);
			return 1;
		}
	}

	if (!strcmp(format, "json")) {
		g.log_json = true;
	} else if (strcmp(format, "text")) {
		log_error("invalid log-format \"%s\" (use text or json)", format);
		return 1;
	}
	if (g.rootless && strcmp(g.rootless, "true") && strcmp(g.rootless, "false") &&
	    strcmp(g.rootless, "auto")) {
		log_error("invalid --rootless value \"%s\" (use true, false or auto)", g.rootless);
		return 1;
	}
	if (!g.root || !*g.root)
		g.root = default_root();
	/* runsc spells it --overlay2=root:memory|none. */
	if (strcmp(g.overlay, "memory") && strcmp(g.overlay, "none")) {
		log_error("invalid --overlay \"%s\" (use memory or none)", g.overlay);
		return 1;
	}

	if (g.log) {
		lc.log_fd = open_log(g.log, "--log");
		if (lc.log_fd < 0)
			return 1;
	}
	if (g.debug_log) {
		lc.debug_fd = open_log(g.debug_log, "--debug-log");
		if (lc.debug_fd < 0)
			return 1;
	}
	lc.log_json = g.log_json;
	lc.debug = g.debug;
	log_setup(&lc);

	if (i >= argc) {
		log_error("no command given");
		usage(stderr);
		return 1;
	}
	verb = argv[i];
	argc -= i;
	argv += i;

	static const struct {
		const char *name;
		int (*fn)(struct global_opts *, int, char **);
		bool needs_platform;  /* starts a sandbox */
	} verbs[] = {
		{ "spec", cmd_spec, false },       { "run", cmd_run, true },
		{ "create", cmd_create, true },    { "start", cmd_start, false },
		{ "state", cmd_state, false },     { "list", cmd_list, false },
		{ "ps", cmd_ps, false },           { "exec", cmd_exec, false },
		{ "kill", cmd_kill, false },       { "delete", cmd_delete, false },
		{ "events", cmd_events, false },   { "pause", cmd_pause, false },
		{ "resume", cmd_resume, false },   { "update", cmd_update, false },
		{ "wait", cmd_wait, false },       { "features", cmd_features, false },
		{ "install", cmd_install, false }, { "uninstall", cmd_uninstall, false },
	};
	for (size_t k = 0; k < ARRAY_SIZE(verbs); k++) {
		if (strcmp(verb, verbs[k].name))
			continue;
		if (verbs[k].needs_platform && check_platform(&g) < 0)
			return 1;
		return verbs[k].fn(&g, argc, argv);
	}
	if (!strcmp(verb, "help")) {
		usage(stdout);
		return 0;
	}
	log_error("unknown command \"%s\"", verb);
	usage(stderr);
	return 1;
}
