/* config.json bind mounts at boot: each one a goferfs mount of what the
 * gofer opened on the host for it.
 *
 * COORDINATION: this is the minimal call site for bind mounts, from
 * sentry/main.c right after vfs_init_root. When the mount table that
 * handles all of config.json's mounts in order lands (vfs_init_root calls
 * goferfs_spec_bind_root for each bind), this file and its call can go;
 * until they do, this steps aside when the mount table already attached
 * the binds, so the two never mount them twice. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "gofer/binds.h"
#include "runsc/log.h"
#include "runsc/spec.h"
#include "runsc/util.h"
#include "sentry/fs/goferfs.h"
#include "sentry/kernel.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

/* Makes name (a directory, or an empty file) under parent if missing. */
static int make_component(const char *parent, const char *name, bool dir)
{
	struct inode *ino = NULL;
	struct dentry *child;
	struct path p;
	int rc;

	rc = vfs_lookup(NULL, AT_FDCWD, parent, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (rc < 0)
		return rc;
	child = d_lookup_child(p.dentry, name, strlen(name), &rc);
	if (child && !child->inode) {
		struct inode *d = p.dentry->inode;

		if (path_readonly(&p))
			rc = -EROFS;
		else if (dir)
			rc = d->iops && d->iops->mkdir ? d->iops->mkdir(d, name, S_IFDIR | 0755) : -EPERM;
		else if (!d->iops || !d->iops->create)
			rc = -EPERM;
		else if ((rc = d->iops->create(d, name, S_IFREG | 0644, &ino)) == 0)
			inode_put(ino);
		d_drop(child); /* the next lookup finds what was made */
	}
	if (child)
		dentry_put(child);
	path_put(&p);
	return rc;
}

/* The mountpoint dest, made component by component if missing: the last
 * one a directory or, for a file bind, an empty file. */
static int mountpoint(const char *dest, bool dir, struct path *out)
{
	_cleanup_free_ char *buf = NULL;
	int rc = vfs_lookup(NULL, AT_FDCWD, dest, LOOKUP_FOLLOW, out);

	if (rc != -ENOENT)
		return rc;
	buf = xstrdup(dest);
	for (char *start = buf; *start;) {
		while (*start == '/')
			start++;
		if (!*start)
			break;
		char *end = start + strcspn(start, "/");
		char saved = *end;
		bool last = !end[strspn(end, "/")];

		if (end - start == 2 && !strncmp(start, "..", 2))
			return -EINVAL; /* never above what it names */
		*end = '\0';
		start[-1] = '\0';
		rc = make_component(buf[0] ? buf : "/", start, dir || !last);
		start[-1] = '/';
		*end = saved;
		if (rc < 0)
			return rc;
		start = end;
	}
	return vfs_lookup(NULL, AT_FDCWD, dest, LOOKUP_FOLLOW, out);
}

static unsigned long bind_flags(const struct spec_mount *m)
{
	static const struct { const char *opt; unsigned long set, clear; } map[] = {
		{ "ro", MS_RDONLY, 0 },     { "rw", 0, MS_RDONLY },
		{ "nosuid", MS_NOSUID, 0 }, { "suid", 0, MS_NOSUID },
		{ "nodev", MS_NODEV, 0 },   { "dev", 0, MS_NODEV },
		{ "noexec", MS_NOEXEC, 0 }, { "exec", 0, MS_NOEXEC },
	};
	unsigned long flags = 0;

	for (size_t i = 0; i < m->n_options; i++)
		for (size_t j = 0; j < ARRAY_SIZE(map); j++)
			if (!strcmp(m->options[i], map[j].opt))
				flags = (flags | map[j].set) & ~map[j].clear;
	return flags;
}

int goferfs_mount_spec_binds(struct kernel *k)
{
	if (!k->spec || goferfs_spec_binds_attached)
		return 0;
	for (size_t i = 0; i < k->spec->n_mounts; i++) {
		const struct spec_mount *m = &k->spec->mounts[i];
		struct inode *root;
		struct path mp;
		int rc;

		if (!spec_mount_is_bind(m))
			continue;
		if (!m->destination || m->destination[0] != '/') {
			log_error("mounts[%zu]: destination must be an absolute path", i);
			return -EINVAL;
		}
		rc = goferfs_spec_bind_root(k, m, i, &root);
		if (rc < 0) {
			log_error("bind mount of %s: %s", m->destination, strerror(-rc));
			return rc;
		}
		rc = mountpoint(m->destination, S_ISDIR(root->mode), &mp);
		if (rc == 0) {
			rc = vfs_mount(&mp, root, bind_flags(m), NULL);
			path_put(&mp);
		}
		inode_put(root);
		if (rc < 0) {
			log_error("bind mount on %s: %s", m->destination, strerror(-rc));
			return rc;
		}
	}
	return 0;
}
