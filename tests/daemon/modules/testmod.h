/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testmod's two halves: testmod.c (the protocol, main) and
 * testmod_probes.c (the network probes and escape attempts of the
 * sandbox and net suites).
 */
#ifndef TESTMOD_H
#define TESTMOD_H

#include <stdint.h>

extern int fd;
extern const char *state_dir, *name;

void result(const char *fmt, ...);
int xioctl(unsigned long cmd, void *arg);
const char *ename(int e);

void net_listen(void);
void net_probes(void);
void escape_all(void);
void escape_landlock(void);
void escape_harden(void);
void escape_pids(void);
void escape_memory(void);
void escape_handles(void);
void init_probe(void);

#endif
