/* The gofer's request loop, separate from the sandboxing around it so the
 * unit tests can serve a plain directory. */
#ifndef GOFER_SERVER_H
#define GOFER_SERVER_H

#define GOFER_SERVE_READONLY 0x1u  /* refuse every write (EROFS) */

/* Serves gofer requests arriving on sock_fd (SOCK_SEQPACKET) for the tree
 * under root_fd (a directory fd, O_PATH or not; it is duplicated, not
 * taken) until the peer closes: returns 0 then, or -errno if the socket
 * fails. Malformed requests get an error reply, never a crash. Does no
 * sandboxing of its own: gofer_main() confines the process first. */
int gofer_serve(int sock_fd, int root_fd, unsigned int flags);

#endif
