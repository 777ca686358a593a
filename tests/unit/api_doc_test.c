// SPDX-License-Identifier: GPL-2.0
/*
 * Every function liblogos exports, and every inline function of its
 * headers, is documented in Documentation/api.md; and the library exports
 * nothing but logos_* (checked on the built liblogos.so).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#ifndef TOP
#error "TOP must name the source tree"
#endif

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Is `name(` (as code) in the document? */
static int documented(const char *doc, const char *name)
{
	char want[300];

	snprintf(want, sizeof(want), "%s(", name);
	return strstr(doc, want) != NULL;
}

TEST(every_exported_function_is_in_api_md)
{
	char *doc = slurp(TOP "/Documentation/api.md");
	char line[512], type[8], name[256];
	int total = 0, missing = 0, foreign = 0;
	FILE *nm;

	ASSERT_NE(NULL, doc);
	nm = popen("nm -D --defined-only " TOP "/build/ulib/liblogos.so", "r");
	ASSERT_NE(NULL, nm);
	while (fgets(line, sizeof(line), nm)) {
		if (sscanf(line, "%*s %7s %255s", type, name) != 2)
			continue;
		*strchrnul(name, '@') = 0;
		if (strchr("TDBRVW", type[0]) == NULL)
			continue;
		if (strncmp(name, "logos_", 6)) {
			foreign++;
			TH_LOG("exported but not logos_*: %s", name);
			continue;
		}
		total++;
		if (!documented(doc, name)) {
			missing++;
			TH_LOG("not in Documentation/api.md: %s", name);
		}
	}
	pclose(nm);
	EXPECT_LT(100, total);
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, foreign);
	free(doc);
}

TEST(every_inline_function_is_in_api_md)
{
	char *doc = slurp(TOP "/Documentation/api.md");
	char line[512];
	int missing = 0, seen = 0;
	FILE *grep;

	ASSERT_NE(NULL, doc);
	grep = popen("grep -ho 'static inline [a-z_ *]*logos_[a-z0-9_]*' "
		     TOP "/ulib/include/logos/*.h", "r");
	ASSERT_NE(NULL, grep);
	while (fgets(line, sizeof(line), grep)) {
		char *name = strstr(line, "logos_");

		name[strcspn(name, "\n")] = 0;
		seen++;
		if (!documented(doc, name)) {
			missing++;
			TH_LOG("inline not in Documentation/api.md: %s", name);
		}
	}
	pclose(grep);
	EXPECT_LT(0, seen);
	EXPECT_EQ(0, missing);
	free(doc);
}

TEST_HARNESS_MAIN
