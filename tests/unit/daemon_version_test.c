// SPDX-License-Identifier: GPL-2.0
/* Service versions and version ranges of logosd (daemon/version.c). */
#include "daemon_test.h"
#include "version.h"

#include <errno.h>
#include <string.h>

#define V(a, b) version_make(a, b)

static int range(const char *s, uint32_t *lo, uint32_t *hi)
{
	struct vrange r;
	int ret = vrange_parse(s, &r);

	if (!ret) {
		*lo = r.min;
		*hi = r.max;
	}
	return ret;
}

int main(void)
{
	uint32_t v, lo, hi;
	char buf[64];
	struct vrange r;

	CHECK(!version_parse("1.2", &v) && v == V(1, 2), "1.2 parses");
	CHECK(!version_parse("3", &v) && v == V(3, 0), "a bare major is MAJOR.0");
	CHECK(!version_parse("65535.65535", &v) && v == 0xffffffffU, "the largest version");
	CHECK(version_parse("65536.0", &v) == -EINVAL, "major above 65535 refused");
	CHECK(version_parse("1.2.3", &v) == -EINVAL, "three parts refused");
	CHECK(version_parse("1.", &v) == -EINVAL, "1. refused");
	CHECK(version_parse("", &v) == -EINVAL, "empty refused");
	CHECK(version_parse("a.b", &v) == -EINVAL, "letters refused");
	version_format(V(2, 10), buf, sizeof(buf));
	CHECK(!strcmp(buf, "2.10"), "format 2.10");

	CHECK(!range("*", &lo, &hi) && lo == 0 && hi == VERSION_MAX, "* is everything");
	CHECK(!range("1.2", &lo, &hi) && lo == V(1, 2) && hi == V(1, 65535),
	      "1.2 means >=1.2 within major 1");
	CHECK(!range("=1.2", &lo, &hi) && lo == V(1, 2) && hi == V(1, 2), "=1.2 is exact");
	CHECK(!range(">=1.2 <2.0", &lo, &hi) && lo == V(1, 2) && hi == V(1, 65535),
	      ">=1.2 <2.0");
	CHECK(!range(">1.2 <=1.5", &lo, &hi) && lo == V(1, 3) && hi == V(1, 5), ">1.2 <=1.5");
	CHECK(!range(">=1.0, <3.0", &lo, &hi) && lo == V(1, 0) && hi == V(2, 65535),
	      "commas separate terms too");
	CHECK(!range(">=1.0 >=2.0", &lo, &hi) && lo == V(2, 0), "terms combine (the tighter wins)");
	CHECK(range(">=2.0 <1.0", &lo, &hi) == -ERANGE, "an empty range is refused");
	CHECK(range("<0.0", &lo, &hi) == -ERANGE, "<0.0 is empty");
	CHECK(range("", &lo, &hi) == -EINVAL, "no term refused");
	CHECK(range(">=", &lo, &hi) == -EINVAL, "an operator without version refused");
	CHECK(range("~1.2", &lo, &hi) == -EINVAL, "unknown operator refused");
	CHECK(range(">=1.2x", &lo, &hi) == -EINVAL, "trailing garbage refused");

	vrange_parse(">=1.2 <2.0", &r);
	CHECK(vrange_contains(&r, V(1, 2)) && vrange_contains(&r, V(1, 9)), "contains 1.2 and 1.9");
	CHECK(!vrange_contains(&r, V(1, 1)) && !vrange_contains(&r, V(2, 0)),
	      "excludes 1.1 and 2.0");
	{
		const uint32_t cands[] = { V(1, 1), V(1, 4), V(2, 0), V(1, 3) };

		CHECK(vrange_best(&r, cands, 4) == 1, "best match is the highest inside (1.4)");
		vrange_parse("=2.0", &r);
		CHECK(vrange_best(&r, cands, 4) == 2, "exact match found");
		vrange_parse(">=3.0", &r);
		CHECK(vrange_best(&r, cands, 4) == -1, "no match gives -1");
		CHECK(vrange_best(&r, cands, 0) == -1, "no candidates gives -1");
	}
	vrange_parse(">=1.2 <2.0", &r);
	vrange_format(&r, buf, sizeof(buf));
	CHECK(!strcmp(buf, ">=1.2 <=1.65535"), "format of a range (%s)", buf);
	/* module versions: the order update refuses downgrades by */
	CHECK(module_version_cmp("1.9", "1.10") < 0 && module_version_cmp("1.10", "1.9") > 0,
	      "module versions: 1.9 < 1.10 (numbers by value)");
	CHECK(module_version_cmp("2.0", "2.0") == 0 && module_version_cmp("2.00", "2.0") == 0 &&
	      module_version_cmp("02.0", "2.0") == 0, "module versions: equal, leading zeros ignored");
	CHECK(module_version_cmp("2.0", "2.0.1") < 0 && module_version_cmp("2.0", "10") < 0 &&
	      module_version_cmp("2.0a", "2.0") > 0 && module_version_cmp("2.0", "2.a") > 0,
	      "module versions: a prefix is older, digits above letters");
	CHECK(module_version_cmp("1.0", "1.1") < 0 && module_version_cmp("v2", "v10") < 0 &&
	      module_version_cmp("99999999999999999999", "100000000000000000000") < 0,
	      "module versions: long numbers compare without overflow");
	return test_done();
}
