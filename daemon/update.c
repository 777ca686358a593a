// SPDX-License-Identifier: GPL-2.0
/*
 * Updates (FR-008): replace a running module by a new signed version.
 *
 *   1. PAUSE the running version (it stops serving), SAVE_STATE, then
 *      freeze it (cgroup and kernel PAUSED), so its state cannot move on;
 *   2. start the new version (verified like any start) with that state
 *      (RESTORE_STATE); its REGISTERs are held back;
 *   3. it must send READY within StartTimeout and then stay alive (and
 *      keep its heartbeats, with a watchdog) for HealthCheck;
 *   4. commit: the registry moves every client connection to the new
 *      version at once (revoke + CONNECT), the old one is thawed and
 *      asked to TERMINATE, and the new manifest replaces the old one in
 *      modules.d/ — or roll back: the new one is killed and the old one
 *      thawed and resumed, as if nothing happened.
 */
#include "daemon.h"
#include "kernel.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <logos/bootstrap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void update_clear(struct module *mod)
{
	free(mod->update_path);
	mod->update_path = NULL;
	mod->health_until_ms = 0;
}

static void resume_old(struct module *mod)
{
	struct instance *in = mod->cur;

	if (!in || in->exited)
		return;
	cgroup_freeze(in->cgroup, false);
	k_set_state(D.kfd, in->kmod, LOGOS_STATE_RUNNING);
	boot_notify(in, LOGOS_BOOT_RESUME, NULL, 0, 0);
	in->last_heartbeat_ms = now_ms();
}

static void rollback(struct module *mod, const char *why)
{
	log_err("%s: update to %s rolled back: %s", mod->name, mod->update_path, why);
	AUDIT("update", "module", mod->name, "result", "rolled back", "manifest",
	      mod->update_path, "reason", why);
	resume_old(mod);
	update_clear(mod);
	if (mod->cur)
		sup_set_state(mod, M_RUNNING, "update rolled back");
}

int update_begin(struct module *mod, const char *manifest_path, char *why, size_t cap)
{
	struct instance *in = mod->cur;

	if (mod->state != M_RUNNING || !in || !in->ready || in->stopping || in->call_kind) {
		snprintf(why, cap, "%s must be running (it is %s)", mod->name,
			 mod_state_name(mod->state));
		return -EINVAL;
	}
	if (mod->update_path || mod->next || mod->old) {
		snprintf(why, cap, "%s is already being updated", mod->name);
		return -EBUSY;
	}
	if (manifest_path[0] != '/' || access(manifest_path, R_OK)) {
		snprintf(why, cap, "cannot read the new manifest %s (an absolute path is needed)",
			 manifest_path);
		return -ENOENT;
	}
	mod->update_path = strdup(manifest_path);
	AUDIT("update", "module", mod->name, "result", "started", "manifest", manifest_path,
	      "from_version", in->m->version);
	log_notice("%s: updating from version %s with %s", mod->name, in->m->version,
		   manifest_path);
	/* PAUSE (quiescent), then SAVE_STATE: see sup_on_call_done() */
	if (boot_call(in, LOGOS_BOOT_PAUSE, 0, (int64_t)in->m->stop_timeout_ms * 1000000))
		update_on_saved(mod);
	return 0;
}

/* The running version's state is saved (or could not be): start the new one. */
void update_on_saved(struct module *mod)
{
	struct instance *old = mod->cur, *next;
	char why[512] = "";
	int ret;

	if (!old || !mod->update_path)
		return;
	k_set_state(D.kfd, old->kmod, LOGOS_STATE_PAUSED);
	cgroup_freeze(old->cgroup, true);
	ret = launch(mod, mod->update_path, true, &next, why, sizeof(why));
	if (ret) {
		rollback(mod, why);
		return;
	}
	mod->next = next;
	next->deadline_ms = now_ms() + next->m->start_timeout_ms;
}

void update_on_ready(struct instance *in)
{
	struct module *mod = in->mod;

	mod->health_until_ms = now_ms() + in->m->health_ms;
	log_info("%s: the new version %s is ready; health check for %llu ms", mod->name,
		 in->m->version, (unsigned long long)in->m->health_ms);
}

void update_on_exit(struct instance *in)
{
	struct module *mod = in->mod;
	char why[256];

	if (in->exit_code == CLD_EXITED)
		snprintf(why, sizeof(why), "the new version exited with status %d%s", in->exit_status,
			 in->ready ? " during its health check" : " before READY");
	else
		snprintf(why, sizeof(why), "the new version was killed by signal %d%s", in->exit_status,
			 in->ready ? " during its health check" : " before READY");
	if (in->stopping == STOP_TIMEOUT)
		snprintf(why, sizeof(why), "the new version sent no READY within %llu ms",
			 (unsigned long long)in->m->start_timeout_ms);
	else if (in->stopping == STOP_WATCHDOG)
		snprintf(why, sizeof(why), "the new version missed its heartbeats");
	mod->next = NULL;
	registry_instance_gone(in, false);
	instance_free(in);
	rollback(mod, why);
}

/* Copies the new manifest (and its signature) over the module's. */
static void install_manifest(struct module *mod)
{
	char sig_from[PATH_MAX], sig_to[PATH_MAX], *data;
	char **errs = calloc(1, sizeof(char *));
	struct manifest *m;
	size_t len;

	if (!strcmp(mod->update_path, mod->manifest_path))
		goto reparse;
	snprintf(sig_from, sizeof(sig_from), "%s.sig", mod->update_path);
	snprintf(sig_to, sizeof(sig_to), "%s.sig", mod->manifest_path);
	if (!read_file(sig_from, &data, &len, 1 << 20)) {
		write_file_atomic(sig_to, data, len, 0644);
		free(data);
	} else {
		unlink(sig_to);
	}
	if (!read_file(mod->update_path, &data, &len, 1 << 20)) {
		if (write_file_atomic(mod->manifest_path, data, len, 0644))
			log_warn("%s: cannot install %s as %s: a restart would run the old version",
				 mod->name, mod->update_path, mod->manifest_path);
		free(data);
	}
reparse:
	if (!manifest_load(mod->manifest_path, &m, &errs)) {
		manifest_free(mod->m);
		mod->m = m;
	}
	strv_free(errs);
}

static void commit(struct module *mod)
{
	struct instance *old = mod->cur, *next = mod->next;

	registry_switch(old, next);
	next->candidate = false;
	mod->cur = next;
	mod->next = NULL;
	mod->old = old;
	old->stopping = STOP_UPDATE;
	cgroup_freeze(old->cgroup, false);
	k_set_state(D.kfd, old->kmod, LOGOS_STATE_RUNNING);
	k_set_state(D.kfd, old->kmod, LOGOS_STATE_TERMINATING);
	old->deadline_ms = now_ms() + old->m->stop_timeout_ms;
	if (boot_call(old, LOGOS_BOOT_TERMINATE, old->m->stop_timeout_ms,
		      (int64_t)old->m->stop_timeout_ms * 1000000))
		instance_kill(old);
	install_manifest(mod);
	mod->bo.failures = 0;
	AUDIT("update", "module", mod->name, "result", "committed", "from_version", old->m->version,
	      "to_version", next->m->version);
	log_notice("%s: updated from version %s to %s", mod->name, old->m->version,
		   next->m->version);
	update_clear(mod);
	sup_set_state(mod, M_RUNNING, "updated");
}

void update_tick(struct module *mod, uint64_t now)
{
	struct instance *next = mod->next, *old = mod->old;

	if (old && !old->exited && now > old->deadline_ms + 50) {
		old->deadline_ms = UINT64_MAX / 2;
		instance_kill(old);
	}
	if (!next || next->exited)
		return;
	if (!next->ready) {
		if (now > next->deadline_ms && !next->stopping) {
			next->stopping = STOP_TIMEOUT;
			instance_kill(next);
		}
		return;
	}
	if (next->m->watchdog_ms && now > next->last_heartbeat_ms + next->m->watchdog_ms) {
		if (!next->stopping) {
			next->stopping = STOP_WATCHDOG;
			instance_kill(next);
		}
		return;
	}
	if (mod->health_until_ms && now >= mod->health_until_ms)
		commit(mod);
}
