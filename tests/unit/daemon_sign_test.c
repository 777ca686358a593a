// SPDX-License-Identifier: GPL-2.0
/*
 * Module signatures (daemon/sign.c): keygen, sign, verify; a changed
 * binary or manifest, an unknown key and a forged signature are refused.
 * Also the JSON reader of the control socket (daemon/json.c).
 */
#include "daemon_test.h"
#include "json.h"
#include "sign.h"
#include "util.h"

#include <errno.h>
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

static int check(const char *trusted, char *why, size_t cap)
{
	char m[300], b[300], s[300];
	uint8_t mh[HASH_BYTES], bh[HASH_BYTES];
	struct keyring kr;
	struct sig_info sig;
	const struct pubkey *signer = NULL;
	char **errs = calloc(1, sizeof(char *));
	int ret;

	snprintf(m, sizeof(m), "%s/x.module", dir);
	snprintf(b, sizeof(b), "%s/x.bin", dir);
	snprintf(s, sizeof(s), "%s/x.module.sig", dir);
	keyring_load(trusted, &kr, &errs);
	hash_file(m, mh);
	hash_file(b, bh);
	ret = sig_load(s, &sig, &errs);
	if (!ret)
		ret = sig_check(&kr, &sig, mh, bh, &signer, why, cap);
	printf("# %s\n", why);
	keyring_free(&kr);
	strv_free(errs);
	return ret;
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
	char prefix[300], trusted[300], other[300], key[300], cmd[1024], why[256];
	char **errs = calloc(1, sizeof(char *));

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
	snprintf(prefix, sizeof(prefix), "%s/other.d/stranger", dir);
	keygen(prefix, 3, "not trusted");

	put("x.module", "[Module]\nExecutable = /x\nVersion = 1\n");
	put("x.bin", "\x7f" "ELF pretend");
	{
		char m[300], b[300];

		snprintf(m, sizeof(m), "%s/x.module", dir);
		snprintf(b, sizeof(b), "%s/x.bin", dir);
		CHECK(sign_module(key, m, b, &errs) == 0, "sign a module");
		CHECK(check(trusted, why, sizeof(why)) == 0 && strstr(why, "vendor key"),
		      "the signature verifies with the trusted key");
		put("x.bin", "\x7f" "ELF tampered");
		CHECK(check(trusted, why, sizeof(why)) == -EBADMSG && strstr(why, "executable"),
		      "a changed binary is refused");
		put("x.bin", "\x7f" "ELF pretend");
		put("x.module", "[Module]\nExecutable = /y\nVersion = 1\n");
		CHECK(check(trusted, why, sizeof(why)) == -EBADMSG && strstr(why, "manifest"),
		      "a changed manifest is refused");
		put("x.module", "[Module]\nExecutable = /x\nVersion = 1\n");
		CHECK(check(trusted, why, sizeof(why)) == 0, "restored: verifies again");
		CHECK(check(other, why, sizeof(why)) == -ENOKEY, "a key not in trusted.d is refused");
		snprintf(key, sizeof(key), "%s/other.d/stranger.key", dir);
		sign_module(key, m, b, &errs);
		CHECK(check(trusted, why, sizeof(why)) == -ENOKEY && strstr(why, "not in trusted.d"),
		      "signed by an untrusted key: refused");
		/* a signature file claiming the vendor key but signed by the stranger */
		{
			char s[300], *data, *p;
			size_t len;
			struct keyring kr;

			keyring_load(trusted, &kr, &errs);
			snprintf(s, sizeof(s), "%s/x.module.sig", dir);
			read_file(s, &data, &len, 4096);
			p = strstr(data, "Key = ");
			memcpy(p + 6, kr.keys[0].id, KEY_ID_LEN);
			put("x.module.sig", data);
			free(data);
			keyring_free(&kr);
			CHECK(check(trusted, why, sizeof(why)) == -EKEYREJECTED,
			      "a forged signature is refused");
		}
	}
	json_tests();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "cleanup");
	strv_free(errs);
	return test_done();
}
