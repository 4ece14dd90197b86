/* `sandboxrun features`: the OCI runtime features document
 * (runtime-spec features.md), printed as runc prints it (4-space indented
 * JSON). It lists what sandboxrun implements today, nothing more: an empty
 * list means "none supported". */
#include <string.h>

#include "runsc/cmd.h"
#include "runsc/jsonw.h"
#include "runsc/log.h"
#include "runsc/verb.h"

static void strv(struct jsonw *w, const char *key, const char *const *v, size_t n)
{
	jw_key(w, key);
	jw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		jw_str(w, v[i]);
	jw_arr_close(w);
}

static void flag(struct jsonw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

int cmd_features(struct global_opts *g, int argc, char **argv)
{
	/* Emulated by the sentry for every container (config.json's list is
	 * not needed to get them). */
	static const char *const namespaces[] = { "ipc", "mount", "network", "pid", "uts" };
	/* The capability names the sentry's credentials understand. */
	static const char *const caps[] = {
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
		"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
		"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
		"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
		"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
		"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
		"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
		"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
		"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
	};
	struct jsonw w = JSONW_INIT("    ");

	if (verb_nargs("features", argc, 1, 0, 0, "") < 0)
		return 1;
	jw_obj_open(&w);
	jw_key(&w, "ociVersionMin");
	jw_str(&w, "1.0.0");
	jw_key(&w, "ociVersionMax");
	jw_str(&w, OCI_SPEC_VERSION);
	/* Not run yet: hooks and config.json mounts. */
	strv(&w, "hooks", NULL, 0);
	strv(&w, "mountOptions", NULL, 0);
	jw_key(&w, "linux");
	jw_obj_open(&w);
	strv(&w, "namespaces", namespaces, ARRAY_SIZE(namespaces));
	strv(&w, "capabilities", caps, ARRAY_SIZE(caps));
	jw_key(&w, "cgroup");
	jw_obj_open(&w);
	flag(&w, "v1", false);
	flag(&w, "v2", false);
	flag(&w, "systemd", false);
	flag(&w, "systemdUser", false);
	jw_obj_close(&w);
	jw_key(&w, "seccomp");
	jw_obj_open(&w);
	flag(&w, "enabled", false);
	jw_obj_close(&w);
	jw_key(&w, "apparmor");
	jw_obj_open(&w);
	flag(&w, "enabled", false);
	jw_obj_close(&w);
	jw_key(&w, "selinux");
	jw_obj_open(&w);
	flag(&w, "enabled", false);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_key(&w, "annotations");
	jw_obj_open(&w);
	jw_key(&w, "io.github.sandboxrun.commit");
	jw_str(&w, SANDBOXRUN_COMMIT);
	jw_key(&w, "io.github.sandboxrun.platform");
	jw_str(&w, g->platform);
	jw_key(&w, "io.github.sandboxrun.version");
	jw_str(&w, SANDBOXRUN_VERSION);
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_raw(&w, "\n");
	fwrite(w.buf, 1, w.len, stdout);
	jw_free(&w);
	return fflush(stdout) == 0 ? 0 : 1;
}
