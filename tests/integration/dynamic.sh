#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# Dynamically linked executables: the ELF loader's PT_INTERP path (ld.so
# loaded at its own base, AT_BASE, entry through the interpreter), shared
# libraries mapped from the rootfs by ld.so (file-backed mmap, private and
# copy-on-write), dlopen at run time, fork and exec of a dynamic program.
# The host's programs and their libraries (ldd) are copied into a busybox
# bundle, and each run is compared with the same command run natively.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

CC=${CC:-cc}
if [ -z "$SBX_SKIP" ] && ! command -v "$CC" >/dev/null; then
	SBX_SKIP="no C compiler ($CC)"
fi

# add_with_libs HOSTPATH ROOTFS_PATH: the program and everything ldd lists.
add_with_libs() {
	local src=$1 dst=$2 lib
	mkdir -p "$SBX_ROOTFS/$(dirname "$dst")"
	cp -L "$src" "$SBX_ROOTFS/$dst"
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
		mkdir -p "$SBX_ROOTFS/$(dirname "$lib")"
		[ -e "$SBX_ROOTFS/$lib" ] || cp -L "$lib" "$SBX_ROOTFS/$lib"
	done
}

PROG=$SBX_WORK/dynprog
if [ -z "$SBX_SKIP" ]; then
	cat >"$SBX_WORK/dynprog.c" <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		printf("child: %s\n", argc > 2 ? argv[2] : "-");
		return 3;
	}
	printf("hello from a dynamic executable\n");
	int v[] = { 5, 3, 9, 1, 7 };
	qsort(v, 5, sizeof(int), cmp);
	printf("sorted: %d %d %d %d %d\n", v[0], v[1], v[2], v[3], v[4]);
	/* malloc's mmap threshold: an anonymous mapping, then munmap. */
	char *big = malloc(8 << 20);
	memset(big, 'x', 8 << 20);
	printf("big: %c\n", big[(8 << 20) - 1]);
	free(big);
	/* A library loaded at run time: ld.so maps it like at startup. */
	void *h = dlopen("libm.so.6", RTLD_NOW);
	double (*cosine)(double) = h ? (double (*)(double))dlsym(h, "cos") : NULL;
	printf("dlopen: %s cos(0) = %.1f\n", h ? "ok" : "failed", cosine ? cosine(0.0) : -1.0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl(argv[0], argv[0], "child", "exec", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child exit %d\n", WEXITSTATUS(st));
	return 0;
}
EOF
	if ! "$CC" -O1 -o "$PROG" "$SBX_WORK/dynprog.c" -ldl 2>"$SBX_WORK/cc.log"; then
		SBX_SKIP="cannot build the test program: $(tail -n 1 "$SBX_WORK/cc.log")"
	elif ! ldd "$PROG" >/dev/null 2>&1; then
		SBX_SKIP="the test program is not dynamically linked"
	else
		add_with_libs "$PROG" /dynprog
		# dlopen'ed at run time, so ldd does not list it.
		libm=$(ldconfig -p 2>/dev/null | awk '/libm\.so\.6 .*x86-64/ { print $NF; exit }')
		[ -n "$libm" ] && add_with_libs "$libm" "$libm"
		add_with_libs /bin/bash /opt/bin/bash
		add_with_libs "$(command -v sha256sum)" /opt/bin/sha256sum
		add_with_libs "$(command -v sort)" /opt/bin/sort
	fi
fi

# native ARGS...: the same command on the host, with the rootfs copy of a
# program at its place in the rootfs (compared output must not depend on
# where the program lives, so the programs print no paths).
native() {
	(cd / && env -i PATH=/usr/bin:/bin "$@") 2>&1
}

if sbx_begin dynamic/program /dynprog; then
	expect_rc 0
	expect_out "$(cd "$SBX_WORK" && native "$PROG")"
	sbx_end
fi

# ld.so run as the program (ET_DYN without PT_INTERP), loading another.
LDSO=$(ldd "$PROG" 2>/dev/null | awk '/ld-linux/ { print $1; exit }')
if sbx_begin dynamic/ld_so_as_program "$LDSO" /dynprog child direct; then
	expect_rc 3
	expect_out "child: direct"
	sbx_end
fi

SCRIPT='for i in 1 2 3; do echo $((i * i)); done; x=$(echo subshell); echo "$x"; f() { echo "args $#"; }; f a b c; echo done | { read -r w; echo "read $w"; }'
if sbx_begin dynamic/bash /opt/bin/bash -c "$SCRIPT"; then
	expect_rc 0
	expect_out "$(native /bin/bash -c "$SCRIPT")"
	sbx_end
fi

if sbx_begin dynamic/sha256sum /opt/bin/sha256sum /dynprog; then
	expect_rc 0
	expect_out "$(cd "$SBX_ROOTFS" && sha256sum dynprog | sed 's| dynprog$| /dynprog|')"
	sbx_end
fi

if sbx_begin dynamic/sort_pipeline sh -c 'seq 1 2000 | /opt/bin/sort -n -r | head -3'; then
	expect_rc 0
	expect_out "$(printf '2000\n1999\n1998')"
	sbx_end
fi

results_summary
