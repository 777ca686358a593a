// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl restart NAME [--no-wait] [--timeout SECONDS]: restarts a
 * module: PAUSE, SAVE_STATE, TERMINATE, then a new instance with the saved
 * state.
 */
#include "lifecycle.h"
#include "subcommands.h"

int restart_main(int argc, char *argv[])
{
	static const struct lifecycle lc = {
		.cmd = "restart", .target = "running", .doing = "restarting",
	};

	return lifecycle_main(&lc, argc, argv);
}
