/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module signatures and keys (libsodium), shared by logosd and logosctl.
 *
 *	NAME.key	[Key] Secret = 128 hex digits (Ed25519 secret key), mode 0600
 *	NAME.pub	[Key] Public = 64 hex digits, MaxTrust = LEVEL, Comment = text
 *	X.module.sig	[Signature] Key = key id, Manifest = BLAKE2b-256 of the
 *			manifest, Binary = BLAKE2b-256 of the executable,
 *			Signature = Ed25519 over sign_message()
 *
 * A key id is the first 8 bytes of BLAKE2b-256(public key), in hex.
 */
#ifndef LOGOSD_SIGN_H
#define LOGOSD_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define HASH_BYTES	32	/* BLAKE2b-256 */
#define PK_BYTES	32
#define SK_BYTES	64
#define SIG_BYTES	64
#define KEY_ID_LEN	16	/* hex digits */

struct pubkey {
	uint8_t pk[PK_BYTES];
	char id[KEY_ID_LEN + 1];
	uint32_t max_trust;	/* enum logos_trust_level */
	char comment[64];
	char path[256];
};

struct keyring {
	struct pubkey *keys;
	size_t n;
};

struct sig_info {
	char key_id[KEY_ID_LEN + 1];
	uint8_t manifest_hash[HASH_BYTES];
	uint8_t binary_hash[HASH_BYTES];
	uint8_t sig[SIG_BYTES];
};

/* sodium_init(); -EIO if libsodium cannot start. */
int crypto_setup(void);

void hash_buf(const void *data, size_t len, uint8_t out[HASH_BYTES]);
/* BLAKE2b-256 of a whole file, or of an fd from offset 0 (pread). */
int hash_file(const char *path, uint8_t out[HASH_BYTES]);
int hash_fd(int fd, uint8_t out[HASH_BYTES]);
void key_id(const uint8_t pk[PK_BYTES], char out[KEY_ID_LEN + 1]);

/* Writes PREFIX.key (0600) and PREFIX.pub; refuses to overwrite. */
int keygen(const char *prefix, uint32_t max_trust, const char *comment);
int seckey_load(const char *path, uint8_t sk[SK_BYTES], char ***errors);
int pubkey_load(const char *path, struct pubkey *key, char ***errors);
/* Every DIR/ *.pub; bad files are reported and skipped. */
int keyring_load(const char *dir, struct keyring *kr, char ***errors);
void keyring_free(struct keyring *kr);
const struct pubkey *keyring_find(const struct keyring *kr, const char *id);

/* The bytes a module signature covers. */
size_t sign_message(const uint8_t mh[HASH_BYTES], const uint8_t bh[HASH_BYTES], char *buf,
		    size_t cap);
/* Signs MANIFEST and EXECUTABLE with the secret key file into MANIFEST.sig. */
int sign_module(const char *key_path, const char *manifest_path, const char *executable,
		char ***errors);
int sig_load(const char *path, struct sig_info *sig, char ***errors);
/*
 * Checks @sig against the actual hashes @mh and @bh: which key, which part
 * differs, whether the signature holds. 0 and *@signer, or -ENOKEY (no
 * such trusted key), -EBADMSG (a hash differs), -EKEYREJECTED (bad
 * signature), with a sentence in @why.
 */
int sig_check(const struct keyring *kr, const struct sig_info *sig,
	      const uint8_t mh[HASH_BYTES], const uint8_t bh[HASH_BYTES],
	      const struct pubkey **signer, char *why, size_t cap);

#endif
