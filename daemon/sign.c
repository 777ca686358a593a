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

/* ---- key files --------------------------------------------------------- */

struct keyfile {
	char *secret, *public, *max_trust, *comment;
	char *sig_key, *sig_manifest, *sig_binary, *sig_sig;
};

static void keyfile_kv(struct parser *p, const char *s, const char *k, const char *v)
{
	struct keyfile *f = p->target;

	if (is(s, "Key")) {
		if (is(k, "Secret"))
			set_str(p, s, k, v, &f->secret);
		else if (is(k, "Public"))
			set_str(p, s, k, v, &f->public);
		else if (is(k, "MaxTrust"))
			set_str(p, s, k, v, &f->max_trust);
		else if (is(k, "Comment"))
			set_str(p, s, k, v, &f->comment);
		else
			perr(p, "unknown key %s in [%s]", k, s);
	} else if (is(s, "Signature")) {
		if (is(k, "Key"))
			set_str(p, s, k, v, &f->sig_key);
		else if (is(k, "Manifest"))
			set_str(p, s, k, v, &f->sig_manifest);
		else if (is(k, "Binary"))
			set_str(p, s, k, v, &f->sig_binary);
		else if (is(k, "Signature"))
			set_str(p, s, k, v, &f->sig_sig);
		else
			perr(p, "unknown key %s in [%s]", k, s);
	} else {
		perr(p, "unknown section [%s]", s);
	}
}

static void keyfile_free(struct keyfile *f)
{
	if (f->secret)
		sodium_memzero(f->secret, strlen(f->secret));
	free(f->secret);
	free(f->public);
	free(f->max_trust);
	free(f->comment);
	free(f->sig_key);
	free(f->sig_manifest);
	free(f->sig_binary);
	free(f->sig_sig);
}

static int keyfile_parse(const char *path, struct keyfile *f, char ***errors)
{
	struct parser p = { .file = path, .errors = errors, .handle = keyfile_kv, .target = f };
	char *data;
	size_t len;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = read_file(path, &data, &len, KEYFILE_MAX);
	if (ret) {
		config_error(errors, path, 0, "cannot read: %s", strerror(-ret));
		return ret;
	}
	p.data = data;
	p.len = len;
	ret = run_parser(&p);
	sodium_memzero(data, len);
	free(data);
	if (ret)
		keyfile_free(f);
	return ret;
}

int keygen(const char *prefix, uint32_t max_trust, const char *comment)
{
	uint8_t pk[PK_BYTES], sk[SK_BYTES];
	char path[PATH_MAX], hex[2 * SK_BYTES + 1], buf[1024];
	int fd, n, ret;

	crypto_sign_keypair(pk, sk);
	snprintf(path, sizeof(path), "%s.key", prefix);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	hex_encode(sk, SK_BYTES, hex);
	n = snprintf(buf, sizeof(buf),
		     "# logos Ed25519 secret key: keep it secret, never in trusted.d\n"
		     "[Key]\nSecret = %s\n", hex);
	ret = write_all(fd, buf, n);
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s.pub", prefix);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	hex_encode(pk, PK_BYTES, hex);
	n = snprintf(buf, sizeof(buf),
		     "# logos Ed25519 public key: copy into /etc/logos/trusted.d/ to trust it\n"
		     "[Key]\nPublic = %s\nMaxTrust = %s\nComment = %s\n",
		     hex, trust_name(max_trust), comment && *comment ? comment : "none");
	ret = write_all(fd, buf, n);
	close(fd);
	return ret;
}

int seckey_load(const char *path, uint8_t sk[SK_BYTES], char ***errors)
{
	struct keyfile f;
	struct stat st;
	int ret = keyfile_parse(path, &f, errors);

	if (ret)
		return ret;
	if (!f.secret || hex_decode(f.secret, sk, SK_BYTES)) {
		config_error(errors, path, 0, "no valid Secret (128 hex digits) in [Key]");
		ret = -EINVAL;
	} else if (!stat(path, &st) && (st.st_mode & 077)) {
		config_error(errors, path, 0, "a secret key must not be readable by others (chmod 600)");
		ret = -EPERM;
	}
	keyfile_free(&f);
	return ret;
}

int pubkey_load(const char *path, struct pubkey *key, char ***errors)
{
	struct keyfile f;
	int ret = keyfile_parse(path, &f, errors);

	if (ret)
		return ret;
	memset(key, 0, sizeof(*key));
	key->max_trust = LOGOS_TRUST_USER;
	if (!f.public || hex_decode(f.public, key->pk, PK_BYTES)) {
		config_error(errors, path, 0, "no valid Public (64 hex digits) in [Key]");
		ret = -EINVAL;
	} else if (f.secret) {
		config_error(errors, path, 0, "holds a Secret: never put secret keys in trusted.d");
		ret = -EPERM;
	} else if (f.max_trust && trust_parse(f.max_trust, &key->max_trust)) {
		config_error(errors, path, 0, "MaxTrust must be untrusted, user, system or core");
		ret = -EINVAL;
	}
	if (!ret) {
		key_id(key->pk, key->id);
		str_copy(key->comment, sizeof(key->comment), f.comment ? f.comment : "");
		str_copy(key->path, sizeof(key->path), path);
	}
	keyfile_free(&f);
	return ret;
}

int keyring_load(const char *dir, struct keyring *kr, char ***errors)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	memset(kr, 0, sizeof(*kr));
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[PATH_MAX];
		struct pubkey key, *nk;

		if (len < 5 || strcmp(e->d_name + len - 4, ".pub") || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (pubkey_load(path, &key, errors))
			continue;
		nk = realloc(kr->keys, (kr->n + 1) * sizeof(*nk));
		if (!nk)
			break;
		kr->keys = nk;
		kr->keys[kr->n++] = key;
	}
	closedir(d);
	return 0;
}

void keyring_free(struct keyring *kr)
{
	free(kr->keys);
	memset(kr, 0, sizeof(*kr));
}

const struct pubkey *keyring_find(const struct keyring *kr, const char *id)
{
	for (size_t i = 0; i < kr->n; i++)
		if (!strcmp(kr->keys[i].id, id))
			return &kr->keys[i];
	return NULL;
}

/* ---- module signatures --------------------------------------------- */

size_t sign_message(const uint8_t mh[HASH_BYTES], const uint8_t bh[HASH_BYTES], char *buf,
		    size_t cap)
{
	char a[2 * HASH_BYTES + 1], b[2 * HASH_BYTES + 1];

	hex_encode(mh, HASH_BYTES, a);
	hex_encode(bh, HASH_BYTES, b);
	return snprintf(buf, cap, "logos-module-signature-v1\nmanifest %s\nbinary %s\n", a, b);
}

int sign_module(const char *key_path, const char *manifest_path, const char *executable,
		char ***errors)
{
	uint8_t sk[SK_BYTES], mh[HASH_BYTES], bh[HASH_BYTES], sig[SIG_BYTES];
	char msg[256], path[PATH_MAX], out[1024], id[KEY_ID_LEN + 1];
	char hm[2 * HASH_BYTES + 1], hb[2 * HASH_BYTES + 1], hs[2 * SIG_BYTES + 1];
	size_t len;
	int ret;

	ret = seckey_load(key_path, sk, errors);
	if (ret)
		return ret;
	ret = hash_file(manifest_path, mh);
	if (ret) {
		config_error(errors, manifest_path, 0, "cannot read: %s", strerror(-ret));
		goto out;
	}
	ret = hash_file(executable, bh);
	if (ret) {
		config_error(errors, executable, 0, "cannot read: %s", strerror(-ret));
		goto out;
	}
	len = sign_message(mh, bh, msg, sizeof(msg));
	crypto_sign_detached(sig, NULL, (const uint8_t *)msg, len, sk);
	key_id(sk + 32, id);	/* libsodium keeps the public key in sk[32..63] */
	hex_encode(mh, HASH_BYTES, hm);
	hex_encode(bh, HASH_BYTES, hb);
	hex_encode(sig, SIG_BYTES, hs);
	len = snprintf(out, sizeof(out),
		       "# logos module signature of %s and its executable %s\n"
		       "[Signature]\nKey = %s\nManifest = %s\nBinary = %s\nSignature = %s\n",
		       manifest_path, executable, id, hm, hb, hs);
	snprintf(path, sizeof(path), "%s.sig", manifest_path);
	ret = write_file_atomic(path, out, len, 0644);
	if (ret)
		config_error(errors, path, 0, "cannot write: %s", strerror(-ret));
out:
	sodium_memzero(sk, sizeof(sk));
	return ret;
}

int sig_load(const char *path, struct sig_info *sig, char ***errors)
{
	struct keyfile f;
	int ret = keyfile_parse(path, &f, errors);

	if (ret)
		return ret;
	memset(sig, 0, sizeof(*sig));
	if (!f.sig_key || strlen(f.sig_key) != KEY_ID_LEN || !f.sig_manifest ||
	    hex_decode(f.sig_manifest, sig->manifest_hash, HASH_BYTES) || !f.sig_binary ||
	    hex_decode(f.sig_binary, sig->binary_hash, HASH_BYTES) || !f.sig_sig ||
	    hex_decode(f.sig_sig, sig->sig, SIG_BYTES)) {
		config_error(errors, path, 0,
			     "[Signature] needs Key (16 hex digits), Manifest and Binary (64), Signature (128)");
		ret = -EINVAL;
	} else {
		str_copy(sig->key_id, sizeof(sig->key_id), f.sig_key);
	}
	keyfile_free(&f);
	return ret;
}

int sig_check(const struct keyring *kr, const struct sig_info *sig,
	      const uint8_t mh[HASH_BYTES], const uint8_t bh[HASH_BYTES],
	      const struct pubkey **signer, char *why, size_t cap)
{
	const struct pubkey *key = keyring_find(kr, sig->key_id);
	char msg[256];
	size_t len;

	if (!key) {
		snprintf(why, cap, "signed by key %s, which is not in trusted.d", sig->key_id);
		return -ENOKEY;
	}
	if (sodium_memcmp(sig->manifest_hash, mh, HASH_BYTES)) {
		snprintf(why, cap, "the manifest does not match its signature (changed after signing)");
		return -EBADMSG;
	}
	if (sodium_memcmp(sig->binary_hash, bh, HASH_BYTES)) {
		snprintf(why, cap, "the executable does not match its signature (changed after signing)");
		return -EBADMSG;
	}
	len = sign_message(mh, bh, msg, sizeof(msg));
	if (crypto_sign_verify_detached(sig->sig, (const uint8_t *)msg, len, key->pk)) {
		snprintf(why, cap, "the signature is not valid for key %s", key->id);
		return -EKEYREJECTED;
	}
	*signer = key;
	snprintf(why, cap, "signed by key %s (%s)", key->id, key->comment);
	return 0;
}
