/* Encoding and decoding of gofer messages (layout in gofer/protocol.h).
 * Shared by the gofer and the sentry; nothing here does I/O. Both ends
 * distrust the other: the gofer must survive a compromised sentry, and the
 * sentry must not believe a compromised gofer, so every decoder checks
 * every field and the encoders refuse what the decoders would refuse. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "gofer/protocol.h"

_Static_assert(sizeof(struct gofer_attr) == GOFER_ATTR_SIZE, "gofer_attr layout");
_Static_assert(sizeof(struct gofer_dirent) == GOFER_DIRENT_SIZE, "gofer_dirent layout");
_Static_assert(sizeof(struct gofer_statfs) == GOFER_STATFS_SIZE, "gofer_statfs layout");

/* ---- the cursor ----
 *
 * Every message is described once, by a function that walks its fields in
 * wire order through one cursor: encoding copies each field out of the
 * struct, decoding into it. Both ends are the same binary on the same
 * host, so an integer field goes on the wire as the bytes it has in its
 * struct. */

struct cur {
	bool dec;            /* decoding: fields are read into the struct */
	uint8_t *wp;         /* encoding: the message being written */
	const uint8_t *rp;   /* decoding: the message being read */
	size_t off, len;     /* len: room when encoding, the message when decoding */
	bool bad;            /* out of room (encoding) or a short read (decoding) */
};

static struct cur enc_cur(void *buf, size_t cap, size_t off)
{
	return (struct cur){ .wp = buf, .off = off, .len = cap };
}

static struct cur dec_cur(const void *buf, size_t len, size_t off)
{
	return (struct cur){ .dec = true, .rp = buf, .off = off, .len = len };
}

/* A short read zero-fills v and marks the cursor; so does running out of
 * room when writing (nothing more is written). Either way the message is
 * refused at its end. */
static void io_bytes(struct cur *c, void *v, size_t n)
{
	if (c->bad || c->len - c->off < n) {
		c->bad = true;
		if (c->dec)
			memset(v, 0, n);
		return;
	}
	if (n == 0)
		return;
	if (c->dec)
		memcpy(v, c->rp + c->off, n);
	else
		memcpy(c->wp + c->off, v, n);
	c->off += n;
}

/* An integer field (or a struct of them without padding) of a struct. */
#define IO(c, field) io_bytes((c), &(field), sizeof(field))

/* The bytes left to the end of a decoded message. */
static size_t io_left(const struct cur *c) { return c->len - c->off; }

/* A byte run that ends the payload: decoding points *p at the rest of the
 * message and sets *n to its length; encoding writes *n bytes from *p. */
static void io_tail(struct cur *c, const uint8_t **p, uint32_t *n)
{
	if (!c->dec) {
		io_bytes(c, (void *)*p, *n);
		return;
	}
	if (c->bad)
		return;
	*n = (uint32_t)io_left(c);
	*p = c->rp + c->off;
	c->off = c->len;
}

/* Messages never exceed GOFER_MSG_MAX, whatever room the caller has. */
static size_t msg_cap(size_t bufsz) { return bufsz < GOFER_MSG_MAX ? bufsz : GOFER_MSG_MAX; }

/* ---- field rules ---- */

int gofer_name_check(const char *name, size_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > GOFER_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return -EINVAL;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return -EINVAL;
	return 0;
}

int gofer_open_flags_check(uint32_t flags)
{
	if (flags & ~(uint32_t)GOFER_OPEN_FLAGS)
		return -EINVAL;
	/* Access mode 3 is Linux's ioctl-only open; nothing here needs it. */
	if ((flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	return 0;
}

int gofer_xattr_name_check(const char *name, size_t len)
{
	static const char *const prefixes[] = { "user.", "trusted." };

	if (memchr(name, '\0', len))
		return -EINVAL;
	if (len > GOFER_XATTR_NAME_MAX)
		return -ERANGE;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t plen = strlen(prefixes[i]);
		if (len >= plen && !memcmp(name, prefixes[i], plen))
			return len > plen ? 0 : -EINVAL;
	}
	return -EOPNOTSUPP;
}

int gofer_symlink_target_check(const char *target, size_t len)
{
	if (len == 0 || memchr(target, '\0', len))
		return -EINVAL;
	if (len > GOFER_SYMLINK_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static bool fid_ok(uint32_t fid) { return fid < GOFER_FID_MAX; }

/* uid/gid -1 means "unchanged" to chown(2): never a real owner. */
static bool id_ok(uint32_t id) { return id != (uint32_t)-1; }

static bool type_implemented(uint32_t type)
{
	return (type >= GOFER_MSG_ATTACH && type <= GOFER_MSG_CLUNK) ||
	       (type >= GOFER_MSG_CREATE && type <= GOFER_MSG_REMOVEXATTR);
}

/* Unknown types are malformed; reserved ones are merely not implemented. */
static int type_check(uint32_t type)
{
	if (type_implemented(type))
		return 0;
	if (type >= GOFER_MSG_CREATE && type <= GOFER_MSG_RESERVED_LAST)
		return -ENOSYS;
	return -EINVAL;
}

static int create_flags_check(uint32_t flags)
{
	if (flags & ~(uint32_t)GOFER_CREATE_FLAGS)
		return -EINVAL;
	if ((flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	return 0;
}

/* The mode of a new file for CREATE, MKDIR (permission bits only) and
 * MKNOD (a FIFO or a socket: device nodes never cross the protocol). */
static int mk_fields_check(uint32_t type, uint32_t flags, uint32_t mode, uint32_t uid, uint32_t gid)
{
	if (!id_ok(uid) || !id_ok(gid))
		return -EINVAL;
	switch (type) {
	case GOFER_MSG_CREATE:
		if (create_flags_check(flags) < 0 || (mode & ~07777u))
			return -EINVAL;
		return 0;
	case GOFER_MSG_MKDIR:
		return flags || (mode & ~07777u) ? -EINVAL : 0;
	case GOFER_MSG_MKNOD:
		if (flags || (mode & ~(07777u | S_IFMT)))
			return -EINVAL;
		return S_ISFIFO(mode) || S_ISSOCK(mode) ? 0 : -EINVAL;
	}
	return -EINVAL;
}

static bool nsec_ok(uint32_t nsec)
{
	return nsec < 1000000000u || nsec == (uint32_t)UTIME_NOW || nsec == (uint32_t)UTIME_OMIT;
}

static int setattr_check(uint32_t valid, uint32_t mode, uint32_t uid, uint32_t gid, int64_t size,
			 uint32_t atime_nsec, uint32_t mtime_nsec)
{
	if (valid == 0 || (valid & ~GOFER_SETATTR_ALL))
		return -EINVAL;
	if ((valid & GOFER_SETATTR_MODE) ? (mode & ~07777u) != 0 : mode != 0)
		return -EINVAL;
	if (((valid & GOFER_SETATTR_UID) && !id_ok(uid)) || ((valid & GOFER_SETATTR_GID) && !id_ok(gid)))
		return -EINVAL;
	if (size < 0 || (!(valid & GOFER_SETATTR_SIZE) && size))
		return -EINVAL;
	if (!nsec_ok(atime_nsec) || !nsec_ok(mtime_nsec))
		return -EINVAL;
	return 0;
}

static bool dtype_ok(uint8_t t)
{
	switch (t) {
	case DT_UNKNOWN: case DT_FIFO: case DT_CHR: case DT_DIR:
	case DT_BLK: case DT_REG: case DT_LNK: case DT_SOCK:
		return true;
	}
	return false;
}

static int attr_check(const struct gofer_attr *a)
{
	if (a->atime_nsec >= 1000000000u || a->mtime_nsec >= 1000000000u ||
	    a->ctime_nsec >= 1000000000u)
		return -EINVAL;
	if (a->pad || a->pad2)
		return -EINVAL;
	return 0;
}

/* ---- directory entries ---- */

int gofer_dirent_pack(uint8_t *buf, size_t bufsz, size_t *off, const struct gofer_dirent *de,
		      const char *name)
{
	size_t len = strlen(name);
	int ret = gofer_name_check(name, len);
	if (ret < 0)
		return -EINVAL;
	if (!dtype_ok(de->type))
		return -EINVAL;
	if (*off > bufsz || bufsz - *off < GOFER_DIRENT_SIZE + len)
		return -ENOSPC;
	struct gofer_dirent h = {
		.ino = de->ino, .next_offset = de->next_offset, .type = de->type, .namelen = (uint16_t)len,
	};
	struct cur c = enc_cur(buf, bufsz, *off);
	IO(&c, h);
	io_bytes(&c, (void *)name, len);
	*off = c.off;
	return 0;
}

int gofer_dirent_unpack(const uint8_t *buf, size_t len, size_t *off, struct gofer_dirent *de,
			char name_buf[GOFER_NAME_MAX + 1])
{
	if (*off == len)
		return 0;
	if (*off > len)
		return -EINVAL;
	struct cur c = dec_cur(buf, len, *off);
	IO(&c, *de);
	if (c.bad || de->pad || de->pad2 || !dtype_ok(de->type))
		return -EINVAL;
	if (de->namelen > GOFER_NAME_MAX || io_left(&c) < de->namelen)
		return -EINVAL;
	io_bytes(&c, name_buf, de->namelen);
	name_buf[de->namelen] = '\0';
	if (gofer_name_check(name_buf, de->namelen) < 0)
		return -EINVAL;
	*off = c.off;
	return 1;
}

/* Fills in the header in front of an encoded payload (four u32s, the last
 * the payload's length): the message's size, or -EMSGSIZE if it did not
 * fit. */
static ssize_t enc_finish(struct cur *c, uint32_t h0, uint32_t h1, uint32_t h2)
{
	uint32_t hdr[4] = { h0, h1, h2, (uint32_t)(c->off - GOFER_HDR_SIZE) };

	_Static_assert(sizeof(hdr) == GOFER_HDR_SIZE, "header layout");
	if (c->bad)
		return -EMSGSIZE;
	memcpy(c->wp, hdr, sizeof(hdr));
	return (ssize_t)c->off;
}

/* ---- requests ---- */

#define RENAME_FLAGS (RENAME_NOREPLACE | RENAME_EXCHANGE)
#define XATTR_FLAGS (XATTR_CREATE | XATTR_REPLACE)

/* A NUL-terminated string field of size cap: its length, or -ENAMETOOLONG
 * when the field holds no terminator. */
static ssize_t field_len(const char *field, size_t cap)
{
	size_t len = strnlen(field, cap);
	return len == cap ? -ENAMETOOLONG : (ssize_t)len;
}

/* A name or string: u32 length, then its bytes. field (cap bytes) holds it
 * NUL-terminated on either side; check() judges it before it is written
 * and after it is read. */
static int io_name(struct cur *c, char *field, size_t cap, int (*check)(const char *, size_t))
{
	uint32_t len;
	int ret;

	if (!c->dec) {
		ssize_t n = field_len(field, cap);
		if (n < 0)
			return (int)n;
		if ((ret = check(field, (size_t)n)) < 0)
			return ret;
		len = (uint32_t)n;
		IO(c, len);
		io_bytes(c, field, len);
		return 0;
	}
	IO(c, len);
	if (c->bad || len > io_left(c))
		return -EINVAL;
	if (len > cap - 1)
		return check == gofer_xattr_name_check ? -ERANGE : -ENAMETOOLONG;
	io_bytes(c, field, len);
	field[len] = '\0';
	return check(field, len);
}

/* The payload of a request, field by field in wire order. Names are
 * judged as they pass; req_fields_check() judges everything else. */
static int req_io(struct cur *c, struct gofer_req *req)
{
	int ret;

	switch (req->type) {
	case GOFER_MSG_ATTACH:
		IO(c, req->attach.mount);
		return 0;
	case GOFER_MSG_WALK:
		IO(c, req->walk.dirfid);
		return io_name(c, req->walk.name, sizeof(req->walk.name), gofer_name_check);
	case GOFER_MSG_GETATTR:
	case GOFER_MSG_READLINK:
	case GOFER_MSG_CLUNK:
		/* getattr, readlink and clunk share one layout. */
		IO(c, req->getattr.fid);
		return 0;
	case GOFER_MSG_OPEN:
		IO(c, req->open.fid);
		IO(c, req->open.flags);
		return 0;
	case GOFER_MSG_READDIR:
		IO(c, req->readdir.fid);
		IO(c, req->readdir.max_bytes);
		IO(c, req->readdir.offset);
		return 0;
	case GOFER_MSG_CREATE:
	case GOFER_MSG_MKDIR:
	case GOFER_MSG_MKNOD:
		/* create, mkdir and mknod share one layout. */
		IO(c, req->create.dirfid);
		IO(c, req->create.flags);
		IO(c, req->create.mode);
		IO(c, req->create.uid);
		IO(c, req->create.gid);
		return io_name(c, req->create.name, sizeof(req->create.name), gofer_name_check);
	case GOFER_MSG_SYMLINK:
		IO(c, req->symlink.dirfid);
		IO(c, req->symlink.uid);
		IO(c, req->symlink.gid);
		ret = io_name(c, req->symlink.name, sizeof(req->symlink.name), gofer_name_check);
		if (ret < 0)
			return ret;
		return io_name(c, req->symlink.target, sizeof(req->symlink.target),
			       gofer_symlink_target_check);
	case GOFER_MSG_LINK:
		IO(c, req->link.dirfid);
		IO(c, req->link.fid);
		return io_name(c, req->link.name, sizeof(req->link.name), gofer_name_check);
	case GOFER_MSG_UNLINK:
		IO(c, req->unlink.dirfid);
		IO(c, req->unlink.flags);
		return io_name(c, req->unlink.name, sizeof(req->unlink.name), gofer_name_check);
	case GOFER_MSG_RENAME:
		IO(c, req->rename.olddirfid);
		IO(c, req->rename.newdirfid);
		IO(c, req->rename.flags);
		ret = io_name(c, req->rename.oldname, sizeof(req->rename.oldname), gofer_name_check);
		if (ret < 0)
			return ret;
		return io_name(c, req->rename.newname, sizeof(req->rename.newname), gofer_name_check);
	case GOFER_MSG_SETATTR: {
		uint32_t pad = 0;
		IO(c, req->setattr.fid);
		IO(c, req->setattr.valid);
		IO(c, req->setattr.mode);
		IO(c, req->setattr.uid);
		IO(c, req->setattr.gid);
		IO(c, pad);
		IO(c, req->setattr.size);
		IO(c, req->setattr.atime_sec);
		IO(c, req->setattr.mtime_sec);
		IO(c, req->setattr.atime_nsec);
		IO(c, req->setattr.mtime_nsec);
		return pad ? -EINVAL : 0;
	}
	case GOFER_MSG_FSYNC:
		IO(c, req->fsync.fid);
		IO(c, req->fsync.flags);
		return 0;
	case GOFER_MSG_STATFS:
		IO(c, req->statfs.fid);
		return 0;
	case GOFER_MSG_GETXATTR:
		IO(c, req->getxattr.fid);
		IO(c, req->getxattr.size);
		return io_name(c, req->getxattr.name, sizeof(req->getxattr.name), gofer_xattr_name_check);
	case GOFER_MSG_SETXATTR: {
		IO(c, req->setxattr.fid);
		IO(c, req->setxattr.flags);
		ret = io_name(c, req->setxattr.name, sizeof(req->setxattr.name), gofer_xattr_name_check);
		if (ret < 0)
			return ret;
		IO(c, req->setxattr.size);
		/* The value is the rest of the message, exactly size bytes. */
		uint32_t n = req->setxattr.size;
		io_tail(c, &req->setxattr.value, &n);
		return c->dec && (c->bad || n != req->setxattr.size) ? -EINVAL : 0;
	}
	case GOFER_MSG_LISTXATTR:
		IO(c, req->listxattr.fid);
		IO(c, req->listxattr.size);
		return 0;
	case GOFER_MSG_REMOVEXATTR:
		IO(c, req->removexattr.fid);
		return io_name(c, req->removexattr.name, sizeof(req->removexattr.name),
			       gofer_xattr_name_check);
	}
	return -EINVAL;
}

/* A request's fields other than names: 0, or -EINVAL. */
static int req_fields_check(const struct gofer_req *req)
{
	bool ok = false;

	switch (req->type) {
	case GOFER_MSG_ATTACH:
		ok = req->attach.mount < GOFER_MOUNTS_MAX;
		break;
	case GOFER_MSG_WALK:
		ok = fid_ok(req->walk.dirfid);
		break;
	case GOFER_MSG_GETATTR:
	case GOFER_MSG_READLINK:
	case GOFER_MSG_CLUNK:
		ok = fid_ok(req->getattr.fid);
		break;
	case GOFER_MSG_OPEN:
		ok = fid_ok(req->open.fid) && gofer_open_flags_check(req->open.flags) == 0;
		break;
	case GOFER_MSG_READDIR:
		ok = fid_ok(req->readdir.fid) && req->readdir.max_bytes >= GOFER_READDIR_MIN &&
		     req->readdir.max_bytes <= GOFER_READDIR_MAX;
		break;
	case GOFER_MSG_CREATE:
	case GOFER_MSG_MKDIR:
	case GOFER_MSG_MKNOD:
		ok = fid_ok(req->create.dirfid) &&
		     mk_fields_check(req->type, req->create.flags, req->create.mode, req->create.uid,
				     req->create.gid) == 0;
		break;
	case GOFER_MSG_SYMLINK:
		ok = fid_ok(req->symlink.dirfid) && id_ok(req->symlink.uid) && id_ok(req->symlink.gid);
		break;
	case GOFER_MSG_LINK:
		ok = fid_ok(req->link.dirfid) && fid_ok(req->link.fid);
		break;
	case GOFER_MSG_UNLINK:
		ok = fid_ok(req->unlink.dirfid) && !(req->unlink.flags & ~(uint32_t)AT_REMOVEDIR);
		break;
	case GOFER_MSG_RENAME:
		ok = fid_ok(req->rename.olddirfid) && fid_ok(req->rename.newdirfid) &&
		     !(req->rename.flags & ~(uint32_t)RENAME_FLAGS) && req->rename.flags != RENAME_FLAGS;
		break;
	case GOFER_MSG_SETATTR:
		ok = fid_ok(req->setattr.fid) &&
		     setattr_check(req->setattr.valid, req->setattr.mode, req->setattr.uid,
				   req->setattr.gid, req->setattr.size, req->setattr.atime_nsec,
				   req->setattr.mtime_nsec) == 0;
		break;
	case GOFER_MSG_FSYNC:
		ok = fid_ok(req->fsync.fid) && !(req->fsync.flags & ~GOFER_FSYNC_DATASYNC);
		break;
	case GOFER_MSG_STATFS:
		ok = fid_ok(req->statfs.fid);
		break;
	case GOFER_MSG_GETXATTR:
		ok = fid_ok(req->getxattr.fid) && req->getxattr.size <= GOFER_XATTR_SIZE_MAX;
		break;
	case GOFER_MSG_SETXATTR:
		ok = fid_ok(req->setxattr.fid) && !(req->setxattr.flags & ~(uint32_t)XATTR_FLAGS) &&
		     req->setxattr.size <= GOFER_XATTR_SIZE_MAX &&
		     (req->setxattr.size == 0 || req->setxattr.value);
		break;
	case GOFER_MSG_LISTXATTR:
		ok = fid_ok(req->listxattr.fid) && req->listxattr.size <= GOFER_XATTR_SIZE_MAX;
		break;
	case GOFER_MSG_REMOVEXATTR:
		ok = fid_ok(req->removexattr.fid);
		break;
	}
	return ok ? 0 : -EINVAL;
}

ssize_t gofer_req_encode(const struct gofer_req *req, void *buf, size_t bufsz)
{
	if (bufsz < GOFER_HDR_SIZE)
		return -EMSGSIZE;
	if (!type_implemented(req->type) || req_fields_check(req) < 0)
		return -EINVAL;
	struct cur c = enc_cur(buf, msg_cap(bufsz), GOFER_HDR_SIZE);
	/* An encoding cursor only reads the struct. */
	int ret = req_io(&c, (struct gofer_req *)req);
	if (ret < 0)
		return ret;
	return enc_finish(&c, GOFER_MAGIC, req->type, req->tag);
}

int gofer_req_decode(const void *buf, size_t len, struct gofer_req *req)
{
	uint32_t magic, plen;
	int ret;

	memset(req, 0, sizeof(*req));
	if (len < GOFER_HDR_SIZE || len > GOFER_MSG_MAX)
		return -EINVAL;
	struct cur c = dec_cur(buf, len, 0);
	IO(&c, magic);
	IO(&c, req->type);
	IO(&c, req->tag);
	IO(&c, plen);
	if (magic != GOFER_MAGIC || plen != len - GOFER_HDR_SIZE)
		return -EINVAL;
	ret = type_check(req->type);
	if (ret < 0)
		return ret;
	/* Name errors first (ENAMETOOLONG, ERANGE...), then the other fields. */
	ret = req_io(&c, req);
	if (ret < 0)
		return ret;
	if (req_fields_check(req) < 0)
		return -EINVAL;
	/* Exactly the payload the type calls for: no more, no less. */
	if (c.bad || c.off != c.len)
		return -EINVAL;
	return 0;
}

/* ---- replies ---- */

static bool errno_ok(int32_t e) { return e > 0 && e < 4096; }

/* Checks packed READDIR entries: count of them, all well-formed. */
static int dirents_check(const uint8_t *p, uint32_t len, uint32_t count)
{
	struct gofer_dirent de;
	char name[GOFER_NAME_MAX + 1];
	size_t off = 0;
	uint32_t n = 0;
	int ret;

	while ((ret = gofer_dirent_unpack(p, len, &off, &de, name)) > 0)
		n++;
	if (ret < 0 || n != count)
		return -EINVAL;
	return 0;
}

/* A LISTXATTR name list: NUL-terminated names the protocol allows. */
static int xattr_list_check(const uint8_t *p, uint32_t len)
{
	uint32_t off = 0;

	while (off < len) {
		const uint8_t *end = memchr(p + off, '\0', len - off);
		if (!end)
			return -EINVAL;
		size_t nlen = (size_t)(end - (p + off));
		if (gofer_xattr_name_check((const char *)p + off, nlen) < 0)
			return -EINVAL;
		off += (uint32_t)nlen + 1;
	}
	return 0;
}

/* GETXATTR/LISTXATTR data: none (a length query), or exactly len bytes. */
static int xattr_data_check(uint32_t type, uint32_t len, const uint8_t *data, uint32_t data_len)
{
	if (len > GOFER_XATTR_SIZE_MAX)
		return -EINVAL;
	if (data_len == 0)
		return 0;
	if (data_len != len || !data)
		return -EINVAL;
	if (type == GOFER_MSG_LISTXATTR)
		return xattr_list_check(data, len);
	return 0;
}

/* The payload of a successful reply, field by field in wire order, with
 * its checks: every violation is -EINVAL. */
static int rep_io(struct cur *c, struct gofer_rep *rep)
{
	switch (rep->type) {
	case GOFER_MSG_ATTACH:
	case GOFER_MSG_WALK:
	case GOFER_MSG_CREATE:
		/* attach, walk and create share one layout. */
		IO(c, rep->walk.fid);
		IO(c, rep->walk.attr);
		return fid_ok(rep->walk.fid) && attr_check(&rep->walk.attr) == 0 ? 0 : -EINVAL;
	case GOFER_MSG_GETATTR:
	case GOFER_MSG_MKDIR:
	case GOFER_MSG_MKNOD:
	case GOFER_MSG_SYMLINK:
	case GOFER_MSG_LINK:
	case GOFER_MSG_SETATTR:
		/* All of these answer with attributes only. */
		IO(c, rep->getattr.attr);
		return attr_check(&rep->getattr.attr);
	case GOFER_MSG_READLINK: {
		uint32_t len;
		IO(c, rep->readlink.len);
		len = rep->readlink.len;
		if (len == 0 || len > GOFER_SYMLINK_MAX || (c->dec && (c->bad || len != io_left(c))))
			return -EINVAL;
		io_bytes(c, rep->readlink.target, len);
		if (c->dec)
			rep->readlink.target[len] = '\0';
		return memchr(rep->readlink.target, '\0', len) ? -EINVAL : 0;
	}
	case GOFER_MSG_READDIR:
		IO(c, rep->readdir.eof);
		IO(c, rep->readdir.count);
		if (c->dec && c->bad)
			return -EINVAL;
		io_tail(c, &rep->readdir.entries, &rep->readdir.len);
		if (rep->readdir.eof > 1 || (rep->readdir.count == 0 && !rep->readdir.eof) ||
		    rep->readdir.len > GOFER_READDIR_MAX ||
		    dirents_check(rep->readdir.entries, rep->readdir.len, rep->readdir.count) < 0)
			return -EINVAL;
		return 0;
	case GOFER_MSG_STATFS:
		IO(c, rep->statfs);
		return 0;
	case GOFER_MSG_GETXATTR:
	case GOFER_MSG_LISTXATTR: {
		/* getxattr and listxattr share one layout. */
		uint32_t dlen = rep->getxattr.data ? rep->getxattr.len : 0;
		IO(c, rep->getxattr.len);
		if (c->dec && c->bad)
			return -EINVAL;
		io_tail(c, &rep->getxattr.data, &dlen);
		if (c->dec && dlen == 0)
			rep->getxattr.data = NULL;
		return xattr_data_check(rep->type, rep->getxattr.len, rep->getxattr.data, dlen);
	}
	case GOFER_MSG_OPEN:
	case GOFER_MSG_CLUNK:
	case GOFER_MSG_UNLINK:
	case GOFER_MSG_RENAME:
	case GOFER_MSG_FSYNC:
	case GOFER_MSG_SETXATTR:
	case GOFER_MSG_REMOVEXATTR:
		return 0;
	}
	return -EINVAL;
}

ssize_t gofer_rep_encode(const struct gofer_rep *rep, void *buf, size_t bufsz)
{
	if (bufsz < GOFER_HDR_SIZE)
		return -EMSGSIZE;
	if (rep->type & GOFER_MSG_REPLY)
		return -EINVAL;
	struct cur c = enc_cur(buf, msg_cap(bufsz), GOFER_HDR_SIZE);
	/* Error replies may answer any type, even one the server could not
	 * parse; a successful reply must be for a type we know. */
	if (rep->error) {
		if (!errno_ok(rep->error))
			return -EINVAL;
	} else {
		if (!type_implemented(rep->type))
			return -EINVAL;
		/* An encoding cursor only reads the struct. */
		if (rep_io(&c, (struct gofer_rep *)rep) < 0)
			return -EINVAL;
	}
	return enc_finish(&c, rep->type | GOFER_MSG_REPLY, rep->tag, (uint32_t)rep->error);
}

int gofer_rep_decode(const void *buf, size_t len, struct gofer_rep *rep)
{
	uint32_t type, plen;

	memset(rep, 0, sizeof(*rep));
	if (len < GOFER_HDR_SIZE || len > GOFER_MSG_MAX)
		return -EINVAL;
	struct cur c = dec_cur(buf, len, 0);
	IO(&c, type);
	IO(&c, rep->tag);
	IO(&c, rep->error);
	IO(&c, plen);
	if (!(type & GOFER_MSG_REPLY) || plen != len - GOFER_HDR_SIZE)
		return -EINVAL;
	rep->type = type & ~GOFER_MSG_REPLY;
	if (rep->error) {
		if (!errno_ok(rep->error) || plen != 0)
			return -EINVAL;
		return 0;
	}
	if (!type_implemented(rep->type) || rep_io(&c, rep) < 0)
		return -EINVAL;
	if (c.bad || c.off != c.len)
		return -EINVAL;
	return 0;
}
