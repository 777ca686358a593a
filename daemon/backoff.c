// SPDX-License-Identifier: GPL-2.0
#include "backoff.h"

uint64_t backoff_delay(const struct backoff_cfg *cfg, unsigned int n)
{
	uint64_t d = cfg->start_ms;

	if (n == 0)
		return 0;
	for (unsigned int i = 1; i < n; i++) {
		if (d >= cfg->max_ms || d > UINT64_MAX / 2)
			return cfg->max_ms;
		d *= 2;
	}
	return d < cfg->max_ms ? d : cfg->max_ms;
}

void backoff_on_healthy(const struct backoff_cfg *cfg, struct backoff_state *st,
			uint64_t started_ms, uint64_t now_ms)
{
	if (cfg->reset_after_ms && now_ms >= started_ms &&
	    now_ms - started_ms >= cfg->reset_after_ms)
		st->failures = 0;
}

int64_t backoff_on_failure(const struct backoff_cfg *cfg, struct backoff_state *st,
			   uint64_t started_ms, uint64_t now_ms)
{
	backoff_on_healthy(cfg, st, started_ms, now_ms);
	st->failures++;
	if (st->failures > cfg->burst)
		return BACKOFF_GIVE_UP;
	return (int64_t)backoff_delay(cfg, st->failures);
}
