/* The gofer protocol: a small binary, fd-passing protocol between the
 * sentry and the gofer over a SOCK_SEQPACKET socketpair. One request, one
 * reply; host fds ride along with replies as SCM_RIGHTS.
 *
 * (The wire format below these shared structs is owned by gofer/protocol.c;
 * see docs/architecture.md.) */
#ifndef GOFER_PROTOCOL_H
#define GOFER_PROTOCOL_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Attributes of a file, as fstatat(2) reports them. */
struct gofer_attr {
	uint64_t ino;
	uint64_t dev;
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t rdev;
	int64_t size;
	int64_t blocks;
	uint32_t blksize;
	uint32_t pad;
	int64_t atime_sec, mtime_sec, ctime_sec;
	uint32_t atime_nsec, mtime_nsec, ctime_nsec;
	uint32_t pad2;
};

struct gofer_dirent {
	uint64_t ino;
	uint64_t next_offset; /* cookie to continue after this entry */
	uint8_t type;         /* DT_* */
	uint8_t pad;
	uint16_t namelen;
	uint32_t pad2;
	/* followed by namelen bytes of name (no NUL) in the wire format */
};

/* ---- wire format (gofer/protocol.c) ---------------------------------------
 *
 * One message is one SOCK_SEQPACKET datagram of at most GOFER_MSG_MAX bytes,
 * in host byte order (both ends run on the same host, from the same binary):
 *
 *   request: u32 magic (GOFER_MAGIC, carries the version), u32 type,
 *            u32 tag, u32 payload_len, payload
 *   reply:   u32 type (request type | GOFER_MSG_REPLY), u32 tag (echoed),
 *            i32 error (0 or a positive errno), u32 payload_len, payload
 *
 * An error reply carries no payload. A successful OPEN or CREATE reply
 * carries exactly one host fd as SCM_RIGHTS; no other reply carries fds,
 * and requests never do.
 *
 * Payloads (uN = N-bit integer, name = u32 length then that many bytes, no
 * NUL; several names/strings are written one after the other):
 *   ATTACH   req: u32 mount                        rep: u32 fid, attr
 *   WALK     req: u32 dirfid, name                 rep: u32 fid, attr
 *   GETATTR  req: u32 fid                          rep: attr
 *   OPEN     req: u32 fid, u32 flags               rep: -          (+ 1 fd)
 *   READLINK req: u32 fid                          rep: u32 len, target
 *   READDIR  req: u32 fid, u32 max_bytes, u64 off  rep: u32 eof, u32 count,
 *                                                      count x (dirent, name)
 *   CLUNK    req: u32 fid                          rep: -
 *   CREATE   req: u32 dirfid, u32 flags, u32 mode, rep: u32 fid, attr (+ 1 fd)
 *                 u32 uid, u32 gid, name
 *   MKDIR    req: as CREATE, flags 0               rep: attr
 *   MKNOD    req: as CREATE, flags 0, mode with    rep: attr
 *                 S_IFIFO or S_IFSOCK
 *   SYMLINK  req: u32 dirfid, u32 uid, u32 gid,    rep: attr
 *                 name, target
 *   LINK     req: u32 dirfid, u32 fid, name        rep: attr
 *   UNLINK   req: u32 dirfid, u32 flags, name      rep: -
 *   RENAME   req: u32 olddirfid, u32 newdirfid,    rep: -
 *                 u32 flags, oldname, newname
 *   SETATTR  req: u32 fid, u32 valid, u32 mode,    rep: attr
 *                 u32 uid, u32 gid, u32 pad, i64 size,
 *                 i64 atime_sec, i64 mtime_sec, u32 atime_nsec, u32 mtime_nsec
 *   FSYNC    req: u32 fid, u32 flags               rep: -
 *   STATFS   req: u32 fid                          rep: statfs (10 x u64)
 *   GETXATTR req: u32 fid, u32 size, xname         rep: u32 len, value
 *   SETXATTR req: u32 fid, u32 flags, xname, value rep: -
 *   LISTXATTR req: u32 fid, u32 size               rep: u32 len, names
 *   REMOVEXATTR req: u32 fid, xname                rep: -
 * attr is struct gofer_attr field by field (104 bytes, pads zero); a packed
 * dirent is struct gofer_dirent field by field (24 bytes) then namelen bytes.
 * A GETXATTR/LISTXATTR request with size 0 asks only for the length: the
 * reply then carries len and no bytes; otherwise exactly len <= size bytes
 * (ERANGE if they would not fit), as getxattr(2) and listxattr(2). A
 * LISTXATTR reply lists NUL-terminated names, only user.* and trusted.*.
 *
 * The decoders validate everything (sizes, names, fids, flags, attributes)
 * and are pure: buffer in, struct out. */

#define GOFER_MAGIC         0x47460002u  /* "GF", protocol version 2 */
#define GOFER_MSG_MAX       65536u
#define GOFER_HDR_SIZE      16u
#define GOFER_NAME_MAX      255u         /* one path component */
#define GOFER_SYMLINK_MAX   4095u        /* a symlink target (PATH_MAX - 1) */
#define GOFER_FID_MAX       (1u << 20)   /* fids are 0 .. GOFER_FID_MAX - 1 */
#define GOFER_ATTR_SIZE     104u
#define GOFER_DIRENT_SIZE   24u          /* packed gofer_dirent, before the name */
/* READDIR max_bytes bounds: one entry of any legal name always fits. */
#define GOFER_READDIR_MIN   (GOFER_DIRENT_SIZE + GOFER_NAME_MAX)
#define GOFER_READDIR_MAX   (GOFER_MSG_MAX - GOFER_HDR_SIZE - 8u)
#define GOFER_MOUNTS_MAX    1024u        /* ATTACH: 0 is the rootfs, then bind mounts */
#define GOFER_STATFS_SIZE   80u
/* Extended attributes: a full name ("user.x", "trusted.x") as Linux's
 * XATTR_NAME_MAX; values and name lists up to what one message carries
 * (Linux allows 64 KiB; larger ones get E2BIG from the sentry). */
#define GOFER_XATTR_NAME_MAX 255u
#define GOFER_XATTR_SIZE_MAX 64512u

/* OPEN flags the protocol accepts. Never O_CREAT (creation is CREATE's
 * job), never O_PATH (the gofer keeps those to itself). O_LARGEFILE is
 * implied on 64-bit hosts; callers mask it and anything else out. */
#define GOFER_OPEN_FLAGS    (O_ACCMODE | O_TRUNC | O_APPEND | O_DIRECTORY | O_NONBLOCK)
/* CREATE flags: how the new file is opened (always created exclusively). */
#define GOFER_CREATE_FLAGS  (O_ACCMODE | O_APPEND | O_NONBLOCK)

/* SETATTR valid bits. A time whose nsec is UTIME_NOW means the gofer's
 * "now", UTIME_OMIT leaves it alone (as utimensat(2)). */
#define GOFER_SETATTR_MODE  0x01u
#define GOFER_SETATTR_UID   0x02u
#define GOFER_SETATTR_GID   0x04u
#define GOFER_SETATTR_SIZE  0x08u
#define GOFER_SETATTR_ATIME 0x10u
#define GOFER_SETATTR_MTIME 0x20u
#define GOFER_SETATTR_ALL   0x3fu

#define GOFER_FSYNC_DATASYNC 0x1u

enum gofer_msg_type {
	GOFER_MSG_ATTACH = 1,
	GOFER_MSG_WALK = 2,
	GOFER_MSG_GETATTR = 3,
	GOFER_MSG_OPEN = 4,
	GOFER_MSG_READLINK = 5,
	GOFER_MSG_READDIR = 6,
	GOFER_MSG_CLUNK = 7,
	/* Write support. Numbers 30..63 stay reserved: decoders answer ENOSYS
	 * for them, so that peers of different versions fail cleanly. */
	GOFER_MSG_CREATE = 16,
	GOFER_MSG_MKDIR = 17,
	GOFER_MSG_UNLINK = 18,
	GOFER_MSG_RENAME = 19,
	GOFER_MSG_SYMLINK = 20,
	GOFER_MSG_LINK = 21,
	GOFER_MSG_SETATTR = 22,
	GOFER_MSG_MKNOD = 23,
	GOFER_MSG_FSYNC = 24,
	GOFER_MSG_STATFS = 25,
	GOFER_MSG_GETXATTR = 26,
	GOFER_MSG_SETXATTR = 27,
	GOFER_MSG_LISTXATTR = 28,
	GOFER_MSG_REMOVEXATTR = 29,
	GOFER_MSG_RESERVED_LAST = 63,
};
#define GOFER_MSG_REPLY 0x80000000u

/* A decoded request. */
struct gofer_req {
	uint32_t type, tag;
	union {
		struct { uint32_t fid; } getattr, readlink, clunk;
		struct { uint32_t dirfid; char name[GOFER_NAME_MAX + 1]; } walk;
		struct { uint32_t fid; uint32_t flags; } open;
		struct { uint32_t fid; uint32_t max_bytes; uint64_t offset; } readdir;
		struct { uint32_t mount; } attach;
		/* create, mkdir and mknod share one layout. */
		struct {
			uint32_t dirfid, flags, mode, uid, gid;
			char name[GOFER_NAME_MAX + 1];
		} create, mkdir, mknod;
		struct {
			uint32_t dirfid, uid, gid;
			char name[GOFER_NAME_MAX + 1];
			char target[GOFER_SYMLINK_MAX + 1];
		} symlink;
		struct { uint32_t dirfid, fid; char name[GOFER_NAME_MAX + 1]; } link;
		struct { uint32_t dirfid, flags; char name[GOFER_NAME_MAX + 1]; } unlink;
		struct {
			uint32_t olddirfid, newdirfid, flags;
			char oldname[GOFER_NAME_MAX + 1], newname[GOFER_NAME_MAX + 1];
		} rename;
		struct {
			uint32_t fid, valid, mode, uid, gid;
			int64_t size;
			int64_t atime_sec, mtime_sec;
			uint32_t atime_nsec, mtime_nsec;
		} setattr;
		struct { uint32_t fid, flags; } fsync;
		struct { uint32_t fid; } statfs;
		/* getxattr and listxattr: size 0 asks for the length only. */
		struct { uint32_t fid, size; char name[GOFER_XATTR_NAME_MAX + 1]; } getxattr;
		struct {
			uint32_t fid, flags;   /* XATTR_CREATE, XATTR_REPLACE */
			char name[GOFER_XATTR_NAME_MAX + 1];
			uint32_t size;
			const uint8_t *value;  /* points into the encoded/decoded buffer */
		} setxattr;
		struct { uint32_t fid, size; } listxattr;
		struct { uint32_t fid; char name[GOFER_XATTR_NAME_MAX + 1]; } removexattr;
	};
};

/* STATFS reply: fstatfs(2) of the file's host filesystem. */
struct gofer_statfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree, namelen, frsize, flags;
};

/* A decoded reply. type is the request's type (without GOFER_MSG_REPLY). */
struct gofer_rep {
	uint32_t type, tag;
	int32_t error;
	union {
		struct { uint32_t fid; struct gofer_attr attr; } attach, walk;
		struct { struct gofer_attr attr; } getattr;
		struct { uint32_t len; char target[GOFER_SYMLINK_MAX + 1]; } readlink; /* NUL-terminated */
		struct {
			uint32_t eof, count;
			uint32_t len;             /* bytes of packed entries */
			const uint8_t *entries;   /* points into the encoded/decoded buffer */
		} readdir;
		/* create: like walk, plus one fd. */
		struct { uint32_t fid; struct gofer_attr attr; } create;
		/* mkdir, mknod, symlink, link, setattr: the new attributes. */
		struct { struct gofer_attr attr; } mkdir, mknod, symlink, link, setattr;
		struct gofer_statfs statfs;
		/* getxattr and listxattr: len is the full length; data holds
		 * len bytes, or none (NULL) when the request's size was 0. */
		struct {
			uint32_t len;
			const uint8_t *data;      /* points into the encoded/decoded buffer */
		} getxattr, listxattr;
	};
};

/* Component rules: non-empty, <= GOFER_NAME_MAX bytes (else -ENAMETOOLONG),
 * no '/' or NUL, not "." or "..". */
int gofer_name_check(const char *name, size_t len);
int gofer_open_flags_check(uint32_t flags);
/* Extended attribute names the protocol carries: "user." or "trusted."
 * and a non-empty rest, at most GOFER_XATTR_NAME_MAX bytes, no NUL. Other
 * namespaces: -EOPNOTSUPP; too long: -ERANGE (as Linux); else -EINVAL. */
int gofer_xattr_name_check(const char *name, size_t len);
/* Symlink targets: 1..GOFER_SYMLINK_MAX bytes, no NUL. */
int gofer_symlink_target_check(const char *target, size_t len);

/* Encoders return the message size, or -EINVAL for invalid fields and
 * -EMSGSIZE if buf is too small. Decoders return 0 or -EINVAL (malformed),
 * -ENAMETOOLONG, or -ENOSYS (a reserved, not yet implemented type). On a
 * request decode error req->type and req->tag are still filled when the
 * header was readable (0 otherwise), so the server can answer it. Names
 * and targets in requests are NUL-terminated in their fields; a decoded
 * SETXATTR value and GETXATTR/LISTXATTR reply data point into buf. */
ssize_t gofer_req_encode(const struct gofer_req *req, void *buf, size_t bufsz);
int gofer_req_decode(const void *buf, size_t len, struct gofer_req *req);
ssize_t gofer_rep_encode(const struct gofer_rep *rep, void *buf, size_t bufsz);
int gofer_rep_decode(const void *buf, size_t len, struct gofer_rep *rep);

/* Appends one READDIR entry at *off in buf (bufsz bytes); -ENOSPC if it does
 * not fit, -EINVAL for a bad name. */
int gofer_dirent_pack(uint8_t *buf, size_t bufsz, size_t *off, const struct gofer_dirent *de,
		      const char *name);
/* Reads the entry at *off of a packed buffer and advances *off: 1 and the
 * entry (name NUL-terminated into name_buf), 0 at the end, -EINVAL if
 * malformed. */
int gofer_dirent_unpack(const uint8_t *buf, size_t len, size_t *off, struct gofer_dirent *de,
			char name_buf[GOFER_NAME_MAX + 1]);

#endif
