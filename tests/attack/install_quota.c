// SPDX-License-Identifier: GPL-2.0
/*
 * Installing handles at the quota edge (handle.c logos_table_install_many,
 * message.c logos_kmsg_deliver, channel.c logos_recv_one's requeue;
 * review finding 5). LOGOS_RES_HANDLES is limited to 48; the table is
 * filled to the edge with events. T1 receives messages carrying 3 handles
 * each (all or none must arrive: -EDQUOT leaves the message queued),
 * while T2 frees and re-takes one slot in a loop and closes the values
 * the next install will most likely produce (slot index known, generation
 * + 1), so installs and guessed closes collide. Afterwards: no handle of a
 * message may be lost or doubled (the number received equals the number
 * sent, usage counters exact), and live_objects returns.
 */
#include "common.h"

#define LIMIT 48
static uint32_t c0, c1, ev, filler[LIMIT];
static volatile int quit;
static long got_msgs, got_handles, edquot, other;

static void *receiver(void *p)
{
	struct logos_msg_handle hs[4];
	struct logos_msg m;
	char buf[8];
	int ret, k;

	(void)p;
	pin_cpu(0);
	while (!quit) {
		ret = recv_msg(c1, buf, sizeof(buf), hs, 4, 1000000, &m);
		if (ret == -EDQUOT) {
			edquot++;
			continue;
		}
		if (ret == -ETIMEDOUT || ret == -EAGAIN)
			continue;
		if (ret) {
			other++;
			continue;
		}
		got_msgs++;
		got_handles += m.nr_handles;
		for (k = 0; k < (int)m.nr_handles; k++)
			hclose(hs[k].handle);	/* may fail: T2 guessed it first */
	}
	return NULL;
}

static void *guesser(void *p)
{
	uint32_t v;
	int k;

	(void)p;
	pin_cpu(1);
	while (!quit) {
		struct logos_event_create ec = { 0 };

		/* Free one slot, predict what the next install puts there. */
		v = filler[0];
		hclose(v);
		for (k = 1; k <= 3; k++)
			hclose(v + (k << 17));
		if (M(LOGOS_IOC_EVENT_CREATE, &ec) == 0)
			filler[0] = ec.handle;
		else
			filler[0] = 0;
		for (k = 1; k <= 3; k++)
			hclose(ec.handle + (k << 17));
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct logos_module_set_quota q = { .resource = LOGOS_RES_HANDLES, .limit = LIMIT };
	long msgs = rounds_arg(argc, argv, 3000), sent = 0, i, live0;
	double t0;
	pthread_t a, b;
	int k, n = 0;

	attack_name = "install_quota";
	live0 = live_objects();
	new_module(0);
	q.handle = mod_handle;
	if (xioctl(sup_fd, LOGOS_IOC_MODULE_SET_QUOTA, &q))
		die("SET_QUOTA", -errno);
	if (chan_create(&c0, &c1))
		die("channel", -EIO);
	{
		struct logos_event_create ec = { 0 };

		if (M(LOGOS_IOC_EVENT_CREATE, &ec))
			die("event", -errno);
		ev = ec.handle;
	}
	/* Up to the edge: 3 handles used, LIMIT - 5 fillers leaves room for 2. */
	for (k = 0; k < LIMIT - 5; k++) {
		struct logos_event_create ec = { 0 };

		if (M(LOGOS_IOC_EVENT_CREATE, &ec))
			break;
		filler[n++] = ec.handle;
	}
	pthread_create(&a, NULL, receiver, NULL);
	pthread_create(&b, NULL, guesser, NULL);
	t0 = now_s();
	for (i = 0; i < msgs && now_s() - t0 < 60; i++) {
		uint32_t hs[3] = { ev, ev, ev };

		if (send_msg(c0, "h", 1, hs, NULL, 3, 100000000) == 0)
			sent++;
	}
	/* Let the receiver drain what is queued. */
	for (k = 0; k < 200 && got_msgs < sent; k++)
		usleep(10000);
	quit = 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("# sent %ld, received %ld msgs / %ld handles, EDQUOT %ld, other %ld\n", sent,
	       got_msgs, got_handles, edquot, other);
	check(edquot > 0, "the quota edge was hit (%ld EDQUOT)", edquot);
	check(got_handles == 3 * got_msgs, "every message arrived whole (%ld handles in %ld)",
	      got_handles, got_msgs);
	hclose(c0);
	hclose(c1);
	hclose(ev);
	for (k = 0; k < n; k++)
		hclose(filler[k]);
	{
		struct logos_module_info mi = self_info();

		/* Guessed closes may have closed fillers: count what is really left. */
		check(mi.usage[LOGOS_RES_MSGS_QUEUED] == 0 && mi.usage[LOGOS_RES_BYTES_QUEUED] == 0,
		      "no message charge left (msgs %llu bytes %llu), handles %llu",
		      (unsigned long long)mi.usage[LOGOS_RES_MSGS_QUEUED],
		      (unsigned long long)mi.usage[LOGOS_RES_BYTES_QUEUED],
		      (unsigned long long)mi.usage[LOGOS_RES_HANDLES]);
	}
	end_module();
	usleep(100000);
	check(live_objects() == live0, "live_objects back to %ld (now %ld)", live0, live_objects());
	return finish();
}
