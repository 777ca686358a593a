/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-module accounting and quotas (FR-002), and the global caps that keep
 * a misbehaving supervisor from exhausting kernel memory.
 */
#ifndef _LOGOS_QUOTA_H
#define _LOGOS_QUOTA_H

#include <uapi/linux/logos.h>

#include <linux/atomic.h>
#include <linux/types.h>

struct logos_module;

struct logos_quota {
	atomic64_t usage[LOGOS_RES_COUNT];
	u64 limit[LOGOS_RES_COUNT];	/* effective; READ_ONCE/WRITE_ONCE */
	unsigned long warned;		/* resources past the warning mark */
	atomic64_t denied_quota;
	atomic64_t denied_rights;
};

enum logos_global {
	LOGOS_GLOBAL_MODULES,
	LOGOS_GLOBAL_OBJECTS,
	LOGOS_GLOBAL_HANDLES,
	__LOGOS_GLOBAL_MAX
};

int logos_quota_init(struct logos_quota *q, const u64 *limits);
int logos_quota_set(struct logos_module *m, u32 resource, u64 limit);
int logos_charge(struct logos_module *m, enum logos_resource res, u64 n);
void logos_uncharge(struct logos_module *m, enum logos_resource res, u64 n);
int logos_charge_object(struct logos_module *m, enum logos_object_type type);
void logos_uncharge_object(struct logos_module *m, enum logos_object_type type);
void logos_count_rights_denial(struct logos_module *m);

int logos_global_charge(enum logos_global what);
void logos_global_uncharge(enum logos_global what);
u64 logos_global_usage(enum logos_global what);
u64 logos_global_limit(enum logos_global what);

#endif /* _LOGOS_QUOTA_H */
