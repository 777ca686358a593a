// SPDX-License-Identifier: GPL-2.0
/*
 * logosd: the supervisor of Logos modules. Command line, then either a
 * one-shot command (cli.c) or the daemon.
 */
#include "cli.h"
#include "log.h"
#include "sign.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: logosd [--config-dir DIR] [--verbose]     run the supervisor (foreground)\n"
		"       logosd --check-config [--config-dir DIR]  parse logosd.conf and modules.d/\n"
		"       logosd --keygen PREFIX [--max-trust LEVEL] [--comment TEXT]\n"
		"       logosd --sign KEY MANIFEST                write MANIFEST.sig\n"
		"       logosd --verify MANIFEST [--config-dir DIR]\n"
		"       logosd --audit-verify FILE... [--key PUB] oldest file first\n");
}

int main(int argc, char **argv)
{
	enum { OPT_KEYGEN = 256, OPT_SIGN, OPT_VERIFY, OPT_AUDIT_VERIFY, OPT_CHECK,
	       OPT_MAX_TRUST, OPT_COMMENT, OPT_KEY };
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "keygen", required_argument, NULL, OPT_KEYGEN },
		{ "sign", required_argument, NULL, OPT_SIGN },
		{ "verify", required_argument, NULL, OPT_VERIFY },
		{ "audit-verify", no_argument, NULL, OPT_AUDIT_VERIFY },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "max-trust", required_argument, NULL, OPT_MAX_TRUST },
		{ "comment", required_argument, NULL, OPT_COMMENT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_dir = "/etc/logos", *keygen_prefix = NULL, *sign_key = NULL;
	const char *verify = NULL, *max_trust = NULL, *comment = NULL, *key = NULL;
	bool audit_verify = false, check = false, verbose = false;
	int c;

	log_init();
	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_dir = optarg; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		case OPT_KEYGEN: keygen_prefix = optarg; break;
		case OPT_SIGN: sign_key = optarg; break;
		case OPT_VERIFY: verify = optarg; break;
		case OPT_AUDIT_VERIFY: audit_verify = true; break;
		case OPT_CHECK: check = true; break;
		case OPT_MAX_TRUST: max_trust = optarg; break;
		case OPT_COMMENT: comment = optarg; break;
		case OPT_KEY: key = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (keygen_prefix || sign_key) {
		if (crypto_setup()) {
			fprintf(stderr, "logosd: libsodium cannot start\n");
			return 1;
		}
	}
	if (keygen_prefix)
		return cli_keygen(keygen_prefix, max_trust, comment);
	if (sign_key) {
		if (optind != argc - 1) {
			usage(stderr);
			return 2;
		}
		return cli_sign(sign_key, argv[optind]);
	}
	if (verify)
		return cli_verify(config_dir, verify);
	if (check)
		return cli_check_config(config_dir);
	if (audit_verify) {
		if (optind >= argc) {
			usage(stderr);
			return 2;
		}
		return cli_audit_verify(config_dir, key, argv + optind, argc - optind);
	}
	(void)verbose;
	fprintf(stderr, "logosd: the supervisor itself is not built yet\n");
	return 1;
}
