/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The restart schedule (pure, unit-tested). After the n-th failure in a
 * row a module waits start * 2^(n-1), capped at max. A run that lasted
 * reset_after or longer was healthy: the count starts again. More than
 * burst failures in a row is a crash loop: no restart, the module is
 * FAILED.
 */
#ifndef LOGOSD_BACKOFF_H
#define LOGOSD_BACKOFF_H

#include <stdint.h>

struct backoff_cfg {
	uint64_t start_ms;	/* first delay */
	uint64_t max_ms;	/* cap */
	uint64_t reset_after_ms; /* a run this long resets the count */
	unsigned int burst;	/* failures in a row before giving up */
};

struct backoff_state {
	unsigned int failures;	/* in a row */
};

#define BACKOFF_GIVE_UP (-1)

/* The delay before the n-th restart in a row (n >= 1). */
uint64_t backoff_delay(const struct backoff_cfg *cfg, unsigned int n);

/*
 * A run that started at @started_ms failed at @now_ms: updates @st and
 * returns the delay before the restart in ms, or BACKOFF_GIVE_UP.
 */
int64_t backoff_on_failure(const struct backoff_cfg *cfg, struct backoff_state *st,
			   uint64_t started_ms, uint64_t now_ms);

/* A run has been healthy until @now_ms: resets @st if it was long enough. */
void backoff_on_healthy(const struct backoff_cfg *cfg, struct backoff_state *st,
			uint64_t started_ms, uint64_t now_ms);

#endif
