// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * chat-client: joins the room of the "chat" service and talks on it
 * (publish/subscribe through a logos.ko topic).
 *
 *	chat-client NICK			lines from stdin, messages to stdout
 *	chat-client NICK PEERS LINE...		scripted: wait until PEERS members are
 *						in, say each LINE, wait to hear every
 *						other member's lines, leave
 *
 * The module's loop watches both the subscription and stdin.
 */
#include <errno.h>
#include <logos/logos.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "chat.h"

struct chat {
	struct logos_module *m;
	logos_handle_t room;
	const char *nick;
	uint32_t members, peers;
	char **lines;
	int nr_lines, heard, said;
	bool scripted;
};

static int say(struct chat *c, const char *text)
{
	uint8_t buf[4096];
	struct logos_wire_writer w;

	logos_wire_writer_init(&w, buf, sizeof(buf), CHAT_KIND, 0, CHAT_SAY);
	logos_wire_put_string(&w, CHAT_TAG_NICK, c->nick);
	logos_wire_put_string(&w, CHAT_TAG_TEXT, text);
	return logos_wire_publish(logos_module_fd(c->m), c->room, &w, 5 * LOGOS_NSEC_PER_SEC,
				  NULL);
}

static void maybe_done(struct chat *c)
{
	int i;

	if (!c->scripted)
		return;
	if (!c->said && c->members >= c->peers) {
		for (i = 0; i < c->nr_lines; i++)
			say(c, c->lines[i]);
		c->said = 1;
	}
	if (c->said && c->heard >= (int)(c->peers - 1) * c->nr_lines)
		logos_loop_stop(logos_module_loop(c->m));
}

static void on_room(struct logos_sub *sub, struct logos_rx *rx, void *arg)
{
	struct chat *c = arg;
	char nick[32], text[4000];

	(void)sub;
	if (logos_wire_get_string(&rx->wire, CHAT_TAG_NICK, nick, sizeof(nick)))
		return;
	if (rx->wire.method == CHAT_PRESENCE) {
		logos_wire_get_u32(&rx->wire, CHAT_TAG_MEMBERS, &c->members);
		printf("[%s] * %s is here (%u in the room)\n", c->nick, nick, c->members);
	} else if (rx->wire.method == CHAT_SAY &&
		   !logos_wire_get_string(&rx->wire, CHAT_TAG_TEXT, text, sizeof(text))) {
		if (strcmp(nick, c->nick))
			c->heard++;
		printf("[%s] <%s> %s\n", c->nick, nick, text);
	}
	fflush(stdout);
	maybe_done(c);
}

static void on_stdin(struct logos_loop *loop, int fd, uint32_t events, void *arg)
{
	struct chat *c = arg;
	char line[1024];
	ssize_t n = read(fd, line, sizeof(line) - 1);

	(void)events;
	if (n <= 0) {
		logos_loop_stop(loop);	/* end of input: leave */
		return;
	}
	line[n] = 0;
	line[strcspn(line, "\n")] = 0;
	if (*line)
		say(c, line);
}

/* JOIN (get the room), subscribe, ENTER (be announced). */
static int join(struct chat *c, logos_handle_t hub, struct logos_sub **sub)
{
	struct logos_rx *rx = logos_rx_new();
	uint8_t buf[128];
	struct logos_wire_writer w;
	int fd = logos_module_fd(c->m), ret;

	if (!rx)
		return -ENOMEM;
	logos_wire_writer_init(&w, buf, sizeof(buf), CHAT_KIND, 0, CHAT_JOIN);
	logos_wire_put_string(&w, CHAT_TAG_NICK, c->nick);
	ret = logos_rpc_call(fd, hub, &w, rx, 10 * LOGOS_NSEC_PER_SEC);
	if (!ret)
		ret = logos_rx_take_handle(rx, CHAT_TAG_TOPIC, &c->room);
	if (!ret)
		ret = logos_sub_start(logos_module_loop(c->m), c->room, CHAT_KIND, on_room, c, sub);
	if (!ret) {
		logos_wire_writer_init(&w, buf, sizeof(buf), CHAT_KIND, 0, CHAT_ENTER);
		logos_wire_put_string(&w, CHAT_TAG_NICK, c->nick);
		ret = logos_rpc_call(fd, hub, &w, rx, 10 * LOGOS_NSEC_PER_SEC);
	}
	logos_rx_free(rx);
	return ret;
}

int main(int argc, char **argv)
{
	struct chat c = { 0 };
	struct logos_sub *sub = NULL;
	logos_handle_t hub;
	int ret;

	if (argc < 2 || argc == 3) {
		fprintf(stderr, "usage: chat-client NICK [PEERS LINE...]\n");
		return 2;
	}
	c.nick = argv[1];
	if (argc > 3) {
		c.scripted = true;
		c.peers = (uint32_t)atoi(argv[2]);
		c.lines = argv + 3;
		c.nr_lines = argc - 3;
	}
	ret = logos_module_init(&c.m, NULL, NULL, 0);
	if (!ret)
		ret = logos_service_lookup(c.m, CHAT_SERVICE, CHAT_VERSION,
					   LOGOS_SERVICE_VERSION(1, 0xffff), &hub, NULL);
	if (!ret)
		ret = join(&c, hub, &sub);
	if (!ret && !c.scripted)
		ret = logos_loop_add_fd(logos_module_loop(c.m), 0, EPOLLIN, on_stdin, &c);
	if (!ret)
		ret = logos_module_ready(c.m);
	if (!ret)
		ret = logos_module_run(c.m);
	if (ret) {
		fprintf(stderr, "chat-client %s: %s\n", c.nick, logos_strerror(ret));
		return 1;
	}
	printf("[%s] heard %d lines from others, leaving\n", c.nick, c.heard);
	logos_sub_stop(sub);
	logos_module_free(c.m);
	return 0;
}
