/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LOGOSCTL_SUBCOMMANDS_H
#define _LOGOSCTL_SUBCOMMANDS_H

extern const char *prog;

int version_main(int argc, char *argv[]);
int list_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);
int handles_main(int argc, char *argv[]);
int quota_main(int argc, char *argv[]);
int grants_main(int argc, char *argv[]);
int stats_main(int argc, char *argv[]);
int monitor_main(int argc, char *argv[]);
int top_main(int argc, char *argv[]);

#endif /* _LOGOSCTL_SUBCOMMANDS_H */
