// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl reload: logosd re-reads logosd.conf, modules.d/ and trusted.d/
 * (as on SIGHUP). Every problem found is printed; manifests with problems
 * are skipped, so any problem makes the exit status 1.
 */
#include <stdio.h>

#include "ctl.h"
#include "subcommands.h"

int reload_main(int argc, char *argv[])
{
	json_object *ans, *problems;
	size_t i, n = 0;
	int ret;

	(void)argv;
	if (argc != 1)
		return usage();
	ret = ctl_query("reload", NULL, &ans);
	if (ret)
		return ret;
	if (json_object_object_get_ex(ans, "problems", &problems) &&
	    json_object_is_type(problems, json_type_array))
		n = json_object_array_length(problems);
	if (json_out) {
		json_print(ans);
	} else {
		for (i = 0; i < n; i++)
			fprintf(stderr, "%s\n", json_object_get_string(json_object_array_get_idx(problems, i)));
		printf("reloaded: %zu problem%s\n", n, n == 1 ? "" : "s");
	}
	json_object_put(ans);
	return n ? EXIT_ERROR : EXIT_OK;
}
