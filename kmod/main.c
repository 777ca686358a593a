// SPDX-License-Identifier: GPL-2.0
/*
 * Module entry: brings the subsystems up in dependency order and tears them
 * down in reverse.
 */

#include "version.h"
#include "channel.h"
#include "device.h"
#include "handle.h"
#include "memory.h"
#include "message.h"
#include "module.h"
#include "netlink.h"

#include <uapi/linux/logos.h>

#include <linux/init.h>
#include <linux/module.h>
#include <linux/genetlink.h>

static int __init logos_mod_init(void)
{
	int ret;

	ret = logos_handle_init();
	if (ret < 0)
		goto err_handle;

	ret = logos_message_init();
	if (ret < 0)
		goto err_message;

	ret = logos_channel_init();
	if (ret < 0)
		goto err_channel;

	ret = logos_memory_init();
	if (ret < 0)
		goto err_memory;

	ret = logos_module_init();
	if (ret < 0)
		goto err_module;

	ret = logos_genetlink_init();
	if (ret < 0)
		goto err_netlink;

	ret = logos_device_init();
	if (ret < 0)
		goto err_device;

	pr_info("Logos microkernel " LOGOS_VERSION " (ABI %u.%u) loaded\n",
		LOGOS_ABI_MAJOR, LOGOS_ABI_MINOR);
	return 0;

err_device:
	logos_genetlink_uninit();
err_netlink:
	logos_module_uninit();
err_module:
	logos_memory_uninit();
err_memory:
	logos_channel_exit();
err_channel:
	logos_message_uninit();
err_message:
	logos_handle_uninit();
err_handle:
	return ret;
}

static void __exit logos_mod_exit(void)
{
	logos_device_uninit();
	/*
	 * No file is left, so no revoke can queue a zap any more; drain the
	 * queued ones first: each holds a memory object, which holds its
	 * owner module.
	 */
	logos_memory_uninit();
	logos_genetlink_uninit();
	logos_channel_uninit();
	logos_module_uninit();
	logos_channel_exit();
	logos_message_uninit();
	logos_handle_uninit();
	pr_info("unloaded\n");
}

module_init(logos_mod_init);
module_exit(logos_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Logos microkernel: capabilities, IPC and module lifecycle");
MODULE_AUTHOR("The Logos microkernel developers");
MODULE_VERSION(LOGOS_VERSION);
MODULE_ALIAS_GENL_FAMILY(LOGOS_GENL_NAME);
