/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two halves of logos-chaos share: the memory shared by the
 * supervisor (logos-chaos.c) and every module process (chaos-modules.c),
 * the small helpers and the module bodies the supervisor forks.
 */
#ifndef LOGOS_CHAOS_H
#define LOGOS_CHAOS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/logos.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PTR(p)		((uint64_t)(uintptr_t)(p))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096UL
#define MAX_PAIRS	4
#define BATCH		16
#define MSG_MAX		1024	/* payload bytes of a stream message */
#define MAX_STREAMS	4096
#define MAX_SAMPLES	400000
#define GRANT_PAGES	4
#define MAGIC		0x43484153U	/* "CHAS" */
#define NSUBS		2
#define TOPIC_QUEUE	32	/* each subscriber's queue */
#define PUB_MSGS_QUOTA	48	/* below NSUBS * TOPIC_QUEUE: the quota runs out too */

enum role { R_PING, R_PONG, R_PROD, R_CONS, R_MAPPER, R_HOSTILE, R_PUB, R_SUB };

enum phase { PH_CALM, PH_CHAOS, PH_STOP_SEND, PH_STOP };

/* ---- memory shared by the supervisor and every module process -------- */

struct payload {
	uint32_t magic;
	uint32_t stream;
	uint64_t seq;
	uint8_t fill[MSG_MAX - 16];
};

/*
 * A producer's counts, committed by one store of @cur: the supervisor
 * redoes the accounting of a killed producer's last batch exactly once.
 */
struct counts {
	uint64_t batch;		/* the last batch accounted */
	uint64_t accepted;	/* highest sequence number the kernel accepted */
	uint64_t offered;	/* messages passed to SEND */
	uint64_t refused;	/* of those, refused: the sender was told (errno, done) */
	uint64_t refused_eagain, refused_short, refused_other;
	uint64_t abandoned;	/* not accepted (per done), the sender killed */
};

struct stream {
	uint32_t pair;
	volatile uint32_t cur;
	struct counts c[2];
	uint64_t delivered;	/* highest sequence number received, in order */
	uint64_t bad;		/* out of order, duplicated or damaged */
};

struct iobuf {			/* one process's in-flight batch */
	volatile int pending;
	uint32_t stream;
	uint64_t batch;		/* numbers the batches of a producer */
	uint64_t base;		/* sequence number of msgs[0] */
	uint32_t count;
	struct logos_channel_io io;
	struct logos_msg msgs[BATCH];
	struct payload data[BATCH];
};

/*
 * The topic: one publisher at a time (its incarnations continue one
 * sequence), NSUBS subscribers whose endpoints the supervisor holds.
 */
struct pubcounts {
	uint64_t seq;		/* publishes accepted: sequence numbers 1..seq */
	uint64_t delivered;	/* sum of their delivered */
	uint64_t dropped;	/* sum of their dropped */
	uint64_t refused;	/* publishes refused (nobody got them) */
};

struct pubstate {
	volatile int pending;
	volatile uint32_t cur;
	struct pubcounts c[2];
	struct logos_topic_publish arg;
	struct payload data;
};

struct subcounts {
	uint64_t last;		/* sequence number of the last message received */
	uint64_t received;
	uint64_t dropped;	/* sum of header.dropped */
	uint64_t silent;	/* messages found missing before they were reported */
};

struct substate {
	volatile uint32_t cur;
	struct subcounts c[2];
	struct iobuf b;
};

struct sample {
	uint32_t us;
	uint16_t window;
	uint8_t phase;
	uint8_t pad;
};

enum hstep { H_EVENTS, H_CHANNELS, H_OBJECTS, H_HANDLES, H_MEMORY, H_MAPPED, H_MSGS, H_BYTES,
	     H_QUEUE_FULL, H_RELEASE, H_DENIED, __H_MAX };

struct shared {
	volatile int phase;
	volatile int window;
	struct stream streams[MAX_STREAMS];
	struct iobuf prod[MAX_PAIRS], cons[MAX_PAIRS];
	/* ping/pong */
	uint64_t calls, call_ok, call_err, call_bad, pong_bad;
	uint64_t nsamples;
	struct sample samples[MAX_SAMPLES];
	/* topic */
	struct pubstate pub;
	struct substate sub[NSUBS];
	/* mapper */
	volatile uint64_t mapped_gen, sigbus_gen;
	uint64_t sigbus, corrupt, stale_grants, map_errors;
	/* hostile */
	uint64_t hostile_rounds;
	uint64_t hok[__H_MAX], hbad[__H_MAX];
	/* blocking receives that a stop (SIGSTOP) failed with -EINTR */
	uint64_t eintr;
	/* failures reported by module processes */
	volatile int nfail;
	char fail[16][200];
};

extern struct shared *sh;
extern const char *const hstep_name[];

/* ---- small things (chaos-modules.c) ---------------------------------------- */

extern uint64_t rng;
uint32_t rnd(uint32_t n);
uint64_t now_ns(void);
uint64_t now_ms(void);
void sleep_us(unsigned int us);
int xioctl(int fd, unsigned long cmd, void *arg);
void child_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the modules (chaos-modules.c) ----------------------------------------- */

extern int mfd;			/* a module process's module file */
extern uint32_t hA, hB;		/* its given handles */
extern int my_pair;
extern uint32_t my_stream;

void ping_main(void);
void pong_main(void);
void prod_main(void);
void cons_main(void);
void pub_main(void);
void sub_main(void);
void mapper_main(void);
void hostile_main(void);

/* The accounting of a batch, run again by the supervisor for a killed process. */
void prod_account(struct iobuf *b, int ret, bool killed);
void cons_account(struct iobuf *b, int pair, bool salvage);
void pub_account(int ret, bool killed);
void sub_account(int i, bool salvage);

#endif /* LOGOS_CHAOS_H */
