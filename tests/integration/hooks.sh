#!/bin/bash
# OCI hooks through the real CLI: each kind runs at its point of the
# lifecycle with the state JSON on stdin, its args and env; a failing or
# timing-out create-time hook fails the command and leaves nothing behind;
# failing poststart/poststop hooks only warn.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

R() { timeout -k 5 30 "$SANDBOXRUN" --root "$SBX_STATE" "$@"; }
command -v jq >/dev/null 2>&1 || SBX_SKIP=${SBX_SKIP:-"jq not installed"}

# The hook: records its name (argv[1]) in order, its stdin and an env var.
HOOK=$SBX_WORK/hook.sh
cat >"$HOOK" <<'EOF'
#!/bin/sh
echo "$1" >>"$HOOK_DIR/order"
cat >"$HOOK_DIR/$1.json"
echo "$HOOKVAR" >"$HOOK_DIR/$1.env"
EOF
chmod +x "$HOOK"

begin() {
	SBX_NAME=$1
	SBX_PROBLEMS=()
	SBX_OUT=$SBX_WORK/$1.out
	SBX_ERR=$SBX_WORK/$1.err
	HD=$SBX_WORK/hooks-$1
	rm -rf "$HD"
	mkdir -p "$HD" "$(dirname "$SBX_OUT")"
	: >"$SBX_OUT"
	: >"$SBX_ERR"
	if [ -n "$SBX_SKIP" ]; then
		t_skip "$1" "$SBX_SKIP"
		return 1
	fi
}

must() {
	local desc=$1
	shift
	"$@" 2>>"$SBX_ERR" || sbx_problem "$desc failed (exit $?): $(tail -n 2 "$SBX_ERR")"
}

# bundle_with HOOKS_JSON ARGS...: a bundle running ARGS with .hooks set.
bundle_with() {
	local hooks=$1
	shift
	"$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" "$@" >/dev/null
	jq --argjson h "$hooks" '.hooks = $h' "$SBX_BUNDLE/config.json" >"$SBX_WORK/c.json" &&
		mv "$SBX_WORK/c.json" "$SBX_BUNDLE/config.json"
}

# hook NAME [TIMEOUT]: our recording hook as a JSON hook object.
hook() {
	local t=""
	[ -n "${2:-}" ] && t=", \"timeout\": $2"
	printf '{"path": "%s", "args": ["hook.sh", "%s"], "env": ["HOOKVAR=v-%s", "HOOK_DIR=%s"]%s}' \
		"$HOOK" "$1" "$1" "$HD" "$t"
}

all_hooks() {
	printf '{"prestart": [%s], "createRuntime": [%s], "createContainer": [%s], "startContainer": [%s], "poststart": [%s], "poststop": [%s]}' \
		"$(hook prestart)" "$(hook createRuntime)" "$(hook createContainer 5)" \
		"$(hook startContainer)" "$(hook poststart)" "$(hook poststop)"
}

field() { jq -r ".$2" "$HD/$1.json" 2>/dev/null; }

expect_hook() { # NAME STATUS ID
	[ -f "$HD/$1.json" ] || { sbx_problem "$1 hook did not run"; return; }
	[ "$(field "$1" status)" = "$2" ] || sbx_problem "$1: status '$(field "$1" status)', expected '$2'"
	[ "$(field "$1" id)" = "$3" ] || sbx_problem "$1: id '$(field "$1" id)'"
	[ "$(field "$1" bundle)" = "$(realpath "$SBX_BUNDLE")" ] || sbx_problem "$1: bundle '$(field "$1" bundle)'"
	[ "$(cat "$HD/$1.env")" = "v-$1" ] || sbx_problem "$1: env HOOKVAR '$(cat "$HD/$1.env")'"
}

order() { tr '\n' ' ' <"$HD/order" 2>/dev/null | sed 's/ $//'; }

if begin hooks/create_start_delete; then
	bundle_with "$(all_hooks)" sh -c 'echo started; sleep 100'
	must create R create --bundle "$SBX_BUNDLE" --pid-file "$SBX_WORK/h1.pid" h1 >"$SBX_OUT"
	[ "$(order)" = "prestart createRuntime createContainer" ] || sbx_problem "after create: '$(order)'"
	for h in prestart createRuntime createContainer; do
		expect_hook $h creating h1
		[ "$(field $h pid)" = "$(cat "$SBX_WORK/h1.pid")" ] || sbx_problem "$h: pid '$(field $h pid)'"
	done
	grep -q started "$SBX_OUT" && sbx_problem "init ran before start"
	must start R start h1
	[ "$(order)" = "prestart createRuntime createContainer startContainer poststart" ] ||
		sbx_problem "after start: '$(order)'"
	expect_hook startContainer created h1
	expect_hook poststart running h1
	must kill R kill h1 KILL
	R wait h1 >/dev/null 2>>"$SBX_ERR"
	must delete R delete h1
	expect_hook poststop stopped h1
	[ "$(order)" = "prestart createRuntime createContainer startContainer poststart poststop" ] ||
		sbx_problem "after delete: '$(order)'"
	sbx_end
fi

if begin hooks/run_foreground; then
	bundle_with "$(all_hooks)" echo hi
	out=$(R run --bundle "$SBX_BUNDLE" h2 2>>"$SBX_ERR")
	rc=$?
	[ $rc = 0 ] || sbx_problem "run exit $rc"
	[ "$out" = hi ] || sbx_problem "run output '$out'"
	[ "$(order)" = "prestart createRuntime createContainer startContainer poststart poststop" ] ||
		sbx_problem "order: '$(order)'"
	expect_hook startContainer created h2
	expect_hook poststop stopped h2
	sbx_end
fi

if begin hooks/prestart_fails; then
	bad='{"path": "/bin/sh", "args": ["sh", "-c", "echo boom-from-hook >&2; exit 3"]}'
	bundle_with "{\"prestart\": [$(hook prestart), $bad], \"createRuntime\": [$(hook createRuntime)], \"poststop\": [$(hook poststop)]}" sleep 100
	R create --bundle "$SBX_BUNDLE" --pid-file "$SBX_WORK/h3.pid" h3 >/dev/null 2>"$SBX_ERR"
	rc=$?
	[ $rc != 0 ] || sbx_problem "create succeeded"
	grep -q 'prestart hook #1 (/bin/sh): exited with status 3: boom-from-hook' "$SBX_ERR" ||
		sbx_problem "error: '$(cat "$SBX_ERR")'"
	[ "$(order)" = prestart ] || sbx_problem "hooks run: '$(order)'"
	[ -e "$SBX_WORK/h3.pid" ] && sbx_problem "pid file left behind"
	[ -z "$(ls "$SBX_STATE")" ] || sbx_problem "state left: $(ls "$SBX_STATE")"
	R state h3 >/dev/null 2>&1 && sbx_problem "container exists"
	: >"$SBX_ERR"
	sbx_end
fi

if begin hooks/run_create_container_fails; then
	bundle_with '{"createContainer": [{"path": "/nonexistent/hook"}]}' echo hi
	out=$(R run --bundle "$SBX_BUNDLE" h4 2>"$SBX_ERR")
	rc=$?
	[ $rc != 0 ] || sbx_problem "run succeeded"
	[ -z "$out" ] || sbx_problem "workload ran: '$out'"
	grep -q 'createContainer hook #0 (/nonexistent/hook): exec: No such file' "$SBX_ERR" ||
		sbx_problem "error: '$(cat "$SBX_ERR")'"
	[ -z "$(ls "$SBX_STATE")" ] || sbx_problem "state left: $(ls "$SBX_STATE")"
	: >"$SBX_ERR"
	sbx_end
fi

if begin hooks/timeout; then
	slow='{"path": "/bin/sh", "args": ["sh", "-c", "sleep 100 & sleep 100"], "timeout": 1}'
	bundle_with "{\"createRuntime\": [$slow]}" sleep 100
	t0=$(date +%s)
	R create --bundle "$SBX_BUNDLE" h5 >/dev/null 2>"$SBX_ERR"
	rc=$?
	t1=$(date +%s)
	[ $rc != 0 ] || sbx_problem "create succeeded"
	[ $((t1 - t0)) -le 5 ] || sbx_problem "took $((t1 - t0)) s"
	grep -q 'createRuntime hook #0 (/bin/sh): timed out after 1 s' "$SBX_ERR" ||
		sbx_problem "error: '$(cat "$SBX_ERR")'"
	[ -z "$(ls "$SBX_STATE")" ] || sbx_problem "state left: $(ls "$SBX_STATE")"
	pgrep -f "sh -c sleep 100 & sleep 100" >/dev/null && sbx_problem "the hook's processes survived"
	: >"$SBX_ERR"
	sbx_end
fi

if begin hooks/post_hooks_only_warn; then
	bad='{"path": "/bin/false"}'
	bundle_with "{\"poststart\": [$bad, $(hook poststart)], \"poststop\": [$bad, $(hook poststop)]}" sleep 100
	# Warnings go to --log (as runc's), not to stderr.
	log=$SBX_WORK/h6.log
	R --log "$log" run -d --bundle "$SBX_BUNDLE" h6 >/dev/null 2>"$SBX_ERR" || sbx_problem "run -d failed: $(cat "$SBX_ERR")"
	grep -q 'poststart hook #0 (/bin/false): exited with status 1' "$log" || sbx_problem "no warning: '$(cat "$log")'"
	expect_hook poststart running h6
	R --log "$log" delete --force h6 >/dev/null 2>"$SBX_ERR" || sbx_problem "delete failed: $(cat "$SBX_ERR")"
	grep -q 'poststop hook #0 (/bin/false)' "$log" || sbx_problem "no poststop warning: '$(cat "$log")'"
	expect_hook poststop stopped h6
	: >"$SBX_ERR"
	sbx_end
fi

results_summary
