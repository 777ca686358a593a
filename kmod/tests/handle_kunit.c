// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: handle tables, rights arithmetic and the revocation tree.
 */

#include "../handle.h"
#include "../object.h"

#include <kunit/test.h>
#include <linux/slab.h>

static int logos_test_freed;

static void logos_test_free(struct logos_object *obj)
{
	logos_test_freed++;
	kfree(obj);
}

static const struct logos_object_ops logos_test_ops = {
	.type = LOGOS_OBJ_EVENT,
	.free = logos_test_free,
};

/* A fresh object with a root handle in @table. */
static u32 logos_test_object(struct kunit *test, struct logos_handle_table *table, u32 rights)
{
	struct logos_object *obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	struct logos_cap *cap;
	u32 value = 0;

	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, logos_object_init(obj, &logos_test_ops, NULL), 0);
	cap = logos_cap_new_root(obj, rights);
	KUNIT_ASSERT_NOT_NULL(test, cap);
	KUNIT_ASSERT_EQ(test, logos_table_install(table, cap, &value), 0);
	return value;
}

static int logos_test_err(struct logos_handle_table *table, u32 value)
{
	struct logos_object *obj = logos_handle_get(table, value, LOGOS_OBJ_NONE, 0);

	if (IS_ERR(obj))
		return PTR_ERR(obj);
	logos_object_put(obj);
	return 0;
}

static void logos_handle_values_test(struct kunit *test)
{
	struct logos_handle_table table;
	u32 a, b, c;

	logos_test_freed = 0;
	logos_table_init(&table, NULL);
	a = logos_test_object(test, &table, LOGOS_RIGHTS_ALL);
	b = logos_test_object(test, &table, LOGOS_RIGHTS_ALL);
	KUNIT_EXPECT_NE(test, a, 0U);
	KUNIT_EXPECT_TRUE(test, a & 1);
	KUNIT_EXPECT_NE(test, a, b);
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, a), 0);

	/* Closed: the value is dead, and the slot's next value differs. */
	KUNIT_EXPECT_EQ(test, logos_handle_close(&table, a), 0);
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, a), -EBADF);
	KUNIT_EXPECT_EQ(test, logos_handle_close(&table, a), -EBADF);
	c = logos_test_object(test, &table, LOGOS_RIGHTS_ALL);
	KUNIT_EXPECT_NE(test, c, a);
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, a), -EBADF);

	/* Even values, 0 and SELF never name anything. */
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, 0), -EBADF);
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, c & ~1U), -EBADF);
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, LOGOS_HANDLE_SELF), -EBADF);

	logos_table_release(&table);
	KUNIT_EXPECT_EQ(test, logos_test_freed, 3);
}

static void logos_handle_growth_test(struct kunit *test)
{
	struct logos_handle_table table;
	u32 values[100];
	int i;

	logos_test_freed = 0;
	logos_table_init(&table, NULL);
	for (i = 0; i < 100; i++)
		values[i] = logos_test_object(test, &table, LOGOS_RIGHT_READ);
	/* Every value still resolves after the table grew under it. */
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, logos_test_err(&table, values[i]), 0);
	KUNIT_EXPECT_EQ(test, table.nr_used, 100U);
	logos_table_release(&table);
	KUNIT_EXPECT_EQ(test, logos_test_freed, 100);
	/* A dead table takes nothing new. */
	KUNIT_EXPECT_TRUE(test, table.dead);
}

static void logos_rights_test(struct kunit *test)
{
	struct logos_handle_table table;
	struct logos_object *obj;
	u32 h, dup, dup2;

	logos_table_init(&table, NULL);
	h = logos_test_object(test, &table, LOGOS_RIGHT_READ | LOGOS_RIGHT_DUPLICATE);

	KUNIT_EXPECT_TRUE(test, logos_rights_subset(LOGOS_RIGHT_READ, LOGOS_RIGHTS_ALL));
	KUNIT_EXPECT_FALSE(test, logos_rights_subset(LOGOS_RIGHT_WRITE, LOGOS_RIGHT_READ));

	/* More rights than the source: refused, never silently reduced. */
	KUNIT_EXPECT_EQ(test, logos_handle_duplicate(&table, h, LOGOS_RIGHT_WRITE, &dup), -EPERM);
	KUNIT_EXPECT_EQ(test, logos_handle_duplicate(&table, h, 0x100, &dup), -EINVAL);
	KUNIT_ASSERT_EQ(test, logos_handle_duplicate(&table, h, LOGOS_RIGHT_READ, &dup), 0);
	/* The copy lacks DUPLICATE, so it cannot be copied again. */
	KUNIT_EXPECT_EQ(test, logos_handle_duplicate(&table, dup, LOGOS_RIGHTS_SAME, &dup2),
			-EPERM);

	obj = logos_handle_get(&table, dup, LOGOS_OBJ_NONE, LOGOS_RIGHT_WRITE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(obj), -EPERM);
	obj = logos_handle_get(&table, dup, LOGOS_OBJ_MODULE, LOGOS_RIGHT_READ);
	KUNIT_EXPECT_EQ(test, PTR_ERR(obj), -EPROTOTYPE);

	/* Replace shrinks in place and never grows. */
	KUNIT_EXPECT_EQ(test, logos_handle_replace(&table, h, LOGOS_RIGHT_READ), 0);
	KUNIT_EXPECT_EQ(test, logos_handle_replace(&table, h, LOGOS_RIGHT_DUPLICATE), -EPERM);
	logos_table_release(&table);
}

static void logos_revoke_tree_test(struct kunit *test)
{
	struct logos_handle_table t1, t2;
	struct logos_handle_info info = {};
	u32 root, a, b, c, sibling, given, count = 0;
	u64 root_cap;

	logos_table_init(&t1, NULL);
	logos_table_init(&t2, NULL);
	root = logos_test_object(test, &t1, LOGOS_RIGHTS_ALL);
	KUNIT_ASSERT_EQ(test, logos_handle_duplicate(&t1, root, LOGOS_RIGHTS_SAME, &a), 0);
	KUNIT_ASSERT_EQ(test, logos_handle_duplicate(&t1, a, LOGOS_RIGHTS_SAME, &b), 0);
	KUNIT_ASSERT_EQ(test, logos_handle_duplicate(&t1, root, LOGOS_RIGHTS_SAME, &sibling), 0);
	/* Across tables: a transfer is a derivation too. */
	KUNIT_ASSERT_EQ(test, logos_handle_give(&t1, b, LOGOS_RIGHTS_SAME, &t2, false, &given), 0);
	KUNIT_ASSERT_EQ(test, logos_handle_duplicate(&t2, given, LOGOS_RIGHTS_SAME, &c), 0);

	info.handle = root;
	KUNIT_ASSERT_EQ(test, logos_handle_info(&t1, &info), 0);
	root_cap = info.cap_id;
	KUNIT_EXPECT_EQ(test, info.parent_cap_id, 0ULL);
	info.handle = a;
	KUNIT_ASSERT_EQ(test, logos_handle_info(&t1, &info), 0);
	KUNIT_EXPECT_EQ(test, info.parent_cap_id, root_cap);

	/* Revoke in the middle: descendants die, ancestors and siblings live. */
	KUNIT_ASSERT_EQ(test, logos_handle_revoke(&t1, a, &count), 0);
	KUNIT_EXPECT_EQ(test, count, 3U);	/* b, given, c */
	KUNIT_EXPECT_EQ(test, logos_test_err(&t1, b), -EKEYREVOKED);
	KUNIT_EXPECT_EQ(test, logos_test_err(&t2, given), -EKEYREVOKED);
	KUNIT_EXPECT_EQ(test, logos_test_err(&t2, c), -EKEYREVOKED);
	KUNIT_EXPECT_EQ(test, logos_test_err(&t1, a), 0);
	KUNIT_EXPECT_EQ(test, logos_test_err(&t1, root), 0);
	KUNIT_EXPECT_EQ(test, logos_test_err(&t1, sibling), 0);
	/* A revoked handle can still be closed, and only closed. */
	KUNIT_EXPECT_EQ(test, logos_handle_close(&t2, c), 0);

	logos_table_release(&t2);
	logos_table_release(&t1);
}

static void logos_revoke_reparent_test(struct kunit *test)
{
	struct logos_handle_table table;
	u32 root, mid, leaf, count = 0;

	logos_table_init(&table, NULL);
	root = logos_test_object(test, &table, LOGOS_RIGHTS_ALL);
	KUNIT_ASSERT_EQ(test, logos_handle_duplicate(&table, root, LOGOS_RIGHTS_SAME, &mid), 0);
	KUNIT_ASSERT_EQ(test, logos_handle_duplicate(&table, mid, LOGOS_RIGHTS_SAME, &leaf), 0);
	/* Closing the middle moves the leaf up: the root still reaches it. */
	KUNIT_ASSERT_EQ(test, logos_handle_close(&table, mid), 0);
	KUNIT_ASSERT_EQ(test, logos_handle_revoke(&table, root, &count), 0);
	KUNIT_EXPECT_EQ(test, count, 1U);
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, leaf), -EKEYREVOKED);
	/* Without REVOKE, no revoke. */
	KUNIT_ASSERT_EQ(test, logos_handle_replace(&table, root, LOGOS_RIGHT_READ), 0);
	KUNIT_EXPECT_EQ(test, logos_handle_revoke(&table, root, &count), -EPERM);
	logos_table_release(&table);
}

static void logos_take_atomic_test(struct kunit *test)
{
	struct logos_handle_table table;
	struct logos_msg_handle hs[3] = {};
	struct logos_cap *caps[3];
	u32 a, b, noxfer;

	logos_table_init(&table, NULL);
	a = logos_test_object(test, &table, LOGOS_RIGHTS_ALL);
	b = logos_test_object(test, &table, LOGOS_RIGHTS_ALL);
	noxfer = logos_test_object(test, &table, LOGOS_RIGHT_READ);
	hs[0] = (struct logos_msg_handle){ .handle = a, .rights = LOGOS_RIGHTS_SAME,
					   .flags = LOGOS_MSG_HANDLE_MOVE };
	hs[1] = (struct logos_msg_handle){ .handle = b, .rights = LOGOS_RIGHT_READ };
	hs[2] = (struct logos_msg_handle){ .handle = noxfer, .rights = LOGOS_RIGHTS_SAME };

	/* One handle without TRANSFER: nothing moves. */
	KUNIT_EXPECT_EQ(test, logos_handle_take(&table, hs, 3, caps, NULL, 0), -EPERM);
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, a), 0);
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, b), 0);

	/* The two good ones: a leaves the table, b stays and gets a child. */
	KUNIT_ASSERT_EQ(test, logos_handle_take(&table, hs, 2, caps, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, a), -EBADF);
	KUNIT_EXPECT_EQ(test, logos_test_err(&table, b), 0);
	KUNIT_EXPECT_EQ(test, caps[1]->rights, LOGOS_RIGHT_READ);
	logos_cap_free(caps[0]);
	logos_cap_free(caps[1]);
	logos_table_release(&table);
}

static struct kunit_case logos_handle_cases[] = {
	KUNIT_CASE(logos_handle_values_test),
	KUNIT_CASE(logos_handle_growth_test),
	KUNIT_CASE(logos_rights_test),
	KUNIT_CASE(logos_revoke_tree_test),
	KUNIT_CASE(logos_revoke_reparent_test),
	KUNIT_CASE(logos_take_atomic_test),
	{}
};

static struct kunit_suite logos_handle_suite = {
	.name = "logos_handle",
	.test_cases = logos_handle_cases,
};

kunit_test_suite(logos_handle_suite);
