// SPDX-License-Identifier: GPL-2.0
/*
 * Request/response on channels: CHANNEL_CALL sends a request and waits for
 * the reply to exactly that call; CHANNEL_REPLY answers one and may receive
 * the next message in the same system call. A caller's pending call sits
 * on its endpoint's calls list (under the endpoint's lock) while it waits;
 * a call interrupted after its request went out is parked there for its
 * restart, so a pause never sends a request twice.
 */

#include "call.h"
#include "channel.h"
#include "handle.h"
#include "ioctl.h"
#include "message.h"
#include "module.h"

#include <linux/sched/signal.h>
#include <linux/slab.h>

struct logos_pending_call {
	struct list_head node;
	u64 txn;
	struct logos_kmsg *reply;
	int status;
	bool parked;	/* interrupted, kept for its restart: see logos_call_park() */
	bool ownerdead;	/* LOGOS_CALL_OWNERDEAD */
	u64 taker;	/* serial of the context that received the request, or 0 */
};

/* Interrupted calls kept for their restart, per endpoint. */
#define LOGOS_MAX_PARKED_CALLS 16

/* The endpoint or its peer closed: every call waiting on @ep fails. */
void logos_calls_fail(struct logos_endpoint *ep)
{
	struct logos_pending_call *pc;

	lockdep_assert_held(&ep->obj.lock);
	list_for_each_entry(pc, &ep->calls, node) {
		if (!pc->reply && !pc->status)
			pc->status = -EPIPE;
	}
}

/*
 * Who took a call. A LOGOS_CALL_OWNERDEAD request received through a
 * context is tagged with that context's serial on the caller's pending
 * call; when the context's file is released, every call still tagged with
 * it and unanswered fails with -EOWNERDEAD. Nothing is kept on the
 * server's side, so a server that never replies costs nothing, and a
 * reply, a timeout or the caller's endpoint closing needs no clean-up.
 */
static atomic64_t logos_ctx_serial = ATOMIC64_INIT(0);

void logos_ctx_calls_init(struct logos_ctx *ctx)
{
	ctx->serial = atomic64_inc_return(&logos_ctx_serial);
	ctx->took_calls = false;
}

/* @ctx received the call @txn on @ep: tag the caller's pending call. */
void logos_call_taken(struct logos_ctx *ctx, struct logos_endpoint *ep, u64 txn)
{
	struct logos_pending_call *pc;
	struct logos_endpoint *peer;
	bool found = false;

	peer = logos_peer_get(ep);
	if (IS_ERR(peer))
		return;	/* the caller is gone: its calls failed already */
	spin_lock(&peer->obj.lock);
	list_for_each_entry(pc, &peer->calls, node) {
		if (pc->txn == txn) {
			if (pc->ownerdead && !pc->reply && !pc->status) {
				pc->taker = ctx->serial;
				found = true;
			}
			break;
		}
	}
	spin_unlock(&peer->obj.lock);
	logos_object_put(&peer->obj);
	if (found && !READ_ONCE(ctx->took_calls))
		WRITE_ONCE(ctx->took_calls, true);
}

/* The context @taker ended: its unanswered calls on @ep fail. */
bool logos_calls_orphan(struct logos_endpoint *ep, u64 taker)
{
	struct logos_pending_call *pc;
	bool found = false;

	lockdep_assert_held(&ep->obj.lock);
	list_for_each_entry(pc, &ep->calls, node) {
		if (pc->taker == taker && !pc->reply && !pc->status) {
			WRITE_ONCE(pc->status, -EOWNERDEAD);
			found = true;
		}
	}
	return found;
}

/*
 * @ctx's file is being released: no ioctl runs through it any more, so
 * nothing new gets tagged with its serial. A context that never took such
 * a call skips the walk over every endpoint.
 */
void logos_ctx_calls_orphan(struct logos_ctx *ctx)
{
	if (READ_ONCE(ctx->took_calls))
		logos_endpoints_orphan_calls(ctx->serial);
}

/* Parked calls nobody resumed, when their endpoint closes. */
void logos_calls_drop_parked(struct logos_endpoint *ep, struct list_head *reap)
{
	struct logos_pending_call *pc, *tmp;
	LIST_HEAD(parked);

	spin_lock(&ep->obj.lock);
	list_for_each_entry_safe(pc, tmp, &ep->calls, node) {
		if (pc->parked)
			list_move(&pc->node, &parked);
	}
	ep->nr_parked = 0;
	spin_unlock(&ep->obj.lock);
	list_for_each_entry_safe(pc, tmp, &parked, node) {
		if (pc->reply)
			logos_kmsg_release(pc->reply, reap);
		kfree(pc);
	}
}

struct logos_call_wait {
	struct logos_pending_call *pc;
};

static bool logos_call_ready(void *arg)
{
	struct logos_pending_call *pc = ((struct logos_call_wait *)arg)->pc;

	return READ_ONCE(pc->reply) || READ_ONCE(pc->status);
}

/*
 * A CALL whose request went out when a signal came is parked: its pending
 * call moves to the heap and stays registered, so the reply is kept when
 * it comes, and the transaction id goes back to the caller in
 * request.header.txn_id. The restarted CALL (the kernel restarts it after
 * SIGSTOP/SIGCONT, the freezer or an SA_RESTART handler; a caller may also
 * retry the same argument after -EINTR) finds it there and waits for that
 * reply instead of sending the request again. @pc: on the caller's stack,
 * or already on the heap (a resumed call interrupted again).
 */
static struct logos_pending_call *logos_call_park(struct logos_endpoint *ep,
						  struct logos_pending_call *pc, bool heap)
{
	struct logos_pending_call *parked, *old = NULL, *it;
	bool ok = false;

	/* A dying caller will never resume it. */
	if (fatal_signal_pending(current))
		return NULL;
	parked = heap ? pc : kmalloc(sizeof(*pc), GFP_KERNEL_ACCOUNT);
	if (!parked)
		return NULL;
	spin_lock(&ep->obj.lock);
	if (!pc->reply && !pc->status && !ep->closed) {
		if (ep->nr_parked >= LOGOS_MAX_PARKED_CALLS) {
			/* The oldest one nobody resumed is abandoned for this one. */
			list_for_each_entry(it, &ep->calls, node) {
				if (it->parked) {
					old = it;
					list_del(&old->node);
					ep->nr_parked--;
					break;
				}
			}
		}
		if (!heap) {
			*parked = *pc;
			list_replace(&pc->node, &parked->node);
		}
		parked->parked = true;
		ep->nr_parked++;
		ok = true;
	}
	spin_unlock(&ep->obj.lock);
	if (old) {
		if (old->reply)
			logos_kmsg_destroy(old->reply);
		kfree(old);
	}
	if (ok)
		return parked;
	if (!heap)
		kfree(parked);
	return NULL;
}

/* The parked call @txn, now the caller's; NULL if there is none. */
static struct logos_pending_call *logos_call_unpark(struct logos_endpoint *ep, u64 txn)
{
	struct logos_pending_call *pc, *found = NULL;

	spin_lock(&ep->obj.lock);
	list_for_each_entry(pc, &ep->calls, node) {
		if (pc->parked && pc->txn == txn) {
			pc->parked = false;
			ep->nr_parked--;
			found = pc;
			break;
		}
	}
	spin_unlock(&ep->obj.lock);
	return found;
}

long logos_ioctl_channel_call(struct logos_call *call)
{
	struct logos_channel_call *arg = call->arg;
	struct logos_pending_call stack_pc = {
		.reply = NULL, .status = 0,
		.ownerdead = !!(arg->flags & LOGOS_CALL_OWNERDEAD),
	};
	struct logos_pending_call *pc = &stack_pc, *parked;
	u64 resume = arg->request.header.txn_id;
	struct logos_call_wait w;
	struct logos_endpoint *ep;
	struct logos_object *obj;
	s64 timeout = arg->timeout_ns;
	ktime_t deadline = 0;
	bool sent = true;
	int ret;

	if (arg->flags & ~LOGOS_CALL_OWNERDEAD)
		return -EINVAL;
	ret = logos_kmsg_check_buffer(&arg->reply);
	if (ret)
		return ret;
	if (resume) {
		/* Only the id a parked call was given may be set. */
		arg->request.header.txn_id = 0;
		if (memchr_inv(&arg->request.header, 0, sizeof(arg->request.header)))
			return -EINVAL;
		arg->request.header.txn_id = resume;
		/* Whatever happens now, the argument is fresh again for a new call. */
		call->copy_out_on_error = true;
	}
	obj = logos_handle_get(call->ctx->table, arg->handle, LOGOS_OBJ_CHANNEL,
			       LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ep = logos_endpoint_from_obj(obj);
	if (!logos_timeout_start(timeout, &deadline))
		timeout = 0;

	if (resume) {
		arg->request.header.txn_id = 0;
		pc = logos_call_unpark(ep, resume);
		if (!pc) {
			ret = -ENOENT;	/* never parked, or dropped with its endpoint */
			goto out;
		}
	} else {
		/* Registered before sending, so the quickest reply finds us. */
		pc->txn = atomic64_inc_return(&ep->next_txn);
		spin_lock(&ep->obj.lock);
		if (ep->peer_closed || ep->closed)
			ret = -EPIPE;
		else
			list_add_tail(&pc->node, &ep->calls);
		spin_unlock(&ep->obj.lock);
		if (ret)
			goto out;
		ret = logos_send_one(call->ctx, ep, &arg->request, LOGOS_MSG_CALL, pc->txn,
				     timeout, deadline);
		sent = !ret;
	}
	w.pc = pc;
	if (!ret)
		ret = logos_object_wait(&ep->obj, logos_call_ready, &w,
					timeout ? timeout : LOGOS_TIMEOUT_INFINITE, deadline);

	if (ret == -ERESTARTSYS) {
		/* Before the request went out, a restart simply sends it. */
		ret = logos_wait_interrupted(call, &arg->timeout_ns, deadline, ret);
		if (ret == -ERESTARTSYS && sent) {
			parked = logos_call_park(ep, pc, pc != &stack_pc);
			if (parked) {
				arg->request.header.txn_id = parked->txn;
				call->copy_out_on_error = true;
				goto out;
			}
			/* Nowhere to keep it: abandoned, as on a timeout. */
			ret = -EINTR;
		}
	}
	/* From here @pc is stable: it leaves the list under the lock. */

	spin_lock(&ep->obj.lock);
	list_del(&pc->node);
	spin_unlock(&ep->obj.lock);

	if (pc->reply && !sent) {
		/* An answer to a request that never went out (a guessed txn). */
		logos_kmsg_destroy(pc->reply);
	} else if (pc->reply) {
		/* A reply that raced with a timeout or signal still counts. */
		if (!logos_kmsg_fits(pc->reply, &arg->reply)) {
			logos_kmsg_destroy(pc->reply);
			ret = -EMSGSIZE;
		} else {
			ret = logos_kmsg_deliver(call->ctx, pc->reply, &arg->reply);
			if (ret == LOGOS_DELIVERED_FAULT)
				ret = -EFAULT;
			else if (ret)
				logos_kmsg_destroy(pc->reply);
		}
	} else if (pc->status && (!ret || ret == -EINTR)) {
		ret = pc->status;
	}
	if (pc != &stack_pc)
		kfree(pc);
out:
	logos_object_put(obj);
	return ret;
}

/* Is @txn a call on @ep still waiting for its reply? Hands it @msg if so. */
static bool logos_answer(struct logos_endpoint *ep, u64 txn, struct logos_kmsg *msg)
{
	struct logos_pending_call *pc;
	bool found = false;

	spin_lock(&ep->obj.lock);
	list_for_each_entry(pc, &ep->calls, node) {
		if (pc->txn == txn && !pc->reply && !pc->status) {
			if (msg)
				WRITE_ONCE(pc->reply, msg);
			found = true;
			break;
		}
	}
	spin_unlock(&ep->obj.lock);
	if (found && msg)
		logos_object_wake(&ep->obj, true);
	return found;
}

long logos_ioctl_channel_reply(struct logos_call *call)
{
	const struct logos_object *pair[2];
	struct logos_channel_reply *arg = call->arg;
	struct logos_endpoint *ep, *peer;
	struct logos_object *obj;
	struct logos_kmsg *msg;
	s64 timeout = arg->timeout_ns;
	ktime_t deadline = 0;
	int ret;

	if (arg->flags & ~LOGOS_REPLY_RECEIVE)
		return -EINVAL;
	if (arg->flags & LOGOS_REPLY_RECEIVE) {
		ret = logos_kmsg_check_buffer(&arg->next);
		if (ret)
			return ret;
	}
	obj = logos_handle_get(call->ctx->table, arg->handle, LOGOS_OBJ_CHANNEL,
			       LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ep = logos_endpoint_from_obj(obj);
	/* Restarted after its reply went out (@txn_id 0): only the receive. */
	if (!arg->txn_id && (arg->flags & LOGOS_REPLY_RECEIVE))
		goto receive;

	peer = logos_peer_get(ep);
	if (IS_ERR(peer)) {
		ret = -ENOENT;	/* the caller is gone with its endpoint */
		goto out;
	}
	/* Check first, so a reply to nobody takes no handle from the sender. */
	if (!arg->txn_id || !logos_answer(peer, arg->txn_id, NULL)) {
		ret = -ENOENT;
		goto out_peer;
	}
	pair[0] = &ep->obj;
	pair[1] = &peer->obj;
	msg = logos_kmsg_build(call->ctx, &arg->reply, pair, LOGOS_MSG_REPLY);
	if (IS_ERR(msg)) {
		ret = PTR_ERR(msg);
		goto out_peer;
	}
	msg->hdr.msg_id = atomic64_inc_return(&ep->next_msg_id);
	msg->hdr.txn_id = arg->txn_id;
	msg->hdr.timestamp_ns = ktime_get_ns();
	if (!logos_answer(peer, arg->txn_id, msg)) {
		/* The caller gave up in between: its handles are closed. */
		logos_kmsg_destroy(msg);
		ret = -ENOENT;
		goto out_peer;
	}
	ret = 0;
out_peer:
	logos_object_put(&peer->obj);
	if (ret || !(arg->flags & LOGOS_REPLY_RECEIVE))
		goto out;
	/* The reply went out: say so even though the receive fails. */
	arg->txn_id = 0;
	call->copy_out_on_error = true;
receive:
	if (!logos_timeout_start(timeout, &deadline))
		timeout = 0;
	ret = logos_recv_one(call->ctx, ep, &arg->next, timeout, deadline);
	ret = logos_wait_interrupted(call, &arg->timeout_ns, deadline, ret);
out:
	logos_object_put(obj);
	return ret;
}
