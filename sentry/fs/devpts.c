/* devpts: the directory of pseudo-terminal slaves, /dev/pts, with the
 * ptmx node that makes new pairs (fs/devpts/inode.c). One instance per
 * sandbox, with the options the OCI default spec mounts it with
 * (newinstance,ptmxmode=0666,mode=0620,gid=5): ptmx is 0666, a slave node
 * is 0620, owned by the uid that opened ptmx and group tty (5). A slave's
 * node exists from the ptmx open until the master is closed; its index is
 * reused only once both sides are gone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "runsc/log.h"
#include "runsc/util.h"
#include "sentry/fs/tty_pty.h"
#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

#define DEVPTS_SLAVE_MODE 0620
#define DEVPTS_PTMX_MODE 0666
#define DEVPTS_GID 5 /* tty */
/* Inode numbers as Linux gives them: root 1, ptmx 2, slave N is N+3. */
#define DEVPTS_ROOT_INO 1
#define DEVPTS_PTMX_INO 2
#define DEVPTS_FIRST_SLAVE_INO 3

static struct superblock *devpts_sb;
static struct inode *devpts_root_ino, *ptmx_ino;
static struct pty *ptys[PTY_MAX];

/* ---- nodes ---- */

static int ptmx_open_task(struct task *t, struct inode *ino, struct file *f)
{
	return ptmx_open(f, t);
}

static int slave_open_task(struct task *t, struct inode *ino, struct file *f)
{
	struct pty *p = ino->priv;

	if (!p)
		return -EIO; /* the pair is gone; only a stale name led here */
	return pty_slave_open(p, f, t);
}

static const struct inode_ops ptmx_iops = { .open_task = ptmx_open_task };
static const struct inode_ops slave_iops = { .open_task = slave_open_task };

/* ---- the directory ---- */

static bool pty_listed(const struct pty *p)
{
	return p && !p->hung_up;
}

static int parse_index(const char *name)
{
	long v = 0;

	/* Names are canonical decimal numbers: "01" is not "1". */
	if (!*name || (name[0] == '0' && name[1]))
		return -1;
	for (const char *c = name; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		v = v * 10 + (*c - '0');
		if (v >= PTY_MAX)
			return -1;
	}
	return (int)v;
}

static int devpts_lookup(struct inode *dir, const char *name, struct inode **out)
{
	int idx;

	if (!strcmp(name, "ptmx")) {
		*out = inode_get(ptmx_ino);
		return 0;
	}
	idx = parse_index(name);
	if (idx < 0 || !pty_listed(ptys[idx]))
		return -ENOENT;
	*out = inode_get(ptys[idx]->slave_ino);
	return 0;
}

/* Positions: 0 ".", 1 "..", 2 "ptmx", then 3 + N for slave N, so that a
 * reader's offset stays valid while pairs come and go. */
static int devpts_iterate(struct file *f, struct dir_context *ctx)
{
	char name[16];

	if (ctx->pos < 0)
		return -EINVAL;
	if (!dir_emit_dots(f, ctx))
		return 0;
	if (ctx->pos == 2) {
		if (!ctx->actor(ctx, "ptmx", 4, 3, ptmx_ino->ino, DT_CHR))
			return 0;
		ctx->pos = 3;
	}
	for (int64_t i = ctx->pos - 3; i < PTY_MAX; i++) {
		struct pty *p = ptys[i];
		int n;

		if (!pty_listed(p))
			continue;
		n = snprintf(name, sizeof(name), "%d", (int)i);
		if (!ctx->actor(ctx, name, n, i + 4, p->slave_ino->ino, DT_CHR))
			return 0;
		ctx->pos = i + 4;
	}
	ctx->pos = PTY_MAX + 3;
	return 0;
}

static unsigned int devpts_dir_poll(struct file *f, struct task *t, unsigned int events)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static const struct inode_ops dir_iops = { .lookup = devpts_lookup };
static const struct file_ops dir_fops = {
	.llseek = dcache_dir_llseek,
	.iterate = devpts_iterate,
	.poll = devpts_dir_poll,
};

/* As devpts_show_options; the instance's options are fixed. */
static int devpts_show_options(struct superblock *sb, char *buf, size_t len)
{
	int n = snprintf(buf, len, "gid=%d,mode=%03o,ptmxmode=%03o", DEVPTS_GID, DEVPTS_SLAVE_MODE,
			 DEVPTS_PTMX_MODE);

	return n < 0 ? 0 : (int)MIN((size_t)n, len ? len - 1 : 0);
}

static void devpts_init(void)
{
	if (devpts_sb)
		return;
	/* Entries come and go behind the VFS's back: no cached names. */
	devpts_sb = sb_new("devpts", SB_NO_DCACHE);
	devpts_sb->show_options = devpts_show_options;
	devpts_root_ino = inode_new(devpts_sb, S_IFDIR | 0755, &dir_iops, &dir_fops);
	devpts_root_ino->ino = DEVPTS_ROOT_INO;
	ptmx_ino = inode_new(devpts_sb, S_IFCHR | DEVPTS_PTMX_MODE, &ptmx_iops, &pty_master_fops);
	ptmx_ino->ino = DEVPTS_PTMX_INO;
	ptmx_ino->rdev = makedev(TTYAUX_MAJOR, 2);
	sb_put(devpts_sb); /* the inodes hold it */
}

int devpts_root(struct inode **root)
{
	devpts_init();
	*root = inode_get(devpts_root_ino);
	return 0;
}

/* ---- pairs ---- */

int devpts_add(struct pty *p, uid_t uid)
{
	struct inode *ino;
	int idx;

	devpts_init();
	for (idx = 0; idx < PTY_MAX && ptys[idx]; idx++)
		;
	if (idx == PTY_MAX)
		return -ENOSPC;
	ino = inode_new(devpts_sb, S_IFCHR | DEVPTS_SLAVE_MODE, &slave_iops, &pty_slave_fops);
	ino->ino = DEVPTS_FIRST_SLAVE_INO + (uint64_t)idx;
	ino->rdev = makedev(PTY_SLAVE_MAJOR + idx / 256, idx % 256);
	ino->uid = uid;
	ino->gid = DEVPTS_GID;
	ino->priv = p;
	p->slave_ino = ino;
	p->index = idx;
	ptys[idx] = p;
	return 0;
}

void devpts_remove(struct pty *p)
{
	if (p->index >= 0 && p->index < PTY_MAX && ptys[p->index] == p)
		ptys[p->index] = NULL;
	if (p->slave_ino) {
		p->slave_ino->priv = NULL;
		inode_put(p->slave_ino);
		p->slave_ino = NULL;
	}
}

int devpts_open_slave(struct pty *p, const struct file *master, struct task *t, int flags,
		      struct file **out)
{
	struct dentry *dir = master->path.dentry ? master->path.dentry->parent : NULL;
	struct file *f;
	int rc;

	if (dir && dir->inode == devpts_root_ino && master->path.mnt) {
		char name[16];
		struct path sp;
		int n = snprintf(name, sizeof(name), "%d", p->index);

		sp.dentry = d_lookup_child(dir, name, (size_t)n, &rc);
		if (!sp.dentry)
			return rc;
		if (sp.dentry->inode == p->slave_ino) {
			sp.mnt = mnt_get(master->path.mnt);
			rc = vfs_do_open(t, NULL, &sp, flags, false, out);
			path_put(&sp);
			return rc;
		}
		dentry_put(sp.dentry);
	}
	/* The master was not opened through devpts (the console's): a file
	 * on the node without a path. */
	f = file_alloc(&pty_slave_fops, flags, NULL);
	f->inode = inode_get(p->slave_ino);
	rc = pty_slave_open(p, f, t);
	if (rc < 0) {
		f->ops = NULL;
		file_put(f);
		return rc;
	}
	f->flags = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | KERNEL_O_LARGEFILE;
	*out = f;
	return 0;
}

/* ---- mount -t devpts ---- */

/* Whether opt (one "key=value" or flag of the mount data) says what the
 * instance is: the options of the OCI default spec. */
static bool devpts_opt_ok(const char *opt)
{
	const char *v = strchr(opt, '=');
	size_t klen = v ? (size_t)(v - opt) : strlen(opt);
	unsigned long n;
	char *end;

	if (!v)
		return klen == strlen("newinstance") && !strncmp(opt, "newinstance", klen);
	v++;
	errno = 0;
	if (klen == 3 && !strncmp(opt, "gid", 3)) {
		n = strtoul(v, &end, 10);
		return *v && !*end && !errno && n == DEVPTS_GID;
	}
	n = strtoul(v, &end, 8);
	if (!*v || *end || errno)
		return false;
	if (klen == 4 && !strncmp(opt, "mode", 4))
		return n == DEVPTS_SLAVE_MODE;
	if (klen == 8 && !strncmp(opt, "ptmxmode", 8))
		return n == DEVPTS_PTMX_MODE;
	return false;
}

/* Every mount is the sandbox's one instance (newinstance or not: the
 * sandbox shares ptys with nobody), so only its own options are taken;
 * others (uid=, max=, other modes) are EINVAL. */
static int devpts_mount(const char *source, unsigned long sb_flags, const char *data,
			struct inode **root)
{
	_cleanup_free_ char *copy = data ? xstrdup(data) : NULL;
	char *save = NULL;

	for (char *opt = copy ? strtok_r(copy, ",", &save) : NULL; opt; opt = strtok_r(NULL, ",", &save)) {
		if (!devpts_opt_ok(opt)) {
			log_once("devpts_opts", "mount -t devpts: only newinstance,ptmxmode=0666,"
						"mode=0620,gid=5 are supported (EINVAL)");
			return -EINVAL;
		}
	}
	return devpts_root(root);
}

FS_TYPE_DEFINE(devpts) = { .name = "devpts", .mount = devpts_mount, .flags = FS_TYPE_NODEV };
