/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request/response on channels (call.c): the pending calls of an endpoint.
 */
#ifndef _LOGOS_CALL_H
#define _LOGOS_CALL_H

#include <linux/list.h>
#include <linux/types.h>

struct logos_ctx;
struct logos_endpoint;

void logos_calls_fail(struct logos_endpoint *ep);
void logos_calls_drop_parked(struct logos_endpoint *ep, struct list_head *reap);
void logos_ctx_calls_init(struct logos_ctx *ctx);
void logos_call_taken(struct logos_ctx *ctx, struct logos_endpoint *ep, u64 txn);
void logos_ctx_calls_orphan(struct logos_ctx *ctx);
bool logos_calls_orphan(struct logos_endpoint *ep, u64 taker);

#endif /* _LOGOS_CALL_H */
