// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "logos": introspection and control for operators
 * and tools, and the "events" multicast group. The attribute tree of every
 * command is documented in uapi/linux/logos.h.
 */

#include "netlink.h"
#include "device.h"
#include "module.h"
#include "object.h"
#include "quota.h"

#include <uapi/linux/logos.h>

#include <linux/ktime.h>
#include <net/genetlink.h>

static const struct nla_policy logos_genl_policy[LOGOS_A_MAX + 1] = {
	[LOGOS_A_MODULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[LOGOS_A_RESOURCE] = NLA_POLICY_MAX(NLA_U32, __LOGOS_RES_MAX - 1),
	[LOGOS_A_LIMIT] = { .type = NLA_U64 },
};

/* Per command, the attributes it takes; any other is refused. */
static const struct nla_policy logos_get_module_policy[LOGOS_A_MAX + 1] = {
	[LOGOS_A_MODULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy logos_set_quota_policy[LOGOS_A_MAX + 1] = {
	[LOGOS_A_MODULE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[LOGOS_A_RESOURCE] = NLA_POLICY_MAX(NLA_U32, __LOGOS_RES_MAX - 1),
	[LOGOS_A_LIMIT] = { .type = NLA_U64 },
};

static const struct nla_policy logos_no_attr_policy[LOGOS_A_MAX + 1] = {};

static struct genl_family logos_genl_family;
static atomic64_t logos_event_seq = ATOMIC64_INIT(0);
static atomic64_t logos_events_sent = ATOMIC64_INIT(0);

static int logos_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct logos_version ver;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &logos_genl_family, 0, LOGOS_CMD_GET_VERSION);
	if (!hdr)
		goto err_msg;

	logos_fill_version(&ver);
	if (nla_put_u32(msg, LOGOS_A_VERSION_MAJOR, ver.major) ||
	    nla_put_u32(msg, LOGOS_A_VERSION_MINOR, ver.minor) ||
	    nla_put_u32(msg, LOGOS_A_VERSION_PATCH, ver.patch) ||
	    nla_put_u64_64bit(msg, LOGOS_A_VERSION_FEATURES, ver.features, LOGOS_A_PAD))
		goto err_msg;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int logos_put_module(struct sk_buff *msg, struct logos_module *m)
{
	struct logos_module_info *info;
	struct nlattr *resources, *entry;
	int i, ret = -EMSGSIZE;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	logos_module_fill_info(m, info, true);
	if (nla_put_u32(msg, LOGOS_A_MODULE_ID, info->module_id) ||
	    nla_put_string(msg, LOGOS_A_MODULE_NAME, info->name) ||
	    nla_put_u32(msg, LOGOS_A_MODULE_STATE, info->state) ||
	    nla_put_u32(msg, LOGOS_A_MODULE_TRUST, info->trust_level) ||
	    nla_put_u32(msg, LOGOS_A_MODULE_PID, info->pid) ||
	    nla_put_u32(msg, LOGOS_A_MODULE_EXIT_FLAGS, info->exit_flags) ||
	    nla_put_u64_64bit(msg, LOGOS_A_MODULE_CPU_NS, info->cpu_time_ns, LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_MODULE_DENIED_RIGHTS, info->denied_rights,
			      LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_MODULE_DENIED_QUOTA, info->denied_quota,
			      LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_MODULE_MSGS_SENT, info->msgs_sent, LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_MODULE_BYTES_SENT, info->bytes_sent, LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_MODULE_MSGS_RECEIVED, info->msgs_received,
			      LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_MODULE_BYTES_RECEIVED, info->bytes_received,
			      LOGOS_A_PAD))
		goto out;
	resources = nla_nest_start(msg, LOGOS_A_MODULE_RESOURCES);
	if (!resources)
		goto out;
	for (i = 0; i < __LOGOS_RES_MAX; i++) {
		entry = nla_nest_start(msg, LOGOS_A_RESOURCE_ENTRY);
		if (!entry ||
		    nla_put_u32(msg, LOGOS_RA_ID, i) ||
		    nla_put_u64_64bit(msg, LOGOS_RA_USAGE, info->usage[i], LOGOS_RA_PAD) ||
		    nla_put_u64_64bit(msg, LOGOS_RA_LIMIT, info->limit[i], LOGOS_RA_PAD))
			goto out;
		nla_nest_end(msg, entry);
	}
	nla_nest_end(msg, resources);
	ret = 0;
out:
	kfree(info);
	return ret;
}

static int logos_nl_get_module(struct sk_buff *skb, struct genl_info *info)
{
	struct logos_module *m;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, LOGOS_A_MODULE_ID))
		return -EINVAL;
	m = logos_module_find(nla_get_u32(info->attrs[LOGOS_A_MODULE_ID]));
	if (!m) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LOGOS_A_MODULE_ID],
				    "no module with this id");
		return -ENOENT;
	}
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &logos_genl_family, 0, LOGOS_CMD_GET_MODULE);
	if (!hdr || logos_put_module(msg, m)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	logos_module_put(m);
	return ret;
}

/* cb->args[0]: the next module id to dump. */
static int logos_nl_dump_modules(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long index = cb->args[0];
	struct logos_module *m;
	void *hdr;

	while ((m = logos_module_next(&index))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &logos_genl_family, NLM_F_MULTI, LOGOS_CMD_GET_MODULE);
		if (!hdr || logos_put_module(skb, m)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			logos_module_put(m);
			break;
		}
		genlmsg_end(skb, hdr);
		logos_module_put(m);
		index++;
	}
	cb->args[0] = index;
	return skb->len;
}

struct logos_handle_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u32 module_id;
};

static int logos_put_handle(void *arg, u32 value, const struct logos_cap *cap)
{
	struct logos_handle_dump *d = arg;
	struct sk_buff *skb = d->skb;
	struct nlattr *nest;
	u64 parent_id;
	void *hdr;

	/* The parent may be closed meanwhile; its link is stable under this. */
	spin_lock(&cap->obj->lock);
	parent_id = cap->parent ? cap->parent->id : 0;
	spin_unlock(&cap->obj->lock);

	hdr = genlmsg_put(skb, NETLINK_CB(d->cb->skb).portid, d->cb->nlh->nlmsg_seq,
			  &logos_genl_family, NLM_F_MULTI, LOGOS_CMD_GET_HANDLES);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, LOGOS_A_MODULE_ID, d->module_id))
		goto cancel;
	nest = nla_nest_start(skb, LOGOS_A_HANDLE);
	if (!nest ||
	    nla_put_u32(skb, LOGOS_HA_VALUE, value) ||
	    nla_put_u32(skb, LOGOS_HA_TYPE, logos_object_type(cap->obj)) ||
	    nla_put_u32(skb, LOGOS_HA_RIGHTS, READ_ONCE(cap->rights)) ||
	    nla_put_u32(skb, LOGOS_HA_FLAGS,
			READ_ONCE(cap->revoked) ? LOGOS_HANDLE_F_REVOKED : 0) ||
	    nla_put_u64_64bit(skb, LOGOS_HA_OBJECT_ID, cap->obj->id, LOGOS_HA_PAD) ||
	    nla_put_u64_64bit(skb, LOGOS_HA_CAP_ID, cap->id, LOGOS_HA_PAD) ||
	    nla_put_u64_64bit(skb, LOGOS_HA_PARENT_CAP_ID, parent_id, LOGOS_HA_PAD))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* cb->args[0]: the slot to continue from. */
static int logos_nl_dump_handles(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct logos_handle_dump d = { .skb = skb, .cb = cb };
	struct logos_module *m;
	u32 pos = cb->args[0];

	if (!info->attrs[LOGOS_A_MODULE_ID]) {
		NL_SET_ERR_MSG(cb->extack, "LOGOS_A_MODULE_ID is required");
		return -EINVAL;
	}
	d.module_id = nla_get_u32(info->attrs[LOGOS_A_MODULE_ID]);
	m = logos_module_find(d.module_id);
	if (!m) {
		NL_SET_ERR_MSG(cb->extack, "no module with this id");
		return -ENOENT;
	}
	logos_table_for_each(&m->table, &pos, logos_put_handle, &d);
	logos_module_put(m);
	cb->args[0] = pos;
	return skb->len;
}

struct logos_grant_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u32 to;
};

static int logos_put_grant(void *arg, u32 from, u32 handles, u64 pages)
{
	struct logos_grant_dump *d = arg;
	void *hdr;

	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid, d->cb->nlh->nlmsg_seq,
			  &logos_genl_family, NLM_F_MULTI, LOGOS_CMD_GET_GRANTS);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(d->skb, LOGOS_A_GRANT_FROM, from) ||
	    nla_put_u32(d->skb, LOGOS_A_GRANT_TO, d->to) ||
	    nla_put_u32(d->skb, LOGOS_A_GRANT_HANDLES, handles) ||
	    nla_put_u64_64bit(d->skb, LOGOS_A_GRANT_PAGES, pages, LOGOS_A_PAD)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

/* cb->args[0]: the grantee module id; cb->args[1]: its next record. */
static int logos_nl_dump_grants(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct logos_grant_dump d = { .skb = skb, .cb = cb };
	unsigned long index = cb->args[0];
	struct logos_module *m;
	u32 pos = cb->args[1];
	int ret = 0;

	while (!ret && (m = logos_module_next(&index))) {
		d.to = logos_module_id(m);
		ret = logos_module_visit_grants(m, &pos, logos_put_grant, &d);
		logos_module_put(m);
		if (!ret) {
			index++;
			pos = 0;
		}
	}
	cb->args[0] = index;
	cb->args[1] = pos;
	return skb->len;
}

static int logos_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &logos_genl_family, 0, LOGOS_CMD_GET_STATS);
	if (!hdr ||
	    nla_put_u64_64bit(msg, LOGOS_A_STATS_MODULES,
			      logos_global_usage(LOGOS_GLOBAL_MODULES), LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_STATS_OBJECTS, logos_objects_live(), LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_STATS_HANDLES,
			      logos_global_usage(LOGOS_GLOBAL_HANDLES), LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_STATS_EVENTS_SENT,
			      atomic64_read(&logos_events_sent), LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_STATS_MAX_MODULES,
			      logos_global_limit(LOGOS_GLOBAL_MODULES), LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_STATS_MAX_OBJECTS,
			      logos_global_limit(LOGOS_GLOBAL_OBJECTS), LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_STATS_MAX_HANDLES,
			      logos_global_limit(LOGOS_GLOBAL_HANDLES), LOGOS_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int logos_nl_set_quota(struct sk_buff *skb, struct genl_info *info)
{
	struct logos_module *m;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, LOGOS_A_MODULE_ID) ||
	    GENL_REQ_ATTR_CHECK(info, LOGOS_A_RESOURCE) ||
	    GENL_REQ_ATTR_CHECK(info, LOGOS_A_LIMIT))
		return -EINVAL;
	m = logos_module_find(nla_get_u32(info->attrs[LOGOS_A_MODULE_ID]));
	if (!m) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LOGOS_A_MODULE_ID],
				    "no module with this id");
		return -ENOENT;
	}
	ret = logos_module_set_quota(m, nla_get_u32(info->attrs[LOGOS_A_RESOURCE]),
				     nla_get_u64(info->attrs[LOGOS_A_LIMIT]));
	logos_module_put(m);
	return ret;
}

static const struct genl_ops logos_genl_ops[] = {
	{
		.cmd = LOGOS_CMD_GET_VERSION,
		.doit = logos_nl_get_version,
		.policy = logos_no_attr_policy,
		.maxattr = LOGOS_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = LOGOS_CMD_GET_MODULE,
		.doit = logos_nl_get_module,
		.dumpit = logos_nl_dump_modules,
		.policy = logos_get_module_policy,
		.maxattr = LOGOS_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = LOGOS_CMD_GET_HANDLES,
		.dumpit = logos_nl_dump_handles,
		.policy = logos_get_module_policy,
		.maxattr = LOGOS_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = LOGOS_CMD_GET_GRANTS,
		.dumpit = logos_nl_dump_grants,
		.policy = logos_no_attr_policy,
		.maxattr = LOGOS_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = LOGOS_CMD_GET_STATS,
		.doit = logos_nl_get_stats,
		.policy = logos_no_attr_policy,
		.maxattr = LOGOS_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = LOGOS_CMD_SET_QUOTA,
		.doit = logos_nl_set_quota,
		.policy = logos_set_quota_policy,
		.maxattr = LOGOS_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group logos_genl_mcgrps[] = {
	/* Events name modules and what they do: not for everyone's eyes. */
	{ .name = LOGOS_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family logos_genl_family __ro_after_init = {
	.ops = logos_genl_ops,
	.n_ops = ARRAY_SIZE(logos_genl_ops),
	.resv_start_op = 0,	/* strict header checks for every command */
	.mcgrps = logos_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(logos_genl_mcgrps),
	.name = LOGOS_GENL_NAME,
	.version = LOGOS_GENL_VERSION,
	.maxattr = LOGOS_A_MAX,
	.policy = logos_genl_policy,
	.module = THIS_MODULE,
	.netnsok = false,
};

/*
 * Starts an event message; the sequence number moves even when nobody
 * listens, so a listener that joins late or overflows sees the gap.
 */
static struct sk_buff *logos_event_start(u32 type, struct logos_module *m, void **hdr)
{
	u64 seq = atomic64_inc_return(&logos_event_seq);
	struct sk_buff *msg;

	if (!genl_has_listeners(&logos_genl_family, &init_net, 0))
		return NULL;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &logos_genl_family, 0, LOGOS_CMD_EVENT);
	if (!*hdr ||
	    nla_put_u32(msg, LOGOS_A_EVENT_TYPE, type) ||
	    nla_put_u64_64bit(msg, LOGOS_A_EVENT_SEQ, seq, LOGOS_A_PAD) ||
	    nla_put_u64_64bit(msg, LOGOS_A_EVENT_TIME_NS, ktime_get_ns(), LOGOS_A_PAD) ||
	    nla_put_u32(msg, LOGOS_A_MODULE_ID, m ? logos_module_id(m) : 0) ||
	    (m && nla_put_string(msg, LOGOS_A_MODULE_NAME, m->name))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void logos_event_send(struct sk_buff *msg, void *hdr, bool ok)
{
	if (!ok) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&logos_genl_family, msg, 0, 0, GFP_ATOMIC);
	atomic64_inc(&logos_events_sent);
}

void logos_nl_event_state(struct logos_module *m, u32 old, u32 state)
{
	struct sk_buff *msg;
	void *hdr;
	u32 exit_flags = READ_ONCE(m->exit_flags);

	msg = logos_event_start(LOGOS_EVENT_STATE, m, &hdr);
	if (msg)
		logos_event_send(msg, hdr,
				 !nla_put_u32(msg, LOGOS_A_MODULE_STATE, state) &&
				 !nla_put_u32(msg, LOGOS_A_STATE_OLD, old) &&
				 !nla_put_u32(msg, LOGOS_A_MODULE_EXIT_FLAGS, exit_flags));
}

void logos_nl_event_quota(struct logos_module *m, u32 type, u32 resource, u64 usage,
			  u64 limit)
{
	struct sk_buff *msg;
	void *hdr;

	msg = logos_event_start(type, m, &hdr);
	if (msg)
		logos_event_send(msg, hdr,
				 !nla_put_u32(msg, LOGOS_A_RESOURCE, resource) &&
				 !nla_put_u64_64bit(msg, LOGOS_A_USAGE, usage, LOGOS_A_PAD) &&
				 !nla_put_u64_64bit(msg, LOGOS_A_LIMIT, limit, LOGOS_A_PAD));
}

void logos_nl_event_revoke(struct logos_module *m, u64 object_id, u32 count)
{
	struct sk_buff *msg;
	void *hdr;

	msg = logos_event_start(LOGOS_EVENT_REVOKE, m, &hdr);
	if (msg)
		logos_event_send(msg, hdr,
				 !nla_put_u64_64bit(msg, LOGOS_A_OBJECT_ID, object_id,
						    LOGOS_A_PAD) &&
				 !nla_put_u32(msg, LOGOS_A_COUNT, count));
}

void logos_nl_event_denied(struct logos_module *m, u64 object_id, u32 missing)
{
	struct sk_buff *msg;
	void *hdr;

	msg = logos_event_start(LOGOS_EVENT_RIGHTS_DENIED, m, &hdr);
	if (msg)
		logos_event_send(msg, hdr,
				 !nla_put_u64_64bit(msg, LOGOS_A_OBJECT_ID, object_id,
						    LOGOS_A_PAD) &&
				 !nla_put_u32(msg, LOGOS_A_RIGHTS, missing));
}

int __init logos_genetlink_init(void)
{
	return genl_register_family(&logos_genl_family);
}

void logos_genetlink_uninit(void)
{
	genl_unregister_family(&logos_genl_family);
}
