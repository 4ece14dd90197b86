/* Memory as the sandbox sees it, for sysinfo(2) and /proc/meminfo: all
 * application memory lives in the memory file, bounded by its reservation
 * and by the host's RAM. */
#include <sys/sysinfo.h>

#include "sentry/kernel.h"
#include "sentry/memfile.h"

/* Read when the binary starts: the sentry's seccomp policy does not allow
 * sysinfo(2) later. */
static uint64_t host_totalram;

__attribute__((constructor)) static void read_host_totalram(void)
{
	struct sysinfo si;

	if (sysinfo(&si) == 0)
		host_totalram = (uint64_t)si.totalram * si.mem_unit;
}

void kernel_mem_usage(uint64_t *total, uint64_t *used)
{
	uint64_t t = host_totalram, u = 0;

	if (kernel && kernel->mf) {
		if (kernel->mf->reserve && (!t || kernel->mf->reserve < t))
			t = kernel->mf->reserve;
		u = kernel->mf->allocated;
	}
	*total = t;
	*used = u < t ? u : t;
}
