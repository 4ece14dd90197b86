/* SysV message queues: msgget keys, msgsnd/msgrcv with message types
 * (0, n, -n, MSG_EXCEPT), IPC_NOWAIT, MSG_NOERROR, E2BIG, queue limits
 * and blocking, EINTR, IPC_STAT/IPC_SET/IPC_RMID, permissions. Queues are
 * private or use a key unique to the run, and are removed before exit. */
#include "conformance.h"
#include <sys/ipc.h>
#include <sys/msg.h>

#ifndef MSG_EXCEPT
#define MSG_EXCEPT 020000
#endif

struct msg {
	long type;
	char text[8200];
};

static int snd(int q, long type, const char *text, int flg)
{
	struct msg m;
	m.type = type;
	size_t n = strlen(text);
	memcpy(m.text, text, n);
	return msgsnd(q, &m, n, flg);
}

/* Receives into a static message; returns the length or -1. */
static struct msg rm;
static ssize_t rcv(int q, size_t size, long type, int flg)
{
	memset(&rm, 0, sizeof(rm));
	return msgrcv(q, &rm, size, type, flg);
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

int main(void)
{
	key_t key = (key_t)(0x5f000000 | (getpid() & 0xffffff));
	struct msqid_ds ds;

	CHECK_ERR("msgget.no_key", msgget(key, 0600), ENOENT);
	int q = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
	CHECK("msgget.create", q >= 0);
	CHECK_ERR("msgget.excl", msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK_EQ("msgget.existing", msgget(key, 0), q);
	int priv = msgget(IPC_PRIVATE, 0600);
	CHECK("msgget.private", priv >= 0 && priv != q);

	CHECK_OK("stat.ok", msgctl(q, IPC_STAT, &ds));
	CHECK_EQ("stat.qbytes", ds.msg_qbytes, 16384);
	CHECK_EQ("stat.qnum", ds.msg_qnum, 0);
	CHECK_EQ("stat.mode", ds.msg_perm.mode & 0777, 0600);
	CHECK("stat.owner", ds.msg_perm.uid == geteuid() && ds.msg_perm.cuid == geteuid());
	CHECK("stat.times", ds.msg_stime == 0 && ds.msg_rtime == 0 && ds.msg_ctime > 0);
	struct msginfo mi;
	CHECK_OK("info.ok", msgctl(q, IPC_INFO, (struct msqid_ds *)&mi));
	CHECK("info.limits", mi.msgmax == 8192 && mi.msgmnb == 16384 && mi.msgmni == 32000);
	CHECK_ERR("msgctl.bad_cmd", msgctl(q, 999, &ds), EINVAL);
	CHECK_ERR("msgctl.neg_id", msgctl(-1, IPC_STAT, &ds), EINVAL);

	/* Sending. */
	CHECK_ERR("msgsnd.type_zero", snd(q, 0, "x", 0), EINVAL);
	CHECK_ERR("msgsnd.type_negative", snd(q, -1, "x", 0), EINVAL);
	struct msg big = { .type = 1 };
	CHECK_ERR("msgsnd.too_big", msgsnd(q, &big, 8193, 0), EINVAL);
	CHECK_ERR("msgsnd.bad_id", snd(0x7ffffff0, 1, "x", 0), EINVAL);
	CHECK_ERR("msgsnd.efault", msgsnd(q, (void *)8, 1, 0), EFAULT);
	CHECK_OK("msgsnd.a1", snd(q, 1, "a1", 0));
	CHECK_OK("msgsnd.b2", snd(q, 2, "b2", 0));
	CHECK_OK("msgsnd.c3", snd(q, 3, "c3", 0));
	CHECK_OK("msgsnd.d2", snd(q, 2, "d2x", 0));
	CHECK_OK("msgsnd.empty", snd(q, 5, "", 0));
	msgctl(q, IPC_STAT, &ds);
	CHECK("stat.after_send", ds.msg_qnum == 5 && ds.msg_cbytes == 9 && ds.msg_lspid == getpid() &&
	      ds.msg_stime > 0);

	/* Receiving by type. */
	CHECK_EQ("msgrcv.type2", rcv(q, 100, 2, 0), 2);
	CHECK("msgrcv.type2_first", rm.type == 2 && memcmp(rm.text, "b2", 2) == 0);
	CHECK_EQ("msgrcv.lowest_le3", rcv(q, 100, -3, 0), 2);
	CHECK("msgrcv.lowest_value", rm.type == 1 && memcmp(rm.text, "a1", 2) == 0);
	CHECK_EQ("msgrcv.except3", rcv(q, 100, 3, MSG_EXCEPT), 3);
	CHECK("msgrcv.except_value", rm.type == 2 && memcmp(rm.text, "d2x", 3) == 0);
	CHECK_ERR("msgrcv.e2big", rcv(q, 1, 0, 0), E2BIG);
	CHECK_EQ("msgrcv.e2big_kept", (msgctl(q, IPC_STAT, &ds), ds.msg_qnum), 2);
	CHECK_EQ("msgrcv.noerror", rcv(q, 1, 0, MSG_NOERROR), 1);
	CHECK("msgrcv.noerror_value", rm.type == 3 && rm.text[0] == 'c' && rm.text[1] == 0);
	CHECK_ERR("msgrcv.nomsg", rcv(q, 100, 9, IPC_NOWAIT), ENOMSG);
	CHECK_EQ("msgrcv.empty_message", rcv(q, 100, 0, 0), 0);
	CHECK_ERR("msgrcv.empty_queue", rcv(q, 100, 0, IPC_NOWAIT), ENOMSG);
	msgctl(q, IPC_STAT, &ds);
	CHECK("stat.after_recv", ds.msg_qnum == 0 && ds.msg_cbytes == 0 && ds.msg_lrpid == getpid() &&
	      ds.msg_rtime > 0);
	CHECK_ERR("msgrcv.neg_size", msgrcv(q, &rm, (size_t)-1, 0, IPC_NOWAIT), EINVAL);

	/* The queue holds msg_qbytes bytes. */
	memset(big.text, 'z', sizeof(big.text));
	CHECK_OK("full.first", msgsnd(q, &big, 8192, IPC_NOWAIT));
	CHECK_OK("full.second", msgsnd(q, &big, 8192, IPC_NOWAIT));
	CHECK_ERR("full.eagain", msgsnd(q, &big, 1, IPC_NOWAIT), EAGAIN);
	/* A blocked sender goes on when a child makes room. */
	pid_t c = fork();
	if (c == 0) {
		conf_msleep(100);
		_exit(rcv(q, 8192, 0, 0) == 8192 ? 0 : 1);
	}
	int64_t t0 = conf_mono_ns();
	CHECK_OK("full.blocking_send", msgsnd(q, &big, 100, 0));
	CHECK("full.waited", conf_mono_ns() - t0 >= 50000000);
	CHECK_EXIT("full.child", conf_wait(c), 0);
	while (rcv(q, 8192, 0, IPC_NOWAIT) >= 0)
		;

	/* A blocked receiver waits for its type, not any message. */
	c = fork();
	if (c == 0) {
		if (rcv(q, 100, 7, 0) != 3 || rm.type != 7 || memcmp(rm.text, "sev", 3) != 0)
			_exit(1);
		_exit(0);
	}
	conf_msleep(50);
	snd(q, 6, "six", 0);
	conf_msleep(50);
	snd(q, 7, "sev", 0);
	CHECK_EXIT("block.typed_receiver", conf_wait(c), 0);
	CHECK_EQ("block.other_type_stays", rcv(q, 100, 0, IPC_NOWAIT), 3);
	CHECK_EQ("block.other_type_value", rm.type, 6);

	/* A signal ends a blocked receive with EINTR, SA_RESTART or not. */
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART };
	sigaction(SIGUSR1, &sa, NULL);
	pid_t sg = start_signaler(SIGUSR1);
	CHECK_ERR("signal.eintr", rcv(q, 100, 0, 0), EINTR);
	CHECK_KILLED("signal.signaler", stop_signaler(sg), SIGKILL);
	signal(SIGUSR1, SIG_DFL);

	/* Permissions and IPC_SET. */
	c = fork();
	if (c == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		if (msgget(key, 0200) != -1 || errno != EACCES)
			_exit(1);
		if (snd(q, 1, "x", IPC_NOWAIT) != -1 || errno != EACCES)
			_exit(2);
		if (msgctl(q, IPC_STAT, &ds) != -1 || errno != EACCES)
			_exit(3);
		if (msgctl(q, IPC_RMID, NULL) != -1 || errno != EPERM)
			_exit(4);
		_exit(0);
	}
	CHECK_EXIT("perm.other_user", conf_wait(c), 0);
	msgctl(q, IPC_STAT, &ds);
	ds.msg_perm.mode = 0622;
	ds.msg_qbytes = 100;
	CHECK_OK("ipc_set.ok", msgctl(q, IPC_SET, &ds));
	msgctl(q, IPC_STAT, &ds);
	CHECK("ipc_set.applied", ds.msg_qbytes == 100 && (ds.msg_perm.mode & 0777) == 0622);
	CHECK_ERR("ipc_set.small_queue", msgsnd(q, &big, 101, IPC_NOWAIT), EAGAIN);
	c = fork();
	if (c == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		if (snd(q, 1, "hi", IPC_NOWAIT) != 0)
			_exit(1);
		struct msqid_ds d2 = ds;
		d2.msg_qbytes = 20000;
		if (msgctl(q, IPC_SET, &d2) != -1 || errno != EPERM)
			_exit(2);
		_exit(0);
	}
	CHECK_EXIT("ipc_set.writable_by_others", conf_wait(c), 0);
	CHECK_EQ("ipc_set.message_arrived", rcv(q, 100, 0, IPC_NOWAIT), 2);

	/* IPC_RMID wakes a blocked receiver with EIDRM. */
	int ready[2];
	char ch;
	pipe(ready);
	c = fork();
	if (c == 0) {
		write(ready[1], "r", 1);
		_exit(rcv(q, 100, 0, 0) == -1 && errno == EIDRM ? 0 : 1);
	}
	read(ready[0], &ch, 1);
	conf_msleep(100);
	CHECK_OK("rmid.ok", msgctl(q, IPC_RMID, NULL));
	CHECK_EXIT("rmid.receiver_eidrm", conf_wait(c), 0);
	CHECK_ERR("rmid.gone", msgctl(q, IPC_STAT, &ds), EINVAL);
	CHECK_ERR("rmid.key_gone", msgget(key, 0), ENOENT);
	CHECK_OK("rmid.private", msgctl(priv, IPC_RMID, NULL));
	return conf_done();
}
