// SPDX-License-Identifier: GPL-2.0
#include "version.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_part(const char **p, uint32_t *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s - '0');
		if (v > 0xffff)
			return -EINVAL;
		s++;
	}
	*out = v;
	*p = s;
	return 0;
}

/* Parses "MAJOR[.MINOR]" at *p, leaving *p after it. */
static int parse_at(const char **p, uint32_t *v)
{
	uint32_t major, minor = 0;

	if (parse_part(p, &major))
		return -EINVAL;
	if (**p == '.') {
		(*p)++;
		if (parse_part(p, &minor))
			return -EINVAL;
	}
	*v = version_make(major, minor);
	return 0;
}

int version_parse(const char *s, uint32_t *v)
{
	uint32_t x;

	if (!s || parse_at(&s, &x) || *s)
		return -EINVAL;
	*v = x;
	return 0;
}

void version_format(uint32_t v, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u", v >> 16, v & 0xffff);
}

int vrange_parse(const char *s, struct vrange *r)
{
	uint64_t lo = 0, hi = VERSION_MAX;
	int terms = 0;

	if (!s)
		return -EINVAL;
	for (;;) {
		uint32_t v;

		while (isspace((unsigned char)*s) || *s == ',')
			s++;
		if (!*s)
			break;
		terms++;
		if (*s == '*') {
			s++;
		} else if (s[0] == '>' && s[1] == '=') {
			s += 2;
			if (parse_at(&s, &v))
				return -EINVAL;
			lo = lo > v ? lo : v;
		} else if (s[0] == '<' && s[1] == '=') {
			s += 2;
			if (parse_at(&s, &v))
				return -EINVAL;
			hi = hi < v ? hi : v;
		} else if (s[0] == '>') {
			s++;
			if (parse_at(&s, &v))
				return -EINVAL;
			lo = lo > (uint64_t)v + 1 ? lo : (uint64_t)v + 1;
		} else if (s[0] == '<') {
			s++;
			if (parse_at(&s, &v))
				return -EINVAL;
			if (v == 0)
				return -ERANGE;
			hi = hi < (uint64_t)v - 1 ? hi : (uint64_t)v - 1;
		} else if (s[0] == '=') {
			s++;
			if (parse_at(&s, &v))
				return -EINVAL;
			lo = lo > v ? lo : v;
			hi = hi < v ? hi : v;
		} else if (isdigit((unsigned char)*s)) {
			uint64_t top;

			if (parse_at(&s, &v))
				return -EINVAL;
			top = ((uint64_t)(v >> 16) << 16) | 0xffff;
			lo = lo > v ? lo : v;
			hi = hi < top ? hi : top;
		} else {
			return -EINVAL;
		}
		/* Every term ends at a blank, a comma or the end. */
		if (*s && !isspace((unsigned char)*s) && *s != ',')
			return -EINVAL;
	}
	if (!terms)
		return -EINVAL;
	if (lo > hi || lo > VERSION_MAX)
		return -ERANGE;
	r->min = lo;
	r->max = hi;
	return 0;
}

void vrange_format(const struct vrange *r, char *buf, size_t cap)
{
	char a[16], b[16];

	if (r->min == 0 && r->max == VERSION_MAX) {
		snprintf(buf, cap, "*");
		return;
	}
	version_format(r->min, a, sizeof(a));
	version_format(r->max, b, sizeof(b));
	if (r->min == r->max)
		snprintf(buf, cap, "=%s", a);
	else
		snprintf(buf, cap, ">=%s <=%s", a, b);
}

bool vrange_contains(const struct vrange *r, uint32_t v)
{
	return v >= r->min && v <= r->max;
}

int vrange_best(const struct vrange *r, const uint32_t *versions, size_t n)
{
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		if (!vrange_contains(r, versions[i]))
			continue;
		if (best < 0 || versions[i] > versions[best])
			best = i;
	}
	return best;
}

/*
 * Module versions ([Module] Version, one word): runs of digits compare by
 * value (leading zeros ignored), anything else byte by byte, a digit run
 * above a non-digit; the version that ends first is the older. So
 * 1.9 < 1.10 < 2.0 < 2.0.1 and 2.0 < 2.0a.
 */
int module_version_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		bool da = isdigit((unsigned char)*a), db = isdigit((unsigned char)*b);

		if (da != db)
			return da ? 1 : -1;
		if (da) {
			size_t la, lb;
			int c;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (la = 0; isdigit((unsigned char)a[la]); la++)
				;
			for (lb = 0; isdigit((unsigned char)b[lb]); lb++)
				;
			if (la != lb)
				return la < lb ? -1 : 1;
			c = memcmp(a, b, la);
			if (c)
				return c < 0 ? -1 : 1;
			a += la;
			b += lb;
		} else {
			if (*a != *b)
				return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
			a++;
			b++;
		}
	}
	return *a ? 1 : *b ? -1 : 0;
}
