/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The base of every kernel object a handle can name, and the lifetime and
 * locking rules every object type follows. Code that breaks one is a bug.
 *
 * References (obj->ref, a kref). Taken by: every cap naming the object
 * (one each, dropped when the cap is freed); logos_handle_get() for the
 * length of one ioctl; a pointer field documented as "a reference" (a
 * channel end's peer, a subscriber's topic, an attachment's channel).
 * Only the last logos_object_put() frees, through ops->free, which never
 * sleeps on another object's teardown.
 *
 * Handles (obj->handles): caps naming the object, in tables, in messages
 * in flight, and mapping nodes. When the count reaches zero the object is
 * closed once, by ops->zero_handles, from logos_reap(): logos_cap_release()
 * puts the object on a reap list with the last cap's reference instead of
 * calling it, so teardown that frees more caps (an endpoint's queue holding
 * endpoints holding queues...) is a loop, never recursion. zero_handles
 * itself frees caps only with logos_cap_release(cap, reap).
 *
 * Caps have exactly one owner: a table slot, a message, a mapping, or the
 * kernel (mapped channels' roots). The owner frees it. A table owns a cap
 * from logos_table_install*() on: the installing code must not touch the
 * cap or its object again, because another thread of the same module can
 * close the (guessable) handle value at once. So: read or record what is
 * needed before installing, install last, and when several handles belong
 * together install them with one logos_table_install_many() (all or
 * none, under one hold of the table lock). A file's reference, or one the
 * ioctl took with logos_handle_get(), may keep the object alive after.
 *
 * The derivation tree (cap->parent/children, under obj->lock): closing a
 * cap moves its children to its parent, so an ancestor's revoke still
 * reaches them (seL4's capability derivation tree). A mapping node records
 * at link time the id of the handle it was made through (cap->through);
 * revoking handle R spares only the mappings made through R itself.
 *
 * Peered objects are torn down without a shared lock by one rule: a
 * pointer to the peer that holds a reference is cleared under the lock of
 * the object that holds it, by whichever thread finds it set, and that
 * thread drops that reference. A channel's two ends close at the same time
 * safely (channel.c). A list whose entries hold references belongs to one
 * lock: a topic's subscriber list to the topic lock while the topic is
 * open; closing the topic takes the whole list under that lock, and a
 * subscriber closing meanwhile leaves it alone (topic.c). A mapped
 * channel's sides are guarded by the channel's lock (mapped.c).
 *
 * Lock order: table->lock, then obj->lock; one object lock at a time
 * (never two endpoints' locks together); mmap_lock, then a memory object's
 * map_lock. Spinlocks are never held across anything that sleeps.
 *
 * Waits sleep interruptibly and answer a signal with -ERESTARTSYS, so a
 * stop or freeze is transparent (see logos_wait_interrupted()).
 */
#ifndef _LOGOS_OBJECT_H
#define _LOGOS_OBJECT_H

#include <uapi/linux/logos.h>

#include <linux/ktime.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

struct logos_object;
struct logos_module;

struct logos_object_ops {
	enum logos_object_type type;
	/* Frees the object; its base is already torn down. */
	void (*free)(struct logos_object *obj);
	/*
	 * The last handle is gone (references may remain): close it. Caps it
	 * frees go through logos_cap_release(cap, @reap), never
	 * logos_cap_free(), so teardown stays iterative (see handle.c).
	 */
	void (*zero_handles)(struct logos_object *obj, struct list_head *reap);
	/* Handles were revoked; called where sleeping is allowed. */
	void (*revoked)(struct logos_object *obj);
};

struct logos_object {
	struct kref ref;
	const struct logos_object_ops *ops;
	u64 id;
	/* The module charged for it (a reference), NULL for a supervisor. */
	struct logos_module *owner;
	/* Protects the derivation tree of caps naming us, and type state. */
	spinlock_t lock;
	atomic_t signals;		/* LOGOS_SIGNAL_*, changed atomically */
	atomic_t handles;		/* caps naming us, in tables or in flight */
	wait_queue_head_t wait;
	struct list_head reap_node;	/* on a teardown list, see logos_reap() */
};

int logos_object_init(struct logos_object *obj, const struct logos_object_ops *ops,
		      struct logos_module *owner);
void logos_object_abort(struct logos_object *obj);

static inline struct logos_object *logos_object_get(struct logos_object *obj)
{
	kref_get(&obj->ref);
	return obj;
}

void logos_object_put(struct logos_object *obj);

static inline enum logos_object_type logos_object_type(const struct logos_object *obj)
{
	return obj->ops->type;
}

u32 logos_object_owner_id(const struct logos_object *obj);
void logos_object_signal(struct logos_object *obj, u32 clear, u32 set);
void logos_object_signal_sync(struct logos_object *obj, u32 clear, u32 set);
void logos_object_wake(struct logos_object *obj, bool sync);

static inline u32 logos_object_signals(struct logos_object *obj)
{
	return atomic_read(&obj->signals);
}

/* Converts a uapi timeout to an absolute deadline; false: never wait. */
bool logos_timeout_start(s64 timeout_ns, ktime_t *deadline);
int logos_object_wait(struct logos_object *obj, bool (*ready)(void *arg), void *arg,
		      s64 timeout_ns, ktime_t deadline);

/* Live counts, for the "nothing outlives the tests" check and netlink. */
s64 logos_objects_live(void);

#endif /* _LOGOS_OBJECT_H */
