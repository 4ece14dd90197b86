/* Threads: clone(CLONE_THREAD) through pthreads, futex-based mutexes and
 * condition variables, thread identity, per-thread signals, robust
 * mutexes, exit of the leader, exec from a thread, and many threads. */
#include "conformance.h"

#include <pthread.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;

static void *add_many(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

static void *report_ids(void *arg)
{
	pid_t *out = arg;
	out[0] = getpid();
	out[1] = gettid();
	return NULL;
}

static void *wait_ready(void *arg)
{
	pthread_mutex_lock(&lock);
	while (!ready)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return arg;
}

static volatile sig_atomic_t usr1_tid;
static void on_usr1(int sig)
{
	(void)sig;
	usr1_tid = gettid();
}

static void *sleeper(void *arg)
{
	pid_t *tid = arg;
	*tid = gettid();
	while (!usr1_tid)
		conf_msleep(1);
	return NULL;
}

static pthread_mutex_t robust;
static void *lock_and_die(void *arg)
{
	pthread_mutex_lock(&robust);
	return arg; /* exits holding the lock */
}

static void *exec_self(void *arg)
{
	char **argv = arg;
	execl(argv[0], argv[0], "exec-child", (char *)NULL);
	_exit(99);
}

static void *noop(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec-child"))
		return 42;

	/* 16 threads hammering one mutex. */
	pthread_t th[16];
	int created = 0;
	for (int i = 0; i < 16; i++)
		created += pthread_create(&th[i], NULL, add_many, NULL) == 0;
	for (int i = 0; i < 16; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ("pthread.create_16", created, 16);
	CHECK_EQ("mutex.counter", counter, 16 * 2000);

	/* Identity: same pid, own tid. */
	pid_t ids[2];
	pthread_t t1;
	pthread_create(&t1, NULL, report_ids, ids);
	pthread_join(t1, NULL);
	CHECK_EQ("thread.getpid_is_process", ids[0], getpid());
	CHECK("thread.tid_differs", ids[1] != getpid() && ids[1] > 0);

	/* Condition variable handoff. */
	pthread_t w[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&w[i], NULL, wait_ready, NULL);
	conf_msleep(20);
	pthread_mutex_lock(&lock);
	ready = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	int joined = 0;
	for (int i = 0; i < 4; i++)
		joined += pthread_join(w[i], NULL) == 0;
	CHECK_EQ("cond.broadcast_wakes_all", joined, 4);

	/* A timed wait times out. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50 * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	int64_t t0 = conf_mono_ns();
	pthread_mutex_lock(&lock);
	int rc = pthread_cond_timedwait(&cond, &lock, &ts);
	pthread_mutex_unlock(&lock);
	CHECK_EQ("cond.timedwait_etimedout", rc, ETIMEDOUT);
	CHECK("cond.timedwait_waited", conf_mono_ns() - t0 >= 45 * 1000000);

	/* pthread_kill reaches the chosen thread. */
	signal(SIGUSR1, on_usr1);
	pid_t sleeper_tid = 0;
	pthread_t s;
	pthread_create(&s, NULL, sleeper, &sleeper_tid);
	while (!__atomic_load_n(&sleeper_tid, __ATOMIC_SEQ_CST))
		conf_msleep(1);
	pthread_kill(s, SIGUSR1);
	pthread_join(s, NULL);
	CHECK_EQ("pthread_kill.handler_ran_in_target", usr1_tid, sleeper_tid);

	/* A robust mutex whose owner died. */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &ma);
	pthread_t r;
	pthread_create(&r, NULL, lock_and_die, NULL);
	pthread_join(r, NULL);
	rc = pthread_mutex_lock(&robust);
	CHECK_EQ("robust.owner_died", rc, EOWNERDEAD);
	if (rc == EOWNERDEAD) {
		pthread_mutex_consistent(&robust);
		pthread_mutex_unlock(&robust);
	}

	/* 256 threads alive at once. */
	static pthread_t many[256];
	pthread_mutex_lock(&lock);
	ready = 0;
	pthread_mutex_unlock(&lock);
	int ok = 0;
	for (int i = 0; i < 256; i++)
		ok += pthread_create(&many[i], NULL, wait_ready, NULL) == 0;
	pthread_mutex_lock(&lock);
	ready = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 256; i++)
		pthread_join(many[i], NULL);
	CHECK_EQ("threads.256_created", ok, 256);

	/* exec from a non-main thread: the process keeps its pid. */
	pid_t child = fork();
	if (child == 0) {
		pthread_t e;
		pthread_create(&e, NULL, exec_self, argv);
		pthread_join(e, NULL);
		_exit(98);
	}
	int st = conf_wait(child);
	CHECK_EXIT("exec.from_thread", st, 42);

	/* The leader exits with pthread_exit; the process lives on until its
	 * last thread ends, then exits with that thread's status. */
	child = fork();
	if (child == 0) {
		pthread_t n;
		pthread_create(&n, NULL, noop, NULL);
		pthread_detach(n);
		pthread_exit(NULL);
	}
	st = conf_wait(child);
	CHECK_EXIT("leader.pthread_exit_process_ends_0", st, 0);

	/* exit_group from a thread ends every thread. */
	child = fork();
	if (child == 0) {
		pthread_t n;
		pthread_create(&n, NULL, sleeper, &sleeper_tid);
		usr1_tid = 0;
		exit(7);
	}
	st = conf_wait(child);
	CHECK_EXIT("exit_group.kills_threads", st, 7);
	return conf_done();
}
