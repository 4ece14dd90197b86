/* `sandboxrun gofer --rootfs ABS --sock-fd N [--readonly]
 *                   [--mount FLAGS:SOURCE]...`:
 * the file server the sentry opens rootfs (and bind mount) files through.
 * Started by the CLI (re-exec of /proc/self/exe) with one end of a
 * SOCK_SEQPACKET socketpair. Each --mount is a config.json bind mount:
 * FLAGS is a comma-separated list of bind, rbind, ro, rw (possibly empty)
 * and SOURCE the absolute host path; the i-th --mount is ATTACH mount i. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gofer/protocol.h"
#include "gofer/sandbox.h"
#include "gofer/server.h"
#include "runsc/cmd.h"
#include "runsc/log.h"
#include "runsc/util.h"

struct gofer_args {
	const char *rootfs;
	int sock_fd;
	bool readonly;
	struct gofer_bind *binds;
	size_t nbinds;
};

/* "FLAGS:SOURCE" (the source may contain ':' itself). */
static int parse_mount(const char *val, struct gofer_bind *b)
{
	const char *colon = strchr(val, ':');
	const char *p;

	if (!colon || colon[1] != '/')
		return -EINVAL;
	*b = (struct gofer_bind){ .source = colon + 1 };
	for (p = val; p < colon;) {
		size_t n = strcspn(p, ",:");
		if (n == 2 && !strncmp(p, "ro", 2))
			b->readonly = true;
		else if (n == 2 && !strncmp(p, "rw", 2))
			b->readonly = false;
		else if (n == 5 && !strncmp(p, "rbind", 5))
			b->recursive = true;
		else if (!(n == 4 && !strncmp(p, "bind", 4)))
			return -EINVAL;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int parse_fd(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT32_MAX)
		return -1;
	return (int)v;
}

/* Accepts "--opt VALUE" and "--opt=VALUE", after leading words (program
 * name, verb) that are not options. */
static int parse_args(int argc, char **argv, struct gofer_args *a)
{
	int i = 0;

	*a = (struct gofer_args){ .sock_fd = -1 };
	while (i < argc && argv[i][0] != '-')
		i++;
	for (; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;
		const char *eq = strchr(arg, '=');
		size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);

		if (!strcmp(arg, "--readonly")) {
			a->readonly = true;
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		if (val && klen == 8 && !strncmp(arg, "--rootfs", klen)) {
			a->rootfs = val;
		} else if (val && klen == 9 && !strncmp(arg, "--sock-fd", klen)) {
			a->sock_fd = parse_fd(val);
		} else if (val && klen == 7 && !strncmp(arg, "--mount", klen)) {
			if (a->nbinds + 1 >= GOFER_MOUNTS_MAX) {
				log_error("too many bind mounts");
				return -EINVAL;
			}
			a->binds = xrealloc(a->binds, (a->nbinds + 1) * sizeof(*a->binds));
			if (parse_mount(val, &a->binds[a->nbinds]) < 0) {
				log_error("bad --mount %s (want FLAGS:ABSPATH, flags bind,rbind,ro,rw)", val);
				return -EINVAL;
			}
			a->nbinds++;
		} else {
			log_error("bad argument %s", arg);
			return -EINVAL;
		}
	}
	if (!a->rootfs || a->rootfs[0] != '/' || a->sock_fd < 0) {
		log_error("usage: gofer --rootfs ABSPATH --sock-fd N [--readonly] [--mount FLAGS:ABSPATH]...");
		return -EINVAL;
	}
	return 0;
}

static int check_socket(int fd)
{
	int type;
	socklen_t len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	return type == SOCK_SEQPACKET ? 0 : -EINVAL;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Nothing inherited but the socket and the log sinks may stay open: a
 * stray host fd would be a way out of the rootfs. stdin and stdout become
 * /dev/null so no later file takes their numbers (and a stray printf). */
static void close_inherited_fds(const int *keep, int nkeep)
{
	int sorted[8], n = 0;
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (int fd = 0; fd <= 1; fd++) {
		bool kept = false;
		for (int i = 0; i < nkeep; i++)
			kept |= keep[i] == fd;
		if (!kept && devnull >= 0 && devnull != fd)
			dup2(devnull, fd);
	}
	if (devnull > 2)
		close(devnull);

	for (int i = 0; i < nkeep && n < (int)ARRAY_SIZE(sorted); i++)
		if (keep[i] > 2)
			sorted[n++] = keep[i];
	qsort(sorted, (size_t)n, sizeof(int), cmp_int);
	unsigned int lo = 3;
	for (int i = 0; i <= n; i++) {
		unsigned int hi = i < n ? (unsigned int)sorted[i] : ~0u;
		if (hi > lo && close_range(lo, hi - 1, 0) < 0) {
			/* Pre-5.9 kernel: the slow way. */
			struct rlimit rl;
			unsigned int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1u << 20
						   ? (unsigned int)rl.rlim_cur : 1u << 20;
			for (unsigned int fd = lo; fd < hi && fd < max; fd++)
				close((int)fd);
		}
		if (i < n)
			lo = (unsigned int)sorted[i] + 1;
	}
}

/* Every fid of a non-directory holds two host fds: allow as many as the
 * hard limit lets us. */
static void raise_nofile_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int gofer_main(int argc, char **argv)
{
	struct gofer_args args;
	int write_fds[3], nwrite = 0;
	_cleanup_close_ int root_fd = -1;
	_cleanup_free_ struct gofer_mount *mounts = NULL;
	int ret;

	log_setup_from_env("gofer");
	if (parse_args(argc, argv, &args) < 0)
		return 2;
	ret = check_socket(args.sock_fd);
	if (ret < 0) {
		log_error("--sock-fd %d is not a SOCK_SEQPACKET socket", args.sock_fd);
		return 1;
	}

	const struct log_config *lc = log_get_config();
	write_fds[nwrite++] = STDERR_FILENO;
	if (lc && lc->log_fd >= 0 && lc->log_fd != STDERR_FILENO)
		write_fds[nwrite++] = lc->log_fd;
	if (lc && lc->debug_fd >= 0 && lc->debug_fd != STDERR_FILENO && lc->debug_fd != lc->log_fd)
		write_fds[nwrite++] = lc->debug_fd;
	int keep[4] = { args.sock_fd };
	memcpy(keep + 1, write_fds, (size_t)nwrite * sizeof(int));
	close_inherited_fds(keep, nwrite + 1);
	raise_nofile_limit();

	/* The sentry applied the workload's umask already: modes arrive
	 * exact, and the files it creates must get exactly them. */
	umask(0);
	mounts = xzalloc((args.nbinds + 1) * sizeof(*mounts));
	if (gofer_enter_rootfs(args.rootfs, args.readonly, args.binds, args.nbinds, mounts + 1) < 0)
		return 1;
	root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		log_error("opening the new root: %s", strerror(errno));
		return 1;
	}
	mounts[0] = (struct gofer_mount){ .fd = root_fd, .parent_fd = -1, .readonly = args.readonly };
	if (gofer_drop_privileges() < 0)
		return 1;
	if (gofer_seccomp_install(args.sock_fd, write_fds, nwrite) < 0)
		return 1;
	log_debug("serving %s%s and %zu bind mount(s)", args.rootfs,
		  args.readonly ? " (read-only)" : "", args.nbinds);

	/* gofer_drop_privileges() left no CAP_SYS_ADMIN for trusted.*. */
	ret = gofer_serve_mounts(args.sock_fd, mounts, args.nbinds + 1, GOFER_SERVE_NO_TRUSTED_XATTR);
	/* Under the filter, ordinary exit-time work (atexit handlers, stdio
	 * flushes to /dev/null, sanitizer leak checks) would make syscalls
	 * the allowlist refuses and get the gofer killed: leave directly
	 * (the raw syscall, as sanitizers intercept even _exit). */
	syscall(SYS_exit_group, ret < 0 ? 1 : 0);
	__builtin_unreachable();
}
