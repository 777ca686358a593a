// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Module identities: Ed25519 key pairs, their seed files, signatures. */
#include "internal.h"

#include <fcntl.h>
#include <logos/secure.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(LOGOS_KEY_BYTES == crypto_sign_PUBLICKEYBYTES, "public key size");
_Static_assert(LOGOS_SECRET_KEY_BYTES == crypto_sign_SECRETKEYBYTES, "secret key size");
_Static_assert(LOGOS_KEY_BYTES == crypto_sign_SEEDBYTES, "seed size");
_Static_assert(LOGOS_SIGNATURE_BYTES == crypto_sign_BYTES, "signature size");

int logos__sodium_init(void)
{
	/* Thread-safe and idempotent; 1 means "already done". */
	return sodium_init() < 0 ? -EIO : 0;
}

int logos_identity_generate(struct logos_identity *id)
{
	int ret = logos__sodium_init();

	if (ret)
		return ret;
	return crypto_sign_keypair(id->public_key, id->secret_key) ? -EIO : 0;
}

int logos_identity_from_seed(struct logos_identity *id, const uint8_t *seed)
{
	int ret = logos__sodium_init();

	if (ret)
		return ret;
	return crypto_sign_seed_keypair(id->public_key, id->secret_key, seed) ? -EIO : 0;
}

int logos_identity_load(struct logos_identity *id, const char *path)
{
	uint8_t seed[LOGOS_KEY_BYTES + 1];
	struct stat st;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	ret = -EACCES;
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		goto out;
	n = read(fd, seed, sizeof(seed));
	ret = n < 0 ? -errno : n != LOGOS_KEY_BYTES ? -EINVAL : 0;
	if (!ret)
		ret = logos_identity_from_seed(id, seed);
out:
	sodium_memzero(seed, sizeof(seed));
	close(fd);
	return ret;
}

int logos_identity_save(const struct logos_identity *id, const char *path)
{
	uint8_t seed[LOGOS_KEY_BYTES];
	ssize_t n;
	int fd, ret;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	crypto_sign_ed25519_sk_to_seed(seed, id->secret_key);
	n = write(fd, seed, sizeof(seed));
	ret = n < 0 ? -errno : n != sizeof(seed) ? -EIO : 0;
	if (!ret && fsync(fd))
		ret = -errno;
	sodium_memzero(seed, sizeof(seed));
	close(fd);
	if (ret)
		unlink(path);
	return ret;
}

void logos_identity_wipe(struct logos_identity *id)
{
	sodium_memzero(id, sizeof(*id));
}

void logos_key_to_hex(const uint8_t *key, char *hex)
{
	sodium_bin2hex(hex, 2 * LOGOS_KEY_BYTES + 1, key, LOGOS_KEY_BYTES);
}

int logos_identity_sign(const struct logos_identity *id, const void *msg, size_t len,
			uint8_t *signature)
{
	int ret = logos__sodium_init();

	if (ret)
		return ret;
	return crypto_sign_detached(signature, NULL, msg, len, id->secret_key) ? -EIO : 0;
}

int logos_identity_verify(const uint8_t *public_key, const void *msg, size_t len,
			  const uint8_t *signature)
{
	int ret = logos__sodium_init();

	if (ret)
		return ret;
	return crypto_sign_verify_detached(signature, msg, len, public_key) ? -EBADMSG : 0;
}
