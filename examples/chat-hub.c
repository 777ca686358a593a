// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chat-hub: a module providing the "chat" service. It owns one topic (the
 * room); members get a handle to it and then publish and subscribe
 * directly through logos.ko: the hub is not on the message path.
 */
#include <errno.h>
#include <logos/logos.h>
#include <stdio.h>

#include "chat.h"

#define MAX_MEMBERS 64

static logos_handle_t room;
static uint32_t members;
/* The channels of the members in the room: a closed one has left. */
static logos_handle_t in_room[MAX_MEMBERS];

static int do_join(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	char nick[32];
	int ret = logos_wire_get_string(&req->rx->wire, CHAT_TAG_NICK, nick, sizeof(nick));

	(void)arg;
	if (ret) {
		req->error_text = "JOIN needs a nick of up to 31 bytes";
		return ret;
	}
	/* A grant of the room: publish (WRITE) and subscribe (READ). */
	return logos_wire_put_handle(reply, CHAT_TAG_TOPIC, room,
				     LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE, 0);
}

static int do_enter(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	uint8_t buf[128];
	struct logos_wire_writer w;
	char nick[32];
	int ret = logos_wire_get_string(&req->rx->wire, CHAT_TAG_NICK, nick, sizeof(nick));

	(void)arg;
	if (ret)
		return ret;
	if (members == MAX_MEMBERS) {
		req->error_text = "the room is full";
		return -EMFILE;
	}
	in_room[members++] = req->ep;
	logos_wire_writer_init(&w, buf, sizeof(buf), CHAT_KIND, 0, CHAT_PRESENCE);
	logos_wire_put_string(&w, CHAT_TAG_NICK, nick);
	logos_wire_put_u32(&w, CHAT_TAG_MEMBERS, members);
	ret = logos_wire_publish(req->fd, room, &w, LOGOS_NSEC_PER_SEC, NULL);
	if (ret)
		return ret;
	printf("chat-hub: %s entered (%u members)\n", nick, members);
	fflush(stdout);
	return logos_wire_put_u32(reply, CHAT_TAG_MEMBERS, members);
}

static const struct logos_rpc_method methods[] = {
	{ CHAT_JOIN, do_join },
	{ CHAT_ENTER, do_enter },
};

static struct logos_rpc_server *server;

/* A member's channel closed (it left, or died): it is out of the room. */
static void on_close(struct logos_rpc_server *srv, logos_handle_t ep, void *arg)
{
	(void)srv;
	(void)arg;
	for (uint32_t i = 0; i < members; i++) {
		if (in_room[i] != ep)
			continue;
		in_room[i] = in_room[--members];
		printf("chat-hub: a member left (%u members)\n", members);
		fflush(stdout);
		return;
	}
}

static void on_connect(struct logos_module *m, const char *service, uint32_t client,
		       logos_handle_t ep, void *arg)
{
	(void)service;
	(void)client;
	(void)arg;
	if (logos_rpc_attach(server, logos_module_loop(m), ep))
		logos_handle_close(logos_module_fd(m), ep);
}

static const struct logos_module_ops ops = { .connect = on_connect };

int main(void)
{
	struct logos_module *m;
	int ret = logos_module_init(&m, &ops, NULL, 0);

	if (ret) {
		fprintf(stderr, "chat-hub: %s\n", logos_strerror(ret));
		return 1;
	}
	/* Backpressure: a slow reader slows the room down, nobody loses lines. */
	ret = logos_topic_create(logos_module_fd(m), LOGOS_TOPIC_BACKPRESSURE, 0, &room);
	if (!ret)
		ret = logos_rpc_server_new(CHAT_KIND, methods, 2, NULL, &server);
	if (!ret)
		logos_rpc_server_on_close(server, on_close);
	if (!ret)
		ret = logos_service_register(m, CHAT_SERVICE, CHAT_VERSION, "rooms");
	if (!ret)
		ret = logos_module_ready(m);
	if (!ret)
		ret = logos_module_run(m);
	if (ret)
		fprintf(stderr, "chat-hub: %s\n", logos_strerror(ret));
	logos_rpc_server_free(server);
	logos_module_free(m);
	return ret ? 1 : 0;
}
