// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * echo-client: looks up the "echo" service and calls it once per word of
 * its command line, checking every answer, then measures the round trip
 * of a few hundred calls.
 */
#include <errno.h>
#include <logos/logos.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "echo.h"

static int call(struct logos_module *m, logos_handle_t ep, struct logos_rx *rx, uint32_t method,
		const char *word)
{
	uint8_t buf[LOGOS_MSG_MAX_BYTES];
	struct logos_wire_writer w;

	logos_wire_writer_init(&w, buf, sizeof(buf), ECHO_KIND, 0, method);
	if (word)
		logos_wire_put_bytes(&w, ECHO_TAG_DATA, word, strlen(word));
	return logos_rpc_call(logos_module_fd(m), ep, &w, rx, 10 * LOGOS_NSEC_PER_SEC);
}

static int check(struct logos_rx *rx, const char *want)
{
	const void *data;
	size_t len;

	if (logos_wire_get_bytes(&rx->wire, ECHO_TAG_DATA, &data, &len))
		return -EBADMSG;
	return len == strlen(want) && !memcmp(data, want, len) ? 0 : -EBADMSG;
}

int main(int argc, char **argv)
{
	struct logos_rx *rx = logos_rx_new();
	struct logos_module *m;
	struct timespec t0, t1;
	logos_handle_t ep;
	uint32_t version;
	uint64_t calls = 0;
	char rev[256];
	int i, ret, bad = 0;

	ret = rx ? logos_module_init(&m, NULL, NULL, LOGOS_MODULE_INIT_READY) : -ENOMEM;
	if (ret) {
		fprintf(stderr, "echo-client: %s\n", logos_strerror(ret));
		return 1;
	}
	ret = logos_service_lookup(m, ECHO_SERVICE, LOGOS_SERVICE_VERSION(1, 0),
				   LOGOS_SERVICE_VERSION(1, 0xffff), &ep, &version);
	if (ret) {
		fprintf(stderr, "echo-client: lookup: %s\n", logos_strerror(ret));
		return 1;
	}
	printf("echo-client: found echo %u.%u\n", LOGOS_SERVICE_MAJOR(version),
	       LOGOS_SERVICE_MINOR(version));
	for (i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]), k;

		ret = call(m, ep, rx, ECHO_ECHO, argv[i]);
		if (!ret)
			ret = check(rx, argv[i]);
		for (k = 0; k < n && k < sizeof(rev) - 1; k++)
			rev[k] = argv[i][n - 1 - k];
		rev[k] = 0;
		if (!ret)
			ret = call(m, ep, rx, ECHO_REVERSE, argv[i]);
		if (!ret)
			ret = check(rx, rev);
		printf("echo-client: %s -> %s: %s\n", argv[i], rev, ret ? logos_strerror(ret) : "ok");
		bad += ret != 0;
	}
	/* A method the server does not have: an error reply, not a hang. */
	ret = call(m, ep, rx, 99, NULL);
	printf("echo-client: unknown method -> %s (%s)\n", ret == -EOPNOTSUPP ? "refused" : "??",
	       rx->error_text);
	bad += ret != -EOPNOTSUPP;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 500 && !bad; i++)
		bad += call(m, ep, rx, ECHO_ECHO, "ping") != 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!bad)
		printf("echo-client: 500 calls, %.1f us per round trip\n",
		       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 500 / 1e3);
	if (!call(m, ep, rx, ECHO_STATS, NULL))
		logos_wire_get_u64(&rx->wire, ECHO_TAG_CALLS, &calls);
	printf("echo-client: the server counted %llu calls\n", (unsigned long long)calls);
	logos_handle_close(logos_module_fd(m), ep);
	logos_rx_free(rx);
	logos_module_free(m);
	return bad ? 1 : 0;
}
