// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark verdicts: PASS, MISS, or UNRELIABLE with a reason (verdict.h,
 * tests/bench/README.md "Verdicts").
 */
#include "verdict.h"

#include <math.h>
#include <stdio.h>

/*
 * A sample can only be lengthened by the host (a descheduled vCPU thread,
 * a vCPU woken late), never shortened. So:
 * - p50 > 2 x p10: more than 40 % of the samples were lengthened by more
 *   than the whole undisturbed cost: the median is itself a disturbed one;
 * - p99 > 50 x p50: more than 1 % of the samples were stretched to host
 *   time slices (ms against a median of µs): the host preempted the vCPUs
 *   throughout the case;
 * - mean > 2 x p50 (ratios of throughput, i.e. of means): the outliers
 *   decide the mean;
 * - cross-CPU p50 > 4 x the same transport's same-CPU p50: a cross-CPU
 *   round trip adds two wake-ups of the other CPU (µs on hardware, as
 *   little under TCG when the host runs the vCPU thread at once); four
 *   times the whole same-CPU cost means the wake-ups waited for the host's
 *   scheduler (the vCPU thread was not running).
 */
const struct vrule vrule_default = {
	.max_p50_p10 = 2.0,
	.max_p99_p50 = 50.0,
	.max_mean_p50 = 2.0,
	.max_cross_same = 4.0,
};

const char *verdict_name(enum vstatus s)
{
	switch (s) {
	case V_PASS: return "PASS";
	case V_MISS: return "MISS";
	case V_UNRELIABLE: return "UNRELIABLE";
	default: return "n/a";
	}
}

const char *fmt_ratio(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (a >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 1)
		snprintf(buf, len, "%.2f", v);
	else if (a == 0)
		snprintf(buf, len, "0");
	else
		snprintf(buf, len, "%.3g", v);	/* 0.000488, 0.633 */
	return buf;
}

static const char *fmt_ns(char *buf, size_t len, double ns)
{
	if (ns >= 1e6)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
	return buf;
}

bool vfig_trusted(const struct vfig *f, const struct vrule *r, char *why, size_t len)
{
	char a[32], b[32], q[32], c[16];
	const char *l = f->label ? f->label : "a figure";

	if (!(f->p50 > 0)) {
		snprintf(why, len, "%s: no median", l);
		return false;
	}
	if (f->p10 > 0 && f->p50 > r->max_p50_p10 * f->p10) {
		snprintf(why, len, "%s: p50 %s is %s x its p10 %s (bound %s): the median sample was lengthened by the host",
			 l, fmt_ns(a, sizeof(a), f->p50), fmt_ratio(q, sizeof(q), f->p50 / f->p10),
			 fmt_ns(b, sizeof(b), f->p10), fmt_ratio(c, sizeof(c), r->max_p50_p10));
		return false;
	}
	if (f->p99 > r->max_p99_p50 * f->p50) {
		snprintf(why, len, "%s: p99 %s is %s x its p50 %s (bound %.0f): vCPUs preempted throughout",
			 l, fmt_ns(a, sizeof(a), f->p99), fmt_ratio(q, sizeof(q), f->p99 / f->p50),
			 fmt_ns(b, sizeof(b), f->p50), r->max_p99_p50);
		return false;
	}
	if (f->uses_mean && f->mean > r->max_mean_p50 * f->p50) {
		snprintf(why, len, "%s: mean %s is %s x its p50 %s (bound %s): outliers decide the throughput",
			 l, fmt_ns(a, sizeof(a), f->mean), fmt_ratio(q, sizeof(q), f->mean / f->p50),
			 fmt_ns(b, sizeof(b), f->p50), fmt_ratio(c, sizeof(c), r->max_mean_p50));
		return false;
	}
	if (f->same_cpu_p50 > 0 && f->p50 > r->max_cross_same * f->same_cpu_p50) {
		snprintf(why, len, "%s: cross-CPU p50 %s is %s x its same-CPU p50 %s (bound %s): wake-ups waited for the host scheduler",
			 l, fmt_ns(a, sizeof(a), f->p50), fmt_ratio(q, sizeof(q), f->p50 / f->same_cpu_p50),
			 fmt_ns(b, sizeof(b), f->same_cpu_p50), fmt_ratio(c, sizeof(c), r->max_cross_same));
		return false;
	}
	return true;
}

void verdict_eval(struct verdict *v, double value, double limit, bool at_most,
		  const struct vfig *figs, int n, const struct vrule *r)
{
	v->why[0] = 0;
	if (isnan(value) || !(value > 0)) {
		v->status = V_NA;
		return;
	}
	for (int i = 0; i < n; i++)
		if (!vfig_trusted(&figs[i], r, v->why, sizeof(v->why))) {
			v->status = V_UNRELIABLE;
			return;
		}
	v->status = (at_most ? value <= limit : value >= limit) ? V_PASS : V_MISS;
}
