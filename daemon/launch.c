// SPDX-License-Identifier: GPL-2.0
/*
 * Starting one instance of a module: verification, the kernel objects
 * (module, bootstrap channel), its cgroup, its seccomp filter, its state
 * directory and uid, then the sandboxed process (sandbox.c).
 */
#include "daemon.h"
#include "kernel.h"
#include "log.h"
#include "seccomp.h"
#include "util.h"
#include "verify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <logos/bootstrap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WATCH_KEY(serial, kind) ((uint64_t)(serial) << 8 | (kind))

/*
 * A state directory of another module owned by @uid: below trust core a
 * module may not take a uid that is another module's (it would own that
 * module's state and could signal its processes).
 */
static bool uid_of_other_module(uid_t uid, const char *own_state)
{
	struct stat st;
	struct dirent *e;
	bool found = false;
	DIR *d = opendir(D.cfg.state_dir);

	while (d && !found && (e = readdir(d))) {
		char p[PATH_MAX];

		if (e->d_name[0] == '.' || path_join(p, sizeof(p), D.cfg.state_dir, e->d_name) ||
		    !strcmp(p, own_state) || stat(p, &st))
			continue;
		found = S_ISDIR(st.st_mode) && st.st_uid == uid;
	}
	if (d)
		closedir(d);
	return found;
}

/* The uid a module runs as: User= (resolved and checked against the trust
 * policy by verify_module()), else the owner of its state directory if
 * that is in ModuleUsers, else the lowest uid of the range in use by no
 * other state directory. The state directory keeps the mapping. */
static int module_uid(const struct manifest *m, uint32_t trust, const char *state_dir,
		      uid_t *uid, gid_t *gid, char *why, size_t cap)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	uint32_t n = D.cfg.uid_max - D.cfg.uid_min + 1;
	uint8_t *used;

	if (m->user) {
		if (trust != LOGOS_TRUST_CORE && uid_of_other_module(m->uid, state_dir)) {
			snprintf(why, cap, "uid %u ([Module] User = %s) is another module's: only trust level core may share one",
				 m->uid, m->user);
			return -EPERM;
		}
		*uid = m->uid;
		*gid = m->gid;
		return 0;
	}
	if (!stat(state_dir, &st) && st.st_uid >= D.cfg.uid_min && st.st_uid <= D.cfg.uid_max) {
		*uid = *gid = st.st_uid;
		return 0;
	}
	used = calloc(n, 1);
	d = opendir(D.cfg.state_dir);
	while (used && d && (e = readdir(d))) {
		char p[PATH_MAX];

		if (e->d_name[0] == '.' || path_join(p, sizeof(p), D.cfg.state_dir, e->d_name) ||
		    stat(p, &st))
			continue;
		if (st.st_uid >= D.cfg.uid_min && st.st_uid <= D.cfg.uid_max)
			used[st.st_uid - D.cfg.uid_min] = 1;
	}
	if (d)
		closedir(d);
	for (uint32_t i = 0; used && i < n; i++) {
		if (!used[i]) {
			*uid = *gid = D.cfg.uid_min + i;
			free(used);
			return 0;
		}
	}
	free(used);
	snprintf(why, cap, "no free uid left in ModuleUsers %u-%u", D.cfg.uid_min, D.cfg.uid_max);
	return -ENOSPC;
}

static int push_env(char ***envp, const char *k, const char *v)
{
	char buf[PATH_MAX + 64];

	snprintf(buf, sizeof(buf), "%s=%s", k, v);
	return strv_push(envp, buf);
}

static char **module_env(const struct manifest *m, uint32_t boot, const char *state_dir)
{
	char **env = calloc(1, sizeof(char *)), v[64];

	push_env(&env, "PATH", "/usr/local/bin:/usr/bin:/bin");
	push_env(&env, "HOME", state_dir);
	push_env(&env, LOGOS_ENV_MODULE_FD, "3");
	snprintf(v, sizeof(v), "0x%x", boot);
	push_env(&env, LOGOS_ENV_BOOTSTRAP, v);
	push_env(&env, LOGOS_ENV_MODULE_NAME, m->name);
	push_env(&env, LOGOS_ENV_STATE_DIR, state_dir);
	if (m->watchdog_ms) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)m->watchdog_ms * 1000);
		push_env(&env, LOGOS_ENV_WATCHDOG_USEC, v);
	}
	for (char **e = m->env; e && *e; e++)
		strv_push(&env, *e);
	return env;
}

static int make_state_dir(const char *path, uid_t uid, gid_t gid, char *why, size_t cap)
{
	int ret = mkdir_p(path, 0700);

	if (!ret && (chown(path, uid, gid) < 0 || chmod(path, 0700) < 0))
		ret = -errno;
	if (ret)
		snprintf(why, cap, "cannot prepare the state directory %s: %s", path, strerror(-ret));
	return ret;
}

void instance_kill(struct instance *in)
{
	if (in->cgroup[0])
		cgroup_kill(in->cgroup);
	if (in->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, in->pidfd, SIGKILL, NULL, 0);
}

void instance_free(struct instance *in)
{
	if (!in)
		return;
	if (in->pidfd >= 0)
		close(in->pidfd);
	if (in->status_fd >= 0)
		close(in->status_fd);
	if (in->out_fd >= 0) {
		instance_output(in);
		close(in->out_fd);
	}
	net_release(in);
	k_close(D.kfd, in->boot);
	k_close(D.kfd, in->kmod);
	if (in->cgroup[0] && cgroup_remove(in->cgroup))
		strv_push(&D.cleanup_cgroups, in->cgroup);
	manifest_free(in->m);
	free(in);
}

void instance_output(struct instance *in)
{
	for (;;) {
		ssize_t n = read(in->out_fd, in->outbuf + in->outlen, sizeof(in->outbuf) - 1 - in->outlen);
		char *nl;

		if (n <= 0)
			break;
		in->outlen += n;
		in->outbuf[in->outlen] = 0;
		while ((nl = strchr(in->outbuf, '\n')) || in->outlen == sizeof(in->outbuf) - 1) {
			size_t len = nl ? (size_t)(nl - in->outbuf) : in->outlen;

			in->outbuf[len] = 0;
			log_info("[%s] %s", in->mod->name, in->outbuf);
			len += nl ? 1 : 0;
			memmove(in->outbuf, in->outbuf + len, in->outlen - len);
			in->outlen -= len;
			in->outbuf[in->outlen] = 0;
		}
	}
}

static int kernel_objects(struct instance *in, int *module_fd, uint32_t *given, char *why,
			  size_t cap)
{
	uint64_t kquota[LOGOS_RES_COUNT];
	uint32_t h1 = 0;
	int ret;

	/* the manifest's [Limits], then what an operator kept (quota.c) */
	memcpy(kquota, in->m->kquota, sizeof(kquota));
	quota_apply_kept(in->m->name, kquota);
	/* Mapped channels bypass the kernel on the data path: by trust level. */
	ret = k_module_create(D.kfd, in->m->name, in->trust,
			      D.cfg.trust[in->trust].mapped ? LOGOS_MODULE_ALLOW_MAPPED : 0,
			      kquota, &in->kmod, module_fd, &in->kid);
	if (ret) {
		snprintf(why, cap, "LOGOS_IOC_MODULE_CREATE: %s", strerror(-ret));
		return ret;
	}
	ret = k_channel_create(D.kfd, &in->boot, &h1);
	if (!ret)
		ret = k_give(D.kfd, in->kmod, h1, LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE |
			     LOGOS_RIGHT_TRANSFER, LOGOS_GIVE_MOVE, given);
	if (ret)
		k_close(D.kfd, h1);
	if (!ret)
		ret = k_set_state(D.kfd, in->kmod, LOGOS_STATE_INITIALIZING);
	if (!ret)
		ret = k_watch(D.kfd, in->boot, LOGOS_SIGNAL_READABLE | LOGOS_SIGNAL_PEER_CLOSED,
			      WATCH_KEY(in->serial, 1));
	if (!ret)
		ret = k_watch(D.kfd, in->kmod, LOGOS_SIGNAL_TERMINATED, WATCH_KEY(in->serial, 2));
	if (ret)
		snprintf(why, cap, "cannot set up the module's kernel objects: %s", strerror(-ret));
	return ret;
}

/* Which Landlock the module gets on this kernel: said once per start. */
static void log_landlock(const char *name, int abi, bool network)
{
	log_debug("%s: Landlock ABI %d: file system rules%s%s", name, abi,
		  abi >= 4 ? (network ? ", TCP bind and connect to any port ([Network] Allow)" :
			      ", no TCP bind or connect") :
		  "; no TCP rules (they need ABI 4, Linux 6.7)",
		  abi >= 6 ? ", signals and abstract UNIX sockets scoped to the module" :
		  "; no scoping of signals and abstract UNIX sockets (ABI 6, Linux 6.12)");
}

/*
 * waitid() of the process logosd started: with a pid namespace that is the
 * module's init, which said on its status pipe how the module ended (a
 * pid-ns init cannot die of the module's signal itself). Nothing said
 * (init was killed, by logosd's SIGKILL or the OOM killer): its own end.
 */
void instance_exit_status(struct instance *in, const siginfo_t *si)
{
	if (!sandbox_exit_status(in->status_fd, &in->exit_code, &in->exit_status)) {
		in->exit_code = si->si_code;
		in->exit_status = si->si_status;
	}
}

void audit_verify(const struct module *mod, const struct verified *v, int ret, const char *why)
{
	if (ret) {
		AUDIT("verify", "module", mod->name, "result", "refused", "reason", why);
		return;
	}
	AUDIT("verify", "module", mod->name, "result", "accepted", "version", v->m->version,
	      "trust", trust_name(v->trust), "key", v->signed_ ? v->key_id : "none (DevMode)",
	      "manifest_blake2b", v->manifest_hash, "binary_blake2b", v->binary_hash);
}

static int net_hook(void *arg, pid_t pid, char *why, size_t cap)
{
	return net_attach(arg, pid, why, cap);
}

int launch(struct module *mod, const char *manifest_path, bool candidate,
	   struct instance **out, char *why, size_t cap)
{
	struct verified v;
	int ret;

	ret = verify_module(&D.cfg, &D.keys, &D.kver, manifest_path, &v, why, cap);
	/*
	 * An update names any manifest file: one signed for another module
	 * would run that module's binary with this one's uid and state.
	 */
	if (!ret && strcmp(v.m->name, mod->name)) {
		snprintf(why, cap, "the manifest %s is module %s's, not %s's", manifest_path,
			 v.m->name, mod->name);
		verified_free(&v);
		ret = -EPERM;
	}
	audit_verify(mod, &v, ret, why);
	if (ret) {
		log_err("%s: refused to start: %s", mod->name, why);
		return ret;
	}
	log_info("%s: verified: %s", mod->name, why);
	ret = launch_verified(mod, &v, candidate, out, why, cap);
	verified_free(&v);
	return ret;
}

int launch_verified(struct module *mod, struct verified *vp, bool candidate,
		    struct instance **out, char *why, size_t cap)
{
	struct spawn_plan plan = { 0 };
	struct sock_fprog prog = { 0 };
	struct filter_opts fo = { 0 };
	struct verified v = *vp;	/* v.m moves into the instance; the rest stays @vp's */
	struct instance *in;
	char state_dir[PATH_MAX], leaf[64];
	int module_fd = -1, cgfd = -1, outp[2] = { -1, -1 }, ret;
	uint32_t given = 0;

	if (!v.m) {
		snprintf(why, cap, "nothing verified to start");
		return -EINVAL;
	}
	vp->m = NULL;
	why[0] = 0;
	in = calloc(1, sizeof(*in));
	if (!in) {
		manifest_free(v.m);
		return -ENOMEM;
	}
	in->serial = ++D.next_serial;
	in->mod = mod;
	in->m = v.m;
	v.m = NULL;
	/* from here v holds only @vp's fds and buffers, which it does not own */
	in->trust = v.trust;
	str_copy(in->key_id, sizeof(in->key_id), v.key_id);
	in->pidfd = in->out_fd = in->status_fd = -1;
	in->candidate = candidate;

	if (path_join(state_dir, sizeof(state_dir), D.cfg.state_dir, mod->name)) {
		ret = -ENAMETOOLONG;
		goto fail;
	}
	ret = module_uid(in->m, in->trust, state_dir, &plan.uid, &plan.gid, why, cap);
	if (!ret)
		ret = make_state_dir(state_dir, plan.uid, plan.gid, why, cap);
	if (!ret)
		ret = kernel_objects(in, &module_fd, &given, why, cap);
	if (ret)
		goto fail;
	snprintf(leaf, sizeof(leaf), "%s@%llu", mod->name, (unsigned long long)in->serial);
	cgfd = cgroup_create(&D.cg, leaf, in->cgroup, sizeof(in->cgroup));
	if (cgfd < 0) {
		ret = cgfd;
		snprintf(why, cap, "cannot create the cgroup %s: %s", in->cgroup, strerror(-ret));
		in->cgroup[0] = 0;
		goto fail;
	}
	ret = cgroup_apply(&D.cg, in->cgroup, in->m, why, cap);
	if (ret)
		goto fail;
	fo.network = in->m->network;
	fo.raw_sockets = in->m->raw_sockets;
	fo.priority = in->m->priority;
	fo.write_execute = in->m->write_execute;
	fo.terminal = in->m->terminal;
	fo.extra = in->m->syscalls;
	ret = filter_build(&fo, &prog, why, cap);
	if (ret)
		goto fail;
	if (pipe2(outp, O_CLOEXEC) < 0) {
		ret = -errno;
		goto fail;
	}
	fcntl(outp[0], F_SETFL, O_NONBLOCK);

	plan.name = mod->name;
	plan.exec_fd = v.exec_fd;
	plan.module_fd = module_fd;
	plan.out_fd = outp[1];
	plan.cgroup_fd = cgfd;
	plan.namespaces = in->m->namespaces;
	if (!D.feat.user_ns && (plan.namespaces & NS_USER)) {
		/*
		 * The kernel refuses logosd one (a chroot, or
		 * user.max_user_namespaces = 0): like Landlock, the user namespace
		 * is a layer the module goes without, said out loud. Its uid is
		 * still its own, not root, and it has no capability.
		 */
		log_warn("%s: started without a user namespace: the kernel refuses logosd one",
			 mod->name);
		plan.namespaces &= ~NS_USER;
	}
	plan.argv = calloc(1, sizeof(char *));
	strv_push(&plan.argv, mod->name);
	for (char **a = in->m->arguments; a && *a; a++)
		strv_push(&plan.argv, *a);
	plan.envp = module_env(in->m, given, state_dir);
	plan.root_dir = D.cfg.runtime_dir;
	snprintf(plan.tmp_opts, sizeof(plan.tmp_opts), "mode=1777,size=%llu",
		 (unsigned long long)in->m->tmp_size);
	plan.landlock = in->m->landlock && D.feat.landlock_abi > 0;
	plan.landlock_abi = D.feat.landlock_abi;
	plan.network = in->m->network;
	plan.shm = in->m->shared_memory;
	plan.terminal = in->m->terminal;
	if (plan.landlock)
		log_landlock(mod->name, plan.landlock_abi, plan.network);
	/* soft = hard: the module cannot raise them back (LIMIT_NONE: logosd's own) */
	if (in->m->nofile != LIMIT_NONE)
		plan.nofile.rlim_cur = plan.nofile.rlim_max = in->m->nofile;
	/* its init runs as its uid and in its cgroup: one of LimitNPROC and PidsMax */
	if (in->m->nproc != LIMIT_NONE)
		plan.nproc.rlim_cur = plan.nproc.rlim_max = in->m->nproc;
	plan.filter = &prog;
	if (in->m->raw_sockets)
		plan.keep_caps |= 1ULL << CAP_NET_RAW;
	if (in->m->priority)
		plan.keep_caps |= 1ULL << CAP_SYS_NICE;
	/*
	 * A capability held in a user namespace of its own is no use against
	 * the host's network namespace or scheduler (both belong to the initial
	 * user namespace): a module that keeps one gets no user namespace.
	 */
	if (plan.keep_caps && (plan.namespaces & NS_USER)) {
		plan.namespaces &= ~NS_USER;
		log_debug("%s: no user namespace: it keeps capabilities for the host's network or scheduler",
			  mod->name);
	}
	{
		char root[PATH_MAX];

		/* searchable: in a user namespace the child looks it up as the module */
		snprintf(root, sizeof(root), "%s/sandbox", D.cfg.runtime_dir);
		mkdir_p(root, 0755);
		chmod(root, 0755);
		plan.root_dir = strdup(root);
	}
	if (in->m->network) {
		plan.net_hook = net_hook;
		plan.net_arg = in;
		plan.resolv_conf = net_resolv_conf();
	}
	ret = sandbox_plan_binds(&plan, in->m->ro_paths, in->m->rw_paths, state_dir,
				 in->m->network, why, cap);
	if (!ret)
		ret = sandbox_spawn(&plan, &in->pid, &in->pidfd, &in->status_fd, why, cap);
	free((char *)plan.root_dir);
	sandbox_plan_free(&plan);
	strv_free(plan.argv);
	strv_free(plan.envp);
	if (ret)
		goto fail;
	close(outp[1]);
	outp[1] = -1;
	in->out_fd = outp[0];
	outp[0] = -1;
	ret = loop_watch(in->pidfd, FD_PIDFD, in->serial);
	if (!ret)
		ret = loop_watch(in->out_fd, FD_OUTPUT, in->serial);
	if (ret) {
		/* a module logosd cannot watch would be unsupervised */
		snprintf(why, cap, "cannot watch the new process: %s", strerror(-ret));
		instance_kill(in);
		waitpid(in->pid, NULL, 0);
		goto fail;
	}
	in->started_ms = now_ms();
	in->last_heartbeat_ms = in->started_ms;
	in->deadline_ms = in->started_ms + in->m->start_timeout_ms;
	if (mod->has_saved)
		boot_notify(in, LOGOS_BOOT_RESTORE_STATE, mod->saved, mod->saved_len, mod->saved_mem);
	log_notice("%s: started %s %s as pid %d (kernel module %u, uid %u)", mod->name,
		   candidate ? "the new version" : "version", in->m->version, (int)in->pid, in->kid,
		   (unsigned int)plan.uid);
	ret = 0;
	*out = in;
	goto out;
fail:
	if (!why[0])
		snprintf(why, cap, "%s", strerror(-ret));
	log_err("%s: cannot start: %s", mod->name, why);
	instance_free(in);
out:
	filter_free(&prog);
	if (module_fd >= 0)
		close(module_fd);
	if (cgfd >= 0)
		close(cgfd);
	if (outp[0] >= 0)
		close(outp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
	return ret;
}
