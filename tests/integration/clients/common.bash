# Helpers shared by the real-client tests (sourced, never run; not *.sh so
# run-all.sh does not run it as a test).
#
# Each client test starts its own daemon under a temp dir, builds a busybox
# image from tests/make-bundle.sh's rootfs and drives the client with
# sandboxrun as its runtime. A client that is not installed gives skip lines.
# shellcheck shell=bash
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"

# CL_TIMEOUT: seconds any one client command may take.
CL_TIMEOUT=${CL_TIMEOUT:-60}
CL_SKIP=""
CL_CASES=()

# cl_init NAME: work dir, sandboxrun checks, busybox rootfs tarball
# ($CL_WORK/rootfs.tar). Sets CL_SKIP when the test cannot run.
cl_init() {
	CL_CLIENT=$1
	CL_WORK=$(mktemp -d "/tmp/sbx-$1.XXXXXX")
	chmod 0755 "$CL_WORK"
	CL_RUNTIME=$(realpath "$SANDBOXRUN" 2>/dev/null)
	if [ "$(id -u)" != 0 ]; then
		CL_SKIP="needs root"
	elif ! sandboxrun_usable; then
		CL_SKIP="$SANDBOXRUN not built or unusable"
	elif ! "$TESTS_DIR/make-bundle.sh" "$CL_WORK/bundle" sh >"$CL_WORK/mkbundle.log" 2>&1; then
		CL_SKIP="cannot build the busybox bundle: $(tail -n 1 "$CL_WORK/mkbundle.log")"
	elif ! tar -C "$CL_WORK/bundle/rootfs" --numeric-owner --owner=0 --group=0 \
		--sort=name --mtime=@0 -cf "$CL_WORK/rootfs.tar" . 2>"$CL_WORK/tar.log"; then
		CL_SKIP="cannot tar the rootfs: $(tail -n 1 "$CL_WORK/tar.log")"
	fi
}

# cl_skip_all REASON: one skip line per planned case (CL_CASES).
cl_skip_all() {
	local c
	for c in "${CL_CASES[@]}"; do
		t_skip "$CL_CLIENT/$c" "$1"
	done
}

# cl_remove_work PATTERN: how every client test's cleanup ends: kills, by
# pid, the processes whose command line matches PATTERN (the client's
# shims or monitors, which outlive it by design), then this test's
# sandbox leftovers; unmounts and removes $CL_WORK.
cl_remove_work() {
	local pid
	for pid in $(pgrep -f "$1" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	kill_tagged_leftovers "$CL_WORK"
	umount_under "$CL_WORK"
	rm -rf "$CL_WORK"
}

# begin NAME: starts a case; 1 (after a skip line) when it cannot run.
begin() {
	CL_NAME=$CL_CLIENT/$1
	CL_PROBLEMS=()
	CL_LOG=$CL_WORK/$1.log
	: >"$CL_LOG"
	if [ -n "$CL_SKIP" ]; then
		t_skip "$CL_NAME" "$CL_SKIP"
		return 1
	fi
	return 0
}

problem() { CL_PROBLEMS+=("$*"); }

# end: prints the case's verdict, with the tail of its log on failure.
end() {
	if [ ${#CL_PROBLEMS[@]} -eq 0 ]; then
		t_ok "$CL_NAME"
	else
		t_fail "$CL_NAME" "${CL_PROBLEMS[@]}" "log (last 15 lines):" "$(tail -n 15 "$CL_LOG")"
	fi
}

# run_cl CMD...: runs CMD with a time limit; stdout to $CL_OUT, both
# streams appended to the case's log. Sets CL_RC.
run_cl() {
	CL_OUT=$CL_WORK/out
	echo "\$ $*" >>"$CL_LOG"
	timeout -k 5 "$CL_TIMEOUT" "$@" >"$CL_OUT" 2>>"$CL_LOG" </dev/null
	CL_RC=$?
	cat "$CL_OUT" >>"$CL_LOG"
	return $CL_RC
}

# expect DESC CMD...: CMD must succeed.
expect() {
	local desc=$1
	shift
	run_cl "$@" || problem "$desc: exit $CL_RC"
}

# expect_output DESC WANT CMD...: CMD must succeed and print exactly WANT
# (carriage returns dropped, as a tty adds them).
expect_output() {
	local desc=$1 want=$2 got
	shift 2
	run_cl "$@"
	got=$(tr -d '\r' <"$CL_OUT")
	if [ "$CL_RC" != 0 ]; then
		problem "$desc: exit $CL_RC, output '$got'"
	elif [ "$got" != "$want" ]; then
		problem "$desc: output '$got', expected '$want'"
	fi
}

# expect_rc DESC RC CMD...: CMD must exit with RC.
expect_rc() {
	local desc=$1 want=$2
	shift 2
	run_cl "$@"
	[ "$CL_RC" = "$want" ] || problem "$desc: exit $CL_RC, expected $want"
}

# wait_for SECONDS CMD...: retries CMD every 0.1 s until it succeeds.
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# sha256_of FILE: the hex digest.
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# oci_blob LAYOUT FILE: moves FILE into LAYOUT's blobs; prints
# "sha256:HEX SIZE".
oci_blob() {
	local layout=$1 file=$2 hex size
	hex=$(sha256_of "$file")
	size=$(stat -c %s "$file")
	mkdir -p "$layout/blobs/sha256"
	mv "$file" "$layout/blobs/sha256/$hex"
	echo "sha256:$hex $size"
}

# make_oci_archive OUT.tar NAME: an OCI image layout (one uncompressed
# layer: the busybox rootfs) named NAME through containerd's annotation,
# as a tar archive `ctr image import` reads.
make_oci_archive() {
	local out=$1 name=$2 layout=$CL_WORK/oci diff_id layer config manifest
	rm -rf "$layout"
	mkdir -p "$layout"
	cp "$CL_WORK/rootfs.tar" "$layout/layer.tar"
	diff_id=sha256:$(sha256_of "$layout/layer.tar")
	read -r layer_digest layer_size < <(oci_blob "$layout" "$layout/layer.tar")
	cat >"$layout/config.json" <<EOF
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["$diff_id"]},"history":[{"created_by":"sandboxrun tests"}]}
EOF
	read -r config_digest config_size < <(oci_blob "$layout" "$layout/config.json")
	cat >"$layout/manifest.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$config_digest","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"$layer_digest","size":$layer_size}]}
EOF
	read -r manifest_digest manifest_size < <(oci_blob "$layout" "$layout/manifest.json")
	cat >"$layout/index.json" <<EOF
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$manifest_digest","size":$manifest_size,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"$name","org.opencontainers.image.ref.name":"${name##*:}"}}]}
EOF
	echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
	tar -C "$layout" -cf "$out" oci-layout index.json blobs
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 10).
stop_pid() {
	local pid=$1 limit=${2:-10} i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# Unmounts whatever a daemon left mounted under DIR (deepest first).
umount_under() {
	local dir=$1 m
	for m in $(awk -v d="$dir" '$2 ~ "^"d {print $2}' /proc/self/mounts | sort -r); do
		umount -l "$m" 2>/dev/null
	done
}
