// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl list: every module, as the kernel sees it (netlink) and as
 * logosd sees it (control socket), joined on the kernel module id. Either
 * view alone still works; what is missing is said on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "modinfo.h"
#include "subcommands.h"

/* logosd's modules, or NULL with a note on stderr. */
static json_object *daemon_modules(json_object **ans, int *err)
{
	json_object *mods;
	struct ctl c;

	*ans = NULL;
	*err = ctl_connect(&c);
	if (!*err)
		*err = ctl_call(&c, "list", NULL, ans);
	if (*err) {
		ctl_note(&c, *err);
		ctl_close(&c);
		return NULL;
	}
	ctl_close(&c);
	if (!json_object_object_get_ex(*ans, "modules", &mods) ||
	    !json_object_is_type(mods, json_type_array)) {
		*err = -EBADMSG;
		return NULL;
	}
	return mods;
}

static struct modinfo *kernel_find(struct modlist *kl, long long id, bool *used)
{
	for (int i = 0; i < kl->nr; i++) {
		if (kl->mods[i].id == id) {
			used[i] = true;
			return &kl->mods[i];
		}
	}
	return NULL;
}

static void row(json_object *out, json_object *d, struct modinfo *k)
{
	char kstate[24], pid[16], kid[16], restarts[16], counters[64];
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(d ? jstr(d, "name") : k->name));
	json_object_object_add(o, "logosd", json_object_get(d));
	json_object_object_add(o, "kernel", k ? modinfo_json(k, false) : NULL);
	json_object_array_add(out, o);
	if (json_out)
		return;
	snprintf(kstate, sizeof(kstate), "%s%s", k ? lnl_state_name(k->state) : "-",
		 k && k->exit_flags & LOGOS_EXIT_CRASHED ? "!" : "");
	snprintf(pid, sizeof(pid), "%lld", k ? (long long)k->pid : d ? jint(d, "pid") : 0);
	snprintf(kid, sizeof(kid), k ? "%u" : "-", k ? k->id : 0);
	snprintf(restarts, sizeof(restarts), d ? "%lld" : "-", d ? jint(d, "restarts") : 0);
	if (k)
		snprintf(counters, sizeof(counters), "%8llu %10llu %10llu",
			 (unsigned long long)k->usage[LOGOS_RES_HANDLES],
			 (unsigned long long)k->msgs_sent, (unsigned long long)k->msgs_received);
	else
		snprintf(counters, sizeof(counters), "%8s %10s %10s", "-", "-", "-");
	printf("%-20s %-10s %-10s %-7s %-8s %6s %-13s %-9s %s\n",
	       d ? jstr(d, "name") : k->name, d ? jstr(d, "state") : "-",
	       d && *jstr(d, "version") ? jstr(d, "version") : "-", pid, restarts, kid, kstate,
	       k ? lnl_trust_name(k->trust) : "-", counters);
}

int list_main(int argc, char *argv[])
{
	json_object *ans = NULL, *dmods, *out = json_object_new_array(), *top;
	int kret, dret, i, rows = 0;
	struct modlist kl = { 0 };
	bool *used = NULL;
	struct lnl nl;

	(void)argv;
	if (argc != 1)
		return usage();
	kret = lnl_open(&nl);
	if (!kret)
		kret = modlist_fetch(&nl, &kl);
	lnl_close(&nl);
	dmods = daemon_modules(&ans, &dret);
	if (kret) {
		if (!dmods)
			return kernel_fail(kret, NULL);
		fprintf(stderr, "note: %s: showing logosd's view only\n", lnl_strerror(kret));
	} else if (!dmods) {
		fprintf(stderr, "note: showing the kernel's view only\n");
	}
	used = calloc(kl.nr + 1, sizeof(*used));
	if (!json_out)
		printf("%-20s %-10s %-10s %-7s %-8s %6s %-13s %-9s %8s %10s %10s\n", "NAME", "STATE",
		       "VERSION", "PID", "RESTARTS", "KID", "KERNEL-STATE", "TRUST", "HANDLES",
		       "SENT", "RECEIVED");
	for (i = 0; dmods && i < (int)json_object_array_length(dmods); i++) {
		json_object *d = json_object_array_get_idx(dmods, i);
		json_object *kid;
		struct modinfo *k = NULL;

		if (json_object_object_get_ex(d, "kernel_module_id", &kid))
			k = kernel_find(&kl, json_object_get_int64(kid), used);
		row(out, d, k);
		rows++;
	}
	for (i = 0; i < kl.nr; i++) {
		if (!used[i]) {
			row(out, NULL, &kl.mods[i]);
			rows++;
		}
	}
	if (json_out) {
		top = json_object_new_object();
		json_object_object_add(top, "logosd", json_object_new_boolean(dmods != NULL));
		json_object_object_add(top, "kernel", json_object_new_boolean(!kret));
		json_object_object_add(top, "modules", out);
		json_print(top);
		json_object_put(top);
	} else {
		if (!rows)
			printf("(no modules)\n");
		json_object_put(out);
	}
	free(used);
	json_object_put(ans);
	modlist_free(&kl);
	return EXIT_OK;
}
