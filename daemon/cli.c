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
#include <time.h>

static void print_errors(char **errs)
{
	for (size_t i = 0; errs && errs[i]; i++)
		fprintf(stderr, "%s\n", errs[i]);
}

int cli_keygen(const char *prefix, const char *max_trust, const char *comment,
	       const char *not_after)
{
	uint32_t level = LOGOS_TRUST_USER;
	time_t until = 0;
	int ret;

	if (max_trust && trust_parse(max_trust, &level)) {
		fprintf(stderr, "logosd: --max-trust must be untrusted, user, system or core\n");
		return 2;
	}
	if (not_after && date_parse_end(not_after, &until)) {
		fprintf(stderr, "logosd: --not-after must be a date, YYYY-MM-DD (UTC)\n");
		return 2;
	}
	ret = keygen_until(prefix, level, comment, until);
	if (ret) {
		fprintf(stderr, "logosd: cannot write %s.key / %s.pub: %s\n", prefix, prefix,
			strerror(-ret));
		return 1;
	}
	printf("wrote %s.key (secret, keep it off the node) and %s.pub (copy it into trusted.d/); modules signed with it may ask for trust up to %s\n",
	       prefix, prefix, trust_name(level));
	return 0;
}

/*
 * Reads the manifest once, hashes its executable and signs the bytes read
 * with a trusted comment naming the module, version, trust level and the
 * executable's hash, into MANIFEST.sig. Problems go to @errors.
 */
int sign_module(const char *key, const char *manifest, char ***errors)
{
	char *data = NULL, *out = NULL, path[PATH_MAX], untrusted[PATH_MAX + 64];
	struct sig_claim claim = { 0 };
	struct manifest *m = NULL;
	size_t len, olen;
	int ret;

	ret = read_file(manifest, &data, &len, SIG_MAX * 4);
	if (ret) {
		config_error(errors, manifest, 0, "cannot read: %s", strerror(-ret));
		goto out;
	}
	ret = manifest_parse(manifest, data, len, &m, errors);
	if (ret) {
		config_error(errors, manifest, 0, "not a valid manifest: nothing signed");
		goto out;
	}
	ret = hash_file(m->executable, claim.binary_hash);
	if (ret) {
		config_error(errors, m->executable, 0, "cannot read the executable: %s",
			     strerror(-ret));
		goto out;
	}
	str_copy(claim.name, sizeof(claim.name), m->name);
	str_copy(claim.version, sizeof(claim.version), m->version);
	str_copy(claim.trust, sizeof(claim.trust), trust_name(m->trust));
	snprintf(untrusted, sizeof(untrusted), "logos module %s %s, executable %s", m->name,
		 m->version, m->executable);
	ret = sign_manifest(key, data, len, &claim, untrusted, &out, &olen, errors);
	if (ret)
		goto out;
	snprintf(path, sizeof(path), "%s.sig", manifest);
	ret = write_file_atomic(path, out, olen, 0644);
	if (ret)
		config_error(errors, path, 0, "cannot write: %s", strerror(-ret));
out:
	manifest_free(m);
	free(data);
	free(out);
	return ret;
}

int cli_sign(const char *key, const char *manifest)
{
	char **errs = calloc(1, sizeof(char *)), sig[PATH_MAX + 8], exe[PATH_MAX];
	int ret;

	if (crypto_setup())
		return 1;
	ret = sign_module(key, manifest, &errs);
	print_errors(errs);
	snprintf(sig, sizeof(sig), "%s.sig", manifest);
	if (!ret) {
		char *data;
		size_t len;

		/* say what the trusted comment binds */
		exe[0] = 0;
		if (!read_file(sig, &data, &len, SIG_MAX)) {
			char *t = strstr(data, "trusted comment: ");

			if (t && t != data && t[-1] == '\n')
				snprintf(exe, sizeof(exe), "%.*s", (int)strcspn(t, "\n"), t);
			free(data);
		}
		printf("signed %s into %s (%s)\n", manifest, sig, exe);
	}
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

/*
 * Anchors: "audit-checkpoint seq=N hash=H" anywhere in a line of @path (logosd
 * logs one per checkpoint, so `journalctl -u logosd` output will do).
 */
static int load_anchors(const char *path, struct audit_anchor **out, size_t *n)
{
	FILE *f = fopen(path, "re");
	char line[1024];

	*out = NULL;
	*n = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "audit-checkpoint seq=");
		unsigned long long seq;
		char hex[2 * HASH_BYTES + 1];
		struct audit_anchor *v;

		if (!p || sscanf(p, "audit-checkpoint seq=%llu hash=%64[0-9a-f]", &seq, hex) != 2)
			continue;
		v = realloc(*out, (*n + 1) * sizeof(**out));
		if (!v)
			break;
		*out = v;
		memset(&v[*n], 0, sizeof(v[*n]));
		v[*n].seq = seq;
		if (!hex_decode(hex, v[*n].hash, HASH_BYTES))
			(*n)++;
	}
	fclose(f);
	return 0;
}

int cli_audit_verify(const char *config_dir, const char *pubkey, const char *anchors,
		     char **files, int n)
{
	char **errs = calloc(1, sizeof(char *)), path[PATH_MAX], why[512];
	struct pubkey key;
	struct audit_report rep = { 0 };
	struct audit_anchor *anc = NULL;
	size_t nr_anc = 0;
	const uint8_t *pk = NULL;
	uint64_t total = 0, first = 0, damaged = 0;
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
	if (anchors && load_anchors(anchors, &anc, &nr_anc)) {
		fprintf(stderr, "logosd: cannot read the anchors in %s: %m\n", anchors);
		strv_free(errs);
		return 1;
	}
	for (int i = 0; i < n && !ret; i++) {
		uint8_t prev[HASH_BYTES];
		uint64_t prev_seq = rep.last_seq;

		memcpy(prev, rep.last_hash, HASH_BYTES);
		ret = audit_verify_anchored(files[i], pk, i ? prev : NULL, prev_seq, anc, nr_anc, &rep,
					    why, sizeof(why));
		if (ret) {
			fprintf(stderr, "%s: TAMPERED: %s\n", files[i], why);
			break;
		}
		if (!i)
			first = rep.first_seq;
		total += rep.records;
		if (rep.damaged) {
			damaged += rep.damaged;
			fprintf(stderr, "%s: DAMAGED: %s\n", files[i], rep.damage);
		}
		printf("%s: %s: records %llu..%llu, %llu checkpoint(s)%s\n", files[i],
		       rep.damaged ? "chain intact, with damage on record" : "intact",
		       (unsigned long long)rep.first_seq, (unsigned long long)rep.last_seq,
		       (unsigned long long)rep.checkpoints,
		       rep.continues && i == 0 ? "; continues an earlier file not given" : "");
	}
	for (size_t i = 0; !ret && i < nr_anc; i++) {
		const struct audit_anchor *an = &anc[i];

		if (an->mismatch) {
			fprintf(stderr, "REWRITTEN: checkpoint %llu is not the one the anchors recorded\n",
				(unsigned long long)an->seq);
			ret = 1;
		} else if (!an->seen && an->seq > rep.last_seq) {
			fprintf(stderr, "CUT: the log ends at record %llu, but checkpoint %llu was anchored: "
				"records after %llu were removed\n", (unsigned long long)rep.last_seq,
				(unsigned long long)an->seq, (unsigned long long)rep.last_seq);
			ret = 1;
		} else if (!an->seen && an->seq >= first) {
			fprintf(stderr, "MISSING: anchored checkpoint %llu is not in the files given\n",
				(unsigned long long)an->seq);
			ret = 1;
		}
	}
	if (!ret && nr_anc)
		printf("anchors: %zu checkpoint(s) from %s checked\n", nr_anc, anchors);
	if (!ret && rep.uncovered)
		printf("note: the last %llu record(s) come after the last signed checkpoint: an attacker could have cut them off unnoticed%s\n",
		       (unsigned long long)rep.uncovered,
		       nr_anc ? " (or back to any checkpoint not anchored)" : "");
	if (!ret && damaged)
		ret = 1;
	if (!ret && !pk)
		ret = 1;
	free(anc);
	strv_free(errs);
	return ret ? 1 : 0;
}
