// SPDX-License-Identifier: GPL-2.0
/*
 * The audit log of logosd (daemon/audit.c): the chain verifies, and an
 * edit, a deletion, a reordering, a forged checkpoint or a broken
 * continuation across rotated files is detected.
 */
#include "daemon_test.h"
#include "audit.h"
#include "cli.h"
#include "json.h"
#include "sign.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/logosd-audit-XXXXXX";
static char logpath[256], keypath[256], pubpath[256];
static uint8_t pk[PK_BYTES];

static char **lines_of(const char *path)
{
	char *data, **v = calloc(1, sizeof(char *)), *save = NULL;
	size_t len;

	if (read_file(path, &data, &len, 1 << 24))
		return v;
	for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		strv_push(&v, l);
	free(data);
	return v;
}

static void write_lines(const char *path, char **v)
{
	FILE *f = fopen(path, "w");

	for (size_t i = 0; v[i]; i++)
		fprintf(f, "%s\n", v[i]);
	fclose(f);
}

static int verify(const char *path, char *why, size_t cap)
{
	struct audit_report rep;

	return audit_verify_file(path, pk, NULL, 0, &rep, why, cap);
}

/* Copies the log, applies @edit to its lines, verifies the copy. */
static int tampered(void (*edit)(char **v), char *why, size_t cap)
{
	char copy[300];
	char **v = lines_of(logpath);
	int ret;

	snprintf(copy, sizeof(copy), "%s.copy", logpath);
	edit(v);
	write_lines(copy, v);
	strv_free(v);
	ret = verify(copy, why, cap);
	printf("# %s\n", why);
	return ret;
}

static void edit_byte(char **v)
{
	char *p = strstr(v[3], "\"module\":\"m");

	if (p)
		p[10] = 'X';	/* m... -> X... */
}

static void delete_line(char **v)
{
	free(v[4]);
	memmove(&v[4], &v[5], (strv_len(v) - 4) * sizeof(char *));
}

static void swap_lines(char **v)
{
	char *t = v[3];

	v[3] = v[4];
	v[4] = t;
}

static void delete_head(char **v)
{
	free(v[0]);
	memmove(&v[0], &v[1], strv_len(v) * sizeof(char *));
}

/*
 * A copy of the log with a NUL byte appended to line 4 (before its
 * newline), verified. Found by tests/libfuzzer: the reader looked for the
 * newline with strchr() and stopped at the NUL (a NULL dereference); and
 * whatever follows a NUL is covered by no hash.
 */
static int nul_in_line(char *why, size_t cap)
{
	char copy[300], *data, *p = NULL;
	size_t len;
	FILE *f;
	int ret, n = 0;

	if (read_file(logpath, &data, &len, 1 << 24))
		return -EIO;
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n' && ++n == 4)
			p = data + i;
	snprintf(copy, sizeof(copy), "%s.nul", logpath);
	f = fopen(copy, "w");
	if (!f || !p) {
		free(data);
		return -EIO;
	}
	fwrite(data, 1, p - data, f);
	fputc(0, f);
	fwrite(p, 1, len - (p - data), f);
	fclose(f);
	free(data);
	ret = verify(copy, why, cap);
	printf("# %s\n", why);
	return ret;
}

static void forge_checkpoint(char **v)
{
	/* flip one hex digit of the first checkpoint's signature */
	char *p = strstr(v[0], "\"sig\":\"");

	if (p)
		p[7] = p[7] == '0' ? '1' : '0';
}

static uint64_t fake_now;
static uint64_t fake_clock(void)
{
	return fake_now;
}

/* How many records of @type (and, if given, containing @needle) @path has. */
static int count_type(const char *path, const char *type, const char *needle)
{
	char **v = lines_of(path), pat[64];
	int n = 0;

	snprintf(pat, sizeof(pat), "\"type\":\"%s\"", type);
	for (size_t i = 0; v[i]; i++)
		n += strstr(v[i], pat) && (!needle || strstr(v[i], needle));
	strv_free(v);
	return n;
}

/* "audit-checkpoint seq=N hash=H" lines, as logosd logs them to the journal. */
static void write_anchors(const char *log, const char *out)
{
	char **v = lines_of(log);
	FILE *f = fopen(out, "w");

	for (size_t i = 0; v[i]; i++) {
		struct jobj o;
		int64_t seq;

		if (!strstr(v[i], "\"type\":\"checkpoint\"") ||
		    json_parse_object(v[i], strlen(v[i]), &o))
			continue;
		if (!jobj_int(&o, "seq", &seq))
			fprintf(f, "Dec 07 logosd[1]: logosd notice: audit-checkpoint seq=%lld hash=%s\n",
				(long long)seq, jobj_str(&o, "hash"));
		jobj_free(&o);
	}
	fclose(f);
	strv_free(v);
}

int main(void)
{
	struct audit a;
	struct audit_cfg cfg = { 0 };
	struct pubkey key;
	struct audit_report rep;
	char why[512], **errs = calloc(1, sizeof(char *));
	int ret;

	CHECK(crypto_setup() == 0, "libsodium starts");
	if (!mkdtemp(dir))
		return 1;
	snprintf(logpath, sizeof(logpath), "%s/log/audit.log", dir);
	snprintf(keypath, sizeof(keypath), "%s/audit.key", dir);
	snprintf(pubpath, sizeof(pubpath), "%s/audit.pub", dir);
	cfg.path = logpath;
	cfg.key_path = keypath;
	cfg.max_size = 1 << 20;
	cfg.keep = 3;
	cfg.every = 4;

	ret = audit_open(&a, &cfg, why, sizeof(why));
	CHECK(ret == 0, "the log opens and the key is created (%s)", ret ? why : "ok");
	CHECK(pubkey_load(pubpath, &key, &errs) == 0, "the audit public key is readable");
	memcpy(pk, key.pk, PK_BYTES);
	for (int i = 0; i < 10; i++) {
		char m[16];

		snprintf(m, sizeof(m), "m%d", i);
		audit_log(&a, "lifecycle", "module", m, "to", "RUNNING", "why", "quote \" and \\ and \n",
			  NULL);
	}
	audit_close(&a);
	ret = verify(logpath, why, sizeof(why));
	CHECK(ret == 0, "an untouched log verifies (%s)", ret ? why : "ok");
	audit_verify_file(logpath, pk, NULL, 0, &rep, why, sizeof(why));
	CHECK(rep.records == 10 + 1 + 2 + 1 && rep.checkpoints == 4 && rep.uncovered == 0,
	      "records: 10 + start + 2 periodic + close checkpoints, all covered (%llu, %llu)",
	      (unsigned long long)rep.records, (unsigned long long)rep.checkpoints);

	/* reopen continues the chain */
	ret = audit_open(&a, &cfg, why, sizeof(why));
	audit_log(&a, "admin", "command", "list", NULL);
	audit_close(&a);
	ret = verify(logpath, why, sizeof(why));
	CHECK(ret == 0, "the chain continues after a reopen (%s)", ret ? why : "ok");

	CHECK(tampered(edit_byte, why, sizeof(why)) == -EBADMSG && strstr(why, "line 4") &&
	      strstr(why, "does not match its hash"), "an edited record is detected");
	CHECK(tampered(delete_line, why, sizeof(why)) == -EBADMSG && strstr(why, "line 5") &&
	      strstr(why, "records deleted"), "a deleted record is detected");
	CHECK(tampered(swap_lines, why, sizeof(why)) == -EBADMSG && strstr(why, "line 4"),
	      "reordered records are detected");
	CHECK(tampered(delete_head, why, sizeof(why)) == -EBADMSG, "deleting the start is detected");
	CHECK(nul_in_line(why, sizeof(why)) == -EBADMSG && strstr(why, "line 4") &&
	      strstr(why, "NUL"), "a NUL byte in a record is refused");
	CHECK(tampered(forge_checkpoint, why, sizeof(why)) == -EBADMSG &&
	      strstr(why, "no valid signature"), "a forged checkpoint signature is detected");

	/* rotation: small files chain across rotations */
	{
		char p1[300], p2[300];
		struct audit_report r0, r1;

		unlink(logpath);
		cfg.max_size = 4096;
		cfg.every = 1000;
		audit_open(&a, &cfg, why, sizeof(why));
		for (int i = 0; i < 40; i++)
			audit_log(&a, "quota", "module", "m", "resource", "handles", NULL);
		audit_close(&a);
		snprintf(p1, sizeof(p1), "%s.1", logpath);
		snprintf(p2, sizeof(p2), "%s.2", logpath);
		CHECK(access(p1, F_OK) == 0 && access(p2, F_OK) == 0, "the log rotated");
		ret = audit_verify_file(p1, pk, NULL, 0, &r0, why, sizeof(why));
		CHECK(ret == 0 && r0.continues, "a rotated file verifies alone (%s)",
		      ret ? why : "ok");
		ret = audit_verify_file(logpath, pk, r0.last_hash, r0.last_seq, &r1, why, sizeof(why));
		CHECK(ret == 0, "the current file continues the rotated one (%s)", ret ? why : "ok");
		ret = audit_verify_file(logpath, pk, NULL, 0, &r1, why, sizeof(why));
		ret = audit_verify_file(p2, pk, r1.last_hash, r1.last_seq, &r0, why, sizeof(why));
		CHECK(ret == -EBADMSG && strstr(why, "does not continue"),
		      "files out of order are detected");

		/* logosd --audit-verify over every file, oldest first */
		char *files[8], names[8][300], pub[300];
		int n = 0;

		snprintf(pub, sizeof(pub), "%s", pubpath);
		for (int k = (int)cfg.keep; k >= 1; k--) {
			snprintf(names[n], sizeof(names[n]), "%s.%d", logpath, k);
			if (access(names[n], F_OK) == 0) {
				files[n] = names[n];
				n++;
			}
		}
		files[n++] = logpath;
		fflush(stdout);
		CHECK(n >= 3 && cli_audit_verify(dir, pub, NULL, files, n) == 0,
		      "the verifier checks the chain across all %d files", n);
		fflush(stdout);
		CHECK(cli_audit_verify(dir, pub, NULL, files + 1, n - 1) == 0,
		      "a verification may start at any kept file (older ones rotated away)");
		files[1] = files[0];
		fflush(stdout);
		CHECK(cli_audit_verify(dir, pub, NULL, files + 1, n - 1) == 1,
		      "a rotated file deleted from the middle is detected");
	}

	/* time-based checkpoints (CheckpointInterval) */
	{
		cfg.max_size = 1 << 20;
		cfg.every = 1000;
		cfg.interval_ms = 60000;
		audit_open(&a, &cfg, why, sizeof(why));
		audit_log(&a, "quota", "module", "m", NULL);
		audit_tick(&a, a.last_checkpoint_ms + 59999);
		CHECK(a.since_checkpoint == 1, "no checkpoint before the interval");
		audit_tick(&a, a.last_checkpoint_ms + 60000);
		CHECK(a.since_checkpoint == 0, "a checkpoint once the interval passed");
		audit_tick(&a, a.last_checkpoint_ms + 120000);
		CHECK(a.since_checkpoint == 0, "none for an idle log (nothing new to cover)");
		audit_log(&a, "quota", "module", "m", NULL);
		audit_tick(&a, a.last_checkpoint_ms + 60000);
		audit_close(&a);
		ret = audit_verify_file(logpath, pk, NULL, 0, &rep, why, sizeof(why));
		CHECK(ret == 0 && rep.uncovered == 0, "the log verifies, every record covered (%s)",
		      ret ? why : "ok");
	}

	/* per-module rate limit (ModuleRate, ModuleBurst) */
	{
		int written = 0, refused = 0;

		unlink(logpath);
		cfg.max_size = 1 << 20;
		cfg.every = 1000;
		cfg.interval_ms = 0;
		cfg.mod_rate = 2;
		cfg.mod_burst = 3;
		audit_open(&a, &cfg, why, sizeof(why));
		a.clock = fake_clock;
		fake_now = 1000000;
		for (int i = 0; i < 10; i++) {
			ret = audit_log_module(&a, "flood", "deny", "module", "flood", NULL);
			written += ret == 0;
			refused += ret == -EDQUOT;
		}
		CHECK(written == 3 && refused == 7,
		      "a module's burst of 10 denials: 3 written (ModuleBurst), 7 refused with EDQUOT (%d, %d)",
		      written, refused);
		CHECK(audit_log_module(&a, "quiet", "deny", "module", "quiet", NULL) == 0,
		      "another module is not limited by the flood");
		CHECK(audit_log(&a, "admin", "command", "list", NULL) == 0,
		      "logosd's own records are not limited");
		fake_now += 500;	/* one token at 2/s */
		CHECK(audit_log_module(&a, "flood", "deny", "module", "flood", NULL) == 0,
		      "the rate refills: one record half a second later");
		audit_close(&a);
		CHECK(count_type(logpath, "suppressed", "\"records\":\"7\"") == 1,
		      "and before it a \"suppressed\" record counts the 7 not written");
		CHECK(count_type(logpath, "deny", "flood") == 4, "4 flood records in the log in all");
		ret = verify(logpath, why, sizeof(why));
		CHECK(ret == 0, "the log with suppressed records verifies (%s)", ret ? why : "ok");

		/* a module that goes quiet: audit_tick reports its count a second later */
		unlink(logpath);
		audit_open(&a, &cfg, why, sizeof(why));
		a.clock = fake_clock;
		for (int i = 0; i < 5; i++)
			audit_log_module(&a, "burst", "quota", "module", "burst", NULL);
		audit_tick(&a, fake_now + 999);
		CHECK(count_type(logpath, "suppressed", NULL) == 0, "no report before a second");
		audit_tick(&a, fake_now + 1000);
		CHECK(count_type(logpath, "suppressed", "\"records\":\"2\"") == 1,
		      "audit_tick reports the 2 suppressed records of a module gone quiet");
		audit_close(&a);
		cfg.mod_rate = 0;
	}

	/* full: rotation never deletes; module records are counted instead */
	{
		char p1[300], p2[300], aside[320];
		int total = 0, refused = 0;

		unlink(logpath);
		snprintf(p1, sizeof(p1), "%s.1", logpath);
		snprintf(p2, sizeof(p2), "%s.2", logpath);
		unlink(p1);
		unlink(p2);
		cfg.max_size = 4096;
		cfg.keep = 2;
		cfg.every = 1000;
		audit_open(&a, &cfg, why, sizeof(why));
		for (int i = 0; i < 200; i++) {
			ret = audit_log_module(&a, "flood", "deny", "module", "flood", "what", "x", NULL);
			total += ret == 0;
			refused += ret == -EDQUOT;
		}
		CHECK(a.full && refused > 0, "a flood fills the log and its 2 rotated files (%d written, %d refused)",
		      total, refused);
		CHECK(count_type(p2, "deny", NULL) + count_type(p1, "deny", NULL) +
		      count_type(logpath, "deny", NULL) == total,
		      "every record written is still there: nothing was deleted");
		CHECK(count_type(logpath, "audit", "\"event\":\"full\"") == 1,
		      "a record says the log is full");
		CHECK(audit_log(&a, "admin", "command", "stop", NULL) == 0 &&
		      count_type(logpath, "admin", "\"command\":\"stop\"") == 1,
		      "logosd's own records are still written while full");
		snprintf(aside, sizeof(aside), "%s.archived", p2);
		rename(p2, aside);
		audit_tick(&a, now_ms() + 5000);
		CHECK(!a.full && access(p2, F_OK) == 0,
		      "once the oldest file is archived, rotation goes on");
		audit_close(&a);
		CHECK(count_type(logpath, "audit", "no longer full") == 1 &&
		      count_type(logpath, "audit", "\"suppressed\"") == 1,
		      "a record says how many module records were not written while full");
		unlink(aside);
		unlink(p1);
		unlink(p2);
		cfg.keep = 3;
		cfg.max_size = 1 << 20;
	}

	/* a damaged end: the chain continues, the damage is on record */
	{
		static const char cutshort[] = "{\"seq\":999,\"type\":\"lifecy";
		char cmd[600], set[64];
		uint64_t last;
		FILE *f;

		unlink(logpath);
		audit_open(&a, &cfg, why, sizeof(why));
		for (int i = 0; i < 5; i++)
			audit_log(&a, "lifecycle", "module", "m", NULL);
		audit_close(&a);
		audit_verify_file(logpath, pk, NULL, 0, &rep, why, sizeof(why));
		last = rep.last_seq;
		f = fopen(logpath, "a");
		fputs(cutshort, f);	/* a write cut short */
		fclose(f);
		ret = audit_open(&a, &cfg, why, sizeof(why));
		CHECK(ret == 0, "logosd opens a log whose last line is cut short (%s)", ret ? why : "ok");
		audit_log(&a, "lifecycle", "module", "after", NULL);
		audit_close(&a);
		memset(&rep, 0, sizeof(rep));
		ret = audit_verify_file(logpath, pk, NULL, 0, &rep, why, sizeof(why));
		CHECK(ret == 0 && rep.first_seq == 1 && rep.damaged == 1,
		      "one chain from record 1 on, with one \"damaged\" record (%s; %s)",
		      ret ? why : "ok", rep.damage);
		snprintf(set, sizeof(set), "after record %llu and set %zu bytes aside",
			 (unsigned long long)last, strlen(cutshort));
		CHECK(count_type(logpath, "damaged", NULL) == 1 && strstr(rep.damage, set),
		      "the damaged record says how many bytes were set aside after record %llu",
		      (unsigned long long)last);
		snprintf(cmd, sizeof(cmd), "cat %s.damaged-* | grep -q '\"seq\":999'", logpath);
		CHECK(system(cmd) == 0, "the cut bytes are kept in %s.damaged-TIME", logpath);
		fflush(stdout);
		{
			char *one[1] = { logpath };

			CHECK(cli_audit_verify(dir, pubpath, NULL, one, 1) == 1,
			      "audit verify fails on a damaged log (it does not verify as intact)");
			fflush(stdout);
		}
		snprintf(cmd, sizeof(cmd), "rm -f %s.damaged-*", logpath);
		CHECK(system(cmd) == 0, "(cleanup)");
	}

	/* anchors: a log cut back to an earlier checkpoint */
	{
		char anchors[300], **v;
		char *one[1] = { logpath };
		size_t n, cut = 0;

		unlink(logpath);
		cfg.every = 4;
		audit_open(&a, &cfg, why, sizeof(why));
		for (int i = 0; i < 20; i++)
			audit_log(&a, "lifecycle", "module", "m", NULL);
		audit_close(&a);
		snprintf(anchors, sizeof(anchors), "%s/journal.txt", dir);
		write_anchors(logpath, anchors);
		fflush(stdout);
		CHECK(cli_audit_verify(dir, pubpath, anchors, one, 1) == 0,
		      "the untouched log holds every checkpoint anchored in the journal");
		/* cut just after the third checkpoint: a valid, signed end */
		v = lines_of(logpath);
		n = 0;
		for (size_t i = 0; v[i]; i++)
			if (strstr(v[i], "\"type\":\"checkpoint\"") && ++n == 3)
				cut = i + 1;
		free(v[cut]);
		v[cut] = NULL;
		write_lines(logpath, v);
		v[cut] = strdup("");
		strv_free(v);
		fflush(stdout);
		CHECK(cli_audit_verify(dir, pubpath, NULL, one, 1) == 0,
		      "without anchors, a log cut back to a checkpoint verifies (the known gap)");
		fflush(stdout);
		CHECK(cli_audit_verify(dir, pubpath, anchors, one, 1) == 1,
		      "with the journal's anchors the cut is found");
		fflush(stdout);
	}
	snprintf(why, sizeof(why), "rm -rf %s", dir);
	CHECK(system(why) == 0, "cleanup");
	strv_free(errs);
	return test_done();
}
