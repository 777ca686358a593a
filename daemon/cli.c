// SPDX-License-Identifier: GPL-2.0
#include "cli.h"
#include "audit.h"
#include "config.h"
#include "sign.h"
#include "util.h"
#include "verify.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_errors(char **errs)
{
	for (size_t i = 0; errs && errs[i]; i++)
		fprintf(stderr, "%s\n", errs[i]);
}

int cli_keygen(const char *prefix, const char *max_trust, const char *comment)
{
	uint32_t level = LOGOS_TRUST_USER;
	int ret;

	if (max_trust && trust_parse(max_trust, &level)) {
		fprintf(stderr, "logosd: --max-trust must be untrusted, user, system or core\n");
		return 2;
	}
	ret = keygen(prefix, level, comment);
	if (ret) {
		fprintf(stderr, "logosd: cannot write %s.key / %s.pub: %s\n", prefix, prefix,
			strerror(-ret));
		return 1;
	}
	printf("wrote %s.key (secret, keep it off the node) and %s.pub (copy it into trusted.d/); modules signed with it may ask for trust up to %s\n",
	       prefix, prefix, trust_name(level));
	return 0;
}

int cli_sign(const char *key, const char *manifest)
{
	char **errs = calloc(1, sizeof(char *));
	struct manifest *m;
	int ret;

	if (manifest_load(manifest, &m, &errs)) {
		print_errors(errs);
		fprintf(stderr, "logosd: %s is not a valid manifest: nothing signed\n", manifest);
		strv_free(errs);
		return 1;
	}
	ret = sign_module(key, manifest, m->executable, &errs);
	print_errors(errs);
	if (!ret)
		printf("signed %s and %s into %s.sig\n", manifest, m->executable, manifest);
	manifest_free(m);
	strv_free(errs);
	return ret ? 1 : 0;
}

/* The checks logosd makes before every start (verify.c), against the
 * configuration of @config_dir and the kernel ABI logosd was built for. */
int cli_verify(const char *config_dir, const char *manifest)
{
	char **errs = calloc(1, sizeof(char *)), dir[PATH_MAX], why[512];
	struct logos_version kver = { .major = LOGOS_ABI_MAJOR, .minor = LOGOS_ABI_MINOR };
	struct daemon_config cfg;
	struct keyring kr;
	struct verified v;
	int ret;

	if (crypto_setup())
		return 1;
	if (daemon_config_load(config_dir, &cfg, &errs)) {
		print_errors(errs);
		strv_free(errs);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/trusted.d", config_dir);
	keyring_load(dir, &kr, &errs);
	print_errors(errs);
	ret = verify_module(&cfg, &kr, &kver, manifest, &v, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "%s: refused: %s\n", manifest, why);
	} else {
		printf("%s: good: %s; key %s; manifest %s\n", manifest, why,
		       v.signed_ ? v.key_id : "none", v.manifest_hash);
		verified_free(&v);
	}
	keyring_free(&kr);
	daemon_config_free(&cfg);
	strv_free(errs);
	return ret ? 1 : 0;
}

int cli_check_config(const char *config_dir)
{
	char **errs = calloc(1, sizeof(char *)), dir[PATH_MAX];
	struct daemon_config cfg;
	struct manifest **list;
	size_t n;
	int ret;

	ret = daemon_config_load(config_dir, &cfg, &errs);
	snprintf(dir, sizeof(dir), "%s/modules.d", config_dir);
	manifests_scan(dir, &list, &n, &errs);
	print_errors(errs);
	for (size_t i = 0; i < n; i++) {
		printf("module %s %s (%s)\n", list[i]->name, list[i]->version, list[i]->path);
		manifest_free(list[i]);
	}
	free(list);
	if (!ret)
		daemon_config_free(&cfg);
	ret = strv_len(errs) ? 1 : 0;
	printf("%s: %zu module(s), %zu problem(s)\n", config_dir, n, strv_len(errs));
	strv_free(errs);
	return ret;
}

int cli_audit_verify(const char *config_dir, const char *pubkey, char **files, int n)
{
	char **errs = calloc(1, sizeof(char *)), path[PATH_MAX], why[512];
	struct pubkey key;
	struct audit_report rep = { 0 };
	const uint8_t *pk = NULL;
	uint64_t total = 0;
	int ret = 0;

	if (crypto_setup())
		return 1;
	if (!pubkey) {
		snprintf(path, sizeof(path), "%s/audit.pub", config_dir);
		pubkey = path;
	}
	if (pubkey_load(pubkey, &key, &errs)) {
		print_errors(errs);
		fprintf(stderr, "logosd: without the audit public key checkpoint signatures cannot be checked\n");
	} else {
		pk = key.pk;
	}
	for (int i = 0; i < n && !ret; i++) {
		uint8_t prev[HASH_BYTES];
		uint64_t prev_seq = rep.last_seq;

		memcpy(prev, rep.last_hash, HASH_BYTES);
		ret = audit_verify_file(files[i], pk, i ? prev : NULL, prev_seq, &rep, why, sizeof(why));
		if (ret) {
			fprintf(stderr, "%s: TAMPERED: %s\n", files[i], why);
			break;
		}
		total += rep.records;
		printf("%s: intact: records %llu..%llu, %llu checkpoint(s)%s\n", files[i],
		       (unsigned long long)rep.first_seq, (unsigned long long)rep.last_seq,
		       (unsigned long long)rep.checkpoints,
		       rep.continues && i == 0 ? "; continues an earlier file not given" : "");
	}
	if (!ret && rep.uncovered)
		printf("note: the last %llu record(s) come after the last signed checkpoint: an attacker could have cut them off unnoticed\n",
		       (unsigned long long)rep.uncovered);
	if (!ret && !pk)
		ret = 1;
	strv_free(errs);
	return ret ? 1 : 0;
}
