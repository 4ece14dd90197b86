/* The KVM platform's place in the platform interface. The implementation
 * (application in guest ring 3, a few instructions of guest ring 0 that
 * exit to the sentry with iretq-based returns) is a later issue; until then
 * it refuses clearly rather than pretending. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "platform/platform.h"
#include "runsc/log.h"

static int kvm_probe(void)
{
	if (access("/dev/kvm", R_OK | W_OK) < 0)
		log_error("platform kvm: /dev/kvm is not available");
	else
		log_error("platform kvm is not implemented yet; use --platform ptrace");
	return -ENOSYS;
}

static int kvm_init(struct platform **out, const struct platform_config *cfg)
{
	return kvm_probe();
}

const struct platform_ops platform_kvm_ops = {
	.name = "kvm",
	.probe = kvm_probe,
	.init = kvm_init,
};
