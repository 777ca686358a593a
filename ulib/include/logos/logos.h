/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * liblogos: the C library for Logos microkernel modules. This header
 * includes every part; each can also be included on its own:
 *
 *	<logos/core.h>		device, ABI, errors, handles, modules, events
 *	<logos/ipc.h>		channels, memory objects, topics, watches
 *	<logos/loop.h>		the event loop (standalone or embedded)
 *	<logos/wire.h>		the versioned wire format
 *	<logos/rpc.h>		receiving, request/response, dispatch tables
 *	<logos/pubsub.h>	publish/subscribe helpers
 *	<logos/buffer.h>	zero-copy buffers (memory grants)
 *	<logos/bootstrap.h>	the logosd protocol's constants
 *	<logos/module.h>	the module runtime (logos_module_init() ...)
 *	<logos/service.h>	the service registry client
 *	<logos/secure.h>	identities and secure channels (libsodium)
 *	<logos/netlink.h>	netlink queries (libnl-genl-3)
 *	<logos/mapped.h>	mapped channels: shared-memory rings between two modules
 *
 * Build with `pkg-config --cflags --libs liblogos`. Documentation:
 * Documentation/api.md (every function), Documentation/plugin-guide.md
 * (writing a module step by step), Documentation/wire-format.md.
 */
#ifndef LOGOS_LOGOS_H
#define LOGOS_LOGOS_H

#include <logos/core.h>
#include <logos/ipc.h>
#include <logos/loop.h>
#include <logos/wire.h>
#include <logos/rpc.h>
#include <logos/pubsub.h>
#include <logos/buffer.h>
#include <logos/bootstrap.h>
#include <logos/module.h>
#include <logos/service.h>
#include <logos/secure.h>
#include <logos/netlink.h>
#include <logos/mapped.h>

#endif /* LOGOS_LOGOS_H */
