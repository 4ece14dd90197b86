#include <ctype.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "runsc/verb.h"

int verb_nargs(const char *name, int argc, int i, int min, int max, const char *usage)
{
	int n = argc - i;

	if (n >= min && (max < 0 || n <= max))
		return 0;
	log_error("%s: %s (usage: sandboxrun %s %s)", name,
		  n < min ? "missing arguments" : "too many arguments", name, usage);
	return -1;
}

struct container *verb_open(struct global_opts *g, const char *id, int lock_op)
{
	struct container *c = NULL;
	int r = container_open(g->root, id, lock_op, false, &c);

	if (r == -ENOENT)
		log_error("container \"%s\" does not exist", id);
	else if (r < 0)
		log_error("container \"%s\": %s", id, strerror(-r));
	return r < 0 ? NULL : c;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "BUS", SIGBUS }, { "CHLD", SIGCHLD },
	{ "CLD", SIGCHLD }, { "CONT", SIGCONT }, { "FPE", SIGFPE }, { "HUP", SIGHUP },
	{ "ILL", SIGILL }, { "INT", SIGINT }, { "IO", SIGIO }, { "IOT", SIGIOT },
	{ "KILL", SIGKILL }, { "PIPE", SIGPIPE }, { "POLL", SIGPOLL }, { "PROF", SIGPROF },
	{ "PWR", SIGPWR }, { "QUIT", SIGQUIT }, { "SEGV", SIGSEGV }, { "STKFLT", SIGSTKFLT },
	{ "STOP", SIGSTOP }, { "SYS", SIGSYS }, { "TERM", SIGTERM }, { "TRAP", SIGTRAP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "VTALRM", SIGVTALRM }, { "WINCH", SIGWINCH },
	{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
};

int signal_parse(const char *s)
{
	char up[32];
	const char *name;
	char *end;
	size_t i;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*s && !*end && !errno) {
		if (n < 0 || n > 64)
			goto bad;
		return (int)n;
	}
	if (strlen(s) >= sizeof(up))
		goto bad;
	for (i = 0; s[i]; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	up[i] = '\0';
	name = strncmp(up, "SIG", 3) ? up : up + 3;
	for (i = 0; i < ARRAY_SIZE(signals); i++)
		if (!strcmp(name, signals[i].name))
			return signals[i].sig;
bad:
	log_error("unknown signal \"%s\"", s);
	return -1;
}

int parse_go_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "µs", 1e3 }, { "ms", 1e6 },
		      { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
	double total = 0;
	const char *p = s;

	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	while (*p) {
		const char *end = p;
		double v = 0, scale = 1;
		size_t i, best = 0, best_len = 0;

		/* [0-9]*(.[0-9]*)?, with at least one digit: no signs, exponents
		 * or "inf", unlike strtod. */
		while (isdigit((unsigned char)*end))
			v = v * 10 + (*end++ - '0');
		if (*end == '.') {
			for (end++; isdigit((unsigned char)*end); end++) {
				scale /= 10;
				v += (*end - '0') * scale;
			}
		}
		if (end == p || (end == p + 1 && *p == '.'))
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(units); i++) {
			size_t l = strlen(units[i].unit);
			if (!strncmp(end, units[i].unit, l) && l > best_len) {
				best = i;
				best_len = l;
			}
		}
		if (!best_len)
			return -EINVAL;
		total += v * units[best].mult;
		p = end + best_len;
	}
	if (total > 9.2e18)
		return -EINVAL;
	*ns = (int64_t)(total + 0.5);
	return 0;
}
