// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl stop NAME [--no-wait] [--timeout SECONDS]: stops a module
 * (TERMINATE, SIGKILL after its StopTimeout) and waits until it has.
 */
#include "lifecycle.h"
#include "subcommands.h"

int stop_main(int argc, char *argv[])
{
	static const struct lifecycle lc = {
		.cmd = "stop", .target = "stopped", .doing = "stopping",
	};

	return lifecycle_main(&lc, argc, argv);
}
