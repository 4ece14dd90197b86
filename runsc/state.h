/* Container state on the host: ROOT/ID/, owner-only.
 *
 *   ROOT/ID/lock        flock()ed by every command acting on the container
 *                       (shared for readers); removed last by delete, and a
 *                       waiter that gets the lock of a removed file sees the
 *                       container as gone
 *   ROOT/ID/state.json  written atomically once the sandbox is ready
 *   ROOT/ID/ctl.sock    the sentry's control socket (sentry/control.h)
 *   ROOT/ID/exit        init's wait status, written by the monitor
 *
 * The pid of a container is its monitor (sentry/monitor.c); it is alive
 * while the sandbox is, and its start time guards against pid reuse. A
 * container whose monitor is gone is stopped, whatever state.json says. */
#ifndef RUNSC_STATE_H
#define RUNSC_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "runsc/spec.h"

enum cstatus { ST_CREATED, ST_RUNNING, ST_PAUSED, ST_STOPPED };

struct container {
	char *root, *id, *dir;
	int lock_fd;          /* open while we hold the struct; flock()ed */
	int dir_fd;           /* O_PATH directory */
	bool loaded;          /* state.json read */

	/* state.json */
	char *oci_version;
	char *bundle, *rootfs;
	int64_t created_ns;   /* CLOCK_REALTIME */
	pid_t pid;            /* the monitor */
	uint64_t pid_start;   /* its start time (/proc/PID/stat field 22) */
	pid_t gofer;
	uint64_t gofer_start;
	bool started, paused;
	struct spec_kv *annotations;
	size_t n_annotations;
};

bool container_id_valid(const char *id);
const char *cstatus_name(enum cstatus s);

/* Makes ROOT/ID atomically (a prepared directory renamed into place) with
 * its lock held: -EEXIST if the id is taken. */
int container_create(const char *root, const char *id, struct container **out);
/* Opens ROOT/ID and takes its lock (LOCK_EX or LOCK_SH) and reads
 * state.json. -ENOENT when there is no such container (or only the remains
 * of an aborted create, unless allow_partial). */
int container_open(const char *root, const char *id, int lock_op, bool allow_partial,
		   struct container **out);
int container_save(struct container *c);
int container_lock(struct container *c, int lock_op);  /* again, after unlock */
void container_unlock(struct container *c);
/* Removes the directory and everything in it (lock held). */
void container_destroy(struct container *c);
void container_free(struct container *c);

enum cstatus container_status(const struct container *c);
bool container_alive(const struct container *c);
/* init's wait status as the monitor recorded it; -ENOENT if it left none
 * (killed), -EAGAIN while it runs. */
int container_wait_status(const struct container *c, int *ws);
/* Kills the sandbox (monitor's process group, gofer) with SIGKILL and
 * waits up to timeout_ms for them to be gone. 0, or -ETIMEDOUT. */
int container_kill_all(struct container *c, int timeout_ms);
/* Waits until the monitor exits (pidfd), at most timeout_ms (-1: forever). */
int container_wait_exit(const struct container *c, int timeout_ms);
/* The path of a file in the state dir usable for bind/connect: short
 * enough for sun_path (through /proc/self/fd when the real one is not). */
int container_sock_path(const struct container *c, const char *name, char *buf, size_t len);

/* /proc/PID/stat: start time (field 22) and state letter; -errno. */
int proc_stat(pid_t pid, uint64_t *start, char *state);
/* Writes data to path atomically (temp file + rename). */
int write_file_atomic(const char *path, const char *data, size_t len, int mode);

#endif
