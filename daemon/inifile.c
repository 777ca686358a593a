// SPDX-License-Identifier: GPL-2.0
/*
 * INI parsing with libinih. inih reports only "some line is bad"; to name
 * the line of every problem, the bytes are fed to ini_parse_stream()
 * through a reader that counts lines, so the handler knows which line it
 * is looking at.
 */
#include "inifile.h"
#include "util.h"
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void config_error(char ***errors, const char *file, int line, const char *fmt, ...)
{
	char msg[512], full[PATH_MAX + 600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s", file, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", file, msg);
	if (errors)
		strv_push(errors, full);
}

/* ---- the line-counting driver --------------------------------------- */

void perr(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	config_error(p->errors, p->file, p->line, "%s", msg);
	p->nr_errors++;
}

static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *start, *nl;
	size_t n;

	if (p->pos >= p->len)
		return NULL;
	start = p->data + p->pos;
	nl = memchr(start, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - start) + 1 : p->len - p->pos;
	p->pos += n;
	p->line++;
	if (memchr(start, 0, n)) {
		perr(p, "the line holds a NUL byte: not a text file");
		n = 0;
	} else if (n > (size_t)num - 1) {
		perr(p, "the line is longer than %d characters; split the value over several lines",
		     num - 2);
		n = 0;
	}
	memcpy(str, start, n);
	str[n] = 0;
	return str;
}

static int ini_cb(void *user, const char *section, const char *key, const char *value)
{
	struct parser *p = user;

	p->handle(p, section, key, value);
	return 1;
}

int run_parser(struct parser *p)
{
	int ret = ini_parse_stream(reader, p, ini_cb, p);

	if (ret > 0) {
		p->line = ret;
		perr(p, "syntax error: expected [Section], Key = value, or a comment");
	} else if (ret < 0) {
		perr(p, "cannot parse the file (out of memory)");
	}
	strv_free(p->seen);
	p->seen = NULL;
	return p->nr_errors ? -EINVAL : 0;
}

/* False (and an error) when @key was already given in @section. */
bool once(struct parser *p, const char *section, const char *key)
{
	char id[256];

	snprintf(id, sizeof(id), "%s\n%s", section, key);
	for (char *c = id; *c; c++)
		*c = tolower((unsigned char)*c);
	if (strv_contains(p->seen, id)) {
		perr(p, "%s given twice in [%s] (or continued on an indented line)", key, section);
		return false;
	}
	strv_push(&p->seen, id);
	return true;
}

bool is(const char *a, const char *b)
{
	return !strcasecmp(a, b);
}

/* ---- typed values ---------------------------------------------------- */

void set_str(struct parser *p, const char *s, const char *k, const char *v, char **dst)
{
	if (!once(p, s, k))
		return;
	if (!*v) {
		perr(p, "%s needs a value", k);
		return;
	}
	free(*dst);
	*dst = strdup(v);
}

void set_bool(struct parser *p, const char *s, const char *k, const char *v, bool *dst)
{
	if (once(p, s, k) && parse_bool(v, dst))
		perr(p, "%s must be yes or no, not \"%s\"", k, v);
}

void set_duration(struct parser *p, const char *s, const char *k, const char *v,
			 uint64_t *dst)
{
	if (once(p, s, k) && parse_duration_ms(v, dst))
		perr(p, "%s must be a duration such as 500ms, 5s or 2min, not \"%s\"", k, v);
}

void set_uint(struct parser *p, const char *s, const char *k, const char *v,
		     unsigned int *dst, unsigned int min, unsigned int max)
{
	uint64_t x;

	if (!once(p, s, k))
		return;
	if (parse_u64(v, &x) || x < min || x > max)
		perr(p, "%s must be a number from %u to %u, not \"%s\"", k, min, max, v);
	else
		*dst = x;
}

/* A size, or "max"/"infinity" for LIMIT_NONE. */
void set_limit(struct parser *p, const char *s, const char *k, const char *v,
		      uint64_t *dst, bool is_size)
{
	uint64_t x;

	if (!once(p, s, k))
		return;
	if (is(v, "max") || is(v, "infinity")) {
		*dst = LIMIT_NONE;
		return;
	}
	if ((is_size ? parse_size(v, &x) : parse_u64(v, &x)) || x == 0)
		perr(p, "%s must be %s or \"max\", not \"%s\"", k,
		     is_size ? "a size such as 64M" : "a positive number", v);
	else
		*dst = x;
}

void append_words(struct parser *p, const char *k, const char *v, char ***dst)
{
	char **words = strv_split(v);

	if (!words) {
		perr(p, "out of memory");
		return;
	}
	if (!words[0])
		perr(p, "%s needs a value", k);
	for (size_t i = 0; words[i]; i++)
		strv_push(dst, words[i]);
	strv_free(words);
}

