/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Modules: identity, lifecycle (FR-001) and the context a module process
 * works through.
 */
#ifndef _LOGOS_MODULE_H
#define _LOGOS_MODULE_H

#include "handle.h"
#include "object.h"
#include "quota.h"
#include "watch.h"

#include <linux/rcupdate.h>

struct pid;

/* What a logos file is bound to: a supervisor, or one module. */
struct logos_ctx {
	struct logos_handle_table *table;
	struct logos_module *module;	/* NULL for a supervisor */
	struct logos_watch_set watches;
	u64 serial;			/* unique, names the taker of a call */
	bool took_calls;		/* received a LOGOS_CALL_OWNERDEAD call */
};

struct logos_module {
	struct logos_object obj;
	u32 id;
	u32 trust_level;
	u32 flags;			/* LOGOS_MODULE_ALLOW_*, set at creation */
	char name[LOGOS_NAME_MAX];
	spinlock_t state_lock;		/* protects state and exit_flags */
	u32 state;
	u32 exit_flags;
	struct pid *pid;		/* bound process, set once */
	struct logos_quota quota;
	struct logos_handle_table table;
	struct logos_ctx ctx;
	spinlock_t grants_lock;		/* guards grants */
	struct list_head grants;	/* struct logos_grant, pages granted to us */
	struct rcu_head rcu;
};

int logos_module_init(void);
void logos_module_uninit(void);

static inline struct logos_module *logos_module_from_obj(struct logos_object *obj)
{
	return container_of(obj, struct logos_module, obj);
}

static inline void logos_module_get(struct logos_module *m)
{
	logos_object_get(&m->obj);
}

static inline void logos_module_put(struct logos_module *m)
{
	logos_object_put(&m->obj);
}

static inline u32 logos_module_id(const struct logos_module *m)
{
	return m->id;
}

static inline struct logos_quota *logos_module_quota(struct logos_module *m)
{
	return &m->quota;
}

struct logos_module *logos_module_find(u32 id);
struct logos_module *logos_module_next(unsigned long *index);
void logos_module_bind(struct logos_module *m);
void logos_module_fill_info(struct logos_module *m, struct logos_module_info *info,
			    bool init_ns);
int logos_module_set_quota(struct logos_module *m, u32 resource, u64 limit);
typedef int (*logos_grant_visit_t)(void *arg, u32 from, u32 handles, u64 pages);
int logos_module_visit_grants(struct logos_module *m, u32 *pos, logos_grant_visit_t fn,
			      void *arg);

struct logos_call;
long logos_ioctl_module_create(struct logos_call *call);
long logos_ioctl_module_set_state(struct logos_call *call);
long logos_ioctl_module_ready(struct logos_call *call);
long logos_ioctl_module_set_quota(struct logos_call *call);
long logos_ioctl_module_info(struct logos_call *call);
long logos_ioctl_handle_give(struct logos_call *call);

#endif /* _LOGOS_MODULE_H */
