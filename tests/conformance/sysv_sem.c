/* SysV semaphores: semget keys and errors, semctl commands, semop
 * atomicity, IPC_NOWAIT, blocking with GETNCNT/GETZCNT, semtimedop
 * timeouts, EINTR, SEM_UNDO on exit, IPC_RMID waking waiters,
 * permissions. Arrays are private or use a key unique to the run, and
 * are removed before exit (natively they live in the host). */
#include "conformance.h"
#include <sys/ipc.h>
#include <sys/sem.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static int sop(int id, unsigned short num, short op, short flg)
{
	struct sembuf b = { num, op, flg };
	return semop(id, &b, 1);
}

static int getval(int id, int num)
{
	return semctl(id, num, GETVAL);
}

static void on_sig(int s) { (void)s; }

/* A child that signals us every 30 ms until stopped: the signal cannot
 * be lost by arriving before we block. */
static pid_t start_signaler(int sig)
{
	pid_t parent = getpid(), c = fork();
	if (c == 0) {
		for (;;) {
			conf_msleep(30);
			kill(parent, sig);
		}
	}
	return c;
}

static int stop_signaler(pid_t c)
{
	kill(c, SIGKILL);
	return conf_wait(c);
}

/* Polls cmd (GETNCNT/GETZCNT) until it reads want or 2 s pass. */
static int wait_cnt(int id, int num, int cmd, int want)
{
	int v = -1;
	for (int i = 0; i < 200; i++) {
		v = semctl(id, num, cmd);
		if (v == want)
			break;
		conf_msleep(10);
	}
	return v;
}

int main(void)
{
	key_t key = (key_t)(0x5e000000 | (getpid() & 0xffffff));
	union semun arg;
	struct semid_ds ds;

	CHECK_ERR("semget.neg_nsems", semget(IPC_PRIVATE, -1, 0600), EINVAL);
	CHECK_ERR("semget.too_many", semget(IPC_PRIVATE, 32001, 0600), EINVAL);
	CHECK_ERR("semget.zero_new", semget(IPC_PRIVATE, 0, 0600), EINVAL);
	CHECK_ERR("semget.no_key", semget(key, 1, 0600), ENOENT);
	int id = semget(key, 3, IPC_CREAT | IPC_EXCL | 0600);
	CHECK("semget.create", id >= 0);
	CHECK_ERR("semget.excl", semget(key, 3, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK_EQ("semget.existing", semget(key, 0, 0), id);
	CHECK_EQ("semget.existing_fewer", semget(key, 2, IPC_CREAT | 0600), id);
	CHECK_ERR("semget.existing_more", semget(key, 4, 0), EINVAL);
	int priv = semget(IPC_PRIVATE, 1, 0600);
	CHECK("semget.private_distinct", priv >= 0 && priv != id);

	arg.buf = &ds;
	CHECK_OK("stat.ok", semctl(id, 0, IPC_STAT, arg));
	CHECK_EQ("stat.nsems", ds.sem_nsems, 3);
	CHECK_EQ("stat.mode", ds.sem_perm.mode & 0777, 0600);
	CHECK_EQ("stat.key", ds.sem_perm.__key, key);
	CHECK("stat.owner", ds.sem_perm.uid == geteuid() && ds.sem_perm.cuid == geteuid() &&
	      ds.sem_perm.gid == getegid());
	CHECK_EQ("stat.otime_unset", ds.sem_otime, 0);
	CHECK("stat.ctime_set", ds.sem_ctime > 0);
	struct seminfo si;
	arg.__buf = &si;
	CHECK_OK("info.ok", semctl(id, 0, IPC_INFO, arg));
	CHECK("info.limits", si.semmsl == 32000 && si.semopm == 500 && si.semvmx == 32767 &&
	      si.semmni == 32000);
	CHECK_ERR("semctl.bad_cmd", semctl(id, 0, 999), EINVAL);
	CHECK_ERR("semctl.neg_id", semctl(-1, 0, GETVAL), EINVAL);

	/* Values. */
	CHECK_EQ("getval.initial", getval(id, 0), 0);
	arg.val = 5;
	CHECK_OK("setval.ok", semctl(id, 0, SETVAL, arg));
	CHECK_EQ("setval.read", getval(id, 0), 5);
	CHECK_EQ("getpid.setter", semctl(id, 0, GETPID), getpid());
	arg.val = -1;
	CHECK_ERR("setval.negative", semctl(id, 0, SETVAL, arg), ERANGE);
	arg.val = 32768;
	CHECK_ERR("setval.too_big", semctl(id, 0, SETVAL, arg), ERANGE);
	arg.val = 1;
	CHECK_ERR("setval.bad_num", semctl(id, 3, SETVAL, arg), EINVAL);
	CHECK_ERR("getval.bad_num", semctl(id, 3, GETVAL), EINVAL);
	unsigned short all[3] = { 7, 8, 9 }, got[3];
	arg.array = all;
	CHECK_OK("setall.ok", semctl(id, 0, SETALL, arg));
	arg.array = got;
	CHECK_OK("getall.ok", semctl(id, 0, GETALL, arg));
	CHECK("getall.values", got[0] == 7 && got[1] == 8 && got[2] == 9);
	unsigned short bad[3] = { 1, 40000, 1 };
	arg.array = bad;
	CHECK_ERR("setall.erange", semctl(id, 0, SETALL, arg), ERANGE);
	CHECK_EQ("setall.unchanged", getval(id, 1), 8);

	/* semop: all or nothing, in order. */
	CHECK_OK("semop.dec", sop(id, 0, -2, 0));
	CHECK_EQ("semop.dec_value", getval(id, 0), 5);
	CHECK_OK("semop.otime_set", semctl(id, 0, IPC_STAT, (arg.buf = &ds, arg)));
	CHECK("semop.otime", ds.sem_otime > 0);
	CHECK_ERR("semop.nowait", sop(id, 0, -10, IPC_NOWAIT), EAGAIN);
	CHECK_EQ("semop.nowait_unchanged", getval(id, 0), 5);
	struct sembuf two[2] = { { 0, -1, 0 }, { 2, -20, IPC_NOWAIT } };
	CHECK_ERR("semop.atomic", semop(id, two, 2), EAGAIN);
	CHECK_EQ("semop.atomic_first_untouched", getval(id, 0), 5);
	struct sembuf seq[2] = { { 1, 2, 0 }, { 1, -10, 0 } };
	CHECK_OK("semop.sequential", semop(id, seq, 2));
	CHECK_EQ("semop.sequential_value", getval(id, 1), 0);
	CHECK_ERR("semop.zero_nowait", sop(id, 0, 0, IPC_NOWAIT), EAGAIN);
	CHECK_OK("semop.zero_ok", sop(id, 1, 0, 0));
	CHECK_ERR("semop.efbig", sop(id, 3, 1, 0), EFBIG);
	CHECK_ERR("semop.nsops_zero", semop(id, two, 0), EINVAL);
	static struct sembuf many[501];
	CHECK_ERR("semop.e2big", semop(id, many, 501), E2BIG);
	CHECK_ERR("semop.bad_id", sop(0x7ffffff0, 0, 1, 0), EINVAL);
	CHECK_ERR("semop.neg_id", sop(-1, 0, 1, 0), EINVAL);
	arg.val = 32767;
	semctl(id, 2, SETVAL, arg);
	CHECK_ERR("semop.erange", sop(id, 2, 1, 0), ERANGE);
	arg.val = 0;
	semctl(id, 2, SETVAL, arg);

	/* Blocking: a child waits for an increase, counted by GETNCNT. */
	arg.val = 0;
	semctl(id, 0, SETVAL, arg);
	pid_t c = fork();
	if (c == 0)
		_exit(sop(id, 0, -1, 0) == 0 ? 0 : 1);
	CHECK_EQ("block.ncnt", wait_cnt(id, 0, GETNCNT, 1), 1);
	CHECK_EQ("block.zcnt_none", semctl(id, 0, GETZCNT), 0);
	CHECK_OK("block.post", sop(id, 0, 1, 0));
	CHECK_EXIT("block.child_proceeds", conf_wait(c), 0);
	CHECK_EQ("block.value_taken", getval(id, 0), 0);
	CHECK_EQ("block.ncnt_gone", semctl(id, 0, GETNCNT), 0);
	CHECK_EQ("block.getpid_child", semctl(id, 0, GETPID), c);
	/* ...and for zero, counted by GETZCNT. */
	arg.val = 1;
	semctl(id, 1, SETVAL, arg);
	c = fork();
	if (c == 0)
		_exit(sop(id, 1, 0, 0) == 0 ? 0 : 1);
	CHECK_EQ("block.zcnt", wait_cnt(id, 1, GETZCNT, 1), 1);
	CHECK_OK("block.to_zero", sop(id, 1, -1, 0));
	CHECK_EXIT("block.zero_child", conf_wait(c), 0);

	/* semtimedop. */
	struct timespec ts = { 0, 100000000 };
	struct sembuf p1 = { 0, -1, 0 };
	int64_t t0 = conf_mono_ns();
	CHECK_ERR("timed.eagain", semtimedop(id, &p1, 1, &ts), EAGAIN);
	CHECK("timed.waited", conf_mono_ns() - t0 >= 90000000);
	ts.tv_nsec = 0;
	CHECK_ERR("timed.zero", semtimedop(id, &p1, 1, &ts), EAGAIN);
	ts.tv_nsec = 1000000000;
	CHECK_ERR("timed.bad_nsec", semtimedop(id, &p1, 1, &ts), EINVAL);
	ts = (struct timespec){ 5, 0 };
	c = fork();
	if (c == 0) {
		conf_msleep(50);
		_exit(sop(id, 0, 1, 0) == 0 ? 0 : 1);
	}
	CHECK_OK("timed.success", semtimedop(id, &p1, 1, &ts));
	CHECK_EXIT("timed.poster", conf_wait(c), 0);

	/* A signal ends the wait with EINTR, SA_RESTART or not. */
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART };
	sigaction(SIGUSR1, &sa, NULL);
	pid_t sg = start_signaler(SIGUSR1);
	CHECK_ERR("signal.eintr", sop(id, 0, -1, 0), EINTR);
	CHECK_KILLED("signal.signaler", stop_signaler(sg), SIGKILL);
	signal(SIGUSR1, SIG_DFL);

	/* SEM_UNDO: a process's adjustments are reversed when it exits. */
	arg.val = 5;
	semctl(id, 0, SETVAL, arg);
	c = fork();
	if (c == 0)
		_exit(sop(id, 0, 3, SEM_UNDO) == 0 && sop(id, 0, -1, SEM_UNDO) == 0 ? 0 : 1);
	CHECK_EXIT("undo.child", conf_wait(c), 0);
	CHECK_EQ("undo.reverted", getval(id, 0), 5);
	CHECK_EQ("undo.pid_of_exit", semctl(id, 0, GETPID), c);
	/* to_parent/to_child: a pipe each way, so neither side reads its
	 * own message. */
	int to_parent[2], to_child[2];
	char ch;
	pipe(to_parent);
	pipe(to_child);
	c = fork();
	if (c == 0) {
		if (sop(id, 0, 2, SEM_UNDO) < 0)
			_exit(1);
		write(to_parent[1], "x", 1);
		read(to_child[0], &ch, 1); /* the parent changes the value meanwhile */
		_exit(0);
	}
	read(to_parent[0], &ch, 1);
	arg.val = 0;
	CHECK_OK("undo.setval_clears", semctl(id, 0, SETVAL, arg));
	write(to_child[1], "y", 1);
	CHECK_EXIT("undo.setval_child", conf_wait(c), 0);
	CHECK_EQ("undo.cleared_by_setval", getval(id, 0), 0);
	c = fork();
	if (c == 0) {
		if (sop(id, 0, 2, SEM_UNDO) < 0)
			_exit(1);
		write(to_parent[1], "x", 1);
		read(to_child[0], &ch, 1);
		_exit(0);
	}
	read(to_parent[0], &ch, 1);
	CHECK_OK("undo.take", sop(id, 0, -2, 0));
	write(to_child[1], "y", 1);
	CHECK_EXIT("undo.clamp_child", conf_wait(c), 0);
	CHECK_EQ("undo.clamped_at_zero", getval(id, 0), 0);
	close(to_parent[0]);
	close(to_parent[1]);
	close(to_child[0]);
	close(to_child[1]);

	/* Permissions. */
	arg.val = 3;
	semctl(id, 0, SETVAL, arg);
	c = fork();
	if (c == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		if (semget(key, 0, 0) != id)
			_exit(1);
		if (semget(key, 0, 0400) != -1 || errno != EACCES)
			_exit(2);
		if (semctl(id, 0, GETVAL) != -1 || errno != EACCES)
			_exit(3);
		if (sop(id, 0, -1, 0) != -1 || errno != EACCES)
			_exit(4);
		if (semctl(id, 0, IPC_RMID) != -1 || errno != EPERM)
			_exit(5);
		_exit(0);
	}
	CHECK_EXIT("perm.other_user", conf_wait(c), 0);
	arg.buf = &ds;
	semctl(id, 0, IPC_STAT, arg);
	ds.sem_perm.mode = 0666;
	CHECK_OK("ipc_set.mode", semctl(id, 0, IPC_SET, arg));
	c = fork();
	if (c == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		_exit(sop(id, 0, -1, 0) == 0 && semctl(id, 0, GETVAL) == 2 ? 0 : 1);
	}
	CHECK_EXIT("ipc_set.now_allowed", conf_wait(c), 0);
	ds.sem_perm.uid = (uid_t)-1;
	CHECK_ERR("ipc_set.bad_uid", semctl(id, 0, IPC_SET, arg), EINVAL);

	/* IPC_RMID wakes waiters with EIDRM. */
	arg.val = 0;
	semctl(id, 0, SETVAL, arg);
	c = fork();
	if (c == 0)
		_exit(sop(id, 0, -1, 0) == -1 && errno == EIDRM ? 0 : 1);
	CHECK_EQ("rmid.waiter_blocked", wait_cnt(id, 0, GETNCNT, 1), 1);
	CHECK_OK("rmid.ok", semctl(id, 0, IPC_RMID));
	CHECK_EXIT("rmid.waiter_eidrm", conf_wait(c), 0);
	CHECK_ERR("rmid.gone", semctl(id, 0, GETVAL), EINVAL);
	CHECK_ERR("rmid.key_gone", semget(key, 0, 0), ENOENT);
	CHECK_OK("rmid.private", semctl(priv, 0, IPC_RMID));
	return conf_done();
}
