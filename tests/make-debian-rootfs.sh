#!/bin/bash
# make-debian-rootfs.sh [BUNDLE [ARGS...]]
#
# Builds, once per source tree, a Debian bookworm rootfs with debootstrap
# (minbase plus python3, perl and procps; about 280 MB, 30 s to a few
# minutes depending on the mirror) under build/debian-rootfs/rootfs, and
# prints its path. A stamp file records the exact debootstrap command
# once the rootfs is complete; a rootfs without a matching stamp (an
# interrupted or older build) is rebuilt.
# Concurrent callers wait for one another (flock).
#
# With BUNDLE, also makes BUNDLE an OCI bundle of that rootfs:
# BUNDLE/rootfs is a symlink to the cached rootfs and BUNDLE/config.json
# runs ARGS (default: bash), written by make-bundle.sh (same knobs:
# BUNDLE_ENV, BUNDLE_CWD, BUNDLE_HOSTNAME...), with the mounts of the OCI
# default spec (runc spec, sandboxrun spec: /proc, /dev, /dev/pts,
# /dev/shm, /dev/mqueue, /sys; python's multiprocessing needs the /dev/shm
# tmpfs) plus a tmpfs on /tmp, unless BUNDLE_MOUNTS says otherwise, and
# then the mounts in BUNDLE_EXTRA_MOUNTS (JSON objects). The
# rootfs is shared by every bundle and by later runs, so by default it is
# read-only (root.readonly, BUNDLE_READONLY=true) and workloads write
# under /tmp only: nothing a workload (or a sandbox bug) does can change
# the cache.
#
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian),
# DEBIAN_SUITE (default bookworm), DEBIAN_ROOTFS_CACHE (default
# build/debian-rootfs of the source tree, whatever BUILD is).
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEBIAN_SUITE:-bookworm}
# One cache per source tree, whatever BUILD is (make asan reuses it).
CACHE=${DEBIAN_ROOTFS_CACHE:-$SRC_ROOT/build/debian-rootfs}
ROOTFS=$CACHE/rootfs
STAMP=$CACHE/stamp
DEBOOTSTRAP_ARGS=(--variant=minbase --include=python3-minimal,python3,perl,procps "$SUITE")

stamp_text() {
	printf 'debootstrap %s ROOTFS %s\n' "${DEBOOTSTRAP_ARGS[*]}" "$MIRROR"
}

rootfs_complete() {
	[ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(stamp_text)" ] &&
		[ -x "$ROOTFS/bin/bash" ] && [ -x "$ROOTFS/usr/bin/python3" ] &&
		[ -x "$ROOTFS/usr/bin/perl" ]
}

build_rootfs() {
	if ! command -v debootstrap >/dev/null 2>&1; then
		echo "$0: debootstrap not installed (make deps)" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "$0: debootstrap needs root" >&2
		return 1
	fi
	local tmp=$CACHE/rootfs.tmp log=$CACHE/debootstrap.log
	rm -rf "$tmp" "$ROOTFS" "$STAMP"
	echo "# building the Debian $SUITE rootfs in $ROOTFS (log: $log)" >&2
	if ! debootstrap "${DEBOOTSTRAP_ARGS[@]}" "$tmp" "$MIRROR" >"$log" 2>&1; then
		echo "$0: debootstrap failed; last lines of $log:" >&2
		tail -n 5 "$log" >&2
		return 1
	fi
	# The package cache is of no use to the tests.
	rm -rf "$tmp"/var/cache/apt/archives/*.deb
	mv "$tmp" "$ROOTFS"
	stamp_text >"$STAMP"
}

mkdir -p "$CACHE"
(
	flock 9
	rootfs_complete || build_rootfs
) 9>"$CACHE/lock"

if [ $# -eq 0 ]; then
	echo "$ROOTFS"
	exit 0
fi

BUNDLE=$1
shift
mkdir -p "$BUNDLE"
if [ ! -L "$BUNDLE/rootfs" ] || [ "$(readlink "$BUNDLE/rootfs")" != "$ROOTFS" ]; then
	rm -rf "$BUNDLE/rootfs"
	ln -s "$ROOTFS" "$BUNDLE/rootfs"
fi
[ $# -gt 0 ] || set -- bash
DEFAULT_MOUNTS='
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		  "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
		{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		  "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
		{ "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
		  "options": ["nosuid", "noexec", "nodev"] },
		{ "destination": "/sys", "type": "sysfs", "source": "sysfs",
		  "options": ["nosuid", "noexec", "nodev", "ro"] },
		{ "destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
		  "options": ["nosuid", "nodev", "mode=1777"] }
	'
MOUNTS=${BUNDLE_MOUNTS-$DEFAULT_MOUNTS}
[ -n "${BUNDLE_EXTRA_MOUNTS:-}" ] && MOUNTS+=", $BUNDLE_EXTRA_MOUNTS"
BUNDLE_MOUNTS=$MOUNTS BUNDLE_READONLY=${BUNDLE_READONLY:-true} \
	"$TESTS_DIR/make-bundle.sh" "$BUNDLE" "$@"
