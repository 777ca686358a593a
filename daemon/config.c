// SPDX-License-Identifier: GPL-2.0
/*
 * logosd.conf: defaults, [Daemon], [Audit], [Trust.LEVEL] and [Access].
 * Manifests are in manifest.c, the INI driver in inifile.c.
 */
#include "config.h"
#include "inifile.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#define CONFIG_MAX_BYTES (256 * 1024)

const char *trust_name(uint32_t level)
{
	static const char *const names[] = { "untrusted", "user", "system", "core" };

	return level < ARRAY_SIZE(names) ? names[level] : "?";
}

int trust_parse(const char *s, uint32_t *level)
{
	for (uint32_t i = 0; i < __LOGOS_TRUST_MAX; i++) {
		if (is(s, trust_name(i))) {
			*level = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *restart_name(enum restart_policy p)
{
	return p == RESTART_NO ? "no" : p == RESTART_ALWAYS ? "always" : "on-failure";
}

static const struct {
	const char *name;
	unsigned int bit;
} ns_names[] = {
	{ "pid", NS_PID }, { "mount", NS_MOUNT }, { "ipc", NS_IPC },
	{ "uts", NS_UTS }, { "net", NS_NET }, { "user", NS_USER },
};

void namespaces_format(unsigned int ns, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (ns & ns_names[i].bit)
			n += snprintf(buf + n, n < cap ? cap - n : 0, "%s%s", n ? " " : "",
				      ns_names[i].name);
	if (!n)
		snprintf(buf, cap, "none");
}

/* ---- resource limits --------------------------------------------------- */

const char *const limit_names[NR_LIMITS] = {
	[LIM_MEMORY_MAX] = "MemoryMax", [LIM_MEMORY_HIGH] = "MemoryHigh",
	[LIM_MEMORY_SWAP_MAX] = "MemorySwapMax", [LIM_PIDS_MAX] = "PidsMax",
	[LIM_CPU_MAX] = "CPUMax", [LIM_CPU_WEIGHT] = "CPUWeight", [LIM_NOFILE] = "LimitNOFILE",
	[LIM_NPROC] = "LimitNPROC",
};

static bool limit_is_size(enum limit_id id)
{
	return id == LIM_MEMORY_MAX || id == LIM_MEMORY_HIGH || id == LIM_MEMORY_SWAP_MAX;
}

int limit_parse(enum limit_id id, const char *v, uint64_t *out)
{
	unsigned long long pct;
	uint64_t x;
	char c, extra;

	if (id != LIM_CPU_WEIGHT && (is(v, "max") || is(v, "infinity"))) {
		*out = LIMIT_NONE;
		return 0;
	}
	if (id == LIM_CPU_MAX) {
		if (sscanf(v, "%llu%c%c", &pct, &c, &extra) != 2 || c != '%' || !pct ||
		    pct > 100000)
			return -EINVAL;
		*out = pct * 1000;
		return 0;
	}
	if (limit_is_size(id) ? parse_size(v, &x) : parse_u64(v, &x))
		return -EINVAL;
	/* the launcher itself needs a few descriptors after the limit is set */
	if ((!x && id != LIM_MEMORY_SWAP_MAX) || x >= LIMIT_UNSET ||
	    (id == LIM_CPU_WEIGHT && x > 10000) || (id == LIM_NOFILE && x < 64))
		return -EINVAL;
	*out = x;
	return 0;
}

void limit_format(enum limit_id id, uint64_t v, char *buf, size_t cap)
{
	if (v == LIMIT_NONE)
		snprintf(buf, cap, "max");
	else if (id == LIM_CPU_MAX)
		snprintf(buf, cap, "%llu%%", (unsigned long long)(v + 999) / 1000);
	else if (limit_is_size(id) && v && !(v & ((1ULL << 20) - 1)))
		snprintf(buf, cap, "%lluM", (unsigned long long)(v >> 20));
	else
		snprintf(buf, cap, "%llu", (unsigned long long)v);
}

/* ---- logosd.conf ------------------------------------------------------ */

static void daemon_defaults(struct daemon_config *c, const char *config_dir)
{
	char path[PATH_MAX];

	memset(c, 0, sizeof(*c));
	c->config_dir = strdup(config_dir);
	c->log_level = 6;
	c->state_dir = strdup("/var/lib/logos");
	c->runtime_dir = strdup("/run/logos");
	c->control_group = strdup("logos");
	c->control_read_group = strdup("");
	c->control_timeout_ms = 30000;
	c->cgroup_root = strdup("auto");
	c->uid_min = 61000;
	c->uid_max = 61999;
	c->shutdown_timeout_ms = 30000;
	c->rollback_window_ms = 600000;
	c->watchdog_tick_ms = 250;
	c->audit_path = strdup("/var/log/logos/audit.log");
	snprintf(path, sizeof(path), "%s/audit.key", config_dir);
	c->audit_key = strdup(path);
	c->audit_max_size = 8 << 20;
	c->audit_keep = 8;
	c->audit_checkpoint_every = 64;
	c->audit_checkpoint_ms = 300000;
	c->audit_mod_rate = 5;
	c->audit_mod_burst = 50;
	c->net.bridge = strdup("logos0");
	c->net.pool4 = 0x0ac90000;	/* 10.201.0.0/16 */
	c->net.pool4_len = 16;
	c->net.uplink = strdup("");
	c->net.nat = true;
	c->net.mtu = 1500;
	c->net.dns = calloc(1, sizeof(char *));
	c->net.host_allow = calloc(1, sizeof(char *));
	c->trust[LOGOS_TRUST_SYSTEM] = (struct trust_policy){
		.network = true, .priority = true, .extra_syscalls = true, .mapped = true,
		.write_execute = true,
	};
	c->trust[LOGOS_TRUST_CORE] = (struct trust_policy){
		.network = true, .raw_sockets = true, .priority = true, .extra_syscalls = true,
		.rw_paths = true, .host_namespaces = true, .mapped = true, .ro_paths = true,
		.other_users = true, .write_execute = true,
	};
	/*
	 * Every level below core gets limits by default (a manifest may ask
	 * for less, or for more up to the ceiling), so that a module nobody
	 * thought about cannot fork-bomb the host, run it out of memory or
	 * file descriptors, or take every CPU.
	 */
	for (uint32_t t = 0; t < __LOGOS_TRUST_MAX; t++) {
		static const uint64_t M = 1ULL << 20, N = LIMIT_NONE;
		/* untrusted, user, system: default and ceiling */
		static const uint64_t lim[NR_LIMITS][3][2] = {
			[LIM_MEMORY_MAX] = { { 128 * M, 256 * M }, { 512 * M, 2048 * M },
					     { 1024 * M, 8192 * M } },
			[LIM_MEMORY_HIGH] = { { N, N }, { N, N }, { N, N } },
			[LIM_MEMORY_SWAP_MAX] = { { 0, 0 }, { 0, 0 }, { 0, N } },
			[LIM_PIDS_MAX] = { { 64, 128 }, { 256, 1024 }, { 1024, 4096 } },
			[LIM_CPU_MAX] = { { 50000, 100000 }, { 100000, 200000 }, { N, N } },
			[LIM_CPU_WEIGHT] = { { 100, 100 }, { 100, 100 }, { 100, 1000 } },
			[LIM_NOFILE] = { { 256, 1024 }, { 1024, 4096 }, { 4096, 65536 } },
			[LIM_NPROC] = { { 64, 128 }, { 256, 1024 }, { 1024, 4096 } },
		};

		for (int l = 0; l < NR_LIMITS; l++) {
			if (t == LOGOS_TRUST_CORE) {
				c->trust[t].def[l] = c->trust[t].max[l] = N;
				continue;
			}
			c->trust[t].def[l] = lim[l][t][0];
			c->trust[t].max[l] = lim[l][t][1];
		}
		/* swap stays off unless asked for; weight is not a limit */
		c->trust[t].def[LIM_MEMORY_SWAP_MAX] = 0;
		c->trust[t].def[LIM_CPU_WEIGHT] = 100;
		if (t == LOGOS_TRUST_CORE)
			c->trust[t].max[LIM_CPU_WEIGHT] = 10000;
	}
}

int port_spec_parse(const char *s, bool *udp, uint16_t *port)
{
	unsigned int n;
	char extra;

	if (!strncasecmp(s, "tcp:", 4))
		*udp = false;
	else if (!strncasecmp(s, "udp:", 4))
		*udp = true;
	else
		return -EINVAL;
	if (sscanf(s + 4, "%5u%c", &n, &extra) != 1 || !n || n > 65535 || !isdigit(s[4]))
		return -EINVAL;
	*port = n;
	return 0;
}

static bool valid_ifname(const char *v)
{
	size_t n = strlen(v);

	if (n >= 16 || !strcmp(v, ".") || !strcmp(v, ".."))
		return false;
	for (const char *c = v; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
			return false;
	return true;
}

/* "10.201.0.0/16": the network (host bits must be 0), prefix 8 to 30. */
static int parse_pool4(const char *v, uint32_t *net, unsigned int *len)
{
	unsigned int a, b, c, d, l;
	char extra;

	if (sscanf(v, "%3u.%3u.%3u.%3u/%2u%c", &a, &b, &c, &d, &l, &extra) != 5 ||
	    a > 255 || b > 255 || c > 255 || d > 255 || l < 8 || l > 30)
		return -EINVAL;
	*net = a << 24 | b << 16 | c << 8 | d;
	if (*net & ((1U << (32 - l)) - 1))
		return -EINVAL;
	*len = l;
	return 0;
}

static void network_kv(struct parser *p, const char *s, const char *k, const char *v,
		       struct net_config *n)
{
	if (is(k, "Bridge")) {
		if (!valid_ifname(v) || !*v || !strncmp(v, "lgs", 3))
			perr(p, "Bridge: \"%s\" is not an interface name (1 to 15 of [A-Za-z0-9._-], not lgs*)", v);
		else
			set_str(p, s, k, v, &n->bridge);
	} else if (is(k, "IPv4Pool")) {
		if (once(p, s, k) && parse_pool4(v, &n->pool4, &n->pool4_len))
			perr(p, "IPv4Pool must be a network A.B.C.D/LEN with LEN 8 to 30, not \"%s\"", v);
	} else if (is(k, "Uplink")) {
		if (!valid_ifname(v))
			perr(p, "Uplink: \"%s\" is not an interface name", v);
		else
			set_str(p, s, k, v, &n->uplink);
	} else if (is(k, "NAT")) {
		set_bool(p, s, k, v, &n->nat);
	} else if (is(k, "MTU")) {
		set_uint(p, s, k, v, &n->mtu, 1280, 65535);
	} else if (is(k, "DNS")) {
		size_t before = strv_len(n->dns);
		struct in_addr a;

		append_words(p, k, v, &n->dns);
		for (char **d = n->dns + before; *d; d++)
			if (inet_pton(AF_INET, *d, &a) != 1)
				perr(p, "DNS: \"%s\" is not an IPv4 address", *d);
	} else if (is(k, "HostAllow")) {
		size_t before = strv_len(n->host_allow);
		uint16_t port;
		bool udp;

		append_words(p, k, v, &n->host_allow);
		for (char **d = n->host_allow + before; *d; d++)
			if (port_spec_parse(*d, &udp, &port))
				perr(p, "HostAllow: \"%s\" is not tcp:PORT or udp:PORT", *d);
	} else {
		perr(p, "unknown key %s in [%s]", k, s);
	}
}

/* [Trust.LEVEL] NAME (the ceiling) or DefaultNAME (the default) of a limit. */
static void trust_limit_kv(struct parser *p, const char *s, const char *k, const char *v,
			   struct trust_policy *t)
{
	bool def = !strncasecmp(k, "Default", 7);

	for (int l = 0; l < NR_LIMITS; l++) {
		if (!is(def ? k + 7 : k, limit_names[l]))
			continue;
		if (once(p, s, k) && limit_parse(l, v, def ? &t->def[l] : &t->max[l]))
			perr(p, "%s: \"%s\" is not a %s", k, v,
			     l == LIM_CPU_MAX ? "percentage of one CPU (\"50%\") or \"max\"" :
			     l == LIM_CPU_WEIGHT ? "weight from 1 to 10000" :
			     l == LIM_MEMORY_SWAP_MAX ? "size (0 allowed) or \"max\"" :
			     limit_is_size(l) ? "size such as 64M, or \"max\"" :
			     "positive number or \"max\"");
		return;
	}
	perr(p, "unknown key %s in [%s]", k, s);
}

static void daemon_kv(struct parser *p, const char *s, const char *k, const char *v)
{
	struct daemon_config *c = p->target;

	if (is(s, "Daemon")) {
		if (is(k, "LogLevel")) {
			int l = log_level_parse(v);

			if (once(p, s, k) && l < 0)
				perr(p, "LogLevel must be error, warning, notice, info or debug, not \"%s\"", v);
			else if (l >= 0)
				c->log_level = l;
		} else if (is(k, "DevMode")) {
			set_bool(p, s, k, v, &c->dev_mode);
		} else if (is(k, "StateDirectory")) {
			set_str(p, s, k, v, &c->state_dir);
		} else if (is(k, "RuntimeDirectory")) {
			set_str(p, s, k, v, &c->runtime_dir);
		} else if (is(k, "ControlSocket")) {
			set_str(p, s, k, v, &c->control_socket);
		} else if (is(k, "ControlGroup")) {
			set_str(p, s, k, v, &c->control_group);
		} else if (is(k, "ControlReadGroup")) {
			set_str(p, s, k, v, &c->control_read_group);
		} else if (is(k, "ControlTimeout")) {
			set_duration(p, s, k, v, &c->control_timeout_ms);
			if (!c->control_timeout_ms)
				perr(p, "ControlTimeout must be more than 0");
		} else if (is(k, "CgroupRoot")) {
			set_str(p, s, k, v, &c->cgroup_root);
		} else if (is(k, "ModuleUsers")) {
			unsigned int a, b;
			char extra;

			if (!once(p, s, k))
				return;
			if (sscanf(v, "%u-%u%c", &a, &b, &extra) != 2 || a == 0 || a > b)
				perr(p, "ModuleUsers must be a uid range such as 61000-61999, not \"%s\"", v);
			else
				c->uid_min = a, c->uid_max = b;
		} else if (is(k, "DefaultAccess")) {
			if (!once(p, s, k))
				return;
			if (is(v, "allow") || is(v, "deny"))
				c->default_allow = is(v, "allow");
			else
				perr(p, "DefaultAccess must be allow or deny, not \"%s\"", v);
		} else if (is(k, "ShutdownTimeout")) {
			set_duration(p, s, k, v, &c->shutdown_timeout_ms);
		} else if (is(k, "RollbackWindow")) {
			set_duration(p, s, k, v, &c->rollback_window_ms);
		} else {
			perr(p, "unknown key %s in [%s]", k, s);
		}
	} else if (is(s, "Audit")) {
		if (is(k, "Path")) {
			set_str(p, s, k, v, &c->audit_path);
		} else if (is(k, "Key")) {
			set_str(p, s, k, v, &c->audit_key);
		} else if (is(k, "MaxSize")) {
			if (once(p, s, k) && (parse_size(v, &c->audit_max_size) ||
					      c->audit_max_size < 4096))
				perr(p, "MaxSize must be a size of at least 4K, not \"%s\"", v);
		} else if (is(k, "Keep")) {
			set_uint(p, s, k, v, &c->audit_keep, 1, 1000);
		} else if (is(k, "CheckpointEvery")) {
			set_uint(p, s, k, v, &c->audit_checkpoint_every, 1, 1000000);
		} else if (is(k, "CheckpointInterval")) {
			set_duration(p, s, k, v, &c->audit_checkpoint_ms);
		} else if (is(k, "ModuleRate")) {
			set_uint(p, s, k, v, &c->audit_mod_rate, 0, 100000);
		} else if (is(k, "ModuleBurst")) {
			set_uint(p, s, k, v, &c->audit_mod_burst, 1, 1000000);
		} else {
			perr(p, "unknown key %s in [%s]", k, s);
		}
	} else if (!strncasecmp(s, "Trust.", 6)) {
		uint32_t level;
		struct trust_policy *t;

		if (trust_parse(s + 6, &level)) {
			perr(p, "unknown trust level in [%s]: use untrusted, user, system or core", s);
			return;
		}
		t = &c->trust[level];
		if (is(k, "AllowNetwork"))
			set_bool(p, s, k, v, &t->network);
		else if (is(k, "AllowRawSockets"))
			set_bool(p, s, k, v, &t->raw_sockets);
		else if (is(k, "AllowPriority"))
			set_bool(p, s, k, v, &t->priority);
		else if (is(k, "AllowExtraSyscalls"))
			set_bool(p, s, k, v, &t->extra_syscalls);
		else if (is(k, "AllowReadWritePaths"))
			set_bool(p, s, k, v, &t->rw_paths);
		else if (is(k, "AllowHostNamespaces"))
			set_bool(p, s, k, v, &t->host_namespaces);
		else if (is(k, "AllowMappedChannels"))
			set_bool(p, s, k, v, &t->mapped);
		else if (is(k, "AllowReadOnlyPaths"))
			set_bool(p, s, k, v, &t->ro_paths);
		else if (is(k, "AllowOtherUsers"))
			set_bool(p, s, k, v, &t->other_users);
		else if (is(k, "AllowWriteExecute"))
			set_bool(p, s, k, v, &t->write_execute);
		else
			trust_limit_kv(p, s, k, v, t);
	} else if (is(s, "Network")) {
		network_kv(p, s, k, v, &c->net);
	} else if (is(s, "Access")) {
		struct access_rule *r = NULL, *na;

		if (!valid_service_name(k)) {
			perr(p, "\"%s\" is not a service name ([A-Za-z0-9._-], 1 to 63 characters)", k);
			return;
		}
		for (size_t i = 0; i < c->nr_access; i++)
			if (!strcmp(c->access[i].service, k))
				r = &c->access[i];
		if (!r) {
			na = realloc(c->access, (c->nr_access + 1) * sizeof(*na));
			if (!na)
				return;
			c->access = na;
			r = &c->access[c->nr_access++];
			memset(r, 0, sizeof(*r));
			str_copy(r->service, sizeof(r->service), k);
			r->clients = calloc(1, sizeof(char *));
		}
		append_words(p, k, v, &r->clients);
	} else {
		perr(p, "unknown section [%s]", s);
	}
}

int daemon_config_parse(const char *config_dir, const char *file, const char *data,
			size_t len, struct daemon_config *cfg, char ***errors)
{
	struct parser p = {
		.file = file, .data = data, .len = len, .errors = errors,
		.handle = daemon_kv, .target = cfg,
	};
	char path[PATH_MAX];
	int ret;

	daemon_defaults(cfg, config_dir);
	ret = run_parser(&p);
	/* a default above its ceiling would refuse every manifest that leaves it out */
	for (uint32_t t = 0; t < __LOGOS_TRUST_MAX; t++) {
		for (int l = 0; l < NR_LIMITS; l++) {
			uint64_t d = cfg->trust[t].def[l], m = cfg->trust[t].max[l];

			if (m != LIMIT_NONE && (d == LIMIT_NONE || d > m)) {
				char a[32], b[32];

				limit_format(l, d, a, sizeof(a));
				limit_format(l, m, b, sizeof(b));
				config_error(errors, file, 0, "[Trust.%s] Default%s = %s is above %s = %s",
					     trust_name(t), limit_names[l], a, limit_names[l], b);
				ret = -EINVAL;
			}
		}
	}
	if (!cfg->control_socket) {
		snprintf(path, sizeof(path), "%s/control", cfg->runtime_dir);
		cfg->control_socket = strdup(path);
	}
	return ret;
}

int daemon_config_load(const char *config_dir, struct daemon_config *cfg, char ***errors)
{
	char path[PATH_MAX], *data = NULL;
	size_t len = 0;
	int ret;

	snprintf(path, sizeof(path), "%s/logosd.conf", config_dir);
	ret = read_file(path, &data, &len, CONFIG_MAX_BYTES);
	if (ret == -ENOENT) {
		data = strdup("");
	} else if (ret) {
		config_error(errors, path, 0, "cannot read: %s", strerror(-ret));
		daemon_defaults(cfg, config_dir);
		return ret;
	}
	ret = daemon_config_parse(config_dir, path, data, len, cfg, errors);
	free(data);
	return ret;
}

void daemon_config_free(struct daemon_config *c)
{
	free(c->config_dir);
	free(c->state_dir);
	free(c->runtime_dir);
	free(c->control_socket);
	free(c->control_group);
	free(c->control_read_group);
	free(c->cgroup_root);
	free(c->audit_path);
	free(c->audit_key);
	free(c->net.bridge);
	free(c->net.uplink);
	strv_free(c->net.dns);
	strv_free(c->net.host_allow);
	for (size_t i = 0; i < c->nr_access; i++)
		strv_free(c->access[i].clients);
	free(c->access);
	memset(c, 0, sizeof(*c));
}

bool access_allowed(const struct daemon_config *cfg, const char *service, const char *module)
{
	for (size_t i = 0; i < cfg->nr_access; i++) {
		if (strcmp(cfg->access[i].service, service))
			continue;
		for (char **c = cfg->access[i].clients; c && *c; c++)
			if (!fnmatch(*c, module, 0))
				return true;
		return false;
	}
	return cfg->default_allow;
}
