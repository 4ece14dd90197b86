/* `sandboxrun boot`: the sentry process. Builds the kernel (memory file,
 * platform, gofer-backed VFS), confines itself, starts the container's
 * init from config.json and runs the event loop until init exits. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runsc/cmd.h"
#include "runsc/log.h"
#include "runsc/spec.h"
#include "runsc/util.h"
#include "sentry/boot.h"
#include "sentry/control.h"
#include "sentry/fdtable.h"
#include "sentry/fs/goferfs.h"
#include "sentry/fs/tty.h"
#include "sentry/gofer_client.h"
#include "sentry/kernel.h"
#include "sentry/memfile.h"
#include "sentry/signal.h"
#include "sentry/spawn.h"
#include "sentry/task_impl.h"
#include "sentry/vfs.h"
#include "syscalls/syscalls.h"

#define MEMFILE_RESERVE (64ULL << 30)
#define EXIT_NOT_FOUND 127
#define EXIT_CANNOT_EXEC 126
#define MAX_PRESERVED_FDS 1024

struct boot_args {
	int spec_fd, gofer_fd;
	const char *platform;
	bool strace;
	int control_fd;    /* listening control socket, -1 for none */
	int ready_fd;      /* one byte once the sandbox is ready, -1 for none */
	int commit_fd;     /* for the monitor (sentry/monitor.c) */
	int state_fd;
	int preserve_fds;  /* fds 3..3+N-1 go to init as they are */
	bool hold;         /* create: init waits for the control socket's START */
	int console_fd;    /* process.terminal: the host pty slave, -1 for none */
	bool overlay_none;  /* --overlay none: rootfs writes go through the gofer */
	bool netns_joined; /* the CLI put us in linux.namespaces' network path */
};

static int parse_args(int argc, char **argv, struct boot_args *b)
{
	static const struct option opts[] = {
		{ "spec-fd", required_argument, NULL, 's' }, { "gofer-fd", required_argument, NULL, 'g' },
		{ "platform", required_argument, NULL, 'p' }, { "strace", no_argument, NULL, 't' },
		{ "control-fd", required_argument, NULL, 'c' }, { "ready-fd", required_argument, NULL, 'r' },
		{ "commit-fd", required_argument, NULL, 'm' }, { "state-fd", required_argument, NULL, 'd' },
		{ "preserve-fds", required_argument, NULL, 'f' }, { "hold", no_argument, NULL, 'h' },
		{ "console-fd", required_argument, NULL, 'n' },
		{ "overlay", required_argument, NULL, 'o' },
		{ "netns-joined", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 },
	};
	*b = (struct boot_args){ .spec_fd = -1, .gofer_fd = -1, .platform = "ptrace",
				 .control_fd = -1, .ready_fd = -1, .commit_fd = -1, .state_fd = -1,
				 .console_fd = -1 };
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': b->spec_fd = atoi(optarg); break;
		case 'g': b->gofer_fd = atoi(optarg); break;
		case 'p': b->platform = optarg; break;
		case 't': b->strace = true; break;
		case 'c': b->control_fd = atoi(optarg); break;
		case 'r': b->ready_fd = atoi(optarg); break;
		case 'm': b->commit_fd = atoi(optarg); break;
		case 'd': b->state_fd = atoi(optarg); break;
		case 'f': b->preserve_fds = atoi(optarg); break;
		case 'h': b->hold = true; break;
		case 'n': b->console_fd = atoi(optarg); break;
		case 'o':
			if (strcmp(optarg, "none") && strcmp(optarg, "memory"))
				return -EINVAL;
			b->overlay_none = !strcmp(optarg, "none");
			break;
		case 'j': b->netns_joined = true; break;
		default: return -EINVAL;
		}
	}
	if (b->spec_fd < 0 || b->gofer_fd < 0 || b->preserve_fds < 0 ||
	    b->preserve_fds > MAX_PRESERVED_FDS)
		return -EINVAL;
	return 0;
}

/* Moves the preserved fds 3..3+n-1 out of the way (the CLI placed its own
 * fds above them) so that nothing the sentry opens later can be mistaken
 * for one: out[i] is the new number, -1 where the caller had none. */
static void stash_preserved_fds(int n, int *out)
{
	int lo = 3 + n;
	for (int i = 0; i < n; i++) {
		int fd = 3 + i;
		out[i] = -1;
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		out[i] = fcntl(fd, F_DUPFD_CLOEXEC, lo);
		close(fd);
	}
}

/* init's stdio: the console (process.terminal), else fds 0-2 as the CLI
 * passed them, a host terminal among them being init's controlling one.
 * Preserved fds follow either way. */
static int start_init(struct kernel *k, const struct spec *s, const int *fds, int nfds,
		      struct tty_console *console, struct task **out)
{
	struct spawn_args a = { .proc = &s->process, .fds = fds, .nfds = nfds,
				.console = console, .adopt_stdio_tty = !console };
	char *msg = NULL;
	int err = spawn_process(&a, out, &msg);
	if (err) {
		log_error("%s", msg);
		free(msg);
		return err;
	}
	k->init_tg = (*out)->tg;
	return 0;
}

static int pick_cpu(void)
{
	int cpu = sched_getcpu();
	if (cpu < 0)
		return -1;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -1;
	return cpu;
}

static int exit_code_of(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void signal_ready(struct boot_args *b)
{
	if (b->ready_fd < 0)
		return;
	(void)!write(b->ready_fd, "R", 1);
	close(b->ready_fd);
	b->ready_fd = -1;
}

int sentry_main(int argc, char **argv)
{
	log_setup_from_env("sentry");
	sentry_install_crash_handler();
	struct boot_args b;
	if (parse_args(argc, argv, &b) < 0) {
		log_error("boot: usage: boot --spec-fd N --gofer-fd N [--control-fd N] [--ready-fd N] "
			  "[--commit-fd N] [--state-fd N] [--preserve-fds N] [--hold] "
			  "[--console-fd N] [--platform NAME] [--strace] "
			  "[--overlay memory|none]");
		return 1;
	}
	int *stdio = xmalloc(sizeof(int) * (size_t)(3 + b.preserve_fds));
	stdio[0] = 0;
	stdio[1] = 1;
	stdio[2] = 2;
	stash_preserved_fds(b.preserve_fds, stdio + 3);

	struct monitor_args ma = { .commit_fd = b.commit_fd, .state_fd = b.state_fd,
				   .keep_netns = b.netns_joined };
	int status_fd = sentry_monitor_split(&ma);
	/* From here on: the sentry. */

	struct spec *s = NULL;
	char *err_msg = NULL;
	if (spec_load_fd(b.spec_fd, &s, &err_msg) < 0) {
		log_error("%s", err_msg ? err_msg : "config.json: invalid");
		free(err_msg);
		return 1;
	}
	close(b.spec_fd);

	sigset_t fwd, blocked;
	sandbox_forwarded_sigset(&fwd);
	blocked = fwd;
	sigaddset(&blocked, SIGCHLD);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	/* A workload writing to a closed host pipe gets EPIPE/SIGPIPE inside
	 * the sandbox; the sentry itself must only see EPIPE. */
	signal(SIGPIPE, SIG_IGN);

	static struct kernel k;
	static struct memfile mf;
	kernel = &k;
	kernel_init(&k);
	k.strace = b.strace;
	k.host_signalfd = signalfd(-1, &fwd, SFD_NONBLOCK | SFD_CLOEXEC);
	snprintf(k.hostname, sizeof(k.hostname), "%s", s->hostname ? s->hostname : "sandbox");
	snprintf(k.domainname, sizeof(k.domainname), "%s", s->domainname ? s->domainname : "(none)");

	int rc = 1, err;
	struct task *init = NULL;
	struct tty_console *console = NULL;
	k.pops = platform_lookup(b.platform);
	if (!k.pops || k.pops->probe() < 0) {
		log_error("platform %s is not available", b.platform);
		goto out;
	}
	if ((err = memfile_init(&mf, MEMFILE_RESERVE)) < 0) {
		log_error("memory file: %s", strerror(-err));
		goto out;
	}
	k.mf = &mf;
	k.spec = s;
	k.root_overlay_none = b.overlay_none;
	struct platform_config pc = { .memfd = mf.fd, .cpu = pick_cpu() };
	if ((err = k.pops->init(&k.platform, &pc)) < 0) {
		log_error("platform %s: %s", b.platform, strerror(-err));
		goto out;
	}
	if ((err = syscall_table_init()) < 0)
		goto out;
	if ((err = gofer_client_new(b.gofer_fd, &k.gofer)) < 0 || (err = vfs_init_root(&k)) < 0) {
		log_error("root filesystem: %s", strerror(-err));
		goto out;
	}
	/* config.json bind mounts. COORDINATION: this call goes away
	 * when vfs_init_root mounts all of config.json's mounts in order. */
	k.spec = s;
	if ((err = goferfs_mount_spec_binds(&k)) < 0)
		goto out;
	if ((err = sentry_pivot_to_empty_root()) < 0)
		log_warn("sentry: cannot pivot to an empty root: %s", strerror(-err));
	if ((err = sentry_drop_privileges()) < 0) {
		log_error("sentry: dropping privileges: %s", strerror(-err));
		goto out;
	}
	/* The consoles' watchers (exec -t makes more later) confine
	 * themselves with a filter built now, while libseccomp may still
	 * allocate and export. */
	if ((err = console_prepare()) < 0) {
		log_error("console: %s", strerror(-err));
		goto out;
	}
	if (b.console_fd >= 0 && (err = console_new(b.console_fd, &console)) < 0) {
		log_error("console: %s", strerror(-err));
		goto out;
	}
	if ((err = sentry_install_seccomp()) < 0) {
		log_error("sentry: seccomp: %s", strerror(-err));
		goto out;
	}
	err = start_init(&k, s, stdio, 3 + b.preserve_fds, console, &init);
	/* init has its own duplicates of the preserved fds. */
	for (int i = 3; i < 3 + b.preserve_fds; i++)
		if (stdio[i] >= 0)
			close(stdio[i]);
	if (err < 0) {
		rc = (err == -ENOENT || err == -ENOTDIR) ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
		goto out;
	}
	if (b.control_fd >= 0 && (err = control_init(&k, b.control_fd, init, b.hold)) < 0) {
		log_error("control socket: %s", strerror(-err));
		goto out;
	}
	if (!b.hold)
		kernel_make_runnable(init);
	signal_ready(&b);
	int status = kernel_run(&k);
	sentry_report_status(status_fd, status);
	rc = exit_code_of(status);
out:
	spec_free(s);
	free(stdio);
	/* Leave without exit-time code: under seccomp, atexit handlers and
	 * sanitizer leak checks (which read /proc) would kill the sentry and
	 * hide the workload's status. Unit tests check for leaks instead. */
	_exit(rc);
}
