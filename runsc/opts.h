/* Private to runsc/: runc-style command-line options ("--name value",
 * "--name=value", "-n value"; a single leading dash works for long names
 * too, as urfave/cli allows). Parsing stops at the first non-option. */
#ifndef RUNSC_OPTS_H
#define RUNSC_OPTS_H

#include <stdbool.h>

/* Does argv[*i] name the option long_name (without dashes) or short_name
 * (one letter, may be NULL)? For an option with a value (val != NULL) the
 * value is taken from "=..." or the next argument, advancing *i; a missing
 * value is logged and returns -1. Returns 1 on a match, 0 otherwise. */
int opt_match(int argc, char **argv, int *i, const char *long_name,
	      const char *short_name, const char **val);

bool opt_is_option(const char *arg);

#endif
