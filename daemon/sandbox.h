/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starting a module process in its sandbox. logosd prepares everything in
 * a struct spawn_plan (paths, argv, envp, the seccomp program); the child
 * of clone3() then makes system calls only, in this order:
 *
 *   new namespaces (clone3 flags) and cgroup (CLONE_INTO_CGROUP)
 *   -> (user namespace, or a plan with a net_hook) wait on the sync pipe
 *      while logosd writes the uid/gid maps and runs the hook (net.c: the
 *      veth of a networked module)
 *   -> private mounts: a tmpfs root with read-only binds of /usr, /lib...,
 *      a minimal /dev, a private /tmp, its state directory (read-write),
 *      /dev/shm and /dev/pts if asked for, /proc of its pid namespace;
 *      pivot_root; root remounted read-only
 *   -> hostname, loopback up -> resource limits (RLIMIT_NOFILE, RLIMIT_NPROC)
 *   -> with a pid namespace: fork; this process stays as the namespace's
 *      init (run_init(): no capability, the module's uid, not dumpable; it
 *      reaps, forwards SIGTERM/INT/HUP/USR1/USR2 and reports the module's
 *      end on the status pipe), the child goes on as the module
 *   -> capabilities bounding set dropped, uid/gid changed, all capabilities
 *      dropped (but those kept on purpose) -> no_new_privs
 *   -> Landlock -> seccomp (its listener handed to logosd) -> fd 3 = module file
 *   -> execveat() of the verified binary (a sealed memfd), which logosd lets
 *      through as the only exec the filter ever allows.
 *
 * A failing step is reported to logosd over a pipe and ends the child.
 */
#ifndef LOGOSD_SANDBOX_H
#define LOGOSD_SANDBOX_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define SANDBOX_MAX_BINDS 64

struct bind {
	char *src;
	char *dst;		/* inside the new root */
	bool rw;
	bool file;		/* a file, not a directory */
	bool symlink;		/* recreate the symlink src -> target */
	char *target;
};

struct spawn_plan {
	const char *name;
	int exec_fd;		/* the verified executable */
	int module_fd;		/* the module file: becomes fd 3 */
	int out_fd;		/* stdout and stderr */
	int cgroup_fd;		/* CLONE_INTO_CGROUP, or -1 */
	unsigned int namespaces; /* NS_* */
	uid_t uid;
	gid_t gid;
	char **argv, **envp;
	const char *root_dir;	/* empty directory to build the root in */
	struct bind binds[SANDBOX_MAX_BINDS];
	size_t nr_binds;
	char tmp_opts[64];	/* "mode=1777,size=N" of the private /tmp */
	const char *landlock_rw[SANDBOX_MAX_BINDS];	/* writable paths inside */
	size_t nr_landlock_rw;
	bool landlock;
	int landlock_abi;	/* the kernel's (sandbox_probe()) */
	bool network;		/* the host's network: no Landlock TCP rules */
	bool shm;		/* a private /dev/shm */
	bool terminal;		/* /dev/pts, a devpts instance of its own, and /dev/ptmx */
	struct sock_fprog *filter;
	uint64_t keep_caps;	/* bit per CAP_* kept (ambient) */
	/*
	 * Called in logosd with the new child's pid while the child waits
	 * (after the user namespace maps): net.c's veth set-up. NULL: none.
	 */
	int (*net_hook)(void *arg, pid_t pid, char *why, size_t cap);
	void *net_arg;
	const char *resolv_conf;	/* bound as /etc/resolv.conf, or NULL: the host's */
	/* set in the child before it drops privileges; both 0: left as inherited */
	struct rlimit nofile, nproc;
};

/* What this kernel offers, probed once. */
struct sandbox_features {
	int landlock_abi;	/* 0: none */
	bool user_ns;		/* CLONE_NEWUSER worked in a probe */
};

void sandbox_probe(struct sandbox_features *f);

/*
 * Builds the bind list of @plan: the system directories (read-only), then
 * @ro and @rw (absolute host paths) and the state directory (rw). A path
 * that a bind of a directory above it already shows the same way (a
 * symlink, or the same read-only or read-write view) is left out: /etc
 * read-only already holds /etc/localtime.
 */
int sandbox_plan_binds(struct spawn_plan *plan, char **ro, char **rw, const char *state_dir,
		       bool network, char *why, size_t cap);
void sandbox_plan_free(struct spawn_plan *plan);

/*
 * Starts the process. 0 with *@pid and *@pidfd (of the process clone3()
 * made: the module's init with a pid namespace, else the module) and
 * *@status_fd (with an init: the non-blocking read end of its status pipe,
 * else -1), or -errno and @why.
 */
int sandbox_spawn(const struct spawn_plan *plan, pid_t *pid, int *pidfd, int *status_fd,
		  char *why, size_t cap);

/*
 * How the module under an init ended, as waitid() would say it (@code
 * CLD_EXITED, CLD_KILLED or CLD_DUMPED, @status the exit status or the
 * signal), read from @status_fd once init has exited. False when init
 * said nothing (it was killed first: its own end is the module's).
 */
bool sandbox_exit_status(int status_fd, int *code, int *status);

#endif
