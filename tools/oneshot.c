// SPDX-License-Identifier: GPL-2.0
/*
 * What keygen, sign and verify share: logosd's sentences on stderr under
 * --json, so that stdout holds only the JSON outcome.
 */
#include <stdio.h>
#include <unistd.h>

#include "ctl.h"
#include "oneshot.h"
#include "subcommands.h"

static int saved_stdout = -1;

void oneshot_begin(void)
{
	if (!json_out)
		return;
	fflush(stdout);
	saved_stdout = dup(STDOUT_FILENO);
	if (saved_stdout >= 0)
		dup2(STDERR_FILENO, STDOUT_FILENO);
}

int oneshot_finish(int status, json_object *result)
{
	if (json_out) {
		fflush(stdout);
		if (saved_stdout >= 0) {
			dup2(saved_stdout, STDOUT_FILENO);
			close(saved_stdout);
			saved_stdout = -1;
		}
		json_object_object_add(result, "ok", json_object_new_boolean(status == 0));
		json_print(result);
	}
	json_object_put(result);
	return status;
}
