/* getdents64 while the directory changes: every entry that exists from
 * the start to the end of a listing is returned exactly once; an offset
 * (d_off) taken from a listing still resumes after that entry later, even
 * once other entries came and went; a rewind sees the changes. Run in a
 * new directory and in /tmp itself (in the sandbox: an upper-only and a
 * merged overlay directory). Only names with this run's prefix count, so
 * other files in /tmp do not matter. */
#include "conformance.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#define N 200

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static char prefix[64];

/* Index of our file named in name, or -1. */
static int our_index(const char *name)
{
	size_t n = strlen(prefix);
	if (strncmp(name, prefix, n) || strlen(name) != n + 4 || name[n] != '-')
		return -1;
	return atoi(name + n + 1);
}

static void make(const char *dir, int i)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s-%03d", dir, prefix, i);
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
}

static void rm(const char *dir, int i)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s-%03d", dir, prefix, i);
	unlink(p);
}

/* Reads up to max of our entries (a small buffer: several calls);
 * counts[i] counts how often file i was seen; offs[k]/idx[k] record the
 * k-th of our entries and the offset after it. Returns how many of ours
 * were read, or -1 on error. */
static int read_some(int fd, int max, int counts[], int64_t offs[], int idx[], int *nrec)
{
	char buf[256];
	int got = 0;

	while (got < max) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			int i = our_index(d->d_name);
			off += d->d_reclen;
			if (i < 0)
				continue;
			counts[i]++;
			if (*nrec < 4 * N) {
				offs[*nrec] = d->d_off;
				idx[*nrec] = i;
				(*nrec)++;
			}
			got++;
			if (got >= max) {
				/* Stop right after this entry. */
				lseek(fd, d->d_off, SEEK_SET);
				return got;
			}
		}
	}
	return got;
}

static void run(const char *label, const char *dir)
{
	static int counts[2 * N], idx[4 * N];
	static int64_t offs[4 * N];
	int nrec = 0;
	char name[128];

	memset(counts, 0, sizeof(counts));
	for (int i = 0; i < N; i++)
		make(dir, i);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	snprintf(name, sizeof(name), "%s.open", label);
	CHECK(name, fd >= 0);
	if (fd < 0)
		return;
	int first = read_some(fd, 60, counts, offs, idx, &nrec);
	snprintf(name, sizeof(name), "%s.first_part", label);
	CHECK_EQ(name, first, 60);

	/* Change the directory: remove 50 of the files not read yet (any
	 * 50, seen or not: the ones seen so far are 60 of them), add 50. */
	bool removed[N] = { false };
	int nrm = 0;
	for (int i = 0; i < N && nrm < 50; i++) {
		if (counts[i] == 0 && i % 2 == 0) {
			rm(dir, i);
			removed[i] = true;
			nrm++;
		}
	}
	for (int i = N; i < N + 50; i++)
		make(dir, i);
	read_some(fd, 4 * N, counts, offs, idx, &nrec);

	int once = 0, twice = 0, missing = 0;
	for (int i = 0; i < N; i++) {
		if (removed[i]) {
			if (counts[i] > 1)
				twice++;
			continue;
		}
		if (counts[i] == 1)
			once++;
		else if (counts[i] == 0)
			missing++;
		else
			twice++;
	}
	for (int i = N; i < N + 50; i++)
		if (counts[i] > 1)
			twice++;
	snprintf(name, sizeof(name), "%s.stable_entries_once", label);
	CHECK_EQ(name, once, N - nrm);
	snprintf(name, sizeof(name), "%s.none_missing", label);
	CHECK_EQ(name, missing, 0);
	snprintf(name, sizeof(name), "%s.none_twice", label);
	CHECK_EQ(name, twice, 0);

	/* An offset from the listing resumes right after its entry, even
	 * with the next one removed meanwhile. (Files added since may come
	 * in between, in hash-ordered directories: only the ones that were
	 * there all along count.) */
	int k = 10;
	while (k + 2 < nrec && (idx[k + 1] >= N || removed[idx[k + 1]] || idx[k + 2] >= N ||
				removed[idx[k + 2]]))
		k++;
	snprintf(name, sizeof(name), "%s.seek_resumes_after", label);
	if (k + 2 < nrec) {
		int next = idx[k + 1], after = idx[k + 2], first = -1;
		static int64_t o2[4 * N];
		static int i2[4 * N];
		int got = 0;

		rm(dir, next);
		lseek(fd, offs[k], SEEK_SET);
		memset(counts, 0, sizeof(counts));
		read_some(fd, 20, counts, o2, i2, &got);
		for (int j = 0; j < got && first < 0; j++)
			if (i2[j] < N && !removed[i2[j]])
				first = i2[j];
		CHECK(name, first == after);
		make(dir, next);
	} else {
		FAIL(name, "not enough entries recorded (%d)", nrec);
	}

	/* A rewind lists the directory as it is now. */
	lseek(fd, 0, SEEK_SET);
	memset(counts, 0, sizeof(counts));
	nrec = 0;
	read_some(fd, 4 * N, counts, offs, idx, &nrec);
	int now = 0, stale = 0;
	for (int i = 0; i < N + 50; i++) {
		if (i < N && removed[i])
			stale += counts[i];
		else
			now += counts[i] == 1;
	}
	snprintf(name, sizeof(name), "%s.rewind_sees_current", label);
	CHECK_EQ(name, now, N + 50 - nrm);
	snprintf(name, sizeof(name), "%s.rewind_no_removed", label);
	CHECK_EQ(name, stale, 0);
	close(fd);
	for (int i = 0; i < N + 50; i++)
		rm(dir, i);
}

int main(void)
{
	char dir[64] = "/tmp/conf-dirents-XXXXXX";

	CHECK_OK("mkdtemp", mkdtemp(dir) ? 0 : -1);
	if (conf_failed)
		return conf_done();
	/* The prefix makes our names unique in /tmp. */
	snprintf(prefix, sizeof(prefix), "%s", strrchr(dir, '/') + 1);
	run("newdir", dir);
	run("tmp", "/tmp");
	CHECK_OK("rmdir", rmdir(dir));
	return conf_done();
}
