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

#include "ctl.h"
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

static json_object *version_json(const struct logos_version *v)
{
	json_object *o = json_object_new_object();
	char abi[32];

	snprintf(abi, sizeof(abi), "%u.%u", v->major, v->minor);
	json_object_object_add(o, "abi", json_object_new_string(abi));
	json_object_object_add(o, "patch", json_object_new_int64(v->patch));
	json_object_object_add(o, "features", json_object_new_uint64(v->features));
	return o;
}

int version_main(int argc, char *argv[])
{
	struct logos_version ver = { 0 }, nlver = { 0 };
	json_object *out = json_object_new_object(), *d = NULL;
	int iret, nret, status = EXIT_OK;
	char abi[32];
	struct ctl c;

	(void)argv;
	if (argc != 1) {
		json_object_put(out);
		return usage();
	}
	snprintf(abi, sizeof(abi), "%u.%u", LOGOS_ABI_MAJOR, LOGOS_ABI_MINOR);
	json_object_object_add(out, "logosctl_abi", json_object_new_string(abi));
	if (!json_out)
		printf("logosctl built for ABI %s\n", abi);

	iret = version_ioctl(&ver);
	if (iret == -ENOENT)
		fprintf(stderr, "ioctl:   %s does not exist: is logos.ko loaded? (modprobe logos)\n",
			LOGOS_DEVICE_PATH);
	else if (iret == -EPERM || iret == -EACCES)
		fprintf(stderr, "ioctl:   permission denied on %s: run as root\n", LOGOS_DEVICE_PATH);
	else if (iret < 0)
		fprintf(stderr, "ioctl:   LOGOS_IOC_VERSION failed: %s\n", strerror(-iret));
	else if (!json_out)
		printf("ioctl:   logos.ko ABI %u.%u (patch %u, features 0x%llx)\n",
		       ver.major, ver.minor, ver.patch, (unsigned long long)ver.features);
	json_object_object_add(out, "ioctl", iret ? NULL : version_json(&ver));

	nret = version_netlink(&nlver);
	if (nret == -NLE_OBJ_NOTFOUND)
		fprintf(stderr, "netlink: no generic netlink family \"%s\": is logos.ko loaded?\n",
			LOGOS_GENL_NAME);
	else if (nret == -NLE_PERM)
		fprintf(stderr, "netlink: permission denied: run as root (CAP_NET_ADMIN)\n");
	else if (nret < 0)
		fprintf(stderr, "netlink: %s\n", nl_geterror(nret));
	else if (!json_out)
		printf("netlink: logos.ko ABI %u.%u (patch %u, features 0x%llx)\n",
		       nlver.major, nlver.minor, nlver.patch,
		       (unsigned long long)nlver.features);
	json_object_object_add(out, "netlink", nret ? NULL : version_json(&nlver));

	/* logosd's, when it runs; its absence is not an error here */
	if (!ctl_connect(&c) && !ctl_call(&c, "version", NULL, &d)) {
		if (!json_out)
			printf("logosd:  %s (kernel ABI %s)\n", jstr(d, "logosd"), jstr(d, "kernel_abi"));
		json_object_object_del(d, "ok");
	} else if (!json_out) {
		printf("logosd:  not reachable at %s\n", c.path);
	}
	ctl_close(&c);
	json_object_object_add(out, "logosd", d);

	if (iret == -ENOENT || nret == -NLE_OBJ_NOTFOUND)
		status = EXIT_NO_KERNEL;
	else if (iret == -EPERM || iret == -EACCES || nret == -NLE_PERM)
		status = EXIT_PERM;
	else if (iret || nret)
		status = EXIT_ERROR;
	else if (ver.major != LOGOS_ABI_MAJOR) {
		fprintf(stderr, "ABI mismatch: logos.ko speaks %u.x, logosctl %u.x: install matching versions\n",
			ver.major, LOGOS_ABI_MAJOR);
		status = EXIT_ERROR;
	}
	if (json_out)
		json_print(out);
	json_object_put(out);
	return status;
}
