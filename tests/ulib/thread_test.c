// SPDX-License-Identifier: GPL-2.0
/*
 * The thread-safety rules of liblogos (see the headers and
 * Documentation/plugin-guide.md), exercised: many threads calling on one
 * endpoint served by several server threads, many threads sending on
 * one secure channel, service calls from threads while the module's loop
 * answers logosd, and per-thread error texts.
 */
#include "helpers.h"

#include "kselftest_harness.h"

#define KIND_T		0x2000
#define M_ECHO		1
#define CLIENTS		8
#define SERVERS		3
#define CALLS		200

static int m_echo(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	uint64_t v;
	int ret = logos_wire_get_u64(&req->rx->wire, 1, &v);

	(void)arg;
	return ret ? ret : logos_wire_put_u64(reply, 1, v);
}

static const struct logos_rpc_method methods[] = { { M_ECHO, m_echo } };

struct shared {
	int fd;
	logos_handle_t client, server;
	volatile int stop;
	int errors;
	int done;
	pthread_mutex_t lock;
};

static void *server_main(void *arg)
{
	struct shared *sh = arg;
	struct logos_rpc_server *srv;
	int ret;

	if (logos_rpc_server_new(KIND_T, methods, 1, NULL, &srv))
		return NULL;
	while (!sh->stop) {
		ret = logos_rpc_serve(srv, sh->fd, sh->server, 100 * MS);
		if (ret && ret != -ETIMEDOUT && ret != -EAGAIN)
			break;
	}
	logos_rpc_server_free(srv);
	return NULL;
}

static void *client_main(void *arg)
{
	struct shared *sh = arg;
	struct logos_rx *rx = logos_rx_new();
	uint8_t buf[64];
	uint64_t me = (uint64_t)pthread_self(), v;
	int i, bad = 0;

	for (i = 0; i < CALLS; i++) {
		struct logos_wire_writer w;
		uint64_t want = me ^ (uint64_t)i << 48;

		logos_wire_writer_init(&w, buf, sizeof(buf), KIND_T, 0, M_ECHO);
		logos_wire_put_u64(&w, 1, want);
		if (logos_rpc_call(sh->fd, sh->client, &w, rx, LONG) ||
		    logos_wire_get_u64(&rx->wire, 1, &v) || v != want)
			bad++;
	}
	logos_rx_free(rx);
	pthread_mutex_lock(&sh->lock);
	sh->errors += bad;
	sh->done++;
	pthread_mutex_unlock(&sh->lock);
	return NULL;
}

TEST(many_callers_on_one_endpoint_get_their_own_replies)
{
	struct shared sh = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t srv[SERVERS], cli[CLIENTS];
	int i;

	sh.fd = logos_open();
	ASSERT_LE(0, sh.fd);
	ASSERT_EQ(0, logos_channel_create(sh.fd, 0, 0, &sh.client, &sh.server));
	for (i = 0; i < SERVERS; i++)
		pthread_create(&srv[i], NULL, server_main, &sh);
	for (i = 0; i < CLIENTS; i++)
		pthread_create(&cli[i], NULL, client_main, &sh);
	for (i = 0; i < CLIENTS; i++)
		pthread_join(cli[i], NULL);
	sh.stop = 1;
	for (i = 0; i < SERVERS; i++)
		pthread_join(srv[i], NULL);
	EXPECT_EQ(CLIENTS, sh.done);
	EXPECT_EQ(0, sh.errors);
	close(sh.fd);
}

/* ---- one secure channel, many senders -------------------------------- */

#define SENDERS		6
#define PER_SENDER	150

struct sec_shared {
	struct logos_secure *tx, *rx;
	int sent_errors;
};

struct sender {
	struct sec_shared *sh;
	int id;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	char msg[32];
	int i;

	for (i = 0; i < PER_SENDER; i++) {
		int n = snprintf(msg, sizeof(msg), "%d:%d", s->id, i);

		if (logos_secure_send(s->sh->tx, msg, (size_t)n, LONG))
			__atomic_add_fetch(&s->sh->sent_errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

struct hs_arg {
	int fd;
	logos_handle_t ep;
	struct logos_identity *id;
	struct logos_secure *s;
	int ret;
};

static void *hs_accept(void *arg)
{
	struct hs_arg *a = arg;

	a->ret = logos_secure_accept(a->fd, a->ep, a->id, NULL, LONG, &a->s);
	return NULL;
}

TEST(many_senders_on_one_secure_channel)
{
	struct logos_identity ci, si;
	struct sec_shared sh = { 0 };
	struct sender snd[SENDERS];
	pthread_t t[SENDERS], at;
	struct hs_arg acc;
	logos_handle_t a, b;
	int next[SENDERS] = { 0 };
	int fd = logos_open(), i, got = 0, order_errors = 0;
	char buf[64];

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, logos_channel_create(fd, 0, 0, &a, &b));
	ASSERT_EQ(0, logos_identity_generate(&ci));
	ASSERT_EQ(0, logos_identity_generate(&si));
	acc = (struct hs_arg){ .fd = fd, .ep = b, .id = &si };
	pthread_create(&at, NULL, hs_accept, &acc);
	ASSERT_EQ(0, logos_secure_connect(fd, a, &ci, NULL, LONG, &sh.tx));
	pthread_join(at, NULL);
	ASSERT_EQ(0, acc.ret);
	sh.rx = acc.s;
	for (i = 0; i < SENDERS; i++) {
		snd[i] = (struct sender){ .sh = &sh, .id = i };
		pthread_create(&t[i], NULL, sender_main, &snd[i]);
	}
	/* Every message authenticates, and each sender's order is kept. */
	while (got < SENDERS * PER_SENDER) {
		ssize_t n = logos_secure_recv(sh.rx, buf, sizeof(buf) - 1, LONG);
		int id, seq;

		ASSERT_LT(0, n) TH_LOG("recv: %s", logos_strerror((int)n));
		buf[n] = 0;
		ASSERT_EQ(2, sscanf(buf, "%d:%d", &id, &seq));
		ASSERT_LE(0, id);
		ASSERT_GT(SENDERS, id);
		if (seq != next[id])
			order_errors++;
		next[id] = seq + 1;
		got++;
	}
	for (i = 0; i < SENDERS; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, sh.sent_errors);
	EXPECT_EQ(0, order_errors);
	logos_secure_free(sh.tx);
	logos_secure_free(sh.rx);
	close(fd);
}

/* ---- service calls from threads while the loop answers logosd ---------- */

struct svc_shared {
	struct logos_module *m;
	int errors;
};

static void *looker(void *arg)
{
	struct svc_shared *sh = arg;
	logos_handle_t ep;
	uint32_t version;
	int i;

	for (i = 0; i < 20; i++) {
		if (logos_service_lookup(sh->m, "svc", 0, ~0U, &ep, &version) ||
		    version != LOGOS_SERVICE_VERSION(2, 0)) {
			__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		logos_handle_close(logos_module_fd(sh->m), ep);
		logos_module_heartbeat(sh->m);
	}
	return NULL;
}

static int pauses;

static void *run_module(void *m)
{
	logos_module_run(m);
	return NULL;
}

static int on_pause(struct logos_module *m, void *arg)
{
	(void)m;
	(void)arg;
	__atomic_add_fetch(&pauses, 1, __ATOMIC_RELAXED);
	return 0;
}

TEST(service_calls_from_threads_while_the_loop_serves_logosd)
{
	static const struct logos_module_ops ops = { .pause = on_pause };
	struct svc_shared sh = { 0 };
	struct logos_rx *rx = logos_rx_new(), *prx = logos_rx_new();
	pthread_t lk[4], loop;
	struct tmod t;
	int sfd = logos_open(), i, lookups = 0, pause_calls = 0;
	uint8_t buf[128];

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, tmod_create(sfd, "thr-svc", &t));
	ASSERT_EQ(0, logos_module_attach(t.fd, t.boot, NULL, 0, &ops, NULL, 0, &sh.m));
	pthread_create(&loop, NULL, run_module, sh.m);
	for (i = 0; i < 4; i++)
		pthread_create(&lk[i], NULL, looker, &sh);
	/* Play logosd: answer 80 lookups, and call PAUSE in between. */
	while (lookups < 80) {
		struct logos_wire_writer w;
		logos_handle_t c, s;

		ASSERT_EQ(0, logos_rx_recv(sfd, t.sup_ep, rx, LONG));
		if (rx->wire.kind != LOGOS_BOOT_LOOKUP)
			continue;	/* heartbeats */
		ASSERT_EQ(0, logos_channel_create(sfd, 0, 0, &c, &s));
		logos_rpc_reply_init(&w, buf, sizeof(buf), &rx->wire);
		logos_wire_put_handle(&w, LOGOS_TAG_LOOKUP_EP, c, EP_RIGHTS, LOGOS_MSG_HANDLE_MOVE);
		logos_wire_put_u32(&w, LOGOS_TAG_LOOKUP_VERSION, LOGOS_SERVICE_VERSION(2, 0));
		ASSERT_EQ(0, logos_rpc_reply(sfd, t.sup_ep, rx->msg.header.txn_id, &w));
		logos_handle_close(sfd, s);
		lookups++;
		if (lookups % 10 == 0) {
			logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_PAUSE, 0, 0);
			ASSERT_EQ(0, logos_rpc_call(sfd, t.sup_ep, &w, prx, LONG));
			pause_calls++;
		}
	}
	for (i = 0; i < 4; i++)
		pthread_join(lk[i], NULL);
	logos_loop_stop(logos_module_loop(sh.m));
	pthread_join(loop, NULL);
	EXPECT_EQ(0, sh.errors);
	EXPECT_EQ(pause_calls, pauses);
	logos_module_free(sh.m);
	logos_rx_free(rx);
	logos_rx_free(prx);
	tmod_release(sfd, &t);
	close(sfd);
}

/* ---- per-thread texts ---------------------------------------------- */

static void *strerror_main(void *arg)
{
	int err = (int)(intptr_t)arg, i, bad = 0;
	char want[32];

	snprintf(want, sizeof(want), "errno %d", err);
	for (i = 0; i < 2000; i++) {
		if (!strstr(logos_strerror(-err), want))
			bad++;
	}
	return (void *)(intptr_t)bad;
}

TEST(unknown_error_texts_are_per_thread)
{
	pthread_t t[4];
	void *bad;
	int i, total = 0;

	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, strerror_main, (void *)(intptr_t)(ENOLINK + i * 3));
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], &bad);
		total += (int)(intptr_t)bad;
	}
	EXPECT_EQ(0, total);
}

TEST_HARNESS_MAIN
