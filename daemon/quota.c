// SPDX-License-Identifier: GPL-2.0
/*
 * Operator quota changes (`logosctl quota` through logosd, the control
 * command "quota"): a kernel limit of a supervised module's running
 * instance set with LOGOS_IOC_MODULE_SET_QUOTA on logosd's own handle,
 * audited ("type":"quota-set", with the operator's uid and the limit it
 * replaced), and, when the operator asks, kept in STATE/@quota/NAME so
 * every later start of the module gets it on top of its manifest's
 * [Limits]. "default" forgets a kept value.
 */
#include "daemon.h"
#include "inifile.h"
#include "kernel.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTA_DIR "@quota"	/* '@' is in no module name */

/* The names logosctl uses (tools/nl.c), by enum logos_resource. */
static const char *const names[__LOGOS_RES_MAX] = {
	"handles", "objects", "events", "channels", "msgs_queued", "bytes_queued",
	"memory_pages", "mapped_pages",
};

int quota_resource_parse(const char *s)
{
	for (int r = 0; s && r < __LOGOS_RES_MAX; r++)
		if (!strcmp(s, names[r]))
			return r;
	return -EINVAL;
}

/* "default", "unlimited" or a positive number. */
static int parse_limit(const char *v, uint64_t *out)
{
	char *end;

	if (!v)
		return -EINVAL;
	if (!strcmp(v, "default")) {
		*out = LOGOS_LIMIT_DEFAULT;
		return 0;
	}
	if (!strcmp(v, "unlimited")) {
		*out = LOGOS_LIMIT_UNLIMITED;
		return 0;
	}
	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno || *end || !*out || *out == LOGOS_LIMIT_UNLIMITED)
		return -EINVAL;
	return 0;
}

static int kept_path(const char *module, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s/" QUOTA_DIR "/%s", D.cfg.state_dir, module);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

struct kept {
	char *value[__LOGOS_RES_MAX];	/* NULL: not kept */
};

static void kept_key(struct parser *p, const char *s, const char *k, const char *v)
{
	struct kept *kp = p->target;
	uint64_t x;
	int r = quota_resource_parse(k);

	if (!is(s, "Quota") || r < 0 || parse_limit(v, &x) || x == LOGOS_LIMIT_DEFAULT) {
		perr(p, "not a kept quota: [%s] %s = %s", s, k, v);
		return;
	}
	free(kp->value[r]);
	kp->value[r] = strdup(v);
}

static int kept_read(const char *module, struct kept *kp, char ***errs)
{
	char path[PATH_MAX], *data = NULL;
	struct parser p = { .handle = kept_key, .target = kp, .errors = errs };
	size_t len = 0;
	int ret;

	memset(kp, 0, sizeof(*kp));
	ret = kept_path(module, path, sizeof(path));
	if (!ret)
		ret = read_file(path, &data, &len, 64 * 1024);
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	p.file = path;
	p.data = data;
	p.len = len;
	ret = run_parser(&p);
	free(data);
	return ret;
}

static void kept_free(struct kept *kp)
{
	for (int r = 0; r < __LOGOS_RES_MAX; r++)
		free(kp->value[r]);
}

static int kept_write(const char *module, const struct kept *kp)
{
	char path[PATH_MAX], dir[PATH_MAX], buf[1024];
	size_t n = 0;
	int ret;

	ret = kept_path(module, path, sizeof(path));
	if (ret)
		return ret;
	snprintf(dir, sizeof(dir), "%s/" QUOTA_DIR, D.cfg.state_dir);
	n += snprintf(buf + n, sizeof(buf) - n,
		      "# limits set by `logosctl quota --persist` (logosd writes this file)\n[Quota]\n");
	for (int r = 0; r < __LOGOS_RES_MAX; r++)
		if (kp->value[r])
			n += snprintf(buf + n, sizeof(buf) - n, "%s = %s\n", names[r],
				      kp->value[r]);
	ret = mkdir_p(dir, 0700);
	if (!ret)
		ret = write_file_atomic(path, buf, n, 0600);
	return ret;
}

/* The kept values over @kquota (a copy of the manifest's), at each start. */
void quota_apply_kept(const char *module, uint64_t *kquota)
{
	char **errs = calloc(1, sizeof(char *));
	struct kept kp;
	uint64_t x;

	if (kept_read(module, &kp, &errs))
		for (size_t i = 0; errs && errs[i]; i++)
			log_warn("%s: %s (ignored)", module, errs[i]);
	for (int r = 0; r < __LOGOS_RES_MAX; r++)
		if (kp.value[r] && !parse_limit(kp.value[r], &x))
			kquota[r] = x;
	kept_free(&kp);
	strv_free(errs);
}

int quota_set(struct module *mod, const char *resource, const char *limit, bool persist,
	      unsigned int uid, char *why, size_t cap)
{
	struct logos_module_info info;
	struct instance *in = mod->cur;
	char prev[32], uidbuf[16];
	int r = quota_resource_parse(resource), ret;
	struct kept kp;
	uint64_t x;

	if (r < 0) {
		snprintf(why, cap, "unknown resource \"%s\" (one of handles, objects, events, channels, msgs_queued, bytes_queued, memory_pages, mapped_pages)",
			 resource ? resource : "");
		return -EINVAL;
	}
	if (parse_limit(limit, &x)) {
		snprintf(why, cap, "\"%s\" is not a limit: a positive number, default or unlimited",
			 limit ? limit : "");
		return -EINVAL;
	}
	if (!in || in->exited || !in->kmod) {
		if (!persist) {
			snprintf(why, cap, "%s is not running (it is %s): keep the limit for its next start with persist",
				 mod->name, mod_state_name(mod->state));
			return -ESRCH;
		}
		snprintf(prev, sizeof(prev), "-");
	} else {
		ret = k_module_info(D.kfd, in->kmod, &info);
		if (!ret)
			ret = k_set_quota(D.kfd, in->kmod, r, x);
		if (ret) {
			snprintf(why, cap, "LOGOS_IOC_MODULE_SET_QUOTA: %s", strerror(-ret));
			return ret;
		}
		if (info.limit[r] == LOGOS_LIMIT_UNLIMITED)
			snprintf(prev, sizeof(prev), "unlimited");
		else
			snprintf(prev, sizeof(prev), "%llu", (unsigned long long)info.limit[r]);
	}
	if (persist) {
		char **errs = calloc(1, sizeof(char *));

		kept_read(mod->name, &kp, &errs);	/* a damaged file is rewritten */
		strv_free(errs);
		free(kp.value[r]);
		kp.value[r] = x == LOGOS_LIMIT_DEFAULT ? NULL : strdup(limit);
		ret = kept_write(mod->name, &kp);
		kept_free(&kp);
		if (ret) {
			snprintf(why, cap, "the limit is set but cannot be kept for later starts: %s",
				 strerror(-ret));
			log_err("%s: %s", mod->name, why);
		}
	} else {
		ret = 0;
	}
	snprintf(uidbuf, sizeof(uidbuf), "%u", uid);
	AUDIT("quota-set", "module", mod->name, "resource", names[r], "limit", limit,
	      "previous", prev, "persist", persist ? "yes" : "no", "uid", uidbuf);
	log_notice("%s: %s limit set to %s by uid %u (was %s)%s", mod->name, names[r], limit, uid,
		   prev, persist ? ", kept for later starts" : "");
	return ret;
}
