// SPDX-License-Identifier: GPL-2.0
/*
 * Secure channels against logos.ko: the handshake (pinned and unpinned
 * identities, refusals, a tampered handshake), the data streams both
 * ways, and every attack the stream must reject: tampered, replayed,
 * reordered, truncated and foreign ciphertext, and truncation of the
 * stream itself. The test holds both endpoints, so it can take a
 * ciphertext out of the queue and put a changed one back in.
 */
#include "helpers.h"

#include "kselftest_harness.h"

struct side {
	int fd;
	logos_handle_t ep;
	const struct logos_identity *id;
	const uint8_t *expect;
	struct logos_secure *s;
	int ret;
};

static void *accept_thread(void *arg)
{
	struct side *sd = arg;

	sd->ret = logos_secure_accept(sd->fd, sd->ep, sd->id, sd->expect, LONG, &sd->s);
	return NULL;
}

FIXTURE(sec) {
	int fd;
	logos_handle_t a, b;	/* client's and server's endpoints */
	struct logos_identity ci, si;
	struct side client, server;
};

FIXTURE_SETUP(sec)
{
	self->fd = logos_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, logos_channel_create(self->fd, 0, 0, &self->a, &self->b));
	ASSERT_EQ(0, logos_identity_generate(&self->ci));
	ASSERT_EQ(0, logos_identity_generate(&self->si));
	self->client = (struct side){ .fd = self->fd, .ep = self->a, .id = &self->ci };
	self->server = (struct side){ .fd = self->fd, .ep = self->b, .id = &self->si };
}

FIXTURE_TEARDOWN(sec)
{
	logos_secure_free(self->client.s);
	logos_secure_free(self->server.s);
	close(self->fd);
}

/* Runs both sides of the handshake; returns the client's result. */
static int handshake(struct side *client, struct side *server)
{
	pthread_t t;

	pthread_create(&t, NULL, accept_thread, server);
	client->ret = logos_secure_connect(client->fd, client->ep, client->id, client->expect, LONG,
					   &client->s);
	pthread_join(t, NULL);
	return client->ret;
}

/* Takes the next raw message queued for @ep into @buf. */
static int steal(int fd, logos_handle_t ep, uint8_t *buf, size_t cap)
{
	struct logos_msg m;
	int ret;

	logos_msg_prepare(&m, buf, (uint32_t)cap, NULL, 0);
	ret = logos_channel_recv(fd, ep, &m, LONG);
	return ret ? ret : (int)m.data_len;
}

TEST_F(sec, handshake_and_data_both_ways)
{
	char buf[64];

	self->client.expect = self->si.public_key;
	self->server.expect = self->ci.public_key;
	ASSERT_EQ(0, handshake(&self->client, &self->server));
	ASSERT_EQ(0, self->server.ret);
	EXPECT_EQ(0, memcmp(logos_secure_peer_key(self->client.s), self->si.public_key, 32));
	EXPECT_EQ(0, memcmp(logos_secure_peer_key(self->server.s), self->ci.public_key, 32));
	EXPECT_EQ(self->a, logos_secure_endpoint(self->client.s));
	ASSERT_EQ(0, logos_secure_send(self->client.s, "to the server", 13, LONG));
	ASSERT_EQ(0, logos_secure_send(self->client.s, "", 0, LONG));
	ASSERT_EQ(13, logos_secure_recv(self->server.s, buf, sizeof(buf), LONG));
	EXPECT_EQ(0, memcmp(buf, "to the server", 13));
	EXPECT_EQ(0, logos_secure_recv(self->server.s, buf, sizeof(buf), LONG));
	ASSERT_EQ(0, logos_secure_send(self->server.s, "to the client", 13, LONG));
	ASSERT_EQ(13, logos_secure_recv(self->client.s, buf, sizeof(buf), LONG));
	EXPECT_EQ(0, memcmp(buf, "to the client", 13));
	EXPECT_EQ(-EAGAIN, logos_secure_recv(self->client.s, buf, sizeof(buf), 0));
}

TEST_F(sec, unpinned_peer_is_accepted_and_reported)
{
	ASSERT_EQ(0, handshake(&self->client, &self->server));
	EXPECT_EQ(0, memcmp(logos_secure_peer_key(self->client.s), self->si.public_key, 32));
	EXPECT_EQ(0, memcmp(logos_secure_peer_key(self->server.s), self->ci.public_key, 32));
}

TEST_F(sec, wrong_server_identity_is_rejected)
{
	struct logos_identity other;

	ASSERT_EQ(0, logos_identity_generate(&other));
	self->client.expect = other.public_key;
	EXPECT_EQ(-EKEYREJECTED, handshake(&self->client, &self->server));
	EXPECT_EQ(-ECONNREFUSED, self->server.ret);
	EXPECT_EQ(NULL, self->client.s);
	EXPECT_EQ(NULL, self->server.s);
}

TEST_F(sec, wrong_client_identity_is_rejected)
{
	struct logos_identity other;

	ASSERT_EQ(0, logos_identity_generate(&other));
	self->server.expect = other.public_key;
	EXPECT_EQ(-ECONNREFUSED, handshake(&self->client, &self->server));
	EXPECT_EQ(-EKEYREJECTED, self->server.ret);
}

/* Relays a2 <-> b2, flipping one byte of the @tamper-th message b2 -> a2. */
struct relay {
	int fd;
	logos_handle_t a2, b2;
	int tamper;
	int stop;
};

static void *relay_thread(void *arg)
{
	struct relay *r = arg;
	struct logos_wait_item it[2];
	uint8_t buf[1024];
	int n, from_b = 0;

	while (!r->stop) {
		memset(it, 0, sizeof(it));
		it[0].handle = r->a2;
		it[0].signals = LOGOS_SIGNAL_READABLE | LOGOS_SIGNAL_PEER_CLOSED;
		it[1].handle = r->b2;
		it[1].signals = LOGOS_SIGNAL_READABLE | LOGOS_SIGNAL_PEER_CLOSED;
		if (logos_wait(r->fd, it, 2, 0, 100 * MS, NULL))
			continue;
		if (it[0].observed & LOGOS_SIGNAL_READABLE) {
			n = steal(r->fd, r->a2, buf, sizeof(buf));
			if (n >= 0)
				logos_channel_send(r->fd, r->b2, buf, (size_t)n, NULL, 0, 0, LONG);
		}
		if (it[1].observed & LOGOS_SIGNAL_READABLE) {
			n = steal(r->fd, r->b2, buf, sizeof(buf));
			if (n >= 0) {
				if (++from_b == r->tamper)
					buf[n - 70] ^= 0x01;	/* inside the signature */
				logos_channel_send(r->fd, r->a2, buf, (size_t)n, NULL, 0, 0, LONG);
			}
		}
		if ((it[0].observed | it[1].observed) & LOGOS_SIGNAL_PEER_CLOSED)
			break;
	}
	/* One side left: so does the relay, and the other side sees it. */
	logos_handle_close(r->fd, r->a2);
	logos_handle_close(r->fd, r->b2);
	return NULL;
}

TEST_F(sec, tampered_handshake_fails_with_ebadmsg)
{
	struct relay r = { .fd = self->fd, .tamper = 1 };
	logos_handle_t c, s;
	pthread_t t;

	/* client a <-> a2 relay b2 <-> b server */
	ASSERT_EQ(0, logos_channel_create(self->fd, 0, 0, &c, &r.b2));
	ASSERT_EQ(0, logos_channel_create(self->fd, 0, 0, &r.a2, &s));
	self->client.ep = c;
	self->server.ep = s;
	self->server.expect = NULL;
	pthread_create(&t, NULL, relay_thread, &r);
	/* The server's reply is altered: the client sees a bad signature. */
	{
		pthread_t at;

		pthread_create(&at, NULL, accept_thread, &self->server);
		EXPECT_EQ(-EBADMSG, logos_secure_connect(self->fd, c, &self->ci, NULL, 2 * SEC,
							 &self->client.s));
		/* The server then waits for a FINISH that never comes. */
		logos_handle_close(self->fd, c);
		pthread_join(at, NULL);
		EXPECT_EQ(-EPIPE, self->server.ret);
	}
	r.stop = 1;
	pthread_join(t, NULL);
}

FIXTURE(stream) {
	int fd;
	logos_handle_t a, b;
	struct logos_identity ci, si;
	struct side client, server;
	uint8_t ct[LOGOS_MSG_MAX_BYTES];
	uint8_t pt[LOGOS_MSG_MAX_BYTES];
};

FIXTURE_SETUP(stream)
{
	self->fd = logos_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, logos_channel_create(self->fd, 4, 0, &self->a, &self->b));
	ASSERT_EQ(0, logos_identity_generate(&self->ci));
	ASSERT_EQ(0, logos_identity_generate(&self->si));
	self->client = (struct side){ .fd = self->fd, .ep = self->a, .id = &self->ci };
	self->server = (struct side){ .fd = self->fd, .ep = self->b, .id = &self->si };
	ASSERT_EQ(0, handshake(&self->client, &self->server));
	ASSERT_EQ(0, self->server.ret);
}

FIXTURE_TEARDOWN(stream)
{
	logos_secure_free(self->client.s);
	logos_secure_free(self->server.s);
	close(self->fd);
}

/* Puts raw bytes into the server's queue (sent from the client's end). */
static int inject(struct _test_data_stream *self, const uint8_t *p, size_t n)
{
	return logos_channel_send(self->fd, self->a, p, n, NULL, 0, 0, LONG);
}

TEST_F(stream, tampered_ciphertext_is_rejected_and_the_stream_dies)
{
	int n;

	ASSERT_EQ(0, logos_secure_send(self->client.s, "pay 10 to bob", 13, LONG));
	n = steal(self->fd, self->b, self->ct, sizeof(self->ct));
	ASSERT_EQ(13 + 17, n);
	self->ct[5] ^= 0x20;
	ASSERT_EQ(0, inject(self, self->ct, (size_t)n));
	EXPECT_EQ(-EBADMSG, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
	/* Dead: even a genuine message is refused from now on. */
	ASSERT_EQ(0, logos_secure_send(self->client.s, "hello", 5, LONG));
	EXPECT_EQ(-EBADMSG, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
}

TEST_F(stream, tampered_tag_is_rejected)
{
	int n;

	ASSERT_EQ(0, logos_secure_send(self->client.s, "abc", 3, LONG));
	n = steal(self->fd, self->b, self->ct, sizeof(self->ct));
	ASSERT_LT(0, n);
	self->ct[n - 1] ^= 0x80;	/* the MAC */
	ASSERT_EQ(0, inject(self, self->ct, (size_t)n));
	EXPECT_EQ(-EBADMSG, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
}

TEST_F(stream, replayed_ciphertext_is_rejected)
{
	int n;

	ASSERT_EQ(0, logos_secure_send(self->client.s, "pay 10 to bob", 13, LONG));
	n = steal(self->fd, self->b, self->ct, sizeof(self->ct));
	ASSERT_LT(0, n);
	ASSERT_EQ(0, inject(self, self->ct, (size_t)n));
	ASSERT_EQ(0, inject(self, self->ct, (size_t)n));
	EXPECT_EQ(13, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
	EXPECT_EQ(-EBADMSG, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
}

TEST_F(stream, reordered_ciphertext_is_rejected)
{
	uint8_t first[64];
	int n1, n2;

	ASSERT_EQ(0, logos_secure_send(self->client.s, "first", 5, LONG));
	ASSERT_EQ(0, logos_secure_send(self->client.s, "second", 6, LONG));
	n1 = steal(self->fd, self->b, first, sizeof(first));
	n2 = steal(self->fd, self->b, self->ct, sizeof(self->ct));
	ASSERT_LT(0, n1);
	ASSERT_LT(0, n2);
	ASSERT_EQ(0, inject(self, self->ct, (size_t)n2));
	ASSERT_EQ(0, inject(self, first, (size_t)n1));
	EXPECT_EQ(-EBADMSG, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
}

TEST_F(stream, dropped_ciphertext_is_detected)
{
	ASSERT_EQ(0, logos_secure_send(self->client.s, "first", 5, LONG));
	ASSERT_EQ(0, logos_secure_send(self->client.s, "second", 6, LONG));
	ASSERT_LT(0, steal(self->fd, self->b, self->ct, sizeof(self->ct)));
	EXPECT_EQ(-EBADMSG, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
}

TEST_F(stream, truncated_or_bare_messages_are_rejected)
{
	int n;

	ASSERT_EQ(0, logos_secure_send(self->client.s, "abcdef", 6, LONG));
	n = steal(self->fd, self->b, self->ct, sizeof(self->ct));
	ASSERT_EQ(0, inject(self, self->ct, (size_t)n - 3));
	EXPECT_EQ(-EBADMSG, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
}

TEST_F(stream, too_short_to_hold_a_mac_is_rejected)
{
	ASSERT_EQ(0, inject(self, (const uint8_t *)"short", 5));
	EXPECT_EQ(-EBADMSG, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
}

TEST_F(stream, message_with_a_handle_is_rejected_and_its_handle_closed)
{
	struct logos_msg_handle h = { .rights = LOGOS_RIGHTS_SAME };
	logos_handle_t ev;
	int n;

	ASSERT_EQ(0, logos_event_create(self->fd, &ev));
	h.handle = ev;
	ASSERT_EQ(0, logos_secure_send(self->client.s, "abc", 3, LONG));
	n = steal(self->fd, self->b, self->ct, sizeof(self->ct));
	/* A genuine ciphertext, but with a handle riding along. */
	ASSERT_EQ(0, logos_channel_send(self->fd, self->a, self->ct, (size_t)n, &h, 1, 0, LONG));
	EXPECT_EQ(-EBADMSG, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
}

TEST_F(stream, ciphertext_of_another_session_is_rejected)
{
	struct side c2 = self->client, s2 = self->server;
	logos_handle_t a2, b2;
	uint8_t other[64];
	int n1, n2;

	/* A second session between the same identities: fresh keys. */
	ASSERT_EQ(0, logos_channel_create(self->fd, 0, 0, &a2, &b2));
	c2.ep = a2;
	s2.ep = b2;
	c2.s = s2.s = NULL;
	ASSERT_EQ(0, handshake(&c2, &s2));
	ASSERT_EQ(0, logos_secure_send(self->client.s, "same words", 10, LONG));
	ASSERT_EQ(0, logos_secure_send(c2.s, "same words", 10, LONG));
	n1 = steal(self->fd, self->b, self->ct, sizeof(self->ct));
	n2 = steal(self->fd, b2, other, sizeof(other));
	ASSERT_EQ(n1, n2);
	EXPECT_NE(0, memcmp(self->ct, other, (size_t)n1));
	/* Session 2's ciphertext in session 1's stream. */
	ASSERT_EQ(0, inject(self, other, (size_t)n2));
	EXPECT_EQ(-EBADMSG, logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
	logos_secure_free(c2.s);
	logos_secure_free(s2.s);
}

TEST_F(stream, orderly_close_is_epipe_and_abrupt_close_is_econnreset)
{
	char buf[8];

	ASSERT_EQ(0, logos_secure_send(self->client.s, "bye", 3, LONG));
	ASSERT_EQ(0, logos_secure_close(self->client.s, LONG));
	EXPECT_EQ(0, logos_secure_close(self->client.s, LONG));
	EXPECT_EQ(-EPIPE, logos_secure_send(self->client.s, "more", 4, LONG));
	EXPECT_EQ(3, logos_secure_recv(self->server.s, buf, sizeof(buf), LONG));
	EXPECT_EQ(-EPIPE, logos_secure_recv(self->server.s, buf, sizeof(buf), LONG));
	EXPECT_EQ(-EPIPE, logos_secure_recv(self->server.s, buf, sizeof(buf), LONG));
	/* The other direction: the channel closes without an end of stream. */
	ASSERT_EQ(0, logos_secure_send(self->server.s, "cut", 3, LONG));
	ASSERT_EQ(0, logos_handle_close(self->fd, self->b));
	EXPECT_EQ(3, logos_secure_recv(self->client.s, buf, sizeof(buf), LONG));
	EXPECT_EQ(-ECONNRESET, logos_secure_recv(self->client.s, buf, sizeof(buf), LONG));
}

TEST_F(stream, largest_message_and_small_buffers)
{
	size_t i;

	for (i = 0; i < LOGOS_SECURE_MAX_MESSAGE; i++)
		self->ct[i] = (uint8_t)(i * 7);
	EXPECT_EQ(-EMSGSIZE, logos_secure_send(self->client.s, self->ct,
					       LOGOS_SECURE_MAX_MESSAGE + 1, LONG));
	ASSERT_EQ(0, logos_secure_send(self->client.s, self->ct, LOGOS_SECURE_MAX_MESSAGE, LONG));
	/* Too small: kept for the next call. */
	EXPECT_EQ(-EMSGSIZE, logos_secure_recv(self->server.s, self->pt, 100, LONG));
	EXPECT_EQ(LOGOS_SECURE_MAX_MESSAGE,
		  logos_secure_recv(self->server.s, self->pt, sizeof(self->pt), LONG));
	EXPECT_EQ(0, memcmp(self->ct, self->pt, LOGOS_SECURE_MAX_MESSAGE));
}

TEST_F(stream, failed_send_leaves_the_stream_usable)
{
	char buf[8];
	int i;

	/* The queue holds 4 messages: the fifth cannot go. */
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, logos_secure_send(self->client.s, "n", 1, 0));
	EXPECT_EQ(-EAGAIN, logos_secure_send(self->client.s, "x", 1, 0));
	EXPECT_EQ(-ETIMEDOUT, logos_secure_send(self->client.s, "x", 1, 10 * MS));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(1, logos_secure_recv(self->server.s, buf, sizeof(buf), LONG));
	ASSERT_EQ(0, logos_secure_send(self->client.s, "ok", 2, 0));
	EXPECT_EQ(2, logos_secure_recv(self->server.s, buf, sizeof(buf), LONG));
	EXPECT_EQ(0, memcmp(buf, "ok", 2));
}

/* Two module processes, each with its own module file. */
TEST(secure_channel_between_two_module_processes)
{
	struct logos_identity ci, si;
	struct tmod a, b;
	logos_handle_t ca, cb;
	int sfd = logos_open(), status;
	pid_t pid;

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, logos_identity_generate(&ci));
	ASSERT_EQ(0, logos_identity_generate(&si));
	ASSERT_EQ(0, tmod_create(sfd, "sec-a", &a));
	ASSERT_EQ(0, tmod_create(sfd, "sec-b", &b));
	ASSERT_EQ(0, logos_channel_create(sfd, 0, 0, &ca, &cb));
	ASSERT_EQ(0, logos_handle_give(sfd, a.module, ca, EP_RIGHTS, LOGOS_GIVE_MOVE, &ca));
	ASSERT_EQ(0, logos_handle_give(sfd, b.module, cb, EP_RIGHTS, LOGOS_GIVE_MOVE, &cb));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct logos_secure *s;
		char buf[64];
		ssize_t n;

		close(a.fd);
		if (logos_secure_accept(b.fd, cb, &si, ci.public_key, LONG, &s))
			_exit(1);
		n = logos_secure_recv(s, buf, sizeof(buf), LONG);
		if (n != 6 || memcmp(buf, "secret", 6))
			_exit(2);
		if (logos_secure_send(s, "terces", 6, LONG))
			_exit(3);
		logos_secure_free(s);
		_exit(0);
	}
	close(b.fd);
	{
		struct logos_secure *s;
		char buf[64];

		ASSERT_EQ(0, logos_secure_connect(a.fd, ca, &ci, si.public_key, LONG, &s));
		ASSERT_EQ(0, logos_secure_send(s, "secret", 6, LONG));
		EXPECT_EQ(6, logos_secure_recv(s, buf, sizeof(buf), LONG));
		EXPECT_EQ(0, memcmp(buf, "terces", 6));
		logos_secure_free(s);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(a.fd);
	tmod_release(sfd, &a);
	tmod_release(sfd, &b);
	close(sfd);
}

TEST_HARNESS_MAIN
