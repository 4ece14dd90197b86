/* OCI runtime-spec config.json, parsed with yajl into typed structs.
 * Unknown fields are ignored; a wrong type or a missing required field is an
 * error that names the field (e.g. "process.args: expected array"). */
#ifndef SANDBOXRUN_SPEC_H
#define SANDBOXRUN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spec_rlimit {
	char *type;      /* "RLIMIT_NOFILE" */
	int resource;    /* RLIMIT_NOFILE, or -1 if unknown name */
	uint64_t soft, hard;
};

struct spec_capabilities {
	char **bounding, **effective, **inheritable, **permitted, **ambient; /* NULL-terminated */
};

struct spec_user {
	uint32_t uid, gid;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	uint32_t umask;
	bool has_umask;
};

struct spec_process {
	bool terminal;
	char **args;   /* NULL-terminated, at least one element */
	size_t n_args;
	char **env;    /* NULL-terminated */
	size_t n_env;
	char *cwd;     /* absolute */
	struct spec_user user;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	struct spec_capabilities caps;
	bool has_caps;
	uint32_t console_width, console_height; /* consoleSize, 0 if absent */
};

struct spec_mount {
	char *destination;
	char *type;     /* may be NULL */
	char *source;   /* may be NULL */
	char **options; /* NULL-terminated */
	size_t n_options;
};

struct spec_namespace {
	char *type;  /* pid network mount ipc uts user cgroup time */
	char *path;  /* may be NULL */
};

struct spec_hook {
	char *path;
	char **args;
	char **env;
	int timeout; /* seconds, 0 = none */
};

struct spec_hooks {
	struct spec_hook *prestart, *create_runtime, *create_container,
		*start_container, *poststart, *poststop;
	size_t n_prestart, n_create_runtime, n_create_container,
		n_start_container, n_poststart, n_poststop;
};

struct spec_kv {
	char *key, *value;
};

struct spec_resources {
	int64_t memory_limit;   /* -1 if unset */
	int64_t memory_swap;    /* -1 if unset */
	uint64_t cpu_shares;    /* 0 if unset */
	int64_t cpu_quota;      /* -1 if unset */
	uint64_t cpu_period;    /* 0 if unset */
	char *cpuset_cpus;
	int64_t pids_limit;     /* -1 if unset */
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	char *cgroups_path;
	struct spec_resources resources;
	bool has_resources;
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	struct spec_kv *sysctl;
	size_t n_sysctl;
};

struct spec {
	char *oci_version;
	struct spec_process process;
	bool has_process;
	char *root_path;   /* as written in config.json */
	bool root_readonly;
	char *hostname;    /* may be NULL */
	char *domainname;  /* may be NULL */
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_linux linux_;
	struct spec_hooks hooks;
	struct spec_kv *annotations;
	size_t n_annotations;
};

/* Parses a config.json buffer. On error returns -EINVAL and sets *err to a
 * malloc'd message naming the field. */
int spec_parse(const char *json, size_t len, struct spec **out, char **err);
/* Reads and parses BUNDLE/config.json; also checks that the rootfs exists
 * and is a directory (error names root.path). rootfs_abs gets the absolute
 * rootfs path. */
int spec_load_bundle(const char *bundle, struct spec **out, char **rootfs_abs, char **err);
int spec_load_fd(int fd, struct spec **out, char **err);
void spec_free(struct spec *s);

/* Parses an OCI process object on its own (`exec --process FILE`, the
 * control socket's exec request); messages are prefixed with name. */
int spec_parse_process(const char *json, size_t len, const char *name,
		       struct spec_process **out, char **err);
void spec_process_free(struct spec_process *p);

/* Parses an OCI LinuxResources object on its own (`update --resources`);
 * unset fields as in struct spec_resources. */
int spec_parse_resources(const char *json, size_t len, const char *name,
			 struct spec_resources *out, char **err);

/* The default config.json that `sandboxrun spec` writes (as `runc spec`). */
const char *spec_default_json(void);

#endif
