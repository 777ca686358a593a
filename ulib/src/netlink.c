// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Generic netlink queries of logos.ko with libnl-genl-3. Requests use
 * their own callback set, so errors come back as the kernel's errnos
 * (from the NLMSG_ERROR message) rather than as libnl's NLE_ codes.
 */
#include "internal.h"

#include <logos/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <stdlib.h>

struct logos_nl {
	struct nl_sock *sk;
	int family;
};

typedef int (*parse_fn)(struct nlattr **attrs, void *arg);
typedef int (*put_fn)(struct nl_msg *msg, const void *arg);

struct req {
	int err;
	bool done;
	parse_fn parse;
	void *arg;
};

/* libnl's codes for the errors that reach us without an NLMSG_ERROR. */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0:
		return 0;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_INTR:
		return -EINTR;
	default:
		return -EIO;
	}
}

static int nl_new(struct logos_nl **out, struct logos_nl **nlp)
{
	struct logos_nl *nl = calloc(1, sizeof(*nl));
	int ret;

	if (!nl)
		return -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return -ENOMEM;
	}
	ret = genl_connect(nl->sk);
	if (!ret)
		ret = genl_ctrl_resolve(nl->sk, LOGOS_GENL_NAME);
	if (ret < 0) {
		logos_nl_close(nl);
		return nle_errno(ret);
	}
	nl->family = ret;
	*nlp = nl;
	*out = nl;
	return 0;
}

int logos_nl_open(struct logos_nl **out)
{
	struct logos_nl *nl;
	int ret = nl_new(out, &nl);

	if (!ret)
		nl_socket_disable_auto_ack(nl->sk);
	return ret;
}

int logos_nl_open_events(struct logos_nl **out)
{
	struct logos_nl *nl;
	int grp, ret = nl_new(out, &nl);

	if (ret)
		return ret;
	grp = genl_ctrl_resolve_grp(nl->sk, LOGOS_GENL_NAME, LOGOS_GENL_MCGRP_EVENTS);
	ret = grp < 0 ? grp : nl_socket_add_membership(nl->sk, grp);
	if (!ret)
		ret = nl_socket_set_nonblocking(nl->sk);
	if (ret < 0) {
		logos_nl_close(nl);
		*out = NULL;
		return nle_errno(ret);
	}
	nl_socket_disable_seq_check(nl->sk);
	return 0;
}

void logos_nl_close(struct logos_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

int logos_nl_fd(const struct logos_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

/* ---- requests ------------------------------------------------------- */

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *attrs[LOGOS_A_MAX + 1];
	struct req *r = arg;
	int ret;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, LOGOS_A_MAX, NULL) < 0) {
		r->err = -EBADMSG;
		return NL_STOP;
	}
	ret = r->parse ? r->parse(attrs, r->arg) : 0;
	if (ret) {
		r->err = ret;
		return NL_STOP;
	}
	return NL_OK;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct req *r = arg;

	(void)who;
	r->err = e->error < 0 ? e->error : -EIO;
	return NL_STOP;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct req *r = arg;
	int err;

	/* A dump that failed ends with NLMSG_DONE carrying the errno. */
	if (hdr->nlmsg_type == NLMSG_DONE && nlmsg_datalen(hdr) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(hdr), sizeof(err));
		if (err < 0 && !r->err)
			r->err = err;
	}
	r->done = true;
	return NL_STOP;
}

/*
 * Sends @cmd (a dump with @dump) with the attributes @put adds, and calls
 * @parse for every answer until the ACK or the end of the dump.
 */
static int request(struct logos_nl *nl, uint8_t cmd, bool dump, put_fn put, const void *put_arg,
		   parse_fn parse, void *arg)
{
	struct req r = { .parse = parse, .arg = arg };
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = -ENOMEM;

	if (!msg || !cb)
		goto out;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, cmd, LOGOS_GENL_VERSION))
		goto out;
	if (put) {
		ret = put(msg, put_arg);
		if (ret)
			goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);
	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		ret = nle_errno(ret);
		goto out;
	}
	ret = 0;
	while (!r.done && !r.err) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0)
			break;
	}
	ret = r.err ? r.err : nle_errno(ret);
	/* We stopped in the middle of a dump: read the rest away. */
	if (dump && r.err && !r.done) {
		r.parse = NULL;
		r.err = 0;
		while (!r.done && !r.err && nl_recvmsgs(nl->sk, cb) >= 0)
			;
	}
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

static uint32_t get_u32(struct nlattr **a, int i)
{
	return a[i] ? nla_get_u32(a[i]) : 0;
}

static uint64_t get_u64(struct nlattr **a, int i)
{
	return a[i] ? nla_get_u64(a[i]) : 0;
}

static int parse_version(struct nlattr **a, void *arg)
{
	struct logos_version *v = arg;

	if (!a[LOGOS_A_VERSION_MAJOR] || !a[LOGOS_A_VERSION_MINOR])
		return -EBADMSG;
	memset(v, 0, sizeof(*v));
	v->major = get_u32(a, LOGOS_A_VERSION_MAJOR);
	v->minor = get_u32(a, LOGOS_A_VERSION_MINOR);
	v->patch = get_u32(a, LOGOS_A_VERSION_PATCH);
	v->features = get_u64(a, LOGOS_A_VERSION_FEATURES);
	return 0;
}

int logos_nl_get_version(struct logos_nl *nl, struct logos_version *ver)
{
	struct logos_version v;
	int ret = request(nl, LOGOS_CMD_GET_VERSION, false, NULL, NULL, parse_version, &v);

	if (!ret)
		*ver = v;
	return ret;
}

/* ---- modules -------------------------------------------------------- */

static int fill_module(struct nlattr **a, struct logos_nl_module *m)
{
	struct nlattr *e;
	int rem;

	if (!a[LOGOS_A_MODULE_ID])
		return -EBADMSG;
	memset(m, 0, sizeof(*m));
	m->id = get_u32(a, LOGOS_A_MODULE_ID);
	m->state = get_u32(a, LOGOS_A_MODULE_STATE);
	m->trust_level = get_u32(a, LOGOS_A_MODULE_TRUST);
	m->pid = get_u32(a, LOGOS_A_MODULE_PID);
	m->exit_flags = get_u32(a, LOGOS_A_MODULE_EXIT_FLAGS);
	if (a[LOGOS_A_MODULE_NAME])
		nla_strlcpy(m->name, a[LOGOS_A_MODULE_NAME], sizeof(m->name));
	m->cpu_ns = get_u64(a, LOGOS_A_MODULE_CPU_NS);
	m->denied_rights = get_u64(a, LOGOS_A_MODULE_DENIED_RIGHTS);
	m->denied_quota = get_u64(a, LOGOS_A_MODULE_DENIED_QUOTA);
	m->msgs_sent = get_u64(a, LOGOS_A_MODULE_MSGS_SENT);
	m->bytes_sent = get_u64(a, LOGOS_A_MODULE_BYTES_SENT);
	m->msgs_received = get_u64(a, LOGOS_A_MODULE_MSGS_RECEIVED);
	m->bytes_received = get_u64(a, LOGOS_A_MODULE_BYTES_RECEIVED);
	if (!a[LOGOS_A_MODULE_RESOURCES])
		return 0;
	nla_for_each_nested(e, a[LOGOS_A_MODULE_RESOURCES], rem) {
		struct nlattr *ra[LOGOS_RA_MAX + 1];
		uint32_t id;

		if (nla_parse_nested(ra, LOGOS_RA_MAX, e, NULL) < 0 || !ra[LOGOS_RA_ID])
			return -EBADMSG;
		id = nla_get_u32(ra[LOGOS_RA_ID]);
		if (id >= LOGOS_RES_COUNT)
			continue;	/* a resource newer than this library */
		m->usage[id] = get_u64(ra, LOGOS_RA_USAGE);
		m->limit[id] = get_u64(ra, LOGOS_RA_LIMIT);
	}
	return 0;
}

static int parse_module(struct nlattr **a, void *arg)
{
	return fill_module(a, arg);
}

static int put_module_id(struct nl_msg *msg, const void *arg)
{
	return nla_put_u32(msg, LOGOS_A_MODULE_ID, *(const uint32_t *)arg) ? -EMSGSIZE : 0;
}

int logos_nl_get_module(struct logos_nl *nl, uint32_t module_id, struct logos_nl_module *mod)
{
	struct logos_nl_module m;
	int ret = request(nl, LOGOS_CMD_GET_MODULE, false, put_module_id, &module_id,
			  parse_module, &m);

	if (!ret)
		*mod = m;
	return ret;
}

/* A growing array for dumps. */
struct list {
	void *items;
	size_t count, cap, size;
};

static void *list_add(struct list *l)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->items, cap * l->size);

		if (!p)
			return NULL;
		l->items = p;
		l->cap = cap;
	}
	return (char *)l->items + l->size * l->count++;
}

static int parse_module_item(struct nlattr **a, void *arg)
{
	struct logos_nl_module *m = list_add(arg);

	return m ? fill_module(a, m) : -ENOMEM;
}

int logos_nl_list_modules(struct logos_nl *nl, struct logos_nl_module **mods, size_t *count)
{
	struct list l = { .size = sizeof(**mods) };
	int ret = request(nl, LOGOS_CMD_GET_MODULE, true, NULL, NULL, parse_module_item, &l);

	if (ret) {
		free(l.items);
		return ret;
	}
	*mods = l.items;
	*count = l.count;
	return 0;
}

static int parse_handle_item(struct nlattr **a, void *arg)
{
	struct nlattr *ha[LOGOS_HA_MAX + 1];
	struct logos_nl_handle *h;

	if (!a[LOGOS_A_HANDLE] || nla_parse_nested(ha, LOGOS_HA_MAX, a[LOGOS_A_HANDLE], NULL) < 0 ||
	    !ha[LOGOS_HA_VALUE])
		return -EBADMSG;
	h = list_add(arg);
	if (!h)
		return -ENOMEM;
	h->value = get_u32(ha, LOGOS_HA_VALUE);
	h->type = get_u32(ha, LOGOS_HA_TYPE);
	h->rights = get_u32(ha, LOGOS_HA_RIGHTS);
	h->flags = get_u32(ha, LOGOS_HA_FLAGS);
	h->object_id = get_u64(ha, LOGOS_HA_OBJECT_ID);
	h->cap_id = get_u64(ha, LOGOS_HA_CAP_ID);
	h->parent_cap_id = get_u64(ha, LOGOS_HA_PARENT_CAP_ID);
	return 0;
}

int logos_nl_list_handles(struct logos_nl *nl, uint32_t module_id,
			  struct logos_nl_handle **handles, size_t *count)
{
	struct list l = { .size = sizeof(**handles) };
	int ret = request(nl, LOGOS_CMD_GET_HANDLES, true, put_module_id, &module_id,
			  parse_handle_item, &l);

	if (ret) {
		free(l.items);
		return ret;
	}
	*handles = l.items;
	*count = l.count;
	return 0;
}

static int parse_grant_item(struct nlattr **a, void *arg)
{
	struct logos_nl_grant *g;

	if (!a[LOGOS_A_GRANT_FROM] || !a[LOGOS_A_GRANT_TO])
		return -EBADMSG;
	g = list_add(arg);
	if (!g)
		return -ENOMEM;
	g->from = get_u32(a, LOGOS_A_GRANT_FROM);
	g->to = get_u32(a, LOGOS_A_GRANT_TO);
	g->handles = get_u32(a, LOGOS_A_GRANT_HANDLES);
	g->pages = get_u64(a, LOGOS_A_GRANT_PAGES);
	return 0;
}

int logos_nl_list_grants(struct logos_nl *nl, struct logos_nl_grant **grants, size_t *count)
{
	struct list l = { .size = sizeof(**grants) };
	int ret = request(nl, LOGOS_CMD_GET_GRANTS, true, NULL, NULL, parse_grant_item, &l);

	if (ret) {
		free(l.items);
		return ret;
	}
	*grants = l.items;
	*count = l.count;
	return 0;
}

/* ---- stats and quotas ----------------------------------------------- */

static int parse_stats(struct nlattr **a, void *arg)
{
	struct logos_nl_stats *s = arg;

	s->modules = get_u64(a, LOGOS_A_STATS_MODULES);
	s->objects = get_u64(a, LOGOS_A_STATS_OBJECTS);
	s->handles = get_u64(a, LOGOS_A_STATS_HANDLES);
	s->events_sent = get_u64(a, LOGOS_A_STATS_EVENTS_SENT);
	s->max_modules = get_u64(a, LOGOS_A_STATS_MAX_MODULES);
	s->max_objects = get_u64(a, LOGOS_A_STATS_MAX_OBJECTS);
	s->max_handles = get_u64(a, LOGOS_A_STATS_MAX_HANDLES);
	return 0;
}

int logos_nl_get_stats(struct logos_nl *nl, struct logos_nl_stats *stats)
{
	struct logos_nl_stats s = { 0 };
	int ret = request(nl, LOGOS_CMD_GET_STATS, false, NULL, NULL, parse_stats, &s);

	if (!ret)
		*stats = s;
	return ret;
}

struct quota {
	uint32_t module_id, resource;
	uint64_t limit;
};

static int put_quota(struct nl_msg *msg, const void *arg)
{
	const struct quota *q = arg;

	if (nla_put_u32(msg, LOGOS_A_MODULE_ID, q->module_id) ||
	    nla_put_u32(msg, LOGOS_A_RESOURCE, q->resource) ||
	    nla_put_u64(msg, LOGOS_A_LIMIT, q->limit))
		return -EMSGSIZE;
	return 0;
}

int logos_nl_set_quota(struct logos_nl *nl, uint32_t module_id, uint32_t resource, uint64_t limit)
{
	struct quota q = { .module_id = module_id, .resource = resource, .limit = limit };

	return request(nl, LOGOS_CMD_SET_QUOTA, false, put_quota, &q, NULL, NULL);
}

/* ---- events --------------------------------------------------------- */

struct events {
	logos_nl_event_fn fn;
	void *arg;
	int count;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *a[LOGOS_A_MAX + 1];
	struct events *evs = arg;
	struct logos_nl_event ev;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, LOGOS_A_MAX, NULL) < 0 ||
	    ((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->cmd != LOGOS_CMD_EVENT)
		return NL_SKIP;
	memset(&ev, 0, sizeof(ev));
	ev.type = get_u32(a, LOGOS_A_EVENT_TYPE);
	ev.module_id = get_u32(a, LOGOS_A_MODULE_ID);
	ev.seq = get_u64(a, LOGOS_A_EVENT_SEQ);
	ev.time_ns = get_u64(a, LOGOS_A_EVENT_TIME_NS);
	if (a[LOGOS_A_MODULE_NAME])
		nla_strlcpy(ev.module_name, a[LOGOS_A_MODULE_NAME], sizeof(ev.module_name));
	ev.state = get_u32(a, LOGOS_A_MODULE_STATE);
	ev.state_old = get_u32(a, LOGOS_A_STATE_OLD);
	ev.exit_flags = get_u32(a, LOGOS_A_MODULE_EXIT_FLAGS);
	ev.resource = get_u32(a, LOGOS_A_RESOURCE);
	ev.usage = get_u64(a, LOGOS_A_USAGE);
	ev.limit = get_u64(a, LOGOS_A_LIMIT);
	ev.object_id = get_u64(a, LOGOS_A_OBJECT_ID);
	ev.count = get_u32(a, LOGOS_A_COUNT);
	ev.rights = get_u32(a, LOGOS_A_RIGHTS);
	evs->fn(&ev, evs->arg);
	evs->count++;
	return NL_OK;
}

static int any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int logos_nl_read_events(struct logos_nl *nl, logos_nl_event_fn fn, void *arg)
{
	struct events evs = { .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &evs);
	/* Multicast messages carry no sequence number of ours. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
	for (;;) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret == -NLE_AGAIN) {
			ret = 0;
			break;
		}
		if (ret == -NLE_NOMEM) {
			ret = -ENOBUFS;	/* the socket overflowed */
			break;
		}
		if (ret < 0) {
			ret = nle_errno(ret);
			break;
		}
	}
	nl_cb_put(cb);
	return ret < 0 ? ret : evs.count;
}
