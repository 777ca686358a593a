// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (Documentation/control-protocol.md): a UNIX stream
 * socket, one JSON object per line each way. Two roles, from the peer's
 * credentials (SO_PEERCRED, SO_PEERGROUPS): root and members of
 * ControlGroup are operators (every command); members of ControlReadGroup
 * may only read (list, status, services, audit, version, subscribe).
 * Nobody else is served. The socket is mode 0660, group ControlGroup, or
 * 0666 when a read group is configured (one socket has one group): the
 * credential check is what keeps others out either way.
 *
 * No client can stall logosd: every answer goes through the client's
 * output queue (at most CLIENT_QUEUE_MAX bytes, written as the socket takes
 * them); a client whose queue would overflow, whose queued output does not
 * move for ControlTimeout, or that sends no complete request for
 * ControlTimeout (subscribers excepted) is dropped, and that is audited.
 */
#include "clientfs.h"
#include "daemon.h"
#include "json.h"
#include "kernel.h"
#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CLIENTS 32
/* Connections one uid other than root may hold at once. */
#define MAX_CLIENTS_PER_UID 8
/* how often "audit" may verify the whole current file */
#define AUDIT_RECHECK_MS 10000
/* connections only root may take */
#define ROOT_RESERVED 4
#define REQ_MAX 8192
/* What a subscriber may have queued before events are dropped for it. */
#define SUB_QUEUE_MAX (256 * 1024)
/* What any client may have queued (answers and events) before it is dropped. */
#define CLIENT_QUEUE_MAX (1024 * 1024)

enum role { ROLE_NONE, ROLE_READ, ROLE_OPERATOR };

struct client {
	int fd;
	uid_t uid;
	pid_t pid;
	enum role role;
	char buf[REQ_MAX];
	size_t len;
	/* subscribe: events queued for a slow reader, and those dropped */
	bool subscribed, dead;
	const char *drop_reason;	/* why logosd drops it (audited), or NULL */
	char *out;
	size_t out_len;
	uint64_t dropped;
	uint64_t last_request_ms;	/* connected, or its last complete request */
	uint64_t last_progress_ms;	/* its queue last became non-empty or moved */
	uint32_t watched;	/* the epoll events registered for it, 0: none */
};

static struct client clients[MAX_CLIENTS];
static int nr_clients;
static gid_t ctl_gid = (gid_t)-1, read_gid = (gid_t)-1;

int reload_config(char ***errors);	/* main.c */

/*
 * ControlGroup and ControlReadGroup to gids, and the owner and mode of the
 * socket at @path to match: at start (before it is in place) and at every
 * reload.
 */
static void configure_at(const char *path)
{
	struct group *g = getgrnam(D.cfg.control_group);

	ctl_gid = g ? g->gr_gid : (gid_t)-1;
	if (!g)
		log_info("control: no group %s: only root may operate logosd", D.cfg.control_group);
	read_gid = (gid_t)-1;
	if (*D.cfg.control_read_group) {
		g = getgrnam(D.cfg.control_read_group);
		if (g)
			read_gid = g->gr_gid;
		else
			log_warn("control: no group %s (ControlReadGroup): nobody has the read-only role",
				 D.cfg.control_read_group);
	}
	if (D.ctl_fd < 0)
		return;
	if (chown(path, 0, ctl_gid == (gid_t)-1 ? 0 : ctl_gid) < 0)
		log_warn("control: cannot give %s to group %s: %m", path, D.cfg.control_group);
	/* one socket, one group: with a read group, SO_PEERCRED alone decides */
	if (chmod(path, read_gid == (gid_t)-1 ? 0660 : 0666) < 0)
		log_warn("control: cannot set the mode of %s: %m", path);
}

void control_configure(void)
{
	configure_at(D.cfg.control_socket);
}

int control_open(char *why, size_t cap)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = D.cfg.control_socket;
	char dir[PATH_MAX], *slash;
	mode_t mask;
	int fd, err;

	/* bound as PATH.new, then renamed: it appears with its final mode */
	if (strlen(path) + 4 >= sizeof(sa.sun_path)) {
		snprintf(why, cap, "ControlSocket %s is too long for a UNIX socket", path);
		return -ENAMETOOLONG;
	}
	str_copy(dir, sizeof(dir), path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir_p(dir, 0755);
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.new", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(sa.sun_path);
	mask = umask(0177);	/* root's only until configure_at() */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		err = errno;
		umask(mask);
		snprintf(why, cap, "cannot listen on %s: %s", path, strerror(err));
		close(fd);
		unlink(sa.sun_path);
		return -err;
	}
	umask(mask);
	D.ctl_fd = fd;
	configure_at(sa.sun_path);
	if (rename(sa.sun_path, path) < 0) {
		err = errno;
		snprintf(why, cap, "cannot put the control socket at %s: %s", path, strerror(err));
		D.ctl_fd = -1;
		close(fd);
		unlink(sa.sun_path);
		return -err;
	}
	return 0;
}

/* The peer's supplementary groups (SO_PEERGROUPS): 0 and a new array, or -errno. */
static int peer_groups(int fd, gid_t **out, size_t *n)
{
	socklen_t len = 64 * sizeof(gid_t);
	gid_t *g = NULL;

	for (int tries = 0; tries < 2; tries++) {
		gid_t *ng = realloc(g, len ? len : sizeof(gid_t));

		if (!ng) {
			free(g);
			return -ENOMEM;
		}
		g = ng;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == 0) {
			*out = g;
			*n = len / sizeof(gid_t);
			return 0;
		}
		if (errno != ERANGE)
			break;
	}
	free(g);
	return -errno;
}

static bool peer_in(gid_t want, gid_t gid, const gid_t *groups, size_t n)
{
	if (want == (gid_t)-1)
		return false;
	if (gid == want)
		return true;
	for (size_t i = 0; i < n; i++)
		if (groups[i] == want)
			return true;
	return false;
}

/* What the peer on @fd may do: root and ControlGroup operate, ControlReadGroup reads. */
static enum role peer_role(int fd, uid_t *uid, pid_t *pid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	enum role r = ROLE_NONE;
	gid_t *groups = NULL;
	size_t n = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return ROLE_NONE;
	*uid = cr.uid;
	*pid = cr.pid;
	if (cr.uid == 0)
		return ROLE_OPERATOR;
	if (peer_groups(fd, &groups, &n))
		return ROLE_NONE;
	if (peer_in(ctl_gid, cr.gid, groups, n))
		r = ROLE_OPERATOR;
	else if (peer_in(read_gid, cr.gid, groups, n))
		r = ROLE_READ;
	free(groups);
	return r;
}

static char *error_answer(int err, const char *why)
{
	struct jw w;

	jw_init(&w);
	jw_obj_begin(&w, NULL);
	jw_bool(&w, "ok", false);
	jw_str(&w, "error", why && *why ? why : strerror(-err));
	jw_int(&w, "errno", -err);
	jw_obj_end(&w);
	return jw_finish(&w);
}

/*
 * An answer to a connection logosd will not serve, then close: one
 * non-blocking send into a socket that has nothing queued yet (a line of
 * a few hundred bytes always fits).
 */
static void refuse(int fd, int err, const char *why)
{
	char *ans = error_answer(err, why);

	if (ans) {
		size_t n = strlen(ans);

		ans[n] = '\n';
		if (send(fd, ans, n + 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			log_debug("control: cannot send a refusal: %m");
		free(ans);
	}
	close(fd);
}

static void deny_connection(uid_t u, pid_t p, int err, const char *reason, const char *why)
{
	char uid[16], pid[16];

	snprintf(uid, sizeof(uid), "%u", (unsigned int)u);
	snprintf(pid, sizeof(pid), "%d", (int)p);
	log_warn("control: refused uid %s: %s", uid, why);
	AUDIT("deny", "what", "control socket", "uid", uid, "pid", pid, "reason", reason,
	      "errno", err == -EACCES ? "EACCES" : err == -EUSERS ? "EUSERS" : "EMFILE");
}

static void accept_client(void)
{
	int fd = accept4(D.ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	char why[256];
	enum role role;
	struct client *c;
	uid_t uid = (uid_t)-1;
	pid_t pid = 0;
	int mine = 0, readers = 0, others = 0;

	if (fd < 0)
		return;
	role = peer_role(fd, &uid, &pid);
	if (role == ROLE_NONE) {
		if (read_gid != (gid_t)-1)
			snprintf(why, sizeof(why),
				 "permission denied: root or group %s only (group %s may read)",
				 D.cfg.control_group, D.cfg.control_read_group);
		else
			snprintf(why, sizeof(why), "permission denied: root or group %s only",
				 D.cfg.control_group);
		deny_connection(uid, pid, -EACCES, "not root or group member", why);
		refuse(fd, -EACCES, why);
		return;
	}
	for (int i = 0; i < nr_clients; i++) {
		mine += clients[i].uid == uid;
		readers += clients[i].role == ROLE_READ;
		others += clients[i].uid != 0;
	}
	/*
	 * Readers may hold half the connections, all non-root peers all but
	 * ROOT_RESERVED: members of a group cannot lock root (or, being
	 * readers, the operators) out by holding subscriptions open.
	 */
	if (nr_clients == MAX_CLIENTS || (uid != 0 && others >= MAX_CLIENTS - ROOT_RESERVED) ||
	    (role == ROLE_READ && readers >= MAX_CLIENTS / 2)) {
		snprintf(why, sizeof(why), "too many control connections (%d): try again later",
			 MAX_CLIENTS);
		deny_connection(uid, pid, -EUSERS, "too many connections", why);
		refuse(fd, -EUSERS, why);
		return;
	}
	if (uid != 0 && mine >= MAX_CLIENTS_PER_UID) {
		snprintf(why, sizeof(why), "too many control connections of uid %u (%d)",
			 (unsigned int)uid, MAX_CLIENTS_PER_UID);
		deny_connection(uid, pid, -EMFILE, "too many connections of this uid", why);
		refuse(fd, -EMFILE, why);
		return;
	}
	c = &clients[nr_clients++];
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->uid = uid;
	c->pid = pid;
	c->role = role;
	c->last_request_ms = now_ms();
}

/* ---- answers ------------------------------------------------------------ */

static void module_json(struct jw *w, struct module *mod, bool detail)
{
	struct instance *in = mod->cur;
	const struct manifest *m = in ? in->m : mod->m;

	jw_obj_begin(w, NULL);
	jw_str(w, "name", mod->name);
	jw_str(w, "state", mod_state_name(mod->state));
	jw_str(w, "version", m ? m->version : "");
	jw_int(w, "pid", in ? in->pid : 0);
	jw_uint(w, "restarts", mod->restarts);
	jw_str(w, "last_error", mod->last_error);
	jw_bool(w, "updating", mod->update_path != NULL);
	if (in)
		jw_uint(w, "kernel_module_id", in->kid);
	if (detail) {
		struct logos_module_info info;
		struct cgroup_stats st;

		jw_str(w, "manifest", mod->manifest_path);
		jw_str(w, "trust", in ? trust_name(in->trust) : m ? trust_name(m->trust) : "");
		jw_str(w, "key", in ? in->key_id : "");
		jw_uint(w, "failures_in_a_row", mod->bo.failures);
		jw_str(w, "restart_policy", m ? restart_name(m->restart) : "");
		jw_uint(w, "watchdog_ms", m ? m->watchdog_ms : 0);
		jw_bool(w, "saved_state", mod->has_saved);
		jw_uint(w, "saved_state_bytes", mod->saved_len);
		if (in) {
			jw_uint(w, "uptime_ms", now_ms() - in->started_ms);
			if (in->net.active) {
				char a[INET_ADDRSTRLEN];
				struct in_addr ia = { .s_addr = htonl(in->net.addr) };

				inet_ntop(AF_INET, &ia, a, sizeof(a));
				jw_str(w, "address", a);
				jw_str(w, "host_interface", in->net.host_if);
			}
			jw_str(w, "cgroup", in->cgroup);
			cgroup_stats(in->cgroup, &st);
			jw_obj_begin(w, "cgroup_usage");
			jw_uint(w, "memory_current", st.memory_current);
			jw_uint(w, "memory_peak", st.memory_peak);
			jw_uint(w, "oom_kills", st.oom_kills);
			jw_uint(w, "pids_current", st.pids_current);
			jw_uint(w, "pids_max_events", st.pids_max_events);
			jw_uint(w, "cpu_usage_us", st.cpu_usage_us);
			jw_obj_end(w);
			if (!k_module_info(D.kfd, in->kmod, &info)) {
				jw_obj_begin(w, "kernel");
				jw_str(w, "state", state_name(info.state));
				jw_uint(w, "cpu_time_ns", info.cpu_time_ns);
				jw_uint(w, "denied_rights", info.denied_rights);
				jw_uint(w, "denied_quota", info.denied_quota);
				jw_uint(w, "msgs_sent", info.msgs_sent);
				jw_uint(w, "msgs_received", info.msgs_received);
				jw_arr_begin(w, "usage");
				for (int r = 0; r < __LOGOS_RES_MAX; r++)
					jw_uint(w, NULL, info.usage[r]);
				jw_arr_end(w);
				jw_arr_begin(w, "limit");
				for (int r = 0; r < __LOGOS_RES_MAX; r++)
					jw_uint(w, NULL, info.limit[r]);
				jw_arr_end(w);
				jw_obj_end(w);
			}
		}
	}
	jw_obj_end(w);
}

/* Every command; the others answer EOPNOTSUPP. */
static const struct command {
	const char *name;
	bool module;	/* needs "module" */
	bool operator;	/* root or ControlGroup only */
} commands[] = {
	{ "list", false, false },	{ "status", true, false },
	{ "services", false, false },	{ "audit", false, false },
	{ "version", false, false },	{ "subscribe", false, false },
	{ "start", true, true },	{ "stop", true, true },
	{ "restart", true, true },	{ "pause", true, true },
	{ "resume", true, true },	{ "update", true, true },
	{ "rollback", true, true },	{ "reload", false, true },
	{ "quota", true, true },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* update: the files are opened with the client's credentials (clientfs.c). */
static int do_update(struct client *c, struct module *mod, const struct jobj *req, char *why,
		     size_t cap)
{
	const char *path = jobj_str(req, "manifest");
	const struct jmember *down = jobj_get(req, "allow_downgrade");
	struct update_src src;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	gid_t *groups = NULL;
	size_t n = 0;
	int ret;

	if (!path) {
		snprintf(why, cap, "update needs \"manifest\"");
		return -EINVAL;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
	    (cr.uid != 0 && peer_groups(c->fd, &groups, &n))) {
		snprintf(why, cap, "cannot learn the client's credentials: %s", strerror(errno));
		return -EIO;
	}
	ret = clientfs_open_update(path, cr.uid, cr.gid, groups, n, &src, why, cap);
	free(groups);
	if (ret)
		return ret;
	return update_begin_src(mod, &src, down && down->type == J_BOOL && down->b, why, cap);
}

static char *answer(struct client *c, const struct jobj *req, const char **cmd_out,
		    const char **mod_out, int *ret_out)
{
	const char *cmd = jobj_str(req, "cmd"), *name = jobj_str(req, "module");
	const struct command *k = find_command(cmd);
	char why[512] = "";
	struct module *mod = NULL;
	struct jw w;
	int ret = 0;

	*cmd_out = cmd ? cmd : "?";
	*mod_out = name ? name : "";
	if (!cmd)
		return error_answer(-EINVAL, "a request needs \"cmd\"");
	if (!k) {
		snprintf(why, sizeof(why), "unknown command \"%s\"", cmd);
		*ret_out = -EOPNOTSUPP;
		return error_answer(-EOPNOTSUPP, why);
	}
	if (k->operator && c->role != ROLE_OPERATOR) {
		snprintf(why, sizeof(why),
			 "permission denied: %s needs root or group %s; uid %u may only read (list, status, services, audit, version, subscribe)",
			 cmd, D.cfg.control_group, (unsigned int)c->uid);
		*ret_out = -EPERM;
		return error_answer(-EPERM, why);
	}
	if (k->module) {
		if (!name)
			return error_answer(-EINVAL, "this command needs \"module\"");
		mod = sup_find(name);
		if (!mod) {
			snprintf(why, sizeof(why), "no module named %s", name);
			*ret_out = -ENOENT;
			return error_answer(-ENOENT, why);
		}
	}
	jw_init(&w);
	jw_obj_begin(&w, NULL);
	if (!strcmp(cmd, "list")) {
		jw_arr_begin(&w, "modules");
		for (size_t i = 0; i < D.nr_mods; i++)
			module_json(&w, D.mods[i], false);
		jw_arr_end(&w);
	} else if (!strcmp(cmd, "status")) {
		jw_arr_begin(&w, "modules");
		module_json(&w, mod, true);
		jw_arr_end(&w);
	} else if (!strcmp(cmd, "start")) {
		ret = sup_start(mod, "admin", why, sizeof(why));
	} else if (!strcmp(cmd, "stop")) {
		ret = sup_stop(mod, STOP_ADMIN, why, sizeof(why));
	} else if (!strcmp(cmd, "restart")) {
		ret = sup_restart(mod, why, sizeof(why));
	} else if (!strcmp(cmd, "pause")) {
		ret = sup_pause(mod, why, sizeof(why));
	} else if (!strcmp(cmd, "resume")) {
		ret = sup_resume(mod, why, sizeof(why));
	} else if (!strcmp(cmd, "update")) {
		ret = do_update(c, mod, req, why, sizeof(why));
	} else if (!strcmp(cmd, "rollback")) {
		ret = update_rollback(mod, why, sizeof(why));
	} else if (!strcmp(cmd, "quota")) {
		const struct jmember *keep = jobj_get(req, "persist");

		ret = quota_set(mod, jobj_str(req, "resource"), jobj_str(req, "limit"),
				keep && keep->type == J_BOOL && keep->b, c->uid, why, sizeof(why));
	} else if (!strcmp(cmd, "reload")) {
		char **errs = calloc(1, sizeof(char *));

		ret = reload_config(&errs);
		jw_arr_begin(&w, "problems");
		for (size_t i = 0; errs && errs[i]; i++)
			jw_str(&w, NULL, errs[i]);
		jw_arr_end(&w);
		if (ret)
			snprintf(why, sizeof(why), "logosd.conf has errors: the old configuration stays");
		strv_free(errs);
	} else if (!strcmp(cmd, "services")) {
		registry_json(&w);
	} else if (!strcmp(cmd, "audit")) {
		/*
		 * Verifying the whole file blocks the loop (0.7 s for 2.7 MB in
		 * the guest): done at most every AUDIT_RECHECK_MS, the answer
		 * in between is the last one's ("checked_ms_ago").
		 */
		static struct audit_report rep;
		static char err[512];
		static int v = -EAGAIN;
		static uint64_t checked_ms;
		uint64_t now = now_ms();

		if (v == -EAGAIN || now - checked_ms >= AUDIT_RECHECK_MS) {
			err[0] = 0;
			memset(&rep, 0, sizeof(rep));
			v = D.audit_ok ? audit_verify_file(D.audit.path, NULL, NULL, 0, &rep, err,
							   sizeof(err)) : -EIO;
			checked_ms = now_ms();
		}
		jw_uint(&w, "checked_ms_ago", now_ms() - checked_ms);

		jw_str(&w, "path", D.cfg.audit_path);
		jw_uint(&w, "records", D.audit_ok ? D.audit.seq : 0);
		jw_str(&w, "key", D.audit_ok && D.audit.have_key ? D.audit.key_id : "");
		jw_bool(&w, "chain_intact", v == 0 && !rep.damaged);
		jw_bool(&w, "full", D.audit_ok && D.audit.full);
		if (v)
			jw_str(&w, "problem", err);
		else if (rep.damaged)
			jw_str(&w, "problem", rep.damage);
	} else if (!strcmp(cmd, "subscribe")) {
		/* events follow this answer: handle_line() marks the client */
		jw_uint(&w, "seq", D.audit_ok ? D.audit.seq : 0);
	} else if (!strcmp(cmd, "version")) {
		char v[32];

		snprintf(v, sizeof(v), "%u.%u", D.kver.major, D.kver.minor);
		jw_str(&w, "logosd", "0.1.0");
		jw_str(&w, "kernel_abi", v);
	}
	*ret_out = ret;
	if (ret) {
		jw_free(&w);
		return error_answer(ret, why);
	}
	jw_bool(&w, "ok", true);
	jw_obj_end(&w);
	return jw_finish(&w);
}

/* ---- output queues ---------------------------------------------------- */

/* Appends @a (@alen bytes) and the string @b to @c's queue if it stays
 * within @cap bytes. */
static bool enqueue(struct client *c, const char *a, size_t alen, const char *b, size_t cap)
{
	size_t blen = strlen(b);
	char *out;

	if (c->out_len + alen + blen > cap)
		return false;
	out = realloc(c->out, c->out_len + alen + blen);
	if (!out)
		return false;
	memcpy(out + c->out_len, a, alen);
	memcpy(out + c->out_len + alen, b, blen);
	if (!c->out_len)
		c->last_progress_ms = now_ms();
	c->out = out;
	c->out_len += alen + blen;
	return true;
}

static bool enqueue_dropped(struct client *c)
{
	char note[64];
	int n = snprintf(note, sizeof(note), "{\"dropped\":%llu}", (unsigned long long)c->dropped);

	if (!enqueue(c, note, n, "\n", SUB_QUEUE_MAX))
		return false;
	c->dropped = 0;
	return true;
}

/* logosd drops @c at the next control_prepare(), audited with @reason. */
static void drop_later(struct client *c, const char *reason)
{
	if (c->dead)
		return;
	c->dead = true;
	c->drop_reason = reason;
}

/*
 * Writes what the socket takes now; the rest waits for EPOLLOUT. A reader
 * that has caught up hears of what it lost at once, not at the next event.
 */
static void flush_client(struct client *c)
{
	if (!c->out_len && c->dropped)
		enqueue_dropped(c);
	while (c->out_len && !c->dead) {
		ssize_t w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno != EAGAIN && errno != EINTR)
				c->dead = true;	/* gone: dropped by control_prepare() */
			if (errno != EINTR)
				return;
			continue;
		}
		c->out_len -= w;
		memmove(c->out, c->out + w, c->out_len);
		c->last_progress_ms = now_ms();
		if (!c->out_len && c->dropped)
			enqueue_dropped(c);
	}
}

/*
 * An answer line, behind whatever is queued (events of a subscriber). One
 * answer always fits an empty queue; past CLIENT_QUEUE_MAX of unread
 * output the client is dropped.
 */
static void reply(struct client *c, const char *ans)
{
	size_t len = strlen(ans);

	if (c->dead)
		return;
	if (!enqueue(c, ans, len, "\n", c->out_len ? CLIENT_QUEUE_MAX : MAX(len + 1, CLIENT_QUEUE_MAX))) {
		drop_later(c, "its unread output passed 1 MiB (ENOBUFS)");
		return;
	}
	flush_client(c);
}

/*
 * Called for every audit record: {"event":RECORD} to each subscriber. A
 * subscriber that does not keep up loses events, never blocks logosd; the
 * next line it gets is {"dropped":N} (Documentation/control-protocol.md).
 */
void control_publish(const char *line, size_t len)
{
	for (int i = 0; i < nr_clients; i++) {
		struct client *c = &clients[i];

		if (!c->subscribed || c->dead)
			continue;
		if (c->dropped && !enqueue_dropped(c)) {
			c->dropped++;
			continue;
		}
		if (len > SUB_QUEUE_MAX / 2 ||
		    !enqueue(c, "{\"event\":", 9, "", SUB_QUEUE_MAX - len - 2) ||
		    !enqueue(c, line, len, "}\n", SUB_QUEUE_MAX)) {
			c->dropped++;
			continue;
		}
		flush_client(c);
	}
}

static void handle_line(struct client *c, char *line)
{
	const char *cmd = "?", *mod = "";
	const struct command *k;
	char uid[16], pid[16];
	struct jobj req;
	char *ans;
	int ret = 0;

	c->last_request_ms = now_ms();
	if (json_parse_object(line, strlen(line), &req)) {
		reply(c, "{\"ok\":false,\"error\":\"not a JSON object\",\"errno\":74}");
		return;
	}
	ans = answer(c, &req, &cmd, &mod, &ret);
	k = find_command(cmd);
	snprintf(uid, sizeof(uid), "%u", (unsigned int)c->uid);
	snprintf(pid, sizeof(pid), "%d", (int)c->pid);
	if (ret == -EPERM && k && k->operator && c->role != ROLE_OPERATOR) {
		log_warn("control: %s %s by uid %s refused: read-only role", cmd, mod, uid);
		AUDIT("deny", "what", "control command", "command", cmd, "module", mod, "uid", uid,
		      "pid", pid, "reason", "read-only role");
	} else if (k && k->operator) {
		log_info("control: %s %s by uid %s: %s", cmd, mod, uid, ret ? strerror(-ret) : "ok");
		AUDIT("admin", "command", cmd, "module", mod, "uid", uid, "pid", pid, "result",
		      ret ? strerror(-ret) : "ok");
	}
	reply(c, ans ? ans : "{\"ok\":false,\"error\":\"out of memory\",\"errno\":12}");
	if (!ret && !strcmp(cmd, "subscribe"))
		c->subscribed = true;
	free(ans);
	jobj_free(&req);
}

static void drop_client(int i)
{
	struct client *c = &clients[i];

	if (c->drop_reason) {
		char uid[16], pid[16];

		snprintf(uid, sizeof(uid), "%u", (unsigned int)c->uid);
		snprintf(pid, sizeof(pid), "%d", (int)c->pid);
		log_warn("control: dropped the connection of uid %s (pid %s): %s", uid, pid,
			 c->drop_reason);
		AUDIT("deny", "what", "control client", "uid", uid, "pid", pid, "reason",
		      c->drop_reason);
	}
	close(c->fd);
	free(c->out);
	clients[i] = clients[--nr_clients];
}

static void read_client(int i)
{
	struct client *c = &clients[i];
	ssize_t n;
	char *nl;

	if (c->dead)
		return;
	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		c->dead = true;		/* it hung up */
		return;
	}
	c->len += n;
	c->buf[c->len] = 0;
	while (!c->dead && (nl = memchr(c->buf, '\n', c->len))) {
		*nl = 0;
		handle_line(c, c->buf);
		c->len -= nl + 1 - c->buf;
		memmove(c->buf, nl + 1, c->len);
		c->buf[c->len] = 0;
	}
	if (c->len == sizeof(c->buf) - 1) {
		reply(c, "{\"ok\":false,\"error\":\"request too long\",\"errno\":90}");
		flush_client(c);
		drop_later(c, "a request longer than 8 KiB (EMSGSIZE)");
	}
}

/*
 * The control socket and its clients are watched by an epoll instance of
 * their own, which the main loop watches as one fd (nested epoll): the
 * clients come and go here without main.c knowing them.
 */
static int ctl_ep = -1;

static void watch_client(struct client *c)
{
	struct epoll_event ev = { .events = EPOLLIN | (c->out_len ? EPOLLOUT : 0),
				  .data.fd = c->fd };

	if (c->watched == ev.events)
		return;
	if (epoll_ctl(ctl_ep, c->watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		log_warn("control: cannot watch a client: %m");
		c->dead = true;
		return;
	}
	c->watched = ev.events;
}

int control_fd(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = D.ctl_fd };

	if (ctl_ep >= 0 || D.ctl_fd < 0)
		return ctl_ep;
	ctl_ep = epoll_create1(EPOLL_CLOEXEC);
	if (ctl_ep >= 0 && epoll_ctl(ctl_ep, EPOLL_CTL_ADD, D.ctl_fd, &ev) < 0) {
		close(ctl_ep);
		ctl_ep = -1;
	}
	return ctl_ep;
}

/*
 * Before the main loop sleeps (until control_next_deadline() at the latest): dead clients go,
 * and those past ControlTimeout, idle or not reading; queued output is
 * watched.
 */
void control_prepare(void)
{
	uint64_t now = now_ms(), limit = D.cfg.control_timeout_ms;

	for (int i = 0; i < nr_clients; i++) {
		struct client *c = &clients[i];

		if (!c->dead && c->out_len && now - c->last_progress_ms > limit)
			drop_later(c, "it did not read its answers within ControlTimeout (ETIMEDOUT)");
		if (!c->dead && !c->subscribed && now - c->last_request_ms > limit) {
			if (!c->out_len)
				reply(c, "{\"ok\":false,\"error\":\"no request within ControlTimeout: closed\",\"errno\":62}");
			drop_later(c, "no complete request within ControlTimeout (ETIME)");
		}
		if (c->dead)
			drop_client(i--);
		else
			watch_client(c);
	}
}

/* When control_prepare() must drop a client that stalled (UINT64_MAX: none). */
uint64_t control_next_deadline(void)
{
	uint64_t next = UINT64_MAX, limit = D.cfg.control_timeout_ms;

	for (int i = 0; i < nr_clients; i++) {
		const struct client *c = &clients[i];

		if (c->dead)
			return now_ms();
		if (c->out_len)
			next = MIN(next, c->last_progress_ms + limit + 1);
		if (!c->subscribed)
			next = MIN(next, c->last_request_ms + limit + 1);
	}
	return next;
}

void control_handle(void)
{
	struct epoll_event ev[MAX_CLIENTS + 1];
	int n = ctl_ep < 0 ? 0 : epoll_wait(ctl_ep, ev, ARRAY_SIZE(ev), 0);

	for (int k = 0; k < n; k++) {
		if (ev[k].data.fd == D.ctl_fd) {
			accept_client();
			continue;
		}
		for (int i = 0; i < nr_clients; i++) {
			if (clients[i].fd != ev[k].data.fd)
				continue;
			if (ev[k].events & EPOLLOUT)
				flush_client(&clients[i]);
			if (ev[k].events & ~EPOLLOUT)
				read_client(i);
			break;
		}
	}
	control_prepare();
}
