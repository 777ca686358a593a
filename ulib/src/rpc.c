// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Receiving (struct logos_rx), sending written messages, and
 * request/response: the client call and the dispatching server.
 */
#include "internal.h"

#include <logos/rpc.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- rx ------------------------------------------------------------- */

struct logos_rx *logos_rx_new(void)
{
	struct logos_rx *rx = malloc(sizeof(*rx));

	if (rx) {
		memset(rx, 0, offsetof(struct logos_rx, handles));
		rx->fd = -1;
	}
	return rx;
}

void logos_rx_release(struct logos_rx *rx)
{
	uint32_t i;

	for (i = 0; i < rx->msg.nr_handles && i < LOGOS_MSG_MAX_HANDLES; i++) {
		if (!(rx->taken & (1ULL << i)))
			logos_handle_close(rx->fd, rx->handles[i].handle);
	}
	rx->msg.nr_handles = 0;
	rx->msg.data_len = 0;
	rx->taken = 0;
	memset(&rx->wire, 0, sizeof(rx->wire));
	rx->error_text[0] = 0;
}

void logos_rx_free(struct logos_rx *rx)
{
	if (!rx)
		return;
	logos_rx_release(rx);
	free(rx);
}

/* Points rx->msg at rx's own buffers, for a receive or a call's reply. */
static void rx_prepare(int fd, struct logos_rx *rx)
{
	logos_rx_release(rx);
	rx->fd = fd;
	logos_msg_prepare(&rx->msg, rx->data, sizeof(rx->data), rx->handles,
			  LOGOS_MSG_MAX_HANDLES);
}

int logos_rx_decode(struct logos_rx *rx)
{
	int ret = logos_wire_decode(rx->data, rx->msg.data_len, rx->msg.nr_handles, &rx->wire);

	if (ret) {
		/* Handles of a message nobody can read are nobody's. */
		uint32_t data_len = rx->msg.data_len;
		struct logos_msg_header hdr = rx->msg.header;

		logos_rx_release(rx);
		rx->msg.data_len = data_len;
		rx->msg.header = hdr;
	}
	return ret;
}

int logos_rx_recv(int fd, logos_handle_t ep, struct logos_rx *rx, int64_t timeout_ns)
{
	int ret;

	rx_prepare(fd, rx);
	ret = logos_channel_recv(fd, ep, &rx->msg, timeout_ns);
	if (ret) {
		rx->msg.nr_handles = 0;
		rx->msg.data_len = 0;
		return ret;
	}
	return logos_rx_decode(rx);
}

int logos_rx_take_index(struct logos_rx *rx, uint32_t index, logos_handle_t *h)
{
	if (index >= rx->msg.nr_handles || index >= LOGOS_MSG_MAX_HANDLES)
		return -ENOENT;
	if (rx->taken & (1ULL << index))
		return -EALREADY;
	rx->taken |= 1ULL << index;
	*h = rx->handles[index].handle;
	return 0;
}

int logos_rx_take_handle(struct logos_rx *rx, uint8_t tag, logos_handle_t *h)
{
	uint32_t index;
	int ret = logos_wire_get_handle(&rx->wire, tag, &index);

	return ret ? ret : logos_rx_take_index(rx, index, h);
}

/* ---- sending -------------------------------------------------------- */

static int writer_msg(struct logos_wire_writer *w, struct logos_msg *m)
{
	size_t len;
	int ret = logos_wire_finish(w, &len);

	if (ret)
		return ret;
	logos_msg_prepare(m, w->buf, (uint32_t)len, w->handles, w->nr_handles);
	return 0;
}

int logos_wire_send(int fd, logos_handle_t ep, struct logos_wire_writer *w, uint32_t flags,
		    int64_t timeout_ns)
{
	struct logos_msg m;
	int ret = writer_msg(w, &m);

	if (ret)
		return ret;
	m.flags = flags;
	return logos_channel_send_batch(fd, ep, &m, 1, timeout_ns, NULL);
}

/* ---- client --------------------------------------------------------- */

/* An error reply's errno (negative) and text; -EBADMSG if it has none. */
static int error_of(struct logos_rx *rx)
{
	int32_t err;
	int ret;

	if (logos_wire_get_i32(&rx->wire, LOGOS_WIRE_TAG_ERRNO, &err) || err <= 0)
		return -EBADMSG;
	ret = logos_wire_get_string(&rx->wire, LOGOS_WIRE_TAG_ERRTEXT, rx->error_text,
				    sizeof(rx->error_text));
	if (ret == -ERANGE) {
		/* Keep what fits of a long text. */
		struct logos_wire_field f;
		size_t n;

		logos_wire_find(&rx->wire, LOGOS_WIRE_TAG_ERRTEXT, LOGOS_WIRE_STRING, &f);
		n = sizeof(rx->error_text) - 1;
		memcpy(rx->error_text, f.v.bytes.data, n);
		rx->error_text[n] = 0;
	} else if (ret) {
		rx->error_text[0] = 0;
	}
	return -err;
}

int logos_rpc_call(int fd, logos_handle_t ep, struct logos_wire_writer *req,
		   struct logos_rx *reply, int64_t timeout_ns)
{
	struct logos_msg m;
	uint16_t kind;
	uint32_t method;
	int ret = writer_msg(req, &m);

	if (ret)
		return ret;
	kind = (uint16_t)(req->buf[4] | req->buf[5] << 8);
	method = req->buf[8] | req->buf[9] << 8 | req->buf[10] << 16 | (uint32_t)req->buf[11] << 24;
	rx_prepare(fd, reply);
	ret = logos_channel_call(fd, ep, &m, &reply->msg, timeout_ns);
	if (ret) {
		reply->msg.nr_handles = 0;
		reply->msg.data_len = 0;
		return ret;
	}
	ret = logos_rx_decode(reply);
	if (ret)
		return ret;
	if (!(reply->wire.flags & LOGOS_WIRE_F_REPLY) || reply->wire.kind != kind ||
	    reply->wire.method != method) {
		logos_rx_release(reply);
		return -EBADMSG;
	}
	if (reply->wire.flags & LOGOS_WIRE_F_ERROR)
		return error_of(reply);
	return 0;
}

/* ---- replies -------------------------------------------------------- */

void logos_rpc_reply_init(struct logos_wire_writer *w, void *buf, size_t cap,
			  const struct logos_wire *request)
{
	logos_wire_writer_init(w, buf, cap, request->kind, LOGOS_WIRE_F_REPLY, request->method);
}

int logos_rpc_reply(int fd, logos_handle_t ep, uint64_t txn_id, struct logos_wire_writer *w)
{
	struct logos_msg m;
	int ret = writer_msg(w, &m);

	return ret ? ret : logos_channel_reply(fd, ep, txn_id, &m);
}

int logos_rpc_reply_error(int fd, logos_handle_t ep, uint64_t txn_id, uint16_t kind,
			  uint32_t method, int err, const char *text)
{
	uint8_t buf[512];
	struct logos_wire_writer w;

	logos_wire_writer_init(&w, buf, sizeof(buf), kind, LOGOS_WIRE_F_REPLY | LOGOS_WIRE_F_ERROR,
			       method);
	logos_wire_put_i32(&w, LOGOS_WIRE_TAG_ERRNO, err < 0 ? -err : err);
	if (text && *text) {
		size_t len = strlen(text);

		/* Cut long texts at a character boundary. */
		if (len > 400) {
			len = 400;
			while (len && ((uint8_t)text[len] & 0xC0) == 0x80)
				len--;
		}
		logos_wire_put_string_len(&w, LOGOS_WIRE_TAG_ERRTEXT, text, len);
	}
	return logos_rpc_reply(fd, ep, txn_id, &w);
}

/* ---- server --------------------------------------------------------- */

struct attached {
	logos_handle_t ep;
	uint64_t watch;
	struct logos_loop *loop;
};

struct logos_rpc_server {
	uint16_t kind;
	const struct logos_rpc_method *methods;
	size_t count;
	void *arg;
	logos_rpc_notify_fn notify;
	logos_rpc_close_fn close;
	struct logos_rpc_stats stats;
	struct logos_rx *rx;
	struct attached *att;
	size_t nr_att;
	uint8_t reply[LOGOS_MSG_MAX_BYTES];
};

int logos_rpc_server_new(uint16_t kind, const struct logos_rpc_method *methods, size_t count,
			 void *arg, struct logos_rpc_server **out)
{
	struct logos_rpc_server *srv;

	if (!methods && count)
		return -EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->rx = logos_rx_new();
	if (!srv->rx) {
		free(srv);
		return -ENOMEM;
	}
	srv->kind = kind;
	srv->methods = methods;
	srv->count = count;
	srv->arg = arg;
	*out = srv;
	return 0;
}

void logos_rpc_server_free(struct logos_rpc_server *srv)
{
	size_t i;

	if (!srv)
		return;
	for (i = 0; i < srv->nr_att; i++) {
		struct attached *a = &srv->att[i];

		logos_loop_unwatch(a->loop, a->watch);
		logos_handle_close(logos_loop_logos_fd(a->loop), a->ep);
	}
	free(srv->att);
	logos_rx_free(srv->rx);
	free(srv);
}

void logos_rpc_server_on_notify(struct logos_rpc_server *srv, logos_rpc_notify_fn fn)
{
	srv->notify = fn;
}

void logos_rpc_server_on_close(struct logos_rpc_server *srv, logos_rpc_close_fn fn)
{
	srv->close = fn;
}

void logos_rpc_server_stats(const struct logos_rpc_server *srv, struct logos_rpc_stats *stats)
{
	*stats = srv->stats;
}

static const struct logos_rpc_method *method_find(const struct logos_rpc_server *srv, uint32_t id)
{
	size_t i;

	for (i = 0; i < srv->count; i++) {
		if (srv->methods[i].id == id)
			return &srv->methods[i];
	}
	return NULL;
}

static int serve_call(struct logos_rpc_server *srv, struct logos_rpc_request *req)
{
	const struct logos_wire *wire = &req->rx->wire;
	uint64_t txn = req->rx->msg.header.txn_id;
	const struct logos_rpc_method *m = NULL;
	struct logos_wire_writer w;
	char text[64];
	int ret;

	if (wire->kind == srv->kind && !(wire->flags & LOGOS_WIRE_F_REPLY))
		m = method_find(srv, wire->method);
	if (!m) {
		srv->stats.refused++;
		snprintf(text, sizeof(text), "unknown kind 0x%x or method 0x%x",
			 wire->kind, wire->method);
		return logos_rpc_reply_error(req->fd, req->ep, txn, wire->kind, wire->method,
					     EOPNOTSUPP, text);
	}
	srv->stats.calls++;
	logos_rpc_reply_init(&w, srv->reply, sizeof(srv->reply), wire);
	ret = m->fn(req, &w, srv->arg);
	if (ret == LOGOS_RPC_NO_REPLY)
		return 0;
	if (!ret)
		ret = logos_wire_finish(&w, NULL);
	if (ret < 0) {
		/* Handles the method put in the reply are still the server's. */
		return logos_rpc_reply_error(req->fd, req->ep, txn, wire->kind, wire->method,
					     ret, req->error_text);
	}
	return logos_rpc_reply(req->fd, req->ep, txn, &w);
}

int logos_rpc_serve(struct logos_rpc_server *srv, int fd, logos_handle_t ep, int64_t timeout_ns)
{
	struct logos_rpc_request req = { .fd = fd, .ep = ep, .rx = srv->rx };
	bool call;
	int ret;

	ret = logos_rx_recv(fd, ep, srv->rx, timeout_ns);
	call = srv->rx->msg.header.flags & LOGOS_MSG_CALL;
	if (ret == -EBADMSG) {
		srv->stats.malformed++;
		if (call)
			logos_rpc_reply_error(fd, ep, srv->rx->msg.header.txn_id, 0, 0, EBADMSG,
					      "malformed request");
		return 0;
	}
	if (ret)
		return ret;
	if (call) {
		/* A reply that cannot go (the caller gave up) is not our error. */
		serve_call(srv, &req);
	} else if (srv->rx->wire.kind == srv->kind && srv->notify) {
		srv->stats.notifications++;
		srv->notify(&req, srv->arg);
	} else {
		srv->stats.refused++;
	}
	logos_rx_release(srv->rx);
	return 0;
}

static void detach(struct logos_rpc_server *srv, size_t i)
{
	struct attached a = srv->att[i];

	srv->att[i] = srv->att[--srv->nr_att];
	logos_loop_unwatch(a.loop, a.watch);
	if (srv->close)
		srv->close(srv, a.ep, srv->arg);
	logos_handle_close(logos_loop_logos_fd(a.loop), a.ep);
}

#define SERVE_BATCH 64	/* then let other watches run; level-triggered */

static void on_readable(struct logos_loop *loop, logos_handle_t ep, uint32_t observed, void *arg)
{
	struct logos_rpc_server *srv = arg;
	int fd = logos_loop_logos_fd(loop);
	int i, ret = 0;
	size_t k;

	for (i = 0; i < SERVE_BATCH; i++) {
		ret = logos_rpc_serve(srv, fd, ep, 0);
		if (ret)
			break;
	}
	if (ret == -EAGAIN || !ret)
		return;
	/* -EPIPE (peer gone, queue empty), revoked, or closed under us. */
	(void)observed;
	for (k = 0; k < srv->nr_att; k++) {
		if (srv->att[k].ep == ep && srv->att[k].loop == loop) {
			detach(srv, k);
			break;
		}
	}
}

int logos_rpc_attach(struct logos_rpc_server *srv, struct logos_loop *loop, logos_handle_t ep)
{
	struct attached *a = realloc(srv->att, (srv->nr_att + 1) * sizeof(*a));
	int ret;

	if (!a)
		return -ENOMEM;
	srv->att = a;
	a = &srv->att[srv->nr_att];
	a->ep = ep;
	a->loop = loop;
	ret = logos_loop_watch(loop, ep, LOGOS_SIGNAL_READABLE | LOGOS_SIGNAL_PEER_CLOSED, 0,
			       on_readable, srv, &a->watch);
	if (ret)
		return ret;
	srv->nr_att++;
	return 0;
}
