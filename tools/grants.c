// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl grants: who granted how many pages to whom.
 */
#include <stdio.h>

#include "ctl.h"
#include "nl.h"
#include "subcommands.h"

static __u32 u32_or0(struct nlattr **a, int t) { return a[t] ? nla_get_u32(a[t]) : 0; }

static int add_grant(struct nlattr **attrs, void *arg)
{
	json_object *g = json_object_new_object();

	json_object_object_add(g, "from", json_object_new_int64(u32_or0(attrs, LOGOS_A_GRANT_FROM)));
	json_object_object_add(g, "to", json_object_new_int64(u32_or0(attrs, LOGOS_A_GRANT_TO)));
	json_object_object_add(g, "handles",
			       json_object_new_int64(u32_or0(attrs, LOGOS_A_GRANT_HANDLES)));
	json_object_object_add(g, "pages", json_object_new_uint64(attrs[LOGOS_A_GRANT_PAGES] ?
			       nla_get_u64(attrs[LOGOS_A_GRANT_PAGES]) : 0));
	json_object_array_add(arg, g);
	return 0;
}

int grants_main(int argc, char *argv[])
{
	json_object *out = json_object_new_object(), *list = json_object_new_array();
	struct lnl nl;
	size_t i, n;
	int ret;

	(void)argv;
	json_object_object_add(out, "grants", list);
	if (argc != 1) {
		json_object_put(out);
		return usage();
	}
	ret = lnl_open(&nl);
	if (!ret) {
		ret = lnl_request(&nl, LOGOS_CMD_GET_GRANTS, true, NULL, 0, add_grant, list);
		lnl_close(&nl);
	}
	if (ret) {
		json_object_put(out);
		return kernel_fail(ret, NULL);
	}
	n = json_object_array_length(list);
	if (json_out) {
		json_print(out);
	} else {
		printf("%-10s %-10s %10s %12s\n", "FROM", "TO", "HANDLES", "PAGES");
		for (i = 0; i < n; i++) {
			json_object *g = json_object_array_get_idx(list, i);

			printf("%-10lld %-10lld %10lld %12lld\n", jint(g, "from"), jint(g, "to"),
			       jint(g, "handles"), jint(g, "pages"));
		}
		if (!n)
			printf("(no grants)\n");
	}
	json_object_put(out);
	return EXIT_OK;
}
