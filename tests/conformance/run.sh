#!/bin/bash
# tests/conformance/run.sh [NAME...]
#
# Runs every conformance program (build/conformance/NAME, built by
# `make conformance`) natively, with cwd / and a clean environment, and
# inside the sandbox (a busybox bundle whose rootfs has the programs under
# /conformance), then compares stdout and exit status byte for byte.
# Prints one "ok|FAIL|skip conformance/NAME" line per program and platform.
#
# Environment:
#   BUILD=build            build directory (build-asan for `make asan`)
#   PLATFORMS="ptrace kvm" platforms to run the sandbox side on (each passed
#                          as --platform); default: the CLI's default only
#   CONF_TIMEOUT=120       seconds one run may take
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

CONF_DIR=$BUILD/conformance
CONF_TIMEOUT=${CONF_TIMEOUT:-120}
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ ! -d "$CONF_DIR" ]; then
	t_fail conformance "no $CONF_DIR: run make conformance"
	exit 1
fi
# Data files the programs expect next to themselves (e.g. the #! script).
cp -p "$TESTS_DIR"/conformance/data/* "$CONF_DIR"/

tests=()
if [ $# -gt 0 ]; then
	tests=("$@")
else
	# The sources name the tests, so a stale binary in the build
	# directory never runs.
	for src in "$TESTS_DIR"/conformance/*.c; do
		name=${src##*/}
		name=${name%.c}
		case $name in bench_*) continue ;; esac
		tests+=("$name")
	done
fi

WORK=$(mktemp -d /tmp/sbx-conf.XXXXXX)
cleanup() {
	kill_tagged_leftovers "$WORK"
	rm -rf "$WORK"
}
trap cleanup EXIT

# Output of a failed comparison, shortened.
show() {
	local label=$1 file=$2
	[ -s "$file" ] || return 0
	echo "--- $label (last 20 lines):"
	tail -n 20 "$file"
}

run_native() {
	local name=$1
	local out=$WORK/$name.native
	(cd / && exec env -i PATH="$CLEAN_PATH" timeout -k 5 "$CONF_TIMEOUT" \
		"$CONF_DIR/$name") </dev/null >"$out.out" 2>"$out.err"
	echo $? >"$out.rc"
}

BUNDLE=$WORK/bundle
STATE=$WORK/state
bundle_ready=0
make_conf_bundle() {
	[ $bundle_ready = 1 ] && return 0
	"$TESTS_DIR/make-bundle.sh" "$BUNDLE" true >/dev/null &&
		"$TESTS_DIR/bundle-add.sh" "$BUNDLE" conformance "$CONF_DIR"/* || return 1
	mkdir -p "$STATE"
	bundle_ready=1
}

# run_sandbox NAME PLATFORM(or "") -> $WORK/NAME.PLATFORM.{out,err,rc}
run_sandbox() {
	local name=$1 plat=$2
	local out=$WORK/$name.sbx${plat:+.$plat}
	local popt=()
	[ -n "$plat" ] && popt=(--platform "$plat")
	"$TESTS_DIR/make-bundle.sh" "$BUNDLE" "/conformance/$name" >/dev/null
	timeout -k 5 "$CONF_TIMEOUT" "$SANDBOXRUN" --root "$STATE" "${popt[@]}" \
		run --bundle "$BUNDLE" "conf-$name-$$" </dev/null >"$out.out" 2>"$out.err"
	echo $? >"$out.rc"
	leftovers "$STATE" "$WORK" >"$out.left"
	kill_tagged_leftovers "$WORK"
	rm -rf "${STATE:?}"/*
}

# Whether the sandbox side can run on PLATFORM: prints a skip reason if not.
platform_unavailable() {
	local plat=$1
	if ! sandboxrun_built; then
		echo "$SANDBOXRUN not built"
		return 0
	fi
	make_conf_bundle || {
		echo "cannot build the conformance bundle"
		return 0
	}
	[ -z "$plat" ] && return 1
	if [ "$plat" = kvm ] && [ ! -e /dev/kvm ]; then
		echo "no /dev/kvm"
		return 0
	fi
	"$TESTS_DIR/make-bundle.sh" "$BUNDLE" /bin/true >/dev/null
	local err
	err=$(timeout -k 5 60 "$SANDBOXRUN" --root "$STATE" --platform "$plat" \
		run --bundle "$BUNDLE" "conf-probe-$$" </dev/null 2>&1 >/dev/null)
	local rc=$?
	rm -rf "${STATE:?}"/*
	if [ $rc -ne 0 ] && grep -qiE 'not implemented|not supported|unknown platform|unsupported' <<<"$err"; then
		echo "$plat platform not implemented"
		return 0
	fi
	return 1
}

platforms=("")
if [ -n "${PLATFORMS:-}" ]; then
	read -r -a platforms <<<"$PLATFORMS"
fi

declare -A skip_reason
for plat in "${platforms[@]}"; do
	if reason=$(platform_unavailable "$plat"); then
		skip_reason[${plat:-default}]=$reason
	fi
done

for name in "${tests[@]}"; do
	if [ ! -x "$CONF_DIR/$name" ]; then
		t_fail "conformance/$name" "no such program $CONF_DIR/$name"
		continue
	fi
	run_native "$name"
	n=$WORK/$name.native
	nrc=$(cat "$n.rc")
	for plat in "${platforms[@]}"; do
		label=conformance/$name${plat:+@$plat}
		# Every program must pass natively first: otherwise the test (or
		# the host) is wrong, not the sandbox.
		if [ "$nrc" != 0 ]; then
			t_fail "$label" "native run failed (exit $nrc)" \
				"$(grep -v '^PASS ' "$n.out" | tail -n 20)" "$(show stderr "$n.err")"
			continue
		fi
		if [ -n "${skip_reason[${plat:-default}]:-}" ]; then
			t_skip "$label" "${skip_reason[${plat:-default}]}"
			continue
		fi
		run_sandbox "$name" "$plat"
		s=$WORK/$name.sbx${plat:+.$plat}
		src=$(cat "$s.rc")
		if [ "$src" = "$nrc" ] && cmp -s "$n.out" "$s.out" && [ ! -s "$s.left" ]; then
			t_ok "$label"
			continue
		fi
		details=()
		[ "$src" != "$nrc" ] && details+=("exit status: native $nrc, sandbox $src")
		[ "$src" = 124 ] && details+=("(timed out after ${CONF_TIMEOUT}s)")
		if [ ! -s "$s.out" ]; then
			details+=("sandbox printed nothing")
		elif ! cmp -s "$n.out" "$s.out"; then
			# What the sandbox said differently first (its FAIL lines),
			# then what it did not get to say.
			details+=("sandbox lines that differ from native:")
			details+=("$(diff "$n.out" "$s.out" | sed -n 's/^> /+ /p' | head -n 40)")
			missing=$(diff "$n.out" "$s.out" | grep -c '^< ')
			details+=("$missing native lines missing or different, first ones:")
			details+=("$(diff "$n.out" "$s.out" | sed -n 's/^< /- /p' | head -n 5)")
		fi
		[ -s "$s.left" ] && details+=("left behind: $(cat "$s.left")")
		details+=("$(show "sandbox stderr" "$s.err")")
		t_fail "$label" "${details[@]}"
	done
done

[ "$T_FAIL" -eq 0 ]
