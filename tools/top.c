// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl top [-d SECONDS] [-n ROUNDS]: live per-module counters. With
 * --json, one object per round: {"modules":[{id, name, state, cpu_percent,
 * sent_per_s, received_per_s, handles, memory_pages, denied}]}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
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

static void print_json(const struct modlist *prev, const struct modlist *cur, double delay)
{
	json_object *out = json_object_new_object(), *mods = json_object_new_array();

	for (int i = 0; i < cur->nr; i++) {
		const struct modinfo *m = &cur->mods[i], *p = find_prev(prev, m->id);
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int64(m->id));
		json_object_object_add(o, "name", json_object_new_string(m->name));
		json_object_object_add(o, "state", json_object_new_string(lnl_state_name(m->state)));
		json_object_object_add(o, "cpu_percent", json_object_new_double(
			p ? (m->cpu_ns - p->cpu_ns) / (delay * 1e7) : 0));
		json_object_object_add(o, "sent_per_s", json_object_new_double(
			p ? (m->msgs_sent - p->msgs_sent) / delay : 0));
		json_object_object_add(o, "received_per_s", json_object_new_double(
			p ? (m->msgs_received - p->msgs_received) / delay : 0));
		json_object_object_add(o, "handles",
				       json_object_new_uint64(m->usage[LOGOS_RES_HANDLES]));
		json_object_object_add(o, "memory_pages",
				       json_object_new_uint64(m->usage[LOGOS_RES_MEMORY_PAGES]));
		json_object_object_add(o, "denied",
				       json_object_new_uint64(m->denied_rights + m->denied_quota));
		json_object_array_add(mods, o);
	}
	json_object_object_add(out, "modules", mods);
	json_print(out);
	json_object_put(out);
}

int top_main(int argc, char *argv[])
{
	struct modlist prev = { 0 }, cur;
	double delay = 1.0;
	long rounds = -1;
	struct lnl nl;
	int i, ret;

	for (i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			delay = strtod(argv[++i], &end);
			if (*end || !(delay > 0 && delay <= 3600))
				return usage();
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			rounds = strtol(argv[++i], &end, 10);
			if (*end || rounds <= 0)
				return usage();
		} else {
			return usage();
		}
	}
	ret = lnl_open(&nl);
	while (!ret && rounds != 0) {
		ret = modlist_fetch(&nl, &cur);
		if (ret)
			break;
		if (json_out) {
			print_json(&prev, &cur, delay);
			goto next;
		}
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
next:
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
