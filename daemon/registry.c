// SPDX-License-Identifier: GPL-2.0
/*
 * The service registry (FR-005, Documentation/protocol.md §3): REGISTER
 * (only services the signed manifest lists), LOOKUP by name and version
 * range (the highest match wins; the access policy of logosd.conf
 * decides who may call what), CONNECT to the provider.
 *
 * logosd creates the channel of each connection and keeps the provider's
 * endpoint; the provider gets a handle derived from it. When the provider
 * restarts, its derived handle dies with it but the endpoint lives on: the
 * client's calls wait in its queue (SERVICE_STATE "restarting"), and the
 * new instance gets a new derived handle with CONNECT when it registers
 * the service again — the client's handle never changes. An update moves
 * connections the same way, after revoking the old version's handles.
 */
#include "daemon.h"
#include "json.h"
#include "kernel.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <logos/bootstrap.h>
#include <logos/wire.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROVIDER_RIGHTS (LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_DUPLICATE)

struct provider {
	char service[SERVICE_NAME_MAX];
	uint32_t version;
	char *caps;
	char module[LOGOS_NAME_MAX];
	uint64_t serial;	/* the instance */
	bool active;		/* false: an update candidate's, held back */
};

struct conn {
	uint64_t id;
	char service[SERVICE_NAME_MAX];
	struct vrange range;
	uint32_t version;
	char provider[LOGOS_NAME_MAX];	/* module name */
	uint64_t provider_serial;	/* 0: orphaned, waiting for a new instance */
	char client[LOGOS_NAME_MAX];
	uint64_t client_serial;
	uint32_t client_kid;
	uint32_t server_ep;	/* ours; the provider holds a derived handle */
};

static struct provider *provs;
static size_t nr_provs;
static struct conn *conns;
static size_t nr_conns;
static uint64_t next_conn = 1;

static void service_state(uint64_t client_serial, const char *service, uint32_t state)
{
	struct instance *in = sup_instance(client_serial);
	uint8_t buf[256];
	struct logos_wire_writer w;
	size_t len;

	if (!in || in->exited)
		return;
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_SERVICE_STATE, 0, 0);
	logos_wire_put_string(&w, LOGOS_TAG_SERVICE, service);
	logos_wire_put_u32(&w, LOGOS_TAG_SERVICE_STATE, state);
	if (!logos_wire_finish(&w, &len))
		k_send(D.kfd, in->boot, buf, len, NULL, 0);
}

/* CONNECT to @prov with a handle derived from the connection's endpoint. */
static int connect_provider(struct conn *c, const struct provider *prov)
{
	struct instance *in = sup_instance(prov->serial);
	uint8_t buf[256];
	struct logos_wire_writer w;
	size_t len;
	int ret;

	if (!in)
		return -ESRCH;
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_CONNECT, 0, 0);
	logos_wire_put_string(&w, LOGOS_TAG_SERVICE, c->service);
	logos_wire_put_u32(&w, LOGOS_TAG_CLIENT, c->client_kid);
	logos_wire_put_handle(&w, LOGOS_TAG_CONNECT_EP, c->server_ep, PROVIDER_RIGHTS, 0);
	ret = logos_wire_finish(&w, &len);
	if (!ret)
		ret = k_send(D.kfd, in->boot, buf, len, w.handles, w.nr_handles);
	if (ret)
		return ret;
	c->provider_serial = prov->serial;
	c->version = prov->version;
	str_copy(c->provider, sizeof(c->provider), prov->module);
	return 0;
}

static void conn_close(size_t i, bool tell_client)
{
	struct conn *c = &conns[i];

	if (tell_client)
		service_state(c->client_serial, c->service, LOGOS_SERVICE_GONE);
	k_close(D.kfd, c->server_ep);	/* the client sees PEER_CLOSED */
	memmove(&conns[i], &conns[i + 1], (nr_conns - i - 1) * sizeof(*conns));
	nr_conns--;
}

static void prov_remove(size_t i)
{
	free(provs[i].caps);
	memmove(&provs[i], &provs[i + 1], (nr_provs - i - 1) * sizeof(*provs));
	nr_provs--;
}

int registry_register(struct instance *in, const char *name, uint32_t version,
		      const char *caps, char *why, size_t cap)
{
	const struct service_decl *decl = NULL;
	struct provider *p = NULL, *np;
	char v[16];

	for (size_t i = 0; i < in->m->nr_provides; i++)
		if (!strcmp(in->m->provides[i].name, name))
			decl = &in->m->provides[i];
	version_format(version, v, sizeof(v));
	if (!decl || decl->version != version) {
		snprintf(why, cap, "%s %s is not in the signed manifest of %s ([Services] Provides)",
			 name, v, in->mod->name);
		log_warn("%s: REGISTER refused: %s", in->mod->name, why);
		AUDIT_MOD(in->mod->name, "deny", "module", in->mod->name, "what", "register", "service", name,
		      "version", v, "reason", "not in the signed manifest");
		return -EPERM;
	}
	for (size_t i = 0; i < nr_provs; i++)
		if (provs[i].serial == in->serial && !strcmp(provs[i].service, name))
			p = &provs[i];
	if (!p) {
		np = realloc(provs, (nr_provs + 1) * sizeof(*np));
		if (!np)
			return -ENOMEM;
		provs = np;
		p = &provs[nr_provs++];
		memset(p, 0, sizeof(*p));
	}
	free(p->caps);
	str_copy(p->service, sizeof(p->service), name);
	str_copy(p->module, sizeof(p->module), in->mod->name);
	p->version = version;
	p->caps = strdup(caps);
	p->serial = in->serial;
	p->active = !in->candidate;
	log_info("%s: registered service %s %s%s", in->mod->name, name, v,
		 p->active ? "" : " (held until the update is switched in)");
	AUDIT_MOD(in->mod->name, "service", "module", in->mod->name, "event", "registered", "service", name,
	      "version", v);
	if (!p->active)
		return 0;
	/* clients of a previous instance of this module come back */
	for (size_t i = 0; i < nr_conns; i++) {
		struct conn *c = &conns[i];

		if (c->provider_serial || strcmp(c->provider, in->mod->name) ||
		    strcmp(c->service, name))
			continue;
		if (!vrange_contains(&c->range, version) || connect_provider(c, p)) {
			conn_close(i--, true);
			continue;
		}
		service_state(c->client_serial, name, LOGOS_SERVICE_UP);
	}
	return 0;
}

int registry_lookup(struct instance *client, const char *name, uint32_t min, uint32_t max,
		    uint32_t *endpoint, uint32_t *version, char *why, size_t cap)
{
	struct vrange r = { .min = min, .max = max };
	struct provider *best = NULL;
	struct conn *c, *nc;
	uint32_t h0, h1;
	char a[16], b[16];
	int ret;

	version_format(min, a, sizeof(a));
	version_format(max, b, sizeof(b));
	if (!access_allowed(&D.cfg, name, client->mod->name)) {
		snprintf(why, cap, "the access policy does not let %s call %s", client->mod->name,
			 name);
		log_warn("%s: LOOKUP refused: %s", client->mod->name, why);
		AUDIT_MOD(client->mod->name, "deny", "module", client->mod->name, "what", "lookup", "service", name,
		      "reason", "access policy");
		return -EACCES;
	}
	for (size_t i = 0; i < nr_provs; i++) {
		struct provider *p = &provs[i];

		if (!p->active || strcmp(p->service, name) || !vrange_contains(&r, p->version))
			continue;
		if (!best || p->version > best->version)
			best = p;
	}
	if (!best) {
		snprintf(why, cap, "no provider of %s in [%s, %s]", name, a, b);
		return -ENOENT;
	}
	nc = realloc(conns, (nr_conns + 1) * sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	conns = nc;
	ret = k_channel_create(D.kfd, &h0, &h1);
	if (ret) {
		snprintf(why, cap, "cannot create a channel: %s", strerror(-ret));
		return ret;
	}
	c = &conns[nr_conns];
	memset(c, 0, sizeof(*c));
	c->id = next_conn++;
	str_copy(c->service, sizeof(c->service), name);
	c->range = r;
	str_copy(c->client, sizeof(c->client), client->mod->name);
	c->client_serial = client->serial;
	c->client_kid = client->kid;
	c->server_ep = h1;
	ret = connect_provider(c, best);
	if (!ret)
		ret = k_watch(D.kfd, h1, LOGOS_SIGNAL_PEER_CLOSED, c->id << 8 | 3);
	if (ret) {
		snprintf(why, cap, "cannot connect to %s: %s", best->module, strerror(-ret));
		k_close(D.kfd, h0);
		k_close(D.kfd, h1);
		return ret;
	}
	nr_conns++;
	*endpoint = h0;
	*version = best->version;
	version_format(best->version, a, sizeof(a));
	log_info("%s: connected to %s %s of %s", client->mod->name, name, a, best->module);
	AUDIT_MOD(client->mod->name, "service", "module", client->mod->name, "event", "connected", "service", name,
	      "version", a, "provider", best->module);
	return 0;
}

void registry_instance_gone(struct instance *in, bool restarting)
{
	for (size_t i = 0; i < nr_provs; i++)
		if (provs[i].serial == in->serial)
			prov_remove(i--);
	for (size_t i = 0; i < nr_conns; i++) {
		struct conn *c = &conns[i];

		if (c->client_serial == in->serial) {
			conn_close(i--, false);
		} else if (c->provider_serial == in->serial) {
			if (!restarting) {
				conn_close(i--, true);
				continue;
			}
			c->provider_serial = 0;	/* orphaned until the module is back */
			service_state(c->client_serial, c->service, LOGOS_SERVICE_RESTARTING);
		}
	}
}

void registry_module_gone(const char *module)
{
	for (size_t i = 0; i < nr_conns; i++)
		if (!conns[i].provider_serial && !strcmp(conns[i].provider, module))
			conn_close(i--, true);
}

void registry_switch(struct instance *old, struct instance *next)
{
	for (size_t i = 0; i < nr_provs; i++)
		if (provs[i].serial == next->serial)
			provs[i].active = true;
	for (size_t i = 0; i < nr_conns; i++) {
		struct conn *c = &conns[i];
		struct provider *p = NULL;

		if (c->provider_serial != old->serial)
			continue;
		for (size_t j = 0; j < nr_provs; j++)
			if (provs[j].serial == next->serial && !strcmp(provs[j].service, c->service) &&
			    vrange_contains(&c->range, provs[j].version))
				p = &provs[j];
		/* the old version's handle is revoked: it cannot answer any more */
		k_revoke(D.kfd, c->server_ep, NULL);
		if (!p || connect_provider(c, p)) {
			conn_close(i--, true);
			continue;
		}
	}
	for (size_t i = 0; i < nr_provs; i++)
		if (provs[i].serial == old->serial)
			prov_remove(i--);
}

void registry_peer_closed(uint64_t id)
{
	for (size_t i = 0; i < nr_conns; i++) {
		if (conns[i].id == id) {
			log_debug("registry: %s closed its connection to %s", conns[i].client,
				  conns[i].service);
			conn_close(i, false);
			return;
		}
	}
}

bool registry_provides_ready(const char *service, const struct vrange *r)
{
	for (size_t i = 0; i < nr_provs; i++)
		if (provs[i].active && !strcmp(provs[i].service, service) &&
		    vrange_contains(r, provs[i].version))
			return true;
	return false;
}

void registry_json(void *arg)
{
	struct jw *w = arg;
	char v[16];

	jw_arr_begin(w, "services");
	for (size_t i = 0; i < nr_provs; i++) {
		size_t clients = 0;

		for (size_t j = 0; j < nr_conns; j++)
			clients += conns[j].provider_serial == provs[i].serial &&
				   !strcmp(conns[j].service, provs[i].service);
		version_format(provs[i].version, v, sizeof(v));
		jw_obj_begin(w, NULL);
		jw_str(w, "service", provs[i].service);
		jw_str(w, "version", v);
		jw_str(w, "module", provs[i].module);
		jw_str(w, "capabilities", provs[i].caps);
		jw_bool(w, "active", provs[i].active);
		jw_uint(w, "clients", clients);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr_begin(w, "connections");
	for (size_t i = 0; i < nr_conns; i++) {
		version_format(conns[i].version, v, sizeof(v));
		jw_obj_begin(w, NULL);
		jw_str(w, "client", conns[i].client);
		jw_str(w, "service", conns[i].service);
		jw_str(w, "version", v);
		jw_str(w, "provider", conns[i].provider);
		jw_str(w, "state", conns[i].provider_serial ? "up" : "restarting");
		jw_obj_end(w);
	}
	jw_arr_end(w);
}
