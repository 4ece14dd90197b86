#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# Writes through the gofer: with --overlay=none (or, before the overlay
# exists, always) what the workload writes lands in the bundle's rootfs;
# root.readonly gives EROFS; config.json bind mounts of host directories
# and files are readable and writable in the sandbox, and "ro" ones give
# EROFS.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

# --overlay=none is the root overlay's switch; a CLI without the overlay
# writes through the gofer anyway.
probe=$SBX_WORK/probe
mkdir -p "$probe"
if "$SANDBOXRUN" --overlay=none spec --bundle "$probe" >/dev/null 2>&1; then
	NO_OVERLAY=(--overlay=none)
else
	NO_OVERLAY=()
fi

# The bundle's config for ARGS with the given JSON as "mounts".
config_with_mounts() {
	local mounts=${1//$'\n'/ }
	shift
	"$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" "$@" >/dev/null || return 1
	sed "s|\"mounts\": \[\]|\"mounts\": [$mounts]|" "$SBX_BUNDLE/config.json"
}

script='set -e
cd /tmp
echo hello > a
cat a
mv a b
cat b
mkdir -p d/e
mv b d/e/c
ln d/e/c hard
ln -s e/c d/sym
cat d/sym
mkfifo fifo
chmod 640 hard
chown 12:34 hard
touch -d "2001-02-03 04:05:06" d/e/c
echo appended >> hard
mv d/e/c d/e/renamed
cat d/e/renamed
rm -f gone
echo x > gone
rm gone
mkdir emptydir
rmdir emptydir
echo linked > l1
cat l1
ln l1 l2
rm l1
cat l2
echo done'
rm -rf "$SBX_ROOTFS/tmp/"*
SBX_OPTS=("${NO_OVERLAY[@]}")
if sbx_begin gofer_writes/ops_land_in_rootfs sh -c "$script"; then
	expect_rc 0
	expect_out "$(printf 'hello\nhello\nhello\nhello\nappended\nlinked\nlinked\ndone')"
	t=$SBX_ROOTFS/tmp
	[ "$(cat "$t/d/e/renamed" 2>&1)" = "$(printf 'hello\nappended')" ] || sbx_problem "d/e/renamed: '$(cat "$t/d/e/renamed" 2>&1)'"
	[ "$(stat -c %i "$t/hard")" = "$(stat -c %i "$t/d/e/renamed")" ] ||
		sbx_problem "hard is not a hard link of d/e/renamed"
	[ "$(stat -c '%a %u %g %h' "$t/hard")" = "640 12 34 2" ] ||
		sbx_problem "hard: mode/owner/links $(stat -c '%a %u %g %h' "$t/hard")"
	[ "$(readlink "$t/d/sym")" = e/c ] || sbx_problem "d/sym -> '$(readlink "$t/d/sym")'"
	[ -p "$t/fifo" ] || sbx_problem "fifo is not a FIFO"
	[ ! -e "$t/gone" ] && [ ! -e "$t/emptydir" ] && [ ! -e "$t/a" ] && [ ! -e "$t/l1" ] ||
		sbx_problem "removed names still exist: $(ls "$t")"
	[ "$(stat -c %Y "$t/d/e/renamed")" -gt 1000000000 ] || sbx_problem "mtime not updated by writes"
	sbx_end
fi

# Ownership of new files follows the creating process's credentials.
SBX_OPTS=("${NO_OVERLAY[@]}")
if sbx_begin gofer_writes/owner_of_new_files sh -c \
	'mkdir -m 2775 /tmp/sg && chown 0:77 /tmp/sg && echo > /tmp/sg/f && mkdir /tmp/sg/sub && stat -c "%u %g %a" /tmp/sg/f /tmp/sg/sub'; then
	expect_rc 0
	expect_out "$(printf '0 77 644\n0 77 2755')"
	[ "$(stat -c '%u %g %a' "$SBX_ROOTFS/tmp/sg/sub")" = "0 77 2755" ] ||
		sbx_problem "host sees $(stat -c '%u %g %a' "$SBX_ROOTFS/tmp/sg/sub")"
	sbx_end
fi

# Read-only root: every write is EROFS, nothing changes.
rm -rf "$SBX_ROOTFS/tmp/"*
before=$(cd "$SBX_ROOTFS" && find . -printf '%p %s %T@\n' | sort | md5sum)
export BUNDLE_READONLY=true
SBX_OPTS=("${NO_OVERLAY[@]}")
if sbx_begin gofer_writes/readonly_root sh -c \
	'touch /tmp/x; echo $?; mkdir /tmp/d; echo $?; rm /etc/hosts; echo $?; mv /etc/hosts /etc/h; echo $?; chmod 777 /etc/hosts; echo $?; echo y >> /etc/hosts; echo $?; cat /etc/hostname'; then
	expect_rc 0
	expect_out "$(printf '1\n1\n1\n1\n1\n1\nsandbox')"
	expect_err_re 'read-only file system'
	after=$(cd "$SBX_ROOTFS" && find . -printf '%p %s %T@\n' | sort | md5sum)
	[ "$before" = "$after" ] || sbx_problem "the read-only rootfs changed"
	sbx_end
fi
unset BUNDLE_READONLY

# Bind mounts: a read-write and a read-only host directory, a host file,
# and a source given relative to the bundle.
HOSTDIR=$SBX_WORK/host
mkdir -p "$HOSTDIR/rw" "$HOSTDIR/ro" "$SBX_BUNDLE/relsrc"
echo from-host >"$HOSTDIR/ro/r.txt"
echo in-rw >"$HOSTDIR/rw/existing"
echo single >"$HOSTDIR/file.txt"
echo relative >"$SBX_BUNDLE/relsrc/rel.txt"
mounts='{"destination": "/data/rw", "type": "bind", "source": "'$HOSTDIR'/rw", "options": ["rbind", "rw"]},
 {"destination": "/data/ro", "type": "bind", "source": "'$HOSTDIR'/ro", "options": ["bind", "ro"]},
 {"destination": "/etc/single", "source": "'$HOSTDIR'/file.txt", "options": ["bind"]},
 {"destination": "/rel", "type": "bind", "source": "relsrc", "options": ["rbind", "ro", "noexec"]}'
bind_script='cat /data/rw/existing /data/ro/r.txt /etc/single /rel/rel.txt
echo new > /data/rw/new && mkdir /data/rw/sub && mv /data/rw/new /data/rw/sub/moved
echo more >> /etc/single
touch /data/ro/x 2>/dev/null; echo "ro create: $?"
rm /data/ro/r.txt 2>/dev/null; echo "ro rm: $?"
echo y 2>/dev/null > /data/ro/r.txt; echo "ro write: $?"
ls /data/ro
ln /data/rw/existing /tmp/x 2>/dev/null; echo "cross link: $?"'
if SBX_CONFIG=$(config_with_mounts "$mounts" sh -c "$bind_script") &&
	sbx_begin gofer_binds/rw_ro_file_relative; then
	expect_rc 0
	expect_out "$(printf 'in-rw\nfrom-host\nsingle\nrelative\nro create: 1\nro rm: 1\nro write: 1\nr.txt\ncross link: 1')"
	[ "$(cat "$HOSTDIR/rw/sub/moved" 2>&1)" = new ] || sbx_problem "rw/sub/moved: '$(cat "$HOSTDIR/rw/sub/moved" 2>&1)'"
	[ "$(cat "$HOSTDIR/file.txt")" = "$(printf 'single\nmore')" ] ||
		sbx_problem "file.txt: '$(cat "$HOSTDIR/file.txt")'"
	[ "$(ls "$HOSTDIR/ro")" = r.txt ] && [ "$(cat "$HOSTDIR/ro/r.txt")" = from-host ] ||
		sbx_problem "the read-only bind changed: $(ls "$HOSTDIR/ro")"
	sbx_end
fi

# A missing bind source: the sandbox does not start, and says why.
mounts='{"destination": "/data", "type": "bind", "source": "'$SBX_WORK'/no-such-dir", "options": ["rbind"]}'
if SBX_CONFIG=$(config_with_mounts "$mounts" true) && sbx_begin gofer_binds/missing_source; then
	expect_rc 1
	expect_err_re 'no-such-dir'
	sbx_end
fi

# Nothing escapes a bind mount's root: ".." from it is the mountpoint's
# parent inside the sandbox, and a symlink in the source pointing out of
# it resolves inside the sandbox, never on the host.
mkdir -p "$HOSTDIR/esc"
ln -sfn / "$HOSTDIR/esc/rootlink"
echo host-secret >"$HOSTDIR/secret"
mounts='{"destination": "/esctest/esc", "type": "bind", "source": "'$HOSTDIR'/esc", "options": ["rbind"]}'
if SBX_CONFIG=$(config_with_mounts "$mounts" sh -c \
	'ls /esctest/esc/../; cat /esctest/esc/rootlink/etc/hostname; cat /esctest/esc/../../secret 2>&1 | grep -c "No such file"; ls /esctest/esc/rootlink/'"${HOSTDIR#/}"' 2>&1 | grep -c "No such file"') &&
	sbx_begin gofer_binds/no_escape; then
	expect_rc 0
	expect_out "$(printf 'esc\nsandbox\n1\n1')"
	sbx_end
fi

results_summary
