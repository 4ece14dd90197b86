/* config.json bind mounts: which mounts the gofer serves, in which order,
 * and how the CLI tells the gofer about them. Shared by the CLI
 * (runsc/cmd_run.c builds the gofer's --mount arguments) and the sentry
 * (goferfs attaches gofer mount N for the spec mount that is the N-th
 * bind), so both number the binds the same way. */
#ifndef GOFER_BINDS_H
#define GOFER_BINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spec;
struct spec_mount;

/* runc's rule: type "bind", or a "bind" or "rbind" option. */
bool spec_mount_is_bind(const struct spec_mount *m);
/* "rbind": the mounts below the source come along. */
bool spec_mount_is_rbind(const struct spec_mount *m);
/* The last of "ro"/"rw" wins; read-write by default. */
bool spec_mount_is_readonly(const struct spec_mount *m);

/* The gofer mount index (ATTACH) of spec->mounts[i]: 1 for the first bind
 * mount, 2 for the second...; 0 if mounts[i] is not a bind mount. */
uint32_t gofer_bind_index(const struct spec *s, size_t i);

/* The gofer's `--mount` value for bind mount m: "FLAGS:SOURCE" with FLAGS
 * from bind/rbind/ro/rw, SOURCE made absolute against bundle (relative
 * sources are relative to the bundle, as runc resolves them). malloc'd;
 * NULL if m has no source. */
char *gofer_bind_arg(const struct spec_mount *m, const char *bundle);

#endif
