// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl services: logosd's service registry, who provides what and
 * who is connected to whom.
 */
#include <stdio.h>

#include "ctl.h"
#include "subcommands.h"

static json_object *array_of(json_object *o, const char *key)
{
	json_object *a;

	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return NULL;
	return a;
}

int services_main(int argc, char *argv[])
{
	json_object *ans, *svcs, *conns;
	size_t i;
	int ret;

	(void)argv;
	if (argc != 1)
		return usage();
	ret = ctl_query("services", NULL, &ans);
	if (ret)
		return ret;
	if (json_out) {
		json_object_object_del(ans, "ok");
		json_print(ans);
		json_object_put(ans);
		return EXIT_OK;
	}
	svcs = array_of(ans, "services");
	conns = array_of(ans, "connections");
	printf("%-24s %-8s %-20s %-7s %7s  %s\n", "SERVICE", "VERSION", "MODULE", "ACTIVE",
	       "CLIENTS", "CAPABILITIES");
	for (i = 0; svcs && i < json_object_array_length(svcs); i++) {
		json_object *s = json_object_array_get_idx(svcs, i);

		printf("%-24s %-8s %-20s %-7s %7lld  %s\n", jstr(s, "service"), jstr(s, "version"),
		       jstr(s, "module"), jbool(s, "active") ? "yes" : "no", jint(s, "clients"),
		       jstr(s, "capabilities"));
	}
	if (!svcs || !json_object_array_length(svcs))
		printf("(no services)\n");
	printf("\n%-20s %-24s %-8s %-20s %s\n", "CLIENT", "SERVICE", "VERSION", "PROVIDER", "STATE");
	for (i = 0; conns && i < json_object_array_length(conns); i++) {
		json_object *s = json_object_array_get_idx(conns, i);

		printf("%-20s %-24s %-8s %-20s %s\n", jstr(s, "client"), jstr(s, "service"),
		       jstr(s, "version"), jstr(s, "provider"), jstr(s, "state"));
	}
	if (!conns || !json_object_array_length(conns))
		printf("(no connections)\n");
	json_object_put(ans);
	return EXIT_OK;
}
