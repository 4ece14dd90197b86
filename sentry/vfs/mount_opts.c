/* config.json mount options, split as runc does (parseMountOptions): words
 * that are mount flags become flags, propagation words are dropped (the
 * sandbox's mounts never propagate), and the rest is the filesystem's
 * comma-separated data. */
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "runsc/util.h"
#include "sentry/vfs/vfs_impl.h"

struct mount_word {
	const char *name;
	bool clear;
	unsigned long flag;
};

static const struct mount_word words[] = {
	{ "async", true, MS_SYNCHRONOUS },
	{ "atime", true, MS_NOATIME },
	{ "bind", false, MS_BIND },
	{ "defaults", false, 0 },
	{ "dev", true, MS_NODEV },
	{ "diratime", true, MS_NODIRATIME },
	{ "dirsync", false, MS_DIRSYNC },
	{ "exec", true, MS_NOEXEC },
	{ "loud", true, MS_SILENT },
	{ "mand", false, MS_MANDLOCK },
	{ "noatime", false, MS_NOATIME },
	{ "nodev", false, MS_NODEV },
	{ "nodiratime", false, MS_NODIRATIME },
	{ "noexec", false, MS_NOEXEC },
	{ "nomand", true, MS_MANDLOCK },
	{ "norelatime", true, MS_RELATIME },
	{ "nostrictatime", true, MS_STRICTATIME },
	{ "nosuid", false, MS_NOSUID },
	{ "rbind", false, MS_BIND | MS_REC },
	{ "relatime", false, MS_RELATIME },
	{ "remount", false, MS_REMOUNT },
	{ "ro", false, MS_RDONLY },
	{ "rw", true, MS_RDONLY },
	{ "silent", false, MS_SILENT },
	{ "strictatime", false, MS_STRICTATIME },
	{ "suid", true, MS_NOSUID },
	{ "sync", false, MS_SYNCHRONOUS },
};

static const char *const propagation[] = {
	"private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
	"tmpcopyup",
};

void mount_options_parse(char *const *opts, size_t n, unsigned long *set, unsigned long *clear,
			 char **data)
{
	size_t dlen = 0;

	*set = *clear = 0;
	*data = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *o = opts[i];
		bool known = false;

		for (size_t w = 0; w < ARRAY_SIZE(words) && !known; w++) {
			if (strcmp(o, words[w].name))
				continue;
			known = true;
			if (words[w].clear) {
				*clear |= words[w].flag;
				*set &= ~words[w].flag;
			} else {
				*set |= words[w].flag;
				*clear &= ~words[w].flag;
			}
		}
		for (size_t p = 0; p < ARRAY_SIZE(propagation) && !known; p++)
			known = strcmp(o, propagation[p]) == 0;
		if (known || !*o)
			continue;
		*data = xrealloc(*data, dlen + strlen(o) + 2);
		if (dlen)
			(*data)[dlen++] = ',';
		strcpy(*data + dlen, o);
		dlen += strlen(o);
	}
}
