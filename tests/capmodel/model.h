/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference model of logos.ko's capability semantics, for the
 * differential tester (difftest.c). See model.c for what is modelled and
 * where each rule comes from.
 *
 * Handles are named, not numbered: an operation that makes handles names
 * them after itself (operation i makes names i * CM_SUBS + k), a mapping is
 * named after the MMAP that made it. Names stay the same when other
 * operations are dropped, which is what lets the shrinker replay any
 * subsequence of a failing run.
 */
#ifndef CAPMODEL_MODEL_H
#define CAPMODEL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define CM_NMOD		3			/* modules; context 0 is the supervisor */
#define CM_NCTX		(CM_NMOD + 1)
#define CM_MAX_OPS	512
#define CM_SUBS		4			/* names one operation can make */
#define CM_MAX_NAMES	(CM_MAX_OPS * CM_SUBS)
#define CM_MAX_NODES	(CM_MAX_NAMES + CM_MAX_OPS)
#define CM_MSG_HANDLES	2
#define CM_QUEUE_MAX	6			/* max_msgs of every inbox channel */
#define CM_MAX_PAGES	2
/* Each module holds its inbox and one sending endpoint per context. */
#define CM_BASE_HANDLES	(1 + CM_NCTX)
#define CM_LIMIT_HANDLES 64			/* initial LOGOS_RES_HANDLES of a module */
#define CM_LIMIT_MAPPED	64			/* initial LOGOS_RES_MAPPED_PAGES */

/* The accounted resources the model follows (index into usage[]). */
enum { CM_RES_HANDLES, CM_RES_MAPPED, CM_RES_MEMORY, CM_NRES };

enum cm_kind {
	CM_MEM_CREATE,	/* ctx, pages -> name */
	CM_EVENT_CREATE,	/* ctx -> name */
	CM_CHANNEL_CREATE,	/* ctx -> two names, the endpoints */
	CM_DUP,		/* name, rights -> name */
	CM_REPLACE,	/* name, rights */
	CM_CLOSE,	/* name */
	CM_INFO,	/* name -> type, rights, parent */
	CM_REVOKE,	/* name -> count */
	CM_GIVE,	/* name (supervisor's), to (module), rights, flags MOVE -> name */
	CM_SEND,	/* ctx, to (inbox), nh handles hn/hr/hf */
	CM_RECV,	/* ctx -> names of the handles received */
	CM_MMAP,	/* name, pages, flags CM_WRITE -> mapping */
	CM_MUNMAP,	/* map */
	CM_TOUCH,	/* map, pages (page index), flags CM_WRITE, value -> bus, value */
	CM_MEM_INFO,	/* name -> size, mappings */
	CM_SET_QUOTA,	/* ctx (module), res, limit */
	CM_USAGE,	/* ctx (module) -> usage */
	CM_TERMINATE,	/* ctx (module): unmap its mappings, close its module file */
	CM_KIND_MAX
};

#define CM_WRITE	0x1U	/* MMAP: PROT_WRITE; TOUCH: a store */
#define CM_MOVE		0x1U	/* GIVE and handles in SEND */

struct cm_op {
	enum cm_kind kind;
	int id;		/* its index in the sequence it was drawn for: names come from it */
	int ctx;
	int name;
	int map;
	int to;
	uint32_t rights;
	uint32_t flags;
	uint32_t pages;
	int res;
	uint64_t limit;
	uint8_t value;
	int nh;
	int hn[CM_MSG_HANDLES];
	uint32_t hr[CM_MSG_HANDLES];
	uint32_t hf[CM_MSG_HANDLES];
};

/* What an operation observably does; which fields count depends on kind. */
struct cm_res {
	int err;			/* 0 or -errno */
	uint32_t count;			/* REVOKE */
	uint32_t type, rights;		/* INFO */
	int parent;			/* INFO: parent's name, CM_PARENT_* (model) */
	uint64_t parent_cap_id;		/* INFO: what the kernel said */
	uint64_t size, mappings;	/* MEM_INFO */
	int bus;			/* TOUCH: 1 if SIGBUS */
	uint8_t value;			/* TOUCH: the byte read */
	int nh;				/* RECV */
	uint32_t htype[CM_MSG_HANDLES], hrights[CM_MSG_HANDLES], hflags[CM_MSG_HANDLES];
	uint64_t usage[CM_NRES];	/* USAGE */
};

#define CM_PARENT_NONE		(-1)	/* a root: parent_cap_id 0 */
#define CM_PARENT_UNKNOWN	(-2)	/* a cap whose id nobody can ask for */

enum cm_where { CM_GONE, CM_TABLE, CM_FLIGHT, CM_MAPPED };

struct cm_node {
	int obj;
	int parent;		/* derivation parent, for ever (closing never edits it) */
	uint32_t rights;
	enum cm_where where;
	bool revoked;
	bool mapping;
	int name;		/* its current name in a table, -1 if none */
};

struct cm_obj {
	uint32_t type;		/* enum logos_object_type */
	int owner;		/* the creating context, charged its pages (0: nobody) */
	uint32_t pages;
	uint8_t data[CM_MAX_PAGES];	/* byte 0 of each page */
	uint64_t live_maps;	/* mapped and not revoked */
};

struct cm_name {
	bool used;		/* ever made */
	bool live;		/* still in its table */
	int ctx;
	int node;
};

struct cm_map {
	bool used;
	int ctx;
	int node;
	uint32_t pages;
	bool writable;
};

struct cm_msg {
	int nh;
	int node[CM_MSG_HANDLES];
};

struct cm_model {
	/*
	 * Decide which mappings a revoke or a move spares from the tree's
	 * current shape, as logos.ko did when review finding 4 was written:
	 * to look for other divergences past that one (--finding4-as-kernel).
	 */
	bool finding4;
	int nr_nodes, nr_objs;
	struct cm_node nodes[CM_MAX_NODES];
	struct cm_obj objs[CM_MAX_OPS];
	struct cm_name names[CM_MAX_NAMES];
	struct cm_map maps[CM_MAX_OPS];
	struct cm_msg queue[CM_NCTX][CM_QUEUE_MAX];
	int qhead[CM_NCTX], qlen[CM_NCTX];
	bool dead[CM_NCTX];		/* a module whose file was closed */
	/* usage[][CM_RES_MEMORY] is unused: cm_usage() derives it. */
	uint64_t usage[CM_NCTX][CM_NRES], limit[CM_NCTX][CM_NRES];
};

void cm_init(struct cm_model *m);
/* Applies @op, the @idx-th of its sequence; fills @res. */
void cm_apply(struct cm_model *m, int idx, const struct cm_op *op, struct cm_res *res);
/* Whether every name and mapping @op refers to exists (else it is skipped). */
bool cm_op_valid(const struct cm_model *m, const struct cm_op *op);
/* The context an operation runs in. */
int cm_op_ctx(const struct cm_model *m, const struct cm_op *op);
/* A module's usage of resource @res (CM_RES_*) as the model sees it. */
uint64_t cm_usage(const struct cm_model *m, int ctx, int res);

static inline int cm_name_of(int idx, int sub)
{
	return idx * CM_SUBS + sub;
}

#endif
