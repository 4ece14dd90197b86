/* Not a test: measures clock_gettime(CLOCK_MONOTONIC) through libc (the
 * vDSO when the process has one) for `make bench`. Runs for about the
 * given number of milliseconds (default 500) and prints
 * "clock_gettime: N ns/call (M calls)". */
#include "conformance.h"

int main(int argc, char **argv)
{
	long budget_ms = argc > 1 ? atol(argv[1]) : 500;
	if (budget_ms <= 0)
		budget_ms = 500;
	int64_t budget = budget_ms * 1000000LL;
	struct timespec ts;

	for (int i = 0; i < 100; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);

	long calls = 0, batch = 100;
	int64_t start = conf_mono_ns(), now = start;
	while (now - start < budget) {
		for (long i = 0; i < batch; i++)
			clock_gettime(CLOCK_MONOTONIC, &ts);
		calls += batch;
		now = conf_mono_ns();
		if (batch < 1000000 && now - start < budget / 20)
			batch *= 2;
	}
	/* The timing reads are clock_gettime calls too: count them in. */
	calls++;
	double ns = (double)(now - start) / (double)calls;
	printf("clock_gettime: %.1f ns/call (%ld calls)\n", ns, calls);
	return 0;
}
