// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing shared by the subcommands. Errors are -errno,
 * turned into sentences only at the edge (lnl_strerror).
 */
#include <errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <string.h>
#include <strings.h>

#include "nl.h"

static const char *const state_names[] = {
	"loaded", "initializing", "running", "paused", "terminating", "terminated",
};
static const char *const trust_names[] = { "untrusted", "user", "system", "core" };
static const char *const resource_names[] = {
	"handles", "objects", "events", "channels", "msgs_queued", "bytes_queued",
	"memory_pages", "mapped_pages",
};
static const char *const type_names[] = { "none", "module", "event", "channel", "memory", "topic" };

#define NAME_OF(table, i) ((i) < sizeof(table) / sizeof(table[0]) ? table[i] : "?")

const char *lnl_state_name(__u32 state) { return NAME_OF(state_names, state); }
const char *lnl_trust_name(__u32 trust) { return NAME_OF(trust_names, trust); }
const char *lnl_resource_name(__u32 res) { return NAME_OF(resource_names, res); }
const char *lnl_type_name(__u32 type) { return NAME_OF(type_names, type); }

int lnl_resource_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(resource_names) / sizeof(resource_names[0]); i++) {
		if (!strcasecmp(name, resource_names[i]))
			return i;
	}
	return -EINVAL;
}

/* libnl's error codes back to errno, for the ones that matter here. */
static int lnl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_PERM: return -EPERM;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_NOACCESS: return -EACCES;
	default: return -EIO;
	}
}

int lnl_open(struct lnl *nl)
{
	int ret;

	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	ret = genl_connect(nl->sk);
	if (ret < 0)
		goto err;
	nl->family = genl_ctrl_resolve(nl->sk, LOGOS_GENL_NAME);
	if (nl->family < 0) {
		ret = nl->family == -NLE_OBJ_NOTFOUND ? -ENODEV : nl->family;
		goto err;
	}
	return 0;
err:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret == -ENODEV ? ret : lnl_errno(ret);
}

void lnl_close(struct lnl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct lnl_ctx {
	lnl_cb cb;
	void *arg;
	int err;
};

static int lnl_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *attrs[LOGOS_A_MAX + 1];
	struct lnl_ctx *ctx = arg;
	int ret;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, LOGOS_A_MAX, NULL) < 0)
		return NL_SKIP;
	ret = ctx->cb(attrs, ctx->arg);
	if (ret < 0) {
		ctx->err = ret;
		return NL_STOP;
	}
	return NL_OK;
}

static int lnl_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct lnl_ctx *ctx = arg;

	(void)nla;
	ctx->err = err->error;
	return NL_STOP;
}

int lnl_request(struct lnl *nl, __u8 cmd, bool dump, const struct lnl_attr *attrs, int nr,
		lnl_cb cb, void *arg)
{
	struct lnl_ctx ctx = { .cb = cb, .arg = arg, .err = 0 };
	struct nl_msg *msg = nlmsg_alloc();
	int i, ret;

	if (!msg)
		return -ENOMEM;
	ret = -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, dump ? NLM_F_DUMP : 0,
			 cmd, LOGOS_GENL_VERSION))
		goto out;
	for (i = 0; i < nr; i++) {
		if (attrs[i].is_u64 ? nla_put_u64(msg, attrs[i].type, attrs[i].value) :
				      nla_put_u32(msg, attrs[i].type, (__u32)attrs[i].value))
			goto out;
	}
	if (cb)
		nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, lnl_valid, &ctx);
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, lnl_error, &ctx);
	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		ret = lnl_errno(ret);
		goto out;
	}
	ret = nl_recvmsgs_default(nl->sk);
	if (ctx.err)
		ret = ctx.err;
	else if (ret < 0)
		ret = lnl_errno(ret);
	else
		ret = 0;
out:
	nlmsg_free(msg);
	return ret;
}

int lnl_subscribe_events(struct lnl *nl)
{
	int grp = genl_ctrl_resolve_grp(nl->sk, LOGOS_GENL_NAME, LOGOS_GENL_MCGRP_EVENTS);
	int ret;

	if (grp < 0)
		return lnl_errno(grp);
	nl_socket_disable_seq_check(nl->sk);
	ret = nl_socket_add_membership(nl->sk, grp);
	return ret < 0 ? lnl_errno(ret) : 0;
}

int lnl_receive(struct lnl *nl, lnl_cb cb, void *arg)
{
	struct lnl_ctx ctx = { .cb = cb, .arg = arg, .err = 0 };
	int ret;

	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, lnl_valid, &ctx);
	ret = nl_recvmsgs_default(nl->sk);
	if (ctx.err)
		return ctx.err;
	return ret < 0 ? lnl_errno(ret) : 0;
}

const char *lnl_strerror(int err)
{
	switch (-err) {
	case ENODEV:
		return "logos.ko is not loaded (no generic netlink family \"logos\"): modprobe logos";
	case EPERM:
	case EACCES:
		return "permission denied: run as root (CAP_NET_ADMIN)";
	case ENOENT:
		return "no such module: see 'logosctl list'";
	case EINVAL:
		return "the kernel refused the request as invalid";
	case ERANGE:
		return "a value is out of range";
	case ENOMEM:
		return "out of memory";
	default:
		return strerror(-err);
	}
}
