/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Publish/subscribe helpers: wire messages on logos.ko topics.
 *
 * A topic is a kernel object: WRITE publishes, READ subscribes. A
 * subscription is a receive-only endpoint that gets every message
 * published after it was made; a memory handle in a published message
 * reaches each subscriber as its own read-only grant. Topic messages are
 * wire messages like any other (a kind of the application's, a method id
 * naming the event), so one subscriber can tell events apart.
 *
 * Thread safety: publishing is one system call (any thread). A
 * subscription attached to a loop is served by the loop's thread, with a
 * receive buffer of its own.
 */
#ifndef LOGOS_PUBSUB_H
#define LOGOS_PUBSUB_H

#include <logos/rpc.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Finishes @w and publishes it on @topic. With LOGOS_TOPIC_BACKPRESSURE a
 * full subscriber makes the publish wait up to @timeout_ns (then -EAGAIN
 * or -ETIMEDOUT, nobody got it). @delivered (may be NULL): subscribers
 * that got it.
 */
LOGOS_API int logos_wire_publish(int fd, logos_handle_t topic, struct logos_wire_writer *w,
				 int64_t timeout_ns, uint32_t *delivered);

struct logos_sub;

/*
 * One decoded message of a subscription. rx->msg.header.dropped tells how
 * many older messages the subscriber lost (LOGOS_TOPIC_DROP_OLDEST).
 * Handles not taken from @rx are closed after the callback.
 */
typedef void (*logos_sub_fn)(struct logos_sub *sub, struct logos_rx *rx, void *arg);

/*
 * Subscribes to @topic on the loop's logos file and calls @fn for every
 * message of kind @kind (0: any kind) from @loop. Malformed messages are
 * dropped and counted. @out names the subscription (for logos_sub_stop()).
 */
LOGOS_API int logos_sub_start(struct logos_loop *loop, logos_handle_t topic, uint16_t kind,
			      logos_sub_fn fn, void *arg, struct logos_sub **out);
/* Unsubscribes (closes the endpoint) and frees. */
LOGOS_API void logos_sub_stop(struct logos_sub *sub);
/* The subscription's endpoint, e.g. for a blocking logos_rx_recv(). */
LOGOS_API logos_handle_t logos_sub_endpoint(const struct logos_sub *sub);
/* Messages dropped because they were malformed or of another kind. */
LOGOS_API uint64_t logos_sub_malformed(const struct logos_sub *sub);
/* Messages the kernel dropped for this subscriber (header.dropped, summed). */
LOGOS_API uint64_t logos_sub_lost(const struct logos_sub *sub);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_PUBSUB_H */
