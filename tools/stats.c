// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl stats: what logos.ko holds now, against its global limits.
 */
#include <stdio.h>

#include "ctl.h"
#include "nl.h"
#include "subcommands.h"

static __u64 get(struct nlattr **attrs, int type)
{
	return attrs[type] ? nla_get_u64(attrs[type]) : 0;
}

static int print_stats(struct nlattr **attrs, void *arg)
{
	static const struct { const char *key; int attr; } members[] = {
		{ "modules", LOGOS_A_STATS_MODULES }, { "max_modules", LOGOS_A_STATS_MAX_MODULES },
		{ "objects", LOGOS_A_STATS_OBJECTS }, { "max_objects", LOGOS_A_STATS_MAX_OBJECTS },
		{ "handles", LOGOS_A_STATS_HANDLES }, { "max_handles", LOGOS_A_STATS_MAX_HANDLES },
		{ "events_sent", LOGOS_A_STATS_EVENTS_SENT },
	};

	(void)arg;
	if (json_out) {
		json_object *o = json_object_new_object();

		for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
			json_object_object_add(o, members[i].key,
					       json_object_new_uint64(get(attrs, members[i].attr)));
		json_print(o);
		json_object_put(o);
		return 0;
	}
	printf("modules: %llu of at most %llu\n", (unsigned long long)get(attrs, LOGOS_A_STATS_MODULES),
	       (unsigned long long)get(attrs, LOGOS_A_STATS_MAX_MODULES));
	printf("objects: %llu of at most %llu\n", (unsigned long long)get(attrs, LOGOS_A_STATS_OBJECTS),
	       (unsigned long long)get(attrs, LOGOS_A_STATS_MAX_OBJECTS));
	printf("handles: %llu of at most %llu\n", (unsigned long long)get(attrs, LOGOS_A_STATS_HANDLES),
	       (unsigned long long)get(attrs, LOGOS_A_STATS_MAX_HANDLES));
	printf("events sent: %llu\n", (unsigned long long)get(attrs, LOGOS_A_STATS_EVENTS_SENT));
	return 0;
}

int stats_main(int argc, char *argv[])
{
	struct lnl nl;
	int ret;

	(void)argv;
	if (argc != 1)
		return usage();
	ret = lnl_open(&nl);
	if (!ret) {
		ret = lnl_request(&nl, LOGOS_CMD_GET_STATS, false, NULL, 0, print_stats, NULL);
		lnl_close(&nl);
	}
	if (ret)
		return kernel_fail(ret, NULL);
	return 0;
}
