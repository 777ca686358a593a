/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Topics: publish/subscribe over subscriber endpoints.
 */
#ifndef _LOGOS_TOPIC_H
#define _LOGOS_TOPIC_H

struct logos_call;
struct logos_endpoint;

struct logos_topic;

void logos_topic_unsubscribe(struct logos_endpoint *ep);
void logos_topic_put(struct logos_topic *topic);

long logos_ioctl_topic_create(struct logos_call *call);
long logos_ioctl_topic_subscribe(struct logos_call *call);
long logos_ioctl_topic_publish(struct logos_call *call);

#endif /* _LOGOS_TOPIC_H */
