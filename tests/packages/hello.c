// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The module of the package test: built inside the guest against the
 * installed liblogos-dev (pkg-config), run by the installed logosd. It
 * records in its state directory that it ran, as which module and uid,
 * and whether the kernel sees it RUNNING, then serves until TERMINATE.
 */
#include <logos/logos.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	struct logos_module_info info = { 0 };
	struct logos_module *m;
	char path[4096];
	FILE *f;
	int ret;

	ret = logos_module_init(&m, NULL, NULL, 0);
	if (ret) {
		fprintf(stderr, "hello: %s\n", logos_strerror(ret));
		return 1;
	}
	ret = logos_module_ready(m);
	if (!ret)
		ret = logos_module_get_info(logos_module_fd(m), LOGOS_HANDLE_SELF, &info);
	if (!ret && logos_module_state_dir(m)) {
		snprintf(path, sizeof(path), "%s/ran", logos_module_state_dir(m));
		f = fopen(path, "w");
		if (f) {
			fprintf(f, "name=%s id=%u uid=%u state=%s lib=%s\n", logos_module_name(m),
				logos_module_id(m), (unsigned int)getuid(),
				logos_state_name(info.state), logos_library_version());
			fclose(f);
		}
	}
	if (!ret)
		ret = logos_module_run(m);
	if (ret)
		fprintf(stderr, "hello: %s\n", logos_strerror(ret));
	logos_module_free(m);
	return ret ? 1 : 0;
}
