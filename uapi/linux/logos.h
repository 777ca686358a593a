/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * logos.h - the stable ABI of the Logos microkernel (logos.ko).
 *
 * This header is shared by the kernel module and by userspace (liblogos,
 * logosd, logosctl). It is the only contract between them.
 *
 * Versioning rules
 * ----------------
 * LOGOS_ABI_MAJOR changes only when an existing ioctl, structure layout,
 * netlink attribute or errno meaning changes incompatibly. Within one major
 * version, LOGOS_ABI_MINOR grows when something is added: a new ioctl, a new
 * netlink command or attribute, a new flag, or a field appended to the end of
 * an ioctl structure. Userspace asks LOGOS_IOC_VERSION first and refuses to
 * run against a different major version.
 *
 * Structure rules
 * ---------------
 * - Only fixed-size types (__u8 ... __u64); every structure is a multiple of
 *   8 bytes with explicit padding, so 32-bit and 64-bit userspace agree.
 * - Every "flags" field accepts only the flags defined here: any other bit is
 *   refused with -EINVAL.
 * - Every "reserved" or padding field must be zero on input (-EINVAL
 *   otherwise) and is zeroed by the kernel on output.
 * - The size of an ioctl argument is encoded in the ioctl number (_IOC_SIZE).
 *   The kernel accepts a caller compiled against an older header (a shorter
 *   structure, as long as it holds at least the fields of ABI 0.1) and one
 *   compiled against a newer header (a longer structure, whose unknown tail
 *   must be zero, or the call fails with -E2BIG). A structure shorter than
 *   its first published size fails with -EINVAL.
 * - User pointers travel as __u64 (see logos_ptr()); a bad pointer gives
 *   -EFAULT.
 */
#ifndef _UAPI_LINUX_LOGOS_H
#define _UAPI_LINUX_LOGOS_H

#include <linux/const.h>
#include <linux/types.h>
#include <linux/ioctl.h>

#define LOGOS_DEVICE_NAME	"logos"
#define LOGOS_DEVICE_PATH	"/dev/logos"

#define LOGOS_ABI_MAJOR		0
#define LOGOS_ABI_MINOR		1

/* ioctl magic: 0xBC is unassigned in ioctl-number.rst (Linux 6.1). */
#define LOGOS_IOC_MAGIC		0xBC

/**
 * struct logos_version - answer of LOGOS_IOC_VERSION
 * @major:	LOGOS_ABI_MAJOR of the running module.
 * @minor:	LOGOS_ABI_MINOR of the running module.
 * @patch:	release patch level of the module; informational only.
 * @flags:	reserved for future use, always 0.
 * @features:	bit set of LOGOS_FEATURE_* the running module implements.
 * @reserved:	always 0.
 */
struct logos_version {
	__u32 major;
	__u32 minor;
	__u32 patch;
	__u32 flags;
	__u64 features;
	__u64 reserved[2];
};

/* Feature bits reported in logos_version.features. */
#define LOGOS_FEATURE_NETLINK	_BITULL(0)	/* generic netlink family "logos" */

/* Ask the ABI version. Allowed on /dev/logos and on every module fd. */
#define LOGOS_IOC_VERSION	_IOR(LOGOS_IOC_MAGIC, 0x00, struct logos_version)

/*
 * Generic netlink family
 * ----------------------
 * Family name LOGOS_GENL_NAME, version LOGOS_GENL_VERSION. Every command
 * needs CAP_NET_ADMIN in the caller's network namespace (GENL_ADMIN_PERM)
 * and uses strict attribute validation; errors come with an extack message.
 *
 * LOGOS_CMD_GET_VERSION (doit)
 *	request:  no attributes.
 *	reply:    LOGOS_A_VERSION_MAJOR (u32), LOGOS_A_VERSION_MINOR (u32),
 *		  LOGOS_A_VERSION_PATCH (u32), LOGOS_A_VERSION_FEATURES (u64).
 */
#define LOGOS_GENL_NAME		"logos"
#define LOGOS_GENL_VERSION	1

enum logos_cmd {
	LOGOS_CMD_UNSPEC,
	LOGOS_CMD_GET_VERSION,
	__LOGOS_CMD_MAX
};

#define LOGOS_CMD_MAX (__LOGOS_CMD_MAX - 1)

enum logos_attr {
	LOGOS_A_UNSPEC,
	LOGOS_A_VERSION_MAJOR,		/* u32 */
	LOGOS_A_VERSION_MINOR,		/* u32 */
	LOGOS_A_VERSION_PATCH,		/* u32 */
	LOGOS_A_VERSION_FEATURES,	/* u64, LOGOS_FEATURE_* */
	LOGOS_A_PAD,			/* padding for 64-bit attributes */
	__LOGOS_A_MAX
};

#define LOGOS_A_MAX (__LOGOS_A_MAX - 1)

#endif /* _UAPI_LINUX_LOGOS_H */
