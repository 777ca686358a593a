/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The echo service's protocol, shared by echo-server and echo-client. */
#ifndef ECHO_H
#define ECHO_H

#define ECHO_SERVICE	"echo"
#define ECHO_VERSION	LOGOS_SERVICE_VERSION(1, 0)
#define ECHO_KIND	0x1001		/* wire message kind of the service */

/* Methods: request and reply carry bytes in field 1. */
#define ECHO_ECHO	1		/* the same bytes back */
#define ECHO_REVERSE	2		/* the bytes in reverse order */
#define ECHO_STATS	3		/* reply: u64 field 1, calls served */

#define ECHO_TAG_DATA	1
#define ECHO_TAG_CALLS	1

#endif
