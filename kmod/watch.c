// SPDX-License-Identifier: GPL-2.0
/*
 * A watch sits on its object's wait queue. Its wake function runs under
 * that queue's lock, possibly while the waker holds a handle table lock,
 * so it takes no table lock: it only marks the watch ready when the
 * signals match (or a revoke happened), and LOGOS_IOC_WATCH_READ re-reads
 * the truth through the caller's table before reporting anything.
 *
 * LOGOS_IOC_WATCH_READ works on a private batch of ready watches with
 * set->lock dropped (to peek the table and copy to user memory). While a
 * watch is in such a batch the reader owns its ready_node: removing the
 * watch meanwhile only unlinks it from set->watches and marks it dead, and
 * the reader frees it. A dead watch is never made ready again, so a wake-up
 * between the unlink and remove_wait_queue() cannot put freed memory on
 * set->ready.
 */

#include "watch.h"
#include "handle.h"
#include "ioctl.h"
#include "module.h"

#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

struct logos_watch_entry {
	struct list_head node;		/* in set->watches */
	struct list_head ready_node;	/* in set->ready, or empty */
	struct logos_watch_set *set;
	struct logos_object *obj;	/* a reference */
	struct wait_queue_entry wq;
	u32 handle;
	u32 signals;
	u32 flags;
	u64 key;
	bool live;			/* in set->watches */
	bool batched;			/* ready_node is in a reader's batch */
};

void logos_watch_set_init(struct logos_watch_set *set)
{
	spin_lock_init(&set->lock);
	INIT_LIST_HEAD(&set->watches);
	INIT_LIST_HEAD(&set->ready);
	set->nr_watches = 0;
	init_waitqueue_head(&set->poll_wait);
}

static void logos_watch_mark_ready(struct logos_watch_entry *w)
{
	struct logos_watch_set *set = w->set;
	unsigned long flags;

	spin_lock_irqsave(&set->lock, flags);
	if (w->live && list_empty(&w->ready_node))
		list_add_tail(&w->ready_node, &set->ready);
	spin_unlock_irqrestore(&set->lock, flags);
	wake_up_all(&set->poll_wait);
}

static int logos_watch_wake(struct wait_queue_entry *wq, unsigned int mode, int sync, void *key)
{
	struct logos_watch_entry *w = container_of(wq, struct logos_watch_entry, wq);

	if (key == LOGOS_WAKE_REVOKE || (logos_object_signals(w->obj) & w->signals))
		logos_watch_mark_ready(w);
	return 0;
}

static void logos_watch_free(struct logos_watch_entry *w)
{
	remove_wait_queue(&w->obj->wait, &w->wq);
	logos_object_put(w->obj);
	kfree(w);
}

/*
 * Unlinks @w from its set. Returns true if the caller must free it (outside
 * the lock), false if a reader holds it in its batch and will free it.
 */
static bool logos_watch_unlink(struct logos_watch_set *set, struct logos_watch_entry *w)
{
	lockdep_assert_held(&set->lock);
	list_del(&w->node);
	w->live = false;
	set->nr_watches--;
	if (w->batched)
		return false;
	list_del_init(&w->ready_node);
	return true;
}

void logos_watch_set_release(struct logos_watch_set *set)
{
	struct logos_watch_entry *w, *tmp;
	LIST_HEAD(doomed);

	spin_lock_irq(&set->lock);
	list_for_each_entry_safe(w, tmp, &set->watches, node) {
		/* No reader is left (the file is going), so nothing is batched. */
		if (logos_watch_unlink(set, w))
			list_add(&w->node, &doomed);
	}
	spin_unlock_irq(&set->lock);
	list_for_each_entry_safe(w, tmp, &doomed, node)
		logos_watch_free(w);
}

__poll_t logos_watch_poll(struct file *file, struct poll_table_struct *pt)
{
	struct logos_ctx *ctx = file->private_data;
	struct logos_watch_set *set = &ctx->watches;
	__poll_t mask;

	poll_wait(file, &set->poll_wait, pt);
	spin_lock_irq(&set->lock);
	mask = list_empty(&set->ready) ? 0 : EPOLLIN | EPOLLRDNORM;
	spin_unlock_irq(&set->lock);
	return mask;
}

static long logos_watch_remove(struct logos_watch_set *set, u64 key)
{
	struct logos_watch_entry *w, *found = NULL;
	bool free_it = false;

	spin_lock_irq(&set->lock);
	list_for_each_entry(w, &set->watches, node) {
		if (w->key == key) {
			found = w;
			free_it = logos_watch_unlink(set, w);
			break;
		}
	}
	spin_unlock_irq(&set->lock);
	if (!found)
		return -ENOENT;
	if (free_it)
		logos_watch_free(found);
	return 0;
}

long logos_ioctl_watch(struct logos_call *call)
{
	struct logos_watch *arg = call->arg;
	struct logos_watch_set *set = &call->ctx->watches;
	struct logos_watch_entry *w;
	struct logos_object *obj;
	bool ready = false;
	int ret = 0;

	if ((arg->flags & ~(LOGOS_WATCH_ONESHOT | LOGOS_WATCH_REMOVE)) || arg->reserved)
		return -EINVAL;
	if (arg->flags & LOGOS_WATCH_REMOVE)
		return logos_watch_remove(set, arg->key);
	if (!arg->signals)
		return -EINVAL;
	obj = logos_handle_get(call->ctx->table, arg->handle, LOGOS_OBJ_NONE, LOGOS_RIGHT_READ);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w) {
		logos_object_put(obj);
		return -ENOMEM;
	}
	w->set = set;
	w->obj = obj;
	w->handle = arg->handle;
	w->signals = arg->signals;
	w->flags = arg->flags;
	w->key = arg->key;
	INIT_LIST_HEAD(&w->ready_node);
	init_waitqueue_func_entry(&w->wq, logos_watch_wake);
	/*
	 * On the wait queue before it is in the set: once in the set, a
	 * concurrent remove by key may free it. Until then it is not live and
	 * its wake-ups are ignored.
	 */
	add_wait_queue(&obj->wait, &w->wq);

	spin_lock_irq(&set->lock);
	if (set->nr_watches >= LOGOS_WATCH_MAX) {
		ret = -ENOSPC;
	} else {
		list_add_tail(&w->node, &set->watches);
		w->live = true;
		set->nr_watches++;
		/*
		 * Level-triggered: what is already true is reported at once.
		 * Checked here, after add_wait_queue(): a signal set later
		 * wakes us. After the unlock @w may be removed and freed.
		 */
		if (logos_object_signals(obj) & w->signals) {
			list_add_tail(&w->ready_node, &set->ready);
			ready = true;
		}
	}
	spin_unlock_irq(&set->lock);
	if (ret) {
		logos_watch_free(w);
		return ret;
	}
	if (ready)
		wake_up_all(&set->poll_wait);
	return 0;
}

static bool logos_watch_any_ready(struct logos_watch_set *set)
{
	return !list_empty(&set->ready);
}

/* Moves up to @max ready watches to @out; the caller re-checks each. */
static u32 logos_watch_take_ready(struct logos_watch_set *set, struct list_head *out, u32 max)
{
	struct logos_watch_entry *w, *tmp;
	u32 n = 0;

	spin_lock_irq(&set->lock);
	list_for_each_entry_safe(w, tmp, &set->ready, ready_node) {
		if (n == max)
			break;
		list_move_tail(&w->ready_node, out);
		w->batched = true;
		n++;
	}
	spin_unlock_irq(&set->lock);
	return n;
}

long logos_ioctl_watch_read(struct logos_call *call)
{
	struct logos_watch_read *arg = call->arg;
	struct logos_watch_report __user *ureports = u64_to_user_ptr(arg->reports);
	struct logos_watch_set *set = &call->ctx->watches;
	struct logos_watch_report report;
	struct logos_watch_entry *w, *tmp;
	s64 timeout = arg->timeout_ns;
	ktime_t deadline = 0;
	LIST_HEAD(batch);
	LIST_HEAD(doomed);
	u32 ready = 0;
	int ret = 0;

	if (arg->flags || arg->reserved || !arg->count ||
	    arg->count > LOGOS_WATCH_MAX)
		return -EINVAL;
	if (!logos_timeout_start(timeout, &deadline))
		timeout = 0;

	while (!ready) {
		logos_watch_take_ready(set, &batch, arg->count);
		list_for_each_entry_safe(w, tmp, &batch, ready_node) {
			int err = 0;
			u32 observed = logos_handle_peek(call->ctx->table, w->handle, &err);

			spin_lock_irq(&set->lock);
			list_del_init(&w->ready_node);
			w->batched = false;
			if (!w->live) {
				/* Removed while in our batch: ours to free. */
				list_add(&w->node, &doomed);
			} else if (err) {
				/* The handle is gone: so is its watch. */
				logos_watch_unlink(set, w);
				list_add(&w->node, &doomed);
			} else if (observed & (w->signals | LOGOS_SIGNAL_REVOKED)) {
				report.key = w->key;
				report.handle = w->handle;
				report.observed = observed;
				if (w->flags & LOGOS_WATCH_ONESHOT) {
					logos_watch_unlink(set, w);
					list_add(&w->node, &doomed);
				} else {
					/* Level-triggered: still true, so still ready. */
					list_add_tail(&w->ready_node, &set->ready);
				}
				spin_unlock_irq(&set->lock);
				if (copy_to_user(&ureports[ready], &report, sizeof(report)))
					ret = -EFAULT;
				ready++;
				continue;
			}
			/* A wake-up that found us in the batch must not be lost. */
			if (w->live && (logos_object_signals(w->obj) & w->signals))
				list_add_tail(&w->ready_node, &set->ready);
			spin_unlock_irq(&set->lock);
		}
		if (ret || ready || !timeout)
			break;
		ret = wait_event_interruptible_hrtimeout(set->poll_wait, logos_watch_any_ready(set),
							 timeout < 0 ? KTIME_MAX :
							 ktime_sub(deadline, ktime_get()));
		if (ret == -ETIME)
			ret = -ETIMEDOUT;
		/* Nothing reported yet: restarted with the time left. */
		ret = logos_wait_interrupted(call, &arg->timeout_ns, deadline, ret);
		if (ret)
			break;
	}
	list_for_each_entry_safe(w, tmp, &doomed, node)
		logos_watch_free(w);
	if (ready && ret != -EFAULT)
		ret = 0;
	if (!ready && !ret)
		ret = -ETIMEDOUT;
	arg->ready = ready;
	return ret;
}
