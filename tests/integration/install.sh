#!/bin/bash
# `sandboxrun install`/`uninstall` on a temporary daemon.json: the runtimes
# entry added (realpath of the binary) and removed, idempotent, every other
# key kept as it was.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

W=$(mktemp -d /tmp/sbx-install.XXXXXX)
trap 'rm -rf "$W"' EXIT
F=$W/daemon.json
SELF=$(realpath "$SANDBOXRUN")

check() { # NAME COND_DESC... via problems array
	if [ ${#P[@]} -eq 0 ]; then t_ok "$1"; else t_fail "$1" "${P[@]}"; fi
}

if ! sandboxrun_built || ! command -v jq >/dev/null 2>&1; then
	t_skip install/all "sandboxrun not built or jq missing"
	results_summary
	exit 0
fi

P=()
cat >"$F" <<'EOF'
{
  "log-level": "warn",
  "max-concurrent-downloads": 3.50,
  "runtimes": {"crun": {"path": "/usr/bin/crun", "runtimeArgs": ["--debug"]}},
  "features": {"buildkit": true},
  "x": null
}
EOF
jq -S 'del(.runtimes)' "$F" >"$W/others.before"
"$SANDBOXRUN" install --config "$F" >/dev/null 2>"$W/err" || P+=("install failed: $(cat "$W/err")")
[ "$(jq -r '.runtimes["runsc-c"].path' "$F")" = "$SELF" ] || P+=("entry: $(cat "$F")")
[ "$(jq -r '.runtimes.crun.runtimeArgs[0]' "$F")" = --debug ] || P+=("crun entry lost: $(cat "$F")")
jq -S 'del(.runtimes)' "$F" | cmp -s - "$W/others.before" || P+=("other keys changed: $(cat "$F")")
grep -q '"max-concurrent-downloads": 3.50' "$F" || P+=("number rewritten: $(cat "$F")")
cp "$F" "$W/once"
"$SANDBOXRUN" install --config "$F" >/dev/null 2>>"$W/err" || P+=("second install failed")
cmp -s "$F" "$W/once" || P+=("install is not idempotent: $(diff "$W/once" "$F")")
"$SANDBOXRUN" uninstall --config "$F" 2>>"$W/err" || P+=("uninstall failed")
[ "$(jq -r '.runtimes | keys | join(",")' "$F")" = crun ] || P+=("after uninstall: $(cat "$F")")
jq -S 'del(.runtimes)' "$F" | cmp -s - "$W/others.before" || P+=("other keys changed by uninstall")
"$SANDBOXRUN" uninstall --config "$F" 2>>"$W/err" || P+=("second uninstall failed")
check install/keeps_other_keys

P=()
"$SANDBOXRUN" install --runtime gvisor --config "$W/new.json" >/dev/null 2>"$W/err" || P+=("install to a new file failed: $(cat "$W/err")")
[ "$(jq -c . "$W/new.json")" = "{\"runtimes\":{\"gvisor\":{\"path\":\"$SELF\"}}}" ] || P+=("new file: $(cat "$W/new.json")")
"$SANDBOXRUN" uninstall --runtime gvisor --config "$W/new.json" 2>>"$W/err" || P+=("uninstall failed")
[ "$(jq -c . "$W/new.json")" = "{}" ] || P+=("after uninstall: $(cat "$W/new.json")")
echo '{"a": [1,' >"$W/bad.json"
"$SANDBOXRUN" install --config "$W/bad.json" 2>"$W/err" >/dev/null && P+=("invalid JSON accepted")
grep -q "invalid JSON" "$W/err" || P+=("error: $(cat "$W/err")")
[ "$(cat "$W/bad.json")" = '{"a": [1,' ] || P+=("invalid file modified")
check install/new_file_and_errors

results_summary
