// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl handles NAME|ID: a module's handle table.
 */
#include <errno.h>
#include <stdio.h>

#include "modinfo.h"
#include "subcommands.h"

static int print_handle(struct nlattr **attrs, void *arg)
{
	struct nlattr *ha[LOGOS_HA_MAX + 1];
	int *count = arg;
	__u32 flags;

	if (!attrs[LOGOS_A_HANDLE] ||
	    nla_parse_nested(ha, LOGOS_HA_MAX, attrs[LOGOS_A_HANDLE], NULL) < 0)
		return 0;
	flags = ha[LOGOS_HA_FLAGS] ? nla_get_u32(ha[LOGOS_HA_FLAGS]) : 0;
	printf("0x%08x %-8s 0x%02x %10llu %10llu %10llu%s\n",
	       ha[LOGOS_HA_VALUE] ? nla_get_u32(ha[LOGOS_HA_VALUE]) : 0,
	       lnl_type_name(ha[LOGOS_HA_TYPE] ? nla_get_u32(ha[LOGOS_HA_TYPE]) : 0),
	       ha[LOGOS_HA_RIGHTS] ? nla_get_u32(ha[LOGOS_HA_RIGHTS]) : 0,
	       (unsigned long long)(ha[LOGOS_HA_OBJECT_ID] ? nla_get_u64(ha[LOGOS_HA_OBJECT_ID]) : 0),
	       (unsigned long long)(ha[LOGOS_HA_CAP_ID] ? nla_get_u64(ha[LOGOS_HA_CAP_ID]) : 0),
	       (unsigned long long)(ha[LOGOS_HA_PARENT_CAP_ID] ?
				    nla_get_u64(ha[LOGOS_HA_PARENT_CAP_ID]) : 0),
	       flags & LOGOS_HANDLE_F_REVOKED ? " revoked" : "");
	(*count)++;
	return 0;
}

int handles_main(int argc, char *argv[])
{
	struct lnl_attr attr = { .type = LOGOS_A_MODULE_ID };
	struct modinfo m;
	struct lnl nl;
	int count = 0, ret;

	if (argc != 2)
		return usage();
	ret = lnl_open(&nl);
	if (!ret)
		ret = modinfo_find(&nl, argv[1], &m);
	if (!ret) {
		attr.value = m.id;
		printf("%-10s %-8s %-4s %10s %10s %10s\n", "HANDLE", "TYPE", "RIGHTS", "OBJECT",
		       "CAP", "PARENT");
		ret = lnl_request(&nl, LOGOS_CMD_GET_HANDLES, true, &attr, 1, print_handle, &count);
	}
	lnl_close(&nl);
	if (ret)
		return kernel_fail(ret, argv[1]);
	printf("%d handle%s\n", count, count == 1 ? "" : "s");
	return 0;
}
