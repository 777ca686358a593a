// SPDX-License-Identifier: GPL-2.0
/*
 * Building, delivering and destroying messages. Every failure before a
 * message is queued leaves the sender's table as it was; every failure
 * while delivering leaves the message intact for the caller to requeue.
 */

#include "message.h"
#include "grant.h"
#include "handle.h"
#include "module.h"
#include "quota.h"

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

/*
 * Most messages are small (a request, a reply, a grant's header and one
 * handle): they come from a cache of their own, charged to the sender's
 * memory cgroup like the kvmalloc() of larger ones.
 */
#define LOGOS_KMSG_SMALL 256

static struct kmem_cache *logos_kmsg_cache;

int __init logos_message_init(void)
{
	/* Only the handles and inline bytes after the header meet user copies. */
	logos_kmsg_cache = kmem_cache_create_usercopy("logos_kmsg", LOGOS_KMSG_SMALL, 0,
						      SLAB_ACCOUNT,
						      offsetof(struct logos_kmsg, caps),
						      LOGOS_KMSG_SMALL -
						      offsetof(struct logos_kmsg, caps),
						      NULL);
	return logos_kmsg_cache ? 0 : -ENOMEM;
}

void logos_message_uninit(void)
{
	kmem_cache_destroy(logos_kmsg_cache);
}

/*
 * Handle arrays of a message, in and out: on the stack for the common few
 * (a grant carries one), allocated for more.
 */
#define LOGOS_STACK_HANDLES 4

static struct logos_msg_handle *logos_handles_buffer(struct logos_msg_handle *stack, u32 n)
{
	if (n <= LOGOS_STACK_HANDLES)
		return stack;
	return kcalloc(n, sizeof(*stack), GFP_KERNEL);
}

static void logos_handles_buffer_free(struct logos_msg_handle *hs,
				      struct logos_msg_handle *stack)
{
	if (hs != stack)
		kfree(hs);
}

static int logos_kmsg_charge(struct logos_module *m, u32 len)
{
	int ret;

	if (!m)
		return 0;
	ret = logos_charge(m, LOGOS_RES_MSGS_QUEUED, 1);
	if (ret)
		return ret;
	ret = logos_charge(m, LOGOS_RES_BYTES_QUEUED, len);
	if (ret)
		logos_uncharge(m, LOGOS_RES_MSGS_QUEUED, 1);
	return ret;
}

static void logos_kmsg_uncharge(struct logos_module *m, u32 len)
{
	if (!m)
		return;
	logos_uncharge(m, LOGOS_RES_BYTES_QUEUED, len);
	logos_uncharge(m, LOGOS_RES_MSGS_QUEUED, 1);
}

static size_t logos_kmsg_size(u32 nr_caps, u32 len)
{
	return struct_size_t(struct logos_kmsg, caps, nr_caps) + len;
}

/* NFR-005: message bytes do not linger in freed memory. */
static void logos_kmsg_zfree(struct logos_kmsg *msg, size_t size)
{
	if (msg->small) {
		memzero_explicit(msg, size);
		kmem_cache_free(logos_kmsg_cache, msg);
	} else {
		kvfree_sensitive(msg, size);
	}
}

/* Frees the shell only: caps and payload are the caller's business. */
static void logos_kmsg_free(struct logos_kmsg *msg)
{
	u32 inline_len = msg->payload ? 0 : msg->len;

	if (msg->sender) {
		logos_kmsg_uncharge(msg->sender, inline_len);
		logos_module_put(msg->sender);
	}
	if (msg->payload && refcount_dec_and_test(&msg->payload->ref)) {
		struct logos_payload *p = msg->payload;

		if (p->sender) {
			logos_uncharge(p->sender, LOGOS_RES_BYTES_QUEUED, p->len);
			logos_module_put(p->sender);
		}
		kvfree_sensitive(p, struct_size(p, data, p->len));
	}
	logos_kmsg_zfree(msg, logos_kmsg_size(msg->alloc_caps, inline_len));
}

/* The shell of a message of @size bytes, with its allocator noted. */
static struct logos_kmsg *logos_kmsg_alloc(size_t size)
{
	struct logos_kmsg *msg;

	if (size <= LOGOS_KMSG_SMALL) {
		msg = kmem_cache_alloc(logos_kmsg_cache, GFP_KERNEL);
		if (msg)
			msg->small = true;
	} else {
		msg = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		if (msg)
			msg->small = false;
	}
	return msg;
}

/* Frees @msg; objects whose last handle was in it go on @reap. */
void logos_kmsg_release(struct logos_kmsg *msg, struct list_head *reap)
{
	u32 i;

	for (i = 0; i < msg->nr_caps; i++)
		logos_cap_release(msg->caps[i], reap);
	logos_kmsg_free(msg);
}

void logos_kmsg_destroy(struct logos_kmsg *msg)
{
	LIST_HEAD(reap);

	logos_kmsg_release(msg, &reap);
	logos_reap(&reap);
}

int logos_kmsg_check_send(const struct logos_msg *umsg)
{
	if ((umsg->flags & ~LOGOS_MSG_URGENT) || umsg->reserved ||
	    memchr_inv(&umsg->header, 0, sizeof(umsg->header)))
		return -EINVAL;
	if (umsg->nr_handles > LOGOS_MSG_MAX_HANDLES)
		return -EINVAL;
	if (umsg->data_len > LOGOS_MSG_MAX_BYTES)
		return -EMSGSIZE;
	return 0;
}

static struct logos_payload *logos_payload_new(struct logos_module *sender, u32 len)
{
	struct logos_payload *p = kvmalloc(struct_size(p, data, len), GFP_KERNEL_ACCOUNT);

	if (!p)
		return NULL;
	refcount_set(&p->ref, 1);
	p->len = len;
	p->sender = sender;
	if (sender)
		logos_module_get(sender);
	return p;
}

/*
 * Copies @umsg in and takes its handles. With @shared the bytes go to a
 * payload that copies of the message can share (topics), and handles are
 * only ever derived, of @only_type.
 */
static struct logos_kmsg *logos_kmsg_new(struct logos_ctx *ctx, const struct logos_msg *umsg,
					 const struct logos_object *const *exclude,
					 u32 kernel_flags, bool shared,
					 enum logos_object_type only_type)
{
	u32 inline_len = shared ? 0 : umsg->data_len;
	struct logos_msg_handle stack_hs[LOGOS_STACK_HANDLES], *hs;
	struct logos_module *sender = ctx->module;
	struct logos_kmsg *msg;
	u8 *data;
	u32 i;
	int ret;

	ret = logos_kmsg_check_send(umsg);
	if (ret)
		return ERR_PTR(ret);
	ret = logos_kmsg_charge(sender, umsg->data_len);
	if (ret)
		return ERR_PTR(ret);
	msg = logos_kmsg_alloc(logos_kmsg_size(umsg->nr_handles, inline_len));
	if (!msg) {
		ret = -ENOMEM;
		goto err_charge;
	}
	msg->payload = NULL;
	msg->len = umsg->data_len;
	msg->nr_caps = 0;
	msg->alloc_caps = umsg->nr_handles;
	msg->sender = NULL;
	if (shared) {
		msg->payload = logos_payload_new(sender, umsg->data_len);
		if (!msg->payload) {
			ret = -ENOMEM;
			goto err_msg;
		}
		data = msg->payload->data;
	} else {
		data = (u8 *)&msg->caps[umsg->nr_handles];
	}
	msg->data = data;
	if (copy_from_user(data, u64_to_user_ptr(umsg->data), umsg->data_len)) {
		ret = -EFAULT;
		goto err_payload;
	}
	if (umsg->nr_handles) {
		hs = logos_handles_buffer(stack_hs, umsg->nr_handles);
		if (!hs) {
			ret = -ENOMEM;
			goto err_payload;
		}
		if (copy_from_user(hs, u64_to_user_ptr(umsg->handles),
				   array_size(umsg->nr_handles, sizeof(*hs)))) {
			logos_handles_buffer_free(hs, stack_hs);
			ret = -EFAULT;
			goto err_payload;
		}
		for (i = 0; shared && i < umsg->nr_handles; i++) {
			if (hs[i].flags & LOGOS_MSG_HANDLE_MOVE)
				ret = -EINVAL;
		}
		if (!ret)
			ret = logos_handle_take(ctx->table, hs, umsg->nr_handles, msg->caps,
						exclude, only_type);
		logos_handles_buffer_free(hs, stack_hs);
		if (ret)
			goto err_payload;
		msg->nr_caps = umsg->nr_handles;
	}

	memset(&msg->hdr, 0, sizeof(msg->hdr));
	msg->hdr.sender_module = sender ? logos_module_id(sender) : 0;
	msg->hdr.flags = umsg->flags | kernel_flags;
	/* With a payload, the payload holds the byte charge from now on. */
	if (sender) {
		msg->sender = sender;
		logos_module_get(sender);
		logos_count_sent(sender, msg->len);
	}
	return msg;

err_payload:
	if (msg->payload) {
		if (msg->payload->sender)
			logos_module_put(msg->payload->sender);
		kvfree_sensitive(msg->payload, struct_size(msg->payload, data, msg->len));
	}
err_msg:
	logos_kmsg_zfree(msg, logos_kmsg_size(umsg->nr_handles, inline_len));
err_charge:
	if (sender)
		logos_kmsg_uncharge(sender, umsg->data_len);
	return ERR_PTR(ret);
}

struct logos_kmsg *logos_kmsg_build(struct logos_ctx *ctx, const struct logos_msg *umsg,
				    const struct logos_object *const *exclude, u32 kernel_flags)
{
	return logos_kmsg_new(ctx, umsg, exclude, kernel_flags, false, LOGOS_OBJ_NONE);
}

struct logos_kmsg *logos_kmsg_build_shared(struct logos_ctx *ctx, const struct logos_msg *umsg,
					   enum logos_object_type only_type)
{
	return logos_kmsg_new(ctx, umsg, NULL, 0, true, only_type);
}

/*
 * A copy of @src for one more receiver, sharing its bytes: the payload is
 * charged once, each copy only as a queued message. @caps (src->nr_caps of
 * them) become the copy's.
 */
struct logos_kmsg *logos_kmsg_share(struct logos_kmsg *src, struct logos_cap **caps)
{
	struct logos_module *sender = src->sender;
	struct logos_kmsg *msg;
	u32 i;

	if (sender && logos_charge(sender, LOGOS_RES_MSGS_QUEUED, 1))
		return ERR_PTR(-EDQUOT);
	msg = logos_kmsg_alloc(logos_kmsg_size(src->nr_caps, 0));
	if (!msg) {
		if (sender)
			logos_uncharge(sender, LOGOS_RES_MSGS_QUEUED, 1);
		return ERR_PTR(-ENOMEM);
	}
	refcount_inc(&src->payload->ref);
	msg->payload = src->payload;
	msg->data = src->data;
	msg->len = src->len;
	msg->hdr = src->hdr;
	msg->nr_caps = src->nr_caps;
	msg->alloc_caps = src->nr_caps;
	for (i = 0; i < src->nr_caps; i++)
		msg->caps[i] = caps[i];
	msg->sender = sender;
	if (sender)
		logos_module_get(sender);
	return msg;
}

/* The header of a receive buffer is output only: a reused buffer is fine. */
int logos_kmsg_check_buffer(const struct logos_msg *buf)
{
	if (buf->flags || buf->reserved || buf->nr_handles > LOGOS_MSG_MAX_HANDLES)
		return -EINVAL;
	return 0;
}

/* Does @msg fit @buf? If not, tell the caller the sizes it needs. */
bool logos_kmsg_fits(const struct logos_kmsg *msg, struct logos_msg *buf)
{
	if (msg->len <= buf->data_len && msg->nr_caps <= buf->nr_handles)
		return true;
	buf->data_len = msg->len;
	buf->nr_handles = msg->nr_caps;
	return false;
}

/*
 * Hands @msg to the receiver: bytes to its buffer, handles into its table,
 * the header and sizes into @buf. Returns 0 when delivered; a negative
 * errno when nothing happened (@msg untouched, for the caller to put
 * back); LOGOS_DELIVERED_FAULT when @msg was consumed and its handles are
 * in the receiver's table, but their values could not be written out.
 */
int logos_kmsg_deliver(struct logos_ctx *ctx, struct logos_kmsg *msg, struct logos_msg *buf)
{
	struct logos_msg_handle stack_hs[LOGOS_STACK_HANDLES], *hs;
	u32 values[LOGOS_MSG_MAX_HANDLES];
	u32 i, n = msg->nr_caps;
	int ret = 0;

	if (copy_to_user(u64_to_user_ptr(buf->data), msg->data, msg->len))
		return -EFAULT;
	if (n) {
		hs = logos_handles_buffer(stack_hs, n);
		if (!hs)
			return -ENOMEM;
		/*
		 * Everything about the caps is read (and the grants recorded)
		 * while the message still owns them: once installed, they are
		 * the receiver's table's, and another thread may close them.
		 */
		for (i = 0; i < n; i++) {
			struct logos_cap *cap = msg->caps[i];

			if (ctx->module && logos_object_type(cap->obj) == LOGOS_OBJ_MEMORY)
				logos_grant_attach(cap, msg->hdr.sender_module, ctx->module);
			hs[i].rights = READ_ONCE(cap->rights);
			hs[i].flags = READ_ONCE(cap->revoked) ? LOGOS_HANDLE_F_REVOKED : 0;
			hs[i].type = logos_object_type(cap->obj);
		}
		ret = logos_table_install_many(ctx->table, msg->caps, n, values);
		if (ret) {
			logos_handles_buffer_free(hs, stack_hs);
			return ret;
		}
		for (i = 0; i < n; i++)
			hs[i].handle = values[i];
		if (copy_to_user(u64_to_user_ptr(buf->handles), hs, n * sizeof(*hs)))
			ret = LOGOS_DELIVERED_FAULT;
		logos_handles_buffer_free(hs, stack_hs);
	}

	buf->data_len = msg->len;
	buf->nr_handles = n;
	buf->header = msg->hdr;
	if (ctx->module)
		logos_count_received(ctx->module, msg->len);
	msg->nr_caps = 0;
	logos_kmsg_free(msg);
	return ret;
}
