// SPDX-License-Identifier: GPL-2.0
/*
 * The bootstrap channel, logosd's side (Documentation/protocol.md §3):
 * messages from modules (READY, HEARTBEAT, REGISTER, LOOKUP), watched on
 * /dev/logos; notifications to them (RESUME, RESTORE_STATE, CONNECT,
 * SERVICE_STATE); and calls to them (PAUSE, TERMINATE, SAVE_STATE), which
 * block in the kernel until the module answers and therefore run on a
 * helper thread each, handing the result back through a pipe.
 */
#include "daemon.h"
#include "kernel.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <logos/bootstrap.h>
#include <logos/wire.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE LOGOS_MSG_MAX_BYTES

struct call {
	uint64_t serial;
	uint16_t kind;
	int fd;
	uint32_t boot;
	int64_t timeout_ns;
	uint8_t req[64];
	size_t req_len;
	int ret;
	uint8_t *reply;
	struct logos_msg msg;
	struct logos_msg_handle hs[4];
};

static uint8_t rxbuf[BUF_SIZE];

int boot_setup(void)
{
	if (pipe2(D.call_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static void *call_thread(void *arg)
{
	struct call *c = arg;

	c->ret = k_call(c->fd, c->boot, c->req, c->req_len, NULL, 0, c->timeout_ns, c->reply,
			BUF_SIZE, c->hs, 4, &c->msg);
	if (write(D.call_pipe[1], &c, sizeof(c)) != sizeof(c))
		log_err("bootstrap: cannot hand back a call result");
	return NULL;
}

int boot_call(struct instance *in, uint16_t kind, uint32_t deadline_ms, int64_t timeout_ns)
{
	struct logos_wire_writer w;
	struct call *c = calloc(1, sizeof(*c));
	pthread_attr_t attr;
	pthread_t t;
	size_t len;
	int ret;

	if (!c)
		return -ENOMEM;
	c->reply = malloc(BUF_SIZE);
	if (!c->reply) {
		free(c);
		return -ENOMEM;
	}
	logos_wire_writer_init(&w, c->req, sizeof(c->req), kind, 0, 0);
	if (kind == LOGOS_BOOT_TERMINATE)
		logos_wire_put_u32(&w, LOGOS_TAG_DEADLINE_MS, deadline_ms);
	ret = logos_wire_finish(&w, &len);
	if (ret)
		goto fail;
	c->req_len = len;
	c->serial = in->serial;
	c->kind = kind;
	c->fd = D.kfd;
	c->boot = in->boot;
	c->timeout_ns = timeout_ns;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	ret = -pthread_create(&t, &attr, call_thread, c);
	pthread_attr_destroy(&attr);
	if (ret)
		goto fail;
	in->call_kind = kind;
	return 0;
fail:
	free(c->reply);
	free(c);
	return ret;
}

/* Results of finished calls, on the main thread. */
void boot_calls_done(void)
{
	struct call *c;

	while (read(D.call_pipe[0], &c, sizeof(c)) == sizeof(c)) {
		struct instance *in = sup_instance(c->serial);
		struct logos_wire w;
		const void *data = NULL;
		size_t len = 0;
		uint32_t mem = 0, idx;
		int ret = c->ret;
		bool got = ret == 0;	/* a message (and its handles) arrived */

		if (!ret && logos_wire_decode(c->reply, c->msg.data_len, c->msg.nr_handles, &w))
			ret = -EBADMSG;
		if (!ret && (w.flags & LOGOS_WIRE_F_ERROR)) {
			int32_t e = EIO;

			logos_wire_get_i32(&w, LOGOS_WIRE_TAG_ERRNO, &e);
			ret = -(e > 0 ? e : EIO);
		}
		if (!ret && c->kind == LOGOS_BOOT_SAVE_STATE) {
			logos_wire_get_bytes(&w, LOGOS_TAG_STATE_BYTES, &data, &len);
			if (!logos_wire_get_handle(&w, LOGOS_TAG_STATE_MEMORY, &idx) &&
			    idx < c->msg.nr_handles && c->hs[idx].type == LOGOS_OBJ_MEMORY)
				mem = c->hs[idx].handle;
		}
		/* handles we were sent and do not keep */
		for (uint32_t i = 0; got && i < c->msg.nr_handles; i++)
			if (c->hs[i].handle != mem)
				k_close(D.kfd, c->hs[i].handle);
		if (in) {
			in->call_kind = 0;
			sup_on_call_done(in, c->kind, ret, data, len, mem);
		} else if (mem) {
			k_close(D.kfd, mem);
		}
		free(c->reply);
		free(c);
	}
}

static int send_msg(uint32_t ep, struct logos_wire_writer *w)
{
	size_t len;
	int ret = logos_wire_finish(w, &len);

	if (ret)
		return ret;
	return k_send(D.kfd, ep, w->buf, len, w->handles, w->nr_handles);
}

int boot_notify(struct instance *in, uint16_t kind, const void *state, size_t len,
		uint32_t mem)
{
	static uint8_t buf[BUF_SIZE];
	struct logos_wire_writer w;

	logos_wire_writer_init(&w, buf, sizeof(buf), kind, 0, 0);
	if (kind == LOGOS_BOOT_RESTORE_STATE) {
		if (state)
			logos_wire_put_bytes(&w, LOGOS_TAG_STATE_BYTES, state, len);
		/* derived, not moved: a later restart gets it again */
		if (mem)
			logos_wire_put_handle(&w, LOGOS_TAG_STATE_MEMORY, mem,
					      LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ |
					      LOGOS_RIGHT_MAP_WRITE | LOGOS_RIGHT_DUPLICATE |
					      LOGOS_RIGHT_TRANSFER, 0);
	}
	return send_msg(in->boot, &w);
}

static void reply_error(struct instance *in, uint64_t txn, uint16_t kind, int err,
			const char *text)
{
	uint8_t buf[512];
	struct logos_wire_writer w;
	size_t len;

	logos_wire_writer_init(&w, buf, sizeof(buf), kind, LOGOS_WIRE_F_REPLY | LOGOS_WIRE_F_ERROR, 0);
	logos_wire_put_i32(&w, LOGOS_WIRE_TAG_ERRNO, err);
	logos_wire_put_string(&w, LOGOS_WIRE_TAG_ERRTEXT, text);
	if (!logos_wire_finish(&w, &len))
		k_reply(D.kfd, in->boot, txn, buf, len, NULL, 0);
}

static void handle_register(struct instance *in, const struct logos_wire *w, uint64_t txn)
{
	char name[LOGOS_SERVICE_NAME_MAX + 1], caps[LOGOS_SERVICE_CAPS_MAX + 1] = "", why[256] = "";
	uint32_t version;
	uint8_t buf[64];
	struct logos_wire_writer rw;
	size_t len;
	int ret;

	if (logos_wire_get_string(w, LOGOS_TAG_SERVICE, name, sizeof(name)) ||
	    logos_wire_get_u32(w, LOGOS_TAG_VERSION, &version)) {
		reply_error(in, txn, LOGOS_BOOT_REGISTER, EINVAL, "REGISTER needs a name and a version");
		return;
	}
	logos_wire_get_string(w, LOGOS_TAG_CAPS, caps, sizeof(caps));
	ret = registry_register(in, name, version, caps, why, sizeof(why));
	if (ret) {
		reply_error(in, txn, LOGOS_BOOT_REGISTER, -ret, why);
		return;
	}
	logos_wire_writer_init(&rw, buf, sizeof(buf), LOGOS_BOOT_REGISTER, LOGOS_WIRE_F_REPLY, 0);
	if (!logos_wire_finish(&rw, &len))
		k_reply(D.kfd, in->boot, txn, buf, len, NULL, 0);
}

static void handle_lookup(struct instance *in, const struct logos_wire *w, uint64_t txn)
{
	char name[LOGOS_SERVICE_NAME_MAX + 1], why[256] = "";
	uint32_t min = 0, max = VERSION_MAX, ep, version;
	uint8_t buf[64];
	struct logos_wire_writer rw;
	size_t len;
	int ret;

	if (logos_wire_get_string(w, LOGOS_TAG_SERVICE, name, sizeof(name))) {
		reply_error(in, txn, LOGOS_BOOT_LOOKUP, EINVAL, "LOOKUP needs a service name");
		return;
	}
	logos_wire_get_u32(w, LOGOS_TAG_MIN_VERSION, &min);
	logos_wire_get_u32(w, LOGOS_TAG_MAX_VERSION, &max);
	ret = registry_lookup(in, name, min, max, &ep, &version, why, sizeof(why));
	if (ret) {
		reply_error(in, txn, LOGOS_BOOT_LOOKUP, -ret, why);
		return;
	}
	logos_wire_writer_init(&rw, buf, sizeof(buf), LOGOS_BOOT_LOOKUP, LOGOS_WIRE_F_REPLY, 0);
	logos_wire_put_handle(&rw, LOGOS_TAG_LOOKUP_EP, ep,
			      LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER |
			      LOGOS_RIGHT_DUPLICATE, LOGOS_MSG_HANDLE_MOVE);
	logos_wire_put_u32(&rw, LOGOS_TAG_LOOKUP_VERSION, version);
	ret = logos_wire_finish(&rw, &len);
	if (!ret)
		ret = k_reply(D.kfd, in->boot, txn, buf, len, rw.handles, rw.nr_handles);
	if (ret) {
		log_warn("%s: cannot answer LOOKUP %s: %s", in->mod->name, name, strerror(-ret));
		k_close(D.kfd, ep);
	}
}

static void dispatch(struct instance *in, const struct logos_msg *msg)
{
	bool call = msg->header.flags & LOGOS_MSG_CALL;
	uint64_t txn = msg->header.txn_id;
	struct logos_wire w;

	if (logos_wire_decode(rxbuf, msg->data_len, msg->nr_handles, &w)) {
		log_warn("%s: malformed bootstrap message ignored", in->mod->name);
		if (call)
			reply_error(in, txn, 0, EBADMSG, "malformed message");
		return;
	}
	switch (w.kind) {
	case LOGOS_BOOT_READY:
		sup_on_ready(in);
		break;
	case LOGOS_BOOT_HEARTBEAT:
		in->last_heartbeat_ms = msg->header.timestamp_ns / 1000000ULL;
		break;
	case LOGOS_BOOT_REGISTER:
		if (call)
			handle_register(in, &w, txn);
		break;
	case LOGOS_BOOT_LOOKUP:
		if (call)
			handle_lookup(in, &w, txn);
		break;
	default:
		if (call)
			reply_error(in, txn, w.kind, EOPNOTSUPP, "unknown bootstrap message kind");
		break;
	}
}

void boot_drain(struct instance *in)
{
	struct logos_msg_handle hs[LOGOS_MSG_MAX_HANDLES];
	struct logos_msg msg;

	/* a bounded batch per turn: a chatty module cannot starve the others */
	for (int i = 0; i < 64; i++) {
		int ret = k_recv(D.kfd, in->boot, rxbuf, sizeof(rxbuf), hs, LOGOS_MSG_MAX_HANDLES,
				 &msg);

		if (ret == -EAGAIN || ret == -EPIPE)
			return;
		if (ret) {
			log_warn("%s: cannot receive on the bootstrap channel: %s", in->mod->name,
				 strerror(-ret));
			return;
		}
		dispatch(in, &msg);
		/* no bootstrap message carries handles to logosd */
		for (uint32_t h = 0; h < msg.nr_handles; h++)
			k_close(D.kfd, hs[h].handle);
		if (!sup_instance(in->serial))
			return;	/* the message ended the instance */
	}
}

/* /dev/logos is readable: which bootstrap channels, modules, connections. */
void boot_watch_ready(void)
{
	struct logos_watch_report r[64];
	int n = k_watch_read(D.kfd, r, 64);

	for (int i = 0; i < n; i++) {
		uint64_t serial = r[i].key >> 8;
		unsigned int kind = r[i].key & 0xff;
		struct instance *in;

		if (kind == 3) {
			registry_peer_closed(serial);
			continue;
		}
		in = sup_instance(serial);
		if (!in)
			continue;
		if (kind == 1) {
			if (r[i].observed & LOGOS_SIGNAL_READABLE)
				boot_drain(in);
			in = sup_instance(serial);
			if (in && (r[i].observed & LOGOS_SIGNAL_PEER_CLOSED) &&
			    !(r[i].observed & LOGOS_SIGNAL_READABLE))
				k_unwatch(D.kfd, in->boot, r[i].key);	/* the exit tells the rest */
		} else if (kind == 2) {
			k_unwatch(D.kfd, in->kmod, r[i].key);
			log_debug("%s: kernel module %u is TERMINATED", in->mod->name, in->kid);
		}
	}
}
