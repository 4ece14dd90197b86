#!/bin/bash
# tests/bench/run.sh — `make bench`. A benchmark, not a test: it reports
# numbers and never fails because something is slow.
#
# (a) startup latency: `echo hello` run N times in the sandbox vs natively
#     (chroot into the same rootfs), and with runc/crun when installed;
# (b) syscall cost: bench_getpid natively vs in the sandbox;
# (c) clock_gettime(CLOCK_MONOTONIC) cost (the vDSO): bench_clock.
#
# Environment: BENCH_N (default 20) runs per startup measurement,
# BENCH_MS (default 500) duration of the getpid and clock_gettime loops.
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
		"$BUILD"/conformance/bench_clock
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

echo
# per_call NAME PROG PATTERN: runs the loop benchmark PROG natively and in
# the sandbox; prints both lines and the ratio.
per_call() {
	local name=$1 prog=$BUILD/conformance/$2 pat=$3
	if [ ! -x "$prog" ]; then
		echo "skipped: $prog not built (make conformance)"
		return 0
	fi
	local nat_line nat_ns sbx_line sbx_ns rc
	nat_line=$("$prog" "$MS")
	nat_ns=$(sed -n "s/^$pat: \([0-9.]*\) ns.*/\1/p" <<<"$nat_line")
	printf '%-28s %s\n' "native" "$nat_line"
	if ! sandboxrun_built; then
		printf '%-28s skipped: %s not built\n' "sandboxrun" "$SANDBOXRUN"
		return 0
	fi
	"$TESTS_DIR/make-bundle.sh" "$BUNDLE" "/conformance/$2" "$MS" >/dev/null
	sbx_line=$(timeout -k 5 120 "$SANDBOXRUN" --root "$STATE" run --bundle "$BUNDLE" "bench-$name" </dev/null 2>"$WORK/err")
	rc=$?
	sbx_ns=$(sed -n "s/^$pat: \([0-9.]*\) ns.*/\1/p" <<<"$sbx_line")
	if [ $rc -eq 0 ] && is_num "$sbx_ns"; then
		printf '%-28s %s   (%s native)\n' "sandboxrun" "$sbx_line" "$(ratio "$sbx_ns" "$nat_ns")"
	else
		printf '%-28s failed (exit %s): %s\n' "sandboxrun" "$rc" "$(tail -n 3 "$WORK/err")"
	fi
}

echo
echo "== (b) syscall cost: getpid loop for ${MS} ms =="
per_call getpid bench_getpid getpid

echo
echo "== (c) clock_gettime(CLOCK_MONOTONIC) through libc (the vDSO), loop for ${MS} ms =="
per_call clock bench_clock clock_gettime
exit 0
