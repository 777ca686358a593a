// SPDX-License-Identifier: GPL-2.0
#include "sign.h"
#include "config.h"
#include "inifile.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYFILE_MAX (16 * 1024)

int crypto_setup(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

void hash_buf(const void *data, size_t len, uint8_t out[HASH_BYTES])
{
	crypto_generichash(out, HASH_BYTES, data, len, NULL, 0);
}

int hash_fd(int fd, uint8_t out[HASH_BYTES])
{
	crypto_generichash_state st;
	uint8_t buf[65536];
	off_t off = 0;

	crypto_generichash_init(&st, NULL, 0, HASH_BYTES);
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		crypto_generichash_update(&st, buf, n);
		off += n;
	}
	crypto_generichash_final(&st, out, HASH_BYTES);
	return 0;
}

int hash_file(const char *path, uint8_t out[HASH_BYTES])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = hash_fd(fd, out);
	close(fd);
	return ret;
}

void key_id(const uint8_t pk[PK_BYTES], char out[KEY_ID_LEN + 1])
{
	uint8_t h[HASH_BYTES];

	hash_buf(pk, PK_BYTES, h);
	hex_encode(h, KEY_ID_LEN / 2, out);
}

void keynum_hex(const uint8_t keynum[KEYNUM_BYTES], char out[KEY_ID_LEN + 1])
{
	static const char digits[] = "0123456789ABCDEF";

	/* minisign prints the keynum as a little-endian 64-bit number */
	for (int i = 0; i < KEYNUM_BYTES; i++) {
		uint8_t b = keynum[KEYNUM_BYTES - 1 - i];

		out[2 * i] = digits[b >> 4];
		out[2 * i + 1] = digits[b & 15];
	}
	out[KEY_ID_LEN] = 0;
}

/* The keynum logosd's keygen gives a key: the first 8 bytes of BLAKE2b-256(pk). */
static void keynum_of(const uint8_t pk[PK_BYTES], uint8_t keynum[KEYNUM_BYTES])
{
	uint8_t h[HASH_BYTES];

	hash_buf(pk, PK_BYTES, h);
	memcpy(keynum, h, KEYNUM_BYTES);
}

int date_parse_end(const char *s, time_t *t)
{
	struct tm tm = { 0 }, back;
	int y, m, d, n = 0;
	time_t v;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || s[n])
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	v = timegm(&tm);
	if (v == (time_t)-1 || !gmtime_r(&v, &back) || back.tm_year != y - 1900 ||
	    back.tm_mon != m - 1 || back.tm_mday != d)
		return -EINVAL;
	*t = v + 86400;
	return 0;
}

/* ---- the file formats ---------------------------------------------------- */

#define UNTRUSTED "untrusted comment: "
#define TRUSTED "trusted comment: "
#define SECKEY_BYTES 158	/* minisign: alg kdf chk salt ops mem keynum sk chk */
#define PUBKEY_BYTES 42		/* alg keynum pk */
#define SIGLINE_BYTES 74	/* alg keynum sig */

/* The next line of @data (no '\n', no '\r') into @line; false at the end. */
static bool next_line(const char **p, const char *end, char *line, size_t cap)
{
	const char *s = *p, *e;
	size_t n;

	if (s >= end)
		return false;
	e = memchr(s, '\n', end - s);
	if (!e)
		e = end;
	*p = e < end ? e + 1 : end;
	n = e - s;
	if (n && s[n - 1] == '\r')
		n--;
	if (n >= cap)
		n = cap - 1;	/* too long: cut, the decoders refuse it */
	memcpy(line, s, n);
	line[n] = 0;
	return true;
}

static int b64_decode(const char *in, uint8_t *out, size_t cap, size_t *len)
{
	return sodium_base642bin(out, cap, in, strlen(in), NULL, len, NULL,
				 sodium_base64_VARIANT_ORIGINAL) ? -EINVAL : 0;
}

static bool is_minisign(const char *data, size_t len)
{
	return len >= strlen(UNTRUSTED) && !memcmp(data, UNTRUSTED, strlen(UNTRUSTED));
}

/* ---- the INI files of logosd 0.1 (read only) ---------------------- */

struct keyfile {
	char *secret, *public, *max_trust, *comment, *not_after, *role;
};

static void keyfile_kv(struct parser *p, const char *s, const char *k, const char *v)
{
	struct keyfile *f = p->target;

	if (!is(s, "Key"))
		perr(p, "unknown section [%s]", s);
	else if (is(k, "Secret"))
		set_str(p, s, k, v, &f->secret);
	else if (is(k, "Public"))
		set_str(p, s, k, v, &f->public);
	else if (is(k, "MaxTrust"))
		set_str(p, s, k, v, &f->max_trust);
	else if (is(k, "Comment"))
		set_str(p, s, k, v, &f->comment);
	else if (is(k, "NotAfter"))
		set_str(p, s, k, v, &f->not_after);
	else
		perr(p, "unknown key %s in [%s]", k, s);
}

static void keyfile_free(struct keyfile *f)
{
	if (f->secret)
		sodium_memzero(f->secret, strlen(f->secret));
	free(f->secret);
	free(f->public);
	free(f->max_trust);
	free(f->comment);
	free(f->not_after);
	free(f->role);
	memset(f, 0, sizeof(*f));	/* freeing twice is harmless */
}

static int keyfile_parse(const char *path, char *data, size_t len, struct keyfile *f,
			 char ***errors)
{
	struct parser p = { .file = path, .errors = errors, .handle = keyfile_kv, .target = f,
			    .data = data, .len = len };
	int ret;

	memset(f, 0, sizeof(*f));
	ret = run_parser(&p);
	if (ret)
		keyfile_free(f);
	return ret;
}

/* ---- keys ---------------------------------------------------------------- */

static int write_new(const char *path, mode_t mode, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write_all(fd, text, strlen(text));
	close(fd);
	return ret;
}

int keygen_until(const char *prefix, uint32_t max_trust, const char *comment, time_t not_after)
{
	uint8_t pk[PK_BYTES], sk[SK_BYTES], raw[SECKEY_BYTES] = { 0 }, pub[PUBKEY_BYTES];
	char path[PATH_MAX], b64[2 * SECKEY_BYTES + 4], id[KEY_ID_LEN + 1], buf[1024];
	char until[64] = "";
	int ret;

	crypto_sign_keypair(pk, sk);
	memcpy(raw, "Ed\0\0B2", 6);
	keynum_of(pk, raw + 54);
	memcpy(raw + 62, sk, SK_BYTES);
	/* minisign's checksum: BLAKE2b-256(alg || keynum || sk) */
	{
		crypto_generichash_state st;

		crypto_generichash_init(&st, NULL, 0, 32);
		crypto_generichash_update(&st, raw, 2);
		crypto_generichash_update(&st, raw + 54, KEYNUM_BYTES + SK_BYTES);
		crypto_generichash_final(&st, raw + 126, 32);
	}
	keynum_hex(raw + 54, id);
	sodium_bin2base64(b64, sizeof(b64), raw, SECKEY_BYTES, sodium_base64_VARIANT_ORIGINAL);
	snprintf(buf, sizeof(buf),
		 UNTRUSTED "logos secret key %s (minisign, unencrypted): keep it secret, never in trusted.d\n%s\n",
		 id, b64);
	snprintf(path, sizeof(path), "%s.key", prefix);
	ret = write_new(path, 0600, buf);
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(b64, sizeof(b64));
	sodium_memzero(buf, sizeof(buf));
	if (ret)
		return ret;
	memcpy(pub, "Ed", 2);
	keynum_of(pk, pub + 2);
	memcpy(pub + 10, pk, PK_BYTES);
	sodium_bin2base64(b64, sizeof(b64), pub, PUBKEY_BYTES, sodium_base64_VARIANT_ORIGINAL);
	if (not_after) {
		time_t last = not_after - 86400;
		struct tm tm;

		gmtime_r(&last, &tm);
		strftime(until, sizeof(until), "NotAfter = %Y-%m-%d\n", &tm);
	}
	snprintf(buf, sizeof(buf),
		 UNTRUSTED "minisign public key %s\n%s\n"
		 "# logosd's lines (minisign reads only the two above); copy into /etc/logos/trusted.d/ to trust it\n"
		 "MaxTrust = %s\n%sComment = %s\n",
		 id, b64, trust_name(max_trust), until, comment && *comment ? comment : "none");
	snprintf(path, sizeof(path), "%s.pub", prefix);
	return write_new(path, 0644, buf);
}

int keygen(const char *prefix, uint32_t max_trust, const char *comment)
{
	return keygen_until(prefix, max_trust, comment, 0);
}

static int seckey_minisign(const char *path, const char *data, size_t len,
			   uint8_t sk[SK_BYTES], uint8_t keynum[KEYNUM_BYTES], char ***errors)
{
	const char *p = data, *end = data + len;
	char line[512];
	uint8_t raw[SECKEY_BYTES], chk[32];
	size_t n = 0;
	int ret = -EINVAL;

	next_line(&p, end, line, sizeof(line));
	if (!next_line(&p, end, line, sizeof(line)) || b64_decode(line, raw, sizeof(raw), &n) ||
	    n != SECKEY_BYTES) {
		config_error(errors, path, 0, "the second line is not a minisign secret key");
		goto out;
	}
	if (memcmp(raw, "Ed", 2) || memcmp(raw + 4, "B2", 2)) {
		config_error(errors, path, 0, "a secret key for algorithm \"%.2s\": logosd signs with Ed25519 (\"Ed\") only",
			     (const char *)raw);
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	if (raw[2] || raw[3]) {
		config_error(errors, path, 0, "the key is encrypted with a password (minisign -G without -W): logosd signs only with unencrypted keys");
		ret = -EOPNOTSUPP;
		goto out;
	}
	{
		crypto_generichash_state st;

		crypto_generichash_init(&st, NULL, 0, sizeof(chk));
		crypto_generichash_update(&st, raw, 2);
		crypto_generichash_update(&st, raw + 54, KEYNUM_BYTES + SK_BYTES);
		crypto_generichash_final(&st, chk, sizeof(chk));
	}
	/* minisign -W leaves the checksum zero */
	if (sodium_memcmp(chk, raw + 126, 32) && !sodium_is_zero(raw + 126, 32)) {
		config_error(errors, path, 0, "the secret key's checksum is wrong (damaged file)");
		goto out;
	}
	memcpy(keynum, raw + 54, KEYNUM_BYTES);
	memcpy(sk, raw + 62, SK_BYTES);
	ret = 0;
out:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(line, sizeof(line));
	return ret;
}

int seckey_load_num(const char *path, uint8_t sk[SK_BYTES], uint8_t keynum[KEYNUM_BYTES],
		    char ***errors)
{
	struct keyfile f;
	struct stat st;
	char *data;
	size_t len;
	int ret;

	ret = read_file(path, &data, &len, KEYFILE_MAX);
	if (ret) {
		config_error(errors, path, 0, "cannot read: %s", strerror(-ret));
		return ret;
	}
	if (is_minisign(data, len)) {
		ret = seckey_minisign(path, data, len, sk, keynum, errors);
	} else {
		ret = keyfile_parse(path, data, len, &f, errors);
		if (!ret) {
			if (!f.secret || hex_decode(f.secret, sk, SK_BYTES)) {
				config_error(errors, path, 0, "no valid Secret (128 hex digits) in [Key]");
				ret = -EINVAL;
			}
			keyfile_free(&f);
		}
		if (!ret)
			keynum_of(sk + 32, keynum);	/* libsodium keeps pk in sk[32..63] */
	}
	sodium_memzero(data, len);
	free(data);
	if (!ret && !stat(path, &st) && (st.st_mode & 077)) {
		config_error(errors, path, 0, "a secret key must not be readable by others (chmod 600)");
		ret = -EPERM;
	}
	if (ret)
		sodium_memzero(sk, SK_BYTES);
	return ret;
}

int seckey_load(const char *path, uint8_t sk[SK_BYTES], char ***errors)
{
	uint8_t keynum[KEYNUM_BYTES];

	return seckey_load_num(path, sk, keynum, errors);
}

/* logosd's "Key = Value" lines after a minisign public key. */
static int pubkey_fields(const char *path, const char *p, const char *end, struct keyfile *f,
			 char ***errors)
{
	char line[512];
	unsigned int no = 2;

	memset(f, 0, sizeof(*f));
	while (next_line(&p, end, line, sizeof(line))) {
		char *k = line, *v, *e;
		char **slot;

		no++;
		k += strspn(k, " \t");
		if (!*k || *k == '#')
			continue;
		v = strchr(k, '=');
		if (!v) {
			config_error(errors, path, no, "expected Key = Value");
			return -EINVAL;
		}
		for (e = v; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = 0;
		v++;
		v += strspn(v, " \t");
		for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = 0;
		if (is(k, "MaxTrust")) {
			slot = &f->max_trust;
		} else if (is(k, "NotAfter")) {
			slot = &f->not_after;
		} else if (is(k, "Comment")) {
			slot = &f->comment;
		} else if (is(k, "Role")) {
			slot = &f->role;
		} else {
			config_error(errors, path, no, "unknown key %s (MaxTrust, NotAfter, Comment, Role)", k);
			return -EINVAL;
		}
		free(*slot);
		*slot = strdup(v);
	}
	return 0;
}

int pubkey_load(const char *path, struct pubkey *key, char ***errors)
{
	struct keyfile f = { 0 };
	char *data, line[512];
	const char *p;
	uint8_t raw[PUBKEY_BYTES + 1];
	size_t len, n = 0;
	int ret;

	memset(key, 0, sizeof(*key));
	key->max_trust = LOGOS_TRUST_USER;
	key->role = KEY_ROLE_SIGN | KEY_ROLE_ENDORSE;
	ret = read_file(path, &data, &len, KEYFILE_MAX);
	if (ret) {
		config_error(errors, path, 0, "cannot read: %s", strerror(-ret));
		return ret;
	}
	if (!is_minisign(data, len)) {
		/* logosd 0.1: [Key] Public = hex, which was Ed25519 */
		ret = keyfile_parse(path, data, len, &f, errors);
		if (ret)
			goto out;
		if (!f.public || hex_decode(f.public, key->pk, PK_BYTES)) {
			config_error(errors, path, 0, "no valid Public (64 hex digits) in [Key]");
			ret = -EINVAL;
		} else if (f.secret) {
			config_error(errors, path, 0, "holds a Secret: never put secret keys in trusted.d");
			ret = -EPERM;
		}
		keynum_of(key->pk, key->keynum);
		key->legacy = true;
	} else {
		p = data;
		next_line(&p, data + len, line, sizeof(line));
		if (!next_line(&p, data + len, line, sizeof(line)) ||
		    b64_decode(line, raw, sizeof(raw), &n) || n != PUBKEY_BYTES) {
			config_error(errors, path, 2, "not a minisign public key (a secret key has no place in trusted.d)");
			ret = -EINVAL;
			goto out;
		}
		if (memcmp(raw, "Ed", 2)) {
			config_error(errors, path, 2, "a key for algorithm \"%.2s\": this logosd knows Ed25519 (\"Ed\") only",
				     (const char *)raw);
			ret = -EPROTONOSUPPORT;
			goto out;
		}
		memcpy(key->keynum, raw + 2, KEYNUM_BYTES);
		memcpy(key->pk, raw + 10, PK_BYTES);
		ret = pubkey_fields(path, p, data + len, &f, errors);
	}
	if (!ret && f.max_trust && trust_parse(f.max_trust, &key->max_trust)) {
		config_error(errors, path, 0, "MaxTrust must be untrusted, user, system or core");
		ret = -EINVAL;
	}
	if (!ret && f.not_after && date_parse_end(f.not_after, &key->not_after)) {
		config_error(errors, path, 0, "NotAfter must be a date, YYYY-MM-DD (UTC)");
		ret = -EINVAL;
	}
	if (!ret && f.role && key_role_parse(f.role, &key->role)) {
		config_error(errors, path, 0, "Role must be sign, endorse, or sign, endorse");
		ret = -EINVAL;
	}
	if (!ret) {
		memcpy(key->alg, "Ed", 3);
		keynum_hex(key->keynum, key->id);
		str_copy(key->comment, sizeof(key->comment), f.comment ? f.comment : "");
		str_copy(key->path, sizeof(key->path), path);
	}
out:
	keyfile_free(&f);
	free(data);
	return ret;
}

static bool valid_id(const char *s)
{
	if (strlen(s) != KEY_ID_LEN)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'F')))
			return false;
	return true;
}

/* trusted.d/revoked: key ids, one a line, '#' comments. */
static void revoked_load(const char *dir, struct keyring *kr, char ***errors)
{
	char path[PATH_MAX], *data, line[256];
	const char *p, *end;
	unsigned int no = 0;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/revoked", dir);
	ret = read_file(path, &data, &len, KEYFILE_MAX * 16);
	if (ret) {
		if (ret != -ENOENT)
			config_error(errors, path, 0, "cannot read: %s", strerror(-ret));
		return;
	}
	for (p = data, end = data + len; next_line(&p, end, line, sizeof(line));) {
		char *s = line + strspn(line, " \t"), (*nr)[KEY_ID_LEN + 1];

		no++;
		s[strcspn(s, " \t#")] = 0;
		if (!*s)
			continue;
		for (char *c = s; *c; c++)
			if (*c >= 'a' && *c <= 'f')
				*c -= 'a' - 'A';
		if (!valid_id(s)) {
			config_error(errors, path, no, "\"%s\" is not a key id (16 hex digits, as minisign prints it)",
				     s);
			continue;
		}
		nr = realloc(kr->revoked, (kr->nr_revoked + 1) * sizeof(*nr));
		if (!nr)
			break;
		kr->revoked = nr;
		str_copy(kr->revoked[kr->nr_revoked++], KEY_ID_LEN + 1, s);
	}
	free(data);
}

static void endorsed_load(const char *dir, struct keyring *kr, char ***errors);

int keyring_load(const char *dir, struct keyring *kr, char ***errors)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	memset(kr, 0, sizeof(*kr));
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	revoked_load(dir, kr, errors);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[PATH_MAX];
		struct pubkey key, *nk;

		if (len < 5 || strcmp(e->d_name + len - 4, ".pub") || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (pubkey_load(path, &key, errors))
			continue;
		key.revoked = keyring_revoked(kr, key.id);
		if (key.revoked)
			memcpy(key.revoked_by, key.id, sizeof(key.id));
		nk = realloc(kr->keys, (kr->n + 1) * sizeof(*nk));
		if (!nk)
			break;
		kr->keys = nk;
		kr->keys[kr->n++] = key;
	}
	closedir(d);
	endorsed_load(dir, kr, errors);
	return 0;
}

void keyring_free(struct keyring *kr)
{
	free(kr->keys);
	free(kr->revoked);
	memset(kr, 0, sizeof(*kr));
}

const struct pubkey *keyring_find(const struct keyring *kr, const char *id)
{
	for (size_t i = 0; i < kr->n; i++)
		if (!strcmp(kr->keys[i].id, id))
			return &kr->keys[i];
	return NULL;
}

const char *keyring_revoked_by(const struct keyring *kr, const char *id)
{
	const struct pubkey *k = keyring_find(kr, id);

	for (size_t i = 0; i < kr->nr_revoked; i++)
		if (!strcmp(kr->revoked[i], id))
			return kr->revoked[i];
	return k && k->revoked ? k->revoked_by : NULL;
}

bool keyring_revoked(const struct keyring *kr, const char *id)
{
	return keyring_revoked_by(kr, id) != NULL;
}

int key_role_parse(const char *s, unsigned int *role)
{
	char buf[64], *save = NULL, *tok;

	*role = 0;
	if (str_copy(buf, sizeof(buf), s))
		return -EINVAL;
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (!strcmp(tok, "sign"))
			*role |= KEY_ROLE_SIGN;
		else if (!strcmp(tok, "endorse"))
			*role |= KEY_ROLE_ENDORSE;
		else
			return -EINVAL;
	}
	return *role ? 0 : -EINVAL;
}

const char *key_role_name(unsigned int role)
{
	switch (role & (KEY_ROLE_SIGN | KEY_ROLE_ENDORSE)) {
	case KEY_ROLE_SIGN: return "sign";
	case KEY_ROLE_ENDORSE: return "endorse";
	case KEY_ROLE_SIGN | KEY_ROLE_ENDORSE: return "sign, endorse";
	default: return "none";
	}
}

/* ---- signature algorithms ------------------------------------------------ */

/*
 * The algorithms a signature may name. Adding one (a post-quantum scheme
 * once a distribution library offers it) is a row here and a key
 * algorithm in pubkey_load(); a signature naming anything else is refused.
 */
static int ed25519_verify(const uint8_t *sig, const uint8_t *msg, size_t len, const uint8_t *pk)
{
	return crypto_sign_verify_detached(sig, msg, len, pk) ? -EKEYREJECTED : 0;
}

static const struct sig_alg {
	char id[ALG_LEN + 1];
	char key_alg[ALG_LEN + 1];
	const char *name;
	bool prehash;		/* signs BLAKE2b-512 of the manifest */
	int (*verify)(const uint8_t *sig, const uint8_t *msg, size_t len, const uint8_t *pk);
} sig_algs[] = {
	{ "ED", "Ed", "Ed25519 over BLAKE2b-512", true, ed25519_verify },
	{ "Ed", "Ed", "Ed25519", false, ed25519_verify },
};

static const struct sig_alg *sig_alg_find(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(sig_algs); i++)
		if (!memcmp(sig_algs[i].id, id, ALG_LEN))
			return &sig_algs[i];
	return NULL;
}

/* ---- module signatures --------------------------------------------------- */

int sig_claim_format(const struct sig_claim *c, char *buf, size_t cap)
{
	char h[2 * HASH_BYTES + 1];
	int n;

	hex_encode(c->binary_hash, HASH_BYTES, h);
	n = snprintf(buf, cap, "logos-module name=%s version=%s trust=%s binary-blake2b256=%s",
		     c->name, c->version, c->trust, h);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int sig_claim_parse(const char *s, struct sig_claim *c, char *why, size_t cap)
{
	char buf[TRUSTED_COMMENT_MAX], *save = NULL, *tok;
	bool have_hash = false;

	memset(c, 0, sizeof(*c));
	str_copy(buf, sizeof(buf), s);
	tok = strtok_r(buf, " ", &save);
	if (!tok || strcmp(tok, "logos-module")) {
		snprintf(why, cap, "the signature is not a logos module signature (its trusted comment is \"%.80s\"): sign modules with logosd --sign",
			 s);
		return -EBADMSG;
	}
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *v = strchr(tok, '=');
		int ret = 0;

		if (!v)
			goto bad;
		*v++ = 0;
		if (!strcmp(tok, "name")) {
			ret = str_copy(c->name, sizeof(c->name), v);
		} else if (!strcmp(tok, "version")) {
			ret = str_copy(c->version, sizeof(c->version), v);
		} else if (!strcmp(tok, "trust")) {
			ret = str_copy(c->trust, sizeof(c->trust), v);
		} else if (!strcmp(tok, "binary-blake2b256")) {
			ret = hex_decode(v, c->binary_hash, HASH_BYTES);
			have_hash = !ret;
		} else {
			snprintf(why, cap, "the signature claims \"%s\", which this logosd does not know", tok);
			return -EBADMSG;
		}
		if (ret)
			goto bad;
	}
	if (c->name[0] && c->version[0] && c->trust[0] && have_hash)
		return 0;
bad:
	snprintf(why, cap, "the signature's trusted comment is malformed (\"%.80s\"): it needs name=, version=, trust= and binary-blake2b256=",
		 s);
	return -EBADMSG;
}

static void sig_prepare(const struct sig_alg *a, const char *m, size_t mlen, uint8_t *buf,
			const uint8_t **msg, size_t *len)
{
	if (a->prehash) {
		crypto_generichash(buf, crypto_generichash_BYTES_MAX, (const uint8_t *)m, mlen, NULL, 0);
		*msg = buf;
		*len = crypto_generichash_BYTES_MAX;
	} else {
		*msg = (const uint8_t *)m;
		*len = mlen;
	}
}

/* A minisign signature ("ED") of @m with trusted comment @comment. */
static int sign_text(const char *key_path, const char *m, size_t mlen, const char *comment,
		     const char *untrusted, char **out, size_t *outlen, uint8_t keynum[KEYNUM_BYTES],
		     char ***errors)
{
	const struct sig_alg *a = sig_alg_find("ED");
	uint8_t sk[SK_BYTES], line[SIGLINE_BYTES], gmsg[SIG_BYTES + TRUSTED_COMMENT_MAX];
	uint8_t ph[crypto_generichash_BYTES_MAX], gsig[SIG_BYTES];
	char b1[2 * SIGLINE_BYTES], b2[2 * SIG_BYTES + 4];
	const uint8_t *msg;
	size_t len, clen;
	int ret;

	ret = seckey_load_num(key_path, sk, line + 2, errors);
	if (ret)
		return ret;
	if (keynum)
		memcpy(keynum, line + 2, KEYNUM_BYTES);
	if (strlen(comment) >= TRUSTED_COMMENT_MAX) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	memcpy(line, a->id, ALG_LEN);
	sig_prepare(a, m, mlen, ph, &msg, &len);
	crypto_sign_detached(line + 10, NULL, msg, len, sk);
	clen = strlen(comment);
	memcpy(gmsg, line + 10, SIG_BYTES);
	memcpy(gmsg + SIG_BYTES, comment, clen);
	crypto_sign_detached(gsig, NULL, gmsg, SIG_BYTES + clen, sk);
	sodium_bin2base64(b1, sizeof(b1), line, SIGLINE_BYTES, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(b2, sizeof(b2), gsig, SIG_BYTES, sodium_base64_VARIANT_ORIGINAL);
	len = strlen(untrusted) + strlen(comment) + strlen(b1) + strlen(b2) + 64;
	*out = malloc(len);
	if (!*out) {
		ret = -ENOMEM;
		goto out;
	}
	*outlen = snprintf(*out, len, UNTRUSTED "%s\n%s\n" TRUSTED "%s\n%s\n", untrusted, b1,
			   comment, b2);
out:
	sodium_memzero(sk, sizeof(sk));
	return ret;
}

int sign_manifest(const char *key_path, const char *m, size_t mlen,
		  const struct sig_claim *claim, const char *untrusted, char **out,
		  size_t *outlen, char ***errors)
{
	char comment[TRUSTED_COMMENT_MAX];

	if (sig_claim_format(claim, comment, sizeof(comment))) {
		config_error(errors, key_path, 0, "the trusted comment would be too long");
		return -ENAMETOOLONG;
	}
	return sign_text(key_path, m, mlen, comment, untrusted, out, outlen, NULL, errors);
}

int sig_parse(const char *data, size_t len, struct sig_info *sig, char *why, size_t cap)
{
	const char *p = data, *end = data + len;
	char line[TRUSTED_COMMENT_MAX + 64];
	uint8_t raw[SIGLINE_BYTES + 1];
	size_t n = 0;

	memset(sig, 0, sizeof(*sig));
	if (!is_minisign(data, len)) {
		if (memmem(data, len, "[Signature]", 11)) {
			snprintf(why, cap, "the signature is in logosd's old format (logos-module-signature-v1), which does not bind the module's name, version and trust level: sign the module again with logosd --sign");
			return -EKEYREJECTED;
		}
		snprintf(why, cap, "not a signature (minisign's format: 4 lines, the first \"untrusted comment: \")");
		return -EKEYREJECTED;
	}
	next_line(&p, end, line, sizeof(line));
	if (!next_line(&p, end, line, sizeof(line)) || b64_decode(line, raw, sizeof(raw), &n) ||
	    n < ALG_LEN) {
		snprintf(why, cap, "the signature's second line is not base64 of a signature");
		return -EKEYREJECTED;
	}
	if (!sig_alg_find((const char *)raw)) {
		snprintf(why, cap, "the signature uses algorithm \"%.2s\", which this logosd does not know (it knows \"ED\" and \"Ed\": Ed25519)",
			 (const char *)raw);
		return -EPROTONOSUPPORT;
	}
	if (n != SIGLINE_BYTES) {
		snprintf(why, cap, "the signature's second line has %zu bytes, not %d", n, SIGLINE_BYTES);
		return -EKEYREJECTED;
	}
	memcpy(sig->alg, raw, ALG_LEN);
	memcpy(sig->keynum, raw + 2, KEYNUM_BYTES);
	memcpy(sig->sig, raw + 10, SIG_BYTES);
	keynum_hex(sig->keynum, sig->key_id);
	if (!next_line(&p, end, line, sizeof(line)) || strncmp(line, TRUSTED, strlen(TRUSTED)) ||
	    strlen(line) - strlen(TRUSTED) >= sizeof(sig->comment)) {
		snprintf(why, cap, "the signature has no trusted comment (third line \"trusted comment: \", at most %d bytes)",
			 TRUSTED_COMMENT_MAX - 1);
		return -EKEYREJECTED;
	}
	str_copy(sig->comment, sizeof(sig->comment), line + strlen(TRUSTED));
	if (!next_line(&p, end, line, sizeof(line)) ||
	    b64_decode(line, sig->global_sig, SIG_BYTES, &n) || n != SIG_BYTES) {
		snprintf(why, cap, "the signature's fourth line is not base64 of the trusted comment's signature");
		return -EKEYREJECTED;
	}
	return 0;
}

/* 0: @sig holds over @m and its trusted comment for @key; 1: not over @m; 2: not its comment. */
static int sig_holds(const struct sig_alg *a, const struct sig_info *sig, const char *m,
		     size_t mlen, const struct pubkey *key)
{
	uint8_t ph[crypto_generichash_BYTES_MAX], gmsg[SIG_BYTES + TRUSTED_COMMENT_MAX];
	size_t len, clen = strlen(sig->comment);
	const uint8_t *msg;

	sig_prepare(a, m, mlen, ph, &msg, &len);
	if (a->verify(sig->sig, msg, len, key->pk))
		return 1;
	memcpy(gmsg, sig->sig, SIG_BYTES);
	memcpy(gmsg + SIG_BYTES, sig->comment, clen);
	if (a->verify(sig->global_sig, gmsg, SIG_BYTES + clen, key->pk))
		return 2;
	return 0;
}

int sig_check(const struct keyring *kr, const struct sig_info *sig, const char *m, size_t mlen,
	      const struct sig_claim *expect, time_t now, const struct pubkey **signer,
	      char *why, size_t cap)
{
	const struct pubkey *key = keyring_find(kr, sig->key_id);
	const struct sig_alg *a = sig_alg_find(sig->alg);
	struct sig_claim c;
	int ret;

	if (!a) {
		snprintf(why, cap, "the signature uses algorithm \"%s\", which this logosd does not know",
			 sig->alg);
		return -EPROTONOSUPPORT;
	}
	if (!key || key->revoked) {
		const char *by = keyring_revoked_by(kr, sig->key_id);

		if (by && strcmp(by, sig->key_id)) {
			snprintf(why, cap, "signed by key %s, endorsed by key %s, which is revoked (trusted.d/revoked)",
				 sig->key_id, by);
			return -EKEYREVOKED;
		}
		if (key || by) {
			snprintf(why, cap, "signed by key %s, which is revoked (trusted.d/revoked)",
				 sig->key_id);
			return -EKEYREVOKED;
		}
		snprintf(why, cap, "signed by key %s, which is not in trusted.d", sig->key_id);
		return -ENOKEY;
	}
	if (strcmp(a->key_alg, key->alg)) {
		snprintf(why, cap, "the signature's algorithm \"%s\" needs a key of algorithm \"%s\"; key %s is \"%s\"",
			 a->id, a->key_alg, key->id, key->alg);
		return -EPROTONOSUPPORT;
	}
	if (!(key->role & KEY_ROLE_SIGN)) {
		snprintf(why, cap, "signed by key %s, which may only endorse keys, not sign modules (Role = %s in %s)",
			 key->id, key_role_name(key->role), key->path);
		return -EKEYREJECTED;
	}
	if (key->not_after && now >= key->not_after) {
		time_t last = key->not_after - 86400;
		struct tm tm;
		char day[16];

		gmtime_r(&last, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		snprintf(why, cap, "signed by key %s, which expired after %s (NotAfter in %s)",
			 key->id, day, key->path);
		return -EKEYEXPIRED;
	}
	ret = sig_holds(a, sig, m, mlen, key);
	if (ret == 1) {
		snprintf(why, cap, "the manifest does not match its signature: the signature is not valid for key %s (the manifest was changed after signing, or the signature is forged)",
			 key->id);
		return -EKEYREJECTED;
	}
	if (ret) {
		snprintf(why, cap, "the signature's trusted comment was changed after signing (its signature is not valid for key %s)",
			 key->id);
		return -EKEYREJECTED;
	}
	ret = sig_claim_parse(sig->comment, &c, why, cap);
	if (ret)
		return ret;
	if (strcmp(c.name, expect->name) || strcmp(c.version, expect->version) ||
	    strcmp(c.trust, expect->trust)) {
		snprintf(why, cap, "the signature is for module %s version %s trust %s, not for %s version %s trust %s",
			 c.name, c.version, c.trust, expect->name, expect->version, expect->trust);
		return -EBADMSG;
	}
	if (sodium_memcmp(c.binary_hash, expect->binary_hash, HASH_BYTES)) {
		snprintf(why, cap, "the executable does not match its signature (changed after signing)");
		return -EBADMSG;
	}
	*signer = key;
	snprintf(why, cap, "signed by key %s (%s)", key->id, key->comment);
	return 0;
}

/* ---- endorsed keys (trusted.d/endorsed/) --------------------------------- */

int endorse_claim_format(const struct endorse_claim *c, char *buf, size_t cap)
{
	char until[32] = "";
	int n;

	if (c->not_after) {
		time_t last = c->not_after - 86400;
		struct tm tm;

		gmtime_r(&last, &tm);
		strftime(until, sizeof(until), " not-after=%Y-%m-%d", &tm);
	}
	n = snprintf(buf, cap, "logos-endorse key=%s max-trust=%s%s", c->key_id,
		     trust_name(c->max_trust), until);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int endorse_claim_parse(const char *s, struct endorse_claim *c, char *why, size_t cap)
{
	char buf[TRUSTED_COMMENT_MAX], *save = NULL, *tok;
	bool have_trust = false;

	memset(c, 0, sizeof(*c));
	str_copy(buf, sizeof(buf), s);
	tok = strtok_r(buf, " ", &save);
	if (!tok || strcmp(tok, "logos-endorse")) {
		snprintf(why, cap, "not a key endorsement (its trusted comment is \"%.80s\"): endorse keys with logosctl key endorse",
			 s);
		return -EBADMSG;
	}
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *v = strchr(tok, '=');

		if (!v)
			goto bad;
		*v++ = 0;
		if (!strcmp(tok, "key")) {
			if (!valid_id(v))
				goto bad;
			str_copy(c->key_id, sizeof(c->key_id), v);
		} else if (!strcmp(tok, "max-trust")) {
			if (trust_parse(v, &c->max_trust))
				goto bad;
			have_trust = true;
		} else if (!strcmp(tok, "not-after")) {
			if (date_parse_end(v, &c->not_after))
				goto bad;
		} else {
			snprintf(why, cap, "the endorsement claims \"%.40s\", which this logosd does not know",
				 tok);
			return -EBADMSG;
		}
	}
	if (c->key_id[0] && have_trust)
		return 0;
bad:
	snprintf(why, cap, "the endorsement's trusted comment is malformed (\"%.80s\"): it needs key=ID and max-trust=LEVEL, and not-after=YYYY-MM-DD if any",
		 s);
	return -EBADMSG;
}

int endorse_key(const char *signer_key, const char *pub_path, int max_trust, time_t not_after,
		char **out, size_t *outlen, char ***errors)
{
	struct endorse_claim c = { .not_after = not_after };
	char comment[TRUSTED_COMMENT_MAX], untrusted[128], *data = NULL;
	uint8_t keynum[KEYNUM_BYTES];
	struct pubkey key;
	size_t len;
	int ret;

	ret = pubkey_load(pub_path, &key, errors);
	if (ret)
		return ret;
	if (key.legacy) {
		config_error(errors, pub_path, 0, "a public key of logosd 0.1: make a new key with logosctl keygen to endorse");
		return -EINVAL;
	}
	ret = read_file(pub_path, &data, &len, KEYFILE_MAX);
	if (ret) {
		config_error(errors, pub_path, 0, "cannot read: %s", strerror(-ret));
		return ret;
	}
	memcpy(c.key_id, key.id, sizeof(c.key_id));
	c.max_trust = max_trust < 0 ? key.max_trust : (uint32_t)max_trust;
	endorse_claim_format(&c, comment, sizeof(comment));
	snprintf(untrusted, sizeof(untrusted), "logos endorsement of key %s", key.id);
	ret = sign_text(signer_key, data, len, comment, untrusted, out, outlen, keynum, errors);
	if (!ret && !memcmp(keynum, key.keynum, KEYNUM_BYTES)) {
		config_error(errors, pub_path, 0, "a key cannot endorse itself");
		free(*out);
		*out = NULL;
		ret = -ELOOP;
	}
	free(data);
	return ret;
}

struct candidate {
	struct pubkey key;
	struct sig_info sig;
	char *data;		/* the .pub's bytes, which the endorsement signs */
	size_t len;
	bool done;
};

/* Does @c's endorsement hold for @e? Its claim in *@claim. */
static int endorse_check(const struct pubkey *e, const struct candidate *c,
			 struct endorse_claim *claim, char *why, size_t cap)
{
	const struct sig_alg *a = sig_alg_find(c->sig.alg);

	if (!(e->role & KEY_ROLE_ENDORSE)) {
		snprintf(why, cap, "endorsed by key %s, which may not endorse keys (Role = %s)", e->id,
			 key_role_name(e->role));
		return -EKEYREJECTED;
	}
	if (!a || strcmp(a->key_alg, e->alg)) {
		snprintf(why, cap, "the endorsement's algorithm \"%s\" does not fit key %s", c->sig.alg,
			 e->id);
		return -EPROTONOSUPPORT;
	}
	if (sig_holds(a, &c->sig, c->data, c->len, e)) {
		snprintf(why, cap, "the endorsement is not valid for key %s (the .pub or the endorsement was changed, or it is forged)",
			 e->id);
		return -EKEYREJECTED;
	}
	if (endorse_claim_parse(c->sig.comment, claim, why, cap))
		return -EBADMSG;
	if (strcmp(claim->key_id, c->key.id)) {
		snprintf(why, cap, "the endorsement is for key %s, not for key %s", claim->key_id,
			 c->key.id);
		return -EBADMSG;
	}
	return 0;
}

static time_t earliest(time_t a, time_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* Why @c was not reached from an anchor: a cycle, too long a chain, no endorser. */
static void endorse_unreached(const struct keyring *kr, struct candidate *cs, size_t n,
			      struct candidate *c, char *why, size_t cap)
{
	struct candidate *cur = c;

	for (size_t steps = 0; steps <= n; steps++) {
		struct candidate *next = NULL;

		for (size_t i = 0; i < n; i++)
			if (!cs[i].done && !strcmp(cs[i].key.id, cur->sig.key_id))
				next = &cs[i];
		if (next == c) {
			snprintf(why, cap, "key %s is endorsed in a cycle (its endorsements lead back to itself): not trusted",
				 c->key.id);
			return;
		}
		if (!next) {
			if (keyring_find(kr, cur->sig.key_id))
				snprintf(why, cap, "key %s is more than %d endorsements away from a key in trusted.d: not trusted",
					 c->key.id, ENDORSE_DEPTH_MAX);
			else
				snprintf(why, cap, "key %s is endorsed by key %s, which is not trusted: not trusted",
					 c->key.id, cur->sig.key_id);
			return;
		}
		cur = next;
	}
	snprintf(why, cap, "key %s is endorsed by keys that endorse each other in a cycle: not trusted",
		 c->key.id);
}

static void endorsed_load(const char *dir, struct keyring *kr, char ***errors)
{
	struct candidate *cs = NULL;
	char sub[PATH_MAX], why[512];
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	snprintf(sub, sizeof(sub), "%s/endorsed", dir);
	d = opendir(sub);
	if (!d) {
		if (errno != ENOENT)
			config_error(errors, sub, 0, "cannot read: %s", strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[PATH_MAX + 256], epath[PATH_MAX + 272], *edata;
		struct candidate c = { 0 }, *nc;
		size_t elen;

		if (len < 5 || strcmp(e->d_name + len - 4, ".pub") || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
		if (pubkey_load(path, &c.key, errors))
			continue;
		snprintf(epath, sizeof(epath), "%s.endorsement", path);
		if (read_file(path, &c.data, &c.len, KEYFILE_MAX))
			continue;
		if (read_file(epath, &edata, &elen, KEYFILE_MAX)) {
			config_error(errors, path, 0, "no %s.endorsement next to it: an endorsed key is trusted only through its endorsement",
				     e->d_name);
			free(c.data);
			continue;
		}
		if (sig_parse(edata, elen, &c.sig, why, sizeof(why))) {
			config_error(errors, epath, 0, "%s", why);
			free(edata);
			free(c.data);
			continue;
		}
		free(edata);
		nc = realloc(cs, (n + 1) * sizeof(*nc));
		if (!nc) {
			free(c.data);
			break;
		}
		cs = nc;
		cs[n++] = c;
	}
	closedir(d);
	/* breadth first from the anchors: a key's depth is its shortest chain */
	for (unsigned int depth = 1; depth <= ENDORSE_DEPTH_MAX; depth++) {
		size_t before = kr->n;	/* the keys of depth < @depth */

		for (size_t i = 0; i < n; i++) {
			struct candidate *c = &cs[i];
			struct endorse_claim claim;
			struct pubkey endorser, *nk;
			bool found = false;

			if (c->done)
				continue;
			for (size_t k = 0; k < before && !found; k++)
				if (!strcmp(kr->keys[k].id, c->sig.key_id)) {
					endorser = kr->keys[k];
					found = true;
				}
			if (!found)
				continue;
			c->done = true;
			if (endorse_check(&endorser, c, &claim, why, sizeof(why))) {
				config_error(errors, c->key.path, 0, "not trusted: %s", why);
				continue;
			}
			if (keyring_find(kr, c->key.id)) {
				config_error(errors, c->key.path, 0, "key %s is already trusted (in trusted.d, or endorsed twice): this endorsement is ignored",
					     c->key.id);
				continue;
			}
			c->key.depth = endorser.depth + 1;
			memcpy(c->key.endorser, endorser.id, sizeof(endorser.id));
			if (claim.max_trust < c->key.max_trust)
				c->key.max_trust = claim.max_trust;
			if (endorser.max_trust < c->key.max_trust)
				c->key.max_trust = endorser.max_trust;
			c->key.not_after = earliest(earliest(c->key.not_after, claim.not_after),
						    endorser.not_after);
			if (keyring_revoked(kr, c->key.id)) {
				c->key.revoked = true;
				memcpy(c->key.revoked_by, c->key.id, sizeof(c->key.id));
			} else if (endorser.revoked) {
				c->key.revoked = true;
				memcpy(c->key.revoked_by, endorser.revoked_by, sizeof(endorser.revoked_by));
			}
			nk = realloc(kr->keys, (kr->n + 1) * sizeof(*nk));
			if (!nk)
				break;
			kr->keys = nk;
			kr->keys[kr->n++] = c->key;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!cs[i].done) {
			endorse_unreached(kr, cs, n, &cs[i], why, sizeof(why));
			config_error(errors, cs[i].key.path, 0, "%s", why);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(cs[i].data);
	free(cs);
}
