/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module networking (Documentation/network.md). Every module runs in a
 * network namespace of its own (clone3 CLONE_NEWNET); one with [Network]
 * Allow = yes also gets a veth pair: "eth0" inside, "lgsSERIAL" outside on
 * logosd's bridge ([Network] Bridge in logosd.conf), an IPv4 address from
 * the pool and a default route through the bridge's gateway address.
 * Traffic policy is one nftables ruleset of logosd's own ("table inet
 * logos" on the host side, "table bridge logos" between the bridge's
 * ports), rebuilt from the running instances whenever one starts or ends.
 *
 * Links, addresses and routes are made with libnl-route-3, the rules with
 * libnftables: logosd runs neither ip nor nft.
 */
#ifndef LOGOSD_NET_H
#define LOGOSD_NET_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define NET_VETH_PREFIX "lgs"	/* host ends: lgs<instance serial> */

struct instance;

/* A networked instance's share of the network, while it runs. */
struct net_lease {
	bool active;
	uint32_t addr;			/* host byte order */
	char host_if[IFNAMSIZ];		/* the outer end of its veth */
};

/*
 * At start: removes what a previous logosd left (its nftables tables,
 * veths named lgs*), makes the bridge (or reuses it) with the gateway
 * address, enables forwarding when an uplink is set and loads an empty
 * policy. -errno and @why when the node's network cannot be set up.
 */
int net_init(char *why, size_t cap);
/* At exit: the tables and the remaining veths go, the bridge stays. */
void net_exit(void);

/*
 * Before the sandboxed child @pid (in its new network namespace, waiting
 * on logosd) continues: the veth pair, the inner end configured from
 * inside the namespace, the outer end on the bridge, the rules. Called
 * from sandbox_spawn() through the plan's net_hook.
 */
int net_attach(struct instance *in, pid_t pid, char *why, size_t cap);
/* The instance ended (or never started): address, veth and rules go. */
void net_release(struct instance *in);

/* The modules' resolv.conf ([Network] DNS), or NULL: the host's is bound. */
const char *net_resolv_conf(void);

#endif
