/* The gofer protocol: codec round trips and rejections, then a real gofer
 * server (gofer_serve, unconfined) over a temporary tree driven through the
 * sentry's gofer_client, then (as root) the fully confined `gofer` verb. */
#include <check.h>
#include <dirent.h>
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
#include <sys/wait.h>
#include <unistd.h>

#include "gofer/protocol.h"
#include "gofer/server.h"
#include "runsc/cmd.h"
#include "sentry/gofer_client.h"

#define BIG_ENTRIES 3000

static char tree[64];
static uint8_t buf[GOFER_MSG_MAX];

/* ---- codec ---- */

static struct gofer_attr sample_attr(void)
{
	struct gofer_attr a = {
		.ino = 0x1122334455667788ull, .dev = 0x803, .mode = S_IFREG | 0644,
		.nlink = 2, .uid = 1000, .gid = 100, .rdev = 0, .size = 123456789,
		.blocks = 248, .blksize = 4096, .atime_sec = 1700000000,
		.mtime_sec = -5, .ctime_sec = 1, .atime_nsec = 999999999,
		.mtime_nsec = 1, .ctime_nsec = 0,
	};
	return a;
}

static void req_roundtrip(const struct gofer_req *in, struct gofer_req *out)
{
	ssize_t n = gofer_req_encode(in, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(gofer_req_decode(buf, (size_t)n, out), 0);
	ck_assert_uint_eq(out->type, in->type);
	ck_assert_uint_eq(out->tag, in->tag);
}

START_TEST(test_req_roundtrip)
{
	struct gofer_req in, out;

	in = (struct gofer_req){ .type = GOFER_MSG_ATTACH, .tag = 7 };
	req_roundtrip(&in, &out);

	in = (struct gofer_req){ .type = GOFER_MSG_WALK, .tag = 8, .walk.dirfid = 42 };
	strcpy(in.walk.name, "hello.txt");
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.walk.dirfid, 42);
	ck_assert_str_eq(out.walk.name, "hello.txt");

	/* The longest legal name, and names that merely start with dots. */
	memset(in.walk.name, 'x', GOFER_NAME_MAX);
	in.walk.name[GOFER_NAME_MAX] = '\0';
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(strlen(out.walk.name), GOFER_NAME_MAX);
	strcpy(in.walk.name, "...");
	req_roundtrip(&in, &out);
	ck_assert_str_eq(out.walk.name, "...");
	strcpy(in.walk.name, ".hidden");
	req_roundtrip(&in, &out);

	uint32_t simple[] = { GOFER_MSG_GETATTR, GOFER_MSG_READLINK, GOFER_MSG_CLUNK };
	for (size_t i = 0; i < 3; i++) {
		in = (struct gofer_req){ .type = simple[i], .tag = 9, .getattr.fid = GOFER_FID_MAX - 1 };
		req_roundtrip(&in, &out);
		ck_assert_uint_eq(out.getattr.fid, GOFER_FID_MAX - 1);
	}

	in = (struct gofer_req){ .type = GOFER_MSG_OPEN, .tag = 10,
				 .open = { 3, O_RDWR | O_TRUNC | O_APPEND | O_NONBLOCK } };
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.open.fid, 3);
	ck_assert_uint_eq(out.open.flags, O_RDWR | O_TRUNC | O_APPEND | O_NONBLOCK);
	in.open.flags = O_RDONLY | O_DIRECTORY;
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.open.flags, O_RDONLY | O_DIRECTORY);

	in = (struct gofer_req){ .type = GOFER_MSG_READDIR, .tag = 11,
				 .readdir = { 5, GOFER_READDIR_MAX, 0xfedcba9876543210ull } };
	req_roundtrip(&in, &out);
	ck_assert_uint_eq(out.readdir.fid, 5);
	ck_assert_uint_eq(out.readdir.max_bytes, GOFER_READDIR_MAX);
	ck_assert(out.readdir.offset == 0xfedcba9876543210ull);
}
END_TEST

static void rep_roundtrip(const struct gofer_rep *in, struct gofer_rep *out)
{
	ssize_t n = gofer_rep_encode(in, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)n, out), 0);
	ck_assert_uint_eq(out->type, in->type);
	ck_assert_uint_eq(out->tag, in->tag);
	ck_assert_int_eq(out->error, in->error);
}

START_TEST(test_rep_roundtrip)
{
	static struct gofer_rep in, out;
	struct gofer_attr a = sample_attr();

	in = (struct gofer_rep){ .type = GOFER_MSG_ATTACH, .tag = 1, .attach = { 0, a } };
	rep_roundtrip(&in, &out);
	ck_assert_uint_eq(out.attach.fid, 0);
	ck_assert(memcmp(&out.attach.attr, &a, sizeof(a)) == 0);

	in = (struct gofer_rep){ .type = GOFER_MSG_WALK, .tag = 2, .walk = { 77, a } };
	rep_roundtrip(&in, &out);
	ck_assert_uint_eq(out.walk.fid, 77);
	ck_assert(memcmp(&out.walk.attr, &a, sizeof(a)) == 0);

	in = (struct gofer_rep){ .type = GOFER_MSG_GETATTR, .tag = 3, .getattr.attr = a };
	rep_roundtrip(&in, &out);
	ck_assert(memcmp(&out.getattr.attr, &a, sizeof(a)) == 0);

	in = (struct gofer_rep){ .type = GOFER_MSG_OPEN, .tag = 4 };
	rep_roundtrip(&in, &out);
	in = (struct gofer_rep){ .type = GOFER_MSG_CLUNK, .tag = 5 };
	rep_roundtrip(&in, &out);

	in = (struct gofer_rep){ .type = GOFER_MSG_READLINK, .tag = 6 };
	strcpy(in.readlink.target, "/etc/passwd");
	in.readlink.len = 11;
	rep_roundtrip(&in, &out);
	ck_assert_uint_eq(out.readlink.len, 11);
	ck_assert_str_eq(out.readlink.target, "/etc/passwd");
	memset(in.readlink.target, 'a', GOFER_SYMLINK_MAX);
	in.readlink.len = GOFER_SYMLINK_MAX;
	rep_roundtrip(&in, &out);
	ck_assert_uint_eq(out.readlink.len, GOFER_SYMLINK_MAX);

	/* Every error, for any type, even one the server could not parse. */
	in = (struct gofer_rep){ .type = GOFER_MSG_WALK, .tag = 7, .error = ENOENT };
	rep_roundtrip(&in, &out);
	in = (struct gofer_rep){ .type = 12345, .tag = 8, .error = EINVAL };
	rep_roundtrip(&in, &out);
	ck_assert_uint_eq(out.type, 12345);
}
END_TEST

START_TEST(test_readdir_roundtrip)
{
	static uint8_t ents[GOFER_READDIR_MAX];
	static struct gofer_rep in, out;
	const char *names[] = { "a", "bb", ".profile", "..x" };
	uint8_t types[] = { DT_REG, DT_DIR, DT_LNK, DT_UNKNOWN };
	size_t off = 0;

	for (size_t i = 0; i < 4; i++) {
		struct gofer_dirent de = { .ino = 100 + i, .next_offset = 1000 + i, .type = types[i] };
		ck_assert_int_eq(gofer_dirent_pack(ents, sizeof(ents), &off, &de, names[i]), 0);
	}
	in = (struct gofer_rep){ .type = GOFER_MSG_READDIR, .tag = 9,
				 .readdir = { 1, 4, (uint32_t)off, ents } };
	rep_roundtrip(&in, &out);
	ck_assert_uint_eq(out.readdir.count, 4);
	ck_assert_uint_eq(out.readdir.eof, 1);

	struct gofer_dirent de;
	char name[GOFER_NAME_MAX + 1];
	size_t pos = 0;
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(gofer_dirent_unpack(out.readdir.entries, out.readdir.len, &pos, &de, name), 1);
		ck_assert_str_eq(name, names[i]);
		ck_assert_uint_eq(de.ino, 100 + i);
		ck_assert_uint_eq(de.next_offset, 1000 + i);
		ck_assert_uint_eq(de.type, types[i]);
	}
	ck_assert_int_eq(gofer_dirent_unpack(out.readdir.entries, out.readdir.len, &pos, &de, name), 0);

	/* An empty, final batch. */
	in.readdir = (typeof(in.readdir)){ 1, 0, 0, ents };
	rep_roundtrip(&in, &out);
	ck_assert_uint_eq(out.readdir.count, 0);

	/* No room, bad names, bad types. */
	struct gofer_dirent d = { .type = DT_REG };
	off = 0;
	ck_assert_int_eq(gofer_dirent_pack(ents, GOFER_DIRENT_SIZE, &off, &d, "ab"), -ENOSPC);
	ck_assert_int_eq(gofer_dirent_pack(ents, sizeof(ents), &off, &d, ".."), -EINVAL);
	ck_assert_int_eq(gofer_dirent_pack(ents, sizeof(ents), &off, &d, "a/b"), -EINVAL);
	d.type = 3;
	ck_assert_int_eq(gofer_dirent_pack(ents, sizeof(ents), &off, &d, "ok"), -EINVAL);
	ck_assert_uint_eq(off, 0);
}
END_TEST

/* A raw request: header fields as given, then payload. */
static size_t raw_req(uint32_t magic, uint32_t type, uint32_t plen, const void *payload,
		      size_t real_plen)
{
	uint32_t hdr[4] = { magic, type, 99, plen };
	memcpy(buf, hdr, sizeof(hdr));
	if (real_plen)
		memcpy(buf + 16, payload, real_plen);
	return 16 + real_plen;
}

static int decode_raw_walk(uint32_t dirfid, const char *name, size_t namelen)
{
	uint8_t p[8 + 300];
	uint32_t nl = (uint32_t)namelen;
	struct gofer_req req;
	memcpy(p, &dirfid, 4);
	memcpy(p + 4, &nl, 4);
	memcpy(p + 8, name, namelen);
	size_t n = raw_req(GOFER_MAGIC, GOFER_MSG_WALK, (uint32_t)(8 + namelen), p, 8 + namelen);
	return gofer_req_decode(buf, n, &req);
}

START_TEST(test_req_reject)
{
	struct gofer_req req;
	uint32_t p[4] = { 1, 0, 0, 0 };
	char longname[300];
	size_t n;

	/* Truncated header, empty message. */
	ck_assert_int_eq(gofer_req_decode(buf, 0, &req), -EINVAL);
	raw_req(GOFER_MAGIC, GOFER_MSG_CLUNK, 4, p, 4);
	ck_assert_int_eq(gofer_req_decode(buf, 15, &req), -EINVAL);
	ck_assert_int_eq(gofer_req_decode(buf, 20, &req), 0);

	/* Wrong magic (or version: version 1 had no ATTACH payload). */
	n = raw_req(GOFER_MAGIC + 1, GOFER_MSG_CLUNK, 4, p, 4);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(0x47460001u, GOFER_MSG_ATTACH, 0, NULL, 0);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);

	/* payload_len lying in either direction, or a payload too short or
	 * too long for its type. */
	n = raw_req(GOFER_MAGIC, GOFER_MSG_GETATTR, 5, p, 4);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_GETATTR, 3, p, 4);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_GETATTR, 3, p, 3);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_GETATTR, 8, p, 8);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_ATTACH, 8, p, 8);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_ATTACH, 0, NULL, 0);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_ATTACH, 4, p, 4);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), 0);
	ck_assert_uint_eq(req.attach.mount, 1);
	uint32_t nmounts = GOFER_MOUNTS_MAX;
	n = raw_req(GOFER_MAGIC, GOFER_MSG_ATTACH, 4, &nmounts, 4);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_GETATTR, 4, p, 4);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), 0);
	ck_assert_uint_eq(req.tag, 99);
	ck_assert_int_eq(gofer_req_decode(buf, GOFER_MSG_MAX + 1, &req), -EINVAL);

	/* Unknown and reserved types; the tag survives for the error reply. */
	n = raw_req(GOFER_MAGIC, 0, 0, NULL, 0);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	ck_assert_uint_eq(req.tag, 99);
	n = raw_req(GOFER_MAGIC, 8, 0, NULL, 0);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(GOFER_MAGIC, 0xdeadbeef, 0, NULL, 0);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_REMOVEXATTR + 1, 0, NULL, 0);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -ENOSYS);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_RESERVED_LAST, 0, NULL, 0);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -ENOSYS);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_RESERVED_LAST + 1, 0, NULL, 0);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_CREATE, 0, NULL, 0);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);

	/* Names. */
	ck_assert_int_eq(decode_raw_walk(0, "ok", 2), 0);
	ck_assert_int_eq(decode_raw_walk(0, "..", 2), -EINVAL);
	ck_assert_int_eq(decode_raw_walk(0, ".", 1), -EINVAL);
	ck_assert_int_eq(decode_raw_walk(0, "", 0), -EINVAL);
	ck_assert_int_eq(decode_raw_walk(0, "a/b", 3), -EINVAL);
	ck_assert_int_eq(decode_raw_walk(0, "/", 1), -EINVAL);
	ck_assert_int_eq(decode_raw_walk(0, "a\0b", 3), -EINVAL);
	memset(longname, 'n', sizeof(longname));
	ck_assert_int_eq(decode_raw_walk(0, longname, GOFER_NAME_MAX), 0);
	ck_assert_int_eq(decode_raw_walk(0, longname, GOFER_NAME_MAX + 1), -ENAMETOOLONG);
	ck_assert_int_eq(decode_raw_walk(GOFER_FID_MAX, "ok", 2), -EINVAL);
	/* namelen disagreeing with the payload. */
	uint8_t w[12] = { 0 };
	w[4] = 3;
	memcpy(w + 8, "abcd", 4);
	n = raw_req(GOFER_MAGIC, GOFER_MSG_WALK, 12, w, 12);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	w[4] = 5;
	n = raw_req(GOFER_MAGIC, GOFER_MSG_WALK, 12, w, 12);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	w[4] = 4;
	n = raw_req(GOFER_MAGIC, GOFER_MSG_WALK, 12, w, 12);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), 0);
	ck_assert_str_eq(req.walk.name, "abcd");

	/* Open flags. */
	uint32_t bad_flags[] = { O_CREAT, O_PATH, O_ACCMODE, O_NOFOLLOW, O_EXCL, O_TMPFILE,
				 O_CLOEXEC, O_SYNC, 0x80000000u };
	for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		uint32_t o[2] = { 1, bad_flags[i] };
		n = raw_req(GOFER_MAGIC, GOFER_MSG_OPEN, 8, o, 8);
		ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
		struct gofer_req r = { .type = GOFER_MSG_OPEN, .open = { 1, bad_flags[i] } };
		ck_assert_int_eq(gofer_req_encode(&r, buf, sizeof(buf)), -EINVAL);
	}

	/* Fids out of range. */
	p[0] = GOFER_FID_MAX;
	n = raw_req(GOFER_MAGIC, GOFER_MSG_CLUNK, 4, p, 4);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	p[0] = 0xffffffffu;
	n = raw_req(GOFER_MAGIC, GOFER_MSG_READLINK, 4, p, 4);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);

	/* READDIR sizes. */
	uint32_t rd[4] = { 1, GOFER_READDIR_MIN - 1, 0, 0 };
	n = raw_req(GOFER_MAGIC, GOFER_MSG_READDIR, 16, rd, 16);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	rd[1] = GOFER_READDIR_MAX + 1;
	n = raw_req(GOFER_MAGIC, GOFER_MSG_READDIR, 16, rd, 16);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), -EINVAL);
	rd[1] = GOFER_READDIR_MIN;
	n = raw_req(GOFER_MAGIC, GOFER_MSG_READDIR, 16, rd, 16);
	ck_assert_int_eq(gofer_req_decode(buf, n, &req), 0);
}
END_TEST

START_TEST(test_req_encode_reject)
{
	struct gofer_req r = { .type = GOFER_MSG_WALK };
	const char *bad[] = { "", ".", "..", "a/b", "/" };

	for (size_t i = 0; i < 5; i++) {
		strcpy(r.walk.name, bad[i]);
		ck_assert_int_eq(gofer_req_encode(&r, buf, sizeof(buf)), -EINVAL);
	}
	memset(r.walk.name, 'x', GOFER_NAME_MAX);
	r.walk.name[GOFER_NAME_MAX] = 'y'; /* no terminator within the field */
	ck_assert_int_eq(gofer_req_encode(&r, buf, sizeof(buf)), -ENAMETOOLONG);

	r = (struct gofer_req){ .type = 0 };
	ck_assert_int_eq(gofer_req_encode(&r, buf, sizeof(buf)), -EINVAL);
	r = (struct gofer_req){ .type = GOFER_MSG_REMOVEXATTR + 1 };
	ck_assert_int_eq(gofer_req_encode(&r, buf, sizeof(buf)), -EINVAL);
	r = (struct gofer_req){ .type = GOFER_MSG_GETATTR, .getattr.fid = GOFER_FID_MAX };
	ck_assert_int_eq(gofer_req_encode(&r, buf, sizeof(buf)), -EINVAL);
	r = (struct gofer_req){ .type = GOFER_MSG_GETATTR };
	ck_assert_int_eq(gofer_req_encode(&r, buf, 19), -EMSGSIZE);
	ck_assert_int_eq(gofer_req_encode(&r, buf, 4), -EMSGSIZE);
	ck_assert_int_eq(gofer_req_encode(&r, buf, 20), 20);
}
END_TEST

static size_t raw_rep(uint32_t type, int32_t error, uint32_t plen, const void *payload,
		      size_t real_plen)
{
	uint32_t hdr[4] = { type, 5, (uint32_t)error, plen };
	memcpy(buf, hdr, sizeof(hdr));
	if (real_plen)
		memcpy(buf + 16, payload, real_plen);
	return 16 + real_plen;
}

START_TEST(test_rep_reject)
{
	static struct gofer_rep rep, in;
	uint8_t p[256] = { 0 };
	size_t n;
	ssize_t len;

	ck_assert_int_eq(gofer_rep_decode(buf, 12, &rep), -EINVAL);
	/* Not marked as a reply. */
	n = raw_rep(GOFER_MSG_CLUNK, 0, 0, NULL, 0);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);
	n = raw_rep(GOFER_MSG_CLUNK | GOFER_MSG_REPLY, 0, 0, NULL, 0);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), 0);
	/* An error reply with a payload, or an errno out of range. */
	n = raw_rep(GOFER_MSG_CLUNK | GOFER_MSG_REPLY, EBADF, 4, p, 4);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);
	n = raw_rep(GOFER_MSG_CLUNK | GOFER_MSG_REPLY, -1, 0, NULL, 0);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);
	n = raw_rep(GOFER_MSG_CLUNK | GOFER_MSG_REPLY, 4096, 0, NULL, 0);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);
	/* Success for an unknown type; payload size lies. */
	n = raw_rep(99 | GOFER_MSG_REPLY, 0, 0, NULL, 0);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);
	n = raw_rep(GOFER_MSG_GETATTR | GOFER_MSG_REPLY, 0, GOFER_ATTR_SIZE - 1, p, GOFER_ATTR_SIZE - 1);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);
	n = raw_rep(GOFER_MSG_GETATTR | GOFER_MSG_REPLY, 0, GOFER_ATTR_SIZE, p, GOFER_ATTR_SIZE);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), 0);
	ck_assert_int_eq(gofer_rep_decode(buf, n + 1, &rep), -EINVAL);

	/* Attributes: nanoseconds out of range, pad set. */
	in = (struct gofer_rep){ .type = GOFER_MSG_GETATTR, .getattr.attr = sample_attr() };
	in.getattr.attr.mtime_nsec = 1000000000;
	ck_assert_int_eq(gofer_rep_encode(&in, buf, sizeof(buf)), -EINVAL);
	in.getattr.attr.mtime_nsec = 0;
	len = gofer_rep_encode(&in, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	uint32_t big = 1000000000;
	memcpy(buf + 16 + 88, &big, 4); /* atime_nsec */
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)len, &rep), -EINVAL);

	/* Fid out of range. */
	in = (struct gofer_rep){ .type = GOFER_MSG_WALK, .walk = { GOFER_FID_MAX, sample_attr() } };
	ck_assert_int_eq(gofer_rep_encode(&in, buf, sizeof(buf)), -EINVAL);

	/* Readlink: empty, NUL inside, length lies. */
	uint32_t zero = 0;
	n = raw_rep(GOFER_MSG_READLINK | GOFER_MSG_REPLY, 0, 4, &zero, 4);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);
	uint8_t rl[8] = { 3, 0, 0, 0, 'a', 0, 'b' };
	n = raw_rep(GOFER_MSG_READLINK | GOFER_MSG_REPLY, 0, 7, rl, 7);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);
	rl[5] = 'x';
	n = raw_rep(GOFER_MSG_READLINK | GOFER_MSG_REPLY, 0, 7, rl, 7);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), 0);
	ck_assert_str_eq(rep.readlink.target, "axb");
	rl[0] = 4;
	n = raw_rep(GOFER_MSG_READLINK | GOFER_MSG_REPLY, 0, 7, rl, 7);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);

	/* Readdir: wrong count, count 0 without eof, bad entry names. */
	static uint8_t ents[512];
	size_t off = 0;
	struct gofer_dirent de = { .ino = 1, .next_offset = 2, .type = DT_REG };
	gofer_dirent_pack(ents, sizeof(ents), &off, &de, "file");
	in = (struct gofer_rep){ .type = GOFER_MSG_READDIR, .readdir = { 0, 2, (uint32_t)off, ents } };
	ck_assert_int_eq(gofer_rep_encode(&in, buf, sizeof(buf)), -EINVAL);
	in.readdir.count = 0;
	ck_assert_int_eq(gofer_rep_encode(&in, buf, sizeof(buf)), -EINVAL);
	in.readdir.count = 1;
	len = gofer_rep_encode(&in, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)len, &rep), 0);
	memcpy(buf + 16 + 8 + GOFER_DIRENT_SIZE, "f/le", 4);
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)len, &rep), -EINVAL);
	memcpy(buf + 16 + 8 + GOFER_DIRENT_SIZE, "..\0\0", 4);
	uint16_t two = 2;
	memcpy(buf + 16 + 8 + 18, &two, 2); /* namelen: now ".." and 2 stray bytes */
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)len, &rep), -EINVAL);
	uint32_t hdr_eof[2] = { 2, 0 };
	n = raw_rep(GOFER_MSG_READDIR | GOFER_MSG_REPLY, 0, 8, hdr_eof, 8);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);
	hdr_eof[0] = 0;
	n = raw_rep(GOFER_MSG_READDIR | GOFER_MSG_REPLY, 0, 8, hdr_eof, 8);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), -EINVAL);
	hdr_eof[0] = 1;
	n = raw_rep(GOFER_MSG_READDIR | GOFER_MSG_REPLY, 0, 8, hdr_eof, 8);
	ck_assert_int_eq(gofer_rep_decode(buf, n, &rep), 0);
}
END_TEST

/* ---- end to end over gofer_serve ---- */

static void write_file(const char *rel, const char *content)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", tree, rel);
	FILE *f = fopen(p, "w");
	if (!f) { /* also used before the tests run: no ck_assert */
		perror(p);
		exit(1);
	}
	fputs(content, f);
	fclose(f);
}

static void make_tree(void)
{
	char p[PATH_MAX];

	strcpy(tree, "/tmp/gofer-test-XXXXXX");
	if (!mkdtemp(tree)) {
		perror("mkdtemp");
		exit(1);
	}
	write_file("hello.txt", "hello, gofer\n");
	snprintf(p, sizeof(p), "%s/sub", tree);
	mkdir(p, 0755);
	write_file("sub/inner.txt", "inner\n");
	snprintf(p, sizeof(p), "%s/link", tree);
	if (symlink("hello.txt", p) < 0)
		exit(1);
	snprintf(p, sizeof(p), "%s/escape", tree);
	if (symlink("/etc/passwd", p) < 0)
		exit(1);
	snprintf(p, sizeof(p), "%s/escapedir", tree);
	if (symlink("/etc", p) < 0)
		exit(1);
	snprintf(p, sizeof(p), "%s/fifo", tree);
	mkfifo(p, 0644);
	snprintf(p, sizeof(p), "%s/big", tree);
	mkdir(p, 0755);
	for (int i = 0; i < BIG_ENTRIES; i++) {
		snprintf(p, sizeof(p), "%s/big/%05d-%0100d", tree, i, 0);
		int fd = open(p, O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			exit(1);
		close(fd);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static pid_t server_pid;

static struct gofer_client *start_server(unsigned int flags)
{
	int sv[2];
	struct gofer_client *c;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	server_pid = fork();
	ck_assert_int_ge(server_pid, 0);
	if (server_pid == 0) {
		close(sv[0]);
		int rfd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
		_exit(rfd >= 0 && gofer_serve(sv[1], rfd, flags) == 0 ? 0 : 1);
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

static uint32_t walk_path(struct gofer_client *c, uint32_t root, const char *a, const char *b,
			  struct gofer_attr *attr)
{
	uint32_t fid;
	ck_assert_int_eq(gofer_walk(c, root, a, &fid, attr), 0);
	if (b) {
		uint32_t fid2;
		ck_assert_int_eq(gofer_walk(c, fid, b, &fid2, attr), 0);
		ck_assert_int_eq(gofer_clunk(c, fid), 0);
		fid = fid2;
	}
	return fid;
}

START_TEST(test_e2e_walk_open_read)
{
	struct gofer_client *c = start_server(0);
	struct gofer_attr attr, rattr;
	uint32_t root, fid;
	char data[64];
	int fd;
	struct stat st;

	ck_assert_int_eq(gofer_attach(c, &root, &rattr), 0);
	ck_assert(S_ISDIR(rattr.mode));
	ck_assert_int_eq(stat(tree, &st), 0);
	ck_assert_uint_eq(rattr.ino, st.st_ino);

	fid = walk_path(c, root, "hello.txt", NULL, &attr);
	ck_assert(S_ISREG(attr.mode));
	ck_assert_int_eq(attr.size, 13);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), 0);
	ck_assert_int_eq(read(fd, data, sizeof(data)), 13);
	ck_assert(memcmp(data, "hello, gofer\n", 13) == 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY);
	close(fd);

	/* Write access, and O_NONBLOCK|O_APPEND kept as asked. */
	write_file("rw.txt", "0123456789abc");
	ck_assert_int_eq(gofer_clunk(c, fid), 0);
	fid = walk_path(c, root, "rw.txt", NULL, &attr);
	ck_assert_int_eq(gofer_open(c, fid, O_WRONLY | O_APPEND | O_NONBLOCK, &fd), 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK | O_APPEND),
			 O_WRONLY | O_NONBLOCK | O_APPEND);
	ck_assert_int_eq(write(fd, "more\n", 5), 5);
	close(fd);
	ck_assert_int_eq(gofer_getattr(c, fid, &attr), 0);
	ck_assert_int_eq(attr.size, 18);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY | O_DIRECTORY, &fd), -ENOTDIR);
	ck_assert_int_eq(gofer_open(c, fid, O_WRONLY | O_TRUNC, &fd), 0);
	close(fd);
	ck_assert_int_eq(gofer_getattr(c, fid, &attr), 0);
	ck_assert_int_eq(attr.size, 0);
	ck_assert_int_eq(gofer_clunk(c, fid), 0);
	char rw[PATH_MAX];
	snprintf(rw, sizeof(rw), "%s/rw.txt", tree);
	unlink(rw);

	/* Two levels down, and the directory itself. */
	uint32_t inner = walk_path(c, root, "sub", "inner.txt", &attr);
	ck_assert_int_eq(gofer_open(c, inner, O_RDWR, &fd), 0);
	ck_assert_int_eq(read(fd, data, sizeof(data)), 6);
	close(fd);
	uint32_t sub = walk_path(c, root, "sub", NULL, &attr);
	ck_assert(S_ISDIR(attr.mode));
	ck_assert_int_eq(gofer_open(c, sub, O_RDONLY | O_DIRECTORY, &fd), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_eq(st.st_ino, attr.ino);
	close(fd);
	ck_assert_int_eq(gofer_open(c, sub, O_WRONLY, &fd), -EISDIR);
	ck_assert_int_eq(gofer_open(c, root, O_RDONLY, &fd), 0);
	close(fd);

	ck_assert_int_eq(gofer_walk(c, root, "missing", &fid, &attr), -ENOENT);
	/* Walking from a file. */
	ck_assert_int_eq(gofer_walk(c, inner, "x", &fid, &attr), -ENOTDIR);

	/* Fids are released. */
	ck_assert_int_eq(gofer_clunk(c, inner), 0);
	ck_assert_int_eq(gofer_clunk(c, inner), -EBADF);
	ck_assert_int_eq(gofer_getattr(c, inner, &attr), -EBADF);
	ck_assert_int_eq(gofer_open(c, 12345, O_RDONLY, &fd), -EBADF);

	ck_assert_int_eq(stop_server(c), 0);
}
END_TEST

START_TEST(test_e2e_escape)
{
	struct gofer_client *c = start_server(0);
	struct gofer_attr attr;
	uint32_t root, fid, fid2;
	char target[64];
	size_t len;
	int fd;

	ck_assert_int_eq(gofer_attach(c, &root, &attr), 0);
	/* The client refuses, and so does the server (raw test below). */
	ck_assert_int_eq(gofer_walk(c, root, "..", &fid, &attr), -EINVAL);
	ck_assert_int_eq(gofer_walk(c, root, ".", &fid, &attr), -EINVAL);
	ck_assert_int_eq(gofer_walk(c, root, "sub/inner.txt", &fid, &attr), -EINVAL);
	ck_assert_int_eq(gofer_walk(c, root, "", &fid, &attr), -EINVAL);

	/* A symlink out of the tree: its own fid, never the target. */
	ck_assert_int_eq(gofer_walk(c, root, "escape", &fid, &attr), 0);
	ck_assert(S_ISLNK(attr.mode));
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), -ELOOP);
	ck_assert_int_eq(gofer_readlink(c, fid, target, sizeof(target), &len), 0);
	ck_assert_uint_eq(len, 11);
	ck_assert(memcmp(target, "/etc/passwd", 11) == 0);
	/* readlink(2) truncation. */
	ck_assert_int_eq(gofer_readlink(c, fid, target, 4, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert(memcmp(target, "/etc", 4) == 0);

	ck_assert_int_eq(gofer_walk(c, root, "escapedir", &fid2, &attr), 0);
	ck_assert(S_ISLNK(attr.mode));
	ck_assert_int_eq(gofer_walk(c, fid2, "passwd", &fid, &attr), -ENOTDIR);
	ck_assert_int_eq(gofer_open(c, fid2, O_RDONLY | O_DIRECTORY, &fd), -ELOOP);

	ck_assert_int_eq(gofer_walk(c, root, "link", &fid, &attr), 0);
	ck_assert_int_eq(gofer_readlink(c, fid, target, sizeof(target), &len), 0);
	ck_assert_uint_eq(len, 9);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), -ELOOP);
	ck_assert_int_eq(gofer_readlink(c, root, target, sizeof(target), &len), -EINVAL);

	/* Special files are not opened. */
	ck_assert_int_eq(gofer_walk(c, root, "fifo", &fid, &attr), 0);
	ck_assert(S_ISFIFO(attr.mode));
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), -EPERM);

	/* Flags the protocol refuses never leave the client. */
	ck_assert_int_eq(gofer_walk(c, root, "hello.txt", &fid, &attr), 0);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY | O_CREAT, &fd), -EINVAL);
	ck_assert_int_eq(gofer_open(c, fid, O_PATH, &fd), -EINVAL);

	ck_assert_int_eq(stop_server(c), 0);
}
END_TEST

/* A file swapped for a symlink after the walk is not followed, and one
 * swapped for another file is not opened. */
START_TEST(test_e2e_swap)
{
	struct gofer_client *c = start_server(0);
	struct gofer_attr attr;
	uint32_t root, fid;
	char p[PATH_MAX], q[PATH_MAX];
	int fd;

	write_file("swap", "x");
	ck_assert_int_eq(gofer_attach(c, &root, &attr), 0);
	ck_assert_int_eq(gofer_walk(c, root, "swap", &fid, &attr), 0);
	snprintf(p, sizeof(p), "%s/swap", tree);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), -ELOOP);
	ck_assert_int_eq(unlink(p), 0);
	write_file("swap2", "y");
	snprintf(q, sizeof(q), "%s/swap2", tree);
	ck_assert_int_eq(rename(q, p), 0);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), -ESTALE);
	unlink(p);
	ck_assert_int_eq(stop_server(c), 0);
}
END_TEST

struct names {
	char **v;
	int n, cap, stop_after;
	uint64_t last_off;
};

static int collect(void *arg, const struct gofer_dirent *de, const char *name)
{
	struct names *ns = arg;
	if (ns->stop_after && ns->n == ns->stop_after)
		return 1;
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 16;
		ns->v = realloc(ns->v, (size_t)ns->cap * sizeof(char *));
	}
	ck_assert_uint_eq(strlen(name), de->namelen);
	ns->v[ns->n++] = strdup(name);
	ns->last_off = de->next_offset;
	return 0;
}

static void names_free(struct names *ns)
{
	for (int i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	*ns = (struct names){ 0 };
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(test_e2e_readdir)
{
	struct gofer_client *c = start_server(0);
	struct gofer_attr attr;
	uint32_t root, big, fid;
	struct names ns = { 0 };
	int eof = 0;

	ck_assert_int_eq(gofer_attach(c, &root, &attr), 0);
	ck_assert_int_eq(gofer_readdir(c, root, 0, collect, &ns, &eof), 0);
	ck_assert_int_eq(eof, 1);
	qsort(ns.v, (size_t)ns.n, sizeof(char *), cmp_str);
	const char *want[] = { "big", "escape", "escapedir", "fifo", "hello.txt", "link", "sub" };
	ck_assert_int_eq(ns.n, 7);
	for (int i = 0; i < 7; i++)
		ck_assert_str_eq(ns.v[i], want[i]);

	/* Many batches; no duplicates, nothing lost. */
	ck_assert_int_eq(gofer_walk(c, root, "big", &big, &attr), 0);
	names_free(&ns);
	ck_assert_int_eq(gofer_readdir(c, big, 0, collect, &ns, &eof), 0);
	ck_assert_int_eq(eof, 1);
	ck_assert_int_eq(ns.n, BIG_ENTRIES);
	qsort(ns.v, (size_t)ns.n, sizeof(char *), cmp_str);
	for (int i = 0; i < BIG_ENTRIES; i++) {
		char want_name[128];
		snprintf(want_name, sizeof(want_name), "%05d-%0100d", i, 0);
		ck_assert_str_eq(ns.v[i], want_name);
	}

	/* A consumer that stops, then resumes from its last cookie. */
	struct names part = { .stop_after = 1000 };
	ck_assert_int_eq(gofer_readdir(c, big, 0, collect, &part, &eof), 0);
	ck_assert_int_eq(eof, 0);
	ck_assert_int_eq(part.n, 1000);
	part.stop_after = 0;
	ck_assert_int_eq(gofer_readdir(c, big, part.last_off, collect, &part, &eof), 0);
	ck_assert_int_eq(eof, 1);
	ck_assert_int_eq(part.n, BIG_ENTRIES);
	qsort(part.v, (size_t)part.n, sizeof(char *), cmp_str);
	for (int i = 0; i < BIG_ENTRIES; i++)
		ck_assert_str_eq(part.v[i], ns.v[i]);

	/* Reading past the end: nothing, eof. */
	struct names none = { 0 };
	ck_assert_int_eq(gofer_readdir(c, big, part.last_off, collect, &none, &eof), 0);
	ck_assert_int_eq(none.n, 0);
	ck_assert_int_eq(eof, 1);

	ck_assert_int_eq(gofer_walk(c, root, "hello.txt", &fid, &attr), 0);
	ck_assert_int_eq(gofer_readdir(c, fid, 0, collect, &none, &eof), -ENOTDIR);
	names_free(&ns);
	names_free(&part);
	ck_assert_int_eq(stop_server(c), 0);
}
END_TEST

START_TEST(test_e2e_readonly)
{
	struct gofer_client *c = start_server(GOFER_SERVE_READONLY);
	struct gofer_attr attr;
	uint32_t root, fid;
	int fd;

	ck_assert_int_eq(gofer_attach(c, &root, &attr), 0);
	ck_assert_int_eq(gofer_walk(c, root, "hello.txt", &fid, &attr), 0);
	ck_assert_int_eq(gofer_open(c, fid, O_WRONLY, &fd), -EROFS);
	ck_assert_int_eq(gofer_open(c, fid, O_RDWR, &fd), -EROFS);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY | O_TRUNC, &fd), -EROFS);
	ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), 0);
	close(fd);
	ck_assert_int_eq(stop_server(c), 0);
}
END_TEST

/* Malformed requests straight on the socket: error replies, no crash. */
START_TEST(test_e2e_raw_garbage)
{
	int sv[2];
	struct gofer_rep rep;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	server_pid = fork();
	if (server_pid == 0) {
		close(sv[0]);
		int rfd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
		_exit(gofer_serve(sv[1], rfd, 0) == 0 ? 0 : 1);
	}
	close(sv[1]);

	struct { const char *name; uint32_t namelen; } walks[] = {
		{ "..", 2 }, { ".", 1 }, { "a/b", 3 }, { "", 0 }, { "x\0y", 3 },
	};
	for (size_t i = 0; i < sizeof(walks) / sizeof(walks[0]); i++) {
		uint8_t msg[64];
		uint32_t hdr[6] = { GOFER_MAGIC, GOFER_MSG_WALK, 500 + (uint32_t)i,
				    8 + walks[i].namelen, 0, walks[i].namelen };
		memcpy(msg, hdr, sizeof(hdr));
		memcpy(msg + 24, walks[i].name, walks[i].namelen);
		ck_assert_int_eq(send(sv[0], msg, 24 + walks[i].namelen, 0), 24 + walks[i].namelen);
		ssize_t n = recv(sv[0], buf, sizeof(buf), 0);
		ck_assert_int_eq(gofer_rep_decode(buf, (size_t)n, &rep), 0);
		ck_assert_uint_eq(rep.tag, 500 + i);
		ck_assert_int_eq(rep.error, EINVAL);
	}
	/* Truncated header, unknown type, oversized datagram, passed fds. */
	ck_assert_int_eq(send(sv[0], "abc", 3, 0), 3);
	ssize_t n = recv(sv[0], buf, sizeof(buf), 0);
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)n, &rep), 0);
	ck_assert_int_eq(rep.error, EINVAL);
	uint32_t unk[4] = { GOFER_MAGIC, 0x80000007u, 3, 0 };
	ck_assert_int_eq(send(sv[0], unk, 16, 0), 16);
	n = recv(sv[0], buf, sizeof(buf), 0);
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)n, &rep), 0);
	ck_assert_int_eq(rep.error, EINVAL);
	ck_assert_uint_eq(rep.type, 7);
	static uint8_t huge[GOFER_MSG_MAX + 100];
	uint32_t att[5] = { GOFER_MAGIC, GOFER_MSG_ATTACH, 4, 4, 0 };
	memcpy(huge, att, 20);
	ck_assert_int_eq(send(sv[0], huge, sizeof(huge), 0), (ssize_t)sizeof(huge));
	n = recv(sv[0], buf, sizeof(buf), 0);
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)n, &rep), 0);
	ck_assert_int_eq(rep.error, EINVAL);

	int pass = open("/dev/null", O_RDONLY);
	union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr a; } cb;
	struct iovec iov = { att, 20 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b,
			     .msg_controllen = sizeof(cb.b) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pass, sizeof(int));
	ck_assert_int_eq(sendmsg(sv[0], &mh, 0), 20);
	n = recv(sv[0], buf, sizeof(buf), 0);
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)n, &rep), 0);
	ck_assert_int_eq(rep.error, EINVAL);

	/* Still serving. */
	ck_assert_int_eq(send(sv[0], att, 20, 0), 20);
	n = recv(sv[0], buf, sizeof(buf), 0);
	ck_assert_int_eq(gofer_rep_decode(buf, (size_t)n, &rep), 0);
	ck_assert_int_eq(rep.error, 0);
	ck_assert_uint_eq(rep.type, GOFER_MSG_ATTACH);

	close(sv[0]);
	int status;
	ck_assert_int_eq(waitpid(server_pid, &status, 0), server_pid);
	ck_assert_int_eq(status, 0);
}
END_TEST

START_TEST(test_e2e_broken_channel)
{
	struct gofer_client *c = start_server(0);
	struct gofer_attr attr;
	uint32_t root;

	ck_assert_int_eq(gofer_attach(c, &root, &attr), 0);
	kill(server_pid, SIGKILL);
	waitpid(server_pid, NULL, 0);
	ck_assert_int_eq(gofer_getattr(c, root, &attr), -EIO);
	ck_assert_int_eq(gofer_attach(c, &root, &attr), -EIO);
	gofer_client_free(c);
}
END_TEST

/* ---- the confined gofer (needs root: namespaces, pivot_root) ---- */

static struct gofer_client *start_gofer_main(bool readonly)
{
	int sv[2];
	struct gofer_client *c;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	server_pid = fork();
	ck_assert_int_ge(server_pid, 0);
	if (server_pid == 0) {
		char fdarg[16];
		close(sv[0]);
		snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
		char *argv[] = { "gofer", "--rootfs", tree, "--sock-fd", fdarg,
				 readonly ? "--readonly" : NULL, NULL };
		_exit(gofer_main(readonly ? 6 : 5, argv));
	}
	close(sv[1]);
	ck_assert_int_eq(gofer_client_new(sv[0], &c), 0);
	return c;
}

/* Can this process make a private mount namespace (root, not in a
 * container that forbids it)? */
static bool can_unshare_mounts(void)
{
	pid_t pid = fork();
	int status;
	if (pid == 0)
		_exit(unshare(CLONE_NEWNS) == 0 &&
		      mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 ? 0 : 1);
	return pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
}

START_TEST(test_confined_gofer)
{
	if (!can_unshare_mounts()) {
		fprintf(stderr, "test_confined_gofer: skipped (no mount namespaces here)\n");
		return;
	}
	for (int ro = 0; ro <= 1; ro++) {
		struct gofer_client *c = start_gofer_main(ro);
		struct gofer_attr attr;
		uint32_t root, fid;
		char data[64], target[64];
		size_t len;
		int fd, eof;
		struct names ns = { 0 };

		ck_assert_int_eq(gofer_attach(c, &root, &attr), 0);
		fid = walk_path(c, root, "sub", "inner.txt", &attr);
		ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), 0);
		ck_assert_int_eq(read(fd, data, sizeof(data)), 6);
		close(fd);
		ck_assert_int_eq(gofer_open(c, fid, O_RDWR, &fd), ro ? -EROFS : 0);
		if (!ro)
			close(fd);
		ck_assert_int_eq(gofer_walk(c, root, "escape", &fid, &attr), 0);
		ck_assert_int_eq(gofer_open(c, fid, O_RDONLY, &fd), -ELOOP);
		ck_assert_int_eq(gofer_readlink(c, fid, target, sizeof(target), &len), 0);
		ck_assert_int_eq(gofer_readdir(c, root, 0, collect, &ns, &eof), 0);
		ck_assert_int_eq(ns.n, 7);
		ck_assert_int_eq(gofer_walk(c, root, "big", &fid, &attr), 0);
		names_free(&ns);
		ck_assert_int_eq(gofer_readdir(c, fid, 0, collect, &ns, &eof), 0);
		ck_assert_int_eq(ns.n, BIG_ENTRIES);
		names_free(&ns);
		ck_assert_int_eq(gofer_clunk(c, fid), 0);
		ck_assert_int_eq(gofer_getattr(c, fid, &attr), -EBADF);
		/* The gofer survived all that under seccomp, and exits 0. */
		int status = stop_server(c);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "gofer status %#x", status);
	}
}
END_TEST

static Suite *gofer_suite(void)
{
	Suite *s = suite_create("gofer_protocol");
	TCase *tc = tcase_create("codec");
	tcase_add_test(tc, test_req_roundtrip);
	tcase_add_test(tc, test_rep_roundtrip);
	tcase_add_test(tc, test_readdir_roundtrip);
	tcase_add_test(tc, test_req_reject);
	tcase_add_test(tc, test_req_encode_reject);
	tcase_add_test(tc, test_rep_reject);
	suite_add_tcase(s, tc);

	tc = tcase_create("e2e");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_e2e_walk_open_read);
	tcase_add_test(tc, test_e2e_escape);
	tcase_add_test(tc, test_e2e_swap);
	tcase_add_test(tc, test_e2e_readdir);
	tcase_add_test(tc, test_e2e_readonly);
	tcase_add_test(tc, test_e2e_raw_garbage);
	tcase_add_test(tc, test_e2e_broken_channel);
	tcase_add_test(tc, test_confined_gofer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	make_tree();
	SRunner *sr = srunner_create(gofer_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(tree, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
