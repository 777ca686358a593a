/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The bootstrap and registry protocol between logosd and a module
 * (Documentation/protocol.md): environment variables, message kinds and
 * the field tags of each message. Shared by liblogos (the module side)
 * and logosd (the supervisor side). Every message is a wire message
 * (<logos/wire.h>) on the bootstrap channel.
 */
#ifndef LOGOS_BOOTSTRAP_H
#define LOGOS_BOOTSTRAP_H

#ifdef __cplusplus
extern "C" {
#endif

/* Environment of a module process (protocol.md §1). */
#define LOGOS_ENV_MODULE_FD	"LOGOS_MODULE_FD"	/* "3" */
#define LOGOS_ENV_BOOTSTRAP	"LOGOS_BOOTSTRAP"	/* "0x..." handle value */
#define LOGOS_ENV_MODULE_NAME	"LOGOS_MODULE_NAME"
#define LOGOS_ENV_STATE_DIR	"LOGOS_STATE_DIR"
#define LOGOS_ENV_WATCHDOG_USEC	"LOGOS_WATCHDOG_USEC"
#define LOGOS_MODULE_FD_DEFAULT	3

/* Message kinds (header.kind) of the bootstrap channel (protocol.md §3). */
enum logos_boot_kind {
	LOGOS_BOOT_READY = 1,		/* module -> logosd */
	LOGOS_BOOT_HEARTBEAT = 2,	/* module -> logosd */
	LOGOS_BOOT_PAUSE = 3,		/* logosd -> module, call */
	LOGOS_BOOT_RESUME = 4,		/* logosd -> module */
	LOGOS_BOOT_TERMINATE = 5,	/* logosd -> module, call */
	LOGOS_BOOT_SAVE_STATE = 6,	/* logosd -> module, call */
	LOGOS_BOOT_RESTORE_STATE = 7,	/* logosd -> module */
	LOGOS_BOOT_REGISTER = 16,	/* module -> logosd, call */
	LOGOS_BOOT_LOOKUP = 17,		/* module -> logosd, call */
	LOGOS_BOOT_CONNECT = 18,	/* logosd -> provider */
	LOGOS_BOOT_SERVICE_STATE = 19,	/* logosd -> client */
};

/* TERMINATE: u32, milliseconds until SIGKILL. */
#define LOGOS_TAG_DEADLINE_MS	1
/* SAVE_STATE reply and RESTORE_STATE: bytes and/or a memory handle. */
#define LOGOS_TAG_STATE_BYTES	1
#define LOGOS_TAG_STATE_MEMORY	2
/* REGISTER, LOOKUP, CONNECT, SERVICE_STATE: string service name. */
#define LOGOS_TAG_SERVICE	1
/* REGISTER: u32 version (major << 16 | minor), string capabilities. */
#define LOGOS_TAG_VERSION	2
#define LOGOS_TAG_CAPS		3
/* LOOKUP: u32 lowest and highest acceptable version. */
#define LOGOS_TAG_MIN_VERSION	2
#define LOGOS_TAG_MAX_VERSION	3
/* LOOKUP reply: handle endpoint, u32 version found. */
#define LOGOS_TAG_LOOKUP_EP	1
#define LOGOS_TAG_LOOKUP_VERSION 2
/* CONNECT: u32 client module id, handle endpoint (the provider's end). */
#define LOGOS_TAG_CLIENT	2
#define LOGOS_TAG_CONNECT_EP	3
/* SERVICE_STATE: u32 state. */
#define LOGOS_TAG_SERVICE_STATE	2

/* Service versions: major << 16 | minor. */
#define LOGOS_SERVICE_VERSION(major, minor) \
	((uint32_t)(((major) & 0xffffU) << 16 | ((minor) & 0xffffU)))
#define LOGOS_SERVICE_MAJOR(v)	((uint32_t)(v) >> 16)
#define LOGOS_SERVICE_MINOR(v)	((uint32_t)(v) & 0xffffU)

/* SERVICE_STATE states. */
enum logos_service_state {
	LOGOS_SERVICE_UP = 0,
	LOGOS_SERVICE_RESTARTING = 1,
	LOGOS_SERVICE_GONE = 2,
};

/* Longest service name (bytes, without the NUL) and capability list. */
#define LOGOS_SERVICE_NAME_MAX	63
#define LOGOS_SERVICE_CAPS_MAX	1023

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_BOOTSTRAP_H */
