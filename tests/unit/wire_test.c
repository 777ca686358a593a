// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the liblogos wire format (ulib/src/wire.c): every
 * type round-trips, the bytes are exactly those of
 * Documentation/wire-format.md, and malformed, truncated and oversized
 * input is refused with -EBADMSG.
 */
#include <errno.h>
#include <logos/wire.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

static uint8_t buf[LOGOS_WIRE_MAX_SIZE + 64];

/* A message with one field of every type, in a known order. */
static size_t sample(uint8_t *out, size_t cap, uint32_t *nr_handles)
{
	struct logos_wire_writer w;
	size_t len = 0;

	logos_wire_writer_init(&w, out, cap, 0x1234, LOGOS_WIRE_F_REPLY, 0xdeadbeef);
	logos_wire_put_u32(&w, 1, 0x01020304);
	logos_wire_put_u64(&w, 2, 0x0102030405060708ULL);
	logos_wire_put_i32(&w, 3, -2);
	logos_wire_put_i64(&w, 4, -3);
	logos_wire_put_bool(&w, 5, true);
	logos_wire_put_bytes(&w, 6, "\x00\xff", 2);
	logos_wire_put_string(&w, 7, "h\xc3\xa9");
	logos_wire_put_handle(&w, 8, 0x1234, LOGOS_RIGHT_READ, LOGOS_MSG_HANDLE_MOVE);
	logos_wire_begin_nested(&w, 9);
	logos_wire_put_u32(&w, 1, 7);
	logos_wire_end_nested(&w);
	if (logos_wire_finish(&w, &len))
		return 0;
	*nr_handles = w.nr_handles;
	return len;
}

/* The sample's bytes, field by field, as the documentation spells them. */
static const uint8_t sample_bytes[] = {
	0x31, 0x47, 0x4f, 0x4c,	/* magic "LOG1" as u32 0x4C4F4731 */
	0x34, 0x12,		/* kind 0x1234 */
	0x01, 0x00,		/* flags: reply */
	0xef, 0xbe, 0xad, 0xde,	/* method */
	0x43, 0x00, 0x00, 0x00,	/* payload length 67 */
	0x01, 1, 0x04, 0x03, 0x02, 0x01,
	0x02, 2, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
	0x03, 3, 0xfe, 0xff, 0xff, 0xff,
	0x04, 4, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x05, 5, 0x01,
	0x06, 6, 0x02, 0x00, 0x00, 0x00, 0x00, 0xff,
	0x07, 7, 0x03, 0x00, 0x00, 0x00, 'h', 0xc3, 0xa9,
	0x08, 8, 0x00,
	0x09, 9, 0x06, 0x00, 0x00, 0x00, 0x01, 1, 0x07, 0x00, 0x00, 0x00,
};

static int decode(const uint8_t *p, size_t len, uint32_t nr_handles)
{
	struct logos_wire m;

	return logos_wire_decode(p, len, nr_handles, &m);
}

/* Fixes the header's length field after an edit of the payload. */
static void set_len(uint8_t *p, size_t len)
{
	uint32_t l = (uint32_t)(len - LOGOS_WIRE_HEADER_SIZE);

	p[12] = l;
	p[13] = l >> 8;
	p[14] = l >> 16;
	p[15] = l >> 24;
}

TEST(writer_produces_the_documented_bytes)
{
	uint32_t nh;
	size_t len = sample(buf, sizeof(buf), &nh);

	ASSERT_EQ(sizeof(sample_bytes), len);
	EXPECT_EQ(0, memcmp(sample_bytes, buf, len));
	EXPECT_EQ(1, nh);
}

TEST(every_type_round_trips)
{
	struct logos_wire m, inner;
	struct logos_wire_field f;
	uint32_t nh, u32, idx;
	uint64_t u64;
	int32_t i32;
	int64_t i64;
	bool b;
	const void *p;
	size_t n, len = sample(buf, sizeof(buf), &nh);
	char s[8];

	ASSERT_EQ(0, logos_wire_decode(buf, len, nh, &m));
	EXPECT_EQ(0x1234, m.kind);
	EXPECT_EQ(LOGOS_WIRE_F_REPLY, m.flags);
	EXPECT_EQ(0xdeadbeef, m.method);
	EXPECT_EQ(0, logos_wire_get_u32(&m, 1, &u32));
	EXPECT_EQ(0x01020304, u32);
	EXPECT_EQ(0, logos_wire_get_u64(&m, 2, &u64));
	EXPECT_EQ(0x0102030405060708ULL, u64);
	EXPECT_EQ(0, logos_wire_get_i32(&m, 3, &i32));
	EXPECT_EQ(-2, i32);
	EXPECT_EQ(0, logos_wire_get_i64(&m, 4, &i64));
	EXPECT_EQ(-3, i64);
	EXPECT_EQ(0, logos_wire_get_bool(&m, 5, &b));
	EXPECT_TRUE(b);
	EXPECT_EQ(0, logos_wire_get_bytes(&m, 6, &p, &n));
	EXPECT_EQ(2, n);
	EXPECT_EQ(0, memcmp(p, "\x00\xff", 2));
	EXPECT_EQ(0, logos_wire_get_string(&m, 7, s, sizeof(s)));
	EXPECT_STREQ("h\xc3\xa9", s);
	EXPECT_EQ(0, logos_wire_get_handle(&m, 8, &idx));
	EXPECT_EQ(0, idx);
	ASSERT_EQ(0, logos_wire_find(&m, 9, LOGOS_WIRE_NESTED, &f));
	ASSERT_EQ(0, logos_wire_nested(&m, &f, &inner));
	EXPECT_EQ(0, logos_wire_get_u32(&inner, 1, &u32));
	EXPECT_EQ(7, u32);
}

TEST(writer_keeps_the_handles_for_the_send)
{
	struct logos_wire_writer w;
	uint32_t nh;

	logos_wire_writer_init(&w, buf, sizeof(buf), 0x1000, 0, 1);
	sample(buf, sizeof(buf), &nh);
	logos_wire_writer_init(&w, buf, sizeof(buf), 0x1000, 0, 1);
	ASSERT_EQ(0, logos_wire_put_handle(&w, 1, 0xabc, LOGOS_RIGHT_READ, LOGOS_MSG_HANDLE_MOVE));
	ASSERT_EQ(0, logos_wire_put_handle(&w, 2, 0xdef, LOGOS_RIGHTS_SAME, 0));
	EXPECT_EQ(2, w.nr_handles);
	EXPECT_EQ(0xabc, w.handles[0].handle);
	EXPECT_EQ(LOGOS_RIGHT_READ, w.handles[0].rights);
	EXPECT_EQ(LOGOS_MSG_HANDLE_MOVE, w.handles[0].flags);
	EXPECT_EQ(0xdef, w.handles[1].handle);
	EXPECT_EQ(1, buf[w.len - 1]);	/* the second handle field holds index 1 */
}

TEST(iteration_sees_fields_in_order_including_repeated_tags)
{
	struct logos_wire_writer w;
	struct logos_wire_iter it;
	struct logos_wire_field f;
	struct logos_wire m;
	size_t len;
	uint32_t i = 0, v;

	logos_wire_writer_init(&w, buf, sizeof(buf), 0x1000, 0, 1);
	for (v = 10; v < 15; v++)
		logos_wire_put_u32(&w, 3, v);
	ASSERT_EQ(0, logos_wire_finish(&w, &len));
	ASSERT_EQ(0, logos_wire_decode(buf, len, 0, &m));
	logos_wire_iter_init(&it, &m);
	while (logos_wire_next(&it, &f) == 1) {
		EXPECT_EQ(3, f.tag);
		EXPECT_EQ(10 + i, f.v.u32);
		i++;
	}
	EXPECT_EQ(5, i);
	/* The getter finds the first one. */
	EXPECT_EQ(0, logos_wire_get_u32(&m, 3, &v));
	EXPECT_EQ(10, v);
}

TEST(getters_tell_missing_from_mistyped)
{
	struct logos_wire m;
	uint32_t nh, u32;
	uint64_t u64;
	size_t len = sample(buf, sizeof(buf), &nh);
	char s[3];

	ASSERT_EQ(0, logos_wire_decode(buf, len, nh, &m));
	EXPECT_EQ(-ENOENT, logos_wire_get_u32(&m, 200, &u32));
	EXPECT_EQ(-EBADMSG, logos_wire_get_u64(&m, 1, &u64));
	EXPECT_EQ(-ERANGE, logos_wire_get_string(&m, 7, s, sizeof(s)));	/* needs 4 */
}

TEST(empty_payload_is_valid)
{
	struct logos_wire_writer w;
	struct logos_wire m;
	size_t len;

	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	ASSERT_EQ(0, logos_wire_finish(&w, &len));
	EXPECT_EQ(LOGOS_WIRE_HEADER_SIZE, len);
	EXPECT_EQ(0, logos_wire_decode(buf, len, 0, &m));
	EXPECT_EQ(0, m.len);
}

TEST(largest_message_fits_exactly)
{
	struct logos_wire_writer w;
	size_t len, n = LOGOS_WIRE_MAX_SIZE - LOGOS_WIRE_HEADER_SIZE - 6;
	uint8_t *data = calloc(1, n + 1);

	ASSERT_NE(NULL, data);
	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	ASSERT_EQ(0, logos_wire_put_bytes(&w, 1, data, n));
	ASSERT_EQ(0, logos_wire_finish(&w, &len));
	EXPECT_EQ(LOGOS_WIRE_MAX_SIZE, len);
	EXPECT_EQ(0, decode(buf, len, 0));
	/* One byte more does not fit. */
	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	EXPECT_EQ(-EMSGSIZE, logos_wire_put_bytes(&w, 1, data, n + 1));
	free(data);
}

/* ---- the decoder refuses ------------------------------------------- */

TEST(bad_magic_is_ebadmsg)
{
	uint32_t nh;
	size_t len = sample(buf, sizeof(buf), &nh);

	buf[3] = 'X';
	EXPECT_EQ(-EBADMSG, decode(buf, len, nh));
	buf[3] = 0x4c;
	EXPECT_EQ(0, decode(buf, len, nh));
}

TEST(short_input_is_ebadmsg)
{
	size_t n;

	EXPECT_EQ(-EBADMSG, decode(NULL, 0, 0));
	for (n = 0; n < LOGOS_WIRE_HEADER_SIZE; n++)
		EXPECT_EQ(-EBADMSG, decode(sample_bytes, n, 1));
}

TEST(oversized_input_is_ebadmsg)
{
	struct logos_wire_writer w;
	size_t len;

	memset(buf, 0, sizeof(buf));
	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	ASSERT_EQ(0, logos_wire_finish(&w, &len));
	/* A header claiming a payload beyond 64 KiB, with the bytes there. */
	set_len(buf, LOGOS_WIRE_MAX_SIZE + 1);
	EXPECT_EQ(-EBADMSG, decode(buf, LOGOS_WIRE_MAX_SIZE + 1, 0));
	set_len(buf, sizeof(buf));
	EXPECT_EQ(-EBADMSG, decode(buf, sizeof(buf), 0));
	EXPECT_EQ(-EBADMSG, decode(buf, SIZE_MAX, 0));
	/* More handles than a message can carry. */
	set_len(buf, LOGOS_WIRE_HEADER_SIZE);
	EXPECT_EQ(-EBADMSG, decode(buf, LOGOS_WIRE_HEADER_SIZE, LOGOS_MSG_MAX_HANDLES + 1));
	EXPECT_EQ(0, decode(buf, LOGOS_WIRE_HEADER_SIZE, LOGOS_MSG_MAX_HANDLES));
}

TEST(length_field_must_match_the_input)
{
	uint32_t nh;
	size_t len = sample(buf, sizeof(buf), &nh);

	set_len(buf, len + 1);
	EXPECT_EQ(-EBADMSG, decode(buf, len, nh));
	set_len(buf, len - 1);
	EXPECT_EQ(-EBADMSG, decode(buf, len, nh));
	buf[15] = 0x80;	/* 2 GiB */
	EXPECT_EQ(-EBADMSG, decode(buf, len, nh));
}

TEST(every_truncation_is_ebadmsg)
{
	uint32_t nh;
	size_t len = sample(buf, sizeof(buf), &nh), cut;
	/* Field boundaries of the sample (offsets where a field starts). */
	static const size_t bounds[] = { 16, 22, 32, 38, 48, 51, 59, 68, 71 };
	uint8_t copy[sizeof(sample_bytes)];

	for (cut = LOGOS_WIRE_HEADER_SIZE; cut < len; cut++) {
		bool boundary = false;
		size_t i;

		/* Cut without fixing the header: always refused. */
		EXPECT_EQ(-EBADMSG, decode(buf, cut, nh));
		/* Cut with the header fixed: only whole fields survive. */
		memcpy(copy, buf, len);
		set_len(copy, cut);
		for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
			boundary |= bounds[i] == cut;
		EXPECT_EQ(boundary ? 0 : -EBADMSG, decode(copy, cut, nh)) {
			TH_LOG("cut at %zu", cut);
		}
	}
}

/* A message whose payload is @payload (@n bytes). */
static size_t with_payload(const void *payload, size_t n)
{
	struct logos_wire_writer w;
	size_t len;

	logos_wire_writer_init(&w, buf, sizeof(buf), 0x1000, 0, 0);
	logos_wire_finish(&w, &len);
	memcpy(buf + len, payload, n);
	set_len(buf, len + n);
	return len + n;
}

TEST(overrunning_lengths_are_ebadmsg)
{
	static const uint8_t big[] = { 0x06, 1, 0xff, 0xff, 0xff, 0xff, 'x' };
	static const uint8_t one_over[] = { 0x07, 1, 0x02, 0x00, 0x00, 0x00, 'x' };
	static const uint8_t nested_over[] = { 0x09, 1, 0x07, 0x00, 0x00, 0x00,
					       0x01, 1, 0, 0, 0, 0 };
	static const uint8_t inner_over[] = { 0x09, 1, 0x03, 0x00, 0x00, 0x00, 0x01, 1, 0 };
	static const uint8_t no_length[] = { 0x06, 1, 0x00, 0x00 };

	EXPECT_EQ(-EBADMSG, decode(buf, with_payload(big, sizeof(big)), 0));
	EXPECT_EQ(-EBADMSG, decode(buf, with_payload(one_over, sizeof(one_over)), 0));
	EXPECT_EQ(-EBADMSG, decode(buf, with_payload(nested_over, sizeof(nested_over)), 0));
	EXPECT_EQ(-EBADMSG, decode(buf, with_payload(inner_over, sizeof(inner_over)), 0));
	EXPECT_EQ(-EBADMSG, decode(buf, with_payload(no_length, sizeof(no_length)), 0));
}

TEST(unknown_types_and_tag_zero_are_ebadmsg)
{
	uint8_t f[] = { 0x00, 1, 0, 0, 0, 0 };
	int t;

	for (t = 0; t < 256; t++) {
		f[0] = (uint8_t)t;
		if (t >= LOGOS_WIRE_U32 && t <= LOGOS_WIRE_NESTED)
			continue;
		EXPECT_EQ(-EBADMSG, decode(buf, with_payload(f, sizeof(f)), 0)) {
			TH_LOG("type %d", t);
		}
	}
	f[0] = LOGOS_WIRE_U32;
	EXPECT_EQ(0, decode(buf, with_payload(f, sizeof(f)), 0));
	f[1] = 0;
	EXPECT_EQ(-EBADMSG, decode(buf, with_payload(f, sizeof(f)), 0));
}

TEST(header_flags_are_checked)
{
	uint32_t nh;
	size_t len = sample(buf, sizeof(buf), &nh);

	buf[6] = LOGOS_WIRE_F_ERROR;	/* error without reply */
	EXPECT_EQ(-EBADMSG, decode(buf, len, nh));
	buf[6] = LOGOS_WIRE_F_ERROR | LOGOS_WIRE_F_REPLY;
	EXPECT_EQ(0, decode(buf, len, nh));
	buf[6] = 0x4;
	EXPECT_EQ(-EBADMSG, decode(buf, len, nh));
	buf[6] = 0;
	buf[7] = 0x80;
	EXPECT_EQ(-EBADMSG, decode(buf, len, nh));
}

TEST(bool_other_than_0_or_1_is_ebadmsg)
{
	uint8_t f[] = { LOGOS_WIRE_BOOL, 1, 0 };

	EXPECT_EQ(0, decode(buf, with_payload(f, sizeof(f)), 0));
	f[2] = 1;
	EXPECT_EQ(0, decode(buf, with_payload(f, sizeof(f)), 0));
	f[2] = 2;
	EXPECT_EQ(-EBADMSG, decode(buf, with_payload(f, sizeof(f)), 0));
	f[2] = 0xff;
	EXPECT_EQ(-EBADMSG, decode(buf, with_payload(f, sizeof(f)), 0));
}

TEST(handle_index_must_be_below_the_handle_count)
{
	uint8_t f[] = { LOGOS_WIRE_HANDLE, 1, 2 };
	size_t len = with_payload(f, sizeof(f));

	EXPECT_EQ(-EBADMSG, decode(buf, len, 0));
	EXPECT_EQ(-EBADMSG, decode(buf, len, 2));
	EXPECT_EQ(0, decode(buf, len, 3));
}

static int string_of(const char *s, size_t n)
{
	uint8_t f[64] = { LOGOS_WIRE_STRING, 1, (uint8_t)n, 0, 0, 0 };

	memcpy(f + 6, s, n);
	return decode(buf, with_payload(f, 6 + n), 0);
}

TEST(strings_must_be_utf8_without_nul)
{
	EXPECT_EQ(0, string_of("", 0));
	EXPECT_EQ(0, string_of("ascii", 5));
	EXPECT_EQ(0, string_of("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));	/* é € 😀 */
	EXPECT_EQ(0, string_of("\xf4\x8f\xbf\xbf", 4));				/* U+10FFFF */
	EXPECT_EQ(-EBADMSG, string_of("a\0b", 3));				/* NUL */
	EXPECT_EQ(-EBADMSG, string_of("\xc0\x80", 2));				/* overlong NUL */
	EXPECT_EQ(-EBADMSG, string_of("\xe0\x80\xaf", 3));			/* overlong */
	EXPECT_EQ(-EBADMSG, string_of("\xed\xa0\x80", 3));			/* surrogate */
	EXPECT_EQ(-EBADMSG, string_of("\xf4\x90\x80\x80", 4));			/* > U+10FFFF */
	EXPECT_EQ(-EBADMSG, string_of("\xc3", 1));				/* cut */
	EXPECT_EQ(-EBADMSG, string_of("\x80", 1));				/* lone continuation */
	EXPECT_EQ(-EBADMSG, string_of("\xff", 1));
	/* The same bytes are fine as bytes. */
	{
		uint8_t f[] = { LOGOS_WIRE_BYTES, 1, 2, 0, 0, 0, 0xc0, 0x80 };

		EXPECT_EQ(0, decode(buf, with_payload(f, sizeof(f)), 0));
	}
}

TEST(nesting_deeper_than_the_limit_is_refused)
{
	struct logos_wire_writer w;
	uint8_t p[6 * 12];
	size_t len, i, depth;

	/* Writer: LOGOS_WIRE_MAX_DEPTH levels work, one more does not. */
	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	for (i = 0; i < LOGOS_WIRE_MAX_DEPTH; i++)
		ASSERT_EQ(0, logos_wire_begin_nested(&w, 1));
	EXPECT_EQ(-EINVAL, logos_wire_begin_nested(&w, 1));
	/* Decoder: hand-made nesting of each depth. */
	for (depth = 1; depth <= LOGOS_WIRE_MAX_DEPTH + 2; depth++) {
		for (i = 0; i < depth; i++) {
			uint32_t inner = (uint32_t)(6 * (depth - i - 1));

			p[6 * i] = LOGOS_WIRE_NESTED;
			p[6 * i + 1] = 1;
			memcpy(p + 6 * i + 2, &inner, 4);
		}
		len = with_payload(p, 6 * depth);
		/* @depth nested fields inside each other: the limit is the writer's. */
		EXPECT_EQ(depth <= LOGOS_WIRE_MAX_DEPTH ? 0 : -EBADMSG, decode(buf, len, 0)) {
			TH_LOG("depth %zu", depth);
		}
	}
}

/* ---- the writer refuses --------------------------------------------- */

TEST(writer_errors_are_sticky)
{
	struct logos_wire_writer w;
	uint8_t small[24];
	size_t len;

	logos_wire_writer_init(&w, small, sizeof(small), 1, 0, 0);
	EXPECT_EQ(0, logos_wire_put_u32(&w, 1, 1));		/* 22 bytes */
	EXPECT_EQ(-EMSGSIZE, logos_wire_put_u32(&w, 2, 2));	/* would be 28 */
	EXPECT_EQ(-EMSGSIZE, logos_wire_put_bool(&w, 3, 1));	/* would fit, but sticky */
	EXPECT_EQ(-EMSGSIZE, logos_wire_finish(&w, &len));

	logos_wire_writer_init(&w, small, 8, 1, 0, 0);		/* no room for a header */
	EXPECT_EQ(-EMSGSIZE, logos_wire_finish(&w, &len));
	logos_wire_writer_init(&w, NULL, 100, 1, 0, 0);
	EXPECT_EQ(-EMSGSIZE, logos_wire_finish(&w, &len));
}

TEST(writer_refuses_bad_input)
{
	struct logos_wire_writer w;
	size_t len;
	int i;

	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	EXPECT_EQ(-EINVAL, logos_wire_put_u32(&w, 0, 1));	/* tag 0 */
	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	EXPECT_EQ(-EINVAL, logos_wire_put_string_len(&w, 1, "a\0b", 3));
	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	EXPECT_EQ(-EINVAL, logos_wire_put_string(&w, 1, "\xff"));
	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	EXPECT_EQ(-EINVAL, logos_wire_put_string(&w, 1, NULL));
	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	EXPECT_EQ(-EINVAL, logos_wire_end_nested(&w));		/* nothing open */
	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	logos_wire_begin_nested(&w, 1);
	EXPECT_EQ(-EINVAL, logos_wire_finish(&w, &len));	/* left open */
	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	for (i = 0; i < LOGOS_MSG_MAX_HANDLES; i++)
		ASSERT_EQ(0, logos_wire_put_handle(&w, 1, (logos_handle_t)i + 1, 0, 0));
	EXPECT_EQ(-EMSGSIZE, logos_wire_put_handle(&w, 1, 99, 0, 0));
}

TEST(writer_caps_its_buffer_at_the_message_limit)
{
	struct logos_wire_writer w;

	logos_wire_writer_init(&w, buf, sizeof(buf), 1, 0, 0);
	EXPECT_EQ(LOGOS_WIRE_MAX_SIZE, w.cap);
}

TEST(method_ids_are_fnv1a)
{
	EXPECT_EQ(2166136261U, logos_method_id(""));
	EXPECT_EQ(0xe40c292cU, logos_method_id("a"));
	EXPECT_EQ(0xbf9cf968U, logos_method_id("foobar"));
}

TEST_HARNESS_MAIN
