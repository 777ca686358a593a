// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: the header the kernel stamps, priorities, batching, and many
 * senders or receivers on one endpoint.
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_helpers.h"
#include "kselftest_harness.h"
#include "channel_fixture.h"

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
