/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channels: pairs of endpoints with bounded queues, batching, priorities,
 * and request/response in one system call per side.
 */
#ifndef _LOGOS_CHANNEL_H
#define _LOGOS_CHANNEL_H

#include "object.h"

#include <linux/list.h>

struct logos_call;
struct logos_ctx;
struct logos_kmsg;
struct logos_topic;

struct logos_endpoint {
	struct logos_object obj;	/* obj.lock guards all below */
	struct logos_endpoint *peer;	/* a reference; NULL once either closed */
	struct logos_topic *topic;	/* a subscriber's topic, a reference */
	struct list_head topic_node;	/* in topic->subs: see topic.c */
	struct list_head queue[2];	/* urgent, then normal */
	u32 nr_msgs, max_msgs;
	u32 nr_bytes, max_bytes;
	u32 dropped;			/* since the last delivered message */
	bool closed;			/* no handle left: nothing more is queued */
	bool peer_closed;
	bool swept;			/* by the unload sweep */
	u32 nr_parked;			/* interrupted calls kept for a restart */
	struct list_head calls;		/* calls made here, awaiting replies */
	struct list_head all_node;	/* in the list swept at unload */
	atomic64_t next_msg_id;
	atomic64_t next_txn;
};

int logos_channel_init(void);
void logos_channel_uninit(void);
void logos_channel_exit(void);

struct logos_endpoint *logos_endpoint_new(struct logos_ctx *ctx, u32 max_msgs, u32 max_bytes);
int logos_endpoint_install(struct logos_ctx *ctx, struct logos_endpoint *ep, u32 rights,
			   u32 *value);
bool logos_endpoint_has_room(struct logos_endpoint *ep, u32 len);
int logos_endpoint_reserve(struct logos_endpoint *dst, u32 len, s64 timeout_ns,
			   ktime_t deadline);
void logos_endpoint_unreserve(struct logos_endpoint *dst, u32 len);
int logos_endpoint_commit(struct logos_endpoint *dst, struct logos_kmsg *msg);
int logos_endpoint_push_drop_oldest(struct logos_endpoint *dst, struct logos_kmsg *msg,
				    u32 *dropped);
u32 logos_endpoint_max_msgs(u32 want);
void logos_endpoints_orphan_calls(u64 taker);

static inline struct logos_endpoint *logos_endpoint_from_obj(struct logos_object *obj)
{
	return container_of(obj, struct logos_endpoint, obj);
}

/* For call.c: the message path of one CALL or REPLY. */
struct logos_endpoint *logos_peer_get(struct logos_endpoint *ep);
int logos_send_one(struct logos_ctx *ctx, struct logos_endpoint *ep,
		   const struct logos_msg *umsg, u32 kernel_flags, u64 txn,
		   s64 timeout_ns, ktime_t deadline);
int logos_recv_one(struct logos_ctx *ctx, struct logos_endpoint *ep,
		   struct logos_msg *buf, s64 timeout_ns, ktime_t deadline);

long logos_ioctl_channel_create(struct logos_call *call);
long logos_ioctl_channel_send(struct logos_call *call);
long logos_ioctl_channel_recv(struct logos_call *call);
long logos_ioctl_channel_call(struct logos_call *call);
long logos_ioctl_channel_reply(struct logos_call *call);

#endif /* _LOGOS_CHANNEL_H */
