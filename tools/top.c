// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl top [-d SECONDS] [-n ROUNDS]: live per-module counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modinfo.h"
#include "subcommands.h"

static const struct modinfo *find_prev(const struct modlist *prev, __u32 id)
{
	int i;

	for (i = 0; i < prev->nr; i++) {
		if (prev->mods[i].id == id)
			return &prev->mods[i];
	}
	return NULL;
}

int top_main(int argc, char *argv[])
{
	struct modlist prev = { 0 }, cur;
	double delay = 1.0;
	long rounds = -1;
	struct lnl nl;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			delay = atof(argv[++i]);
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			rounds = strtol(argv[++i], NULL, 10);
		} else {
			return usage();
		}
	}
	if (delay <= 0)
		delay = 1.0;
	ret = lnl_open(&nl);
	while (!ret && rounds != 0) {
		ret = modlist_fetch(&nl, &cur);
		if (ret)
			break;
		if (isatty(STDOUT_FILENO))
			printf("\033[H\033[2J");
		printf("%-6s %-20s %-12s %7s %10s %10s %8s %8s %10s\n", "ID", "NAME", "STATE", "CPU%",
		       "SENT/s", "RECV/s", "HANDLES", "PAGES", "DENIED");
		for (i = 0; i < cur.nr; i++) {
			const struct modinfo *m = &cur.mods[i], *p = find_prev(&prev, m->id);
			double cpu = p ? (m->cpu_ns - p->cpu_ns) / (delay * 1e7) : 0;
			double sent = p ? (m->msgs_sent - p->msgs_sent) / delay : 0;
			double recv = p ? (m->msgs_received - p->msgs_received) / delay : 0;

			printf("%-6u %-20s %-12s %7.1f %10.0f %10.0f %8llu %8llu %10llu\n", m->id,
			       m->name, lnl_state_name(m->state), cpu, sent, recv,
			       (unsigned long long)m->usage[LOGOS_RES_HANDLES],
			       (unsigned long long)m->usage[LOGOS_RES_MEMORY_PAGES],
			       (unsigned long long)(m->denied_rights + m->denied_quota));
		}
		printf("\n");
		fflush(stdout);
		modlist_free(&prev);
		prev = cur;
		if (rounds > 0 && --rounds == 0)
			break;
		usleep((useconds_t)(delay * 1e6));
	}
	modlist_free(&prev);
	lnl_close(&nl);
	if (ret)
		return kernel_fail(ret, NULL);
	return 0;
}
