/* Writes the gofer fuzzer's seed corpus: one valid request and one valid
 * reply of every message type (and a few variants), each a file in DIR.
 * Made from the encoders, so the seeds follow the protocol as it is. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "gofer/protocol.h"

static const char *dir;
static int count;
static uint8_t buf[GOFER_MSG_MAX];

static void save(const char *kind, ssize_t n)
{
	char path[4096];
	FILE *f;

	if (n < 0) {
		fprintf(stderr, "gofer_seeds: cannot encode seed %d (%s): %s\n", count, kind,
			strerror((int)-n));
		return;
	}
	snprintf(path, sizeof(path), "%s/%s-%03d", dir, kind, count++);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
}

static void req(struct gofer_req r)
{
	save("req", gofer_req_encode(&r, buf, sizeof(buf)));
}

static void rep(struct gofer_rep r)
{
	save("rep", gofer_rep_encode(&r, buf, sizeof(buf)));
}

int main(int argc, char **argv)
{
	static struct gofer_req r;
	static uint8_t dents[1024];
	static const uint8_t value[] = "some value";
	static const char list[] = "user.a\0trusted.b";
	struct gofer_attr attr = { .ino = 42, .dev = 8, .mode = S_IFREG | 0644, .nlink = 1,
				   .size = 100, .blksize = 4096, .mtime_sec = 1700000000 };
	struct gofer_dirent de = { .ino = 7, .next_offset = 1, .type = 8 /* DT_REG */ };
	size_t off = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: gofer_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		perror(dir);
		return 1;
	}

	req((struct gofer_req){ .type = GOFER_MSG_ATTACH, .tag = 1, .attach.mount = 2 });
	r = (struct gofer_req){ .type = GOFER_MSG_WALK, .tag = 2, .walk.dirfid = 1 };
	strcpy(r.walk.name, "etc");
	req(r);
	req((struct gofer_req){ .type = GOFER_MSG_GETATTR, .tag = 3, .getattr.fid = 1 });
	req((struct gofer_req){ .type = GOFER_MSG_OPEN, .tag = 4, .open = { 1, O_RDWR | O_APPEND } });
	req((struct gofer_req){ .type = GOFER_MSG_READLINK, .tag = 5, .readlink.fid = 1 });
	req((struct gofer_req){ .type = GOFER_MSG_READDIR, .tag = 6,
				.readdir = { 1, GOFER_READDIR_MAX, 12345 } });
	req((struct gofer_req){ .type = GOFER_MSG_CLUNK, .tag = 7, .clunk.fid = 1 });
	r = (struct gofer_req){ .type = GOFER_MSG_CREATE, .tag = 8, .create = { 1, O_RDWR, 0644, 1000, 100 } };
	strcpy(r.create.name, "new");
	req(r);
	r.type = GOFER_MSG_MKDIR;
	r.mkdir.flags = 0;
	r.mkdir.mode = 02755;
	req(r);
	r.type = GOFER_MSG_MKNOD;
	r.mknod.mode = S_IFIFO | 0600;
	req(r);
	r = (struct gofer_req){ .type = GOFER_MSG_SYMLINK, .tag = 9, .symlink = { 1, 0, 0 } };
	strcpy(r.symlink.name, "link");
	strcpy(r.symlink.target, "../target");
	req(r);
	r = (struct gofer_req){ .type = GOFER_MSG_LINK, .tag = 10, .link = { 1, 2 } };
	strcpy(r.link.name, "hard");
	req(r);
	r = (struct gofer_req){ .type = GOFER_MSG_UNLINK, .tag = 11, .unlink = { 1, AT_REMOVEDIR } };
	strcpy(r.unlink.name, "dir");
	req(r);
	r = (struct gofer_req){ .type = GOFER_MSG_RENAME, .tag = 12, .rename = { 1, 3, RENAME_EXCHANGE } };
	strcpy(r.rename.oldname, "a");
	strcpy(r.rename.newname, "b");
	req(r);
	req((struct gofer_req){ .type = GOFER_MSG_SETATTR, .tag = 13,
				.setattr = { .fid = 1, .valid = GOFER_SETATTR_ALL, .mode = 0600, .uid = 1,
					     .gid = 2, .size = 10, .atime_sec = 5, .mtime_sec = 6,
					     .atime_nsec = UTIME_NOW, .mtime_nsec = 7 } });
	req((struct gofer_req){ .type = GOFER_MSG_FSYNC, .tag = 14, .fsync = { 1, GOFER_FSYNC_DATASYNC } });
	req((struct gofer_req){ .type = GOFER_MSG_STATFS, .tag = 15, .statfs.fid = 1 });
	r = (struct gofer_req){ .type = GOFER_MSG_GETXATTR, .tag = 16, .getxattr = { 1, 64 } };
	strcpy(r.getxattr.name, "user.mime_type");
	req(r);
	r = (struct gofer_req){ .type = GOFER_MSG_SETXATTR, .tag = 17,
				.setxattr = { .fid = 1, .flags = XATTR_CREATE, .size = sizeof(value),
					      .value = value } };
	strcpy(r.setxattr.name, "trusted.overlay.opaque");
	req(r);
	req((struct gofer_req){ .type = GOFER_MSG_LISTXATTR, .tag = 18, .listxattr = { 1, 0 } });
	r = (struct gofer_req){ .type = GOFER_MSG_REMOVEXATTR, .tag = 19, .removexattr.fid = 1 };
	strcpy(r.removexattr.name, "user.x");
	req(r);

	rep((struct gofer_rep){ .type = GOFER_MSG_WALK, .tag = 2, .walk = { 5, attr } });
	rep((struct gofer_rep){ .type = GOFER_MSG_CREATE, .tag = 8, .create = { 6, attr } });
	rep((struct gofer_rep){ .type = GOFER_MSG_SETATTR, .tag = 13, .setattr.attr = attr });
	rep((struct gofer_rep){ .type = GOFER_MSG_OPEN, .tag = 4, .error = EACCES });
	static struct gofer_rep rl = { .type = GOFER_MSG_READLINK, .tag = 5, .readlink.len = 9 };
	memcpy(rl.readlink.target, "../target", 9);
	rep(rl);
	gofer_dirent_pack(dents, sizeof(dents), &off, &de, "file");
	de.type = 4; /* DT_DIR */
	de.next_offset = 2;
	gofer_dirent_pack(dents, sizeof(dents), &off, &de, "dir");
	rep((struct gofer_rep){ .type = GOFER_MSG_READDIR, .tag = 6,
				.readdir = { 1, 2, (uint32_t)off, dents } });
	rep((struct gofer_rep){ .type = GOFER_MSG_STATFS, .tag = 15,
				.statfs = { 0xef53, 4096, 1000, 500, 400, 100, 50, 255, 4096, 0 } });
	rep((struct gofer_rep){ .type = GOFER_MSG_GETXATTR, .tag = 16,
				.getxattr = { sizeof(value), value } });
	rep((struct gofer_rep){ .type = GOFER_MSG_GETXATTR, .tag = 16, .getxattr = { 300, NULL } });
	rep((struct gofer_rep){ .type = GOFER_MSG_LISTXATTR, .tag = 18,
				.listxattr = { sizeof(list), (const uint8_t *)list } });
	rep((struct gofer_rep){ .type = GOFER_MSG_UNLINK, .tag = 11 });
	return 0;
}
