// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "logos": introspection for operators and tools.
 */

#include "netlink.h"
#include "device.h"

#include <uapi/linux/logos.h>

#include <net/genetlink.h>

static const struct nla_policy logos_genl_policy[LOGOS_A_MAX + 1] = {
	[LOGOS_A_VERSION_MAJOR] = { .type = NLA_REJECT },
	[LOGOS_A_VERSION_MINOR] = { .type = NLA_REJECT },
	[LOGOS_A_VERSION_PATCH] = { .type = NLA_REJECT },
	[LOGOS_A_VERSION_FEATURES] = { .type = NLA_REJECT },
};

static struct genl_family logos_genl_family;

static int logos_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct logos_version ver;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &logos_genl_family, 0,
				LOGOS_CMD_GET_VERSION);
	if (!hdr)
		goto err_msg;

	logos_fill_version(&ver);
	if (nla_put_u32(msg, LOGOS_A_VERSION_MAJOR, ver.major) ||
	    nla_put_u32(msg, LOGOS_A_VERSION_MINOR, ver.minor) ||
	    nla_put_u32(msg, LOGOS_A_VERSION_PATCH, ver.patch) ||
	    nla_put_u64_64bit(msg, LOGOS_A_VERSION_FEATURES, ver.features,
			      LOGOS_A_PAD))
		goto err_msg;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops logos_genl_ops[] = {
	{
		.cmd = LOGOS_CMD_GET_VERSION,
		.doit = logos_nl_get_version,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family logos_genl_family __ro_after_init = {
	.ops = logos_genl_ops,
	.n_ops = ARRAY_SIZE(logos_genl_ops),
	.resv_start_op = LOGOS_CMD_GET_VERSION + 1,
	.name = LOGOS_GENL_NAME,
	.version = LOGOS_GENL_VERSION,
	.maxattr = LOGOS_A_MAX,
	.policy = logos_genl_policy,
	.module = THIS_MODULE,
	.netnsok = true,
};

int __init logos_genetlink_init(void)
{
	return genl_register_family(&logos_genl_family);
}

void logos_genetlink_uninit(void)
{
	genl_unregister_family(&logos_genl_family);
}
