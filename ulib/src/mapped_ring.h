/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The single-producer/single-consumer ring of a mapped channel, with no
 * system call in it: liblogos's mapped.c wraps it with the kernel's
 * doorbells, and tests/unit/mapped_ring_test.c runs it between threads
 * under ThreadSanitizer. Header-only so both build the same code.
 *
 * The shared header (struct logos_mapped_ring) and the slots are memory
 * the peer can write at any time. So:
 * - each side keeps its own index privately (the producer its tail, the
 *   consumer its head) and only publishes it; what it reads back from the
 *   ring is the other side's index, validated before use;
 * - the geometry comes from the kernel's read-only control page, copied
 *   into this private structure once;
 * - a slot's len and flags are read once into locals and checked against
 *   the geometry before any byte is copied.
 * A failed check makes the ring "corrupt" for good: every later call
 * fails with -EBADMSG, nothing is read out of bounds.
 *
 * Memory ordering (C11):
 * - producer: writes the slot with plain stores, then stores tail with
 *   memory_order_seq_cst (at least release);
 *   consumer: atomic_load_explicit(&tail, memory_order_acquire), then
 *   reads the slot: the slot's bytes happen-before its reading.
 * - consumer: reads the slot, then stores head (seq_cst, at least release);
 *   producer: loads head with memory_order_acquire before reusing a slot:
 *   the consumer's reads happen-before the producer's overwrite.
 * - wake-up (Dekker): the sleeper stores its *_sleeping flag = 1 and then
 *   loads the other side's index; the waker stores its index and then
 *   loads the flag; all four accesses are memory_order_seq_cst, so they
 *   fall in one total order and at least one side sees the other's
 *   store: the sleeper finds the new index and does not sleep, or the
 *   waker finds the flag and rings. (seq_cst accesses rather than
 *   fences, so ThreadSanitizer understands them; on x86 the stores are
 *   an xchg, as a fence would be.) The waker takes the flag with an
 *   exchange to 0, so one ring per sleep. tests/model/wakeup.pml checks
 *   the protocol with spin.
 */
#ifndef LOGOS_MAPPED_RING_H
#define LOGOS_MAPPED_RING_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linux/logos.h>

struct logos__ring {
	_Atomic uint64_t *head;		/* shared */
	_Atomic uint64_t *tail;		/* shared */
	_Atomic uint32_t *consumer_sleeping;
	_Atomic uint32_t *producer_sleeping;
	uint8_t *slots;			/* shared */
	uint32_t slot_size;		/* from the control page */
	uint32_t nr_slots;
	uint64_t mine;			/* producer: tail; consumer: head (private) */
	uint64_t seen;			/* last validated index of the other side */
	bool corrupt;
};

static inline uint32_t logos__ring_payload_max(const struct logos__ring *r)
{
	return r->slot_size - LOGOS_MAPPED_SLOT_HDR;
}

/*
 * @base: the ring's header in the mapping; @slot_size, @nr_slots from the
 * control page, already checked (powers of two, in range, inside the map).
 * @producer: which end this process is. Our own index starts from what the
 * ring holds: a fresh ring is zero, and a peer cannot gain anything by
 * lying here, it only corrupts its own channel.
 */
static inline void logos__ring_init(struct logos__ring *r, void *base, uint32_t slot_size,
				    uint32_t nr_slots, bool producer)
{
	struct logos_mapped_ring *h = base;

	memset(r, 0, sizeof(*r));
	r->head = (_Atomic uint64_t *)&h->head;
	r->tail = (_Atomic uint64_t *)&h->tail;
	r->consumer_sleeping = (_Atomic uint32_t *)&h->consumer_sleeping;
	r->producer_sleeping = (_Atomic uint32_t *)&h->producer_sleeping;
	r->slots = (uint8_t *)base + LOGOS_MAPPED_RING_HDR;
	r->slot_size = slot_size;
	r->nr_slots = nr_slots;
	r->mine = atomic_load_explicit(producer ? r->tail : r->head, memory_order_relaxed);
	r->seen = r->mine;
}

static inline uint8_t *logos__ring_slot(const struct logos__ring *r, uint64_t index)
{
	return r->slots + (size_t)(index & (r->nr_slots - 1)) * r->slot_size;
}

/* Producer: free slots now (0: full), or -EBADMSG for an impossible head. */
static inline int64_t logos__ring_room_mo(struct logos__ring *r, memory_order mo)
{
	uint64_t head, used;

	if (r->corrupt)
		return -EBADMSG;
	head = atomic_load_explicit(r->head, mo);
	used = r->mine - head;
	if (used > r->nr_slots) {
		r->corrupt = true;
		return -EBADMSG;
	}
	r->seen = head;
	return r->nr_slots - used;
}

/* Consumer: published slots now (0: empty), or -EBADMSG. */
static inline int64_t logos__ring_avail_mo(struct logos__ring *r, memory_order mo)
{
	uint64_t tail, avail;

	if (r->corrupt)
		return -EBADMSG;
	tail = atomic_load_explicit(r->tail, mo);
	avail = tail - r->mine;
	if (avail > r->nr_slots) {
		r->corrupt = true;
		return -EBADMSG;
	}
	r->seen = tail;
	return avail;
}

static inline int64_t logos__ring_room(struct logos__ring *r)
{
	return logos__ring_room_mo(r, memory_order_acquire);
}

static inline int64_t logos__ring_avail(struct logos__ring *r)
{
	return logos__ring_avail_mo(r, memory_order_acquire);
}

/* Producer: the k-th unpublished slot's header (room must be checked). */
static inline void logos__ring_fill(struct logos__ring *r, uint32_t k, const void *data,
				    uint32_t len, uint32_t flags)
{
	uint8_t *slot = logos__ring_slot(r, r->mine + k);
	struct logos_mapped_slot hdr = { .len = len, .flags = flags };

	memcpy(slot, &hdr, sizeof(hdr));
	if (data && len)
		memcpy(slot + LOGOS_MAPPED_SLOT_HDR, data, len);
}

/* Producer: publishes @n filled slots. True: the consumer asked for a ring. */
static inline bool logos__ring_publish(struct logos__ring *r, uint32_t n)
{
	r->mine += n;
	atomic_store_explicit(r->tail, r->mine, memory_order_seq_cst);
	return atomic_load_explicit(r->consumer_sleeping, memory_order_seq_cst) &&
	       atomic_exchange_explicit(r->consumer_sleeping, 0, memory_order_relaxed);
}

/*
 * Consumer: the k-th published slot, validated. Returns its payload length
 * and points *@data at the payload (in shared memory: copy it before
 * releasing), or -EBADMSG.
 */
static inline int64_t logos__ring_peek(struct logos__ring *r, uint32_t k, const uint8_t **data,
				       uint32_t *flags)
{
	const uint8_t *slot = logos__ring_slot(r, r->mine + k);
	struct logos_mapped_slot hdr;

	/* One read of each: what is checked is what is used. */
	hdr.len = __atomic_load_n((const uint32_t *)slot, __ATOMIC_RELAXED);
	hdr.flags = __atomic_load_n((const uint32_t *)(slot + 4), __ATOMIC_RELAXED);
	if ((hdr.flags & ~LOGOS_MAPPED_SLOT_GRANT) ||
	    (!(hdr.flags & LOGOS_MAPPED_SLOT_GRANT) && hdr.len > logos__ring_payload_max(r))) {
		r->corrupt = true;
		return -EBADMSG;
	}
	*data = slot + LOGOS_MAPPED_SLOT_HDR;
	*flags = hdr.flags;
	return hdr.len;
}

/* Consumer: gives @n slots back. True: the producer asked for a ring. */
static inline bool logos__ring_release(struct logos__ring *r, uint32_t n)
{
	r->mine += n;
	atomic_store_explicit(r->head, r->mine, memory_order_seq_cst);
	return atomic_load_explicit(r->producer_sleeping, memory_order_seq_cst) &&
	       atomic_exchange_explicit(r->producer_sleeping, 0, memory_order_relaxed);
}

/*
 * Announces that this side will sleep, as consumer (@for_data) or as
 * producer; returns true if it must not (the other side moved meanwhile:
 * the flag is taken back). After a false return the caller sleeps on its
 * doorbell and calls logos__ring_unannounce() when it wakes.
 */
static inline bool logos__ring_announce(struct logos__ring *r, bool for_data)
{
	_Atomic uint32_t *flag = for_data ? r->consumer_sleeping : r->producer_sleeping;
	int64_t n;

	atomic_store_explicit(flag, 1, memory_order_seq_cst);
	n = for_data ? logos__ring_avail_mo(r, memory_order_seq_cst) :
		       logos__ring_room_mo(r, memory_order_seq_cst);
	if (n != 0) {
		atomic_store_explicit(flag, 0, memory_order_relaxed);
		return true;
	}
	return false;
}

static inline void logos__ring_unannounce(struct logos__ring *r, bool for_data)
{
	atomic_store_explicit(for_data ? r->consumer_sleeping : r->producer_sleeping, 0,
			      memory_order_relaxed);
}

#endif /* LOGOS_MAPPED_RING_H */
