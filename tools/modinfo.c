// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modinfo.h"

static __u64 u64_of(struct nlattr **attrs, int type)
{
	return attrs[type] ? nla_get_u64(attrs[type]) : 0;
}

static __u32 u32_of(struct nlattr **attrs, int type)
{
	return attrs[type] ? nla_get_u32(attrs[type]) : 0;
}

int modinfo_parse(struct nlattr **attrs, struct modinfo *m)
{
	struct nlattr *entry;
	int rem;

	memset(m, 0, sizeof(*m));
	if (!attrs[LOGOS_A_MODULE_ID])
		return -EINVAL;
	m->id = u32_of(attrs, LOGOS_A_MODULE_ID);
	m->state = u32_of(attrs, LOGOS_A_MODULE_STATE);
	m->trust = u32_of(attrs, LOGOS_A_MODULE_TRUST);
	m->pid = u32_of(attrs, LOGOS_A_MODULE_PID);
	m->exit_flags = u32_of(attrs, LOGOS_A_MODULE_EXIT_FLAGS);
	if (attrs[LOGOS_A_MODULE_NAME])
		nla_strlcpy(m->name, attrs[LOGOS_A_MODULE_NAME], sizeof(m->name));
	m->cpu_ns = u64_of(attrs, LOGOS_A_MODULE_CPU_NS);
	m->denied_rights = u64_of(attrs, LOGOS_A_MODULE_DENIED_RIGHTS);
	m->denied_quota = u64_of(attrs, LOGOS_A_MODULE_DENIED_QUOTA);
	m->msgs_sent = u64_of(attrs, LOGOS_A_MODULE_MSGS_SENT);
	m->bytes_sent = u64_of(attrs, LOGOS_A_MODULE_BYTES_SENT);
	m->msgs_received = u64_of(attrs, LOGOS_A_MODULE_MSGS_RECEIVED);
	m->bytes_received = u64_of(attrs, LOGOS_A_MODULE_BYTES_RECEIVED);
	if (!attrs[LOGOS_A_MODULE_RESOURCES])
		return 0;
	nla_for_each_nested(entry, attrs[LOGOS_A_MODULE_RESOURCES], rem) {
		struct nlattr *ra[LOGOS_RA_MAX + 1];
		__u32 id;

		if (nla_parse_nested(ra, LOGOS_RA_MAX, entry, NULL) < 0 || !ra[LOGOS_RA_ID])
			continue;
		id = nla_get_u32(ra[LOGOS_RA_ID]);
		if (id >= LOGOS_RES_COUNT)
			continue;
		m->usage[id] = ra[LOGOS_RA_USAGE] ? nla_get_u64(ra[LOGOS_RA_USAGE]) : 0;
		m->limit[id] = ra[LOGOS_RA_LIMIT] ? nla_get_u64(ra[LOGOS_RA_LIMIT]) : 0;
	}
	return 0;
}

static int modlist_add(struct nlattr **attrs, void *arg)
{
	struct modlist *list = arg;

	if (list->nr == list->cap) {
		int cap = list->cap ? list->cap * 2 : 16;
		struct modinfo *mods = realloc(list->mods, cap * sizeof(*mods));

		if (!mods)
			return -ENOMEM;
		list->mods = mods;
		list->cap = cap;
	}
	if (modinfo_parse(attrs, &list->mods[list->nr]) == 0)
		list->nr++;
	return 0;
}

int modlist_fetch(struct lnl *nl, struct modlist *list)
{
	memset(list, 0, sizeof(*list));
	return lnl_request(nl, LOGOS_CMD_GET_MODULE, true, NULL, 0, modlist_add, list);
}

void modlist_free(struct modlist *list)
{
	free(list->mods);
	memset(list, 0, sizeof(*list));
}

int modinfo_find(struct lnl *nl, const char *which, struct modinfo *out)
{
	struct modlist list;
	char *end;
	unsigned long id = strtoul(which, &end, 10);
	int i, ret;

	ret = modlist_fetch(nl, &list);
	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < list.nr; i++) {
		if ((*which && !*end && list.mods[i].id == id) ||
		    !strcmp(list.mods[i].name, which)) {
			*out = list.mods[i];
			ret = 0;
			/* Prefer a live instance over terminated ones of the same name. */
			if (out->state != LOGOS_STATE_TERMINATED)
				break;
		}
	}
	modlist_free(&list);
	return ret;
}

static json_object *u64_json(__u64 v)
{
	return json_object_new_uint64(v);
}

json_object *modinfo_json(const struct modinfo *m, bool detail)
{
	json_object *o = json_object_new_object(), *res;
	int i;

	json_object_object_add(o, "id", json_object_new_int64(m->id));
	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "state", json_object_new_string(lnl_state_name(m->state)));
	json_object_object_add(o, "trust", json_object_new_string(lnl_trust_name(m->trust)));
	json_object_object_add(o, "pid", json_object_new_int64(m->pid));
	json_object_object_add(o, "crashed",
			       json_object_new_boolean(m->exit_flags & LOGOS_EXIT_CRASHED));
	json_object_object_add(o, "cpu_ns", u64_json(m->cpu_ns));
	json_object_object_add(o, "msgs_sent", u64_json(m->msgs_sent));
	json_object_object_add(o, "msgs_received", u64_json(m->msgs_received));
	if (!detail) {
		json_object_object_add(o, "handles", u64_json(m->usage[LOGOS_RES_HANDLES]));
		json_object_object_add(o, "objects", u64_json(m->usage[LOGOS_RES_OBJECTS]));
		return o;
	}
	json_object_object_add(o, "bytes_sent", u64_json(m->bytes_sent));
	json_object_object_add(o, "bytes_received", u64_json(m->bytes_received));
	json_object_object_add(o, "denied_rights", u64_json(m->denied_rights));
	json_object_object_add(o, "denied_quota", u64_json(m->denied_quota));
	res = json_object_new_object();
	for (i = 0; i < __LOGOS_RES_MAX; i++) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "usage", u64_json(m->usage[i]));
		json_object_object_add(r, "limit", u64_json(m->limit[i]));
		json_object_object_add(res, lnl_resource_name(i), r);
	}
	json_object_object_add(o, "resources", res);
	return o;
}

const char *fmt_limit(__u64 limit, char *buf, int size)
{
	if (limit == LOGOS_LIMIT_UNLIMITED)
		return "unlimited";
	snprintf(buf, size, "%llu", (unsigned long long)limit);
	return buf;
}
