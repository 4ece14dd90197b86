#include <string.h>

#include "runsc/log.h"
#include "runsc/opts.h"

bool opt_is_option(const char *arg)
{
	return arg[0] == '-' && arg[1] != '\0';
}

int opt_match(int argc, char **argv, int *i, const char *long_name,
	      const char *short_name, const char **val)
{
	const char *a = argv[*i], *name, *eq;
	size_t len;

	if (!opt_is_option(a))
		return 0;
	name = a + 1;
	if (*name == '-')
		name++;
	eq = strchr(name, '=');
	len = eq ? (size_t)(eq - name) : strlen(name);
	if (!((strlen(long_name) == len && !strncmp(name, long_name, len)) ||
	      (short_name && a[1] != '-' && strlen(short_name) == len &&
	       !strncmp(name, short_name, len))))
		return 0;
	if (!val) {
		if (eq) {
			log_error("option %s does not take a value", a);
			return -1;
		}
		return 1;
	}
	if (eq) {
		*val = eq + 1;
		return 1;
	}
	if (*i + 1 >= argc) {
		log_error("option %s needs a value", a);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}
