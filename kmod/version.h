/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LOGOS_VERSION_H
#define _LOGOS_VERSION_H

#define LOGOS_VERSION "0.1.0"
#define LOGOS_VERSION_PATCH 0

#endif /* _LOGOS_VERSION_H */
