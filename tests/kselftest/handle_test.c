// SPDX-License-Identifier: GPL-2.0
/*
 * Handles: duplicate, replace, close, info, and the errors of every handle
 * use (-EBADF, -EPROTOTYPE, -EPERM). The size, pointer, flags and reserved
 * rules every ioctl shares are in ioctl_rules_test.c; revocation is in
 * revoke_test.c.
 */
#include <string.h>

#include "helpers.h"
#include "kselftest_harness.h"

FIXTURE(handles) {
	int dev;
	__u32 ev;	/* an event, root handle, LOGOS_EVENT_RIGHTS */
};

FIXTURE_SETUP(handles)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
	ASSERT_EQ(0, logos_event_new(self->dev, &self->ev));
}

FIXTURE_TEARDOWN(handles)
{
	close(self->dev);
}

/* ---- info ---------------------------------------------------------------- */

TEST_F(handles, new_event_is_a_root_with_all_rights_but_map)
{
	struct logos_handle_info info;

	ASSERT_EQ(0, logos_info(self->dev, self->ev, &info));
	EXPECT_EQ(self->ev, info.handle);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(LOGOS_OBJ_EVENT, info.type);
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, info.rights);
	EXPECT_NE(0, info.object_id);
	EXPECT_NE(0, info.cap_id);
	EXPECT_EQ(0, info.parent_cap_id);
	EXPECT_EQ(0, info.owner_module);	/* a supervisor created it */
	EXPECT_EQ(0, info.reserved);
}

TEST_F(handles, two_events_have_distinct_object_ids)
{
	struct logos_handle_info a, b;
	__u32 other;

	ASSERT_EQ(0, logos_event_new(self->dev, &other));
	ASSERT_NE(self->ev, other);
	ASSERT_EQ(0, logos_info(self->dev, self->ev, &a));
	ASSERT_EQ(0, logos_info(self->dev, other, &b));
	EXPECT_NE(a.object_id, b.object_id);
	EXPECT_NE(a.cap_id, b.cap_id);
}

TEST_F(handles, event_created_by_a_module_names_its_owner)
{
	struct logos_test_module m;
	struct logos_handle_info info;
	__u32 ev;

	ASSERT_EQ(0, logos_module_new(self->dev, "owner", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_event_new(m.fd, &ev));
	ASSERT_EQ(0, logos_info(m.fd, ev, &info));
	EXPECT_EQ(m.id, info.owner_module);
	EXPECT_EQ(LOGOS_OBJ_EVENT, info.type);
	EXPECT_EQ(0, info.parent_cap_id);
	logos_module_release(&m);
}

/* ---- duplicate ----------------------------------------------------------- */

TEST_F(handles, duplicate_with_fewer_rights)
{
	__u32 copy;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHT_READ, &copy));
	EXPECT_NE(LOGOS_HANDLE_INVALID, copy);
	EXPECT_NE(self->ev, copy);
	EXPECT_EQ(LOGOS_RIGHT_READ, logos_rights_of(self->dev, copy));
	/* The source keeps its own rights. */
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, self->ev));
}

TEST_F(handles, duplicate_with_no_rights_at_all)
{
	__u32 copy;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, 0, &copy));
	EXPECT_EQ(0, logos_rights_of(self->dev, copy));
}

TEST_F(handles, duplicate_with_rights_same_keeps_the_source_rights)
{
	const __u32 rights = LOGOS_RIGHT_READ | LOGOS_RIGHT_DUPLICATE | LOGOS_RIGHT_TRANSFER;
	__u32 narrow, copy;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, rights, &narrow));
	ASSERT_EQ(0, logos_dup(self->dev, narrow, LOGOS_RIGHTS_SAME, &copy));
	EXPECT_EQ(rights, logos_rights_of(self->dev, copy));
}

TEST_F(handles, duplicate_with_equal_rights_spelled_out)
{
	__u32 copy;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_EVENT_RIGHTS, &copy));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, copy));
}

TEST_F(handles, duplicate_asking_for_more_rights_is_eperm)
{
	__u32 narrow, copy = 0;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHT_READ | LOGOS_RIGHT_DUPLICATE,
			       &narrow));
	EXPECT_EQ(-EPERM, logos_dup(self->dev, narrow,
				    LOGOS_RIGHT_READ | LOGOS_RIGHT_DUPLICATE | LOGOS_RIGHT_WRITE,
				    &copy));
	EXPECT_EQ(0, copy);
	/* A right the object type never has (MAP_*) is "more" too. */
	EXPECT_EQ(-EPERM, logos_dup(self->dev, self->ev, LOGOS_RIGHTS_ALL, &copy));
	EXPECT_EQ(-EPERM, logos_dup(self->dev, self->ev, LOGOS_RIGHT_MAP_READ, &copy));
	EXPECT_EQ(0, copy);
}

TEST_F(handles, duplicate_without_duplicate_right_is_eperm)
{
	const __u32 rights = LOGOS_EVENT_RIGHTS & ~LOGOS_RIGHT_DUPLICATE;
	__u32 nodup, copy = 0;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, rights, &nodup));
	EXPECT_EQ(-EPERM, logos_dup(self->dev, nodup, LOGOS_RIGHT_READ, &copy));
	EXPECT_EQ(-EPERM, logos_dup(self->dev, nodup, LOGOS_RIGHTS_SAME, &copy));
	EXPECT_EQ(-EPERM, logos_dup(self->dev, nodup, 0, &copy));
	EXPECT_EQ(0, copy);
}

TEST_F(handles, duplicate_shares_the_object_with_a_new_node)
{
	struct logos_handle_info root, copy, grandchild;
	__u32 c, g;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHTS_SAME, &c));
	ASSERT_EQ(0, logos_dup(self->dev, c, LOGOS_RIGHT_READ, &g));
	ASSERT_EQ(0, logos_info(self->dev, self->ev, &root));
	ASSERT_EQ(0, logos_info(self->dev, c, &copy));
	ASSERT_EQ(0, logos_info(self->dev, g, &grandchild));

	EXPECT_EQ(root.object_id, copy.object_id);
	EXPECT_EQ(root.object_id, grandchild.object_id);
	EXPECT_EQ(root.type, copy.type);
	EXPECT_NE(root.cap_id, copy.cap_id);
	EXPECT_NE(copy.cap_id, grandchild.cap_id);
	EXPECT_NE(root.cap_id, grandchild.cap_id);
	EXPECT_EQ(0, root.parent_cap_id);
	EXPECT_EQ(root.cap_id, copy.parent_cap_id);
	EXPECT_EQ(copy.cap_id, grandchild.parent_cap_id);
	EXPECT_EQ(root.owner_module, copy.owner_module);
}

TEST_F(handles, sibling_duplicates_have_the_same_parent)
{
	struct logos_handle_info root, a, b;
	__u32 ha, hb;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHTS_SAME, &ha));
	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHTS_SAME, &hb));
	ASSERT_NE(ha, hb);
	ASSERT_EQ(0, logos_info(self->dev, self->ev, &root));
	ASSERT_EQ(0, logos_info(self->dev, ha, &a));
	ASSERT_EQ(0, logos_info(self->dev, hb, &b));
	EXPECT_EQ(root.cap_id, a.parent_cap_id);
	EXPECT_EQ(root.cap_id, b.parent_cap_id);
	EXPECT_NE(a.cap_id, b.cap_id);
}

/* ---- replace ------------------------------------------------------------- */

TEST_F(handles, replace_shrinks_rights_in_place)
{
	struct logos_handle_info before, after;
	__u32 h, copy;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHTS_SAME, &h));
	ASSERT_EQ(0, logos_info(self->dev, h, &before));
	ASSERT_EQ(0, logos_replace(self->dev, h, LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE));
	/* Same value, same object, fewer rights. */
	ASSERT_EQ(0, logos_info(self->dev, h, &after));
	EXPECT_EQ(LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE, after.rights);
	EXPECT_EQ(before.object_id, after.object_id);
	EXPECT_EQ(before.parent_cap_id, after.parent_cap_id);
	/* And the lost right is really gone. */
	EXPECT_EQ(-EPERM, logos_dup(self->dev, h, 0, &copy));
}

TEST_F(handles, replace_with_the_same_rights_is_allowed)
{
	ASSERT_EQ(0, logos_replace(self->dev, self->ev, LOGOS_EVENT_RIGHTS));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, self->ev));
}

TEST_F(handles, replace_needs_no_right)
{
	__u32 h;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHT_READ, &h));
	ASSERT_EQ(0, logos_replace(self->dev, h, 0));
	EXPECT_EQ(0, logos_rights_of(self->dev, h));
}

TEST_F(handles, replace_growing_rights_is_eperm_and_changes_nothing)
{
	__u32 h;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHT_READ, &h));
	EXPECT_EQ(-EPERM, logos_replace(self->dev, h, LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE));
	EXPECT_EQ(-EPERM, logos_replace(self->dev, h, LOGOS_RIGHT_WRITE));
	EXPECT_EQ(LOGOS_RIGHT_READ, logos_rights_of(self->dev, h));
	/* Even the root cannot gain a right its object type lacks. */
	EXPECT_EQ(-EPERM, logos_replace(self->dev, self->ev, LOGOS_RIGHTS_ALL));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, self->ev));
}

/* ---- close --------------------------------------------------------------- */

TEST_F(handles, closed_handle_is_ebadf_for_every_use)
{
	struct logos_handle_info info;
	__u32 h, out = 0, observed;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHTS_SAME, &h));
	ASSERT_EQ(0, logos_close_handle(self->dev, h));

	EXPECT_EQ(-EBADF, logos_info(self->dev, h, &info));
	EXPECT_EQ(-EBADF, logos_dup(self->dev, h, LOGOS_RIGHTS_SAME, &out));
	EXPECT_EQ(-EBADF, logos_replace(self->dev, h, 0));
	EXPECT_EQ(-EBADF, logos_revoke(self->dev, h, NULL));
	EXPECT_EQ(-EBADF, logos_signal(self->dev, h, 0, 1));
	EXPECT_EQ(-EBADF, logos_wait_one(self->dev, h, 1, 0, &observed));
	EXPECT_EQ(0, out);
}

TEST_F(handles, double_close_is_ebadf)
{
	ASSERT_EQ(0, logos_close_handle(self->dev, self->ev));
	EXPECT_EQ(-EBADF, logos_close_handle(self->dev, self->ev));
}

TEST_F(handles, closing_a_duplicate_leaves_the_source)
{
	__u32 h;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHTS_SAME, &h));
	ASSERT_EQ(0, logos_close_handle(self->dev, h));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, self->ev));
}

TEST_F(handles, object_lives_while_any_handle_does)
{
	struct logos_handle_info before, after;
	__u32 h, observed = 0;

	ASSERT_EQ(0, logos_dup(self->dev, self->ev, LOGOS_RIGHTS_SAME, &h));
	ASSERT_EQ(0, logos_info(self->dev, self->ev, &before));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->ev));
	ASSERT_EQ(0, logos_info(self->dev, h, &after));
	EXPECT_EQ(before.object_id, after.object_id);
	/* The event still works through the survivor. */
	EXPECT_EQ(0, logos_signal(self->dev, h, 0, 0x10));
	EXPECT_EQ(0, logos_wait_one(self->dev, h, 0x10, 0, &observed));
	EXPECT_EQ(0x10, observed);
}

/* ---- bad handle values --------------------------------------------------- */

TEST_F(handles, handle_zero_is_ebadf)
{
	struct logos_handle_info info;
	__u32 out;

	EXPECT_EQ(-EBADF, logos_info(self->dev, LOGOS_HANDLE_INVALID, &info));
	EXPECT_EQ(-EBADF, logos_dup(self->dev, LOGOS_HANDLE_INVALID, LOGOS_RIGHTS_SAME, &out));
	EXPECT_EQ(-EBADF, logos_replace(self->dev, LOGOS_HANDLE_INVALID, 0));
	EXPECT_EQ(-EBADF, logos_close_handle(self->dev, LOGOS_HANDLE_INVALID));
	EXPECT_EQ(-EBADF, logos_revoke(self->dev, LOGOS_HANDLE_INVALID, NULL));
	EXPECT_EQ(-EBADF, logos_signal(self->dev, LOGOS_HANDLE_INVALID, 0, 1));
}

/* The table holds one handle: every value one bit away from it is unknown. */
TEST_F(handles, guessed_values_are_ebadf)
{
	static const __u32 guesses[] = { 1, 2, 0x12345678, 0x7fffffff, 0x80000000,
					 0xdeadbeef, 0xfffffffe, LOGOS_HANDLE_SELF };
	struct logos_handle_info info;
	unsigned int i;

	for (i = 0; i < 32; i++) {
		EXPECT_EQ(-EBADF, logos_info(self->dev, self->ev ^ (1U << i), &info))
			TH_LOG("value 0x%08x (bit %u flipped)", self->ev ^ (1U << i), i);
	}
	for (i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++) {
		if (guesses[i] == self->ev)
			continue;
		EXPECT_EQ(-EBADF, logos_info(self->dev, guesses[i], &info))
			TH_LOG("value 0x%08x", guesses[i]);
	}
}

/* Slot reuse right after a close must still give a new value. */
TEST_F(handles, closed_value_is_not_reused_by_the_next_create)
{
	__u32 last = self->ev, h;
	int i;

	ASSERT_EQ(0, logos_close_handle(self->dev, self->ev));
	for (i = 0; i < 128; i++) {
		ASSERT_EQ(0, logos_event_new(self->dev, &h));
		ASSERT_NE(last, h) TH_LOG("value 0x%08x reused right after its close", h);
		ASSERT_NE(LOGOS_HANDLE_INVALID, h);
		ASSERT_EQ(0, logos_close_handle(self->dev, h));
		last = h;
	}
}

/* ---- wrong object type ---------------------------------------------------- */

TEST_F(handles, event_signal_on_a_module_handle_is_eprototype)
{
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "proto", LOGOS_TRUST_USER, NULL, &m));
	/* The module handle has every right, so only the type is wrong. */
	EXPECT_EQ(-EPROTOTYPE, logos_signal(self->dev, m.handle, 0, 1));
	logos_module_release(&m);
}

TEST_F(handles, module_ioctls_on_an_event_handle_are_eprototype)
{
	struct logos_module_info mi;
	struct logos_test_module m;
	__u32 given = 0;

	/* The event handle has CONTROL and READ: only the type is wrong. */
	EXPECT_EQ(-EPROTOTYPE, logos_set_state(self->dev, self->ev, LOGOS_STATE_INITIALIZING));
	EXPECT_EQ(-EPROTOTYPE, logos_set_quota(self->dev, self->ev, LOGOS_RES_EVENTS, 10));
	EXPECT_EQ(-EPROTOTYPE, logos_module_info(self->dev, self->ev, &mi));

	ASSERT_EQ(0, logos_module_new(self->dev, "proto", LOGOS_TRUST_USER, NULL, &m));
	EXPECT_EQ(-EPROTOTYPE, logos_give(self->dev, self->ev, m.handle, LOGOS_RIGHTS_SAME, 0,
					  &given));
	EXPECT_EQ(0, given);
	logos_module_release(&m);
}

TEST_HARNESS_MAIN
