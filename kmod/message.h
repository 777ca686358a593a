/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages in flight: inline bytes copied once from the sender, handles
 * taken out of its table, a header stamped by the kernel.
 */
#ifndef _LOGOS_MESSAGE_H
#define _LOGOS_MESSAGE_H

#include <uapi/linux/logos.h>

#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/types.h>

struct logos_cap;
struct logos_ctx;
struct logos_module;
struct logos_object;

/* Inline bytes shared by several messages (a topic's fan-out). */
struct logos_payload {
	refcount_t ref;
	struct logos_module *sender;	/* charged the bytes once */
	u32 len;
	u8 data[];
};

struct logos_kmsg {
	struct list_head node;
	struct logos_module *sender;	/* charged the message; a reference */
	struct logos_payload *payload;	/* NULL: the bytes follow caps[] */
	const u8 *data;
	struct logos_msg_header hdr;
	u32 len;
	u32 nr_caps;
	u32 alloc_caps;			/* slots allocated, for the zeroing free */
	bool small;			/* from logos_kmsg_cache, not kvmalloc() */
	struct logos_cap *caps[];
};

#define LOGOS_DELIVERED_FAULT 1

int logos_message_init(void);
void logos_message_uninit(void);

int logos_kmsg_check_send(const struct logos_msg *umsg);
struct logos_kmsg *logos_kmsg_build(struct logos_ctx *ctx, const struct logos_msg *umsg,
				    const struct logos_object *const *exclude, u32 kernel_flags);
struct logos_kmsg *logos_kmsg_build_shared(struct logos_ctx *ctx, const struct logos_msg *umsg,
					   enum logos_object_type only_type);
struct logos_kmsg *logos_kmsg_share(struct logos_kmsg *src, struct logos_cap **caps);
void logos_kmsg_destroy(struct logos_kmsg *msg);
void logos_kmsg_release(struct logos_kmsg *msg, struct list_head *reap);
bool logos_kmsg_fits(const struct logos_kmsg *msg, struct logos_msg *buf);
int logos_kmsg_deliver(struct logos_ctx *ctx, struct logos_kmsg *msg, struct logos_msg *buf);
int logos_kmsg_check_buffer(const struct logos_msg *buf);

#endif /* _LOGOS_MESSAGE_H */
