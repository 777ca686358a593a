// SPDX-License-Identifier: GPL-2.0
/*
 * Channel teardown races (channel.c logos_endpoint_zero_handles, the
 * peer-link rule of object.h). Each round two threads on a barrier:
 *  mode 0: both ends' last handles closed at the same moment (review
 *          finding 1: double put);
 *  mode 1: T1 sends a handle of another channel's end (copied) and then
 *          closes its end, T2 receives and closes the other end;
 *  mode 2: T1 sends with MOVE the receiving end of a third channel whose
 *          queue holds a message with a memory handle, T2 closes the
 *          receiving end the message is queued on (teardown of queued
 *          endpoints through the reap list while the sender still runs).
 * The kernel must stay quiet, every usage counter must return to 0 and
 * live_objects to its value.
 */
#include "common.h"

static pthread_barrier_t bar;
static uint32_t a0, a1, b0, b1, c0, c1, mem_h;
static volatile int quit, mode;

static void *t1(void *p)
{
	uint32_t mv = LOGOS_MSG_HANDLE_MOVE;

	(void)p;
	pin_cpu(0);
	for (;;) {	/* quit is read after the barrier */
		pthread_barrier_wait(&bar);
		if (quit)
			break;
		if (mode == 1)
			send_msg(a0, "x", 1, &b1, NULL, 1, 0);
		else if (mode == 2)
			send_msg(a0, "y", 1, &c1, &mv, 1, 0);
		hclose(a0);
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

static void *t2(void *p)
{
	struct logos_msg_handle hs[4];
	struct logos_msg m;
	char buf[8];

	(void)p;
	pin_cpu(1);
	for (;;) {	/* quit is read after the barrier */
		pthread_barrier_wait(&bar);
		if (quit)
			break;
		if (mode == 1 && recv_msg(a1, buf, sizeof(buf), hs, 4, 0, &m) == 0 &&
		    m.nr_handles)
			hclose(hs[0].handle);
		hclose(a1);
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = rounds_arg(argc, argv, 6000), i, live0;
	pthread_t x, y;

	attack_name = "chan_race";
	live0 = live_objects();
	new_module(0);
	if (mem_create(4096, &mem_h, NULL))
		die("mem", -EIO);
	pthread_barrier_init(&bar, NULL, 3);
	pthread_create(&x, NULL, t1, NULL);
	pthread_create(&y, NULL, t2, NULL);
	for (i = 0; i < rounds; i++) {
		mode = i % 3;
		if (chan_create(&a0, &a1) || chan_create(&b0, &b1) || chan_create(&c0, &c1))
			die("channels", -EIO);
		if (mode == 2)
			send_msg(c0, "m", 1, &mem_h, NULL, 1, 0);
		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		hclose(b0);
		hclose(b1);
		hclose(c0);
		hclose(c1);	/* fails after a MOVE: it left */
	}
	quit = 1;
	pthread_barrier_wait(&bar);
	pthread_join(x, NULL);
	pthread_join(y, NULL);
	hclose(mem_h);
	{
		struct logos_module_info mi = self_info();
		int k, bad = 0;

		for (k = 0; k < LOGOS_RES_COUNT; k++)
			bad |= mi.usage[k] != 0;
		check(!bad, "usage back to 0 (handles %llu objects %llu channels %llu msgs %llu "
		      "bytes %llu)", (unsigned long long)mi.usage[0], (unsigned long long)mi.usage[1],
		      (unsigned long long)mi.usage[3], (unsigned long long)mi.usage[4],
		      (unsigned long long)mi.usage[5]);
	}
	end_module();
	usleep(100000);
	check(live_objects() == live0, "%ld rounds: live_objects back to %ld (now %ld)", rounds,
	      live0, live_objects());
	return finish();
}
