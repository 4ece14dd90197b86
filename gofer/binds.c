/* Bind mounts of config.json, as both the CLI and the sentry see them. */
#include <stdio.h>
#include <string.h>

#include "gofer/binds.h"
#include "gofer/protocol.h"
#include "runsc/spec.h"
#include "runsc/util.h"

static bool has_option(const struct spec_mount *m, const char *opt)
{
	for (size_t i = 0; i < m->n_options; i++)
		if (!strcmp(m->options[i], opt))
			return true;
	return false;
}

bool spec_mount_is_bind(const struct spec_mount *m)
{
	return (m->type && !strcmp(m->type, "bind")) || has_option(m, "bind") ||
	       has_option(m, "rbind");
}

bool spec_mount_is_rbind(const struct spec_mount *m)
{
	return has_option(m, "rbind");
}

bool spec_mount_is_readonly(const struct spec_mount *m)
{
	bool ro = false;

	for (size_t i = 0; i < m->n_options; i++) {
		if (!strcmp(m->options[i], "ro"))
			ro = true;
		else if (!strcmp(m->options[i], "rw"))
			ro = false;
	}
	return ro;
}

uint32_t gofer_bind_index(const struct spec *s, size_t i)
{
	uint32_t n = 0;

	if (i >= s->n_mounts || !spec_mount_is_bind(&s->mounts[i]))
		return 0;
	for (size_t j = 0; j <= i; j++)
		if (spec_mount_is_bind(&s->mounts[j]))
			n++;
	return n < GOFER_MOUNTS_MAX ? n : 0;
}

char *gofer_bind_arg(const struct spec_mount *m, const char *bundle)
{
	char *arg;
	int n;

	if (!m->source || !m->source[0])
		return NULL;
	n = asprintf(&arg, "%s%s:%s%s%s", spec_mount_is_rbind(m) ? "rbind" : "bind",
		     spec_mount_is_readonly(m) ? ",ro" : ",rw", m->source[0] == '/' ? "" : bundle,
		     m->source[0] == '/' ? "" : "/", m->source);
	return n < 0 ? NULL : arg;
}
