// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Mapped channels: the rings of mapped_ring.h between two modules, with
 * logos.ko's doorbells for sleeping and its control page for teardown.
 */
#include "internal.h"
#include "mapped_ring.h"
#include "mapped_spin.h"

#include <logos/ipc.h>
#include <logos/mapped.h>

#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define LOGOS_MAPPED_OFFER_MAGIC	"LMAP"
#define LOGOS_MAPPED_SPIN_DEFAULT	20000	/* ns */

struct logos_mapped {
	int fd;
	logos_handle_t ep;		/* our endpoint */
	logos_handle_t att;		/* our attachment: doorbells */
	logos_handle_t ring_h, ctl_h;
	logos_handle_t companion;	/* channel for payloads larger than a slot */
	logos_handle_t peer_ep;		/* offered to the peer (creator only) */
	logos_handle_t peer_companion;
	uint32_t side;
	void *ring_map;
	size_t ring_size;
	const struct logos_mapped_ctl *ctl;
	struct logos__ring tx, rx;
	int64_t spin_ns;
	int64_t spin_cur;	/* the adaptive budget, 0..spin_ns (mapped_spin.h) */
	logos_handle_t pending_grant;	/* received for a slot not yet consumed */
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static uint32_t mc_status(const struct logos_mapped *mc)
{
	return __atomic_load_n(&mc->ctl->status, __ATOMIC_ACQUIRE);
}

uint32_t logos_mapped_status(const struct logos_mapped *mc, uint32_t *side)
{
	if (side)
		*side = mc->side;
	return mc_status(mc);
}

uint32_t logos_mapped_slot_payload(const struct logos_mapped *mc)
{
	return logos__ring_payload_max(&mc->tx);
}

logos_handle_t logos_mapped_handle(const struct logos_mapped *mc)
{
	return mc->att;
}

void logos_mapped_set_spin(struct logos_mapped *mc, int64_t spin_ns)
{
	mc->spin_ns = spin_ns;
	mc->spin_cur = spin_ns > 0 ? spin_ns : 0;
}

int logos_mapped_set_affinity(int cpu)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_CONF), i;

	CPU_ZERO(&set);
	if (cpu < 0) {
		for (i = 0; i < n && i < CPU_SETSIZE; i++)
			CPU_SET(i, &set);
	} else {
		if (cpu >= CPU_SETSIZE)
			return -EINVAL;
		CPU_SET(cpu, &set);
	}
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* Why the channel cannot carry on: 0 while it can. */
static int mc_ended(const struct logos_mapped *mc)
{
	uint32_t st = mc_status(mc);

	if (st & (LOGOS_MAPPED_REVOKED(0) | LOGOS_MAPPED_REVOKED(1)))
		return -EKEYREVOKED;
	if (st)
		return -EPIPE;
	return 0;
}

static void mc_ring(struct logos_mapped *mc)
{
	struct logos_mapped_notify a = { .handle = mc->att };

	/* -EPIPE: the peer is gone, and the status says so to whoever asks. */
	logos__ioctl(mc->fd, LOGOS_IOC_MAPPED_NOTIFY, &a);
}

int logos_mapped_ack(struct logos_mapped *mc)
{
	struct logos_mapped_wait a = { .handle = mc->att, .timeout_ns = 0 };
	int ret = logos__ioctl(mc->fd, LOGOS_IOC_MAPPED_WAIT, &a);

	return ret == -ETIMEDOUT ? 0 : ret;
}

/*
 * The ring @r has nothing for us (@for_data: no message; else: no room).
 * Spins, then announces and sleeps on the doorbell. 0: look again.
 */
static int mc_block(struct logos_mapped *mc, struct logos__ring *r, bool for_data,
		    int64_t timeout_ns, int64_t start)
{
	struct logos_mapped_wait a = { .handle = mc->att };
	int64_t spin_end = start + (mc->spin_ns < 0 ? 0 : mc->spin_cur), n;
	unsigned int i = 0;
	int ret;

	for (;;) {
		n = for_data ? logos__ring_avail(r) : logos__ring_room(r);
		if (n) {
			if (mc->spin_ns > 0)	/* the spin found it: no clock read */
				mc->spin_cur = logos__spin_adapt(mc->spin_cur, mc->spin_ns, 0);
			return n < 0 ? (int)n : 0;
		}
		if (mc_ended(mc))
			return 0;	/* the caller reports it */
		cpu_relax();
		/* Busy polling for ever reads no clock at all. */
		if (++i % 64 || (mc->spin_ns < 0 && timeout_ns < 0))
			continue;
		if (timeout_ns >= 0 && logos__now_ns() - start >= timeout_ns)
			return -ETIMEDOUT;
		if (mc->spin_ns >= 0 && logos__now_ns() >= spin_end)
			break;
	}
	if (logos__ring_announce(r, for_data))
		return r->corrupt ? -EBADMSG : 0;
	/* A peer that ended after its last ring: it will not ring again. */
	if (mc_ended(mc)) {
		logos__ring_unannounce(r, for_data);
		return 0;
	}
	a.timeout_ns = logos__remaining(timeout_ns, start);
	ret = logos__ioctl(mc->fd, LOGOS_IOC_MAPPED_WAIT, &a);
	logos__ring_unannounce(r, for_data);
	if (mc->spin_ns > 0)
		mc->spin_cur = logos__spin_adapt(mc->spin_cur, mc->spin_ns, logos__now_ns() - start);
	if (ret == -ETIMEDOUT)
		return 0;	/* one more look; the caller's clock decides */
	if (!ret && (a.observed & LOGOS_SIGNAL_REVOKED))
		return -EKEYREVOKED;
	return ret;
}

int logos_mapped_arm(struct logos_mapped *mc)
{
	int ret = mc_ended(mc);

	if (ret == -EKEYREVOKED)
		return ret;
	if (logos__ring_announce(&mc->rx, true))
		return mc->rx.corrupt ? -EBADMSG : 1;
	return ret;
}

/* ---- sending ------------------------------------------------------------ */

/* A payload too large for a slot: into a memory object, onto the companion. */
static int mc_send_grant(struct logos_mapped *mc, const void *data, size_t len)
{
	struct logos_msg_handle h = { .rights = LOGOS_RIGHTS_SAME, .flags = LOGOS_MSG_HANDLE_MOVE };
	size_t actual;
	void *p;
	int ret;

	if (mc->companion == LOGOS_HANDLE_INVALID || len > UINT32_MAX)
		return -EMSGSIZE;
	ret = logos_mem_create(mc->fd, len, &h.handle, &actual);
	if (ret)
		return ret == -EINVAL ? -EMSGSIZE : ret;
	ret = logos_mem_map(mc->fd, h.handle, actual, PROT_READ | PROT_WRITE, &p);
	if (!ret) {
		memcpy(p, data, len);
		logos_mem_unmap(p, actual);
		ret = logos_channel_send(mc->fd, mc->companion, NULL, 0, &h, 1, 0, 0);
	}
	if (ret)
		logos_handle_close(mc->fd, h.handle);
	return ret;
}

int logos_mapped_send_batch(struct logos_mapped *mc, const struct iovec *msgs, uint32_t count,
			    int64_t timeout_ns, uint32_t *sent)
{
	uint32_t max = logos__ring_payload_max(&mc->tx), n = 0, k;
	int64_t start = 0, room;
	int ret;

	if (!count)
		return -EINVAL;
	for (;;) {
		ret = mc_ended(mc);
		if (ret)
			return ret;
		room = logos__ring_room(&mc->tx);
		if (room < 0)
			return (int)room;
		if (room)
			break;
		if (!timeout_ns)
			return -EAGAIN;
		/* The clock only once we wait: no system call on the fast path. */
		if (!start)
			start = logos__now_ns();
		ret = mc_block(mc, &mc->tx, false, timeout_ns, start);
		if (ret)
			return ret;
	}
	for (k = 0; k < count && n < room; k++) {
		if (msgs[k].iov_len > max) {
			/* The grant goes first, so its slot always finds it. */
			if (k)
				break;
			ret = mc_send_grant(mc, msgs[k].iov_base, msgs[k].iov_len);
			if (ret)
				return ret;
			logos__ring_fill(&mc->tx, n++, NULL, (uint32_t)msgs[k].iov_len,
					 LOGOS_MAPPED_SLOT_GRANT);
			k++;
			break;
		}
		logos__ring_fill(&mc->tx, n++, msgs[k].iov_base, (uint32_t)msgs[k].iov_len, 0);
	}
	if (logos__ring_publish(&mc->tx, n))
		mc_ring(mc);
	if (sent)
		*sent = n;
	return 0;
}

int logos_mapped_send(struct logos_mapped *mc, const void *data, size_t len, int64_t timeout_ns)
{
	struct iovec v = { .iov_base = (void *)data, .iov_len = len };

	return logos_mapped_send_batch(mc, &v, 1, timeout_ns, NULL);
}

/* ---- receiving ---------------------------------------------------------- */

/* The memory object of a GRANT slot of @len bytes, copied into @buf. */
static int mc_recv_grant(struct logos_mapped *mc, uint32_t len, void *buf, size_t cap)
{
	struct logos_msg_handle h;
	struct logos_mem_info info;
	struct logos_msg m;
	void *p;
	int ret;

	if (mc->pending_grant == LOGOS_HANDLE_INVALID) {
		if (mc->companion == LOGOS_HANDLE_INVALID)
			goto corrupt;
		memset(&h, 0, sizeof(h));
		logos_msg_prepare(&m, NULL, 0, &h, 1);
		/* The peer sends it before publishing the slot: it must be here. */
		ret = logos_channel_recv(mc->fd, mc->companion, &m, 0);
		if (ret || m.nr_handles != 1)
			goto corrupt;
		if (h.type != LOGOS_OBJ_MEMORY) {
			logos_handle_close(mc->fd, h.handle);
			goto corrupt;
		}
		mc->pending_grant = h.handle;
	}
	if (cap < len)
		return -EMSGSIZE;
	ret = logos_mem_get_info(mc->fd, mc->pending_grant, &info);
	if (ret || info.size < len)
		goto corrupt;
	ret = logos_mem_map(mc->fd, mc->pending_grant, info.size, PROT_READ, &p);
	if (ret)
		return ret;
	memcpy(buf, p, len);
	logos_mem_unmap(p, info.size);
	logos_handle_close(mc->fd, mc->pending_grant);
	mc->pending_grant = LOGOS_HANDLE_INVALID;
	return 0;

corrupt:
	mc->rx.corrupt = true;
	return -EBADMSG;
}

int logos_mapped_recv_batch(struct logos_mapped *mc, struct iovec *bufs, uint32_t count,
			    int64_t timeout_ns)
{
	int64_t start = 0, avail, len;
	const uint8_t *payload;
	uint32_t n = 0, flags;
	int ret = 0;

	if (!count)
		return -EINVAL;
	if (mc_status(mc) & LOGOS_MAPPED_REVOKED(mc->side))
		return -EKEYREVOKED;	/* our mappings are gone */
	for (;;) {
		avail = logos__ring_avail(&mc->rx);
		if (avail < 0)
			return (int)avail;
		if (avail)
			break;
		/* Status after an empty look: what was sent before it ended is read. */
		ret = mc_ended(mc);
		if (ret) {
			avail = logos__ring_avail(&mc->rx);
			if (avail)
				continue;
			return ret;
		}
		if (!timeout_ns)
			return -EAGAIN;
		if (!start)
			start = logos__now_ns();
		ret = mc_block(mc, &mc->rx, true, timeout_ns, start);
		if (ret)
			return ret;
	}
	for (n = 0; n < count && n < avail; n++) {
		len = logos__ring_peek(&mc->rx, n, &payload, &flags);
		if (len < 0) {
			ret = (int)len;
			break;
		}
		if (flags & LOGOS_MAPPED_SLOT_GRANT) {
			/* Slots before it go back first: the grant may fail. */
			if (n)
				break;
			ret = mc_recv_grant(mc, (uint32_t)len, bufs[0].iov_base, bufs[0].iov_len);
			if (ret == -EMSGSIZE)
				bufs[0].iov_len = (size_t)len;
			if (ret)
				break;
			bufs[0].iov_len = (size_t)len;
			n = 1;
			break;
		}
		if ((size_t)len > bufs[n].iov_len) {
			if (!n)
				bufs[0].iov_len = (size_t)len;
			ret = -EMSGSIZE;
			break;
		}
		memcpy(bufs[n].iov_base, payload, (size_t)len);
		bufs[n].iov_len = (size_t)len;
	}
	if (n && logos__ring_release(&mc->rx, n))
		mc_ring(mc);
	return n ? (int)n : ret;
}

int logos_mapped_recv(struct logos_mapped *mc, void *buf, size_t cap, size_t *need,
		      int64_t timeout_ns)
{
	struct iovec v = { .iov_base = buf, .iov_len = cap };
	int ret = logos_mapped_recv_batch(mc, &v, 1, timeout_ns);

	if (ret == -EMSGSIZE && need)
		*need = v.iov_len;
	return ret < 0 ? ret : (int)v.iov_len;
}

/* ---- setup -------------------------------------------------------------- */

/* Maps the side of @mc->ep and checks the kernel's geometry once. */
static int mc_attach(struct logos_mapped *mc)
{
	struct logos_mapped_map a = { .handle = mc->ep };
	const struct logos_mapped_ctl *ctl;
	uint64_t ring_bytes;
	void *p;
	int ret;

	ret = logos__ioctl(mc->fd, LOGOS_IOC_MAPPED_MAP, &a);
	if (ret)
		return ret;
	mc->att = a.attach_handle;
	mc->ring_h = a.ring_handle;
	mc->ctl_h = a.ctl_handle;
	mc->side = a.side;
	p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED, mc->fd,
		 (off_t)a.ctl_mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	mc->ctl = ctl = p;
	ring_bytes = (uint64_t)ctl->slot_size * ctl->nr_slots + LOGOS_MAPPED_RING_HDR;
	if (ctl->magic != LOGOS_MAPPED_CTL_MAGIC || ctl->slot_size != a.slot_size ||
	    ctl->nr_slots != a.nr_slots || ctl->ring_size != a.ring_size ||
	    ctl->ring_offset[0] + ring_bytes > ctl->ring_offset[1] ||
	    ctl->ring_offset[1] + ring_bytes > ctl->ring_size)
		return -EPROTO;
	p = mmap(NULL, a.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, mc->fd,
		 (off_t)a.ring_mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	mc->ring_map = p;
	mc->ring_size = a.ring_size;
	logos__ring_init(&mc->tx, (uint8_t *)p + ctl->ring_offset[mc->side], ctl->slot_size,
			 ctl->nr_slots, true);
	logos__ring_init(&mc->rx, (uint8_t *)p + ctl->ring_offset[!mc->side], ctl->slot_size,
			 ctl->nr_slots, false);
	return 0;
}

static struct logos_mapped *mc_new(int fd)
{
	struct logos_mapped *mc = calloc(1, sizeof(*mc));

	if (mc) {
		mc->fd = fd;
		mc->spin_ns = mc->spin_cur = LOGOS_MAPPED_SPIN_DEFAULT;
	}
	return mc;
}

static void mc_close_handle(int fd, logos_handle_t h)
{
	if (h != LOGOS_HANDLE_INVALID)
		logos_handle_close(fd, h);
}

void logos_mapped_close(struct logos_mapped *mc)
{
	if (!mc)
		return;
	if (mc->ring_map)
		munmap(mc->ring_map, mc->ring_size);
	if (mc->ctl)
		munmap((void *)mc->ctl, (size_t)sysconf(_SC_PAGESIZE));
	mc_close_handle(mc->fd, mc->pending_grant);
	mc_close_handle(mc->fd, mc->att);
	mc_close_handle(mc->fd, mc->ring_h);
	mc_close_handle(mc->fd, mc->ctl_h);
	mc_close_handle(mc->fd, mc->ep);
	mc_close_handle(mc->fd, mc->companion);
	mc_close_handle(mc->fd, mc->peer_ep);
	mc_close_handle(mc->fd, mc->peer_companion);
	free(mc);
}

int logos_mapped_open(int fd, logos_handle_t mapped, logos_handle_t companion,
		      struct logos_mapped **out)
{
	struct logos_mapped *mc = mc_new(fd);
	int ret;

	if (!mc)
		return -ENOMEM;
	mc->ep = mapped;
	mc->companion = companion;
	ret = mc_attach(mc);
	if (ret) {
		logos_mapped_close(mc);
		return ret;
	}
	*out = mc;
	return 0;
}

int logos_mapped_create(int fd, uint32_t slot_size, uint32_t nr_slots, struct logos_mapped **out)
{
	struct logos_mapped_create a = { .slot_size = slot_size, .nr_slots = nr_slots };
	struct logos_mapped *mc = mc_new(fd);
	int ret;

	if (!mc)
		return -ENOMEM;
	ret = logos__ioctl(fd, LOGOS_IOC_MAPPED_CREATE, &a);
	if (!ret) {
		mc->ep = a.handle0;
		mc->peer_ep = a.handle1;
		ret = logos_channel_create(fd, 0, 0, &mc->companion, &mc->peer_companion);
	}
	if (!ret)
		ret = mc_attach(mc);
	if (ret) {
		logos_mapped_close(mc);
		return ret;
	}
	*out = mc;
	return 0;
}

int logos_mapped_offer(struct logos_mapped *mc, logos_handle_t ep, int64_t timeout_ns)
{
	struct logos_msg_handle hs[2] = {
		{ .handle = mc->peer_ep, .rights = LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE },
		{ .handle = mc->peer_companion, .rights = LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE },
	};

	if (mc->peer_ep == LOGOS_HANDLE_INVALID)
		return -EINVAL;
	return logos_channel_send(mc->fd, ep, LOGOS_MAPPED_OFFER_MAGIC, 4, hs, 2, 0, timeout_ns);
}

int logos_mapped_accept(int fd, logos_handle_t ep, int64_t timeout_ns, struct logos_mapped **out)
{
	struct logos_msg_handle hs[2];
	struct logos_msg m;
	char magic[4];
	int ret;

	memset(hs, 0, sizeof(hs));
	logos_msg_prepare(&m, magic, sizeof(magic), hs, 2);
	ret = logos_channel_recv(fd, ep, &m, timeout_ns);
	if (ret == -EMSGSIZE) {
		/* Not ours: it stays queued for whoever expects it. */
		return -EPROTO;
	}
	if (ret)
		return ret;
	if (m.data_len != 4 || memcmp(magic, LOGOS_MAPPED_OFFER_MAGIC, 4) || m.nr_handles != 2 ||
	    hs[0].type != LOGOS_OBJ_MAPPED || hs[1].type != LOGOS_OBJ_CHANNEL) {
		for (uint32_t i = 0; i < m.nr_handles; i++)
			logos_handle_close(fd, hs[i].handle);
		return -EPROTO;
	}
	return logos_mapped_open(fd, hs[0].handle, hs[1].handle, out);
}

int logos_mapped_revoke_peer(struct logos_mapped *mc)
{
	int ret;

	if (mc->peer_ep == LOGOS_HANDLE_INVALID)
		return -EINVAL;
	ret = logos_handle_revoke(mc->fd, mc->peer_ep, NULL);
	if (!ret)
		ret = logos_handle_revoke(mc->fd, mc->peer_companion, NULL);
	return ret;
}
