/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The base of every kernel object a handle can name.
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
