/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event objects (signal bits for control notifications) and LOGOS_IOC_WAIT,
 * which waits on the signals of any objects.
 */
#ifndef _LOGOS_EVENT_H
#define _LOGOS_EVENT_H

struct logos_call;

long logos_ioctl_event_create(struct logos_call *call);
long logos_ioctl_event_signal(struct logos_call *call);
long logos_ioctl_wait(struct logos_call *call);

#endif /* _LOGOS_EVENT_H */
