// SPDX-License-Identifier: GPL-2.0
/*
 * logos-bench: the report: tables, ratios, the targets, and the
 * same as results.csv, ratios.csv and results.json.
 */
#include "driver.h"
#include "verdict.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* ---------------------------------------------------------------- report */

static bool ok(const struct result *r)
{
	return r->status == RES_OK;
}

static const char *status_name(int st)
{
	return st == RES_OK ? "ok" : st == RES_NA ? "n/a" : st == RES_ERR ? "error" : "skipped";
}

/* Throughput ratio logos/baseline (higher: logos faster). */
static double thr_ratio(int p, int lt, int bt, int si, int m)
{
	const struct result *a = &res[p][lt][si][m], *b = &res[p][bt][si][m];

	return ok(a) && ok(b) && b->mbps > 0 ? a->mbps / b->mbps : NAN;
}

/* RTT p50 ratio logos/baseline (lower: logos faster). */
static double rtt_ratio(int p, int lt, int bt, int si, int m)
{
	const struct result *a = &res[p][lt][si][m], *b = &res[p][bt][si][m];

	return ok(a) && ok(b) && b->p50 ? (double)a->p50 / (double)b->p50 : NAN;
}

struct target {
	const char *name, *text;
	double limit;
	bool at_most;		/* value <= limit passes; else value >= limit */
	double value[P_COUNT];
	struct verdict v[P_COUNT];	/* PASS, MISS, UNRELIABLE (why), or n/a */
};

#define NTARGETS 5
static struct target targets[NTARGETS] = {
	{ .name = "call_64B_rtt_vs_seqpacket",
	  .text = "64 B logos call RTT p50 <= 0.7 x AF_UNIX seqpacket (transfer)",
	  .limit = 0.7, .at_most = true },
	{ .name = "grant_16MiB_transfer_vs_stream",
	  .text = "16 MiB logos grant throughput, transfer, >= 20 x AF_UNIX stream",
	  .limit = 20 },
	{ .name = "grant_16MiB_transfer_vs_memfd",
	  .text = "16 MiB logos grant throughput, transfer, >= 1 x memfd+SCM_RIGHTS",
	  .limit = 1 },
	{ .name = "grant_16MiB_touch_vs_stream",
	  .text = "16 MiB logos grant throughput, touch, >= 1.8 x AF_UNIX stream",
	  .limit = 1.8 },
	{ .name = "rtt_10k_vs_10_channels",
	  .text = "64 B logos call RTT p50 at 10k channels <= 1.2 x at 10 channels (alternating)",
	  .limit = 1.2, .at_most = true },
};

static int size_index(uint64_t size)
{
	int i;

	for (i = 0; i < NSIZES; i++)
		if (sizes[i] == size)
			return i;
	return 0;
}

/*
 * The figure a ratio rests on, for its verdict (verdict.h): r's
 * percentiles and, cross-CPU, the same figure measured same-CPU.
 */
static struct vfig vfig_of(const struct result *r, const struct result *same, int p,
			   const char *label, bool uses_mean)
{
	struct vfig f = { .label = label, .uses_mean = uses_mean };

	if (ok(r)) {
		f.p10 = (double)r->p10;
		f.p50 = (double)r->p50;
		f.p99 = (double)r->p99;
		f.mean = (double)r->mean;
	}
	if (p == P_CROSS && placement_on[P_SAME] && same && ok(same))
		f.same_cpu_p50 = (double)same->p50;
	return f;
}

static struct vfig vfig_res(int p, int tr, int si, int m, bool uses_mean)
{
	static char labels[8][96];
	static int next;
	char *l = labels[next++ % 8];

	snprintf(l, sizeof(labels[0]), "%s %s %s", transports[tr]->label, size_labels[si],
		 mode_names[m]);
	return vfig_of(&res[p][tr][si][m], &res[P_SAME][tr][si][m], p, l, uses_mean);
}

static void eval_targets(void)
{
	int s64 = size_index(64), s16m = size_index(16 * MiB), p, k;

	for (p = 0; p < P_COUNT; p++) {
		/* The reference measured in alternation with the 10k point. */
		const struct result *a = &scale_res[p][SC_REF], *b = &scale_res[p][SC_10K];
		struct vfig figs[NTARGETS][2] = {
			{ vfig_res(p, T_LOGOS_CALL, s64, MODE_TRANSFER, false),
			  vfig_res(p, T_SEQPACKET, s64, MODE_TRANSFER, false) },
			{ vfig_res(p, T_LOGOS_GRANT, s16m, MODE_TRANSFER, true),
			  vfig_res(p, T_STREAM, s16m, MODE_TRANSFER, true) },
			{ vfig_res(p, T_LOGOS_GRANT, s16m, MODE_TRANSFER, true),
			  vfig_res(p, T_MEMFD_SCM, s16m, MODE_TRANSFER, true) },
			{ vfig_res(p, T_LOGOS_GRANT, s16m, MODE_TOUCH, true),
			  vfig_res(p, T_STREAM, s16m, MODE_TOUCH, true) },
			{ vfig_of(b, &scale_res[P_SAME][SC_10K], p, "call at 10k channels", false),
			  vfig_of(a, &scale_res[P_SAME][SC_REF], p, "call at 10 channels (alternating)", false) },
		};

		targets[0].value[p] = rtt_ratio(p, T_LOGOS_CALL, T_SEQPACKET, s64, MODE_TRANSFER);
		targets[1].value[p] = thr_ratio(p, T_LOGOS_GRANT, T_STREAM, s16m, MODE_TRANSFER);
		targets[2].value[p] = thr_ratio(p, T_LOGOS_GRANT, T_MEMFD_SCM, s16m, MODE_TRANSFER);
		targets[3].value[p] = thr_ratio(p, T_LOGOS_GRANT, T_STREAM, s16m, MODE_TOUCH);
		targets[4].value[p] = ok(a) && ok(b) ? (double)b->p50 / (double)a->p50 : NAN;
		for (k = 0; k < NTARGETS; k++) {
			struct target *t = &targets[k];

			verdict_eval(&t->v[p], t->value[p], t->limit, t->at_most, figs[k], 2,
				     &vrule_default);
		}
	}
}

static void cell(const struct result *r)
{
	if (r->status == RES_OK)
		printf(" %6u %10llu %10llu %10.2f", r->iters, (unsigned long long)r->p50,
		       (unsigned long long)r->p99, r->mbps);
	else
		printf(" %6s %10s %10s %10s", "", status_name(r->status), "", "");
}

static void print_main_table(int p)
{
	int si, tr;

	printf("\n== Round trips, %s, %s: an N-byte request, an 8-byte reply\n", clock_label,
	       placement_text[p]);
	printf("   touch: the sender writes every byte, the receiver reads every byte\n");
	printf("   transfer: moving the data alone. MB/s = N x round trips / time (1 MB = 10^6 B)\n\n");
	printf("%-6s %-17s |%-38s |%-38s\n", "", "", " touch", " transfer");
	printf("%-6s %-17s |%6s %10s %10s %10s |%6s %10s %10s %10s\n", "size", "transport",
	       "iters", "p50 ns", "p99 ns", "MB/s", "iters", "p50 ns", "p99 ns", "MB/s");
	for (si = 0; si < NSIZES; si++) {
		if (!(size_mask & (1U << si)))
			continue;
		for (tr = 0; tr < T_COUNT; tr++) {
			if (res[p][tr][si][0].status == RES_NONE && res[p][tr][si][1].status == RES_NONE)
				continue;
			printf("%-6s %-17s |", size_labels[si], transports[tr]->label);
			cell(&res[p][tr][si][MODE_TOUCH]);
			printf(" |");
			cell(&res[p][tr][si][MODE_TRANSFER]);
			printf("\n");
		}
		printf("\n");
	}
}

static void print_ratios(int p)
{
	int si, tr, m, bt;
	double a, b;

	printf("\n== Ratios, %s, %s, logos / baseline: throughput x (higher is better) / RTT p50 x (lower is better)\n",
	       clock_label, placement_labels[p]);
	for (m = 0; m < MODE_COUNT; m++) {
		printf("\n%-8s %-6s %-15s", mode_names[m], "size", "logos");
		for (bt = T_FIRST_BASELINE; bt < T_COUNT; bt++)
			printf(" %17s", transports[bt]->label);
		printf("\n");
		for (si = 0; si < NSIZES; si++) {
			if (!(size_mask & (1U << si)))
				continue;
			for (tr = 0; tr < T_FIRST_BASELINE; tr++) {
				if (res[p][tr][si][m].status == RES_NONE)
					continue;
				printf("%-8s %-6s %-15s", "", size_labels[si], transports[tr]->label);
				for (bt = T_FIRST_BASELINE; bt < T_COUNT; bt++) {
					a = thr_ratio(p, tr, bt, si, m);
					b = rtt_ratio(p, tr, bt, si, m);
					if (isnan(a)) {
						printf(" %17s", "n/a");
					} else {
						char x[32], y[32];

						printf(" %8s/%-8s", fmt_ratio(x, sizeof(x), a),
						       fmt_ratio(y, sizeof(y), b));
					}
				}
				printf("\n");
			}
		}
	}
}

void print_tables(void)
{
	int p, si, tr, m, k;
	double a, b;
	int s16m = size_index(16 * MiB);

	for (p = 0; p < P_COUNT; p++) {
		if (!placement_on[p])
			continue;
		print_main_table(p);
		print_ratios(p);
	}
	for (p = 0; p < P_COUNT; p++)
		for (tr = 0; tr < T_COUNT; tr++)
			for (si = 0; si < NSIZES; si++)
				for (m = 0; m < MODE_COUNT; m++)
					if (res[p][tr][si][m].status == RES_ERR)
						printf("ERROR %s %s %s %s: %s\n", placement_labels[p],
						       transports[tr]->label, size_labels[si],
						       mode_names[m], res[p][tr][si][m].note);

	if (!no_scale && !baselines_only) {
		printf("\n== Scale, %s: 64 B logos call RTT, transfer mode\n", clock_label);
		for (p = 0; p < P_COUNT; p++) {
			if (!placement_on[p])
				continue;
			for (k = 0; k < SC_COUNT; k++) {
				const struct result *r = &scale_res[p][k], *r0 = &scale_res[p][SC_10];
				const struct result *rr = &scale_res[p][SC_REF];

				printf("%-9s %-26s channels %6u modules %5u  ", placement_labels[p],
				       scale_names[k], scale_channels[k], scale_modules[k]);
				if (ok(r))
					printf("p50 %9llu ns  p99 %9llu ns  x%.2f of 10 channels (first), x%.2f (alternating)\n",
					       (unsigned long long)r->p50, (unsigned long long)r->p99,
					       ok(r0) ? (double)r->p50 / (double)r0->p50 : NAN,
					       ok(rr) ? (double)r->p50 / (double)rr->p50 : NAN);
				else
					printf("%s: %s\n", status_name(r->status), r->note);
			}
		}
		if (mem.done) {
			printf("kernel memory per idle channel (both endpoints and their handles, over %u channels):\n",
			       mem.channels);
			printf("  /proc/slabinfo active objects: %.0f bytes; /proc/meminfo Slab: %.0f bytes, VmallocUsed: %.0f bytes\n",
			       mem.slab_per_channel, mem.meminfo_per_channel, mem.vmalloc_per_channel);
			printf("  caches that grew most: %s\n", mem.top_caches);
			printf("kernel memory per module context (over %u modules): slabinfo %.0f bytes, meminfo Slab %.0f bytes, VmallocUsed %.0f bytes\n",
			       mem.modules, mem.slab_per_module, mem.meminfo_per_module,
			       mem.vmalloc_per_module);
		}
	}

	eval_targets();
	printf("\n== Targets (issue 4), ratios from this run (%s); UNRELIABLE: see README \"Verdicts\"\n",
	       clock_label);
	for (k = 0; k < NTARGETS; k++)
		for (p = 0; p < P_COUNT; p++) {
			struct target *t = &targets[k];
			char x[32];

			if (!placement_on[p])
				continue;
			if (t->v[p].status == V_NA)
				printf("TARGET n/a  %-9s %s: not measured\n", placement_labels[p], t->text);
			else if (t->v[p].status == V_UNRELIABLE)
				printf("TARGET UNRELIABLE %-9s %s: %s x (%s)\n", placement_labels[p], t->text,
				       fmt_ratio(x, sizeof(x), t->value[p]), t->v[p].why);
			else
				printf("TARGET %-4s %-9s %s: %s x\n", verdict_name(t->v[p].status),
				       placement_labels[p], t->text, fmt_ratio(x, sizeof(x), t->value[p]));
		}
	for (p = 0; p < P_COUNT; p++) {
		if (!placement_on[p])
			continue;
		a = thr_ratio(p, T_LOGOS_GRANT_MAP, T_MEMFD_SCM, s16m, MODE_TRANSFER);
		b = thr_ratio(p, T_LOGOS_GRANT_MAP, T_MEMFD_SCM, s16m, MODE_TOUCH);
		printf("info: %-9s 16 MiB logos grant+map vs memfd+SCM_RIGHTS (both map per transfer): transfer %.3f x, touch %.3f x\n",
		       placement_labels[p], a, b);
		a = thr_ratio(p, T_LOGOS_GRANT, T_MEMFD_SCM_KEPT, s16m, MODE_TRANSFER);
		b = thr_ratio(p, T_LOGOS_GRANT, T_MEMFD_SCM_KEPT, s16m, MODE_TOUCH);
		printf("info: %-9s 16 MiB logos grant vs memfd+SCM kept (both keep the mapping): transfer %.3f x, touch %.3f x\n",
		       placement_labels[p], a, b);
		{
			const struct result *r0 = &scale_res[p][SC_10], *r1 = &scale_res[p][SC_10K];

			if (ok(r0) && ok(r1))
				printf("info: %-9s 64 B logos call RTT p50 at 10k channels vs 10 channels measured first (minutes earlier): %.3f x\n",
				       placement_labels[p], (double)r1->p50 / (double)r0->p50);
		}
		a = rtt_ratio(p, T_LOGOS_CALL, T_SEQPACKET, size_index(64), MODE_TOUCH);
		printf("info: %-9s 64 B logos call RTT p50 vs AF_UNIX seqpacket in touch mode: %.3f x\n",
		       placement_labels[p], a);
		{
			const struct result *c = &res[p][T_LOGOS_CALL][size_index(64)][MODE_TRANSFER];
			const struct result *q = &res[p][T_SEQPACKET][size_index(64)][MODE_TRANSFER];

			if (ok(c) && ok(q))
				printf("info: %-9s 64 B logos call vs AF_UNIX seqpacket, transfer, RTT p10 (least disturbed by the host): %.3f x\n",
				       placement_labels[p], (double)c->p10 / (double)q->p10);
		}
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, "null");
	else
		fprintf(f, "%.4f", v);
}

static void csv_row(FILE *f, const char *section, int p, const char *name, const char *label,
		    const char *mode, uint64_t size, const struct result *r)
{
	fprintf(f, "%s,%s,%s,%s,%s,%llu,%s,", section, placement_names[p], name, label, mode,
		(unsigned long long)size, status_name(r->status));
	if (ok(r))
		fprintf(f, "%u,%llu,%llu,%llu,%.3f,%llu,%llu,", r->iters,
			(unsigned long long)r->p50, (unsigned long long)r->p99,
			(unsigned long long)r->mean, r->mbps, (unsigned long long)r->p10,
			(unsigned long long)r->min);
	else
		fprintf(f, ",,,,,,,");
	fputc('"', f);
	for (const char *c = r->note; *c; c++)
		fputc(*c == '"' ? '\'' : *c, f);
	fprintf(f, "\"\n");
}

static void json_result(FILE *f, int p, const char *name, const char *label, const char *mode,
			uint64_t size, const struct result *r)
{
	fprintf(f, "{\"placement\": \"%s\", \"transport\": ", placement_names[p]);
	json_str(f, name);
	fprintf(f, ", \"label\": ");
	json_str(f, label);
	fprintf(f, ", \"mode\": \"%s\", \"size\": %llu, \"status\": \"%s\"", mode,
		(unsigned long long)size, status_name(r->status));
	if (ok(r))
		fprintf(f, ", \"iterations\": %u, \"rtt_p50_ns\": %llu, \"rtt_p99_ns\": %llu, \"rtt_mean_ns\": %llu, \"rtt_p10_ns\": %llu, \"rtt_min_ns\": %llu, \"throughput_mbps\": %.3f",
			r->iters, (unsigned long long)r->p50, (unsigned long long)r->p99,
			(unsigned long long)r->mean, (unsigned long long)r->p10,
			(unsigned long long)r->min, r->mbps);
	if (r->note[0]) {
		fprintf(f, ", \"note\": ");
		json_str(f, r->note);
	}
	fprintf(f, "}");
}

static void emit(const char *name, char *text, size_t len)
{
	char path[4096];
	FILE *f;

	printf("==== LOGOS-BENCH FILE %s ====\n", name);
	fwrite(text, 1, len, stdout);
	printf("==== LOGOS-BENCH END %s ====\n", name);
	if (out_dir) {
		snprintf(path, sizeof(path), "%s/%s", out_dir, name);
		f = fopen(path, "w");
		if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
			fail(NULL, errno, "writing %s", path);
			errors++;
		}
	}
}

void write_files(void)
{
	char *csv, *rcsv, *json;
	size_t csv_len, rcsv_len, json_len;
	FILE *c = open_memstream(&csv, &csv_len);
	FILE *rc = open_memstream(&rcsv, &rcsv_len);
	FILE *j = open_memstream(&json, &json_len);
	struct utsname u;
	int p, si, tr, m, bt, k;
	bool first = true;

	if (!c || !rc || !j)
		exit(1);
	uname(&u);
	fprintf(c, "section,placement,transport,label,mode,size_bytes,status,iterations,rtt_p50_ns,rtt_p99_ns,rtt_mean_ns,throughput_mbps,rtt_p10_ns,rtt_min_ns,note\n");
	fprintf(rc, "placement,mode,size_bytes,logos,baseline,throughput_ratio,rtt_p50_ratio\n");
	fprintf(j, "{\n  \"meta\": {\"kernel\": ");
	json_str(j, u.release);
	fprintf(j, ", \"cpus\": %d, \"clocksource\": ", ncpus);
	json_str(j, clocksource());
	fprintf(j, ", \"budget_ms\": %llu, \"logos_abi\": \"%u.%u\", \"logos_features\": %llu, \"logos\": %s",
		(unsigned long long)(budget_ns / 1000000), lg.abi_major, lg.abi_minor,
		(unsigned long long)lg.features, logos_ok ? "true" : "false");
	fprintf(j, ", \"timer\": \"%s\", \"timer_cost_ns\": %.1f, \"rounds\": %d, \"spinners\": %s",
		use_tsc ? "rdtsc" : "clock_gettime", timer_cost_ns, rounds, spin ? "true" : "false");
	fprintf(j, ", \"clock\": ");
	json_str(j, clock_label);
	fprintf(j, ", \"host_load_at_start\": ");
	json_str(j, host_load);
	fprintf(j, ", \"placements\": {\"cross_cpu\": \"%s\", \"same_cpu\": \"%s\"}",
		placement_text[P_CROSS], placement_text[P_SAME]);
	fprintf(j, ", \"request\": \"N bytes\", \"reply\": \"8 bytes\", \"mb\": 1000000},\n");
	fprintf(j, "  \"results\": [");
	for (p = 0; p < P_COUNT; p++)
		for (si = 0; si < NSIZES; si++)
			for (tr = 0; tr < T_COUNT; tr++)
				for (m = 0; m < MODE_COUNT; m++) {
					const struct result *r = &res[p][tr][si][m];

					if (r->status == RES_NONE)
						continue;
					csv_row(c, "ipc", p, transports[tr]->name, transports[tr]->label,
						mode_names[m], sizes[si], r);
					fprintf(j, "%s\n    ", first ? "" : ",");
					json_result(j, p, transports[tr]->name, transports[tr]->label,
						    mode_names[m], sizes[si], r);
					first = false;
				}
	fprintf(j, "\n  ],\n  \"ratios\": [");
	first = true;
	for (p = 0; p < P_COUNT; p++)
		for (m = 0; m < MODE_COUNT; m++)
			for (si = 0; si < NSIZES; si++)
				for (tr = 0; tr < T_FIRST_BASELINE; tr++)
					for (bt = T_FIRST_BASELINE; bt < T_COUNT; bt++) {
						double a = thr_ratio(p, tr, bt, si, m);
						double b = rtt_ratio(p, tr, bt, si, m);

						if (res[p][tr][si][m].status == RES_NONE ||
						    res[p][bt][si][m].status == RES_NONE)
							continue;
						fprintf(rc, "%s,%s,%llu,%s,%s,", placement_names[p],
							mode_names[m], (unsigned long long)sizes[si],
							transports[tr]->name, transports[bt]->name);
						if (isnan(a))
							fprintf(rc, ",\n");
						else
							fprintf(rc, "%.4f,%.4f\n", a, b);
						fprintf(j, "%s\n    {\"placement\": \"%s\", \"mode\": \"%s\", \"size\": %llu, \"logos\": \"%s\", \"baseline\": \"%s\", \"throughput_ratio\": ",
							first ? "" : ",", placement_names[p], mode_names[m],
							(unsigned long long)sizes[si], transports[tr]->name,
							transports[bt]->name);
						json_num(j, a);
						fprintf(j, ", \"rtt_p50_ratio\": ");
						json_num(j, b);
						fprintf(j, "}");
						first = false;
					}
	fprintf(j, "\n  ],\n  \"targets\": [");
	first = true;
	for (k = 0; k < NTARGETS; k++)
		for (p = 0; p < P_COUNT; p++) {
			if (!placement_on[p])
				continue;
			fprintf(j, "%s\n    {\"name\": \"%s\", \"placement\": \"%s\", \"text\": ",
				first ? "" : ",", targets[k].name, placement_names[p]);
			json_str(j, targets[k].text);
			fprintf(j, ", \"value\": ");
			json_num(j, targets[k].value[p]);
			fprintf(j, ", \"limit\": %.2f, \"op\": \"%s\", \"status\": \"%s\", \"reason\": ",
				targets[k].limit, targets[k].at_most ? "<=" : ">=",
				verdict_name(targets[k].v[p].status));
			json_str(j, targets[k].v[p].why);
			fprintf(j, "}");
			first = false;
		}
	fprintf(j, "\n  ],\n  \"scale\": {\"points\": [");
	first = true;
	for (p = 0; p < P_COUNT; p++)
		for (k = 0; k < SC_COUNT; k++) {
			char name[64];

			if (scale_res[p][k].status == RES_NONE)
				continue;
			snprintf(name, sizeof(name), "channels=%u modules=%u%s", scale_channels[k],
				 scale_modules[k], k == SC_REF ? " alternating" : "");
			csv_row(c, "scale", p, "logos_call", name, "transfer", 64, &scale_res[p][k]);
			fprintf(j, "%s\n    {\"name\": \"%s\", \"channels\": %u, \"modules\": %u, \"result\": ",
				first ? "" : ",", scale_names[k], scale_channels[k], scale_modules[k]);
			json_result(j, p, "logos_call", "logos call", "transfer", 64, &scale_res[p][k]);
			fprintf(j, "}");
			first = false;
		}
	fprintf(j, "\n  ]");
	if (mem.done) {
		fprintf(j, ", \"memory\": {\"channels_created\": %u, \"bytes_per_channel_slabinfo\": %.1f, \"bytes_per_channel_meminfo_slab\": %.1f, \"bytes_per_channel_vmalloc\": %.1f, \"modules_created\": %u, \"bytes_per_module_slabinfo\": %.1f, \"bytes_per_module_meminfo_slab\": %.1f, \"bytes_per_module_vmalloc\": %.1f, \"top_caches\": ",
			mem.channels, mem.slab_per_channel, mem.meminfo_per_channel,
			mem.vmalloc_per_channel, mem.modules, mem.slab_per_module,
			mem.meminfo_per_module, mem.vmalloc_per_module);
		json_str(j, mem.top_caches);
		fprintf(j, "}");
	}
	fprintf(j, "},\n  \"errors\": %d\n}\n", errors);
	fclose(c);
	fclose(rc);
	fclose(j);
	printf("\n");
	emit("results.csv", csv, csv_len);
	emit("ratios.csv", rcsv, rcsv_len);
	emit("results.json", json, json_len);
	free(csv);
	free(rcsv);
	free(json);
}
