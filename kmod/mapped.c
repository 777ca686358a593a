// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped channels: two single-producer/single-consumer rings in memory
 * that exactly two endpoints share. The kernel is not on the data path: it
 * sets the memory up, owns the geometry and the status (in a control page
 * the modules can only read), rings doorbells, and ends the channel for
 * the survivor when the other side closes or is revoked.
 *
 * Each side has an endpoint (what travels between modules, and what a
 * revoke reaches) and, once a module called MAP, an attachment: the
 * handle that module keeps for doorbells. A side lives as long as its
 * attachment, so the creator can keep a revocable root of the peer's
 * endpoint without keeping the peer's side alive.
 *
 * Locking: ch->lock (a spinlock) guards ep[], att[] and status; ch->map_lock (a
 * mutex) orders LOGOS_IOC_MAPPED_MAP's derivations against the revocation
 * of a side's memory caps, so no cap derived for an ended side escapes
 * the revoke. Neither is held while taking an object's lock.
 */

#include "mapped.h"
#include "handle.h"
#include "ioctl.h"
#include "memory.h"
#include "module.h"

#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#define LOGOS_MAPPED_RIGHTS (LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER | \
			     LOGOS_RIGHT_DUPLICATE | LOGOS_RIGHT_REVOKE)
#define LOGOS_MAPPED_RING_RIGHTS (LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_MAP_WRITE)
#define LOGOS_MAPPED_CTL_RIGHTS (LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ)

struct logos_mapped_ep;

struct logos_mapped_chan {
	struct kref ref;		/* one per endpoint */
	spinlock_t lock;		/* guards ep[] and status */
	struct mutex map_lock;		/* MAP's derivations vs. a side's revoke */
	struct logos_mapped_ep *ep[2];	/* NULL once that side's handles are gone */
	struct logos_mapped_ep *att[2];	/* the attachments, NULL until MAP / after */
	bool attached[2];		/* MAP succeeded once for the side */
	u32 status;			/* LOGOS_MAPPED_CLOSED() | _REVOKED() */
	u32 slot_size;
	u32 nr_slots;
	u64 ring_size;
	/* Kernel-held roots: what MAP derives each side's handles from. */
	struct logos_cap *ring_root[2];
	struct logos_cap *ctl_root[2];
	struct page *ctl_page;
};

struct logos_mapped_ep {
	struct logos_object obj;
	struct logos_mapped_chan *ch;	/* a reference */
	u32 side;
	bool attachment;		/* an attachment, not an endpoint */
	bool installed;			/* attachment: its handle reached the table */
};

static inline struct logos_mapped_ep *logos_mapped_from_obj(struct logos_object *obj)
{
	return container_of(obj, struct logos_mapped_ep, obj);
}

static bool logos_mapped_allowed(struct logos_ctx *ctx)
{
	return !ctx->module || (ctx->module->flags & LOGOS_MODULE_ALLOW_MAPPED);
}

static void logos_mapped_chan_release(struct kref *ref)
{
	struct logos_mapped_chan *ch = container_of(ref, struct logos_mapped_chan, ref);
	int i;

	for (i = 0; i < 2; i++) {
		if (ch->ring_root[i])
			logos_cap_free(ch->ring_root[i]);
		if (ch->ctl_root[i])
			logos_cap_free(ch->ctl_root[i]);
	}
	kfree(ch);
}

static void logos_mapped_chan_put(struct logos_mapped_chan *ch)
{
	kref_put(&ch->ref, logos_mapped_chan_release);
}

/* Two roots per memory object, one per side; takes over @obj's reference. */
static int logos_mapped_roots(struct logos_object *obj, u32 rights, struct logos_cap **roots)
{
	roots[0] = logos_cap_new_root(obj, rights);
	if (!roots[0]) {
		logos_object_put(obj);
		return -ENOMEM;
	}
	roots[1] = logos_cap_new_root(logos_object_get(obj), rights);
	if (!roots[1]) {
		logos_object_put(obj);
		return -ENOMEM;
	}
	return 0;
}

static void logos_mapped_write_status(struct logos_mapped_chan *ch)
{
	struct logos_mapped_ctl *ctl;

	lockdep_assert_held(&ch->lock);
	ctl = kmap_local_page(ch->ctl_page);
	WRITE_ONCE(ctl->status, ch->status);
	kunmap_local(ctl);
}

static struct logos_mapped_chan *logos_mapped_chan_new(struct logos_module *owner, u32 slot_size,
						       u32 nr_slots)
{
	u64 ring_bytes = PAGE_ALIGN(LOGOS_MAPPED_RING_HDR + (u64)slot_size * nr_slots);
	struct logos_mapped_chan *ch;
	struct logos_mapped_ctl *ctl;
	struct logos_object *obj;
	int ret;

	if (2 * ring_bytes > (u64)LOGOS_MEM_MAX_PAGES << PAGE_SHIFT)
		return ERR_PTR(-EINVAL);
	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	kref_init(&ch->ref);
	spin_lock_init(&ch->lock);
	mutex_init(&ch->map_lock);
	ch->slot_size = slot_size;
	ch->nr_slots = nr_slots;
	ch->ring_size = 2 * ring_bytes;

	obj = logos_memory_new(owner, ch->ring_size >> PAGE_SHIFT);
	ret = PTR_ERR_OR_ZERO(obj);
	if (!ret)
		ret = logos_mapped_roots(obj, LOGOS_MAPPED_RING_RIGHTS, ch->ring_root);
	if (ret)
		goto err;
	obj = logos_memory_new(owner, 1);
	ret = PTR_ERR_OR_ZERO(obj);
	if (!ret)
		ret = logos_mapped_roots(obj, LOGOS_MAPPED_CTL_RIGHTS, ch->ctl_root);
	if (ret)
		goto err;

	ch->ctl_page = logos_memory_page(ch->ctl_root[0]->obj, 0);
	ctl = kmap_local_page(ch->ctl_page);
	ctl->magic = LOGOS_MAPPED_CTL_MAGIC;
	ctl->slot_size = slot_size;
	ctl->nr_slots = nr_slots;
	ctl->ring_offset[0] = 0;
	ctl->ring_offset[1] = ring_bytes;
	ctl->ring_size = ch->ring_size;
	kunmap_local(ctl);
	return ch;

err:
	logos_mapped_chan_put(ch);
	return ERR_PTR(ret);
}

/* Revokes what MAP gave @side: its handles, and unmaps its mappings. */
static void logos_mapped_revoke_side(struct logos_mapped_chan *ch, u32 side)
{
	struct logos_cap *roots[2] = { ch->ring_root[side], ch->ctl_root[side] };
	bool any;
	int i;

	mutex_lock(&ch->map_lock);
	for (i = 0; i < 2; i++) {
		logos_cap_revoke_descendants(roots[i], &any);
		if (any && roots[i]->obj->ops->revoked)
			roots[i]->obj->ops->revoked(roots[i]->obj);
	}
	mutex_unlock(&ch->map_lock);
}

/* A reference to @ch's attachment of @side, if it has one. */
static struct logos_mapped_ep *logos_mapped_att_get(struct logos_mapped_chan *ch, u32 side)
{
	struct logos_mapped_ep *att = ch->att[side];

	lockdep_assert_held(&ch->lock);
	/* One on its way to being freed has no waiter left to wake. */
	if (att && !kref_get_unless_zero(&att->obj.ref))
		att = NULL;
	return att;
}

/*
 * The channel ends for @side (@why: CLOSED or REVOKED of it): the status
 * tells both sides why, the side loses its memory, and both attachments
 * are woken with PEER_CLOSED.
 */
static void logos_mapped_end(struct logos_mapped_chan *ch, u32 side, u32 why)
{
	struct logos_mapped_ep *att[2];
	bool first;
	int i;

	spin_lock(&ch->lock);
	first = !(ch->status & (LOGOS_MAPPED_CLOSED(side) | LOGOS_MAPPED_REVOKED(side)));
	ch->status |= why;
	logos_mapped_write_status(ch);
	att[0] = logos_mapped_att_get(ch, 0);
	att[1] = logos_mapped_att_get(ch, 1);
	spin_unlock(&ch->lock);

	if (first)
		logos_mapped_revoke_side(ch, side);
	for (i = 0; i < 2; i++) {
		if (!att[i])
			continue;
		logos_object_signal(&att[i]->obj, 0, LOGOS_SIGNAL_PEER_CLOSED);
		logos_object_put(&att[i]->obj);
	}
}

static void logos_mapped_zero_handles(struct logos_object *obj, struct list_head *reap)
{
	struct logos_mapped_ep *ep = logos_mapped_from_obj(obj);
	struct logos_mapped_chan *ch = ep->ch;
	bool end;

	spin_lock(&ch->lock);
	if (ep->attachment) {
		/* Never installed (MAP failed late): the side stays free. */
		end = READ_ONCE(ep->installed);
		if (ch->att[ep->side] == ep)
			ch->att[ep->side] = NULL;
		if (!end)
			ch->attached[ep->side] = false;
	} else {
		/* An attached side lives on without its endpoint. */
		end = !ch->attached[ep->side];
		ch->ep[ep->side] = NULL;
	}
	spin_unlock(&ch->lock);
	if (end)
		logos_mapped_end(ch, ep->side, LOGOS_MAPPED_CLOSED(ep->side));
}

/* Any revocation of an endpoint's handles ends the channel. */
static void logos_mapped_revoked(struct logos_object *obj)
{
	struct logos_mapped_ep *ep = logos_mapped_from_obj(obj);

	if (!ep->attachment)
		logos_mapped_end(ep->ch, ep->side, LOGOS_MAPPED_REVOKED(ep->side));
}

static void logos_mapped_free(struct logos_object *obj)
{
	struct logos_mapped_ep *ep = logos_mapped_from_obj(obj);
	struct logos_mapped_chan *ch = ep->ch;

	/* One that never had a handle never passed zero_handles. */
	spin_lock(&ch->lock);
	if (ch->ep[ep->side] == ep)
		ch->ep[ep->side] = NULL;
	if (ch->att[ep->side] == ep) {
		ch->att[ep->side] = NULL;
		ch->attached[ep->side] = false;
	}
	spin_unlock(&ch->lock);
	logos_mapped_chan_put(ch);
	kfree(ep);
}

static const struct logos_object_ops logos_mapped_ops = {
	.type = LOGOS_OBJ_MAPPED,
	.free = logos_mapped_free,
	.zero_handles = logos_mapped_zero_handles,
	.revoked = logos_mapped_revoked,
};

static struct logos_mapped_ep *logos_mapped_ep_new(struct logos_ctx *ctx,
						   struct logos_mapped_chan *ch, u32 side,
						   bool attachment)
{
	struct logos_mapped_ep *ep;
	int ret;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL_ACCOUNT);
	if (!ep)
		return ERR_PTR(-ENOMEM);
	ret = logos_object_init(&ep->obj, &logos_mapped_ops, ctx->module);
	if (ret) {
		kfree(ep);
		return ERR_PTR(ret);
	}
	kref_get(&ch->ref);
	ep->ch = ch;
	ep->side = side;
	ep->attachment = attachment;
	if (!attachment) {
		spin_lock(&ch->lock);
		ch->ep[side] = ep;
		spin_unlock(&ch->lock);
	}
	return ep;
}

static bool logos_mapped_geometry_ok(u32 slot_size, u32 nr_slots)
{
	return is_power_of_2(slot_size) && slot_size >= LOGOS_MAPPED_MIN_SLOT &&
	       slot_size <= LOGOS_MAPPED_MAX_SLOT && is_power_of_2(nr_slots) &&
	       nr_slots >= 2 && nr_slots <= LOGOS_MAPPED_MAX_SLOTS;
}

long logos_ioctl_mapped_create(struct logos_call *call)
{
	struct logos_mapped_create *arg = call->arg;
	u32 slot_size = arg->slot_size ?: LOGOS_MAPPED_DEFAULT_SLOT;
	u32 nr_slots = arg->nr_slots ?: LOGOS_MAPPED_DEFAULT_SLOTS;
	struct logos_ctx *ctx = call->ctx;
	struct logos_mapped_ep *ep0, *ep1;
	struct logos_mapped_chan *ch;
	struct logos_cap *caps[2];
	u32 values[2];
	int ret;

	if (arg->flags || arg->reserved)
		return -EINVAL;
	if (!logos_mapped_allowed(ctx))
		return -EPERM;
	if (!logos_mapped_geometry_ok(slot_size, nr_slots))
		return -EINVAL;
	ch = logos_mapped_chan_new(ctx->module, slot_size, nr_slots);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	ep0 = logos_mapped_ep_new(ctx, ch, 0, false);
	if (IS_ERR(ep0)) {
		logos_mapped_chan_put(ch);
		return PTR_ERR(ep0);
	}
	ep1 = logos_mapped_ep_new(ctx, ch, 1, false);
	/* The endpoints hold the channel from here. */
	logos_mapped_chan_put(ch);
	if (IS_ERR(ep1)) {
		logos_object_put(&ep0->obj);
		return PTR_ERR(ep1);
	}

	/* Both handles appear at once; the caps take over the references. */
	ret = -ENOMEM;
	caps[0] = logos_cap_new_root(&ep0->obj, LOGOS_MAPPED_RIGHTS);
	if (!caps[0])
		goto err_ep0;
	caps[1] = logos_cap_new_root(&ep1->obj, LOGOS_MAPPED_RIGHTS);
	if (!caps[1])
		goto err_cap0;
	ret = logos_table_install_many(ctx->table, caps, 2, values);
	if (ret)
		goto err_cap1;
	arg->handle0 = values[0];
	arg->handle1 = values[1];
	return 0;

err_cap1:
	logos_cap_free(caps[1]);
	logos_cap_free(caps[0]);
	return ret;
err_cap0:
	logos_cap_free(caps[0]);
	logos_object_put(&ep1->obj);
	return ret;
err_ep0:
	logos_object_put(&ep0->obj);
	logos_object_put(&ep1->obj);
	return ret;
}

static struct logos_mapped_ep *logos_mapped_get(struct logos_call *call, u32 handle, u32 rights,
						bool attachment)
{
	struct logos_mapped_ep *ep;
	struct logos_object *obj;

	obj = logos_handle_get(call->ctx->table, handle, LOGOS_OBJ_MAPPED, rights);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	ep = logos_mapped_from_obj(obj);
	if (ep->attachment != attachment) {
		logos_object_put(obj);
		return ERR_PTR(-EPROTOTYPE);
	}
	return ep;
}

/* Under map_lock: the side is free and open; makes its attachment and caps. */
static int logos_mapped_attach(struct logos_ctx *ctx, struct logos_mapped_ep *ep,
			       struct logos_mapped_ep **att, struct logos_cap **ring,
			       struct logos_cap **ctl)
{
	struct logos_mapped_chan *ch = ep->ch;
	int ret;

	lockdep_assert_held(&ch->map_lock);
	spin_lock(&ch->lock);
	ret = ch->status ? -EPIPE : ch->attached[ep->side] ? -EBUSY : 0;
	spin_unlock(&ch->lock);
	if (ret)
		return ret;
	*att = logos_mapped_ep_new(ctx, ch, ep->side, true);
	if (IS_ERR(*att))
		return PTR_ERR(*att);
	ret = logos_cap_derive(ch->ring_root[ep->side], LOGOS_MAPPED_RING_RIGHTS, ring);
	if (ret)
		goto err_att;
	ret = logos_cap_derive(ch->ctl_root[ep->side], LOGOS_MAPPED_CTL_RIGHTS, ctl);
	if (ret)
		goto err_ring;
	spin_lock(&ch->lock);
	ch->att[ep->side] = *att;
	ch->attached[ep->side] = true;
	spin_unlock(&ch->lock);
	return 0;

err_ring:
	logos_cap_free(*ring);
err_att:
	logos_object_put(&(*att)->obj);
	return ret;
}

long logos_ioctl_mapped_map(struct logos_call *call)
{
	struct logos_mapped_map *arg = call->arg;
	struct logos_handle_table *table = call->ctx->table;
	struct logos_mapped_ep *ep, *att;
	struct logos_cap *caps[3];	/* ring, ctl, attachment */
	struct logos_mapped_chan *ch;
	u32 handle = arg->handle, values[3];
	int ret;

	if (arg->flags)
		return -EINVAL;
	if (!logos_mapped_allowed(call->ctx))
		return -EPERM;
	ep = logos_mapped_get(call, handle, LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE, false);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	ch = ep->ch;

	mutex_lock(&ch->map_lock);
	ret = logos_mapped_attach(call->ctx, ep, &att, &caps[0], &caps[1]);
	mutex_unlock(&ch->map_lock);
	if (ret)
		goto out;

	/* The attachment's cap takes over its reference. */
	caps[2] = logos_cap_new_root(&att->obj, LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE);
	if (!caps[2]) {
		ret = -ENOMEM;
		logos_cap_free(caps[1]);
		logos_cap_free(caps[0]);
		/* Never installed: its release frees the side for another MAP. */
		logos_object_put(&att->obj);
		goto out;
	}
	/*
	 * All three handles appear at once, and nothing of them is touched
	 * after: once in the table, another thread may close them. So
	 * @installed is set first, and cleared again if the install fails,
	 * while no handle exists.
	 */
	WRITE_ONCE(att->installed, true);
	ret = logos_table_install_many(table, caps, 3, values);
	if (ret) {
		WRITE_ONCE(att->installed, false);
		logos_cap_free(caps[2]);
		logos_cap_free(caps[1]);
		logos_cap_free(caps[0]);
		goto out;
	}

	memset(arg, 0, sizeof(*arg));
	arg->handle = handle;
	arg->ring_handle = values[0];
	arg->ctl_handle = values[1];
	arg->attach_handle = values[2];
	arg->side = ep->side;
	arg->slot_size = ch->slot_size;
	arg->nr_slots = ch->nr_slots;
	arg->ring_size = ch->ring_size;
	arg->ring_mmap_offset = (u64)values[0] << PAGE_SHIFT;
	arg->ctl_mmap_offset = (u64)values[1] << PAGE_SHIFT;
out:
	logos_object_put(&ep->obj);
	return ret;
}

long logos_ioctl_mapped_notify(struct logos_call *call)
{
	struct logos_mapped_notify *arg = call->arg;
	struct logos_mapped_ep *ep, *peer;
	struct logos_mapped_chan *ch;
	u32 ended;

	if (arg->flags)
		return -EINVAL;
	ep = logos_mapped_get(call, arg->handle, LOGOS_RIGHT_WRITE, true);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	ch = ep->ch;
	spin_lock(&ch->lock);
	ended = ch->status;
	peer = ended ? NULL : logos_mapped_att_get(ch, !ep->side);
	spin_unlock(&ch->lock);
	logos_object_put(&ep->obj);
	if (ended)
		return -EPIPE;
	/* Not attached yet: it looks at the ring before it ever sleeps. */
	if (!peer)
		return 0;
	logos_object_signal(&peer->obj, 0, LOGOS_SIGNAL_DOORBELL);
	logos_object_put(&peer->obj);
	return 0;
}

struct logos_mapped_waiter {
	struct logos_handle_table *table;
	u32 handle;
	u32 observed;
	int err;
};

static bool logos_mapped_wait_ready(void *arg)
{
	struct logos_mapped_waiter *w = arg;

	w->observed = logos_handle_peek(w->table, w->handle, &w->err);
	return w->err || (w->observed & (LOGOS_SIGNAL_DOORBELL | LOGOS_SIGNAL_PEER_CLOSED |
					 LOGOS_SIGNAL_REVOKED));
}

long logos_ioctl_mapped_wait(struct logos_call *call)
{
	struct logos_mapped_wait *arg = call->arg;
	struct logos_mapped_waiter w = {
		.table = call->ctx->table,
		.handle = arg->handle,
	};
	struct logos_mapped_ep *ep;
	ktime_t deadline = 0;
	s64 timeout = arg->timeout_ns;
	int ret;

	if (arg->flags || arg->reserved || timeout < LOGOS_TIMEOUT_INFINITE)
		return -EINVAL;
	ep = logos_mapped_get(call, arg->handle, LOGOS_RIGHT_READ, true);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	if (!logos_timeout_start(timeout, &deadline))
		ret = logos_mapped_wait_ready(&w) ? 0 : -ETIMEDOUT;
	else
		ret = logos_wait_interrupted(call, &arg->timeout_ns, deadline,
					     logos_object_wait(&ep->obj, logos_mapped_wait_ready,
							       &w, timeout, deadline));
	if (!ret)
		ret = w.err;
	if (!ret) {
		/* Consumed: the next ring must come after this. */
		if (w.observed & LOGOS_SIGNAL_DOORBELL)
			atomic_andnot(LOGOS_SIGNAL_DOORBELL, &ep->obj.signals);
		arg->observed = w.observed;
	}
	logos_object_put(&ep->obj);
	return ret;
}
