#!/bin/bash
# tests/run-all.sh — the `make test` driver (BUILD=build or build-asan).
#
# Runs, in order: every unit test binary ($BUILD/unit/*, one test case
# each), the conformance suite (tests/conformance/run.sh) and the
# integration scripts (tests/integration/*.sh, then the real-client tests
# tests/integration/clients/*.sh). Every test case prints one
# line "ok NAME", "FAIL NAME" (details indented below it) or
# "skip NAME: why"; the last line is "N passed, M failed" (", K skipped"
# appended when K > 0). Exits non-zero iff something failed.
#
# Extra arguments select parts: unit, conformance, integration.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
PASS=0
FAIL=0
SKIP=0

if [ "$(id -u)" != 0 ]; then
	echo "# warning: not root; the sandbox and some tests need root" >&2
fi

# Echoes a sub-suite's output and counts its result lines. A suite that
# fails without reporting any failure counts as one failure itself.
count_results() {
	local line had_fail=0
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"ok "*) PASS=$((PASS + 1)) ;;
		"FAIL "*)
			FAIL=$((FAIL + 1))
			had_fail=1
			;;
		"skip "*) SKIP=$((SKIP + 1)) ;;
		esac
	done
	SUITE_HAD_FAIL=$had_fail
}

run_suite() {
	local name=$1
	shift
	local status_file
	status_file=$(mktemp)
	count_results < <(
		"$@" 2>&1
		echo $? >"$status_file"
	)
	local rc
	rc=$(cat "$status_file")
	rm -f "$status_file"
	if [ "$rc" != 0 ] && [ "$SUITE_HAD_FAIL" = 0 ]; then
		echo "FAIL $name"
		echo "    exited with status $rc without reporting a failure"
		FAIL=$((FAIL + 1))
	fi
}

run_units() {
	local t name out rc
	if ! compgen -G "$BUILD/unit/*" >/dev/null; then
		echo "# no unit tests in $BUILD/unit"
		return
	fi
	out=$(mktemp)
	for t in "$BUILD"/unit/*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
		name=unit/${t##*/}
		# CK_DEFAULT_TIMEOUT: Check's per-test limit, generous under ASAN.
		CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60} timeout -k 5 "$UNIT_TIMEOUT" "$t" >"$out" 2>&1
		rc=$?
		sed 's/^/    /' "$out"
		if [ $rc -eq 0 ]; then
			echo "ok $name"
			PASS=$((PASS + 1))
		else
			echo "FAIL $name"
			if [ $rc -eq 124 ]; then
				echo "    timed out after ${UNIT_TIMEOUT}s"
			else
				echo "    exit status $rc"
			fi
			FAIL=$((FAIL + 1))
		fi
	done
	rm -f "$out"
}

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(unit conformance integration)
start=$(date +%s)
for part in "${parts[@]}"; do
	case $part in
	unit)
		echo "# unit tests ($BUILD/unit)"
		run_units
		;;
	conformance)
		echo "# conformance (native vs sandbox)"
		run_suite conformance "$TESTS_DIR/conformance/run.sh"
		;;
	integration)
		# clients/: real container clients (each skips when absent).
		for s in "$TESTS_DIR"/integration/*.sh "$TESTS_DIR"/integration/clients/*.sh; do
			[ -e "$s" ] || continue
			s_name=${s#"$TESTS_DIR"/}
			echo "# ${s_name}"
			run_suite "${s_name}" "$s"
		done
		;;
	*)
		echo "unknown part: $part (unit, conformance, integration)" >&2
		exit 2
		;;
	esac
done
echo "# took $(($(date +%s) - start))s"

summary="$PASS passed, $FAIL failed"
[ "$SKIP" -gt 0 ] && summary+=", $SKIP skipped"
echo "$summary"
[ "$FAIL" -eq 0 ]
