/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Modules as netlink describes them, shared by list, status and top.
 */
#ifndef _LOGOSCTL_MODINFO_H
#define _LOGOSCTL_MODINFO_H

#include <json-c/json.h>
#include <linux/logos.h>
#include <stdbool.h>

#include "nl.h"

struct modinfo {
	__u32 id, state, trust, pid, exit_flags;
	char name[LOGOS_NAME_MAX];
	__u64 cpu_ns, denied_rights, denied_quota;
	__u64 msgs_sent, bytes_sent, msgs_received, bytes_received;
	__u64 usage[LOGOS_RES_COUNT], limit[LOGOS_RES_COUNT];
};

struct modlist {
	struct modinfo *mods;
	int nr, cap;
};

int modinfo_parse(struct nlattr **attrs, struct modinfo *m);
/* All modules (dump), or -errno. */
int modlist_fetch(struct lnl *nl, struct modlist *list);
void modlist_free(struct modlist *list);
/* NAME or numeric ID; the first match by name. -ENOENT if none. */
int modinfo_find(struct lnl *nl, const char *which, struct modinfo *out);

/* The module as JSON: short (list) or with every counter and quota. */
json_object *modinfo_json(const struct modinfo *m, bool detail);
/* Helpers for printing. */
const char *fmt_limit(__u64 limit, char *buf, int size);

#endif /* _LOGOSCTL_MODINFO_H */
