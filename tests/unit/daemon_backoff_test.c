// SPDX-License-Identifier: GPL-2.0
/* The restart schedule of logosd (daemon/backoff.c). */
#include "daemon_test.h"
#include "backoff.h"

int main(void)
{
	struct backoff_cfg cfg = { .start_ms = 100, .max_ms = 1000, .reset_after_ms = 5000,
				   .burst = 5 };
	struct backoff_state st = { 0 };
	const int64_t want[] = { 100, 200, 400, 800, 1000 };
	uint64_t t = 0;

	CHECK(backoff_delay(&cfg, 0) == 0, "no delay before the first start");
	CHECK(backoff_delay(&cfg, 1) == 100, "first restart waits start");
	CHECK(backoff_delay(&cfg, 4) == 800, "doubles each time");
	CHECK(backoff_delay(&cfg, 5) == 1000, "capped at max");
	CHECK(backoff_delay(&cfg, 200) == 1000, "stays capped without overflow");

	/* five quick failures: 100 200 400 800 1000, then the sixth gives up */
	for (int i = 0; i < 5; i++) {
		int64_t d = backoff_on_failure(&cfg, &st, t, t + 10);

		CHECK(d == want[i], "failure %d in a row waits %lld ms (got %lld)", i + 1,
		      (long long)want[i], (long long)d);
		t += 10 + d;
	}
	CHECK(backoff_on_failure(&cfg, &st, t, t + 10) == BACKOFF_GIVE_UP,
	      "the failure after burst is a crash loop");

	/* a healthy run resets the count */
	st.failures = 0;
	backoff_on_failure(&cfg, &st, 0, 10);
	backoff_on_failure(&cfg, &st, 100, 110);
	CHECK(st.failures == 2, "two failures counted");
	CHECK(backoff_on_failure(&cfg, &st, 1000, 1000 + 5000) == 100,
	      "a run of reset_after resets the schedule to start");
	CHECK(st.failures == 1, "and counts as the first failure of a new series");
	backoff_on_healthy(&cfg, &st, 0, 4999);
	CHECK(st.failures == 1, "a run shorter than reset_after keeps the count");
	backoff_on_healthy(&cfg, &st, 0, 5000);
	CHECK(st.failures == 0, "backoff_on_healthy resets after reset_after");

	/* burst 0: never restart */
	cfg.burst = 0;
	st.failures = 0;
	CHECK(backoff_on_failure(&cfg, &st, 0, 1) == BACKOFF_GIVE_UP, "burst 0 never restarts");

	/* a huge cap does not overflow */
	cfg = (struct backoff_cfg){ .start_ms = 1ULL << 62, .max_ms = UINT64_MAX, .burst = 100 };
	CHECK(backoff_delay(&cfg, 10) == UINT64_MAX, "no overflow near UINT64_MAX");
	return test_done();
}
