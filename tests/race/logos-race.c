// SPDX-License-Identifier: GPL-2.0
/*
 * logos-race: runs each scenario (scenarios in race-*.c) for a time budget
 * with its racers pinned to different CPUs, then demands that everything
 * it made is gone (live_objects back to its baseline) and that the kernel
 * log stayed clean. Output is TAP-ish; the last line is
 * "race: N passed, N failed".
 *
 * Usage: logos-race [--only NAME[,NAME]] [--seconds S] [--seed N] [--list]
 */
#include "race.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LIVE_OBJECTS "/sys/module/logos/parameters/live_objects"

static double opt_seconds = 8;
static uint64_t opt_seed;
static char *opt_only;
static int ncpus = 1;
static int kmsg_fd = -1;
static char kernel_report[RACE_REASON_MAX];
static const char *tainted_by;	/* the first scenario with a kernel report */

double race_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* splitmix64: seeds each racer's xorshift from (seed, scenario, racer). */
static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t race_rand(struct race *r, int who)
{
	uint64_t x = r->rng[who];

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	r->rng[who] = x;
	return x;
}

void race_jitter(struct race *r, int who, unsigned int max)
{
	volatile unsigned int spin;
	unsigned int n;

	if (!max)
		return;
	n = race_rand(r, who) % (max + 1);
	for (spin = 0; spin < n; spin++)
		__asm__ volatile("" ::: "memory");
}

int race_fail(struct race *r, const char *fmt, ...)
{
	va_list ap;

	if (r->reason[0])
		return -1;	/* the first reason is the one that matters */
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- the kernel log: any report during a scenario fails it ---- */

static const char *const bad_words[] = {
	"Oops", "BUG:", "WARNING:", "Kernel panic", "general protection fault",
	"refcount_t:", "list_del corruption", "list_add corruption", "stack guard",
	"blocked for more than", "possible circular locking", "possible recursive locking",
	"inconsistent lock state", "suspicious RCU usage", "KASAN", "UBSAN", "Call Trace",
	"kernel BUG", "stack-protector", "Slab cache still has objects",
};

static void kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	else
		printf("# /dev/kmsg: %s: kernel reports are seen only by the runner\n",
		       strerror(errno));
}

/* Reads what the kernel logged since last time; keeps the first report. */
static void kmsg_scan(void)
{
	char rec[2048];

	if (kmsg_fd < 0)
		return;
	for (;;) {
		ssize_t n = read(kmsg_fd, rec, sizeof(rec) - 1);
		char *msg, *nl;
		size_t i;

		if (n < 0 && errno == EPIPE)
			continue;	/* records were overwritten: read on */
		if (n <= 0)
			return;
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		for (i = 0; i < ARRAY_SIZE(bad_words); i++) {
			if (strstr(msg, bad_words[i]) && !kernel_report[0]) {
				snprintf(kernel_report, sizeof(kernel_report), "%s", msg);
				break;
			}
		}
	}
}

const char *race_kernel_report(void)
{
	kmsg_scan();
	return kernel_report[0] ? kernel_report : NULL;
}

/* Tells the kernel log (and so the console) which scenario runs now. */
static void kmsg_mark(const char *what, const char *name)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	char line[128];
	int len;

	if (fd < 0)
		return;
	/* One write() per record: dprintf's stdio path is refused (-EINVAL). */
	len = snprintf(line, sizeof(line), "<3>logos-race: %s %s\n", what, name);
	if (write(fd, line, len) != len)
		printf("# /dev/kmsg: %s: the kernel log will not show the scenario\n", strerror(errno));
	close(fd);
}

static long long live_objects(void)
{
	FILE *f = fopen(LIVE_OBJECTS, "r");
	long long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* ---- racers ---- */

/*
 * A spin barrier: futex wake-ups are slower than the windows being raced
 * (microseconds), so racers spin. With more racers than CPUs, a spinning
 * racer would steal the CPU from the one it waits for (the main thread's
 * setup): there it sleeps on a futex after a short spin.
 */
struct sbar {
	atomic_uint count;
	atomic_uint gen;
	atomic_uint sleepers;
	unsigned int n;
	bool oversubscribed;
};

static void sbar_wait(struct sbar *b)
{
	unsigned int gen = atomic_load(&b->gen), i;

	if (atomic_fetch_add(&b->count, 1) + 1 == b->n) {
		atomic_store(&b->count, 0);
		atomic_fetch_add(&b->gen, 1);
		/* A sleeper counted after this load sees the new gen and returns. */
		if (atomic_load(&b->sleepers))
			syscall(SYS_futex, &b->gen, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
		return;
	}
	for (i = 0; atomic_load(&b->gen) == gen; i++) {
		if (b->oversubscribed && i > 2000) {
			atomic_fetch_add(&b->sleepers, 1);
			syscall(SYS_futex, &b->gen, FUTEX_WAIT_PRIVATE, gen, NULL, NULL, 0);
			atomic_fetch_sub(&b->sleepers, 1);
		} else if (i > 100000) {
			sched_yield();	/* the host took our CPU away */
		}
	}
}

struct engine {
	struct race *r;
	struct sbar start, done;
	atomic_bool stop;
};

struct racer_arg {
	struct engine *e;
	int who;
};

static void pin(int who)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(who % ncpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *racer(void *p)
{
	struct racer_arg *a = p;
	struct engine *e = a->e;

	pin(a->who);
	for (;;) {
		sbar_wait(&e->start);
		if (atomic_load(&e->stop))
			break;
		race_jitter(e->r, a->who, e->r->sc->jitter);
		e->r->sc->act(e->r, a->who);
		sbar_wait(&e->done);
	}
	return NULL;
}

/* The rounds of a racy scenario; racer 0 is the main thread. */
static int run_rounds(struct race *r, double budget)
{
	const struct scenario *sc = r->sc;
	struct engine e = { .r = r };
	struct racer_arg args[RACE_MAX_THREADS];
	pthread_t tids[RACE_MAX_THREADS];
	double until = race_now() + budget;
	int i, ret = 0;

	e.start.n = e.done.n = sc->nthreads;
	e.start.oversubscribed = e.done.oversubscribed = sc->nthreads > ncpus;
	pin(0);
	for (i = 1; i < sc->nthreads; i++) {
		args[i] = (struct racer_arg){ .e = &e, .who = i };
		if (pthread_create(&tids[i], NULL, racer, &args[i]))
			return race_fail(r, "pthread_create failed");
	}
	while (race_now() < until) {
		r->round++;
		atomic_store(&r->flag, 0);
		if (sc->setup && sc->setup(r)) {
			ret = -1;
			break;
		}
		sbar_wait(&e.start);
		race_jitter(r, 0, sc->jitter);
		sc->act(r, 0);
		sbar_wait(&e.done);
		if (sc->check && sc->check(r)) {
			ret = -1;
			break;
		}
		if (!(r->round % 32) && race_kernel_report()) {
			ret = -1;
			break;
		}
	}
	atomic_store(&e.stop, true);
	sbar_wait(&e.start);
	for (i = 1; i < sc->nthreads; i++)
		pthread_join(tids[i], NULL);
	return ret;
}

/* Objects are freed after an RCU grace period: give them a moment. */
static long long settle_live(long long baseline)
{
	double until = race_now() + 3;
	long long n;

	do {
		n = live_objects();
		if (n == baseline)
			break;
		usleep(10000);
	} while (race_now() < until);
	return n;
}

static bool selected(const struct scenario *sc)
{
	char *list, *tok, *save = NULL;
	bool hit = false;

	if (!opt_only)
		return true;
	list = strdup(opt_only);
	for (tok = strtok_r(list, ",", &save); tok && !hit; tok = strtok_r(NULL, ",", &save))
		hit = !strcmp(tok, sc->name) || !strcmp(tok, sc->group);
	free(list);
	return hit;
}

static int run_one(int nr, int index, const struct scenario *sc)
{
	struct race r = { .sc = sc };
	long long baseline, live;
	double t0, t;
	int i, ret;

	if (tainted_by)
		printf("# the kernel reported a problem in %s: what follows may be its consequence\n",
		       tainted_by);
	printf("# start %d %s\n", nr, sc->name);
	fflush(stdout);
	kmsg_mark("start", sc->name);
	race_kernel_report();	/* what came before is not this scenario's */
	kernel_report[0] = 0;
	for (i = 0; i < RACE_MAX_THREADS; i++)
		r.rng[i] = splitmix(opt_seed ^ splitmix((uint64_t)index << 8 | (uint64_t)i)) | 1;

	baseline = live_objects();
	t0 = race_now();
	ret = sc->begin ? sc->begin(&r) : 0;
	if (!ret) {
		if (sc->once) {
			r.round = 1;
			ret = sc->once(&r);
		} else {
			ret = run_rounds(&r, opt_seconds);
		}
	}
	if (sc->end)
		sc->end(&r);
	t = race_now() - t0;

	/* A leak is a failure of its own, also after another one. */
	live = settle_live(baseline);
	if (baseline < 0 || live != baseline) {
		char leak[160];

		if (baseline < 0)
			snprintf(leak, sizeof(leak), "cannot read %s", LIVE_OBJECTS);
		else
			snprintf(leak, sizeof(leak), "live_objects %lld after everything was closed, %lld before: a leak",
				 live, baseline);
		if (r.reason[0])
			snprintf(r.reason + strlen(r.reason), sizeof(r.reason) - strlen(r.reason),
				 "; %s", leak);
		else
			race_fail(&r, "%s", leak);
		ret = -1;
	}
	if (race_kernel_report()) {
		char own[RACE_REASON_MAX];

		snprintf(own, sizeof(own), "%s", r.reason[0] ? r.reason : "");
		r.reason[0] = 0;
		race_fail(&r, "kernel: %s%s%s", kernel_report, own[0] ? "; also: " : "", own);
		ret = -1;
		if (!tainted_by)
			tainted_by = sc->name;
	}
	if (ret) {
		printf("not ok %d - %s: %s (round %lu, %.1f s)\n", nr, sc->name,
		       r.reason[0] ? r.reason : "failed", r.round, t);
	} else {
		printf("ok %d - %s (rounds %lu, %.1f s)\n", nr, sc->name, r.round, t);
	}
	fflush(stdout);
	return ret ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: logos-race [--only NAME[,NAME]] [--seconds S] [--seed N] [--list]\n"
		   "  --only     scenarios by name or group (F1..F7, pair)\n"
		   "  --seconds  time budget of each racy scenario (default 8)\n"
		   "  --seed     PRNG seed (default: from the clock; printed)\n"
		   "  --list     print the scenarios (those of --only) and exit\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, i, nr = 0, passed = 0, failed = 0;
	bool list = false, seeded = false;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': opt_only = optarg; break;
		case 's': opt_seconds = atof(optarg); break;
		case 'S': opt_seed = strtoull(optarg, NULL, 0); seeded = true; break;
		case 'l': list = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (list) {
		for (i = 0; race_scenarios[i]; i++)
			if (selected(race_scenarios[i]))
				printf("%-20s %-5s %s\n", race_scenarios[i]->name, race_scenarios[i]->group,
			       race_scenarios[i]->what);
		return 0;
	}
	if (!seeded)
		opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus < 1)
		ncpus = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# logos-race: seed %llu (replay: --seed %llu), %d CPUs, %.1f s per racy scenario\n",
	       (unsigned long long)opt_seed, (unsigned long long)opt_seed, ncpus, opt_seconds);
	if (ncpus < 2)
		printf("# only one CPU: the racers share it and races are much rarer\n");
	if (live_objects() < 0)
		printf("# %s is missing: every leak check fails\n", LIVE_OBJECTS);
	touch_init();
	kmsg_open();

	for (i = 0; race_scenarios[i]; i++) {
		if (!selected(race_scenarios[i]))
			continue;
		if (run_one(++nr, i, race_scenarios[i]))
			failed++;
		else
			passed++;
	}
	if (!nr) {
		printf("not ok 1 - no scenario matches --only %s\n", opt_only ? opt_only : "");
		failed++;
	}
	kmsg_mark("done,", "every scenario ran");
	printf("race: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
