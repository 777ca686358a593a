// SPDX-License-Identifier: GPL-2.0
/*
 * Topics: creation flags, subscribing (a receive-only endpoint), fan-out
 * to every subscriber, the two policies for a full subscriber
 * (BACKPRESSURE: -EAGAIN or waiting, and nobody gets the message;
 * DROP_OLDEST: drops counted for the publisher and told to the
 * subscriber), memory handles fanned out as read-only grants, and
 * unsubscribing by closing the endpoint.
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_helpers.h"
#include "kselftest_harness.h"

FIXTURE(topic) {
	int dev;
	long ps;
};

FIXTURE_SETUP(topic)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
	self->ps = logos_page_size();
}

FIXTURE_TEARDOWN(topic)
{
	close(self->dev);
}

static int publish_u32(int fd, __u32 t, __u32 v, __s64 timeout_ns, __u32 *delivered,
		       __u32 *dropped)
{
	return logos_publish(fd, t, &v, sizeof(v), NULL, 0, timeout_ns, delivered, dropped);
}

/* Next value on a subscriber's endpoint, never waiting; ~0U if none. */
static __u32 next_u32(int fd, __u32 ep, struct logos_msg *out)
{
	struct logos_msg msg;
	__u32 v;

	if (logos_recv(fd, ep, &v, sizeof(v), NULL, 0, 0, &msg) || msg.data_len != sizeof(v))
		return ~0U;
	if (out)
		*out = msg;
	return v;
}

/* ---- creation and subscribing ----------------------------------------------------- */

TEST_F(topic, create_returns_a_topic_handle)
{
	struct logos_handle_info info;
	__u32 t;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_info(self->dev, t, &info));
	EXPECT_EQ(LOGOS_OBJ_TOPIC, info.type);
	EXPECT_TRUE(info.rights & LOGOS_RIGHT_READ);
	EXPECT_TRUE(info.rights & LOGOS_RIGHT_WRITE);
	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_DROP_OLDEST, 4, &t));
}

TEST_F(topic, create_needs_exactly_one_policy)
{
	__u32 t;

	EXPECT_EQ(-EINVAL, logos_topic_new(self->dev, 0, 0, &t));
	EXPECT_EQ(-EINVAL, logos_topic_new(self->dev,
					   LOGOS_TOPIC_BACKPRESSURE | LOGOS_TOPIC_DROP_OLDEST, 0, &t));
	EXPECT_EQ(-EINVAL, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE | 0x4, 0, &t));
	EXPECT_EQ(-EINVAL, logos_topic_new(self->dev, 0x80000000U, 0, &t));
}

TEST_F(topic, create_with_reserved_is_einval)
{
	struct logos_topic_create arg = { .flags = LOGOS_TOPIC_BACKPRESSURE, .reserved = 1 };

	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_TOPIC_CREATE, &arg));
	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_TOPIC_CREATE, NULL));
}

TEST_F(topic, subscribing_gives_a_receive_only_endpoint)
{
	struct logos_handle_info info;
	__u32 t, ep;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	ASSERT_EQ(0, logos_info(self->dev, ep, &info));
	EXPECT_EQ(LOGOS_OBJ_CHANNEL, info.type);
	EXPECT_EQ(LOGOS_SUB_RIGHTS, info.rights);
	EXPECT_EQ(-EPERM, logos_send_bytes(self->dev, ep, "x", 1));
}

TEST_F(topic, subscribe_with_flags_or_reserved_is_einval)
{
	struct logos_topic_subscribe arg;
	__u32 t;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	arg = (struct logos_topic_subscribe){ .handle = t, .flags = 1 };
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_TOPIC_SUBSCRIBE, &arg));
	arg = (struct logos_topic_subscribe){ .handle = t, .reserved = 1 };
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_TOPIC_SUBSCRIBE, &arg));
}

TEST_F(topic, subscribe_needs_read_and_publish_needs_write)
{
	__u32 t, no_read, no_write, ep;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	ASSERT_EQ(0, logos_dup(self->dev, t, LOGOS_RIGHT_WRITE | LOGOS_RIGHT_DUPLICATE, &no_read));
	ASSERT_EQ(0, logos_dup(self->dev, t, LOGOS_RIGHT_READ, &no_write));
	EXPECT_EQ(-EPERM, logos_subscribe(self->dev, no_read, &ep));
	EXPECT_EQ(-EPERM, publish_u32(self->dev, no_write, 1, 0, NULL, NULL));
	EXPECT_EQ(0, publish_u32(self->dev, no_read, 1, 0, NULL, NULL));
	EXPECT_EQ(0, logos_subscribe(self->dev, no_write, &ep));
}

TEST_F(topic, subscribe_and_publish_on_other_objects_are_eprototype)
{
	__u32 e, a, b, ep;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	ASSERT_EQ(0, logos_chan_new(self->dev, 0, 0, &a, &b));
	EXPECT_EQ(-EPROTOTYPE, logos_subscribe(self->dev, e, &ep));
	EXPECT_EQ(-EPROTOTYPE, logos_subscribe(self->dev, a, &ep));
	EXPECT_EQ(-EPROTOTYPE, publish_u32(self->dev, e, 1, 0, NULL, NULL));
	EXPECT_EQ(-EPROTOTYPE, publish_u32(self->dev, a, 1, 0, NULL, NULL));
}

/* ---- fan-out ------------------------------------------------------------------------------- */

TEST_F(topic, every_subscriber_receives_what_is_published)
{
	__u32 t, ep[3], delivered = 0, dropped = ~0U;
	struct logos_msg out;
	char buf[16];
	int i;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[i]));
	ASSERT_EQ(0, logos_publish(self->dev, t, "news", 4, NULL, 0, 0, &delivered, &dropped));
	EXPECT_EQ(3, delivered);
	EXPECT_EQ(0, dropped);
	for (i = 0; i < 3; i++) {
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ(0, logos_recv(self->dev, ep[i], buf, sizeof(buf), NULL, 0, 0, &out))
			TH_LOG("subscriber %d", i);
		EXPECT_EQ(4, out.data_len);
		EXPECT_EQ(0, memcmp(buf, "news", 4));
		EXPECT_EQ(0, out.header.dropped);
		EXPECT_EQ(0, out.header.sender_module);
		EXPECT_EQ(-EAGAIN, logos_recv(self->dev, ep[i], buf, sizeof(buf), NULL, 0, 0, NULL));
	}
}

TEST_F(topic, publisher_module_id_is_stamped_on_every_copy)
{
	struct logos_test_module m;
	struct logos_msg out;
	__u32 t, mt, ep[2];

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[0]));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[1]));
	ASSERT_EQ(0, logos_module_new(self->dev, "publisher", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_give(self->dev, m.handle, t, LOGOS_RIGHT_WRITE, 0, &mt));
	ASSERT_EQ(0, publish_u32(m.fd, mt, 9, 0, NULL, NULL));
	EXPECT_EQ(9, next_u32(self->dev, ep[0], &out));
	EXPECT_EQ(m.id, out.header.sender_module);
	EXPECT_EQ(9, next_u32(self->dev, ep[1], &out));
	EXPECT_EQ(m.id, out.header.sender_module);
}

TEST_F(topic, order_is_kept_for_each_subscriber)
{
	__u32 t, ep[2], i;
	int s;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[0]));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[1]));
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, publish_u32(self->dev, t, i, 0, NULL, NULL));
	for (s = 0; s < 2; s++)
		for (i = 0; i < 10; i++)
			EXPECT_EQ(i, next_u32(self->dev, ep[s], NULL));
}

TEST_F(topic, a_subscriber_only_gets_what_was_published_after_it_subscribed)
{
	__u32 t, early, late;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &early));
	ASSERT_EQ(0, publish_u32(self->dev, t, 1, 0, NULL, NULL));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &late));
	ASSERT_EQ(0, publish_u32(self->dev, t, 2, 0, NULL, NULL));
	EXPECT_EQ(1, next_u32(self->dev, early, NULL));
	EXPECT_EQ(2, next_u32(self->dev, early, NULL));
	EXPECT_EQ(2, next_u32(self->dev, late, NULL));
	EXPECT_EQ(~0U, next_u32(self->dev, late, NULL));
}

TEST_F(topic, publishing_without_subscribers_delivers_to_nobody)
{
	__u32 t, delivered = ~0U, dropped = ~0U;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	EXPECT_EQ(0, publish_u32(self->dev, t, 1, 0, &delivered, &dropped));
	EXPECT_EQ(0, delivered);
	EXPECT_EQ(0, dropped);
}

TEST_F(topic, closing_the_endpoint_unsubscribes)
{
	__u32 t, ep[2], delivered = 0;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 1, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[0]));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[1]));
	ASSERT_EQ(0, publish_u32(self->dev, t, 1, 0, &delivered, NULL));
	EXPECT_EQ(2, delivered);
	/* ep[0] is full; once it is gone it no longer holds anybody back. */
	ASSERT_EQ(0, logos_close_handle(self->dev, ep[0]));
	EXPECT_EQ(1, next_u32(self->dev, ep[1], NULL));
	ASSERT_EQ(0, publish_u32(self->dev, t, 2, 0, &delivered, NULL));
	EXPECT_EQ(1, delivered);
	EXPECT_EQ(2, next_u32(self->dev, ep[1], NULL));
}

TEST_F(topic, subscription_ends_when_the_subscribing_module_terminates)
{
	struct logos_test_module m;
	__u32 t, mt, mep, delivered = ~0U;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_module_new(self->dev, "subscriber", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_give(self->dev, m.handle, t, LOGOS_RIGHT_READ, 0, &mt));
	ASSERT_EQ(0, logos_subscribe(m.fd, mt, &mep));
	ASSERT_EQ(0, publish_u32(self->dev, t, 1, 0, &delivered, NULL));
	EXPECT_EQ(1, delivered);
	logos_module_release(&m);
	ASSERT_EQ(0, logos_wait_one(self->dev, m.handle, LOGOS_SIGNAL_TERMINATED, 5 * SEC, NULL));
	ASSERT_EQ(0, publish_u32(self->dev, t, 2, 0, &delivered, NULL));
	EXPECT_EQ(0, delivered);
}

TEST_F(topic, publish_with_flags_is_einval)
{
	struct logos_topic_publish arg;
	__u32 t, ep;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	memset(&arg, 0, sizeof(arg));
	arg.handle = t;
	arg.flags = 1;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_TOPIC_PUBLISH, &arg));
	memset(&arg, 0, sizeof(arg));
	arg.handle = t;
	arg.msg.flags = 0x40;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_TOPIC_PUBLISH, &arg));
	EXPECT_EQ(~0U, next_u32(self->dev, ep, NULL));
}

TEST_F(topic, publish_with_bad_pointers_is_efault)
{
	__u32 t, ep;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_TOPIC_PUBLISH, NULL));
	EXPECT_EQ(-EFAULT, logos_publish(self->dev, t, (void *)8, 16, NULL, 0, 0, NULL, NULL));
	EXPECT_EQ(-EFAULT, logos_publish(self->dev, t, "x", 1, (void *)8, 1, 0, NULL, NULL));
	EXPECT_EQ(~0U, next_u32(self->dev, ep, NULL));
}

TEST_F(topic, publish_over_the_byte_limit_is_refused)
{
	char *big = calloc(1, LOGOS_MSG_MAX_BYTES + 1);
	__u32 t, ep;

	ASSERT_NE(NULL, big);
	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	EXPECT_EQ(-EMSGSIZE, logos_publish(self->dev, t, big, LOGOS_MSG_MAX_BYTES + 1, NULL, 0,
					   0, NULL, NULL));
	EXPECT_EQ(0, logos_publish(self->dev, t, big, LOGOS_MSG_MAX_BYTES, NULL, 0, 0, NULL, NULL));
	free(big);
}

/* ---- BACKPRESSURE ---------------------------------------------------------------------------- */

TEST_F(topic, backpressure_full_subscriber_makes_publish_eagain_and_nobody_gets_it)
{
	__u32 t, fast, slow, delivered = 0;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 2, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &fast));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &slow));
	ASSERT_EQ(0, publish_u32(self->dev, t, 1, 0, NULL, NULL));
	EXPECT_EQ(1, next_u32(self->dev, fast, NULL));
	ASSERT_EQ(0, publish_u32(self->dev, t, 2, 0, &delivered, NULL));
	EXPECT_EQ(2, delivered);
	/* slow holds 1 and 2 now: its queue of 2 is full. */
	EXPECT_EQ(-EAGAIN, publish_u32(self->dev, t, 3, 0, NULL, NULL));
	EXPECT_EQ(2, next_u32(self->dev, fast, NULL));
	EXPECT_EQ(~0U, next_u32(self->dev, fast, NULL));	/* 3 reached nobody */
	EXPECT_EQ(1, next_u32(self->dev, slow, NULL));
	EXPECT_EQ(2, next_u32(self->dev, slow, NULL));
	EXPECT_EQ(~0U, next_u32(self->dev, slow, NULL));
}

TEST_F(topic, backpressure_publish_times_out_after_about_its_timeout)
{
	__u32 t, ep;
	__u64 start;
	__s64 elapsed;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 1, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	ASSERT_EQ(0, publish_u32(self->dev, t, 1, 0, NULL, NULL));
	start = logos_now_ns();
	EXPECT_EQ(-ETIMEDOUT, publish_u32(self->dev, t, 2, 300 * MS, NULL, NULL));
	elapsed = logos_now_ns() - start;
	EXPECT_LE(300 * MS, elapsed);
	EXPECT_GT(2 * SEC, elapsed);
	EXPECT_EQ(1, next_u32(self->dev, ep, NULL));
	EXPECT_EQ(~0U, next_u32(self->dev, ep, NULL));
}

TEST_F(topic, backpressure_publish_waits_until_the_subscriber_drains)
{
	__u32 v = 2, t, ep;
	struct logos_topic_publish arg;
	struct logos_bg bg;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 1, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	ASSERT_EQ(0, publish_u32(self->dev, t, 1, 0, NULL, NULL));
	memset(&arg, 0, sizeof(arg));
	arg.handle = t;
	arg.timeout_ns = 10 * SEC;
	arg.msg.data = PTR(&v);
	arg.msg.data_len = sizeof(v);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_TOPIC_PUBLISH, &arg));
	usleep(50000);
	EXPECT_EQ(1, logos_bg_ret(&bg));
	EXPECT_EQ(1, next_u32(self->dev, ep, NULL));
	EXPECT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(1, arg.delivered);
	EXPECT_EQ(2, next_u32(self->dev, ep, NULL));
}

/* ---- DROP_OLDEST ---------------------------------------------------------------------------- */

TEST_F(topic, drop_oldest_counts_drops_for_the_publisher_and_tells_the_subscriber)
{
	__u32 t, ep, v, delivered, dropped;
	struct logos_msg out;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_DROP_OLDEST, 2, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	for (v = 1; v <= 5; v++) {
		delivered = dropped = ~0U;
		ASSERT_EQ(0, publish_u32(self->dev, t, v, 0, &delivered, &dropped)) TH_LOG("v %u", v);
		EXPECT_EQ(1, delivered);
		EXPECT_EQ(v > 2 ? 1 : 0, dropped) TH_LOG("publish %u", v);
	}
	/* 1, 2 and 3 were dropped; 4 says so, 5 has nothing more to tell. */
	EXPECT_EQ(4, next_u32(self->dev, ep, &out));
	EXPECT_EQ(3, out.header.dropped);
	EXPECT_EQ(5, next_u32(self->dev, ep, &out));
	EXPECT_EQ(0, out.header.dropped);
	EXPECT_EQ(~0U, next_u32(self->dev, ep, NULL));
}

TEST_F(topic, drop_oldest_count_starts_again_after_each_delivery)
{
	__u32 t, ep, v;
	struct logos_msg out;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_DROP_OLDEST, 1, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	ASSERT_EQ(0, publish_u32(self->dev, t, 1, 0, NULL, NULL));
	ASSERT_EQ(0, publish_u32(self->dev, t, 2, 0, NULL, NULL));	/* drops 1 */
	EXPECT_EQ(2, next_u32(self->dev, ep, &out));
	EXPECT_EQ(1, out.header.dropped);
	for (v = 3; v <= 5; v++)
		ASSERT_EQ(0, publish_u32(self->dev, t, v, 0, NULL, NULL));	/* drops 3, 4 */
	EXPECT_EQ(5, next_u32(self->dev, ep, &out));
	EXPECT_EQ(2, out.header.dropped);
}

TEST_F(topic, drop_oldest_never_holds_the_publisher_back_nor_touches_others)
{
	__u32 t, fast, slow, v, delivered, dropped;
	struct logos_msg out;
	__u64 start;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_DROP_OLDEST, 2, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &fast));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &slow));
	for (v = 1; v <= 4; v++) {
		start = logos_now_ns();
		ASSERT_EQ(0, publish_u32(self->dev, t, v, 5 * SEC, &delivered, &dropped));
		EXPECT_GT(1 * SEC, (__s64)(logos_now_ns() - start));
		EXPECT_EQ(2, delivered);
		EXPECT_EQ(v > 2 ? 1 : 0, dropped);	/* slow only */
		EXPECT_EQ(v, next_u32(self->dev, fast, &out));
		EXPECT_EQ(0, out.header.dropped);
	}
	EXPECT_EQ(3, next_u32(self->dev, slow, &out));
	EXPECT_EQ(2, out.header.dropped);
	EXPECT_EQ(4, next_u32(self->dev, slow, &out));
	EXPECT_EQ(0, out.header.dropped);
}

/* ---- memory handles -------------------------------------------------------------------------- */

TEST_F(topic, memory_handle_arrives_as_a_read_only_grant_of_the_same_pages)
{
	struct logos_msg_handle mh, rx = { 0 };
	struct logos_handle_info mi, ri;
	struct logos_msg out;
	__u32 t, ep, mem;
	char *pub, *sub;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &mem, NULL));
	pub = logos_map(self->dev, mem, self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, pub);
	strcpy(pub, "frame 1");
	mh = logos_mh(mem, LOGOS_RIGHTS_SAME, 0);
	ASSERT_EQ(0, logos_publish(self->dev, t, "f", 1, &mh, 1, 0, NULL, NULL));
	/* Derived, never moved: the publisher keeps its handle. */
	EXPECT_EQ(LOGOS_RIGHTS_ALL, logos_rights_of(self->dev, mem));
	ASSERT_EQ(0, logos_recv(self->dev, ep, (char[8]){}, 8, &rx, 1, 0, &out));
	EXPECT_EQ(1, out.nr_handles);
	EXPECT_EQ(LOGOS_OBJ_MEMORY, rx.type);
	EXPECT_EQ(LOGOS_TOPIC_GRANT_RIGHTS, rx.rights);
	ASSERT_EQ(0, logos_info(self->dev, mem, &mi));
	ASSERT_EQ(0, logos_info(self->dev, rx.handle, &ri));
	EXPECT_EQ(mi.object_id, ri.object_id);
	EXPECT_EQ(-EPERM, logos_map_err(self->dev, (off_t)rx.handle * self->ps, self->ps,
					PROT_READ | PROT_WRITE, MAP_SHARED));
	sub = logos_map(self->dev, rx.handle, self->ps, PROT_READ);
	ASSERT_NE(NULL, sub) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_STREQ("frame 1", sub);
	strcpy(pub, "frame 2");
	EXPECT_STREQ("frame 2", sub);	/* the same pages, not a copy */
	munmap(sub, self->ps);
	munmap(pub, self->ps);
}

TEST_F(topic, every_subscriber_gets_its_own_grant_and_the_publisher_can_revoke_them)
{
	struct logos_msg_handle mh, rx[2];
	__u32 t, ep[2], mem, revoked = 0;
	char *sub[2];
	int i;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[0]));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[1]));
	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &mem, NULL));
	mh = logos_mh(mem, LOGOS_RIGHTS_SAME, 0);
	ASSERT_EQ(0, logos_publish(self->dev, t, NULL, 0, &mh, 1, 0, NULL, NULL));
	for (i = 0; i < 2; i++) {
		memset(&rx[i], 0, sizeof(rx[i]));
		ASSERT_EQ(0, logos_recv(self->dev, ep[i], NULL, 0, &rx[i], 1, 0, NULL));
		sub[i] = logos_map(self->dev, rx[i].handle, self->ps, PROT_READ);
		ASSERT_NE(NULL, sub[i]);
	}
	EXPECT_NE(rx[0].handle, rx[1].handle);
	ASSERT_EQ(0, logos_revoke(self->dev, mem, &revoked));
	EXPECT_EQ(2, revoked);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(SIGBUS, logos_probe(sub[i], 0, 0, NULL)) TH_LOG("subscriber %d", i);
}

TEST_F(topic, publishing_a_handle_that_is_not_memory_is_eprototype)
{
	struct logos_msg_handle mh;
	__u32 t, ep, e;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	mh = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
	EXPECT_EQ(-EPROTOTYPE, logos_publish(self->dev, t, NULL, 0, &mh, 1, 0, NULL, NULL));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, ep, NULL, 0, NULL, 0, 0, NULL));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, e));
}

TEST_F(topic, publishing_a_memory_handle_without_transfer_is_eperm)
{
	struct logos_msg_handle mh;
	__u32 t, ep, mem, stuck;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &mem, NULL));
	ASSERT_EQ(0, logos_dup(self->dev, mem, LOGOS_RIGHTS_ALL & ~LOGOS_RIGHT_TRANSFER, &stuck));
	mh = logos_mh(stuck, LOGOS_RIGHTS_SAME, 0);
	EXPECT_EQ(-EPERM, logos_publish(self->dev, t, NULL, 0, &mh, 1, 0, NULL, NULL));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, ep, NULL, 0, NULL, 0, 0, NULL));
}

TEST_F(topic, dropped_messages_release_their_grants)
{
	struct logos_msg_handle mh;
	__u32 t, ep, mem, revoked = ~0U;
	int i;

	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_DROP_OLDEST, 1, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep));
	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &mem, NULL));
	mh = logos_mh(mem, LOGOS_RIGHTS_SAME, 0);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, logos_publish(self->dev, t, NULL, 0, &mh, 1, 0, NULL, NULL));
	/* Two were dropped with their grants; one is still queued. */
	ASSERT_EQ(0, logos_revoke(self->dev, mem, &revoked));
	EXPECT_EQ(1, revoked);
}

TEST_F(topic, nothing_outlives_a_topic_and_its_subscribers)
{
	long long live0 = logos_live_objects();
	struct logos_msg_handle mh;
	__u32 t, ep[2], mem;

	ASSERT_LE(0, live0);
	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_BACKPRESSURE, 0, &t));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[0]));
	ASSERT_EQ(0, logos_subscribe(self->dev, t, &ep[1]));
	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &mem, NULL));
	mh = logos_mh(mem, LOGOS_RIGHTS_SAME, 0);
	ASSERT_EQ(0, logos_publish(self->dev, t, "x", 1, &mh, 1, 0, NULL, NULL));
	ASSERT_EQ(0, logos_close_handle(self->dev, mem));
	ASSERT_EQ(0, logos_close_handle(self->dev, ep[0]));
	ASSERT_EQ(0, logos_close_handle(self->dev, t));
	ASSERT_EQ(0, logos_close_handle(self->dev, ep[1]));
	EXPECT_EQ(live0, logos_live_objects_settle(live0));
}

/* Sets a logos.ko parameter; 0 or -errno. */
static int set_param(const char *name, long long value)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/logos/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fprintf(f, "%lld\n", value) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

/*
 * A message larger than a drop-oldest subscriber's whole byte bound is
 * refused for that subscriber alone, counted as a drop on both sides, and
 * its queue is left as it was (it used to be emptied first).
 */
TEST_F(topic, drop_oldest_refuses_a_message_larger_than_the_queue_and_keeps_it)
{
	long long saved = logos_param("channel_max_bytes");
	static char big[2048];
	__u32 t, ep = 0, delivered = 9, dropped = 0;
	struct logos_msg m;

	ASSERT_LT(0, saved);
	ASSERT_EQ(0, logos_topic_new(self->dev, LOGOS_TOPIC_DROP_OLDEST, 0, &t));
	ASSERT_EQ(0, set_param("channel_max_bytes", 1024));
	EXPECT_EQ(0, logos_subscribe(self->dev, t, &ep));
	ASSERT_EQ(0, set_param("channel_max_bytes", saved));
	ASSERT_EQ(0, publish_u32(self->dev, t, 1, 0, NULL, NULL));
	ASSERT_EQ(0, publish_u32(self->dev, t, 2, 0, NULL, NULL));
	EXPECT_EQ(0, logos_publish(self->dev, t, big, sizeof(big), NULL, 0, 0, &delivered,
				   &dropped));
	EXPECT_EQ(0, delivered);
	EXPECT_EQ(1, dropped);
	EXPECT_EQ(1, next_u32(self->dev, ep, &m));
	EXPECT_EQ(1, m.header.dropped);
	EXPECT_EQ(2, next_u32(self->dev, ep, NULL));
	EXPECT_EQ(~0U, next_u32(self->dev, ep, NULL));
}

TEST_HARNESS_MAIN
