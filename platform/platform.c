#include <string.h>

#include "platform/platform.h"

const struct platform_ops *platform_lookup(const char *name)
{
	if (!strcmp(name, "ptrace"))
		return &platform_ptrace_ops;
	if (!strcmp(name, "kvm"))
		return &platform_kvm_ops;
	return NULL;
}
