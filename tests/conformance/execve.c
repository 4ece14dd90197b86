/* execve: argv/envp reach the new image, close-on-exec, errors, #! scripts.
 *
 * The program re-executes itself (argv[0], an absolute path natively and
 * in the sandbox) with a flag; the new image checks what it received and
 * reports through its exit status. The #! test uses data/shebang.sh, which
 * tests/conformance/run.sh installs next to the binaries. */
#include "conformance.h"
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>

#define KEEP_FD 40
#define CLOEXEC_FD 41

extern char **environ;

/* The exec'd image: returns a bitmask of what was wrong. */
static int child_checks(int argc, char **argv)
{
	int bad = 0;
	if (argc != 4 || strcmp(argv[2], "with space") != 0 || strcmp(argv[3], "") != 0)
		bad |= 1;
	const char *v = getenv("CONF_EXEC_VAR");
	if (!v || strcmp(v, "forty-two") != 0)
		bad |= 2;
	if (getenv("CONF_NOT_PASSED") != NULL)
		bad |= 4;
	if (fcntl(CLOEXEC_FD, F_GETFD) != -1 || errno != EBADF)
		bad |= 8;
	if (fcntl(KEEP_FD, F_GETFD) != 0)
		bad |= 16;
	char c;
	if (read(KEEP_FD, &c, 1) != 1 || c != 'k')
		bad |= 32;
	/* Handlers are reset to default, ignored stays ignored, the mask is
	 * inherited. */
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		bad |= 64;
	sigaction(SIGUSR2, NULL, &sa);
	if (sa.sa_handler != SIG_IGN)
		bad |= 128;
	return bad;
}

static void handler(int sig)
{
	(void)sig;
}

/* Runs argv[0] with the child flag after preparing fds and signals. */
static int run_child(const char *self)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[0], KEEP_FD);
		dup3(p[0], CLOEXEC_FD, O_CLOEXEC);
		if (write(p[1], "k", 1) != 1)
			_exit(200);
		signal(SIGUSR1, handler);
		signal(SIGUSR2, SIG_IGN);
		char *args[] = { (char *)self, "--exec-child", "with space", "", NULL };
		char *env[] = { "CONF_EXEC_VAR=forty-two", "PATH=/bin", "CONF_KEEP_SIGNALS=1", NULL };
		execve(self, args, env);
		_exit(201);
	}
	close(p[0]);
	close(p[1]);
	return conf_wait(pid);
}

/* Runs a command, capturing up to len-1 bytes of its stdout. */
static int capture(const char *path, char *const argv[], char *out, size_t len)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execve(path, argv, environ);
		_exit(127);
	}
	close(p[1]);
	ssize_t n = conf_read_all(p[0], out, len - 1);
	out[n < 0 ? 0 : n] = 0;
	close(p[0]);
	return conf_wait(pid);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--exec-child") == 0)
		return child_checks(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "--exit") == 0)
		return atoi(argv[2]);

	const char *self = argv[0];
	CHECK("argv0.absolute", self[0] == '/');
	setenv("CONF_NOT_PASSED", "1", 1);

	int st = run_child(self);
	CHECK("execve.child_exited", WIFEXITED(st));
	int bad = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	if (bad >= 200)
		bad = 255;
	CHECK("execve.argv_passed", !(bad & 1));
	CHECK("execve.envp_passed", !(bad & 2));
	CHECK("execve.env_replaced", !(bad & 4));
	CHECK("execve.cloexec_fd_closed", !(bad & 8));
	CHECK("execve.plain_fd_kept", !(bad & 16));
	CHECK("execve.plain_fd_usable", !(bad & 32));
	CHECK("execve.handler_reset_to_default", !(bad & 64));
	CHECK("execve.ignored_stays_ignored", !(bad & 128));

	/* Exit status of an exec'd image. */
	pid_t pid = fork();
	if (pid == 0) {
		char *args[] = { (char *)self, "--exit", "37", NULL };
		execv(self, args);
		_exit(99);
	}
	CHECK_EXIT("execve.exit_status_of_new_image", conf_wait(pid), 37);

	/* Errors: the calling image survives. */
	char *noargs[] = { "x", NULL };
	CHECK_ERR("execve.enoent", execve("/no/such/program", noargs, environ), ENOENT);
	CHECK_ERR("execve.enotdir", execve("/etc/passwd/x", noargs, environ), ENOTDIR);
	CHECK_ERR("execve.directory_eacces", execve("/etc", noargs, environ), EACCES);
	CHECK_ERR("execve.not_executable_eacces", execve("/etc/passwd", noargs, environ), EACCES);
	CHECK_ERR("execve.efault_path", syscall(SYS_execve, (char *)1, noargs, environ), EFAULT);

	/* A #! script runs through its interpreter with the script path. */
	char dir[PATH_MAX], script[PATH_MAX + 16], out[256];
	snprintf(dir, sizeof(dir), "%s", self);
	snprintf(script, sizeof(script), "%s/shebang.sh", dirname(dir));
	struct stat sst;
	CHECK_OK("shebang.script_present", stat(script, &sst));
	char *sargs[] = { script, "arg1", NULL };
	st = capture(script, sargs, out, sizeof(out));
	CHECK_EXIT("shebang.exit_status", st, 0);
	CHECK_STR("shebang.output", out, "shebang:1:arg1\n");

	/* /bin/sh -c, and exec through PATH lookup by the shell. */
	char *shargs[] = { "sh", "-c", "echo from-sh; exit 3", NULL };
	st = capture("/bin/sh", shargs, out, sizeof(out));
	CHECK_EXIT("sh_c.exit_status", st, 3);
	CHECK_STR("sh_c.output", out, "from-sh\n");

	/* execve replaces the image but keeps the pid. */
	int p[2];
	if (pipe(p) == 0) {
		pid = fork();
		if (pid == 0) {
			char buf[32];
			snprintf(buf, sizeof(buf), "echo $$ >&%d", p[1]);
			char *a[] = { "sh", "-c", buf, NULL };
			execve("/bin/sh", a, environ);
			_exit(127);
		}
		close(p[1]);
		char buf[32] = "";
		ssize_t n = conf_read_all(p[0], buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		close(p[0]);
		CHECK_EQ("execve.keeps_pid", atol(buf), pid);
		CHECK_EXIT("execve.keeps_pid_exit", conf_wait(pid), 0);
	}
	return conf_done();
}
