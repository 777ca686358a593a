// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl status NAME|ID [--json]: one module in full, from the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "modinfo.h"
#include "subcommands.h"

int status_main(int argc, char *argv[])
{
	bool json = argc == 3 && !strcmp(argv[2], "--json");
	struct modinfo m;
	struct lnl nl;
	char buf[32];
	int i, ret;

	if (argc < 2 || argc > 3 || (argc == 3 && !json)) {
		fprintf(stderr, "Usage: %s %s NAME|ID [--json]\n", prog, argv[0]);
		return 1;
	}
	ret = lnl_open(&nl);
	if (!ret)
		ret = modinfo_find(&nl, argv[1], &m);
	lnl_close(&nl);
	if (ret == -ENOENT) {
		fprintf(stderr, "%s: no module named %s: see '%s list'\n", prog, argv[1], prog);
		return 2;
	}
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, lnl_strerror(ret));
		return 1;
	}
	if (json) {
		printf("{\"id\":%u,\"name\":", m.id);
		print_json_string(m.name);
		printf(",\"state\":\"%s\",\"trust\":\"%s\",\"pid\":%u,\"crashed\":%s,"
		       "\"cpu_ns\":%llu,\"denied_rights\":%llu,\"denied_quota\":%llu,"
		       "\"msgs_sent\":%llu,\"bytes_sent\":%llu,\"msgs_received\":%llu,"
		       "\"bytes_received\":%llu,\"resources\":{",
		       lnl_state_name(m.state), lnl_trust_name(m.trust), m.pid,
		       m.exit_flags & LOGOS_EXIT_CRASHED ? "true" : "false",
		       (unsigned long long)m.cpu_ns, (unsigned long long)m.denied_rights,
		       (unsigned long long)m.denied_quota, (unsigned long long)m.msgs_sent,
		       (unsigned long long)m.bytes_sent, (unsigned long long)m.msgs_received,
		       (unsigned long long)m.bytes_received);
		for (i = 0; i < __LOGOS_RES_MAX; i++)
			printf("%s\"%s\":{\"usage\":%llu,\"limit\":%llu}", i ? "," : "",
			       lnl_resource_name(i), (unsigned long long)m.usage[i],
			       (unsigned long long)m.limit[i]);
		printf("}}\n");
		return 0;
	}
	printf("module %u: %s\n", m.id, m.name);
	printf("  state:     %s%s\n", lnl_state_name(m.state),
	       m.exit_flags & LOGOS_EXIT_CRASHED ? " (crashed)" : "");
	printf("  trust:     %s\n", lnl_trust_name(m.trust));
	printf("  pid:       %u\n", m.pid);
	printf("  cpu:       %.3f s\n", m.cpu_ns / 1e9);
	printf("  messages:  %llu sent (%llu bytes), %llu received (%llu bytes)\n",
	       (unsigned long long)m.msgs_sent, (unsigned long long)m.bytes_sent,
	       (unsigned long long)m.msgs_received, (unsigned long long)m.bytes_received);
	printf("  denied:    %llu for rights, %llu for quota\n",
	       (unsigned long long)m.denied_rights, (unsigned long long)m.denied_quota);
	printf("  %-14s %12s %12s\n", "RESOURCE", "USAGE", "LIMIT");
	for (i = 0; i < __LOGOS_RES_MAX; i++)
		printf("  %-14s %12llu %12s\n", lnl_resource_name(i),
		       (unsigned long long)m.usage[i], fmt_limit(m.limit[i], buf, sizeof(buf)));
	return 0;
}
