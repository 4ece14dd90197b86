/* goferfs entry points beyond the VFS's (sentry/vfs.h declares
 * goferfs_spec_bind_root, vfs_impl.h goferfs_mount_root). */
#ifndef SENTRY_FS_GOFERFS_H
#define SENTRY_FS_GOFERFS_H

#include <stdint.h>

struct gofer_client;
struct inode;
struct kernel;

/* The root inode (new reference, its own superblock) of the gofer's bind
 * mount number `mount` (1.., see gofer/binds.h): a directory, or a regular
 * file for a file bind. */
int goferfs_mount_bind(struct gofer_client *c, uint32_t mount, struct inode **root);

/* Mounts every config.json bind mount of k->spec at its destination (made
 * if missing, as runc does), read-only, nosuid, nodev, noexec as its
 * options say. Stands in until the mount table (vfs_init_root) mounts
 * config.json's mounts in order itself through goferfs_spec_bind_root. */
int goferfs_mount_spec_binds(struct kernel *k);

#endif
