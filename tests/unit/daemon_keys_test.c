// SPDX-License-Identifier: GPL-2.0
/*
 * The key rotation chain (daemon/sign.c, trusted.d/endorsed/): a key not
 * in trusted.d is trusted through an endorsement by a trusted key; its
 * MaxTrust and NotAfter are bounded by the endorser's and the
 * endorsement's; a revoked endorser revokes what it endorsed,
 * transitively; chains are ENDORSE_DEPTH_MAX long at most; cycles, a
 * tampered .pub, an endorsement of another key, an endorser that may not
 * endorse and a Role = endorse key signing a module are refused.
 */
#include "daemon_test.h"
#include "sign.h"
#include "util.h"

#include <errno.h>
#include <logos/core.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/logosd-keys-XXXXXX";
static char trusted[64], endorsed[80], keys[64];

static void put(const char *path, const char *text, const char *mode)
{
	FILE *f = fopen(path, mode);

	fputs(text, f);
	fclose(f);
}

/* keys/NAME.key and NAME.pub in @where (trusted.d or trusted.d/endorsed), plus @extra lines. */
static void make_key(const char *name, const char *where, uint32_t max_trust, time_t until,
		     const char *extra)
{
	char prefix[400], cmd[1200];

	snprintf(prefix, sizeof(prefix), "%s/%s", keys, name);
	keygen_until(prefix, max_trust, name, until);
	if (extra) {
		snprintf(cmd, sizeof(cmd), "%s.pub", prefix);
		put(cmd, extra, "a");
	}
	snprintf(cmd, sizeof(cmd), "cp %s.pub %s/", prefix, where);
	if (system(cmd))
		printf("# cp failed\n");
}

/* @name.pub in trusted.d/endorsed gets an endorsement by keys/@signer.key. */
static int endorse(const char *signer, const char *name, int max_trust, time_t until)
{
	char skey[400], pub[400], path[420], **errs = calloc(1, sizeof(char *)), *out = NULL;
	size_t len;
	int ret;

	snprintf(skey, sizeof(skey), "%s/%s.key", keys, signer);
	snprintf(pub, sizeof(pub), "%s/%s.pub", endorsed, name);
	ret = endorse_key(skey, pub, max_trust, until, &out, &len, &errs);
	for (size_t i = 0; errs[i]; i++)
		printf("# %s\n", errs[i]);
	if (!ret) {
		snprintf(path, sizeof(path), "%s.endorsement", pub);
		ret = write_file_atomic(path, out, len, 0644);
	}
	free(out);
	strv_free(errs);
	return ret;
}

static char errbuf[8192];

static void load(struct keyring *kr)
{
	char **errs = calloc(1, sizeof(char *));

	keyring_load(trusted, kr, &errs);
	errbuf[0] = 0;
	for (size_t i = 0; errs[i]; i++) {
		printf("# %s\n", errs[i]);
		strncat(errbuf, errs[i], sizeof(errbuf) - strlen(errbuf) - 2);
		strcat(errbuf, "\n");
	}
	strv_free(errs);
}

static const struct pubkey *by_comment(const struct keyring *kr, const char *comment)
{
	for (size_t i = 0; i < kr->n; i++)
		if (!strcmp(kr->keys[i].comment, comment))
			return &kr->keys[i];
	return NULL;
}

/* The id of keys/@name.pub. */
static void id_of(const char *name, char id[KEY_ID_LEN + 1])
{
	char path[400], **errs = calloc(1, sizeof(char *));
	struct pubkey k;

	snprintf(path, sizeof(path), "%s/%s.pub", keys, name);
	id[0] = 0;
	if (!pubkey_load(path, &k, &errs))
		memcpy(id, k.id, KEY_ID_LEN + 1);
	strv_free(errs);
}

static const char manifest[] = "[Module]\nName = a\nExecutable = /x\nVersion = 1.0\n";

static int check_module(const struct keyring *kr, const char *signer, const char *trust,
			time_t now, char *why, size_t cap)
{
	struct sig_claim c = { .name = "a", .version = "1.0" };
	char skey[400], **errs = calloc(1, sizeof(char *)), *out = NULL;
	const struct pubkey *who = NULL;
	struct sig_info sig;
	size_t len;
	int ret;

	str_copy(c.trust, sizeof(c.trust), trust);
	memset(c.binary_hash, 7, HASH_BYTES);
	snprintf(skey, sizeof(skey), "%s/%s.key", keys, signer);
	ret = sign_manifest(skey, manifest, strlen(manifest), &c, "t", &out, &len, &errs);
	if (!ret)
		ret = sig_parse(out, len, &sig, why, cap);
	if (!ret)
		ret = sig_check(kr, &sig, manifest, strlen(manifest), &c, now, &who, why, cap);
	printf("# %s: %d %s\n", signer, ret, why);
	free(out);
	strv_free(errs);
	return ret;
}

static void claim_tests(void)
{
	struct endorse_claim c = { .key_id = "0123456789ABCDEF", .max_trust = LOGOS_TRUST_SYSTEM }, d;
	char buf[256], why[256];

	date_parse_end("2030-01-31", &c.not_after);
	CHECK(endorse_claim_format(&c, buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "logos-endorse key=0123456789ABCDEF max-trust=system not-after=2030-01-31"),
	      "an endorsement's trusted comment (%s)", buf);
	CHECK(endorse_claim_parse(buf, &d, why, sizeof(why)) == 0 && !strcmp(d.key_id, c.key_id) &&
	      d.max_trust == c.max_trust && d.not_after == c.not_after, "and back");
	CHECK(endorse_claim_parse("logos-module name=a", &d, why, sizeof(why)) == -EBADMSG &&
	      strstr(why, "not a key endorsement"), "a module signature is no endorsement");
	CHECK(endorse_claim_parse("logos-endorse key=0123 max-trust=user", &d, why, sizeof(why)) ==
	      -EBADMSG, "a short key id is refused");
	CHECK(endorse_claim_parse("logos-endorse key=0123456789ABCDEF", &d, why, sizeof(why)) ==
	      -EBADMSG, "an endorsement without max-trust is refused");
	CHECK(endorse_claim_parse("logos-endorse key=0123456789ABCDEF max-trust=user colour=red",
				  &d, why, sizeof(why)) == -EBADMSG && strstr(why, "colour"),
	      "an unknown claim is refused by name");
}

int main(void)
{
	char cmd[2000], path[420], why[512], rootid[KEY_ID_LEN + 1], k1id[KEY_ID_LEN + 1];
	time_t now = time(NULL), year = now + 365 * 86400;
	const struct pubkey *k;
	struct keyring kr;

	CHECK(crypto_setup() == 0, "libsodium starts");
	if (!mkdtemp(dir))
		return 1;
	snprintf(trusted, sizeof(trusted), "%s/trusted.d", dir);
	snprintf(endorsed, sizeof(endorsed), "%s/endorsed", trusted);
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s %s", endorsed, keys);
	CHECK(system(cmd) == 0, "directories");
	claim_tests();

	/* root: an anchor that only endorses, MaxTrust system, valid a year */
	make_key("root", trusted, LOGOS_TRUST_SYSTEM, year, "Role = endorse\n");
	id_of("root", rootid);
	/* k1: asks for core, no NotAfter, endorsed by root without a cap of its own */
	make_key("k1", endorsed, LOGOS_TRUST_CORE, 0, NULL);
	id_of("k1", k1id);
	CHECK(endorse("root", "k1", -1, 0) == 0, "root endorses k1");
	load(&kr);
	k = by_comment(&kr, "k1");
	CHECK(k && k->depth == 1 && !strcmp(k->endorser, rootid) && !k->revoked,
	      "a key not in trusted.d is trusted through its endorsement");
	CHECK(k && k->max_trust == LOGOS_TRUST_SYSTEM,
	      "its MaxTrust (core) is capped by the endorser's (system)");
	CHECK(k && k->not_after && k->not_after == by_comment(&kr, "root")->not_after,
	      "its NotAfter (none) is bounded by the endorser's");
	CHECK(check_module(&kr, "k1", "system", now, why, sizeof(why)) == 0,
	      "a module signed by the endorsed key verifies");
	CHECK(check_module(&kr, "k1", "system", year + 2 * 86400, why, sizeof(why)) == -EKEYEXPIRED,
	      "it expires with its endorser");
	CHECK(check_module(&kr, "root", "user", now, why, sizeof(why)) == -EKEYREJECTED &&
	      strstr(why, "may only endorse"), "a Role = endorse key signs no module");
	keyring_free(&kr);

	/* the endorsement's own caps */
	make_key("k2", endorsed, LOGOS_TRUST_SYSTEM, 0, NULL);
	{
		time_t soon = (now / 86400 + 30) * 86400;	/* a day boundary, as date_parse_end() gives */

		CHECK(endorse("root", "k2", LOGOS_TRUST_USER, soon) == 0,
		      "root endorses k2 with max-trust user and a NotAfter in 30 days");
		load(&kr);
		k = by_comment(&kr, "k2");
		CHECK(k && k->max_trust == LOGOS_TRUST_USER && k->not_after == soon,
		      "the endorsement's max-trust and not-after bound the key");
		keyring_free(&kr);
	}

	/* a tampered .pub: its MaxTrust raised after endorsement */
	snprintf(path, sizeof(path), "%s/k2.pub", endorsed);
	put(path, "# raised\n", "a");
	load(&kr);
	CHECK(!by_comment(&kr, "k2") && strstr(errbuf, "not valid for key"),
	      "a .pub changed after its endorsement is not trusted");
	keyring_free(&kr);
	/* k1's endorsement next to k2: for another key */
	snprintf(cmd, sizeof(cmd), "cp %s/k2.pub %s/k2.pub && cp %s/k1.pub.endorsement %s/k2.pub.endorsement",
		 keys, endorsed, endorsed, endorsed);
	CHECK(system(cmd) == 0, "k1's endorsement put next to k2");
	load(&kr);
	CHECK(!by_comment(&kr, "k2") && strstr(errbuf, "not valid for key"),
	      "another key's endorsement does not hold");
	keyring_free(&kr);
	snprintf(cmd, sizeof(cmd), "rm %s/k2.pub*", endorsed);
	CHECK(system(cmd) == 0, "k2 removed");

	/* chains: root -> k1 -> k3 -> k4 -> k5 (depth 4: too long) */
	make_key("k3", endorsed, LOGOS_TRUST_USER, 0, NULL);
	make_key("k4", endorsed, LOGOS_TRUST_USER, 0, NULL);
	make_key("k5", endorsed, LOGOS_TRUST_USER, 0, NULL);
	CHECK(endorse("k1", "k3", -1, 0) == 0 && endorse("k3", "k4", -1, 0) == 0 &&
	      endorse("k4", "k5", -1, 0) == 0, "k1 endorses k3, k3 k4, k4 k5");
	load(&kr);
	CHECK(by_comment(&kr, "k3") && by_comment(&kr, "k3")->depth == 2 && by_comment(&kr, "k4") &&
	      by_comment(&kr, "k4")->depth == ENDORSE_DEPTH_MAX,
	      "a chain of %d endorsements is trusted", ENDORSE_DEPTH_MAX);
	CHECK(!by_comment(&kr, "k5") && strstr(errbuf, "more than 3 endorsements"),
	      "a chain of %d is not", ENDORSE_DEPTH_MAX + 1);
	CHECK(by_comment(&kr, "k4") && by_comment(&kr, "k4")->not_after ==
	      by_comment(&kr, "root")->not_after, "the root's NotAfter bounds the whole chain");
	keyring_free(&kr);
	snprintf(cmd, sizeof(cmd), "rm %s/k5.pub*", endorsed);
	CHECK(system(cmd) == 0, "k5 removed");

	/* cycles: c1 endorsed by c2, c2 by c1, neither anchored */
	make_key("c1", endorsed, LOGOS_TRUST_USER, 0, NULL);
	make_key("c2", endorsed, LOGOS_TRUST_USER, 0, NULL);
	CHECK(endorse("c2", "c1", -1, 0) == 0 && endorse("c1", "c2", -1, 0) == 0,
	      "c1 and c2 endorse each other");
	load(&kr);
	CHECK(!by_comment(&kr, "c1") && !by_comment(&kr, "c2") && strstr(errbuf, "in a cycle"),
	      "keys endorsed in a cycle are refused");
	CHECK(by_comment(&kr, "k4"), "the rest of the keyring is unharmed");
	keyring_free(&kr);
	snprintf(cmd, sizeof(cmd), "rm %s/c1.pub* %s/c2.pub*", endorsed, endorsed);
	CHECK(system(cmd) == 0, "c1, c2 removed");
	/* a cycle through an anchor: k1 endorses the root back */
	snprintf(cmd, sizeof(cmd), "cp %s/root.pub %s/", keys, endorsed);
	CHECK(system(cmd) == 0 && endorse("k1", "root", -1, 0) == 0, "k1 endorses root");
	load(&kr);
	k = by_comment(&kr, "root");
	CHECK(k && k->depth == 0 && strstr(errbuf, "already trusted"),
	      "an endorsement of an anchor is ignored (the anchor stays uncapped)");
	keyring_free(&kr);
	snprintf(cmd, sizeof(cmd), "rm %s/root.pub*", endorsed);
	CHECK(system(cmd) == 0, "root's endorsement removed");

	/* an endorser with Role = sign */
	make_key("signer", trusted, LOGOS_TRUST_CORE, 0, "Role = sign\n");
	make_key("k6", endorsed, LOGOS_TRUST_USER, 0, NULL);
	CHECK(endorse("signer", "k6", -1, 0) == 0, "a Role = sign key endorses k6");
	load(&kr);
	CHECK(!by_comment(&kr, "k6") && strstr(errbuf, "may not endorse"),
	      "an endorsement by a Role = sign key does not hold");
	keyring_free(&kr);

	/* revocation: the root revokes the whole chain */
	snprintf(path, sizeof(path), "%s/revoked", trusted);
	snprintf(cmd, sizeof(cmd), "%s  # the offline root was stolen\n", rootid);
	put(path, cmd, "w");
	load(&kr);
	CHECK(by_comment(&kr, "k1") && by_comment(&kr, "k1")->revoked &&
	      !strcmp(by_comment(&kr, "k1")->revoked_by, rootid),
	      "a revoked endorser revokes the key it endorsed");
	CHECK(by_comment(&kr, "k4") && by_comment(&kr, "k4")->revoked &&
	      keyring_revoked(&kr, by_comment(&kr, "k4")->id) &&
	      !strcmp(keyring_revoked_by(&kr, by_comment(&kr, "k4")->id), rootid),
	      "... transitively (k4, three endorsements down; what reload's stop_revoked() asks)");
	CHECK(check_module(&kr, "k1", "user", now, why, sizeof(why)) == -EKEYREVOKED &&
	      strstr(why, "endorsed by key") && strstr(why, rootid),
	      "a module signed by a key whose endorser is revoked is refused, saying which");
	keyring_free(&kr);
	snprintf(cmd, sizeof(cmd), "%s\n", k1id);
	put(path, cmd, "w");
	load(&kr);
	CHECK(!by_comment(&kr, "root")->revoked && by_comment(&kr, "k1")->revoked &&
	      by_comment(&kr, "k3")->revoked && !strcmp(by_comment(&kr, "k3")->revoked_by, k1id),
	      "revoking a key in the middle revokes below it, not above");
	keyring_free(&kr);
	unlink(path);

	/* minisign checks an endorsement (Debian's minisign package) */
	if (system("command -v minisign >/dev/null 2>&1")) {
		printf("# minisign is not installed: its cross-check is not run (not counted)\n");
	} else {
		snprintf(cmd, sizeof(cmd), "minisign -Vq -p %s/root.pub -m %s/k1.pub -x %s/k1.pub.endorsement",
			 trusted, endorsed, endorsed);
		CHECK(system(cmd) == 0, "minisign -V verifies an endorsement with the endorser's .pub");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "cleanup");
	return test_done();
}
