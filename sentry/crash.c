/* Crash reporting: a fault in the sentry logs a libunwind backtrace and
 * ends the sandbox with 128+signal, so `run` reports it and never hangs. */
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runsc/log.h"
#include "sentry/boot.h"

void sentry_log_backtrace(const char *why)
{
	unw_context_t uc;
	unw_cursor_t cur;
	log_error("sentry: %s; backtrace:", why);
	if (unw_getcontext(&uc) < 0 || unw_init_local(&cur, &uc) < 0)
		return;
	/* Names come from dladdr (in-memory dynamic symbols) rather than
	 * unw_get_proc_name, which would open the executable: the seccomp
	 * filter forbids that. The object-relative offset feeds addr2line. */
	for (int depth = 0; depth < 64 && unw_step(&cur) > 0; depth++) {
		unw_word_t ip = 0;
		unw_get_reg(&cur, UNW_REG_IP, &ip);
		Dl_info di;
		memset(&di, 0, sizeof(di));
		if (dladdr((void *)ip, &di) && di.dli_fbase) {
			unsigned long rel = (unsigned long)ip - (unsigned long)di.dli_fbase;
			log_error("  #%d 0x%lx %s (%s+0x%lx)", depth, (unsigned long)ip,
				  di.dli_sname ? di.dli_sname : "?", di.dli_fname ? di.dli_fname : "?", rel);
		} else {
			log_error("  #%d 0x%lx", depth, (unsigned long)ip);
		}
	}
}

static void crash_handler(int sig, siginfo_t *si, void *uctx)
{
	char why[96];
	snprintf(why, sizeof(why), "fatal signal %d (%s) at address %p", sig, strsignal(sig), si->si_addr);
	sentry_log_backtrace(why);
	_exit(128 + sig);
}

void sentry_install_crash_handler(void)
{
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}
