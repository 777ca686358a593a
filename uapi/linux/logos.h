/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * logos.h - the stable ABI of the Logos microkernel (logos.ko).
 *
 * This header is shared by the kernel module and by userspace (liblogos,
 * logosd, logosctl). It is the only contract between them.
 *
 * Versioning rules
 * ----------------
 * LOGOS_ABI_MAJOR changes only when an existing ioctl, structure layout,
 * netlink attribute or errno meaning changes incompatibly. Within one major
 * version, LOGOS_ABI_MINOR grows when something is added: a new ioctl, a new
 * netlink command or attribute, a new flag, or a field appended to the end of
 * an ioctl structure. Userspace asks LOGOS_IOC_VERSION first and refuses to
 * run against a different major version.
 *
 * Structure rules
 * ---------------
 * - Only fixed-size types (__u8 ... __u64); every structure is a multiple of
 *   8 bytes with explicit padding, so 32-bit and 64-bit userspace agree.
 * - Every "flags" field accepts only the flags defined here: any other bit is
 *   refused with -EINVAL.
 * - Every "reserved" or padding field must be zero on input (-EINVAL
 *   otherwise) and is zeroed by the kernel on output.
 * - The size of an ioctl argument is encoded in the ioctl number (_IOC_SIZE).
 *   The kernel accepts a caller compiled against an older header (a shorter
 *   structure, as long as it holds at least the fields of ABI 0.1) and one
 *   compiled against a newer header (a longer structure, whose unknown tail
 *   must be zero, or the call fails with -E2BIG). A structure shorter than
 *   its first published size fails with -EINVAL.
 * - User pointers travel as __u64 (see logos_ptr()); a bad pointer gives
 *   -EFAULT.
 */
#ifndef _UAPI_LINUX_LOGOS_H
#define _UAPI_LINUX_LOGOS_H

#include <linux/const.h>
#include <linux/types.h>
#include <linux/ioctl.h>

#define LOGOS_DEVICE_NAME	"logos"
#define LOGOS_DEVICE_PATH	"/dev/logos"

#define LOGOS_ABI_MAJOR		0
#define LOGOS_ABI_MINOR		3	/* 0.3: LOGOS_CALL_OWNERDEAD */

/* ioctl magic: 0xBC is unassigned in ioctl-number.rst (Linux 6.1). */
#define LOGOS_IOC_MAGIC		0xBC

/**
 * struct logos_version - answer of LOGOS_IOC_VERSION
 * @major:	LOGOS_ABI_MAJOR of the running module.
 * @minor:	LOGOS_ABI_MINOR of the running module.
 * @patch:	release patch level of the module; informational only.
 * @flags:	reserved for future use, always 0.
 * @features:	bit set of LOGOS_FEATURE_* the running module implements.
 * @reserved:	always 0.
 */
struct logos_version {
	__u32 major;
	__u32 minor;
	__u32 patch;
	__u32 flags;
	__u64 features;
	__u64 reserved[2];
};

/* Feature bits reported in logos_version.features. */
#define LOGOS_FEATURE_NETLINK	_BITULL(0)	/* generic netlink family "logos" */
#define LOGOS_FEATURE_HANDLES	_BITULL(1)	/* handles, rights, revocation */
#define LOGOS_FEATURE_MODULES	_BITULL(2)	/* module contexts and lifecycle */
#define LOGOS_FEATURE_QUOTAS	_BITULL(3)	/* per-module accounting and quotas */
#define LOGOS_FEATURE_EVENTS	_BITULL(4)	/* event objects and LOGOS_IOC_WAIT */
#define LOGOS_FEATURE_CHANNELS	_BITULL(5)	/* channels, calls, batching, priorities */
#define LOGOS_FEATURE_MEMORY	_BITULL(6)	/* memory objects, mmap, revocable grants */
#define LOGOS_FEATURE_TOPICS	_BITULL(7)	/* publish/subscribe */
#define LOGOS_FEATURE_WATCH	_BITULL(8)	/* watches and a pollable module file */
#define LOGOS_FEATURE_MAPPED	_BITULL(9)	/* mapped channels (ABI 0.2) */
#define LOGOS_FEATURE_CALL_OWNERDEAD _BITULL(10)	/* LOGOS_CALL_OWNERDEAD (ABI 0.3) */

/*
 * Files
 * -----
 * Two kinds of file speak this ABI:
 * - the supervisor file: open("/dev/logos"), which needs CAP_SYS_ADMIN.
 *   Only a supervisor creates modules (LOGOS_IOC_MODULE_CREATE).
 * - a module file: the file descriptor LOGOS_IOC_MODULE_CREATE returns,
 *   bound to one module's context. The supervisor hands it to the module
 *   process and closes its own copy; when the last reference to it goes
 *   away (the process exits or crashes) the module becomes TERMINATED and
 *   every object it owns is released.
 * Both have a handle table of their own; ioctls marked [both] work on
 * both, [supervisor] only on /dev/logos (-EPERM on a module file), and
 * [module] only on a module file (-EPERM on /dev/logos).
 *
 * Handles
 * -------
 * A handle is a __u32, never 0, naming one entry of the caller's own
 * handle table. The entry refers to a kernel object and carries rights.
 * Values are not reused soon after close (generation bits) and carry
 * random bits, so a stale or guessed value fails instead of reaching
 * another object. Errors of every handle use, and nothing else:
 *	-EBADF		no such handle in this table (never existed, or closed)
 *	-EKEYREVOKED	the handle was revoked; only LOGOS_IOC_HANDLE_CLOSE
 *			still works on it
 *	-EPROTOTYPE	the object is of the wrong type for the operation
 *	-EPERM		the handle lacks a right the operation needs
 * Limits have errnos of their own:
 *	-EDQUOT		the module's quota for a resource is exhausted
 *	-ENOSPC		a global limit of logos.ko (module parameter) is hit
 */
#define LOGOS_HANDLE_INVALID	0U

/* Object types (logos_handle_info.type). */
enum logos_object_type {
	LOGOS_OBJ_NONE = 0,
	LOGOS_OBJ_MODULE = 1,	/* a module: lifecycle, quotas, identity */
	LOGOS_OBJ_EVENT = 2,	/* 32 signal bits, for control notifications */
	LOGOS_OBJ_CHANNEL = 3,	/* one endpoint of a channel */
	LOGOS_OBJ_MEMORY = 4,	/* pages that can be mapped and granted */
	LOGOS_OBJ_TOPIC = 5,	/* a publish/subscribe topic */
	LOGOS_OBJ_MAPPED = 6,	/* one endpoint of a mapped channel (ABI 0.2) */
	__LOGOS_OBJ_MAX
};

/*
 * Rights. A duplicate or transfer may keep or drop rights, never add one.
 *	READ		observe the object: wait on it, read its state
 *	WRITE		change the object's data: signal an event
 *	TRANSFER	give the handle to another module
 *	DUPLICATE	make another handle to the same object
 *	MAP_READ	map a memory object readable
 *	MAP_WRITE	map a memory object writable
 *	CONTROL		manage the object: drive a module's lifecycle, set
 *			its quotas, push handles into it
 *	REVOKE		revoke every handle derived from this one
 */
#define LOGOS_RIGHT_READ	0x1U
#define LOGOS_RIGHT_WRITE	0x2U
#define LOGOS_RIGHT_TRANSFER	0x4U
#define LOGOS_RIGHT_DUPLICATE	0x8U
#define LOGOS_RIGHT_MAP_READ	0x10U
#define LOGOS_RIGHT_MAP_WRITE	0x20U
#define LOGOS_RIGHT_CONTROL	0x40U
#define LOGOS_RIGHT_REVOKE	0x80U
#define LOGOS_RIGHTS_ALL	0xffU
/* In a rights argument: keep the rights the source handle has. */
#define LOGOS_RIGHTS_SAME	0x80000000U

/**
 * struct logos_handle_dup - LOGOS_IOC_HANDLE_DUPLICATE [both]
 * @handle:	in: the handle to duplicate; needs LOGOS_RIGHT_DUPLICATE.
 * @rights:	in: rights of the copy, a subset of @handle's rights
 *		(-EPERM if not, counted as a rights denial), or
 *		LOGOS_RIGHTS_SAME; bits outside LOGOS_RIGHTS_ALL: -EINVAL.
 *		The same rule holds for every rights argument below.
 * @flags:	in: 0.
 * @new_handle:	out: the copy, a child of @handle in the derivation tree.
 */
struct logos_handle_dup {
	__u32 handle;
	__u32 rights;
	__u32 flags;
	__u32 new_handle;
};

/**
 * struct logos_handle_replace - LOGOS_IOC_HANDLE_REPLACE [both]
 * @handle:	in: the handle whose rights shrink in place (same value).
 * @rights:	in: the new rights, a subset of the current ones (-EPERM
 *		otherwise). Needs no right: giving up rights is always allowed.
 * @flags:	in: 0.
 * @reserved:	in: 0.
 */
struct logos_handle_replace {
	__u32 handle;
	__u32 rights;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct logos_handle_close - LOGOS_IOC_HANDLE_CLOSE [both]
 * @handle:	in: the handle to close; works on revoked handles too.
 *		Handles derived from it survive and move up to its parent in
 *		the derivation tree, so the parent's revoke still reaches them.
 * @flags:	in: 0.
 */
struct logos_handle_close {
	__u32 handle;
	__u32 flags;
};

/**
 * struct logos_handle_info - LOGOS_IOC_HANDLE_INFO [both]
 * @handle:	in: the handle to describe.
 * @flags:	in: 0.
 * @type:	out: enum logos_object_type.
 * @rights:	out: LOGOS_RIGHT_* of this handle.
 * @object_id:	out: the object's id, unique while logos.ko is loaded.
 * @cap_id:	out: this handle's node in the derivation tree (unique id).
 * @parent_cap_id: out: the node it was derived from; 0 for a root (the
 *		handle made when the object was created).
 * @owner_module: out: id of the module that created the object; 0 when a
 *		supervisor created it.
 * @reserved:	out: 0.
 */
struct logos_handle_info {
	__u32 handle;
	__u32 flags;
	__u32 type;
	__u32 rights;
	__u64 object_id;
	__u64 cap_id;
	__u64 parent_cap_id;
	__u32 owner_module;
	__u32 reserved;
};

/**
 * struct logos_handle_revoke - LOGOS_IOC_HANDLE_REVOKE [both]
 * @handle:	in: needs LOGOS_RIGHT_REVOKE. Every handle derived from it,
 *		by duplicate or transfer, in every module, including handles
 *		not yet received, is revoked at once; @handle itself stays.
 * @flags:	in: 0.
 * @revoked:	out: how many handles were revoked (mappings made through
 *		them are revoked and unmapped too, but not counted here).
 * @reserved:	out: 0.
 */
struct logos_handle_revoke {
	__u32 handle;
	__u32 flags;
	__u32 revoked;
	__u32 reserved;
};

/**
 * struct logos_handle_give - LOGOS_IOC_HANDLE_GIVE [both]
 * Transfers a handle into another module's table: how a supervisor
 * hands a module its first capabilities.
 * @module:	in: handle to the receiving module; needs LOGOS_RIGHT_CONTROL.
 *		The module must not be TERMINATED (-ESRCH).
 * @handle:	in: the handle to give; needs LOGOS_RIGHT_TRANSFER.
 * @rights:	in: rights of the given handle (subset, or LOGOS_RIGHTS_SAME).
 * @flags:	in: LOGOS_GIVE_MOVE closes @handle in the caller's table once
 *		the receiver has its copy.
 * @new_handle:	out: the handle's value in the receiver's table.
 * @reserved:	in/out: 0.
 */
struct logos_handle_give {
	__u32 module;
	__u32 handle;
	__u32 rights;
	__u32 flags;
	__u32 new_handle;
	__u32 reserved;
};

#define LOGOS_GIVE_MOVE		0x1U

/*
 * Module lifecycle (FR-001)
 * -------------------------
 * Allowed transitions; any other fails with -EINVAL and changes nothing.
 *
 *	from		to		who
 *	LOADED		INITIALIZING	supervisor (LOGOS_IOC_MODULE_SET_STATE)
 *	INITIALIZING	RUNNING		the module (LOGOS_IOC_MODULE_READY) or
 *					the supervisor
 *	RUNNING		PAUSED		supervisor
 *	PAUSED		RUNNING		supervisor
 *	LOADED, INITIALIZING, RUNNING, PAUSED
 *			TERMINATING	supervisor (asks the module to finish)
 *	any		TERMINATED	the kernel only, when the module file is
 *					released: "clean" from TERMINATING,
 *					a crash from any other state
 *
 * Every transition sets LOGOS_SIGNAL_STATE_CHANGED on the module object,
 * and TERMINATED also LOGOS_SIGNAL_TERMINATED, and is sent to the netlink
 * "events" group (LOGOS_EVENT_STATE).
 */
enum logos_module_state {
	LOGOS_STATE_LOADED = 0,
	LOGOS_STATE_INITIALIZING = 1,
	LOGOS_STATE_RUNNING = 2,
	LOGOS_STATE_PAUSED = 3,
	LOGOS_STATE_TERMINATING = 4,
	LOGOS_STATE_TERMINATED = 5,
	__LOGOS_STATE_MAX
};

/* Trust levels: policy is logosd's; the kernel records and reports them. */
enum logos_trust_level {
	LOGOS_TRUST_UNTRUSTED = 0,
	LOGOS_TRUST_USER = 1,
	LOGOS_TRUST_SYSTEM = 2,
	LOGOS_TRUST_CORE = 3,
	__LOGOS_TRUST_MAX
};

/*
 * Accounted resources (FR-002). Each has a usage and a limit per module.
 * Over the limit an operation fails with -EDQUOT, the denial is counted
 * and LOGOS_EVENT_QUOTA_EXCEEDED is sent; the first time usage reaches
 * LOGOS_QUOTA_WARN_PERCENT of the limit, LOGOS_EVENT_QUOTA_WARNING is sent
 * (again only after usage fell below that mark).
 */
enum logos_resource {
	LOGOS_RES_HANDLES = 0,		/* entries in the module's handle table */
	LOGOS_RES_OBJECTS = 1,		/* objects the module created, all types */
	LOGOS_RES_EVENTS = 2,		/* event objects */
	LOGOS_RES_CHANNELS = 3,		/* channel endpoints */
	LOGOS_RES_MSGS_QUEUED = 4,	/* messages sent, not yet received */
	LOGOS_RES_BYTES_QUEUED = 5,	/* their inline bytes */
	LOGOS_RES_MEMORY_PAGES = 6,	/* pages of memory objects owned */
	LOGOS_RES_MAPPED_PAGES = 7,	/* pages mapped into the module */
	__LOGOS_RES_MAX
};

#define LOGOS_RES_COUNT		8	/* array size, room to grow in ABI 0.x */
#define LOGOS_QUOTA_WARN_PERCENT 80
/* In a limit: the default of logos.ko (module parameter) for it. */
#define LOGOS_LIMIT_DEFAULT	0ULL
#define LOGOS_LIMIT_UNLIMITED	(~0ULL)

#define LOGOS_NAME_MAX		32	/* module names, NUL included */

/**
 * struct logos_module_create - LOGOS_IOC_MODULE_CREATE [supervisor]
 * @name:	in: NUL-terminated, 1..31 characters of [A-Za-z0-9._-].
 *		Names need not be unique; ids are.
 * @trust_level: in: enum logos_trust_level.
 * @flags:	in: LOGOS_MODULE_ALLOW_MAPPED or 0 (ABI 0.2).
 * @limits:	in: per resource (enum logos_resource), LOGOS_LIMIT_DEFAULT,
 *		LOGOS_LIMIT_UNLIMITED or a number. Unused entries: 0.
 * @handle:	out: handle to the module object in the supervisor's table,
 *		with LOGOS_RIGHTS_ALL.
 * @fd:		out: the module file (O_CLOEXEC), for the module process.
 * @module_id:	out: the module's id, never 0, not reused while loaded.
 * @reserved:	in/out: 0.
 * The module starts in LOADED.
 */
/*
 * LOGOS_MODULE_ALLOW_MAPPED: the module may create and map mapped
 * channels (LOGOS_IOC_MAPPED_CREATE, LOGOS_IOC_MAPPED_MAP). A mapped
 * channel shares memory with the peer and bypasses the kernel on the data
 * path, so it is the supervisor's policy (logosd: by trust level) which
 * modules get it; without it both ioctls fail with -EPERM.
 */
#define LOGOS_MODULE_ALLOW_MAPPED	0x1U

struct logos_module_create {
	char name[LOGOS_NAME_MAX];
	__u32 trust_level;
	__u32 flags;
	__u64 limits[LOGOS_RES_COUNT];
	__u32 handle;
	__s32 fd;
	__u32 module_id;
	__u32 reserved;
};

/**
 * struct logos_module_set_state - LOGOS_IOC_MODULE_SET_STATE [both]
 * @handle:	in: a module handle with LOGOS_RIGHT_CONTROL.
 * @state:	in: enum logos_module_state, per the transition table.
 * @flags:	in: 0.
 * @reserved:	in: 0.
 */
struct logos_module_set_state {
	__u32 handle;
	__u32 state;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct logos_module_set_quota - LOGOS_IOC_MODULE_SET_QUOTA [both]
 * @handle:	in: a module handle with LOGOS_RIGHT_CONTROL.
 * @resource:	in: enum logos_resource.
 * @limit:	in: the new limit (LOGOS_LIMIT_DEFAULT, _UNLIMITED or a
 *		number). A limit below current usage is allowed: nothing is
 *		taken away, new charges fail until usage drops under it.
 */
struct logos_module_set_quota {
	__u32 handle;
	__u32 resource;
	__u64 limit;
};

/**
 * struct logos_module_info - LOGOS_IOC_MODULE_INFO [both]
 * @handle:	in: a module handle with LOGOS_RIGHT_READ, or
 *		LOGOS_HANDLE_SELF on a module file.
 * @flags:	in: 0.
 * @module_id:	out: the module's id.
 * @state:	out: enum logos_module_state.
 * @trust_level: out: enum logos_trust_level.
 * @pid:	out: the process bound to the module file (the first one to
 *		use it), in the caller's pid namespace; 0 if none.
 * @exit_flags:	out: LOGOS_EXIT_* once TERMINATED.
 * @name:	out: the module's name.
 * @usage:	out: current usage per resource.
 * @limit:	out: effective limit per resource (LOGOS_LIMIT_UNLIMITED for
 *		none).
 * @cpu_time_ns: out: CPU time of the bound process's live threads.
 * @denied_rights: out: operations refused for a missing right.
 * @denied_quota: out: operations refused for a quota.
 * @msgs_sent:	out: messages the module sent (calls and replies included).
 * @bytes_sent:	out: their inline bytes.
 * @msgs_received: out: messages delivered to the module.
 * @bytes_received: out: their inline bytes.
 * @reserved:	out: 0.
 */
struct logos_module_info {
	__u32 handle;
	__u32 flags;
	__u32 module_id;
	__u32 state;
	__u32 trust_level;
	__u32 pid;
	__u32 exit_flags;
	__u32 reserved0;
	char name[LOGOS_NAME_MAX];
	__u64 usage[LOGOS_RES_COUNT];
	__u64 limit[LOGOS_RES_COUNT];
	__u64 cpu_time_ns;
	__u64 denied_rights;
	__u64 denied_quota;
	__u64 msgs_sent;
	__u64 bytes_sent;
	__u64 msgs_received;
	__u64 bytes_received;
	__u64 reserved[3];
};

#define LOGOS_HANDLE_SELF	0xffffffffU
#define LOGOS_EXIT_CRASHED	0x1U	/* released outside TERMINATING */

/**
 * struct logos_event_create - LOGOS_IOC_EVENT_CREATE [both]
 * @flags:	in: 0.
 * @handle:	out: the new event, all rights but MAP_*; signals all clear.
 */
struct logos_event_create {
	__u32 flags;
	__u32 handle;
};

/**
 * struct logos_event_signal - LOGOS_IOC_EVENT_SIGNAL [both]
 * @handle:	in: an event handle with LOGOS_RIGHT_WRITE.
 * @clear:	in: user signal bits to clear, then
 * @set:	in: user signal bits to set (LOGOS_SIGNAL_USER_MASK only).
 * @flags:	in: 0.
 */
struct logos_event_signal {
	__u32 handle;
	__u32 clear;
	__u32 set;
	__u32 flags;
};

/*
 * Signals: level-triggered bits on every object, which LOGOS_IOC_WAIT
 * waits for. The low 24 bits are user bits (set by LOGOS_IOC_EVENT_SIGNAL
 * on events); the high 8 bits are set by the kernel.
 */
#define LOGOS_SIGNAL_USER_MASK		0x00ffffffU
#define LOGOS_SIGNAL_STATE_CHANGED	0x1000000U	/* module: lifecycle moved */
#define LOGOS_SIGNAL_TERMINATED		0x2000000U	/* module: TERMINATED */
#define LOGOS_SIGNAL_READABLE		0x4000000U	/* channel: a message is queued */
#define LOGOS_SIGNAL_WRITABLE		0x8000000U	/* channel: the peer's queue has room */
#define LOGOS_SIGNAL_PEER_CLOSED	0x10000000U	/* channel: the other end is gone */
#define LOGOS_SIGNAL_DOORBELL		0x20000000U	/* mapped channel: the peer rang (0.2) */
#define LOGOS_SIGNAL_REVOKED		0x80000000U	/* the waited handle was revoked */

/**
 * struct logos_wait_item - one handle to wait on
 * @handle:	in: needs LOGOS_RIGHT_READ.
 * @signals:	in: the signals wanted (any of them ends the wait).
 * @observed:	out: the object's signals when the wait ended;
 *		LOGOS_SIGNAL_REVOKED if the handle was revoked meanwhile.
 * @reserved:	in: 0.
 */
struct logos_wait_item {
	__u32 handle;
	__u32 signals;
	__u32 observed;
	__u32 reserved;
};

/**
 * struct logos_wait - LOGOS_IOC_WAIT [both]
 * @items:	in: user pointer to @count struct logos_wait_item.
 * @count:	in: 1..LOGOS_WAIT_MAX_ITEMS.
 * @flags:	in: LOGOS_WAIT_CLEAR_STATE_CHANGED clears STATE_CHANGED on
 *		the module objects that had it when the wait ends.
 * @timeout_ns:	in: relative timeout; 0 polls, -1 waits forever.
 * @ready:	out: how many items have a wanted signal.
 * @reserved:	in/out: 0.
 * Returns 0 with @ready > 0, -ETIMEDOUT, or -EINTR on a signal (see
 * "Signals" under Channels: a pause is transparent).
 */
struct logos_wait {
	__u64 items;
	__u32 count;
	__u32 flags;
	__s64 timeout_ns;
	__u32 ready;
	__u32 reserved;
};

#define LOGOS_WAIT_MAX_ITEMS		1024
#define LOGOS_WAIT_CLEAR_STATE_CHANGED	0x1U

/*
 * Channels (FR-005)
 * -----------------
 * A channel is a pair of endpoint objects; a message sent on one endpoint
 * is queued on the other. Rights on an endpoint: WRITE to send (and call),
 * READ to receive (and reply), plus the usual TRANSFER, DUPLICATE, REVOKE.
 *
 * A message is up to LOGOS_MSG_MAX_BYTES inline bytes, copied by the
 * kernel, and up to LOGOS_MSG_MAX_HANDLES handles, moved or derived
 * atomically: every handle is checked (it needs LOGOS_RIGHT_TRANSFER) before
 * any leaves the sender's table, so one bad handle sends nothing. The
 * kernel stamps every message with a header the receiver can trust.
 *
 * Queues are bounded per endpoint, in messages and in bytes (set at
 * creation, capped by the module parameters), and each queued message is
 * charged to its sender's LOGOS_RES_MSGS_QUEUED and LOGOS_RES_BYTES_QUEUED
 * until it is received. A full queue is never a silent drop: the sender
 * gets -EAGAIN, or waits for room while its timeout allows (backpressure).
 *
 * When the last handle to an endpoint is closed, its queued messages are
 * destroyed (handles inside them are closed) and the peer sees
 * LOGOS_SIGNAL_PEER_CLOSED: the peer still receives what is queued for it,
 * then gets -EPIPE; sending to a closed peer is -EPIPE.
 *
 * Timeouts (timeout_ns fields): 0 never waits (-EAGAIN when it would),
 * LOGOS_TIMEOUT_INFINITE waits for ever, otherwise a relative time after
 * which the call fails with -ETIMEDOUT.
 *
 * Signals: every blocking call (SEND, RECV, CALL, REPLY's receive, WAIT,
 * WATCH_READ, TOPIC_PUBLISH, MAPPED_WAIT) is restarted by the kernel when
 * a signal interrupts its wait and the caller would not see it: a stop
 * and continue (SIGSTOP/SIGCONT, the cgroup freezer) or a handler with
 * SA_RESTART. A pause is therefore transparent. A handler without
 * SA_RESTART makes the call fail with -EINTR; nothing was sent or received
 * by the interrupted step. A finite timeout_ns is written back with the
 * time that was left, so the restarted call (or a retry of the same
 * argument after -EINTR) waits only that long; time spent stopped does
 * not count. A CALL interrupted after its request went out is parked (see
 * struct logos_channel_call): it is never sent twice.
 */
#define LOGOS_MSG_MAX_BYTES	65536
#define LOGOS_MSG_MAX_HANDLES	64
#define LOGOS_BATCH_MAX		64
#define LOGOS_TIMEOUT_INFINITE	(-1LL)

/**
 * struct logos_channel_create - LOGOS_IOC_CHANNEL_CREATE [both]
 * @flags:	in: 0.
 * @max_msgs:	in: queue bound of each endpoint in messages; 0: default
 *		(module parameter channel_max_msgs), larger than the default
 *		is clamped to it.
 * @max_bytes:	in: queue bound in inline bytes; 0: default, clamped.
 * @reserved:	in/out: 0.
 * @handle0:	out: first endpoint, LOGOS_RIGHTS_ALL minus MAP_*.
 * @handle1:	out: second endpoint, the same rights.
 * Charged as two objects and two LOGOS_RES_CHANNELS.
 */
struct logos_channel_create {
	__u32 flags;
	__u32 max_msgs;
	__u32 max_bytes;
	__u32 reserved;
	__u32 handle0;
	__u32 handle1;
};

/**
 * struct logos_msg_handle - one handle carried by a message
 * @handle:	in (send): a handle of the sender with LOGOS_RIGHT_TRANSFER;
 *		out (receive): its value in the receiver's table.
 * @rights:	in: rights it arrives with (a subset, or LOGOS_RIGHTS_SAME);
 *		out: the rights it has.
 * @flags:	in: LOGOS_MSG_HANDLE_MOVE: the sender's handle leaves its
 *		table (its derivation-tree node moves along); without it the
 *		receiver gets a handle derived from the sender's, which the
 *		sender can revoke. out: LOGOS_HANDLE_F_REVOKED if it was
 *		revoked while in flight.
 * @type:	out: enum logos_object_type; in: 0.
 */
struct logos_msg_handle {
	__u32 handle;
	__u32 rights;
	__u32 flags;
	__u32 type;
};

#define LOGOS_MSG_HANDLE_MOVE	0x1U

/**
 * struct logos_msg_header - stamped by the kernel on every message
 * @sender_module: id of the sending module, 0 for a supervisor.
 * @flags:	LOGOS_MSG_* the message was sent with, and LOGOS_MSG_CALL /
 *		LOGOS_MSG_REPLY set by the kernel.
 * @msg_id:	unique per sending endpoint, growing by one per message.
 * @txn_id:	for LOGOS_MSG_CALL: the id to answer with LOGOS_IOC_CHANNEL_REPLY;
 *		for LOGOS_MSG_REPLY: the call it answers; otherwise 0.
 * @timestamp_ns: CLOCK_MONOTONIC when the message was queued.
 * @dropped:	messages this subscriber lost since its previous message
 *		(topics with LOGOS_TOPIC_DROP_OLDEST only).
 * @reserved:	0.
 */
struct logos_msg_header {
	__u32 sender_module;
	__u32 flags;
	__u64 msg_id;
	__u64 txn_id;
	__u64 timestamp_ns;
	__u32 dropped;
	__u32 reserved;
};

#define LOGOS_MSG_URGENT	0x1U	/* queued ahead of every normal message */
#define LOGOS_MSG_CALL		0x100U	/* set by the kernel: a call awaiting a reply */
#define LOGOS_MSG_REPLY		0x200U	/* set by the kernel: a reply */

/**
 * struct logos_msg - one message to send, or a buffer to receive one into
 * @data:	user pointer to the inline bytes.
 * @data_len:	send: the byte count (<= LOGOS_MSG_MAX_BYTES, -EMSGSIZE if more).
 *		receive: in, the buffer size; out, the message's byte count.
 * @nr_handles:	send: the handle count (<= LOGOS_MSG_MAX_HANDLES).
 *		receive: in, room in @handles; out, the message's count.
 * @handles:	user pointer to struct logos_msg_handle[@nr_handles].
 * @flags:	send: LOGOS_MSG_URGENT or 0. receive: in 0.
 * @reserved:	0.
 * @header:	receive: out (its input value is ignored). send: must be zero.
 * A receive buffer too small for the message fails that receive with
 * -EMSGSIZE, fills @data_len and @nr_handles with what it needs and
 * leaves the message queued.
 */
struct logos_msg {
	__u64 data;
	__u32 data_len;
	__u32 nr_handles;
	__u64 handles;
	__u32 flags;
	__u32 reserved;
	struct logos_msg_header header;
};

/**
 * struct logos_channel_io - LOGOS_IOC_CHANNEL_SEND and _RECV [both]
 * @handle:	in: the endpoint; SEND needs WRITE, RECV needs READ.
 * @flags:	in: 0.
 * @msgs:	in: user pointer to struct logos_msg[@count].
 * @count:	in: 1..LOGOS_BATCH_MAX messages to send, or buffers to fill.
 * @done:	out: how many were sent or received. A batch stops at the
 *		first message that cannot go through; the call then returns
 *		0 if @done > 0, else that message's error.
 * @timeout_ns:	in: how long the first message may wait (for room on
 *		SEND, for a message on RECV); the rest never wait.
 */
struct logos_channel_io {
	__u32 handle;
	__u32 flags;
	__u64 msgs;
	__u32 count;
	__u32 done;
	__s64 timeout_ns;
};

/**
 * struct logos_channel_call - LOGOS_IOC_CHANNEL_CALL [both]
 * Sends @request as a LOGOS_MSG_CALL with a fresh transaction id and
 * waits for the reply to exactly that call, in one system call. Replies
 * never enter the receive queue; other messages stay queued for RECV.
 * @handle:	in: the endpoint; needs READ and WRITE.
 * @flags:	in: 0 or LOGOS_CALL_OWNERDEAD (ABI 0.3; any other bit is -EINVAL).
 * @timeout_ns:	in: for the whole call (room to send, then the reply);
 *		on -ETIMEDOUT a later reply is refused to the server.
 *		0: the request must find room at once (-EAGAIN otherwise), and
 *		the reply is then awaited without limit (a call that never
 *		waits for its reply could not succeed). Written back with the
 *		time left when a signal interrupts the call.
 * @request:	in: the message to send; its header must be 0, except
 *		@request.header.txn_id to resume a parked call. A signal that
 *		interrupts the wait for the reply parks the call: the kernel
 *		keeps it (and a reply that comes meanwhile) and writes its id
 *		to @request.header.txn_id. The kernel's own restart, or calling
 *		again with the same argument after -EINTR, then waits for that
 *		reply without sending the request again; an id that names no
 *		parked call is -ENOENT. The id is set back to 0 when the call
 *		ends. At most 16 calls per endpoint stay parked: parking one
 *		more abandons the oldest (a later reply to it is refused to the
 *		server, its resume is -ENOENT). Out of memory, or killed, the
 *		call is abandoned and fails with -EINTR. Parked calls end with
 *		their endpoint. Any holder of the endpoint may resume a parked
 *		call by its id: parking does not cross a module boundary.
 * @reply:	in: buffers; out: the reply. A reply too big for them fails
 *		with -EMSGSIZE, @reply.data_len and @reply.nr_handles set to
 *		what it needed, and the reply is destroyed.
 * Fails with -EPIPE when the server's endpoint closes before it replies.
 * With LOGOS_CALL_OWNERDEAD, fails with -EOWNERDEAD when the file (module
 * or supervisor context) through which the request was received is
 * released before the call is answered: the server took the request and
 * ended without replying, so it may or may not have acted on it. This
 * holds whether or not the server's endpoint survives (a supervisor may
 * keep it for a restarted instance) and takes precedence over -EPIPE for
 * a taken call. Without the flag such a call waits for its timeout, or
 * gets -EPIPE if the endpoint closes. A parked call gets the error when
 * it is resumed.
 */
struct logos_channel_call {
	__u32 handle;
	__u32 flags;
	__s64 timeout_ns;
	struct logos_msg request;
	struct logos_msg reply;
};

#define LOGOS_CALL_OWNERDEAD	0x1U	/* -EOWNERDEAD if the taker ends unanswered */

/**
 * struct logos_channel_reply - LOGOS_IOC_CHANNEL_REPLY [both]
 * Answers a call received on @handle and, with LOGOS_REPLY_RECEIVE,
 * receives the next message in the same system call.
 * @handle:	in: the endpoint the call arrived on; needs READ and WRITE.
 * @flags:	in: LOGOS_REPLY_RECEIVE or 0.
 * @txn_id:	in: header.txn_id of the call. A call nobody waits for any
 *		more (timed out, abandoned, caller gone) or never made: -ENOENT.
 *		A parked call (interrupted by a signal) still takes its reply.
 *		0 with LOGOS_REPLY_RECEIVE: no reply, only the receive (what a
 *		call restarted after its reply went out does).
 * @timeout_ns:	in: for the receive.
 * @reply:	in: the reply to send.
 * @next:	in/out: as for RECV, with LOGOS_REPLY_RECEIVE.
 * With LOGOS_REPLY_RECEIVE, @txn_id is set to 0 on return once the reply
 * went out, also when the receive then fails with an error: a caller
 * that sees the receive's error and @txn_id 0 must not reply again.
 */
struct logos_channel_reply {
	__u32 handle;
	__u32 flags;
	__u64 txn_id;
	__s64 timeout_ns;
	struct logos_msg reply;
	struct logos_msg next;
};

#define LOGOS_REPLY_RECEIVE	0x1U

/*
 * Memory objects (FR-002 memory regions, FR-005 shared memory, zero copy)
 * -------------------------------------------------------------------
 * A memory object is a set of pages, zeroed when allocated and again when
 * freed, charged to its creator's LOGOS_RES_MEMORY_PAGES. It is mapped with
 * mmap(2) on the file that holds the handle: offset = handle value *
 * page size, MAP_SHARED, length up to the object's size; PROT_READ needs
 * LOGOS_RIGHT_MAP_READ, PROT_WRITE needs LOGOS_RIGHT_MAP_WRITE, and a
 * mapping made without MAP_WRITE can never become writable (mprotect
 * included): a mapping made without PROT_WRITE never becomes writable
 * (mprotect fails with -EACCES). MAP_PRIVATE, or a length beyond the
 * object, is -EINVAL; a missing map right is -EPERM. Mapped pages count
 * in the mapper's LOGOS_RES_MAPPED_PAGES until munmap or revocation.
 *
 * A grant is a memory handle sent in a message, rights possibly reduced:
 * the receiver maps the same pages, nothing is copied. Revoking a handle
 * revokes every handle derived from it and unmaps every mapping made
 * through them; the next access to such a mapping gets SIGBUS. Mappings
 * made through the revoking handle itself stay.
 */
#define LOGOS_MEM_MAX_PAGES	65536	/* 256 MiB with 4 KiB pages */

/**
 * struct logos_mem_create - LOGOS_IOC_MEM_CREATE [both]
 * @size:	in: bytes, rounded up to whole pages; 1..LOGOS_MEM_MAX_PAGES pages.
 * @flags:	in: 0.
 * @handle:	out: the object, with LOGOS_RIGHTS_ALL.
 * @mmap_offset: out: the offset to pass to mmap(2) for this handle.
 */
struct logos_mem_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
	__u64 mmap_offset;
};

/**
 * struct logos_mem_info - LOGOS_IOC_MEM_INFO [both]
 * @handle:	in: a memory handle with READ, MAP_READ or MAP_WRITE.
 * @flags:	in: 0.
 * @size:	out: bytes (whole pages).
 * @mmap_offset: out: the offset to pass to mmap(2) for this handle.
 * @mappings:	out: live mappings of the object, all modules together.
 */
struct logos_mem_info {
	__u32 handle;
	__u32 flags;
	__u64 size;
	__u64 mmap_offset;
	__u64 mappings;
};

/*
 * Topics: publish/subscribe (FR-005)
 * ----------------------------------
 * A subscriber gets a channel endpoint that receives every message
 * published after it subscribed; its queue is bounded like any endpoint.
 * Inline bytes are copied once and shared by all subscribers' queues;
 * a memory handle in a published message reaches each subscriber as its
 * own read-only grant (READ | MAP_READ | DUPLICATE), revocable by the
 * publisher. When a subscriber's queue is full, the topic's policy decides:
 * LOGOS_TOPIC_BACKPRESSURE makes the publisher wait or fail with -EAGAIN
 * (nobody gets the message); LOGOS_TOPIC_DROP_OLDEST drops that
 * subscriber's oldest message and counts it, and the subscriber learns the
 * count in header.dropped of its next message.
 */

/**
 * struct logos_topic_create - LOGOS_IOC_TOPIC_CREATE [both]
 * @flags:	in: LOGOS_TOPIC_BACKPRESSURE or LOGOS_TOPIC_DROP_OLDEST
 *		(exactly one).
 * @max_msgs:	in: each subscriber's queue bound; 0: default.
 * @handle:	out: the topic. WRITE publishes, READ subscribes.
 * @reserved:	in/out: 0.
 */
struct logos_topic_create {
	__u32 flags;
	__u32 max_msgs;
	__u32 handle;
	__u32 reserved;
};

#define LOGOS_TOPIC_BACKPRESSURE	0x1U
#define LOGOS_TOPIC_DROP_OLDEST		0x2U

/**
 * struct logos_topic_subscribe - LOGOS_IOC_TOPIC_SUBSCRIBE [both]
 * @handle:	in: the topic, with READ.
 * @flags:	in: 0.
 * @endpoint:	out: a receive-only endpoint (READ, DUPLICATE, TRANSFER);
 *		closing it unsubscribes.
 * @reserved:	in/out: 0.
 */
struct logos_topic_subscribe {
	__u32 handle;
	__u32 flags;
	__u32 endpoint;
	__u32 reserved;
};

/**
 * struct logos_topic_publish - LOGOS_IOC_TOPIC_PUBLISH [both]
 * @handle:	in: the topic, with WRITE.
 * @flags:	in: 0.
 * @timeout_ns:	in: with LOGOS_TOPIC_BACKPRESSURE, how long to wait for room.
 * @msg:	in: the message; handles in it must be memory objects and are
 *		always derived (never moved).
 * @delivered:	out: subscribers that got it.
 * @dropped:	out: older messages dropped to make room (DROP_OLDEST).
 */
struct logos_topic_publish {
	__u32 handle;
	__u32 flags;
	__s64 timeout_ns;
	struct logos_msg msg;
	__u32 delivered;
	__u32 dropped;
};

/*
 * Watches: one loop for all handles (FR-005 event notification)
 * ------------------------------------------------------------
 * A watch asks the kernel to report when an object's signals match. The
 * file the watch was made on is then readable for poll(2)/epoll(7), and
 * LOGOS_IOC_WATCH_READ returns which handles are ready and why. Watches
 * are level-triggered: a watch whose signals still match after it was
 * read is reported again. A watch ends when its handle is closed, when
 * it is removed, or after one report with LOGOS_WATCH_ONESHOT.
 */

/**
 * struct logos_watch - LOGOS_IOC_WATCH [both]
 * @handle:	in: needs READ.
 * @signals:	in: the signals of interest (LOGOS_SIGNAL_*); a revoked
 *		handle always reports LOGOS_SIGNAL_REVOKED.
 * @flags:	in: LOGOS_WATCH_ONESHOT, or LOGOS_WATCH_REMOVE to delete the
 *		watch with this @key (-ENOENT if none). More than
 *		LOGOS_WATCH_MAX watches on one file: -ENOSPC.
 * @reserved:	in: 0.
 * @key:	in: returned with every report, for the caller's dispatch.
 */
struct logos_watch {
	__u32 handle;
	__u32 signals;
	__u32 flags;
	__u32 reserved;
	__u64 key;
};

#define LOGOS_WATCH_ONESHOT	0x1U
#define LOGOS_WATCH_REMOVE	0x2U
#define LOGOS_WATCH_MAX		4096	/* per file */

/**
 * struct logos_watch_report - one ready watch
 * @key:	the watch's key.
 * @handle:	the watched handle.
 * @observed:	the object's signals when read (or LOGOS_SIGNAL_REVOKED).
 */
struct logos_watch_report {
	__u64 key;
	__u32 handle;
	__u32 observed;
};

/**
 * struct logos_watch_read - LOGOS_IOC_WATCH_READ [both]
 * @reports:	in: user pointer to struct logos_watch_report[@count].
 * @count:	in: 1..LOGOS_WATCH_MAX.
 * @flags:	in: 0.
 * @timeout_ns:	in: how long to wait for a first report; with nothing ready
 *		the call fails with -ETIMEDOUT (also for 0), -EINTR on a signal
 *		(restarted as every blocking call: see "Signals" above).
 * @ready:	out: reports written.
 * @reserved:	in/out: 0.
 */
struct logos_watch_read {
	__u64 reports;
	__u32 count;
	__u32 flags;
	__s64 timeout_ns;
	__u32 ready;
	__u32 reserved;
};

/*
 * Mapped channels (FR-005 lock-free queues, shared memory; ABI 0.2)
 * ----------------------------------------------------------------
 * A mapped channel joins exactly two modules with two single-producer/
 * single-consumer rings in shared memory, one per direction: while both
 * sides are busy, messages move without any system call. The kernel sets
 * the memory up, pre-allocated and zeroed, and keeps what the two modules
 * cannot tamper with:
 * - the geometry (slot size, slot count, ring offsets), in a control page
 *   that both sides map read-only (struct logos_mapped_ctl);
 * - the channel's status in that page: which side closed or was revoked;
 * - a doorbell per side: LOGOS_IOC_MAPPED_NOTIFY sets LOGOS_SIGNAL_DOORBELL
 *   on the peer's attachment, LOGOS_IOC_MAPPED_WAIT sleeps until the own
 *   attachment's doorbell rings and clears it. The signal is level-
 *   triggered, so a ring before the wait is never lost; LOGOS_IOC_WATCH on
 *   the attachment makes the module file pollable for it.
 *
 * LOGOS_IOC_MAPPED_CREATE makes two endpoints (LOGOS_OBJ_MAPPED): side 0
 * (handle0) produces into ring 0 and consumes ring 1, side 1 (handle1)
 * the other way round. handle1 is meant for the peer: send it in a
 * channel message, derived so the creator can revoke it, or give it. A
 * side is used by the one module that calls LOGOS_IOC_MAPPED_MAP on its
 * endpoint: that returns an attachment (also LOGOS_OBJ_MAPPED, READ and
 * WRITE only: it never leaves the module) for NOTIFY and WAIT, and the two
 * memory handles to map. A second MAP of the same side: -EBUSY.
 *
 * The ring protocol (liblogos implements it; see Documentation/ipc.md):
 * indices are free-running __u64 counters; slot i is at
 * ring_offset + LOGOS_MAPPED_RING_HDR + (i & (nr_slots - 1)) * slot_size.
 * The producer writes the slot, then publishes tail with a release store;
 * the consumer reads tail with an acquire load, reads the slot, then
 * publishes head with a release store. A full ring (tail - head ==
 * nr_slots) is -EAGAIN or a wait for room, never an overwrite. The
 * reader validates every value it reads from shared memory: tail - head
 * must be at most nr_slots, and a slot's len at most slot_size - 8;
 * anything else is a corrupt ring (-EBADMSG), never a bigger copy.
 *
 * Teardown: a side ends when its attachment is closed (its module exits
 * or crashes), when its endpoint's last handle is closed before any MAP,
 * or when any handle to its endpoint is revoked. The kernel then sets
 * LOGOS_MAPPED_CLOSED(side) or LOGOS_MAPPED_REVOKED(side) in the control
 * page, revokes the memory handles that side got from MAP (unmapping its
 * mappings: the next access to them is SIGBUS, as for any revoked grant)
 * and sets LOGOS_SIGNAL_PEER_CLOSED on both attachments, waking them.
 * The survivor keeps its mappings, drains what is left and learns from
 * the status word why the channel ended; NOTIFY then fails with -EPIPE.
 * Endpoint rights: READ, WRITE, TRANSFER, DUPLICATE, REVOKE; MAP needs
 * READ and WRITE.
 */
#define LOGOS_MAPPED_CACHELINE		64
#define LOGOS_MAPPED_RING_HDR		256	/* struct logos_mapped_ring */
#define LOGOS_MAPPED_SLOT_HDR		8	/* struct logos_mapped_slot */
#define LOGOS_MAPPED_MIN_SLOT		64
#define LOGOS_MAPPED_MAX_SLOT		65536
#define LOGOS_MAPPED_MAX_SLOTS		65536
#define LOGOS_MAPPED_DEFAULT_SLOT	64
#define LOGOS_MAPPED_DEFAULT_SLOTS	1024
#define LOGOS_MAPPED_CTL_MAGIC		0x4c4d4348U	/* "LMCH" */

/* Status bits in struct logos_mapped_ctl.status, set by the kernel only. */
#define LOGOS_MAPPED_CLOSED(side)	(0x1U << (side))	/* side's last handle closed */
#define LOGOS_MAPPED_REVOKED(side)	(0x4U << (side))	/* side's handles revoked */

/**
 * struct logos_mapped_ring - the header of one ring, at its ring_offset
 * Each field has a cache line of its own, so producer and consumer never
 * write the same line. Both sides may write any of it: the reader trusts
 * nothing here without checking it.
 * @head:	the consumer's count of slots consumed; written only by it.
 * @tail:	the producer's count of slots published; written only by it.
 * @consumer_sleeping: 1 while the consumer sleeps (or is about to) on its
 *		doorbell for data; the producer rings after publishing when
 *		it reads 1.
 * @producer_sleeping: 1 while the producer sleeps for room; the consumer
 *		rings after consuming when it reads 1.
 */
struct logos_mapped_ring {
	__u64 head;
	__u8 pad0[LOGOS_MAPPED_CACHELINE - 8];
	__u64 tail;
	__u8 pad1[LOGOS_MAPPED_CACHELINE - 8];
	__u32 consumer_sleeping;
	__u8 pad2[LOGOS_MAPPED_CACHELINE - 4];
	__u32 producer_sleeping;
	__u8 pad3[LOGOS_MAPPED_CACHELINE - 4];
};

/**
 * struct logos_mapped_slot - the start of every slot
 * @len:	payload bytes that follow, at most slot_size - 8; with
 *		LOGOS_MAPPED_SLOT_GRANT the payload's length in the grant.
 * @flags:	LOGOS_MAPPED_SLOT_GRANT or 0; other bits: a corrupt ring.
 */
struct logos_mapped_slot {
	__u32 len;
	__u32 flags;
};

/*
 * The payload did not fit a slot: it travels as a memory object sent on
 * the companion channel liblogos pairs with the mapped channel, and the
 * slot holds only its length.
 */
#define LOGOS_MAPPED_SLOT_GRANT		0x1U

/**
 * struct logos_mapped_ctl - the control page; written by the kernel only
 * @magic:	LOGOS_MAPPED_CTL_MAGIC.
 * @status:	LOGOS_MAPPED_CLOSED() / LOGOS_MAPPED_REVOKED() bits; 0 while
 *		both sides are open.
 * @slot_size:	bytes per slot, a power of two, LOGOS_MAPPED_MIN_SLOT..
 *		LOGOS_MAPPED_MAX_SLOT.
 * @nr_slots:	slots per ring, a power of two, 2..LOGOS_MAPPED_MAX_SLOTS.
 * @ring_offset: byte offset in the ring memory of ring 0 (side 0 produces)
 *		and ring 1 (side 1 produces); each page-aligned.
 * @ring_size:	bytes of the ring memory.
 * @reserved:	0.
 */
struct logos_mapped_ctl {
	__u32 magic;
	__u32 status;
	__u32 slot_size;
	__u32 nr_slots;
	__u64 ring_offset[2];
	__u64 ring_size;
	__u64 reserved[3];
};

/**
 * struct logos_mapped_create - LOGOS_IOC_MAPPED_CREATE [both]
 * Needs LOGOS_MODULE_ALLOW_MAPPED on a module file (-EPERM otherwise).
 * @flags:	in: 0.
 * @slot_size:	in: bytes per slot (a power of two, LOGOS_MAPPED_MIN_SLOT..
 *		LOGOS_MAPPED_MAX_SLOT), 0: LOGOS_MAPPED_DEFAULT_SLOT.
 * @nr_slots:	in: slots per ring (a power of two, 2..LOGOS_MAPPED_MAX_SLOTS),
 *		0: LOGOS_MAPPED_DEFAULT_SLOTS. Other values: -EINVAL; rings
 *		larger than LOGOS_MEM_MAX_PAGES in all: -EINVAL.
 * @reserved:	in/out: 0.
 * @handle0:	out: side 0's endpoint.
 * @handle1:	out: side 1's endpoint, for the peer.
 * Both endpoints are objects of the caller; the ring memory and the
 * control page are memory objects charged to its LOGOS_RES_MEMORY_PAGES.
 */
struct logos_mapped_create {
	__u32 flags;
	__u32 slot_size;
	__u32 nr_slots;
	__u32 reserved;
	__u32 handle0;
	__u32 handle1;
};

/**
 * struct logos_mapped_map - LOGOS_IOC_MAPPED_MAP [both]
 * Attaches the caller to its side of the channel. Needs READ and WRITE on
 * the endpoint and LOGOS_MODULE_ALLOW_MAPPED on a module file (-EPERM).
 * A channel that already ended: -EPIPE; a side already attached: -EBUSY.
 * @handle:	in: the endpoint.
 * @flags:	in: 0.
 * @attach_handle: out: the attachment (READ, WRITE): the handle for
 *		NOTIFY, WAIT and watches. Closing it ends the side.
 * @ring_handle: out: the ring memory (READ, MAP_READ, MAP_WRITE): map it
 *		whole, PROT_READ | PROT_WRITE.
 * @ctl_handle:	out: the control page (READ, MAP_READ): map it PROT_READ.
 * @side:	out: 0 or 1.
 * @slot_size:	out: as in the control page.
 * @nr_slots:	out: as in the control page.
 * @ring_size:	out: bytes of the ring memory.
 * @ring_mmap_offset: out: mmap(2) offset of @ring_handle.
 * @ctl_mmap_offset: out: mmap(2) offset of @ctl_handle.
 * The memory handles are revoked when the endpoint's channel ends for
 * this side (closed or revoked), and can be neither moved nor copied.
 */
struct logos_mapped_map {
	__u32 handle;
	__u32 flags;
	__u32 attach_handle;
	__u32 ring_handle;
	__u32 ctl_handle;
	__u32 side;
	__u32 slot_size;
	__u32 nr_slots;
	__u64 ring_size;
	__u64 ring_mmap_offset;
	__u64 ctl_mmap_offset;
};

/**
 * struct logos_mapped_notify - LOGOS_IOC_MAPPED_NOTIFY [both]
 * Rings the peer's doorbell (sets LOGOS_SIGNAL_DOORBELL on the other
 * side's attachment and wakes its waiters; nothing when the peer has not
 * attached yet). -EPIPE once the channel ended.
 * @handle:	in: the caller's attachment, with WRITE (an endpoint:
 *		-EPROTOTYPE).
 * @flags:	in: 0.
 */
struct logos_mapped_notify {
	__u32 handle;
	__u32 flags;
};

/**
 * struct logos_mapped_wait - LOGOS_IOC_MAPPED_WAIT [both]
 * Waits until the attachment's doorbell rang or the channel ended, then
 * clears the doorbell: one system call per sleep.
 * @handle:	in: the caller's attachment, with READ (an endpoint:
 *		-EPROTOTYPE).
 * @flags:	in: 0.
 * @timeout_ns:	in: relative; 0 only polls (and clears), -1 for ever.
 * @observed:	out: the attachment's signals before the doorbell was cleared
 *		(LOGOS_SIGNAL_DOORBELL, LOGOS_SIGNAL_PEER_CLOSED), or
 *		LOGOS_SIGNAL_REVOKED for a revoked handle.
 * @reserved:	in/out: 0.
 * Returns 0 when something was observed, -ETIMEDOUT, or -EINTR.
 */
struct logos_mapped_wait {
	__u32 handle;
	__u32 flags;
	__s64 timeout_ns;
	__u32 observed;
	__u32 reserved;
};

/* ioctl numbers. [..] says on which file each works. */
#define LOGOS_IOC_VERSION	_IOR(LOGOS_IOC_MAGIC, 0x00, struct logos_version)
#define LOGOS_IOC_HANDLE_DUPLICATE _IOWR(LOGOS_IOC_MAGIC, 0x01, struct logos_handle_dup)
#define LOGOS_IOC_HANDLE_REPLACE _IOW(LOGOS_IOC_MAGIC, 0x02, struct logos_handle_replace)
#define LOGOS_IOC_HANDLE_CLOSE	_IOW(LOGOS_IOC_MAGIC, 0x03, struct logos_handle_close)
#define LOGOS_IOC_HANDLE_INFO	_IOWR(LOGOS_IOC_MAGIC, 0x04, struct logos_handle_info)
#define LOGOS_IOC_HANDLE_REVOKE	_IOWR(LOGOS_IOC_MAGIC, 0x05, struct logos_handle_revoke)
#define LOGOS_IOC_HANDLE_GIVE	_IOWR(LOGOS_IOC_MAGIC, 0x06, struct logos_handle_give)
#define LOGOS_IOC_MODULE_CREATE	_IOWR(LOGOS_IOC_MAGIC, 0x10, struct logos_module_create)
#define LOGOS_IOC_MODULE_SET_STATE _IOW(LOGOS_IOC_MAGIC, 0x11, struct logos_module_set_state)
#define LOGOS_IOC_MODULE_READY	_IO(LOGOS_IOC_MAGIC, 0x12)
#define LOGOS_IOC_MODULE_SET_QUOTA _IOW(LOGOS_IOC_MAGIC, 0x13, struct logos_module_set_quota)
#define LOGOS_IOC_MODULE_INFO	_IOWR(LOGOS_IOC_MAGIC, 0x14, struct logos_module_info)
#define LOGOS_IOC_EVENT_CREATE	_IOWR(LOGOS_IOC_MAGIC, 0x20, struct logos_event_create)
#define LOGOS_IOC_EVENT_SIGNAL	_IOW(LOGOS_IOC_MAGIC, 0x21, struct logos_event_signal)
#define LOGOS_IOC_WAIT		_IOWR(LOGOS_IOC_MAGIC, 0x22, struct logos_wait)
#define LOGOS_IOC_CHANNEL_CREATE _IOWR(LOGOS_IOC_MAGIC, 0x30, struct logos_channel_create)
#define LOGOS_IOC_CHANNEL_SEND	_IOWR(LOGOS_IOC_MAGIC, 0x31, struct logos_channel_io)
#define LOGOS_IOC_CHANNEL_RECV	_IOWR(LOGOS_IOC_MAGIC, 0x32, struct logos_channel_io)
#define LOGOS_IOC_CHANNEL_CALL	_IOWR(LOGOS_IOC_MAGIC, 0x33, struct logos_channel_call)
#define LOGOS_IOC_CHANNEL_REPLY	_IOWR(LOGOS_IOC_MAGIC, 0x34, struct logos_channel_reply)
#define LOGOS_IOC_MEM_CREATE	_IOWR(LOGOS_IOC_MAGIC, 0x40, struct logos_mem_create)
#define LOGOS_IOC_MEM_INFO	_IOWR(LOGOS_IOC_MAGIC, 0x41, struct logos_mem_info)
#define LOGOS_IOC_TOPIC_CREATE	_IOWR(LOGOS_IOC_MAGIC, 0x50, struct logos_topic_create)
#define LOGOS_IOC_TOPIC_SUBSCRIBE _IOWR(LOGOS_IOC_MAGIC, 0x51, struct logos_topic_subscribe)
#define LOGOS_IOC_TOPIC_PUBLISH	_IOWR(LOGOS_IOC_MAGIC, 0x52, struct logos_topic_publish)
#define LOGOS_IOC_WATCH		_IOW(LOGOS_IOC_MAGIC, 0x60, struct logos_watch)
#define LOGOS_IOC_WATCH_READ	_IOWR(LOGOS_IOC_MAGIC, 0x61, struct logos_watch_read)
#define LOGOS_IOC_MAPPED_CREATE	_IOWR(LOGOS_IOC_MAGIC, 0x70, struct logos_mapped_create)
#define LOGOS_IOC_MAPPED_MAP	_IOWR(LOGOS_IOC_MAGIC, 0x71, struct logos_mapped_map)
#define LOGOS_IOC_MAPPED_NOTIFY	_IOW(LOGOS_IOC_MAGIC, 0x72, struct logos_mapped_notify)
#define LOGOS_IOC_MAPPED_WAIT	_IOWR(LOGOS_IOC_MAGIC, 0x73, struct logos_mapped_wait)

/*
 * Generic netlink family
 * ----------------------
 * Family name LOGOS_GENL_NAME, version LOGOS_GENL_VERSION. Every command
 * needs CAP_NET_ADMIN (GENL_ADMIN_PERM) and is validated strictly: an
 * attribute a command does not take is refused with -EINVAL, a value out
 * of its range (MODULE_ID 0, RESOURCE >= __LOGOS_RES_MAX) with -ERANGE,
 * each with an extack message saying which. Commands and their attributes:
 *
 * LOGOS_CMD_GET_VERSION (do)
 *	request: none.
 *	reply:   VERSION_MAJOR, VERSION_MINOR, VERSION_PATCH (u32),
 *		 VERSION_FEATURES (u64, LOGOS_FEATURE_*).
 *
 * LOGOS_CMD_GET_MODULE (do with MODULE_ID; dump without: every module)
 *	reply, one message per module: MODULE_ID, MODULE_NAME (string),
 *		 MODULE_STATE, MODULE_TRUST, MODULE_PID (pid in the initial
 *		 pid namespace, 0 if unbound), MODULE_EXIT_FLAGS (u32),
 *		 MODULE_CPU_NS, MODULE_DENIED_RIGHTS, MODULE_DENIED_QUOTA,
 *		 MODULE_MSGS_SENT, MODULE_BYTES_SENT, MODULE_MSGS_RECEIVED,
 *		 MODULE_BYTES_RECEIVED (u64),
 *		 MODULE_RESOURCES: nested, one LOGOS_A_RESOURCE_ENTRY (nested)
 *		 per resource holding LOGOS_RA_ID (u32), LOGOS_RA_USAGE and
 *		 LOGOS_RA_LIMIT (u64, ~0 for unlimited).
 *	-ENOENT with an extack message for an unknown MODULE_ID.
 *
 * LOGOS_CMD_GET_HANDLES (dump; MODULE_ID required: -EINVAL without it,
 * -ENOENT for an unknown module)
 *	one message per handle of that module's table: MODULE_ID and
 *	HANDLE (nested): LOGOS_HA_VALUE, LOGOS_HA_TYPE, LOGOS_HA_RIGHTS,
 *	LOGOS_HA_FLAGS (u32, LOGOS_HANDLE_F_*), LOGOS_HA_OBJECT_ID,
 *	LOGOS_HA_CAP_ID, LOGOS_HA_PARENT_CAP_ID (u64).
 *
 * LOGOS_CMD_GET_STATS (do)
 *	reply: STATS_MODULES, STATS_OBJECTS, STATS_HANDLES (u64, live now),
 *	       STATS_EVENTS_SENT (u64, events multicast to at least one
 *	       listener since load),
 *	       STATS_MAX_MODULES, STATS_MAX_OBJECTS, STATS_MAX_HANDLES (u64,
 *	       the global limits).
 *
 * LOGOS_CMD_GET_GRANTS (dump)
 *	one message per (granter, grantee) module pair with memory handles
 *	in the grantee's table that arrived in messages from the granter:
 *	GRANT_FROM, GRANT_TO (u32 module ids, 0 for a supervisor),
 *	GRANT_HANDLES (u32, such handles alive now), GRANT_PAGES (u64, the
 *	pages of their objects). Pairs whose counts fell to zero are omitted.
 *
 * LOGOS_CMD_SET_QUOTA (do)
 *	request: MODULE_ID, RESOURCE (u32, enum logos_resource), LIMIT (u64,
 *		 as in struct logos_module_set_quota). Same effect as
 *		 LOGOS_IOC_MODULE_SET_QUOTA.
 *
 * Multicast group LOGOS_GENL_MCGRP_EVENTS ("events"): LOGOS_CMD_EVENT
 * messages, each with EVENT_TYPE (u32, enum logos_event_type), EVENT_SEQ
 * (u64, +1 per event: a gap means the listener missed events) and
 * EVENT_TIME_NS (u64, CLOCK_MONOTONIC), MODULE_ID and MODULE_NAME, plus:
 *	LOGOS_EVENT_STATE:	 MODULE_STATE (new), STATE_OLD,
 *				 MODULE_EXIT_FLAGS
 *	LOGOS_EVENT_QUOTA_WARNING,
 *	LOGOS_EVENT_QUOTA_EXCEEDED: RESOURCE, USAGE (u64), LIMIT
 *	LOGOS_EVENT_REVOKE:	 OBJECT_ID (u64), COUNT (u32, handles revoked)
 *	LOGOS_EVENT_RIGHTS_DENIED: OBJECT_ID, RIGHTS (u32, those missing)
 * MODULE_ID (and MODULE_NAME) name the module the event is about: for STATE
 * and QUOTA_* the module itself, for REVOKE and RIGHTS_DENIED the module
 * that acted, 0 (and no name) when that was a supervisor.
 */
#define LOGOS_GENL_NAME		"logos"
#define LOGOS_GENL_VERSION	1
#define LOGOS_GENL_MCGRP_EVENTS	"events"

enum logos_cmd {
	LOGOS_CMD_UNSPEC,
	LOGOS_CMD_GET_VERSION,
	LOGOS_CMD_GET_MODULE,
	LOGOS_CMD_GET_HANDLES,
	LOGOS_CMD_GET_STATS,
	LOGOS_CMD_SET_QUOTA,
	LOGOS_CMD_EVENT,
	LOGOS_CMD_GET_GRANTS,
	__LOGOS_CMD_MAX
};

#define LOGOS_CMD_MAX (__LOGOS_CMD_MAX - 1)

enum logos_attr {
	LOGOS_A_UNSPEC,
	LOGOS_A_VERSION_MAJOR,		/* u32 */
	LOGOS_A_VERSION_MINOR,		/* u32 */
	LOGOS_A_VERSION_PATCH,		/* u32 */
	LOGOS_A_VERSION_FEATURES,	/* u64, LOGOS_FEATURE_* */
	LOGOS_A_PAD,			/* padding for 64-bit attributes */
	LOGOS_A_MODULE_ID,		/* u32 */
	LOGOS_A_MODULE_NAME,		/* string */
	LOGOS_A_MODULE_STATE,		/* u32, enum logos_module_state */
	LOGOS_A_MODULE_TRUST,		/* u32, enum logos_trust_level */
	LOGOS_A_MODULE_PID,		/* u32 */
	LOGOS_A_MODULE_EXIT_FLAGS,	/* u32, LOGOS_EXIT_* */
	LOGOS_A_MODULE_CPU_NS,		/* u64 */
	LOGOS_A_MODULE_DENIED_RIGHTS,	/* u64 */
	LOGOS_A_MODULE_DENIED_QUOTA,	/* u64 */
	LOGOS_A_MODULE_RESOURCES,	/* nested LOGOS_A_RESOURCE_ENTRY */
	LOGOS_A_RESOURCE_ENTRY,		/* nested enum logos_resource_attr */
	LOGOS_A_HANDLE,			/* nested enum logos_handle_attr */
	LOGOS_A_STATS_MODULES,		/* u64 */
	LOGOS_A_STATS_OBJECTS,		/* u64 */
	LOGOS_A_STATS_HANDLES,		/* u64 */
	LOGOS_A_STATS_EVENTS_SENT,	/* u64 */
	LOGOS_A_STATS_MAX_MODULES,	/* u64 */
	LOGOS_A_STATS_MAX_OBJECTS,	/* u64 */
	LOGOS_A_STATS_MAX_HANDLES,	/* u64 */
	LOGOS_A_RESOURCE,		/* u32, enum logos_resource */
	LOGOS_A_LIMIT,			/* u64 */
	LOGOS_A_USAGE,			/* u64 */
	LOGOS_A_EVENT_TYPE,		/* u32, enum logos_event_type */
	LOGOS_A_EVENT_SEQ,		/* u64 */
	LOGOS_A_EVENT_TIME_NS,		/* u64 */
	LOGOS_A_STATE_OLD,		/* u32, enum logos_module_state */
	LOGOS_A_OBJECT_ID,		/* u64 */
	LOGOS_A_COUNT,			/* u32 */
	LOGOS_A_RIGHTS,			/* u32, LOGOS_RIGHT_* */
	LOGOS_A_MODULE_MSGS_SENT,	/* u64 */
	LOGOS_A_MODULE_BYTES_SENT,	/* u64 */
	LOGOS_A_MODULE_MSGS_RECEIVED,	/* u64 */
	LOGOS_A_MODULE_BYTES_RECEIVED,	/* u64 */
	LOGOS_A_GRANT_FROM,		/* u32 */
	LOGOS_A_GRANT_TO,		/* u32 */
	LOGOS_A_GRANT_HANDLES,		/* u32 */
	LOGOS_A_GRANT_PAGES,		/* u64 */
	__LOGOS_A_MAX
};

#define LOGOS_A_MAX (__LOGOS_A_MAX - 1)

enum logos_resource_attr {
	LOGOS_RA_UNSPEC,
	LOGOS_RA_ID,			/* u32, enum logos_resource */
	LOGOS_RA_USAGE,			/* u64 */
	LOGOS_RA_LIMIT,			/* u64 */
	LOGOS_RA_PAD,
	__LOGOS_RA_MAX
};

#define LOGOS_RA_MAX (__LOGOS_RA_MAX - 1)

enum logos_handle_attr {
	LOGOS_HA_UNSPEC,
	LOGOS_HA_VALUE,			/* u32 */
	LOGOS_HA_TYPE,			/* u32, enum logos_object_type */
	LOGOS_HA_RIGHTS,		/* u32 */
	LOGOS_HA_FLAGS,			/* u32, LOGOS_HANDLE_F_* */
	LOGOS_HA_OBJECT_ID,		/* u64 */
	LOGOS_HA_CAP_ID,		/* u64 */
	LOGOS_HA_PARENT_CAP_ID,		/* u64 */
	LOGOS_HA_PAD,
	__LOGOS_HA_MAX
};

#define LOGOS_HA_MAX (__LOGOS_HA_MAX - 1)
#define LOGOS_HANDLE_F_REVOKED	0x1U

enum logos_event_type {
	LOGOS_EVENT_NONE,
	LOGOS_EVENT_STATE,
	LOGOS_EVENT_QUOTA_WARNING,
	LOGOS_EVENT_QUOTA_EXCEEDED,
	LOGOS_EVENT_REVOKE,
	LOGOS_EVENT_RIGHTS_DENIED,
	__LOGOS_EVENT_MAX
};

#endif /* _UAPI_LINUX_LOGOS_H */
