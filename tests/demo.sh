#!/bin/bash
# tests/demo.sh — `make demo`: a sandboxed busybox session.
#
# Builds a busybox bundle under $BUILD/demo-bundle, runs a scripted session
# in the sandbox (non-interactive, via sh -c) and, when stdin is a terminal,
# then an interactive shell (leave it with `exit`).
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
set -u

BUNDLE=$BUILD/demo-bundle
STATE=$(mktemp -d /tmp/sbx-demo.XXXXXX)
trap 'rm -rf "$STATE"' EXIT

if ! sandboxrun_built; then
	echo "demo: $SANDBOXRUN not built (run make)" >&2
	exit 1
fi

sbx() {
	"$SANDBOXRUN" --root "$STATE" run --bundle "$BUNDLE" "demo-$$"
}

# Each command is echoed with a prompt, then run by the sandboxed shell.
script='
for cmd in "uname -a" "echo \$\$" "id" "hostname" "cat /etc/hostname" "ls /" \
	"ls / | wc -l" "echo one two three | wc -w" \
	"seq 1 5 | sort -rn | tr \"\\n\" \" \"; echo" \
	"(exit 3); echo \"subshell status: \$?\"" \
	"echo \"PATH=\$PATH\""; do
	echo "sandbox# $cmd"
	eval "$cmd"
done
'
echo "== scripted session (sh -c in the sandbox) =="
"$TESTS_DIR/make-bundle.sh" "$BUNDLE" sh -c "$script" || exit 1
sbx </dev/null
echo "(sandboxrun exit status: $?)"

echo
echo "== exit status propagation =="
for cmd in 'exit 42' 'sh -c "kill -9 \$\$"; exit $?' 'f() { f; }; f' 'true'; do
	"$TESTS_DIR/make-bundle.sh" "$BUNDLE" sh -c "$cmd" || exit 1
	sbx </dev/null
	echo "host\$ sandboxrun run ... sh -c '$cmd'  ->  exit status $?"
done
"$TESTS_DIR/make-bundle.sh" "$BUNDLE" /nonexistent || exit 1
sbx </dev/null
echo "host\$ sandboxrun run ... /nonexistent  ->  exit status $?"

if [ -t 0 ] && [ -t 1 ]; then
	echo
	echo "== interactive busybox sh in the sandbox (type exit to leave) =="
	BUNDLE_ENV="TERM=${TERM:-xterm}" "$TESTS_DIR/make-bundle.sh" "$BUNDLE" sh || exit 1
	sbx
	echo "(interactive shell exited with status $?)"
fi
