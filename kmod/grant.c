// SPDX-License-Identifier: GPL-2.0
/*
 * Grant accounting. A memory cap that arrives in a message points at the
 * record of its (sender, receiver) pair until it is freed or arrives
 * somewhere else, so the counts always describe who holds what now.
 */

#include "grant.h"
#include "handle.h"
#include "memory.h"
#include "module.h"

#include <linux/slab.h>

static void logos_grant_free(struct kref *ref)
{
	kfree(container_of(ref, struct logos_grant, ref));
}

void logos_grant_detach(struct logos_cap *cap)
{
	struct logos_grant *g = cap->grant;

	if (!g)
		return;
	cap->grant = NULL;
	atomic_dec(&g->handles);
	atomic64_sub(logos_memory_nr_pages(cap->obj), &g->pages);
	kref_put(&g->ref, logos_grant_free);
}

void logos_grant_attach(struct logos_cap *cap, u32 from, struct logos_module *to)
{
	struct logos_grant *g, *fresh;

	logos_grant_detach(cap);
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	spin_lock(&to->grants_lock);
	list_for_each_entry(g, &to->grants, node) {
		if (g->from == from)
			goto found;
	}
	g = fresh;
	fresh = NULL;
	if (g) {
		kref_init(&g->ref);
		g->from = from;
		list_add_tail(&g->node, &to->grants);
	}
found:
	if (g) {
		kref_get(&g->ref);
		atomic_inc(&g->handles);
		atomic64_add(logos_memory_nr_pages(cap->obj), &g->pages);
		cap->grant = g;
	}
	spin_unlock(&to->grants_lock);
	/* Out of memory: this grant goes uncounted, nothing else changes. */
	kfree(fresh);
}

/* The grantee is freed: its list lets go; caps still hold their records. */
void logos_grants_release(struct logos_module *m)
{
	struct logos_grant *g, *tmp;

	list_for_each_entry_safe(g, tmp, &m->grants, node) {
		list_del(&g->node);
		kref_put(&g->ref, logos_grant_free);
	}
}
