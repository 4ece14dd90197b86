/* The standard mounts of /dev and /sys as Linux (and runc) shows them:
 * /dev/pts is a devpts mount of its own (in the mount table, its own
 * device) and mount -t devpts with the OCI default options gives a devpts
 * with a ptmx node; /dev is a tmpfs whose statfs reports its size and
 * inodes (df lists it); /sys and /proc are 0555. Natively the program
 * first moves to a mount namespace of its own. */
#include "conformance.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define TMPFS_MAGIC 0x01021994
#define DEVPTS_SUPER_MAGIC 0x1cd1

static char mountinfo[65536];

/* Whether the mount table has a mount of type fstype at dest. */
static bool mounted(const char *dest, const char *fstype)
{
	char *save = NULL, *copy = strdup(mountinfo);
	bool found = false;

	for (char *l = strtok_r(copy, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save)) {
		char mp[256], type[64];
		const char *sep = strstr(l, " - ");
		if (!sep || sscanf(l, "%*s %*s %*s %*s %255s", mp) != 1 ||
		    sscanf(sep + 3, "%63s", type) != 1)
			continue;
		found = !strcmp(mp, dest) && !strcmp(type, fstype);
	}
	free(copy);
	return found;
}

static void read_mountinfo(void)
{
	int fd = open("/proc/self/mountinfo", O_RDONLY);
	ssize_t n = 0, r;

	while (fd >= 0 && (r = read(fd, mountinfo + n, sizeof(mountinfo) - 1 - (size_t)n)) > 0)
		n += r;
	mountinfo[n] = '\0';
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	struct stat dev, pts, st;
	struct statfs sf;

	read_mountinfo();
	CHECK("pts_in_mountinfo", mounted("/dev/pts", "devpts"));
	CHECK_OK("stat.dev", stat("/dev", &dev));
	CHECK_OK("stat.pts", stat("/dev/pts", &pts));
	CHECK("pts_own_device", dev.st_dev != pts.st_dev);
	CHECK_OK("statfs.pts", statfs("/dev/pts", &sf));
	CHECK_EQ("pts_magic", sf.f_type, DEVPTS_SUPER_MAGIC);
	CHECK_OK("stat.ptmx", stat("/dev/pts/ptmx", &st));
	CHECK("ptmx_chr", S_ISCHR(st.st_mode));

	CHECK_OK("statfs.dev", statfs("/dev", &sf));
	CHECK_EQ("dev_magic", sf.f_type, TMPFS_MAGIC);
	CHECK("dev_blocks", sf.f_blocks > 0 && sf.f_bfree <= sf.f_blocks && sf.f_bavail == sf.f_bfree);
	CHECK("dev_inodes", sf.f_files > 0 && sf.f_ffree < sf.f_files);
	CHECK_EQ("dev_bsize", sf.f_bsize, 4096);

	CHECK_OK("stat.sys", stat("/sys", &st));
	CHECK_EQ("sys_mode", st.st_mode, S_IFDIR | 0555);
	CHECK_OK("stat.proc", stat("/proc", &st));
	CHECK_EQ("proc_mode", st.st_mode, S_IFDIR | 0555);

	/* A devpts of one's own, with the OCI default spec's options. */
	char dir[] = "/tmp/conf-devpts-XXXXXX";
	CHECK_OK("mkdtemp", mkdtemp(dir) ? 0 : -1);
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	CHECK_OK("mount.devpts", mount("devpts", dir, "devpts", MS_NOSUID | MS_NOEXEC,
				       "newinstance,ptmxmode=0666,mode=0620,gid=5"));
	CHECK_OK("statfs.mounted", statfs(dir, &sf));
	CHECK_EQ("mounted_magic", sf.f_type, DEVPTS_SUPER_MAGIC);
	char ptmx[64];
	snprintf(ptmx, sizeof(ptmx), "%s/ptmx", dir);
	CHECK_OK("stat.mounted_ptmx", stat(ptmx, &st));
	CHECK_EQ("mounted_ptmx_mode", st.st_mode, S_IFCHR | 0666);
	read_mountinfo();
	CHECK("mounted_in_mountinfo", mounted(dir, "devpts"));
	CHECK_OK("umount", umount(dir));
	CHECK_OK("rmdir", rmdir(dir));
	return conf_done();
}
