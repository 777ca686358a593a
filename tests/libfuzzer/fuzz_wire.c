// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the wire decoder (ulib/src/wire.c), built with
 * clang -fsanitize=fuzzer,address,undefined. The first input byte is the
 * message's handle count; the rest are the message bytes. Besides "no
 * crash, no out-of-bounds read", it checks that whatever the decoder
 * accepts is canonical: rewriting its fields with the writer gives the
 * same bytes back.
 */
#include <logos/wire.h>
#include <stdlib.h>
#include <string.h>

static uint8_t out[LOGOS_WIRE_MAX_SIZE];

/* Rewrites the fields of @m into @w; 0 or the writer's error. */
static int rewrite(struct logos_wire_writer *w, const struct logos_wire *m, uint32_t *hmap)
{
	struct logos_wire_iter it;
	struct logos_wire_field f;
	struct logos_wire inner;
	int ret;

	logos_wire_iter_init(&it, m);
	while ((ret = logos_wire_next(&it, &f)) == 1) {
		switch (f.type) {
		case LOGOS_WIRE_U32:
			logos_wire_put_u32(w, f.tag, f.v.u32);
			break;
		case LOGOS_WIRE_U64:
			logos_wire_put_u64(w, f.tag, f.v.u64);
			break;
		case LOGOS_WIRE_I32:
			logos_wire_put_i32(w, f.tag, f.v.i32);
			break;
		case LOGOS_WIRE_I64:
			logos_wire_put_i64(w, f.tag, f.v.i64);
			break;
		case LOGOS_WIRE_BOOL:
			logos_wire_put_bool(w, f.tag, f.v.b);
			break;
		case LOGOS_WIRE_BYTES:
			logos_wire_put_bytes(w, f.tag, f.v.bytes.data, f.v.bytes.len);
			break;
		case LOGOS_WIRE_STRING:
			logos_wire_put_string_len(w, f.tag, (const char *)f.v.bytes.data,
						  f.v.bytes.len);
			break;
		case LOGOS_WIRE_HANDLE:
			/* The writer numbers handles in order of appearance. */
			logos_wire_put_handle(w, f.tag, f.v.handle, 0, 0);
			hmap[w->nr_handles - 1] = f.v.handle;
			break;
		case LOGOS_WIRE_NESTED:
			if (logos_wire_nested(m, &f, &inner))
				abort();
			logos_wire_begin_nested(w, f.tag);
			rewrite(w, &inner, hmap);
			logos_wire_end_nested(w);
			break;
		default:
			abort();	/* the decoder let an unknown type through */
		}
	}
	if (ret < 0)
		abort();	/* a checked message failed to iterate */
	return w->err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logos_wire_writer *w;
	struct logos_wire m;
	uint32_t hmap[LOGOS_MSG_MAX_HANDLES];
	size_t len, i, pos;
	uint32_t nh;

	if (size < 1)
		return 0;
	nh = data[0] % (LOGOS_MSG_MAX_HANDLES + 2);
	if (logos_wire_decode(data + 1, size - 1, nh, &m))
		return 0;
	w = malloc(sizeof(*w));
	if (!w)
		abort();
	logos_wire_writer_init(w, out, sizeof(out), m.kind, m.flags, m.method);
	if (rewrite(w, &m, hmap) || logos_wire_finish(w, &len))
		abort();	/* what was accepted can be written */
	if (len != size - 1)
		abort();
	/*
	 * Same bytes, except handle indexes, which the writer numbers in
	 * order of appearance: where they differ, the writer's index k must
	 * stand for the original index hmap[k].
	 */
	for (i = 0, pos = 0; i < len; i++) {
		if (out[i] == data[1 + i])
			continue;
		if (out[i] >= w->nr_handles || hmap[out[i]] != data[1 + i] || ++pos > w->nr_handles)
			abort();
	}
	free(w);
	return 0;
}
