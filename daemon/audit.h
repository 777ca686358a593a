/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The audit log (NFR-009): one JSON object per line, hash-chained with
 * BLAKE2b-256, with Ed25519-signed checkpoints and size-based rotation.
 *
 *	{"seq":N,"time":"…Z","type":"…","prev":"<hash of record N-1>",…,"hash":"H"}
 *
 * H is BLAKE2b-256 of the line's bytes before ',"hash":'. A checkpoint
 * record ("type":"checkpoint") also carries "key" (the audit key's id) and
 * "sig": Ed25519 over "logos-audit-checkpoint-v1\n" H. Every file starts
 * with a checkpoint; rotation ends a file with one and starts the next
 * with one whose "prev" continues the chain. Details and what the verifier
 * can and cannot detect: Documentation/configuration.md, section Audit.
 */
#ifndef LOGOSD_AUDIT_H
#define LOGOSD_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sign.h"

/* What one module may write (rate limit): a token bucket per module. */
struct audit_rate {
	char module[64];
	uint64_t tokens_milli;	/* tokens x 1000 */
	uint64_t last_ms;
	uint64_t suppressed;	/* records not written since the last "suppressed" */
	uint64_t suppressed_since_ms;
	uint64_t warned_ms;	/* logosd's own log said so (once a minute) */
};

struct audit {
	int fd;
	char *path;
	uint64_t seq;
	uint8_t last[HASH_BYTES];
	uint64_t size;
	bool have_key;
	uint8_t *sk;		/* SK_BYTES, sodium_malloc()ed: locked, guarded, not in dumps */
	char key_id[KEY_ID_LEN + 1];
	unsigned int since_checkpoint;
	uint64_t last_checkpoint_ms;
	uint64_t max_size, interval_ms;
	unsigned int keep, every;
	/* per-module rate limit: records per second and burst (0: none) */
	unsigned int mod_rate, mod_burst;
	struct audit_rate *rates;
	size_t nr_rates;
	/* All Keep rotated files exist: nothing is deleted, module records
	 * are counted, not written, until the operator archives the oldest. */
	bool full;
	uint64_t full_checked_ms, full_suppressed;
	/* the clock of the rate limit (now_ms; tests set their own) */
	uint64_t (*clock)(void);
	/* Called with each record written (without its newline), for the
	 * control socket's subscribers. */
	void (*tap)(const char *line, size_t len);
};

struct audit_cfg {
	const char *path;
	const char *key_path;	/* secret key; created (with .pub) if missing */
	uint64_t max_size;
	unsigned int keep;
	unsigned int every;	/* records between checkpoints */
	uint64_t interval_ms;	/* time between checkpoints */
	unsigned int mod_rate;	/* records per second one module may cause (0: no limit) */
	unsigned int mod_burst;
};

/* Opens (or creates) the log and continues its chain. */
int audit_open(struct audit *a, const struct audit_cfg *cfg, char *why, size_t cap);
/* A checkpoint, then closes. */
void audit_close(struct audit *a);
/*
 * Appends a record of @type with @members, a JSON member list without
 * braces ("\"module\":\"x\",\"to\":\"RUNNING\"", may be NULL or "").
 * Writes a checkpoint when one is due and rotates when the file is full.
 */
int audit_append(struct audit *a, const char *type, const char *members);
/* The same, with members from NULL-terminated key, value string pairs. */
int audit_log(struct audit *a, const char *type, ...) __attribute__((sentinel));
/*
 * A record a module's behaviour causes (a denial, a quota hit): counted
 * against @module's rate (ModuleRate/ModuleBurst) and, while the log is
 * full, only counted. What is not written is reported by one
 * {"type":"suppressed","module":M,"records":"N"} record once the module
 * is below its rate again (or a second later, from audit_tick()).
 * -EDQUOT when the record was suppressed.
 */
int audit_log_module(struct audit *a, const char *module, const char *type, ...)
	__attribute__((sentinel));
int audit_checkpoint(struct audit *a, const char *reason);
/* Time-based checkpoint when due. */
void audit_tick(struct audit *a, uint64_t now_ms);
/* When audit_tick() has work next (UINT64_MAX: none), so logosd sleeps till then. */
uint64_t audit_next_deadline(const struct audit *a);

/* Checkpoints known from elsewhere (the journal): the log must hold them. */
struct audit_anchor {
	uint64_t seq;
	uint8_t hash[HASH_BYTES];
	bool seen;		/* found, with this hash */
	bool mismatch;		/* found with another hash */
};

struct audit_report {
	uint64_t records, checkpoints, first_seq, last_seq;
	/* "damaged" records: logosd found the end of the log broken and set it aside */
	uint64_t damaged;
	char damage[256];
	uint64_t uncovered;	/* records after the last signed checkpoint */
	bool continues;		/* the first record continues an earlier file */
	uint8_t first_prev[HASH_BYTES], last_hash[HASH_BYTES];
};

/*
 * Verifies one file: every hash, the chain, sequence numbers, and with
 * @pk every checkpoint signature. With @prev (the last hash of the file
 * before it) the first record must continue it. 0, or -EBADMSG with the
 * line and the reason in @why.
 */
int audit_verify_file(const char *path, const uint8_t *pk, const uint8_t *prev,
		      uint64_t prev_seq, struct audit_report *rep, char *why, size_t cap);
/* The same, marking each of @anchors found (seen) or found rewritten (mismatch). */
int audit_verify_anchored(const char *path, const uint8_t *pk, const uint8_t *prev,
			  uint64_t prev_seq, struct audit_anchor *anchors, size_t nr_anchors,
			  struct audit_report *rep, char *why, size_t cap);

#endif
