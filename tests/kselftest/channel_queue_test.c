// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: timeouts, blocking and signals, bounded queues and
 * backpressure, quotas charged to the sender, rights and handle types,
 * closed peers.
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_helpers.h"
#include "kselftest_harness.h"
#include "channel_fixture.h"

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

TEST_HARNESS_MAIN
