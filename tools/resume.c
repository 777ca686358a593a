// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl resume NAME [--no-wait] [--timeout SECONDS]: resumes a paused
 * module (thaw, kernel RUNNING, RESUME).
 */
#include "lifecycle.h"
#include "subcommands.h"

int resume_main(int argc, char *argv[])
{
	static const struct lifecycle lc = {
		.cmd = "resume", .target = "running", .doing = "resuming",
	};

	return lifecycle_main(&lc, argc, argv);
}
