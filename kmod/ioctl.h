/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctl dispatcher shared by the supervisor file and module files.
 */
#ifndef _LOGOS_IOCTL_H
#define _LOGOS_IOCTL_H

#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/types.h>

struct logos_ctx;

/* One ioctl call, as its handler sees it. */
struct logos_call {
	struct logos_ctx *ctx;
	void *arg;			/* the argument, already copied in */
	/* A file to install at @install_fd once the answer reached the caller. */
	struct file *install_file;
	int install_fd;
	/* Copy the argument back even though the handler failed. */
	bool copy_out_on_error;
};

long logos_ioctl(struct file *file, unsigned int cmd, unsigned long uarg);
int logos_wait_interrupted(struct logos_call *call, s64 *timeout_ns, ktime_t deadline,
			   int ret);

#endif /* _LOGOS_IOCTL_H */
