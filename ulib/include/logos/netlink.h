/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Queries of logos.ko over generic netlink (family "logos", libnl-genl-3):
 * version, modules, handle tables, memory grants between modules, global
 * statistics, quotas, and the "events" multicast group. Every command needs CAP_NET_ADMIN (-EPERM
 * otherwise); -ENOENT when logos.ko is not loaded. Errors are the
 * kernel's own errnos (not libnl's codes).
 *
 * Thread safety: a struct logos_nl is one netlink socket: use it from one
 * thread at a time (or open one per thread).
 */
#ifndef LOGOS_NETLINK_H
#define LOGOS_NETLINK_H

#include <logos/core.h>

#ifdef __cplusplus
extern "C" {
#endif

struct logos_nl;

/* One module, as LOGOS_CMD_GET_MODULE describes it. */
struct logos_nl_module {
	uint32_t id;
	uint32_t state;		/* enum logos_module_state */
	uint32_t trust_level;
	uint32_t pid;		/* initial pid namespace; 0 if unbound */
	uint32_t exit_flags;
	char name[LOGOS_NAME_MAX];
	uint64_t cpu_ns;
	uint64_t denied_rights;
	uint64_t denied_quota;
	uint64_t msgs_sent;
	uint64_t bytes_sent;
	uint64_t msgs_received;
	uint64_t bytes_received;
	uint64_t usage[LOGOS_RES_COUNT];
	uint64_t limit[LOGOS_RES_COUNT];	/* LOGOS_LIMIT_UNLIMITED for none */
};

/* One handle of a module's table (LOGOS_CMD_GET_HANDLES). */
struct logos_nl_handle {
	uint32_t value;
	uint32_t type;		/* enum logos_object_type */
	uint32_t rights;
	uint32_t flags;		/* LOGOS_HANDLE_F_REVOKED */
	uint64_t object_id;
	uint64_t cap_id;
	uint64_t parent_cap_id;
};

/* One (granter, grantee) pair of LOGOS_CMD_GET_GRANTS. */
struct logos_nl_grant {
	uint32_t from;		/* module id of the granter, 0 for a supervisor */
	uint32_t to;		/* module id of the grantee, 0 for a supervisor */
	uint32_t handles;	/* memory handles from @from alive in @to's table */
	uint64_t pages;		/* the pages of their objects */
};

/* LOGOS_CMD_GET_STATS. */
struct logos_nl_stats {
	uint64_t modules, objects, handles;	/* live now */
	uint64_t events_sent;			/* since load */
	uint64_t max_modules, max_objects, max_handles;
};

/* One message of the "events" group; unused fields are 0. */
struct logos_nl_event {
	uint32_t type;		/* enum logos_event_type */
	uint32_t module_id;	/* 0: a supervisor caused it */
	uint64_t seq;		/* +1 per event: a gap means events were lost */
	uint64_t time_ns;	/* CLOCK_MONOTONIC */
	char module_name[LOGOS_NAME_MAX];
	uint32_t state, state_old, exit_flags;	/* LOGOS_EVENT_STATE */
	uint32_t resource;			/* quota events */
	uint64_t usage, limit;
	uint64_t object_id;			/* REVOKE, RIGHTS_DENIED */
	uint32_t count;				/* REVOKE */
	uint32_t rights;			/* RIGHTS_DENIED */
};

/* A socket for queries: resolves the family. */
LOGOS_API int logos_nl_open(struct logos_nl **nl);
/* A socket that listens to the "events" group (non-blocking). */
LOGOS_API int logos_nl_open_events(struct logos_nl **nl);
LOGOS_API void logos_nl_close(struct logos_nl *nl);
/* The socket's fd, to poll an events socket (readable = events). */
LOGOS_API int logos_nl_fd(const struct logos_nl *nl);

LOGOS_API int logos_nl_get_version(struct logos_nl *nl, struct logos_version *ver);
LOGOS_API int logos_nl_get_module(struct logos_nl *nl, uint32_t module_id,
				  struct logos_nl_module *mod);
/* Every module: *@mods is malloc()ed (free() it), *@count its length. */
LOGOS_API int logos_nl_list_modules(struct logos_nl *nl, struct logos_nl_module **mods,
				    size_t *count);
/* A module's handle table: as above. */
LOGOS_API int logos_nl_list_handles(struct logos_nl *nl, uint32_t module_id,
				    struct logos_nl_handle **handles, size_t *count);
/* Who holds memory granted by whom: as logos_nl_list_modules(). */
LOGOS_API int logos_nl_list_grants(struct logos_nl *nl, struct logos_nl_grant **grants,
				   size_t *count);
LOGOS_API int logos_nl_get_stats(struct logos_nl *nl, struct logos_nl_stats *stats);
LOGOS_API int logos_nl_set_quota(struct logos_nl *nl, uint32_t module_id, uint32_t resource,
				 uint64_t limit);

typedef void (*logos_nl_event_fn)(const struct logos_nl_event *ev, void *arg);
/*
 * Reads the events waiting on an events socket, calling @fn for each;
 * returns how many, 0 when none was waiting, -ENOBUFS when the socket
 * overflowed (events were lost; reading goes on after it).
 */
LOGOS_API int logos_nl_read_events(struct logos_nl *nl, logos_nl_event_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_NETLINK_H */
