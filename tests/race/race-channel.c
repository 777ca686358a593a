// SPDX-License-Identifier: GPL-2.0
/*
 * Channel scenarios: both ends closed at once (review #1), teardown of a
 * deep chain of endpoints queued in each other (#3), send-with-handles vs
 * close of the sent handle, module exit vs an in-flight CALL.
 */
#include "race.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static struct {
	int sfd, mfd, fd[2];
	uint32_t mh[2], h[2], x;
	int ret[3];
	int mode;
	uint32_t txn_seen;
} c = { .sfd = -1, .mfd = -1, .fd = { -1, -1 } };

static int open_sup(struct race *r)
{
	c.sfd = sup_open();
	if (c.sfd < 0)
		return race_fail(r, "open %s: %s", LOGOS_DEVICE_PATH, strerror(-c.sfd));
	return 0;
}

static int open_sup_module(struct race *r)
{
	if (open_sup(r))
		return -1;
	c.mfd = mod_create(c.sfd, 0, &c.mh[0]);
	if (c.mfd < 0)
		return race_fail(r, "MODULE_CREATE: %s", strerror(-c.mfd));
	return 0;
}

static void close_all(struct race *r)
{
	(void)r;
	close_fd(&c.mfd);
	close_fd(&c.fd[0]);
	close_fd(&c.fd[1]);
	close_fd(&c.sfd);	/* closes the module handles with it */
	memset(c.mh, 0, sizeof(c.mh));
}

/* ---- F1: the last handles of both ends closed at the same time ---- */

static int f1_setup(struct race *r)
{
	int ret = chan_create(c.mfd, 0, &c.h[0], &c.h[1]);

	return ret ? race_fail(r, "CHANNEL_CREATE: %s", strerror(-ret)) : 0;
}

static void f1_act(struct race *r, int who)
{
	(void)r;
	c.ret[who] = hclose(c.mfd, c.h[who]);
}

static int f1_check(struct race *r)
{
	if (c.ret[0] || c.ret[1])
		return race_fail(r, "HANDLE_CLOSE of the two ends: %s, %s",
				 strerror(-c.ret[0]), strerror(-c.ret[1]));
	return 0;
}

const struct scenario sc_f1_ends = {
	.name = "F1-ends", .group = "F1", .nthreads = 2, .jitter = 300,
	.what = "close of both channel ends at once (refcount underflow, #1)",
	.begin = open_sup_module, .setup = f1_setup, .act = f1_act, .check = f1_check,
	.end = close_all,
};

/* Two modules, each holding one end, exit at once (their files close). */
static int two_modules(struct race *r, uint32_t max_msgs)
{
	uint32_t h0, h1;
	int i, ret;

	for (i = 0; i < 2; i++) {
		c.fd[i] = mod_create(c.sfd, 0, &c.mh[i]);
		if (c.fd[i] < 0)
			return race_fail(r, "MODULE_CREATE: %s", strerror(-c.fd[i]));
	}
	ret = chan_create(c.sfd, max_msgs, &h0, &h1);
	if (!ret)
		ret = hgive(c.sfd, c.mh[0], h0, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE, &c.h[0]);
	if (!ret)
		ret = hgive(c.sfd, c.mh[1], h1, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE, &c.h[1]);
	return ret ? race_fail(r, "channel for two modules: %s", strerror(-ret)) : 0;
}

/*
 * Each module holds one end of F1X_CHANNELS channels, given in the same
 * order, so the two table teardowns walk the pairs side by side: many
 * chances per exit instead of one.
 */
enum { F1X_CHANNELS = 32 };

static int f1x_setup(struct race *r)
{
	uint32_t h0, h1;
	int i, ret;

	if (two_modules(r, 0))
		return -1;
	for (i = 1; i < F1X_CHANNELS; i++) {
		ret = chan_create(c.sfd, 0, &h0, &h1);
		if (!ret)
			ret = hgive(c.sfd, c.mh[0], h0, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE, NULL);
		if (!ret)
			ret = hgive(c.sfd, c.mh[1], h1, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE, NULL);
		if (ret)
			return race_fail(r, "channel %d for two modules: %s", i, strerror(-ret));
	}
	return 0;
}

static void f1x_act(struct race *r, int who)
{
	(void)r;
	c.ret[who] = close(c.fd[who]) ? -errno : 0;
	c.fd[who] = -1;
}

static int f1x_check(struct race *r)
{
	hclose(c.sfd, c.mh[0]);
	hclose(c.sfd, c.mh[1]);
	if (c.ret[0] || c.ret[1])
		return race_fail(r, "close of the module files: %s, %s",
				 strerror(-c.ret[0]), strerror(-c.ret[1]));
	return 0;
}

const struct scenario sc_f1_exit = {
	.name = "F1-exit", .group = "F1", .nthreads = 2, .jitter = 2000,
	.what = "two modules holding the two ends of 32 channels exit at once",
	.begin = open_sup, .setup = f1x_setup, .act = f1x_act, .check = f1x_check,
	.end = close_all,
};

/* ---- F3: a chain of 500 endpoints, each queued in the previous one ---- */

enum { CHAIN = 500 };
static uint32_t chain_a[CHAIN], chain_b[CHAIN];

static int build_chain(struct race *r)
{
	int i, ret;

	for (i = 0; i < CHAIN; i++) {
		ret = chan_create(c.mfd, 0, &chain_a[i], &chain_b[i]);
		if (ret)
			return race_fail(r, "CHANNEL_CREATE %d: %s", i, strerror(-ret));
	}
	/* b[i] then lives only in b[i-1]'s queue (sent on its peer a[i-1]). */
	for (i = CHAIN - 1; i >= 1; i--) {
		ret = chan_send(c.mfd, chain_a[i - 1], &chain_b[i], 1, LOGOS_MSG_HANDLE_MOVE, 0);
		if (ret)
			return race_fail(r, "SEND of link %d: %s", i, strerror(-ret));
		chain_b[i] = 0;
	}
	return 0;
}

static int f3_close(struct race *r)
{
	int ret;

	if (build_chain(r))
		return -1;
	printf("# %d-deep chain built; closing its head\n", CHAIN);
	fflush(stdout);
	ret = hclose(c.mfd, chain_b[0]);
	chain_b[0] = 0;
	if (ret)
		return race_fail(r, "HANDLE_CLOSE of the chain's head: %s", strerror(-ret));
	hclose_all(c.mfd, chain_a, CHAIN);
	return 0;
}

static int f3_exit(struct race *r)
{
	if (build_chain(r))
		return -1;
	printf("# %d-deep chain built; closing the module file\n", CHAIN);
	fflush(stdout);
	close_fd(&c.mfd);
	memset(chain_a, 0, sizeof(chain_a));
	return 0;
}

const struct scenario sc_f3_chain = {
	.name = "F3-chain", .group = "F3",
	.what = "close the head of a 500-deep chain of queued endpoints (#3)",
	.begin = open_sup_module, .once = f3_close, .end = close_all,
};

const struct scenario sc_f3_exit = {
	.name = "F3-exit", .group = "F3",
	.what = "module exit with a 500-deep chain of queued endpoints (#3)",
	.begin = open_sup_module, .once = f3_exit, .end = close_all,
};

/* ---- send-with-handles vs close of the sent handle ---- */

static int sc_begin(struct race *r)
{
	int ret;

	if (open_sup_module(r))
		return -1;
	ret = chan_create(c.mfd, 0, &c.h[0], &c.h[1]);
	return ret ? race_fail(r, "CHANNEL_CREATE: %s", strerror(-ret)) : 0;
}

static int sc_setup(struct race *r)
{
	int ret = event_create(c.mfd, &c.x);

	c.mode = race_rand(r, 0) & 1 ? LOGOS_MSG_HANDLE_MOVE : 0;
	return ret ? race_fail(r, "EVENT_CREATE: %s", strerror(-ret)) : 0;
}

static void sc_act(struct race *r, int who)
{
	(void)r;
	if (who == 0)
		c.ret[0] = chan_send(c.mfd, c.h[0], &c.x, 1, c.mode, 0);
	else
		c.ret[1] = hclose(c.mfd, c.x);
}

static int sc_check(struct race *r)
{
	struct logos_msg_handle mh[1];
	int ret;

	if (c.mode) {
		/* Moved or closed: exactly one of the two may have it. */
		if (!c.ret[0] == !c.ret[1])
			return race_fail(r, "MOVE-send %s and close %s of the same handle",
					 c.ret[0] ? strerror(-c.ret[0]) : "succeeded",
					 c.ret[1] ? strerror(-c.ret[1]) : "succeeded");
	} else if (c.ret[1] || (c.ret[0] && c.ret[0] != -EBADF)) {
		return race_fail(r, "send (derived) %s, close %s", strerror(-c.ret[0]),
				 strerror(-c.ret[1]));
	}
	if (c.ret[1])
		hclose(c.mfd, c.x);
	if (!c.ret[0]) {
		ret = chan_recv(c.mfd, c.h[1], mh, 1, 0);
		if (ret)
			return race_fail(r, "RECV of the sent handle: %s", strerror(-ret));
		hclose(c.mfd, mh[0].handle);
	}
	return 0;
}

const struct scenario sc_send_close = {
	.name = "send-close", .group = "pair", .nthreads = 2, .jitter = 400,
	.what = "channel send of a handle (moved or derived) vs its close",
	.begin = sc_begin, .setup = sc_setup, .act = sc_act, .check = sc_check,
	.end = close_all,
};

/* ---- module exit vs an in-flight CALL ---- */

enum { CALL_NS = 3000000 };

static int call_setup(struct race *r)
{
	c.mode = race_rand(r, 0) % 3;	/* 0: server exits, 1: client exits, 2: none */
	return two_modules(r, 0);
}

static void call_act(struct race *r, int who)
{
	char in[8] = "req", out[8];
	struct logos_channel_call call = {
		.handle = c.h[0], .timeout_ns = CALL_NS,
		.request = { .data = (uintptr_t)in, .data_len = 3 },
		.reply = { .data = (uintptr_t)out, .data_len = sizeof(out) },
	};
	struct logos_msg m = { .data = (uintptr_t)out, .data_len = sizeof(out) };
	struct logos_channel_io io = { .handle = c.h[1], .msgs = (uintptr_t)&m, .count = 1,
				       .timeout_ns = CALL_NS };
	struct logos_channel_reply rep = {
		.handle = c.h[1], .reply = { .data = (uintptr_t)in, .data_len = 3 },
	};

	switch (who) {
	case 0:
		c.ret[0] = lx(c.fd[0], LOGOS_IOC_CHANNEL_CALL, &call);
		break;
	case 1:
		c.ret[1] = lx(c.fd[1], LOGOS_IOC_CHANNEL_RECV, &io);
		if (!c.ret[1] && (m.header.flags & LOGOS_MSG_CALL)) {
			rep.txn_id = m.header.txn_id;
			race_jitter(r, 1, 2000);
			c.ret[1] = lx(c.fd[1], LOGOS_IOC_CHANNEL_REPLY, &rep);
		}
		break;
	default:
		race_jitter(r, 2, 4000);
		if (c.mode < 2) {
			/* The racing ioctl holds the file: the exit completes after it. */
			close(c.fd[c.mode]);
			c.fd[c.mode] = -1;
		}
		break;
	}
}

static int call_check(struct race *r)
{
	int ret = c.ret[0];

	close_fd(&c.fd[0]);
	close_fd(&c.fd[1]);
	hclose(c.sfd, c.mh[0]);
	hclose(c.sfd, c.mh[1]);
	if (ret && ret != -EPIPE && ret != -ETIMEDOUT && ret != -EBADF && ret != -ESRCH &&
	    ret != -EINTR)
		return race_fail(r, "CALL returned %s (mode %d)", strerror(-ret), c.mode);
	return 0;
}

const struct scenario sc_call_exit = {
	.name = "call-exit", .group = "pair", .nthreads = 3, .jitter = 500,
	.what = "module exit (client or server) vs an in-flight CALL and its reply",
	.begin = open_sup, .setup = call_setup, .act = call_act, .check = call_check,
	.end = close_all,
};

/*
 * ---- LOGOS_CALL_OWNERDEAD: the server module's exit vs its reply ----
 * The supervisor keeps a copy of the server's endpoint (as logosd does
 * over a restart), so the exit never closes it: the caller learns of a
 * taken, unanswered call only through -EOWNERDEAD. Exactly one of the
 * reply and -EOWNERDEAD may win.
 */
enum { OWNERDEAD_NS = 200000000 };

/* How the rounds ended: a reply, -EOWNERDEAD, -ETIMEDOUT. */
static unsigned long ownerdead_seen[3];

static int ownerdead_setup(struct race *r)
{
	uint32_t h0;
	int i, ret;

	for (i = 0; i < 2; i++) {
		c.fd[i] = mod_create(c.sfd, 0, &c.mh[i]);
		if (c.fd[i] < 0)
			return race_fail(r, "MODULE_CREATE: %s", strerror(-c.fd[i]));
	}
	c.txn_seen = 0;
	ret = chan_create(c.sfd, 0, &h0, &c.x);
	if (!ret)
		ret = hgive(c.sfd, c.mh[0], h0, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE, &c.h[0]);
	if (!ret)
		ret = hgive(c.sfd, c.mh[1], c.x, LOGOS_RIGHTS_SAME, 0, &c.h[1]);
	return ret ? race_fail(r, "channel for two modules: %s", strerror(-ret)) : 0;
}

static void ownerdead_act(struct race *r, int who)
{
	char in[8] = "req", out[8];
	struct logos_channel_call call = {
		.handle = c.h[0], .flags = LOGOS_CALL_OWNERDEAD, .timeout_ns = OWNERDEAD_NS,
		.request = { .data = (uintptr_t)in, .data_len = 3 },
		.reply = { .data = (uintptr_t)out, .data_len = sizeof(out) },
	};
	struct logos_msg m = { .data = (uintptr_t)out, .data_len = sizeof(out) };
	struct logos_channel_io io = { .handle = c.h[1], .msgs = (uintptr_t)&m, .count = 1,
				       .timeout_ns = OWNERDEAD_NS };
	struct logos_channel_reply rep = {
		.handle = c.h[1], .reply = { .data = (uintptr_t)in, .data_len = 3 },
	};

	switch (who) {
	case 0:
		c.ret[0] = lx(c.fd[0], LOGOS_IOC_CHANNEL_CALL, &call);
		break;
	case 1:
		c.ret[1] = lx(c.fd[1], LOGOS_IOC_CHANNEL_RECV, &io);
		if (!c.ret[1] && (m.header.flags & LOGOS_MSG_CALL)) {
			c.txn_seen = 1;
			rep.txn_id = m.header.txn_id;
			race_jitter(r, 1, 2000);
			c.ret[1] = lx(c.fd[1], LOGOS_IOC_CHANNEL_REPLY, &rep);
		} else if (!c.ret[1]) {
			c.ret[1] = -EPROTO;
		}
		break;
	default:
		race_jitter(r, 2, 1000000);	/* often after the reply too */
		/* The racing ioctl holds the file: the release completes after it. */
		close(c.fd[1]);
		c.fd[1] = -1;
		break;
	}
}

static int ownerdead_check(struct race *r)
{
	int ret = c.ret[0], rep = c.txn_seen ? c.ret[1] : 1;

	close_fd(&c.fd[0]);
	close_fd(&c.fd[1]);
	hclose(c.sfd, c.mh[0]);
	hclose(c.sfd, c.mh[1]);
	hclose(c.sfd, c.x);
	if (!ret && rep)
		return race_fail(r, "CALL got a reply the server failed to send (%d)", rep);
	if (!rep && ret)
		return race_fail(r, "the server's reply went out but CALL returned %s",
				 strerror(-ret));
	if (ret == -EOWNERDEAD && !c.txn_seen)
		return race_fail(r, "EOWNERDEAD for a call nobody received");
	if (ret && ret != -EOWNERDEAD && ret != -ETIMEDOUT)
		return race_fail(r, "CALL returned %s", strerror(-ret));
	ownerdead_seen[!ret ? 0 : ret == -EOWNERDEAD ? 1 : 2]++;
	return 0;
}

static void ownerdead_end(struct race *r)
{
	printf("# call-ownerdead: %lu replies, %lu EOWNERDEAD, %lu timeouts\n",
	       ownerdead_seen[0], ownerdead_seen[1], ownerdead_seen[2]);
	close_all(r);
}

const struct scenario sc_call_ownerdead = {
	.name = "call-ownerdead", .group = "pair", .nthreads = 3, .jitter = 500,
	.what = "server module exit vs its reply, its endpoint kept by the supervisor",
	.begin = open_sup, .setup = ownerdead_setup, .act = ownerdead_act,
	.check = ownerdead_check, .end = ownerdead_end,
};
