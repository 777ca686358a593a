// SPDX-License-Identifier: GPL-2.0
/*
 * Random operations, drawn from the model's current state so that most of
 * them are meaningful (live handles, mapped mappings, queues that hold
 * something) and some are deliberately wrong (stale handles, rights the
 * source lacks, bad right bits, handles over quota).
 */
#include <string.h>
#include <linux/logos.h>

#include "gen.h"

uint64_t cm_rand(uint64_t *s)
{
	/* splitmix64: tiny, seedable, good enough to pick operations. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd(uint64_t *s, unsigned int n)
{
	return n ? cm_rand(s) % n : 0;
}

static bool chance(uint64_t *s, unsigned int percent)
{
	return rnd(s, 100) < percent;
}

/* A random name: live ones mostly; @ctx >= 0 restricts the table. */
static int pick_name(const struct cm_model *m, uint64_t *s, int ctx, uint32_t want_type,
		     uint32_t want_right)
{
	static int live[CM_MAX_NAMES], stale[CM_MAX_NAMES], pref[CM_MAX_NAMES];
	int i, nl = 0, ns = 0, np = 0;

	for (i = 0; i < CM_MAX_NAMES; i++) {
		const struct cm_name *n = &m->names[i];

		if (!n->used || (ctx >= 0 && n->ctx != ctx))
			continue;
		if (!n->live) {
			stale[ns++] = i;
			continue;
		}
		live[nl++] = i;
		if ((!want_type || m->objs[m->nodes[n->node].obj].type == want_type) &&
		    (m->nodes[n->node].rights & want_right) == want_right && !m->nodes[n->node].revoked)
			pref[np++] = i;
	}
	if (ns && (chance(s, 4) || !nl))
		return stale[rnd(s, ns)];
	if (np && chance(s, 85))
		return pref[rnd(s, np)];
	return nl ? live[rnd(s, nl)] : -1;
}

static int pick_map(const struct cm_model *m, uint64_t *s)
{
	int i, n = 0, maps[CM_MAX_OPS];

	for (i = 0; i < CM_MAX_OPS; i++)
		if (m->maps[i].used)
			maps[n++] = i;
	return n ? maps[rnd(s, n)] : -1;
}

static uint32_t rights_of(const struct cm_model *m, int name)
{
	return m->nodes[m->names[name].node].rights;
}

/* Rights for a derived handle: mostly a subset, sometimes wrong on purpose. */
static uint32_t pick_rights(uint64_t *s, uint32_t have)
{
	uint32_t r = 0, bit;

	if (chance(s, 15))
		return LOGOS_RIGHTS_SAME;
	if (chance(s, 2))
		return have | 0x100;		/* not a right: -EINVAL */
	for (bit = 1; bit <= LOGOS_RIGHT_REVOKE; bit <<= 1)
		if ((have & bit) && chance(s, 75))
			r |= bit;
	if (chance(s, 4))
		r |= 1U << rnd(s, 8);		/* maybe one it lacks: -EPERM */
	return r;
}

static const unsigned int weights[CM_KIND_MAX] = {
	[CM_MEM_CREATE] = 10, [CM_EVENT_CREATE] = 2, [CM_CHANNEL_CREATE] = 2, [CM_DUP] = 14, [CM_REPLACE] = 4,
	[CM_CLOSE] = 10, [CM_INFO] = 5, [CM_REVOKE] = 8, [CM_GIVE] = 6, [CM_SEND] = 10,
	[CM_RECV] = 10, [CM_MMAP] = 12, [CM_MUNMAP] = 2, [CM_TOUCH] = 10,
	[CM_MEM_INFO] = 4, [CM_SET_QUOTA] = 2, [CM_USAGE] = 3, [CM_TERMINATE] = 1,
};

static enum cm_kind pick_kind(uint64_t *s)
{
	unsigned int total = 0, i, x;

	for (i = 0; i < CM_KIND_MAX; i++)
		total += weights[i];
	x = rnd(s, total);
	for (i = 0; x >= weights[i]; i++)
		x -= weights[i];
	return i;
}

/* One operation drawn for the model's current state; false: try again. */
static bool try_gen(const struct cm_model *m, uint64_t *s, struct cm_op *op)
{
	int i;

	memset(op, 0, sizeof(*op));
	op->kind = pick_kind(s);
	op->name = op->map = -1;
	switch (op->kind) {
	case CM_MEM_CREATE:
		op->pages = chance(s, 2) ? 0 : 1 + rnd(s, CM_MAX_PAGES);
		/* fall through */
	case CM_EVENT_CREATE:
	case CM_CHANNEL_CREATE:
		op->ctx = rnd(s, CM_NCTX);
		return true;
	case CM_DUP:
		op->name = pick_name(m, s, -1, 0, LOGOS_RIGHT_DUPLICATE);
		break;
	case CM_REPLACE:
		op->name = pick_name(m, s, -1, 0, 0);
		break;
	case CM_CLOSE:
	case CM_INFO:
		op->name = pick_name(m, s, -1, 0, 0);
		return op->name >= 0;
	case CM_REVOKE:
		op->name = pick_name(m, s, -1, 0, LOGOS_RIGHT_REVOKE);
		return op->name >= 0;
	case CM_GIVE:
		op->name = pick_name(m, s, 0, 0, LOGOS_RIGHT_TRANSFER);
		op->to = 1 + rnd(s, CM_NMOD);
		op->flags = chance(s, 30) ? CM_MOVE : 0;
		break;
	case CM_SEND:
		op->hn[0] = pick_name(m, s, -1, 0, LOGOS_RIGHT_TRANSFER);
		if (op->hn[0] < 0)
			return false;
		op->ctx = m->names[op->hn[0]].ctx;
		op->to = rnd(s, CM_NCTX);
		op->nh = 1;
		if (chance(s, 25)) {
			op->hn[1] = pick_name(m, s, op->ctx, 0, LOGOS_RIGHT_TRANSFER);
			op->nh = op->hn[1] >= 0 ? 2 : 1;
		}
		for (i = 0; i < op->nh; i++) {
			op->hr[i] = pick_rights(s, rights_of(m, op->hn[i]));
			op->hf[i] = chance(s, 30) ? CM_MOVE : 0;
		}
		return true;
	case CM_RECV:
		op->ctx = rnd(s, CM_NCTX);
		if (!m->qlen[op->ctx] && chance(s, 80))
			for (i = 0; i < CM_NCTX; i++)
				if (m->qlen[i])
					op->ctx = i;
		return true;
	case CM_MMAP:
		op->name = pick_name(m, s, -1, LOGOS_OBJ_MEMORY, LOGOS_RIGHT_MAP_READ);
		if (op->name < 0)
			return false;
		op->flags = chance(s, 60) ? CM_WRITE : 0;
		op->pages = 1 + rnd(s, CM_MAX_PAGES);
		return true;
	case CM_MUNMAP:
	case CM_TOUCH:
		op->map = pick_map(m, s);
		if (op->map < 0)
			return false;
		op->pages = rnd(s, m->maps[op->map].pages);
		op->flags = m->maps[op->map].writable && chance(s, 50) ? CM_WRITE : 0;
		op->value = (uint8_t)(1 + rnd(s, 255));
		return true;
	case CM_MEM_INFO:
		op->name = pick_name(m, s, -1, LOGOS_OBJ_MEMORY, 0);
		return op->name >= 0;
	case CM_SET_QUOTA:
		op->ctx = 1 + rnd(s, CM_NMOD);
		op->res = rnd(s, CM_NRES);
		op->limit = chance(s, 20) ? LOGOS_LIMIT_UNLIMITED
					  : cm_usage(m, op->ctx, op->res) + rnd(s, 3);
		return true;
	case CM_USAGE:
		op->ctx = 1 + rnd(s, CM_NMOD);
		return true;
	case CM_TERMINATE:
		op->ctx = 1 + rnd(s, CM_NMOD);
		return !m->dead[op->ctx];
	case CM_KIND_MAX:
		return false;
	}
	/* DUP, REPLACE, GIVE: a name and rights. */
	if (op->name < 0)
		return false;
	op->rights = pick_rights(s, rights_of(m, op->name));
	if (op->kind == CM_REPLACE && op->rights != LOGOS_RIGHTS_SAME && chance(s, 50))
		op->rights = rights_of(m, op->name) & ~(1U << rnd(s, 8));
	return true;
}

void cm_gen(const struct cm_model *m, uint64_t *s, struct cm_op *op)
{
	/* Nothing for a dead module, and no handle it no longer has. */
	while (!try_gen(m, s, op) || !cm_op_valid(m, op))
		;
}
