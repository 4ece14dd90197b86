/* The set*id family: setuid, setreuid, setresuid, setfsuid and their gid
 * twins, from root and after dropping privilege, with the capability
 * changes a uid change brings (an effective uid leaving 0 drops the
 * effective capabilities, coming back restores them). Each scenario runs
 * in a child that prints every call's result and the ids after it; the
 * native and sandboxed outputs must agree. */
#include "conformance.h"
#include <sys/fsuid.h>

static void show(const char *what, long rc)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	conf_print("%-28s %-7s uid %u %u %u fs %d gid %u %u %u fs %d\n", what,
		   rc < 0 ? conf_errname(errno) : "ok", r, e, s, setfsuid(-1), gr, ge, gs,
		   setfsgid(-1));
}

#define DO(call) show(#call, (long)(call))
/* setfsuid/setfsgid return the old value and never fail. */
#define FS(call) conf_print("%-28s old %d\n", #call, (call)), show("  after", 0)

static void run(const char *name, void (*fn)(void))
{
	conf_print("-- %s\n", name);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	CHECK_EXIT(name, conf_wait(pid), 0);
}

static void uid_from_root(void)
{
	DO(setuid(-1));
	DO(setresuid(-1, -1, -1));
	DO(setreuid(1000, 1001));
	DO(setreuid(-1, 0));
	DO(setreuid(-1, 1002));
	DO(setresuid(0, 0, 0));
	DO(setresuid(1000, 1001, 1002));
	/* Unprivileged now: only the current real, effective or saved ids. */
	DO(setresuid(-1, 1000, -1));
	DO(setresuid(-1, -1, 1001));
	DO(setresuid(5, -1, -1));
	DO(setreuid(1002, -1));
	DO(setreuid(-1, 7));
	DO(setuid(1001));
	DO(setuid(0));
	FS(setfsuid(1000));
	FS(setfsuid(7));
	FS(setfsuid(-1));
}

static void setuid_root(void)
{
	DO(setuid(1000));
	DO(setuid(0));
	DO(setresuid(-1, 0, -1));
}

static void caps_follow_euid(void)
{
	/* Real and saved stay 0: the effective uid can come back, and the
	 * capabilities with it. */
	DO(setresuid(-1, 1000, -1));
	DO(setresgid(5, 5, 5));
	FS(setfsuid(1000));
	FS(setfsuid(0));
	DO(setresuid(-1, 0, -1));
	DO(setresgid(5, 5, 5));
	FS(setfsuid(1234));
	DO(setreuid(-1, -1));
}

static void gid_from_root(void)
{
	DO(setgid(-1));
	DO(setresgid(-1, -1, -1));
	DO(setregid(100, 101));
	DO(setregid(-1, 102));
	DO(setregid(-1, 100));
	DO(setresgid(100, 101, 102));
	DO(setgid(200));
	FS(setfsgid(300));
	FS(setfsgid(-1));
	DO(setresgid(100, 101, 102));
	/* Without CAP_SETGID: only the current real, effective or saved. */
	DO(setresuid(1000, 1000, 1000));
	DO(setresgid(-1, 100, -1));
	DO(setresgid(-1, -1, 101));
	DO(setresgid(5, -1, -1));
	DO(setregid(102, -1));
	DO(setregid(-1, 7));
	DO(setregid(-1, 102));
	DO(setgid(101));
	DO(setgid(9));
	FS(setfsgid(101));
	FS(setfsgid(9));
}

int main(void)
{
	if (geteuid() != 0) {
		conf_print("SKIP: needs root\n");
		return conf_done();
	}
	run("uid_from_root", uid_from_root);
	run("setuid_root", setuid_root);
	run("caps_follow_euid", caps_follow_euid);
	run("gid_from_root", gid_from_root);
	return conf_done();
}
