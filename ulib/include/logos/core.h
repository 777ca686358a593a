/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * liblogos core: opening logos.ko, the ABI check, errors, handles, module
 * objects, events and waits. One typed function per kernel operation.
 *
 * Conventions of every liblogos function
 * --------------------------------------
 * - Returns 0 (or a count / length, where said) on success and a negative
 *   errno on failure; errno itself is left alone. logos_strerror() turns
 *   the value into a sentence saying what went wrong and what to do.
 * - `fd` is a logos file: /dev/logos (a supervisor, see logos_open()) or a
 *   module file (what logosd hands a module, see logos_module_init()).
 *   Handles are per file: a handle value means nothing on another file.
 * - Out-parameters are written only on success.
 * - Timeouts are relative, in nanoseconds: 0 never waits,
 *   LOGOS_TIMEOUT_INFINITE (-1) waits for ever.
 *
 * Thread safety
 * -------------
 * Every function in this header and in <logos/ipc.h> is a single system
 * call on state the kernel serialises: any thread may call any of them at
 * any time, on the same file and the same handles. Objects of liblogos
 * (loops, rx buffers, writers, servers, secure channels, netlink sockets)
 * say in their own header who may use them and when.
 */
#ifndef LOGOS_CORE_H
#define LOGOS_CORE_H

#include <linux/logos.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LOGOS_BUILDING_LIBRARY)
#define LOGOS_API __attribute__((visibility("default")))
#else
#define LOGOS_API
#endif

/* The library's own version (not the kernel ABI): see ulib/README.md. */
#define LOGOS_LIB_VERSION_MAJOR	1
#define LOGOS_LIB_VERSION_MINOR	0
#define LOGOS_LIB_VERSION_PATCH	0

typedef uint32_t logos_handle_t;

#define LOGOS_NSEC_PER_MSEC	1000000LL
#define LOGOS_NSEC_PER_SEC	1000000000LL

/* ---- the library, the device, the ABI ------------------------------ */

/* "1.0.0": the version of the liblogos that is running. */
LOGOS_API const char *logos_library_version(void);

/*
 * Opens /dev/logos (O_RDWR | O_CLOEXEC) as a supervisor: needs root
 * (CAP_SYS_ADMIN). Returns the file descriptor or -errno.
 */
LOGOS_API int logos_open(void);

/* LOGOS_IOC_VERSION: the ABI of the running logos.ko. */
LOGOS_API int logos_get_version(int fd, struct logos_version *ver);

/*
 * 0 when the running logos.ko speaks the ABI major version liblogos was
 * built for (LOGOS_ABI_MAJOR), -EPROTO when it does not.
 */
LOGOS_API int logos_check_abi(int fd);

/*
 * What @err (negative or positive errno) means for a liblogos or logos.ko
 * caller and what to do about it, in one sentence. Never NULL. The string
 * is static, except for errnos liblogos does not know, which are described
 * in a per-thread buffer valid until the thread's next call.
 */
LOGOS_API const char *logos_strerror(int err);

/* ---- handles -------------------------------------------------------- */

/* LOGOS_IOC_HANDLE_DUPLICATE: @rights a subset, or LOGOS_RIGHTS_SAME. */
LOGOS_API int logos_handle_duplicate(int fd, logos_handle_t h, uint32_t rights,
				     logos_handle_t *copy);
/* LOGOS_IOC_HANDLE_REPLACE: shrink @h's rights in place. */
LOGOS_API int logos_handle_replace(int fd, logos_handle_t h, uint32_t rights);
/* LOGOS_IOC_HANDLE_CLOSE: works on revoked handles too. */
LOGOS_API int logos_handle_close(int fd, logos_handle_t h);
/* LOGOS_IOC_HANDLE_INFO. */
LOGOS_API int logos_handle_info(int fd, logos_handle_t h, struct logos_handle_info *info);
/* LOGOS_IOC_HANDLE_REVOKE: @revoked (may be NULL) gets the count. */
LOGOS_API int logos_handle_revoke(int fd, logos_handle_t h, uint32_t *revoked);
/*
 * LOGOS_IOC_HANDLE_GIVE: puts @h into @module's table (@module needs
 * CONTROL). @flags: LOGOS_GIVE_MOVE or 0. @given (may be NULL): the value
 * in the receiver's table.
 */
LOGOS_API int logos_handle_give(int fd, logos_handle_t module, logos_handle_t h,
				uint32_t rights, uint32_t flags, logos_handle_t *given);

/* ---- module objects (supervisor side, and a module about itself) ---- */

/*
 * LOGOS_IOC_MODULE_CREATE [supervisor]. @limits: NULL for the defaults, or
 * LOGOS_RES_COUNT entries. Any of @module, @module_fd, @module_id may be
 * NULL. The module file is O_CLOEXEC.
 */
LOGOS_API int logos_module_create(int fd, const char *name, uint32_t trust_level,
				  const uint64_t *limits, logos_handle_t *module,
				  int *module_fd, uint32_t *module_id);
/* LOGOS_IOC_MODULE_SET_STATE: a transition of the table in logos.h. */
LOGOS_API int logos_module_set_state(int fd, logos_handle_t module, uint32_t state);
/* LOGOS_IOC_MODULE_SET_QUOTA. */
LOGOS_API int logos_module_set_quota(int fd, logos_handle_t module, uint32_t resource,
				     uint64_t limit);
/* LOGOS_IOC_MODULE_INFO: @module may be LOGOS_HANDLE_SELF on a module file. */
LOGOS_API int logos_module_get_info(int fd, logos_handle_t module,
				    struct logos_module_info *info);
/*
 * LOGOS_IOC_MODULE_READY [module file]: INITIALIZING -> RUNNING. A module
 * built on the runtime calls logos_module_ready() instead, which also
 * tells logosd.
 */
LOGOS_API int logos_module_report_ready(int fd);

/* Name of a state, resource, object type or trust level ("RUNNING"...). */
LOGOS_API const char *logos_state_name(uint32_t state);
LOGOS_API const char *logos_resource_name(uint32_t resource);
LOGOS_API const char *logos_type_name(uint32_t type);
LOGOS_API const char *logos_trust_name(uint32_t trust_level);

/* ---- events and waiting -------------------------------------------- */

/* LOGOS_IOC_EVENT_CREATE. */
LOGOS_API int logos_event_create(int fd, logos_handle_t *event);
/* LOGOS_IOC_EVENT_SIGNAL: clear, then set, user bits (LOGOS_SIGNAL_USER_MASK). */
LOGOS_API int logos_event_signal(int fd, logos_handle_t event, uint32_t clear, uint32_t set);
/*
 * LOGOS_IOC_WAIT on @count items (their `observed` is filled in).
 * @flags: LOGOS_WAIT_CLEAR_STATE_CHANGED or 0. @ready may be NULL.
 * -ETIMEDOUT when nothing became ready, -EINTR on a signal.
 */
LOGOS_API int logos_wait(int fd, struct logos_wait_item *items, uint32_t count,
			 uint32_t flags, int64_t timeout_ns, uint32_t *ready);
/* One handle: @observed (may be NULL) gets its signals. */
LOGOS_API int logos_wait_one(int fd, logos_handle_t h, uint32_t signals,
			     int64_t timeout_ns, uint32_t *observed);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_CORE_H */
