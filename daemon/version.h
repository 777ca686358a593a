/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Service versions and version ranges (pure functions, unit-tested).
 *
 * A service version is "MAJOR.MINOR", encoded as in protocol.md:
 * major << 16 | minor, each 0..65535. A range is a closed interval
 * [min, max] of encoded versions, written as one or more constraints that
 * must all hold:
 *	*		any version
 *	1.2		compatible with 1.2: >=1.2 and <2.0 (same major)
 *	=1.2		exactly 1.2
 *	>=1.2 >1.2 <=1.9 <2.0	comparisons, combined: ">=1.2 <3.0"
 */
#ifndef LOGOSD_VERSION_H
#define LOGOSD_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VERSION_MAX 0xffffffffU

struct vrange {
	uint32_t min;
	uint32_t max;
};

static inline uint32_t version_make(uint32_t major, uint32_t minor)
{
	return major << 16 | minor;
}

/* "1.2" (or "1") -> encoded; -EINVAL for anything else. */
int version_parse(const char *s, uint32_t *v);
/* "1.2" into @buf. */
void version_format(uint32_t v, char *buf, size_t cap);
/* A range expression as above; -EINVAL if malformed, -ERANGE if empty. */
int vrange_parse(const char *s, struct vrange *r);
void vrange_format(const struct vrange *r, char *buf, size_t cap);
bool vrange_contains(const struct vrange *r, uint32_t v);
/*
 * The best of @n candidate versions for @r: the highest one inside the
 * range. Returns its index, or -1 when none matches.
 */
int vrange_best(const struct vrange *r, const uint32_t *versions, size_t n);

/*
 * Module versions ([Module] Version): <0, 0, >0. Digit runs compare by
 * value, other characters by byte, digits above other characters, and a
 * version that is a prefix of another is older: 1.9 < 1.10 < 2.0 < 2.0.1.
 */
int module_version_cmp(const char *a, const char *b);

#endif
