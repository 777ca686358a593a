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
	atomic64_t msgs_sent, bytes_sent;
	atomic64_t msgs_received, bytes_received;
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

static inline void logos_quota_count_sent(struct logos_quota *q, u32 len)
{
	atomic64_inc(&q->msgs_sent);
	atomic64_add(len, &q->bytes_sent);
}

static inline void logos_quota_count_received(struct logos_quota *q, u32 len)
{
	atomic64_inc(&q->msgs_received);
	atomic64_add(len, &q->bytes_received);
}

#define logos_count_sent(m, len) logos_quota_count_sent(logos_module_quota(m), len)
#define logos_count_received(m, len) logos_quota_count_received(logos_module_quota(m), len)

int logos_global_charge(enum logos_global what);
void logos_global_uncharge(enum logos_global what);
u64 logos_global_usage(enum logos_global what);
u64 logos_global_limit(enum logos_global what);

#endif /* _LOGOS_QUOTA_H */
