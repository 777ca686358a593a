// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/logos: the supervisor's door into the microkernel. Each open file is
 * a supervisor context with a handle table of its own.
 */

#include "device.h"
#include "call.h"
#include "ioctl.h"
#include "memory.h"
#include "module.h"
#include "version.h"

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>

void logos_fill_version(struct logos_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	ver->major = LOGOS_ABI_MAJOR;
	ver->minor = LOGOS_ABI_MINOR;
	ver->patch = LOGOS_VERSION_PATCH;
	ver->features = LOGOS_FEATURE_NETLINK | LOGOS_FEATURE_HANDLES |
			LOGOS_FEATURE_MODULES | LOGOS_FEATURE_QUOTAS | LOGOS_FEATURE_EVENTS |
			LOGOS_FEATURE_CHANNELS | LOGOS_FEATURE_MEMORY | LOGOS_FEATURE_TOPICS |
			LOGOS_FEATURE_WATCH | LOGOS_FEATURE_MAPPED |
			LOGOS_FEATURE_CALL_OWNERDEAD;
}

struct logos_supervisor {
	struct logos_ctx ctx;
	struct logos_handle_table table;
};

static int logos_open(struct inode *inode, struct file *file)
{
	struct logos_supervisor *sup;

	/* Whoever holds /dev/logos can create modules: supervisors only. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	sup = kzalloc(sizeof(*sup), GFP_KERNEL_ACCOUNT);
	if (!sup)
		return -ENOMEM;
	logos_table_init(&sup->table, NULL);
	sup->ctx.table = &sup->table;
	sup->ctx.module = NULL;
	logos_watch_set_init(&sup->ctx.watches);
	logos_ctx_calls_init(&sup->ctx);
	file->private_data = &sup->ctx;
	return 0;
}

static int logos_release(struct inode *inode, struct file *file)
{
	struct logos_supervisor *sup = container_of(file->private_data,
						    struct logos_supervisor, ctx);

	logos_watch_set_release(&sup->ctx.watches);
	logos_ctx_calls_orphan(&sup->ctx);
	logos_table_release(&sup->table);
	kfree(sup);
	return 0;
}

static const struct file_operations logos_fops = {
	.owner = THIS_MODULE,
	.open = logos_open,
	.release = logos_release,
	.unlocked_ioctl = logos_ioctl,
	.poll = logos_watch_poll,
	.mmap = logos_memory_mmap,
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
