// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: per-module charges, limits and the warning mark.
 */

#include "../module.h"
#include "../quota.h"

#include <kunit/test.h>
#include <linux/slab.h>

static struct logos_module *logos_test_module(struct kunit *test, u64 events_limit)
{
	struct logos_module *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	u64 limits[LOGOS_RES_COUNT] = { [LOGOS_RES_EVENTS] = events_limit };

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_EQ(test, logos_quota_init(&m->quota, limits), 0);
	return m;
}

static void logos_quota_limit_test(struct kunit *test)
{
	struct logos_module *m = logos_test_module(test, 4);
	struct logos_quota *q = &m->quota;
	int i;

	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 1), 0);
	/* Over the limit: refused, counted, nothing charged. */
	KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 1), -EDQUOT);
	KUNIT_EXPECT_EQ(test, atomic64_read(&q->usage[LOGOS_RES_EVENTS]), 4LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&q->denied_quota), 1LL);
	/* A charge of several units is all or nothing. */
	logos_uncharge(m, LOGOS_RES_EVENTS, 2);
	KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 3), -EDQUOT);
	KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 2), 0);
	logos_uncharge(m, LOGOS_RES_EVENTS, 4);
	KUNIT_EXPECT_EQ(test, atomic64_read(&q->usage[LOGOS_RES_EVENTS]), 0LL);
}

static void logos_quota_dynamic_test(struct kunit *test)
{
	struct logos_module *m = logos_test_module(test, 2);

	KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 2), 0);
	KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 1), -EDQUOT);
	KUNIT_EXPECT_EQ(test, logos_quota_set(m, LOGOS_RES_EVENTS, 3), 0);
	KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 1), 0);
	/* Below usage is allowed: nothing is taken away, new charges fail. */
	KUNIT_EXPECT_EQ(test, logos_quota_set(m, LOGOS_RES_EVENTS, 1), 0);
	KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 1), -EDQUOT);
	KUNIT_EXPECT_EQ(test, logos_quota_set(m, LOGOS_RES_EVENTS, LOGOS_LIMIT_UNLIMITED), 0);
	KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 1000), 0);
	KUNIT_EXPECT_EQ(test, logos_quota_set(m, __LOGOS_RES_MAX, 1), -EINVAL);
}

static void logos_quota_warning_test(struct kunit *test)
{
	struct logos_module *m = logos_test_module(test, 10);
	struct logos_quota *q = &m->quota;

	KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 7), 0);
	KUNIT_EXPECT_FALSE(test, test_bit(LOGOS_RES_EVENTS, &q->warned));
	KUNIT_EXPECT_EQ(test, logos_charge(m, LOGOS_RES_EVENTS, 1), 0);	/* 80 % */
	KUNIT_EXPECT_TRUE(test, test_bit(LOGOS_RES_EVENTS, &q->warned));
	/* Below the mark again: the next crossing warns again. */
	logos_uncharge(m, LOGOS_RES_EVENTS, 2);
	KUNIT_EXPECT_FALSE(test, test_bit(LOGOS_RES_EVENTS, &q->warned));
}

static void logos_quota_bad_limits_test(struct kunit *test)
{
	struct logos_module *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	u64 limits[LOGOS_RES_COUNT] = {};

	KUNIT_ASSERT_NOT_NULL(test, m);
	/* Entries past the known resources must be zero. */
	limits[LOGOS_RES_COUNT - 1] = 1;
	if (__LOGOS_RES_MAX < LOGOS_RES_COUNT)
		KUNIT_EXPECT_EQ(test, logos_quota_init(&m->quota, limits), -EINVAL);
	limits[LOGOS_RES_COUNT - 1] = 0;
	KUNIT_EXPECT_EQ(test, logos_quota_init(&m->quota, limits), 0);
	/* 0 means the module parameter's default, never "nothing". */
	KUNIT_EXPECT_GT(test, m->quota.limit[LOGOS_RES_HANDLES], 0ULL);
}

static struct kunit_case logos_quota_cases[] = {
	KUNIT_CASE(logos_quota_limit_test),
	KUNIT_CASE(logos_quota_dynamic_test),
	KUNIT_CASE(logos_quota_warning_test),
	KUNIT_CASE(logos_quota_bad_limits_test),
	{}
};

static struct kunit_suite logos_quota_suite = {
	.name = "logos_quota",
	.test_cases = logos_quota_cases,
};

kunit_test_suite(logos_quota_suite);
