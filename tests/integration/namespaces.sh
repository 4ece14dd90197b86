#!/bin/bash
# linux.namespaces with a path: a network namespace is joined by the
# sentry and its stubs (the monitor joins it before exec); other types
# with a path are refused clearly and leave nothing behind.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

R() { timeout -k 5 30 "$SANDBOXRUN" --root "$SBX_STATE" "$@"; }
command -v jq >/dev/null 2>&1 || SBX_SKIP=${SBX_SKIP:-"jq not installed"}
command -v unshare >/dev/null 2>&1 || SBX_SKIP=${SBX_SKIP:-"unshare not installed"}

begin() {
	SBX_NAME=$1
	SBX_PROBLEMS=()
	SBX_ERR=$SBX_WORK/${1//\//_}.err
	: >"$SBX_ERR"
	if [ -n "$SBX_SKIP" ]; then
		t_skip "$1" "$SBX_SKIP"
		return 1
	fi
}

bundle_with() {
	local f=$1
	shift
	"$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" "$@" >/dev/null
	jq "$f" "$SBX_BUNDLE/config.json" >"$SBX_WORK/c.json" && mv "$SBX_WORK/c.json" "$SBX_BUNDLE/config.json"
}

if begin namespaces/join_network_path; then
	unshare -n sleep 100 &
	holder=$!
	sleep 0.2
	want=$(readlink /proc/$holder/ns/net)
	bundle_with ".linux.namespaces = [{\"type\": \"pid\"}, {\"type\": \"network\", \"path\": \"/proc/$holder/ns/net\"}]" sleep 100
	R run -d --bundle "$SBX_BUNDLE" ns1 2>>"$SBX_ERR" || sbx_problem "run -d failed: $(cat "$SBX_ERR")"
	mon=$(R state ns1 2>/dev/null | jq -r .pid)
	sentry=$(pgrep -P "$mon" | head -n 1)
	[ -n "$sentry" ] || sbx_problem "no sentry under monitor $mon"
	got=$(readlink /proc/"$sentry"/ns/net 2>/dev/null)
	[ "$got" = "$want" ] || sbx_problem "sentry netns '$got', expected '$want'"
	for stub in $(pgrep -P "$sentry"); do
		[ "$(readlink /proc/"$stub"/ns/net)" = "$want" ] || sbx_problem "stub $stub not in the netns"
	done
	# Without a path: a fresh one, not the host's.
	bundle_with '.' sleep 100
	R run -d --bundle "$SBX_BUNDLE" ns2 2>>"$SBX_ERR" || sbx_problem "run -d (no path) failed"
	mon2=$(R state ns2 2>/dev/null | jq -r .pid)
	s2=$(pgrep -P "$mon2" | head -n 1)
	n2=$(readlink /proc/"$s2"/ns/net 2>/dev/null)
	{ [ "$n2" = "$want" ] || [ "$n2" = "$(readlink /proc/self/ns/net)" ]; } && sbx_problem "no fresh netns: $n2"
	R delete --force ns1 2>>"$SBX_ERR"
	R delete --force ns2 2>>"$SBX_ERR"
	kill "$holder"
	wait "$holder" 2>/dev/null
	sbx_end
fi

if begin namespaces/refused_paths; then
	bundle_with '.linux.namespaces = [{"type": "ipc", "path": "/proc/1/ns/ipc"}]' true
	R create --bundle "$SBX_BUNDLE" ns3 2>"$SBX_ERR" && sbx_problem "ipc path accepted"
	grep -q 'joining an existing ipc namespace (/proc/1/ns/ipc) is not supported' "$SBX_ERR" ||
		sbx_problem "error: $(cat "$SBX_ERR")"
	bundle_with '.linux.namespaces = [{"type": "network", "path": "/nonexistent/netns"}]' true
	R create --bundle "$SBX_BUNDLE" ns4 2>"$SBX_ERR" && sbx_problem "missing netns accepted"
	grep -q 'network namespace /nonexistent/netns: No such file' "$SBX_ERR" || sbx_problem "error: $(cat "$SBX_ERR")"
	bundle_with '.linux.namespaces = [{"type": "network", "path": "/proc/self/ns/ipc"}]' true
	R create --bundle "$SBX_BUNDLE" ns5 2>"$SBX_ERR" && sbx_problem "an ipc ns as network accepted"
	grep -q 'join the network namespace' "$SBX_ERR" || sbx_problem "error: $(cat "$SBX_ERR")"
	: >"$SBX_ERR"
	sbx_end
fi

results_summary
