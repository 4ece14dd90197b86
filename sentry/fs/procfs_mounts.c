/* /proc/PID/mounts and /proc/PID/mountinfo, as Linux's
 * fs/proc_namespace.c prints them: the mounts below the process's root,
 * paths relative to it, in mount order. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

#include "runsc/util.h"
#include "sentry/fs/procfs.h"

/* mangle(): what would break the line format is written octal-escaped. */
static void put_escaped(struct sbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			sbuf_printf(out, "\\%03o", (unsigned char)*s);
		else
			sbuf_write(out, s, 1);
	}
}

static void put_mnt_opts(struct sbuf *out, unsigned long flags)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} opts[] = {
		{ MS_NOSUID, ",nosuid" },   { MS_NODEV, ",nodev" },
		{ MS_NOEXEC, ",noexec" },   { MS_NOATIME, ",noatime" },
		{ MS_NODIRATIME, ",nodiratime" }, { MS_RELATIME, ",relatime" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (flags & opts[i].flag)
			sbuf_puts(out, opts[i].name);
}

static void put_sb_opts(struct sbuf *out, unsigned long flags)
{
	if (flags & MS_SYNCHRONOUS)
		sbuf_puts(out, ",sync");
	if (flags & MS_DIRSYNC)
		sbuf_puts(out, ",dirsync");
}

/* The filesystem's own options (tmpfs: size=, mode=), as show_options. */
static void put_fs_opts(struct sbuf *out, struct superblock *sb)
{
	char opts[512];

	if (sb->show_options && sb->show_options(sb, opts, sizeof(opts)) > 0) {
		sbuf_puts(out, ",");
		put_escaped(out, opts);
	}
}

struct mounts_ctx {
	struct task *t;
	struct sbuf *out;
	bool info;
};

/* The mount's root within its own filesystem (a bind mount of a
 * subdirectory shows that directory). */
static void put_mnt_root(struct sbuf *out, const struct mount *m)
{
	const struct dentry *names[64];
	int n = 0;

	for (const struct dentry *d = m->root; !d_is_root(d) && n < (int)ARRAY_SIZE(names); d = d->parent)
		names[n++] = d;
	if (!n)
		sbuf_puts(out, "/");
	while (n-- > 0) {
		sbuf_puts(out, "/");
		put_escaped(out, names[n]->name);
	}
}

static int show_one(struct mount *m, void *arg)
{
	struct mounts_ctx *c = arg;
	struct path where = { m, m->root };
	const struct path *root = c->t && c->t->fs ? &c->t->fs->root : NULL;
	char path[PATH_MAX];
	bool unreachable;
	const char *dev = m->source ? m->source : "none";
	unsigned long sbf = m->sb->flags;

	if (d_path_ex(&where, root, path, sizeof(path), &unreachable) < 0 || unreachable)
		return 0;
	/* Internal mounts (procfs's private dentries) are in no namespace. */
	if (!m->parent && (!root || root->mnt != m) && (!kernel || kernel->root_mount != m))
		return 0;
	if (!c->info) {
		put_escaped(c->out, dev);
		sbuf_puts(c->out, " ");
		put_escaped(c->out, path);
		sbuf_printf(c->out, " %s %s", m->sb->fstype, ((m->flags | sbf) & MS_RDONLY) ? "ro" : "rw");
		put_sb_opts(c->out, sbf);
		put_mnt_opts(c->out, m->flags);
		put_fs_opts(c->out, m->sb);
		sbuf_puts(c->out, " 0 0\n");
		return 0;
	}
	sbuf_printf(c->out, "%d %d %u:%u ", m->id, m->parent ? m->parent->id : m->id, major(m->sb->dev),
		    minor(m->sb->dev));
	put_mnt_root(c->out, m);
	sbuf_puts(c->out, " ");
	put_escaped(c->out, path);
	sbuf_puts(c->out, (m->flags & MS_RDONLY) ? " ro" : " rw");
	put_mnt_opts(c->out, m->flags);
	sbuf_printf(c->out, " - %s ", m->sb->fstype);
	put_escaped(c->out, dev);
	sbuf_puts(c->out, (sbf & MS_RDONLY) ? " ro" : " rw");
	put_sb_opts(c->out, sbf);
	put_fs_opts(c->out, m->sb);
	sbuf_puts(c->out, "\n");
	return 0;
}

int procfs_show_mounts(struct task *t, struct sbuf *out)
{
	struct mounts_ctx c = { t, out, false };

	return mnt_for_each(show_one, &c);
}

int procfs_show_mountinfo(struct task *t, struct sbuf *out)
{
	struct mounts_ctx c = { t, out, true };

	return mnt_for_each(show_one, &c);
}
