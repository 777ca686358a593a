/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verdicts a benchmark can stand behind (issue 20): a target's ratio is
 * PASS or MISS only when every figure it rests on looks undisturbed by the
 * host; otherwise UNRELIABLE with the reason. Shared by logos-bench and
 * mapped-bench, unit-tested on the host (tests/unit/bench_verdict_test.c).
 * The rules and their bounds are in tests/bench/README.md ("Verdicts").
 */
#ifndef _LOGOS_BENCH_VERDICT_H
#define _LOGOS_BENCH_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

/* One measured figure a ratio rests on: per-sample times in ns (0: unknown). */
struct vfig {
	const char *label;	/* "AF_UNIX seqpacket 64 B" */
	double p10, p50, p99, mean;
	/*
	 * Cross-CPU figures: the same transport, size and mode measured with
	 * both processes on one CPU (0: no such reference).
	 */
	double same_cpu_p50;
	bool uses_mean;		/* the ratio is of means (throughput): check mean/p50 too */
};

/* The bounds; a figure beyond any of them is not trusted. */
struct vrule {
	double max_p50_p10;	/* median vs 10th percentile */
	double max_p99_p50;	/* tail vs median */
	double max_mean_p50;	/* mean vs median, for ratios of means */
	double max_cross_same;	/* cross-CPU p50 vs the same-CPU p50 */
};

extern const struct vrule vrule_default;

enum vstatus { V_NA, V_PASS, V_MISS, V_UNRELIABLE };

struct verdict {
	enum vstatus status;
	char why[320];		/* UNRELIABLE: the first rule broken, with figures */
};

const char *verdict_name(enum vstatus s);

/*
 * Whether @f can be trusted under @r: true, or false with a sentence in
 * @why (which rule, which figures).
 */
bool vfig_trusted(const struct vfig *f, const struct vrule *r, char *why, size_t len);

/*
 * The verdict of ratio @value against @limit (@at_most: value <= limit
 * passes, else value >= limit), resting on @n figures. NaN or a
 * non-positive value: V_NA.
 */
void verdict_eval(struct verdict *v, double value, double limit, bool at_most,
		  const struct vfig *figs, int n, const struct vrule *r);

/* A ratio with enough significant digits to be read (never "0.00"). */
const char *fmt_ratio(char *buf, size_t len, double v);

#endif /* _LOGOS_BENCH_VERDICT_H */
