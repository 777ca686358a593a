// SPDX-License-Identifier: GPL-2.0
/*
 * Handle tables and the capability derivation tree.
 *
 * A handle value is (generation << 17) | (slot << 1) | 1: odd, so never 0;
 * the slot index gives O(1) lookup; the 15-bit generation starts random
 * per slot and moves on every close, so a stale or guessed value misses.
 *
 * Locking: table->lock (one table, never global) nests outside obj->lock
 * (one object). A cap is only freed by its owner after leaving its table,
 * so holding table->lock keeps every cap in that table alive, and holding
 * obj->lock keeps the tree of caps naming obj stable.
 */

#include "handle.h"
#include "grant.h"
#include "module.h"
#include "netlink.h"
#include "quota.h"
#include "watch.h"

#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>

#define LOGOS_GEN_SHIFT		17
#define LOGOS_GEN_MASK		0x7fffU
#define LOGOS_IDX_MASK		0xffffU

static struct kmem_cache *logos_cap_cache;
static atomic64_t logos_next_cap_id = ATOMIC64_INIT(0);

int __init logos_handle_init(void)
{
	logos_cap_cache = KMEM_CACHE(logos_cap, 0);
	return logos_cap_cache ? 0 : -ENOMEM;
}

void logos_handle_uninit(void)
{
	kmem_cache_destroy(logos_cap_cache);
}

static u32 logos_handle_value(u32 idx, u32 gen)
{
	return ((gen & LOGOS_GEN_MASK) << LOGOS_GEN_SHIFT) | (idx << 1) | 1;
}

void logos_table_init(struct logos_handle_table *table, struct logos_module *module)
{
	spin_lock_init(&table->lock);
	table->slots = NULL;
	table->nr_slots = 0;
	table->nr_used = 0;
	table->first_free = 0;
	table->dead = false;
	table->module = module;
}

static struct logos_slot *logos_slot_lookup(struct logos_handle_table *table, u32 value)
{
	u32 idx = (value >> 1) & LOGOS_IDX_MASK;
	struct logos_slot *slot;

	lockdep_assert_held(&table->lock);
	if (!(value & 1) || idx >= table->nr_slots)
		return NULL;
	slot = &table->slots[idx];
	if (!slot->cap || (slot->gen & LOGOS_GEN_MASK) != value >> LOGOS_GEN_SHIFT)
		return NULL;
	return slot;
}

static struct logos_cap *logos_slot_clear(struct logos_handle_table *table,
					  struct logos_slot *slot)
{
	struct logos_cap *cap = slot->cap;

	lockdep_assert_held(&table->lock);
	slot->cap = NULL;
	slot->gen++;
	slot->next_free = table->first_free;
	table->first_free = slot - table->slots + 1;
	table->nr_used--;
	return cap;
}

static struct logos_cap *logos_cap_alloc(void)
{
	struct logos_cap *cap = kmem_cache_zalloc(logos_cap_cache, GFP_KERNEL);

	if (!cap)
		return NULL;
	cap->id = atomic64_inc_return(&logos_next_cap_id);
	INIT_LIST_HEAD(&cap->children);
	INIT_LIST_HEAD(&cap->sibling);
	return cap;
}

/* Takes over the caller's reference to @obj. */
struct logos_cap *logos_cap_new_root(struct logos_object *obj, u32 rights)
{
	struct logos_cap *cap = logos_cap_alloc();

	if (!cap)
		return NULL;
	cap->obj = obj;
	cap->rights = rights;
	atomic_inc(&obj->handles);
	return cap;
}

/*
 * Installs a new root handle for @obj, taking over the caller's reference;
 * on failure that reference is dropped.
 */
int logos_table_install_root(struct logos_handle_table *table, struct logos_object *obj,
			     u32 rights, u32 *value)
{
	struct logos_cap *cap = logos_cap_new_root(obj, rights);
	int ret;

	if (!cap) {
		logos_object_put(obj);
		return -ENOMEM;
	}
	ret = logos_table_install(table, cap, value);
	if (ret)
		logos_cap_free(cap);
	return ret;
}

/*
 * Links @child under @parent. @through: 0 for a handle; for a mapping node
 * the id of the handle the mapping is made through. Both kinds are set
 * before the node is visible, so a concurrent revoke never sees a mapping
 * node as a handle.
 */
static void logos_cap_link(struct logos_cap *child, struct logos_cap *parent, u32 rights,
			   u64 through)
{
	struct logos_object *obj = parent->obj;

	child->obj = logos_object_get(obj);
	child->rights = rights;
	child->mapping = through != 0;
	child->through = through;
	atomic_inc(&obj->handles);
	spin_lock(&obj->lock);
	child->parent = parent;
	/* Derived from a revoked cap: born revoked. */
	child->revoked = parent->revoked;
	list_add_tail(&child->sibling, &parent->children);
	spin_unlock(&obj->lock);
}

/* A new cap derived from @parent, which must be kept alive by the caller. */
int logos_cap_derive(struct logos_cap *parent, u32 rights, struct logos_cap **out)
{
	struct logos_cap *cap = logos_cap_alloc();

	if (!cap)
		return -ENOMEM;
	logos_cap_link(cap, parent, rights, 0);
	*out = cap;
	return 0;
}

/* A mapping node for a split of the mapping whose node is @parent. */
int logos_cap_derive_mapping(struct logos_cap *parent, struct logos_cap **out)
{
	struct logos_cap *cap = logos_cap_alloc();

	if (!cap)
		return -ENOMEM;
	logos_cap_link(cap, parent, parent->rights, parent->through);
	*out = cap;
	return 0;
}

/*
 * Frees @cap. Children survive their parent: they move up a level, so a
 * revoke of any ancestor still reaches them. If @cap was its object's
 * last handle, the object goes on @reap with the cap's reference, for
 * logos_reap() to close: closing an endpoint destroys its queue, whose
 * messages hold caps whose objects may close in turn, to any depth a
 * module cares to build. A list instead of recursion keeps that off the
 * kernel stack.
 */
void logos_cap_release(struct logos_cap *cap, struct list_head *reap)
{
	struct logos_object *obj = cap->obj;
	struct logos_cap *child, *tmp;

	logos_grant_detach(cap);
	spin_lock(&obj->lock);
	list_for_each_entry_safe(child, tmp, &cap->children, sibling) {
		child->parent = cap->parent;
		if (cap->parent)
			list_move_tail(&child->sibling, &cap->parent->children);
		else
			list_del_init(&child->sibling);
	}
	list_del_init(&cap->sibling);
	spin_unlock(&obj->lock);

	kmem_cache_free(logos_cap_cache, cap);
	if (atomic_dec_and_test(&obj->handles) && obj->ops->zero_handles) {
		/* An object's handles reach zero once: reap_node is free. */
		list_add_tail(&obj->reap_node, reap);
		return;
	}
	logos_object_put(obj);
}

/* Closes every object on @reap, and those their closing adds, in a loop. */
void logos_reap(struct list_head *reap)
{
	struct logos_object *obj;

	while ((obj = list_first_entry_or_null(reap, struct logos_object, reap_node))) {
		list_del_init(&obj->reap_node);
		obj->ops->zero_handles(obj, reap);
		logos_object_put(obj);
	}
}

void logos_cap_free(struct logos_cap *cap)
{
	LIST_HEAD(reap);

	logos_cap_release(cap, &reap);
	logos_reap(&reap);
}

/* Pre-order walk of the subtree under @root, @root excluded. */
static struct logos_cap *logos_cap_next(struct logos_cap *node, struct logos_cap *root)
{
	if (!list_empty(&node->children))
		return list_first_entry(&node->children, struct logos_cap, sibling);
	while (node != root) {
		struct logos_cap *parent = node->parent;

		if (!list_is_last(&node->sibling, &parent->children))
			return list_next_entry(node, sibling);
		node = parent;
	}
	return NULL;
}

/* Revokes the mappings made through @cap itself; true if there were any. */
bool logos_cap_revoke_own_mappings(struct logos_cap *cap)
{
	struct logos_object *obj = cap->obj;
	struct logos_cap *node;
	bool any = false;

	spin_lock(&obj->lock);
	for (node = logos_cap_next(cap, cap); node; node = logos_cap_next(node, cap)) {
		if (node->mapping && !node->revoked && node->through == cap->id) {
			WRITE_ONCE(node->revoked, true);
			any = true;
		}
	}
	spin_unlock(&obj->lock);
	return any;
}

unsigned int logos_cap_revoke_descendants(struct logos_cap *cap, bool *revoked_any)
{
	struct logos_object *obj = cap->obj;
	struct logos_cap *node;
	unsigned int count = 0;
	bool any = false;

	spin_lock(&obj->lock);
	for (node = logos_cap_next(cap, cap); node; node = logos_cap_next(node, cap)) {
		/*
		 * The revoker keeps the mappings made through its own handle
		 * (and their splits); every other one is revoked, whatever
		 * handle between them was closed since.
		 */
		if (node->mapping && node->through == cap->id)
			continue;
		if (!node->revoked) {
			WRITE_ONCE(node->revoked, true);
			any = true;
			/* Mappings are revoked too, but they are not handles. */
			if (!node->mapping)
				count++;
		}
	}
	spin_unlock(&obj->lock);
	/* Waiters on a revoked handle must learn it now, not at timeout. */
	if (any)
		__wake_up(&obj->wait, TASK_NORMAL, 0, LOGOS_WAKE_REVOKE);
	*revoked_any = any;
	return count;
}

static int logos_table_grow(struct logos_handle_table *table, struct logos_slot **old)
	__must_hold(&table->lock)
{
	u32 n = table->nr_slots, new_n, i;
	struct logos_slot *slots;

	if (n >= LOGOS_HANDLE_MAX_SLOTS)
		return -ENOSPC;
	new_n = min_t(u32, max_t(u32, 16, n * 2), LOGOS_HANDLE_MAX_SLOTS);

	spin_unlock(&table->lock);
	slots = kvcalloc(new_n, sizeof(*slots), GFP_KERNEL_ACCOUNT);
	spin_lock(&table->lock);
	if (!slots)
		return -ENOMEM;
	if (table->nr_slots != n || table->dead) {
		/* Someone else grew it (or it died) meanwhile: retry. */
		*old = slots;
		return 0;
	}
	if (n)
		memcpy(slots, table->slots, n * sizeof(*slots));
	for (i = n; i < new_n; i++) {
		slots[i].gen = get_random_u32();
		/* The new slots go before those still free. */
		slots[i].next_free = i + 1 < new_n ? i + 2 : table->first_free;
	}
	*old = table->slots;
	table->slots = slots;
	table->nr_slots = new_n;
	table->first_free = n + 1;
	return 0;
}

static void logos_uncharge_handle(struct logos_handle_table *table)
{
	if (table->module)
		logos_uncharge(table->module, LOGOS_RES_HANDLES, 1);
	logos_global_uncharge(LOGOS_GLOBAL_HANDLES);
}

static int logos_charge_handle(struct logos_handle_table *table)
{
	int ret = logos_global_charge(LOGOS_GLOBAL_HANDLES);

	if (ret || !table->module)
		return ret;
	ret = logos_charge(table->module, LOGOS_RES_HANDLES, 1);
	if (ret)
		logos_global_uncharge(LOGOS_GLOBAL_HANDLES);
	return ret;
}

/*
 * Installs @n caps into @table, all or none: the charges are taken first,
 * then every slot is filled under one hold of the table lock, so no other
 * thread can see (and close) one handle before the last is in. On success
 * the table owns the caps and the caller must not touch them any more: a
 * value is guessable, and another thread may close it at once. On
 * failure the caller still owns every cap.
 */
int logos_table_install_many(struct logos_handle_table *table, struct logos_cap **caps, u32 n,
			     u32 *values)
{
	struct logos_slot *slot, *old;
	u32 i, idx, charged;
	int ret = 0;

	for (charged = 0; charged < n; charged++) {
		ret = logos_charge_handle(table);
		if (ret)
			goto out_uncharge;
	}

	spin_lock(&table->lock);
	for (;;) {
		if (table->dead) {
			ret = -ESRCH;
			break;
		}
		if (table->nr_slots - table->nr_used >= n)
			break;
		old = NULL;
		ret = logos_table_grow(table, &old);
		if (ret)
			break;
		if (old) {
			spin_unlock(&table->lock);
			kvfree(old);
			spin_lock(&table->lock);
		}
	}
	for (i = 0; !ret && i < n; i++) {
		idx = table->first_free - 1;
		slot = &table->slots[idx];
		table->first_free = slot->next_free;
		slot->cap = caps[i];
		table->nr_used++;
		values[i] = logos_handle_value(idx, slot->gen);
	}
	spin_unlock(&table->lock);
	if (!ret)
		return 0;
out_uncharge:
	while (charged--)
		logos_uncharge_handle(table);
	return ret;
}

/* On success the table owns @cap (do not touch it); on failure the caller does. */
int logos_table_install(struct logos_handle_table *table, struct logos_cap *cap, u32 *value)
{
	return logos_table_install_many(table, &cap, 1, value);
}

/*
 * Looks @value up and checks it names a live cap; returns the cap (kept
 * alive by table->lock, which the caller holds) or an ERR_PTR.
 */
static struct logos_cap *logos_lookup_locked(struct logos_handle_table *table, u32 value)
{
	struct logos_slot *slot = logos_slot_lookup(table, value);

	if (!slot)
		return ERR_PTR(-EBADF);
	if (READ_ONCE(slot->cap->revoked))
		return ERR_PTR(-EKEYREVOKED);
	return slot->cap;
}

static void logos_rights_denied(struct logos_handle_table *table, u64 object_id, u32 missing)
{
	if (table->module)
		logos_count_rights_denial(table->module);
	logos_nl_event_denied(table->module, object_id, missing);
}

/*
 * The one door from a handle value to an object: a reference to the
 * object if @value names a live handle of @type (LOGOS_OBJ_NONE: any)
 * holding every right in @rights.
 */
struct logos_object *logos_handle_get(struct logos_handle_table *table, u32 value,
				      enum logos_object_type type, u32 rights)
{
	struct logos_object *obj;
	struct logos_cap *cap;
	u32 missing = 0;
	u64 object_id = 0;

	spin_lock(&table->lock);
	cap = logos_lookup_locked(table, value);
	if (IS_ERR(cap)) {
		obj = ERR_CAST(cap);
	} else if (type != LOGOS_OBJ_NONE && logos_object_type(cap->obj) != type) {
		obj = ERR_PTR(-EPROTOTYPE);
	} else if (!logos_rights_subset(rights, READ_ONCE(cap->rights))) {
		missing = rights & ~cap->rights;
		object_id = cap->obj->id;
		obj = ERR_PTR(-EPERM);
	} else {
		obj = logos_object_get(cap->obj);
	}
	spin_unlock(&table->lock);

	if (missing)
		logos_rights_denied(table, object_id, missing);
	return obj;
}

/* Like logos_handle_get(), but any one of @any_rights is enough. */
struct logos_object *logos_handle_get_any(struct logos_handle_table *table, u32 value,
					  enum logos_object_type type, u32 any_rights)
{
	struct logos_object *obj;
	struct logos_cap *cap;
	u64 object_id = 0;
	u32 missing = 0;

	spin_lock(&table->lock);
	cap = logos_lookup_locked(table, value);
	if (IS_ERR(cap)) {
		obj = ERR_CAST(cap);
	} else if (logos_object_type(cap->obj) != type) {
		obj = ERR_PTR(-EPROTOTYPE);
	} else if (!(READ_ONCE(cap->rights) & any_rights)) {
		missing = any_rights;
		object_id = cap->obj->id;
		obj = ERR_PTR(-EPERM);
	} else {
		obj = logos_object_get(cap->obj);
	}
	spin_unlock(&table->lock);

	if (missing)
		logos_rights_denied(table, object_id, missing);
	return obj;
}

/* The signals a waiter on @value sees: the object's, or REVOKED. */
u32 logos_handle_peek(struct logos_handle_table *table, u32 value, int *err)
{
	struct logos_slot *slot;
	u32 signals = 0;

	spin_lock(&table->lock);
	slot = logos_slot_lookup(table, value);
	if (!slot)
		*err = -EBADF;
	else if (READ_ONCE(slot->cap->revoked))
		signals = LOGOS_SIGNAL_REVOKED;
	else
		signals = logos_object_signals(slot->cap->obj);
	spin_unlock(&table->lock);
	return signals;
}

/* Rights for a derived cap: a subset of @have (or all of it), or an error. */
static int logos_derived_rights(u32 want, u32 have, u32 *out)
{
	if (want == LOGOS_RIGHTS_SAME) {
		*out = have;
		return 0;
	}
	if (want & ~LOGOS_RIGHTS_ALL)
		return -EINVAL;
	if (!logos_rights_subset(want, have))
		return -EPERM;
	*out = want;
	return 0;
}

/*
 * Derives a child of the cap at @value, which needs @need, with @rights;
 * the child is not in any table yet.
 */
int logos_handle_derive(struct logos_handle_table *table, u32 value, u32 need, u32 rights,
			bool mapping, struct logos_cap **out, u64 *parent_id)
{
	struct logos_cap *cap, *child = logos_cap_alloc();
	u64 object_id = 0;
	u32 missing = 0;
	int ret = 0;

	if (!child)
		return -ENOMEM;
	spin_lock(&table->lock);
	cap = logos_lookup_locked(table, value);
	if (IS_ERR(cap)) {
		ret = PTR_ERR(cap);
	} else if ((cap->rights & need) != need) {
		missing = need & ~cap->rights;
		object_id = cap->obj->id;
		ret = -EPERM;
	} else {
		ret = logos_derived_rights(rights, cap->rights, &rights);
		if (!ret) {
			logos_cap_link(child, cap, rights, mapping ? cap->id : 0);
			*parent_id = cap->id;
		} else if (ret == -EPERM) {
			/* An attempt to gain rights: a denial like any other. */
			missing = rights & ~cap->rights;
			object_id = cap->obj->id;
		}
	}
	spin_unlock(&table->lock);

	if (missing)
		logos_rights_denied(table, object_id, missing);
	if (ret) {
		kmem_cache_free(logos_cap_cache, child);
		return ret;
	}
	*out = child;
	return 0;
}

int logos_handle_duplicate(struct logos_handle_table *table, u32 value, u32 rights,
			   u32 *new_value)
{
	struct logos_cap *child;
	u64 parent_id;
	int ret;

	ret = logos_handle_derive(table, value, LOGOS_RIGHT_DUPLICATE, rights, false, &child,
				  &parent_id);
	if (ret)
		return ret;
	ret = logos_table_install(table, child, new_value);
	if (ret)
		logos_cap_free(child);
	return ret;
}

int logos_handle_replace(struct logos_handle_table *table, u32 value, u32 rights)
{
	struct logos_cap *cap;
	u64 object_id = 0;
	u32 missing = 0;
	int ret;

	spin_lock(&table->lock);
	cap = logos_lookup_locked(table, value);
	if (IS_ERR(cap)) {
		ret = PTR_ERR(cap);
	} else {
		ret = logos_derived_rights(rights, cap->rights, &rights);
		if (!ret) {
			WRITE_ONCE(cap->rights, rights);
		} else if (ret == -EPERM) {
			missing = rights & ~cap->rights;
			object_id = cap->obj->id;
		}
	}
	spin_unlock(&table->lock);

	if (missing)
		logos_rights_denied(table, object_id, missing);
	return ret;
}

/* Removes @value if it still names the cap with @cap_id (0: any). */
static int logos_handle_remove(struct logos_handle_table *table, u32 value, u64 cap_id)
{
	struct logos_slot *slot;
	struct logos_cap *cap = NULL;

	spin_lock(&table->lock);
	slot = logos_slot_lookup(table, value);
	if (slot && (!cap_id || slot->cap->id == cap_id))
		cap = logos_slot_clear(table, slot);
	spin_unlock(&table->lock);

	if (!cap)
		return -EBADF;
	logos_uncharge_handle(table);
	logos_cap_free(cap);
	return 0;
}

int logos_handle_close(struct logos_handle_table *table, u32 value)
{
	return logos_handle_remove(table, value, 0);
}

int logos_handle_info(struct logos_handle_table *table, struct logos_handle_info *info)
{
	struct logos_object *obj;
	struct logos_cap *cap;
	int ret = 0;

	spin_lock(&table->lock);
	cap = logos_lookup_locked(table, info->handle);
	if (IS_ERR(cap)) {
		ret = PTR_ERR(cap);
	} else {
		obj = cap->obj;
		info->type = logos_object_type(obj);
		info->rights = cap->rights;
		info->object_id = obj->id;
		info->cap_id = cap->id;
		info->owner_module = logos_object_owner_id(obj);
		spin_lock(&obj->lock);
		info->parent_cap_id = cap->parent ? cap->parent->id : 0;
		spin_unlock(&obj->lock);
	}
	spin_unlock(&table->lock);
	return ret;
}

int logos_handle_revoke(struct logos_handle_table *table, u32 value, u32 *count)
{
	struct logos_object *obj = NULL;
	struct logos_cap *cap;
	u64 object_id = 0;
	u32 missing = 0;
	bool any = false;
	int ret = 0;

	spin_lock(&table->lock);
	cap = logos_lookup_locked(table, value);
	if (IS_ERR(cap)) {
		ret = PTR_ERR(cap);
	} else {
		object_id = cap->obj->id;
		if (cap->rights & LOGOS_RIGHT_REVOKE) {
			*count = logos_cap_revoke_descendants(cap, &any);
			obj = logos_object_get(cap->obj);
		} else {
			missing = LOGOS_RIGHT_REVOKE;
			ret = -EPERM;
		}
	}
	spin_unlock(&table->lock);

	if (missing)
		logos_rights_denied(table, object_id, missing);
	if (!obj)
		return ret;
	/* Type-specific teardown (unmapping) may sleep: outside the lock. */
	if (any && obj->ops->revoked)
		obj->ops->revoked(obj);
	logos_object_put(obj);
	logos_nl_event_revoke(table->module, object_id, *count);
	return 0;
}

int logos_handle_give(struct logos_handle_table *from, u32 value, u32 rights,
		      struct logos_handle_table *to, bool move, u32 *new_value)
{
	struct logos_cap *child;
	u64 parent_id;
	int ret;

	ret = logos_handle_derive(from, value, LOGOS_RIGHT_TRANSFER, rights, false, &child,
				  &parent_id);
	if (ret)
		return ret;
	ret = logos_table_install(to, child, new_value);
	if (ret) {
		logos_cap_free(child);
		return ret;
	}
	/* The source may have been closed meanwhile; then there is no move. */
	if (move)
		logos_handle_remove(from, value, parent_id);
	return 0;
}

void logos_table_release(struct logos_handle_table *table)
{
	struct logos_slot *slots;
	u32 i, n;

	spin_lock(&table->lock);
	table->dead = true;
	slots = table->slots;
	n = table->nr_slots;
	table->slots = NULL;
	table->nr_slots = 0;
	table->nr_used = 0;
	table->first_free = 0;
	spin_unlock(&table->lock);

	for (i = 0; i < n; i++) {
		if (!slots[i].cap)
			continue;
		logos_uncharge_handle(table);
		logos_cap_free(slots[i].cap);
	}
	kvfree(slots);
}

int logos_table_for_each(struct logos_handle_table *table, u32 *pos,
			 int (*fn)(void *arg, u32 value, const struct logos_cap *cap),
			 void *arg)
{
	int ret = 0;

	spin_lock(&table->lock);
	for (; *pos < table->nr_slots; (*pos)++) {
		struct logos_slot *slot = &table->slots[*pos];

		if (!slot->cap)
			continue;
		ret = fn(arg, logos_handle_value(*pos, slot->gen), slot->cap);
		if (ret)
			break;
	}
	spin_unlock(&table->lock);
	return ret;
}

/*
 * Takes @n handles out of @table for a message, all or none: every handle
 * is checked before any leaves. Moved caps leave their slot (their place in
 * the derivation tree goes with them); the others get a derived child.
 * A handle naming either object of @exclude (the channel being sent on)
 * is refused.
 */
int logos_handle_take(struct logos_handle_table *table, struct logos_msg_handle *hs, u32 n,
		      struct logos_cap **caps, const struct logos_object *const *exclude,
		      enum logos_object_type only_type)
{
	u32 i, j, moved = 0, missing = 0;
	u64 object_id = 0;
	int ret = 0;

	for (i = 0; i < n; i++) {
		/* caps[0..i-1] may be allocated already: unwind, never return. */
		ret = -EINVAL;
		if ((hs[i].flags & ~LOGOS_MSG_HANDLE_MOVE) || hs[i].type)
			goto err_free;
		if (hs[i].rights != LOGOS_RIGHTS_SAME && (hs[i].rights & ~LOGOS_RIGHTS_ALL))
			goto err_free;
		for (j = 0; j < i; j++) {
			/* Moving a handle twice, or moving one also copied, is ambiguous. */
			if (hs[j].handle == hs[i].handle &&
			    ((hs[i].flags | hs[j].flags) & LOGOS_MSG_HANDLE_MOVE))
				goto err_free;
		}
		ret = 0;
		caps[i] = NULL;
		if (!(hs[i].flags & LOGOS_MSG_HANDLE_MOVE)) {
			caps[i] = logos_cap_alloc();
			if (!caps[i]) {
				ret = -ENOMEM;
				goto err_free;
			}
		}
	}

	spin_lock(&table->lock);
	for (i = 0; i < n; i++) {
		struct logos_cap *cap = logos_lookup_locked(table, hs[i].handle);
		u32 rights = 0;

		if (IS_ERR(cap)) {
			ret = PTR_ERR(cap);
			break;
		}
		/* A channel's own endpoints never travel through it: no cycles. */
		if (exclude && (cap->obj == exclude[0] || cap->obj == exclude[1])) {
			ret = -EINVAL;
			break;
		}
		if (only_type && logos_object_type(cap->obj) != only_type) {
			ret = -EPROTOTYPE;
			break;
		}
		if (!(cap->rights & LOGOS_RIGHT_TRANSFER)) {
			missing = LOGOS_RIGHT_TRANSFER;
			object_id = cap->obj->id;
			ret = -EPERM;
			break;
		}
		ret = logos_derived_rights(hs[i].rights, cap->rights, &rights);
		if (ret == -EPERM) {
			missing = hs[i].rights & ~cap->rights;
			object_id = cap->obj->id;
		}
		if (ret)
			break;
	}
	if (!ret) {
		for (i = 0; i < n; i++) {
			struct logos_slot *slot = logos_slot_lookup(table, hs[i].handle);
			u32 rights = hs[i].rights == LOGOS_RIGHTS_SAME ?
				     slot->cap->rights : hs[i].rights;

			if (hs[i].flags & LOGOS_MSG_HANDLE_MOVE) {
				caps[i] = logos_slot_clear(table, slot);
				WRITE_ONCE(caps[i]->rights, rights);
				moved++;
			} else {
				logos_cap_link(caps[i], slot->cap, rights, 0);
			}
		}
	}
	spin_unlock(&table->lock);

	if (!ret) {
		while (moved--)
			logos_uncharge_handle(table);
		/* A moved memory handle takes the sender's access with it. */
		for (i = 0; i < n; i++) {
			struct logos_object *obj = caps[i]->obj;

			if ((hs[i].flags & LOGOS_MSG_HANDLE_MOVE) &&
			    logos_cap_revoke_own_mappings(caps[i]) && obj->ops->revoked)
				obj->ops->revoked(obj);
		}
		return 0;
	}
	if (missing)
		logos_rights_denied(table, object_id, missing);
	i = n;
err_free:
	while (i--) {
		if (caps[i])
			kmem_cache_free(logos_cap_cache, caps[i]);
	}
	return ret;
}
