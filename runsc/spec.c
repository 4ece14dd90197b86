/* config.json → struct spec. yajl's tree API gives us the whole document;
 * we walk it with the field path in hand so every error can name the exact
 * field ("process.args: expected an array of strings"). Unknown fields are
 * ignored and JSON null counts as absent, as Go's encoding/json (runc) has
 * it. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <yajl/yajl_tree.h>

#include "runsc/spec.h"
#include "runsc/util.h"

#define PATH_LEN 512

struct parser {
	char *err;
	const char *name;  /* the document, for messages; "config.json" if NULL */
};

static int __attribute__((format(printf, 3, 4)))
perr(struct parser *p, const char *path, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	if (p->err)
		return -EINVAL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (asprintf(&p->err, "%s: %s%s%s", p->name ? p->name : "config.json", path ? path : "",
		     path && *path ? ": " : "", msg ? msg : "invalid") < 0)
		p->err = NULL;
	return -EINVAL;
}

/* Field paths only grow with the document's nesting, which we bound by
 * the fields we know; an absurd path is shown cut rather than failing. */
static void mark_cut(char *out, int n)
{
	if (n >= PATH_LEN)
		memcpy(out + PATH_LEN - 4, "...", 4);
}

static void join(char *out, const char *base, const char *key)
{
	mark_cut(out, snprintf(out, PATH_LEN, "%s%s%s", base, *base ? "." : "", key));
}

static void join_idx(char *out, const char *base, size_t i)
{
	mark_cut(out, snprintf(out, PATH_LEN, "%s[%zu]", base, i));
}

/* The value of key in obj; NULL when absent or null. Go keeps the last of
 * duplicate keys, and so do we. */
static yajl_val field(yajl_val obj, const char *key)
{
	yajl_val v = NULL;
	size_t i;

	for (i = 0; i < obj->u.object.len; i++)
		if (!strcmp(obj->u.object.keys[i], key))
			v = obj->u.object.values[i];
	if (v && v->type == yajl_t_null)
		return NULL;
	return v;
}

static int want_object(struct parser *p, yajl_val v, const char *path)
{
	if (!YAJL_IS_OBJECT(v))
		return perr(p, path, "expected an object");
	return 0;
}

static int want_array(struct parser *p, yajl_val v, const char *path)
{
	if (!YAJL_IS_ARRAY(v))
		return perr(p, path, "expected an array");
	return 0;
}

static int get_str(struct parser *p, yajl_val v, const char *path, char **out)
{
	if (!YAJL_IS_STRING(v))
		return perr(p, path, "expected a string");
	free(*out);
	*out = xstrdup(v->u.string);
	return 0;
}

static int get_bool(struct parser *p, yajl_val v, const char *path, bool *out)
{
	if (YAJL_IS_TRUE(v))
		*out = true;
	else if (YAJL_IS_FALSE(v))
		*out = false;
	else
		return perr(p, path, "expected a boolean");
	return 0;
}

/* Integers are parsed from yajl's text of the number: yajl's own long long
 * can't hold the uint64 values runtimes write (e.g. unlimited rlimits), and
 * "1.0"/"1e3" are rejected as Go would. */
static bool number_is_integral(yajl_val v)
{
	const char *s;

	if (!YAJL_IS_NUMBER(v))
		return false;
	s = v->u.number.r;
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int get_u64(struct parser *p, yajl_val v, const char *path, uint64_t max,
		   const char *what, uint64_t *out)
{
	unsigned long long x;
	char *end;

	if (!number_is_integral(v) || v->u.number.r[0] == '-')
		return perr(p, path, "expected %s", what);
	errno = 0;
	x = strtoull(v->u.number.r, &end, 10);
	if (errno || *end || x > max)
		return perr(p, path, "expected %s", what);
	*out = x;
	return 0;
}

static int get_u32(struct parser *p, yajl_val v, const char *path, uint32_t *out)
{
	uint64_t x;
	int r = get_u64(p, v, path, UINT32_MAX, "an unsigned 32-bit integer", &x);

	if (r == 0)
		*out = (uint32_t)x;
	return r;
}

static int get_i64(struct parser *p, yajl_val v, const char *path, int64_t *out)
{
	long long x;
	char *end;

	if (!number_is_integral(v))
		return perr(p, path, "expected a 64-bit integer");
	errno = 0;
	x = strtoll(v->u.number.r, &end, 10);
	if (errno || *end)
		return perr(p, path, "expected a 64-bit integer");
	*out = x;
	return 0;
}

/* A JSON array of strings as a NULL-terminated vector. */
static int get_strv(struct parser *p, yajl_val v, const char *path, char ***out, size_t *n_out)
{
	char **vec;
	size_t i, n;

	if (!YAJL_IS_ARRAY(v))
		return perr(p, path, "expected an array of strings");
	n = v->u.array.len;
	for (i = 0; i < n; i++)
		if (!YAJL_IS_STRING(v->u.array.values[i]))
			return perr(p, path, "expected an array of strings");
	vec = xzalloc((n + 1) * sizeof(*vec));
	for (i = 0; i < n; i++)
		vec[i] = xstrdup(v->u.array.values[i]->u.string);
	*out = vec;
	if (n_out)
		*n_out = n;
	return 0;
}

/* A JSON object whose values are all strings (sysctl, annotations). */
static int get_kv(struct parser *p, yajl_val v, const char *path, struct spec_kv **out, size_t *n_out)
{
	char sub[PATH_LEN];
	struct spec_kv *kv;
	size_t i, n;

	if (want_object(p, v, path))
		return -EINVAL;
	n = v->u.object.len;
	for (i = 0; i < n; i++) {
		if (!YAJL_IS_STRING(v->u.object.values[i])) {
			join(sub, path, v->u.object.keys[i]);
			return perr(p, sub, "expected a string");
		}
	}
	kv = xzalloc((n ? n : 1) * sizeof(*kv));
	for (i = 0; i < n; i++) {
		kv[i].key = xstrdup(v->u.object.keys[i]);
		kv[i].value = xstrdup(v->u.object.values[i]->u.string);
	}
	*out = kv;
	*n_out = n;
	return 0;
}

/* The member key of obj, with its path (base.key) in path; NULL when
 * absent or null. */
static yajl_val member(yajl_val obj, const char *base, const char *key, char path[PATH_LEN])
{
	yajl_val v = field(obj, key);

	if (v)
		join(path, base, key);
	return v;
}

/* Optional typed members: absent (or null) leaves *out untouched. */
static int opt_str(struct parser *p, yajl_val obj, const char *base, const char *key, char **out)
{
	char path[PATH_LEN];
	yajl_val v = member(obj, base, key, path);
	return v ? get_str(p, v, path, out) : 0;
}

static int req_str(struct parser *p, yajl_val obj, const char *base, const char *key, char **out)
{
	char path[PATH_LEN];
	yajl_val v = member(obj, base, key, path);

	if (!v) {
		join(path, base, key);
		return perr(p, path, "missing");
	}
	return get_str(p, v, path, out);
}

static int opt_bool(struct parser *p, yajl_val obj, const char *base, const char *key, bool *out)
{
	char path[PATH_LEN];
	yajl_val v = member(obj, base, key, path);
	return v ? get_bool(p, v, path, out) : 0;
}

static int opt_u32(struct parser *p, yajl_val obj, const char *base, const char *key, uint32_t *out)
{
	char path[PATH_LEN];
	yajl_val v = member(obj, base, key, path);
	return v ? get_u32(p, v, path, out) : 0;
}

static int opt_u64(struct parser *p, yajl_val obj, const char *base, const char *key, uint64_t *out)
{
	char path[PATH_LEN];
	yajl_val v = member(obj, base, key, path);
	return v ? get_u64(p, v, path, UINT64_MAX, "an unsigned 64-bit integer", out) : 0;
}

static int opt_i64(struct parser *p, yajl_val obj, const char *base, const char *key, int64_t *out)
{
	char path[PATH_LEN];
	yajl_val v = member(obj, base, key, path);
	return v ? get_i64(p, v, path, out) : 0;
}

static int opt_strv(struct parser *p, yajl_val obj, const char *base, const char *key,
		    char ***out, size_t *n_out)
{
	char path[PATH_LEN];
	yajl_val v = member(obj, base, key, path);
	return v ? get_strv(p, v, path, out, n_out) : 0;
}

/* Member that must be an object if present; *out NULL when absent. */
static int opt_obj(struct parser *p, yajl_val obj, const char *base, const char *key,
		   char *path, yajl_val *out)
{
	yajl_val v = field(obj, key);

	join(path, base, key);
	*out = v;
	if (!v)
		return 0;
	return want_object(p, v, path);
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

static int rlimit_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (!strcmp(rlimit_names[i].name, name))
			return rlimit_names[i].resource;
	return -1;
}

static int parse_rlimits(struct parser *p, yajl_val v, const char *path, struct spec_process *proc)
{
	char elem[PATH_LEN], sub[PATH_LEN];
	size_t i, j, n;

	if (want_array(p, v, path))
		return -EINVAL;
	n = v->u.array.len;
	proc->rlimits = xzalloc((n ? n : 1) * sizeof(*proc->rlimits));
	for (i = 0; i < n; i++) {
		yajl_val e = v->u.array.values[i];
		struct spec_rlimit *rl = &proc->rlimits[i];

		join_idx(elem, path, i);
		if (want_object(p, e, elem))
			return -EINVAL;
		proc->n_rlimits = i + 1;
		rl->resource = -1;
		if (req_str(p, e, elem, "type", &rl->type) ||
		    opt_u64(p, e, elem, "hard", &rl->hard) ||
		    opt_u64(p, e, elem, "soft", &rl->soft))
			return -EINVAL;
		rl->resource = rlimit_lookup(rl->type);
		join(sub, elem, "type");
		/* runtime-spec: duplicate types MUST fail. */
		for (j = 0; j < i; j++)
			if (!strcmp(proc->rlimits[j].type, rl->type))
				return perr(p, sub, "duplicate rlimit type \"%s\"", rl->type);
		if (rl->soft > rl->hard)
			return perr(p, elem, "soft limit %" PRIu64 " exceeds hard limit %" PRIu64,
				    rl->soft, rl->hard);
	}
	return 0;
}

static int parse_caps(struct parser *p, yajl_val caps, const char *path, struct spec_capabilities *c)
{
	return opt_strv(p, caps, path, "bounding", &c->bounding, NULL) ||
	       opt_strv(p, caps, path, "effective", &c->effective, NULL) ||
	       opt_strv(p, caps, path, "inheritable", &c->inheritable, NULL) ||
	       opt_strv(p, caps, path, "permitted", &c->permitted, NULL) ||
	       opt_strv(p, caps, path, "ambient", &c->ambient, NULL) ? -EINVAL : 0;
}

static int parse_user(struct parser *p, yajl_val user, const char *path, struct spec_user *u)
{
	char sub[PATH_LEN], elem[PATH_LEN];
	yajl_val v;
	size_t i;

	if (opt_u32(p, user, path, "uid", &u->uid) || opt_u32(p, user, path, "gid", &u->gid))
		return -EINVAL;
	if ((v = field(user, "umask"))) {
		join(sub, path, "umask");
		if (get_u32(p, v, sub, &u->umask))
			return -EINVAL;
		u->has_umask = true;
	}
	if ((v = field(user, "additionalGids"))) {
		join(sub, path, "additionalGids");
		if (want_array(p, v, sub))
			return -EINVAL;
		u->additional_gids = xzalloc((v->u.array.len ? v->u.array.len : 1) * sizeof(uint32_t));
		for (i = 0; i < v->u.array.len; i++) {
			join_idx(elem, sub, i);
			if (get_u32(p, v->u.array.values[i], elem, &u->additional_gids[i]))
				return -EINVAL;
			u->n_additional_gids = i + 1;
		}
	}
	return 0;
}

static int parse_process(struct parser *p, yajl_val proc, struct spec_process *sp)
{
	const char *base = "process";
	char path[PATH_LEN], sub[PATH_LEN];
	yajl_val v;
	size_t i;

	if (opt_bool(p, proc, base, "terminal", &sp->terminal))
		return -EINVAL;
	if (opt_obj(p, proc, base, "consoleSize", path, &v))
		return -EINVAL;
	if (v && (opt_u32(p, v, path, "height", &sp->console_height) ||
		  opt_u32(p, v, path, "width", &sp->console_width)))
		return -EINVAL;
	if (opt_obj(p, proc, base, "user", path, &v))
		return -EINVAL;
	if (v && parse_user(p, v, path, &sp->user))
		return -EINVAL;

	join(path, base, "args");
	v = field(proc, "args");
	if (!v)
		return perr(p, path, "missing");
	if (get_strv(p, v, path, &sp->args, &sp->n_args))
		return -EINVAL;
	if (sp->n_args == 0)
		return perr(p, path, "must not be empty");

	if (opt_strv(p, proc, base, "env", &sp->env, &sp->n_env))
		return -EINVAL;
	for (i = 0; i < sp->n_env; i++) {
		join(path, base, "env");
		join_idx(sub, path, i);
		/* runc refuses these too rather than guessing. */
		if (!strchr(sp->env[i], '='))
			return perr(p, sub, "invalid environment variable \"%s\": missing '='", sp->env[i]);
		if (sp->env[i][0] == '=')
			return perr(p, sub, "invalid environment variable \"%s\": empty name", sp->env[i]);
	}

	if (req_str(p, proc, base, "cwd", &sp->cwd))
		return -EINVAL;
	if (sp->cwd[0] != '/') {
		join(path, base, "cwd");
		return perr(p, path, "must be an absolute path, got \"%s\"", sp->cwd);
	}

	if (opt_obj(p, proc, base, "capabilities", path, &v))
		return -EINVAL;
	if (v) {
		sp->has_caps = true;
		if (parse_caps(p, v, path, &sp->caps))
			return -EINVAL;
	}
	if ((v = field(proc, "rlimits"))) {
		join(path, base, "rlimits");
		if (parse_rlimits(p, v, path, sp))
			return -EINVAL;
	}
	return opt_bool(p, proc, base, "noNewPrivileges", &sp->no_new_privileges);
}

static int parse_root(struct parser *p, yajl_val root, struct spec *s)
{
	if (req_str(p, root, "root", "path", &s->root_path))
		return -EINVAL;
	if (!*s->root_path)
		return perr(p, "root.path", "must not be empty");
	return opt_bool(p, root, "root", "readonly", &s->root_readonly);
}

static int parse_mounts(struct parser *p, yajl_val v, struct spec *s)
{
	char elem[PATH_LEN], path[PATH_LEN];
	size_t i, n;

	if (want_array(p, v, "mounts"))
		return -EINVAL;
	n = v->u.array.len;
	s->mounts = xzalloc((n ? n : 1) * sizeof(*s->mounts));
	for (i = 0; i < n; i++) {
		yajl_val e = v->u.array.values[i];
		struct spec_mount *m = &s->mounts[i];

		join_idx(elem, "mounts", i);
		if (want_object(p, e, elem))
			return -EINVAL;
		s->n_mounts = i + 1;
		if (req_str(p, e, elem, "destination", &m->destination))
			return -EINVAL;
		if (m->destination[0] != '/') {
			join(path, elem, "destination");
			return perr(p, path, "must be an absolute path, got \"%s\"", m->destination);
		}
		if (opt_str(p, e, elem, "type", &m->type) ||
		    opt_str(p, e, elem, "source", &m->source) ||
		    opt_strv(p, e, elem, "options", &m->options, &m->n_options))
			return -EINVAL;
	}
	return 0;
}

static const char *const namespace_types[] = {
	"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time",
};

static int parse_namespaces(struct parser *p, yajl_val v, const char *path, struct spec_linux *l)
{
	char elem[PATH_LEN], sub[PATH_LEN];
	size_t i, j, n;

	if (want_array(p, v, path))
		return -EINVAL;
	n = v->u.array.len;
	l->namespaces = xzalloc((n ? n : 1) * sizeof(*l->namespaces));
	for (i = 0; i < n; i++) {
		yajl_val e = v->u.array.values[i];
		struct spec_namespace *ns = &l->namespaces[i];
		bool known = false;

		join_idx(elem, path, i);
		if (want_object(p, e, elem))
			return -EINVAL;
		l->n_namespaces = i + 1;
		if (req_str(p, e, elem, "type", &ns->type) ||
		    opt_str(p, e, elem, "path", &ns->path))
			return -EINVAL;
		join(sub, elem, "type");
		for (j = 0; j < ARRAY_SIZE(namespace_types); j++)
			known |= !strcmp(ns->type, namespace_types[j]);
		if (!known)
			return perr(p, sub, "unknown namespace type \"%s\"", ns->type);
		for (j = 0; j < i; j++)
			if (!strcmp(l->namespaces[j].type, ns->type))
				return perr(p, sub, "duplicate namespace type \"%s\"", ns->type);
	}
	return 0;
}

static int parse_resources(struct parser *p, yajl_val res, const char *base, struct spec_resources *r)
{
	char path[PATH_LEN];
	yajl_val v;

	if (opt_obj(p, res, base, "memory", path, &v))
		return -EINVAL;
	if (v && (opt_i64(p, v, path, "limit", &r->memory_limit) ||
		  opt_i64(p, v, path, "swap", &r->memory_swap)))
		return -EINVAL;
	if (opt_obj(p, res, base, "cpu", path, &v))
		return -EINVAL;
	if (v && (opt_u64(p, v, path, "shares", &r->cpu_shares) ||
		  opt_i64(p, v, path, "quota", &r->cpu_quota) ||
		  opt_u64(p, v, path, "period", &r->cpu_period) ||
		  opt_str(p, v, path, "cpus", &r->cpuset_cpus)))
		return -EINVAL;
	if (opt_obj(p, res, base, "pids", path, &v))
		return -EINVAL;
	if (v && opt_i64(p, v, path, "limit", &r->pids_limit))
		return -EINVAL;
	return 0;
}

static int parse_linux(struct parser *p, yajl_val lx, struct spec_linux *l)
{
	const char *base = "linux";
	char path[PATH_LEN];
	yajl_val v;

	if ((v = field(lx, "namespaces"))) {
		join(path, base, "namespaces");
		if (parse_namespaces(p, v, path, l))
			return -EINVAL;
	}
	if (opt_str(p, lx, base, "cgroupsPath", &l->cgroups_path))
		return -EINVAL;
	if (opt_obj(p, lx, base, "resources", path, &v))
		return -EINVAL;
	if (v) {
		l->has_resources = true;
		if (parse_resources(p, v, path, &l->resources))
			return -EINVAL;
	}
	if (opt_strv(p, lx, base, "maskedPaths", &l->masked_paths, &l->n_masked_paths) ||
	    opt_strv(p, lx, base, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths))
		return -EINVAL;
	if ((v = field(lx, "sysctl"))) {
		join(path, base, "sysctl");
		if (get_kv(p, v, path, &l->sysctl, &l->n_sysctl))
			return -EINVAL;
	}
	return 0;
}

static int parse_hook_list(struct parser *p, yajl_val hooks, const char *key,
			   struct spec_hook **out, size_t *n_out)
{
	char path[PATH_LEN], elem[PATH_LEN], sub[PATH_LEN];
	yajl_val v = field(hooks, key);
	size_t i, n;

	if (!v)
		return 0;
	join(path, "hooks", key);
	if (want_array(p, v, path))
		return -EINVAL;
	n = v->u.array.len;
	*out = xzalloc((n ? n : 1) * sizeof(**out));
	for (i = 0; i < n; i++) {
		yajl_val e = v->u.array.values[i], t;
		struct spec_hook *h = &(*out)[i];

		join_idx(elem, path, i);
		if (want_object(p, e, elem))
			return -EINVAL;
		*n_out = i + 1;
		if (req_str(p, e, elem, "path", &h->path))
			return -EINVAL;
		if (h->path[0] != '/') {
			join(sub, elem, "path");
			return perr(p, sub, "must be an absolute path, got \"%s\"", h->path);
		}
		if (opt_strv(p, e, elem, "args", &h->args, NULL) ||
		    opt_strv(p, e, elem, "env", &h->env, NULL))
			return -EINVAL;
		if ((t = field(e, "timeout"))) {
			int64_t x;

			join(sub, elem, "timeout");
			if (get_i64(p, t, sub, &x))
				return -EINVAL;
			if (x <= 0 || x > INT_MAX)
				return perr(p, sub, "must be a positive number of seconds");
			h->timeout = (int)x;
		}
	}
	return 0;
}

static int parse_hooks(struct parser *p, yajl_val hk, struct spec_hooks *h)
{
	return parse_hook_list(p, hk, "prestart", &h->prestart, &h->n_prestart) ||
	       parse_hook_list(p, hk, "createRuntime", &h->create_runtime, &h->n_create_runtime) ||
	       parse_hook_list(p, hk, "createContainer", &h->create_container, &h->n_create_container) ||
	       parse_hook_list(p, hk, "startContainer", &h->start_container, &h->n_start_container) ||
	       parse_hook_list(p, hk, "poststart", &h->poststart, &h->n_poststart) ||
	       parse_hook_list(p, hk, "poststop", &h->poststop, &h->n_poststop) ? -EINVAL : 0;
}

static int parse_doc(struct parser *p, yajl_val doc, struct spec *s)
{
	char path[PATH_LEN];
	yajl_val v;

	if (!YAJL_IS_OBJECT(doc))
		return perr(p, NULL, "expected a JSON object at the top level");
	if (opt_str(p, doc, "", "ociVersion", &s->oci_version))
		return -EINVAL;
	if (opt_obj(p, doc, "", "process", path, &v))
		return -EINVAL;
	if (v) {
		s->has_process = true;
		if (parse_process(p, v, &s->process))
			return -EINVAL;
	}
	if (opt_obj(p, doc, "", "root", path, &v))
		return -EINVAL;
	if (!v)
		return perr(p, "root", "missing");
	if (parse_root(p, v, s))
		return -EINVAL;
	if (opt_str(p, doc, "", "hostname", &s->hostname) ||
	    opt_str(p, doc, "", "domainname", &s->domainname))
		return -EINVAL;
	if ((v = field(doc, "mounts")) && parse_mounts(p, v, s))
		return -EINVAL;
	if (opt_obj(p, doc, "", "linux", path, &v))
		return -EINVAL;
	if (v && parse_linux(p, v, &s->linux_))
		return -EINVAL;
	if (opt_obj(p, doc, "", "hooks", path, &v))
		return -EINVAL;
	if (v && parse_hooks(p, v, &s->hooks))
		return -EINVAL;
	if ((v = field(doc, "annotations")) &&
	    get_kv(p, v, "annotations", &s->annotations, &s->n_annotations))
		return -EINVAL;
	return 0;
}

/* yajl's message is several lines: the error, then the text around it and
 * a caret. Keep the error and the snippet on one line for the logs. */
static char *yajl_error_text(const char *ebuf)
{
	_cleanup_free_ char *first = NULL, *snippet = NULL;
	const char *nl = strchr(ebuf, '\n');
	char *msg;

	if (!nl) {
		first = xstrdup(*ebuf ? ebuf : "parse error");
	} else {
		const char *s = nl + 1, *e;

		first = strndup(ebuf, (size_t)(nl - ebuf));
		if (!first)
			first = xstrdup("parse error");
		while (*s == ' ')
			s++;
		e = strchr(s, '\n');
		if (!e)
			e = s + strlen(s);
		while (e > s && e[-1] == ' ')
			e--;
		if (e > s)
			snippet = strndup(s, (size_t)(e - s));
	}
	if (asprintf(&msg, "config.json: invalid JSON: %s%s%s%s", first,
		     snippet ? " (near `" : "", snippet ? snippet : "", snippet ? "`)" : "") < 0)
		msg = xstrdup("config.json: invalid JSON");
	return msg;
}

/* Parses the JSON document json (len bytes) named name into a tree;
 * errors name the document as "NAME: invalid JSON: ...". */
static int json_tree_parse(const char *json, size_t len, const char *name, yajl_val *doc,
			   char **err)
{
	char ebuf[1024] = "";
	_cleanup_free_ char *text = NULL;

	/* yajl_tree_parse wants a C string; a NUL inside would silently cut
	 * the document short. */
	if (memchr(json, '\0', len)) {
		if (asprintf(err, "%s: invalid JSON: NUL byte in file", name) < 0)
			*err = NULL;
		return -EINVAL;
	}
	text = xmalloc(len + 1);
	memcpy(text, json, len);
	text[len] = '\0';
	/* The tree owns copies of every string and number. */
	*doc = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!*doc) {
		_cleanup_free_ char *m = yajl_error_text(ebuf);
		/* yajl_error_text names config.json: name the real document. */
		const char *rest = strchr(m, ':');
		if (asprintf(err, "%s%s", name, rest ? rest : ": invalid JSON") < 0)
			*err = NULL;
		return -EINVAL;
	}
	return 0;
}

int spec_parse(const char *json, size_t len, struct spec **out, char **err)
{
	struct parser p = { 0 };
	struct spec *s;
	yajl_val doc;
	int r;

	*out = NULL;
	*err = NULL;
	if (json_tree_parse(json, len, "config.json", &doc, err) < 0)
		return -EINVAL;

	s = xzalloc(sizeof(*s));
	s->linux_.resources.memory_limit = -1;
	s->linux_.resources.memory_swap = -1;
	s->linux_.resources.cpu_quota = -1;
	s->linux_.resources.pids_limit = -1;

	r = parse_doc(&p, doc, s);
	yajl_tree_free(doc);
	if (r < 0) {
		spec_free(s);
		*err = p.err ? p.err : xstrdup("config.json: invalid");
		return -EINVAL;
	}
	*out = s;
	return 0;
}

int spec_load_fd(int fd, struct spec **out, char **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	*out = NULL;
	*err = NULL;
	/* The fd may have been read before (the CLI validated the same open
	 * file it hands to the sentry). Pipes can't seek: read from where
	 * they are. */
	if (lseek(fd, 0, SEEK_SET) < 0 && errno != ESPIPE) {
		r = -errno;
		if (asprintf(err, "config.json: seek: %s", strerror(-r)) < 0)
			*err = NULL;
		return r;
	}
	r = read_all_fd(fd, &buf, &len);
	if (r < 0) {
		if (asprintf(err, "config.json: read: %s", strerror(-r)) < 0)
			*err = NULL;
		return r;
	}
	return spec_parse(buf, len, out, err);
}

int spec_load_bundle(const char *bundle, struct spec **out, char **rootfs_abs, char **err)
{
	_cleanup_free_ char *cfg = NULL, *root = NULL, *real = NULL;
	_cleanup_close_ int fd = -1;
	struct spec *s = NULL;
	struct stat st;
	int r;

	*out = NULL;
	*err = NULL;
	if (rootfs_abs)
		*rootfs_abs = NULL;
	if (asprintf(&cfg, "%s/config.json", bundle) < 0)
		return -ENOMEM;
	fd = open(cfg, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			r = asprintf(err, "JSON specification file %s not found", cfg);
		else
			r = asprintf(err, "open %s: %s", cfg, strerror(e));
		if (r < 0)
			*err = NULL;
		return -e;
	}
	r = spec_load_fd(fd, &s, err);
	if (r < 0)
		return r;

	if (s->root_path[0] == '/')
		root = xstrdup(s->root_path);
	else if (asprintf(&root, "%s/%s", bundle, s->root_path) < 0)
		root = NULL;
	if (!root) {
		spec_free(s);
		return -ENOMEM;
	}
	real = realpath(root, NULL);
	if (!real || stat(real, &st) < 0) {
		int e = errno;

		if (e == ENOENT)
			r = asprintf(err, "config.json: root.path: rootfs (%s) does not exist", root);
		else
			r = asprintf(err, "config.json: root.path: rootfs (%s): %s", root, strerror(e));
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		r = asprintf(err, "config.json: root.path: rootfs (%s) is not a directory", root);
		goto fail;
	}
	if (rootfs_abs)
		*rootfs_abs = steal_pointer(&real);
	*out = s;
	return 0;

fail:
	if (r < 0)
		*err = NULL;
	spec_free(s);
	return -EINVAL;
}

static void strv_free(char **v)
{
	char **p;

	if (!v)
		return;
	for (p = v; *p; p++)
		free(*p);
	free(v);
}

static void kv_free(struct spec_kv *kv, size_t n)
{
	size_t i;

	if (!kv)
		return;
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

static void hooks_free(struct spec_hook *h, size_t n)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < n; i++) {
		free(h[i].path);
		strv_free(h[i].args);
		strv_free(h[i].env);
	}
	free(h);
}

static void process_free_fields(struct spec_process *pr)
{
	size_t i;

	strv_free(pr->args);
	strv_free(pr->env);
	free(pr->cwd);
	free(pr->user.additional_gids);
	if (pr->rlimits) {
		for (i = 0; i < pr->n_rlimits; i++)
			free(pr->rlimits[i].type);
		free(pr->rlimits);
	}
	strv_free(pr->caps.bounding);
	strv_free(pr->caps.effective);
	strv_free(pr->caps.inheritable);
	strv_free(pr->caps.permitted);
	strv_free(pr->caps.ambient);
}

void spec_process_free(struct spec_process *p)
{
	if (!p)
		return;
	process_free_fields(p);
	free(p);
}

int spec_parse_process(const char *json, size_t len, const char *name,
		       struct spec_process **out, char **err)
{
	struct parser p = { .name = name };
	struct spec_process *sp;
	yajl_val doc;
	int r;

	*out = NULL;
	*err = NULL;
	if (json_tree_parse(json, len, name, &doc, err) < 0)
		return -EINVAL;
	sp = xzalloc(sizeof(*sp));
	if (!YAJL_IS_OBJECT(doc))
		r = perr(&p, NULL, "expected a JSON object at the top level");
	else
		r = parse_process(&p, doc, sp);
	yajl_tree_free(doc);
	if (r < 0) {
		spec_process_free(sp);
		*err = p.err ? p.err : xstrdup("process: invalid");
		return -EINVAL;
	}
	*out = sp;
	return 0;
}

void spec_free(struct spec *s)
{
	struct spec_process *pr;
	size_t i;

	if (!s)
		return;
	pr = &s->process;
	free(s->oci_version);
	process_free_fields(pr);

	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	if (s->mounts) {
		for (i = 0; i < s->n_mounts; i++) {
			free(s->mounts[i].destination);
			free(s->mounts[i].type);
			free(s->mounts[i].source);
			strv_free(s->mounts[i].options);
		}
		free(s->mounts);
	}

	if (s->linux_.namespaces) {
		for (i = 0; i < s->linux_.n_namespaces; i++) {
			free(s->linux_.namespaces[i].type);
			free(s->linux_.namespaces[i].path);
		}
		free(s->linux_.namespaces);
	}
	free(s->linux_.cgroups_path);
	free(s->linux_.resources.cpuset_cpus);
	strv_free(s->linux_.masked_paths);
	strv_free(s->linux_.readonly_paths);
	kv_free(s->linux_.sysctl, s->linux_.n_sysctl);

	hooks_free(s->hooks.prestart, s->hooks.n_prestart);
	hooks_free(s->hooks.create_runtime, s->hooks.n_create_runtime);
	hooks_free(s->hooks.create_container, s->hooks.n_create_container);
	hooks_free(s->hooks.start_container, s->hooks.n_start_container);
	hooks_free(s->hooks.poststart, s->hooks.n_poststart);
	hooks_free(s->hooks.poststop, s->hooks.n_poststop);
	kv_free(s->annotations, s->n_annotations);
	free(s);
}

int spec_parse_resources(const char *json, size_t len, const char *name,
			 struct spec_resources *out, char **err)
{
	struct parser p = { .name = name };
	yajl_val doc;
	int r;

	*out = (struct spec_resources){ .memory_limit = -1, .memory_swap = -1, .cpu_quota = -1,
					.pids_limit = -1 };
	*err = NULL;
	if (json_tree_parse(json, len, name, &doc, err) < 0)
		return -EINVAL;
	if (!YAJL_IS_OBJECT(doc))
		r = perr(&p, NULL, "expected a JSON object at the top level");
	else
		r = parse_resources(&p, doc, "", out);
	yajl_tree_free(doc);
	if (r < 0) {
		free(out->cpuset_cpus);
		out->cpuset_cpus = NULL;
		*err = p.err ? p.err : xstrdup("resources: invalid");
		return -EINVAL;
	}
	return 0;
}
