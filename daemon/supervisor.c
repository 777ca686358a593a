// SPDX-License-Identifier: GPL-2.0
/*
 * The module table and the lifecycle: start (after required services),
 * stop (TERMINATE, deadline, SIGKILL), pause/resume (PAUSE, kernel
 * PAUSED, cgroup freezer), restart with saved state, crash handling with
 * exponential backoff, the watchdog, and FAILED after a crash loop.
 */
#include "daemon.h"
#include "kernel.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <logos/bootstrap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

struct daemon D = { .kfd = -1, .ctl_fd = -1, .call_pipe = { -1, -1 } };

static const char *const state_names[] = {
	[M_STOPPED] = "stopped", [M_WAITING] = "waiting", [M_STARTING] = "starting",
	[M_RUNNING] = "running", [M_PAUSING] = "pausing", [M_PAUSED] = "paused",
	[M_STOPPING] = "stopping", [M_BACKOFF] = "restarting", [M_FAILED] = "failed",
};

const char *mod_state_name(enum mod_state s)
{
	return state_names[s];
}

void sup_set_state(struct module *mod, enum mod_state st, const char *why)
{
	enum mod_state old = mod->state;

	if (old == st)
		return;
	mod->state = st;
	if (st == M_FAILED && why)
		str_copy(mod->last_error, sizeof(mod->last_error), why);
	log_notice("%s: %s -> %s%s%s", mod->name, state_names[old], state_names[st],
		   why ? ": " : "", why ? why : "");
	AUDIT("lifecycle", "module", mod->name, "from", state_names[old], "to", state_names[st],
	      "reason", why ? why : "");
}

/* ---- the module table ------------------------------------------------ */

struct module *sup_find(const char *name)
{
	for (size_t i = 0; i < D.nr_mods; i++)
		if (!strcmp(D.mods[i]->name, name))
			return D.mods[i];
	return NULL;
}

struct instance *sup_instance(uint64_t serial)
{
	for (size_t i = 0; i < D.nr_mods; i++) {
		struct module *m = D.mods[i];

		if (m->cur && m->cur->serial == serial)
			return m->cur;
		if (m->next && m->next->serial == serial)
			return m->next;
		if (m->old && m->old->serial == serial)
			return m->old;
	}
	return NULL;
}

static void module_free(struct module *mod)
{
	manifest_free(mod->m);
	free(mod->manifest_path);
	free(mod->saved);
	k_close(D.kfd, mod->saved_mem);
	free(mod->update_path);
	if (mod->update_v) {
		verified_free(mod->update_v);
		free(mod->update_v);
	}
	free(mod);
}

static void module_drop(struct module *mod)
{
	for (size_t i = 0; i < D.nr_mods; i++) {
		if (D.mods[i] == mod) {
			memmove(&D.mods[i], &D.mods[i + 1], (D.nr_mods - i - 1) * sizeof(*D.mods));
			D.nr_mods--;
			break;
		}
	}
	log_notice("%s: removed (its manifest is gone)", mod->name);
	module_free(mod);
}

/*
 * A module whose running version was verified with a key that is now in
 * trusted.d/revoked, or endorsed by one, is stopped (and stays stopped: its next start is
 * refused by verification), audited as "revoked".
 */
static void stop_revoked(void)
{
	for (size_t i = 0; i < D.nr_mods; i++) {
		struct module *mod = D.mods[i];
		struct instance *in = mod->cur;
		const char *by;
		char why[256];

		if (!in || in->stopping || !in->key_id[0])
			continue;
		/* listed itself, or endorsed (transitively) by a listed key */
		by = keyring_revoked_by(&D.keys, in->key_id);
		if (!by)
			continue;
		if (mod->next) {
			/* the update's new version was verified by another key: it goes too */
			mod->next->stopping = STOP_ROLLBACK;
			instance_kill(mod->next);
		}
		AUDIT("key-revoked", "module", mod->name, "key", in->key_id, "revoked", by,
		      "version", in->m->version, "result", "stopped");
		log_err("%s: version %s was verified with key %s, which trusted.d/revoked now revokes (it lists key %s): stopping it",
			mod->name, in->m->version, in->key_id, by);
		if (sup_stop(mod, STOP_ADMIN, why, sizeof(why)) && !in->stopping) {
			in->stopping = STOP_ADMIN;
			instance_kill(in);
		}
		snprintf(mod->last_error, sizeof(mod->last_error),
			 "stopped: signed by key %s, which is revoked (trusted.d/revoked)", in->key_id);
	}
}

int sup_load(char ***errors)
{
	char dir[PATH_MAX];
	struct manifest **list;
	size_t n;
	int ret;

	keyring_free(&D.keys);
	snprintf(dir, sizeof(dir), "%s/trusted.d", D.cfg.config_dir);
	keyring_load(dir, &D.keys, errors);
	snprintf(dir, sizeof(dir), "%s/modules.d", D.cfg.config_dir);
	ret = manifests_scan(dir, &list, &n, errors);
	if (ret)
		return ret;
	for (size_t i = 0; i < D.nr_mods; i++)
		D.mods[i]->removed = true;
	for (size_t i = 0; i < n; i++) {
		struct module *mod = sup_find(list[i]->name);

		if (!mod) {
			struct module **nm = realloc(D.mods, (D.nr_mods + 1) * sizeof(*nm));

			mod = calloc(1, sizeof(*mod));
			if (!nm || !mod) {
				free(mod);
				manifest_free(list[i]);
				continue;
			}
			D.mods = nm;
			D.mods[D.nr_mods++] = mod;
			str_copy(mod->name, sizeof(mod->name), list[i]->name);
		}
		manifest_free(mod->m);
		mod->m = list[i];
		free(mod->manifest_path);
		mod->manifest_path = strdup(list[i]->path);
		mod->removed = false;
	}
	free(list);
	for (size_t i = 0; i < D.nr_mods; i++) {
		struct module *mod = D.mods[i];

		if (mod->removed && !mod->cur && !mod->next && !mod->old) {
			module_drop(mod);
			i--;
		}
	}
	stop_revoked();
	log_info("%zu module(s) defined, %zu trusted key(s), %zu revoked", D.nr_mods, D.keys.n,
		 D.keys.nr_revoked);
	return 0;
}

/* ---- starting ----------------------------------------------------------- */

static struct module *provider_of(const struct service_req *r)
{
	for (size_t i = 0; i < D.nr_mods; i++) {
		struct module *mod = D.mods[i];

		for (size_t j = 0; mod->m && !mod->removed && j < mod->m->nr_provides; j++)
			if (!strcmp(mod->m->provides[j].name, r->name) &&
			    vrange_contains(&r->range, mod->m->provides[j].version))
				return mod;
	}
	return NULL;
}

static bool is_verify_error(int err)
{
	return err == -EBADMSG || err == -ENOKEY || err == -EKEYREJECTED || err == -EPERM ||
	       err == -EPROTO || err == -EINVAL || err == -ENOEXEC || err == -ENOENT ||
	       err == -EKEYREVOKED || err == -EKEYEXPIRED || err == -EPROTONOSUPPORT ||
	       err == -EFBIG;
}

static void schedule_restart(struct module *mod, const char *what);

static void do_launch(struct module *mod)
{
	struct instance *in;
	char why[512] = "";
	int ret = launch(mod, mod->manifest_path, false, &in, why, sizeof(why));

	if (ret) {
		str_copy(mod->last_error, sizeof(mod->last_error), why);
		if (is_verify_error(ret)) {
			sup_set_state(mod, M_FAILED, why);
			registry_module_gone(mod->name);
		} else {
			schedule_restart(mod, why);
		}
		return;
	}
	mod->cur = in;
	sup_set_state(mod, M_STARTING, NULL);
}

/* Every module providing what @mod requires is running. -ENOENT if a
 * requirement cannot be met at all. */
static int deps_state(struct module *mod, char *why, size_t cap)
{
	for (size_t i = 0; i < mod->m->nr_requires; i++) {
		const struct service_req *r = &mod->m->requires[i];
		struct module *p = provider_of(r);

		if (!p) {
			snprintf(why, cap, "no module provides the required service %s %s", r->name,
				 r->text);
			return -ENOENT;
		}
		if (p->state == M_FAILED) {
			snprintf(why, cap, "the required service %s is not available (%s failed)",
				 r->name, p->name);
			return -ENOENT;
		}
		if (p->state != M_RUNNING && p->state != M_PAUSED && p->state != M_PAUSING)
			return -EAGAIN;
	}
	return 0;
}

static int start_deps(struct module *mod, int depth, char *why, size_t cap)
{
	if (depth > (int)D.nr_mods) {
		snprintf(why, cap, "the required services of %s form a cycle", mod->name);
		return -ELOOP;
	}
	for (size_t i = 0; i < mod->m->nr_requires; i++) {
		struct module *p = provider_of(&mod->m->requires[i]);
		int ret;

		if (!p) {
			snprintf(why, cap, "no module provides the required service %s %s",
				 mod->m->requires[i].name, mod->m->requires[i].text);
			return -ENOENT;
		}
		ret = start_deps(p, depth + 1, why, cap);
		if (ret)
			return ret;
		if (p->state == M_STOPPED || p->state == M_FAILED) {
			p->bo.failures = 0;
			sup_set_state(p, M_WAITING, "required by another module");
		}
	}
	return 0;
}

static bool launch_pending;	/* more to start: the loop ticks again at once */

int sup_start(struct module *mod, const char *who, char *why, size_t cap)
{
	int ret;

	if (mod->removed) {
		snprintf(why, cap, "%s has no manifest any more", mod->name);
		return -ENOENT;
	}
	switch (mod->state) {
	case M_STOPPED:
	case M_FAILED:
	case M_BACKOFF:
		break;
	case M_STOPPING:
		snprintf(why, cap, "%s is stopping", mod->name);
		return -EBUSY;
	default:
		snprintf(why, cap, "%s is already %s", mod->name, state_names[mod->state]);
		return -EALREADY;
	}
	ret = start_deps(mod, 0, why, cap);
	if (ret) {
		sup_set_state(mod, M_FAILED, why);
		return ret;
	}
	mod->bo.failures = 0;
	mod->last_error[0] = 0;
	sup_set_state(mod, M_WAITING, who);
	/*
	 * Launched by the loop's next tick, not here: a tick from here ran
	 * once per module in sup_autostart(), all of them before the loop
	 * read a single READY, and killed the first ones for their
	 * StartTimeout (make bench-scale: every module's first start).
	 */
	launch_pending = true;
	return 0;
}

void sup_autostart(void)
{
	for (size_t i = 0; i < D.nr_mods; i++) {
		struct module *mod = D.mods[i];
		char why[256];

		if (mod->autostart_done || mod->removed || !mod->m->autostart)
			continue;
		mod->autostart_done = true;
		if (mod->state == M_STOPPED)
			sup_start(mod, "autostart", why, sizeof(why));
	}
}

/* ---- stopping -------------------------------------------------------- */

static void begin_terminate(struct instance *in)
{
	uint64_t t = in->m->stop_timeout_ms;

	k_set_state(D.kfd, in->kmod, LOGOS_STATE_TERMINATING);
	in->deadline_ms = now_ms() + t;
	if (boot_call(in, LOGOS_BOOT_TERMINATE, t, (int64_t)t * 1000000))
		instance_kill(in);
}

static void thaw(struct instance *in)
{
	cgroup_freeze(in->cgroup, false);
	k_set_state(D.kfd, in->kmod, LOGOS_STATE_RUNNING);
	in->last_heartbeat_ms = now_ms();
}

int sup_stop(struct module *mod, enum stop_reason reason, char *why, size_t cap)
{
	struct instance *in = mod->cur;
	bool was_paused = mod->state == M_PAUSED || mod->state == M_PAUSING;

	if (mod->state == M_BACKOFF || mod->state == M_WAITING || mod->state == M_FAILED) {
		sup_set_state(mod, M_STOPPED, reason == STOP_SHUTDOWN ? "shutdown" : "stopped");
		registry_module_gone(mod->name);
		return 0;
	}
	if (!in) {
		snprintf(why, cap, "%s is not running", mod->name);
		return -EALREADY;
	}
	if ((mod->update_path || mod->next) && reason != STOP_SHUTDOWN) {
		snprintf(why, cap, "%s is being updated", mod->name);
		return -EBUSY;
	}
	if (in->stopping) {
		if (reason == STOP_SHUTDOWN || reason == STOP_ADMIN)
			in->stopping = reason;	/* no restart after all */
		snprintf(why, cap, "%s is already stopping", mod->name);
		return reason == STOP_SHUTDOWN ? 0 : -EALREADY;
	}
	in->stopping = reason;
	sup_set_state(mod, M_STOPPING, reason == STOP_RESTART ? "restart" :
		      reason == STOP_SHUTDOWN ? "shutdown" : reason == STOP_UPDATE ? "update" : "stop");
	if (was_paused)
		thaw(in);
	in->deadline_ms = now_ms() + in->m->stop_timeout_ms;
	if (in->call_kind)
		return 0;	/* the call in flight ends first; see sup_on_call_done() */
	/* a restart carries the state over: PAUSE (quiescent), SAVE_STATE, TERMINATE */
	if (reason == STOP_RESTART && in->ready) {
		if (!boot_call(in, LOGOS_BOOT_PAUSE, 0, (int64_t)in->m->stop_timeout_ms * 500000))
			return 0;
	}
	begin_terminate(in);
	return 0;
}

int sup_restart(struct module *mod, char *why, size_t cap)
{
	if (mod->cur && mod->state != M_STOPPING)
		return sup_stop(mod, STOP_RESTART, why, cap);
	return sup_start(mod, "restart", why, cap);
}

/* ---- pause and resume ---------------------------------------------- */

static void do_freeze(struct module *mod)
{
	struct instance *in = mod->cur;
	int ret = k_set_state(D.kfd, in->kmod, LOGOS_STATE_PAUSED);

	if (ret)
		log_warn("%s: kernel PAUSED refused: %s", mod->name, strerror(-ret));
	ret = cgroup_freeze(in->cgroup, true);
	if (ret)
		log_warn("%s: cannot freeze %s: %s", mod->name, in->cgroup, strerror(-ret));
	sup_set_state(mod, M_PAUSED, NULL);
}

int sup_pause(struct module *mod, char *why, size_t cap)
{
	struct instance *in = mod->cur;

	if (mod->state != M_RUNNING || !in || in->call_kind) {
		snprintf(why, cap, "%s is %s, not running", mod->name, state_names[mod->state]);
		return -EINVAL;
	}
	sup_set_state(mod, M_PAUSING, NULL);
	in->deadline_ms = now_ms() + in->m->stop_timeout_ms;
	if (boot_call(in, LOGOS_BOOT_PAUSE, 0, (int64_t)in->m->stop_timeout_ms * 1000000))
		do_freeze(mod);
	return 0;
}

int sup_resume(struct module *mod, char *why, size_t cap)
{
	struct instance *in = mod->cur;

	if (mod->state != M_PAUSED || !in) {
		snprintf(why, cap, "%s is %s, not paused", mod->name, state_names[mod->state]);
		return -EINVAL;
	}
	thaw(in);
	boot_notify(in, LOGOS_BOOT_RESUME, NULL, 0, 0);
	sup_set_state(mod, M_RUNNING, NULL);
	return 0;
}

/* ---- what modules and helper threads tell us ---------------------------- */

void sup_on_ready(struct instance *in)
{
	struct module *mod = in->mod;
	struct logos_module_info info;

	if (in->ready)
		return;
	in->ready = true;
	in->ready_ms = in->last_heartbeat_ms = now_ms();
	/* a module that did not say MODULE_READY itself is moved on */
	if (!k_module_info(D.kfd, in->kmod, &info) && info.state == LOGOS_STATE_INITIALIZING)
		k_set_state(D.kfd, in->kmod, LOGOS_STATE_RUNNING);
	if (in->candidate) {
		update_on_ready(in);
		return;
	}
	if (in->stopping)
		return;
	sup_set_state(mod, M_RUNNING, NULL);
}

static void store_state(struct module *mod, const void *data, size_t len, uint32_t mem)
{
	free(mod->saved);
	mod->saved = NULL;
	mod->saved_len = 0;
	k_close(D.kfd, mod->saved_mem);
	mod->saved_mem = mem;
	if (len) {
		mod->saved = malloc(len);
		if (mod->saved) {
			memcpy(mod->saved, data, len);
			mod->saved_len = len;
		}
	}
	mod->has_saved = mod->saved || mem;
	{
		char n[32];

		snprintf(n, sizeof(n), "%zu", len);
		AUDIT("state", "module", mod->name, "event", "saved", "bytes", n, "memory",
		      mem ? "yes" : "no");
	}
}

void sup_on_call_done(struct instance *in, int kind, int ret, const void *data, size_t len,
		      uint32_t mem)
{
	struct module *mod = in->mod;

	switch (kind) {
	case LOGOS_BOOT_SAVE_STATE:
		if (!ret)
			store_state(mod, data, len, mem);
		else
			log_warn("%s: SAVE_STATE failed: %s (the next instance starts without it)",
				 mod->name, strerror(-ret));
		if (in == mod->cur && mod->update_path && !mod->next && !in->stopping) {
			update_on_saved(mod);	/* now the new version starts */
			break;
		}
		if (in->stopping && !in->exited)
			begin_terminate(in);
		break;
	case LOGOS_BOOT_PAUSE:
		if (ret)
			log_warn("%s: PAUSE not acknowledged (%s)", mod->name, strerror(-ret));
		if (in->exited)
			break;
		if (in->stopping == STOP_RESTART) {
			if (boot_call(in, LOGOS_BOOT_SAVE_STATE, 0,
				      (int64_t)in->m->stop_timeout_ms * 500000))
				begin_terminate(in);
		} else if (in->stopping) {
			begin_terminate(in);
		} else if (in == mod->cur && mod->update_path && !mod->next) {
			if (boot_call(in, LOGOS_BOOT_SAVE_STATE, 0,
				      (int64_t)in->m->stop_timeout_ms * 1000000))
				update_on_saved(mod);
		} else if (mod->state == M_PAUSING && mod->cur == in) {
			do_freeze(mod);
		}
		break;
	case LOGOS_BOOT_TERMINATE:
		if (ret && ret != -EPIPE)
			log_debug("%s: TERMINATE: %s", mod->name, strerror(-ret));
		break;
	}
}

static void describe_exit(const struct instance *in, char *buf, size_t cap)
{
	if (in->exit_code == CLD_EXITED)
		snprintf(buf, cap, "exited with status %d", in->exit_status);
	else
		snprintf(buf, cap, "killed by signal %s", sigabbrev_np(in->exit_status) ?
			 sigabbrev_np(in->exit_status) : "?");
}

/* cgroup limits reached since the last look: audited as quota events. */
/*
 * Quota events without a poll: cgroup v2 reports a change of memory.events
 * and pids.events as a modification of the file, so one inotify fd in the
 * loop says when to read them (an idle node must not wake every second,
 * SRS §6). Without inotify, or a file that cannot be watched, that
 * instance's files are polled every second as before.
 */
static int quota_fd = -2;	/* -2: not made yet, -1: none */
static bool quota_due;		/* an event came: read every watched instance's files */

static void quota_watch(struct instance *in)
{
	static const char *const files[] = { "memory.events", "pids.events" };
	char path[PATH_MAX + 16];

	if (quota_fd == -2) {
		quota_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (quota_fd >= 0 && loop_watch(quota_fd, FD_QUOTA, 0)) {
			close(quota_fd);
			quota_fd = -1;
		}
		if (quota_fd < 0)
			log_warn("no inotify for quota events: polling them every second");
	}
	if (quota_fd < 0)
		return;
	in->quota_watched = true;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", in->cgroup, files[i]);
		if (inotify_add_watch(quota_fd, path, IN_MODIFY) < 0)
			in->quota_watched = false;
	}
}

void sup_quota_event(void)
{
	char buf[4096];

	while (read(quota_fd, buf, sizeof(buf)) > 0)
		;
	quota_due = true;
}

static void audit_quota(struct instance *in)
{
	struct cgroup_stats st;
	const char *mod = in->mod->name;
	char v[32], n[32];

	if (!in->cgroup[0])
		return;
	cgroup_stats(in->cgroup, &st);
	if (st.oom_kills > in->quota_seen[0]) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)in->m->memory_max);
		log_warn("%s: hit memory.max (%s bytes): the kernel killed it", mod, v);
		AUDIT_MOD(mod, "quota", "module", mod, "resource", "memory.max", "limit", v, "event", "oom-kill");
	}
	if (st.memory_max_events > in->quota_seen[1] && st.oom_kills == in->quota_seen[0]) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)in->m->memory_max);
		snprintf(n, sizeof(n), "%llu", (unsigned long long)(st.memory_max_events -
								   in->quota_seen[1]));
		log_info("%s: reached memory.max (%s bytes) %s time(s): reclaiming", mod, v, n);
		AUDIT_MOD(mod, "quota", "module", mod, "resource", "memory.max", "limit", v, "event", "reached",
		      "count", n);
	}
	if (st.pids_max_events > in->quota_seen[2]) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)in->m->pids_max);
		snprintf(n, sizeof(n), "%llu", (unsigned long long)(st.pids_max_events -
								   in->quota_seen[2]));
		log_warn("%s: hit pids.max (%s): %s fork(s) refused", mod, v, n);
		AUDIT_MOD(mod, "quota", "module", mod, "resource", "pids.max", "limit", v,
		      "event", "fork refused", "count", n);
	}
	in->quota_seen[0] = st.oom_kills;
	in->quota_seen[1] = st.memory_max_events;
	in->quota_seen[2] = st.pids_max_events;
}

static void schedule_restart(struct module *mod, const char *what)
{
	struct backoff_cfg bc = {
		.start_ms = mod->m->backoff_start_ms, .max_ms = mod->m->backoff_max_ms,
		.reset_after_ms = mod->m->reset_after_ms, .burst = mod->m->burst,
	};
	uint64_t now = now_ms(), started = mod->cur ? mod->cur->started_ms : now;
	int64_t delay = backoff_on_failure(&bc, &mod->bo, started, now);
	char why[512], rb[768];

	if (delay == BACKOFF_GIVE_UP) {
		snprintf(why, sizeof(why), "crash loop: %u failures in a row (last: %s)",
			 mod->bo.failures, what);
		AUDIT("crash-loop", "module", mod->name, "reason", what);
		if (!update_rollback_crashed(mod, why, rb, sizeof(rb))) {
			/* the previous version, restarted from a fresh backoff */
			memset(&mod->bo, 0, sizeof(mod->bo));
			mod->restart_at_ms = now;
			sup_set_state(mod, M_BACKOFF, rb);
			return;
		}
		sup_set_state(mod, M_FAILED, why);
		registry_module_gone(mod->name);
		return;
	}
	mod->restart_at_ms = now + delay;
	mod->restarts++;
	snprintf(why, sizeof(why), "%s; restart %u in a row in %lld ms", what, mod->bo.failures,
		 (long long)delay);
	sup_set_state(mod, M_BACKOFF, why);
}

void sup_on_exit(struct instance *in)
{
	struct module *mod = in->mod;
	struct logos_module_info info;
	char how[128], why[256];
	bool failure, restart;
	enum stop_reason reason = in->stopping;

	describe_exit(in, how, sizeof(how));
	instance_kill(in);	/* whatever it left behind */
	audit_quota(in);
	if (!k_module_info(D.kfd, in->kmod, &info) && (info.exit_flags & LOGOS_EXIT_CRASHED))
		log_debug("%s: the kernel saw a crash (left outside TERMINATING)", mod->name);
	if (in == mod->next) {
		update_on_exit(in);
		return;
	}
	if (in == mod->old) {
		log_info("%s: the replaced version (pid %d) %s", mod->name, (int)in->pid, how);
		registry_instance_gone(in, false);
		mod->old = NULL;
		instance_free(in);
		return;
	}
	if (mod->next) {
		log_warn("%s: the running version died during an update: the update is abandoned",
			 mod->name);
		instance_kill(mod->next);	/* update_on_exit() cleans up */
	}
	mod->cur = NULL;
	log_info("%s: pid %d %s", mod->name, (int)in->pid, how);
	switch (reason) {
	case STOP_ADMIN:
	case STOP_SHUTDOWN:
		registry_instance_gone(in, false);
		registry_module_gone(mod->name);
		sup_set_state(mod, M_STOPPED, how);
		break;
	case STOP_RESTART:
		registry_instance_gone(in, true);
		mod->cur = NULL;
		instance_free(in);
		if (mod->removed) {
			sup_set_state(mod, M_STOPPED, "its manifest is gone");
			return;
		}
		do_launch(mod);
		return;
	default:
		failure = !(in->exit_code == CLD_EXITED && in->exit_status == 0) ||
			  reason == STOP_WATCHDOG || reason == STOP_TIMEOUT;
		snprintf(why, sizeof(why), "%s%s", how,
			 reason == STOP_WATCHDOG ? " (watchdog: no heartbeat)" :
			 reason == STOP_TIMEOUT ? " (no READY within StartTimeout)" : "");
		restart = !mod->removed && !D.shutting_down &&
			  (mod->m->restart == RESTART_ALWAYS ||
			   (mod->m->restart == RESTART_ON_FAILURE && failure));
		if (failure)
			AUDIT("crash", "module", mod->name, "reason", why);
		if (!restart) {
			registry_instance_gone(in, false);
			registry_module_gone(mod->name);
			sup_set_state(mod, failure ? M_FAILED : M_STOPPED, why);
			break;
		}
		registry_instance_gone(in, true);
		mod->cur = in;	/* for the backoff's "started" */
		schedule_restart(mod, why);
		mod->cur = NULL;
		if (mod->state == M_FAILED)
			registry_module_gone(mod->name);
		break;
	}
	instance_free(in);
	if (mod->removed && !mod->cur && !mod->next && !mod->old && mod->state != M_BACKOFF)
		module_drop(mod);
}

/* ---- timers ---------------------------------------------------------------- */

/*
 * Starting a module blocks the loop (verification, sandbox set-up, exec):
 * a few milliseconds on a node, far more under emulation. One tick starts
 * modules for at most LAUNCH_SLICE_MS (at least one), the rest on the
 * next turns of the loop, so READY, heartbeats and the control socket of
 * those already started are served in between: started all at once, the
 * first of 2,000 modules outlived their StartTimeout before logosd read
 * their READY (make bench-scale).
 */
#define LAUNCH_SLICE_MS 50
static uint64_t tick_started_ms;
static unsigned int tick_launches;

static bool may_launch(void)
{
	if (tick_launches && now_ms() - tick_started_ms >= LAUNCH_SLICE_MS) {
		launch_pending = true;
		return false;
	}
	tick_launches++;
	return true;
}

static void tick_module(struct module *mod, uint64_t now)
{
	struct instance *in = mod->cur;
	char why[512];
	int ret;

	switch (mod->state) {
	case M_BACKOFF:
		if (now >= mod->restart_at_ms && may_launch())
			do_launch(mod);
		return;
	case M_WAITING:
		ret = deps_state(mod, why, sizeof(why));
		if (ret == -ENOENT) {
			sup_set_state(mod, M_FAILED, why);
			registry_module_gone(mod->name);
		} else if (!ret && may_launch()) {
			do_launch(mod);
		}
		return;
	default:
		break;
	}
	if (!in || in->exited)
		return;
	if (!in->quota_next_ms && in->cgroup[0])
		quota_watch(in);	/* the instance's first tick */
	if (in->quota_watched ? quota_due || !in->quota_next_ms : now >= in->quota_next_ms) {
		audit_quota(in);
		in->quota_next_ms = now + 1000;
	}
	if (mod->state == M_STARTING && !in->ready && now > in->deadline_ms && !in->stopping) {
		log_warn("%s: no READY within %llu ms: killing it", mod->name,
			 (unsigned long long)in->m->start_timeout_ms);
		in->stopping = STOP_TIMEOUT;
		instance_kill(in);
	} else if (mod->state == M_RUNNING && in->m->watchdog_ms && !in->stopping &&
		   !mod->update_path &&
		   now > in->last_heartbeat_ms + in->m->watchdog_ms) {
		char ms[32];

		snprintf(ms, sizeof(ms), "%llu", (unsigned long long)(now - in->last_heartbeat_ms));
		log_warn("%s: watchdog: no heartbeat for %s ms (interval %llu ms): killing it",
			 mod->name, ms, (unsigned long long)in->m->watchdog_ms);
		AUDIT("watchdog", "module", mod->name, "silent_ms", ms);
		in->stopping = STOP_WATCHDOG;
		instance_kill(in);
	} else if (in->stopping && in->stopping != STOP_WATCHDOG && in->stopping != STOP_TIMEOUT &&
		   now > in->deadline_ms + 50) {
		log_warn("%s: did not stop within %llu ms: SIGKILL", mod->name,
			 (unsigned long long)in->m->stop_timeout_ms);
		in->deadline_ms = UINT64_MAX / 2;
		instance_kill(in);
	} else if (mod->state == M_PAUSING && !in->call_kind && now > in->deadline_ms) {
		do_freeze(mod);
	}
	if (mod->state == M_RUNNING && mod->bo.failures) {
		struct backoff_cfg bc = { .reset_after_ms = in->m->reset_after_ms };

		backoff_on_healthy(&bc, &mod->bo, in->started_ms, now);
	}
}

void sup_tick(uint64_t now)
{
	tick_started_ms = now_ms();
	tick_launches = 0;
	launch_pending = false;
	for (size_t i = 0; i < D.nr_mods; i++) {
		struct module *mod = D.mods[i];

		tick_module(mod, now);
		if (mod->update_path)
			update_tick(mod, now);
	}
	for (size_t i = 0; D.cleanup_cgroups && D.cleanup_cgroups[i]; i++) {
		if (!cgroup_remove(D.cleanup_cgroups[i])) {
			free(D.cleanup_cgroups[i]);
			memmove(&D.cleanup_cgroups[i], &D.cleanup_cgroups[i + 1],
				(strv_len(D.cleanup_cgroups) - i) * sizeof(char *));
			i--;
		}
	}
	quota_due = false;
	if (D.audit_ok)
		audit_tick(&D.audit, now);
}

/*
 * When sup_tick() has work next; UINT64_MAX: none, logosd sleeps until an
 * event (no periodic wake-up of an idle node).
 */
uint64_t sup_next_deadline(void)
{
	uint64_t next = UINT64_MAX;

	if (launch_pending)
		return now_ms();	/* more to start: just serve what is ready first */

	for (size_t i = 0; i < D.nr_mods; i++) {
		struct module *mod = D.mods[i];
		struct instance *in = mod->cur;

		if (mod->state == M_BACKOFF)
			next = MIN(next, mod->restart_at_ms);
		if (mod->state == M_WAITING)
			next = MIN(next, now_ms() + D.cfg.watchdog_tick_ms);
		if (in && in->m->watchdog_ms && mod->state == M_RUNNING)
			next = MIN(next, in->last_heartbeat_ms + in->m->watchdog_ms + 1);
		if (in && (mod->state == M_STARTING || mod->state == M_STOPPING ||
			   mod->state == M_PAUSING))
			next = MIN(next, in->deadline_ms + 51);
		if (in && !in->exited && in->cgroup[0] && !in->quota_watched)
			next = MIN(next, in->quota_next_ms);
		/* (each deadline below ends when its tick acts: no busy loop) */
		if (in && !in->exited && mod->state == M_RUNNING && mod->bo.failures &&
		    in->m->reset_after_ms)
			next = MIN(next, in->started_ms + in->m->reset_after_ms + 1);
		if (mod->update_path && mod->old && !mod->old->exited)
			next = MIN(next, mod->old->deadline_ms + 51);
		if (mod->update_path && mod->next && !mod->next->exited && !mod->next->stopping) {
			struct instance *nx = mod->next;

			if (!nx->ready)
				next = MIN(next, nx->deadline_ms + 1);
			else if (nx->m->watchdog_ms)
				next = MIN(next, nx->last_heartbeat_ms + nx->m->watchdog_ms + 1);
			if (nx->ready && mod->health_until_ms)
				next = MIN(next, mod->health_until_ms);
		}
	}
	if (D.cleanup_cgroups && D.cleanup_cgroups[0])
		next = MIN(next, now_ms() + 1000);	/* retry their removal */
	if (D.audit_ok)
		next = MIN(next, audit_next_deadline(&D.audit));
	return MIN(next, control_next_deadline());
}

/* ---- shutdown ------------------------------------------------------------ */

void sup_shutdown(void)
{
	char why[256];

	D.shutting_down = true;
	for (size_t i = 0; i < D.nr_mods; i++) {
		struct module *mod = D.mods[i];

		if (mod->next)
			instance_kill(mod->next);
		if (mod->old)
			instance_kill(mod->old);
		sup_stop(mod, STOP_SHUTDOWN, why, sizeof(why));
	}
}

bool sup_all_stopped(void)
{
	for (size_t i = 0; i < D.nr_mods; i++)
		if (D.mods[i]->cur || D.mods[i]->next || D.mods[i]->old)
			return false;
	return true;
}
