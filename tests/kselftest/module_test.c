// SPDX-License-Identifier: GPL-2.0
/*
 * Modules (FR-001): creation and its validation, the module file, the
 * lifecycle transition table, LOGOS_IOC_MODULE_READY, termination when the
 * module file goes away (cleanly or in a crash), process binding and
 * isolation of handle tables.
 */
#include <string.h>

#include "nl_helpers.h"
#include "kselftest_harness.h"

static const char *const state_names[] = {
	"LOADED", "INITIALIZING", "RUNNING", "PAUSED", "TERMINATING", "TERMINATED",
};

FIXTURE(mod) {
	int dev;
};

FIXTURE_SETUP(mod)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(mod)
{
	close(self->dev);
}

static int create_named(int dev, const char *name, size_t len, __u32 trust,
			struct logos_test_module *m)
{
	struct logos_module_create arg = { .trust_level = trust };
	int ret;

	memcpy(arg.name, name, len);
	ret = logos_ioctl(dev, LOGOS_IOC_MODULE_CREATE, &arg);
	if (!ret) {
		m->handle = arg.handle;
		m->fd = arg.fd;
		m->id = arg.module_id;
	}
	return ret;
}

/* ---- creation ------------------------------------------------------------ */

TEST_F(mod, create_returns_a_module_handle_a_file_and_an_id)
{
	struct logos_test_module m;
	struct logos_handle_info info;

	ASSERT_EQ(0, logos_module_new(self->dev, "alpha", LOGOS_TRUST_USER, NULL, &m));
	EXPECT_NE(0, m.id);
	EXPECT_LE(0, m.fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(m.fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, logos_info(self->dev, m.handle, &info));
	EXPECT_EQ(LOGOS_OBJ_MODULE, info.type);
	EXPECT_EQ(LOGOS_RIGHTS_ALL, info.rights);
	EXPECT_EQ(0, info.parent_cap_id);
	EXPECT_EQ(0, info.owner_module);
	logos_module_release(&m);
}

TEST_F(mod, new_module_is_loaded_unbound_and_uses_nothing)
{
	struct logos_module_info mi;
	struct logos_test_module m;
	int r;

	ASSERT_EQ(0, logos_module_new(self->dev, "fresh", LOGOS_TRUST_SYSTEM, NULL, &m));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
	EXPECT_EQ(m.id, mi.module_id);
	EXPECT_EQ(LOGOS_STATE_LOADED, mi.state);
	EXPECT_EQ(LOGOS_TRUST_SYSTEM, mi.trust_level);
	EXPECT_STREQ("fresh", mi.name);
	EXPECT_EQ(0, mi.pid);
	EXPECT_EQ(0, mi.exit_flags);
	EXPECT_EQ(0, mi.denied_rights);
	EXPECT_EQ(0, mi.denied_quota);
	for (r = 0; r < LOGOS_RES_COUNT; r++) {
		EXPECT_EQ(0, mi.usage[r]) TH_LOG("resource %d", r);
	}
	logos_module_release(&m);
}

TEST_F(mod, modules_get_distinct_ids_even_with_one_name)
{
	struct logos_test_module a, b;

	ASSERT_EQ(0, logos_module_new(self->dev, "twin", LOGOS_TRUST_USER, NULL, &a));
	ASSERT_EQ(0, logos_module_new(self->dev, "twin", LOGOS_TRUST_USER, NULL, &b));
	EXPECT_NE(a.id, b.id);
	EXPECT_NE(a.fd, b.fd);
	logos_module_release(&a);
	logos_module_release(&b);
}

TEST_F(mod, every_trust_level_is_recorded)
{
	struct logos_module_info mi;
	struct logos_test_module m;
	__u32 t;

	for (t = 0; t < __LOGOS_TRUST_MAX; t++) {
		ASSERT_EQ(0, logos_module_new(self->dev, "trust", t, NULL, &m));
		ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
		EXPECT_EQ(t, mi.trust_level);
		logos_module_release(&m);
	}
}

TEST_F(mod, bad_trust_level_is_einval)
{
	static const __u32 bad[] = { __LOGOS_TRUST_MAX, 100, 0x80000000, ~0U };
	struct logos_test_module m = { .fd = -1 };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, logos_module_new(self->dev, "trust", bad[i], NULL, &m))
			TH_LOG("trust level %u", bad[i]);
	}
	EXPECT_EQ(-1, m.fd);
}

TEST_F(mod, limits_given_at_creation_are_reported)
{
	__u64 limits[LOGOS_RES_COUNT] = {
		[LOGOS_RES_HANDLES] = LOGOS_LIMIT_UNLIMITED,
		[LOGOS_RES_EVENTS] = 4,
		[LOGOS_RES_OBJECTS] = 1234,
	};
	struct logos_module_info mi;
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "limits", LOGOS_TRUST_USER, limits, &m));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
	EXPECT_EQ(LOGOS_LIMIT_UNLIMITED, mi.limit[LOGOS_RES_HANDLES]);
	EXPECT_EQ(4, mi.limit[LOGOS_RES_EVENTS]);
	EXPECT_EQ(1234, mi.limit[LOGOS_RES_OBJECTS]);
	/* LOGOS_LIMIT_DEFAULT is the module parameter, not a limit of 0. */
	EXPECT_NE(0, mi.limit[LOGOS_RES_CHANNELS]);
	logos_module_release(&m);
}

/* ---- names ----------------------------------------------------------------- */

TEST_F(mod, name_of_31_allowed_characters_is_accepted)
{
	const char *name = "Az09._-abcdefghijklmnopqrstuvwx";	/* 31 */
	struct logos_module_info mi;
	struct logos_test_module m;

	ASSERT_EQ(31, strlen(name));
	ASSERT_EQ(0, logos_module_new(self->dev, name, LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
	EXPECT_STREQ(name, mi.name);
	logos_module_release(&m);
}

TEST_F(mod, single_character_name_is_accepted)
{
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "x", LOGOS_TRUST_USER, NULL, &m));
	logos_module_release(&m);
}

TEST_F(mod, empty_name_is_einval)
{
	struct logos_test_module m;

	EXPECT_EQ(-EINVAL, create_named(self->dev, "", 1, LOGOS_TRUST_USER, &m));
}

TEST_F(mod, unterminated_name_is_einval)
{
	char name[LOGOS_NAME_MAX];
	struct logos_test_module m;

	memset(name, 'a', sizeof(name));	/* 32 characters, no NUL */
	EXPECT_EQ(-EINVAL, create_named(self->dev, name, sizeof(name), LOGOS_TRUST_USER, &m));
}

TEST_F(mod, name_with_a_bad_character_is_einval)
{
	static const char *const bad[] = {
		"a b", "a/b", "a:b", "a\tb", "a\nb", "a*", "../x", "caf\xc3\xa9", "a\x7f",
		"a+b", "a@b", "a$", "\x01",
	};
	struct logos_test_module m;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, create_named(self->dev, bad[i], strlen(bad[i]) + 1,
						LOGOS_TRUST_USER, &m))
			TH_LOG("name \"%s\"", bad[i]);
	}
}

/* ---- the module file ------------------------------------------------------ */

TEST_F(mod, module_file_describes_its_own_module)
{
	struct logos_module_info mi;
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "self", LOGOS_TRUST_CORE, NULL, &m));
	ASSERT_EQ(0, logos_module_info(m.fd, LOGOS_HANDLE_SELF, &mi));
	EXPECT_EQ(m.id, mi.module_id);
	EXPECT_STREQ("self", mi.name);
	EXPECT_EQ(LOGOS_TRUST_CORE, mi.trust_level);
	EXPECT_EQ(LOGOS_STATE_LOADED, mi.state);
	logos_module_release(&m);
}

/* SELF names a module only on a module file. */
TEST_F(mod, handle_self_on_the_supervisor_file_is_ebadf)
{
	struct logos_module_info mi;

	EXPECT_EQ(-EBADF, logos_module_info(self->dev, LOGOS_HANDLE_SELF, &mi));
}

TEST_F(mod, module_file_cannot_create_modules)
{
	struct logos_test_module m, inner = { .fd = -1 };

	ASSERT_EQ(0, logos_module_new(self->dev, "outer", LOGOS_TRUST_CORE, NULL, &m));
	EXPECT_EQ(-EPERM, logos_module_new(m.fd, "inner", LOGOS_TRUST_USER, NULL, &inner));
	EXPECT_EQ(-1, inner.fd);
	logos_module_release(&m);
}

TEST_F(mod, module_cannot_use_the_supervisors_handles)
{
	struct logos_handle_info info;
	struct logos_test_module m;
	__u32 ev, mine;

	ASSERT_EQ(0, logos_event_new(self->dev, &ev));
	ASSERT_EQ(0, logos_module_new(self->dev, "isolated", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_event_new(m.fd, &mine));

	EXPECT_EQ(-EBADF, logos_info(m.fd, ev, &info));
	EXPECT_EQ(-EBADF, logos_info(m.fd, m.handle, &info));
	EXPECT_EQ(-EBADF, logos_signal(m.fd, ev, 0, 1));
	EXPECT_EQ(-EBADF, logos_dup(m.fd, ev, LOGOS_RIGHTS_SAME, &info.handle));
	EXPECT_EQ(-EBADF, logos_set_state(m.fd, m.handle, LOGOS_STATE_INITIALIZING));
	EXPECT_EQ(-EBADF, logos_close_handle(m.fd, ev));
	/* Nor the supervisor the module's. */
	EXPECT_EQ(-EBADF, logos_info(self->dev, mine, &info));
	EXPECT_EQ(-EBADF, logos_close_handle(self->dev, mine));
	/* Those attempts closed nothing and moved nothing. */
	EXPECT_EQ(0, logos_info(self->dev, ev, &info));
	EXPECT_EQ(0, logos_info(m.fd, mine, &info));
	EXPECT_EQ(LOGOS_STATE_LOADED, logos_state_of(self->dev, m.handle));
	logos_module_release(&m);
}

/* ---- lifecycle: the whole 6x6 transition table ---------------------------- */

FIXTURE(transition) {
	int dev;
};

FIXTURE_VARIANT(transition) {
	__u32 from;
	__u32 allowed;	/* bit per target state */
};

#define BIT_STATE(s) (1U << LOGOS_STATE_##s)
FIXTURE_VARIANT_ADD(transition, from_loaded) {
	LOGOS_STATE_LOADED, BIT_STATE(INITIALIZING) | BIT_STATE(TERMINATING) };
FIXTURE_VARIANT_ADD(transition, from_initializing) {
	LOGOS_STATE_INITIALIZING, BIT_STATE(RUNNING) | BIT_STATE(TERMINATING) };
FIXTURE_VARIANT_ADD(transition, from_running) {
	LOGOS_STATE_RUNNING, BIT_STATE(PAUSED) | BIT_STATE(TERMINATING) };
FIXTURE_VARIANT_ADD(transition, from_paused) {
	LOGOS_STATE_PAUSED, BIT_STATE(RUNNING) | BIT_STATE(TERMINATING) };
FIXTURE_VARIANT_ADD(transition, from_terminating) { LOGOS_STATE_TERMINATING, 0 };
FIXTURE_VARIANT_ADD(transition, from_terminated) { LOGOS_STATE_TERMINATED, 0 };

FIXTURE_SETUP(transition)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(transition)
{
	close(self->dev);
}

TEST_F(transition, every_target_state)
{
	struct logos_test_module m;
	__u32 to;

	for (to = 0; to < __LOGOS_STATE_MAX; to++) {
		int allowed = !!(variant->allowed & (1U << to));

		ASSERT_EQ(0, logos_module_new(self->dev, "matrix", LOGOS_TRUST_USER, NULL, &m));
		ASSERT_EQ(0, logos_module_drive(self->dev, &m, variant->from));
		ASSERT_EQ(variant->from, logos_state_of(self->dev, m.handle));

		EXPECT_EQ(allowed ? 0 : -EINVAL, logos_set_state(self->dev, m.handle, to))
			TH_LOG("%s -> %s", state_names[variant->from], state_names[to]);
		EXPECT_EQ(allowed ? to : variant->from, logos_state_of(self->dev, m.handle))
			TH_LOG("state after %s -> %s", state_names[variant->from], state_names[to]);

		logos_module_release(&m);
		ASSERT_EQ(0, logos_close_handle(self->dev, m.handle));
	}
}

TEST_F(mod, unknown_state_value_is_einval)
{
	static const __u32 bad[] = { __LOGOS_STATE_MAX, 100, ~0U };
	struct logos_test_module m;
	unsigned int i;

	ASSERT_EQ(0, logos_module_new(self->dev, "states", LOGOS_TRUST_USER, NULL, &m));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, logos_set_state(self->dev, m.handle, bad[i]))
			TH_LOG("state %u", bad[i]);
	}
	EXPECT_EQ(LOGOS_STATE_LOADED, logos_state_of(self->dev, m.handle));
	logos_module_release(&m);
}

TEST_F(mod, set_state_without_control_right_is_eperm)
{
	struct logos_test_module m;
	__u32 weak;

	ASSERT_EQ(0, logos_module_new(self->dev, "control", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_dup(self->dev, m.handle, LOGOS_RIGHTS_ALL & ~LOGOS_RIGHT_CONTROL,
			       &weak));
	EXPECT_EQ(-EPERM, logos_set_state(self->dev, weak, LOGOS_STATE_INITIALIZING));
	EXPECT_EQ(LOGOS_STATE_LOADED, logos_state_of(self->dev, m.handle));
	logos_module_release(&m);
}

TEST_F(mod, module_info_without_read_right_is_eperm)
{
	struct logos_module_info mi;
	struct logos_test_module m;
	__u32 blind;

	ASSERT_EQ(0, logos_module_new(self->dev, "blind", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_dup(self->dev, m.handle, LOGOS_RIGHTS_ALL & ~LOGOS_RIGHT_READ,
			       &blind));
	EXPECT_EQ(-EPERM, logos_module_info(self->dev, blind, &mi));
	logos_module_release(&m);
}

/* A module holding another module's handle with CONTROL may drive it. */
TEST_F(mod, module_with_a_control_handle_drives_another_module)
{
	struct logos_test_module a, b;
	__u32 b_in_a;

	ASSERT_EQ(0, logos_module_new(self->dev, "driver", LOGOS_TRUST_SYSTEM, NULL, &a));
	ASSERT_EQ(0, logos_module_new(self->dev, "driven", LOGOS_TRUST_USER, NULL, &b));
	ASSERT_EQ(0, logos_give(self->dev, a.handle, b.handle, LOGOS_RIGHTS_SAME, 0, &b_in_a));
	EXPECT_EQ(0, logos_set_state(a.fd, b_in_a, LOGOS_STATE_INITIALIZING));
	EXPECT_EQ(LOGOS_STATE_INITIALIZING, logos_state_of(self->dev, b.handle));
	logos_module_release(&a);
	logos_module_release(&b);
}

TEST_F(mod, module_without_control_right_is_refused_and_counted)
{
	struct logos_module_info mi;
	struct logos_test_module a, b;
	__u32 b_in_a;

	ASSERT_EQ(0, logos_module_new(self->dev, "weak", LOGOS_TRUST_USER, NULL, &a));
	ASSERT_EQ(0, logos_module_new(self->dev, "target", LOGOS_TRUST_USER, NULL, &b));
	ASSERT_EQ(0, logos_give(self->dev, a.handle, b.handle, LOGOS_RIGHT_READ, 0, &b_in_a));
	EXPECT_EQ(-EPERM, logos_set_state(a.fd, b_in_a, LOGOS_STATE_INITIALIZING));
	EXPECT_EQ(LOGOS_STATE_LOADED, logos_state_of(self->dev, b.handle));
	ASSERT_EQ(0, logos_module_info(self->dev, a.handle, &mi));
	EXPECT_EQ(1, mi.denied_rights);
	ASSERT_EQ(0, logos_module_info(self->dev, b.handle, &mi));
	EXPECT_EQ(0, mi.denied_rights);
	logos_module_release(&a);
	logos_module_release(&b);
}

/* ---- LOGOS_IOC_MODULE_READY ----------------------------------------------- */

TEST_F(mod, ready_moves_initializing_to_running)
{
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "ready", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_set_state(self->dev, m.handle, LOGOS_STATE_INITIALIZING));
	EXPECT_EQ(0, logos_ioctl(m.fd, LOGOS_IOC_MODULE_READY, NULL));
	EXPECT_EQ(LOGOS_STATE_RUNNING, logos_state_of(self->dev, m.handle));
	logos_module_release(&m);
}

TEST_F(mod, ready_from_any_other_state_is_einval)
{
	static const __u32 from[] = { LOGOS_STATE_LOADED, LOGOS_STATE_RUNNING,
				      LOGOS_STATE_PAUSED, LOGOS_STATE_TERMINATING };
	struct logos_test_module m;
	unsigned int i;

	for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		ASSERT_EQ(0, logos_module_new(self->dev, "ready", LOGOS_TRUST_USER, NULL, &m));
		ASSERT_EQ(0, logos_module_drive(self->dev, &m, from[i]));
		EXPECT_EQ(-EINVAL, logos_ioctl(m.fd, LOGOS_IOC_MODULE_READY, NULL))
			TH_LOG("READY in %s", state_names[from[i]]);
		EXPECT_EQ(from[i], logos_state_of(self->dev, m.handle));
		logos_module_release(&m);
	}
}

TEST_F(mod, ready_twice_is_einval)
{
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "ready", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_set_state(self->dev, m.handle, LOGOS_STATE_INITIALIZING));
	ASSERT_EQ(0, logos_ioctl(m.fd, LOGOS_IOC_MODULE_READY, NULL));
	EXPECT_EQ(-EINVAL, logos_ioctl(m.fd, LOGOS_IOC_MODULE_READY, NULL));
	EXPECT_EQ(LOGOS_STATE_RUNNING, logos_state_of(self->dev, m.handle));
	logos_module_release(&m);
}

TEST_F(mod, ready_on_the_supervisor_file_is_eperm)
{
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "ready", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_set_state(self->dev, m.handle, LOGOS_STATE_INITIALIZING));
	EXPECT_EQ(-EPERM, logos_ioctl(self->dev, LOGOS_IOC_MODULE_READY, NULL));
	EXPECT_EQ(LOGOS_STATE_INITIALIZING, logos_state_of(self->dev, m.handle));
	logos_module_release(&m);
}

/* ---- termination when the module file goes away --------------------------- */

FIXTURE(release) {
	int dev;
};

FIXTURE_VARIANT(release) {
	__u32 state;		/* the state the module file is closed in */
	__u32 exit_flags;	/* what MODULE_INFO must say afterwards */
};

FIXTURE_VARIANT_ADD(release, in_loaded) { LOGOS_STATE_LOADED, LOGOS_EXIT_CRASHED };
FIXTURE_VARIANT_ADD(release, in_initializing) { LOGOS_STATE_INITIALIZING, LOGOS_EXIT_CRASHED };
FIXTURE_VARIANT_ADD(release, in_running) { LOGOS_STATE_RUNNING, LOGOS_EXIT_CRASHED };
FIXTURE_VARIANT_ADD(release, in_paused) { LOGOS_STATE_PAUSED, LOGOS_EXIT_CRASHED };
FIXTURE_VARIANT_ADD(release, in_terminating) { LOGOS_STATE_TERMINATING, 0 };

FIXTURE_SETUP(release)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(release)
{
	close(self->dev);
}

TEST_F(release, closing_the_module_file_terminates_the_module)
{
	struct logos_module_info mi;
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "closing", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_module_drive(self->dev, &m, variant->state));
	logos_module_release(&m);
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
	EXPECT_EQ(LOGOS_STATE_TERMINATED, mi.state);
	EXPECT_EQ(variant->exit_flags, mi.exit_flags);
}

TEST_F(release, termination_is_sent_to_the_events_group)
{
	struct logos_nl_listener *l = logos_nl_listen();
	const struct logos_nl_event *e;
	struct logos_test_module m;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, logos_module_new(self->dev, "evclose", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_module_drive(self->dev, &m, variant->state));
	logos_module_release(&m);
	e = logos_nl_wait_state(l, m.id, LOGOS_STATE_TERMINATED, 2000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(variant->state, e->state_old);
	EXPECT_EQ(variant->exit_flags, e->exit_flags);
	EXPECT_STREQ("evclose", e->name);
	logos_nl_unlisten(l);
}

TEST_F(mod, module_lives_while_any_copy_of_its_file_does)
{
	struct logos_test_module m;
	int copy;

	ASSERT_EQ(0, logos_module_new(self->dev, "copies", LOGOS_TRUST_USER, NULL, &m));
	copy = dup(m.fd);
	ASSERT_LE(0, copy);
	logos_module_release(&m);
	EXPECT_EQ(LOGOS_STATE_LOADED, logos_state_of(self->dev, m.handle));
	close(copy);
	EXPECT_EQ(LOGOS_STATE_TERMINATED, logos_state_of(self->dev, m.handle));
}

/* ---- the bound process ----------------------------------------------------- */

struct child {
	int fd;			/* the module file */
	int ready[2];		/* child -> parent: bound and set up */
	int go[2];		/* parent -> child: may exit */
	int events;		/* events the child creates first */
	int spin_ms;		/* CPU the child burns first */
};

static int child_main(void *arg)
{
	struct child *c = arg;
	struct logos_module_info mi;
	__u32 h;
	char b = 0;
	int i;

	close(c->ready[0]);
	close(c->go[1]);
	if (logos_module_info(c->fd, LOGOS_HANDLE_SELF, &mi))
		return 10;
	for (i = 0; i < c->events; i++)
		if (logos_event_new(c->fd, &h))
			return 11;
	if (c->spin_ms) {
		__u64 end = logos_now_ns() + (__u64)c->spin_ms * 1000000ULL;

		while (logos_now_ns() < end)
			;
	}
	if (write(c->ready[1], &b, 1) != 1)
		return 12;
	/* Wait for the parent (or for SIGKILL). */
	if (read(c->go[0], &b, 1) < 0)
		return 13;
	return 0;
}

static pid_t start_child(struct child *c)
{
	pid_t pid;
	char b;

	if (pipe(c->ready) || pipe(c->go))
		return -1;
	pid = logos_spawn(child_main, c);
	close(c->ready[1]);
	close(c->go[0]);
	if (pid > 0 && read(c->ready[0], &b, 1) != 1)
		return -1;
	return pid;
}

TEST_F(mod, pid_is_zero_until_the_module_file_is_used)
{
	struct logos_module_info mi;
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "unbound", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
	EXPECT_EQ(0, mi.pid);
	ASSERT_EQ(0, logos_module_info(m.fd, LOGOS_HANDLE_SELF, &mi));
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
	EXPECT_EQ(getpid(), mi.pid);
	logos_module_release(&m);
}

TEST_F(mod, pid_is_the_child_that_used_the_file_first)
{
	struct child c = { .events = 0 };
	struct logos_module_info mi;
	struct logos_test_module m;
	pid_t pid;

	ASSERT_EQ(0, logos_module_new(self->dev, "bound", LOGOS_TRUST_USER, NULL, &m));
	c.fd = m.fd;
	pid = start_child(&c);
	ASSERT_LT(0, pid);
	logos_module_release(&m);	/* the child holds the only copy now */

	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
	EXPECT_EQ(pid, mi.pid);
	EXPECT_EQ(LOGOS_STATE_LOADED, mi.state);

	close(c.go[1]);
	EXPECT_EQ(0, logos_reap(pid));
	EXPECT_EQ(LOGOS_STATE_TERMINATED, logos_state_of(self->dev, m.handle));
}

TEST_F(mod, cpu_time_of_the_bound_process_is_reported)
{
	struct child c = { .spin_ms = 300 };
	struct logos_module_info mi;
	struct logos_test_module m;
	pid_t pid;

	ASSERT_EQ(0, logos_module_new(self->dev, "busy", LOGOS_TRUST_USER, NULL, &m));
	c.fd = m.fd;
	pid = start_child(&c);
	ASSERT_LT(0, pid);
	logos_module_release(&m);
	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
	EXPECT_LE(100000000ULL, mi.cpu_time_ns) TH_LOG("cpu_time_ns %llu",
						       (unsigned long long)mi.cpu_time_ns);
	EXPECT_GT(60000000000ULL, mi.cpu_time_ns);
	close(c.go[1]);
	EXPECT_EQ(0, logos_reap(pid));
}

TEST_F(mod, killed_module_process_is_a_crash)
{
	struct logos_nl_listener *l = logos_nl_listen();
	struct child c = { .events = 3 };
	const struct logos_nl_event *e;
	struct logos_module_info mi;
	struct logos_test_module m;
	pid_t pid;
	int r;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, logos_module_new(self->dev, "victim", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_module_drive(self->dev, &m, LOGOS_STATE_RUNNING));
	c.fd = m.fd;
	pid = start_child(&c);
	ASSERT_LT(0, pid);
	logos_module_release(&m);

	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
	EXPECT_EQ(pid, mi.pid);
	EXPECT_EQ(3, mi.usage[LOGOS_RES_EVENTS]);
	EXPECT_EQ(3, mi.usage[LOGOS_RES_HANDLES]);
	EXPECT_EQ(3, mi.usage[LOGOS_RES_OBJECTS]);

	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, logos_reap(pid));

	ASSERT_EQ(0, logos_module_info(self->dev, m.handle, &mi));
	EXPECT_EQ(LOGOS_STATE_TERMINATED, mi.state);
	EXPECT_EQ(LOGOS_EXIT_CRASHED, mi.exit_flags);
	for (r = 0; r < LOGOS_RES_COUNT; r++) {
		EXPECT_EQ(0, mi.usage[r]) TH_LOG("resource %d", r);
	}

	e = logos_nl_wait_state(l, m.id, LOGOS_STATE_TERMINATED, 2000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(LOGOS_STATE_RUNNING, e->state_old);
	EXPECT_EQ(LOGOS_EXIT_CRASHED, e->exit_flags);
	EXPECT_STREQ("victim", e->name);
	logos_nl_unlisten(l);
}

TEST_HARNESS_MAIN
