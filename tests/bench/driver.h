/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logos-bench: what the driver's files share (main.c: options, client,
 * server and control socket; measure.c: cases and the scale test;
 * report.c: tables, targets, CSV/JSON). The transports see only bench.h.
 */
#ifndef _LOGOS_BENCH_DRIVER_H
#define _LOGOS_BENCH_DRIVER_H

#include "bench.h"

#include <signal.h>
#include <sys/types.h>
#include <time.h>
#ifdef __x86_64__
#include <x86intrin.h>
#endif

extern const char *const mode_names[MODE_COUNT];

#define NSIZES 5
extern const uint64_t sizes[NSIZES];
extern const char *const size_labels[NSIZES];

enum { RES_NONE, RES_OK, RES_NA, RES_ERR };

struct result {
	int status;
	uint32_t iters;
	uint64_t p10, p50, p99, mean, min;
	double mbps;
	char note[600];
};

/*
 * Placements: the two processes on two CPUs (as asked), and both on CPU 0,
 * where a round trip needs no cross-CPU wake-up (see README: under QEMU TCG
 * on a busy host, a cross-CPU wake-up costs milliseconds of host
 * scheduling and hides the IPC costs).
 */
enum { P_CROSS, P_SAME, P_COUNT };
extern const char *const placement_names[P_COUNT];
extern const char *const placement_labels[P_COUNT];
extern const char *const placement_text[P_COUNT];
extern const int placement_cpu[P_COUNT];
extern bool placement_on[P_COUNT];

extern struct result res[P_COUNT][T_COUNT][NSIZES][MODE_COUNT];

/*
 * Scale points: 64 B logos call RTT, "transfer" mode. SC_REF: 10 channels
 * on the second module pair, measured in alternation with SC_10K.
 */
enum { SC_10, SC_10K, SC_10K_MODS, SC_REF, SC_COUNT };
extern struct result scale_res[P_COUNT][SC_COUNT];
extern const char *scale_names[SC_COUNT];
extern uint32_t scale_channels[SC_COUNT], scale_modules[SC_COUNT];

struct mem_report {
	bool done;
	uint32_t channels, modules;
	double slab_per_channel, meminfo_per_channel;
	double slab_per_module, meminfo_per_module;
	double vmalloc_per_channel, vmalloc_per_module;
	char top_caches[512];
};
extern struct mem_report mem;

/* Options (main.c). */
extern uint64_t budget_ns;
extern uint32_t min_iters, max_iters;
extern int rounds;
extern bool baselines_only, logos_only, no_scale;
extern uint32_t opt_channels, opt_modules;
extern unsigned int size_mask;
extern const char *out_dir;
extern const char *host_load;
extern const char *clock_label;
extern int spin;

/* State of the run (main.c). */
extern int server_cpu;
extern bool logos_ok;
extern char logos_why[200];
extern int errors;
extern int ncpus;
extern uint8_t *cbuf;
extern int *idle_fds;
extern uint32_t nidle_fds;
extern volatile sig_atomic_t child_died;

/* The client's clock (main.c). */
extern bool use_tsc;
extern double ns_per_tick;
extern double timer_cost_ns, clock_gettime_cost_ns;

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline uint64_t bench_now(void)
{
#ifdef __x86_64__
	if (use_tsc)
		return (uint64_t)((double)__rdtsc() * ns_per_tick);
#endif
	return now_ns();
}

/* main.c */
int send_case(const struct bench_case *c, const int *fds, int nfds);
int recv_status(struct bench_status *st, int ms);
int spawn_server(void);
void stop_server(bool kill_it);
const char *clocksource(void);

/* measure.c */
void print_result_line(const char *label, const char *size, const char *mode,
		       const struct result *r);
void measure_group(const int *trs, const uint32_t *pairs, int ntr, int si, int mode,
		   struct result **out);
void scale(void);

/* report.c */
void print_tables(void);
void write_files(void);

#endif /* _LOGOS_BENCH_DRIVER_H */
