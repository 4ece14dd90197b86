/* The CLI end of the control socket (protocol: sentry/control.h). Every
 * call is bounded by a timeout: a dead sentry refuses the connection at
 * once, a stuck one cannot hang the caller. */
#ifndef RUNSC_CTL_CLIENT_H
#define RUNSC_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "runsc/state.h"
#include "sentry/control.h"

#define CTL_TIMEOUT_MS 10000

/* Connects: the fd, or -ECONNREFUSED/-ENOENT when nobody serves it. */
int ctl_connect(const struct container *c);
int ctl_send(int fd, int op, int arg, uint32_t flags, const void *payload, size_t len,
	     const int *fds, int nfds);
/* One message; *payload (may be NULL) gets a malloc'd, NUL-terminated copy
 * of its payload. 0, -ETIMEDOUT, -ECONNRESET (EOF), -EPROTO. timeout_ms
 * -1 waits forever. */
int ctl_recv(int fd, struct ctl_msg *m, char **payload, int timeout_ms);
/* Request and reply in one: returns the reply's status (or a transport
 * error); *arg gets the reply's arg, *msg its message on error. */
int ctl_call(const struct container *c, int op, int arg, uint32_t flags, int *reply_arg,
	     char **msg);

#endif
