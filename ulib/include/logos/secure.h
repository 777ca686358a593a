/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Secure channels and module identities (libsodium).
 *
 * Identity: an Ed25519 key pair per module. Its public key is what other
 * modules pin; it signs the ephemeral keys of every handshake.
 *
 * Secure channel, over any logos channel between two modules:
 *	handshake (3 messages, Documentation/wire-format.md §"Secure channel")
 *	  client -> server  HELLO:  ephemeral X25519 key, identity key
 *	  server -> client  REPLY:  ephemeral key, identity key, stream header,
 *				    Ed25519 signature over both ephemeral keys,
 *				    both identities and its header
 *	  client -> server  FINISH: stream header, signature over the same
 *	then crypto_kx session keys (one per direction) from the ephemeral
 *	keys, which are wiped at once: every channel has fresh keys (forward
 *	secrecy), and the identity keys only authenticate.
 *	data: one logos message per crypto_secretstream_xchacha20poly1305
 *	  message, each direction its own stream. A tampered, replayed,
 *	  reordered, truncated or foreign ciphertext fails authentication:
 *	  -EBADMSG, and the receiving side of the stream is dead from then on
 *	  (every later receive is -EBADMSG too).
 *	end: logos_secure_close() sends an authenticated end-of-stream; the
 *	  peer's receive then returns -EPIPE. A channel that closes without it
 *	  gives -ECONNRESET: what arrived is authentic, but maybe incomplete.
 *
 * Only bytes are protected: a secure channel carries no handles (a message
 * with handles is refused as -EBADMSG and its handles closed).
 *
 * Thread safety: a secure channel may be used by several threads: sends
 * are serialised with each other, and so are receives. An identity is
 * plain memory; the functions keep no state.
 */
#ifndef LOGOS_SECURE_H
#define LOGOS_SECURE_H

#include <logos/core.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LOGOS_KEY_BYTES		32	/* an Ed25519 public key, a seed */
#define LOGOS_SECRET_KEY_BYTES	64	/* an Ed25519 secret key */
#define LOGOS_SIGNATURE_BYTES	64
/* Largest plaintext of one secure message (the MAC and tag take 17 bytes). */
#define LOGOS_SECURE_MAX_MESSAGE (LOGOS_MSG_MAX_BYTES - 17)

/* Handshake message kinds (in the liblogos range). */
#define LOGOS_KIND_SECURE_HELLO	 0x0101U
#define LOGOS_KIND_SECURE_REPLY	 0x0102U
#define LOGOS_KIND_SECURE_FINISH 0x0103U

struct logos_identity {
	uint8_t public_key[LOGOS_KEY_BYTES];
	uint8_t secret_key[LOGOS_SECRET_KEY_BYTES];
};

/* A fresh random identity. */
LOGOS_API int logos_identity_generate(struct logos_identity *id);
/* The identity of a 32-byte seed (deterministic). */
LOGOS_API int logos_identity_from_seed(struct logos_identity *id, const uint8_t *seed);
/*
 * Reads a seed file (32 bytes) written by logos_identity_save(): -EACCES
 * if the file is readable by group or others, -EINVAL if its size is wrong.
 */
LOGOS_API int logos_identity_load(struct logos_identity *id, const char *path);
/* Writes the seed to a new file of mode 0600 (-EEXIST if it exists). */
LOGOS_API int logos_identity_save(const struct logos_identity *id, const char *path);
/* Zeroes the secret key (and the rest). */
LOGOS_API void logos_identity_wipe(struct logos_identity *id);
/* Lower-case hex of a public key, 64 characters and a NUL. */
LOGOS_API void logos_key_to_hex(const uint8_t *key, char *hex);
/* Detached Ed25519 signatures with a module identity. */
LOGOS_API int logos_identity_sign(const struct logos_identity *id, const void *msg, size_t len,
				  uint8_t *signature);
/* 0, or -EBADMSG when @signature is not @public_key's over @msg. */
LOGOS_API int logos_identity_verify(const uint8_t *public_key, const void *msg, size_t len,
				    const uint8_t *signature);

struct logos_secure;

/*
 * The handshake, as client (connect) or server (accept), on endpoint @ep
 * of logos file @fd, within @timeout_ns for the whole handshake.
 * @expected_peer: the peer's identity public key to insist on, or NULL to
 * accept any (then check logos_secure_peer_key()). Errors: -EKEYREJECTED
 * (the peer is not @expected_peer), -ECONNREFUSED (the peer refused us),
 * -EBADMSG (a bad signature or a malformed handshake message),
 * -ETIMEDOUT, -EPIPE, or a channel error. @ep stays the caller's.
 */
LOGOS_API int logos_secure_connect(int fd, logos_handle_t ep, const struct logos_identity *self,
				   const uint8_t *expected_peer, int64_t timeout_ns,
				   struct logos_secure **out);
LOGOS_API int logos_secure_accept(int fd, logos_handle_t ep, const struct logos_identity *self,
				  const uint8_t *expected_peer, int64_t timeout_ns,
				  struct logos_secure **out);
/* The peer's identity public key (LOGOS_KEY_BYTES). */
LOGOS_API const uint8_t *logos_secure_peer_key(const struct logos_secure *s);
LOGOS_API logos_handle_t logos_secure_endpoint(const struct logos_secure *s);
/*
 * Encrypts and sends @len bytes (at most LOGOS_SECURE_MAX_MESSAGE). A send
 * that fails (-EAGAIN, -ETIMEDOUT, -EPIPE...) sent nothing and leaves the
 * stream usable. -EPIPE after logos_secure_close().
 */
LOGOS_API int logos_secure_send(struct logos_secure *s, const void *data, size_t len,
				int64_t timeout_ns);
/*
 * Receives and decrypts one message into @buf: its length, or -EBADMSG
 * (forged, tampered, replayed, reordered: the stream is dead), -EPIPE
 * (the peer ended the stream), -ECONNRESET (the channel closed without an
 * end of stream), -EAGAIN/-ETIMEDOUT, or -EMSGSIZE when @cap is too small
 * (the message is kept for the next call).
 */
LOGOS_API ssize_t logos_secure_recv(struct logos_secure *s, void *buf, size_t cap,
				    int64_t timeout_ns);
/* Sends the authenticated end of stream; later sends fail with -EPIPE. */
LOGOS_API int logos_secure_close(struct logos_secure *s, int64_t timeout_ns);
/* Wipes the keys and frees (the endpoint is not closed). */
LOGOS_API void logos_secure_free(struct logos_secure *s);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_SECURE_H */
