// SPDX-License-Identifier: GPL-2.0
/*
 * The scenarios in run order: the review's findings first (F1..F7, each
 * must be caught on the code they were found in), then the general pairs.
 * Scenarios that take the kernel down (F2, F3, F6 on the buggy code) run
 * after those that only warn, so one run reports as much as it can.
 */
#include "race.h"

extern const struct scenario sc_f1_ends, sc_f1_exit, sc_f2, sc_f3_chain, sc_f3_exit,
	sc_f4_dup, sc_f4_give, sc_f4_msg, sc_f4_mapped, sc_f5_edquot, sc_f5_recv, sc_f5_map,
	sc_f6, sc_f7, sc_close_revoke, sc_revoke_mm, sc_pub_close, sc_send_close,
	sc_call_exit, sc_call_ownerdead, sc_signal_close, sc_wait_close, sc_watch_close;

const struct scenario *const race_scenarios[] = {
	&sc_f4_dup, &sc_f4_give, &sc_f4_msg, &sc_f4_mapped,
	&sc_f7,
	&sc_f1_ends, &sc_f1_exit,
	&sc_f5_edquot, &sc_f5_recv, &sc_f5_map,
	&sc_close_revoke, &sc_revoke_mm, &sc_send_close, &sc_call_exit, &sc_call_ownerdead,
	&sc_signal_close, &sc_wait_close, &sc_watch_close, &sc_pub_close,
	&sc_f2, &sc_f6, &sc_f3_chain, &sc_f3_exit,
	NULL
};
