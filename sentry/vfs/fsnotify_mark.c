/* fsnotify marks: attaching them to inodes, and their end when the inode
 * is deleted or unmounted (see sentry/fsnotify.h). */
#include <stdlib.h>
#include <sys/stat.h>

#include "runsc/util.h"
#include "sentry/vfs/fsnotify_impl.h"
#include "sentry/vfs/vfs_impl.h"

static struct list_head all_conns = LIST_HEAD_INIT(all_conns);

bool fsnotify_inode_watched(const struct inode *ino)
{
	return fsnotify_has_marks(ino);
}

void fsnotify_add_mark(struct fsnotify_mark *m, struct inode *ino)
{
	struct fsnotify_conn *c = ino->i_fsnotify;

	if (!c) {
		c = xzalloc(sizeof(*c));
		c->inode = ino;
		list_init(&c->marks);
		list_add_tail(&c->all, &all_conns);
		ino->i_fsnotify = c;
	}
	list_add_tail(&m->i_list, &c->marks);
	m->inode = inode_get(ino);
}

void fsnotify_detach_mark(struct fsnotify_mark *m)
{
	struct inode *ino = m->inode;

	if (!ino)
		return;
	list_del(&m->i_list);
	m->inode = NULL;
	if (!fsnotify_has_marks(ino))
		d_unpin_inode(ino);
	inode_put(ino);
}

struct fsnotify_mark *fsnotify_find_mark(struct inode *ino,
					 bool (*match)(struct fsnotify_mark *m, void *arg),
					 void *arg)
{
	struct fsnotify_mark *m;

	if (!ino->i_fsnotify)
		return NULL;
	list_for_each_entry(m, &ino->i_fsnotify->marks, i_list)
		if (match(m, arg))
			return m;
	return NULL;
}

void fsnotify_inode_evict(struct inode *ino)
{
	struct fsnotify_conn *c = ino->i_fsnotify;

	if (!c)
		return;
	list_del(&c->all);
	free(c);
	ino->i_fsnotify = NULL;
}

/* Ends every mark on ino (held by the caller): each owner hears it. */
static void detach_all(struct inode *ino)
{
	while (fsnotify_has_marks(ino)) {
		struct fsnotify_mark *m =
			list_first_entry(&ino->i_fsnotify->marks, struct fsnotify_mark, i_list);

		fsnotify_detach_mark(m);
		m->ops->detached(m);
	}
}

/* fsnotify_inoderemove(). */
static void inode_removed(struct inode *ino)
{
	if (!fsnotify_has_marks(ino))
		return;
	inode_get(ino);
	fsnotify_inode_event(ino, IN_DELETE_SELF);
	detach_all(ino);
	inode_put(ino);
}

void fsnotify_unlinked(struct dentry *victim, bool last)
{
	struct inode *ino = victim->inode;

	if (!last || !fsnotify_has_marks(ino))
		return;
	/* shrink_dcache_parent(): the negative dentries cached below a
	 * removed directory are not users of it. */
	if (S_ISDIR(ino->mode))
		d_prune_unused_children(victim);
	if (victim->refcount == 1)
		inode_removed(ino);
	else
		victim->notify_deleted = true;
}

void fsnotify_d_free(struct dentry *d)
{
	if (d->notify_deleted && d->inode)
		inode_removed(d->inode);
}

static int cmp_conn_ino(const void *a, const void *b)
{
	const struct fsnotify_conn *x = *(struct fsnotify_conn *const *)a;
	const struct fsnotify_conn *y = *(struct fsnotify_conn *const *)b;

	return x->inode->ino < y->inode->ino ? 1 : x->inode->ino > y->inode->ino ? -1 : 0;
}

void fsnotify_sb_unmount(struct superblock *sb)
{
	_cleanup_free_ struct inode **inos = NULL;
	_cleanup_free_ struct fsnotify_conn **cs = NULL;
	struct fsnotify_conn *c;
	size_t n = 0, i = 0;

	list_for_each_entry(c, &all_conns, all)
		if (c->inode->sb == sb && !list_empty(&c->marks))
			n++;
	if (!n)
		return;
	cs = xmalloc(n * sizeof(*cs));
	list_for_each_entry(c, &all_conns, all)
		if (c->inode->sb == sb && !list_empty(&c->marks))
			cs[i++] = c;
	/* Linux walks the superblock's inodes newest first. */
	qsort(cs, n, sizeof(*cs), cmp_conn_ino);
	inos = xmalloc(n * sizeof(*inos));
	for (i = 0; i < n; i++)
		inos[i] = inode_get(cs[i]->inode);
	for (i = 0; i < n; i++) {
		fsnotify_inode_event(inos[i], IN_UNMOUNT);
		detach_all(inos[i]);
		inode_put(inos[i]);
	}
}
