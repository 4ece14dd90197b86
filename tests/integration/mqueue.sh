#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# POSIX message queues under runc's default spec (`sandboxrun spec`), which
# mounts mqueue on /dev/mqueue: the mount is in /proc/mounts, a queue made
# with mq_open appears there as a file whose text is Linux's, and unlinking
# that file removes the queue. The program is tests/conformance/mqueue_fs
# in its "hold NAME" mode (creates /NAME with one 5-byte message).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

PROG=$BUILD/conformance/mqueue_fs
if [ -z "$SBX_SKIP" ] && [ ! -x "$PROG" ]; then
	SBX_SKIP="no $PROG: run make conformance"
fi
[ -z "$SBX_SKIP" ] && "$TESTS_DIR/bundle-add.sh" "$SBX_BUNDLE" conformance "$PROG"

# runc's default config with the process replaced (and no terminal).
spec_config() {
	local cmd=${1//&/\\&} # & means the match to sed
	mkdir -p "$SBX_WORK/spec" && "$SANDBOXRUN" spec --bundle "$SBX_WORK/spec" >/dev/null 2>&1 || return 1
	sed -e 's/"terminal": true/"terminal": false/' \
		-e "s#^\t\t\t\"sh\"\$#\t\t\t\"sh\", \"-c\", \"$cmd\"#" \
		"$SBX_WORK/spec/config.json"
}

if [ -z "$SBX_SKIP" ]; then
	SBX_CONFIG=$(spec_config '/conformance/mqueue_fs hold itest && grep mqueue /proc/mounts && ls /dev/mqueue && test -f /dev/mqueue/itest && stat -c %a:%s /dev/mqueue/itest && cat /dev/mqueue/itest && rm /dev/mqueue/itest && ls -A /dev/mqueue | wc -l')
	grep -q mqueue_fs <<<"$SBX_CONFIG" || SBX_SKIP="cannot make the default spec"
fi
if sbx_begin mqueue/default_spec; then
	expect_rc 0
	expect_out "$(printf '%s\n' 'ready' \
		'mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime 0 0' \
		'itest' \
		'640:80' \
		'QSIZE:5          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     ' \
		'0')"
	sbx_end
fi

# No warning about mqueue at boot any more.
if [ -z "$SBX_SKIP" ]; then
	SBX_CONFIG=$(spec_config 'true')
fi
if sbx_begin mqueue/no_skip_warning; then
	expect_rc 0
	grep -qi 'mqueue' "$SBX_ERR" && sbx_problem "stderr mentions mqueue: $(cat "$SBX_ERR")"
	sbx_end
fi
