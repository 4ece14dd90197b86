/* The default config.json, matching runc's specconv.Example() (with our
 * hostname), written with yajl_gen so the rootless variant shares it. */
#include <string.h>

#include <yajl/yajl_gen.h>

#include "runsc/spec.h"
#include "runsc/spec_default.h"
#include "runsc/util.h"

static void str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void strv(yajl_gen g, const char *const *v)
{
	yajl_gen_array_open(g);
	for (; *v; v++)
		str(g, *v);
	yajl_gen_array_close(g);
}

static void key_str(yajl_gen g, const char *k, const char *v)
{
	str(g, k);
	str(g, v);
}

static const char *const default_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL,
};

struct default_mount {
	const char *dest, *type, *source;
	const char *options[8];
};

static const struct default_mount default_mounts[] = {
	{ "/proc", "proc", "proc", { NULL } },
	{ "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
	{ "/dev/pts", "devpts", "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
	{ "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
	{ "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
	{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
};

/* runc's ToRootless replaces the sysfs mount: a user namespace can't mount
 * a fresh sysfs without a network namespace of its own. */
static const struct default_mount rootless_sys = {
	"/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL },
};

static const char *const masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	"/proc/sched_debug", "/sys/firmware", "/proc/scsi",
	"/sys/devices/virtual/tpm", NULL,
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void gen_process(yajl_gen g)
{
	static const char *const args[] = { "sh", NULL };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"TERM=xterm", NULL,
	};
	static const char *const cap_sets[] = {
		"bounding", "effective", "inheritable", "permitted", "ambient",
	};
	size_t i;

	str(g, "process");
	yajl_gen_map_open(g);
	str(g, "terminal");
	yajl_gen_bool(g, 1);
	str(g, "user");
	yajl_gen_map_open(g);
	str(g, "uid");
	yajl_gen_integer(g, 0);
	str(g, "gid");
	yajl_gen_integer(g, 0);
	yajl_gen_map_close(g);
	str(g, "args");
	strv(g, args);
	str(g, "env");
	strv(g, env);
	key_str(g, "cwd", "/");
	str(g, "capabilities");
	yajl_gen_map_open(g);
	for (i = 0; i < ARRAY_SIZE(cap_sets); i++) {
		str(g, cap_sets[i]);
		strv(g, default_caps);
	}
	yajl_gen_map_close(g);
	str(g, "rlimits");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	key_str(g, "type", "RLIMIT_NOFILE");
	str(g, "hard");
	yajl_gen_integer(g, 1024);
	str(g, "soft");
	yajl_gen_integer(g, 1024);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	str(g, "noNewPrivileges");
	yajl_gen_bool(g, 1);
	yajl_gen_map_close(g);
}

static void gen_mount(yajl_gen g, const struct default_mount *m, bool rootless)
{
	const char *const *o;

	yajl_gen_map_open(g);
	key_str(g, "destination", m->dest);
	key_str(g, "type", m->type);
	key_str(g, "source", m->source);
	/* Go's omitempty drops a nil options list. */
	if (m->options[0]) {
		str(g, "options");
		yajl_gen_array_open(g);
		for (o = m->options; *o; o++) {
			if (rootless && (!strncmp(*o, "uid=", 4) || !strncmp(*o, "gid=", 4)))
				continue;
			str(g, *o);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_id_mapping(yajl_gen g, const char *key, uint32_t host_id)
{
	str(g, key);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	str(g, "containerID");
	yajl_gen_integer(g, 0);
	str(g, "hostID");
	yajl_gen_integer(g, host_id);
	str(g, "size");
	yajl_gen_integer(g, 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g, bool rootless, uint32_t uid, uint32_t gid)
{
	static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount" };
	size_t i;

	str(g, "linux");
	yajl_gen_map_open(g);
	if (rootless) {
		gen_id_mapping(g, "uidMappings", uid);
		gen_id_mapping(g, "gidMappings", gid);
	} else {
		str(g, "resources");
		yajl_gen_map_open(g);
		str(g, "devices");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		str(g, "allow");
		yajl_gen_bool(g, 0);
		key_str(g, "access", "rwm");
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	str(g, "namespaces");
	yajl_gen_array_open(g);
	for (i = 0; i < ARRAY_SIZE(ns); i++) {
		if (rootless && !strcmp(ns[i], "network"))
			continue;
		yajl_gen_map_open(g);
		key_str(g, "type", ns[i]);
		yajl_gen_map_close(g);
	}
	if (rootless) {
		yajl_gen_map_open(g);
		key_str(g, "type", "user");
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	str(g, "maskedPaths");
	strv(g, masked_paths);
	str(g, "readonlyPaths");
	strv(g, readonly_paths);
	yajl_gen_map_close(g);
}

char *spec_default_generate(bool rootless, uint32_t uid, uint32_t gid)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len, i;
	char *out;

	if (!g)
		return NULL;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");

	yajl_gen_map_open(g);
	key_str(g, "ociVersion", "1.0.2-dev");
	gen_process(g);
	str(g, "root");
	yajl_gen_map_open(g);
	key_str(g, "path", "rootfs");
	str(g, "readonly");
	yajl_gen_bool(g, 1);
	yajl_gen_map_close(g);
	key_str(g, "hostname", "sandboxrun");
	str(g, "mounts");
	yajl_gen_array_open(g);
	for (i = 0; i < ARRAY_SIZE(default_mounts); i++) {
		const struct default_mount *m = &default_mounts[i];

		if (rootless && !strcmp(m->dest, "/sys"))
			m = &rootless_sys;
		gen_mount(g, m, rootless);
	}
	yajl_gen_array_close(g);
	gen_linux(g, rootless, uid, gid);
	yajl_gen_map_close(g);

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return NULL;
	}
	out = xmalloc(len + 1);
	memcpy(out, buf, len);
	out[len] = '\0';
	yajl_gen_free(g);
	return out;
}

const char *spec_default_json(void)
{
	/* Generated once and kept for the life of the process. */
	static char *json;

	if (!json)
		json = spec_default_generate(false, 0, 0);
	return json;
}
