// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl update NAME MANIFEST [--allow-downgrade] [--no-wait]
 * [--timeout SECONDS]: logosd replaces the running version of NAME with
 * the one MANIFEST (signed, MANIFEST.sig next to it) describes; state is
 * handed over, clients keep their connections, and a new version that
 * fails is rolled back; a Version not newer than the running one is
 * refused unless --allow-downgrade (Documentation/configuration.md,
 * "Updates"). Waits for the outcome.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "lifecycle.h"
#include "subcommands.h"
#include "util.h"

/* The version MANIFEST declares, to tell a commit from a rollback. */
static int manifest_version(const char *path, char *buf, size_t cap)
{
	char **errs = calloc(1, sizeof(char *));
	struct manifest *m;
	int ret = manifest_load(path, &m, &errs);

	for (size_t i = 0; errs && errs[i]; i++)
		fprintf(stderr, "%s\n", errs[i]);
	strv_free(errs);
	if (ret)
		return ret;
	str_copy(buf, cap, m->version);
	manifest_free(m);
	return 0;
}

static int wait_update(struct ctl *c, const char *name, const char *version, int timeout_ms)
{
	json_object *mod;
	int ret = lifecycle_wait_update(c, name, "updating", timeout_ms, &mod);

	if (ret)
		return ret;
	if (json_out)
		json_print(mod);
	if (strcmp(jstr(mod, "version"), version)) {
		fprintf(stderr, "%s: the update of %s to %s was rolled back (%s); %s still runs: see '%s audit show --module %s'\n",
			prog, name, version, *jstr(mod, "last_error") ? jstr(mod, "last_error") : "?",
			jstr(mod, "version"), prog, name);
		ret = EXIT_ERROR;
	} else {
		if (!json_out)
			printf("%s: updated to version %s (%s, pid %lld)\n", name, version,
			       jstr(mod, "state"), jint(mod, "pid"));
		ret = EXIT_OK;
	}
	json_object_put(mod);
	return ret;
}

int update_main(int argc, char *argv[])
{
	const char *name = NULL, *manifest = NULL;
	char path[PATH_MAX], version[64];
	int timeout_s = 60, ret, i;
	json_object *req, *ans;
	bool wait = true, downgrade = false;
	struct ctl c;

	for (i = 1; i < argc; i++) {
		ret = wait_option(argc, argv, &i, &wait, &timeout_s);
		if (ret > 1)
			return ret;
		if (ret == 1)
			continue;
		if (!strcmp(argv[i], "--allow-downgrade")) {
			downgrade = true;
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else if (argv[i][0] != '-' && !manifest) {
			manifest = argv[i];
		} else {
			return usage();
		}
	}
	if (!name || !manifest)
		return usage();
	/* logosd wants an absolute path; it reads the file itself */
	if (!realpath(manifest, path)) {
		fprintf(stderr, "%s: %s: %m\n", prog, manifest);
		return EXIT_ERROR;
	}
	if (manifest_version(path, version, sizeof(version))) {
		fprintf(stderr, "%s: %s is not a valid manifest: nothing updated\n", prog, path);
		return EXIT_ERROR;
	}
	ret = ctl_connect(&c);
	if (ret)
		goto fail;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("update"));
	json_object_object_add(req, "module", json_object_new_string(name));
	json_object_object_add(req, "manifest", json_object_new_string(path));
	if (downgrade)
		json_object_object_add(req, "allow_downgrade", json_object_new_boolean(true));
	ret = ctl_request(&c, req, &ans);
	json_object_put(req);
	if (ret)
		goto fail;
	json_object_put(ans);
	if (wait) {
		ret = wait_update(&c, name, version, timeout_s * 1000);
	} else {
		if (json_out) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "name", json_object_new_string(name));
			json_object_object_add(o, "updating", json_object_new_boolean(true));
			json_object_object_add(o, "version", json_object_new_string(version));
			json_print(o);
			json_object_put(o);
		} else
			printf("%s: updating to version %s\n", name, version);
		ret = EXIT_OK;
	}
	ctl_close(&c);
	return ret;
fail:
	ret = ctl_fail(&c, ret, name);
	ctl_close(&c);
	return ret;
}
