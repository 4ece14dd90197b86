/* Not a test: measures the cost of a trivial syscall (getpid) for
 * `make bench`. Runs for about the given number of milliseconds (default
 * 500) and prints "getpid: N ns/call (M calls)". */
#include "conformance.h"

int main(int argc, char **argv)
{
	long budget_ms = argc > 1 ? atol(argv[1]) : 500;
	if (budget_ms <= 0)
		budget_ms = 500;
	int64_t budget = budget_ms * 1000000LL;

	/* Warm up (page faults, first-call paths). */
	for (int i = 0; i < 100; i++)
		syscall(SYS_getpid);

	long calls = 0, batch = 100;
	int64_t start = conf_mono_ns(), now = start;
	while (now - start < budget) {
		for (long i = 0; i < batch; i++)
			syscall(SYS_getpid);
		calls += batch;
		now = conf_mono_ns();
		/* Keep clock reads rare relative to the calls measured. */
		if (batch < 100000 && now - start < budget / 20)
			batch *= 2;
	}
	double ns = (double)(now - start) / (double)calls;
	printf("getpid: %.1f ns/call (%ld calls)\n", ns, calls);
	return 0;
}
