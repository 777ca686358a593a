/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one-shot commands of logosd (no daemon): key generation, module
 * signing and verification, configuration check, audit log verification.
 * Each returns an exit status and prints human sentences.
 */
#ifndef LOGOSD_CLI_H
#define LOGOSD_CLI_H

/* MANIFEST.sig for MANIFEST and its executable, with KEY (sign.h). */
int sign_module(const char *key, const char *manifest, char ***errors);
int cli_keygen(const char *prefix, const char *max_trust, const char *comment,
	       const char *not_after);
int cli_sign(const char *key, const char *manifest);
int cli_verify(const char *config_dir, const char *manifest);
int cli_check_config(const char *config_dir);
/* Verifies FILES in order (oldest first), each continuing the one before. */
/* @anchors: a file with "audit-checkpoint seq=N hash=H" lines (the journal), or NULL */
int cli_audit_verify(const char *config_dir, const char *pubkey, const char *anchors,
		     char **files, int n);

#endif
