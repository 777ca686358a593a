// SPDX-License-Identifier: GPL-2.0
/*
 * Events and waiting. Signals are level-triggered bits on every object;
 * a waiter sleeps on the wait queues of all the objects it watches and
 * re-reads their signals through its own handle table on every wake-up,
 * so a handle revoked or closed meanwhile is noticed, never trusted.
 */

#include "event.h"
#include "handle.h"
#include "ioctl.h"
#include "module.h"

#include <linux/hrtimer.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

struct logos_event {
	struct logos_object obj;
};

static void logos_event_free(struct logos_object *obj)
{
	kfree_sensitive(container_of(obj, struct logos_event, obj));
}

static const struct logos_object_ops logos_event_ops = {
	.type = LOGOS_OBJ_EVENT,
	.free = logos_event_free,
};

#define LOGOS_EVENT_RIGHTS (LOGOS_RIGHTS_ALL & ~(LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_MAP_WRITE))

long logos_ioctl_event_create(struct logos_call *call)
{
	struct logos_event_create *arg = call->arg;
	struct logos_ctx *ctx = call->ctx;
	struct logos_event *ev;
	struct logos_cap *cap;
	int ret;

	if (arg->flags)
		return -EINVAL;
	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev)
		return -ENOMEM;
	ret = logos_object_init(&ev->obj, &logos_event_ops, ctx->module);
	if (ret) {
		kfree(ev);
		return ret;
	}
	cap = logos_cap_new_root(&ev->obj, LOGOS_EVENT_RIGHTS);
	if (!cap) {
		logos_object_put(&ev->obj);
		return -ENOMEM;
	}
	ret = logos_table_install(ctx->table, cap, &arg->handle);
	if (ret)
		logos_cap_free(cap);
	return ret;
}

long logos_ioctl_event_signal(struct logos_call *call)
{
	struct logos_event_signal *arg = call->arg;
	struct logos_object *obj;

	if (arg->flags || ((arg->clear | arg->set) & ~LOGOS_SIGNAL_USER_MASK))
		return -EINVAL;
	obj = logos_handle_get(call->ctx->table, arg->handle, LOGOS_OBJ_EVENT, LOGOS_RIGHT_WRITE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	logos_object_signal(obj, arg->clear, arg->set);
	logos_object_put(obj);
	return 0;
}

struct logos_waiter {
	struct logos_object *obj;
	struct wait_queue_entry entry;
};

/* Fills observed signals; returns the number of ready items or -errno. */
static int logos_wait_scan(struct logos_handle_table *table, struct logos_wait_item *items,
			   u32 count)
{
	int ready = 0, err = 0;
	u32 i;

	for (i = 0; i < count; i++) {
		items[i].observed = logos_handle_peek(table, items[i].handle, &err);
		if (err)
			return err;
		if (items[i].observed & (items[i].signals | LOGOS_SIGNAL_REVOKED))
			ready++;
	}
	return ready;
}

static int logos_wait_prepare(struct logos_handle_table *table, struct logos_wait_item *items,
			      struct logos_waiter *waiters, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		struct logos_object *obj;

		if (items[i].reserved || !items[i].signals)
			return -EINVAL;
		obj = logos_handle_get(table, items[i].handle, LOGOS_OBJ_NONE, LOGOS_RIGHT_READ);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
		waiters[i].obj = obj;
		init_waitqueue_entry(&waiters[i].entry, current);
		add_wait_queue(&obj->wait, &waiters[i].entry);
	}
	return 0;
}

static void logos_wait_finish(struct logos_waiter *waiters, u32 count)
{
	u32 i;

	for (i = 0; i < count && waiters[i].obj; i++) {
		remove_wait_queue(&waiters[i].obj->wait, &waiters[i].entry);
		logos_object_put(waiters[i].obj);
	}
}

static void logos_wait_clear_state_changed(struct logos_waiter *waiters,
					   struct logos_wait_item *items, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		if ((items[i].observed & LOGOS_SIGNAL_STATE_CHANGED) &&
		    logos_object_type(waiters[i].obj) == LOGOS_OBJ_MODULE)
			logos_object_signal(waiters[i].obj, LOGOS_SIGNAL_STATE_CHANGED, 0);
	}
}

long logos_ioctl_wait(struct logos_call *call)
{
	struct logos_wait *arg = call->arg;
	struct logos_handle_table *table = call->ctx->table;
	struct logos_wait_item __user *uitems = u64_to_user_ptr(arg->items);
	struct logos_waiter *waiters = NULL;
	struct logos_wait_item *items;
	ktime_t expires = 0;
	int ret;

	if ((arg->flags & ~LOGOS_WAIT_CLEAR_STATE_CHANGED) || arg->reserved)
		return -EINVAL;
	if (!arg->count || arg->count > LOGOS_WAIT_MAX_ITEMS || arg->timeout_ns < -1)
		return -EINVAL;

	items = memdup_user(uitems, array_size(arg->count, sizeof(*items)));
	if (IS_ERR(items))
		return PTR_ERR(items);
	waiters = kcalloc(arg->count, sizeof(*waiters), GFP_KERNEL_ACCOUNT);
	if (!waiters) {
		ret = -ENOMEM;
		goto out_items;
	}
	ret = logos_wait_prepare(table, items, waiters, arg->count);
	if (ret)
		goto out_waiters;

	if (arg->timeout_ns > 0)
		expires = ktime_add_ns(ktime_get(), arg->timeout_ns);
	for (;;) {
		/* State first, then the check: a wake-up in between is not lost. */
		set_current_state(TASK_INTERRUPTIBLE);
		ret = logos_wait_scan(table, items, arg->count);
		if (ret)
			break;
		if (!arg->timeout_ns) {
			ret = -ETIMEDOUT;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (arg->timeout_ns < 0) {
			schedule();
		} else if (!schedule_hrtimeout_range(&expires, 0, HRTIMER_MODE_ABS)) {
			__set_current_state(TASK_RUNNING);
			ret = logos_wait_scan(table, items, arg->count);
			if (!ret)
				ret = -ETIMEDOUT;
			break;
		}
	}
	__set_current_state(TASK_RUNNING);
	ret = logos_wait_interrupted(call, &arg->timeout_ns, expires, ret);

	if (ret > 0) {
		if (arg->flags & LOGOS_WAIT_CLEAR_STATE_CHANGED)
			logos_wait_clear_state_changed(waiters, items, arg->count);
		arg->ready = ret;
		ret = 0;
		if (copy_to_user(uitems, items, array_size(arg->count, sizeof(*items))))
			ret = -EFAULT;
	}
out_waiters:
	logos_wait_finish(waiters, arg->count);
	kfree(waiters);
out_items:
	kfree(items);
	return ret;
}
