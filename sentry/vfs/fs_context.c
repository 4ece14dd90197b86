/* Per-task filesystem context: root, cwd and umask (CLONE_FS shares one). */
#include <stdlib.h>

#include "runsc/util.h"
#include "sentry/vfs.h"

struct fs_context *fs_context_new(const struct path *root, const struct path *cwd)
{
	struct fs_context *fs = xzalloc(sizeof(*fs));

	fs->refcount = 1;
	fs->root = *root;
	path_get(&fs->root);
	fs->cwd = *cwd;
	path_get(&fs->cwd);
	fs->umask = 022;
	return fs;
}

struct fs_context *fs_context_copy(const struct fs_context *fs)
{
	struct fs_context *n = fs_context_new(&fs->root, &fs->cwd);

	n->umask = fs->umask;
	return n;
}

void fs_context_put(struct fs_context *fs)
{
	if (!fs || --fs->refcount > 0)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	free(fs);
}
