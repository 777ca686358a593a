// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl version: the ABI of the running logos.ko, asked both through
 * the ioctl on /dev/logos and through generic netlink, so an operator sees
 * at once whether the module is loaded and reachable.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/logos.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "subcommands.h"

static int version_ioctl(struct logos_version *ver)
{
	int fd = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, LOGOS_IOC_VERSION, ver) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int on_version(struct nl_msg *msg, void *arg)
{
	struct nlattr *attrs[LOGOS_A_MAX + 1];
	struct logos_version *ver = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, LOGOS_A_MAX, NULL) < 0 ||
	    !attrs[LOGOS_A_VERSION_MAJOR] || !attrs[LOGOS_A_VERSION_MINOR])
		return NL_SKIP;
	ver->major = nla_get_u32(attrs[LOGOS_A_VERSION_MAJOR]);
	ver->minor = nla_get_u32(attrs[LOGOS_A_VERSION_MINOR]);
	if (attrs[LOGOS_A_VERSION_PATCH])
		ver->patch = nla_get_u32(attrs[LOGOS_A_VERSION_PATCH]);
	if (attrs[LOGOS_A_VERSION_FEATURES])
		ver->features = nla_get_u64(attrs[LOGOS_A_VERSION_FEATURES]);
	return NL_OK;
}

/* Returns 0, or a libnl error (negative NLE_*). */
static int version_netlink(struct logos_version *ver)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	int family, ret;

	if (!sk)
		return -NLE_NOMEM;
	ret = genl_connect(sk);
	if (ret < 0)
		goto out;
	family = genl_ctrl_resolve(sk, LOGOS_GENL_NAME);
	if (family < 0) {
		ret = family;
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_version, ver);
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
				 LOGOS_CMD_GET_VERSION, LOGOS_GENL_VERSION)) {
		ret = -NLE_NOMEM;
		goto out;
	}
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		ret = nl_recvmsgs_default(sk);
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret < 0 ? ret : 0;
}

int version_main(int argc, char *argv[])
{
	struct logos_version ver = { 0 }, nlver = { 0 };
	int ret, status = 0;

	(void)argv;
	if (argc != 1)
		return usage();
	printf("logosctl built for ABI %u.%u\n", LOGOS_ABI_MAJOR, LOGOS_ABI_MINOR);

	ret = version_ioctl(&ver);
	if (ret == -ENOENT)
		fprintf(stderr, "ioctl:   %s does not exist: is logos.ko loaded? (modprobe logos)\n",
			LOGOS_DEVICE_PATH);
	else if (ret == -EPERM || ret == -EACCES)
		fprintf(stderr, "ioctl:   permission denied on %s: run as root\n", LOGOS_DEVICE_PATH);
	else if (ret < 0)
		fprintf(stderr, "ioctl:   LOGOS_IOC_VERSION failed: %s\n", strerror(-ret));
	else
		printf("ioctl:   logos.ko ABI %u.%u (patch %u, features 0x%llx)\n",
		       ver.major, ver.minor, ver.patch, (unsigned long long)ver.features);
	status |= ret < 0;

	ret = version_netlink(&nlver);
	if (ret == -NLE_OBJ_NOTFOUND)
		fprintf(stderr, "netlink: no generic netlink family \"%s\": is logos.ko loaded?\n",
			LOGOS_GENL_NAME);
	else if (ret == -NLE_PERM)
		fprintf(stderr, "netlink: permission denied: run as root (CAP_NET_ADMIN)\n");
	else if (ret < 0)
		fprintf(stderr, "netlink: %s\n", nl_geterror(ret));
	else
		printf("netlink: logos.ko ABI %u.%u (patch %u, features 0x%llx)\n",
		       nlver.major, nlver.minor, nlver.patch,
		       (unsigned long long)nlver.features);
	status |= ret < 0;

	if (!status && ver.major != LOGOS_ABI_MAJOR) {
		fprintf(stderr, "ABI mismatch: logos.ko speaks %u.x, logosctl %u.x: install matching versions\n",
			ver.major, LOGOS_ABI_MAJOR);
		status = 1;
	}
	return status;
}
