/* The layout of /proc/self/status as procps parses it: every line is
 * "Name:\tvalue" (procps's status2proc stops at the first line whose colon
 * is not followed by a tab, so ps aux showed VSZ and RSS 0), the memory
 * lines are "VmRSS:\t%8lu kB", and the Groups list ends with a space. */
#include "conformance.h"
#include <ctype.h>
#include <fcntl.h>

static char buf[16384];

/* The value of name's line (after "name:"), or NULL. */
static const char *line_of(const char *name)
{
	size_t n = strlen(name);

	for (const char *l = buf; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		if (!strncmp(l, name, n) && l[n] == ':')
			return l + n + 1;
	}
	return NULL;
}

static size_t line_len(const char *v)
{
	const char *e = strchr(v, '\n');

	return e ? (size_t)(e - v) : strlen(v);
}

/* "\t" then the number right-aligned in 8 columns, then " kB". */
static bool kb_line(const char *v)
{
	size_t len = line_len(v);

	if (len < 12 || v[0] != '\t' || strncmp(v + len - 3, " kB", 3))
		return false;
	for (size_t i = 1; i < len - 3; i++) {
		if (!isdigit((unsigned char)v[i]) && !(v[i] == ' ' && !isdigit((unsigned char)v[i - 1])))
			return false;
	}
	return len - 4 >= 8 && isdigit((unsigned char)v[len - 4]);
}

int main(void)
{
	static const char *const kb[] = { "VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM",
					  "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmData",
					  "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap" };
	static const char *const plain[] = { "Name", "Umask", "State", "Tgid", "Pid", "PPid",
					     "Uid", "Gid", "FDSize", "Groups", "Threads",
					     "SigQ", "SigPnd", "SigBlk", "CapEff" };
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = 0, r;

	CHECK_OK("open", fd);
	while (fd >= 0 && (r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	buf[n] = '\0';
	close(fd);

	int bad = 0;
	for (const char *l = buf; *l; l = strchr(l, '\n') + 1) {
		const char *colon = strchr(l, ':');
		if (!strchr(l, '\n') || !colon || colon > strchr(l, '\n') || colon[1] != '\t') {
			if (!bad++)
				FAIL("colon_tab", "line '%.*s'", (int)line_len(l), l);
		}
		if (!strchr(l, '\n'))
			break;
	}
	if (!bad)
		PASS("colon_tab");
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		const char *v = line_of(plain[i]);
		char name[64];
		snprintf(name, sizeof(name), "present.%s", plain[i]);
		CHECK(name, v && v[0] == '\t');
	}
	for (size_t i = 0; i < sizeof(kb) / sizeof(kb[0]); i++) {
		const char *v = line_of(kb[i]);
		char name[64];
		snprintf(name, sizeof(name), "kb.%s", kb[i]);
		if (v && kb_line(v))
			PASS(name);
		else
			FAIL(name, "'%.*s'", v ? (int)line_len(v) : 0, v ? v : "");
	}
	const char *g = line_of("Groups");
	CHECK("groups_trailing_space", g && line_len(g) >= 2 && g[line_len(g) - 1] == ' ');
	const char *rss = line_of("VmRSS");
	CHECK("vmrss_nonzero", rss && strtoull(rss + 1, NULL, 10) > 0);
	return conf_done();
}
