/* RLIMIT_FSIZE: a write that crosses the limit is cut short, one at the
 * limit fails with EFBIG and raises SIGXFSZ (which kills by default). */
#include "conformance.h"

#include <fcntl.h>
#include <sys/resource.h>

int main(void)
{
	char dir[] = "/tmp/fsize.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[64];
	snprintf(path, sizeof(path), "%s/f", dir);

	pid_t child = fork();
	if (child == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl = { 100, RLIM_INFINITY };
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(10);
		int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
		char buf[150];
		memset(buf, 'x', sizeof(buf));
		if (write(fd, buf, sizeof(buf)) != 100)
			_exit(11);
		errno = 0;
		if (write(fd, buf, 1) != -1 || errno != EFBIG)
			_exit(12);
		/* Below the limit, writes are untouched. */
		if (pwrite(fd, buf, 10, 0) != 10)
			_exit(13);
		_exit(0);
	}
	CHECK_EXIT("fsize.short_then_efbig", conf_wait(child), 0);

	child = fork();
	if (child == 0) {
		struct rlimit rl = { 10, RLIM_INFINITY };
		setrlimit(RLIMIT_FSIZE, &rl);
		int fd = open(path, O_WRONLY | O_APPEND);
		char buf[20] = { 0 };
		ssize_t r = write(fd, buf, sizeof(buf)); /* the file is 100 bytes: past the limit */
		(void)r;
		_exit(20);
	}
	CHECK_KILLED("fsize.sigxfsz_default_kills", conf_wait(child), SIGXFSZ);

	unlink(path);
	rmdir(dir);
	return conf_done();
}
