/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keygen, sign, verify run logosd's own one-shot commands (daemon/cli.c in
 * liblogosd.a). With --json their sentences go to stderr and stdout gets
 * one JSON object with the outcome.
 */
#ifndef _LOGOSCTL_ONESHOT_H
#define _LOGOSCTL_ONESHOT_H

#include <json-c/json.h>

/* Calls @fn with stdout on stderr when --json; then prints @result (with
 * "ok" set from the status) and puts it. Returns the status. */
int oneshot_finish(int status, json_object *result);
/* Before the call: stdout to stderr (--json only). */
void oneshot_begin(void);

#endif
