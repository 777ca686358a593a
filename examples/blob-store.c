// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * blob-store: a module providing "blobstore". Clients hand it payloads as
 * memory objects (moved into its table) and get read-only grants of them
 * back; nothing is copied. Deleting a blob revokes every grant, which
 * unmaps it from every reader.
 */
#include <errno.h>
#include <logos/logos.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "blob.h"

#define MAX_BLOBS 64

struct blob {
	char name[64];
	struct logos_buf buf;	/* mapped read-only, to checksum */
	uint64_t size, sum;
};

static struct blob blobs[MAX_BLOBS];

static struct blob *find(const struct logos_wire *w, char *name, size_t cap)
{
	int i;

	if (logos_wire_get_string(w, BLOB_TAG_NAME, name, cap))
		return NULL;
	for (i = 0; i < MAX_BLOBS; i++) {
		if (blobs[i].buf.addr && !strcmp(blobs[i].name, name))
			return &blobs[i];
	}
	return NULL;
}

static int do_put(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	struct blob *b = NULL;
	char name[64];
	int i, ret;

	(void)arg;
	if (find(&req->rx->wire, name, sizeof(name)))
		return -EEXIST;
	for (i = 0; i < MAX_BLOBS && !b; i++)
		b = blobs[i].buf.addr ? NULL : &blobs[i];
	if (!b)
		return -ENOSPC;
	ret = logos_wire_get_u64(&req->rx->wire, BLOB_TAG_SIZE, &b->size);
	if (!ret)
		ret = logos_buf_take(req->rx, BLOB_TAG_MEMORY, PROT_READ, &b->buf);
	if (ret)
		return ret;
	if (b->size > b->buf.size) {
		req->error_text = "size larger than the memory object";
		logos_buf_release(&b->buf);
		return -EINVAL;
	}
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->sum = blob_sum(b->buf.addr, b->size);
	printf("blob-store: stored %s, %llu bytes in %zu pages, none copied\n", name,
	       (unsigned long long)b->size, b->buf.size / 4096);
	fflush(stdout);
	return logos_wire_put_u64(reply, BLOB_TAG_SUM, b->sum);
}

static int do_get(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	char name[64];
	struct blob *b = find(&req->rx->wire, name, sizeof(name));

	(void)arg;
	if (!b)
		return -ENOENT;
	/* A grant derived from our handle: we can revoke it later. */
	logos_buf_put(reply, BLOB_TAG_MEMORY, &b->buf, LOGOS_BUF_READ_ONLY, 0);
	logos_wire_put_u64(reply, BLOB_TAG_SIZE, b->size);
	return logos_wire_put_u64(reply, BLOB_TAG_SUM, b->sum);
}

static int do_delete(struct logos_rpc_request *req, struct logos_wire_writer *reply, void *arg)
{
	char name[64];
	struct blob *b = find(&req->rx->wire, name, sizeof(name));
	uint32_t revoked = 0;

	(void)arg;
	if (!b)
		return -ENOENT;
	logos_buf_revoke(&b->buf, &revoked);
	logos_buf_release(&b->buf);
	printf("blob-store: deleted %s, %u grants revoked\n", name, revoked);
	fflush(stdout);
	return logos_wire_put_u32(reply, BLOB_TAG_REVOKED, revoked);
}

static const struct logos_rpc_method methods[] = {
	{ BLOB_PUT, do_put }, { BLOB_GET, do_get }, { BLOB_DELETE, do_delete },
};

static struct logos_rpc_server *server;

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
	int i, ret = logos_module_init(&m, &ops, NULL, 0);

	if (ret) {
		fprintf(stderr, "blob-store: %s\n", logos_strerror(ret));
		return 1;
	}
	ret = logos_rpc_server_new(BLOB_KIND, methods, 3, NULL, &server);
	if (!ret)
		ret = logos_service_register(m, BLOB_SERVICE, BLOB_VERSION, "put,get,delete");
	if (!ret)
		ret = logos_module_ready(m);
	if (!ret)
		ret = logos_module_run(m);
	if (ret)
		fprintf(stderr, "blob-store: %s\n", logos_strerror(ret));
	for (i = 0; i < MAX_BLOBS; i++)
		logos_buf_release(&blobs[i].buf);
	logos_rpc_server_free(server);
	logos_module_free(m);
	return ret ? 1 : 0;
}
