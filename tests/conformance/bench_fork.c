/* Not a test: measures fork + _exit + wait of a process that has touched
 * a given amount of private memory, for `make bench`. Arguments: MiB to
 * touch (default 64), milliseconds to run for (default 1000). Prints
 * "fork: N us/fork (M forks, K MiB touched)". The child writes one page,
 * so a copy-on-write fork copies that page and not the rest. */
#include "conformance.h"

#include <sys/mman.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 64;
	long budget_ms = argc > 2 ? atol(argv[2]) : 1000;
	if (mib <= 0)
		mib = 64;
	if (budget_ms <= 0)
		budget_ms = 1000;
	size_t len = (size_t)mib << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (char)i;

	int64_t budget = budget_ms * 1000000LL;
	long forks = 0;
	int64_t start = conf_mono_ns(), now = start;
	while (now - start < budget) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			p[0] = 1;
			_exit(0);
		}
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
			fprintf(stderr, "wait failed\n");
			return 1;
		}
		forks++;
		now = conf_mono_ns();
	}
	printf("fork: %.1f us/fork (%ld forks, %ld MiB touched)\n",
	       (double)(now - start) / 1000.0 / (double)forks, forks, mib);
	return 0;
}
