#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the workload's shell
# Acceptance of issue 5 (filesystems) on the Debian rootfs: tar, find,
# cp -a and diff -r, python's compileall, procps reading /proc, mount and
# df, links, FIFOs, modes and owners, each run in the sandbox and natively
# and compared (tests/debian-lib.sh says how), then the bundle rootfs is
# checked byte for byte: the default overlay never changes it, and with
# --overlay=none the writes land in it.
#
# Unlike debian.sh, the root is writable here (the overlay takes the
# writes; root.readonly is false) and the native twin runs on a kernel
# overlayfs over the cached rootfs with a fresh upper layer per run (a
# scratch copy that costs nothing), with the same mounts as the bundle's
# config.json. Environment and arguments as debian.sh's.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/debian-lib.sh
. "$TESTS_DIR/debian-lib.sh"

SBX_TIMEOUT=${SBX_TIMEOUT:-120}
DEB_PREFIX=debian_fs
deb_init debian_fs
# The native twin needs the host's overlayfs.
if [ -z "$SBX_SKIP" ] && ! grep -qw overlay /proc/filesystems &&
	! { modprobe overlay 2>/dev/null && grep -qw overlay /proc/filesystems; }; then
	t_skip debian_fs "the host kernel has no overlayfs for the native runs"
	exit 0
fi
export BUNDLE_READONLY=false
NATIVE_ROOT=overlay
NATIVE_BUNDLE_MOUNTS=1

# A fingerprint of a tree: every path with its type, mode, owner, size,
# link count, inode, times (ctime too: the host kernel moves it on any
# change, whatever the gofer asked), link target, then every file's
# content.
tree_sum() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %n %i %T@ %C@ %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum
}

if [ -z "$SBX_SKIP" ]; then
	ROOTFS_BEFORE=$(tree_sum "$DEB_ROOTFS")
fi

# Times of day and dates of the run, and epoch seconds of this decade:
# what the workload made now rather than from an archive.
mask_now() {
	sed -E -e 's/\b20[2-9][0-9]-[01][0-9]-[0-3][0-9] HH:MM:SS/DATE HH:MM:SS/g' \
		-e 's/\b1[7-9][0-9]{8}(\.[0-9]+)?\b/NOW/g'
}

# --- find / -xdev ------------------------------------------------------------

# The sandbox's / is the bundle rootfs (an overlay with an empty upper
# layer) with the same mounts as natively: -xdev lists the mountpoints
# (/proc, /dev, /sys, /tmp) but not what is in them or under them in the
# rootfs (Debian's /dev nodes are hidden by the /dev tmpfs in both). So
# the honest comparison is the whole sorted listing, not just its length.
deb_case find_xdev -- bash -c '
find / -xdev | LC_ALL=C sort >/tmp/l
wc -l </tmp/l
find / -xdev -printf "%y %m %U:%G %p -> %l\n" | LC_ALL=C sort -k 4
'

# --- tar xzf into /tmp and into the overlay root -----------------------------

# The archive (the standard library, 27 MB unpacked, 2000 files) is made on
# the host and bind mounted read-only at /mnt. Unpacked over /, it replaces
# every file of the rootfs's own usr/lib/python3.11 in the overlay (tar
# unlinks each existing file first): whiteouts, copy-ups of the
# directories whose times it restores. Both trees must then match the
# archive: listings (directory sizes aside: tmpfs and ext4 differ) and
# checksums.
if [ -z "$SBX_SKIP" ] && deb_selected tar; then
	mkdir -p "$SBX_WORK/archive"
	tar czf "$SBX_WORK/archive/stdlib.tgz" -C "$DEB_ROOTFS" usr/lib/python3.11
fi
# shellcheck disable=SC2089,SC2090 # JSON text for make-debian-rootfs.sh
BUNDLE_EXTRA_MOUNTS="{ \"destination\": \"/mnt\", \"type\": \"bind\",
	\"source\": \"$SBX_WORK/archive\", \"options\": [\"rbind\", \"ro\"] }"
# shellcheck disable=SC2090
export BUNDLE_EXTRA_MOUNTS
NATIVE_BINDS=("$SBX_WORK/archive:/mnt")
deb_case tar -- bash -c '
set -e
listing() {
	cd "$1"
	find . ! -type d -printf "%M %n %U:%G %s %T@ %p -> %l\n" | LC_ALL=C sort -k 7
	find . -type d -printf "%M %U:%G %T@ %p\n" | LC_ALL=C sort -k 4
	find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum
}
mkdir /tmp/x
tar xzf /mnt/stdlib.tgz -C /tmp/x
echo "into /tmp: $?"
tar xzf /mnt/stdlib.tgz -C /
echo "into /: $?"
(listing /tmp/x/usr/lib/python3.11) >/tmp/tmp.list
(listing /usr/lib/python3.11) >/tmp/root.list
diff /tmp/tmp.list /tmp/root.list && echo "same listings"
diff -r /tmp/x/usr/lib/python3.11 /usr/lib/python3.11 && echo "same contents"
tar tzf /mnt/stdlib.tgz | wc -l
cat /tmp/root.list
'
unset BUNDLE_EXTRA_MOUNTS

# --- cp -a and diff -r -------------------------------------------------------

# cp -a keeps modes, owners and times (to the nanosecond, symlinks too):
# ls -lR of the copy is the original's but for directory sizes and the
# "total" lines (block counts), which tmpfs and the rootfs's filesystem
# count differently.
deb_case cp_a -- bash -c '
lsr() {
	(cd "$1" && ls -lRA --time-style=full-iso . |
		awk "/^total /{next} /^d/{\$5=\"-\"} {print}")
}
cp -a /usr/share /tmp/x && diff -r /usr/share /tmp/x
echo "cp -a && diff -r: $?"
lsr /usr/share >/tmp/orig
lsr /tmp/x >/tmp/copy
diff /tmp/orig /tmp/copy && echo "ls -lR: same modes, owners, times"
wc -l </tmp/copy
cat /tmp/copy
'

# --- python3 -m compileall into a tmpfs --------------------------------------

# Part of the standard library is copied (times kept) into /tmp, a tmpfs
# mount of config.json, without its __pycache__; compileall writes the
# .pyc files there (the same bytes as natively: they embed the sources'
# times and sizes), and imports from /tmp then use them.
deb_case compileall -- bash -c '
set -e
mkdir /tmp/lib
cp -a /usr/lib/python3.11/json /usr/lib/python3.11/email /usr/lib/python3.11/http /tmp/lib/
find /tmp/lib -name __pycache__ -prune -exec rm -r {} +
python3 -m compileall -q /tmp/lib
echo "compileall: $?"
cd /tmp/lib
find . -name "*.pyc" | LC_ALL=C sort | xargs sha256sum
cd /
PYTHONPATH=/tmp/lib python3 -v -c "import json, email.parser, http.client; print(json.__cached__)" 2>&1 |
	grep -E "^# code object from .*/tmp/lib|^/tmp/lib|/tmp/lib.*matches" | LC_ALL=C sort
'

# --- ps aux and top -b -n1 ---------------------------------------------------

# Two sleeping children, then ps, top, vmstat and free, which read /proc. Numbers that
# move (CPU, memory, times, pids but init's, whose forks race) become
# their shape; what must agree is the headers, which processes there are,
# their users, terminals and states, and that the memory sizes are there.
procps_shape() {
	awk '
	function num(v, what) { return v ~ /^[0-9]+(\.[0-9]+)?[mgt]?$/ ? what : "BAD(" v ")" }
	function pos(v, what) { return v ~ /^[0-9]+(\.[0-9]+)?[mgt]?$/ && v + 0 > 0 ? what : "BAD(" v ")" }
	function rest(from,   s, i) { s = $from; for (i = from + 1; i <= NF; i++) s = s " " $i; return s }
	/^== / { close("sort"); part = $2; print; next }
	part == "ps" && $1 == "USER" { $1 = $1; print; next }
	part == "ps" {
		print $1, ($2 == 1 ? 1 : "PID"), num($3, "cpu"), num($4, "mem"), pos($5, "vsz"),
			pos($6, "rss"), $7, $8, ($9 ~ /^HH:MM$|^[0-9][0-9]:[0-9][0-9]$/ ? "start" : "BAD(" $9 ")"),
			($10 ~ /^[0-9]+:[0-9][0-9]$/ ? "time" : "BAD(" $10 ")"), rest(11) | "sort"
		next
	}
	part == "top" && /^top - / {
		print ($0 ~ /^top - HH:MM:SS up .*, +[0-9]+ users?, +load average: [0-9.]+, [0-9.]+, [0-9.]+$/ ? \
			"top - uptime, users, load average" : "BAD(" $0 ")")
		next
	}
	part == "top" && /^(Tasks|%Cpu|MiB|KiB)/ {
		s = $0
		if ($1 != "Tasks:")
			gsub(/ *[0-9]+\.[0-9]+/, " N", s)
		gsub(/ +/, " ", s)
		print s
		next
	}
	part == "top" && $1 == "PID" { $1 = $1; print; next }
	part == "vmstat" && /^ *[0-9]/ || part == "free" && /^[A-Z][a-z]+:/ {
		s = part == "free" ? $1 : ""
		for (i = part == "free" ? 2 : 1; i <= NF; i++)
			s = s " " num($i, "N")
		print s
		next
	}
	part == "vmstat" || part == "free" { $1 = $1; print; next }
	part == "top" && NF >= 12 {
		print ($1 == 1 ? 1 : "PID"), $2, $3, $4, pos($5, "virt"), pos($6, "res"), num($7, "shr"), $8,
			num($9, "cpu"), num($10, "mem"), ($11 ~ /^[0-9]+:[0-9][0-9]\.[0-9][0-9]$/ ? "time" : "BAD(" $11 ")"),
			rest(12) | "sort"
		next
	}
	{ print }'
}
deb_case procps -f procps_shape -- bash -c '
sleep 5 &
(sleep 6; true) &
until [ "$(pgrep -x sleep | wc -l)" = 2 ]; do :; done
for p in $(pgrep -x sleep); do
	until read -r _ _ st _ <"/proc/$p/stat" && [ "$st" = S ]; do :; done
done
ps aux >/tmp/ps
top -b -n1 -w 512 >/tmp/top
echo "== ps"
cat /tmp/ps
echo "== top"
cat /tmp/top
vmstat >/tmp/vmstat
echo "== vmstat"
cat /tmp/vmstat
free >/tmp/free
echo "== free"
cat /tmp/free
pkill -TERM sleep; wait
'

# --- mount and df ------------------------------------------------------------

# The sandbox's mount table is its own, built from config.json as the
# native one is: the same mountpoints, types and options, except the
# root's source and filesystem options (the kernel's overlayfs names its
# layers) and /proc's flags (unshare --mount-proc mounts it
# nosuid,nodev,noexec; config.json asks for none).
# df must parse: the same header, rows and shapes of numbers.
mount_shape() {
	sed -E -e '/^== mount/,/^== /{
			s/^[^ ]+ on \/ type overlay \(([^,)]+,[^,)]+)[^)]*\)/ROOT on \/ type overlay (\1)/
			s/^(proc on \/proc type proc) \(.*\)/\1/
		}' \
		-e '/^== df -h/,/^== /{
			s/^[^ ]+( +[0-9.]+[KMGT]?){3} +[0-9]+% \/$/ROOT SIZE USED AVAIL USE% \//
		}' \
		-e '/^== df -aT/,/^== /{
			s/^[^ ]+ +overlay( +[0-9]+){3} +[0-9]+% \/$/ROOT overlay SIZE USED AVAIL USE% \//
		}'
}
deb_case mount_df -f mount_shape -- bash -c '
echo "== mount"
mount | LC_ALL=C sort -k 3
echo "== df -h"
df -h >/tmp/df
head -n 1 /tmp/df
tail -n +2 /tmp/df | LC_ALL=C sort -k 6
echo "== df -aT"
df -aT -k >/tmp/df
head -n 1 /tmp/df | tr -s " "
tail -n +2 /tmp/df | LC_ALL=C sort -k 7 | tr -s " "
echo "== df /tmp/f"
head -c 1048576 /dev/zero >/tmp/f
df -k --output=target,fstype /tmp/f /usr/bin/bash /dev/shm /proc/self /sys/devices/system/cpu
'

# --- links, FIFOs, modes and owners ------------------------------------------

# The same round trips on a tmpfs (/tmp) and on the overlay root (/srv),
# read back with ls -l and stat.
deb_case links_modes -f mask_now -- bash -c '
for d in /tmp/rt /srv/rt; do
	mkdir $d && cd $d || exit 1
	echo data >f
	ln -s f sl; ln -s /nonexistent dangling; ln -s ../rt/f rel
	mkfifo -m 640 fifo; mkfifo p2
	chmod 4751 f; chmod u=rwx,g=,o=r p2; chmod 1777 .; mkdir sub; chmod 2750 sub
	chown 1000:1000 f; chown nobody:nogroup fifo; chown -h 123:456 sl; chown :mail sub
	chown 0:0 p2
	touch -h -d "2001-02-03 04:05:06.789" sl; touch -d "1999-12-31 23:59:59" f
	ln f hard; ln -sf p2 sl2; ln -sfn sub subl; chmod g+s f
	ls -ln --time-style=+%s | awk "/^total /{next} /^d/{\$5=\"-\"} {\$1=\$1; print}"
	ls -l --time-style=full-iso f sl fifo hard | tr -s " "
	stat -c "%n %F %a %A %u:%g %U:%G %h %Y %N" * | LC_ALL=C sort
	stat -c "%n %F %a %u:%g %h" .
	stat -c "%n %s %y" f sl rel
	readlink sl rel dangling; readlink -f rel
	test -p fifo && echo "fifo is a FIFO"; cat sl
	cat sl2 & sleep 0.2; echo "through the FIFO" >p2; wait
	mv sl sl.moved && ls -l --time-style=+%s sl.moved | cut -d" " -f 1,3-
	rm fifo hard && ls
	cd /
done
'

# --- the default overlay and the bundle rootfs -------------------------------

# Every kind of change to the rootfs's own files; the overlay keeps them
# (checked below with the fingerprint of the whole rootfs).
deb_case overlay_writes -f mask_now -- bash -c '
set -e
echo appended >>/etc/debian_version; cat /etc/debian_version
echo new >/etc/new-file; cat /etc/new-file
rm /etc/issue.net; mv /etc/motd /etc/motd.moved
chmod 600 /etc/passwd; chown 1:1 /etc/group; touch -d @0 /etc/hostname
truncate -s 0 /etc/shells
mkdir -p /usr/local/newdir/sub
head -c 1000000 /dev/urandom >/usr/local/newdir/sub/blob
rm -r /usr/share/doc/bash; ln -s /etc /usr/local/etc-link
python3 -c "open(\"/var/lib/written\", \"w\").write(\"x\" * 100000)"
stat -c "%n %a %u:%g %s %Y" /etc/passwd /etc/group /etc/hostname /etc/debian_version \
	/etc/shells /var/lib/written /usr/local/newdir/sub/blob /etc/motd.moved
ls /etc/issue.net /etc/motd /usr/share/doc/bash 2>&1 || true
'

if [ -z "$SBX_SKIP" ]; then
	if [ "$(tree_sum "$DEB_ROOTFS")" = "$ROOTFS_BEFORE" ]; then
		t_ok debian_fs/overlay_rootfs_unchanged
	else
		t_fail debian_fs/overlay_rootfs_unchanged \
			"the bundle rootfs changed under the default overlay; newer than the stamp:" \
			"$(find "$DEB_ROOTFS" -newer "$DEB_ROOTFS/../stamp" -o -cnewer "$DEB_ROOTFS/../stamp" | head)"
	fi
fi

# --- --overlay=none ----------------------------------------------------------

# The writes go through the gofer to the bundle's rootfs: here a scratch
# copy of the cached rootfs (never the cache itself), checked from the
# host and then removed.
NONE_ROOTFS=$SBX_WORK/none/rootfs
mkbundle_none() {
	local dir=$1
	shift
	"$TESTS_DIR/make-debian-rootfs.sh" "$SBX_WORK/none-config" "$@" >/dev/null &&
		cp "$SBX_WORK/none-config/config.json" "$dir/config.json"
}
if [ -z "$SBX_SKIP" ] && deb_selected overlay_none; then
	mkdir -p "$SBX_WORK/none"
	cp -a "$DEB_ROOTFS" "$NONE_ROOTFS"
	SBX_BUNDLE=$SBX_WORK/none
	SBX_MKBUNDLE=mkbundle_none
	SBX_OPTS=(--overlay=none)
fi
NONE_SCRIPT='
set -e
printf "written in the sandbox\n" >/etc/sandbox-file
chmod 640 /etc/sandbox-file; chown 12:34 /etc/sandbox-file
echo appended >>/etc/debian_version
mkdir /srv/newdir; ln -s ../etc/sandbox-file /srv/newdir/link
rm /etc/issue.net
stat -c "%n %a %u:%g %s" /etc/sandbox-file /etc/debian_version
'
if deb_case overlay_none -- bash -c "$NONE_SCRIPT"; then
	got=$(cd "$NONE_ROOTFS" && stat -c '%n %a %u:%g %s' etc/sandbox-file &&
		cat etc/sandbox-file && tail -n 1 etc/debian_version && readlink srv/newdir/link &&
		{ test -e etc/issue.net || echo "issue.net removed"; })
	want="etc/sandbox-file 640 12:34 23
written in the sandbox
appended
../etc/sandbox-file
issue.net removed"
	if [ "$got" = "$want" ]; then
		t_ok debian_fs/overlay_none_lands_in_rootfs
	else
		t_fail debian_fs/overlay_none_lands_in_rootfs "expected in the bundle rootfs:" "$want" \
			"found:" "$got"
	fi
fi
SBX_BUNDLE=$DEB_BUNDLE
SBX_MKBUNDLE=$TESTS_DIR/make-debian-rootfs.sh
rm -rf "$SBX_WORK/none"

results_summary
