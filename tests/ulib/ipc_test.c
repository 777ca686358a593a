// SPDX-License-Identifier: GPL-2.0
/*
 * liblogos IPC wrappers against logos.ko: channels (send, receive,
 * batches, call, reply, reply-and-receive), memory objects and mmap,
 * topics, watches.
 */
#include "helpers.h"

#include "kselftest_harness.h"

FIXTURE(ipc) {
	int fd;
	logos_handle_t a, b;
};

FIXTURE_SETUP(ipc)
{
	self->fd = logos_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, logos_channel_create(self->fd, 0, 0, &self->a, &self->b));
}

FIXTURE_TEARDOWN(ipc)
{
	close(self->fd);
}

TEST_F(ipc, send_and_recv_with_a_handle)
{
	struct logos_msg_handle h = { .rights = LOGOS_RIGHT_READ }, rh[2];
	struct logos_msg m;
	logos_handle_t ev;
	char buf[32];

	ASSERT_EQ(0, logos_event_create(self->fd, &ev));
	h.handle = ev;
	ASSERT_EQ(0, logos_channel_send(self->fd, self->a, "hello", 5, &h, 1, LOGOS_MSG_URGENT, 0));
	logos_msg_prepare(&m, buf, sizeof(buf), rh, 2);
	ASSERT_EQ(0, logos_channel_recv(self->fd, self->b, &m, 0));
	EXPECT_EQ(5, m.data_len);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(1, m.nr_handles);
	EXPECT_EQ(LOGOS_OBJ_EVENT, rh[0].type);
	EXPECT_EQ(LOGOS_RIGHT_READ, rh[0].rights);
	EXPECT_NE(0, m.header.flags & LOGOS_MSG_URGENT);
	EXPECT_EQ(0, m.header.sender_module);
	logos_msg_prepare(&m, buf, sizeof(buf), NULL, 0);
	EXPECT_EQ(-EAGAIN, logos_channel_recv(self->fd, self->b, &m, 0));
	EXPECT_EQ(-ETIMEDOUT, logos_channel_recv(self->fd, self->b, &m, 10 * MS));
	EXPECT_EQ(-EMSGSIZE, logos_channel_send(self->fd, self->a, buf, LOGOS_MSG_MAX_BYTES + 1,
						NULL, 0, 0, 0));
}

TEST_F(ipc, small_receive_buffer_keeps_the_message)
{
	struct logos_msg m;
	char buf[8];

	ASSERT_EQ(0, logos_channel_send(self->fd, self->a, "0123456789", 10, NULL, 0, 0, 0));
	logos_msg_prepare(&m, buf, 4, NULL, 0);
	EXPECT_EQ(-EMSGSIZE, logos_channel_recv(self->fd, self->b, &m, 0));
	EXPECT_EQ(10, m.data_len);
	{
		char big[16];

		logos_msg_prepare(&m, big, sizeof(big), NULL, 0);
		ASSERT_EQ(0, logos_channel_recv(self->fd, self->b, &m, 0));
		EXPECT_EQ(0, memcmp(big, "0123456789", 10));
	}
}

TEST_F(ipc, batches_go_and_come_in_one_call)
{
	struct logos_msg out[5], in[8];
	char data[5][4], rbuf[8][4];
	uint32_t done = 0;
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(data[i], sizeof(data[i]), "m%d", i);
		logos_msg_prepare(&out[i], data[i], 3, NULL, 0);
	}
	ASSERT_EQ(0, logos_channel_send_batch(self->fd, self->a, out, 5, 0, &done));
	EXPECT_EQ(5, done);
	for (i = 0; i < 8; i++)
		logos_msg_prepare(&in[i], rbuf[i], sizeof(rbuf[i]), NULL, 0);
	ASSERT_EQ(0, logos_channel_recv_batch(self->fd, self->b, in, 8, 0, &done));
	EXPECT_EQ(5, done);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(3, in[i].data_len);
		EXPECT_EQ(0, memcmp(rbuf[i], data[i], 3));
	}
	EXPECT_EQ(-EAGAIN, logos_channel_recv_batch(self->fd, self->b, in, 1, 0, &done));
}

struct server_arg {
	int fd;
	logos_handle_t ep;
	int calls;
	int ret;
};

/* Answers calls with the request reversed, using reply-and-receive. */
static void *reverse_server(void *p)
{
	struct server_arg *s = p;
	struct logos_msg m, r;
	char in[64], out[64];
	uint64_t txn;
	uint32_t i;
	int replied, n = 0;

	logos_msg_prepare(&m, in, sizeof(in), NULL, 0);
	s->ret = logos_channel_recv(s->fd, s->ep, &m, LONG);
	while (!s->ret) {
		txn = m.header.txn_id;
		if (!(m.header.flags & LOGOS_MSG_CALL)) {
			s->ret = -EPROTO;
			break;
		}
		for (i = 0; i < m.data_len; i++)
			out[i] = in[m.data_len - 1 - i];
		logos_msg_prepare(&r, out, m.data_len, NULL, 0);
		logos_msg_prepare(&m, in, sizeof(in), NULL, 0);
		if (++n == s->calls) {
			s->ret = logos_channel_reply(s->fd, s->ep, txn, &r);
			break;
		}
		s->ret = logos_channel_reply_recv(s->fd, s->ep, txn, &r, &m, LONG, &replied);
		if (s->ret && !replied)
			break;
	}
	return NULL;
}

TEST_F(ipc, call_gets_its_reply)
{
	struct server_arg s = { .fd = self->fd, .ep = self->b, .calls = 3 };
	struct logos_msg req, rep;
	char buf[64];
	pthread_t t;
	int i;

	ASSERT_EQ(0, pthread_create(&t, NULL, reverse_server, &s));
	for (i = 0; i < 3; i++) {
		logos_msg_prepare(&req, "abc", 3, NULL, 0);
		logos_msg_prepare(&rep, buf, sizeof(buf), NULL, 0);
		ASSERT_EQ(0, logos_channel_call(self->fd, self->a, &req, &rep, LONG));
		EXPECT_EQ(3, rep.data_len);
		EXPECT_EQ(0, memcmp(buf, "cba", 3));
		EXPECT_NE(0, rep.header.flags & LOGOS_MSG_REPLY);
	}
	pthread_join(t, NULL);
	EXPECT_EQ(0, s.ret);
}

TEST_F(ipc, reply_to_nobody_is_enoent_and_not_replied)
{
	struct logos_msg r, next;
	char buf[8];
	int replied = 1;

	logos_msg_prepare(&r, "x", 1, NULL, 0);
	EXPECT_EQ(-ENOENT, logos_channel_reply(self->fd, self->b, 42, &r));
	logos_msg_prepare(&next, buf, sizeof(buf), NULL, 0);
	EXPECT_EQ(-ENOENT, logos_channel_reply_recv(self->fd, self->b, 42, &r, &next, 0, &replied));
	EXPECT_EQ(0, replied);
}

TEST_F(ipc, call_to_a_closed_peer_is_epipe)
{
	struct logos_msg req, rep;
	char buf[8];

	ASSERT_EQ(0, logos_handle_close(self->fd, self->b));
	logos_msg_prepare(&req, "x", 1, NULL, 0);
	logos_msg_prepare(&rep, buf, sizeof(buf), NULL, 0);
	EXPECT_EQ(-EPIPE, logos_channel_call(self->fd, self->a, &req, &rep, LONG));
	EXPECT_EQ(-EPIPE, logos_channel_send(self->fd, self->a, "x", 1, NULL, 0, 0, 0));
}

TEST_F(ipc, memory_create_map_share_and_revoke)
{
	struct logos_mem_info info;
	logos_handle_t mem, ro;
	size_t size = 0;
	char *w, *r;

	ASSERT_EQ(0, logos_mem_create(self->fd, 5000, &mem, &size));
	EXPECT_EQ(2 * (size_t)getpagesize(), size);
	ASSERT_EQ(0, logos_mem_get_info(self->fd, mem, &info));
	EXPECT_EQ(size, info.size);
	ASSERT_EQ(0, logos_mem_map(self->fd, mem, 0, PROT_READ | PROT_WRITE, (void **)&w));
	strcpy(w + 4096, "shared");
	ASSERT_EQ(0, logos_handle_duplicate(self->fd, mem, LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ,
					    &ro));
	ASSERT_EQ(0, logos_mem_map(self->fd, ro, size, PROT_READ, (void **)&r));
	EXPECT_STREQ("shared", r + 4096);
	EXPECT_EQ(-EPERM, logos_mem_map(self->fd, ro, size, PROT_READ | PROT_WRITE, (void **)&w));
	ASSERT_EQ(0, logos_mem_get_info(self->fd, mem, &info));
	EXPECT_EQ(2, info.mappings);
	EXPECT_EQ(0, logos_mem_unmap(r, size));
	EXPECT_EQ(0, logos_mem_unmap(w, size));
	EXPECT_EQ(-EINVAL, logos_mem_create(self->fd, 0, &mem, NULL));
}

TEST_F(ipc, topics_fan_out_to_subscribers)
{
	logos_handle_t topic, s1, s2;
	uint32_t delivered = 0, dropped = 9;
	struct logos_msg m;
	char buf[16];

	ASSERT_EQ(0, logos_topic_create(self->fd, LOGOS_TOPIC_DROP_OLDEST, 2, &topic));
	ASSERT_EQ(0, logos_topic_subscribe(self->fd, topic, &s1));
	ASSERT_EQ(0, logos_topic_subscribe(self->fd, topic, &s2));
	ASSERT_EQ(0, logos_topic_publish(self->fd, topic, "one", 3, NULL, 0, 0, &delivered,
					 &dropped));
	EXPECT_EQ(2, delivered);
	EXPECT_EQ(0, dropped);
	logos_msg_prepare(&m, buf, sizeof(buf), NULL, 0);
	ASSERT_EQ(0, logos_channel_recv(self->fd, s1, &m, 0));
	EXPECT_EQ(0, memcmp(buf, "one", 3));
	/* s2 does not read: its queue of 2 overflows and counts the loss. */
	logos_topic_publish(self->fd, topic, "two", 3, NULL, 0, 0, NULL, NULL);
	ASSERT_EQ(0, logos_topic_publish(self->fd, topic, "three", 5, NULL, 0, 0, NULL, &dropped));
	EXPECT_EQ(1, dropped);
	logos_msg_prepare(&m, buf, sizeof(buf), NULL, 0);
	ASSERT_EQ(0, logos_channel_recv(self->fd, s2, &m, 0));
	EXPECT_EQ(0, memcmp(buf, "two", 3));
	EXPECT_EQ(1, m.header.dropped);
}

TEST_F(ipc, watches_report_readable_endpoints)
{
	struct logos_watch_report rep[4];
	uint32_t ready = 0;

	ASSERT_EQ(0, logos_watch_add(self->fd, self->b, LOGOS_SIGNAL_READABLE, 0, 77));
	EXPECT_EQ(-ETIMEDOUT, logos_watch_read(self->fd, rep, 4, 0, &ready));
	ASSERT_EQ(0, logos_channel_send(self->fd, self->a, "x", 1, NULL, 0, 0, 0));
	ASSERT_EQ(0, logos_watch_read(self->fd, rep, 4, LONG, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_EQ(77, rep[0].key);
	EXPECT_EQ(self->b, rep[0].handle);
	EXPECT_NE(0, rep[0].observed & LOGOS_SIGNAL_READABLE);
	EXPECT_EQ(0, logos_watch_remove(self->fd, 77));
	EXPECT_EQ(-ENOENT, logos_watch_remove(self->fd, 77));
}

TEST_HARNESS_MAIN
