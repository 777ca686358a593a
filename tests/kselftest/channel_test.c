// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: creation, sending and receiving bytes and handles, the header
 * the kernel stamps, size/pointer/flag/rights errors, too-small receive
 * buffers, timeouts, blocking and signals, bounded queues and
 * backpressure, quotas, transfer atomicity, move versus derive, revocation
 * in flight, closed peers, priorities, batching, and many senders or
 * receivers on one endpoint.
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_helpers.h"
#include "kselftest_harness.h"

FIXTURE(ch) {
	int dev;
	__u32 a, b;	/* the two endpoints of a channel with default bounds */
};

FIXTURE_SETUP(ch)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
	ASSERT_EQ(0, logos_chan_new(self->dev, 0, 0, &self->a, &self->b));
}

FIXTURE_TEARDOWN(ch)
{
	close(self->dev);
}

/* Nothing is queued on @h: a receive that may not wait finds nothing. */
static int queue_is_empty(int fd, __u32 h)
{
	char buf[8];

	return logos_recv(fd, h, buf, sizeof(buf), NULL, 0, 0, NULL) == -EAGAIN;
}

/* Sends the 32-bit value @v, never waiting. */
static int send_u32(int fd, __u32 h, __u32 v, __u32 flags)
{
	return logos_send(fd, h, &v, sizeof(v), NULL, 0, flags, 0);
}

/* Receives one 32-bit value, never waiting; ~0U if there was none. */
static __u32 recv_u32(int fd, __u32 h)
{
	__u32 v;

	return logos_recv_bytes(fd, h, &v, sizeof(v), 0) == sizeof(v) ? v : ~0U;
}

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

/* ---- timeouts, blocking, signals ------------------------------------------------------------- */

TEST_F(ch, nonblocking_receive_on_an_empty_queue_is_eagain)
{
	__u64 start = logos_now_ns();

	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0, 0, NULL));
	EXPECT_GT(500 * MS, (__s64)(logos_now_ns() - start));
}

TEST_F(ch, receive_times_out_after_about_its_timeout)
{
	__u64 start = logos_now_ns();
	__s64 elapsed;

	EXPECT_EQ(-ETIMEDOUT, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0,
					 300 * MS, NULL));
	elapsed = logos_now_ns() - start;
	EXPECT_LE(300 * MS, elapsed);
	EXPECT_GT(2 * SEC, elapsed);
}

TEST_F(ch, blocking_receive_is_woken_by_a_send_from_another_thread)
{
	char buf[16] = { 0 };
	struct logos_msg msg = { .data = PTR(buf), .data_len = sizeof(buf) };
	struct logos_channel_io io = {
		.handle = self->b, .msgs = PTR(&msg), .count = 1,
		.timeout_ns = LOGOS_TIMEOUT_INFINITE,
	};
	struct logos_bg bg;

	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_RECV, &io));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "wake", 4));
	EXPECT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(1, io.done);
	EXPECT_EQ(4, msg.data_len);
	EXPECT_EQ(0, memcmp(buf, "wake", 4));
}

struct sender_args {
	int fd;
	__u32 h;
};

static int send_wake(void *p)
{
	struct sender_args *s = p;

	return logos_send_bytes(s->fd, s->h, "proc", 4) ? 1 : 0;
}

TEST_F(ch, blocking_receive_is_woken_by_a_send_from_another_process)
{
	char buf[16] = { 0 };
	struct logos_msg msg = { .data = PTR(buf), .data_len = sizeof(buf) };
	struct logos_channel_io io = {
		.handle = self->b, .msgs = PTR(&msg), .count = 1, .timeout_ns = 10 * SEC,
	};
	struct logos_test_module m;
	struct sender_args s;
	struct logos_bg bg;
	pid_t pid;

	ASSERT_EQ(0, logos_module_with(self->dev, "waker", NULL, self->a, &m, &s.h));
	s.fd = m.fd;
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_RECV, &io));
	pid = logos_spawn(send_wake, &s);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, logos_reap(pid));
	EXPECT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(4, msg.data_len);
	EXPECT_EQ(0, memcmp(buf, "proc", 4));
	EXPECT_EQ(m.id, msg.header.sender_module);
}

TEST_F(ch, signal_interrupts_a_blocking_receive_with_eintr)
{
	char buf[16];
	struct logos_msg msg = { .data = PTR(buf), .data_len = sizeof(buf) };
	struct logos_channel_io io = {
		.handle = self->b, .msgs = PTR(&msg), .count = 1,
		.timeout_ns = LOGOS_TIMEOUT_INFINITE,
	};
	struct logos_bg bg;

	ASSERT_EQ(0, logos_install_noop(SIGUSR1));
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_RECV, &io));
	ASSERT_EQ(0, pthread_kill(bg.thread, SIGUSR1));
	EXPECT_EQ(-EINTR, logos_bg_join(&bg));
	EXPECT_EQ(0, io.done);
	/* Nothing was consumed: the next message arrives as usual. */
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "after", 5));
	EXPECT_EQ(5, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
}

TEST_F(ch, signal_interrupts_a_receive_with_a_timeout_with_eintr)
{
	char buf[16];
	struct logos_msg msg = { .data = PTR(buf), .data_len = sizeof(buf) };
	struct logos_channel_io io = {
		.handle = self->b, .msgs = PTR(&msg), .count = 1, .timeout_ns = 20 * SEC,
	};
	struct logos_bg bg;

	ASSERT_EQ(0, logos_install_noop(SIGUSR1));
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_RECV, &io));
	ASSERT_EQ(0, pthread_kill(bg.thread, SIGUSR1));
	EXPECT_EQ(-EINTR, logos_bg_join(&bg));
	EXPECT_GT(5 * SEC, (__s64)bg.elapsed_ns);
}

/* ---- bounded queues -------------------------------------------------------------------------- */

TEST_F(ch, full_queue_in_messages_is_eagain)
{
	__u32 a, b, i;

	ASSERT_EQ(0, logos_chan_new(self->dev, 4, 0, &a, &b));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, send_u32(self->dev, a, i, 0)) TH_LOG("message %u", i);
	EXPECT_EQ(-EAGAIN, send_u32(self->dev, a, 4, 0));
	EXPECT_EQ(0, recv_u32(self->dev, b));
	EXPECT_EQ(0, send_u32(self->dev, a, 4, 0));
	EXPECT_EQ(-EAGAIN, send_u32(self->dev, a, 5, 0));
	for (i = 1; i <= 4; i++)
		EXPECT_EQ(i, recv_u32(self->dev, b));
	EXPECT_TRUE(queue_is_empty(self->dev, b));
}

TEST_F(ch, full_queue_in_bytes_is_eagain)
{
	char buf[100] = { 0 };
	__u32 a, b;

	ASSERT_EQ(0, logos_chan_new(self->dev, 0, 100, &a, &b));
	ASSERT_EQ(0, logos_send_bytes(self->dev, a, buf, 60));
	EXPECT_EQ(-EAGAIN, logos_send_bytes(self->dev, a, buf, 41));
	EXPECT_EQ(0, logos_send_bytes(self->dev, a, buf, 40));	/* exactly full */
	EXPECT_EQ(-EAGAIN, logos_send_bytes(self->dev, a, buf, 1));
	EXPECT_EQ(60, logos_recv_bytes(self->dev, b, buf, sizeof(buf), 0));
	EXPECT_EQ(0, logos_send_bytes(self->dev, a, buf, 60));
}

TEST_F(ch, the_bound_of_one_endpoint_does_not_limit_the_other)
{
	__u32 a, b;

	ASSERT_EQ(0, logos_chan_new(self->dev, 1, 0, &a, &b));
	ASSERT_EQ(0, send_u32(self->dev, a, 1, 0));
	EXPECT_EQ(-EAGAIN, send_u32(self->dev, a, 2, 0));
	EXPECT_EQ(0, send_u32(self->dev, b, 3, 0));
	EXPECT_EQ(3, recv_u32(self->dev, a));
}

TEST_F(ch, send_to_a_full_queue_times_out_after_about_its_timeout)
{
	__u64 start;
	__s64 elapsed;
	__u32 a, b;

	ASSERT_EQ(0, logos_chan_new(self->dev, 1, 0, &a, &b));
	ASSERT_EQ(0, send_u32(self->dev, a, 1, 0));
	start = logos_now_ns();
	EXPECT_EQ(-ETIMEDOUT, logos_send(self->dev, a, "x", 1, NULL, 0, 0, 300 * MS));
	elapsed = logos_now_ns() - start;
	EXPECT_LE(300 * MS, elapsed);
	EXPECT_GT(2 * SEC, elapsed);
	EXPECT_EQ(1, recv_u32(self->dev, b));
	EXPECT_TRUE(queue_is_empty(self->dev, b));
}

TEST_F(ch, blocking_send_waits_for_room_and_goes_through_when_the_reader_drains)
{
	__u32 v = 3, a, b;
	struct logos_msg msg = { .data = PTR(&v), .data_len = sizeof(v) };
	struct logos_channel_io io = {
		.msgs = PTR(&msg), .count = 1, .timeout_ns = LOGOS_TIMEOUT_INFINITE,
	};
	struct logos_bg bg;

	ASSERT_EQ(0, logos_chan_new(self->dev, 2, 0, &a, &b));
	io.handle = a;
	ASSERT_EQ(0, send_u32(self->dev, a, 1, 0));
	ASSERT_EQ(0, send_u32(self->dev, a, 2, 0));
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_SEND, &io));
	usleep(50000);
	EXPECT_EQ(1, logos_bg_ret(&bg));	/* still waiting for room */
	EXPECT_EQ(1, recv_u32(self->dev, b));
	EXPECT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(1, io.done);
	EXPECT_EQ(2, recv_u32(self->dev, b));
	EXPECT_EQ(3, recv_u32(self->dev, b));
}

TEST_F(ch, signal_interrupts_a_blocking_send_and_nothing_is_sent)
{
	__u32 v = 2, a, b;
	struct logos_msg msg = { .data = PTR(&v), .data_len = sizeof(v) };
	struct logos_channel_io io = {
		.msgs = PTR(&msg), .count = 1, .timeout_ns = LOGOS_TIMEOUT_INFINITE,
	};
	struct logos_bg bg;

	ASSERT_EQ(0, logos_install_noop(SIGUSR1));
	ASSERT_EQ(0, logos_chan_new(self->dev, 1, 0, &a, &b));
	io.handle = a;
	ASSERT_EQ(0, send_u32(self->dev, a, 1, 0));
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_SEND, &io));
	ASSERT_EQ(0, pthread_kill(bg.thread, SIGUSR1));
	EXPECT_EQ(-EINTR, logos_bg_join(&bg));
	EXPECT_EQ(1, recv_u32(self->dev, b));
	EXPECT_TRUE(queue_is_empty(self->dev, b));
}

TEST_F(ch, max_msgs_above_the_default_is_clamped_to_it)
{
	long long def = logos_param("channel_max_msgs");
	__u32 a, b;
	long long i;

	ASSERT_LT(0, def) TH_LOG("logos.ko has no readable channel_max_msgs parameter");
	ASSERT_GT(100000, def);
	ASSERT_EQ(0, logos_chan_new(self->dev, ~0U, 0, &a, &b));
	for (i = 0; i < def; i++)
		ASSERT_EQ(0, logos_send(self->dev, a, NULL, 0, NULL, 0, 0, 0)) TH_LOG("message %lld", i);
	EXPECT_EQ(-EAGAIN, logos_send(self->dev, a, NULL, 0, NULL, 0, 0, 0));
}

/* ---- quotas ------------------------------------------------------------------------------------ */

FIXTURE(mq) {
	int dev;
	__u32 a, b;		/* a is in the module, b stays with the supervisor */
	struct logos_test_module m;
	__u32 ma;		/* a in the module's table */
};

FIXTURE_SETUP(mq)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, logos_chan_new(self->dev, 0, 0, &self->a, &self->b));
	ASSERT_EQ(0, logos_module_with(self->dev, "sender", NULL, self->a, &self->m, &self->ma));
}

FIXTURE_TEARDOWN(mq)
{
	close(self->dev);
}

TEST_F(mq, queued_messages_are_charged_to_the_sender_until_received)
{
	char buf[16] = { 0 };
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, logos_send_bytes(self->m.fd, self->ma, buf, 10));
	EXPECT_EQ(3, logos_usage(self->dev, self->m.handle, LOGOS_RES_MSGS_QUEUED));
	EXPECT_EQ(30, logos_usage(self->dev, self->m.handle, LOGOS_RES_BYTES_QUEUED));
	ASSERT_EQ(10, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
	EXPECT_EQ(2, logos_usage(self->dev, self->m.handle, LOGOS_RES_MSGS_QUEUED));
	EXPECT_EQ(20, logos_usage(self->dev, self->m.handle, LOGOS_RES_BYTES_QUEUED));
	ASSERT_EQ(10, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
	ASSERT_EQ(10, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
	EXPECT_EQ(0, logos_usage(self->dev, self->m.handle, LOGOS_RES_MSGS_QUEUED));
	EXPECT_EQ(0, logos_usage(self->dev, self->m.handle, LOGOS_RES_BYTES_QUEUED));
}

TEST_F(mq, closing_the_receiving_endpoint_returns_the_senders_charge)
{
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, logos_send_bytes(self->m.fd, self->ma, "0123456789", 10));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->b));
	EXPECT_EQ(0, logos_usage(self->dev, self->m.handle, LOGOS_RES_MSGS_QUEUED));
	EXPECT_EQ(0, logos_usage(self->dev, self->m.handle, LOGOS_RES_BYTES_QUEUED));
}

TEST_F(mq, a_message_too_small_for_the_buffer_stays_charged)
{
	ASSERT_EQ(0, logos_send_bytes(self->m.fd, self->ma, "0123456789", 10));
	ASSERT_EQ(-EMSGSIZE, logos_recv(self->dev, self->b, (char[4]){}, 4, NULL, 0, 0, NULL));
	EXPECT_EQ(1, logos_usage(self->dev, self->m.handle, LOGOS_RES_MSGS_QUEUED));
	EXPECT_EQ(10, logos_usage(self->dev, self->m.handle, LOGOS_RES_BYTES_QUEUED));
}

TEST_F(mq, module_info_counts_messages_and_bytes_sent_and_received)
{
	struct logos_module_info s0, s1, r0, r1;
	struct logos_test_module r;
	__u32 rb;
	char buf[32];

	ASSERT_EQ(0, logos_module_with(self->dev, "recv", NULL, self->b, &r, &rb));
	ASSERT_EQ(0, logos_module_info(self->dev, self->m.handle, &s0));
	ASSERT_EQ(0, logos_module_info(self->dev, r.handle, &r0));
	ASSERT_EQ(0, logos_send_bytes(self->m.fd, self->ma, buf, 10));
	ASSERT_EQ(0, logos_send_bytes(self->m.fd, self->ma, buf, 20));
	ASSERT_EQ(10, logos_recv_bytes(r.fd, rb, buf, sizeof(buf), 0));
	ASSERT_EQ(20, logos_recv_bytes(r.fd, rb, buf, sizeof(buf), 0));
	ASSERT_EQ(0, logos_module_info(self->dev, self->m.handle, &s1));
	ASSERT_EQ(0, logos_module_info(self->dev, r.handle, &r1));
	EXPECT_EQ(s0.msgs_sent + 2, s1.msgs_sent);
	EXPECT_EQ(s0.bytes_sent + 30, s1.bytes_sent);
	EXPECT_EQ(r0.msgs_received + 2, r1.msgs_received);
	EXPECT_EQ(r0.bytes_received + 30, r1.bytes_received);
	EXPECT_EQ(s0.msgs_received, s1.msgs_received);
	EXPECT_EQ(r0.msgs_sent, r1.msgs_sent);
}

TEST_F(ch, sending_over_the_msgs_queued_quota_is_edquot_until_the_receiver_drains)
{
	__u64 limits[LOGOS_RES_COUNT] = { [LOGOS_RES_MSGS_QUEUED] = 2 };
	struct logos_module_info before, after;
	struct logos_test_module m;
	char buf[8] = { 0 };
	__u64 start;
	__u32 ma;

	ASSERT_EQ(0, logos_module_with(self->dev, "msgquota", limits, self->a, &m, &ma));
	ASSERT_EQ(0, logos_send_bytes(m.fd, ma, buf, 1));
	ASSERT_EQ(0, logos_send_bytes(m.fd, ma, buf, 1));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &before));
	/* A quota is not a full queue: no waiting it out. */
	start = logos_now_ns();
	EXPECT_EQ(-EDQUOT, logos_send(m.fd, ma, buf, 1, NULL, 0, 0, 2 * SEC));
	EXPECT_GT(1 * SEC, (__s64)(logos_now_ns() - start));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &after));
	EXPECT_EQ(before.denied_quota + 1, after.denied_quota);
	EXPECT_EQ(2, after.usage[LOGOS_RES_MSGS_QUEUED]);
	ASSERT_EQ(1, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
	EXPECT_EQ(0, logos_send_bytes(m.fd, ma, buf, 1));
	ASSERT_EQ(1, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
	ASSERT_EQ(1, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, sending_over_the_bytes_queued_quota_is_edquot)
{
	__u64 limits[LOGOS_RES_COUNT] = { [LOGOS_RES_BYTES_QUEUED] = 100 };
	struct logos_test_module m;
	char buf[64] = { 0 };
	__u32 ma;

	ASSERT_EQ(0, logos_module_with(self->dev, "bytequota", limits, self->a, &m, &ma));
	ASSERT_EQ(0, logos_send_bytes(m.fd, ma, buf, 60));
	EXPECT_EQ(-EDQUOT, logos_send_bytes(m.fd, ma, buf, 41));
	EXPECT_EQ(60, logos_usage(self->dev, m.handle, LOGOS_RES_BYTES_QUEUED));
	EXPECT_EQ(1, logos_usage(self->dev, m.handle, LOGOS_RES_MSGS_QUEUED));
	EXPECT_EQ(0, logos_send_bytes(m.fd, ma, buf, 40));
	ASSERT_EQ(60, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
	ASSERT_EQ(40, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

/* ---- rights and types -------------------------------------------------------------------------- */

TEST_F(ch, send_without_write_right_is_eperm)
{
	__u32 ro;

	ASSERT_EQ(0, logos_dup(self->dev, self->a, LOGOS_ENDPOINT_RIGHTS & ~LOGOS_RIGHT_WRITE, &ro));
	EXPECT_EQ(-EPERM, logos_send_bytes(self->dev, ro, "x", 1));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, receive_without_read_right_is_eperm_and_the_message_stays)
{
	__u32 wo;

	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	ASSERT_EQ(0, logos_dup(self->dev, self->b, LOGOS_ENDPOINT_RIGHTS & ~LOGOS_RIGHT_READ, &wo));
	EXPECT_EQ(-EPERM, logos_recv(self->dev, wo, (char[8]){}, 8, NULL, 0, 0, NULL));
	EXPECT_EQ(1, logos_recv_bytes(self->dev, self->b, (char[8]){}, 8, 0));
}

TEST_F(ch, denied_send_is_counted_against_the_module)
{
	struct logos_module_info before, after;
	struct logos_test_module m;
	__u32 ma;

	ASSERT_EQ(0, logos_module_new(self->dev, "denied", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_give(self->dev, m.handle, self->a, LOGOS_RIGHT_READ, 0, &ma));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &before));
	EXPECT_EQ(-EPERM, logos_send_bytes(m.fd, ma, "x", 1));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &after));
	EXPECT_EQ(before.denied_rights + 1, after.denied_rights);
}

TEST_F(ch, send_and_receive_on_an_event_are_eprototype)
{
	__u32 e;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	EXPECT_EQ(-EPROTOTYPE, logos_send_bytes(self->dev, e, "x", 1));
	EXPECT_EQ(-EPROTOTYPE, logos_recv(self->dev, e, (char[8]){}, 8, NULL, 0, 0, NULL));
}

TEST_F(ch, send_and_receive_on_a_module_handle_are_eprototype)
{
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "notachannel", LOGOS_TRUST_USER, NULL, &m));
	EXPECT_EQ(-EPROTOTYPE, logos_send_bytes(self->dev, m.handle, "x", 1));
	EXPECT_EQ(-EPROTOTYPE, logos_recv(self->dev, m.handle, (char[8]){}, 8, NULL, 0, 0, NULL));
}

TEST_F(ch, send_and_receive_on_a_closed_handle_are_ebadf)
{
	__u32 a2;

	ASSERT_EQ(0, logos_dup(self->dev, self->a, LOGOS_RIGHTS_SAME, &a2));
	ASSERT_EQ(0, logos_close_handle(self->dev, a2));
	EXPECT_EQ(-EBADF, logos_send_bytes(self->dev, a2, "x", 1));
	EXPECT_EQ(-EBADF, logos_recv(self->dev, a2, (char[8]){}, 8, NULL, 0, 0, NULL));
	EXPECT_EQ(-EBADF, logos_send_bytes(self->dev, 0, "x", 1));
}

TEST_F(ch, send_and_receive_on_a_revoked_endpoint_are_ekeyrevoked)
{
	__u32 a2, b2;

	ASSERT_EQ(0, logos_dup(self->dev, self->a, LOGOS_RIGHTS_SAME, &a2));
	ASSERT_EQ(0, logos_dup(self->dev, self->b, LOGOS_RIGHTS_SAME, &b2));
	ASSERT_EQ(0, logos_revoke(self->dev, self->a, NULL));
	ASSERT_EQ(0, logos_revoke(self->dev, self->b, NULL));
	EXPECT_EQ(-EKEYREVOKED, logos_send_bytes(self->dev, a2, "x", 1));
	EXPECT_EQ(-EKEYREVOKED, logos_recv(self->dev, b2, (char[8]){}, 8, NULL, 0, 0, NULL));
	/* The roots still work. */
	EXPECT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
}

/* ---- closed peers -------------------------------------------------------------------------------- */

TEST_F(ch, queued_messages_are_delivered_after_the_peer_closed_then_epipe)
{
	__u64 start;

	ASSERT_EQ(0, send_u32(self->dev, self->a, 1, 0));
	ASSERT_EQ(0, send_u32(self->dev, self->a, 2, 0));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->a));
	EXPECT_EQ(1, recv_u32(self->dev, self->b));
	EXPECT_EQ(2, recv_u32(self->dev, self->b));
	EXPECT_EQ(-EPIPE, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0, 0, NULL));
	/* Not even a blocking receive waits on a closed peer. */
	start = logos_now_ns();
	EXPECT_EQ(-EPIPE, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0,
				     LOGOS_TIMEOUT_INFINITE, NULL));
	EXPECT_GT(1 * SEC, (__s64)(logos_now_ns() - start));
}

TEST_F(ch, send_to_a_closed_peer_is_epipe)
{
	ASSERT_EQ(0, logos_close_handle(self->dev, self->b));
	EXPECT_EQ(-EPIPE, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_EQ(-EPIPE, logos_send(self->dev, self->a, "x", 1, NULL, 0, 0,
				     LOGOS_TIMEOUT_INFINITE));
}

TEST_F(ch, send_to_a_closed_peer_keeps_the_handles_it_carried)
{
	struct logos_msg_handle mh;
	__u32 e;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->b));
	mh = logos_mh(e, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	EXPECT_EQ(-EPIPE, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, e));
}

TEST_F(ch, peer_closed_is_signalled_on_the_other_endpoint)
{
	__u32 observed = 0;

	EXPECT_EQ(-ETIMEDOUT, logos_wait_one(self->dev, self->b, LOGOS_SIGNAL_PEER_CLOSED, 0,
					     &observed));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->a));
	ASSERT_EQ(0, logos_wait_one(self->dev, self->b, LOGOS_SIGNAL_PEER_CLOSED, 0, &observed));
	EXPECT_TRUE(observed & LOGOS_SIGNAL_PEER_CLOSED);
}

TEST_F(ch, blocked_receiver_is_woken_by_the_peer_closing_with_epipe)
{
	char buf[8];
	struct logos_msg msg = { .data = PTR(buf), .data_len = sizeof(buf) };
	struct logos_channel_io io = {
		.handle = self->b, .msgs = PTR(&msg), .count = 1,
		.timeout_ns = LOGOS_TIMEOUT_INFINITE,
	};
	struct logos_bg bg;

	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_RECV, &io));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->a));
	EXPECT_EQ(-EPIPE, logos_bg_join(&bg));
}

TEST_F(ch, blocked_sender_is_woken_by_the_peer_closing_with_epipe)
{
	__u32 a, b;
	struct logos_msg msg = { .data = PTR("x"), .data_len = 1 };
	struct logos_channel_io io = {
		.msgs = PTR(&msg), .count = 1, .timeout_ns = LOGOS_TIMEOUT_INFINITE,
	};
	struct logos_bg bg;

	ASSERT_EQ(0, logos_chan_new(self->dev, 1, 0, &a, &b));
	io.handle = a;
	ASSERT_EQ(0, send_u32(self->dev, a, 1, 0));
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_SEND, &io));
	ASSERT_EQ(0, logos_close_handle(self->dev, b));
	EXPECT_EQ(-EPIPE, logos_bg_join(&bg));
}

TEST_F(ch, endpoint_stays_open_while_a_duplicate_lives)
{
	__u32 a2;

	ASSERT_EQ(0, logos_dup(self->dev, self->a, LOGOS_RIGHTS_SAME, &a2));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->a));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0, 0, NULL));
	EXPECT_EQ(0, send_u32(self->dev, self->b, 7, 0));
	EXPECT_EQ(7, recv_u32(self->dev, a2));
	ASSERT_EQ(0, logos_close_handle(self->dev, a2));
	EXPECT_EQ(-EPIPE, send_u32(self->dev, self->b, 8, 0));
}

TEST_F(ch, peer_is_closed_when_the_module_holding_it_terminates)
{
	struct logos_test_module m;
	__u32 ma;

	ASSERT_EQ(0, logos_module_with(self->dev, "holder", NULL, self->a, &m, &ma));
	ASSERT_EQ(0, logos_send_bytes(m.fd, ma, "last", 4));
	logos_module_release(&m);
	EXPECT_EQ(4, logos_recv_bytes(self->dev, self->b, (char[8]){}, 8, 0));
	EXPECT_EQ(-EPIPE, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0, 0, NULL));
}

TEST_F(ch, closing_an_endpoint_releases_the_handles_of_undelivered_messages)
{
	struct logos_msg_handle mh;
	long long live0, live1;
	__u32 e;

	live0 = logos_live_objects();
	ASSERT_LE(2, live0);
	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	mh = logos_mh(e, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
	ASSERT_EQ(0, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	/* The event lives on in the queue only. */
	live1 = logos_live_objects();
	EXPECT_EQ(live0 + 1, live1);
	ASSERT_EQ(0, logos_close_handle(self->dev, self->b));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->a));
	EXPECT_EQ(live0 - 2, logos_live_objects_settle(live0 - 2));
}

TEST_F(ch, closing_an_endpoint_closes_the_copies_in_its_queue)
{
	struct logos_msg_handle mh;
	__u32 e, revoked = ~0U;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	mh = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
	ASSERT_EQ(0, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	ASSERT_EQ(0, logos_send(self->dev, self->a, NULL, 0, &mh, 1, 0, 0));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->b));
	/* No copy is left for the revoke to reach. */
	ASSERT_EQ(0, logos_revoke(self->dev, e, &revoked));
	EXPECT_EQ(0, revoked);
}

/* ---- header --------------------------------------------------------------------------------------- */

TEST_F(ch, supervisor_messages_carry_sender_module_0)
{
	struct logos_msg out;

	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0, 0, &out));
	EXPECT_EQ(0, out.header.sender_module);
}

TEST_F(ch, module_messages_carry_the_senders_module_id)
{
	struct logos_test_module ma, mb;
	struct logos_msg out;
	__u32 ha, hb;

	ASSERT_EQ(0, logos_module_with(self->dev, "alice", NULL, self->a, &ma, &ha));
	ASSERT_EQ(0, logos_module_with(self->dev, "bob", NULL, self->b, &mb, &hb));
	ASSERT_NE(ma.id, mb.id);
	ASSERT_EQ(0, logos_send_bytes(ma.fd, ha, "a2b", 3));
	ASSERT_EQ(0, logos_recv(mb.fd, hb, (char[8]){}, 8, NULL, 0, 0, &out));
	EXPECT_EQ(ma.id, out.header.sender_module);
	ASSERT_EQ(0, logos_send_bytes(mb.fd, hb, "b2a", 3));
	ASSERT_EQ(0, logos_recv(ma.fd, ha, (char[8]){}, 8, NULL, 0, 0, &out));
	EXPECT_EQ(mb.id, out.header.sender_module);
}

TEST_F(ch, header_of_a_plain_message_has_no_flags_txn_or_drops)
{
	struct logos_msg out;

	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	memset(&out, 0xff, sizeof(out));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0, 0, &out));
	EXPECT_EQ(0, out.header.flags);
	EXPECT_EQ(0, out.header.txn_id);
	EXPECT_EQ(0, out.header.dropped);
	EXPECT_EQ(0, out.header.reserved);
	EXPECT_EQ(0, out.flags);
	EXPECT_EQ(0, out.reserved);
}

TEST_F(ch, msg_id_grows_by_one_per_message_of_an_endpoint)
{
	struct logos_msg out;
	__u64 first = 0;
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, send_u32(self->dev, self->a, i, 0));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0, 0, &out));
		if (i == 0)
			first = out.header.msg_id;
		EXPECT_EQ(first + i, out.header.msg_id);
	}
}

TEST_F(ch, timestamp_is_the_monotonic_time_the_message_was_queued)
{
	struct logos_msg o1, o2;
	__u64 t0, t1, t2, t3;

	t0 = logos_now_ns();
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "1", 1));
	t1 = logos_now_ns();
	usleep(20000);
	t2 = logos_now_ns();
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "2", 1));
	t3 = logos_now_ns();
	usleep(20000);
	ASSERT_EQ(0, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0, 0, &o1));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, (char[8]){}, 8, NULL, 0, 0, &o2));
	EXPECT_LE(t0, o1.header.timestamp_ns);
	EXPECT_GE(t1, o1.header.timestamp_ns);
	EXPECT_LE(t2, o2.header.timestamp_ns);
	EXPECT_GE(t3, o2.header.timestamp_ns);
	EXPECT_LT(o1.header.timestamp_ns, o2.header.timestamp_ns);
}

/* ---- priorities --------------------------------------------------------------------------------- */

TEST_F(ch, urgent_messages_overtake_normal_ones)
{
	static const __u32 want[] = { 101, 102, 1, 2, 3 };
	struct logos_msg out;
	__u32 v;
	unsigned int i;

	ASSERT_EQ(0, send_u32(self->dev, self->a, 1, 0));
	ASSERT_EQ(0, send_u32(self->dev, self->a, 2, 0));
	ASSERT_EQ(0, send_u32(self->dev, self->a, 101, LOGOS_MSG_URGENT));
	ASSERT_EQ(0, send_u32(self->dev, self->a, 3, 0));
	ASSERT_EQ(0, send_u32(self->dev, self->a, 102, LOGOS_MSG_URGENT));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		ASSERT_EQ(0, logos_recv(self->dev, self->b, &v, sizeof(v), NULL, 0, 0, &out));
		EXPECT_EQ(want[i], v);
		EXPECT_EQ(v > 100 ? LOGOS_MSG_URGENT : 0, out.header.flags);
	}
}

TEST_F(ch, urgent_message_waiting_behind_a_full_queue_is_still_bounded)
{
	__u32 a, b;

	ASSERT_EQ(0, logos_chan_new(self->dev, 2, 0, &a, &b));
	ASSERT_EQ(0, send_u32(self->dev, a, 1, 0));
	ASSERT_EQ(0, send_u32(self->dev, a, 2, 0));
	EXPECT_EQ(-EAGAIN, send_u32(self->dev, a, 3, LOGOS_MSG_URGENT));
}

/* ---- batching ------------------------------------------------------------------------------------- */

static void fill_batch(struct logos_msg *msgs, __u32 *vals, int n, int first)
{
	int i;

	memset(msgs, 0, n * sizeof(*msgs));
	for (i = 0; i < n; i++) {
		vals[i] = first + i;
		msgs[i].data = PTR(&vals[i]);
		msgs[i].data_len = sizeof(vals[i]);
	}
}

static void prep_buffers(struct logos_msg *msgs, __u32 *vals, int n, __u32 size)
{
	int i;

	memset(msgs, 0, n * sizeof(*msgs));
	for (i = 0; i < n; i++) {
		vals[i] = ~0U;
		msgs[i].data = PTR(&vals[i]);
		msgs[i].data_len = size;
	}
}

TEST_F(ch, ten_messages_in_one_send_arrive_in_order_in_batches)
{
	struct logos_msg msgs[10];
	__u32 vals[10], done = 0;
	int i;

	fill_batch(msgs, vals, 10, 0);
	ASSERT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a, msgs, 10, 0, &done));
	EXPECT_EQ(10, done);
	prep_buffers(msgs, vals, 4, sizeof(__u32));
	ASSERT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b, msgs, 4, 0, &done));
	EXPECT_EQ(4, done);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(i, vals[i]);
	prep_buffers(msgs, vals, 4, sizeof(__u32));
	ASSERT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b, msgs, 4, 0, &done));
	EXPECT_EQ(4, done);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(4 + i, vals[i]);
	prep_buffers(msgs, vals, 4, sizeof(__u32));
	ASSERT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b, msgs, 4, 0, &done));
	EXPECT_EQ(2, done);
	EXPECT_EQ(8, vals[0]);
	EXPECT_EQ(9, vals[1]);
	EXPECT_EQ(~0U, vals[2]);
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, batch_messages_get_consecutive_ids)
{
	struct logos_msg msgs[3];
	__u32 vals[3], done = 0;

	fill_batch(msgs, vals, 3, 0);
	ASSERT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a, msgs, 3, 0, &done));
	prep_buffers(msgs, vals, 3, sizeof(__u32));
	ASSERT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b, msgs, 3, 0, &done));
	ASSERT_EQ(3, done);
	EXPECT_EQ(msgs[0].header.msg_id + 1, msgs[1].header.msg_id);
	EXPECT_EQ(msgs[1].header.msg_id + 1, msgs[2].header.msg_id);
}

TEST_F(ch, batch_send_stops_at_a_full_queue_and_reports_how_many_went)
{
	struct logos_msg msgs[5];
	__u32 vals[5], done = 0, a, b;
	int i;

	ASSERT_EQ(0, logos_chan_new(self->dev, 3, 0, &a, &b));
	fill_batch(msgs, vals, 5, 0);
	EXPECT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, a, msgs, 5, 0, &done));
	EXPECT_EQ(3, done);
	done = 99;
	EXPECT_EQ(-EAGAIN, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, a, msgs, 5, 0, &done));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(i, recv_u32(self->dev, b));
	EXPECT_TRUE(queue_is_empty(self->dev, b));
}

TEST_F(ch, batch_send_stops_at_a_bad_message)
{
	struct logos_msg msgs[4];
	__u32 vals[4], done = 0;

	fill_batch(msgs, vals, 4, 0);
	msgs[2].flags = 0x40;
	EXPECT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a, msgs, 4, 0, &done));
	EXPECT_EQ(2, done);
	EXPECT_EQ(0, recv_u32(self->dev, self->b));
	EXPECT_EQ(1, recv_u32(self->dev, self->b));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, batch_whose_first_message_is_bad_returns_its_error)
{
	struct logos_msg msgs[3];
	__u32 vals[3], done = 99;

	fill_batch(msgs, vals, 3, 0);
	msgs[0].data = 8;	/* unreadable */
	EXPECT_EQ(-EFAULT, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_SEND, self->a, msgs, 3, 0, &done));
	EXPECT_EQ(0, done);
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F(ch, batch_receive_returns_what_is_queued_without_waiting_for_more)
{
	struct logos_msg msgs[8];
	__u32 vals[8], done = 0;
	__u64 start;

	ASSERT_EQ(0, send_u32(self->dev, self->a, 1, 0));
	ASSERT_EQ(0, send_u32(self->dev, self->a, 2, 0));
	prep_buffers(msgs, vals, 8, sizeof(__u32));
	start = logos_now_ns();
	EXPECT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b, msgs, 8,
				   5 * SEC, &done));
	EXPECT_GT(1 * SEC, (__s64)(logos_now_ns() - start));
	EXPECT_EQ(2, done);
	EXPECT_EQ(1, vals[0]);
	EXPECT_EQ(2, vals[1]);
}

TEST_F(ch, batch_receive_waits_for_its_first_message_only)
{
	struct logos_msg msgs[4];
	__u32 vals[4];
	struct logos_channel_io io = {
		.handle = self->b, .msgs = PTR(msgs), .count = 4,
		.timeout_ns = LOGOS_TIMEOUT_INFINITE,
	};
	struct logos_bg bg;

	prep_buffers(msgs, vals, 4, sizeof(__u32));
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_RECV, &io));
	ASSERT_EQ(0, send_u32(self->dev, self->a, 42, 0));
	EXPECT_EQ(0, logos_bg_join(&bg));
	EXPECT_LE(1, io.done);
	EXPECT_EQ(42, vals[0]);
}

TEST_F(ch, batch_receive_stops_before_a_message_too_big_for_its_buffer)
{
	struct logos_msg msgs[3];
	char big[100] = { 0 }, bufs[3][50];
	__u32 done = 0;
	int i;

	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "first", 5));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, big, sizeof(big)));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "third", 5));
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < 3; i++) {
		msgs[i].data = PTR(bufs[i]);
		msgs[i].data_len = sizeof(bufs[i]);
	}
	EXPECT_EQ(0, logos_chan_io(self->dev, LOGOS_IOC_CHANNEL_RECV, self->b, msgs, 3, 0, &done));
	EXPECT_EQ(1, done);
	EXPECT_EQ(0, memcmp(bufs[0], "first", 5));
	/* The big one stays, in its place. */
	EXPECT_EQ(100, logos_recv_bytes(self->dev, self->b, big, sizeof(big), 0));
	EXPECT_EQ(5, logos_recv_bytes(self->dev, self->b, big, sizeof(big), 0));
	EXPECT_EQ(0, memcmp(big, "third", 5));
}

/* ---- many senders, many receivers ------------------------------------------------------------------ */

#define NSENDERS	4
#define PER_SENDER	300

struct seq_msg {
	__u32 sender;
	__u32 seq;
};

struct seq_sender {
	int fd;
	__u32 h;
	__u32 idx;
	int ret;
};

static int send_sequence(struct seq_sender *s)
{
	struct seq_msg m = { .sender = s->idx };
	int ret;

	for (m.seq = 0; m.seq < PER_SENDER; m.seq++) {
		ret = logos_send(s->fd, s->h, &m, sizeof(m), NULL, 0, 0, 20 * SEC);
		if (ret)
			return ret;
	}
	return 0;
}

static int send_sequence_proc(void *p)
{
	return send_sequence(p) ? 1 : 0;
}

static void *send_sequence_thread(void *p)
{
	struct seq_sender *s = p;

	s->ret = send_sequence(s);
	return NULL;
}

static int cmp_u64(const void *x, const void *y)
{
	__u64 a = *(const __u64 *)x, b = *(const __u64 *)y;

	return a < b ? -1 : a > b;
}

/*
 * Receives NSENDERS * PER_SENDER messages on @h in batches and checks
 * that each sender's sequence arrives complete and in order, with growing
 * msg ids, all distinct. @ids maps a sender index to its module id (NULL:
 * supervisor threads, sender_module must be 0).
 */
static void receive_sequences(struct __test_metadata *_metadata, int fd, __u32 h,
			      const __u32 *ids)
{
	__u32 next[NSENDERS] = { 0 }, vals_done = 0, done, i, total = 0;
	__u64 last_id[NSENDERS] = { 0 }, *all;
	struct seq_msg vals[16];
	struct logos_msg msgs[16];

	all = calloc(NSENDERS * PER_SENDER, sizeof(*all));
	ASSERT_NE(NULL, all);
	while (total < NSENDERS * PER_SENDER) {
		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < 16; i++) {
			msgs[i].data = PTR(&vals[i]);
			msgs[i].data_len = sizeof(vals[i]);
		}
		done = 0;
		ASSERT_EQ(0, logos_chan_io(fd, LOGOS_IOC_CHANNEL_RECV, h, msgs, 16, 20 * SEC, &done))
			TH_LOG("after %u messages", total);
		ASSERT_LT(0, done);
		for (i = 0; i < done; i++) {
			__u32 s = vals[i].sender;

			ASSERT_EQ(sizeof(struct seq_msg), msgs[i].data_len);
			ASSERT_GT(NSENDERS, s);
			EXPECT_EQ(ids ? ids[s] : 0, msgs[i].header.sender_module);
			ASSERT_EQ(next[s], vals[i].seq) TH_LOG("sender %u out of order", s);
			if (next[s])
				EXPECT_LT(last_id[s], msgs[i].header.msg_id);
			last_id[s] = msgs[i].header.msg_id;
			next[s]++;
			all[total++] = msgs[i].header.msg_id;
		}
		vals_done += done;
	}
	for (i = 0; i < NSENDERS; i++)
		EXPECT_EQ(PER_SENDER, next[i]);
	qsort(all, total, sizeof(*all), cmp_u64);
	for (i = 1; i < total; i++)
		EXPECT_NE(all[i - 1], all[i]) TH_LOG("msg_id %llu twice", (unsigned long long)all[i]);
	EXPECT_EQ(NSENDERS * PER_SENDER, vals_done);
	free(all);
}

TEST_F_TIMEOUT(ch, many_sender_processes_into_one_receiver_keep_order_per_sender, 120)
{
	struct seq_sender s[NSENDERS];
	struct logos_test_module m[NSENDERS];
	__u32 ids[NSENDERS];
	pid_t pids[NSENDERS];
	int i;

	for (i = 0; i < NSENDERS; i++) {
		ASSERT_EQ(0, logos_module_new(self->dev, "seq", LOGOS_TRUST_USER, NULL, &m[i]));
		ASSERT_EQ(0, logos_give(self->dev, m[i].handle, self->a, LOGOS_RIGHTS_SAME, 0, &s[i].h));
		s[i].fd = m[i].fd;
		s[i].idx = i;
		ids[i] = m[i].id;
	}
	for (i = 0; i < NSENDERS; i++) {
		pids[i] = logos_spawn(send_sequence_proc, &s[i]);
		ASSERT_LT(0, pids[i]);
		logos_module_release(&m[i]);	/* the child holds it now */
	}
	receive_sequences(_metadata, self->dev, self->b, ids);
	for (i = 0; i < NSENDERS; i++)
		EXPECT_EQ(0, logos_reap(pids[i]));
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

TEST_F_TIMEOUT(ch, many_sender_threads_into_one_receiver_keep_order_per_sender, 120)
{
	struct seq_sender s[NSENDERS];
	pthread_t th[NSENDERS];
	int i;

	for (i = 0; i < NSENDERS; i++) {
		s[i] = (struct seq_sender){ .fd = self->dev, .h = self->a, .idx = i, .ret = 1 };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, send_sequence_thread, &s[i]));
	}
	receive_sequences(_metadata, self->dev, self->b, NULL);
	for (i = 0; i < NSENDERS; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, s[i].ret) TH_LOG("sender %d", i);
	}
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
}

#define NRECEIVERS	4
#define TO_RECEIVE	2000

struct shared_rx {
	int fd;
	__u32 h;
	__u32 batch;
	int *seen;		/* per sequence number */
	int *total;		/* received by all */
	int errors;		/* unexpected results of this thread */
	int last_err;
};

static void *receive_until_all(void *p)
{
	struct shared_rx *r = p;
	struct logos_msg msgs[8];
	__u32 vals[8], done, i;
	int ret;

	while (__atomic_load_n(r->total, __ATOMIC_SEQ_CST) < TO_RECEIVE) {
		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < r->batch; i++) {
			msgs[i].data = PTR(&vals[i]);
			msgs[i].data_len = sizeof(vals[i]);
		}
		done = 0;
		ret = logos_chan_io(r->fd, LOGOS_IOC_CHANNEL_RECV, r->h, msgs, r->batch,
				    100 * MS, &done);
		if (ret == -ETIMEDOUT)
			continue;
		if (ret || !done) {
			r->errors++;
			r->last_err = ret;
			continue;
		}
		for (i = 0; i < done; i++) {
			if (vals[i] >= TO_RECEIVE) {
				r->errors++;
				continue;
			}
			__atomic_add_fetch(&r->seen[vals[i]], 1, __ATOMIC_SEQ_CST);
		}
		__atomic_add_fetch(r->total, done, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

TEST_F_TIMEOUT(ch, many_receiver_threads_get_every_message_exactly_once, 120)
{
	struct shared_rx r[NRECEIVERS];
	pthread_t th[NRECEIVERS];
	int *seen = calloc(TO_RECEIVE, sizeof(int)), total = 0, i;
	__u32 v;

	ASSERT_NE(NULL, seen);
	for (i = 0; i < NRECEIVERS; i++) {
		r[i] = (struct shared_rx){
			.fd = self->dev, .h = self->b, .batch = i % 2 ? 8 : 1,
			.seen = seen, .total = &total,
		};
		ASSERT_EQ(0, pthread_create(&th[i], NULL, receive_until_all, &r[i]));
	}
	for (v = 0; v < TO_RECEIVE; v++)
		ASSERT_EQ(0, logos_send(self->dev, self->a, &v, sizeof(v), NULL, 0, 0, 20 * SEC))
			TH_LOG("message %u", v);
	for (i = 0; i < NRECEIVERS; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, r[i].errors) TH_LOG("receiver %d, last error %d", i, r[i].last_err);
	}
	EXPECT_EQ(TO_RECEIVE, total);
	for (i = 0; i < TO_RECEIVE; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("message %d", i);
	EXPECT_TRUE(queue_is_empty(self->dev, self->b));
	free(seen);
}

TEST_HARNESS_MAIN
