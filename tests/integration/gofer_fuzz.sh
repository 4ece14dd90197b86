#!/bin/bash
# A short run of the gofer message decoder fuzzer (fuzz/gofer_decode_fuzz.c),
# when `make fuzz-build` could build it (clang with libFuzzer): seeds from
# the encoders, FUZZ_SMOKE_SECONDS of mutations, no crash or failed check.
# `make fuzz` runs it longer.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

FUZZER=$BUILD/fuzz/gofer_decode_fuzz
SEEDS=$BUILD/fuzz/gofer_seeds
SECONDS_LIMIT=${FUZZ_SMOKE_SECONDS:-10}

if [ ! -x "$FUZZER" ] || [ ! -x "$SEEDS" ]; then
	t_skip fuzz/gofer_decode "no fuzzer in $BUILD/fuzz (clang with libFuzzer not available)"
	results_summary
	exit 0
fi
work=$(mktemp -d /tmp/sbx-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/crashes"
if ! "$SEEDS" "$work/seeds" >"$work/seeds.log" 2>&1 || [ -s "$work/seeds.log" ]; then
	t_fail fuzz/gofer_seeds "the seed generator failed:" "$(cat "$work/seeds.log")"
elif "$FUZZER" -max_total_time="$SECONDS_LIMIT" -artifact_prefix="$work/crashes/" \
	"$work/corpus" "$work/seeds" >"$work/fuzz.log" 2>&1; then
	t_ok fuzz/gofer_decode
else
	t_fail fuzz/gofer_decode "the fuzzer found a problem (reproduce with the input below):" \
		"$(grep -E 'ERROR|SUMMARY|Test unit written|abort' "$work/fuzz.log" | head -n 10)" \
		"$(for f in "$work"/crashes/*; do [ -f "$f" ] && xxd "$f" | head -n 20; done)"
fi
results_summary
