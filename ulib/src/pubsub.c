// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Publish/subscribe helpers over logos.ko topics. */
#include "internal.h"

#include <logos/pubsub.h>
#include <stdlib.h>

struct logos_sub {
	struct logos_loop *loop;
	logos_handle_t ep;
	uint64_t watch;
	uint16_t kind;
	logos_sub_fn fn;
	void *arg;
	uint64_t malformed;
	uint64_t lost;
	struct logos_rx *rx;
};

int logos_wire_publish(int fd, logos_handle_t topic, struct logos_wire_writer *w,
		       int64_t timeout_ns, uint32_t *delivered)
{
	size_t len;
	int ret = logos_wire_finish(w, &len);

	if (ret)
		return ret;
	return logos_topic_publish(fd, topic, w->buf, len, w->handles, w->nr_handles, timeout_ns,
				   delivered, NULL);
}

#define SUB_BATCH 64

static void on_message(struct logos_loop *loop, logos_handle_t ep, uint32_t observed, void *arg)
{
	struct logos_sub *sub = arg;
	int fd = logos_loop_logos_fd(loop);
	int i, ret;

	(void)observed;
	for (i = 0; i < SUB_BATCH; i++) {
		ret = logos_rx_recv(fd, ep, sub->rx, 0);
		if (ret == -EBADMSG) {
			sub->malformed++;
			sub->lost += sub->rx->msg.header.dropped;
			continue;
		}
		if (ret)
			break;
		sub->lost += sub->rx->msg.header.dropped;
		if (sub->kind && sub->rx->wire.kind != sub->kind) {
			sub->malformed++;
		} else {
			sub->fn(sub, sub->rx, sub->arg);
		}
		logos_rx_release(sub->rx);
	}
}

int logos_sub_start(struct logos_loop *loop, logos_handle_t topic, uint16_t kind,
		    logos_sub_fn fn, void *arg, struct logos_sub **out)
{
	int fd = logos_loop_logos_fd(loop);
	struct logos_sub *sub;
	int ret;

	if (!fn || !out)
		return -EINVAL;
	sub = calloc(1, sizeof(*sub));
	if (!sub)
		return -ENOMEM;
	sub->rx = logos_rx_new();
	if (!sub->rx) {
		free(sub);
		return -ENOMEM;
	}
	sub->loop = loop;
	sub->kind = kind;
	sub->fn = fn;
	sub->arg = arg;
	ret = logos_topic_subscribe(fd, topic, &sub->ep);
	if (ret)
		goto err;
	ret = logos_loop_watch(loop, sub->ep, LOGOS_SIGNAL_READABLE, 0, on_message, sub,
			       &sub->watch);
	if (ret) {
		logos_handle_close(fd, sub->ep);
		goto err;
	}
	*out = sub;
	return 0;
err:
	logos_rx_free(sub->rx);
	free(sub);
	return ret;
}

void logos_sub_stop(struct logos_sub *sub)
{
	if (!sub)
		return;
	logos_loop_unwatch(sub->loop, sub->watch);
	logos_handle_close(logos_loop_logos_fd(sub->loop), sub->ep);
	logos_rx_free(sub->rx);
	free(sub);
}

logos_handle_t logos_sub_endpoint(const struct logos_sub *sub)
{
	return sub->ep;
}

uint64_t logos_sub_malformed(const struct logos_sub *sub)
{
	return sub->malformed;
}

uint64_t logos_sub_lost(const struct logos_sub *sub)
{
	return sub->lost;
}
