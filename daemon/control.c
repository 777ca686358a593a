// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (Documentation/control-protocol.md): a UNIX stream
 * socket, mode 0660, group ControlGroup; only root and members of that
 * group are served (SO_PEERCRED, SO_PEERGROUPS). One JSON object per line
 * each way.
 */
#include "daemon.h"
#include "json.h"
#include "kernel.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CLIENTS 32
#define REQ_MAX 8192
/* What a subscriber may have queued before events are dropped for it. */
#define SUB_QUEUE_MAX (256 * 1024)

struct client {
	int fd;
	uid_t uid;
	pid_t pid;
	char buf[REQ_MAX];
	size_t len;
	/* subscribe: events queued for a slow reader, and those dropped */
	bool subscribed, dead;
	char *out;
	size_t out_len;
	uint64_t dropped;
	uint32_t watched;	/* the epoll events registered for it, 0: none */
};

static struct client clients[MAX_CLIENTS];
static int nr_clients;
static gid_t ctl_gid = (gid_t)-1;

int reload_config(char ***errors);	/* main.c */

int control_open(char *why, size_t cap)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = D.cfg.control_socket;
	struct group *g = getgrnam(D.cfg.control_group);
	char dir[PATH_MAX], *slash;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, cap, "ControlSocket %s is too long for a UNIX socket", path);
		return -ENAMETOOLONG;
	}
	str_copy(dir, sizeof(dir), path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir_p(dir, 0755);
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		snprintf(why, cap, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -errno;
	}
	if (g) {
		ctl_gid = g->gr_gid;
		if (chown(path, 0, ctl_gid) < 0)
			log_warn("control: cannot give %s to group %s: %m", path, D.cfg.control_group);
	} else {
		log_info("control: no group %s: only root may use %s", D.cfg.control_group, path);
	}
	chmod(path, 0660);
	D.ctl_fd = fd;
	return 0;
}

static bool peer_allowed(int fd, uid_t *uid, pid_t *pid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	gid_t groups[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return false;
	*uid = cr.uid;
	*pid = cr.pid;
	if (cr.uid == 0)
		return true;
	if (ctl_gid == (gid_t)-1)
		return false;
	if (cr.gid == ctl_gid)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == ctl_gid)
			return true;
	return false;
}

static void send_line(int fd, const char *s)
{
	size_t n = strlen(s);
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EAGAIN && poll(&p, 1, 1000) > 0)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= w;
	}
	send(fd, "\n", 1, MSG_NOSIGNAL);
}

static void accept_client(void)
{
	int fd = accept4(D.ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct client *c;
	char uid[16];

	if (fd < 0)
		return;
	if (nr_clients == MAX_CLIENTS) {
		send_line(fd, "{\"ok\":false,\"error\":\"too many control connections\"}");
		close(fd);
		return;
	}
	c = &clients[nr_clients];
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	if (!peer_allowed(fd, &c->uid, &c->pid)) {
		snprintf(uid, sizeof(uid), "%u", (unsigned int)c->uid);
		log_warn("control: refused uid %s (not root, not in group %s)", uid,
			 D.cfg.control_group);
		AUDIT("deny", "what", "control socket", "uid", uid, "reason", "not root or group member");
		{
			char line[160];
			const char *g = D.cfg.control_group;

			/* group names are [a-z0-9_.-]; anything else is not put into JSON */
			if (strspn(g, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
			    strlen(g) || strlen(g) > 64)
				g = "(ControlGroup)";
			snprintf(line, sizeof(line),
				 "{\"ok\":false,\"error\":\"permission denied: root or group %s only\",\"errno\":13}",
				 g);
			send_line(fd, line);
		}
		close(fd);
		return;
	}
	nr_clients++;
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
				jw_obj_end(w);
			}
		}
	}
	jw_obj_end(w);
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

static char *answer(struct client *c, const struct jobj *req, const char **cmd_out,
		    const char **mod_out, int *ret_out)
{
	const char *cmd = jobj_str(req, "cmd"), *name = jobj_str(req, "module");
	char why[512] = "";
	struct module *mod = NULL;
	struct jw w;
	int ret = 0;

	(void)c;
	*cmd_out = cmd ? cmd : "?";
	*mod_out = name ? name : "";
	if (!cmd)
		return error_answer(-EINVAL, "a request needs \"cmd\"");
	if (!strcmp(cmd, "start") || !strcmp(cmd, "stop") || !strcmp(cmd, "restart") ||
	    !strcmp(cmd, "pause") || !strcmp(cmd, "resume") || !strcmp(cmd, "status") ||
	    !strcmp(cmd, "update")) {
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
		const char *path = jobj_str(req, "manifest");
		const struct jmember *dg = jobj_get(req, "allow_downgrade");

		if (!path) {
			ret = -EINVAL;
			snprintf(why, sizeof(why), "update needs \"manifest\"");
		} else if (dg && dg->type != J_BOOL) {
			ret = -EINVAL;
			snprintf(why, sizeof(why), "\"allow_downgrade\" must be true or false");
		} else {
			ret = update_begin(mod, path, dg && dg->b, why, sizeof(why));
		}
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
		struct audit_report rep;
		char err[512] = "";
		int v = D.audit_ok ? audit_verify_file(D.audit.path, NULL, NULL, 0, &rep, err,
						       sizeof(err)) : -EIO;

		jw_str(&w, "path", D.cfg.audit_path);
		jw_uint(&w, "records", D.audit_ok ? D.audit.seq : 0);
		jw_str(&w, "key", D.audit_ok && D.audit.have_key ? D.audit.key_id : "");
		jw_bool(&w, "chain_intact", v == 0);
		if (v)
			jw_str(&w, "problem", err);
	} else if (!strcmp(cmd, "subscribe")) {
		/* events follow this answer: handle_line() marks the client */
		jw_uint(&w, "seq", D.audit_ok ? D.audit.seq : 0);
	} else if (!strcmp(cmd, "version")) {
		char v[32];

		snprintf(v, sizeof(v), "%u.%u", D.kver.major, D.kver.minor);
		jw_str(&w, "logosd", "0.1.0");
		jw_str(&w, "kernel_abi", v);
	} else {
		jw_free(&w);
		snprintf(why, sizeof(why), "unknown command \"%s\"", cmd);
		*ret_out = -EOPNOTSUPP;
		return error_answer(-EOPNOTSUPP, why);
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

/* ---- subscribers ---------------------------------------------------------- */

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

/*
 * Writes what the socket takes now; the rest waits for POLLOUT. A reader
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
				c->dead = true;	/* dropped by control_prepare() */
			if (errno != EINTR)
				return;
			continue;
		}
		c->out_len -= w;
		memmove(c->out, c->out + w, c->out_len);
		if (!c->out_len && c->dropped)
			enqueue_dropped(c);
	}
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
	static const char *const queries[] = { "list", "status", "services", "audit", "version",
					       "subscribe" };
	const char *cmd = "?", *mod = "";
	struct jobj req;
	char *ans;
	int ret = 0;
	bool query = false;

	if (json_parse_object(line, strlen(line), &req)) {
		send_line(c->fd, "{\"ok\":false,\"error\":\"not a JSON object\",\"errno\":74}");
		return;
	}
	ans = answer(c, &req, &cmd, &mod, &ret);
	for (size_t i = 0; i < ARRAY_SIZE(queries); i++)
		query |= !strcmp(cmd, queries[i]);
	if (!query) {
		char uid[16], pid[16];

		snprintf(uid, sizeof(uid), "%u", (unsigned int)c->uid);
		snprintf(pid, sizeof(pid), "%d", (int)c->pid);
		log_info("control: %s %s by uid %s: %s", cmd, mod, uid, ret ? strerror(-ret) : "ok");
		AUDIT("admin", "command", cmd, "module", mod, "uid", uid, "pid", pid, "result",
		      ret ? strerror(-ret) : "ok");
	}
	if (!ans)
		ans = strdup("{\"ok\":false,\"error\":\"out of memory\"}");
	if (c->subscribed) {
		/* behind the queued events, in order */
		if (ans && !enqueue(c, ans, strlen(ans), "\n", SUB_QUEUE_MAX * 2))
			c->dead = true;
	} else {
		send_line(c->fd, ans ? ans : "");
		if (!ret && !strcmp(cmd, "subscribe"))
			c->subscribed = true;
	}
	free(ans);
	jobj_free(&req);
}

static void drop_client(int i)
{
	close(clients[i].fd);
	free(clients[i].out);
	clients[i] = clients[--nr_clients];
}

static void read_client(int i)
{
	struct client *c = &clients[i];
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	char *nl;

	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		drop_client(i);
		return;
	}
	c->len += n;
	c->buf[c->len] = 0;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		*nl = 0;
		handle_line(c, c->buf);
		c->len -= nl + 1 - c->buf;
		memmove(c->buf, nl + 1, c->len);
		c->buf[c->len] = 0;
	}
	if (c->len == sizeof(c->buf) - 1) {
		send_line(c->fd, "{\"ok\":false,\"error\":\"request too long\",\"errno\":90}");
		drop_client(i);
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

/* Before the main loop sleeps: dead clients go, queued output is watched. */
void control_prepare(void)
{
	for (int i = 0; i < nr_clients; i++) {
		if (clients[i].dead)
			drop_client(i--);
		else
			watch_client(&clients[i]);
	}
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
