// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl keygen PREFIX [--max-trust LEVEL] [--comment TEXT] [--not-after YYYY-MM-DD]: a signing
 * key pair, PREFIX.key (secret, 0600) and PREFIX.pub; LEVEL caps the trust
 * of modules it signs (untrusted, user, system, core; default user).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "oneshot.h"
#include "subcommands.h"

int keygen_main(int argc, char *argv[])
{
	const char *prefix = NULL, *max_trust = NULL, *comment = NULL, *not_after = NULL;
	json_object *res;
	char path[4096];
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--max-trust") && i + 1 < argc)
			max_trust = argv[++i];
		else if (!strcmp(argv[i], "--comment") && i + 1 < argc)
			comment = argv[++i];
		else if (!strcmp(argv[i], "--not-after") && i + 1 < argc)
			not_after = argv[++i];
		else if (argv[i][0] != '-' && !prefix)
			prefix = argv[i];
		else
			return usage();
	}
	if (!prefix)
		return usage();
	res = json_object_new_object();
	snprintf(path, sizeof(path), "%s.key", prefix);
	json_object_object_add(res, "key", json_object_new_string(path));
	snprintf(path, sizeof(path), "%s.pub", prefix);
	json_object_object_add(res, "pub", json_object_new_string(path));
	json_object_object_add(res, "max_trust", json_object_new_string(max_trust ? max_trust : "user"));
	oneshot_begin();
	ret = cli_keygen(prefix, max_trust, comment, not_after);
	return oneshot_finish(ret == 2 ? EXIT_USAGE : ret ? EXIT_ERROR : EXIT_OK, res);
}
