// SPDX-License-Identifier: GPL-2.0
/*
 * Event scenarios: signal vs close (and revoke), WAIT vs close, and a
 * watch being added and read while its handle closes.
 */
#include "race.h"

#include <errno.h>
#include <string.h>

static struct {
	int sfd, mfd;
	uint32_t mh, ev, d;
	int ret[3], mode;
} e = { .sfd = -1, .mfd = -1 };

static int ev_begin(struct race *r)
{
	e.sfd = sup_open();
	if (e.sfd < 0)
		return race_fail(r, "open %s: %s", LOGOS_DEVICE_PATH, strerror(-e.sfd));
	e.mfd = mod_create(e.sfd, 0, &e.mh);
	if (e.mfd < 0)
		return race_fail(r, "MODULE_CREATE: %s", strerror(-e.mfd));
	return 0;
}

static void ev_end(struct race *r)
{
	(void)r;
	close_fd(&e.mfd);
	close_fd(&e.sfd);
}

/* An event and a copy derived from it; the copy is what the racers share. */
static int ev_setup(struct race *r)
{
	int ret = event_create(e.mfd, &e.ev);

	if (!ret)
		ret = hdup(e.mfd, e.ev, LOGOS_RIGHTS_SAME, &e.d);
	e.mode = race_rand(r, 0) % 3;
	memset(e.ret, 0, sizeof(e.ret));
	return ret ? race_fail(r, "EVENT_CREATE/DUPLICATE: %s", strerror(-ret)) : 0;
}

/* Racer 1's part: close the copy, revoke it, or close the original. */
static void ev_disturb(int who)
{
	switch (e.mode) {
	case 0:
		e.ret[who] = hclose(e.mfd, e.d);
		break;
	case 1:
		e.ret[who] = hrevoke(e.mfd, e.ev, NULL);
		break;
	default:
		e.ret[who] = hclose(e.mfd, e.ev);
		break;
	}
}

static int ev_cleanup(struct race *r, const char *what, bool ok)
{
	hclose(e.mfd, e.d);
	hclose(e.mfd, e.ev);
	if (e.ret[1])
		return race_fail(r, "%s mode %d: the close/revoke failed: %s", what, e.mode,
				 strerror(-e.ret[1]));
	if (!ok)
		return race_fail(r, "%s mode %d: %s", what, e.mode, strerror(-e.ret[0]));
	return 0;
}

/* ---- signal vs close ---- */

static void sig_act(struct race *r, int who)
{
	int i, ret;

	(void)r;
	if (who == 1) {
		ev_disturb(1);
		return;
	}
	for (i = 0; i < 4; i++) {
		ret = event_signal(e.mfd, e.d, 1U << i);
		if (ret) {
			e.ret[0] = ret;
			break;
		}
	}
}

static int sig_check(struct race *r)
{
	int ret = e.ret[0];

	return ev_cleanup(r, "EVENT_SIGNAL", !ret || ret == -EBADF || ret == -EKEYREVOKED);
}

const struct scenario sc_signal_close = {
	.name = "signal-close", .group = "pair", .nthreads = 2, .jitter = 400,
	.what = "EVENT_SIGNAL vs close or revoke of the event",
	.begin = ev_begin, .setup = ev_setup, .act = sig_act, .check = sig_check,
	.end = ev_end,
};

/* ---- WAIT vs close ---- */

static void wait_act(struct race *r, int who)
{
	struct logos_wait_item it = { .handle = e.d, .signals = LOGOS_SIGNAL_USER_MASK };
	struct logos_wait w = { .items = (uintptr_t)&it, .count = 1, .timeout_ns = 2000000 };

	(void)r;
	if (who == 1) {
		ev_disturb(1);
		return;
	}
	e.ret[0] = lx(e.mfd, LOGOS_IOC_WAIT, &w);
}

static int wait_check(struct race *r)
{
	int ret = e.ret[0];

	return ev_cleanup(r, "WAIT", !ret || ret == -ETIMEDOUT || ret == -EBADF ||
			  ret == -EKEYREVOKED);
}

const struct scenario sc_wait_close = {
	.name = "wait-close", .group = "pair", .nthreads = 2, .jitter = 2000,
	.what = "WAIT on a handle vs its close or revoke",
	.begin = ev_begin, .setup = ev_setup, .act = wait_act, .check = wait_check,
	.end = ev_end,
};

/* ---- watch add and read vs close ---- */

static void watch_act(struct race *r, int who)
{
	struct logos_watch w = { .handle = e.d, .signals = 1, .key = r->round };
	struct logos_watch_report rep[4];
	struct logos_watch_read rd = { .reports = (uintptr_t)rep, .count = 4 };

	switch (who) {
	case 0:
		e.ret[0] = lx(e.mfd, LOGOS_IOC_WATCH, &w);
		break;
	case 1:
		ev_disturb(1);
		break;
	default:
		event_signal(e.mfd, e.ev, 1);
		e.ret[2] = lx(e.mfd, LOGOS_IOC_WATCH_READ, &rd);
		break;
	}
}

static int watch_check(struct race *r)
{
	struct logos_watch_report rep[16];
	struct logos_watch_read rd = { .reports = (uintptr_t)rep, .count = 16 };
	struct logos_watch rm = { .flags = LOGOS_WATCH_REMOVE, .key = r->round };
	int ret = e.ret[0], rd_ret = e.ret[2];

	if (rd_ret && rd_ret != -ETIMEDOUT) {
		e.ret[0] = rd_ret;
		return ev_cleanup(r, "WATCH_READ", false);
	}
	/* Whatever is left of this round's watch goes before the next one. */
	lx(e.mfd, LOGOS_IOC_WATCH, &rm);
	lx(e.mfd, LOGOS_IOC_WATCH_READ, &rd);
	return ev_cleanup(r, "WATCH", !ret || ret == -EBADF || ret == -EKEYREVOKED);
}

const struct scenario sc_watch_close = {
	.name = "watch-close", .group = "pair", .nthreads = 3, .jitter = 500,
	.what = "WATCH and WATCH_READ vs close or revoke of the watched handle",
	.begin = ev_begin, .setup = ev_setup, .act = watch_act, .check = watch_check,
	.end = ev_end,
};
