# The cases the docker-style CLI tests (docker.sh, podman.sh) share
# (sourced after common.bash; not *.sh so run-all.sh does not run it).
#
# The sourcing script sets, before cli_run_cases:
#   CLI        the client command, as an array (with its global options)
#   IMAGE      the image the import case makes from $CL_WORK/rootfs.tar
#   RUN        options for every `run`
#   CLI_RM_F   the options of a forced rm of a running container
#   end_case   a function that ends a case (end, plus what the client
#              wants to show on failure)
# and may define cli_extra_CASE functions (dashes as underscores) for its
# own checks, which run at a fixed point inside that case.
# SC2016: $ in single quotes is for the sandboxed shell; SC2034: CL_CASES
# and CL_SKIP are common.bash's.
# shellcheck shell=bash disable=SC2016,SC2034

CL_CASES=(import run-echo exit-codes detached-logs-exec-stop kill-rm interactive)

cli_state_of() { "${CLI[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$1" 2>/dev/null; }
cli_is_state() { [ "$(cli_state_of "$1")" = "$2" ]; }

cli_case_import() {
	expect "$CL_CLIENT import" "${CLI[@]}" import "$CL_WORK/rootfs.tar" "$IMAGE"
	run_cl "${CLI[@]}" image ls -q "$IMAGE"
	[ -s "$CL_OUT" ] || problem "image $IMAGE not listed"
	[ ${#CL_PROBLEMS[@]} -gt 0 ] && CL_SKIP="the image could not be imported"
}

cli_case_run_echo() {
	expect_output "$CL_CLIENT run --rm echo hi" "hi" "${CLI[@]}" run "${RUN[@]}" --rm "$IMAGE" echo hi
	cli_extra run_echo
	run_cl "${CLI[@]}" ps -aq
	[ -s "$CL_OUT" ] && problem "containers left after --rm: $(cat "$CL_OUT")"
}

cli_case_exit_codes() {
	expect_rc "exit 7" 7 "${CLI[@]}" run "${RUN[@]}" --rm "$IMAGE" sh -c 'exit 7'
	# The client picks these from the runtime's error text (runc's words).
	expect_rc "missing executable" 127 "${CLI[@]}" run "${RUN[@]}" --rm "$IMAGE" /no/such
	cli_extra exit_codes
	expect_rc "not executable" 126 "${CLI[@]}" run "${RUN[@]}" --rm "$IMAGE" /etc/passwd
}

cli_case_detached_logs_exec_stop() {
	local c=det-$$ cli
	cli=$(printf '%q ' "${CLI[@]}")
	expect "$CL_CLIENT run -d" "${CLI[@]}" run "${RUN[@]}" -d --name "$c" "$IMAGE" \
		sh -c 'echo started; trap "echo got term; exit 3" TERM; while :; do sleep 0.2; done'
	wait_for 20 cli_is_state "$c" "running 0" || problem "not running: '$(cli_state_of "$c")'"
	wait_for 10 sh -c "$cli logs '$c' | grep -q started" ||
		problem "$CL_CLIENT logs: no 'started'"
	expect_output "$CL_CLIENT exec" "exec hi" "${CLI[@]}" exec "$c" echo exec hi
	expect_rc "$CL_CLIENT exec exit 5" 5 "${CLI[@]}" exec "$c" sh -c 'exit 5'
	cli_extra detached_logs_exec_stop "$c"
	expect "$CL_CLIENT pause" "${CLI[@]}" pause "$c"
	cli_is_state "$c" "paused 0" || problem "after pause: '$(cli_state_of "$c")'"
	expect "$CL_CLIENT unpause" "${CLI[@]}" unpause "$c"
	cli_is_state "$c" "running 0" || problem "after unpause: '$(cli_state_of "$c")'"
	if command -v script >/dev/null; then
		expect "$CL_CLIENT exec -it" script -qec "$cli exec -it $c sh -c 'tty; echo exec tty'" /dev/null
		tr -d '\r' <"$CL_OUT" | grep -q 'exec tty$' || problem "$CL_CLIENT exec -it: no output"
		tr -d '\r' <"$CL_OUT" | grep -q '/dev/pts/[0-9]*$' || problem "$CL_CLIENT exec -it: not on a pty"
	fi
	expect "$CL_CLIENT stop" "${CLI[@]}" stop -t 10 "$c"
	cli_is_state "$c" "exited 3" || problem "after stop: '$(cli_state_of "$c")', expected 'exited 3'"
	run_cl "${CLI[@]}" logs "$c"
	grep -q 'got term' "$CL_OUT" || problem "$CL_CLIENT logs: the TERM trap did not run"
	expect "$CL_CLIENT rm" "${CLI[@]}" rm "$c"
}

cli_case_kill_rm() {
	local c=kill-$$
	expect "$CL_CLIENT run -d" "${CLI[@]}" run "${RUN[@]}" -d --name "$c" "$IMAGE" sleep 1000
	wait_for 20 cli_is_state "$c" "running 0" || problem "not running: '$(cli_state_of "$c")'"
	expect "$CL_CLIENT kill" "${CLI[@]}" kill "$c"
	wait_for 20 cli_is_state "$c" "exited 137" ||
		problem "after kill: '$(cli_state_of "$c")', expected 'exited 137'"
	expect "$CL_CLIENT rm" "${CLI[@]}" rm "$c"
	# rm -f of a running container.
	expect "$CL_CLIENT run -d" "${CLI[@]}" run "${RUN[@]}" -d --name "$c" "$IMAGE" sleep 1000
	expect "$CL_CLIENT rm -f" "${CLI[@]}" "${CLI_RM_F[@]}" "$c"
	run_cl "${CLI[@]}" ps -aq
	[ -s "$CL_OUT" ] && problem "containers left after rm: $(cat "$CL_OUT")"
}

cli_case_interactive() {
	local cli
	cli=$(printf '%q ' "${CLI[@]}")
	if ! command -v script >/dev/null; then
		problem "script(1) not installed (bsdutils)"
		return
	fi
	# script gives the client a terminal; the shell reads what is typed.
	run_cl bash -c "(sleep 3; echo 'echo typed-\$((6*7))'; sleep 1; echo 'exit 3') |
		script -qec '$cli run ${RUN[*]} -it --rm $IMAGE sh' /dev/null"
	[ "$CL_RC" = 3 ] || problem "$CL_CLIENT run -it: exit $CL_RC, expected 3"
	tr -d '\r' <"$CL_OUT" | grep -qx 'typed-42' || problem "the shell did not run what was typed"
}

# cli_extra NAME ARGS...: the client's own checks for case NAME, if any.
cli_extra() {
	local fn=cli_extra_$1
	shift
	if declare -F "$fn" >/dev/null; then
		"$fn" "$@"
	fi
}

# Runs every case in order; a failed import skips the rest.
cli_run_cases() {
	local c
	for c in "${CL_CASES[@]}"; do
		if begin "$c"; then
			"cli_case_${c//-/_}"
			end_case
		fi
	done
}
