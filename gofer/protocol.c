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

#define RENAME_FLAGS (RENAME_NOREPLACE | RENAME_EXCHANGE)
#define XATTR_FLAGS (XATTR_CREATE | XATTR_REPLACE)

/* A NUL-terminated string field of size cap: its length, or -ENAMETOOLONG
 * when the field holds no terminator. */
static ssize_t field_len(const char *field, size_t cap)
{
	size_t len = strnlen(field, cap);
	return len == cap ? -ENAMETOOLONG : (ssize_t)len;
}

static void put_str(struct wcur *w, const char *s, size_t len)
{
	put_u32(w, (uint32_t)len);
	put_bytes(w, s, len);
}

/* Encodes a name field after checking it with check(). */
static int put_checked(struct wcur *w, const char *field, size_t cap,
		       int (*check)(const char *, size_t))
{
	ssize_t len = field_len(field, cap);
	if (len < 0)
		return (int)len;
	int ret = check(field, (size_t)len);
	if (ret < 0)
		return ret;
	put_str(w, field, (size_t)len);
	return 0;
}

/* Reads a length-prefixed string into field (cap bytes, NUL-terminated)
 * and checks it with check(). */
static int get_checked(struct rcur *r, char *field, size_t cap, int (*check)(const char *, size_t))
{
	uint32_t len = get_u32(r);
	if (r->short_read || len > r->len - r->off)
		return -EINVAL;
	if (len > cap - 1)
		return check == gofer_xattr_name_check ? -ERANGE : -ENAMETOOLONG;
	get_bytes(r, field, len);
	field[len] = '\0';
	return check(field, len);
}

ssize_t gofer_req_encode(const struct gofer_req *req, void *buf, size_t bufsz)
{
	struct wcur w = { .p = buf, .cap = msg_cap(bufsz), .off = GOFER_HDR_SIZE };
	int ret = 0;

	if (bufsz < GOFER_HDR_SIZE)
		return -EMSGSIZE;
	if (!type_implemented(req->type))
		return -EINVAL;
	switch (req->type) {
	case GOFER_MSG_ATTACH:
		if (req->attach.mount >= GOFER_MOUNTS_MAX)
			return -EINVAL;
		put_u32(&w, req->attach.mount);
		break;
	case GOFER_MSG_WALK:
		if (!fid_ok(req->walk.dirfid))
			return -EINVAL;
		put_u32(&w, req->walk.dirfid);
		ret = put_checked(&w, req->walk.name, sizeof(req->walk.name), gofer_name_check);
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
	case GOFER_MSG_CREATE:
	case GOFER_MSG_MKDIR:
	case GOFER_MSG_MKNOD:
		/* create, mkdir and mknod share one layout. */
		if (!fid_ok(req->create.dirfid) ||
		    mk_fields_check(req->type, req->create.flags, req->create.mode, req->create.uid,
				    req->create.gid) < 0)
			return -EINVAL;
		put_u32(&w, req->create.dirfid);
		put_u32(&w, req->create.flags);
		put_u32(&w, req->create.mode);
		put_u32(&w, req->create.uid);
		put_u32(&w, req->create.gid);
		ret = put_checked(&w, req->create.name, sizeof(req->create.name), gofer_name_check);
		break;
	case GOFER_MSG_SYMLINK:
		if (!fid_ok(req->symlink.dirfid) || !id_ok(req->symlink.uid) || !id_ok(req->symlink.gid))
			return -EINVAL;
		put_u32(&w, req->symlink.dirfid);
		put_u32(&w, req->symlink.uid);
		put_u32(&w, req->symlink.gid);
		ret = put_checked(&w, req->symlink.name, sizeof(req->symlink.name), gofer_name_check);
		if (ret == 0)
			ret = put_checked(&w, req->symlink.target, sizeof(req->symlink.target),
					  gofer_symlink_target_check);
		break;
	case GOFER_MSG_LINK:
		if (!fid_ok(req->link.dirfid) || !fid_ok(req->link.fid))
			return -EINVAL;
		put_u32(&w, req->link.dirfid);
		put_u32(&w, req->link.fid);
		ret = put_checked(&w, req->link.name, sizeof(req->link.name), gofer_name_check);
		break;
	case GOFER_MSG_UNLINK:
		if (!fid_ok(req->unlink.dirfid) || (req->unlink.flags & ~(uint32_t)AT_REMOVEDIR))
			return -EINVAL;
		put_u32(&w, req->unlink.dirfid);
		put_u32(&w, req->unlink.flags);
		ret = put_checked(&w, req->unlink.name, sizeof(req->unlink.name), gofer_name_check);
		break;
	case GOFER_MSG_RENAME:
		if (!fid_ok(req->rename.olddirfid) || !fid_ok(req->rename.newdirfid) ||
		    (req->rename.flags & ~(uint32_t)RENAME_FLAGS) ||
		    (req->rename.flags == RENAME_FLAGS))
			return -EINVAL;
		put_u32(&w, req->rename.olddirfid);
		put_u32(&w, req->rename.newdirfid);
		put_u32(&w, req->rename.flags);
		ret = put_checked(&w, req->rename.oldname, sizeof(req->rename.oldname), gofer_name_check);
		if (ret == 0)
			ret = put_checked(&w, req->rename.newname, sizeof(req->rename.newname),
					  gofer_name_check);
		break;
	case GOFER_MSG_SETATTR:
		if (!fid_ok(req->setattr.fid) ||
		    setattr_check(req->setattr.valid, req->setattr.mode, req->setattr.uid,
				  req->setattr.gid, req->setattr.size, req->setattr.atime_nsec,
				  req->setattr.mtime_nsec) < 0)
			return -EINVAL;
		put_u32(&w, req->setattr.fid);
		put_u32(&w, req->setattr.valid);
		put_u32(&w, req->setattr.mode);
		put_u32(&w, req->setattr.uid);
		put_u32(&w, req->setattr.gid);
		put_u32(&w, 0);
		put_u64(&w, (uint64_t)req->setattr.size);
		put_u64(&w, (uint64_t)req->setattr.atime_sec);
		put_u64(&w, (uint64_t)req->setattr.mtime_sec);
		put_u32(&w, req->setattr.atime_nsec);
		put_u32(&w, req->setattr.mtime_nsec);
		break;
	case GOFER_MSG_FSYNC:
		if (!fid_ok(req->fsync.fid) || (req->fsync.flags & ~GOFER_FSYNC_DATASYNC))
			return -EINVAL;
		put_u32(&w, req->fsync.fid);
		put_u32(&w, req->fsync.flags);
		break;
	case GOFER_MSG_STATFS:
		if (!fid_ok(req->statfs.fid))
			return -EINVAL;
		put_u32(&w, req->statfs.fid);
		break;
	case GOFER_MSG_GETXATTR:
		if (!fid_ok(req->getxattr.fid) || req->getxattr.size > GOFER_XATTR_SIZE_MAX)
			return -EINVAL;
		put_u32(&w, req->getxattr.fid);
		put_u32(&w, req->getxattr.size);
		ret = put_checked(&w, req->getxattr.name, sizeof(req->getxattr.name),
				  gofer_xattr_name_check);
		break;
	case GOFER_MSG_SETXATTR:
		if (!fid_ok(req->setxattr.fid) || (req->setxattr.flags & ~(uint32_t)XATTR_FLAGS) ||
		    req->setxattr.size > GOFER_XATTR_SIZE_MAX ||
		    (req->setxattr.size && !req->setxattr.value))
			return -EINVAL;
		put_u32(&w, req->setxattr.fid);
		put_u32(&w, req->setxattr.flags);
		ret = put_checked(&w, req->setxattr.name, sizeof(req->setxattr.name),
				  gofer_xattr_name_check);
		put_u32(&w, req->setxattr.size);
		if (req->setxattr.size)
			put_bytes(&w, req->setxattr.value, req->setxattr.size);
		break;
	case GOFER_MSG_LISTXATTR:
		if (!fid_ok(req->listxattr.fid) || req->listxattr.size > GOFER_XATTR_SIZE_MAX)
			return -EINVAL;
		put_u32(&w, req->listxattr.fid);
		put_u32(&w, req->listxattr.size);
		break;
	case GOFER_MSG_REMOVEXATTR:
		if (!fid_ok(req->removexattr.fid))
			return -EINVAL;
		put_u32(&w, req->removexattr.fid);
		ret = put_checked(&w, req->removexattr.name, sizeof(req->removexattr.name),
				  gofer_xattr_name_check);
		break;
	}
	if (ret < 0)
		return ret;
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

/* The payload of one request type; returns 0 or the first error. */
static int req_decode_payload(struct rcur *r, struct gofer_req *req)
{
	int ret;

	switch (req->type) {
	case GOFER_MSG_ATTACH:
		req->attach.mount = get_u32(r);
		return req->attach.mount < GOFER_MOUNTS_MAX ? 0 : -EINVAL;
	case GOFER_MSG_WALK:
		req->walk.dirfid = get_u32(r);
		ret = get_checked(r, req->walk.name, sizeof(req->walk.name), gofer_name_check);
		if (ret < 0)
			return ret;
		return fid_ok(req->walk.dirfid) ? 0 : -EINVAL;
	case GOFER_MSG_GETATTR:
	case GOFER_MSG_READLINK:
	case GOFER_MSG_CLUNK:
		req->getattr.fid = get_u32(r);
		return fid_ok(req->getattr.fid) ? 0 : -EINVAL;
	case GOFER_MSG_OPEN:
		req->open.fid = get_u32(r);
		req->open.flags = get_u32(r);
		if (!fid_ok(req->open.fid) || gofer_open_flags_check(req->open.flags) < 0)
			return -EINVAL;
		return 0;
	case GOFER_MSG_READDIR:
		req->readdir.fid = get_u32(r);
		req->readdir.max_bytes = get_u32(r);
		req->readdir.offset = get_u64(r);
		if (!fid_ok(req->readdir.fid) || req->readdir.max_bytes < GOFER_READDIR_MIN ||
		    req->readdir.max_bytes > GOFER_READDIR_MAX)
			return -EINVAL;
		return 0;
	case GOFER_MSG_CREATE:
	case GOFER_MSG_MKDIR:
	case GOFER_MSG_MKNOD:
		req->create.dirfid = get_u32(r);
		req->create.flags = get_u32(r);
		req->create.mode = get_u32(r);
		req->create.uid = get_u32(r);
		req->create.gid = get_u32(r);
		ret = get_checked(r, req->create.name, sizeof(req->create.name), gofer_name_check);
		if (ret < 0)
			return ret;
		if (!fid_ok(req->create.dirfid) ||
		    mk_fields_check(req->type, req->create.flags, req->create.mode, req->create.uid,
				    req->create.gid) < 0)
			return -EINVAL;
		return 0;
	case GOFER_MSG_SYMLINK:
		req->symlink.dirfid = get_u32(r);
		req->symlink.uid = get_u32(r);
		req->symlink.gid = get_u32(r);
		ret = get_checked(r, req->symlink.name, sizeof(req->symlink.name), gofer_name_check);
		if (ret == 0)
			ret = get_checked(r, req->symlink.target, sizeof(req->symlink.target),
					  gofer_symlink_target_check);
		if (ret < 0)
			return ret;
		if (!fid_ok(req->symlink.dirfid) || !id_ok(req->symlink.uid) || !id_ok(req->symlink.gid))
			return -EINVAL;
		return 0;
	case GOFER_MSG_LINK:
		req->link.dirfid = get_u32(r);
		req->link.fid = get_u32(r);
		ret = get_checked(r, req->link.name, sizeof(req->link.name), gofer_name_check);
		if (ret < 0)
			return ret;
		return fid_ok(req->link.dirfid) && fid_ok(req->link.fid) ? 0 : -EINVAL;
	case GOFER_MSG_UNLINK:
		req->unlink.dirfid = get_u32(r);
		req->unlink.flags = get_u32(r);
		ret = get_checked(r, req->unlink.name, sizeof(req->unlink.name), gofer_name_check);
		if (ret < 0)
			return ret;
		if (!fid_ok(req->unlink.dirfid) || (req->unlink.flags & ~(uint32_t)AT_REMOVEDIR))
			return -EINVAL;
		return 0;
	case GOFER_MSG_RENAME:
		req->rename.olddirfid = get_u32(r);
		req->rename.newdirfid = get_u32(r);
		req->rename.flags = get_u32(r);
		ret = get_checked(r, req->rename.oldname, sizeof(req->rename.oldname), gofer_name_check);
		if (ret == 0)
			ret = get_checked(r, req->rename.newname, sizeof(req->rename.newname),
					  gofer_name_check);
		if (ret < 0)
			return ret;
		if (!fid_ok(req->rename.olddirfid) || !fid_ok(req->rename.newdirfid) ||
		    (req->rename.flags & ~(uint32_t)RENAME_FLAGS) || req->rename.flags == RENAME_FLAGS)
			return -EINVAL;
		return 0;
	case GOFER_MSG_SETATTR: {
		req->setattr.fid = get_u32(r);
		req->setattr.valid = get_u32(r);
		req->setattr.mode = get_u32(r);
		req->setattr.uid = get_u32(r);
		req->setattr.gid = get_u32(r);
		uint32_t pad = get_u32(r);
		req->setattr.size = (int64_t)get_u64(r);
		req->setattr.atime_sec = (int64_t)get_u64(r);
		req->setattr.mtime_sec = (int64_t)get_u64(r);
		req->setattr.atime_nsec = get_u32(r);
		req->setattr.mtime_nsec = get_u32(r);
		if (pad || !fid_ok(req->setattr.fid) ||
		    setattr_check(req->setattr.valid, req->setattr.mode, req->setattr.uid,
				  req->setattr.gid, req->setattr.size, req->setattr.atime_nsec,
				  req->setattr.mtime_nsec) < 0)
			return -EINVAL;
		return 0;
	}
	case GOFER_MSG_FSYNC:
		req->fsync.fid = get_u32(r);
		req->fsync.flags = get_u32(r);
		if (!fid_ok(req->fsync.fid) || (req->fsync.flags & ~GOFER_FSYNC_DATASYNC))
			return -EINVAL;
		return 0;
	case GOFER_MSG_STATFS:
		req->statfs.fid = get_u32(r);
		return fid_ok(req->statfs.fid) ? 0 : -EINVAL;
	case GOFER_MSG_GETXATTR:
		req->getxattr.fid = get_u32(r);
		req->getxattr.size = get_u32(r);
		ret = get_checked(r, req->getxattr.name, sizeof(req->getxattr.name),
				  gofer_xattr_name_check);
		if (ret < 0)
			return ret;
		if (!fid_ok(req->getxattr.fid) || req->getxattr.size > GOFER_XATTR_SIZE_MAX)
			return -EINVAL;
		return 0;
	case GOFER_MSG_SETXATTR:
		req->setxattr.fid = get_u32(r);
		req->setxattr.flags = get_u32(r);
		ret = get_checked(r, req->setxattr.name, sizeof(req->setxattr.name),
				  gofer_xattr_name_check);
		if (ret < 0)
			return ret;
		req->setxattr.size = get_u32(r);
		if (r->short_read || !fid_ok(req->setxattr.fid) ||
		    (req->setxattr.flags & ~(uint32_t)XATTR_FLAGS) ||
		    req->setxattr.size > GOFER_XATTR_SIZE_MAX || req->setxattr.size != r->len - r->off)
			return -EINVAL;
		req->setxattr.value = r->p + r->off;
		r->off = r->len;
		return 0;
	case GOFER_MSG_LISTXATTR:
		req->listxattr.fid = get_u32(r);
		req->listxattr.size = get_u32(r);
		if (!fid_ok(req->listxattr.fid) || req->listxattr.size > GOFER_XATTR_SIZE_MAX)
			return -EINVAL;
		return 0;
	case GOFER_MSG_REMOVEXATTR:
		req->removexattr.fid = get_u32(r);
		ret = get_checked(r, req->removexattr.name, sizeof(req->removexattr.name),
				  gofer_xattr_name_check);
		if (ret < 0)
			return ret;
		return fid_ok(req->removexattr.fid) ? 0 : -EINVAL;
	}
	return -EINVAL;
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
	ret = req_decode_payload(&r, req);
	if (ret < 0)
		return ret;
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

static void put_statfs(struct wcur *w, const struct gofer_statfs *st)
{
	put_u64(w, st->type);
	put_u64(w, st->bsize);
	put_u64(w, st->blocks);
	put_u64(w, st->bfree);
	put_u64(w, st->bavail);
	put_u64(w, st->files);
	put_u64(w, st->ffree);
	put_u64(w, st->namelen);
	put_u64(w, st->frsize);
	put_u64(w, st->flags);
}

static void get_statfs(struct rcur *r, struct gofer_statfs *st)
{
	st->type = get_u64(r);
	st->bsize = get_u64(r);
	st->blocks = get_u64(r);
	st->bfree = get_u64(r);
	st->bavail = get_u64(r);
	st->files = get_u64(r);
	st->ffree = get_u64(r);
	st->namelen = get_u64(r);
	st->frsize = get_u64(r);
	st->flags = get_u64(r);
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
	case GOFER_MSG_CREATE:
		/* attach, walk and create share one layout. */
		if (!fid_ok(rep->walk.fid) || attr_check(&rep->walk.attr) < 0)
			return -EINVAL;
		put_u32(&w, rep->walk.fid);
		put_attr(&w, &rep->walk.attr);
		break;
	case GOFER_MSG_GETATTR:
	case GOFER_MSG_MKDIR:
	case GOFER_MSG_MKNOD:
	case GOFER_MSG_SYMLINK:
	case GOFER_MSG_LINK:
	case GOFER_MSG_SETATTR:
		/* All of these answer with attributes only. */
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
	case GOFER_MSG_STATFS:
		put_statfs(&w, &rep->statfs);
		break;
	case GOFER_MSG_GETXATTR:
	case GOFER_MSG_LISTXATTR: {
		uint32_t dlen = rep->getxattr.data ? rep->getxattr.len : 0;
		if (xattr_data_check(rep->type, rep->getxattr.len, rep->getxattr.data, dlen) < 0)
			return -EINVAL;
		put_u32(&w, rep->getxattr.len);
		if (dlen)
			put_bytes(&w, rep->getxattr.data, dlen);
		break;
	}
	case GOFER_MSG_OPEN:
	case GOFER_MSG_CLUNK:
	case GOFER_MSG_UNLINK:
	case GOFER_MSG_RENAME:
	case GOFER_MSG_FSYNC:
	case GOFER_MSG_SETXATTR:
	case GOFER_MSG_REMOVEXATTR:
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
	case GOFER_MSG_CREATE:
		rep->walk.fid = get_u32(&r);
		get_attr(&r, &rep->walk.attr);
		if (!fid_ok(rep->walk.fid) || attr_check(&rep->walk.attr) < 0)
			return -EINVAL;
		break;
	case GOFER_MSG_GETATTR:
	case GOFER_MSG_MKDIR:
	case GOFER_MSG_MKNOD:
	case GOFER_MSG_SYMLINK:
	case GOFER_MSG_LINK:
	case GOFER_MSG_SETATTR:
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
	case GOFER_MSG_STATFS:
		get_statfs(&r, &rep->statfs);
		break;
	case GOFER_MSG_GETXATTR:
	case GOFER_MSG_LISTXATTR: {
		rep->getxattr.len = get_u32(&r);
		if (r.short_read)
			return -EINVAL;
		uint32_t dlen = (uint32_t)(r.len - r.off);
		rep->getxattr.data = dlen ? r.p + r.off : NULL;
		if (xattr_data_check(rep->type, rep->getxattr.len, rep->getxattr.data, dlen) < 0)
			return -EINVAL;
		r.off = r.len;
		break;
	}
	case GOFER_MSG_OPEN:
	case GOFER_MSG_CLUNK:
	case GOFER_MSG_UNLINK:
	case GOFER_MSG_RENAME:
	case GOFER_MSG_FSYNC:
	case GOFER_MSG_SETXATTR:
	case GOFER_MSG_REMOVEXATTR:
		break;
	}
	if (r.short_read || r.off != r.len)
		return -EINVAL;
	return 0;
}
