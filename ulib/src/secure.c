// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Secure channels: a signed X25519 handshake (crypto_kx, Ed25519) and one
 * crypto_secretstream_xchacha20poly1305 stream per direction. The
 * handshake messages are wire messages; the data messages are bare
 * ciphertext, one per logos message.
 */
#include "internal.h"

#include <logos/ipc.h>
#include <logos/secure.h>
#include <logos/wire.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>

#define SS crypto_secretstream_xchacha20poly1305
#define HEADER_BYTES crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define KX_PK crypto_kx_PUBLICKEYBYTES
#define SECURE_VERSION 1

/* Handshake field tags. */
#define T_EPH		1	/* bytes: ephemeral X25519 public key */
#define T_ID		2	/* bytes: Ed25519 identity public key */
#define T_VERSION	3	/* u32: handshake version, 1 (HELLO only) */
#define T_SIG		4	/* bytes: Ed25519 signature */
#define T_HEADER	5	/* bytes: the sender's secretstream header */

_Static_assert(LOGOS_SECURE_MAX_MESSAGE + ABYTES == LOGOS_MSG_MAX_BYTES, "secure message size");

struct logos_secure {
	int fd;
	logos_handle_t ep;
	uint8_t peer[LOGOS_KEY_BYTES];
	pthread_mutex_t tx_lock;
	pthread_mutex_t rx_lock;
	crypto_secretstream_xchacha20poly1305_state tx;
	crypto_secretstream_xchacha20poly1305_state rx;
	bool tx_closed;
	bool rx_dead;		/* authentication failed once: for ever */
	bool rx_ended;		/* the peer's end of stream arrived */
	size_t pending;		/* a decrypted message waiting for a bigger buffer */
	uint8_t ct[LOGOS_MSG_MAX_BYTES];	/* under rx_lock */
	uint8_t pt[LOGOS_MSG_MAX_BYTES];	/* under rx_lock */
	uint8_t txct[LOGOS_MSG_MAX_BYTES];	/* under tx_lock */
};

/* Everything a handshake knows; wiped when it ends. */
struct hs {
	int fd;
	logos_handle_t ep;
	int64_t start, timeout;
	const struct logos_identity *self;
	uint8_t eph_pk[KX_PK], eph_sk[crypto_kx_SECRETKEYBYTES];
	uint8_t peer_eph[KX_PK], peer_id[LOGOS_KEY_BYTES];
	uint8_t rx_key[crypto_kx_SESSIONKEYBYTES], tx_key[crypto_kx_SESSIONKEYBYTES];
	uint8_t my_header[HEADER_BYTES], peer_header[HEADER_BYTES];
	uint8_t buf[512];
	struct logos_wire msg;
};

/*
 * What a side signs: a label for its role, the client's and server's
 * ephemeral keys, both identities, and the signer's stream header.
 */
static void transcript(uint8_t *out, size_t *len, bool server, const uint8_t *c_eph,
		       const uint8_t *s_eph, const uint8_t *c_id, const uint8_t *s_id,
		       const uint8_t *header)
{
	static const char label_c[] = "logos-secure-1 client";
	static const char label_s[] = "logos-secure-1 server";
	const char *label = server ? label_s : label_c;
	size_t n = sizeof(label_c);

	memcpy(out, label, n);
	memcpy(out + n, c_eph, KX_PK);
	n += KX_PK;
	memcpy(out + n, s_eph, KX_PK);
	n += KX_PK;
	memcpy(out + n, c_id, LOGOS_KEY_BYTES);
	n += LOGOS_KEY_BYTES;
	memcpy(out + n, s_id, LOGOS_KEY_BYTES);
	n += LOGOS_KEY_BYTES;
	memcpy(out + n, header, HEADER_BYTES);
	*len = n + HEADER_BYTES;
}

#define TRANSCRIPT_MAX (32 + 2 * KX_PK + 2 * LOGOS_KEY_BYTES + HEADER_BYTES)

static int hs_send(struct hs *h, struct logos_wire_writer *w)
{
	struct logos_msg m;
	size_t len;
	int ret = logos_wire_finish(w, &len);

	if (ret)
		return ret;
	logos_msg_prepare(&m, w->buf, (uint32_t)len, NULL, 0);
	return logos_channel_send_batch(h->fd, h->ep, &m, 1,
					logos__remaining(h->timeout, h->start), NULL);
}

/* Sends a refusal the peer can report (it is waiting for our message). */
static void hs_refuse(struct hs *h, uint16_t kind, int err)
{
	struct logos_wire_writer w;
	uint8_t buf[64];

	logos_wire_writer_init(&w, buf, sizeof(buf), kind, LOGOS_WIRE_F_REPLY | LOGOS_WIRE_F_ERROR, 0);
	logos_wire_put_i32(&w, LOGOS_WIRE_TAG_ERRNO, -err);
	h->timeout = 0;
	hs_send(h, &w);
}

/* Receives the next handshake message, which must be of @kind. */
static int hs_recv(struct hs *h, uint16_t kind)
{
	struct logos_msg_handle handles[LOGOS_MSG_MAX_HANDLES];
	struct logos_msg m;
	uint32_t i;
	int ret;

	logos_msg_prepare(&m, h->buf, sizeof(h->buf), handles, LOGOS_MSG_MAX_HANDLES);
	ret = logos_channel_recv(h->fd, h->ep, &m, logos__remaining(h->timeout, h->start));
	if (ret == -EMSGSIZE)
		return -EBADMSG;	/* far bigger than any handshake message */
	if (ret == -EAGAIN)
		return -ETIMEDOUT;
	if (ret)
		return ret;
	for (i = 0; i < m.nr_handles; i++)
		logos_handle_close(h->fd, handles[i].handle);
	if (m.nr_handles || logos_wire_decode(h->buf, m.data_len, 0, &h->msg) ||
	    h->msg.kind != kind)
		return -EBADMSG;
	if (h->msg.flags & LOGOS_WIRE_F_ERROR)
		return -ECONNREFUSED;
	return 0;
}

/* A bytes field of exactly @len bytes. */
static int hs_get(struct hs *h, uint8_t tag, uint8_t *out, size_t len)
{
	const void *p;
	size_t n;

	if (logos_wire_get_bytes(&h->msg, tag, &p, &n) || n != len)
		return -EBADMSG;
	memcpy(out, p, len);
	return 0;
}

static int hs_check_peer(struct hs *h, const uint8_t *expected)
{
	if (expected && sodium_memcmp(expected, h->peer_id, LOGOS_KEY_BYTES))
		return -EKEYREJECTED;
	return 0;
}

static struct logos_secure *secure_alloc(int fd, logos_handle_t ep)
{
	struct logos_secure *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->fd = fd;
	s->ep = ep;
	pthread_mutex_init(&s->tx_lock, NULL);
	pthread_mutex_init(&s->rx_lock, NULL);
	return s;
}

static int hs_start(struct hs *h, int fd, logos_handle_t ep, const struct logos_identity *self,
		    int64_t timeout_ns)
{
	int ret = logos__sodium_init();

	memset(h, 0, sizeof(*h));
	h->fd = fd;
	h->ep = ep;
	h->self = self;
	h->timeout = timeout_ns;
	h->start = logos__now_ns();
	if (!ret && crypto_kx_keypair(h->eph_pk, h->eph_sk))
		ret = -EIO;
	return ret;
}

int logos_secure_connect(int fd, logos_handle_t ep, const struct logos_identity *self,
			 const uint8_t *expected_peer, int64_t timeout_ns, struct logos_secure **out)
{
	uint8_t sig[LOGOS_SIGNATURE_BYTES], t[TRANSCRIPT_MAX];
	struct logos_secure *s = secure_alloc(fd, ep);
	struct logos_wire_writer w;
	struct hs h;
	size_t tlen;
	int ret = hs_start(&h, fd, ep, self, timeout_ns);

	if (!s)
		ret = -ENOMEM;
	if (ret)
		goto out;
	/* HELLO */
	logos_wire_writer_init(&w, h.buf, sizeof(h.buf), LOGOS_KIND_SECURE_HELLO, 0, 0);
	logos_wire_put_bytes(&w, T_EPH, h.eph_pk, KX_PK);
	logos_wire_put_bytes(&w, T_ID, self->public_key, LOGOS_KEY_BYTES);
	logos_wire_put_u32(&w, T_VERSION, SECURE_VERSION);
	ret = hs_send(&h, &w);
	if (ret)
		goto out;
	/* REPLY */
	ret = hs_recv(&h, LOGOS_KIND_SECURE_REPLY);
	if (ret)
		goto out;
	ret = -EBADMSG;
	if (hs_get(&h, T_EPH, h.peer_eph, KX_PK) || hs_get(&h, T_ID, h.peer_id, LOGOS_KEY_BYTES) ||
	    hs_get(&h, T_SIG, sig, sizeof(sig)) ||
	    hs_get(&h, T_HEADER, h.peer_header, HEADER_BYTES))
		goto out;
	ret = hs_check_peer(&h, expected_peer);
	if (ret) {
		hs_refuse(&h, LOGOS_KIND_SECURE_FINISH, ret);
		goto out;
	}
	transcript(t, &tlen, true, h.eph_pk, h.peer_eph, self->public_key, h.peer_id,
		   h.peer_header);
	ret = -EBADMSG;
	if (crypto_sign_verify_detached(sig, t, tlen, h.peer_id) ||
	    crypto_kx_client_session_keys(h.rx_key, h.tx_key, h.eph_pk, h.eph_sk, h.peer_eph) ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&s->rx, h.peer_header, h.rx_key) ||
	    crypto_secretstream_xchacha20poly1305_init_push(&s->tx, h.my_header, h.tx_key))
		goto out;
	/* FINISH */
	transcript(t, &tlen, false, h.eph_pk, h.peer_eph, self->public_key, h.peer_id,
		   h.my_header);
	crypto_sign_detached(sig, NULL, t, tlen, self->secret_key);
	logos_wire_writer_init(&w, h.buf, sizeof(h.buf), LOGOS_KIND_SECURE_FINISH, 0, 0);
	logos_wire_put_bytes(&w, T_SIG, sig, sizeof(sig));
	logos_wire_put_bytes(&w, T_HEADER, h.my_header, HEADER_BYTES);
	ret = hs_send(&h, &w);
out:
	if (!ret) {
		memcpy(s->peer, h.peer_id, LOGOS_KEY_BYTES);
		*out = s;
	} else {
		logos_secure_free(s);
	}
	sodium_memzero(&h, sizeof(h));
	return ret;
}

int logos_secure_accept(int fd, logos_handle_t ep, const struct logos_identity *self,
			const uint8_t *expected_peer, int64_t timeout_ns, struct logos_secure **out)
{
	uint8_t sig[LOGOS_SIGNATURE_BYTES], t[TRANSCRIPT_MAX];
	struct logos_secure *s = secure_alloc(fd, ep);
	struct logos_wire_writer w;
	uint32_t version = 0;
	struct hs h;
	size_t tlen;
	int ret = hs_start(&h, fd, ep, self, timeout_ns);

	if (!s)
		ret = -ENOMEM;
	if (ret)
		goto out;
	/* HELLO */
	ret = hs_recv(&h, LOGOS_KIND_SECURE_HELLO);
	if (ret)
		goto out;
	ret = -EBADMSG;
	if (hs_get(&h, T_EPH, h.peer_eph, KX_PK) || hs_get(&h, T_ID, h.peer_id, LOGOS_KEY_BYTES) ||
	    logos_wire_get_u32(&h.msg, T_VERSION, &version))
		goto out;
	if (version != SECURE_VERSION) {
		ret = -EOPNOTSUPP;
		hs_refuse(&h, LOGOS_KIND_SECURE_REPLY, ret);
		goto out;
	}
	ret = hs_check_peer(&h, expected_peer);
	if (ret) {
		hs_refuse(&h, LOGOS_KIND_SECURE_REPLY, ret);
		goto out;
	}
	/* REPLY: the push stream exists first, so its header can be signed. */
	ret = -EBADMSG;
	if (crypto_kx_server_session_keys(h.rx_key, h.tx_key, h.eph_pk, h.eph_sk, h.peer_eph) ||
	    crypto_secretstream_xchacha20poly1305_init_push(&s->tx, h.my_header, h.tx_key))
		goto out;
	transcript(t, &tlen, true, h.peer_eph, h.eph_pk, h.peer_id, self->public_key,
		   h.my_header);
	crypto_sign_detached(sig, NULL, t, tlen, self->secret_key);
	logos_wire_writer_init(&w, h.buf, sizeof(h.buf), LOGOS_KIND_SECURE_REPLY, 0, 0);
	logos_wire_put_bytes(&w, T_EPH, h.eph_pk, KX_PK);
	logos_wire_put_bytes(&w, T_ID, self->public_key, LOGOS_KEY_BYTES);
	logos_wire_put_bytes(&w, T_SIG, sig, sizeof(sig));
	logos_wire_put_bytes(&w, T_HEADER, h.my_header, HEADER_BYTES);
	ret = hs_send(&h, &w);
	if (ret)
		goto out;
	/* FINISH */
	ret = hs_recv(&h, LOGOS_KIND_SECURE_FINISH);
	if (ret)
		goto out;
	ret = -EBADMSG;
	if (hs_get(&h, T_SIG, sig, sizeof(sig)) ||
	    hs_get(&h, T_HEADER, h.peer_header, HEADER_BYTES))
		goto out;
	transcript(t, &tlen, false, h.peer_eph, h.eph_pk, h.peer_id, self->public_key,
		   h.peer_header);
	if (crypto_sign_verify_detached(sig, t, tlen, h.peer_id) ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&s->rx, h.peer_header, h.rx_key))
		goto out;
	ret = 0;
out:
	if (!ret) {
		memcpy(s->peer, h.peer_id, LOGOS_KEY_BYTES);
		*out = s;
	} else {
		logos_secure_free(s);
	}
	sodium_memzero(&h, sizeof(h));
	return ret;
}

/* ---- data ----------------------------------------------------------- */

const uint8_t *logos_secure_peer_key(const struct logos_secure *s)
{
	return s->peer;
}

logos_handle_t logos_secure_endpoint(const struct logos_secure *s)
{
	return s->ep;
}

/* Encrypts and sends under tx_lock; on a failed send the state is rolled back. */
static int push(struct logos_secure *s, const void *data, size_t len, uint8_t tag,
		int64_t timeout_ns)
{
	crypto_secretstream_xchacha20poly1305_state saved = s->tx;
	unsigned long long clen;
	int ret;

	if (crypto_secretstream_xchacha20poly1305_push(&s->tx, s->txct, &clen, data, len,
						       NULL, 0, tag))
		return -EIO;
	ret = logos_channel_send(s->fd, s->ep, s->txct, (size_t)clen, NULL, 0, 0, timeout_ns);
	if (ret) {
		/* Nothing left: the same nonce may be used again, safely. */
		s->tx = saved;
	}
	sodium_memzero(&saved, sizeof(saved));
	return ret;
}

int logos_secure_send(struct logos_secure *s, const void *data, size_t len, int64_t timeout_ns)
{
	int ret;

	if (len > LOGOS_SECURE_MAX_MESSAGE)
		return -EMSGSIZE;
	if (!data && len)
		return -EINVAL;
	pthread_mutex_lock(&s->tx_lock);
	ret = s->tx_closed ? -EPIPE :
	      push(s, data, len, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, timeout_ns);
	pthread_mutex_unlock(&s->tx_lock);
	return ret;
}

int logos_secure_close(struct logos_secure *s, int64_t timeout_ns)
{
	int ret = 0;

	pthread_mutex_lock(&s->tx_lock);
	if (!s->tx_closed) {
		ret = push(s, NULL, 0, crypto_secretstream_xchacha20poly1305_TAG_FINAL, timeout_ns);
		if (!ret)
			s->tx_closed = true;
	}
	pthread_mutex_unlock(&s->tx_lock);
	return ret;
}

/* Receives and authenticates one message into s->pt; under rx_lock. */
static ssize_t pull(struct logos_secure *s, int64_t timeout_ns)
{
	struct logos_msg_handle handles[LOGOS_MSG_MAX_HANDLES];
	unsigned long long plen;
	struct logos_msg m;
	unsigned char tag;
	uint32_t i;
	int ret;

	logos_msg_prepare(&m, s->ct, sizeof(s->ct), handles, LOGOS_MSG_MAX_HANDLES);
	ret = logos_channel_recv(s->fd, s->ep, &m, timeout_ns);
	if (ret == -EPIPE)
		return -ECONNRESET;	/* closed without an end of stream */
	if (ret)
		return ret;
	for (i = 0; i < m.nr_handles; i++)
		logos_handle_close(s->fd, handles[i].handle);
	if (m.nr_handles || m.data_len < ABYTES ||
	    crypto_secretstream_xchacha20poly1305_pull(&s->rx, s->pt, &plen, &tag, s->ct,
						       m.data_len, NULL, 0)) {
		s->rx_dead = true;
		return -EBADMSG;
	}
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		s->rx_ended = true;
		return -EPIPE;
	}
	if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
		s->rx_dead = true;	/* we never send other tags */
		return -EBADMSG;
	}
	return (ssize_t)plen;
}

ssize_t logos_secure_recv(struct logos_secure *s, void *buf, size_t cap, int64_t timeout_ns)
{
	ssize_t ret;

	pthread_mutex_lock(&s->rx_lock);
	if (s->rx_dead) {
		ret = -EBADMSG;
	} else if (s->pending) {
		ret = (ssize_t)s->pending;
	} else if (s->rx_ended) {
		ret = -EPIPE;
	} else {
		ret = pull(s, timeout_ns);
		if (ret >= 0)
			s->pending = (size_t)ret;
	}
	if (ret >= 0) {
		if ((size_t)ret > cap) {
			ret = -EMSGSIZE;
		} else {
			memcpy(buf, s->pt, (size_t)ret);
			sodium_memzero(s->pt, (size_t)ret);
			s->pending = 0;
		}
	}
	pthread_mutex_unlock(&s->rx_lock);
	return ret;
}

void logos_secure_free(struct logos_secure *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->tx_lock);
	pthread_mutex_destroy(&s->rx_lock);
	sodium_memzero(s, sizeof(*s));
	free(s);
}
