// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: creation, sending and receiving bytes and handles, size/
 * pointer/flag/rights errors, transfer atomicity, move versus derive,
 * revocation in flight, too-small receive buffers. Also
 * channel_queue_test.c (waiting, bounded queues, quotas, rights, closed
 * peers) and channel_batch_test.c (header, priorities, batching, many
 * senders or receivers).
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_helpers.h"
#include "kselftest_harness.h"
#include "channel_fixture.h"

/* ---- no cycles through a channel's own endpoints ----------------------------------- */

/*
 * An endpoint queued in its own channel could only be freed by reading
 * the message that holds it: refused, so closing always frees a channel.
 */
TEST_F(ch, sending_either_endpoint_through_its_own_channel_is_einval)
{
	struct logos_msg_handle own = logos_mh(self->a, LOGOS_RIGHTS_SAME, 0);
	struct logos_msg_handle peer = logos_mh(self->b, LOGOS_RIGHTS_SAME,
						LOGOS_MSG_HANDLE_MOVE);

	EXPECT_EQ(-EINVAL, logos_send(self->dev, self->a, "x", 1, &own, 1, 0, 0));
	EXPECT_EQ(-EINVAL, logos_send(self->dev, self->a, "x", 1, &peer, 1, 0, 0));
	/* Nothing was sent and both handles are still ours. */
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
	EXPECT_EQ(0, send_u32(self->dev, self->a, 7, 0));
	EXPECT_EQ(7U, recv_u32(self->dev, self->b));
}

/* ---- creation -------------------------------------------------------------------- */

TEST_F(ch, create_gives_two_endpoints_with_all_rights_but_map)
{
	struct logos_handle_info ia, ib;

	ASSERT_EQ(0, logos_info(self->dev, self->a, &ia));
	ASSERT_EQ(0, logos_info(self->dev, self->b, &ib));
	EXPECT_EQ(LOGOS_OBJ_CHANNEL, ia.type);
	EXPECT_EQ(LOGOS_OBJ_CHANNEL, ib.type);
	EXPECT_EQ(LOGOS_ENDPOINT_RIGHTS, ia.rights);
	EXPECT_EQ(LOGOS_ENDPOINT_RIGHTS, ib.rights);
	EXPECT_NE(ia.object_id, ib.object_id);
	EXPECT_NE(self->a, self->b);
	EXPECT_EQ(0, ia.parent_cap_id);
	EXPECT_EQ(0, ia.owner_module);
}

TEST_F(ch, create_with_flags_or_reserved_is_einval)
{
	struct logos_channel_create arg = { .flags = 1 };

	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CREATE, &arg));
	arg = (struct logos_channel_create){ .flags = 0x80000000U };
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CREATE, &arg));
	arg = (struct logos_channel_create){ .reserved = 1 };
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CREATE, &arg));
}

TEST_F(ch, create_with_bad_pointer_is_efault)
{
	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CREATE, NULL));
}

TEST_F(ch, create_in_a_module_charges_two_objects_and_two_channels)
{
	struct logos_module_info before, after;
	struct logos_test_module m;
	__u32 h0, h1;

	ASSERT_EQ(0, logos_module_new(self->dev, "chan", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &before));
	ASSERT_EQ(0, logos_chan_new(m.fd, 0, 0, &h0, &h1));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &after));
	EXPECT_EQ(before.usage[LOGOS_RES_CHANNELS] + 2, after.usage[LOGOS_RES_CHANNELS]);
	EXPECT_EQ(before.usage[LOGOS_RES_OBJECTS] + 2, after.usage[LOGOS_RES_OBJECTS]);
	EXPECT_EQ(before.usage[LOGOS_RES_HANDLES] + 2, after.usage[LOGOS_RES_HANDLES]);
	ASSERT_EQ(0, logos_close_handle(m.fd, h0));
	ASSERT_EQ(0, logos_close_handle(m.fd, h1));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &after));
	EXPECT_EQ(before.usage[LOGOS_RES_CHANNELS], after.usage[LOGOS_RES_CHANNELS]);
	EXPECT_EQ(before.usage[LOGOS_RES_OBJECTS], after.usage[LOGOS_RES_OBJECTS]);
}

/* A quota of 3 channels holds one pair, not two. */
TEST_F(ch, create_over_the_channel_quota_is_edquot)
{
	__u64 limits[LOGOS_RES_COUNT] = { [LOGOS_RES_CHANNELS] = 3 };
	struct logos_test_module m;
	__u32 h0, h1;

	ASSERT_EQ(0, logos_module_new(self->dev, "chanquota", LOGOS_TRUST_USER, limits, &m));
	ASSERT_EQ(0, logos_chan_new(m.fd, 0, 0, &h0, &h1));
	EXPECT_EQ(-EDQUOT, logos_chan_new(m.fd, 0, 0, &h0, &h1));
	EXPECT_EQ(2, logos_usage(self->dev, m.handle, LOGOS_RES_CHANNELS));
}

/* ---- bytes ---------------------------------------------------------------------------- */

TEST_F(ch, bytes_sent_on_one_end_arrive_on_the_other)
{
	struct logos_msg out;
	char buf[64];

	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "hello", 5));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, buf, sizeof(buf), NULL, 0, 0, &out));
	EXPECT_EQ(5, out.data_len);
	EXPECT_EQ(0, out.nr_handles);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(0, buf[5]);	/* nothing written past the message */
}

TEST_F(ch, a_message_does_not_come_back_to_its_sender)
{
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_TRUE(queue_is_empty(self->dev, self->a));
	EXPECT_EQ(1, logos_recv_bytes(self->dev, self->b, (char[8]){}, 8, 0));
}

TEST_F(ch, both_directions_work_independently)
{
	ASSERT_EQ(0, send_u32(self->dev, self->a, 1, 0));
	ASSERT_EQ(0, send_u32(self->dev, self->b, 2, 0));
	EXPECT_EQ(2, recv_u32(self->dev, self->a));
	EXPECT_EQ(1, recv_u32(self->dev, self->b));
}

TEST_F(ch, send_reports_one_done)
{
	struct logos_msg msg = { .data = PTR("abc"), .data_len = 3 };
	__u32 done = 0;

	ASSERT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a, &msg, 1, 0, &done));
	EXPECT_EQ(1, done);
	memset(&msg, 0, sizeof(msg));
	msg.data = PTR((char[8]){});
	msg.data_len = 8;
	done = 0;
	ASSERT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b, &msg, 1, 0, &done));
	EXPECT_EQ(1, done);
}

TEST_F(ch, zero_byte_message_is_delivered)
{
	struct logos_msg out;
	char buf[8];

	ASSERT_EQ(0, logos_send(self->dev, self->a, NULL, 0, NULL, 0, 0, 0));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, buf, sizeof(buf), NULL, 0, 0, &out));
	EXPECT_EQ(0, out.data_len);
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, largest_message_is_delivered_intact)
{
	unsigned char *tx = malloc(LOGOS_MSG_MAX_BYTES), *rx = calloc(1, LOGOS_MSG_MAX_BYTES);
	int i;

	ASSERT_NE(NULL, tx);
	ASSERT_NE(NULL, rx);
	for (i = 0; i < LOGOS_MSG_MAX_BYTES; i++)
		tx[i] = (unsigned char)(i * 7 + 3);
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, tx, LOGOS_MSG_MAX_BYTES));
	ASSERT_EQ(LOGOS_MSG_MAX_BYTES,
		  logos_recv_bytes(self->dev, self->b, rx, LOGOS_MSG_MAX_BYTES, 0));
	EXPECT_EQ(0, memcmp(tx, rx, LOGOS_MSG_MAX_BYTES));
	free(tx);
	free(rx);
}

/*
 * The header does not name the errno for data_len > LOGOS_MSG_MAX_BYTES;
 * -EMSGSIZE is what the kernel implements (as sendmsg(2) does).
 */
TEST_F(ch, message_over_the_byte_limit_is_emsgsize_and_nothing_is_queued)
{
	unsigned char *tx = calloc(1, LOGOS_MSG_MAX_BYTES + 1);

	ASSERT_NE(NULL, tx);
	EXPECT_EQ(-EMSGSIZE, logos_send_bytes(self->dev, self->a, tx, LOGOS_MSG_MAX_BYTES + 1));
	EXPECT_EQ(-EMSGSIZE, logos_send_bytes(self->dev, self->a, tx, ~0U));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
	free(tx);
}

/* ---- pointers -------------------------------------------------------------------------- */

TEST_F(ch, send_with_bad_data_pointer_is_efault_and_nothing_is_queued)
{
	EXPECT_EQ(-EFAULT, logos_send_bytes(self->dev, self->a, (void *)8, 16));
	EXPECT_EQ(-EFAULT, logos_send_bytes(self->dev, self->a, (void *)-4096L, 16));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, send_with_bad_handles_pointer_is_efault_and_nothing_is_queued)
{
	EXPECT_EQ(-EFAULT, logos_send(self->dev, self->a, "x", 1, (void *)8, 1, 0, 0));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, io_with_bad_msgs_pointer_is_efault)
{
	EXPECT_EQ(-EFAULT, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a,
					 (void *)8, 1, 0, NULL));
	EXPECT_EQ(-EFAULT, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b,
					 (void *)8, 1, 0, NULL));
	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_SEND, NULL));
	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_RECV, NULL));
}

TEST_F(ch, receive_into_bad_data_pointer_is_efault)
{
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "abc", 3));
	EXPECT_EQ(-EFAULT, logos_recv(self->dev, self->b, (void *)8, 16, NULL, 0, 0, NULL));
}

TEST_F(ch, receive_into_read_only_buffer_is_efault)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "abc", 3));
	EXPECT_EQ(-EFAULT, logos_recv(self->dev, self->b, ro, 16, NULL, 0, 0, NULL));
	munmap(ro, 4096);
}

/* ---- flags and reserved fields ------------------------------------------------------- */

TEST_F(ch, unknown_message_flags_are_einval)
{
	static const __u32 bad[] = { 0x2, 0x80, LOGOS_MSG_CALL, LOGOS_MSG_REPLY, 0x80000000U };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, logos_send(self->dev, self->a, "x", 1, NULL, 0, bad[i], 0))
			TH_LOG("flags 0x%x", bad[i]);
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, nonzero_message_reserved_is_einval)
{
	struct logos_msg msg = { .data = PTR("x"), .data_len = 1, .reserved = 1 };

	EXPECT_EQ(-EINVAL, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a,
					 &msg, 1, 0, NULL));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, nonzero_header_on_send_is_einval)
{
	struct logos_msg msg = { .data = PTR("x"), .data_len = 1 };

	msg.header.sender_module = 7;	/* a forged sender */
	EXPECT_EQ(-EINVAL, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a,
					 &msg, 1, 0, NULL));
	memset(&msg.header, 0, sizeof(msg.header));
	msg.header.reserved = 1;
	EXPECT_EQ(-EINVAL, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a,
					 &msg, 1, 0, NULL));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, unknown_io_flags_are_einval)
{
	struct logos_msg msg = { .data = PTR("x"), .data_len = 1 };
	struct logos_channel_io io = {
		.handle = self->a, .msgs = PTR(&msg), .count = 1, .flags = 1,
	};

	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_SEND, &io));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	msg = (struct logos_msg){ .data = PTR((char[8]){}), .data_len = 8 };
	io = (struct logos_channel_io){
		.handle = self->b, .msgs = PTR(&msg), .count = 1, .flags = 0x100,
	};
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_RECV, &io));
	EXPECT_EQ(1, logos_recv_bytes(self->dev, self->b, (char[8]){}, 8, 0));
}

TEST_F(ch, batch_count_outside_1_to_max_is_einval)
{
	struct logos_msg msgs[LOGOS_BATCH_MAX + 1];
	int i;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i <= LOGOS_BATCH_MAX; i++) {
		msgs[i].data = PTR("x");
		msgs[i].data_len = 1;
	}
	EXPECT_EQ(-EINVAL, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a,
					 msgs, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a,
					 msgs, LOGOS_BATCH_MAX + 1, 0, NULL));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
	EXPECT_EQ(-EINVAL, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b,
					 msgs, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b,
					 msgs, LOGOS_BATCH_MAX + 1, 0, NULL));
}

TEST_F(ch, receive_buffer_with_flags_or_reserved_is_einval_and_the_message_stays)
{
	struct logos_msg msg;
	char buf[8];

	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	msg = (struct logos_msg){ .data = PTR(buf), .data_len = 8, .flags = LOGOS_MSG_URGENT };
	EXPECT_EQ(-EINVAL, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b,
					 &msg, 1, 0, NULL));
	msg = (struct logos_msg){ .data = PTR(buf), .data_len = 8, .reserved = 1 };
	EXPECT_EQ(-EINVAL, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b,
					 &msg, 1, 0, NULL));
	EXPECT_EQ(1, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
}

TEST_F(ch, unknown_handle_flags_or_nonzero_type_are_einval_and_nothing_moves)
{
	struct logos_msg_handle mh;
	__u32 e;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	mh = logos_mh(e, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE | 0x2);
	EXPECT_EQ(-EINVAL, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	mh = logos_mh(e, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	mh.type = LOGOS_OBJ_EVENT;
	EXPECT_EQ(-EINVAL, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, e));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

/*
 * A refused entry after copied ones: the copies' capability nodes were
 * already allocated and used to leak (kmemleak and "Objects remaining in
 * logos_cap" at rmmod on the debug kernel). Found by tests/fuzz.
 */
TEST_F(ch, a_bad_entry_after_copied_handles_is_einval_and_leaks_nothing)
{
	struct logos_msg_handle hs[3];
	__u32 e;
	int i;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	for (i = 0; i < 3; i++) {
		hs[0] = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
		hs[1] = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
		hs[2] = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
		if (i == 0)
			hs[2].flags = 0x2;			/* unknown flag */
		else if (i == 1)
			hs[2].type = LOGOS_OBJ_EVENT;		/* type must be 0 */
		else
			hs[2].flags = LOGOS_MSG_HANDLE_MOVE;	/* moved and copied */
		EXPECT_EQ(-EINVAL, logos_send(self->dev, self->a, NULL, 0, hs, 3, 0, 0))
			TH_LOG("case %d", i);
	}
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, e));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

/* ---- handles -------------------------------------------------------------------------- */

TEST_F(ch, handle_arrives_with_the_rights_asked_and_names_the_same_object)
{
	__u32 want = LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER;
	struct logos_handle_info ie, ir;
	struct logos_msg_handle mh, rx = { 0 };
	struct logos_msg out;
	__u32 e, observed = 0;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	mh = logos_mh(e, want, 0);
	ASSERT_EQ(0, logos_send(self->dev, self->a, "h", 1, &mh, 1, 0, 0));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, (char[8]){}, 8, &rx, 1, 0, &out));
	EXPECT_EQ(1, out.nr_handles);
	EXPECT_EQ(LOGOS_OBJ_EVENT, rx.type);
	EXPECT_EQ(want, rx.rights);
	EXPECT_EQ(0, rx.flags);
	EXPECT_NE(e, rx.handle);
	ASSERT_EQ(0, logos_info(self->dev, e, &ie));
	ASSERT_EQ(0, logos_info(self->dev, rx.handle, &ir));
	EXPECT_EQ(ie.object_id, ir.object_id);
	EXPECT_EQ(want, ir.rights);
	/* It is the same event: a signal through the copy shows on the original. */
	ASSERT_EQ(0, logos_signal(self->dev, rx.handle, 0, 0x10));
	EXPECT_EQ(0, logos_wait_one(self->dev, e, 0x10, 0, &observed));
	EXPECT_EQ(0x10, observed);
}

TEST_F(ch, rights_same_keeps_the_senders_rights)
{
	struct logos_msg_handle mh, rx = { 0 };
	__u32 e, weak;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	ASSERT_EQ(0, logos_dup(self->dev, e, LOGOS_RIGHT_READ | LOGOS_RIGHT_TRANSFER, &weak));
	mh = logos_mh(weak, LOGOS_RIGHTS_SAME, 0);
	ASSERT_EQ(0, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, NULL, 0, &rx, 1, 0, NULL));
	EXPECT_EQ(LOGOS_RIGHT_READ | LOGOS_RIGHT_TRANSFER, rx.rights);
	EXPECT_EQ(LOGOS_RIGHT_READ | LOGOS_RIGHT_TRANSFER, logos_rights_of(self->dev, rx.handle));
}

TEST_F(ch, handle_cannot_gain_rights_in_transfer)
{
	struct logos_msg_handle mh;
	__u32 e, weak;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	ASSERT_EQ(0, logos_dup(self->dev, e, LOGOS_RIGHT_READ | LOGOS_RIGHT_TRANSFER, &weak));
	mh = logos_mh(weak, LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER, 0);
	EXPECT_EQ(-EPERM, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, handle_without_transfer_right_is_eperm_and_nothing_is_sent)
{
	struct logos_msg_handle mh;
	__u32 e, stuck;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	ASSERT_EQ(0, logos_dup(self->dev, e, LOGOS_EVENT_RIGHTS & ~LOGOS_RIGHT_TRANSFER, &stuck));
	mh = logos_mh(stuck, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	EXPECT_EQ(-EPERM, logos_send(self->dev, self->a, "x", 1, &mh, 1, 0, 0));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS & ~LOGOS_RIGHT_TRANSFER, logos_rights_of(self->dev, stuck));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, the_most_handles_allowed_are_delivered)
{
	struct logos_msg_handle hs[LOGOS_MSG_MAX_HANDLES], rx[LOGOS_MSG_MAX_HANDLES];
	struct logos_handle_info ie, ir;
	struct logos_msg out;
	__u32 e;
	int i;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	for (i = 0; i < LOGOS_MSG_MAX_HANDLES; i++)
		hs[i] = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
	ASSERT_EQ(0, logos_send(self->dev, self->a, NULL, 0, hs, LOGOS_MSG_MAX_HANDLES, 0, 0));
	memset(rx, 0, sizeof(rx));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, NULL, 0, rx, LOGOS_MSG_MAX_HANDLES, 0, &out));
	EXPECT_EQ(LOGOS_MSG_MAX_HANDLES, out.nr_handles);
	ASSERT_EQ(0, logos_info(self->dev, e, &ie));
	for (i = 0; i < LOGOS_MSG_MAX_HANDLES; i++) {
		ASSERT_EQ(0, logos_info(self->dev, rx[i].handle, &ir)) TH_LOG("handle %d", i);
		EXPECT_EQ(ie.object_id, ir.object_id);
	}
}

TEST_F(ch, too_many_handles_is_einval_and_nothing_moves)
{
	struct logos_msg_handle hs[LOGOS_MSG_MAX_HANDLES + 1];
	__u32 e;
	int i;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	for (i = 0; i <= LOGOS_MSG_MAX_HANDLES; i++)
		hs[i] = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
	hs[0].flags = LOGOS_MSG_HANDLE_MOVE;
	EXPECT_EQ(-EINVAL, logos_send(self->dev, self->a, NULL, 0, hs,
				      LOGOS_MSG_MAX_HANDLES + 1, 0, 0));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, e));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

/* Three handles, all to be moved; @bad (the middle one) must fail the send. */
static void check_nothing_moved(struct __test_metadata *_metadata, int dev, __u32 a, __u32 b,
				__u32 bad, int expect)
{
	struct logos_handle_info i1, i2, after;
	struct logos_msg_handle hs[3];
	__u32 e1, e2;

	ASSERT_EQ(0, logos_event_new(dev, &e1));
	ASSERT_EQ(0, logos_event_new(dev, &e2));
	ASSERT_EQ(0, logos_info(dev, e1, &i1));
	ASSERT_EQ(0, logos_info(dev, e2, &i2));
	hs[0] = logos_mh(e1, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	hs[1] = logos_mh(bad, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	hs[2] = logos_mh(e2, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	EXPECT_EQ(expect, logos_send(dev, a, "atomic", 6, hs, 3, 0, 0));
	/* Both good handles are still ours, the same table entries as before. */
	ASSERT_EQ(0, logos_info(dev, e1, &after));
	EXPECT_EQ(i1.cap_id, after.cap_id);
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, after.rights);
	ASSERT_EQ(0, logos_info(dev, e2, &after));
	EXPECT_EQ(i2.cap_id, after.cap_id);
	EXPECT_TRUE(queue_is_empty(dev, b));
}

TEST_F(ch, a_closed_handle_among_three_sends_nothing_and_the_others_stay)
{
	__u32 gone;

	ASSERT_EQ(0, logos_event_new(self->dev, &gone));
	ASSERT_EQ(0, logos_close_handle(self->dev, gone));
	check_nothing_moved(_metadata, self->dev, self->a, self->b, gone, -EBADF);
}

TEST_F(ch, a_handle_without_transfer_among_three_sends_nothing_and_the_others_stay)
{
	__u32 e, stuck;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	ASSERT_EQ(0, logos_dup(self->dev, e, LOGOS_RIGHT_READ, &stuck));
	check_nothing_moved(_metadata, self->dev, self->a, self->b, stuck, -EPERM);
	EXPECT_EQ(LOGOS_RIGHT_READ, logos_rights_of(self->dev, stuck));
}

TEST_F(ch, a_revoked_handle_among_three_sends_nothing_and_the_others_stay)
{
	__u32 e, child;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	ASSERT_EQ(0, logos_dup(self->dev, e, LOGOS_RIGHTS_SAME, &child));
	ASSERT_EQ(0, logos_revoke(self->dev, e, NULL));
	check_nothing_moved(_metadata, self->dev, self->a, self->b, child, -EKEYREVOKED);
}

/* In a module the failed send also leaves the handle count as it was. */
TEST_F(ch, failed_transfer_in_a_module_keeps_its_handle_count)
{
	struct logos_msg_handle hs[3];
	struct logos_test_module m;
	__u32 ma, e1, e2, before;

	ASSERT_EQ(0, logos_module_with(self->dev, "atomic", NULL, self->a, &m, &ma));
	ASSERT_EQ(0, logos_event_new(m.fd, &e1));
	ASSERT_EQ(0, logos_event_new(m.fd, &e2));
	before = logos_usage(self->dev, m.handle, LOGOS_RES_HANDLES);
	hs[0] = logos_mh(e1, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	hs[1] = logos_mh(e2, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	hs[2] = logos_mh(0x7fffff01, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	EXPECT_EQ(-EBADF, logos_send(m.fd, ma, NULL, 0, hs, 3, 0, 0));
	EXPECT_EQ(before, logos_usage(self->dev, m.handle, LOGOS_RES_HANDLES));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(m.fd, e1));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(m.fd, e2));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, move_takes_the_handle_out_of_the_senders_table)
{
	struct logos_handle_info before, info;
	struct logos_msg_handle mh, rx = { 0 };

	ASSERT_EQ(0, logos_event_new(self->dev, &mh.handle));
	ASSERT_EQ(0, logos_info(self->dev, mh.handle, &before));
	mh = logos_mh(mh.handle, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	ASSERT_EQ(0, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	EXPECT_EQ(-EBADF, logos_info(self->dev, mh.handle, &info));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, NULL, 0, &rx, 1, 0, NULL));
	ASSERT_EQ(0, logos_info(self->dev, rx.handle, &info));
	/* The derivation-tree node itself moved: same cap id, same parent. */
	EXPECT_EQ(before.cap_id, info.cap_id);
	EXPECT_EQ(before.parent_cap_id, info.parent_cap_id);
	EXPECT_EQ(before.object_id, info.object_id);
}

TEST_F(ch, move_into_a_module_removes_it_from_the_module_count_of_the_sender)
{
	struct logos_test_module m;
	struct logos_msg_handle mh;
	__u32 ma, e, before;

	ASSERT_EQ(0, logos_module_with(self->dev, "mover", NULL, self->a, &m, &ma));
	ASSERT_EQ(0, logos_event_new(m.fd, &e));
	before = logos_usage(self->dev, m.handle, LOGOS_RES_HANDLES);
	mh = logos_mh(e, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	ASSERT_EQ(0, logos_send(m.fd, ma, NULL, 0, &mh, 1, 0, 0));
	EXPECT_EQ(before - 1, logos_usage(self->dev, m.handle, LOGOS_RES_HANDLES));
}

TEST_F(ch, without_move_the_sender_keeps_its_handle_and_can_revoke_the_copy)
{
	struct logos_handle_info ie, ir;
	struct logos_msg_handle mh, rx = { 0 };
	__u32 e, revoked = 0;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	mh = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
	ASSERT_EQ(0, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	ASSERT_EQ(0, logos_info(self->dev, e, &ie));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, NULL, 0, &rx, 1, 0, NULL));
	ASSERT_EQ(0, logos_info(self->dev, rx.handle, &ir));
	EXPECT_EQ(ie.cap_id, ir.parent_cap_id);
	EXPECT_NE(ie.cap_id, ir.cap_id);
	ASSERT_EQ(0, logos_revoke(self->dev, e, &revoked));
	EXPECT_EQ(1, revoked);
	EXPECT_EQ(-EKEYREVOKED, logos_signal(self->dev, rx.handle, 0, 1));
	EXPECT_EQ(-EKEYREVOKED, logos_info(self->dev, rx.handle, &ir));
	EXPECT_EQ(0, logos_signal(self->dev, e, 0, 1));
	EXPECT_EQ(0, logos_close_handle(self->dev, rx.handle));
}

TEST_F(ch, handle_revoked_in_flight_arrives_flagged_revoked)
{
	struct logos_msg_handle mh, rx = { 0 };
	__u32 e, revoked = 0;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	mh = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
	ASSERT_EQ(0, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	ASSERT_EQ(0, logos_revoke(self->dev, e, &revoked));
	EXPECT_EQ(1, revoked);	/* the copy not yet received counts */
	ASSERT_EQ(0, logos_recv(self->dev, self->b, NULL, 0, &rx, 1, 0, NULL));
	EXPECT_EQ(LOGOS_HANDLE_F_REVOKED, rx.flags);
	EXPECT_EQ(LOGOS_OBJ_EVENT, rx.type);
	EXPECT_EQ(-EKEYREVOKED, logos_signal(self->dev, rx.handle, 0, 1));
	EXPECT_EQ(0, logos_close_handle(self->dev, rx.handle));
}

TEST_F(ch, handle_sent_to_another_module_names_the_same_object)
{
	struct logos_msg_handle mh, rx = { 0 };
	struct logos_test_module m;
	__u32 mb, e, observed = 0;

	ASSERT_EQ(0, logos_module_with(self->dev, "receiver", NULL, self->b, &m, &mb));
	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	mh = logos_mh(e, LOGOS_RIGHT_WRITE, 0);
	ASSERT_EQ(0, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	ASSERT_EQ(0, logos_recv(m.fd, mb, NULL, 0, &rx, 1, 0, NULL));
	EXPECT_EQ(LOGOS_RIGHT_WRITE, logos_rights_of(m.fd, rx.handle));
	ASSERT_EQ(0, logos_signal(m.fd, rx.handle, 0, 0x4));
	EXPECT_EQ(0, logos_wait_one(self->dev, e, 0x4, 0, &observed));
	EXPECT_EQ(0x4, observed);
	/* The receiver's value means nothing in the sender's table. */
	if (rx.handle != e)
		EXPECT_EQ(-EBADF, logos_signal(self->dev, rx.handle, 0, 1));
}

/* ---- receive buffer too small ---------------------------------------------------------------- */

TEST_F(ch, too_small_data_buffer_is_emsgsize_with_the_size_needed_and_the_message_stays)
{
	char tx[100], rx[100];
	struct logos_msg out;

	memset(tx, 0x5a, sizeof(tx));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, tx, sizeof(tx)));
	memset(rx, 0, sizeof(rx));
	EXPECT_EQ(-EMSGSIZE, logos_recv(self->dev, self->b, rx, 10, NULL, 0, 0, &out));
	EXPECT_EQ(100, out.data_len);
	EXPECT_EQ(0, out.nr_handles);
	EXPECT_EQ(-EMSGSIZE, logos_recv(self->dev, self->b, rx, 99, NULL, 0, 0, &out));
	EXPECT_EQ(100, out.data_len);
	ASSERT_EQ(100, logos_recv_bytes(self->dev, self->b, rx, sizeof(rx), 0));
	EXPECT_EQ(0, memcmp(tx, rx, sizeof(tx)));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, too_few_handle_slots_is_emsgsize_and_installs_nothing)
{
	struct logos_msg_handle hs[2], rx[2] = { 0 };
	struct logos_test_module m;
	struct logos_msg out;
	__u32 mb, e, before;

	ASSERT_EQ(0, logos_module_with(self->dev, "slots", NULL, self->b, &m, &mb));
	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	hs[0] = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
	hs[1] = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
	ASSERT_EQ(0, logos_send(self->dev, self->a, "two", 3, hs, 2, 0, 0));
	before = logos_usage(self->dev, m.handle, LOGOS_RES_HANDLES);
	EXPECT_EQ(-EMSGSIZE, logos_recv(m.fd, mb, (char[8]){}, 8, rx, 1, 0, &out));
	EXPECT_EQ(2, out.nr_handles);
	EXPECT_EQ(3, out.data_len);
	EXPECT_EQ(before, logos_usage(self->dev, m.handle, LOGOS_RES_HANDLES));
	ASSERT_EQ(0, logos_recv(m.fd, mb, (char[8]){}, 8, rx, 2, 0, &out));
	EXPECT_EQ(2, out.nr_handles);
	EXPECT_EQ(before + 2, logos_usage(self->dev, m.handle, LOGOS_RES_HANDLES));
}

TEST_HARNESS_MAIN
