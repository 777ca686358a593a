/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logosd's state: the configuration, the kernel connection, the modules
 * and their running instances. One thread owns all of it (the main loop in
 * main.c); only the blocking calls to modules run on helper threads
 * (bootstrap.c), which hand their results back through a pipe.
 */
#ifndef LOGOSD_DAEMON_H
#define LOGOSD_DAEMON_H

#include <limits.h>
#include <linux/logos.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "audit.h"
#include "backoff.h"
#include "cgroup.h"
#include "clientfs.h"
#include "config.h"
#include "net.h"
#include "sandbox.h"
#include "sign.h"
#include "verify.h"

/* What the operator sees for a module (logosctl status). */
enum mod_state {
	M_STOPPED,	/* not running, not wanted */
	M_WAITING,	/* wants to start: waiting for required services */
	M_STARTING,	/* process started, READY not yet received */
	M_RUNNING,
	M_PAUSING,	/* PAUSE sent, not yet frozen */
	M_PAUSED,
	M_STOPPING,	/* TERMINATE sent, waiting for the exit */
	M_BACKOFF,	/* crashed, restart scheduled */
	M_FAILED,	/* refused, crash loop, or gave up */
};

/* Why an instance is being stopped. */
enum stop_reason {
	STOP_NONE,
	STOP_ADMIN,	/* stop: stays stopped */
	STOP_RESTART,	/* restart: start again at once, with its saved state */
	STOP_UPDATE,	/* replaced by a new version */
	STOP_ROLLBACK,	/* the new version of an update failed */
	STOP_SHUTDOWN,	/* logosd is exiting */
	STOP_WATCHDOG,	/* missed heartbeats: a failure */
	STOP_TIMEOUT,	/* READY never came: a failure */
};

struct module;

struct instance {
	uint64_t serial;	/* unique for logosd's lifetime */
	struct module *mod;
	struct manifest *m;	/* the verified manifest it runs with */
	char key_id[KEY_ID_LEN + 1];
	uint32_t trust;
	pid_t pid;
	int pidfd;		/* of its init, with a pid namespace */
	int status_fd;		/* init's word on how the module ended, or -1 */
	int out_fd;		/* its stdout/stderr */
	struct net_lease net;	/* [Network] Allow = yes: its veth and address */
	char outbuf[512];
	size_t outlen;
	uint32_t kmod;		/* handle of the kernel module object */
	uint32_t kid;		/* its module id */
	uint32_t boot;		/* our end of the bootstrap channel */
	char cgroup[PATH_MAX];
	uint64_t started_ms, ready_ms, last_heartbeat_ms;
	uint64_t deadline_ms;	/* of the start, or of the stop */
	bool ready;
	bool candidate;		/* the new version in an update, not yet switched */
	enum stop_reason stopping;
	int call_kind;		/* the call in flight to it, 0: none */
	bool exited;
	uint64_t quota_seen[3];	/* oom kills, memory.max and pids.max events audited */
	uint64_t quota_next_ms;	/* next poll of its quota events (no inotify), 0: now */
	bool quota_watched;	/* its memory.events and pids.events are watched */
	int exit_code;		/* waitid si_code / si_status (the module's, not its init's) */
	int exit_status;
};

struct module {
	char name[LOGOS_NAME_MAX];
	char *manifest_path;
	struct manifest *m;	/* as last read (reload); the instance has its own */
	bool removed;		/* the manifest is gone; dropped once stopped */
	enum mod_state state;
	bool autostart_done;
	struct instance *cur;
	struct backoff_state bo;
	uint64_t restart_at_ms;
	unsigned int restarts;
	char last_error[256];
	/* state handed to the next instance (SAVE_STATE / RESTORE_STATE) */
	uint8_t *saved;
	size_t saved_len;
	uint32_t saved_mem;	/* a memory handle in our table, or 0 */
	bool has_saved;
	/* an update in progress */
	struct instance *next;	/* the new version, until it is switched in */
	struct instance *old;	/* the replaced version, until it has exited */
	uint64_t health_until_ms;
	char *update_path;	/* the new manifest, as the client named it */
	struct verified *update_v;	/* its bytes, verified once (update.c) */
	uint64_t update_deadline_ms;
	bool update_resume_old;
	bool rolling_back;	/* the update in progress is a rollback */
	uint64_t committed_ms;	/* when an update (not a rollback) last committed */
};

struct daemon {
	struct daemon_config cfg;
	struct keyring keys;
	int kfd;
	struct logos_version kver;
	struct cgroup_env cg;
	struct sandbox_features feat;
	struct audit audit;
	bool audit_ok;
	struct module **mods;
	size_t nr_mods;
	uint64_t next_serial;
	int call_pipe[2];
	int ctl_fd;
	bool shutting_down;
	uint64_t shutdown_deadline_ms;
	char **cleanup_cgroups;	/* cgroups to remove once empty */
};

extern struct daemon D;

/* Audit record with string members (NULL-terminated pairs). */
#define AUDIT(type, ...) do {						\
	if (D.audit_ok)							\
		audit_log(&D.audit, type, __VA_ARGS__, NULL);		\
} while (0)

/*
 * A record a module's behaviour causes (denials, quota hits): rate-limited
 * per module ([Audit] ModuleRate), counted when suppressed.
 */
#define AUDIT_MOD(module, type, ...) do {				\
	if (D.audit_ok)							\
		audit_log_module(&D.audit, module, type, __VA_ARGS__, NULL); \
} while (0)

const char *mod_state_name(enum mod_state s);

/* supervisor.c */
int sup_load(char ***errors);		/* (re)read logosd.conf's modules.d */
struct module *sup_find(const char *name);
struct instance *sup_instance(uint64_t serial);
int sup_start(struct module *mod, const char *who, char *why, size_t cap);
int sup_stop(struct module *mod, enum stop_reason reason, char *why, size_t cap);
int sup_pause(struct module *mod, char *why, size_t cap);
int sup_resume(struct module *mod, char *why, size_t cap);
int sup_restart(struct module *mod, char *why, size_t cap);
void sup_on_ready(struct instance *in);
void sup_on_exit(struct instance *in);
void sup_on_call_done(struct instance *in, int kind, int ret, const void *data, size_t len,
		      uint32_t mem);
void sup_tick(uint64_t now);
void sup_autostart(void);
void sup_shutdown(void);
bool sup_all_stopped(void);
void sup_set_state(struct module *mod, enum mod_state st, const char *why);
/* The next deadline of any timer, for poll(). */
uint64_t sup_next_deadline(void);
void sup_quota_event(void);

/* launch.c: a verified, sandboxed instance (or an error). */
int launch(struct module *mod, const char *manifest_path, bool candidate,
	   struct instance **out, char *why, size_t cap);
/* The same from what verify_module*() accepted: takes @v->m, borrows the rest. */
int launch_verified(struct module *mod, struct verified *v, bool candidate,
		    struct instance **out, char *why, size_t cap);
/* The "verify" audit record of an accepted (@ret 0) or refused module. */
void audit_verify(const struct module *mod, const struct verified *v, int ret, const char *why);
void instance_kill(struct instance *in);
/* Sets in->exit_code and exit_status from waitid()'s @si (or its init's word). */
void instance_exit_status(struct instance *in, const siginfo_t *si);
void instance_free(struct instance *in);
void instance_output(struct instance *in);

/* bootstrap.c */
int boot_setup(void);
void boot_drain(struct instance *in);
/* A call to the module on a helper thread; its end arrives in sup_on_call_done(). */
int boot_call(struct instance *in, uint16_t kind, uint32_t deadline_ms, int64_t timeout_ns);
void boot_calls_done(void);
int boot_notify(struct instance *in, uint16_t kind, const void *state, size_t len,
		uint32_t mem);
void boot_watch_ready(void);

/* registry.c */
int registry_register(struct instance *in, const char *name, uint32_t version,
		      const char *caps, char *why, size_t cap);
int registry_lookup(struct instance *client, const char *name, uint32_t min, uint32_t max,
		    uint32_t *endpoint, uint32_t *version, char *why, size_t cap);
/* The instance ended; @restarting: its module comes back (keep clients). */
void registry_instance_gone(struct instance *in, bool restarting);
/* The module will not come back (stopped, failed, removed). */
void registry_module_gone(const char *module);
/* Update: @next's services replace @old's, atomically for clients. */
void registry_switch(struct instance *old, struct instance *next);
void registry_peer_closed(uint64_t conn);
bool registry_provides_ready(const char *service, const struct vrange *r);
void registry_json(void *jw);

/* events.c: the kernel's netlink "events" group */
int events_open(void);
void events_read(void);
int events_fd(void);

/* main.c: the event loop. What a watched fd stands for: */
enum fd_kind { FD_SIGNAL, FD_KERNEL, FD_CALLS, FD_EVENTS, FD_CONTROL, FD_PIDFD, FD_OUTPUT,
	       FD_QUOTA };
/* Watch @fd for input; @serial: the instance it belongs to, 0 for logosd's own. */
int loop_watch(int fd, enum fd_kind kind, uint64_t serial);
void loop_unwatch(int fd);

/* control.c */
int control_open(char *why, size_t cap);
/* ControlGroup and ControlReadGroup (again, after a reload): gids, socket mode. */
void control_configure(void);
/* An epoll fd over the socket and its clients, for the main loop to watch. */
int control_fd(void);
void control_prepare(void);
uint64_t control_next_deadline(void);
void control_handle(void);
/* An audit record to every subscriber (audit.tap). */
void control_publish(const char *line, size_t len);

/* notify.c: sd_notify without libsystemd */
void notify_send(const char *msg);
uint64_t notify_watchdog_usec(void);

/* quota.c: operator limits through logosd, audited, optionally kept */
int quota_resource_parse(const char *s);
void quota_apply_kept(const char *module, uint64_t *kquota);
int quota_set(struct module *mod, const char *resource, const char *limit, bool persist,
	      unsigned int uid, char *why, size_t cap);

/* update.c */
int update_begin_src(struct module *mod, struct update_src *src, bool allow_downgrade,
		     char *why, size_t cap);
void update_on_saved(struct module *mod);
void update_on_ready(struct instance *in);
void update_on_exit(struct instance *in);
void update_tick(struct module *mod, uint64_t now);
int update_rollback(struct module *mod, char *why, size_t cap);
int update_rollback_crashed(struct module *mod, const char *crash, char *why, size_t cap);

#endif
