// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl audit show [-n COUNT] [--module NAME]: the audit log's state
 * (from logosd, or from logosd.conf when it is not running) and its last
 * COUNT records (default 20), optionally only those about NAME.
 *
 * logosctl audit verify [--key PUB] [--anchors FILE] [FILE...]: every hash, the chain and
 * every checkpoint signature of FILE... (oldest first; default: the log
 * of logosd.conf and its rotated files), with logosd's own verifier.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "ctl.h"
#include "oneshot.h"
#include "subcommands.h"
#include "util.h"

/* Members every record has, not shown among the details. */
static const char *const plumbing[] = { "seq", "time", "type", "prev", "hash", "sig", "key" };

static bool is_plumbing(const char *k)
{
	for (size_t i = 0; i < sizeof(plumbing) / sizeof(plumbing[0]); i++)
		if (!strcmp(k, plumbing[i]))
			return true;
	return false;
}

static void print_record(json_object *r)
{
	printf("%6lld %s %-11s", jint(r, "seq"), jstr(r, "time"), jstr(r, "type"));
	json_object_object_foreach(r, k, v) {
		if (!is_plumbing(k))
			printf(" %s=%s", k, json_object_get_string(v));
	}
	printf("\n");
}

static int load_config(struct daemon_config *cfg)
{
	char **errs = calloc(1, sizeof(char *));
	int ret = daemon_config_load(ctl_config_dir(), cfg, &errs);

	for (size_t i = 0; ret && errs && errs[i]; i++)
		fprintf(stderr, "%s\n", errs[i]);
	strv_free(errs);
	return ret;
}

static int show(int argc, char *argv[])
{
	json_object *ans = NULL, *recs = json_object_new_array(), *out;
	const char *module = NULL;
	struct daemon_config cfg;
	char path[PATH_MAX], line[65536];
	long count = 20, n;
	struct ctl c;
	FILE *f;
	int ret, i;

	for (i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			count = strtol(argv[++i], &end, 10);
			if (*end || count < 0)
				return usage();
		} else if (!strcmp(argv[i], "--module") && i + 1 < argc) {
			module = argv[++i];
		} else {
			return usage();
		}
	}
	ret = ctl_connect(&c);
	if (!ret)
		ret = ctl_call(&c, "audit", NULL, &ans);
	if (ret) {
		if (c.refused || ret == -EACCES) {
			ret = ctl_fail(&c, ret, NULL);
			ctl_close(&c);
			return ret;
		}
		ctl_note(&c, ret);
		if (load_config(&cfg)) {
			ctl_close(&c);
			return EXIT_ERROR;
		}
		str_copy(path, sizeof(path), cfg.audit_path);
		daemon_config_free(&cfg);
		fprintf(stderr, "note: reading %s as logosd.conf names it\n", path);
	} else {
		str_copy(path, sizeof(path), jstr(ans, "path"));
	}
	ctl_close(&c);
	f = fopen(path, "re");
	if (!f) {
		ret = errno;
		fprintf(stderr, "%s: cannot read %s: %s%s\n", prog, path, strerror(ret),
			ret == EACCES ? ": run as root" : "");
		json_object_put(ans);
		json_object_put(recs);
		return ret == EACCES ? EXIT_PERM : EXIT_ERROR;
	}
	/* keep the last COUNT matching records */
	while (fgets(line, sizeof(line), f)) {
		json_object *r = json_tokener_parse(line);

		if (!r || (module && strcmp(jstr(r, "module"), module))) {
			json_object_put(r);
			continue;
		}
		json_object_array_add(recs, r);
		if ((long)json_object_array_length(recs) > count)
			json_object_array_del_idx(recs, 0, 1);
	}
	fclose(f);
	n = json_object_array_length(recs);
	if (json_out) {
		out = json_object_new_object();
		json_object_object_add(out, "path", json_object_new_string(path));
		json_object_object_add(out, "logosd", json_object_new_boolean(ans != NULL));
		if (ans) {
			json_object_object_add(out, "total", json_object_new_int64(jint(ans, "records")));
			json_object_object_add(out, "key", json_object_new_string(jstr(ans, "key")));
			json_object_object_add(out, "chain_intact",
					       json_object_new_boolean(jbool(ans, "chain_intact")));
			if (*jstr(ans, "problem"))
				json_object_object_add(out, "problem",
						       json_object_new_string(jstr(ans, "problem")));
		}
		json_object_object_add(out, "records", recs);
		json_print(out);
		json_object_put(out);
	} else {
		if (ans)
			printf("audit log %s: %lld records, key %s, %s%s\n", path, jint(ans, "records"),
			       *jstr(ans, "key") ? jstr(ans, "key") : "none",
			       jbool(ans, "chain_intact") ? "chain intact" : "CHAIN BROKEN: ",
			       jstr(ans, "problem"));
		for (i = 0; i < n; i++)
			print_record(json_object_array_get_idx(recs, i));
		if (!n)
			printf("(no records%s%s)\n", module ? " about " : "", module ? module : "");
		json_object_put(recs);
	}
	ret = ans && !jbool(ans, "chain_intact") ? EXIT_ERROR : EXIT_OK;
	json_object_put(ans);
	return ret;
}

static int verify(int argc, char *argv[])
{
	char pub[PATH_MAX] = "", **files = calloc(argc + 64, sizeof(char *)), p[PATH_MAX];
	struct daemon_config cfg;
	const char *key = NULL, *anchors = NULL;
	json_object *res, *arr;
	int n = 0, given, ret, i;
	size_t len;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--key") && i + 1 < argc)
			key = argv[++i];
		else if (!strcmp(argv[i], "--anchors") && i + 1 < argc)
			anchors = argv[++i];
		else if (argv[i][0] != '-')
			files[n++] = strdup(argv[i]);
		else
			return usage();
	}
	given = n;
	if (!key || !n) {
		if (load_config(&cfg))
			return EXIT_ERROR;
		/* the public half next to the audit key logosd signs with */
		len = strlen(cfg.audit_key);
		if (len > 4 && !strcmp(cfg.audit_key + len - 4, ".key"))
			snprintf(pub, sizeof(pub), "%.*s.pub", (int)(len - 4), cfg.audit_key);
		/* the rotated files, oldest (highest number) first, then the log */
		for (i = cfg.audit_keep; !given && i >= 0 && n < 63; i--) {
			if (i)
				snprintf(p, sizeof(p), "%s.%d", cfg.audit_path, i);
			else
				str_copy(p, sizeof(p), cfg.audit_path);
			if (!access(p, F_OK))
				files[n++] = strdup(p);
		}
		daemon_config_free(&cfg);
		if (!n) {
			fprintf(stderr, "%s: no audit log found (see [Audit] Path in %s/logosd.conf)\n",
				prog, ctl_config_dir());
			free(files);
			return EXIT_ERROR;
		}
	}
	res = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(files[i]));
	json_object_object_add(res, "files", arr);
	oneshot_begin();
	ret = cli_audit_verify(ctl_config_dir(), key ? key : *pub ? pub : NULL, anchors, files, n);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return oneshot_finish(ret ? EXIT_ERROR : EXIT_OK, res);
}

int audit_main(int argc, char *argv[])
{
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return show(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "verify"))
		return verify(argc - 1, argv + 1);
	return usage();
}
