/* SPDX-License-Identifier: GPL-2.0 */
/*
 * start, stop, restart, pause, resume: a request to logosd, then (unless
 * --no-wait) polling its status until the module is where it was sent.
 */
#ifndef _LOGOSCTL_LIFECYCLE_H
#define _LOGOSCTL_LIFECYCLE_H

#include "ctl.h"

struct lifecycle {
	const char *cmd;	/* the control protocol's command */
	const char *target;	/* the state that means done */
	const char *doing;	/* "starting", for messages */
};

/*
 * --no-wait or --timeout SECONDS at argv[*i]: 1 (consumed, *i past it),
 * 0 (not one of them), or EXIT_USAGE after saying what is wrong.
 */
int wait_option(int argc, char *argv[], int *i, bool *wait, int *timeout_s);
/* NAME [--no-wait] [--timeout SECONDS]; returns the exit status. */
int lifecycle_main(const struct lifecycle *lc, int argc, char *argv[]);
/* One module's status object (the caller puts it), or -errno. */
int ctl_module_status(struct ctl *c, const char *name, json_object **mod);
/* Polls until @name is in state @target (and, with @old_pid, not that
 * pid), "failed", or @timeout_ms passes; prints the outcome. */
int lifecycle_wait(struct ctl *c, const char *name, const char *target, long long old_pid,
		   int timeout_ms);

/*
 * Polls until logosd no longer reports @name "updating" (an update or a
 * rollback): 0 and its status in *@mod (the caller puts it), or the exit
 * status after saying what went wrong (@doing: "updating", for it).
 */
int lifecycle_wait_update(struct ctl *c, const char *name, const char *doing, int timeout_ms,
			  json_object **mod);

#endif
