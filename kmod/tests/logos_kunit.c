// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of logos.ko. They run under UML (tests/kunit/run) because
 * Debian's kernel is built without CONFIG_KUNIT.
 */

#include "../device.h"

#include <kunit/test.h>

static void logos_version_test(struct kunit *test)
{
	struct logos_version ver;

	memset(&ver, 0xa5, sizeof(ver));
	logos_fill_version(&ver);
	KUNIT_EXPECT_EQ(test, ver.major, LOGOS_ABI_MAJOR);
	KUNIT_EXPECT_EQ(test, ver.minor, LOGOS_ABI_MINOR);
	KUNIT_EXPECT_EQ(test, ver.flags, 0U);
	KUNIT_EXPECT_EQ(test, ver.reserved[0], 0ULL);
	KUNIT_EXPECT_EQ(test, ver.reserved[1], 0ULL);
}

static struct kunit_case logos_version_cases[] = {
	KUNIT_CASE(logos_version_test),
	{}
};

static struct kunit_suite logos_version_suite = {
	.name = "logos_version",
	.test_cases = logos_version_cases,
};

kunit_test_suite(logos_version_suite);
