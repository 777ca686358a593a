// SPDX-License-Identifier: GPL-2.0
/*
 * liblogos core wrappers against logos.ko: the device, the ABI check,
 * handles, module objects, events and waits. Each wrapper passes its
 * arguments through, fills its out-parameters only on success, and
 * returns the kernel's errno.
 */
#include "helpers.h"

#include "kselftest_harness.h"

FIXTURE(core) {
	int fd;
};

FIXTURE_SETUP(core)
{
	self->fd = logos_open();
	ASSERT_LE(0, self->fd) TH_LOG("logos_open: %s", logos_strerror(self->fd));
}

FIXTURE_TEARDOWN(core)
{
	close(self->fd);
}

TEST_F(core, version_and_abi_check)
{
	struct logos_version v;

	ASSERT_EQ(0, logos_get_version(self->fd, &v));
	EXPECT_EQ(LOGOS_ABI_MAJOR, v.major);
	EXPECT_NE(0, v.features & LOGOS_FEATURE_CHANNELS);
	EXPECT_EQ(0, logos_check_abi(self->fd));
}

TEST_F(core, event_signal_and_wait_one)
{
	logos_handle_t ev;
	uint32_t observed = 0;

	ASSERT_EQ(0, logos_event_create(self->fd, &ev));
	EXPECT_EQ(-ETIMEDOUT, logos_wait_one(self->fd, ev, 0x1, 0, &observed));
	EXPECT_EQ(0, observed);
	ASSERT_EQ(0, logos_event_signal(self->fd, ev, 0, 0x5));
	EXPECT_EQ(0, logos_wait_one(self->fd, ev, 0x4, 0, &observed));
	EXPECT_EQ(0x5, observed & LOGOS_SIGNAL_USER_MASK);
	ASSERT_EQ(0, logos_event_signal(self->fd, ev, 0x4, 0));
	EXPECT_EQ(-ETIMEDOUT, logos_wait_one(self->fd, ev, 0x4, 10 * MS, NULL));
	EXPECT_EQ(-EINVAL, logos_event_signal(self->fd, ev, 0, LOGOS_SIGNAL_REVOKED));
	EXPECT_EQ(0, logos_handle_close(self->fd, ev));
}

TEST_F(core, wait_many_reports_ready_count)
{
	struct logos_wait_item items[3];
	logos_handle_t ev[3];
	uint32_t ready = 99;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, logos_event_create(self->fd, &ev[i]));
	logos_event_signal(self->fd, ev[0], 0, 1);
	logos_event_signal(self->fd, ev[2], 0, 1);
	memset(items, 0, sizeof(items));
	for (i = 0; i < 3; i++) {
		items[i].handle = ev[i];
		items[i].signals = 1;
	}
	ASSERT_EQ(0, logos_wait(self->fd, items, 3, 0, 0, &ready));
	EXPECT_EQ(2, ready);
	EXPECT_EQ(1, items[0].observed & 1);
	EXPECT_EQ(0, items[1].observed & 1);
	for (i = 0; i < 3; i++)
		logos_handle_close(self->fd, ev[i]);
}

TEST_F(core, handles_duplicate_replace_info_revoke_close)
{
	struct logos_handle_info info, cinfo;
	logos_handle_t ev, copy = 0, copy2;
	uint32_t revoked = 99;

	ASSERT_EQ(0, logos_event_create(self->fd, &ev));
	ASSERT_EQ(0, logos_handle_duplicate(self->fd, ev, LOGOS_RIGHT_READ | LOGOS_RIGHT_DUPLICATE,
					    &copy));
	EXPECT_NE(0, copy);
	ASSERT_EQ(0, logos_handle_info(self->fd, ev, &info));
	ASSERT_EQ(0, logos_handle_info(self->fd, copy, &cinfo));
	EXPECT_EQ(LOGOS_OBJ_EVENT, info.type);
	EXPECT_EQ(info.object_id, cinfo.object_id);
	EXPECT_EQ(info.cap_id, cinfo.parent_cap_id);
	EXPECT_EQ(LOGOS_RIGHT_READ | LOGOS_RIGHT_DUPLICATE, cinfo.rights);
	/* More rights than the source: refused, out-parameter untouched. */
	copy2 = 12345;
	EXPECT_EQ(-EPERM, logos_handle_duplicate(self->fd, copy, LOGOS_RIGHT_WRITE, &copy2));
	EXPECT_EQ(12345, copy2);
	ASSERT_EQ(0, logos_handle_replace(self->fd, copy, LOGOS_RIGHT_READ));
	ASSERT_EQ(0, logos_handle_info(self->fd, copy, &cinfo));
	EXPECT_EQ(LOGOS_RIGHT_READ, cinfo.rights);
	ASSERT_EQ(0, logos_handle_revoke(self->fd, ev, &revoked));
	EXPECT_EQ(1, revoked);
	EXPECT_EQ(-EKEYREVOKED, logos_handle_info(self->fd, copy, &cinfo));
	EXPECT_EQ(0, logos_handle_close(self->fd, copy));
	EXPECT_EQ(-EBADF, logos_handle_close(self->fd, copy));
	EXPECT_EQ(0, logos_handle_revoke(self->fd, ev, NULL));
	EXPECT_EQ(0, logos_handle_close(self->fd, ev));
}

TEST_F(core, module_create_info_quota_give_and_ready)
{
	uint64_t limits[LOGOS_RES_COUNT] = { 0 };
	struct logos_module_info info;
	logos_handle_t module, ev, given;
	uint32_t id;
	int mfd;

	limits[LOGOS_RES_EVENTS] = 3;
	ASSERT_EQ(0, logos_module_create(self->fd, "core-test", LOGOS_TRUST_SYSTEM, limits, &module,
					 &mfd, &id));
	EXPECT_NE(0, id);
	EXPECT_NE(0, fcntl(mfd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, logos_module_get_info(self->fd, module, &info));
	EXPECT_EQ(id, info.module_id);
	EXPECT_STREQ("core-test", info.name);
	EXPECT_EQ(LOGOS_STATE_LOADED, info.state);
	EXPECT_EQ(LOGOS_TRUST_SYSTEM, info.trust_level);
	EXPECT_EQ(3, info.limit[LOGOS_RES_EVENTS]);
	ASSERT_EQ(0, logos_module_set_quota(self->fd, module, LOGOS_RES_EVENTS, 5));
	ASSERT_EQ(0, logos_module_get_info(self->fd, module, &info));
	EXPECT_EQ(5, info.limit[LOGOS_RES_EVENTS]);
	/* The module sees itself through LOGOS_HANDLE_SELF. */
	ASSERT_EQ(0, logos_module_get_info(mfd, LOGOS_HANDLE_SELF, &info));
	EXPECT_EQ(id, info.module_id);
	/* Give it an event; it finds the handle in its own table. */
	ASSERT_EQ(0, logos_event_create(self->fd, &ev));
	ASSERT_EQ(0, logos_handle_give(self->fd, module, ev, LOGOS_RIGHT_READ, 0, &given));
	EXPECT_EQ(0, logos_wait_one(mfd, given, 0x1, 0, NULL) == -ETIMEDOUT ? 0 : 1);
	/* READY only from INITIALIZING, only on a module file. */
	EXPECT_EQ(-EINVAL, logos_module_report_ready(mfd));
	EXPECT_EQ(-EPERM, logos_module_report_ready(self->fd));
	ASSERT_EQ(0, logos_module_set_state(self->fd, module, LOGOS_STATE_INITIALIZING));
	ASSERT_EQ(0, logos_module_report_ready(mfd));
	ASSERT_EQ(0, logos_module_get_info(self->fd, module, &info));
	EXPECT_EQ(LOGOS_STATE_RUNNING, info.state);
	EXPECT_EQ(-EINVAL, logos_module_set_state(self->fd, module, LOGOS_STATE_LOADED));
	ASSERT_EQ(0, logos_module_set_state(self->fd, module, LOGOS_STATE_TERMINATING));
	close(mfd);
	ASSERT_EQ(0, logos_module_get_info(self->fd, module, &info));
	EXPECT_EQ(LOGOS_STATE_TERMINATED, info.state);
	EXPECT_EQ(0, info.exit_flags & LOGOS_EXIT_CRASHED);
	logos_handle_close(self->fd, ev);
	logos_handle_close(self->fd, module);
}

TEST_F(core, module_create_refuses_bad_names)
{
	logos_handle_t module = 7;

	EXPECT_EQ(-EINVAL, logos_module_create(self->fd, "bad name", 0, NULL, &module, NULL, NULL));
	EXPECT_EQ(-EINVAL, logos_module_create(self->fd, NULL, 0, NULL, &module, NULL, NULL));
	EXPECT_EQ(-EINVAL, logos_module_create(self->fd,
					       "a-name-that-is-far-too-long-for-logos", 0, NULL,
					       &module, NULL, NULL));
	EXPECT_EQ(7, module);
}

TEST_F(core, errors_of_the_kernel_have_advice)
{
	logos_handle_t ev;
	int ret;

	ret = logos_handle_close(self->fd, 0xdead);
	EXPECT_EQ(-EBADF, ret);
	EXPECT_NE(NULL, strstr(logos_strerror(ret), "handle"));
	ASSERT_EQ(0, logos_event_create(self->fd, &ev));
	ret = logos_module_set_state(self->fd, ev, LOGOS_STATE_RUNNING);
	EXPECT_EQ(-EPROTOTYPE, ret);
	EXPECT_NE(NULL, strstr(logos_strerror(ret), "wrong type"));
	logos_handle_close(self->fd, ev);
}

TEST_F(core, exhausted_quota_is_edquot_with_advice)
{
	uint64_t limits[LOGOS_RES_COUNT] = { 0 };
	struct logos_module_info info;
	logos_handle_t module, ev1, ev2 = 99;
	int mfd, ret;

	limits[LOGOS_RES_EVENTS] = 1;
	ASSERT_EQ(0, logos_module_create(self->fd, "core-quota", 0, limits, &module, &mfd, NULL));
	ASSERT_EQ(0, logos_event_create(mfd, &ev1));
	ret = logos_event_create(mfd, &ev2);
	EXPECT_EQ(-EDQUOT, ret);
	EXPECT_EQ(99, ev2);
	EXPECT_NE(NULL, strstr(logos_strerror(ret), "quota"));
	ASSERT_EQ(0, logos_module_get_info(self->fd, module, &info));
	EXPECT_EQ(1, info.denied_quota);
	close(mfd);
	logos_handle_close(self->fd, module);
}

TEST_F(core, unknown_flags_and_bad_pointers_are_refused)
{
	struct logos_wait_item item = { 0 };
	logos_handle_t ev;

	ASSERT_EQ(0, logos_event_create(self->fd, &ev));
	item.handle = ev;
	item.signals = 1;
	EXPECT_EQ(-EINVAL, logos_wait(self->fd, &item, 1, 0x80, 0, NULL));
	EXPECT_EQ(-EINVAL, logos_wait(self->fd, &item, 0, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, logos_wait(self->fd, (struct logos_wait_item *)8, 1, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, logos_handle_give(self->fd, ev, ev, LOGOS_RIGHTS_SAME, 0x80, NULL));
	EXPECT_EQ(-EINVAL, logos_topic_create(self->fd, 0, 0, &ev));
	logos_handle_close(self->fd, ev);
}

TEST_HARNESS_MAIN
