#!/bin/bash
# epoll on host stdio: the workload's stdin is a host pipe that the test
# writes in bursts; the program reads it to its end through epoll,
# edge-triggered (each burst must be a new edge after the previous one
# was drained) and level-triggered.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

PROG=$BUILD/conformance/epoll_stdin
if [ -z "$SBX_SKIP" ] && [ ! -x "$PROG" ]; then
	SBX_SKIP="no $PROG: run make conformance"
fi
[ -z "$SBX_SKIP" ] && "$TESTS_DIR/bundle-add.sh" "$SBX_BUNDLE" conformance "$PROG"

# Feeds a FIFO in three bursts, then closes it.
feed() {
	local fifo=$SBX_WORK/stdin.fifo
	rm -f "$fifo"
	mkfifo "$fifo"
	(
		printf 'hello\n'
		sleep 0.3
		printf 'world\n'
		sleep 0.3
		printf 'bye\n'
	) >"$fifo" &
	SBX_STDIN=$fifo
}

for mode in et lt; do
	feed
	if sbx_begin "events/epoll_host_stdin_$mode" /conformance/epoll_stdin "$mode"; then
		expect_rc 0
		expect_out "$(printf 'hello\nworld\nbye\neof')"
		sbx_end
	fi
	wait
done

results_summary
[ "$T_FAIL" -eq 0 ]
