// SPDX-License-Identifier: GPL-2.0
/*
 * Module signatures (daemon/sign.c): minisign's format, algorithm
 * dispatch, the trusted comment binding name, version, trust level and
 * executable; a changed binary or manifest, another module's signature,
 * an unknown algorithm or key, a forged signature, an expired or revoked
 * key and the old format are refused; minisign checks what logosd signs.
 * Also the JSON reader of the control socket (daemon/json.c).
 */
#include "daemon_test.h"
#include "json.h"
#include "sign.h"
#include "util.h"

#include <errno.h>
#include <sodium.h>
#include <logos/core.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/logosd-sign-XXXXXX";

static void put(const char *name, const char *text)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static const char manifest_a[] = "[Module]\nName = a\nExecutable = /x\nVersion = 1.0\n";

/* A .sig for @m, with @claim, by the key at @key. */
static char *sign(const char *key, const char *m, const struct sig_claim *claim)
{
	char **errs = calloc(1, sizeof(char *)), *out = NULL;
	size_t len;

	if (sign_manifest(key, m, strlen(m), claim, "test", &out, &len, &errs))
		out = NULL;
	strv_free(errs);
	return out;
}

static int check(const char *trusted, const char *sigtext, const char *m,
		 const struct sig_claim *expect, time_t now, char *why, size_t cap)
{
	struct keyring kr;
	struct sig_info sig;
	const struct pubkey *signer = NULL;
	char **errs = calloc(1, sizeof(char *));
	int ret;

	keyring_load(trusted, &kr, &errs);
	ret = sig_parse(sigtext, strlen(sigtext), &sig, why, cap);
	if (!ret)
		ret = sig_check(&kr, &sig, m, strlen(m), expect, now, &signer, why, cap);
	printf("# %d: %s\n", ret, why);
	keyring_free(&kr);
	strv_free(errs);
	return ret;
}

/* @sigtext with its second line re-encoded after @edit (alg id, bytes). */
static char *edit_line2(const char *sigtext, const char *alg, int flip)
{
	char *out = strdup(sigtext), *l2 = strchr(out, '\n') + 1, *e = strchr(l2, '\n');
	uint8_t raw[80];
	size_t n;
	char b64[200];

	*e = 0;
	sodium_base642bin(raw, sizeof(raw), l2, strlen(l2), NULL, &n, NULL,
			  sodium_base64_VARIANT_ORIGINAL);
	*e = '\n';
	if (alg)
		memcpy(raw, alg, 2);
	if (flip >= 0)
		raw[flip] ^= 1;
	sodium_bin2base64(b64, sizeof(b64), raw, n, sodium_base64_VARIANT_ORIGINAL);
	memcpy(l2, b64, strlen(b64));
	return out;
}

static void sign_tests(const char *trusted, const char *key, const char *stranger_key)
{
	struct sig_claim a = { .name = "a", .version = "1.0", .trust = "user" }, x;
	char why[512], *s, *t, path[400];
	time_t now = time(NULL);

	memset(a.binary_hash, 0x42, HASH_BYTES);
	s = sign(key, manifest_a, &a);
	CHECK(s && !strncmp(s, "untrusted comment: test\n", 24) &&
	      strstr(s, "\ntrusted comment: logos-module name=a version=1.0 trust=user binary-blake2b256=4242"),
	      "a signature in minisign's format whose trusted comment binds name, version, trust, binary");
	CHECK(check(trusted, s, manifest_a, &a, now, why, sizeof(why)) == 0 && strstr(why, "vendor key"),
	      "the signature verifies with the trusted key");
	x = a;
	x.binary_hash[0] ^= 1;
	CHECK(check(trusted, s, manifest_a, &x, now, why, sizeof(why)) == -EBADMSG &&
	      strstr(why, "executable does not match"), "a changed executable is refused");
	CHECK(check(trusted, s, "[Module]\nName = a\nExecutable = /y\nVersion = 1.0\n", &a, now, why,
		    sizeof(why)) == -EKEYREJECTED && strstr(why, "manifest does not match"),
	      "a changed manifest is refused");
	x = a;
	strcpy(x.name, "b");
	CHECK(check(trusted, s, manifest_a, &x, now, why, sizeof(why)) == -EBADMSG &&
	      strstr(why, "is for module a"), "module a's signature is refused as module b's (binding)");
	x = a;
	strcpy(x.version, "2.0");
	CHECK(check(trusted, s, manifest_a, &x, now, why, sizeof(why)) == -EBADMSG,
	      "a signature for version 1.0 is refused for version 2.0");
	x = a;
	strcpy(x.trust, "core");
	CHECK(check(trusted, s, manifest_a, &x, now, why, sizeof(why)) == -EBADMSG,
	      "a signature for trust user is refused for trust core");
	/* the trusted comment is signed too */
	t = strdup(s);
	memcpy(strstr(t, "name=a"), "name=b", 6);
	x = a;
	strcpy(x.name, "b");
	CHECK(check(trusted, t, manifest_a, &x, now, why, sizeof(why)) == -EKEYREJECTED &&
	      strstr(why, "trusted comment was changed"), "an edited trusted comment is refused");
	free(t);
	/* algorithm dispatch */
	t = edit_line2(s, "XY", -1);
	CHECK(check(trusted, t, manifest_a, &a, now, why, sizeof(why)) == -EPROTONOSUPPORT &&
	      strstr(why, "\"XY\""), "an unknown signature algorithm is refused by name");
	free(t);
	t = edit_line2(s, "Ed", -1);
	CHECK(check(trusted, t, manifest_a, &a, now, why, sizeof(why)) == -EKEYREJECTED,
	      "\"Ed\" (not prehashed) over a prehashed signature: dispatched and refused");
	free(t);
	t = edit_line2(s, NULL, 20);
	CHECK(check(trusted, t, manifest_a, &a, now, why, sizeof(why)) == -EKEYREJECTED &&
	      strstr(why, "signature is not valid"), "a forged signature is refused");
	free(t);
	/* key lifecycle */
	CHECK(check(trusted, s, manifest_a, &a, now + 100LL * 365 * 86400, why, sizeof(why)) == 0,
	      "a key without NotAfter does not expire");
	free(s);
	s = sign(stranger_key, manifest_a, &a);
	CHECK(check(trusted, s, manifest_a, &a, now, why, sizeof(why)) == -ENOKEY &&
	      strstr(why, "not in trusted.d"), "signed by a key not in trusted.d: refused");
	free(s);
	snprintf(path, sizeof(path), "%s/expiring.key", dir);
	s = sign(path, manifest_a, &a);
	CHECK(check(trusted, s, manifest_a, &a, now, why, sizeof(why)) == 0,
	      "a key before its NotAfter is good");
	CHECK(check(trusted, s, manifest_a, &a, now + 400LL * 86400, why, sizeof(why)) ==
	      -EKEYEXPIRED && strstr(why, "expired after"), "a key past its NotAfter is refused");
	put("trusted.d/revoked", "# compromised\n\n");
	{
		struct keyring kr;
		char **errs = calloc(1, sizeof(char *)), line[64] = "";

		keyring_load(trusted, &kr, &errs);
		for (size_t i = 0; i < kr.n; i++)
			if (!strcmp(kr.keys[i].comment, "expiring"))
				snprintf(line, sizeof(line), "%s  # compromised\n", kr.keys[i].id);
		keyring_free(&kr);
		strv_free(errs);
		put("trusted.d/revoked", line);
	}
	CHECK(check(trusted, s, manifest_a, &a, now, why, sizeof(why)) == -EKEYREVOKED &&
	      strstr(why, "revoked"), "a key listed in trusted.d/revoked is refused");
	unlink(path);
	snprintf(path, sizeof(path), "%s/revoked", trusted);
	unlink(path);
	free(s);
	/* old and foreign formats */
	s = "[Signature]\nKey = 0123456789abcdef\nManifest = 11\nBinary = 22\nSignature = 33\n";
	CHECK(check(trusted, s, manifest_a, &a, now, why, sizeof(why)) == -EKEYREJECTED &&
	      strstr(why, "old format") && strstr(why, "sign the module again"),
	      "a signature of logosd 0.1: a clear migration error");
	{
		/* a plain minisign signature of the manifest by the trusted key */
		uint8_t sk[SK_BYTES], kn[KEYNUM_BYTES], line[74], g[64 + 8];
		char **errs = calloc(1, sizeof(char *)), b1[120], b2[100], text[512];

		seckey_load_num(key, sk, kn, &errs);
		memcpy(line, "Ed", 2);
		memcpy(line + 2, kn, 8);
		crypto_sign_detached(line + 10, NULL, (const uint8_t *)manifest_a,
				     strlen(manifest_a), sk);
		memcpy(g, line + 10, 64);
		memcpy(g + 64, "hello", 5);
		{
			uint8_t gs[64];

			crypto_sign_detached(gs, NULL, g, 69, sk);
			sodium_bin2base64(b2, sizeof(b2), gs, 64, sodium_base64_VARIANT_ORIGINAL);
		}
		sodium_bin2base64(b1, sizeof(b1), line, 74, sodium_base64_VARIANT_ORIGINAL);
		snprintf(text, sizeof(text), "untrusted comment: x\n%s\ntrusted comment: hello\n%s\n",
			 b1, b2);
		CHECK(check(trusted, text, manifest_a, &a, now, why, sizeof(why)) == -EBADMSG &&
		      strstr(why, "not a logos module signature"),
		      "\"Ed\" (minisign -l) dispatched and valid, but a signature that binds no module is refused");
		sodium_memzero(sk, sizeof(sk));
		strv_free(errs);
	}
}

static void key_tests(const char *trusted)
{
	struct pubkey k;
	char **errs = calloc(1, sizeof(char *)), path[300];
	time_t t;

	put("legacy.pub", "[Key]\nPublic = abababababababababababababababababababababababababababababababab\nMaxTrust = system\n");
	snprintf(path, sizeof(path), "%s/legacy.pub", dir);
	CHECK(pubkey_load(path, &k, &errs) == 0 && k.legacy && !strcmp(k.alg, "Ed") &&
	      k.max_trust == LOGOS_TRUST_SYSTEM, "a public key of logosd 0.1 loads, as Ed25519");
	/* found by tests/libfuzzer: a bad old-format key was freed twice */
	put("broken.pub", "[Key]\nPubl,ic = abab\nMaxTrust = system\nComment = x\n");
	snprintf(path, sizeof(path), "%s/broken.pub", dir);
	CHECK(pubkey_load(path, &k, &errs) < 0, "a malformed key of logosd 0.1 is refused (and freed once)");
	/* "Xx" + keynum + pk */
	put("alien.pub", "untrusted comment: x\nWHgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
	snprintf(path, sizeof(path), "%s/alien.pub", dir);
	CHECK(pubkey_load(path, &k, &errs) == -EPROTONOSUPPORT, "a key of an unknown algorithm is refused");
	put("bad.pub", "untrusted comment: x\nRWQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nColour = red\n");
	snprintf(path, sizeof(path), "%s/bad.pub", dir);
	CHECK(pubkey_load(path, &k, &errs) == -EINVAL, "an unknown line after the key is refused");
	CHECK(date_parse_end("2027-02-28", &t) == 0 && t == 1803859200 &&
	      date_parse_end("2027-02-29", &t) == -EINVAL && date_parse_end("2027-1-1", &t) == -EINVAL &&
	      date_parse_end("2027-01-01x", &t) == -EINVAL, "NotAfter dates: strict, the day included");
	(void)trusted;
	strv_free(errs);
}

/* minisign itself checks a logosd signature (Debian's minisign package). */
static void minisign_test(const char *trusted, const char *key)
{
	struct sig_claim a = { .name = "a", .version = "1.0", .trust = "user" };
	char cmd[1200], *s;

	if (system("command -v minisign >/dev/null 2>&1")) {
		printf("# minisign is not installed: its cross-check is not run (not counted)\n");
		return;
	}
	put("a.module", manifest_a);
	s = sign(key, manifest_a, &a);
	put("a.module.sig", s);
	free(s);
	snprintf(cmd, sizeof(cmd), "minisign -Vq -p %s/vendor.pub -m %s/a.module -x %s/a.module.sig",
		 trusted, dir, dir);
	CHECK(system(cmd) == 0, "minisign -V verifies a logosd signature with a logosd public key");
	snprintf(cmd, sizeof(cmd), "echo x >%s/f && minisign -Sq -s %s -m %s/f </dev/null && minisign -Vq -p %s/vendor.pub -m %s/f",
		 dir, key, dir, trusted, dir);
	CHECK(system(cmd) == 0, "minisign -S signs with a logosd secret key");
}

static void json_tests(void)
{
	struct jobj o;
	struct jw w;
	int64_t n;
	char *s;

	{
		const char *t = "{\"cmd\":\"start\",\"module\":\"a\\u00e9\\n\",\"n\":42,\"x\":[1,{\"y\":null}],\"b\":true}";

		CHECK(json_parse_object(t, strlen(t), &o) == 0, "a request with nesting parses");
		CHECK(!strcmp(jobj_str(&o, "cmd"), "start") &&
		      !strcmp(jobj_str(&o, "module"), "a\xc3\xa9\n"), "strings decoded");
		CHECK(!jobj_int(&o, "n", &n) && n == 42 && jobj_int(&o, "cmd", &n) == -EINVAL &&
		      jobj_int(&o, "zz", &n) == -ENOENT, "integers");
		jobj_free(&o);
	}
	CHECK(json_parse_object("{\"a\":1", 6, &o) == -EBADMSG, "truncated refused");
	CHECK(json_parse_object("{\"a\":1} x", 9, &o) == -EBADMSG, "trailing garbage refused");
	CHECK(json_parse_object("{\"a\":\"\x01\"}", 8, &o) == -EBADMSG, "control character refused");
	CHECK(json_parse_object("[1]", 3, &o) == -EBADMSG, "not an object refused");
	/* Found by tests/libfuzzer: a NUL was taken for a digit. */
	CHECK(json_parse_object("{\"a\":1\0}", 8, &o) == -EBADMSG, "NUL after a number refused");
	CHECK(json_parse_object("{\"a\":\"\\ud800\"}", 14, &o) == -EBADMSG, "lone surrogate refused");
	jw_init(&w);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "s", "q\"\\\n\x01\xff");
	jw_arr_begin(&w, "a");
	jw_int(&w, NULL, -1);
	jw_bool(&w, NULL, true);
	jw_arr_end(&w);
	jw_obj_end(&w);
	s = jw_finish(&w);
	CHECK(s && !strcmp(s, "{\"s\":\"q\\\"\\\\\\n\\u0001\\ufffd\",\"a\":[-1,true]}"),
	      "writer escapes and nests (%s)", s);
	free(s);
}

int main(void)
{
	char prefix[300], trusted[300], other[300], key[300], skey[400], cmd[1024];

	CHECK(crypto_setup() == 0, "libsodium starts");
	if (!mkdtemp(dir))
		return 1;
	snprintf(trusted, sizeof(trusted), "%s/trusted.d", dir);
	snprintf(other, sizeof(other), "%s/other.d", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s %s", trusted, other);
	CHECK(system(cmd) == 0, "directories");
	snprintf(prefix, sizeof(prefix), "%s/trusted.d/vendor", dir);
	CHECK(keygen(prefix, 2, "vendor key") == 0, "keygen writes a key pair");
	CHECK(keygen(prefix, 2, "vendor key") == -EEXIST, "keygen never overwrites");
	/* the secret key must not stay in trusted.d */
	snprintf(key, sizeof(key), "%s/vendor.key", dir);
	snprintf(cmd, sizeof(cmd), "mv %s.key %s", prefix, key);
	CHECK(system(cmd) == 0, "move the secret key out");
	snprintf(prefix, sizeof(prefix), "%s/trusted.d/expiring", dir);
	keygen_until(prefix, 2, "expiring", time(NULL) + 365 * 86400);
	snprintf(cmd, sizeof(cmd), "mv %s.key %s/expiring.key", prefix, dir);
	CHECK(system(cmd) == 0, "a key with a NotAfter");
	snprintf(prefix, sizeof(prefix), "%s/other.d/stranger", dir);
	keygen(prefix, 3, "not trusted");
	snprintf(skey, sizeof(skey), "%s.key", prefix);
	sign_tests(trusted, key, skey);
	key_tests(trusted);
	minisign_test(trusted, key);
	json_tests();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "cleanup");
	return test_done();
}
