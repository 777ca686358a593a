// SPDX-License-Identifier: GPL-2.0
/*
 * Adaptive spinning of mapped channels (ulib/src/mapped_spin.h, issue 20):
 * an idle peer drives the budget to 0 within a few messages, a busy one
 * keeps it (or brings it back) at the configured spin.
 */
#include "daemon_test.h"
#include "../../ulib/src/mapped_spin.h"

int main(void)
{
	const int64_t max = 20000;	/* the default spin, ns */
	int64_t cur = max;
	int n;

	/* A peer that answers every 10 ms: the spin is burnt for nothing. */
	for (n = 0; cur && n < 100; n++)
		cur = logos__spin_adapt(cur, max, 10000000);
	CHECK(cur == 0, "an idle peer (10 ms between messages): no spin left after %d messages", n);
	CHECK(n <= 10, "and within 10 messages (%d)", n);
	cur = logos__spin_adapt(cur, max, 10000000);
	CHECK(cur == 0, "it stays 0 while the peer stays idle");

	/* The peer gets busy: answers within the configured spin. */
	cur = logos__spin_adapt(0, max, 5000);
	CHECK(cur == max / 8, "a quick answer after a sleep restarts at max/8 (%lld)", (long long)cur);
	for (n = 1; cur < max && n < 100; n++)
		cur = logos__spin_adapt(cur, max, 0);
	CHECK(cur == max, "found while spinning: back to the full spin after %d messages", n);
	CHECK(n <= 4, "within 4 (%d)", n);
	CHECK(logos__spin_adapt(max, max, 0) == max, "never above the configured spin");
	CHECK(logos__spin_adapt(max, max, max) == max, "an answer exactly at the budget keeps it");
	CHECK(logos__spin_adapt(max, max, max + 1) == max / 2, "one just after it halves it");
	CHECK(logos__spin_adapt(100, max, 1000000) == 0, "below 64 ns it is 0");
	return test_done();
}
