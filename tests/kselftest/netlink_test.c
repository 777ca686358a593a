// SPDX-License-Identifier: GPL-2.0
/*
 * The "logos" generic netlink family, through libnl-genl-3 as logosctl
 * uses it: GET_VERSION, GET_MODULE, GET_HANDLES, GET_STATS, their strict
 * validation and privilege check, and the "events" multicast group's
 * sequence numbers and STATE events. SET_QUOTA and the quota events are in
 * quota_test.c, REVOKE events in revoke_test.c.
 */
#include <string.h>

#include "nl_helpers.h"
#include "kselftest_harness.h"

/* ---- GET_VERSION ------------------------------------------------------------ */

struct version_reply {
	int seen;
	__u32 major, minor;
	__u64 features;
};

static void on_version(struct nlattr **a, void *arg)
{
	struct version_reply *r = arg;

	if (!a[LOGOS_A_VERSION_MAJOR] || !a[LOGOS_A_VERSION_MINOR] ||
	    !a[LOGOS_A_VERSION_FEATURES])
		return;
	r->major = nla_get_u32(a[LOGOS_A_VERSION_MAJOR]);
	r->minor = nla_get_u32(a[LOGOS_A_VERSION_MINOR]);
	r->features = nla_get_u64(a[LOGOS_A_VERSION_FEATURES]);
	r->seen = 1;
}

/* Sends GET_VERSION (optionally with a stray attribute); returns -errno. */
static int get_version(struct version_reply *r, int stray_attr)
{
	struct logos_nl_arg stray[] = { LOGOS_NL_U32(LOGOS_A_VERSION_MAJOR, 7), { 0 } };

	return logos_nl_cmd(LOGOS_CMD_GET_VERSION, false, stray_attr ? stray : NULL,
			    on_version, r, NULL);
}

TEST(family_is_registered_and_reports_the_abi)
{
	struct version_reply r = {};

	ASSERT_EQ(0, get_version(&r, 0));
	ASSERT_TRUE(r.seen);
	EXPECT_EQ(LOGOS_ABI_MAJOR, r.major);
	EXPECT_EQ(LOGOS_ABI_MINOR, r.minor);
	EXPECT_TRUE(r.features & LOGOS_FEATURE_NETLINK);
}

TEST(request_attributes_are_rejected)
{
	struct version_reply r = {};

	EXPECT_EQ(-EINVAL, get_version(&r, 1));
	EXPECT_FALSE(r.seen);
}

/* Runs @fn as nobody, without capabilities; returns its exit status. */
static int unprivileged(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (logos_drop_privileges())
			_exit(2);
		_exit(fn());
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int version_is_eperm(void)
{
	struct version_reply r = {};

	return get_version(&r, 0) == -EPERM && !r.seen ? 0 : 1;
}

TEST(unprivileged_caller_is_refused)
{
	EXPECT_EQ(0, unprivileged(version_is_eperm));
}

/* ---- fixture: a supervisor with two modules ----------------------------------- */

FIXTURE(nl) {
	int dev;
	struct logos_test_module one, two;
};

FIXTURE_SETUP(nl)
{
	self->one.fd = self->two.fd = -1;
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
	ASSERT_EQ(0, logos_module_new(self->dev, "nl-one", LOGOS_TRUST_SYSTEM, NULL, &self->one));
	ASSERT_EQ(0, logos_set_state(self->dev, self->one.handle, LOGOS_STATE_INITIALIZING));
	ASSERT_EQ(0, logos_module_new(self->dev, "nl-two", LOGOS_TRUST_UNTRUSTED, NULL,
				      &self->two));
}

FIXTURE_TEARDOWN(nl)
{
	logos_module_release(&self->one);
	logos_module_release(&self->two);
	close(self->dev);
}

/* ---- GET_MODULE ---------------------------------------------------------------- */

TEST_F(nl, get_module_dump_lists_created_modules)
{
	static struct logos_nl_modules list;
	const struct logos_nl_module *m;

	ASSERT_EQ(0, logos_nl_cmd(LOGOS_CMD_GET_MODULE, true, NULL, logos_nl_collect_module,
				  &list, NULL));
	ASSERT_LE(2, list.n);

	m = logos_nl_modules_find(&list, self->one.id);
	ASSERT_NE(NULL, m);
	EXPECT_STREQ("nl-one", m->name);
	EXPECT_EQ(LOGOS_STATE_INITIALIZING, m->state);
	EXPECT_EQ(LOGOS_TRUST_SYSTEM, m->trust);
	EXPECT_EQ(0, m->pid);
	EXPECT_EQ(0, m->exit_flags);

	m = logos_nl_modules_find(&list, self->two.id);
	ASSERT_NE(NULL, m);
	EXPECT_STREQ("nl-two", m->name);
	EXPECT_EQ(LOGOS_STATE_LOADED, m->state);
	EXPECT_EQ(LOGOS_TRUST_UNTRUSTED, m->trust);
}

TEST_F(nl, get_module_dump_drops_freed_modules)
{
	static struct logos_nl_modules list;

	/* No module file and no handle left: the module is gone. */
	logos_module_release(&self->two);
	ASSERT_EQ(0, logos_close_handle(self->dev, self->two.handle));
	ASSERT_EQ(0, logos_nl_cmd(LOGOS_CMD_GET_MODULE, true, NULL, logos_nl_collect_module,
				  &list, NULL));
	EXPECT_EQ(NULL, logos_nl_modules_find(&list, self->two.id));
	EXPECT_NE(NULL, logos_nl_modules_find(&list, self->one.id));
}

TEST_F(nl, get_module_do_returns_that_module)
{
	struct logos_nl_arg args[] = { LOGOS_NL_U32(LOGOS_A_MODULE_ID, self->two.id), { 0 } };
	struct logos_nl_module m;
	int replies = 0;

	ASSERT_EQ(0, logos_nl_cmd(LOGOS_CMD_GET_MODULE, false, args, logos_nl_one_module, &m,
				  &replies));
	EXPECT_EQ(1, replies);
	EXPECT_EQ(self->two.id, m.id);
	EXPECT_STREQ("nl-two", m.name);
	EXPECT_EQ(LOGOS_STATE_LOADED, m.state);
	EXPECT_EQ(LOGOS_TRUST_UNTRUSTED, m.trust);
}

TEST_F(nl, get_module_with_an_unknown_id_is_enoent)
{
	struct logos_nl_module m;

	EXPECT_EQ(-ENOENT, logos_nl_get_module(0x7ffffff0, &m));
	EXPECT_FALSE(m.seen);
}

TEST_F(nl, get_module_agrees_with_module_info)
{
	__u64 limits[LOGOS_RES_COUNT] = {
		[LOGOS_RES_HANDLES] = LOGOS_LIMIT_UNLIMITED,
		[LOGOS_RES_EVENTS] = 3,
	};
	struct logos_test_module q;
	struct logos_module_info mi;
	struct logos_nl_module m;
	__u32 h;
	int r;

	ASSERT_EQ(0, logos_module_new(self->dev, "nl-usage", LOGOS_TRUST_USER, limits, &q));
	for (r = 0; r < 3; r++) {
		ASSERT_EQ(0, logos_event_new(q.fd, &h));
	}
	ASSERT_EQ(-EDQUOT, logos_event_new(q.fd, &h));
	ASSERT_EQ(0, logos_module_info(self->dev, q.handle, &mi));
	ASSERT_EQ(0, logos_nl_get_module(q.id, &m));

	EXPECT_EQ(getpid(), m.pid);	/* this process used the module file */
	EXPECT_EQ(mi.pid, m.pid);
	EXPECT_EQ(1, m.denied_quota);
	EXPECT_EQ(0, m.denied_rights);
	EXPECT_NE(~0ULL, m.cpu_ns);
	for (r = 0; r < __LOGOS_RES_MAX; r++) {
		EXPECT_TRUE(m.has_resource[r]) TH_LOG("resource %d missing", r);
		EXPECT_EQ(mi.usage[r], m.usage[r]) TH_LOG("usage of resource %d", r);
		EXPECT_EQ(mi.limit[r], m.limit[r]) TH_LOG("limit of resource %d", r);
	}
	EXPECT_EQ(3, m.usage[LOGOS_RES_EVENTS]);
	EXPECT_EQ(3, m.limit[LOGOS_RES_EVENTS]);
	EXPECT_EQ(LOGOS_LIMIT_UNLIMITED, m.limit[LOGOS_RES_HANDLES]);
	logos_module_release(&q);
}

TEST_F(nl, get_module_reports_a_crash)
{
	struct logos_nl_module m;

	logos_module_release(&self->one);
	ASSERT_EQ(0, logos_nl_get_module(self->one.id, &m));
	EXPECT_EQ(LOGOS_STATE_TERMINATED, m.state);
	EXPECT_EQ(LOGOS_EXIT_CRASHED, m.exit_flags);
}

/* ---- GET_HANDLES ---------------------------------------------------------------- */

static void expect_same_handle(struct __test_metadata *_metadata, int fd,
			       const struct logos_nl_handles *list, __u32 module_id, __u32 h)
{
	const struct logos_nl_handle *n = logos_nl_handles_find(list, h);
	struct logos_handle_info info;

	ASSERT_NE(NULL, n) TH_LOG("handle 0x%08x not in the dump", h);
	ASSERT_EQ(0, logos_info(fd, h, &info));
	EXPECT_EQ(module_id, n->module_id);
	EXPECT_EQ(info.type, n->type);
	EXPECT_EQ(info.rights, n->rights);
	EXPECT_EQ(0, n->flags);
	EXPECT_EQ(info.object_id, n->object_id);
	EXPECT_EQ(info.cap_id, n->cap_id);
	EXPECT_EQ(info.parent_cap_id, n->parent_cap_id);
}

TEST_F(nl, get_handles_dumps_a_modules_table)
{
	static struct logos_nl_handles list;
	__u32 ev, given_ro, given_all, own;

	ASSERT_EQ(0, logos_event_new(self->dev, &ev));
	ASSERT_EQ(0, logos_give(self->dev, self->two.handle, ev, LOGOS_RIGHT_READ, 0, &given_ro));
	ASSERT_EQ(0, logos_give(self->dev, self->two.handle, ev, LOGOS_RIGHTS_SAME, 0,
				&given_all));
	ASSERT_EQ(0, logos_event_new(self->two.fd, &own));

	ASSERT_EQ(0, logos_nl_get_handles(self->two.id, &list));
	EXPECT_EQ(3, list.n);
	expect_same_handle(_metadata, self->two.fd, &list, self->two.id, given_ro);
	expect_same_handle(_metadata, self->two.fd, &list, self->two.id, given_all);
	expect_same_handle(_metadata, self->two.fd, &list, self->two.id, own);
}

TEST_F(nl, get_handles_of_an_empty_table_is_empty)
{
	static struct logos_nl_handles list;

	ASSERT_EQ(0, logos_nl_get_handles(self->one.id, &list));
	EXPECT_EQ(0, list.n);
}

TEST_F(nl, get_handles_marks_revoked_handles)
{
	static struct logos_nl_handles list;
	const struct logos_nl_handle *n;
	__u32 ev, kept, revoked;

	ASSERT_EQ(0, logos_event_new(self->dev, &ev));
	ASSERT_EQ(0, logos_give(self->dev, self->two.handle, ev, LOGOS_RIGHTS_SAME, 0, &revoked));
	ASSERT_EQ(0, logos_revoke(self->dev, ev, NULL));
	ASSERT_EQ(0, logos_give(self->dev, self->two.handle, ev, LOGOS_RIGHTS_SAME, 0, &kept));

	ASSERT_EQ(0, logos_nl_get_handles(self->two.id, &list));
	ASSERT_EQ(2, list.n);
	n = logos_nl_handles_find(&list, revoked);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(LOGOS_HANDLE_F_REVOKED, n->flags);
	n = logos_nl_handles_find(&list, kept);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(0, n->flags);
}

TEST_F(nl, get_handles_without_module_id_is_einval)
{
	static struct logos_nl_handles list;

	EXPECT_EQ(-EINVAL, logos_nl_cmd(LOGOS_CMD_GET_HANDLES, true, NULL,
					logos_nl_collect_handle, &list, NULL));
	EXPECT_EQ(0, list.n);
}

TEST_F(nl, get_handles_of_an_unknown_module_is_enoent)
{
	static struct logos_nl_handles list;

	EXPECT_EQ(-ENOENT, logos_nl_get_handles(0x7ffffff0, &list));
	EXPECT_EQ(0, list.n);
}

/* ---- GET_STATS ---------------------------------------------------------------- */

TEST_F(nl, get_stats_counts_live_objects_handles_and_modules)
{
	struct logos_nl_stats a, b;
	struct logos_test_module m;
	__u32 ev, copy;

	ASSERT_EQ(0, logos_nl_get_stats(&a));
	ASSERT_TRUE(a.seen);
	ASSERT_EQ(0, logos_event_new(self->dev, &ev));
	ASSERT_EQ(0, logos_nl_get_stats(&b));
	EXPECT_EQ(a.objects + 1, b.objects);
	EXPECT_EQ(a.handles + 1, b.handles);
	EXPECT_EQ(a.modules, b.modules);

	ASSERT_EQ(0, logos_dup(self->dev, ev, LOGOS_RIGHTS_SAME, &copy));
	ASSERT_EQ(0, logos_nl_get_stats(&a));
	EXPECT_EQ(b.objects, a.objects);
	EXPECT_EQ(b.handles + 1, a.handles);

	ASSERT_EQ(0, logos_close_handle(self->dev, copy));
	ASSERT_EQ(0, logos_close_handle(self->dev, ev));
	ASSERT_EQ(0, logos_nl_get_stats(&b));
	EXPECT_EQ(a.objects - 1, b.objects);
	EXPECT_EQ(a.handles - 2, b.handles);

	ASSERT_EQ(0, logos_module_new(self->dev, "nl-stats", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_nl_get_stats(&a));
	EXPECT_EQ(b.modules + 1, a.modules);
	logos_module_release(&m);
}

TEST_F(nl, get_stats_reports_limits_above_usage)
{
	struct logos_nl_stats s;

	ASSERT_EQ(0, logos_nl_get_stats(&s));
	EXPECT_LE(2, s.modules);	/* the fixture's */
	EXPECT_LE(s.modules, s.max_modules);
	EXPECT_LE(s.objects, s.max_objects);
	EXPECT_LE(s.handles, s.max_handles);
	EXPECT_NE(0, s.max_objects);
	EXPECT_NE(0, s.max_handles);
}

/* With a listener in the group, so the event is really multicast. */
TEST_F(nl, get_stats_counts_events_sent)
{
	struct logos_nl_listener *l = logos_nl_listen();
	struct logos_nl_stats a, b;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, logos_nl_get_stats(&a));
	ASSERT_EQ(0, logos_set_state(self->dev, self->two.handle, LOGOS_STATE_INITIALIZING));
	ASSERT_EQ(0, logos_nl_get_stats(&b));
	EXPECT_EQ(a.events_sent + 1, b.events_sent);
	logos_nl_unlisten(l);
}

/* ---- validation and privilege ---------------------------------------------------- */

static __u64 limit_of_handles(int dev, __u32 module)
{
	struct logos_module_info mi;

	return logos_module_info(dev, module, &mi) ? 0 : mi.limit[LOGOS_RES_HANDLES];
}

TEST_F(nl, attributes_a_command_does_not_take_are_einval)
{
	struct logos_nl_arg stats_with_id[] = { LOGOS_NL_U32(LOGOS_A_MODULE_ID, 0), { 0 } };
	struct logos_nl_arg module_with_limit[] = {
		LOGOS_NL_U32(LOGOS_A_MODULE_ID, 0), LOGOS_NL_U64(LOGOS_A_LIMIT, 1), { 0 } };
	struct logos_nl_arg handles_with_state[] = {
		LOGOS_NL_U32(LOGOS_A_MODULE_ID, 0), LOGOS_NL_U32(LOGOS_A_MODULE_STATE, 1), { 0 } };
	struct logos_nl_arg quota_with_name[] = {
		LOGOS_NL_U32(LOGOS_A_MODULE_ID, 0), LOGOS_NL_U32(LOGOS_A_RESOURCE, 0),
		LOGOS_NL_U64(LOGOS_A_LIMIT, 5), LOGOS_NL_U32(LOGOS_A_COUNT, 1), { 0 } };
	struct logos_nl_stats s;
	struct logos_nl_module m;

	stats_with_id[0].value = self->one.id;
	module_with_limit[0].value = self->one.id;
	handles_with_state[0].value = self->one.id;
	quota_with_name[0].value = self->one.id;
	EXPECT_EQ(-EINVAL, logos_nl_cmd(LOGOS_CMD_GET_STATS, false, stats_with_id,
					logos_nl_parse_stats, &s, NULL));
	EXPECT_EQ(-EINVAL, logos_nl_cmd(LOGOS_CMD_GET_MODULE, false, module_with_limit,
					logos_nl_one_module, &m, NULL));
	EXPECT_EQ(-EINVAL, logos_nl_cmd(LOGOS_CMD_GET_HANDLES, true, handles_with_state, NULL,
					NULL, NULL));
	EXPECT_EQ(-EINVAL, logos_nl_cmd(LOGOS_CMD_SET_QUOTA, false, quota_with_name, NULL, NULL,
					NULL));
	EXPECT_NE(5, limit_of_handles(self->dev, self->one.handle));
}

static int get_module_is_eperm(void)
{
	static struct logos_nl_modules list;

	return logos_nl_cmd(LOGOS_CMD_GET_MODULE, true, NULL, logos_nl_collect_module, &list,
			    NULL) == -EPERM && list.n == 0 ? 0 : 1;
}

static int get_handles_is_eperm(void)
{
	static struct logos_nl_handles list;

	return logos_nl_get_handles(1, &list) == -EPERM && list.n == 0 ? 0 : 1;
}

static int get_stats_is_eperm(void)
{
	struct logos_nl_stats s;

	return logos_nl_get_stats(&s) == -EPERM && !s.seen ? 0 : 1;
}

static __u32 quota_target;

static int set_quota_is_eperm(void)
{
	return logos_nl_set_quota(quota_target, LOGOS_RES_EVENTS, 1) == -EPERM ? 0 : 1;
}

TEST_F(nl, unprivileged_callers_are_refused_every_command)
{
	struct logos_module_info mi;

	EXPECT_EQ(0, unprivileged(get_module_is_eperm));
	EXPECT_EQ(0, unprivileged(get_handles_is_eperm));
	EXPECT_EQ(0, unprivileged(get_stats_is_eperm));
	quota_target = self->one.id;
	EXPECT_EQ(0, unprivileged(set_quota_is_eperm));
	ASSERT_EQ(0, logos_module_info(self->dev, self->one.handle, &mi));
	EXPECT_NE(1, mi.limit[LOGOS_RES_EVENTS]);
}

/* ---- the events group ----------------------------------------------------------- */

TEST_F(nl, state_events_describe_every_transition)
{
	static const __u32 steps[][2] = {
		{ LOGOS_STATE_LOADED, LOGOS_STATE_INITIALIZING },
		{ LOGOS_STATE_INITIALIZING, LOGOS_STATE_RUNNING },
		{ LOGOS_STATE_RUNNING, LOGOS_STATE_PAUSED },
		{ LOGOS_STATE_PAUSED, LOGOS_STATE_RUNNING },
		{ LOGOS_STATE_RUNNING, LOGOS_STATE_TERMINATING },
		{ LOGOS_STATE_TERMINATING, LOGOS_STATE_TERMINATED },
	};
	struct logos_nl_listener *l = logos_nl_listen();
	int i, at = 0;

	ASSERT_NE(NULL, l);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, logos_set_state(self->dev, self->two.handle, steps[i][1]));
	}
	logos_module_release(&self->two);	/* clean: it was TERMINATING */
	ASSERT_NE(NULL, logos_nl_wait_state(l, self->two.id, LOGOS_STATE_TERMINATED, 2000));

	for (i = 0; i < 6; i++) {
		const struct logos_nl_event *e;

		at = logos_nl_find(l, at, LOGOS_EVENT_STATE, self->two.id);
		ASSERT_LE(0, at) TH_LOG("no event for %u -> %u", steps[i][0], steps[i][1]);
		e = &l->ev[at++];
		EXPECT_EQ(steps[i][0], e->state_old);
		EXPECT_EQ(steps[i][1], e->state);
		EXPECT_EQ(0, e->exit_flags);
		EXPECT_STREQ("nl-two", e->name);
	}
	EXPECT_EQ(-1, logos_nl_find(l, at, LOGOS_EVENT_STATE, self->two.id));
	logos_nl_unlisten(l);
}

TEST_F(nl, ready_from_the_module_is_a_state_event)
{
	struct logos_nl_listener *l = logos_nl_listen();
	const struct logos_nl_event *e;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, logos_ioctl(self->one.fd, LOGOS_IOC_MODULE_READY, NULL));
	e = logos_nl_wait_state(l, self->one.id, LOGOS_STATE_RUNNING, 2000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(LOGOS_STATE_INITIALIZING, e->state_old);
	logos_nl_unlisten(l);
}

TEST_F(nl, event_sequence_numbers_grow_by_one)
{
	struct logos_nl_listener *l = logos_nl_listen();
	__u64 before = logos_now_ns(), after;
	int i;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, logos_set_state(self->dev, self->two.handle, LOGOS_STATE_INITIALIZING));
	ASSERT_EQ(0, logos_set_state(self->dev, self->two.handle, LOGOS_STATE_RUNNING));
	ASSERT_EQ(0, logos_set_state(self->dev, self->one.handle, LOGOS_STATE_RUNNING));
	ASSERT_EQ(0, logos_set_state(self->dev, self->two.handle, LOGOS_STATE_PAUSED));
	logos_module_release(&self->one);
	logos_module_release(&self->two);
	ASSERT_NE(NULL, logos_nl_wait_state(l, self->two.id, LOGOS_STATE_TERMINATED, 2000));
	logos_nl_drain(l, 200);
	after = logos_now_ns();

	ASSERT_LE(6, l->n);
	EXPECT_EQ(0, l->lost);
	for (i = 0; i < l->n; i++) {
		const struct logos_nl_event *e = &l->ev[i];
		const __u64 common = 1ULL << LOGOS_A_EVENT_TYPE | 1ULL << LOGOS_A_EVENT_SEQ |
				     1ULL << LOGOS_A_EVENT_TIME_NS | 1ULL << LOGOS_A_MODULE_ID |
				     1ULL << LOGOS_A_MODULE_NAME;

		EXPECT_EQ(common, e->present & common) TH_LOG("event %d", i);
		if (i > 0) {
			EXPECT_EQ(l->ev[i - 1].seq + 1, e->seq) TH_LOG("event %d", i);
			EXPECT_LE(l->ev[i - 1].time_ns, e->time_ns) TH_LOG("event %d", i);
		}
		/* CLOCK_MONOTONIC, taken during the test. */
		EXPECT_LE(before, e->time_ns);
		EXPECT_GE(after, e->time_ns);
	}
	logos_nl_unlisten(l);
}

TEST_HARNESS_MAIN
