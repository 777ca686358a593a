/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The INI driver shared by config.c and manifest.c: libinih fed through a
 * line-counting reader, and typed setters that report "FILE:LINE: why".
 */
#ifndef LOGOSD_INIFILE_H
#define LOGOSD_INIFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct parser;
typedef void (*kv_handler)(struct parser *p, const char *section, const char *key,
			   const char *value);

struct parser {
	const char *file;
	const char *data;
	size_t len, pos;
	int line;		/* of the key being handled */
	int nr_errors;
	char ***errors;
	kv_handler handle;
	void *target;
	char **seen;		/* single-valued keys seen: "section\nkey" */
};

/* Parses p->data; 0, or -EINVAL when anything was reported. */
int run_parser(struct parser *p);
void perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* False (and an error) when @key was already given in @section. */
bool once(struct parser *p, const char *section, const char *key);
bool is(const char *a, const char *b);	/* case-insensitive equality */

void set_str(struct parser *p, const char *s, const char *k, const char *v, char **dst);
void set_bool(struct parser *p, const char *s, const char *k, const char *v, bool *dst);
void set_duration(struct parser *p, const char *s, const char *k, const char *v,
		  uint64_t *dst);
void set_uint(struct parser *p, const char *s, const char *k, const char *v,
	      unsigned int *dst, unsigned int min, unsigned int max);
/* A size (or count), or "max"/"infinity" for LIMIT_NONE. */
void set_limit(struct parser *p, const char *s, const char *k, const char *v,
	       uint64_t *dst, bool is_size);
/* Blank-separated words appended to *@dst. */
void append_words(struct parser *p, const char *k, const char *v, char ***dst);

#endif
