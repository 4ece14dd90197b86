/* Event facilities with threads: several threads in epoll_wait on one
 * epoll (edge-triggered: one of them gets the event; level-triggered: all
 * do), signalfd reads only the reading thread's own thread-directed
 * signals, SIGEV_THREAD_ID timers signal their thread. */
#include "conformance.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

static int ep, efd;
static int got[2];

static void *waiter(void *arg)
{
	int i = (int)(long)arg;
	struct epoll_event ev;
	got[i] = epoll_wait(ep, &ev, 1, 1200);
	return NULL;
}

/* How many of two threads waiting in epoll_wait see one write. */
static int threads_woken(uint32_t mode)
{
	pthread_t th[2];
	uint64_t one = 1;

	ep = epoll_create1(0);
	efd = eventfd(0, EFD_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN | mode };
	epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
	for (long i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, waiter, (void *)i);
	conf_msleep(300);
	write(efd, &one, 8);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	close(efd);
	close(ep);
	return (got[0] == 1) + (got[1] == 1);
}

static int sfd;
static volatile pid_t worker_tid;
static int worker_result;
static pthread_barrier_t barrier;

static void *sig_worker(void *arg)
{
	(void)arg;
	struct signalfd_siginfo si;
	worker_tid = gettid();
	pthread_barrier_wait(&barrier); /* tid published */
	pthread_barrier_wait(&barrier); /* signal sent, main has looked */
	worker_result = read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR1 &&
			si.ssi_code == SI_TKILL;
	return NULL;
}

static void *timer_worker(void *arg)
{
	sigset_t *set = arg;
	siginfo_t si;
	worker_tid = gettid();
	pthread_barrier_wait(&barrier);
	worker_result = sigwaitinfo(set, &si) == SIGRTMIN && si.si_code == SI_TIMER &&
			si.si_value.sival_int == 17;
	return NULL;
}

int main(void)
{
	sigset_t set;
	pthread_t th;

	CHECK_EQ("epoll.et_wakes_one_thread", threads_woken(EPOLLET), 1);
	CHECK_EQ("epoll.lt_wakes_every_thread", threads_woken(0), 2);

	/* A signal sent to one thread is read through that thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_NONBLOCK);
	pthread_barrier_init(&barrier, NULL, 2);
	pthread_create(&th, NULL, sig_worker, NULL);
	pthread_barrier_wait(&barrier);
	syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
	struct signalfd_siginfo si;
	CHECK_ERR("signalfd.other_thread_signal_not_mine", read(sfd, &si, sizeof(si)), EAGAIN);
	pthread_barrier_wait(&barrier);
	pthread_join(th, NULL);
	CHECK("signalfd.own_thread_signal_read", worker_result);
	close(sfd);

	/* SIGEV_THREAD_ID: the timer's signal goes to that thread. */
	pthread_create(&th, NULL, timer_worker, &set);
	pthread_barrier_wait(&barrier);
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGRTMIN };
	ev._sigev_un._tid = worker_tid;
	ev.sigev_value.sival_int = 17;
	timer_t t;
	CHECK_OK("thread_id.create", timer_create(CLOCK_MONOTONIC, &ev, &t));
	struct itimerspec its = { .it_value = { 0, 20 * 1000000 } };
	timer_settime(t, 0, &its, NULL);
	pthread_join(th, NULL);
	CHECK("thread_id.signal_to_thread", worker_result);
	sigset_t pend;
	sigpending(&pend);
	CHECK("thread_id.not_pending_here", !sigismember(&pend, SIGRTMIN));
	timer_delete(t);
	return conf_done();
}
