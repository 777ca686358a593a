// SPDX-License-Identifier: GPL-2.0
/*
 * The "logos" generic netlink family, through libnl-genl-3 as logosctl
 * uses it.
 */
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <grp.h>
#include <string.h>

#include "helpers.h"
#include "kselftest_harness.h"

struct version_reply {
	int seen;
	__u32 major, minor;
	__u64 features;
};

static int on_version(struct nl_msg *msg, void *arg)
{
	struct nlattr *attrs[LOGOS_A_MAX + 1];
	struct version_reply *r = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, LOGOS_A_MAX, NULL) < 0)
		return NL_SKIP;
	if (!attrs[LOGOS_A_VERSION_MAJOR] || !attrs[LOGOS_A_VERSION_MINOR] ||
	    !attrs[LOGOS_A_VERSION_FEATURES])
		return NL_SKIP;
	r->major = nla_get_u32(attrs[LOGOS_A_VERSION_MAJOR]);
	r->minor = nla_get_u32(attrs[LOGOS_A_VERSION_MINOR]);
	r->features = nla_get_u64(attrs[LOGOS_A_VERSION_FEATURES]);
	r->seen = 1;
	return NL_OK;
}

/* Sends GET_VERSION (optionally with a stray attribute); returns -errno. */
static int get_version(struct version_reply *r, int stray_attr)
{
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
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_version, r);
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
				 LOGOS_CMD_GET_VERSION, LOGOS_GENL_VERSION)) {
		ret = -NLE_NOMEM;
		goto out;
	}
	if (stray_attr && nla_put_u32(msg, LOGOS_A_VERSION_MAJOR, 7) < 0) {
		ret = -NLE_NOMEM;
		goto out;
	}
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = nl_recvmsgs_default(sk);
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	/* libnl errors are its own codes; map the ones tests look at. */
	if (ret == -NLE_PERM)
		return -EPERM;
	if (ret == -NLE_INVAL)
		return -EINVAL;
	if (ret == -NLE_OBJ_NOTFOUND)
		return -ENOENT;
	return ret < 0 ? -EIO : 0;
}

TEST(family_is_registered_and_reports_the_abi)
{
	struct version_reply r = {};

	ASSERT_EQ(0, get_version(&r, 0));
	ASSERT_TRUE(r.seen);
	EXPECT_EQ(LOGOS_ABI_MAJOR, r.major);
	EXPECT_EQ(LOGOS_ABI_MINOR, r.minor);
	EXPECT_TRUE(r.features & LOGOS_FEATURE_NETLINK);
}

TEST(request_attributes_are_rejected)
{
	struct version_reply r = {};

	EXPECT_EQ(-EINVAL, get_version(&r, 1));
	EXPECT_FALSE(r.seen);
}

TEST(unprivileged_caller_is_refused)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct version_reply r = {};

		if (logos_drop_privileges())
			_exit(2);
		_exit(get_version(&r, 0) == -EPERM && !r.seen ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
