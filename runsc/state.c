#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "runsc/jsonw.h"
#include "runsc/log.h"
#include "runsc/state.h"
#include "runsc/util.h"

bool container_id_valid(const char *id)
{
	const char *p;

	/* runc's ^[\w+-\.]+$ ("+-\." is the range '+'..'.', so ',' too), and
	 * never "." or "..": the id names a directory under the root. */
	if (!*id || !strcmp(id, ".") || !strcmp(id, ".."))
		return false;
	for (p = id; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || (c >= '+' && c <= '.')))
			return false;
	}
	return true;
}

const char *cstatus_name(enum cstatus s)
{
	switch (s) {
	case ST_CREATED:
		return "created";
	case ST_RUNNING:
		return "running";
	case ST_PAUSED:
		return "paused";
	case ST_STOPPED:
		break;
	}
	return "stopped";
}

int write_file_atomic(const char *path, const char *data, size_t len, int mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r == 0 && close(steal_fd(&fd)) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int proc_stat(pid_t pid, uint64_t *start, char *state)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	/* comm may hold anything, ')' included: the fields start after the
	 * last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -EIO;
	p += 2;
	if (state)
		*state = *p;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return -EIO;
	if (start)
		*start = strtoull(p, NULL, 10);
	return 0;
}

/* ---- creation, locking ---- */

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *buf = xstrdup(path);
	char *p;

	for (p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = saved;
		if (!saved)
			break;
		while (p[1] == '/')
			p++;
	}
	return 0;
}

static void rm_dir_contents(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;

	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno == EISDIR) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				rm_dir_contents(sub);
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		}
	}
	closedir(d);
}

/* Removes dir recursively. A command waiting for the lock gets it once we
 * close ours and finds the lock file unlinked (lock_fd_checked). */
static void rm_tree(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0)
		rm_dir_contents(fd);
	if (rmdir(dir) < 0 && errno != ENOENT)
		log_warn("remove %s: %s", dir, strerror(errno));
}

static struct container *container_new(const char *root, const char *id)
{
	struct container *c = xzalloc(sizeof(*c));

	c->root = xstrdup(root);
	c->id = xstrdup(id);
	if (asprintf(&c->dir, "%s/%s", root, id) < 0)
		c->dir = xstrdup("");
	c->lock_fd = -1;
	c->dir_fd = -1;
	return c;
}

static int lock_fd_checked(int fd, int lock_op)
{
	struct stat st;

	while (lock_op && flock(fd, lock_op) < 0)
		if (errno != EINTR)
			return -errno;
	/* delete unlinks the lock file while holding it: whoever gets the lock
	 * afterwards holds the lock of a container that is gone. */
	if (fstat(fd, &st) < 0)
		return -errno;
	return st.st_nlink == 0 ? -ENOENT : 0;
}

int container_create(const char *root, const char *id, struct container **out)
{
	_cleanup_free_ char *tmp = NULL, *lock = NULL;
	struct container *c;
	int r, fd;

	*out = NULL;
	r = mkdir_p(root, 0700);
	if (r < 0) {
		log_error("create root directory %s: %s", root, strerror(-r));
		return r;
	}
	/* '~' is not valid in an id: a prepared directory is never listed. */
	if (asprintf(&tmp, "%s/~new.XXXXXX", root) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	if (!mkdtemp(tmp)) {
		r = -errno;
		log_error("create state directory in %s: %s", root, strerror(-r));
		return r;
	}
	chmod(tmp, 0700);
	if (asprintf(&lock, "%s/lock", tmp) < 0) {
		lock = NULL;
		rmdir(tmp);
		return -ENOMEM;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		unlink(lock);
		rmdir(tmp);
		log_error("create lock file: %s", strerror(-r));
		return r;
	}
	c = container_new(root, id);
	c->lock_fd = fd;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, c->dir, RENAME_NOREPLACE) < 0) {
		r = -errno;
		unlink(lock);
		rmdir(tmp);
		container_free(c);
		if (r == -EEXIST || r == -ENOTEMPTY) {
			log_error("container with given ID already exists: %s", id);
			return -EEXIST;
		}
		log_error("create state directory %s/%s: %s", root, id, strerror(-r));
		return r;
	}
	c->dir_fd = open(c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->dir_fd < 0) {
		r = -errno;
		container_destroy(c);
		container_free(c);
		return r;
	}
	*out = c;
	return 0;
}

/* ---- state.json ---- */

static const char *str_at(yajl_val doc, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(doc, path, yajl_t_string);
	return v ? YAJL_GET_STRING(v) : NULL;
}

static int64_t int_at(yajl_val doc, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(doc, path, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static uint64_t uint_at(yajl_val doc, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(doc, path, yajl_t_number);
	/* Start times fit in int64 (clock ticks since boot). */
	return v && YAJL_IS_INTEGER(v) ? (uint64_t)YAJL_GET_INTEGER(v) : 0;
}

static bool bool_at(yajl_val doc, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(doc, path, yajl_t_any);
	return v && YAJL_IS_TRUE(v);
}

static char *dup_or_empty(const char *s) { return xstrdup(s ? s : ""); }

static int state_load(struct container *c)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	_cleanup_close_ int fd = -1;
	char err[256];
	yajl_val doc, ann;
	int r;

	if (asprintf(&path, "%s/state.json", c->dir) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read_all_fd(fd, &buf, NULL);
	if (r < 0)
		return r;
	doc = yajl_tree_parse(buf, err, sizeof(err));
	if (!doc || !YAJL_IS_OBJECT(doc)) {
		yajl_tree_free(doc);
		log_error("%s: corrupt", path);
		return -EINVAL;
	}
	c->oci_version = dup_or_empty(str_at(doc, "ociVersion"));
	c->bundle = dup_or_empty(str_at(doc, "bundle"));
	c->rootfs = dup_or_empty(str_at(doc, "rootfs"));
	c->created_ns = int_at(doc, "createdNs");
	c->pid = (pid_t)int_at(doc, "pid");
	c->pid_start = uint_at(doc, "pidStartTime");
	c->gofer = (pid_t)int_at(doc, "goferPid");
	c->gofer_start = uint_at(doc, "goferStartTime");
	c->started = bool_at(doc, "started");
	c->paused = bool_at(doc, "paused");
	{
		const char *p[] = { "annotations", NULL };
		ann = yajl_tree_get(doc, p, yajl_t_object);
	}
	if (ann && YAJL_GET_OBJECT(ann)->len) {
		size_t n = YAJL_GET_OBJECT(ann)->len, i, k = 0;

		c->annotations = xzalloc(n * sizeof(*c->annotations));
		for (i = 0; i < n; i++) {
			yajl_val v = YAJL_GET_OBJECT(ann)->values[i];
			if (!YAJL_IS_STRING(v))
				continue;
			c->annotations[k].key = xstrdup(YAJL_GET_OBJECT(ann)->keys[i]);
			c->annotations[k].value = xstrdup(YAJL_GET_STRING(v));
			k++;
		}
		c->n_annotations = k;
	}
	yajl_tree_free(doc);
	c->loaded = true;
	return 0;
}

int container_save(struct container *c)
{
	_cleanup_free_ char *path = NULL;
	struct jsonw w = JSONW_INIT("");
	char created[64];
	size_t i;
	int r;

	if (asprintf(&path, "%s/state.json", c->dir) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	format_rfc3339nano(c->created_ns, created, sizeof(created));
	jw_obj_open(&w);
	jw_key(&w, "ociVersion");
	jw_str(&w, c->oci_version);
	jw_key(&w, "id");
	jw_str(&w, c->id);
	jw_key(&w, "pid");
	jw_int(&w, c->pid);
	jw_key(&w, "status");
	jw_str(&w, cstatus_name(container_status(c)));
	jw_key(&w, "bundle");
	jw_str(&w, c->bundle);
	jw_key(&w, "rootfs");
	jw_str(&w, c->rootfs);
	jw_key(&w, "created");
	jw_str(&w, created);
	jw_key(&w, "createdNs");
	jw_int(&w, c->created_ns);
	jw_key(&w, "pidStartTime");
	jw_uint(&w, c->pid_start);
	jw_key(&w, "goferPid");
	jw_int(&w, c->gofer);
	jw_key(&w, "goferStartTime");
	jw_uint(&w, c->gofer_start);
	jw_key(&w, "started");
	jw_bool(&w, c->started);
	jw_key(&w, "paused");
	jw_bool(&w, c->paused);
	jw_key(&w, "annotations");
	jw_obj_open(&w);
	for (i = 0; i < c->n_annotations; i++) {
		jw_key(&w, c->annotations[i].key);
		jw_str(&w, c->annotations[i].value);
	}
	jw_obj_close(&w);
	jw_obj_close(&w);
	jw_raw(&w, "\n");
	r = write_file_atomic(path, w.buf, w.len, 0600);
	jw_free(&w);
	if (r < 0)
		log_error("write %s: %s", path, strerror(-r));
	else
		c->loaded = true;
	return r;
}

int container_open(const char *root, const char *id, int lock_op, bool allow_partial,
		   struct container **out)
{
	_cleanup_free_ char *lock = NULL;
	struct container *c;
	int r;

	*out = NULL;
	if (!container_id_valid(id))
		return -ENOENT;
	c = container_new(root, id);
	if (asprintf(&lock, "%s/lock", c->dir) < 0) {
		lock = NULL;
		container_free(c);
		return -ENOMEM;
	}
	c->lock_fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (c->lock_fd < 0) {
		r = errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
		/* A directory without a lock is not ours to judge... unless the
		 * caller cleans up remains. */
		if (r == -ENOENT && allow_partial && access(c->dir, F_OK) == 0) {
			*out = c;
			return 0;
		}
		container_free(c);
		return r;
	}
	r = lock_fd_checked(c->lock_fd, lock_op);
	if (r < 0) {
		container_free(c);
		return r;
	}
	c->dir_fd = open(c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->dir_fd < 0) {
		r = -errno;
		container_free(c);
		return r == -ENOTDIR ? -ENOENT : r;
	}
	r = state_load(c);
	if (r < 0 && !(allow_partial && r == -ENOENT)) {
		container_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int container_lock(struct container *c, int lock_op)
{
	if (c->lock_fd < 0)
		return -ENOENT;
	return lock_fd_checked(c->lock_fd, lock_op);
}

void container_unlock(struct container *c)
{
	if (c->lock_fd >= 0)
		flock(c->lock_fd, LOCK_UN);
}

void container_destroy(struct container *c)
{
	rm_tree(c->dir);
}

void container_free(struct container *c)
{
	size_t i;

	if (!c)
		return;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	for (i = 0; i < c->n_annotations; i++) {
		free(c->annotations[i].key);
		free(c->annotations[i].value);
	}
	free(c->annotations);
	free(c->oci_version);
	free(c->bundle);
	free(c->rootfs);
	free(c->root);
	free(c->id);
	free(c->dir);
	free(c);
}

/* ---- liveness ---- */

static bool proc_alive(pid_t pid, uint64_t start)
{
	uint64_t st;
	char state;

	if (pid <= 0 || proc_stat(pid, &st, &state) < 0)
		return false;
	return st == start && state != 'Z' && state != 'X';
}

bool container_alive(const struct container *c)
{
	return c->loaded && proc_alive(c->pid, c->pid_start);
}

enum cstatus container_status(const struct container *c)
{
	if (!container_alive(c))
		return ST_STOPPED;
	if (c->paused)
		return ST_PAUSED;
	return c->started ? ST_RUNNING : ST_CREATED;
}

int container_wait_status(const struct container *c, int *ws)
{
	char buf[32];
	int fd, n;

	if (container_alive(c))
		return -EAGAIN;
	fd = openat(c->dir_fd, "exit", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	*ws = atoi(buf);
	return 0;
}

/* Waits for a process to be gone (a zombie counts) through a pidfd. */
static int wait_gone(pid_t pid, uint64_t start, int timeout_ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p;
	int r;

	if (fd < 0)
		return 0; /* already gone */
	/* The pidfd names the process we checked only if it still has that
	 * start time: a recycled pid is not ours to wait for. */
	if (!proc_alive(pid, start)) {
		close(fd);
		return 0;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	close(fd);
	return r > 0 ? 0 : -ETIMEDOUT;
}

int container_wait_exit(const struct container *c, int timeout_ms)
{
	if (!c->loaded)
		return 0;
	return wait_gone(c->pid, c->pid_start, timeout_ms);
}

int container_kill_all(struct container *c, int timeout_ms)
{
	int r = 0;

	if (c->loaded && proc_alive(c->pid, c->pid_start)) {
		/* The monitor leads a process group with the sentry and the
		 * stubs; the group cannot be recycled while the monitor lives. */
		kill(-c->pid, SIGKILL);
		kill(c->pid, SIGKILL);
		r = wait_gone(c->pid, c->pid_start, timeout_ms);
	}
	if (c->loaded && proc_alive(c->gofer, c->gofer_start)) {
		kill(-c->gofer, SIGKILL);
		kill(c->gofer, SIGKILL);
		if (wait_gone(c->gofer, c->gofer_start, timeout_ms) < 0)
			r = -ETIMEDOUT;
	}
	return r;
}

int container_sock_path(const struct container *c, const char *name, char *buf, size_t len)
{
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);
	int n = snprintf(buf, len, "%s/%s", c->dir, name);

	if (n > 0 && (size_t)n < max && (size_t)n < len)
		return 0;
	n = snprintf(buf, len, "/proc/self/fd/%d/%s", c->dir_fd, name);
	return n > 0 && (size_t)n < max && (size_t)n < len ? 0 : -ENAMETOOLONG;
}
