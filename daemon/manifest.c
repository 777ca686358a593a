// SPDX-License-Identifier: GPL-2.0
/*
 * Module manifests (modules.d/NAME.module): parsing, checks that need no
 * other file, and the scan of the directory. Policy checks that depend on
 * the trust level and logosd.conf are made at verification (verify.c).
 */
#include "config.h"
#include "inifile.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MANIFEST_MAX_BYTES (256 * 1024)

static const char *const quota_keys[LOGOS_RES_COUNT] = {
	[LOGOS_RES_HANDLES] = "Handles",
	[LOGOS_RES_OBJECTS] = "Objects",
	[LOGOS_RES_EVENTS] = "Events",
	[LOGOS_RES_CHANNELS] = "Channels",
	[LOGOS_RES_MSGS_QUEUED] = "MessagesQueued",
	[LOGOS_RES_BYTES_QUEUED] = "BytesQueued",
	[LOGOS_RES_MEMORY_PAGES] = "MemoryPages",
	[LOGOS_RES_MAPPED_PAGES] = "MappedPages",
};

static void manifest_defaults(struct manifest *m)
{
	m->trust = LOGOS_TRUST_USER;
	m->abi_major = LOGOS_ABI_MAJOR;
	m->abi_minor = 0;
	m->autostart = true;
	m->restart = RESTART_ON_FAILURE;
	m->backoff_start_ms = 1000;
	m->backoff_max_ms = 60000;
	m->reset_after_ms = 60000;
	m->burst = 5;
	m->start_timeout_ms = 30000;
	m->stop_timeout_ms = 5000;
	m->health_ms = 5000;
	m->memory_max = m->memory_high = m->memory_swap_max = LIMIT_UNSET;
	m->pids_max = LIMIT_UNSET;
	m->cpu_quota_us = LIMIT_UNSET;
	m->cpu_weight = LIMIT_UNSET;
	m->nofile = m->nproc = LIMIT_UNSET;
	m->cpu_period_us = 100000;
	m->tmp_size = 16 << 20;
	m->namespaces = NS_ALL;
	m->landlock = true;
	m->arguments = calloc(1, sizeof(char *));
	m->ro_paths = calloc(1, sizeof(char *));
	m->rw_paths = calloc(1, sizeof(char *));
	m->syscalls = calloc(1, sizeof(char *));
	m->listen = calloc(1, sizeof(char *));
	m->peers = calloc(1, sizeof(char *));
	m->env = calloc(1, sizeof(char *));
}

static void parse_provides(struct parser *p, struct manifest *m, const char *v)
{
	char **w = strv_split(v);
	struct service_decl *d;

	if (!w || strv_len(w) != 2 || !valid_service_name(w[0])) {
		perr(p, "Provides must be \"NAME MAJOR.MINOR\", not \"%s\"", v);
		goto out;
	}
	if (m->nr_provides == MAX_SERVICES) {
		perr(p, "more than %d services in Provides", MAX_SERVICES);
		goto out;
	}
	for (size_t i = 0; i < m->nr_provides; i++) {
		if (!strcmp(m->provides[i].name, w[0])) {
			perr(p, "service %s is provided twice", w[0]);
			goto out;
		}
	}
	d = &m->provides[m->nr_provides];
	if (version_parse(w[1], &d->version)) {
		perr(p, "\"%s\" is not a service version (MAJOR.MINOR, each 0 to 65535)", w[1]);
		goto out;
	}
	str_copy(d->name, sizeof(d->name), w[0]);
	m->nr_provides++;
out:
	strv_free(w);
}

static void parse_requires(struct parser *p, struct manifest *m, const char *v)
{
	const char *sp = v + strcspn(v, " \t");
	struct service_req *r;
	char name[SERVICE_NAME_MAX];
	size_t n = sp - v;

	if (n == 0 || n >= sizeof(name)) {
		perr(p, "Requires must be \"NAME RANGE\", such as \"kv >=1.2 <2.0\"");
		return;
	}
	memcpy(name, v, n);
	name[n] = 0;
	while (*sp == ' ' || *sp == '\t')
		sp++;
	if (!valid_service_name(name)) {
		perr(p, "\"%s\" is not a service name ([A-Za-z0-9._-], 1 to 63 characters)", name);
		return;
	}
	if (m->nr_requires == MAX_SERVICES) {
		perr(p, "more than %d services in Requires", MAX_SERVICES);
		return;
	}
	r = &m->requires[m->nr_requires];
	if (vrange_parse(*sp ? sp : "*", &r->range)) {
		perr(p, "\"%s\" is not a version range (such as \"1.2\", \">=1.2 <2.0\", \"=1.0\" or \"*\")",
		     sp);
		return;
	}
	str_copy(r->name, sizeof(r->name), name);
	str_copy(r->text, sizeof(r->text), *sp ? sp : "*");
	m->nr_requires++;
}

static void parse_cpu(struct parser *p, struct manifest *m, const char *k, const char *v)
{
	unsigned long long a, b;
	char pct, extra;

	if (!once(p, "Limits", k))
		return;
	if (is(v, "max")) {
		m->cpu_quota_us = LIMIT_NONE;
	} else if (sscanf(v, "%llu%c%c", &a, &pct, &extra) == 2 && pct == '%' && a > 0 &&
		   a <= 100000) {
		m->cpu_period_us = 100000;
		m->cpu_quota_us = a * 1000;
	} else if (sscanf(v, "%llu %llu%c", &a, &b, &extra) == 2 && a >= 1000 &&
		   b >= 1000 && b <= 1000000) {
		m->cpu_quota_us = a;
		m->cpu_period_us = b;
	} else {
		perr(p, "CPUMax must be a percentage of one CPU (\"50%%\", \"200%%\"), \"QUOTA_US PERIOD_US\" or \"max\", not \"%s\"",
		     v);
	}
}

static void parse_other_limit(struct parser *p, struct manifest *m, const char *k,
			      const char *v)
{
	uint64_t x;

	if (!once(p, "Limits", k))
		return;
	for (int l = 0; l < NR_LIMITS; l++) {
		if (!is(k, limit_names[l]))
			continue;
		if (limit_parse(l, v, &x))
			perr(p, "%s must be %s, not \"%s\"", k,
			     l == LIM_CPU_WEIGHT ? "a weight from 1 to 10000" :
			     l == LIM_MEMORY_SWAP_MAX ? "a size (0 allowed) or \"max\"" :
			     l == LIM_MEMORY_HIGH ? "a size such as 64M or \"max\"" :
			     l == LIM_NOFILE ? "a number of at least 64 or \"max\"" :
			     "a positive number or \"max\"", v);
		else
			manifest_set_limit(m, l, x);
		return;
	}
}

uint64_t manifest_limit(const struct manifest *m, enum limit_id id)
{
	switch (id) {
	case LIM_MEMORY_MAX: return m->memory_max;
	case LIM_MEMORY_HIGH: return m->memory_high;
	case LIM_MEMORY_SWAP_MAX: return m->memory_swap_max;
	case LIM_PIDS_MAX: return m->pids_max;
	case LIM_CPU_MAX:
		if (m->cpu_quota_us == LIMIT_NONE || m->cpu_quota_us == LIMIT_UNSET)
			return m->cpu_quota_us;
		/* rounded up: 33334 us per 100 ms is more than a third */
		return (m->cpu_quota_us * 100000 + m->cpu_period_us - 1) / m->cpu_period_us;
	case LIM_CPU_WEIGHT: return m->cpu_weight;
	case LIM_NOFILE: return m->nofile;
	case LIM_NPROC: return m->nproc;
	case NR_LIMITS: break;
	}
	return LIMIT_NONE;
}

void manifest_set_limit(struct manifest *m, enum limit_id id, uint64_t v)
{
	switch (id) {
	case LIM_MEMORY_MAX: m->memory_max = v; break;
	case LIM_MEMORY_HIGH: m->memory_high = v; break;
	case LIM_MEMORY_SWAP_MAX: m->memory_swap_max = v; break;
	case LIM_PIDS_MAX: m->pids_max = v; break;
	case LIM_CPU_MAX:
		m->cpu_quota_us = v;
		m->cpu_period_us = 100000;
		break;
	case LIM_CPU_WEIGHT: m->cpu_weight = v; break;
	case LIM_NOFILE: m->nofile = v; break;
	case LIM_NPROC: m->nproc = v; break;
	case NR_LIMITS: break;
	}
}

static void parse_quota(struct parser *p, struct manifest *m, int res, const char *k,
			const char *v)
{
	uint64_t x;

	if (!once(p, "Limits", k))
		return;
	if (is(v, "max") || is(v, "unlimited"))
		m->kquota[res] = LOGOS_LIMIT_UNLIMITED;
	else if (is(v, "default"))
		m->kquota[res] = LOGOS_LIMIT_DEFAULT;
	else if (parse_u64(v, &x) || x == 0 || x == LOGOS_LIMIT_UNLIMITED)
		perr(p, "%s must be a positive number, \"default\" or \"max\", not \"%s\"", k, v);
	else
		m->kquota[res] = x;
}

static void parse_namespaces(struct parser *p, struct manifest *m, const char *k,
			     const char *v)
{
	char **w;

	if (!once(p, "Sandbox", k))
		return;
	m->namespaces = 0;
	if (is(v, "none"))
		return;
	w = strv_split(v);
	for (size_t i = 0; w && w[i]; i++) {
		size_t j;

		for (j = 0; j < sizeof(m->namespaces) * 8; j++) {
			char name[16];

			namespaces_format(1U << j, name, sizeof(name));
			if (!strcmp(name, w[i]))
				break;
		}
		if (j >= 6)
			perr(p, "unknown namespace \"%s\": use pid, mount, ipc, uts, net, user or none",
			     w[i]);
		else
			m->namespaces |= 1U << j;
	}
	strv_free(w);
}

static void set_connect(struct parser *p, const char *s, const char *k, const char *v,
			struct manifest *m)
{
	if (!once(p, s, k))
		return;
	if (is(v, "uplink"))
		m->connect = NET_CONNECT_UPLINK;
	else if (is(v, "any"))
		m->connect = NET_CONNECT_ANY;
	else if (is(v, "none"))
		m->connect = NET_CONNECT_NONE;
	else
		perr(p, "Connect must be uplink, any or none, not \"%s\"", v);
}

static void manifest_kv(struct parser *p, const char *s, const char *k, const char *v)
{
	struct manifest *m = p->target;

	if (is(s, "Module")) {
		if (is(k, "Name")) {
			if (!once(p, s, k))
				return;
			if (!valid_name(v))
				perr(p, "\"%s\" is not a module name ([A-Za-z0-9._-], 1 to 31 characters)", v);
			else
				str_copy(m->name, sizeof(m->name), v);
		} else if (is(k, "Description")) {
			set_str(p, s, k, v, &m->description);
		} else if (is(k, "Executable")) {
			set_str(p, s, k, v, &m->executable);
			if (m->executable && m->executable[0] != '/')
				perr(p, "Executable must be an absolute path, not \"%s\"", v);
		} else if (is(k, "Arguments")) {
			append_words(p, k, v, &m->arguments);
		} else if (is(k, "Version")) {
			if (!once(p, s, k))
				return;
			if (!*v || strlen(v) >= sizeof(m->version) || strchr(v, ' '))
				perr(p, "Version must be one word of at most %zu characters",
				     sizeof(m->version) - 1);
			else
				str_copy(m->version, sizeof(m->version), v);
		} else if (is(k, "Trust")) {
			if (once(p, s, k) && trust_parse(v, &m->trust))
				perr(p, "Trust must be untrusted, user, system or core, not \"%s\"", v);
		} else if (is(k, "User")) {
			set_str(p, s, k, v, &m->user);
		} else if (is(k, "AbiVersion")) {
			uint32_t ver;

			if (!once(p, s, k))
				return;
			if (version_parse(v, &ver))
				perr(p, "AbiVersion must be MAJOR.MINOR of logos.h, not \"%s\"", v);
			else
				m->abi_major = ver >> 16, m->abi_minor = ver & 0xffff;
		} else if (is(k, "Autostart")) {
			set_bool(p, s, k, v, &m->autostart);
		} else {
			perr(p, "unknown key %s in [%s]", k, s);
		}
	} else if (is(s, "Services")) {
		if (is(k, "Provides"))
			parse_provides(p, m, v);
		else if (is(k, "Requires"))
			parse_requires(p, m, v);
		else
			perr(p, "unknown key %s in [%s]", k, s);
	} else if (is(s, "Restart")) {
		if (is(k, "Policy")) {
			if (!once(p, s, k))
				return;
			if (is(v, "no"))
				m->restart = RESTART_NO;
			else if (is(v, "on-failure"))
				m->restart = RESTART_ON_FAILURE;
			else if (is(v, "always"))
				m->restart = RESTART_ALWAYS;
			else
				perr(p, "Policy must be no, on-failure or always, not \"%s\"", v);
		} else if (is(k, "BackoffStart")) {
			set_duration(p, s, k, v, &m->backoff_start_ms);
		} else if (is(k, "BackoffMax")) {
			set_duration(p, s, k, v, &m->backoff_max_ms);
		} else if (is(k, "ResetAfter")) {
			set_duration(p, s, k, v, &m->reset_after_ms);
		} else if (is(k, "Burst")) {
			set_uint(p, s, k, v, &m->burst, 0, 1000);
		} else if (is(k, "Watchdog")) {
			set_duration(p, s, k, v, &m->watchdog_ms);
		} else if (is(k, "StartTimeout")) {
			set_duration(p, s, k, v, &m->start_timeout_ms);
		} else if (is(k, "StopTimeout")) {
			set_duration(p, s, k, v, &m->stop_timeout_ms);
		} else if (is(k, "HealthCheck")) {
			set_duration(p, s, k, v, &m->health_ms);
		} else {
			perr(p, "unknown key %s in [%s]", k, s);
		}
	} else if (is(s, "Limits")) {
		if (is(k, "MemoryMax")) {
			set_limit(p, s, k, v, &m->memory_max, true);
		} else if (is(k, "PidsMax")) {
			set_limit(p, s, k, v, &m->pids_max, false);
		} else if (is(k, "MemoryHigh") || is(k, "MemorySwapMax") || is(k, "CPUWeight") ||
			   is(k, "LimitNOFILE") || is(k, "LimitNPROC")) {
			parse_other_limit(p, m, k, v);
		} else if (is(k, "CPUMax")) {
			parse_cpu(p, m, k, v);
		} else if (is(k, "TmpSize")) {
			if (once(p, s, k) && (parse_size(v, &m->tmp_size) || m->tmp_size < 4096))
				perr(p, "TmpSize must be a size of at least 4K, not \"%s\"", v);
		} else {
			for (int r = 0; r < LOGOS_RES_COUNT; r++) {
				if (quota_keys[r] && is(k, quota_keys[r])) {
					parse_quota(p, m, r, k, v);
					return;
				}
			}
			perr(p, "unknown key %s in [%s]", k, s);
		}
	} else if (is(s, "Sandbox")) {
		if (is(k, "Namespaces"))
			parse_namespaces(p, m, k, v);
		else if (is(k, "ReadOnlyPaths"))
			append_words(p, k, v, &m->ro_paths);
		else if (is(k, "ReadWritePaths"))
			append_words(p, k, v, &m->rw_paths);
		else if (is(k, "Landlock"))
			set_bool(p, s, k, v, &m->landlock);
		else if (is(k, "WriteExecute"))
			set_bool(p, s, k, v, &m->write_execute);
		else if (is(k, "SharedMemory"))
			set_bool(p, s, k, v, &m->shared_memory);
		else if (is(k, "Terminal"))
			set_bool(p, s, k, v, &m->terminal);
		else if (is(k, "SystemCalls"))
			append_words(p, k, v, &m->syscalls);
		else
			perr(p, "unknown key %s in [%s]", k, s);
	} else if (is(s, "Network")) {
		if (is(k, "Allow"))
			set_bool(p, s, k, v, &m->network);
		else if (is(k, "RawSockets"))
			set_bool(p, s, k, v, &m->raw_sockets);
		else if (is(k, "Priority"))
			set_bool(p, s, k, v, &m->priority);
		else if (is(k, "Connect"))
			set_connect(p, s, k, v, m);
		else if (is(k, "Listen"))
			append_words(p, k, v, &m->listen);
		else if (is(k, "Peers"))
			append_words(p, k, v, &m->peers);
		else
			perr(p, "unknown key %s in [%s]", k, s);
	} else if (is(s, "Environment")) {
		char kv[4096];

		if (!strncmp(k, "LOGOS_", 6)) {
			perr(p, "%s: variables named LOGOS_* are set by logosd", k);
			return;
		}
		for (const char *c = k; *c; c++) {
			if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			      (c != k && *c >= '0' && *c <= '9'))) {
				perr(p, "\"%s\" is not a valid environment variable name", k);
				return;
			}
		}
		snprintf(kv, sizeof(kv), "%s=%s", k, v);
		strv_push(&m->env, kv);
	} else {
		perr(p, "unknown section [%s]", s);
	}
}

static bool path_ok(const char *path)
{
	return path[0] == '/' && !strstr(path, "/../") &&
	       strcmp(path + strlen(path) - (strlen(path) >= 3 ? 3 : 0), "/..");
}

/* Checks that need the whole file; reported on line 0 (the file). */
static void manifest_check(struct parser *p, struct manifest *m, const char *base)
{
	p->line = 0;
	if (!m->name[0]) {
		if (valid_name(base))
			str_copy(m->name, sizeof(m->name), base);
		else
			perr(p, "no Name in [Module], and the file name is not a module name");
	} else if (strcmp(m->name, base)) {
		perr(p, "Name %s does not match the file name %s.module", m->name, base);
	}
	if (!m->executable)
		perr(p, "no Executable in [Module]");
	if (!m->version[0])
		perr(p, "no Version in [Module]");
	if (m->abi_major != LOGOS_ABI_MAJOR)
		perr(p, "AbiVersion %u.%u needs logos.h ABI major %u; this logosd speaks %u",
		     m->abi_major, m->abi_minor, m->abi_major, LOGOS_ABI_MAJOR);
	if (m->backoff_start_ms == 0 || m->backoff_start_ms > m->backoff_max_ms)
		perr(p, "BackoffStart must be above 0 and at most BackoffMax");
	if (m->watchdog_ms && m->watchdog_ms < 100)
		perr(p, "Watchdog must be at least 100ms (or 0 for none)");
	if (m->start_timeout_ms < 100 || m->stop_timeout_ms < 10)
		perr(p, "StartTimeout must be at least 100ms and StopTimeout at least 10ms");
	/* every module has a network namespace; a networked one gets a veth in it */
	m->namespaces |= NS_NET;
	if (m->raw_sockets && !m->network)
		perr(p, "RawSockets needs Allow = yes in [Network]");
	if (!m->network && (strv_len(m->listen) || strv_len(m->peers) ||
			    m->connect != NET_CONNECT_UPLINK))
		perr(p, "Connect, Listen and Peers need Allow = yes in [Network]");
	for (char **v = m->listen; *v; v++) {
		uint16_t port;
		bool udp;

		if (port_spec_parse(*v, &udp, &port))
			perr(p, "Listen: \"%s\" is not tcp:PORT or udp:PORT (1 to 65535)", *v);
	}
	if (strv_len(m->listen) > NET_MAX_LISTEN || strv_len(m->peers) > NET_MAX_PEERS)
		perr(p, "at most %d Listen ports and %d Peers", NET_MAX_LISTEN, NET_MAX_PEERS);
	for (char **v = m->peers; *v; v++)
		if (!valid_name(*v) || !strcmp(*v, m->name))
			perr(p, "Peers: \"%s\" is not another module's name", *v);
	if (!(m->namespaces & NS_MOUNT) && (strv_len(m->ro_paths) || strv_len(m->rw_paths)))
		perr(p, "ReadOnlyPaths and ReadWritePaths need the mount namespace");
	if (!(m->namespaces & NS_MOUNT) && (m->shared_memory || m->terminal))
		perr(p, "SharedMemory and Terminal need the mount namespace");
	/* LIMIT_UNSET and LIMIT_NONE are above any count */
	if ((m->namespaces & NS_PID) && (m->pids_max < 2 || m->nproc < 2))
		perr(p, "PidsMax and LimitNPROC count the module's init too: at least 2 with the pid namespace");
	for (char **v = m->ro_paths; *v; v++)
		if (!path_ok(*v))
			perr(p, "ReadOnlyPaths: \"%s\" is not an absolute path without ..", *v);
	for (char **v = m->rw_paths; *v; v++)
		if (!path_ok(*v))
			perr(p, "ReadWritePaths: \"%s\" is not an absolute path without ..", *v);
	for (size_t i = 0; i < m->nr_requires; i++)
		for (size_t j = 0; j < m->nr_provides; j++)
			if (!strcmp(m->requires[i].name, m->provides[j].name))
				perr(p, "service %s is both provided and required", m->provides[j].name);
}

int manifest_parse(const char *path, const char *data, size_t len, struct manifest **out,
		   char ***errors)
{
	struct manifest *m = calloc(1, sizeof(*m));
	struct parser p = {
		.file = path, .data = data, .len = len, .errors = errors,
		.handle = manifest_kv, .target = m,
	};
	char base[NAME_MAX + 1];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!m)
		return -ENOMEM;
	manifest_defaults(m);
	m->path = strdup(path);
	str_copy(base, sizeof(base), slash ? slash + 1 : path);
	n = strlen(base);
	if (n > 7 && !strcmp(base + n - 7, ".module"))
		base[n - 7] = 0;
	run_parser(&p);
	manifest_check(&p, m, base);
	if (p.nr_errors) {
		manifest_free(m);
		return -EINVAL;
	}
	*out = m;
	return 0;
}

int manifest_load(const char *path, struct manifest **out, char ***errors)
{
	char *data;
	size_t len;
	int ret = read_file(path, &data, &len, MANIFEST_MAX_BYTES);

	if (ret) {
		config_error(errors, path, 0, "cannot read: %s", strerror(-ret));
		return ret;
	}
	ret = manifest_parse(path, data, len, out, errors);
	free(data);
	return ret;
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	free(m->path);
	free(m->description);
	free(m->executable);
	free(m->user);
	strv_free(m->arguments);
	strv_free(m->ro_paths);
	strv_free(m->rw_paths);
	strv_free(m->syscalls);
	strv_free(m->listen);
	strv_free(m->peers);
	strv_free(m->env);
	free(m);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int manifests_scan(const char *dir, struct manifest ***list, size_t *n, char ***errors)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = calloc(1, sizeof(char *));
	struct manifest **out = NULL;
	size_t count = 0;

	*list = NULL;
	*n = 0;
	if (!d) {
		strv_free(names);
		if (errno == ENOENT)
			return 0;
		config_error(errors, dir, 0, "cannot open: %s", strerror(errno));
		return -errno;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 7 && !strcmp(e->d_name + len - 7, ".module") && e->d_name[0] != '.')
			strv_push(&names, e->d_name);
	}
	closedir(d);
	qsort(names, strv_len(names), sizeof(char *), cmp_str);
	out = calloc(strv_len(names) + 1, sizeof(*out));
	for (size_t i = 0; out && names[i]; i++) {
		char path[PATH_MAX];
		struct manifest *m;
		bool dup = false;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (manifest_load(path, &m, errors))
			continue;
		for (size_t j = 0; j < count; j++)
			dup |= !strcmp(out[j]->name, m->name);
		if (dup) {
			config_error(errors, path, 0, "a module named %s is already defined", m->name);
			manifest_free(m);
			continue;
		}
		out[count++] = m;
	}
	strv_free(names);
	*list = out;
	*n = count;
	return out ? 0 : -ENOMEM;
}
