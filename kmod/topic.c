// SPDX-License-Identifier: GPL-2.0
/*
 * Topics. Publishing copies the bytes once into a payload that every
 * subscriber's message shares, and gives each subscriber its own derived,
 * read-only handle to any memory object in the message, so large data
 * fans out as grants, never as copies.
 */

#include "topic.h"
#include "channel.h"
#include "handle.h"
#include "ioctl.h"
#include "message.h"
#include "module.h"

#include <linux/slab.h>

struct logos_topic {
	struct logos_object obj;	/* obj.lock guards subs and closed */
	struct list_head subs;		/* subscriber endpoints, each a reference */
	u32 nr_subs;
	u32 flags;
	u32 max_msgs;
	bool closed;
};

#define LOGOS_TOPIC_RIGHTS (LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER | \
			    LOGOS_RIGHT_DUPLICATE | LOGOS_RIGHT_REVOKE)
#define LOGOS_SUBSCRIBER_RIGHTS (LOGOS_RIGHT_READ | LOGOS_RIGHT_DUPLICATE | LOGOS_RIGHT_TRANSFER)
#define LOGOS_GRANT_RIGHTS (LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_DUPLICATE)
#define LOGOS_PUBLISH_MAX_SUBS 4096

static inline struct logos_topic *logos_topic_from_obj(struct logos_object *obj)
{
	return container_of(obj, struct logos_topic, obj);
}

static void logos_topic_free(struct logos_object *obj)
{
	kfree(logos_topic_from_obj(obj));
}

/*
 * Nobody can publish any more: subscribers see their "peer" close.
 *
 * topic_node belongs to the topic lock while the topic is open. Closing
 * sets @closed and takes the whole list, with the reference each entry
 * holds, in one hold of that lock; from then on only the closer touches
 * those nodes, and a subscriber closing at the same moment leaves them
 * alone (logos_topic_unsubscribe()).
 */
static void logos_topic_zero_handles(struct logos_object *obj, struct list_head *reap)
{
	struct logos_topic *topic = logos_topic_from_obj(obj);
	struct logos_endpoint *ep, *tmp;
	LIST_HEAD(subs);

	spin_lock(&obj->lock);
	topic->closed = true;
	list_splice_init(&topic->subs, &subs);
	topic->nr_subs = 0;
	spin_unlock(&obj->lock);

	list_for_each_entry_safe(ep, tmp, &subs, topic_node) {
		list_del_init(&ep->topic_node);
		spin_lock(&ep->obj.lock);
		ep->peer_closed = true;
		spin_unlock(&ep->obj.lock);
		logos_object_signal(&ep->obj, 0, LOGOS_SIGNAL_PEER_CLOSED);
		logos_object_put(&ep->obj);
	}
}

static const struct logos_object_ops logos_topic_ops = {
	.type = LOGOS_OBJ_TOPIC,
	.free = logos_topic_free,
	.zero_handles = logos_topic_zero_handles,
};

void logos_topic_put(struct logos_topic *topic)
{
	logos_object_put(&topic->obj);
}

/* The subscriber's last handle is gone. */
void logos_topic_unsubscribe(struct logos_endpoint *ep)
{
	struct logos_topic *topic = ep->topic;
	bool listed;

	spin_lock(&topic->obj.lock);
	/* A closed topic's closer owns the list and its references. */
	listed = !topic->closed && !list_empty(&ep->topic_node);
	if (listed) {
		list_del_init(&ep->topic_node);
		topic->nr_subs--;
	}
	spin_unlock(&topic->obj.lock);
	if (listed)
		logos_object_put(&ep->obj);
}

long logos_ioctl_topic_create(struct logos_call *call)
{
	struct logos_topic_create *arg = call->arg;
	struct logos_topic *topic;
	struct logos_cap *cap;
	int ret;

	if (arg->flags != LOGOS_TOPIC_BACKPRESSURE && arg->flags != LOGOS_TOPIC_DROP_OLDEST)
		return -EINVAL;
	if (arg->reserved)
		return -EINVAL;
	topic = kzalloc(sizeof(*topic), GFP_KERNEL_ACCOUNT);
	if (!topic)
		return -ENOMEM;
	ret = logos_object_init(&topic->obj, &logos_topic_ops, call->ctx->module);
	if (ret) {
		kfree(topic);
		return ret;
	}
	INIT_LIST_HEAD(&topic->subs);
	topic->flags = arg->flags;
	topic->max_msgs = logos_endpoint_max_msgs(arg->max_msgs);
	cap = logos_cap_new_root(&topic->obj, LOGOS_TOPIC_RIGHTS);
	if (!cap) {
		logos_object_put(&topic->obj);
		return -ENOMEM;
	}
	ret = logos_table_install(call->ctx->table, cap, &arg->handle);
	if (ret)
		logos_cap_free(cap);
	return ret;
}

long logos_ioctl_topic_subscribe(struct logos_call *call)
{
	struct logos_topic_subscribe *arg = call->arg;
	struct logos_endpoint *ep;
	struct logos_topic *topic;
	struct logos_object *obj;
	int ret;

	if (arg->flags || arg->reserved)
		return -EINVAL;
	obj = logos_handle_get(call->ctx->table, arg->handle, LOGOS_OBJ_TOPIC, LOGOS_RIGHT_READ);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	topic = logos_topic_from_obj(obj);
	ep = logos_endpoint_new(call->ctx, topic->max_msgs, 0);
	if (IS_ERR(ep)) {
		ret = PTR_ERR(ep);
		goto out;
	}
	ep->topic = topic;
	logos_object_get(&topic->obj);
	/* The endpoint has no sender side. */
	atomic_set(&ep->obj.signals, 0);

	spin_lock(&topic->obj.lock);
	if (topic->closed) {
		ret = -EPIPE;
	} else if (topic->nr_subs >= LOGOS_PUBLISH_MAX_SUBS) {
		ret = -ENOSPC;	/* every subscriber must be reachable by a publish */
	} else {
		list_add_tail(&ep->topic_node, &topic->subs);
		topic->nr_subs++;
		logos_object_get(&ep->obj);
		ret = 0;
	}
	spin_unlock(&topic->obj.lock);
	if (ret) {
		logos_object_put(&ep->obj);
		goto out;
	}
	ret = logos_endpoint_install(call->ctx, ep, LOGOS_SUBSCRIBER_RIGHTS, &arg->endpoint);
out:
	logos_object_put(obj);
	return ret;
}

/*
 * A snapshot of the subscribers, each with a reference. Sized from the
 * count first: one who subscribes meanwhile may miss this publish.
 */
static int logos_topic_subscribers(struct logos_topic *topic, struct logos_endpoint ***out)
{
	u32 room = min_t(u32, READ_ONCE(topic->nr_subs), LOGOS_PUBLISH_MAX_SUBS);
	struct logos_endpoint **subs, *ep;
	int n = 0;

	subs = kvmalloc_array(max_t(u32, room, 1), sizeof(*subs), GFP_KERNEL_ACCOUNT);
	if (!subs)
		return -ENOMEM;
	spin_lock(&topic->obj.lock);
	list_for_each_entry(ep, &topic->subs, topic_node) {
		if (n == room)
			break;
		subs[n++] = ep;
		logos_object_get(&ep->obj);
	}
	spin_unlock(&topic->obj.lock);
	*out = subs;
	return n;
}

/* With backpressure, room in every queue or in none. */
static int logos_topic_reserve_all(struct logos_endpoint **subs, int n, u32 len,
				   s64 timeout, ktime_t deadline)
{
	int i, j, ret;

retry:
	for (i = 0; i < n; i++) {
		/* Gone in an earlier round. */
		if (!subs[i])
			continue;
		ret = logos_endpoint_reserve(subs[i], len, 0, 0);
		if (ret == -EPIPE) {
			/* Unsubscribed meanwhile: skip it. */
			logos_object_put(&subs[i]->obj);
			subs[i] = NULL;
			continue;
		}
		if (ret)
			break;
	}
	if (i == n)
		return 0;
	for (j = 0; j < i; j++) {
		if (subs[j])
			logos_endpoint_unreserve(subs[j], len);
	}
	if (ret != -EAGAIN || !timeout)
		return ret;
	ret = logos_endpoint_reserve(subs[i], len, timeout, deadline);
	if (ret == -EPIPE) {
		/* It unsubscribed while we waited for it. */
		logos_object_put(&subs[i]->obj);
		subs[i] = NULL;
		goto retry;
	}
	if (ret)
		return ret;
	logos_endpoint_unreserve(subs[i], len);
	goto retry;
}

long logos_ioctl_topic_publish(struct logos_call *call)
{
	struct logos_topic_publish *arg = call->arg;
	struct logos_cap *caps[LOGOS_MSG_MAX_HANDLES];
	struct logos_endpoint **subs = NULL;
	struct logos_kmsg *tmpl, *msg;
	struct logos_topic *topic;
	struct logos_object *obj;
	s64 timeout = arg->timeout_ns;
	ktime_t deadline = 0;
	int n, i, ret;
	u32 c;

	if (arg->flags)
		return -EINVAL;
	arg->delivered = 0;
	arg->dropped = 0;
	obj = logos_handle_get(call->ctx->table, arg->handle, LOGOS_OBJ_TOPIC, LOGOS_RIGHT_WRITE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	topic = logos_topic_from_obj(obj);

	tmpl = logos_kmsg_build_shared(call->ctx, &arg->msg, LOGOS_OBJ_MEMORY);
	if (IS_ERR(tmpl)) {
		ret = PTR_ERR(tmpl);
		goto out_obj;
	}
	for (c = 0; c < tmpl->nr_caps; c++)
		WRITE_ONCE(tmpl->caps[c]->rights, tmpl->caps[c]->rights & LOGOS_GRANT_RIGHTS);

	n = logos_topic_subscribers(topic, &subs);
	if (n < 0) {
		ret = n;
		goto out_tmpl;
	}
	if (!logos_timeout_start(timeout, &deadline))
		timeout = 0;
	if (topic->flags & LOGOS_TOPIC_BACKPRESSURE) {
		ret = logos_topic_reserve_all(subs, n, tmpl->len, timeout, deadline);
		/* Nobody got it: a restart publishes it whole. */
		ret = logos_wait_interrupted(call, &arg->timeout_ns, deadline, ret);
		if (ret)
			goto out_subs;
	}

	for (i = 0; i < n; i++) {
		if (!subs[i])
			continue;
		for (c = 0; c < tmpl->nr_caps; c++) {
			ret = logos_cap_derive(tmpl->caps[c], tmpl->caps[c]->rights, &caps[c]);
			if (ret)
				break;
		}
		msg = ret ? ERR_PTR(ret) : logos_kmsg_share(tmpl, caps);
		if (IS_ERR(msg)) {
			while (c--)
				logos_cap_free(caps[c]);
			if (topic->flags & LOGOS_TOPIC_BACKPRESSURE)
				logos_endpoint_unreserve(subs[i], tmpl->len);
			/* Out of quota or memory: a drop, counted and told. */
			spin_lock(&subs[i]->obj.lock);
			subs[i]->dropped++;
			spin_unlock(&subs[i]->obj.lock);
			arg->dropped++;
			ret = 0;
			continue;
		}
		msg->hdr.msg_id = atomic64_inc_return(&subs[i]->next_msg_id);
		if (topic->flags & LOGOS_TOPIC_BACKPRESSURE)
			ret = logos_endpoint_commit(subs[i], msg);
		else
			ret = logos_endpoint_push_drop_oldest(subs[i], msg, &arg->dropped);
		if (!ret) {
			arg->delivered++;
		} else if (ret == -EMSGSIZE) {
			/* Larger than this subscriber's queue: a drop, told. */
			spin_lock(&subs[i]->obj.lock);
			subs[i]->dropped++;
			spin_unlock(&subs[i]->obj.lock);
			arg->dropped++;
		}
	}
	ret = 0;
out_subs:
	for (i = 0; i < n; i++) {
		if (subs[i])
			logos_object_put(&subs[i]->obj);
	}
	kvfree(subs);
out_tmpl:
	logos_kmsg_destroy(tmpl);
out_obj:
	logos_object_put(obj);
	return ret;
}
