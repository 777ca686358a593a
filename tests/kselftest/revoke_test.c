// SPDX-License-Identifier: GPL-2.0
/*
 * The derivation tree (FR-003 "revocation support"): HANDLE_GIVE between
 * tables, HANDLE_REVOKE reaching every handle derived from one, in every
 * module, and nothing else; closing a node hands its children to its
 * parent; a waiter on a revoked handle wakes up.
 *
 * Notation in comments: S = supervisor table, A and B = module tables,
 * "x -> y" = y derived from x (duplicate or give).
 */
#include <string.h>

#include "nl_helpers.h"
#include "kselftest_harness.h"

FIXTURE(tree) {
	int dev;
	__u32 root;			/* S: event, root handle */
	struct logos_test_module a, b;	/* LOADED modules */
};

FIXTURE_SETUP(tree)
{
	self->a.fd = self->b.fd = -1;
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
	ASSERT_EQ(0, logos_event_new(self->dev, &self->root));
	ASSERT_EQ(0, logos_module_new(self->dev, "mod-a", LOGOS_TRUST_USER, NULL, &self->a));
	ASSERT_EQ(0, logos_module_new(self->dev, "mod-b", LOGOS_TRUST_USER, NULL, &self->b));
}

FIXTURE_TEARDOWN(tree)
{
	logos_module_release(&self->a);
	logos_module_release(&self->b);
	close(self->dev);
}

static __u64 cap_of(int fd, __u32 h)
{
	struct logos_handle_info info;

	return logos_info(fd, h, &info) ? 0 : info.cap_id;
}

static __u64 parent_of(int fd, __u32 h)
{
	struct logos_handle_info info;

	return logos_info(fd, h, &info) ? ~0ULL : info.parent_cap_id;
}

/* 0 when @h is usable, else the errno of HANDLE_INFO on it. */
static int probe(int fd, __u32 h)
{
	struct logos_handle_info info;

	return logos_info(fd, h, &info);
}

/* ---- within one table ------------------------------------------------------ */

TEST_F(tree, revoke_reaches_descendants_only)
{
	__u32 child, grandchild, sibling, n = ~0U;

	/* root -> child -> grandchild, root -> sibling; revoke child. */
	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHTS_SAME, &child));
	ASSERT_EQ(0, logos_dup(self->dev, child, LOGOS_RIGHTS_SAME, &grandchild));
	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHTS_SAME, &sibling));

	ASSERT_EQ(0, logos_revoke(self->dev, child, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(-EKEYREVOKED, probe(self->dev, grandchild));
	EXPECT_EQ(0, probe(self->dev, child));		/* the revoker */
	EXPECT_EQ(0, probe(self->dev, self->root));	/* its ancestor */
	EXPECT_EQ(0, probe(self->dev, sibling));	/* its sibling */
}

TEST_F(tree, revoke_counts_every_generation)
{
	__u32 h[6], branch, n = ~0U;
	int i;

	/* root -> h0 -> h1 -> ... -> h5, and h0 -> branch. */
	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHTS_SAME, &h[0]));
	for (i = 1; i < 6; i++) {
		ASSERT_EQ(0, logos_dup(self->dev, h[i - 1], LOGOS_RIGHTS_SAME, &h[i]));
	}
	ASSERT_EQ(0, logos_dup(self->dev, h[0], LOGOS_RIGHT_READ, &branch));
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, &n));
	EXPECT_EQ(7, n);
	for (i = 0; i < 6; i++) {
		EXPECT_EQ(-EKEYREVOKED, probe(self->dev, h[i])) TH_LOG("generation %d", i + 1);
	}
	EXPECT_EQ(-EKEYREVOKED, probe(self->dev, branch));
}

TEST_F(tree, revoke_without_descendants_revokes_nothing)
{
	__u32 n = ~0U;

	ASSERT_EQ(0, logos_revoke(self->dev, self->root, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, probe(self->dev, self->root));
}

TEST_F(tree, closed_descendants_are_not_counted)
{
	__u32 kept, closed, n = ~0U;

	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHTS_SAME, &kept));
	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHTS_SAME, &closed));
	ASSERT_EQ(0, logos_close_handle(self->dev, closed));
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, &n));
	EXPECT_EQ(1, n);
}

TEST_F(tree, revoker_keeps_its_handle_and_derives_again)
{
	__u32 old, fresh, observed;

	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHTS_SAME, &old));
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, NULL));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->dev, self->root));
	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHTS_SAME, &fresh));
	EXPECT_EQ(0, probe(self->dev, fresh));
	EXPECT_EQ(-EKEYREVOKED, probe(self->dev, old));
	/* The object is untouched: it still signals through the root. */
	EXPECT_EQ(0, logos_signal(self->dev, self->root, 0, 2));
	EXPECT_EQ(0, logos_wait_one(self->dev, fresh, 2, 0, &observed));
}

TEST_F(tree, revoked_handle_refuses_everything_but_close)
{
	struct logos_handle_info info;
	__u32 h, out = 0, observed, n;

	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHTS_SAME, &h));
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, NULL));

	EXPECT_EQ(-EKEYREVOKED, logos_info(self->dev, h, &info));
	EXPECT_EQ(-EKEYREVOKED, logos_dup(self->dev, h, LOGOS_RIGHTS_SAME, &out));
	EXPECT_EQ(-EKEYREVOKED, logos_replace(self->dev, h, 0));
	EXPECT_EQ(-EKEYREVOKED, logos_revoke(self->dev, h, &n));
	EXPECT_EQ(-EKEYREVOKED, logos_signal(self->dev, h, 0, 1));
	EXPECT_EQ(-EKEYREVOKED, logos_wait_one(self->dev, h, 1, 0, &observed));
	EXPECT_EQ(-EKEYREVOKED, logos_give(self->dev, self->a.handle, h, LOGOS_RIGHTS_SAME, 0,
					   &out));
	EXPECT_EQ(0, out);
	EXPECT_EQ(0, logos_close_handle(self->dev, h));
	EXPECT_EQ(-EBADF, logos_close_handle(self->dev, h));
}

TEST_F(tree, revoke_without_revoke_right_is_eperm)
{
	__u32 weak, child, n = ~0U;

	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_EVENT_RIGHTS & ~LOGOS_RIGHT_REVOKE,
			       &weak));
	ASSERT_EQ(0, logos_dup(self->dev, weak, LOGOS_RIGHTS_SAME, &child));
	EXPECT_EQ(-EPERM, logos_revoke(self->dev, weak, &n));
	EXPECT_EQ(0, probe(self->dev, child));
}

TEST_F(tree, closing_a_middle_handle_moves_its_children_up)
{
	__u32 middle, child, n = ~0U;

	/* root -> middle -> child; close middle: root -> child. */
	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHTS_SAME, &middle));
	ASSERT_EQ(0, logos_dup(self->dev, middle, LOGOS_RIGHTS_SAME, &child));
	ASSERT_EQ(0, logos_close_handle(self->dev, middle));
	EXPECT_EQ(0, probe(self->dev, child));
	EXPECT_EQ(cap_of(self->dev, self->root), parent_of(self->dev, child));
	/* The root's revoke still reaches the orphan. */
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(-EKEYREVOKED, probe(self->dev, child));
}

/* ---- between tables ---------------------------------------------------------- */

TEST_F(tree, give_puts_a_child_in_the_receivers_table)
{
	struct logos_handle_info mine, theirs;
	struct logos_module_info mi;
	__u32 given;

	ASSERT_EQ(0, logos_give(self->dev, self->a.handle, self->root,
				LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE, 0, &given));
	EXPECT_NE(LOGOS_HANDLE_INVALID, given);
	ASSERT_EQ(0, logos_info(self->dev, self->root, &mine));
	ASSERT_EQ(0, logos_info(self->a.fd, given, &theirs));
	EXPECT_EQ(LOGOS_OBJ_EVENT, theirs.type);
	EXPECT_EQ(LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE, theirs.rights);
	EXPECT_EQ(mine.object_id, theirs.object_id);
	EXPECT_EQ(mine.cap_id, theirs.parent_cap_id);
	EXPECT_NE(mine.cap_id, theirs.cap_id);
	EXPECT_EQ(0, theirs.owner_module);
	/* The giver keeps its handle; the receiver's table grew by one. */
	EXPECT_EQ(0, probe(self->dev, self->root));
	ASSERT_EQ(0, logos_module_info(self->dev, self->a.handle, &mi));
	EXPECT_EQ(1, mi.usage[LOGOS_RES_HANDLES]);
	/* The value means nothing in the giver's table. */
	if (given != self->root) {
		EXPECT_EQ(-EBADF, probe(self->dev, given));
	}
}

TEST_F(tree, give_with_rights_same_keeps_the_rights)
{
	__u32 given;

	ASSERT_EQ(0, logos_give(self->dev, self->a.handle, self->root, LOGOS_RIGHTS_SAME, 0,
				&given));
	EXPECT_EQ(LOGOS_EVENT_RIGHTS, logos_rights_of(self->a.fd, given));
}

TEST_F(tree, give_with_more_rights_is_eperm)
{
	struct logos_module_info mi;
	__u32 narrow, given = 0;

	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHT_READ | LOGOS_RIGHT_TRANSFER,
			       &narrow));
	EXPECT_EQ(-EPERM, logos_give(self->dev, self->a.handle, narrow,
				     LOGOS_RIGHT_READ | LOGOS_RIGHT_TRANSFER | LOGOS_RIGHT_WRITE,
				     0, &given));
	EXPECT_EQ(0, given);
	ASSERT_EQ(0, logos_module_info(self->dev, self->a.handle, &mi));
	EXPECT_EQ(0, mi.usage[LOGOS_RES_HANDLES]);
}

TEST_F(tree, give_without_transfer_right_is_eperm)
{
	struct logos_module_info mi;
	__u32 stuck, given = 0;

	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_EVENT_RIGHTS & ~LOGOS_RIGHT_TRANSFER,
			       &stuck));
	EXPECT_EQ(-EPERM, logos_give(self->dev, self->a.handle, stuck, LOGOS_RIGHT_READ, 0,
				     &given));
	EXPECT_EQ(-EPERM, logos_give(self->dev, self->a.handle, stuck, LOGOS_RIGHT_READ,
				     LOGOS_GIVE_MOVE, &given));
	EXPECT_EQ(0, given);
	EXPECT_EQ(0, probe(self->dev, stuck));	/* MOVE did not close it */
	ASSERT_EQ(0, logos_module_info(self->dev, self->a.handle, &mi));
	EXPECT_EQ(0, mi.usage[LOGOS_RES_HANDLES]);
}

TEST_F(tree, give_through_a_module_handle_without_control_is_eperm)
{
	__u32 module_ro, given = 0;

	ASSERT_EQ(0, logos_dup(self->dev, self->a.handle, LOGOS_RIGHTS_ALL & ~LOGOS_RIGHT_CONTROL,
			       &module_ro));
	EXPECT_EQ(-EPERM, logos_give(self->dev, module_ro, self->root, LOGOS_RIGHTS_SAME, 0,
				     &given));
	EXPECT_EQ(0, given);
}

TEST_F(tree, give_to_a_terminated_module_is_esrch)
{
	__u32 given = 0;

	logos_module_release(&self->a);
	ASSERT_EQ(LOGOS_STATE_TERMINATED, logos_state_of(self->dev, self->a.handle));
	EXPECT_EQ(-ESRCH, logos_give(self->dev, self->a.handle, self->root, LOGOS_RIGHTS_SAME,
				     0, &given));
	EXPECT_EQ(-ESRCH, logos_give(self->dev, self->a.handle, self->root, LOGOS_RIGHTS_SAME,
				     LOGOS_GIVE_MOVE, &given));
	EXPECT_EQ(0, given);
	EXPECT_EQ(0, probe(self->dev, self->root));	/* MOVE did not close it */
}

TEST_F(tree, give_to_a_terminating_module_still_works)
{
	__u32 given;

	ASSERT_EQ(0, logos_set_state(self->dev, self->a.handle, LOGOS_STATE_TERMINATING));
	EXPECT_EQ(0, logos_give(self->dev, self->a.handle, self->root, LOGOS_RIGHTS_SAME, 0,
				&given));
}

TEST_F(tree, give_move_closes_the_source)
{
	__u32 middle, given, n = ~0U;

	/* root -> middle, give middle to A with MOVE: root -> given. */
	ASSERT_EQ(0, logos_dup(self->dev, self->root, LOGOS_RIGHTS_SAME, &middle));
	ASSERT_EQ(0, logos_give(self->dev, self->a.handle, middle, LOGOS_RIGHTS_SAME,
				LOGOS_GIVE_MOVE, &given));
	EXPECT_EQ(-EBADF, probe(self->dev, middle));
	EXPECT_EQ(0, probe(self->a.fd, given));
	EXPECT_EQ(cap_of(self->dev, self->root), parent_of(self->a.fd, given));
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(-EKEYREVOKED, probe(self->a.fd, given));
}

/* S:root -> A:a0 -> A:a1 -> B:b0 -> B:b1, and S:root -> B:sibling. */
struct chain {
	__u32 a0, a1, b0, b1, sibling, b_in_a;
};

static int build_chain(FIXTURE_DATA(tree) *self, struct chain *c)
{
	/* A needs a handle to B (CONTROL) to give into B. */
	if (logos_give(self->dev, self->a.handle, self->b.handle, LOGOS_RIGHTS_SAME, 0,
		       &c->b_in_a) ||
	    logos_give(self->dev, self->a.handle, self->root, LOGOS_RIGHTS_SAME, 0, &c->a0) ||
	    logos_dup(self->a.fd, c->a0, LOGOS_RIGHTS_SAME, &c->a1) ||
	    logos_give(self->a.fd, c->b_in_a, c->a1, LOGOS_RIGHTS_SAME, 0, &c->b0) ||
	    logos_dup(self->b.fd, c->b0, LOGOS_RIGHTS_SAME, &c->b1) ||
	    logos_give(self->dev, self->b.handle, self->root, LOGOS_RIGHTS_SAME, 0, &c->sibling))
		return -1;
	return 0;
}

TEST_F(tree, chain_across_modules_has_the_right_parents)
{
	struct chain c;

	ASSERT_EQ(0, build_chain(self, &c));
	EXPECT_EQ(cap_of(self->dev, self->root), parent_of(self->a.fd, c.a0));
	EXPECT_EQ(cap_of(self->a.fd, c.a0), parent_of(self->a.fd, c.a1));
	EXPECT_EQ(cap_of(self->a.fd, c.a1), parent_of(self->b.fd, c.b0));
	EXPECT_EQ(cap_of(self->b.fd, c.b0), parent_of(self->b.fd, c.b1));
	EXPECT_EQ(cap_of(self->dev, self->root), parent_of(self->b.fd, c.sibling));
}

TEST_F(tree, revoke_in_a_module_reaches_into_other_modules)
{
	struct chain c;
	__u32 n = ~0U;

	ASSERT_EQ(0, build_chain(self, &c));
	ASSERT_EQ(0, logos_revoke(self->a.fd, c.a0, &n));
	EXPECT_EQ(3, n);
	EXPECT_EQ(-EKEYREVOKED, probe(self->a.fd, c.a1));
	EXPECT_EQ(-EKEYREVOKED, probe(self->b.fd, c.b0));
	EXPECT_EQ(-EKEYREVOKED, probe(self->b.fd, c.b1));
	/* The revoker, its ancestor and the sibling branch survive. */
	EXPECT_EQ(0, probe(self->a.fd, c.a0));
	EXPECT_EQ(0, probe(self->dev, self->root));
	EXPECT_EQ(0, probe(self->b.fd, c.sibling));
	/* Revoked handles are closed like any other. */
	EXPECT_EQ(0, logos_close_handle(self->b.fd, c.b0));
	EXPECT_EQ(0, logos_close_handle(self->b.fd, c.b1));
}

TEST_F(tree, revoke_in_the_middle_of_another_module_chain)
{
	struct chain c;
	__u32 n = ~0U;

	/* Revoke at B:b0: only B:b1 goes. */
	ASSERT_EQ(0, build_chain(self, &c));
	ASSERT_EQ(0, logos_revoke(self->b.fd, c.b0, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(-EKEYREVOKED, probe(self->b.fd, c.b1));
	EXPECT_EQ(0, probe(self->b.fd, c.b0));
	EXPECT_EQ(0, probe(self->a.fd, c.a1));
	EXPECT_EQ(0, probe(self->a.fd, c.a0));
	EXPECT_EQ(0, probe(self->b.fd, c.sibling));
}

TEST_F(tree, revoke_at_the_root_reaches_every_module)
{
	struct chain c;
	__u32 n = ~0U;

	ASSERT_EQ(0, build_chain(self, &c));
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, &n));
	EXPECT_EQ(5, n);
	EXPECT_EQ(-EKEYREVOKED, probe(self->a.fd, c.a0));
	EXPECT_EQ(-EKEYREVOKED, probe(self->a.fd, c.a1));
	EXPECT_EQ(-EKEYREVOKED, probe(self->b.fd, c.b0));
	EXPECT_EQ(-EKEYREVOKED, probe(self->b.fd, c.b1));
	EXPECT_EQ(-EKEYREVOKED, probe(self->b.fd, c.sibling));
	/* The module handle A got is another tree: untouched. */
	EXPECT_EQ(0, probe(self->a.fd, c.b_in_a));
}

TEST_F(tree, closing_a_middle_handle_in_a_module_keeps_the_chain)
{
	struct chain c;
	__u32 n = ~0U;

	/* A closes a0 and a1: B:b0 hangs under S:root now. */
	ASSERT_EQ(0, build_chain(self, &c));
	ASSERT_EQ(0, logos_close_handle(self->a.fd, c.a1));
	ASSERT_EQ(0, logos_close_handle(self->a.fd, c.a0));
	EXPECT_EQ(cap_of(self->dev, self->root), parent_of(self->b.fd, c.b0));
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, &n));
	EXPECT_EQ(3, n);	/* b0, b1, sibling */
	EXPECT_EQ(-EKEYREVOKED, probe(self->b.fd, c.b0));
	EXPECT_EQ(-EKEYREVOKED, probe(self->b.fd, c.b1));
}

TEST_F(tree, terminated_module_hands_its_children_up)
{
	struct chain c;
	__u32 n = ~0U;

	/* A dies: its handles go, B's derived ones hang under S:root. */
	ASSERT_EQ(0, build_chain(self, &c));
	logos_module_release(&self->a);
	EXPECT_EQ(0, probe(self->b.fd, c.b0));
	EXPECT_EQ(cap_of(self->dev, self->root), parent_of(self->b.fd, c.b0));
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, &n));
	EXPECT_EQ(3, n);
	EXPECT_EQ(-EKEYREVOKED, probe(self->b.fd, c.b0));
}

TEST_F(tree, module_handles_are_revocable_too)
{
	__u32 b_in_a, n = ~0U;

	ASSERT_EQ(0, logos_give(self->dev, self->a.handle, self->b.handle, LOGOS_RIGHTS_SAME, 0,
				&b_in_a));
	ASSERT_EQ(0, logos_revoke(self->dev, self->b.handle, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(-EKEYREVOKED, logos_set_state(self->a.fd, b_in_a, LOGOS_STATE_INITIALIZING));
	EXPECT_EQ(LOGOS_STATE_LOADED, logos_state_of(self->dev, self->b.handle));
}

/* ---- a waiter on a revoked handle --------------------------------------------- */

TEST_F(tree, waiter_on_a_revoked_handle_wakes_with_revoked)
{
	struct logos_waiter w = { .signals = 1, .timeout_ns = 5000000000LL };

	w.fd = self->a.fd;
	ASSERT_EQ(0, logos_give(self->dev, self->a.handle, self->root, LOGOS_RIGHT_READ, 0,
				&w.handle));
	ASSERT_EQ(0, logos_waiter_start(&w));
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, NULL));
	logos_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(1, w.ready);
	EXPECT_EQ(LOGOS_SIGNAL_REVOKED, w.observed & LOGOS_SIGNAL_REVOKED);
	EXPECT_GT(4000000000ULL, w.elapsed_ns);
}

/* ---- netlink ---------------------------------------------------------------- */

TEST_F(tree, revoke_is_sent_to_the_events_group)
{
	struct logos_nl_listener *l = logos_nl_listen();
	const struct logos_nl_event *e;
	struct logos_handle_info info;
	struct chain c;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, build_chain(self, &c));
	ASSERT_EQ(0, logos_info(self->dev, self->root, &info));

	/* Caused by module A: MODULE_ID is A's. */
	ASSERT_EQ(0, logos_revoke(self->a.fd, c.a0, NULL));
	e = logos_nl_wait_for(l, LOGOS_EVENT_REVOKE, self->a.id, 2000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(info.object_id, e->object_id);
	EXPECT_EQ(3, e->count);
	EXPECT_STREQ("mod-a", e->name);

	/* Caused by the supervisor: MODULE_ID 0. The revoked ones are closed
	 * first, so only A:a0 and B:sibling are left to revoke.
	 */
	ASSERT_EQ(0, logos_close_handle(self->a.fd, c.a1));
	ASSERT_EQ(0, logos_close_handle(self->b.fd, c.b0));
	ASSERT_EQ(0, logos_close_handle(self->b.fd, c.b1));
	ASSERT_EQ(0, logos_revoke(self->dev, self->root, NULL));
	e = logos_nl_wait_for(l, LOGOS_EVENT_REVOKE, 0, 2000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(info.object_id, e->object_id);
	EXPECT_EQ(2, e->count);
	logos_nl_unlisten(l);
}

TEST_HARNESS_MAIN
