/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * liblogos IPC: channels (send, receive, call, reply, batches), memory
 * objects (create, map, unmap), topics and watches. Thin typed wrappers:
 * one system call each, thread-safe as described in <logos/core.h>.
 *
 * Messages use struct logos_msg of <linux/logos.h> directly. To send,
 * fill data/data_len and handles/nr_handles (logos_msg_prepare() does it
 * and zeroes the rest); to receive, pass buffers the same way: the kernel
 * writes the sizes and header back, so prepare a buffer again before
 * reusing it. Handles that arrive in a message are now in the receiver's
 * table: close the ones you do not keep.
 */
#ifndef LOGOS_IPC_H
#define LOGOS_IPC_H

#include <logos/core.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Zeroes @m and points it at @data/@len and @handles/@nr_handles. */
static inline void logos_msg_prepare(struct logos_msg *m, void *data, uint32_t len,
				     struct logos_msg_handle *handles, uint32_t nr_handles)
{
	memset(m, 0, sizeof(*m));
	m->data = (uint64_t)(uintptr_t)data;
	m->data_len = len;
	m->handles = (uint64_t)(uintptr_t)handles;
	m->nr_handles = nr_handles;
}

/* ---- channels ------------------------------------------------------- */

/* LOGOS_IOC_CHANNEL_CREATE: 0 for the defaults of logos.ko. */
LOGOS_API int logos_channel_create(int fd, uint32_t max_msgs, uint32_t max_bytes,
				   logos_handle_t *ep0, logos_handle_t *ep1);
/*
 * One message: @len bytes and @nr_handles handles (each with its rights
 * and LOGOS_MSG_HANDLE_MOVE flag). @flags: LOGOS_MSG_URGENT or 0.
 * -EAGAIN when the peer's queue is full and @timeout_ns is 0, -EPIPE when
 * the peer is gone.
 */
LOGOS_API int logos_channel_send(int fd, logos_handle_t ep, const void *data, size_t len,
				 const struct logos_msg_handle *handles, uint32_t nr_handles,
				 uint32_t flags, int64_t timeout_ns);
/*
 * Up to LOGOS_BATCH_MAX messages in one system call; @done (may be NULL)
 * gets how many went. Returns 0 if at least one went, else the first
 * message's error; only the first may wait.
 */
LOGOS_API int logos_channel_send_batch(int fd, logos_handle_t ep, struct logos_msg *msgs,
				       uint32_t count, int64_t timeout_ns, uint32_t *done);
/*
 * One message into @msg's buffers. -EMSGSIZE (sizes filled in, message
 * left queued) when they are too small; -EAGAIN when nothing is queued
 * and @timeout_ns is 0; -EPIPE when the peer is gone and the queue empty.
 */
LOGOS_API int logos_channel_recv(int fd, logos_handle_t ep, struct logos_msg *msg,
				 int64_t timeout_ns);
/* Up to LOGOS_BATCH_MAX messages; as for send_batch. */
LOGOS_API int logos_channel_recv_batch(int fd, logos_handle_t ep, struct logos_msg *msgs,
				       uint32_t count, int64_t timeout_ns, uint32_t *done);
/*
 * LOGOS_IOC_CHANNEL_CALL: sends @request and waits for its reply in
 * @reply's buffers. Several threads may call on one endpoint at once:
 * the kernel matches each reply to its call. A reply too big for the
 * buffers is destroyed and the call fails with -EMSGSIZE (logos.ko does
 * not report the size it needed): give room for the largest reply.
 * -EPIPE: the server's endpoint closed and the request was never taken
 * (not acted on), or the server closed its endpoint. -EOWNERDEAD: the
 * server took the request and its process (its module file) ended
 * without answering, e.g. it crashed and logosd restarts it: the request
 * may or may not have been acted on; a retry is safe only for idempotent
 * requests. Reported at once (logos.ko ABI 0.3; an older one makes the
 * call wait for its timeout instead).
 */
LOGOS_API int logos_channel_call(int fd, logos_handle_t ep, const struct logos_msg *request,
				 struct logos_msg *reply, int64_t timeout_ns);
/* LOGOS_IOC_CHANNEL_REPLY to the call whose header.txn_id is @txn_id. */
LOGOS_API int logos_channel_reply(int fd, logos_handle_t ep, uint64_t txn_id,
				  const struct logos_msg *reply);
/*
 * Replies and receives the next message in one system call. When the
 * reply went out but the receive failed, the receive's error is returned
 * and *@replied (may be NULL) is 1. On -EMSGSIZE from the receive the
 * message stays queued; receive it with bigger buffers.
 */
LOGOS_API int logos_channel_reply_recv(int fd, logos_handle_t ep, uint64_t txn_id,
				       const struct logos_msg *reply, struct logos_msg *next,
				       int64_t timeout_ns, int *replied);

/* ---- memory objects ------------------------------------------------- */

/* LOGOS_IOC_MEM_CREATE: @size rounded up to pages; @actual may be NULL. */
LOGOS_API int logos_mem_create(int fd, size_t size, logos_handle_t *mem, size_t *actual);
/* LOGOS_IOC_MEM_INFO (needs READ). */
LOGOS_API int logos_mem_get_info(int fd, logos_handle_t mem, struct logos_mem_info *info);
/*
 * mmap(2) of @mem through @fd: MAP_SHARED, @prot PROT_READ and/or
 * PROT_WRITE (needing MAP_READ / MAP_WRITE). @len 0 maps the whole object
 * (which needs READ to learn its size). The mapping outlives the handle;
 * it dies (SIGBUS on access) when a handle it derives from is revoked.
 */
LOGOS_API int logos_mem_map(int fd, logos_handle_t mem, size_t len, int prot, void **addr);
/* munmap(2). */
LOGOS_API int logos_mem_unmap(void *addr, size_t len);

/* ---- topics --------------------------------------------------------- */

/*
 * LOGOS_IOC_TOPIC_CREATE: @policy LOGOS_TOPIC_BACKPRESSURE or
 * LOGOS_TOPIC_DROP_OLDEST; @max_msgs 0 for the default queue bound.
 */
LOGOS_API int logos_topic_create(int fd, uint32_t policy, uint32_t max_msgs,
				 logos_handle_t *topic);
/* LOGOS_IOC_TOPIC_SUBSCRIBE: @ep receives what is published from now on. */
LOGOS_API int logos_topic_subscribe(int fd, logos_handle_t topic, logos_handle_t *ep);
/*
 * LOGOS_IOC_TOPIC_PUBLISH. Handles must be memory objects (each
 * subscriber gets a read-only grant). @delivered and @dropped may be NULL.
 */
LOGOS_API int logos_topic_publish(int fd, logos_handle_t topic, const void *data, size_t len,
				  const struct logos_msg_handle *handles, uint32_t nr_handles,
				  int64_t timeout_ns, uint32_t *delivered, uint32_t *dropped);

/* ---- watches -------------------------------------------------------- */

/*
 * LOGOS_IOC_WATCH: report @h (needs READ) when one of @signals is set.
 * @flags: LOGOS_WATCH_ONESHOT or 0. @fd becomes readable (poll/epoll)
 * while a watch is ready. Most programs use a loop (<logos/loop.h>).
 */
LOGOS_API int logos_watch_add(int fd, logos_handle_t h, uint32_t signals, uint32_t flags,
			      uint64_t key);
/* Removes the watch with @key: -ENOENT if there is none (any more). */
LOGOS_API int logos_watch_remove(int fd, uint64_t key);
/* LOGOS_IOC_WATCH_READ: up to @count reports; @ready gets how many. */
LOGOS_API int logos_watch_read(int fd, struct logos_watch_report *reports, uint32_t count,
			       int64_t timeout_ns, uint32_t *ready);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_IPC_H */
