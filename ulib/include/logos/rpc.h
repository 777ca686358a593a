/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Messaging on top of the wire format: receiving and decoding a message
 * (struct logos_rx), sending a written one, request/response by method id
 * (client call, server dispatch table).
 *
 * A request is a LOGOS_IOC_CHANNEL_CALL whose bytes are a wire message of
 * the service's kind (>= LOGOS_KIND_SERVICE_MIN) and a method id; the
 * reply has the same kind and method and LOGOS_WIRE_F_REPLY, plus
 * LOGOS_WIRE_F_ERROR with an errno and a text when the call failed.
 *
 * Handles that arrive in a message belong to the receiver: the rx keeps
 * them until you take them (logos_rx_take_handle()) and closes the rest
 * when it is released, reused or freed, so nothing leaks.
 *
 * Thread safety: an rx, a writer and a server are used by one thread at a
 * time. Several threads may call on the same endpoint at once, each with
 * its own rx (the kernel matches replies to calls). To serve one endpoint
 * from several threads, give each thread its own server (they may share
 * the method table and the endpoint).
 */
#ifndef LOGOS_RPC_H
#define LOGOS_RPC_H

#include <logos/ipc.h>
#include <logos/loop.h>
#include <logos/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A received message: about 66 KiB, allocate it (logos_rx_new()). */
struct logos_rx {
	int fd;				/* the logos file it arrived on */
	struct logos_msg msg;		/* sizes and the kernel's header */
	struct logos_wire wire;		/* the decoded bytes */
	uint64_t taken;			/* bit i: handles[i] is the caller's now */
	char error_text[128];		/* an error reply's text (logos_rpc_call()) */
	struct logos_msg_handle handles[LOGOS_MSG_MAX_HANDLES];
	uint8_t data[LOGOS_MSG_MAX_BYTES];
};

LOGOS_API struct logos_rx *logos_rx_new(void);
/* Releases (see below) and frees; NULL is fine. */
LOGOS_API void logos_rx_free(struct logos_rx *rx);
/*
 * Receives one message on @ep and decodes it. A previous message in @rx is
 * released first. -EBADMSG when the bytes are malformed: the message was
 * consumed, its handles are closed, and the raw bytes stay in rx->data
 * (rx->msg.data_len of them) and the header in rx->msg.header.
 */
LOGOS_API int logos_rx_recv(int fd, logos_handle_t ep, struct logos_rx *rx, int64_t timeout_ns);
/*
 * Decodes what is in @rx->data (rx->msg filled by the caller, e.g. after
 * logos_channel_recv() into rx->data/rx->handles); as logos_rx_recv().
 */
LOGOS_API int logos_rx_decode(struct logos_rx *rx);
/*
 * The handle of handle field @tag, now the caller's: -ENOENT without such
 * a field, -EBADMSG if it is not a handle, -EALREADY if taken already.
 */
LOGOS_API int logos_rx_take_handle(struct logos_rx *rx, uint8_t tag, logos_handle_t *h);
/* The same by index into the message's handles (for lists). */
LOGOS_API int logos_rx_take_index(struct logos_rx *rx, uint32_t index, logos_handle_t *h);
/* Closes the handles not taken and forgets the message. */
LOGOS_API void logos_rx_release(struct logos_rx *rx);

/*
 * Finishes @w and sends it (with its handles) on @ep. @flags:
 * LOGOS_MSG_URGENT or 0.
 */
LOGOS_API int logos_wire_send(int fd, logos_handle_t ep, struct logos_wire_writer *w,
			      uint32_t flags, int64_t timeout_ns);

/* ---- client --------------------------------------------------------- */

/*
 * Finishes @req, calls on @ep and decodes the reply into @reply. Returns 0
 * for a successful reply; the negative errno of an error reply (its text
 * in reply->error_text); -EBADMSG when the answer is malformed or not a
 * reply of the same kind and method; or the call's own error, among them
 * -EOWNERDEAD: the provider took the request and died before answering
 * (it may or may not have been carried out; under logosd the endpoint
 * stays usable and the next call goes to the restarted instance), and
 * -EPIPE: the channel is closed. See logos_channel_call().
 */
LOGOS_API int logos_rpc_call(int fd, logos_handle_t ep, struct logos_wire_writer *req,
			     struct logos_rx *reply, int64_t timeout_ns);

/* ---- replies (servers, and anyone answering a call) ----------------- */

/* Starts a reply to @request in @buf: same kind and method, F_REPLY. */
LOGOS_API void logos_rpc_reply_init(struct logos_wire_writer *w, void *buf, size_t cap,
				    const struct logos_wire *request);
/* Sends @w as the reply to the call with transaction @txn_id. */
LOGOS_API int logos_rpc_reply(int fd, logos_handle_t ep, uint64_t txn_id,
			      struct logos_wire_writer *w);
/* Sends an error reply: @err (negative or positive errno) and @text (may be NULL). */
LOGOS_API int logos_rpc_reply_error(int fd, logos_handle_t ep, uint64_t txn_id, uint16_t kind,
				    uint32_t method, int err, const char *text);

/* ---- server --------------------------------------------------------- */

struct logos_rpc_server;

struct logos_rpc_request {
	int fd;
	logos_handle_t ep;		/* the endpoint it arrived on */
	struct logos_rx *rx;		/* rx->wire: fields; rx->msg.header: sender */
	const char *error_text;		/* a failing handler may set it */
};

/*
 * A method: fill @reply (already started) and return 0, or return a
 * negative errno to send an error reply instead, or LOGOS_RPC_NO_REPLY
 * when the handler answered itself (or the call needs no answer).
 */
typedef int (*logos_rpc_fn)(struct logos_rpc_request *req, struct logos_wire_writer *reply,
			    void *arg);
#define LOGOS_RPC_NO_REPLY	1

struct logos_rpc_method {
	uint32_t id;
	logos_rpc_fn fn;
};

/* A message that is not a call (a notification) of the server's kind. */
typedef void (*logos_rpc_notify_fn)(struct logos_rpc_request *req, void *arg);
/* An endpoint attached with logos_rpc_attach() whose peer went away. */
typedef void (*logos_rpc_close_fn)(struct logos_rpc_server *srv, logos_handle_t ep, void *arg);

struct logos_rpc_stats {
	uint64_t calls;		/* answered by a method (successfully or not) */
	uint64_t refused;	/* unknown kind or method: EOPNOTSUPP */
	uint64_t malformed;	/* dropped, or answered EBADMSG */
	uint64_t notifications;
};

/*
 * A server of message kind @kind with @count methods (the table is not
 * copied: keep it alive). @arg is passed to every callback.
 */
LOGOS_API int logos_rpc_server_new(uint16_t kind, const struct logos_rpc_method *methods,
				   size_t count, void *arg, struct logos_rpc_server **srv);
LOGOS_API void logos_rpc_server_free(struct logos_rpc_server *srv);
LOGOS_API void logos_rpc_server_on_notify(struct logos_rpc_server *srv, logos_rpc_notify_fn fn);
LOGOS_API void logos_rpc_server_on_close(struct logos_rpc_server *srv, logos_rpc_close_fn fn);
LOGOS_API void logos_rpc_server_stats(const struct logos_rpc_server *srv,
				      struct logos_rpc_stats *stats);
/*
 * Receives one message on @ep and handles it. 0 when one was handled
 * (malformed and refused ones included), -EAGAIN/-ETIMEDOUT when none
 * came, -EPIPE when the peer is gone, or a receive error.
 */
LOGOS_API int logos_rpc_serve(struct logos_rpc_server *srv, int fd, logos_handle_t ep,
			      int64_t timeout_ns);
/*
 * Serves @ep from @loop (on the loop's logos file): every message is
 * handled as it comes. The server owns @ep from now on: when the peer is
 * gone, the watch ends, the close callback runs and @ep is closed.
 */
LOGOS_API int logos_rpc_attach(struct logos_rpc_server *srv, struct logos_loop *loop,
			       logos_handle_t ep);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_RPC_H */
