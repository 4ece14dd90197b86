/* fork's private memory is copy-on-write: after fork, writes by either
 * side are invisible to the other, for the heap, the stack, .data, a
 * private file mapping and a private anonymous one; MAP_SHARED stays
 * shared; DONTNEED, mprotect and mremap after fork, fork from a process
 * with running threads, fork chains, MADV_DONTFORK/WIPEONFORK, writes by
 * the kernel (read() into a shared page) and the /proc/self/smaps figures
 * of shared pages. Children report through their exit status. */
#include "conformance.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>

#define PG 4096
#define NPG 16

static char data_buf[NPG * PG] = { 1 }; /* .data, not .bss */

static void fill(char *p, size_t len, char c) { memset(p, c, len); }

static bool all(const char *p, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return false;
	return true;
}

/* Runs fn in a child (exit status: 0 ok, else the failing step). */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	return conf_wait(pid);
}

/* The child writes everything and checks it; the parent then checks it
 * still has its own bytes, writes again, and a second child checks it
 * sees the parent's new bytes only (its fork came after). */
static int child_writes(void *arg)
{
	char *p = arg;
	if (!all(p, NPG * PG, 'p'))
		return 1;
	fill(p, NPG * PG, 'c');
	return all(p, NPG * PG, 'c') ? 0 : 2;
}

static int child_sees_q(void *arg) { return all(arg, NPG * PG, 'q') ? 0 : 1; }

static void isolation(const char *name, char *p)
{
	char n[64];
	fill(p, NPG * PG, 'p');
	snprintf(n, sizeof(n), "%s.child_writes", name);
	CHECK_EXIT(n, in_child(child_writes, p), 0);
	snprintf(n, sizeof(n), "%s.parent_unchanged", name);
	CHECK(n, all(p, NPG * PG, 'p'));

	/* The parent writes while a child still shares the pages. */
	int go[2], done[2];
	if (pipe(go) < 0 || pipe(done) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char b;
		if (read(go[0], &b, 1) != 1)
			_exit(3);
		_exit(all(p, NPG * PG, 'p') ? 0 : 1);
	}
	fill(p, NPG * PG, 'q');
	if (write(go[1], "x", 1) != 1)
		return;
	snprintf(n, sizeof(n), "%s.parent_writes_invisible", name);
	CHECK_EXIT(n, conf_wait(pid), 0);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	snprintf(n, sizeof(n), "%s.later_child_sees_new", name);
	CHECK_EXIT(n, in_child(child_sees_q, p), 0);
	CHECK(name, all(p, NPG * PG, 'q'));
}

static void test_regions(void)
{
	char *heap = malloc(NPG * PG);
	isolation("heap", heap);
	free(heap);

	char stack_buf[NPG * PG];
	isolation("stack", stack_buf);

	isolation("data", data_buf);

	char *anon = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	isolation("anon", anon);
	munmap(anon, NPG * PG);
}

static char tmpdir[64] = "/tmp/conf-cow-XXXXXX";
static char path[128];

static int child_file(void *arg)
{
	char *p = arg;
	if (!all(p, NPG * PG, 'f'))
		return 1;
	fill(p, NPG * PG, 'c');
	return 0;
}

static int child_file_dontneed(void *arg)
{
	char *p = arg;
	fill(p, PG, 'c');
	if (madvise(p, NPG * PG, MADV_DONTNEED) < 0)
		return 1;
	/* The file's bytes again, not the parent's private ones. */
	return all(p, NPG * PG, 'f') ? 0 : 2;
}

static void test_private_file(void)
{
	CHECK_OK("file.mkdtemp", mkdtemp(tmpdir) ? 0 : -1);
	snprintf(path, sizeof(path), "%s/f", tmpdir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char buf[PG];
	fill(buf, PG, 'f');
	for (int i = 0; i < NPG; i++)
		if (write(fd, buf, PG) != PG)
			FAIL("file.write", "short write");

	/* Written before fork (a private copy), and not (the cache pages). */
	char *w = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *r = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("file.mmap", w != MAP_FAILED && r != MAP_FAILED);
	w[0] = 'f';
	CHECK_EXIT("file.unwritten.child_writes", in_child(child_file, r), 0);
	CHECK("file.unwritten.parent_unchanged", all(r, NPG * PG, 'f'));
	CHECK_EXIT("file.written.child_writes", in_child(child_file, w), 0);
	CHECK("file.written.parent_unchanged", all(w, NPG * PG, 'f'));
	fill(w, PG, 'p');
	CHECK_EXIT("file.child_dontneed", in_child(child_file_dontneed, w), 0);
	CHECK("file.parent_after_child_dontneed", w[0] == 'p' && all(w + PG, (NPG - 1) * PG, 'f'));
	char back[PG];
	CHECK_EQ("file.unchanged_on_disk", pread(fd, back, PG, 0), PG);
	CHECK("file.unchanged_on_disk_bytes", all(back, PG, 'f'));
	munmap(w, NPG * PG);
	munmap(r, NPG * PG);
	close(fd);
	unlink(path);
	rmdir(tmpdir);
}

static int child_shared(void *arg)
{
	fill(arg, NPG * PG, 's');
	return 0;
}

static void test_shared(void)
{
	char *s = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(s, NPG * PG, 'p');
	CHECK_EXIT("shared.child_writes", in_child(child_shared, s), 0);
	CHECK("shared.parent_sees", all(s, NPG * PG, 's'));
	munmap(s, NPG * PG);
}

static int child_dontneed(void *arg)
{
	char *p = arg;
	if (madvise(p, NPG * PG, MADV_DONTNEED) < 0)
		return 1;
	if (!all(p, NPG * PG, 0))
		return 2;
	p[5] = 'c';
	return 0;
}

static int child_keeps_after_parent_dontneed(void *arg)
{
	int *fds = arg;
	char *p = *(char **)(fds + 2);
	char b;
	if (read(fds[0], &b, 1) != 1)
		return 3;
	return all(p, NPG * PG, 'p') ? 0 : 1;
}

static void test_dontneed(void)
{
	char *p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(p, NPG * PG, 'p');
	CHECK_EXIT("dontneed.child", in_child(child_dontneed, p), 0);
	CHECK("dontneed.parent_keeps", all(p, NPG * PG, 'p'));

	struct {
		int fds[2];
		char *p;
	} a = { { -1, -1 }, p };
	if (pipe(a.fds) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_keeps_after_parent_dontneed(&a));
	CHECK_OK("dontneed.parent", madvise(p, NPG * PG, MADV_DONTNEED));
	CHECK("dontneed.parent_zero", all(p, NPG * PG, 0));
	if (write(a.fds[1], "x", 1) != 1)
		return;
	CHECK_EXIT("dontneed.child_keeps", conf_wait(pid), 0);
	close(a.fds[0]);
	close(a.fds[1]);
	munmap(p, NPG * PG);
}

static int child_mprotect(void *arg)
{
	char *p = arg;
	if (mprotect(p, NPG * PG, PROT_READ) < 0)
		return 1;
	if (!all(p, NPG * PG, 'p'))
		return 2;
	if (mprotect(p, NPG * PG, PROT_READ | PROT_WRITE) < 0)
		return 3;
	fill(p, NPG * PG, 'c');
	return 0;
}

static int child_write_readonly(void *arg)
{
	char *p = arg;
	if (mprotect(p, PG, PROT_READ) < 0)
		return 1;
	*(volatile char *)p = 'c'; /* SIGSEGV, copy-on-write or not */
	return 2;
}

static int child_mremap(void *arg)
{
	char *p = arg;
	char *q = mremap(p, NPG * PG, 2 * NPG * PG, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		return 1;
	if (!all(q, NPG * PG, 'p') || !all(q + NPG * PG, NPG * PG, 0))
		return 2;
	fill(q, 2 * NPG * PG, 'c');
	return 0;
}

static void test_mprotect_mremap(void)
{
	char *p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(p, NPG * PG, 'p');
	CHECK_EXIT("mprotect.child", in_child(child_mprotect, p), 0);
	CHECK("mprotect.parent_unchanged", all(p, NPG * PG, 'p'));
	CHECK_KILLED("mprotect.child_readonly_write", in_child(child_write_readonly, p), SIGSEGV);
	/* The parent itself, after fork: read-only then writable again. */
	pid_t pid = fork();
	if (pid == 0) {
		conf_msleep(50);
		_exit(all(p, NPG * PG, 'p') ? 0 : 1);
	}
	CHECK_OK("mprotect.parent_ro", mprotect(p + PG, 2 * PG, PROT_READ));
	CHECK_OK("mprotect.parent_rw", mprotect(p, NPG * PG, PROT_READ | PROT_WRITE));
	fill(p, NPG * PG, 'q');
	CHECK_EXIT("mprotect.child_unchanged", conf_wait(pid), 0);
	fill(p, NPG * PG, 'p');
	CHECK_EXIT("mremap.child", in_child(child_mremap, p), 0);
	CHECK("mremap.parent_unchanged", all(p, NPG * PG, 'p'));
	munmap(p, NPG * PG);
}

/* ---- threads ---- */

static volatile int stop_thread;
static volatile unsigned long counter;

static void *spin(void *arg)
{
	char *p = arg;
	while (!stop_thread) {
		counter++;
		p[(counter % NPG) * PG + 1] = (char)counter;
	}
	return NULL;
}

static int child_of_threaded(void *arg)
{
	char *p = arg;
	/* The spinning thread is not in the child: its bytes stay put. */
	char snap[NPG];
	for (int i = 0; i < NPG; i++)
		snap[i] = p[i * PG + 1];
	conf_msleep(20);
	for (int i = 0; i < NPG; i++)
		if (p[i * PG + 1] != snap[i])
			return 1;
	if (p[0] != 'p')
		return 2;
	fill(p, NPG * PG, 'c');
	return 0;
}

static void test_threads(void)
{
	char *p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(p, NPG * PG, 'p');
	pthread_t th;
	CHECK_EQ("threads.create", pthread_create(&th, NULL, spin, p), 0);
	while (counter < 1000)
		sched_yield();
	CHECK_EXIT("threads.child", in_child(child_of_threaded, p), 0);
	unsigned long before = counter;
	conf_msleep(10);
	CHECK("threads.thread_still_runs", counter != before);
	stop_thread = 1;
	pthread_join(th, NULL);
	CHECK("threads.parent_unchanged", p[0] == 'p' && p[2] == 'p' && p[PG + 5] == 'p');
	munmap(p, NPG * PG);
}

/* ---- chains ---- */

static char chain_buf[8 * PG];

static int chain(int depth)
{
	chain_buf[depth * PG] = (char)('a' + depth);
	if (depth == 7) {
		for (int i = 0; i <= 7; i++)
			if (chain_buf[i * PG] != 'a' + i)
				return 1;
		return 0;
	}
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0)
		_exit(chain(depth + 1));
	int st = conf_wait(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return 3;
	/* The descendants wrote the pages after ours: not ours to see. */
	for (int i = depth + 1; i <= 7; i++)
		if (chain_buf[i * PG] != 0)
			return 4;
	for (int i = 0; i <= depth; i++)
		if (chain_buf[i * PG] != 'a' + i)
			return 5;
	return 0;
}

static void test_chains(void)
{
	CHECK_EQ("chain.depth8", chain(0), 0);
	/* Many children in a row from one parent that keeps writing. */
	char *p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int bad = 0;
	for (int i = 0; i < 20; i++) {
		fill(p, NPG * PG, (char)('A' + i));
		pid_t pid = fork();
		if (pid == 0) {
			bool ok = all(p, NPG * PG, (char)('A' + i));
			p[i * 100] = 'z';
			_exit(ok ? 0 : 1);
		}
		p[PG * (i % NPG)] = 'y';
		int st = conf_wait(pid);
		bad += !WIFEXITED(st) || WEXITSTATUS(st);
	}
	CHECK_EQ("chain.twenty_children", bad, 0);
	munmap(p, NPG * PG);
}

/* ---- writes by the kernel ---- */

static int child_read_into(void *arg)
{
	char *p = arg;
	int fds[2];
	if (pipe(fds) < 0)
		return 1;
	char buf[3 * PG];
	fill(buf, sizeof(buf), 'k');
	if (write(fds[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		return 2;
	/* Straddles pages, starting mid-page. */
	if (read(fds[0], p + 100, sizeof(buf)) != (ssize_t)sizeof(buf))
		return 3;
	return all(p + 100, sizeof(buf), 'k') && all(p, 100, 'p') ? 0 : 4;
}

static void test_kernel_writes(void)
{
	char *p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(p, NPG * PG, 'p');
	CHECK_EXIT("kwrite.child_read", in_child(child_read_into, p), 0);
	CHECK("kwrite.parent_unchanged", all(p, NPG * PG, 'p'));

	/* The parent read()s into pages a live child still shares. */
	int go[2], data[2];
	if (pipe(go) < 0 || pipe(data) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char b;
		if (read(go[0], &b, 1) != 1)
			_exit(3);
		_exit(all(p, NPG * PG, 'p') ? 0 : 1);
	}
	char buf[2 * PG];
	fill(buf, sizeof(buf), 'k');
	if (write(data[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		return;
	CHECK_EQ("kwrite.parent_read", read(data[0], p + PG - 7, sizeof(buf)), sizeof(buf));
	CHECK("kwrite.parent_sees", all(p + PG - 7, sizeof(buf), 'k') && all(p, PG - 7, 'p'));
	if (write(go[1], "x", 1) != 1)
		return;
	CHECK_EXIT("kwrite.child_unchanged", conf_wait(pid), 0);
	/* A wait status stored into a shared page (wait4's status pointer). */
	int *st = (int *)(p + 3 * PG);
	*st = 77;
	pid = fork();
	if (pid == 0)
		_exit(*st == 77 ? 5 : 6);
	CHECK_EQ("kwrite.wait4_status", waitpid(pid, st, 0), pid);
	CHECK_EXIT("kwrite.wait4_status_value", *st, 5);
	close(go[0]);
	close(go[1]);
	close(data[0]);
	close(data[1]);
	munmap(p, NPG * PG);
}

/* ---- many pages ---- */

#define BIG (300 * PG) /* several 64-page blocks, not aligned */

static int child_dense(void *arg)
{
	char *p = arg;
	/* Two pages of a block, then the rest must still be the parent's. */
	p[PG] = 'x';
	p[2 * PG + 9] = 'y';
	for (size_t i = 0; i < BIG; i += PG)
		if (i != PG && i != 2 * PG && p[i] != (char)(i / PG))
			return 1;
	if (p[PG + 1] != 1 || p[2 * PG + 9] != 'y')
		return 2;
	for (size_t i = 0; i < BIG; i += 512)
		p[i] = 'c';
	for (size_t i = 0; i < BIG; i += 512)
		if (p[i] != 'c')
			return 3;
	return 0;
}

static void test_dense(void)
{
	char *p = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < BIG; i++)
		p[i] = (char)(i / PG);
	CHECK_EXIT("dense.child", in_child(child_dense, p), 0);
	bool same = true;
	for (size_t i = 0; i < BIG; i++)
		same &= p[i] == (char)(i / PG);
	CHECK("dense.parent_unchanged", same);
	/* The parent rewrites everything while a child still shares it. */
	int go[2];
	if (pipe(go) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char b;
		if (read(go[0], &b, 1) != 1)
			_exit(3);
		for (size_t i = 0; i < BIG; i++)
			if (p[i] != (char)(i / PG))
				_exit(1);
		_exit(0);
	}
	memset(p, 'q', BIG);
	if (write(go[1], "x", 1) != 1)
		return;
	CHECK_EXIT("dense.parent_rewrite_invisible", conf_wait(pid), 0);
	CHECK("dense.parent_rewrote", all(p, BIG, 'q'));
	close(go[0]);
	close(go[1]);
	munmap(p, BIG);
}

/* ---- DONTFORK, WIPEONFORK ---- */

static int child_touch(void *arg)
{
	return *(volatile char *)arg == 'p' ? 0 : 1;
}

static int child_wiped(void *arg) { return all(arg, NPG * PG, 0) ? 0 : 1; }

static void test_madv_fork(void)
{
	char *p = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(p, NPG * PG, 'p');
	CHECK_OK("dontfork.madvise", madvise(p + 4 * PG, 4 * PG, MADV_DONTFORK));
	CHECK_KILLED("dontfork.child_unmapped", in_child(child_touch, p + 5 * PG), SIGSEGV);
	CHECK_EXIT("dontfork.rest_inherited", in_child(child_touch, p + 9 * PG), 0);
	CHECK_OK("dofork.madvise", madvise(p + 4 * PG, 4 * PG, MADV_DOFORK));
	CHECK_EXIT("dofork.inherited", in_child(child_touch, p + 5 * PG), 0);
	CHECK_OK("wipeonfork.madvise", madvise(p, NPG * PG, MADV_WIPEONFORK));
	CHECK_EXIT("wipeonfork.child_zero", in_child(child_wiped, p), 0);
	CHECK("wipeonfork.parent_keeps", all(p, NPG * PG, 'p'));
	munmap(p, NPG * PG);
}

/* ---- /proc/self/smaps ---- */

/* The kB figure of field in the smaps entry of the mapping at addr. */
static long smaps_kb(void *addr, const char *field)
{
	char want[32], line[256];
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	bool in = false;
	long kb = -2;
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strncmp(line, want, strlen(want)) == 0 && !strstr(line, "kB")) {
			in = true;
			continue;
		}
		if (in && strncmp(line, field, strlen(field)) == 0 && line[strlen(field)] == ':') {
			kb = atol(line + strlen(field) + 1);
			break;
		}
		if (in && strncmp(line, "VmFlags", 7) == 0)
			break;
	}
	fclose(f);
	return kb;
}

static int child_smaps(void *arg)
{
	char *p = arg;
	if (smaps_kb(p, "Rss") != NPG * PG / 1024)
		return 1;
	if (smaps_kb(p, "Shared_Dirty") != NPG * PG / 1024)
		return 2;
	if (smaps_kb(p, "Pss") != NPG * PG / 2048)
		return 3;
	p[0] = 'c';
	if (smaps_kb(p, "Rss") != NPG * PG / 1024)
		return 4;
	if (smaps_kb(p, "Private_Dirty") != PG / 1024)
		return 5;
	if (smaps_kb(p, "Shared_Dirty") != (NPG - 1) * PG / 1024)
		return 6;
	return 0;
}

static void test_smaps(void)
{
	/* Between PROT_NONE guards, so that no neighbour merges with it. */
	char *g = mmap(NULL, (NPG + 2) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p = mmap(g + PG, NPG * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	fill(p, NPG * PG, 'p');
	CHECK_EQ("smaps.parent_rss", smaps_kb(p, "Rss"), NPG * PG / 1024);
	CHECK_EXIT("smaps.child", in_child(child_smaps, p), 0);
	CHECK_EQ("smaps.parent_private_after", smaps_kb(p, "Private_Dirty"), NPG * PG / 1024);
	munmap(g, (NPG + 2) * PG);
}

int main(void)
{
	test_regions();
	test_private_file();
	test_shared();
	test_dontneed();
	test_mprotect_mremap();
	test_threads();
	test_chains();
	test_kernel_writes();
	test_dense();
	test_madv_fork();
	test_smaps();
	return conf_done();
}
