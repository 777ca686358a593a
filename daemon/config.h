/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Configuration: logosd.conf and the module manifests of modules.d/,
 * systemd-style INI read with libinih. Documented key by key in
 * Documentation/configuration.md.
 *
 * Errors are collected as "FILE:LINE: sentence" strings; a manifest with
 * any error is not loaded (its module is skipped), the others are
 * unaffected.
 */
#ifndef LOGOSD_CONFIG_H
#define LOGOSD_CONFIG_H

#include <linux/logos.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "version.h"

#define MAX_SERVICES	16
#define LIMIT_NONE	UINT64_MAX	/* cgroup "max" */
/* Not set by the manifest: verification fills in its trust level's default. */
#define LIMIT_UNSET	(UINT64_MAX - 1)

/*
 * Resource limits: a manifest's [Limits] key, and the same key in
 * [Trust.LEVEL] (the ceiling) and with "Default" in front (the default).
 * CPUMax is kept as microseconds of CPU per 100 ms here ("50%" = 50000).
 */
enum limit_id {
	LIM_MEMORY_MAX,		/* bytes: cgroup memory.max */
	LIM_MEMORY_HIGH,	/* bytes: memory.high (throttling) */
	LIM_MEMORY_SWAP_MAX,	/* bytes, 0 allowed: memory.swap.max */
	LIM_PIDS_MAX,		/* pids.max */
	LIM_CPU_MAX,		/* cpu.max quota per 100000 us */
	LIM_CPU_WEIGHT,		/* cpu.weight, 1 to 10000, never "max" */
	LIM_NOFILE,		/* RLIMIT_NOFILE (soft and hard), "max": logosd's */
	LIM_NPROC,		/* RLIMIT_NPROC of the module's uid */
	NR_LIMITS,
};

extern const char *const limit_names[NR_LIMITS];
/* A value of limit @id ("64M", "50%", "max", ...): 0 or -EINVAL. */
int limit_parse(enum limit_id id, const char *v, uint64_t *out);
/* The same back, for messages ("512M", "50%", "max"). */
void limit_format(enum limit_id id, uint64_t v, char *buf, size_t cap);

enum restart_policy {
	RESTART_NO,
	RESTART_ON_FAILURE,
	RESTART_ALWAYS,
};

/* Namespaces a module may get (Sandbox.Namespaces). */
#define NS_PID		0x01U
#define NS_MOUNT	0x02U
#define NS_IPC		0x04U
#define NS_UTS		0x08U
#define NS_NET		0x10U
#define NS_USER		0x20U
#define NS_ALL		0x3fU

/* [Network] Connect: where a networked module may open connections. */
enum net_connect {
	NET_CONNECT_UPLINK,	/* out through the uplink only (the default) */
	NET_CONNECT_ANY,	/* out through any host interface but the bridge */
	NET_CONNECT_NONE,	/* nowhere: Listen and Peers only */
};

#define NET_MAX_LISTEN	32
#define NET_MAX_PEERS	32

/* "tcp:8080" / "udp:53": 0 with the protocol and port, or -EINVAL. */
int port_spec_parse(const char *s, bool *udp, uint16_t *port);

/* logosd.conf [Network] */
struct net_config {
	char *bridge;		/* the node-local bridge, made if missing */
	uint32_t pool4;		/* IPv4Pool network, host byte order */
	unsigned int pool4_len;	/* its prefix length, 8 to 30 */
	char *uplink;		/* "" : none */
	bool nat;		/* masquerade what leaves through the uplink */
	unsigned int mtu;
	char **dns;		/* nameservers of the modules' resolv.conf */
	char **host_allow;	/* "tcp:53": ports of the host modules may reach */
};

#define SERVICE_NAME_MAX 64	/* with the NUL: LOGOS_SERVICE_NAME_MAX + 1 */

struct service_decl {
	char name[SERVICE_NAME_MAX];
	uint32_t version;
};

struct service_req {
	char name[SERVICE_NAME_MAX];
	struct vrange range;
	char text[64];		/* the range as written */
};

struct manifest {
	char *path;		/* where it was read from */
	char name[LOGOS_NAME_MAX];
	char *description;
	char *executable;
	char **arguments;	/* argv[1..] */
	char version[32];	/* the module's own version, free form */
	uint32_t trust;		/* enum logos_trust_level */
	char *user;		/* NULL: a uid from Daemon.ModuleUsers */
	uint32_t uid, gid;	/* User= resolved by verify_module() */
	uint32_t abi_major, abi_minor;
	bool autostart;

	struct service_decl provides[MAX_SERVICES];
	size_t nr_provides;
	struct service_req requires[MAX_SERVICES];
	size_t nr_requires;

	enum restart_policy restart;
	uint64_t backoff_start_ms, backoff_max_ms, reset_after_ms;
	unsigned int burst;
	uint64_t watchdog_ms;	/* 0: no watchdog */
	uint64_t start_timeout_ms, stop_timeout_ms, health_ms;

	/* each LIMIT_NONE, a value, or LIMIT_UNSET until verify_module() */
	uint64_t memory_max, memory_high, memory_swap_max;	/* bytes */
	uint64_t pids_max;
	uint64_t cpu_quota_us, cpu_period_us;	/* quota LIMIT_NONE: no limit */
	uint64_t cpu_weight;
	uint64_t nofile, nproc;		/* rlimits, soft = hard */
	uint64_t tmp_size;
	uint64_t kquota[LOGOS_RES_COUNT];	/* LOGOS_LIMIT_DEFAULT/_UNLIMITED/n */

	unsigned int namespaces;	/* NS_* */
	char **ro_paths, **rw_paths;
	bool landlock;
	bool write_execute;	/* W+X memory, PROT_EXEC changes, memfd_create */
	bool shared_memory;	/* a private /dev/shm */
	bool terminal;		/* /dev/pts of its own, /dev/ptmx, the pty ioctls */
	char **syscalls;	/* added to the default allow-list */

	bool network, raw_sockets, priority;
	enum net_connect connect;	/* [Network] Connect */
	char **listen;		/* [Network] Listen: "tcp:8080" */
	char **peers;		/* [Network] Peers: module names */
	char **env;		/* "KEY=value" */
};

struct trust_policy {
	bool network, raw_sockets, priority, extra_syscalls, rw_paths, host_namespaces;
	bool mapped;		/* LOGOS_MODULE_ALLOW_MAPPED: shared-memory channels */
	bool ro_paths;		/* [Sandbox] ReadOnlyPaths */
	bool other_users;	/* User= outside ModuleUsers (root needs host_namespaces too) */
	bool write_execute;	/* memory both writable and executable, memfd_create */
	uint64_t def[NR_LIMITS], max[NR_LIMITS];	/* default, ceiling (LIMIT_NONE: none) */
};

struct access_rule {
	char service[SERVICE_NAME_MAX];
	char **clients;		/* fnmatch(3) patterns of module names */
};

struct daemon_config {
	char *config_dir;
	int log_level;
	bool dev_mode;
	char *state_dir, *runtime_dir, *control_socket, *control_group;
	char *control_read_group;	/* "": no read-only role */
	uint64_t control_timeout_ms;	/* idle or undrained control clients are dropped */
	char *cgroup_root;	/* "auto" or a path in cgroupfs */
	uint32_t uid_min, uid_max;
	bool default_allow;	/* Access: services nobody listed */
	uint64_t shutdown_timeout_ms;
	uint64_t rollback_window_ms;	/* crash loop this soon after an update: roll back (0: never) */
	uint64_t watchdog_tick_ms;

	char *audit_path, *audit_key;
	uint64_t audit_max_size;
	unsigned int audit_keep, audit_checkpoint_every;
	unsigned int audit_mod_rate, audit_mod_burst;	/* records/s a module may cause, burst */
	uint64_t audit_checkpoint_ms;

	struct net_config net;
	struct trust_policy trust[__LOGOS_TRUST_MAX];
	struct access_rule *access;
	size_t nr_access;
};

/* Error list: a NULL-terminated vector of strings (util.h strv). */
void config_error(char ***errors, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Defaults of every field, then CONFIG_DIR/logosd.conf if it exists. */
int daemon_config_load(const char *config_dir, struct daemon_config *cfg, char ***errors);
void daemon_config_free(struct daemon_config *cfg);
/* Same for a string (unit tests); @file names it in errors. */
int daemon_config_parse(const char *config_dir, const char *file, const char *data,
			size_t len, struct daemon_config *cfg, char ***errors);

/*
 * A manifest from its bytes (@path names it and gives the default name).
 * 0 and *@out, or -EINVAL with the reasons added to @errors.
 */
int manifest_parse(const char *path, const char *data, size_t len, struct manifest **out,
		   char ***errors);
int manifest_load(const char *path, struct manifest **out, char ***errors);
void manifest_free(struct manifest *m);
/* The value of limit @id (CPUMax as quota per 100000 us), and setting it. */
uint64_t manifest_limit(const struct manifest *m, enum limit_id id);
void manifest_set_limit(struct manifest *m, enum limit_id id, uint64_t v);

/*
 * Every DIR/ *.module in name order. Bad ones are reported and skipped, as
 * are later duplicates of a name. *@list is an array of *@n manifests.
 */
int manifests_scan(const char *dir, struct manifest ***list, size_t *n, char ***errors);

const char *trust_name(uint32_t level);
int trust_parse(const char *s, uint32_t *level);
const char *restart_name(enum restart_policy p);
/* "pid mount net" for a NS_* mask. */
void namespaces_format(unsigned int ns, char *buf, size_t cap);

/* May @module call @service under @cfg's access policy? */
bool access_allowed(const struct daemon_config *cfg, const char *service, const char *module);

#endif
