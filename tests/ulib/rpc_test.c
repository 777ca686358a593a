// SPDX-License-Identifier: GPL-2.0
/*
 * Messaging helpers against logos.ko: request/response with a dispatch
 * table (replies, error replies, unknown methods, malformed requests,
 * notifications, handles in replies), pub/sub helpers, and zero-copy
 * buffers moving between two module contexts.
 */
#include "helpers.h"

#include "kselftest_harness.h"

#define KIND_TEST	0x1234
#define M_ECHO		1
#define M_FAIL		2
#define M_EVENT		3	/* returns a new event handle */
#define M_SUM		4	/* sums a nested list of u32 */

static int m_echo(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	const void *p;
	size_t n;
	int ret = logos_wire_get_bytes(&req->rx->wire, 1, &p, &n);

	(void)arg;
	if (ret)
		return ret;
	return logos_wire_put_bytes(reply, 1, p, n);
}

static int m_fail(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	(void)reply;
	(void)arg;
	req->error_text = "the test method fails on purpose";
	return -EDQUOT;
}

static int m_event(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	logos_handle_t ev;
	int ret = logos_event_create(req->fd, &ev);

	(void)arg;
	if (ret)
		return ret;
	return logos_wire_put_handle(reply, 1, ev, LOGOS_RIGHTS_SAME, LOGOS_MSG_HANDLE_MOVE);
}

static int m_sum(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	struct logos_wire_field f;
	struct logos_wire list;
	struct logos_wire_iter it;
	uint32_t sum = 0;
	int ret = logos_wire_find(&req->rx->wire, 1, LOGOS_WIRE_NESTED, &f);

	(void)arg;
	if (ret)
		return ret;
	logos_wire_nested(&req->rx->wire, &f, &list);
	logos_wire_iter_init(&it, &list);
	while (logos_wire_next(&it, &f) == 1) {
		if (f.type != LOGOS_WIRE_U32)
			return -EBADMSG;
		sum += f.v.u32;
	}
	return logos_wire_put_u32(reply, 1, sum);
}

static const struct logos_rpc_method methods[] = {
	{ M_ECHO, m_echo }, { M_FAIL, m_fail }, { M_EVENT, m_event }, { M_SUM, m_sum },
};

static int notified;

static void on_notify(struct logos_rpc_request *req, void *arg)
{
	uint32_t v = 0;

	(void)arg;
	logos_wire_get_u32(&req->rx->wire, 1, &v);
	notified += (int)v;
}

FIXTURE(rpc) {
	int fd;
	logos_handle_t client, server;
	struct logos_rpc_server *srv;
	struct logos_loop *loop;
	struct loop_thread thread;
	struct logos_rx *rx;
	uint8_t buf[LOGOS_MSG_MAX_BYTES];
};

FIXTURE_SETUP(rpc)
{
	self->fd = logos_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, logos_channel_create(self->fd, 0, 0, &self->client, &self->server));
	ASSERT_EQ(0, logos_rpc_server_new(KIND_TEST, methods, 4, NULL, &self->srv));
	logos_rpc_server_on_notify(self->srv, on_notify);
	ASSERT_EQ(0, logos_loop_new(self->fd, &self->loop));
	ASSERT_EQ(0, logos_rpc_attach(self->srv, self->loop, self->server));
	ASSERT_EQ(0, loop_thread_start(&self->thread, self->loop));
	self->rx = logos_rx_new();
	ASSERT_NE(NULL, self->rx);
}

FIXTURE_TEARDOWN(rpc)
{
	loop_thread_stop(&self->thread);
	logos_rpc_server_free(self->srv);
	logos_loop_free(self->loop);
	logos_rx_free(self->rx);
	close(self->fd);
}

static void start(struct logos_wire_writer *w, uint8_t *buf, uint32_t method)
{
	logos_wire_writer_init(w, buf, LOGOS_MSG_MAX_BYTES, KIND_TEST, 0, method);
}

TEST_F(rpc, call_gets_the_methods_reply)
{
	struct logos_wire_writer w;
	const void *p;
	size_t n;

	start(&w, self->buf, M_ECHO);
	logos_wire_put_bytes(&w, 1, "ping", 4);
	ASSERT_EQ(0, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
	EXPECT_EQ(KIND_TEST, self->rx->wire.kind);
	EXPECT_EQ(M_ECHO, self->rx->wire.method);
	EXPECT_EQ(LOGOS_WIRE_F_REPLY, self->rx->wire.flags);
	ASSERT_EQ(0, logos_wire_get_bytes(&self->rx->wire, 1, &p, &n));
	EXPECT_EQ(4, n);
	EXPECT_EQ(0, memcmp(p, "ping", 4));
}

TEST_F(rpc, largest_request_and_reply_round_trip)
{
	size_t n = LOGOS_MSG_MAX_BYTES - LOGOS_WIRE_HEADER_SIZE - 6;
	struct logos_wire_writer w;
	uint8_t *data = malloc(n);
	const void *p;
	size_t got;

	ASSERT_NE(NULL, data);
	memset(data, 0xa5, n);
	start(&w, self->buf, M_ECHO);
	ASSERT_EQ(0, logos_wire_put_bytes(&w, 1, data, n));
	ASSERT_EQ(0, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
	ASSERT_EQ(0, logos_wire_get_bytes(&self->rx->wire, 1, &p, &got));
	EXPECT_EQ(n, got);
	EXPECT_EQ(0, memcmp(p, data, n));
	free(data);
}

TEST_F(rpc, failing_method_is_an_error_reply_with_text)
{
	struct logos_wire_writer w;
	struct logos_rpc_stats st;

	start(&w, self->buf, M_FAIL);
	EXPECT_EQ(-EDQUOT, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
	EXPECT_STREQ("the test method fails on purpose", self->rx->error_text);
	/* A request missing its field fails inside the method: -ENOENT. */
	start(&w, self->buf, M_ECHO);
	EXPECT_EQ(-ENOENT, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
	logos_rpc_server_stats(self->srv, &st);
	EXPECT_EQ(2, st.calls);
}

TEST_F(rpc, unknown_method_or_kind_is_eopnotsupp)
{
	struct logos_wire_writer w;

	start(&w, self->buf, 99);
	EXPECT_EQ(-EOPNOTSUPP, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
	EXPECT_NE(NULL, strstr(self->rx->error_text, "unknown"));
	logos_wire_writer_init(&w, self->buf, sizeof(self->buf), KIND_TEST + 1, 0, M_ECHO);
	EXPECT_EQ(-EOPNOTSUPP, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
}

TEST_F(rpc, malformed_request_is_answered_ebadmsg)
{
	struct logos_msg req;
	struct logos_rx *rx = self->rx;
	struct logos_rpc_stats st;
	uint8_t junk[20] = "LOG1 but not really";

	logos_msg_prepare(&req, junk, sizeof(junk), NULL, 0);
	logos_msg_prepare(&rx->msg, rx->data, sizeof(rx->data), rx->handles,
			  LOGOS_MSG_MAX_HANDLES);
	rx->fd = self->fd;
	ASSERT_EQ(0, logos_channel_call(self->fd, self->client, &req, &rx->msg, LONG));
	ASSERT_EQ(0, logos_rx_decode(rx));
	EXPECT_EQ(LOGOS_WIRE_F_REPLY | LOGOS_WIRE_F_ERROR, rx->wire.flags);
	{
		int32_t err = 0;

		EXPECT_EQ(0, logos_wire_get_i32(&rx->wire, LOGOS_WIRE_TAG_ERRNO, &err));
		EXPECT_EQ(EBADMSG, err);
	}
	logos_rpc_server_stats(self->srv, &st);
	EXPECT_EQ(1, st.malformed);
}

TEST_F(rpc, reply_may_carry_a_handle)
{
	struct logos_handle_info info;
	struct logos_wire_writer w;
	logos_handle_t ev;

	start(&w, self->buf, M_EVENT);
	ASSERT_EQ(0, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
	ASSERT_EQ(0, logos_rx_take_handle(self->rx, 1, &ev));
	EXPECT_EQ(-EALREADY, logos_rx_take_handle(self->rx, 1, &ev));
	ASSERT_EQ(0, logos_handle_info(self->fd, ev, &info));
	EXPECT_EQ(LOGOS_OBJ_EVENT, info.type);
	logos_handle_close(self->fd, ev);
}

TEST_F(rpc, take_refuses_what_is_not_there)
{
	struct logos_wire_writer w;
	logos_handle_t h = 7;

	start(&w, self->buf, M_ECHO);
	logos_wire_put_bytes(&w, 1, "x", 1);
	ASSERT_EQ(0, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
	EXPECT_EQ(-ENOENT, logos_rx_take_handle(self->rx, 2, &h));	/* no such field */
	EXPECT_EQ(-EBADMSG, logos_rx_take_handle(self->rx, 1, &h));	/* bytes, not a handle */
	EXPECT_EQ(-ENOENT, logos_rx_take_index(self->rx, 0, &h));	/* no handles at all */
	EXPECT_EQ(7, h);
}

TEST(buffer_calls_refuse_bad_arguments)
{
	struct logos_wire_writer w;
	struct logos_buf b = { 0 };
	uint8_t buf[64];
	int fd = logos_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, logos_buf_alloc(fd, 4096, &b));
	logos_wire_writer_init(&w, buf, sizeof(buf), KIND_TEST, 0, 1);
	EXPECT_EQ(-EINVAL, logos_buf_put(&w, 1, &b, LOGOS_BUF_READ_ONLY, 0x10));
	EXPECT_EQ(-EINVAL, logos_buf_alloc(fd, 0, &b));	/* b untouched */
	EXPECT_NE(NULL, b.addr);
	logos_buf_release(&b);
	EXPECT_EQ(NULL, b.addr);
	b.handle = LOGOS_HANDLE_INVALID;
	EXPECT_EQ(-EBADF, logos_buf_put(&w, 1, &b, LOGOS_BUF_READ_ONLY, 0));
	EXPECT_EQ(-EBADF, logos_buf_revoke(&b, NULL));
	close(fd);
}

TEST_F(rpc, handles_not_taken_are_closed)
{
	struct logos_wire_writer w;
	logos_handle_t ev;

	start(&w, self->buf, M_EVENT);
	ASSERT_EQ(0, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
	ev = self->rx->handles[0].handle;
	logos_rx_release(self->rx);
	EXPECT_EQ(-EBADF, logos_handle_close(self->fd, ev));
}

TEST_F(rpc, nested_lists_travel)
{
	struct logos_wire_writer w;
	uint32_t sum = 0, i;

	start(&w, self->buf, M_SUM);
	logos_wire_begin_nested(&w, 1);
	for (i = 1; i <= 100; i++)
		logos_wire_put_u32(&w, 1, i);
	logos_wire_end_nested(&w);
	ASSERT_EQ(0, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
	ASSERT_EQ(0, logos_wire_get_u32(&self->rx->wire, 1, &sum));
	EXPECT_EQ(5050, sum);
}

TEST_F(rpc, notifications_reach_the_notify_callback)
{
	struct logos_wire_writer w;
	int i;

	notified = 0;
	for (i = 1; i <= 3; i++) {
		start(&w, self->buf, 0);
		logos_wire_put_u32(&w, 1, (uint32_t)i);
		ASSERT_EQ(0, logos_wire_send(self->fd, self->client, &w, 0, LONG));
	}
	/* A call after them is answered after them (one queue). */
	start(&w, self->buf, M_ECHO);
	logos_wire_put_bytes(&w, 1, "", 0);
	ASSERT_EQ(0, logos_rpc_call(self->fd, self->client, &w, self->rx, LONG));
	EXPECT_EQ(6, notified);
}

static int closed_calls;

static void on_close(struct logos_rpc_server *srv, logos_handle_t ep, void *arg)
{
	(void)srv;
	(void)ep;
	(void)arg;
	closed_calls++;
}

TEST(server_closes_endpoints_whose_peer_left)
{
	struct logos_rpc_server *srv;
	struct logos_loop *loop;
	logos_handle_t c, s;
	int fd = logos_open(), i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, logos_channel_create(fd, 0, 0, &c, &s));
	ASSERT_EQ(0, logos_rpc_server_new(KIND_TEST, methods, 4, NULL, &srv));
	logos_rpc_server_on_close(srv, on_close);
	ASSERT_EQ(0, logos_loop_new(fd, &loop));
	ASSERT_EQ(0, logos_rpc_attach(srv, loop, s));
	closed_calls = 0;
	logos_handle_close(fd, c);
	for (i = 0; i < 10 && !closed_calls; i++)
		logos_loop_dispatch(loop, 500);
	EXPECT_EQ(1, closed_calls);
	EXPECT_EQ(-EBADF, logos_handle_close(fd, s));
	logos_rpc_server_free(srv);
	logos_loop_free(loop);
	close(fd);
}

/* ---- pub/sub -------------------------------------------------------- */

struct heard {
	int n;
	uint32_t sum;
	uint64_t lost;
};

static void on_pub(struct logos_sub *sub, struct logos_rx *rx, void *arg)
{
	struct heard *h = arg;
	uint32_t v = 0;

	(void)sub;
	logos_wire_get_u32(&rx->wire, 1, &v);
	h->n++;
	h->sum += v;
}

TEST(pubsub_helpers_deliver_decoded_messages)
{
	struct heard h1 = { 0 }, h2 = { 0 };
	struct logos_sub *s1, *s2;
	struct logos_wire_writer w;
	struct logos_loop *loop;
	logos_handle_t topic;
	uint8_t buf[64];
	uint32_t delivered = 0;
	int fd = logos_open(), i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, logos_loop_new(fd, &loop));
	ASSERT_EQ(0, logos_topic_create(fd, LOGOS_TOPIC_BACKPRESSURE, 0, &topic));
	ASSERT_EQ(0, logos_sub_start(loop, topic, KIND_TEST, on_pub, &h1, &s1));
	ASSERT_EQ(0, logos_sub_start(loop, topic, KIND_TEST, on_pub, &h2, &s2));
	EXPECT_EQ(-EINVAL, logos_sub_start(loop, topic, KIND_TEST, on_pub, &h2, NULL));
	for (i = 1; i <= 4; i++) {
		logos_wire_writer_init(&w, buf, sizeof(buf), KIND_TEST, 0, 7);
		logos_wire_put_u32(&w, 1, (uint32_t)i);
		ASSERT_EQ(0, logos_wire_publish(fd, topic, &w, 0, &delivered));
		EXPECT_EQ(2, delivered);
	}
	/* Junk and another kind are dropped and counted, not delivered. */
	ASSERT_EQ(0, logos_topic_publish(fd, topic, "junk", 4, NULL, 0, 0, NULL, NULL));
	logos_wire_writer_init(&w, buf, sizeof(buf), KIND_TEST + 1, 0, 7);
	ASSERT_EQ(0, logos_wire_publish(fd, topic, &w, 0, NULL));
	for (i = 0; i < 20 && (h1.n < 4 || h2.n < 4 || logos_sub_malformed(s2) < 2); i++)
		logos_loop_dispatch(loop, 200);
	EXPECT_EQ(4, h1.n);
	EXPECT_EQ(10, h1.sum);
	EXPECT_EQ(4, h2.n);
	EXPECT_EQ(2, logos_sub_malformed(s1));
	EXPECT_EQ(0, logos_sub_lost(s1));
	logos_sub_stop(s1);
	logos_wire_writer_init(&w, buf, sizeof(buf), KIND_TEST, 0, 7);
	ASSERT_EQ(0, logos_wire_publish(fd, topic, &w, 0, &delivered));
	EXPECT_EQ(1, delivered);
	logos_sub_stop(s2);
	logos_loop_free(loop);
	close(fd);
}

/* ---- zero-copy buffers ---------------------------------------------- */

TEST(buffers_move_between_modules_without_copy)
{
	struct tmod a, b;
	struct logos_buf out, in, ro;
	struct logos_wire_writer w;
	struct logos_rx *rx = logos_rx_new();
	logos_handle_t ca, cb;
	uint8_t buf[128];
	uint32_t revoked = 0;
	int sfd = logos_open();

	ASSERT_LE(0, sfd);
	ASSERT_NE(NULL, rx);
	ASSERT_EQ(0, tmod_create(sfd, "buf-a", &a));
	ASSERT_EQ(0, tmod_create(sfd, "buf-b", &b));
	/* A channel between the two modules. */
	ASSERT_EQ(0, logos_channel_create(sfd, 0, 0, &ca, &cb));
	ASSERT_EQ(0, logos_handle_give(sfd, a.module, ca, EP_RIGHTS, LOGOS_GIVE_MOVE, &ca));
	ASSERT_EQ(0, logos_handle_give(sfd, b.module, cb, EP_RIGHTS, LOGOS_GIVE_MOVE, &cb));

	/* A grant (revocable): b maps a's pages read-only. */
	ASSERT_EQ(0, logos_buf_alloc(a.fd, 3 * 4096, &out));
	memset(out.addr, 0x5a, out.size);
	strcpy(out.addr, "zero copy");
	logos_wire_writer_init(&w, buf, sizeof(buf), KIND_TEST, 0, 1);
	ASSERT_EQ(0, logos_buf_put(&w, 1, &out, LOGOS_BUF_READ_ONLY, 0));
	ASSERT_EQ(0, logos_wire_send(a.fd, ca, &w, 0, LONG));
	ASSERT_EQ(0, logos_rx_recv(b.fd, cb, rx, LONG));
	EXPECT_EQ(-EPERM, logos_buf_take(rx, 1, PROT_READ | PROT_WRITE, &in));
	ASSERT_EQ(0, logos_rx_recv(b.fd, cb, rx, 0) == -EAGAIN ? 0 : -1);
	/* Again, taking it read-only this time. */
	logos_wire_writer_init(&w, buf, sizeof(buf), KIND_TEST, 0, 1);
	ASSERT_EQ(0, logos_buf_put(&w, 1, &out, LOGOS_BUF_READ_ONLY, 0));
	ASSERT_EQ(0, logos_wire_send(a.fd, ca, &w, 0, LONG));
	ASSERT_EQ(0, logos_rx_recv(b.fd, cb, rx, LONG));
	ASSERT_EQ(0, logos_buf_take(rx, 1, PROT_READ, &in));
	EXPECT_EQ(out.size, in.size);
	EXPECT_STREQ("zero copy", in.addr);
	/* The same pages: a's write shows in b's mapping. */
	((char *)out.addr)[0] = 'Z';
	EXPECT_EQ('Z', ((char *)in.addr)[0]);
	/* a revokes: b's mapping is gone (not touched here: SIGBUS). */
	ASSERT_EQ(0, logos_buf_revoke(&out, &revoked));
	EXPECT_LE(1, revoked);
	logos_buf_release(&in);

	/* A move: the handle itself goes to b. */
	logos_wire_writer_init(&w, buf, sizeof(buf), KIND_TEST, 0, 1);
	ASSERT_EQ(0, logos_buf_put(&w, 1, &out, 0, LOGOS_BUF_MOVE));
	ASSERT_EQ(0, logos_wire_send(a.fd, ca, &w, 0, LONG));
	EXPECT_EQ(-EBADF, logos_buf_revoke(&out, NULL));
	logos_buf_release(&out);
	ASSERT_EQ(0, logos_rx_recv(b.fd, cb, rx, LONG));
	ASSERT_EQ(0, logos_buf_take(rx, 1, PROT_READ | PROT_WRITE, &ro));
	EXPECT_EQ('Z', ((char *)ro.addr)[0]);
	logos_buf_release(&ro);

	logos_rx_free(rx);
	close(a.fd);
	close(b.fd);
	tmod_release(sfd, &a);
	tmod_release(sfd, &b);
	close(sfd);
}

TEST_HARNESS_MAIN
