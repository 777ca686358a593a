// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl sign KEY MANIFEST: signs the manifest and the executable it
 * names into MANIFEST.sig (Documentation/configuration.md, "Signatures").
 */
#include <stdio.h>

#include "cli.h"
#include "oneshot.h"
#include "subcommands.h"

int sign_main(int argc, char *argv[])
{
	json_object *res;
	char sig[4096];
	int ret;

	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
		return usage();
	res = json_object_new_object();
	json_object_object_add(res, "manifest", json_object_new_string(argv[2]));
	snprintf(sig, sizeof(sig), "%s.sig", argv[2]);
	json_object_object_add(res, "signature", json_object_new_string(sig));
	oneshot_begin();
	ret = cli_sign(argv[1], argv[2]);
	return oneshot_finish(ret ? EXIT_ERROR : EXIT_OK, res);
}
