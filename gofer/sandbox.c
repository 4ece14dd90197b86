/* Namespaces, pivot_root and capabilities for the gofer. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <stdlib.h>
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

/* A detached copy of the host mount at source (and, with recursive, the
 * mounts below it), nosuid, nodev and read-only if asked: the kernel then
 * enforces those flags on everything served from it, and a plain bind does
 * not expose what is mounted below the source (rbind does). */
static int clone_tree(const char *source, bool readonly, bool recursive)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (readonly ? MOUNT_ATTR_RDONLY : 0),
	};
	unsigned int rec = recursive ? AT_RECURSIVE : 0;
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);

	if (fd < 0)
		return -errno;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | rec, &attr, sizeof(attr)) < 0) {
		int ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static int open_file_bind(const char *source, struct gofer_mount *m)
{
	_cleanup_free_ char *real = realpath(source, NULL);
	struct stat st, fst;
	char *slash;

	if (!real)
		return -errno;
	slash = strrchr(real, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	m->fd = open(real, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	*slash = '\0';
	m->parent_fd = open(real[0] ? real : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (m->parent_fd < 0)
		return -errno;
	m->name = xstrdup(slash + 1);
	/* The name must lead back to the file we opened. */
	if (fstatat(m->parent_fd, m->name, &st, AT_SYMLINK_NOFOLLOW) < 0 || fstat(m->fd, &fst) < 0)
		return -errno;
	if (st.st_dev != fst.st_dev || st.st_ino != fst.st_ino)
		return -ESTALE;
	return 0;
}

int gofer_open_bind(const char *source, bool readonly, bool recursive, struct gofer_mount *m)
{
	struct stat st;
	int ret;

	*m = (struct gofer_mount){ .fd = -1, .parent_fd = -1, .readonly = readonly };
	/* Sources are the host's paths from config.json: symlinks in them
	 * are followed here, on the host, as runc does. */
	if (stat(source, &st) < 0) {
		ret = -errno;
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		/* The gofer enforces read-only on a file bind itself (EROFS):
		 * a file cannot be reopened from a detached mount's fd. */
		ret = open_file_bind(source, m);
		if (ret < 0)
			goto fail;
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		ret = -EINVAL;
		goto fail;
	}
	ret = clone_tree(source, readonly, recursive);
	if (ret == -ENOSYS) {
		/* Before Linux 5.12: the source itself (its submounts show, and
		 * read-only is the gofer's own check). */
		log_debug("bind mount %s: no open_tree/mount_setattr, serving the host mount", source);
		ret = open(source, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (ret < 0)
			ret = -errno;
	}
	if (ret < 0)
		goto fail;
	m->fd = ret;
	return 0;
fail:
	log_error("bind mount source %s: %s", source,
		  ret == -EINVAL ? "not a directory or a regular file" : strerror(-ret));
	if (m->fd >= 0)
		close(m->fd);
	if (m->parent_fd >= 0)
		close(m->parent_fd);
	free((char *)m->name);
	*m = (struct gofer_mount){ .fd = -1, .parent_fd = -1 };
	return ret;
}

int gofer_enter_rootfs(const char *rootfs, bool readonly, const struct gofer_bind *binds,
		       size_t nbinds, struct gofer_mount *bind_mounts)
{
	struct stat st;
	size_t opened = 0;

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
	/* Bind mount sources are host paths: open them while the host's
	 * tree is still visible. */
	for (; opened < nbinds; opened++) {
		int ret = gofer_open_bind(binds[opened].source, binds[opened].readonly,
					  binds[opened].recursive, &bind_mounts[opened]);
		if (ret < 0) {
			gofer_close_binds(bind_mounts, opened);
			return ret;
		}
	}
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
	gofer_close_binds(bind_mounts, opened);
	return ret;
}

void gofer_close_binds(struct gofer_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (m[i].fd >= 0)
			close(m[i].fd);
		if (m[i].parent_fd >= 0)
			close(m[i].parent_fd);
		free((char *)m[i].name);
		m[i] = (struct gofer_mount){ .fd = -1, .parent_fd = -1 };
	}
}

/* Enough to serve files owned by anyone and to write as the sentry asks:
 * chown to the workload's ids, utimes and chmod of others' files, set-id
 * bits kept, and linkat(AT_EMPTY_PATH) of a fid's file. */
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
