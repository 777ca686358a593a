/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logos-race: conflicting operations on two (or more) CPUs at once, to
 * find the lifetime bugs single-threaded tests cannot reach. Shared
 * declarations of the engine (logos-race.c) and the scenario files.
 */
#ifndef LOGOS_RACE_H
#define LOGOS_RACE_H

#include <linux/logos.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RACE_MAX_THREADS	4
#define RACE_REASON_MAX		512

struct race;

/*
 * One scenario. Racy ones give @nthreads and @act: every round, @setup runs
 * on the main thread, then all racers start together from a spin barrier,
 * each busy-waits a random 0..@jitter iterations and runs @act, and @check
 * judges the round. Deterministic ones give @once instead.
 */
struct scenario {
	const char *name;	/* "F1-ends": --only matches it or its group */
	const char *group;	/* "F1", or "pair" for the general pairs */
	const char *what;	/* one line for --list */
	int nthreads;
	unsigned int jitter;
	int (*begin)(struct race *r);		/* once, before the rounds */
	int (*setup)(struct race *r);		/* each round, main thread */
	void (*act)(struct race *r, int who);	/* each round, each racer */
	int (*check)(struct race *r);		/* each round, after all acts */
	void (*end)(struct race *r);		/* once; must close everything */
	int (*once)(struct race *r);		/* deterministic scenario */
};

struct race {
	const struct scenario *sc;
	unsigned long round;
	uint64_t rng[RACE_MAX_THREADS];
	char reason[RACE_REASON_MAX];
	atomic_int flag;	/* scenario-defined, e.g. "racer 0 is done" */
	void *priv;		/* the scenario's state */
};

/* Every scenario, in run order (scenarios.c). */
extern const struct scenario *const race_scenarios[];

/* Engine services (logos-race.c). */
uint64_t race_rand(struct race *r, int who);
void race_jitter(struct race *r, int who, unsigned int max);
int race_fail(struct race *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
double race_now(void);
/* The first kernel report since the scenario began, or NULL. */
const char *race_kernel_report(void);

/* ioctl helpers (util.c). All return 0 or -errno. */
int lx(int fd, unsigned long req, void *arg);
int sup_open(void);
int mod_create(int sfd, uint32_t flags, uint32_t *module_handle);	/* fd or -errno */
int mod_usage(int fd, uint32_t res, uint64_t *usage);
int set_quota(int sfd, uint32_t module_handle, uint32_t res, uint64_t limit);
int hclose(int fd, uint32_t h);
int hdup(int fd, uint32_t h, uint32_t rights, uint32_t *out);
int hrevoke(int fd, uint32_t h, uint32_t *revoked);
int hgive(int sfd, uint32_t module_handle, uint32_t h, uint32_t rights, uint32_t flags,
	  uint32_t *out);
int chan_create(int fd, uint32_t max_msgs, uint32_t *h0, uint32_t *h1);
int chan_send(int fd, uint32_t ep, const uint32_t *hs, uint32_t n, uint32_t flags,
	      int64_t timeout_ns);
int chan_recv(int fd, uint32_t ep, struct logos_msg_handle *hs, uint32_t n, int64_t timeout_ns);
int mem_create(int fd, uint64_t size, uint32_t *h);
int mem_mappings(int fd, uint32_t h, uint64_t *mappings);
int event_create(int fd, uint32_t *h);
int event_signal(int fd, uint32_t h, uint32_t set);
int topic_create(int fd, uint32_t flags, uint32_t max_msgs, uint32_t *h);
int topic_subscribe(int fd, uint32_t topic, uint32_t *ep);
int topic_publish(int fd, uint32_t topic, int64_t timeout_ns, uint32_t *delivered);
/* The value the next install into @closed's (just freed) slot gets. */
uint32_t next_value(uint32_t closed);
/* Closes what is non-zero in @hs and zeroes it. */
void hclose_all(int fd, uint32_t *hs, size_t n);
void close_fd(int *fd);

/*
 * Touches @p (a read, or a write of one byte) and says what happened:
 * 0 it worked, SIGBUS or SIGSEGV if that signal stopped it.
 */
int touch(volatile char *p, bool write);
void touch_init(void);
/* Waits until thread @tid sleeps in the kernel (or @max_s passes). */
bool wait_sleeping(int tid, double max_s);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
