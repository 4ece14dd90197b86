/* preadv2/pwritev2 with RWF_* flags (HIPRI, DSYNC, SYNC, APPEND, NOAPPEND;
 * NOWAIT on pipes and sockets, refused on tmpfs as Linux does; ATOMIC,
 * DONTCACHE and unknown bits EOPNOTSUPP), fallocate modes (allocation,
 * KEEP_SIZE, PUNCH_HOLE; the rest EOPNOTSUPP; EINVAL/EBADF/ESPIPE/EFBIG/
 * ENOSPC) and SEEK_DATA/SEEK_HOLE on a tmpfs the program mounts itself
 * (natively in a mount namespace of its own), plus SEEK_DATA/SEEK_HOLE in
 * /tmp (the root overlay in the sandbox). */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define K_RWF_HIPRI     0x001
#define K_RWF_DSYNC     0x002
#define K_RWF_SYNC      0x004
#define K_RWF_NOWAIT    0x008
#define K_RWF_APPEND    0x010
#define K_RWF_NOAPPEND  0x020
#define K_RWF_ATOMIC    0x040
#define K_RWF_DONTCACHE 0x080

static char dir[64];

static const char *P(const char *name)
{
	static char path[4][PATH_MAX];
	static int which;
	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

static long pw2(int fd, const char *s, off_t off, int flags)
{
	struct iovec iov = { (void *)s, strlen(s) };
	return syscall(SYS_pwritev2, fd, &iov, 1, (long)off, 0L, flags);
}

static long pr2(int fd, char *buf, size_t len, off_t off, int flags)
{
	struct iovec iov = { buf, len };
	return syscall(SYS_preadv2, fd, &iov, 1, (long)off, 0L, flags);
}

static const char *content(const char *path)
{
	static char buf[128];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void rwf_file(void)
{
	char buf[32];
	int fd = open(P("f"), O_CREAT | O_RDWR | O_TRUNC, 0644);

	CHECK_EQ("rwf.plain", pw2(fd, "abc", 0, 0), 3);
	CHECK_EQ("rwf.hipri", pw2(fd, "abc", 0, K_RWF_HIPRI), 3);
	CHECK_EQ("rwf.dsync", pw2(fd, "abc", 0, K_RWF_DSYNC), 3);
	CHECK_EQ("rwf.sync", pw2(fd, "abc", 0, K_RWF_SYNC), 3);
	CHECK_EQ("rwf.append", pw2(fd, "XY", 0, K_RWF_APPEND), 2);
	CHECK_STR("rwf.append_content", content(P("f")), "abcXY");
	CHECK_EQ("rwf.append_pos_kept", lseek(fd, 0, SEEK_CUR), 0);
	CHECK_EQ("rwf.append_at_pos", pw2(fd, "Z", -1, K_RWF_APPEND), 1);
	CHECK_EQ("rwf.append_pos_moved", lseek(fd, 0, SEEK_CUR), 6);
	CHECK_STR("rwf.append_content2", content(P("f")), "abcXYZ");
	CHECK_EQ("rwf.at_pos", pw2(fd, "!", -1, 0), 1);
	CHECK_EQ("rwf.at_pos_moved", lseek(fd, 0, SEEK_CUR), 7);
	CHECK_ERR("rwf.append_noappend", pw2(fd, "x", 0, K_RWF_APPEND | K_RWF_NOAPPEND), EINVAL);
	CHECK_ERR("rwf.nowait_tmpfs", pw2(fd, "x", 0, K_RWF_NOWAIT), EOPNOTSUPP);
	CHECK_ERR("rwf.nowait_tmpfs_read", pr2(fd, buf, 4, 0, K_RWF_NOWAIT), EOPNOTSUPP);
	CHECK_ERR("rwf.atomic", pw2(fd, "x", 0, K_RWF_ATOMIC), EOPNOTSUPP);
	CHECK_ERR("rwf.atomic_read", pr2(fd, buf, 4, 0, K_RWF_ATOMIC), EOPNOTSUPP);
	CHECK_ERR("rwf.dontcache", pw2(fd, "x", 0, K_RWF_DONTCACHE), EOPNOTSUPP);
	CHECK_ERR("rwf.unknown", pw2(fd, "x", 0, 0x200), EOPNOTSUPP);
	CHECK_ERR("rwf.unknown_high", pw2(fd, "x", 0, 0x40000000), EOPNOTSUPP);
	/* Nothing to transfer: the flags are never looked at. */
	CHECK_EQ("rwf.empty_unknown", pw2(fd, "", 0, 0x200), 0);
	CHECK_ERR("rwf.bad_offset", pw2(fd, "x", -2, 0), EINVAL);
	CHECK_ERR("rwf.bad_offset_flags", pw2(fd, "x", -2, 0x200), EINVAL);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("rwf.read_flags", pr2(fd, buf, 3, 0, K_RWF_HIPRI | K_RWF_DSYNC | K_RWF_APPEND), 3);
	CHECK_STR("rwf.read_flags_data", buf, "abc");
	CHECK_EQ("rwf.read_noappend", pr2(fd, buf, 3, 0, K_RWF_NOAPPEND), 3);
	int ro = open(P("f"), O_RDONLY);
	CHECK_ERR("rwf.ebadf_first", pw2(ro, "x", 0, 0x200), EBADF);
	close(ro);
	close(fd);

	/* RWF_NOAPPEND writes an O_APPEND file at the offset given. */
	fd = open(P("f"), O_WRONLY | O_APPEND);
	CHECK_EQ("rwf.noappend", pw2(fd, "Q", 1, K_RWF_NOAPPEND), 1);
	CHECK_STR("rwf.noappend_content", content(P("f")), "aQcXYZ!");
	CHECK_EQ("rwf.o_append_pwrite", pw2(fd, "E", 0, 0), 1);
	CHECK_STR("rwf.o_append_content", content(P("f")), "aQcXYZ!E");
	close(fd);
}

static void rwf_stream(void)
{
	int p[2], sv[2];
	char buf[8];

	if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		FAIL("stream.setup", "%s", conf_errname(errno));
		return;
	}
	CHECK_ERR("pipe.nowait_empty", pr2(p[0], buf, sizeof(buf), -1, K_RWF_NOWAIT), EAGAIN);
	CHECK_ERR("pipe.offset", pr2(p[0], buf, sizeof(buf), 0, K_RWF_NOWAIT), ESPIPE);
	CHECK_EQ("pipe.write_nowait", pw2(p[1], "hi", -1, K_RWF_NOWAIT), 2);
	CHECK_EQ("pipe.read_nowait", pr2(p[0], buf, sizeof(buf), -1, K_RWF_NOWAIT), 2);
	CHECK_EQ("pipe.still_blocking", fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	CHECK_EQ("pipe.dsync_append", pw2(p[1], "hi", -1, K_RWF_DSYNC | K_RWF_APPEND), 2);
	CHECK_EQ("pipe.read", pr2(p[0], buf, sizeof(buf), -1, 0), 2);
	/* A full pipe: RWF_NOWAIT writes nothing rather than wait. */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	static char big[4096];
	while (write(p[1], big, sizeof(big)) > 0)
		;
	while (write(p[1], big, 1) > 0)
		;
	fcntl(p[1], F_SETFL, 0);
	CHECK_ERR("pipe.write_nowait_full", pw2(p[1], "x", -1, K_RWF_NOWAIT), EAGAIN);
	CHECK_EQ("pipe.write_still_blocking", fcntl(p[1], F_GETFL) & O_NONBLOCK, 0);
	CHECK_ERR("sock.nowait_empty", pr2(sv[0], buf, sizeof(buf), -1, K_RWF_NOWAIT), EAGAIN);
	CHECK_EQ("sock.write_nowait", pw2(sv[1], "yo", -1, K_RWF_NOWAIT), 2);
	CHECK_EQ("sock.read_nowait", pr2(sv[0], buf, sizeof(buf), -1, K_RWF_NOWAIT), 2);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static long blocks(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (long)st.st_blocks : -1;
}

static long fsize(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (long)st.st_size : -1;
}

static void falloc(void)
{
	int fd = open(P("fa"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	int ro = open(P("fa"), O_RDONLY);
	int p[2];
	char buf[16];

	if (pipe(p) < 0)
		return;
	CHECK_OK("fallocate.alloc", fallocate(fd, 0, 0, 8192));
	CHECK_EQ("fallocate.alloc_size", fsize(fd), 8192);
	CHECK_EQ("fallocate.alloc_blocks", blocks(fd), 16);
	CHECK_OK("fallocate.keep_size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 4096));
	CHECK_EQ("fallocate.keep_size_size", fsize(fd), 8192);
	CHECK_EQ("fallocate.keep_size_blocks", blocks(fd), 24);
	CHECK_OK("fallocate.inside", fallocate(fd, 0, 0, 100));
	CHECK_EQ("fallocate.inside_size", fsize(fd), 8192);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ("fallocate.write", pwrite(fd, buf, sizeof(buf), 4096), (long)sizeof(buf));
	CHECK_ERR("fallocate.punch_alone", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 4096, 4096),
		  EOPNOTSUPP);
	CHECK_OK("fallocate.punch", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 4096));
	CHECK_EQ("fallocate.punch_size", fsize(fd), 8192);
	CHECK_EQ("fallocate.punch_blocks", blocks(fd), 16);
	CHECK_EQ("fallocate.punch_zero", pread(fd, buf, 1, 4100) == 1 ? buf[0] : -1, 0);
	CHECK_EQ("fallocate.punch_hole", lseek(fd, 0, SEEK_HOLE), 4096);
	CHECK_ERR("fallocate.punch_data", lseek(fd, 4096, SEEK_DATA), ENXIO);
	CHECK_ERR("fallocate.collapse", fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR("fallocate.zero_range", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR("fallocate.insert", fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR("fallocate.unshare", fallocate(fd, FALLOC_FL_UNSHARE_RANGE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR("fallocate.no_hide_stale",
		  fallocate(fd, FALLOC_FL_NO_HIDE_STALE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    0, 4096), EOPNOTSUPP);
	CHECK_ERR("fallocate.unknown", fallocate(fd, 0x1000, 0, 4096), EOPNOTSUPP);
	CHECK_ERR("fallocate.unknown_rdonly", fallocate(ro, 0x1000, 0, 4096), EOPNOTSUPP);
	CHECK_ERR("fallocate.len0", fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR("fallocate.neg_off", fallocate(fd, 0, -1, 4096), EINVAL);
	CHECK_ERR("fallocate.len0_rdonly", fallocate(ro, 0, 0, 0), EINVAL);
	CHECK_ERR("fallocate.rdonly", fallocate(ro, 0, 0, 4096), EBADF);
	CHECK_ERR("fallocate.pipe", fallocate(p[1], 0, 0, 4096), ESPIPE);
	CHECK_ERR("fallocate.efbig", fallocate(fd, 0, 1LL << 62, 1LL << 62), EFBIG);
	CHECK_ERR("fallocate.enospc", fallocate(fd, 0, 0, 1 << 20), ENOSPC);
	CHECK_ERR("fallocate.enospc_keep", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1 << 20), ENOSPC);
	CHECK_EQ("fallocate.enospc_size", fsize(fd), 8192);
	close(p[0]);
	close(p[1]);
	close(ro);
	close(fd);
}

/* Data at [0, 4096) and [65536, 65546): two extents, a hole between. */
static void seek(const char *tag, const char *path)
{
	char name[64];
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	static char page[4096];

	memset(page, 'd', sizeof(page));
	if (pwrite(fd, page, sizeof(page), 0) != sizeof(page) || pwrite(fd, page, 10, 65536) != 10)
		FAIL(tag, "setup");
#define S(n, off, wh, exp)                                                  \
	do {                                                                \
		snprintf(name, sizeof(name), "%s.%s", tag, n);              \
		CHECK_EQ(name, lseek(fd, off, wh), exp);                    \
	} while (0)
#define SE(n, off, wh, e)                                                   \
	do {                                                                \
		snprintf(name, sizeof(name), "%s.%s", tag, n);              \
		CHECK_ERR(name, lseek(fd, off, wh), e);                     \
	} while (0)
	S("data_0", 0, SEEK_DATA, 0);
	S("hole_0", 0, SEEK_HOLE, 4096);
	S("data_in", 100, SEEK_DATA, 100);
	S("hole_in", 100, SEEK_HOLE, 4096);
	S("data_hole", 4096, SEEK_DATA, 65536);
	S("data_mid", 30000, SEEK_DATA, 65536);
	S("hole_hole", 30000, SEEK_HOLE, 30000);
	S("hole_last", 65536, SEEK_HOLE, 65546);
	S("data_last", 65540, SEEK_DATA, 65540);
	SE("data_eof", 65546, SEEK_DATA, ENXIO);
	SE("hole_eof", 65546, SEEK_HOLE, ENXIO);
	SE("data_past", 1 << 20, SEEK_DATA, ENXIO);
	SE("data_neg", -1, SEEK_DATA, ENXIO);
	SE("hole_neg", -1, SEEK_HOLE, ENXIO);
	S("pos", 0, SEEK_CUR, 65540);
	CHECK_OK(tag, ftruncate(fd, 200000));
	S("hole_tail", 65546, SEEK_HOLE, 69632);
	SE("data_tail", 70000, SEEK_DATA, ENXIO);
	S("hole_tail_end", 199999, SEEK_HOLE, 199999);
#undef S
#undef SE
	close(fd);
	unlink(path);
}

int main(void)
{
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	snprintf(dir, sizeof(dir), "/tmp/conf-rwf-XXXXXX");
	if (!mkdtemp(dir)) {
		FAIL("setup", "mkdtemp: %s", conf_errname(errno));
		return conf_done();
	}
	char tmpseek[PATH_MAX];
	snprintf(tmpseek, sizeof(tmpseek), "%s/seek", dir);
	seek("tmp_seek", tmpseek);
	CHECK_OK("mount", mount("conf", dir, "tmpfs", 0, "size=256k"));
	rwf_file();
	rwf_stream();
	falloc();
	seek("tmpfs_seek", P("seek"));
	unlink(P("f"));
	unlink(P("fa"));
	CHECK_OK("umount", umount(dir));
	CHECK_OK("rmdir", rmdir(dir));
	return conf_done();
}
