/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who granted how many pages to whom: per (granter, grantee) module pair,
 * the memory handles that arrived in messages and the pages behind them.
 */
#ifndef _LOGOS_GRANT_H
#define _LOGOS_GRANT_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>

struct logos_cap;
struct logos_module;

struct logos_grant {
	struct kref ref;		/* the grantee's list, and each cap */
	struct list_head node;		/* in the grantee's grants */
	u32 from;			/* granter module id, 0: supervisor */
	atomic_t handles;
	atomic64_t pages;
};

void logos_grant_attach(struct logos_cap *cap, u32 from, struct logos_module *to);
void logos_grant_detach(struct logos_cap *cap);
void logos_grants_release(struct logos_module *m);

#endif /* _LOGOS_GRANT_H */
