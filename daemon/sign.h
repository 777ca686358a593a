/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module signatures and keys (libsodium), shared by logosd and logosctl.
 * The files are minisign's (https://jedisct1.github.io/minisign/), so
 * `minisign -V -p NAME.pub -m X.module` checks a logosd signature:
 *
 *	NAME.key	untrusted comment: ...
 *			base64("Ed" 00 00 "B2" salt[32] ops[8] mem[8] keynum[8]
 *			       sk[64] chk[32]): an unencrypted minisign secret
 *			key, mode 0600 (the old [Key] Secret = hex is read too)
 *	NAME.pub	untrusted comment: minisign public key KEYID
 *			base64("Ed" keynum[8] pk[32])
 *			then logosd's own lines, which minisign does not read:
 *			MaxTrust = LEVEL, NotAfter = YYYY-MM-DD, Comment = text
 *			(the old [Key] Public = hex is read too, as Ed25519)
 *	X.module.sig	untrusted comment: ...
 *			base64(ALG keynum[8] sig[64]): ALG "ED" = Ed25519 over
 *			BLAKE2b-512(manifest), "Ed" = Ed25519 over the manifest
 *			trusted comment: logos-module name=N version=V trust=T
 *				binary-blake2b256=HEX
 *			base64(Ed25519 over sig[64] || the trusted comment)
 *	trusted.d/revoked	key ids (as minisign prints them), one a line
 *	trusted.d/endorsed/NAME.pub	a key trusted only through
 *			NAME.pub.endorsement: a minisign signature ("ED") of
 *			the bytes of NAME.pub by another trusted key, trusted
 *			comment "logos-endorse key=ID max-trust=LEVEL
 *			[not-after=YYYY-MM-DD]" (security-model.md, "Rotation")
 *
 * A key id is 8 bytes (minisign's keynum; logosd's keygen takes the first
 * 8 bytes of BLAKE2b-256(public key)), written as minisign writes it: 16
 * upper-case hex digits of the bytes read as a little-endian number.
 */
#ifndef LOGOSD_SIGN_H
#define LOGOSD_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HASH_BYTES	32	/* BLAKE2b-256 */
#define PK_BYTES	32
#define SK_BYTES	64
#define SIG_BYTES	64
#define KEYNUM_BYTES	8
#define KEY_ID_LEN	16	/* hex digits */
#define ALG_LEN		2	/* minisign's algorithm ids: "Ed", "ED" */
#define TRUSTED_COMMENT_MAX 1024
#define ENDORSE_DEPTH_MAX 3	/* endorsements from an anchor to a key, at most */

/* What a key may do (its .pub's Role line; default both). */
#define KEY_ROLE_SIGN		1	/* sign modules */
#define KEY_ROLE_ENDORSE	2	/* endorse other keys */

struct pubkey {
	char alg[ALG_LEN + 1];	/* "Ed" */
	uint8_t keynum[KEYNUM_BYTES];
	uint8_t pk[PK_BYTES];
	char id[KEY_ID_LEN + 1];
	uint32_t max_trust;	/* enum logos_trust_level */
	time_t not_after;	/* first second it is no longer valid; 0: no expiry */
	bool revoked;		/* listed in trusted.d/revoked */
	bool legacy;		/* the [Key] Public = hex file of logosd 0.1 */
	unsigned int role;	/* KEY_ROLE_* */
	unsigned int depth;	/* 0: an anchor (trusted.d/ *.pub); n: endorsed n times over */
	char endorser[KEY_ID_LEN + 1];	/* who endorsed it; "" for an anchor */
	char revoked_by[KEY_ID_LEN + 1];	/* the listed key revoking it: itself or an endorser */
	char comment[64];
	char path[256];
};

/* What an endorsement's trusted comment says. */
struct endorse_claim {
	char key_id[KEY_ID_LEN + 1];
	uint32_t max_trust;
	time_t not_after;	/* 0: the endorsement sets none */
};

struct keyring {
	struct pubkey *keys;
	size_t n;
	char (*revoked)[KEY_ID_LEN + 1];	/* trusted.d/revoked, keys or not */
	size_t nr_revoked;
};

/* What a signature's trusted comment says; checked against the manifest. */
struct sig_claim {
	char name[64];
	char version[64];
	char trust[16];
	uint8_t binary_hash[HASH_BYTES];
};

struct sig_info {
	char alg[ALG_LEN + 1];
	uint8_t keynum[KEYNUM_BYTES];
	char key_id[KEY_ID_LEN + 1];
	uint8_t sig[SIG_BYTES];
	char comment[TRUSTED_COMMENT_MAX];
	uint8_t global_sig[SIG_BYTES];
};

/* sodium_init(); -EIO if libsodium cannot start. */
int crypto_setup(void);

void hash_buf(const void *data, size_t len, uint8_t out[HASH_BYTES]);
/* BLAKE2b-256 of a whole file, or of an fd from offset 0 (pread). */
int hash_file(const char *path, uint8_t out[HASH_BYTES]);
int hash_fd(int fd, uint8_t out[HASH_BYTES]);
/* The audit key's id: first 8 bytes of BLAKE2b-256(pk), lower-case hex in order. */
void key_id(const uint8_t pk[PK_BYTES], char out[KEY_ID_LEN + 1]);
/* A keynum as minisign prints it. */
void keynum_hex(const uint8_t keynum[KEYNUM_BYTES], char out[KEY_ID_LEN + 1]);

/*
 * Writes PREFIX.key (0600) and PREFIX.pub; refuses to overwrite.
 * @not_after: 0, or the first second the key is no longer valid (the
 * day after its NotAfter, 00:00 UTC).
 */
int keygen(const char *prefix, uint32_t max_trust, const char *comment);
int keygen_until(const char *prefix, uint32_t max_trust, const char *comment, time_t not_after);
int seckey_load(const char *path, uint8_t sk[SK_BYTES], char ***errors);
/* Also its keynum (minisign's, or the one keygen derives from the public key). */
int seckey_load_num(const char *path, uint8_t sk[SK_BYTES], uint8_t keynum[KEYNUM_BYTES],
		    char ***errors);
int pubkey_load(const char *path, struct pubkey *key, char ***errors);
/*
 * Every DIR/ *.pub (anchors), DIR/revoked, and every DIR/endorsed/ *.pub
 * whose .endorsement by a trusted key holds (its MaxTrust and NotAfter
 * bounded by the endorser's, revoked with it, ENDORSE_DEPTH_MAX deep at
 * most, no cycles); bad files are reported and skipped.
 */
int keyring_load(const char *dir, struct keyring *kr, char ***errors);
void keyring_free(struct keyring *kr);
const struct pubkey *keyring_find(const struct keyring *kr, const char *id);
/* Listed in revoked, or a key of @kr endorsed by a revoked key. */
bool keyring_revoked(const struct keyring *kr, const char *id);
/* The listed id that revokes @id (itself or an endorser), or NULL. */
const char *keyring_revoked_by(const struct keyring *kr, const char *id);
/* "sign", "endorse", "sign, endorse" -> KEY_ROLE_*; -EINVAL. */
int key_role_parse(const char *s, unsigned int *role);
const char *key_role_name(unsigned int role);

/* The trusted comment of an endorsement, and back (-EBADMSG with @why). */
int endorse_claim_format(const struct endorse_claim *c, char *buf, size_t cap);
int endorse_claim_parse(const char *s, struct endorse_claim *c, char *why, size_t cap);
/*
 * Signs the bytes of the public key file @pub_path with the secret key
 * @signer_key: the text of PUB.endorsement in *@out (malloc). @max_trust
 * (a level, or -1: the key's own MaxTrust) and @not_after (0: none) go in
 * the trusted comment.
 */
int endorse_key(const char *signer_key, const char *pub_path, int max_trust, time_t not_after,
		char **out, size_t *outlen, char ***errors);
/* "YYYY-MM-DD" -> the first second after that day (UTC); -EINVAL. */
int date_parse_end(const char *s, time_t *t);

/* The trusted comment logosd signs with a module, and back. */
int sig_claim_format(const struct sig_claim *c, char *buf, size_t cap);
/* -EBADMSG (with @why) when @s is not a logos-module claim. */
int sig_claim_parse(const char *s, struct sig_claim *c, char *why, size_t cap);
/*
 * Signs the manifest bytes @m with the secret key file @key_path; @claim
 * is what the trusted comment says (name, version and trust of the
 * manifest, hash of its executable). The .sig text in *@out (malloc).
 */
int sign_manifest(const char *key_path, const char *m, size_t mlen,
		  const struct sig_claim *claim, const char *untrusted, char **out,
		  size_t *outlen, char ***errors);
/*
 * A .sig in memory. -EKEYREJECTED (not one), -EPROTONOSUPPORT (an
 * algorithm this logosd does not know), with a sentence in @why.
 */
int sig_parse(const char *data, size_t len, struct sig_info *sig, char *why, size_t cap);
/*
 * Checks @sig on the manifest bytes @m and its claim against @expect:
 * which key, is it valid today, does the signature hold, does the
 * trusted comment name this module, version, trust level and executable.
 * 0 and *@signer, or -ENOKEY (no such trusted key), -EKEYREVOKED,
 * -EKEYEXPIRED, -EPROTONOSUPPORT (algorithm), -EKEYREJECTED (signature or
 * trusted comment not valid), -EBADMSG (a hash or a claim differs), with
 * a sentence in @why.
 */
int sig_check(const struct keyring *kr, const struct sig_info *sig, const char *m, size_t mlen,
	      const struct sig_claim *expect, time_t now, const struct pubkey **signer,
	      char *why, size_t cap);

#endif
