// SPDX-License-Identifier: GPL-2.0
/*
 * What start, stop, restart, pause and resume share. logosd answers once
 * the action is under way; the outcome is in its status, polled here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lifecycle.h"
#include "subcommands.h"

int ctl_module_status(struct ctl *c, const char *name, json_object **mod)
{
	json_object *ans, *mods;
	int ret = ctl_call(c, "status", name, &ans);

	if (ret)
		return ret;
	if (!json_object_object_get_ex(ans, "modules", &mods) ||
	    !json_object_is_type(mods, json_type_array) || json_object_array_length(mods) < 1) {
		json_object_put(ans);
		return -EBADMSG;
	}
	*mod = json_object_get(json_object_array_get_idx(mods, 0));
	json_object_put(ans);
	return 0;
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void report(json_object *mod, const char *name)
{
	const char *state = jstr(mod, "state");

	if (json_out) {
		json_print(mod);
	} else if (!strcmp(state, "running") || !strcmp(state, "paused")) {
		printf("%s: %s (version %s, pid %lld)\n", name, state, jstr(mod, "version"),
		       jint(mod, "pid"));
	} else {
		printf("%s: %s\n", name, state);
	}
}

int lifecycle_wait(struct ctl *c, const char *name, const char *target, long long old_pid,
		   int timeout_ms)
{
	long long end = ms_now() + timeout_ms;
	json_object *mod = NULL;
	const char *state;
	int ret;

	for (;;) {
		json_object_put(mod);
		mod = NULL;
		ret = ctl_module_status(c, name, &mod);
		if (ret)
			return ctl_fail(c, ret, name);
		state = jstr(mod, "state");
		if (!strcmp(state, target) && (!old_pid || jint(mod, "pid") != old_pid) &&
		    !jbool(mod, "updating"))
			break;
		if (!strcmp(state, "failed") ||
		    (!strcmp(state, "stopped") && strcmp(target, "stopped"))) {
			fprintf(stderr, "%s: %s is %s: %s\n", prog, name, state,
				*jstr(mod, "last_error") ? jstr(mod, "last_error") : "no reason given");
			if (json_out)
				json_print(mod);
			json_object_put(mod);
			return EXIT_ERROR;
		}
		if (ms_now() > end) {
			fprintf(stderr, "%s: %s is still %s after %d s (wanted %s): see '%s status %s'\n",
				prog, name, state, timeout_ms / 1000, target, prog, name);
			if (json_out)
				json_print(mod);
			json_object_put(mod);
			return EXIT_ERROR;
		}
		usleep(100 * 1000);
	}
	report(mod, name);
	json_object_put(mod);
	return EXIT_OK;
}

int wait_option(int argc, char *argv[], int *i, bool *wait, int *timeout_s)
{
	char *end;

	if (!strcmp(argv[*i], "--no-wait")) {
		*wait = false;
		return 1;
	}
	if (strcmp(argv[*i], "--timeout") || *i + 1 >= argc)
		return 0;
	*timeout_s = strtol(argv[++*i], &end, 10);
	if (*end || *timeout_s <= 0 || *timeout_s > 86400) {
		fprintf(stderr, "%s: --timeout takes seconds (1 to 86400), not '%s'\n", prog, argv[*i]);
		return EXIT_USAGE;
	}
	return 1;
}

int lifecycle_main(const struct lifecycle *lc, int argc, char *argv[])
{
	const char *name = NULL;
	long long old_pid = 0;
	int timeout_s = 30, ret, i;
	bool wait = true;
	json_object *ans, *mod;
	struct ctl c;

	for (i = 1; i < argc; i++) {
		ret = wait_option(argc, argv, &i, &wait, &timeout_s);
		if (ret > 1)
			return ret;
		if (ret == 1)
			continue;
		if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			return usage();
		}
	}
	if (!name)
		return usage();
	ret = ctl_connect(&c);
	if (ret)
		return ctl_fail(&c, ret, name);
	if (!strcmp(lc->cmd, "restart")) {
		/* done means: running as another process */
		ret = ctl_module_status(&c, name, &mod);
		if (ret)
			goto fail;
		old_pid = jint(mod, "pid");
		json_object_put(mod);
	}
	ret = ctl_call(&c, lc->cmd, name, &ans);
	if (ret == -EALREADY) {
		/* like systemctl: asking for the state a module is in is not an error */
		fprintf(stderr, "%s: %s\n", prog, c.error);
		ret = 0;
	} else if (ret) {
		goto fail;
	} else {
		json_object_put(ans);
	}
	if (wait) {
		ret = lifecycle_wait(&c, name, lc->target, old_pid, timeout_s * 1000);
		ctl_close(&c);
		return ret;
	}
	if (json_out) {
		ret = ctl_module_status(&c, name, &mod);
		if (ret)
			goto fail;
		json_print(mod);
		json_object_put(mod);
	} else {
		printf("%s: %s\n", name, lc->doing);
	}
	ctl_close(&c);
	return EXIT_OK;
fail:
	ret = ctl_fail(&c, ret, name);
	ctl_close(&c);
	return ret;
}

int lifecycle_wait_update(struct ctl *c, const char *name, const char *doing, int timeout_ms,
			  json_object **mod)
{
	int ret, waited = 0;

	*mod = NULL;
	for (;;) {
		ret = ctl_module_status(c, name, mod);
		if (ret)
			return ctl_fail(c, ret, name);
		if (!jbool(*mod, "updating"))
			return 0;
		json_object_put(*mod);
		*mod = NULL;
		if (waited > timeout_ms) {
			fprintf(stderr, "%s: %s is still %s after %d s: see '%s status %s'\n",
				prog, name, doing, timeout_ms / 1000, prog, name);
			return EXIT_ERROR;
		}
		usleep(100 * 1000);
		waited += 100;
	}
}
