# Shared by the Debian rootfs suites (tests/integration/debian*.sh;
# sourced after lib.sh, never run): the rootfs, the native twin of a
# sandboxed run, and deb_case, which runs one command both ways and
# compares.
#
# Every case runs one command twice on the same debootstrapped rootfs
# (tests/make-debian-rootfs.sh, built once and cached under
# build/debian-rootfs): in the sandbox, and natively with chroot, as pid 1
# of fresh pid, mount, ipc and uts namespaces. The cached rootfs is never
# written natively: it is either bind mounted read-only (NATIVE_ROOT=ro,
# the default) or the lower layer of a kernel overlayfs whose upper layer
# is fresh for every run (NATIVE_ROOT=overlay), a scratch copy that costs
# nothing to make.
#
# Environment: DEBIAN_TESTS=0 skips the whole suite (it needs the Debian
# mirror the first time, to build the rootfs); DEBIAN_KEEP=1 keeps the
# outputs; DEBIAN_STRACE=DIR logs each sandboxed run with --strace to
# DIR/NAME.log; DEBIAN_OPTS adds global options to every sandboxrun (e.g.
# --overlay=none). Arguments select cases by name (shell patterns, e.g.
# 'bash/*').
# shellcheck shell=bash
# shellcheck disable=SC2016 # $ in single quotes is for the inner shell

NATIVE_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
# What native_exec gives the chroot: "ro" or "overlay" (see above).
NATIVE_ROOT=${NATIVE_ROOT:-ro}
# 1: the mounts of the bundle's config.json (make-debian-rootfs.sh's
# defaults: a tmpfs /dev with the usual nodes, devpts, /dev/shm, mqueue,
# sysfs, /tmp) plus the cgroup2 view the sandbox adds, as the sandbox
# shows them; 0: only /tmp and /dev/shm.
NATIVE_BUNDLE_MOUNTS=${NATIVE_BUNDLE_MOUNTS:-0}
# Extra read-only bind mounts, "HOSTPATH:DEST" (DEST must exist in the
# rootfs), for the next native_exec only (cleared by deb_case).
NATIVE_BINDS=()

# deb_init SUITE: the skip policy, the work directory and the rootfs.
# Sets DEB_ROOTFS, and SBX_BUNDLE/SBX_MKBUNDLE for sbx_begin. Exits when
# the suite is skipped or the rootfs cannot be built.
deb_init() {
	local suite=$1
	if [ "${DEBIAN_TESTS:-1}" = 0 ]; then
		t_skip "$suite" "DEBIAN_TESTS=0"
		exit 0
	fi
	sbx_init
	# DEBIAN_KEEP=1 keeps the work directory (outputs of both runs).
	if [ "${DEBIAN_KEEP:-0}" = 1 ]; then
		trap 'kill_tagged_leftovers "$SBX_WORK"; echo "# kept $SBX_WORK"' EXIT
	fi
	DEB_BUNDLE=$SBX_WORK/debian
	if [ -z "$SBX_SKIP" ]; then
		if ! DEB_ROOTFS=$("$TESTS_DIR/make-debian-rootfs.sh" 2>"$SBX_WORK/mkrootfs.log"); then
			t_fail "$suite/rootfs" "cannot build the Debian rootfs:" \
				"$(tail -n 5 "$SBX_WORK/mkrootfs.log")"
			exit 1
		fi
		# shellcheck disable=SC2034 # for sbx_begin (lib.sh)
		SBX_BUNDLE=$DEB_BUNDLE
		# Every run's config.json comes from make-debian-rootfs.sh:
		# by default a read-only root and tmpfs mounts.
		# shellcheck disable=SC2034
		SBX_MKBUNDLE=$TESTS_DIR/make-debian-rootfs.sh
	fi
}

# native_exec ARGS...: runs ARGS chrooted into the rootfs (see
# NATIVE_ROOT), as pid 1 of new pid/mount/ipc/uts namespaces, with the
# sandbox's environment, cwd and mounts. Sets NAT_RC, NAT_OUT, NAT_ERR.
NAT_N=0
native_exec() {
	NAT_N=$((NAT_N + 1))
	local d=$SBX_WORK/native.$NAT_N b binds=""
	mkdir -p "$d/root" "$d/upper" "$d/work"
	NAT_OUT=$d/out
	NAT_ERR=$d/err
	for b in "${NATIVE_BINDS[@]}"; do
		binds+="${b%%:*}"$'\n'"${b#*:}"$'\n'
	done
	# The mounts are made first; then unshare forks pid 1 of the new pid
	# namespace, mounts its /proc, and execs through setsid (pid 1 leads
	# its session and process group, as the sandbox's init does), chroot
	# and env into the workload, which so keeps pid 1 and is the first
	# process of its namespace. sysfs and cgroup2 share their superblock
	# with the host's, so they are made read-only per mount (remount,bind)
	# and never as a whole.
	timeout -k 5 "$SBX_TIMEOUT" unshare --mount --uts --ipc --propagation private \
		bash -c '
		set -e
		d=$1 rootfs=$2 mode=$3 full=$4 binds=$5
		r=$d/root
		if [ "$mode" = overlay ]; then
			mount -t overlay overlay \
				-o "lowerdir=$rootfs,upperdir=$d/upper,workdir=$d/work" "$r"
		else
			mount --bind "$rootfs" "$r"
			mount -o remount,bind,ro "$r"
		fi
		if [ "$full" = 1 ]; then
			mount -t tmpfs -o nosuid,strictatime,mode=755,size=65536k tmpfs "$r/dev"
			mknod -m 666 "$r/dev/null" c 1 3
			mknod -m 666 "$r/dev/zero" c 1 5
			mknod -m 666 "$r/dev/full" c 1 7
			mknod -m 666 "$r/dev/random" c 1 8
			mknod -m 666 "$r/dev/urandom" c 1 9
			mknod -m 666 "$r/dev/tty" c 5 0
			ln -s /proc/self/fd "$r/dev/fd"
			ln -s /proc/self/fd/0 "$r/dev/stdin"
			ln -s /proc/self/fd/1 "$r/dev/stdout"
			ln -s /proc/self/fd/2 "$r/dev/stderr"
			ln -s pts/ptmx "$r/dev/ptmx"
			mkdir "$r/dev/pts" "$r/dev/shm" "$r/dev/mqueue"
			mount -t devpts -o nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5 \
				devpts "$r/dev/pts"
		fi
		mount -t tmpfs -o nosuid,noexec,nodev,mode=1777,size=65536k shm "$r/dev/shm"
		if [ "$full" = 1 ]; then
			mount -t mqueue -o nosuid,noexec,nodev mqueue "$r/dev/mqueue"
			mount -t sysfs -o nosuid,noexec,nodev sysfs "$r/sys"
			mount -t cgroup2 -o nosuid,noexec,nodev cgroup "$r/sys/fs/cgroup"
			mount -o remount,bind,ro,nosuid,noexec,nodev "$r/sys/fs/cgroup"
			mount -o remount,bind,ro,nosuid,noexec,nodev "$r/sys"
		fi
		mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$r/tmp"
		while IFS= read -r src && IFS= read -r dst; do
			mount --bind "$src" "$r$dst"
			mount -o remount,bind,ro "$r$dst"
		done <<<"$binds"
		hostname sandbox
		shift 5
		exec unshare --pid --fork --mount-proc="$r/proc" \
			setsid chroot "$r" /usr/bin/env -i "$@"
	' native "$d" "$DEB_ROOTFS" "$NATIVE_ROOT" "$NATIVE_BUNDLE_MOUNTS" "$binds" \
		"${NATIVE_ENV[@]}" "$@" </dev/null >"$NAT_OUT" 2>"$NAT_ERR"
	NAT_RC=$?
	# The upper layer may hold what the workload made as any owner.
	rm -rf "$d/upper" "$d/work" "$d/root"
}

# What legitimately differs between two runs: the kernel release and
# version (as uname -a prints them), times of day. Pids are the same in
# both (pid 1 and the same forks) unless a case prints others; further
# sed expressions may be given per case.
normalise() {
	sed -E \
		-e 's/^(Linux [^ ]+ )[^ ]+ #.* (x86_64|GNU\/Linux)/\1KVER \2/' \
		-e 's/\b[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?\b/HH:MM:SS/g' \
		"$@"
}

DEB_SELECT=("$@")
deb_selected() {
	local p
	[ ${#DEB_SELECT[@]} -eq 0 ] && return 0
	for p in "${DEB_SELECT[@]}"; do
		# shellcheck disable=SC2053 # a pattern on purpose
		[[ $1 == $p ]] && return 0
	done
	return 1
}

# Result names are DEB_PREFIX/NAME.
DEB_PREFIX=${DEB_PREFIX:-debian}

# deb_case NAME [-e SED]... [-f FILTER] -- ARGS...: runs ARGS in the
# sandbox and natively; one ok/FAIL line. Both outputs go through
# normalise with the SED expressions, then through the shell function
# FILTER (stdin to stdout) when given. Returns 1 when the case did not
# run (skipped or not selected).
deb_case() {
	local name=$1 extra=() filter=cat
	shift
	while [ "$1" != -- ]; do
		case $1 in
		-f) filter=$2 ;;
		*) extra+=("$1" "$2") ;;
		esac
		shift 2
	done
	shift
	if ! deb_selected "$name"; then
		NATIVE_BINDS=()
		return 1
	fi
	# shellcheck disable=SC2206 # split on purpose
	SBX_OPTS+=(${DEBIAN_OPTS:-})
	if [ -n "${DEBIAN_STRACE:-}" ]; then
		mkdir -p "$DEBIAN_STRACE"
		SBX_OPTS+=(--debug-log "$DEBIAN_STRACE/${name//\//_}.log" --strace)
	fi
	if ! sbx_begin "$DEB_PREFIX/$name" "$@"; then
		NATIVE_BINDS=()
		return 1
	fi
	native_exec "$@"
	NATIVE_BINDS=()
	local f
	for f in OUT ERR; do
		local sf nf
		# shellcheck disable=SC2153 # set by sbx_begin (lib.sh)
		if [ $f = OUT ]; then sf=$SBX_OUT nf=$NAT_OUT; else sf=$SBX_ERR nf=$NAT_ERR; fi
		normalise "${extra[@]}" "$sf" | $filter >"$sf.norm"
		normalise "${extra[@]}" "$nf" | $filter >"$nf.norm"
		if ! cmp -s "$sf.norm" "$nf.norm"; then
			sbx_problem "std${f,,} differs from the native run (- native, + sandbox):" \
				"$(diff -u "$nf.norm" "$sf.norm" | tail -n +3 | head -n 40)"
		fi
	done
	if [ "$SBX_RC" != "$NAT_RC" ]; then
		local note=""
		[ "$SBX_RC" = 124 ] && note=" (timed out after ${SBX_TIMEOUT}s)"
		sbx_problem "exit status: native $NAT_RC, sandbox $SBX_RC$note"
	fi
	sbx_end
	return 0
}
