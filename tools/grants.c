// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl grants: who granted how many pages to whom.
 */
#include <stdio.h>

#include "nl.h"
#include "subcommands.h"

static int print_grant(struct nlattr **attrs, void *arg)
{
	int *count = arg;

	printf("%-10u %-10u %10u %12llu\n",
	       attrs[LOGOS_A_GRANT_FROM] ? nla_get_u32(attrs[LOGOS_A_GRANT_FROM]) : 0,
	       attrs[LOGOS_A_GRANT_TO] ? nla_get_u32(attrs[LOGOS_A_GRANT_TO]) : 0,
	       attrs[LOGOS_A_GRANT_HANDLES] ? nla_get_u32(attrs[LOGOS_A_GRANT_HANDLES]) : 0,
	       (unsigned long long)(attrs[LOGOS_A_GRANT_PAGES] ?
				    nla_get_u64(attrs[LOGOS_A_GRANT_PAGES]) : 0));
	(*count)++;
	return 0;
}

int grants_main(int argc, char *argv[])
{
	struct lnl nl;
	int count = 0, ret;

	(void)argv;
	if (argc != 1)
		return usage();
	ret = lnl_open(&nl);
	if (!ret) {
		printf("%-10s %-10s %10s %12s\n", "FROM", "TO", "HANDLES", "PAGES");
		ret = lnl_request(&nl, LOGOS_CMD_GET_GRANTS, true, NULL, 0, print_grant, &count);
		lnl_close(&nl);
	}
	if (ret)
		return kernel_fail(ret, NULL);
	if (!count)
		printf("(no grants)\n");
	return 0;
}
