/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * liblogos mapped channels: lock-free shared-memory rings between two
 * modules, with the kernel only for setup, sleeping and teardown
 * (ABI 0.2, LOGOS_FEATURE_MAPPED; the model is in Documentation/ipc.md,
 * "Mapped channels").
 *
 * A mapped channel carries byte messages in both directions. While both
 * sides are busy a message costs no system call: it is copied into a
 * fixed-size slot of a ring in memory both processes map, and the index
 * is published with a release store. A side that finds nothing to
 * receive (or no room to send) spins a little, then says in the ring that
 * it sleeps and sleeps on its doorbell in logos.ko; the other side rings
 * it (one system call) only when it saw that announcement, and the
 * announcement is fenced so a wake-up is never lost (checked with spin:
 * tests/model/wakeup.pml). A message larger than a slot travels as a
 * memory object on the channel's companion logos channel, referenced
 * from its slot.
 *
 * Setup, in the module that creates it:
 *	logos_mapped_create(fd, 0, 0, &mc);
 *	logos_mapped_offer(mc, ep, LONG);	// to the peer, over a channel
 * and in the peer:
 *	logos_mapped_accept(fd, ep, LONG, &mc);
 * Both modules need LOGOS_MODULE_ALLOW_MAPPED (logosd grants it by trust
 * level; see Documentation/configuration.md); otherwise -EPERM.
 *
 * Errors of the data calls: -EAGAIN (nothing to receive / ring full, and
 * the timeout was 0), -ETIMEDOUT, -EINTR, -EMSGSIZE (receive buffer too
 * small: the message stays, its length is returned through *@need where
 * asked), -EPIPE (the peer closed and everything it sent was received),
 * -EKEYREVOKED (the channel was revoked; what was already received
 * stays), -EBADMSG (the peer corrupted the shared ring: the channel is
 * dead, nothing was read out of bounds).
 *
 * Thread safety: one thread may send and one (other or the same) thread
 * may receive on a channel at a time; the structure itself is not locked.
 */
#ifndef LOGOS_MAPPED_H
#define LOGOS_MAPPED_H

#include <logos/core.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct logos_mapped;

/*
 * LOGOS_IOC_MAPPED_CREATE plus a companion channel for large payloads;
 * maps side 0. @slot_size and @nr_slots: powers of two (0: the defaults,
 * 64 B and 1024 slots); a slot carries slot_size - 8 payload bytes.
 */
LOGOS_API int logos_mapped_create(int fd, uint32_t slot_size, uint32_t nr_slots,
				  struct logos_mapped **mc);
/*
 * Sends the peer's two handles (the side-1 endpoint and the companion
 * channel's other end) in one message on the channel endpoint @ep, each
 * derived from ours: logos_mapped_revoke_peer() can take them back.
 */
LOGOS_API int logos_mapped_offer(struct logos_mapped *mc, logos_handle_t ep,
				 int64_t timeout_ns);
/* Receives an offer on @ep and maps side 1 (-EPROTO: not an offer). */
LOGOS_API int logos_mapped_accept(int fd, logos_handle_t ep, int64_t timeout_ns,
				  struct logos_mapped **mc);
/*
 * Opens a side from handles obtained otherwise (given by a supervisor):
 * @mapped a mapped endpoint, @companion the channel endpoint paired with
 * it (LOGOS_HANDLE_INVALID: no large payloads). Takes both handles over.
 */
LOGOS_API int logos_mapped_open(int fd, logos_handle_t mapped, logos_handle_t companion,
				struct logos_mapped **mc);
/* Unmaps and closes everything; the peer sees -EPIPE once it drained. */
LOGOS_API void logos_mapped_close(struct logos_mapped *mc);
/* Revokes the handles offered to the peer: the channel ends for both. */
LOGOS_API int logos_mapped_revoke_peer(struct logos_mapped *mc);

/*
 * Sends one message of @len bytes. @timeout_ns: 0 fails with -EAGAIN when
 * the ring is full, otherwise spins, then sleeps for room. Larger than a
 * slot: sent as a memory object (up to LOGOS_MEM_MAX_PAGES pages).
 */
LOGOS_API int logos_mapped_send(struct logos_mapped *mc, const void *data, size_t len,
				int64_t timeout_ns);
/*
 * Sends up to @count messages, with one publish and at most one ring for
 * all of them; *@sent (may be NULL) gets how many went. Returns 0 if at
 * least one went, else the error of the first. Only the first may wait.
 */
LOGOS_API int logos_mapped_send_batch(struct logos_mapped *mc, const struct iovec *msgs,
				      uint32_t count, int64_t timeout_ns, uint32_t *sent);
/*
 * Receives one message into @buf (@cap bytes); returns its length.
 * -EMSGSIZE: too small, *@need (may be NULL) gets the length, the
 * message stays.
 */
LOGOS_API int logos_mapped_recv(struct logos_mapped *mc, void *buf, size_t cap, size_t *need,
				int64_t timeout_ns);
/*
 * Receives up to @count messages into @bufs (iov_len in: room; out: the
 * length); returns how many (>= 1) or the first one's error. Only the
 * first may wait; a message too big for its buffer ends the batch there.
 */
LOGOS_API int logos_mapped_recv_batch(struct logos_mapped *mc, struct iovec *bufs,
				      uint32_t count, int64_t timeout_ns);

/*
 * Event loops. logos_mapped_handle() is the endpoint to watch
 * (logos_loop_watch() with LOGOS_MAPPED_WATCH_SIGNALS): the module file
 * becomes readable when the peer rings or goes away. The pattern:
 *	on the watch:	logos_mapped_ack(mc);
 *			while ((n = logos_mapped_recv(mc, ..., 0)) >= 0) use it;
 *			if (n == -EAGAIN && logos_mapped_arm(mc) > 0) run again;
 * logos_mapped_arm() announces the sleep; it returns 1 when a message
 * arrived meanwhile (receive again instead of returning to the loop), 0
 * when the peer will ring, or an error.
 */
#define LOGOS_MAPPED_WATCH_SIGNALS (LOGOS_SIGNAL_DOORBELL | LOGOS_SIGNAL_PEER_CLOSED)
LOGOS_API logos_handle_t logos_mapped_handle(const struct logos_mapped *mc);
LOGOS_API int logos_mapped_arm(struct logos_mapped *mc);
/* Clears the doorbell (LOGOS_IOC_MAPPED_WAIT with timeout 0). */
LOGOS_API int logos_mapped_ack(struct logos_mapped *mc);

/*
 * How long a side spins at most before it sleeps (default 20000 ns; 0
 * never spins; -1 never sleeps: pure busy polling). A positive spin
 * adapts: it halves each time the side then slept longer than @spin_ns
 * (down to none: an idle peer costs no spinning), and doubles back when
 * the peer answers within it.
 */
LOGOS_API void logos_mapped_set_spin(struct logos_mapped *mc, int64_t spin_ns);
/* Pins the calling thread to @cpu (sched_setaffinity); -1 undoes it. */
LOGOS_API int logos_mapped_set_affinity(int cpu);
/*
 * The kernel's status word (LOGOS_MAPPED_CLOSED()/_REVOKED() bits), and
 * this side (0 or 1). @side may be NULL.
 */
LOGOS_API uint32_t logos_mapped_status(const struct logos_mapped *mc, uint32_t *side);
/* Payload bytes a slot carries inline. */
LOGOS_API uint32_t logos_mapped_slot_payload(const struct logos_mapped *mc);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_MAPPED_H */
