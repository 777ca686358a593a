/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "logos" generic netlink family, as logosctl speaks it (libnl-genl-3).
 */
#ifndef _LOGOSCTL_NL_H
#define _LOGOSCTL_NL_H

#include <linux/logos.h>
#include <netlink/attr.h>
#include <stdbool.h>

struct nl_sock;

struct lnl {
	struct nl_sock *sk;
	int family;
};

/* Returns 0 or -errno; prints nothing. */
int lnl_open(struct lnl *nl);
void lnl_close(struct lnl *nl);

/* A request with optional u32/u64 attributes; @cb sees each reply's attrs. */
struct lnl_attr {
	int type;
	bool is_u64;
	__u64 value;
};

typedef int (*lnl_cb)(struct nlattr **attrs, void *arg);

int lnl_request(struct lnl *nl, __u8 cmd, bool dump, const struct lnl_attr *attrs, int nr,
		lnl_cb cb, void *arg);
int lnl_subscribe_events(struct lnl *nl);
int lnl_receive(struct lnl *nl, lnl_cb cb, void *arg);

/* A human sentence for an error of the kernel side, with what to do. */
const char *lnl_strerror(int err);

const char *lnl_state_name(__u32 state);
const char *lnl_trust_name(__u32 trust);
const char *lnl_resource_name(__u32 res);
int lnl_resource_parse(const char *name);
const char *lnl_type_name(__u32 type);

#endif /* _LOGOSCTL_NL_H */
