// SPDX-License-Identifier: GPL-2.0-only
/*
 * vrrp_instance -> failover.vrrp, one entry each (a mapping when there is one, else a list
 * whose entries carry their keepalived names); vrrp_sync_group -> failover.sync_groups.
 */
#include <stdlib.h>
#include <string.h>

#include "import/im.h"
#include "import/yaml_out.h"

#define IM_NAME_MAX (XLB_CFG_NAME_SIZE - 1) /* xlb's rule for instance and group names */

/* Instances or groups as written: the node each came from and its name in the output. */
struct im_set {
	const struct xlb_kc_node *n[XLB_IM_MAX_INST];
	char name[XLB_IM_MAX_INST][IM_NAME_MAX + 1];
	int cnt;
};

static void im_vaddrs(struct xlb_im *m, FILE *o, const struct xlb_kc_node *blk, int *v6, int ind)
{
	int i, j;

	for (i = 0; blk && i < blk->nkids; i++) {
		const struct xlb_kc_node *a = &blk->kids[i];
		int is6 = !!strchr(a->words[0], ':');
		const char *d = NULL;
		char buf[160];

		if (*v6 < 0)
			*v6 = is6;
		if (*v6 != is6) {
			xlb_im_warn(m, a, "xlb's VRRP runs one family per virtual router: left out");
			continue;
		}
		for (j = 1; j + 1 < a->nwords; j += 2) {
			if (!strcmp(a->words[j], "dev"))
				d = a->words[j + 1];
			else
				xlb_im_warn(m, a, "'%s %s' has no xlb equivalent: left out",
					    a->words[j], a->words[j + 1]);
		}
		snprintf(buf, sizeof(buf), "%s%s%s%s", a->words[0],
			 strchr(a->words[0], '/') ? "" : (strchr(a->words[0], ':') ? "/128" : "/32"),
			 d ? " dev " : "", d ? d : "");
		fprintf(o, "%*s- ", ind + 2, "");
		xlb_yo_scalar(o, buf);
		fputc('\n', o);
	}
}

static int im_has_addr(const struct xlb_kc_node *inst, const char *addr)
{
	const struct xlb_kc_node *v = xlb_im_child(inst, "virtual_ipaddress");
	size_t len = strlen(addr);
	int i;

	for (i = 0; v && i < v->nkids; i++)
		if (!strncmp(v->kids[i].words[0], addr, len) &&
		    (!v->kids[i].words[0][len] || v->kids[i].words[0][len] == '/'))
			return 1;
	return 0;
}

/*
 * Flow sync takes this node's role from failover.vrrp's first instance: lvs_sync_daemon's
 * instance (keepalived's sync daemon follows that one), else the one holding a virtual
 * server's address, else the file's first. why says which, for the output's comment.
 */
static const struct xlb_kc_node *im_pick_instance(struct xlb_im *m,
						  const struct xlb_kc_node *root,
						  const char **why)
{
	const struct xlb_kc_node *d = xlb_im_child(m->global, "lvs_sync_daemon");
	int i, j;

	for (j = 0; d && j < m->ninst; j++)
		if (!strcmp(im_arg(m->inst[j], 1), im_arg(d, 2))) {
			*why = "as lvs_sync_daemon names it";
			return m->inst[j];
		}
	for (i = 0; i < root->nkids; i++)
		if (im_is(&root->kids[i], "virtual_server"))
			for (j = 0; j < m->ninst; j++)
				if (im_has_addr(m->inst[j], im_arg(&root->kids[i], 1))) {
					*why = "as it holds a virtual_server's address";
					return m->inst[j];
				}
	*why = "as in the file";
	return m->ninst ? m->inst[0] : NULL;
}

static const char *im_ifname(const struct xlb_kc_node *inst)
{
	const struct xlb_kc_node *n = xlb_im_child(inst, "interface");

	return n ? im_arg(n, 1) : "eth0";
}

static int im_vrid(const struct xlb_kc_node *inst)
{
	const struct xlb_kc_node *n = xlb_im_child(inst, "virtual_router_id");

	return n ? atoi(im_arg(n, 1)) : 1;
}

/* first, then the others in the file's order, but none on another's (interface, vrid). */
static void im_order(struct xlb_im *m, const struct xlb_kc_node *first, struct im_set *vi)
{
	int i, j;

	vi->n[vi->cnt++] = first;
	for (i = 0; i < m->ninst; i++) {
		const struct xlb_kc_node *k = m->inst[i];

		if (k == first)
			continue;
		for (j = 0; j < vi->cnt; j++)
			if (im_vrid(vi->n[j]) == im_vrid(k) &&
			    !strcmp(im_ifname(vi->n[j]), im_ifname(k)))
				break;
		if (j < vi->cnt) {
			xlb_im_warn(m, k, "%s has %s's interface %s and vrid %d, which xlb refuses: "
				    "left out", im_arg(k, 1), im_arg(vi->n[j], 1), im_ifname(k),
				    im_vrid(k));
			continue;
		}
		vi->n[vi->cnt++] = k;
	}
}

static int im_name_ok(const char *s)
{
	size_t len = strlen(s);

	return len && len <= IM_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

static int im_name_taken(const struct im_set *s, const char *name)
{
	int i;

	for (i = 0; i < s->cnt; i++)
		if (!strcmp(s->name[i], name))
			return 1;
	return 0;
}

/*
 * Each keeps its keepalived name where xlb takes it (1..31 of [A-Za-z0-9_.-]) and no earlier
 * one has it; the others become PREFIX<place in the list>, a name no other one holds.
 */
static void im_names(struct xlb_im *m, struct im_set *s, const char *prefix)
{
	char cand[IM_NAME_MAX + 1];
	int i, t;

	for (i = 0; i < s->cnt; i++) {
		const char *k = im_arg(s->n[i], 1);

		s->name[i][0] = '\0';
		if (im_name_ok(k) && !im_name_taken(s, k))
			snprintf(s->name[i], sizeof(s->name[i]), "%s", k);
	}
	for (i = 0; i < s->cnt; i++) {
		const char *k = im_arg(s->n[i], 1);

		if (s->name[i][0])
			continue;
		snprintf(cand, sizeof(cand), "%s%d", prefix, i + 1);
		for (t = 2; im_name_taken(s, cand); t++)
			snprintf(cand, sizeof(cand), "%s%d_%d", prefix, i + 1, t);
		snprintf(s->name[i], sizeof(s->name[i]), "%s", cand);
		if (im_name_ok(k))
			xlb_im_warn(m, s->n[i], "a second one named %s: named %s (a sync group's "
				    "member means the first)", k, cand);
		else
			xlb_im_warn(m, s->n[i], "name '%s' is not 1 to 31 of A-Z a-z 0-9 _ . -: "
				    "named %s", k, cand);
	}
}

static void im_notify(struct xlb_im *m, FILE *o, const struct xlb_kc_node *inst, int ind)
{
	static const char *const st[] = { "notify_master", "notify_backup", "notify_fault",
					  "notify_stop" };
	/* The words xlbd's VRRP passes in XLB_VRRP_STATE (pair/vrrp.c). */
	static const char *const word[] = { "MASTER", "BACKUP", "FAULT", "STOP" };
	char buf[2048];
	size_t off = 0, i;
	const struct xlb_kc_node *n, *any = NULL;

	off += snprintf(buf + off, sizeof(buf) - off, "case \"$XLB_VRRP_STATE\" in");
	for (i = 0; i < 4; i++) {
		if (!(n = xlb_im_child(inst, st[i])))
			continue;
		any = n;
		off += snprintf(buf + off, sizeof(buf) - off, " %s) %s ;;", word[i], im_arg(n, 1));
		if (off >= sizeof(buf))
			break;
	}
	if (off < sizeof(buf))
		snprintf(buf + off, sizeof(buf) - off, " esac");
	if ((n = xlb_im_child(inst, "notify"))) {
		any = n;
		snprintf(buf, sizeof(buf), "%s", im_arg(n, 1));
	}
	if (!any)
		return;
	xlb_im_warn(m, any, "xlb runs one notify command with XLB_VRRP_STATE set: mapped to a "
		    "shell case on it (keepalived's arguments GROUP|INSTANCE NAME STATE are not "
		    "passed)");
	xlb_yo_kv(o, ind, "notify", buf);
}

static void im_auth(struct xlb_im *m, FILE *o, const struct xlb_kc_node *k, int version, int ind)
{
	const struct xlb_kc_node *ad;
	char buf[9];

	if (version == 3) {
		xlb_im_warn(m, k, "VRRPv3 has no authentication (RFC 5798; keepalived ignores it "
			    "too): left out");
		return;
	}
	ad = xlb_im_child(k, "auth_type");
	if (ad && strcasecmp(im_arg(ad, 1), "PASS")) {
		xlb_im_warn(m, ad, "xlb has no AH authentication: left out");
		return;
	}
	ad = xlb_im_child(k, "auth_pass");
	snprintf(buf, sizeof(buf), "%s", ad ? im_arg(ad, 1) : "");
	if (ad && strlen(im_arg(ad, 1)) > 8)
		xlb_im_warn(m, ad, "longer than 8 characters: keepalived uses the first 8, so does "
			    "this config (\"%s\")", buf);
	fprintf(o, "%*sauthentication: {type: pass, password: ", ind, "");
	xlb_yo_scalar(o, buf);
	fprintf(o, "}\n");
}

/* The keys of one instance; name is the list entry's (NULL: the one-instance mapping). */
/* Is the instance's first virtual address IPv6 (its family, for keepalived)? */
static int im_first_is_v6(const struct xlb_kc_node *inst)
{
	const struct xlb_kc_node *v = xlb_im_child(inst, "virtual_ipaddress");

	return v && v->nkids && strchr(v->kids[0].words[0], ':');
}

static void im_instance(struct xlb_im *m, FILE *o, const struct xlb_kc_node *inst,
			const char *name)
{
	const struct xlb_kc_node *n;
	int i, j, version = 2, v6, ind = name ? 6 : 4;
	char buf[64];

	if ((n = xlb_im_child(m->global, "vrrp_version")) && atoi(im_arg(n, 1)) == 3)
		version = 3;
	if ((n = xlb_im_child(inst, "version")))
		version = atoi(im_arg(n, 1)) == 3 ? 3 : 2;
	/* keepalived (vrrp_complete_instance) runs an IPv6 instance as VRRPv3 whatever it says */
	v6 = im_first_is_v6(inst);
	if (v6 && version == 2) {
		version = 3;
		if (n && atoi(im_arg(n, 1)) == 2)
			xlb_im_warn(m, n, "IPv6 cannot use VRRP version 2: version 3, as keepalived "
				    "sets it");
	}
	if (name) {
		fprintf(o, "    - name: ");
		xlb_yo_scalar(o, name);
		fputc('\n', o);
	}
	xlb_yo_kv(o, ind, "interface", im_ifname(inst));
	if (xlb_im_child(inst, "interface")) {
		snprintf(buf, sizeof(buf), "%s's vrrp interface", name ? name : "");
		xlb_im_iface(m, im_ifname(inst), name ? buf : "the vrrp interface");
	}
	fprintf(o, "%*sversion: %d\n", ind, "", version);
	fprintf(o, "%*svrid: %d\n", ind, "", im_vrid(inst));
	n = xlb_im_child(inst, "priority");
	fprintf(o, "%*spriority: %d\n", ind, "", n ? atoi(im_arg(n, 1)) : 100);
	n = xlb_im_child(inst, "advert_int");
	xlb_im_secs(buf, sizeof(buf), n ? im_arg(n, 1) : "1");
	fprintf(o, "%*sadvert_interval: %s\n", ind, "", buf);
	for (i = 0; i < inst->nkids; i++) {
		const struct xlb_kc_node *k = &inst->kids[i];

		if (im_is(k, "state")) {
			fprintf(o, "%*sstate: %s\n", ind, "",
				!strcasecmp(im_arg(k, 1), "MASTER") ? "master" : "backup");
		} else if (im_is(k, "nopreempt")) {
			fprintf(o, "%*spreempt: false\n", ind, "");
		} else if (im_is(k, "preempt_delay") || im_is(k, "garp_master_delay") ||
			   im_is(k, "garp_master_refresh")) {
			xlb_im_secs(buf, sizeof(buf), im_arg(k, 1));
			fprintf(o, "%*s%s: %s\n", ind, "",
				im_is(k, "preempt_delay")     ? "preempt_delay" :
				im_is(k, "garp_master_delay") ? "garp_delay" :
								"garp_refresh",
				buf);
		} else if (im_is(k, "garp_master_repeat")) {
			fprintf(o, "%*sgarp_repeat: %d\n", ind, "", atoi(im_arg(k, 1)));
		} else if (im_is(k, "authentication")) {
			im_auth(m, o, k, version, ind);
		} else if (im_is(k, "unicast_peer")) {
			fprintf(o, "%*sunicast_peers:\n", ind, "");
			for (j = 0; j < k->nkids; j++) {
				fprintf(o, "%*s- ", ind + 2, "");
				xlb_yo_scalar(o, k->kids[j].words[0]);
				fputc('\n', o);
			}
		} else if (im_is(k, "track_interface")) {
			fprintf(o, "%*strack:\n", ind, "");
			for (j = 0; j < k->nkids; j++) {
				const struct xlb_kc_node *t = &k->kids[j];

				fprintf(o, "%*s- {interface: ", ind + 2, "");
				xlb_yo_scalar(o, t->words[0]);
				if (t->nwords >= 3 && !strcmp(t->words[1], "weight"))
					fprintf(o, ", weight: %d", abs(atoi(t->words[2])));
				fprintf(o, "}\n");
			}
		} else if (im_is(k, "track_script")) {
			xlb_im_warn(m, k, "xlb has no track scripts (it tracks interfaces and VIPs): "
				    "left out");
		} else if (im_is(k, "unicast_src_ip")) {
			xlb_im_warn(m, k, "xlb sends from the interface's own address: left out");
		} else if (im_is(k, "smtp_alert") || im_is(k, "dont_track_primary")) {
			xlb_im_warn(m, k, "no xlb equivalent: left out");
		} else if (im_is(k, "virtual_ipaddress_excluded")) {
			xlb_im_warn(m, k, "xlb lists every address in its adverts: mapped to "
				    "virtual_addresses");
		} else if (!im_is(k, "interface") && !im_is(k, "virtual_router_id") &&
			   !im_is(k, "priority") && !im_is(k, "advert_int") && !im_is(k, "version") &&
			   !im_is(k, "virtual_ipaddress") && strncmp(k->words[0], "notify", 6)) {
			xlb_im_warn(m, k, "unknown vrrp_instance keyword: left out");
		}
	}
	fprintf(o, "%*svirtual_addresses:\n", ind, "");
	v6 = -1;
	im_vaddrs(m, o, xlb_im_child(inst, "virtual_ipaddress"), &v6, ind);
	im_vaddrs(m, o, xlb_im_child(inst, "virtual_ipaddress_excluded"), &v6, ind);
	im_notify(m, o, inst, ind);
}

static int im_find(const struct im_set *vi, const char *kname)
{
	int i;

	for (i = 0; i < vi->cnt; i++)
		if (!strcmp(im_arg(vi->n[i], 1), kname))
			return i;
	return -1;
}

/*
 * One group's members, as places in vi. keepalived's vrrp_sync_set_group() (vrrp_sync.c)
 * reports and skips a member naming no instance or one in a group already; so does this.
 */
static int im_members(struct xlb_im *m, const struct xlb_kc_node *g, const struct im_set *vi,
		      int *of_group, int gi, int *mem)
{
	const struct xlb_kc_node *blk = xlb_im_child(g, "group");
	int i, j, k, idx, n = 0;

	for (i = 0; blk && i < blk->nkids; i++) {
		const struct xlb_kc_node *line = &blk->kids[i];

		for (j = 0; j < line->nwords; j++) {
			const char *w = line->words[j];

			idx = im_find(vi, w);
			for (k = 0; idx < 0 && k < m->ninst; k++)
				if (!strcmp(im_arg(m->inst[k], 1), w))
					break;
			if (idx < 0 && k < m->ninst)
				xlb_im_warn(m, line, "%s is left out (above): not in %s either", w,
					    im_arg(g, 1));
			else if (idx < 0)
				xlb_im_warn(m, line, "%s names no vrrp_instance: left out of %s", w,
					    im_arg(g, 1));
			else if (of_group[idx] > 0 && of_group[idx] != gi + 1)
				xlb_im_warn(m, line, "%s is in %s already: left out of %s", w,
					    im_arg(m->group[of_group[idx] - 1], 1), im_arg(g, 1));
			else if (!of_group[idx])
				of_group[idx] = gi + 1, mem[n++] = idx;
		}
	}
	return n;
}

/* failover.sync_groups: each group of two or more members; a smaller one syncs nothing. */
static void im_groups(struct xlb_im *m, FILE *o, const struct im_set *vi)
{
	int mem[XLB_IM_MAX_INST][XLB_IM_MAX_INST], nmem[XLB_IM_MAX_INST], i, j, gi;
	int of_group[XLB_IM_MAX_INST] = { 0 }; /* 1 + the m->group holding an instance */
	struct im_set vg = { .cnt = 0 };

	for (gi = 0; gi < m->ngroup; gi++) {
		const struct xlb_kc_node *g = m->group[gi];

		for (i = 0; i < g->nkids; i++)
			if (!im_is(&g->kids[i], "group") && strncmp(g->kids[i].words[0], "notify", 6))
				xlb_im_warn(m, &g->kids[i], "no xlb equivalent in a sync group: "
					    "left out");
		nmem[vg.cnt] = im_members(m, g, vi, of_group, gi, mem[vg.cnt]);
		if (nmem[vg.cnt] >= 2) {
			vg.n[vg.cnt++] = g;
			continue;
		}
		xlb_im_warn(m, g, "%s has %s: left out (a group of fewer than two syncs nothing; "
			    "keepalived only warns)", im_arg(g, 1),
			    nmem[vg.cnt] ? "one member" : "no member left");
		for (i = 0; i < nmem[vg.cnt]; i++)
			of_group[mem[vg.cnt][i]] = 0;
	}
	if (!vg.cnt)
		return;
	im_names(m, &vg, "VG_");
	fprintf(o, "  sync_groups:\n");
	for (gi = 0; gi < vg.cnt; gi++) {
		fprintf(o, "    - name: ");
		xlb_yo_scalar(o, vg.name[gi]);
		fprintf(o, "\n      members: [");
		for (j = 0; j < nmem[gi]; j++) {
			fputs(j ? ", " : "", o);
			xlb_yo_scalar(o, vi->name[mem[gi][j]]);
		}
		fprintf(o, "]\n");
	}
}

void xlb_im_vrrp(struct xlb_im *m, FILE *o, const struct xlb_kc_node *root)
{
	struct im_set vi = { .cnt = 0 };
	const char *why;
	const struct xlb_kc_node *first = im_pick_instance(m, root, &why);
	int i;

	if (!first)
		return;
	im_order(m, first, &vi);
	fprintf(o, "failover:\n  mode: vrrp\n  vrrp:\n");
	if (vi.cnt == 1) {
		im_instance(m, o, first, NULL);
	} else {
		im_names(m, &vi, "VI_");
		fprintf(o, "    # %s first, %s: this node's flow sync role follows it\n",
			vi.name[0], why);
		for (i = 0; i < vi.cnt; i++)
			im_instance(m, o, vi.n[i], vi.name[i]);
	}
	im_groups(m, o, &vi);
}
