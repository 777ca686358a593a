// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * blob-client: stores a few blobs in "blobstore" as zero-copy grants,
 * reads them back through read-only mappings of the same pages, checks
 * them, and deletes them (revoking the grants it holds).
 *
 *	blob-client [MIB...]	sizes of the blobs (default: 1 4 16)
 */
#include <errno.h>
#include <logos/logos.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "blob.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static sigjmp_buf probe_env;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(probe_env, 1);
}

/* Is the page at @p still mapped? (A revoked grant faults with SIGBUS.) */
static bool readable(const volatile char *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool ok = false;

	sigaction(SIGBUS, &sa, &old);
	if (!sigsetjmp(probe_env, 1)) {
		(void)*p;
		ok = true;
	}
	sigaction(SIGBUS, &old, NULL);
	return ok;
}

static int one_blob(struct logos_module *m, logos_handle_t ep, struct logos_rx *rx, int i,
		    size_t size)
{
	int fd = logos_module_fd(m);
	uint8_t msg[256];
	struct logos_wire_writer w;
	struct logos_buf out, in;
	uint64_t sum, got_sum, got_size;
	uint32_t revoked = 0;
	char name[32];
	double t0, t1;
	size_t k;
	int ret;

	snprintf(name, sizeof(name), "blob-%d", i);
	ret = logos_buf_alloc(fd, size, &out);
	if (ret)
		return ret;
	for (k = 0; k < size; k++)
		((uint8_t *)out.addr)[k] = (uint8_t)(k * 31 + i);
	sum = blob_sum(out.addr, size);

	t0 = now_ms();
	logos_wire_writer_init(&w, msg, sizeof(msg), BLOB_KIND, 0, BLOB_PUT);
	logos_wire_put_string(&w, BLOB_TAG_NAME, name);
	logos_wire_put_u64(&w, BLOB_TAG_SIZE, size);
	logos_buf_put(&w, BLOB_TAG_MEMORY, &out, 0, LOGOS_BUF_MOVE);
	ret = logos_rpc_call(fd, ep, &w, rx, 10 * LOGOS_NSEC_PER_SEC);
	t1 = now_ms();
	logos_buf_release(&out);	/* moved: only our mapping was left */
	if (!ret)
		ret = logos_wire_get_u64(&rx->wire, BLOB_TAG_SUM, &got_sum);
	if (ret || got_sum != sum)
		return ret ? ret : -EBADMSG;
	printf("blob-client: put %s (%zu KiB) in %.2f ms; the store read the same bytes\n",
	       name, size / 1024, t1 - t0);

	logos_wire_writer_init(&w, msg, sizeof(msg), BLOB_KIND, 0, BLOB_GET);
	logos_wire_put_string(&w, BLOB_TAG_NAME, name);
	ret = logos_rpc_call(fd, ep, &w, rx, 10 * LOGOS_NSEC_PER_SEC);
	if (!ret)
		ret = logos_wire_get_u64(&rx->wire, BLOB_TAG_SIZE, &got_size);
	if (!ret)
		ret = logos_wire_get_u64(&rx->wire, BLOB_TAG_SUM, &got_sum);
	if (!ret)
		ret = logos_buf_take(rx, BLOB_TAG_MEMORY, PROT_READ, &in);
	if (ret)
		return ret;
	if (got_size != size || got_sum != sum || blob_sum(in.addr, size) != sum) {
		logos_buf_release(&in);
		return -EBADMSG;
	}
	/* A read-only grant cannot be mapped writable. */
	{
		void *p;

		if (logos_mem_map(fd, in.handle, 0, PROT_READ | PROT_WRITE, &p) != -EPERM) {
			logos_buf_release(&in);
			return -EBADMSG;
		}
	}
	logos_wire_writer_init(&w, msg, sizeof(msg), BLOB_KIND, 0, BLOB_DELETE);
	logos_wire_put_string(&w, BLOB_TAG_NAME, name);
	ret = logos_rpc_call(fd, ep, &w, rx, 10 * LOGOS_NSEC_PER_SEC);
	if (!ret)
		ret = logos_wire_get_u32(&rx->wire, BLOB_TAG_REVOKED, &revoked);
	if (!ret && readable(in.addr))
		ret = -EBADMSG;	/* the grant was revoked: the mapping must be gone */
	printf("blob-client: got %s back through a read-only grant, checked; deleted, "
	       "%u grant(s) revoked, our mapping %s\n", name, revoked,
	       ret ? "still readable!" : "gone (SIGBUS)");
	logos_buf_release(&in);
	return ret;
}

int main(int argc, char **argv)
{
	static const char *defaults[] = { "1", "4", "16" };
	struct logos_rx *rx = logos_rx_new();
	struct logos_module *m;
	logos_handle_t ep;
	int i, n = argc > 1 ? argc - 1 : 3, ret;

	ret = rx ? logos_module_init(&m, NULL, NULL, LOGOS_MODULE_INIT_READY) : -ENOMEM;
	if (!ret)
		ret = logos_service_lookup(m, BLOB_SERVICE, BLOB_VERSION,
					   LOGOS_SERVICE_VERSION(1, 0xffff), &ep, NULL);
	for (i = 0; !ret && i < n; i++) {
		size_t mib = strtoul(argc > 1 ? argv[i + 1] : defaults[i], NULL, 10);

		ret = one_blob(m, ep, rx, i, mib << 20);
	}
	if (ret) {
		fprintf(stderr, "blob-client: %s (%s)\n", logos_strerror(ret), rx ? rx->error_text : "");
		return 1;
	}
	logos_rx_free(rx);
	logos_module_free(m);
	return 0;
}
