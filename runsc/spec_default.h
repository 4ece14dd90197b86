/* Private to runsc/: the generator behind spec_default_json() and
 * `sandboxrun spec --rootless`. */
#ifndef RUNSC_SPEC_DEFAULT_H
#define RUNSC_SPEC_DEFAULT_H

#include <stdbool.h>
#include <stdint.h>

/* The config.json `runc spec` writes, tab-indented like Go's
 * json.MarshalIndent. With rootless, runc's ToRootless() changes are
 * applied: user namespace mapping uid/gid to root, no network namespace,
 * /sys bind-mounted, no uid=/gid= mount options, no resources. Returns a
 * malloc'd string. */
char *spec_default_generate(bool rootless, uint32_t uid, uint32_t gid);

#endif
