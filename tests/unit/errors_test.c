// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of logos_strerror() and the name helpers: every errno
 * that Documentation/errors.md or liblogos documents has a sentence of
 * its own that says what to do.
 */
#include <errno.h>
#include <fcntl.h>
#include <logos/core.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

static const int documented[] = {
	EPERM, ENOENT, ESRCH, EINTR, ENXIO, E2BIG, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY,
	EEXIST, EINVAL, ENFILE, EMFILE, ENOTTY, ENOSPC, EPIPE, ERANGE, EPROTO, EBADMSG, EMSGSIZE,
	EPROTOTYPE, EOPNOTSUPP, ECONNREFUSED, ECONNRESET, ENOBUFS, ETIMEDOUT, EDQUOT,
	EKEYREVOKED, EKEYREJECTED, EOWNERDEAD,
};

TEST(every_documented_errno_has_its_own_advice)
{
	size_t i, j;

	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++) {
		const char *s = logos_strerror(-documented[i]);

		EXPECT_EQ(NULL, strstr(s, "not an error logos.ko")) {
			TH_LOG("errno %d has no text of its own", documented[i]);
		}
		/* Advice, not just a name: a colon or semicolon and a verb after it. */
		EXPECT_TRUE(strlen(s) > 40) {
			TH_LOG("errno %d: too short: %s", documented[i], s);
		}
		for (j = 0; j < i; j++)
			EXPECT_NE(s, logos_strerror(documented[j]));
	}
}

TEST(sign_of_the_errno_does_not_matter)
{
	EXPECT_EQ(logos_strerror(EKEYREVOKED), logos_strerror(-EKEYREVOKED));
	EXPECT_STREQ("success", logos_strerror(0));
}

TEST(unknown_errnos_are_described_with_their_number)
{
	const char *s = logos_strerror(-ENOLINK);
	char want[32];

	snprintf(want, sizeof(want), "errno %d", ENOLINK);
	EXPECT_NE(NULL, strstr(s, want));
	EXPECT_NE(NULL, strstr(logos_strerror(-123456), "123456"));
}

TEST(names_of_enums)
{
	EXPECT_STREQ("RUNNING", logos_state_name(LOGOS_STATE_RUNNING));
	EXPECT_STREQ("TERMINATED", logos_state_name(LOGOS_STATE_TERMINATED));
	EXPECT_STREQ("?", logos_state_name(99));
	EXPECT_STREQ("mapped_pages", logos_resource_name(LOGOS_RES_MAPPED_PAGES));
	EXPECT_STREQ("topic", logos_type_name(LOGOS_OBJ_TOPIC));
	EXPECT_STREQ("core", logos_trust_name(LOGOS_TRUST_CORE));
	EXPECT_STREQ("?", logos_trust_name(4));
}

TEST(library_version_matches_the_header)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", LOGOS_LIB_VERSION_MAJOR, LOGOS_LIB_VERSION_MINOR,
		 LOGOS_LIB_VERSION_PATCH);
	EXPECT_STREQ(want, logos_library_version());
}

TEST(without_logos_ko_calls_fail_cleanly)
{
	struct logos_version v;

	/* The host has no /dev/logos (or no permission): a clean errno. */
	int fd = logos_open();

	if (fd >= 0)
		SKIP(return, "/dev/logos exists on this host");
	EXPECT_TRUE(fd == -ENOENT || fd == -EACCES || fd == -EPERM);
	EXPECT_EQ(-EBADF, logos_get_version(-1, &v));
	/* Not a logos file: the ioctl is unknown there. */
	fd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, logos_get_version(fd, &v));
	EXPECT_EQ(-ENOTTY, logos_check_abi(fd));
	close(fd);
}

TEST_HARNESS_MAIN
