// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the mapped-channel ring (ulib/src/mapped_ring.h) between
 * threads, built with -fsanitize=thread: ThreadSanitizer reports any data
 * race the memory ordering leaves, and a report fails the test (exitcode).
 * The kernel's doorbell is emulated by a level-triggered bit under a
 * mutex (set by the waker, waited for and cleared by the sleeper), which
 * is what LOGOS_SIGNAL_DOORBELL and LOGOS_IOC_MAPPED_WAIT are.
 */
#include <pthread.h>
#include <stdlib.h>

#include "mapped_ring.h"

#include "kselftest_harness.h"

/* TSan: a race report makes the process (this test) fail. */
const char *__tsan_default_options(void)
{
	return "halt_on_error=1:exitcode=66";
}

struct bell {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int rung;
};

static void bell_ring(struct bell *b)
{
	pthread_mutex_lock(&b->lock);
	b->rung = 1;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void bell_wait(struct bell *b)
{
	pthread_mutex_lock(&b->lock);
	while (!b->rung)
		pthread_cond_wait(&b->cond, &b->lock);
	b->rung = 0;
	pthread_mutex_unlock(&b->lock);
}

#define SLOT	64
struct shared {
	_Alignas(64) uint8_t mem[LOGOS_MAPPED_RING_HDR + 8 * SLOT];
};

/* One direction: a producer thread and a consumer thread, each with a bell. */
struct pipe {
	struct shared *sh;
	uint32_t nr_slots;
	struct bell bell[2];		/* 0: the producer's, 1: the consumer's */
	uint64_t count;
	int batch;
	int err;
};

static uint64_t payload(uint64_t i)
{
	return i * 0x9e3779b97f4a7c15ULL ^ 0x5555;
}

static void *producer(void *arg)
{
	struct pipe *p = arg;
	struct logos__ring r;
	uint64_t i = 0, v;
	int64_t room;

	logos__ring_init(&r, p->sh->mem, SLOT, p->nr_slots, true);
	while (i < p->count) {
		room = logos__ring_room(&r);
		if (room < 0) {
			p->err = (int)room;
			return NULL;
		}
		if (!room) {
			if (!logos__ring_announce(&r, false)) {
				bell_wait(&p->bell[0]);
				logos__ring_unannounce(&r, false);
			}
			continue;
		}
		uint32_t n = 0;

		while (n < room && n < (uint32_t)p->batch && i < p->count) {
			v = payload(i);
			logos__ring_fill(&r, n++, &v, (uint32_t)(8 + i % 40), 0);
			i++;
		}
		if (logos__ring_publish(&r, n))
			bell_ring(&p->bell[1]);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct pipe *p = arg;
	struct logos__ring r;
	const uint8_t *data;
	uint64_t i = 0, v;
	uint32_t flags;
	int64_t avail, len;

	logos__ring_init(&r, p->sh->mem, SLOT, p->nr_slots, false);
	while (i < p->count) {
		avail = logos__ring_avail(&r);
		if (avail < 0) {
			p->err = (int)avail;
			return NULL;
		}
		if (!avail) {
			if (!logos__ring_announce(&r, true)) {
				bell_wait(&p->bell[1]);
				logos__ring_unannounce(&r, true);
			}
			continue;
		}
		for (int64_t k = 0; k < avail; k++) {
			len = logos__ring_peek(&r, (uint32_t)k, &data, &flags);
			if (len != (int64_t)(8 + (i + k) % 40)) {
				p->err = -EBADMSG;
				return NULL;
			}
			memcpy(&v, data, 8);
			if (v != payload(i + k)) {
				p->err = -EIO;
				return NULL;
			}
		}
		i += (uint64_t)avail;
		if (logos__ring_release(&r, (uint32_t)avail))
			bell_ring(&p->bell[0]);
	}
	return NULL;
}

static int run_pipe(uint32_t nr_slots, uint64_t count, int batch)
{
	struct pipe p = { .nr_slots = nr_slots, .count = count, .batch = batch };
	pthread_t a, b;

	p.sh = aligned_alloc(64, sizeof(*p.sh));
	memset(p.sh, 0, sizeof(*p.sh));
	for (int i = 0; i < 2; i++) {
		pthread_mutex_init(&p.bell[i].lock, NULL);
		pthread_cond_init(&p.bell[i].cond, NULL);
		p.bell[i].rung = 0;
	}
	pthread_create(&a, NULL, producer, &p);
	pthread_create(&b, NULL, consumer, &p);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	free(p.sh);
	return p.err;
}

TEST(stream_through_a_two_slot_ring_every_message_checked)
{
	EXPECT_EQ(0, run_pipe(2, 200000, 1));
}

TEST(stream_in_batches_through_eight_slots)
{
	EXPECT_EQ(0, run_pipe(8, 300000, 8));
}

struct side {
	struct logos__ring tx, rx;
	struct bell *mine, *peer;
	int rounds, err;
	bool echo;
};

/* Round trips: each side sleeps on one bell for data and for room. */
static void *pingpong(void *arg)
{
	struct side *s = arg;
	const uint8_t *data;
	uint32_t flags;
	uint64_t v = 0;

	for (int i = 0; i < s->rounds; i++) {
		for (int step = 0; step < 2; step++) {
			bool sending = (step == 0) != s->echo;
			struct logos__ring *r = sending ? &s->tx : &s->rx;

			for (;;) {
				int64_t n = sending ? logos__ring_room(r) : logos__ring_avail(r);

				if (n < 0) {
					s->err = (int)n;
					return NULL;
				}
				if (n)
					break;
				if (!logos__ring_announce(r, !sending)) {
					bell_wait(s->mine);
					logos__ring_unannounce(r, !sending);
				}
			}
			if (sending) {
				logos__ring_fill(r, 0, &v, 8, 0);
				if (logos__ring_publish(r, 1))
					bell_ring(s->peer);
			} else {
				if (logos__ring_peek(r, 0, &data, &flags) != 8) {
					s->err = -EBADMSG;
					return NULL;
				}
				memcpy(&v, data, 8);
				v++;
				if (logos__ring_release(r, 1))
					bell_ring(s->peer);
			}
		}
	}
	return NULL;
}

TEST(round_trips_with_both_sides_sleeping_on_one_bell_each)
{
	struct shared *ring[2];
	struct bell bells[2];
	struct side s[2];
	pthread_t t[2];

	for (int i = 0; i < 2; i++) {
		ring[i] = aligned_alloc(64, sizeof(struct shared));
		memset(ring[i], 0, sizeof(struct shared));
		pthread_mutex_init(&bells[i].lock, NULL);
		pthread_cond_init(&bells[i].cond, NULL);
		bells[i].rung = 0;
	}
	for (int i = 0; i < 2; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		logos__ring_init(&s[i].tx, ring[i]->mem, SLOT, 2, true);
		logos__ring_init(&s[i].rx, ring[!i]->mem, SLOT, 2, false);
		s[i].mine = &bells[i];
		s[i].peer = &bells[!i];
		s[i].rounds = 20000;
		s[i].echo = i == 1;
	}
	pthread_create(&t[0], NULL, pingpong, &s[0]);
	pthread_create(&t[1], NULL, pingpong, &s[1]);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	EXPECT_EQ(0, s[0].err);
	EXPECT_EQ(0, s[1].err);
	free(ring[0]);
	free(ring[1]);
}

TEST(impossible_indices_and_lengths_are_corrupt_for_good)
{
	struct shared *sh = aligned_alloc(64, sizeof(*sh));
	struct logos_mapped_ring *h = (void *)sh->mem;
	struct logos__ring c, p;
	const uint8_t *data;
	uint32_t flags;

	memset(sh, 0, sizeof(*sh));
	logos__ring_init(&c, sh->mem, SLOT, 8, false);
	h->tail = 9;			/* more than the ring holds */
	EXPECT_EQ(-EBADMSG, logos__ring_avail(&c));
	h->tail = 1;
	EXPECT_EQ(-EBADMSG, logos__ring_avail(&c));

	memset(sh, 0, sizeof(*sh));
	logos__ring_init(&c, sh->mem, SLOT, 8, false);
	h->tail = 1;
	((struct logos_mapped_slot *)(sh->mem + LOGOS_MAPPED_RING_HDR))->len = SLOT - 7;
	EXPECT_EQ(1, logos__ring_avail(&c));
	EXPECT_EQ(-EBADMSG, logos__ring_peek(&c, 0, &data, &flags));
	EXPECT_EQ(-EBADMSG, logos__ring_avail(&c));

	memset(sh, 0, sizeof(*sh));
	logos__ring_init(&c, sh->mem, SLOT, 8, false);
	h->tail = 1;
	((struct logos_mapped_slot *)(sh->mem + LOGOS_MAPPED_RING_HDR))->flags = 0x10;
	EXPECT_EQ(-EBADMSG, logos__ring_peek(&c, 0, &data, &flags));

	/* The producer: a head ahead of its own tail. */
	memset(sh, 0, sizeof(*sh));
	logos__ring_init(&p, sh->mem, SLOT, 8, true);
	EXPECT_EQ(8, logos__ring_room(&p));
	h->head = 3;
	EXPECT_EQ(-EBADMSG, logos__ring_room(&p));
	free(sh);
}

TEST(a_full_ring_has_no_room_and_never_overwrites)
{
	struct shared *sh = aligned_alloc(64, sizeof(*sh));
	struct logos__ring c, p;
	const uint8_t *data = NULL;
	uint32_t flags;
	uint64_t v;

	memset(sh, 0, sizeof(*sh));
	logos__ring_init(&p, sh->mem, SLOT, 4, true);
	logos__ring_init(&c, sh->mem, SLOT, 4, false);
	for (v = 0; v < 4; v++)
		logos__ring_fill(&p, (uint32_t)v, &v, 8, 0);
	logos__ring_publish(&p, 4);
	EXPECT_EQ(0, logos__ring_room(&p));
	EXPECT_EQ(4, logos__ring_avail(&c));
	EXPECT_EQ(8, logos__ring_peek(&c, 0, &data, &flags));
	memcpy(&v, data, 8);
	EXPECT_EQ(0, v);
	logos__ring_release(&c, 1);
	EXPECT_EQ(1, logos__ring_room(&p));
	free(sh);
}

TEST_HARNESS_MAIN
