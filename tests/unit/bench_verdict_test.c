// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's verdicts (tests/bench/verdict.c, issue 20) on synthetic
 * figures: the runs of the table (cross-CPU RTTs of ms against a
 * same-CPU 160 us; a spinning RTT of 3.9 us against 2-8 ms) must come out
 * UNRELIABLE, undisturbed ones PASS or MISS, and small ratios readable.
 */
#include "daemon_test.h"
#include "../bench/verdict.h"

#include <math.h>
#include <string.h>

static struct vfig fig(const char *l, double p10, double p50, double p99)
{
	return (struct vfig){ .label = l, .p10 = p10, .p50 = p50, .p99 = p99, .mean = p50 };
}

int main(void)
{
	const struct vrule *r = &vrule_default;
	struct verdict v;
	char b[32];

	/* Undisturbed figures: the ratio decides. */
	struct vfig quiet[2] = { fig("call", 95e3, 100e3, 300e3), fig("seqpacket", 150e3, 160e3, 500e3) };

	verdict_eval(&v, 100.0 / 160, 0.7, true, quiet, 2, r);
	CHECK(v.status == V_PASS, "0.625 <= 0.7 on quiet figures: PASS (got %s)", verdict_name(v.status));
	verdict_eval(&v, 0.81, 0.7, true, quiet, 2, r);
	CHECK(v.status == V_MISS, "0.81 <= 0.7: MISS (got %s)", verdict_name(v.status));
	verdict_eval(&v, 447, 20, false, quiet, 2, r);
	CHECK(v.status == V_PASS, "447 >= 20: PASS");
	verdict_eval(&v, 1.6, 1.8, false, quiet, 2, r);
	CHECK(v.status == V_MISS, "1.6 >= 1.8: MISS");
	verdict_eval(&v, NAN, 0.7, true, quiet, 2, r);
	CHECK(v.status == V_NA, "not measured: n/a, never PASS");
	verdict_eval(&v, 0, 0.7, true, quiet, 2, r);
	CHECK(v.status == V_NA, "a zero ratio (a figure missing) is n/a, never PASS");

	/* Issue 20's cross-CPU call: seqpacket 2 ms against 160 us same-CPU. */
	struct vfig cross[2] = { fig("logos call 64 B", 5.9e6, 6.5e6, 9e6),
				 fig("AF_UNIX seqpacket 64 B", 1.8e6, 2.0e6, 8e6) };
	cross[0].same_cpu_p50 = 100e3;
	cross[1].same_cpu_p50 = 160e3;
	verdict_eval(&v, 3.24, 0.7, true, cross, 2, r);
	CHECK(v.status == V_UNRELIABLE, "cross-CPU p50 40x its same-CPU one: UNRELIABLE, not MISS (got %s)",
	      verdict_name(v.status));
	CHECK(strstr(v.why, "same-CPU") && strstr(v.why, "logos call 64 B"),
	      "the reason names the figure and the rule: %s", v.why);
	cross[0].same_cpu_p50 = 0;
	cross[0].p50 = 300e3;
	cross[0].p10 = 200e3;
	verdict_eval(&v, 0.15, 0.7, true, cross, 2, r);
	CHECK(v.status == V_UNRELIABLE && strstr(v.why, "seqpacket"),
	      "a PASS resting on a disturbed baseline is UNRELIABLE too (%s)", v.why);

	/* Cross-CPU within the bound: trusted. */
	struct vfig ok_cross = fig("seqpacket", 200e3, 250e3, 900e3);

	ok_cross.same_cpu_p50 = 160e3;
	verdict_eval(&v, 0.5, 0.7, true, &ok_cross, 1, r);
	CHECK(v.status == V_PASS, "cross-CPU 1.6x same-CPU is trusted (got %s: %s)",
	      verdict_name(v.status), v.why);

	/* The median itself disturbed: p50 well above p10. */
	struct vfig bimodal = fig("pipe", 150e3, 4e6, 8e6);

	verdict_eval(&v, 0.9, 1.2, true, &bimodal, 1, r);
	CHECK(v.status == V_UNRELIABLE && strstr(v.why, "p10"), "p50 27x p10: UNRELIABLE (%s)", v.why);

	/* A tail of host time slices. */
	struct vfig tail = fig("iceoryx", 3.5e3, 3.9e3, 5e6);

	verdict_eval(&v, 0.9, 1.5, true, &tail, 1, r);
	CHECK(v.status == V_UNRELIABLE && strstr(v.why, "p99"), "p99 1282x p50: UNRELIABLE (%s)", v.why);

	/* Throughput is a mean: outliers decide it. */
	struct vfig thr = fig("grant 16 MiB", 90e3, 100e3, 3e6);

	thr.mean = 400e3;
	verdict_eval(&v, 1.07, 1, false, &thr, 1, r);
	CHECK(v.status == V_PASS, "the mean does not matter to a p50 ratio");
	thr.uses_mean = true;
	verdict_eval(&v, 1.07, 1, false, &thr, 1, r);
	CHECK(v.status == V_UNRELIABLE && strstr(v.why, "mean"),
	      "mean 4x p50 makes a throughput ratio UNRELIABLE (%s)", v.why);

	/* Exactly at the bounds: still trusted (the bounds are inclusive). */
	struct vfig edge = fig("edge", 100, 200, 10000);

	edge.mean = 400;
	edge.uses_mean = true;
	edge.same_cpu_p50 = 50;
	CHECK(vfig_trusted(&edge, r, b, sizeof(b)), "figures exactly at every bound are trusted");
	edge.same_cpu_p50 = 49;
	CHECK(!vfig_trusted(&edge, r, b, sizeof(b)), "and one step beyond is not");

	/* Ratios readable. */
	CHECK(!strcmp(fmt_ratio(b, sizeof(b), 3.9e3 / 2e6), "0.00195"),
	      "3.9 us / 2 ms prints 0.00195, not 0.00 (got %s)", b);
	CHECK(!strcmp(fmt_ratio(b, sizeof(b), 0.633), "0.633"), "0.633 (got %s)", b);
	CHECK(!strcmp(fmt_ratio(b, sizeof(b), 3.24), "3.24"), "3.24 (got %s)", b);
	CHECK(!strcmp(fmt_ratio(b, sizeof(b), 19.83), "19.8"), "19.8 (got %s)", b);
	CHECK(!strcmp(fmt_ratio(b, sizeof(b), 447.2), "447"), "447 (got %s)", b);
	CHECK(!strcmp(fmt_ratio(b, sizeof(b), NAN), "n/a"), "NaN prints n/a");
	CHECK(!strcmp(verdict_name(V_UNRELIABLE), "UNRELIABLE"), "the word is UNRELIABLE");
	return test_done();
}
