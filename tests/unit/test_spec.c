/* config.json parsing: good documents produce the typed structs, every bad
 * one fails with one message naming the offending field. */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "runsc/spec.h"
#include "runsc/util.h"

static struct spec *parse_ok(const char *json)
{
	struct spec *s = NULL;
	char *err = NULL;
	int r = spec_parse(json, strlen(json), &s, &err);

	ck_assert_msg(r == 0, "unexpected error: %s", err ? err : "(null)");
	ck_assert_ptr_null(err);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* Asserts failure with a message containing every needle. */
static void parse_fails(const char *json, const char *needle1, const char *needle2)
{
	struct spec *s = (struct spec *)1;
	char *err = NULL;
	int r = spec_parse(json, strlen(json), &s, &err);

	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, needle1), "'%s' not in '%s'", needle1, err);
	if (needle2)
		ck_assert_msg(strstr(err, needle2), "'%s' not in '%s'", needle2, err);
	ck_assert_msg(!strchr(err, '\n'), "multi-line message '%s'", err);
	free(err);
}

#define MINIMAL_ROOT "\"root\":{\"path\":\"rootfs\"}"
#define PROC(body) "{" MINIMAL_ROOT ",\"process\":{" body "}}"

START_TEST(default_spec_parses)
{
	const char *json = spec_default_json();
	struct spec *s;
	size_t i;
	bool have_pid = false;

	ck_assert_ptr_nonnull(json);
	s = parse_ok(json);
	ck_assert_str_eq(s->oci_version, "1.0.2-dev");
	ck_assert(s->has_process);
	ck_assert(s->process.terminal);
	ck_assert_uint_eq(s->process.n_args, 1);
	ck_assert_str_eq(s->process.args[0], "sh");
	ck_assert_ptr_null(s->process.args[1]);
	ck_assert_uint_eq(s->process.n_env, 2);
	ck_assert_str_eq(s->process.env[0],
			 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	ck_assert_str_eq(s->process.env[1], "TERM=xterm");
	ck_assert_str_eq(s->process.cwd, "/");
	ck_assert_uint_eq(s->process.user.uid, 0);
	ck_assert_uint_eq(s->process.user.gid, 0);
	ck_assert(s->process.no_new_privileges);
	ck_assert(s->process.has_caps);
	ck_assert_str_eq(s->process.caps.bounding[0], "CAP_AUDIT_WRITE");
	ck_assert_str_eq(s->process.caps.ambient[2], "CAP_NET_BIND_SERVICE");
	ck_assert_ptr_null(s->process.caps.permitted[3]);
	ck_assert_uint_eq(s->process.n_rlimits, 1);
	ck_assert_int_eq(s->process.rlimits[0].resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(s->process.rlimits[0].soft, 1024);
	ck_assert_uint_eq(s->process.rlimits[0].hard, 1024);
	ck_assert_str_eq(s->root_path, "rootfs");
	ck_assert(s->root_readonly);
	ck_assert_str_eq(s->hostname, "sandboxrun");
	ck_assert_uint_eq(s->n_mounts, 6);
	ck_assert_str_eq(s->mounts[0].destination, "/proc");
	ck_assert_str_eq(s->mounts[0].type, "proc");
	ck_assert_uint_eq(s->mounts[0].n_options, 0);
	ck_assert_str_eq(s->mounts[2].destination, "/dev/pts");
	ck_assert_str_eq(s->mounts[2].options[5], "gid=5");
	ck_assert_str_eq(s->mounts[5].destination, "/sys");
	ck_assert_uint_eq(s->linux_.n_namespaces, 5);
	for (i = 0; i < s->linux_.n_namespaces; i++)
		have_pid |= !strcmp(s->linux_.namespaces[i].type, "pid");
	ck_assert(have_pid);
	ck_assert(s->linux_.has_resources);
	ck_assert_int_eq(s->linux_.resources.memory_limit, -1);
	ck_assert_uint_eq(s->linux_.n_masked_paths, 11);
	ck_assert_str_eq(s->linux_.masked_paths[0], "/proc/acpi");
	ck_assert_uint_eq(s->linux_.n_readonly_paths, 5);
	ck_assert_str_eq(s->linux_.readonly_paths[4], "/proc/sysrq-trigger");
	spec_free(s);
}
END_TEST

START_TEST(minimal_config)
{
	struct spec *s = parse_ok(PROC("\"args\":[\"/bin/true\"],\"cwd\":\"/\""));

	ck_assert(s->has_process);
	ck_assert(!s->process.terminal);
	ck_assert_uint_eq(s->process.n_args, 1);
	ck_assert_uint_eq(s->process.n_env, 0);
	ck_assert_ptr_null(s->process.env);
	ck_assert(!s->process.has_caps);
	ck_assert_ptr_null(s->oci_version);
	ck_assert_ptr_null(s->hostname);
	ck_assert_uint_eq(s->n_mounts, 0);
	ck_assert(!s->linux_.has_resources);
	ck_assert_int_eq(s->linux_.resources.pids_limit, -1);
	ck_assert_int_eq(s->linux_.resources.cpu_quota, -1);
	ck_assert(!s->root_readonly);
	spec_free(s);

	/* No process at all is a valid document (`create` without start). */
	s = parse_ok("{" MINIMAL_ROOT "}");
	ck_assert(!s->has_process);
	spec_free(s);
}
END_TEST

START_TEST(full_config)
{
	struct spec *s = parse_ok(
		"{\"ociVersion\":\"1.2.0\",\"hostname\":\"h\",\"domainname\":\"d\","
		"\"root\":{\"path\":\"/abs/rootfs\",\"readonly\":false},"
		"\"process\":{\"terminal\":false,\"consoleSize\":{\"height\":24,\"width\":80},"
		"\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,6,4294967295]},"
		"\"args\":[\"sh\",\"-c\",\"echo hi\"],\"env\":[\"A=1\",\"B=\"],\"cwd\":\"/tmp\","
		"\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,\"soft\":0},"
		"{\"type\":\"RLIMIT_NPROC\",\"hard\":10,\"soft\":10}]},"
		"\"mounts\":[{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
		"\"options\":[\"nosuid\"]},{\"destination\":\"/x\"}],"
		"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}],"
		"\"cgroupsPath\":\"/sandbox\",\"resources\":{\"memory\":{\"limit\":1048576,\"swap\":-1},"
		"\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0-1\"},"
		"\"pids\":{\"limit\":64}},\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[],"
		"\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}},"
		"\"hooks\":{\"prestart\":[{\"path\":\"/bin/hook\",\"args\":[\"hook\",\"x\"],\"env\":[\"K=V\"],\"timeout\":5}],"
		"\"poststop\":[{\"path\":\"/bin/post\"}]},"
		"\"annotations\":{\"com.example.key\":\"value\"}}");

	ck_assert_str_eq(s->oci_version, "1.2.0");
	ck_assert_str_eq(s->hostname, "h");
	ck_assert_str_eq(s->domainname, "d");
	ck_assert_uint_eq(s->process.console_height, 24);
	ck_assert_uint_eq(s->process.console_width, 80);
	ck_assert_uint_eq(s->process.user.uid, 1000);
	ck_assert_uint_eq(s->process.user.gid, 100);
	ck_assert(s->process.user.has_umask);
	ck_assert_uint_eq(s->process.user.umask, 18);
	ck_assert_uint_eq(s->process.user.n_additional_gids, 3);
	ck_assert_uint_eq(s->process.user.additional_gids[2], 4294967295u);
	ck_assert_uint_eq(s->process.n_args, 3);
	ck_assert_str_eq(s->process.args[2], "echo hi");
	ck_assert_str_eq(s->process.env[1], "B=");
	ck_assert_str_eq(s->process.cwd, "/tmp");
	ck_assert_int_eq(s->process.rlimits[0].resource, RLIMIT_CORE);
	ck_assert(s->process.rlimits[0].hard == UINT64_MAX);
	ck_assert_int_eq(s->process.rlimits[1].resource, RLIMIT_NPROC);
	ck_assert_uint_eq(s->n_mounts, 2);
	ck_assert_str_eq(s->mounts[0].options[0], "nosuid");
	ck_assert_ptr_null(s->mounts[1].type);
	ck_assert_ptr_null(s->mounts[1].options);
	ck_assert_str_eq(s->linux_.namespaces[1].path, "/proc/1/ns/net");
	ck_assert_ptr_null(s->linux_.namespaces[0].path);
	ck_assert_str_eq(s->linux_.cgroups_path, "/sandbox");
	ck_assert_int_eq(s->linux_.resources.memory_limit, 1048576);
	ck_assert_int_eq(s->linux_.resources.memory_swap, -1);
	ck_assert_uint_eq(s->linux_.resources.cpu_shares, 512);
	ck_assert_int_eq(s->linux_.resources.cpu_quota, 50000);
	ck_assert_uint_eq(s->linux_.resources.cpu_period, 100000);
	ck_assert_str_eq(s->linux_.resources.cpuset_cpus, "0-1");
	ck_assert_int_eq(s->linux_.resources.pids_limit, 64);
	ck_assert_uint_eq(s->linux_.n_readonly_paths, 0);
	ck_assert_ptr_nonnull(s->linux_.readonly_paths);
	ck_assert_uint_eq(s->linux_.n_sysctl, 1);
	ck_assert_str_eq(s->linux_.sysctl[0].key, "net.ipv4.ip_forward");
	ck_assert_str_eq(s->linux_.sysctl[0].value, "1");
	ck_assert_uint_eq(s->hooks.n_prestart, 1);
	ck_assert_str_eq(s->hooks.prestart[0].args[1], "x");
	ck_assert_str_eq(s->hooks.prestart[0].env[0], "K=V");
	ck_assert_int_eq(s->hooks.prestart[0].timeout, 5);
	ck_assert_uint_eq(s->hooks.n_poststop, 1);
	ck_assert_ptr_null(s->hooks.poststop[0].args);
	ck_assert_int_eq(s->hooks.poststop[0].timeout, 0);
	ck_assert_uint_eq(s->n_annotations, 1);
	ck_assert_str_eq(s->annotations[0].value, "value");
	spec_free(s);
}
END_TEST

START_TEST(unknown_fields_ignored)
{
	struct spec *s = parse_ok(
		"{\"root\":{\"path\":\"r\",\"future\":[1,2]},\"somethingNew\":{\"a\":null},"
		"\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"apparmorProfile\":\"x\",\"oomScoreAdj\":3,"
		"\"user\":{\"uid\":1,\"username\":\"bob\"}},"
		"\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"},\"devices\":[]},"
		"\"hostname\":null}");

	ck_assert_str_eq(s->root_path, "r");
	ck_assert_uint_eq(s->process.user.uid, 1);
	ck_assert_ptr_null(s->hostname);
	spec_free(s);
}
END_TEST

START_TEST(rlimit_names_mapped)
{
	static const struct {
		const char *name;
		int res;
	} cases[] = {
		{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE },
		{ "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_DATA", RLIMIT_DATA },
		{ "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_LOCKS", RLIMIT_LOCKS },
		{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
		{ "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
		{ "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_RSS", RLIMIT_RSS },
		{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
		{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
		{ "RLIMIT_BOGUS", -1 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char json[256];
		struct spec *s;

		snprintf(json, sizeof(json),
			 PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"%s\",\"hard\":2,\"soft\":1}]"),
			 cases[i].name);
		s = parse_ok(json);
		ck_assert_uint_eq(s->process.n_rlimits, 1);
		ck_assert_str_eq(s->process.rlimits[0].type, cases[i].name);
		ck_assert_int_eq(s->process.rlimits[0].resource, cases[i].res);
		ck_assert_uint_eq(s->process.rlimits[0].soft, 1);
		ck_assert_uint_eq(s->process.rlimits[0].hard, 2);
		spec_free(s);
	}
}
END_TEST

START_TEST(invalid_json)
{
	parse_fails("{\"root\": {\"path\": \"rootfs\"", "config.json: invalid JSON", "premature EOF");
	parse_fails("{root: 1}", "config.json: invalid JSON", "invalid char");
	parse_fails("", "config.json: invalid JSON", NULL);
	parse_fails("{} trailing", "config.json: invalid JSON", "trailing garbage");
	parse_fails("[1,2]", "config.json:", "object");
}
END_TEST

START_TEST(nul_byte_rejected)
{
	static const char json[] = "{\"root\":{\"path\":\"r\"}}\0garbage";
	struct spec *s = NULL;
	char *err = NULL;

	ck_assert_int_eq(spec_parse(json, sizeof(json) - 1, &s, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "invalid JSON"));
	free(err);
}
END_TEST

START_TEST(json_errors_name_the_document)
{
	static const char nul[] = "{}\0x";
	static const char bad[] = "{\"a\": ";
	struct spec_process *pr = NULL;
	struct spec_resources res;
	struct spec *s = NULL;
	char *err = NULL, *cfg_err = NULL;

	ck_assert_int_eq(spec_parse(nul, sizeof(nul) - 1, &s, &err), -EINVAL);
	ck_assert_str_eq(err, "config.json: invalid JSON: NUL byte in file");
	free(err);
	ck_assert_int_eq(spec_parse_process(nul, sizeof(nul) - 1, "p.json", &pr, &err), -EINVAL);
	ck_assert_str_eq(err, "p.json: invalid JSON: NUL byte in file");
	free(err);
	ck_assert_int_eq(spec_parse_resources(nul, sizeof(nul) - 1, "r.json", &res, &err), -EINVAL);
	ck_assert_str_eq(err, "r.json: invalid JSON: NUL byte in file");
	free(err);

	/* A syntax error: the same words, under each document's name. */
	ck_assert_int_eq(spec_parse(bad, strlen(bad), &s, &cfg_err), -EINVAL);
	ck_assert_int_eq(strncmp(cfg_err, "config.json: invalid JSON: ", 27), 0);
	ck_assert_int_eq(spec_parse_process(bad, strlen(bad), "p.json", &pr, &err), -EINVAL);
	ck_assert_str_eq(err + strlen("p.json"), cfg_err + strlen("config.json"));
	ck_assert_int_eq(strncmp(err, "p.json:", 7), 0);
	free(err);
	ck_assert_int_eq(spec_parse_resources(bad, strlen(bad), "r.json", &res, &err), -EINVAL);
	ck_assert_str_eq(err + strlen("r.json"), cfg_err + strlen("config.json"));
	free(err);
	free(cfg_err);
	ck_assert_ptr_null(s);
	ck_assert_ptr_null(pr);
}
END_TEST

START_TEST(not_nul_terminated)
{
	/* spec_parse takes a length: the buffer need not end in NUL. */
	static const char json[] = "{\"root\":{\"path\":\"r\"}}XXXX";
	struct spec *s = NULL;
	char *err = NULL;

	ck_assert_int_eq(spec_parse(json, sizeof(json) - 5, &s, &err), 0);
	ck_assert_str_eq(s->root_path, "r");
	spec_free(s);
}
END_TEST

START_TEST(args_errors)
{
	parse_fails(PROC("\"args\":\"sh\",\"cwd\":\"/\""),
		    "config.json: process.args: expected an array of strings", NULL);
	parse_fails(PROC("\"args\":[\"sh\",1],\"cwd\":\"/\""),
		    "config.json: process.args: expected an array of strings", NULL);
	parse_fails(PROC("\"cwd\":\"/\""), "config.json: process.args: missing", NULL);
	parse_fails(PROC("\"args\":null,\"cwd\":\"/\""), "config.json: process.args: missing", NULL);
	parse_fails(PROC("\"args\":[],\"cwd\":\"/\""), "config.json: process.args:", "empty");
}
END_TEST

START_TEST(cwd_errors)
{
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"tmp\""), "config.json: process.cwd:", "absolute");
	parse_fails(PROC("\"args\":[\"a\"]"), "config.json: process.cwd: missing", NULL);
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":7"), "config.json: process.cwd: expected a string", NULL);
}
END_TEST

START_TEST(root_errors)
{
	parse_fails("{\"root\":{}}", "config.json: root.path: missing", NULL);
	parse_fails("{\"root\":{\"readonly\":true}}", "config.json: root.path: missing", NULL);
	parse_fails("{\"root\":{\"path\":\"\"}}", "config.json: root.path:", "empty");
	parse_fails("{}", "config.json: root: missing", NULL);
	parse_fails("{\"root\":\"rootfs\"}", "config.json: root: expected an object", NULL);
	parse_fails("{\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}",
		    "config.json: root.readonly: expected a boolean", NULL);
}
END_TEST

START_TEST(mount_errors)
{
	parse_fails("{" MINIMAL_ROOT ",\"mounts\":[{\"destination\":\"/a\"},{\"type\":\"tmpfs\"}]}",
		    "config.json: mounts[1].destination: missing", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"mounts\":[{\"destination\":\"a\"}]}",
		    "config.json: mounts[0].destination:", "absolute");
	parse_fails("{" MINIMAL_ROOT ",\"mounts\":[{\"destination\":\"/a\",\"options\":\"ro\"}]}",
		    "config.json: mounts[0].options: expected an array of strings", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"mounts\":{}}", "config.json: mounts: expected an array", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"mounts\":[1]}", "config.json: mounts[0]: expected an object", NULL);
}
END_TEST

START_TEST(type_errors)
{
	parse_fails(PROC("\"terminal\":\"yes\",\"args\":[\"a\"],\"cwd\":\"/\""),
		    "config.json: process.terminal: expected a boolean", NULL);
	parse_fails(PROC("\"terminal\":1,\"args\":[\"a\"],\"cwd\":\"/\""),
		    "config.json: process.terminal: expected a boolean", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"process\":[]}", "config.json: process: expected an object", NULL);
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":-1}"),
		    "config.json: process.user.uid: expected an unsigned 32-bit integer", NULL);
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":4294967296}"),
		    "config.json: process.user.uid:", NULL);
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"gid\":1.5}"),
		    "config.json: process.user.gid:", NULL);
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"additionalGids\":[1,\"x\"]}"),
		    "config.json: process.user.additionalGids[1]:", NULL);
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"env\":[\"NOEQUALS\"]"),
		    "config.json: process.env[0]:", "missing '='");
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":\"CAP_KILL\"}"),
		    "config.json: process.capabilities.bounding: expected an array of strings", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"ociVersion\":1}", "config.json: ociVersion: expected a string", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"hostname\":[]}", "config.json: hostname: expected a string", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"annotations\":{\"a\":1}}",
		    "config.json: annotations.a: expected a string", NULL);
}
END_TEST

START_TEST(rlimit_errors)
{
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":[{\"hard\":1}]"),
		    "config.json: process.rlimits[0].type: missing", NULL);
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":-1}]"),
		    "config.json: process.rlimits[0].hard: expected an unsigned 64-bit integer", NULL);
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":2}]"),
		    "config.json: process.rlimits[0]:", "exceeds hard");
	parse_fails(PROC("\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":["
			 "{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":1},"
			 "{\"type\":\"RLIMIT_NOFILE\",\"hard\":2,\"soft\":2}]"),
		    "config.json: process.rlimits[1].type:", "duplicate");
}
END_TEST

START_TEST(linux_errors)
{
	parse_fails("{" MINIMAL_ROOT ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"bogus\"}]}}",
		    "config.json: linux.namespaces[1].type:", "bogus");
	parse_fails("{" MINIMAL_ROOT ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}",
		    "config.json: linux.namespaces[1].type:", "duplicate");
	parse_fails("{" MINIMAL_ROOT ",\"linux\":{\"namespaces\":[{}]}}",
		    "config.json: linux.namespaces[0].type: missing", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1G\"}}}}",
		    "config.json: linux.resources.memory.limit: expected a 64-bit integer", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"linux\":{\"resources\":{\"cpu\":{\"shares\":-5}}}}",
		    "config.json: linux.resources.cpu.shares:", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"linux\":{\"sysctl\":{\"kernel.x\":1}}}",
		    "config.json: linux.sysctl.kernel.x: expected a string", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"linux\":{\"maskedPaths\":[1]}}",
		    "config.json: linux.maskedPaths: expected an array of strings", NULL);
}
END_TEST

START_TEST(hook_errors)
{
	parse_fails("{" MINIMAL_ROOT ",\"hooks\":{\"poststart\":[{\"args\":[]}]}}",
		    "config.json: hooks.poststart[0].path: missing", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"hooks\":{\"createRuntime\":[{\"path\":\"/x\",\"timeout\":0}]}}",
		    "config.json: hooks.createRuntime[0].timeout:", NULL);
	parse_fails("{" MINIMAL_ROOT ",\"hooks\":{\"prestart\":[{\"path\":\"rel\"}]}}",
		    "config.json: hooks.prestart[0].path:", "absolute");
}
END_TEST

static char tmpdir[PATH_MAX];

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX * 2];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write_all(fd, text, strlen(text)), 0);
	close(fd);
}

static void setup_bundle(void)
{
	strcpy(tmpdir, "/tmp/test_spec.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown_bundle(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(load_bundle)
{
	char rootfs[PATH_MAX * 2], *abs = NULL, *err = NULL;
	struct spec *s = NULL;

	/* No config.json. */
	ck_assert_int_lt(spec_load_bundle(tmpdir, &s, &abs, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "config.json"));
	free(err);
	err = NULL;

	/* Missing rootfs: the message names root.path and the path. */
	write_file(tmpdir, "config.json", spec_default_json());
	ck_assert_int_eq(spec_load_bundle(tmpdir, &s, &abs, &err), -EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_ptr_null(abs);
	ck_assert_msg(strstr(err, "root.path") && strstr(err, "does not exist") &&
		      strstr(err, "/rootfs"), "bad message '%s'", err);
	free(err);
	err = NULL;

	/* rootfs is a file. */
	write_file(tmpdir, "rootfs", "");
	ck_assert_int_eq(spec_load_bundle(tmpdir, &s, &abs, &err), -EINVAL);
	ck_assert_msg(strstr(err, "not a directory"), "bad message '%s'", err);
	free(err);
	err = NULL;

	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmpdir);
	ck_assert_int_eq(unlink(rootfs), 0);
	ck_assert_int_eq(mkdir(rootfs, 0755), 0);
	ck_assert_int_eq(spec_load_bundle(tmpdir, &s, &abs, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_str_eq(abs, rootfs);
	ck_assert_str_eq(s->process.args[0], "sh");
	spec_free(s);
	free(abs);

	/* A broken config reports the parse error, not the rootfs. */
	write_file(tmpdir, "config.json", "{\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":{}}}");
	ck_assert_int_eq(spec_load_bundle(tmpdir, &s, &abs, &err), -EINVAL);
	ck_assert_str_eq(err, "config.json: process.args: expected an array of strings");
	free(err);
}
END_TEST

START_TEST(load_fd_rereads)
{
	char path[PATH_MAX * 2], *err = NULL;
	struct spec *s = NULL;
	int fd;

	write_file(tmpdir, "config.json", spec_default_json());
	snprintf(path, sizeof(path), "%s/config.json", tmpdir);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	/* The same fd read twice: spec_load_fd starts from the beginning. */
	ck_assert_int_eq(spec_load_fd(fd, &s, &err), 0);
	spec_free(s);
	ck_assert_int_eq(spec_load_fd(fd, &s, &err), 0);
	ck_assert_str_eq(s->hostname, "sandboxrun");
	spec_free(s);
	close(fd);
}
END_TEST

static Suite *spec_suite(void)
{
	Suite *s = suite_create("spec");
	TCase *tc = tcase_create("parse");
	TCase *tb = tcase_create("bundle");

	tcase_add_test(tc, default_spec_parses);
	tcase_add_test(tc, minimal_config);
	tcase_add_test(tc, full_config);
	tcase_add_test(tc, unknown_fields_ignored);
	tcase_add_test(tc, rlimit_names_mapped);
	tcase_add_test(tc, invalid_json);
	tcase_add_test(tc, nul_byte_rejected);
	tcase_add_test(tc, json_errors_name_the_document);
	tcase_add_test(tc, not_nul_terminated);
	tcase_add_test(tc, args_errors);
	tcase_add_test(tc, cwd_errors);
	tcase_add_test(tc, root_errors);
	tcase_add_test(tc, mount_errors);
	tcase_add_test(tc, type_errors);
	tcase_add_test(tc, rlimit_errors);
	tcase_add_test(tc, linux_errors);
	tcase_add_test(tc, hook_errors);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tb, setup_bundle, teardown_bundle);
	tcase_add_test(tb, load_bundle);
	tcase_add_test(tb, load_fd_rereads);
	suite_add_tcase(s, tb);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(spec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
