// SPDX-License-Identifier: GPL-2.0
/*
 * Module networking: the bridge, the veth pairs, the addresses and the
 * nftables policy (net.h, Documentation/network.md).
 *
 * The inner end of a veth is created directly in the module's namespace
 * (IFLA_NET_NS_PID of the peer, while the child waits on sandbox_spawn()'s
 * sync pipe) and configured from inside it: a short-lived thread of logosd
 * setns()es into the namespace (a thread's setns changes that thread
 * only), opens a NETLINK_ROUTE socket there and sets the address, the
 * link state and the default route, then ends. The main thread never
 * leaves logosd's own namespace.
 */
#include "net.h"
#include "daemon.h"
#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INNER_IF "eth0"

static struct {
	struct nl_sock *sk;
	struct nft_ctx *nft;
	int br_ifindex;
	bool ready;
	char err[256];		/* why not ready */
} N;

static int nl2errno(int err)
{
	switch (err < 0 ? -err : err) {
	case 0: return 0;
	case NLE_EXIST: return -EEXIST;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_NODEV: case NLE_OBJ_NOTFOUND: return -ENODEV;
	case NLE_BUSY: return -EBUSY;
	case NLE_INVAL: return -EINVAL;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	default: return -EIO;
	}
}

static struct nl_addr *v4(uint32_t addr, int prefix)
{
	uint32_t be = htonl(addr);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof(be));

	if (a)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

static uint32_t gateway(void)
{
	return D.cfg.net.pool4 + 1;
}

static void ip_text(uint32_t addr, char *buf, size_t cap)
{
	uint32_t be = htonl(addr);

	inet_ntop(AF_INET, &be, buf, cap);
}

/* ---- links ------------------------------------------------------------- */

/* Adds @addr/@prefix to @ifindex; one already there is fine. */
static int add_addr(struct nl_sock *sk, int ifindex, uint32_t addr, int prefix)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = v4(addr, prefix);
	int ret = -ENOMEM;

	if (a && local) {
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_family(a, AF_INET);
		rtnl_addr_set_local(a, local);
		rtnl_addr_set_prefixlen(a, prefix);
		ret = nl2errno(rtnl_addr_add(sk, a, 0));
		if (ret == -EEXIST)
			ret = 0;
	}
	nl_addr_put(local);
	rtnl_addr_put(a);
	return ret;
}

/* IFF_UP (and @mtu, @master when not 0) on the link named @name. */
static int link_up(struct nl_sock *sk, const char *name, unsigned int mtu, int master,
		   int *ifindex)
{
	struct rtnl_link *cur = NULL, *chg = rtnl_link_alloc();
	int ret = chg ? nl2errno(rtnl_link_get_kernel(sk, 0, name, &cur)) : -ENOMEM;

	if (!ret) {
		rtnl_link_set_flags(chg, IFF_UP);
		if (mtu)
			rtnl_link_set_mtu(chg, mtu);
		if (master)
			rtnl_link_set_master(chg, master);
		ret = nl2errno(rtnl_link_change(sk, cur, chg, 0));
		if (ifindex)
			*ifindex = rtnl_link_get_ifindex(cur);
	}
	rtnl_link_put(cur);
	rtnl_link_put(chg);
	return ret;
}

static int link_del(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int ret;

	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, name);
	ret = nl2errno(rtnl_link_delete(sk, l));
	rtnl_link_put(l);
	return ret == -ENODEV ? 0 : ret;
}

/* Every link named lgs*: a previous logosd's veths. */
static void del_stale_veths(void)
{
	struct nl_cache *cache = NULL;
	char **names = calloc(1, sizeof(char *));

	if (!names || rtnl_link_alloc_cache(N.sk, AF_UNSPEC, &cache) < 0) {
		free(names);
		return;
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		const char *name = rtnl_link_get_name((struct rtnl_link *)o);

		if (name && !strncmp(name, NET_VETH_PREFIX, strlen(NET_VETH_PREFIX)))
			strv_push(&names, name);
	}
	nl_cache_free(cache);
	for (char **n = names; *n; n++) {
		int ret = link_del(N.sk, *n);

		log_info("network: removed the stale veth %s%s%s", *n, ret ? ": " : "",
			 ret ? strerror(-ret) : "");
	}
	strv_free(names);
}

/*
 * IPv4 addresses on the bridge other than the gateway: a previous pool's
 * gateway (IPv4Pool changed across a restart) would route a stale network.
 */
static void del_other_bridge_addrs(void)
{
	struct nl_cache *cache = NULL;

	if (rtnl_addr_alloc_cache(N.sk, &cache) < 0)
		return;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		uint32_t be;

		if (rtnl_addr_get_ifindex(a) != N.br_ifindex || rtnl_addr_get_family(a) != AF_INET ||
		    !local || nl_addr_get_len(local) != sizeof(be))
			continue;
		memcpy(&be, nl_addr_get_binary_addr(local), sizeof(be));
		if (ntohl(be) == gateway() && rtnl_addr_get_prefixlen(a) == (int)D.cfg.net.pool4_len)
			continue;
		if (!rtnl_addr_delete(N.sk, a, 0))
			log_info("network: removed a previous pool's address from %s", D.cfg.net.bridge);
	}
	nl_cache_free(cache);
}

static int bridge_setup(char *why, size_t cap)
{
	const struct net_config *c = &D.cfg.net;
	int ret = nl2errno(rtnl_link_bridge_add(N.sk, c->bridge));

	if (ret && ret != -EEXIST) {
		snprintf(why, cap, "cannot create the bridge %s: %s", c->bridge, strerror(-ret));
		return ret;
	}
	ret = link_up(N.sk, c->bridge, 0, 0, &N.br_ifindex);
	if (!ret) {
		del_other_bridge_addrs();
		ret = add_addr(N.sk, N.br_ifindex, gateway(), c->pool4_len);
	}
	if (ret)
		snprintf(why, cap, "cannot set up the bridge %s: %s", c->bridge, strerror(-ret));
	return ret;
}

/* ---- addresses --------------------------------------------------------- */

/*
 * The instances holding a lease, in start order: the one being attached
 * is here before its rules load (it is not the module's cur/next yet).
 */
static struct instance **leases;
static size_t nr_leases, cap_leases;

#define for_each_lease(in)						\
	for (size_t _i = 0; _i < nr_leases && ((in) = leases[_i]); _i++)

static int lease_add(struct instance *in)
{
	if (nr_leases == cap_leases) {
		size_t n = cap_leases ? 2 * cap_leases : 16;
		struct instance **nl = realloc(leases, n * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		leases = nl;
		cap_leases = n;
	}
	leases[nr_leases++] = in;
	in->net.active = true;
	return 0;
}

static void lease_del(struct instance *in)
{
	for (size_t i = 0; i < nr_leases; i++) {
		if (leases[i] == in) {
			memmove(&leases[i], &leases[i + 1], (nr_leases - i - 1) * sizeof(*leases));
			nr_leases--;
			break;
		}
	}
	in->net.active = false;
}

static bool addr_used(uint32_t addr)
{
	struct instance *in;

	for_each_lease(in)
		if (in->net.addr == addr)
			return true;
	return false;
}

/*
 * Deterministic per name: FNV-1a of the module name picks the first
 * address tried, then the next free one. A module gets the same address
 * every time unless another running module holds it.
 */
static int lease_pick(const char *name, uint32_t *addr)
{
	uint32_t h = 2166136261u, n = (1U << (32 - D.cfg.net.pool4_len)) - 3;

	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = D.cfg.net.pool4 + 2 + (h + i) % n;

		if (!addr_used(a)) {
			*addr = a;
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

/* ---- rules ------------------------------------------------------------- */

static struct instance *find_running(const char *name)
{
	struct instance *in;

	for_each_lease(in)
		if (!strcmp(in->mod->name, name))
			return in;
	return NULL;
}

static bool lists(const struct instance *in, const char *name)
{
	for (char **p = in->m->peers; p && *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

static void rules_inet(FILE *f)
{
	const struct net_config *c = &D.cfg.net;
	const char *br = c->bridge;
	struct instance *in;
	char a[INET_ADDRSTRLEN], pool[INET_ADDRSTRLEN];

	fprintf(f, "table inet logos {\n");
	/* from the modules to the host itself: what the operator allows only */
	fprintf(f, "\tchain input {\n\t\ttype filter hook input priority filter - 1; policy accept;\n");
	fprintf(f, "\t\tiifname \"%s\" ct state established,related accept\n", br);
	for (char **h = c->host_allow; h && *h; h++) {
		uint16_t port;
		bool udp;

		if (!port_spec_parse(*h, &udp, &port))
			fprintf(f, "\t\tiifname \"%s\" %s dport %u accept\n", br,
				udp ? "udp" : "tcp", port);
	}
	fprintf(f, "\t\tiifname \"%s\" drop\n\t}\n", br);
	/* routed through the host: out by Connect, in by Listen */
	fprintf(f, "\tchain forward {\n\t\ttype filter hook forward priority filter - 1; policy accept;\n");
	fprintf(f, "\t\tiifname \"%s\" ct state established,related accept\n", br);
	fprintf(f, "\t\toifname \"%s\" ct state established,related accept\n", br);
	for_each_lease(in) {
		ip_text(in->net.addr, a, sizeof(a));
		if (in->m->connect == NET_CONNECT_UPLINK && c->uplink[0])
			fprintf(f, "\t\tiifname \"%s\" ip saddr %s oifname \"%s\" accept\n", br, a,
				c->uplink);
		else if (in->m->connect == NET_CONNECT_ANY)
			fprintf(f, "\t\tiifname \"%s\" ip saddr %s oifname != \"%s\" accept\n", br, a,
				br);
		for (char **l = in->m->listen; l && *l; l++) {
			uint16_t port;
			bool udp;

			if (!port_spec_parse(*l, &udp, &port))
				fprintf(f, "\t\tiifname != \"%s\" oifname \"%s\" ip daddr %s %s dport %u accept\n",
					br, br, a, udp ? "udp" : "tcp", port);
		}
	}
	fprintf(f, "\t\tiifname \"%s\" drop\n\t\toifname \"%s\" drop\n\t}\n", br, br);
	if (c->nat && c->uplink[0]) {
		ip_text(c->pool4, pool, sizeof(pool));
		fprintf(f, "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
		fprintf(f, "\t\tip saddr %s/%u oifname \"%s\" masquerade\n\t}\n", pool, c->pool4_len,
			c->uplink);
	}
	fprintf(f, "}\n");
}

static void rules_bridge(FILE *f)
{
	struct instance *in, *peer;
	char a[INET_ADDRSTRLEN];

	fprintf(f, "table bridge logos {\n");
	/* a module sends with its own address only (raw sockets could forge one) */
	fprintf(f, "\tchain prerouting {\n\t\ttype filter hook prerouting priority filter - 1; policy accept;\n");
	for_each_lease(in) {
		ip_text(in->net.addr, a, sizeof(a));
		fprintf(f, "\t\tiifname \"%s\" ip saddr != %s drop\n", in->net.host_if, a);
		/* nor claim another's address in ARP (a RawSockets module could) */
		fprintf(f, "\t\tiifname \"%s\" ether type arp arp saddr ip != %s drop\n",
			in->net.host_if, a);
		/* modules have no IPv6 address: none of it leaves a module */
		fprintf(f, "\t\tiifname \"%s\" ether type ip6 drop\n", in->net.host_if);
	}
	fprintf(f, "\t}\n");
	/* port to port on the bridge: only between modules that list each other */
	fprintf(f, "\tchain forward {\n\t\ttype filter hook forward priority filter - 1; policy accept;\n");
	for_each_lease(in) {
		for (char **p = in->m->peers; p && *p; p++) {
			peer = find_running(*p);
			if (peer && lists(peer, in->mod->name))
				fprintf(f, "\t\tiifname \"%s\" oifname \"%s\" accept\n", in->net.host_if,
					peer->net.host_if);
		}
	}
	fprintf(f, "\t\tiifname \"%s*\" oifname \"%s*\" drop\n\t}\n}\n", NET_VETH_PREFIX,
		NET_VETH_PREFIX);
}

/*
 * One transaction: the two tables are (re)made whole, or nothing changes.
 * "table X" before "delete table X" makes the delete valid when there was
 * none. @empty: delete them only.
 */
static int rules_load(bool empty, char *why, size_t cap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret = 0;

	if (!f)
		return -ENOMEM;
	fprintf(f, "table inet logos\ndelete table inet logos\n");
	fprintf(f, "table bridge logos\ndelete table bridge logos\n");
	if (!empty) {
		rules_inet(f);
		rules_bridge(f);
	}
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	if (nft_run_cmd_from_buffer(N.nft, buf)) {
		const char *e = nft_ctx_get_error_buffer(N.nft);

		snprintf(why, cap, "nftables refused logosd's rules: %s", e && *e ? e : "?");
		/* one line for the log */
		for (char *nl = strchr(why, '\n'); nl; nl = strchr(nl, '\n'))
			*nl = ' ';
		log_debug("network: the rules were:\n%s", buf);
		ret = -EPROTO;
	}
	free(buf);
	return ret;
}

/* ---- node ------------------------------------------------------------- */

static int write_resolv_conf(char *why, size_t cap)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	if (!D.cfg.net.dns || !D.cfg.net.dns[0])
		return 0;
	snprintf(path, sizeof(path), "%s/resolv.conf", D.cfg.runtime_dir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "we");
	if (!f) {
		snprintf(why, cap, "cannot write %s: %s", tmp, strerror(errno));
		return -errno;
	}
	fprintf(f, "# the modules' resolv.conf: logosd.conf [Network] DNS\n");
	for (char **d = D.cfg.net.dns; *d; d++)
		fprintf(f, "nameserver %s\n", *d);
	if (fclose(f) || chmod(tmp, 0644) || rename(tmp, path)) {
		snprintf(why, cap, "cannot write %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

const char *net_resolv_conf(void)
{
	static char path[PATH_MAX];

	if (!N.ready || !D.cfg.net.dns || !D.cfg.net.dns[0])
		return NULL;
	snprintf(path, sizeof(path), "%s/resolv.conf", D.cfg.runtime_dir);
	return path;
}

int net_init(char *why, size_t cap)
{
	int ret;

	why[0] = 0;
	N.sk = nl_socket_alloc();
	N.nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!N.sk || !N.nft) {
		ret = -ENOMEM;
		snprintf(why, cap, "out of memory");
		goto out;
	}
	nft_ctx_buffer_error(N.nft);
	nft_ctx_buffer_output(N.nft);
	ret = nl2errno(nl_connect(N.sk, NETLINK_ROUTE));
	if (ret) {
		snprintf(why, cap, "cannot open a route netlink socket: %s", strerror(-ret));
		goto out;
	}
	/* a previous logosd's leftovers, even after its SIGKILL */
	rules_load(true, why, cap);
	why[0] = 0;
	del_stale_veths();
	ret = bridge_setup(why, cap);
	if (!ret && D.cfg.net.uplink[0]) {
		/* routing between the bridge and the uplink: host-wide */
		ret = write_string("/proc/sys/net/ipv4/ip_forward", "1");
		if (ret)
			snprintf(why, cap, "cannot enable IPv4 forwarding: %s", strerror(-ret));
	}
	if (!ret)
		ret = write_resolv_conf(why, cap);
	if (!ret)
		ret = rules_load(false, why, cap);
out:
	N.ready = !ret;
	if (ret)
		snprintf(N.err, sizeof(N.err), "%s", why);
	else
		log_info("network: bridge %s (ifindex %d), pool %u.%u.%u.%u/%u, uplink %s, NAT %s",
			 D.cfg.net.bridge, N.br_ifindex, D.cfg.net.pool4 >> 24,
			 (D.cfg.net.pool4 >> 16) & 255, (D.cfg.net.pool4 >> 8) & 255,
			 D.cfg.net.pool4 & 255, D.cfg.net.pool4_len,
			 D.cfg.net.uplink[0] ? D.cfg.net.uplink : "none", D.cfg.net.nat ? "on" : "off");
	return ret;
}

void net_exit(void)
{
	char why[256];

	if (N.nft && N.sk && N.ready) {
		rules_load(true, why, sizeof(why));
		del_stale_veths();
	}
	free(leases);
	leases = NULL;
	nr_leases = cap_leases = 0;
	if (N.nft)
		nft_ctx_free(N.nft);
	if (N.sk)
		nl_socket_free(N.sk);
	memset(&N, 0, sizeof(N));
}

/* ---- one module -------------------------------------------------------- */

struct inner {
	pid_t pid;
	uint32_t addr;
	int ret;
	char why[200];
};

/* In a thread of its own, in the module's network namespace. */
static void *inner_setup(void *arg)
{
	struct inner *x = arg;
	struct nl_sock *sk = NULL;
	struct rtnl_route *rt = NULL;
	struct rtnl_nexthop *nh = NULL;
	struct nl_addr *gw = NULL, *any = NULL;
	char path[64];
	int fd, ifindex = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)x->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		x->ret = -errno;
		snprintf(x->why, sizeof(x->why), "cannot enter the module's network namespace: %s",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	sk = nl_socket_alloc();
	x->ret = sk ? nl2errno(nl_connect(sk, NETLINK_ROUTE)) : -ENOMEM;
	if (!x->ret)
		x->ret = link_up(sk, "lo", 0, 0, NULL);
	if (!x->ret)
		x->ret = link_up(sk, INNER_IF, D.cfg.net.mtu, 0, &ifindex);
	if (!x->ret)
		x->ret = add_addr(sk, ifindex, x->addr, D.cfg.net.pool4_len);
	if (!x->ret) {
		rt = rtnl_route_alloc();
		nh = rtnl_route_nh_alloc();
		gw = v4(gateway(), 32);
		any = v4(0, 0);
		x->ret = -ENOMEM;
		if (rt && nh && gw && any) {
			rtnl_route_set_family(rt, AF_INET);
			rtnl_route_set_dst(rt, any);
			rtnl_route_nh_set_ifindex(nh, ifindex);
			rtnl_route_nh_set_gateway(nh, gw);
			rtnl_route_add_nexthop(rt, nh);
			nh = NULL;	/* the route's now */
			x->ret = nl2errno(rtnl_route_add(sk, rt, NLM_F_CREATE));
		}
	}
	if (x->ret && !x->why[0])
		snprintf(x->why, sizeof(x->why), "cannot configure %s in the module's namespace: %s",
			 INNER_IF, strerror(-x->ret));
	if (nh)
		rtnl_route_nh_free(nh);
	rtnl_route_put(rt);
	nl_addr_put(gw);
	nl_addr_put(any);
	nl_socket_free(sk);
	return NULL;
}

int net_attach(struct instance *in, pid_t pid, char *why, size_t cap)
{
	struct net_lease *l = &in->net;
	struct rtnl_link *veth = NULL, *peer;
	struct inner x = { .pid = pid };
	pthread_t t;
	char a[INET_ADDRSTRLEN];
	int ret;

	if (!N.ready) {
		snprintf(why, cap, "the node's network is not set up: %s", N.err);
		return -ENETDOWN;
	}
	ret = lease_pick(in->mod->name, &l->addr);
	if (ret) {
		snprintf(why, cap, "no free address left in IPv4Pool: running modules hold all %u",
			 (1U << (32 - D.cfg.net.pool4_len)) - 3);
		AUDIT("network", "module", in->mod->name, "result", "refused", "reason",
		      "address pool exhausted");
		return ret;
	}
	snprintf(l->host_if, sizeof(l->host_if), NET_VETH_PREFIX "%llu",
		 (unsigned long long)in->serial);
	veth = rtnl_link_veth_alloc();
	if (!veth)
		return -ENOMEM;
	rtnl_link_set_name(veth, l->host_if);
	rtnl_link_set_mtu(veth, D.cfg.net.mtu);
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(peer, INNER_IF);
	rtnl_link_set_mtu(peer, D.cfg.net.mtu);
	rtnl_link_set_ns_pid(peer, pid);
	rtnl_link_put(peer);
	ret = nl2errno(rtnl_link_add(N.sk, veth, NLM_F_CREATE | NLM_F_EXCL));
	rtnl_link_veth_release(veth);
	if (ret) {
		snprintf(why, cap, "cannot create the veth %s: %s", l->host_if, strerror(-ret));
		return ret;
	}
	/* the lease counts from here: a failure below releases it whole */
	ret = lease_add(in);
	if (ret) {
		link_del(N.sk, l->host_if);
		return ret;
	}
	x.addr = l->addr;
	if (pthread_create(&t, NULL, inner_setup, &x)) {
		ret = -EAGAIN;
		snprintf(why, cap, "cannot start the thread that configures %s", INNER_IF);
		goto fail;
	}
	pthread_join(t, NULL);
	ret = x.ret;
	if (ret) {
		snprintf(why, cap, "%s", x.why);
		goto fail;
	}
	ret = link_up(N.sk, l->host_if, D.cfg.net.mtu, N.br_ifindex, NULL);
	if (ret) {
		snprintf(why, cap, "cannot attach %s to %s: %s", l->host_if, D.cfg.net.bridge,
			 strerror(-ret));
		goto fail;
	}
	ret = rules_load(false, why, cap);
	if (ret)
		goto fail;
	ip_text(l->addr, a, sizeof(a));
	log_info("%s: network: %s on %s, veth %s", in->mod->name, a, D.cfg.net.bridge, l->host_if);
	return 0;
fail:
	net_release(in);
	return ret;
}

void net_release(struct instance *in)
{
	struct net_lease *l = &in->net;
	char why[256];
	int ret;

	if (!l->active)
		return;
	lease_del(in);
	/* gone with the namespace already, unless something still holds it */
	ret = link_del(N.sk, l->host_if);
	if (ret)
		log_warn("%s: cannot remove the veth %s: %s", in->mod->name, l->host_if,
			 strerror(-ret));
	if (rules_load(false, why, sizeof(why)))
		log_err("network: %s", why);
}
