// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for logosd's module manifests (daemon/manifest.c over
 * daemon/inifile.c and libinih). Besides "no crash, no leak": a manifest
 * is accepted with no error reported, or refused with at least one.
 */
#include "config.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m = NULL;
	char **errors = NULL;
	int ret;

	ret = manifest_parse("/etc/logos/modules.d/fuzz.module", (const char *)data, size, &m,
			     &errors);
	if (ret == 0) {
		if (!m || strv_len(errors))
			abort();
		manifest_free(m);
	} else if (!strv_len(errors) && ret != -ENOMEM) {
		abort();	/* refused without a reason */
	}
	strv_free(errors);
	return 0;
}
