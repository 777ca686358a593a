// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The wire format (Documentation/wire-format.md): a writer that can only
 * produce well-formed messages and a decoder that checks every byte once.
 */
#include "internal.h"

#include <logos/wire.h>

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, v);
	put_le32(p + 4, v >> 32);
}

static uint16_t get_le16(const uint8_t *p)
{
	return p[0] | (uint16_t)p[1] << 8;
}

static uint32_t get_le32(const uint8_t *p)
{
	return get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

static uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* Size of a fixed-size value, 0 for variable-size types, -1 for unknown. */
static int fixed_size(uint8_t type)
{
	switch (type) {
	case LOGOS_WIRE_U32:
	case LOGOS_WIRE_I32:
		return 4;
	case LOGOS_WIRE_U64:
	case LOGOS_WIRE_I64:
		return 8;
	case LOGOS_WIRE_BOOL:
	case LOGOS_WIRE_HANDLE:
		return 1;
	case LOGOS_WIRE_BYTES:
	case LOGOS_WIRE_STRING:
	case LOGOS_WIRE_NESTED:
		return 0;
	}
	return -1;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF, no NUL. */
LOGOS_HIDDEN bool logos__utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		uint32_t cp;
		size_t n, k;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

/* ---- writer --------------------------------------------------------- */

void logos_wire_writer_init(struct logos_wire_writer *w, void *buf, size_t cap,
			    uint16_t kind, uint16_t flags, uint32_t method)
{
	memset(w, 0, offsetof(struct logos_wire_writer, handles));
	w->buf = buf;
	w->cap = cap > LOGOS_WIRE_MAX_SIZE ? LOGOS_WIRE_MAX_SIZE : (uint32_t)cap;
	if (!buf || w->cap < LOGOS_WIRE_HEADER_SIZE) {
		w->err = -EMSGSIZE;
		return;
	}
	put_le32(w->buf, LOGOS_WIRE_MAGIC);
	put_le16(w->buf + 4, kind);
	put_le16(w->buf + 6, flags);
	put_le32(w->buf + 8, method);
	put_le32(w->buf + 12, 0);
	w->len = LOGOS_WIRE_HEADER_SIZE;
}

/* Reserves a field of @size value bytes; NULL (and the sticky error) if not. */
static uint8_t *field(struct logos_wire_writer *w, uint8_t type, uint8_t tag, size_t size)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (!tag) {
		w->err = -EINVAL;
		return NULL;
	}
	if (size > w->cap || w->cap - w->len < 2 + size) {
		w->err = -EMSGSIZE;
		return NULL;
	}
	p = w->buf + w->len;
	p[0] = type;
	p[1] = tag;
	w->len += 2 + size;
	return p + 2;
}

int logos_wire_put_u32(struct logos_wire_writer *w, uint8_t tag, uint32_t v)
{
	uint8_t *p = field(w, LOGOS_WIRE_U32, tag, 4);

	if (p)
		put_le32(p, v);
	return w->err;
}

int logos_wire_put_u64(struct logos_wire_writer *w, uint8_t tag, uint64_t v)
{
	uint8_t *p = field(w, LOGOS_WIRE_U64, tag, 8);

	if (p)
		put_le64(p, v);
	return w->err;
}

int logos_wire_put_i32(struct logos_wire_writer *w, uint8_t tag, int32_t v)
{
	uint8_t *p = field(w, LOGOS_WIRE_I32, tag, 4);

	if (p)
		put_le32(p, (uint32_t)v);
	return w->err;
}

int logos_wire_put_i64(struct logos_wire_writer *w, uint8_t tag, int64_t v)
{
	uint8_t *p = field(w, LOGOS_WIRE_I64, tag, 8);

	if (p)
		put_le64(p, (uint64_t)v);
	return w->err;
}

int logos_wire_put_bool(struct logos_wire_writer *w, uint8_t tag, bool v)
{
	uint8_t *p = field(w, LOGOS_WIRE_BOOL, tag, 1);

	if (p)
		*p = v ? 1 : 0;
	return w->err;
}

static int put_var(struct logos_wire_writer *w, uint8_t type, uint8_t tag,
		   const void *data, size_t len)
{
	uint8_t *p;

	if (len > LOGOS_WIRE_MAX_SIZE) {
		if (!w->err)
			w->err = -EMSGSIZE;
		return w->err;
	}
	p = field(w, type, tag, 4 + len);
	if (p) {
		put_le32(p, (uint32_t)len);
		if (len)
			memcpy(p + 4, data, len);
	}
	return w->err;
}

int logos_wire_put_bytes(struct logos_wire_writer *w, uint8_t tag, const void *data, size_t len)
{
	if (!data && len && !w->err)
		w->err = -EINVAL;
	return put_var(w, LOGOS_WIRE_BYTES, tag, data, len);
}

int logos_wire_put_string_len(struct logos_wire_writer *w, uint8_t tag, const char *s, size_t len)
{
	if (!w->err && ((!s && len) || (len && !logos__utf8_valid((const uint8_t *)s, len))))
		w->err = -EINVAL;
	return put_var(w, LOGOS_WIRE_STRING, tag, s, len);
}

int logos_wire_put_string(struct logos_wire_writer *w, uint8_t tag, const char *s)
{
	if (!s) {
		if (!w->err)
			w->err = -EINVAL;
		return w->err;
	}
	return logos_wire_put_string_len(w, tag, s, strlen(s));
}

int logos_wire_put_handle(struct logos_wire_writer *w, uint8_t tag, logos_handle_t h,
			  uint32_t rights, uint32_t flags)
{
	struct logos_msg_handle *mh;
	uint8_t *p;

	if (!w->err && w->nr_handles >= LOGOS_MSG_MAX_HANDLES)
		w->err = -EMSGSIZE;
	p = field(w, LOGOS_WIRE_HANDLE, tag, 1);
	if (!p)
		return w->err;
	*p = (uint8_t)w->nr_handles;
	mh = &w->handles[w->nr_handles++];
	memset(mh, 0, sizeof(*mh));
	mh->handle = h;
	mh->rights = rights;
	mh->flags = flags;
	return 0;
}

int logos_wire_begin_nested(struct logos_wire_writer *w, uint8_t tag)
{
	uint8_t *p;

	if (!w->err && w->depth >= LOGOS_WIRE_MAX_DEPTH)
		w->err = -EINVAL;
	p = field(w, LOGOS_WIRE_NESTED, tag, 4);
	if (!p)
		return w->err;
	w->nest[w->depth++] = (uint32_t)(p - w->buf);
	return 0;
}

int logos_wire_end_nested(struct logos_wire_writer *w)
{
	uint32_t at;

	if (w->err)
		return w->err;
	if (!w->depth) {
		w->err = -EINVAL;
		return w->err;
	}
	at = w->nest[--w->depth];
	put_le32(w->buf + at, w->len - at - 4);
	return 0;
}

int logos_wire_finish(struct logos_wire_writer *w, size_t *len)
{
	if (!w->err && w->depth)
		w->err = -EINVAL;
	if (w->err)
		return w->err;
	put_le32(w->buf + 12, w->len - LOGOS_WIRE_HEADER_SIZE);
	if (len)
		*len = w->len;
	return 0;
}

/* ---- decoder -------------------------------------------------------- */

/*
 * Reads one field at *@p (not past @end) into @f and advances. Checks the
 * field itself, not the inside of a nested one. 0 or -EBADMSG.
 */
static int read_field(const uint8_t **pp, const uint8_t *end, uint32_t nr_handles,
		      struct logos_wire_field *f)
{
	const uint8_t *p = *pp;
	size_t left = (size_t)(end - p);
	int size;
	uint32_t len;

	if (left < 2)
		return -EBADMSG;
	f->type = p[0];
	f->tag = p[1];
	size = fixed_size(f->type);
	if (size < 0 || !f->tag)
		return -EBADMSG;
	p += 2;
	left -= 2;
	if (size) {
		if (left < (size_t)size)
			return -EBADMSG;
		switch (f->type) {
		case LOGOS_WIRE_U32:
			f->v.u32 = get_le32(p);
			break;
		case LOGOS_WIRE_I32:
			f->v.i32 = (int32_t)get_le32(p);
			break;
		case LOGOS_WIRE_U64:
			f->v.u64 = get_le64(p);
			break;
		case LOGOS_WIRE_I64:
			f->v.i64 = (int64_t)get_le64(p);
			break;
		case LOGOS_WIRE_BOOL:
			if (*p > 1)
				return -EBADMSG;
			f->v.b = *p;
			break;
		case LOGOS_WIRE_HANDLE:
			if (*p >= nr_handles)
				return -EBADMSG;
			f->v.handle = *p;
			break;
		}
		*pp = p + size;
		return 0;
	}
	if (left < 4)
		return -EBADMSG;
	len = get_le32(p);
	p += 4;
	left -= 4;
	if (len > left)
		return -EBADMSG;
	if (f->type == LOGOS_WIRE_STRING && !logos__utf8_valid(p, len))
		return -EBADMSG;
	f->v.bytes.data = p;
	f->v.bytes.len = len;
	*pp = p + len;
	return 0;
}

/* Checks a sequence of fields, nested ones recursively (bounded depth). */
static int check_fields(const uint8_t *p, const uint8_t *end, uint32_t nr_handles,
			unsigned int depth)
{
	struct logos_wire_field f;
	int ret;

	while (p < end) {
		ret = read_field(&p, end, nr_handles, &f);
		if (ret)
			return ret;
		if (f.type == LOGOS_WIRE_NESTED) {
			if (depth >= LOGOS_WIRE_MAX_DEPTH)
				return -EBADMSG;
			ret = check_fields(f.v.bytes.data, f.v.bytes.data + f.v.bytes.len,
					   nr_handles, depth + 1);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int logos_wire_decode(const void *buf, size_t len, uint32_t nr_handles, struct logos_wire *msg)
{
	const uint8_t *p = buf;
	uint16_t flags;
	int ret;

	if (!p || len < LOGOS_WIRE_HEADER_SIZE || len > LOGOS_WIRE_MAX_SIZE ||
	    nr_handles > LOGOS_MSG_MAX_HANDLES)
		return -EBADMSG;
	if (get_le32(p) != LOGOS_WIRE_MAGIC || get_le32(p + 12) != len - LOGOS_WIRE_HEADER_SIZE)
		return -EBADMSG;
	flags = get_le16(p + 6);
	if ((flags & ~LOGOS_WIRE_F_ALL) ||
	    ((flags & LOGOS_WIRE_F_ERROR) && !(flags & LOGOS_WIRE_F_REPLY)))
		return -EBADMSG;
	ret = check_fields(p + LOGOS_WIRE_HEADER_SIZE, p + len, nr_handles, 0);
	if (ret)
		return ret;
	msg->kind = get_le16(p + 4);
	msg->flags = flags;
	msg->method = get_le32(p + 8);
	msg->payload = p + LOGOS_WIRE_HEADER_SIZE;
	msg->len = (uint32_t)(len - LOGOS_WIRE_HEADER_SIZE);
	msg->nr_handles = nr_handles;
	return 0;
}

void logos_wire_iter_init(struct logos_wire_iter *it, const struct logos_wire *msg)
{
	it->p = msg->payload;
	it->end = msg->payload + msg->len;
}

int logos_wire_next(struct logos_wire_iter *it, struct logos_wire_field *f)
{
	if (it->p >= it->end)
		return 0;
	/* The message was checked: the handle bound is not needed again. */
	if (read_field(&it->p, it->end, LOGOS_MSG_MAX_HANDLES, f)) {
		it->p = it->end;
		return -EBADMSG;
	}
	return 1;
}

int logos_wire_nested(const struct logos_wire *parent, const struct logos_wire_field *f,
		      struct logos_wire *out)
{
	if (f->type != LOGOS_WIRE_NESTED)
		return -EINVAL;
	*out = *parent;
	out->payload = f->v.bytes.data;
	out->len = f->v.bytes.len;
	return 0;
}

int logos_wire_find(const struct logos_wire *msg, uint8_t tag, uint8_t type,
		    struct logos_wire_field *f)
{
	struct logos_wire_iter it;
	int ret;

	logos_wire_iter_init(&it, msg);
	while ((ret = logos_wire_next(&it, f)) > 0) {
		if (f->tag == tag)
			return f->type == type ? 0 : -EBADMSG;
	}
	return ret < 0 ? ret : -ENOENT;
}

#define WIRE_GETTER(name, ctype, TYPE, member)					\
int logos_wire_get_##name(const struct logos_wire *msg, uint8_t tag, ctype *v)	\
{										\
	struct logos_wire_field f;						\
	int ret = logos_wire_find(msg, tag, TYPE, &f);				\
										\
	if (!ret)								\
		*v = f.v.member;						\
	return ret;								\
}

WIRE_GETTER(u32, uint32_t, LOGOS_WIRE_U32, u32)
WIRE_GETTER(u64, uint64_t, LOGOS_WIRE_U64, u64)
WIRE_GETTER(i32, int32_t, LOGOS_WIRE_I32, i32)
WIRE_GETTER(i64, int64_t, LOGOS_WIRE_I64, i64)
WIRE_GETTER(bool, bool, LOGOS_WIRE_BOOL, b)
WIRE_GETTER(handle, uint32_t, LOGOS_WIRE_HANDLE, handle)

int logos_wire_get_bytes(const struct logos_wire *msg, uint8_t tag, const void **data, size_t *len)
{
	struct logos_wire_field f;
	int ret = logos_wire_find(msg, tag, LOGOS_WIRE_BYTES, &f);

	if (!ret) {
		*data = f.v.bytes.data;
		*len = f.v.bytes.len;
	}
	return ret;
}

int logos_wire_get_string(const struct logos_wire *msg, uint8_t tag, char *buf, size_t cap)
{
	struct logos_wire_field f;
	int ret = logos_wire_find(msg, tag, LOGOS_WIRE_STRING, &f);

	if (ret)
		return ret;
	if (f.v.bytes.len >= cap)
		return -ERANGE;
	memcpy(buf, f.v.bytes.data, f.v.bytes.len);
	buf[f.v.bytes.len] = 0;
	return 0;
}

uint32_t logos_method_id(const char *name)
{
	uint32_t h = 2166136261U;

	while (*name) {
		h ^= (uint8_t)*name++;
		h *= 16777619U;
	}
	return h;
}
