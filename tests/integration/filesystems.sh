#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# The sandbox's file tree: the root overlay (writes stay in sentry memory,
# the bundle is never modified), --overlay=none (writes reach the bundle),
# root.readonly, config.json mounts with their options, maskedPaths and
# readonlyPaths, the default `sandboxrun spec` mounts, and mount/pivot_root
# from inside the sandbox.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

# A fingerprint of the bundle rootfs: every path with its type, mode,
# owner, size, link target and content checksum.
rootfs_sum() {
	(cd "$SBX_ROOTFS" && find . -printf '%p %y %m %U:%G %s %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum
}

# config ARGS_JSON MOUNTS_JSON [LINUX_EXTRA_JSON] [READONLY]: a config.json
# for the busybox bundle.
config() {
	cat <<JSON
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": $1,
		"env": [ "PATH=/usr/sbin:/usr/bin:/sbin:/bin" ],
		"cwd": "/"
	},
	"root": { "path": "rootfs", "readonly": ${4:-false} },
	"hostname": "sandbox",
	"mounts": $2,
	"linux": {
		${3:-}
		"namespaces": [ { "type": "pid" }, { "type": "mount" } ]
	}
}
JSON
}

if sbx_begin fs/tmp_writable sh -c 'echo x > /tmp/f; cat /tmp/f'; then
	expect_rc 0
	expect_out x
	sbx_end
fi

# Everything a workload may do to the root, then a look at the result.
MUTATE='echo x > /tmp/new && echo more >> /etc/hostname && rm /etc/hosts &&
mkdir -p /newdir/sub && echo deep > /newdir/sub/f && mv /etc/passwd /etc/passwd2 &&
chmod 600 /etc/group && chown 65534 /etc/group && ln -s nowhere /lnk && rm -f /bin/ls &&
rmdir /root && mkdir /root && touch /root/new && mkfifo /tmp/fifo && rm -rf /sbin &&
cat /etc/hostname && ls /etc && stat -c "%a %u" /etc/group && ls /root && ls /bin/ls 2>&1;
test -e /sbin || echo no-sbin'
before=$(rootfs_sum)
if sbx_begin fs/overlay_mutations sh -c "$MUTATE"; then
	expect_rc 0
	expect_out "$(printf '%s\n' sandbox more group hostname passwd2 "600 65534" new \
		"ls: /bin/ls: No such file or directory" no-sbin)"
	sbx_end
fi
if [ -z "$SBX_SKIP" ]; then
	if [ "$(rootfs_sum)" = "$before" ]; then
		t_ok fs/overlay_rootfs_unchanged
	else
		t_fail fs/overlay_rootfs_unchanged "the bundle rootfs changed under the default overlay"
	fi
fi

# A lower directory cannot be renamed without redirects (mv copies).
if sbx_begin fs/overlay_rename_lower_dir sh -c 'mv /etc /etc2 && ls /etc2/hostname && test ! -e /etc && echo moved'; then
	expect_rc 0
	expect_out "$(printf '/etc2/hostname\nmoved')"
	sbx_end
fi

# --overlay=none: writes go through the gofer to the bundle.
if [ -z "$SBX_SKIP" ]; then
	echo original >"$SBX_ROOTFS/etc/ovtest"
	SBX_OPTS=(--overlay=none)
	if sbx_begin fs/overlay_none_writes_through sh -c 'echo changed > /etc/ovtest && cat /etc/ovtest'; then
		expect_rc 0
		expect_out changed
		[ "$(cat "$SBX_ROOTFS/etc/ovtest")" = changed ] ||
			sbx_problem "bundle file: expected 'changed', got '$(cat "$SBX_ROOTFS/etc/ovtest")'"
		sbx_end
	fi
	SBX_OPTS=()
	if sbx_begin fs/overlay_memory_keeps_bundle sh -c 'echo again > /etc/ovtest && cat /etc/ovtest'; then
		expect_rc 0
		expect_out again
		[ "$(cat "$SBX_ROOTFS/etc/ovtest")" = changed ] ||
			sbx_problem "bundle file changed: '$(cat "$SBX_ROOTFS/etc/ovtest")'"
		sbx_end
	fi
	rm -f "$SBX_ROOTFS/etc/ovtest"
	SBX_OPTS=(--overlay=bogus)
	if sbx_begin fs/overlay_bad_value true; then
		expect_rc 1
		expect_err_re 'overlay'
		sbx_end
	fi
	SBX_OPTS=()
fi

# root.readonly: EROFS everywhere in the root filesystem.
export BUNDLE_READONLY=true
if sbx_begin fs/root_readonly sh -c 'cat /etc/hostname; touch /x; touch /tmp/x; mkdir /d; echo $?'; then
	expect_rc 0
	expect_out "$(printf 'sandbox\n1')"
	expect_err_re 'read-only file system'
	sbx_end
fi
unset BUNDLE_READONLY

# config.json mounts: tmpfs options, ro, noexec, /dev kept as devfs,
# types without a filesystem yet skipped.
MOUNTS='[
	{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"] },
	{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "nodev", "mode=1777", "size=64k"] },
	{ "destination": "/data/deep", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=700", "uid=65534"] },
	{ "destination": "/ro", "type": "tmpfs", "source": "tmpfs", "options": ["ro"] },
	{ "destination": "/nx", "type": "tmpfs", "source": "tmpfs", "options": ["noexec"] },
	{ "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue" }
]'
SBX_CONFIG=$(config '["sh", "-c", "stat -c \"%a %u\" /data/deep; stat -f -c \"%b %S\" /data/deep; echo ok > /dev/shm/x && cat /dev/shm/x; stat -f -c %b /dev/shm; echo z > /dev/null && echo null; touch /ro/x; cp /bin/busybox /nx/bb; /nx/bb true; echo $?"]' "$MOUNTS")
if sbx_begin fs/config_mounts; then
	expect_rc 0
	expect_out "$(printf '700 65534\n256 4096\nok\n16\nnull\n126')"
	expect_err_re 'read-only file system'
	sbx_end
fi

# maskedPaths and readonlyPaths as runc applies them.
SBX_CONFIG=$(config '["sh", "-c", "wc -c < /etc/hosts; ls -A /root | wc -l; touch /root/x; touch /etc/x; touch /tmp/ok && echo tmp-ok"]' \
	'[]' '"maskedPaths": ["/etc/hosts", "/root", "/nonexistent"], "readonlyPaths": ["/etc", "/nothing"],')
if sbx_begin fs/masked_readonly_paths; then
	expect_rc 0
	expect_out "$(printf '0\n0\ntmp-ok')"
	expect_err_re 'touch: /root/x: read-only file system'
	expect_err_re 'touch: /etc/x: read-only file system'
	sbx_end
fi
SBX_CONFIG=""

# The default spec of `sandboxrun spec` (read-only root, /dev as tmpfs,
# devpts, mqueue, sysfs...) boots, and without CAP_SYS_ADMIN mount fails.
if [ -z "$SBX_SKIP" ]; then
	mkdir -p "$SBX_WORK/spec" && "$SANDBOXRUN" spec --bundle "$SBX_WORK/spec" >/dev/null 2>&1
	SBX_CONFIG=$(sed -e 's/"terminal": true/"terminal": false/' \
		-e 's|^\t\t\t"sh"$|\t\t\t"sh", "-c", "ls /dev/null /dev/shm; touch /x; mount -t tmpfs none /tmp"|' \
		"$SBX_WORK/spec/config.json")
fi
if sbx_begin fs/default_spec; then
	expect_rc 1
	expect_out "$(printf '/dev/null\n\n/dev/shm:')"
	expect_err_re 'touch: /x: read-only file system'
	expect_err_re 'mount: .*(permission denied|operation not permitted)'
	sbx_end
fi
SBX_CONFIG=""

# mount(8) and pivot_root(8) inside the sandbox.
PIVOT='mkdir /mnt && mount -t tmpfs -o size=16m none /mnt && mkdir /mnt/old /mnt/bin &&
cp /bin/busybox /mnt/bin/ && cd /mnt && pivot_root . old && /bin/busybox ls /old/etc/hostname &&
/bin/busybox umount -l /old && /bin/busybox ls -A /old | /bin/busybox wc -l'
if sbx_begin fs/pivot_root sh -c "$PIVOT"; then
	expect_rc 0
	expect_out "$(printf '/old/etc/hostname\n0')"
	sbx_end
fi

if sbx_begin fs/mkfifo_shell sh -c 'mkfifo /tmp/p && { echo through > /tmp/p & } && cat /tmp/p'; then
	expect_rc 0
	expect_out through
	sbx_end
fi

results_summary
