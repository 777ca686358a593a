/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The chat service's protocol, shared by chat-hub and chat-client. */
#ifndef CHAT_H
#define CHAT_H

#define CHAT_SERVICE	"chat"
#define CHAT_VERSION	LOGOS_SERVICE_VERSION(1, 0)
#define CHAT_KIND	0x1002

/*
 * Calls to the hub:
 *   JOIN  (string nick)  -> handle 1: the room's topic (publish + subscribe)
 *   ENTER (string nick)  -> u32 2: members; the hub announces PRESENCE
 * A client subscribes between the two, so it hears its own arrival.
 */
#define CHAT_JOIN	1
#define CHAT_ENTER	2

/* Topic messages (method id = event). */
#define CHAT_PRESENCE	10	/* string nick, u32 members */
#define CHAT_SAY	11	/* string nick, string text */

#define CHAT_TAG_NICK	1
#define CHAT_TAG_TOPIC	1
#define CHAT_TAG_MEMBERS 2
#define CHAT_TAG_TEXT	2

#endif
