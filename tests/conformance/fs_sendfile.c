/* sendfile(2) from a file to a pipe, a file and a socket: the file
 * position with and without an offset pointer, short counts at EOF, the
 * descriptor checks (EBADF, EINVAL for O_APPEND output, ESPIPE/EINVAL for
 * a pipe input), EFAULT; then sync and syncfs. Under a fresh directory in
 * /tmp. */
#include "conformance.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>

static char dir[64];

static const char *P(const char *name)
{
	static char path[4][PATH_MAX];
	static int which;
	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

static const char *drain(int fd)
{
	static char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

int main(void)
{
	int p[2], sv[2];
	off_t off;

	snprintf(dir, sizeof(dir), "/tmp/conf-sendfile-XXXXXX");
	if (!mkdtemp(dir) || pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		FAIL("setup", "%s", conf_errname(errno));
		return conf_done();
	}
	int in = open(P("in"), O_CREAT | O_RDWR, 0644);
	CHECK_EQ("setup.write", write(in, "0123456789", 10), 10);
	lseek(in, 0, SEEK_SET);

	CHECK_EQ("pipe.pos", sendfile(p[1], in, NULL, 4), 4);
	CHECK_STR("pipe.pos_data", drain(p[0]), "0123");
	CHECK_EQ("pipe.pos_moved", lseek(in, 0, SEEK_CUR), 4);
	off = 2;
	CHECK_EQ("pipe.offset", sendfile(p[1], in, &off, 3), 3);
	CHECK_STR("pipe.offset_data", drain(p[0]), "234");
	CHECK_EQ("pipe.offset_updated", off, 5);
	CHECK_EQ("pipe.offset_pos_kept", lseek(in, 0, SEEK_CUR), 4);
	off = 8;
	CHECK_EQ("pipe.short", sendfile(p[1], in, &off, 100), 2);
	CHECK_STR("pipe.short_data", drain(p[0]), "89");
	CHECK_EQ("pipe.short_off", off, 10);
	CHECK_EQ("pipe.eof", sendfile(p[1], in, &off, 100), 0);
	off = 100;
	CHECK_EQ("pipe.past_eof", sendfile(p[1], in, &off, 5), 0);
	CHECK_EQ("pipe.count0", sendfile(p[1], in, NULL, 0), 0);

	int out = open(P("out"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK_EQ("file.to_file", sendfile(out, in, NULL, 100), 6);
	CHECK_EQ("file.out_pos", lseek(out, 0, SEEK_CUR), 6);
	struct stat st;
	CHECK("file.out_size", fstat(out, &st) == 0 && st.st_size == 6);
	close(out);
	out = open(P("out"), O_WRONLY | O_APPEND);
	off = 0;
	CHECK_ERR("file.append_out", sendfile(out, in, &off, 1), EINVAL);
	close(out);

	off = 0;
	CHECK_EQ("sock.to_socket", sendfile(sv[0], in, &off, 10), 10);
	char buf[16] = "";
	CHECK_EQ("sock.recv", recv(sv[1], buf, sizeof(buf) - 1, 0), 10);
	CHECK_STR("sock.recv_data", buf, "0123456789");

	int wo = open(P("in"), O_WRONLY);
	int ro = open(P("in"), O_RDONLY);
	int opath = open(P("in"), O_PATH);
	off = 0;
	CHECK_ERR("badf.in_wronly", sendfile(p[1], wo, &off, 1), EBADF);
	CHECK_ERR("badf.out_rdonly", sendfile(ro, in, &off, 1), EBADF);
	CHECK_ERR("badf.in_opath", sendfile(p[1], opath, &off, 1), EBADF);
	CHECK_ERR("badf.out_closed", sendfile(999, in, &off, 1), EBADF);
	CHECK_ERR("badf.in_closed", sendfile(p[1], 999, &off, 1), EBADF);
	off = -1;
	CHECK_ERR("inval.neg_offset", sendfile(p[1], in, &off, 1), EINVAL);
	CHECK_ERR("fault.offset", syscall(SYS_sendfile, p[1], in, (void *)8, 1), EFAULT);
	CHECK_EQ("pipe.in_nullpos_write", write(p[1], "ab", 2), 2);
	off = 0;
	CHECK_ERR("pipe.in_offset", sendfile(sv[0], p[0], &off, 2), ESPIPE);
	close(wo);
	close(ro);
	close(opath);

	sync();
	PASS("sync");
	CHECK_OK("syncfs", syncfs(in));
	CHECK_ERR("syncfs.badf", syncfs(999), EBADF);
	opath = open(dir, O_PATH);
	CHECK_ERR("syncfs.opath", syncfs(opath), EBADF);
	close(opath);
	close(in);
	unlink(P("in"));
	unlink(P("out"));
	CHECK_OK("cleanup", rmdir(dir));
	return conf_done();
}
