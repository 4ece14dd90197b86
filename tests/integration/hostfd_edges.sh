#!/bin/bash
# Edge-triggered epoll on a host pipe (the workload's stdin) when data
# arrives between the reader's EAGAIN and its next epoll_wait: the
# arrival is an edge, as on Linux (tests/conformance/epoll_edge_late.c).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

PROG=$BUILD/conformance/epoll_edge_late
if [ -z "$SBX_SKIP" ] && [ ! -x "$PROG" ]; then
	SBX_SKIP="no $PROG: run make conformance"
fi
[ -z "$SBX_SKIP" ] && "$TESTS_DIR/bundle-add.sh" "$SBX_BUNDLE" conformance "$PROG"

# A skipped case starts no feeder, which would block on the FIFO.
fifo=$SBX_WORK/stdin.fifo
mkfifo "$fifo"
[ -z "$SBX_SKIP" ] && (
	printf 'hello\n'
	sleep 0.3
	printf 'world\n'
	sleep 0.3
	printf 'bye\n'
) >"$fifo" &
SBX_STDIN=$fifo
if sbx_begin hostfd/epoll_et_arrival_between_waits /conformance/epoll_edge_late stdin; then
	expect_rc 0
	expect_out "$(printf 'hello\nworld\nbye\neof')"
	sbx_end
fi
wait

results_summary
[ "$T_FAIL" -eq 0 ]
