/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seccomp filter of a module, built with libseccomp in logosd (the
 * child only installs the finished BPF program, so it needs no library
 * call between fork and exec). Anything not allowed fails with EPERM:
 * among others setuid/setgid file modes always, and memory that is
 * writable and executable without write_execute. System calls this
 * libseccomp does not know fail with ENOSYS, as do openat2 (its mode
 * cannot be checked) and clone3 (its flags cannot). execve and execveat
 * go to the filter's listener: sandbox.c lets only the launcher's one
 * exec through, every later one fails with ENOSYS.
 */
#ifndef LOGOSD_SECCOMP_H
#define LOGOSD_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

/* The module file is fd 3 of the module (sandbox.c, LOGOS_MODULE_FD). */
#define MODULE_FD 3

struct filter_opts {
	bool network;		/* AF_INET/AF_INET6 (and NETLINK_ROUTE) sockets */
	bool raw_sockets;	/* AF_PACKET */
	bool priority;		/* setpriority, sched_setscheduler, ... */
	bool write_execute;	/* W+X mmap, mprotect(PROT_EXEC), SHM_EXEC, memfd_create */
	bool terminal;		/* the ioctls of pseudo-terminals ([Sandbox] Terminal) */
	char **extra;		/* syscall names added by the manifest */
};

int filter_build(const struct filter_opts *o, struct sock_fprog *prog, char *why, size_t cap);
void filter_free(struct sock_fprog *prog);
/* Does @prog send calls to a listener (the one-exec rule)? */
bool filter_notifies(const struct sock_fprog *prog);
/*
 * Is @name allowed only with argument checks (clone without CLONE_NEW*,
 * file modes without setuid, memory without W+X, ...)? Naming it in
 * [Sandbox] SystemCalls would allow it without them.
 */
bool filter_checks_arguments(const char *name);

#endif
