// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl handles NAME|ID: a module's handle table.
 */
#include <errno.h>
#include <stdio.h>

#include "ctl.h"
#include "modinfo.h"
#include "subcommands.h"

static __u32 u32_or0(struct nlattr **a, int t) { return a[t] ? nla_get_u32(a[t]) : 0; }
static __u64 u64_or0(struct nlattr **a, int t) { return a[t] ? nla_get_u64(a[t]) : 0; }

static int add_handle(struct nlattr **attrs, void *arg)
{
	struct nlattr *ha[LOGOS_HA_MAX + 1];
	json_object *h;

	if (!attrs[LOGOS_A_HANDLE] ||
	    nla_parse_nested(ha, LOGOS_HA_MAX, attrs[LOGOS_A_HANDLE], NULL) < 0)
		return 0;
	h = json_object_new_object();
	json_object_object_add(h, "handle", json_object_new_int64(u32_or0(ha, LOGOS_HA_VALUE)));
	json_object_object_add(h, "type",
			       json_object_new_string(lnl_type_name(u32_or0(ha, LOGOS_HA_TYPE))));
	json_object_object_add(h, "rights", json_object_new_int64(u32_or0(ha, LOGOS_HA_RIGHTS)));
	json_object_object_add(h, "object", json_object_new_uint64(u64_or0(ha, LOGOS_HA_OBJECT_ID)));
	json_object_object_add(h, "cap", json_object_new_uint64(u64_or0(ha, LOGOS_HA_CAP_ID)));
	json_object_object_add(h, "parent_cap",
			       json_object_new_uint64(u64_or0(ha, LOGOS_HA_PARENT_CAP_ID)));
	json_object_object_add(h, "revoked", json_object_new_boolean(u32_or0(ha, LOGOS_HA_FLAGS) &
							     LOGOS_HANDLE_F_REVOKED));
	json_object_array_add(arg, h);
	return 0;
}

int handles_main(int argc, char *argv[])
{
	struct lnl_attr attr = { .type = LOGOS_A_MODULE_ID };
	json_object *list, *out;
	struct modinfo m;
	struct lnl nl;
	size_t i, n;
	int ret;

	if (argc != 2)
		return usage();
	list = json_object_new_array();
	ret = lnl_open(&nl);
	if (!ret)
		ret = modinfo_find(&nl, argv[1], &m);
	if (!ret) {
		attr.value = m.id;
		ret = lnl_request(&nl, LOGOS_CMD_GET_HANDLES, true, &attr, 1, add_handle, list);
	}
	lnl_close(&nl);
	if (ret) {
		json_object_put(list);
		return kernel_fail(ret, argv[1]);
	}
	n = json_object_array_length(list);
	if (json_out) {
		out = json_object_new_object();
		json_object_object_add(out, "id", json_object_new_int64(m.id));
		json_object_object_add(out, "name", json_object_new_string(m.name));
		json_object_object_add(out, "handles", list);
		json_print(out);
		json_object_put(out);
		return EXIT_OK;
	}
	printf("%-10s %-8s %-4s %10s %10s %10s\n", "HANDLE", "TYPE", "RIGHTS", "OBJECT", "CAP",
	       "PARENT");
	for (i = 0; i < n; i++) {
		json_object *h = json_object_array_get_idx(list, i);

		printf("0x%08llx %-8s 0x%02llx %10lld %10lld %10lld%s\n", jint(h, "handle"),
		       jstr(h, "type"), jint(h, "rights"), jint(h, "object"), jint(h, "cap"),
		       jint(h, "parent_cap"), jbool(h, "revoked") ? " revoked" : "");
	}
	printf("%zu handle%s\n", n, n == 1 ? "" : "s");
	json_object_put(list);
	return EXIT_OK;
}
