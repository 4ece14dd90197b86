#!/bin/bash
# Shared mappings of a file in the rootfs (goferfs, backed by the host file
# the gofer donates): stores through the mapping are what read(2) returns,
# write(2) shows in the mapping, a forked child's stores reach the parent,
# msync(MS_SYNC) and munmap put the bytes in the host file (checked from
# the host after the sandbox exits), and truncation by open(O_TRUNC) makes
# the mapped pages fault with SIGBUS.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

CC=${CC:-cc}
if [ -z "$SBX_SKIP" ] && ! command -v "$CC" >/dev/null; then
	SBX_SKIP="no C compiler ($CC)"
fi

if [ -z "$SBX_SKIP" ]; then
	cat >"$SBX_WORK/mapfile.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
static sigjmp_buf jb;
static void on_bus(int sig) { siglongjmp(jb, sig); }

int main(int argc, char **argv)
{
	int fd = open(argv[1], O_RDWR);
	if (fd < 0) { perror("open"); return 1; }
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) { perror("mmap"); return 1; }
	char buf[16] = { 0 };
	printf("initial %.5s\n", m);
	memcpy(m + 10, "STORE", 5);
	pread(fd, buf, 5, 10);
	printf("read sees store: %.5s\n", buf);
	pwrite(fd, "WRITE", 5, 20);
	printf("map sees write: %.5s\n", m + 20);
	pid_t pid = fork();
	if (pid == 0) {
		memcpy(m + PG, "CHILD", 5);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	memset(buf, 0, sizeof(buf));
	pread(fd, buf, 5, PG);
	printf("child store: %.5s\n", buf);
	printf("msync %d\n", msync(m, 2 * PG, MS_SYNC));
	memcpy(m + 30, "UNMAP", 5);
	munmap(m, 2 * PG);

	/* Truncation unmaps the pages past the new end. */
	m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	int t = open(argv[2], O_RDWR | O_TRUNC);
	signal(SIGBUS, on_bus);
	int sig = sigsetjmp(jb, 1);
	if (sig == 0) {
		volatile char c = m[0];
		(void)c;
	}
	printf("after O_TRUNC: %s\n", sig == SIGBUS ? "SIGBUS" : "no fault");
	close(t);
	return 0;
}
EOF
	if ! "$CC" -O1 -static -o "$SBX_WORK/mapfile" "$SBX_WORK/mapfile.c" 2>"$SBX_WORK/cc.log"; then
		SBX_SKIP="cannot build the test program: $(tail -n 1 "$SBX_WORK/cc.log")"
	else
		cp "$SBX_WORK/mapfile" "$SBX_ROOTFS/mapfile"
	fi
fi

# The data file: 2 pages, "abcde..." at the start.
data() {
	head -c 8192 /dev/zero | tr '\0' '.' >"$1"
	printf 'abcdefghij' | dd of="$1" conv=notrunc status=none
}

if [ -z "$SBX_SKIP" ]; then
	data "$SBX_ROOTFS/shared.dat"
	data "$SBX_ROOTFS/trunc.dat"
fi
# The host file itself, not the root overlay's in-memory copy of it.
SBX_OPTS=(--overlay=none)
if sbx_begin mmap_rootfs/coherence /mapfile /shared.dat /trunc.dat; then
	expect_rc 0
	expect_out "$(printf '%s\n' 'initial abcde' 'read sees store: STORE' 'map sees write: WRITE' \
		'child store: CHILD' 'msync 0' 'after O_TRUNC: no fault')"
	sbx_end
fi
if [ -z "$SBX_SKIP" ]; then
	got=$(head -c 35 "$SBX_ROOTFS/shared.dat")
	want='abcdefghijSTORE.....WRITE.....UNMAP'
	if [ "$got" = "$want" ]; then
		t_ok mmap_rootfs/host_file_written_back
	else
		t_fail mmap_rootfs/host_file_written_back "host file starts with '$got', expected '$want'"
	fi
	got=$(head -c 5 <(tail -c +4097 "$SBX_ROOTFS/shared.dat"))
	[ "$got" = CHILD ] && t_ok mmap_rootfs/host_child_store ||
		t_fail mmap_rootfs/host_child_store "second page starts with '$got'"
fi

# Truncating the mapped file itself: its pages fault.
if [ -z "$SBX_SKIP" ]; then
	data "$SBX_ROOTFS/shared.dat"
fi
if sbx_begin mmap_rootfs/truncate_mapped /mapfile /shared.dat /shared.dat; then
	expect_rc 0
	expect_out_re 'after O_TRUNC: SIGBUS'
	sbx_end
fi

results_summary
