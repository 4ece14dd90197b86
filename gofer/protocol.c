/* Encoding and decoding of gofer messages (layout in gofer/protocol.h).
 * Shared by the gofer and the sentry; nothing here does I/O. Both ends
 * distrust the other: the gofer must survive a compromised sentry, and the
 * sentry must not believe a compromised gofer, so every decoder checks
 * every field and the encoders refuse what the decoders would refuse. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>

#include "gofer/protocol.h"

_Static_assert(sizeof(struct gofer_attr) == GOFER_ATTR_SIZE, "gofer_attr layout");
_Static_assert(sizeof(struct gofer_dirent) == GOFER_DIRENT_SIZE, "gofer_dirent layout");

/* ---- byte cursors ---- */

struct wcur {
	uint8_t *p;
	size_t off, cap;
	bool overflow;
};

static void put_bytes(struct wcur *w, const void *v, size_t n)
{
	if (w->overflow || w->cap - w->off < n) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->off, v, n);
	w->off += n;
}

/* Messages never exceed GOFER_MSG_MAX, whatever room the caller has. */
static size_t msg_cap(size_t bufsz) { return bufsz < GOFER_MSG_MAX ? bufsz : GOFER_MSG_MAX; }

static void put_u8(struct wcur *w, uint8_t v) { put_bytes(w, &v, 1); }
static void put_u16(struct wcur *w, uint16_t v) { put_bytes(w, &v, 2); }
static void put_u32(struct wcur *w, uint32_t v) { put_bytes(w, &v, 4); }
static void put_u64(struct wcur *w, uint64_t v) { put_bytes(w, &v, 8); }

struct rcur {
	const uint8_t *p;
	size_t off, len;
	bool short_read;
};

static void get_bytes(struct rcur *r, void *v, size_t n)
{
	if (r->short_read || r->len - r->off < n) {
		r->short_read = true;
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p + r->off, n);
	r->off += n;
}

static uint8_t get_u8(struct rcur *r) { uint8_t v; get_bytes(r, &v, 1); return v; }
static uint16_t get_u16(struct rcur *r) { uint16_t v; get_bytes(r, &v, 2); return v; }
static uint32_t get_u32(struct rcur *r) { uint32_t v; get_bytes(r, &v, 4); return v; }
static uint64_t get_u64(struct rcur *r) { uint64_t v; get_bytes(r, &v, 8); return v; }

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

static bool fid_ok(uint32_t fid) { return fid < GOFER_FID_MAX; }

static bool type_implemented(uint32_t type)
{
	return type >= GOFER_MSG_ATTACH && type <= GOFER_MSG_CLUNK;
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

static void put_attr(struct wcur *w, const struct gofer_attr *a)
{
	put_u64(w, a->ino);
	put_u64(w, a->dev);
	put_u32(w, a->mode);
	put_u32(w, a->nlink);
	put_u32(w, a->uid);
	put_u32(w, a->gid);
	put_u64(w, a->rdev);
	put_u64(w, (uint64_t)a->size);
	put_u64(w, (uint64_t)a->blocks);
	put_u32(w, a->blksize);
	put_u32(w, a->pad);
	put_u64(w, (uint64_t)a->atime_sec);
	put_u64(w, (uint64_t)a->mtime_sec);
	put_u64(w, (uint64_t)a->ctime_sec);
	put_u32(w, a->atime_nsec);
	put_u32(w, a->mtime_nsec);
	put_u32(w, a->ctime_nsec);
	put_u32(w, a->pad2);
}

static void get_attr(struct rcur *r, struct gofer_attr *a)
{
	a->ino = get_u64(r);
	a->dev = get_u64(r);
	a->mode = get_u32(r);
	a->nlink = get_u32(r);
	a->uid = get_u32(r);
	a->gid = get_u32(r);
	a->rdev = get_u64(r);
	a->size = (int64_t)get_u64(r);
	a->blocks = (int64_t)get_u64(r);
	a->blksize = get_u32(r);
	a->pad = get_u32(r);
	a->atime_sec = (int64_t)get_u64(r);
	a->mtime_sec = (int64_t)get_u64(r);
	a->ctime_sec = (int64_t)get_u64(r);
	a->atime_nsec = get_u32(r);
	a->mtime_nsec = get_u32(r);
	a->ctime_nsec = get_u32(r);
	a->pad2 = get_u32(r);
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
	struct wcur w = { .p = buf, .off = *off, .cap = bufsz };
	put_u64(&w, de->ino);
	put_u64(&w, de->next_offset);
	put_u8(&w, de->type);
	put_u8(&w, 0);
	put_u16(&w, (uint16_t)len);
	put_u32(&w, 0);
	put_bytes(&w, name, len);
	*off = w.off;
	return 0;
}

int gofer_dirent_unpack(const uint8_t *buf, size_t len, size_t *off, struct gofer_dirent *de,
			char name_buf[GOFER_NAME_MAX + 1])
{
	if (*off == len)
		return 0;
	struct rcur r = { .p = buf, .off = *off, .len = len };
	if (*off > len)
		return -EINVAL;
	de->ino = get_u64(&r);
	de->next_offset = get_u64(&r);
	de->type = get_u8(&r);
	de->pad = get_u8(&r);
	de->namelen = get_u16(&r);
	de->pad2 = get_u32(&r);
	if (r.short_read || de->pad || de->pad2 || !dtype_ok(de->type))
		return -EINVAL;
	if (de->namelen > GOFER_NAME_MAX || r.len - r.off < de->namelen)
		return -EINVAL;
	memcpy(name_buf, r.p + r.off, de->namelen);
	name_buf[de->namelen] = '\0';
	if (gofer_name_check(name_buf, de->namelen) < 0)
		return -EINVAL;
	*off = r.off + de->namelen;
	return 1;
}

/* ---- requests ---- */

ssize_t gofer_req_encode(const struct gofer_req *req, void *buf, size_t bufsz)
{
	struct wcur w = { .p = buf, .cap = msg_cap(bufsz), .off = GOFER_HDR_SIZE };
	size_t namelen;
	int ret;

	if (bufsz < GOFER_HDR_SIZE)
		return -EMSGSIZE;
	if (!type_implemented(req->type))
		return -EINVAL;
	switch (req->type) {
	case GOFER_MSG_ATTACH:
		break;
	case GOFER_MSG_WALK:
		namelen = strnlen(req->walk.name, sizeof(req->walk.name));
		ret = gofer_name_check(req->walk.name, namelen);
		if (ret < 0)
			return ret;
		if (!fid_ok(req->walk.dirfid))
			return -EINVAL;
		put_u32(&w, req->walk.dirfid);
		put_u32(&w, (uint32_t)namelen);
		put_bytes(&w, req->walk.name, namelen);
		break;
	case GOFER_MSG_GETATTR:
	case GOFER_MSG_READLINK:
	case GOFER_MSG_CLUNK:
		/* getattr, readlink and clunk share one layout. */
		if (!fid_ok(req->getattr.fid))
			return -EINVAL;
		put_u32(&w, req->getattr.fid);
		break;
	case GOFER_MSG_OPEN:
		if (!fid_ok(req->open.fid) || gofer_open_flags_check(req->open.flags) < 0)
			return -EINVAL;
		put_u32(&w, req->open.fid);
		put_u32(&w, req->open.flags);
		break;
	case GOFER_MSG_READDIR:
		if (!fid_ok(req->readdir.fid) || req->readdir.max_bytes < GOFER_READDIR_MIN ||
		    req->readdir.max_bytes > GOFER_READDIR_MAX)
			return -EINVAL;
		put_u32(&w, req->readdir.fid);
		put_u32(&w, req->readdir.max_bytes);
		put_u64(&w, req->readdir.offset);
		break;
	}
	size_t total = w.off;
	w.off = 0;
	put_u32(&w, GOFER_MAGIC);
	put_u32(&w, req->type);
	put_u32(&w, req->tag);
	put_u32(&w, (uint32_t)(total - GOFER_HDR_SIZE));
	if (w.overflow)
		return -EMSGSIZE;
	return (ssize_t)total;
}

int gofer_req_decode(const void *buf, size_t len, struct gofer_req *req)
{
	struct rcur r = { .p = buf, .len = len };
	int ret;

	memset(req, 0, sizeof(*req));
	if (len < GOFER_HDR_SIZE || len > GOFER_MSG_MAX)
		return -EINVAL;
	uint32_t magic = get_u32(&r);
	req->type = get_u32(&r);
	req->tag = get_u32(&r);
	uint32_t plen = get_u32(&r);
	if (magic != GOFER_MAGIC || plen != len - GOFER_HDR_SIZE)
		return -EINVAL;
	ret = type_check(req->type);
	if (ret < 0)
		return ret;

	switch (req->type) {
	case GOFER_MSG_ATTACH:
		break;
	case GOFER_MSG_WALK: {
		req->walk.dirfid = get_u32(&r);
		uint32_t namelen = get_u32(&r);
		if (r.short_read || namelen != r.len - r.off)
			return -EINVAL;
		if (namelen > GOFER_NAME_MAX)
			return -ENAMETOOLONG;
		get_bytes(&r, req->walk.name, namelen);
		req->walk.name[namelen] = '\0';
		ret = gofer_name_check(req->walk.name, namelen);
		if (ret < 0)
			return ret;
		if (!fid_ok(req->walk.dirfid))
			return -EINVAL;
		break;
	}
	case GOFER_MSG_GETATTR:
	case GOFER_MSG_READLINK:
	case GOFER_MSG_CLUNK:
		req->getattr.fid = get_u32(&r);
		if (!fid_ok(req->getattr.fid))
			return -EINVAL;
		break;
	case GOFER_MSG_OPEN:
		req->open.fid = get_u32(&r);
		req->open.flags = get_u32(&r);
		if (!fid_ok(req->open.fid) || gofer_open_flags_check(req->open.flags) < 0)
			return -EINVAL;
		break;
	case GOFER_MSG_READDIR:
		req->readdir.fid = get_u32(&r);
		req->readdir.max_bytes = get_u32(&r);
		req->readdir.offset = get_u64(&r);
		if (!fid_ok(req->readdir.fid) || req->readdir.max_bytes < GOFER_READDIR_MIN ||
		    req->readdir.max_bytes > GOFER_READDIR_MAX)
			return -EINVAL;
		break;
	}
	/* Exactly the payload the type calls for: no more, no less. */
	if (r.short_read || r.off != r.len)
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

ssize_t gofer_rep_encode(const struct gofer_rep *rep, void *buf, size_t bufsz)
{
	struct wcur w = { .p = buf, .cap = msg_cap(bufsz), .off = GOFER_HDR_SIZE };
	size_t tlen;

	if (bufsz < GOFER_HDR_SIZE)
		return -EMSGSIZE;
	if (rep->type & GOFER_MSG_REPLY)
		return -EINVAL;
	/* Error replies may answer any type, even one the server could not
	 * parse; a successful reply must be for a type we know. */
	if (rep->error) {
		if (!errno_ok(rep->error))
			return -EINVAL;
		goto header;
	}
	if (!type_implemented(rep->type))
		return -EINVAL;
	switch (rep->type) {
	case GOFER_MSG_ATTACH:
	case GOFER_MSG_WALK:
		/* attach and walk share one layout. */
		if (!fid_ok(rep->walk.fid) || attr_check(&rep->walk.attr) < 0)
			return -EINVAL;
		put_u32(&w, rep->walk.fid);
		put_attr(&w, &rep->walk.attr);
		break;
	case GOFER_MSG_GETATTR:
		if (attr_check(&rep->getattr.attr) < 0)
			return -EINVAL;
		put_attr(&w, &rep->getattr.attr);
		break;
	case GOFER_MSG_READLINK:
		tlen = rep->readlink.len;
		if (tlen == 0 || tlen > GOFER_SYMLINK_MAX || memchr(rep->readlink.target, '\0', tlen))
			return -EINVAL;
		put_u32(&w, (uint32_t)tlen);
		put_bytes(&w, rep->readlink.target, tlen);
		break;
	case GOFER_MSG_READDIR:
		if (rep->readdir.eof > 1 || (rep->readdir.count == 0 && !rep->readdir.eof) ||
		    rep->readdir.len > GOFER_READDIR_MAX ||
		    dirents_check(rep->readdir.entries, rep->readdir.len, rep->readdir.count) < 0)
			return -EINVAL;
		put_u32(&w, rep->readdir.eof);
		put_u32(&w, rep->readdir.count);
		put_bytes(&w, rep->readdir.entries, rep->readdir.len);
		break;
	case GOFER_MSG_OPEN:
	case GOFER_MSG_CLUNK:
		break;
	}
header:;
	size_t total = w.off;
	w.off = 0;
	put_u32(&w, rep->type | GOFER_MSG_REPLY);
	put_u32(&w, rep->tag);
	put_u32(&w, (uint32_t)rep->error);
	put_u32(&w, (uint32_t)(total - GOFER_HDR_SIZE));
	if (w.overflow)
		return -EMSGSIZE;
	return (ssize_t)total;
}

int gofer_rep_decode(const void *buf, size_t len, struct gofer_rep *rep)
{
	struct rcur r = { .p = buf, .len = len };

	memset(rep, 0, sizeof(*rep));
	if (len < GOFER_HDR_SIZE || len > GOFER_MSG_MAX)
		return -EINVAL;
	uint32_t type = get_u32(&r);
	rep->tag = get_u32(&r);
	rep->error = (int32_t)get_u32(&r);
	uint32_t plen = get_u32(&r);
	if (!(type & GOFER_MSG_REPLY) || plen != len - GOFER_HDR_SIZE)
		return -EINVAL;
	rep->type = type & ~GOFER_MSG_REPLY;
	if (rep->error) {
		if (!errno_ok(rep->error) || plen != 0)
			return -EINVAL;
		return 0;
	}
	if (!type_implemented(rep->type))
		return -EINVAL;

	switch (rep->type) {
	case GOFER_MSG_ATTACH:
	case GOFER_MSG_WALK:
		rep->walk.fid = get_u32(&r);
		get_attr(&r, &rep->walk.attr);
		if (!fid_ok(rep->walk.fid) || attr_check(&rep->walk.attr) < 0)
			return -EINVAL;
		break;
	case GOFER_MSG_GETATTR:
		get_attr(&r, &rep->getattr.attr);
		if (attr_check(&rep->getattr.attr) < 0)
			return -EINVAL;
		break;
	case GOFER_MSG_READLINK:
		rep->readlink.len = get_u32(&r);
		if (r.short_read || rep->readlink.len == 0 || rep->readlink.len > GOFER_SYMLINK_MAX ||
		    rep->readlink.len != r.len - r.off)
			return -EINVAL;
		get_bytes(&r, rep->readlink.target, rep->readlink.len);
		rep->readlink.target[rep->readlink.len] = '\0';
		if (memchr(rep->readlink.target, '\0', rep->readlink.len))
			return -EINVAL;
		break;
	case GOFER_MSG_READDIR:
		rep->readdir.eof = get_u32(&r);
		rep->readdir.count = get_u32(&r);
		if (r.short_read || rep->readdir.eof > 1 ||
		    (rep->readdir.count == 0 && !rep->readdir.eof))
			return -EINVAL;
		rep->readdir.len = (uint32_t)(r.len - r.off);
		rep->readdir.entries = r.p + r.off;
		if (dirents_check(rep->readdir.entries, rep->readdir.len, rep->readdir.count) < 0)
			return -EINVAL;
		r.off = r.len;
		break;
	case GOFER_MSG_OPEN:
	case GOFER_MSG_CLUNK:
		break;
	}
	if (r.short_read || r.off != r.len)
		return -EINVAL;
	return 0;
}
