#!/bin/bash
# inotify on gofer-served files (--overlay=none: the rootfs itself at /),
# where every lookup makes a new inode: a watched file's dentry stays
# cached, so the watch still sees the sandbox's changes after the dentry
# cache has been churned through. Changes made on the host are not seen
# (out of scope, as in gVisor) and not tested.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

CC=${CC:-cc}
if [ -z "$SBX_SKIP" ] && ! command -v "$CC" >/dev/null; then
	SBX_SKIP="no C compiler ($CC)"
fi

if [ -z "$SBX_SKIP" ]; then
	cat >"$SBX_WORK/watch.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static int ifd;

static void show(const char *step)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n = read(ifd, buf, sizeof(buf));
	printf("%s:", step);
	for (char *p = buf; n > 0 && p < buf + n;) {
		struct inotify_event *e = (struct inotify_event *)p;
		printf(" wd%d/%x%s%s", e->wd, e->mask, e->len ? "/" : "", e->len ? e->name : "");
		p += sizeof(*e) + e->len;
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	char name[64];
	struct stat st;

	ifd = inotify_init1(IN_NONBLOCK);
	printf("wd %d\n", inotify_add_watch(ifd, "/data/file", IN_OPEN | IN_MODIFY | IN_ATTRIB));
	printf("wd %d\n", inotify_add_watch(ifd, "/data", IN_CREATE | IN_DELETE));
	/* More than the dentry cache keeps unused. */
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "/data/missing%d", i);
		stat(name, &st);
		snprintf(name, sizeof(name), "/etc/missing%d", i);
		stat(name, &st);
	}
	int fd = open("/data/file", O_WRONLY | O_APPEND);
	write(fd, "more\n", 5);
	close(fd);
	show("write");
	chmod("/data/file", 0600);
	show("chmod");
	close(open("/data/new", O_CREAT | O_WRONLY, 0644));
	unlink("/data/new");
	show("create");
	return 0;
}
EOF
	if ! "$CC" -O1 -static -o "$SBX_WORK/watch" "$SBX_WORK/watch.c" 2>"$SBX_WORK/cc.log"; then
		SBX_SKIP="cannot build the test program: $(tail -n 1 "$SBX_WORK/cc.log")"
	else
		cp "$SBX_WORK/watch" "$SBX_ROOTFS/watch"
		mkdir -p "$SBX_ROOTFS/data"
		echo data >"$SBX_ROOTFS/data/file"
	fi
fi

SBX_OPTS=(--overlay=none)
if sbx_begin inotify_gofer/watch_survives_dcache /watch; then
	expect_rc 0
	expect_out "$(printf '%s\n' 'wd 1' 'wd 2' 'write: wd1/20 wd1/2' 'chmod: wd1/4' \
		'create: wd2/100/new wd2/200/new')"
	sbx_end
fi
if [ -z "$SBX_SKIP" ]; then
	if [ "$(cat "$SBX_ROOTFS/data/file")" = "$(printf 'data\nmore')" ]; then
		t_ok inotify_gofer/host_file_written
	else
		t_fail inotify_gofer/host_file_written "host file: $(cat "$SBX_ROOTFS/data/file")"
	fi
fi

results_summary
