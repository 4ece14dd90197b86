#!/bin/bash
# Broken bundles: `run` must fail with exit status 1 and an error naming the
# problem, on stderr and (with --log-format json --log FILE) as a
# {"level":"error",...} line in the log; and leave nothing behind.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

LOG=$SBX_WORK/log.json

# A valid config with one part replaced: $1 is the "process" object body's
# args line, $2 the root path.
config_with() {
	local args_line=$1 root=${2:-rootfs}
	cat <<JSON
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		$args_line
		"env": [ "PATH=/usr/sbin:/usr/bin:/sbin:/bin" ],
		"cwd": "/"
	},
	"root": { "path": "$root", "readonly": false },
	"hostname": "sandbox",
	"mounts": []
}
JSON
}

# error_case NAME FIELD-REGEX: runs with SBX_CONFIG set, expects exit 1, the
# field on stderr and a json error line in the log.
error_case() {
	local name=$1 field=$2
	rm -f "$LOG"
	SBX_OPTS=(--log "$LOG" --log-format json)
	if sbx_begin "$name"; then
		expect_rc 1
		expect_out ""
		expect_err_nonempty
		expect_err_re "$field"
		if [ ! -s "$LOG" ]; then
			sbx_problem "--log $LOG: empty or missing"
		elif ! grep -qE '^\{.*"level" *: *"error"' "$LOG"; then
			sbx_problem "--log: no {\"level\":\"error\"} line in: $(head -c 400 "$LOG")"
		elif ! grep -E '"level" *: *"error"' "$LOG" | grep -qiE "$field"; then
			sbx_problem "--log: the error line does not mention /$field/: $(head -c 400 "$LOG")"
		fi
		if command -v jq >/dev/null 2>&1 && [ -s "$LOG" ] && ! jq -e . "$LOG" >/dev/null 2>&1; then
			sbx_problem "--log: not valid JSON lines: $(head -c 400 "$LOG")"
		fi
		sbx_end
	fi
}

SBX_CONFIG='{ "ociVersion": "1.0.2", "process": { "args": ["sh"], '
error_case config/invalid_json 'json|parse|syntax|config'

SBX_CONFIG=$(config_with '')
error_case config/args_missing 'process\.args'

SBX_CONFIG=$(config_with '"args": "sh",')
error_case config/args_not_array 'process\.args'

SBX_CONFIG=$(config_with '"args": [],')
error_case config/args_empty 'process\.args'

SBX_CONFIG=$(config_with '"args": [1, 2],')
error_case config/args_not_strings 'process\.args'

SBX_CONFIG=$(config_with '"args": ["true"],' missing-rootfs)
error_case config/root_path_missing 'root\.path'

SBX_CONFIG=$(config_with '"args": ["true"],' /etc/hostname)
error_case config/root_path_not_dir 'root\.path'

SBX_CONFIG='[1, 2, 3]'
error_case config/not_an_object 'json|object|config'

SBX_CONFIG=''
SBX_RAW=1
error_case config/empty_file 'json|parse|config|empty'

# No config.json at all.
rm -f "$LOG"
SBX_OPTS=(--log "$LOG" --log-format json)
if [ -n "$SBX_SKIP" ]; then
	t_skip config/missing_file "$SBX_SKIP"
else
	SBX_NAME=config/missing_file
	SBX_PROBLEMS=()
	mkdir -p "$SBX_WORK/empty-bundle"
	timeout -k 5 "$SBX_TIMEOUT" "$SANDBOXRUN" --root "$SBX_STATE" "${SBX_OPTS[@]}" \
		run --bundle "$SBX_WORK/empty-bundle" cfg-missing </dev/null \
		>"$SBX_WORK/mf.out" 2>"$SBX_WORK/mf.err"
	SBX_RC=$?
	SBX_OUT=$SBX_WORK/mf.out
	SBX_ERR=$SBX_WORK/mf.err
	expect_rc 1
	expect_err_re 'config\.json'
	grep -qE '"level" *: *"error"' "$LOG" 2>/dev/null ||
		sbx_problem "--log: no {\"level\":\"error\"} line"
	sbx_end
fi

# The text log format gets the error too.
SBX_CONFIG=$(config_with '"args": "sh",')
rm -f "$LOG"
SBX_OPTS=(--log "$LOG")
if sbx_begin config/text_log; then
	expect_rc 1
	if ! grep -q 'process\.args' "$LOG" 2>/dev/null; then
		sbx_problem "--log (text): no error naming process.args: $(head -c 400 "$LOG" 2>/dev/null)"
	fi
	sbx_end
fi

# After all these failures a good config still runs.
if sbx_begin config/good_after_errors echo fine; then
	expect_rc 0
	expect_out fine
	sbx_end
fi

results_summary
