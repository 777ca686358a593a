// SPDX-License-Identifier: GPL-2.0
/*
 * Teardown depth and cycles (object.h, handle.c logos_reap).
 * 1. A chain of N channels, each endpoint queued in the previous one's
 *    queue, torn down by one close: must not overflow the stack (review
 *    finding 3, now a reap list).
 * 2. Two channels whose receiving ends are queued in each other (x1 in
 *    y1's queue, y1 in x1's queue). Every handle the module holds is
 *    closed, then the module exits. security-model.md promises that a
 *    module's death releases everything it owns; if live_objects stays
 *    above its starting value, a hostile module leaks kernel objects past
 *    its death (only rmmod frees them: channel.c logos_channel_uninit).
 *    Repeated, this exhausts the global max_objects limit (-ENOSPC for
 *    every module on the node).
 */
#include "common.h"

int main(int argc, char **argv)
{
	long n = rounds_arg(argc, argv, 3000), live0, live1, rounds, i;
	uint32_t x0, x1, y0, y1, mv = LOGOS_MSG_HANDLE_MOVE;
	int ret;

	attack_name = "reap_chain";
	live0 = live_objects();

	/*
	 * 1. The chain: channel i's receiving end x1 holds, in its queue,
	 * channel i-1's receiving end, which holds i-2's, and so on; only the
	 * last x1 has a handle in the table.
	 */
	new_module(0);
	{
		uint32_t prev1 = 0;

		for (i = 0; i < n; i++) {
			ret = chan_create(&x0, &x1);
			if (ret) {
				printf("# chain stopped at %ld: %s\n", i, strerror(-ret));
				break;
			}
			if (prev1) {
				/* Queue prev1 (moved) in x1's queue: x1 holds the whole chain. */
				ret = send_msg(x0, "c", 1, &prev1, &mv, 1, 0);
				if (ret) {
					printf("# send at %ld: %s\n", i, strerror(-ret));
					break;
				}
			}
			hclose(x0);
			prev1 = x1;
		}
		printf("# chain of %ld channels built\n", i);
		/* One close tears the whole chain down. */
		check(hclose(prev1) == 0, "closing the head of a %ld-deep chain", i);
	}
	end_module();
	usleep(100000);
	live1 = live_objects();
	check(live1 == live0, "chain: live_objects back to %ld (now %ld)", live0, live1);

	/* 2. The cycle. */
	rounds = 50;
	for (i = 0; i < rounds; i++) {
		new_module(0);
		if (chan_create(&x0, &x1) || chan_create(&y0, &y1))
			die("channels", -EIO);
		/* y1 into x1's queue (sent on x0), x1 into y1's queue (sent on y0). */
		ret = send_msg(x0, "a", 1, &y1, &mv, 1, 0);
		if (!ret)
			ret = send_msg(y0, "b", 1, &x1, &mv, 1, 0);
		if (ret) {
			check(0, "cycle: send: %s", strerror(-ret));
			break;
		}
		hclose(x0);
		hclose(y0);
		end_module();
	}
	usleep(200000);
	live1 = live_objects();
	check(live1 == live0, "cycle x1<->y1 after %ld module deaths: live_objects back to %ld "
	      "(now %ld, %ld per dead module)", rounds, live0, live1,
	      rounds ? (live1 - live0) / rounds : 0);
	return finish();
}
