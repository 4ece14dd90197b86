/* `sandboxrun ps [--format table|json] ID`: the sandbox's processes, as
 * the sentry sees them (they have no host pids of their own). json is
 * runc's array of pids; the table has `ps -ef`'s columns. */
#include <pwd.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "runsc/ctl_client.h"
#include "runsc/jsonw.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/verb.h"

static int fetch(const struct container *c, struct ctl_proc **out, size_t *n)
{
	_cleanup_close_ int fd = -1;
	int r;

	*out = NULL;
	*n = 0;
	fd = ctl_connect(c);
	if (fd < 0)
		return fd;
	r = ctl_send(fd, CTL_PS, 0, 0, NULL, 0, NULL, 0);
	for (;;) {
		struct ctl_msg m;
		char *payload;
		size_t k;

		if (r < 0 || (r = ctl_recv(fd, &m, &payload, CTL_TIMEOUT_MS)) < 0)
			break;
		k = m.len / sizeof(struct ctl_proc);
		if (m.op != CTL_PS || m.status < 0 || m.len % sizeof(struct ctl_proc)) {
			free(payload);
			r = m.status < 0 ? m.status : -EPROTO;
			break;
		}
		*out = xrealloc(*out, (*n + k + 1) * sizeof(**out));
		memcpy(*out + *n, payload, k * sizeof(**out));
		*n += k;
		free(payload);
		if (!(m.flags & CTL_F_MORE))
			return 0;
	}
	free(*out);
	*out = NULL;
	*n = 0;
	return r;
}

static int pid_cmp(const void *a, const void *b)
{
	return ((const struct ctl_proc *)a)->pid - ((const struct ctl_proc *)b)->pid;
}

/* ps's STIME: HH:MM today, MonDD this year, else the year. */
static void stime(int64_t real_ns, char *buf, size_t len)
{
	time_t t = (time_t)(real_ns / 1000000000), now = time(NULL);
	struct tm tm, tn;

	localtime_r(&t, &tm);
	localtime_r(&now, &tn);
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		strftime(buf, len, "%H:%M", &tm);
	else if (tm.tm_year == tn.tm_year)
		strftime(buf, len, "%b%d", &tm);
	else
		strftime(buf, len, "%Y", &tm);
}

static void print_table(struct ctl_proc *v, size_t n)
{
	int64_t now = now_real_ns();

	printf("UID        PID  PPID  C STIME TTY          TIME CMD\n");
	for (size_t i = 0; i < n; i++) {
		const struct ctl_proc *p = &v[i];
		struct passwd *pw = getpwuid(p->uid);
		char user[32], st[16], tm[32], cmd[CTL_CMD_LEN + 32];
		uint64_t secs = p->cpu_ns / 1000000000;
		int64_t elapsed = now - p->start_real_ns;
		int cpu = elapsed > 0 ? (int)((p->cpu_ns * 100) / (uint64_t)elapsed) : 0;

		if (pw && strlen(pw->pw_name) <= 8)
			snprintf(user, sizeof(user), "%s", pw->pw_name);
		else
			snprintf(user, sizeof(user), "%u", p->uid);
		stime(p->start_real_ns, st, sizeof(st));
		if (secs >= 86400)
			snprintf(tm, sizeof(tm), "%u-%02u:%02u:%02u", (unsigned)(secs / 86400),
				 (unsigned)(secs / 3600 % 24), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
		else
			snprintf(tm, sizeof(tm), "%02u:%02u:%02u", (unsigned)(secs / 3600),
				 (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
		if (p->state == 'Z')
			snprintf(cmd, sizeof(cmd), "[%s] <defunct>", p->comm);
		else if (p->cmd[0])
			snprintf(cmd, sizeof(cmd), "%s", p->cmd);
		else
			snprintf(cmd, sizeof(cmd), "[%s]", p->comm);
		printf("%-8s %5d %5d %2d %5s %-8s %8s %s\n", user, p->pid, p->ppid, MIN(cpu, 99), st, "?",
		       tm, cmd);
	}
}

int cmd_ps(struct global_opts *g, int argc, char **argv)
{
	const char *format = "table";
	struct container *c;
	struct ctl_proc *v;
	size_t n;
	int i, r, ret = 1;

	for (i = 1; i < argc && opt_is_option(argv[i]); i++) {
		if ((r = opt_match(argc, argv, &i, "format", "f", &format))) {
			if (r < 0)
				return 1;
		} else {
			log_error("ps: unknown option %s", argv[i]);
			return 1;
		}
	}
	if (verb_nargs("ps", argc, i, 1, -1, "[--format table|json] ID") < 0)
		return 1;
	if (strcmp(format, "table") && strcmp(format, "json")) {
		log_error("invalid format option");
		return 1;
	}
	if (argc - i > 1) {
		/* runc hands these to the host's ps; sandbox processes are not
		 * host processes. */
		log_error("ps: ps(1) options are not supported: the sandbox's processes are not host processes");
		return 1;
	}
	c = verb_open(g, argv[i], LOCK_SH);
	if (!c)
		return 1;
	if (container_status(c) == ST_STOPPED) {
		log_error("container not running");
		goto out;
	}
	r = fetch(c, &v, &n);
	if (r < 0) {
		if (r == -ECONNREFUSED || r == -ENOENT || r == -ECONNRESET)
			log_error("container not running");
		else
			log_error("ps: %s", strerror(-r));
		goto out;
	}
	qsort(v, n, sizeof(*v), pid_cmp);
	if (!strcmp(format, "json")) {
		struct jsonw w = JSONW_INIT("");

		jw_arr_open(&w);
		for (size_t k = 0; k < n; k++)
			jw_int(&w, v[k].pid);
		jw_arr_close(&w);
		jw_raw(&w, "\n");
		fwrite(w.buf, 1, w.len, stdout);
		jw_free(&w);
	} else {
		print_table(v, n);
	}
	free(v);
	ret = fflush(stdout) == 0 ? 0 : 1;
out:
	container_free(c);
	return ret;
}
