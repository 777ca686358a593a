// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl list [--json]: every module the kernel knows.
 */
#include <stdio.h>
#include <string.h>

#include "modinfo.h"
#include "subcommands.h"

int list_main(int argc, char *argv[])
{
	struct modlist list;
	struct lnl nl;
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	int i, ret;

	if (argc > 2 || (argc == 2 && !json)) {
		fprintf(stderr, "Usage: %s %s [--json]\n", prog, argv[0]);
		return 1;
	}
	ret = lnl_open(&nl);
	if (!ret)
		ret = modlist_fetch(&nl, &list);
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, lnl_strerror(ret));
		return 1;
	}
	if (json) {
		printf("[");
		for (i = 0; i < list.nr; i++) {
			struct modinfo *m = &list.mods[i];

			printf("%s{\"id\":%u,\"name\":", i ? "," : "", m->id);
			print_json_string(m->name);
			printf(",\"state\":\"%s\",\"trust\":\"%s\",\"pid\":%u,\"crashed\":%s,"
			       "\"handles\":%llu,\"objects\":%llu,\"msgs_sent\":%llu,"
			       "\"msgs_received\":%llu,\"cpu_ns\":%llu}",
			       lnl_state_name(m->state), lnl_trust_name(m->trust), m->pid,
			       m->exit_flags & LOGOS_EXIT_CRASHED ? "true" : "false",
			       (unsigned long long)m->usage[LOGOS_RES_HANDLES],
			       (unsigned long long)m->usage[LOGOS_RES_OBJECTS],
			       (unsigned long long)m->msgs_sent,
			       (unsigned long long)m->msgs_received,
			       (unsigned long long)m->cpu_ns);
		}
		printf("]\n");
	} else {
		printf("%-6s %-20s %-13s %-9s %-7s %8s %8s %10s %10s\n", "ID", "NAME", "STATE",
		       "TRUST", "PID", "HANDLES", "OBJECTS", "SENT", "RECEIVED");
		for (i = 0; i < list.nr; i++) {
			struct modinfo *m = &list.mods[i];
			char state[24];

			snprintf(state, sizeof(state), "%s%s", lnl_state_name(m->state),
				 m->exit_flags & LOGOS_EXIT_CRASHED ? "!" : "");
			printf("%-6u %-20s %-13s %-9s %-7u %8llu %8llu %10llu %10llu\n", m->id,
			       m->name, state, lnl_trust_name(m->trust), m->pid,
			       (unsigned long long)m->usage[LOGOS_RES_HANDLES],
			       (unsigned long long)m->usage[LOGOS_RES_OBJECTS],
			       (unsigned long long)m->msgs_sent,
			       (unsigned long long)m->msgs_received);
		}
		if (!list.nr)
			printf("(no modules)\n");
	}
	modlist_free(&list);
	lnl_close(&nl);
	return 0;
}
