// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's security events (generic netlink family "logos", group
 * "events", uapi/linux/logos.h) into the audit log: quota warnings and
 * refusals, rights denials, revocations, and gaps in the sequence numbers
 * (events the kernel sent that logosd never received).
 */
#include "daemon.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <string.h>

static struct nl_sock *sk;
static uint64_t last_seq;

static const char *resource_name(uint32_t r)
{
	static const char *const names[] = {
		"handles", "objects", "events", "channels", "messages-queued", "bytes-queued",
		"memory-pages", "mapped-pages",
	};

	return r < ARRAY_SIZE(names) ? names[r] : "?";
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *a[LOGOS_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	char id[16], name[LOGOS_NAME_MAX] = "", n1[32], n2[32];
	uint32_t type, mid;
	uint64_t seq;

	(void)arg;
	if (gh->cmd != LOGOS_CMD_EVENT ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, a, LOGOS_A_MAX, NULL) < 0 ||
	    !a[LOGOS_A_EVENT_TYPE] || !a[LOGOS_A_EVENT_SEQ])
		return NL_OK;
	type = nla_get_u32(a[LOGOS_A_EVENT_TYPE]);
	seq = nla_get_u64(a[LOGOS_A_EVENT_SEQ]);
	if (last_seq && seq > last_seq + 1) {
		snprintf(n1, sizeof(n1), "%llu", (unsigned long long)(seq - last_seq - 1));
		log_warn("events: %s kernel event(s) lost", n1);
		AUDIT_MOD("(kernel events)", "events-lost", "count", n1);
	}
	last_seq = seq;
	mid = a[LOGOS_A_MODULE_ID] ? nla_get_u32(a[LOGOS_A_MODULE_ID]) : 0;
	snprintf(id, sizeof(id), "%u", mid);
	if (a[LOGOS_A_MODULE_NAME])
		str_copy(name, sizeof(name), nla_get_string(a[LOGOS_A_MODULE_NAME]));
	switch (type) {
	case LOGOS_EVENT_QUOTA_WARNING:
	case LOGOS_EVENT_QUOTA_EXCEEDED:
		snprintf(n1, sizeof(n1), "%llu", a[LOGOS_A_USAGE] ?
			 (unsigned long long)nla_get_u64(a[LOGOS_A_USAGE]) : 0ULL);
		snprintf(n2, sizeof(n2), "%llu", a[LOGOS_A_LIMIT] ?
			 (unsigned long long)nla_get_u64(a[LOGOS_A_LIMIT]) : 0ULL);
		log_info("events: %s (kernel module %s): quota %s on %s (%s of %s)", name, id,
			 type == LOGOS_EVENT_QUOTA_WARNING ? "warning" : "exceeded",
			 resource_name(a[LOGOS_A_RESOURCE] ? nla_get_u32(a[LOGOS_A_RESOURCE]) : 99),
			 n1, n2);
		AUDIT_MOD(name, "quota", "module", name, "module_id", id, "resource",
		      resource_name(a[LOGOS_A_RESOURCE] ? nla_get_u32(a[LOGOS_A_RESOURCE]) : 99),
		      "event", type == LOGOS_EVENT_QUOTA_WARNING ? "warning" : "exceeded",
		      "usage", n1, "limit", n2);
		break;
	case LOGOS_EVENT_RIGHTS_DENIED:
		snprintf(n1, sizeof(n1), "0x%x", a[LOGOS_A_RIGHTS] ? nla_get_u32(a[LOGOS_A_RIGHTS]) : 0);
		snprintf(n2, sizeof(n2), "%llu", a[LOGOS_A_OBJECT_ID] ?
			 (unsigned long long)nla_get_u64(a[LOGOS_A_OBJECT_ID]) : 0ULL);
		AUDIT_MOD(name, "deny", "module", name, "module_id", id, "what", "kernel rights",
		      "missing_rights", n1, "object", n2);
		break;
	case LOGOS_EVENT_REVOKE:
		snprintf(n1, sizeof(n1), "%u", a[LOGOS_A_COUNT] ? nla_get_u32(a[LOGOS_A_COUNT]) : 0);
		AUDIT_MOD(name, "revoke", "module", name, "module_id", id, "handles", n1);
		break;
	default:
		break;
	}
	return NL_OK;
}

int events_open(void)
{
	int grp;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	if (genl_connect(sk) < 0)
		goto fail;
	grp = genl_ctrl_resolve_grp(sk, LOGOS_GENL_NAME, LOGOS_GENL_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(sk, grp) < 0)
		goto fail;
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, NULL);
	nl_socket_set_nonblocking(sk);
	nl_socket_set_buffer_size(sk, 1 << 20, 0);
	return 0;
fail:
	log_warn("events: cannot join the logos netlink events group: kernel quota events are not audited");
	nl_socket_free(sk);
	sk = NULL;
	return -EIO;
}

int events_fd(void)
{
	return sk ? nl_socket_get_fd(sk) : -1;
}

void events_read(void)
{
	for (int i = 0; sk && i < 64; i++) {
		int ret = nl_recvmsgs_default(sk);

		if (ret == -NLE_AGAIN || ret == 0)
			break;
		if (ret == -NLE_NOMEM) {
			log_warn("events: the netlink socket overflowed: events lost");
			AUDIT_MOD("(kernel events)", "events-lost", "count", "unknown (socket overflow)");
			continue;
		}
		if (ret < 0)
			break;
	}
}
