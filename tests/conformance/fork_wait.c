/* fork + wait4: exit codes, signal deaths, WNOHANG, ECHILD. */
#include "conformance.h"
#include <sys/resource.h>

static pid_t spawn_exit(int code)
{
	pid_t p = fork();
	if (p == 0)
		_exit(code);
	return p;
}

/* A child that blocks until killed. pause() needs nothing but signals. */
static pid_t spawn_sleeper(void)
{
	pid_t p = fork();
	if (p == 0) {
		for (;;)
			pause();
	}
	return p;
}

int main(void)
{
	int st = 0;

	CHECK_ERR("wait4.no_children_echild", wait4(-1, &st, 0, NULL), ECHILD);
	CHECK_ERR("waitpid.wnohang_no_children_echild", waitpid(-1, &st, WNOHANG), ECHILD);

	static const int codes[] = { 0, 1, 7, 42, 255 };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char name[64];
		pid_t p = spawn_exit(codes[i]);
		st = -1;
		snprintf(name, sizeof(name), "wait4.returns_pid.%d", codes[i]);
		CHECK_EQ(name, wait4(p, &st, 0, NULL), p);
		snprintf(name, sizeof(name), "wait4.exit_code.%d", codes[i]);
		CHECK_EXIT(name, st, codes[i]);
	}

	/* exit(256 + 3) keeps only the low byte. */
	pid_t p = spawn_exit(256 + 3);
	CHECK_EXIT("wait4.exit_code_low_byte", conf_wait(p), 3);

	/* Killed children. */
	p = spawn_sleeper();
	CHECK_OK("kill.sigkill_child", kill(p, SIGKILL));
	st = conf_wait(p);
	CHECK_KILLED("wait4.wifsignaled_sigkill", st, SIGKILL);
	CHECK("wait4.sigkill_not_wifexited", !WIFEXITED(st));

	p = spawn_sleeper();
	CHECK_OK("kill.sigterm_child", kill(p, SIGTERM));
	CHECK_KILLED("wait4.wifsignaled_sigterm", conf_wait(p), SIGTERM);

	/* WNOHANG with a live child that has not exited returns 0. */
	p = spawn_sleeper();
	st = 12345;
	CHECK_EQ("waitpid.wnohang_running_child_returns_0", waitpid(p, &st, WNOHANG), 0);
	CHECK_EQ("wait4.wnohang_any_running_returns_0", wait4(-1, &st, WNOHANG, NULL), 0);
	kill(p, SIGKILL);
	CHECK_EQ("waitpid.reaps_killed_sleeper", waitpid(p, &st, 0), p);

	/* wait for a specific pid that is not our child. */
	CHECK_ERR("waitpid.not_our_child_echild", waitpid(getpid(), &st, 0), ECHILD);
	CHECK_ERR("waitpid.bad_options_einval", waitpid(-1, &st, 0x1000), EINVAL);

	/* Several children: wait(-1) reaps them all, each exactly once. */
	pid_t kids[4];
	for (int i = 0; i < 4; i++)
		kids[i] = spawn_exit(10 + i);
	int seen = 0, sum = 0;
	for (int i = 0; i < 4; i++) {
		pid_t r = wait4(-1, &st, 0, NULL);
		for (int j = 0; j < 4; j++) {
			if (r == kids[j] && !(seen & (1 << j)) && WIFEXITED(st) &&
			    WEXITSTATUS(st) == 10 + j) {
				seen |= 1 << j;
				sum += WEXITSTATUS(st);
			}
		}
	}
	CHECK_EQ("wait4.reaps_all_children", seen, 0xf);
	CHECK_EQ("wait4.exit_codes_sum", sum, 10 + 11 + 12 + 13);
	CHECK_ERR("wait4.echild_after_reaping_all", wait4(-1, &st, 0, NULL), ECHILD);

	/* An exited child stays a zombie until waited for: WNOHANG finds it. */
	p = spawn_exit(5);
	pid_t r = 0;
	for (int i = 0; i < 2000 && r == 0; i++) {
		r = waitpid(p, &st, WNOHANG);
		if (r == 0)
			conf_msleep(1);
	}
	CHECK_EQ("waitpid.wnohang_finds_zombie", r, p);
	CHECK_EXIT("waitpid.wnohang_zombie_status", st, 5);

	/* rusage is filled in (at least not garbage): ru_maxrss >= 0. */
	p = spawn_exit(0);
	struct rusage ru;
	memset(&ru, 0xff, sizeof(ru));
	CHECK_EQ("wait4.rusage_returns_pid", wait4(p, &st, 0, &ru), p);
	CHECK("wait4.rusage_filled", ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 &&
	      ru.ru_utime.tv_usec < 1000000);

	/* __WALL / waitid on an exited child. */
	p = spawn_exit(9);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK_OK("waitid.exited", waitid(P_PID, p, &si, WEXITED));
	CHECK_EQ("waitid.si_pid", si.si_pid, p);
	CHECK_EQ("waitid.si_code_cld_exited", si.si_code, CLD_EXITED);
	CHECK_EQ("waitid.si_status", si.si_status, 9);
	CHECK_EQ("waitid.si_signo_sigchld", si.si_signo, SIGCHLD);

	return conf_done();
}
