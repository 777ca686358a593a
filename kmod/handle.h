/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capabilities: handle tables, rights and the derivation tree that makes
 * revocation reach every copy.
 */
#ifndef _LOGOS_HANDLE_H
#define _LOGOS_HANDLE_H

#include "object.h"

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct logos_grant;
struct logos_module;

/*
 * A capability: one object, some rights, a place in the derivation tree.
 * It has exactly one owner at a time (a table slot, or a message in
 * flight), which frees it. The tree links are protected by obj->lock.
 */
struct logos_cap {
	struct logos_object *obj;	/* a reference, until the cap is freed */
	u64 id;
	u32 rights;
	bool revoked;			/* written under obj->lock */
	bool mapping;			/* owned by a memory mapping, not a table */
	/*
	 * A mapping node: the id of the handle the mapping was made through
	 * (split children inherit it). Fixed when the node is linked, so it
	 * says whose mapping this is whatever is closed later; the tree
	 * position does not (closing a handle moves its children up).
	 */
	u64 through;
	struct logos_grant *grant;	/* memory caps that arrived in a message */
	struct logos_cap *parent;
	struct list_head children;
	struct list_head sibling;
};

struct logos_slot {
	struct logos_cap *cap;		/* NULL when free */
	u32 gen;			/* bumped on every free */
	u32 next_free;			/* index + 1 of the next free slot */
};

struct logos_handle_table {
	spinlock_t lock;		/* this table's slots; never global */
	struct logos_slot *slots;
	u32 nr_slots;
	u32 nr_used;
	u32 first_free;			/* index + 1, 0 when none */
	bool dead;			/* no more installs: the context is gone */
	struct logos_module *module;	/* charged for handles; NULL: supervisor */
};

int logos_handle_init(void);
void logos_handle_uninit(void);

void logos_table_init(struct logos_handle_table *table, struct logos_module *module);
void logos_table_release(struct logos_handle_table *table);

struct logos_cap *logos_cap_new_root(struct logos_object *obj, u32 rights);
int logos_cap_derive(struct logos_cap *parent, u32 rights, struct logos_cap **out);
int logos_cap_derive_mapping(struct logos_cap *parent, struct logos_cap **out);
int logos_handle_derive(struct logos_handle_table *table, u32 value, u32 need, u32 rights,
			bool mapping, struct logos_cap **out, u64 *parent_id);
void logos_cap_free(struct logos_cap *cap);
void logos_cap_release(struct logos_cap *cap, struct list_head *reap);
void logos_reap(struct list_head *reap);
unsigned int logos_cap_revoke_descendants(struct logos_cap *cap, bool *revoked_any);
bool logos_cap_revoke_own_mappings(struct logos_cap *cap);

int logos_table_install(struct logos_handle_table *table, struct logos_cap *cap, u32 *value);
int logos_table_install_root(struct logos_handle_table *table, struct logos_object *obj,
			     u32 rights, u32 *value);
struct logos_object *logos_handle_get(struct logos_handle_table *table, u32 value,
				      enum logos_object_type type, u32 rights);
struct logos_object *logos_handle_get_any(struct logos_handle_table *table, u32 value,
					  enum logos_object_type type, u32 any_rights);
u32 logos_handle_peek(struct logos_handle_table *table, u32 value, int *err);

/* Helpers for the LOGOS_IOC_HANDLE_* ioctls. */
int logos_handle_duplicate(struct logos_handle_table *table, u32 value, u32 rights,
			   u32 *new_value);
int logos_handle_replace(struct logos_handle_table *table, u32 value, u32 rights);
int logos_handle_close(struct logos_handle_table *table, u32 value);
int logos_handle_info(struct logos_handle_table *table, struct logos_handle_info *info);
int logos_handle_revoke(struct logos_handle_table *table, u32 value, u32 *count);
int logos_handle_give(struct logos_handle_table *from, u32 value, u32 rights,
		      struct logos_handle_table *to, bool move, u32 *new_value);

/* Moving handles in and out of messages. */
int logos_handle_take(struct logos_handle_table *table, struct logos_msg_handle *hs, u32 n,
		      struct logos_cap **caps, const struct logos_object *const *exclude,
		      enum logos_object_type only_type);
int logos_table_install_many(struct logos_handle_table *table, struct logos_cap **caps, u32 n,
			     u32 *values);

/* Dumps for netlink: calls @fn for each slot from *@pos on, under the lock. */
int logos_table_for_each(struct logos_handle_table *table, u32 *pos,
			 int (*fn)(void *arg, u32 value, const struct logos_cap *cap),
			 void *arg);

static inline bool logos_rights_subset(u32 rights, u32 of)
{
	return !(rights & ~of);
}

#define LOGOS_HANDLE_MAX_SLOTS	0xffffU	/* keeps 0xffffffff (SELF) invalid */

#endif /* _LOGOS_HANDLE_H */
