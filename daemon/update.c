// SPDX-License-Identifier: GPL-2.0
/*
 * Updates (FR-008): replace a running module by a new signed version.
 *
 *   0. read the new manifest, its .sig and its executable ONCE from the
 *      fds the client's opener gave (struct update_src), verify those
 *      bytes (verify_module_src(): signature, binding, policy) and that
 *      they are this module's and a newer Version (module_version_cmp(),
 *      unless allow_downgrade); refuse, audited, before touching the
 *      running version. Nothing is read from the client's paths again;
 *   1. PAUSE the running version (it stops serving), SAVE_STATE, then
 *      freeze it (cgroup and kernel PAUSED), so its state cannot move on;
 *   2. start the new version (verified like any start) with that state
 *      (RESTORE_STATE); its REGISTERs are held back;
 *   3. it must send READY within StartTimeout and then stay alive (and
 *      keep its heartbeats, with a watchdog) for HealthCheck;
 *   4. commit: the registry moves every client connection to the new
 *      version at once (revoke + CONNECT), the old one is thawed and
 *      asked to TERMINATE; the verified executable is written into
 *      logosd's store (STATE/@store/NAME/BLAKE2B, where later starts take
 *      it from: verify.c), then the verified signature and manifest bytes
 *      over the module's in modules.d/ — or roll back: the new one is
 *      killed and the old one thawed and resumed, as if nothing happened.
 *
 * Rollback after commit: at each commit the manifest and signature being
 * replaced are kept as STATE/@store/NAME/previous/NAME.module(.sig) (the
 * executable they name is found by its signed hash in the store, or at
 * its path; verification decides either way). `logosctl rollback` is an
 * update to those bytes (downgrade allowed, state handed over); a module
 * that is not running gets them swapped in and is started. A crash loop
 * within RollbackWindow of a commit rolls back by itself, once.
 */
#include "daemon.h"
#include "kernel.h"
#include "log.h"
#include "util.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <logos/bootstrap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void update_clear(struct module *mod)
{
	free(mod->update_path);
	mod->update_path = NULL;
	if (mod->update_v) {
		verified_free(mod->update_v);
		free(mod->update_v);
		mod->update_v = NULL;
	}
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
	mod->rolling_back = false;
	if (mod->cur)
		sup_set_state(mod, M_RUNNING, "update rolled back");
}

/* The whole of @fd from offset 0, at most @max bytes. */
static int read_all(int fd, char **data, size_t *len, size_t max)
{
	if (lseek(fd, 0, SEEK_SET) < 0 && errno != ESPIPE)
		return -errno;
	return read_fd(fd, data, len, max);
}

static int refuse(struct module *mod, const char *path, int ret, const char *why)
{
	AUDIT("update", "module", mod->name, "result", "refused", "manifest", path, "reason", why);
	log_err("%s: update to %s refused: %s", mod->name, path, why);
	return ret;
}

int update_begin_src(struct module *mod, struct update_src *src, bool allow_downgrade,
		     char *why, size_t cap)
{
	struct instance *in = mod->cur;
	struct verify_src vs = { .path = src->path, .exe_fd = src->exe_fd,
				 .expect_name = mod->name };
	struct verified *v = NULL;
	char *m = NULL, *sig = NULL;
	size_t mlen = 0, slen = 0;
	int ret, cmp;

	if (mod->state != M_RUNNING || !in || !in->ready || in->stopping || in->call_kind) {
		snprintf(why, cap, "%s must be running (it is %s)", mod->name,
			 mod_state_name(mod->state));
		ret = -EINVAL;
		goto out;
	}
	if (mod->update_path || mod->next || mod->old) {
		snprintf(why, cap, "%s is already being updated", mod->name);
		ret = -EBUSY;
		goto out;
	}
	ret = read_all(src->manifest_fd, &m, &mlen, 256 * 1024);
	if (!ret && src->sig_fd >= 0)
		ret = read_all(src->sig_fd, &sig, &slen, SIG_MAX);
	if (ret) {
		snprintf(why, cap, "cannot read the new manifest or its signature: %s",
			 strerror(-ret));
		ret = refuse(mod, src->path, ret, why);
		goto out;
	}
	vs.manifest = m;
	vs.manifest_len = mlen;
	vs.sig = sig;
	vs.sig_len = slen;
	v = calloc(1, sizeof(*v));
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	ret = verify_module_src(&D.cfg, &D.keys, &D.kver, &vs, v, why, cap);
	audit_verify(mod, v, ret, why);
	if (ret) {
		ret = refuse(mod, src->path, ret, why);
		goto out;
	}
	cmp = module_version_cmp(v->m->version, in->m->version);
	if (cmp <= 0 && !allow_downgrade) {
		snprintf(why, cap, "version %s is %s the running %s: a downgrade needs allow_downgrade (logosctl update --allow-downgrade)",
			 v->m->version, cmp ? "older than" : "the same as", in->m->version);
		ret = refuse(mod, src->path, -ESTALE, why);
		goto out;
	}
	log_info("%s: the update %s is verified: %s", mod->name, src->path, why);
	mod->update_path = strdup(src->path);
	mod->update_v = v;
	v = NULL;
	AUDIT("update", "module", mod->name, "result", "started", "manifest", src->path,
	      "from_version", in->m->version, "to_version", mod->update_v->m->version,
	      "downgrade", cmp <= 0 ? "allowed" : "no",
	      "kind", mod->rolling_back ? "rollback" : "update");
	log_notice("%s: updating from version %s to %s with %s", mod->name, in->m->version,
		   mod->update_v->m->version, src->path);
	why[0] = 0;
	ret = 0;
	/* PAUSE (quiescent), then SAVE_STATE: see sup_on_call_done() */
	if (boot_call(in, LOGOS_BOOT_PAUSE, 0, (int64_t)in->m->stop_timeout_ms * 1000000))
		update_on_saved(mod);
out:
	if (v) {
		verified_free(v);
		free(v);
	}
	free(m);
	free(sig);
	update_src_close(src);
	return ret;
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
	ret = launch_verified(mod, mod->update_v, true, &next, why, sizeof(why));
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

/* The verified executable into STATE/@store/NAME/HASH (once; 0500, root's). */
static int store_executable(struct module *mod, const struct verified *v)
{
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 8];
	struct stat st;
	off_t off = 0;
	int fd, ret = 0;

	if (store_path(&D.cfg, mod->name, NULL, dir, sizeof(dir)) ||
	    store_path(&D.cfg, mod->name, v->binary_hash, path, sizeof(path)))
		return -ENAMETOOLONG;
	if (!stat(path, &st))
		return 0;
	ret = mkdir_p(dir, 0700);
	if (ret)
		return ret;
	if (fstat(v->exec_fd, &st) < 0)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0500);
	if (fd < 0)
		return -errno;
	while (!ret && off < st.st_size) {
		ssize_t n = sendfile(fd, v->exec_fd, &off, st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			ret = n < 0 ? -errno : -EIO;
	}
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	close(fd);
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

/*
 * STATE/@store/NAME/previous/NAME.module, or with @sig its .sig (a
 * manifest's name is its file's).
 */
static int previous_path(const struct module *mod, bool sig, char *buf, size_t cap)
{
	char dir[PATH_MAX];
	int n;

	if (store_path(&D.cfg, mod->name, "previous", dir, sizeof(dir)))
		return -ENAMETOOLONG;
	n = snprintf(buf, cap, "%s/%s.module%s", dir, mod->name, sig ? ".sig" : "");
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* @path's bytes, or none (*data NULL) when it does not exist. */
static int read_maybe(const char *path, char **data, size_t *len, size_t max)
{
	int ret = read_file(path, data, len, max);

	if (ret == -ENOENT) {
		*data = NULL;
		*len = 0;
		ret = 0;
	}
	return ret;
}

/* Writes @data as @path, or removes @path when @data is NULL. */
static int put_maybe(const char *path, const char *data, size_t len)
{
	if (data)
		return write_file_atomic(path, data, len, 0644);
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

/*
 * The module's manifest and signature as they are in modules.d, kept as
 * the previous version before the new ones go over them. The signature
 * first: a crash in between leaves a pair that does not verify, refused
 * at rollback rather than run.
 */
static int keep_previous(struct module *mod)
{
	char sig_from[PATH_MAX], to[PATH_MAX], sig_to[PATH_MAX], dir[PATH_MAX];
	char *m = NULL, *sig = NULL;
	size_t mlen = 0, slen = 0;
	int ret;

	if (previous_path(mod, false, to, sizeof(to)) || previous_path(mod, true, sig_to, sizeof(sig_to)) ||
	    store_path(&D.cfg, mod->name, "previous", dir, sizeof(dir)))
		return -ENAMETOOLONG;
	snprintf(sig_from, sizeof(sig_from), "%s.sig", mod->manifest_path);
	ret = read_file(mod->manifest_path, &m, &mlen, 256 * 1024);
	if (!ret)
		ret = read_maybe(sig_from, &sig, &slen, SIG_MAX);
	if (!ret)
		ret = mkdir_p(dir, 0700);
	if (!ret)
		ret = put_maybe(sig_to, sig, slen);
	if (!ret)
		ret = write_file_atomic(to, m, mlen, 0644);
	free(m);
	free(sig);
	return ret;
}

/*
 * Installs what was verified: the executable into the store, then the
 * signature and the manifest over the module's, from the bytes in memory.
 * A crash between the two renames leaves a pair that does not verify:
 * the module is refused at its next start rather than run unverified.
 */
static void install_manifest(struct module *mod)
{
	struct verified *v = mod->update_v;
	char sig_to[PATH_MAX], **errs = calloc(1, sizeof(char *));
	struct manifest *m;
	int ret;

	ret = keep_previous(mod);
	if (ret)
		log_warn("%s: cannot keep version %s for a rollback: %s", mod->name,
			 mod->cur ? mod->cur->m->version : "?", strerror(-ret));
	ret = store_executable(mod, v);
	if (ret)
		log_warn("%s: cannot copy the new executable into %s/" STORE_DIR ": %s; a restart would run %s from its path",
			 mod->name, D.cfg.state_dir, strerror(-ret), mod->cur->m->executable);
	snprintf(sig_to, sizeof(sig_to), "%s.sig", mod->manifest_path);
	if (v->sig)
		ret = write_file_atomic(sig_to, v->sig, v->sig_len, 0644);
	else
		ret = unlink(sig_to) < 0 && errno != ENOENT ? -errno : 0;
	if (!ret)
		ret = write_file_atomic(mod->manifest_path, v->manifest, v->manifest_len, 0644);
	if (ret)
		log_warn("%s: cannot install %s as %s: %s; a restart would not run the new version",
			 mod->name, mod->update_path, mod->manifest_path, strerror(-ret));
	if (!manifest_parse(mod->manifest_path, v->manifest, v->manifest_len, &m, &errs)) {
		manifest_free(mod->m);
		mod->m = m;
	}
	strv_free(errs);
}

static void commit(struct module *mod)
{
	struct instance *old = mod->cur, *next = mod->next;
	/* install_manifest() keeps the old files as the previous version */
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
	/* a rollback is not rolled back by itself: no ping-pong */
	mod->committed_ms = mod->rolling_back ? 0 : now_ms();
	AUDIT("update", "module", mod->name, "result", "committed", "from_version", old->m->version,
	      "to_version", next->m->version, "kind", mod->rolling_back ? "rollback" : "update");
	log_notice("%s: updated from version %s to %s", mod->name, old->m->version,
		   next->m->version);
	update_clear(mod);
	mod->rolling_back = false;
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

/*
 * A module that is not running: the previous files, verified first (a
 * revoked key or a changed executable is refused here, not at the start),
 * change places with the current ones.
 */
static int swap_previous(struct module *mod, const char *prev, const char *prev_sig,
			 char *to_version, size_t vcap, char *why, size_t cap)
{
	struct verify_src vs = { .path = prev, .exe_fd = -1, .expect_name = mod->name };
	char sig_cur[PATH_MAX], *pm = NULL, *ps = NULL, *cm = NULL, *cs = NULL;
	size_t pml = 0, psl = 0, cml = 0, csl = 0;
	char **errs = calloc(1, sizeof(char *));
	struct verified v = { .exec_fd = -1 };
	struct manifest *m;
	int ret;

	snprintf(sig_cur, sizeof(sig_cur), "%s.sig", mod->manifest_path);
	ret = read_file(prev, &pm, &pml, 256 * 1024);
	if (!ret)
		ret = read_maybe(prev_sig, &ps, &psl, SIG_MAX);
	if (!ret)
		ret = read_file(mod->manifest_path, &cm, &cml, 256 * 1024);
	if (!ret)
		ret = read_maybe(sig_cur, &cs, &csl, SIG_MAX);
	if (ret) {
		snprintf(why, cap, "cannot read the versions to swap: %s", strerror(-ret));
		goto out;
	}
	vs.manifest = pm;
	vs.manifest_len = pml;
	vs.sig = ps;
	vs.sig_len = psl;
	ret = verify_module_src(&D.cfg, &D.keys, &D.kver, &vs, &v, why, cap);
	if (ret)
		goto out;
	snprintf(to_version, vcap, "%s", v.m->version);
	/* current -> previous, then previous -> modules.d (signatures first) */
	ret = put_maybe(prev_sig, cs, csl);
	if (!ret)
		ret = write_file_atomic(prev, cm, cml, 0644);
	if (!ret)
		ret = put_maybe(sig_cur, ps, psl);
	if (!ret)
		ret = write_file_atomic(mod->manifest_path, pm, pml, 0644);
	if (ret) {
		snprintf(why, cap, "cannot install the previous version as %s: %s",
			 mod->manifest_path, strerror(-ret));
		goto out;
	}
	if (!manifest_parse(mod->manifest_path, pm, pml, &m, &errs)) {
		manifest_free(mod->m);
		mod->m = m;
	}
out:
	verified_free(&v);
	strv_free(errs);
	free(pm);
	free(ps);
	free(cm);
	free(cs);
	return ret;
}

static int rollback_refused(struct module *mod, const char *path, int ret, const char *why,
			    bool automatic)
{
	AUDIT("update", "module", mod->name, "result", "refused", "manifest", path, "reason", why,
	      "kind", automatic ? "automatic rollback" : "rollback");
	log_err("%s: rollback to %s refused: %s", mod->name, path, why);
	return ret;
}

/* logosctl rollback: back to the version before the last commit. */
int update_rollback(struct module *mod, char *why, size_t cap)
{
	char prev[PATH_MAX], prev_sig[PATH_MAX], from[64], to[64];
	struct update_src src = { .manifest_fd = -1, .sig_fd = -1, .exe_fd = -1 };
	struct instance *in = mod->cur;
	int ret;

	if (previous_path(mod, false, prev, sizeof(prev)) ||
	    previous_path(mod, true, prev_sig, sizeof(prev_sig)))
		return -ENAMETOOLONG;
	if (access(prev, F_OK)) {
		snprintf(why, cap, "no earlier version of %s is kept: it has not been updated here",
			 mod->name);
		return -ENODATA;
	}
	if (mod->update_path || mod->next || mod->old) {
		snprintf(why, cap, "%s is being updated", mod->name);
		return -EBUSY;
	}
	if (mod->state == M_RUNNING && in && in->ready && !in->stopping && !in->call_kind) {
		/* an update to the previous bytes: verified, state handed over */
		src.path = strdup(prev);
		src.manifest_fd = open(prev, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		src.sig_fd = open(prev_sig, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (!src.path || src.manifest_fd < 0) {
			ret = src.path ? -errno : -ENOMEM;
			update_src_close(&src);
			snprintf(why, cap, "cannot open %s: %s", prev, strerror(-ret));
			return ret;
		}
		mod->rolling_back = true;
		ret = update_begin_src(mod, &src, true, why, cap);
		if (ret)
			mod->rolling_back = false;
		return ret;
	}
	if (mod->state != M_STOPPED && mod->state != M_FAILED && mod->state != M_BACKOFF) {
		snprintf(why, cap, "%s is %s: roll back once it is running, stopped or failed",
			 mod->name, mod_state_name(mod->state));
		return -EBUSY;
	}
	snprintf(from, sizeof(from), "%s", mod->m->version);
	ret = swap_previous(mod, prev, prev_sig, to, sizeof(to), why, cap);
	if (ret)
		return rollback_refused(mod, prev, ret, why, false);
	mod->committed_ms = 0;
	AUDIT("update", "module", mod->name, "result", "committed", "from_version", from,
	      "to_version", to, "kind", "rollback");
	log_notice("%s: rolled back from version %s to %s", mod->name, from, to);
	if (mod->state == M_STOPPED)
		return 0;
	return sup_start(mod, "rollback", why, cap);
}

/*
 * supervisor.c, on a crash loop: within RollbackWindow of an update's
 * commit, the previous version is swapped in (0: restart it now), once.
 */
int update_rollback_crashed(struct module *mod, const char *crash, char *why, size_t cap)
{
	char prev[PATH_MAX], prev_sig[PATH_MAX], from[64], to[64];
	uint64_t now = now_ms();
	int ret;

	if (!D.cfg.rollback_window_ms || !mod->committed_ms ||
	    now - mod->committed_ms > D.cfg.rollback_window_ms)
		return -EAGAIN;
	mod->committed_ms = 0;
	if (previous_path(mod, false, prev, sizeof(prev)) ||
	    previous_path(mod, true, prev_sig, sizeof(prev_sig)) || access(prev, F_OK))
		return -ENODATA;
	snprintf(from, sizeof(from), "%s", mod->m->version);
	ret = swap_previous(mod, prev, prev_sig, to, sizeof(to), why, cap);
	if (ret)
		return rollback_refused(mod, prev, ret, why, true);
	snprintf(why, cap, "crash loop after the update to %s (%s): rolled back to %s", from,
		 crash, to);
	AUDIT("update", "module", mod->name, "result", "rolled back", "from_version", from,
	      "to_version", to, "kind", "automatic rollback", "reason", crash);
	log_err("%s: %s", mod->name, why);
	return 0;
}
