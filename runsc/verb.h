/* Helpers shared by the container verbs (runsc/cmd_*.c): argument counts,
 * opening a container with runc's error wording, signal names. */
#ifndef RUNSC_VERB_H
#define RUNSC_VERB_H

#include <stdbool.h>
#include <stdint.h>

#include "runsc/cmd.h"
#include "runsc/state.h"
#include "runsc/util.h"

/* Checks that argv[i..] holds between min and max (-1: any) arguments;
 * logs "NAME: usage: USAGE" otherwise. */
int verb_nargs(const char *name, int argc, int i, int min, int max, const char *usage);

/* Opens the container and takes its lock (LOCK_EX, LOCK_SH, or 0 for
 * none); logs `container "ID" does not exist` (runc: "container does not
 * exist", which clients look for) and returns NULL when there is none. */
struct container *verb_open(struct global_opts *g, const char *id, int lock_op);

/* A signal by number, or by name with or without "SIG" in any case (as
 * runc's parseSignal); -1 with an "unknown signal" error otherwise. */
int signal_parse(const char *s);

/* Go's time.ParseDuration for what people write ("5s", "1.5s", "300ms",
 * "1m30s", "2h", "0"); -EINVAL otherwise (negative values included). */
int parse_go_duration(const char *s, int64_t *ns);

/* The state JSON as `state` prints it (owner "" there), status overridden
 * unless NULL (hooks see "creating"). In runsc/cmd_state.c. */
struct jsonw;
void container_state_write(struct jsonw *w, const struct container *c, const char *owner,
			   const char *status);

#endif
