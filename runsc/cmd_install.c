/* `sandboxrun install [--runtime NAME] [--config FILE]` and `uninstall`:
 * add or remove the Docker runtime entry for this binary in
 * /etc/docker/daemon.json, as `runsc install` does:
 *
 *   "runtimes": { "runsc-c": { "path": "/realpath/of/sandboxrun" } }
 *
 * Idempotent (install replaces an entry of the same name, uninstall of a
 * missing one succeeds); every other key is kept, in its order, with its
 * value (numbers as written). The file is replaced atomically. dockerd
 * reads it on start or on SIGHUP. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_tree.h>

#include "runsc/cmd.h"
#include "runsc/jsonw.h"
#include "runsc/log.h"
#include "runsc/opts.h"
#include "runsc/state.h"
#include "runsc/util.h"

#define DEFAULT_DAEMON_JSON "/etc/docker/daemon.json"
#define DEFAULT_RUNTIME "runsc-c"

static void emit(struct jsonw *w, yajl_val v)
{
	size_t i;

	if (YAJL_IS_OBJECT(v)) {
		jw_obj_open(w);
		for (i = 0; i < v->u.object.len; i++) {
			jw_key(w, v->u.object.keys[i]);
			emit(w, v->u.object.values[i]);
		}
		jw_obj_close(w);
	} else if (YAJL_IS_ARRAY(v)) {
		jw_arr_open(w);
		for (i = 0; i < v->u.array.len; i++)
			emit(w, v->u.array.values[i]);
		jw_arr_close(w);
	} else if (YAJL_IS_STRING(v)) {
		jw_str(w, v->u.string);
	} else if (YAJL_IS_NUMBER(v)) {
		/* As written: no float round trip. The writer places it. */
		jw_raw_value(w, v->u.number.r);
	} else if (YAJL_IS_TRUE(v)) {
		jw_bool(w, true);
	} else if (YAJL_IS_FALSE(v)) {
		jw_bool(w, false);
	} else {
		jw_null(w);
	}
}

static void emit_entry(struct jsonw *w, const char *name, const char *path)
{
	jw_key(w, name);
	jw_obj_open(w);
	jw_key(w, "path");
	jw_str(w, path);
	jw_obj_close(w);
}

/* The runtimes object without NAME, plus NAME -> path when path is set.
 * Returns the number of entries written. */
static size_t emit_runtimes(struct jsonw *w, yajl_val rt, const char *name, const char *path)
{
	size_t n = 0;

	jw_obj_open(w);
	for (size_t i = 0; rt && i < rt->u.object.len; i++) {
		if (!strcmp(rt->u.object.keys[i], name))
			continue;
		jw_key(w, rt->u.object.keys[i]);
		emit(w, rt->u.object.values[i]);
		n++;
	}
	if (path) {
		emit_entry(w, name, path);
		n++;
	}
	jw_obj_close(w);
	return n;
}

static int rewrite(const char *file, const char *name, const char *path)
{
	_cleanup_free_ char *buf = NULL, *text = NULL;
	_cleanup_close_ int fd = -1;
	struct jsonw w = JSONW_INIT("    ");
	yajl_val doc = NULL, rt = NULL;
	char ebuf[512] = "";
	size_t len = 0;
	int mode = 0644, r, ret = 1;
	struct stat st;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT) {
		log_error("%s: %s", file, strerror(errno));
		return 1;
	}
	if (fd >= 0) {
		if (fstat(fd, &st) == 0)
			mode = st.st_mode & 07777;
		if ((r = read_all_fd(fd, &buf, &len)) < 0) {
			log_error("read %s: %s", file, strerror(-r));
			return 1;
		}
	}
	/* A missing or empty file is an empty configuration. */
	text = xstrdup(len && strspn(buf, " \t\r\n") < len ? buf : "{}");
	if (len && memchr(buf, '\0', len)) {
		log_error("%s: invalid JSON: NUL byte", file);
		return 1;
	}
	doc = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!doc || !YAJL_IS_OBJECT(doc)) {
		log_error("%s: %s", file, doc ? "not a JSON object" : "invalid JSON");
		goto out;
	}
	for (size_t i = 0; i < doc->u.object.len; i++)
		if (!strcmp(doc->u.object.keys[i], "runtimes"))
			rt = doc->u.object.values[i];
	if (rt && !YAJL_IS_OBJECT(rt)) {
		log_error("%s: \"runtimes\" is not an object", file);
		goto out;
	}
	if (!path && (!rt || !yajl_tree_get(rt, (const char *[]){ name, NULL }, yajl_t_any))) {
		log_info("%s: no runtime \"%s\": nothing to remove", file, name);
		ret = 0;
		goto out;
	}

	jw_obj_open(&w);
	for (size_t i = 0; i < doc->u.object.len; i++) {
		const char *k = doc->u.object.keys[i];

		if (!strcmp(k, "runtimes")) {
			/* uninstall drops a runtimes object it leaves empty. */
			bool others = false;
			for (size_t j = 0; j < rt->u.object.len; j++)
				others |= strcmp(rt->u.object.keys[j], name) != 0;
			if (!path && !others)
				continue;
			jw_key(&w, k);
			emit_runtimes(&w, rt, name, path);
			continue;
		}
		jw_key(&w, k);
		emit(&w, doc->u.object.values[i]);
	}
	if (!rt && path) {
		jw_key(&w, "runtimes");
		emit_runtimes(&w, NULL, name, path);
	}
	jw_obj_close(&w);
	jw_raw(&w, "\n");
	if ((r = write_file_atomic(file, w.buf, w.len, mode)) < 0) {
		log_error("write %s: %s", file, strerror(-r));
		goto out;
	}
	ret = 0;
out:
	jw_free(&w);
	if (doc)
		yajl_tree_free(doc);
	return ret;
}

static int parse(const char *verb, int argc, char **argv, const char **file, const char **name)
{
	int i, r;

	*file = DEFAULT_DAEMON_JSON;
	*name = DEFAULT_RUNTIME;
	for (i = 1; i < argc; i++) {
		if ((r = opt_match(argc, argv, &i, "runtime", NULL, name)) ||
		    (r = opt_match(argc, argv, &i, "config", NULL, file))) {
			if (r < 0)
				return -1;
		} else {
			log_error("%s: unexpected argument %s (usage: sandboxrun %s [--runtime NAME] "
				  "[--config FILE])", verb, argv[i], verb);
			return -1;
		}
	}
	if (!**name) {
		log_error("%s: --runtime needs a name", verb);
		return -1;
	}
	return 0;
}

int cmd_install(struct global_opts *g, int argc, char **argv)
{
	_cleanup_free_ char *self = NULL;
	const char *file, *name;

	if (parse("install", argc, argv, &file, &name) < 0)
		return 1;
	self = realpath("/proc/self/exe", NULL);
	if (!self) {
		log_error("install: cannot resolve our own path: %s", strerror(errno));
		return 1;
	}
	if (rewrite(file, name, self))
		return 1;
	printf("runtime \"%s\" (%s) added to %s; reload dockerd (SIGHUP or restart) to use it\n",
	       name, self, file);
	return 0;
}

int cmd_uninstall(struct global_opts *g, int argc, char **argv)
{
	const char *file, *name;

	if (parse("uninstall", argc, argv, &file, &name) < 0)
		return 1;
	return rewrite(file, name, NULL);
}
