// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for logosd's other configuration files: logosd.conf
 * (daemon/config.c), public keys (.pub), secret keys (.key) and module
 * signatures (.sig) and key endorsements (.pub.endorsement: a .sig whose
 * trusted comment is "logos-endorse ...") (daemon/sign.c: minisign's format, and the INI one
 * of logosd 0.1 over daemon/inifile.c and libinih). The first input byte
 * picks the file, the rest is its text.
 */
#include "config.h"
#include "fuzz_util.h"
#include "sign.h"
#include "util.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **errors = NULL, path[64];
	int ret, fd;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0: {
		struct daemon_config cfg;

		ret = daemon_config_parse("/etc/logos", "/etc/logos/logosd.conf",
					  (const char *)data + 1, size - 1, &cfg, &errors);
		daemon_config_free(&cfg);
		break;
	}
	case 1: {
		struct pubkey key;

		fd = fuzz_memfd(data + 1, size - 1, path, sizeof(path));
		ret = pubkey_load(path, &key, &errors);
		close(fd);
		break;
	}
	case 2: {
		uint8_t sk[SK_BYTES];

		fd = fuzz_memfd(data + 1, size - 1, path, sizeof(path));
		ret = seckey_load(path, sk, &errors);
		close(fd);
		break;
	}
	default: {
		struct sig_info sig;
		char why[256] = "";

		ret = sig_parse((const char *)data + 1, size - 1, &sig, why, sizeof(why));
		/* Refused with a reason, or accepted without one. */
		if ((ret == 0) != (why[0] == 0))
			abort();
		if (!ret) {
			/* its trusted comment as a key endorsement (trusted.d/endorsed/) */
			struct endorse_claim c;

			ret = endorse_claim_parse(sig.comment, &c, why, sizeof(why));
			if (ret && !why[0])
				abort();
			if (!ret) {
				char back[TRUSTED_COMMENT_MAX];

				if (endorse_claim_format(&c, back, sizeof(back)))
					abort();
			}
		}
		return 0;
	}
	}
	/* Refused with a reason, or accepted without one. */
	if ((ret == 0) != (strv_len(errors) == 0) && ret != -ENOMEM)
		abort();
	strv_free(errors);
	return 0;
}
