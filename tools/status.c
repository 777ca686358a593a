// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl status NAME|ID: one module in full, logosd's view (state,
 * version, restarts, trust, key, cgroup usage) and the kernel's (state,
 * counters, quotas). Either alone still works.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "lifecycle.h"
#include "modinfo.h"
#include "subcommands.h"

static void print_daemon(json_object *d)
{
	json_object *cg;

	printf("logosd:\n");
	printf("  state:     %s%s\n", jstr(d, "state"), jbool(d, "updating") ? " (updating)" : "");
	printf("  version:   %s\n", *jstr(d, "version") ? jstr(d, "version") : "-");
	printf("  manifest:  %s\n", jstr(d, "manifest"));
	printf("  trust:     %s, key %s\n", jstr(d, "trust"), *jstr(d, "key") ? jstr(d, "key") : "none");
	printf("  pid:       %lld\n", jint(d, "pid"));
	if (json_object_object_get_ex(d, "uptime_ms", NULL))
		printf("  uptime:    %.1f s\n", jint(d, "uptime_ms") / 1000.0);
	if (*jstr(d, "address"))
		printf("  network:   %s (host side %s)\n", jstr(d, "address"),
		       jstr(d, "host_interface"));
	printf("  restarts:  %lld (%lld failures in a row), policy %s\n", jint(d, "restarts"),
	       jint(d, "failures_in_a_row"), jstr(d, "restart_policy"));
	if (*jstr(d, "last_error"))
		printf("  last:      %s\n", jstr(d, "last_error"));
	if (jbool(d, "saved_state"))
		printf("  saved:     %lld bytes of state for the next instance\n",
		       jint(d, "saved_state_bytes"));
	if (json_object_object_get_ex(d, "cgroup_usage", &cg))
		printf("  cgroup:    %s: memory %lld bytes (peak %lld), %lld pids, cpu %.3f s, %lld oom kills\n",
		       jstr(d, "cgroup"), jint(cg, "memory_current"), jint(cg, "memory_peak"),
		       jint(cg, "pids_current"), jint(cg, "cpu_usage_us") / 1e6, jint(cg, "oom_kills"));
}

static void print_kernel(const struct modinfo *m)
{
	char buf[32];
	int i;

	printf("kernel: module %u\n", m->id);
	printf("  state:     %s%s\n", lnl_state_name(m->state),
	       m->exit_flags & LOGOS_EXIT_CRASHED ? " (crashed)" : "");
	printf("  trust:     %s\n", lnl_trust_name(m->trust));
	printf("  pid:       %u\n", m->pid);
	printf("  cpu:       %.3f s\n", m->cpu_ns / 1e9);
	printf("  messages:  %llu sent (%llu bytes), %llu received (%llu bytes)\n",
	       (unsigned long long)m->msgs_sent, (unsigned long long)m->bytes_sent,
	       (unsigned long long)m->msgs_received, (unsigned long long)m->bytes_received);
	printf("  denied:    %llu for rights, %llu for quota\n",
	       (unsigned long long)m->denied_rights, (unsigned long long)m->denied_quota);
	printf("  %-14s %12s %12s\n", "RESOURCE", "USAGE", "LIMIT");
	for (i = 0; i < __LOGOS_RES_MAX; i++)
		printf("  %-14s %12llu %12s\n", lnl_resource_name(i),
		       (unsigned long long)m->usage[i], fmt_limit(m->limit[i], buf, sizeof(buf)));
}

int status_main(int argc, char *argv[])
{
	json_object *d = NULL, *out;
	const char *name;
	int kret, dret, ret = EXIT_OK;
	struct modinfo m;
	struct lnl nl;
	struct ctl c;
	char kid[16];

	if (argc != 2 || argv[1][0] == '-')
		return usage();
	name = argv[1];
	dret = ctl_connect(&c);
	if (!dret)
		dret = ctl_module_status(&c, name, &d);
	kret = lnl_open(&nl);
	if (!kret) {
		/* logosd knows which kernel module object is this module's */
		snprintf(kid, sizeof(kid), "%lld", jint(d, "kernel_module_id"));
		kret = modinfo_find(&nl, d && strcmp(kid, "0") ? kid : name, &m);
	}
	lnl_close(&nl);
	if (dret && !(c.refused && dret == -ENOENT)) {
		/* not "no module named": logosd is not there or refused us */
		ctl_note(&c, dret);
	}
	ctl_close(&c);
	if (kret && kret != -ENOENT)
		fprintf(stderr, "note: %s\n", lnl_strerror(kret));
	if (dret && kret) {
		if ((c.refused && dret == -ENOENT) || kret == -ENOENT) {
			fprintf(stderr, "%s: no module named %s: see '%s list'\n", prog, name, prog);
			return EXIT_NO_MODULE;
		}
		return kernel_fail(kret, name);
	}
	if (json_out) {
		out = json_object_new_object();
		json_object_object_add(out, "name", json_object_new_string(name));
		json_object_object_add(out, "logosd", json_object_get(d));
		json_object_object_add(out, "kernel", kret ? NULL : modinfo_json(&m, true));
		json_print(out);
		json_object_put(out);
	} else {
		printf("module %s\n", d ? jstr(d, "name") : m.name);
		if (d)
			print_daemon(d);
		else
			printf("logosd: not managed by logosd%s\n", dret == -ENOENT && c.refused ? "" :
			       " (logosd is not reachable)");
		if (!kret)
			print_kernel(&m);
		else
			printf("kernel: no module object (not running)\n");
	}
	json_object_put(d);
	return ret;
}
