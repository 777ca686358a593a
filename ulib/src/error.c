// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * logos_strerror(): every errno logos.ko or liblogos returns, with what it
 * means for the caller and what to do (Documentation/errors.md is the
 * long form of each line).
 */
#include "internal.h"

#include <stdio.h>

static const struct {
	int err;
	const char *text;
} logos_errors[] = {
	{ EPERM, "operation not permitted: the handle lacks a right the operation needs, "
		 "or the rights asked for are more than the source handle has, or the call is "
		 "for the other kind of file (supervisor vs module), or the caller lacks "
		 "CAP_SYS_ADMIN/CAP_NET_ADMIN; check logos_handle_info() rights and ask the "
		 "handle's giver for one with that right" },
	{ ENOENT, "not found: /dev/logos is missing (load logos.ko), or no module, watch, "
		  "service or pending call has that id or name (it is gone: look it up again)" },
	{ ESRCH, "the module is gone (its file was released): do not retry, the supervisor "
		 "restarts it if its policy says so" },
	{ EINTR, "interrupted by a signal before anything happened: compute the time left "
		 "and call again" },
	{ EIO, "input/output error from the system: report a bug with the kernel log" },
	{ ENXIO, "not started as a logos module: LOGOS_MODULE_FD or LOGOS_BOOTSTRAP is "
		 "missing or bad; run the program under logosd (or examples/logos-launch)" },
	{ E2BIG, "the argument has fields this logos.ko does not know (set to nonzero): "
		 "leave new fields 0 or install a newer logos.ko" },
	{ EBADF, "no such handle in this file's table (never existed, already closed, or "
		 "from another file: handles are per file); drop the value, do not retry" },
	{ EAGAIN, "would block: the queue is full (send) or empty (receive) and the timeout "
		  "was 0; wait for LOGOS_SIGNAL_WRITABLE/READABLE or pass a timeout" },
	{ ENOMEM, "out of memory in the kernel or the library: free something, retry later" },
	{ EACCES, "access denied: /dev/logos is root only, or logosd's policy forbids this "
		  "service lookup; run as root or ask the operator to allow it" },
	{ EFAULT, "bad pointer passed to logos.ko (a buffer is unmapped or too small); if it "
		  "happened while writing the answer, the operation itself was done" },
	{ EBUSY, "busy: no free module id; cannot happen below max_modules, report a bug" },
	{ EEXIST, "already exists: a service of that name is registered already" },
	{ EINVAL, "invalid argument: an unknown flag, a nonzero reserved field, a value out of "
		  "range or a lifecycle transition the state machine does not allow; fix the "
		  "call, and for a transition read the module's state first" },
	{ ENFILE, "the system is out of open files: close files or raise fs.file-max" },
	{ EMFILE, "this process is out of file descriptors: close some or raise RLIMIT_NOFILE" },
	{ ENOTTY, "this logos.ko does not know that ioctl: the headers and the module differ, "
		  "compare logos_get_version() (major and features) and install matching ones" },
	{ ENOSPC, "a global limit of logos.ko is reached (max_modules, max_objects, "
		  "max_handles, a full handle table or LOGOS_WATCH_MAX watches); the operator "
		  "must find the leak (logosctl, netlink stats) or raise the parameter" },
	{ EOWNERDEAD, "the server took the call and ended (crashed or was stopped) before "
		      "answering: the request may or may not have been carried out; retry only "
		      "if it is idempotent (or carries a request id the server de-duplicates), "
		      "else check the server's state first" },
	{ EPIPE, "the other end of the channel is closed (or the topic is gone): nothing more "
		 "will arrive or can be sent; close the endpoint and look the service up again" },
	{ ERANGE, "value out of range: a netlink attribute (module id 0, resource >= 8), or a "
		  "buffer too small for the string to copy; fix the value or give more room" },
	{ EPROTO, "logos.ko speaks another ABI major version than liblogos was built for: "
		  "install a logos.ko and liblogos of the same major version" },
	{ EBADMSG, "malformed, truncated, oversized or tampered message: it was rejected "
		   "(wire format), or a secure channel detected tampering, replay or reordering "
		   "and is now dead; close it and establish a new one" },
	{ EMSGSIZE, "message too large: more than LOGOS_MSG_MAX_BYTES bytes or "
		    "LOGOS_MSG_MAX_HANDLES handles, or a receive buffer too small (the message "
		    "stays queued); send less, or receive into bigger buffers" },
	{ EPROTOTYPE, "the handle names an object of the wrong type for this operation: "
		      "check logos_handle_info() type; a bug in the caller" },
	{ EOPNOTSUPP, "not supported: the peer does not know this message kind or method "
		      "(it may be older), or a netlink request has the wrong flags; check "
		      "versions" },
	{ ECONNREFUSED, "the peer refused the secure channel handshake (it does not accept this "
			"module's identity, or speaks another handshake version)" },
	{ ECONNRESET, "the peer closed the secure channel without ending the stream: what "
		      "arrived is authentic but may be incomplete" },
	{ ENOBUFS, "events were lost: the netlink listener's socket overflowed (the sequence "
		   "numbers have a gap); read faster or enlarge SO_RCVBUF" },
	{ ETIMEDOUT, "timed out: nothing happened before the timeout; normal when polling, "
		     "otherwise the peer is stuck or slow (raise the timeout)" },
	{ EDQUOT, "the module's quota for a resource is exhausted: close handles or objects, "
		  "or ask the supervisor to raise the limit (logos_module_get_info() shows "
		  "usage and limit)" },
	{ EKEYREVOKED, "the handle was revoked by a holder of one of its ancestors: only "
		       "closing still works; close it and ask its giver for a new one" },
	{ EKEYREJECTED, "the peer's identity key is not the one expected: the secure channel "
			"was refused; check which module you are talking to" },
};

static __thread char unknown_buf[160];

const char *logos_strerror(int err)
{
	char sys[64];
	size_t i;

	if (err < 0)
		err = -err;
	if (err == 0)
		return "success";
	for (i = 0; i < LOGOS_ARRAY_SIZE(logos_errors); i++) {
		if (logos_errors[i].err == err)
			return logos_errors[i].text;
	}
	snprintf(unknown_buf, sizeof(unknown_buf),
		 "%s (errno %d, not an error logos.ko or liblogos returns: see the system's "
		 "documentation)", strerror_r(err, sys, sizeof(sys)), err);
	return unknown_buf;
}
