// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Core wrappers: the device, the ABI check, handles, module objects,
 * events and waits. Each is one ioctl with its structure zeroed first
 * (Documentation/errors.md: "zero the whole structure before every call").
 */
#include "internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int64_t logos__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * LOGOS_NSEC_PER_SEC + ts.tv_nsec;
}

int64_t logos__remaining(int64_t timeout_ns, int64_t start)
{
	int64_t left;

	if (timeout_ns < 0)
		return LOGOS_TIMEOUT_INFINITE;
	left = timeout_ns - (logos__now_ns() - start);
	return left > 0 ? left : 0;
}

const char *logos_library_version(void)
{
#define STR_(x) #x
#define STR(x) STR_(x)
	return STR(LOGOS_LIB_VERSION_MAJOR) "." STR(LOGOS_LIB_VERSION_MINOR) "."
	       STR(LOGOS_LIB_VERSION_PATCH);
}

int logos_open(void)
{
	int fd = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int logos_get_version(int fd, struct logos_version *ver)
{
	struct logos_version v;
	int ret;

	memset(&v, 0, sizeof(v));
	ret = logos__ioctl(fd, LOGOS_IOC_VERSION, &v);
	if (!ret)
		*ver = v;
	return ret;
}

int logos_check_abi(int fd)
{
	struct logos_version v;
	int ret = logos_get_version(fd, &v);

	if (ret)
		return ret;
	return v.major == LOGOS_ABI_MAJOR ? 0 : -EPROTO;
}

/* ---- handles -------------------------------------------------------- */

int logos_handle_duplicate(int fd, logos_handle_t h, uint32_t rights, logos_handle_t *copy)
{
	struct logos_handle_dup a = { .handle = h, .rights = rights };
	int ret = logos__ioctl(fd, LOGOS_IOC_HANDLE_DUPLICATE, &a);

	if (!ret)
		*copy = a.new_handle;
	return ret;
}

int logos_handle_replace(int fd, logos_handle_t h, uint32_t rights)
{
	struct logos_handle_replace a = { .handle = h, .rights = rights };

	return logos__ioctl(fd, LOGOS_IOC_HANDLE_REPLACE, &a);
}

int logos_handle_close(int fd, logos_handle_t h)
{
	struct logos_handle_close a = { .handle = h };

	return logos__ioctl(fd, LOGOS_IOC_HANDLE_CLOSE, &a);
}

int logos_handle_info(int fd, logos_handle_t h, struct logos_handle_info *info)
{
	struct logos_handle_info a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.handle = h;
	ret = logos__ioctl(fd, LOGOS_IOC_HANDLE_INFO, &a);
	if (!ret)
		*info = a;
	return ret;
}

int logos_handle_revoke(int fd, logos_handle_t h, uint32_t *revoked)
{
	struct logos_handle_revoke a = { .handle = h };
	int ret = logos__ioctl(fd, LOGOS_IOC_HANDLE_REVOKE, &a);

	if (!ret && revoked)
		*revoked = a.revoked;
	return ret;
}

int logos_handle_give(int fd, logos_handle_t module, logos_handle_t h, uint32_t rights,
		      uint32_t flags, logos_handle_t *given)
{
	struct logos_handle_give a = {
		.module = module, .handle = h, .rights = rights, .flags = flags,
	};
	int ret = logos__ioctl(fd, LOGOS_IOC_HANDLE_GIVE, &a);

	if (!ret && given)
		*given = a.new_handle;
	return ret;
}

/* ---- module objects ------------------------------------------------- */

int logos_module_create(int fd, const char *name, uint32_t trust_level, const uint64_t *limits,
			logos_handle_t *module, int *module_fd, uint32_t *module_id)
{
	struct logos_module_create a;
	int ret;

	memset(&a, 0, sizeof(a));
	if (!name || strlen(name) >= sizeof(a.name))
		return -EINVAL;
	strcpy(a.name, name);
	a.trust_level = trust_level;
	if (limits)
		memcpy(a.limits, limits, sizeof(a.limits));
	ret = logos__ioctl(fd, LOGOS_IOC_MODULE_CREATE, &a);
	if (ret)
		return ret;
	if (module)
		*module = a.handle;
	if (module_fd)
		*module_fd = a.fd;
	else
		close(a.fd);
	if (module_id)
		*module_id = a.module_id;
	return 0;
}

int logos_module_set_state(int fd, logos_handle_t module, uint32_t state)
{
	struct logos_module_set_state a = { .handle = module, .state = state };

	return logos__ioctl(fd, LOGOS_IOC_MODULE_SET_STATE, &a);
}

int logos_module_set_quota(int fd, logos_handle_t module, uint32_t resource, uint64_t limit)
{
	struct logos_module_set_quota a = { .handle = module, .resource = resource, .limit = limit };

	return logos__ioctl(fd, LOGOS_IOC_MODULE_SET_QUOTA, &a);
}

int logos_module_get_info(int fd, logos_handle_t module, struct logos_module_info *info)
{
	struct logos_module_info a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.handle = module;
	ret = logos__ioctl(fd, LOGOS_IOC_MODULE_INFO, &a);
	if (!ret)
		*info = a;
	return ret;
}

int logos_module_report_ready(int fd)
{
	return logos__ioctl(fd, LOGOS_IOC_MODULE_READY, NULL);
}

static const char *name_of(const char *const *names, size_t n, uint32_t v)
{
	return v < n && names[v] ? names[v] : "?";
}

const char *logos_state_name(uint32_t state)
{
	static const char *const n[] = {
		"LOADED", "INITIALIZING", "RUNNING", "PAUSED", "TERMINATING", "TERMINATED",
	};

	return name_of(n, LOGOS_ARRAY_SIZE(n), state);
}

const char *logos_resource_name(uint32_t resource)
{
	static const char *const n[] = {
		"handles", "objects", "events", "channels", "msgs_queued", "bytes_queued",
		"memory_pages", "mapped_pages",
	};

	return name_of(n, LOGOS_ARRAY_SIZE(n), resource);
}

const char *logos_type_name(uint32_t type)
{
	static const char *const n[] = {
		"none", "module", "event", "channel", "memory", "topic", "mapped",
	};

	return name_of(n, LOGOS_ARRAY_SIZE(n), type);
}

const char *logos_trust_name(uint32_t trust_level)
{
	static const char *const n[] = { "untrusted", "user", "system", "core" };

	return name_of(n, LOGOS_ARRAY_SIZE(n), trust_level);
}

/* ---- events and waits ----------------------------------------------- */

int logos_event_create(int fd, logos_handle_t *event)
{
	struct logos_event_create a = { 0 };
	int ret = logos__ioctl(fd, LOGOS_IOC_EVENT_CREATE, &a);

	if (!ret)
		*event = a.handle;
	return ret;
}

int logos_event_signal(int fd, logos_handle_t event, uint32_t clear, uint32_t set)
{
	struct logos_event_signal a = { .handle = event, .clear = clear, .set = set };

	return logos__ioctl(fd, LOGOS_IOC_EVENT_SIGNAL, &a);
}

int logos_wait(int fd, struct logos_wait_item *items, uint32_t count, uint32_t flags,
	       int64_t timeout_ns, uint32_t *ready)
{
	struct logos_wait a = {
		.items = logos__ptr(items), .count = count, .flags = flags,
		.timeout_ns = timeout_ns,
	};
	int ret = logos__ioctl(fd, LOGOS_IOC_WAIT, &a);

	if (!ret && ready)
		*ready = a.ready;
	return ret;
}

int logos_wait_one(int fd, logos_handle_t h, uint32_t signals, int64_t timeout_ns,
		   uint32_t *observed)
{
	struct logos_wait_item item = { .handle = h, .signals = signals };
	int ret = logos_wait(fd, &item, 1, 0, timeout_ns, NULL);

	if (!ret && observed)
		*observed = item.observed;
	return ret;
}
