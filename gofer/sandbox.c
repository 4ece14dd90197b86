/* Namespaces, pivot_root and capabilities for the gofer. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gofer/sandbox.h"
#include "runsc/log.h"
#include "runsc/util.h"

/* The per-mount flags of a mount that a bind remount must restate, or the
 * remount would clear them. */
static unsigned long kept_mount_flags(const char *path)
{
	static const struct { unsigned long st, ms; } map[] = {
		{ ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },
		{ ST_NODEV, MS_NODEV },       { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME },   { ST_NODIRATIME, MS_NODIRATIME },
		{ ST_RELATIME, MS_RELATIME },
	};
	struct statvfs sv;
	unsigned long flags = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (sv.f_flag & map[i].st)
			flags |= map[i].ms;
	return flags;
}

int gofer_enter_rootfs(const char *rootfs, bool readonly)
{
	struct stat st;

	if (rootfs[0] != '/')
		return -EINVAL;
	if (stat(rootfs, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;

	if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0) {
		/* The mount namespace is what confinement needs; the others
		 * only shrink what a compromised gofer could reach. */
		log_debug("unshare(net, ipc, uts): %s; mount namespace only", strerror(errno));
		if (unshare(CLONE_NEWNS) < 0) {
			int ret = -errno;
			log_error("unshare(CLONE_NEWNS): %s", strerror(errno));
			return ret;
		}
	}
	/* Nothing we mount or unmount from here on may propagate back to the
	 * host, and pivot_root refuses shared mounts. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		goto fail_errno;
	/* pivot_root needs a mount point; a recursive bind of the rootfs onto
	 * itself also brings along mounts nested inside it. */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		goto fail_errno;
	unsigned long flags = kept_mount_flags(rootfs) | MS_NOSUID | MS_NODEV;
	if (readonly)
		flags |= MS_RDONLY;
	if (mount(NULL, rootfs, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
		goto fail_errno;

	/* pivot_root(".", ".") stacks the old root on top of the new one;
	 * the lazy unmount of "." then takes the old root away, with no
	 * temporary directory needed inside the rootfs (pivot_root(2)). */
	if (chdir(rootfs) < 0)
		goto fail_errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		goto fail_errno;
	if (umount2(".", MNT_DETACH) < 0)
		goto fail_errno;
	if (chdir("/") < 0)
		goto fail_errno;
	return 0;

fail_errno:;
	int ret = -errno;
	log_error("entering rootfs %s: %s", rootfs, strerror(errno));
	return ret;
}

/* Enough to serve files owned by anyone, now and once write operations
 * exist (chown, utimes of others' files, setgid preservation). */
static const int kept_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID,
};

static bool cap_kept(int cap)
{
	for (size_t i = 0; i < ARRAY_SIZE(kept_caps); i++)
		if (kept_caps[i] == cap)
			return true;
	return false;
}

int gofer_drop_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int ret;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail_errno;
	/* Keeps same-uid processes (the sentry included) from ptrace or
	 * /proc/PID/mem access to the gofer. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		goto fail_errno;

	/* The bounding set first: dropping from it needs CAP_SETPCAP, which
	 * capset below takes away. */
	for (int cap = 0; cap < 64; cap++) {
		if (cap_kept(cap))
			continue;
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0 && errno == EINVAL)
			break; /* past the kernel's last capability */
		if (r == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			goto fail_errno;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		goto fail_errno;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		goto fail_errno;
	uint32_t keep[_LINUX_CAPABILITY_U32S_3] = { 0 };
	for (size_t i = 0; i < ARRAY_SIZE(kept_caps); i++)
		keep[CAP_TO_INDEX(kept_caps[i])] |= CAP_TO_MASK(kept_caps[i]);
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].permitted &= keep[i];
		data[i].effective = data[i].permitted;
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		goto fail_errno;
	return 0;

fail_errno:
	ret = -errno;
	log_error("dropping privileges: %s", strerror(errno));
	return ret;
}
