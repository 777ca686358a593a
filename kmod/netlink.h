/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LOGOS_NETLINK_H
#define _LOGOS_NETLINK_H

#include <linux/types.h>

struct logos_module;

int logos_genetlink_init(void);
void logos_genetlink_uninit(void);

/* Multicast to the "events" group; @m is NULL when a supervisor acted. */
void logos_nl_event_state(struct logos_module *m, u32 old, u32 state);
void logos_nl_event_quota(struct logos_module *m, u32 type, u32 resource, u64 usage,
			  u64 limit);
void logos_nl_event_revoke(struct logos_module *m, u64 object_id, u32 count);
void logos_nl_event_denied(struct logos_module *m, u64 object_id, u32 missing);

#endif /* _LOGOS_NETLINK_H */
