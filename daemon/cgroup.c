// SPDX-License-Identifier: GPL-2.0
#include "cgroup.h"
#include "config.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CGROUP_FS "/sys/fs/cgroup"

static int cg_write(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), dir, file))
		return -ENAMETOOLONG;
	return write_string(path, value);
}

static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

/* Enables every wanted controller @dir offers to its children. */
static void enable_controllers(const char *dir)
{
	static const char *const wanted[] = { "memory", "pids", "cpu" };
	char path[PATH_MAX], avail[512];

	if (path_join(path, sizeof(path), dir, "cgroup.controllers") ||
	    read_line(path, avail, sizeof(avail)))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(wanted); i++) {
		char w[32];

		if (!has_word(avail, wanted[i]))
			continue;
		snprintf(w, sizeof(w), "+%s", wanted[i]);
		if (cg_write(dir, "cgroup.subtree_control", w))
			log_debug("cgroup: cannot enable %s in %s: %m", wanted[i], dir);
	}
}

/* Our own cgroup ("/..." relative to the cgroup2 mount) from /proc/self/cgroup. */
static int own_cgroup(char *buf, size_t cap)
{
	char *data, *line, *save = NULL;
	int ret = -ENOENT;

	if (read_file("/proc/self/cgroup", &data, NULL, 65536))
		return -ENOENT;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "0::", 3)) {
			ret = str_copy(buf, cap, line + 3);
			break;
		}
	}
	free(data);
	return ret;
}

/* Module cgroups (NAME@SERIAL) left by a logosd that did not stop cleanly. */
static void remove_leftovers(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX];

		if (e->d_type != DT_DIR || !strchr(e->d_name, '@') ||
		    path_join(path, sizeof(path), base, e->d_name))
			continue;
		log_warn("cgroup: %s is left from an earlier logosd: killing what runs in it", path);
		cgroup_kill(path);
		for (int i = 0; i < 50 && rmdir(path) < 0 && errno == EBUSY; i++)
			usleep(20000);
	}
	if (d)
		closedir(d);
}

int cgroup_setup(const char *cfg_root, struct cgroup_env *env, char *why, size_t cap)
{
	char own[PATH_MAX], base[PATH_MAX], sub[PATH_MAX], avail[512], pid[32];
	struct stat st;

	memset(env, 0, sizeof(*env));
	if (stat(CGROUP_FS "/cgroup.controllers", &st)) {
		snprintf(why, cap, "no cgroup v2 hierarchy at " CGROUP_FS);
		return -ENOENT;
	}
	if (strcmp(cfg_root, "auto")) {
		char parent[PATH_MAX], *slash;

		str_copy(base, sizeof(base), cfg_root);
		str_copy(parent, sizeof(parent), cfg_root);
		slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = 0;
			enable_controllers(parent);
		}
	} else if (own_cgroup(own, sizeof(own)) || !strcmp(own, "/")) {
		enable_controllers(CGROUP_FS);
		snprintf(base, sizeof(base), CGROUP_FS "/logos");
	} else {
		/* Delegated (systemd Delegate=yes): logosd moves into a leaf. */
		if (snprintf(base, sizeof(base), CGROUP_FS "%s", own) >= (int)sizeof(base) ||
		    snprintf(sub, sizeof(sub), "%s/supervisor", base) >= (int)sizeof(sub))
			return -ENAMETOOLONG;
		if (mkdir(sub, 0755) < 0 && errno != EEXIST) {
			snprintf(why, cap, "cannot create %s: %s", sub, strerror(errno));
			return -errno;
		}
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		if (cg_write(sub, "cgroup.procs", pid))
			log_warn("cgroup: cannot move logosd into %s: %m", sub);
		enable_controllers(base);
		str_copy(sub, sizeof(sub), base);
		if (snprintf(base, sizeof(base), "%s/modules", sub) >= (int)sizeof(base))
			return -ENAMETOOLONG;
	}
	if (mkdir(base, 0755) < 0 && errno != EEXIST) {
		snprintf(why, cap, "cannot create %s: %s", base, strerror(errno));
		return -errno;
	}
	enable_controllers(base);
	str_copy(env->root, sizeof(env->root), base);
	remove_leftovers(base);
	if (!path_join(sub, sizeof(sub), base, "cgroup.subtree_control") &&
	    !read_line(sub, avail, sizeof(avail))) {
		env->memory = has_word(avail, "memory");
		env->pids = has_word(avail, "pids");
		env->cpu = has_word(avail, "cpu");
	}
	if (!env->memory || !env->pids || !env->cpu)
		log_warn("cgroup: controllers available to modules in %s: %s%s%s (limits of the others are not enforced)",
			 base, env->memory ? "memory " : "", env->pids ? "pids " : "",
			 env->cpu ? "cpu" : "");
	return 0;
}

int cgroup_create(const struct cgroup_env *env, const char *leaf, char *path, size_t cap)
{
	int fd;

	if (path_join(path, cap, env->root, leaf))
		return -ENAMETOOLONG;
	if (mkdir(path, 0755) < 0) {
		if (errno != EEXIST)
			return -errno;
		/* a leftover of a crashed logosd: empty it first */
		cgroup_kill(path);
	}
	fd = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int cgroup_apply(const struct cgroup_env *env, const char *path, const struct manifest *m,
		 char *why, size_t cap)
{
	char v[64];
	int ret;

	if (env->memory) {
		if (m->memory_max == LIMIT_NONE)
			snprintf(v, sizeof(v), "max");
		else
			snprintf(v, sizeof(v), "%llu", (unsigned long long)m->memory_max);
		ret = cg_write(path, "memory.max", v);
		if (ret) {
			snprintf(why, cap, "cannot set memory.max to %s: %s", v, strerror(-ret));
			return ret;
		}
		/* memory.high and memory.swap.max as asked (the trust level's by default) */
		for (int i = 0; i < 2; i++) {
			uint64_t x = i ? m->memory_swap_max : m->memory_high;
			const char *file = i ? "memory.swap.max" : "memory.high";

			if (x == LIMIT_NONE)
				snprintf(v, sizeof(v), "max");
			else
				snprintf(v, sizeof(v), "%llu", (unsigned long long)x);
			ret = cg_write(path, file, v);
			/* no swap controller (swapaccount=0) is no reason to refuse */
			if (ret && !(i && ret == -ENOENT)) {
				snprintf(why, cap, "cannot set %s to %s: %s", file, v, strerror(-ret));
				return ret;
			}
		}
		cg_write(path, "memory.oom.group", "1");
	} else if (m->memory_max != LIMIT_NONE) {
		log_warn("cgroup: %s: MemoryMax not enforced (no memory controller)", path);
	}
	if (env->pids) {
		if (m->pids_max == LIMIT_NONE)
			snprintf(v, sizeof(v), "max");
		else
			snprintf(v, sizeof(v), "%llu", (unsigned long long)m->pids_max);
		ret = cg_write(path, "pids.max", v);
		if (ret) {
			snprintf(why, cap, "cannot set pids.max to %s: %s", v, strerror(-ret));
			return ret;
		}
	} else if (m->pids_max != LIMIT_NONE) {
		log_warn("cgroup: %s: PidsMax not enforced (no pids controller)", path);
	}
	if (env->cpu) {
		if (m->cpu_quota_us == LIMIT_NONE)
			snprintf(v, sizeof(v), "max %llu", (unsigned long long)m->cpu_period_us);
		else
			snprintf(v, sizeof(v), "%llu %llu", (unsigned long long)m->cpu_quota_us,
				 (unsigned long long)m->cpu_period_us);
		ret = cg_write(path, "cpu.max", v);
		if (ret) {
			snprintf(why, cap, "cannot set cpu.max to %s: %s", v, strerror(-ret));
			return ret;
		}
		snprintf(v, sizeof(v), "%llu", (unsigned long long)m->cpu_weight);
		ret = cg_write(path, "cpu.weight", v);
		if (ret) {
			snprintf(why, cap, "cannot set cpu.weight to %s: %s", v, strerror(-ret));
			return ret;
		}
	} else if (m->cpu_quota_us != LIMIT_NONE) {
		log_warn("cgroup: %s: CPUMax not enforced (no cpu controller)", path);
	}
	return 0;
}

int cgroup_freeze(const char *path, bool freeze)
{
	return cg_write(path, "cgroup.freeze", freeze ? "1" : "0");
}

int cgroup_kill(const char *path)
{
	char procs[PATH_MAX], *data, *line, *save = NULL;
	int ret = cg_write(path, "cgroup.kill", "1");

	if (ret != -ENOENT && ret != -EINVAL)
		return ret;
	/* kernels before 5.14: one SIGKILL per process */
	if (path_join(procs, sizeof(procs), path, "cgroup.procs") ||
	    read_file(procs, &data, NULL, 1 << 20))
		return ret;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		kill(atoi(line), SIGKILL);
	free(data);
	return 0;
}

bool cgroup_populated(const char *path)
{
	char p[PATH_MAX], *data;
	bool populated = false;

	if (path_join(p, sizeof(p), path, "cgroup.events") || read_file(p, &data, NULL, 4096))
		return false;
	populated = strstr(data, "populated 1") != NULL;
	free(data);
	return populated;
}

int cgroup_remove(const char *path)
{
	return rmdir(path) < 0 && errno != ENOENT ? -errno : 0;
}

static uint64_t read_u64(const char *dir, const char *file)
{
	char p[PATH_MAX], line[64];

	if (path_join(p, sizeof(p), dir, file) || read_line(p, line, sizeof(line)))
		return 0;
	return strtoull(line, NULL, 10);
}

/* The value of "key N" in a flat-keyed file. */
static uint64_t read_key(const char *dir, const char *file, const char *key)
{
	char p[PATH_MAX], *data, *at;
	uint64_t v = 0;
	size_t n = strlen(key);

	if (path_join(p, sizeof(p), dir, file) || read_file(p, &data, NULL, 65536))
		return 0;
	for (at = data; (at = strstr(at, key)); at += n) {
		if ((at == data || at[-1] == '\n') && at[n] == ' ') {
			v = strtoull(at + n + 1, NULL, 10);
			break;
		}
	}
	free(data);
	return v;
}

void cgroup_stats(const char *path, struct cgroup_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->memory_current = read_u64(path, "memory.current");
	st->memory_peak = read_u64(path, "memory.peak");
	st->memory_max_events = read_key(path, "memory.events", "max");
	st->oom_kills = read_key(path, "memory.events", "oom_kill");
	st->pids_current = read_u64(path, "pids.current");
	st->pids_max_events = read_key(path, "pids.events", "max");
	st->cpu_usage_us = read_key(path, "cpu.stat", "usage_usec");
}
