/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request/response on channels (call.c): the pending calls of an endpoint.
 */
#ifndef _LOGOS_CALL_H
#define _LOGOS_CALL_H

#include <linux/list.h>

struct logos_endpoint;

void logos_calls_fail(struct logos_endpoint *ep);
void logos_calls_drop_parked(struct logos_endpoint *ep, struct list_head *reap);

#endif /* _LOGOS_CALL_H */
