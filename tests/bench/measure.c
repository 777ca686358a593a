// SPDX-License-Identifier: GPL-2.0
/*
 * logos-bench: one case (a transport at a size and mode) measured over
 * interleaved rounds, and the scale test (10k channels, 1k modules).
 */
#include "driver.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* ----------------------------------------------------------------- cases */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t percentile(const uint64_t *v, uint32_t n, double p)
{
	uint32_t k = (uint32_t)ceil(p / 100.0 * n);

	return v[k ? k - 1 : 0];
}

/* Samples of one transport/size/mode, gathered over several runs. */
struct acc {
	uint64_t *v;
	uint32_t n, cap;
	uint64_t elapsed;	/* ns of the measured round trips, all runs */
};

static void acc_free(struct acc *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/*
 * One run of @iters round trips (the first @warm not recorded) with fresh
 * resources, appended to @a. 0, or -1 with r->note set and r->status
 * RES_ERR (the server is then restarted).
 */
static int run_case(int tr, uint64_t size, int mode, uint32_t iters, uint32_t warm,
		    struct acc *a, struct result *r)
{
	const struct transport_ops *t = transports[tr];
	struct bench_case c = {
		.cmd = CASE_RUN, .transport = tr, .mode = mode, .iters = iters,
		.size = size, .nfds = t->nfds, .server_cpu = server_cpu, .pair = lg.pair,
	};
	struct side s = { .c = &c, .fd = { -1, -1, -1, -1 }, .mfd = lg.client_fd, .buf = cbuf };
	int sfds[4] = { -1, -1, -1, -1 }, k, rc = 0;
	uint64_t t0, t1 = 0, start = 0;
	struct bench_status st = { 0 };
	uint32_t i, n = iters - warm;

	if (a->n + n > a->cap) {
		uint64_t *v = realloc(a->v, (a->n + n) * sizeof(*v));

		if (!v) {
			snprintf(r->note, sizeof(r->note), "out of memory");
			r->status = RES_ERR;
			return -1;
		}
		a->v = v;
		a->cap = a->n + n;
	}
	if (t->client_setup(&s, sfds)) {
		snprintf(r->note, sizeof(r->note), "client setup: %s", s.err);
		for (k = 0; k < 4; k++)
			if (sfds[k] >= 0)
				close(sfds[k]);
		t->client_teardown(&s);
		r->status = RES_ERR;
		return -1;
	}
	c.handle = s.peer_ep;
	rc = send_case(&c, sfds, t->nfds);
	for (k = 0; k < 4; k++)
		if (sfds[k] >= 0)
			close(sfds[k]);
	if (rc || recv_status(&st, 60000) || st.phase != PHASE_READY || st.rc) {
		snprintf(r->note, sizeof(r->note), "server setup: %s",
			 rc ? "control socket" : st.text);
		goto broken;
	}
	fflush(stdout);
	usleep(20000);		/* let the console drain before measuring */
	alarm(120);
	if (child_died)
		alarm(1);
	for (i = 0; i < iters; i++) {
		t0 = bench_now();
		rc = t->client_iter(&s, i);
		t1 = bench_now();
		if (rc)
			break;
		if (i == warm)
			start = t0;
		if (i >= warm)
			a->v[a->n + i - warm] = t1 - t0;
	}
	alarm(0);
	if (rc) {
		snprintf(r->note, sizeof(r->note), "client: %s", s.err);
		if (!recv_status(&st, 200) && st.phase == PHASE_READY)
			recv_status(&st, 200);
		if (st.phase == PHASE_DONE && st.rc) {
			k = (int)strlen(r->note);
			snprintf(r->note + k, sizeof(r->note) - k, "; server: %s", st.text);
		}
		goto broken;
	}
	if (recv_status(&st, 60000) || st.phase != PHASE_DONE || st.rc) {
		snprintf(r->note, sizeof(r->note), "server: %s", st.text);
		goto broken;
	}
	t->client_teardown(&s);
	a->n += n;
	a->elapsed += t1 - start;
	return 0;

broken:
	t->client_teardown(&s);
	stop_server(true);
	spawn_server();
	r->status = RES_ERR;
	return -1;
}

static void finish(struct result *r, struct acc *a, uint64_t size)
{
	uint64_t sum = 0;
	uint32_t i;

	if (r->status == RES_ERR || !a->n)
		return;
	qsort(a->v, a->n, sizeof(*a->v), cmp_u64);
	for (i = 0; i < a->n; i++)
		sum += a->v[i];
	r->status = RES_OK;
	r->iters = a->n;
	r->min = a->v[0];
	r->p10 = percentile(a->v, a->n, 10);
	r->p50 = percentile(a->v, a->n, 50);
	r->p99 = percentile(a->v, a->n, 99);
	r->mean = sum / a->n;
	r->mbps = a->elapsed ? (double)size * a->n / (double)a->elapsed * 1000.0 : 0;
}

void print_result_line(const char *label, const char *size, const char *mode,
		       const struct result *r)
{
	printf("  %-17s %-7s %-8s ", label, size, mode);
	if (r->status == RES_OK)
		printf("p50 %10llu ns  p99 %10llu ns  %10.2f MB/s  (%u iterations)\n",
		       (unsigned long long)r->p50, (unsigned long long)r->p99, r->mbps, r->iters);
	else
		printf("%s: %s\n", r->status == RES_NA ? "n/a" : "ERROR", r->note);
	fflush(stdout);
}

/*
 * Whether @tr can run at this size; if so, a pilot run gives the number of
 * round trips that fit the time budget. 0 (with *iters), or 1 when r holds
 * the outcome (n/a or error).
 */
static int calibrate(int tr, int si, int mode, struct result *r, uint32_t *iters)
{
	const struct transport_ops *t = transports[tr];
	uint64_t size = sizes[si];
	struct bench_case c = { .transport = tr, .mode = mode, .size = size };
	struct side s = { .c = &c, .fd = { -1, -1, -1, -1 }, .buf = cbuf };
	struct acc pilot = { 0 };
	uint32_t pn, n;
	uint64_t mean;
	int ret;

	memset(r, 0, sizeof(*r));
	if (t->logos && !logos_ok) {
		r->status = RES_ERR;
		snprintf(r->note, sizeof(r->note), "logos unavailable: %s", logos_why);
		return 1;
	}
	if (t->max_size && size > t->max_size) {
		r->status = RES_NA;
		snprintf(r->note, sizeof(r->note), "inline messages are limited to %llu bytes",
			 (unsigned long long)t->max_size);
		return 1;
	}
	if (t->probe) {
		ret = t->probe(&s);
		if (ret) {
			r->status = RES_NA;
			snprintf(r->note, sizeof(r->note), "the kernel refuses one %llu-byte message: %s",
				 (unsigned long long)size, strerror(-ret));
			return 1;
		}
	}
	pn = size >= MiB ? 1 : size >= 64 * KiB ? 5 : 20;
	if (run_case(tr, size, mode, pn + 1, 1, &pilot, r)) {
		errors++;
		acc_free(&pilot);
		return 1;
	}
	mean = pilot.elapsed / pilot.n;
	acc_free(&pilot);
	n = mean ? (uint32_t)(budget_ns / mean) : max_iters;
	*iters = n < min_iters ? min_iters : n > max_iters ? max_iters : n;
	return 0;
}

/*
 * Measures transports @trs[0..@ntr) at one size and mode: calibrates each,
 * then runs them in turn, @rounds times, so that a drift of the machine's
 * speed (QEMU shares the host) reaches all of them alike. @pairs: the
 * module pair (PAIR_*) of each logos case; NULL: the main pair.
 */
void measure_group(const int *trs, const uint32_t *pairs, int ntr, int si, int mode,
		   struct result **out)
{
	struct acc accs[T_COUNT] = { 0 };
	uint32_t iters[T_COUNT] = { 0 }, n, warm;
	bool live[T_COUNT] = { false };
	int k, round;

	for (k = 0; k < ntr; k++) {
		lg.pair = pairs ? pairs[k] : PAIR_MAIN;
		live[k] = !calibrate(trs[k], si, mode, out[k], &iters[k]);
	}
	for (round = 0; round < rounds; round++)
		for (k = 0; k < ntr; k++) {
			if (!live[k])
				continue;
			n = (iters[k] + rounds - 1 - round) / rounds;
			if (!n)
				continue;
			/* The first round warms up more; later ones just refill caches. */
			warm = round ? 1 : n / 10 < 1 ? 1 : n / 10 > 100 ? 100 : n / 10;
			lg.pair = pairs ? pairs[k] : PAIR_MAIN;
			if (run_case(trs[k], sizes[si], mode, n + warm, warm, &accs[k], out[k])) {
				errors++;
				live[k] = false;
			}
		}
	lg.pair = PAIR_MAIN;
	for (k = 0; k < ntr; k++) {
		finish(out[k], &accs[k], sizes[si]);
		acc_free(&accs[k]);
	}
}

/* ----------------------------------------------------------------- scale */

struct slab {
	char name[64];
	uint64_t bytes;
};

struct slab_snap {
	struct slab *v;
	int n;
	uint64_t total;		/* active objects x object size, all caches */
	uint64_t meminfo_slab;	/* /proc/meminfo Slab, bytes */
	uint64_t vmalloc;	/* /proc/meminfo VmallocUsed, bytes */
};

static void snap_slabs(struct slab_snap *sn)
{
	char line[512], name[64];
	unsigned long active, num, objsize;
	FILE *f;

	memset(sn, 0, sizeof(*sn));
	f = fopen("/proc/slabinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%63s %lu %lu %lu", name, &active, &num, &objsize) != 4)
				continue;
			sn->v = realloc(sn->v, (sn->n + 1) * sizeof(*sn->v));
			if (!sn->v)
				exit(1);
			snprintf(sn->v[sn->n].name, sizeof(sn->v[sn->n].name), "%s", name);
			sn->v[sn->n].bytes = (uint64_t)active * objsize;
			sn->total += sn->v[sn->n].bytes;
			sn->n++;
		}
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Slab: %lu kB", &active) == 1)
				sn->meminfo_slab = (uint64_t)active * 1024;
			else if (sscanf(line, "VmallocUsed: %lu kB", &active) == 1)
				sn->vmalloc = (uint64_t)active * 1024;
		fclose(f);
	}
}

/* The caches that grew most, "name +bytes", into @out. */
static void slab_growth(const struct slab_snap *a, const struct slab_snap *b, char *out,
			size_t len)
{
	int64_t best[3] = { 0 };
	int who[3] = { -1, -1, -1 }, i, j, k;
	size_t used = 0;

	for (i = 0; i < b->n; i++) {
		int64_t d = (int64_t)b->v[i].bytes;

		for (j = 0; j < a->n; j++)
			if (!strcmp(a->v[j].name, b->v[i].name)) {
				d -= (int64_t)a->v[j].bytes;
				break;
			}
		for (k = 0; k < 3; k++)
			if (d > best[k]) {
				memmove(&best[k + 1], &best[k], (2 - k) * sizeof(best[0]));
				memmove(&who[k + 1], &who[k], (2 - k) * sizeof(who[0]));
				best[k] = d;
				who[k] = i;
				break;
			}
	}
	out[0] = 0;
	for (k = 0; k < 3 && who[k] >= 0 && used < len; k++)
		used += snprintf(out + used, len - used, "%s%s +%lld", k ? ", " : "",
				 b->v[who[k]].name, (long long)best[k]);
}

static int idle_channels(uint32_t n)
{
	uint32_t a, b, i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = lg_channel_between(&a, &b);
		if (ret)
			return fail(NULL, -ret, "creating idle channel %u of %u", i + 1, n);
	}
	return 0;
}

/*
 * Scale point @k on the main pair; with @ref >= 0, point @ref on the
 * reference pair too, the two measured in alternating rounds.
 */
static void scale_point(int k, int ref)
{
	static const int trs[2] = { T_LOGOS_CALL, T_LOGOS_CALL };
	static const uint32_t pairs[2] = { PAIR_MAIN, PAIR_REF };
	struct result *outs[2];
	int p;

	for (p = 0; p < P_COUNT; p++) {
		if (!placement_on[p])
			continue;
		server_cpu = placement_cpu[p];
		outs[0] = &scale_res[p][k];
		outs[1] = ref >= 0 ? &scale_res[p][ref] : NULL;
		budget_ns *= 2;		/* runs far apart in time are compared too */
		measure_group(trs, pairs, ref >= 0 ? 2 : 1, 0, MODE_TRANSFER, outs);
		budget_ns /= 2;
		printf("  %-9s", placement_labels[p]);
		print_result_line(scale_names[k], "64 B", "transfer", outs[0]);
		if (ref >= 0) {
			printf("  %-9s", placement_labels[p]);
			print_result_line(scale_names[ref], "64 B", "transfer", outs[1]);
		}
	}
	server_cpu = 1;
}

/* The reference pair's client module and its 9 idle channels. */
static int scale_ref_pair(void)
{
	int ret;

	if (!lg.ref_server_mod)
		return fail(NULL, ENOENT, "no reference server module");
	ret = lg_new_module("bench-client-ref", true, &lg.ref_client_mod, &lg.ref_client_fd);
	if (ret)
		return fail(NULL, -ret, "creating module bench-client-ref");
	lg.pair = PAIR_REF;
	ret = idle_channels(9);
	lg.pair = PAIR_MAIN;
	return ret;
}

void scale(void)
{
	struct slab_snap s0, s1, s2, s3;
	struct rlimit rl;
	char name[32];
	uint32_t h, k;
	int ret, p;

	scale_names[SC_10] = "10 channels (first)";
	scale_names[SC_10K] = "10k channels";
	scale_names[SC_10K_MODS] = "10k channels + 1k modules";
	scale_names[SC_REF] = "10 channels (alternating)";
	scale_channels[SC_10] = scale_channels[SC_REF] = 10;
	scale_channels[SC_10K] = scale_channels[SC_10K_MODS] = opt_channels;
	scale_modules[SC_10] = scale_modules[SC_10K] = scale_modules[SC_REF] = 2;
	scale_modules[SC_10K_MODS] = 2 + opt_modules;
	if (!logos_ok) {
		for (p = 0; p < P_COUNT; p++)
			for (k = 0; k < SC_COUNT && placement_on[p]; k++) {
				scale_res[p][k].status = RES_ERR;
				snprintf(scale_res[p][k].note, sizeof(scale_res[p][k].note),
					 "logos unavailable: %s", logos_why);
			}
		return;
	}
	printf("\nscale: 64 B logos call, transfer mode (each case adds its own channel)\n");
	/* 9 idle + the case's own = 10 channels, on either pair. */
	if (idle_channels(9) || scale_ref_pair())
		goto err;
	scale_point(SC_10, -1);

	snap_slabs(&s0);
	if (idle_channels(opt_channels - 10))
		goto err;
	snap_slabs(&s1);
	mem.channels = opt_channels - 10;
	mem.slab_per_channel = ((double)s1.total - (double)s0.total) / mem.channels;
	mem.meminfo_per_channel = ((double)s1.meminfo_slab - (double)s0.meminfo_slab) /
				  mem.channels;
	mem.vmalloc_per_channel = ((double)s1.vmalloc - (double)s0.vmalloc) / mem.channels;
	slab_growth(&s0, &s1, mem.top_caches, sizeof(mem.top_caches));
	scale_point(SC_10K, SC_REF);

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < opt_modules + 64) {
		rl.rlim_cur = opt_modules + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			fail(NULL, errno, "setrlimit(RLIMIT_NOFILE, %u)", opt_modules + 64);
			goto err;
		}
	}
	idle_fds = calloc(opt_modules, sizeof(int));
	if (!idle_fds)
		goto err;
	snap_slabs(&s2);
	for (k = 0; k < opt_modules; k++) {
		snprintf(name, sizeof(name), "idle-%u", k);
		ret = lg_new_module(name, false, &h, &idle_fds[k]);
		if (ret) {
			fail(NULL, -ret, "LOGOS_IOC_MODULE_CREATE (module %u of %u)", k + 1,
			     opt_modules);
			goto err;
		}
		nidle_fds++;
	}
	snap_slabs(&s3);
	mem.modules = opt_modules;
	mem.slab_per_module = ((double)s3.total - (double)s2.total) / opt_modules;
	mem.meminfo_per_module = ((double)s3.meminfo_slab - (double)s2.meminfo_slab) /
				 opt_modules;
	mem.vmalloc_per_module = ((double)s3.vmalloc - (double)s2.vmalloc) / opt_modules;
	mem.done = true;
	scale_point(SC_10K_MODS, -1);
	free(s0.v);
	free(s1.v);
	free(s2.v);
	free(s3.v);
	return;
err:
	errors++;
	for (p = 0; p < P_COUNT; p++)
		for (k = 0; k < SC_COUNT && placement_on[p]; k++)
			if (scale_res[p][k].status == RES_NONE) {
				scale_res[p][k].status = RES_ERR;
				snprintf(scale_res[p][k].note, sizeof(scale_res[p][k].note),
					 "setting up the scale test failed");
			}
}

