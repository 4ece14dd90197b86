/* Crash reporting: a fault in the sentry logs a libunwind backtrace and
 * ends the sandbox with 128+signal, so `run` reports it and never hangs. */
#define UNW_LOCAL_ONLY
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
	for (int depth = 0; depth < 64 && unw_step(&cur) > 0; depth++) {
		unw_word_t ip = 0, off = 0;
		char name[128] = "?";
		unw_get_reg(&cur, UNW_REG_IP, &ip);
		unw_get_proc_name(&cur, name, sizeof(name), &off);
		log_error("  #%d 0x%lx %s+0x%lx", depth, (unsigned long)ip, name, (unsigned long)off);
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
