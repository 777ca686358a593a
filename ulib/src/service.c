// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The registry client: REGISTER and LOOKUP calls on the bootstrap channel. */
#include "internal.h"
#include "module.h"

#include <logos/rpc.h>
#include <logos/service.h>

static int check_name(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	return len && len <= LOGOS_SERVICE_NAME_MAX ? 0 : -EINVAL;
}

int logos_service_register(struct logos_module *m, const char *name, uint32_t version,
			   const char *caps)
{
	uint8_t buf[LOGOS_WIRE_HEADER_SIZE + 2 * 6 + LOGOS_SERVICE_NAME_MAX +
		    LOGOS_SERVICE_CAPS_MAX + 6];
	struct logos_wire_writer w;
	struct logos_rx *rx;
	int ret = check_name(name);

	if (ret)
		return ret;
	if (caps && strlen(caps) > LOGOS_SERVICE_CAPS_MAX)
		return -EINVAL;
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_REGISTER, 0, 0);
	logos_wire_put_string(&w, LOGOS_TAG_SERVICE, name);
	logos_wire_put_u32(&w, LOGOS_TAG_VERSION, version);
	logos_wire_put_string(&w, LOGOS_TAG_CAPS, caps ? caps : "");
	rx = logos_rx_new();
	if (!rx)
		return -ENOMEM;
	ret = logos_rpc_call(m->fd, m->boot, &w, rx, m->call_timeout_ns);
	logos_rx_free(rx);
	return ret;
}

int logos_service_lookup(struct logos_module *m, const char *name, uint32_t min_version,
			 uint32_t max_version, logos_handle_t *ep, uint32_t *version)
{
	uint8_t buf[LOGOS_WIRE_HEADER_SIZE + 6 + LOGOS_SERVICE_NAME_MAX + 2 * 6];
	struct logos_wire_writer w;
	struct logos_rx *rx;
	uint32_t found = 0;
	int ret = check_name(name);

	if (ret)
		return ret;
	if (min_version > max_version)
		return -EINVAL;
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_LOOKUP, 0, 0);
	logos_wire_put_string(&w, LOGOS_TAG_SERVICE, name);
	logos_wire_put_u32(&w, LOGOS_TAG_MIN_VERSION, min_version);
	logos_wire_put_u32(&w, LOGOS_TAG_MAX_VERSION, max_version);
	rx = logos_rx_new();
	if (!rx)
		return -ENOMEM;
	ret = logos_rpc_call(m->fd, m->boot, &w, rx, m->call_timeout_ns);
	if (!ret) {
		logos_wire_get_u32(&rx->wire, LOGOS_TAG_LOOKUP_VERSION, &found);
		ret = logos_rx_take_handle(rx, LOGOS_TAG_LOOKUP_EP, ep);
		if (ret)
			ret = -EBADMSG;	/* a successful LOOKUP without an endpoint */
		else if (version)
			*version = found;
	}
	logos_rx_free(rx);
	return ret;
}
