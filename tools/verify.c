// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl verify MANIFEST [--config DIR]: the checks logosd makes before
 * every start (signature, hashes, trust, policy, kernel ABI) against the
 * configuration in DIR (default $LOGOS_CONFIG or /etc/logos).
 */
#include <string.h>

#include "cli.h"
#include "ctl.h"
#include "oneshot.h"
#include "subcommands.h"

int verify_main(int argc, char *argv[])
{
	const char *manifest = NULL, *dir = ctl_config_dir();
	json_object *res;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			dir = argv[++i];
		else if (argv[i][0] != '-' && !manifest)
			manifest = argv[i];
		else
			return usage();
	}
	if (!manifest)
		return usage();
	res = json_object_new_object();
	json_object_object_add(res, "manifest", json_object_new_string(manifest));
	json_object_object_add(res, "config", json_object_new_string(dir));
	oneshot_begin();
	ret = cli_verify(dir, manifest);
	return oneshot_finish(ret ? EXIT_ERROR : EXIT_OK, res);
}
