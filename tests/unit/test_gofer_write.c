/* The gofer protocol's write operations and bind mounts: codec round trips
 * and rejections of every message, then a real server (gofer_serve_mounts,
 * unconfined) over temporary trees driven through the sentry's
 * gofer_client, then (as root) the confined `gofer` verb under its seccomp
 * filter doing all of it. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "gofer/protocol.h"
#include "gofer/server.h"
#include "runsc/cmd.h"
#include "sentry/gofer_client.h"

static char tree[64], other[64], hostfile[80];
static uint8_t buf[GOFER_MSG_MAX];

/* ---- codec ---- */

static void req_roundtrip(const struct gofer_req *in, struct gofer_req *out)
{
	ssize_t n = gofer_req_encode(in, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(gofer_req_decode(buf, (size_t)n, out), 0);
	ck_assert_uint_eq(out->type, in->type);
	ck_assert_uint_eq(out->tag, in->tag);
}

static int req_encode(const struct gofer_req *in)
{
	ssize_t n = gofer_req_encode(in, buf, sizeof(buf));
	return n < 0 ? (int)n : 0;
}

/* Encodes a valid request, lets mutate() corrupt the decoded-side bytes at
 * byte offset off (from the payload start) and returns the decode result. */
static int decode_patched(const struct gofer_req *in, size_t off, const void *bytes, size_t len)
{
	struct gofer_req out;
	ssize_t n = gofer_req_encode(in, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	memcpy(buf + GOFER_HDR_SIZE + off, bytes, len);
	return gofer_req_decode(buf, (size_t)n, &out);
}

START_TEST(test_write_req_roundtrip)
{
	static struct gofer_req in, out;

	in = (struct gofer_req){ .type = GOFER_MSG_ATTACH, .tag = 1, .attach.mount = 7 };
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.attach.mount, 7);

	uint32_t mk[] = { GOFER_MSG_CREATE, GOFER_MSG_MKDIR, GOFER_MSG_MKNOD };
	uint32_t flags[] = { O_RDWR | O_APPEND | O_NONBLOCK, 0, 0 };
	uint32_t modes[] = { 04755, 03777, S_IFIFO | 0640 };
	for (int i = 0; i < 3; i++) {
		in = (struct gofer_req){ .type = mk[i], .tag = 2,
					 .create = { 9, flags[i], modes[i], 1000, 100 } };
		strcpy(in.create.name, "new");
		req_roundtrip(&in, &out);
		ck_assert_uint_eq(out.create.dirfid, 9);
		ck_assert_uint_eq(out.create.flags, flags[i]);
		ck_assert_uint_eq(out.create.mode, modes[i]);
		ck_assert_uint_eq(out.create.uid, 1000);
		ck_assert_uint_eq(out.create.gid, 100);
		ck_assert_str_eq(out.create.name, "new");
	}
	in.mknod.mode = S_IFSOCK | 0777;
	req_roundtrip(&in, &out);

	in = (struct gofer_req){ .type = GOFER_MSG_SYMLINK, .tag = 3, .symlink = { 4, 0, 65534 } };
	strcpy(in.symlink.name, "ln");
	memset(in.symlink.target, 'a', GOFER_SYMLINK_MAX);
	in.symlink.target[0] = '/';
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.symlink.gid, 65534);
	ck_assert_str_eq(out.symlink.name, "ln");
	ck_assert_uint_eq(strlen(out.symlink.target), GOFER_SYMLINK_MAX);
	ck_assert_int_eq(memcmp(out.symlink.target, in.symlink.target, GOFER_SYMLINK_MAX), 0);

	in = (struct gofer_req){ .type = GOFER_MSG_LINK, .tag = 4, .link = { 1, 2 } };
	strcpy(in.link.name, "hard");
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.link.dirfid, 1);
	ck_assert_uint_eq(out.link.fid, 2);
	ck_assert_str_eq(out.link.name, "hard");

	in = (struct gofer_req){ .type = GOFER_MSG_UNLINK, .tag = 5, .unlink = { 3, AT_REMOVEDIR } };
	strcpy(in.unlink.name, "d");
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.unlink.flags, AT_REMOVEDIR);

	unsigned int rflags[] = { 0, RENAME_NOREPLACE, RENAME_EXCHANGE };
	for (int i = 0; i < 3; i++) {
		in = (struct gofer_req){ .type = GOFER_MSG_RENAME, .tag = 6,
					 .rename = { 5, 6, rflags[i] } };
		strcpy(in.rename.oldname, "from");
		memset(in.rename.newname, 'z', GOFER_NAME_MAX);
		in.rename.newname[GOFER_NAME_MAX] = '\0';
		req_roundtrip(&in, &out);
		ck_assert_uint_eq(out.rename.olddirfid, 5);
		ck_assert_uint_eq(out.rename.newdirfid, 6);
		ck_assert_uint_eq(out.rename.flags, rflags[i]);
		ck_assert_str_eq(out.rename.oldname, "from");
		ck_assert_str_eq(out.rename.newname, in.rename.newname);
	}

	in = (struct gofer_req){ .type = GOFER_MSG_SETATTR, .tag = 7,
				 .setattr = { .fid = 8, .valid = GOFER_SETATTR_ALL, .mode = 07777,
					      .uid = 1, .gid = 2, .size = INT64_MAX,
					      .atime_sec = -1, .mtime_sec = 1700000000,
					      .atime_nsec = UTIME_NOW, .mtime_nsec = 999999999 } };
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.setattr.fid, 8);
	ck_assert_uint_eq(out.setattr.valid, GOFER_SETATTR_ALL);
	ck_assert_uint_eq(out.setattr.mode, 07777);
	ck_assert_uint_eq(out.setattr.uid, 1);
	ck_assert_uint_eq(out.setattr.gid, 2);
	ck_assert(out.setattr.size == INT64_MAX);
	ck_assert(out.setattr.atime_sec == -1);
	ck_assert(out.setattr.mtime_sec == 1700000000);
	ck_assert_uint_eq(out.setattr.atime_nsec, UTIME_NOW);
	ck_assert_uint_eq(out.setattr.mtime_nsec, 999999999);
	in.setattr = (typeof(in.setattr)){ .fid = 8, .valid = GOFER_SETATTR_MTIME,
					   .mtime_nsec = UTIME_OMIT };
	req_roundtrip(&in, &out);

	in = (struct gofer_req){ .type = GOFER_MSG_FSYNC, .tag = 8,
				 .fsync = { 3, GOFER_FSYNC_DATASYNC } };
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.fsync.flags, GOFER_FSYNC_DATASYNC);
	in = (struct gofer_req){ .type = GOFER_MSG_STATFS, .tag = 9, .statfs.fid = 10 };
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.statfs.fid, 10);

	in = (struct gofer_req){ .type = GOFER_MSG_GETXATTR, .tag = 10,
				 .getxattr = { 3, GOFER_XATTR_SIZE_MAX } };
	strcpy(in.getxattr.name, "user.mime_type");
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.getxattr.size, GOFER_XATTR_SIZE_MAX);
	ck_assert_str_eq(out.getxattr.name, "user.mime_type");

	static uint8_t value[GOFER_XATTR_SIZE_MAX];
	for (size_t i = 0; i < sizeof(value); i++)
		value[i] = (uint8_t)i;
	in = (struct gofer_req){ .type = GOFER_MSG_SETXATTR, .tag = 11,
				 .setxattr = { .fid = 3, .flags = XATTR_CREATE,
					       .size = GOFER_XATTR_SIZE_MAX, .value = value } };
	memset(in.setxattr.name, 'n', GOFER_XATTR_NAME_MAX);
	memcpy(in.setxattr.name, "trusted.", 8);
	in.setxattr.name[GOFER_XATTR_NAME_MAX] = '\0';
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.setxattr.size, GOFER_XATTR_SIZE_MAX);
	ck_assert_int_eq(memcmp(out.setxattr.value, value, sizeof(value)), 0);
	ck_assert_uint_eq(strlen(out.setxattr.name), GOFER_XATTR_NAME_MAX);
	in.setxattr.size = 0;
	in.setxattr.value = NULL; /* an empty value is a value */
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.setxattr.size, 0);

	in = (struct gofer_req){ .type = GOFER_MSG_LISTXATTR, .tag = 12, .listxattr = { 3, 0 } };
	req_roundtrip(&in, &out);
	in = (struct gofer_req){ .type = GOFER_MSG_REMOVEXATTR, .tag = 13, .removexattr.fid = 3 };
	strcpy(in.removexattr.name, "user.x");
	req_roundtrip(&in, &out);
	ck_assert_str_eq(out.removexattr.name, "user.x");
}
END_TEST

START_TEST(test_write_req_reject)
{
	static struct gofer_req r;
	uint32_t bad;

	/* CREATE flags and modes. */
	uint32_t bad_create[] = { O_CREAT, O_TRUNC, O_DIRECTORY, O_EXCL, O_PATH, O_ACCMODE, O_TMPFILE };
	for (size_t i = 0; i < sizeof(bad_create) / sizeof(bad_create[0]); i++) {
		r = (struct gofer_req){ .type = GOFER_MSG_CREATE, .create = { 1, bad_create[i], 0644 } };
		strcpy(r.create.name, "f");
		ck_assert_int_eq(req_encode(&r), -EINVAL);
		r.create.flags = O_RDWR;
		ck_assert_int_eq(decode_patched(&r, 4, &bad_create[i], 4), -EINVAL);
	}
	r = (struct gofer_req){ .type = GOFER_MSG_CREATE, .create = { 1, O_WRONLY, S_IFREG | 0644 } };
	strcpy(r.create.name, "f");
	ck_assert_int_eq(req_encode(&r), -EINVAL);
	r.create.mode = 0644;
	ck_assert_int_eq(req_encode(&r), 0);
	bad = 010000;
	ck_assert_int_eq(decode_patched(&r, 8, &bad, 4), -EINVAL);
	bad = (uint32_t)-1; /* "unchanged" is no owner */
	ck_assert_int_eq(decode_patched(&r, 12, &bad, 4), -EINVAL);
	ck_assert_int_eq(decode_patched(&r, 16, &bad, 4), -EINVAL);
	r.create.uid = (uint32_t)-1;
	ck_assert_int_eq(req_encode(&r), -EINVAL);

	/* MKDIR: no flags, permission bits only. */
	r = (struct gofer_req){ .type = GOFER_MSG_MKDIR, .mkdir = { 1, 0, 0755 } };
	strcpy(r.mkdir.name, "d");
	ck_assert_int_eq(req_encode(&r), 0);
	bad = O_RDONLY | O_NONBLOCK;
	ck_assert_int_eq(decode_patched(&r, 4, &bad, 4), -EINVAL);
	bad = S_IFDIR | 0755;
	ck_assert_int_eq(decode_patched(&r, 8, &bad, 4), -EINVAL);

	/* MKNOD: FIFOs and sockets only, never devices. */
	uint32_t bad_nod[] = { S_IFCHR | 0600, S_IFBLK | 0600, S_IFREG | 0600, S_IFDIR | 0700,
			       S_IFLNK | 0777, 0600 };
	r = (struct gofer_req){ .type = GOFER_MSG_MKNOD, .mknod = { 1, 0, S_IFIFO | 0600 } };
	strcpy(r.mknod.name, "p");
	for (size_t i = 0; i < sizeof(bad_nod) / sizeof(bad_nod[0]); i++) {
		ck_assert_int_eq(decode_patched(&r, 8, &bad_nod[i], 4), -EINVAL);
		struct gofer_req e = r;
		e.mknod.mode = bad_nod[i];
		ck_assert_int_eq(req_encode(&e), -EINVAL);
	}

	/* Names in every message that carries one. */
	const char *bad_names[] = { "", ".", "..", "a/b", "/" };
	for (size_t i = 0; i < 5; i++) {
		struct gofer_req reqs[6] = {
			{ .type = GOFER_MSG_CREATE, .create = { 1, O_RDWR, 0600 } },
			{ .type = GOFER_MSG_MKDIR, .mkdir = { 1, 0, 0700 } },
			{ .type = GOFER_MSG_MKNOD, .mknod = { 1, 0, S_IFIFO | 0600 } },
			{ .type = GOFER_MSG_LINK, .link = { 1, 2 } },
			{ .type = GOFER_MSG_UNLINK, .unlink = { 1, 0 } },
			{ .type = GOFER_MSG_SYMLINK, .symlink = { 1, 0, 0 } },
		};
		for (int j = 0; j < 6; j++) {
			char *name = reqs[j].type == GOFER_MSG_LINK     ? reqs[j].link.name
				     : reqs[j].type == GOFER_MSG_UNLINK ? reqs[j].unlink.name
				     : reqs[j].type == GOFER_MSG_SYMLINK ? reqs[j].symlink.name
									  : reqs[j].create.name;
			strcpy(name, bad_names[i]);
			strcpy(reqs[j].symlink.target, "t");
			if (reqs[j].type == GOFER_MSG_SYMLINK)
				strcpy(reqs[j].symlink.target, "t");
			ck_assert_int_eq(req_encode(&reqs[j]), -EINVAL);
		}
		r = (struct gofer_req){ .type = GOFER_MSG_RENAME, .rename = { 1, 1, 0 } };
		strcpy(r.rename.oldname, "ok");
		strcpy(r.rename.newname, bad_names[i]);
		ck_assert_int_eq(req_encode(&r), -EINVAL);
		strcpy(r.rename.oldname, bad_names[i]);
		strcpy(r.rename.newname, "ok");
		ck_assert_int_eq(req_encode(&r), -EINVAL);
	}
	/* A rename to ".." spliced into the wire: the decoder refuses it. */
	r = (struct gofer_req){ .type = GOFER_MSG_RENAME, .rename = { 1, 1, 0 } };
	strcpy(r.rename.oldname, "ab");
	strcpy(r.rename.newname, "cd");
	ck_assert_int_eq(decode_patched(&r, 12 + 4 + 2 + 4, "..", 2), -EINVAL);
	ck_assert_int_eq(decode_patched(&r, 12 + 4, "..", 2), -EINVAL);
	ck_assert_int_eq(decode_patched(&r, 12 + 4 + 2 + 4, "c/", 2), -EINVAL);
	ck_assert_int_eq(decode_patched(&r, 12 + 4 + 2 + 4, "c\0", 2), -EINVAL);
	ck_assert_int_eq(decode_patched(&r, 12 + 4 + 2 + 4, "ok", 2), 0);
	/* Lengths that lie. */
	bad = 3;
	ck_assert_int_eq(decode_patched(&r, 12, &bad, 4), -EINVAL);
	bad = 0xffffffffu;
	ck_assert_int_eq(decode_patched(&r, 12 + 4 + 2, &bad, 4), -EINVAL);
	bad = 1;
	ck_assert_int_eq(decode_patched(&r, 12 + 4 + 2, &bad, 4), -EINVAL);

	/* Rename flags: never RENAME_WHITEOUT, never both. */
	unsigned int bad_rflags[] = { RENAME_WHITEOUT, RENAME_NOREPLACE | RENAME_EXCHANGE, 8 };
	for (int i = 0; i < 3; i++) {
		r.rename.flags = bad_rflags[i];
		ck_assert_int_eq(req_encode(&r), -EINVAL);
		r.rename.flags = 0;
		ck_assert_int_eq(decode_patched(&r, 8, &bad_rflags[i], 4), -EINVAL);
	}

	/* Unlink flags. */
	r = (struct gofer_req){ .type = GOFER_MSG_UNLINK, .unlink = { 1, 0 } };
	strcpy(r.unlink.name, "x");
	bad = AT_SYMLINK_NOFOLLOW;
	ck_assert_int_eq(decode_patched(&r, 4, &bad, 4), -EINVAL);

	/* Symlink targets: empty, NUL inside, too long. */
	r = (struct gofer_req){ .type = GOFER_MSG_SYMLINK, .symlink = { 1, 0, 0 } };
	strcpy(r.symlink.name, "l");
	ck_assert_int_eq(req_encode(&r), -EINVAL);
	memset(r.symlink.target, 'x', sizeof(r.symlink.target));
	ck_assert_int_eq(req_encode(&r), -ENAMETOOLONG);
	strcpy(r.symlink.target, "abc");
	ck_assert_int_eq(req_encode(&r), 0);
	ck_assert_int_eq(decode_patched(&r, 12 + 4 + 1 + 4 + 1, "\0", 1), -EINVAL);
	/* A target length past GOFER_SYMLINK_MAX with the bytes present. */
	{
		uint8_t p[12 + 4 + 1 + 4 + 4096];
		uint32_t v[3] = { 1, 0, 0 }, nl = 1, tl = 4096;
		memcpy(p, v, 12);
		memcpy(p + 12, &nl, 4);
		p[16] = 'l';
		memcpy(p + 17, &tl, 4);
		memset(p + 21, 'x', 4096);
		uint32_t hdr[4] = { GOFER_MAGIC, GOFER_MSG_SYMLINK, 1, sizeof(p) };
		memcpy(buf, hdr, 16);
		memcpy(buf + 16, p, sizeof(p));
		struct gofer_req out;
		ck_assert_int_eq(gofer_req_decode(buf, 16 + sizeof(p), &out), -ENAMETOOLONG);
	}

	/* SETATTR. */
	r = (struct gofer_req){ .type = GOFER_MSG_SETATTR,
				.setattr = { .fid = 1, .valid = GOFER_SETATTR_MODE, .mode = 0644 } };
	ck_assert_int_eq(req_encode(&r), 0);
	bad = 0;
	ck_assert_int_eq(decode_patched(&r, 4, &bad, 4), -EINVAL); /* nothing to do */
	bad = 0x40;
	ck_assert_int_eq(decode_patched(&r, 4, &bad, 4), -EINVAL); /* unknown bit */
	bad = S_IFREG | 0644;
	ck_assert_int_eq(decode_patched(&r, 8, &bad, 4), -EINVAL); /* type bits */
	bad = 1;
	ck_assert_int_eq(decode_patched(&r, 20, &bad, 4), -EINVAL); /* pad */
	int64_t size = 5;
	ck_assert_int_eq(decode_patched(&r, 24, &size, 8), -EINVAL); /* size without its bit */
	r.setattr = (typeof(r.setattr)){ .fid = 1, .valid = GOFER_SETATTR_SIZE, .size = -1 };
	ck_assert_int_eq(req_encode(&r), -EINVAL);
	r.setattr = (typeof(r.setattr)){ .fid = 1, .valid = GOFER_SETATTR_ATIME, .atime_nsec = 1000000000 };
	ck_assert_int_eq(req_encode(&r), -EINVAL);
	r.setattr.atime_nsec = 0;
	ck_assert_int_eq(req_encode(&r), 0);
	bad = 1000000000;
	ck_assert_int_eq(decode_patched(&r, 48, &bad, 4), -EINVAL);
	ck_assert_int_eq(decode_patched(&r, 52, &bad, 4), -EINVAL);
	r.setattr = (typeof(r.setattr)){ .fid = 1, .valid = GOFER_SETATTR_UID, .uid = (uint32_t)-1 };
	ck_assert_int_eq(req_encode(&r), -EINVAL);

	/* FSYNC, STATFS, LISTXATTR. */
	r = (struct gofer_req){ .type = GOFER_MSG_FSYNC, .fsync = { 1, 2 } };
	ck_assert_int_eq(req_encode(&r), -EINVAL);
	r = (struct gofer_req){ .type = GOFER_MSG_STATFS, .statfs.fid = GOFER_FID_MAX };
	ck_assert_int_eq(req_encode(&r), -EINVAL);
	r = (struct gofer_req){ .type = GOFER_MSG_LISTXATTR, .listxattr = { 1, GOFER_XATTR_SIZE_MAX + 1 } };
	ck_assert_int_eq(req_encode(&r), -EINVAL);

	/* Extended attribute names: namespaces, emptiness, length, NUL. */
	ck_assert_int_eq(gofer_xattr_name_check("user.a", 6), 0);
	ck_assert_int_eq(gofer_xattr_name_check("trusted.overlay.opaque", 22), 0);
	ck_assert_int_eq(gofer_xattr_name_check("user.", 5), -EINVAL);
	ck_assert_int_eq(gofer_xattr_name_check("security.selinux", 16), -EOPNOTSUPP);
	ck_assert_int_eq(gofer_xattr_name_check("system.posix_acl_access", 23), -EOPNOTSUPP);
	ck_assert_int_eq(gofer_xattr_name_check("user", 4), -EOPNOTSUPP);
	ck_assert_int_eq(gofer_xattr_name_check("user.a\0b", 8), -EINVAL);
	char longx[300];
	memset(longx, 'x', sizeof(longx));
	memcpy(longx, "user.", 5);
	ck_assert_int_eq(gofer_xattr_name_check(longx, 256), -ERANGE);
	ck_assert_int_eq(gofer_xattr_name_check(longx, 255), 0);
	r = (struct gofer_req){ .type = GOFER_MSG_GETXATTR, .getxattr = { 1, 0 } };
	strcpy(r.getxattr.name, "security.capability");
	ck_assert_int_eq(req_encode(&r), -EOPNOTSUPP);
	strcpy(r.getxattr.name, "user.abc");
	ck_assert_int_eq(req_encode(&r), 0);
	ck_assert_int_eq(decode_patched(&r, 12, "sys.", 4), -EOPNOTSUPP);
	r.getxattr.size = GOFER_XATTR_SIZE_MAX + 1;
	ck_assert_int_eq(req_encode(&r), -EINVAL);

	/* SETXATTR: flags, the value's length must be the rest. */
	uint8_t v[4] = "abc";
	r = (struct gofer_req){ .type = GOFER_MSG_SETXATTR,
				.setxattr = { .fid = 1, .flags = 4, .size = 3, .value = v } };
	strcpy(r.setxattr.name, "user.v");
	ck_assert_int_eq(req_encode(&r), -EINVAL);
	r.setxattr.flags = XATTR_REPLACE;
	ck_assert_int_eq(req_encode(&r), 0);
	bad = 2;
	ck_assert_int_eq(decode_patched(&r, 8 + 4 + 6, &bad, 4), -EINVAL);
	bad = 4;
	ck_assert_int_eq(decode_patched(&r, 8 + 4 + 6, &bad, 4), -EINVAL);
	r.setxattr.size = GOFER_XATTR_SIZE_MAX + 1;
	ck_assert_int_eq(req_encode(&r), -EINVAL);
	r.setxattr.size = 3;
	r.setxattr.value = NULL;
	ck_assert_int_eq(req_encode(&r), -EINVAL);

	/* Fids out of range in the new messages. */
	r = (struct gofer_req){ .type = GOFER_MSG_LINK, .link = { 1, GOFER_FID_MAX } };
	strcpy(r.link.name, "x");
	ck_assert_int_eq(req_encode(&r), -EINVAL);
	r.link.fid = 2;
	bad = GOFER_FID_MAX;
	ck_assert_int_eq(decode_patched(&r, 4, &bad, 4), -EINVAL);
	ck_assert_int_eq(decode_patched(&r, 0, &bad, 4), -EINVAL);
}
END_TEST

static void rep_roundtrip(const struct gofer_rep *in, struct gofer_rep *out)
{
	ssize_t n = gofer_rep_encode(in, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)n, out), 0);
	ck_assert_uint_eq(out->type, in->type);
	ck_assert_int_eq(out->error, in->error);
}

static int rep_decode_raw(uint32_t type, const void *payload, uint32_t plen)
{
	static struct gofer_rep rep;
	uint32_t hdr[4] = { type | GOFER_MSG_REPLY, 1, 0, plen };
	memcpy(buf, hdr, 16);
	memcpy(buf + 16, payload, plen);
	return gofer_rep_decode(buf, 16 + plen, &rep);
}

START_TEST(test_write_rep)
{
	static struct gofer_rep in, out;
	struct gofer_attr a = { .ino = 5, .mode = S_IFREG | 0600, .nlink = 1, .mtime_nsec = 3 };

	in = (struct gofer_rep){ .type = GOFER_MSG_CREATE, .tag = 1, .create = { 77, a } };
	rep_roundtrip(&in, &out);
	ck_assert_uint_eq(out.create.fid, 77);
	ck_assert_uint_eq(out.create.attr.ino, 5);
	uint32_t with_attr[] = { GOFER_MSG_MKDIR, GOFER_MSG_MKNOD, GOFER_MSG_SYMLINK, GOFER_MSG_LINK,
				 GOFER_MSG_SETATTR };
	for (int i = 0; i < 5; i++) {
		in = (struct gofer_rep){ .type = with_attr[i], .setattr.attr = a };
		rep_roundtrip(&in, &out);
		ck_assert_uint_eq(out.setattr.attr.mtime_nsec, 3);
		in.setattr.attr.pad = 1;
		ck_assert_int_eq(gofer_rep_encode(&in, buf, sizeof(buf)), -EINVAL);
	}
	uint32_t empty[] = { GOFER_MSG_UNLINK, GOFER_MSG_RENAME, GOFER_MSG_FSYNC, GOFER_MSG_SETXATTR,
			     GOFER_MSG_REMOVEXATTR };
	for (int i = 0; i < 5; i++) {
		in = (struct gofer_rep){ .type = empty[i] };
		rep_roundtrip(&in, &out);
		ck_assert_int_eq(rep_decode_raw(empty[i], "x", 1), -EINVAL);
		in.error = ENOTEMPTY;
		rep_roundtrip(&in, &out);
	}

	in = (struct gofer_rep){ .type = GOFER_MSG_STATFS,
				 .statfs = { 0xEF53, 4096, 100, 50, 40, 1000, 900, 255, 4096, 1 } };
	rep_roundtrip(&in, &out);
	ck_assert(memcmp(&out.statfs, &in.statfs, sizeof(in.statfs)) == 0);
	ck_assert_int_eq(rep_decode_raw(GOFER_MSG_STATFS, &in.statfs, GOFER_STATFS_SIZE - 1), -EINVAL);

	/* getxattr: a length query (no data), or exactly len bytes. */
	in = (struct gofer_rep){ .type = GOFER_MSG_GETXATTR, .getxattr = { 1000, NULL } };
	rep_roundtrip(&in, &out);
	ck_assert_uint_eq(out.getxattr.len, 1000);
	ck_assert_ptr_null(out.getxattr.data);
	in.getxattr = (typeof(in.getxattr)){ 3, (const uint8_t *)"a\0b" };
	rep_roundtrip(&in, &out);
	ck_assert_int_eq(memcmp(out.getxattr.data, "a\0b", 3), 0);
	uint8_t gx[8] = { 4, 0, 0, 0, 'a', 'b', 'c' };
	ck_assert_int_eq(rep_decode_raw(GOFER_MSG_GETXATTR, gx, 7), -EINVAL);
	gx[0] = 3;
	ck_assert_int_eq(rep_decode_raw(GOFER_MSG_GETXATTR, gx, 7), 0);
	uint32_t huge = GOFER_XATTR_SIZE_MAX + 1;
	ck_assert_int_eq(rep_decode_raw(GOFER_MSG_GETXATTR, &huge, 4), -EINVAL);

	/* listxattr: NUL-terminated names of the allowed namespaces. */
	const char list[] = "user.a\0trusted.b";
	in = (struct gofer_rep){ .type = GOFER_MSG_LISTXATTR,
				 .listxattr = { sizeof(list), (const uint8_t *)list } };
	rep_roundtrip(&in, &out);
	ck_assert_uint_eq(out.listxattr.len, sizeof(list));
	in.listxattr.len = sizeof(list) - 1; /* last name unterminated */
	ck_assert_int_eq(gofer_rep_encode(&in, buf, sizeof(buf)), -EINVAL);
	const char *bad_lists[] = { "security.x", "user.", "x", "" };
	for (int i = 0; i < 4; i++) {
		uint8_t l[32];
		uint32_t len = (uint32_t)strlen(bad_lists[i]) + 1;
		memcpy(l, &len, 4);
		memcpy(l + 4, bad_lists[i], len);
		ck_assert_int_eq(rep_decode_raw(GOFER_MSG_LISTXATTR, l, 4 + len), -EINVAL);
	}
}
END_TEST

/* ---- end to end over gofer_serve_mounts ---- */

static void path_in(char *out, size_t len, const char *dir, const char *rel)
{
	snprintf(out, len, "%s/%s", dir, rel);
}

static void write_file(const char *dir, const char *rel, const char *content)
{
	char p[PATH_MAX];
	path_in(p, sizeof(p), dir, rel);
	FILE *f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(1);
	}
	fputs(content, f);
	fclose(f);
}

static void read_file(const char *dir, const char *rel, char *out, size_t len)
{
	char p[PATH_MAX];
	path_in(p, sizeof(p), dir, rel);
	int fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ssize_t n = read(fd, out, len - 1);
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	close(fd);
}

static int lstat_in(const char *dir, const char *rel, struct stat *st)
{
	char p[PATH_MAX];
	path_in(p, sizeof(p), dir, rel);
	return lstat(p, st);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void make_dirs(void)
{
	strcpy(tree, "/tmp/gofer-write-XXXXXX");
	strcpy(other, "/tmp/gofer-bind-XXXXXX");
	if (!mkdtemp(tree) || !mkdtemp(other)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(hostfile, sizeof(hostfile), "%s/single.txt", other);
	write_file(other, "single.txt", "one file\n");
	write_file(other, "inbind.txt", "in the bind\n");
}

static void reset_tree(void)
{
	nftw(tree, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(tree, 0755) < 0) {
		perror(tree);
		exit(1);
	}
	char p[PATH_MAX];
	write_file(tree, "hello.txt", "hello\n");
	path_in(p, sizeof(p), tree, "sub");
	mkdir(p, 0755);
	write_file(tree, "sub/inner.txt", "inner\n");
	path_in(p, sizeof(p), tree, "escape");
	if (symlink("/etc", p) < 0)
		exit(1);
	path_in(p, sizeof(p), tree, "passwdlink");
	if (symlink("/etc/passwd", p) < 0)
		exit(1);
}

static pid_t server_pid;

/* Mounts: 0 the tree (rw or ro), 1 `other` read-only, 2 `other` rw,
 * 3 the single file `other`/single.txt. */
static struct gofer_client *start_server(bool ro_root)
{
	int sv[2];
	struct gofer_client *c;

	reset_tree();
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	server_pid = fork();
	ck_assert_int_ge(server_pid, 0);
	if (server_pid == 0) {
		close(sv[0]);
		struct gofer_mount m[4] = {
			{ .fd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC), .parent_fd = -1,
			  .readonly = ro_root },
			{ .fd = open(other, O_PATH | O_DIRECTORY | O_CLOEXEC), .parent_fd = -1,
			  .readonly = true },
			{ .fd = open(other, O_PATH | O_DIRECTORY | O_CLOEXEC), .parent_fd = -1 },
			{ .fd = open(hostfile, O_PATH | O_CLOEXEC),
			  .parent_fd = open(other, O_PATH | O_DIRECTORY | O_CLOEXEC),
			  .name = "single.txt" },
		};
		_exit(gofer_serve_mounts(sv[1], m, 4, 0) == 0 ? 0 : 1);
	}
	close(sv[1]);
	ck_assert_int_eq(gofer_client_new(sv[0], &c), 0);
	return c;
}

static int stop_server(struct gofer_client *c)
{
	int status;
	gofer_client_free(c);
	ck_assert_int_eq(waitpid(server_pid, &status, 0), server_pid);
	return status;
}

static uint32_t walk(struct gofer_client *c, uint32_t dir, const char *name, struct gofer_attr *attr)
{
	uint32_t fid;
	struct gofer_attr a;
	ck_assert_int_eq(gofer_walk(c, dir, name, &fid, attr ? attr : &a), 0);
	return fid;
}

static uint32_t attach(struct gofer_client *c, uint32_t mount)
{
	uint32_t fid;
	struct gofer_attr a;
	ck_assert_int_eq(gofer_attach_mount(c, mount, &fid, &a), 0);
	return fid;
}

/* Every operation below runs against an unconfined server here, and
 * against the confined gofer (seccomp) in test_confined_writes. */
static void exercise_create(struct gofer_client *c, const char *root_dir)
{
	uint32_t root = attach(c, 0), fid, fid2;
	struct gofer_attr attr;
	struct stat st;
	char data[64];
	int fd;

	/* Exact mode whatever the gofer's umask, and the asked-for owner. */
	ck_assert_int_eq(gofer_create(c, root, "new.txt", O_RDWR, 04751, 1234, 5678, &fid, &attr, &fd), 0);
	ck_assert(S_ISREG(attr.mode));
	ck_assert_uint_eq(attr.mode & 07777, 04751);
	ck_assert_uint_eq(attr.uid, 1234);
	ck_assert_uint_eq(attr.gid, 5678);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
	ck_assert_int_eq(write(fd, "written\n", 8), 8);
	close(fd);
	ck_assert_int_eq(lstat_in(root_dir, "new.txt", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 04751);
	ck_assert_uint_eq(st.st_uid, 1234);
	ck_assert_uint_eq(st.st_gid, 5678);
	ck_assert_uint_eq(st.st_ino, attr.ino);
	read_file(root_dir, "new.txt", data, sizeof(data));
	ck_assert_str_eq(data, "written\n");
	/* The new fid works like a walked one. */
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), 0);
	ck_assert_int_eq(read(fd, data, sizeof(data)), 8);
	close(fd);
	ck_assert_int_eq(gofer_getattr(c, fid, &attr), 0);
	ck_assert_int_eq(attr.size, 8);

	/* Creation is exclusive: never an existing file, never through a
	 * symlink (a dangling one included). */
	ck_assert_int_eq(gofer_create(c, root, "new.txt", O_RDWR, 0600, 0, 0, &fid2, &attr, &fd), -EEXIST);
	ck_assert_int_eq(gofer_create(c, root, "passwdlink", O_RDWR, 0600, 0, 0, &fid2, &attr, &fd),
			 -EEXIST);
	ck_assert_int_eq(gofer_symlink(c, root, "dangling", "/tmp/gofer-write-should-not-exist", 0, 0,
				       &attr), 0);
	ck_assert_int_eq(gofer_create(c, root, "dangling", O_WRONLY, 0600, 0, 0, &fid2, &attr, &fd),
			 -EEXIST);
	ck_assert_int_eq(access("/tmp/gofer-write-should-not-exist", F_OK), -1);
	/* Not in a file, nor through a symlink to a directory outside. */
	uint32_t esc = walk(c, root, "escape", NULL);
	ck_assert_int_eq(gofer_create(c, esc, "x", O_RDWR, 0600, 0, 0, &fid2, &attr, &fd), -ENOTDIR);
	ck_assert_int_eq(gofer_create(c, fid, "x", O_RDWR, 0600, 0, 0, &fid2, &attr, &fd), -ENOTDIR);
	ck_assert_int_eq(gofer_create(c, root, "..", O_RDWR, 0600, 0, 0, &fid2, &attr, &fd), -EINVAL);
	ck_assert_int_eq(gofer_create(c, root, "a/b", O_RDWR, 0600, 0, 0, &fid2, &attr, &fd), -EINVAL);

	/* O_APPEND and O_WRONLY as asked; O_NONBLOCK only when asked. */
	ck_assert_int_eq(gofer_create(c, root, "app", O_WRONLY | O_APPEND, 0644, 0, 0, &fid2, &attr, &fd), 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK), O_WRONLY | O_APPEND);
	close(fd);
	ck_assert_int_eq(gofer_clunk(c, fid2), 0);
	ck_assert_int_eq(gofer_clunk(c, fid), 0);

	/* mkdir: mode (set-group-ID and sticky kept) and owner. */
	ck_assert_int_eq(gofer_mkdir(c, root, "dir", 03775, 42, 43, &attr), 0);
	ck_assert(S_ISDIR(attr.mode));
	ck_assert_uint_eq(attr.mode & 07777, 03775);
	ck_assert_int_eq(lstat_in(root_dir, "dir", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 03775);
	ck_assert_uint_eq(st.st_uid, 42);
	ck_assert_uint_eq(st.st_gid, 43);
	ck_assert_int_eq(gofer_mkdir(c, root, "dir", 0755, 0, 0, &attr), -EEXIST);
	uint32_t dir = walk(c, root, "dir", NULL);
	ck_assert_int_eq(gofer_create(c, dir, "in", O_RDWR, 0600, 0, 0, &fid, &attr, &fd), 0);
	close(fd);
	ck_assert_int_eq(lstat_in(root_dir, "dir/in", &st), 0);

	/* mknod: FIFOs and sockets; devices never leave the client. */
	ck_assert_int_eq(gofer_mknod(c, root, "fifo", S_IFIFO | 0666, 7, 8, &attr), 0);
	ck_assert(S_ISFIFO(attr.mode));
	ck_assert_uint_eq(attr.mode & 07777, 0666);
	ck_assert_int_eq(lstat_in(root_dir, "fifo", &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0666);
	ck_assert_uint_eq(st.st_uid, 7);
	ck_assert_int_eq(gofer_mknod(c, root, "sock", S_IFSOCK | 0755, 0, 0, &attr), 0);
	ck_assert_int_eq(lstat_in(root_dir, "sock", &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(gofer_mknod(c, root, "null", S_IFCHR | 0666, 0, 0, &attr), -EINVAL);
	ck_assert_int_eq(gofer_mknod(c, root, "sda", S_IFBLK | 0666, 0, 0, &attr), -EINVAL);
	ck_assert_int_eq(lstat_in(root_dir, "null", &st), -1);

	/* symlink: target as given (never resolved), owner applied to the
	 * link itself. */
	ck_assert_int_eq(gofer_symlink(c, root, "sl", "../../../etc/shadow", 99, 98, &attr), 0);
	ck_assert(S_ISLNK(attr.mode));
	ck_assert_int_eq(lstat_in(root_dir, "sl", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_uint_eq(st.st_uid, 99);
	ck_assert_uint_eq(st.st_gid, 98);
	char target[64];
	size_t tlen;
	fid = walk(c, root, "sl", NULL);
	ck_assert_int_eq(gofer_readlink(c, fid, target, sizeof(target), &tlen), 0);
	ck_assert_uint_eq(tlen, strlen("../../../etc/shadow"));
	/* ... and walking or opening through it goes nowhere. */
	ck_assert_int_eq(gofer_walk(c, fid, "x", &fid2, &attr), -ENOTDIR);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), -ELOOP);
	ck_assert_int_eq(gofer_symlink(c, root, "sl", "x", 0, 0, &attr), -EEXIST);
	ck_assert_int_eq(gofer_clunk(c, fid), 0);
}

static void exercise_link_unlink_rename(struct gofer_client *c, const char *root_dir)
{
	uint32_t root = attach(c, 0), fid, sub, fid2;
	struct gofer_attr attr, fattr;
	struct stat st, st2;
	char data[64];
	int fd;

	/* link: a new name for the fid's own file. */
	fid = walk(c, root, "hello.txt", &fattr);
	ck_assert_int_eq(gofer_link(c, root, "hard", fid, &attr), 0);
	ck_assert_uint_eq(attr.ino, fattr.ino);
	ck_assert_uint_eq(attr.nlink, 2);
	ck_assert_int_eq(lstat_in(root_dir, "hard", &st), 0);
	ck_assert_uint_eq(st.st_ino, fattr.ino);
	ck_assert_int_eq(gofer_link(c, root, "hard", fid, &attr), -EEXIST);
	ck_assert_int_eq(gofer_link(c, root, "dirlink", root, &attr), -EPERM);
	/* A link's target is a fid: a symlink out of the tree is linked as
	 * the symlink itself, never as what it points to. */
	uint32_t pl = walk(c, root, "passwdlink", &fattr);
	ck_assert_int_eq(gofer_link(c, root, "pl2", pl, &attr), 0);
	ck_assert(S_ISLNK(attr.mode));
	ck_assert_int_eq(lstat_in(root_dir, "pl2", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_uint_eq(st.st_ino, fattr.ino);
	ck_assert_int_eq(stat("/etc/passwd", &st2), 0);
	ck_assert_uint_ne(st.st_ino, st2.st_ino);
	/* Other mounts' files cannot be linked in. */
	uint32_t bind = attach(c, 2);
	uint32_t inb = walk(c, bind, "inbind.txt", NULL);
	ck_assert_int_eq(gofer_link(c, root, "x", inb, &attr), -EXDEV);
	ck_assert_int_eq(gofer_link(c, bind, "x", fid, &attr), -EXDEV);

	/* unlink and rmdir. */
	ck_assert_int_eq(gofer_unlink(c, root, "hard", 0), 0);
	ck_assert_int_eq(lstat_in(root_dir, "hard", &st), -1);
	ck_assert_int_eq(gofer_unlink(c, root, "hard", 0), -ENOENT);
	ck_assert_int_eq(gofer_unlink(c, root, "sub", 0), -EISDIR);
	ck_assert_int_eq(gofer_unlink(c, root, "sub", AT_REMOVEDIR), -ENOTEMPTY);
	ck_assert_int_eq(gofer_unlink(c, root, "hello.txt", AT_REMOVEDIR), -ENOTDIR);
	ck_assert_int_eq(gofer_unlink(c, root, "..", AT_REMOVEDIR), -EINVAL);
	ck_assert_int_eq(gofer_mkdir(c, root, "empty", 0700, 0, 0, &attr), 0);
	ck_assert_int_eq(gofer_unlink(c, root, "empty", AT_REMOVEDIR), 0);
	/* A symlink is removed, not its target. */
	ck_assert_int_eq(gofer_unlink(c, root, "pl2", 0), 0);
	ck_assert_int_eq(stat("/etc/passwd", &st2), 0);

	/* rename: the fid follows its file to the new name. */
	sub = walk(c, root, "sub", NULL);
	ck_assert_int_eq(gofer_rename(c, root, "hello.txt", sub, "moved.txt", 0), 0);
	ck_assert_int_eq(lstat_in(root_dir, "sub/moved.txt", &st), 0);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), 0);
	ck_assert_int_eq(read(fd, data, sizeof(data)), 6);
	close(fd);
	ck_assert_int_eq(gofer_open(c, fid, O_WRONLY | O_TRUNC, &fd), 0);
	close(fd);
	ck_assert_int_eq(lstat_in(root_dir, "sub/moved.txt", &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	/* NOREPLACE and EXCHANGE. */
	ck_assert_int_eq(gofer_rename(c, sub, "moved.txt", sub, "inner.txt", RENAME_NOREPLACE), -EEXIST);
	fid2 = walk(c, sub, "inner.txt", NULL);
	ck_assert_int_eq(gofer_rename(c, sub, "moved.txt", sub, "inner.txt", RENAME_EXCHANGE), 0);
	read_file(root_dir, "sub/moved.txt", data, sizeof(data));
	ck_assert_str_eq(data, "inner\n");
	ck_assert_int_eq(gofer_open(c, fid2, O_RDONLY, &fd), 0); /* now "moved.txt" */
	ck_assert_int_eq(read(fd, data, sizeof(data)), 6);
	close(fd);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), 0); /* now "inner.txt" */
	ck_assert_int_eq(read(fd, data, sizeof(data)), 0);
	close(fd);
	ck_assert_int_eq(gofer_rename(c, sub, "nothere", sub, "x", RENAME_EXCHANGE), -ENOENT);
	/* Directories: not below themselves, and never to "..". */
	ck_assert_int_eq(gofer_mkdir(c, sub, "deeper", 0755, 0, 0, &attr), 0);
	uint32_t deeper = walk(c, sub, "deeper", NULL);
	ck_assert_int_eq(gofer_rename(c, root, "sub", deeper, "loop", 0), -EINVAL);
	ck_assert_int_eq(gofer_rename(c, sub, "deeper", sub, "..", 0), -EINVAL);
	ck_assert_int_eq(gofer_rename(c, sub, "..", root, "up", 0), -EINVAL);
	ck_assert_int_eq(gofer_rename(c, root, "sub", root, "sub2", 0), 0);
	/* Directory fids need no fix-up: they reopen through themselves. */
	ck_assert_int_eq(gofer_create(c, deeper, "still", O_RDWR, 0600, 0, 0, &fid2, &attr, &fd), 0);
	close(fd);
	ck_assert_int_eq(lstat_in(root_dir, "sub2/deeper/still", &st), 0);
	/* Across mounts: EXDEV. */
	ck_assert_int_eq(gofer_rename(c, root, "new.txt", bind, "new.txt", 0), -EXDEV);

	/* The sentry gives a linked name the same inode, so the same fid:
	 * once the walked name is gone the fid opens through the others. */
	write_file(root_dir, "orig", "linked\n");
	uint32_t lf = walk(c, root, "orig", NULL);
	ck_assert_int_eq(gofer_link(c, root, "second", lf, &attr), 0);
	ck_assert_int_eq(gofer_unlink(c, root, "orig", 0), 0);
	ck_assert_int_eq(gofer_open(c, lf, O_RDONLY, &fd), 0);
	ck_assert_int_eq(read(fd, data, sizeof(data)), 7);
	close(fd);
	struct gofer_setattr sa = { .valid = GOFER_SETATTR_MODE, .mode = 0601 };
	ck_assert_int_eq(gofer_setattr(c, lf, &sa, &attr), 0);
	ck_assert_int_eq(lstat_in(root_dir, "second", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0601);
	/* ... also when that other name was renamed meanwhile, and when the
	 * walked name now names another file. */
	ck_assert_int_eq(gofer_link(c, sub, "third", lf, &attr), 0);
	ck_assert_int_eq(gofer_rename(c, sub, "third", root, "fourth", 0), 0);
	ck_assert_int_eq(gofer_unlink(c, root, "second", 0), 0);
	write_file(root_dir, "second", "an impostor\n");
	ck_assert_int_eq(gofer_open(c, lf, O_RDONLY, &fd), 0);
	ck_assert_int_eq(read(fd, data, sizeof(data)), 7);
	close(fd);
	ck_assert_int_eq(gofer_unlink(c, root, "fourth", 0), 0);
	ck_assert_int_eq(gofer_open(c, lf, O_RDONLY, &fd), -ENOENT);
	ck_assert_int_eq(gofer_clunk(c, lf), 0);
}

static void exercise_setattr(struct gofer_client *c, const char *root_dir)
{
	uint32_t root = attach(c, 0), fid, lnk, dir;
	struct gofer_attr attr;
	struct stat st;

	write_file(root_dir, "attrs", "0123456789");
	fid = walk(c, root, "attrs", NULL);
	struct gofer_setattr sa = { .valid = GOFER_SETATTR_MODE, .mode = 02741 };
	ck_assert_int_eq(gofer_setattr(c, fid, &sa, &attr), 0);
	ck_assert_uint_eq(attr.mode & 07777, 02741);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_UID | GOFER_SETATTR_GID, .uid = 500, .gid = 501 };
	ck_assert_int_eq(gofer_setattr(c, fid, &sa, &attr), 0);
	ck_assert_int_eq(lstat_in(root_dir, "attrs", &st), 0);
	ck_assert_uint_eq(st.st_uid, 500);
	ck_assert_uint_eq(st.st_gid, 501);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_GID, .gid = 502 };
	ck_assert_int_eq(gofer_setattr(c, fid, &sa, &attr), 0);
	ck_assert_uint_eq(attr.uid, 500);
	ck_assert_uint_eq(attr.gid, 502);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_SIZE, .size = 3 };
	ck_assert_int_eq(gofer_setattr(c, fid, &sa, &attr), 0);
	ck_assert_int_eq(attr.size, 3);
	sa.size = 100000;
	ck_assert_int_eq(gofer_setattr(c, fid, &sa, &attr), 0);
	ck_assert_int_eq(lstat_in(root_dir, "attrs", &st), 0);
	ck_assert_int_eq(st.st_size, 100000);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME,
				     .atime_sec = 1000, .atime_nsec = 5, .mtime_sec = 2000, .mtime_nsec = 6 };
	ck_assert_int_eq(gofer_setattr(c, fid, &sa, &attr), 0);
	ck_assert_int_eq(attr.atime_sec, 1000);
	ck_assert_uint_eq(attr.atime_nsec, 5);
	ck_assert_int_eq(attr.mtime_sec, 2000);
	ck_assert_uint_eq(attr.mtime_nsec, 6);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_MTIME, .mtime_nsec = UTIME_NOW };
	ck_assert_int_eq(gofer_setattr(c, fid, &sa, &attr), 0);
	ck_assert_int_eq(attr.atime_sec, 1000); /* left alone */
	ck_assert_int_gt(attr.mtime_sec, 1600000000);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_ATIME | GOFER_SETATTR_MTIME,
				     .atime_nsec = UTIME_OMIT, .mtime_sec = 3000 };
	ck_assert_int_eq(gofer_setattr(c, fid, &sa, &attr), 0);
	ck_assert_int_eq(attr.atime_sec, 1000);
	ck_assert_int_eq(attr.mtime_sec, 3000);

	/* Symlinks: owner and times of the link itself; no mode. */
	lnk = walk(c, root, "passwdlink", NULL);
	struct stat before;
	ck_assert_int_eq(stat("/etc/passwd", &before), 0);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_UID, .uid = 777 };
	ck_assert_int_eq(gofer_setattr(c, lnk, &sa, &attr), 0);
	ck_assert(S_ISLNK(attr.mode));
	ck_assert_uint_eq(attr.uid, 777);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_MTIME, .mtime_sec = 5 };
	ck_assert_int_eq(gofer_setattr(c, lnk, &sa, &attr), 0);
	ck_assert_int_eq(attr.mtime_sec, 5);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_MODE, .mode = 0777 };
	ck_assert_int_eq(gofer_setattr(c, lnk, &sa, &attr), -EOPNOTSUPP);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_SIZE };
	ck_assert_int_eq(gofer_setattr(c, lnk, &sa, &attr), -EINVAL);
	struct stat after;
	ck_assert_int_eq(stat("/etc/passwd", &after), 0);
	ck_assert_uint_eq(after.st_uid, before.st_uid);
	ck_assert_int_eq(after.st_mtime, before.st_mtime);

	/* Directories and FIFOs. */
	ck_assert_int_eq(gofer_mkdir(c, root, "attrdir", 0755, 0, 0, &attr), 0);
	dir = walk(c, root, "attrdir", NULL);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_MODE, .mode = 01777 };
	ck_assert_int_eq(gofer_setattr(c, dir, &sa, &attr), 0);
	ck_assert_uint_eq(attr.mode & 07777, 01777);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_SIZE };
	ck_assert_int_eq(gofer_setattr(c, dir, &sa, &attr), -EISDIR);
	ck_assert_int_eq(gofer_mknod(c, root, "fifo2", S_IFIFO | 0600, 0, 0, &attr), 0);
	uint32_t fifo = walk(c, root, "fifo2", NULL);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_MODE | GOFER_SETATTR_UID, .mode = 0604, .uid = 3 };
	ck_assert_int_eq(gofer_setattr(c, fifo, &sa, &attr), 0);
	ck_assert_uint_eq(attr.mode & 07777, 0604);
	ck_assert_uint_eq(attr.uid, 3);
}

/* trusted: whether the server may use trusted.* (the confined gofer
 * lacks CAP_SYS_ADMIN and says EOPNOTSUPP). */
static void exercise_xattr_statfs_fsync(struct gofer_client *c, const char *root_dir, bool trusted)
{
	uint32_t root = attach(c, 0), fid, lnk, fifo;
	char val[64], list[256];
	struct gofer_attr attr;
	struct gofer_statfs gs;
	struct statfs hs;

	write_file(root_dir, "x", "x");
	fid = walk(c, root, "x", NULL);
	ck_assert_int_eq(gofer_getxattr(c, fid, "user.k", val, sizeof(val)), -ENODATA);
	ck_assert_int_eq(gofer_setxattr(c, fid, "user.k", "value", 5, 0), 0);
	ck_assert_int_eq(gofer_getxattr(c, fid, "user.k", NULL, 0), 5);
	ck_assert_int_eq(gofer_getxattr(c, fid, "user.k", val, sizeof(val)), 5);
	ck_assert_int_eq(memcmp(val, "value", 5), 0);
	ck_assert_int_eq(gofer_getxattr(c, fid, "user.k", val, 2), -ERANGE);
	ck_assert_int_eq(gofer_setxattr(c, fid, "user.k", "v", 1, XATTR_CREATE), -EEXIST);
	ck_assert_int_eq(gofer_setxattr(c, fid, "user.other", "v", 1, XATTR_REPLACE), -ENODATA);
	ck_assert_int_eq(gofer_setxattr(c, fid, "user.empty", "", 0, 0), 0);
	ck_assert_int_eq(gofer_getxattr(c, fid, "user.empty", val, sizeof(val)), 0);
	if (trusted) {
		ck_assert_int_eq(gofer_setxattr(c, fid, "trusted.t", "tt", 2, 0), 0);
	} else {
		ck_assert_int_eq(gofer_setxattr(c, fid, "trusted.t", "tt", 2, 0), -EOPNOTSUPP);
		char hp[PATH_MAX];
		path_in(hp, sizeof(hp), root_dir, "x");
		ck_assert_int_eq(setxattr(hp, "trusted.t", "tt", 2, 0), 0);
		ck_assert_int_eq(gofer_getxattr(c, fid, "trusted.t", val, sizeof(val)), -EOPNOTSUPP);
	}
	char p[PATH_MAX];
	path_in(p, sizeof(p), root_dir, "x");
	ck_assert_int_eq(getxattr(p, "user.k", val, sizeof(val)), 5);
	/* The host's other namespaces never show or pass. */
	ck_assert_int_eq(gofer_setxattr(c, fid, "security.evil", "x", 1, 0), -EOPNOTSUPP);
	ck_assert_int_eq(gofer_getxattr(c, fid, "system.posix_acl_access", val, sizeof(val)),
			 -EOPNOTSUPP);
	ssize_t n = gofer_listxattr(c, fid, NULL, 0);
	/* Without trusted.* rights its names are not listed either. */
	ck_assert_int_eq(n, trusted ? (ssize_t)sizeof("user.k\0user.empty\0trusted.t")
				    : (ssize_t)sizeof("user.k\0user.empty"));
	ck_assert_int_eq(gofer_listxattr(c, fid, list, sizeof(list)), n);
	ck_assert_int_eq(gofer_listxattr(c, fid, list, 3), -ERANGE);
	int seen = 0;
	for (char *x = list; x < list + n; x += strlen(x) + 1) {
		if (!strcmp(x, "user.k"))
			seen |= 1;
		else if (!strcmp(x, "trusted.t"))
			seen |= 2;
		else if (!strcmp(x, "user.empty"))
			seen |= 4;
	}
	ck_assert_int_eq(seen, trusted ? 7 : 5);
	ck_assert_int_eq(gofer_removexattr(c, fid, "user.k"), 0);
	ck_assert_int_eq(gofer_removexattr(c, fid, "user.k"), -ENODATA);
	ck_assert_int_eq(gofer_getxattr(c, fid, "user.k", val, sizeof(val)), -ENODATA);
	/* Big values, up to what one message carries. */
	static char big[GOFER_XATTR_SIZE_MAX + 1], back[GOFER_XATTR_SIZE_MAX];
	memset(big, 'b', sizeof(big));
	ck_assert_int_eq(gofer_setxattr(c, fid, "user.big", big, sizeof(big), 0), -E2BIG);
	/* Directories, and symlinks (where Linux allows no user.* at all). */
	ck_assert_int_eq(gofer_setxattr(c, root, "user.dir", "d", 1, 0), 0);
	ck_assert_int_eq(gofer_getxattr(c, root, "user.dir", back, 10), 1);
	lnk = walk(c, root, "passwdlink", NULL);
	ck_assert_int_eq(gofer_setxattr(c, lnk, "user.l", "l", 1, 0), -EPERM);
	ck_assert_int_eq(gofer_getxattr(c, lnk, "user.l", val, sizeof(val)), -ENODATA);
	if (trusted) {
		ck_assert_int_eq(gofer_setxattr(c, lnk, "trusted.l", "l", 1, 0), 0);
		ck_assert_int_eq(gofer_getxattr(c, lnk, "trusted.l", val, sizeof(val)), 1);
		ck_assert_int_eq(gofer_listxattr(c, lnk, list, sizeof(list)),
				 (ssize_t)sizeof("trusted.l"));
		ck_assert_int_eq(gofer_removexattr(c, lnk, "trusted.l"), 0);
	}
	ck_assert_int_eq(gofer_listxattr(c, lnk, list, sizeof(list)), 0);
	ck_assert_int_eq(gofer_mknod(c, root, "xfifo", S_IFIFO | 0600, 0, 0, &attr), 0);
	fifo = walk(c, root, "xfifo", NULL);
	ck_assert_int_eq(gofer_listxattr(c, fifo, list, sizeof(list)), 0);

	/* statfs: the host file system's numbers. */
	ck_assert_int_eq(gofer_statfs(c, fid, &gs), 0);
	ck_assert_int_eq(statfs(root_dir, &hs), 0);
	ck_assert_uint_eq(gs.type, (uint64_t)hs.f_type);
	ck_assert_uint_eq(gs.bsize, (uint64_t)hs.f_bsize);
	ck_assert_uint_eq(gs.blocks, hs.f_blocks);
	ck_assert_uint_eq(gs.namelen, (uint64_t)hs.f_namelen);
	ck_assert_int_eq(gofer_statfs(c, lnk, &gs), 0);

	/* fsync: files and directories; pipes and sockets refuse. */
	ck_assert_int_eq(gofer_fsync(c, fid, false), 0);
	ck_assert_int_eq(gofer_fsync(c, fid, true), 0);
	ck_assert_int_eq(gofer_fsync(c, root, false), 0);
	ck_assert_int_eq(gofer_fsync(c, fifo, false), -EINVAL);
	ck_assert_int_eq(gofer_fsync(c, 99999, false), -EBADF);
}

/* Mounts 1 (other, ro), 2 (other, rw), 3 (other/single.txt). */
static void exercise_binds(struct gofer_client *c)
{
	uint32_t ro = attach(c, 1), rw = attach(c, 2), file = attach(c, 3), fid;
	struct gofer_attr attr;
	char data[64];
	int fd;

	ck_assert_int_eq(gofer_attach_mount(c, 4, &fid, &attr), -ENOENT);
	ck_assert_int_eq(gofer_attach_mount(c, GOFER_MOUNTS_MAX, &fid, &attr), -EINVAL);

	/* The read-only bind: reads work, every write is EROFS. */
	fid = walk(c, ro, "inbind.txt", NULL);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), 0);
	ck_assert_int_eq(read(fd, data, sizeof(data)), 12);
	close(fd);
	ck_assert_int_eq(gofer_open(c, fid, O_RDWR, &fd), -EROFS);
	ck_assert_int_eq(gofer_create(c, ro, "n", O_RDWR, 0600, 0, 0, &fid, &attr, &fd), -EROFS);
	ck_assert_int_eq(gofer_mkdir(c, ro, "n", 0700, 0, 0, &attr), -EROFS);
	ck_assert_int_eq(gofer_unlink(c, ro, "inbind.txt", 0), -EROFS);
	struct gofer_setattr sa = { .valid = GOFER_SETATTR_MODE, .mode = 0 };
	ck_assert_int_eq(gofer_setattr(c, ro, &sa, &attr), -EROFS);
	struct gofer_statfs gs;
	ck_assert_int_eq(gofer_statfs(c, ro, &gs), 0);
	ck_assert_uint_eq(gs.flags & 1 /* ST_RDONLY */, 1);

	/* The same directory through the read-write bind. */
	ck_assert_int_eq(gofer_create(c, rw, "made-in-bind", O_RDWR, 0640, 0, 0, &fid, &attr, &fd), 0);
	ck_assert_int_eq(write(fd, "bind\n", 5), 5);
	close(fd);
	read_file(other, "made-in-bind", data, sizeof(data));
	ck_assert_str_eq(data, "bind\n");
	ck_assert_int_eq(gofer_unlink(c, rw, "made-in-bind", 0), 0);

	/* A file bind: its root is the file; nothing around it is reachable. */
	ck_assert_int_eq(gofer_getattr(c, file, &attr), 0);
	ck_assert(S_ISREG(attr.mode));
	ck_assert_int_eq(gofer_walk(c, file, "x", &fid, &attr), -ENOTDIR);
	ck_assert_int_eq(gofer_readdir(c, file, 0, NULL, NULL, &fd), -ENOTDIR);
	ck_assert_int_eq(gofer_open(c, file, O_RDWR, &fd), 0);
	ck_assert_int_eq(read(fd, data, sizeof(data)), 9);
	ck_assert_int_eq(pwrite(fd, "ONE", 3, 0), 3);
	close(fd);
	read_file(other, "single.txt", data, sizeof(data));
	ck_assert_str_eq(data, "ONE file\n");
	write_file(other, "single.txt", "one file\n");
}

START_TEST(test_e2e_writes)
{
	struct gofer_client *c = start_server(false);
	exercise_create(c, tree);
	exercise_link_unlink_rename(c, tree);
	exercise_setattr(c, tree);
	exercise_xattr_statfs_fsync(c, tree, true);
	exercise_binds(c);
	ck_assert_int_eq(stop_server(c), 0);
}
END_TEST

/* Every write on a read-only root: EROFS, and the tree unchanged. */
START_TEST(test_e2e_readonly_root)
{
	struct gofer_client *c = start_server(true);
	uint32_t root = attach(c, 0), fid = walk(c, root, "hello.txt", NULL), sub = walk(c, root, "sub", NULL);
	struct gofer_attr attr;
	struct stat st;
	char val[8];
	int fd;

	ck_assert_int_eq(gofer_create(c, root, "n", O_RDWR, 0600, 0, 0, &fid, &attr, &fd), -EROFS);
	ck_assert_int_eq(gofer_mkdir(c, root, "n", 0700, 0, 0, &attr), -EROFS);
	ck_assert_int_eq(gofer_mknod(c, root, "n", S_IFIFO | 0600, 0, 0, &attr), -EROFS);
	ck_assert_int_eq(gofer_symlink(c, root, "n", "t", 0, 0, &attr), -EROFS);
	ck_assert_int_eq(gofer_link(c, root, "n", fid, &attr), -EROFS);
	ck_assert_int_eq(gofer_unlink(c, root, "hello.txt", 0), -EROFS);
	ck_assert_int_eq(gofer_unlink(c, root, "sub", AT_REMOVEDIR), -EROFS);
	ck_assert_int_eq(gofer_rename(c, root, "hello.txt", sub, "n", 0), -EROFS);
	struct gofer_setattr sa = { .valid = GOFER_SETATTR_SIZE };
	ck_assert_int_eq(gofer_setattr(c, fid, &sa, &attr), -EROFS);
	sa = (struct gofer_setattr){ .valid = GOFER_SETATTR_MTIME, .mtime_nsec = UTIME_NOW };
	ck_assert_int_eq(gofer_setattr(c, fid, &sa, &attr), -EROFS);
	ck_assert_int_eq(gofer_setxattr(c, fid, "user.a", "a", 1, 0), -EROFS);
	ck_assert_int_eq(gofer_removexattr(c, fid, "user.a"), -EROFS);
	/* Reading still works. */
	ck_assert_int_eq(gofer_getxattr(c, fid, "user.a", val, sizeof(val)), -ENODATA);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), 0);
	close(fd);
	ck_assert_int_eq(gofer_fsync(c, fid, false), 0);
	ck_assert_int_eq(lstat_in(tree, "hello.txt", &st), 0);
	ck_assert_int_eq(st.st_size, 6);
	ck_assert_int_eq(lstat_in(tree, "n", &st), -1);
	ck_assert_int_eq(stop_server(c), 0);
}
END_TEST

/* The fid checks every write request starts with, in their order: an
 * unknown fid is EBADF and a non-directory where a directory is wanted
 * ENOTDIR, both before EROFS; nothing is made on the host meanwhile. */
static void fid_checks(struct gofer_client *c, bool ro)
{
	uint32_t root = attach(c, 0), file = walk(c, root, "hello.txt", NULL), fid;
	const uint32_t bad = 99999;
	struct gofer_setattr sa = { .valid = GOFER_SETATTR_MODE, .mode = 0600 };
	struct gofer_attr attr;
	struct stat st;
	char val[64];
	int fd;

	ck_assert_int_eq(gofer_create(c, bad, "n", O_RDWR, 0600, 0, 0, &fid, &attr, &fd), -EBADF);
	ck_assert_int_eq(gofer_mkdir(c, bad, "n", 0700, 0, 0, &attr), -EBADF);
	ck_assert_int_eq(gofer_mknod(c, bad, "n", S_IFIFO | 0600, 0, 0, &attr), -EBADF);
	ck_assert_int_eq(gofer_symlink(c, bad, "n", "t", 0, 0, &attr), -EBADF);
	ck_assert_int_eq(gofer_link(c, bad, "n", file, &attr), -EBADF);
	ck_assert_int_eq(gofer_link(c, root, "n", bad, &attr), -EBADF);
	ck_assert_int_eq(gofer_unlink(c, bad, "hello.txt", 0), -EBADF);
	ck_assert_int_eq(gofer_rename(c, bad, "hello.txt", root, "n", 0), -EBADF);
	ck_assert_int_eq(gofer_rename(c, root, "hello.txt", bad, "n", 0), -EBADF);
	ck_assert_int_eq(gofer_setattr(c, bad, &sa, &attr), -EBADF);
	ck_assert_int_eq(gofer_setxattr(c, bad, "user.a", "a", 1, 0), -EBADF);
	ck_assert_int_eq(gofer_removexattr(c, bad, "user.a"), -EBADF);
	ck_assert_int_eq(gofer_getxattr(c, bad, "user.a", val, sizeof(val)), -EBADF);
	ck_assert_int_eq(gofer_listxattr(c, bad, val, sizeof(val)), -EBADF);

	ck_assert_int_eq(gofer_create(c, file, "n", O_RDWR, 0600, 0, 0, &fid, &attr, &fd), -ENOTDIR);
	ck_assert_int_eq(gofer_mkdir(c, file, "n", 0700, 0, 0, &attr), -ENOTDIR);
	ck_assert_int_eq(gofer_mknod(c, file, "n", S_IFIFO | 0600, 0, 0, &attr), -ENOTDIR);
	ck_assert_int_eq(gofer_symlink(c, file, "n", "t", 0, 0, &attr), -ENOTDIR);
	ck_assert_int_eq(gofer_link(c, file, "n", file, &attr), -ENOTDIR);
	ck_assert_int_eq(gofer_unlink(c, file, "x", 0), -ENOTDIR);
	ck_assert_int_eq(gofer_rename(c, file, "x", root, "n", 0), -ENOTDIR);
	ck_assert_int_eq(gofer_rename(c, root, "hello.txt", file, "n", 0), -ENOTDIR);

	/* A directory cannot be linked, read-only or not. */
	ck_assert_int_eq(gofer_link(c, root, "n", walk(c, root, "sub", NULL), &attr), -EPERM);
	/* The checks passed, the mount decides. */
	ck_assert_int_eq(gofer_unlink(c, root, "n", 0), ro ? -EROFS : -ENOENT);
	ck_assert_int_eq(gofer_removexattr(c, file, "user.none"), ro ? -EROFS : -ENODATA);
	ck_assert_int_eq(lstat_in(tree, "n", &st), -1);
	ck_assert_int_eq(lstat_in(tree, "hello.txt", &st), 0);
}

START_TEST(test_e2e_write_fid_checks)
{
	struct gofer_client *c = start_server(false);
	fid_checks(c, false);
	ck_assert_int_eq(stop_server(c), 0);
	c = start_server(true);
	fid_checks(c, true);
	ck_assert_int_eq(stop_server(c), 0);
}
END_TEST

/* Requests a well-behaved client never sends, straight on the socket. */
START_TEST(test_e2e_raw_writes)
{
	int sv[2];
	struct gofer_rep rep;

	reset_tree();
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	server_pid = fork();
	if (server_pid == 0) {
		close(sv[0]);
		int rfd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
		_exit(gofer_serve(sv[1], rfd, 0) == 0 ? 0 : 1);
	}
	close(sv[1]);

	uint32_t att[5] = { GOFER_MAGIC, GOFER_MSG_ATTACH, 1, 4, 0 };
	ck_assert_int_eq(send(sv[0], att, 20, 0), 20);
	ssize_t n = recv(sv[0], buf, sizeof(buf), 0);
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)n, &rep), 0);
	ck_assert_int_eq(rep.error, 0);
	uint32_t root = rep.attach.fid;

	/* A character device, a rename to "..", a name with a slash. */
	struct {
		uint32_t type;
		uint8_t payload[64];
		uint32_t len;
	} bad[3] = { { .type = GOFER_MSG_MKNOD }, { .type = GOFER_MSG_RENAME },
		     { .type = GOFER_MSG_MKDIR } };
	uint32_t mknod_p[6] = { root, 0, S_IFCHR | 0666, 0, 0, 4 };
	memcpy(bad[0].payload, mknod_p, 24);
	memcpy(bad[0].payload + 24, "null", 4);
	bad[0].len = 28;
	uint32_t ren_p[4] = { root, root, 0, 9 };
	memcpy(bad[1].payload, ren_p, 16);
	memcpy(bad[1].payload + 16, "hello.txt", 9);
	uint32_t two = 2;
	memcpy(bad[1].payload + 25, &two, 4);
	memcpy(bad[1].payload + 29, "..", 2);
	bad[1].len = 31;
	uint32_t mk_p[6] = { root, 0, 0755, 0, 0, 5 };
	memcpy(bad[2].payload, mk_p, 24);
	memcpy(bad[2].payload + 24, "../up", 5);
	bad[2].len = 29;
	for (int i = 0; i < 3; i++) {
		uint8_t msg[128];
		uint32_t hdr[4] = { GOFER_MAGIC, bad[i].type, 10 + (uint32_t)i, bad[i].len };
		memcpy(msg, hdr, 16);
		memcpy(msg + 16, bad[i].payload, bad[i].len);
		ck_assert_int_eq(send(sv[0], msg, 16 + bad[i].len, 0), 16 + (ssize_t)bad[i].len);
		n = recv(sv[0], buf, sizeof(buf), 0);
		ck_assert_int_eq(gofer_rep_decode(buf, (size_t)n, &rep), 0);
		ck_assert_uint_eq(rep.tag, 10 + (uint32_t)i);
		ck_assert_int_eq(rep.error, EINVAL);
	}
	struct stat st;
	ck_assert_int_eq(lstat_in(tree, "hello.txt", &st), 0);
	ck_assert_int_eq(lstat_in(tree, "null", &st), -1);
	char up[PATH_MAX];
	snprintf(up, sizeof(up), "%s/../up", tree);
	ck_assert_int_eq(lstat(up, &st), -1);

	close(sv[0]);
	int status;
	ck_assert_int_eq(waitpid(server_pid, &status, 0), server_pid);
	ck_assert_int_eq(status, 0);
}
END_TEST

/* ---- the confined gofer (needs root: namespaces, pivot_root) ---- */

static bool can_unshare_mounts(void)
{
	pid_t pid = fork();
	int status;
	if (pid == 0)
		_exit(unshare(CLONE_NEWNS) == 0 &&
		      mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 ? 0 : 1);
	return pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
}

static struct gofer_client *start_gofer_main(void)
{
	int sv[2];
	struct gofer_client *c;
	char ro[128], rw[128], file[128];

	reset_tree();
	snprintf(ro, sizeof(ro), "--mount=ro,bind:%s", other);
	snprintf(rw, sizeof(rw), "--mount=rbind,rw:%s", other);
	snprintf(file, sizeof(file), "--mount=:%s", hostfile);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	server_pid = fork();
	ck_assert_int_ge(server_pid, 0);
	if (server_pid == 0) {
		char fdarg[16];
		close(sv[0]);
		snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
		/* A denied syscall names itself in the log instead of a
		 * silent kill. */
		setenv("SANDBOXRUN_GOFER_SECCOMP", "trap", 1);
		char *argv[] = { "gofer", "--rootfs", tree, "--sock-fd", fdarg, ro, rw, file, NULL };
		_exit(gofer_main(8, argv));
	}
	close(sv[1]);
	ck_assert_int_eq(gofer_client_new(sv[0], &c), 0);
	return c;
}

START_TEST(test_confined_writes)
{
	if (!can_unshare_mounts()) {
		fprintf(stderr, "test_confined_writes: skipped (no mount namespaces here)\n");
		return;
	}
	struct gofer_client *c = start_gofer_main();
	exercise_create(c, tree);
	exercise_link_unlink_rename(c, tree);
	exercise_setattr(c, tree);
	exercise_xattr_statfs_fsync(c, tree, false);
	exercise_binds(c);
	/* The plain (not rbind) ro bind is a detached clone: read-only in
	 * the kernel too, so even an fd it handed out cannot write. */
	uint32_t ro = attach(c, 1), fid;
	int fd;
	fid = walk(c, ro, "inbind.txt", NULL);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), 0);
	struct statfs sf;
	ck_assert_int_eq(fstatfs(fd, &sf), 0);
	ck_assert_uint_eq(sf.f_flags & ST_RDONLY, ST_RDONLY);
	close(fd);
	int status = stop_server(c);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "gofer status %#x", status);
}
END_TEST

/* A bind source that is neither a directory nor a regular file, or that
 * does not exist, stops the gofer before it serves anything. */
START_TEST(test_confined_bad_bind)
{
	if (!can_unshare_mounts()) {
		fprintf(stderr, "test_confined_bad_bind: skipped (no mount namespaces here)\n");
		return;
	}
	const char *bad[] = { "--mount=ro:/dev/null", "--mount=ro:/nonexistent/x", "--mount=rx:/tmp",
			      "--mount=ro:relative" };
	for (int i = 0; i < 4; i++) {
		int sv[2], status;
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		pid_t pid = fork();
		if (pid == 0) {
			char fdarg[16];
			close(sv[0]);
			snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
			char *argv[] = { "gofer", "--rootfs", tree, "--sock-fd", fdarg, (char *)bad[i], NULL };
			_exit(gofer_main(6, argv));
		}
		close(sv[1]);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) != 0, "%s: status %#x", bad[i],
			      status);
		close(sv[0]);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("gofer_write");
	TCase *tc = tcase_create("codec");
	tcase_add_test(tc, test_write_req_roundtrip);
	tcase_add_test(tc, test_write_req_reject);
	tcase_add_test(tc, test_write_rep);
	suite_add_tcase(s, tc);

	tc = tcase_create("e2e");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_e2e_writes);
	tcase_add_test(tc, test_e2e_readonly_root);
	tcase_add_test(tc, test_e2e_write_fid_checks);
	tcase_add_test(tc, test_e2e_raw_writes);
	tcase_add_test(tc, test_confined_writes);
	tcase_add_test(tc, test_confined_bad_bind);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	make_dirs();
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(tree, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	nftw(other, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
