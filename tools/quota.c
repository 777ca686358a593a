// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl quota NAME|ID RESOURCE=N|default|unlimited [--persist]: change
 * a limit of a running module. A module logosd supervises is changed
 * through logosd (audited with the operator's uid; --persist keeps the
 * limit for its later starts); any other module of logos.ko directly over
 * netlink, which is not audited (said on stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "modinfo.h"
#include "subcommands.h"

/*
 * Through logosd: 0 (done, said), 1 (logosd does not have NAME, or is
 * not running: the caller goes to the kernel), or an exit status.
 */
static int through_logosd(const char *name, const char *res, const char *limit, bool persist)
{
	json_object *req, *ans;
	struct ctl c;
	int ret = ctl_connect(&c);

	if (ret) {
		ctl_close(&c);
		if (!persist)
			return 1;
		fprintf(stderr, "%s: --persist needs logosd, which is not running (no socket at %s)\n",
			prog, c.path);
		return EXIT_NO_LOGOSD;
	}
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("quota"));
	json_object_object_add(req, "module", json_object_new_string(name));
	json_object_object_add(req, "resource", json_object_new_string(res));
	json_object_object_add(req, "limit", json_object_new_string(limit));
	if (persist)
		json_object_object_add(req, "persist", json_object_new_boolean(true));
	ret = ctl_request(&c, req, &ans);
	json_object_put(req);
	if (ret == -ENOENT && c.refused && !persist) {
		ctl_close(&c);
		return 1;
	}
	if (ret) {
		ret = ctl_fail(&c, ret, name);
		ctl_close(&c);
		return ret;
	}
	json_object_put(ans);
	ctl_close(&c);
	printf("%s: %s limit set to %s (by logosd, audited%s)\n", name, res, limit,
	       persist ? "; kept for its later starts" : "");
	return 0;
}

int quota_main(int argc, char *argv[])
{
	struct lnl_attr attrs[3] = {
		{ .type = LOGOS_A_MODULE_ID },
		{ .type = LOGOS_A_RESOURCE },
		{ .type = LOGOS_A_LIMIT, .is_u64 = true },
	};
	char *eq, *end;
	bool persist = false;
	struct modinfo m;
	struct lnl nl;
	int res, ret;

	if (argc == 4 && !strcmp(argv[3], "--persist")) {
		persist = true;
		argc--;
	}
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
	ret = through_logosd(argv[1], argv[2], eq + 1, persist);
	if (ret != 1)
		return ret;
	fprintf(stderr, "%s: note: logosd does not supervise %s: its limit is set in the kernel directly, not audited\n",
		prog, argv[1]);
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
