// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the queue logic of channel endpoints (bounds, priorities,
 * drop-oldest, flushing on close).
 */

#include "../channel.h"
#include "../handle.h"
#include "../message.h"
#include "../module.h"

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/slab.h>

static struct logos_kmsg *logos_test_msg(struct kunit *test, u32 len, u32 flags, u64 id)
{
	struct logos_kmsg *msg = kvzalloc(struct_size(msg, caps, 0) + len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, msg);
	msg->len = len;
	msg->data = (u8 *)&msg->caps[0];
	msg->hdr.flags = flags;
	msg->hdr.msg_id = id;
	return msg;
}

static struct logos_kmsg *logos_test_head(struct logos_endpoint *ep)
{
	struct logos_kmsg *msg;

	msg = list_first_entry_or_null(&ep->queue[0], struct logos_kmsg, node);
	return msg ?: list_first_entry_or_null(&ep->queue[1], struct logos_kmsg, node);
}

static int logos_test_send(struct kunit *test, struct logos_endpoint *ep, u32 len, u32 flags,
			   u64 id)
{
	int ret = logos_endpoint_reserve(ep, len, 0, 0);

	if (ret)
		return ret;
	return logos_endpoint_commit(ep, logos_test_msg(test, len, flags, id));
}

/* Closing the last handle flushes the queue and frees the endpoint. */
static void logos_test_close(struct kunit *test, struct logos_endpoint *ep)
{
	struct logos_cap *cap = logos_cap_new_root(&ep->obj, LOGOS_RIGHTS_ALL);

	KUNIT_ASSERT_NOT_NULL(test, cap);
	logos_cap_free(cap);
}

static void logos_queue_bounds_test(struct kunit *test)
{
	struct logos_ctx ctx = {};
	struct logos_endpoint *ep = logos_endpoint_new(&ctx, 2, 100);
	s64 live = logos_objects_live();

	KUNIT_ASSERT_FALSE(test, IS_ERR(ep));
	KUNIT_EXPECT_EQ(test, logos_test_send(test, ep, 10, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, logos_test_send(test, ep, 10, 0, 2), 0);
	/* Full in messages: refused, never dropped. */
	KUNIT_EXPECT_EQ(test, logos_test_send(test, ep, 10, 0, 3), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ep->nr_msgs, 2U);
	KUNIT_EXPECT_TRUE(test, logos_object_signals(&ep->obj) & LOGOS_SIGNAL_READABLE);
	/* Bigger than the byte bound can ever hold. */
	KUNIT_EXPECT_EQ(test, logos_endpoint_reserve(ep, 101, 0, 0), -EMSGSIZE);
	logos_test_close(test, ep);
	KUNIT_EXPECT_EQ(test, logos_objects_live(), live - 1);
}

static void logos_queue_bytes_test(struct kunit *test)
{
	struct logos_ctx ctx = {};
	struct logos_endpoint *ep = logos_endpoint_new(&ctx, 10, 100);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ep));
	KUNIT_EXPECT_EQ(test, logos_test_send(test, ep, 60, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, logos_test_send(test, ep, 60, 0, 2), -EAGAIN);
	KUNIT_EXPECT_EQ(test, logos_endpoint_reserve(ep, 40, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, ep->nr_bytes, 100U);
	/* A reservation given back (the sender failed later) is room again. */
	logos_endpoint_unreserve(ep, 40);
	KUNIT_EXPECT_EQ(test, ep->nr_bytes, 60U);
	KUNIT_EXPECT_EQ(test, ep->nr_msgs, 1U);
	logos_test_close(test, ep);
}

static void logos_queue_priority_test(struct kunit *test)
{
	struct logos_ctx ctx = {};
	struct logos_endpoint *ep = logos_endpoint_new(&ctx, 10, 1000);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ep));
	KUNIT_EXPECT_EQ(test, logos_test_send(test, ep, 1, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, logos_test_send(test, ep, 1, 0, 2), 0);
	KUNIT_EXPECT_EQ(test, logos_test_send(test, ep, 1, LOGOS_MSG_URGENT, 3), 0);
	/* The urgent message overtakes both normal ones. */
	KUNIT_EXPECT_EQ(test, logos_test_head(ep)->hdr.msg_id, 3ULL);
	logos_test_close(test, ep);
}

static void logos_queue_drop_oldest_test(struct kunit *test)
{
	struct logos_ctx ctx = {};
	struct logos_endpoint *ep = logos_endpoint_new(&ctx, 2, 1000);
	u32 dropped = 0;

	KUNIT_ASSERT_FALSE(test, IS_ERR(ep));
	KUNIT_EXPECT_EQ(test, logos_endpoint_push_drop_oldest(ep, logos_test_msg(test, 1, 0, 1),
							      &dropped), 0);
	KUNIT_EXPECT_EQ(test, logos_endpoint_push_drop_oldest(ep, logos_test_msg(test, 1, 0, 2),
							      &dropped), 0);
	KUNIT_EXPECT_EQ(test, logos_endpoint_push_drop_oldest(ep, logos_test_msg(test, 1, 0, 3),
							      &dropped), 0);
	KUNIT_EXPECT_EQ(test, dropped, 1U);
	KUNIT_EXPECT_EQ(test, ep->dropped, 1U);
	KUNIT_EXPECT_EQ(test, ep->nr_msgs, 2U);
	KUNIT_EXPECT_EQ(test, logos_test_head(ep)->hdr.msg_id, 2ULL);
	logos_test_close(test, ep);
}

static struct kunit_case logos_channel_cases[] = {
	KUNIT_CASE(logos_queue_bounds_test),
	KUNIT_CASE(logos_queue_bytes_test),
	KUNIT_CASE(logos_queue_priority_test),
	KUNIT_CASE(logos_queue_drop_oldest_test),
	{}
};

static struct kunit_suite logos_channel_suite = {
	.name = "logos_channel",
	.test_cases = logos_channel_cases,
};

kunit_test_suite(logos_channel_suite);
