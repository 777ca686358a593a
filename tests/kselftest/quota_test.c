// SPDX-License-Identifier: GPL-2.0
/*
 * Per-module accounting and quotas (FR-002): limits given at creation,
 * usage as MODULE_INFO reports it, -EDQUOT and its counter, changing a
 * limit at run time (ioctl and netlink), and the QUOTA_WARNING and
 * QUOTA_EXCEEDED events.
 */
#include <string.h>

#include "nl_helpers.h"
#include "kselftest_harness.h"

FIXTURE(quota) {
	int dev;
	struct logos_test_module m;
};

FIXTURE_SETUP(quota)
{
	self->m.fd = -1;
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(quota)
{
	logos_module_release(&self->m);
	close(self->dev);
}

/*
 * A module limited on @res to @limit, every other resource unlimited, so
 * the one under test is the only one that can refuse.
 */
static int limited_module(int dev, __u32 res, __u64 limit, struct logos_test_module *m)
{
	__u64 limits[LOGOS_RES_COUNT];
	int i;

	for (i = 0; i < LOGOS_RES_COUNT; i++)
		limits[i] = LOGOS_LIMIT_UNLIMITED;
	limits[res] = limit;
	return logos_module_new(dev, "quota", LOGOS_TRUST_USER, limits, m);
}

static __u64 usage_of(int dev, __u32 module, __u32 res)
{
	struct logos_module_info mi;

	return logos_module_info(dev, module, &mi) ? ~0ULL : mi.usage[res];
}

static __u64 limit_of(int dev, __u32 module, __u32 res)
{
	struct logos_module_info mi;

	return logos_module_info(dev, module, &mi) ? 0 : mi.limit[res];
}

static __u64 denied_quota_of(int dev, __u32 module)
{
	struct logos_module_info mi;

	return logos_module_info(dev, module, &mi) ? ~0ULL : mi.denied_quota;
}

/* Creates @n events in the module; returns how many succeeded. */
static int create_events(int fd, int n, __u32 *out)
{
	__u32 h;
	int i;

	for (i = 0; i < n; i++) {
		if (logos_event_new(fd, out ? &out[i] : &h))
			break;
	}
	return i;
}

/* ---- limits at creation --------------------------------------------------- */

TEST_F(quota, event_quota_refuses_the_next_create)
{
	__u32 h = 0;

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 4, &self->m));
	ASSERT_EQ(4, create_events(self->m.fd, 4, NULL));
	EXPECT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));
	EXPECT_EQ(0, h);
	EXPECT_EQ(4, usage_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
	EXPECT_EQ(4, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
	EXPECT_EQ(1, denied_quota_of(self->dev, self->m.handle));
	EXPECT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));
	EXPECT_EQ(2, denied_quota_of(self->dev, self->m.handle));
}

TEST_F(quota, object_quota_counts_objects_not_handles)
{
	__u32 ev, copy, h;

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_OBJECTS, 1, &self->m));
	ASSERT_EQ(0, logos_event_new(self->m.fd, &ev));
	EXPECT_EQ(0, logos_dup(self->m.fd, ev, LOGOS_RIGHTS_SAME, &copy));
	EXPECT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));
	EXPECT_EQ(1, usage_of(self->dev, self->m.handle, LOGOS_RES_OBJECTS));
	EXPECT_EQ(1, denied_quota_of(self->dev, self->m.handle));
}

TEST_F(quota, handle_quota_counts_creates_and_duplicates)
{
	__u32 ev[2], copy, h;

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_HANDLES, 3, &self->m));
	ASSERT_EQ(2, create_events(self->m.fd, 2, ev));
	ASSERT_EQ(0, logos_dup(self->m.fd, ev[0], LOGOS_RIGHTS_SAME, &copy));
	EXPECT_EQ(-EDQUOT, logos_dup(self->m.fd, ev[1], LOGOS_RIGHTS_SAME, &h));
	EXPECT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));
	EXPECT_EQ(3, usage_of(self->dev, self->m.handle, LOGOS_RES_HANDLES));
	EXPECT_EQ(2, denied_quota_of(self->dev, self->m.handle));
	/* A failed create leaves no object behind. */
	EXPECT_EQ(2, usage_of(self->dev, self->m.handle, LOGOS_RES_OBJECTS));
	EXPECT_EQ(2, usage_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
}

/* A handle given to the module lands in its table: its quota. */
TEST_F(quota, handle_quota_applies_to_handles_given_to_the_module)
{
	__u32 ev, given = 0;

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_HANDLES, 1, &self->m));
	ASSERT_EQ(0, logos_event_new(self->dev, &ev));
	ASSERT_EQ(0, logos_give(self->dev, self->m.handle, ev, LOGOS_RIGHTS_SAME, 0, &given));
	EXPECT_EQ(-EDQUOT, logos_give(self->dev, self->m.handle, ev, LOGOS_RIGHTS_SAME, 0,
				      &given));
	/* A refused MOVE keeps the source. */
	EXPECT_EQ(-EDQUOT, logos_give(self->dev, self->m.handle, ev, LOGOS_RIGHTS_SAME,
				      LOGOS_GIVE_MOVE, &given));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, ev));
	EXPECT_EQ(1, usage_of(self->dev, self->m.handle, LOGOS_RES_HANDLES));
	/* Given, not created: no object is charged to the module. */
	EXPECT_EQ(0, usage_of(self->dev, self->m.handle, LOGOS_RES_OBJECTS));
}

/* ---- usage ------------------------------------------------------------------ */

TEST_F(quota, usage_tracks_creates_duplicates_and_closes)
{
	struct logos_module_info mi;
	__u32 ev[3], copy;

	ASSERT_EQ(0, logos_module_new(self->dev, "usage", LOGOS_TRUST_USER, NULL, &self->m));
	ASSERT_EQ(3, create_events(self->m.fd, 3, ev));
	ASSERT_EQ(0, logos_module_info(self->dev, self->m.handle, &mi));
	EXPECT_EQ(3, mi.usage[LOGOS_RES_HANDLES]);
	EXPECT_EQ(3, mi.usage[LOGOS_RES_OBJECTS]);
	EXPECT_EQ(3, mi.usage[LOGOS_RES_EVENTS]);

	ASSERT_EQ(0, logos_dup(self->m.fd, ev[0], LOGOS_RIGHTS_SAME, &copy));
	ASSERT_EQ(0, logos_module_info(self->dev, self->m.handle, &mi));
	EXPECT_EQ(4, mi.usage[LOGOS_RES_HANDLES]);
	EXPECT_EQ(3, mi.usage[LOGOS_RES_OBJECTS]);

	/* Closing a handle whose object has another one: one handle less. */
	ASSERT_EQ(0, logos_close_handle(self->m.fd, ev[0]));
	ASSERT_EQ(0, logos_module_info(self->dev, self->m.handle, &mi));
	EXPECT_EQ(3, mi.usage[LOGOS_RES_HANDLES]);
	EXPECT_EQ(3, mi.usage[LOGOS_RES_OBJECTS]);
	EXPECT_EQ(3, mi.usage[LOGOS_RES_EVENTS]);

	/* Closing the last handle of an object frees the object. */
	ASSERT_EQ(0, logos_close_handle(self->m.fd, ev[1]));
	ASSERT_EQ(0, logos_module_info(self->dev, self->m.handle, &mi));
	EXPECT_EQ(2, mi.usage[LOGOS_RES_HANDLES]);
	EXPECT_EQ(2, mi.usage[LOGOS_RES_OBJECTS]);
	EXPECT_EQ(2, mi.usage[LOGOS_RES_EVENTS]);
	EXPECT_EQ(0, mi.denied_quota);
}

TEST_F(quota, module_reads_its_own_usage)
{
	struct logos_module_info mi;

	ASSERT_EQ(0, logos_module_new(self->dev, "usage", LOGOS_TRUST_USER, NULL, &self->m));
	ASSERT_EQ(2, create_events(self->m.fd, 2, NULL));
	ASSERT_EQ(0, logos_module_info(self->m.fd, LOGOS_HANDLE_SELF, &mi));
	EXPECT_EQ(2, mi.usage[LOGOS_RES_EVENTS]);
	EXPECT_EQ(2, mi.usage[LOGOS_RES_HANDLES]);
}

TEST_F(quota, closing_frees_quota_for_new_creates)
{
	__u32 ev[2], h;

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 2, &self->m));
	ASSERT_EQ(2, create_events(self->m.fd, 2, ev));
	ASSERT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));
	ASSERT_EQ(0, logos_close_handle(self->m.fd, ev[0]));
	EXPECT_EQ(0, logos_event_new(self->m.fd, &h));
	EXPECT_EQ(2, usage_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
}

/* ---- changing limits ---------------------------------------------------------- */

TEST_F(quota, raising_the_limit_lets_creates_succeed_again)
{
	__u32 h;

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 2, &self->m));
	ASSERT_EQ(2, create_events(self->m.fd, 2, NULL));
	ASSERT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));
	ASSERT_EQ(0, logos_set_quota(self->dev, self->m.handle, LOGOS_RES_EVENTS, 4));
	EXPECT_EQ(4, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
	EXPECT_EQ(2, create_events(self->m.fd, 2, NULL));
	EXPECT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));
}

TEST_F(quota, lowering_below_usage_keeps_what_exists)
{
	__u32 ev[4], h, observed;

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 10, &self->m));
	ASSERT_EQ(4, create_events(self->m.fd, 4, ev));
	ASSERT_EQ(0, logos_set_quota(self->dev, self->m.handle, LOGOS_RES_EVENTS, 2));
	EXPECT_EQ(2, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
	EXPECT_EQ(4, usage_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
	/* Nothing is taken away ... */
	EXPECT_EQ(0, logos_signal(self->m.fd, ev[3], 0, 1));
	EXPECT_EQ(0, logos_wait_one(self->m.fd, ev[3], 1, 0, &observed));
	/* ... but new charges fail until usage is under the limit. */
	EXPECT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));
	ASSERT_EQ(0, logos_close_handle(self->m.fd, ev[0]));
	ASSERT_EQ(0, logos_close_handle(self->m.fd, ev[1]));
	EXPECT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));	/* 2 of 2 */
	ASSERT_EQ(0, logos_close_handle(self->m.fd, ev[2]));
	EXPECT_EQ(0, logos_event_new(self->m.fd, &h));		/* 1 of 2 */
}

TEST_F(quota, unlimited_and_default_limits)
{
	struct logos_test_module plain;
	__u64 def;

	ASSERT_EQ(0, logos_module_new(self->dev, "plain", LOGOS_TRUST_USER, NULL, &plain));
	def = limit_of(self->dev, plain.handle, LOGOS_RES_EVENTS);
	logos_module_release(&plain);
	ASSERT_NE(0, def);

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 1, &self->m));
	ASSERT_EQ(0, logos_set_quota(self->dev, self->m.handle, LOGOS_RES_EVENTS,
				     LOGOS_LIMIT_UNLIMITED));
	EXPECT_EQ(LOGOS_LIMIT_UNLIMITED, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
	EXPECT_EQ(3, create_events(self->m.fd, 3, NULL));
	ASSERT_EQ(0, logos_set_quota(self->dev, self->m.handle, LOGOS_RES_EVENTS,
				     LOGOS_LIMIT_DEFAULT));
	EXPECT_EQ(def, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
}

TEST_F(quota, bad_resource_is_einval)
{
	static const __u32 bad[] = { __LOGOS_RES_MAX, LOGOS_RES_COUNT, 100, ~0U };
	struct logos_module_info before, after;
	unsigned int i;

	ASSERT_EQ(0, logos_module_new(self->dev, "badres", LOGOS_TRUST_USER, NULL, &self->m));
	ASSERT_EQ(0, logos_module_info(self->dev, self->m.handle, &before));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, logos_set_quota(self->dev, self->m.handle, bad[i], 5))
			TH_LOG("resource %u", bad[i]);
	}
	ASSERT_EQ(0, logos_module_info(self->dev, self->m.handle, &after));
	EXPECT_EQ(0, memcmp(before.limit, after.limit, sizeof(before.limit)));
}

TEST_F(quota, every_resource_can_be_set)
{
	__u32 r;

	ASSERT_EQ(0, logos_module_new(self->dev, "allres", LOGOS_TRUST_USER, NULL, &self->m));
	for (r = 0; r < __LOGOS_RES_MAX; r++) {
		EXPECT_EQ(0, logos_set_quota(self->dev, self->m.handle, r, 100 + r))
			TH_LOG("resource %u", r);
		EXPECT_EQ(100 + r, limit_of(self->dev, self->m.handle, r));
	}
}

TEST_F(quota, set_quota_without_control_right_is_eperm)
{
	__u32 weak;

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 3, &self->m));
	ASSERT_EQ(0, logos_dup(self->dev, self->m.handle, LOGOS_RIGHTS_ALL & ~LOGOS_RIGHT_CONTROL,
			       &weak));
	EXPECT_EQ(-EPERM, logos_set_quota(self->dev, weak, LOGOS_RES_EVENTS, 100));
	EXPECT_EQ(3, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
}

/* A module refused for a missing right: counted and reported. */
TEST_F(quota, module_refused_set_quota_is_counted_and_reported)
{
	struct logos_nl_listener *l = logos_nl_listen();
	const struct logos_nl_event *e;
	struct logos_handle_info target;
	struct logos_module_info mi;
	struct logos_test_module b;
	__u32 b_in_a;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, logos_module_new(self->dev, "asker", LOGOS_TRUST_USER, NULL, &self->m));
	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 3, &b));
	ASSERT_EQ(0, logos_give(self->dev, self->m.handle, b.handle, LOGOS_RIGHT_READ, 0,
				&b_in_a));
	ASSERT_EQ(0, logos_info(self->m.fd, b_in_a, &target));

	EXPECT_EQ(-EPERM, logos_set_quota(self->m.fd, b_in_a, LOGOS_RES_EVENTS, 100));
	EXPECT_EQ(3, limit_of(self->dev, b.handle, LOGOS_RES_EVENTS));
	ASSERT_EQ(0, logos_module_info(self->dev, self->m.handle, &mi));
	EXPECT_EQ(1, mi.denied_rights);
	EXPECT_EQ(0, mi.denied_quota);
	ASSERT_EQ(0, logos_module_info(self->dev, b.handle, &mi));
	EXPECT_EQ(0, mi.denied_rights);

	e = logos_nl_wait_for(l, LOGOS_EVENT_RIGHTS_DENIED, self->m.id, 2000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(target.object_id, e->object_id);
	EXPECT_EQ(LOGOS_RIGHT_CONTROL, e->rights);
	EXPECT_STREQ("asker", e->name);
	logos_nl_unlisten(l);
	logos_module_release(&b);
}

/* ---- netlink SET_QUOTA ---------------------------------------------------- */

TEST_F(quota, netlink_set_quota_has_the_ioctls_effect)
{
	__u32 h;

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 2, &self->m));
	ASSERT_EQ(2, create_events(self->m.fd, 2, NULL));
	ASSERT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));

	ASSERT_EQ(0, logos_nl_set_quota(self->m.id, LOGOS_RES_EVENTS, 3));
	EXPECT_EQ(3, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
	EXPECT_EQ(0, logos_event_new(self->m.fd, &h));
	EXPECT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));

	ASSERT_EQ(0, logos_nl_set_quota(self->m.id, LOGOS_RES_EVENTS, 1));
	EXPECT_EQ(1, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
	EXPECT_EQ(3, usage_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));

	ASSERT_EQ(0, logos_nl_set_quota(self->m.id, LOGOS_RES_EVENTS, LOGOS_LIMIT_UNLIMITED));
	EXPECT_EQ(LOGOS_LIMIT_UNLIMITED, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
	EXPECT_EQ(0, logos_event_new(self->m.fd, &h));
}

TEST_F(quota, netlink_set_quota_for_an_unknown_module_is_enoent)
{
	EXPECT_EQ(-ENOENT, logos_nl_set_quota(0x7ffffff0, LOGOS_RES_EVENTS, 3));
}

/* Out of the policy's range: netlink's -ERANGE, as the header says. */
TEST_F(quota, netlink_set_quota_with_a_bad_resource_is_erange)
{
	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 2, &self->m));
	EXPECT_EQ(-ERANGE, logos_nl_set_quota(self->m.id, __LOGOS_RES_MAX, 3));
	EXPECT_EQ(-ERANGE, logos_nl_set_quota(self->m.id, 1000, 3));
	EXPECT_EQ(2, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
}

TEST_F(quota, netlink_set_quota_without_all_attributes_is_einval)
{
	struct logos_nl_arg no_limit[] = {
		LOGOS_NL_U32(LOGOS_A_MODULE_ID, 0),
		LOGOS_NL_U32(LOGOS_A_RESOURCE, LOGOS_RES_EVENTS),
		{ 0 },
	};
	struct logos_nl_arg no_resource[] = {
		LOGOS_NL_U32(LOGOS_A_MODULE_ID, 0),
		LOGOS_NL_U64(LOGOS_A_LIMIT, 5),
		{ 0 },
	};
	struct logos_nl_arg no_module[] = {
		LOGOS_NL_U32(LOGOS_A_RESOURCE, LOGOS_RES_EVENTS),
		LOGOS_NL_U64(LOGOS_A_LIMIT, 5),
		{ 0 },
	};

	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 2, &self->m));
	no_limit[0].value = no_resource[0].value = self->m.id;
	EXPECT_EQ(-EINVAL, logos_nl_cmd(LOGOS_CMD_SET_QUOTA, false, no_limit, NULL, NULL, NULL));
	EXPECT_EQ(-EINVAL, logos_nl_cmd(LOGOS_CMD_SET_QUOTA, false, no_resource, NULL, NULL,
					NULL));
	EXPECT_EQ(-EINVAL, logos_nl_cmd(LOGOS_CMD_SET_QUOTA, false, no_module, NULL, NULL, NULL));
	EXPECT_EQ(2, limit_of(self->dev, self->m.handle, LOGOS_RES_EVENTS));
}

/* ---- QUOTA_WARNING and QUOTA_EXCEEDED events ------------------------------ */

TEST_F(quota, warning_is_sent_once_at_80_percent)
{
	struct logos_nl_listener *l = logos_nl_listen();
	const struct logos_nl_event *e;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 10, &self->m));
	ASSERT_EQ(7, create_events(self->m.fd, 7, NULL));
	logos_nl_drain(l, 200);
	EXPECT_EQ(0, logos_nl_count(l, LOGOS_EVENT_QUOTA_WARNING, self->m.id));

	ASSERT_EQ(1, create_events(self->m.fd, 1, NULL));	/* 8 of 10 */
	e = logos_nl_wait_for(l, LOGOS_EVENT_QUOTA_WARNING, self->m.id, 2000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(LOGOS_RES_EVENTS, e->resource);
	EXPECT_EQ(8, e->usage);
	EXPECT_EQ(10, e->limit);
	EXPECT_STREQ("quota", e->name);

	ASSERT_EQ(2, create_events(self->m.fd, 2, NULL));	/* 10 of 10 */
	logos_nl_drain(l, 200);
	EXPECT_EQ(1, logos_nl_count(l, LOGOS_EVENT_QUOTA_WARNING, self->m.id));
	EXPECT_EQ(0, logos_nl_count(l, LOGOS_EVENT_QUOTA_EXCEEDED, self->m.id));
	logos_nl_unlisten(l);
}

TEST_F(quota, warning_is_sent_again_after_usage_fell_below_the_mark)
{
	struct logos_nl_listener *l = logos_nl_listen();
	__u32 ev[8];

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 10, &self->m));
	ASSERT_EQ(8, create_events(self->m.fd, 8, ev));		/* warning 1 */
	ASSERT_EQ(0, logos_close_handle(self->m.fd, ev[0]));	/* 7: below */
	ASSERT_EQ(1, create_events(self->m.fd, 1, NULL));	/* 8: warning 2 */
	ASSERT_EQ(0, logos_close_handle(self->m.fd, ev[1]));	/* 7 */
	logos_nl_drain(l, 300);
	EXPECT_EQ(2, logos_nl_count(l, LOGOS_EVENT_QUOTA_WARNING, self->m.id));
	logos_nl_unlisten(l);
}

/* Moving the limit while usage stays past the mark is no new warning. */
TEST_F(quota, warning_is_not_repeated_while_usage_stays_past_the_mark)
{
	struct logos_nl_listener *l = logos_nl_listen();

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 10, &self->m));
	ASSERT_EQ(8, create_events(self->m.fd, 8, NULL));		/* 80%: warning */
	ASSERT_EQ(0, logos_set_quota(self->dev, self->m.handle, LOGOS_RES_EVENTS, 9));
	ASSERT_EQ(1, create_events(self->m.fd, 1, NULL));		/* 100% */
	logos_nl_drain(l, 300);
	EXPECT_EQ(1, logos_nl_count(l, LOGOS_EVENT_QUOTA_WARNING, self->m.id));
	logos_nl_unlisten(l);
}

/* Raising the limit puts usage under the mark: the next crossing warns. */
TEST_F(quota, warning_is_sent_again_after_a_raise_and_a_new_crossing)
{
	struct logos_nl_listener *l = logos_nl_listen();

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 5, &self->m));
	ASSERT_EQ(4, create_events(self->m.fd, 4, NULL));		/* 80%: warning */
	ASSERT_EQ(0, logos_set_quota(self->dev, self->m.handle, LOGOS_RES_EVENTS, 10));
	ASSERT_EQ(3, create_events(self->m.fd, 3, NULL));		/* 70% */
	logos_nl_drain(l, 200);
	EXPECT_EQ(1, logos_nl_count(l, LOGOS_EVENT_QUOTA_WARNING, self->m.id));
	ASSERT_EQ(1, create_events(self->m.fd, 1, NULL));		/* 80% again */
	logos_nl_drain(l, 300);
	EXPECT_EQ(2, logos_nl_count(l, LOGOS_EVENT_QUOTA_WARNING, self->m.id));
	logos_nl_unlisten(l);
}

TEST_F(quota, every_refusal_sends_quota_exceeded)
{
	struct logos_nl_listener *l = logos_nl_listen();
	const struct logos_nl_event *e;
	__u32 h;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_EVENTS, 5, &self->m));
	ASSERT_EQ(5, create_events(self->m.fd, 5, NULL));
	ASSERT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));
	e = logos_nl_wait_for(l, LOGOS_EVENT_QUOTA_EXCEEDED, self->m.id, 2000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(LOGOS_RES_EVENTS, e->resource);
	EXPECT_EQ(5, e->limit);
	EXPECT_EQ(5, e->usage);
	EXPECT_STREQ("quota", e->name);

	ASSERT_EQ(-EDQUOT, logos_event_new(self->m.fd, &h));
	logos_nl_drain(l, 300);
	EXPECT_EQ(2, logos_nl_count(l, LOGOS_EVENT_QUOTA_EXCEEDED, self->m.id));
	logos_nl_unlisten(l);
}

TEST_F(quota, exceeded_names_the_resource_that_refused)
{
	struct logos_nl_listener *l = logos_nl_listen();
	const struct logos_nl_event *e;
	__u32 ev, h;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, limited_module(self->dev, LOGOS_RES_HANDLES, 1, &self->m));
	ASSERT_EQ(0, logos_event_new(self->m.fd, &ev));
	ASSERT_EQ(-EDQUOT, logos_dup(self->m.fd, ev, LOGOS_RIGHTS_SAME, &h));
	e = logos_nl_wait_for(l, LOGOS_EVENT_QUOTA_EXCEEDED, self->m.id, 2000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(LOGOS_RES_HANDLES, e->resource);
	EXPECT_EQ(1, e->limit);
	EXPECT_EQ(1, e->usage);
	logos_nl_unlisten(l);
}

TEST_HARNESS_MAIN
