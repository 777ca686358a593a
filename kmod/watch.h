/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Watches: one event loop over every handle of a file, pollable.
 */
#ifndef _LOGOS_WATCH_H
#define _LOGOS_WATCH_H

#include <linux/list.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

struct logos_call;

/* Wake key that tells watches a handle may have been revoked. */
#define LOGOS_WAKE_REVOKE ((void *)1UL)

struct logos_watch_set {
	spinlock_t lock;		/* guards all below; taken with irqs off */
	struct list_head watches;
	struct list_head ready;
	u32 nr_watches;
	wait_queue_head_t poll_wait;
};

void logos_watch_set_init(struct logos_watch_set *set);
void logos_watch_set_release(struct logos_watch_set *set);
__poll_t logos_watch_poll(struct file *file, struct poll_table_struct *pt);

long logos_ioctl_watch(struct logos_call *call);
long logos_ioctl_watch_read(struct logos_call *call);

#endif /* _LOGOS_WATCH_H */
