// SPDX-License-Identifier: GPL-2.0
/*
 * Objects: reference counted, typed, with an id that is never reused while
 * logos.ko is loaded and signal bits that waiters watch.
 */

#include "object.h"
#include "module.h"
#include "quota.h"

#include <linux/atomic.h>
#include <linux/moduleparam.h>
#include <linux/hrtimer.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sysfs.h>

static atomic64_t logos_next_object_id = ATOMIC64_INIT(0);
static atomic64_t logos_live_objects = ATOMIC64_INIT(0);

static int live_objects_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&logos_live_objects));
}

static const struct kernel_param_ops live_objects_ops = {
	.get = live_objects_get,
};

/* Read-only: lets a test prove that nothing outlived it. */
module_param_cb(live_objects, &live_objects_ops, NULL, 0444);
MODULE_PARM_DESC(live_objects, "Objects alive now (read-only)");

s64 logos_objects_live(void)
{
	return atomic64_read(&logos_live_objects);
}

/*
 * Charges the owner for one object of this type; on success the object
 * holds a reference to its owner so the charge can be returned even after
 * the owner's context is gone.
 */
int logos_object_init(struct logos_object *obj, const struct logos_object_ops *ops,
		      struct logos_module *owner)
{
	int ret;

	ret = logos_global_charge(LOGOS_GLOBAL_OBJECTS);
	if (ret)
		return ret;
	if (owner) {
		ret = logos_charge_object(owner, ops->type);
		if (ret) {
			logos_global_uncharge(LOGOS_GLOBAL_OBJECTS);
			return ret;
		}
		logos_module_get(owner);
	}
	kref_init(&obj->ref);
	obj->ops = ops;
	obj->id = atomic64_inc_return(&logos_next_object_id);
	obj->owner = owner;
	spin_lock_init(&obj->lock);
	atomic_set(&obj->signals, 0);
	atomic_set(&obj->handles, 0);
	init_waitqueue_head(&obj->wait);
	INIT_LIST_HEAD(&obj->reap_node);
	atomic64_inc(&logos_live_objects);
	return 0;
}

static void logos_object_release(struct kref *ref)
{
	struct logos_object *obj = container_of(ref, struct logos_object, ref);
	struct logos_module *owner = obj->owner;
	enum logos_object_type type = obj->ops->type;

	obj->ops->free(obj);
	atomic64_dec(&logos_live_objects);
	logos_global_uncharge(LOGOS_GLOBAL_OBJECTS);
	if (owner) {
		logos_uncharge_object(owner, type);
		logos_module_put(owner);
	}
}

void logos_object_put(struct logos_object *obj)
{
	kref_put(&obj->ref, logos_object_release);
}

/* Undo logos_object_init() of an object that never got a handle. */
void logos_object_abort(struct logos_object *obj)
{
	logos_object_put(obj);
}

u32 logos_object_owner_id(const struct logos_object *obj)
{
	return obj->owner ? logos_module_id(obj->owner) : 0;
}

/*
 * Signals change without the object lock: a channel updates its peer's
 * WRITABLE while holding its own lock, and must not nest the two.
 */
/*
 * True when a bit was newly set: every waiter (logos_object_wait() callers,
 * LOGOS_IOC_WAIT, watches) waits for bits to be set, so a change that only
 * clears bits (a queue read empty) wakes nobody.
 */
static bool logos_object_update_signals(struct logos_object *obj, u32 clear, u32 set)
{
	u32 old = atomic_read(&obj->signals), new;

	do {
		new = (old & ~clear) | set;
		if (new == old)
			return false;
	} while (!atomic_try_cmpxchg(&obj->signals, &old, new));
	return new & ~old;
}

void logos_object_signal(struct logos_object *obj, u32 clear, u32 set)
{
	if (logos_object_update_signals(obj, clear, set))
		wake_up_all(&obj->wait);
}

/*
 * The same, for a waker about to sleep (see logos_object_wake()). Every
 * waiter is woken: watches and LOGOS_IOC_WAIT queue themselves on @obj
 * too, without the barrier that would let an empty queue be skipped.
 */
void logos_object_signal_sync(struct logos_object *obj, u32 clear, u32 set)
{
	if (logos_object_update_signals(obj, clear, set))
		__wake_up_sync(&obj->wait, TASK_NORMAL);
}

/*
 * Wakes whoever sleeps in logos_object_wait() on @obj for a reason other
 * than a signal bit (room in a queue, a reply). Those waiters queue
 * themselves with a full barrier before they check, so an empty queue is
 * safely skipped. @sync: the waker is about to sleep itself (a caller
 * waiting for its reply, a server for its next request), so the woken task
 * may run on this CPU without preempting it, as with pipes, AF_UNIX
 * sockets and binder.
 */
void logos_object_wake(struct logos_object *obj, bool sync)
{
	if (!wq_has_sleeper(&obj->wait))
		return;
	if (sync)
		__wake_up_sync(&obj->wait, TASK_NORMAL);
	else
		wake_up_all(&obj->wait);
}

bool logos_timeout_start(s64 timeout_ns, ktime_t *deadline)
{
	if (!timeout_ns)
		return false;
	*deadline = timeout_ns < 0 ? KTIME_MAX : ktime_add_ns(ktime_get(), timeout_ns);
	return true;
}

/*
 * Sleeps on @obj until @ready (called without locks held, with the task
 * already queued, so a wake-up between the check and the sleep is not
 * lost), a signal (-ERESTARTSYS: see logos_wait_interrupted()) or the
 * deadline (-ETIMEDOUT).
 */
int logos_object_wait(struct logos_object *obj, bool (*ready)(void *arg), void *arg,
		      s64 timeout_ns, ktime_t deadline)
{
	DEFINE_WAIT(wait);
	int ret = 0;

	for (;;) {
		prepare_to_wait(&obj->wait, &wait, TASK_INTERRUPTIBLE);
		if (ready(arg))
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (timeout_ns < 0) {
			schedule();
		} else if (!schedule_hrtimeout_range(&deadline, 0, HRTIMER_MODE_ABS)) {
			ret = ready(arg) ? 0 : -ETIMEDOUT;
			break;
		}
	}
	finish_wait(&obj->wait, &wait);
	return ret;
}
