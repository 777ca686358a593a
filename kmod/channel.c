// SPDX-License-Identifier: GPL-2.0
/*
 * Channels. A message sent on one endpoint is queued on its peer, under
 * the peer's lock only: there is no lock shared by all channels, and the
 * two endpoints' locks are never held together. Room is reserved before a
 * sender's handles leave its table, so a full or closed queue refuses a
 * message whole.
 */

#include "channel.h"
#include "call.h"
#include "handle.h"
#include "ioctl.h"
#include "message.h"
#include "module.h"
#include "topic.h"

#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

static unsigned int channel_max_msgs = 256;
module_param(channel_max_msgs, uint, 0644);
MODULE_PARM_DESC(channel_max_msgs, "Largest queue of one endpoint, in messages (default bound)");

static unsigned int channel_max_bytes = 1 << 20;
module_param(channel_max_bytes, uint, 0644);
MODULE_PARM_DESC(channel_max_bytes, "Largest queue of one endpoint, in inline bytes (default bound)");

#define LOGOS_CHANNEL_RIGHTS (LOGOS_RIGHTS_ALL & ~(LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_MAP_WRITE))

/*
 * Every endpoint, for one purpose: at unload, endpoints kept alive only
 * by messages queued in each other (a cycle no close can break) are
 * flushed so nothing outlives logos.ko. Not touched on the message path.
 */
static LIST_HEAD(logos_endpoints);
static DEFINE_SPINLOCK(logos_endpoints_lock);

/* Endpoints are many (10k channels idle are 20k) and not a kmalloc size. */
static struct kmem_cache *logos_endpoint_cache;

int __init logos_channel_init(void)
{
	logos_endpoint_cache = KMEM_CACHE(logos_endpoint, SLAB_ACCOUNT);
	return logos_endpoint_cache ? 0 : -ENOMEM;
}

/* After logos_channel_uninit(), once every endpoint is freed. */
void logos_channel_exit(void)
{
	kmem_cache_destroy(logos_endpoint_cache);
}

static void logos_endpoint_free(struct logos_object *obj)
{
	struct logos_endpoint *ep = logos_endpoint_from_obj(obj);

	if (ep->topic)
		logos_topic_put(ep->topic);
	spin_lock(&logos_endpoints_lock);
	list_del(&ep->all_node);
	spin_unlock(&logos_endpoints_lock);
	kmem_cache_free(logos_endpoint_cache, ep);
}

static bool logos_has_room(struct logos_endpoint *ep, u32 len)
{
	return ep->nr_msgs < ep->max_msgs && ep->nr_bytes + len <= ep->max_bytes;
}

/* WRITABLE lives on the sender's side: does its peer (@ep) have room? */
static void logos_update_room(struct logos_endpoint *ep)
{
	lockdep_assert_held(&ep->obj.lock);
	if (!ep->peer)
		return;
	if (logos_has_room(ep, 0))
		logos_object_signal(&ep->peer->obj, 0, LOGOS_SIGNAL_WRITABLE);
	else
		logos_object_signal(&ep->peer->obj, LOGOS_SIGNAL_WRITABLE, 0);
}

/*
 * The last handle is gone: nothing more can be received here, so queued
 * messages are destroyed (their handles' objects go on @reap) and the peer
 * learns it, keeping what is already queued for it.
 *
 * The pair's links: ep->peer and peer->peer each hold a reference to the
 * other end, and each is cleared under its own endpoint's lock by
 * whichever thread finds it set; that thread drops that reference. Both
 * ends may close at once, each clearing its own link and finding the
 * other's already gone: every reference is still dropped exactly once.
 */
static void logos_endpoint_zero_handles(struct logos_object *obj, struct list_head *reap)
{
	struct logos_endpoint *ep = logos_endpoint_from_obj(obj), *peer;
	struct logos_kmsg *msg, *tmp;
	LIST_HEAD(doomed);
	bool theirs;

	spin_lock(&obj->lock);
	ep->closed = true;
	peer = ep->peer;
	ep->peer = NULL;
	list_splice_init(&ep->queue[0], &doomed);
	list_splice_tail_init(&ep->queue[1], &doomed);
	ep->nr_msgs = 0;
	ep->nr_bytes = 0;
	logos_calls_fail(ep);
	spin_unlock(&obj->lock);
	wake_up_all(&obj->wait);

	if (peer) {
		/* Our link kept @peer alive until the put below. */
		spin_lock(&peer->obj.lock);
		peer->peer_closed = true;
		theirs = peer->peer == ep;
		if (theirs)
			peer->peer = NULL;
		logos_calls_fail(peer);
		spin_unlock(&peer->obj.lock);
		logos_object_signal(&peer->obj, LOGOS_SIGNAL_WRITABLE, LOGOS_SIGNAL_PEER_CLOSED);
		if (theirs)
			logos_object_put(&ep->obj);	/* the peer's link to us */
		logos_object_put(&peer->obj);		/* our link to the peer */
	}
	if (ep->topic)
		logos_topic_unsubscribe(ep);

	list_for_each_entry_safe(msg, tmp, &doomed, node)
		logos_kmsg_release(msg, reap);
	logos_calls_drop_parked(ep, reap);
}

/* Closes @ep by hand (it never had a handle, or the unload sweep). */
static void logos_endpoint_close(struct logos_endpoint *ep)
{
	LIST_HEAD(reap);

	logos_endpoint_zero_handles(&ep->obj, &reap);
	logos_reap(&reap);
}

static const struct logos_object_ops logos_endpoint_ops = {
	.type = LOGOS_OBJ_CHANNEL,
	.free = logos_endpoint_free,
	.zero_handles = logos_endpoint_zero_handles,
};

u32 logos_endpoint_max_msgs(u32 want)
{
	u32 cap = READ_ONCE(channel_max_msgs);

	return want && want < cap ? want : cap;
}

struct logos_endpoint *logos_endpoint_new(struct logos_ctx *ctx, u32 max_msgs, u32 max_bytes)
{
	u32 cap_bytes = READ_ONCE(channel_max_bytes);
	struct logos_endpoint *ep;
	int ret;

	ep = kmem_cache_zalloc(logos_endpoint_cache, GFP_KERNEL);
	if (!ep)
		return ERR_PTR(-ENOMEM);
	ret = logos_object_init(&ep->obj, &logos_endpoint_ops, ctx->module);
	if (ret) {
		kmem_cache_free(logos_endpoint_cache, ep);
		return ERR_PTR(ret);
	}
	INIT_LIST_HEAD(&ep->queue[0]);
	INIT_LIST_HEAD(&ep->queue[1]);
	INIT_LIST_HEAD(&ep->calls);
	INIT_LIST_HEAD(&ep->topic_node);
	ep->max_msgs = logos_endpoint_max_msgs(max_msgs);
	ep->max_bytes = max_bytes && max_bytes < cap_bytes ? max_bytes : cap_bytes;
	atomic64_set(&ep->next_msg_id, 0);
	atomic64_set(&ep->next_txn, 0);
	atomic_set(&ep->obj.signals, LOGOS_SIGNAL_WRITABLE);
	spin_lock(&logos_endpoints_lock);
	list_add_tail(&ep->all_node, &logos_endpoints);
	spin_unlock(&logos_endpoints_lock);
	return ep;
}

/* Installs a root handle for @ep; on failure @ep's reference is dropped. */
int logos_endpoint_install(struct logos_ctx *ctx, struct logos_endpoint *ep, u32 rights,
			   u32 *value)
{
	return logos_table_install_root(ctx->table, &ep->obj, rights, value);
}

long logos_ioctl_channel_create(struct logos_call *call)
{
	struct logos_channel_create *arg = call->arg;
	struct logos_endpoint *ep0, *ep1;
	struct logos_cap *caps[2];
	u32 values[2];
	int ret;

	if (arg->flags || arg->reserved)
		return -EINVAL;
	ep0 = logos_endpoint_new(call->ctx, arg->max_msgs, arg->max_bytes);
	if (IS_ERR(ep0))
		return PTR_ERR(ep0);
	ep1 = logos_endpoint_new(call->ctx, arg->max_msgs, arg->max_bytes);
	if (IS_ERR(ep1)) {
		logos_object_put(&ep0->obj);
		return PTR_ERR(ep1);
	}
	ep0->peer = ep1;
	ep1->peer = ep0;
	logos_object_get(&ep0->obj);
	logos_object_get(&ep1->obj);

	/* The caps take over the creation references; both handles appear at once. */
	ret = -ENOMEM;
	caps[0] = logos_cap_new_root(&ep0->obj, LOGOS_CHANNEL_RIGHTS);
	if (!caps[0])
		goto err_ep0;
	caps[1] = logos_cap_new_root(&ep1->obj, LOGOS_CHANNEL_RIGHTS);
	if (!caps[1])
		goto err_cap0;
	ret = logos_table_install_many(call->ctx->table, caps, 2, values);
	if (ret)
		goto err_cap1;
	arg->handle0 = values[0];
	arg->handle1 = values[1];
	return 0;

	/* Closing either end breaks the pair's links. */
err_cap1:
	logos_cap_free(caps[1]);
	logos_cap_free(caps[0]);
	return ret;
err_cap0:
	logos_cap_free(caps[0]);
	logos_object_put(&ep1->obj);
	return ret;
err_ep0:
	logos_endpoint_close(ep0);
	logos_object_put(&ep0->obj);
	logos_object_put(&ep1->obj);
	return ret;
}

struct logos_room_wait {
	struct logos_endpoint *ep;
	u32 len;
};

bool logos_endpoint_has_room(struct logos_endpoint *ep, u32 len)
{
	return READ_ONCE(ep->closed) ||
	       (READ_ONCE(ep->nr_msgs) < ep->max_msgs &&
		READ_ONCE(ep->nr_bytes) + len <= ep->max_bytes);
}

static bool logos_room_ready(void *arg)
{
	struct logos_room_wait *w = arg;

	return logos_endpoint_has_room(w->ep, w->len);
}

/* Reserves room for one message of @len bytes in @dst's queue. */
int logos_endpoint_reserve(struct logos_endpoint *dst, u32 len, s64 timeout_ns,
			   ktime_t deadline)
{
	struct logos_room_wait w = { .ep = dst, .len = len };
	int ret;

	if (len > dst->max_bytes)
		return -EMSGSIZE;
	for (;;) {
		spin_lock(&dst->obj.lock);
		if (dst->closed) {
			ret = -EPIPE;
		} else if (logos_has_room(dst, len)) {
			dst->nr_msgs++;
			dst->nr_bytes += len;
			logos_update_room(dst);
			ret = 0;
		} else {
			ret = -EAGAIN;
		}
		spin_unlock(&dst->obj.lock);
		if (ret != -EAGAIN || !timeout_ns)
			return ret;
		ret = logos_object_wait(&dst->obj, logos_room_ready, &w, timeout_ns, deadline);
		if (ret)
			return ret;
	}
}

void logos_endpoint_unreserve(struct logos_endpoint *dst, u32 len)
{
	spin_lock(&dst->obj.lock);
	/* A closed endpoint already forgot every reservation. */
	if (!dst->closed) {
		dst->nr_msgs--;
		dst->nr_bytes -= len;
		logos_update_room(dst);
	}
	spin_unlock(&dst->obj.lock);
	logos_object_wake(&dst->obj, false);
}

static void logos_enqueue(struct logos_endpoint *dst, struct logos_kmsg *msg)
{
	lockdep_assert_held(&dst->obj.lock);
	msg->hdr.timestamp_ns = ktime_get_ns();
	list_add_tail(&msg->node, &dst->queue[msg->hdr.flags & LOGOS_MSG_URGENT ? 0 : 1]);
}

/* Queues @msg into room reserved earlier; consumes @msg in every case. */
int logos_endpoint_commit(struct logos_endpoint *dst, struct logos_kmsg *msg)
{
	spin_lock(&dst->obj.lock);
	if (dst->closed) {
		spin_unlock(&dst->obj.lock);
		logos_kmsg_destroy(msg);
		return -EPIPE;
	}
	logos_enqueue(dst, msg);
	spin_unlock(&dst->obj.lock);
	logos_object_signal_sync(&dst->obj, 0, LOGOS_SIGNAL_READABLE);
	return 0;
}

static struct logos_kmsg *logos_dequeue(struct logos_endpoint *ep)
{
	struct logos_kmsg *msg;

	lockdep_assert_held(&ep->obj.lock);
	msg = list_first_entry_or_null(&ep->queue[0], struct logos_kmsg, node);
	if (!msg)
		msg = list_first_entry_or_null(&ep->queue[1], struct logos_kmsg, node);
	return msg;
}

/* Queues @msg, dropping the oldest message if full (a topic's policy). */
int logos_endpoint_push_drop_oldest(struct logos_endpoint *dst, struct logos_kmsg *msg,
				    u32 *dropped)
{
	struct logos_kmsg *old, *tmp;
	LIST_HEAD(doomed);

	/* Bigger than the whole queue may hold: drop nothing for it. */
	if (msg->len > dst->max_bytes) {
		logos_kmsg_destroy(msg);
		return -EMSGSIZE;
	}
	spin_lock(&dst->obj.lock);
	if (dst->closed) {
		spin_unlock(&dst->obj.lock);
		logos_kmsg_destroy(msg);
		return -EPIPE;
	}
	/* Drop as many of the oldest as it takes: the bounds always hold. */
	while (!logos_has_room(dst, msg->len) && (old = logos_dequeue(dst))) {
		list_move(&old->node, &doomed);
		dst->nr_msgs--;
		dst->nr_bytes -= old->len;
		dst->dropped++;
		(*dropped)++;
	}
	if (logos_has_room(dst, msg->len)) {
		dst->nr_msgs++;
		dst->nr_bytes += msg->len;
		logos_enqueue(dst, msg);
		msg = NULL;
	}
	spin_unlock(&dst->obj.lock);
	list_for_each_entry_safe(old, tmp, &doomed, node)
		logos_kmsg_destroy(old);
	if (msg) {
		/* Bigger than the whole queue may hold. */
		logos_kmsg_destroy(msg);
		return -EMSGSIZE;
	}
	logos_object_signal(&dst->obj, 0, LOGOS_SIGNAL_READABLE);
	return 0;
}

/* Takes a reference to @ep's peer, or fails with -EPIPE. */
struct logos_endpoint *logos_peer_get(struct logos_endpoint *ep)
{
	struct logos_endpoint *peer;

	spin_lock(&ep->obj.lock);
	peer = ep->peer;
	if (peer)
		logos_object_get(&peer->obj);
	spin_unlock(&ep->obj.lock);
	return peer ?: ERR_PTR(-EPIPE);
}

/* Builds and queues one message from @umsg on @ep's peer. */
int logos_send_one(struct logos_ctx *ctx, struct logos_endpoint *ep,
		   const struct logos_msg *umsg, u32 kernel_flags, u64 txn,
		   s64 timeout_ns, ktime_t deadline)
{
	const struct logos_object *pair[2];
	struct logos_endpoint *peer;
	struct logos_kmsg *msg;
	int ret;

	ret = logos_kmsg_check_send(umsg);
	if (ret)
		return ret;
	peer = logos_peer_get(ep);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	pair[0] = &ep->obj;
	pair[1] = &peer->obj;
	ret = logos_endpoint_reserve(peer, umsg->data_len, timeout_ns, deadline);
	if (ret)
		goto out;
	msg = logos_kmsg_build(ctx, umsg, pair, kernel_flags);
	if (IS_ERR(msg)) {
		logos_endpoint_unreserve(peer, umsg->data_len);
		ret = PTR_ERR(msg);
		goto out;
	}
	msg->hdr.msg_id = atomic64_inc_return(&ep->next_msg_id);
	msg->hdr.txn_id = txn;
	ret = logos_endpoint_commit(peer, msg);
out:
	logos_object_put(&peer->obj);
	return ret;
}

/* A plain message of a SEND batch. */
static int logos_send_plain(struct logos_ctx *ctx, struct logos_endpoint *ep,
			    struct logos_msg *umsg, s64 timeout_ns, ktime_t deadline)
{
	return logos_send_one(ctx, ep, umsg, 0, 0, timeout_ns, deadline);
}

struct logos_msg_wait {
	struct logos_endpoint *ep;
};

static bool logos_msg_ready(void *arg)
{
	struct logos_endpoint *ep = ((struct logos_msg_wait *)arg)->ep;

	return !list_empty(&ep->queue[0]) || !list_empty(&ep->queue[1]) ||
	       READ_ONCE(ep->peer_closed) || READ_ONCE(ep->closed);
}

/* A subscriber's endpoint never sees its "peer" close: it has none. */
static bool logos_recv_would_block(struct logos_endpoint *ep)
{
	return !ep->peer_closed && !ep->closed;
}

/* Receives one message from @ep into @buf (kernel copy of the user's). */
int logos_recv_one(struct logos_ctx *ctx, struct logos_endpoint *ep,
		   struct logos_msg *buf, s64 timeout_ns, ktime_t deadline)
{
	struct logos_msg_wait w = { .ep = ep };
	struct logos_kmsg *msg;
	u32 dropped;
	u64 txn;
	int ret;

	ret = logos_kmsg_check_buffer(buf);
	if (ret)
		return ret;
	for (;;) {
		spin_lock(&ep->obj.lock);
		msg = logos_dequeue(ep);
		if (msg)
			break;
		ret = logos_recv_would_block(ep) ? -EAGAIN : -EPIPE;
		spin_unlock(&ep->obj.lock);
		if (ret == -EPIPE || !timeout_ns)
			return ret;
		ret = logos_object_wait(&ep->obj, logos_msg_ready, &w, timeout_ns, deadline);
		if (ret)
			return ret;
	}
	if (!logos_kmsg_fits(msg, buf)) {
		spin_unlock(&ep->obj.lock);
		return -EMSGSIZE;
	}
	list_del(&msg->node);
	ep->nr_msgs--;
	ep->nr_bytes -= msg->len;
	dropped = ep->dropped;
	ep->dropped = 0;
	logos_update_room(ep);
	if (list_empty(&ep->queue[0]) && list_empty(&ep->queue[1]))
		logos_object_signal(&ep->obj, LOGOS_SIGNAL_READABLE, 0);
	spin_unlock(&ep->obj.lock);
	/* Senders waiting for room. */
	logos_object_wake(&ep->obj, false);

	msg->hdr.dropped = dropped;
	/* The message is gone once delivered: keep what tags a call's taker. */
	txn = msg->hdr.flags & LOGOS_MSG_CALL ? msg->hdr.txn_id : 0;
	ret = logos_kmsg_deliver(ctx, msg, buf);
	if (txn && (!ret || ret == LOGOS_DELIVERED_FAULT))
		logos_call_taken(ctx, ep, txn);
	if (ret == LOGOS_DELIVERED_FAULT)
		return -EFAULT;
	if (ret) {
		/* Not delivered (bad buffer, full handle table): back in front. */
		spin_lock(&ep->obj.lock);
		if (ep->closed) {
			/* Closed meanwhile: nobody can receive it any more. */
			spin_unlock(&ep->obj.lock);
			logos_kmsg_destroy(msg);
			return ret;
		}
		list_add(&msg->node, &ep->queue[msg->hdr.flags & LOGOS_MSG_URGENT ? 0 : 1]);
		ep->nr_msgs++;
		ep->nr_bytes += msg->len;
		ep->dropped += dropped;
		logos_update_room(ep);
		spin_unlock(&ep->obj.lock);
		logos_object_signal(&ep->obj, 0, LOGOS_SIGNAL_READABLE);
	}
	return ret;
}

typedef int (*logos_batch_fn)(struct logos_ctx *ctx, struct logos_endpoint *ep,
			      struct logos_msg *m, s64 timeout_ns, ktime_t deadline);

/*
 * SEND and RECV: up to LOGOS_BATCH_MAX messages in one call, only the
 * first of which may wait. @copy_back: each message goes back out (the
 * received one, or the sizes it needs on -EMSGSIZE). Reports how many
 * were done; an error counts only when none was.
 */
static long logos_channel_batch(struct logos_call *call, u32 right, logos_batch_fn one,
				bool copy_back)
{
	struct logos_channel_io *arg = call->arg;
	struct logos_msg __user *umsgs = u64_to_user_ptr(arg->msgs);
	struct logos_endpoint *ep;
	struct logos_object *obj;
	struct logos_msg m;
	s64 timeout = arg->timeout_ns;
	ktime_t deadline = 0;
	int ret = 0;
	u32 i;

	if (arg->flags || !arg->count || arg->count > LOGOS_BATCH_MAX)
		return -EINVAL;
	obj = logos_handle_get(call->ctx->table, arg->handle, LOGOS_OBJ_CHANNEL, right);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ep = logos_endpoint_from_obj(obj);
	if (!logos_timeout_start(timeout, &deadline))
		timeout = 0;
	for (i = 0; i < arg->count; i++) {
		if (copy_from_user(&m, &umsgs[i], sizeof(m))) {
			ret = -EFAULT;
			break;
		}
		ret = one(call->ctx, ep, &m, i ? 0 : timeout, deadline);
		if (copy_back && (!ret || ret == -EMSGSIZE) &&
		    copy_to_user(&umsgs[i], &m, sizeof(m)))
			ret = -EFAULT;
		if (ret)
			break;
	}
	logos_object_put(obj);
	arg->done = i;
	if (i)
		return 0;
	/* Nothing was done: a restart does it all again. */
	return logos_wait_interrupted(call, &arg->timeout_ns, deadline, ret);
}

long logos_ioctl_channel_send(struct logos_call *call)
{
	return logos_channel_batch(call, LOGOS_RIGHT_WRITE, logos_send_plain, false);
}

long logos_ioctl_channel_recv(struct logos_call *call)
{
	return logos_channel_batch(call, LOGOS_RIGHT_READ, logos_recv_one, true);
}

/*
 * A context that took calls ended: every endpoint's calls tagged with it
 * and still unanswered fail with -EOWNERDEAD (call.c). Walks every
 * endpoint, once per such context's end; the message path never does.
 */
void logos_endpoints_orphan_calls(u64 taker)
{
	struct logos_endpoint *ep;
	bool found;

	spin_lock(&logos_endpoints_lock);
	list_for_each_entry(ep, &logos_endpoints, all_node) {
		spin_lock(&ep->obj.lock);
		found = !list_empty(&ep->calls) && logos_calls_orphan(ep, taker);
		spin_unlock(&ep->obj.lock);
		if (found)
			logos_object_wake(&ep->obj, false);
	}
	spin_unlock(&logos_endpoints_lock);
}

/* Called at unload, when no logos file is open any more. */
void logos_channel_uninit(void)
{
	struct logos_endpoint *ep;

	for (;;) {
		spin_lock(&logos_endpoints_lock);
		list_for_each_entry(ep, &logos_endpoints, all_node) {
			if (!ep->swept)
				goto found;
		}
		spin_unlock(&logos_endpoints_lock);
		break;
found:
		ep->swept = true;
		logos_object_get(&ep->obj);
		spin_unlock(&logos_endpoints_lock);
		/* Destroys its queue, which may free other endpoints. */
		logos_endpoint_close(ep);
		logos_object_put(&ep->obj);
	}
	WARN_ON(!list_empty(&logos_endpoints));
}
