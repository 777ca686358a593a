// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * echo-server: a module providing the "echo" service (request/response).
 * Every client that looks the service up gets its own channel, served from
 * the module's loop with a dispatch table of three methods.
 */
#include <errno.h>
#include <logos/logos.h>
#include <stdio.h>
#include <stdlib.h>

#include "echo.h"

static uint64_t served;

static int do_echo(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	const void *data;
	size_t len;
	int ret = logos_wire_get_bytes(&req->rx->wire, ECHO_TAG_DATA, &data, &len);

	(void)arg;
	if (ret) {
		req->error_text = "ECHO needs bytes in field 1";
		return ret;
	}
	served++;
	return logos_wire_put_bytes(reply, ECHO_TAG_DATA, data, len);
}

static int do_reverse(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	uint8_t out[LOGOS_MSG_MAX_BYTES];
	const uint8_t *data;
	size_t len, i;
	int ret = logos_wire_get_bytes(&req->rx->wire, ECHO_TAG_DATA, (const void **)&data, &len);

	(void)arg;
	if (ret)
		return ret;
	for (i = 0; i < len; i++)
		out[i] = data[len - 1 - i];
	served++;
	return logos_wire_put_bytes(reply, ECHO_TAG_DATA, out, len);
}

static int do_stats(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	(void)req;
	(void)arg;
	return logos_wire_put_u64(reply, ECHO_TAG_CALLS, served);
}

static const struct logos_rpc_method methods[] = {
	{ ECHO_ECHO, do_echo },
	{ ECHO_REVERSE, do_reverse },
	{ ECHO_STATS, do_stats },
};

static struct logos_rpc_server *server;

/* logosd connected a client: serve its channel from the loop. */
static void on_connect(struct logos_module *m, const char *service, uint32_t client,
		       logos_handle_t ep, void *arg)
{
	int ret = logos_rpc_attach(server, logos_module_loop(m), ep);

	(void)arg;
	if (ret) {
		fprintf(stderr, "echo-server: cannot serve module %u: %s\n", client,
			logos_strerror(ret));
		logos_handle_close(logos_module_fd(m), ep);
		return;
	}
	printf("echo-server: module %u connected to %s\n", client, service);
	fflush(stdout);
}

static int on_pause(struct logos_module *m, void *arg)
{
	(void)m;
	(void)arg;
	printf("echo-server: pausing (nothing in flight)\n");
	fflush(stdout);
	return 0;
}

static void on_resume(struct logos_module *m, void *arg)
{
	(void)m;
	(void)arg;
	printf("echo-server: resumed\n");
	fflush(stdout);
}

static const struct logos_module_ops ops = {
	.pause = on_pause,
	.resume = on_resume,
	.connect = on_connect,
	/* .terminate unset: TERMINATE stops logos_module_run(). */
};

int main(void)
{
	struct logos_module *m;
	int ret;

	ret = logos_module_init(&m, &ops, NULL, 0);
	if (ret) {
		fprintf(stderr, "echo-server: %s\n", logos_strerror(ret));
		return 1;
	}
	ret = logos_rpc_server_new(ECHO_KIND, methods, 3, NULL, &server);
	if (!ret)
		ret = logos_service_register(m, ECHO_SERVICE, ECHO_VERSION, "echo,reverse,stats");
	if (!ret)
		ret = logos_module_ready(m);
	if (!ret)
		ret = logos_module_run(m);
	if (ret)
		fprintf(stderr, "echo-server: %s\n", logos_strerror(ret));
	printf("echo-server: served %llu calls, exiting with %lld ms to spare\n",
	       (unsigned long long)served, (long long)logos_module_time_left_ns(m) / 1000000);
	logos_rpc_server_free(server);
	logos_module_free(m);
	return ret ? 1 : 0;
}
