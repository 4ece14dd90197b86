/* The control socket: how later CLI commands (start, kill, exec, ps,
 * pause, resume, events) reach a running sentry.
 *
 * The CLI creates a listening SOCK_SEQPACKET unix socket in the
 * container's state directory (owner-only) and hands it to the sentry,
 * which serves it from its event loop (kernel_add_fd_handler): accept and
 * every read and write are non-blocking, so a slow or stuck client never
 * holds the sandbox up.
 *
 * One message per packet: a struct ctl_msg header, then `len` payload
 * bytes. Every request gets one reply with the same op (status 0 or
 * -errno; on error the payload may carry a message). Both ends are the same
 * binary; magic and version catch a CLI talking to a sentry of another
 * build.
 *
 *   START              init, held since create, starts running
 *   KILL arg=sig       signal to init (flags CTL_F_ALL: every process),
 *                      sent as from outside the sandbox (SI_USER, pid 0);
 *                      a held init dies of any default-fatal signal
 *   PS                 reply: struct ctl_proc records, in packets of at
 *                      most CTL_PS_CHUNK; all but the last carry CTL_F_MORE
 *   EXEC payload=process JSON (OCI process object), fds 0-2 (and
 *                      preserved fds) by SCM_RIGHTS; reply arg = its pid.
 *                      The connection then belongs to that process: SIGNAL
 *                      requests (arg=sig, no reply) go to it, and an EXIT
 *                      message (arg = wait status) comes when it ends.
 *                      CTL_F_DETACHED: if the connection hangs up first the
 *                      process is killed (the waiter holding it was the
 *                      process's host stand-in).
 *                      With "terminal": true, fd 0 is the slave of a host
 *                      pty (the CLI gave its master to the client): the
 *                      process gets a sandbox pty of its own on fds 0-2,
 *                      bridged to it (fds 1-2 as sent are not used).
 *   PAUSE / RESUME     freeze or thaw every task; PAUSE replies once no
 *                      task runs application code
 *   STATS              reply: struct ctl_stats
 */
#ifndef SENTRY_CONTROL_H
#define SENTRY_CONTROL_H

#include <stdint.h>

struct kernel;
struct task;

#define CTL_MAGIC 0x43584253u /* "SBXC" */
#define CTL_VERSION 1
#define CTL_MAX_MSG (1u << 20)
#define CTL_MAX_FDS 64
#define CTL_PS_CHUNK 64
#define CTL_SOCK_NAME "ctl.sock"

enum ctl_op {
	CTL_START = 1,
	CTL_KILL,
	CTL_PS,
	CTL_EXEC,
	CTL_SIGNAL,
	CTL_EXIT,
	CTL_PAUSE,
	CTL_RESUME,
	CTL_STATS,
};

#define CTL_F_ALL 0x1
#define CTL_F_DETACHED 0x2
#define CTL_F_MORE 0x4

struct ctl_msg {
	uint32_t magic;
	uint16_t version;
	uint16_t op;
	int32_t status;
	int32_t arg;
	uint32_t flags;
	uint32_t len;
};

#define CTL_CMD_LEN 240

struct ctl_proc {
	int32_t pid, ppid;
	uint32_t uid;
	int32_t nr_threads;
	char state;              /* R S T Z as in /proc/PID/stat */
	char pad[3];
	int64_t start_real_ns;   /* CLOCK_REALTIME of the process's start */
	uint64_t cpu_ns;         /* user + system */
	char comm[16];
	char cmd[CTL_CMD_LEN];   /* argv joined by spaces, NUL-terminated */
};

struct ctl_stats {
	uint64_t cpu_user_ns, cpu_system_ns;
	uint64_t mem_usage;      /* bytes of application memory in use */
	uint32_t nr_tasks;       /* threads */
	uint32_t nr_procs;
	int64_t boot_real_ns;
};

/* Starts serving listen_fd (a listening SOCK_SEQPACKET socket). init is
 * the container's init: held (loaded, not yet runnable) when hold is true
 * until a START request. */
int control_init(struct kernel *k, int listen_fd, struct task *init, int hold);

#endif
