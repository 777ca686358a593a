// SPDX-License-Identifier: GPL-2.0
/*
 * mapped-bench: mapped channels against the paths they are meant to beat,
 * run by `make bench` in the same guest boot as logos-bench (README.md,
 * "Mapped channels"). 64-byte messages, client pinned to CPU 0 and server
 * to CPU 1:
 *
 * - streaming: the server sends as fast as it can, the client receives and
 *   checks each message's sequence number for --seconds; messages per
 *   second at the client;
 * - round trip: the client sends 64 bytes, the server echoes them; the
 *   time of blocks of 64 round trips (TSC), median and mean per round trip.
 *
 * Transports: the mapped channel spinning (never sleeps) and blocking
 * (sleeps at once, so every message needs a doorbell), logos send/receive
 * (one message per system call, and batches of 64), eventfd + shared
 * memory, AF_UNIX seqpacket, and iceoryx 2.0 publish/subscribe through its
 * C binding (RouDi started by tests/bench/run in the guest).
 *
 * Prints a table, TARGET PASS|MISS lines, and mapped.csv between
 * "==== LOGOS-BENCH FILE mapped.csv ====" markers. Exit 1 when something
 * errors (a wrong message, a failing call); a missed target is not one.
 */
#include <logos/logos.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "verdict.h"

#ifdef HAVE_ICEORYX
#include <iceoryx_binding_c/publisher.h>
#include <iceoryx_binding_c/runtime.h>
#include <iceoryx_binding_c/subscriber.h>
#endif

#define MSG	64
#define BLOCK	64		/* round trips per timed block */

enum { T_MAPPED_SPIN, T_MAPPED_BATCH, T_MAPPED_BLOCK, T_LOGOS, T_LOGOS_BATCH, T_EVENTFD,
       T_SEQPACKET, T_ICEORYX, T_COUNT };
static const char *const names[T_COUNT] = {
	"mapped spinning", "mapped spinning, batch 32", "mapped blocking", "logos send/recv",
	"logos send/recv, batch 64", "eventfd+shm", "AF_UNIX seqpacket", "iceoryx pub/sub",
};

struct figure {
	int status;		/* 0 not run, 1 ok, -1 error, 2 n/a */
	double msgs_per_s;
	double rtt_p50_ns, rtt_mean_ns;
	/*
	 * For the verdicts (verdict.h): round trips, the p10/p99 of the
	 * blocks; streaming, ns per message in each tenth of the run.
	 */
	double p10, p50, p99, mean;
	char note[160];
};

static struct figure stream_res[T_COUNT], rtt_res[T_COUNT];
/* AF_UNIX seqpacket round trips with the server on CPU 0 too (the reference). */
static struct figure rtt_seq_same;
static double seconds = 1.0;
static double tsc_per_ns;
static bool use_iceoryx = true;
static int errors;

/* Shared by client and server (MAP_SHARED before fork). */
struct shared {
	_Atomic int stop;
	_Atomic int ready;
	/* eventfd+shm: a ring of 64-byte slots per direction (0: to the server) */
	struct {
		_Alignas(64) _Atomic uint64_t head;
		_Alignas(64) _Atomic uint64_t tail;
		_Alignas(64) uint8_t slots[256][MSG];
	} ring[2];
};
static struct shared *sh;

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void calibrate_tsc(void)
{
	uint64_t t0 = now_ns(), c0 = __rdtsc(), t1, c1;

	usleep(200000);
	t1 = now_ns();
	c1 = __rdtsc();
	tsc_per_ns = (double)(c1 - c0) / (double)(t1 - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void fail(struct figure *f, const char *what, int err)
{
	f->status = -1;
	snprintf(f->note, sizeof(f->note), "%s: %s", what, strerror(err < 0 ? -err : err));
	errors++;
}

/* ---- logos setup: two modules allowed mapped channels, a channel between them ---- */

struct logos_pair {
	int sup;
	logos_handle_t mod[2];
	int fd[2];
	logos_handle_t ep[2];	/* in each module's table */
};

static int pair_open(struct logos_pair *p)
{
	uint64_t limits[LOGOS_RES_COUNT];
	logos_handle_t e0, e1;
	int ret;

	memset(p, 0, sizeof(*p));
	p->sup = logos_open();
	if (p->sup < 0)
		return p->sup;
	for (int i = 0; i < LOGOS_RES_COUNT; i++)
		limits[i] = LOGOS_LIMIT_UNLIMITED;
	for (int i = 0; i < 2; i++) {
		struct logos_module_create a = { .trust_level = LOGOS_TRUST_SYSTEM,
						 .flags = LOGOS_MODULE_ALLOW_MAPPED };

		snprintf(a.name, sizeof(a.name), "mbench-%d", i);
		memcpy(a.limits, limits, sizeof(limits));
		if (ioctl(p->sup, LOGOS_IOC_MODULE_CREATE, &a))
			return -errno;
		p->mod[i] = a.handle;
		p->fd[i] = a.fd;
	}
	ret = logos_channel_create(p->sup, 256, 0, &e0, &e1);
	if (!ret)
		ret = logos_handle_give(p->sup, p->mod[0], e0, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE,
					&p->ep[0]);
	if (!ret)
		ret = logos_handle_give(p->sup, p->mod[1], e1, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE,
					&p->ep[1]);
	return ret;
}

static void pair_close(struct logos_pair *p)
{
	for (int i = 0; i < 2; i++) {
		if (p->fd[i] > 0)
			close(p->fd[i]);
		logos_handle_close(p->sup, p->mod[i]);
	}
	close(p->sup);
}

/* ---- the server side of each transport ------------------------------------------ */

struct conn {
	int t;
	struct logos_pair lp;
	struct logos_mapped *mc;
	int sock[2];		/* seqpacket */
	int efd[2][2];		/* eventfd per direction: [0] data ready, [1] room */
#ifdef HAVE_ICEORYX
	iox_pub_storage_t pub_st;
	iox_sub_storage_t sub_st;
	iox_pub_t pub;
	iox_sub_t sub;
#endif
};

#ifdef HAVE_ICEORYX
static void iox_open(struct conn *c, bool server)
{
	static bool runtime;
	iox_pub_options_t po;
	iox_sub_options_t so;
	char name[64];

	/* One runtime per process, and a fresh name for each server process. */
	if (!runtime) {
		snprintf(name, sizeof(name), "mbench-%s-%d", server ? "server" : "client",
			 (int)getpid());
		iox_runtime_init(name);
		runtime = true;
	}
	iox_pub_options_init(&po);
	po.historyCapacity = 0;
	po.subscriberTooSlowPolicy = ConsumerTooSlowPolicy_WAIT_FOR_CONSUMER;
	iox_sub_options_init(&so);
	so.queueCapacity = 256;
	so.historyRequest = 0;
	so.queueFullPolicy = QueueFullPolicy_BLOCK_PRODUCER;
	c->pub = iox_pub_init(&c->pub_st, "logos", "bench", server ? "pong" : "ping", &po);
	c->sub = iox_sub_init(&c->sub_st, "logos", "bench", server ? "ping" : "pong", &so);
}

static int iox_send(struct conn *c, const void *data)
{
	void *chunk;

	while (iox_pub_loan_chunk(c->pub, &chunk, MSG) != AllocationResult_SUCCESS)
		if (atomic_load(&sh->stop))
			return -EPIPE;
	memcpy(chunk, data, MSG);
	iox_pub_publish_chunk(c->pub, chunk);
	return 0;
}

static int iox_recv(struct conn *c, void *data)
{
	const void *chunk;

	while (iox_sub_take_chunk(c->sub, &chunk) != ChunkReceiveResult_SUCCESS)
		if (atomic_load(&sh->stop))
			return -EPIPE;
	memcpy(data, chunk, MSG);
	iox_sub_release_chunk(c->sub, chunk);
	return 0;
}
#endif

/* eventfd+shm: a 256-slot ring per direction, an eventfd for "data" and one for "room". */
static int efd_send(struct conn *c, int dir, const void *data)
{
	uint64_t t = atomic_load_explicit(&sh->ring[dir].tail, memory_order_relaxed), one = 1, v;

	while (t - atomic_load_explicit(&sh->ring[dir].head, memory_order_acquire) >= 256) {
		if (read(c->efd[dir][1], &v, 8) != 8 || atomic_load(&sh->stop))
			return -EPIPE;
	}
	memcpy(sh->ring[dir].slots[t & 255], data, MSG);
	atomic_store_explicit(&sh->ring[dir].tail, t + 1, memory_order_release);
	return write(c->efd[dir][0], &one, 8) == 8 ? 0 : -errno;
}

static int efd_recv(struct conn *c, int dir, void *data)
{
	uint64_t h = atomic_load_explicit(&sh->ring[dir].head, memory_order_relaxed), one = 1, v;

	while (atomic_load_explicit(&sh->ring[dir].tail, memory_order_acquire) == h) {
		if (read(c->efd[dir][0], &v, 8) != 8 || atomic_load(&sh->stop))
			return -EPIPE;
	}
	memcpy(data, sh->ring[dir].slots[h & 255], MSG);
	atomic_store_explicit(&sh->ring[dir].head, h + 1, memory_order_release);
	return write(c->efd[dir][1], &one, 8) == 8 ? 0 : -errno;
}

/* One message each way through transport @c->t, on side @server. */
static int xsend(struct conn *c, bool server, const void *data)
{
	int fd = c->lp.fd[server];

	switch (c->t) {
	case T_MAPPED_SPIN:
	case T_MAPPED_BATCH:
	case T_MAPPED_BLOCK:
		return logos_mapped_send(c->mc, data, MSG, LOGOS_TIMEOUT_INFINITE);
	case T_LOGOS:
	case T_LOGOS_BATCH:
		return logos_channel_send(fd, c->lp.ep[server], data, MSG, NULL, 0, 0,
					  LOGOS_TIMEOUT_INFINITE);
	case T_EVENTFD:
		return efd_send(c, server, data);
	case T_SEQPACKET:
		return send(c->sock[server], data, MSG, 0) == MSG ? 0 : -errno;
#ifdef HAVE_ICEORYX
	case T_ICEORYX:
		return iox_send(c, data);
#endif
	}
	return -EINVAL;
}

static int xrecv(struct conn *c, bool server, void *data)
{
	int fd = c->lp.fd[server], n;
	struct logos_msg m;

	switch (c->t) {
	case T_MAPPED_SPIN:
	case T_MAPPED_BATCH:
	case T_MAPPED_BLOCK:
		n = logos_mapped_recv(c->mc, data, MSG, NULL, LOGOS_TIMEOUT_INFINITE);
		return n == MSG ? 0 : n < 0 ? n : -EBADMSG;
	case T_LOGOS:
	case T_LOGOS_BATCH:
		logos_msg_prepare(&m, data, MSG, NULL, 0);
		return logos_channel_recv(fd, c->lp.ep[server], &m, LOGOS_TIMEOUT_INFINITE);
	case T_EVENTFD:
		return efd_recv(c, !server, data);
	case T_SEQPACKET:
		return recv(c->sock[server], data, MSG, 0) == MSG ? 0 : -errno;
#ifdef HAVE_ICEORYX
	case T_ICEORYX:
		return iox_recv(c, data);
#endif
	}
	return -EINVAL;
}

/* Server side of a stream: sends numbered messages until stopped. */
static int serve_stream(struct conn *c)
{
	uint8_t msgs[64][MSG];
	struct logos_msg lm[64];
	struct iovec v[32];
	uint64_t seq = 0;
	uint32_t done;
	int ret = 0;

	memset(msgs, 0x5a, sizeof(msgs));
	while (!ret && !atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		if (c->t == T_MAPPED_BATCH) {
			for (int i = 0; i < 32; i++) {
				memcpy(msgs[i], &(uint64_t){ seq + i }, 8);
				v[i].iov_base = msgs[i];
				v[i].iov_len = MSG;
			}
			ret = logos_mapped_send_batch(c->mc, v, 32, LOGOS_TIMEOUT_INFINITE, &done);
			seq += done;
		} else if (c->t == T_LOGOS_BATCH) {
			for (int i = 0; i < 64; i++) {
				memcpy(msgs[i], &(uint64_t){ seq + i }, 8);
				logos_msg_prepare(&lm[i], msgs[i], MSG, NULL, 0);
			}
			ret = logos_channel_send_batch(c->lp.fd[1], c->lp.ep[1], lm, 64,
						       LOGOS_TIMEOUT_INFINITE, &done);
			seq += done;
		} else {
			memcpy(msgs[0], &seq, 8);
			ret = xsend(c, true, msgs[0]);
			seq++;
		}
	}
	return ret;
}

static int serve_echo(struct conn *c)
{
	uint8_t buf[MSG];
	int ret;

	for (;;) {
		ret = xrecv(c, true, buf);
		if (!ret)
			ret = xsend(c, true, buf);
		if (ret)
			return ret;
	}
}

/* ---- a case ------------------------------------------------------------------ */

static int conn_setup(struct conn *c, int t)
{
	int ret = 0;

	memset(c, 0, sizeof(*c));
	c->t = t;
	c->sock[0] = c->sock[1] = -1;
	memset(sh, 0, sizeof(*sh));
	switch (t) {
	case T_MAPPED_SPIN:
	case T_MAPPED_BATCH:
	case T_MAPPED_BLOCK:
	case T_LOGOS:
	case T_LOGOS_BATCH:
		ret = pair_open(&c->lp);
		if (!ret && t <= T_MAPPED_BLOCK)
			ret = logos_mapped_create(c->lp.fd[0], MSG * 2, 1024, &c->mc);
		if (!ret && c->mc)
			ret = logos_mapped_offer(c->mc, c->lp.ep[0], LOGOS_TIMEOUT_INFINITE);
		break;
	case T_SEQPACKET:
		ret = socketpair(AF_UNIX, SOCK_SEQPACKET, 0, c->sock) ? -errno : 0;
		break;
	case T_EVENTFD:
		for (int i = 0; i < 4 && !ret; i++) {
			c->efd[i / 2][i % 2] = eventfd(0, 0);
			ret = c->efd[i / 2][i % 2] < 0 ? -errno : 0;
		}
		break;
	}
	return ret;
}

static void conn_teardown(struct conn *c)
{
	if (c->mc)
		logos_mapped_close(c->mc);
	if (c->lp.sup > 0)
		pair_close(&c->lp);
	for (int i = 0; i < 2; i++) {
		if (c->sock[i] >= 0)
			close(c->sock[i]);
		for (int k = 0; k < 2; k++)
			if (c->efd[i][k] > 0)
				close(c->efd[i][k]);
	}
}

/* The server's end, in the child. */
static void server_main(struct conn *c, bool stream, int cpu)
{
	int ret = 0;

	pin(cpu);
	if (c->t <= T_MAPPED_BLOCK) {
		/* The client's copy of the mapped side stays in the parent. */
		c->mc = NULL;
		ret = logos_mapped_accept(c->lp.fd[1], c->lp.ep[1], LOGOS_TIMEOUT_INFINITE, &c->mc);
		if (!ret)
			logos_mapped_set_spin(c->mc, c->t == T_MAPPED_BLOCK ? 0 : -1);
	}
#ifdef HAVE_ICEORYX
	if (c->t == T_ICEORYX)
		iox_open(c, true);
#endif
	if (ret)
		_exit(3);
#ifdef HAVE_ICEORYX
	/* One process at a time talks to RouDi: the client starts after this. */
	if (c->t == T_ICEORYX) {
		atomic_store(&sh->ready, 1);
		while (!iox_pub_has_subscribers(c->pub) && !atomic_load(&sh->stop))
			usleep(1000);
	}
#endif
	atomic_store(&sh->ready, 2);
	ret = stream ? serve_stream(c) : serve_echo(c);
	_exit(ret && !atomic_load(&sh->stop) ? 2 : 0);
}

static bool client_ready(struct conn *c)
{
	uint64_t until = now_ns() + 30ULL * 1000000000ULL;

	while (atomic_load(&sh->ready) < 2 && now_ns() < until)
		usleep(1000);
#ifdef HAVE_ICEORYX
	if (c->t == T_ICEORYX) {
		while (iox_sub_get_subscription_state(c->sub) != SubscribeState_SUBSCRIBED &&
		       now_ns() < until)
			usleep(1000);
		while (!iox_pub_has_subscribers(c->pub) && now_ns() < until)
			usleep(1000);
	}
#endif
	return atomic_load(&sh->ready) == 2;
}

static void run_case_on(int t, bool stream, int server_cpu, struct figure *f);

/*
 * A case that makes no progress for CASE_LIMIT s is stopped (an iceoryx
 * stream once hung for minutes at a host load of 10): SIGALRM sets stop,
 * which the polling loops check, and interrupts a blocking call (no
 * SA_RESTART).
 */
#define CASE_LIMIT 120
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	atomic_store(&sh->stop, 1);
}

static void run_case(int t, bool stream)
{
	run_case_on(t, stream, 1, stream ? &stream_res[t] : &rtt_res[t]);
}

static void run_case_on(int t, bool stream, int server_cpu, struct figure *f)
{
	struct conn c;
	pid_t pid;
	int ret, status;

	if (t == T_ICEORYX && !use_iceoryx) {
		f->status = 2;
		snprintf(f->note, sizeof(f->note), "not run (--no-iceoryx, or built without it)");
		return;
	}
	if (!stream && (t == T_MAPPED_BATCH || t == T_LOGOS_BATCH)) {
		f->status = 2;
		return;
	}
	ret = conn_setup(&c, t);
	if (ret) {
		fail(f, "setup", ret);
		conn_teardown(&c);
		return;
	}
	pid = fork();
	if (pid == 0)
		server_main(&c, stream, server_cpu);
	pin(0);
	timed_out = 0;
	alarm(CASE_LIMIT + (unsigned int)seconds);
#ifdef HAVE_ICEORYX
	if (t == T_ICEORYX) {
		for (int i = 0; i < 30000 && !atomic_load(&sh->ready); i++)
			usleep(1000);
		iox_open(&c, false);
	}
#endif
	if (c.mc)
		logos_mapped_set_spin(c.mc, t == T_MAPPED_BLOCK ? 0 : -1);
	if (!client_ready(&c)) {
		fail(f, "the server did not start", ETIMEDOUT);
		goto out;
	}

	if (stream) {
		uint8_t bufs[32][MSG];
		struct iovec v[32];
		uint64_t seq = 0, got, t0 = 0, end = 0, start_seq = 0, base = 0;
		uint64_t slice_t0 = 0, slice_seq = 0, now;
		double slices[16];
		int n, nslices = 0;

		/* Warm-up: the first 1000 messages are not counted. */
		for (;;) {
			if (c.mc) {
				for (int i = 0; i < 32; i++) {
					v[i].iov_base = bufs[i];
					v[i].iov_len = MSG;
				}
				n = logos_mapped_recv_batch(c.mc, v, 32, LOGOS_TIMEOUT_INFINITE);
				ret = n < 0 ? n : 0;
			} else {
				n = 1;
				ret = xrecv(&c, false, bufs[0]);
			}
			if (ret) {
				fail(f, "receive", ret);
				break;
			}
			for (int i = 0; i < n; i++, seq++) {
				memcpy(&got, bufs[i], 8);
				/* iceoryx may drop what comes before the subscription. */
				if (!seq && !t0)
					base = got;
				if (got != seq + base) {
					fail(f, "a message out of sequence", EBADMSG);
					goto out;
				}
			}
			if (!t0 && seq >= 1000) {
				t0 = slice_t0 = now_ns();
				end = t0 + (uint64_t)(seconds * 1e9);
				start_seq = slice_seq = seq;
			}
			if (!t0 || (seq & 255) >= (uint64_t)n)
				continue;
			/* ns per message in each tenth of the run, for the verdicts */
			now = now_ns();
			if (now >= slice_t0 + (uint64_t)(seconds * 1e8) && seq > slice_seq &&
			    nslices < 16) {
				slices[nslices++] = (double)(now - slice_t0) / (double)(seq - slice_seq);
				slice_t0 = now;
				slice_seq = seq;
			}
			if (now >= end) {
				f->msgs_per_s = (double)(seq - start_seq) / ((double)(now - t0) / 1e9);
				f->mean = 1e9 / f->msgs_per_s;
				if (nslices) {
					qsort(slices, nslices, sizeof(double), cmp_double);
					f->p10 = slices[nslices / 10];
					f->p50 = slices[nslices / 2];
					f->p99 = slices[nslices - 1];
				}
				f->status = 1;
				break;
			}
		}
	} else {
		uint64_t iters = 0, t_end, nblocks = 0;
		double *blocks = calloc(1000000, sizeof(double)), total = 0;
		uint8_t buf[MSG] = { 0 }, back[MSG];

		for (int i = 0; i < 20 && !ret; i++) {	/* warm-up */
			ret = xsend(&c, false, buf);
			if (!ret)
				ret = xrecv(&c, false, back);
		}
		/* At least 8 blocks, however slow the host makes them. */
		t_end = now_ns() + (uint64_t)(seconds * 1e9);
		while (!ret && (now_ns() < t_end || nblocks < 8) && nblocks < 1000000) {
			uint64_t c0 = __rdtsc();

			for (int i = 0; i < BLOCK && !ret; i++) {
				memcpy(buf, &iters, 8);
				ret = xsend(&c, false, buf);
				if (!ret)
					ret = xrecv(&c, false, back);
				if (!ret && memcmp(buf, back, MSG))
					ret = -EBADMSG;
				iters++;
			}
			blocks[nblocks] = (double)(__rdtsc() - c0) / tsc_per_ns / BLOCK;
			total += blocks[nblocks++];
		}
		if (ret) {
			fail(f, "round trip", ret);
		} else {
			qsort(blocks, nblocks, sizeof(double), cmp_double);
			f->rtt_p50_ns = f->p50 = blocks[nblocks / 2];
			f->rtt_mean_ns = f->mean = total / (double)nblocks;
			f->p10 = blocks[nblocks / 10];
			f->p99 = blocks[nblocks * 99 / 100];
			f->status = 1;
			snprintf(f->note, sizeof(f->note), "%llu round trips",
				 (unsigned long long)iters);
		}
		free(blocks);
	}
out:
	alarm(0);
	if (timed_out) {
		bool counted = f->status == -1;

		/* a baseline that hangs is reported, not counted as an error */
		if (t == T_ICEORYX && counted)
			errors--;
		else if (t != T_ICEORYX && !counted)
			errors++;
		f->status = t == T_ICEORYX ? 2 : -1;
		snprintf(f->note, sizeof(f->note), "stopped: no result after %d s", CASE_LIMIT);
	}
	atomic_store(&sh->stop, 1);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
#ifdef HAVE_ICEORYX
	if (t == T_ICEORYX) {
		iox_sub_deinit(c.sub);
		iox_pub_deinit(c.pub);
	}
#endif
	conn_teardown(&c);
}

/*
 * Rare messages (issue 20, energy): the server sends one 64-byte message
 * every 2 ms on a mapped channel with the default spin on both sides; the
 * client's CPU time per received message, over 200 after 50 warm-up ones.
 * A fixed spin burns its whole budget before every sleep; the adaptive one
 * (ulib/src/mapped_spin.h) stops spinning for a peer this slow.
 */
static double rare_cpu_us = NAN;

static void rare_case(void)
{
	struct conn c;
	struct timespec a, b;
	uint8_t buf[MSG];
	pid_t pid;
	int ret, status;

	ret = conn_setup(&c, T_MAPPED_SPIN);
	if (ret) {
		printf("mapped-bench: rare messages: setup: %s\n", strerror(-ret));
		errors++;
		conn_teardown(&c);
		return;
	}
	pid = fork();
	if (pid == 0) {
		pin(1);
		c.mc = NULL;
		if (logos_mapped_accept(c.lp.fd[1], c.lp.ep[1], LOGOS_TIMEOUT_INFINITE, &c.mc))
			_exit(3);
		for (uint64_t i = 0; !atomic_load(&sh->stop); i++) {
			memcpy(buf, &i, 8);
			if (logos_mapped_send(c.mc, buf, MSG, LOGOS_TIMEOUT_INFINITE))
				_exit(atomic_load(&sh->stop) ? 0 : 2);
			usleep(2000);
		}
		_exit(0);
	}
	pin(0);
	for (int i = 0; i < 250 && !ret; i++) {
		if (i == 50)
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
		ret = logos_mapped_recv(c.mc, buf, sizeof(buf), NULL, 5LL * 1000000000LL);
		ret = ret == MSG ? 0 : ret < 0 ? ret : -EBADMSG;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	if (ret) {
		printf("mapped-bench: rare messages: receive: %s\n", strerror(-ret));
		errors++;
	} else {
		rare_cpu_us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 200 / 1e3;
	}
	atomic_store(&sh->stop, 1);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	conn_teardown(&c);
}

/* ---- report ------------------------------------------------------------------ */

static double ratio(double a, double b)
{
	return a > 0 && b > 0 ? a / b : NAN;
}

static struct vfig vfig_of(const struct figure *f, const char *label, bool uses_mean,
			   const struct figure *same)
{
	struct vfig v = { .label = label, .uses_mean = uses_mean };

	if (f->status == 1) {
		v.p10 = f->p10;
		v.p50 = f->p50;
		v.p99 = f->p99;
		v.mean = f->mean;
	}
	if (same && same->status == 1)
		v.same_cpu_p50 = same->p50;
	return v;
}

/* PASS/MISS only on figures the host did not disturb (verdict.h). */
static void target(const char *what, double value, bool higher_better, double bound,
		   struct vfig a, struct vfig b)
{
	struct vfig figs[2] = { a, b };
	struct verdict v;
	char x[32];

	verdict_eval(&v, value, bound, !higher_better, figs, 2, &vrule_default);
	printf("TARGET %s mapped: %s: %s (target %s %.2f)%s%s%s\n", verdict_name(v.status), what,
	       fmt_ratio(x, sizeof(x), value), higher_better ? ">=" : "<=", bound,
	       v.why[0] ? " (" : "", v.why, v.why[0] ? ")" : "");
}

static void report(void)
{
	printf("\n64 B messages, client on CPU 0, server on CPU 1\n");
	printf("%-28s %14s %14s %14s  %s\n", "transport", "stream msg/s", "RTT p50 ns",
	       "RTT mean ns", "note");
	for (int t = 0; t < T_COUNT; t++) {
		struct figure *s = &stream_res[t], *r = &rtt_res[t];

		printf("%-28s %14.0f %14.0f %14.0f  %s%s%s\n", names[t],
		       s->status == 1 ? s->msgs_per_s : NAN, r->status == 1 ? r->rtt_p50_ns : NAN,
		       r->status == 1 ? r->rtt_mean_ns : NAN, s->note, *s->note && *r->note ? "; " : "",
		       r->note);
	}
	if (rtt_seq_same.status == 1)
		printf("%-28s %14s %14.0f %14.0f  server on CPU 0 too: the reference of the verdicts\n",
		       "AF_UNIX seqpacket, 1 CPU", "", rtt_seq_same.rtt_p50_ns, rtt_seq_same.rtt_mean_ns);
	printf("\n");
	target("streaming 64 B vs logos send/recv",
	       ratio(stream_res[T_MAPPED_SPIN].msgs_per_s, stream_res[T_LOGOS].msgs_per_s), true, 10,
	       vfig_of(&stream_res[T_MAPPED_SPIN], "mapped spinning stream", true, NULL),
	       vfig_of(&stream_res[T_LOGOS], "logos send/recv stream", true, NULL));
	target("streaming 64 B vs AF_UNIX seqpacket",
	       ratio(stream_res[T_MAPPED_SPIN].msgs_per_s, stream_res[T_SEQPACKET].msgs_per_s), true, 10,
	       vfig_of(&stream_res[T_MAPPED_SPIN], "mapped spinning stream", true, NULL),
	       vfig_of(&stream_res[T_SEQPACKET], "AF_UNIX seqpacket stream", true, NULL));
	target("spinning RTT vs AF_UNIX seqpacket",
	       ratio(rtt_res[T_MAPPED_SPIN].rtt_p50_ns, rtt_res[T_SEQPACKET].rtt_p50_ns), false, 0.2,
	       vfig_of(&rtt_res[T_MAPPED_SPIN], "mapped spinning RTT", false, NULL),
	       vfig_of(&rtt_res[T_SEQPACKET], "AF_UNIX seqpacket RTT", false, &rtt_seq_same));
	target("spinning RTT vs iceoryx",
	       ratio(rtt_res[T_MAPPED_SPIN].rtt_p50_ns, rtt_res[T_ICEORYX].rtt_p50_ns), false, 1.5,
	       vfig_of(&rtt_res[T_MAPPED_SPIN], "mapped spinning RTT", false, NULL),
	       vfig_of(&rtt_res[T_ICEORYX], "iceoryx RTT", false, NULL));
	printf("info: mapped: rare messages (one per 2 ms, default spin): receiver CPU %.1f us per message\n",
	       rare_cpu_us);
	printf("info: mapped: batched streaming vs logos batched send/recv: %.2f\n",
	       ratio(stream_res[T_MAPPED_BATCH].msgs_per_s, stream_res[T_LOGOS_BATCH].msgs_per_s));
	printf("info: mapped: streaming vs iceoryx: %.2f; vs eventfd+shm: %.2f\n",
	       ratio(stream_res[T_MAPPED_SPIN].msgs_per_s, stream_res[T_ICEORYX].msgs_per_s),
	       ratio(stream_res[T_MAPPED_SPIN].msgs_per_s, stream_res[T_EVENTFD].msgs_per_s));
	printf("info: mapped: blocking RTT vs AF_UNIX seqpacket: %.2f; vs eventfd+shm: %.2f\n",
	       ratio(rtt_res[T_MAPPED_BLOCK].rtt_p50_ns, rtt_res[T_SEQPACKET].rtt_p50_ns),
	       ratio(rtt_res[T_MAPPED_BLOCK].rtt_p50_ns, rtt_res[T_EVENTFD].rtt_p50_ns));

	printf("==== LOGOS-BENCH FILE mapped.csv ====\n");
	printf("transport,stream_msgs_per_s,rtt_p50_ns,rtt_mean_ns,status,note\n");
	for (int t = 0; t < T_COUNT; t++) {
		struct figure *s = &stream_res[t], *r = &rtt_res[t];
		int st = s->status == -1 || r->status == -1 ? -1 : s->status ? s->status : r->status;

		printf("%s,%.0f,%.0f,%.0f,%s,\"%s %s\"\n", names[t], s->status == 1 ? s->msgs_per_s : 0,
		       r->status == 1 ? r->rtt_p50_ns : 0, r->status == 1 ? r->rtt_mean_ns : 0,
		       st == 1 ? "ok" : st == -1 ? "error" : "n/a", s->note, r->note);
	}
	printf("==== LOGOS-BENCH END mapped.csv ====\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "no-iceoryx", no_argument, NULL, 'n' },
		{ "rare-only", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool rare_only = false;
	int o;

#ifndef HAVE_ICEORYX
	use_iceoryx = false;
#endif
	while ((o = getopt_long(argc, argv, "s:nh", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			seconds = atof(optarg);
			break;
		case 'n':
			use_iceoryx = false;
			break;
		case 'r':
			rare_only = true;
			break;
		default:
			printf("usage: %s [--seconds S] [--no-iceoryx] [--rare-only]\n", argv[0]);
			return o == 'h' ? 0 : 2;
		}
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		fprintf(stderr, "mapped-bench: one CPU only: spinning figures mean little\n");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm }, NULL);
	calibrate_tsc();
	printf("mapped-bench: %.1f s per case, TSC %.3f GHz, iceoryx %s\n", seconds, tsc_per_ns,
	       use_iceoryx ? "on" : "off");
	if (rare_only) {
		rare_case();
		printf("info: mapped: rare messages (one per 2 ms, default spin): receiver CPU %.1f us per message\n",
		       rare_cpu_us);
		return errors ? 1 : 0;
	}
	for (int t = 0; t < T_COUNT; t++) {
		run_case(t, true);
		run_case(t, false);
		fflush(stdout);
	}
	run_case_on(T_SEQPACKET, false, 0, &rtt_seq_same);
	rare_case();
	report();
	return errors ? 1 : 0;
}
