/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libnl-genl-3 helpers shared by the guest tests: one call to send a
 * command of the "logos" family and get its exact errno back, and a
 * listener of the "events" multicast group.
 */
#ifndef _LOGOS_TEST_NL_HELPERS_H
#define _LOGOS_TEST_NL_HELPERS_H

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* ---- commands ---------------------------------------------------------- */

/* One request attribute: a u32 or u64 value. */
struct logos_nl_arg {
	int type;	/* LOGOS_A_*, 0 ends a list */
	int bits;	/* 32 or 64 */
	__u64 value;
};

#define LOGOS_NL_U32(t, v)	{ .type = (t), .bits = 32, .value = (v) }
#define LOGOS_NL_U64(t, v)	{ .type = (t), .bits = 64, .value = (v) }

/* Called with the parsed top-level attributes of each reply message. */
typedef void (*logos_nl_reply_fn)(struct nlattr **attrs, void *arg);

struct logos_nl_request {
	logos_nl_reply_fn fn;
	void *arg;
	int error;	/* the kernel's -errno, from NLMSG_ERROR or NLMSG_DONE */
	int done;
	int replies;
};

static inline int logos_nl_on_reply(struct nl_msg *msg, void *p)
{
	struct logos_nl_request *req = p;
	struct nlattr *attrs[LOGOS_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, LOGOS_A_MAX, NULL) < 0) {
		req->error = -EBADMSG;
		return NL_STOP;
	}
	req->replies++;
	if (req->fn)
		req->fn(attrs, req->arg);
	return NL_OK;
}

static inline int logos_nl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *p)
{
	struct logos_nl_request *req = p;

	(void)nla;
	req->error = err->error;
	req->done = 1;
	return NL_STOP;
}

static inline int logos_nl_on_ack(struct nl_msg *msg, void *p)
{
	struct logos_nl_request *req = p;

	(void)msg;
	req->done = 1;
	return NL_STOP;
}

/* NLMSG_DONE of a dump carries the dump's errno. */
static inline int logos_nl_on_done(struct nl_msg *msg, void *p)
{
	struct logos_nl_request *req = p;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	int err;

	if (nlmsg_datalen(hdr) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(hdr), sizeof(err));
		if (err < 0)
			req->error = err;
	}
	req->done = 1;
	return NL_STOP;
}

/*
 * Sends @cmd (a dump when @dump) with @args (ending with type 0, or NULL)
 * and calls @fn for every reply. Returns 0 or the kernel's -errno; libnl's
 * own failures give -EIO. *@replies, when not NULL, gets the number of
 * reply messages.
 */
static inline int logos_nl_cmd(__u8 cmd, bool dump, const struct logos_nl_arg *args,
			       logos_nl_reply_fn fn, void *arg, int *replies)
{
	struct logos_nl_request req = { .fn = fn, .arg = arg };
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	int family, ret;

	if (!sk)
		return -ENOMEM;
	ret = genl_connect(sk);
	if (ret < 0)
		goto out;
	family = genl_ctrl_resolve(sk, LOGOS_GENL_NAME);
	if (family < 0) {
		ret = family;
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, logos_nl_on_reply, &req);
	nl_socket_modify_cb(sk, NL_CB_ACK, NL_CB_CUSTOM, logos_nl_on_ack, &req);
	nl_socket_modify_cb(sk, NL_CB_FINISH, NL_CB_CUSTOM, logos_nl_on_done, &req);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, logos_nl_on_error, &req);
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				 dump ? NLM_F_DUMP : 0, cmd, LOGOS_GENL_VERSION)) {
		ret = -NLE_NOMEM;
		goto out;
	}
	for (; args && args->type; args++) {
		ret = args->bits == 64 ?
			nla_put_u64(msg, args->type, args->value) :
			nla_put_u32(msg, args->type, (__u32)args->value);
		if (ret < 0)
			goto out;
	}
	ret = nl_send_auto(sk, msg);
	while (ret >= 0 && !req.done)
		ret = nl_recvmsgs_default(sk);
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	if (replies)
		*replies = req.replies;
	if (req.error)
		return req.error;
	return ret < 0 ? -EIO : 0;
}

/* Reads a u32/u64 attribute, or @def when it is missing. */
static inline __u32 logos_nla_u32(struct nlattr *a, __u32 def)
{
	return a ? nla_get_u32(a) : def;
}

static inline __u64 logos_nla_u64(struct nlattr *a, __u64 def)
{
	return a ? nla_get_u64(a) : def;
}

/* One module, as LOGOS_CMD_GET_MODULE reports it. */
struct logos_nl_module {
	int seen;
	__u32 id, state, trust, pid, exit_flags;
	char name[LOGOS_NAME_MAX];
	__u64 cpu_ns, denied_rights, denied_quota;
	int has_resource[LOGOS_RES_COUNT];
	__u64 usage[LOGOS_RES_COUNT], limit[LOGOS_RES_COUNT];
};

static inline void logos_nl_parse_module(struct nlattr **a, struct logos_nl_module *m)
{
	struct nlattr *entry, *ra[LOGOS_RA_MAX + 1];
	int rem;

	memset(m, 0, sizeof(*m));
	m->seen = 1;
	m->id = logos_nla_u32(a[LOGOS_A_MODULE_ID], 0);
	m->state = logos_nla_u32(a[LOGOS_A_MODULE_STATE], ~0U);
	m->trust = logos_nla_u32(a[LOGOS_A_MODULE_TRUST], ~0U);
	m->pid = logos_nla_u32(a[LOGOS_A_MODULE_PID], ~0U);
	m->exit_flags = logos_nla_u32(a[LOGOS_A_MODULE_EXIT_FLAGS], ~0U);
	m->cpu_ns = logos_nla_u64(a[LOGOS_A_MODULE_CPU_NS], ~0ULL);
	m->denied_rights = logos_nla_u64(a[LOGOS_A_MODULE_DENIED_RIGHTS], ~0ULL);
	m->denied_quota = logos_nla_u64(a[LOGOS_A_MODULE_DENIED_QUOTA], ~0ULL);
	if (a[LOGOS_A_MODULE_NAME])
		nla_strlcpy(m->name, a[LOGOS_A_MODULE_NAME], sizeof(m->name));
	if (!a[LOGOS_A_MODULE_RESOURCES])
		return;
	nla_for_each_nested(entry, a[LOGOS_A_MODULE_RESOURCES], rem) {
		__u32 id;

		if (nla_type(entry) != LOGOS_A_RESOURCE_ENTRY ||
		    nla_parse_nested(ra, LOGOS_RA_MAX, entry, NULL) < 0 ||
		    !ra[LOGOS_RA_ID])
			continue;
		id = nla_get_u32(ra[LOGOS_RA_ID]);
		if (id >= LOGOS_RES_COUNT)
			continue;
		m->has_resource[id] = 1;
		m->usage[id] = logos_nla_u64(ra[LOGOS_RA_USAGE], ~0ULL);
		m->limit[id] = logos_nla_u64(ra[LOGOS_RA_LIMIT], 0);
	}
}

/* A dump of modules collected into an array. */
struct logos_nl_modules {
	int n;
	struct logos_nl_module m[256];
};

static inline void logos_nl_collect_module(struct nlattr **a, void *arg)
{
	struct logos_nl_modules *list = arg;

	if (list->n < (int)(sizeof(list->m) / sizeof(list->m[0])))
		logos_nl_parse_module(a, &list->m[list->n++]);
}

static inline const struct logos_nl_module *
logos_nl_modules_find(const struct logos_nl_modules *list, __u32 id)
{
	int i;

	for (i = 0; i < list->n; i++)
		if (list->m[i].id == id)
			return &list->m[i];
	return NULL;
}

/* LOGOS_CMD_GET_MODULE (do) for one module id. */
static inline void logos_nl_one_module(struct nlattr **a, void *arg)
{
	logos_nl_parse_module(a, arg);
}

static inline int logos_nl_get_module(__u32 id, struct logos_nl_module *m)
{
	struct logos_nl_arg args[] = { LOGOS_NL_U32(LOGOS_A_MODULE_ID, id), { 0 } };

	memset(m, 0, sizeof(*m));
	return logos_nl_cmd(LOGOS_CMD_GET_MODULE, false, args, logos_nl_one_module, m, NULL);
}

/* LOGOS_CMD_SET_QUOTA. */
static inline int logos_nl_set_quota(__u32 id, __u32 resource, __u64 limit)
{
	struct logos_nl_arg args[] = {
		LOGOS_NL_U32(LOGOS_A_MODULE_ID, id),
		LOGOS_NL_U32(LOGOS_A_RESOURCE, resource),
		LOGOS_NL_U64(LOGOS_A_LIMIT, limit),
		{ 0 },
	};

	return logos_nl_cmd(LOGOS_CMD_SET_QUOTA, false, args, NULL, NULL, NULL);
}

/* LOGOS_CMD_GET_STATS. */
struct logos_nl_stats {
	int seen;
	__u64 modules, objects, handles, events_sent;
	__u64 max_modules, max_objects, max_handles;
};

static inline void logos_nl_parse_stats(struct nlattr **a, void *arg)
{
	struct logos_nl_stats *s = arg;

	s->seen = 1;
	s->modules = logos_nla_u64(a[LOGOS_A_STATS_MODULES], ~0ULL);
	s->objects = logos_nla_u64(a[LOGOS_A_STATS_OBJECTS], ~0ULL);
	s->handles = logos_nla_u64(a[LOGOS_A_STATS_HANDLES], ~0ULL);
	s->events_sent = logos_nla_u64(a[LOGOS_A_STATS_EVENTS_SENT], ~0ULL);
	s->max_modules = logos_nla_u64(a[LOGOS_A_STATS_MAX_MODULES], 0);
	s->max_objects = logos_nla_u64(a[LOGOS_A_STATS_MAX_OBJECTS], 0);
	s->max_handles = logos_nla_u64(a[LOGOS_A_STATS_MAX_HANDLES], 0);
}

static inline int logos_nl_get_stats(struct logos_nl_stats *s)
{
	memset(s, 0, sizeof(*s));
	return logos_nl_cmd(LOGOS_CMD_GET_STATS, false, NULL, logos_nl_parse_stats, s, NULL);
}

/* LOGOS_CMD_GET_HANDLES: one module's table. */
struct logos_nl_handle {
	__u32 module_id, value, type, rights, flags;
	__u64 object_id, cap_id, parent_cap_id;
};

struct logos_nl_handles {
	int n;
	struct logos_nl_handle h[256];
};

static inline void logos_nl_collect_handle(struct nlattr **a, void *arg)
{
	struct logos_nl_handles *list = arg;
	struct nlattr *ha[LOGOS_HA_MAX + 1];
	struct logos_nl_handle *h;

	if (list->n >= (int)(sizeof(list->h) / sizeof(list->h[0])))
		return;
	h = &list->h[list->n++];
	memset(h, 0xff, sizeof(*h));
	h->module_id = logos_nla_u32(a[LOGOS_A_MODULE_ID], 0);
	if (!a[LOGOS_A_HANDLE] || nla_parse_nested(ha, LOGOS_HA_MAX, a[LOGOS_A_HANDLE], NULL) < 0)
		return;
	h->value = logos_nla_u32(ha[LOGOS_HA_VALUE], 0);
	h->type = logos_nla_u32(ha[LOGOS_HA_TYPE], ~0U);
	h->rights = logos_nla_u32(ha[LOGOS_HA_RIGHTS], ~0U);
	h->flags = logos_nla_u32(ha[LOGOS_HA_FLAGS], ~0U);
	h->object_id = logos_nla_u64(ha[LOGOS_HA_OBJECT_ID], ~0ULL);
	h->cap_id = logos_nla_u64(ha[LOGOS_HA_CAP_ID], ~0ULL);
	h->parent_cap_id = logos_nla_u64(ha[LOGOS_HA_PARENT_CAP_ID], ~0ULL);
}

static inline int logos_nl_get_handles(__u32 module_id, struct logos_nl_handles *list)
{
	struct logos_nl_arg args[] = { LOGOS_NL_U32(LOGOS_A_MODULE_ID, module_id), { 0 } };

	list->n = 0;
	return logos_nl_cmd(LOGOS_CMD_GET_HANDLES, true, args, logos_nl_collect_handle,
			    list, NULL);
}

static inline const struct logos_nl_handle *
logos_nl_handles_find(const struct logos_nl_handles *list, __u32 value)
{
	int i;

	for (i = 0; i < list->n; i++)
		if (list->h[i].value == value)
			return &list->h[i];
	return NULL;
}

/* ---- the "events" multicast group --------------------------------------- */

/* One LOGOS_CMD_EVENT message; @present has bit N set for attribute N. */
struct logos_nl_event {
	__u64 present;
	__u32 type, module_id, state, state_old, exit_flags, resource, count, rights;
	__u64 seq, time_ns, usage, limit, object_id;
	char name[LOGOS_NAME_MAX];
};

#define LOGOS_NL_MAX_EVENTS 1024

struct logos_nl_listener {
	struct nl_sock *sk;
	int n;
	int lost;	/* events that did not fit, or a socket overrun */
	struct logos_nl_event ev[LOGOS_NL_MAX_EVENTS];
};

static inline int logos_nl_on_event(struct nl_msg *msg, void *p)
{
	struct logos_nl_listener *l = p;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(hdr);
	struct nlattr *a[LOGOS_A_MAX + 1];
	struct logos_nl_event *e;
	int i;

	if (gh->cmd != LOGOS_CMD_EVENT ||
	    genlmsg_parse(hdr, 0, a, LOGOS_A_MAX, NULL) < 0)
		return NL_SKIP;
	if (l->n >= LOGOS_NL_MAX_EVENTS) {
		l->lost++;
		return NL_SKIP;
	}
	e = &l->ev[l->n++];
	memset(e, 0, sizeof(*e));
	for (i = 1; i <= LOGOS_A_MAX && i < 64; i++)
		if (a[i])
			e->present |= 1ULL << i;
	e->type = logos_nla_u32(a[LOGOS_A_EVENT_TYPE], 0);
	e->seq = logos_nla_u64(a[LOGOS_A_EVENT_SEQ], 0);
	e->time_ns = logos_nla_u64(a[LOGOS_A_EVENT_TIME_NS], 0);
	e->module_id = logos_nla_u32(a[LOGOS_A_MODULE_ID], ~0U);
	e->state = logos_nla_u32(a[LOGOS_A_MODULE_STATE], ~0U);
	e->state_old = logos_nla_u32(a[LOGOS_A_STATE_OLD], ~0U);
	e->exit_flags = logos_nla_u32(a[LOGOS_A_MODULE_EXIT_FLAGS], ~0U);
	e->resource = logos_nla_u32(a[LOGOS_A_RESOURCE], ~0U);
	e->usage = logos_nla_u64(a[LOGOS_A_USAGE], ~0ULL);
	e->limit = logos_nla_u64(a[LOGOS_A_LIMIT], ~0ULL);
	e->object_id = logos_nla_u64(a[LOGOS_A_OBJECT_ID], ~0ULL);
	e->count = logos_nla_u32(a[LOGOS_A_COUNT], ~0U);
	e->rights = logos_nla_u32(a[LOGOS_A_RIGHTS], ~0U);
	if (a[LOGOS_A_MODULE_NAME])
		nla_strlcpy(e->name, a[LOGOS_A_MODULE_NAME], sizeof(e->name));
	return NL_OK;
}

static inline void logos_nl_unlisten(struct logos_nl_listener *l)
{
	if (!l)
		return;
	nl_socket_free(l->sk);
	free(l);
}

/* Joins the "events" group; NULL on failure (errno set). */
static inline struct logos_nl_listener *logos_nl_listen(void)
{
	struct logos_nl_listener *l = calloc(1, sizeof(*l));
	int grp;

	if (!l)
		return NULL;
	l->sk = nl_socket_alloc();
	if (!l->sk || genl_connect(l->sk) < 0)
		goto fail;
	grp = genl_ctrl_resolve_grp(l->sk, LOGOS_GENL_NAME, LOGOS_GENL_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(l->sk, grp) < 0)
		goto fail;
	nl_socket_disable_seq_check(l->sk);
	nl_socket_set_buffer_size(l->sk, 4 << 20, 0);
	nl_socket_set_nonblocking(l->sk);
	nl_socket_modify_cb(l->sk, NL_CB_VALID, NL_CB_CUSTOM, logos_nl_on_event, l);
	return l;
fail:
	logos_nl_unlisten(l);
	errno = ENOENT;
	return NULL;
}

/*
 * Reads events until none arrived for @idle_ms. Returns the number of new
 * events, or -1 when the socket overran (events were lost).
 */
static inline int logos_nl_drain(struct logos_nl_listener *l, int idle_ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(l->sk), .events = POLLIN };
	int before = l->n;

	while (poll(&pfd, 1, idle_ms) > 0) {
		if (nl_recvmsgs_default(l->sk) == -NLE_NOMEM)
			l->lost++;	/* ENOBUFS: the socket overran */
	}
	return l->lost ? -1 : l->n - before;
}

/* Index of the first event at or after @from of @type about @module_id, or -1. */
static inline int logos_nl_find(const struct logos_nl_listener *l, int from,
				__u32 type, __u32 module_id)
{
	int i;

	for (i = from < 0 ? 0 : from; i < l->n; i++)
		if (l->ev[i].type == type && l->ev[i].module_id == module_id)
			return i;
	return -1;
}

static inline int logos_nl_count(const struct logos_nl_listener *l, __u32 type,
				 __u32 module_id)
{
	int i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->ev[i].type == type && l->ev[i].module_id == module_id;
	return n;
}

/* Waits up to @timeout_ms for an event of @type about @module_id. */
static inline const struct logos_nl_event *
logos_nl_wait_for(struct logos_nl_listener *l, __u32 type, __u32 module_id, int timeout_ms)
{
	__u64 end = logos_now_ns() + (__u64)timeout_ms * 1000000ULL;
	int i;

	for (;;) {
		i = logos_nl_find(l, 0, type, module_id);
		if (i >= 0)
			return &l->ev[i];
		if (logos_now_ns() >= end)
			return NULL;
		logos_nl_drain(l, 50);
	}
}

/* Waits up to @timeout_ms for a LOGOS_EVENT_STATE moving @module_id to @state. */
static inline const struct logos_nl_event *
logos_nl_wait_state(struct logos_nl_listener *l, __u32 module_id, __u32 state, int timeout_ms)
{
	__u64 end = logos_now_ns() + (__u64)timeout_ms * 1000000ULL;
	int i;

	for (;;) {
		for (i = logos_nl_find(l, 0, LOGOS_EVENT_STATE, module_id); i >= 0;
		     i = logos_nl_find(l, i + 1, LOGOS_EVENT_STATE, module_id))
			if (l->ev[i].state == state)
				return &l->ev[i];
		if (logos_now_ns() >= end)
			return NULL;
		logos_nl_drain(l, 50);
	}
}

#endif /* _LOGOS_TEST_NL_HELPERS_H */
