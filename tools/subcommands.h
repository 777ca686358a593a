/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LOGOSCTL_SUBCOMMANDS_H
#define _LOGOSCTL_SUBCOMMANDS_H

extern const char *prog;

int version_main(int argc, char *argv[]);

#endif /* _LOGOSCTL_SUBCOMMANDS_H */
