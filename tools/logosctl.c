// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl: the operator's view of the Logos microkernel. Kernel data over
 * generic netlink, lifecycle through logosd's control socket; one file per
 * subcommand, dispatched from the table below (as in wg(8)).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"
#include "subcommands.h"

const char *prog = "logosctl";
bool json_out;

struct subcommand {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *args;
	const char *description;
};

static const struct subcommand subcommands[] = {
	{ "list", list_main, "", "Lists every module: the kernel's view and logosd's" },
	{ "status", status_main, "NAME|ID", "Shows one module: state, version, counters, quotas" },
	{ "start", start_main, "NAME [--no-wait] [--timeout SECONDS]", "Starts a module (logosd)" },
	{ "stop", stop_main, "NAME [--no-wait] [--timeout SECONDS]", "Stops a module (logosd)" },
	{ "restart", restart_main, "NAME [--no-wait] [--timeout SECONDS]",
	  "Restarts a module, handing its saved state to the new instance" },
	{ "pause", pause_main, "NAME [--no-wait] [--timeout SECONDS]",
	  "Pauses a module (kernel PAUSED, cgroup frozen)" },
	{ "resume", resume_main, "NAME [--no-wait] [--timeout SECONDS]", "Resumes a paused module" },
	{ "reload", reload_main, "", "Makes logosd re-read logosd.conf, modules.d/ and trusted.d/" },
	{ "update", update_main, "NAME MANIFEST [--allow-downgrade] [--no-wait] [--timeout SECONDS]",
	  "Replaces a running module with the version of MANIFEST (signed)" },
	{ "rollback", rollback_main, "NAME [--no-wait] [--timeout SECONDS]",
	  "Returns a module to the version it ran before its last update" },
	{ "services", services_main, "", "Shows the service registry: providers and connections" },
	{ "top", top_main, "[-d SECONDS] [-n COUNT]", "Shows live per-module counters" },
	{ "handles", handles_main, "NAME|ID", "Shows a module's handle table" },
	{ "quota", quota_main, "NAME|ID RESOURCE=N|default|unlimited [--persist]",
	  "Changes a limit of a running module" },
	{ "grants", grants_main, "", "Shows who granted how many pages to whom" },
	{ "stats", stats_main, "", "Shows what logos.ko holds against its global limits" },
	{ "monitor", monitor_main, "[-n COUNT] [--kernel|--daemon]",
	  "Prints kernel and logosd events as they happen, and any dropped" },
	{ "audit", audit_main, "show [-n COUNT] [--module NAME] | verify [--key PUB] [--anchors FILE] [FILE...]",
	  "Shows the audit log, or checks its chain and signatures" },
	{ "keygen", keygen_main, "PREFIX [--max-trust LEVEL] [--comment TEXT] [--not-after YYYY-MM-DD]",
	  "Makes a signing key pair PREFIX.key and PREFIX.pub" },
	{ "sign", sign_main, "KEY MANIFEST", "Signs a module's manifest and executable" },
	{ "verify", verify_main, "MANIFEST [--config DIR]",
	  "Makes the checks logosd makes before it starts a module" },
	{ "key", key_main,
	  "list [--config DIR] | show PUB | endorse SIGNER.key NEW.pub [--max-trust LEVEL] [--not-after YYYY-MM-DD] | revoke ID|PUB [--config DIR]",
	  "Lists, shows, endorses (rotation) and revokes signing keys" },
	{ "version", version_main, "", "Shows the ABI version of logos.ko (and of logosd)" },
	{ "help", NULL, "", "Shows this text" },
};

static const struct subcommand *current;

static void show_usage(FILE *file)
{
	size_t i;

	fprintf(file, "Usage: %s <cmd> [<args>] [--json]\n\n", prog);
	fprintf(file, "Available subcommands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(file, "  %-9s %s\n", subcommands[i].name, subcommands[i].description);
	fprintf(file,
		"\n"
		"Every subcommand takes --help, and --json for output meant for programs.\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  the request failed (the message says why)\n"
		"  2  usage error\n"
		"  3  logosd is not running\n"
		"  4  no module of that name\n"
		"  5  permission denied (run as root or join group logos)\n"
		"  6  logos.ko is not loaded\n"
		"  7  monitor: events were dropped\n"
		"\n"
		"Environment:\n"
		"  LOGOS_CONTROL  logosd's control socket (default: ControlSocket of\n"
		"                 $LOGOS_CONFIG/logosd.conf, else /run/logos/control)\n"
		"  LOGOS_CONFIG   logosd's configuration directory (default /etc/logos)\n");
}

int usage(void)
{
	if (current)
		fprintf(stderr, "Usage: %s %s%s%s [--json]\n", prog, current->name,
			*current->args ? " " : "", current->args);
	else
		show_usage(stderr);
	return EXIT_USAGE;
}

int kernel_fail(int err, const char *module)
{
	if (err == -ENOENT && module) {
		fprintf(stderr, "%s: no module named %s: see '%s list'\n", prog, module, prog);
		return EXIT_NO_MODULE;
	}
	fprintf(stderr, "%s: %s\n", prog, lnl_strerror(err));
	switch (-err) {
	case ENODEV: return EXIT_NO_KERNEL;
	case EPERM:
	case EACCES: return EXIT_PERM;
	case ENOENT: return EXIT_NO_MODULE;
	default: return EXIT_ERROR;
	}
}

int main(int argc, char *argv[])
{
	bool help = false;
	int i, n = 0;
	size_t k;

	signal(SIGPIPE, SIG_IGN);	/* a closed control socket is an error, not death */
	/* --json and --help anywhere; the rest in order */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json_out = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			help = true;
		else
			argv[1 + n++] = argv[i];
	}
	argv[1 + n] = NULL;
	argc = 1 + n;
	if (argc < 2 || !strcmp(argv[1], "help")) {
		if (help || argc >= 2) {
			show_usage(stdout);
			return EXIT_OK;
		}
		show_usage(stderr);
		return EXIT_USAGE;
	}
	for (k = 0; k < sizeof(subcommands) / sizeof(subcommands[0]); k++) {
		if (strcmp(argv[1], subcommands[k].name))
			continue;
		current = &subcommands[k];
		if (help) {
			printf("Usage: %s %s%s%s [--json]\n%s.\n", prog, current->name,
			       *current->args ? " " : "", current->args, current->description);
			return EXIT_OK;
		}
		return current->main(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: invalid subcommand '%s'\n", prog, argv[1]);
	show_usage(stderr);
	return EXIT_USAGE;
}
