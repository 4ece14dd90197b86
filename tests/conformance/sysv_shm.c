/* SysV shared memory: shmget (IPC_PRIVATE, keys, IPC_CREAT/IPC_EXCL, size
 * checks), shmat (sharing between attachments and across fork, SHM_RDONLY,
 * SHM_RND, SHM_REMAP, address checks), shmdt, shmctl (IPC_STAT, IPC_SET,
 * IPC_RMID with attachments left, SHM_STAT_ANY, IPC_INFO), shm_nattch
 * counting mappings, and permissions for another user.
 *
 * Natively this runs in the host's IPC namespace: every segment is removed
 * before exit and nothing printed depends on other segments. */
#include "conformance.h"
#include <setjmp.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#define PG 4096L

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_signo, fault_code;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_signo = sig;
	fault_code = si->si_code;
	siglongjmp(fault_jmp, 1);
}

static int read_sig(volatile char *p)
{
	fault_signo = 0;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		(void)*p;
		return 0;
	}
	return fault_signo;
}

static int write_sig(volatile char *p, char c)
{
	fault_signo = 0;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		*p = c;
		return 0;
	}
	return fault_signo;
}

static long nattch(int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) < 0)
		return -1;
	return (long)ds.shm_nattch;
}

static void test_private(void)
{
	int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
	CHECK("get", id >= 0);
	struct shmid_ds ds;
	CHECK_OK("stat", shmctl(id, IPC_STAT, &ds));
	CHECK_EQ("stat.segsz", ds.shm_segsz, 10000);
	CHECK_EQ("stat.nattch0", ds.shm_nattch, 0);
	CHECK_EQ("stat.mode", ds.shm_perm.mode & 0777, 0600);
	CHECK_EQ("stat.key", ds.shm_perm.__key, IPC_PRIVATE);
	CHECK_EQ("stat.cpid", ds.shm_cpid, getpid());
	CHECK_EQ("stat.lpid0", ds.shm_lpid, 0);
	CHECK_EQ("stat.uid", ds.shm_perm.uid, geteuid());
	CHECK_EQ("stat.cuid", ds.shm_perm.cuid, geteuid());
	CHECK_EQ("stat.atime0", ds.shm_atime, 0);
	CHECK("stat.ctime", ds.shm_ctime > 0);

	char *p = shmat(id, NULL, 0);
	CHECK("attach", p != (void *)-1);
	CHECK_EQ("attach.aligned", (uintptr_t)p % PG, 0);
	CHECK("attach.zero", p[0] == 0 && p[9999] == 0);
	CHECK_OK("stat2", shmctl(id, IPC_STAT, &ds));
	CHECK_EQ("stat2.nattch", ds.shm_nattch, 1);
	CHECK_EQ("stat2.lpid", ds.shm_lpid, getpid());
	CHECK("stat2.atime", ds.shm_atime > 0);
	strcpy(p, "shared memory");
	/* The last page is mapped whole. */
	CHECK_EQ("attach.last_page", read_sig(p + 3 * PG - 1), 0);

	char *q = shmat(id, NULL, 0);
	CHECK("attach_again", q != (void *)-1 && q != p);
	CHECK_STR("attach_again.shared", q, "shared memory");
	q[100] = 'Q';
	CHECK_EQ("attach_again.coherent", p[100], 'Q');
	CHECK_EQ("nattch2", nattch(id), 2);

	/* A child inherits both attachments and shares the pages. */
	pid_t pid = fork();
	if (pid == 0) {
		if (nattch(id) != 4)
			_exit(2);
		strcpy(p + 200, "child");
		_exit(0);
	}
	CHECK_EXIT("fork.child_nattch_and_store", conf_wait(pid), 0);
	CHECK_STR("fork.store_visible", q + 200, "child");
	CHECK_EQ("fork.nattch_after_exit", nattch(id), 2);

	char *r = shmat(id, NULL, SHM_RDONLY);
	CHECK("attach_rdonly", r != (void *)-1);
	CHECK_EQ("rdonly.read", r[100], 'Q');
	CHECK_EQ("rdonly.write_segv", write_sig(r, 1), SIGSEGV);
	CHECK_EQ("rdonly.write_code", fault_code, SEGV_ACCERR);
	CHECK_ERR("rdonly.mprotect", mprotect(r, PG, PROT_READ | PROT_WRITE), EACCES);
	CHECK_OK("shmdt_rdonly", shmdt(r));

	CHECK_OK("shmdt_q", shmdt(q));
	CHECK_EQ("nattch_after_dt", nattch(id), 1);
	CHECK_ERR("shmdt_again", shmdt(q), EINVAL);
	CHECK_ERR("shmdt_inside", shmdt(p + PG), EINVAL);
	CHECK_ERR("shmdt_unaligned", shmdt(p + 1), EINVAL);
	CHECK_OK("stat3", shmctl(id, IPC_STAT, &ds));
	CHECK("stat3.dtime", ds.shm_dtime > 0);

	/* Splitting an attachment makes more mappings; shmdt takes them all. */
	CHECK_OK("split", mprotect(p + PG, PG, PROT_READ));
	CHECK_EQ("split.nattch", nattch(id), 3);
	CHECK_OK("shmdt_split", shmdt(p));
	CHECK_EQ("split.all_gone", nattch(id), 0);
	CHECK_EQ("split.unmapped", read_sig(p + 2 * PG), SIGSEGV);

	/* IPC_SET changes the mode bits only. */
	ds.shm_perm.mode = 0640 | 01000;
	CHECK_OK("set", shmctl(id, IPC_SET, &ds));
	CHECK_OK("stat4", shmctl(id, IPC_STAT, &ds));
	CHECK_EQ("set.mode", ds.shm_perm.mode & 07777, 0640);

	/* SHM_STAT_ANY finds it by table index. */
	struct shminfo info;
	int maxidx = shmctl(0, IPC_INFO, (struct shmid_ds *)&info);
	CHECK("info", maxidx >= 0);
	CHECK_EQ("info.shmmin", info.shmmin, 1);
	int found = 0;
	for (int i = 0; i <= maxidx; i++)
		if (shmctl(i, SHM_STAT_ANY, &ds) == id)
			found = 1;
	CHECK("shm_stat_any.finds", found);

	CHECK_OK("rmid", shmctl(id, IPC_RMID, NULL));
	CHECK_ERR("rmid.gone", shmctl(id, IPC_STAT, &ds), EINVAL);
	CHECK_ERR("rmid.attach_gone", (long)shmat(id, NULL, 0), EINVAL);
}

static void test_keys(void)
{
	key_t key = 0x51ed0000 | (getpid() & 0xffff);
	key_t other = key ^ 0x00800000;
	shmctl(shmget(key, 1, 0), IPC_RMID, NULL); /* a leftover of ours */
	CHECK_ERR("key.enoent", shmget(other, PG, 0), ENOENT);
	int id = shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600);
	CHECK("key.create", id >= 0);
	CHECK_EQ("key.lookup", shmget(key, PG, 0), id);
	CHECK_EQ("key.lookup_smaller", shmget(key, 100, 0), id);
	CHECK_EQ("key.lookup_creat", shmget(key, PG, IPC_CREAT | 0600), id);
	CHECK_ERR("key.too_big", shmget(key, 2 * PG, 0), EINVAL);
	CHECK_ERR("key.excl", shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	struct shmid_ds ds;
	CHECK_OK("key.stat", shmctl(id, IPC_STAT, &ds));
	CHECK_EQ("key.stat_key", ds.shm_perm.__key, key);

	/* Removed while attached: the key is free, the memory lives on. */
	char *p = shmat(id, NULL, 0);
	strcpy(p, "still here");
	CHECK_OK("key.rmid_attached", shmctl(id, IPC_RMID, NULL));
	CHECK_OK("key.stat_removed", shmctl(id, IPC_STAT, &ds));
	CHECK_EQ("key.removed_dest", ds.shm_perm.mode & SHM_DEST, SHM_DEST);
	CHECK_EQ("key.removed_key", ds.shm_perm.__key, IPC_PRIVATE);
	CHECK_ERR("key.removed_lookup", shmget(key, PG, 0), ENOENT);
	CHECK_STR("key.removed_memory", p, "still here");
	char *p2 = shmat(id, NULL, 0); /* attaching by id still works */
	CHECK("key.removed_attach", p2 != (void *)-1);
	int id2 = shmget(key, PG, IPC_CREAT | 0600);
	CHECK("key.recreate", id2 >= 0 && id2 != id);
	CHECK_OK("key.dt1", shmdt(p));
	CHECK_OK("key.stat_one_left", shmctl(id, IPC_STAT, &ds));
	CHECK_OK("key.dt2", shmdt(p2));
	CHECK_ERR("key.destroyed", shmctl(id, IPC_STAT, &ds), EINVAL);
	CHECK_OK("key.rmid2", shmctl(id2, IPC_RMID, NULL));
}

static void test_errors(void)
{
	CHECK_ERR("err.size0", shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR("err.attach_neg", (long)shmat(-1, NULL, 0), EINVAL);
	CHECK_ERR("err.attach_bad", (long)shmat(0x7ffffff0, NULL, 0), EINVAL);
	CHECK_ERR("err.ctl_neg", shmctl(-1, IPC_STAT, NULL), EINVAL);
	int id = shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	CHECK_ERR("err.ctl_cmd", shmctl(id, 12345, NULL), EINVAL);
	CHECK_ERR("err.stat_efault", shmctl(id, IPC_STAT, (struct shmid_ds *)8), EFAULT);
	CHECK_ERR("err.set_efault", shmctl(id, IPC_SET, (struct shmid_ds *)8), EFAULT);
	CHECK_ERR("err.remap_no_addr", (long)shmat(id, NULL, SHM_REMAP), EINVAL);

	/* Fixed addresses: page aligned unless SHM_RND; no overlap unless
	 * SHM_REMAP. */
	char *area = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(area + 4 * PG, 4 * PG);
	char *want = area + 4 * PG;
	CHECK_ERR("err.unaligned", (long)shmat(id, want + 123, 0), EINVAL);
	char *p = shmat(id, want + 123, SHM_RND);
	CHECK("rnd", p == want);
	CHECK_OK("rnd.dt", shmdt(p));
	CHECK_ERR("err.overlap", (long)shmat(id, area + 3 * PG, 0), EINVAL);
	area[3 * PG] = 'a';
	p = shmat(id, area + 3 * PG, SHM_REMAP);
	CHECK("remap", p == area + 3 * PG);
	CHECK_EQ("remap.replaced", p[0], 0);
	CHECK_OK("remap.dt", shmdt(p));
	munmap(area, 4 * PG);
	CHECK_OK("err.rmid", shmctl(id, IPC_RMID, NULL));
}

static void test_perms(void)
{
	if (geteuid() != 0) {
		conf_print("SKIP perms: needs root\n");
		return;
	}
	key_t key = 0x51ee0000 | (getpid() & 0xffff);
	int id = shmget(key, PG, IPC_CREAT | 0600);
	CHECK("perm.create", id >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		struct shmid_ds ds;
		if (shmat(id, NULL, 0) != (void *)-1 || errno != EACCES)
			_exit(11);
		if (shmat(id, NULL, SHM_RDONLY) != (void *)-1 || errno != EACCES)
			_exit(12);
		if (shmctl(id, IPC_STAT, &ds) != -1 || errno != EACCES)
			_exit(13);
		if (shmctl(id, IPC_RMID, NULL) != -1 || errno != EPERM)
			_exit(14);
		if (shmget(key, PG, 0600) != -1 || errno != EACCES)
			_exit(15);
		if (shmget(key, PG, 0) != id) /* asking for nothing is allowed */
			_exit(16);
		_exit(0);
	}
	CHECK_EXIT("perm.other_user", conf_wait(pid), 0);
	/* Readable by others: a read-only attach works for them. */
	struct shmid_ds ds;
	shmctl(id, IPC_STAT, &ds);
	ds.shm_perm.mode = 0604;
	CHECK_OK("perm.set", shmctl(id, IPC_SET, &ds));
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		void *p = shmat(id, NULL, SHM_RDONLY);
		if (p == (void *)-1)
			_exit(11);
		if (shmat(id, NULL, 0) != (void *)-1 || errno != EACCES)
			_exit(12);
		_exit(0);
	}
	CHECK_EXIT("perm.other_read", conf_wait(pid), 0);
	CHECK_OK("perm.rmid", shmctl(id, IPC_RMID, NULL));
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	test_private();
	test_keys();
	test_errors();
	test_perms();
	return conf_done();
}
