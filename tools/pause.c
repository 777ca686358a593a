// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl pause NAME [--no-wait] [--timeout SECONDS]: pauses a module
 * (PAUSE, kernel PAUSED, cgroup frozen) and waits until it is.
 */
#include "lifecycle.h"
#include "subcommands.h"

int pause_main(int argc, char *argv[])
{
	static const struct lifecycle lc = {
		.cmd = "pause", .target = "paused", .doing = "pausing",
	};

	return lifecycle_main(&lc, argc, argv);
}
