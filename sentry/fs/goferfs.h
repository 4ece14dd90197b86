/* goferfs entry points beyond the VFS's (vfs_impl.h declares
 * goferfs_mount_root). */
#ifndef SENTRY_FS_GOFERFS_H
#define SENTRY_FS_GOFERFS_H

#include <stddef.h>
#include <stdint.h>

struct gofer_client;
struct inode;
struct kernel;
struct spec_mount;

/* config.json mounts of host paths (type "bind", or a "bind"/"rbind"
 * option), mounted by the gofer-backed filesystem: returns the root inode
 * of what the gofer serves for mount number index of the spec (k->spec);
 * -EINVAL if that mount is not a bind mount. */
int goferfs_spec_bind_root(struct kernel *k, const struct spec_mount *m, size_t index,
			   struct inode **root);

/* The root inode (new reference, its own superblock) of the gofer's bind
 * mount number `mount` (1.., see gofer/binds.h): a directory, or a regular
 * file for a file bind. */
int goferfs_mount_bind(struct gofer_client *c, uint32_t mount, struct inode **root);

/* Mounts every config.json bind mount of k->spec at its destination (made
 * if missing, as runc does), read-only, nosuid, nodev, noexec as its
 * options say. Stands in until the mount table (vfs_init_root) mounts
 * config.json's mounts in order itself through goferfs_spec_bind_root:
 * once that has happened it does nothing. */
int goferfs_mount_spec_binds(struct kernel *k);
/* How many bind roots goferfs_spec_bind_root has handed out. */
extern unsigned int goferfs_spec_binds_attached;

#endif
