/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * The wake-up protocol of mapped channels (ulib/src/mapped_ring.h,
 * ulib/src/mapped.c, kmod/mapped.c), checked with spin by tests/model/run.
 *
 * Two sides; side s produces into ring s and consumes ring 1-s. Each
 * ring has a head (consumer), a tail (producer) and two flags: csleep
 * (its consumer announced it sleeps for data) and psleep (its producer
 * announced it sleeps for room). Each side has one doorbell, bell[s]:
 * the kernel's LOGOS_SIGNAL_DOORBELL on its attachment, set by the
 * peer's LOGOS_IOC_MAPPED_NOTIFY, waited for and cleared by
 * LOGOS_IOC_MAPPED_WAIT (one atomic step: the kernel re-checks the signal
 * with the task queued, so a ring between check and sleep is not lost).
 *
 * The code uses seq_cst fences between "store my index / flag" and
 * "load the other's flag / index" (Dekker); spin's interleavings are
 * sequentially consistent, which is what those fences give. BROKEN_ORDER
 * models a missing fence: the producer's load of csleep passes its store
 * of tail (store buffering), i.e. the load happens first. BROKEN_NOCHECK
 * drops the consumer's re-check after announcing. Both must be caught as
 * invalid end states (a side asleep for ever: a lost wake-up).
 *
 * -DSTREAM: side 0 sends N messages, side 1 receives them (the full-ring
 * path with SLOTS 1); default: N round trips (both sides sleep).
 */
#ifndef N
#define N 3
#endif
#define SLOTS 1

byte head[2], tail[2];
bit csleep[2], psleep[2];
bit bell[2];
byte got[2];

/* The producer of ring s publishes, then takes csleep and rings side 1-s. */
inline send(s) {
	do
	:: tail[s] - head[s] < SLOTS ->
#ifdef BROKEN_ORDER
		atomic { if :: csleep[s] -> csleep[s] = 0; w = 1 :: else -> w = 0 fi };
		tail[s]++;
#else
		tail[s]++;
		atomic { if :: csleep[s] -> csleep[s] = 0; w = 1 :: else -> w = 0 fi };
#endif
		if :: w -> bell[1 - s] = 1 :: else -> skip fi;
		break
	:: else ->
		psleep[s] = 1;
		if
		:: tail[s] - head[s] < SLOTS -> psleep[s] = 0
		:: else -> atomic { bell[s] == 1 -> bell[s] = 0 }; psleep[s] = 0
		fi
	od
}

/* The consumer of ring 1-s (side s) releases, then takes psleep and rings. */
inline recv(s) {
	do
	:: tail[1 - s] != head[1 - s] ->
		head[1 - s]++;
		got[s]++;
		atomic { if :: psleep[1 - s] -> psleep[1 - s] = 0; w = 1 :: else -> w = 0 fi };
		if :: w -> bell[1 - s] = 1 :: else -> skip fi;
		break
	:: else ->
		csleep[1 - s] = 1;
		if
#ifndef BROKEN_NOCHECK
		:: tail[1 - s] != head[1 - s] -> csleep[1 - s] = 0
#endif
		:: else -> atomic { bell[s] == 1 -> bell[s] = 0 }; csleep[1 - s] = 0
		fi
	od
}

proctype A() {
	byte i;
	bit w;

	for (i : 1 .. N) {
		send(0);
#ifndef STREAM
		recv(0)
#endif
	}
}

proctype B() {
	byte i;
	bit w;

	for (i : 1 .. N) {
		recv(1);
#ifndef STREAM
		send(1)
#endif
	}
}

init {
	run A();
	run B();
	_nr_pr == 1;
#ifdef STREAM
	assert(got[1] == N && got[0] == 0)
#else
	assert(got[0] == N && got[1] == N)
#endif
}
