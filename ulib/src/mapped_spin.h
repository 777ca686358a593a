/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Adaptive spinning of mapped channels (issue 20, SRS §6 energy): a side
 * that finds its ring empty (or full) spins at most its budget, then
 * announces itself and sleeps on the doorbell. The budget adapts per
 * channel between 0 and the configured spin (logos_mapped_set_spin()):
 *
 * - the peer answered within the configured spin (while spinning, or soon
 *   after the side went to sleep): spinning pays, the budget doubles (from
 *   an eighth of the configured spin, up to all of it);
 * - the side slept longer than that: the spin was burnt for nothing, the
 *   budget halves, and below 64 ns it is 0.
 *
 * So a channel whose peer is idle stops spinning before each sleep after a
 * few messages, and a busy one keeps its full spin. Pure: unit-tested on
 * the host (tests/unit/mapped_spin_test.c).
 */
#ifndef _LOGOS_MAPPED_SPIN_H
#define _LOGOS_MAPPED_SPIN_H

#include <stdint.h>

/*
 * The next budget after a wait of @waited_ns (0: the spin found work) with
 * budget @cur and configured spin @max (> 0).
 */
static inline int64_t logos__spin_adapt(int64_t cur, int64_t max, int64_t waited_ns)
{
	if (waited_ns <= max) {
		cur = cur * 2 > max / 8 ? cur * 2 : max / 8;
		return cur < max ? cur : max;
	}
	cur /= 2;
	return cur < 64 ? 0 : cur;
}

#endif /* _LOGOS_MAPPED_SPIN_H */
