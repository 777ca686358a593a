/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2: one cgroup per module instance under logosd's subtree, with
 * memory.max, cpu.max and pids.max from the manifest, the freezer for
 * pause, cgroup.kill for stop, and usage for accounting.
 */
#ifndef LOGOSD_CGROUP_H
#define LOGOSD_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct manifest;

struct cgroup_env {
	char root[PATH_MAX];	/* module cgroups are created here */
	bool memory, pids, cpu;	/* controllers enabled for them */
};

/*
 * @cfg_root "auto": under logosd's own cgroup when it has one (systemd,
 * Delegate=yes), else /sys/fs/cgroup/logos; or an explicit path.
 */
int cgroup_setup(const char *cfg_root, struct cgroup_env *env, char *why, size_t cap);
/* Creates ROOT/@leaf; returns an O_PATH|O_DIRECTORY fd for CLONE_INTO_CGROUP. */
int cgroup_create(const struct cgroup_env *env, const char *leaf, char *path, size_t cap);
/* memory.max (+ memory.swap.max 0), pids.max, cpu.max. */
int cgroup_apply(const struct cgroup_env *env, const char *path, const struct manifest *m,
		 char *why, size_t cap);
int cgroup_freeze(const char *path, bool freeze);
int cgroup_kill(const char *path);
bool cgroup_populated(const char *path);
int cgroup_remove(const char *path);

struct cgroup_stats {
	uint64_t memory_current, memory_peak;
	uint64_t memory_max_events, oom_kills;	/* memory.events */
	uint64_t pids_current, pids_max_events;	/* pids.events "max" */
	uint64_t cpu_usage_us;
};

void cgroup_stats(const char *path, struct cgroup_stats *st);

#endif
