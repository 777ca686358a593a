/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LOGOSCTL_SUBCOMMANDS_H
#define _LOGOSCTL_SUBCOMMANDS_H

#include <stdbool.h>

extern const char *prog;
/* --json was given (anywhere on the command line). */
extern bool json_out;

/*
 * Exit statuses, the same for every subcommand (logosctl help,
 * Documentation/logosctl.md).
 */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,		/* the request failed; the message says why */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NO_LOGOSD = 3,	/* logosd is not running */
	EXIT_NO_MODULE = 4,	/* no module of that name */
	EXIT_PERM = 5,		/* permission denied */
	EXIT_NO_KERNEL = 6,	/* logos.ko is not loaded */
	EXIT_DROPPED = 7,	/* monitor: events were lost */
};

/* The current subcommand's usage on stderr; returns EXIT_USAGE. */
int usage(void);
/* A kernel-side (netlink) -errno as a sentence on stderr; its exit status. */
int kernel_fail(int err, const char *module);

int version_main(int argc, char *argv[]);
int list_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);
int handles_main(int argc, char *argv[]);
int quota_main(int argc, char *argv[]);
int grants_main(int argc, char *argv[]);
int stats_main(int argc, char *argv[]);
int monitor_main(int argc, char *argv[]);
int top_main(int argc, char *argv[]);
int start_main(int argc, char *argv[]);
int stop_main(int argc, char *argv[]);
int restart_main(int argc, char *argv[]);
int pause_main(int argc, char *argv[]);
int resume_main(int argc, char *argv[]);
int reload_main(int argc, char *argv[]);
int update_main(int argc, char *argv[]);
int rollback_main(int argc, char *argv[]);
int services_main(int argc, char *argv[]);
int audit_main(int argc, char *argv[]);
int keygen_main(int argc, char *argv[]);
int sign_main(int argc, char *argv[]);
int verify_main(int argc, char *argv[]);
int key_main(int argc, char *argv[]);

#endif /* _LOGOSCTL_SUBCOMMANDS_H */
