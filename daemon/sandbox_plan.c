// SPDX-License-Identifier: GPL-2.0
/*
 * The plan of a module's sandbox, made in logosd before the clone3() of
 * sandbox.c: which host paths are bound where, and what the kernel offers.
 */
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <linux/landlock.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const system_paths[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
};
static const char *const network_paths[] = {
	"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/host.conf",
	"/etc/gai.conf", "/etc/services", "/etc/protocols",
};
static const char *const device_paths[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
};

static int add_bind_at(struct spawn_plan *p, const char *path, const char *inside, bool rw,
		       bool follow, bool required, char *why, size_t cap)
{
	char dst[PATH_MAX], target[PATH_MAX];
	struct bind *b;
	struct stat st;
	ssize_t n;

	for (size_t i = 0; i < p->nr_binds; i++)
		if (!strcmp(p->binds[i].src, path))
			return 0;
	if ((follow ? stat(path, &st) : lstat(path, &st)) < 0) {
		if (!required)
			return 0;
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (p->nr_binds == SANDBOX_MAX_BINDS) {
		snprintf(why, cap, "more than %d paths to bind", SANDBOX_MAX_BINDS);
		return -E2BIG;
	}
	if (snprintf(dst, sizeof(dst), "%s%s", p->root_dir, inside) >= (int)sizeof(dst))
		return -ENAMETOOLONG;
	b = &p->binds[p->nr_binds];
	memset(b, 0, sizeof(*b));
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return 0;
		target[n] = 0;
		b->symlink = true;
		b->target = strdup(target);
	} else if (!S_ISDIR(st.st_mode)) {
		b->file = true;
	}
	b->src = strdup(path);
	b->dst = strdup(dst);
	b->rw = rw;
	p->nr_binds++;
	return 0;
}

static int add_bind(struct spawn_plan *p, const char *path, bool rw, bool follow,
		    bool required, char *why, size_t cap)
{
	return add_bind_at(p, path, path, rw, follow, required, why, cap);
}

static int cmp_bind(const void *a, const void *b)
{
	return strcmp(((const struct bind *)a)->dst, ((const struct bind *)b)->dst);
}

/* Is @path strictly below the directory @dir? */
static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n > 1 && !strncmp(path, dir, n) && path[n] == '/';
}

/*
 * Drops the binds that a bind of a directory above them already shows as
 * they would: the symlinks (the host's own is there) and binds with the
 * same access. Recreating them failed: ReadOnlyPaths = /etc made the
 * set-up stop at "symlink .../etc/localtime: File exists". A read-only
 * path below a read-write one (or the reverse) is kept: it changes the
 * access. @p->binds is sorted, so parents come first.
 */
static void drop_covered(struct spawn_plan *p)
{
	size_t out = 0;

	for (size_t i = 0; i < p->nr_binds; i++) {
		struct bind *b = &p->binds[i];
		bool covered = false;

		for (size_t j = 0; j < out && !covered; j++) {
			const struct bind *d = &p->binds[j];

			covered = !d->file && !d->symlink && below(b->src, d->src) &&
				  (b->symlink || b->rw == d->rw);
		}
		if (covered) {
			free(b->src);
			free(b->dst);
			free(b->target);
			continue;
		}
		p->binds[out++] = *b;
	}
	p->nr_binds = out;
}

int sandbox_plan_binds(struct spawn_plan *p, char **ro, char **rw, const char *state_dir,
		       bool network, char *why, size_t cap)
{
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(system_paths) && !ret; i++)
		ret = add_bind(p, system_paths[i], false, false, false, why, cap);
	/* the operator's resolv.conf ([Network] DNS) instead of the host's */
	if (network && p->resolv_conf)
		ret = add_bind_at(p, p->resolv_conf, "/etc/resolv.conf", false, true, true, why, cap);
	for (size_t i = 0; network && i < ARRAY_SIZE(network_paths) && !ret; i++)
		if (!p->resolv_conf || strcmp(network_paths[i], "/etc/resolv.conf"))
			ret = add_bind(p, network_paths[i], false, true, false, why, cap);
	for (size_t i = 0; i < ARRAY_SIZE(device_paths) && !ret; i++)
		ret = add_bind(p, device_paths[i], true, true, false, why, cap);
	for (char **v = ro; v && *v && !ret; v++)
		ret = add_bind(p, *v, false, true, true, why, cap);
	for (char **v = rw; v && *v && !ret; v++) {
		ret = add_bind(p, *v, true, true, true, why, cap);
		if (!ret && p->nr_landlock_rw < SANDBOX_MAX_BINDS)
			p->landlock_rw[p->nr_landlock_rw++] = *v;
	}
	if (!ret && state_dir) {
		ret = add_bind(p, state_dir, true, true, true, why, cap);
		if (!ret && p->nr_landlock_rw < SANDBOX_MAX_BINDS)
			p->landlock_rw[p->nr_landlock_rw++] = state_dir;
	}
	/* parents before children */
	qsort(p->binds, p->nr_binds, sizeof(p->binds[0]), cmp_bind);
	drop_covered(p);
	return ret;
}

void sandbox_plan_free(struct spawn_plan *p)
{
	for (size_t i = 0; i < p->nr_binds; i++) {
		free(p->binds[i].src);
		free(p->binds[i].dst);
		free(p->binds[i].target);
	}
	p->nr_binds = 0;
}

void sandbox_probe(struct sandbox_features *f)
{
	pid_t pid;
	int status;

	memset(f, 0, sizeof(*f));
	f->landlock_abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
				  LANDLOCK_CREATE_RULESET_VERSION);
	if (f->landlock_abi < 0)
		f->landlock_abi = 0;
	pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) ? 1 : 0);
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		f->user_ns = WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
