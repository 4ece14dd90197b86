#!/bin/bash
# tests/bench/run.sh — `make bench`. A benchmark, not a test: it reports
# numbers and never fails because something is slow.
#
# (a) startup latency: `echo hello` run N times in the sandbox vs natively
#     (chroot into the same rootfs), and with runc/crun when installed;
# (b) syscall cost: bench_getpid natively vs in the sandbox;
# (c) fork cost: bench_fork (fork + _exit + wait of a process that touched
#     BENCH_FORK_MIB of private memory) natively vs in the sandbox;
# (d) clock_gettime(CLOCK_MONOTONIC) cost (the vDSO): bench_clock.
#
# Environment: BENCH_N (default 20) runs per startup measurement,
# BENCH_MS (default 500) duration of the getpid, fork and clock_gettime loops,
# BENCH_FORK_MIB (default 64) memory the forking process has touched.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

N=${BENCH_N:-20}
MS=${BENCH_MS:-500}
WORK=$(mktemp -d /tmp/sbx-bench.XXXXXX)
trap 'kill_tagged_leftovers "$WORK"; rm -rf "$WORK"' EXIT
BUNDLE=$WORK/bundle
STATE=$WORK/state
mkdir -p "$STATE"

now_ns() { date +%s%N; }

# mean_ms N CMD...: runs CMD N times (output discarded), prints the mean
# wall time in ms, or "failed" if any run failed.
mean_ms() {
	local n=$1 i t0 t1
	shift
	"$@" >/dev/null 2>&1 </dev/null || {
		echo failed
		return 1
	}
	t0=$(now_ns)
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 </dev/null || {
			echo failed
			return 1
		}
	done
	t1=$(now_ns)
	awk -v d="$((t1 - t0))" -v n="$n" 'BEGIN { printf "%.2f", d / n / 1e6 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
is_num() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }

"$TESTS_DIR/make-bundle.sh" "$BUNDLE" echo hello >/dev/null || exit 1
if [ -d "$BUILD/conformance" ]; then
	"$TESTS_DIR/bundle-add.sh" "$BUNDLE" conformance "$BUILD"/conformance/bench_getpid \
		"$BUILD"/conformance/bench_fork "$BUILD"/conformance/bench_clock
fi

# shellcheck disable=SC2317 # invoked through mean_ms
native_echo() { chroot "$BUNDLE/rootfs" /bin/busybox echo hello; }
# shellcheck disable=SC2317
sandbox_echo() { "$SANDBOXRUN" --root "$STATE" run --bundle "$BUNDLE" bench-echo; }
# runc and crun need /proc in the container (they close fds through
# /proc/self/fd): their bundle is the same rootfs with a proc mount.
RUNC_BUNDLE=$WORK/runc-bundle
mkdir -p "$RUNC_BUNDLE"
sed -e 's|"mounts": \[\]|"mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" } ]|' \
	-e "s|\"path\": \"rootfs\"|\"path\": \"$BUNDLE/rootfs\"|" \
	"$BUNDLE/config.json" >"$RUNC_BUNDLE/config.json"
# shellcheck disable=SC2317
runc_echo() { "$1" --root "$STATE/$1" run --bundle "$RUNC_BUNDLE" "bench-$1"; }

echo "== (a) startup latency: echo hello, mean of $N runs =="
native=$(mean_ms "$N" native_echo)
printf '%-28s %10s ms\n' "native (chroot)" "$native"
if sandboxrun_built; then
	sbx=$(mean_ms "$N" sandbox_echo)
	printf '%-28s %10s ms' "sandboxrun" "$sbx"
	if is_num "$sbx" && is_num "$native"; then
		printf '   (%s native)' "$(ratio "$sbx" "$native")"
	fi
	echo
else
	printf '%-28s %10s\n' "sandboxrun" "skipped: $SANDBOXRUN not built"
fi
for rt in runc crun; do
	if command -v "$rt" >/dev/null 2>&1; then
		mkdir -p "$STATE/$rt"
		t=$(mean_ms "$N" runc_echo "$rt")
		printf '%-28s %10s ms' "$rt" "$t"
		if is_num "$t" && is_num "${sbx:-}"; then
			printf '   (sandboxrun is %s %s)' "$(ratio "$sbx" "$t")" "$rt"
		fi
		echo
	else
		printf '%-28s %10s\n' "$rt" "skipped: not installed"
	fi
done

# bench_section TITLE PROGRAM REGEX ARGS...: PROGRAM natively and in the
# sandbox; REGEX (sed, one group) takes the figure to compare from its line.
bench_section() {
	local title=$1 prog=$2 re=$3 nat_line nat sbx_line sbx rc
	shift 3
	echo
	echo "== $title =="
	if [ ! -x "$BUILD/conformance/$prog" ]; then
		echo "skipped: $BUILD/conformance/$prog not built (make conformance)"
		return 0
	fi
	nat_line=$("$BUILD/conformance/$prog" "$@")
	nat=$(sed -n "s/$re/\\1/p" <<<"$nat_line")
	printf '%-28s %s\n' "native" "$nat_line"
	if ! sandboxrun_built; then
		printf '%-28s skipped: %s not built\n' "sandboxrun" "$SANDBOXRUN"
		return 0
	fi
	"$TESTS_DIR/make-bundle.sh" "$BUNDLE" "/conformance/$prog" "$@" >/dev/null
	sbx_line=$(timeout -k 5 120 "$SANDBOXRUN" --root "$STATE" run --bundle "$BUNDLE" "bench-$prog" </dev/null 2>"$WORK/err")
	rc=$?
	sbx=$(sed -n "s/$re/\\1/p" <<<"$sbx_line")
	if [ $rc -eq 0 ] && is_num "$sbx"; then
		printf '%-28s %s   (%s native)\n' "sandboxrun" "$sbx_line" "$(ratio "$sbx" "$nat")"
	else
		printf '%-28s failed (exit %s): %s\n' "sandboxrun" "$rc" "$(tail -n 3 "$WORK/err")"
	fi
}

bench_section "(b) syscall cost: getpid loop for ${MS} ms" bench_getpid \
	'^getpid: \([0-9.]*\) ns.*' "$MS"
FORK_MIB=${BENCH_FORK_MIB:-64}
bench_section "(c) fork + exit + wait after touching ${FORK_MIB} MiB, for ${MS} ms" bench_fork \
	'^fork: \([0-9.]*\) us.*' "$FORK_MIB" "$MS"
bench_section "(d) clock_gettime(CLOCK_MONOTONIC) through libc (the vDSO), loop for ${MS} ms" bench_clock \
	'^clock_gettime: \([0-9.]*\) ns.*' "$MS"
exit 0
