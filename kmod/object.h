/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The base of every kernel object a handle can name.
 */
#ifndef _LOGOS_OBJECT_H
#define _LOGOS_OBJECT_H

#include <uapi/linux/logos.h>

#include <linux/kref.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

struct logos_object;
struct logos_module;

struct logos_object_ops {
	enum logos_object_type type;
	/* Frees the object; its base is already torn down. */
	void (*free)(struct logos_object *obj);
};

struct logos_object {
	struct kref ref;
	const struct logos_object_ops *ops;
	u64 id;
	/* The module charged for it (a reference), NULL for a supervisor. */
	struct logos_module *owner;
	/* Protects @signals and the derivation tree of caps naming us. */
	spinlock_t lock;
	u32 signals;
	wait_queue_head_t wait;
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
u32 logos_object_signals(struct logos_object *obj);

/* Live counts, for the "nothing outlives the tests" check and netlink. */
s64 logos_objects_live(void);

#endif /* _LOGOS_OBJECT_H */
