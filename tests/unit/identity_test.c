// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of module identities (Ed25519 through libsodium): the
 * RFC 8032 test vector, signatures, and the seed file's safety rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <logos/secure.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

/* RFC 8032, 7.1, TEST 1. */
static const uint8_t seed1[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
};
static const char pk1_hex[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

TEST(identity_from_seed_matches_rfc8032)
{
	struct logos_identity id;
	char hex[65];

	ASSERT_EQ(0, logos_identity_from_seed(&id, seed1));
	logos_key_to_hex(id.public_key, hex);
	EXPECT_STREQ(pk1_hex, hex);
}

TEST(signatures_verify_and_tampering_does_not)
{
	struct logos_identity a, b;
	uint8_t sig[LOGOS_SIGNATURE_BYTES];
	char msg[] = "module manifest";

	ASSERT_EQ(0, logos_identity_generate(&a));
	ASSERT_EQ(0, logos_identity_generate(&b));
	EXPECT_NE(0, memcmp(a.public_key, b.public_key, LOGOS_KEY_BYTES));
	ASSERT_EQ(0, logos_identity_sign(&a, msg, strlen(msg), sig));
	EXPECT_EQ(0, logos_identity_verify(a.public_key, msg, strlen(msg), sig));
	EXPECT_EQ(-EBADMSG, logos_identity_verify(b.public_key, msg, strlen(msg), sig));
	msg[0] ^= 1;
	EXPECT_EQ(-EBADMSG, logos_identity_verify(a.public_key, msg, strlen(msg), sig));
	msg[0] ^= 1;
	sig[10] ^= 1;
	EXPECT_EQ(-EBADMSG, logos_identity_verify(a.public_key, msg, strlen(msg), sig));
}

TEST(wipe_clears_the_secret)
{
	static const uint8_t zero[sizeof(struct logos_identity)];
	struct logos_identity id;

	ASSERT_EQ(0, logos_identity_generate(&id));
	logos_identity_wipe(&id);
	EXPECT_EQ(0, memcmp(&id, zero, sizeof(id)));
}

FIXTURE(seedfile) {
	char dir[64];
	char path[96];
};

FIXTURE_SETUP(seedfile)
{
	strcpy(self->dir, "/tmp/logos-identity-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/id", self->dir);
}

FIXTURE_TEARDOWN(seedfile)
{
	unlink(self->path);
	rmdir(self->dir);
}

TEST_F(seedfile, save_then_load_gives_the_same_identity)
{
	struct logos_identity a, b;
	struct stat st;

	ASSERT_EQ(0, logos_identity_generate(&a));
	ASSERT_EQ(0, logos_identity_save(&a, self->path));
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	EXPECT_EQ(LOGOS_KEY_BYTES, st.st_size);
	ASSERT_EQ(0, logos_identity_load(&b, self->path));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

TEST_F(seedfile, save_never_overwrites)
{
	struct logos_identity a;

	ASSERT_EQ(0, logos_identity_generate(&a));
	ASSERT_EQ(0, logos_identity_save(&a, self->path));
	EXPECT_EQ(-EEXIST, logos_identity_save(&a, self->path));
}

TEST_F(seedfile, load_refuses_a_readable_file)
{
	struct logos_identity a;

	ASSERT_EQ(0, logos_identity_generate(&a));
	ASSERT_EQ(0, logos_identity_save(&a, self->path));
	ASSERT_EQ(0, chmod(self->path, 0644));
	EXPECT_EQ(-EACCES, logos_identity_load(&a, self->path));
}

TEST_F(seedfile, load_refuses_a_file_of_the_wrong_size)
{
	struct logos_identity a;
	int fd = open(self->path, O_WRONLY | O_CREAT, 0600);

	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "short", 5));
	close(fd);
	EXPECT_EQ(-EINVAL, logos_identity_load(&a, self->path));
	EXPECT_EQ(-ENOENT, logos_identity_load(&a, "/nonexistent/logos-id"));
}

TEST_HARNESS_MAIN
