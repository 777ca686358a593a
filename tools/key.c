// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl key: the signing keys' lifecycle (Documentation/configuration.md,
 * "Signing and verification"; security-model.md, "Rotation").
 *
 *   key list [--config DIR]	trusted.d as logosd loads it: anchors and
 *				endorsed keys with their effective limits
 *   key endorse SIGNER.key NEW.pub [--max-trust L] [--not-after DATE]
 *				writes NEW.pub.endorsement (for trusted.d/endorsed/)
 *   key revoke ID|PUB [--config DIR]
 *				appends the id to trusted.d/revoked (atomically),
 *				then asks logosd to reload if it runs
 *   key show PUB		what a .pub (and its .endorsement) says
 *
 * The file operations are logosd's own (daemon/sign.c in liblogosd.a).
 */
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "ctl.h"
#include "oneshot.h"
#include "sign.h"
#include "subcommands.h"
#include "util.h"

static void day_of(time_t not_after, char *buf, size_t cap)
{
	time_t last = not_after - 86400;
	struct tm tm;

	if (!not_after) {
		str_copy(buf, cap, "-");
		return;
	}
	gmtime_r(&last, &tm);
	strftime(buf, cap, "%Y-%m-%d", &tm);
}

static void print_errors(char **errs, json_object *problems)
{
	for (size_t i = 0; errs && errs[i]; i++) {
		if (problems)
			json_object_array_add(problems, json_object_new_string(errs[i]));
		else
			fprintf(stderr, "%s\n", errs[i]);
	}
}

static int list_main_(int argc, char *argv[])
{
	const char *cfg = ctl_config_dir();
	char dir[PATH_MAX], **errs = calloc(1, sizeof(char *)), day[16];
	json_object *res = NULL, *arr = NULL, *problems = NULL;
	struct keyring kr;
	size_t nerr;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			cfg = argv[++i];
		else
			return usage();
	}
	if (crypto_setup())
		return EXIT_ERROR;
	snprintf(dir, sizeof(dir), "%s/trusted.d", cfg);
	keyring_load(dir, &kr, &errs);
	nerr = strv_len(errs);
	if (json_out) {
		res = json_object_new_object();
		arr = json_object_new_array();
		problems = json_object_new_array();
	} else {
		printf("%-16s %-3s %-13s %-9s %-10s %-16s %-16s %s\n", "ID", "ALG", "ROLE", "MAXTRUST",
		       "NOTAFTER", "REVOKED", "ENDORSED-BY", "COMMENT");
	}
	for (size_t k = 0; k < kr.n; k++) {
		const struct pubkey *p = &kr.keys[k];

		day_of(p->not_after, day, sizeof(day));
		if (json_out) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "id", json_object_new_string(p->id));
			json_object_object_add(o, "algorithm", json_object_new_string(p->alg));
			json_object_object_add(o, "role", json_object_new_string(key_role_name(p->role)));
			json_object_object_add(o, "max_trust",
					       json_object_new_string(trust_name(p->max_trust)));
			json_object_object_add(o, "not_after",
					       p->not_after ? json_object_new_string(day) : NULL);
			json_object_object_add(o, "revoked", json_object_new_boolean(p->revoked));
			json_object_object_add(o, "revoked_by", p->revoked ?
					       json_object_new_string(p->revoked_by) : NULL);
			json_object_object_add(o, "endorsed_by", p->endorser[0] ?
					       json_object_new_string(p->endorser) : NULL);
			json_object_object_add(o, "depth", json_object_new_int(p->depth));
			json_object_object_add(o, "comment", json_object_new_string(p->comment));
			json_object_object_add(o, "path", json_object_new_string(p->path));
			json_object_array_add(arr, o);
		} else {
			printf("%-16s %-3s %-13s %-9s %-10s %-16s %-16s %s\n", p->id, p->alg,
			       key_role_name(p->role), trust_name(p->max_trust), day,
			       !p->revoked ? "no" : strcmp(p->revoked_by, p->id) ? p->revoked_by : "yes",
			       p->endorser[0] ? p->endorser : "-", p->comment);
		}
	}
	/* revoked ids with no key here still refuse their signatures */
	for (size_t r = 0; r < kr.nr_revoked; r++)
		if (!keyring_find(&kr, kr.revoked[r]) && !json_out)
			printf("%-16s %-3s %-13s %-9s %-10s %-16s %-16s %s\n", kr.revoked[r], "-", "-",
			       "-", "-", "yes", "-", "(no .pub; listed in trusted.d/revoked)");
	print_errors(errs, problems);
	if (json_out) {
		json_object *rv = json_object_new_array();

		for (size_t r = 0; r < kr.nr_revoked; r++)
			json_object_array_add(rv, json_object_new_string(kr.revoked[r]));
		json_object_object_add(res, "keys", arr);
		json_object_object_add(res, "revoked", rv);
		json_object_object_add(res, "problems", problems);
		json_print(res);
		json_object_put(res);
	}
	keyring_free(&kr);
	strv_free(errs);
	return nerr ? EXIT_ERROR : EXIT_OK;
}

static int endorse_main(int argc, char *argv[])
{
	const char *signer = NULL, *pub = NULL, *max = NULL, *until = NULL;
	char **errs = calloc(1, sizeof(char *)), path[PATH_MAX], *out = NULL, day[16];
	uint32_t level = 0;
	time_t not_after = 0;
	json_object *res;
	size_t len;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--max-trust") && i + 1 < argc)
			max = argv[++i];
		else if (!strcmp(argv[i], "--not-after") && i + 1 < argc)
			until = argv[++i];
		else if (argv[i][0] != '-' && !signer)
			signer = argv[i];
		else if (argv[i][0] != '-' && !pub)
			pub = argv[i];
		else
			goto usage;
	}
	if (!pub)
		goto usage;
	if (max && trust_parse(max, &level)) {
		fprintf(stderr, "%s: --max-trust must be untrusted, user, system or core\n", prog);
		goto usage;
	}
	if (until && date_parse_end(until, &not_after)) {
		fprintf(stderr, "%s: --not-after must be a date, YYYY-MM-DD (UTC)\n", prog);
		goto usage;
	}
	if (crypto_setup())
		return EXIT_ERROR;
	res = json_object_new_object();
	snprintf(path, sizeof(path), "%s.endorsement", pub);
	json_object_object_add(res, "endorsement", json_object_new_string(path));
	oneshot_begin();
	ret = endorse_key(signer, pub, max ? (int)level : -1, not_after, &out, &len, &errs);
	if (!ret) {
		ret = write_file_atomic(path, out, len, 0644);
		if (ret)
			fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(-ret));
	}
	print_errors(errs, NULL);
	if (!ret) {
		struct pubkey k;

		pubkey_load(pub, &k, &errs);
		day_of(not_after, day, sizeof(day));
		json_object_object_add(res, "key", json_object_new_string(k.id));
		printf("wrote %s: key %s endorsed (max trust %s, not after %s); copy %s and it into trusted.d/endorsed/\n",
		       path, k.id, max ? max : trust_name(k.max_trust), until ? day : "the endorser's",
		       pub);
	}
	free(out);
	strv_free(errs);
	return oneshot_finish(ret ? EXIT_ERROR : EXIT_OK, res);
usage:
	strv_free(errs);
	return usage();
}

/* @arg is a key id (any case) or a .pub: the id, as minisign prints it. */
static int id_arg(const char *arg, char id[KEY_ID_LEN + 1])
{
	size_t n = strlen(arg), bl = 0;
	uint8_t bin[KEY_ID_LEN / 2];
	const char *end = NULL;

	if (n > 4 && !strcmp(arg + n - 4, ".pub")) {
		char **errs = calloc(1, sizeof(char *));
		struct pubkey k;
		int ret = pubkey_load(arg, &k, &errs);

		print_errors(errs, NULL);
		strv_free(errs);
		if (ret)
			return ret;
		str_copy(id, KEY_ID_LEN + 1, k.id);
		return 0;
	}
	if (n != KEY_ID_LEN || sodium_hex2bin(bin, sizeof(bin), arg, n, NULL, &bl, &end) ||
	    bl != sizeof(bin) || end != arg + n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		id[i] = arg[i] >= 'a' && arg[i] <= 'f' ? arg[i] - 'a' + 'A' : arg[i];
	id[n] = 0;
	return 0;
}

static int revoke_main(int argc, char *argv[])
{
	const char *cfg = ctl_config_dir(), *arg = NULL;
	char path[PATH_MAX], id[KEY_ID_LEN + 1], stamp[32], *data = NULL, *text;
	json_object *res, *ans = NULL, *problems;
	size_t len = 0;
	struct ctl c;
	time_t now = time(NULL);
	struct tm tm;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			cfg = argv[++i];
		else if (argv[i][0] != '-' && !arg)
			arg = argv[i];
		else
			return usage();
	}
	if (!arg)
		return usage();
	if (crypto_setup())
		return EXIT_ERROR;
	if (id_arg(arg, id)) {
		fprintf(stderr, "%s: \"%s\" is not a key id (16 hex digits, as 'logosctl key list' prints it) nor a readable .pub\n",
			prog, arg);
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s/trusted.d/revoked", cfg);
	ret = read_file(path, &data, &len, 1 << 20);
	if (ret && ret != -ENOENT) {
		fprintf(stderr, "%s: cannot read %s: %s\n", prog, path, strerror(-ret));
		return EXIT_ERROR;
	}
	res = json_object_new_object();
	json_object_object_add(res, "key", json_object_new_string(id));
	json_object_object_add(res, "revoked", json_object_new_string(path));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	text = malloc(len + 128);
	if (!text) {
		free(data);
		json_object_put(res);
		return EXIT_ERROR;
	}
	if (len)
		memcpy(text, data, len);
	/* the old list, a newline if its last line has none, then the id */
	len += snprintf(text + len, 128, "%s%s  # logosctl key revoke, %s\n",
			len && text[len - 1] != '\n' ? "\n" : "", id, stamp);
	free(data);
	ret = write_file_atomic(path, text, len, 0644);
	free(text);
	if (ret) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(-ret));
		json_object_put(res);
		return EXIT_ERROR;
	}
	if (!json_out)
		printf("key %s added to %s\n", id, path);
	ret = ctl_connect(&c);
	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		if (!json_out)
			printf("logosd is not running: it reads %s when it starts\n", path);
		json_object_object_add(res, "reloaded", json_object_new_boolean(false));
		ctl_close(&c);
		return oneshot_finish(EXIT_OK, res);
	}
	if (!ret)
		ret = ctl_call(&c, "reload", NULL, &ans);
	if (ret) {
		ret = ctl_fail(&c, ret, NULL);
		ctl_close(&c);
		json_object_put(res);
		return ret;
	}
	ctl_close(&c);
	json_object_object_add(res, "reloaded", json_object_new_boolean(true));
	if (json_object_object_get_ex(ans, "problems", &problems))
		json_object_object_add(res, "problems", json_object_get(problems));
	if (!json_out)
		printf("logosd reloaded: modules verified with key %s (or a key it endorsed) are stopped\n",
		       id);
	json_object_put(ans);
	return oneshot_finish(EXIT_OK, res);
}

static int show_main(int argc, char *argv[])
{
	char **errs = calloc(1, sizeof(char *)), path[PATH_MAX], why[512], day[16], *data;
	struct endorse_claim claim;
	struct sig_info sig;
	json_object *res;
	struct pubkey k;
	size_t len;
	int ret;

	if (argc != 2 || argv[1][0] == '-') {
		strv_free(errs);
		return usage();
	}
	if (crypto_setup())
		return EXIT_ERROR;
	ret = pubkey_load(argv[1], &k, &errs);
	print_errors(errs, NULL);
	strv_free(errs);
	if (ret)
		return EXIT_ERROR;
	res = json_object_new_object();
	day_of(k.not_after, day, sizeof(day));
	json_object_object_add(res, "id", json_object_new_string(k.id));
	json_object_object_add(res, "algorithm", json_object_new_string(k.alg));
	json_object_object_add(res, "role", json_object_new_string(key_role_name(k.role)));
	json_object_object_add(res, "max_trust", json_object_new_string(trust_name(k.max_trust)));
	json_object_object_add(res, "not_after", k.not_after ? json_object_new_string(day) : NULL);
	json_object_object_add(res, "comment", json_object_new_string(k.comment));
	if (!json_out)
		printf("key %s\n  algorithm  %s (Ed25519)%s\n  role       %s\n  max trust  %s\n  not after  %s\n  comment    %s\n",
		       k.id, k.alg, k.legacy ? ", logosd 0.1 format" : "", key_role_name(k.role),
		       trust_name(k.max_trust), day, k.comment);
	snprintf(path, sizeof(path), "%s.endorsement", argv[1]);
	if (!read_file(path, &data, &len, 64 * 1024)) {
		json_object *e = json_object_new_object();

		if (sig_parse(data, len, &sig, why, sizeof(why)) ||
		    endorse_claim_parse(sig.comment, &claim, why, sizeof(why))) {
			json_object_object_add(e, "error", json_object_new_string(why));
			if (!json_out)
				printf("  endorsement %s: %s\n", path, why);
		} else {
			day_of(claim.not_after, day, sizeof(day));
			json_object_object_add(e, "by", json_object_new_string(sig.key_id));
			json_object_object_add(e, "key", json_object_new_string(claim.key_id));
			json_object_object_add(e, "max_trust",
					       json_object_new_string(trust_name(claim.max_trust)));
			json_object_object_add(e, "not_after", claim.not_after ?
					       json_object_new_string(day) : NULL);
			if (!json_out)
				printf("  endorsed   by key %s for key %s%s, max trust %s, not after %s (not checked here: 'logosctl key list' checks it against trusted.d)\n",
				       sig.key_id, claim.key_id,
				       strcmp(claim.key_id, k.id) ? " (another key!)" : "",
				       trust_name(claim.max_trust), day);
		}
		json_object_object_add(res, "endorsement", e);
		free(data);
	}
	if (json_out)
		json_print(res);
	json_object_put(res);
	return EXIT_OK;
}

int key_main(int argc, char *argv[])
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "list"))
		return list_main_(argc - 1, argv + 1);
	if (!strcmp(argv[1], "endorse"))
		return endorse_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "revoke"))
		return revoke_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return show_main(argc - 1, argv + 1);
	return usage();
}
