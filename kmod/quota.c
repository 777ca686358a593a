// SPDX-License-Identifier: GPL-2.0
/*
 * Charges are taken before the thing they pay for exists and returned when
 * it is gone, so usage is exact at every moment and a denied operation
 * changes nothing.
 */

#include "quota.h"
#include "module.h"
#include "netlink.h"

#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>

/* Defaults for LOGOS_LIMIT_DEFAULT, per enum logos_resource. */
static u64 logos_default_limits[LOGOS_RES_COUNT] = {
	[LOGOS_RES_HANDLES] = 4096,
	[LOGOS_RES_OBJECTS] = 4096,
	[LOGOS_RES_EVENTS] = 1024,
	[LOGOS_RES_CHANNELS] = 1024,
	[LOGOS_RES_MSGS_QUEUED] = 8192,
	[LOGOS_RES_BYTES_QUEUED] = 16ULL << 20,
	[LOGOS_RES_MEMORY_PAGES] = 65536,
	[LOGOS_RES_MAPPED_PAGES] = 65536,
};

module_param_named(default_max_handles, logos_default_limits[LOGOS_RES_HANDLES],
		   ullong, 0644);
MODULE_PARM_DESC(default_max_handles, "Default per-module limit of handles");
module_param_named(default_max_objects, logos_default_limits[LOGOS_RES_OBJECTS],
		   ullong, 0644);
MODULE_PARM_DESC(default_max_objects, "Default per-module limit of objects");
module_param_named(default_max_events, logos_default_limits[LOGOS_RES_EVENTS],
		   ullong, 0644);
MODULE_PARM_DESC(default_max_events, "Default per-module limit of event objects");
module_param_named(default_max_channels, logos_default_limits[LOGOS_RES_CHANNELS],
		   ullong, 0644);
MODULE_PARM_DESC(default_max_channels, "Default per-module limit of channel endpoints");
module_param_named(default_max_msgs_queued, logos_default_limits[LOGOS_RES_MSGS_QUEUED],
		   ullong, 0644);
MODULE_PARM_DESC(default_max_msgs_queued, "Default per-module limit of queued messages");
module_param_named(default_max_bytes_queued, logos_default_limits[LOGOS_RES_BYTES_QUEUED],
		   ullong, 0644);
MODULE_PARM_DESC(default_max_bytes_queued, "Default per-module limit of queued bytes");
module_param_named(default_max_memory_pages, logos_default_limits[LOGOS_RES_MEMORY_PAGES],
		   ullong, 0644);
MODULE_PARM_DESC(default_max_memory_pages, "Default per-module limit of memory-object pages");
module_param_named(default_max_mapped_pages, logos_default_limits[LOGOS_RES_MAPPED_PAGES],
		   ullong, 0644);
MODULE_PARM_DESC(default_max_mapped_pages, "Default per-module limit of mapped pages");

/* Global caps over all supervisors and modules together. */
static u64 logos_global_limits[__LOGOS_GLOBAL_MAX] = {
	[LOGOS_GLOBAL_MODULES] = 4096,
	[LOGOS_GLOBAL_OBJECTS] = 1 << 20,
	[LOGOS_GLOBAL_HANDLES] = 1 << 20,
};

static atomic64_t logos_global_usages[__LOGOS_GLOBAL_MAX];

module_param_named(max_modules, logos_global_limits[LOGOS_GLOBAL_MODULES], ullong, 0644);
MODULE_PARM_DESC(max_modules, "Most modules alive at once");
module_param_named(max_objects, logos_global_limits[LOGOS_GLOBAL_OBJECTS], ullong, 0644);
MODULE_PARM_DESC(max_objects, "Most objects alive at once, all modules together");
module_param_named(max_handles, logos_global_limits[LOGOS_GLOBAL_HANDLES], ullong, 0644);
MODULE_PARM_DESC(max_handles, "Most handles alive at once, all tables together");

static u64 logos_effective_limit(u32 res, u64 limit)
{
	return limit == LOGOS_LIMIT_DEFAULT ? READ_ONCE(logos_default_limits[res]) : limit;
}

int logos_quota_init(struct logos_quota *q, const u64 *limits)
{
	int i;

	for (i = 0; i < LOGOS_RES_COUNT; i++) {
		if (i >= __LOGOS_RES_MAX && limits[i])
			return -EINVAL;
		atomic64_set(&q->usage[i], 0);
		q->limit[i] = logos_effective_limit(i, limits[i]);
	}
	q->warned = 0;
	atomic64_set(&q->denied_quota, 0);
	atomic64_set(&q->denied_rights, 0);
	atomic64_set(&q->msgs_sent, 0);
	atomic64_set(&q->bytes_sent, 0);
	atomic64_set(&q->msgs_received, 0);
	atomic64_set(&q->bytes_received, 0);
	return 0;
}

static bool logos_past_warning(u64 usage, u64 limit)
{
	if (limit == LOGOS_LIMIT_UNLIMITED)
		return false;
	return div64_u64(usage * 100, limit ? limit : 1) >= LOGOS_QUOTA_WARN_PERCENT;
}

int logos_quota_set(struct logos_module *m, u32 resource, u64 limit)
{
	struct logos_quota *q = logos_module_quota(m);

	if (resource >= __LOGOS_RES_MAX)
		return -EINVAL;
	limit = logos_effective_limit(resource, limit);
	WRITE_ONCE(q->limit[resource], limit);
	/* Warn again only after usage was under the mark of the new limit. */
	if (!logos_past_warning(atomic64_read(&q->usage[resource]), limit))
		clear_bit(resource, &q->warned);
	return 0;
}

int logos_charge(struct logos_module *m, enum logos_resource res, u64 n)
{
	struct logos_quota *q = logos_module_quota(m);
	u64 limit = READ_ONCE(q->limit[res]);
	s64 old = atomic64_read(&q->usage[res]);

	do {
		if (limit != LOGOS_LIMIT_UNLIMITED && (u64)old + n > limit) {
			atomic64_inc(&q->denied_quota);
			logos_nl_event_quota(m, LOGOS_EVENT_QUOTA_EXCEEDED, res, old, limit);
			return -EDQUOT;
		}
	} while (!atomic64_try_cmpxchg(&q->usage[res], &old, old + n));

	if (logos_past_warning(old + n, limit) && !test_and_set_bit(res, &q->warned))
		logos_nl_event_quota(m, LOGOS_EVENT_QUOTA_WARNING, res, old + n, limit);
	return 0;
}

void logos_uncharge(struct logos_module *m, enum logos_resource res, u64 n)
{
	struct logos_quota *q = logos_module_quota(m);
	s64 now = atomic64_sub_return(n, &q->usage[res]);

	WARN_ON_ONCE(now < 0);
	if (test_bit(res, &q->warned) && !logos_past_warning(now, READ_ONCE(q->limit[res])))
		clear_bit(res, &q->warned);
}

static int logos_type_resource(enum logos_object_type type)
{
	switch (type) {
	case LOGOS_OBJ_EVENT:
		return LOGOS_RES_EVENTS;
	case LOGOS_OBJ_CHANNEL:
		return LOGOS_RES_CHANNELS;
	default:
		return -1;
	}
}

int logos_charge_object(struct logos_module *m, enum logos_object_type type)
{
	int res = logos_type_resource(type);
	int ret;

	ret = logos_charge(m, LOGOS_RES_OBJECTS, 1);
	if (ret || res < 0)
		return ret;
	ret = logos_charge(m, res, 1);
	if (ret)
		logos_uncharge(m, LOGOS_RES_OBJECTS, 1);
	return ret;
}

void logos_uncharge_object(struct logos_module *m, enum logos_object_type type)
{
	int res = logos_type_resource(type);

	if (res >= 0)
		logos_uncharge(m, res, 1);
	logos_uncharge(m, LOGOS_RES_OBJECTS, 1);
}

void logos_count_rights_denial(struct logos_module *m)
{
	atomic64_inc(&logos_module_quota(m)->denied_rights);
}

int logos_global_charge(enum logos_global what)
{
	u64 limit = READ_ONCE(logos_global_limits[what]);

	if (atomic64_inc_return(&logos_global_usages[what]) > limit) {
		atomic64_dec(&logos_global_usages[what]);
		return -ENOSPC;
	}
	return 0;
}

void logos_global_uncharge(enum logos_global what)
{
	atomic64_dec(&logos_global_usages[what]);
}

u64 logos_global_usage(enum logos_global what)
{
	return atomic64_read(&logos_global_usages[what]);
}

u64 logos_global_limit(enum logos_global what)
{
	return READ_ONCE(logos_global_limits[what]);
}
