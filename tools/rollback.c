// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl rollback NAME [--no-wait] [--timeout SECONDS]: back to the
 * version NAME ran before its last update (logosd keeps it at each
 * commit). A running module is updated to it, its state handed over, as
 * `update` would; one that is stopped gets the files swapped back, a
 * failed one is also started (Documentation/configuration.md, "Updates").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "lifecycle.h"
#include "subcommands.h"
#include "util.h"

int rollback_main(int argc, char *argv[])
{
	char from[64] = "";
	int timeout_s = 60, ret, i;
	json_object *req, *ans, *mod = NULL;
	const char *name = NULL;
	bool wait = true;
	struct ctl c;

	for (i = 1; i < argc; i++) {
		ret = wait_option(argc, argv, &i, &wait, &timeout_s);
		if (ret > 1)
			return ret;
		if (ret == 1)
			continue;
		if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return usage();
	}
	if (!name)
		return usage();
	ret = ctl_connect(&c);
	if (!ret)
		ret = ctl_module_status(&c, name, &mod);
	if (ret)
		goto fail;
	str_copy(from, sizeof(from), jstr(mod, "version"));
	json_object_put(mod);
	mod = NULL;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("rollback"));
	json_object_object_add(req, "module", json_object_new_string(name));
	ret = ctl_request(&c, req, &ans);
	json_object_put(req);
	if (ret)
		goto fail;
	json_object_put(ans);
	/* a running module is being updated: wait for the outcome */
	if (wait) {
		ret = lifecycle_wait_update(&c, name, "rolling back", timeout_s * 1000, &mod);
		if (ret) {
			ctl_close(&c);
			return ret;
		}
	} else {
		ret = ctl_module_status(&c, name, &mod);
		if (ret)
			goto fail;
	}
	if (json_out) {
		json_print(mod);
	} else if (!wait) {
		printf("%s: rolling back from version %s\n", name, from);
	}
	if (wait && !strcmp(jstr(mod, "version"), from)) {
		fprintf(stderr, "%s: the rollback of %s failed (%s); version %s still runs: see '%s audit show --module %s'\n",
			prog, name, *jstr(mod, "last_error") ? jstr(mod, "last_error") : "?", from, prog,
			name);
		ret = EXIT_ERROR;
	} else {
		if (wait && !json_out)
			printf("%s: rolled back from version %s to %s (%s)\n", name, from,
			       jstr(mod, "version"), jstr(mod, "state"));
		ret = EXIT_OK;
	}
	json_object_put(mod);
	ctl_close(&c);
	return ret;
fail:
	ret = ctl_fail(&c, ret, name);
	ctl_close(&c);
	return ret;
}
