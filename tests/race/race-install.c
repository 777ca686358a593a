// SPDX-License-Identifier: GPL-2.0
/*
 * Use after install (review #5): a thread closes the handle value the
 * kernel is about to install (values are predictable: the free list is
 * LIFO and a slot's generation moves on by one per close) while another
 * receives a message with handles (5a), receives one that cannot fit the
 * handle quota (5b, the -EDQUOT unwind), or maps a mapped channel (5c).
 */
#include "race.h"

#include <errno.h>
#include <string.h>

static struct {
	int sfd, mfd;
	uint32_t mh, e0, e1, mem[2], h0, h1;
	uint32_t pred;			/* the value racer 1 keeps closing */
	int ret;
	bool closed;			/* racer 1's close succeeded */
	struct logos_msg_handle got[2];
	struct logos_mapped_map mm;
	unsigned long aimed, hits;	/* rounds whose prediction held */
} in = { .sfd = -1, .mfd = -1 };

static int in_open(struct race *r, uint32_t flags)
{
	in.sfd = sup_open();
	if (in.sfd < 0)
		return race_fail(r, "open %s: %s", LOGOS_DEVICE_PATH, strerror(-in.sfd));
	in.mfd = mod_create(in.sfd, flags, &in.mh);
	if (in.mfd < 0)
		return race_fail(r, "MODULE_CREATE: %s", strerror(-in.mfd));
	in.aimed = in.hits = 0;
	return 0;
}

static void in_end(struct race *r)
{
	(void)r;
	close_fd(&in.mfd);
	close_fd(&in.sfd);
}

/*
 * Frees a slot and checks that the next install gets the value the
 * review predicts; returns that value for the racer to aim at.
 */
static int aim(struct race *r, uint32_t *pred)
{
	uint32_t ev, ev2;
	int ret = event_create(in.mfd, &ev);

	if (!ret)
		ret = hclose(in.mfd, ev);
	if (!ret)
		ret = event_create(in.mfd, &ev2);
	if (ret)
		return race_fail(r, "EVENT_CREATE/CLOSE: %s", strerror(-ret));
	hclose(in.mfd, ev2);
	if (ev2 != next_value(ev))
		return race_fail(r, "handle values are not predictable (%#x after %#x, not %#x): the race cannot be aimed",
				 ev2, ev, next_value(ev));
	*pred = next_value(ev2);
	return 0;
}

/* Racer 1: closes the predicted value until racer 0 is done. */
static void close_pred(struct race *r)
{
	in.closed = false;
	while (!atomic_load(&r->flag)) {
		if (!hclose(in.mfd, in.pred)) {
			in.closed = true;
			break;
		}
	}
}

static int chan_begin(struct race *r)
{
	int ret;

	if (in_open(r, 0))
		return -1;
	ret = chan_create(in.mfd, 0, &in.e0, &in.e1);
	if (!ret)
		ret = mem_create(in.mfd, 4096, &in.mem[0]);
	if (!ret)
		ret = mem_create(in.mfd, 4096, &in.mem[1]);
	return ret ? race_fail(r, "setup: %s", strerror(-ret)) : 0;
}

/* ---- 5b: RECV of two handles with room for one: the unwind ---- */

static int f5b_begin(struct race *r)
{
	uint64_t used;
	int ret;

	if (chan_begin(r))
		return -1;
	/* Derived, not moved: the module keeps its own handles. */
	ret = chan_send(in.mfd, in.e0, in.mem, 2, 0, 0);
	if (ret)
		return race_fail(r, "SEND of two memory handles: %s", strerror(-ret));
	if (aim(r, &in.pred))
		return -1;
	ret = mod_usage(in.mfd, LOGOS_RES_HANDLES, &used);
	if (!ret)
		ret = set_quota(in.sfd, in.mh, LOGOS_RES_HANDLES, used + 1);
	return ret ? race_fail(r, "handle quota: %s", strerror(-ret)) : 0;
}

static void f5b_act(struct race *r, int who)
{
	if (who == 0) {
		in.ret = chan_recv(in.mfd, in.e1, in.got, 2, 0);
		atomic_store(&r->flag, 1);
	} else {
		close_pred(r);
	}
}

static int f5b_check(struct race *r)
{
	uint32_t pred = in.pred, last = 0;
	int i, ret;

	if (!in.ret) {
		/*
		 * The racer closed the first handle before the second was
		 * charged, which made room for it: a legal outcome. Close
		 * what is left and queue the next message.
		 */
		for (i = 0; i < 2; i++) {
			if (in.closed && in.got[i].handle == pred)
				continue;
			hclose(in.mfd, in.got[i].handle);
			last = in.got[i].handle;
		}
		if (!in.closed || !last)
			return race_fail(r, "RECV of 2 handles with room for 1 succeeded (racer closed %s)",
					 in.closed ? "one" : "none");
		in.pred = next_value(last);
		ret = chan_send(in.mfd, in.e0, in.mem, 2, 0, 0);
		return ret ? race_fail(r, "SEND of two memory handles: %s", strerror(-ret)) : 0;
	}
	/* The unwind or the racer's close moved the slot on by one. */
	in.pred = next_value(pred);
	if (in.closed)
		return race_fail(r, "RECV failed (%s) yet another thread closed handle %#x it had installed: a failed receive exposed a handle (#5b)",
				 strerror(-in.ret), pred);
	if (in.ret != -EDQUOT)
		return race_fail(r, "RECV of 2 handles with room for 1: %s, expected %s",
				 strerror(-in.ret), strerror(EDQUOT));
	return 0;
}

const struct scenario sc_f5_edquot = {
	.name = "F5-edquot", .group = "F5", .nthreads = 2, .jitter = 100,
	.what = "RECV failing -EDQUOT vs close of its predicted first handle (#5b)",
	.begin = f5b_begin, .act = f5b_act, .check = f5b_check, .end = in_end,
};

/* ---- 5a: a successful RECV vs close of the value it installs ---- */

static int f5a_begin(struct race *r)
{
	return chan_begin(r) || aim(r, &in.pred) ? -1 : 0;
}

static int f5a_setup(struct race *r)
{
	int ret = chan_send(in.mfd, in.e0, in.mem, 1, 0, 0);

	return ret ? race_fail(r, "SEND of a memory handle: %s", strerror(-ret)) : 0;
}

static void f5a_act(struct race *r, int who)
{
	if (who == 0) {
		in.ret = chan_recv(in.mfd, in.e1, in.got, 1, 0);
		atomic_store(&r->flag, 1);
	} else {
		close_pred(r);
	}
}

static int f5a_check(struct race *r)
{
	uint32_t h = in.got[0].handle;

	if (in.ret)
		return race_fail(r, "RECV: %s", strerror(-in.ret));
	in.aimed++;
	if (h == in.pred)
		in.hits++;
	if (!in.closed && hclose(in.mfd, h))
		return race_fail(r, "HANDLE_CLOSE of the received handle %#x failed", h);
	if (in.closed && h != in.pred)
		return race_fail(r, "handle %#x was closed by the racer, yet RECV returned %#x",
				 in.pred, h);
	in.pred = next_value(h);
	return 0;
}

static void f5a_end(struct race *r)
{
	if (in.aimed && !in.hits && !r->reason[0])
		race_fail(r, "no RECV got the predicted value: the race was never aimed");
	in_end(r);
}

const struct scenario sc_f5_recv = {
	.name = "F5-recv", .group = "F5", .nthreads = 2, .jitter = 100,
	.what = "RECV of a grant vs close of the value it installs (#5a)",
	.begin = f5a_begin, .setup = f5a_setup, .act = f5a_act, .check = f5a_check,
	.end = f5a_end,
};

/* ---- 5c: MAPPED_MAP vs close of its attachment's predicted value ---- */

static int f5c_begin(struct race *r)
{
	return in_open(r, LOGOS_MODULE_ALLOW_MAPPED);
}

static int f5c_setup(struct race *r)
{
	struct logos_mapped_create mc = { .nr_slots = 2 };
	uint32_t ev[3];
	int i, ret;

	ret = lx(in.mfd, LOGOS_IOC_MAPPED_CREATE, &mc);
	for (i = 0; i < 3 && !ret; i++)
		ret = event_create(in.mfd, &ev[i]);
	if (ret)
		return race_fail(r, "MAPPED_CREATE/EVENT_CREATE: %s", strerror(-ret));
	in.h0 = mc.handle0;
	in.h1 = mc.handle1;
	/* MAP installs ring, ctl, then the attachment: into ev[2], ev[1], ev[0]. */
	for (i = 0; i < 3; i++)
		hclose(in.mfd, ev[i]);
	in.pred = next_value(ev[0]);
	return 0;
}

static void f5c_act(struct race *r, int who)
{
	if (who == 0) {
		in.mm = (struct logos_mapped_map){ .handle = in.h0 };
		in.ret = lx(in.mfd, LOGOS_IOC_MAPPED_MAP, &in.mm);
		atomic_store(&r->flag, 1);
	} else {
		close_pred(r);
	}
}

static int f5c_check(struct race *r)
{
	struct logos_mapped_map again = { .handle = in.h0 };
	int ret = 0, map2;

	if (in.ret) {
		ret = race_fail(r, "MAPPED_MAP: %s", strerror(-in.ret));
		goto out;
	}
	in.aimed++;
	if (in.mm.attach_handle == in.pred)
		in.hits++;
	if (in.closed) {
		/* The attachment's handle is gone: the side has ended for good. */
		map2 = lx(in.mfd, LOGOS_IOC_MAPPED_MAP, &again);
		if (!map2) {
			ret = race_fail(r, "the side was mapped again after its attachment %#x was closed during MAP (#5c)",
					in.pred);
			hclose(in.mfd, again.attach_handle);
			hclose(in.mfd, again.ring_handle);
			hclose(in.mfd, again.ctl_handle);
		}
	} else {
		hclose(in.mfd, in.mm.attach_handle);
	}
	hclose(in.mfd, in.mm.ring_handle);
	hclose(in.mfd, in.mm.ctl_handle);
out:
	hclose(in.mfd, in.h0);
	hclose(in.mfd, in.h1);
	return ret;
}

const struct scenario sc_f5_map = {
	.name = "F5-map", .group = "F5", .nthreads = 2, .jitter = 100,
	.what = "MAPPED_MAP vs close of its attachment's predicted value (#5c)",
	.begin = f5c_begin, .setup = f5c_setup, .act = f5c_act, .check = f5c_check,
	.end = f5a_end,
};
