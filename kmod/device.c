// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/logos: the supervisor's door into the microkernel, and the ioctl
 * dispatcher shared by every logos file.
 */

#include "device.h"
#include "version.h"

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

void logos_fill_version(struct logos_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	ver->major = LOGOS_ABI_MAJOR;
	ver->minor = LOGOS_ABI_MINOR;
	ver->patch = LOGOS_VERSION_PATCH;
	ver->features = LOGOS_FEATURE_NETLINK;
}

static long logos_ioctl_version(struct file *file, void *arg)
{
	logos_fill_version(arg);
	return 0;
}

/*
 * Every ioctl is described once: the argument buffer is copied in and out
 * here, so handlers never touch user memory for their fixed argument and the
 * size rules of the uapi header are enforced in exactly one place.
 */
struct logos_ioctl_desc {
	unsigned int dir;	/* _IOC_READ / _IOC_WRITE as in the number */
	size_t size;		/* sizeof the current structure */
	size_t min_size;	/* sizeof the structure in ABI 0.1 */
	long (*handler)(struct file *file, void *arg);
};

static const struct logos_ioctl_desc logos_ioctls[] = {
	[_IOC_NR(LOGOS_IOC_VERSION)] = {
		.dir = _IOC_READ,
		.size = sizeof(struct logos_version),
		.min_size = sizeof(struct logos_version),
		.handler = logos_ioctl_version,
	},
};

/* Big enough for every argument structure; checked at build time below. */
#define LOGOS_IOCTL_MAX_ARG 256

static long logos_ioctl(struct file *file, unsigned int cmd, unsigned long uarg)
{
	const struct logos_ioctl_desc *desc;
	void __user *argp = (void __user *)uarg;
	size_t usize = _IOC_SIZE(cmd);
	u64 buf[LOGOS_IOCTL_MAX_ARG / sizeof(u64)];
	long ret;

	BUILD_BUG_ON(sizeof(struct logos_version) > sizeof(buf));

	if (_IOC_TYPE(cmd) != LOGOS_IOC_MAGIC ||
	    _IOC_NR(cmd) >= ARRAY_SIZE(logos_ioctls))
		return -ENOTTY;
	desc = &logos_ioctls[_IOC_NR(cmd)];
	if (!desc->handler || _IOC_DIR(cmd) != desc->dir)
		return -ENOTTY;
	if (usize < desc->min_size || usize > PAGE_SIZE)
		return -EINVAL;

	memset(buf, 0, desc->size);
	if (desc->dir & _IOC_WRITE) {
		ret = copy_struct_from_user(buf, desc->size, argp, usize);
		if (ret)
			return ret;
	} else if (usize > desc->size) {
		/* A newer caller's output tail is ours to clear. */
		if (clear_user(argp + desc->size, usize - desc->size))
			return -EFAULT;
	}

	ret = desc->handler(file, buf);
	if (ret < 0)
		return ret;

	if ((desc->dir & _IOC_READ) &&
	    copy_to_user(argp, buf, min(usize, desc->size)))
		return -EFAULT;
	return ret;
}

static int logos_open(struct inode *inode, struct file *file)
{
	/* Whoever holds /dev/logos can create modules: supervisors only. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static const struct file_operations logos_fops = {
	.owner = THIS_MODULE,
	.open = logos_open,
	.unlocked_ioctl = logos_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice logos_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = LOGOS_DEVICE_NAME,
	.fops = &logos_fops,
	.mode = 0600,
};

int logos_device_init(void)
{
	return misc_register(&logos_misc);
}

void logos_device_uninit(void)
{
	misc_deregister(&logos_misc);
}
