/* /proc/sys: the sysctls a workload commonly reads, with the sandbox's
 * values. Only what Linux lets a container change is writable: the UTS
 * namespace's hostname and domainname and the IPC namespace's POSIX
 * message queue limits (fs/mqueue). The rest is read-only (mode 0444:
 * opening for writing fails with EACCES even for root, as Linux's
 * test_perm() ignores capabilities). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "runsc/util.h"
#include "sentry/fs/inotify.h"
#include "sentry/fs/mqueue.h"
#include "sentry/fs/pipe.h"
#include "sentry/fs/procfs.h"

static int show_text(struct sbuf *out, const char *s)
{
	sbuf_printf(out, "%s\n", s);
	return 0;
}

static int show_long(struct sbuf *out, long long v)
{
	sbuf_printf(out, "%lld\n", v);
	return 0;
}

/* ---- kernel ---- */

static int show_hostname(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_text(out, kernel->hostname);
}

static int show_domainname(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_text(out, kernel->domainname);
}

/* proc_dostring(): the value is what precedes the first newline or NUL,
 * cut to the field's size; the whole write is consumed. */
static ssize_t write_uts(char *field, size_t size, const char *buf, size_t len)
{
	size_t n = 0;

	while (n < len && n < size - 1 && buf[n] != '\n' && buf[n] != '\0')
		n++;
	memset(field, 0, size);
	memcpy(field, buf, n);
	return (ssize_t)len;
}

static ssize_t write_hostname(struct task *t, struct pfs_inode *pi, const char *buf, size_t len)
{
	return write_uts(kernel->hostname, sizeof(kernel->hostname), buf, len);
}

static ssize_t write_domainname(struct task *t, struct pfs_inode *pi, const char *buf, size_t len)
{
	return write_uts(kernel->domainname, sizeof(kernel->domainname), buf, len);
}

static int show_osrelease(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_text(out, SANDBOX_UTS_RELEASE);
}

static int show_ostype(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_text(out, SANDBOX_UTS_SYSNAME);
}

static int show_version(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_text(out, SANDBOX_UTS_VERSION);
}

static int show_pid_max(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, SANDBOX_PID_MAX);
}

/* setgroups(2)'s limit (syscalls/sys_info.c). */
static int show_ngroups_max(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, 65536);
}

static int show_cap_last_cap(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, CAP_LAST_CAP);
}

static int show_overflowid(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, 65534);
}

static void put_uuid(struct sbuf *out, const uint8_t u[16])
{
	sbuf_printf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n", u[0], u[1],
		    u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* A random (version 4) UUID. */
static int make_uuid(uint8_t u[16])
{
	if (getrandom(u, 16, 0) != 16)
		return -EIO;
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	return 0;
}

static int show_boot_id(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	static uint8_t boot_id[16];
	static bool made;

	if (!made) {
		int rc = make_uuid(boot_id);

		if (rc < 0)
			return rc;
		made = true;
	}
	put_uuid(out, boot_id);
	return 0;
}

static int show_uuid(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	uint8_t u[16];
	int rc = make_uuid(u);

	if (rc < 0)
		return rc;
	put_uuid(out, u);
	return 0;
}

/* The sandbox's randomness is the host's getrandom(2): never short. */
static int show_entropy_avail(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, 256);
}

static int show_poolsize(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, 256);
}

/* ---- vm, fs, net ---- */

/* Address-space reservations are never refused for want of memory:
 * the heuristic mode, 0. */
static int show_overcommit_memory(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, 0);
}

static int show_mmap_min_addr(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, APP_MIN_ADDR);
}

/* No system-wide limit on open files: LONG_MAX, what Linux shows for
 * one. */
static int show_file_max(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, 9223372036854775807LL);
}

/* The ceiling of RLIMIT_NOFILE (sentry/fdtable.c). */
static int show_nr_open(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, 1048576);
}

static int show_inotify_max_queued_events(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, INOTIFY_MAX_QUEUED_EVENTS);
}

static int show_inotify_max_user_instances(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, INOTIFY_MAX_USER_INSTANCES);
}

static int show_inotify_max_user_watches(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, INOTIFY_MAX_USER_WATCHES);
}

static int show_pipe_max_size(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, PIPE_MAX_SIZE);
}

static int show_somaxconn(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, SOMAXCONN);
}

/* ---- fs/mqueue (the IPC namespace's, sentry/fs/mqueue.c) ---- */

/* proc_dointvec_minmax() for one int: optional blanks, a decimal number,
 * then only blanks; out of [min, max] is EINVAL and changes nothing. */
static ssize_t write_int(int *field, long min, long max, const char *buf, size_t len)
{
	char tmp[32], *end;
	size_t i = 0, n;
	long v;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n'))
		i++;
	n = len - i;
	if (!n || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf + i, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtol(tmp, &end, 10);
	if (end == tmp || errno || (*end && !strchr(" \t\n", *end)))
		return -EINVAL;
	for (; *end; end++) {
		if (!strchr(" \t\n", *end))
			return -EINVAL;
	}
	if (v < min || v > max)
		return -EINVAL;
	*field = (int)v;
	return (ssize_t)len;
}

static int show_mq_queues_max(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, mq_limits.queues_max);
}

static int show_mq_msg_max(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, mq_limits.msg_max);
}

static int show_mq_msgsize_max(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, mq_limits.msgsize_max);
}

static int show_mq_msg_default(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, mq_limits.msg_default);
}

static int show_mq_msgsize_default(struct task *r, struct pfs_inode *pi, struct sbuf *out)
{
	return show_long(out, mq_limits.msgsize_default);
}

/* queues_max is a plain proc_dointvec: any int. */
static ssize_t write_mq_queues_max(struct task *t, struct pfs_inode *pi, const char *buf, size_t len)
{
	return write_int(&mq_limits.queues_max, INT32_MIN, INT32_MAX, buf, len);
}

static ssize_t write_mq_msg_max(struct task *t, struct pfs_inode *pi, const char *buf, size_t len)
{
	return write_int(&mq_limits.msg_max, MQ_MIN_MSGMAX, MQ_HARD_MSGMAX, buf, len);
}

static ssize_t write_mq_msgsize_max(struct task *t, struct pfs_inode *pi, const char *buf, size_t len)
{
	return write_int(&mq_limits.msgsize_max, MQ_MIN_MSGSIZEMAX, MQ_HARD_MSGSIZEMAX, buf, len);
}

static ssize_t write_mq_msg_default(struct task *t, struct pfs_inode *pi, const char *buf, size_t len)
{
	return write_int(&mq_limits.msg_default, MQ_MIN_MSGMAX, MQ_HARD_MSGMAX, buf, len);
}

static ssize_t write_mq_msgsize_default(struct task *t, struct pfs_inode *pi, const char *buf,
					size_t len)
{
	return write_int(&mq_limits.msgsize_default, MQ_MIN_MSGSIZEMAX, MQ_HARD_MSGSIZEMAX, buf, len);
}

#define RO(n, fn) { .name = n, .mode = S_IFREG | 0444, .flags = PFS_SYSCTL, .show = fn }
#define RW(n, fn, wfn) { .name = n, .mode = S_IFREG | 0644, .flags = PFS_SYSCTL, .show = fn, .write = wfn }
#define DIR(n, c) { .name = n, .mode = S_IFDIR | 0555, .children = c }

static const struct pfs_entry random_entries[] = {
	RO("boot_id", show_boot_id),
	RO("entropy_avail", show_entropy_avail),
	RO("poolsize", show_poolsize),
	RO("uuid", show_uuid),
	{ 0 },
};

static const struct pfs_entry kernel_entries[] = {
	RO("cap_last_cap", show_cap_last_cap),
	RW("domainname", show_domainname, write_domainname),
	RW("hostname", show_hostname, write_hostname),
	RO("ngroups_max", show_ngroups_max),
	RO("osrelease", show_osrelease),
	RO("ostype", show_ostype),
	RO("overflowgid", show_overflowid),
	RO("overflowuid", show_overflowid),
	RO("pid_max", show_pid_max),
	DIR("random", random_entries),
	RO("version", show_version),
	{ 0 },
};

static const struct pfs_entry vm_entries[] = {
	RO("mmap_min_addr", show_mmap_min_addr),
	RO("overcommit_memory", show_overcommit_memory),
	{ 0 },
};

static const struct pfs_entry inotify_entries[] = {
	RO("max_queued_events", show_inotify_max_queued_events),
	RO("max_user_instances", show_inotify_max_user_instances),
	RO("max_user_watches", show_inotify_max_user_watches),
	{ 0 },
};

/* In Linux's registration order. */
static const struct pfs_entry mqueue_entries[] = {
	RW("queues_max", show_mq_queues_max, write_mq_queues_max),
	RW("msg_max", show_mq_msg_max, write_mq_msg_max),
	RW("msgsize_max", show_mq_msgsize_max, write_mq_msgsize_max),
	RW("msg_default", show_mq_msg_default, write_mq_msg_default),
	RW("msgsize_default", show_mq_msgsize_default, write_mq_msgsize_default),
	{ 0 },
};

static const struct pfs_entry fs_entries[] = {
	RO("file-max", show_file_max),
	DIR("inotify", inotify_entries),
	DIR("mqueue", mqueue_entries),
	RO("nr_open", show_nr_open),
	RO("pipe-max-size", show_pipe_max_size),
	{ 0 },
};

static const struct pfs_entry net_core_entries[] = {
	RO("somaxconn", show_somaxconn),
	{ 0 },
};

static const struct pfs_entry net_entries[] = {
	DIR("core", net_core_entries),
	{ 0 },
};

const struct pfs_entry procfs_sys_entries[] = {
	DIR("fs", fs_entries),
	DIR("kernel", kernel_entries),
	DIR("net", net_entries),
	DIR("vm", vm_entries),
	{ 0 },
};
