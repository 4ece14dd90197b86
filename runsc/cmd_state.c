/* `sandboxrun state ID` and `sandboxrun list`: what runc prints, byte for
 * byte (json.MarshalIndent for state; a tabwriter table, or
 * json.Encoder output, for list). */
#include <dirent.h>
#include <pwd.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "runsc/jsonw.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/verb.h"

/* runc's containerState, field for field. */
void container_state_write(struct jsonw *w, const struct container *c, const char *owner,
			   const char *status)
{
	enum cstatus st = container_status(c);
	char created[64];
	size_t i;

	format_rfc3339nano(c->created_ns, created, sizeof(created));
	jw_obj_open(w);
	jw_key(w, "ociVersion");
	jw_str(w, c->oci_version);
	jw_key(w, "id");
	jw_str(w, c->id);
	jw_key(w, "pid");
	jw_int(w, st == ST_STOPPED ? 0 : c->pid);
	jw_key(w, "status");
	jw_str(w, status ? status : cstatus_name(st));
	jw_key(w, "bundle");
	jw_str(w, c->bundle);
	jw_key(w, "rootfs");
	jw_str(w, c->rootfs);
	jw_key(w, "created");
	jw_str(w, created);
	if (c->n_annotations) {
		jw_key(w, "annotations");
		jw_obj_open(w);
		/* Go sorts map keys. */
		const struct spec_kv **v = xmalloc(c->n_annotations * sizeof(*v));
		for (i = 0; i < c->n_annotations; i++)
			v[i] = &c->annotations[i];
		for (i = 1; i < c->n_annotations; i++)
			for (size_t j = i; j > 0 && strcmp(v[j - 1]->key, v[j]->key) > 0; j--) {
				const struct spec_kv *t = v[j];
				v[j] = v[j - 1];
				v[j - 1] = t;
			}
		for (i = 0; i < c->n_annotations; i++) {
			jw_key(w, v[i]->key);
			jw_str(w, v[i]->value);
		}
		free(v);
		jw_obj_close(w);
	}
	jw_key(w, "owner");
	jw_str(w, owner);
	jw_obj_close(w);
}

int cmd_state(struct global_opts *g, int argc, char **argv)
{
	struct jsonw w = JSONW_INIT("  ");
	struct container *c;

	if (verb_nargs("state", argc, 1, 1, 1, "ID") < 0)
		return 1;
	c = verb_open(g, argv[1], LOCK_SH);
	if (!c)
		return 1;
	/* runc's state leaves owner empty; list fills it in. */
	container_state_write(&w, c, "", NULL);
	fwrite(w.buf, 1, w.len, stdout);
	jw_free(&w);
	container_free(c);
	return fflush(stdout) == 0 ? 0 : 1;
}

struct row {
	struct container *c;
	char owner[64];
};

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->c->id, ((const struct row *)b)->c->id);
}

/* Go's text/tabwriter with minwidth 12, tabwidth 1, padding 3, padchar ' '
 * (runc's list): every column but the last is as wide as its widest cell
 * plus 3, and at least 12. */
static void print_table(char ***cells, size_t nrows, size_t ncols)
{
	size_t width[8] = { 0 }, r, k;

	for (k = 0; k + 1 < ncols; k++) {
		width[k] = 12;
		for (r = 0; r < nrows; r++)
			width[k] = MAX(width[k], strlen(cells[r][k]) + 3);
	}
	for (r = 0; r < nrows; r++) {
		for (k = 0; k + 1 < ncols; k++)
			printf("%-*s", (int)width[k], cells[r][k]);
		printf("%s\n", cells[r][ncols - 1]);
	}
}

int cmd_list(struct global_opts *g, int argc, char **argv)
{
	const char *format = "table";
	bool quiet = false;
	struct row *rows = NULL;
	size_t n = 0, i;
	DIR *d;
	int a, r;

	for (a = 1; a < argc && opt_is_option(argv[a]); a++) {
		if ((r = opt_match(argc, argv, &a, "format", "f", &format))) {
			if (r < 0)
				return 1;
		} else if ((r = opt_match(argc, argv, &a, "quiet", "q", NULL))) {
			if (r < 0)
				return 1;
			quiet = true;
		} else {
			log_error("list: unknown option %s", argv[a]);
			return 1;
		}
	}
	if (verb_nargs("list", argc, a, 0, 0, "[--format table|json] [--quiet]") < 0)
		return 1;
	if (strcmp(format, "table") && strcmp(format, "json")) {
		log_error("invalid format option");
		return 1;
	}
	d = opendir(g->root);
	if (!d && errno != ENOENT) {
		log_error("open %s: %s", g->root, strerror(errno));
		return 1;
	}
	for (struct dirent *e; d && (e = readdir(d));) {
		struct container *c;
		struct passwd *pw;
		struct stat st;

		if (!container_id_valid(e->d_name) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		/* Unlocked: state.json is replaced atomically, and a container
		 * being created (no state.json yet) is not listed. */
		if (container_open(g->root, e->d_name, 0, false, &c) < 0)
			continue;
		rows = xrealloc(rows, (n + 1) * sizeof(*rows));
		rows[n].c = c;
		pw = getpwuid(st.st_uid);
		if (pw)
			snprintf(rows[n].owner, sizeof(rows[n].owner), "%s", pw->pw_name);
		else
			snprintf(rows[n].owner, sizeof(rows[n].owner), "#%u", (unsigned)st.st_uid);
		n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(rows, n, sizeof(*rows), row_cmp);

	if (quiet) {
		for (i = 0; i < n; i++)
			printf("%s\n", rows[i].c->id);
	} else if (!strcmp(format, "json")) {
		struct jsonw w = JSONW_INIT("");

		if (!n) {
			jw_null(&w);
		} else {
			jw_arr_open(&w);
			for (i = 0; i < n; i++)
				container_state_write(&w, rows[i].c, rows[i].owner, NULL);
			jw_arr_close(&w);
		}
		jw_raw(&w, "\n");
		fwrite(w.buf, 1, w.len, stdout);
		jw_free(&w);
	} else {
		char ***cells = xzalloc((n + 1) * sizeof(*cells));
		static char *header[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };

		cells[0] = header;
		for (i = 0; i < n; i++) {
			struct container *c = rows[i].c;
			enum cstatus st = container_status(c);
			char **row = xzalloc(6 * sizeof(*row));

			row[0] = xstrdup(c->id);
			if (asprintf(&row[1], "%d", st == ST_STOPPED ? 0 : (int)c->pid) < 0)
				row[1] = xstrdup("0");
			row[2] = xstrdup(cstatus_name(st));
			row[3] = xstrdup(c->bundle);
			row[4] = xmalloc(64);
			format_rfc3339nano(c->created_ns, row[4], 64);
			row[5] = xstrdup(rows[i].owner);
			cells[i + 1] = row;
		}
		print_table(cells, n + 1, 6);
		for (i = 1; i <= n; i++) {
			for (int k = 0; k < 6; k++)
				free(cells[i][k]);
			free(cells[i]);
		}
		free(cells);
	}
	for (i = 0; i < n; i++)
		container_free(rows[i].c);
	free(rows);
	return fflush(stdout) == 0 ? 0 : 1;
}
