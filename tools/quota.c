// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl quota NAME|ID RESOURCE=N|default|unlimited: change a limit of a
 * running module.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modinfo.h"
#include "subcommands.h"

int quota_main(int argc, char *argv[])
{
	struct lnl_attr attrs[3] = {
		{ .type = LOGOS_A_MODULE_ID },
		{ .type = LOGOS_A_RESOURCE },
		{ .type = LOGOS_A_LIMIT, .is_u64 = true },
	};
	char *eq, *end;
	struct modinfo m;
	struct lnl nl;
	int res, ret;

	if (argc != 3 || !(eq = strchr(argv[2], '=')))
		return usage();
	*eq = '\0';
	res = lnl_resource_parse(argv[2]);
	if (res < 0) {
		fprintf(stderr, "%s: unknown resource '%s' (one of handles, objects, events, channels, "
			"msgs_queued, bytes_queued, memory_pages, mapped_pages)\n", prog, argv[2]);
		return EXIT_USAGE;
	}
	if (!strcmp(eq + 1, "unlimited")) {
		attrs[2].value = LOGOS_LIMIT_UNLIMITED;
	} else if (!strcmp(eq + 1, "default")) {
		attrs[2].value = LOGOS_LIMIT_DEFAULT;
	} else {
		attrs[2].value = strtoull(eq + 1, &end, 0);
		if (!eq[1] || *end || !attrs[2].value) {
			fprintf(stderr, "%s: '%s' is not a limit: a positive number, default or unlimited\n",
				prog, eq + 1);
			return EXIT_USAGE;
		}
	}
	attrs[1].value = res;
	ret = lnl_open(&nl);
	if (!ret)
		ret = modinfo_find(&nl, argv[1], &m);
	if (!ret) {
		attrs[0].value = m.id;
		ret = lnl_request(&nl, LOGOS_CMD_SET_QUOTA, false, attrs, 3, NULL, NULL);
	}
	lnl_close(&nl);
	if (ret)
		return kernel_fail(ret, argv[1]);
	printf("%s: %s limit set to %s\n", m.name, argv[2], eq + 1);
	return 0;
}
