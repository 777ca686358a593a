// SPDX-License-Identifier: GPL-2.0
/*
 * Logging: one line per message on stderr, written with a single write(2)
 * so lines of concurrent threads do not interleave.
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static int cur_level = LL_INFO;
static int journal;

static const char *const level_names[] = {
	[LL_ERR] = "error", [LL_WARN] = "warning", [LL_NOTICE] = "notice",
	[LL_INFO] = "info", [LL_DEBUG] = "debug",
};

void log_init(void)
{
	journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(int level)
{
	cur_level = level;
}

int log_get_level(void)
{
	return cur_level;
}

int log_level_parse(const char *s)
{
	for (int i = LL_ERR; i <= LL_DEBUG; i++)
		if (!strcasecmp(s, level_names[i]))
			return i;
	if (!strcasecmp(s, "warn"))
		return LL_WARN;
	return -EINVAL;
}

void log_vmsg(int level, const char *fmt, va_list ap)
{
	char line[2048];
	int n = 0;

	if (level > cur_level)
		return;
	if (journal) {
		n = snprintf(line, sizeof(line), "<%d>", level);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		struct tm tm;

		gmtime_r(&ts.tv_sec, &tm);
		n = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld logosd %s: ",
			     tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
			     level_names[level]);
	}
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nowhere else to say it */
	}
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
