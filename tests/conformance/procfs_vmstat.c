/* /proc/vmstat: "name value" lines with the counters procps's vmstat and
 * vmstat -s read (vmstat refuses to run without the file). */
#include "conformance.h"
#include <ctype.h>
#include <fcntl.h>

static char buf[65536];

/* Whether the file has the line "name DIGITS". */
static bool has(const char *name)
{
	size_t n = strlen(name);

	for (const char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, name, n) || l[n] != ' ')
			continue;
		const char *v = l + n + 1;
		if (!isdigit((unsigned char)*v))
			return false;
		while (isdigit((unsigned char)*v))
			v++;
		return *v == '\n';
	}
	return false;
}

int main(void)
{
	static const char *const names[] = { "nr_free_pages", "nr_anon_pages", "nr_active_anon",
					     "nr_inactive_anon", "nr_mapped", "nr_file_pages",
					     "nr_dirty", "nr_writeback", "pgpgin", "pgpgout",
					     "pswpin", "pswpout", "pgfault", "pgmajfault" };
	int fd = open("/proc/vmstat", O_RDONLY);
	ssize_t n = 0, r;

	CHECK_OK("open", fd);
	while (fd >= 0 && (r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	buf[n] = '\0';
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "line.%s", names[i]);
		CHECK(name, has(names[i]));
	}
	return conf_done();
}
