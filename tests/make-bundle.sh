#!/bin/bash
# make-bundle.sh DIR [ARGS...]
#
# Builds an OCI bundle around Debian's busybox-static: DIR/rootfs holds
# /bin/busybox, one symlink per applet, a minimal /etc and the usual empty
# directories; DIR/config.json runs ARGS (default: sh).
#
# Reusable: when DIR/rootfs already exists only config.json is rewritten, so
# a test can cheaply switch the command between runs.
#
# Environment knobs (all optional):
#   BUSYBOX=/bin/busybox     the static busybox to install
#   BUNDLE_TERMINAL=false    process.terminal
#   BUNDLE_CWD=/             process.cwd
#   BUNDLE_HOSTNAME=sandbox  hostname
#   BUNDLE_READONLY=false    root.readonly
#   BUNDLE_ENV="K=V ..."     extra environment entries (space separated)
#   BUNDLE_MOUNTS=''         the elements of "mounts" (raw JSON objects)
set -eu

usage() {
	echo "usage: $0 DIR [ARGS...]" >&2
	exit 2
}
[ $# -ge 1 ] || usage
DIR=$1
shift
[ $# -gt 0 ] || set -- sh

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

BUSYBOX=${BUSYBOX:-/bin/busybox}
ROOTFS=$DIR/rootfs

make_rootfs() {
	if [ ! -x "$BUSYBOX" ]; then
		echo "$0: $BUSYBOX not found (apt-get install busybox-static)" >&2
		exit 1
	fi
	# Only static executables run in the sandbox for now.
	if command -v file >/dev/null 2>&1 &&
		! file -L "$BUSYBOX" | grep -q 'statically linked'; then
		echo "$0: $BUSYBOX is not statically linked" >&2
		exit 1
	fi
	local tmp=$DIR/rootfs.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	(
		cd "$tmp"
		mkdir -p bin sbin usr/bin usr/sbin etc tmp dev proc sys root
		chmod 1777 tmp
		chmod 0700 root
		cp "$BUSYBOX" bin/busybox
		chmod 0755 bin/busybox
		local applet
		for applet in $(bin/busybox --list); do
			[ "$applet" = busybox ] && continue
			ln -sf busybox "bin/$applet"
		done
		cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
		cat >etc/group <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
		echo "${BUNDLE_HOSTNAME:-sandbox}" >etc/hostname
		cat >etc/hosts <<EOF
127.0.0.1	localhost
127.0.1.1	${BUNDLE_HOSTNAME:-sandbox}
::1	localhost ip6-localhost ip6-loopback
EOF
		chmod 0644 etc/passwd etc/group etc/hostname etc/hosts
	)
	mv "$tmp" "$ROOTFS"
}

write_config() {
	local args="" a env_json="" e
	for a in "$@"; do
		[ -n "$args" ] && args+=", "
		args+="\"$(json_escape "$a")\""
	done
	env_json="\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\""
	for e in ${BUNDLE_ENV:-}; do
		env_json+=", \"$(json_escape "$e")\""
	done
	local cfg=$DIR/config.json
	cat >"$cfg.tmp" <<EOF
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": ${BUNDLE_TERMINAL:-false},
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			$args
		],
		"env": [
			$env_json
		],
		"cwd": "$(json_escape "${BUNDLE_CWD:-/}")",
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": ${BUNDLE_READONLY:-false}
	},
	"hostname": "$(json_escape "${BUNDLE_HOSTNAME:-sandbox}")",
	"mounts": [${BUNDLE_MOUNTS:-}],
	"linux": {
		"namespaces": [
			{ "type": "pid" },
			{ "type": "network" },
			{ "type": "ipc" },
			{ "type": "uts" },
			{ "type": "mount" }
		]
	}
}
EOF
	mv "$cfg.tmp" "$cfg"
}

mkdir -p "$DIR"
[ -d "$ROOTFS" ] || make_rootfs
write_config "$@"
