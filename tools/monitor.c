// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl monitor [-n COUNT]: kernel events as they happen, and how many
 * were missed (a gap in sequence numbers).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nl.h"
#include "subcommands.h"

struct monitor {
	unsigned long long last_seq, missed;
	long left;
};

static const char *event_name(__u32 type)
{
	switch (type) {
	case LOGOS_EVENT_STATE: return "state";
	case LOGOS_EVENT_QUOTA_WARNING: return "quota-warning";
	case LOGOS_EVENT_QUOTA_EXCEEDED: return "quota-exceeded";
	case LOGOS_EVENT_REVOKE: return "revoke";
	case LOGOS_EVENT_RIGHTS_DENIED: return "rights-denied";
	default: return "unknown";
	}
}

static int print_event(struct nlattr **a, void *arg)
{
	struct monitor *mon = arg;
	unsigned long long seq = a[LOGOS_A_EVENT_SEQ] ? nla_get_u64(a[LOGOS_A_EVENT_SEQ]) : 0;
	__u32 type = a[LOGOS_A_EVENT_TYPE] ? nla_get_u32(a[LOGOS_A_EVENT_TYPE]) : 0;
	char name[LOGOS_NAME_MAX] = "-";

	if (mon->last_seq && seq > mon->last_seq + 1) {
		printf("!! missed %llu events (the socket overflowed)\n", seq - mon->last_seq - 1);
		mon->missed += seq - mon->last_seq - 1;
	}
	mon->last_seq = seq;
	if (a[LOGOS_A_MODULE_NAME])
		nla_strlcpy(name, a[LOGOS_A_MODULE_NAME], sizeof(name));
	printf("#%llu %-14s module %u (%s)", seq, event_name(type),
	       a[LOGOS_A_MODULE_ID] ? nla_get_u32(a[LOGOS_A_MODULE_ID]) : 0, name);
	switch (type) {
	case LOGOS_EVENT_STATE:
		printf(" %s -> %s%s",
		       lnl_state_name(a[LOGOS_A_STATE_OLD] ? nla_get_u32(a[LOGOS_A_STATE_OLD]) : 0),
		       lnl_state_name(a[LOGOS_A_MODULE_STATE] ?
				      nla_get_u32(a[LOGOS_A_MODULE_STATE]) : 0),
		       a[LOGOS_A_MODULE_EXIT_FLAGS] &&
		       (nla_get_u32(a[LOGOS_A_MODULE_EXIT_FLAGS]) & LOGOS_EXIT_CRASHED) ?
		       " (crashed)" : "");
		break;
	case LOGOS_EVENT_QUOTA_WARNING:
	case LOGOS_EVENT_QUOTA_EXCEEDED:
		printf(" %s %llu of %llu",
		       lnl_resource_name(a[LOGOS_A_RESOURCE] ? nla_get_u32(a[LOGOS_A_RESOURCE]) : 0),
		       (unsigned long long)(a[LOGOS_A_USAGE] ? nla_get_u64(a[LOGOS_A_USAGE]) : 0),
		       (unsigned long long)(a[LOGOS_A_LIMIT] ? nla_get_u64(a[LOGOS_A_LIMIT]) : 0));
		break;
	case LOGOS_EVENT_REVOKE:
		printf(" object %llu, %u handles",
		       (unsigned long long)(a[LOGOS_A_OBJECT_ID] ? nla_get_u64(a[LOGOS_A_OBJECT_ID]) : 0),
		       a[LOGOS_A_COUNT] ? nla_get_u32(a[LOGOS_A_COUNT]) : 0);
		break;
	case LOGOS_EVENT_RIGHTS_DENIED:
		printf(" object %llu, missing rights 0x%x",
		       (unsigned long long)(a[LOGOS_A_OBJECT_ID] ? nla_get_u64(a[LOGOS_A_OBJECT_ID]) : 0),
		       a[LOGOS_A_RIGHTS] ? nla_get_u32(a[LOGOS_A_RIGHTS]) : 0);
		break;
	}
	printf("\n");
	fflush(stdout);
	if (mon->left > 0 && --mon->left == 0)
		return -ECANCELED;
	return 0;
}

int monitor_main(int argc, char *argv[])
{
	struct monitor mon = { .left = -1 };
	struct lnl nl;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "-n")) {
		mon.left = strtol(argv[2], NULL, 10);
	} else if (argc != 1) {
		fprintf(stderr, "Usage: %s %s [-n COUNT]\n", prog, argv[0]);
		return 1;
	}
	ret = lnl_open(&nl);
	if (!ret)
		ret = lnl_subscribe_events(&nl);
	while (!ret)
		ret = lnl_receive(&nl, print_event, &mon);
	lnl_close(&nl);
	if (ret == -ECANCELED)
		return mon.missed ? 3 : 0;
	fprintf(stderr, "%s: %s\n", prog, lnl_strerror(ret));
	return 1;
}
