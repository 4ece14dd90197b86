/* AF_UNIX sockets, entirely inside the sentry: stream, datagram and
 * seqpacket sockets, socketpair, abstract and filesystem addresses,
 * listen/accept/connect, SCM_RIGHTS and SCM_CREDENTIALS, with Linux's
 * buffer accounting, errors and poll events (net/unix/af_unix.c). */
#ifndef SENTRY_FS_UNIX_SOCKET_H
#define SENTRY_FS_UNIX_SOCKET_H

struct socket;
struct task;

/* socket(AF_UNIX, type, protocol) without the file. */
int unix_create(struct task *t, int type, int protocol, struct socket **out);

#endif
