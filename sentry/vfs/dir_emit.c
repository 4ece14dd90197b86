/* The "." and ".." every directory listing starts with (Linux's
 * dir_emit_dots). */
#include <dirent.h>

#include "sentry/vfs.h"
#include "sentry/vfs/vfs_impl.h"

bool dir_emit_dots(struct file *f, struct dir_context *ctx)
{
	if (ctx->pos == 0) {
		if (!ctx->actor(ctx, ".", 1, 1, f->inode->ino, DT_DIR))
			return false;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		/* At the root of a mount, or without a dentry: itself. */
		struct dentry *d = f->path.dentry;
		uint64_t pino = d && d->parent->inode ? d->parent->inode->ino : f->inode->ino;

		if (!ctx->actor(ctx, "..", 2, 2, pino, DT_DIR))
			return false;
		ctx->pos = 2;
	}
	return true;
}
