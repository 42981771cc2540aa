// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlbd's config parser: the entry points, the defaults and freeing. libyaml's event stream is
 * walked by hand (walk.c): every mapping is read against a small table of keys for its section
 * (keys.c reads the keys that are plain data) and validated when it ends. The sections
 * themselves are the schemas: schema_lb.c (interfaces, VIPs, backends, the top level),
 * schema_health.c (health checks) and schema_pair.c (failover, VRRP, sync).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "config/schema.h"

#define XLB_CFG_MAX_FILE (16 << 20)	/* a config this big is a wrong path, not a config */

int xlb_cfg_parse_string(const char *name, const char *text, size_t len, struct xlb_config *cfg,
			 struct xlb_cfg_errors *errs)
{
	struct xlb_cfg_state st = {};
	struct xlb_cfg_parser p = {
		.text = text,
		.len = len,
		.cfg = cfg,
		.errs = errs,
		.st = &st,
	};
	size_t i;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	memset(errs, 0, sizeof(*errs));
	cfg->maglev_size = XLB_MAGLEV_DEFAULT_SIZE;
	cfg->timeouts = XLB_CFG_TIMEOUTS_DEFAULT;
	_Static_assert(sizeof(XLB_CONTROL_SOCKET) <= sizeof(cfg->control_socket),
		       "XLB_CONTROL_SOCKET does not fit");
	memcpy(cfg->control_socket, XLB_CONTROL_SOCKET, sizeof(XLB_CONTROL_SOCKET));
	cfg->sync.listen_port = XLB_CFG_SYNC_DEFAULT_PORT;
	cfg->sync.peer_port = XLB_CFG_SYNC_DEFAULT_PORT;
	cfg->path = strdup(name ?: "<config>");
	if (!cfg->path)
		return -ENOMEM;
	if (!yaml_parser_initialize(&p.yp)) {
		free(cfg->path);
		cfg->path = NULL;
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p.yp, (const unsigned char *)text, len);

	xlb_cfg_walk(&p, &xlb_cfg_top_section);

	if (p.have_ev)
		yaml_event_delete(&p.ev);
	yaml_parser_delete(&p.yp);
	free(st.if_name);
	free(st.vip_addr);
	free(st.vip_name);
	free(st.be_addr);
	free(st.be_hc);
	free(st.be_port);
	for (i = 0; i < cfg->n_vrrps; i++) {
		free(st.vrrp_at[i].peer_at);
		free(st.vrrp_at[i].track_at);
	}
	free(st.vrrp_at);
	free(st.members);

	err = p.stop == -ENOMEM ? -ENOMEM : errs->n ? -EINVAL : 0;
	if (err) {
		xlb_cfg_free(cfg);
		if (err == -ENOMEM)
			xlb_cfg_errors_free(errs);
		else
			xlb_cfg_errors_sort(errs);
	}
	return err;
}

/* Read all of path; works for pipes and /dev/stdin too, which have no useful st_size. */
static int xlb_cfg_read(const char *path, char **textp, size_t *lenp)
{
	size_t len = 0, cap = 0;
	char *text = NULL, *t;
	ssize_t r;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len == cap) {
			if (cap >= XLB_CFG_MAX_FILE) {
				err = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 4096;
			t = realloc(text, cap);
			if (!t) {
				err = -ENOMEM;
				break;
			}
			text = t;
		}
		r = read(fd, text + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (!r)
			break;
		len += r;
	}
	close(fd);
	if (err) {
		free(text);
		return err;
	}
	*textp = text;
	*lenp = len;
	return 0;
}

int xlb_cfg_parse_file(const char *path, struct xlb_config *cfg, struct xlb_cfg_errors *errs)
{
	size_t len = 0;
	char *text = NULL;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	memset(errs, 0, sizeof(*errs));
	err = xlb_cfg_read(path, &text, &len);
	if (err)
		return err;
	err = xlb_cfg_parse_string(path, text ?: "", len, cfg, errs);
	free(text);
	return err;
}

void xlb_cfg_free(struct xlb_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_vips; i++)
		free(cfg->vips[i].backends);
	free(cfg->vips);
	free(cfg->ifaces);
	for (i = 0; i < cfg->n_vrrps; i++) {
		free(cfg->vrrps[i].unicast_peers);
		free(cfg->vrrps[i].vaddrs);
		free(cfg->vrrps[i].tracks);
	}
	free(cfg->vrrps);
	free(cfg->sync_groups);
	xlb_cfg_zk_free(cfg->zk);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

void xlb_cfg_errors_free(struct xlb_cfg_errors *errs)
{
	free(errs->v);
	memset(errs, 0, sizeof(*errs));
}

int xlb_cfg_errors_add(struct xlb_cfg_errors *errs, struct xlb_cfg_pos at, const char *fmt, ...)
{
	struct xlb_cfg_error *v = reallocarray(errs->v, errs->n + 1, sizeof(*v));
	va_list ap;

	if (!v)
		return -ENOMEM;
	errs->v = v;
	v[errs->n].pos = at;
	va_start(ap, fmt);
	vsnprintf(v[errs->n].msg, sizeof(v[errs->n].msg), fmt, ap);
	va_end(ap);
	errs->n++;
	return 0;
}

void xlb_cfg_errors_print(const struct xlb_cfg_errors *errs, const char *name, FILE *out)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		fprintf(out, "%s:%u:%u: %s\n", name ?: "<config>", errs->v[i].pos.line,
			errs->v[i].pos.col, errs->v[i].msg);
}
