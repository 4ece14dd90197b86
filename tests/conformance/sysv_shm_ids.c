/* SysV shared memory through the identifier code it shares with semaphores
 * and message queues (sentry/sysv_ids.c): ids of removed segments stay
 * stale, SHM_STAT by table index, IPC_SET's uid/gid validation, and the
 * order of shmget's checks on an existing key (EEXIST, then size, then
 * permissions).
 *
 * Natively this runs in the host's IPC namespace: every segment is removed
 * before exit and nothing printed depends on other segments. */
#include "conformance.h"
#include <sys/ipc.h>
#include <sys/shm.h>

#define PG 4096L
#define IDX(id) ((id) & 0x7fff)

static void test_stale_ids(void)
{
	int id = shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	CHECK("stale.get", id >= 0);
	CHECK_OK("stale.rmid", shmctl(id, IPC_RMID, NULL));
	int id2 = shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	CHECK("stale.get2", id2 >= 0 && id2 != id);
	struct shmid_ds ds;
	CHECK_ERR("stale.stat", shmctl(id, IPC_STAT, &ds), EINVAL);
	CHECK_ERR("stale.set", shmctl(id, IPC_SET, &ds), EINVAL);
	CHECK_ERR("stale.rmid_again", shmctl(id, IPC_RMID, NULL), EINVAL);
	CHECK_ERR("stale.lock", shmctl(id, SHM_LOCK, NULL), EINVAL);
	CHECK_ERR("stale.attach", (long)shmat(id, NULL, 0), EINVAL);

	/* SHM_STAT takes the index and answers with the whole id. */
	CHECK_EQ("stat_idx", shmctl(IDX(id2), SHM_STAT, &ds), id2);
	CHECK_EQ("stat_idx.size", (long)ds.shm_segsz, PG);
	CHECK_EQ("stat_idx.mode", ds.shm_perm.mode & 0777, 0600);
	CHECK_OK("stale.rmid2", shmctl(id2, IPC_RMID, NULL));
	CHECK_ERR("stat_idx.gone", shmctl(IDX(id2), SHM_STAT, &ds), EINVAL);
}

static void test_set(void)
{
	int id = shmget(IPC_PRIVATE, PG, IPC_CREAT | 0640);
	CHECK("set.get", id >= 0);
	struct shmid_ds ds;
	CHECK_OK("set.stat", shmctl(id, IPC_STAT, &ds));
	uid_t uid = ds.shm_perm.uid;
	gid_t gid = ds.shm_perm.gid;
	ds.shm_perm.uid = (uid_t)-1;
	CHECK_ERR("set.bad_uid", shmctl(id, IPC_SET, &ds), EINVAL);
	ds.shm_perm.uid = uid;
	ds.shm_perm.gid = (gid_t)-1;
	CHECK_ERR("set.bad_gid", shmctl(id, IPC_SET, &ds), EINVAL);
	ds.shm_perm.gid = gid;
	/* Only the permission bits of mode change; SHM_LOCKED is kept. */
	CHECK_OK("set.lock", shmctl(id, SHM_LOCK, NULL));
	ds.shm_perm.mode = 0604 | SHM_DEST;
	CHECK_OK("set.mode", shmctl(id, IPC_SET, &ds));
	CHECK_OK("set.stat2", shmctl(id, IPC_STAT, &ds));
	CHECK_EQ("set.mode_bits", ds.shm_perm.mode & 0777, 0604);
	CHECK_EQ("set.kept_locked", ds.shm_perm.mode & (SHM_LOCKED | SHM_DEST), SHM_LOCKED);
	CHECK_OK("set.unlock", shmctl(id, SHM_UNLOCK, NULL));
	CHECK_OK("set.stat3", shmctl(id, IPC_STAT, &ds));
	CHECK_EQ("set.unlocked", ds.shm_perm.mode & SHM_LOCKED, 0);
	CHECK_OK("set.rmid", shmctl(id, IPC_RMID, NULL));
}

static void test_get_order(void)
{
	if (geteuid() != 0) {
		conf_print("SKIP get_order: needs root\n");
		return;
	}
	key_t key = 0x51ef0000 | (getpid() & 0xffff);
	shmctl(shmget(key, 1, 0), IPC_RMID, NULL); /* a leftover of ours */
	int id = shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600);
	CHECK("order.create", id >= 0);
	CHECK_ERR("order.excl_before_size", shmget(key, 4 * PG, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		/* Size is checked before permissions. */
		if (shmget(key, 4 * PG, 0600) != -1 || errno != EINVAL)
			_exit(11);
		if (shmget(key, PG, 0400) != -1 || errno != EACCES)
			_exit(12);
		if (shmget(key, PG, IPC_CREAT | 0400) != -1 || errno != EACCES)
			_exit(13);
		if (shmctl(id, IPC_SET, &(struct shmid_ds){ 0 }) != -1 || errno != EPERM)
			_exit(14);
		if (shmctl(id, SHM_LOCK, NULL) != -1 || errno != EPERM)
			_exit(15);
		struct shmid_ds ds;
		if (shmctl(IDX(id), SHM_STAT, &ds) != -1 || errno != EACCES)
			_exit(16);
		_exit(0);
	}
	CHECK_EXIT("order.other_user", conf_wait(pid), 0);
	CHECK_OK("order.rmid", shmctl(id, IPC_RMID, NULL));
}

int main(void)
{
	test_stale_ids();
	test_set();
	test_get_order();
	return conf_done();
}
