/* Credentials: refcounted and shared between tasks (fork shares them), so
 * changing them means copying first (see cred_prepare in the set*id code,
 * as Linux's prepare_creds/commit_creds). */
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#include "runsc/util.h"
#include "sentry/kernel.h"

#define CAP_ALL_MASK ((1ULL << (CAP_LAST_CAP + 1)) - 1)

struct cred *cred_new_root(void)
{
	struct cred *c = xzalloc(sizeof(*c));
	c->refcount = 1;
	/* uid/gid 0 everywhere, as the zeroed allocation already says. */
	c->cap_effective = CAP_ALL_MASK;
	c->cap_permitted = CAP_ALL_MASK;
	c->cap_bounding = CAP_ALL_MASK;
	c->cap_inheritable = 0;
	c->cap_ambient = 0;
	return c;
}

struct cred *cred_get(struct cred *c)
{
	c->refcount++;
	return c;
}

void cred_put(struct cred *c)
{
	if (!c || --c->refcount > 0)
		return;
	free(c->groups);
	free(c);
}

struct cred *cred_copy(const struct cred *c)
{
	struct cred *n = xmalloc(sizeof(*n));
	*n = *c;
	n->refcount = 1;
	n->groups = NULL;
	if (c->ngroups > 0) {
		n->groups = xmalloc((size_t)c->ngroups * sizeof(gid_t));
		memcpy(n->groups, c->groups, (size_t)c->ngroups * sizeof(gid_t));
	}
	return n;
}

bool cred_capable(const struct cred *c, int cap)
{
	if (cap < 0 || cap > 63)
		return false;
	return (c->cap_effective >> cap) & 1;
}
