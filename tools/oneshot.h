/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keygen, sign, verify run logosd's own one-shot commands (daemon/cli.c in
 * liblogosd.a). With --json their sentences go to stderr and stdout gets
 * one JSON object with the outcome.
 */
#ifndef _LOGOSCTL_ONESHOT_H
#define _LOGOSCTL_ONESHOT_H

#include <json-c/json.h>

/* Before the call: stdout to stderr (--json only). */
void oneshot_begin(void);
/* After it: stdout back; with --json prints @result with "ok" set from
 * @status. Puts @result; returns @status. */
int oneshot_finish(int status, json_object *result);

#endif
