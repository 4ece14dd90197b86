/* The sandbox's initial mount tree, built at boot before the sentry
 * confines itself:
 *
 *   1. the root: the gofer-served rootfs under an overlay whose upper
 *      layer is a tmpfs in sentry memory (or the rootfs alone with
 *      --overlay=none, writes then going through the gofer);
 *   2. devfs on /dev (a config.json tmpfs mount on /dev gets devfs
 *      instead, as runsc does: the sandbox's /dev is always its own);
 *   3. config.json's mounts, in order, each by its type from the registry
 *      (FS_TYPE_DEFINE), bind mounts of host paths through goferfs;
 *   4. the default mounts below that config.json did not make (/proc,
 *      /dev/pts, /dev/shm, /sys, /sys/fs/cgroup), as runsc gives every
 *      container;
 *   5. maskedPaths and readonlyPaths, as runc applies them;
 *   6. root.readonly: the root mount becomes read-only last, so that
 *      mountpoints could still be made in it.
 *
 * Missing mountpoints are created (mkdir -p, or an empty file for a file
 * bind mount): in the overlay's upper layer by default, so the bundle is
 * never touched. mqueue mounts show the sandbox's one set of POSIX
 * message queues (sentry/fs/mqueue.c); filesystem types nobody has
 * registered are skipped with a warning. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "gofer/binds.h"
#include "runsc/log.h"
#include "runsc/spec.h"
#include "runsc/util.h"
#include "sentry/fs/goferfs.h"
#include "sentry/fs/overlay.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/kernel.h"
#include "sentry/mm.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

/* ---- mountpoints ---- */

/* Creates the last component of the absolute path (its parent exists). */
static int create_last(const char *path, bool dir)
{
	struct nameidata nd;
	struct dentry *child;
	struct inode *pdir, *ino;
	int rc;

	if ((rc = nd_init(&nd, NULL, NULL, AT_FDCWD, path, 0)) < 0)
		return rc;
	if ((rc = nd_walk(&nd, path, true)) < 0)
		goto out;
	if (nd.last_type != LAST_NORM) {
		rc = -EEXIST;
		goto out;
	}
	child = d_lookup_child(nd.cur.dentry, nd.last, nd.last_len, &rc);
	if (!child)
		goto out;
	pdir = nd.cur.dentry->inode;
	if (child->inode)
		rc = 0;
	else if (path_readonly(&nd.cur))
		rc = -EROFS;
	else if (dir)
		rc = pdir->iops && pdir->iops->mkdir ? pdir->iops->mkdir(pdir, nd.last, S_IFDIR | 0755) : -EPERM;
	else if (!pdir->iops || !pdir->iops->create)
		rc = -EPERM;
	else if ((rc = pdir->iops->create(pdir, nd.last, S_IFREG | 0644, &ino)) == 0)
		inode_put(ino);
	if (rc == 0)
		d_drop(child); /* the next lookup finds what was made */
	dentry_put(child);
out:
	nd_release(&nd);
	return rc;
}

/* Resolves dest in the sandbox (symlinks stay inside it), making what is
 * missing: directories, and for !dir an empty file at the end. */
static int make_mountpoint(const char *dest, bool dir, struct path *out)
{
	_cleanup_free_ char *path = xstrdup(dest);
	int rc = vfs_lookup(NULL, AT_FDCWD, dest, LOOKUP_FOLLOW, out);

	if (rc != -ENOENT)
		return rc;
	for (char *p = path + 1;; p++) {
		bool last = !*p;
		struct path tmp;

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		rc = vfs_lookup(NULL, AT_FDCWD, path, LOOKUP_FOLLOW, &tmp);
		if (rc == 0)
			path_put(&tmp);
		else if (rc != -ENOENT || (rc = create_last(path, !last || dir)) < 0)
			return rc;
		if (last)
			break;
		*p = '/';
	}
	return vfs_lookup(NULL, AT_FDCWD, dest, LOOKUP_FOLLOW, out);
}

/* ---- the root ---- */

static int mount_root(struct kernel *k)
{
	struct inode *lower, *root = NULL;
	struct mount *m;
	int rc;

	if (!k->gofer)
		return -ENOTCONN;
	if ((rc = goferfs_mount_root(k->gofer, &lower)) < 0)
		return rc;
	if (k->root_overlay_none) {
		root = lower;
	} else {
		/* The upper layer is bounded by memory only, as runsc's
		 * overlay2 medium "memory". */
		struct tmpfs_opts o = { .mode = 0755 };
		struct inode *upper;

		rc = tmpfs_new(k->mf, "tmpfs", 0, &o, &upper);
		if (rc == 0) {
			rc = overlay_new(lower, upper, 0, &root);
			if (rc < 0)
				inode_put(upper);
		}
		inode_put(lower);
		if (rc < 0)
			return rc;
	}
	rc = vfs_mount(NULL, root, 0, &m);
	inode_put(root);
	if (rc < 0)
		return rc;
	free(m->source);
	m->source = xstrdup(k->root_overlay_none ? "none" : "overlay");
	k->root_mount = m;
	return 0;
}

static int mount_devfs(unsigned long flags, const char *data)
{
	struct path dev;
	struct inode *root;
	struct mount *m;
	int rc;

	rc = make_mountpoint("/dev", true, &dev);
	if (rc < 0) {
		/* Without a mountpoint there is no /dev at all; the workload
		 * may still run (static binaries rarely need it). */
		log_warn("cannot make /dev (%s): not mounting devfs", strerror(-rc));
		return 0;
	}
	rc = devfs_new_root_opts(data, &root);
	if (rc == -EINVAL) {
		/* Options tmpfs does not know: /dev is the sandbox's own
		 * anyway, so it gets the defaults rather than no /dev. */
		log_warn("mount /dev: options \"%s\" not supported: using the defaults", data);
		rc = devfs_new_root_opts(NULL, &root);
	}
	if (rc == 0) {
		rc = vfs_mount(&dev, root, flags, &m);
		inode_put(root);
		if (rc == 0) {
			free(m->source);
			m->source = xstrdup("tmpfs");
		}
	}
	path_put(&dev);
	if (rc < 0)
		log_warn("mounting devfs on /dev: %s", strerror(-rc));
	return 0;
}

/* ---- config.json mounts ---- */

static bool same_dest(const char *a, const char *b);

static bool is_dev(const char *dest)
{
	return same_dest(dest, "/dev");
}

static int mount_bind(struct kernel *k, const struct spec_mount *sm, size_t index,
		      unsigned long flags)
{
	struct inode *root;
	struct path mp;
	struct mount *m;
	int rc;

	rc = goferfs_spec_bind_root(k, sm, index, &root);
	if (rc < 0) {
		log_error("mount %s: %s", sm->destination, strerror(-rc));
		return rc;
	}
	rc = make_mountpoint(sm->destination, S_ISDIR(root->mode), &mp);
	if (rc == 0) {
		rc = vfs_mount(&mp, root, flags, &m);
		path_put(&mp);
		if (rc == 0) {
			free(m->source);
			m->source = xstrdup(sm->source ? sm->source : "none");
		}
	}
	inode_put(root);
	if (rc < 0)
		log_error("mount %s: %s", sm->destination, strerror(-rc));
	return rc;
}

static int mount_one(struct kernel *k, const struct spec_mount *sm, size_t index, bool *dev_done)
{
	const char *type = sm->type ? sm->type : "";
	unsigned long set, clear, flags;
	_cleanup_free_ char *data = NULL;
	struct path mp;
	int rc;

	if (!sm->destination || sm->destination[0] != '/') {
		log_error("mount %s: destination must be an absolute path",
			  sm->destination ? sm->destination : "(none)");
		return -EINVAL;
	}
	mount_options_parse(sm->options, sm->n_options, &set, &clear, &data);
	/* Linux mounts relatime unless asked otherwise. */
	flags = (set & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT)) & ~clear;
	/* Host paths: the gofer opened them (numbered as it counts binds). */
	if (spec_mount_is_bind(sm))
		return mount_bind(k, sm, index, flags);
	/* The sandbox has no cgroup v1 hierarchies: a "cgroup" mount gets
	 * the read-only cgroup2 view. */
	if (!strcmp(type, "cgroup"))
		type = "cgroup2";
	if (is_dev(sm->destination)) {
		if (strcmp(type, "tmpfs"))
			log_warn("mount /dev: type %s replaced by the sandbox's devfs", type);
		*dev_done = true;
		return mount_devfs(flags, data);
	}
	if (!get_fs_type(type)) {
		log_warn("mount %s: filesystem type \"%s\" is not supported: skipped", sm->destination,
			 type);
		return 0;
	}
	rc = make_mountpoint(sm->destination, true, &mp);
	if (rc < 0) {
		log_error("mount %s: cannot make the mountpoint: %s", sm->destination, strerror(-rc));
		return rc;
	}
	rc = do_new_mount(&mp, type, sm->source ? sm->source : type, flags, data, NULL);
	path_put(&mp);
	if (rc < 0)
		log_error("mount %s (%s, \"%s\"): %s", sm->destination, type, data ? data : "",
			  strerror(-rc));
	return rc;
}

/* ---- default mounts ---- */

struct default_mount {
	const char *dest, *type, *source;
	unsigned long flags;
	const char *data;
};

/* What every container gets unless config.json says otherwise, with the
 * OCI default spec's options. */
static const struct default_mount default_mounts[] = {
	{ "/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5" },
	{ "/dev/shm", "tmpfs", "shm", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k" },
	{ "/sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "/sys/fs/cgroup", "cgroup2", "cgroup", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
};

static bool same_dest(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && !strncmp(a, b, la);
}

static void mount_defaults(const struct spec *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_mounts); i++) {
		const struct default_mount *dm = &default_mounts[i];
		bool in_spec = false;
		struct path mp;
		int rc;

		for (size_t j = 0; s && j < s->n_mounts && !in_spec; j++)
			in_spec = s->mounts[j].destination && same_dest(s->mounts[j].destination, dm->dest);
		if (in_spec || !get_fs_type(dm->type))
			continue;
		if ((rc = make_mountpoint(dm->dest, true, &mp)) < 0) {
			log_warn("no %s directory (%s): not mounting %s there", dm->dest, strerror(-rc),
				 dm->type);
			continue;
		}
		rc = do_new_mount(&mp, dm->type, dm->source, dm->flags, dm->data, NULL);
		if (rc < 0)
			log_warn("mounting %s on %s: %s", dm->type, dm->dest, strerror(-rc));
		path_put(&mp);
	}
}

/* ---- maskedPaths and readonlyPaths (runc's maskPath, readonlyPath) ---- */

static void mask_path(const char *path)
{
	struct path p, null;
	int rc = vfs_lookup(NULL, AT_FDCWD, path, LOOKUP_FOLLOW, &p);

	if (rc < 0) {
		if (rc != -ENOENT)
			log_warn("maskedPaths %s: %s", path, strerror(-rc));
		return;
	}
	if (S_ISDIR(p.dentry->inode->mode)) {
		/* An empty read-only tmpfs hides a directory. */
		rc = do_new_mount(&p, "tmpfs", "tmpfs", MS_RDONLY, NULL, NULL);
	} else if ((rc = vfs_lookup(NULL, AT_FDCWD, "/dev/null", LOOKUP_FOLLOW, &null)) == 0) {
		rc = do_bind_mount(&null, &p, false, NULL);
		path_put(&null);
	}
	if (rc < 0)
		log_warn("maskedPaths %s: %s", path, strerror(-rc));
	path_put(&p);
}

static void readonly_path(const char *path)
{
	struct path p;
	struct mount *m;
	int rc = vfs_lookup(NULL, AT_FDCWD, path, LOOKUP_FOLLOW, &p);

	if (rc < 0) {
		if (rc != -ENOENT)
			log_warn("readonlyPaths %s: %s", path, strerror(-rc));
		return;
	}
	rc = do_bind_mount(&p, &p, true, &m);
	if (rc == 0)
		mnt_set_flags(m, m->flags | MS_RDONLY);
	else
		log_warn("readonlyPaths %s: %s", path, strerror(-rc));
	path_put(&p);
}

static void set_tmpfs_default_size(const struct spec *s)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	uint64_t total = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : 0;

	/* Half the memory the sandbox may use, as Linux's tmpfs default. */
	if (s && s->linux_.has_resources && s->linux_.resources.memory_limit > 0 &&
	    (total == 0 || (uint64_t)s->linux_.resources.memory_limit < total))
		total = (uint64_t)s->linux_.resources.memory_limit;
	tmpfs_set_default_pages(total / 2 / PAGE_SIZE);
}

int vfs_init_root(struct kernel *k)
{
	const struct spec *s = k->spec;
	bool dev_done = false;
	int rc;

	set_tmpfs_default_size(s);
	if ((rc = mount_root(k)) < 0)
		return rc;
	/* devfs comes first unless config.json says where /dev goes. */
	for (size_t i = 0; s && i < s->n_mounts; i++) {
		if (s->mounts[i].destination && is_dev(s->mounts[i].destination))
			dev_done = true;
	}
	if (!dev_done)
		mount_devfs(MS_NOSUID, NULL);
	for (size_t i = 0; s && i < s->n_mounts; i++) {
		if ((rc = mount_one(k, &s->mounts[i], i, &dev_done)) < 0)
			return rc;
	}
	mount_defaults(s);
	for (size_t i = 0; s && i < s->linux_.n_masked_paths; i++)
		mask_path(s->linux_.masked_paths[i]);
	for (size_t i = 0; s && i < s->linux_.n_readonly_paths; i++)
		readonly_path(s->linux_.readonly_paths[i]);
	if (s && s->root_readonly)
		mnt_set_flags(k->root_mount, k->root_mount->flags | MS_RDONLY);
	return 0;
}
