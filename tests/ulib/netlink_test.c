// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink wrappers against logos.ko: version, modules, handle tables,
 * statistics, quotas, and the events group; errors as kernel errnos.
 */
#include "helpers.h"

#include "kselftest_harness.h"

FIXTURE(nl) {
	struct logos_nl *nl;
	int fd;
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, logos_nl_open(&self->nl));
	self->fd = logos_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(nl)
{
	logos_nl_close(self->nl);
	close(self->fd);
}

TEST_F(nl, version_agrees_with_the_ioctl)
{
	struct logos_version a, b;

	ASSERT_EQ(0, logos_nl_get_version(self->nl, &a));
	ASSERT_EQ(0, logos_get_version(self->fd, &b));
	EXPECT_EQ(b.major, a.major);
	EXPECT_EQ(b.minor, a.minor);
	EXPECT_EQ(b.features, a.features);
	/* The socket is reusable: a second request on it. */
	ASSERT_EQ(0, logos_nl_get_version(self->nl, &a));
}

TEST_F(nl, module_get_and_list)
{
	struct logos_nl_module mod, *all = NULL;
	struct logos_module_info info;
	logos_handle_t module;
	uint32_t id;
	size_t n = 0, i;
	int mfd, found = 0;

	ASSERT_EQ(0, logos_module_create(self->fd, "nl-test", LOGOS_TRUST_USER, NULL, &module,
					 &mfd, &id));
	ASSERT_EQ(0, logos_module_set_quota(self->fd, module, LOGOS_RES_HANDLES, 123));
	ASSERT_EQ(0, logos_nl_get_module(self->nl, id, &mod));
	EXPECT_EQ(id, mod.id);
	EXPECT_STREQ("nl-test", mod.name);
	EXPECT_EQ(LOGOS_STATE_LOADED, mod.state);
	EXPECT_EQ(LOGOS_TRUST_USER, mod.trust_level);
	EXPECT_EQ(123, mod.limit[LOGOS_RES_HANDLES]);
	ASSERT_EQ(0, logos_module_get_info(self->fd, module, &info));
	EXPECT_EQ(info.usage[LOGOS_RES_HANDLES], mod.usage[LOGOS_RES_HANDLES]);
	ASSERT_EQ(0, logos_nl_list_modules(self->nl, &all, &n));
	for (i = 0; i < n; i++)
		found += all[i].id == id;
	EXPECT_EQ(1, found);
	free(all);
	EXPECT_EQ(-ENOENT, logos_nl_get_module(self->nl, 0x7ffffff0, &mod));
	EXPECT_EQ(-ERANGE, logos_nl_get_module(self->nl, 0, &mod));
	close(mfd);
	logos_handle_close(self->fd, module);
}

TEST_F(nl, handle_table_of_a_module)
{
	struct logos_nl_handle *hs = NULL;
	logos_handle_t module, ev;
	uint32_t id;
	size_t n = 0, i;
	int mfd, found = 0;

	ASSERT_EQ(0, logos_module_create(self->fd, "nl-handles", 0, NULL, &module, &mfd, &id));
	ASSERT_EQ(0, logos_event_create(mfd, &ev));
	ASSERT_EQ(0, logos_nl_list_handles(self->nl, id, &hs, &n));
	for (i = 0; i < n; i++) {
		if (hs[i].value == ev) {
			found++;
			EXPECT_EQ(LOGOS_OBJ_EVENT, hs[i].type);
			EXPECT_NE(0, hs[i].object_id);
		}
	}
	EXPECT_EQ(1, found);
	free(hs);
	EXPECT_EQ(-ENOENT, logos_nl_list_handles(self->nl, 0x7ffffff0, &hs, &n));
	/* The socket still works after a failed dump. */
	{
		struct logos_version v;

		EXPECT_EQ(0, logos_nl_get_version(self->nl, &v));
	}
	close(mfd);
	logos_handle_close(self->fd, module);
}

TEST_F(nl, grants_between_modules_are_listed)
{
	struct logos_nl_grant *gs = NULL;
	struct tmod a, b;
	logos_handle_t ca, cb, mem;
	struct logos_msg_handle h = { .rights = LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ };
	struct logos_msg_handle rh;
	struct logos_msg m;
	size_t n = 0, i;
	int found = 0;

	ASSERT_EQ(0, tmod_create(self->fd, "nl-ga", &a));
	ASSERT_EQ(0, tmod_create(self->fd, "nl-gb", &b));
	ASSERT_EQ(0, logos_channel_create(self->fd, 0, 0, &ca, &cb));
	ASSERT_EQ(0, logos_handle_give(self->fd, a.module, ca, EP_RIGHTS, LOGOS_GIVE_MOVE, &ca));
	ASSERT_EQ(0, logos_handle_give(self->fd, b.module, cb, EP_RIGHTS, LOGOS_GIVE_MOVE, &cb));
	ASSERT_EQ(0, logos_mem_create(a.fd, 3 * 4096, &mem, NULL));
	h.handle = mem;
	ASSERT_EQ(0, logos_channel_send(a.fd, ca, NULL, 0, &h, 1, 0, LONG));
	logos_msg_prepare(&m, NULL, 0, &rh, 1);
	ASSERT_EQ(0, logos_channel_recv(b.fd, cb, &m, LONG));
	ASSERT_EQ(0, logos_nl_list_grants(self->nl, &gs, &n));
	for (i = 0; i < n; i++) {
		if (gs[i].from == a.id && gs[i].to == b.id) {
			found++;
			EXPECT_EQ(1, gs[i].handles);
			EXPECT_EQ(3, gs[i].pages);
		}
	}
	EXPECT_EQ(1, found);
	free(gs);
	close(a.fd);
	close(b.fd);
	tmod_release(self->fd, &a);
	tmod_release(self->fd, &b);
}

TEST_F(nl, stats_count_live_objects)
{
	struct logos_nl_stats a, b;
	logos_handle_t ev;

	ASSERT_EQ(0, logos_nl_get_stats(self->nl, &a));
	ASSERT_EQ(0, logos_event_create(self->fd, &ev));
	ASSERT_EQ(0, logos_nl_get_stats(self->nl, &b));
	EXPECT_EQ(a.objects + 1, b.objects);
	EXPECT_LE(b.objects, b.max_objects);
	logos_handle_close(self->fd, ev);
}

TEST_F(nl, set_quota_has_the_ioctls_effect)
{
	struct logos_module_info info;
	logos_handle_t module;
	uint32_t id;
	int mfd;

	ASSERT_EQ(0, logos_module_create(self->fd, "nl-quota", 0, NULL, &module, &mfd, &id));
	ASSERT_EQ(0, logos_nl_set_quota(self->nl, id, LOGOS_RES_EVENTS, 9));
	ASSERT_EQ(0, logos_module_get_info(self->fd, module, &info));
	EXPECT_EQ(9, info.limit[LOGOS_RES_EVENTS]);
	EXPECT_EQ(-ERANGE, logos_nl_set_quota(self->nl, id, 99, 1));
	EXPECT_EQ(-ENOENT, logos_nl_set_quota(self->nl, 0x7ffffff0, 0, 1));
	close(mfd);
	logos_handle_close(self->fd, module);
}

struct evlog {
	int states;
	uint32_t id, last_state, last_old;
	uint64_t last_seq;
	int gaps;
};

static void on_event(const struct logos_nl_event *ev, void *arg)
{
	struct evlog *l = arg;

	if (l->last_seq && ev->seq != l->last_seq + 1)
		l->gaps++;
	l->last_seq = ev->seq;
	if (ev->type == LOGOS_EVENT_STATE && ev->module_id == l->id) {
		l->states++;
		l->last_state = ev->state;
		l->last_old = ev->state_old;
	}
}

TEST_F(nl, events_group_reports_state_changes)
{
	struct logos_nl *ev;
	struct evlog log = { 0 };
	logos_handle_t module;
	int mfd, i;

	ASSERT_EQ(0, logos_nl_open_events(&ev));
	EXPECT_EQ(0, logos_nl_read_events(ev, on_event, &log));
	ASSERT_EQ(0, logos_module_create(self->fd, "nl-events", 0, NULL, &module, &mfd, &log.id));
	ASSERT_EQ(0, logos_module_set_state(self->fd, module, LOGOS_STATE_INITIALIZING));
	ASSERT_EQ(0, logos_module_report_ready(mfd));
	for (i = 0; i < 50 && log.last_state != LOGOS_STATE_RUNNING; i++) {
		usleep(20000);
		ASSERT_LE(0, logos_nl_read_events(ev, on_event, &log));
	}
	/* Creation may count as one more (LOADED). */
	EXPECT_LE(2, log.states);
	EXPECT_EQ(LOGOS_STATE_RUNNING, log.last_state);
	EXPECT_EQ(LOGOS_STATE_INITIALIZING, log.last_old);
	EXPECT_EQ(0, log.gaps);
	EXPECT_LE(0, logos_nl_fd(ev));
	logos_nl_close(ev);
	close(mfd);
	logos_handle_close(self->fd, module);
}

TEST(unprivileged_callers_get_eperm)
{
	struct logos_nl *nl;
	struct logos_version v;
	pid_t pid;
	int status;

	ASSERT_EQ(0, logos_nl_open(&nl));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(logos_nl_get_version(nl, &v) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	logos_nl_close(nl);
}

TEST_HARNESS_MAIN
