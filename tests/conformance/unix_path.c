/* AF_UNIX sockets bound to filesystem paths: bind makes a socket inode
 * (mode from the umask, EADDRINUSE when the name exists), connect finds
 * the listener through it (relative paths, write permission, type
 * checks), open refuses it, and unlinking frees the name. Works in a
 * directory of its own under /tmp and removes it. */
#include "conformance.h"
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static char dir[64];

static socklen_t path_addr(struct sockaddr_un *u, const char *name)
{
	memset(u, 0, sizeof(*u));
	u->sun_family = AF_UNIX;
	if (name[0] == '/' || !dir[0])
		snprintf(u->sun_path, sizeof(u->sun_path), "%s", name);
	else
		snprintf(u->sun_path, sizeof(u->sun_path), "%s/%s", dir, name);
	return offsetof(struct sockaddr_un, sun_path) + strlen(u->sun_path) + 1;
}

static int bind_to(int s, const char *name)
{
	struct sockaddr_un u;
	socklen_t l = path_addr(&u, name);
	return bind(s, (void *)&u, l);
}

static int connect_to(int s, const char *name)
{
	struct sockaddr_un u;
	socklen_t l = path_addr(&u, name);
	return connect(s, (void *)&u, l);
}

static char *in_dir(const char *name)
{
	static char p[128];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

int main(void)
{
	struct sockaddr_un got, want;
	socklen_t gl, wl;
	struct stat st;
	char buf[16];

	umask(022);
	snprintf(dir, sizeof(dir), "/tmp/sbxconf-unix-%d", (int)getpid());
	CHECK_OK("setup.mkdir", mkdir(dir, 0755));
	int fd = open(in_dir("file"), O_CREAT | O_WRONLY, 0644);
	CHECK("setup.file", fd >= 0);
	close(fd);

	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK("bind.path", bind_to(srv, "srv"));
	CHECK_OK("bind.stat", stat(in_dir("srv"), &st));
	CHECK("bind.is_socket", S_ISSOCK(st.st_mode));
	CHECK_EQ("bind.mode_umask", st.st_mode & 07777, 0755);
	CHECK_EQ("bind.owner", st.st_uid, geteuid());
	gl = sizeof(got);
	CHECK_OK("bind.getsockname", getsockname(srv, (void *)&got, &gl));
	wl = path_addr(&want, "srv");
	CHECK("bind.getsockname_value", gl == wl && strcmp(got.sun_path, want.sun_path) == 0);
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("bind.exists_eaddrinuse", bind_to(other, "srv"), EADDRINUSE);
	CHECK_ERR("bind.on_file_eaddrinuse", bind_to(other, "file"), EADDRINUSE);
	CHECK_ERR("bind.bound_einval", bind_to(srv, "again"), EINVAL);
	CHECK_ERR("bind.bound_no_file", stat(in_dir("again"), &st), ENOENT);
	CHECK_ERR("bind.no_dir", bind_to(other, "nodir/sock"), ENOENT);
	CHECK_ERR("bind.notdir", bind_to(other, "file/sock"), ENOTDIR);
	CHECK_ERR("open.enxio", open(in_dir("srv"), O_RDWR), ENXIO);

	int cl = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("connect.not_listening", connect_to(cl, "srv"), ECONNREFUSED);
	CHECK_OK("listen.ok", listen(srv, 4));
	CHECK_ERR("connect.missing", connect_to(cl, "missing"), ENOENT);
	CHECK_ERR("connect.not_socket", connect_to(cl, "file"), ECONNREFUSED);
	int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR("connect.wrong_type", connect_to(dg, "srv"), EPROTOTYPE);
	CHECK_OK("connect.ok", connect_to(cl, "srv"));
	gl = sizeof(got);
	getpeername(cl, (void *)&got, &gl);
	CHECK("connect.peername", gl == wl && strcmp(got.sun_path, want.sun_path) == 0);
	int a = accept(srv, NULL, NULL);
	CHECK("accept.ok", a >= 0);
	CHECK_EQ("data.send", send(cl, "path", 4, 0), 4);
	CHECK_EQ("data.recv", recv(a, buf, sizeof(buf), 0), 4);
	close(a);
	close(cl);

	/* A relative path, from the socket's directory. */
	CHECK_OK("relative.chdir", chdir(dir));
	char saved[64];
	strcpy(saved, dir);
	dir[0] = 0;
	cl = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK("relative.connect", connect_to(cl, "srv"));
	close(cl);
	strcpy(dir, saved);
	chdir("/");

	/* Connecting needs write permission on the socket inode. */
	pid_t c = fork();
	if (c == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		_exit(connect_to(s, "srv") == -1 && errno == EACCES ? 0 : 1);
	}
	CHECK_EXIT("perm.eacces", conf_wait(c), 0);
	CHECK_OK("perm.chmod", chmod(in_dir("srv"), 0777));
	c = fork();
	if (c == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		_exit(connect_to(s, "srv") == 0 ? 0 : 1);
	}
	CHECK_EXIT("perm.allowed", conf_wait(c), 0);

	/* The name outlives the socket but nobody answers; unlinked, it can
	 * be bound again. */
	close(srv);
	cl = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("closed.refused", connect_to(cl, "srv"), ECONNREFUSED);
	CHECK_OK("closed.still_there", stat(in_dir("srv"), &st));
	CHECK_OK("unlink.ok", unlink(in_dir("srv")));
	srv = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK("rebind.ok", bind_to(srv, "srv"));
	CHECK_OK("rebind.listen", listen(srv, 1));
	CHECK_OK("rebind.connect", connect_to(cl, "srv"));
	close(cl);
	/* Unlinking a live listener's name hides it from new clients. */
	CHECK_OK("unlink.live", unlink(in_dir("srv")));
	cl = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("unlink.live_gone", connect_to(cl, "srv"), ENOENT);
	close(cl);
	close(srv);

	/* Datagrams between named sockets. */
	int rx = socket(AF_UNIX, SOCK_DGRAM, 0), tx = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK("dgram.bind_rx", bind_to(rx, "rx"));
	CHECK_OK("dgram.bind_tx", bind_to(tx, "tx"));
	struct sockaddr_un to;
	socklen_t tl = path_addr(&to, "rx");
	CHECK_EQ("dgram.sendto", sendto(tx, "d", 1, 0, (void *)&to, tl), 1);
	gl = sizeof(got);
	CHECK_EQ("dgram.recvfrom", recvfrom(rx, buf, sizeof(buf), 0, (void *)&got, &gl), 1);
	wl = path_addr(&want, "tx");
	CHECK("dgram.source", gl == wl && strcmp(got.sun_path, want.sun_path) == 0);
	close(rx);
	close(tx);
	close(dg);
	close(other);

	unlink(in_dir("rx"));
	unlink(in_dir("tx"));
	unlink(in_dir("file"));
	CHECK_OK("cleanup.rmdir", rmdir(dir));
	return conf_done();
}
