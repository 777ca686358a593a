/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The service registry client: register a service with logosd, look one
 * up by name and version range (Documentation/protocol.md §3, REGISTER,
 * LOOKUP, CONNECT, SERVICE_STATE). liblogos is the reference client.
 *
 * A provider registers "name" with a version (LOGOS_SERVICE_VERSION(major,
 * minor)) and a comma-separated capability list; logosd accepts it only if
 * the module's signed manifest lists the service under `provides`. A
 * client looks it up with the lowest and highest version it accepts and
 * gets a channel endpoint to the best (highest) matching provider; the
 * provider gets the other end through its connect callback
 * (struct logos_module_ops).
 *
 * Thread safety: both are calls on the bootstrap endpoint and may be made
 * from any thread, also while another thread runs the module's loop.
 * Do not make them from a loop callback if logosd might be waiting for
 * that loop (e.g. to answer PAUSE): a single-threaded module should
 * register and look up before logos_module_run().
 */
#ifndef LOGOS_SERVICE_H
#define LOGOS_SERVICE_H

#include <logos/module.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * REGISTER: @caps may be NULL (none). -EPERM when the manifest does not
 * allow it, -EEXIST when this name is registered already.
 */
LOGOS_API int logos_service_register(struct logos_module *m, const char *name, uint32_t version,
				     const char *caps);
/*
 * LOOKUP: @ep gets a new endpoint (the module's: close it when done),
 * @version (may be NULL) the provider's version. -ENOENT when nobody
 * provides a matching version, -EACCES when the policy forbids it.
 */
LOGOS_API int logos_service_lookup(struct logos_module *m, const char *name, uint32_t min_version,
				   uint32_t max_version, logos_handle_t *ep, uint32_t *version);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_SERVICE_H */
