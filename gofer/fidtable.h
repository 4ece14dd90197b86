/* The gofer's fid table: what each fid the sentry holds names on the host. */
#ifndef GOFER_FIDTABLE_H
#define GOFER_FIDTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Another name of a fid's file, made through LINK: the sentry gives all
 * the names it links one inode, and so one fid, so when the walked name is
 * removed or renamed away the file is reopened through these. */
struct gofer_fid_name {
	int parent_fd;   /* O_PATH dup of the directory */
	char *name;
	dev_t parent_dev;
	ino_t parent_ino;
	struct gofer_fid_name *next;
};

/* Names kept per fid beyond the walked one (each holds an fd). */
#define GOFER_FID_ALIASES_MAX 8

struct gofer_fid {
	int fd;          /* O_PATH|O_NOFOLLOW: the file itself, never followed */
	/* Non-directories are reopened by name under their parent (an O_PATH
	 * fd cannot be reopened without /proc, which the gofer does not have);
	 * directories reopen themselves as ".", so they keep no parent. */
	int parent_fd;   /* O_PATH dup of the parent, or -1 */
	char *name;      /* component under parent_fd, or NULL */
	mode_t mode;     /* S_IFMT of the file when walked (cannot change) */
	dev_t dev;       /* identity, checked again after every reopen */
	ino_t ino;
	int dir_fd;      /* O_RDONLY directory kept open by READDIR, or -1 */
	uint32_t mount;  /* the ATTACH mount index it was reached from */
	bool readonly;   /* its mount is read-only: writes get EROFS */
	dev_t parent_dev; /* identity of parent_fd's directory (RENAME fix-ups) */
	ino_t parent_ino;
	struct gofer_fid_name *aliases; /* more names (LINK), newest first */
	unsigned int naliases;
};

struct gofer_fidtable {
	struct gofer_fid **slots;
	uint32_t cap;    /* slots allocated */
	uint32_t hint;   /* no free slot below this index */
	uint32_t count;
};

void gofer_fidtable_init(struct gofer_fidtable *t);
/* Calls fn for every fid in use. */
void gofer_fidtable_for_each(struct gofer_fidtable *t, void (*fn)(struct gofer_fid *f, void *arg),
			     void *arg);
/* Closes every fid. */
void gofer_fidtable_destroy(struct gofer_fidtable *t);
/* Takes ownership of f; -ENFILE when GOFER_FID_MAX fids are in use. */
int gofer_fidtable_insert(struct gofer_fidtable *t, struct gofer_fid *f, uint32_t *fid);
struct gofer_fid *gofer_fidtable_lookup(struct gofer_fidtable *t, uint32_t fid);
/* 0, or -EBADF for a fid not in use. */
int gofer_fidtable_remove(struct gofer_fidtable *t, uint32_t fid);

struct gofer_fid *gofer_fid_new(void); /* all fds -1 */
void gofer_fid_free(struct gofer_fid *f);

#endif
