// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl: the operator's view of the Logos microkernel.
 */
#include <stdio.h>
#include <string.h>

#include "subcommands.h"

const char *prog;

static const struct {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "list", list_main, "Lists every module the kernel knows" },
	{ "status", status_main, "Shows one module: state, counters, quotas" },
	{ "top", top_main, "Shows live per-module counters" },
	{ "handles", handles_main, "Shows a module's handle table" },
	{ "quota", quota_main, "Changes a limit of a running module" },
	{ "grants", grants_main, "Shows who granted how many pages to whom" },
	{ "stats", stats_main, "Shows what logos.ko holds against its global limits" },
	{ "monitor", monitor_main, "Prints kernel events as they happen" },
	{ "version", version_main, "Shows the ABI version of the loaded logos.ko" },
};

static void show_usage(FILE *file)
{
	size_t i;

	fprintf(file, "Usage: %s <cmd> [<args>]\n\n", prog);
	fprintf(file, "Available subcommands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(file, "  %s: %s\n", subcommands[i].name, subcommands[i].description);
	fprintf(file, "You may pass `--help' to any of these subcommands to view usage.\n");
}

int main(int argc, char *argv[])
{
	size_t i;

	prog = argv[0];
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "help"))) {
		show_usage(stdout);
		return 0;
	}
	if (argc < 2) {
		show_usage(stderr);
		return 1;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].main(argc - 1, argv + 1);
	}
	fprintf(stderr, "Invalid subcommand: `%s'\n", argv[1]);
	show_usage(stderr);
	return 1;
}
