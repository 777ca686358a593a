// SPDX-License-Identifier: GPL-2.0
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer ------------------------------------------------------------ */

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
}

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->err)
		return;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		char *nb;

		while (w->len + n + 1 > cap)
			cap *= 2;
		nb = realloc(w->buf, cap);
		if (!nb) {
			w->err = -ENOMEM;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

static void puts_(struct jw *w, const char *s)
{
	put(w, s, strlen(s));
}

void jw_quote(struct jw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	put(w, "\"", 1);
	for (; *p; p++) {
		char esc[8];

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = *p;
			put(w, esc, 2);
		} else if (*p == '\n') {
			put(w, "\\n", 2);
		} else if (*p == '\t') {
			put(w, "\\t", 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(w, esc, 6);
		} else if (*p >= 0x80) {
			/* keep valid UTF-8 sequences, replace anything else */
			int n = *p >= 0xf0 && *p <= 0xf4 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc2 ? 1 : -1;
			int ok = n > 0 && *p < 0xf5;

			for (int i = 1; ok && i <= n; i++)
				ok = (p[i] & 0xc0) == 0x80;
			if (ok) {
				put(w, (const char *)p, n + 1);
				p += n;
			} else {
				put(w, "\\ufffd", 6);
			}
		} else {
			put(w, (const char *)p, 1);
		}
	}
	put(w, "\"", 1);
}

static void member(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		put(w, ",", 1);
	w->first[w->depth] = false;
	if (key) {
		jw_quote(w, key);
		put(w, ":", 1);
	}
}

static void open_(struct jw *w, const char *key, const char *c)
{
	member(w, key);
	puts_(w, c);
	if (++w->depth >= JSON_MAX_DEPTH) {
		w->err = -E2BIG;
		w->depth = JSON_MAX_DEPTH - 1;
	}
	w->first[w->depth] = true;
}

static void close_(struct jw *w, const char *c)
{
	if (w->depth > 0)
		w->depth--;
	puts_(w, c);
}

void jw_obj_begin(struct jw *w, const char *key)
{
	open_(w, key, "{");
}

void jw_obj_end(struct jw *w)
{
	close_(w, "}");
}

void jw_arr_begin(struct jw *w, const char *key)
{
	open_(w, key, "[");
}

void jw_arr_end(struct jw *w)
{
	close_(w, "]");
}

void jw_str(struct jw *w, const char *key, const char *v)
{
	member(w, key);
	if (v)
		jw_quote(w, v);
	else
		puts_(w, "null");
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	char b[32];

	member(w, key);
	snprintf(b, sizeof(b), "%lld", (long long)v);
	puts_(w, b);
}

void jw_uint(struct jw *w, const char *key, uint64_t v)
{
	char b[32];

	member(w, key);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	puts_(w, b);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	member(w, key);
	puts_(w, v ? "true" : "false");
}

void jw_null(struct jw *w, const char *key)
{
	member(w, key);
	puts_(w, "null");
}

void jw_raw_members(struct jw *w, const char *members)
{
	if (!members || !*members)
		return;
	if (!w->first[w->depth])
		put(w, ",", 1);
	w->first[w->depth] = false;
	puts_(w, members);
}

char *jw_finish(struct jw *w)
{
	char *b;

	if (w->err || w->depth) {
		jw_free(w);
		return NULL;
	}
	b = w->buf ? w->buf : strdup("");
	w->buf = NULL;
	return b;
}

void jw_free(struct jw *w)
{
	free(w->buf);
	w->buf = NULL;
}

/* ---- reader ------------------------------------------------------------ */

struct jr {
	const char *p, *end;
	int depth;
};

static void ws(struct jr *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int hex4(const char *p, unsigned int *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static void utf8_put(char *out, size_t *n, unsigned int cp)
{
	if (cp < 0x80) {
		out[(*n)++] = cp;
	} else if (cp < 0x800) {
		out[(*n)++] = 0xc0 | cp >> 6;
		out[(*n)++] = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		out[(*n)++] = 0xe0 | cp >> 12;
		out[(*n)++] = 0x80 | ((cp >> 6) & 0x3f);
		out[(*n)++] = 0x80 | (cp & 0x3f);
	} else {
		out[(*n)++] = 0xf0 | cp >> 18;
		out[(*n)++] = 0x80 | ((cp >> 12) & 0x3f);
		out[(*n)++] = 0x80 | ((cp >> 6) & 0x3f);
		out[(*n)++] = 0x80 | (cp & 0x3f);
	}
}

/* A string at r->p (after the quote is checked); *out may be NULL. */
static int string(struct jr *r, char **out)
{
	char *buf;
	size_t n = 0;

	if (r->p >= r->end || *r->p != '"')
		return -EBADMSG;
	r->p++;
	buf = malloc(r->end - r->p + 1);
	if (!buf)
		return -ENOMEM;
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = *r->p++;

		if (c < 0x20 || c == 0x7f)
			goto bad;
		if (c != '\\') {
			buf[n++] = c;
			continue;
		}
		if (r->p >= r->end)
			goto bad;
		c = *r->p++;
		switch (c) {
		case '"': case '\\': case '/':
			buf[n++] = c;
			break;
		case 'b': buf[n++] = '\b'; break;
		case 'f': buf[n++] = '\f'; break;
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'u': {
			unsigned int cp, lo;

			if (r->end - r->p < 4 || hex4(r->p, &cp))
				goto bad;
			r->p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
				    hex4(r->p + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				r->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
				goto bad;
			}
			utf8_put(buf, &n, cp);
			break;
		}
		default:
			goto bad;
		}
	}
	if (r->p >= r->end)
		goto bad;
	r->p++;
	buf[n] = 0;
	if (out)
		*out = buf;
	else
		free(buf);
	return 0;
bad:
	free(buf);
	return -EBADMSG;
}

static int value(struct jr *r, struct jmember *m);

static int container(struct jr *r, char open, char close)
{
	if (++r->depth > JSON_MAX_DEPTH)
		return -EBADMSG;
	r->p++;
	ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		r->depth--;
		return 0;
	}
	for (;;) {
		struct jmember tmp = { 0 };
		int ret;

		ws(r);
		if (open == '{') {
			if (string(r, NULL))
				return -EBADMSG;
			ws(r);
			if (r->p >= r->end || *r->p++ != ':')
				return -EBADMSG;
			ws(r);
		}
		ret = value(r, &tmp);
		free(tmp.str);
		if (ret)
			return ret;
		ws(r);
		if (r->p >= r->end)
			return -EBADMSG;
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p++ != close)
			return -EBADMSG;
		r->depth--;
		return 0;
	}
}

static int value(struct jr *r, struct jmember *m)
{
	if (r->p >= r->end)
		return -EBADMSG;
	switch (*r->p) {
	case '"':
		m->type = J_STR;
		return string(r, &m->str);
	case '{':
		m->type = J_OTHER;
		return container(r, '{', '}');
	case '[':
		m->type = J_OTHER;
		return container(r, '[', ']');
	case 't':
		if (r->end - r->p >= 4 && !memcmp(r->p, "true", 4)) {
			r->p += 4;
			m->type = J_BOOL;
			m->b = true;
			return 0;
		}
		return -EBADMSG;
	case 'f':
		if (r->end - r->p >= 5 && !memcmp(r->p, "false", 5)) {
			r->p += 5;
			m->type = J_BOOL;
			return 0;
		}
		return -EBADMSG;
	case 'n':
		if (r->end - r->p >= 4 && !memcmp(r->p, "null", 4)) {
			r->p += 4;
			m->type = J_NULL;
			return 0;
		}
		return -EBADMSG;
	default: {
		char num[64], *end;
		size_t n = 0;

		while (r->p + n < r->end && n < sizeof(num) - 1 && r->p[n] &&
		       strchr("+-0123456789.eE", r->p[n]))
			n++;
		if (!n || n == sizeof(num) - 1)
			return -EBADMSG;
		memcpy(num, r->p, n);
		num[n] = 0;
		m->num = strtod(num, &end);
		if (*end || !isfinite(m->num))
			return -EBADMSG;
		r->p += n;
		m->type = J_NUM;
		return 0;
	}
	}
}

int json_parse_object(const char *s, size_t len, struct jobj *o)
{
	struct jr r = { .p = s, .end = s + len };

	memset(o, 0, sizeof(*o));
	ws(&r);
	if (r.p >= r.end || *r.p != '{')
		return -EBADMSG;
	r.p++;
	r.depth = 1;
	ws(&r);
	if (r.p < r.end && *r.p == '}') {
		r.p++;
		goto done;
	}
	for (;;) {
		struct jmember m = { 0 }, *nm;

		ws(&r);
		if (string(&r, &m.key))
			goto bad;
		ws(&r);
		if (r.p >= r.end || *r.p++ != ':') {
			free(m.key);
			goto bad;
		}
		ws(&r);
		if (value(&r, &m)) {
			free(m.key);
			free(m.str);
			goto bad;
		}
		nm = realloc(o->m, (o->n + 1) * sizeof(*nm));
		if (!nm) {
			free(m.key);
			free(m.str);
			goto bad;
		}
		o->m = nm;
		o->m[o->n++] = m;
		ws(&r);
		if (r.p < r.end && *r.p == ',') {
			r.p++;
			continue;
		}
		if (r.p < r.end && *r.p == '}') {
			r.p++;
			break;
		}
		goto bad;
	}
done:
	ws(&r);
	if (r.p == r.end)
		return 0;
bad:
	jobj_free(o);
	return -EBADMSG;
}

void jobj_free(struct jobj *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->m[i].key);
		free(o->m[i].str);
	}
	free(o->m);
	memset(o, 0, sizeof(*o));
}

const struct jmember *jobj_get(const struct jobj *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->m[i].key, key))
			return &o->m[i];
	return NULL;
}

const char *jobj_str(const struct jobj *o, const char *key)
{
	const struct jmember *m = jobj_get(o, key);

	return m && m->type == J_STR ? m->str : NULL;
}

int jobj_int(const struct jobj *o, const char *key, int64_t *v)
{
	const struct jmember *m = jobj_get(o, key);

	if (!m)
		return -ENOENT;
	if (m->type != J_NUM || m->num != floor(m->num) || fabs(m->num) > 9e15)
		return -EINVAL;
	*v = (int64_t)m->num;
	return 0;
}
