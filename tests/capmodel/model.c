// SPDX-License-Identifier: GPL-2.0
/*
 * The reference model of logos.ko's capabilities. Every rule below is a
 * documented promise, with where it is written; where the docs leave
 * something open the model does what the kernel does, and says so. [uapi] is uapi/linux/logos.h, [sec] is
 * Documentation/security-model.md, [arch] Documentation/architecture.md,
 * [ipc] Documentation/ipc.md.
 *
 * Handle use [uapi "Handles", arch "Capabilities and handles"]: a lookup
 * fails with -EBADF (not in this table: never made, closed, moved away),
 * then -EKEYREVOKED (revoked), then -EPROTOTYPE (wrong type), then -EPERM
 * (a right is missing). HANDLE_CLOSE works on revoked handles.
 *
 * Rights [uapi logos_handle_dup, sec "Rights"]: a derived handle gets a
 * subset of its source's rights or LOGOS_RIGHTS_SAME; bits outside
 * LOGOS_RIGHTS_ALL are -EINVAL, more rights -EPERM. REPLACE only shrinks
 * and needs no right. Roots: memory LOGOS_RIGHTS_ALL, event and channel
 * endpoints all but MAP_* [uapi logos_event_create, logos_mem_create,
 * logos_channel_create]. A channel is two endpoint objects; the model only
 * moves endpoints around (their queues are the kernel's business).
 *
 * The derivation tree (the seL4 CDT) [uapi logos_handle_close, arch "The
 * derivation tree", sec "Revocation"]: DUPLICATE, GIVE, a derived handle in
 * a message and an mmap each make a child of the handle used. Closing a
 * node never lets its descendants escape an ancestor's revoke, so the
 * model keeps closed nodes in the tree as they were (node.parent never
 * changes) and asks "is it below the revoker" on that tree; HANDLE_INFO's
 * parent is the nearest ancestor still alive, which is what "children move
 * up to the parent" means; a closed root's children become roots.
 * A moved handle (LOGOS_MSG_HANDLE_MOVE) keeps its node and place [ipc
 * "Handles in messages"]; LOGOS_GIVE_MOVE derives a child and then closes
 * the source [arch "The derivation tree"].
 *
 * Revocation [uapi logos_handle_revoke and "Memory objects"]: needs REVOKE;
 * every handle below the revoker, in tables and in messages in flight, is
 * revoked; @revoked counts the handles that were not revoked already (the
 * docs leave a second revoke's count open: the model follows the kernel,
 * which counts only newly revoked ones). Every mapping made through a
 * handle below the revoker is revoked and unmapped: the next touch gets
 * SIGBUS, it leaves MEM_INFO.mappings and the mapper's MAPPED_PAGES at
 * once. "Mappings made through the revoking handle itself stay": the model
 * exempts exactly the mappings whose node was made through the revoker,
 * whatever was closed since (review finding 4: the kernel decides this
 * from the tree's current shape instead).
 *
 * Moving a memory handle in a message takes the sender's access with it:
 * the mappings made through the moved handle are revoked. The docs say the
 * opposite ([ipc "Grants", a "Surprise"] describes an older kernel); the
 * kernel's handle.c: logos_handle_take() does this on purpose, the docs
 * leave no promise either way, so the model follows the kernel.
 *
 * Messages [uapi "Channels", ipc "Handles in messages"]: a full queue is
 * -EAGAIN before any handle is looked at (the kernel reserves room first;
 * the docs leave the order open); then every descriptor is checked
 * (-EINVAL: bad rights bits, a handle listed twice when either is moved),
 * then every handle in order (-EBADF, -EKEYREVOKED, -EPERM without
 * TRANSFER or for more rights); nothing leaves the table unless all pass.
 * Received handles are installed all or none, charged to the receiver
 * (-EDQUOT leaves the message queued), flagged LOGOS_HANDLE_F_REVOKED if
 * revoked in flight.
 *
 * mmap [uapi "Memory objects", ipc "Mapping"]: MAP_READ for any mapping,
 * MAP_WRITE too for PROT_WRITE (-EPERM), a length beyond the object
 * -EINVAL, then the mapper's MAPPED_PAGES quota (-EDQUOT; supervisors are
 * not charged). Closing the handle leaves its mappings working. Memory is
 * zeroed at creation; all mappings see the same pages.
 *
 * Termination [uapi "Files", arch "Handle tables"]: when a module's file
 * is released its table dies: every handle in it is closed (descendants
 * elsewhere keep their place under the ancestors), its inbox's queued
 * messages are destroyed with the handles in them, sending to it is
 * -EPIPE (its inbox's last handle is gone) and giving it a handle is
 * -ESRCH (after the quota charge, as the kernel orders them; the docs
 * leave the order open). Its objects live on while others hold them, still
 * charged to it. The test unmaps the module's mappings first: a mapping
 * keeps the file open.
 *
 * Quotas [uapi "Accounted resources", logos_module_set_quota]: a module's
 * handles, mapped pages and memory pages; over the limit -EDQUOT and nothing changes; a
 * limit below usage takes nothing away; LOGOS_LIMIT_DEFAULT (0) means the
 * module parameter's default, which no sequence reaches. A memory object's
 * pages stay charged to its creator until every handle (revoked ones too),
 * every cap in flight and every vma (revoked ones too) is gone [ipc
 * "Revocation of grants", "Accounting"]; supervisors are never charged.
 */
#include <errno.h>
#include <string.h>
#include <linux/logos.h>

#include "model.h"

void cm_init(struct cm_model *m)
{
	int c;

	memset(m, 0, sizeof(*m));
	for (c = 1; c < CM_NCTX; c++) {
		m->usage[c][CM_RES_HANDLES] = CM_BASE_HANDLES;
		m->limit[c][CM_RES_HANDLES] = CM_LIMIT_HANDLES;
		m->limit[c][CM_RES_MAPPED] = CM_LIMIT_MAPPED;
		/* The module parameter's default, far beyond any sequence. */
		m->limit[c][CM_RES_MEMORY] = LOGOS_LIMIT_UNLIMITED;
	}
}

/* Pages of the live memory objects @ctx created: a node of any kind keeps one alive. */
static uint64_t memory_usage(const struct cm_model *m, int ctx)
{
	bool alive[CM_MAX_OPS] = { false };
	uint64_t pages = 0;
	int i;

	for (i = 0; i < m->nr_nodes; i++)
		if (m->nodes[i].where != CM_GONE)
			alive[m->nodes[i].obj] = true;
	for (i = 0; i < m->nr_objs; i++)
		if (alive[i] && m->objs[i].owner == ctx && m->objs[i].type == LOGOS_OBJ_MEMORY)
			pages += m->objs[i].pages;
	return pages;
}

uint64_t cm_usage(const struct cm_model *m, int ctx, int res)
{
	return res == CM_RES_MEMORY ? memory_usage(m, ctx) : m->usage[ctx][res];
}

/* A charge as logos.ko's quota promises it; supervisors are never charged. */
static int charge(struct cm_model *m, int ctx, int res, uint64_t n)
{
	if (!ctx)
		return 0;
	if (m->limit[ctx][res] != LOGOS_LIMIT_UNLIMITED &&
	    m->usage[ctx][res] + n > m->limit[ctx][res])
		return -EDQUOT;
	m->usage[ctx][res] += n;
	return 0;
}

static void uncharge(struct cm_model *m, int ctx, int res, uint64_t n)
{
	if (ctx)
		m->usage[ctx][res] -= n;
}

static int new_node(struct cm_model *m, int obj, int parent, uint32_t rights,
		    enum cm_where where)
{
	struct cm_node *n = &m->nodes[m->nr_nodes];

	n->obj = obj;
	n->parent = parent;
	n->rights = rights;
	n->where = where;
	n->revoked = false;
	n->mapping = where == CM_MAPPED;
	n->name = -1;
	return m->nr_nodes++;
}

static void name_node(struct cm_model *m, int name, int ctx, int node)
{
	m->names[name] = (struct cm_name){ .used = true, .live = true, .ctx = ctx, .node = node };
	m->nodes[node].name = name;
	m->nodes[node].where = CM_TABLE;
}

static void unname(struct cm_model *m, int name)
{
	m->names[name].live = false;
	m->nodes[m->names[name].node].name = -1;
}

/* logos_handle_get(): the order of the checks is part of the promise. */
static int lookup(const struct cm_model *m, int name, uint32_t type, uint32_t need,
		  const struct cm_node **out)
{
	const struct cm_node *n;

	if (!m->names[name].live)
		return -EBADF;
	n = &m->nodes[m->names[name].node];
	if (n->revoked)
		return -EKEYREVOKED;
	if (type != LOGOS_OBJ_NONE && m->objs[n->obj].type != type)
		return -EPROTOTYPE;
	if ((n->rights & need) != need)
		return -EPERM;
	*out = n;
	return 0;
}

static int derived_rights(uint32_t want, uint32_t have, uint32_t *out)
{
	if (want == LOGOS_RIGHTS_SAME) {
		*out = have;
		return 0;
	}
	if (want & ~LOGOS_RIGHTS_ALL)
		return -EINVAL;
	if (want & ~have)
		return -EPERM;
	*out = want;
	return 0;
}

static bool below(const struct cm_model *m, int node, int ancestor)
{
	for (node = m->nodes[node].parent; node >= 0; node = m->nodes[node].parent)
		if (node == ancestor)
			return true;
	return false;
}

/*
 * The handle a mapping counts as made through. The promise: the one it was
 * made through, for ever. With m->finding4, logos.ko's old rule: its
 * nearest ancestor still alive, which is another handle once that one was
 * closed (handle.c: logos_mapping_owner() after logos_cap_free()).
 */
static int made_through(const struct cm_model *m, int node)
{
	node = m->nodes[node].parent;
	while (m->finding4 && node >= 0 && m->nodes[node].where == CM_GONE)
		node = m->nodes[node].parent;
	return node;
}

/* A mapping stops working and stops being counted. */
static void revoke_mapping(struct cm_model *m, int node)
{
	struct cm_node *n = &m->nodes[node];
	int i;

	n->revoked = true;
	if (n->where != CM_MAPPED)
		return;
	m->objs[n->obj].live_maps--;
	for (i = 0; i < CM_MAX_OPS; i++) {
		if (m->maps[i].used && m->maps[i].node == node) {
			uncharge(m, m->maps[i].ctx, CM_RES_MAPPED, m->maps[i].pages);
			break;
		}
	}
}

static uint32_t revoke_below(struct cm_model *m, int revoker)
{
	uint32_t count = 0;
	int i;

	for (i = 0; i < m->nr_nodes; i++) {
		struct cm_node *n = &m->nodes[i];

		if (n->where == CM_GONE || n->revoked || !below(m, i, revoker))
			continue;
		if (n->mapping) {
			if (made_through(m, i) != revoker)
				revoke_mapping(m, i);
		} else {
			n->revoked = true;
			count++;
		}
	}
	return count;
}

static int live_parent(const struct cm_model *m, int node)
{
	for (node = m->nodes[node].parent; node >= 0; node = m->nodes[node].parent) {
		const struct cm_node *p = &m->nodes[node];

		if (p->where == CM_GONE)
			continue;
		return p->where == CM_TABLE ? p->name : CM_PARENT_UNKNOWN;
	}
	return CM_PARENT_NONE;
}

/* Memory, event, or a channel's two endpoints (two objects, two handles). */
static void op_create(struct cm_model *m, int idx, const struct cm_op *op, struct cm_res *r)
{
	bool mem = op->kind == CM_MEM_CREATE;
	int n = op->kind == CM_CHANNEL_CREATE ? 2 : 1, obj, node, i;

	if (mem && (!op->pages || op->pages > CM_MAX_PAGES)) {
		r->err = -EINVAL;
		return;
	}
	/* The pages are charged before the handle (logos_memory_new()). */
	if (mem && op->ctx && m->limit[op->ctx][CM_RES_MEMORY] != LOGOS_LIMIT_UNLIMITED &&
	    memory_usage(m, op->ctx) + op->pages > m->limit[op->ctx][CM_RES_MEMORY]) {
		r->err = -EDQUOT;
		return;
	}
	/* All or nothing: a channel whose second handle is over quota has none. */
	r->err = charge(m, op->ctx, CM_RES_HANDLES, n);
	if (r->err)
		return;
	for (i = 0; i < n; i++) {
		obj = m->nr_objs++;
		memset(&m->objs[obj], 0, sizeof(m->objs[obj]));
		m->objs[obj].type = mem ? LOGOS_OBJ_MEMORY : n == 2 ? LOGOS_OBJ_CHANNEL
								   : LOGOS_OBJ_EVENT;
		m->objs[obj].pages = mem ? op->pages : 0;
		m->objs[obj].owner = op->ctx;
		node = new_node(m, obj, -1, mem ? LOGOS_RIGHTS_ALL : LOGOS_RIGHTS_ALL &
				~(LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_MAP_WRITE), CM_TABLE);
		name_node(m, cm_name_of(idx, i), op->ctx, node);
	}
}

/* DUPLICATE and GIVE: a child of @op->name, installed in @to's table. */
static void op_derive(struct cm_model *m, int idx, const struct cm_op *op, uint32_t need,
		      int to, struct cm_res *r)
{
	const struct cm_node *src;
	uint32_t rights;
	int node, srcnode;

	r->err = lookup(m, op->name, LOGOS_OBJ_NONE, need, &src);
	if (!r->err)
		r->err = derived_rights(op->rights, src->rights, &rights);
	if (!r->err)
		r->err = charge(m, to, CM_RES_HANDLES, 1);
	if (!r->err && m->dead[to]) {
		uncharge(m, to, CM_RES_HANDLES, 1);
		r->err = -ESRCH;
	}
	if (r->err)
		return;
	srcnode = m->names[op->name].node;
	node = new_node(m, m->nodes[srcnode].obj, srcnode, rights, CM_TABLE);
	name_node(m, cm_name_of(idx, 0), to, node);
	if (op->kind == CM_GIVE && (op->flags & CM_MOVE)) {
		m->nodes[srcnode].where = CM_GONE;
		unname(m, op->name);
		uncharge(m, m->names[op->name].ctx, CM_RES_HANDLES, 1);
	}
}

static void op_send(struct cm_model *m, const struct cm_op *op, struct cm_res *r)
{
	struct cm_msg *msg;
	uint32_t rights[CM_MSG_HANDLES];
	int i, j, q = op->to;

	if (m->dead[q]) {
		r->err = -EPIPE;
		return;
	}
	if (m->qlen[q] >= CM_QUEUE_MAX) {
		r->err = -EAGAIN;
		return;
	}
	for (i = 0; i < op->nh; i++) {
		if (op->hr[i] != LOGOS_RIGHTS_SAME && (op->hr[i] & ~LOGOS_RIGHTS_ALL))
			r->err = -EINVAL;
		for (j = 0; j < i; j++)
			if (op->hn[j] == op->hn[i] && ((op->hf[i] | op->hf[j]) & CM_MOVE))
				r->err = -EINVAL;
		if (r->err)
			return;
	}
	for (i = 0; i < op->nh; i++) {
		const struct cm_node *n;

		r->err = lookup(m, op->hn[i], LOGOS_OBJ_NONE, LOGOS_RIGHT_TRANSFER, &n);
		if (!r->err)
			r->err = derived_rights(op->hr[i], n->rights, &rights[i]);
		if (r->err)
			return;
	}
	msg = &m->queue[q][(m->qhead[q] + m->qlen[q]++) % CM_QUEUE_MAX];
	msg->nh = op->nh;
	for (i = 0; i < op->nh; i++) {
		int src = m->names[op->hn[i]].node;

		if (!(op->hf[i] & CM_MOVE)) {
			msg->node[i] = new_node(m, m->nodes[src].obj, src, rights[i], CM_FLIGHT);
			continue;
		}
		msg->node[i] = src;
		m->nodes[src].rights = rights[i];
		unname(m, op->hn[i]);
		m->nodes[src].where = CM_FLIGHT;
		uncharge(m, op->ctx, CM_RES_HANDLES, 1);
		/* The mover's own mappings go with its handle (logos_handle_take()). */
		for (j = 0; j < m->nr_nodes; j++) {
			struct cm_node *mn = &m->nodes[j];

			if (mn->mapping && mn->where != CM_GONE && !mn->revoked &&
			    made_through(m, j) == src)
				revoke_mapping(m, j);
		}
	}
}

static void op_recv(struct cm_model *m, int idx, const struct cm_op *op, struct cm_res *r)
{
	int q = op->ctx, i;
	struct cm_msg *msg;

	if (!m->qlen[q]) {
		r->err = -EAGAIN;
		return;
	}
	msg = &m->queue[q][m->qhead[q]];
	r->err = charge(m, q, CM_RES_HANDLES, msg->nh);
	if (r->err)
		return;
	m->qhead[q] = (m->qhead[q] + 1) % CM_QUEUE_MAX;
	m->qlen[q]--;
	r->nh = msg->nh;
	for (i = 0; i < msg->nh; i++) {
		struct cm_node *n = &m->nodes[msg->node[i]];

		r->htype[i] = m->objs[n->obj].type;
		r->hrights[i] = n->rights;
		r->hflags[i] = n->revoked ? LOGOS_HANDLE_F_REVOKED : 0;
		name_node(m, cm_name_of(idx, i), q, msg->node[i]);
	}
}

static void op_mmap(struct cm_model *m, int idx, const struct cm_op *op, struct cm_res *r)
{
	uint32_t need = LOGOS_RIGHT_MAP_READ;
	const struct cm_node *src;
	int node, ctx = m->names[op->name].ctx;

	if (op->flags & CM_WRITE)
		need |= LOGOS_RIGHT_MAP_WRITE;
	r->err = lookup(m, op->name, LOGOS_OBJ_MEMORY, need, &src);
	if (!r->err && op->pages > m->objs[src->obj].pages)
		r->err = -EINVAL;
	if (!r->err)
		r->err = charge(m, ctx, CM_RES_MAPPED, op->pages);
	if (r->err)
		return;
	node = new_node(m, src->obj, m->names[op->name].node, need, CM_MAPPED);
	m->objs[src->obj].live_maps++;
	m->maps[idx] = (struct cm_map){ .used = true, .ctx = ctx, .node = node,
					.pages = op->pages, .writable = op->flags & CM_WRITE };
}

static void unmap(struct cm_model *m, int map)
{
	struct cm_map *mp = &m->maps[map];

	if (!m->nodes[mp->node].revoked) {
		m->objs[m->nodes[mp->node].obj].live_maps--;
		uncharge(m, mp->ctx, CM_RES_MAPPED, mp->pages);
	}
	m->nodes[mp->node].where = CM_GONE;
	mp->used = false;
}

static void op_terminate(struct cm_model *m, int ctx)
{
	int i;

	for (i = 0; i < CM_MAX_OPS; i++)
		if (m->maps[i].used && m->maps[i].ctx == ctx)
			unmap(m, i);
	for (i = 0; i < CM_MAX_NAMES; i++) {
		if (m->names[i].live && m->names[i].ctx == ctx) {
			m->nodes[m->names[i].node].where = CM_GONE;
			unname(m, i);
		}
	}
	for (; m->qlen[ctx]; m->qlen[ctx]--) {
		struct cm_msg *msg = &m->queue[ctx][m->qhead[ctx]];

		for (i = 0; i < msg->nh; i++)
			m->nodes[msg->node[i]].where = CM_GONE;
		m->qhead[ctx] = (m->qhead[ctx] + 1) % CM_QUEUE_MAX;
	}
	m->usage[ctx][CM_RES_HANDLES] = 0;
	m->dead[ctx] = true;
}

void cm_apply(struct cm_model *m, int idx, const struct cm_op *op, struct cm_res *r)
{
	const struct cm_node *n;
	struct cm_map *map;

	memset(r, 0, sizeof(*r));
	switch (op->kind) {
	case CM_MEM_CREATE:
	case CM_EVENT_CREATE:
	case CM_CHANNEL_CREATE:
		op_create(m, idx, op, r);
		break;
	case CM_DUP:
		op_derive(m, idx, op, LOGOS_RIGHT_DUPLICATE, m->names[op->name].ctx, r);
		break;
	case CM_GIVE:
		op_derive(m, idx, op, LOGOS_RIGHT_TRANSFER, op->to, r);
		break;
	case CM_REPLACE:
		r->err = lookup(m, op->name, LOGOS_OBJ_NONE, 0, &n);
		if (!r->err)
			r->err = derived_rights(op->rights, n->rights, &r->rights);
		if (!r->err)
			m->nodes[m->names[op->name].node].rights = r->rights;
		break;
	case CM_CLOSE:
		if (!m->names[op->name].live) {
			r->err = -EBADF;
			break;
		}
		m->nodes[m->names[op->name].node].where = CM_GONE;
		unname(m, op->name);
		uncharge(m, m->names[op->name].ctx, CM_RES_HANDLES, 1);
		break;
	case CM_INFO:
		r->err = lookup(m, op->name, LOGOS_OBJ_NONE, 0, &n);
		if (r->err)
			break;
		r->type = m->objs[n->obj].type;
		r->rights = n->rights;
		r->parent = live_parent(m, m->names[op->name].node);
		break;
	case CM_REVOKE:
		r->err = lookup(m, op->name, LOGOS_OBJ_NONE, LOGOS_RIGHT_REVOKE, &n);
		if (!r->err)
			r->count = revoke_below(m, m->names[op->name].node);
		break;
	case CM_SEND:
		op_send(m, op, r);
		break;
	case CM_RECV:
		op_recv(m, idx, op, r);
		break;
	case CM_MMAP:
		op_mmap(m, idx, op, r);
		break;
	case CM_MUNMAP:
		unmap(m, op->map);
		break;
	case CM_TERMINATE:
		op_terminate(m, op->ctx);
		break;
	case CM_TOUCH:
		map = &m->maps[op->map];
		if (m->nodes[map->node].revoked) {
			r->bus = 1;
			break;
		}
		if (op->flags & CM_WRITE)
			m->objs[m->nodes[map->node].obj].data[op->pages] = op->value;
		r->value = m->objs[m->nodes[map->node].obj].data[op->pages];
		break;
	case CM_MEM_INFO:
		r->err = lookup(m, op->name, LOGOS_OBJ_MEMORY, 0, &n);
		if (!r->err && !(n->rights & (LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ |
					      LOGOS_RIGHT_MAP_WRITE)))
			r->err = -EPERM;
		if (!r->err) {
			r->size = (uint64_t)m->objs[n->obj].pages * 4096;
			r->mappings = m->objs[n->obj].live_maps;
		}
		break;
	case CM_SET_QUOTA:
		/*
		 * LOGOS_LIMIT_DEFAULT (0) is logos.ko's default, a module
		 * parameter far above what one sequence can use.
		 */
		m->limit[op->ctx][op->res] = op->limit == LOGOS_LIMIT_DEFAULT ?
					     LOGOS_LIMIT_UNLIMITED : op->limit;
		break;
	case CM_USAGE:
		for (int i = 0; i < CM_NRES; i++)
			r->usage[i] = cm_usage(m, op->ctx, i);
		break;
	case CM_KIND_MAX:
		break;
	}
}

static bool refs_exist(const struct cm_model *m, const struct cm_op *op)
{
	int i;

	switch (op->kind) {
	case CM_DUP: case CM_REPLACE: case CM_CLOSE: case CM_INFO:
	case CM_REVOKE: case CM_GIVE: case CM_MMAP: case CM_MEM_INFO:
		return m->names[op->name].used;
	case CM_SEND:
		for (i = 0; i < op->nh; i++)
			if (!m->names[op->hn[i]].used || m->names[op->hn[i]].ctx != op->ctx)
				return false;
		return true;
	case CM_MUNMAP: case CM_TOUCH:
		return m->maps[op->map].used;
	default:
		return true;
	}
}

bool cm_op_valid(const struct cm_model *m, const struct cm_op *op)
{
	if (!refs_exist(m, op))
		return false;
	/* A dead module does nothing more; the supervisor still asks about it. */
	return op->kind == CM_SET_QUOTA || op->kind == CM_USAGE || !m->dead[cm_op_ctx(m, op)];
}

int cm_op_ctx(const struct cm_model *m, const struct cm_op *op)
{
	switch (op->kind) {
	case CM_DUP: case CM_REPLACE: case CM_CLOSE: case CM_INFO:
	case CM_REVOKE: case CM_GIVE: case CM_MMAP: case CM_MEM_INFO:
		return m->names[op->name].ctx;
	case CM_MUNMAP: case CM_TOUCH:
		return m->maps[op->map].ctx;
	default:
		return op->ctx;
	}
}
