/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough JSON for the control socket and the audit log: a writer
 * that always produces valid UTF-8 JSON, and a reader of one flat object
 * (string, number, boolean and null members; nested values are checked
 * and skipped).
 */
#ifndef LOGOSD_JSON_H
#define LOGOSD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

struct jw {
	char *buf;
	size_t len, cap;
	int err;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void jw_init(struct jw *w);
/* The text (NUL-terminated, owned by the caller) or NULL on error. */
char *jw_finish(struct jw *w);
void jw_free(struct jw *w);
/* @key is NULL inside arrays and at the top. */
void jw_obj_begin(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *v);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_uint(struct jw *w, const char *key, uint64_t v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
/* Pre-formatted members ("\"a\":1,\"b\":2") spliced into the open object. */
void jw_raw_members(struct jw *w, const char *members);
/* Appends the JSON string literal of @s to @w's buffer (no comma logic). */
void jw_quote(struct jw *w, const char *s);

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_OTHER };

struct jmember {
	char *key;
	enum jtype type;
	char *str;		/* J_STR, decoded */
	double num;
	bool b;
};

struct jobj {
	struct jmember *m;
	size_t n;
};

/* One object, nothing but blanks around it. 0 or -EBADMSG. */
int json_parse_object(const char *s, size_t len, struct jobj *o);
void jobj_free(struct jobj *o);
const struct jmember *jobj_get(const struct jobj *o, const char *key);
/* NULL unless @key is a string member. */
const char *jobj_str(const struct jobj *o, const char *key);
/* -ENOENT when absent, -EINVAL when not an integer. */
int jobj_int(const struct jobj *o, const char *key, int64_t *v);

#endif
