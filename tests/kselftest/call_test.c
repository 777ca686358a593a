// SPDX-License-Identifier: GPL-2.0
/*
 * Request/response: CHANNEL_CALL and CHANNEL_REPLY. Round trips, reply and
 * receive in one system call, transaction matching between concurrent
 * callers, timeouts, late and unknown replies, signals, closed and killed
 * servers, killed clients, replies too big for the caller's buffer, and
 * the argument, rights and type errors of both calls.
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_helpers.h"
#include "kselftest_harness.h"

FIXTURE(call) {
	int dev;
	__u32 c, s;	/* the client's and the server's endpoints */
};

FIXTURE_SETUP(call)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
	ASSERT_EQ(0, logos_chan_new(self->dev, 0, 0, &self->c, &self->s));
}

FIXTURE_TEARDOWN(call)
{
	close(self->dev);
}

/* Receives one call on @h (waits up to 10 s): its txn id, or 0. */
static __u64 take_call(int fd, __u32 h, char *buf, __u32 size, struct logos_msg *out)
{
	struct logos_msg msg;

	if (logos_recv(fd, h, buf, size, NULL, 0, 10 * SEC, &msg))
		return 0;
	if (out)
		*out = msg;
	return msg.header.txn_id;
}

/* A server thread answering @calls calls with "re:" + the request. */
struct server {
	int fd;
	__u32 h;
	int calls;
	/* out */
	int ret;
	struct logos_msg req[4];
	pthread_t thread;
};

static void *serve(void *p)
{
	struct server *sv = p;
	char buf[128], rep[132];
	int i;

	for (i = 0; i < sv->calls; i++) {
		sv->ret = logos_recv(sv->fd, sv->h, buf, sizeof(buf), NULL, 0, 10 * SEC,
				     &sv->req[i]);
		if (sv->ret)
			return NULL;
		memcpy(rep, "re:", 3);
		memcpy(rep + 3, buf, sv->req[i].data_len);
		sv->ret = logos_reply(sv->fd, sv->h, sv->req[i].header.txn_id, rep,
				      sv->req[i].data_len + 3);
		if (sv->ret)
			return NULL;
	}
	return NULL;
}

static int server_start(struct server *sv, int fd, __u32 h, int calls)
{
	memset(sv, 0, sizeof(*sv));
	sv->fd = fd;
	sv->h = h;
	sv->calls = calls;
	sv->ret = 1;
	return pthread_create(&sv->thread, NULL, serve, sv) ? -EAGAIN : 0;
}

static int server_join(struct server *sv)
{
	pthread_join(sv->thread, NULL);
	return sv->ret;
}

/* ---- round trips ----------------------------------------------------------------- */

TEST_F(call, call_gets_the_reply_to_its_request)
{
	struct logos_test_call c;
	struct server sv;

	ASSERT_EQ(0, server_start(&sv, self->dev, self->s, 1));
	logos_call_prep(&c, self->c, "ping", 4, 10 * SEC);
	ASSERT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	ASSERT_EQ(0, server_join(&sv));
	EXPECT_EQ(7, c.arg.reply.data_len);
	EXPECT_EQ(0, memcmp(c.reply, "re:ping", 7));
	EXPECT_EQ(0, c.arg.reply.nr_handles);
	/* The server saw a call with a transaction id; the reply names it. */
	EXPECT_EQ(LOGOS_MSG_CALL, sv.req[0].header.flags);
	EXPECT_NE(0, sv.req[0].header.txn_id);
	EXPECT_EQ(LOGOS_MSG_REPLY, c.arg.reply.header.flags);
	EXPECT_EQ(sv.req[0].header.txn_id, c.arg.reply.header.txn_id);
	EXPECT_EQ(0, c.arg.reply.header.sender_module);
}

TEST_F(call, every_call_gets_a_fresh_txn_id)
{
	struct logos_test_call c;
	struct server sv;
	int i;

	ASSERT_EQ(0, server_start(&sv, self->dev, self->s, 3));
	for (i = 0; i < 3; i++) {
		logos_call_prep(&c, self->c, "n", 1, 10 * SEC);
		ASSERT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	}
	ASSERT_EQ(0, server_join(&sv));
	EXPECT_NE(sv.req[0].header.txn_id, sv.req[1].header.txn_id);
	EXPECT_NE(sv.req[1].header.txn_id, sv.req[2].header.txn_id);
	EXPECT_NE(sv.req[0].header.txn_id, sv.req[2].header.txn_id);
}

TEST_F(call, calls_and_replies_between_modules_carry_their_ids_and_are_counted)
{
	struct logos_module_info c0, c1, s0, s1;
	struct logos_test_module mc, ms;
	struct logos_test_call c;
	struct server sv;
	__u32 hc, hs;

	ASSERT_EQ(0, logos_module_with(self->dev, "client", NULL, self->c, &mc, &hc));
	ASSERT_EQ(0, logos_module_with(self->dev, "server", NULL, self->s, &ms, &hs));
	ASSERT_EQ(0, logos_module_info(self->dev, mc.handle, &c0));
	ASSERT_EQ(0, logos_module_info(self->dev, ms.handle, &s0));
	ASSERT_EQ(0, server_start(&sv, ms.fd, hs, 1));
	logos_call_prep(&c, hc, "id", 2, 10 * SEC);
	ASSERT_EQ(0, logos_ioctl(mc.fd, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	ASSERT_EQ(0, server_join(&sv));
	EXPECT_EQ(mc.id, sv.req[0].header.sender_module);
	EXPECT_EQ(ms.id, c.arg.reply.header.sender_module);
	ASSERT_EQ(0, logos_module_info(self->dev, mc.handle, &c1));
	ASSERT_EQ(0, logos_module_info(self->dev, ms.handle, &s1));
	EXPECT_EQ(c0.msgs_sent + 1, c1.msgs_sent);
	EXPECT_EQ(c0.bytes_sent + 2, c1.bytes_sent);
	EXPECT_EQ(s0.msgs_sent + 1, s1.msgs_sent);
	EXPECT_EQ(s0.bytes_sent + 5, s1.bytes_sent);
	EXPECT_EQ(0, c1.usage[LOGOS_RES_MSGS_QUEUED]);
	EXPECT_EQ(0, s1.usage[LOGOS_RES_MSGS_QUEUED]);
}

TEST_F(call, handles_travel_in_request_and_reply)
{
	struct logos_msg_handle mh, got = { 0 }, back = { 0 };
	struct logos_channel_call arg;
	struct logos_channel_reply rep;
	struct logos_msg req;
	struct logos_bg bg;
	__u32 e1, e2, observed = 0;
	char buf[8];

	ASSERT_EQ(0, logos_event_new(self->dev, &e1));
	ASSERT_EQ(0, logos_event_new(self->dev, &e2));
	mh = logos_mh(e1, LOGOS_RIGHTS_SAME, 0);
	memset(&arg, 0, sizeof(arg));
	arg.handle = self->c;
	arg.timeout_ns = 10 * SEC;
	arg.request.nr_handles = 1;
	arg.request.handles = PTR(&mh);
	arg.reply.data = PTR(buf);
	arg.reply.data_len = sizeof(buf);
	arg.reply.nr_handles = 1;
	arg.reply.handles = PTR(&back);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &arg));
	ASSERT_EQ(0, logos_recv(self->dev, self->s, buf, sizeof(buf), &got, 1, 10 * SEC, &req));
	EXPECT_EQ(1, req.nr_handles);
	EXPECT_EQ(LOGOS_OBJ_EVENT, got.type);
	mh = logos_mh(e2, LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER, 0);
	memset(&rep, 0, sizeof(rep));
	rep.handle = self->s;
	rep.txn_id = req.header.txn_id;
	rep.reply.nr_handles = 1;
	rep.reply.handles = PTR(&mh);
	ASSERT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_REPLY, &rep));
	ASSERT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(1, arg.reply.nr_handles);
	EXPECT_EQ(LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER, back.rights);
	ASSERT_EQ(0, logos_signal(self->dev, back.handle, 0, 0x2));
	EXPECT_EQ(0, logos_wait_one(self->dev, e2, 0x2, 0, &observed));
}

/* ---- reply and receive in one system call ------------------------------------------ */

struct rr_server {
	int fd;
	__u32 h;
	int ret_first, ret_rr, ret_last;
	struct logos_channel_reply rr;
	char next[64];
};

/* Takes call 1, answers it and takes call 2 in one REPLY, answers call 2. */
static void *serve_with_reply_receive(void *p)
{
	struct rr_server *sv = p;
	struct logos_msg first;
	char buf[64];

	sv->ret_first = logos_recv(sv->fd, sv->h, buf, sizeof(buf), NULL, 0, 10 * SEC, &first);
	if (sv->ret_first)
		return NULL;
	memset(&sv->rr, 0, sizeof(sv->rr));
	sv->rr.handle = sv->h;
	sv->rr.flags = LOGOS_REPLY_RECEIVE;
	sv->rr.txn_id = first.header.txn_id;
	sv->rr.timeout_ns = 10 * SEC;
	sv->rr.reply.data = PTR("first-reply");
	sv->rr.reply.data_len = 11;
	sv->rr.next.data = PTR(sv->next);
	sv->rr.next.data_len = sizeof(sv->next);
	sv->ret_rr = logos_ioctl(sv->fd, LOGOS_IOC_CHANNEL_REPLY, &sv->rr);
	if (sv->ret_rr)
		return NULL;
	sv->ret_last = logos_reply(sv->fd, sv->h, sv->rr.next.header.txn_id, "second-reply", 12);
	return NULL;
}

TEST_F(call, reply_with_receive_answers_and_takes_the_next_call_in_one_syscall)
{
	struct rr_server sv = { .fd = self->dev, .h = self->s, .ret_first = 1 };
	struct logos_test_call c;
	pthread_t th;

	ASSERT_EQ(0, pthread_create(&th, NULL, serve_with_reply_receive, &sv));
	logos_call_prep(&c, self->c, "one", 3, 10 * SEC);
	ASSERT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_EQ(11, c.arg.reply.data_len);
	EXPECT_EQ(0, memcmp(c.reply, "first-reply", 11));
	logos_call_prep(&c, self->c, "two", 3, 10 * SEC);
	ASSERT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_EQ(12, c.arg.reply.data_len);
	EXPECT_EQ(0, memcmp(c.reply, "second-reply", 12));
	pthread_join(th, NULL);
	EXPECT_EQ(0, sv.ret_first);
	EXPECT_EQ(0, sv.ret_rr);
	EXPECT_EQ(0, sv.ret_last);
	EXPECT_EQ(3, sv.rr.next.data_len);
	EXPECT_EQ(0, memcmp(sv.next, "two", 3));
	EXPECT_EQ(LOGOS_MSG_CALL, sv.rr.next.header.flags);
	EXPECT_NE(0, sv.rr.next.header.txn_id);
}

TEST_F(call, reply_with_receive_delivers_the_reply_even_when_nothing_follows)
{
	struct logos_channel_reply rr;
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];
	__u64 txn;

	logos_call_prep(&c, self->c, "only", 4, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	memset(&rr, 0, sizeof(rr));
	rr.handle = self->s;
	rr.flags = LOGOS_REPLY_RECEIVE;
	rr.txn_id = txn;
	rr.timeout_ns = 0;
	rr.reply.data = PTR("done");
	rr.reply.data_len = 4;
	rr.next.data = PTR(buf);
	rr.next.data_len = sizeof(buf);
	EXPECT_EQ(-EAGAIN, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_REPLY, &rr));
	EXPECT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(0, memcmp(c.reply, "done", 4));
	/* It went out: answering it again finds no caller. */
	EXPECT_EQ(-ENOENT, logos_reply(self->dev, self->s, txn, "again", 5));
}

TEST_F(call, reply_with_receive_times_out_on_the_receive_after_the_reply)
{
	struct logos_channel_reply rr;
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];
	__u64 txn, start;

	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	memset(&rr, 0, sizeof(rr));
	rr.handle = self->s;
	rr.flags = LOGOS_REPLY_RECEIVE;
	rr.txn_id = txn;
	rr.timeout_ns = 300 * MS;
	rr.reply.data = PTR("y");
	rr.reply.data_len = 1;
	rr.next.data = PTR(buf);
	rr.next.data_len = sizeof(buf);
	start = logos_now_ns();
	EXPECT_EQ(-ETIMEDOUT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_REPLY, &rr));
	EXPECT_LE(300 * MS, (__s64)(logos_now_ns() - start));
	EXPECT_EQ(0, logos_bg_join(&bg));
}

TEST_F(call, reply_with_unknown_flags_is_einval)
{
	struct logos_channel_reply rr = { .handle = self->s, .flags = 0x2, .txn_id = 1 };

	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_REPLY, &rr));
	rr.flags = 0x80000000U;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_REPLY, &rr));
}

/* ---- transaction matching -------------------------------------------------------------- */

TEST_F(call, two_concurrent_callers_get_their_own_replies)
{
	struct logos_test_call ca, cb;
	struct logos_bg bga, bgb;
	struct logos_msg m1, m2;
	char b1[16] = { 0 }, b2[16] = { 0 }, rep[16];
	__u64 t1, t2;

	logos_call_prep(&ca, self->c, "A", 1, 10 * SEC);
	logos_call_prep(&cb, self->c, "B", 1, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bga, self->dev, LOGOS_IOC_CHANNEL_CALL, &ca.arg));
	ASSERT_EQ(0, logos_bg_start(&bgb, self->dev, LOGOS_IOC_CHANNEL_CALL, &cb.arg));
	t1 = take_call(self->dev, self->s, b1, sizeof(b1), &m1);
	t2 = take_call(self->dev, self->s, b2, sizeof(b2), &m2);
	ASSERT_NE(0, t1);
	ASSERT_NE(0, t2);
	EXPECT_NE(t1, t2);
	/* Answer in the reverse order of arrival. */
	snprintf(rep, sizeof(rep), "re:%c", b2[0]);
	ASSERT_EQ(0, logos_reply(self->dev, self->s, t2, rep, 4));
	snprintf(rep, sizeof(rep), "re:%c", b1[0]);
	ASSERT_EQ(0, logos_reply(self->dev, self->s, t1, rep, 4));
	EXPECT_EQ(0, logos_bg_join(&bga));
	EXPECT_EQ(0, logos_bg_join(&bgb));
	EXPECT_EQ(0, memcmp(ca.reply, "re:A", 4));
	EXPECT_EQ(0, memcmp(cb.reply, "re:B", 4));
	EXPECT_EQ(b1[0] == 'A' ? t1 : t2, ca.arg.reply.header.txn_id);
	EXPECT_EQ(b1[0] == 'B' ? t1 : t2, cb.arg.reply.header.txn_id);
}

TEST_F(call, replies_never_enter_the_receive_queue_and_other_messages_stay)
{
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];
	__u64 txn;

	logos_call_prep(&c, self->c, "q", 1, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->s, "note", 4));
	ASSERT_EQ(0, logos_reply(self->dev, self->s, txn, "answer", 6));
	ASSERT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(6, c.arg.reply.data_len);
	EXPECT_EQ(0, memcmp(c.reply, "answer", 6));
	/* The plain message is still queued, and only it. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, logos_recv_bytes(self->dev, self->c, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "note", 4));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->c, buf, sizeof(buf), NULL, 0, 0, NULL));
}

TEST_F(call, reply_to_an_unknown_txn_is_enoent)
{
	EXPECT_EQ(-ENOENT, logos_reply(self->dev, self->s, 12345, "x", 1));
	EXPECT_EQ(-ENOENT, logos_reply(self->dev, self->s, ~0ULL, "x", 1));
	EXPECT_EQ(-ENOENT, logos_reply(self->dev, self->s, 0, "x", 1));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->c, (char[8]){}, 8, NULL, 0, 0, NULL));
}

TEST_F(call, a_second_reply_to_one_call_is_enoent)
{
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];
	__u64 txn;

	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	ASSERT_EQ(0, logos_reply(self->dev, self->s, txn, "1", 1));
	ASSERT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(-ENOENT, logos_reply(self->dev, self->s, txn, "2", 1));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->c, buf, sizeof(buf), NULL, 0, 0, NULL));
}

TEST_F(call, reply_on_another_endpoint_is_enoent)
{
	struct logos_test_call c;
	struct logos_bg bg;
	__u32 c2, s2;
	char buf[16];
	__u64 txn;

	ASSERT_EQ(0, logos_chan_new(self->dev, 0, 0, &c2, &s2));
	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	EXPECT_EQ(-ENOENT, logos_reply(self->dev, s2, txn, "wrong", 5));
	EXPECT_EQ(-ENOENT, logos_reply(self->dev, self->c, txn, "wrong", 5));
	EXPECT_EQ(1, logos_bg_ret(&bg));
	ASSERT_EQ(0, logos_reply(self->dev, self->s, txn, "right", 5));
	ASSERT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(0, memcmp(c.reply, "right", 5));
}

/* ---- timeouts and signals ------------------------------------------------------------------ */

TEST_F(call, call_without_a_server_times_out_after_about_its_timeout)
{
	struct logos_test_call c;
	__u64 start = logos_now_ns();
	__s64 elapsed;

	logos_call_prep(&c, self->c, "x", 1, 300 * MS);
	EXPECT_EQ(-ETIMEDOUT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	elapsed = logos_now_ns() - start;
	EXPECT_LE(300 * MS, elapsed);
	EXPECT_GT(2 * SEC, elapsed);
}

TEST_F(call, call_times_out_and_a_later_reply_is_enoent)
{
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];
	__u64 txn;

	logos_call_prep(&c, self->c, "late", 4, 500 * MS);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	EXPECT_EQ(-ETIMEDOUT, logos_bg_join(&bg));
	EXPECT_LE(500 * MS, (__s64)bg.elapsed_ns);
	EXPECT_EQ(-ENOENT, logos_reply(self->dev, self->s, txn, "too late", 8));
	/* The late reply did not land in the client's queue either. */
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->c, buf, sizeof(buf), NULL, 0, 0, NULL));
}

TEST_F(call, call_timeout_covers_waiting_for_room_to_send)
{
	struct logos_test_call c;
	__u64 start;
	__u32 cc, ss;

	ASSERT_EQ(0, logos_chan_new(self->dev, 1, 0, &cc, &ss));
	ASSERT_EQ(0, logos_send_bytes(self->dev, cc, "fill", 4));
	logos_call_prep(&c, cc, "x", 1, 300 * MS);
	start = logos_now_ns();
	EXPECT_EQ(-ETIMEDOUT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_LE(300 * MS, (__s64)(logos_now_ns() - start));
	/* The request never went in. */
	EXPECT_EQ(4, logos_recv_bytes(self->dev, ss, (char[8]){}, 8, 0));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, ss, (char[8]){}, 8, NULL, 0, 0, NULL));
}

/*
 * A handler without SA_RESTART: -EINTR, but the call is parked with its
 * id in request.header.txn_id; a later reply is kept, and calling again
 * with the same argument gets it without sending the request twice.
 */
TEST_F(call, signal_interrupts_a_call_with_eintr_and_a_retry_gets_the_reply)
{
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];
	__u64 txn;

	ASSERT_EQ(0, logos_install_noop(SIGUSR1));
	logos_call_prep(&c, self->c, "sig", 3, LOGOS_TIMEOUT_INFINITE);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	ASSERT_EQ(0, pthread_kill(bg.thread, SIGUSR1));
	EXPECT_EQ(-EINTR, logos_bg_join(&bg));
	EXPECT_EQ(txn, c.arg.request.header.txn_id);
	EXPECT_EQ(0, logos_reply(self->dev, self->s, txn, "x", 1));
	EXPECT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_EQ(1, c.arg.reply.data_len);
	EXPECT_EQ('x', c.reply[0]);
	/* The argument is fresh again, and the server saw one request. */
	EXPECT_EQ(0, c.arg.request.header.txn_id);
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->s, buf, sizeof(buf), NULL, 0, 0, NULL));
}

/*
 * At most 16 calls stay parked per endpoint: parking a 17th abandons the
 * oldest, so calls nobody resumes never use up the room.
 */
TEST_F(call, parking_a_17th_call_abandons_the_oldest)
{
	static struct logos_test_call c[17];
	struct logos_bg bg;
	char buf[16];
	__u64 txn[17];
	int i;

	ASSERT_EQ(0, logos_install_noop(SIGUSR1));
	for (i = 0; i < 17; i++) {
		logos_call_prep(&c[i], self->c, "p", 1, LOGOS_TIMEOUT_INFINITE);
		ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c[i].arg));
		txn[i] = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
		ASSERT_NE(0, txn[i]);
		ASSERT_EQ(0, pthread_kill(bg.thread, SIGUSR1));
		ASSERT_EQ(-EINTR, logos_bg_join(&bg));
		ASSERT_EQ(txn[i], c[i].arg.request.header.txn_id);
	}
	/* The oldest was abandoned: its reply is refused, its resume -ENOENT. */
	EXPECT_EQ(-ENOENT, logos_reply(self->dev, self->s, txn[0], "x", 1));
	EXPECT_EQ(-ENOENT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c[0].arg));
	/* The second oldest is still parked. */
	EXPECT_EQ(0, logos_reply(self->dev, self->s, txn[1], "y", 1));
	EXPECT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c[1].arg));
	EXPECT_EQ('y', c[1].reply[0]);
}

TEST_F(call, resuming_a_call_that_was_never_parked_is_enoent)
{
	struct logos_test_call c;

	logos_call_prep(&c, self->c, "x", 1, LOGOS_TIMEOUT_INFINITE);
	c.arg.request.header.txn_id = 12345;
	EXPECT_EQ(-ENOENT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_EQ(0, c.arg.request.header.txn_id);
	/* Any other header field still makes the request invalid. */
	c.arg.request.header.txn_id = 12345;
	c.arg.request.header.flags = 1;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
}

/* ---- closed and dead servers ------------------------------------------------------------- */

TEST_F(call, server_closing_its_endpoint_after_taking_the_call_gives_epipe)
{
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];

	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	ASSERT_NE(0, take_call(self->dev, self->s, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->s));
	EXPECT_EQ(-EPIPE, logos_bg_join(&bg));
	EXPECT_GT(5 * SEC, (__s64)bg.elapsed_ns);
}

TEST_F(call, server_closing_its_endpoint_with_the_call_queued_gives_epipe)
{
	struct logos_test_call c;
	struct logos_bg bg;

	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->s));
	EXPECT_EQ(-EPIPE, logos_bg_join(&bg));
	EXPECT_GT(5 * SEC, (__s64)bg.elapsed_ns);
}

TEST_F(call, call_to_a_closed_peer_is_epipe)
{
	struct logos_test_call c;

	ASSERT_EQ(0, logos_close_handle(self->dev, self->s));
	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	EXPECT_EQ(-EPIPE, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
}

struct proc_end {
	int fd;
	__u32 h;
};

/* Server child: takes one call, then dies by SIGKILL without replying. */
static int take_call_then_die(void *p)
{
	struct proc_end *e = p;
	char buf[16];

	if (!take_call(e->fd, e->h, buf, sizeof(buf), NULL))
		return 1;
	raise(SIGKILL);
	return 2;
}

TEST_F(call, kill_9_of_the_server_process_gives_the_caller_epipe)
{
	struct logos_test_module m;
	struct logos_test_call c;
	struct proc_end e;
	pid_t pid;
	int ret;

	ASSERT_EQ(0, logos_module_with(self->dev, "dying-server", NULL, self->s, &m, &e.h));
	e.fd = m.fd;
	pid = logos_spawn(take_call_then_die, &e);
	ASSERT_LT(0, pid);
	logos_module_release(&m);	/* only the child holds the module now */
	logos_call_prep(&c, self->c, "are you there", 13, 20 * SEC);
	ret = logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg);
	EXPECT_EQ(128 + SIGKILL, logos_reap(pid));
	EXPECT_EQ(-EPIPE, ret);
	EXPECT_EQ(LOGOS_STATE_TERMINATED, logos_state_of(self->dev, m.handle));
}

/*
 * LOGOS_CALL_OWNERDEAD: a request taken by a context that ends without
 * answering fails at once with -EOWNERDEAD, whether or not the server's
 * endpoint survives it (a supervisor keeps it for a restarted instance).
 */

/* A module holding a handle derived from the supervisor's endpoint @h. */
static int module_sharing(int dev, const char *name, __u32 h, struct logos_test_module *m,
			  __u32 *in_module)
{
	int ret = logos_module_new(dev, name, LOGOS_TRUST_USER, NULL, m);

	if (ret)
		return ret;
	return logos_give(dev, m->handle, h, LOGOS_RIGHTS_SAME, 0, in_module);
}

/* Spawns a child serving through @m (then released here) that takes one call and dies. */
static pid_t spawn_taker(struct logos_test_module *m, __u32 h)
{
	static struct proc_end e;
	pid_t pid;

	e.fd = m->fd;
	e.h = h;
	pid = logos_spawn(take_call_then_die, &e);
	logos_module_release(m);
	return pid;
}

/* One flagged call on @c, taken and answered through @s by this supervisor. */
static int serve_one_ownerdead(int dev, __u32 c, __u32 s, char *buf, __u32 size)
{
	struct logos_test_call call;
	struct logos_bg bg;
	__u64 txn;
	int ret;

	logos_call_prep(&call, c, "again", 5, 10 * SEC);
	call.arg.flags = LOGOS_CALL_OWNERDEAD;
	ret = logos_bg_start(&bg, dev, LOGOS_IOC_CHANNEL_CALL, &call.arg);
	if (ret)
		return ret;
	txn = take_call(dev, s, buf, size, NULL);
	ret = txn ? logos_reply(dev, s, txn, "ok", 2) : -EIO;
	if (logos_bg_join(&bg))
		return -EIO;
	return ret;
}

TEST_F(call, ownerdead_call_taken_by_a_killed_module_fails_at_once_though_the_endpoint_survives)
{
	struct logos_test_module m;
	struct logos_test_call c;
	__u64 t0, elapsed;
	char buf[16];
	__u32 h;
	pid_t pid;
	int ret;

	ASSERT_EQ(0, module_sharing(self->dev, "restarting-server", self->s, &m, &h));
	pid = spawn_taker(&m, h);
	ASSERT_LT(0, pid);
	logos_call_prep(&c, self->c, "inc", 3, 20 * SEC);
	c.arg.flags = LOGOS_CALL_OWNERDEAD;
	t0 = logos_now_ns();
	ret = logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg);
	elapsed = logos_now_ns() - t0;
	EXPECT_EQ(128 + SIGKILL, logos_reap(pid));
	EXPECT_EQ(-EOWNERDEAD, ret);
	EXPECT_GT(SEC, elapsed);
	TH_LOG("the caller learned of the lost call after %llu us", elapsed / 1000);
	/* The supervisor's endpoint lived on: the next call is served by it. */
	ASSERT_EQ(0, serve_one_ownerdead(self->dev, self->c, self->s, buf, sizeof(buf)));
}

TEST_F(call, without_ownerdead_a_call_taken_by_a_killed_module_waits_for_its_timeout)
{
	struct logos_test_module m;
	struct logos_test_call c;
	__u32 h;
	pid_t pid;
	int ret;

	ASSERT_EQ(0, module_sharing(self->dev, "restarting-server", self->s, &m, &h));
	pid = spawn_taker(&m, h);
	ASSERT_LT(0, pid);
	logos_call_prep(&c, self->c, "inc", 3, SEC);
	ret = logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg);
	EXPECT_EQ(128 + SIGKILL, logos_reap(pid));
	EXPECT_EQ(-ETIMEDOUT, ret);
}

TEST_F(call, ownerdead_call_still_queued_when_the_module_dies_is_served_by_the_next_taker)
{
	struct logos_test_module m;
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];
	__u64 txn;
	__u32 h;

	ASSERT_EQ(0, module_sharing(self->dev, "idle-server", self->s, &m, &h));
	logos_call_prep(&c, self->c, "q", 1, 10 * SEC);
	c.arg.flags = LOGOS_CALL_OWNERDEAD;
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	/* The module ends without taking it: the call stays queued. */
	logos_module_release(&m);
	ASSERT_EQ(0, logos_wait_one(self->dev, m.handle, LOGOS_SIGNAL_TERMINATED, 5 * SEC, NULL));
	EXPECT_EQ(1, logos_bg_ret(&bg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	ASSERT_EQ(0, logos_reply(self->dev, self->s, txn, "ok", 2));
	EXPECT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(2, c.arg.reply.data_len);
	ASSERT_EQ(0, logos_close_handle(self->dev, m.handle));
}

TEST_F(call, ownerdead_call_answered_before_the_module_dies_gets_its_reply)
{
	struct logos_test_module m;
	struct logos_test_call c;
	struct server sv;
	__u32 h;

	ASSERT_EQ(0, module_sharing(self->dev, "quick-server", self->s, &m, &h));
	ASSERT_EQ(0, server_start(&sv, m.fd, h, 1));
	logos_call_prep(&c, self->c, "ping", 4, 10 * SEC);
	c.arg.flags = LOGOS_CALL_OWNERDEAD;
	ASSERT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	ASSERT_EQ(0, server_join(&sv));
	EXPECT_EQ(0, memcmp(c.reply, "re:ping", 7));
	logos_module_release(&m);
	ASSERT_EQ(0, logos_wait_one(self->dev, m.handle, LOGOS_SIGNAL_TERMINATED, 5 * SEC, NULL));
	ASSERT_EQ(0, logos_close_handle(self->dev, m.handle));
}

TEST_F(call, ownerdead_on_a_raw_channel_taken_is_eownerdead_and_queued_is_epipe)
{
	struct logos_test_call c1, c2;
	struct logos_test_module m;
	struct logos_bg bg1, bg2;
	char buf[16];
	__u32 h;

	/* The module holds the server's only handle. */
	ASSERT_EQ(0, logos_module_with(self->dev, "sole-server", NULL, self->s, &m, &h));
	logos_call_prep(&c1, self->c, "a", 1, 10 * SEC);
	c1.arg.flags = LOGOS_CALL_OWNERDEAD;
	ASSERT_EQ(0, logos_bg_start(&bg1, self->dev, LOGOS_IOC_CHANNEL_CALL, &c1.arg));
	ASSERT_NE(0, take_call(m.fd, h, buf, sizeof(buf), NULL));
	logos_call_prep(&c2, self->c, "b", 1, 10 * SEC);
	c2.arg.flags = LOGOS_CALL_OWNERDEAD;
	ASSERT_EQ(0, logos_bg_start(&bg2, self->dev, LOGOS_IOC_CHANNEL_CALL, &c2.arg));
	logos_module_release(&m);
	EXPECT_EQ(-EOWNERDEAD, logos_bg_join(&bg1));
	EXPECT_EQ(-EPIPE, logos_bg_join(&bg2));
	EXPECT_GT(5 * SEC, (__s64)bg1.elapsed_ns);
	ASSERT_EQ(0, logos_close_handle(self->dev, m.handle));
}

TEST_F(call, ownerdead_parked_call_whose_taker_dies_gets_eownerdead_when_resumed)
{
	struct logos_test_module m;
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];
	__u32 h;

	ASSERT_EQ(0, logos_install_noop(SIGUSR1));
	ASSERT_EQ(0, module_sharing(self->dev, "parked-taker", self->s, &m, &h));
	logos_call_prep(&c, self->c, "p", 1, LOGOS_TIMEOUT_INFINITE);
	c.arg.flags = LOGOS_CALL_OWNERDEAD;
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	ASSERT_NE(0, take_call(m.fd, h, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, pthread_kill(bg.thread, SIGUSR1));
	EXPECT_EQ(-EINTR, logos_bg_join(&bg));
	ASSERT_NE(0, c.arg.request.header.txn_id);
	/* The module that took it ends while the call is parked. */
	logos_module_release(&m);
	ASSERT_EQ(0, logos_wait_one(self->dev, m.handle, LOGOS_SIGNAL_TERMINATED, 5 * SEC, NULL));
	EXPECT_EQ(-EOWNERDEAD, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_EQ(0, c.arg.request.header.txn_id);
	ASSERT_EQ(0, logos_close_handle(self->dev, m.handle));
}

TEST_F(call, ownerdead_orphaned_call_leaves_nothing_behind)
{
	struct logos_test_module m;
	struct logos_test_call c;
	long long live0;
	__u32 h;
	pid_t pid;

	live0 = logos_live_objects();
	ASSERT_EQ(0, module_sharing(self->dev, "leak-server", self->s, &m, &h));
	pid = spawn_taker(&m, h);
	ASSERT_LT(0, pid);
	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	c.arg.flags = LOGOS_CALL_OWNERDEAD;
	EXPECT_EQ(-EOWNERDEAD, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_EQ(128 + SIGKILL, logos_reap(pid));
	ASSERT_EQ(0, logos_wait_one(self->dev, m.handle, LOGOS_SIGNAL_TERMINATED, 5 * SEC, NULL));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MSGS_QUEUED));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_HANDLES));
	ASSERT_EQ(0, logos_close_handle(self->dev, m.handle));
	EXPECT_EQ(live0, logos_live_objects_settle(live0));
}

/* Client child: calls and waits for ever. */
static int call_forever(void *p)
{
	struct proc_end *e = p;
	struct logos_test_call c;

	logos_call_prep(&c, e->h, "hang", 4, LOGOS_TIMEOUT_INFINITE);
	logos_ioctl(e->fd, LOGOS_IOC_CHANNEL_CALL, &c.arg);
	return 3;
}

TEST_F(call, kill_9_of_the_client_in_a_call_leaves_nothing_behind)
{
	struct logos_test_module m;
	struct proc_end e;
	long long live0;
	char buf[16];
	__u64 txn;
	pid_t pid;

	live0 = logos_live_objects();
	ASSERT_LE(2, live0);
	ASSERT_EQ(0, logos_module_with(self->dev, "dying-client", NULL, self->c, &m, &e.h));
	e.fd = m.fd;
	pid = logos_spawn(call_forever, &e);
	ASSERT_LT(0, pid);
	logos_module_release(&m);
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, logos_reap(pid));
	ASSERT_EQ(0, logos_wait_one(self->dev, m.handle, LOGOS_SIGNAL_TERMINATED, 5 * SEC, NULL));
	/* The caller is gone: the reply has nobody to go to. */
	EXPECT_EQ(-ENOENT, logos_reply(self->dev, self->s, txn, "late", 4));
	/* Its endpoint went with it. */
	EXPECT_EQ(-EPIPE, logos_recv(self->dev, self->s, buf, sizeof(buf), NULL, 0, 0, NULL));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MSGS_QUEUED));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_HANDLES));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->s));
	ASSERT_EQ(0, logos_close_handle(self->dev, m.handle));
	/* Both endpoints and the module are gone: two fewer than at the start. */
	EXPECT_EQ(live0 - 2, logos_live_objects_settle(live0 - 2));
}

/* ---- reply too big ----------------------------------------------------------------------- */

TEST_F(call, reply_too_big_for_the_callers_buffer_is_emsgsize_and_destroyed)
{
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16], big[100];
	__u64 txn;

	memset(big, 'z', sizeof(big));
	logos_call_prep(&c, self->c, "small", 5, 10 * SEC);
	c.arg.reply.data_len = 4;
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	EXPECT_EQ(0, logos_reply(self->dev, self->s, txn, big, sizeof(big)));
	EXPECT_EQ(-EMSGSIZE, logos_bg_join(&bg));
	EXPECT_EQ(100, c.arg.reply.data_len);
	EXPECT_EQ(0, c.arg.reply.nr_handles);
	/* Destroyed, not queued. */
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->c, big, sizeof(big), NULL, 0, 0, NULL));
}

TEST_F(call, reply_with_more_handles_than_the_caller_has_room_for_is_emsgsize)
{
	struct logos_channel_reply rep;
	struct logos_msg_handle mh[2];
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];
	__u32 e, revoked = ~0U;
	__u64 txn;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	logos_call_prep(&c, self->c, "h", 1, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	mh[0] = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
	mh[1] = logos_mh(e, LOGOS_RIGHTS_SAME, 0);
	memset(&rep, 0, sizeof(rep));
	rep.handle = self->s;
	rep.txn_id = txn;
	rep.reply.nr_handles = 2;
	rep.reply.handles = PTR(mh);
	EXPECT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_REPLY, &rep));
	EXPECT_EQ(-EMSGSIZE, logos_bg_join(&bg));
	EXPECT_EQ(2, c.arg.reply.nr_handles);
	/* The destroyed reply's handles were closed with it. */
	ASSERT_EQ(0, logos_revoke(self->dev, e, &revoked));
	EXPECT_EQ(0, revoked);
}

/* ---- arguments, rights, types ------------------------------------------------------------- */

TEST_F(call, call_with_flags_is_einval)
{
	struct logos_test_call c;

	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	c.arg.flags = 2;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	c.arg.flags = ~LOGOS_CALL_OWNERDEAD;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	c.arg.request.flags = LOGOS_MSG_CALL;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	c.arg.request.reserved = 1;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	c.arg.reply.flags = 1;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	c.arg.reply.reserved = 1;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	/* None of them reached the server. */
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->s, (char[8]){}, 8, NULL, 0, 0, NULL));
}

TEST_F(call, call_with_bad_pointers_is_efault)
{
	struct logos_test_call c;

	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, NULL));
	logos_call_prep(&c, self->c, (void *)8, 16, 10 * SEC);
	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->s, (char[8]){}, 8, NULL, 0, 0, NULL));
}

TEST_F(call, reply_with_bad_pointers_is_efault)
{
	struct logos_test_call c;
	struct logos_bg bg;
	char buf[16];
	__u64 txn;

	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_REPLY, NULL));
	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	EXPECT_EQ(-EFAULT, logos_reply(self->dev, self->s, txn, (void *)8, 16));
	/* The call still waits for a proper reply. */
	EXPECT_EQ(1, logos_bg_ret(&bg));
	ASSERT_EQ(0, logos_reply(self->dev, self->s, txn, "ok", 2));
	EXPECT_EQ(0, logos_bg_join(&bg));
}

TEST_F(call, call_needs_read_and_write)
{
	struct logos_test_call c;
	__u32 no_read, no_write;

	ASSERT_EQ(0, logos_dup(self->dev, self->c, LOGOS_ENDPOINT_RIGHTS & ~LOGOS_RIGHT_READ,
			       &no_read));
	ASSERT_EQ(0, logos_dup(self->dev, self->c, LOGOS_ENDPOINT_RIGHTS & ~LOGOS_RIGHT_WRITE,
			       &no_write));
	logos_call_prep(&c, no_read, "x", 1, 10 * SEC);
	EXPECT_EQ(-EPERM, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	logos_call_prep(&c, no_write, "x", 1, 10 * SEC);
	EXPECT_EQ(-EPERM, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->s, (char[8]){}, 8, NULL, 0, 0, NULL));
}

TEST_F(call, reply_needs_read_and_write)
{
	struct logos_test_call c;
	__u32 no_read, no_write;
	struct logos_bg bg;
	char buf[16];
	__u64 txn;

	ASSERT_EQ(0, logos_dup(self->dev, self->s, LOGOS_ENDPOINT_RIGHTS & ~LOGOS_RIGHT_READ,
			       &no_read));
	ASSERT_EQ(0, logos_dup(self->dev, self->s, LOGOS_ENDPOINT_RIGHTS & ~LOGOS_RIGHT_WRITE,
			       &no_write));
	logos_call_prep(&c, self->c, "x", 1, 10 * SEC);
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	txn = take_call(self->dev, self->s, buf, sizeof(buf), NULL);
	ASSERT_NE(0, txn);
	EXPECT_EQ(-EPERM, logos_reply(self->dev, no_read, txn, "x", 1));
	EXPECT_EQ(-EPERM, logos_reply(self->dev, no_write, txn, "x", 1));
	EXPECT_EQ(1, logos_bg_ret(&bg));
	ASSERT_EQ(0, logos_reply(self->dev, self->s, txn, "ok", 2));
	EXPECT_EQ(0, logos_bg_join(&bg));
}

TEST_F(call, call_and_reply_on_an_event_are_eprototype)
{
	struct logos_test_call c;
	__u32 e;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	logos_call_prep(&c, e, "x", 1, 10 * SEC);
	EXPECT_EQ(-EPROTOTYPE, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_EQ(-EPROTOTYPE, logos_reply(self->dev, e, 1, "x", 1));
}

TEST_F(call, call_and_reply_on_a_closed_handle_are_ebadf)
{
	struct logos_test_call c;
	__u32 gone;

	ASSERT_EQ(0, logos_dup(self->dev, self->c, LOGOS_RIGHTS_SAME, &gone));
	ASSERT_EQ(0, logos_close_handle(self->dev, gone));
	logos_call_prep(&c, gone, "x", 1, 10 * SEC);
	EXPECT_EQ(-EBADF, logos_ioctl(self->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg));
	EXPECT_EQ(-EBADF, logos_reply(self->dev, gone, 1, "x", 1));
}

TEST_HARNESS_MAIN
