// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl start NAME [--no-wait] [--timeout SECONDS]: starts a module
 * (after the modules of the services it requires) and waits until it runs.
 */
#include "lifecycle.h"
#include "subcommands.h"

int start_main(int argc, char *argv[])
{
	static const struct lifecycle lc = {
		.cmd = "start", .target = "running", .doing = "starting",
	};

	return lifecycle_main(&lc, argc, argv);
}
