#!/bin/bash
# shellcheck disable=SC2016 # $ in single quotes is for the sandboxed shell
# The runc-compatible lifecycle through the real CLI: create/start/state/
# exec/ps/kill/wait/delete, run -d, pause/resume, list formats, events,
# error texts clients match, the pid-file process's wait status, a dead
# sentry, concurrent containers. Every case ends with nothing left behind.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
sbx_init

R() { timeout -k 5 30 "$SANDBOXRUN" --root "$SBX_STATE" "$@"; }
bundle() { "$TESTS_DIR/make-bundle.sh" "$SBX_BUNDLE" "$@" >/dev/null; }
have_jq() { command -v jq >/dev/null 2>&1; }
have_python() { command -v python3 >/dev/null 2>&1; }

# begin NAME: a case that drives the CLI itself (sbx_end checks leftovers).
begin() {
	SBX_NAME=$1
	SBX_PROBLEMS=()
	SBX_OUT=$SBX_WORK/$1.out
	SBX_ERR=$SBX_WORK/$1.err
	mkdir -p "$(dirname "$SBX_OUT")"
	: >"$SBX_OUT"
	: >"$SBX_ERR"
	if [ -n "$SBX_SKIP" ]; then
		t_skip "$1" "$SBX_SKIP"
		return 1
	fi
	# LIFECYCLE_ONLY=REGEX runs only the matching cases (debugging).
	[[ $1 =~ ${LIFECYCLE_ONLY:-.} ]]
}

# must DESC CMD...: runs CMD (stderr to SBX_ERR), a problem if it fails.
must() {
	local desc=$1
	shift
	"$@" 2>>"$SBX_ERR" || sbx_problem "$desc failed (exit $?): $(tail -n 2 "$SBX_ERR")"
}

# fails_with DESC REGEX CMD...: CMD must fail and say REGEX on stderr.
fails_with() {
	local desc=$1 re=$2 err=$SBX_WORK/fails.err rc
	shift 2
	"$@" >/dev/null 2>"$err"
	rc=$?
	if [ $rc = 0 ]; then
		sbx_problem "$desc: succeeded, expected a failure saying /$re/"
	elif ! grep -qE -- "$re" "$err"; then
		sbx_problem "$desc: exit $rc, stderr '$(head -c 300 "$err")' lacks /$re/"
	fi
}

status_of() { R state "$1" 2>/dev/null | sed -n 's/^  "status": "\(.*\)",$/\1/p'; }
pid_of() { R state "$1" 2>/dev/null | sed -n 's/^  "pid": \([0-9]*\),$/\1/p'; }

expect_status() {
	local got
	got=$(status_of "$1")
	[ "$got" = "$2" ] || sbx_problem "state $1: status '$got', expected '$2'"
}

# wait_for 'SHELL CODE': re-evaluates it for up to 5 s until it succeeds.
wait_for() {
	local i
	for i in $(seq 1 100); do
		eval "$1" && return 0
		sleep 0.05
	done
	return 1
}

lines() { wc -l <"$1" | tr -d ' '; }

# reap_status PIDFILE CMD...: runs the commands from a subreaper (as
# containerd's shim is) and prints how the process named in PIDFILE ended:
# "exited N" or "signaled N".
reap_status() {
	local pidfile=$1
	shift
	python3 - "$pidfile" "$@" <<'EOF'
import ctypes, os, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
for c in sys.argv[2:]:
    subprocess.run(c, shell=True, stdin=subprocess.DEVNULL)
pid = int(open(sys.argv[1]).read())
deadline = time.time() + 20
while time.time() < deadline:
    p, st = os.waitpid(-1, os.WNOHANG)
    if p == pid:
        print("signaled %d" % os.WTERMSIG(st) if os.WIFSIGNALED(st) else "exited %d" % os.WEXITSTATUS(st))
        sys.exit(0)
    if p == 0:
        time.sleep(0.02)
print("timeout")
EOF
}

# ---------------------------------------------------------------------------

if begin oci/create_start_exec_kill_delete; then
	bundle sh -c 'echo started; while :; do sleep 1; done'
	must create R create --bundle "$SBX_BUNDLE" --pid-file "$SBX_WORK/c1.pid" c1 >"$SBX_OUT"
	expect_status c1 created
	pid=$(cat "$SBX_WORK/c1.pid" 2>/dev/null)
	[ "$(pid_of c1)" = "$pid" ] || sbx_problem "state pid '$(pid_of c1)' != pid file '$pid'"
	kill -0 "$pid" 2>/dev/null || sbx_problem "pid-file pid $pid does not exist"
	grep -q started "$SBX_OUT" && sbx_problem "init ran before start"
	must start R start c1
	expect_status c1 running
	wait_for 'grep -q started "$SBX_OUT"' || sbx_problem "init's output missing after start"
	out=$(R exec c1 sh -c 'echo from-exec; exit 5' 2>>"$SBX_ERR")
	rc=$?
	[ "$out" = from-exec ] || sbx_problem "exec output '$out'"
	[ $rc = 5 ] || sbx_problem "exec exit status $rc, expected 5"
	ps_out=$(R ps c1 2>>"$SBX_ERR")
	echo "$ps_out" | head -n 1 | grep -qE '^UID +PID +PPID +C +STIME +TTY +TIME +CMD$' ||
		sbx_problem "ps header: '$(echo "$ps_out" | head -n 1)'"
	echo "$ps_out" | grep -qE '^root +1 +0 .* sh -c echo started' || sbx_problem "ps: no init line in '$ps_out'"
	json=$(R ps --format json c1 2>>"$SBX_ERR")
	[[ $json =~ ^\[1(,[0-9]+)*\]$ ]] || sbx_problem "ps json '$json'"
	must kill R kill c1 KILL
	w=$(R wait c1 2>>"$SBX_ERR")
	[ "$w" = '{"id":"c1","exitStatus":137}' ] || sbx_problem "wait: '$w'"
	expect_status c1 stopped
	[ "$(pid_of c1)" = 0 ] || sbx_problem "stopped container's pid is '$(pid_of c1)', expected 0"
	fails_with "kill a stopped container" "container not running" R kill c1
	R kill --all c1 2>>"$SBX_ERR" || sbx_problem "kill --all of a stopped container failed"
	must delete R delete c1
	fails_with "state after delete" "does not exist" R state c1
	sbx_end
fi

if begin oci/state_json_fields; then
	bundle sleep 100
	must create R create --bundle "$SBX_BUNDLE" sj
	st=$(R state sj 2>>"$SBX_ERR")
	# runc's MarshalIndent output: two-space indent, no trailing newline.
	[ "$(printf '%s' "$st" | head -n 2 | tail -n 1)" = '  "ociVersion": "1.0.2",' ] ||
		sbx_problem "state first field: '$(printf '%s' "$st" | head -n 2)'"
	[ "$(R state sj 2>/dev/null | tail -c 1 | od -An -c | tr -d ' ')" = '}' ] ||
		sbx_problem "state output must end with '}' (no newline), as runc's"
	if have_jq; then
		keys=$(printf '%s' "$st" | jq -c keys_unsorted)
		[ "$keys" = '["ociVersion","id","pid","status","bundle","rootfs","created","owner"]' ] ||
			sbx_problem "state keys: $keys"
		[ "$(printf '%s' "$st" | jq -r .bundle)" = "$SBX_BUNDLE" ] || sbx_problem "state bundle"
		[ "$(printf '%s' "$st" | jq -r .rootfs)" = "$SBX_BUNDLE/rootfs" ] || sbx_problem "state rootfs"
		[[ $(printf '%s' "$st" | jq -r .created) =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]] ||
			sbx_problem "state created: $(printf '%s' "$st" | jq -r .created)"
	fi
	perm=$(stat -c %a "$SBX_STATE/sj")
	[ "$perm" = 700 ] || sbx_problem "state dir mode $perm, expected 700"
	for f in "$SBX_STATE"/sj/*; do
		[ "$(stat -c %a "$f")" = 600 ] || sbx_problem "$f: mode $(stat -c %a "$f"), expected 600"
	done
	# A created container is deleted (killed) without --force, as runc.
	must delete R delete sj
	# A created container dies of a default-fatal signal (its init has not
	# run, so nothing could handle it), as runc's does.
	must create R create --bundle "$SBX_BUNDLE" sj
	must kill R kill sj TERM
	w=$(R wait sj 2>>"$SBX_ERR")
	[ "$w" = '{"id":"sj","exitStatus":143}' ] || sbx_problem "created container killed by TERM: wait '$w'"
	must delete R delete sj
	sbx_end
fi

if begin oci/run_detached; then
	bundle sh -c 'trap "echo got-term; exit 3" TERM; echo up; while :; do sleep 0.1; done'
	must run R run -d --bundle "$SBX_BUNDLE" --pid-file "$SBX_WORK/rd.pid" rd >"$SBX_OUT"
	expect_status rd running
	wait_for 'grep -q up "$SBX_OUT"' || sbx_problem "no output from the detached container"
	[ "$(R exec rd echo in-rd 2>>"$SBX_ERR")" = in-rd ] || sbx_problem "exec into run -d container"
	fails_with "delete a running container" "cannot delete container rd that is not stopped: running" R delete rd
	must kill R kill rd TERM
	w=$(R wait rd 2>>"$SBX_ERR")
	[ "$w" = '{"id":"rd","exitStatus":3}' ] || sbx_problem "wait: '$w'"
	grep -q got-term "$SBX_OUT" || sbx_problem "init's TERM handler did not run"
	must delete R delete rd
	sbx_end
fi

if begin oci/pause_resume; then
	bundle sh -c 'i=0; while :; do i=$((i+1)); echo $i; done'
	must run R run -d --bundle "$SBX_BUNDLE" pr >"$SBX_OUT"
	wait_for 'test -s "$SBX_OUT"'
	must pause R pause pr
	expect_status pr paused
	a=$(lines "$SBX_OUT")
	sleep 0.5
	b=$(lines "$SBX_OUT")
	[ "$a" = "$b" ] || sbx_problem "paused container made progress: $a -> $b lines"
	[ -n "$(R ps pr 2>/dev/null)" ] || sbx_problem "ps of a paused container"
	fails_with "exec while paused" "cannot exec in a paused container" R exec pr true
	fails_with "pause twice" "container not running" R pause pr
	must resume R resume pr
	expect_status pr running
	sleep 0.3
	c=$(lines "$SBX_OUT")
	[ "$c" -gt "$b" ] || sbx_problem "resumed container made no progress: $b -> $c lines"
	fails_with "resume a running container" "container not paused" R resume pr
	# SIGKILL reaches a paused container (runc thaws it for SIGKILL).
	must pause R pause pr
	must kill R kill pr KILL
	wait_for '[ "$(status_of pr)" = stopped ]' || sbx_problem "paused container survived SIGKILL"
	must delete R delete pr
	sbx_end
fi

if begin oci/list_formats; then
	bundle sleep 100
	must create R create --bundle "$SBX_BUNDLE" lb
	must create R create --bundle "$SBX_BUNDLE" la
	must start R start lb
	q=$(R list -q 2>>"$SBX_ERR" | tr '\n' ' ')
	[ "$q" = "la lb " ] || sbx_problem "list -q: '$q'"
	tab=$(R list 2>>"$SBX_ERR")
	# Go's tabwriter as runc sets it up: columns padded to widest + 3, min 12.
	want_hdr=$(printf '%-12s%-12s%-12s%-*s%-33sOWNER' ID PID STATUS $((${#SBX_BUNDLE} + 3)) BUNDLE CREATED)
	[ "$(echo "$tab" | head -n 1)" = "$want_hdr" ] ||
		sbx_problem "list header: '$(echo "$tab" | head -n 1)', expected '$want_hdr'"
	echo "$tab" | grep -qE "^la +[0-9]+ +created +$SBX_BUNDLE +[0-9T:.-]+Z +root$" || sbx_problem "list row la: '$tab'"
	echo "$tab" | grep -qE "^lb +[0-9]+ +running " || sbx_problem "list row lb: '$tab'"
	if have_jq; then
		j=$(R list --format json 2>>"$SBX_ERR")
		[ "$(echo "$j" | jq -r '[.[].id] | join(",")')" = "la,lb" ] || sbx_problem "list json ids: $j"
		[ "$(echo "$j" | jq -r '.[1].status')" = running ] || sbx_problem "list json status: $j"
		[ "$(echo "$j" | jq -r '.[0].owner')" = root ] || sbx_problem "list json owner: $j"
	fi
	must delete R delete -f lb
	must delete R delete la
	[ "$(R list --format json 2>>"$SBX_ERR")" = null ] || sbx_problem "empty list json is not null"
	sbx_end
fi

if begin oci/unknown_id_errors; then
	for verb in state start pause resume ps events wait "kill" delete "exec"; do
		args=(nosuch)
		[ "$verb" = exec ] && args=(nosuch true)
		fails_with "$verb of an unknown id" "does not exist" R $verb "${args[@]}"
	done
	fails_with "invalid id" "invalid container id" R create --bundle "$SBX_BUNDLE" '../x'
	fails_with "unknown signal" 'unknown signal "NOPE"' R kill nosuch NOPE
	sbx_end
fi

if begin oci/lifecycle_errors; then
	bundle sleep 100
	must create R create --bundle "$SBX_BUNDLE" le
	fails_with "create with a taken id" "already exists" R create --bundle "$SBX_BUNDLE" le
	must start R start le
	fails_with "update without a cgroup" "has no cgroup" R update --memory 1000000 le
	R update le 2>>"$SBX_ERR" || sbx_problem "update without changes failed"
	fails_with "start twice" "cannot start an already running container" R start le
	must kill R kill le 9
	wait_for '[ "$(status_of le)" = stopped ]'
	fails_with "start a stopped container" "cannot start a container that has stopped" R start le
	fails_with "exec in a stopped container" "cannot exec in a stopped container" R exec le true
	fails_with "ps of a stopped container" "container not running" R ps le
	must delete R delete le
	sbx_end
fi

if begin oci/signal_names; then
	bundle sh -c 'trap "echo usr1" USR1; trap "echo hup" HUP; trap "echo term; exit 0" TERM; while :; do sleep 0.05; done'
	must run R run -d --bundle "$SBX_BUNDLE" sn >"$SBX_OUT"
	sleep 0.2
	must kill R kill sn USR1
	wait_for 'grep -q usr1 "$SBX_OUT"' || sbx_problem "USR1 by name"
	must kill R kill sn SIGHUP
	wait_for 'grep -q hup "$SBX_OUT"' || sbx_problem "SIGHUP with the SIG prefix"
	must kill R kill sn 15
	wait_for 'grep -q term "$SBX_OUT"' || sbx_problem "signal 15 by number"
	wait_for '[ "$(status_of sn)" = stopped ]' || sbx_problem "not stopped after TERM"
	must delete R delete sn
	sbx_end
fi

if begin oci/exec_options; then
	bundle sleep 100
	must run R run -d --bundle "$SBX_BUNDLE" eo
	out=$(R exec --env FOO=bar -e BAZ=1 --cwd /tmp --user 1000:1001 eo \
		sh -c 'echo $FOO $BAZ $(pwd) $(id -u) $(id -g)' 2>>"$SBX_ERR")
	[ "$out" = "bar 1 /tmp 1000 1001" ] || sbx_problem "exec env/cwd/user: '$out'"
	cat >"$SBX_WORK/process.json" <<'EOF'
{"args": ["sh", "-c", "echo $P:$(pwd):$(id -u); exit 9"], "env": ["P=proc", "PATH=/bin"], "cwd": "/etc", "user": {"uid": 7, "gid": 7}}
EOF
	out=$(R exec --process "$SBX_WORK/process.json" eo 2>>"$SBX_ERR")
	rc=$?
	[ "$out" = "proc:/etc:7" ] || sbx_problem "exec --process: '$out'"
	[ $rc = 9 ] || sbx_problem "exec --process: exit $rc, expected 9"
	out=$(echo piped | R exec eo cat 2>>"$SBX_ERR")
	[ "$out" = piped ] || sbx_problem "exec stdin: '$out'"
	R exec --preserve-fds 1 eo sh -c 'echo via-fd3 >&3' 3>"$SBX_WORK/efd3.out" 2>>"$SBX_ERR" ||
		sbx_problem "exec --preserve-fds 1 failed"
	[ "$(cat "$SBX_WORK/efd3.out")" = via-fd3 ] || sbx_problem "exec fd 3: '$(cat "$SBX_WORK/efd3.out")'"
	fails_with "exec --preserve-fds of a closed fd" "fd 3 is not open" R exec --preserve-fds 1 eo true 3>&-
	fails_with "missing executable" 'exec failed: .*"/nope"' R exec eo /nope
	R exec eo /nope 2>/dev/null
	[ $? = 255 ] || sbx_problem "failed exec: exit status is not 255"
	# A terminal: runc's rules for the console socket, in its words.
	fails_with "exec -d -t without a console socket" \
		"cannot allocate tty if runc will detach without setting console socket" R exec -d -t eo true
	fails_with "exec --console-socket without a terminal" \
		"cannot use console socket if runc will not detach or allocate tty" \
		R exec --console-socket "$SBX_WORK/none.sock" eo true
	# In the foreground without one the CLI is the terminal's client.
	out=$(R exec -t eo sh -c 'test -t 0 && test -t 1 && echo on-""tty' </dev/null 2>>"$SBX_ERR")
	[ "$(printf '%s' "$out" | tr -d '\r')" = on-tty ] || sbx_problem "exec -t output '$out'"
	# A signal killing the exec'd process: 128+N, as runc exec.
	R exec eo sh -c 'kill -USR2 $$' 2>>"$SBX_ERR"
	rc=$?
	[ $rc = 140 ] || sbx_problem "exec killed by SIGUSR2: exit $rc, expected 140"
	must delete R delete -f eo
	sbx_end
fi

if begin oci/exec_detached_pid_file; then
	bundle sleep 100
	must run R run -d --bundle "$SBX_BUNDLE" ed
	must exec R exec -d --pid-file "$SBX_WORK/e.pid" ed sh -c 'sleep 0.3; echo bg-done' >"$SBX_OUT"
	p=$(cat "$SBX_WORK/e.pid" 2>/dev/null)
	[ "${p:-0}" -gt 1 ] && kill -0 "$p" 2>/dev/null || sbx_problem "exec -d: pid-file pid '$p' is not a host process"
	grep -q "exec" "/proc/$p/cmdline" 2>/dev/null || sbx_problem "exec -d: pid $p is not our waiter"
	wait_for 'grep -q bg-done "$SBX_OUT"' || sbx_problem "detached exec's output missing"
	wait_for '! kill -0 "$p" 2>/dev/null || [ "$(cut -d" " -f3 "/proc/$p/stat")" = Z ]' ||
		sbx_problem "exec -d waiter did not exit with its process"
	must delete R delete -f ed
	sbx_end
fi

if ! have_python; then
	t_skip oci/pid_file_wait_status "python3 is needed to reap as a subreaper"
elif begin oci/pid_file_wait_status; then
	# The pid-file process ends as init ended: exit code, or its signal.
	bundle sh -c 'exit 42'
	got=$(reap_status "$SBX_WORK/w.pid" "'$SANDBOXRUN' --root '$SBX_STATE' create --bundle '$SBX_BUNDLE' --pid-file '$SBX_WORK/w.pid' ws1" \
		"'$SANDBOXRUN' --root '$SBX_STATE' start ws1")
	[ "$got" = "exited 42" ] || sbx_problem "init exiting 42: pid-file process $got"
	must delete R delete ws1
	bundle sh -c 'f() { f; }; f'
	got=$(reap_status "$SBX_WORK/w.pid" "'$SANDBOXRUN' --root '$SBX_STATE' run -d --bundle '$SBX_BUNDLE' --pid-file '$SBX_WORK/w.pid' ws2")
	[ "$got" = "signaled 11" ] || sbx_problem "init dying of SIGSEGV: pid-file process $got"
	must delete R delete ws2
	bundle sleep 100
	got=$(reap_status "$SBX_WORK/w.pid" "'$SANDBOXRUN' --root '$SBX_STATE' run -d --bundle '$SBX_BUNDLE' --pid-file '$SBX_WORK/w.pid' ws3" \
		"'$SANDBOXRUN' --root '$SBX_STATE' kill ws3 KILL")
	[ "$got" = "signaled 9" ] || sbx_problem "init killed: pid-file process $got"
	# exec -d: the waiter stands for the process, signals included.
	must run R run -d --bundle "$SBX_BUNDLE" ws4
	got=$(reap_status "$SBX_WORK/x.pid" "'$SANDBOXRUN' --root '$SBX_STATE' exec -d --pid-file '$SBX_WORK/x.pid' ws4 sh -c 'exit 7'")
	[ "$got" = "exited 7" ] || sbx_problem "exec -d exiting 7: waiter $got"
	got=$(reap_status "$SBX_WORK/x.pid" "'$SANDBOXRUN' --root '$SBX_STATE' exec -d --pid-file '$SBX_WORK/x.pid' ws4 sleep 50" \
		"sleep 0.2; kill -TERM \$(cat '$SBX_WORK/x.pid')")
	[ "$got" = "signaled 15" ] || sbx_problem "exec -d waiter sent SIGTERM: $got"
	n=$(R ps --format json ws4 2>>"$SBX_ERR")
	[ "$n" = "[1]" ] || sbx_problem "after the exec'd processes ended, ps shows $n"
	must delete R delete ws3
	must delete R delete -f ws4
	sbx_end
fi

if begin oci/events; then
	bundle sh -c 'while :; do sleep 0.05; done'
	must run R run -d --bundle "$SBX_BUNDLE" ev
	s=$(R events --stats ev 2>>"$SBX_ERR")
	[[ $s == '{"type":"stats","id":"ev","data":{"cpu":{"usage":{'* ]] || sbx_problem "events --stats: '$s'"
	if have_jq; then
		[ "$(echo "$s" | jq '.data.pids.current >= 1')" = true ] || sbx_problem "stats pids: $s"
		[ "$(echo "$s" | jq '.data.memory.usage.usage > 0')" = true ] || sbx_problem "stats memory: $s"
		[ "$(echo "$s" | jq '.data.cpu.usage.total > 0')" = true ] || sbx_problem "stats cpu: $s"
	fi
	R events --interval 100ms ev >"$SBX_WORK/events.out" 2>>"$SBX_ERR" &
	ep=$!
	wait_for '[ "$(lines "$SBX_WORK/events.out")" -ge 2 ]' || sbx_problem "events stream: no 2 lines"
	must kill R kill ev KILL
	wait_for '! kill -0 "$ep" 2>/dev/null' || sbx_problem "events did not end with the container"
	kill "$ep" 2>/dev/null
	wait "$ep" 2>/dev/null
	fails_with "events of a stopped container" "is not running" R events --stats ev
	fails_with "bad interval" "interval" R events --interval 0s ev
	must delete R delete ev
	sbx_end
fi

if begin oci/dead_sentry; then
	bundle sleep 100
	must run R run -d --bundle "$SBX_BUNDLE" ds
	mon=$(pid_of ds)
	sentry=""
	[ "${mon:-0}" -gt 1 ] && sentry=$(pgrep -P "$mon" | head -n 1)
	if [ -z "$sentry" ] || [ "$sentry" -le 1 ]; then
		sbx_problem "no sentry under monitor $mon"
	else
		kill -9 "$sentry"
		wait_for '[ "$(status_of ds)" = stopped ]' || sbx_problem "dead sentry not reported as stopped"
		start=$(date +%s%N)
		fails_with "kill" "container not running" R kill ds
		fails_with "exec" "stopped container" R exec ds true
		fails_with "ps" "container not running" R ps ds
		elapsed=$((($(date +%s%N) - start) / 1000000))
		[ "$elapsed" -lt 3000 ] || sbx_problem "commands on a dead sentry took ${elapsed} ms"
	fi
	must delete R delete ds
	sbx_end
fi

if begin oci/create_failure_leaves_nothing; then
	bundle /nonexistent
	fails_with "create of a missing executable" 'exec: "/nonexistent"' R create --bundle "$SBX_BUNDLE" --pid-file "$SBX_WORK/f.pid" cf
	[ -e "$SBX_WORK/f.pid" ] && sbx_problem "failed create left its pid file"
	fails_with "state after a failed create" "does not exist" R state cf
	sbx_end
fi

if begin oci/preserve_fds; then
	bundle sh -c 'echo via-fd3 >&3'
	R run --preserve-fds 1 --bundle "$SBX_BUNDLE" pf 3>"$SBX_WORK/fd3.out" 2>>"$SBX_ERR" ||
		sbx_problem "run --preserve-fds 1 failed"
	[ "$(cat "$SBX_WORK/fd3.out")" = via-fd3 ] || sbx_problem "fd 3: '$(cat "$SBX_WORK/fd3.out")'"
	sbx_end
fi

if begin oci/concurrent_containers; then
	bundle sleep 100
	for i in 1 2 3 4 5 6; do
		(R create --bundle "$SBX_BUNDLE" cc$i && R start cc$i && R exec cc$i true &&
			R delete -f cc$i) >/dev/null 2>"$SBX_WORK/cc$i.err" || echo "cc$i failed: $(cat "$SBX_WORK/cc$i.err")" >>"$SBX_ERR" &
	done
	wait
	grep -q failed "$SBX_ERR" && sbx_problem "$(grep failed "$SBX_ERR")"
	# One id, many creators: exactly one wins.
	for i in 1 2 3 4 5; do
		(R create --bundle "$SBX_BUNDLE" same 2>/dev/null && echo won >>"$SBX_WORK/won") &
	done
	wait
	[ "$(cat "$SBX_WORK/won" 2>/dev/null | wc -l)" = 1 ] || sbx_problem "$(cat "$SBX_WORK/won" 2>/dev/null | wc -l) creators of one id won"
	must delete R delete same
	sbx_end
fi

if begin oci/features; then
	must features R features >"$SBX_OUT"
	if have_jq; then
		[ "$(jq -r .ociVersionMin "$SBX_OUT")" = 1.0.0 ] || sbx_problem "features: $(cat "$SBX_OUT")"
		[ "$(jq -r '.linux.namespaces | index("pid") != null' "$SBX_OUT")" = true ] || sbx_problem "features namespaces"
	fi
	head -n 2 "$SBX_OUT" | tail -n 1 | grep -qx '    "ociVersionMin": "1.0.0",' || sbx_problem "features: not 4-space indented"
	sbx_end
fi

results_summary
