// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the audit log reader (daemon/audit.c:
 * audit_verify_file(), what `logosctl audit-verify` and logosd's own
 * start-up check run on a file an attacker may have edited).
 *
 * The first input byte holds options, the rest is the file:
 *   bit 0  re-hash: before verifying, every line's "prev" and "hash" values
 *          (where 64 hex digits stand) are rewritten to chain correctly, so
 *          the fuzzer gets past the hash check to the chain, sequence and
 *          checkpoint logic instead of stopping at line 1
 *   bit 1  verify against a public key (every checkpoint must be signed)
 *   bit 2  continue a previous file (a previous hash and sequence number)
 * Besides "no crash, no leak": an accepted file's report is consistent.
 */
#include "audit.h"
#include "fuzz_util.h"
#include "sign.h"
#include "util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static uint8_t pk[PK_BYTES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t sk[SK_BYTES];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	/* A fixed key: the corpus' signed checkpoints are by this one. */
	memset(sk, 0, 32);
	crypto_sign_seed_keypair(pk, sk, sk);
	return 0;
}

static bool hex64(const char *p, const char *end)
{
	if (end - p < 2 * HASH_BYTES)
		return false;
	for (int i = 0; i < 2 * HASH_BYTES; i++)
		if (!strchr("0123456789abcdef", p[i]) || !p[i])
			return false;
	return true;
}

/* Rewrites "prev" and "hash" of every line so that they chain. */
static void rehash(char *data, size_t len)
{
	static const char prev_at[] = "\"prev\":\"", hash_at[] = ",\"hash\":\"";
	uint8_t last[HASH_BYTES] = { 0 }, h[HASH_BYTES];
	char *line = data, *end = data + len;

	while (line < end) {
		char *nl = memchr(line, '\n', end - line);
		char *eol = nl ? nl : end;
		char *p = memmem(line, eol - line, prev_at, sizeof(prev_at) - 1);
		char *q = memmem(line, eol - line, hash_at, sizeof(hash_at) - 1);
		char hex[2 * HASH_BYTES + 1];

		if (p && hex64(p + sizeof(prev_at) - 1, eol)) {
			hex_encode(last, HASH_BYTES, hex);
			memcpy(p + sizeof(prev_at) - 1, hex, 2 * HASH_BYTES);
		}
		if (q && hex64(q + sizeof(hash_at) - 1, eol)) {
			hash_buf(line, q - line, h);
			hex_encode(h, HASH_BYTES, hex);
			memcpy(q + sizeof(hash_at) - 1, hex, 2 * HASH_BYTES);
			memcpy(last, h, HASH_BYTES);
		}
		line = eol + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_report rep;
	uint8_t prev[HASH_BYTES] = { 0 };
	char why[256] = "", path[64], *copy;
	int fd, ret;

	if (size < 1)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 1)
		rehash(copy, size - 1);
	fd = fuzz_memfd((const uint8_t *)copy, size - 1, path, sizeof(path));
	free(copy);
	ret = audit_verify_file(path, data[0] & 2 ? pk : NULL, data[0] & 4 ? prev : NULL,
				data[0] & 4 ? 41 : 0, &rep, why, sizeof(why));
	close(fd);
	if (ret == 0 && (rep.records < rep.checkpoints || rep.uncovered > rep.records ||
			 (rep.records && rep.last_seq < rep.first_seq)))
		abort();	/* an accepted file with a report that makes no sense */
	if (ret && !why[0])
		abort();	/* refused without a reason */
	return 0;
}
